//! synack's web app: a Yew single-page app that draws the protocol model's traces.
//!
//! A library so the pure parts (routing, layout, labels, URL parameters) are testable with
//! `wasm-bindgen-test`; `main.rs` only calls [`start`].

pub mod app;
pub mod dom;
pub mod engine;
pub mod hooks;
pub mod i18n;
pub mod num;
pub mod pages;
pub mod prefs;
pub mod quiz;
pub mod route;
pub mod scenes;

pub fn start() {
    // Before anything can panic: a crash must show its message, never a blank page.
    dom::install_panic_hook();
    let root = dom::document()
        .and_then(|d| d.get_element_by_id("app"))
        .expect("index.html has <div id=\"app\">");
    yew::Renderer::<app::App>::with_root(root).render();
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
