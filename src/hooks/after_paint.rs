//! Progressive rendering: parts of a page below the fold wait until the first frame is painted.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::hooks::use_effect_on;

/// `false` on the first render, `true` once the browser has painted a frame after it. A page
/// renders its secondary parts (below the diagram, out of the first screen) only when this is
/// `true`, so they do not hold up the first frame: on the first load every component rendered
/// before the first paint also pays for compiling its code (V8 compiles wasm functions lazily,
/// on first call).
#[hook]
pub fn use_after_paint() -> bool {
    let painted = use_state(|| false);
    {
        let painted = painted.clone();
        use_effect_on((), move |_| {
            let alive = Rc::new(Cell::new(true));
            let alive2 = alive.clone();
            after_next_paint(move || {
                if alive2.get() {
                    painted.set(true);
                }
            });
            move || alive.set(false)
        });
    }
    *painted
}

/// Runs `f` once the browser has painted its next frame: a requestAnimationFrame callback
/// runs just before a frame is painted, and a task it queues runs after that paint.
pub fn after_next_paint(f: impl FnOnce() + 'static) {
    let after_frame = Closure::once_into_js(move || crate::dom::later(0, f));
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(after_frame.unchecked_ref());
    }
}
