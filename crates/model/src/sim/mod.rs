//! The event-driven driver: hosts, sockets, links and applications, advanced from one event
//! to the next in time order until nothing is left to happen (or a limit is hit).
//!
//! quinn-proto style: every input is a `handle_*` call with `now`, every output goes into
//! vectors the driver drains (`flush`); timers are data (deadlines in the sockets) mirrored by
//! entries in one priority queue, where stale entries are skipped when they come up.
//!
//! Split by concern, as quinn-proto splits `connection/`: this file is the event loop (the
//! heap, `advance`, `flush`, timers and arrivals); `api.rs` runs the applications' socket
//! calls, `listener.rs` the listening sockets (queues, SYN cookies, children), `wire.rs` the
//! links and the segments in flight.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::app::AppRun;
use crate::net::faults::CompiledRule;
use crate::net::link::Link;
use crate::profile::{BacklogModel, Profile};
use crate::rng::Rng;
use crate::scenario::{Action, Limits, LinkSpec, Scenario, ScenarioError, SocketSpec};
use crate::script::{PeerRun, ScriptFailure};
use crate::tcp::metrics::Metrics;
use crate::tcp::{timer_index, TcpSocket, TimeWaitSyn, TIMER_KINDS};
use crate::trace::{
    Addr, CutReason, CutShort, DropReason, Event, EventKind, Header, Host, HostId, MessageInfo,
    Micros, Origin, Proto, QueueKind, Segment, SegmentId, SocketId, SocketInfo, TcpState,
    TimerKind, Trace, TRACE_FORMAT_VERSION,
};
use crate::udp::{Datagram, UdpSocket};
use crate::vecmap::VecMap;

pub use crate::ctx::Ctx;

enum Sock {
    Tcp(Box<TcpSocket>),
    Udp(Box<UdpSocket>),
    /// A scripted peer's end (crate::script): in the trace's socket list so that its data
    /// has a sender and a viewer can name it, but it runs no TCP.
    Script,
}

enum What {
    /// A segment reaches its destination. It is not copied into the queue: it stays in its
    /// `SegmentSent` event (that index into the trace), which the arrival borrows back.
    Arrive(SegmentId, usize, bool),
    Lost(SegmentId, DropReason),
    Timer(SocketId, TimerKind, Micros),
    App(usize),
    /// A scripted peer's next `send` line is due.
    Peer(usize),
    /// SYN flood `i` sends its next SYN.
    Flood(usize),
    /// A blocked call of application `i` with a deadline (poll's timeout, SO_LINGER's
    /// time) looks again.
    Wake(usize),
    /// The sending device releases a data packet of a socket, of this truesize (a NIC's TX
    /// completion: profile `tx_done_at_xmit` off, on a link with a bandwidth).
    TxDone(SocketId, u64),
}

struct Scheduled {
    t: Micros,
    /// Who goes first at one instant ([`Scheduled::rank_of`]).
    rank: u8,
    order: u64,
    what: What,
}

