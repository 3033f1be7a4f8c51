//! The window scene's panel: the send window over the byte stream, the receiver's buffer, and
//! cwnd/ssthresh over time, drawn from [`super::analysis`] at the player's playhead.

use yew::prelude::*;

use synack_model::trace::{EventKind, Micros, Trace, WindowState};

use super::analysis::*;
use crate::engine::ladder::fmt_ms;
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::num;
use crate::scenes::TraceProps;

// ------------------------------------------------------------------------------ component

#[derive(PartialEq)]
struct Derived {
    roles: Roles,
    series: Series,
    flows: Vec<(Micros, Flow)>,
    total: u64,
}

fn derive(trace: &Trace) -> Option<Derived> {
    let roles = roles(trace)?;
    let series = series(trace, &roles);
    let flows = flow_events(trace, &roles, &series);
    let total = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppCall {
                socket,
                call: synack_model::trace::AppCall::Send { len, .. },
            } if *socket == roles.sender => Some(*len as u64),
            _ => None,
        })
        .sum();
    Some(Derived {
        roles,
        series,
        flows,
        total,
    })
}

/// A label over or under a strip at `x` percent, kept inside the strip near its ends.
fn marker(x: f64, cls: &'static str, text: String) -> Html {
    let anchor = if x < 12.0 {
        "a-start"
    } else if x > 88.0 {
        "a-end"
    } else {
        "a-mid"
    };
    html! {
        <span class={classes!("wmark", cls, anchor)} style={format!("left:{}%", num::fixed(x, 2))}>{ text }</span>
    }
}

fn strip_html(s: &Strip, testid: &'static str, lang: Lang) -> Html {
    html! {
        <div class="wstrip" data-testid={testid}>
            { for s.regions.iter().map(|(r, x, w)| html! {
                <span class={classes!("wreg", r.css())} data-region={r.css()}
                    style={format!("left:{}%;width:{}%", num::fixed(*x, 2), num::fixed(*w, 2))} title={r.name(lang)} />
            }) }
            <span class="wline l-una" style={format!("left:{}%", num::fixed(s.una, 2))} />
            <span class="wline l-nxt" style={format!("left:{}%", num::fixed(s.nxt, 2))} />
            <span class="wline l-edge" style={format!("left:{}%", num::fixed(s.edge, 2))} />
        </div>
    }
}

/// What each part of the panel is drawn from: the trace's derived series (one a trace) and the
/// playhead. The parts are plain functions, not components: the playhead changes on every frame
/// of playback, so a component's props check would never skip one.
struct PartProps<'a> {
    derived: &'a Derived,
    t: u64,
    lang: Lang,
}

#[component]
pub fn WindowPanel(p: &TraceProps) -> Html {
    let lang = p.lang;
    let d = use_memo(p.trace.clone(), |t| derive(t).map(Shared::new));
    let Some(d) = (*d).clone() else {
        return html! {
            <div class="window" data-testid="window">
                <p class="dim">{ T::new("这条记录里没有 TCP 数据传输。", "This trace has no TCP data transfer.").get(lang) }</p>
            </div>
        };
    };
    let part = PartProps {
        derived: &d,
        t: p.t,
        lang,
    };
    let now = d.series.at(p.t).is_some();
    html! {
        <div class="window" data-testid="window">
            if now { { window_stats(&part) } }
            if now { { send_window(&part) } }
            { cwnd_chart(&part) }
            { receiver(&part, &p.trace, &p.on_jump) }
        </div>
    }
}

