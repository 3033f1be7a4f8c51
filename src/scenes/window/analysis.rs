//! The window scene's facts, read out of a model trace: everything drawn is a pure function
//! of (trace, playhead). [`roles`] finds the bulk sender, [`series`] extracts its window
//! history once per trace, [`strip`] lays out the byte stream for one [`WindowState`],
//! [`recv_view`] reads the receiver at the playhead. Geometry is in percent so the text stays
//! at its CSS size at any width (no scaled SVG text).

use synack_model::trace::{
    Addr, EventKind, Header, Micros, QueueKind, SocketId, TimerKind, Trace, WindowState,
};

use crate::i18n::{Lang, T};
use crate::num;

// ------------------------------------------------------------------------------ who is who

/// The bulk sender and its peer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Roles {
    pub sender: SocketId,
    pub receiver: Option<SocketId>,
    /// The sender's address and the receiver's.
    pub src: Addr,
    pub dst: Addr,
    /// The sender's initial sequence number: stream byte 0 is `iss + 1`.
    pub iss: u32,
    /// The receiver's window scale shift (RFC 7323 §2.2), when both SYNs carried the option.
    pub rcv_shift: Option<u8>,
}

/// The direction that carried the most payload is the bulk transfer; its sockets are the
/// non-listening sockets at either end.
pub fn roles(trace: &Trace) -> Option<Roles> {
    let mut bytes: std::collections::BTreeMap<(Addr, Addr), u64> = Default::default();
    for ev in &trace.events {
        if let EventKind::SegmentSent { segment, .. } = &ev.kind {
            if matches!(segment.header, Header::Tcp(_)) {
                *bytes.entry((segment.src, segment.dst)).or_default() += segment.payload_len as u64;
            }
        }
    }
    let (&(src, dst), _) = bytes
        .iter()
        .max_by_key(|(k, v)| (**v, std::cmp::Reverse(**k)))?;
    let sock = |a: Addr| {
        trace
            .sockets
            .iter()
            .find(|s| s.host == a.host && s.local_port == a.port && !s.listener)
            .map(|s| s.id)
    };
    let mut iss = None;
    let mut ws = [None, None];
    for ev in &trace.events {
        if let EventKind::SegmentSent { segment, .. } = &ev.kind {
            if let Header::Tcp(h) = &segment.header {
                if segment.src == src && segment.dst == dst {
                    iss.get_or_insert(if h.flags.syn {
                        h.seq
                    } else {
                        h.seq.wrapping_sub(1)
                    });
                }
                if h.flags.syn {
                    let i = usize::from(segment.src == dst);
                    ws[i] = ws[i].or(Some(h.options.window_scale));
                }
            }
        }
    }
    let rcv_shift = match ws {
        [Some(Some(_)), Some(Some(r))] => Some(r),
        _ => None,
    };
    Some(Roles {
        sender: sock(src)?,
        receiver: sock(dst),
        src,
        dst,
        iss: iss?,
        rcv_shift,
    })
}

/// Stream offset of a sender sequence number (negative before the SYN is acknowledged → 0).
pub fn rel(roles: &Roles, seq: u32) -> u64 {
    let d = seq.wrapping_sub(roles.iss.wrapping_add(1)) as i32;
    d.max(0) as u64
}

// ------------------------------------------------------------------------------ the strip

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    Acked,
    InFlight,
    Usable,
    NotUsable,
}

impl Region {
    pub fn css(self) -> &'static str {
        match self {
            Region::Acked => "r-acked",
            Region::InFlight => "r-flight",
            Region::Usable => "r-usable",
            Region::NotUsable => "r-later",
        }
    }
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Region::Acked => T::new("已确认", "acknowledged").get(lang),
            Region::InFlight => {
                T::new("在途（已发未确认）", "in flight (sent, not acked)").get(lang)
            }
            Region::Usable => T::new("可用（现在可发）", "usable (may send now)").get(lang),
            Region::NotUsable => T::new("窗口外（暂不可发）", "beyond the window").get(lang),
        }
    }
}

