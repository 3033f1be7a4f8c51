//! The narration under the diagram: every event of the latest moment at or before the playhead,
//! in words.

use yew::prelude::*;

use synack_model::trace::{EventKind, Header, Proto, SocketId, Trace};

use crate::engine::labels::Isns;
use crate::engine::ladder::fmt_ms;
use crate::engine::narration::{narrated, sentence};
use crate::engine::teach::Teach;
use crate::engine::Shared;
use crate::hooks::use_effect_on;
use crate::i18n::{Lang, T};

/// At most this many sentences of one moment are shown (see the memo in [`Narration`]).
const NARRATION_LINES: usize = 40;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub trace: Shared<Trace>,
    pub isns: Shared<Isns>,
    /// The playhead, µs.
    pub t: f64,
    /// Only this protocol's events (a scene showing one of two).
    pub only: Option<Proto>,
    pub lang: Lang,
    /// The scene's teaching paragraphs, shown beside the sentences.
    #[prop_or_default]
    pub teach: Option<Teach>,
}

/// The step at the playhead: the events of its moment, `first..upto`. The narration tells
/// them; a note belongs to the last of them.
pub(super) fn step_at(trace: &Trace, t: f64) -> (usize, usize) {
    let upto = trace.events.partition_point(|e| (e.t as f64) <= t);
    let first = match upto.checked_sub(1) {
        Some(last) => {
            let m = trace.events[last].t;
            trace.events[..upto].partition_point(|e| e.t < m)
        }
        None => 0,
    };
    (first, upto)
}

