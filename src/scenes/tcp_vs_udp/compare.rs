//! TCP vs UDP: live counters of what each protocol delivered, and the interview chapter's comparison table
//! with each row linked to the moment in the animation that shows it.

use yew::prelude::*;

use synack_model::trace::{AppCall, AppResult, EventKind, Header, Micros, Proto, Trace};

use crate::engine::ladder::fmt_ms;
use crate::engine::Shared;
use crate::i18n::{Lang, T};

/// What one protocol achieved by time `t`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub sent_msgs: u32,
    pub sent_bytes: u64,
    pub delivered_bytes: u64,
    /// recv() calls that returned data.
    pub reads: u32,
    pub lost_segments: u32,
    pub retransmissions: u32,
    pub duplicates: u32,
    /// Delivered after a later message (UDP reordering).
    pub out_of_order: u32,
    /// Bytes that never arrived (UDP only: TCP retransmits).
    pub missing_bytes: u64,
    /// When the last byte was handed to the receiving application.
    pub done_at: Option<Micros>,
}

pub fn tally(trace: &Trace, proto: Proto, upto: Micros) -> Tally {
    let proto_of = |s: synack_model::trace::SocketId| {
        trace.sockets.iter().find(|x| x.id == s).map(|x| x.proto)
    };
    let mut t = Tally::default();
    let mut max_msg: Option<u32> = None;
    // Sorted `Vec`s searched by bisection rather than a set and a map: each map type is code of
    // its own in the first-load wasm, and these stay small (one entry per segment or datagram).
    let mut seen: Vec<(u32, u32)> = Vec::new();
    let mut sent_ids: Vec<(synack_model::trace::SegmentId, u32)> = Vec::new();
    for ev in trace.events.iter().take_while(|e| e.t <= upto) {
        match &ev.kind {
            EventKind::AppCall {
                socket,
                call: AppCall::Send { len, .. } | AppCall::SendTo { len, .. },
            } if proto_of(*socket) == Some(proto) => {
                t.sent_msgs += 1;
                t.sent_bytes += *len as u64;
            }
            EventKind::SegmentSent { id, segment } => {
                let is = matches!(
                    (&segment.header, proto),
                    (Header::Tcp(_), Proto::Tcp) | (Header::Udp(_), Proto::Udp)
                );
                if is {
                    match sent_ids.binary_search_by(|(k, _)| k.cmp(id)) {
                        Ok(i) => sent_ids[i].1 = segment.payload_len,
                        Err(i) => sent_ids.insert(i, (*id, segment.payload_len)),
                    }
                    if segment.retransmission > 0 {
                        t.retransmissions += 1;
                    }
                    if segment.network_duplicate && proto == Proto::Tcp {
                        t.duplicates += 1;
                    }
                }
            }
            EventKind::SegmentDropped { id, .. } => {
                if let Ok(i) = sent_ids.binary_search_by(|(k, _)| k.cmp(id)) {
                    let len = &sent_ids[i].1;
                    t.lost_segments += 1;
                    if proto == Proto::Udp {
                        t.missing_bytes += *len as u64;
                    }
                }
            }
            EventKind::AppReturn {
                socket,
                result: AppResult::Data { len, payload, .. },
                ..
            } if proto_of(*socket) == Some(proto) => {
                t.reads += 1;
                t.delivered_bytes += *len as u64;
                t.done_at = Some(ev.t);
                if proto == Proto::Udp {
                    if let Some(first) = payload.first() {
                        let m = first.message.0;
                        // A datagram handed up twice is a duplicate the network made.
                        match seen.binary_search(&(m, first.start)) {
                            Ok(_) => t.duplicates += 1,
                            Err(i) => seen.insert(i, (m, first.start)),
                        }
                        if max_msg.is_some_and(|x| m < x) {
                            t.out_of_order += 1;
                        }
                        max_msg = Some(max_msg.map_or(m, |x| x.max(m)));
                    }
                }
            }
            _ => {}
        }
    }
    t
}