/// Byte offsets of the window at one instant (stream offsets, byte 0 = first data byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edges {
    pub una: u64,
    pub nxt: u64,
    /// End of the data sent so far (snd_max: after an RTO, snd_nxt goes back to snd_una).
    pub sent: u64,
    /// snd_una + min(snd_wnd, cwnd): the right edge of what may be sent.
    pub edge: u64,
    /// snd_una + snd_wnd and snd_una + cwnd, to show which of the two limits.
    pub rwnd_edge: u64,
    pub cwnd_edge: u64,
    /// End of the data the application has written.
    pub written: u64,
}

pub fn edges(roles: &Roles, w: &WindowState, send_buffer: u32) -> Edges {
    let una = rel(roles, w.snd_una);
    let nxt = rel(roles, w.snd_nxt).max(una);
    let sent = (una + w.in_flight as u64).max(nxt);
    let rwnd_edge = una + w.snd_wnd as u64;
    let cwnd_edge = una + w.cwnd as u64;
    Edges {
        una,
        nxt,
        sent,
        edge: rwnd_edge.min(cwnd_edge),
        rwnd_edge,
        cwnd_edge,
        written: (una + send_buffer as u64).max(sent),
    }
}

/// The strip for a view of the stream `[lo, hi)`: regions as (region, left %, width %) in
/// stream order, clipped to the view and to the bytes written, plus markers in percent.
#[derive(Clone, Debug, PartialEq)]
pub struct Strip {
    pub regions: Vec<(Region, f64, f64)>,
    pub una: f64,
    pub nxt: f64,
    pub edge: f64,
}

pub fn strip(e: &Edges, lo: u64, hi: u64) -> Strip {
    let span = hi.saturating_sub(lo).max(1) as f64;
    let x = |b: u64| (b.clamp(lo, hi) - lo) as f64 / span * 100.0;
    let usable_end = e.edge.max(e.sent).min(e.written);
    let parts = [
        (Region::Acked, 0, e.una),
        (Region::InFlight, e.una, e.sent),
        (Region::Usable, e.sent, usable_end),
        (Region::NotUsable, usable_end.max(e.sent), e.written),
    ];
    let regions = parts
        .into_iter()
        .filter_map(|(r, a, b)| {
            let (x0, x1) = (x(a), x(b));
            (x1 > x0).then_some((r, x0, x1 - x0))
        })
        .collect();
    Strip {
        regions,
        una: x(e.una),
        nxt: x(e.nxt),
        edge: x(e.edge),
    }
}

/// The zoomed view around the window: a power-of-two span (so the scale changes rarely and
/// by readable steps) that holds the window with room beyond it, starting a quarter of a
/// span before snd_una.
pub fn zoom(e: &Edges) -> (u64, u64) {
    let reach = (e.edge.max(e.sent) - e.una).max(4096);
    let span = (reach + reach / 3).next_power_of_two();
    let lo = e.una.saturating_sub(span / 4);
    (lo, lo + span + span / 4)
}

// ------------------------------------------------------------------------------ the chart

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// A data segment of the sender was lost.
    Lost,
    /// Retransmitted without a timer: three duplicate ACKs (or a NewReno partial ACK).
    FastRetransmit,
    /// Retransmitted because the retransmission timer fired.
    Rto,
    /// A zero-window probe (persist timer).
    Probe,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    SlowStart,
    Avoidance,
    FastRecovery,
    /// After a retransmission timeout, until snd_una moves again.
    Backoff,
    ZeroWindow,
}

