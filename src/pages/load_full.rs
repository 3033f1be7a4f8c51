//! The first-load build carries the landing page and the first scenes (`scenes::ALL` without the
//! `full` feature); for every other page it shows this stand-in, which fetches the build that
//! draws it and hands the page over to it: `synack-full` (every page but #/open, the `full`
//! feature in Cargo.toml) or `synack-open` (every page, the `open` feature). The full build
//! shows the same stand-in for #/open. Keeping the big pages out of the first download, and
//! JSON (serde_json) out of the full build, is what keeps both small.
//!
//! Handing over: the loaded app renders into its own element (`#app-full`, `#app-open`) next
//! to the running app's; once it runs, the running app's element is hidden and it renders
//! nothing more ([`handed_over`]). Each build is a superset of the one before, so the app that
//! took over draws every page a user can go back to.

use std::cell::Cell;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::hooks::use_effect_on;
use crate::i18n::T;
use crate::route::Route;

/// A build this one can hand a page over to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Build {
    /// `synack-full`: every page but #/open.
    Full,
    /// `synack-open`: every page.
    Open,
}

impl Build {
    /// The build that draws `route` (a route this build cannot draw itself).
    pub fn for_route(route: Route) -> Build {
        if route == Route::Open {
            Build::Open
        } else {
            Build::Full
        }
    }

