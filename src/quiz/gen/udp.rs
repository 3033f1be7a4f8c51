//! UDP items: a truncated datagram, what the next recvfrom() returns, message boundaries.

use synack_model::presets::UdpCase::{Boundaries, Truncation};
use synack_model::trace::{AppResult, Proto, SocketId, Trace};

use super::read::{before, data_len, nth_read};
use super::shapes::typed;
use super::{item, place, Ctx, Draft, Item, Sc};
use crate::i18n::Lang;
use crate::quiz::{Answer, Topic};
use crate::route::Route;
use crate::texts::{tx, Tx};

const UDP: (Topic, Route) = (Topic::Udp, Route::Udp);

pub(super) const ITEMS: &[Item] = &[
    item("udp-trunc", UDP, |_| Sc::Udp(Truncation), udp_trunc),
    item("udp-second", UDP, |_| Sc::Udp(Truncation), udp_second),
    item("udp-bound", UDP, |_| Sc::Udp(Boundaries), udp_bound),
];

/// The words of this topic's questions (`quiz::words`): `{name}` is a value the generator
/// fills in from the trace.
pub(super) const TEXTS: &[(&str, Tx)] = &[
    ("udp-trunc.prompt", tx(
        "客户端发来两个 {dgram} 字节的 UDP 数据报，服务器用 {n} 字节的缓冲区调用 recvfrom()。这次返回多少字节？",
        "The client sends two {dgram}-byte UDP datagrams; the server calls recvfrom() with a {n}-byte buffer. How many bytes does it return?",
    )),
    ("udp-trunc.explain", tx(
        "只返回 {n} 字节并带上截断标志（MSG_TRUNC），剩下的 {lost} 字节被丢弃。UDP 一次读一个完整数据报，不会把一个数据报分两次读。",
        "Only {n} bytes, flagged as truncated (MSG_TRUNC); the other {lost} bytes are discarded. UDP reads one whole datagram per call and never splits one across two reads.",
    )),
    ("udp-second.prompt", tx(
        "第一次 recvfrom() 只拿到了 {first} 的前 {w} 字节（被截断）。第二次 recvfrom() 返回什么？",
        "The first recvfrom() got only the first {w} bytes of {first} (truncated). What does the second recvfrom() return?",
    )),
    ("udp-second.explain", tx(
        "返回 {right}：下一个数据报的开头。被截掉的部分已经丢了，UDP 不会把它留给下一次读取——消息边界一直保留。",
        "{right}: the start of the next datagram. The truncated bytes are gone; UDP does not keep them for the next read, so message boundaries always hold.",
    )),
    ("udp-bound.prompt", tx(
        "客户端连续发出 {lens} 字节的 UDP 数据报，服务器稍后用 1024 字节的缓冲区逐个 recvfrom()。第二次 recvfrom() 返回多少字节？",
        "The client sends UDP datagrams of {lens} bytes back to back; the server later calls recvfrom() with a 1024-byte buffer. How many bytes does the second recvfrom() return?",
    )),
    ("udp-bound.explain", tx(
        "{n} 字节，正好是第二个数据报。UDP 面向消息：就算几个数据报都已经在缓冲区里，每次也只取一个，所以 UDP 没有粘包。",
        "{n} bytes: exactly the second datagram. UDP is message-oriented: even with several datagrams waiting, each call takes one, so UDP has no sticky packets.",
    )),
];

fn udp_server(tr: &Trace) -> Option<SocketId> {
    tr.sockets
        .iter()
        .find(|s| s.label == "server" && s.proto == Proto::Udp)
        .map(|s| s.id)
}

fn udp_trunc(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let s = udp_server(tr)?;
    let (t, r) = nth_read(tr, s, 0)?;
    let (n, lost) = match r {
        AppResult::Data { len, truncated, .. } => (*len, truncated.unwrap_or(0)),
        _ => return None,
    };
    let dgram = n + lost;
    Some(typed(
        before(tr, t),
        cx.fill("udp-trunc.prompt", &[("dgram", &dgram), ("n", &n)]),
        n as u64,
        "B",
        cx.fill("udp-trunc.explain", &[("lost", &lost), ("n", &n)]),
    ))
}

fn udp_second(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let s = udp_server(tr)?;
    let (_, r0) = nth_read(tr, s, 0)?;
    let (t, r) = nth_read(tr, s, 1)?;
    let span = |r: &AppResult| match r {
        AppResult::Data { payload, .. } => payload.first().copied(),
        _ => None,
    };
    let (a, b) = (span(r0)?, span(r)?);
    let name = |m: synack_model::trace::MessageId| {
        tr.messages
            .get(m.0 as usize)
            .map_or("?".into(), |x| x.label.clone())
    };
    let full = |m| tr.messages.get(m as usize).map_or(0, |x| x.len);
    let fmt = |m: synack_model::trace::MessageId, s: u32, e: u32| format!("{} [{s}..{e})", name(m));
    let right = fmt(b.message, b.start, b.end);
    let w = a.end - a.start;
    let wrong = vec![
        fmt(a.message, a.end, (a.end + w).min(full(a.message.0))),
        fmt(a.message, a.end, full(a.message.0)),
        fmt(b.message, b.end, (b.end + w).min(full(b.message.0))),
    ];
    let (choices, c) = place(right.clone(), wrong, cx.v);
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: cx.fill(
            "udp-second.prompt",
            &[("w", &w), ("first", &name(a.message))],
        ),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: cx.fill("udp-second.explain", &[("right", &right)]),
    })
}

fn udp_bound(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let s = udp_server(tr)?;
    let (t, r) = nth_read(tr, s, 1)?;
    let n = data_len(r);
    let lens: Vec<String> = tr.messages.iter().map(|m| m.len.to_string()).collect();
    Some(typed(
        before(tr, t),
        cx.fill(
            "udp-bound.prompt",
            // A list reads "100、200" in Chinese, "100, 200" in English.
            &[(
                "lens",
                &lens.join(if cx.lang == Lang::Zh { "、" } else { ", " }),
            )],
        ),
        n as u64,
        "B",
        cx.fill("udp-bound.explain", &[("n", &n)]),
    ))
}