impl Phase {
    pub fn css(self) -> &'static str {
        match self {
            Phase::SlowStart => "p-ss",
            Phase::Avoidance => "p-ca",
            Phase::FastRecovery => "p-fr",
            Phase::Backoff => "p-rto",
            Phase::ZeroWindow => "p-zw",
        }
    }
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Phase::SlowStart => T::new("慢启动", "slow start").get(lang),
            Phase::Avoidance => T::new("拥塞避免", "congestion avoidance").get(lang),
            Phase::FastRecovery => T::new("快速恢复", "fast recovery").get(lang),
            Phase::Backoff => T::new("超时等待（RTO 退避）", "timeout (RTO backoff)").get(lang),
            Phase::ZeroWindow => T::new("零窗口", "zero window").get(lang),
        }
    }
}

/// The sender's window history and what happened to its data.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Every `WindowChanged` of the sender, with the send buffer length at that moment.
    pub samples: Vec<(Micros, WindowState, u32)>,
    pub marks: Vec<(Micros, MarkKind)>,
    /// Phases as spans `[from, to)` between the first data and the last acknowledgement.
    pub phases: Vec<(Micros, Micros, Phase)>,
    /// Chart time range end and value range top (bytes).
    pub t_end: Micros,
    pub y_max: u32,
}

impl Series {
    /// The sample in force at `t` (the last one at or before it).
    pub fn at(&self, t: Micros) -> Option<&(Micros, WindowState, u32)> {
        let i = self.samples.partition_point(|s| s.0 <= t);
        i.checked_sub(1).map(|i| &self.samples[i])
    }

    /// Bytes acknowledged per second over `[t - span, t]`.
    pub fn throughput(&self, roles: &Roles, t: Micros, span: Micros) -> f64 {
        let una = |t: Micros| self.at(t).map_or(0, |s| rel(roles, s.1.snd_una));
        let from = t.saturating_sub(span);
        if t <= from {
            return 0.0;
        }
        una(t).saturating_sub(una(from)) as f64 / ((t - from) as f64 / 1e6)
    }
}

