//! The UDP scene's panel: the datagrams sent and each recvfrom()'s result, as message chunks.

use yew::prelude::*;

use super::analysis::*;
use crate::engine::ladder::fmt_ms;
use crate::engine::narration::{drop_reason, localize_name};
use crate::i18n::{Lang, T};
use crate::scenes::backlog::addr;
use crate::scenes::sticky::{chunk_bar, jump_name, DISCARDED};
use crate::scenes::TraceProps;

#[component]
pub fn UdpPanel(p: &TraceProps) -> Html {
    let lang = p.lang;
    // The Node.js view: a read is a 'message' event, and Node never truncates one.
    let node = crate::app::use_shell().api == crate::i18n::Api::Node;
    let trace = &*p.trace;
    let t = p.t;
    let lists_of = use_memo(p.trace.clone(), |t| (sent(t), received(t)));
    let (out, got) = &*lists_of;
    let total = out.iter().map(|s| s.len).max().unwrap_or(1).max(1);
    let jump = |at: u64| {
        let cb = p.on_jump.clone();
        Callback::from(move |_: MouseEvent| cb.emit(at))
    };
    let tag = |cls: &'static str, zh: &'static str, en: &'static str| {
        html! { <span class={classes!("tag", cls)}>{ T::new(zh, en).get(lang).to_string() }</span> }
    };
    let sent_rows = out.iter().map(|s| {
        html! {
            <li class={classes!((s.t > t).then_some("future"))} onclick={jump(s.t)}>
                <button type="button" class="mono when" aria-label={jump_name(s.t, lang)}>{ fmt_ms(s.t) }</button>
                { chunk_bar(&[(colour_slot(trace, &s.label), s.len, false, s.label.clone())], total) }
                <span class="mono desc">{ format!("{} · {} B · {} → {}", s.label, s.len, addr(trace, s.src), addr(trace, s.dst)) }</span>
                if s.copy { { tag("dup", "网络复制的副本", "copy made by the network") } }
                if let Some(r) = &s.lost {
                    <span class="tag lost">{ format!("✕ {}", drop_reason(r, lang)) }</span>
                }
            </li>
        }
    });
    // One list per receiving socket, in the order the sockets were made.
    let receivers = trace
        .sockets
        .iter()
        .filter(|s| got.iter().any(|g| g.socket == s.id));
    let lists = receivers.map(|s| {
        let host = trace.hosts.iter().find(|h| h.id == s.host);
        let rows = got.iter().filter(|g| g.socket == s.id).map(|g| {
            let slot = colour_slot(trace, &g.label);
            // Node reads every datagram whole: its bar is the whole message.
            let mut parts = if node {
                vec![(slot, g.len + g.truncated, false, g.label.clone())]
            } else {
                vec![(slot, g.len, false, format!("{}[0..{}]", g.label, g.len))]
            };
            if g.truncated > 0 && !node {
                parts.push((DISCARDED, g.truncated, false, format!("{}[{}..{}]", g.label, g.len, g.msg_len)));
            }
            let what = if g.truncated > 0 {
                format!("{}[0..{}]", g.label, g.len)
            } else {
                g.label.clone()
            };
            let from = g.from.map(|a| addr(trace, a)).unwrap_or_default();
            html! {
                <li class={classes!((g.t > t).then_some("future"), (g.truncated > 0 && !node).then_some("trunc"))} onclick={jump(g.t)}
                    data-testid="dgram">
                    <button type="button" class="mono when" aria-label={jump_name(g.t, lang)}>{ fmt_ms(g.t) }</button>
                    { chunk_bar(&parts, total) }
                    <span class="mono desc">{ match (lang, node) {
                        (Lang::Zh, false) => format!("recvfrom() = {} B，来自 {from}：{what}", g.len),
                        (Lang::En, false) => format!("recvfrom() = {} B from {from}: {what}", g.len),
                        (Lang::Zh, true) => format!("'message' {} B，来自 {from}：{}", g.len + g.truncated, g.label),
                        (Lang::En, true) => format!("'message' {} B from {from}: {}", g.len + g.truncated, g.label),
                    } }</span>
                    if g.truncated > 0 && node {
                        <span class="tag" data-testid="node-whole">{ match lang {
                            Lang::Zh => format!("完整：C 的 recvfrom(2) 用 {} B 缓冲区只得到 {} B（MSG_TRUNC）", g.len, g.len),
                            Lang::En => format!("whole: C's recvfrom(2) with a {} B buffer gets {} B (MSG_TRUNC)", g.len, g.len),
                        } }</span>
                    }
                    if g.truncated > 0 && !node {
                        <span class="tag trunc-flag" data-testid="msg-trunc">{ match lang {
                            Lang::Zh => format!("MSG_TRUNC：其余 {} B 被丢弃", g.truncated),
                            Lang::En => format!("MSG_TRUNC: the other {} B are gone", g.truncated),
                        } }</span>
                    }
                    if g.duplicate { { tag("dup", "重复", "duplicate") } }
                    if g.out_of_order { { tag("ooo", "乱序", "out of order") } }
                </li>
            }
        });
        html! {
            <div class="rx">
                <h3>
                    { format!("{} :{}", localize_name(&s.label, lang), s.local_port) }
                    if let Some(h) = host {
                        <span class="dim small">{ if h.name == s.label {
                            format!(" ({})", h.addr)
                        } else {
                            format!(" @ {} ({})", localize_name(&h.name, lang), h.addr)
                        } }</span>
                    }
                </h3>
                <ol class="segs">{ for rows }</ol>
            </div>
        }
    });
    let lost: Vec<&str> = out
        .iter()
        .filter(|s| s.lost.is_some())
        .map(|s| s.label.as_str())
        .collect();
    let sends = out.iter().filter(|s| !s.copy).count();
    let summary = match (lang, node) {
        (Lang::Zh, false) => format!(
            "发出 {sends} 个数据报，{} 次 recvfrom() 返回数据，每次正好一个数据报。",
            got.len()
        ),
        (Lang::En, false) => format!(
            "{sends} datagrams sent, {} recvfrom() calls returned data, each exactly one datagram.",
            got.len()
        ),
        (Lang::Zh, true) => format!(
            "发出 {sends} 个数据报，{} 个 'message' 事件，每个正好一个完整的数据报。",
            got.len()
        ),
        (Lang::En, true) => format!(
            "{sends} datagrams sent, {} 'message' events, each exactly one whole datagram.",
            got.len()
        ),
    };
    html! {
        <div class="sticky udp" data-testid="udp">
            <p class="decoded" data-testid="udp-summary">
                { summary }
                if !lost.is_empty() {
                    <span class="tag lost">{ match lang {
                        Lang::Zh => format!("丢失且不会重发：{}", lost.join("、")),
                        Lang::En => format!("lost, never resent: {}", lost.join(", ")),
                    } }</span>
                }
            </p>
            <div class="rows">
                <h3>{ T::new("发出的数据报", "Datagrams sent").get(lang) }</h3>
                <ol class="segs" data-testid="udp-sent">{ for sent_rows }</ol>
                <h3>{ if node {
                    T::new("每个 'message' 事件带来的", "What each 'message' event brought")
                } else {
                    T::new("每次 recvfrom() 返回的", "What each recvfrom() returned")
                }.get(lang) }</h3>
                <div class="rx-grid" data-testid="udp-received">{ for lists }</div>
            </div>
        </div>
    }
}
