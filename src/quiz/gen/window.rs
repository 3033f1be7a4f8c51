//! Window items: fast retransmit after duplicate ACKs, cwnd after an RTO, a zero window.

use synack_model::presets::WindowCase::{FastRetransmit, RtoBackoff, SlowReader};
use synack_model::trace::{Addr, EventKind, SocketId, TimerKind, Trace};

use super::read::{sent, tcp, Sent};
use super::shapes::typed;
use super::{item, place, Ctx, Draft, Item, Sc};
use crate::quiz::{Answer, Topic};
use crate::route::Route;
use crate::texts::{tx, Tx};

const WIN: (Topic, Route) = (Topic::Window, Route::Window);

pub(super) const ITEMS: &[Item] = &[
    item("win-dupack", WIN, |_| Sc::Win(FastRetransmit), win_dupack),
    item("win-rto-cwnd", WIN, |_| Sc::Win(RtoBackoff), win_rto_cwnd),
    item("win-zero", WIN, |_| Sc::Win(SlowReader), win_zero),
];

/// The words of this topic's questions (`quiz::words`): `{name}` is a value the generator
/// fills in from the trace.
pub(super) const TEXTS: &[(&str, Tx)] = &[
    ("win-dupack.prompt", tx(
        "批量传输中一个数据段丢了，后面的段照常到达。发送方在重传定时器到期之前就重发了它：重发前它收到了几个重复 ACK？",
        "In a bulk transfer one data segment is lost; the ones after it arrive. The sender resends it before its retransmission timer fires. How many duplicate ACKs has it received by then?",
    )),
    ("win-dupack.explain", tx(
        "{dups} 个。接收方每收到一个乱序段，就再确认一次缺口的起点；同一个确认号连续出现 3 次重复，发送方就认定该段丢了，立即重传（快速重传，RFC 5681 §3.2），cwnd 减半而不是退回 1 个段。",
        "{dups}. Each out-of-order segment makes the receiver acknowledge the start of the gap again; after 3 duplicates of the same ack number the sender treats the segment as lost and resends it at once (fast retransmit, RFC 5681 §3.2), halving cwnd instead of dropping it to one segment.",
    )),
    ("win-rto-cwnd.prompt", tx(
        "传输途中网络断了，没有任何 ACK 回来，发送方的重传定时器到期。重传时它的拥塞窗口 cwnd 是几个段？",
        "The network goes dark in the middle of a transfer: no ACK comes back and the sender's retransmission timer fires. When it retransmits, how many segments is its congestion window cwnd?",
    )),
    ("win-rto-cwnd.explain", tx(
        "{n} 个段。超时说明网络可能严重拥塞，发送方降低 ssthresh（RFC 5681：在途数据的一半；Linux 的 CUBIC：cwnd 的 0.7），cwnd 退回 1 个段（RFC 5681 §3.1 的“丢失窗口”），重新慢启动；每次再超时，定时器翻倍（RFC 6298 §5.5）。",
        "{n}. A timeout suggests heavy congestion: the sender lowers ssthresh (RFC 5681: half the data in flight; Linux's CUBIC: 0.7 of cwnd) and drops cwnd to one segment (RFC 5681 §3.1's loss window), then slow-starts again; each further timeout doubles the timer (RFC 6298 §5.5).",
    )),
    ("win-zero.prompt", tx(
        "接收方的应用读得很慢，缓冲区满了，它通告窗口 = 0。发送方还有数据要发，它会怎么做？",
        "The receiving application reads slowly; its buffer is full and it advertises a window of 0. The sender still has data. What does it do?",
    )),
    ("win-zero.explain", tx(
        "它停下来，但不干等：持续定时器（persist timer）到期就发一个窗口探测，逼接收方回报当前窗口；窗口一打开就接着发。否则要是那个“窗口打开了”的更新丢了，两边会永远互相等待（RFC 9293 §3.8.6.1）。",
        "It stops, but does not just wait: each time its persist timer fires it sends a window probe, which makes the receiver report its current window, and it resumes as soon as the window opens. Otherwise a lost \"window open\" update would leave both sides waiting for each other forever (RFC 9293 §3.8.6.1).",
    )),
    ("win-zero.c0", tx(
        "停发数据，由持续定时器定期发窗口探测，窗口打开后继续",
        "It stops sending data and sends window probes on a persist timer until the window opens",
    )),
    ("win-zero.c1", tx(
        "继续按 cwnd 发送，多出的由接收方丢弃",
        "It keeps sending up to cwnd; the receiver drops the excess",
    )),
    ("win-zero.c2", tx(
        "立即发 RST 断开连接",
        "It resets the connection at once",
    )),
    ("win-zero.c3", tx(
        "一直等待，直到收到接收方主动发来的窗口更新",
        "It waits, doing nothing, until the receiver sends a window update",
    )),
];

/// The largest payload the sender put in one segment: its MSS in a bulk transfer.
fn largest_payload(all: &[Sent]) -> u32 {
    all.iter().map(|s| s.seg.payload_len).max().unwrap_or(0)
}

