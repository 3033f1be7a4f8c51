//! Runs a model scenario (`synack_model::scenario::Scenario`) on the real kernel, so that one
//! scenario value drives both the lab's sockets and `synack_model::simulate`, and the two
//! cannot drift apart.
//!
//! The scenario's two hosts become two namespaces joined by the user-space wire (its one-way
//! delay is the scenario's `latency_us`; its scripted drops and delays are the scenario's
//! fault rules);
//! each application script runs its steps on real sockets on a thread of its own, at the
//! scenario's times, until the scenario's `limits.max_time_us`. Sysctls named in the
//! scenario's `tuning` are set in both namespaces, each with its host's own `hosts[i].tuning`
//! on top (`Scenario::host_tuning`, as the model plays it).
//!
//! What the kernel decides from the machine rather than from a sysctl (the MSS from the
//! interface MTU, the window scale from the receive buffer limits) is read at run time and
//! written into the scenario's `tuning` before the model sees it: a machine parameter of the
//! profile, not a row the comparison ignores.
//!
//! UDP sockets run too (`udp_run`): bind, connect, send, sendto, recvfrom with MSG_TRUNC,
//! poll and close on real sockets, the datagrams and the ICMP errors they draw through the
//! same wire.
//!
//! Anything the lab cannot reproduce (multicast, jitter, random loss with the model's own
//! PRNG, a fault that duplicates) is refused with a message, never approximated.

use std::io::{ErrorKind, Read};
use std::mem::ManuallyDrop;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use std::os::fd::AsRawFd;

use synack_model::profile::ProfileOverrides;
use synack_model::scenario::{Action, AppScript, FaultAction, Scenario, Step};
use synack_model::trace::{
    Addr, AppCall, AppCallKind, AppResult, HostId, Proto, ShutHow, SockOpt, SocketId, TcpInfo,
    Trace,
};

use crate::cli::Common;
use crate::error::{LabError, Result};
use crate::experiments::{io, ret_recv};
use crate::knobs::{sysctl_for, sysctl_value, Unit};
use crate::recorder::Recorder;
use crate::session::Session;
use crate::sys::netns::{mtu, read_sysctl, Netns};
use crate::sys::sock;
use crate::wire::{self, DropRule, Faults};

/// What this machine's kernel derives from the machine, not from the scenario.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Machine {
    pub kernel: String,
    /// MTU of this namespace's TUN end (`syn0`): the wire's (`wire::MTU`), or less for a host
    /// with its own MSS clamp (`knobs::device_mtu`).
    pub mtu: u32,
    /// MSS announced in a SYN: MTU − 20 (IPv4) − 20 (TCP) (`ipv4_default_advmss`).
    pub mss: u16,
    /// `net.ipv4.tcp_rmem` ("min default max").
    pub tcp_rmem: String,
    /// `net.core.rmem_max`: the largest SO_RCVBUF a program gets (the model's `rmem_max`).
    pub rmem_max: u32,
    /// `net.core.wmem_max`: the largest SO_SNDBUF (the model's `wmem_max`). Neither is per
    /// network namespace on 6.18 (a child namespace reads them but may not write them), so
    /// the lab records the machine's and never sets them.
    pub wmem_max: u32,
    /// The window scale a SYN announces: ilog2(max(`tcp_rmem[2]`, rmem_max)) − 15, clamped to
    /// 0..=14 (`tcp_select_initial_window`).
    pub window_scale: u8,
    /// The receive space a new socket's window is drawn from, the model's `recv_buffer`:
    /// `tcp_full_space` of the `tcp_rmem[1]` buffer a socket starts with, that is half of it
    /// (`tcp_win_from_space` with TCP_DEFAULT_SCALING_RATIO, 50 %, until data has been
    /// received). 131072 → 65536, whence the SYN's 64240 (`tcp_select_initial_window`).
    pub recv_buffer: u32,
    /// The receive memory (skb truesize) a full-sized segment takes on the wire's TUN device:
    /// `tun_get_user` copies a packet into one linear skb (`tun_alloc_skb`), whose head is a
    /// kmalloc block of the packet (after `tun->align`, NET_SKB_PAD = 64 bytes of headroom;
    /// NET_IP_ALIGN is added for TAP devices only; cache-aligned) and the 320-byte
    /// skb_shared_info, rounded up to the slab size (a power of two), plus the 256 bytes of
    /// the sk_buff itself (`SKB_TRUESIZE`). MTU 1500: 2304. The skb is sized by the packet,
    /// not by the receiving device's MTU (`tun_get_user` never reads it), so this is taken at
    /// the wire's MTU, the model's link's (its `rcv_full_packet`), on every host: a host
    /// behind a smaller MTU only receives smaller packets, which the model sizes by their
    /// length (`TcpSocket::truesize`).
    pub rcv_truesize: u32,
    /// `rcv_truesize` less the payload of that segment (the MSS less the 12 bytes of the
    /// timestamp option): the model's `rcv_skb_overhead`. MTU 1500: 856.
    pub rcv_skb_overhead: u32,
}

/// `Machine::rcv_truesize` for a TUN device of this MTU.
fn tun_truesize(mtu: u32) -> u32 {
    const NET_SKB_PAD: u32 = 64;
    const SHARED_INFO: u32 = 320;
    const SK_BUFF: u32 = 256;
    let head = (NET_SKB_PAD + mtu).div_ceil(64) * 64 + SHARED_INFO;
    head.next_power_of_two() + SK_BUFF
}

/// A scenario run on the kernel.
pub struct KernelRun {
    /// The scenario as run: the input with the machine's parameters in `tuning`.
    pub scenario: Scenario,
    pub trace: Trace,
    pub pcap: Vec<(u64, Vec<u8>)>,
    pub warnings: Vec<String>,
    pub machine: Machine,
    /// How late (µs) the lab itself was: the most a packet left the wire after its due time,
    /// or a script step started after its time. The machine's load, not the kernel's
    /// behaviour; a run disturbed by more than the tolerance's 10 ms floor says nothing.
    pub disturbance_us: u64,
    /// The longest time between two sock_diag dumps, µs: a state shorter than this may be
    /// missing from the trace (the poller is busy on a loaded machine).
    pub poll_gap_us: u64,
    /// The scripted peer's first failed expectation, when the kernel did not send what the
    /// script expects (`inject`).
    pub script_failure: Option<synack_model::script::ScriptFailure>,
    /// A listen() that returned only after a SYN it was due to meet had drawn a RST
    /// ([`late_listen`]).
    pub late_listen: Option<LateListen>,
}

impl KernelRun {
    /// Whether the machine's load bent this run, or may have: the lab late
    /// (`DISTURBED_US`), its dumps sparse (`POLL_GAP_US`), or a listen() so late that a SYN
    /// meant for it drew a RST (`late_listen`), after which the run is another scenario's.
    pub fn disturbed(&self) -> bool {
        self.disturbance_us > DISTURBED_US
            || self.poll_gap_us > POLL_GAP_US
            || self.late_listen.is_some()
    }

    /// Lower is calmer: lateness counts fully, dump gaps a quarter (a gap matters only for a
    /// state shorter than it; the cases' shortest states last 20 ms or more), and a late
    /// listen() by how late it returned.
    pub fn unrest(&self) -> u64 {
        self.disturbance_us
            + self.poll_gap_us / 4
            + self
                .late_listen
                .as_ref()
                .map_or(0, |l| l.returned_us.saturating_sub(l.due_us))
    }
}

/// A listen() the scenario had due before a SYN for its port arrived, which returned only
/// after that SYN had arrived, and the SYN drew a RST: on a loaded machine the script thread
/// ran late (or was preempted inside socket()/bind()/listen()), so the kernel met the SYN
/// with no listener (`tcp_v4_rcv` finds no socket → `tcp_v4_send_reset`). The model's
/// listen() returns at its time, so from there on the two runs are of different scenarios.
/// Times on the scenario's clock, µs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LateListen {
    pub port: u16,
    /// When the script's listen() was due.
    pub due_us: u64,
    /// When the SYN reached the listener's host (the wire's stamp, taken before the write
    /// that hands it to the stack).
    pub syn_us: u64,
    /// When the lab recorded listen()'s return.
    pub returned_us: u64,
}

impl LateListen {
    /// The run's warning.
    pub fn warning(&self) -> String {
        format!(
            "listen() on port {} was due at {:.1} ms but returned at {:.1} ms, after the first \
             SYN for it had arrived ({:.1} ms) and drawn a RST: the lab ran late, so the rest \
             of this run is not the scenario's",
            self.port,
            self.due_us as f64 / 1000.0,
            self.returned_us as f64 / 1000.0,
            self.syn_us as f64 / 1000.0
        )
    }
}

/// The first of the run's listen() calls (`dues`: the listener and when its listen() was
/// due, on the scenario's clock) that returned after a SYN for its port arrived at or after
/// that due time, where the listener's host answered that SYN with a RST. All three are
/// needed for certainty: the stamps alone cannot order a listen() that completed while the
/// wire was writing the SYN, and a RST alone may be the scenario's own (a listen() that
/// failed, a listener already closed, a connect() drawn before the listen()).
pub fn late_listen(trace: &Trace, dues: &[(SocketId, u64)]) -> Option<LateListen> {
    use synack_model::trace::{EventKind, Header};
    let sent: std::collections::HashMap<_, _> = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { id, segment } => Some((*id, segment)),
            _ => None,
        })
        .collect();
    let tcp_flags = |seg: &synack_model::trace::Segment| match &seg.header {
        Header::Tcp(h) => Some(h.flags),
        _ => None,
    };
    dues.iter().find_map(|&(listener, due_us)| {
        let so = trace.sockets.get(listener.0 as usize)?;
        let here = Addr {
            host: so.host,
            port: so.local_port,
        };
        let returned_us = trace.events.iter().find_map(|e| match &e.kind {
            EventKind::AppReturn {
                socket,
                call: AppCallKind::Listen,
                result: AppResult::Ok,
            } if *socket == listener && e.t >= due_us => Some(e.t),
            _ => None,
        })?;
        let (syn_us, syn) = trace.events.iter().find_map(|e| match &e.kind {
            EventKind::SegmentArrived { id } if e.t >= due_us => {
                let seg = sent.get(id)?;
                let f = tcp_flags(seg)?;
                (f.syn && !f.ack && seg.dst == here).then_some((e.t, *seg))
            }
            _ => None,
        })?;
        if syn_us > returned_us {
            return None;
        }
        // The host's answer: its first segment back to the SYN's sender after the SYN.
        let answer = trace.events.iter().find_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. }
                if e.t >= syn_us && segment.src == here && segment.dst == syn.src =>
            {
                Some(segment)
            }
            _ => None,
        })?;
        tcp_flags(answer)?.rst.then_some(LateListen {
            port: here.port,
            due_us,
            syn_us,
            returned_us,
        })
    })
}

/// The longest run the lab watches (the default `limits.max_time_us` is an hour).
const MAX_HORIZON_US: u64 = 300_000_000;

/// How long past the model's last event a scenario that asked for more than the lab watches
/// is watched: whatever the kernel does that the model does not (one more retransmission,
/// a later timer) within it still differs.
const QUIET_MARGIN_US: u64 = 3_000_000;