pub fn series(trace: &Trace, roles: &Roles) -> Series {
    let mut samples: Vec<(Micros, WindowState, u32)> = Vec::new();
    let mut sendbuf = 0;
    let mut marks = Vec::new();
    let mut sent: std::collections::BTreeMap<_, (Micros, bool)> = Default::default();
    let mut fired: Option<(Micros, TimerKind)> = None;
    let mut last_receiver_t = 0;
    // Duplicate ACKs reaching the sender (RFC 5681 §2: no data, same ACK number, same
    // window): a retransmission they trigger is a fast retransmit; one after a new ACK (the lost
    // segments resent after an RTO, a NewReno partial ACK) is not marked.
    let mut acks: std::collections::BTreeMap<_, (u32, u16, bool)> = Default::default();
    let mut last_ack: Option<(u32, u16)> = None;
    let mut dups = 0u32;
    for ev in &trace.events {
        match &ev.kind {
            EventKind::WindowChanged { socket, window } if *socket == roles.sender => {
                samples.push((ev.t, *window, sendbuf));
            }
            EventKind::QueueChanged {
                socket,
                queue: QueueKind::SendBuffer,
                len,
                ..
            } if *socket == roles.sender => {
                sendbuf = *len;
                if let Some(s) = samples.last_mut().filter(|s| s.0 == ev.t) {
                    s.2 = *len;
                }
            }
            EventKind::WindowChanged { socket, .. } | EventKind::QueueChanged { socket, .. }
                if Some(*socket) == roles.receiver =>
            {
                last_receiver_t = ev.t;
            }
            EventKind::TimerFired { socket, timer } if *socket == roles.sender => {
                fired = Some((ev.t, *timer));
            }
            EventKind::SegmentSent { id, segment } if segment.src == roles.dst => {
                if let Header::Tcp(h) = &segment.header {
                    if h.flags.ack && !h.flags.syn {
                        acks.insert(*id, (h.ack, h.window, segment.payload_len == 0));
                    }
                }
            }
            EventKind::SegmentArrived { id } => {
                if let Some(&(ack, wnd, pure)) = acks.get(id) {
                    if pure && last_ack == Some((ack, wnd)) {
                        dups += 1;
                    } else if last_ack.map(|l| l.0) != Some(ack) {
                        dups = 0;
                    }
                    last_ack = Some((ack, wnd));
                }
            }
            EventKind::SegmentSent { id, segment } if segment.src == roles.src => {
                let timer = fired.filter(|f| f.0 == ev.t).map(|f| f.1);
                let data = segment.payload_len > 0;
                sent.insert(*id, (ev.t, data));
                if timer == Some(TimerKind::Persist) {
                    marks.push((ev.t, MarkKind::Probe));
                } else if data && segment.retransmission > 0 {
                    if timer == Some(TimerKind::Retransmit) {
                        marks.push((ev.t, MarkKind::Rto));
                    } else if dups >= 3 {
                        marks.push((ev.t, MarkKind::FastRetransmit));
                        // One mark per run of duplicates.
                        dups = 0;
                    }
                }
            }
            EventKind::SegmentDropped { id, .. } => {
                if let Some(&(t, true)) = sent.get(id) {
                    marks.push((t, MarkKind::Lost));
                }
            }
            _ => {}
        }
    }
    crate::sort::sort_by_key(&mut marks, |m| m.0);
    let last_sender_t = samples.last().map_or(0, |s| s.0);
    let t_end = last_sender_t
        .max(last_receiver_t)
        .min(trace.duration_us)
        .max(1000);
    let t_end = t_end + t_end / 20;
    let phases = phases(&samples, &marks, roles);
    let shown = samples.iter().filter(|s| s.0 <= t_end);
    let mut base = 1u32;
    let mut cwnd_max = 0u32;
    for (_, w, _) in shown {
        let finite = if w.ssthresh == u32::MAX {
            0
        } else {
            w.ssthresh
        };
        base = base.max(w.in_flight).max(w.cwnd.min(w.snd_wnd)).max(finite);
        cwnd_max = cwnd_max.max(w.cwnd);
    }
    // cwnd far above everything else (a window-limited sender) would flatten the rest: it
    // may raise the top to twice the rest, and is clipped beyond that.
    let y_max = base.max(cwnd_max.min(base.saturating_mul(2)));
    Series {
        samples,
        marks,
        phases,
        t_end,
        y_max: y_max + y_max / 10,
    }
}

/// Labels each stretch of the transfer: slow start (cwnd < ssthresh), congestion avoidance,
/// fast recovery (from a fast retransmit until snd_una passes what was outstanding then,
/// RFC 6582's "recover"), zero window (the peer's window is closed).
pub fn phases(
    samples: &[(Micros, WindowState, u32)],
    marks: &[(Micros, MarkKind)],
    roles: &Roles,
) -> Vec<(Micros, Micros, Phase)> {
    let first = samples.iter().position(|s| s.1.in_flight > 1);
    let Some(first) = first else {
        return Vec::new();
    };
    let last_una = samples
        .iter()
        .map(|s| rel(roles, s.1.snd_una))
        .max()
        .unwrap_or(0);
    let done = samples
        .iter()
        .position(|s| rel(roles, s.1.snd_una) >= last_una)
        .unwrap_or(samples.len() - 1);
    let mut out: Vec<(Micros, Micros, Phase)> = Vec::new();
    let mut recover: Option<u64> = None;
    let mut fr = marks
        .iter()
        .filter(|m| m.1 == MarkKind::FastRetransmit)
        .map(|m| m.0)
        .peekable();
    let mut rto = marks
        .iter()
        .filter(|m| m.1 == MarkKind::Rto)
        .map(|m| m.0)
        .peekable();
    let mut stalled: Option<u64> = None;
    for (i, (t, w, _)) in samples.iter().enumerate().take(done + 1).skip(first) {
        let una = rel(roles, w.snd_una);
        while fr.peek().is_some_and(|f| f <= t) {
            fr.next();
            if recover.is_none() {
                recover = Some(una + w.in_flight as u64);
            }
        }
        if recover.is_some_and(|r| una >= r) {
            recover = None;
        }
        while rto.peek().is_some_and(|r| r <= t) {
            rto.next();
            stalled.get_or_insert(una);
            recover = None;
        }
        if stalled.is_some_and(|s| una > s) {
            stalled = None;
        }
        let phase = if w.snd_wnd == 0 {
            Phase::ZeroWindow
        } else if stalled.is_some() {
            Phase::Backoff
        } else if recover.is_some() {
            Phase::FastRecovery
        } else if w.cwnd < w.ssthresh {
            Phase::SlowStart
        } else {
            Phase::Avoidance
        };
        let until = samples.get(i + 1).map_or(*t, |s| s.0);
        match out.last_mut() {
            Some(l) if l.2 == phase => l.1 = until,
            _ => out.push((*t, until, phase)),
        }
    }
    out.retain(|p| p.1 > p.0);
    out
}

