//! The ladder (sequence) diagram in SVG.
//!
//! Split for speed, in stacked layers inside one `div.lad-stack` (see [`LadderView`]):
//! - [`LadderStatic`]: every arrow complete, drawn once per (layout, width, numbering,
//!   language). A panel-coloured cover, moved by a compositor-only `transform` to the
//!   playhead's y, hides what has not happened yet. An arrow in flight is therefore cut exactly
//!   at its current position, because y is linear in time along each arrow.
//! - [`LadderMarks`]: the state pills, under a second cover [`MARKS_LEAD`] px lower, so a state
//!   entered at this very moment shows whole.
//! - [`LadderAxis`]: lanes, folds and time ticks, always whole.
//! - the live layer: the only SVG that changes per frame (headers, playhead, packets in flight,
//!   the selection).
//!
//! Why layers and not one SVG with a moving clip: Chromium re-records the paint of a whole
//! inline `<svg>` when anything inside it changes, so with a thousand arrows in the SVG that
//! holds the playhead, every frame cost tens of milliseconds of paint. The static layers never
//! change while playing; export (export.rs) stacks them back into one file.

use std::fmt::Write;

use yew::prelude::*;

use synack_model::trace::{TcpState, Trace};

use super::labels::{mark, segment_label, Isns, Numbering, SegKind, SegKindText};
use super::layout::{Arrow, Ladder, Outcome};
use super::narration::{drop_reason, host_name, localize_name};
use super::Shared;
use crate::hooks::use_effect_on;
use crate::i18n::Lang;
use crate::num::{self, math};

/// Styles travel inside the SVG so an exported file looks like the page. Colours are the page's
/// tokens only (`var(--lost)`, no hex here): the export writes their current values into the
/// file (see `tokens`).
pub const SVG_CSS: &str = r#"
.lad text{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,"Noto Sans CJK SC",monospace;font-size:12px;fill:var(--ink)}
.lad .lane{stroke:var(--ink-3);stroke-width:2}
.lad .lane-fold{stroke:var(--ink-3);stroke-width:2;stroke-dasharray:2 4}
.lad .fold-lbl{fill:var(--ink-3);font-size:12px}
.lad .host{font-size:14px;font-weight:700;font-family:system-ui,"Noto Sans CJK SC",sans-serif}
.lad .tick{fill:var(--ink-3);font-size:11px}
.lad .seg line.shaft{stroke-width:2}
.lad .seg.lost line.shaft{stroke-dasharray:6 4}
.lad .seg .x{stroke:var(--lost);stroke-width:3}
.lad .seg .why{fill:var(--lost);font-size:11px}
.lad .seg .mark{fill:var(--lost);font-weight:700}
.lad .seg .opt{fill:var(--ink-2);font-size:11px}
.lad .seg .hit{stroke:transparent;stroke-width:14;cursor:pointer}
.lad .seg:hover line.shaft{stroke-width:3}
.lad .k-syn{stroke:var(--syn);fill:var(--syn)}
.lad .k-synack{stroke:var(--synack);fill:var(--synack)}
.lad .k-ack{stroke:var(--ack);fill:var(--ack)}
.lad .k-data{stroke:var(--data);fill:var(--data)}
.lad .k-fin{stroke:var(--fin);fill:var(--fin)}
.lad .k-rst{stroke:var(--rst);fill:var(--rst)}
.lad .k-udp{stroke:var(--udp);fill:var(--udp)}
.lad .pill rect{stroke-width:1.5;fill:var(--panel)}
.lad .pill text{font-size:11px;font-weight:600}
.lad .g-open rect{stroke:var(--st-open)} .lad .g-open text{fill:var(--st-open)}
.lad .g-est rect{stroke:var(--st-est)} .lad .g-est text{fill:var(--st-est)}
.lad .g-closing rect{stroke:var(--st-closing)} .lad .g-closing text{fill:var(--st-closing)}
.lad .g-closed rect{stroke:var(--st-closed)} .lad .g-closed text{fill:var(--st-closed)}
.lad .playhead{stroke:var(--playhead);stroke-width:1.5;fill:none}
.lad .playhead-t{fill:var(--playhead);font-size:11px;paint-order:stroke;stroke:var(--panel);stroke-width:4px;stroke-linejoin:round}
.lad .dots{stroke:var(--panel);stroke-width:4;paint-order:stroke}
.lad .sel line.shaft{stroke-width:5;opacity:.35}
.lad .seg.warn line.shaft{stroke-width:4;stroke-dasharray:10 3}
"#;

/// The colour group of a state, for pills here and in the state diagram.
pub fn state_group(s: TcpState) -> &'static str {
    match s {
        TcpState::Closed => "g-closed",
        TcpState::Listen | TcpState::SynSent | TcpState::SynReceived => "g-open",
        TcpState::Established => "g-est",
        _ => "g-closing",
    }
}

/// Horizontal geometry for a drawing width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    pub width: f64,
    pub narrow: bool,
    pub left: f64,
    pub right: f64,
}

impl Geometry {
    pub fn new(width: f64) -> Geometry {
        let width = num::clamp(width, 300.0, 1100.0);
        let narrow = width < 560.0;
        // Wide: a time column, then room for state pills outside each lane.
        let (left, right) = if narrow {
            (58.0, width - 58.0)
        } else {
            (170.0, width - 120.0)
        };
        Geometry {
            width,
            narrow,
            left,
            right,
        }
    }

    pub fn lane_x(&self, lane: usize, lanes: usize) -> f64 {
        if lanes <= 1 {
            return (self.left + self.right) / 2.0;
        }
        self.left + (self.right - self.left) * lane as f64 / (lanes - 1) as f64
    }

    /// Start and end points of an arrow.
    pub fn arrow_points(&self, a: &Arrow, lanes: usize) -> (f64, f64, f64, f64) {
        let x0 = self.lane_x(a.from_lane, lanes);
        let xt = self.lane_x(a.to_lane, lanes);
        let x1 = x0 + (xt - x0) * a.reach();
        (x0, a.y0, x1, a.y1)
    }
}

/// Where to put an arrow's label: its midpoint and an angle that keeps text upright.
pub fn label_anchor(x0: f64, y0: f64, x1: f64, y1: f64) -> (f64, f64, f64) {
    let (mx, my) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (dx, dy) = if x1 >= x0 {
        (x1 - x0, y1 - y0)
    } else {
        (x0 - x1, y0 - y1)
    };
    let deg = math::atan2(dy, dx.max(1e-9)).to_degrees();
    (mx, my, deg)
}

fn f1(v: f64) -> String {
    num::fixed(v, 1)
}

/// ` name="v"` for each pair, `v` as [`f1`] writes it, appended to `o` without a String of its
/// own per number (a drawing writes thousands of coordinates).
fn push_attrs(o: &mut String, attrs: &[(&str, f64)]) {
    for (name, v) in attrs {
        o.push(' ');
        o.push_str(name);
        o.push_str("=\"");
        num::push_fixed(o, *v, 1);
        o.push('"');
    }
}

#[derive(Properties, PartialEq)]
pub struct StaticProps {
    pub ladder: Shared<Ladder>,
    pub geo: Geometry,
    /// The arrows as written for this ladder, width, numbering and language ([`arrows_drawn`]).
    pub drawn: Shared<Drawn>,
    /// What to write instead of the whole of `drawn`: its arrows near the view
    /// ([`Drawn::near`]), before the rest follows.
    #[prop_or_default]
    pub near: Option<AttrValue>,
    pub on_select: Callback<usize>,
}

/// Inline style of a layer stacked over the first one. `will-change` gives each static layer a
/// compositor layer of its own, so nothing above it ever makes it repaint.
const LAYER: &str = "position:absolute;left:0;top:0;pointer-events:none;will-change:transform";

/// Every arrow, complete (the bottom layer; the covers hide the future).
#[component]
pub fn LadderStatic(p: &StaticProps) -> Html {
    let l = &*p.ladder;
    let geo = p.geo;
    let h = l.height.max(200.0);
    let onclick = {
        let on_select = p.on_select.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(el) = crate::dom::target_element(&e) else {
                return;
            };
            if let Ok(Some(g)) = el.closest("[data-seg]") {
                if let Some(i) = g.get_attribute("data-seg").and_then(|s| s.parse().ok()) {
                    on_select.emit(i);
                }
            }
        })
    };

    // Enter or Space on a focused arrow: the same as a click.
    let onkeydown = {
        let on_select = p.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if !matches!(e.key().as_str(), "Enter" | " ") {
                return;
            }
            let Some(el) = crate::dom::target_element(&e) else {
                return;
            };
            let seg = el.closest("[data-seg]").ok().flatten();
            if let Some(i) = seg
                .and_then(|g| g.get_attribute("data-seg"))
                .and_then(|s| s.parse().ok())
            {
                e.prevent_default();
                e.stop_propagation();
                on_select.emit(i);
            }
        })
    };

    html! {
        <svg class="lad" data-testid="ladder" xmlns="http://www.w3.org/2000/svg"
             width={f1(geo.width)} height={f1(h)} viewBox={view_box(geo.width, h)}
             data-segments={l.arrows.len().to_string()} style="will-change:transform">
            <style>{ SVG_CSS }</style>
            <g class="segs" {onclick} {onkeydown}>{ Html::from_html_unchecked(p.near.clone().unwrap_or_else(|| AttrValue::from(p.drawn.markup.clone()))) }</g>
        </svg>
    }
}

/// The spoken name of an arrow: its kind, direction, numbers and fate.
pub fn arrow_name(a: &Arrow, label: &str, lane_names: &[String], lang: Lang) -> String {
    let kind = a.kind.name(lang);
    let dir = match (lane_names.get(a.from_lane), lane_names.get(a.to_lane)) {
        (Some(f), Some(t)) => match lang {
            Lang::Zh => format!("（{f} → {t}）"),
            Lang::En => format!(" ({f} → {t})"),
        },
        _ => String::new(),
    };
    let fate = match &a.outcome {
        Outcome::LostOnPath(r) | Outcome::Discarded(r) => match lang {
            Lang::Zh => format!("，丢失：{}", drop_reason(r, lang)),
            Lang::En => format!(", lost: {}", drop_reason(r, lang)),
        },
        _ => String::new(),
    };
    match lang {
        Lang::Zh => format!("{kind}{dir}，{label}{fate}"),
        Lang::En => format!("{kind}{dir}, {label}{fate}"),
    }
}

/// Text made safe inside an element or a double-quoted attribute.
fn esc(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// A label already written, as the rectangle its text covers (four corners, in the drawing's
/// coordinates: labels run along their arrows, so the rectangle is turned with them). A new
/// label is left out when its rectangle would overlap one of these.
#[derive(Clone, Copy)]
struct LabelBox {
    pts: [(f64, f64); 4],
    /// The upright bounding box (left, top, right, bottom): most pairs lie far apart, and this
    /// tells at once.
    bounds: (f64, f64, f64, f64),
    /// The separating-axis test's two axes of this rectangle (the normals of its first two
    /// edges, unit length, so the slack is in pixels; the other two edges are parallel to them)
    /// and the rectangle's own extent along each, computed once: a label is tested against
    /// several boxes, and a burst of a thousand datagrams tests thousands of pairs a drawing.
    axes: [(f64, f64); 2],
    spans: [(f64, f64); 2],
}

/// The extent of `pts` along the unit vector `(ax, ay)`.
fn span(pts: &[(f64, f64); 4], (ax, ay): (f64, f64)) -> (f64, f64) {
    pts.iter()
        .map(|v| v.0 * ax + v.1 * ay)
        .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)))
}