/// A scenario whose `limits.max_time_us` is longer than the lab watches (the format's
/// default is an hour, so every scenario written without `limits` asks for it) is watched
/// until the model's run of it is over and [`QUIET_MARGIN_US`] more, when that fits: the
/// copy to run, and the line that says so. Else as it is, and `check` refuses it as before.
pub fn fit_horizon(sc: &Scenario) -> Result<(Option<Scenario>, Option<String>)> {
    if sc.limits.max_time_us <= MAX_HORIZON_US {
        return Ok((None, None));
    }
    let model = synack_model::simulate(sc)
        .map_err(|e| LabError::Usage(format!("the model refused the scenario: {e}")))?;
    let quiet = model.events.last().map_or(0, |e| e.t);
    let horizon = quiet + QUIET_MARGIN_US;
    if quiet >= sc.limits.max_time_us || horizon > MAX_HORIZON_US {
        return Ok((None, None));
    }
    let mut fitted = sc.clone();
    fitted.limits.max_time_us = horizon;
    let line = format!(
        "limits.max_time_us is {} s, longer than the lab watches ({} s); the model's run is \
         over at {:.3} s, so both runs are watched until {:.3} s",
        sc.limits.max_time_us / 1_000_000,
        MAX_HORIZON_US / 1_000_000,
        quiet as f64 / 1e6,
        horizon as f64 / 1e6
    );
    Ok((Some(fitted), Some(line)))
}

/// tcp_syncookies from the profile as `t` (a host's tuning, `Scenario::host_tuning`) tunes
/// it, if it tunes it: 2
/// (`syncookies_always`: a cookie for every SYN, no request kept, `tcp_conn_request`), 1, or 0.
/// The model reads `syncookies_always` only with syncookies on, as the kernel reads 2 as "on,
/// and always".
fn syncookies_sysctl(sc: &Scenario, t: &ProfileOverrides) -> Option<&'static str> {
    if t.syncookies.is_none() && t.syncookies_always.is_none() {
        return None;
    }
    let p = sc.profile.profile().with(t);
    Some(match (p.syncookies, p.syncookies_always) {
        (false, _) => "0",
        (true, false) => "1",
        (true, true) => "2",
    })
}

/// tcp_timestamps from the profile as `t` (a host's tuning) tunes it, if it tunes it: 0, 1 (with the
/// per-address-pair offset, `secure_tcp_ts_off`), or 2 (`timestamps_offset` off: the bare
/// clock). The model reads `timestamps_offset` only with timestamps on, as the kernel does.
fn timestamps_sysctl(sc: &Scenario, t: &ProfileOverrides) -> Option<&'static str> {
    if t.timestamps.is_none() && t.timestamps_offset.is_none() {
        return None;
    }
    let p = sc.profile.profile().with(t);
    Some(match (p.timestamps, p.timestamps_offset) {
        (false, _) => "0",
        (true, true) => "1",
        (true, false) => "2",
    })
}

/// Writes the sysctls overrides `t` (one host's, `Scenario::host_tuning`) name into `ns`.
fn set_sysctls(sc: &Scenario, ns: &Netns, t: &ProfileOverrides) -> Result<()> {
    let tuning = serde_json::to_value(t).unwrap_or_default();
    if let Some(map) = tuning.as_object() {
        for (k, v) in map {
            let Some((key, unit)) = sysctl_for(k) else {
                continue;
            };
            if k.starts_with("syncookies") || k.starts_with("timestamps") {
                continue;
            }
            let value = sysctl_value(k, v, unit).map_err(LabError::Usage)?;
            let value = match unit {
                Unit::Nth(i) => {
                    let current = ns.run("sysctl", move || read_sysctl(key))?;
                    crate::knobs::with_nth(&current, i, &value)
                }
                _ => value,
            };
            match unit {
                Unit::MillisInJiffies => ns.set_sysctl_in_jiffies(key, &value)?,
                _ => ns.set_sysctl(key, &value)?,
            }
        }
    }
    if let Some(value) = syncookies_sysctl(sc, t) {
        ns.set_sysctl("net.ipv4.tcp_syncookies", value)?;
    }
    if let Some(value) = timestamps_sysctl(sc, t) {
        ns.set_sysctl("net.ipv4.tcp_timestamps", value)?;
    }
    // `window_scale: null`: no window scale option (tcp_window_scaling 0); any other value
    // is the machine's, measured (`measure_machine`).
    if t.window_scale == Some(None) {
        ns.set_sysctl("net.ipv4.tcp_window_scaling", "0")?;
    }
    Ok(())
}

/// What the kernel takes from the machine rather than from a setting, read in the calling
/// thread's namespace.
fn measure_machine() -> Result<Machine> {
    let mtu = mtu("syn0")?;
    let wire_mtu = wire::MTU;
    let tcp_rmem = read_sysctl("net.ipv4.tcp_rmem")?;
    let rmem_max: u32 = read_sysctl("net.core.rmem_max")?.parse().unwrap_or(0);
    let wmem_max: u32 = read_sysctl("net.core.wmem_max")?.parse().unwrap_or(0);
    let f: Vec<u32> = tcp_rmem
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let space = f.get(2).copied().unwrap_or(0).max(rmem_max).max(1);
    Ok(Machine {
        kernel: crate::session::kernel_release(),
        mtu,
        mss: mtu.saturating_sub(40).min(u16::MAX as u32) as u16,
        window_scale: (space.ilog2() as i32 - 15).clamp(0, 14) as u8,
        recv_buffer: f.get(1).copied().unwrap_or(0) / 2,
        rcv_truesize: tun_truesize(wire_mtu),
        rcv_skb_overhead: tun_truesize(wire_mtu).saturating_sub(wire_mtu.saturating_sub(52)),
        tcp_rmem,
        rmem_max,
        wmem_max,
    })
}

/// Writes machine `m`'s measures into overrides `o`, for a host tuned `t` (whose
/// `window_scale: null` keeps the option off).
fn machine_into(o: &mut ProfileOverrides, m: &Machine, t: &ProfileOverrides) {
    let no_wscale = t.window_scale == Some(None);
    o.mss = Some(m.mss);
    o.window_scale = Some((!no_wscale).then_some(m.window_scale));
    o.recv_buffer = Some(m.recv_buffer);
    o.rcv_skb_overhead = Some(m.rcv_skb_overhead);
    o.rmem_max = Some(m.rmem_max);
    o.wmem_max = Some(m.wmem_max);
}

/// Writes each namespace's measures (`machines[i]`, hosts[i]'s) into `sc`: the client's
/// into the scenario's `tuning`; a host whose own differ (its own tcp_rmem[2] gives another
/// window scale, its own `window_scale: null` none) gets them in its own `hosts[i].tuning`,
/// which the model puts on top (`Scenario::host_tuning`). A `window_scale` a host names is
/// always replaced: `null` stays off, a shift is the machine's.
fn machines_into(sc: &mut Scenario, machines: &[Machine]) {
    let tunings: Vec<ProfileOverrides> = (0..sc.hosts.len()).map(|i| sc.host_tuning(i)).collect();
    let (Some(first), Some(t0)) = (machines.first(), tunings.first()) else {
        return;
    };
    machine_into(&mut sc.tuning, first, t0);
    // The scenario's MSS is the wire's unless every host has a smaller one (the scenario's
    // own `mss`); a host behind a smaller MTU than the others gets its own below.
    sc.tuning.mss = machines.iter().map(|m| m.mss).max();
    for (i, (m, t)) in machines.iter().zip(&tunings).enumerate() {
        let mut own = sc.tuning.clone();
        machine_into(&mut own, m, t);
        let common = &sc.tuning;
        let h = &mut sc.hosts[i].tuning;
        if own.window_scale != common.window_scale || h.window_scale.is_some() {
            h.window_scale = own.window_scale;
        }
        if own.recv_buffer != common.recv_buffer {
            h.recv_buffer = own.recv_buffer;
        }
        if own.mss != common.mss || h.mss.is_some() {
            h.mss = own.mss;
        }
        if own.rcv_skb_overhead != common.rcv_skb_overhead {
            h.rcv_skb_overhead = own.rcv_skb_overhead;
        }
    }
}

/// Why the lab cannot run `sc` as written, if it cannot.
pub fn check(sc: &Scenario) -> Result<()> {
    let bad = |why: String| Err(LabError::Usage(format!("scenario {:?}: {why}", sc.name)));
    if sc.hosts.len() != 2 {
        return bad(format!(
            "the lab runs two hosts (a client namespace and a server namespace), not {}",
            sc.hosts.len()
        ));
    }
    if let Some(s) = sc
        .sockets
        .iter()
        .find(|s| !sc.hosts.iter().any(|h| h.name == s.host))
    {
        return bad(format!(
            "socket {:?} is on unknown host {:?}",
            s.label, s.host
        ));
    }
    if !sc.groups.is_empty() || sc.sockets.iter().any(|s| !s.join.is_empty()) {
        return bad(
            "multicast groups: the wire joins two hosts point to point (use `synack-lab udp` for \
             multicast on loopback)"
                .into(),
        );
    }
    if let Some(h) = sc.hosts.iter().find(|h| h.flood.is_some()) {
        return bad(format!(
            "host {:?} sends a SYN flood (hosts[].flood); the runner plays scripted peers, not floods",
            h.name
        ));
    }
    // A scripted peer is played by the wire itself (`inject`); the other host is the kernel.
    if sc.hosts.iter().all(|h| h.script.is_some()) {
        return bad("both hosts are scripted; the kernel must run one of them".into());
    }
    if let Some((i, script)) = crate::inject::scripted_host(sc) {
        synack_model::script::validate(script, &format!("hosts[{i}].script"))
            .map_err(|e| LabError::Usage(format!("scenario {:?}: {e}", sc.name)))?;
        crate::inject::Peer::of(sc)?;
    }
    for s in &sc.sockets {
        if let Err(why) = kernel_units(s.user_timeout_us, s.linger_us) {
            return bad(format!("socket {:?}: {why}", s.label));
        }
    }
    let l = &sc.network.default;
    // A pace's field is reached through `&mut` (the one accessor `run` writes with too): read
    // through one copy of the link, not a copy per pace.
    let mut link = l.clone();
    for pace in &wire::PACES {
        let v = *(pace.field)(&mut link);
        if ![0, pace.lab].contains(&v) {
            return bad(format!(
                "network.default.{} {v}: {}, which the lab gives the model as {} µs (0 in the \
                 file says the same); it cannot be another",
                pace.name, pace.does, pace.lab
            ));
        }
    }
    // The wire's TUN ends have one MTU; the model would take a smaller one from the link (its
    // MSS, which packets are too big) or, for UDP, a larger one (where a datagram is
    // fragmented), so both runs would differ by the setting, not by TCP. A larger one is the
    // same for TCP, whose MSS the lab gives the model as measured (the sticky scene's 1540).
    // A host's own smaller MSS is its `tuning.mss`.
    let udp = sc.sockets.iter().any(|s| s.proto == Proto::Udp);
    if l.mtu < wire::MTU || (l.mtu > wire::MTU && udp) {
        return bad(format!(
            "network.default.mtu {}: the lab's wire has an MTU of {} on both ends (a host behind \
             a smaller one: its hosts[].tuning.mss)",
            l.mtu,
            wire::MTU
        ));
    }
    if !sc.network.directions.is_empty()
        || l.jitter_us > 0
        || l.bandwidth_bps > 0
        || l.loss_pct > 0.0
        || l.duplicate_pct > 0.0
        || l.reorder_pct > 0.0
    {
        return bad(
            "the wire reproduces a fixed one-way delay and scripted drops only (no per-direction \
             links, jitter, bandwidth, random loss, duplication or reordering: the model's random \
             choices could not be the kernel run's)"
                .into(),
        );
    }
    let peer = crate::inject::scripted_host(sc).is_some();
    for (i, f) in sc.faults.iter().enumerate() {
        if matches!(f.action, FaultAction::Duplicate {}) {
            return bad(format!(
                "fault rule {i}: the wire applies `drop` and `delay` rules only (a duplicate's \
                 copy could not be told from the kernel's own retransmission)"
            ));
        }
        let windowed = f.after_us.is_some() || f.until_us.is_some();
        if peer && (windowed || f.action != FaultAction::Drop {}) {
            return bad(format!(
                "fault rule {i}: against a scripted peer the wire applies `drop` rules without \
                 a time window only"
            ));
        }
        if f.to.is_some() && f.from.is_some() && f.to == f.from {
            return bad(format!("fault rule {i}: from and to are the same host"));
        }
        for h in f.from.iter().chain(f.to.iter()) {
            if !sc.hosts.iter().any(|x| &x.name == h) {
                return bad(format!("fault rule {i}: unknown host {h:?}"));
            }
        }
    }
    // Every tuned field has a way onto the kernel (`knobs::KNOBS`), in a value it can hold.
    if let Err(why) = crate::knobs::check(sc) {
        return bad(why);
    }
    for a in &sc.apps {
        let udp = sc
            .sockets
            .iter()
            .any(|s| s.label == a.socket && s.proto == Proto::Udp);
        for s in &a.steps {
            if s.on.is_some() && udp {
                return bad(format!(
                    "a step of the script on UDP socket {:?} switches sockets (`on`); a UDP \
                     script keeps to its socket",
                    a.socket
                ));
            }
            let udp_call = matches!(
                s.action,
                Action::Connect { .. }
                    | Action::Send { .. }
                    | Action::SendTo { .. }
                    | Action::Recv { .. }
                    | Action::RecvLoop { .. }
                    | Action::Poll { .. }
                    | Action::Close {}
            );
            if udp && !udp_call {
                return bad(format!(
                    "{:?} on UDP socket {:?}: the runner makes UDP calls only (connect, send, \
                     sendto, recv, poll, close)",
                    s.action, a.socket
                ));
            }
            if matches!(s.action, Action::SendTo { .. }) && !udp {
                return bad(format!("sendto on TCP socket {:?}", a.socket));
            }
            let units = match s.action {
                Action::SetSockOpt(SockOpt::TcpUserTimeout { us }) => kernel_units(Some(us), None),
                Action::SetSockOpt(SockOpt::SoLinger { us }) => kernel_units(None, us),
                Action::Poll {
                    timeout_us: Some(us),
                } => kernel_units(Some(us), None),
                _ => Ok(()),
            };
            if let Err(why) = units {
                return bad(format!("a step of the script on {:?}: {why}", a.socket));
            }
        }
        if !sc.sockets.iter().any(|s| s.label == a.socket) {
            return bad(format!("a script runs on unknown socket {:?}", a.socket));
        }
    }
    if sc.limits.max_time_us == 0 || sc.limits.max_time_us > MAX_HORIZON_US {
        return bad(format!(
            "limits.max_time_us is {} µs; the lab watches a run for at most {} s, so set it to \
             the span the comparison should cover",
            sc.limits.max_time_us,
            MAX_HORIZON_US / 1_000_000
        ));
    }
    Ok(())
}