impl PartialEq for Scheduled {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Scheduled {
    /// At one instant a TCP timer goes last, unless the profile knows where the kernel's
    /// ticks fall; then it goes first. A kernel timer never fires early and in practice
    /// fires late: it runs on the next tick of its timer-wheel level (a jiffy, or 8 jiffies
    /// for a timer 256 ms to 2 s away at HZ 250; `calc_index` rounds expiry up). Where the
    /// model places it at a due time or at the mean of its bucket, a segment or a call due
    /// at the same moment is handled first. Measured on 6.18: a SYN retransmitted 1 s after
    /// the first reaches the server just as its 1 s SYN-ACK timer expires; the server
    /// answers the SYN and re-arms the timer (`tcp_check_req`), sending one SYN-ACK, not two.
    /// Where the model fires it on the very tick the kernel does
    /// ([`crate::tcp::wheel::bucket_tick`]), a segment due on that tick is one the model
    /// delivers with no time spent on the way, which on a real host always comes a little
    /// after the tick's timers (`run_timer_softirq`): a segment sent from a timer comes
    /// back a round trip later on the same tick phase. Measured on 6.18
    /// (idle-restart+delay=300): the last segment of a flight, sent for an ACK that a
    /// delayed-ACK timer sent 600 ms before, reaches the server 0.2 ms after its next
    /// delayed-ACK timer fired: that timer's ACK leaves without it.
    ///
    /// A woken task ([`What::Wake`]) goes after everything else at its instant, what is
    /// scheduled at that instant while it waits included: on a 0 ms wire the segments of a
    /// flight that ACKs clock out (a window of one segment after a retransmitted SYN-ACK,
    /// `tcp_init_transfer`) are sent in reply to the reader's own ACKs, all at the same
    /// instant, and a woken reader on Linux runs after them (measured on 6.18, explore
    /// 900-25: 1448 + 1448 + 104 handed over 60 µs apart, one recv() of 3000; the model's
    /// Wake, queued before the third segment, read 2896).
    fn rank_of(what: &What, p: Option<&Profile>) -> u8 {
        match what {
            What::Timer(..) if p.is_some_and(crate::tcp::wheel::ticks_known) => 0,
            What::Timer(..) => 2,
            What::Wake(..) => 3,
            _ => 1,
        }
    }
}

impl Ord for Scheduled {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (then by rank, then
    // first-scheduled).
    fn cmp(&self, o: &Self) -> Ordering {
        (o.t, o.rank, o.order).cmp(&(self.t, self.rank, self.order))
    }
}

struct HostRt {
    counters: VecMap<String, u64>,
    next_port: u16,
}

pub struct Sim {
    now: Micros,
    /// Distinct profiles of this run: the scenario's (`profile` + `tuning`) first, then one
    /// per host with its own `tuning` and one per socket with its own options
    /// (`max_seg`, `syn_count`). A socket's code sees only its own ([`Sim::sp`]).
    profiles: Vec<Profile>,
    /// Index into `profiles`, per host and per socket (a listener's children share the
    /// listener's, as Linux copies the listener's settings into each child).
    host_prof: Vec<u16>,
    sock_prof: Vec<u16>,
    rng: Rng,
    seed: u64,
    out: Vec<Event>,
    tx: Vec<Segment>,
    new_timers: Vec<(SocketId, TimerKind, Micros)>,
    /// Emptied buffers swapped with `tx`/`new_timers` by `flush`, so that draining them does
    /// not allocate a new vector every time (the allocator dominates the wasm build's time).
    tx_spare: Vec<Segment>,
    timers_spare: Vec<(SocketId, TimerKind, Micros)>,
    heap: BinaryHeap<Scheduled>,
    order: u64,
    /// Per socket and timer kind: the wheel tick its timer was last filed for and the
    /// `order` it was filed with ([`Sim::wheel_order`]).
    timer_places: Vec<[(Micros, u64); TIMER_KINDS.len()]>,
    hosts: Vec<Host>,
    host_rt: Vec<HostRt>,
    socks: Vec<Sock>,
    /// TCP sockets of `sockets[]` with port 0: their port is connect()'s choice
    /// ([`Sim::hash_connect`]); the one they are listed with until then is where that
    /// search starts.
    autobind: Vec<SocketId>,
    /// Sockets a task closed while another task's call was blocked on them, with whether it
    /// was an abort: closed when the last such call returns ([`Sim::call_close`]).
    closing: Vec<(SocketId, bool)>,
    infos: Vec<SocketInfo>,
    // Ordered maps as sorted `Vec`s (`VecMap`), not `BTreeMap`s: each B-tree type costs the web
    // app's first load 1.5-2 KB gzipped of code, and these maps are small (see crate::vecmap).
    labels: VecMap<String, SocketId>,
    conns: VecMap<(Addr, Addr), SocketId>,
    /// Listening sockets by address: one, or an SO_REUSEPORT group in listen() order
    /// (Linux `sock_reuseport.socks`).
    listeners: VecMap<Addr, Vec<SocketId>>,
    udp_binds: VecMap<Addr, Vec<SocketId>>,
    /// The SO_REUSEPORT member a socket's connection or datagrams reach, by the member's
    /// label (`SocketSpec::reuseport_pick`): the kernel's pick where a run gives it.
    reuseport_picks: VecMap<SocketId, String>,
    /// ICMP rate limit per (sending host, peer host): the jiffies counter when the bucket was
    /// last filled and the jiffies of tokens it held then (`inet_peer.rate_last`,
    /// `rate_tokens`; µs in a profile without the wheel, `wheel::jiffy_unit`).
    icmp_tokens: VecMap<(HostId, HostId), (u64, u64)>,
    /// Each host's destination cache (Linux `tcp_metrics`, one per network namespace).
    metrics: Metrics,
    /// Members of each multicast group, sorted, no duplicates.
    groups: VecMap<String, Vec<SocketId>>,
    links: VecMap<(HostId, HostId), Link>,
    link_default: LinkSpec,
    link_overrides: VecMap<(HostId, HostId), LinkSpec>,
    faults: Vec<CompiledRule>,
    apps: Vec<AppRun>,
    messages: Vec<MessageInfo>,
    next_seg: u32,
    limits: Limits,
    /// Set once the run stops early (a budget, or the caller via [`Sim::cut`]).
    cut_short: Option<CutShort>,
    /// The first `flush` (the applications' first steps) has run.
    started: bool,
    name: String,
    profile_id: &'static str,
    /// Hosts whose side is a script (crate::script), not a modelled stack.
    peers: Vec<PeerRun>,
    /// Hosts that send a SYN flood (`hosts[].flood`) and answer nothing.
    floods: Vec<peer::FloodRun>,
    /// The first script failure; the run stops there.
    script_failure: Option<ScriptFailure>,
    /// The scripts were checked for lines left waiting at the end of the run.
    scripts_ended: bool,
}

/// Where a run stands after [`Sim::advance`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// More is scheduled; call `advance` again.
    Running,
    /// Nothing left to happen, or a limit or budget was reached.
    Done,
}

macro_rules! ctx {
    ($s:ident, $sid:expr) => {
        Ctx {
            now: $s.now,
            p: &$s.profiles[$s.sock_prof[$sid.0 as usize] as usize],
            rng: &mut $s.rng,
            out: &mut $s.out,
            tx: &mut $s.tx,
            timers: &mut $s.new_timers,
            metrics: &mut $s.metrics,
            in_timer: false,
        }
    };
}

/// The stream of the hosts' secret keys ([`Sim::host_secret`]).
const SECRET_STREAM: u64 = 0x5ec2e7 << 16;

mod api;
mod listener;
mod peer;
mod wire;

impl Sim {
    /// Builds a run of scenario `s`, by concern: the scenario's own checks and the hosts
    /// (`add_hosts`), the scripted and flooding peers (`add_peers`), the network (links,
    /// faults, groups: `add_network`), the sockets (`add_socket`, then the peers' ends),
    /// the applications (`add_apps`); then the first steps are scheduled.
    pub fn new(s: &Scenario) -> Result<Sim, ScenarioError> {
        s.validate()?;
        let mut sim = Sim::empty(s);
        sim.add_hosts(s)?;
        sim.add_peers(s)?;
        sim.add_network(s)?;
        for spec in &s.sockets {
            sim.add_socket(spec)?;
        }
        sim.add_peer_ends();
        sim.add_apps(s)?;
        for i in 0..sim.apps.len() {
            sim.schedule_step(i, 0);
        }
        for i in 0..sim.peers.len() {
            sim.schedule_peer(i);
        }
        for i in 0..sim.floods.len() {
            sim.schedule_flood(i);
        }
        Ok(sim)
    }

    /// A run with the scenario's settings and nothing in it yet.
    fn empty(s: &Scenario) -> Sim {
        Sim {
            now: 0,
            profiles: vec![s.profile.profile().with(&s.tuning)],
            host_prof: Vec::new(),
            sock_prof: Vec::new(),
            rng: Rng::fork(s.seed, 0),
            seed: s.seed,
            out: Vec::new(),
            tx: Vec::new(),
            new_timers: Vec::new(),
            tx_spare: Vec::new(),
            timers_spare: Vec::new(),
            heap: BinaryHeap::new(),
            order: 0,
            timer_places: Vec::new(),
            hosts: Vec::new(),
            host_rt: Vec::new(),
            autobind: Vec::new(),
            closing: Vec::new(),
            socks: Vec::new(),
            infos: Vec::new(),
            labels: VecMap::new(),
            conns: VecMap::new(),
            listeners: VecMap::new(),
            udp_binds: VecMap::new(),
            reuseport_picks: VecMap::new(),
            icmp_tokens: VecMap::new(),
            metrics: Metrics::new(),
            groups: VecMap::new(),
            links: VecMap::new(),
            link_default: s.network.default.clone(),
            link_overrides: VecMap::new(),
            faults: Vec::new(),
            apps: Vec::new(),
            messages: Vec::new(),
            next_seg: 0,
            limits: s.limits.clone(),
            cut_short: None,
            started: false,
            name: s.name.clone(),
            profile_id: s.profile.id(),
            peers: Vec::new(),
            floods: Vec::new(),
            script_failure: None,
            scripts_ended: false,
        }
    }

    /// The hosts, each with its own profile (the scenario's plus the host's `tuning`).
    fn add_hosts(&mut self, s: &Scenario) -> Result<(), ScenarioError> {
        if s.hosts.is_empty() {
            return Err(ScenarioError::Invalid(
                "a scenario needs at least one host".into(),
            ));
        }
        if s.hosts.len() > u16::MAX as usize {
            return Err(ScenarioError::Invalid("too many hosts".into()));
        }
        for (i, h) in s.hosts.iter().enumerate() {
            if self.hosts.iter().any(|o| o.name == h.name) {
                return Err(ScenarioError::Invalid(format!(
                    "two hosts are called \"{}\"",
                    h.name
                )));
            }
            self.hosts.push(Host {
                id: HostId(i as u16),
                name: h.name.clone(),
                addr: h.addr.clone(),
            });
            self.host_rt.push(HostRt {
                counters: VecMap::new(),
                next_port: 40_000,
            });
            let own = s.profile.profile().with(&s.host_tuning(i));
            let at = self.profile_index(own);
            self.host_prof.push(at);
        }
        Ok(())
    }

