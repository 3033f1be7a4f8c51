//! The sticky-packets scene's panel: the segments on the wire and what each recv() returned as
//! coloured chunks, the framing decoder, the knob editor and the remedies table.

use yew::prelude::*;

use synack_model::presets::{Knobs, StickyCase, StickyFix, StickyKnobs};
use synack_model::trace::{QueueKind, Trace};

use super::analysis::*;
use super::{case_of, fix_of, knob_get, knobs_of, KNOB_KEYS};
use crate::engine::ladder::fmt_ms;
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::num;
use crate::route::Query;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub trace: Shared<Trace>,
    pub knobs: Knobs,
    pub case: AttrValue,
    /// The URL's changes to the case's sticky knobs.
    pub over: Query,
    pub t: u64,
    pub lang: Lang,
    pub on_jump: Callback<u64>,
    /// A knob edited: (key, value).
    pub on_knob: Callback<(String, String)>,
}

/// The name a screen reader says for a row's time, a button that moves the playhead there
/// (the row's click does the same for a pointer; the button is what Tab reaches).
pub fn jump_name(at: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("跳到 {}", fmt_ms(at)),
        Lang::En => format!("Jump to {}", fmt_ms(at)),
    }
}

/// Message bytes as a bar on a track: the bar's length is its share of `total` bytes, each
/// piece's width its share of the bar.
pub fn chunk_bar(parts: &[Piece], total: u32) -> Html {
    let total = total.max(1) as f64;
    let used: u32 = parts.iter().map(|p| p.1).sum();
    html! {
        <span class="chunks">
            <span class="chunks-in" style={format!("width:{}%", num::fixed((used as f64 / total * 100.0).min(100.0), 1))}>
                { for parts.iter().map(|(slot, len, framing, title)| {
                    let w = *len as f64 / used.max(1) as f64 * 100.0;
                    html! {
                        <span class={classes!("chunk", format!("m{slot}"), framing.then_some("framing"))}
                            style={format!("flex-basis:{}%", num::fixed(w, 2))} title={title.clone()}>
                            if *len as f64 / total > 0.2 { { len.to_string() } }
                        </span>
                    }
                }) }
            </span>
        </span>
    }
}
/// The table of remedies: rows of (test id, name, why, outcome), the first the baseline.
pub fn remedies_table(
    rows: &[(String, T, T, Outcome)],
    current: StickyFix,
    lang: Lang,
    node: bool,
    on_pick: &Callback<(String, String)>,
) -> Html {
    let base = rows.first().and_then(|r| r.3.arrived);
    let cols = [
        T::new("办法", "Remedy"),
        if node {
            T::new("每个 'data' 事件带来的", "What each 'data' event brought")
        } else {
            T::new("每次 recv() 拿到的", "What each recv() returned")
        },
        T::new("解码出的消息", "Messages decoded"),
        T::new("数据报文段", "Data segments"),
        T::new("最后一字节到达", "Last byte arrived"),
        T::new("应用读完", "All read"),
    ];
    let body = rows.iter().map(|(id, name, why, o)| {
        let cost = match (o.arrived, base) {
            (Some(d), Some(b)) if d > b + 500 => format!(" (+{})", fmt_ms(d - b)),
            _ => String::new(),
        };
        let on = current.id() == id;
        let pick = {
            let (cb, id) = (on_pick.clone(), id.clone());
            Callback::from(move |_: MouseEvent| cb.emit(("fix".into(), id.clone())))
        };
        html! {
            <tr data-testid={format!("fix-{id}")} class={classes!(on.then_some("on"))}>
                <th scope="row">
                    { name.get(lang) }<div class="dim small">{ why.get(lang) }</div>
                    <button class={classes!("chip", on.then_some("on"))} aria-pressed={on.to_string()}
                        data-testid={format!("show-{id}")} onclick={pick}>
                        { if on { T::new("图中所示", "shown above") } else { T::new("在图中看", "show above") }.get(lang) }
                    </button>
                </th>
                <td class="mono" data-label={cols[1].get(lang)}>{ o.chunking.clone() }</td>
                <td class="mono" data-testid="decoded" data-label={cols[2].get(lang)}>{ o.decoded.clone().unwrap_or_else(|| "—".into()) }</td>
                <td class="mono" data-label={cols[3].get(lang)}>{ o.segments }</td>
                <td class="mono" data-testid="arrived" data-label={cols[4].get(lang)}>
                    { o.arrived.map(fmt_ms).unwrap_or_else(|| "—".into()) }
                    if !cost.is_empty() { <span class="cost">{ cost }</span> }
                </td>
                <td class="mono" data-testid="delivered" data-label={cols[5].get(lang)}>
                    { o.done.map(fmt_ms).unwrap_or_else(|| "—".into()) }
                </td>
            </tr>
        }
    });
    html! {
        <table data-testid="fixes">
            <thead><tr>{ for cols.iter().map(|c| html! { <th>{ c.get(lang) }</th> }) }</tr></thead>
            <tbody>{ for body }</tbody>
        </table>
    }
}

