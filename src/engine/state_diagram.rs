//! The RFC 9293 §3.3.2 state machine (figure 5), with each endpoint's current state lit and the
//! transition it took last highlighted.

use yew::prelude::*;

use synack_model::trace::TcpState;

use super::ladder::state_group;
use crate::i18n::Lang;
use crate::num::{fixed, shortest};

const W: f64 = 640.0;
const H: f64 = 520.0;
const BW: f64 = 124.0;
const BH: f64 = 30.0;

/// Box centres, laid out like the RFC's figure.
pub fn pos(s: TcpState) -> (f64, f64) {
    match s {
        TcpState::Closed => (320.0, 30.0),
        TcpState::Listen => (320.0, 105.0),
        TcpState::SynReceived => (110.0, 180.0),
        TcpState::SynSent => (530.0, 180.0),
        TcpState::Established => (320.0, 255.0),
        TcpState::FinWait1 => (110.0, 330.0),
        TcpState::CloseWait => (530.0, 330.0),
        TcpState::FinWait2 => (110.0, 410.0),
        TcpState::Closing => (320.0, 410.0),
        TcpState::LastAck => (530.0, 410.0),
        TcpState::TimeWait => (320.0, 488.0),
    }
}

/// Like the RFC's figure, the way out of TIME-WAIT and LAST-ACK ends in a second CLOSED box at
/// the bottom, so those edges do not cut through the whole figure.
const CLOSED_BOTTOM: (f64, f64) = (530.0, 488.0);

fn edge_end(from: TcpState, to: TcpState) -> (f64, f64) {
    if to == TcpState::Closed
        && matches!(
            from,
            TcpState::TimeWait
                | TcpState::LastAck
                | TcpState::Closing
                | TcpState::CloseWait
                | TcpState::FinWait1
                | TcpState::FinWait2
                | TcpState::Established
        )
    {
        CLOSED_BOTTOM
    } else {
        pos(to)
    }
}

/// The figure's transitions with their event/action text.
pub const EDGES: &[(TcpState, TcpState, &str)] = &[
    (TcpState::Closed, TcpState::Listen, "passive OPEN"),
    (TcpState::Closed, TcpState::SynSent, "active OPEN / snd SYN"),
    (
        TcpState::Listen,
        TcpState::SynReceived,
        "rcv SYN / snd SYN,ACK",
    ),
    (TcpState::Listen, TcpState::SynSent, "SEND / snd SYN"),
    (
        TcpState::SynSent,
        TcpState::SynReceived,
        "rcv SYN / snd SYN,ACK",
    ),
    (
        TcpState::SynSent,
        TcpState::Established,
        "rcv SYN,ACK / snd ACK",
    ),
    (
        TcpState::SynReceived,
        TcpState::Established,
        "rcv ACK of SYN",
    ),
    (TcpState::SynReceived, TcpState::Listen, "rcv RST"),
    (TcpState::SynReceived, TcpState::FinWait1, "CLOSE / snd FIN"),
    (TcpState::Established, TcpState::FinWait1, "CLOSE / snd FIN"),
    (
        TcpState::Established,
        TcpState::CloseWait,
        "rcv FIN / snd ACK",
    ),
    (TcpState::FinWait1, TcpState::FinWait2, "rcv ACK of FIN"),
    (TcpState::FinWait1, TcpState::Closing, "rcv FIN / snd ACK"),
    (TcpState::FinWait2, TcpState::TimeWait, "rcv FIN / snd ACK"),
    (TcpState::Closing, TcpState::TimeWait, "rcv ACK of FIN"),
    (TcpState::CloseWait, TcpState::LastAck, "CLOSE / snd FIN"),
    (TcpState::LastAck, TcpState::Closed, "rcv ACK of FIN"),
    (TcpState::TimeWait, TcpState::Closed, "Timeout = 2MSL"),
    (TcpState::SynSent, TcpState::Closed, "CLOSE / rcv RST"),
];