    /// Hosts whose side is a script (`hosts[].script`) or a SYN flood (`hosts[].flood`).
    fn add_peers(&mut self, s: &Scenario) -> Result<(), ScenarioError> {
        for (i, h) in s.hosts.iter().enumerate() {
            if let Some(script) = &h.script {
                let local = Addr {
                    host: HostId(i as u16),
                    port: script.port,
                };
                let mut run = PeerRun::new(h.name.clone(), local, script.clone());
                run.remote = script
                    .remote
                    .as_deref()
                    .map(|r| self.parse_addr(r))
                    .transpose()?;
                self.peers.push(run);
            }
            if let Some(f) = &h.flood {
                let target = self.parse_addr(&f.to)?;
                let rng = Rng::fork(s.seed, peer::FLOOD_STREAM + i as u64);
                let run = peer::FloodRun::new(HostId(i as u16), f.clone(), target, rng);
                self.floods.push(run);
            }
        }
        Ok(())
    }

    /// Per-direction link settings, fault rules and multicast groups (empty until the
    /// sockets join them).
    fn add_network(&mut self, s: &Scenario) -> Result<(), ScenarioError> {
        for d in &s.network.directions {
            let k = (self.host(&d.from)?, self.host(&d.to)?);
            self.link_overrides.insert(k, d.link.clone());
        }
        for r in &s.faults {
            let from = r.from.as_deref().map(|h| self.host(h)).transpose()?;
            let to = r.to.as_deref().map(|h| self.host(h)).transpose()?;
            self.faults.push(CompiledRule::new(r, from, to));
        }
        for g in &s.groups {
            self.groups.insert(g.name.clone(), Vec::new());
        }
        Ok(())
    }

    /// One socket of `sockets[]`, on a host that runs a modelled stack.
    fn add_socket(&mut self, spec: &SocketSpec) -> Result<(), ScenarioError> {
        let host = self.host(&spec.host)?;
        let refuse = |why: &str| {
            Err(ScenarioError::Invalid(format!(
                "sockets[\"{}\"]: host \"{}\" {why}; it runs no sockets",
                spec.label, spec.host
            )))
        };
        if self.peers.iter().any(|p| p.local.host == host) {
            return refuse("is scripted (hosts[].script)");
        }
        if self.floods.iter().any(|f| f.host == host) {
            return refuse("sends a SYN flood (hosts[].flood)");
        }
        if self.labels.contains_key(&spec.label) {
            return Err(ScenarioError::Invalid(format!(
                "two sockets are labelled \"{}\"",
                spec.label
            )));
        }
        let port = if spec.port == 0 {
            self.ephemeral(host)
        } else {
            spec.port
        };
        let local = Addr { host, port };
        let id = SocketId(self.socks.len() as u16);
        if spec.port == 0 && spec.proto == Proto::Tcp {
            self.autobind.push(id);
        }
        let mut own = self.profiles[self.host_prof[host.0 as usize] as usize].clone();
        if let Some(m) = spec.max_seg {
            own.mss = own.mss.min(m);
        }
        if let Some(n) = spec.syn_count {
            own.syn_retries = n;
        }
        let at = self.profile_index(own);
        self.sock_prof.push(at);
        let sock = match spec.proto {
            Proto::Tcp => Sock::Tcp(Box::new(self.tcp_socket(spec, id, local))),
            Proto::Udp => Sock::Udp(Box::new(self.udp_socket(spec, id, local)?)),
        };
        self.socks.push(sock);
        self.labels.insert(spec.label.clone(), id);
        if let Some(pick) = &spec.reuseport_pick {
            self.reuseport_picks.insert(id, pick.clone());
        }
        self.infos.push(SocketInfo {
            id,
            host,
            proto: spec.proto,
            local_port: port,
            remote: None,
            listener: false,
            parent: None,
            created_us: 0,
            scripted: false,
            label: spec.label.clone(),
        });
        Ok(())
    }

    /// A TCP socket with the spec's options (SO_RCVBUF at least the profile's minimum,
    /// and locked against autotuning as `setsockopt(SO_RCVBUF)` locks it).
    fn tcp_socket(&mut self, spec: &SocketSpec, id: SocketId, local: Addr) -> TcpSocket {
        let ctx = ctx!(self, id);
        let mut t = TcpSocket::new(id, local, &ctx);
        t.secret = self.host_secret(local.host);
        // `sk_setsockopt` clamps SO_RCVBUF / SO_SNDBUF to net.core.rmem_max / wmem_max
        // before it doubles them (and keeps them above SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF).
        let cap = |v: u32, max: u32| if max > 0 { v.min(max) } else { v };
        if let Some(b) = spec.recv_buffer {
            let b = cap(b, self.sp(id).rmem_max);
            t.rcv_cap = b.max(self.sp(id).min_recv_buffer).max(1);
            t.rcvbuf_locked = true;
        }
        if let Some(b) = spec.send_buffer {
            t.send_cap = cap(b, self.sp(id).wmem_max).max(1);
            t.sndbuf_locked = true;
        }
        t.nodelay = spec.no_delay;
        t.reuse_addr = spec.reuse_addr;
        t.reuse_port = spec.reuse_port;
        t.cork = spec.cork;
        t.user_timeout_us = spec.user_timeout_us.unwrap_or(0);
        t.linger_us = spec.linger_us;
        t
    }

