//! The player's keyboard shortcuts: Space play/pause, ←/→ step, [ and ] or Home and End
//! start/end, `f` presentation mode (Esc leaves it: `present`). The transport's buttons name
//! them in their titles and `aria-keyshortcuts` (`transport`).

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::engine::playback::Action;
use crate::hooks::use_effect_on;

/// Listens on the window for the whole life of the player. `locked` is read on each key (it
/// changes while a question is open), not captured once.
#[hook]
pub fn use_transport_keys(pb: Callback<Action>, locked: bool, on_present: Callback<()>) {
    let held = use_mut_ref(|| false);
    *held.borrow_mut() = locked;
    use_effect_on((), move |_| {
        let window = web_sys::window().expect("window");
        // Not passive: Space and the arrows must not also scroll the page.
        let opts = EventListenerOptions::enable_prevent_default();
        let listener = EventListener::new_with_options(&window, "keydown", opts, move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if e.ctrl_key() || e.meta_key() || e.alt_key() || *held.borrow() {
                return;
            }
            let tag = crate::dom::target_element(e)
                .map(|el| el.tag_name())
                .unwrap_or_default();
            // Typing in a field is not a shortcut.
            if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
                return;
            }
            let action = match e.key().as_str() {
                "f" | "F" => {
                    e.prevent_default();
                    on_present.emit(());
                    return;
                }
                // On a focused button Space presses the button instead, and on a fold's
                // summary (the embed's network knobs, the Node.js panel's programs) it opens
                // the fold: played instead, a keyboard could not open them with Space.
                " " if !matches!(tag.as_str(), "BUTTON" | "SUMMARY") => Action::Toggle,
                "ArrowRight" => Action::Step(1),
                "ArrowLeft" => Action::Step(-1),
                // Home and End too: the keys a reader tries first for "the very start/end"
                // (a slider, the view tabs and a list take them so too). In a field they are
                // the field's (above), and the view tabs keep theirs (`legend`).
                "[" | "Home" => Action::Start,
                "]" | "End" => Action::End,
                _ => return,
            };
            e.prevent_default();
            pb.emit(action);
        });
        move || drop(listener)
    });
}
