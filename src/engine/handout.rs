//! Handouts: the whole scene on one sheet, for "Export SVG/PNG" and "Print / PDF".
//!
//! A handout is not the frame at the playhead: it shows every segment of the trace (the
//! ladder's layers stacked without the covers that hide the future, and without the live layer
//! of packets in flight), under the scene's title, case and parameters and a legend, and the
//! step explanations as numbered footnotes, each number drawn beside the first arrow it
//! explains. The footnotes are the teaching paragraphs (`engine::teach`), or the narration's
//! sentences for a moment no paragraph explains. TCP vs UDP puts both ladders side by side.
//!
//! Full build only (`engine::export` keeps the first load's plain export of the frame): the
//! footnotes need the paragraphs, which only the full build has.

use std::fmt::Write;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::{hook, AttrValue};

use synack_model::trace::{EventKind, Micros, SegmentId, Trace};

use super::export::{escape, inner_of, view_box_size};
use super::labels::{Isns, SegKind, SegKindText};
use super::ladder::{fmt_ms, kinds_present, UNSENT};
use super::layout::Ladder;
use super::narration::{narrated, sentence};
use super::teach::{explained, Teach};
use super::tokens::{self, TOKENS};
use super::Shared;
use crate::dom::document;
use crate::hooks::use_effect_on;
use crate::i18n::{Api, Lang, T};
use crate::num;

pub use super::export::HandoutInfo as Info;

/// Everything a handout is drawn from, provided by the player to its export buttons.
#[derive(Clone, PartialEq)]
pub struct Source {
    pub trace: Shared<Trace>,
    /// The ladders drawn, in the page's order (TCP then UDP in a split view).
    pub ladders: Vec<Shared<Ladder>>,
    pub teach: Option<Teach>,
    pub info: Option<Info>,
    pub lang: Lang,
    pub api: Api,
}

/// One footnote: its number, the moment it explains, its words, and the `SegmentSent` event of
/// the arrow that carries its number (`None`: a moment without a segment, a timer expiring),
/// at the arrow's tail (sent at this moment) or its head (lost or arriving now).
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub n: usize,
    pub t: Micros,
    pub text: String,
    pub sent_event: Option<usize>,
    pub at_head: bool,
}

/// At most this many footnotes: a sheet, not a book. The rest are counted in a last line.
const MAX_NOTES: usize = 60;

/// The footnotes of a trace, in time order: one per distinct explanation, numbered where it
/// first applies. A paragraph that comes back later (every ACK of a bulk transfer) is not
/// repeated.
pub fn notes(trace: &Trace, teach: Option<&Teach>, lang: Lang, api: Api) -> (Vec<Note>, usize) {
    let isns = Isns::of_trace(trace);
    let ev = &trace.events;
    let sent_event = |id: SegmentId| {
        ev.iter()
            .position(|e| matches!(&e.kind, EventKind::SegmentSent { id: s, .. } if *s == id))
    };
    let mut out: Vec<Note> = Vec::new();
    let mut more = 0;
    let mut first = 0;
    while first < ev.len() {
        let t = ev[first].t;
        let end = first + ev[first..].partition_point(|e| e.t == t);
        let moment = first..end;
        first = end;
        let why = teach.and_then(|k| explained(k, trace, moment.clone()));
        let text = match why {
            Some((p, _)) => p.get(lang).to_string(),
            // No paragraph: the narration of the moment's segments, losses and state changes.
            None => {
                let key = moment
                    .clone()
                    .filter(|&i| super::teach::is_key_step(&ev[i].kind) && narrated(&ev[i].kind));
                let words: Vec<String> = key
                    .filter_map(|i| sentence(trace, &isns, i, lang, api))
                    .take(3)
                    .collect();
                if words.is_empty() {
                    continue;
                }
                words.join(" ")
            }
        };
        if out.iter().any(|n| n.text == text) {
            continue;
        }
        if out.len() == MAX_NOTES {
            more += 1;
            continue;
        }
        // The arrow: the one of the step the paragraph explains, else one sent at this moment,
        // else the one lost or arriving now.
        let tail = why
            .map(|(_, i)| i)
            .filter(|&i| matches!(ev[i].kind, EventKind::SegmentSent { .. }))
            .or_else(|| {
                let lost = why.and_then(|(_, i)| match &ev[i].kind {
                    EventKind::SegmentDropped { .. } => Some(()),
                    _ => None,
                });
                lost.is_none()
                    .then(|| {
                        moment
                            .clone()
                            .find(|&i| matches!(ev[i].kind, EventKind::SegmentSent { .. }))
                    })
                    .flatten()
            });
        let head = || {
            let first = why.map(|(_, i)| i).into_iter();
            first.chain(moment.clone()).find_map(|i| match &ev[i].kind {
                EventKind::SegmentDropped { id, .. } | EventKind::SegmentArrived { id } => {
                    sent_event(*id)
                }
                _ => None,
            })
        };
        out.push(Note {
            n: out.len() + 1,
            t,
            text,
            sent_event: tail.or_else(head),
            at_head: tail.is_none(),
        });
    }
    (out, more)
}