/// The knobs that produce the case, editable; the ones this case changed from A are marked.
pub fn knob_editor(
    sk: &StickyKnobs,
    base: &StickyKnobs,
    fix: StickyFix,
    lang: Lang,
    node: bool,
    on: &Callback<(String, String)>,
) -> Html {
    let label = |key: &str| -> (T, &'static str) {
        match key {
            // The Node.js view: reads are 'data' events, sends socket.write() calls; libuv
            // reads up to 64 KiB at a time where C passes its own buffer.
            "gap" if node => (
                T::new("两次 socket.write() 间隔", "Gap between writes"),
                "ms",
            ),
            "read1" if node => (
                T::new(
                    "第 1 个 'data' 前事件循环忙",
                    "Event loop busy before 1st 'data'",
                ),
                "ms",
            ),
            "read2" if node => (
                T::new(
                    "第 2 个 'data' 前事件循环忙",
                    "Event loop busy before 2nd 'data'",
                ),
                "ms",
            ),
            "rsize" if node => (T::new("每次读取的上限", "Read size limit"), "B"),
            "data1" => (T::new("data1 长度", "data1 length"), "B"),
            "data2" => (T::new("data2 长度", "data2 length"), "B"),
            "gap" => (T::new("两次 send() 间隔", "Gap between sends"), "ms"),
            "nagle" => (T::new("Nagle 算法", "Nagle"), ""),
            "mss" => (T::new("MSS", "MSS"), "B"),
            "rate" => (
                T::new("链路速率（0 = 不限）", "Link rate (0 = unlimited)"),
                "Mbit/s",
            ),
            "read1" => (
                T::new("第 1 次 recv() 前忙", "Busy before 1st recv()"),
                "ms",
            ),
            "read2" => (
                T::new("第 2 次 recv() 前忙", "Busy before 2nd recv()"),
                "ms",
            ),
            _ => (T::new("recv() 缓冲区", "recv() buffer"), "B"),
        }
    };
    let items = KNOB_KEYS.iter().map(|key| {
        let (name, unit) = label(key);
        let v = knob_get(sk, key);
        let changed = v != knob_get(base, key);
        // Remedies ① and ② set a knob themselves.
        let locked = matches!(
            (fix, *key),
            (StickyFix::WaitBetweenSends, "gap") | (StickyFix::NoDelay, "nagle")
        );
        let key_s = key.to_string();
        let on = on.clone();
        let input = if *key == "nagle" {
            let onchange = Callback::from(move |e: Event| {
                if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                    on.emit((key_s.clone(), if i.checked() { "1" } else { "0" }.into()));
                }
            });
            html! { <input type="checkbox" checked={sk.nagle} disabled={locked} data-testid={format!("sk-{key}")} {onchange} /> }
        } else {
            let onchange = Callback::from(move |e: Event| {
                if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                    on.emit((key_s.clone(), i.value()));
                }
            });
            html! { <input type="number" min="0" value={v} disabled={locked} data-testid={format!("sk-{key}")} {onchange} /> }
        };
        html! {
            <label class={classes!("knob", changed.then_some("changed"))}>
                <span>{ name.get(lang) }</span>{ input }
                if !unit.is_empty() { <span class="dim">{ unit }</span> }
            </label>
        }
    });
    html! {
        <div class="knobs sticky-knobs" data-testid="sticky-knobs">
            <strong class="knobs-h">{ T::new("这个情况的旋钮（高亮 = 与 A 不同）", "This case's knobs (highlighted: unlike A)").get(lang) }</strong>
            { for items }
        </div>
    }
}

