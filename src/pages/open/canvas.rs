//! The ladder of a very large conversation, drawn on a `<canvas>` with zoom and pan on the time
//! axis. An SVG element per segment stops being usable after a few thousand segments; here a
//! frame costs one pass over the *visible* packets, and when there are more of them than pixel
//! rows they are binned per pixel row and direction (the most telling kind of each bin wins), so
//! a frame of a 100,000-packet conversation stays well under the 16 ms of a display refresh.
//!
//! Data: the worker's compact rows (`Session::wire`): `[t_us, from_b, tcp_flags, payload_len,
//! marks, rel_seq]`. The maths (window, zoom, pan, visible range, bins) are pure and tested.

use std::ops::Range;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use synack_model::read::SegKind;
use synack_model::trace::TcpFlags;

use super::format;
use crate::engine::{tokens, Shared};
use crate::hooks::use_effect_on;
use crate::i18n::{Lang, T};
use crate::num::math;

/// Conversations with more packets than this use the canvas ladder.
pub const LARGE: u64 = 3_000;
/// Smallest time span a zoom can reach, µs.
pub const MIN_SPAN_US: f64 = 50.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 12.0;

/// Which expert marks (`synack_capture::mark`, the worker's `marks`) the canvas draws red.
pub mod mark {
    use synack_capture::mark::*;
    /// The marks drawn red.
    pub const TROUBLE: u16 = RETRANSMISSION
        | FAST_RETRANSMISSION
        | SPURIOUS_RETRANSMISSION
        | OUT_OF_ORDER
        | DUPLICATE_ACK
        | ZERO_WINDOW
        | KEEP_ALIVE
        | RST;
}

/// One packet of the compact form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pkt {
    pub t: u64,
    pub from_b: bool,
    pub flags: u16,
    pub len: u32,
    pub marks: u16,
    pub rel_seq: u32,
}

impl Pkt {
    pub fn from_row(r: &[u64; synack_capture::protocol::WIRE_FIELDS]) -> Pkt {
        Pkt {
            t: r[0],
            from_b: r[1] != 0,
            flags: r[2] as u16,
            len: r[3] as u32,
            marks: r[4] as u16,
            rel_seq: r[5] as u32,
        }
    }

    /// Drawing priority inside a bin and colour index: higher is more telling.
    pub fn rank(&self) -> u8 {
        let kind = SegKind::of_tcp(TcpFlags::from_bits(self.flags), self.len);
        if kind == SegKind::Rst {
            6
        } else if self.marks & mark::TROUBLE != 0 {
            5 // an expert mark
        } else {
            match kind {
                SegKind::Syn | SegKind::SynAck => 4,
                SegKind::Fin => 3,
                SegKind::Data => 2,
                _ => 1, // pure ACK
            }
        }
    }
}

/// The visible time window, µs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub t0: f64,
    pub t1: f64,
}

impl Window {
    /// The whole conversation, with a little room at the end.
    pub fn fit(end_us: u64) -> Window {
        Window {
            t0: 0.0,
            t1: (end_us as f64 * 1.02).max(MIN_SPAN_US),
        }
    }
    pub fn span(&self) -> f64 {
        self.t1 - self.t0
    }

    /// Keeps the window inside `[0, full.t1]` and at least [`MIN_SPAN_US`] long.
    fn clamp(self, full: Window) -> Window {
        let span = self.span().clamp(MIN_SPAN_US, full.span());
        let t0 = self.t0.clamp(full.t0, full.t1 - span);
        Window { t0, t1: t0 + span }
    }

    /// Zooms by `factor` (< 1 zooms in) keeping the time under `anchor` (0 = top, 1 = bottom
    /// of the plot) where it is.
    pub fn zoom(self, anchor: f64, factor: f64, full: Window) -> Window {
        let anchor = anchor.clamp(0.0, 1.0);
        let at = self.t0 + anchor * self.span();
        let span = (self.span() * factor).clamp(MIN_SPAN_US, full.span());
        Window {
            t0: at - anchor * span,
            t1: at - anchor * span + span,
        }
        .clamp(full)
    }

    /// Moves the window by `frac` of its span (positive: later).
    pub fn pan(self, frac: f64, full: Window) -> Window {
        let d = frac * self.span();
        Window {
            t0: self.t0 + d,
            t1: self.t1 + d,
        }
        .clamp(full)
    }

    /// y of time `t` in a plot of height `h` (px, top margin included).
    pub fn y(&self, t: f64, h: f64) -> f64 {
        TOP + (t - self.t0) / self.span() * (h - TOP - BOTTOM)
    }

