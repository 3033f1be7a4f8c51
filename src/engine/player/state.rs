//! The player's state and effects, as hooks ([`use_player`]): the playhead lives in the
//! [`Playback`] reducer (`State` + `Action` + `use_reducer`, as in Yew's examples); the
//! view, the numbering and the selected arrow are plain state; the scene's new trace and its
//! jumps are taken in the render that brings them; the effects report to the URL and drive
//! the animation. The parts
//! of the player read [`Handles`] and speak back through its `on_*` callbacks.

use yew::prelude::*;

use super::{keys, PlayerState, Props};
#[cfg(feature = "full")]
use super::{notes, present};
use crate::engine::labels::{Isns, Numbering};
use crate::engine::params::View;
use crate::engine::playback::{Action, Latest, Pace, Playback};
use crate::engine::Shared;
use crate::hooks::use_animation_frame;
use crate::hooks::use_effect_on;

/// What the player's parts read and the callbacks they speak back through.
pub(super) struct Handles {
    pub pb: UseReducerHandle<Playback>,
    pub numbering: Numbering,
    pub view: View,
    pub selected: UseStateHandle<Option<usize>>,
    pub isns: Shared<Isns>,
    /// The first frame is painted: what lies beside and below the diagram may be drawn.
    pub painted: bool,
    pub on_action: Callback<Action>,
    pub on_select: Callback<usize>,
    pub on_view: Callback<View>,
    pub on_numbering: Callback<Numbering>,
    pub on_present: Callback<()>,
    #[cfg(feature = "full")]
    pub show: UseReducerHandle<present::Show>,
    #[cfg(feature = "full")]
    pub teacher_notes: UseStateHandle<Shared<notes::Loaded>>,
    /// The link's `pace=`: `Err` with the value when it is not one the menu offers.
    #[cfg(feature = "full")]
    pub link_pace: std::rc::Rc<Result<Option<Pace>, String>>,
}

impl Handles {
    /// Presentation mode is on (only the full build draws it).
    pub fn presenting(&self) -> bool {
        #[cfg(feature = "full")]
        return self.show.on;
        #[cfg(not(feature = "full"))]
        false
    }
}

#[hook]
pub(super) fn use_player(p: &Props) -> Handles {
    #[cfg(feature = "full")]
    let link_pace = use_link_pace();
    #[cfg(feature = "full")]
    let pb = use_playback(p, link_pace.as_ref().clone().ok().flatten());
    // The first-load build has no pace menu, so a link's `pace=` is read by the full build.
    #[cfg(not(feature = "full"))]
    let pb = use_playback(p, None);
    let numbering = use_state(|| p.numbering);
    let view = use_state(|| p.view);
    let selected = use_state(|| None::<usize>);
    let isns = use_memo(p.trace.clone(), |t| Shared::new(Isns::of_trace(t)));
    let painted = use_player_effects(p, &pb, &selected, *numbering, *view);
    // Presentation mode: drawn by the full build; the first-load build hands the page over.
    #[cfg(feature = "full")]
    let show = present::use_show();
    #[cfg(feature = "full")]
    let on_present = {
        let show = show.dispatcher();
        use_callback((), move |(), _| show.dispatch(present::ShowAction::Toggle))
    };
    #[cfg(not(feature = "full"))]
    let on_present = use_callback((), |(), _| crate::pages::in_full_build("present", "1"));
    #[cfg(feature = "full")]
    let teacher_notes = use_state(|| Shared::new(notes::from_link()));
    let act = use_reader_action(&pb, p.latest.clone());
    keys::use_transport_keys(act.clone(), p.locked, on_present.clone());
    let (on_action, on_select, on_view, on_numbering) =
        use_part_callbacks(act, &selected, &view, &numbering);
    Handles {
        pb,
        numbering: *numbering,
        view: *view,
        selected,
        isns: (*isns).clone(),
        painted,
        on_action,
        on_select,
        on_view,
        on_numbering,
        on_present,
        #[cfg(feature = "full")]
        show,
        #[cfg(feature = "full")]
        teacher_notes,
        #[cfg(feature = "full")]
        link_pace,
    }
}

/// The link's `pace=` (full build: the pace menu is there), read once.
#[cfg(feature = "full")]
#[hook]
fn use_link_pace() -> std::rc::Rc<Result<Option<Pace>, String>> {
    use_memo((), |_| {
        let loc = crate::route::Location::parse(&crate::dom::current_hash());
        match loc.query.get("pace") {
            None => Ok(None),
            Some(v) => Pace::parse(v).map(Some).ok_or_else(|| v.to_string()),
        }
    })
}

