//! The event-driven driver: hosts, sockets, links and applications, advanced from one event
//! to the next in time order until nothing is left to happen (or a limit is hit).
//!
//! quinn-proto style: every input is a `handle_*` call with `now`, every output goes into
//! vectors the driver drains (`flush`); timers are data (deadlines in the sockets) mirrored by
//! entries in one priority queue, where stale entries are skipped when they come up.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::app::{AppRun, Blocked};
use crate::net::faults::CompiledRule;
use crate::net::link::{Fate, Link};
use crate::profile::{BacklogModel, Profile, SynDropRule};
use crate::rng::Rng;
use crate::scenario::{Action, FaultAction, Limits, LinkSpec, Scenario, ScenarioError};
use crate::tcp::listener::Listener;
use crate::tcp::socket::{RecvOutcome, IP_HEADER};
use crate::tcp::{timer_index, TcpSocket};
use crate::trace::{
    Addr, AppCall, AppCallKind, AppResult, CutReason, CutShort, DropReason, Event, EventKind,
    Header, Host, HostId, MessageId, MessageInfo, Micros, Origin, PayloadSpan, Proto, QueueKind,
    Segment, SegmentId, SocketId, SocketInfo, TcpHeader, TcpState, TimerKind, Trace, UdpHeader,
    TRACE_FORMAT_VERSION,
};
use crate::udp::{Datagram, UdpSocket, UDP_HEADER};
use crate::vecmap::VecMap;

/// What a socket's code gets to talk to the world: the time, the profile, randomness, and
/// the output vectors.
pub struct Ctx<'a> {
    pub now: Micros,
    pub p: &'a Profile,
    pub rng: &'a mut Rng,
    pub out: &'a mut Vec<Event>,
    pub tx: &'a mut Vec<Segment>,
    pub timers: &'a mut Vec<(SocketId, TimerKind, Micros)>,
}

impl Ctx<'_> {
    #[inline]
    pub fn emit(&mut self, kind: EventKind) {
        self.out.push(Event { t: self.now, kind });
    }
}

enum Sock {
    Tcp(Box<TcpSocket>),
    Udp(Box<UdpSocket>),
}

enum What {
    /// A segment reaches its destination. It is not copied into the queue: it stays in its
    /// `SegmentSent` event (that index into the trace), which the arrival borrows back.
    Arrive(SegmentId, usize, bool),
    Lost(SegmentId, DropReason),
    Timer(SocketId, TimerKind, Micros),
    App(usize),
}

struct Scheduled {
    t: Micros,
    order: u64,
    what: What,
}