#[component]
pub fn StickyPanel(p: &PanelProps) -> Html {
    let lang = p.lang;
    // The Node.js view: a read is a 'data' event, a send a socket.write().
    let node = crate::app::use_shell().api == crate::i18n::Api::Node;
    let trace = &*p.trace;
    let t = p.t;
    let parsed = use_memo(p.trace.clone(), |t| {
        let rs = reads(t);
        let steps = decode_steps(t, &rs);
        (rs, wire(t), steps)
    });
    let (rs, segs, steps) = &*parsed;
    let total: u32 = segs
        .iter()
        .map(|s| s.1.iter().map(|x| x.1).sum::<u32>())
        .chain(rs.iter().map(|r| r.len))
        .max()
        .unwrap_or(1)
        .max(1);
    let (sb, sbcap) = queue(trace, t, "client", QueueKind::SendBuffer);
    let (rb, rbcap) = queue(trace, t, "server", QueueKind::RecvBuffer);
    let bar = |len: u32, cap: u32, testid: &'static str| {
        let pct = if cap == 0 {
            0.0
        } else {
            (len as f64 / cap as f64 * 100.0).min(100.0)
        };
        html! {
            <span class="qbar" data-testid={testid}>
                <span class="qfill" style={format!("width:{}%;min-width:{}", num::fixed(pct, 1), if len > 0 { "3px" } else { "0" })}></span>
                <span class="mono qtext">{ format!("{len} / {cap} B") }</span>
            </span>
        }
    };

    // Messages and their colours (legend).
    let mut legend: Vec<(usize, String)> = Vec::new();
    for m in &trace.messages {
        let b = base_label(&m.label).to_string();
        if !legend.iter().any(|(_, l)| *l == b) {
            legend.push((colour_slot(trace, &m.label), b));
        }
    }

    let jump = |at: u64| {
        let cb = p.on_jump.clone();
        Callback::from(move |_: MouseEvent| cb.emit(at))
    };

    let decoded = steps.as_ref().map(|r| {
        r.as_ref()
            .map(|s| s.iter().flat_map(|d| d.msgs.clone()).collect::<Vec<_>>())
            .map_err(Clone::clone)
    });
    let case = case_of(&p.case);

    // The remedies side by side on the scene's knobs (five model runs: only when they change).
    let rows = use_memo(
        (p.knobs.clone(), p.case.clone(), p.over.clone()),
        |(k, case, over)| remedy_rows(k, case, over),
    );
    let title = match case {
        Some(_) => T::new(
            "三个办法，同一组旋钮",
            "The three remedies on the same knobs",
        ),
        None => T::new(
            "假如：有 Nagle 与没有 Nagle",
            "What if: with and without Nagle",
        ),
    };
    let remedies = html! {
        <section class="fixes">
            <h2>{ title.get(lang) }</h2>
            { remedies_table(&rows, fix_of(&p.over), lang, node, &p.on_knob) }
        </section>
    };

    html! {
        <div class="sticky" data-testid="sticky">
            if let Some(c) = case {
                { knob_editor(&knobs_of(&p.knobs, c, &p.over).with_fix(&p.knobs, fix_of(&p.over)),
                    &StickyKnobs::of(&p.knobs, StickyCase::A), fix_of(&p.over), lang, node, &p.on_knob) }
            }
            <div class="legend-row">
                { for legend.iter().map(|(slot, l)| html! {
                    <span class="legend-item"><span class={classes!("chunk", "swatchy", format!("m{slot}"))}></span>{ l.clone() }</span>
                }) }
                if framing(trace).is_some() {
                    <span class="legend-item"><span class="chunk swatchy m0 framing"></span>{ T::new("成帧字节（长度/分隔符）", "framing bytes (length / delimiter)").get(lang) }</span>
                }
            </div>
            <div class="bufs">
                <div><span class="lbl">{ T::new("发送方发送缓冲区", "Sender's send buffer").get(lang) }</span>{ bar(sb, sbcap, "send-buffer") }</div>
                <div><span class="lbl">{ T::new("接收方接收缓冲区", "Receiver's receive buffer").get(lang) }</span>{ bar(rb, rbcap, "recv-buffer") }</div>
            </div>
            <div class="rows">
                <h3>{ T::new("线路上的数据报文段", "Data segments on the wire").get(lang) }</h3>
                <ol class="segs" data-testid="wire">
                    { for segs.iter().map(|(at, parts, rtx)| html! {
                        <li class={classes!((*at > t).then_some("future"))} onclick={jump(*at)}>
                            <button type="button" class="mono when" aria-label={jump_name(*at, lang)}>{ fmt_ms(*at) }</button>
                            { chunk_bar(parts, total) }
                            <span class="mono dim">{ format!("{} B", parts.iter().map(|x| x.1).sum::<u32>()) }</span>
                            if *rtx > 0 { <span class="mark">{ match lang { Lang::Zh => format!("第 {rtx} 次重传"), Lang::En => format!("retransmission #{rtx}") } }</span> }
                        </li>
                    }) }
                </ol>
                <h3>{ if node {
                    T::new("每个 'data' 事件带来的字节", "What each 'data' event brought")
                } else {
                    T::new("每次 recv() 返回的字节", "What each recv() returned")
                }.get(lang) }</h3>
                <ol class="segs" data-testid="recv-chunks">
                    { for rs.iter().enumerate().map(|(i, r)| {
                        let step = steps.as_ref().and_then(|s| s.as_ref().ok()).and_then(|s| s.get(i));
                        html! {
                            <li class={classes!((r.t > t).then_some("future"))} onclick={jump(r.t)} data-testid={format!("recv-{}", i + 1)}>
                                <button type="button" class="mono when" aria-label={jump_name(r.t, lang)}>{ fmt_ms(r.t) }</button>
                                { chunk_bar(&read_parts(trace, r), total) }
                                <span class="mono desc">{ format!("{} {} B: {}", if node { "'data'" } else { "recv() =" }, r.len, describe_all(r)) }</span>
                                if let Some(st) = step {
                                    <span class="mono dec" data-testid="decoder-step">
                                        { "→ " }
                                        { for (!st.msgs.is_empty()).then(|| html! { <strong>{ st.msgs.join(", ") }</strong> }) }
                                        if let Some(w) = st.waiting.text(lang) {
                                            <span class="waiting">{ if st.msgs.is_empty() { w } else { format!("; {w}") } }</span>
                                        }
                                    </span>
                                }
                            </li>
                        }
                    }) }
                </ol>
                if let Some(d) = decoded {
                    <p class="decoded" data-testid="decoded-now">
                        <strong>{ T::new("解码器还原出：", "The decoder recovered: ").get(lang) }</strong>
                        <span class="mono">{ match d { Ok(m) => m.join(", "), Err(e) => e } }</span>
                    </p>
                }
            </div>
            { remedies }
        </div>
    }
}