    /// A UDP socket bound to `local`, in the groups it joins.
    fn udp_socket(
        &mut self,
        spec: &SocketSpec,
        id: SocketId,
        local: Addr,
    ) -> Result<UdpSocket, ScenarioError> {
        let holders = self.udp_binds.get(&local).cloned().unwrap_or_default();
        // `udp_lib_lport_inuse`: a shared port needs SO_REUSEADDR on both sockets,
        // or SO_REUSEPORT on both.
        let shared = holders.iter().all(|&h| {
            (spec.reuse_addr && self.udp_reuse_addr(h))
                || (spec.reuse_port && self.udp_reuse_port(h))
        });
        if !shared {
            return Err(ScenarioError::Invalid(format!(
                "sockets[\"{}\"]: port {} on {} is taken (set reuse_addr for \
                 SO_REUSEADDR or reuse_port for SO_REUSEPORT on every socket of it)",
                spec.label, local.port, spec.host
            )));
        }
        self.udp_binds.entry(local).or_default().push(id);
        for g in &spec.join {
            let members = self
                .groups
                .get_mut(g)
                .ok_or_else(|| ScenarioError::UnknownGroup(g.clone()))?;
            if let Err(at) = members.binary_search(&id) {
                members.insert(at, id);
            }
        }
        // SO_RCVBUF as the kernel takes it: no more than net.core.rmem_max (`sk_setsockopt`).
        let rmem_max = self.sp(id).rmem_max;
        let so_rcvbuf = spec
            .recv_buffer
            .map(|b| if rmem_max > 0 { b.min(rmem_max) } else { b });
        let cap = so_rcvbuf.unwrap_or(self.sp(id).udp_recv_buffer);
        let mut u = UdpSocket::new(id, local, cap);
        let rmem_default = self.sp(id).udp_rmem_default;
        if rmem_default > 0 {
            u.rcvbuf_mem = so_rcvbuf.map_or(rmem_default, crate::udp::rcvbuf_of_so_rcvbuf);
        }
        u.reuse_addr = spec.reuse_addr;
        u.reuse_port = spec.reuse_port;
        Ok(u)
    }

    /// The trace's socket for each script's and each flood's end, after the real sockets.
    fn add_peer_ends(&mut self) {
        for i in 0..self.peers.len() {
            let (local, remote) = (self.peers[i].local, self.peers[i].remote);
            let label = format!("{} (script)", self.peers[i].host_name);
            self.peers[i].socket = self.add_script_end(local.host, local.port, remote, label);
        }
        for i in 0..self.floods.len() {
            let f = &self.floods[i];
            let (host, port, target) = (f.host, f.spec.first_port, f.target);
            let label = format!("{} (SYN flood)", self.hosts[host.0 as usize].name);
            self.floods[i].socket = self.add_script_end(host, port, Some(target), label);
        }
    }

    fn add_script_end(
        &mut self,
        host: HostId,
        port: u16,
        remote: Option<Addr>,
        label: String,
    ) -> SocketId {
        let id = SocketId(self.socks.len() as u16);
        self.socks.push(Sock::Script);
        self.sock_prof.push(self.host_prof[host.0 as usize]);
        self.infos
            .push(scripted_info(id, host, port, remote, &label));
        self.labels.insert(label, id);
        id
    }

    /// The applications' programs, each on a known socket; a step's `on` names a socket
    /// that exists or one an `accept` of the same program will label.
    fn add_apps(&mut self, s: &Scenario) -> Result<(), ScenarioError> {
        for script in &s.apps {
            let socket = self.label(&script.socket)?;
            for st in &script.steps {
                if let Some(on) = &st.on {
                    // Labels of accepted connections are only known at run time.
                    let accepted = script
                        .steps
                        .iter()
                        .any(|x| matches!(&x.action, Action::Accept { label: Some(l) } if l == on));
                    if !accepted {
                        self.label(on)?;
                    }
                }
            }
            self.apps.push(AppRun {
                steps: script.steps.clone(),
                pc: 0,
                socket,
                blocked: None,
                scheduled: false,
                asleep: false,
                wake_at: None,
                woken_at: None,
                held_until: 0,
            });
        }
        Ok(())
    }

    /// The index of this profile in `profiles`, adding it if it is new (most runs have one).
    /// Host `h`'s secret key for ISNs and timestamp offsets (Linux draws `net_secret` and
    /// `ts_secret` once per boot): from the scenario's seed, a stream of its own per host,
    /// so it draws nothing from the sockets' or the links' streams.
    fn host_secret(&self, h: HostId) -> u64 {
        Rng::fork(self.seed, SECRET_STREAM + h.0 as u64).next_u64()
    }

    fn profile_index(&mut self, p: Profile) -> u16 {
        match self.profiles.iter().position(|q| *q == p) {
            Some(i) => i as u16,
            None => {
                self.profiles.push(p);
                (self.profiles.len() - 1) as u16
            }
        }
    }

    fn udp_reuse_port(&self, s: SocketId) -> bool {
        matches!(&self.socks[s.0 as usize], Sock::Udp(u) if u.reuse_port)
    }

    fn udp_reuse_addr(&self, s: SocketId) -> bool {
        matches!(&self.socks[s.0 as usize], Sock::Udp(u) if u.reuse_addr)
    }

    /// The profile a socket lives by: its host's, with its own socket options.
    fn sp(&self, sid: SocketId) -> &Profile {
        &self.profiles[self.sock_prof[sid.0 as usize] as usize]
    }

    fn host(&self, name: &str) -> Result<HostId, ScenarioError> {
        self.hosts
            .iter()
            .find(|h| h.name == name || h.addr == name)
            .map(|h| h.id)
            .ok_or_else(|| ScenarioError::UnknownHost(name.to_string()))
    }

    fn label(&self, l: &str) -> Result<SocketId, ScenarioError> {
        self.labels
            .get(l)
            .copied()
            .ok_or_else(|| ScenarioError::UnknownSocket(l.to_string()))
    }

    /// A port for a socket of `sockets[]` listed with port 0: the host's next one counted up
    /// from 40000, folded into the profile's `local_port_range` (Linux draws its start from
    /// a keyed hash instead, which no model can know; a range of one port is the kernel's
    /// choice too).
    fn ephemeral(&mut self, host: HostId) -> u16 {
        let [a, b] = self.profiles[self.host_prof[host.0 as usize] as usize].local_port_range;
        let (low, high) = (a.min(b), a.max(b));
        let rt = &mut self.host_rt[host.0 as usize];
        let p = rt.next_port;
        rt.next_port = rt.next_port.wrapping_add(1).max(40_000);
        let size = i64::from(high - low) + 1;
        (i64::from(low) + (i64::from(p) - i64::from(low)).rem_euclid(size)) as u16
    }

    /// "host:port" → address (host by name or by address text).
    fn parse_addr(&self, s: &str) -> Result<Addr, ScenarioError> {
        let (h, p) = s
            .rsplit_once(':')
            .ok_or_else(|| ScenarioError::BadAddress(s.to_string()))?;
        let port: u16 = p
            .parse()
            .map_err(|_| ScenarioError::BadAddress(s.to_string()))?;
        Ok(Addr {
            host: self.host(h)?,
            port,
        })
    }

    fn push(&mut self, t: Micros, what: What) {
        self.order += 1;
        let p = match what {
            What::Timer(sid, ..) => Some(self.sp(sid)),
            _ => None,
        };
        let rank = Scheduled::rank_of(&what, p);
        let order = match what {
            // The SACK-compression timer is an hrtimer, off the wheel.
            What::Timer(sid, kind, _) if rank == 0 && kind != TimerKind::SackCompress => {
                self.wheel_order(sid, kind, t)
            }
            _ => self.order,
        };
        self.heap.push(Scheduled {
            t,
            rank,
            order,
            what,
        });
    }