impl LabelBox {
    /// The box of `text` in a `size` px monospace face, anchored at `at` (SVG `text-anchor`:
    /// start, middle or end), running along the unit vector `u`, its baseline `base` pixels
    /// across the line (the text's own y: negative is above). Glyphs reach 10/12 of the size
    /// above the baseline and 2/12 below.
    fn new(text: &str, at: (f64, f64), u: (f64, f64), anchor: &str, base: f64, size: f64) -> Self {
        Self::of_len(label_width(text, size), at, u, anchor, base, size)
    }

    /// [`LabelBox::new`] for a text `len` px long (its [`label_width`]), which an arrow's
    /// label measures once for the places it tries.
    fn of_len(len: f64, at: (f64, f64), u: (f64, f64), anchor: &str, base: f64, size: f64) -> Self {
        let x0 = match anchor {
            "end" => -len,
            "middle" => -len / 2.0,
            _ => 0.0,
        };
        let (top, bottom) = (base - size * 10.0 / 12.0, base + size * 2.0 / 12.0);
        // Local (x along the text, y across it, downwards) to the drawing's coordinates.
        let p = |x: f64, y: f64| (at.0 + x * u.0 - y * u.1, at.1 + x * u.1 + y * u.0);
        let pts = [
            p(x0, top),
            p(x0 + len, top),
            p(x0 + len, bottom),
            p(x0, bottom),
        ];
        LabelBox::of(pts)
    }

    /// The rectangle `pts` (corners in order), its upright bounds and its axes.
    fn of(pts: [(f64, f64); 4]) -> Self {
        let bounds = pts
            .iter()
            .fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |b, p| {
                (b.0.min(p.0), b.1.min(p.1), b.2.max(p.0), b.3.max(p.1))
            });
        let axis = |i: usize| {
            let (p, q) = (pts[i], pts[i + 1]);
            let (ax, ay) = (p.1 - q.1, q.0 - p.0);
            let n = (ax * ax + ay * ay).sqrt().max(1e-9);
            (ax / n, ay / n)
        };
        let axes = [axis(0), axis(1)];
        LabelBox {
            pts,
            bounds,
            axes,
            spans: [span(&pts, axes[0]), span(&pts, axes[1])],
        }
    }

    /// An upright rectangle (a state pill).
    fn rect(left: f64, top: f64, right: f64, bottom: f64) -> Self {
        LabelBox {
            pts: [(left, top), (right, top), (right, bottom), (left, bottom)],
            bounds: (left, top, right, bottom),
            axes: [(0.0, 1.0), (-1.0, 0.0)],
            spans: [(top, bottom), (-right, -left)],
        }
    }

    /// The thin rectangle an arrow's shaft from `a` to `b` covers, `half` px either side of it.
    fn along(a: (f64, f64), b: (f64, f64), half: f64) -> Self {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (nx, ny) = (-dy / len * half, dx / len * half);
        let pts = [
            (a.0 + nx, a.1 + ny),
            (b.0 + nx, b.1 + ny),
            (b.0 - nx, b.1 - ny),
            (a.0 - nx, a.1 - ny),
        ];
        LabelBox::of(pts)
    }

    /// Whether the two rectangles overlap (by more than half a pixel): they do unless one of
    /// their edge directions separates them (the separating axis theorem; a rectangle's
    /// opposite edges share a direction, so two axes each).
    fn collides(&self, other: &LabelBox) -> bool {
        let (a, b) = (self.bounds, other.bounds);
        if a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1 {
            return false;
        }
        let apart = |own: (f64, f64), theirs: (f64, f64)| {
            own.1 - 0.5 <= theirs.0 || theirs.1 - 0.5 <= own.0
        };
        for (me, them) in [(self, other), (other, self)] {
            for (axis, own) in me.axes.iter().zip(me.spans) {
                if apart(own, span(&them.pts, *axis)) {
                    return false;
                }
            }
        }
        true
    }
}

/// The width of a label in a `size` px monospace face: about 0.61 em a character (DejaVu Sans
/// Mono and Menlo are 0.602), a full em for the wide (CJK) ones. An estimate, used only to keep
/// labels from being printed over each other.
fn label_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) < 0x1100 { 0.61 } else { 1.0 })
        .sum::<f64>()
        * size
}

/// An arrow label's baseline: 6 px above its arrow (the text's own y; negative is above).
const LABEL_BASE: f64 = -6.0;

/// The baselines a label that must be shown tries when none of its places on the arrow is free
/// (see `arrows_markup`): one and two lines (14 px) further above, then under the arrow, clear
/// of the arrowhead, and a line under that.
const OFF_ARROW: [f64; 4] = [-20.0, -34.0, 16.0, 30.0];

/// The baselines a drop reason tries, below the ✕'s centre: level with it (its glyphs centred
/// on the arrow's end), then a line and two lines under it. Time runs down the ladder, so the
/// arrow comes from above: under its end nothing of it is in the way.
const DROP_BASES: [f64; 4] = [4.0, 17.0, 30.0, 43.0];

/// How many of the latest labels a new one is checked against: a burst is drawn in order, so a
/// label meets the ones written just before it; older ones lie further up the diagram.
const LABEL_WINDOW: usize = 256;

/// An arrowhead's length along its arrow and half its width.
const HEAD_LEN: f64 = 10.0;
const HEAD_HALF: f64 = 4.5;

/// How many arrows before and after a label's own are looked at for their ends: they are in
/// time order, so the ends a label could meet are those of arrows sent about when it was.
const HEAD_WINDOW: usize = 64;

/// Every arrow of the ladder as SVG markup (the inside of `g.segs`): one `<g>` holding a
/// `g.seg` per arrow (or per group of arrows drawn on the same pixels, see [`Group`]), then the
/// arrowheads.
///
/// Written as one string and handed to the browser's parser in one call, instead of a virtual
/// DOM node per line, label and arrowhead: with a thousand arrows that is some fifteen thousand
/// elements, and creating them one by one through the JS bindings was most of the first frame.
/// The arrows sit in one group because Yew moves each top-level node of raw markup into place
/// (and removes each one for the next ladder) by a call of its own: a knob change on TCP vs
/// UDP with 1,000 messages made two thousand such calls. The arrowheads are one path per
/// segment kind after them, not a polygon per arrow: a fifth fewer elements to parse, style
/// and lay out on every redraw (they take no clicks; the arrow's hit line does).
pub fn arrows_markup(
    l: &Ladder,
    isns: &Isns,
    geo: Geometry,
    numbering: Numbering,
    lang: Lang,
    lane_names: &[String],
) -> String {
    arrows_drawn(l, isns, geo, numbering, lang, lane_names).markup
}

/// One thing written beside an arrow (its label, options line, drop reason or ✕): where it lies
/// and its markup, for the live layer to show it whole or hide it where the cover's line would
/// cut it (see [`cover_rule`]).
pub struct Written {
    seg: usize,
    b: LabelBox,
    markup: String,
}

/// The static layer's markup ([`arrows_markup`]) and what was written beside each arrow.
pub struct Drawn {
    pub markup: String,
    written: Vec<Written>,
    /// Each arrow's `g.seg` classes ("seg k-ack lost"), which colour its copies.
    classes: Vec<String>,
    /// The first arrow of each `g.seg` written, in order (see [`Group`]).
    pub groups: Vec<usize>,
    /// Per arrow, the index in `groups` of the `g.seg` that draws it.
    pub group_of: Vec<usize>,
    /// Per `g.seg` in the order written: the y where its arrows start, and where `markup` and
    /// each kind's arrowhead path (`heads`) stood after it ([`Drawn::near`]).
    cuts: Vec<(f64, usize, [usize; SegKind::ALL.len()])>,
    /// The arrowheads' path data, per kind in `SegKind::ALL` order, as `markup` ends with them.
    heads: [String; SegKind::ALL.len()],
}

impl Drawn {
    /// The static layer's markup cut after the last `g.seg` whose arrows start at or above
    /// `limit` (y, px), with only those arrows' heads: what a redraw writes first, in the frame
    /// of the change (see [`LadderView`]); the whole of `markup` follows once the reader
    /// pauses. The arrows are written in the order they start (a group is written at its last
    /// arrow, and every arrow of a group starts within a pixel of its first), so the cut is a
    /// prefix of `markup` and the whole layer is the same markup as when written at once.
    /// `None` when nothing starts below `limit`: `markup` is all there is. With the markup, the
    /// number of `g.seg` it writes.
    pub fn near(&self, limit: f64) -> Option<(String, usize)> {
        let k = self.cuts.iter().position(|c| c.0 > limit)?;
        let (end, lens) = match k.checked_sub(1) {
            Some(j) => (self.cuts[j].1, self.cuts[j].2),
            None => (GROUPS_OPEN.len(), [0; SegKind::ALL.len()]),
        };
        let mut o = String::with_capacity(end + 256);
        o.push_str(&self.markup[..end]);
        push_heads(&mut o, self.heads.iter().zip(lens).map(|(d, n)| &d[..n]));
        Some((o, k))
    }
}

/// The opening of the static layer's markup: the groups' `g`.
const GROUPS_OPEN: &str = "<g>";

/// Closes the groups' `g` and writes the arrowheads' `g`, a path per kind that has heads.
fn push_heads<'a>(o: &mut String, heads: impl Iterator<Item = &'a str>) {
    o.push_str("</g><g class=\"heads\" aria-hidden=\"true\" pointer-events=\"none\">");
    for (k, d) in SegKind::ALL.iter().zip(heads) {
        if !d.is_empty() {
            let _ = write!(o, "<path class=\"head k-{}\" d=\"{d}\"/>", k.css());
        }
    }
    o.push_str("</g>");
}

impl Drawn {
    /// Where each thing written beside an arrow lies: (arrow, top, bottom), in the order
    /// [`cover_rule`]'s copies index them.
    #[cfg(test)]
    pub fn places(&self) -> impl Iterator<Item = (usize, f64, f64)> + '_ {
        self.written
            .iter()
            .map(|w| (w.seg, w.b.bounds.1, w.b.bounds.3))
    }
}

/// The arrows of `l` (a ladder of `trace`) as [`LadderView`] writes them, with its hosts' names
/// and the trace's initial sequence numbers.
pub fn drawn_for(
    l: &Ladder,
    trace: &Trace,
    geo: Geometry,
    numbering: Numbering,
    lang: Lang,
) -> Drawn {
    let names: Vec<String> = l.lanes.iter().map(|h| host_name(trace, *h, lang)).collect();
    arrows_drawn(l, &Isns::of_trace(trace), geo, numbering, lang, &names)
}

