//! Listen-backlog items, on the interview chapter's capture: a full accept queue, the SYN-ACK
//! retries, the half-open connection.

use synack_model::trace::{SocketId, TcpState, Trace};

use super::read::{before, is, sent, tcp, transition};
use super::shapes::{next_state, typed};
use super::{item, Ctx, Draft, Item, Sc};
use crate::quiz::{Answer, Topic};
use crate::route::Route;
use crate::texts::{tx, Tx};

const BL: (Topic, Route) = (Topic::Backlog, Route::Backlog);

pub(super) const ITEMS: &[Item] = &[
    item("bl-overflow", BL, |v| Sc::Bl(v % 2 == 1), bl_overflow),
    item("bl-synack-retx", BL, |_| Sc::Bl(false), bl_synack_retx),
    item("bl-half-open", BL, |_| Sc::Bl(false), bl_half_open),
];

/// The words of this topic's questions (`quiz::words`): `{name}` is a value the generator
/// fills in from the trace.
pub(super) const TEXTS: &[(&str, Tx)] = &[
    ("bl-overflow.prompt", tx(
        "listen(fd, 0)，accept 队列已满，没人调用 accept()；tcp_abort_on_overflow = {abort}。第二个客户端握手的最后一个 ACK 正要到达服务器。服务器会怎么做？",
        "listen(fd, 0); the accept queue is full and nobody calls accept(); tcp_abort_on_overflow = {abort}. The second client's final handshake ACK is about to reach the server. What does the server do?",
    )),
    ("bl-synack-retx.prompt", tx(
        "一次真实的 accept 队列溢出抓包：accept 队列已满，服务器忽略了第二个客户端的最后 ACK（tcp_synack_retries = 5，tcp_abort_on_overflow = 0）。服务器一共会重传几次 SYN-ACK？",
        "A capture of a real accept-queue overflow: the accept queue is full and the server ignored the second client's final ACK (tcp_synack_retries = 5, tcp_abort_on_overflow = 0). How many times in all does the server retransmit its SYN-ACK?",
    )),
    ("bl-synack-retx.explain", tx(
        "{n} 次，间隔 1、2、4、8、16 秒翻倍。每次客户端都以为自己的 ACK 丢了，再回一个 ACK；但队列一直满，ACK 一直被忽略。重试用完后服务器丢掉这个请求，客户端下一次发数据时收到 RST。",
        "{n} times, 1, 2, 4, 8, 16 s apart (doubling). Each time the client thinks its ACK was lost and sends another; the queue stays full, so each is ignored. When the retries run out the server forgets the request, and the client's next data gets a RST.",
    )),
    ("bl-half-open.lead", tx(
        "服务器的 accept 队列已满，但它仍然回了 SYN-ACK，正要到达第二个客户端。",
        "The server's accept queue is full, but it still answered with a SYN-ACK, which is about to reach the second client.",
    )),
    ("bl-half-open.why", tx(
        "客户端收到 SYN-ACK 就进入 ESTABLISHED，connect() 成功返回，可服务器会忽略它的 ACK、连接一直停在 SYN-RECEIVED。如果服务器最终放弃，客户端以为连着、服务器却没有这条连接：这就是半开连接。",
        "On the SYN-ACK the client enters ESTABLISHED and connect() returns success, yet the server will ignore its ACK and keep the request in SYN-RECEIVED. If the server finally gives up, the client believes it is connected while the server has nothing: a half-open connection.",
    )),
    // What the server does with the final ACK on a full queue (the first is what Linux does
    // with tcp_abort_on_overflow=0, the second with 1), and why.
    ("bl-overflow.c0", tx(
        "忽略这个 ACK，之后重传 SYN-ACK",
        "Ignore the ACK, and later retransmit its SYN-ACK",
    )),
    ("bl-overflow.c1", tx(
        "立刻回 RST",
        "Answer with a RST at once",
    )),
    ("bl-overflow.c2", tx(
        "照样把连接放进 accept 队列",
        "Put the connection in the accept queue anyway",
    )),
    ("bl-overflow.c3", tx(
        "回 FIN 关闭连接",
        "Close the connection with a FIN",
    )),
    ("bl-overflow.why0", tx(
        "队列满时 Linux 忽略最后的 ACK（tcp_check_req 的 listen_overflow），连接留在 SYN 队列里；SYN-RECEIVED 的定时器到期就重传 SYN-ACK（最多 tcp_synack_retries 次），期望那时 accept() 已经腾出位置。",
        "With the queue full, Linux ignores the final ACK (listen_overflow in tcp_check_req) and the request stays in the SYN queue; when its SYN-RECEIVED timer fires it retransmits the SYN-ACK (up to tcp_synack_retries times), hoping accept() has made room by then.",
    )),
    ("bl-overflow.why1", tx(
        "tcp_abort_on_overflow=1 时，队列满就直接回 RST：客户端马上得到 ECONNRESET，而不是在一分钟的重试后才知道。",
        "With tcp_abort_on_overflow=1 a full queue means an immediate RST: the client gets ECONNRESET at once instead of after a minute of retries.",
    )),
];

/// The interview chapter's second client: its socket and (ephemeral) port.
fn bl_client2(tr: &Trace) -> Option<(SocketId, u16)> {
    let c = tr.sockets.iter().find(|s| s.label == "client 2")?;
    Some((c.id, c.local_port))
}

/// (time the final ACK of client 2 reached the server, client 2's port).
fn bl_final_ack(tr: &Trace) -> Option<(u64, u16)> {
    let (_, port) = bl_client2(tr)?;
    let all = sent(tr);
    let ack = all.iter().find(|s| {
        s.seg.src.port == port
            && is(s.seg, |h| {
                h.flags.ack && !h.flags.syn && !h.flags.fin && !h.flags.rst
            })
            && s.seg.payload_len == 0
    })?;
    Some((ack.fate?.0, port))
}

fn bl_overflow(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, port) = bl_final_ack(tr)?;
    let all = sent(tr);
    let answer = all
        .iter()
        .find(|s| s.t >= t && s.seg.dst.port == port && tcp(s.seg).is_some())?;
    let h = tcp(answer.seg)?;
    let c = if h.flags.rst {
        1
    } else if h.flags.syn {
        0
    } else if h.flags.fin {
        3
    } else {
        2
    };
    // The setting is the variant's input (see the item's scene), the answer is the trace's.
    let abort_on = cx.v % 2 == 1;
    let choices = (0..4)
        .map(|i| cx.t(&format!("bl-overflow.c{i}")).to_string())
        .collect();
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: cx.fill("bl-overflow.prompt", &[("abort", &(abort_on as u8))]),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: cx.t(&format!("bl-overflow.why{}", c.min(1))).into(),
    })
}

fn bl_synack_retx(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, port) = bl_final_ack(tr)?;
    let n = sent(tr)
        .iter()
        .filter(|s| s.seg.dst.port == port && s.seg.retransmission > 0)
        .filter(|s| is(s.seg, |h| h.flags.syn && h.flags.ack))
        .count() as u64;
    Some(typed(
        t,
        cx.t("bl-synack-retx.prompt").into(),
        n,
        "",
        cx.fill("bl-synack-retx.explain", &[("n", &n)]),
    ))
}

fn bl_half_open(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (c, _) = bl_client2(tr)?;
    let x = transition(tr, |s, from| s == c && from == TcpState::SynSent)?;
    next_state(
        tr,
        cx,
        x,
        cx.t("bl-half-open.lead"),
        cx.t("bl-half-open.why"),
    )
}
