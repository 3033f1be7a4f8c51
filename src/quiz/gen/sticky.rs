//! Sticky-packet items: what one recv() returns, and which of the interview chapter's cases A–D
//! a run shows.

use synack_model::presets::StickyCase;
use synack_model::trace::{AppResult, Trace};

use super::read::{before, conn_socket, data_len, nth_read};
use super::shapes::typed;
use super::{item, Ctx, Draft, Item, Sc};
use crate::quiz::{Answer, Topic};
use crate::route::Route;
use crate::texts::{tx, Tx};

const ST: (Topic, Route) = (Topic::Sticky, Route::Sticky);

pub(super) const ITEMS: &[Item] = &[
    item("st-recv-b", ST, |_| Sc::St(StickyCase::B), st_recv_first),
    item("st-recv-d", ST, |_| Sc::St(StickyCase::D), st_recv_first),
    item(
        "st-case",
        ST,
        |v| Sc::St(StickyCase::ALL[v as usize % 4]),
        st_case,
    ),
];

/// The words of this topic's questions (`quiz::words`): `{name}` is a value the generator
/// fills in from the trace.
pub(super) const TEXTS: &[(&str, Tx)] = &[
    ("st-recv-first.prompt", tx(
        "客户端连续 send() 了两条消息（{lens}），服务器 recv(65536)。这次 recv() 返回多少字节？",
        "The client send()s two messages back to back ({lens}); the server calls recv(65536). How many bytes does this recv() return?",
    )),
    ("st-recv-first.explain", tx(
        "返回 {n} 字节：{spans}。TCP 是字节流，recv() 拿走的是此刻接收缓冲区里已有的字节，和对方 send() 了几次无关——消息边界不保留，这就是“粘包”。",
        "{n} bytes: {spans}. TCP is a byte stream: recv() takes whatever bytes are in the receive buffer right now, however many send() calls made them. Message boundaries are not kept; that is \"sticky packets\".",
    )),
    ("st-case.prompt", tx(
        "客户端连续两次 send()，分别发 data1 和 data2。看报文大小和服务器什么时候读，服务器的 recv() 会是 A–D 哪种情况？",
        "The client calls send() twice, for data1 and data2. From the segment sizes and when the server reads, which of the cases A–D will the server's recv() calls show?",
    )),
    // The interview chapter's cases A–D, in its order, and why each happens.
    ("st-case.c0", tx(
        "先收到 data1，再收到 data2",
        "data1, then data2",
    )),
    ("st-case.c1", tx(
        "先收到 data1 的一部分，再收到 data1 的其余部分和 data2",
        "part of data1, then the rest of data1 with data2",
    )),
    ("st-case.c2", tx(
        "先收到 data1 和 data2 的一部分，再收到 data2 的其余部分",
        "data1 with part of data2, then the rest of data2",
    )),
    ("st-case.c3", tx(
        "一次收到 data1 和 data2",
        "data1 and data2 in one read",
    )),
    ("st-case.why0", tx(
        "A：读者一直跟得上，每条消息单独成段、到了就被读走，看起来像有边界——但这只是时机凑巧。",
        "A: the reader keeps up and each message arrives in its own segment and is read at once. It looks like boundaries are kept, but that is only timing.",
    )),
    ("st-case.why1", tx(
        "B：data1 比 MSS 大，被分成两个段；读者在第一个段到达时就读，之后剩下的 data1 和 data2 一起被读出。",
        "B: data1 is larger than the MSS and goes in two segments; the reader wakes for the first, and later reads the rest of data1 together with data2.",
    )),
    ("st-case.why2", tx(
        "C：data2 很大，第一次读时 data1 和 data2 的第一个段都已到达，剩下的部分下一次才读到。",
        "C: data2 is large; at the first read data1 and data2's first segment have both arrived, and the rest comes in the next read.",
    )),
    ("st-case.why3", tx(
        "D：读者来晚了，两条消息都已在接收缓冲区里，一次 recv() 全部拿走。",
        "D: the reader is late; both messages are already in the receive buffer and one recv() takes them all.",
    )),
];

fn st_recv_first(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let conn = conn_socket(tr)?;
    let (t, r) = nth_read(tr, conn, 0)?;
    let n = data_len(r);
    let lens: Vec<String> = tr
        .messages
        .iter()
        .filter(|m| m.label.starts_with("data"))
        .map(|m| format!("{} = {} B", m.label, m.len))
        .collect();
    let lens = lens.join(", ");
    let spans = match r {
        AppResult::Data { payload, .. } => payload
            .iter()
            .map(|p| {
                let m = tr
                    .messages
                    .get(p.message.0 as usize)
                    .map_or("?", |m| m.label.as_str());
                format!("{m}[{}..{}]", p.start, p.end)
            })
            .collect::<Vec<_>>()
            .join(" + "),
        _ => String::new(),
    };
    Some(typed(
        before(tr, t),
        cx.fill("st-recv-first.prompt", &[("lens", &lens)]),
        n as u64,
        "B",
        cx.fill("st-recv-first.explain", &[("n", &n), ("spans", &spans)]),
    ))
}

/// The interview chapter's case (0 = A … 3 = D) that the reads of a sticky trace show.
pub fn sticky_case_of(tr: &Trace) -> Option<usize> {
    let conn = conn_socket(tr)?;
    let len = |label: &str| tr.messages.iter().find(|m| m.label == label).map(|m| m.len);
    let (l1, l2) = (len("data1")?, len("data2")?);
    let (_, first) = nth_read(tr, conn, 0)?;
    let n = data_len(first);
    Some(if n == l1 + l2 {
        3
    } else if n < l1 {
        1
    } else if n == l1 {
        0
    } else if n < l1 + l2 {
        2
    } else {
        return None;
    })
}

fn st_case(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let conn = conn_socket(tr)?;
    let (t, _) = nth_read(tr, conn, 0)?;
    let c = sticky_case_of(tr)?;
    let choices: Vec<String> = "ABCD"
        .chars()
        .enumerate()
        .map(|(i, l)| format!("{l}. {}", cx.t(&format!("st-case.c{i}"))))
        .collect();
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: cx.t("st-case.prompt").into(),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: cx.t(&format!("st-case.why{c}")).into(),
    })
}
