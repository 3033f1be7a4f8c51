//! synack's web app: a Yew single-page app that draws the protocol model's traces.
//!
//! A library so the pure parts (routing, layout, labels, URL parameters) are testable with
//! `wasm-bindgen-test`; `main.rs` only calls [`start`].

/// The global allocator: dlmalloc, the very allocator Rust's std uses on wasm32, but as a crate,
/// so that it is compiled with the settings of the build that uses it. The wasm32 std of our
/// toolchain is compiled for size (opt-level "z"), and its allocator was a fifth of the model's
/// running time in the browser. The shipped app is built with "z" anyway, so nothing changes
/// for it; the model benchmark (`xtask/bench-wasm/tests/model.rs`) declares the same allocator
/// and gets it at the `bench` profile's opt-level 3, like the model itself. The app's dlmalloc
/// has a system allocator of its own, which starts the heap in the initial memory's unused tail
/// rather than in a grown page ([`heap`]); the benchmark keeps the crate's, as the heap's
/// placement does not change the model's speed.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: heap::Heap = heap::Heap;

pub mod app;
pub mod dom;
pub mod engine;
pub mod heap;
pub mod hooks;
pub mod i18n;
pub mod num;
pub mod pages;
pub mod prefs;
#[cfg(feature = "full")]
pub mod quiz;
pub mod route;
pub mod scenes;
pub mod sort;
pub mod texts;

pub fn start() {
    start_in("app");
}

/// Renders the app into the element with id `root` (`app` from index.html; `app-full` for the
/// full build, which the first-load build prepares before loading it).
pub fn start_in(root: &str) {
    // Before anything can panic: a crash must show its message, never a blank page.
    dom::install_panic_hook();
    dom::set_root_id(root);
    let el = dom::document()
        .and_then(|d| d.get_element_by_id(root))
        .expect("the page has the app's root element");
    yew::Renderer::<app::App>::with_root(el).render();
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
