//! Export the diagram on screen as an SVG file or a PNG image, and copy text to the clipboard.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::tokens::{self, TOKENS};
use crate::dom::document;
use crate::num;

/// What a scene says about itself on a handout (`handout`, full build): its title, case and
/// parameters in words.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoutInfo {
    pub title: String,
    pub case: String,
    pub params: String,
}

/// The visible diagram's SVG as a standalone document, with its size. A split view (TCP and
/// UDP side by side) becomes one document with both ladders next to each other, each under its
/// column title, so the export shows what the screen shows.
pub fn current_svg() -> Option<(String, f64, f64)> {
    let doc = document()?;
    // The tokens' current values (light or dark) travel in the file: it has no page around it.
    let vars: String = TOKENS
        .iter()
        .zip(tokens::current(TOKENS))
        .filter(|(_, v)| !v.is_empty())
        .map(|(t, v)| format!("{t}:{v};"))
        .collect();
    let mut columns = Vec::new();
    while let Some(col) = doc
        .query_selector(&format!(
            "[data-export] .split-col:nth-child({}) .lad-stack",
            columns.len() + 1
        ))
        .ok()
        .flatten()
    {
        let title = col
            .closest(".split-col")
            .ok()
            .flatten()
            .and_then(|c| c.query_selector(".split-title").ok().flatten())
            .and_then(|t| t.text_content())
            .unwrap_or_default();
        columns.push((stacked_svg(&col)?, title));
    }
    let (body, w, h) = if columns.len() > 1 {
        const GAP: f64 = 24.0;
        const TITLE: f64 = 28.0;
        let (mut x, mut h, mut body) = (0.0, 0.0f64, String::new());
        for ((svg, cw, ch), title) in &columns {
            let (cw, ch) = (*cw, *ch);
            // num::fixed, not `{:.1}`: float formatting would weigh on the first load.
            body.push_str(&format!(
                "<text x=\"{}\" y=\"20\" fill=\"var(--ink)\" font-family=\"sans-serif\" \
                 font-size=\"15\" font-weight=\"600\" text-anchor=\"middle\">{}</text>\
                 <g transform=\"translate({},{})\">{}</g>",
                num::fixed(x + cw / 2.0, 1),
                escape(title),
                num::fixed(x, 1),
                num::fixed(TITLE, 0),
                svg
            ));
            x += cw + GAP;
            h = h.max(ch + TITLE);
        }
        let w = x - GAP;
        (
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
                 viewBox=\"0 0 {w} {h}\">{body}</svg>",
                w = num::fixed(w, 1),
                h = num::fixed(h, 1),
            ),
            w,
            h,
        )
    } else if let Some(stack) = doc
        .query_selector("[data-export] .lad-stack")
        .ok()
        .flatten()
    {
        stacked_svg(&stack)?
    } else {
        // The state diagram: one SVG as drawn.
        let svg = doc.query_selector("[data-export] svg").ok().flatten()?;
        let (w, h) =
            view_box_size(&svg).unwrap_or((svg.client_width() as f64, svg.client_height() as f64));
        let mut text = svg.outer_html();
        if !text.contains("xmlns=") {
            text = text.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1);
        }
        (text, w, h)
    };
    let text = body.replacen("<svg", &format!("<svg style=\"{vars}\""), 1);
    Some((
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}"),
        w,
        h,
    ))
}

/// A ladder's layers (see ladder.rs) stacked back into one SVG: the arrows and the state pills
/// clipped where their covers hide them on screen, then the axis and the live layer on top. The
/// texts the page hides (arrows not sent yet) are hidden by an attribute of their own
/// (`ladder::UNSENT`), which the copy keeps: a rule naming the stack's element on the page
/// hid them once, and an exported frame, which has no such element, showed the tops of labels
/// whose arrows were not sent yet.
pub(crate) fn stacked_svg(stack: &web_sys::Element) -> Option<(String, f64, f64)> {
    let base = stack.query_selector("svg.lad").ok().flatten()?;
    let (w, h) = view_box_size(&base)?;
    let inner = |sel: &str| inner_of(stack, sel);
    let cut = |attr: &str| {
        stack
            .get_attribute(attr)
            .and_then(|v| num::parse_f64(&v))
            .unwrap_or(h)
    };
    let id = stack.id();
    let (ws, hs) = (num::fixed(w, 1), num::fixed(h, 1));
    let clip = |name: &str, y: f64| {
        format!(
            "<clipPath id=\"{id}-{name}\"><rect x=\"0\" y=\"0\" width=\"{ws}\" height=\"{}\"/></clipPath>",
            num::fixed(y, 1)
        )
    };
    let text = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lad\" width=\"{ws}\" height=\"{hs}\" \
         viewBox=\"0 0 {ws} {hs}\"><defs>{}{}</defs>\
         <rect x=\"0\" y=\"0\" width=\"{ws}\" height=\"{hs}\" fill=\"var(--panel)\"/>\
         <g clip-path=\"url(#{id}-clip)\">{}</g><g clip-path=\"url(#{id}-clip-marks)\">{}</g>{}{}</svg>",
        clip("clip", cut("data-reveal")),
        clip("clip-marks", cut("data-reveal-marks")),
        base.inner_html(),
        inner("svg.lad-marks"),
        inner("svg.lad-axis"),
        inner("svg.lad-live"),
    );
    Some((text, w, h))
}