    /// Where a timer of socket `sid` firing on the wheel's tick `t` goes among the timers of
    /// that tick (the profile knows where the ticks fall, so they share it exactly). Linux
    /// files a timer at the head of its bucket's list (`enqueue_timer` → `hlist_add_head`)
    /// and runs a bucket from the head (`expire_timers`), so of two timers that share a bucket
    /// the one armed last fires first; `__run_timers` runs the levels it collected from the
    /// highest down (`while (levels--) expire_timers(base, heads + levels)`). A timer re-armed
    /// into the bucket it is already in keeps its place (`__mod_timer`: "the same array
    /// bucket then just return"). Measured on 6.18 (explore seed 2000 #12, every one of 8
    /// runs where they shared a bucket): two clients whose first SYNs a full SYN queue
    /// dropped, 10 ms apart, retransmit on the same tick of level 1 (32 ms buckets), the
    /// later one 26-36 µs first, and it takes the one free place in the accept queue. The
    /// kernel keeps a wheel per CPU; the model has one, as the lab's runs behaved.
    fn wheel_order(&mut self, sid: SocketId, kind: TimerKind, t: Micros) -> u64 {
        let level = self
            .tcp(sid)
            .map_or(0, |s| s.timer_levels[timer_index(kind)].min(15)) as u64;
        let i = sid.0 as usize;
        if self.timer_places.len() <= i {
            self.timer_places
                .resize(i + 1, [(Micros::MAX, 0); TIMER_KINDS.len()]);
        }
        let place = &mut self.timer_places[i][timer_index(kind)];
        if place.0 != t {
            *place = (t, self.order);
        }
        let armed = place.1;
        ((15 - level) << 56) | ((1u64 << 56) - 1 - armed)
    }

    fn emit(&mut self, kind: EventKind) {
        self.out.push(Event { t: self.now, kind });
    }

    fn bump(&mut self, host: HostId, name: &str) {
        let rt = &mut self.host_rt[host.0 as usize];
        let v = rt.counters.entry(name.to_string()).or_insert(0);
        *v += 1;
        let value = *v;
        self.emit(EventKind::Counter {
            host,
            name: name.to_string(),
            value,
        });
    }

    fn tcp(&mut self, id: SocketId) -> Option<&mut TcpSocket> {
        match self.socks.get_mut(id.0 as usize) {
            Some(Sock::Tcp(t)) => Some(t),
            _ => None,
        }
    }

    fn tcp_ref(&self, id: SocketId) -> Option<&TcpSocket> {
        match self.socks.get(id.0 as usize) {
            Some(Sock::Tcp(t)) => Some(t),
            _ => None,
        }
    }

    fn with_tcp<R>(
        &mut self,
        id: SocketId,
        f: impl FnOnce(&mut TcpSocket, &mut Ctx) -> R,
    ) -> Option<R> {
        let Some(Sock::Tcp(t)) = self.socks.get_mut(id.0 as usize) else {
            return None;
        };
        let mut ctx = ctx!(self, id);
        Some(f(t, &mut ctx))
    }

    // ------------------------------------------------------------------ the loop

    /// Runs to quiescence or a limit and returns the trace.
    pub fn run(mut self) -> Trace {
        while self.advance(usize::MAX) == RunState::Running {}
        self.finish()
    }

    /// Handles up to `steps` scheduled items (segments, timers, application steps), so that a
    /// caller with a clock (the lab's `sim`, a web worker) can show progress and stop a long
    /// run between two calls without the model knowing about time or signals.
    pub fn advance(&mut self, steps: usize) -> RunState {
        if !self.started {
            self.started = true;
            self.flush();
        }
        for _ in 0..steps {
            if self.cut_short.is_some() {
                return RunState::Done;
            }
            let Some(next_t) = self.heap.peek().map(|e| e.t) else {
                self.end_scripts();
                return RunState::Done;
            };
            if next_t > self.limits.max_time_us {
                // Stopped by the time limit: the run lasted exactly that long.
                self.now = self.limits.max_time_us;
                self.end_scripts();
                return RunState::Done;
            }
            if self.out.len() >= self.limits.max_events {
                self.cut(
                    CutReason::EventBudget,
                    format!(
                        "stopped at the event budget: {} events by {} s of simulated time \
                         (limits.max_events; each event costs about {} bytes of memory; \
                         raise it up to {}, e.g. `synack-lab sim --max-events N`)",
                        self.out.len(),
                        seconds_text(self.now),
                        crate::scenario::BYTES_PER_EVENT,
                        crate::scenario::MAX_EVENTS_CEILING,
                    ),
                );
                return RunState::Done;
            }
            // Handling one item creates at most one socket (a listener's child for one SYN or
            // ACK), so stopping here keeps every id below the budget and `u16::MAX`.
            let socket_budget = self.limits.max_sockets.min(crate::scenario::MAX_SOCKET_IDS);
            if self.socks.len() >= socket_budget {
                self.cut(
                    CutReason::SocketBudget,
                    format!(
                        "stopped at the socket budget: {} sockets by {} s of simulated time \
                         (limits.max_sockets, at most {}: socket ids are 16-bit)",
                        self.socks.len(),
                        seconds_text(self.now),
                        crate::scenario::MAX_SOCKET_IDS,
                    ),
                );
                return RunState::Done;
            }
            let Some(ev) = self.heap.pop() else {
                return RunState::Done;
            };
            self.now = ev.t;
            match ev.what {
                What::Arrive(id, sent, multicast) => {
                    let seg = self.take_sent(sent);
                    self.handle_arrival(id, &seg, multicast);
                    self.put_back_sent(sent, seg);
                }
                What::Lost(id, reason) => self.emit(EventKind::SegmentDropped { id, reason }),
                What::Timer(sid, kind, deadline) => self.handle_timer(sid, kind, deadline),
                What::App(i) => {
                    self.apps[i].scheduled = false;
                    self.run_step(i);
                }
                What::Peer(i) => self.peer_send(i),
                What::Flood(i) => self.flood_send(i),
                What::Wake(i) => {
                    self.wake_app(i);
                }
                What::TxDone(sid, truesize) => {
                    let before = self.tcp(sid).map(|t| t.state);
                    self.with_tcp(sid, |t, ctx| t.tx_done(truesize, ctx));
                    self.after_tcp(sid, before);
                }
            }
            self.flush();
        }
        if self.heap.is_empty() {
            self.end_scripts();
            RunState::Done
        } else {
            RunState::Running
        }
    }

    /// Stops the run here (the first reason given is kept): the trace ends at the current
    /// event and carries `cut_short` with `why` and `message`.
    pub fn cut(&mut self, why: CutReason, message: String) {
        if self.cut_short.is_none() {
            self.cut_short = Some(CutShort { why, message });
        }
    }

    /// Simulated time reached so far.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// Trace events recorded so far.
    pub fn events(&self) -> usize {
        self.out.len()
    }

    /// Sockets so far (the scenario's and accepted connections).
    pub fn sockets(&self) -> usize {
        self.socks.len()
    }

