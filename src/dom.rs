//! Small helpers around the browser objects the app touches directly.

/// The element an event happened on, if it is one (not a text node, the document or the
/// window).
pub fn target_element(e: &web_sys::Event) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
}

pub fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Runs `f` once, on a task `ms` milliseconds from now (`setTimeout`). The closure frees itself
/// when it has run (`Closure::once_into_js`). `gloo`'s `Timeout::new(ms, f).forget()`, which
/// this replaces, leaks its closure for good (`Closure::forget`): a JS function, its state and
/// the Rust box, one per call, e.g. one per play/pause of a scene.
pub fn later(ms: i32, f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let run = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), ms);
    }
}

/// Runs `f` once, in the browser's next idle time (`requestIdleCallback`), or on a task where
/// it has none (Safari).
pub fn when_idle(f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let run = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        if w.request_idle_callback(run.unchecked_ref()).is_err() {
            let _ = w.set_timeout_with_callback(run.unchecked_ref());
        }
    }
}

/// The page's hash, with any write put off by [`replace_hash_later`] made first: whoever reads
/// the link (the share button, a switch that rewrites one parameter, the full build taking over)
/// gets what is on screen, at any moment.
pub fn current_hash() -> String {
    write_now();
    hash()
}

fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// A write of the hash put off until the page is still: the hash it was asked for over (a write
/// is dropped when the link changed without it: a link followed, the back button) and the write.
struct Later {
    over: String,
    write: Box<dyn FnOnce()>,
}

thread_local! {
    static LATER: std::cell::RefCell<Option<Later>> = const { std::cell::RefCell::new(None) };
    /// The timer of the write put off; replaced (so cancelled) by the next one, never dropped
    /// from its own callback.
    static LATER_TIMER: std::cell::RefCell<Option<gloo::timers::callback::Timeout>> =
        const { std::cell::RefCell::new(None) };
    /// Leaving or hiding the page makes the write at once (a reload, a bookmark, the tab
    /// switched away from): set up once.
    static LATER_ON_LEAVE: std::cell::RefCell<Vec<gloo::events::EventListener>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// How long the link waits after the last request to write it (`replace_hash_later`): a reader
/// stepping or holding an arrow key writes it once, when they stop.
const LATER_MS: u32 = 300;

/// Rewrites the hash with `write` (which calls [`replace_hash`]) once the page has been still for
/// [`LATER_MS`], or at once when the hash is read, the page hidden or left. For what changes many
/// times a second, the playhead, and for a scene's knobs: `history.replaceState` costs
/// milliseconds (Chromium hands it to the browser process), and each step of a paused scene and
/// each knob change wrote it in its own frame. A later request replaces an
/// earlier one that was not made yet (each writes the whole state).
pub fn replace_hash_later(write: impl FnOnce() + 'static) {
    let later = Later {
        over: hash(),
        write: Box::new(write),
    };
    LATER.with(|l| *l.borrow_mut() = Some(later));
    let timer = gloo::timers::callback::Timeout::new(LATER_MS, write_now);
    LATER_TIMER.with(|t| *t.borrow_mut() = Some(timer));
    LATER_ON_LEAVE.with(|on| {
        let mut on = on.borrow_mut();
        if on.is_empty() {
            if let Some(w) = web_sys::window() {
                on.push(gloo::events::EventListener::new(&w, "pagehide", |_| {
                    write_now()
                }));
            }
            if let Some(d) = document() {
                on.push(gloo::events::EventListener::new(
                    &d,
                    "visibilitychange",
                    |_| write_now(),
                ));
            }
        }
    });
}

/// Makes the write put off, if any, unless the link moved on without it.
fn write_now() {
    // Taken out first: the write reads and writes the hash itself.
    let Some(later) = LATER.with(|l| l.borrow_mut().take()) else {
        return;
    };
    if hash() == later.over {
        (later.write)();
    }
}

/// Rewrites the hash without adding a history entry or firing `hashchange`
/// (the app already shows what the new URL describes). Nothing happens when the hash is already
/// `hash`: `history.replaceState` costs milliseconds even then (Chromium hands it to the
/// browser process), and a scene writes its URL on every mount.
pub fn replace_hash(hash: &str) {
    if current_hash() == hash {
        return;
    }
    if let Some(w) = web_sys::window() {
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
        }
    }
}

/// The page's address without the hash (for "copy link" and embed snippets).
pub fn base_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

pub fn set_root_attr(name: &str, value: &str) {
    if let Some(el) = document().and_then(|d| d.document_element()) {
        let _ = el.set_attribute(name, value);
    }
}

