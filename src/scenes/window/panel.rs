//! Scene 7, sliding window and congestion control: the sender's window over the byte stream,
//! the receiver's buffer and advertised window, and cwnd/ssthresh over time.
//!
//! Everything drawn is a pure function of (trace, playhead): [`roles`] finds the bulk sender,
//! [`series`] extracts its window history once per trace, [`strip`] lays out the byte stream
//! for one [`WindowState`], [`recv_view`] reads the receiver at the playhead. Geometry is in
//! percent so the text stays at its CSS size at any width (no scaled SVG text).

use yew::prelude::*;

use synack_model::presets::{self, Knobs, WindowCase};
use synack_model::scenario::Scenario;
use synack_model::trace::{
    Addr, EventKind, Header, Micros, QueueKind, SocketId, TimerKind, Trace, WindowState,
};

use crate::engine::ladder::fmt_ms;
use crate::engine::Shared;
use crate::i18n::{Lang, T};

/// The scene's cases, in button order (the first is the default).
pub const CASES: &[&str] = &[
    "avoidance",
    "slow-start",
    "fast-retransmit",
    "rto-backoff",
    "slow-reader",
];

pub fn scenario(k: &Knobs, id: &str) -> Scenario {
    let case = WindowCase::from_id(id)
        .filter(|c| CASES.contains(&c.id()))
        .unwrap_or(WindowCase::Avoidance);
    presets::window(k, case)
}

pub fn case_title(id: &str) -> (T, T) {
    match id {
        "avoidance" => (
            T::new("慢启动 → 拥塞避免", "Slow start → avoidance"),
            T::new(
                "200 KB 的传输，ssthresh 一开始是 16 个 MSS（Linux 可从路由或 tcp_metrics 缓存得到）。cwnd 从 10 个 MSS 起步，每个 ACK 确认多少就涨多少，一个 RTT 翻一倍；超过 ssthresh 后改为拥塞避免，每个 RTT 只加约 1 个 MSS（RFC 5681 §3.1）。",
                "A 200 KB transfer with ssthresh starting at 16 MSS (Linux may take it from a route or its tcp_metrics cache). cwnd starts at 10 MSS and grows by what each ACK acknowledges, doubling every RTT; past ssthresh it switches to congestion avoidance, about one MSS per RTT (RFC 5681 §3.1).",
            ),
        ),
        "slow-start" => (
            T::new("只有慢启动", "Slow start only"),
            T::new(
                "没有丢包时 ssthresh 一直是「无穷大」，cwnd 每个 RTT 翻倍，很快超过接收方通告的窗口：此时限制发送的是 rwnd（流量控制），不是 cwnd。",
                "Without loss ssthresh stays \"infinite\" and cwnd doubles every RTT until it passes the receiver's advertised window: from then on rwnd (flow control) limits the sender, not cwnd.",
            ),
        ),
        "fast-retransmit" => (
            T::new("丢包 → 快速重传", "Loss → fast retransmit"),
            T::new(
                "第 5 个数据段丢了。后面的段照样到达，接收方每收到一个就重复确认缺口的位置；发送方收到 3 个重复 ACK 就立即重传，不等 RTO，ssthresh 设为在途数据的一半，进入快速恢复（RFC 5681 §3.2，NewReno RFC 6582），之后从 ssthresh 开始拥塞避免。",
                "The 5th data segment is lost. Later segments still arrive and each one makes the receiver repeat the ACK for the gap; on the 3rd duplicate ACK the sender retransmits at once instead of waiting for the RTO, sets ssthresh to half the data in flight and enters fast recovery (RFC 5681 §3.2, NewReno RFC 6582), then continues in congestion avoidance from ssthresh.",
            ),
        ),
        "rto-backoff" => (
            T::new("丢包 → 超时重传", "Loss → RTO"),
            T::new(
                "网络断开 3 秒，没有 ACK 回来，也就没有重复 ACK：只能等重传定时器。RTO 到期后 ssthresh 减半，cwnd 降到 1 个 MSS（丢失窗口），每次超时 RTO 翻倍（RFC 6298 §5.5）；网络恢复后重新慢启动。",
                "The network goes dark for 3 s: no ACKs come back, so no duplicate ACKs either, and only the retransmission timer can help. When it fires, ssthresh is halved and cwnd drops to one MSS (the loss window), and every timeout doubles the RTO (RFC 6298 §5.5); once the path is back, slow start begins again.",
            ),
        ),
        "slow-reader" => (
            T::new("读得慢 → 零窗口", "Slow reader → zero window"),
            T::new(
                "接收缓冲只有 4 KB，应用每 200 ms 才读 1 KB。缓冲填满后接收方通告窗口 0，发送方停下，启动持续定时器，定时发送零窗口探测；应用读走数据、空出足够的位置后，接收方发送窗口更新，传输继续（RFC 9293 §3.8.6）。",
                "The receive buffer holds 4 KB and the application reads 1 KB every 200 ms. Once the buffer is full the receiver advertises a zero window; the sender stops and starts its persist timer, probing the window from time to time. When the application has read enough, the receiver sends a window update and the transfer resumes (RFC 9293 §3.8.6).",
            ),
        ),
        _ => (T::new("", ""), T::new("", "")),
    }
}