/// The parts of a handout both outputs share: the ladders with their numbers and the legend,
/// as one SVG, and the footnotes.
struct Sheet {
    /// Ladders, numbers, legend: (svg body, width, height).
    diagram: (String, f64, f64),
    notes: Vec<Note>,
    more: usize,
}

const PAD: f64 = 16.0;
const LEGEND_H: f64 = 30.0;
const COL_TITLE: f64 = 28.0;
const GAP: f64 = 24.0;

/// `what` (a selector) inside this app's diagram: where the first-load build handed the page
/// over, its hidden `#app` still holds the ladders it drew (`pages::load_full`), and a handout
/// drew them twice.
fn in_diagram(what: &str) -> String {
    let root = crate::dom::root_id();
    if root.is_empty() {
        format!("[data-export] {what}")
    } else {
        format!("#{root} [data-export] {what}")
    }
}

fn sheet(src: &Source) -> Option<Sheet> {
    let doc = document()?;
    let stacks = doc.query_selector_all(&in_diagram(".lad-stack")).ok()?;
    if stacks.length() == 0 {
        return None;
    }
    let (notes, more) = notes(&src.trace, src.teach.as_ref(), src.lang, src.api);
    let titles = doc.query_selector_all(&in_diagram(".split-title")).ok();
    let mut body = String::new();
    let (mut x, mut h) = (0.0, 0.0f64);
    let top = LEGEND_H + if stacks.length() > 1 { COL_TITLE } else { 0.0 };
    for k in 0..stacks.length() {
        let Some(stack) = stacks
            .item(k)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let (svg, w, lh) = whole_ladder(&stack)?;
        if stacks.length() > 1 {
            let title = titles
                .as_ref()
                .and_then(|t| t.item(k))
                .and_then(|t| t.text_content())
                .unwrap_or_default();
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\" class=\"ho-col\" text-anchor=\"middle\">{}</text>",
                num::fixed(x + w / 2.0, 1),
                num::fixed(LEGEND_H + 20.0, 1),
                escape(&title)
            );
        }
        let marks = src
            .ladders
            .get(k as usize)
            .map(|l| numbers(&stack, l, &notes))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<g transform=\"translate({},{})\">{svg}{marks}</g>",
            num::fixed(x, 1),
            num::fixed(top, 1)
        );
        x += w + GAP;
        h = h.max(lh + top);
    }
    let w = x - GAP;
    body.push_str(&legend(&src.ladders, src.lang));
    Some(Sheet {
        diagram: (body, w, h),
        notes,
        more,
    })
}

