//! The player's state and effects, as hooks ([`use_player`]): the playhead lives in the
//! [`Playback`] reducer (`State` + `Action`, as in Yew's examples), held with the selected
//! arrow ([`use_playback`]) so that a new trace and the scene's jump, which come as props, are
//! taken in the render that brings them; the view and the numbering are plain state; the
//! effects report to the URL and drive the animation. The parts of the player read
//! [`Handles`] and speak back through its `on_*` callbacks.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;
use yew::Reducible;

use super::{keys, PlayerState, Props};
#[cfg(feature = "full")]
use super::{notes, present};
use crate::engine::labels::{Isns, Numbering};
use crate::engine::layout::Ladder;
use crate::engine::params::View;
use crate::engine::playback::{Action, Jump, Latest, Pace, Playback};
use crate::engine::Shared;
use crate::hooks::use_animation_frame;
use crate::hooks::use_effect_on;

/// What the player's parts read and the callbacks they speak back through.
pub(super) struct Handles {
    pub pb: Rc<Playback>,
    pub numbering: Numbering,
    pub view: View,
    /// The arrow whose inspector is open (an index into the ladder; a new trace closes it).
    pub selected: Option<usize>,
    pub isns: Shared<Isns>,
    /// The first frame is painted: what lies beside and below the diagram may be drawn.
    pub painted: bool,
    pub on_action: Callback<Action>,
    pub on_select: Callback<usize>,
    pub on_unselect: Callback<()>,
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
    let held = use_playback(p, link_pace.as_ref().clone().ok().flatten());
    // The first-load build has no pace menu, so a link's `pace=` is read by the full build.
    #[cfg(not(feature = "full"))]
    let held = use_playback(p, None);
    let numbering = use_state(|| p.numbering);
    let view = use_state(|| p.view);
    let isns = use_memo(p.trace.clone(), |t| Shared::new(Isns::of_trace(t)));
    let painted = use_player_effects(p, &held, *numbering, *view);
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
    keys::use_transport_keys(held.on_action.clone(), p.locked, on_present.clone());
    let (on_view, on_numbering) = use_part_callbacks(&view, &numbering);
    let HeldPlayback {
        pb,
        selected,
        on_action,
        on_select,
        on_unselect,
    } = held;
    Handles {
        pb,
        numbering: *numbering,
        view: *view,
        selected,
        isns: (*isns).clone(),
        painted,
        on_action,
        on_select,
        on_unselect,
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

/// What [`use_playback`] holds: the playback state and the selected arrow.
struct Held {
    pb: Rc<Playback>,
    selected: Option<usize>,
}

/// The playback state as of this render, and how the parts change it.
pub(super) struct HeldPlayback {
    pub pb: Rc<Playback>,
    pub selected: Option<usize>,
    /// Reduces the playback state ([`Playback`]'s `reduce`), as a `use_reducer`'s dispatch.
    pub on_action: Callback<Action>,
    pub on_select: Callback<usize>,
    pub on_unselect: Callback<()>,
}

/// The playhead's reducer, starting where the link says, at the link's pace. What the scene
/// shows (a new trace: the playhead kept, clamped, the selection closed; the scene's jump:
/// paused there) is reduced here, in the render that brings it ([`Action::Follow`]): a
/// `use_reducer` dispatched from an effect, or even during the render, renders the player a
/// second time for each knob change (Yew 0.23 schedules a render after every dispatch), and
/// the first of the two drew the new trace at the old playhead. The parts' actions (transport,
/// keys, frames) reduce the same state and render the player when it changes; each first
/// follows what the scene page's last render left ([`Latest`]), which Yew may not have handed
/// the player yet: a Step pressed just after a new case is a step of that case, not undone by
/// the case's jump arriving after it.
#[hook]
fn use_playback(p: &Props, pace: Option<Pace>) -> HeldPlayback {
    let reduced = use_memo((), |_| crate::prefs::reduced_motion());
    let held = {
        let (ladder, t, speed, reduced) = (
            p.ladder.clone(),
            p.init_t.unwrap_or(0) as f64,
            p.speed,
            *reduced,
        );
        use_mut_ref(move || {
            let mut pb = Playback::new(ladder, t, speed, reduced);
            pb.pace = pace;
            Held {
                pb: Rc::new(pb),
                selected: None,
            }
        })
    };
    follow(&mut held.borrow_mut(), p.ladder.clone(), p.jump);
    let update = use_force_update();
    let on_action = {
        let (held, update) = (held.clone(), update.clone());
        use_callback(p.latest.clone(), move |a: Action, latest| {
            let mut h = held.borrow_mut();
            let before = h.pb.clone();
            if let Some((ladder, jump)) = latest.as_ref().and_then(Latest::get) {
                follow(&mut h, ladder, jump);
            }
            let next = h.pb.clone().reduce(a);
            // Unchanged (a frame while paused): no render.
            if !Rc::ptr_eq(&next, &before) {
                h.pb = next;
                drop(h);
                update.force_update();
            }
        })
    };
    let select = |held: &Rc<RefCell<Held>>, update: &UseForceUpdateHandle| {
        let (held, update) = (held.clone(), update.clone());
        move |i: Option<usize>| {
            if std::mem::replace(&mut held.borrow_mut().selected, i) != i {
                update.force_update();
            }
        }
    };
    let on_select = {
        let set = select(&held, &update);
        use_callback((), move |i: usize, _| set(Some(i)))
    };
    let on_unselect = {
        let set = select(&held, &update);
        use_callback((), move |(), _| set(None))
    };
    let (pb, selected) = {
        let h = held.borrow();
        (h.pb.clone(), h.selected)
    };
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
    HeldPlayback {
        pb,
        selected,
        on_action,
        on_select,
        on_unselect,
    }
}

/// Takes what the scene shows into the held state ([`Action::Follow`]); a new trace closes the
/// selection (its arrow may not exist there).
fn follow(h: &mut Held, ladder: Shared<Ladder>, jump: Option<Jump>) {
    if h.pb.ladder != ladder {
        h.selected = None;
    }
    h.pb = h.pb.clone().reduce(Action::Follow { ladder, jump });
}

/// The effects that follow the props and the playhead; returns whether the first frame is
/// painted.
#[hook]
fn use_player_effects(p: &Props, held: &HeldPlayback, numbering: Numbering, view: View) -> bool {
    let pb = &held.pb;
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
    let dispatch = held.on_action.clone();
    use_effect_on(p.autoplay, move |&a| {
        if a {
            dispatch.emit(Action::Play);
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
    let dispatch = held.on_action.clone();
    let on_frame = Callback::from(move |dt: f64| dispatch.emit(Action::Tick(dt)));
    use_animation_frame(pb.playing, on_frame);
    painted
}

/// Stable callbacks: the static ladder layer re-renders only when its props change, and a
/// fresh Callback would make it redraw every arrow on every frame.
#[hook]
fn use_part_callbacks(
    view: &UseStateHandle<View>,
    numbering: &UseStateHandle<Numbering>,
) -> (Callback<View>, Callback<Numbering>) {
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
    (on_view, on_numbering)
}