/// [`arrows_markup`], keeping the place and markup of every label as it is written.
pub fn arrows_drawn(
    l: &Ladder,
    isns: &Isns,
    geo: Geometry,
    numbering: Numbering,
    lang: Lang,
    lane_names: &[String],
) -> Drawn {
    let n = l.lanes.len();
    let mut o = String::with_capacity(l.arrows.len() * 480);
    let mut written: Vec<Written> = Vec::new();
    let mut classes: Vec<String> = Vec::with_capacity(l.arrows.len());
    // Every group so far, in the order their first arrows come; per arrow, its group there.
    let mut all: Vec<Group> = Vec::new();
    let mut made_of: Vec<usize> = Vec::with_capacity(l.arrows.len());
    // The groups an arrow may still join: those whose first arrow starts within a pixel of it.
    // Arrows on the same pixels start at the same y (as written), and arrows come in time order,
    // so a group whose first arrow lies higher up takes no more (see `Group`).
    let mut open: Vec<usize> = Vec::new();
    o.push_str(GROUPS_OPEN);
    // The arrowheads' path data, per kind in `SegKind::ALL` order.
    let mut heads: [String; SegKind::ALL.len()] = Default::default();
    let line = |o: &mut String, class: &str, (x0, y0, x1, y1): (f64, f64, f64, f64)| {
        o.push_str("<line class=\"");
        o.push_str(class);
        o.push('"');
        push_attrs(o, &[("x1", x0), ("y1", y0), ("x2", x1), ("y2", y1)]);
        o.push_str("/>");
    };
    // The labels written so far, as boxes. A label that would be printed over one of them is
    // left out: a burst of datagrams sent together made an unreadable smear, and a lost one's
    // label (at the middle of its arrow) or drop reason could cross a delivered one's. Such
    // arrows keep their shaft, mark and click target (the inspector has their header; a step
    // of the player stops at them and the narration tells them). The state pills are there
    // before any label: a burst of SYNs 1 ms apart (a flood) would print its labels over the
    // listener's stack of SYN-RECEIVED pills.
    let pills: Vec<LabelBox> = pills(l, geo)
        .iter()
        .map(|p| LabelBox::rect(p.x, p.y - 9.0, p.x + p.w, p.y + 9.0))
        .collect();
    // A label must also lie inside the drawing: one running past its edge was cut there (a
    // retransmission mark at the right of the TCP column of TCP vs UDP, a drop reason at the
    // last lane).
    let mut placed: Vec<LabelBox> = Vec::new();
    let width = geo.width;
    // Every arrow's end as drawn (its arrowhead, or the ✕ of a lost one), which no label of
    // another arrow may cover: backlog's "RST seq=1 win=0" lay over the head of the PSH coming
    // in where it leaves, and in TCP vs UDP's narrow column the SYN-ACK's label started on the
    // SYN's head. Only the arrows near in the list are looked at (they are in time order).
    let ends: Vec<LabelBox> = l
        .arrows
        .iter()
        .map(|a| {
            let (x0, y0, x1, y1) = geo.arrow_points(a, n);
            if a.lost() {
                // The ✕: 6 px each way from the end.
                return LabelBox::rect(x1 - 6.0, y1 - 6.0, x1 + 6.0, y1 + 6.0);
            }
            // The head's triangle (as drawn below: HEAD_LEN back along the arrow, HEAD_HALF
            // either side), as its upright box.
            let ang = math::atan2(y1 - y0, x1 - x0);
            let (sin, cos) = (math::sin(ang), math::cos(ang));
            let (bx, by) = (x1 - HEAD_LEN * cos, y1 - HEAD_LEN * sin);
            let xs = [x1, bx - HEAD_HALF * sin, bx + HEAD_HALF * sin];
            let ys = [y1, by + HEAD_HALF * cos, by - HEAD_HALF * cos];
            let lo = |v: [f64; 3]| v.iter().copied().fold(f64::MAX, f64::min);
            let hi = |v: [f64; 3]| v.iter().copied().fold(f64::MIN, f64::max);
            LabelBox::rect(lo(xs), lo(ys), hi(xs), hi(ys))
        })
        .collect();
    let fits = |placed: &mut Vec<LabelBox>, b: LabelBox, own: usize| {
        let from = placed.len().saturating_sub(LABEL_WINDOW);
        let near = own.saturating_sub(HEAD_WINDOW)..(own + HEAD_WINDOW).min(ends.len());
        let free = b.bounds.0 >= 0.0
            && b.bounds.2 <= width
            && !placed[from..].iter().chain(&pills).any(|p| b.collides(p))
            && !near.filter(|&k| k != own).any(|k| b.collides(&ends[k]));
        if free {
            placed.push(b);
        }
        free
    };
    // The drop reasons written so far: the text and its arrow's ✕. Where ✕s lie on each other
    // (a burst's lost datagrams, sent together, end on one point), their reason is written once,
    // by the first: TCP vs UDP's burst stacked "lost on the link" eight times round one ✕, and
    // in Chinese the stacked lines overlapped. The later arrows say nothing of their own, so
    // they join the first one's group where their shape is its ([`Group`]): each stays
    // reachable by its arrow, its ✕ and the inspector.
    let mut reasons: Vec<(String, LabelBox)> = Vec::new();
    for (i, a) in l.arrows.iter().enumerate() {
        let (x0, y0, x1, y1) = geo.arrow_points(a, n);
        let (label, opts) = segment_label(&a.segment, isns, numbering);
        let note = l.notes.get(&i);
        // A page's note (expert marks, a difference from the model) replaces the trace's own
        // retransmission mark: for captures it already names the retransmission.
        let retx = note
            .map(|n| n.text.clone())
            .or_else(|| mark(&a.segment, lang));
        // Labels start next to their sender (so arrows crossing mid-way, as in a simultaneous
        // open, keep readable labels); a lost arrow's label sits at its middle instead. Where
        // that place is taken, the label tries the arrow's middle, then its far end.
        let (_, _, deg) = label_anchor(x0, y0, x1, y1);
        let (near, far) = if x1 >= x0 {
            ("start", "end")
        } else {
            ("end", "start")
        };
        let places: &[(f64, &str)] = if a.lost() {
            &[(0.5, "middle"), (0.06, near)]
        } else {
            &[(0.06, near), (0.5, "middle"), (0.94, far)]
        };
        // The text runs along the arrow, upright (left to right), its baseline 6 px above it.
        let rad = deg.to_radians();
        let u = (math::cos(rad), math::sin(rad));
        let shown = match &retx {
            Some(m) => format!("{label}  {m}"),
            None => label.clone(),
        };
        let at = |f: f64| (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
        // Where the whole label fits nowhere, what the segment is (the flags "FIN, PSH, ACK",
        // "UDP", "ICMP") with an ellipsis, the whole text in the arrow's tooltip (and its
        // inspector): in TCP vs UDP's narrow column a FIN left unlabelled read as a plain ACK.
        let short = shown
            .find(" seq=")
            .or_else(|| shown.find(' '))
            .map(|at| format!("{}…", &shown[..at]));
        // A segment that changes a connection's state (SYN, FIN, RST) or refuses a datagram
        // (ICMP) keeps at least its flags, since nothing else on the ladder says what it was:
        // where every place along its arrow is taken, they move off the arrow a line at a time,
        // above it, then below. Three arrows on one shaft (TCP vs UDP's last ACK, data and
        // FIN, PSH sent together) had filled the three places, and the FIN showed nothing.
        // Data and plain ACKs may go unlabelled in a burst: their colour names their kind, and
        // a thousand of them would fill the drawing.
        let must = matches!(
            a.kind,
            SegKind::Syn | SegKind::SynAck | SegKind::Fin | SegKind::Rst | SegKind::Icmp
        );
        let off: &[f64] = if must { &OFF_ARROW } else { &[] };
        // Each text measured once, for every place it tries.
        let shown_w = (&shown, label_width(&shown, 12.0));
        let short_w = short.as_ref().map(|t| (t, label_width(t, 12.0)));
        let candidates = std::iter::once(shown_w)
            .chain(short_w)
            .flat_map(|text| places.iter().map(move |place| (text, *place, LABEL_BASE)))
            .chain(short_w.into_iter().flat_map(|text| {
                off.iter()
                    .flat_map(move |&base| places.iter().map(move |place| (text, *place, base)))
            }));
        let mut place = None;
        for ((text, len), (f, anchor), base) in candidates {
            if fits(
                &mut placed,
                LabelBox::of_len(len, at(f), u, anchor, base, 12.0),
                i,
            ) {
                place = Some((text, (f, anchor), base));
                break;
            }
        }
        let whole = place.is_some_and(|(text, _, _)| *text == shown);
        let ((f, anchor), base) = place.map_or((places[0], LABEL_BASE), |(_, p, b)| (p, b));
        let (mx, my) = at(f);
        // The options line below the arrow (y = 14), when it fits as well.
        let with_opts = whole
            && !opts.is_empty()
            && !geo.narrow
            && fits(
                &mut placed,
                LabelBox::new(&opts, (mx, my), u, anchor, 14.0, 11.0),
                i,
            );
        let mut tf = String::from("translate(");
        num::push_fixed(&mut tf, mx, 1);
        tf.push(',');
        num::push_fixed(&mut tf, my, 1);
        tf.push_str(") rotate(");
        num::push_fixed(&mut tf, deg, 1);
        tf.push(')');
        let kind = a.kind.css();
        let mut class = format!("seg k-{kind}");
        if a.lost() {
            class.push_str(" lost");
        }
        if note.is_some_and(|n| n.warn) {
            class.push_str(" warn");
        }
        // The arrow's own markup (inside its `g.seg`) and head, written here and put into the
        // layer by `Group::write`, unless the arrow joins the group before it (see `Group`).
        let mut g = String::with_capacity(256);
        let mut head = None;
        let before = written.len();
        let mut why_shown = false;
        line(&mut g, "shaft", (x0, y0, x1, y1));
        // Where the lines end (the shaft, and a lost arrow's ✕): the texts come after them.
        let mut lines_end = g.len();
        match &a.outcome {
            Outcome::LostOnPath(r) | Outcome::Discarded(r) => {
                let s = 6.0;
                let from = g.len();
                line(&mut g, "x", (x1 - s, y1 - s, x1 + s, y1 + s));
                line(&mut g, "x", (x1 - s, y1 + s, x1 + s, y1 - s));
                lines_end = g.len();
                // The ✕ with its 3 px stroke.
                let cross = LabelBox::rect(x1 - s - 1.5, y1 - s - 1.5, x1 + s + 1.5, y1 + s + 1.5);
                written.push(Written {
                    seg: i,
                    b: cross,
                    markup: g[from..].to_string(),
                });
                // Past the ✕, on the side the arrow was going, level with it; where that runs
                // off the drawing (at the last lane) or is taken, before the ✕, which is where
                // the arrow itself comes down: there it goes a line under the ✕ and further, so
                // it never sits on its own dashed shaft ("accept queue full, not taken" was
                // printed along the refused ACK it explains), nor on another label.
                let why = drop_reason(r, lang);
                let said = reasons[reasons.len().saturating_sub(HEAD_WINDOW)..]
                    .iter()
                    .any(|(text, b)| *text == why && b.collides(&cross));
                let shaft = LabelBox::along((x0, y0), (x1, y1), 1.5);
                let (right, left) = (("start", x1 + 10.0), ("end", x1 - 10.0));
                let (ahead, back) = if x1 >= x0 {
                    (right, left)
                } else {
                    (left, right)
                };
                let spot = DROP_BASES
                    .iter()
                    .flat_map(|&base| [(ahead, base), (back, base)])
                    .filter(|_| !said)
                    .find(|&((anchor, wx), base)| {
                        let b = LabelBox::new(&why, (wx, y1), (1.0, 0.0), anchor, base, 11.0);
                        !b.collides(&shaft) && fits(&mut placed, b, i)
                    });
                if let Some(((anchor, wx), base)) = spot {
                    why_shown = true;
                    reasons.push((why.clone(), cross));
                    let from = g.len();
                    // Unstroked, like the labels: inside its arrow's `g.seg` it took the
                    // group's stroke (the kind's colour) and read as bold.
                    let _ = write!(
                        g,
                        "<text class=\"why\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" stroke=\"none\">",
                        f1(wx),
                        f1(y1 + base)
                    );
                    esc(&why, &mut g);
                    g.push_str("</text>");
                    written.push(Written {
                        seg: i,
                        b: LabelBox::new(&why, (wx, y1), (1.0, 0.0), anchor, base, 11.0),
                        markup: g[from..].to_string(),
                    });
                }
            }
            _ => {
                // Arrowhead: a small triangle pointing along the arrow.
                let ang = math::atan2(y1 - y0, x1 - x0);
                let (s, w) = (HEAD_LEN, HEAD_HALF);
                let (sin, cos) = (math::sin(ang), math::cos(ang));
                let (bx, by) = (x1 - s * cos, y1 - s * sin);
                let k = SegKind::ALL.iter().position(|k| *k == a.kind).unwrap_or(0);
                let mut d = String::from("M");
                for (k, v) in [
                    x1,
                    y1,
                    bx - w * sin,
                    by + w * cos,
                    bx + w * sin,
                    by - w * cos,
                ]
                .into_iter()
                .enumerate()
                {
                    // "M x y L x y L x y Z", without the spaces after the letters.
                    match k {
                        0 => {}
                        2 | 4 => d.push('L'),
                        _ => d.push(' '),
                    }
                    num::push_fixed(&mut d, v, 1);
                }
                d.push('Z');
                head = Some((k, d));
            }
        }
        // What is drawn of the arrow whatever its texts: class, shaft, ✕ or head.
        let head_d = head.as_ref().map_or("", |(_, d)| d.as_str());
        let mut shape = String::with_capacity(class.len() + lines_end + head_d.len() + 2);
        for part in [&class, "|", &g[..lines_end], "|", head_d] {
            shape.push_str(part);
        }
        let hash = fnv(&shape);
        open.retain(|&k| y0 - all[k].hit.1 <= 1.0);
        if !why_shown && place.is_none() && note.is_none() {
            let same = open
                .iter()
                .copied()
                .find(|&k| all[k].hash == hash && all[k].shape == shape);
            if let Some(k) = same {
                // Drawn over its group's first arrow, pixel for pixel, with nothing of its own
                // to write: it is that arrow's group (the ✕'s place is the first one's).
                written.truncate(before);
                all[k].also.push(i);
                made_of.push(k);
                classes.push(class);
                continue;
            }
        }
        if let Some((text, _, _)) = place {
            let from = g.len();
            let _ = write!(
                g,
                "<text transform=\"{tf}\" y=\"{}\" text-anchor=\"{anchor}\" stroke=\"none\">",
                // Whole pixels, written as before ("-6"): the first frame that index.html
                // prerenders is this markup, byte for byte.
                base as i32
            );
            match (&short, whole) {
                (Some(short), false) => esc(short, &mut g),
                _ => {
                    esc(&label, &mut g);
                    if let Some(m) = &retx {
                        g.push_str("<tspan class=\"mark\">  ");
                        esc(m, &mut g);
                        g.push_str("</tspan>");
                    }
                }
            }
            g.push_str("</text>");
            written.push(Written {
                seg: i,
                b: LabelBox::new(text, (mx, my), u, anchor, base, 12.0),
                markup: g[from..].to_string(),
            });
        }
        if !whole {
            g.push_str("<title>");
            esc(&shown, &mut g);
            g.push_str("</title>");
        }
        if with_opts {
            let from = g.len();
            let _ = write!(
                g,
                "<text class=\"opt\" transform=\"{tf}\" y=\"14\" text-anchor=\"{anchor}\" stroke=\"none\">"
            );
            esc(&opts, &mut g);
            g.push_str("</text>");
            written.push(Written {
                seg: i,
                b: LabelBox::new(&opts, (mx, my), u, anchor, 14.0, 11.0),
                markup: g[from..].to_string(),
            });
        }
        made_of.push(all.len());
        open.push(all.len());
        all.push(Group {
            first: i,
            also: Vec::new(),
            kind,
            hash,
            shape,
            body: g,
            head,
            hit: (x0, y0, x1, y1),
            name: arrow_name(a, &label, lane_names, lang),
        });
        classes.push(class);
    }
    // Each group is written where its last arrow was, so that where arrows of different shapes
    // meet (a burst's datagrams leave one point together; a lost one's shaft crosses a
    // delivered one's), the one on top is the one drawn last, as when every arrow had its own
    // `g.seg`. No sort: the arrows are walked once, each group written at its last.
    let mut at: Vec<usize> = vec![0; all.len()];
    let mut order: Vec<usize> = Vec::with_capacity(all.len());
    for (i, &k) in made_of.iter().enumerate() {
        if all[k].also.last().copied().unwrap_or(all[k].first) == i {
            at[k] = order.len();
            order.push(k);
        }
    }
    let groups: Vec<usize> = order.iter().map(|&k| all[k].first).collect();
    let group_of: Vec<usize> = made_of.iter().map(|&k| at[k]).collect();
    let mut all: Vec<Option<Group>> = all.into_iter().map(Some).collect();
    let mut cuts = Vec::with_capacity(order.len());
    for k in order {
        if let Some(g) = all[k].take() {
            let y = g.hit.1.min(g.hit.3);
            g.write(&mut o, &mut heads, lang);
            cuts.push((y, o.len(), heads.each_ref().map(|d| d.len())));
        }
    }
    push_heads(&mut o, heads.iter().map(|d| d.as_str()));
    Drawn {
        markup: o,
        written,
        classes,
        groups,
        group_of,
        cuts,
        heads,
    }
}

/// Arrows drawn as one: an arrow that lands on exactly the pixels of an arrow before it (the same
/// class, shaft, ✕ or head, as written) and has nothing of its own to write (its label left out
/// by the collision rule, no drop reason shown, no page note) is not written again; the first
/// arrow's `g.seg` stands for them all, its `data-also` naming the others (a list, so that
/// `[data-also~="7"]` finds arrow 7's group). Not only a run of arrows one after the other: in
/// TCP vs UDP with 1,000 messages the thousand datagrams lie on three shafts taken in turn, and
/// runs alone left 298 `g.seg`; by shape they are three. A redraw's cost (parse, style, layout,
/// paint) follows what can be seen, not the arrow count. A click, Enter or a link on the group
/// opens its first arrow, whose label is the one shown; the keyboard reaches the group when that
/// arrow is sent (every arrow of it is sent within the same tenth of a pixel), and the player's
/// steps still stop at each arrow. The group is written where its last arrow was (see
/// `arrows_drawn`).
struct Group {
    first: usize,
    /// The other arrows drawn by it, in order.
    also: Vec<usize>,
    kind: &'static str,
    /// [`fnv`] of `shape`: most arrows of a burst differ from a group's, and are told so here.
    hash: u64,
    /// What is drawn of the first arrow whatever its texts (class, shaft, ✕, head).
    shape: String,
    /// The first arrow's markup inside its `g.seg`, before the hit line.
    body: String,
    head: Option<(usize, String)>,
    hit: (f64, f64, f64, f64),
    /// The first arrow's spoken name ([`arrow_name`]).
    name: String,
}

impl Group {
    /// Writes the group's `g.seg` into `o` and its head into `heads`.
    fn write(self, o: &mut String, heads: &mut [String], lang: Lang) {
        let Group {
            first: i,
            also,
            kind,
            shape,
            body,
            head,
            hit: (x0, y0, x1, y1),
            mut name,
            ..
        } = self;
        let class = &shape[..shape.find('|').unwrap_or(0)];
        let _ = write!(o, "<g class=\"{class}\" data-seg=\"{i}\"");
        if !also.is_empty() {
            o.push_str(" data-also=\"");
            for (k, j) in also.iter().enumerate() {
                let _ = write!(o, "{}{j}", if k > 0 { " " } else { "" });
            }
            o.push('"');
            let count = also.len() + 1;
            let _ = match lang {
                Lang::Zh => write!(name, "（同一箭头上 {count} 个相同报文中的第一个）"),
                Lang::En => write!(name, " (the first of {count} alike on this arrow)"),
            };
        }
        let _ = write!(o, " data-kind=\"{kind}\" data-testid=\"segment\">");
        o.push_str(&body);
        if let Some((k, d)) = head {
            heads[k].push_str(&d);
        }
        // The click target is also the keyboard's: focusable, with a name a screen reader can
        // say ("SYN-ACK (server → client), seq=0 ack=1, lost: …"); Enter or Space opens the
        // inspector like a click. On the hit line, which has no text of its own, so the name
        // need not repeat the drawn labels word for word. Out of the Tab order until some of the
        // arrow shows ([`LadderView`] puts it in): Tab stopped on every packet still under the
        // cover, focused and unseen.
        let _ = write!(
            o,
            "<line class=\"hit\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" tabindex=\"-1\" role=\"button\" aria-label=\"",
            f1(x0),
            f1(y0),
            f1(x1),
            f1(y1)
        );
        esc(&name, o);
        o.push_str("\"/></g>");
    }
}

/// A 64-bit FNV-1a hash of `s`: a few lines instead of the standard library's hasher in the
/// first load.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[derive(Properties, PartialEq, Clone)]
pub struct LayerProps {
    pub ladder: Shared<Ladder>,
    pub geo: Geometry,
    pub lang: Lang,
    /// The time axis writes no tick below this y (px) yet (see [`Drawn::near`]).
    #[prop_or_default]
    pub limit: Option<f64>,
}

fn view_box(w: f64, h: f64) -> String {
    format!("0 0 {} {}", f1(w), f1(h))
}

/// A state change's pill as drawn on its lane: its left edge, its middle's y, its width.
struct Pill {
    x: f64,
    y: f64,
    w: f64,
    to: TcpState,
}

/// Where each state change's pill goes (wide drawings only; narrow ones show the states in the
/// header). Two changes of one lane at (nearly) the same moment, SYN-SENT → SYN-RECEIVED →
/// ESTABLISHED within a few µs, would print their pills over each other: a pill is moved down
/// until it clears the previous one of its lane, so they read top to bottom in order. The arrow
/// labels keep clear of them too ([`arrows_markup`]).
fn pills(l: &Ladder, geo: Geometry) -> Vec<Pill> {
    let n = l.lanes.len();
    let mut lane_bottom: Vec<f64> = vec![f64::NEG_INFINITY; n];
    l.states
        .iter()
        .filter(|_| !geo.narrow)
        .map(|m| {
            let x = geo.lane_x(m.lane, n);
            let w = m.to.rfc_name().len() as f64 * 7.0 + 12.0;
            let left_side = m.lane == 0 || (n > 2 && m.lane < n / 2);
            let y = match lane_bottom.get_mut(m.lane) {
                Some(bottom) => {
                    let y = m.y.max(*bottom + 11.0);
                    *bottom = y + 9.0;
                    y
                }
                None => m.y,
            };
            Pill {
                x: if left_side { x - 8.0 - w } else { x + 8.0 },
                y,
                w,
                to: m.to,
            }
        })
        .collect()
}

/// State changes written on the lanes (wide only; narrow drawings show them in the header).
///
/// Written as one string ([`marks_markup`]) and parsed in one call, as the time axis is: as
/// virtual DOM nodes each pill was a `g`, a `rect` and a `text` made, and given their eight
/// attributes, by a call through the JS bindings each (about 80 calls for the handshake's five
/// pills), on the first mount and again after every knob change that moves them.
#[component]
pub fn LadderMarks(p: &LayerProps) -> Html {
    Html::from_html_unchecked(AttrValue::from(marks_markup(&p.ladder, p.geo)))
}

/// The state pills' layer ([`LadderMarks`]) as markup: the `svg.lad-marks` with a `g.pill` per
/// state change ([`pills`]), its rectangle and the state's RFC name. Attributes in the order
/// Yew writes them (`class` last), so the page's markup is what it was (index.html's first
/// frame is a copy of it).
pub fn marks_markup(l: &Ladder, geo: Geometry) -> String {
    let h = l.height.max(200.0);
    let pills = pills(l, geo);
    let mut o = String::with_capacity(256 + 192 * pills.len());
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"{}\" style=\"{LAYER}\" aria-hidden=\"true\" class=\"lad-marks\">",
        f1(geo.width),
        f1(h),
        view_box(geo.width, h)
    );
    for Pill { x, y, w, to } in pills {
        // RFC state names are plain capitals and hyphens: nothing to escape.
        let name = to.rfc_name();
        let _ = write!(
            o,
            "<g data-state=\"{name}\" class=\"pill {}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" rx=\"9\"></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{name}</text></g>",
            state_group(to),
            f1(x),
            f1(y - 9.0),
            f1(w),
            f1(x + w / 2.0),
            f1(y + 4.0)
        );
    }
    o.push_str("</svg>");
    o
}

