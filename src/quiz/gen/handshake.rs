//! Handshake items (RFC 9293 §3.5): the SYN-ACK and its numbers, the states on each side, a
//! lost SYN or final ACK, a closed port.

use synack_model::presets::HandshakeCase::{ClosedPort, FinalAckLost, Normal, SynLost};
use synack_model::trace::{TcpState, Trace};

use super::read::{before, first_seg, is, sent, tcp, Sent};
use super::shapes::{next_after_loss, next_segment, typed};
use super::{item, next_state_item, Ctx, Draft, Item, NextState, Sc};
use crate::engine::labels::{Isns, Numbering};
use crate::quiz::Topic;
use crate::route::Route;
use crate::texts::{tx, Tx};

const HS: (Topic, Route) = (Topic::Handshake, Route::Handshake);

pub(super) const ITEMS: &[Item] = &[
    item("hs-synack", HS, |_| Sc::Hs(Normal), hs_synack),
    item("hs-synack-ack", HS, |_| Sc::Hs(Normal), hs_synack_ack),
    next_state_item(
        "hs-syn-rcvd",
        HS,
        NextState {
            sc: Sc::Hs(Normal),
            socket: "conn",
            from: TcpState::Listen,
            lead: tx("客户端的 SYN 正要到达正在 listen 的服务器。", "The client's SYN is about to reach the listening server."),
            why: tx(
                        "收到 SYN 并回了 SYN-ACK 的连接进入 SYN-RECEIVED（半连接，放在 SYN 队列里），等客户端最后的 ACK。",
                        "Having received a SYN and answered SYN-ACK, the new connection is in SYN-RECEIVED (half-open, in the SYN queue), waiting for the client's final ACK.",
                    ),
        },
    ),
    next_state_item(
        "hs-client-est",
        HS,
        NextState {
            sc: Sc::Hs(Normal),
            socket: "client",
            from: TcpState::SynSent,
            lead: tx("服务器的 SYN-ACK 正要到达客户端。", "The server's SYN-ACK is about to reach the client."),
            why: tx(
                        "客户端收到 SYN-ACK 就进入 ESTABLISHED 并回最后一个 ACK：在它看来连接已经建好了，可以立刻发数据；服务器要等这个 ACK 到了才进入 ESTABLISHED。",
                        "On the SYN-ACK the client enters ESTABLISHED and sends the final ACK: for the client the connection is up and it may send data at once; the server is ESTABLISHED only when that ACK arrives.",
                    ),
        },
    ),
    item("hs-ack-lost", HS, |_| Sc::Hs(FinalAckLost), hs_ack_lost),
    item("hs-syn-rto", HS, |_| Sc::Hs(SynLost), hs_syn_rto),
    item("hs-closed", HS, |_| Sc::Hs(ClosedPort), hs_closed),
];