/// TCP_USER_TIMEOUT (and poll's timeout) are whole milliseconds in the kernel, SO_LINGER's
/// time whole seconds: a scenario value between them cannot be set exactly.
fn kernel_units(ms: Option<u64>, secs: Option<u64>) -> std::result::Result<(), String> {
    if let Some(us) = ms.filter(|us| us % 1_000 != 0) {
        return Err(format!("{us} µs: the kernel takes whole milliseconds"));
    }
    if let Some(us) = secs.filter(|us| us % 1_000_000 != 0) {
        return Err(format!("SO_LINGER {us} µs: the kernel takes whole seconds"));
    }
    Ok(())
}

/// Runs `sc` on this kernel.
pub fn run(sc: &Scenario, common: &Common) -> Result<KernelRun> {
    check(sc)?;
    crate::sys::allow_measuring_priority();
    let horizon = sc.limits.max_time_us;
    let rules: Vec<DropRule> = sc
        .faults
        .iter()
        .enumerate()
        .map(|(i, f)| DropRule {
            index: i as u32,
            // hosts[0] is the client side of the wire.
            from_client: match (&f.from, &f.to) {
                (Some(h), _) => Some(*h == sc.hosts[0].name),
                (None, Some(h)) => Some(*h != sc.hosts[0].name),
                (None, None) => None,
            },
            matches: f.matches,
            nth: f.nth,
            after_us: f.after_us,
            until_us: f.until_us,
            delay_us: match f.action {
                FaultAction::Delay { by_us } => Some(by_us),
                FaultAction::Drop {} | FaultAction::Duplicate {} => None,
            },
        })
        .collect();
    let peer = crate::inject::Peer::of(sc)?;
    let zero_us = Arc::new(AtomicU64::new(0));
    let faults = Faults {
        delay_us: sc.network.default.latency_us,
        rules,
        peer: peer.clone(),
        zero_us: zero_us.clone(),
        ..Faults::default()
    };
    let timeout = common
        .timeout
        .unwrap_or(horizon as f64 / 1e6 + 30.0)
        .max(horizon as f64 / 1e6 + 5.0);
    let mut s = Session::start_with("case", common, true, false, timeout, Some(faults)).map_err(
        |e| match e {
            // Named after the scenario: `compare`, `record`, `sweep` and `explore` all come
            // here, and "case needs CAP_SYS_ADMIN" names none of them.
            LabError::Privilege {
                capability, why, ..
            } => LabError::Privilege {
                experiment: format!("the kernel's run of {:?}", sc.name),
                capability,
                why,
            },
            e => e,
        },
    )?;
    // Each host is its own namespace with its own copy of every sysctl and route: it gets
    // the scenario's `tuning` with its own `hosts[i].tuning` on top (`Scenario::host_tuning`,
    // the model's rule). hosts[0] is the client namespace, hosts[1] the server's.
    let spaces = [
        (&s.client_ns, wire::CLIENT_IP, wire::SERVER_IP),
        (&s.ns, wire::SERVER_IP, wire::CLIENT_IP),
    ];
    let tunings = [sc.host_tuning(0), sc.host_tuning(1)];
    for ((ns, _, _), t) in spaces.iter().zip(&tunings) {
        set_sysctls(sc, ns, t)?;
    }
    // Route metrics (initcwnd) on each side's route to the other.
    for ((ns, local, peer), t) in spaces.iter().zip(&tunings) {
        let metrics = crate::knobs::route_metrics(t);
        crate::knobs::set_route_metrics(ns, "syn0", *local, *peer, &metrics)?;
    }
    // A host's MSS clamp is its TUN end's MTU (`knobs::device_mtu`): the kernel announces
    // device MTU − 40 (`ipv4_default_advmss`) and sends at most that (`tcp_sync_mss`), as the
    // model's clamp does. The other end keeps the wire's MTU: what it sends the host is
    // bounded by the MSS the host announced, so no TCP packet the relay hands the host is
    // above the host's MTU (and a TUN device takes one that is: `tun_get_user` never reads
    // the MTU).
    for ((ns, _, _), t) in spaces.iter().zip(&tunings) {
        let want = crate::knobs::device_mtu(t.mss);
        if want != wire::MTU {
            ns.run("mtu", move || crate::sys::netns::set_mtu("syn0", want))?;
        }
    }
    // Module parameters (global, the scenario's `tuning` only: `knobs::check`): set until
    // `_modules` is dropped at the end of this run, whichever way it ends.
    let (_modules, module_warnings) = crate::knobs::ModuleGuard::set(sc)?;
    // What the kernel takes from the machine, read in each namespace after its sysctls (its
    // tcp_rmem[2] gives its window scale).
    let mut machines = Vec::with_capacity(2);
    for (ns, _, _) in &spaces {
        machines.push(ns.run("machine", measure_machine)?);
    }
    let machine = machines[0].clone();
    let mut scenario = sc.clone();
    machines_into(&mut scenario, &machines);
    // The wire is the scenario's link: it hands packets to the receiving stack one write(2)
    // at a time, which the model must know to spread a flight as the wire does.
    for pace in &wire::PACES {
        *(pace.field)(&mut scenario.network.default) = pace.lab;
    }
    // How soon a woken reader, and a woken writer, run on this machine, as the wire's times
    // are measured.
    scenario.tuning.reader_wake_us = Some(wire::READER_WAKE_US);
    scenario.tuning.writer_wake_us = Some(wire::WRITER_WAKE_US);

    // The scenario's time zero: once namespaces, wire, sysctls and pollers are ready (setting
    // them up takes tens of ms, more than the first step's `at_us`), and a little later still,
    // so that the script threads have entered their namespaces and wait for it: a step at 0
    // then runs at 0, which a scripted peer's timed expectations need (its clock is the
    // scenario's, as in the model).
    // The scripted peer's end, in the socket list as the model lists it.
    let script_socket = peer.as_ref().map(|p| {
        let host = if p.side == 0 { s.client } else { s.server };
        let remote = p.remote.map(|r| Addr {
            host: if r.host.0 == 0 { s.client } else { s.server },
            port: r.port,
        });
        s.rec.socket(
            host,
            Proto::Tcp,
            p.script.port,
            remote,
            false,
            None,
            &p.socket_label(),
        )
    });
    // The scenario's UDP sockets exist from time zero, as in the model.
    let udp = crate::udp_run::open(
        &scenario,
        &s.rec,
        &[s.client_ns.clone(), s.ns.clone()],
        [s.client, s.server],
        [wire::CLIENT_IP, wire::SERVER_IP],
    )?;
    // Where this kernel's timer-wheel ticks fall (/proc/timer_list), so that the model's
    // timers fire on the same ticks: read before time zero, it takes ~30 ms.
    let ticks = crate::sys::ticks::measure();
    // Every send()'s bytes, cut from one pattern made before time zero: made at the call, a
    // 200,000-byte payload took 1.8 ms in a debug build, so the kernel's data left that long
    // after the scripted time and after the call's stamp (the model's leaves at once).
    let longest = scenario
        .apps
        .iter()
        .flat_map(|a| &a.steps)
        .filter_map(|st| match st.action {
            Action::Send { len, .. } => Some(len as usize),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let pattern: Vec<u8> = sock::pattern(longest).collect();
    let t0 = s.rec.now() + START_LEAD_US;
    // The wire's rules with a time window count from here (the scenario's time zero).
    let zero_real_us = crate::sys::realtime_us() + t0.saturating_sub(s.rec.now());
    zero_us.store(zero_real_us, Ordering::SeqCst);
    let ctx = Ctx {
        udp: &udp,
        sc: &scenario,
        t0,
        rec: s.rec.clone(),
        nss: [s.client_ns.clone(), s.ns.clone()],
        hosts: [s.client, s.server],
        ips: [wire::CLIENT_IP, wire::SERVER_IP],
        horizon,
        late_us: AtomicU64::new(0),
        listen_dues: Mutex::new(Vec::new()),
        script_zero: peer.as_ref().map(|p| p.zero_us.clone()),
        listeners: Mutex::new(Vec::new()),
        closed_listeners: Mutex::new(Vec::new()),
        pattern: &pattern,
    };
    // Ctrl-C, SIGTERM or --timeout ends this part early (every wait in it checks, and a
    // blocking call is interrupted: `signal::interruptible`); the session then hands back the
    // trace so far, cut short, which `main` writes.
    let body = (|| -> Result<(Vec<Held>, Vec<_>)> {
        let held = std::thread::scope(|sc_| -> Result<Vec<Held>> {
            let handles: Vec<_> = scenario
                .apps
                .iter()
                .map(|a| {
                    let ctx = &ctx;
                    sc_.spawn(move || ctx.script(a))
                })
                .collect();
            let mut held = Vec::new();
            let mut first_err = None;
            // Every thread joined before an error is passed on (a scope joins the rest
            // anyway): the first error, or an interruption if any thread saw one.
            for h in handles {
                match h.join() {
                    Ok(Ok(r)) => held.extend(r),
                    Ok(Err(e)) => {
                        first_err.get_or_insert(e);
                    }
                    Err(_) => {
                        first_err
                            .get_or_insert(LabError::Protocol("a script thread panicked".into()));
                    }
                }
            }
            crate::sys::signal::check()?;
            first_err.map_or(Ok(held), Err)
        })?;
        if let Some(z) = &ctx.script_zero {
            // No step ran: the script's clock is the scenario's.
            let zero = crate::sys::realtime_us() - (s.rec.now().saturating_sub(t0));
            let _ = z.compare_exchange(0, zero, Ordering::SeqCst, Ordering::SeqCst);
        }
        // Sockets stay open until the horizon, as in the model (a script's end is not a
        // close()).
        let left = (t0 + horizon).saturating_sub(s.rec.now());
        s.wait(
            Duration::from_micros(left),
            "watching until the scenario's end",
        )?;
        // What is still queued reached its socket (see `udp_run::mark_drops`), and the
        // kernel's own count of what it threw away.
        for u in &udp {
            u.drain(&s.rec);
        }
        let udp_counters = if udp.is_empty() {
            Vec::new()
        } else {
            vec![
                s.client_ns
                    .run("udp counters", crate::udp_run::udp_counters)?,
                s.ns.run("udp counters", crate::udp_run::udp_counters)?,
            ]
        };
        Ok((held, udp_counters))
    })();
    let wire_late = s
        .wire_late_us
        .as_ref()
        .map_or(0, |l| l.load(Ordering::Relaxed));
    let disturbance_us = wire_late.max(ctx.late_us.load(Ordering::Relaxed));
    let (
        (held, udp_counters),
        crate::session::Finished {
            mut trace,
            pcap,
            mut warnings,
        },
    ) = match s.finish_with(body, None) {
        Ok(done) => done,
        Err(LabError::CutShort { cause, mut partial }) => {
            // On the scenario's clock like a whole run's, and up to the signal (or the
            // deadline): what the recorder saw while the run unwound (the FINs of the
            // scripts' closed sockets) is not part of it.
            let cut_real_us = match *cause {
                LabError::Interrupted { .. } => crate::sys::signal::received_at_us(),
                _ => None,
            }
            .unwrap_or_else(crate::sys::realtime_us);
            let end = cut_real_us.saturating_sub(zero_real_us);
            on_scenario_clock(&mut partial.trace, t0, end, sc, script_socket);
            partial.trace.build_snapshots(64);
            return Err(LabError::CutShort { cause, partial });
        }
        Err(e) => return Err(e),
    };
    warnings.extend(module_warnings);
    let poll_gap_us = ctx.rec.max_poll_gap_us();
    if poll_gap_us > POLL_GAP_US {
        warnings.push(format!(
            "sock_diag dumps were up to {:.1} ms apart (polling every {} ms): a state shorter \
             than that may be missing",
            poll_gap_us as f64 / 1000.0,
            common.poll_ms.max(1)
        ));
    }
    if disturbance_us > DISTURBED_US {
        warnings.push(format!(
            "this machine was busy: the lab ran {:.1} ms late at worst (a packet or a script \
             step), so timing differences of that size are the lab's, not the kernel's",
            disturbance_us as f64 / 1000.0
        ));
    }
    drop(held);
    // Watched until the horizon like the model's run.
    on_scenario_clock(&mut trace, t0, horizon, sc, script_socket);
    let late_listen = ctx
        .listen_dues
        .lock()
        .ok()
        .and_then(|dues| late_listen(&trace, &dues));
    if let Some(l) = &late_listen {
        warnings.push(l.warning());
    }
    let (_, rcvbuf_drops) = crate::udp_run::mark_drops(&mut trace, &udp);
    let counted: u64 = udp_counters
        .iter()
        .map(|c| c.get("RcvbufErrors").copied().unwrap_or(0))
        .sum();
    if u64::from(rcvbuf_drops) != counted {
        warnings.push(format!(
            "{rcvbuf_drops} datagrams reached a socket and were never read, but the kernel \
             counted {counted} receive-buffer drops (Udp RcvbufErrors)"
        ));
    }
    for (side, c) in udp_counters.iter().enumerate() {
        for name in ["RcvbufErrors", "NoPorts"] {
            if let Some(&value) = c.get(name).filter(|v| **v > 0) {
                trace.events.push(synack_model::trace::Event {
                    t: horizon,
                    kind: synack_model::trace::EventKind::Counter {
                        host: [ctx.hosts[0], ctx.hosts[1]][side],
                        name: name.into(),
                        value,
                    },
                });
            }
        }
    }
    let script_failure = peer.as_ref().and_then(|p| p.failure());
    // The model runs the scenario on the ticks the kernel had (`Profile::timer_wheel_origin_us`);
    // the recording keeps them, so a replay is exact too.
    // And on the kernel's TCP clock, whose phase sets a SYN cookie's TSval
    // (`Profile::ts_clock_origin_us`).
    if let Some(t) = &ticks {
        scenario.tuning.ts_clock_origin_us = Some(Some(t.mono_us(zero_real_us)));
    }
    let tick = sc.profile.profile().with(&sc.tuning).clock_granularity_us;
    match ticks {
        Some(t) if t.jiffy_us == tick => {
            scenario.tuning.timer_wheel_origin_us = Some(Some(t.origin_us(zero_real_us)));
        }
        Some(t) => warnings.push(format!(
            "this kernel's jiffy is {} µs, the profile's clock_granularity_us {tick}: the \
             model's timers keep the profile's ticks, at the middle of their buckets",
            t.jiffy_us
        )),
        None => warnings.push(
            "the timer wheel's ticks are unknown (/proc/timer_list unreadable): the model's \
             timers fire at the middle of their buckets, up to half a bucket off the kernel's"
                .into(),
        ),
    }
    // Which member of an SO_REUSEPORT group each client reached: the kernel's hash has a
    // secret drawn at boot, so the model is given the kernel's picks, as it is given its ticks.
    reuseport_picks(&mut scenario, &trace);
    Ok(KernelRun {
        script_failure,
        scenario,
        trace,
        pcap,
        warnings,
        machine,
        disturbance_us,
        poll_gap_us,
        late_listen,
    })
}

/// Gives each client socket of `sc` the SO_REUSEPORT member the kernel's run sent it to
/// (`SocketSpec::reuseport_pick`): a TCP client's connection, by the listener that accepted
/// or queued it (its `parent`), a UDP sender's datagrams by the receiver that read them (one
/// never read tells nothing, and the model keeps its own hash there). Only members of a
/// group count: a listener alone on its port is no pick.
pub fn reuseport_picks(sc: &mut Scenario, trace: &Trace) {
    use synack_model::trace::{AppResult, EventKind};
    let member = |id: SocketId| {
        let label = &trace.sockets.get(id.0 as usize)?.label;
        sc.sockets
            .iter()
            .any(|s| &s.label == label && s.reuse_port)
            .then(|| label.clone())
    };
    // The trace's socket (not a listener's child) bound to `addr`: the client.
    let client = |addr: Addr, proto: Proto| {
        trace
            .sockets
            .iter()
            .find(|s| {
                s.host == addr.host
                    && s.local_port == addr.port
                    && s.proto == proto
                    && s.parent.is_none()
                    && !s.listener
            })
            .map(|s| s.label.clone())
    };
    let mut picks: Vec<(String, String)> = Vec::new();
    for s in &trace.sockets {
        if let (Some(parent), Some(remote)) = (s.parent, s.remote) {
            if let (Some(m), Some(c)) = (member(parent), client(remote, Proto::Tcp)) {
                picks.push((c, m));
            }
        }
    }
    for e in &trace.events {
        if let EventKind::AppReturn {
            socket,
            result: AppResult::Data { from: Some(f), .. },
            ..
        } = &e.kind
        {
            if let (Some(m), Some(c)) = (member(*socket), client(*f, Proto::Udp)) {
                picks.push((c, m));
            }
        }
    }
    // The kernel's pick replaces one the scenario wrote (the kernel's is what happened); a
    // client's first is its pick (a flow's datagrams all reach one member).
    let mut given: Vec<&str> = Vec::new();
    for (c, m) in &picks {
        if let Some(spec) = sc.sockets.iter_mut().find(|s| &s.label == c) {
            if !given.contains(&c.as_str()) {
                spec.reuseport_pick = Some(m.clone());
                given.push(c);
            }
        }
    }
}

/// The recorder's trace on the scenario's clock (its time zero at `t0` on the recorder's),
/// ending at `end` on it (the horizon, or the signal that cut the run short): what the
/// recorder saw after that, while the run shut down, is not part of it. The hosts get the
/// scenario's names and a scripted peer's socket its mark; the snapshots, made on the
/// recorder's clock, are left for the caller to build again.
fn on_scenario_clock(
    trace: &mut Trace,
    t0: u64,
    end: u64,
    sc: &Scenario,
    script_socket: Option<SocketId>,
) {
    for e in &mut trace.events {
        e.t = e.t.saturating_sub(t0);
    }
    for so in &mut trace.sockets {
        so.created_us = so.created_us.saturating_sub(t0);
    }
    trace.events.retain(|e| e.t <= end);
    trace.duration_us = end;
    trace.snapshots.clear();
    for (h, spec) in trace.hosts.iter_mut().zip(&sc.hosts) {
        h.name.clone_from(&spec.name);
    }
    if let Some(id) = script_socket {
        if let Some(so) = trace.sockets.get_mut(id.0 as usize) {
            so.scripted = true;
        }
    }
}

/// A socket a script holds.
enum Held {
    Listener(TcpListener),
    /// Closed by `Held`'s `Drop` only, inside `signal::interruptible`.
    Stream(ManuallyDrop<TcpStream>),
}

impl Held {
    fn stream(st: TcpStream) -> Held {
        Held::Stream(ManuallyDrop::new(st))
    }
}

impl Drop for Held {
    /// close() of a blocking socket with SO_LINGER {on, t} sleeps until the FIN's ACK or t
    /// (`sk_stream_wait_close`), wherever the socket is dropped: the script's close(), or the
    /// unwinding of a run that Ctrl-C stopped (a script thread's sockets, the main thread's
    /// `held`). Only a signal sent to the closing thread ends that sleep early
    /// (`signal_pending`), so the close is `interruptible`.
    fn drop(&mut self) {
        if let Held::Stream(st) = self {
            // SAFETY: dropped here once: `Held` is never taken apart (no value moves out of
            // it), and this is its `Drop`.
            crate::sys::signal::interruptible(|| unsafe { ManuallyDrop::drop(st) });
        }
    }
}

struct Ctx<'a> {
    sc: &'a Scenario,
    /// The scenario's UDP sockets.
    udp: &'a [crate::udp_run::UdpHeld],
    /// The scenario's time zero on the recorder's clock.
    t0: u64,
    rec: Recorder,
    /// Client side, server side.
    nss: [Netns; 2],
    hosts: [HostId; 2],
    ips: [Ipv4Addr; 2],
    horizon: u64,
    /// The most a step started after its time, µs.
    late_us: AtomicU64,
    /// Each listen() a script made: the listener and when the call was due (`late_listen`).
    listen_dues: Mutex<Vec<(SocketId, u64)>>,
    /// A scripted peer's time zero (realtime µs), set when the first step starts.
    script_zero: Option<Arc<AtomicU64>>,
    /// The listeners the scripts made, by label: another script on the same socket is
    /// another task of the process, calling on the same socket (a copy of the descriptor).
    listeners: Mutex<Vec<(String, SocketId, TcpListener)>>,
    /// Listeners a script closed while another held them: as in one process, whose close()
    /// leaves the socket to the call blocked on it, the holder lets its descriptor go when
    /// its accept() returns.
    closed_listeners: Mutex<Vec<SocketId>>,
    /// The bytes every send() writes a prefix of ([`sock::pattern`]), made before time zero.
    pattern: &'a [u8],
}

/// How long after the set-up the scenario's clock starts, µs: time for the script threads to
/// enter their namespaces (a few ms; 20 on a first, cold run) before their first step is due.
const START_LEAD_US: u64 = 30_000;

/// Lateness (µs) above which a run is reported as disturbed by the machine's load.
pub const DISTURBED_US: u64 = 2_000;

/// A gap between sock_diag dumps (µs) above which a run is reported: half the shortest state
/// the cases show (one 20 ms one-way delay).
pub const POLL_GAP_US: u64 = 10_000;

/// A socket of a script: its trace id and, once created, the kernel socket.
struct Sock {
    label: String,
    id: Option<SocketId>,
    held: Option<Held>,
    /// The listener (its index in the script's sockets) that accepted this connection.
    parent: Option<usize>,
}

impl Ctx<'_> {
    fn side(&self, host: &str) -> usize {
        usize::from(self.sc.hosts[0].name != host)
    }

    fn addr(&self, to: &str) -> Result<(usize, u16)> {
        let (h, p) = to
            .rsplit_once(':')
            .ok_or_else(|| LabError::Usage(format!("bad address {to:?} (expected host:port)")))?;
        let port = p
            .parse()
            .map_err(|_| LabError::Usage(format!("bad port in {to:?}")))?;
        if !self.sc.hosts.iter().any(|x| x.name == h) {
            return Err(LabError::Usage(format!("unknown host in {to:?}")));
        }
        Ok((self.side(h), port))
    }

    /// Microseconds on the scenario's clock.
    fn now(&self) -> u64 {
        self.rec.now().saturating_sub(self.t0)
    }

    fn past_horizon(&self) -> bool {
        self.now() >= self.horizon
    }

    /// Runs `call`, a blocking call bounded by no timeout of its own (close() lingering for
    /// SO_LINGER's seconds, up to 2^31), so that it ends at the horizon: from then on a
    /// watcher thread interrupts it (`signal::wake_signal`, every 20 ms until it returned), as
    /// Ctrl-C does. A run lasts its horizon, whatever its calls wait for: a 2 s scenario whose
    /// close() lingered 100 s took 102 s. The watcher sleeps until the horizon and is woken
    /// the moment `call` returns; it is joined before this returns, so no wake-up can reach a
    /// later call of the thread. Only for a close() that may linger (`sock::lingers`): the
    /// thread's start would delay every other close() and the FIN it sends.
    fn until_horizon<T>(&self, call: impl FnOnce() -> T) -> T {
        // The wake-up must find its handler (`install` sets it up in `main`; unit tests
        // call the runner without it): unhandled, a real-time signal ends the process.
        crate::sys::signal::install_wake_handler();
        // SAFETY: pthread_self has no preconditions.
        let me = unsafe { libc::pthread_self() };
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            let watcher = s.spawn(|| loop {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                let now = self.now();
                if now < self.horizon {
                    std::thread::park_timeout(Duration::from_micros(self.horizon - now));
                    continue;
                }
                // SAFETY: `me` is alive: it joins this thread before it can end.
                unsafe { libc::pthread_kill(me, crate::sys::signal::wake_signal()) };
                std::thread::park_timeout(Duration::from_millis(20));
            });
            let r = call();
            done.store(true, Ordering::SeqCst);
            watcher.thread().unpark();
            let _ = watcher.join();
            r
        })
    }

    /// Sleeps until `t` µs into the run (or the horizon); false if the horizon came first.
    fn sleep_until(&self, t: u64) -> Result<bool> {
        // On the recorder's clock: before time zero `now()` is 0, and a step at 0 must still
        // wait for it (`START_LEAD_US`).
        let due = self.t0 + t;
        loop {
            crate::sys::signal::check()?;
            let now = self.rec.now();
            if self.now() >= self.horizon {
                return Ok(false);
            }
            if now >= due {
                return Ok(true);
            }
            std::thread::sleep(Duration::from_micros((due - now).min(2_000)));
        }
    }

    /// One application script; returns its sockets, still open.
    fn script(&self, a: &AppScript) -> Result<Vec<Held>> {
        let spec = self
            .sc
            .sockets
            .iter()
            .find(|s| s.label == a.socket)
            .ok_or_else(|| LabError::Usage(format!("unknown socket {:?}", a.socket)))?;
        let side = self.side(&spec.host);
        if spec.proto == Proto::Udp {
            return self.udp_script(a).map(|()| Vec::new());
        }
        self.nss[side].enter()?;
        crate::sys::script_priority();
        let mut socks = vec![Sock {
            label: spec.label.clone(),
            id: None,
            held: None,
            parent: None,
        }];
        let mut cur = 0usize;
        let mut last_return = 0u64;
        for (k, step) in a.steps.iter().enumerate() {
            let Some(start) = self.wait_for_step(step, last_return)? else {
                break;
            };
            // A scripted peer's clock starts with the first step, however late the machine
            // let it run: the script's times are the scenario's, and a step at 0 that ran
            // at 13 ms (seen on a loaded machine) would otherwise shift everything the kernel
            // does against them.
            if let Some(z) = &self.script_zero {
                let zero = crate::sys::realtime_us().saturating_sub(start);
                let _ = z.compare_exchange(0, zero, Ordering::SeqCst, Ordering::SeqCst);
            }
            self.note_late(step, k == 0, start);
            if cur == 0 && socks[0].id.is_none() {
                self.share_listener(&mut socks[0])?;
            }
            if let Some(on) = &step.on {
                cur = socks.iter().position(|s| &s.label == on).ok_or_else(|| {
                    LabError::Usage(format!(
                        "step on {on:?}: the lab switches only to sockets its own script accepted"
                    ))
                })?;
            }
            let done = self.step(&mut socks, &mut cur, side, spec.port, &step.action)?;
            if let (Action::Listen { .. }, Some(id)) = (&step.action, socks[cur].id) {
                if let Ok(mut dues) = self.listen_dues.lock() {
                    dues.push((id, start));
                }
            }
            if !done {
                break;
            }
            last_return = self.now();
        }
        Ok(socks.into_iter().filter_map(|s| s.held).collect())
    }

    /// A script on one of the scenario's UDP sockets (made at time zero by `udp_run::open`).
    fn udp_script(&self, a: &AppScript) -> Result<()> {
        let u = self
            .udp
            .iter()
            .find(|u| u.label == a.socket)
            .ok_or_else(|| LabError::Usage(format!("unknown UDP socket {:?}", a.socket)))?;
        crate::sys::script_priority();
        let mut last_return = 0u64;
        for (k, step) in a.steps.iter().enumerate() {
            let Some(start) = self.wait_for_step(step, last_return)? else {
                break;
            };
            self.note_late(step, k == 0, start);
            if !u.step(self, &self.rec, self.hosts, self.ips, &step.action)? {
                break;
            }
            last_return = self.now();
        }
        Ok(())
    }

    /// Sleeps until `step` may start: at its time (`at`), `after` the previous call's return,
    /// never before that return. The start it waited for, or None at the horizon.
    fn wait_for_step(&self, step: &Step, last_return: u64) -> Result<Option<u64>> {
        let mut start = last_return;
        if let Some(t) = step.at_us {
            start = start.max(t);
        }
        if let Some(d) = step.after_us {
            start = start.max(last_return + d);
        }
        Ok(self.sleep_until(start)?.then_some(start))
    }

    /// Records how late a step with a due time began (`has_due_time`).
    fn note_late(&self, step: &Step, first: bool, start: u64) {
        if has_due_time(step, first) {
            self.late_us
                .fetch_max(self.now().saturating_sub(start), Ordering::Relaxed);
        }
    }

    /// Runs one step; false when a blocking call was still waiting at the horizon.
    fn step(
        &self,
        socks: &mut Vec<Sock>,
        cur: &mut usize,
        side: usize,
        port: u16,
        action: &Action,
    ) -> Result<bool> {
        let rec = &self.rec;
        let host = self.hosts[side];
        match action {
            // listen() again on a socket that listened (stopped by shutdown(SHUT_RD), which
            // leaves it bound and SS_UNCONNECTED: `inet_listen` may start it again).
            Action::Listen { backlog } if matches!(socks[*cur].held, Some(Held::Listener(_))) => {
                let id = self.id(&socks[*cur])?;
                let Some(Held::Listener(l)) = &socks[*cur].held else {
                    return Ok(true);
                };
                rec.call(id, AppCall::Listen { backlog: *backlog });
                let r = sock::listen_again(l, *backlog as i32);
                rec.ret(id, AppCallKind::Listen, result(r));
            }
            Action::Listen { backlog } => {
                let addr = SocketAddrV4::new(self.ips[side], port);
                rec.server_port(port);
                let id = rec.socket(host, Proto::Tcp, port, None, true, None, &socks[*cur].label);
                rec.call(id, AppCall::Listen { backlog: *backlog });
                let opts = sock::ListenOpts {
                    buffers: self.buffers(&socks[*cur]),
                    reuse_addr: self.spec(&socks[*cur]).is_some_and(|x| x.reuse_addr),
                    opts: self.opts(&socks[*cur], side),
                };
                // A failing socket() or setsockopt() is the lab's error, naming the call (`?`).
                let l = match sock::tcp_listener_with(addr, *backlog as i32, opts)? {
                    Ok(l) => l,
                    // bind() refused the port (EADDRINUSE): the call's result, as in the model,
                    // and the socket stays the script's, listening on nothing.
                    Err(source) => {
                        let errno = sock::errno_name(&source);
                        rec.ret(id, AppCallKind::Listen, AppResult::Error { errno });
                        socks[*cur].id = Some(id);
                        return Ok(true);
                    }
                };
                l.set_nonblocking(true)
                    .map_err(|e| io("listener O_NONBLOCK", e))?;
                let copy = l.try_clone().map_err(|e| io("listener dup", e))?;
                if let Ok(mut ls) = self.listeners.lock() {
                    ls.push((socks[*cur].label.clone(), id, copy));
                }
                rec.ret(id, AppCallKind::Listen, AppResult::Ok);
                socks[*cur].id = Some(id);
                socks[*cur].held = Some(Held::Listener(l));
            }
            Action::Accept { label } => {
                // accept() after an accept(): the script means the listener again, as the
                // format says and the model plays it (`call_accept`), open or closed since.
                if let Some(p) = socks[*cur].parent {
                    *cur = p;
                }
                let lid = self.id(&socks[*cur])?;
                let l = match &socks[*cur].held {
                    Some(Held::Listener(l)) => l,
                    // A connect()ed socket: EINVAL (`inet_accept`: not TCP_LISTEN), as in
                    // the model; the script ends there, as below.
                    Some(Held::Stream(_)) => {
                        rec.call(lid, AppCall::Accept);
                        let errno = "EINVAL".to_string();
                        rec.ret(lid, AppCallKind::Accept, AppResult::Error { errno });
                        return Ok(false);
                    }
                    // A socket whose listen() failed, or that was closed: accept() is EINVAL
                    // (`inet_accept`: not TCP_LISTEN), as in the model. With no connection
                    // to go on with, the script ends here, in the model too (`app_return`).
                    None => {
                        rec.call(lid, AppCall::Accept);
                        let errno = "EINVAL".to_string();
                        rec.ret(lid, AppCallKind::Accept, AppResult::Error { errno });
                        return Ok(false);
                    }
                };
                rec.call(lid, AppCall::Accept);
                let (st, peer) = loop {
                    crate::sys::signal::check()?;
                    match l.accept() {
                        Ok((st, std::net::SocketAddr::V4(peer))) => break (st, peer),
                        Ok(_) => return Err(LabError::Protocol("IPv6 peer".into())),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            if self.past_horizon() {
                                return Ok(false);
                            }
                            std::thread::sleep(Duration::from_micros(500));
                        }
                        // A listener stopped by shutdown(SHUT_RD) is out of LISTEN:
                        // `inet_accept` says EINVAL, the call's result; the script ends there
                        // as above.
                        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                            let errno = "EINVAL".to_string();
                            rec.ret(lid, AppCallKind::Accept, AppResult::Error { errno });
                            return Ok(false);
                        }
                        Err(e) => return Err(io("accept()", e)),
                    }
                };
                let lport = crate::experiments::local_port_stream(&st)?;
                let remote = rec.addr_of(peer);
                let name = label
                    .clone()
                    .unwrap_or_else(|| format!("{} conn", socks[*cur].label));
                let id = rec.socket(
                    host,
                    Proto::Tcp,
                    lport,
                    Some(remote),
                    false,
                    Some(lid),
                    &name,
                );
                rec.ret(lid, AppCallKind::Accept, AppResult::Accepted { socket: id });
                if self.closed_by_another(lid) {
                    drop(socks[*cur].held.take());
                }
                st.set_nonblocking(false)
                    .map_err(|e| io("accepted socket blocking", e))?;
                socks.push(Sock {
                    label: name,
                    id: Some(id),
                    held: Some(Held::stream(st)),
                    parent: Some(*cur),
                });
                *cur = socks.len() - 1;
            }
            Action::Connect { to } => {
                let (peer_side, peer_port) = self.addr(to)?;
                let peer = Addr {
                    host: self.hosts[peer_side],
                    port: peer_port,
                };
                // bind() (a fixed port another socket holds: EADDRINUSE) and connect() (a
                // 4-tuple a TIME-WAIT connection holds: EADDRNOTAVAIL) fail as calls do in
                // the model: the call's result, and the script stops there.
                let refused = |errno: String| {
                    let id = rec.socket(
                        host,
                        Proto::Tcp,
                        port,
                        Some(peer),
                        false,
                        None,
                        &socks[*cur].label,
                    );
                    rec.call(id, AppCall::Connect { to: peer });
                    rec.ret(id, AppCallKind::Connect, AppResult::Error { errno });
                    id
                };
                // A failing socket() or setsockopt() is the lab's error, naming the call (`?`).
                let pre = match sock::tcp_connect_prepare_with(
                    SocketAddrV4::new(self.ips[side], port),
                    self.buffers(&socks[*cur]),
                    self.opts(&socks[*cur], side),
                )? {
                    Ok(pre) => pre,
                    Err(source) => {
                        let id = refused(sock::errno_name(&source));
                        socks[*cur].id = Some(id);
                        return Ok(false);
                    }
                };
                let id = rec.socket(
                    host,
                    Proto::Tcp,
                    pre.port,
                    Some(peer),
                    false,
                    None,
                    &socks[*cur].label,
                );
                socks[*cur].id = Some(id);
                rec.call(id, AppCall::Connect { to: peer });
                let st = match pre.connect(SocketAddrV4::new(self.ips[peer_side], peer_port)) {
                    Ok(st) => st,
                    Err(LabError::Io { source, .. }) if source.raw_os_error().is_some() => {
                        let errno = sock::errno_name(&source);
                        rec.ret(id, AppCallKind::Connect, AppResult::Error { errno });
                        return Ok(false);
                    }
                    Err(e) => return Err(e),
                };
                // An unbound socket's port is connect()'s choice, known once it returned
                // (the SYN has left by then; segments are matched to sockets afterwards).
                if port == 0 {
                    let chosen = st
                        .local_addr()
                        .map_err(|e| io("getsockname after connect", e))?
                        .port();
                    rec.set_local_port(id, chosen);
                }
                let res = loop {
                    if let Some(r) = sock::wait_connected(&st, Duration::from_millis(5))? {
                        break r;
                    }
                    if self.past_horizon() {
                        socks[*cur].held = Some(Held::stream(st));
                        return Ok(false);
                    }
                };
                let ok = res.is_ok();
                rec.ret(
                    id,
                    AppCallKind::Connect,
                    match res {
                        Ok(()) => AppResult::Ok,
                        Err(errno) => AppResult::Error { errno },
                    },
                );
                st.set_nonblocking(false)
                    .map_err(|e| io("client blocking", e))?;
                socks[*cur].held = Some(Held::stream(st));
                if !ok {
                    // The model's script stops at a failed connect too.
                    return Ok(false);
                }
            }
            Action::Send { len, more, .. } => {
                let id = self.id(&socks[*cur])?;
                let st = self.stream(&socks[*cur])?;
                rec.call(
                    id,
                    AppCall::Send {
                        len: *len,
                        message: None,
                    },
                );
                // Until the horizon, or until a Ctrl-C or SIGTERM, which interrupts the call
                // (`send_all`).
                let left = || {
                    let now = self.now();
                    (now < self.horizon && crate::sys::signal::check().is_ok())
                        .then(|| Duration::from_micros(self.horizon - now))
                };
                match sock::send_all(st, &self.pattern[..*len as usize], *more, left) {
                    // Still asleep at the horizon: no return, as in the model; or stopped by a
                    // signal: no return either, and the script thread unwinds.
                    Ok(false) => {
                        crate::sys::signal::check()?;
                        return Ok(false);
                    }
                    r => rec.ret(id, AppCallKind::Send, result(r.map(|_| ()))),
                }
            }
            Action::Recv { max } => {
                let id = self.id(&socks[*cur])?;
                if self.recv(id, self.stream(&socks[*cur])?, *max)?.is_none() {
                    return Ok(false);
                }
            }
            Action::RecvLoop { max } => {
                let id = self.id(&socks[*cur])?;
                loop {
                    match self.recv(id, self.stream(&socks[*cur])?, *max)? {
                        None => return Ok(false),
                        Some(0) => break,
                        Some(_) => {}
                    }
                }
            }
            Action::Shutdown { how } => {
                let id = self.id(&socks[*cur])?;
                let how_std = match how {
                    ShutHow::Rd => std::net::Shutdown::Read,
                    ShutHow::Wr => std::net::Shutdown::Write,
                    ShutHow::Rdwr => std::net::Shutdown::Both,
                };
                // A listener too: SHUT_RD stops it, SHUT_WR does nothing (`inet_shutdown`).
                let r = match &socks[*cur].held {
                    Some(Held::Listener(l)) => {
                        rec.call(id, AppCall::Shutdown { how: *how });
                        sock::shutdown_listener(l, how_std)
                    }
                    _ => {
                        let st = self.stream(&socks[*cur])?;
                        rec.call(id, AppCall::Shutdown { how: *how });
                        st.shutdown(how_std)
                    }
                };
                rec.ret(id, AppCallKind::Shutdown, result(r));
            }
            Action::Close {} => {
                let id = self.id(&socks[*cur])?;
                rec.call(id, AppCall::Close);
                if matches!(socks[*cur].held, Some(Held::Listener(_))) {
                    self.close_shared_listener(id);
                }
                // A blocking socket with SO_LINGER {on, t}: close() itself waits (up to t) for
                // the FIN's ACK, so the return is stamped when it really came back. A Ctrl-C
                // ends that wait (`Held`'s `Drop`): no return then, the run stops there; and
                // so does the horizon, where the model's close() is still asleep.
                let held = socks[*cur].held.take();
                if matches!(&held, Some(Held::Stream(st)) if sock::lingers(st)) {
                    self.until_horizon(|| drop(held));
                } else {
                    drop(held);
                }
                crate::sys::signal::check()?;
                if self.past_horizon() {
                    return Ok(false);
                }
                rec.ret(id, AppCallKind::Close, AppResult::Ok);
            }
            Action::Abort {} => {
                let id = self.id(&socks[*cur])?;
                sock::set_linger_zero(self.stream(&socks[*cur])?)?;
                rec.call(id, AppCall::Abort);
                drop(socks[*cur].held.take());
                rec.ret(id, AppCallKind::Abort, AppResult::Ok);
            }
            Action::SetNoDelay { on } => {
                let id = self.id(&socks[*cur])?;
                let st = self.stream(&socks[*cur])?;
                rec.call(id, AppCall::SetNoDelay { on: *on });
                let r = st.set_nodelay(*on);
                rec.ret(id, AppCallKind::SetNoDelay, result(r));
            }
            Action::SetSockOpt(option) => {
                let id = self.id(&socks[*cur])?;
                let st = self.stream(&socks[*cur])?;
                rec.call(id, AppCall::SetSockOpt { option: *option });
                let r = match *option {
                    SockOpt::TcpCork { value: on } => {
                        sock::set_tcp_int(st, libc::TCP_CORK, on.into(), "TCP_CORK")
                    }
                    SockOpt::TcpQuickack { value: on } => {
                        sock::set_tcp_int(st, libc::TCP_QUICKACK, on.into(), "TCP_QUICKACK")
                    }
                    SockOpt::TcpUserTimeout { us } => sock::set_tcp_int(
                        st,
                        libc::TCP_USER_TIMEOUT,
                        i32::try_from(us / 1_000).unwrap_or(i32::MAX),
                        "TCP_USER_TIMEOUT",
                    ),
                    SockOpt::SoLinger { us } => {
                        sock::set_linger(st, us.map(|t| (t / 1_000_000) as u32))
                    }
                };
                rec.ret(id, AppCallKind::SetSockOpt, lab_result(r));
            }
            Action::Poll { timeout_us } => {
                let id = self.id(&socks[*cur])?;
                let fd = match &socks[*cur].held {
                    Some(Held::Stream(st)) => st.as_raw_fd(),
                    Some(Held::Listener(l)) => l.as_raw_fd(),
                    None => return Err(LabError::Usage("poll on a closed socket".into())),
                };
                rec.call(
                    id,
                    AppCall::Poll {
                        timeout_us: *timeout_us,
                    },
                );
                let clock: &dyn crate::udp_run::Clock = self;
                let Some(ready) = clock.wait_readable(fd, *timeout_us)? else {
                    return Ok(false);
                };
                rec.ret(id, AppCallKind::Poll, AppResult::Polled { ready });
            }
            Action::TcpInfo {} => {
                let id = self.id(&socks[*cur])?;
                let fd = match &socks[*cur].held {
                    Some(Held::Stream(st)) => st.as_raw_fd(),
                    Some(Held::Listener(l)) => l.as_raw_fd(),
                    None => return Err(LabError::Usage("TCP_INFO on a closed socket".into())),
                };
                rec.call(id, AppCall::TcpInfo);
                let r = match sock::tcp_info(fd) {
                    Ok(i) => match tcp_info_of(&i) {
                        Some(info) => AppResult::TcpInfo { info },
                        None => {
                            return Err(LabError::Protocol(format!(
                                "TCP_INFO: unknown state {}",
                                i.tcpi_state
                            )))
                        }
                    },
                    Err(e) => lab_result(Err(e)),
                };
                rec.ret(id, AppCallKind::TcpInfo, r);
            }
            Action::SendTo { .. } => {
                return Err(LabError::Usage("sendto is UDP; not run by the lab".into()))
            }
        }
        Ok(true)
    }

    /// One recv(): Some(bytes) once it returned (an error counts as returned, 0 bytes), None
    /// when it was still blocked at the horizon.
    fn recv(&self, id: SocketId, st: &TcpStream, max: u32) -> Result<Option<usize>> {
        self.rec.call(id, AppCall::Recv { max });
        // Short waits so the horizon and Ctrl-C are noticed; they are not calls of their own.
        st.set_read_timeout(Some(Duration::from_millis(5)))
            .map_err(|e| io("SO_RCVTIMEO", e))?;
        let mut buf = vec![0u8; max as usize];
        let mut r = st;
        loop {
            crate::sys::signal::check()?;
            match r.read(&mut buf) {
                Ok(n) => {
                    ret_recv(&self.rec, id, n, Vec::new());
                    return Ok(Some(n));
                }
                // SO_RCVTIMEO's expiry is EAGAIN (WouldBlock). ETIMEDOUT (TimedOut) is the
                // connection's own error (`tcp_write_err` after tcp_retries2) and is a result.
                // EINTR is the lab's: SIGINT or SIGTERM landed on this thread (the process's
                // signal goes to any one of its threads), and the loop's check stops the run.
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                    if self.past_horizon() {
                        return Ok(None);
                    }
                }
                Err(e) => {
                    self.rec.ret(
                        id,
                        AppCallKind::Recv,
                        AppResult::Error {
                            errno: sock::errno_name(&e),
                        },
                    );
                    return Ok(Some(0));
                }
            }
        }
    }

    /// The scenario's socket `s` was made from.
    fn spec(&self, s: &Sock) -> Option<&synack_model::scenario::SocketSpec> {
        self.sc.sockets.iter().find(|x| x.label == s.label)
    }

    /// The congestion control the scenario's profile describes, for every socket the runner
    /// makes (a listener passes it on to what it accepts): never the host's (see
    /// [`sock::Congestion`]).
    fn congestion(&self, side: usize) -> sock::Congestion {
        sock::Congestion::of(&self.sc.profile.profile().with(&self.sc.host_tuning(side)))
    }

    /// The options the scenario's socket `s` sets before bind(), in the kernel's units.
    fn opts(&self, s: &Sock, side: usize) -> sock::TcpOpts {
        self.spec(s).map_or_else(
            || sock::TcpOpts {
                congestion: Some(self.congestion(side)),
                ..sock::TcpOpts::default()
            },
            |x| sock::TcpOpts {
                congestion: Some(self.congestion(side)),
                reuse_addr: x.reuse_addr,
                reuse_port: x.reuse_port,
                no_delay: x.no_delay,
                cork: x.cork,
                user_timeout_ms: x.user_timeout_us.map(|us| (us / 1_000) as u32),
                linger_s: x.linger_us.map(|us| (us / 1_000_000) as u32),
                max_seg: x.max_seg,
                syn_count: x.syn_count,
            },
        )
    }

    /// The buffers the scenario gives the socket `s` was made from.
    fn buffers(&self, s: &Sock) -> sock::Buffers {
        self.spec(s)
            .map_or_else(sock::Buffers::default, |x| sock::Buffers {
                rcv: x.recv_buffer,
                snd: x.send_buffer,
            })
    }

    /// A script whose socket another script made listen: it calls on that listener (a
    /// copy of its descriptor, as another thread's calls on one descriptor).
    fn share_listener(&self, s: &mut Sock) -> Result<()> {
        let Ok(ls) = self.listeners.lock() else {
            return Ok(());
        };
        if let Some((_, id, l)) = ls.iter().find(|(label, ..)| *label == s.label) {
            let copy = l.try_clone().map_err(|e| io("listener dup", e))?;
            s.id = Some(*id);
            s.held = Some(Held::Listener(copy));
        }
        Ok(())
    }

    /// A script closes listener `id`: the shared copy goes, and if another script still holds
    /// the listener, that one lets it go after its accept() ([`Ctx::closed_by_another`]).
    fn close_shared_listener(&self, id: SocketId) {
        let Ok(mut ls) = self.listeners.lock() else {
            return;
        };
        let before = ls.len();
        ls.retain(|(_, l, _)| *l != id);
        if ls.len() < before {
            if let Ok(mut c) = self.closed_listeners.lock() {
                c.push(id);
            }
        }
    }

    /// Whether another script closed listener `id` while this one held it.
    fn closed_by_another(&self, id: SocketId) -> bool {
        self.closed_listeners.lock().is_ok_and(|c| c.contains(&id))
    }

    fn id(&self, s: &Sock) -> Result<SocketId> {
        s.id.ok_or_else(|| {
            LabError::Usage(format!(
                "socket {:?} is used before connect, listen or accept made it",
                s.label
            ))
        })
    }

    fn stream<'s>(&self, s: &'s Sock) -> Result<&'s TcpStream> {
        match &s.held {
            Some(Held::Stream(st)) => Ok(&**st),
            Some(Held::Listener(_)) => Err(LabError::Usage(format!(
                "socket {:?} is listening; that call needs a connection",
                s.label
            ))),
            None => Err(LabError::Usage(format!(
                "socket {:?} is not connected (or already closed)",
                s.label
            ))),
        }
    }
}