/// Times where cwnd fell by a fifth or more, from where it started falling to where it stopped
/// (it may fall in one step, as after an RTO, or ACK by ACK, as Linux's PRR lowers it during
/// a recovery, RFC 6937): the sender's reaction to a loss (what the chart must show as a
/// drop). Each entry: when it began to fall, from, to.
pub fn cwnd_drops(s: &Series) -> Vec<(Micros, u32, u32)> {
    let v = &s.samples;
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < v.len() {
        if v[i + 1].1.cwnd >= v[i].1.cwnd {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j + 1 < v.len() && v[j + 1].1.cwnd <= v[j].1.cwnd {
            j += 1;
        }
        let (from, to) = (v[i].1.cwnd, v[j].1.cwnd);
        if (to as u64) * 5 < (from as u64) * 4 {
            out.push((v[i + 1].0, from, to));
        }
        i = j;
    }
    out
}

/// A step line (the value holds until the next sample) in a 1000×1000 box, values clipped to
/// `y_max`; `None` values break nothing, they are skipped.
pub fn step_points(
    pts: impl IntoIterator<Item = (Micros, Option<u32>)>,
    t_end: Micros,
    y_max: u32,
) -> String {
    let x = |t: Micros| t.min(t_end) as f64 / t_end.max(1) as f64 * 1000.0;
    let y = |v: u32| 1000.0 - v.min(y_max) as f64 / y_max.max(1) as f64 * 1000.0;
    let mut out = String::new();
    let mut prev: Option<f64> = None;
    for (t, v) in pts {
        if t > t_end {
            break;
        }
        let Some(v) = v else { continue };
        let (xx, yy) = (x(t), y(v));
        if let Some(py) = prev {
            out.push_str(&format!("{},{} ", num::fixed(xx, 1), num::fixed(py, 1)));
        }
        out.push_str(&format!("{},{} ", num::fixed(xx, 1), num::fixed(yy, 1)));
        prev = Some(yy);
    }
    if let Some(py) = prev {
        out.push_str(&format!("1000,{}", num::fixed(py, 1)));
    }
    out.trim_end().to_string()
}

/// Round tick values for an axis from 0 to `max`: at most about `n` steps of 1, 2 or 5 × 10^k
/// (integers only: no float logarithms pulled into the wasm).
pub fn ticks(max: u64, n: u64) -> Vec<u64> {
    if max == 0 {
        return vec![0];
    }
    let raw = max.div_ceil(n.max(1));
    let mut mag = 1u64;
    while mag.saturating_mul(10) <= raw {
        mag *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10 * mag);
    (0..=max / step).map(|i| i * step).collect()
}

pub fn fmt_bytes(b: u64) -> String {
    if b >= 10 * 1024 {
        format!("{} KB", num::fixed(b as f64 / 1024.0, 0))
    } else if b >= 1024 {
        format!("{} KB", num::fixed(b as f64 / 1024.0, 1))
    } else {
        format!("{b} B")
    }
}

// ------------------------------------------------------------------------------ receiver

/// The receiver at the playhead.
#[derive(Clone, Debug, PartialEq)]
pub struct RecvView {
    /// Bytes waiting for the application, and the buffer's size.
    pub buffered: u32,
    pub cap: u32,
    /// The window it offers now.
    pub rcv_wnd: u32,
    /// The last window field it sent: (raw 16-bit value, shift).
    pub last_field: Option<(u16, u8)>,
    /// Zero windows advertised so far, probes the sender sent so far, window updates after a
    /// zero window so far.
    pub zero_windows: u32,
    pub probes: u32,
    pub updates: u32,
}

/// Flow-control moments, for the list beside the receiver: (time, what).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    ZeroWindow,
    Probe,
    Update(u32),
}

