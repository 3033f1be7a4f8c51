//! Teardown items (RFC 9293 §3.6): the ACK of a FIN and its number, the four states of the
//! textbook close, TIME-WAIT's length, a lost last ACK.

use synack_model::presets::TeardownCase::{ClientCloses, LastAckLost};
use synack_model::trace::{EventKind, Segment, TcpState, TimerKind, Trace};

use super::read::{before, first_after, is, sent, sock, tcp};
use super::shapes::{next_after_loss, next_segment, typed};
use super::{item, next_state_item, Ctx, Draft, Item, NextState, Sc};
use crate::engine::labels::{Isns, Numbering};
use crate::quiz::Topic;
use crate::route::Route;
use crate::texts::{tx, Tx};

const TD: (Topic, Route) = (Topic::Teardown, Route::Teardown);

pub(super) const ITEMS: &[Item] = &[
    item("td-fin-ack", TD, |_| Sc::Td(ClientCloses), td_fin_ack),
    item("td-fin-ackno", TD, |_| Sc::Td(ClientCloses), td_fin_ackno),
    next_state_item(
        "td-close-wait",
        TD,
        NextState {
            sc: Sc::Td(ClientCloses),
            socket: "conn",
            from: TcpState::Established,
            lead: tx("客户端的 FIN 正要到达服务器。", "The client's FIN is about to reach the server."),
            why: tx(
                        "收到对方的 FIN 后进入 CLOSE-WAIT：对方不会再发数据了（recv() 返回 0），但这一端还可以继续发送，直到应用调用 close()。",
                        "On the peer's FIN the server enters CLOSE-WAIT: the peer will send nothing more (recv() returns 0), but this side may still send until its application calls close().",
                    ),
        },
    ),
    next_state_item(
        "td-fin-wait-2",
        TD,
        NextState {
            sc: Sc::Td(ClientCloses),
            socket: "client",
            from: TcpState::FinWait1,
            lead: tx("服务器对客户端 FIN 的 ACK 正要到达客户端。", "The server's ACK of the client's FIN is about to reach the client."),
            why: tx(
                        "FIN 被确认后客户端进入 FIN-WAIT-2：它这个方向已经关了，等服务器那边的 FIN。",
                        "Once its FIN is acknowledged the client is in FIN-WAIT-2: its direction is closed and it waits for the server's FIN.",
                    ),
        },
    ),
    next_state_item(
        "td-last-ack",
        TD,
        NextState {
            sc: Sc::Td(ClientCloses),
            socket: "conn",
            from: TcpState::CloseWait,
            lead: tx("服务器处于 CLOSE-WAIT，它的应用现在调用 close()。", "The server is in CLOSE-WAIT and its application now calls close()."),
            why: tx(
                        "服务器发出自己的 FIN，进入 LAST-ACK：只等对这个 FIN 的最后一个 ACK，收到就 CLOSED。",
                        "The server sends its own FIN and enters LAST-ACK: it only waits for the last ACK of that FIN, then it is CLOSED.",
                    ),
        },
    ),
    next_state_item(
        "td-time-wait",
        TD,
        NextState {
            sc: Sc::Td(ClientCloses),
            socket: "client",
            from: TcpState::FinWait2,
            lead: tx("服务器的 FIN 正要到达处于 FIN-WAIT-2 的客户端。", "The server's FIN is about to reach the client in FIN-WAIT-2."),
            why: tx(
                        "主动关闭的一方回最后一个 ACK 后进入 TIME-WAIT，等 2MSL：万一这个 ACK 丢了，对方会重发 FIN，它还能再确认一次；同时让这条连接的旧报文在网络里消失，不会混进用同样端口的新连接。",
                        "The side that closed first sends the last ACK and enters TIME-WAIT for 2MSL: if that ACK is lost the peer resends its FIN and it can acknowledge again, and old segments of this connection die out before a new connection on the same ports could mistake them for its own.",
                    ),
        },
    ),
    item("td-2msl", TD, |_| Sc::Td(ClientCloses), td_2msl),
    item("td-fin-retx", TD, |_| Sc::Td(LastAckLost), td_fin_retx),
];