/// The time axis's column at the left of a wide ladder: its ticks (from x = 4, 11 px, at most
/// "1000.000 s", about 67 px) end inside it, and the playhead line starts at its right edge.
pub const AXIS_W: f64 = 74.0;

/// Lanes (broken at folds), fold labels and time ticks: never hidden.
///
/// Written as one string (the whole `svg.lad-axis`, [`axis_markup`]) and handed to the browser's
/// parser in one call, as the arrows are: a knob change draws another time axis (window at 25 %
/// loss: 180 ticks), and as virtual DOM nodes Yew patched each tick's `y` and text, and made or
/// removed each lane, fold label and tick, attribute by attribute, by a call through the JS
/// bindings of its own: most of a knob change's DOM calls (window 850 to 1,800 per change, now
/// 230 to 510; backlog's clients knob 2,070 to 4,930, now 770 to 1,390).
#[component]
pub fn LadderAxis(p: &LayerProps) -> Html {
    Html::from_html_unchecked(AttrValue::from(axis_markup_to(
        &p.ladder, p.geo, p.lang, p.limit,
    )))
}

/// The time axis's layer ([`LadderAxis`]) as markup: the `svg.lad-axis` with its lanes (broken
/// at folds), then the fold labels, then the time ticks (wide only, inside the left [`AXIS_W`]
/// px), skipping ones that would overlap. Attributes in the order Yew writes them (`class`
/// last), so the page's markup is what it was (index.html's first frame is a copy of it).
pub fn axis_markup(l: &Ladder, geo: Geometry, lang: Lang) -> String {
    axis_markup_to(l, geo, lang, None)
}