/// The send window over the byte stream: zoomed on the window, and over the whole transfer.
fn send_window(p: &PartProps) -> Html {
    let lang = p.lang;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let d = p.derived;
    let t = p.t;
    let roles = &d.roles;
    let Some((_, w, sendbuf)) = d.series.at(t).copied() else {
        return Html::default();
    };
    let e = edges(roles, &w, sendbuf);
    let (lo, hi) = zoom(&e);
    let z = strip(&e, lo, hi);
    let total = d.total.max(e.written).max(1);
    let o = strip(&e, 0, total);
    let limit = if e.rwnd_edge <= e.cwnd_edge {
        tr("rwnd（接收方）", "rwnd (receiver)")
    } else {
        tr("cwnd（网络）", "cwnd (network)")
    };
    let usable = e
        .edge
        .saturating_sub(e.sent)
        .min(e.written.saturating_sub(e.sent));
    html! {
        <section class="wsec" data-testid="send-window"
            data-una={e.una.to_string()} data-nxt={e.nxt.to_string()} data-edge={e.edge.to_string()}>
            <h3>{ tr("发送窗口（字节流）", "Send window over the byte stream") }</h3>
            <div class="wlegend">
                { for [Region::Acked, Region::InFlight, Region::Usable, Region::NotUsable].into_iter().map(|r| html! {
                    <span class="legend-item"><span class={classes!("wsw", r.css())} />{ r.name(lang) }</span>
                }) }
            </div>
            <div class="wzoom">
                <div class="wmarks top">{ marker(z.una, "m-una", format!("snd_una {}", e.una)) }</div>
                { strip_html(&z, "strip-zoom", lang) }
                <div class="wmarks">{ marker(z.nxt, "m-nxt", format!("snd_nxt {}", e.nxt)) }</div>
                <div class="wmarks">{ marker(z.edge, "m-edge", format!("snd_una+wnd {}", e.edge)) }</div>
                <div class="wscale mono dim">
                    <span>{ lo }</span><span>{ format!("← {} →", fmt_bytes(hi - lo)) }</span><span>{ hi }</span>
                </div>
            </div>
            <div class="wover">
                <span class="dim">{ tr("全部数据", "whole transfer") }</span>
                { strip_html(&o, "strip-all", lang) }
                <span class="mono dim">{ fmt_bytes(total) }</span>
            </div>
            <p class="wnote mono" data-testid="send-numbers">
                { format!("wnd = min(rwnd {}, cwnd {}) = {} · ", fmt_bytes(w.snd_wnd as u64), fmt_bytes(w.cwnd as u64),
                    fmt_bytes(e.edge - e.una)) }
                { tr("受限于 ", "limited by ") }{ limit }
                { format!(" · {} {} · {} {}", tr("在途", "in flight"), fmt_bytes(e.sent - e.una),
                    tr("可用", "usable"), fmt_bytes(usable)) }
            </p>
        </section>
    }
}