/// A ladder's layers (see ladder.rs) stacked into one SVG with nothing hidden: every arrow and
/// state pill, the time axis, and the hosts' names from the live layer (not its playhead or the
/// packets in flight, which belong to a moment).
pub(crate) fn whole_ladder(stack: &web_sys::Element) -> Option<(String, f64, f64)> {
    let base = stack.query_selector("svg.lad").ok().flatten()?;
    let (w, h) = view_box_size(&base)?;
    let inner = |sel: &str| inner_of(stack, sel);
    let mut hosts = String::new();
    if let Ok(list) = stack.query_selector_all("svg.lad-live text.host") {
        for k in 0..list.length() {
            if let Some(e) = list
                .item(k)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                hosts.push_str(&e.outer_html());
            }
        }
    }
    let (ws, hs) = (num::fixed(w, 1), num::fixed(h, 1));
    let text = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lad\" width=\"{ws}\" height=\"{hs}\" \
         viewBox=\"0 0 {ws} {hs}\">{}{}{}{hosts}</svg>",
        // Shown whatever the playhead: the texts of arrows not sent yet carry the attribute
        // that hides them on the page (`ladder::UNSENT`), and nothing else in it has one.
        base.inner_html()
            .replace(&format!(" {}=\"{}\"", UNSENT.0, UNSENT.1), ""),
        inner("svg.lad-marks"),
        inner("svg.lad-axis"),
    );
    Some((text, w, h))
}

/// The tokens' current values (light or dark): the file has no page around it.
fn style_vars() -> String {
    TOKENS
        .iter()
        .zip(tokens::current(TOKENS))
        .filter(|(_, v)| !v.is_empty())
        .map(|(t, v)| format!("{t}:{v};"))
        .collect()
}

/// The `g.seg` that draws arrow `i` in `stack`: its own, or that of the group it is drawn in
/// (ladder.rs `Group`: its `data-seg` is the first arrow, `data-also` lists the others).
fn drawn_by(stack: &web_sys::Element, i: usize) -> Option<web_sys::Element> {
    let sel = format!("g.seg[data-seg=\"{i}\"], g.seg[data-also~=\"{i}\"]");
    stack.query_selector(&sel).ok().flatten()
}

/// The numbered circles beside the arrows that footnotes are keyed to, in `stack`'s
/// coordinates.
fn numbers(stack: &web_sys::Element, ladder: &Ladder, notes: &[Note]) -> String {
    let mut o = String::new();
    for note in notes {
        let Some(ev) = note.sent_event else { continue };
        let Some(i) = ladder.arrows.iter().position(|a| a.event == ev) else {
            continue;
        };
        let Some(line) =
            drawn_by(stack, i).and_then(|g| g.query_selector("line.shaft").ok().flatten())
        else {
            continue;
        };
        let attr = |a: &str| line.get_attribute(a).and_then(|v| num::parse_f64(&v));
        let (Some(x0), Some(y0), Some(x1), Some(y1)) =
            (attr("x1"), attr("y1"), attr("x2"), attr("y2"))
        else {
            continue;
        };
        // Inside the lanes, below the arrow's tail (or above its head), clear of the state
        // pills outside the lanes and of the label at the arrow's middle.
        let dir = if x1 >= x0 { 1.0 } else { -1.0 };
        let (cx, cy) = if note.at_head {
            (x1 - dir * 16.0, y1 - 12.0)
        } else {
            (x0 + dir * 16.0, y0 + 12.0)
        };
        let _ = write!(
            o,
            "<g class=\"ho-num\" data-note=\"{n}\"><circle cx=\"{x}\" cy=\"{y}\" r=\"9\"/>\
             <text x=\"{x}\" y=\"{ty}\" text-anchor=\"middle\">{n}</text></g>",
            n = note.n,
            x = num::fixed(cx, 1),
            y = num::fixed(cy, 1),
            ty = num::fixed(cy + 4.0, 1),
        );
    }
    o
}