/// [`axis_markup`] with the ticks at or above `limit` (px) only, when given.
pub fn axis_markup_to(l: &Ladder, geo: Geometry, lang: Lang, limit: Option<f64>) -> String {
    let n = l.lanes.len();
    let h = l.height.max(200.0);
    let mut o =
        String::with_capacity(256 + 96 * (n * (2 * l.warp.folds.len() + 1)) + 48 * l.moments.len());
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"{}\" style=\"{LAYER}\" class=\"lad-axis\">",
        f1(geo.width),
        f1(h),
        view_box(geo.width, h)
    );
    let line = |o: &mut String, class: &str, x: &str, y1: f64, y2: f64| {
        let _ = write!(
            o,
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" class=\"{class}\"></line>",
            f1(y1),
            f1(y2)
        );
    };
    for i in 0..n {
        let x = f1(geo.lane_x(i, n));
        let mut y = super::layout::TOP_PX - 12.0;
        for f in &l.warp.folds {
            line(&mut o, "lane", &x, y, f.y0);
            line(&mut o, "lane-fold", &x, f.y0, f.y1);
            y = f.y1;
        }
        line(&mut o, "lane", &x, y, l.height - 8.0);
    }
    for f in &l.warp.folds {
        let secs = num::fixed((f.t1 - f.t0) as f64 / 1e6, 2);
        let text = match lang {
            Lang::Zh => format!("⋯ 略去 {secs} s 空闲 ⋯"),
            Lang::En => format!("⋯ {secs} s idle, folded ⋯"),
        };
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"fold-lbl\">",
            f1(geo.width / 2.0),
            f1((f.y0 + f.y1) / 2.0 + 4.0)
        );
        esc(&text, &mut o);
        o.push_str("</text>");
    }
    if !geo.narrow {
        let mut last_y = f64::NEG_INFINITY;
        for &m in &l.moments {
            let y = l.warp.y(m as f64);
            if limit.is_some_and(|limit| y > limit) {
                break;
            }
            if y - last_y >= 15.0 {
                last_y = y;
                let _ = write!(
                    o,
                    "<text x=\"4\" y=\"{}\" class=\"tick\">{}</text>",
                    f1(y + 4.0),
                    fmt_ms(m)
                );
            }
        }
    }
    o.push_str("</svg>");
    o
}

pub fn fmt_ms(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    if ms >= 1000.0 {
        format!("{} s", num::fixed(ms / 1000.0, 3))
    } else if ms >= 10.0 {
        format!("{} ms", num::fixed(ms, 1))
    } else {
        // Loopback timing (tens of µs): 0.05 ms and 0.10 ms must not both read "0.1 ms", and
        // every time below 10 ms has the same three decimals, so neighbours read alike.
        format!("{} ms", num::fixed(ms, 3))
    }
}

/// The y below which arrows are hidden at playhead y `y_play` (the arrows' cover; the state
/// pills' cover sits [`MARKS_LEAD`] px lower).
pub fn reveal_y(y_play: f64) -> f64 {
    (y_play + 0.5).max(super::layout::TOP_PX - 12.0)
}

/// The arrows' cover at playhead y `y_play`: [`reveal_y`], except before anything has moved.
/// An arrow sent at the very start has its label above its start (see `arrows_markup`), tilted
/// down along the arrow, so a cover at the playhead cut that label in two and the first frame
/// (the one every embed and link opens on) showed half a "SYN seq=0" under the playhead's time.
/// At the start the cover rises above every label instead: no arrow has any length yet.
pub fn arrows_reveal_y(y_play: f64) -> f64 {
    if y_play <= super::layout::TOP_PX {
        super::layout::TOP_PX - 6.0 - 16.0
    } else {
        reveal_y(y_play)
    }
}

/// How far (px) either side of the cover's line a label counts as crossing it. The boxes are
/// [`LabelBox::new`]'s estimates, a little larger than the glyphs drawn; showing a label whole
/// a few pixels before the line reaches it, or hiding one that would not have shown, cuts
/// nothing.
const CROSS_SLACK: f64 = 3.0;

/// What the live layer does with the labels (and a lost arrow's ✕) at the arrows' cover line
/// `reveal`, so that each is seen whole or not at all: the cover's straight edge cut them,
/// because a label runs from its sender down along its arrow. At the step an arrow is sent its
/// label was cut in two (the handshake's "ACK seq=1" at 40 ms), a drop reason at the step of
/// its loss, and the label of an arrow sent a moment later showed its top before its packet
/// left. Returns (`copies`, `hidden`):
/// - `copies`, indices into `d.written`: things of arrows already sent (their start at or above
///   the line) that reach under the line. The live layer draws them again, clipped to the part
///   under the line, over the cover: the static layer shows the rest, so nothing is drawn twice.
/// - `hidden`, arrow indices: arrows not sent yet with something written above the line. Their
///   texts are hidden until they are sent (a label going left from its sender rises along its
///   arrow, up to a hundred pixels above where the packet leaves).
///
/// A function of the drawing and the line only, like everything else the ladder draws.
pub fn cover_rule(l: &Ladder, d: &Drawn, reveal: f64) -> (Vec<usize>, Vec<usize>) {
    let sent = |seg: usize| l.arrows.get(seg).is_some_and(|a| a.y0 <= reveal);
    let mut copies = Vec::new();
    let mut hidden: Vec<usize> = Vec::new();
    for (k, w) in d.written.iter().enumerate() {
        let (top, bottom) = (w.b.bounds.1, w.b.bounds.3);
        if top >= reveal + CROSS_SLACK {
            continue;
        }
        if !sent(w.seg) {
            if hidden.last() != Some(&w.seg) {
                hidden.push(w.seg);
            }
        } else if bottom > reveal - CROSS_SLACK {
            copies.push(k);
        }
    }
    (copies, hidden)
}

/// How the static layer hides a text of an arrow not sent yet (see [`cover_rule`]'s `hidden`):
/// a presentation attribute on the text itself, which a copy of the layer (an exported frame,
/// export.rs) keeps. A `<style>` in the live layer naming those arrows did this before: its text
/// changed with the playhead, and each change made the browser match styles again over every
/// text of the static layer (tens of thousands of elements with 5,000 segments), every frame.
/// [`LadderView`] sets and removes it on just the arrows whose state changed
/// ([`unsent_changes`]), so a frame costs what changed.
pub const UNSENT: (&str, &str) = ("visibility", "hidden");

/// Writes into the static layer the change from the arrows hidden `before` to those hidden `now`
/// ([`unsent_changes`]), `seg` finding an arrow's `g.seg` there.
pub fn show_unsent(
    before: &[usize],
    now: &[usize],
    seg: impl Fn(usize) -> Option<web_sys::Element>,
) {
    for (i, hide) in unsent_changes(before, now) {
        if let Some(g) = seg(i) {
            hide_unsent(&g, hide);
        }
    }
}

/// Hides (`hide`) or shows again the texts of one arrow, `seg` being its `g.seg` in the static
/// layer ([`UNSENT`]): the texts directly in it, as `arrows_drawn` writes the label, options line
/// and drop reason (not the ✕, drawn with lines, nor the `title` that names the arrow).
fn hide_unsent(seg: &web_sys::Element, hide: bool) {
    let mut child = seg.first_element_child();
    while let Some(t) = child {
        if t.tag_name() == "text" {
            let _ = if hide {
                t.set_attribute(UNSENT.0, UNSENT.1)
            } else {
                t.remove_attribute(UNSENT.0)
            };
        }
        child = t.next_element_sibling();
    }
}

/// The arrows whose texts change from the hidden set `before` to `now` (both in arrow order, as
/// [`cover_rule`] gives them), each with whether it is hidden now.
pub fn unsent_changes(before: &[usize], now: &[usize]) -> Vec<(usize, bool)> {
    let (mut b, mut n) = (before.iter().peekable(), now.iter().peekable());
    let mut out = Vec::new();
    loop {
        match (b.peek(), n.peek()) {
            (Some(x), Some(y)) if x == y => {
                b.next();
                n.next();
            }
            (Some(&&x), Some(&&y)) if x < y => {
                out.push((x, false));
                b.next();
            }
            (_, Some(&&y)) => {
                out.push((y, true));
                n.next();
            }
            (Some(&&x), None) => {
                out.push((x, false));
                b.next();
            }
            (None, None) => return out,
        }
    }
}

/// The live layer's markup for `copies` (see [`cover_rule`]): each written thing in a `g` with
/// its arrow's classes (its colour) and index.
fn copies_markup(d: &Drawn, copies: &[usize]) -> String {
    let mut o = String::new();
    for &k in copies {
        let w = &d.written[k];
        let class = d.classes.get(w.seg).map_or("seg", String::as_str);
        let _ = write!(
            o,
            "<g class=\"{class}\" data-seg=\"{}\">{}</g>",
            w.seg, w.markup
        );
    }
    o
}