/// The congestion window of `socket` right after `t` (the first window record at or after it).
fn cwnd_after(tr: &Trace, socket: SocketId, t: u64) -> Option<u32> {
    tr.events.iter().find_map(|e| match &e.kind {
        EventKind::WindowChanged { socket: s, window } if *s == socket && e.t >= t => {
            Some(window.cwnd)
        }
        _ => None,
    })
}

/// The socket bound to `addr` that sends and receives on the connection.
fn socket_of(tr: &Trace, addr: Addr) -> Option<SocketId> {
    tr.sockets
        .iter()
        .find(|s| s.host == addr.host && s.local_port == addr.port && s.remote.is_some())
        .map(|s| s.id)
}

/// The first retransmitted data segment of a bulk transfer.
fn first_data_retx<'a>(all: &'a [Sent<'a>]) -> Option<&'a Sent<'a>> {
    all.iter()
        .find(|s| s.seg.retransmission > 0 && s.seg.payload_len > 0)
}

fn win_dupack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let retx = first_data_retx(&all)?;
    let hole = tcp(retx.seg)?.seq;
    // Pure ACKs for the hole that reached the sender before it resent, in event order (several
    // arrive in the same microsecond). The first moves snd_una up to the hole; a later one is a
    // duplicate when, as RFC 5681 §2 defines it, it also carries the same window as the ACK
    // before it. A changed window makes that one a window update instead, which is not
    // counted but does not start the count again (Linux: FLAG_WIN_UPDATE is in FLAG_NOT_DUP,
    // so `tcp_add_reno_sack` skips it; the duplicates before it still count). A receiver that
    // reads while the duplicates go out changes its window between them.
    let resent_at = tr.events.iter().position(|e| {
        matches!(&e.kind, EventKind::SegmentSent { segment, .. } if std::ptr::eq(segment, retx.seg))
    })?;
    let mut for_hole = Vec::new();
    let mut last_window = None;
    let mut dups = 0u64;
    for e in &tr.events[..resent_at] {
        match &e.kind {
            EventKind::SegmentSent { id, segment }
                if segment.dst.host == retx.seg.src.host && segment.payload_len == 0 =>
            {
                if let Some(h) = tcp(segment)
                    .filter(|h| h.ack == hole && h.flags.ack && !h.flags.syn && !h.flags.fin)
                {
                    for_hole.push((*id, h.window));
                }
            }
            EventKind::SegmentArrived { id } => {
                if let Some(&(_, window)) = for_hole.iter().find(|(x, _)| x == id) {
                    if last_window == Some(window) {
                        dups += 1;
                    }
                    last_window = Some(window);
                }
            }
            _ => {}
        }
    }
    last_window?;
    let lost = all
        .iter()
        .find(|s| s.seg.payload_len > 0 && tcp(s.seg).is_some_and(|h| h.seq == hole))?;
    Some(typed(
        lost.fate?.0,
        cx.t("win-dupack.prompt").into(),
        dups,
        "",
        cx.fill("win-dupack.explain", &[("dups", &dups)]),
    ))
}

fn win_rto_cwnd(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let retx = first_data_retx(&all)?;
    let mss = largest_payload(&all).max(1);
    let socket = socket_of(tr, retx.seg.src)?;
    let cwnd = cwnd_after(tr, socket, retx.t)?;
    let n = u64::from(cwnd.div_ceil(mss));
    Some(typed(
        retx.t.saturating_sub(1),
        cx.t("win-rto-cwnd.prompt").into(),
        n,
        "",
        cx.fill("win-rto-cwnd.explain", &[("n", &n)]),
    ))
}

fn win_zero(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    // The first zero window that reaches the data sender.
    let zero = all.iter().find(|s| {
        s.seg.payload_len == 0
            && tcp(s.seg).is_some_and(|h| h.window == 0 && h.flags.ack && !h.flags.syn)
            && s.fate.is_some_and(|f| f.1)
    })?;
    let (arrived, _) = zero.fate?;
    let socket = socket_of(tr, zero.seg.dst)?;
    // What the trace shows next: the sender arms its persist timer (and, if the window is still
    // closed when it fires, sends a probe). Without one the question does not apply.
    let persist = tr.events.iter().any(|e| {
        e.t >= arrived
            && matches!(e.kind, EventKind::TimerSet { socket: s, timer: TimerKind::Persist, .. } if s == socket)
    });
    if !persist {
        return None;
    }
    // The first choice is what TCP does.
    let [right, wrong @ ..] =
        ["c0", "c1", "c2", "c3"].map(|k| cx.t(&format!("win-zero.{k}")).to_string());
    let wrong = wrong.to_vec();
    let (choices, at) = place(right, wrong, cx.v);
    Some(Draft {
        pause_us: Some(arrived),
        prompt: cx.t("win-zero.prompt").into(),
        choices,
        answer: Answer::Choice(at),
        unit: "",
        explain: cx.t("win-zero.explain").into(),
    })
}
