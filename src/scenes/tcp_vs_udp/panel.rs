//! The TCP-vs-UDP scene's panel: live counters of what each protocol delivered, and the
//! interview chapter's comparison table with each row linked to the moment in the animation
//! that shows it.

use yew::prelude::*;

use synack_model::trace::{Micros, Proto};

use super::analysis::{moments, tally, Tally};
use crate::engine::ladder::fmt_ms;
use crate::i18n::T;
use crate::scenes::TraceProps;

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

#[component]
pub fn Compare(p: &TraceProps) -> Html {
    let lang = p.lang;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    // The Node.js view: a read is an event ('data' over TCP, 'message' over UDP).
    let node = crate::app::use_shell().api.is_node();
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
        <section class="compare" data-testid="compare">
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
                    { row(if node { tr("'data' / 'message' 事件", "'data' / 'message' events") } else { tr("recv() 次数", "recv() calls with data") }, &|t| t.reads.to_string()) }
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