    /// The trace of what happened so far (all of it, once `advance` returned `Done`).
    pub fn finish(self) -> Trace {
        let duration_us = self
            .out
            .last()
            .map(|e| e.t)
            .unwrap_or(0)
            .max(self.now.min(self.limits.max_time_us));
        let mut t = Trace {
            version: TRACE_FORMAT_VERSION,
            origin: Origin::Model {
                scenario: self.name,
                profile: self.profile_id.to_string(),
                seed: self.seed,
            },
            hosts: self.hosts,
            sockets: self.infos,
            messages: self.messages,
            events: self.out,
            snapshots: Vec::new(),
            duration_us,
            cut_short: self.cut_short,
        };
        t.build_snapshots(self.limits.snapshot_every);
        t
    }

    /// Puts queued segments on the wire, registers timers, and lets blocked applications
    /// continue, until nothing changes.
    fn flush(&mut self) {
        loop {
            // Segments queued while these go out land in the (empty) spare buffer.
            let mut tx = std::mem::replace(&mut self.tx, std::mem::take(&mut self.tx_spare));
            for seg in tx.drain(..) {
                self.put_on_wire(seg, false);
            }
            self.tx_spare = tx;
            let mut timers =
                std::mem::replace(&mut self.new_timers, std::mem::take(&mut self.timers_spare));
            for (sid, kind, at) in timers.drain(..) {
                self.push(at, What::Timer(sid, kind, at));
            }
            self.timers_spare = timers;
            let progressed = self.poll_apps();
            if !progressed && self.tx.is_empty() && self.new_timers.is_empty() {
                break;
            }
        }
    }

    fn handle_timer(&mut self, sid: SocketId, kind: TimerKind, deadline: Micros) {
        let live = self
            .tcp(sid)
            .is_some_and(|t| t.timers[timer_index(kind)] == Some(deadline));
        if !live {
            return; // re-armed or cancelled since
        }
        if kind == TimerKind::Retransmit && self.request_orphaned(sid) {
            return self.drop_request(sid);
        }
        if kind == TimerKind::Retransmit {
            let limit = self.synack_retries_limit(sid);
            if let Some(t) = self.tcp(sid) {
                t.synack_retries_limit = limit;
            }
        }
        let before = self.tcp(sid).map(|t| t.state);
        self.with_tcp(sid, |t, ctx| {
            ctx.in_timer = true;
            t.on_timer(kind, ctx)
        });
        self.after_tcp(sid, before);
    }

    // ------------------------------------------------------------------ arrivals

    fn handle_arrival(&mut self, id: SegmentId, seg: &Segment, multicast: bool) {
        match seg.header {
            Header::Tcp(_) => self.tcp_arrival(id, seg),
            Header::Udp(_) => self.udp_arrival(id, seg, multicast),
            Header::Icmp(_) => self.icmp_arrival(id, seg),
        }
    }

