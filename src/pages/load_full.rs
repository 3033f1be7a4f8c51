//! The first-load build carries the landing page and the first scenes (`scenes::ALL` without the
//! `full` feature); for every other page it shows this stand-in, which fetches the full build (`synack-full`, the same app
//! with every page, see the `full` feature in Cargo.toml) and hands the page over to it. Keeping
//! the big pages out of the first download is what keeps the first load small.
//!
//! Handing over: the full app renders into `#app-full`, next to `#app`; once it runs, `#app` is
//! hidden and this app is unmounted ([`handed_over`]).
//!
//! The first-load scenes hand over too, by themselves ([`hand_over_when_idle`]): a link opened
//! straight onto one of them gets its teaching paragraphs and handouts without a click.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::i18n::T;
use crate::route::Route;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    static HANDED_OVER: Cell<bool> = const { Cell::new(false) };
    /// The stand-in waiting for the full build: told if it cannot be loaded.
    static ON_ERROR: RefCell<Option<Callback<String>>> = const { RefCell::new(None) };
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
    fn load_full_app(
        js: &str,
        wasm: &str,
        css: &str,
        later: bool,
    ) -> Result<js_sys::Promise, JsValue>;
}

const JS: &str = "./synack-full.js";
const WASM: &str = "./synack-full_bg.wasm";
/// The full build's stylesheets (`static/full/`, copied as a folder by index.html), in cascade
/// order. The one list of them: a new sheet is a file there and a name here.
const CSS: &str = "./full/reference.css,./full/panels.css,./full/quiz.css,./full/window.css,\
                   ./full/open.css,./full/print.css,./full/present.css";

/// Creates `#app-full` after `#app` (once) and loads the full build into it, then hands the
/// page over ([`swap`]). `on_error`: the stand-in to tell if the load fails. `None`: a
/// first-load scene asking in the background; the full build is then fetched and compiled but
/// started only at the swap, so that the page is never drawn twice, and a failure is quiet (the
/// scene on screen goes on working).
fn start(on_error: Option<Callback<String>>) {
    let later = on_error.is_none();
    if on_error.is_some() {
        ON_ERROR.with(|e| *e.borrow_mut() = on_error);
    }
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    let Some(doc) = crate::dom::document() else {
        return;
    };
    if doc.get_element_by_id("app-full").is_none() {
        if let (Ok(el), Some(app)) = (doc.create_element("div"), doc.get_element_by_id("app")) {
            el.set_id("app-full");
            let _ = el.set_attribute("hidden", "");
            let _ = app.after_with_node_1(&el);
        }
    }
    // Without index.html's loader (another host page) the call throws: say so, like a failure.
    let promise = load_full_app(JS, WASM, CSS, later);
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = match promise {
            Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
            Err(e) => Err(e),
        };
        match loaded {
            Ok(run) => swap(run.dyn_into::<js_sys::Function>().ok()),
            Err(e) => failed(e),
        }
    });
}

fn failed(e: JsValue) {
    STARTED.with(|s| s.set(false));
    if let Some(on_error) = ON_ERROR.with(|e| e.borrow_mut().take()) {
        on_error.emit(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "unknown error".into()),
        );
    }
}

/// Shows `#app-full` instead of `#app` and unmounts this app, once the reader is in the middle
/// of nothing the full build would start afresh (playback, an open inspector: it starts from
/// the link, which has the playhead, the case and the settings); looks again every 250 ms.
/// `run`: the full build, loaded but not started yet.
fn swap(run: Option<js_sys::Function>) {
    let Some(doc) = crate::dom::document() else {
        return;
    };
    let busy = ["#app [data-playing=true]", "#app [data-testid=inspector]"]
        .iter()
        .any(|sel| doc.query_selector(sel).ok().flatten().is_some());
    if busy {
        gloo::timers::callback::Timeout::new(250, move || swap(run)).forget();
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(run) = run {
            // It draws its page in the microtasks that follow, with the swap below: no frame
            // shows both apps or neither.
            let started = run.call0(&JsValue::NULL).map(js_sys::Promise::from);
            let done = match started {
                Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
                Err(e) => Err(e),
            };
            if let Err(e) = done {
                return failed(e);
            }
        }
        HANDED_OVER.with(|h| h.set(true));
        for (id, hide) in [("app", true), ("app-full", false)] {
            if let Some(el) = doc.get_element_by_id(id) {
                let _ = if hide {
                    el.set_attribute("hidden", "")
                } else {
                    el.remove_attribute("hidden")
                };
            }
        }
        crate::stop();
    });
}

/// A first-load scene, once its first frame is painted: when the browser is next idle
/// (`requestIdleCallback`; a short timer where there is none), the full build is loaded out of
/// sight and takes the page over ([`start`]). The first frame never waits for it.
pub fn hand_over_when_idle() {
    let Some(w) = web_sys::window() else {
        return;
    };
    let idle = js_sys::Reflect::get(&w, &"requestIdleCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(f) => {
            let _ = f.call1(&w, &Closure::once_into_js(|| start(None)));
        }
        None => {
            gloo::timers::callback::Timeout::new(200, || start(None)).forget();
        }
    }
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
            start(Some(Callback::from(move |e| error.set(Some(e)))))
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