    /// Fraction of the plot (0..1) at pixel `y`.
    pub fn frac_at(y: f64, h: f64) -> f64 {
        ((y - TOP) / (h - TOP - BOTTOM)).clamp(0.0, 1.0)
    }
}

/// Indices of the packets (sorted by `t`) sent inside `w`, widened by `slack` µs before it so
/// arrows that started above the window and end inside it are drawn too.
pub fn visible(pkts: &[Pkt], w: Window, slack: f64) -> Range<usize> {
    let lo = pkts.partition_point(|p| (p.t as f64) < w.t0 - slack);
    let hi = pkts.partition_point(|p| (p.t as f64) <= w.t1);
    lo..hi.max(lo)
}

/// What one frame draws: each packet on its own, or bins of (pixel row, direction) holding the
/// highest rank seen and the number of packets.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    Each(Range<usize>),
    Bins {
        /// `[row * 2 + dir] = (rank, count)`; rank 0 = empty.
        bins: Vec<(u8, u32)>,
        rows: usize,
    },
}

/// Chooses per-packet drawing while there are fewer packets than `rows / 2` pixel rows would
/// keep apart, else bins them.
pub fn frame(pkts: &[Pkt], w: Window, h: f64, slack: f64) -> Frame {
    let r = visible(pkts, w, slack);
    let rows = (h.max(1.0)) as usize;
    if r.len() <= rows / 2 {
        return Frame::Each(r);
    }
    let mut bins = vec![(0u8, 0u32); rows * 2];
    for p in &pkts[r] {
        let y = w.y(p.t as f64, h);
        if !(0.0..h).contains(&y) {
            continue;
        }
        let b = (y as usize).min(rows - 1) * 2 + usize::from(p.from_b);
        let rank = p.rank();
        let e = &mut bins[b];
        e.0 = e.0.max(rank);
        e.1 += 1;
    }
    Frame::Bins { bins, rows }
}

/// One-way delay for the arrows' slope: half the time from the first SYN to the first SYN-ACK
/// as the capture point saw them (0 without a handshake).
pub fn slope_us(pkts: &[Pkt]) -> f64 {
    let syn = pkts.iter().find(|p| p.flags & 0x12 == 0x02).map(|p| p.t);
    let synack = pkts.iter().find(|p| p.flags & 0x12 == 0x12).map(|p| p.t);
    match (syn, synack) {
        (Some(a), Some(b)) if b >= a => (b - a) as f64 / 2.0,
        _ => 0.0,
    }
}

/// The canvas's colours: the page's tokens (static/style.css), read each time a frame is drawn
/// so the canvas follows the theme like the rest of the page.
pub struct Palette {
    panel: String,
    ink: String,
    /// Lanes and time ticks, as the SVG ladder draws them.
    axis: String,
    /// Arrows, by [`Pkt::rank`] (0: an empty bin, never drawn).
    ranks: [String; 7],
}

impl Palette {
    pub fn current() -> Palette {
        let [panel, ink, axis, ack, data, fin, syn, lost, rst] = tokens::current([
            "--panel", "--ink", "--ink-3", "--ack", "--data", "--fin", "--syn", "--lost", "--rst",
        ]);
        Palette {
            // An expert mark in the colour of loss, as the SVG ladder marks it.
            ranks: [axis.clone(), ack, data, fin, syn, lost, rst],
            panel,
            ink,
            axis,
        }
    }
}

/// The expert marks of `m` in words (Wireshark's names in English).
pub fn mark_text(m: u16, lang: Lang) -> String {
    format::mark_words(m, lang, " · ")
}

/// What a frame is drawn with besides the packets: the two hosts' names, the language of the
/// expert marks, the colours.
pub struct Look<'a> {
    pub names: (&'a str, &'a str),
    pub lang: Lang,
    pub colours: Palette,
}

