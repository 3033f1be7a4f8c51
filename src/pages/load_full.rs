//! The first-load build carries the landing page and the first scenes (`scenes::ALL` without the
//! `full` feature); for every other page it shows this stand-in, which fetches the full build (`synack-full`, the same app
//! with every page, see the `full` feature in Cargo.toml) and hands the page over to it. Keeping
//! the big pages out of the first download is what keeps the first load small.
//!
//! Handing over: the full app renders into `#app-full`, next to `#app`; once it runs, `#app` is
//! hidden and this app renders nothing more ([`handed_over`]).

use std::cell::Cell;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::i18n::T;
use crate::route::Route;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    static HANDED_OVER: Cell<bool> = const { Cell::new(false) };
}

/// True once the full build runs the page: the first-load app then draws nothing.
pub fn handed_over() -> bool {
    HANDED_OVER.with(Cell::get)
}

// `synack-full.js` is wasm-bindgen's "no-modules" output (Trunk builds worker-type binaries so):
// a classic script defining the global `wasm_bindgen` init function. The full build's own
// stylesheets (`css`, comma-separated) load in parallel; the app starts once all are in, so its
// pages never show unstyled. The loader is a global function of index.html's first script
// (Trunk.toml, `pattern_script`), not an `inline_js` snippet: wasm-bindgen imports a snippet
// from the app's JS module, which holds back the start of every page until it has arrived.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = synackLoadFull)]
    fn load_full_app(js: &str, wasm: &str, css: &str) -> Result<js_sys::Promise, JsValue>;
}

const JS: &str = "./synack-full.js";
const WASM: &str = "./synack-full_bg.wasm";
/// The full build's stylesheets (`static/full/`, copied as a folder by index.html), in cascade
/// order. The one list of them: a new sheet is a file there and a name here.
const CSS: &str = "./full/reference.css,./full/panels.css,./full/quiz.css,./full/window.css,\
                   ./full/open.css,./full/print.css,./full/present.css";

/// Creates `#app-full` after `#app` (once), loads the full build, then hides `#app`.
fn start(on_error: Callback<String>) {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    let Some(doc) = crate::dom::document() else {
        return;
    };
    if doc.get_element_by_id("app-full").is_none() {
        if let (Ok(el), Some(app)) = (doc.create_element("div"), doc.get_element_by_id("app")) {
            el.set_id("app-full");
            let _ = app.after_with_node_1(&el);
        }
    }
    // Without index.html's loader (another host page) the call throws: say so, like a failure.
    let promise = load_full_app(JS, WASM, CSS);
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = match promise {
            Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
            Err(e) => Err(e),
        };
        match loaded {
            Ok(_) => {
                HANDED_OVER.with(|h| h.set(true));
                if let Some(app) = crate::dom::document().and_then(|d| d.get_element_by_id("app")) {
                    let _ = app.set_attribute("hidden", "");
                }
            }
            Err(e) => {
                STARTED.with(|s| s.set(false));
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

/// Presentation mode and teacher notes are drawn by the full build only. Asked for here (the
/// Present button, the `f` key, "✎ Note"), `key=value` is written into the link as a real
/// navigation, so that [`super::page_for`] hands the page over to the full build as it does for
/// the Node.js view; the full build reads the key from the link. (For presentation it also asks
/// for full screen itself: the click's user activation is still valid while it loads.)
pub fn in_full_build(key: &str, value: &str) {
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
    start(on_error);
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
        use_effect_with((), move |_| {
            start(Callback::from(move |e| error.set(Some(e))))
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