/// The first moment that shows each row of the comparison table.
fn moments(trace: &Trace) -> [Option<Micros>; 8] {
    let proto_of = |s: synack_model::trace::SocketId| {
        trace.sockets.iter().find(|x| x.id == s).map(|x| x.proto)
    };
    let first =
        |f: &dyn Fn(&EventKind) -> bool| trace.events.iter().find(|e| f(&e.kind)).map(|e| e.t);
    let tcp_seg = |k: &EventKind, f: &dyn Fn(&synack_model::trace::Segment) -> bool| match k {
        EventKind::SegmentSent { segment, .. } => {
            matches!(segment.header, Header::Tcp(_)) && f(segment)
        }
        _ => false,
    };
    let connection =
        first(&|k| tcp_seg(k, &|s| matches!(&s.header, Header::Tcp(h) if h.flags.syn)));
    let duplex = first(&|k| {
        tcp_seg(
            k,
            &|s| matches!(&s.header, Header::Tcp(h) if h.flags.syn && h.flags.ack),
        )
    });
    let reliability = first(&|k| tcp_seg(k, &|s| s.retransmission > 0))
        .or_else(|| first(&|k| matches!(k, EventKind::SegmentDropped { .. })));
    let ordering = {
        let mut max: Option<u32> = None;
        trace.events.iter().find_map(|e| match &e.kind {
            EventKind::AppReturn { socket, result: AppResult::Data { payload, .. }, .. }
                if proto_of(*socket) == Some(Proto::Udp) =>
            {
                let m = payload.first()?.message.0;
                let ooo = max.is_some_and(|x| m < x);
                max = Some(max.map_or(m, |x| x.max(m)));
                ooo.then_some(e.t)
            }
            _ => None,
        })
        .or_else(|| first(&|k| matches!(k, EventKind::AppReturn { socket, result: AppResult::Data { .. }, .. } if proto_of(*socket) == Some(Proto::Udp))))
    };
    let boundaries = first(
        &|k| matches!(k, EventKind::AppReturn { socket, result: AppResult::Data { .. }, .. } if proto_of(*socket) == Some(Proto::Tcp)),
    );
    let congestion = first(&|k| tcp_seg(k, &|s| s.payload_len > 0));
    let speed = tally(trace, Proto::Udp, Micros::MAX).done_at;
    let header = first(
        &|k| matches!(k, EventKind::SegmentSent { segment, .. } if matches!(segment.header, Header::Udp(_))),
    );
    [
        connection,
        duplex,
        reliability,
        ordering,
        boundaries,
        congestion,
        speed,
        header,
    ]
}

/// The interview chapter's table, in our words: (property, TCP, UDP).
const ROWS: [(T, T, T); 8] = [
    (
        T::new("连接", "Connection"),
        T::new(
            "面向连接：先三次握手",
            "connection-oriented: handshake first",
        ),
        T::new("无连接：直接发送", "connectionless: just send"),
    ),
    (
        T::new("双工", "Duplex"),
        T::new("全双工，一对一", "full duplex, one to one"),
        T::new("n:m，可多播/广播", "n:m, multicast and broadcast"),
    ),
    (
        T::new("可靠性", "Reliability"),
        T::new(
            "可靠：确认与重传",
            "reliable: acknowledgements and retransmission",
        ),
        T::new("不可靠：丢了就没了", "unreliable: lost is gone"),
    ),
    (
        T::new("有序性", "Ordering"),
        T::new("按序号排序后交付", "delivered in sequence order"),
        T::new("不保证顺序", "no order guaranteed"),
    ),
    (
        T::new("消息边界", "Boundaries"),
        T::new(
            "字节流，无边界（会“粘包”）",
            "a byte stream, no boundaries (\"sticky\" reads)",
        ),
        T::new("保留边界，一次读一个报文", "kept: one datagram per read"),
    ),
    (
        T::new("拥塞控制", "Congestion control"),
        T::new("有：慢启动、cwnd", "yes: slow start, cwnd"),
        T::new("没有", "none"),
    ),
    (
        T::new("速度", "Speed"),
        T::new(
            "较慢：要等握手和重传",
            "slower: waits for handshake and retransmissions",
        ),
        T::new("较快：立即发送", "faster: sends at once"),
    ),
    (
        T::new("首部大小", "Header size"),
        T::new("20–60 字节", "20–60 bytes"),
        T::new("8 字节", "8 bytes"),
    ),
];

