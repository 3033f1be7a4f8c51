//! The reader's first knob change on a page, paid for before it is made.
//!
//! V8 compiles a wasm function only when it is first called (a quick baseline compile), and
//! compiles it again, optimised, once it has run enough. The page's first load runs the model,
//! the ladder's layout and the writing of its arrows once, so the reader's first knob change ran
//! them in baseline code, and for the first time wherever the new parameters took another branch
//! (a drop, a retransmission): window's first change took 110–210 ms where the later ones took
//! 35–60, and 51–81 ms with Chromium told to compile all wasm up front (profile-knob.mjs). So
//! once the page is idle after its first paint, [`use_warm_up`] runs the same work
//! for a neighbouring value of the loss knob (every scene has it, and loss reaches the recovery
//! code) and throws the result away: nothing is drawn, nothing enters the page's state, the URL
//! or the history, and the run is a pure function of the parameters, as the model is.
//!
//! It downloads nothing, so it does not wait for a reader who saves data (`Save-Data`); it
//! costs one model run of CPU, at idle. Its memory is the same as a knob change's: the page
//! holds its model while a second one is built and then dropped, as it does for every change.
//! Chromium's own switches for compiling all wasm up front are not open to a page (V8's wasm
//! compilation hints are an experiment behind a flag), so the work itself is what warms it.
//!
//! What it leaves cold (measured on window's loss knob, load 3–6): the first change still took
//! about twice a later one (median 103 ms against 52, 6 loads), and 71 ms with Chromium told to
//! compile all wasm optimised before it runs (`profile-knob.mjs`'s `SYNACK_PROFILE_FLAGS`). A
//! warm-up of four neighbours (loss 1, 4, 9 and 17 % up) instead of one did not lower it (112
//! against 127 ms, 8 loads each: noise), nor did laying out a lossy ladder's markup once,
//! hidden, at idle. So what stays cold is most likely not the model, the ladder or its arrows
//! but the rest of a redraw: the components' views and Yew's patching of the page, which only a
//! change runs (a warm-up would have to render the page, detached, to reach it).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use synack_model::trace::Proto;

use super::SceneDef;
use crate::engine::layout::Ladder;
use crate::engine::params::{Params, LOSS_MAX_PCT};
use crate::hooks::use_effect_on;
use crate::i18n::Lang;
use crate::route::Query;

/// Once the page's first frame is painted and the browser is idle, [`warm_up`] on the
/// parameters the page was opened with. Not if the page is left before.
#[hook]
pub fn use_warm_up(scene: &'static SceneDef, p: &Params, own: &Query, lang: Lang) {
    let (p, own) = (p.clone(), own.clone());
    use_effect_on((), move |_| {
        let alive = std::rc::Rc::new(std::cell::Cell::new(true));
        let still = alive.clone();
        let run = move || {
            if still.get() {
                warm_up(scene, &p, &own, lang);
            }
        };
        // After the next paint (`crate::hooks::after_next_paint`), the browser's next idle
        // time, or a task where it has no requestIdleCallback (Safari).
        crate::hooks::after_next_paint(move || {
            let Some(w) = web_sys::window() else { return };
            let run = Closure::once_into_js(run);
            if w.request_idle_callback(run.unchecked_ref()).is_err() {
                let _ = w.set_timeout_with_callback(run.unchecked_ref());
            }
        });
        move || alive.set(false)
    });
}

/// What a change of the loss knob from `p` runs before the page draws it: the model, the
/// scene's ladders and their arrows as written. The result is dropped; returned is the number
/// of arrows written, for the tests.
pub fn warm_up(scene: &SceneDef, p: &Params, own: &Query, lang: Lang) -> usize {
    let Ok(trace) = scene.run(&neighbour(p), own) else {
        return 0;
    };
    let protos: &[Option<Proto>] = if scene.split_by_proto {
        &[Some(Proto::Tcp), Some(Proto::Udp)]
    } else {
        &[None]
    };
    let geo = crate::engine::ladder::Geometry::new(720.0);
    let mut arrows = 0;
    for &proto in protos {
        // One ladder at a time: no more memory held at once than a knob change holds.
        let ladder = Ladder::build(&trace, proto);
        let drawn = crate::engine::ladder::drawn_for(&ladder, &trace, geo, p.numbering, lang);
        arrows += drawn.group_of.len();
    }
    arrows
}

/// `p` with the loss knob one step (1 %) up, or down at its top.
fn neighbour(p: &Params) -> Params {
    let up = p.loss_pct + 1.0;
    Params {
        loss_pct: if up <= LOSS_MAX_PCT {
            up
        } else {
            p.loss_pct - 1.0
        },
        ..p.clone()
    }
}
