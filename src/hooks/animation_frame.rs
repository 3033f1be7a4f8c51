//! `requestAnimationFrame` as a hook that owns its loop and cancels it on cleanup.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::hooks::use_effect_on;

type Frame = Closure<dyn FnMut(f64)>;

/// While `active`, calls `on_frame` once per animation frame with the real milliseconds since
/// the previous frame (capped at 100 ms, so a background tab does not jump the playhead).
#[hook]
pub fn use_animation_frame(active: bool, on_frame: Callback<f64>) {
    use_effect_on(active, move |&active| {
        let stopped = Rc::new(Cell::new(false));
        let id = Rc::new(Cell::new(0i32));
        let slot: Rc<RefCell<Option<Frame>>> = Rc::new(RefCell::new(None));
        if active {
            let last = Rc::new(Cell::new(None::<f64>));
            let (stopped2, id2, slot2) = (stopped.clone(), id.clone(), slot.clone());
            let closure = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
                if stopped2.get() {
                    return;
                }
                if let Some(prev) = last.get() {
                    on_frame.emit(crate::num::clamp(ts - prev, 0.0, 100.0));
                }
                last.set(Some(ts));
                if stopped2.get() {
                    return;
                }
                if let (Some(w), Some(f)) = (web_sys::window(), slot2.borrow().as_ref()) {
                    if let Ok(n) = w.request_animation_frame(f.as_ref().unchecked_ref()) {
                        id2.set(n);
                    }
                }
            });
            if let Some(w) = web_sys::window() {
                if let Ok(n) = w.request_animation_frame(closure.as_ref().unchecked_ref()) {
                    id.set(n);
                }
            }
            *slot.borrow_mut() = Some(closure);
        }
        move || {
            stopped.set(true);
            if let Some(w) = web_sys::window() {
                let _ = w.cancel_animation_frame(id.get());
            }
            // The cleanup may run from inside the frame callback itself (a Tick that ends
            // playback); dropping a closure while it runs is an error, so drop it on a later
            // task instead.
            if let Some(f) = slot.borrow_mut().take() {
                crate::dom::later(0, move || drop(f));
            }
        }
    });
}