impl crate::udp_run::Clock for Ctx<'_> {
    fn now(&self) -> u64 {
        Ctx::now(self)
    }
    fn past_horizon(&self) -> bool {
        Ctx::past_horizon(self)
    }
    fn addr(&self, to: &str) -> Result<(usize, u16)> {
        Ctx::addr(self, to)
    }
}

/// `getsockopt(TCP_INFO)` as the model reports it (`struct tcp_info`'s units: µs, segments).
fn tcp_info_of(i: &libc::tcp_info) -> Option<TcpInfo> {
    Some(TcpInfo {
        state: crate::recorder::linux_state(i.tcpi_state)?,
        rto_us: i.tcpi_rto.into(),
        rtt_us: i.tcpi_rtt.into(),
        cwnd: i.tcpi_snd_cwnd,
        ssthresh: i.tcpi_snd_ssthresh,
        snd_mss: i.tcpi_snd_mss,
        unacked: i.tcpi_unacked,
        retransmits: i.tcpi_retransmits.into(),
        total_retrans: i.tcpi_total_retrans,
    })
}

/// Whether a script's step has a time it can be late for: a timed one (`at`, `after`), and a
/// script's first step, due at time zero. Another untimed step starts when the previous call
/// returns, which is never late. A thread the machine starts late runs its first step late
/// with everything after it, and the run must say the machine was busy rather than show that
/// as the kernel's: the one way found for `time-wait-rebind-reuseaddr+delay=100` to stop a
/// long sweep (its old listener's thread held 600 ms: its listen() comes after the restarted
/// listener's at 500 ms and gets EADDRINUSE, which no timing of the kernel's gives).
fn has_due_time(step: &Step, first: bool) -> bool {
    first || step.at_us.is_some() || step.after_us.is_some()
}

