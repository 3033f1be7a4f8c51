//! Where a file is given to the page: a file input inside a zone files can be dropped on.

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::{Lang, T};

#[derive(Properties, PartialEq)]
pub(super) struct DropProps {
    pub(super) lang: Lang,
    /// A file chosen or dropped.
    pub(super) on_file: Callback<web_sys::File>,
}

#[component]
pub(super) fn DropZone(p: &DropProps) -> Html {
    let lang = p.lang;
    // A file is dragged over the zone: it is highlighted.
    let dragging = use_state(|| false);
    let on_input = {
        let on_file = p.on_file.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                on_file.emit(f);
            }
            // Let the same file be chosen again (after fixing it on disk).
            input.set_value("");
        })
    };
    let on_dragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_dragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let dragging = dragging.clone();
        let on_file = p.on_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|l| l.get(0))
            {
                on_file.emit(f);
            }
        })
    };

    html! {
        <label class={classes!("drop-zone", dragging.then_some("over"))} data-testid="drop-zone"
            ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
            <strong>{ T::new("把文件拖到这里，或点击选择", "Drop a file here, or click to choose one").get(lang) }</strong>
            <span class="muted">{ ".json · .pcap · .pcapng · .pcap.gz" }</span>
            <input type="file" data-testid="open-input" accept=".json,.pcap,.pcapng,.cap,.gz,application/json"
                onchange={on_input} />
        </label>
    }
}