/// The words of this topic's questions (`quiz::words`): `{name}` is a value the generator
/// fills in from the trace.
pub(super) const TEXTS: &[(&str, Tx)] = &[
    ("td-fin-ack.lead", tx(
        "客户端调用 close()，它的 FIN 正在路上；服务器的应用还没有 close()。",
        "The client called close() and its FIN is on the way; the server's application has not closed yet.",
    )),
    ("td-fin-ack.why", tx(
        "服务器的内核立刻用 ACK 确认这个 FIN，但自己的 FIN 要等服务器应用调用 close() 才发：它可能还有数据要发。ACK 和 FIN 分开发，所以挥手是四次。",
        "The server's kernel acknowledges the FIN at once, but its own FIN waits until the server application calls close(): it may still have data to send. The ACK and the FIN go separately, which is why the teardown takes four segments.",
    )),
    ("td-fin-ackno.prompt", tx(
        "客户端的 FIN（相对序号 seq = {fin_seq}）正在路上。服务器确认它的 ACK 里，相对确认号是多少？",
        "The client's FIN (relative seq = {fin_seq}) is on the way. What relative ack number does the server's ACK of it carry?",
    )),
    ("td-fin-ackno.explain", tx(
        "FIN 和 SYN 一样占一个序号，所以确认号是 {fin_seq} + 1 = {n}。",
        "A FIN, like a SYN, takes up one sequence number, so the ack is {fin_seq} + 1 = {n}.",
    )),
    ("td-2msl.prompt", tx(
        "协议栈：{profile}。服务器的 FIN 正要到达客户端，客户端将进入 TIME-WAIT。它要在 TIME-WAIT 停留多少秒？",
        "Stack profile: {profile}. The server's FIN is about to reach the client, which will enter TIME-WAIT. How many seconds does it stay there?",
    )),
    ("td-2msl.linux", tx(
        "2MSL。Linux 把 TIME-WAIT 固定为 {secs} 秒（TCP_TIMEWAIT_LEN），不随 MSL 设置变化。",
        "2MSL. Linux fixes TIME-WAIT at {secs} s (TCP_TIMEWAIT_LEN), whatever the MSL.",
    )),
    ("td-2msl.rfc", tx(
        "2MSL。RFC 9293 建议 MSL 为 2 分钟，所以 2MSL = {secs} 秒。",
        "2MSL. RFC 9293 suggests an MSL of 2 minutes, so 2MSL = {secs} s.",
    )),
    ("td-fin-retx.lead", tx(
        "客户端在 TIME-WAIT 里回的最后一个 ACK 丢了。",
        "The client's last ACK, sent from TIME-WAIT, was lost.",
    )),
    ("td-fin-retx.why", tx(
        "服务器在 LAST-ACK 里等不到确认，重传定时器到期后重发 FIN；客户端还在 TIME-WAIT，于是能再回一个 ACK（并重新开始 2MSL 计时）。这正是 TIME-WAIT 存在的理由。",
        "The server in LAST-ACK gets no acknowledgement, so its retransmission timer resends the FIN; the client is still in TIME-WAIT and can answer with another ACK (restarting its 2MSL wait). This is exactly why TIME-WAIT exists.",
    )),
];

fn client_fin(tr: &Trace) -> Option<(u64, &Segment)> {
    let c = tr.sockets.iter().find(|s| s.label == "client")?;
    tr.events.iter().find_map(|e| match &e.kind {
        EventKind::SegmentSent { segment, .. }
            if segment.src.host == c.host && is(segment, |h| h.flags.fin) =>
        {
            Some((e.t, segment))
        }
        _ => None,
    })
}

fn td_fin_ack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, _) = client_fin(tr)?;
    next_segment(
        tr,
        cx,
        t,
        cx.t("td-fin-ack.lead"),
        cx.t("td-fin-ack.why").into(),
    )
}

fn td_fin_ackno(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, fin) = client_fin(tr)?;
    let all = sent(tr);
    let ack = first_after(&all, t)?;
    let h = tcp(ack.seg)?;
    let isns = Isns::of_trace(tr);
    let (_, n) = isns.show(ack.seg, h, Numbering::Relative);
    let (fin_seq, _) = isns.show(fin, tcp(fin)?, Numbering::Relative);
    Some(typed(
        before(tr, ack.t),
        cx.fill("td-fin-ackno.prompt", &[("fin_seq", &fin_seq)]),
        n as u64,
        "",
        cx.fill("td-fin-ackno.explain", &[("fin_seq", &fin_seq), ("n", &n)]),
    ))
}

fn td_2msl(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let c = sock(tr, "client")?;
    // The state's length is the timeout asked for, TCP_TIMEWAIT_LEN (2MSL in the RFC
    // profile). On Linux the timer then fires on the timer wheel's next 512-jiffy bucket
    // boundary (level 3 at HZ 250), up to 2 s later: the trace's expiry is that moment, the
    // question asks for the length. A trace that does not know the timeout (the lab's) has
    // only the expiry.
    let (t, timeout) = tr.events.iter().find_map(|e| match e.kind {
        EventKind::TimerSet {
            socket,
            timer: TimerKind::TimeWait,
            expires_us,
            timeout_us,
        } if socket == c => Some((e.t, timeout_us.unwrap_or(expires_us.saturating_sub(e.t)))),
        _ => None,
    })?;
    let profile = match &tr.origin {
        synack_model::trace::Origin::Model { profile, .. } => profile.clone(),
        _ => String::new(),
    };
    let linux = profile == "linux";
    let secs = timeout / 1_000_000;
    Some(typed(
        before(tr, t),
        cx.fill(
            "td-2msl.prompt",
            &[("profile", &if linux { "Linux" } else { "RFC" })],
        ),
        secs,
        "s",
        if linux {
            cx.fill("td-2msl.linux", &[("secs", &secs)])
        } else {
            cx.fill("td-2msl.rfc", &[("secs", &secs)])
        },
    ))
}

fn td_fin_retx(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    next_after_loss(tr, cx, cx.t("td-fin-retx.lead"), cx.t("td-fin-retx.why"))
}
