//! The player mounted in a page (headless Chromium): what a knob change costs it.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test as test;
use yew::prelude::*;

use super::{Player, RENDERS};
use crate::engine::layout::Ladder;
use crate::engine::params::View;
use crate::engine::Shared;
use crate::i18n::Lang;
use crate::route::Route;
use synack_model::trace::Trace;

/// What a scene page hands the player: its run and its last jump.
#[derive(Clone, PartialEq)]
struct Shown {
    trace: Shared<Trace>,
    ladder: Shared<Ladder>,
    jump: Option<(u64, u32)>,
}

/// The handshake run at this one-way delay.
fn shown(latency_ms: u32, jump: Option<(u64, u32)>) -> Shown {
    let mut p = crate::scenes::of(Route::Handshake)
        .expect("a scene")
        .base_params();
    p.latency_ms = latency_ms;
    let trace = crate::scenes::run_for_test(Route::Handshake, &p).expect("the handshake runs");
    Shown {
        ladder: Shared::new(Ladder::build(&trace, None)),
        trace: Shared::new(trace),
        jump,
    }
}

thread_local! {
    /// The host's state, for the test to change as a knob would.
    static SHOWN: RefCell<Option<UseStateHandle<Shown>>> = const { RefCell::new(None) };
}

/// A page with a player and nothing else.
#[component]
fn Host() -> Html {
    let shown = use_state(|| shown(40, None));
    SHOWN.with(|s| *s.borrow_mut() = Some(shown.clone()));
    html! {
        <Player trace={shown.trace.clone()} ladder={shown.ladder.clone()} lang={Lang::En}
            init_t={Some(30_000)} speed={1.0} numbering={crate::engine::params::Params::defaults("normal").numbering}
            view={View::Ladder} autoplay={false} on_change={Callback::noop()} jump={shown.jump}
            export_name={AttrValue::from("test")} />
    }
}

/// Waits `ms` of real time: Yew's scheduler, the effects, the frame after them.
async fn wait(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Waits until `done` holds (up to 2 s), then `ms` more: whatever the change still renders.
async fn until(done: impl Fn() -> bool, ms: i32) {
    for _ in 0..40 {
        if done() {
            break;
        }
        wait(50).await;
    }
    wait(ms).await;
}

fn data_t(root: &web_sys::Element) -> Option<String> {
    root.query_selector("[data-testid=player]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-t"))
}

#[test]
async fn a_new_trace_and_the_scenes_jump_to_its_start_render_the_player_once() {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    let app = yew::Renderer::<Host>::with_root(root.clone().unchecked_into()).render();
    until(|| data_t(&root).is_some(), 300).await;
    assert_eq!(
        data_t(&root).as_deref(),
        Some("30000"),
        "opened where the link says"
    );
    let set = |s: Shown| SHOWN.with(|h| h.borrow().as_ref().expect("mounted").set(s));
    // A scene knob: a new run, and the scene asks for its start.
    let before = RENDERS.with(|n| n.get());
    set(shown(60, Some((0, 1))));
    // At the start once drawn (the old player drew the new run at the old playhead first,
    // then rendered again at the start, a few ms later), then nothing more.
    until(|| data_t(&root).as_deref() == Some("0"), 300).await;
    assert_eq!(
        data_t(&root).as_deref(),
        Some("0"),
        "at the new run's start"
    );
    assert_eq!(
        RENDERS.with(|n| n.get()) - before,
        1,
        "renders for a scene knob"
    );
    // A network knob: a new run, the playhead kept where it is.
    let before = RENDERS.with(|n| n.get());
    set(Shown {
        jump: Some((0, 1)),
        ..shown(20, None)
    });
    until(|| RENDERS.with(|n| n.get()) > before, 300).await;
    assert_eq!(
        RENDERS.with(|n| n.get()) - before,
        1,
        "renders for a network knob"
    );
    app.destroy();
    root.remove();
}
