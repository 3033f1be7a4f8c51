//! The backlog scene's panel: the two queues as slots that fill and drain, the kernel's
//! counters, the packet table, and the scene's own knobs.

use yew::prelude::*;

use super::analysis::*;
use super::{effective, knob_value, KNOBS};
use crate::engine::narration::drop_reason;
use crate::i18n::{Lang, T};
use crate::num;
use crate::scenes::controls::Knob;
use crate::scenes::{KnobsArgs, TraceProps};

fn slots(name: &str, testid: &'static str, (len, cap): (u32, u32), lang: Lang) -> Html {
    let shown = cap.clamp(1, 8);
    html! {
        <div class="qbox" data-testid={testid}>
            <div class="qname">{ name.to_string() }</div>
            <div class="qslots">
                { for (0..shown).map(|i| html! {
                    <span class={classes!("slot", (i < len).then_some("full"))}></span>
                }) }
                if cap > shown { <span class="dim">{"…"}</span> }
            </div>
            <div class="mono qcount" data-testid={format!("{testid}-count")}>
                { format!("{len} / {cap}") }
                if cap > 0 && len >= cap { <span class="full-tag">{ T::new(" 满", " full").get(lang) }</span> }
            </div>
        </div>
    }
}

#[component]
pub fn BacklogPanel(p: &TraceProps) -> Html {
    let lang = p.lang;
    // The Node.js view: the event loop takes connections off the queue as 'connection' events.
    let node = crate::app::use_shell().api == crate::i18n::Api::Node;
    let trace = &*p.trace;
    let (syn, acc, counters) = queues_at(trace, p.t);
    // What depends on the trace alone is read once per trace, not again at every step of the
    // playhead: the packet list (a flood's hundreds of rows) and the counters the run ever has.
    let whole = use_memo(p.trace.clone(), |t| {
        // The SYN-queue counters only where the run ever counts them (a flood), so that they
        // do not appear half-way through the playback.
        let (_, _, at_end) = queues_at(t, t.duration_us);
        let extra: Vec<&'static str> =
            ["TCPReqQFullDrop", "TCPReqQFullDoCookies", "SyncookiesSent"]
                .into_iter()
                .filter(|n| at_end.contains_key(*n))
                .collect();
        (packet_rows(t), extra)
    });
    let (rows, extra) = &*whole;
    let t0 = rows.first().map_or(0, |r| r.t);
    let count = |n: &str| counters.get(n).copied().unwrap_or(0);
    let row_html = rows.iter().map(|r| {
        let at = r.t;
        let cb = p.on_jump.clone();
        let mut info = Vec::new();
        if r.retransmission {
            info.push("[TCP Retransmission]".to_string());
        }
        if r.dup_ack {
            info.push("[TCP Dup ACK]".to_string());
        }
        if let Some(d) = &r.dropped {
            info.push(format!("✕ {}", drop_reason(d, lang)));
        }
        let kind = if r.flags.contains("RST") {
            "k-rst"
        } else if r.flags.contains("SYN, ACK") {
            "k-synack"
        } else if r.flags.contains("SYN") {
            "k-syn"
        } else if r.len > 0 {
            "k-data"
        } else {
            "k-ack"
        };
        html! {
            <tr class={classes!(kind, (r.t > p.t).then_some("future"), (r.retransmission || r.dup_ack).then_some("expert"))}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(at))}>
                <td>{ r.no }</td>
                <td>{ num::fixed((r.t - t0) as f64 / 1e6, 6) }</td>
                <td>{ format!("{} → {}", addr(trace, r.src), addr(trace, r.dst)) }</td>
                <td class="flags">{ r.flags.clone() }</td>
                <td>{ format!("{} / {}", r.seq, r.ack) }</td>
                <td>{ r.len }</td>
                <td class="info">{ info.join(" ") }</td>
            </tr>
        }
    });
    html! {
        <div class="backlog" data-testid="backlog">
            <div class="queues">
                { slots(T::new("SYN 队列（半连接）", "SYN queue (half-open)").get(lang), "syn-queue", syn, lang) }
                <span class="qarrow">{"→ ACK →"}</span>
                { slots(T::new("accept 队列（全连接）", "Accept queue (established)").get(lang), "accept-queue", acc, lang) }
                <span class="qarrow">{ if node { "→ 'connection'" } else { "→ accept()" } }</span>
                <dl class="counters mono" data-testid="counters">
                    <dt>{"ListenOverflows"}</dt><dd>{ count("ListenOverflows") }</dd>
                    <dt>{"ListenDrops"}</dt><dd>{ count("ListenDrops") }</dd>
                    { for extra.iter().map(|n| html! { <><dt>{ *n }</dt><dd>{ count(n) }</dd></> }) }
                </dl>
            </div>
            <div class="pkt-wrap" tabindex="0">
                <table class="pkts mono" data-testid="packets">
                    <thead><tr>
                        <th>{"No."}</th><th>{ T::new("时间", "Time").get(lang) }</th>
                        <th>{ T::new("源 → 目的", "Source → Destination").get(lang) }</th>
                        <th>{ T::new("标志", "Flags").get(lang) }</th><th>{"seq / ack"}</th>
                        <th>{"Len"}</th><th>{"Info"}</th>
                    </tr></thead>
                    <tbody>{ for row_html }</tbody>
                </table>
            </div>
        </div>
    }
}

