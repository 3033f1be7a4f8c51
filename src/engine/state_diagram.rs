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
const CLOSED_BOTTOM: (f64, f64) = (540.0, 488.0);

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
    (TcpState::TimeWait, TcpState::Closed, "Timeout=2MSL"),
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

/// Where an edge's label goes: the text's anchor point and its `text-anchor`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelSpot {
    pub x: f64,
    /// The baseline.
    pub y: f64,
    pub anchor: &'static str,
}

/// An axis-aligned box: left, top, right, bottom.
type Rect = (f64, f64, f64, f64);

/// The widest a label's character is drawn (11 px bold monospace when its edge is lit; 10 px
/// otherwise), and how far above and below the baseline its glyphs reach.
const CHAR_W: f64 = 6.8;
const ASCENT: f64 = 10.5;
const DESCENT: f64 = 3.0;

impl LabelSpot {
    pub fn rect(&self, text: &str) -> Rect {
        let w = text.chars().count() as f64 * CHAR_W;
        let left = match self.anchor {
            "start" => self.x,
            "end" => self.x - w,
            _ => self.x - w / 2.0,
        };
        (left, self.y - ASCENT, left + w, self.y + DESCENT)
    }
}

fn rects_meet(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Does the segment (x0, y0)–(x1, y1) pass through `r`? (Sampled: the figure's edges are short
/// and its labels a few pixels tall, so a step of 2 px cannot miss one.)
fn segment_meets(r: Rect, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> bool {
    // sqrt is one wasm instruction; f64::hypot would link libm's (see xtask's size report).
    let (dx, dy) = (x1 - x0, y1 - y0);
    let steps = ((dx * dx + dy * dy).sqrt() / 2.0).ceil().max(1.0) as usize;
    (0..=steps).any(|i| {
        let f = i as f64 / steps as f64;
        let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
        r.0 < x && x < r.2 && r.1 < y && y < r.3
    })
}

/// Every box a label must keep clear of, with a margin: the state boxes, each with the strip
/// above it where the lit sockets' names are written, and the second CLOSED (which has none).
fn obstacles() -> Vec<Rect> {
    let around = |(cx, cy): (f64, f64), tags: f64| {
        (
            cx - BW / 2.0 - 3.0,
            cy - BH / 2.0 - 3.0 - tags,
            cx + BW / 2.0 + 3.0,
            cy + BH / 2.0 + 3.0,
        )
    };
    TcpState::ALL
        .iter()
        .map(|&s| around(pos(s), 13.0))
        .chain([around(CLOSED_BOTTOM, 0.0)])
        .collect()
}

/// The label of every edge of [`EDGES`], in its order. Placed once, greedily: along each edge
/// at a few points from its middle outwards, beside the line on either side, the first spot
/// that meets no state box, no label placed before and the figure's border wins; among those,
/// the one crossing the fewest lines is taken. (Placing them all at one fraction of the
/// edge, as before, wrote "CLOSE / snd FIN" and "SEND / snd SYN" over each other near LISTEN.)
pub fn label_spots() -> Vec<LabelSpot> {
    let boxes = obstacles();
    let lines: Vec<_> = EDGES.iter().map(|&(a, b, _)| edge_path(a, b)).collect();
    let mut placed: Vec<Rect> = Vec::new();
    let mut spots = Vec::new();
    for (i, &(_, _, text)) in EDGES.iter().enumerate() {
        let (x0, y0, x1, y1) = lines[i];
        let mut candidates = Vec::new();
        for f in [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8] {
            let (px, py) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
            // Beside the line, then a little further off (nearer reads as belonging to it).
            for d in [0.0, 10.0, 22.0] {
                candidates.extend([
                    LabelSpot {
                        x: px + 5.0 + d,
                        y: py + 4.0,
                        anchor: "start",
                    },
                    LabelSpot {
                        x: px - 5.0 - d,
                        y: py + 4.0,
                        anchor: "end",
                    },
                    LabelSpot {
                        x: px,
                        y: py - 4.0 - d / 2.0,
                        anchor: "middle",
                    },
                    LabelSpot {
                        x: px,
                        y: py + ASCENT + 3.0 + d / 2.0,
                        anchor: "middle",
                    },
                ]);
            }
        }
        let fits = |s: &LabelSpot| {
            let r = s.rect(text);
            r.0 >= 2.0
                && r.2 <= W - 2.0
                && r.1 >= 2.0
                && r.3 <= H - 2.0
                && !boxes.iter().chain(&placed).any(|&b| rects_meet(r, b))
        };
        // How many lines (its own included: beside a slanted edge a label can lie across
        // it) the label would be written over.
        let crosses = |s: &LabelSpot| {
            let r = s.rect(text);
            let r = (r.0 - 2.0, r.1 - 1.0, r.2 + 2.0, r.3 + 1.0);
            lines.iter().filter(|&&l| segment_meets(r, l)).count()
        };
        let best = candidates
            .iter()
            .copied()
            .filter(fits)
            .min_by_key(|s| crosses(s))
            // No free spot: the middle of the edge, as before (the unit test below fails).
            .unwrap_or(LabelSpot {
                x: (x0 + x1) / 2.0,
                y: (y0 + y1) / 2.0 - 4.0,
                anchor: "middle",
            });
        placed.push(best.rect(text));
        spots.push(best);
    }
    spots
}

/// A lit socket's name tag: 11 px bold, CJK glyphs about a full em wide.
const TAG_ASCENT: f64 = 9.0;
const TAG_DESCENT: f64 = 3.0;

fn tag_rect(s: &LabelSpot, text: &str) -> Rect {
    let w: f64 = text
        .chars()
        .map(|c| if c >= '\u{2e80}' { 11.5 } else { CHAR_W })
        .sum();
    let left = match s.anchor {
        "start" => s.x,
        "end" => s.x - w,
        _ => s.x - w / 2.0,
    };
    (left, s.y - TAG_ASCENT, left + w, s.y + TAG_DESCENT)
}

/// The strokes of an edge as drawn when lit (the widest case): its line and the two sides of
/// its arrowhead. The marker is 7 stroke widths (3 px lit) long and as wide, tip at the end.
fn edge_strokes((x0, y0, x1, y1): (f64, f64, f64, f64)) -> [(f64, f64, f64, f64); 3] {
    let (dx, dy) = (x1 - x0, y1 - y0);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (x1 - ux * 21.0, y1 - uy * 21.0);
    let (px, py) = (-uy * 10.5, ux * 10.5);
    [
        (x0, y0, x1, y1),
        (x1, y1, bx + px, by + py),
        (x1, y1, bx - px, by - py),
    ]
}

/// Where the name tags of the sockets in `state` go. Each takes the first spot around its box
/// (above at the right, left or middle, beside it, below, a row higher) that stays inside the figure and meets
/// no line or arrowhead, no state box, no edge label and no tag placed before. Always above at
/// the right, as before, wrote "client" over the lit arrowhead that enters ESTABLISHED there.
pub fn tag_spots(
    state: TcpState,
    names: &[&str],
    lines: &[(f64, f64, f64, f64)],
    labels: &[Rect],
) -> Vec<LabelSpot> {
    let (cx, cy) = pos(state);
    let (l, t, r, b) = (cx - BW / 2.0, cy - BH / 2.0, cx + BW / 2.0, cy + BH / 2.0);
    let boxes: Vec<Rect> = TcpState::ALL
        .iter()
        .map(|&s| pos(s))
        .chain([CLOSED_BOTTOM])
        .map(|(x, y)| (x - BW / 2.0, y - BH / 2.0, x + BW / 2.0, y + BH / 2.0))
        .collect();
    let strokes: Vec<_> = lines.iter().flat_map(|&e| edge_strokes(e)).collect();
    let above = t - 5.0;
    let below = b + 4.0 + TAG_ASCENT;
    let spot = |x: f64, y: f64, anchor: &'static str| LabelSpot { x, y, anchor };
    let candidates = [
        spot(r - 6.0, above, "end"),
        spot(l + 6.0, above, "start"),
        spot(cx, above, "middle"),
        spot(r + 6.0, cy + 4.0, "start"),
        spot(l - 6.0, cy + 4.0, "end"),
        spot(r - 6.0, below, "end"),
        spot(l + 6.0, below, "start"),
        spot(cx, below, "middle"),
        spot(r - 6.0, above - 15.0, "end"),
        spot(l + 6.0, above - 15.0, "start"),
        spot(cx, above - 15.0, "middle"),
    ];
    let mut placed: Vec<Rect> = Vec::new();
    let mut spots = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let fits = |s: &LabelSpot| {
            let q = tag_rect(s, name);
            let m = (q.0 - 2.0, q.1 - 2.0, q.2 + 2.0, q.3 + 2.0);
            q.0 >= 2.0
                && q.2 <= W - 2.0
                && q.1 >= 2.0
                && q.3 <= H - 2.0
                && !boxes
                    .iter()
                    .chain(labels)
                    .chain(&placed)
                    .any(|&o| rects_meet(m, o))
                && !strokes.iter().any(|&e| segment_meets(m, e))
        };
        // Nowhere free (many sockets in one state): a row above the box, as before.
        let best = candidates.iter().copied().find(fits).unwrap_or(spot(
            r - 6.0 - i as f64 * 62.0,
            above,
            "end",
        ));
        placed.push(tag_rect(&best, name));
        spots.push(best);
    }
    spots
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
    let spots = use_memo((), |_| label_spots());
    let edges = EDGES
        .iter()
        .zip(spots.iter().copied().map(Some))
        .map(|(&(a, b, what), spot)| (a, b, what, spot))
        .chain(extra.iter().map(|&(a, b)| (a, b, "", None)))
        .map(|(a, b, what, spot)| {
            let (x0, y0, x1, y1) = edge_path(a, b);
            let hot = taken.contains(&(a, b));
            html! {
                <g class={classes!("sd-edge", hot.then_some("hot"))}>
                    <line x1={fixed(x0, 1)} y1={fixed(y0, 1)} x2={fixed(x1, 1)} y2={fixed(y1, 1)}
                          marker-end={if hot { "url(#sd-head-hot)" } else { "url(#sd-head)" }} />
                    if let Some(s) = spot.filter(|_| !what.is_empty()) {
                        <text x={fixed(s.x, 1)} y={fixed(s.y, 1)} text-anchor={s.anchor}>{ what }</text>
                    }
                </g>
            }
        });
    let lines: Vec<_> = EDGES
        .iter()
        .map(|&(a, b, _)| (a, b))
        .chain(extra.iter().copied())
        .map(|(a, b)| edge_path(a, b))
        .collect();
    let label_rects: Vec<Rect> = EDGES
        .iter()
        .zip(spots.iter())
        .map(|(&(_, _, text), s)| s.rect(text))
        .collect();
    let boxes = TcpState::ALL.iter().map(|&s| {
        let (cx, cy) = pos(s);
        let here: Vec<&Lit> = p.lit.iter().filter(|l| l.state == s).collect();
        let names: Vec<&str> = here.iter().map(|l| l.who.as_str()).collect();
        let places = tag_spots(s, &names, &lines, &label_rects);
        let tags = here.iter().zip(places).map(|(l, at)| {
            html! { <text class={classes!("sd-tag", format!("side-{}", l.side))} x={fixed(at.x, 1)} y={fixed(at.y, 1)} text-anchor={at.anchor}>{ l.who.clone() }</text> }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_edge_label_meets_another_label_a_state_box_or_the_border() {
        let spots = label_spots();
        let rects: Vec<Rect> = EDGES
            .iter()
            .zip(&spots)
            .map(|(&(_, _, text), s)| s.rect(text))
            .collect();
        for (i, r) in rects.iter().enumerate() {
            let what = EDGES[i].2;
            assert!(
                r.0 >= 0.0 && r.2 <= W && r.1 >= 0.0 && r.3 <= H,
                "{what:?} leaves the figure: {r:?}"
            );
            for b in obstacles() {
                assert!(
                    !rects_meet(*r, b),
                    "{what:?} {r:?} meets the state box {b:?}"
                );
            }
            for (j, o) in rects.iter().enumerate().skip(i + 1) {
                assert!(!rects_meet(*r, *o), "{what:?} meets {:?}", EDGES[j].2);
            }
        }
    }

    #[test]
    fn a_name_tag_meets_no_line_arrowhead_box_label_or_other_tag_in_any_state() {
        let lines: Vec<_> = EDGES.iter().map(|&(a, b, _)| edge_path(a, b)).collect();
        let strokes: Vec<_> = lines.iter().flat_map(|&e| edge_strokes(e)).collect();
        let labels: Vec<Rect> = EDGES
            .iter()
            .zip(label_spots())
            .map(|(&(_, _, text), s)| s.rect(text))
            .collect();
        for names in [
            &["服务器", "客户端"][..],
            &["server", "client"],
            &["client 1", "server"],
        ] {
            for &state in TcpState::ALL.iter() {
                let spots = tag_spots(state, names, &lines, &labels);
                let rects: Vec<Rect> = spots
                    .iter()
                    .zip(names)
                    .map(|(s, n)| tag_rect(s, n))
                    .collect();
                for (i, r) in rects.iter().enumerate() {
                    let at = (state, names[i]);
                    assert!(
                        r.0 >= 0.0 && r.2 <= W && r.1 >= 0.0 && r.3 <= H,
                        "{at:?} {r:?}"
                    );
                    assert!(
                        !strokes.iter().any(|&e| segment_meets(*r, e)),
                        "{at:?} on a line"
                    );
                    assert!(
                        !labels.iter().any(|&o| rects_meet(*r, o)),
                        "{at:?} on a label"
                    );
                    assert!(
                        !rects[..i].iter().any(|&o| rects_meet(*r, o)),
                        "{at:?} on a tag"
                    );
                    let (cx, cy) = pos(state);
                    let own = (cx - BW / 2.0, cy - BH / 2.0, cx + BW / 2.0, cy + BH / 2.0);
                    assert!(!rects_meet(*r, own), "{at:?} on its box");
                }
            }
        }
        // The case that was wrong: the right-hand tag of ESTABLISHED sat on the lit arrowhead
        // from SYN-SENT; the old spot (above, right-aligned) does meet it.
        let old = tag_rect(
            &LabelSpot {
                x: pos(TcpState::Established).0 + BW / 2.0 - 6.0,
                y: pos(TcpState::Established).1 - BH / 2.0 - 4.0,
                anchor: "end",
            },
            "客户端",
        );
        assert!(strokes.iter().any(|&e| segment_meets(old, e)));
    }

    #[test]
    fn the_rect_of_a_label_follows_its_anchor() {
        let s = |anchor| {
            LabelSpot {
                x: 100.0,
                y: 50.0,
                anchor,
            }
            .rect("abcd")
        };
        assert_eq!(s("start").0, 100.0);
        assert_eq!(s("end").2, 100.0);
        assert_eq!((s("middle").0 + s("middle").2) / 2.0, 100.0);
        assert!(rects_meet(s("start"), s("middle")) && !rects_meet(s("start"), s("end")));
    }
}