/// The receiver's buffer (unread, offered, held back), its last advertised window and the
/// zero-window events, each a jump to its moment.
fn receiver(p: &PartProps, trace: &Trace, on_jump: &Callback<u64>) -> Html {
    let lang = p.lang;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let d = p.derived;
    let t = p.t;
    let roles = &d.roles;
    let rv = recv_view(trace, roles, &d.flows, t);
    let cap = rv.cap.max(1) as f64;
    let pct = |v: u32| (v as f64 / cap * 100.0).clamp(0.0, 100.0);
    let unread = pct(rv.buffered);
    let offered = pct(rv.rcv_wnd).min(100.0 - unread);
    let held = (100.0 - unread - offered).max(0.0);
    let zero = rv.rcv_wnd == 0 && rv.zero_windows > rv.updates;
    let field = rv.last_field.map(|(raw, sh)| {
        if sh > 0 {
            format!(
                "win={raw} × 2^{sh} = {}",
                fmt_bytes(((raw as u32) << sh) as u64)
            )
        } else {
            format!("win={raw}")
        }
    });
    let flows = d.flows.iter().take(14).map(|(ft, f)| {
        let text = match f {
            Flow::ZeroWindow => tr("通告零窗口", "zero window advertised").to_string(),
            Flow::Probe => tr("零窗口探测（持续定时器）", "zero-window probe (persist timer)").to_string(),
            Flow::Update(w) => format!("{} {}", tr("窗口更新", "window update"), fmt_bytes(*w as u64)),
        };
        let cls = match f {
            Flow::ZeroWindow => "f-zero",
            Flow::Probe => "f-probe",
            Flow::Update(_) => "f-update",
        };
        let at = *ft;
        let cb = on_jump.clone();
        html! {
            <li class={classes!(cls, (at > t).then_some("future"))} onclick={Callback::from(move |_: MouseEvent| cb.emit(at))}>
                <span class="when mono">{ fmt_ms(at) }</span><span>{ text }</span>
            </li>
        }
    });
    html! {
        <section class="wsec" data-testid="recv-window" data-rcv-wnd={rv.rcv_wnd.to_string()} data-zero={zero.to_string()}>
            <h3>{ tr("接收方", "Receiver") }
                if zero { <span class="zero-tag" data-testid="zero-window">{ tr("零窗口", "ZERO WINDOW") }</span> }
            </h3>
            <div class="rbuf" title={tr("接收缓冲", "receive buffer")}>
                <span class="rreg r-unread" style={format!("width:{}%", num::fixed(unread, 2))} />
                <span class="rreg r-offer" style={format!("width:{}%", num::fixed(offered, 2))} />
                <span class="rreg r-held" style={format!("width:{}%", num::fixed(held, 2))} />
            </div>
            <div class="wlegend">
                <span class="legend-item"><span class="wsw r-unread" />{ format!("{} {}", tr("未读", "unread"), fmt_bytes(rv.buffered as u64)) }</span>
                <span class="legend-item"><span class="wsw r-offer" />{ format!("rcv_wnd {}", fmt_bytes(rv.rcv_wnd as u64)) }</span>
                <span class="legend-item"><span class="wsw r-held" />{ tr("空闲但未通告", "free, not yet offered") }</span>
                <span class="mono dim">{ format!("/ {}", fmt_bytes(rv.cap as u64)) }</span>
            </div>
            <p class="wnote mono">
                if let Some(f) = field { { tr("最近通告 ", "last advertised ") }{ f }{ " · " } }
                { format!("{} {} · {} {}", tr("零窗口探测", "probes"), rv.probes, tr("窗口更新", "updates"), rv.updates) }
            </p>
            if rv.cap == 0 {
                <p class="wnote">{ tr("连接还没建立：接收缓冲尚不存在。", "Not connected yet: no receive buffer so far.") }</p>
            }
            if !d.flows.is_empty() {
                <ol class="segs flows" data-testid="flow-events">{ for flows }</ol>
            }
        </section>
    }
}

/// cwnd, ssthresh, bytes in flight and rwnd over time, with the phases and the losses.
fn cwnd_chart(p: &PartProps) -> Html {
    let lang = p.lang;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let s = &p.derived.series;
    let count = |k: MarkKind| s.marks.iter().filter(|m| m.1 == k).count().to_string();
    let ssthresh_inf = s.at(p.t).is_some_and(|n| n.1.ssthresh == u32::MAX);
    html! {
        <section class="wsec" data-testid="cwnd-chart" data-drops={cwnd_drops(s).len().to_string()}
            data-fast-retransmits={count(MarkKind::FastRetransmit)}
            data-rtos={count(MarkKind::Rto)}>
            <h3>{ tr("cwnd 与 ssthresh 随时间变化", "cwnd and ssthresh over time") }</h3>
            <div class="wlegend">
                <span class="legend-item"><span class="wsw c-cwnd" />{"cwnd"}</span>
                <span class="legend-item"><span class="wsw c-ssth" />{ if ssthresh_inf { "ssthresh (∞)" } else { "ssthresh" } }</span>
                <span class="legend-item"><span class="wsw c-flight" />{ tr("在途字节", "bytes in flight") }</span>
                <span class="legend-item"><span class="wsw c-rwnd" />{ tr("rwnd（对方窗口）", "rwnd (peer's window)") }</span>
            </div>
            { chart(s, p.t, lang) }
            <div class="wlegend phases-legend">
                { for [Phase::SlowStart, Phase::Avoidance, Phase::FastRecovery, Phase::Backoff, Phase::ZeroWindow].into_iter()
                    .filter(|ph| s.phases.iter().any(|x| x.2 == *ph))
                    .map(|ph| html! { <span class="legend-item"><span class={classes!("wsw", ph.css())} />{ ph.name(lang) }</span> }) }
            </div>
        </section>
    }
}