/// A point on the border of the box around `c`, towards `to`.
fn border(c: (f64, f64), to: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (to.0 - c.0, to.1 - c.1);
    if dx == 0.0 && dy == 0.0 {
        return c;
    }
    let sx = if dx != 0.0 {
        (BW / 2.0) / dx.abs()
    } else {
        f64::INFINITY
    };
    let sy = if dy != 0.0 {
        (BH / 2.0) / dy.abs()
    } else {
        f64::INFINITY
    };
    let s = sx.min(sy);
    (c.0 + dx * s, c.1 + dy * s)
}

/// An edge between two boxes; an edge whose reverse is also drawn is shifted sideways so the
/// pair reads as two arrows.
fn edge_path(a: TcpState, b: TcpState) -> (f64, f64, f64, f64) {
    let (pa, pb) = (pos(a), edge_end(a, b));
    let (x0, y0) = border(pa, pb);
    let (x1, y1) = border(pb, pa);
    let paired = EDGES.iter().any(|(x, y, _)| *x == b && *y == a);
    if paired {
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (nx, ny) = (-dy / len * 6.0, dx / len * 6.0);
        (x0 + nx, y0 + ny, x1 + nx, y1 + ny)
    } else {
        (x0, y0, x1, y1)
    }
}

/// One endpoint to light up: its name (client/server), state, and the last transition taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Lit {
    pub who: String,
    /// 0 = left host colour, 1 = right host colour.
    pub side: usize,
    pub state: TcpState,
    pub last: Option<(TcpState, TcpState)>,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lit: Vec<Lit>,
    pub lang: Lang,
}

#[component]
pub fn StateDiagram(p: &Props) -> Html {
    let taken: Vec<(TcpState, TcpState)> = p.lit.iter().filter_map(|l| l.last).collect();
    // Transitions the trace took that the figure does not draw (RST to CLOSED, ...).
    let extra: Vec<(TcpState, TcpState)> = taken
        .iter()
        .copied()
        .filter(|(a, b)| !EDGES.iter().any(|(x, y, _)| x == a && y == b))
        .collect();
    let edges = EDGES
        .iter()
        .map(|&(a, b, what)| (a, b, what))
        .chain(extra.iter().map(|&(a, b)| (a, b, "")))
        .map(|(a, b, what)| {
            let (x0, y0, x1, y1) = edge_path(a, b);
            let hot = taken.contains(&(a, b));
            let (mx, my) = (x0 + (x1 - x0) * 0.45, y0 + (y1 - y0) * 0.45);
            html! {
                <g class={classes!("sd-edge", hot.then_some("hot"))}>
                    <line x1={fixed(x0, 1)} y1={fixed(y0, 1)} x2={fixed(x1, 1)} y2={fixed(y1, 1)}
                          marker-end={if hot { "url(#sd-head-hot)" } else { "url(#sd-head)" }} />
                    if !what.is_empty() {
                        <text x={fixed(mx, 1)} y={fixed(my - 3.0, 1)} text-anchor="middle">{ what }</text>
                    }
                </g>
            }
        });
    let boxes = TcpState::ALL.iter().map(|&s| {
        let (cx, cy) = pos(s);
        let here: Vec<&Lit> = p.lit.iter().filter(|l| l.state == s).collect();
        let tags = here.iter().enumerate().map(|(i, l)| {
            let x = cx + BW / 2.0 - 6.0 - i as f64 * 62.0;
            html! { <text class={classes!("sd-tag", format!("side-{}", l.side))} x={fixed(x, 1)} y={fixed(cy - BH / 2.0 - 4.0, 1)} text-anchor="end">{ l.who.clone() }</text> }
        });
        html! {
            <g class={classes!("sd-box", state_group(s), (!here.is_empty()).then_some("lit"),
                               here.iter().any(|l| l.side == 0).then_some("side-0"),
                               here.iter().any(|l| l.side == 1).then_some("side-1"))}
               data-state={s.rfc_name()} data-lit={(!here.is_empty()).to_string()}>
                <rect x={fixed(cx - BW / 2.0, 1)} y={fixed(cy - BH / 2.0, 1)} width={shortest(BW)} height={shortest(BH)} rx="6" />
                <text x={fixed(cx, 1)} y={fixed(cy + 5.0, 1)} text-anchor="middle">{ s.rfc_name() }</text>
                { for tags }
            </g>
        }
    });
    let closed_lit = p.lit.iter().any(|l| l.state == TcpState::Closed);
    let title = match p.lang {
        Lang::Zh => "RFC 9293 TCP 状态机（当前状态高亮）",
        Lang::En => "RFC 9293 TCP state machine (current states lit)",
    };
    // What a screen reader says: the figure, then where each socket is and how it got there.
    let now = p
        .lit
        .iter()
        .map(|l| match (l.last, p.lang) {
            (Some((from, _)), Lang::Zh) => format!("{}：{}（来自 {}）", l.who, l.state, from),
            (Some((from, _)), Lang::En) => format!("{}: {} (from {})", l.who, l.state, from),
            (None, Lang::Zh) => format!("{}：{}", l.who, l.state),
            (None, Lang::En) => format!("{}: {}", l.who, l.state),
        })
        .collect::<Vec<_>>();
    let label = match p.lang {
        Lang::Zh => format!("{title}。{}", now.join("；")),
        Lang::En => format!("{title}. {}", now.join("; ")),
    };
    html! {
        <svg class="sd" data-testid="state-diagram" viewBox={format!("0 0 {} {}", shortest(W), shortest(H))} xmlns="http://www.w3.org/2000/svg" role="img" tabindex="0" aria-label={label}>
            <style>{ SD_CSS }</style>
            <defs>
                <marker id="sd-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="sd-head" />
                </marker>
                <marker id="sd-head-hot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="sd-head-hot" />
                </marker>
            </defs>
            <rect x="0" y="0" width={shortest(W)} height={shortest(H)} fill="var(--panel)" />
            { for edges }
            <g class={classes!("sd-box", "g-closed", closed_lit.then_some("lit"))} data-state="CLOSED-2">
                <rect x={fixed(CLOSED_BOTTOM.0 - BW / 2.0, 1)} y={fixed(CLOSED_BOTTOM.1 - BH / 2.0, 1)} width={shortest(BW)} height={shortest(BH)} rx="6" />
                <text x={fixed(CLOSED_BOTTOM.0, 1)} y={fixed(CLOSED_BOTTOM.1 + 5.0, 1)} text-anchor="middle">{"CLOSED"}</text>
            </g>
            { for boxes }
        </svg>
    }
}