pub const INTRO: &[T] = &[
    T::new(
        "TCP 发送方同时受两个窗口约束：接收方在每个 ACK 里通告的接收窗口 rwnd（流量控制，别把对方的缓冲塞爆），以及发送方自己估计的拥塞窗口 cwnd（拥塞控制，别把网络塞爆）。任何时刻在途（已发送未确认）的数据不超过 min(rwnd, cwnd)。ACK 到来，snd_una 右移，窗口随之向前滑动。",
        "A TCP sender is bound by two windows: the receive window rwnd the receiver advertises in every ACK (flow control: don't overrun its buffer) and its own congestion window cwnd (congestion control: don't overrun the network). Data in flight (sent, not acknowledged) never exceeds min(rwnd, cwnd). As ACKs arrive, snd_una moves right and the window slides along the byte stream.",
    ),
    T::new(
        "名字来自 RFC 9293 §3.3.1：snd_una 是最早未确认的字节，snd_nxt 是下一个要发的字节，snd_una + 窗口是允许发送的右边界。窗口字段只有 16 位，最大 65535；RFC 7323 的窗口缩放选项在 SYN 中协商一个移位数，之后每个窗口值都要左移这么多位。",
        "The names come from RFC 9293 §3.3.1: snd_una is the oldest unacknowledged byte, snd_nxt the next byte to send, and snd_una + window the right edge of what may be sent. The window field has 16 bits (at most 65,535); RFC 7323's window scale option agrees on a shift count in the SYNs, and every later window value is shifted left by it.",
    ),
    T::new(
        "拥塞控制（RFC 5681）：cwnd 小于 ssthresh 时是慢启动，每个 RTT 翻倍；之后是拥塞避免，每个 RTT 加 1 个 MSS。3 个重复 ACK 说明后面的数据还在流动，只丢了一段：快速重传，ssthresh 和 cwnd 减半左右。重传超时说明什么都没回来：cwnd 回到 1 个 MSS，重新慢启动。RTO 由平滑 RTT（SRTT）和 RTT 抖动算出（RFC 6298），每次超时翻倍。",
        "Congestion control (RFC 5681): while cwnd is below ssthresh it is slow start, doubling every RTT; after that, congestion avoidance adds one MSS per RTT. Three duplicate ACKs mean data is still flowing and only one segment was lost: fast retransmit, with ssthresh and cwnd cut to about half. A retransmission timeout means nothing came back: cwnd falls to one MSS and slow start begins again. The RTO comes from the smoothed RTT (SRTT) and its variation (RFC 6298) and doubles on every timeout.",
    ),
    T::new(
        "接收方读得慢时，缓冲区填满，通告窗口降到 0。发送方不能发数据，但对方的窗口更新可能丢失，所以它启动持续定时器，定时发零窗口探测，逼接收方回一个带当前窗口的 ACK。为避免「糊涂窗口综合症」，接收方只在空出至少一个 MSS 或半个缓冲后才重新开窗（RFC 9293 §3.8.6.2）。",
        "When the receiver reads slowly its buffer fills and the advertised window falls to zero. The sender may not send data, but the window update could be lost, so it starts the persist timer and sends zero-window probes, which make the receiver answer with an ACK carrying its current window. To avoid silly window syndrome the receiver reopens the window only once at least one MSS or half its buffer is free (RFC 9293 §3.8.6.2).",
    ),
];

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
    // window): a retransmission they trigger is a fast retransmit; one after a new ACK (go-back-N
    // after an RTO, a NewReno partial ACK) is not marked.
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
    marks.sort_by_key(|m| m.0);
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
fn phases(
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

/// Times where cwnd fell by a fifth or more from one sample to the next: the sender's
/// reaction to a loss (what the chart must show as a drop).
pub fn cwnd_drops(s: &Series) -> Vec<(Micros, u32, u32)> {
    s.samples
        .windows(2)
        .filter(|p| (p[1].1.cwnd as u64) * 5 < (p[0].1.cwnd as u64) * 4)
        .map(|p| (p[1].0, p[0].1.cwnd, p[1].1.cwnd))
        .collect()
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
            out.push_str(&format!("{xx:.1},{py:.1} "));
        }
        out.push_str(&format!("{xx:.1},{yy:.1} "));
        prev = Some(yy);
    }
    if let Some(py) = prev {
        out.push_str(&format!("1000,{py:.1}"));
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

fn fmt_bytes(b: u64) -> String {
    if b >= 10 * 1024 {
        format!("{:.0} KB", b as f64 / 1024.0)
    } else if b >= 1024 {
        format!("{:.1} KB", b as f64 / 1024.0)
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
    out.sort_by_key(|f| f.0);
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

// ------------------------------------------------------------------------------ component

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub trace: Shared<Trace>,
    pub t: u64,
    pub lang: Lang,
    pub on_jump: Callback<u64>,
}

#[derive(PartialEq)]
struct Derived {
    roles: Roles,
    series: Series,
    flows: Vec<(Micros, Flow)>,
    total: u64,
}

fn derive(trace: &Trace) -> Option<Derived> {
    let roles = roles(trace)?;
    let series = series(trace, &roles);
    let flows = flow_events(trace, &roles, &series);
    let total = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppCall {
                socket,
                call: synack_model::trace::AppCall::Send { len, .. },
            } if *socket == roles.sender => Some(*len as u64),
            _ => None,
        })
        .sum();
    Some(Derived {
        roles,
        series,
        flows,
        total,
    })
}