#[component]
pub fn Narration(p: &Props) -> Html {
    let trace = &*p.trace;
    let t = p.t;
    let (first, upto) = step_at(trace, t);
    let api = crate::app::use_shell().api;
    let isns = p.isns.clone();
    // Worded once per moment, not per frame: a burst (a thousand datagrams sent at once) is a
    // thousand lines.
    let lines = use_memo(
        (p.trace.clone(), first, upto, p.lang, p.only, api),
        move |(trace, first, upto, lang, only, api)| {
            if *upto == 0 {
                let hint = T::new(
                    "按 ▶ 播放，或用 → 一步一步看。",
                    "Press ▶ to play, or → to go one step at a time.",
                );
                return Shared::new(vec![hint.get(*lang).to_string()]);
            }
            let mut told = (*first..*upto)
                .filter(|&i| keep_event(trace, i, *only) && narrated(&trace.events[i].kind));
            let mut lines: Vec<String> = told
                .by_ref()
                .take(NARRATION_LINES)
                .filter_map(|i| sentence(trace, &isns, i, *lang, *api))
                .collect();
            // A burst is summed up after its first lines: a thousand datagrams sent at once
            // would cost the frame a thousand paragraphs that nobody reads at one moment; the
            // ladder shows every one of them. The rest are counted, not worded.
            let more = told.count();
            if more > 0 {
                lines.push(match *lang {
                    Lang::Zh => format!("……此刻还有 {more} 件事。"),
                    Lang::En => format!("… and {more} more at this moment."),
                });
            }
            Shared::new(lines)
        },
    );
    // Which paragraph, once per moment too (in the first load, once its words are in: see
    // `scenes::teach::words`).
    let why = *use_memo(
        (p.trace.clone(), first, upto, p.teach.clone()),
        |(trace, first, upto, teach)| {
            crate::engine::teach::paragraph(teach.as_ref()?, trace, *first..*upto)
        },
    );
    html! {
        <div class="narration" data-testid="narration" aria-live="polite">
            <span class="narr-time mono">{ fmt_ms(t as u64) }</span>
            <NarrationLines lines={(*lines).clone()} lang={p.lang} />
            // (Empty: a row the Node view words itself, while its file is on its way.)
            if let Some(why) = why.filter(|w| !w.en.is_empty()) {
                <p class="teach" data-testid="teach" lang={p.lang.code()}>{ why.get(p.lang) }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LinesProps {
    lines: Shared<Vec<String>>,
    lang: Lang,
}

/// The cue under sentences that go on below the box's fold, and the same button once the last
/// line is in view (it stays, so that a keyboard pressing it keeps its focus).
const MORE: T = T::new("▾ 下面还有，滚动查看", "▾ more below: scroll");
const BACK: T = T::new("▴ 回到第一句", "▴ back to the first sentence");

/// Where the box of sentences stands: all of them in view, more under the fold, or scrolled to
/// the last line.
#[derive(Clone, Copy, PartialEq)]
enum Fold {
    Whole,
    More,
    End,
}

/// The narration's sentences: re-rendered only when the moment (and so the memo) changes.
///
/// Where the screen is short (a laptop's first screen, a phone) the box keeps to a whole number
/// of lines (static/style.css), so its fold falls between two lines, never through one; when
/// sentences go on under the fold, a cue says so, and pressing it scrolls one boxful on. A box
/// that just stopped mid-sentence read as text cut off by mistake.
#[component]
fn NarrationLines(p: &LinesProps) -> Html {
    let node = use_node_ref();
    let flow = use_node_ref();
    let fold = use_state_eq(|| Fold::Whole);
    // Measured when the sentences' own box changes size, whatever changed it: new sentences,
    // the window, the layout around the box, a font arriving (a CJK face loaded after the first
    // layout wrapped the same sentences onto more lines and left the cue off: the geometry test
    // caught it on a busy machine), and as the box scrolls. A `ResizeObserver` calls back
    // after the frame's layout and before its paint, once when it starts too: the heights
    // read then are laid out already (reading them right after a render forced a layout of the
    // whole page, which the frame then did again: about 5 ms of the backlog flood knob's
    // 50-60 in a profile), and the cue is drawn in that same frame.
    {
        let (node, flow, fold) = (node.clone(), flow.clone(), fold.clone());
        use_effect_on(p.lines.clone(), move |_| {
            let measure = {
                let node = node.clone();
                move || {
                    if let Some(el) = node.cast::<web_sys::Element>() {
                        let (all, top, seen) =
                            (el.scroll_height(), el.scroll_top(), el.client_height());
                        fold.set(if all <= seen + 2 {
                            Fold::Whole
                        } else if top + seen >= all - 2 {
                            Fold::End
                        } else {
                            Fold::More
                        });
                    }
                }
            };
            let watch = flow
                .cast::<web_sys::Element>()
                .and_then(|el| crate::dom::on_resize(&el, measure.clone()));
            let on_scroll = node
                .cast::<web_sys::Element>()
                .map(|el| gloo::events::EventListener::new(&el, "scroll", move |_| measure()));
            move || drop((watch, on_scroll))
        });
    }
    let onclick = {
        let (node, at) = (node.clone(), *fold);
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = node.cast::<web_sys::Element>() {
                // A boxful on (the box is a whole number of lines, so the next line comes
                // first), or back to the top from the end.
                el.set_scroll_top(match at {
                    Fold::End => 0,
                    _ => el.scroll_top() + el.client_height(),
                });
            }
        })
    };
    let cue = match *fold {
        Fold::Whole => None,
        Fold::More => Some(MORE),
        Fold::End => Some(BACK),
    };
    html! {
        <>
            // Focusable: it scrolls, and a keyboard must reach what is below its fold.
            <div class="narr-lines" tabindex="0" role="log" ref={node}>
                <div class="narr-flow" ref={flow}>{ for p.lines.iter().map(|l| html! { <p>{ l.clone() }</p> }) }</div>
            </div>
            if let Some(cue) = cue {
                <button class="narr-more" data-testid="narr-more" type="button" {onclick}>{ cue.get(p.lang) }</button>
            }
        </>
    }
}

/// Whether event `i` belongs to the protocol shown (events of no socket always do).
fn keep_event(trace: &Trace, i: usize, only: Option<Proto>) -> bool {
    let Some(only) = only else { return true };
    let proto_of_sock = |s: &SocketId| trace.sockets.iter().find(|x| x.id == *s).map(|x| x.proto);
    match &trace.events[i].kind {
        EventKind::SegmentSent { segment, .. } => matches!(
            (&segment.header, only),
            (Header::Tcp(_), Proto::Tcp) | (Header::Udp(_), Proto::Udp)
        ),
        EventKind::StateChanged { socket, .. }
        | EventKind::AppCall { socket, .. }
        | EventKind::AppReturn { socket, .. }
        | EventKind::TimerSet { socket, .. }
        | EventKind::TimerFired { socket, .. } => proto_of_sock(socket) == Some(only),
        _ => true,
    }
}
