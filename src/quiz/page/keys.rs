//! The interview page's keyboard: 1–4 pick a choice, Enter submits (then goes to the next
//! question).

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::state::{Act, St};

/// `choices`: how many the question has (0 for a typed number). Re-attached on every render,
/// so the handler sees the current state.
#[hook]
pub fn use_quiz_keys(st: UseReducerHandle<St>, choices: usize, submit: Callback<()>) {
    use_effect(move || {
        let window = web_sys::window().expect("window");
        let opts = EventListenerOptions::enable_prevent_default();
        let l = EventListener::new_with_options(&window, "keydown", opts, move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let el = crate::dom::target_element(e);
            let tag = el.as_ref().map(|el| el.tag_name()).unwrap_or_default();
            let on_choice = el
                .as_ref()
                .is_some_and(|el| el.has_attribute("data-choice"));
            let key = e.key();
            if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
                return;
            }
            if let Some(d) = key
                .parse::<usize>()
                .ok()
                .filter(|d| (1..=choices).contains(d))
            {
                e.prevent_default();
                st.dispatch(Act::Pick(d - 1));
            } else if key == "Enter"
                && (on_choice || !matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY"))
            {
                e.prevent_default();
                if st.verdict.is_some() {
                    st.dispatch(Act::Next);
                } else {
                    submit.emit(());
                }
            }
        });
        move || drop(l)
    });
}