#[derive(Properties, PartialEq)]
pub struct Props {
    pub trace: Shared<Trace>,
    pub t: u64,
    pub lang: Lang,
    pub on_jump: Callback<u64>,
}

#[component]
pub fn Compare(p: &Props) -> Html {
    let lang = p.lang;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let now_tcp = tally(&p.trace, Proto::Tcp, p.t);
    let now_udp = tally(&p.trace, Proto::Udp, p.t);
    let fin = use_memo(p.trace.clone(), |t| {
        (
            tally(t, Proto::Tcp, Micros::MAX),
            tally(t, Proto::Udp, Micros::MAX),
            moments(t),
        )
    });
    let (fin_tcp, fin_udp, marks) = &*fin;
    let row = |name: &'static str, f: &dyn Fn(&Tally) -> String| {
        html! {
            <tr>
                <th scope="row">{ name }</th>
                <td class="mono">{ f(&now_tcp) }</td>
                <td class="mono">{ f(&now_udp) }</td>
                <td class="mono dim">{ f(fin_tcp) }</td>
                <td class="mono dim">{ f(fin_udp) }</td>
            </tr>
        }
    };
    let done = |t: &Tally| t.done_at.map(fmt_ms).unwrap_or_else(|| "—".into());
    html! {
        <section class="compare">
            <h2>{ tr("计数器", "Counters") }</h2>
            <table class="counters" data-testid="counters">
                <thead><tr>
                    <th />
                    <th>{"TCP"}</th><th>{"UDP"}</th>
                    <th class="dim">{ tr("TCP 最终", "TCP final") }</th><th class="dim">{ tr("UDP 最终", "UDP final") }</th>
                </tr></thead>
                <tbody>
                    { row(tr("应用发送（字节）", "sent by the app (bytes)"), &|t| t.sent_bytes.to_string()) }
                    { row(tr("交付给应用（字节）", "delivered to the app (bytes)"), &|t| t.delivered_bytes.to_string()) }
                    { row(tr("recv() 次数", "recv() calls with data"), &|t| t.reads.to_string()) }
                    { row(tr("丢失的报文", "segments lost"), &|t| t.lost_segments.to_string()) }
                    { row(tr("永远丢失（字节）", "never delivered (bytes)"), &|t| t.missing_bytes.to_string()) }
                    { row(tr("重传", "retransmissions"), &|t| t.retransmissions.to_string()) }
                    { row(tr("重复", "duplicated"), &|t| t.duplicates.to_string()) }
                    { row(tr("乱序交付", "delivered out of order"), &|t| t.out_of_order.to_string()) }
                    { row(tr("最后交付时间", "last delivery at"), &done) }
                </tbody>
            </table>
            <h2>{ tr("TCP 与 UDP 的区别", "How TCP and UDP differ") }</h2>
            <table class="compare-table" data-testid="compare-table">
                <thead><tr><th /><th>{"TCP"}</th><th>{"UDP"}</th><th /></tr></thead>
                <tbody>
                    { for ROWS.iter().zip(marks.iter()).enumerate().map(|(i, ((name, tcp, udp), m))| {
                        let on_jump = p.on_jump.clone();
                        let m = *m;
                        html! {
                            <tr data-testid={format!("row-{i}")}>
                                <th scope="row">{ name.get(lang) }</th>
                                <td>{ tcp.get(lang) }</td>
                                <td>{ udp.get(lang) }</td>
                                <td>
                                    <button class="chip" disabled={m.is_none()} data-testid={format!("jump-{i}")}
                                        onclick={Callback::from(move |_: MouseEvent| if let Some(t) = m { on_jump.emit(t) })}>
                                        { match m { Some(t) => format!("▶ {}", fmt_ms(t)), None => tr("本次未出现", "not in this run").to_string() } }
                                    </button>
                                </td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}