/// Draws one frame; returns how many packets it drew (each or binned).
pub fn draw(
    ctx: &CanvasRenderingContext2d,
    pkts: &[Pkt],
    w: Window,
    (width, h): (f64, f64),
    slope: f64,
    look: &Look,
) -> usize {
    let Look {
        names,
        lang,
        colours,
    } = look;
    ctx.set_fill_style_str(&colours.panel);
    ctx.fill_rect(0.0, 0.0, width, h);
    let xa = (width * 0.2).max(70.0);
    let xb = (width * 0.8).min(width - 70.0);
    ctx.set_font("bold 13px system-ui, 'Noto Sans CJK SC', sans-serif");
    ctx.set_text_align("center");
    ctx.set_fill_style_str(&colours.ink);
    let _ = ctx.fill_text(names.0, xa, 16.0);
    let _ = ctx.fill_text(names.1, xb, 16.0);
    ctx.set_line_width(2.0);
    ctx.set_stroke_style_str(&colours.axis);
    for x in [xa, xb] {
        ctx.begin_path();
        ctx.move_to(x, TOP - 10.0);
        ctx.line_to(x, h - 4.0);
        ctx.stroke();
    }
    // Time ticks: about one per 60 px, on round values.
    ctx.set_font("11px ui-monospace, monospace");
    ctx.set_text_align("left");
    ctx.set_fill_style_str(&colours.axis);
    let step = nice_step(w.span() * 60.0 / (h - TOP - BOTTOM).max(1.0));
    let mut t = (w.t0 / step).ceil() * step;
    while t <= w.t1 {
        let _ = ctx.fill_text(&fmt_t(t, step), 4.0, w.y(t, h) + 4.0);
        t += step;
    }
    let slack = slope * 2.0;
    match frame(pkts, w, h, slack) {
        Frame::Each(r) => {
            let n = r.len();
            let labels = n as f64 <= (h - TOP) / 16.0;
            ctx.set_font("12px ui-monospace, monospace");
            for p in &pkts[r] {
                let (x0, x1) = if p.from_b { (xb, xa) } else { (xa, xb) };
                let y0 = w.y(p.t as f64, h);
                let y1 = w.y(p.t as f64 + slope, h).max(y0 + 1.5);
                let c = &colours.ranks[p.rank() as usize];
                ctx.set_stroke_style_str(c);
                ctx.set_fill_style_str(c);
                ctx.begin_path();
                ctx.move_to(x0, y0);
                ctx.line_to(x1, y1);
                ctx.stroke();
                let dir = if x1 > x0 { 1.0 } else { -1.0 };
                ctx.begin_path();
                ctx.move_to(x1, y1);
                ctx.line_to(x1 - dir * 8.0, y1 - 4.0);
                ctx.line_to(x1 - dir * 8.0, y1 + 4.0);
                ctx.fill();
                if labels {
                    let mut text = format!(
                        "[{}] seq={} len={}",
                        TcpFlags::from_bits(p.flags),
                        p.rel_seq,
                        p.len
                    );
                    let m = mark_text(p.marks, *lang);
                    ctx.set_text_align(if dir > 0.0 { "left" } else { "right" });
                    let lx = x0 + dir * 10.0;
                    ctx.set_fill_style_str(&colours.ink);
                    let _ = ctx.fill_text(&text, lx, y0 - 4.0);
                    if !m.is_empty() {
                        text = m;
                        ctx.set_fill_style_str(&colours.ranks[5]);
                        ctx.set_text_align(if dir > 0.0 { "right" } else { "left" });
                        let _ = ctx.fill_text(&text, x1 - dir * 12.0, y1 + 14.0);
                    }
                }
            }
            n
        }
        Frame::Bins { bins, rows } => {
            let mut n = 0;
            for row in 0..rows {
                for dir in 0..2 {
                    let (rank, count) = bins[row * 2 + dir];
                    if rank == 0 {
                        continue;
                    }
                    n += count as usize;
                    let (x0, x1) = if dir == 1 { (xb, xa) } else { (xa, xb) };
                    let y = row as f64 + 0.5;
                    ctx.set_stroke_style_str(&colours.ranks[rank as usize]);
                    ctx.set_line_width(if rank >= 5 { 2.0 } else { 1.0 });
                    ctx.begin_path();
                    ctx.move_to(x0, y);
                    ctx.line_to(x1, y + 1.0);
                    ctx.stroke();
                }
            }
            n
        }
    }
}