/// The backlog scene's own knobs: arrival and accept() rates, listen()'s backlog, the sysctls.
/// Each shows the value in effect (the case's, or the one the user set: the URL's knobs). A
/// plain function drawn with the scene page, not a component (each costs about 1 KB of wasm).
pub fn scene_knobs(p: &KnobsArgs) -> Html {
    let lang = p.lang;
    let node = p.api == crate::i18n::Api::Node;
    // The Node.js view's names: server.listen()'s backlog, and the event loop that takes
    // connections ('connection') whenever it is not blocked.
    let says = |c: T, n: T| if node { n } else { c };
    let b = effective(&p.params.case, &p.params.knobs);
    let v = |key: &str| knob_value(&b, key);
    let spec = |key: &str| KNOBS.iter().find(|s| s.key == key).copied();
    let slider = |key: &'static str,
                  testid: &'static str,
                  label: T,
                  unit: &'static str,
                  step: f64| {
        let Some(s) = spec(key) else { return html! {} };
        let on_change = p
            .on_set
            .reform(move |x: String| (key, num::parse_f64(&x).map_or(0, |x| x.round() as u32)));
        html! {
            <Knob label={label.get(lang)} unit={unit} testid={testid} min={s.min as f64} max={s.max as f64}
                step={step} value={v(key) as f64} {on_change} />
        }
    };
    let switch = |key: &'static str, testid: &'static str, label: &'static str| {
        let onchange = p.on_set.reform(move |e: Event| {
            let on = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .is_some_and(|i| i.checked());
            (key, on as u32)
        });
        html! {
            <label class="knob switch">
                <input type="checkbox" data-testid={testid} checked={v(key) == 1} {onchange} />
                <span>{ label }</span>
            </label>
        }
    };
    let accepts = b.accept_delay_ms.is_some();
    html! {
        <div class="knobs backlog-knobs" data-testid="backlog-knobs">
            { slider("backlog", "knob-backlog", says(T::new("listen() 的 backlog", "listen() backlog"),
                T::new("server.listen() 的 backlog", "server.listen() backlog")), "", 1.0) }
            { slider("clients", "knob-clients", T::new("客户端", "Clients"), "", 1.0) }
            { slider("every", "knob-every", T::new("每隔多久来一个", "One arrives every"), "ms", 1.0) }
            { slider("flood", "knob-flood", T::new("先来的 SYN 洪泛", "SYN flood before them"), "", 1.0) }
            { switch("accepts", "knob-accepts", says(T::new("应用调用 accept()", "The app calls accept()"),
                T::new("事件循环会空下来（'connection'）", "The event loop gets free ('connection')")).get(lang)) }
            if accepts {
                { slider("accept_after", "knob-accept-after", says(T::new("第一次 accept() 在", "First accept() at"),
                    T::new("事件循环阻塞到", "Event loop blocked until")), "ms", 100.0) }
                { slider("accept_every", "knob-accept-every", T::new("之后每隔", "then every"), "ms", 10.0) }
            }
            { slider("synack_retries", "knob-synack-retries", T::new("tcp_synack_retries", "tcp_synack_retries"), "", 1.0) }
            { slider("max_syn_backlog", "knob-max-syn-backlog", T::new("tcp_max_syn_backlog", "tcp_max_syn_backlog"), "", 1.0) }
            { slider("somaxconn", "knob-somaxconn", T::new("net.core.somaxconn", "net.core.somaxconn"), "", 1.0) }
            { switch("abort", "knob-abort", "tcp_abort_on_overflow") }
            { switch("syncookies", "knob-syncookies", "tcp_syncookies") }
        </div>
    }
}