/// The words of this topic's questions (`quiz::words`): `{name}` is a value the generator
/// fills in from the trace.
pub(super) const TEXTS: &[(&str, Tx)] = &[
    ("hs-synack.lead", tx(
        "服务器在 80 端口 listen，客户端的 SYN 正要到达。",
        "The server listens on port 80; the client's SYN is about to arrive.",
    )),
    ("hs-synack.why", tx(
        "服务器回 SYN-ACK：SYN 位送出自己的初始序号，ACK 位确认客户端的 SYN（确认号 = 客户端 ISN + 1）。一个报文做了两件事，所以握手只要三次。",
        "The server answers SYN-ACK: the SYN bit carries its own initial sequence number, the ACK bit acknowledges the client's SYN (ack = client ISN + 1). One segment does both jobs, which is why three segments are enough.",
    )),
    ("hs-synack-ack.prompt", tx(
        "客户端的 SYN 正要到达服务器。用相对序号（客户端 ISN 记为 0），服务器的 SYN-ACK 里确认号 ack 是多少？",
        "The client's SYN is about to reach the server. In relative numbers (the client's ISN counts as 0), what ack number does the server's SYN-ACK carry?",
    )),
    ("hs-synack-ack.explain", tx(
        "SYN 本身占一个序号，所以确认号是 ISN + 1 = {ack}（这次运行的绝对值是 {abs}）。ack 的意思是“下一个我想要的字节号”。",
        "A SYN takes up one sequence number, so the ack is ISN + 1 = {ack} (absolute {abs} in this run). An ack number means \"the next byte I expect\".",
    )),
    ("hs-ack-lost.lead", tx(
        "客户端握手的最后一个 ACK 在路上丢了。",
        "The client's final handshake ACK was lost on the way.",
    )),
    ("hs-ack-lost.why", tx(
        "服务器还在 SYN-RECEIVED，它的重传定时器（初始 1 秒）到期后重发 SYN-ACK；客户端再回 ACK，服务器这才进入 ESTABLISHED。客户端不会自己重发 ACK：ACK 不占序号，没人等它的确认。",
        "The server is still in SYN-RECEIVED; when its retransmission timer (1 s at first) fires it sends the SYN-ACK again, the client answers with another ACK, and only then is the server ESTABLISHED. The client never resends a bare ACK on its own: an ACK takes no sequence number and is never acknowledged.",
    )),
    ("hs-syn-rto.prompt", tx(
        "客户端的第一个 SYN 丢了。从发出它算起，过多少毫秒客户端重发 SYN？",
        "The client's first SYN is lost. How many milliseconds after sending it does the client send the SYN again?",
    )),
    ("hs-syn-rto.explain", tx(
        "连接还没有 RTT 样本，重传定时器用初始值（RFC 6298：1 秒），所以 {ms} 毫秒后重发{late}。RFC 6298 让之后的每次等待翻倍；Linux 6.5 起前 4 次超时仍用初始值（tcp_syn_linear_timeouts），SYN 在约 1、2、3、4、5 秒发出，之后才翻倍。",
        "With no RTT sample yet, the retransmission timer starts at its initial value (RFC 6298: 1 s), so the SYN goes again after {ms} ms{late}. RFC 6298 doubles every further wait; since Linux 6.5 the first 4 timeouts keep the initial value (tcp_syn_linear_timeouts), so SYNs go at about 1, 2, 3, 4, 5 s before the doubling starts.",
    )),
    ("hs-syn-rto.late", tx(
        "：Linux 的定时器挂在时间轮上，远一点的定时器只在桶的边界触发，从不提前，所以比 1 秒晚了几毫秒",
        ": Linux's timers sit on a timer wheel that fires a far timer on a bucket boundary, never early, so a few ms after the second",
    )),
    ("hs-closed.lead", tx(
        "服务器主机的 80 端口没有任何程序 listen，客户端的 SYN 正要到达。",
        "Nothing listens on the server's port 80; the client's SYN is about to arrive.",
    )),
    ("hs-closed.why", tx(
        "没有监听的端口用 RST 回答（带 ACK，确认号 = 对方 ISN + 1），客户端的 connect() 立刻失败，错误是 ECONNREFUSED，而不是等到超时。",
        "A port nobody listens on answers with RST (with ACK, ack = the client's ISN + 1); the client's connect() fails at once with ECONNREFUSED instead of timing out.",
    )),
];

fn hs_synack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, _) = first_seg(tr, |h| h.flags.syn && h.flags.ack)?;
    next_segment(
        tr,
        cx,
        before(tr, t),
        cx.t("hs-synack.lead"),
        cx.t("hs-synack.why").into(),
    )
}

fn hs_synack_ack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, s) = first_seg(tr, |h| h.flags.syn && h.flags.ack)?;
    let h = tcp(s)?;
    let isns = Isns::of_trace(tr);
    let (_, ack) = isns.show(s, h, Numbering::Relative);
    let (_, abs) = isns.show(s, h, Numbering::Absolute);
    Some(typed(
        before(tr, t),
        cx.t("hs-synack-ack.prompt").into(),
        ack as u64,
        "",
        cx.fill("hs-synack-ack.explain", &[("abs", &abs), ("ack", &ack)]),
    ))
}

fn hs_ack_lost(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    next_after_loss(tr, cx, cx.t("hs-ack-lost.lead"), cx.t("hs-ack-lost.why"))
}

fn hs_syn_rto(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let syns: Vec<&Sent> = all
        .iter()
        .filter(|s| is(s.seg, |h| h.flags.syn && !h.flags.ack))
        .collect();
    let (first, again) = (syns.first()?, syns.get(1)?);
    let ms = (again.t - first.t) / 1000;
    Some(typed(
        first.fate?.0,
        cx.t("hs-syn-rto.prompt").into(),
        ms,
        "ms",
        {
            // Later than the second: the timer wheel's doing, said in a clause of its own.
            let late = if ms > 1000 {
                cx.t("hs-syn-rto.late")
            } else {
                ""
            };
            cx.fill("hs-syn-rto.explain", &[("ms", &ms), ("late", &late)])
        },
    ))
}

fn hs_closed(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, _) = first_seg(tr, |h| h.flags.syn)?;
    let all = sent(tr);
    let syn = all.iter().find(|s| s.t == t)?;
    next_segment(
        tr,
        cx,
        syn.fate?.0.saturating_sub(1),
        cx.t("hs-closed.lead"),
        cx.t("hs-closed.why").into(),
    )
}