/// The root element's attribute `name`, removed as it is read (a request from one build to the
/// other, carried out once).
#[cfg(feature = "full")]
pub fn take_root_attr(name: &str) -> Option<String> {
    let el = document()?.document_element()?;
    let v = el.get_attribute(name)?;
    let _ = el.remove_attribute(name);
    Some(v)
}

pub fn set_html_lang(lang: &str) {
    if let Some(el) = document().and_then(|d| d.document_element()) {
        el.set_attribute("lang", lang).ok();
    }
}

thread_local! {
    /// The id of the element the app renders into (see [`crate::start_in`]).
    static ROOT_ID: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

pub fn set_root_id(id: &str) {
    ROOT_ID.with(|r| *r.borrow_mut() = id.to_string());
}

/// The id of the element the app renders into ("" before [`crate::start_in`]).
pub fn root_id() -> String {
    ROOT_ID.with(|r| r.borrow().clone())
}

/// One element of a [`probe_width`] nest: its tag and classes, and how many empty elements of
/// the same tag and classes stand before and after it (a grid column is sized by its siblings,
/// and `:last-child` rules see them).
#[derive(Clone, Copy, Debug)]
pub struct ProbeBox {
    pub tag: &'static str,
    pub class: &'static str,
    pub before: u8,
    pub after: u8,
}

impl ProbeBox {
    pub const fn new(tag: &'static str, class: &'static str) -> ProbeBox {
        ProbeBox {
            tag,
            class,
            before: 0,
            after: 0,
        }
    }
}

/// The width, in CSS pixels, that the page's stylesheet will give an element that does not exist
/// yet: a nest of empty elements (`chain[0]` outermost) is appended to the app's root element,
/// the innermost one's `clientWidth` is read and the nest removed, all in the same task, so
/// nothing of it is ever painted. It costs one layout (on a page's first render, the first
/// layout of the page, which the browser would do next anyway). `inner_height` is the height of
/// the content the innermost element will hold, so that an `overflow: auto` box reserves room
/// for its scrollbar exactly when the real content will make it scroll. `None` when the width
/// cannot be read (no root element, or not laid out: 0).
///
/// Why: a drawing whose geometry depends on its width (the ladder) would otherwise be rendered
/// twice on a page's first load, once empty to measure and once drawn, with a layout and a paint
/// of the empty page in between.
pub fn probe_width(chain: &[ProbeBox], inner_height: f64) -> Option<f64> {
    let doc = document()?;
    let root = ROOT_ID.with(|r| doc.get_element_by_id(&r.borrow()))?;
    let make = |b: &ProbeBox| {
        let el = doc.create_element(b.tag).ok()?;
        el.set_class_name(b.class);
        Some(el)
    };
    // Outermost first; the siblings of the outermost element would need a parent of their own,
    // and none of our nests asks for them.
    let (first, rest) = chain.split_first()?;
    let outer = make(first)?;
    let mut inner = outer.clone();
    for b in rest {
        let el = make(b)?;
        for _ in 0..b.before {
            let sibling = make(b)?;
            inner.append_child(&sibling).ok()?;
        }
        inner.append_child(&el).ok()?;
        for _ in 0..b.after {
            let sibling = make(b)?;
            inner.append_child(&sibling).ok()?;
        }
        inner = el;
    }
    // The content: whole pixels, printed as an integer (f64's Display would add float formatting
    // to the first-load wasm).
    let content = doc.create_element("div").ok()?;
    let px = inner_height.max(0.0).ceil() as u32;
    let _ = content.set_attribute("style", &format!("height:{px}px"));
    inner.append_child(&content).ok()?;
    root.append_child(&outer).ok()?;
    let w = inner.client_width();
    outer.remove();
    (w > 0).then_some(w as f64)
}

/// `document.body.dataset.ready`: "1" once the page's first frame is drawn, "0" while a route
/// change is pending. Tests and benchmarks wait on it.
pub fn set_ready(ready: bool) {
    if let Some(body) = document().and_then(|d| d.body()) {
        let _ = body.set_attribute("data-ready", if ready { "1" } else { "0" });
    }
}

pub fn set_title(title: &str) {
    if let Some(d) = document() {
        d.set_title(title);
    }
}

/// Writes a panic into the page so a crash is never a blank screen.
pub fn show_panic(message: &str) {
    let Some(doc) = document() else { return };
    let Some(body) = doc.body() else { return };
    let el = match doc.get_element_by_id("panic-overlay") {
        Some(el) => el,
        None => {
            let Ok(el) = doc.create_element("div") else {
                return;
            };
            el.set_id("panic-overlay");
            let _ = el.set_attribute("data-testid", "error-overlay");
            let _ = el.set_attribute("role", "alert");
            let _ = body.append_child(&el);
            el
        }
    };
    let zh = doc
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .is_some_and(|l| l.starts_with("zh"));
    let title = if zh {
        crate::i18n::txt::PANIC_TITLE.zh
    } else {
        crate::i18n::txt::PANIC_TITLE.en
    };
    let hint = if zh {
        "页面遇到了程序错误。请刷新重试；如果能重现，请把这段信息和链接一起报告。"
    } else {
        "The page hit a program error. Reload to try again; if it happens again, please report this message with the link."
    };
    let h = doc.create_element("h2").ok();
    let p = doc.create_element("p").ok();
    let pre = doc.create_element("pre").ok();
    el.set_text_content(None);
    if let (Some(h), Some(p), Some(pre)) = (h, p, pre) {
        h.set_text_content(Some(title));
        p.set_text_content(Some(hint));
        pre.set_text_content(Some(message));
        let _ = el.append_child(&h);
        let _ = el.append_child(&p);
        let _ = el.append_child(&pre);
    }
    let _ = body.set_attribute("data-ready", "error");
}

pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&msg.as_str().into());
        show_panic(&msg);
    }));
}

