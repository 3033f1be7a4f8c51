//! The timeline: a tick per segment sent, coloured by kind, under a scrubber. Both follow the
//! ladder's warped time axis (folded idle gaps take as little room as they do in the diagram).

use yew::prelude::*;

use crate::engine::labels::{SegKind, SegKindText};
use crate::engine::layout::Ladder;
use crate::engine::playback::Action;
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::num;

/// The scrubber's positions (its `max`): fine enough for one per pixel on a wide screen.
const SCRUB_STEPS: f64 = 10_000.0;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub ladder: Shared<Ladder>,
    /// The playhead, µs.
    pub t: f64,
    pub locked: bool,
    pub lang: Lang,
    pub on_action: Callback<Action>,
}

#[component]
pub fn Timeline(p: &Props) -> Html {
    let ticks = use_memo(p.ladder.clone(), |l| timeline_ticks(l));
    let on_scrub = {
        let (ladder, on_action) = (p.ladder.clone(), p.on_action.clone());
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let v = num::parse_f64(&input.value()).unwrap_or(0.0);
            let (y0, y_end) = span(&ladder);
            let t = ladder.warp.t(y0 + (y_end - y0) * v / SCRUB_STEPS);
            on_action.emit(Action::Pause);
            on_action.emit(Action::Seek(t));
        })
    };
    let value = {
        let (y0, y_end) = span(&p.ladder);
        if y_end > y0 {
            ((p.ladder.warp.y(p.t) - y0) / (y_end - y0) * SCRUB_STEPS).round()
        } else {
            0.0
        }
    };
    html! {
        <div class="timeline">
            <svg class="ticks" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
                { for ticks.iter().map(|(k, d)| html! { <path class={format!("k-{}", k.css())} d={d.clone()} /> }) }
            </svg>
            <input type="range" class="scrub" disabled={p.locked} data-testid="scrub" min="0" max="10000" step="1"
                value={num::shortest(value)} oninput={on_scrub}
                aria-label={T::new("时间轴", "Timeline").get(p.lang)} />
        </div>
    }
}

/// Where the drawing starts and ends on the warped axis.
fn span(l: &Ladder) -> (f64, f64) {
    (l.warp.y(0.0), l.warp.y(l.end() as f64))
}

/// One SVG path per segment kind with a tick per send, positioned on the warped axis like the
/// scrubber (0..1000).
fn timeline_ticks(l: &Ladder) -> Vec<(SegKind, String)> {
    let y0 = l.warp.y(0.0);
    let y1 = l.warp.y(l.end() as f64).max(y0 + 1.0);
    // One path per kind in `SegKind::ALL` order (an array, not a map: less first-load code).
    let mut by: [String; SegKind::ALL.len()] = Default::default();
    for a in &l.arrows {
        let x = (a.y0 - y0) / (y1 - y0) * 1000.0;
        let k = SegKind::ALL.iter().position(|k| *k == a.kind).unwrap_or(0);
        by[k].push_str(&format!("M{} 0V10", num::fixed(x, 1)));
    }
    SegKind::ALL
        .into_iter()
        .zip(by)
        .filter(|(_, d)| !d.is_empty())
        .collect()
}