    fn tcp_arrival(&mut self, id: SegmentId, seg: &Segment) {
        if let Some(i) = self.peers.iter().position(|p| p.local == seg.dst) {
            return self.peer_arrival(i, id, seg);
        }
        if self.floods.iter().any(|f| f.host == seg.dst.host) {
            // A flood source answers nothing (see `scenario::SynFlood`).
            return self.emit(EventKind::SegmentArrived { id });
        }
        let Header::Tcp(h) = &seg.header else { return };
        let h = h.clone();
        if let Some(&sid) = self.conns.get(&(seg.dst, seg.src)) {
            if self.request_orphaned(sid) {
                // Gone before the segment is looked at: it goes on as one for no socket.
                self.drop_request(sid);
            }
        }
        if let Some(&sid) = self.conns.get(&(seg.dst, seg.src)) {
            if self.time_wait_syn(sid, id, seg, &h) {
                return;
            }
            // Linux: the ACK completing a passive open needs room in the accept queue
            // (`tcp_check_req` → `syn_recv_sock` → `sk_acceptq_is_full`).
            let (state, parent, iss) = match self.tcp(sid) {
                Some(t) => (t.state, t.parent, t.iss),
                None => return,
            };
            if let Some(lid) = parent {
                let completes = state == TcpState::SynReceived
                    && h.flags.ack
                    && !h.flags.syn
                    && !h.flags.rst
                    && h.ack == (iss + 1).0;
                let lp = self.sp(lid);
                let (two_queues, somaxconn, abort_on_overflow) = (
                    lp.backlog_model == BacklogModel::TwoQueues,
                    lp.somaxconn,
                    lp.abort_on_overflow,
                );
                let full = self
                    .listener(lid)
                    .is_some_and(|l| l.accept_queue_full(somaxconn));
                if completes && two_queues && full {
                    let host = seg.dst.host;
                    self.bump(host, "ListenOverflows");
                    self.bump(host, "ListenDrops");
                    if abort_on_overflow {
                        // `tcp_check_req` → embryonic_reset: `send_reset` in reply to the
                        // ACK (a bare RST at its ACK number), and the request is dropped.
                        // The ACK itself is discarded, not handed to a socket: `tcp_check_req`
                        // returns NULL and `tcp_v4_rcv` goes to `discard_and_relse`, after
                        // ListenOverflows counted it (the same fate as without the sysctl).
                        self.emit(EventKind::SegmentDropped {
                            id,
                            reason: DropReason::AcceptQueueFull,
                        });
                        if let Some(rst) = TcpSocket::reset_for(seg) {
                            self.tx.push(rst);
                        }
                        let before = Some(state);
                        self.with_tcp(sid, |t, ctx| t.set_state(TcpState::Closed, ctx));
                        self.after_tcp(sid, before);
                    } else {
                        // `listen_overflow:` inet_rsk(req)->acked = 1; the ACK is ignored.
                        self.emit(EventKind::SegmentDropped {
                            id,
                            reason: DropReason::AcceptQueueFull,
                        });
                        if let Some(t) = self.tcp(sid) {
                            t.overflow_acked = true;
                        }
                    }
                    return;
                }
            }
            self.emit(EventKind::SegmentArrived { id });
            let before = Some(state);
            self.with_tcp(sid, |t, ctx| t.on_segment(seg, ctx));
            self.after_tcp(sid, before);
            return;
        }
        if let Some(lid) = self.listener_for(seg) {
            return self.listener_segment(lid, id, seg, None);
        }
        // No socket: RFC 9293 §3.10.7.1, answer anything but a RST with a RST.
        match TcpSocket::reset_for(seg) {
            Some(rst) => {
                self.emit(EventKind::SegmentArrived { id });
                self.tx.push(rst);
            }
            None => self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::NoSocket,
            }),
        }
    }

    /// The listener a segment for no connection goes to (an SO_REUSEPORT group's pick).
    fn listener_for(&self, seg: &Segment) -> Option<SocketId> {
        let group = self.listeners.get(&seg.dst)?;
        group.get(self.reuseport_member(seg, group)).copied()
    }

    /// Which of an SO_REUSEPORT group's members `seg` (a new connection's SYN, a datagram)
    /// reaches: the one its sender's `reuseport_pick` names, if it is in the group, else the
    /// model's own hash ([`reuseport_pick`]).
    fn reuseport_member(&self, seg: &Segment, group: &[SocketId]) -> usize {
        let sender = self
            .conns
            .get(&(seg.src, seg.dst))
            .or_else(|| self.udp_binds.get(&seg.src).and_then(|v| v.first()));
        let named = sender
            .and_then(|s| self.reuseport_picks.get(s))
            .and_then(|label| {
                group
                    .iter()
                    .position(|m| self.infos[m.0 as usize].label == *label)
            });
        named.unwrap_or_else(|| reuseport_pick(seg, group.len()))
    }

    /// A SYN for a connection in TIME-WAIT (Linux `tcp_v4_rcv`, `tcp_timewait_state_process`'s
    /// verdict): TCP_TW_SYN hands it to the listener, the timewait socket gone
    /// (`inet_twsk_deschedule_put`), with the ISN it chose; without a listener, or for a SYN
    /// that cannot reopen, the old connection's ACK. Returns whether it handled the segment.
    fn time_wait_syn(
        &mut self,
        sid: SocketId,
        id: SegmentId,
        seg: &Segment,
        h: &crate::trace::TcpHeader,
    ) -> bool {
        let Some(verdict) = self
            .tcp_ref(sid)
            .and_then(|t| t.time_wait_syn(h, self.sp(sid)))
        else {
            return false;
        };
        let listener = self.listener_for(seg);
        match (verdict, listener) {
            (TimeWaitSyn::Reopen(isn), Some(lid)) => {
                let before = Some(TcpState::TimeWait);
                self.with_tcp(sid, |t, ctx| t.set_state(TcpState::Closed, ctx));
                self.after_tcp(sid, before);
                self.listener_segment(lid, id, seg, Some(isn));
            }
            (TimeWaitSyn::Reopen(_), None) => {
                self.emit(EventKind::SegmentArrived { id });
                self.with_tcp(sid, |t, ctx| t.time_wait_ack(false, false, ctx));
            }
            (TimeWaitSyn::Ack { paws_reject }, _) => {
                self.emit(EventKind::SegmentArrived { id });
                self.with_tcp(sid, |t, ctx| t.time_wait_ack(true, paws_reject, ctx));
            }
        }
        true
    }

    /// Bookkeeping after a TCP socket handled something: queue moves for listeners' children,
    /// the demultiplexing table when a connection closes.
    fn after_tcp(&mut self, sid: SocketId, before: Option<TcpState>) {
        let Some(t) = self.tcp(sid) else { return };
        let (state, parent, local, remote) = (t.state, t.parent, t.local, t.remote);
        if Some(state) == before {
            return;
        }
        if let Some(lid) = parent {
            let mut changed = false;
            if let Some(l) = self.listener_mut(lid) {
                if let Some(pos) = l.syn_queue.iter().position(|&c| c == sid) {
                    if state != TcpState::SynReceived {
                        l.syn_queue.remove(pos);
                        changed = true;
                        if state != TcpState::Closed {
                            l.accept_queue.push_back(sid);
                        }
                    }
                }
            }
            if changed {
                self.report_listener(lid);
            }
        }
        if state == TcpState::Closed {
            if let Some(r) = remote {
                if self.conns.get(&(local, r)) == Some(&sid) {
                    self.conns.remove(&(local, r));
                }
            }
        }
    }

    fn udp_arrival(&mut self, id: SegmentId, seg: &Segment, multicast: bool) {
        let targets: Vec<SocketId> = match self.udp_binds.get(&seg.dst) {
            Some(v) if multicast => v
                .iter()
                .copied()
                .filter(|s| self.groups.values().any(|g| g.binary_search(s).is_ok()))
                .collect(),
            // Unicast to a shared port with SO_REUSEPORT on every socket: one of them by a
            // hash of the addresses and ports (`udp4_lib_lookup2` → `reuseport_select_sock`).
            Some(v) if v.len() > 1 && v.iter().all(|&s| self.udp_reuse_port(s)) => {
                vec![v[self.reuseport_member(seg, v)]]
            }
            // With SO_REUSEADDR only, Linux hands it to one socket (the last bound).
            Some(v) => v.last().copied().into_iter().collect(),
            None => Vec::new(),
        };
        if targets.is_empty() {
            self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::NoSocket,
            });
            // RFC 1122 §3.2.2.1 ("SHOULD"), Linux `__udp4_lib_rcv`: a unicast datagram for a
            // port nobody has bound is answered with an ICMP port unreachable; a multicast
            // one never is (RFC 1122 §3.2.2).
            if !multicast && self.icmp_allowed(seg.dst.host, seg.src.host) {
                self.send_port_unreachable(seg);
            }
            return;
        }
        let mut delivered = Vec::new();
        let mtu = self.link(seg.src.host, seg.dst.host).mtu;
        for sid in targets {
            let pad = self.sp(sid).udp_skb_pad;
            if let Some(Sock::Udp(u)) = self.socks.get_mut(sid.0 as usize) {
                let ok = u.deliver(Datagram {
                    from: seg.src,
                    len: seg.payload_len,
                    payload: seg.payload.clone(),
                    truesize: crate::udp::datagram_truesize(seg.wire_len, mtu, pad),
                });
                if ok {
                    delivered.push((sid, u.queued_bytes, u.recv_cap));
                }
            }
        }
        if delivered.is_empty() {
            self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::ReceiveBufferFull,
            });
            // `__udp_queue_rcv_skb`: UDP_MIB_RCVBUFERRORS (and InErrors).
            return self.bump(seg.dst.host, "RcvbufErrors");
        }
        self.emit(EventKind::SegmentArrived { id });
        for (sid, len, cap) in delivered {
            self.emit(EventKind::QueueChanged {
                socket: sid,
                queue: QueueKind::Datagrams,
                len,
                cap,
            });
        }
    }
}