    /// (its JS, its wasm, the element it renders into: src/bin/*.rs).
    fn files(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Build::Full => ("./synack-full.js", "./synack-full_bg.wasm", "app-full"),
            Build::Open => ("./synack-open.js", "./synack-open_bg.wasm", "app-open"),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

thread_local! {
    /// Per [`Build`]: its load has been started (and has not failed).
    static STARTED: Cell<[bool; 2]> = const { Cell::new([false; 2]) };
    static HANDED_OVER: Cell<bool> = const { Cell::new(false) };
    /// The test id of the control that asked for the full build ([`in_full_build`]), to be
    /// focused again once it has drawn the page.
    static REFOCUS: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// True once another build runs the page: this app then draws nothing.
pub fn handed_over() -> bool {
    HANDED_OVER.with(Cell::get)
}

// `synack-full.js` and `synack-open.js` are wasm-bindgen's "no-modules" output (Trunk builds
// worker-type binaries so): a classic script defining the global `wasm_bindgen` init function.
// The loader runs each inside a block of its own, so that the second build's `let wasm_bindgen`
// does not clash with the first's. The builds' stylesheets (`css`, comma-separated) load in
// parallel; the app starts once all are in, so its pages never show unstyled. The loader is a
// global function of index.html's first script (Trunk.toml, `pattern_script`), not an
// `inline_js` snippet: wasm-bindgen imports a snippet from the app's JS module, which holds back
// the start of every page until it has arrived.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = synackLoadFull)]
    fn load_build(js: &str, wasm: &str, css: &str) -> Result<js_sys::Promise, JsValue>;
}

/// The stylesheets of the pages of the full and open builds (`static/full/`, copied as a folder
/// by index.html), in cascade order; both builds load all of them (the loader fetches each once).
/// The one list of them: a new sheet is a file there and a name here.
const CSS: &str = "./full/reference.css,./full/panels.css,./full/quiz.css,./full/window.css,\
                   ./full/open.css,./full/print.css,./full/present.css";

/// Creates the build's element after this app's (once), loads the build, then hides this app.
fn start(build: Build, on_error: Callback<String>) {
    let i = build.index();
    let started = STARTED.with(|s| {
        let mut all = s.get();
        let was = all[i];
        all[i] = true;
        s.set(all);
        was
    });
    if started {
        return;
    }
    let Some(doc) = crate::dom::document() else {
        return;
    };
    let (js, wasm, root) = build.files();
    let own = crate::dom::root_id();
    if doc.get_element_by_id(root).is_none() {
        if let (Ok(el), Some(app)) = (doc.create_element("div"), doc.get_element_by_id(&own)) {
            el.set_id(root);
            let _ = app.after_with_node_1(&el);
        }
    }
    // Without index.html's loader (another host page) the call throws: say so, like a failure.
    let promise = load_build(js, wasm, CSS);
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = match promise {
            Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
            Err(e) => Err(e),
        };
        match loaded {
            Ok(_) => {
                HANDED_OVER.with(|h| h.set(true));
                let doc = crate::dom::document();
                let app = doc.as_ref().and_then(|d| d.get_element_by_id(&own));
                // The control the keyboard was on, by its test id: hiding this app takes the
                // focus away with it, and a keyboard user was sent back to the top of the page
                // ("State machine" on a first-load scene). A control of the page being left (the
                // view tabs) was recorded when it was pressed ([`in_full_build`]); one that stays
                // (the header's Node.js switch) is still focused.
                let focused = REFOCUS.with(|r| r.take()).or_else(|| {
                    doc.as_ref()
                        .and_then(|d| d.active_element())
                        .filter(|el| app.as_ref().is_some_and(|a| a.contains(Some(&**el))))
                        .and_then(|el| el.get_attribute("data-testid"))
                });
                // Focused before this app is hidden where the new one has drawn it already, so
                // that the browser still shows it as the keyboard's (:focus-visible).
                let moved = focused.as_deref().is_some_and(|id| focus_in(root, id));
                if let Some(app) = &app {
                    let _ = app.set_attribute("hidden", "");
                }
                if let (Some(id), false) = (focused, moved) {
                    // The new app draws the page a few frames later (its data, its measured
                    // width): look for the control for up to a second.
                    for _ in 0..60 {
                        next_frame().await;
                        if focus_in(root, &id) {
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                STARTED.with(|s| {
                    let mut all = s.get();
                    all[i] = false;
                    s.set(all);
                });
                on_error.emit(
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                        .or_else(|| e.as_string())
                        .unwrap_or_else(|| "unknown error".into()),
                );
            }
        }
    });
}

/// Focuses the control with test id `id` inside the element `root`, if it is there.
fn focus_in(root: &str, id: &str) -> bool {
    crate::dom::document()
        .and_then(|d| d.get_element_by_id(root))
        .and_then(|r| {
            r.query_selector(&format!("[data-testid=\"{id}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|el| el.focus().is_ok())
}

/// Resolves at the next animation frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |ok, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&ok);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Presentation mode and teacher notes are drawn by the full build only. Asked for here (the
/// Present button, the `f` key, "✎ Note"), `key=value` is written into the link as a real
/// navigation, so that [`super::page_for`] hands the page over to the full build as it does for
/// the Node.js view; the full build reads the key from the link. (For presentation it also asks
/// for full screen itself: the click's user activation is still valid while it loads.)
pub fn in_full_build(key: &str, value: &str) {
    // The navigation replaces the scene with the loading stand-in, and the control pressed
    // with it: remember which it was (the keyboard's place, see `start`).
    let focused = crate::dom::document()
        .and_then(|d| d.active_element())
        .and_then(|el| el.get_attribute("data-testid"));
    REFOCUS.with(|r| *r.borrow_mut() = focused);
    let mut loc = crate::route::Location::parse(&crate::dom::current_hash());
    loc.query.set(key, value);
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&loc.to_hash());
    }
}

/// The root element's attribute that carries an export asked for in the first-load build to the
/// full build (`handout::use_pending_export`): "svg", "png" or "print".
pub const PENDING_EXPORT: &str = "data-pending-export";

/// Export and Print, pressed in the first-load build: handouts are drawn by the full build
/// only. The scene stays on screen while the full build loads (no navigation, unlike
/// [`in_full_build`]); the request waits on the root element, and the full build, which reads
/// the same link, draws the scene and carries it out. `on_error`: the load failed.
#[cfg(not(feature = "full"))]
pub fn export_in_full_build(what: &str, on_error: Callback<String>) {
    crate::dom::set_root_attr(PENDING_EXPORT, what);
    start(Build::Full, on_error);
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub route: Route,
}

#[component]
pub fn LoadFull(p: &Props) -> Html {
    let lang = crate::app::use_shell().lang;
    let error = use_state(|| None::<String>);
    {
        let error = error.clone();
        let build = Build::for_route(p.route);
        use_effect_on((), move |_| {
            start(build, Callback::from(move |e| error.set(Some(e))))
        });
    }
    let title = p.route.title().get(lang);
    html! {
        <div class="page loading-page" data-testid="loading-full">
            <h1>{ title }</h1>
            if let Some(e) = &*error {
                <div class="notice error" role="alert" data-testid="load-full-error">
                    <strong>{ T::new("这一页没能加载。", "This page could not be loaded.").get(lang) }</strong>
                    <p class="mono">{ e.clone() }</p>
                    <p>{ T::new("请检查网络后刷新页面；首页和三个基础场景不受影响。",
                                "Check the connection and reload; the home page and the first three scenes still work.").get(lang) }</p>
                </div>
            } else {
                <p class="loading" role="status">{ T::new("正在加载这一页……", "Loading this page…").get(lang) }</p>
            }
        </div>
    }
}