/// One swatch per segment kind drawn, and "✕ lost" when something is lost, along the top.
fn legend(ladders: &[Shared<Ladder>], lang: Lang) -> String {
    let kinds: Vec<SegKind> = SegKind::ALL
        .into_iter()
        .filter(|k| ladders.iter().any(|l| kinds_present(l).contains(k)))
        .collect();
    let lost = ladders.iter().any(|l| l.arrows.iter().any(|a| a.lost()));
    let mut o = String::from("<g class=\"ho-legend\" data-testid=\"handout-legend\">");
    let mut x = 0.0;
    let y = 16.0;
    for k in kinds {
        let name = k.name(lang);
        let _ = write!(
            o,
            "<g class=\"seg k-{css}\"><line class=\"shaft\" x1=\"{x0}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\"/></g>\
             <text x=\"{tx}\" y=\"{ty}\">{name}</text>",
            css = k.css(),
            // Through num::fixed like every coordinate: `{y}` on an f64 linked core's float
            // formatter (flt2dec) into the full build for this one number.
            y = num::fixed(y, 1),
            x0 = num::fixed(x, 1),
            x1 = num::fixed(x + 22.0, 1),
            tx = num::fixed(x + 28.0, 1),
            ty = num::fixed(y + 4.0, 1),
            name = escape(name),
        );
        x += 40.0 + text_width(name, 12.0);
    }
    if lost {
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" class=\"ho-lost\">{}</text>",
            num::fixed(x, 1),
            num::fixed(y + 4.0, 1),
            T::new("✕ 丢失", "✕ lost").get(lang)
        );
    }
    o.push_str("</g>");
    o
}

/// A rough width of `s` at `size` px: CJK characters are square, others about 0.6 em (the
/// monospace of the ladder's text). SVG text does not wrap, so the footnotes are broken by it.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if is_wide(c) { size } else { size * 0.6 })
        .sum()
}