pub fn flow_events(trace: &Trace, roles: &Roles, s: &Series) -> Vec<(Micros, Flow)> {
    let shift = roles.rcv_shift.unwrap_or(0);
    let mut out: Vec<(Micros, Flow)> = s
        .marks
        .iter()
        .filter(|m| m.1 == MarkKind::Probe)
        .map(|m| (m.0, Flow::Probe))
        .collect();
    let mut closed = false;
    for ev in &trace.events {
        if let EventKind::SegmentSent { segment, .. } = &ev.kind {
            if let Header::Tcp(h) = &segment.header {
                if segment.src == roles.dst && segment.dst == roles.src && !h.flags.syn {
                    let wnd = (h.window as u32) << shift;
                    if wnd == 0 && !closed {
                        out.push((ev.t, Flow::ZeroWindow));
                        closed = true;
                    } else if wnd > 0 && closed {
                        out.push((ev.t, Flow::Update(wnd)));
                        closed = false;
                    }
                }
            }
        }
    }
    crate::sort::sort_by_key(&mut out, |f| f.0);
    out
}

pub fn recv_view(trace: &Trace, roles: &Roles, flows: &[(Micros, Flow)], t: Micros) -> RecvView {
    let snap = trace.view_at(t);
    let view = roles.receiver.and_then(|r| snap.sockets.get(&r));
    let (buffered, cap) = view
        .and_then(|v| v.queues.get(&QueueKind::RecvBuffer).copied())
        .unwrap_or((0, 0));
    let rcv_wnd = view.and_then(|v| v.window).map_or(0, |w| w.rcv_wnd);
    let upto = trace.events.partition_point(|e| e.t <= t);
    let last_field = trace.events[..upto]
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. }
                if segment.src == roles.dst && segment.dst == roles.src =>
            {
                match &segment.header {
                    Header::Tcp(h) if !h.flags.syn => {
                        Some((h.window, roles.rcv_shift.unwrap_or(0)))
                    }
                    _ => None,
                }
            }
            _ => None,
        });
    let count =
        |f: fn(&Flow) -> bool| flows.iter().filter(|(ft, x)| *ft <= t && f(x)).count() as u32;
    RecvView {
        buffered,
        cap,
        rcv_wnd,
        last_field,
        zero_windows: count(|f| matches!(f, Flow::ZeroWindow)),
        probes: count(|f| matches!(f, Flow::Probe)),
        updates: count(|f| matches!(f, Flow::Update(_))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str) -> Trace {
        let case = synack_model::presets::WindowCase::from_id(id).expect("a window case");
        synack_model::simulate(&synack_model::presets::window(
            &synack_model::presets::Knobs::default(),
            case,
        ))
        .unwrap()
    }

    fn w(una: u32, nxt: u32, wnd: u32, cwnd: u32, flight: u32) -> WindowState {
        WindowState {
            snd_una: una,
            snd_nxt: nxt,
            snd_wnd: wnd,
            cwnd,
            in_flight: flight,
            ssthresh: u32::MAX,
            ..WindowState::default()
        }
    }

    fn roles_at(iss: u32) -> Roles {
        let a = Addr {
            host: synack_model::trace::HostId(0),
            port: 1,
        };
        Roles {
            sender: SocketId(0),
            receiver: None,
            src: a,
            dst: a,
            iss,
            rcv_shift: None,
        }
    }

    #[test]
    fn strip_regions_follow_the_rfc_9293_pointers() {
        // ISS 999: byte 0 is sequence number 1000. 1000 acked, 500 in flight, window 2000
        // (rwnd smaller than cwnd), 4000 bytes written.
        let r = roles_at(999);
        let e = edges(&r, &w(2000, 2500, 2000, 8000, 500), 3000);
        assert_eq!(
            (e.una, e.nxt, e.sent, e.edge, e.written),
            (1000, 1500, 1500, 3000, 4000)
        );
        let s = strip(&e, 0, 4000);
        let kinds: Vec<Region> = s.regions.iter().map(|r| r.0).collect();
        assert_eq!(
            kinds,
            [
                Region::Acked,
                Region::InFlight,
                Region::Usable,
                Region::NotUsable
            ]
        );
        let widths: Vec<f64> = s.regions.iter().map(|r| r.2).collect();
        assert_eq!(widths, [25.0, 12.5, 37.5, 25.0]);
        assert_eq!((s.una, s.nxt, s.edge), (25.0, 37.5, 75.0));
        // Regions tile the written stream without gaps.
        let mut x = 0.0;
        for (_, l, wd) in &s.regions {
            assert!((l - x).abs() < 1e-9);
            x = l + wd;
        }
    }

    #[test]
    fn a_zero_window_leaves_nothing_usable_and_cwnd_can_be_the_limit() {
        let r = roles_at(0);
        let e = edges(&r, &w(1001, 1001, 0, 8000, 0), 5000);
        assert_eq!(e.edge, e.una);
        let s = strip(&e, 0, 6000);
        assert!(s
            .regions
            .iter()
            .all(|x| x.0 != Region::Usable && x.0 != Region::InFlight));
        assert_eq!(s.una, s.edge);
        // cwnd below rwnd: the edge is snd_una + cwnd.
        let e = edges(&r, &w(1, 1, 65_535, 1448, 0), 100_000);
        assert_eq!((e.edge, e.cwnd_edge), (1448, 1448));
        // The view is clipped: nothing outside [lo, hi) and percentages stay in 0..=100.
        let s = strip(&e, 1000, 2000);
        assert!(s
            .regions
            .iter()
            .all(|x| x.1 >= 0.0 && x.1 + x.2 <= 100.0 + 1e-9));
    }

    #[test]
    fn zoom_holds_the_window_with_room_beyond_it() {
        let r = roles_at(0);
        let e = edges(&r, &w(50_001, 60_001, 30_000, 30_000, 10_000), 100_000);
        let (lo, hi) = zoom(&e);
        assert!(lo < e.una && hi > e.edge, "{lo}..{hi} for {e:?}");
        assert!((hi - lo).is_power_of_two() || ((hi - lo) * 4 / 5).is_power_of_two());
    }

    #[test]
    fn roles_find_the_bulk_sender_and_the_window_scale() {
        let t = run("slow-reader");
        let r = roles(&t).unwrap();
        let label = |id: SocketId| t.sockets.iter().find(|s| s.id == id).unwrap().label.clone();
        assert_eq!(label(r.sender), "client");
        assert_eq!(label(r.receiver.unwrap()), "conn");
        // Linux picks the shift from the receive space, clamped by a locked SO_RCVBUF
        // (tcp_select_initial_window): this receiver's 4 KiB buffer needs none.
        assert_eq!(r.rcv_shift, Some(0));
    }

    #[test]
    fn series_of_slow_start_then_avoidance_has_both_phases_and_no_drop() {
        let t = run("avoidance");
        let r = roles(&t).unwrap();
        let s = series(&t, &r);
        let kinds: Vec<Phase> = s.phases.iter().map(|p| p.2).collect();
        assert_eq!(
            kinds,
            [Phase::SlowStart, Phase::Avoidance],
            "{:?}",
            s.phases
        );
        assert!(cwnd_drops(&s).is_empty());
        assert!(s.marks.is_empty());
        // Acked bytes per second are positive mid-transfer and the range ends with the data,
        // not with TIME-WAIT's 60 s.
        assert!(s.throughput(&r, 200_000, 80_000) > 0.0);
        assert!(s.t_end < 2_000_000, "{}", s.t_end);
    }

    #[test]
    fn losses_show_as_drops_with_the_right_reaction() {
        let fr = run("fast-retransmit");
        let s = series(&fr, &roles(&fr).unwrap());
        assert!(!cwnd_drops(&s).is_empty());
        assert!(s.marks.iter().any(|m| m.1 == MarkKind::Lost));
        assert!(s.marks.iter().any(|m| m.1 == MarkKind::FastRetransmit));
        assert!(!s.marks.iter().any(|m| m.1 == MarkKind::Rto));
        assert!(s.phases.iter().any(|p| p.2 == Phase::FastRecovery));

        let rto = run("rto-backoff");
        let s = series(&rto, &roles(&rto).unwrap());
        let drops = cwnd_drops(&s);
        // The loss window: cwnd falls to one MSS (RFC 5681 §3.1 eq. 4).
        assert!(drops.iter().any(|d| d.2 == 1448), "{drops:?}");
        assert!(s.marks.iter().filter(|m| m.1 == MarkKind::Rto).count() >= 2);
        // After the timeout the lost segments are resent as new ACKs come: not a fast
        // retransmit.
        assert!(
            !s.marks.iter().any(|m| m.1 == MarkKind::FastRetransmit),
            "{:?}",
            s.marks
        );
        assert!(s.phases.iter().any(|p| p.2 == Phase::Backoff));
    }

    #[test]
    fn slow_reader_closes_the_window_probes_and_reopens() {
        let t = run("slow-reader");
        let r = roles(&t).unwrap();
        let s = series(&t, &r);
        let flows = flow_events(&t, &r, &s);
        let first_zero = flows.iter().find(|f| f.1 == Flow::ZeroWindow).unwrap().0;
        assert!(flows.iter().any(|f| f.1 == Flow::Probe && f.0 > first_zero));
        assert!(flows
            .iter()
            .any(|f| matches!(f.1, Flow::Update(w) if w > 0) && f.0 > first_zero));
        let v = recv_view(&t, &r, &flows, first_zero);
        assert_eq!(v.rcv_wnd, 0);
        assert_eq!(v.cap, 4096);
        assert!(v.buffered > 3000);
        assert_eq!(v.last_field, Some((0, 0)));
        assert!(s.phases.iter().any(|p| p.2 == Phase::ZeroWindow));
    }

    #[test]
    fn step_points_hold_each_value_until_the_next_and_clip() {
        let p = step_points(
            [(0, Some(10)), (500, Some(20)), (600, None), (800, Some(40))],
            1000,
            20,
        );
        assert_eq!(
            p,
            "0.0,500.0 500.0,500.0 500.0,0.0 800.0,0.0 800.0,0.0 1000,0.0"
        );
        assert_eq!(ticks(1000, 5), [0, 200, 400, 600, 800, 1000]);
        assert_eq!(ticks(37, 4), [0, 10, 20, 30]);
        assert_eq!(ticks(4300, 5), [0, 1000, 2000, 3000, 4000]);
        assert_eq!(ticks(0, 5), [0]);
    }
}