fn lab_result(r: Result<()>) -> AppResult {
    match r {
        Ok(()) => AppResult::Ok,
        Err(LabError::Io { source, .. }) => AppResult::Error {
            errno: sock::errno_name(&source),
        },
        Err(e) => AppResult::Error {
            errno: e.to_string(),
        },
    }
}

fn result(r: std::io::Result<()>) -> AppResult {
    match r {
        Ok(()) => AppResult::Ok,
        Err(e) => AppResult::Error {
            errno: sock::errno_name(&e),
        },
    }
}

/// A run of `sc` as the lab would record it, the model standing in for the kernel: on time,
/// dumps close together, and its listen() calls (`dues`) judged as the lab judges them.
#[cfg(test)]
pub(crate) fn stand_in_run(sc: &Scenario, dues: &[(SocketId, u64)]) -> KernelRun {
    let trace = synack_model::simulate(sc).expect("the model runs the case");
    let late_listen = late_listen(&trace, dues);
    KernelRun {
        scenario: sc.clone(),
        trace,
        pcap: Vec::new(),
        warnings: Vec::new(),
        machine: Machine::default(),
        disturbance_us: 0,
        poll_gap_us: 0,
        script_failure: None,
        late_listen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_mtu_other_than_the_wires_is_refused_naming_it() {
        // The lab neither set nor refused it: the kernel ran at 1500 while the model took the
        // scenario's MTU (a smaller one's MSS, a larger one's UDP fragments).
        let mut sc = case();
        sc.network.default.mtu = 576;
        refused(&sc, "network.default.mtu 576");
        refused(&sc, "hosts[].tuning.mss");
        // Larger is the same for TCP (the MSS is the measured one), not for UDP's fragments.
        sc.network.default.mtu = 9000;
        assert!(check(&sc).is_ok());
        let mut udp = crate::cases::scenario("udp-fragments").unwrap();
        udp.network.default.mtu = 9000;
        refused(&udp, "network.default.mtu 9000");
        udp.network.default.mtu = wire::MTU;
        assert!(check(&udp).is_ok());
    }

    #[test]
    fn a_scenario_without_limits_is_watched_until_the_model_is_quiet_and_three_seconds_more() {
        // The format's default horizon is an hour, which the lab refused outright, so every
        // scenario written without `limits` (five of docs/examples) could not be compared.
        let mut sc = case();
        sc.limits.max_time_us = synack_model::scenario::Limits::default().max_time_us;
        assert!(check(&sc).is_err());
        let quiet = synack_model::simulate(&sc)
            .unwrap()
            .events
            .last()
            .unwrap()
            .t;
        let (fitted, said) = fit_horizon(&sc).unwrap();
        let fitted = fitted.expect("fits");
        assert_eq!(fitted.limits.max_time_us, quiet + QUIET_MARGIN_US);
        assert!(check(&fitted).is_ok());
        assert!(said.unwrap().contains("the model's run is over at"));
        // A horizon the lab can watch is left as written.
        assert_eq!(fit_horizon(&case()).unwrap(), (None, None));
        // A model still busy past what the lab watches (every SYN lost, 9 retries: 1023 s)
        // is refused as before.
        let mut long = crate::cases::scenario("handshake-syn-timeout").unwrap();
        long.limits.max_time_us = sc.limits.max_time_us;
        long.tuning.syn_retries = Some(9);
        assert_eq!(fit_horizon(&long).unwrap(), (None, None));
        assert!(check(&long).is_err());
    }

    #[test]
    fn each_client_is_given_the_reuseport_listener_that_took_its_connection_in_the_run() {
        // The documented two-worker example, run by the model standing in for the kernel: the
        // picks read off its trace must send every connection where that run sent it, and a
        // listener alone on its port (the latecomer's EADDRINUSE aside) gives no pick.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/examples/reuseport-workers.json"
        );
        let sc = Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let run = synack_model::simulate(&sc).unwrap();
        let mut given = sc.clone();
        // Picks the other way round from the run's: the lab replaces what a scenario wrote.
        for s in given
            .sockets
            .iter_mut()
            .filter(|s| s.label.starts_with('c'))
        {
            s.reuseport_pick = Some("worker 1".into());
        }
        reuseport_picks(&mut given, &run);
        let mut to = std::collections::BTreeMap::new();
        for so in run.sockets.iter().filter(|s| s.parent.is_some()) {
            let client = run
                .sockets
                .iter()
                .find(|c| {
                    Some(Addr {
                        host: c.host,
                        port: c.local_port,
                    }) == so.remote
                })
                .unwrap();
            let parent = &run.sockets[so.parent.unwrap().0 as usize].label;
            to.insert(client.label.clone(), parent.clone());
        }
        assert_eq!(to.len(), 8, "{to:?}");
        assert!(
            to.values().any(|w| w == "worker 2"),
            "the run split them: {to:?}"
        );
        for s in &given.sockets {
            assert_eq!(s.reuseport_pick.as_ref(), to.get(&s.label), "{}", s.label);
        }
        // The model given the picks repeats the run.
        assert_eq!(synack_model::simulate(&given).unwrap().events, run.events);
    }

    fn case() -> Scenario {
        crate::cases::scenario("handshake-normal").expect("a case")
    }

    fn refused(sc: &Scenario, why: &str) {
        match check(sc) {
            Err(LabError::Usage(m)) => assert!(m.contains(why), "{m}"),
            other => panic!("expected a usage error about {why:?}, got {other:?}"),
        }
    }

    fn machine(window_scale: u8, recv_buffer: u32) -> Machine {
        Machine {
            mtu: 1500,
            mss: 1460,
            window_scale,
            recv_buffer,
            rcv_skb_overhead: 856,
            rmem_max: 4194304,
            wmem_max: 4194304,
            ..Machine::default()
        }
    }

    #[test]
    fn each_namespace_s_measures_reach_the_model_as_its_host_s() {
        // Both alike: the scenario's `tuning` has them, no host has its own.
        let mut sc = case();
        machines_into(&mut sc, &[machine(10, 65536), machine(10, 65536)]);
        assert_eq!(sc.tuning.window_scale, Some(Some(10)));
        assert_eq!(sc.tuning.recv_buffer, Some(65536));
        assert!(sc.hosts.iter().all(|h| h.tuning == Default::default()));
        // The server's own tcp_rmem[2] gave its namespace another shift: the model plays the
        // server's measure for the server only.
        let mut sc = case();
        sc.hosts[1].tuning.rcvbuf_max = Some(1048576);
        machines_into(&mut sc, &[machine(10, 65536), machine(7, 65536)]);
        assert_eq!(sc.tuning.window_scale, Some(Some(10)));
        assert_eq!(sc.hosts[1].tuning.window_scale, Some(Some(7)));
        assert_eq!(sc.hosts[1].tuning.rcvbuf_max, Some(1048576));
        assert_eq!(sc.hosts[0].tuning.window_scale, None);
        let p = |sc: &Scenario, i| sc.profile.profile().with(&sc.host_tuning(i));
        assert_eq!(p(&sc, 0).window_scale, Some(10));
        assert_eq!(p(&sc, 1).window_scale, Some(7));
        // One host without window scaling (tcp_window_scaling 0 in its namespace): its null
        // stays, the other's shift is measured.
        for off in 0..2 {
            let mut sc = case();
            sc.hosts[off].tuning.window_scale = Some(None);
            machines_into(&mut sc, &[machine(10, 65536), machine(10, 65536)]);
            assert_eq!(p(&sc, off).window_scale, None, "hosts[{off}]");
            assert_eq!(p(&sc, 1 - off).window_scale, Some(10), "hosts[{}]", 1 - off);
        }
        // A shift a host names is the machine's, as the scenario's is.
        let mut sc = case();
        sc.hosts[0].tuning.window_scale = Some(Some(3));
        machines_into(&mut sc, &[machine(10, 65536), machine(10, 65536)]);
        assert_eq!(p(&sc, 0).window_scale, Some(10));
        // Another tcp_rmem[1] in one namespace: its receive buffer.
        let mut sc = case();
        machines_into(&mut sc, &[machine(10, 65536), machine(10, 32768)]);
        assert_eq!(p(&sc, 0).recv_buffer, 65536);
        assert_eq!(p(&sc, 1).recv_buffer, 32768);
    }

    #[test]
    fn a_host_behind_a_smaller_mtu_gets_its_own_mss_and_the_wire_s_skb_overhead() {
        let small = |mtu: u32| Machine {
            mtu,
            mss: (mtu - 40) as u16,
            ..machine(10, 65536)
        };
        // The client behind MTU 576: its own 536, the scenario's the wire's 1460, whichever
        // host is first; the skb overhead is the wire's on both (856, measured at 1500).
        for i in 0..2 {
            let mut sc = case();
            sc.hosts[i].tuning.mss = Some(536);
            let mut ms = [machine(10, 65536), machine(10, 65536)];
            ms[i] = small(576);
            machines_into(&mut sc, &ms);
            assert_eq!(sc.tuning.mss, Some(1460), "hosts[{i}]");
            let p = |j| sc.profile.profile().with(&sc.host_tuning(j));
            assert_eq!(p(i).mss, 536);
            assert_eq!(p(1 - i).mss, 1460);
            assert_eq!(p(i).rcv_skb_overhead, 856);
            assert_eq!(sc.hosts[1 - i].tuning.mss, None);
        }
        // Both hosts behind MTU 1040 (the scenario's `mss` 1000): the scenario's is 1000.
        let mut sc = case();
        sc.tuning.mss = Some(1000);
        machines_into(&mut sc, &[small(1040), small(1040)]);
        assert_eq!(sc.tuning.mss, Some(1000));
        assert!(sc.hosts.iter().all(|h| h.tuning.mss.is_none()));
    }

    #[test]
    fn a_scenario_the_wire_cannot_reproduce_is_refused_with_the_reason() {
        assert!(check(&case()).is_ok());
        let mut sc = case();
        sc.network.default.jitter_us = 1_000;
        refused(&sc, "jitter");
        // The wire hands packets over as it does: a file may say so (or say nothing, 0), not
        // ask for another pace.
        for pace in &wire::PACES {
            for ok in [0, pace.lab] {
                let mut sc = case();
                *(pace.field)(&mut sc.network.default) = ok;
                assert!(check(&sc).is_ok(), "{}: {ok}", pace.name);
            }
            let mut sc = case();
            *(pace.field)(&mut sc.network.default) = pace.lab + 1;
            refused(&sc, &format!("{} {}", pace.name, pace.lab + 1));
        }
        // The machine's wake-up time is the lab's to give, as its MSS is.
        let mut sc = case();
        sc.tuning.reader_wake_us = Some(wire::READER_WAKE_US);
        sc.tuning.writer_wake_us = Some(wire::WRITER_WAKE_US);
        assert!(check(&sc).is_ok());
        let mut sc = case();
        sc.limits.max_time_us = 3_600_000_000;
        refused(&sc, "max_time_us");
        let mut sc = case();
        sc.sockets[0].host = "elsewhere".into();
        refused(&sc, "unknown host");
        let mut sc = case();
        sc.tuning.delayed_ack_us = Some(1);
        refused(&sc, "delayed_ack_us");
        let mut sc = case();
        sc.faults.push(synack_model::scenario::FaultRule {
            from: None,
            to: None,
            matches: synack_model::scenario::SegmentMatch::Any,
            nth: None,
            after_us: None,
            until_us: None,
            action: FaultAction::Duplicate {},
        });
        refused(&sc, "fault rule 0");
    }

    #[test]
    fn a_scripted_peer_is_run_by_the_wire_but_one_host_must_be_the_kernel() {
        let sc = crate::inject::case("zero-window-probes").expect("a scripted case");
        assert!(check(&sc).is_ok(), "{:?}", check(&sc).err());
        let mut both = sc.clone();
        both.hosts[0].script = both.hosts[1].script.clone();
        refused(&both, "both hosts are scripted");
        let mut bad = sc.clone();
        if let Some(script) = &mut bad.hosts[1].script {
            script.lines[1].send.as_mut().expect("a send line").flags = "SR".into();
        }
        refused(&bad, "hosts[1].script.lines[1].send.flags");
        let mut nowhere = sc;
        if let Some(script) = &mut nowhere.hosts[1].script {
            script.remote = Some("elsewhere:80".into());
        }
        refused(&nowhere, "hosts[1].script.remote");
    }

    #[test]
    fn a_time_in_the_tuning_is_written_in_its_sysctls_unit_and_a_fraction_of_that_unit_is_refused()
    {
        let mut sc = case();
        sc.tuning.fin_wait2_timeout_us = Some(Some(2_000_000));
        sc.tuning.rto_max_us = Some(1_000_000);
        sc.tuning.data_retries = Some(3);
        assert!(check(&sc).is_ok());
        let v = |f: &str, x: serde_json::Value| {
            let (_, unit) = sysctl_for(f).expect("a sysctl");
            sysctl_value(f, &x, unit)
        };
        assert_eq!(v("fin_wait2_timeout_us", 2_000_000.into()), Ok("2".into()));
        assert_eq!(v("rto_max_us", 1_000_000.into()), Ok("1000".into()));
        assert_eq!(v("data_retries", 3.into()), Ok("3".into()));
        assert_eq!(v("abort_on_overflow", true.into()), Ok("1".into()));
        sc.tuning.fin_wait2_timeout_us = Some(Some(2_500_000));
        refused(&sc, "whole seconds");
        // 0 is a setting (tcp_fin_time's floor); no timeout at all is none.
        sc.tuning.fin_wait2_timeout_us = Some(Some(0));
        assert!(check(&sc).is_ok());
        assert_eq!(v("fin_wait2_timeout_us", 0.into()), Ok("0".into()));
        sc.tuning.fin_wait2_timeout_us = Some(None);
        refused(&sc, "no kernel setting gives");
        let mut sc = case();
        sc.tuning.rto_max_us = Some(1_000_500);
        refused(&sc, "whole milliseconds");
    }

    #[test]
    fn a_scripts_first_step_is_due_at_time_zero_so_a_late_thread_counts_as_lateness() {
        // time-wait-rebind-reuseaddr: the listener's listen() and accept() are untimed.
        let sc = crate::cases::scenario("time-wait-rebind-reuseaddr").expect("a case");
        let steps = &sc.apps[0].steps;
        assert!(steps[0].at_us.is_none() && steps[0].after_us.is_none());
        assert!(has_due_time(&steps[0], true), "the first step is due at 0");
        assert!(
            !has_due_time(&steps[1], false),
            "accept() follows listen()'s return"
        );
        assert!(has_due_time(&steps[3], false), "close() at 200 ms");
    }

    #[test]
    fn a_listen_that_returned_after_its_first_syn_drew_a_rst_makes_the_run_disturbed() {
        // handshake-normal: listen() due at 0, connect() at 50 ms, the SYN arrives at 70 ms.
        let on_time = case();
        let listener = |sc: &Scenario| {
            let trace = synack_model::simulate(sc).unwrap();
            trace
                .sockets
                .iter()
                .find(|s| s.label == "listener")
                .expect("the listener")
                .id
        };
        let id = listener(&on_time);
        let run = stand_in_run(&on_time, &[(id, 0)]);
        assert_eq!(run.late_listen, None);
        assert!(!run.disturbed());
        // The same run with the listen() returning at 100 ms, as a loaded machine let it: the
        // SYN meets no listener and draws a RST, though the thread started on time.
        let mut late = case();
        late.apps[0].steps[0].at_us = Some(100_000);
        let id = listener(&late);
        let run = stand_in_run(&late, &[(id, 0)]);
        assert_eq!(
            run.late_listen,
            Some(LateListen {
                port: 9999,
                due_us: 0,
                syn_us: 70_000,
                returned_us: 100_000,
            })
        );
        assert_eq!(run.disturbance_us, 0, "no step started late");
        assert!(run.disturbed(), "the rest of the run is not the scenario's");
        assert_eq!(run.unrest(), 100_000);
        let warning = run.late_listen.as_ref().unwrap().warning();
        assert!(
            warning.contains("due at 0.0 ms but returned at 100.0 ms")
                && warning.contains("had arrived (70.0 ms) and drawn a RST"),
            "{warning}"
        );
        // A listen() the scenario itself has due after the SYN: the RST is the scenario's.
        assert_eq!(late_listen(&run.trace, &[(id, 100_000)]), None);
        // A SYN that arrived before the due time is the scenario's too, whatever came later.
        assert_eq!(late_listen(&run.trace, &[(id, 80_000)]), None);
    }

    #[test]
    fn tcp_timestamps_2_is_timestamps_without_the_offset_and_untouched_unless_tuned() {
        let mut sc = crate::cases::scenario("handshake-normal").unwrap();
        assert_eq!(timestamps_sysctl(&sc, &sc.tuning), None);
        sc.tuning.timestamps_offset = Some(false);
        assert!(check(&sc).is_ok(), "the runner sets timestamps_offset");
        assert_eq!(timestamps_sysctl(&sc, &sc.tuning), Some("2"));
        sc.tuning.timestamps = Some(false);
        assert_eq!(timestamps_sysctl(&sc, &sc.tuning), Some("0"));
        sc.tuning.timestamps = Some(true);
        sc.tuning.timestamps_offset = Some(true);
        assert_eq!(timestamps_sysctl(&sc, &sc.tuning), Some("1"));
    }

    #[test]
    fn tcp_syncookies_2_is_syncookies_always_and_untouched_unless_the_scenario_tunes_it() {
        let mut sc = case();
        assert_eq!(syncookies_sysctl(&sc, &sc.tuning), None);
        sc.tuning.syncookies_always = Some(true);
        assert!(check(&sc).is_ok(), "the runner sets syncookies_always");
        assert_eq!(syncookies_sysctl(&sc, &sc.tuning), Some("2"));
        sc.tuning.syncookies = Some(false);
        assert_eq!(syncookies_sysctl(&sc, &sc.tuning), Some("0"));
        sc.tuning.syncookies = Some(true);
        sc.tuning.syncookies_always = Some(false);
        assert_eq!(syncookies_sysctl(&sc, &sc.tuning), Some("1"));
    }
}