/// A file next to the page, as text (relative paths resolve against the page, so a site in a
/// sub-folder works).
pub async fn fetch_text(path: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| format!("could not fetch {path}"))?;
    let resp: web_sys::Response =
        wasm_bindgen::JsCast::dyn_into(resp).map_err(|_| "not a response")?;
    if !resp.ok() {
        return Err(format!("{path}: HTTP {}", resp.status()));
    }
    let text = resp.text().map_err(|_| "no body")?;
    wasm_bindgen_futures::JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| format!("{path}: not text"))
}

/// Watches an element's size: a `ResizeObserver` that calls `f` whenever the element's box
/// changes size, whatever moved it (the window, or the layout around it), and once when it
/// starts. It stops when the returned guard is dropped. `None` where the browser has none.
pub fn on_resize(el: &web_sys::Element, f: impl FnMut() + 'static) -> Option<ResizeWatch> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let callback = Closure::<dyn FnMut()>::new(f);
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(el);
    Some(ResizeWatch {
        observer,
        _callback: callback,
    })
}

/// A running [`on_resize`]; dropping it disconnects the observer.
pub struct ResizeWatch {
    observer: web_sys::ResizeObserver,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for ResizeWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A root element `width` px wide with a stylesheet of its own; removed by the caller.
    fn root(id: &str, width: u32, css: &str) -> web_sys::Element {
        let doc = document().unwrap();
        let el = doc.create_element("div").unwrap();
        el.set_id(id);
        el.set_attribute("style", &format!("width:{width}px"))
            .unwrap();
        let style = doc.create_element("style").unwrap();
        style.set_text_content(Some(css));
        el.append_child(&style).unwrap();
        doc.body().unwrap().append_child(&el).unwrap();
        set_root_id(id);
        el
    }

    #[test]
    fn probe_reads_the_width_the_stylesheet_gives_and_leaves_nothing_behind() {
        let css = ".pad{padding:0 20px}.grid{display:grid;grid-template-columns:1fr 1fr}\
                   .col{border-right:10px solid}.col:last-child{border-right:0}";
        let r = root("probe-root-1", 500, css);
        let children = r.child_element_count();
        let b = ProbeBox::new;
        assert_eq!(
            probe_width(&[b("div", "pad"), b("div", "")], 0.0),
            Some(460.0)
        );
        // Two grid columns of 230 px; only the first has a border, as `:last-child` says.
        let col = |before, after| ProbeBox {
            before,
            after,
            ..b("div", "col")
        };
        let grid = [b("div", "pad"), b("div", "grid")];
        assert_eq!(
            probe_width(&[grid[0], grid[1], col(0, 1)], 0.0),
            Some(220.0)
        );
        assert_eq!(
            probe_width(&[grid[0], grid[1], col(1, 0)], 0.0),
            Some(230.0)
        );
        assert_eq!(
            r.child_element_count(),
            children,
            "the probe removes its nest"
        );
        r.remove();
    }

    #[test]
    fn probe_sees_the_scrollbar_the_content_will_cause() {
        let r = root(
            "probe-root-2",
            300,
            ".box{overflow:auto;height:50px}.box::-webkit-scrollbar{width:12px}",
        );
        let chain = [ProbeBox::new("div", "box")];
        assert_eq!(
            probe_width(&chain, 10.0),
            Some(300.0),
            "content fits: no scrollbar"
        );
        assert_eq!(
            probe_width(&chain, 400.0),
            Some(288.0),
            "content scrolls: a scrollbar"
        );
        r.remove();
        // No root element: no width, and no panic.
        set_root_id("no-such-root");
        assert_eq!(probe_width(&chain, 0.0), None);
    }
}