/// The byte ticks of the chart's y axis: on KiB steps once the range is a few KiB, so labels
/// read "20 KB", not "98 KB".
fn byte_ticks(y_max: u32) -> Vec<u64> {
    if y_max >= 4096 {
        ticks(y_max as u64 / 1024, 4)
            .into_iter()
            .map(|v| v * 1024)
            .collect()
    } else {
        ticks(y_max as u64, 4)
    }
}

/// The chart itself: axes, phase bands, the four lines, the playhead and the loss marks.
fn chart(s: &Series, t: Micros, lang: Lang) -> Html {
    let (t_end, y_max) = (s.t_end, s.y_max);
    let line = |f: fn(&WindowState) -> Option<u32>| {
        step_points(s.samples.iter().map(|(t, w, _)| (*t, f(w))), t_end, y_max)
    };
    let px = |t: Micros| t.min(t_end) as f64 / t_end.max(1) as f64 * 100.0;
    let playhead = px(t) * 10.0;
    let yt = byte_ticks(y_max);
    let marks = s
        .marks
        .iter()
        .filter(|m| m.1 != MarkKind::Probe && m.0 <= t_end);
    // Where the last label written over the chart ends, per cent of its width.
    let shown_to = std::cell::Cell::new(f64::NEG_INFINITY);
    html! {
        <div class="wchart-wrap">
            <div class="wyaxis mono">
                { for yt.iter().map(|v| html! {
                    <span style={format!("bottom:{}%", num::fixed(*v as f64 / y_max as f64 * 100.0, 2))}>{ fmt_bytes(*v) }</span>
                }) }
            </div>
            <div class="wchart">
                <div class="wphases">
                    { for s.phases.iter().filter(|ph| ph.0 < t_end).map(|(a, b, ph)| html! {
                        <span class={classes!("wphase", ph.css())} title={ph.name(lang)}
                            style={format!("left:{}%;width:{}%", num::fixed(px(*a), 2), num::fixed(px(*b) - px(*a), 2))} />
                    }) }
                </div>
                <svg viewBox="0 0 1000 1000" preserveAspectRatio="none" aria-hidden="true">
                    { for yt.iter().map(|v| {
                        let y = 1000.0 - *v as f64 / y_max as f64 * 1000.0;
                        html! { <line class="grid" x1="0" x2="1000" y1={num::fixed(y, 1)} y2={num::fixed(y, 1)} /> }
                    }) }
                    <polyline class="c-rwnd" points={line(|w| Some(w.snd_wnd))} />
                    <polyline class="c-flight" points={line(|w| Some(w.in_flight))} />
                    <polyline class="c-ssth" points={line(|w| (w.ssthresh != u32::MAX).then_some(w.ssthresh))} />
                    <polyline class="c-cwnd" points={line(|w| Some(w.cwnd))} data-testid="cwnd-line" />
                    <line class="playhead" x1={num::fixed(playhead, 1)} x2={num::fixed(playhead, 1)} y1="0" y2="1000" />
                </svg>
                { for marks.map(|(mt, k)| {
                    let (cls, text) = mark_label(*k, lang);
                    let left = px(*mt);
                    // The labels over the chart (fast retransmit, RTO) take turns: one that
                    // would overlap the last written is a tick of its colour, named in its
                    // title (a lossy run's RTOs and retransmits come in clusters: at 26 %
                    // loss a dozen labels were written over each other).
                    let tick = *k != MarkKind::Lost && {
                        let half = label_width_pct(&text) / 2.0;
                        let overlaps = left - half < shown_to.get();
                        if !overlaps {
                            shown_to.set(left + half);
                        }
                        overlaps
                    };
                    let title = tick.then(|| text.clone());
                    html! { <span class={classes!("cmark", cls, tick.then_some("tick"), (*mt > t).then_some("future"))} {title} style={format!("left:{}%", num::fixed(left, 2))}>{ if tick { String::new() } else { text } }</span> }
                }) }
            </div>
            <div class="wxaxis mono">
                { for ticks(t_end / 1000, 5).iter().map(|v| html! {
                    <span style={format!("left:{}%", num::fixed((*v * 1000) as f64 / t_end as f64 * 100.0, 2))}>{
                        // num::shortest is `{}`'s text without core's float formatter (flt2dec).
                        if t_end >= 2_000_000 { format!("{} s", num::shortest(*v as f64 / 1000.0)) } else { format!("{v} ms") }
                    }</span>
                }) }
            </div>
        </div>
    }
}