/// Where the playhead's time label goes at `y_play`: (x, baseline y, text-anchor). Under the
/// playhead line, just inside the first lane (see [`LadderView`]). Where something shown whole
/// over the cover lies there (the label of an arrow leaving the first lane, at the step it is
/// sent: it runs down along its arrow through that very spot, steeply on a phone), the time
/// moves aside: to the first lane's left, if that is inside the drawing (right of the time axis
/// on a wide one) and clear of the state pills, else down along the lane until it is clear.
/// `shown` are the boxes of [`cover_rule`]'s copies.
fn time_label_at(
    l: &Ladder,
    geo: Geometry,
    y_play: f64,
    text: &str,
    shown: &[LabelBox],
) -> (f64, f64, &'static str) {
    let n = l.lanes.len();
    let x0 = geo.lane_x(0, n);
    let pills: Vec<LabelBox> = pills(l, geo)
        .iter()
        .filter(|p| (p.y - y_play).abs() < 160.0)
        .map(|p| LabelBox::rect(p.x, p.y - 9.0, p.x + p.w, p.y + 9.0))
        .collect();
    let left_edge = if geo.narrow { 2.0 } else { AXIS_W };
    let clear = |x: f64, y: f64, anchor: &str| {
        // Its glyphs and the 2 px halo drawn around them.
        let t = LabelBox::new(text, (x, y), (1.0, 0.0), anchor, 0.0, 11.0).bounds;
        let b = LabelBox::rect(t.0 - 2.0, t.1 - 2.0, t.2 + 2.0, t.3 + 2.0);
        b.bounds.0 >= left_edge && !shown.iter().chain(&pills).any(|o| b.collides(o))
    };
    let base = y_play + PLAYHEAD_T_BASE;
    let candidates = [(x0 + 6.0, base, "start"), (x0 - 6.0, base, "end")]
        .into_iter()
        .chain((1..=60).map(|k| (x0 + 6.0, base + 3.0 * k as f64, "start")));
    for (x, y, anchor) in candidates {
        if clear(x, y, anchor) {
            return (x, y, anchor);
        }
    }
    (x0 + 6.0, base, "start")
}

/// Per arrow: whether some of its shaft shows at the playhead `y_play` (it starts above the
/// cover's line by a pixel or more). The keyboard reaches only those: the focus ring of an arrow
/// sent at this very step (its shaft no length yet, under the cover) could not be seen.
fn sent_by(l: &Ladder, geo: Geometry, y_play: f64) -> Vec<bool> {
    let n = l.lanes.len();
    let reveal = reveal_y(y_play);
    l.arrows
        .iter()
        .map(|a| geo.arrow_points(a, n).1 + 1.0 <= reveal)
        .collect()
}

/// The playhead line across the drawing at `y_play`, from the time axis's right edge, broken
/// where a state pill lies across it (3 px either side): at the step a state changes its pill is
/// centred on the playhead's y, and the line struck through its name (lane 0's CLOSED at the
/// end of every teardown).
fn playhead_path(l: &Ladder, geo: Geometry, y_play: f64) -> String {
    let mut gaps: Vec<(f64, f64)> = pills(l, geo)
        .into_iter()
        .filter(|p| (p.y - y_play).abs() < 9.0 + 1.0)
        .map(|p| (p.x - 3.0, p.x + p.w + 3.0))
        .collect();
    // By start, by insertion: a handful of gaps (the pills on the playhead's line), and the
    // library's sort of them (`sort_by`, driftsort's merge runs and buffer) was ~5 KB of the
    // first load's code (twiggy). Gaps that start together merge whatever their order (`x.max(b)`).
    for i in 1..gaps.len() {
        let mut j = i;
        while j > 0 && gaps[j - 1].0 > gaps[j].0 {
            gaps.swap(j - 1, j);
            j -= 1;
        }
    }
    let (from, to) = (if geo.narrow { 0.0 } else { AXIS_W }, geo.width);
    let mut d = String::new();
    let mut x = from;
    for (a, b) in gaps {
        if a > x {
            let _ = write!(d, "M{} {}H{}", f1(x), f1(y_play), f1(a));
        }
        x = x.max(b);
    }
    if x < to {
        let _ = write!(d, "M{} {}H{}", f1(x), f1(y_play), f1(to));
    }
    d
}

/// The playhead's time label's baseline, under the playhead line: its 11 px glyphs (9 px
/// above the baseline) clear the packets drawn on the line (dots of 4 px radius).
pub const PLAYHEAD_T_BASE: f64 = 14.0;

/// How far below the arrows' reveal line the state pills are revealed.
pub const MARKS_LEAD: f64 = 10.0;

/// Radius of a packet in flight.
const DOT_R: f64 = 5.0;

