//! Sticky-packet items: what one recv() returns, and which of the interview chapter's cases A–D
//! a run shows.

use synack_model::presets::StickyCase;
use synack_model::trace::{AppResult, Trace};

use super::read::{before, conn_socket, data_len, nth_read};
use super::shapes::typed;
use super::{item, Ctx, Draft, Item, Sc};
use crate::i18n::T;
use crate::quiz::{bank, Answer, Topic};
use crate::route::Route;

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
        cx.s(
            format!("客户端连续 send() 了两条消息（{lens}），服务器 recv(65536)。这次 recv() 返回多少字节？"),
            format!("The client send()s two messages back to back ({lens}); the server calls recv(65536). How many bytes does this recv() return?"),
        ),
        n as u64,
        "B",
        cx.s(
            format!("返回 {n} 字节：{spans}。TCP 是字节流，recv() 拿走的是此刻接收缓冲区里已有的字节，和对方 send() 了几次无关——消息边界不保留，这就是“粘包”。"),
            format!("{n} bytes: {spans}. TCP is a byte stream: recv() takes whatever bytes are in the receive buffer right now, however many send() calls made them. Message boundaries are not kept; that is \"sticky packets\"."),
        ),
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
    let choices: Vec<String> = bank::STICKY_CASES
        .iter()
        .zip("ABCD".chars())
        .map(|(x, l)| format!("{l}. {}", x.get(cx.lang)))
        .collect();
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: T::new(
            "客户端连续两次 send()，分别发 data1 和 data2。看报文大小和服务器什么时候读，服务器的 recv() 会是 A–D 哪种情况？",
            "The client calls send() twice, for data1 and data2. From the segment sizes and when the server reads, which of the cases A–D will the server's recv() calls show?",
        )
        .get(cx.lang)
        .into(),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: bank::STICKY_WHY[c].get(cx.lang).into(),
    })
}