impl PartialEq for Scheduled {
    fn eq(&self, o: &Self) -> bool {
        self.t == o.t && self.order == o.order
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scheduled {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (then first-scheduled).
    fn cmp(&self, o: &Self) -> Ordering {
        (o.t, o.order).cmp(&(self.t, self.order))
    }
}

struct HostRt {
    counters: VecMap<String, u64>,
    next_port: u16,
}

pub struct Sim {
    now: Micros,
    p: Profile,
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
    hosts: Vec<Host>,
    host_rt: Vec<HostRt>,
    socks: Vec<Sock>,
    infos: Vec<SocketInfo>,
    // Ordered maps as sorted `Vec`s (`VecMap`), not `BTreeMap`s: each B-tree type costs the web
    // app's first load 1.5-2 KB gzipped of code, and these maps are small (see crate::vecmap).
    labels: VecMap<String, SocketId>,
    conns: VecMap<(Addr, Addr), SocketId>,
    listeners: VecMap<Addr, SocketId>,
    udp_binds: VecMap<Addr, Vec<SocketId>>,
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
    ($s:ident) => {
        Ctx {
            now: $s.now,
            p: &$s.p,
            rng: &mut $s.rng,
            out: &mut $s.out,
            tx: &mut $s.tx,
            timers: &mut $s.new_timers,
        }
    };
}

impl Sim {
    pub fn new(s: &Scenario) -> Result<Sim, ScenarioError> {
        s.validate()?;
        let p = s.profile.profile().with(&s.tuning);
        let mut sim = Sim {
            now: 0,
            p,
            rng: Rng::fork(s.seed, 0),
            seed: s.seed,
            out: Vec::new(),
            tx: Vec::new(),
            new_timers: Vec::new(),
            tx_spare: Vec::new(),
            timers_spare: Vec::new(),
            heap: BinaryHeap::new(),
            order: 0,
            hosts: Vec::new(),
            host_rt: Vec::new(),
            socks: Vec::new(),
            infos: Vec::new(),
            labels: VecMap::new(),
            conns: VecMap::new(),
            listeners: VecMap::new(),
            udp_binds: VecMap::new(),
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
        };
        if s.hosts.is_empty() {
            return Err(ScenarioError::Invalid(
                "a scenario needs at least one host".into(),
            ));
        }
        if s.hosts.len() > u16::MAX as usize {
            return Err(ScenarioError::Invalid("too many hosts".into()));
        }
        for (i, h) in s.hosts.iter().enumerate() {
            if sim.hosts.iter().any(|o| o.name == h.name) {
                return Err(ScenarioError::Invalid(format!(
                    "two hosts are called \"{}\"",
                    h.name
                )));
            }
            sim.hosts.push(Host {
                id: HostId(i as u16),
                name: h.name.clone(),
                addr: h.addr.clone(),
            });
            sim.host_rt.push(HostRt {
                counters: VecMap::new(),
                next_port: 40_000,
            });
        }
        for d in &s.network.directions {
            let k = (sim.host(&d.from)?, sim.host(&d.to)?);
            sim.link_overrides.insert(k, d.link.clone());
        }
        for r in &s.faults {
            let from = r.from.as_deref().map(|h| sim.host(h)).transpose()?;
            let to = r.to.as_deref().map(|h| sim.host(h)).transpose()?;
            sim.faults.push(CompiledRule::new(r, from, to));
        }
        for g in &s.groups {
            sim.groups.insert(g.name.clone(), Vec::new());
        }
        for spec in &s.sockets {
            let host = sim.host(&spec.host)?;
            if sim.labels.contains_key(&spec.label) {
                return Err(ScenarioError::Invalid(format!(
                    "two sockets are labelled \"{}\"",
                    spec.label
                )));
            }
            let port = if spec.port == 0 {
                sim.ephemeral(host)
            } else {
                spec.port
            };
            let local = Addr { host, port };
            let id = SocketId(sim.socks.len() as u16);
            let sock = match spec.proto {
                Proto::Tcp => {
                    let ctx = ctx!(sim);
                    let mut t = TcpSocket::new(id, local, &ctx);
                    if let Some(b) = spec.recv_buffer {
                        t.rcv_cap = b.max(1);
                        t.rcvbuf_locked = true;
                    }
                    if let Some(b) = spec.send_buffer {
                        t.send_cap = b.max(1);
                    }
                    t.nodelay = spec.no_delay;
                    Sock::Tcp(Box::new(t))
                }
                Proto::Udp => {
                    let taken = sim.udp_binds.get(&local).is_some_and(|v| !v.is_empty());
                    if taken && !spec.reuse_addr {
                        return Err(ScenarioError::Invalid(format!(
                            "port {port} on {} is taken (set reuse_addr for SO_REUSEADDR)",
                            spec.host
                        )));
                    }
                    sim.udp_binds.entry(local).or_default().push(id);
                    for g in &spec.join {
                        let members = sim
                            .groups
                            .get_mut(g)
                            .ok_or_else(|| ScenarioError::UnknownGroup(g.clone()))?;
                        if let Err(at) = members.binary_search(&id) {
                            members.insert(at, id);
                        }
                    }
                    let cap = spec.recv_buffer.unwrap_or(sim.p.udp_recv_buffer);
                    Sock::Udp(Box::new(UdpSocket::new(id, local, cap)))
                }
            };
            sim.socks.push(sock);
            sim.labels.insert(spec.label.clone(), id);
            sim.infos.push(SocketInfo {
                id,
                host,
                proto: spec.proto,
                local_port: port,
                remote: None,
                listener: false,
                parent: None,
                created_us: 0,
                label: spec.label.clone(),
            });
        }
        for script in &s.apps {
            let socket = sim.label(&script.socket)?;
            for st in &script.steps {
                if let Some(on) = &st.on {
                    // Labels of accepted connections are only known at run time.
                    let accepted = script
                        .steps
                        .iter()
                        .any(|x| matches!(&x.action, Action::Accept { label: Some(l) } if l == on));
                    if !accepted {
                        sim.label(on)?;
                    }
                }
            }
            sim.apps.push(AppRun {
                steps: script.steps.clone(),
                pc: 0,
                socket,
                blocked: None,
                scheduled: false,
            });
        }
        for i in 0..sim.apps.len() {
            sim.schedule_step(i, 0);
        }
        Ok(sim)
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

    fn ephemeral(&mut self, host: HostId) -> u16 {
        let rt = &mut self.host_rt[host.0 as usize];
        let p = rt.next_port;
        rt.next_port = rt.next_port.wrapping_add(1).max(40_000);
        p
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
        self.heap.push(Scheduled {
            t,
            order: self.order,
            what,
        });
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

    fn with_tcp<R>(
        &mut self,
        id: SocketId,
        f: impl FnOnce(&mut TcpSocket, &mut Ctx) -> R,
    ) -> Option<R> {
        let Some(Sock::Tcp(t)) = self.socks.get_mut(id.0 as usize) else {
            return None;
        };
        let mut ctx = ctx!(self);
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
                return RunState::Done;
            };
            if next_t > self.limits.max_time_us {
                // Stopped by the time limit: the run lasted exactly that long.
                self.now = self.limits.max_time_us;
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
            }
            self.flush();
        }
        if self.heap.is_empty() {
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

    fn link(&mut self, from: HostId, to: HostId) -> &mut Link {
        let seed = self.seed;
        let spec = self
            .link_overrides
            .get(&(from, to))
            .unwrap_or(&self.link_default);
        self.links.entry((from, to)).or_insert_with(|| {
            let stream = 1 + ((from.0 as u64) << 16 | to.0 as u64);
            Link::new(spec, Rng::fork(seed, stream))
        })
    }

    fn put_on_wire(&mut self, seg: Segment, multicast: bool) {
        let id = SegmentId(self.next_seg);
        self.next_seg += 1;
        let now = self.now;
        let mut extra = 0;
        let mut drop_rule = None;
        let mut dup = false;
        for (i, r) in self.faults.iter_mut().enumerate() {
            if r.check(&seg, now) {
                match r.action {
                    FaultAction::Drop => {
                        drop_rule.get_or_insert(i as u32);
                    }
                    FaultAction::Delay { by_us } => extra += by_us,
                    FaultAction::Duplicate => dup = true,
                }
            }
        }
        let is_tcp = matches!(seg.header, Header::Tcp(_));
        // UDP datagrams above the MTU would be fragmented by IP; only TCP is held to it.
        let wire_len = seg.wire_len;
        let (src, dst) = (seg.src.host, seg.dst.host);
        // The trace owns the segment from here on; in flight it is known by its event index.
        let sent = self.out.len();
        self.emit(EventKind::SegmentSent { id, segment: seg });
        let link = self.link(src, dst);
        if let Some(rule) = drop_rule {
            let at = now + (link.latency_us + extra) / 2;
            self.push(at, What::Lost(id, DropReason::Fault { rule }));
            return;
        }
        let wire = if is_tcp {
            wire_len
        } else {
            wire_len.min(link.mtu)
        };
        match link.transmit(now, wire, extra) {
            Fate::TooBig => self.push(now, What::Lost(id, DropReason::Mtu)),
            Fate::Lost { at } => self.push(at, What::Lost(id, DropReason::LinkLoss)),
            Fate::Arrive { at, duplicate_at } => {
                self.push(at, What::Arrive(id, sent, multicast));
                if duplicate_at.is_some() || dup {
                    let mut c = match &self.out[sent].kind {
                        EventKind::SegmentSent { segment, .. } => segment.clone(),
                        _ => unreachable!("`sent` indexes the SegmentSent event above"),
                    };
                    c.network_duplicate = true;
                    let did = SegmentId(self.next_seg);
                    self.next_seg += 1;
                    let dup_sent = self.out.len();
                    self.emit(EventKind::SegmentSent {
                        id: did,
                        segment: c,
                    });
                    self.push(
                        duplicate_at.unwrap_or(at + 1),
                        What::Arrive(did, dup_sent, multicast),
                    );
                }
            }
        }
    }

    /// Moves the segment of the `SegmentSent` event at `sent` out of the trace while its
    /// arrival is handled (the receiver only reads it); [`Sim::put_back_sent`] returns it.
    /// This spares a copy (and, for data, an allocation) of every segment sent.
    fn take_sent(&mut self, sent: usize) -> Segment {
        match &mut self.out[sent].kind {
            EventKind::SegmentSent { segment, .. } => std::mem::replace(segment, placeholder()),
            _ => unreachable!("What::Arrive always indexes a SegmentSent event"),
        }
    }

    fn put_back_sent(&mut self, sent: usize, seg: Segment) {
        if let EventKind::SegmentSent { segment, .. } = &mut self.out[sent].kind {
            *segment = seg;
        }
    }

    fn handle_timer(&mut self, sid: SocketId, kind: TimerKind, deadline: Micros) {
        let live = self
            .tcp(sid)
            .is_some_and(|t| t.timers[timer_index(kind)] == Some(deadline));
        if !live {
            return; // re-armed or cancelled since
        }
        if kind == TimerKind::Retransmit {
            let limit = self.synack_retries_limit(sid);
            if let Some(t) = self.tcp(sid) {
                t.synack_retries_limit = limit;
            }
        }
        let before = self.tcp(sid).map(|t| t.state);
        self.with_tcp(sid, |t, ctx| t.on_timer(kind, ctx));
        self.after_tcp(sid, before);
    }

    /// Linux `reqsk_timer_handler`: when more than half of max(8, backlog) requests are
    /// waiting, old requests (whose SYN-ACK already timed out) get fewer SYN-ACK retries,
    /// down to 2, so that they make room for young ones. `None` for anything but a request.
    fn synack_retries_limit(&self, sid: SocketId) -> Option<u32> {
        let Some(Sock::Tcp(t)) = self.socks.get(sid.0 as usize) else {
            return None;
        };
        let lid = t.parent?;
        if t.state != TcpState::SynReceived {
            return None;
        }
        let l = self.listener(lid)?;
        let qlen = l.syn_queue.len() as u32;
        let young = l
            .syn_queue
            .iter()
            .filter(
                |c| matches!(self.socks.get(c.0 as usize), Some(Sock::Tcp(t)) if t.timeouts() == 0),
            )
            .count() as u32;
        let mut max = self.p.synack_retries;
        if (qlen << 1) > l.max_ack_backlog(self.p.somaxconn).max(8) {
            let mut y = young << 1;
            while max > 2 {
                if qlen < y {
                    break;
                }
                max -= 1;
                y <<= 1;
            }
        }
        Some(max)
    }

    // ------------------------------------------------------------------ arrivals

    fn handle_arrival(&mut self, id: SegmentId, seg: &Segment, multicast: bool) {
        match seg.header {
            Header::Tcp(_) => self.tcp_arrival(id, seg),
            Header::Udp(_) => self.udp_arrival(id, seg, multicast),
        }
    }

    fn tcp_arrival(&mut self, id: SegmentId, seg: &Segment) {
        let Header::Tcp(h) = &seg.header else { return };
        let h = h.clone();
        if let Some(&sid) = self.conns.get(&(seg.dst, seg.src)) {
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
                let two_queues = self.p.backlog_model == BacklogModel::TwoQueues;
                let full = self
                    .listener(lid)
                    .is_some_and(|l| l.accept_queue_full(self.p.somaxconn));
                if completes && two_queues && full {
                    let host = seg.dst.host;
                    self.bump(host, "ListenOverflows");
                    self.bump(host, "ListenDrops");
                    if self.p.abort_on_overflow {
                        // `tcp_check_req` → embryonic_reset: `send_reset` in reply to the
                        // ACK (a bare RST at its ACK number), and the request is dropped.
                        self.emit(EventKind::SegmentArrived { id });
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
        if let Some(&lid) = self.listeners.get(&seg.dst) {
            return self.listener_segment(lid, id, seg);
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

    fn listener(&self, lid: SocketId) -> Option<&Listener> {
        match self.socks.get(lid.0 as usize) {
            Some(Sock::Tcp(t)) => t.listen.as_deref(),
            _ => None,
        }
    }

    fn listener_mut(&mut self, lid: SocketId) -> Option<&mut Listener> {
        match self.socks.get_mut(lid.0 as usize) {
            Some(Sock::Tcp(t)) => t.listen.as_deref_mut(),
            _ => None,
        }
    }

    fn report_listener(&mut self, lid: SocketId) {
        let somax = self.p.somaxconn;
        let bsd = self.p.backlog_model == BacklogModel::BsdSingleQueue;
        let Some(l) = self.listener(lid) else { return };
        let (sq, aq) = (l.syn_queue.len() as u32, l.accept_queue.len() as u32);
        let acap = if bsd {
            l.max_ack_backlog(somax).max(1)
        } else {
            l.accept_queue_cap(somax)
        };
        let scap = if bsd {
            acap
        } else {
            l.syn_queue_cap(somax, &self.p)
        };
        self.emit(EventKind::QueueChanged {
            socket: lid,
            queue: QueueKind::SynQueue,
            len: sq,
            cap: scap,
        });
        self.emit(EventKind::QueueChanged {
            socket: lid,
            queue: QueueKind::AcceptQueue,
            len: aq,
            cap: acap,
        });
    }

    /// A segment for a listening socket with no connection yet (RFC 9293 §3.10.7.2, and
    /// Linux `tcp_conn_request` for the queue rules).
    fn listener_segment(&mut self, lid: SocketId, id: SegmentId, seg: &Segment) {
        let Header::Tcp(h) = &seg.header else { return };
        let h = h.clone();
        let host = seg.dst.host;
        if h.flags.rst {
            return self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::Other {
                    why: "RST for a listener: ignored".into(),
                },
            });
        }
        if h.flags.ack && !h.flags.syn {
            let iss = h.ack.wrapping_sub(1);
            // A cookie is stateless in Linux (`cookie_v4_check` recomputes it), so an ACK
            // dropped for a full accept queue leaves it valid for the peer's retransmission:
            // the model forgets it only once a connection is made from it.
            let cookie = self.p.syncookies
                && self
                    .listener(lid)
                    .is_some_and(|l| l.has_cookie(seg.src, iss));
            if cookie {
                if self
                    .listener(lid)
                    .is_some_and(|l| l.accept_queue_full(self.p.somaxconn))
                {
                    self.bump(host, "ListenOverflows");
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::AcceptQueueFull,
                    });
                }
                let Some(syn) = self
                    .listener_mut(lid)
                    .and_then(|l| l.take_cookie(seg.src, iss))
                else {
                    return;
                };
                self.emit(EventKind::SegmentArrived { id });
                self.bump(host, "SyncookiesRecv");
                let child = self.new_child(lid, seg);
                self.with_tcp(child, |t, ctx| t.accept_cookie(seg, &syn, iss, ctx));
                if let Some(l) = self.listener_mut(lid) {
                    l.accept_queue.push_back(child);
                }
                self.report_listener(lid);
                return;
            }
            // An ACK for no connection: the half-open case ends here with a RST.
            self.emit(EventKind::SegmentArrived { id });
            if let Some(rst) = TcpSocket::reset_for(seg) {
                self.tx.push(rst);
            }
            return;
        }
        if !h.flags.syn {
            return self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::Other {
                    why: "no SYN or ACK for a listener".into(),
                },
            });
        }
        let somax = self.p.somaxconn;
        let Some(l) = self.listener(lid) else { return };
        let young = l
            .syn_queue
            .iter()
            .filter(
                |c| matches!(self.socks.get(c.0 as usize), Some(Sock::Tcp(t)) if t.timeouts() == 0),
            )
            .count();
        let req_full = l.reqsk_queue_full(somax);
        let early_drop = l.syn_backlog_early_drop(self.p.max_syn_backlog);
        let acc_full = l.accept_queue_full(somax);
        let bsd_full =
            (l.syn_queue.len() + l.accept_queue.len()) as u32 >= l.max_ack_backlog(somax).max(1);
        match self.p.backlog_model {
            BacklogModel::BsdSingleQueue => {
                if bsd_full {
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::BacklogFull,
                    });
                }
            }
            BacklogModel::TwoQueues => {
                // Linux `tcp_conn_request`, in its order. First the request queue: it is
                // full when it holds more than the listen backlog (not tcp_max_syn_backlog);
                // with tcp_syncookies = 2 every SYN gets a cookie.
                let syncookies = self.p.syncookies;
                let mut want_cookie = false;
                if (syncookies && self.p.syncookies_always) || req_full {
                    // `tcp_syn_flood_action`
                    if !syncookies {
                        self.bump(host, "TCPReqQFullDrop");
                        self.bump(host, "ListenDrops");
                        return self.emit(EventKind::SegmentDropped {
                            id,
                            reason: DropReason::SynQueueFull,
                        });
                    }
                    self.bump(host, "TCPReqQFullDoCookies");
                    want_cookie = true;
                }
                // Then the accept queue (`sk_acceptq_is_full`), cookie or not.
                let drop = acc_full
                    && match self.p.syn_drop_rule {
                        SynDropRule::WhenAcceptQueueFull => true,
                        SynDropRule::WhenFullAndYoungRequests => young > 1,
                    };
                if drop {
                    self.bump(host, "ListenOverflows");
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::SynAcceptQueueFull,
                    });
                }
                if want_cookie {
                    self.emit(EventKind::SegmentArrived { id });
                    self.bump(host, "SyncookiesSent");
                    let mtu = self.link(seg.dst.host, seg.src.host).mtu;
                    let synack = self.cookie_syn_ack(lid, seg, &h, mtu);
                    if let (Some(l), Header::Tcp(sa)) = (self.listener_mut(lid), &synack.header) {
                        l.add_cookie(seg.src, sa.seq, h.clone());
                    }
                    self.tx.push(synack);
                    return;
                }
                // Without syncookies the last quarter of tcp_max_syn_backlog is kept for
                // peers "proven to be alive" (a cached tcp_metrics RTT, which the model never
                // has): `max_syn_backlog - qlen < max_syn_backlog >> 2` drops the SYN.
                if !syncookies && early_drop {
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::SynQueueFull,
                    });
                }
            }
        }
        self.emit(EventKind::SegmentArrived { id });
        let child = self.new_child(lid, seg);
        if let Some(l) = self.listener_mut(lid) {
            l.syn_queue.push(child);
        }
        self.report_listener(lid);
        self.with_tcp(child, |t, ctx| t.accept_syn(seg, ctx));
        self.after_tcp(child, Some(TcpState::SynReceived));
    }

    /// A SYN-ACK from a listener in cookie mode, keeping no request. It is the SYN-ACK a
    /// request would have sent (built by a socket that is thrown away): with timestamps the
    /// cookie keeps SACK and the window scale in them (`cookie_init_timestamp`), without
    /// them only the MSS survives. Measured on 6.18 with tcp_syncookies=2: "S. win=65160
    /// MSS=1460,SACKOK,TS,WS=10", and without timestamps "S. win=64240 MSS=1460".
    fn cookie_syn_ack(&mut self, lid: SocketId, seg: &Segment, h: &TcpHeader, mtu: u32) -> Segment {
        let (rcv_cap, locked) = match self.socks.get(lid.0 as usize) {
            Some(Sock::Tcp(l)) => (l.rcv_cap, l.rcvbuf_locked),
            _ => (self.p.recv_buffer, false),
        };
        let mut ctx = ctx!(self);
        let mut t = TcpSocket::new(SocketId(u16::MAX), seg.dst, &ctx);
        t.rcv_cap = rcv_cap;
        t.rcvbuf_locked = locked;
        t.set_route_mtu(mtu, ctx.p);
        t.cookie_syn_ack(seg, h, &mut ctx)
    }

    fn new_child(&mut self, lid: SocketId, seg: &Segment) -> SocketId {
        let id = SocketId(self.socks.len() as u16);
        let n = self.listener_mut(lid).map(|l| {
            l.children += 1;
            l.children
        });
        let parent_label = self.infos[lid.0 as usize].label.clone();
        let mut t = {
            let ctx = ctx!(self);
            TcpSocket::new(id, seg.dst, &ctx)
        };
        if let Some(Sock::Tcp(l)) = self.socks.get(lid.0 as usize) {
            t.rcv_cap = l.rcv_cap;
            t.rcvbuf_locked = l.rcvbuf_locked;
            t.send_cap = l.send_cap;
            t.nodelay = l.nodelay;
        }
        t.parent = Some(lid);
        let mtu = self.link(seg.dst.host, seg.src.host).mtu;
        t.set_route_mtu(mtu, &self.p);
        self.socks.push(Sock::Tcp(Box::new(t)));
        let label = format!("{parent_label} conn {}", n.unwrap_or(0));
        self.infos.push(SocketInfo {
            id,
            host: seg.dst.host,
            proto: Proto::Tcp,
            local_port: seg.dst.port,
            remote: Some(seg.src),
            listener: false,
            parent: Some(lid),
            created_us: self.now,
            label: label.clone(),
        });
        self.labels.entry(label).or_insert(id);
        self.conns.insert((seg.dst, seg.src), id);
        self.emit(EventKind::SocketCreated { socket: id });
        id
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
            // Unicast to a shared port: Linux hands it to one socket (the last bound).
            Some(v) => v.last().copied().into_iter().collect(),
            None => Vec::new(),
        };
        if targets.is_empty() {
            return self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::NoSocket,
            });
        }
        let mut delivered = Vec::new();
        for sid in targets {
            if let Some(Sock::Udp(u)) = self.socks.get_mut(sid.0 as usize) {
                let ok = u.deliver(Datagram {
                    from: seg.src,
                    len: seg.payload_len,
                    payload: seg.payload.clone(),
                });
                if ok {
                    delivered.push((sid, u.queued_bytes, u.recv_cap));
                }
            }
        }
        if delivered.is_empty() {
            return self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::ReceiveBufferFull,
            });
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

    // ------------------------------------------------------------------ applications

    fn schedule_step(&mut self, i: usize, after_prev: Micros) {
        let app = &self.apps[i];
        if app.scheduled || app.blocked.is_some() {
            return;
        }
        let Some(step) = app.steps.get(app.pc) else {
            return;
        };
        let mut t = self.now.max(after_prev);
        if let Some(a) = step.at_us {
            t = t.max(a);
        }
        if let Some(d) = step.after_us {
            t = t.max(self.now + d);
        }
        self.apps[i].scheduled = true;
        self.push(t, What::App(i));
    }

    fn app_return(&mut self, i: usize, call: AppCallKind, result: AppResult) {
        let socket = self.apps[i].socket;
        // A program whose connect() failed has nothing left to do with that socket.
        let give_up = call == AppCallKind::Connect && matches!(result, AppResult::Error { .. });
        self.emit(EventKind::AppReturn {
            socket,
            call,
            result,
        });
        self.apps[i].blocked = None;
        self.apps[i].pc += 1;
        if give_up {
            self.apps[i].pc = self.apps[i].steps.len();
        }
        self.schedule_step(i, self.now);
    }

    fn new_message(
        &mut self,
        socket: SocketId,
        label: Option<&String>,
        len: u32,
        content: Option<crate::trace::MessageContent>,
    ) -> MessageId {
        let id = MessageId(self.messages.len() as u32);
        let label = match label {
            Some(l) => l.clone(),
            None => format!("{} #{}", self.infos[socket.0 as usize].label, id.0),
        };
        self.messages.push(MessageInfo {
            id,
            socket,
            label,
            len,
            content,
        });
        id
    }

    fn run_step(&mut self, i: usize) {
        let Some(step) = self.apps[i].steps.get(self.apps[i].pc).cloned() else {
            return;
        };
        if let Some(on) = &step.on {
            match self.labels.get(on) {
                Some(&sid) => self.apps[i].socket = sid,
                None => {
                    // An accepted connection that never came: skip the step.
                    self.apps[i].pc += 1;
                    return self.schedule_step(i, self.now);
                }
            }
        }
        let sid = self.apps[i].socket;
        let is_tcp = matches!(self.socks[sid.0 as usize], Sock::Tcp(_));
        match step.action {
            Action::Connect { to } => {
                let Ok(to) = self.parse_addr(&to) else {
                    return self.app_return(i, AppCallKind::Connect, errno("EINVAL"));
                };
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: AppCall::Connect { to },
                });
                self.infos[sid.0 as usize].remote = Some(to);
                if is_tcp {
                    let Some(t) = self.tcp(sid) else { return };
                    if t.state != TcpState::Closed || t.listen.is_some() {
                        return self.app_return(i, AppCallKind::Connect, errno("EISCONN"));
                    }
                    let local = t.local;
                    self.conns.insert((local, to), sid);
                    let mtu = self.link(local.host, to.host).mtu;
                    self.with_tcp(sid, |t, ctx| {
                        t.set_route_mtu(mtu, ctx.p);
                        t.connect(to, ctx)
                    });
                    self.apps[i].blocked = Some(Blocked::Connect);
                    self.try_complete(i);
                } else {
                    if let Sock::Udp(u) = &mut self.socks[sid.0 as usize] {
                        u.remote = Some(to);
                    }
                    self.app_return(i, AppCallKind::Connect, AppResult::Ok);
                }
            }
            Action::Listen { backlog } => {
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: AppCall::Listen { backlog },
                });
                let ok = self
                    .tcp(sid)
                    .is_some_and(|t| t.state == TcpState::Closed && t.listen.is_none());
                if !ok {
                    return self.app_return(i, AppCallKind::Listen, errno("EINVAL"));
                }
                let local = self.tcp(sid).map(|t| t.local).unwrap_or(Addr {
                    host: HostId(0),
                    port: 0,
                });
                if self.listeners.contains_key(&local) {
                    return self.app_return(i, AppCallKind::Listen, errno("EADDRINUSE"));
                }
                self.listeners.insert(local, sid);
                self.infos[sid.0 as usize].listener = true;
                self.with_tcp(sid, |t, ctx| {
                    t.listen = Some(Box::new(Listener {
                        backlog,
                        ..Listener::default()
                    }));
                    t.set_state(TcpState::Listen, ctx);
                });
                self.report_listener(sid);
                self.app_return(i, AppCallKind::Listen, AppResult::Ok);
            }
            Action::Accept { label } => {
                // accept() after an accept(): the script means the listener again.
                let sid = match self.infos[sid.0 as usize].parent {
                    Some(p) if self.listener(sid).is_none() => {
                        self.apps[i].socket = p;
                        p
                    }
                    _ => sid,
                };
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: AppCall::Accept,
                });
                if self.listener(sid).is_none() {
                    return self.app_return(i, AppCallKind::Accept, errno("EINVAL"));
                }
                self.apps[i].blocked = Some(Blocked::Accept { label });
                self.try_complete(i);
            }
            Action::Send {
                len,
                message,
                content,
            } => {
                let m = self.new_message(sid, message.as_ref(), len, content);
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: AppCall::Send {
                        len,
                        message: Some(m),
                    },
                });
                let span = PayloadSpan {
                    message: m,
                    start: 0,
                    end: len,
                };
                if is_tcp {
                    self.apps[i].blocked = Some(Blocked::Send {
                        rest: vec![span],
                        total: len,
                    });
                    self.try_complete(i);
                } else {
                    let to = match &self.socks[sid.0 as usize] {
                        Sock::Udp(u) => u.remote,
                        _ => None,
                    };
                    match to {
                        Some(to) => {
                            self.send_datagram(sid, to, span, false);
                            self.app_return(i, AppCallKind::Send, AppResult::Ok);
                        }
                        None => self.app_return(i, AppCallKind::Send, errno("EDESTADDRREQ")),
                    }
                }
            }
            Action::SendTo { to, len, message } => {
                let m = self.new_message(sid, message.as_ref(), len, None);
                let span = PayloadSpan {
                    message: m,
                    start: 0,
                    end: len,
                };
                let (host, port) = to.rsplit_once(':').unwrap_or((to.as_str(), ""));
                let port: Option<u16> = port.parse().ok();
                let group = self.groups.get(host).cloned();
                match (group, port) {
                    (Some(members), Some(port)) => {
                        // One copy per member host (the model has point-to-point links). Sorted
                        // and unique like a set, built by insertion: `collect()` into a set
                        // would bring a stable sort into the web app's first load.
                        let mut hosts: Vec<HostId> = Vec::new();
                        for s in &members {
                            let h = self.infos[s.0 as usize].host;
                            if let Err(at) = hosts.binary_search(&h) {
                                hosts.insert(at, h);
                            }
                        }
                        let first = hosts.first().copied().unwrap_or(HostId(0));
                        self.emit(EventKind::AppCall {
                            socket: sid,
                            call: AppCall::SendTo {
                                to: Addr { host: first, port },
                                len,
                                message: Some(m),
                            },
                        });
                        for h in hosts {
                            self.send_datagram(sid, Addr { host: h, port }, span, true);
                        }
                        self.app_return(i, AppCallKind::SendTo, AppResult::Ok);
                    }
                    _ => match self.parse_addr(&to) {
                        Ok(addr) => {
                            self.emit(EventKind::AppCall {
                                socket: sid,
                                call: AppCall::SendTo {
                                    to: addr,
                                    len,
                                    message: Some(m),
                                },
                            });
                            self.send_datagram(sid, addr, span, false);
                            self.app_return(i, AppCallKind::SendTo, AppResult::Ok);
                        }
                        Err(_) => self.app_return(i, AppCallKind::SendTo, errno("EINVAL")),
                    },
                }
            }
            Action::Recv { max } | Action::RecvLoop { max } => {
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: AppCall::Recv { max },
                });
                let looping = matches!(step.action, Action::RecvLoop { .. });
                self.apps[i].blocked = Some(Blocked::Recv { max, looping });
                self.try_complete(i);
            }
            Action::Shutdown => {
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: AppCall::Shutdown,
                });
                let before = self.tcp(sid).map(|t| t.state);
                self.with_tcp(sid, |t, ctx| t.app_shutdown(ctx));
                self.after_tcp(sid, before);
                self.app_return(i, AppCallKind::Shutdown, AppResult::Ok);
            }
            Action::Close | Action::Abort => {
                let abort = matches!(step.action, Action::Abort);
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: if abort {
                        AppCall::Abort
                    } else {
                        AppCall::Close
                    },
                });
                let before = self.tcp(sid).map(|t| t.state);
                if self.tcp(sid).is_some_and(|t| t.listen.is_some()) {
                    self.close_listener(sid);
                } else if abort {
                    self.with_tcp(sid, |t, ctx| t.app_abort(ctx));
                } else {
                    self.with_tcp(sid, |t, ctx| t.app_close(ctx));
                }
                if let Sock::Udp(u) = &mut self.socks[sid.0 as usize] {
                    u.closed = true;
                }
                self.after_tcp(sid, before);
                let kind = if abort {
                    AppCallKind::Abort
                } else {
                    AppCallKind::Close
                };
                self.app_return(i, kind, AppResult::Ok);
            }
            Action::SetNoDelay { on } => {
                self.emit(EventKind::AppCall {
                    socket: sid,
                    call: AppCall::SetNoDelay { on },
                });
                self.with_tcp(sid, |t, ctx| {
                    t.nodelay = on;
                    // Linux: setting TCP_NODELAY pushes pending data at once.
                    t.output(ctx);
                    t.report(ctx);
                });
                self.app_return(i, AppCallKind::SetNoDelay, AppResult::Ok);
            }
        }
    }

    fn close_listener(&mut self, lid: SocketId) {
        let local = self.tcp(lid).map(|t| t.local);
        if let Some(local) = local {
            self.listeners.remove(&local);
        }
        // Pending children are reset (Linux `inet_csk_listen_stop`).
        let children: Vec<SocketId> = self
            .listener(lid)
            .map(|l| {
                l.syn_queue
                    .iter()
                    .chain(l.accept_queue.iter())
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        for c in children {
            let before = self.tcp(c).map(|t| t.state);
            self.with_tcp(c, |t, ctx| t.app_abort(ctx));
            self.after_tcp(c, before);
        }
        self.with_tcp(lid, |t, ctx| t.set_state(TcpState::Closed, ctx));
    }

    fn send_datagram(&mut self, from: SocketId, to: Addr, span: PayloadSpan, multicast: bool) {
        let local = self.infos[from.0 as usize].host;
        let port = self.infos[from.0 as usize].local_port;
        let len = span.end - span.start;
        let seg = Segment {
            src: Addr { host: local, port },
            dst: to,
            header: Header::Udp(UdpHeader {
                length: (UDP_HEADER + len).min(u16::MAX as u32) as u16,
            }),
            payload_len: len,
            payload: if len > 0 { vec![span] } else { Vec::new() },
            wire_len: IP_HEADER + UDP_HEADER + len,
            retransmission: 0,
            network_duplicate: false,
        };
        // Send now (not via tx) so that `multicast` travels with it.
        self.put_on_wire(seg, multicast);
    }

    /// Lets every blocked application try again; returns whether any progressed.
    fn poll_apps(&mut self) -> bool {
        let mut any = false;
        for i in 0..self.apps.len() {
            if self.apps[i].blocked.is_some() && self.try_complete(i) {
                any = true;
            }
        }
        any
    }

    /// Completes app `i`'s blocked call if it can; returns whether anything changed.
    fn try_complete(&mut self, i: usize) -> bool {
        let sid = self.apps[i].socket;
        let b = match &self.apps[i].blocked {
            None => return false,
            // A blocked send() is polled after every event: it works on its span list in
            // place rather than cloning it each time.
            Some(Blocked::Send { .. }) => return self.try_send(i, sid),
            Some(b) => b.clone(),
        };
        match b {
            Blocked::Connect => {
                let Some(t) = self.tcp(sid) else { return false };
                if let Some(e) = t.error {
                    self.app_return(i, AppCallKind::Connect, errno(e));
                    return true;
                }
                match t.state {
                    TcpState::SynSent | TcpState::SynReceived => false,
                    TcpState::Closed => {
                        self.app_return(i, AppCallKind::Connect, errno("ECONNREFUSED"));
                        true
                    }
                    _ => {
                        self.app_return(i, AppCallKind::Connect, AppResult::Ok);
                        true
                    }
                }
            }
            Blocked::Accept { label } => {
                let Some(child) = self
                    .listener_mut(sid)
                    .and_then(|l| l.accept_queue.pop_front())
                else {
                    return false;
                };
                self.report_listener(sid);
                if let Some(l) = label {
                    self.infos[child.0 as usize].label = l.clone();
                    self.labels.insert(l, child);
                }
                self.app_return(
                    i,
                    AppCallKind::Accept,
                    AppResult::Accepted { socket: child },
                );
                self.apps[i].socket = child;
                true
            }
            Blocked::Recv { max, looping } => {
                let out = match &mut self.socks[sid.0 as usize] {
                    Sock::Udp(u) => match u.read(max) {
                        Some(r) => Some(AppResult::Data {
                            len: r.len,
                            payload: r.payload,
                            from: Some(r.from),
                            truncated: (r.truncated > 0).then_some(r.truncated),
                        }),
                        None if u.closed => Some(errno("EBADF")),
                        None => None,
                    },
                    Sock::Tcp(_) => {
                        let r = self.with_tcp(sid, |t, ctx| t.app_recv(max, ctx));
                        match r {
                            Some(RecvOutcome::Data(spans)) => Some(AppResult::Data {
                                len: crate::tcp::buffers::spans_len(&spans),
                                payload: spans,
                                from: None,
                                truncated: None,
                            }),
                            Some(RecvOutcome::Eof) => Some(AppResult::Eof),
                            Some(RecvOutcome::Error(e)) => Some(errno(e)),
                            Some(RecvOutcome::WouldBlock) | None => None,
                        }
                    }
                };
                if let Some(Sock::Udp(u)) = self.socks.get(sid.0 as usize) {
                    if out.is_some() {
                        let (len, cap) = (u.queued_bytes, u.recv_cap);
                        self.emit(EventKind::QueueChanged {
                            socket: sid,
                            queue: QueueKind::Datagrams,
                            len,
                            cap,
                        });
                    }
                }
                match out {
                    Some(r @ AppResult::Data { .. }) if looping => {
                        // Return, then call recv() again at once (same step).
                        self.emit(EventKind::AppReturn {
                            socket: sid,
                            call: AppCallKind::Recv,
                            result: r,
                        });
                        self.emit(EventKind::AppCall {
                            socket: sid,
                            call: AppCall::Recv { max },
                        });
                        true
                    }
                    Some(r) => {
                        self.app_return(i, AppCallKind::Recv, r);
                        true
                    }
                    None => false,
                }
            }
            Blocked::Send { .. } => false, // handled by `try_send` above
        }
    }

    /// The rest of a blocked send(): as much as the send buffer takes now.
    fn try_send(&mut self, i: usize, sid: SocketId) -> bool {
        let linux_errno = self.p.linux_errno;
        let Some(t) = self.tcp(sid) else { return false };
        let e = if linux_errno { t.take_error() } else { t.error };
        if let Some(e) = e {
            self.app_return(i, AppCallKind::Send, errno(e));
            return true;
        }
        if matches!(t.state, TcpState::SynSent | TcpState::SynReceived) {
            return false; // send() on a connecting socket waits
        }
        if !t.can_send() {
            self.app_return(i, AppCallKind::Send, errno("EPIPE"));
            return true;
        }
        let space = t.send_space();
        if space == 0 {
            return false;
        }
        let Some(Blocked::Send { rest, .. }) = self.apps[i].blocked.as_mut() else {
            return false;
        };
        let mut rest = std::mem::take(rest);
        let n = space.min(crate::tcp::buffers::spans_len(&rest));
        self.with_tcp(sid, |t, ctx| t.app_send(&rest, n, ctx));
        crate::tcp::buffers::drop_front(&mut rest, n);
        if rest.is_empty() {
            self.app_return(i, AppCallKind::Send, AppResult::Ok);
        } else if let Some(Blocked::Send { rest: r, .. }) = self.apps[i].blocked.as_mut() {
            *r = rest;
        }
        true
    }
}

/// Simulated microseconds as seconds with three decimals ("1.250"), rounded to the nearest
/// millisecond like `{:.3}` of an `f64`, but in integer arithmetic: core's float formatting
/// would be several kilobytes of every web build, which links `advance` (and so these messages).
fn seconds_text(us: Micros) -> String {
    let ms = us.saturating_add(500) / 1000;
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn errno(e: &str) -> AppResult {
    AppResult::Error {
        errno: e.to_string(),
    }
}

/// Stands in for a segment in its `SegmentSent` event while the arrival handles it.
fn placeholder() -> Segment {
    let nowhere = Addr {
        host: HostId(0),
        port: 0,
    };
    Segment {
        src: nowhere,
        dst: nowhere,
        header: Header::Udp(UdpHeader { length: 0 }),
        payload_len: 0,
        payload: Vec::new(),
        wire_len: 0,
        retransmission: 0,
        network_duplicate: false,
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