fn is_wide(c: char) -> bool {
    ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// `s` broken into lines of at most `width` px at `size` px: at spaces, or anywhere between
/// CJK characters.
fn wrap(s: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    // Words: a run of non-space, non-CJK characters, or one CJK character, with the space before.
    let mut word = String::new();
    let flush = |word: &mut String, line: &mut String, w: &mut f64, lines: &mut Vec<String>| {
        let ww = text_width(word, size);
        if *w + ww > width && !line.is_empty() {
            lines.push(line.trim_end().to_string());
            line.clear();
            *w = 0.0;
            let trimmed = word.trim_start().to_string();
            *word = trimmed;
        }
        *w += text_width(word, size);
        line.push_str(word);
        word.clear();
    };
    for c in s.chars() {
        if c == ' ' || is_wide(c) {
            if !word.is_empty() {
                flush(&mut word, &mut line, &mut w, &mut lines);
            }
            word.push(c);
            if is_wide(c) {
                flush(&mut word, &mut line, &mut w, &mut lines);
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        flush(&mut word, &mut line, &mut w, &mut lines);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Styles of the handout's own parts (the ladders bring theirs, `ladder::SVG_CSS`).
const HANDOUT_CSS: &str =
    ".ho-title{font:700 20px system-ui,\"Noto Sans CJK SC\",sans-serif;fill:var(--ink)}\
.ho-sub{font:14px system-ui,\"Noto Sans CJK SC\",sans-serif;fill:var(--ink-2)}\
.ho-col{font:600 15px system-ui,\"Noto Sans CJK SC\",sans-serif;fill:var(--ink)}\
.ho-num circle{fill:var(--playhead)}.ho-num text{fill:#fff;font-size:11px;font-weight:700}\
.ho-note{font:12px system-ui,\"Noto Sans CJK SC\",sans-serif;fill:var(--ink)}\
.ho-note .n{font-weight:700}.ho-lost{fill:var(--lost)}";

/// The whole scene as one SVG document, with the footnotes as text under the diagram.
pub fn svg(src: &Source) -> Option<(String, f64, f64)> {
    let sheet = sheet(src)?;
    let (diagram, dw, dh) = &sheet.diagram;
    let w = dw.max(640.0) + 2.0 * PAD;
    let mut y = PAD;
    // As text once: `{PAD}` in a format string would link core's float formatting.
    let pad = num::shortest(PAD);
    let mut head = String::new();
    if let Some(info) = &src.info {
        y += 20.0;
        let _ = write!(
            head,
            "<text class=\"ho-title\" x=\"{pad}\" y=\"{}\">{}</text>",
            num::fixed(y, 1),
            escape(&info.title)
        );
        for line in [&info.case, &info.params] {
            y += 20.0;
            let _ = write!(
                head,
                "<text class=\"ho-sub\" x=\"{pad}\" y=\"{}\">{}</text>",
                num::fixed(y, 1),
                escape(line)
            );
        }
        y += 12.0;
    }
    let _ = write!(
        head,
        "<g transform=\"translate({pad},{})\">{diagram}</g>",
        num::fixed(y, 1)
    );
    y += dh + 24.0;
    const SIZE: f64 = 12.0;
    const LINE: f64 = 17.0;
    for note in &sheet.notes {
        let label = format!("{}. {} ", note.n, fmt_ms(note.t));
        let indent = text_width(&label, SIZE) + 4.0;
        for (k, line) in wrap(&note.text, w - 2.0 * PAD - indent, SIZE)
            .iter()
            .enumerate()
        {
            y += LINE;
            if k == 0 {
                let _ = write!(
                    head,
                    "<text class=\"ho-note\" x=\"{pad}\" y=\"{}\"><tspan class=\"n\">{}</tspan></text>",
                    num::fixed(y, 1),
                    escape(&label)
                );
            }
            let _ = write!(
                head,
                "<text class=\"ho-note\" x=\"{}\" y=\"{}\">{}</text>",
                num::fixed(PAD + indent, 1),
                num::fixed(y, 1),
                escape(line)
            );
        }
        y += 4.0;
    }
    if sheet.more > 0 {
        y += LINE;
        let _ = write!(
            head,
            "<text class=\"ho-note\" x=\"{pad}\" y=\"{}\">{}</text>",
            num::fixed(y, 1),
            escape(&more_text(sheet.more, src.lang))
        );
    }
    let h = y + PAD;
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
         class=\"lad handout\" style=\"{vars}\" width=\"{ws}\" height=\"{hs}\" viewBox=\"0 0 {ws} {hs}\">\
         <style>{HANDOUT_CSS}</style><rect width=\"{ws}\" height=\"{hs}\" fill=\"var(--panel)\"/>{head}</svg>",
        vars = style_vars(),
        ws = num::fixed(w, 1),
        hs = num::fixed(h, 1),
    );
    Some((text, w, h))
}

fn more_text(more: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("……另有 {more} 条说明从略。"),
        Lang::En => format!("… and {more} more explanations, left out."),
    }
}

/// Puts the handout into the page as `#print-handout` (what `static/full/print.css` prints
/// instead of the page) and opens the browser's print dialog. It is removed after printing, so
/// printing the page from the browser's menu later prints the page.
/// "Export SVG" (`as_svg`) or "Export PNG": the handout of the whole scene, or where the page
/// has no ladder to draw it from (the state machine view) the diagram on screen.
pub fn export(src: Option<&Source>, name: &str, as_svg: bool) {
    // Both read the ladder's layers from the page: while a new drawing is written near its
    // view only (`.lad-stack[data-near]`, `ladder::LadderView`), wait for the whole of it, a
    // few hundred ms at most, rather than export a cut drawing.
    let near = crate::dom::document()
        .and_then(|d| d.query_selector(".lad-stack[data-near]").ok().flatten())
        .is_some();
    if near {
        let (src, name) = (src.cloned(), name.to_string());
        crate::dom::later(50, move || export(src.as_ref(), &name, as_svg));
        return;
    }
    if let Some((text, w, h)) = src.and_then(svg) {
        super::export::save_svg(name, as_svg, text, w, h);
    } else if as_svg {
        super::export::export_svg(name);
    } else {
        super::export::export_png(name);
    }
}

/// Carries out an export asked for in the first-load build before this build took the page
/// over (`pages::export_in_full_build`), once the scene's words are in or could not be had (the
/// footnotes are theirs: the player gives a new `src` when they arrive) and its ladders are
/// drawn: they are drawn in the first render, or in a second one where their width had to be
/// measured first, so it is tried on a short timer until the handout can be drawn (for at most
/// two seconds).
#[hook]
pub fn use_pending_export(src: Option<Source>, name: AttrValue) {
    let waiting = src
        .as_ref()
        .and_then(|s| s.teach.as_ref())
        .is_some_and(Teach::words_pending);
    use_effect_on(waiting, move |&waiting| {
        if waiting {
            return;
        }
        if let Some(what) = crate::dom::take_root_attr(crate::pages::PENDING_EXPORT) {
            try_pending(what, src, name, 40);
        }
    });
}

fn try_pending(what: String, src: Option<Source>, name: AttrValue, tries: u32) {
    let ready = document()
        .and_then(|d| {
            d.query_selector("[data-export] .lad-stack svg.lad")
                .ok()
                .flatten()
        })
        .is_some();
    if !ready && tries > 0 {
        crate::dom::later(50, move || try_pending(what, src, name, tries - 1));
        return;
    }
    match (what.as_str(), &src) {
        ("print", Some(s)) => {
            print(s);
        }
        ("svg" | "png", _) => export(src.as_ref(), &name, what == "svg"),
        _ => {}
    }
}

pub fn print(src: &Source) -> bool {
    let Some(doc) = document() else { return false };
    let Some(sheet) = sheet(src) else {
        return false;
    };
    let (diagram, w, h) = &sheet.diagram;
    let mut html = String::new();
    if let Some(info) = &src.info {
        let _ = write!(
            html,
            "<h1>{}</h1><p class=\"ho-case\">{}</p><p class=\"ho-params\">{}</p>",
            escape(&info.title),
            escape(&info.case),
            escape(&info.params)
        );
    }
    let _ = write!(
        html,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lad handout\" style=\"{}\" \
         viewBox=\"0 0 {ws} {hs}\" width=\"{ws}\" height=\"{hs}\"><style>{HANDOUT_CSS}</style>{diagram}</svg><ol class=\"ho-notes\">",
        style_vars(),
        ws = num::fixed(*w, 1),
        hs = num::fixed(*h, 1),
    );
    for n in &sheet.notes {
        let _ = write!(
            html,
            "<li value=\"{}\"><span class=\"mono\">{}</span> {}</li>",
            n.n,
            fmt_ms(n.t),
            escape(&n.text)
        );
    }
    html.push_str("</ol>");
    if sheet.more > 0 {
        let _ = write!(html, "<p>{}</p>", escape(&more_text(sheet.more, src.lang)));
    }
    if let Some(old) = doc.get_element_by_id("print-handout") {
        old.remove();
    }
    let Ok(el) = doc.create_element("div") else {
        return false;
    };
    el.set_id("print-handout");
    let _ = el.set_attribute("data-testid", "print-handout");
    let _ = el.set_attribute("lang", src.lang.code());
    el.set_inner_html(&html);
    let Some(body) = doc.body() else { return false };
    let _ = body.append_child(&el);
    let Some(win) = web_sys::window() else {
        return false;
    };
    let w2 = win.clone();
    let gone = Closure::once_into_js(move || {
        el.remove();
        w2.set_onafterprint(None);
    });
    win.set_onafterprint(Some(gone.unchecked_ref()));
    win.print().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_keep_every_word_and_fit_the_width() {
        let s = "After three duplicate ACKs the sender retransmits the missing segment without waiting for its timer.";
        let lines = wrap(s, 200.0, 12.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), s);
        assert!(
            lines.iter().all(|l| text_width(l, 12.0) <= 200.0),
            "{lines:?}"
        );
        let zh = "服务器的内核自己回应，不等应用调用 accept()：它在 SYN 队列里记下这个请求。";
        let lines = wrap(zh, 120.0, 12.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat().replace(' ', ""), zh.replace(' ', ""));
        assert!(
            lines.iter().all(|l| text_width(l, 12.0) <= 120.0),
            "{lines:?}"
        );
    }
}