impl Sim {
    /// Whether `host` may send an ICMP error to `peer` now (`icmpv4_xrlim_allow` →
    /// `inet_peer_xrlim_allow`): tokens grow with time up to 6 intervals, a message costs
    /// one interval; a new peer starts with a full bucket (`inet_getpeer` sets `rate_last`
    /// 60 s back). Loopback (a host to itself) and an interval of 0 are never limited.
    /// Counted in jiffies as the kernel counts them (`token += jiffies - rate_last`, the
    /// interval `msecs_to_jiffies(icmp_ratelimit)`, rounded up by `proc_dointvec_ms_jiffies`:
    /// 50 ms is 13 jiffies at HZ 250); a profile without the wheel counts µs.
    fn icmp_allowed(&mut self, host: HostId, peer: HostId) -> bool {
        use crate::tcp::wheel::{jiffies, jiffy_unit};
        const XRLIM_BURST_FACTOR: u64 = 6;
        let p = &self.profiles[self.host_prof[host.0 as usize] as usize];
        if host == peer || p.icmp_ratelimit_us == 0 {
            return true;
        }
        let interval = p.icmp_ratelimit_us.div_ceil(jiffy_unit(p));
        let now = jiffies(self.now, p);
        let (last, tokens) = self
            .icmp_tokens
            .get(&(host, peer))
            .copied()
            // A new peer: 60 s of tokens, capped below.
            .unwrap_or((now, 60_000_000 / jiffy_unit(p)));
        let mut tokens = tokens
            .saturating_add(now - last)
            .min(XRLIM_BURST_FACTOR * interval);
        let allowed = tokens >= interval;
        if allowed {
            tokens -= interval;
        }
        self.icmp_tokens.insert((host, peer), (now, tokens));
        allowed
    }

    /// Answers `seg` (a UDP datagram nobody receives) with destination unreachable / port
    /// unreachable, from its destination to its source. The ICMP packet quotes the datagram's
    /// IP header and data as far as 576 bytes allow (`icmp_send`: `room` = 576 − 20 − 8).
    fn send_port_unreachable(&mut self, seg: &Segment) {
        use crate::tcp::socket::IP_HEADER;
        use crate::trace::IcmpHeader;
        const ICMP_HEADER: u32 = 8;
        let quoted = seg.wire_len.min(576 - IP_HEADER - ICMP_HEADER);
        let icmp = Segment {
            src: seg.dst,
            dst: seg.src,
            header: Header::Icmp(IcmpHeader::port_unreachable()),
            payload_len: 0,
            payload: Vec::new(),
            wire_len: IP_HEADER + ICMP_HEADER + quoted,
            retransmission: 0,
            network_duplicate: false,
        };
        self.put_on_wire(icmp, false);
    }

    /// An ICMP port unreachable reached the datagram's sender. Linux (`__udp4_lib_err`)
    /// reports it only to a connect()ed socket whose peer is the quoted destination (without
    /// IP_RECVERR): `sk_err` = ECONNREFUSED, returned once by the socket's next send() or
    /// recv() (`sock_error`), which also wakes a recv() that waits. An unconnected socket
    /// never hears of it.
    fn icmp_arrival(&mut self, id: SegmentId, seg: &Segment) {
        self.emit(EventKind::SegmentArrived { id });
        let Some(sid) = self.udp_binds.get(&seg.dst).and_then(|v| v.last().copied()) else {
            return;
        };
        if let Some(Sock::Udp(u)) = self.socks.get_mut(sid.0 as usize) {
            if u.remote == Some(seg.src) && !u.closed {
                u.error = Some("ECONNREFUSED");
                self.emit(EventKind::SocketError {
                    socket: sid,
                    errno: "ECONNREFUSED".into(),
                });
            }
        }
    }
}

/// Simulated microseconds as seconds with three decimals ("1.250"), rounded to the nearest
/// millisecond like `{:.3}` of an `f64`, but in integer arithmetic: core's float formatting
/// would be several kilobytes of every web build, which links `advance` (and so these messages).
fn seconds_text(us: Micros) -> String {
    let ms = us.saturating_add(500) / 1000;
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Which of `n` SO_REUSEPORT sockets gets this segment (a new connection's SYN, a datagram).
/// Linux hashes the 4-tuple with a secret drawn at boot (`inet_ehashfn`, `udp_ehashfn`) and
/// scales it to the group (`reuseport_select_sock` → `reciprocal_scale`), so one flow always
/// reaches one socket but which one differs from boot to boot. The model uses the same
/// scaling over a fixed hash, so a run is repeatable: FNV-1a of the addresses and ports, then
/// MurmurHash3's finaliser, because the scaling reads the top bits, which FNV alone barely
/// changes between neighbouring ports (the jhash Linux uses mixes them fully).
fn reuseport_pick(seg: &Segment, n: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in [seg.src.host.0, seg.src.port, seg.dst.host.0, seg.dst.port]
        .iter()
        .flat_map(|x| x.to_be_bytes())
    {
        h = (h ^ b as u32).wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    ((h as u64 * n as u64) >> 32) as usize
}

/// The trace's record of a socket that runs no TCP (a scripted peer's end, a flood's source):
/// a viewer shows it as a script rather than as a CLOSED socket.
fn scripted_info(
    id: SocketId,
    host: HostId,
    local_port: u16,
    remote: Option<Addr>,
    label: &str,
) -> SocketInfo {
    SocketInfo {
        id,
        host,
        proto: Proto::Tcp,
        local_port,
        remote,
        listener: false,
        parent: None,
        created_us: 0,
        scripted: true,
        label: label.to_string(),
    }
}

#[cfg(test)]
mod seconds_text_tests {
    use super::seconds_text;

    #[test]
    fn simulated_time_in_budget_messages_reads_like_three_decimals_of_a_float() {
        assert_eq!(seconds_text(0), "0.000");
        assert_eq!(seconds_text(1_250_000), "1.250");
        assert_eq!(seconds_text(1_249_499), "1.249");
        assert_eq!(seconds_text(1_249_500), "1.250");
        assert_eq!(seconds_text(999_999_500), "1000.000");
        assert_eq!(
            seconds_text(u64::MAX),
            format!("{}.{:03}", u64::MAX / 1_000_000, (u64::MAX / 1000) % 1000)
        );
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    fn popped(p: &Profile) -> Vec<&'static str> {
        let mut heap = BinaryHeap::new();
        let timer = What::Timer(SocketId(1), TimerKind::DelayedAck, 2_000);
        let arrival = What::App(0);
        for (order, what) in [(1, arrival), (2, timer)] {
            let rank = Scheduled::rank_of(&what, Some(p));
            heap.push(Scheduled {
                t: 2_000,
                rank,
                order,
                what,
            });
        }
        std::iter::from_fn(|| heap.pop())
            .map(|s| match s.what {
                What::Timer(..) => "timer",
                _ => "other",
            })
            .collect()
    }

    #[test]
    fn at_one_instant_a_timer_on_a_known_tick_goes_first_and_one_at_its_due_time_last() {
        // Ticks known: the timer fires on the kernel's tick, where anything the model
        // delivers at that instant comes a little later on a real host.
        let known = Profile {
            timer_wheel_origin_us: Some(1_000 * 4_000 + 252),
            ..Profile::linux()
        };
        assert_eq!(popped(&known), ["timer", "other"]);
        // Ticks unknown (a bucket's mean) or no wheel (due time): a kernel timer is late.
        assert_eq!(popped(&Profile::linux()), ["other", "timer"]);
        let rfc = Profile {
            timer_wheel_origin_us: Some(1_000 * 4_000 + 252),
            ..Profile::rfc()
        };
        assert_eq!(popped(&rfc), ["other", "timer"]);
    }
}