/// A round step (1, 2, 5 × 10^n µs) at least `raw` long.
pub fn nice_step(raw: f64) -> f64 {
    let raw = raw.max(1.0);
    let p = math::pow(10.0, math::log10(raw).floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

fn fmt_t(t: f64, step: f64) -> String {
    if step >= 1_000_000.0 {
        format!("{:.0} s", t / 1e6)
    } else if step >= 1_000.0 {
        format!("{:.0} ms", t / 1e3)
    } else {
        format!("{:.3} ms", t / 1e3)
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Sorted by time.
    pub pkts: Shared<Vec<Pkt>>,
    pub names: (AttrValue, AttrValue),
    pub lang: Lang,
}

/// The canvas ladder with zoom (wheel, buttons) and pan (drag, buttons).
#[component]
pub fn CanvasLadder(p: &Props) -> Html {
    let lang = p.lang;
    let canvas = use_node_ref();
    let full = Window::fit(p.pkts.last().map(|x| x.t).unwrap_or(0));
    let win = use_state(|| full);
    let drag = use_mut_ref(|| None::<(f64, Window)>);
    let slope = slope_us(&p.pkts);

    // Redraw whenever the window, the data or the theme changes; the frame time lands in a data
    // attribute for the e2e test's report.
    let theme = crate::app::use_shell().theme;
    {
        let canvas = canvas.clone();
        let pkts = p.pkts.clone();
        let names = p.names.clone();
        use_effect_on(
            (*win, pkts.len(), lang, theme),
            move |(w, _, lang, theme)| {
                // Children's effects run before the shell's, which sets the theme attribute the
                // tokens are read under: set it first, or a theme switch draws the old colours.
                crate::dom::set_root_attr("data-theme", theme.code());
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    let width = el.client_width().max(200) as f64;
                    let h = el.client_height().max(200) as f64;
                    if el.width() != width as u32 || el.height() != h as u32 {
                        el.set_width(width as u32);
                        el.set_height(h as u32);
                    }
                    if let Some(ctx) = el
                        .get_context("2d")
                        .ok()
                        .flatten()
                        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
                    {
                        let perf = web_sys::window().and_then(|w| w.performance());
                        let start = perf.as_ref().map(|p| p.now()).unwrap_or(0.0);
                        let n = draw(
                            &ctx,
                            &pkts,
                            *w,
                            (width, h),
                            slope,
                            &Look {
                                names: (&names.0, &names.1),
                                lang: *lang,
                                colours: Palette::current(),
                            },
                        );
                        let ms = perf.map(|p| p.now()).unwrap_or(0.0) - start;
                        let _ = el.set_attribute("data-drawn", &n.to_string());
                        let _ = el.set_attribute("data-frame-ms", &format!("{ms:.2}"));
                        let _ = el.set_attribute("data-span-us", &format!("{:.0}", w.span()));
                        super::perf::rendered(&["wire"]);
                    }
                }
            },
        );
    }

    let zoom_by = |factor: f64| {
        let win = win.clone();
        Callback::from(move |_: MouseEvent| win.set(win.zoom(0.5, factor, full)))
    };
    let pan_by = |frac: f64| {
        let win = win.clone();
        Callback::from(move |_: MouseEvent| win.set(win.pan(frac, full)))
    };
    let onwheel = {
        let win = win.clone();
        Callback::from(move |e: WheelEvent| {
            e.prevent_default();
            let Some(el) = crate::dom::target_element(&e) else {
                return;
            };
            let h = el.client_height() as f64;
            let a = Window::frac_at(e.offset_y() as f64, h);
            let f = if e.delta_y() < 0.0 { 0.8 } else { 1.25 };
            win.set(win.zoom(a, f, full));
        })
    };
    let onmousedown = {
        let drag = drag.clone();
        let win = win.clone();
        Callback::from(move |e: MouseEvent| *drag.borrow_mut() = Some((e.client_y() as f64, *win)))
    };
    let onmousemove = {
        let drag = drag.clone();
        let win = win.clone();
        Callback::from(move |e: MouseEvent| {
            let Some((y0, w0)) = *drag.borrow() else {
                return;
            };
            let Some(el) = crate::dom::target_element(&e) else {
                return;
            };
            let h = (el.client_height() as f64 - TOP - BOTTOM).max(1.0);
            let frac = (y0 - e.client_y() as f64) / h;
            win.set(w0.pan(frac, full));
        })
    };
    let onmouseup = {
        let drag = drag.clone();
        Callback::from(move |_: MouseEvent| *drag.borrow_mut() = None)
    };
    let fit = {
        let win = win.clone();
        Callback::from(move |_: MouseEvent| win.set(full))
    };
    html! {
        <div class="canvas-ladder" data-testid="canvas-ladder">
            <div class="controls">
                <span class="muted">{ T::new("大会话用画布绘制：滚轮缩放，拖动平移。", "Large conversation, drawn on a canvas: wheel to zoom, drag to pan.").get(lang) }</span>
                <button class="case" data-testid="zoom-in" onclick={zoom_by(0.5)} aria-label="zoom in">{"＋"}</button>
                <button class="case" data-testid="zoom-out" onclick={zoom_by(2.0)} aria-label="zoom out">{"－"}</button>
                <button class="case" onclick={pan_by(-0.5)} aria-label="earlier">{"↑"}</button>
                <button class="case" onclick={pan_by(0.5)} aria-label="later">{"↓"}</button>
                <button class="case" data-testid="zoom-fit" onclick={fit}>{ T::new("全部", "Fit").get(lang) }</button>
                <span class="mono muted" data-testid="canvas-span">{ format!("{} µs", win.span().round()) }</span>
            </div>
            <canvas ref={canvas} data-testid="ladder-canvas" {onwheel} {onmousedown} {onmousemove}
                onmouseup={onmouseup.clone()} onmouseleave={onmouseup} />
        </div>
    }
}