/// The chart's width the labels are spaced for, px: a phone's (about 285 px of a 390 px
/// window), the narrowest it is drawn; wider (500 px on a laptop) they stand further apart than
/// they need, and never touch.
const CHART_PX: f64 = 280.0;

/// A mark label's width as a share of the chart, per cent: 12 px text (a CJK character 12 px,
/// another up to 7.5: "RTO" measured 30.25 px with its padding and border), its padding and
/// border, and a few px of air.
fn label_width_pct(text: &str) -> f64 {
    let px: f64 = text
        .chars()
        .map(|c| if c.is_ascii() { 7.5 } else { 13.0 })
        .sum();
    (px + 10.0) / CHART_PX * 100.0
}

/// A loss mark's class and label on the chart.
fn mark_label(k: MarkKind, lang: Lang) -> (&'static str, String) {
    match k {
        MarkKind::Lost => ("k-lost", "✕".to_string()),
        MarkKind::FastRetransmit => (
            "k-fr",
            T::new("快速重传", "fast retx").get(lang).to_string(),
        ),
        MarkKind::Rto => ("k-rto", "RTO".to_string()),
        MarkKind::Probe => ("k-probe", String::new()),
    }
}

/// The numbers at the playhead.
fn window_stats(p: &PartProps) -> Html {
    let lang = p.lang;
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let d = p.derived;
    let t = p.t;
    let roles = &d.roles;
    let s = &d.series;
    let Some((_, w, _)) = s.at(t).copied() else {
        return Html::default();
    };
    let phase = s
        .phases
        .iter()
        .find(|ph| ph.0 <= t && t < ph.1)
        .map(|ph| ph.2);
    let span = if w.srtt_us > 0 {
        2 * w.srtt_us
    } else {
        100_000
    };
    let rate = s.throughput(roles, t, span);
    let ss = if w.ssthresh == u32::MAX {
        "∞".to_string()
    } else {
        fmt_bytes(w.ssthresh as u64)
    };
    let rtt = |us: u64| {
        if us == 0 {
            "–".to_string()
        } else {
            fmt_ms(us)
        }
    };
    html! {
        <dl class="wstats mono" data-testid="window-stats" data-phase={phase.map_or("", |p| p.css())}>
            <div><dt>{ tr("阶段", "phase") }</dt><dd>{ phase.map_or("–", |p| p.name(lang)) }</dd></div>
            <div><dt>{"cwnd"}</dt><dd data-testid="stat-cwnd">{ fmt_bytes(w.cwnd as u64) }</dd></div>
            <div><dt>{"ssthresh"}</dt><dd>{ ss }</dd></div>
            <div><dt>{"rwnd"}</dt><dd>{ fmt_bytes(w.snd_wnd as u64) }</dd></div>
            <div><dt>{ tr("在途", "in flight") }</dt><dd>{ fmt_bytes(w.in_flight as u64) }</dd></div>
            <div><dt>{"SRTT"}</dt><dd>{ rtt(w.srtt_us) }</dd></div>
            <div><dt>{"RTO"}</dt><dd>{ rtt(w.rto_us) }</dd></div>
            <div><dt>{ tr("吞吐（近 2 RTT）", "throughput (2 RTT)") }</dt>
                <dd>{ format!("{} Mbit/s", num::fixed(rate * 8.0 / 1e6, 2)) }</dd></div>
        </dl>
    }
}