/// The playhead's reducer, starting where the link says, at the link's pace.
#[hook]
fn use_playback(p: &Props, pace: Option<Pace>) -> UseReducerHandle<Playback> {
    let reduced = use_memo((), |_| crate::prefs::reduced_motion());
    let (ladder, t, speed, reduced) = (
        p.ladder.clone(),
        p.init_t.unwrap_or(0) as f64,
        p.speed,
        *reduced,
    );
    let pb = use_reducer(move || {
        let mut pb = Playback::new(ladder, t, speed, reduced);
        pb.pace = pace;
        pb
    });
    // The pace the reader chose lives in the link, so a copied link and the embed code carry it.
    #[cfg(feature = "full")]
    let () = use_effect_on(pb.pace, |pace| {
        let mut loc = crate::route::Location::parse(&crate::dom::current_hash());
        match pace {
            Some(p) => loc.query.set("pace", p.code()),
            None => loc.query.remove("pace"),
        }
        crate::dom::replace_hash(&loc.to_hash());
    });
    pb
}

/// The effects that follow the props and the playhead; returns whether the first frame is
/// painted.
#[hook]
fn use_player_effects(
    p: &Props,
    pb: &UseReducerHandle<Playback>,
    selected: &UseStateHandle<Option<usize>>,
    numbering: Numbering,
    view: View,
) -> bool {
    // What the scene shows (a new trace, a request to show a moment) is taken in the render
    // that brings it, not in an effect: Yew runs effects after the renders, and on a busy
    // machine after yielding to the browser, so a Step or a key pressed in that gap was undone
    // by the jump that came after it (e2e/step-after-change.test.mjs). A dispatch here reduces at
    // once and asks for one more render, and Yew does not yield while a render is pending.
    if !pb.follows(&p.ladder, p.jump) {
        if pb.ladder != p.ladder {
            selected.set(None);
        }
        pb.dispatch(Action::Follow {
            ladder: p.ladder.clone(),
            jump: p.jump,
        });
    }
    // What lies beside and below the diagram (the hosts' panels, narration, timeline, controls)
    // is drawn once the first frame is painted: the diagram comes first, and those parts' code
    // (compiled by the browser on first call) and layout do not hold it up.
    let painted = crate::hooks::use_after_paint();
    // Tests and benchmarks wait on `data-ready`: it is set once the whole player is drawn.
    use_effect_on(painted, |&painted| {
        if painted {
            crate::dom::set_ready(true)
        }
    });
    let dispatch = pb.dispatcher();
    use_effect_on(p.autoplay, move |&a| {
        if a {
            dispatch.dispatch(Action::Play);
        }
    });
    // Report to the URL while paused.
    let on_change = p.on_change.clone();
    let st = PlayerState {
        t_us: pb.t.round() as u64,
        speed: pb.speed,
        numbering,
        view,
    };
    use_effect_on((st, pb.playing), move |(st, playing)| {
        if !playing {
            on_change.emit(st.clone());
        }
    });
    // Animation: one Tick per frame while playing.
    let dispatch = pb.dispatcher();
    let on_frame = Callback::from(move |dt: f64| dispatch.dispatch(Action::Tick(dt)));
    use_animation_frame(pb.playing, on_frame);
    painted
}

/// What a reader's action (a transport button, a key, the slider) dispatches: the scene's
/// newest trace and jump first, when the page gives them (see [`Latest`]), then the action.
#[hook]
fn use_reader_action(pb: &UseReducerHandle<Playback>, latest: Option<Latest>) -> Callback<Action> {
    let dispatch = pb.dispatcher();
    use_callback(latest, move |a: Action, latest| {
        if let Some(follow) = latest.as_ref().and_then(Latest::follow) {
            dispatch.dispatch(follow);
        }
        dispatch.dispatch(a)
    })
}

/// Stable callbacks: the static ladder layer re-renders only when its props change, and a
/// fresh Callback would make it redraw every arrow on every frame.
#[hook]
fn use_part_callbacks(
    act: Callback<Action>,
    selected: &UseStateHandle<Option<usize>>,
    view: &UseStateHandle<View>,
    numbering: &UseStateHandle<Numbering>,
) -> (
    Callback<Action>,
    Callback<usize>,
    Callback<View>,
    Callback<Numbering>,
) {
    let on_action = act;
    let selected = selected.setter();
    let on_select = use_callback((), move |i: usize, _| selected.set(Some(i)));
    let view = view.setter();
    let on_view = use_callback((), move |v: View, _| {
        // The state machine is drawn by the full build (14 KB of the first load's code for a
        // view most first visits never open): asked for here, the link says so and the page
        // is handed over, as for presentation mode.
        if cfg!(not(feature = "full")) && v == View::States {
            crate::pages::in_full_build("view", "states");
        } else {
            view.set(v)
        }
    });
    let numbering = numbering.setter();
    let on_numbering = use_callback((), move |n: Numbering, _| numbering.set(n));
    (on_action, on_select, on_view, on_numbering)
}