/// A label over or under a strip at `x` percent, kept inside the strip near its ends.
fn marker(x: f64, cls: &'static str, text: String) -> Html {
    let anchor = if x < 12.0 {
        "a-start"
    } else if x > 88.0 {
        "a-end"
    } else {
        "a-mid"
    };
    html! {
        <span class={classes!("wmark", cls, anchor)} style={format!("left:{x:.2}%")}>{ text }</span>
    }
}

fn strip_html(s: &Strip, testid: &'static str, lang: Lang) -> Html {
    html! {
        <div class="wstrip" data-testid={testid}>
            { for s.regions.iter().map(|(r, x, w)| html! {
                <span class={classes!("wreg", r.css())} data-region={r.css()}
                    style={format!("left:{x:.2}%;width:{w:.2}%")} title={r.name(lang)} />
            }) }
            <span class="wline l-una" style={format!("left:{:.2}%", s.una)} />
            <span class="wline l-nxt" style={format!("left:{:.2}%", s.nxt)} />
            <span class="wline l-edge" style={format!("left:{:.2}%", s.edge)} />
        </div>
    }
}

#[component]
pub fn WindowPanel(p: &PanelProps) -> Html {
    let lang = p.lang;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let d = use_memo(p.trace.clone(), |t| derive(t));
    let Some(d) = d.as_ref() else {
        return html! {
            <div class="window" data-testid="window">
                <p class="dim">{ tr("这条记录里没有 TCP 数据传输。", "This trace has no TCP data transfer.") }</p>
            </div>
        };
    };
    let t = p.t;
    let roles = &d.roles;
    let s = &d.series;
    let now = s.at(t).copied();

    // ---- sender strip
    let sender = now.map(|(_, w, sendbuf)| {
        let e = edges(roles, &w, sendbuf);
        let (lo, hi) = zoom(&e);
        let z = strip(&e, lo, hi);
        let total = d.total.max(e.written).max(1);
        let o = strip(&e, 0, total);
        let limit = if e.rwnd_edge <= e.cwnd_edge {
            tr("rwnd（接收方）", "rwnd (receiver)")
        } else {
            tr("cwnd（网络）", "cwnd (network)")
        };
        let usable = e.edge.saturating_sub(e.sent).min(e.written.saturating_sub(e.sent));
        html! {
            <section class="wsec" data-testid="send-window"
                data-una={e.una.to_string()} data-nxt={e.nxt.to_string()} data-edge={e.edge.to_string()}>
                <h3>{ tr("发送窗口（字节流）", "Send window over the byte stream") }</h3>
                <div class="wlegend">
                    { for [Region::Acked, Region::InFlight, Region::Usable, Region::NotUsable].into_iter().map(|r| html! {
                        <span class="legend-item"><span class={classes!("wsw", r.css())} />{ r.name(lang) }</span>
                    }) }
                </div>
                <div class="wzoom">
                    <div class="wmarks top">{ marker(z.una, "m-una", format!("snd_una {}", e.una)) }</div>
                    { strip_html(&z, "strip-zoom", lang) }
                    <div class="wmarks">{ marker(z.nxt, "m-nxt", format!("snd_nxt {}", e.nxt)) }</div>
                    <div class="wmarks">{ marker(z.edge, "m-edge", format!("snd_una+wnd {}", e.edge)) }</div>
                    <div class="wscale mono dim">
                        <span>{ lo }</span><span>{ format!("← {} →", fmt_bytes(hi - lo)) }</span><span>{ hi }</span>
                    </div>
                </div>
                <div class="wover">
                    <span class="dim">{ tr("全部数据", "whole transfer") }</span>
                    { strip_html(&o, "strip-all", lang) }
                    <span class="mono dim">{ fmt_bytes(total) }</span>
                </div>
                <p class="wnote mono" data-testid="send-numbers">
                    { format!("wnd = min(rwnd {}, cwnd {}) = {} · ", fmt_bytes(w.snd_wnd as u64), fmt_bytes(w.cwnd as u64),
                        fmt_bytes(e.edge - e.una)) }
                    { tr("受限于 ", "limited by ") }{ limit }
                    { format!(" · {} {} · {} {}", tr("在途", "in flight"), fmt_bytes(e.sent - e.una),
                        tr("可用", "usable"), fmt_bytes(usable)) }
                </p>
            </section>
        }
    });

    // ---- receiver
    let rv = recv_view(&p.trace, roles, &d.flows, t);
    let receiver = {
        let cap = rv.cap.max(1) as f64;
        let pct = |v: u32| (v as f64 / cap * 100.0).clamp(0.0, 100.0);
        let unread = pct(rv.buffered);
        let offered = pct(rv.rcv_wnd).min(100.0 - unread);
        let held = (100.0 - unread - offered).max(0.0);
        let zero = rv.rcv_wnd == 0 && rv.zero_windows > rv.updates;
        let field = rv.last_field.map(|(raw, sh)| {
            if sh > 0 {
                format!(
                    "win={raw} × 2^{sh} = {}",
                    fmt_bytes(((raw as u32) << sh) as u64)
                )
            } else {
                format!("win={raw}")
            }
        });
        let flows = d.flows.iter().take(14).map(|(ft, f)| {
            let text = match f {
                Flow::ZeroWindow => tr("通告零窗口", "zero window advertised").to_string(),
                Flow::Probe => tr("零窗口探测（持续定时器）", "zero-window probe (persist timer)").to_string(),
                Flow::Update(w) => format!("{} {}", tr("窗口更新", "window update"), fmt_bytes(*w as u64)),
            };
            let cls = match f {
                Flow::ZeroWindow => "f-zero",
                Flow::Probe => "f-probe",
                Flow::Update(_) => "f-update",
            };
            let at = *ft;
            let cb = p.on_jump.clone();
            html! {
                <li class={classes!(cls, (at > t).then_some("future"))} onclick={Callback::from(move |_: MouseEvent| cb.emit(at))}>
                    <span class="when mono">{ fmt_ms(at) }</span><span>{ text }</span>
                </li>
            }
        });
        html! {
            <section class="wsec" data-testid="recv-window" data-rcv-wnd={rv.rcv_wnd.to_string()} data-zero={zero.to_string()}>
                <h3>{ tr("接收方", "Receiver") }
                    if zero { <span class="zero-tag" data-testid="zero-window">{ tr("零窗口", "ZERO WINDOW") }</span> }
                </h3>
                <div class="rbuf" title={tr("接收缓冲", "receive buffer")}>
                    <span class="rreg r-unread" style={format!("width:{unread:.2}%")} />
                    <span class="rreg r-offer" style={format!("width:{offered:.2}%")} />
                    <span class="rreg r-held" style={format!("width:{held:.2}%")} />
                </div>
                <div class="wlegend">
                    <span class="legend-item"><span class="wsw r-unread" />{ format!("{} {}", tr("未读", "unread"), fmt_bytes(rv.buffered as u64)) }</span>
                    <span class="legend-item"><span class="wsw r-offer" />{ format!("rcv_wnd {}", fmt_bytes(rv.rcv_wnd as u64)) }</span>
                    <span class="legend-item"><span class="wsw r-held" />{ tr("空闲但未通告", "free, not yet offered") }</span>
                    <span class="mono dim">{ format!("/ {}", fmt_bytes(rv.cap as u64)) }</span>
                </div>
                <p class="wnote mono">
                    if let Some(f) = field { { tr("最近通告 ", "last advertised ") }{ f }{ " · " } }
                    { format!("{} {} · {} {}", tr("零窗口探测", "probes"), rv.probes, tr("窗口更新", "updates"), rv.updates) }
                </p>
                if rv.cap == 0 {
                    <p class="wnote">{ tr("连接还没建立：接收缓冲尚不存在。", "Not connected yet: no receive buffer so far.") }</p>
                }
                if !d.flows.is_empty() {
                    <ol class="segs flows" data-testid="flow-events">{ for flows }</ol>
                }
            </section>
        }
    };

    // ---- chart
    let t_end = s.t_end;
    let y_max = s.y_max;
    let line = |f: fn(&WindowState) -> Option<u32>| {
        step_points(s.samples.iter().map(|(t, w, _)| (*t, f(w))), t_end, y_max)
    };
    let cwnd = line(|w| Some(w.cwnd));
    let ssthresh = line(|w| (w.ssthresh != u32::MAX).then_some(w.ssthresh));
    let flight = line(|w| Some(w.in_flight));
    let rwnd = line(|w| Some(w.snd_wnd));
    let px = |t: Micros| t.min(t_end) as f64 / t_end.max(1) as f64 * 100.0;
    let playhead = px(t);
    let drops = cwnd_drops(s);
    let xt = ticks(t_end / 1000, 5);
    // Byte ticks on KiB steps once the range is a few KiB, so labels read "20 KB", not "98 KB".
    let yt: Vec<u64> = if y_max >= 4096 {
        ticks(y_max as u64 / 1024, 4)
            .into_iter()
            .map(|v| v * 1024)
            .collect()
    } else {
        ticks(y_max as u64, 4)
    };
    let marks = s
        .marks
        .iter()
        .filter(|m| m.1 != MarkKind::Probe && m.0 <= t_end);
    let ssthresh_inf = now.is_some_and(|n| n.1.ssthresh == u32::MAX);
    let chart = html! {
        <section class="wsec" data-testid="cwnd-chart" data-drops={drops.len().to_string()}
            data-fast-retransmits={s.marks.iter().filter(|m| m.1 == MarkKind::FastRetransmit).count().to_string()}
            data-rtos={s.marks.iter().filter(|m| m.1 == MarkKind::Rto).count().to_string()}>
            <h3>{ tr("cwnd 与 ssthresh 随时间变化", "cwnd and ssthresh over time") }</h3>
            <div class="wlegend">
                <span class="legend-item"><span class="wsw c-cwnd" />{"cwnd"}</span>
                <span class="legend-item"><span class="wsw c-ssth" />{ if ssthresh_inf { "ssthresh (∞)" } else { "ssthresh" } }</span>
                <span class="legend-item"><span class="wsw c-flight" />{ tr("在途字节", "bytes in flight") }</span>
                <span class="legend-item"><span class="wsw c-rwnd" />{ tr("rwnd（对方窗口）", "rwnd (peer's window)") }</span>
            </div>
            <div class="wchart-wrap">
                <div class="wyaxis mono">
                    { for yt.iter().map(|v| html! {
                        <span style={format!("bottom:{:.2}%", *v as f64 / y_max as f64 * 100.0)}>{ fmt_bytes(*v) }</span>
                    }) }
                </div>
                <div class="wchart">
                    <div class="wphases">
                        { for s.phases.iter().filter(|ph| ph.0 < t_end).map(|(a, b, ph)| html! {
                            <span class={classes!("wphase", ph.css())} title={ph.name(lang)}
                                style={format!("left:{:.2}%;width:{:.2}%", px(*a), px(*b) - px(*a))} />
                        }) }
                    </div>
                    <svg viewBox="0 0 1000 1000" preserveAspectRatio="none" aria-hidden="true">
                        { for yt.iter().map(|v| {
                            let y = 1000.0 - *v as f64 / y_max as f64 * 1000.0;
                            html! { <line class="grid" x1="0" x2="1000" y1={format!("{y:.1}")} y2={format!("{y:.1}")} /> }
                        }) }
                        <polyline class="c-rwnd" points={rwnd} />
                        <polyline class="c-flight" points={flight} />
                        <polyline class="c-ssth" points={ssthresh} />
                        <polyline class="c-cwnd" points={cwnd} data-testid="cwnd-line" />
                        <line class="playhead" x1={format!("{:.1}", playhead * 10.0)} x2={format!("{:.1}", playhead * 10.0)} y1="0" y2="1000" />
                    </svg>
                    { for marks.map(|(mt, k)| {
                        let (cls, text) = match k {
                            MarkKind::Lost => ("k-lost", "✕".to_string()),
                            MarkKind::FastRetransmit => ("k-fr", tr("快速重传", "fast retx").to_string()),
                            MarkKind::Rto => ("k-rto", "RTO".to_string()),
                            MarkKind::Probe => ("k-probe", String::new()),
                        };
                        html! { <span class={classes!("cmark", cls, (*mt > t).then_some("future"))} style={format!("left:{:.2}%", px(*mt))}>{ text }</span> }
                    }) }
                </div>
                <div class="wxaxis mono">
                    { for xt.iter().map(|v| html! {
                        <span style={format!("left:{:.2}%", (*v * 1000) as f64 / t_end as f64 * 100.0)}>{
                            if t_end >= 2_000_000 { format!("{} s", *v as f64 / 1000.0) } else { format!("{v} ms") }
                        }</span>
                    }) }
                </div>
            </div>
            <div class="wlegend phases-legend">
                { for [Phase::SlowStart, Phase::Avoidance, Phase::FastRecovery, Phase::Backoff, Phase::ZeroWindow].into_iter()
                    .filter(|ph| s.phases.iter().any(|x| x.2 == *ph))
                    .map(|ph| html! { <span class="legend-item"><span class={classes!("wsw", ph.css())} />{ ph.name(lang) }</span> }) }
            </div>
        </section>
    };

    // ---- numbers at the playhead
    let stats = now.map(|(_, w, _)| {
        let phase = s
            .phases
            .iter()
            .find(|ph| ph.0 <= t && t < ph.1)
            .map(|ph| ph.2);
        let span = if w.srtt_us > 0 { 2 * w.srtt_us } else { 100_000 };
        let rate = s.throughput(roles, t, span);
        let ss = if w.ssthresh == u32::MAX {
            "∞".to_string()
        } else {
            fmt_bytes(w.ssthresh as u64)
        };
        let rtt = |us: u64| if us == 0 { "–".to_string() } else { fmt_ms(us) };
        html! {
            <dl class="wstats mono" data-testid="window-stats" data-phase={phase.map_or("", |p| p.css())}>
                <div><dt>{ tr("阶段", "phase") }</dt><dd>{ phase.map_or("–", |p| p.name(lang)) }</dd></div>
                <div><dt>{"cwnd"}</dt><dd data-testid="stat-cwnd">{ fmt_bytes(w.cwnd as u64) }</dd></div>
                <div><dt>{"ssthresh"}</dt><dd>{ ss }</dd></div>
                <div><dt>{"rwnd"}</dt><dd>{ fmt_bytes(w.snd_wnd as u64) }</dd></div>
                <div><dt>{ tr("在途", "in flight") }</dt><dd>{ fmt_bytes(w.in_flight as u64) }</dd></div>
                <div><dt>{"SRTT"}</dt><dd>{ rtt(w.srtt_us) }</dd></div>
                <div><dt>{"RTO"}</dt><dd>{ rtt(w.rto_us) }</dd></div>
                <div><dt>{ tr("吞吐（近 2 RTT）", "throughput (2 RTT)") }</dt>
                    <dd>{ format!("{:.2} Mbit/s", rate * 8.0 / 1e6) }</dd></div>
            </dl>
        }
    });

    html! {
        <div class="window" data-testid="window">
            { for stats }
            { for sender }
            { chart }
            { receiver }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn run(id: &str) -> Trace {
        synack_model::simulate(&scenario(&Knobs::default(), id)).unwrap()
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
        // Go-back-N after the timeout resends old data on new ACKs: not a fast retransmit.
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