/// The packets in flight at `t`, as one SVG path per segment kind, each packet a circle on the
/// playhead line. Packets whose centres round to the same half pixel are drawn once: a burst of
/// a thousand datagrams sent together is one dot on screen either way, and this keeps the path
/// (and the frame) small.
pub fn dot_paths(l: &Ladder, geo: &Geometry, t: f64) -> Vec<(SegKind, String)> {
    let n = l.lanes.len();
    let y = l.warp.y(t);
    // Per kind in `SegKind::ALL` order, doubled x positions, sorted and deduplicated below
    // (arrays and Vecs rather than maps: less first-load code, see kinds_present). Kept as u64
    // with the sign bit flipped, which orders like the i64: the layout sorts `u64` times, and
    // one sort of one element type is one copy of the sort code in the first load (~3 KB).
    const FLIP: u64 = 1 << 63;
    let mut at: [Vec<u64>; SegKind::ALL.len()] = Default::default();
    for i in l.in_flight(t) {
        let a = &l.arrows[i];
        let (x0, y0, x1, y1) = geo.arrow_points(a, n);
        let f = if y1 > y0 {
            num::clamp((y - y0) / (y1 - y0), 0.0, 1.0)
        } else {
            1.0
        };
        let x = x0 + (x1 - x0) * f;
        let k = SegKind::ALL.iter().position(|k| *k == a.kind).unwrap_or(0);
        at[k].push(((x * 2.0).round() as i64 as u64) ^ FLIP);
    }
    let yy = f1(y);
    SegKind::ALL
        .into_iter()
        .zip(at)
        .filter(|(_, xs)| !xs.is_empty())
        .map(|(k, mut xs)| {
            xs.sort_unstable();
            xs.dedup();
            let mut d = String::with_capacity(xs.len() * 40);
            for x2 in xs {
                // Two half-circle arcs (radius DOT_R): a whole circle in one subpath.
                let _ = write!(
                    d,
                    "M{} {}a5 5 0 1 0 10 0a5 5 0 1 0 -10 0",
                    f1(((x2 ^ FLIP) as i64) as f64 / 2.0 - DOT_R),
                    yy
                );
            }
            (k, d)
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct LadderProps {
    pub ladder: Shared<Ladder>,
    pub trace: Shared<Trace>,
    pub t: f64,
    pub playing: bool,
    pub numbering: Numbering,
    pub lang: Lang,
    pub selected: Option<usize>,
    pub on_select: Callback<usize>,
    /// Distinguishes the SVG ids when two ladders share a page.
    #[prop_or_else(|| AttrValue::from("lad"))]
    pub uid: AttrValue,
    /// Where the ladder sits, so its width can be known before its first render.
    #[prop_or_default]
    pub placement: Placement,
    /// Whether the view follows the playhead. A ladder that shows a whole run for reading (the
    /// side-by-side comparison, `t` past the end) stays where the reader puts it, from the top.
    #[prop_or(true)]
    pub follow: bool,
}

/// Where a ladder sits in the page. For a scene's player the nest of elements around the ladder
/// is known, so [`crate::dom::probe_width`] can tell the width CSS will give it before it exists,
/// and the very first render draws the diagram. Anywhere else the first render measures, and the
/// diagram follows in a second one.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Placement {
    #[default]
    Unknown,
    /// The ladder of a scene's stage (`Player`).
    Stage,
    /// Column `i` of the two columns of a split stage (TCP vs UDP).
    SplitColumn(u8),
}

impl Placement {
    /// The width the ladder's scroller will have, for a drawing `height` tall. The chain is the
    /// elements around the scroller, outermost first, as `Player` and the pages around it nest
    /// them (app.rs, scenes/page.rs, player.rs; style.css sizes them). The e2e test "the first
    /// render draws each ladder at its final width" checks that it still matches.
    fn probe(self, embed: bool, height: f64) -> Option<f64> {
        use crate::dom::ProbeBox as B;
        let mut chain = if embed {
            vec![
                B::new("div", "shell embed"),
                B::new("main", "page-host"),
                B::new("div", "page scene embedded"),
            ]
        } else {
            vec![
                B::new("div", "shell"),
                B::new("main", "page-host"),
                B::new("div", "page scene"),
                B::new("div", "scene-first"),
            ]
        };
        chain.extend([
            B::new("div", "player"),
            B::new("div", "stage"),
            B::new("div", "stage-left"),
            B::new("div", "stage-main"),
        ]);
        match self {
            Placement::Unknown => return None,
            Placement::Stage => {}
            Placement::SplitColumn(i) => {
                // Both columns: only the first has a border (`:last-child` has none).
                let (before, after) = if i == 0 { (0, 1) } else { (1, 0) };
                chain.push(B::new("div", "split"));
                chain.push(B {
                    before,
                    after,
                    ..B::new("div", "split-col")
                });
            }
        }
        chain.push(B::new("div", "ladder-scroll"));
        crate::dom::probe_width(&chain, height)
    }
}

/// How long (ms) a new drawing stays written near the view only, if no other replaces it,
/// before the rest is written (see [`LadderView`]): a pause of the reader's, not of the machine.
const FILL_AFTER_MS: i32 = 250;

/// A cover that hides everything below `y` in the layers under it. Only its transform changes
/// per frame, which the compositor applies without repainting anything.
fn cover(y: f64, h: f64, clicks: bool) -> String {
    format!(
        "position:absolute;left:0;top:0;width:100%;height:{}px;background:var(--panel);\
         will-change:transform;transform:translateY({}px){}",
        f1(h),
        f1(y),
        if clicks { "" } else { ";pointer-events:none" }
    )
}

#[component]
pub fn LadderView(p: &LadderProps) -> Html {
    let scroller = use_node_ref();
    // The drawing width (the layout's x positions depend on it). In a scene's player it is
    // probed before the first render (`Placement`), which then draws the diagram; elsewhere it
    // is unknown until the scroller exists: the first render draws an empty stack, the effect
    // below measures it, and the layers are drawn in a second render. The effect measures in
    // both cases and redraws only if the width is not what was drawn.
    let embed = crate::app::use_shell().embed;
    let width = {
        let (placement, height) = (p.placement, p.ladder.height.max(200.0));
        use_state(move || placement.probe(embed, height))
    };
    // The scroller's view (scroll top, visible height), kept by its scroll event and measured on
    // mount and whenever the scroller's size changes, and a scroll asked for the next frame
    // (`ViewState`). The effects below read this, never the element: reading its geometry, or
    // writing its scroll top, right after a render forces the browser to lay the page out there
    // and then again for the frame.
    let view = use_mut_ref(ViewState::default);
    // The playhead's y and whether the view follows it, as of the last render: a change of the
    // visible height (below) re-applies the rule with them.
    let y_play = p.ladder.warp.y(p.t);
    let drawing_h = p.ladder.height.max(200.0);
    let latest = use_mut_ref(|| (y_play, p.follow, drawing_h));
    *latest.borrow_mut() = (y_play, p.follow, drawing_h);
    {
        let scroller = scroller.clone();
        let width = width.clone();
        let view = view.clone();
        let latest = latest.clone();
        use_effect_on((), move |_| {
            let measure = {
                let scroller = scroller.clone();
                let view = view.clone();
                move || {
                    if let Some(el) = scroller.cast::<web_sys::Element>() {
                        let w = el.client_width() as f64;
                        let h = el.client_height() as f64;
                        let resized = (h - view.borrow().h).abs() > 0.5;
                        {
                            let mut v = view.borrow_mut();
                            v.h = h;
                            // A scroll asked for and not made yet is where the view is going.
                            if v.pending.is_none() {
                                v.top = el.scroll_top() as f64;
                            }
                        }
                        // The visible area changed under a still playhead: on a scene's first
                        // screen the hosts' panels and the controls, drawn a frame after the
                        // diagram, shorten it, and after a change of language the browser had
                        // clamped the scroll to the taller area, so the playhead and the last
                        // segment ended under its bottom (28 px at 1920×1080, the backlog
                        // scene, zh).
                        let (y, follow, drawing_h) = *latest.borrow();
                        if resized && follow {
                            keep_in_view(&el, &view, y, drawing_h);
                        }
                        match *width {
                            None => width.set(Some(if w > 0.0 { w } else { 720.0 })),
                            Some(old) if w > 0.0 && (w - old).abs() > 1.0 => width.set(Some(w)),
                            _ => {}
                        }
                    }
                }
            };
            measure();
            // The window's size is not the only one that moves the scroller's: the layout around
            // it does too (a scene's first screen gives the diagram the height the hosts' panels
            // and the controls leave, presentation mode's bars, wrapped in another language).
            // The observer calls after the browser's own layout, where reading costs nothing.
            let observed = scroller
                .cast::<web_sys::Element>()
                .and_then(|el| crate::dom::on_resize(&el, measure.clone()));
            let window = web_sys::window().expect("window");
            let on_resize = gloo::events::EventListener::new(&window, "resize", move |_| measure());
            let on_scroll = scroller.cast::<web_sys::Element>().map(|el| {
                let target = el.clone();
                gloo::events::EventListener::new(&target, "scroll", move |_| {
                    let mut v = view.borrow_mut();
                    if v.pending.is_none() {
                        v.top = el.scroll_top() as f64;
                    }
                })
            });
            move || drop((on_resize, on_scroll, observed))
        });
    }
    {
        let scroller = scroller.clone();
        let view = view.clone();
        let follow = p.follow;
        use_effect_on(p.ladder.clone(), move |_| {
            // A ladder read as a whole opens at its first packet, also when it replaces
            // another one in the same element.
            if let (false, Some(el)) = (follow, scroller.cast::<web_sys::Element>()) {
                scroll_next_frame(&el, &view, 0.0);
            }
        });
    }
    let geo = Geometry::new(width.unwrap_or(720.0));
    let measured = width.is_some();
    let l = &*p.ladder;
    let n = l.lanes.len();
    // The arrows as written, once per drawing (not per frame): the static layer's markup, and
    // where each label went, for the live layer's cover rule ([`cover_rule`]).
    let drawn = use_memo(
        (
            p.ladder.clone(),
            p.trace.clone(),
            geo,
            p.numbering,
            p.lang,
            measured,
        ),
        |(ladder, trace, geo, numbering, lang, measured)| {
            measured.then(|| Shared::new(drawn_for(ladder, trace, *geo, *numbering, *lang)))
        },
    );
    let reveal = reveal_y(y_play);
    let reveal_arrows = arrows_reveal_y(y_play);
    let drawn: Option<Shared<Drawn>> = (*drawn).clone();
    // A new drawing is written in two steps: in the frame that brings it, the arrows and time
    // ticks from the top down to two views' heights below the playhead (where the view is, or
    // goes: it follows the playhead, and a ladder read whole opens at its top); the rest when
    // the reader pauses ([`FILL_AFTER_MS`] without another drawing, then the browser's idle
    // time). A knob change's cost follows the elements it adds (parse, style, layout, paint:
    // about 30 µs each of main-thread time), and a long run's drawing is mostly out of view
    // (backlog with 10 clients: 36,580 px through a 198 px scroller). The whole layer is the
    // same markup as one written at once. A drawing replaced before then is never written
    // whole: arrows held down on a slider pay for what is in view only, and the rest does not
    // land in the next change's frame (written at the first idle time, it did: window's loss
    // knob, changes back to back, 94-132 ms instead of 38-86).
    let whole_for = use_state(|| None::<Shared<Drawn>>);
    let limit = {
        let view_h = view.borrow().h.max(600.0);
        let from = if p.follow { y_play.max(0.0) } else { 0.0 };
        // In steps of a view's height, so that playback in the first step rewrites little.
        ((from + 2.0 * view_h) / view_h).ceil() * view_h
    };
    let near: Option<(String, usize)> = match &drawn {
        Some(d) if whole_for.as_ref() != Some(d) => d.near(limit),
        _ => None,
    };
    let whole = near.is_none();
    // How many `g.seg` the static layer has as written now.
    let written = near.as_ref().map(|n| n.1);
    let near: Option<AttrValue> = near.map(|n| AttrValue::from(n.0));
    {
        let whole_for = whole_for.clone();
        let pending = (!whole).then(|| drawn.clone()).flatten();
        use_effect_on(pending, move |pending| {
            let alive = std::rc::Rc::new(std::cell::Cell::new(true));
            if let Some(d) = pending.clone() {
                let still = alive.clone();
                let fill = move || {
                    if still.get() {
                        whole_for.set(Some(d));
                    }
                };
                crate::dom::later(FILL_AFTER_MS, move || crate::dom::when_idle(fill));
            }
            move || alive.set(false)
        });
    }
    let (copies, hidden) = match &drawn {
        Some(d) => cover_rule(l, d, reveal_arrows),
        None => Default::default(),
    };
    {
        // What the static layer shows of the playhead's progress, written into it where it
        // changed: the arrows seen by now are in the Tab order, the others out of it (see
        // `arrows_markup`; the set only grows with the playhead, so its size names it), and the
        // texts of arrows not sent yet are hidden ([`UNSENT`]).
        let sent = sent_by(l, geo, y_play);
        let count = sent.iter().filter(|r| **r).count();
        // Per `g.seg` (a group of arrows drawn as one, [`Group`]): whether its first arrow is.
        let layer = drawn.clone();
        let reached: Vec<bool> = match &drawn {
            Some(d) => d.groups.iter().map(|&i| sent[i]).collect(),
            None => sent,
        };
        let uid = p.uid.clone();
        let was = use_mut_ref(Vec::<bool>::new);
        let was_hidden = use_mut_ref(Vec::<usize>::new);
        let drawn = (p.ladder.clone(), geo.width, measured, p.lang, p.numbering);
        let fresh = use_mut_ref(|| None::<(Shared<Ladder>, f64, bool, Lang, Numbering)>);
        // The static layer's hit lines, one per `g.seg` (a group of arrows, [`Group`]) in order,
        // found once per drawing: a `querySelector` per arrow that changed walked the whole
        // stack each time (some thirty thousand elements with 5,000 segments), most of a
        // playback frame's script.
        let hits = use_mut_ref(|| None::<web_sys::NodeList>);
        // Run again when the rest of a drawing is written: the hit lines are found once the
        // layer has one per `g.seg` written (`written`: the arrows near the view, until then).
        let key = (count, written.unwrap_or(reached.len()));
        use_effect_on((key, hidden, drawn), move |((_, groups), hidden, drawn)| {
            use wasm_bindgen::JsCast;
            use web_sys::Element;
            if fresh.borrow().as_ref() != Some(drawn) {
                *fresh.borrow_mut() = Some(drawn.clone());
                *hits.borrow_mut() = None;
            }
            let mut hits = hits.borrow_mut();
            // Found again when not found yet (the static layer is drawn after the first
            // measure) or no longer in the page.
            let found = |h: &web_sys::NodeList| {
                h.length() as usize == *groups && h.item(0).is_some_and(|n| n.is_connected())
            };
            if !hits.as_ref().is_some_and(found) {
                let stack = crate::dom::document()
                    .and_then(|d| d.get_element_by_id(&format!("{uid}-stack")));
                *hits = stack
                    .as_ref()
                    .and_then(|s| s.query_selector_all("g.segs g.seg > line.hit").ok())
                    .filter(found);
                // A new static layer starts with every arrow out of the order and every text
                // shown. The browser keeps the old one's elements when its markup is the same
                // (a ladder built again alike): what they had of the old playhead goes first.
                was.borrow_mut().clear();
                was_hidden.borrow_mut().clear();
                let sel = format!("g.segs [{}], g.segs [tabindex=\"0\"]", UNSENT.0);
                let stale = stack
                    .filter(|_| hits.is_some())
                    .and_then(|s| s.query_selector_all(&sel).ok());
                if let Some(stale) = stale {
                    for k in 0..stale.length() {
                        if let Some(e) = stale.item(k).and_then(|e| e.dyn_into::<Element>().ok()) {
                            let _ = e.remove_attribute(UNSENT.0);
                            if e.has_attribute("tabindex") {
                                let _ = e.set_attribute("tabindex", "-1");
                            }
                        }
                    }
                }
            }
            let Some(hits) = hits.as_ref() else {
                return;
            };
            let hit = |i: usize| {
                hits.item(i as u32)
                    .and_then(|n| n.dyn_into::<Element>().ok())
            };
            let mut was = was.borrow_mut();
            was.resize(reached.len(), false);
            for (i, (now, before)) in reached.iter().zip(was.iter_mut()).enumerate() {
                if now == before {
                    continue;
                }
                if let Some(hit) = hit(i) {
                    let _ = hit.set_attribute("tabindex", if *now { "0" } else { "-1" });
                    *before = *now;
                }
            }
            let mut was_hidden = was_hidden.borrow_mut();
            // Only a group's first arrow writes texts, so `hidden` names first arrows.
            let group_of = |i: usize| layer.as_ref()?.group_of.get(i).copied();
            show_unsent(&was_hidden, hidden, |i| hit(group_of(i)?)?.parent_element());
            was_hidden.clone_from(hidden);
        });
    }

    // Keep the playhead in view while playing or after a jump, and when the drawing changes
    // under it (a new ladder, another language, the width): at the end of a run the view kept
    // the old drawing's scroll, and the last segment ended under the visible area.
    {
        let scroller = scroller.clone();
        let key = (
            (y_play / 40.0).round() as i64,
            p.playing,
            p.ladder.clone(),
            (geo.width * 10.0).round() as i64,
            p.lang,
        );
        let follow = p.follow;
        use_effect_on(key, move |_| {
            if !follow {
                return;
            }
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                keep_in_view(&el, &view, y_play, drawing_h);
            }
        });
    }

    let states_now = l.states_at(p.t);
    let trace = &*p.trace;
    let headers = (0..n).map(|i| {
        let x = geo.lane_x(i, n);
        let host = l.lanes[i];
        let name = trace
            .hosts
            .iter()
            .find(|h| h.id == host)
            .map(|h| localize_name(&h.name, p.lang))
            .unwrap_or_default();
        // The state of the host's most recently changed socket.
        let st = states_now
            .values()
            .filter(|(lane, _, _)| *lane == i)
            .max_by_key(|(_, _, m)| m.map(|m| m.t))
            .map(|(_, s, _)| *s);
        let pill = st.map(|s| {
            let name = s.rfc_name();
            let w = name.len() as f64 * 7.0 + 12.0;
            html! {
                <g class={classes!("pill", state_group(s))} data-testid={format!("lane-state-{i}")} data-state={name}>
                    <rect x={f1(x - w / 2.0)} y="26" width={f1(w)} height="18" rx="9" />
                    <text x={f1(x)} y="39" text-anchor="middle">{ name }</text>
                </g>
            }
        });
        html! { <>
            <text class="host" x={f1(x)} y="16" text-anchor="middle">{ name }</text>
            { for pill }
        </> }
    });

    let dots = dot_paths(l, &geo, p.t).into_iter().map(|(k, d)| {
        html! { <path class={classes!("dots", format!("k-{}", k.css()))} d={d} /> }
    });
    let sel = p.selected.and_then(|i| l.arrows.get(i)).map(|a| {
        let (x0, y0, x1, y1) = geo.arrow_points(a, n);
        html! { <g class={classes!("seg", "sel", format!("k-{}", a.kind.css()))}>
            <line class="shaft" x1={f1(x0)} y1={f1(y0)} x2={f1(x1)} y2={f1(y1)} />
        </g> }
    });
    let h = l.height.max(200.0);
    let shown_boxes: Vec<LabelBox> = drawn
        .iter()
        .flat_map(|d| copies.iter().map(|&k| d.written[k].b))
        .collect();
    let copied = drawn
        .as_ref()
        .map(|d| copies_markup(d, &copies))
        .unwrap_or_default();
    let stack_id = format!("{}-stack", p.uid);
    let time_text = fmt_ms(p.t as u64);
    let (time_x, time_y, time_anchor) = time_label_at(l, geo, y_play, &time_text, &shown_boxes);
    let layer = LayerProps {
        ladder: p.ladder.clone(),
        geo,
        lang: p.lang,
        limit: (!whole).then_some(limit),
    };

    html! {
        // Out of the Tab order: Chromium makes a scrolling box a tab stop when nothing in it
        // is one (before the first arrow shows), and the view follows the playhead anyway.
        <div class="ladder-scroll" ref={scroller} data-testid="ladder-scroll" tabindex="-1">
            // `lad` scopes SVG_CSS over every layer; the data attributes let export.rs put the
            // layers back together as one SVG, cut where the screen cuts them.
            <div class="lad lad-stack" id={stack_id.clone()}
                 style={format!("position:relative;overflow:hidden;width:{}px;height:{}px;background:var(--panel)", f1(geo.width), f1(h))}
                 data-reveal={f1(reveal_arrows)} data-reveal-marks={f1(reveal + MARKS_LEAD)} data-t={num::fixed(p.t, 0)}
                 // While only the arrows near the view are written (tests wait for the whole).
                 data-near={(!whole).then_some("1")}>
                if let Some(d) = drawn {
                    <LadderStatic ladder={p.ladder.clone()} geo={geo} drawn={d.clone()}
                        near={near.clone()} on_select={p.on_select.clone()} />
                    // Takes the clicks on arrows it hides, as the clip did.
                    <div class="lad-cover" style={cover(reveal_arrows, h, true)} />
                    <LadderMarks ..LayerProps { limit: None, ..layer.clone() } />
                    <div class="lad-cover" style={cover(reveal + MARKS_LEAD, h, false)} />
                    <LadderAxis ..layer />
                }
                <svg class="lad-live" xmlns="http://www.w3.org/2000/svg" width={f1(geo.width)} height={f1(h)}
                     viewBox={view_box(geo.width, h)} style="position:absolute;left:0;top:0;pointer-events:none">
                    // Written only when there is something to show, so that the first frame
                    // (prerendered in index.html) is the markup it was.
                    if !copied.is_empty() {
                        <defs>
                            <clipPath id={format!("{}-under", p.uid)}>
                                <rect x="0" y={f1(reveal_arrows)} width={f1(geo.width)} height={f1(h)} />
                            </clipPath>
                        </defs>
                        // What reaches under the cover's line of the labels shown whole (see
                        // `cover_rule`): only their part under the line, the static layer shows
                        // the rest.
                        <g class="shown" clip-path={format!("url(#{}-under)", p.uid)}>
                            { Html::from_html_unchecked(AttrValue::from(copied)) }
                        </g>
                    }
                    { for headers }
                    { for sel }
                    // From the time axis's right edge: across the axis it struck the time
                    // of the moment it stood at through.
                    <path class="playhead" d={playhead_path(&p.ladder, geo, y_play)} data-testid="playhead" />
                    // Just inside the first lane, where neither the state pills (outside the
                    // lanes) nor the time axis (the left margin) are: at the right edge it was
                    // printed over the last lane's pill. Under the line, where the covers hide
                    // every arrow: above it, it lay where the arrows of that very moment end at
                    // the first lane and where the labels of those leaving it start (the backlog
                    // scene's last RST ran through it, the handshake's ACK label crossed it).
                    // A halo keeps it legible over the packets on the line.
                    // Where a label shown whole over the cover lies there, it moves aside
                    // (`time_label_at`).
                    <text class="playhead-t" x={f1(time_x)} y={f1(time_y)} text-anchor={time_anchor}
                        data-testid="playhead-time">{ time_text }</text>
                    { for dots }
                </svg>
            </div>
        </div>
    }
}

/// The ladder scroller's view as the effects know it: its scroll top and visible height, and a
/// scroll top asked for that the next animation frame makes.
#[derive(Default)]
struct ViewState {
    top: f64,
    h: f64,
    pending: Option<f64>,
}

/// Where the view over a drawing `drawing_h` px tall, now from `top` and `h` px high, scrolls
/// so that the playhead at `y` is in it: nowhere while the playhead is inside it (clear of its
/// bottom by 30 px, where the arrow ending there would be cut, and of its top by 10), else the
/// scroll top that puts it 40 % down, as far as the drawing goes.
pub fn view_top_for(top: f64, h: f64, y: f64, drawing_h: f64) -> Option<f64> {
    if y > top + h - 30.0 || y < top + 10.0 {
        Some(num::clamp(y - h * 0.4, 0.0, (drawing_h - h).max(0.0)).round())
    } else {
        None
    }
}

/// The view's state, shared by the component's effects and the frame it asks for.
type SharedView = std::rc::Rc<std::cell::RefCell<ViewState>>;

/// Keeps the playhead at `y` in view ([`view_top_for`]), from what `view` knows.
fn keep_in_view(el: &web_sys::Element, view: &SharedView, y: f64, drawing_h: f64) {
    let (top, h) = {
        let v = view.borrow();
        (v.pending.unwrap_or(v.top), v.h)
    };
    if let Some(to) = view_top_for(top, h, y, drawing_h) {
        if to != top {
            scroll_next_frame(el, view, to);
        }
    }
}

/// Scrolls `el` to `top` at the start of the next frame, after what the effects of this one
/// wrote into the page: the layout that writing the scroll top needs is then the frame's own,
/// done once (in an effect it was a layout of its own, before the frame's, and the scroll top
/// read back after it another). One frame is asked for however many scrolls are asked
/// meanwhile; it makes the last.
fn scroll_next_frame(el: &web_sys::Element, view: &SharedView, top: f64) {
    use wasm_bindgen::JsCast;
    if view.borrow_mut().pending.replace(top).is_some() {
        return;
    }
    let (scroller, state) = (el.clone(), view.clone());
    let frame = wasm_bindgen::closure::Closure::once_into_js(move || {
        let mut v = state.borrow_mut();
        if let Some(top) = v.pending.take() {
            scroller.set_scroll_top(top as i32);
            // Where the browser puts it (within the drawing: `view_top_for` clamps), without
            // reading it back.
            v.top = top;
        }
    });
    let asked = web_sys::window().map(|w| w.request_animation_frame(frame.unchecked_ref()));
    if !matches!(asked, Some(Ok(_))) {
        // No frame to wait for: now, rather than never (the next scroll would wait on this one).
        if let Some(top) = view.borrow_mut().pending.take() {
            el.set_scroll_top(top as i32);
        }
    }
}

/// The kinds of segment on the ladder, in legend order. (A scan per kind, not a map: every map
/// type is code of its own in the first-load wasm.)
pub fn kinds_present(l: &Ladder) -> Vec<super::labels::SegKind> {
    super::labels::SegKind::ALL
        .into_iter()
        .filter(|k| l.arrows.iter().any(|a| a.kind == *k))
        .collect()
}

#[cfg(test)]
mod label_box_tests {
    use super::LabelBox;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The separating-axis test as it was written before the axes were kept with the box: all
    /// four edges of both quadrilaterals, each normal normalised at the test. Returns whether
    /// they overlap and how close the decision came to the half-pixel slack.
    fn overlap_by_eight_edges(a: &LabelBox, b: &LabelBox) -> (bool, f64) {
        let mut closest = f64::MAX;
        for quad in [&a.pts, &b.pts] {
            for i in 0..4 {
                let (p, q) = (quad[i], quad[(i + 1) % 4]);
                let (ax, ay) = (p.1 - q.1, q.0 - p.0);
                let n = (ax * ax + ay * ay).sqrt().max(1e-9);
                let span = |pts: &[(f64, f64); 4]| {
                    pts.iter()
                        .map(|v| (v.0 * ax + v.1 * ay) / n)
                        .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)))
                };
                let ((a0, a1), (b0, b1)) = (span(&a.pts), span(&b.pts));
                closest = closest
                    .min((a1 - 0.5 - b0).abs())
                    .min((b1 - 0.5 - a0).abs());
                if a1 - 0.5 <= b0 || b1 - 0.5 <= a0 {
                    return (false, closest);
                }
            }
        }
        (true, closest)
    }

    #[test]
    fn two_axes_a_rectangle_decide_as_its_four_edges_did_for_labels_pills_and_shafts() {
        let mut rng = synack_model::rng::Rng::new(40);
        let mut unit = || rng.below(1_000_001) as f64 / 1_000_000.0;
        let (mut overlaps, mut apart) = (0, 0);
        for _ in 0..20_000 {
            // Near each other (so that most pairs get past the upright bounds), turned any way,
            // as labels along arrows are; an upright pill or an arrow's shaft now and then.
            let pick = |unit: &mut dyn FnMut() -> f64| -> LabelBox {
                let at = (100.0 + 60.0 * unit(), 100.0 + 60.0 * unit());
                match (unit() * 3.0) as u32 {
                    0 => LabelBox::rect(at.0, at.1, at.0 + 5.0 + 80.0 * unit(), at.1 + 18.0),
                    1 => {
                        let to = (at.0 + 200.0 * unit() - 100.0, at.1 + 200.0 * unit());
                        LabelBox::along(at, to, 1.5)
                    }
                    _ => {
                        let ang = (unit() * 2.0 - 1.0) * std::f64::consts::PI;
                        let len = 5.0 + 150.0 * unit();
                        let anchor = ["start", "middle", "end"][(unit() * 2.999) as usize];
                        LabelBox::of_len(len, at, (ang.cos(), ang.sin()), anchor, -6.0, 12.0)
                    }
                }
            };
            let (a, b) = (pick(&mut unit), pick(&mut unit));
            let (want, closest) = overlap_by_eight_edges(&a, &b);
            if closest < 1e-6 {
                // A decision on the slack's very edge, where rounding may go either way.
                continue;
            }
            assert_eq!(a.collides(&b), want, "{:?} {:?}", a.pts, b.pts);
            assert_eq!(b.collides(&a), want, "{:?} {:?}", b.pts, a.pts);
            if want {
                overlaps += 1;
            } else {
                apart += 1;
            }
        }
        // Both answers were put to the test, many times.
        assert!(overlaps > 2_000 && apart > 2_000, "{overlaps} {apart}");
    }
}