/// Text content made safe for an XML text node.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The markup inside the stack's first element that matches `sel` ("" when none does).
pub(crate) fn inner_of(stack: &web_sys::Element, sel: &str) -> String {
    stack
        .query_selector(sel)
        .ok()
        .flatten()
        .map(|e| e.inner_html())
        .unwrap_or_default()
}

/// The width and height of an SVG's viewBox.
pub(crate) fn view_box_size(svg: &web_sys::Element) -> Option<(f64, f64)> {
    let vb = svg.get_attribute("viewBox")?;
    let v: Vec<f64> = vb.split_whitespace().filter_map(num::parse_f64).collect();
    (v.len() == 4).then(|| (v[2], v[3]))
}

fn download(name: &str, href: &str) {
    let Some(doc) = document() else { return };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else {
        return;
    };
    a.set_href(href);
    a.set_download(name);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
}

fn svg_data_url(svg: &str) -> String {
    format!(
        "data:image/svg+xml;charset=utf-8,{}",
        js_sys::encode_uri_component(svg)
    )
}

pub fn export_svg(name: &str) -> bool {
    current_svg()
        .map(|(svg, w, h)| save_svg(name, true, svg, w, h))
        .is_some()
}

pub fn export_png(name: &str) -> bool {
    current_svg()
        .map(|(svg, w, h)| save_svg(name, false, svg, w, h))
        .is_some()
}

/// Downloads an SVG document of `w`×`h` as `name.svg`, or (`as_svg` false) renders it into a
/// canvas at 2× and downloads that as `name.png`, asynchronously once the image has decoded.
/// A very tall drawing is scaled down to stay within the canvas size browsers allow (16,384 px).
pub fn save_svg(name: &str, as_svg: bool, svg: String, w: f64, h: f64) {
    if as_svg {
        download(&format!("{name}.svg"), &svg_data_url(&svg));
        return;
    }
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let name = format!("{name}.png");
    let img2 = img.clone();
    // One handler for `load` and `error`, so that it runs (and wasm-bindgen frees it: a
    // `once_into_js` closure lives until its one call) whichever way the image settles; a
    // drawing that failed to decode is not exported.
    let settled = Closure::once_into_js(move || {
        if img2.natural_width() == 0 {
            return;
        }
        let scale = 2.0f64.min(16_000.0 / w.max(h).max(1.0));
        let Some(doc) = document() else { return };
        let Some(canvas) = doc
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width((w * scale).ceil() as u32);
        canvas.set_height((h * scale).ceil() as u32);
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let _ = ctx.scale(scale, scale);
        let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(&img2, 0.0, 0.0, w, h);
        if let Ok(url) = canvas.to_data_url_with_type("image/png") {
            download(&name, &url);
        }
    });
    img.set_onload(Some(settled.unchecked_ref()));
    img.set_onerror(Some(settled.unchecked_ref()));
    img.set_src(&svg_data_url(&svg));
}

thread_local! {
    /// The handler of every rejected clipboard write, made once. A promise keeps the function its
    /// `catch` is given, and Rust cannot know when the promise is done with it, so a closure made
    /// for each copy had to be leaked (`Closure::forget`): one more JS function in wasm-bindgen's
    /// table, and its box in the heap, per click.
    static SWALLOW: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

/// `navigator.clipboard.writeText(text)`, when the browser allows it. (Called through
/// reflection: web-sys marks the Clipboard API unstable.)
pub fn copy_text(text: &str) -> bool {
    let Some(win) = web_sys::window() else {
        return false;
    };
    let nav = win.navigator();
    let Ok(clip) = js_sys::Reflect::get(&nav, &"clipboard".into()) else {
        return false;
    };
    if clip.is_undefined() || clip.is_null() {
        return false;
    }
    let Ok(write) = js_sys::Reflect::get(&clip, &"writeText".into()) else {
        return false;
    };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else {
        return false;
    };
    match write.call1(&clip, &JsValue::from_str(text)) {
        Ok(p) => {
            // A refused permission rejects the promise: swallow it (the text is also shown).
            if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                SWALLOW.with(|noop| {
                    let _ = p.catch(noop);
                });
            }
            true
        }
        Err(_) => false,
    }
}