/// The state diagram's styles, inside its SVG like the ladder's [`super::ladder::SVG_CSS`]:
/// colours are tokens only.
pub const SD_CSS: &str = r#"
.sd text{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:12px;fill:var(--ink)}
.sd .sd-edge line{stroke:var(--line);stroke-width:1.5}
.sd .sd-edge text{font-size:10px;fill:var(--ink-3)}
.sd .sd-head{fill:var(--ink-3)}
.sd .sd-head-hot{fill:var(--playhead)}
.sd .sd-edge.hot line{stroke:var(--playhead);stroke-width:3;stroke-dasharray:8 5;animation:sd-flow 1s linear infinite}
.sd .sd-edge.hot text{fill:var(--playhead);font-weight:700;font-size:11px}
@keyframes sd-flow{to{stroke-dashoffset:-13}}
@media (prefers-reduced-motion: reduce){.sd .sd-edge.hot line{animation:none}}
.sd .sd-box rect{fill:var(--panel);stroke:var(--line);stroke-width:1.5}
.sd .sd-box.lit rect{stroke-width:3}
.sd .sd-box.lit.g-open rect{stroke:var(--st-open)}
.sd .sd-box.lit.g-est rect{stroke:var(--st-est)}
.sd .sd-box.lit.g-closing rect{stroke:var(--st-closing)}
.sd .sd-box.lit.g-closed rect{stroke:var(--st-closed)}
.sd .sd-box.lit text{font-weight:700}
.sd .sd-box.lit.side-0 rect{fill:color-mix(in srgb,var(--syn) 14%,var(--panel))}
.sd .sd-box.lit.side-1 rect{fill:color-mix(in srgb,var(--synack) 14%,var(--panel))}
.sd .sd-tag{font-size:11px;font-weight:700}
.sd .sd-tag.side-0{fill:var(--syn)}
.sd .sd-tag.side-1{fill:var(--synack)}
"#;
