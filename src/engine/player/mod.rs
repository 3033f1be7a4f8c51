//! The player: a trace's ladder or state diagram, host panels, narration, timeline, controls,
//! sharing and export. Scenes give it a trace; it owns playback.
//!
//! This file holds the state and the effects; each part is a small component drawn from props
//! and speaking back through `on*` callbacks, as in Yew's `function_todomvc`:
//! - [`legend`]: the view tabs and the legend of segment kinds;
//! - [`stage`]: the diagram itself (one ladder, two side by side, or the state machine);
//! - [`hosts`]: each host's sockets with their state, [`gauges`] (timers and queues) and
//!   window variables;
//! - [`narration`]: what happens at the playhead, in words;
//! - [`transport`]: the timeline, the play/step/speed controls and the numbering switch, with
//!   [`timeline`] and [`share`] (copy link, embed code, export).
//!
//! In the full build, [`present`] lays the same parts out for a room (presentation mode), and
//! [`notes`] shows and edits the teacher's notes that the link carries.
//!
//! The playhead lives in the [`Playback`] reducer: the transport, the keyboard ([`keys`]) and
//! the scene's jumps all dispatch [`Action`]s into it, so there is one place that moves time.

mod gauges;
mod hosts;
mod keys;
mod legend;
mod narration;
#[cfg(feature = "full")]
mod notes;
#[cfg(feature = "full")]
mod present;
mod share;
mod stage;
mod timeline;
mod transport;

use yew::prelude::*;

use synack_model::trace::{HostId, Proto, Trace};

use super::inspector::Inspector;
use super::labels::{Isns, Numbering};
use super::layout::Ladder;
use super::params::View;
#[cfg(feature = "full")]
use super::playback::Pace;
use super::playback::{Action, Playback};
use super::Shared;
use crate::hooks::use_animation_frame;
use crate::i18n::Lang;
use crate::num;

/// What the player reports back for the URL (only while paused, so playback does not spam
/// the history API).
#[derive(Clone, Debug, PartialEq)]
pub struct PlayerState {
    pub t_us: u64,
    pub speed: f64,
    pub numbering: Numbering,
    pub view: View,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub trace: Shared<Trace>,
    pub ladder: Shared<Ladder>,
    pub lang: Lang,
    pub init_t: Option<u64>,
    pub speed: f64,
    pub numbering: Numbering,
    pub view: View,
    pub autoplay: bool,
    pub on_change: Callback<PlayerState>,
    /// (time, nonce): a request from the scene to show a moment (comparison-table rows).
    #[prop_or_default]
    pub jump: Option<(u64, u32)>,
    /// File name stem for exports.
    pub export_name: AttrValue,
    /// Builds the link for "Copy link" / "Copy embed code" (reads the current URL). `None`
    /// where a link cannot reproduce what is shown (a local file): no share buttons then.
    #[prop_or_default]
    pub share: Option<Callback<bool, String>>,
    #[prop_or_default]
    pub only: Option<Proto>,
    /// TCP and UDP ladders drawn side by side (same playhead) instead of the combined one.
    #[prop_or_default]
    pub split: Option<(Shared<Ladder>, Shared<Ladder>)>,
    /// A scene's own view, drawn under the controls from the live playhead (µs) on every
    /// frame, also while playing (the URL only learns the playhead when paused).
    #[prop_or_default]
    pub panel: Option<Callback<u64, Html>>,
    /// The playhead is held where it is (interview mode, while a question is open): the
    /// transport's buttons, the timeline and the keyboard shortcuts do nothing.
    #[prop_or_default]
    pub locked: bool,
    /// The scene's teaching paragraphs for its case (shown with the narration).
    #[prop_or_default]
    pub teach: Option<super::teach::Teach>,
    /// Title, case and parameters for handouts (export, print); `None`: the file name only.
    #[prop_or_default]
    pub handout: Option<super::export::HandoutInfo>,
}

#[component]
pub fn Player(p: &Props) -> Html {
    let lang = p.lang;
    let reduced = use_memo((), |_| crate::prefs::reduced_motion());
    // The link's `pace=` (full build: the pace menu is there): `Err` with the value when it is
    // not one the menu offers.
    #[cfg(feature = "full")]
    let link_pace = use_memo((), |_| {
        let loc = crate::route::Location::parse(&crate::dom::current_hash());
        match loc.query.get("pace") {
            None => Ok(None),
            Some(v) => Pace::parse(v).map(Some).ok_or_else(|| v.to_string()),
        }
    });
    let pb = {
        let ladder = p.ladder.clone();
        let t = p.init_t.unwrap_or(0) as f64;
        let speed = p.speed;
        let reduced = *reduced;
        #[cfg(feature = "full")]
        let pace = match &*link_pace {
            Ok(p) => *p,
            Err(_) => None,
        };
        use_reducer(move || {
            #[allow(unused_mut)]
            let mut pb = Playback::new(ladder, t, speed, reduced);
            #[cfg(feature = "full")]
            {
                pb.pace = pace;
            }
            pb
        })
    };
    // The pace the reader chose lives in the link, so a copied link and the embed code carry it.
    #[cfg(feature = "full")]
    let () = use_effect_with(pb.pace, |pace| {
        let mut loc = crate::route::Location::parse(&crate::dom::current_hash());
        match pace {
            Some(p) => loc.query.set("pace", p.code()),
            None => loc.query.remove("pace"),
        }
        crate::dom::replace_hash(&loc.to_hash());
    });
    let numbering = use_state(|| p.numbering);
    let view = use_state(|| p.view);
    let selected = use_state(|| None::<usize>);
    let isns = use_memo(p.trace.clone(), |t| Shared::new(Isns::of_trace(t)));

    // New trace (a parameter changed): keep the playhead, drop a selection that may not exist.
    {
        let pb = pb.clone();
        let selected = selected.clone();
        use_effect_with(p.ladder.clone(), move |l| {
            if pb.ladder != *l {
                pb.dispatch(Action::Load(l.clone()));
                selected.set(None);
            }
        });
    }
    // What lies beside and below the diagram (the hosts' panels, narration, timeline, controls)
    // is drawn once the first frame is painted: the diagram comes first, and those parts' code
    // (compiled by the browser on first call) and layout do not hold it up.
    let painted = crate::hooks::use_after_paint();
    // Tests and benchmarks wait on `data-ready`: it is set once the whole player is drawn.
    use_effect_with(painted, |&painted| {
        if painted {
            crate::dom::set_ready(true)
        }
    });
    {
        let pb = pb.clone();
        use_effect_with(p.autoplay, move |&a| {
            if a {
                pb.dispatch(Action::Play);
            }
        });
    }
    // Jumps requested by the scene.
    {
        let pb = pb.clone();
        use_effect_with(p.jump, move |j| {
            if let Some((t, _)) = j {
                pb.dispatch(Action::Pause);
                pb.dispatch(Action::Seek(*t as f64));
            }
        });
    }
    // Report to the URL while paused.
    {
        let on_change = p.on_change.clone();
        let st = PlayerState {
            t_us: pb.t.round() as u64,
            speed: pb.speed,
            numbering: *numbering,
            view: *view,
        };
        use_effect_with((st, pb.playing), move |(st, playing)| {
            if !playing {
                on_change.emit(st.clone());
            }
        });
    }
    // Animation: one Tick per frame while playing.
    {
        let pb2 = pb.clone();
        let on_frame = Callback::from(move |dt: f64| pb2.dispatch(Action::Tick(dt)));
        use_animation_frame(pb.playing, on_frame);
    }
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
    let presenting = show.on;
    #[cfg(feature = "full")]
    let teacher_notes = use_state(|| Shared::new(notes::from_link()));
    #[cfg(not(feature = "full"))]
    let presenting = false;
    keys::use_transport_keys(pb.dispatcher(), p.locked, on_present.clone());

    // Stable callbacks: the static ladder layer re-renders only when its props change, and a
    // fresh Callback would make it redraw every arrow on every frame.
    let on_action = {
        let pb = pb.dispatcher();
        use_callback((), move |a: Action, _| pb.dispatch(a))
    };
    let on_select = {
        let selected = selected.setter();
        use_callback((), move |i: usize, _| selected.set(Some(i)))
    };
    let on_view = {
        let view = view.setter();
        use_callback((), move |v: View, _| {
            // The state machine is drawn by the full build (14 KB of the first load's code for a
            // view most first visits never open): asked for here, the link says so and the page
            // is handed over, as for presentation mode.
            if cfg!(not(feature = "full")) && v == View::States {
                crate::pages::in_full_build("view", "states");
            } else {
                view.set(v)
            }
        })
    };
    let on_numbering = {
        let numbering = numbering.setter();
        use_callback((), move |n: Numbering, _| numbering.set(n))
    };

    let t = pb.t;
    let playing = pb.playing;
    let inspector = selected.and_then(|i| p.ladder.arrows.get(i)).map(|a| {
        let selected = selected.clone();
        html! {
            <Inspector arrow={a.clone()} isns={(*isns).clone()} numbering={*numbering} lang={lang}
                endpoints={endpoints(&p.trace, a)} on_close={Callback::from(move |_| selected.set(None))} />
        }
    });

    let tabs = html! {
        <legend::StageTabs view={*view} {on_view} ladder={p.ladder.clone()} {lang} {presenting} {on_present} />
    };
    let stage = html! {
        <stage::Stage trace={p.trace.clone()} ladder={p.ladder.clone()} split={p.split.clone()}
            view={*view} {t} {playing} numbering={*numbering} {lang} selected={*selected} {on_select} />
    };
    let hosts = painted.then(|| {
        html! {
            <hosts::Hosts trace={p.trace.clone()} ladder={p.ladder.clone()} isns={(*isns).clone()}
                {t} numbering={*numbering} only={p.only} {lang} />
        }
    });
    let narration = painted.then(|| html! {
        <narration::Narration trace={p.trace.clone()} isns={(*isns).clone()} {t} only={p.only} {lang} teach={p.teach.clone()} />
    });
    let transport = painted.then(|| html! {
        <transport::Transport ladder={p.ladder.clone()} {t} {playing} speed={pb.speed} pace={pb.pace()} locked={p.locked}
            numbering={*numbering} {lang} {on_action} {on_numbering}
            share={p.share.clone()} export_name={p.export_name.clone()} />
    });
    let panel = p.panel.as_ref().map(|f| f.emit(t.round() as u64));
    // The teacher's notes (the link's `notes=`): a link that has them opens in the full build.
    #[cfg(feature = "full")]
    let teacher = {
        let on_change = {
            let loaded = teacher_notes.setter();
            Callback::from(move |n| loaded.set(Shared::new(Ok(n))))
        };
        painted.then(|| html! {
            <notes::TeacherNotes trace={p.trace.clone()} {t} {lang} notes={(*teacher_notes).clone()}
                {on_change} editable={!show.on && !p.locked} />
        })
    };
    // Here only the button that opens the editor (in the full build, with an empty `notes=`).
    #[cfg(not(feature = "full"))]
    let teacher = (painted && !p.locked).then(|| html! {
        <div class="teacher-notes">
            <button class="chip note-edit" data-testid="note-edit"
                onclick={Callback::from(|_: MouseEvent| crate::pages::in_full_build("notes", ""))}>
                { crate::i18n::T::new("✎ 添加批注", "✎ Add a note").get(lang) }
            </button>
        </div>
    });

    // The export buttons draw handouts of the whole scene from this context (full build only,
    // see `handout`), in both layouts.
    #[cfg(feature = "full")]
    let wrap = {
        let ladders = match &p.split {
            Some((tcp, udp)) => vec![tcp.clone(), udp.clone()],
            None => vec![p.ladder.clone()],
        };
        let source = super::handout::Source {
            trace: p.trace.clone(),
            ladders,
            teach: p.teach.clone(),
            info: p.handout.clone(),
            lang,
            api: crate::app::use_shell().api,
        };
        move |player: Html| {
            html! { <ContextProvider<super::handout::Source> context={source}>{ player }</ContextProvider<super::handout::Source>> }
        }
    };
    #[cfg(not(feature = "full"))]
    let wrap = |player: Html| player;

    #[cfg(feature = "full")]
    if show.on {
        // The inspector first: a packet clicked opens it where the eye is, above the narration.
        let side = html! { <>
            { for inspector }
            { for narration }
            { for teacher }
            <div class="hosts" data-testid="hosts">{ for hosts }</div>
        </> };
        // The drawing's height in its own px, which the stage is filled with (`present`): the
        // ladder as `LadderView` draws it (at least 200 px), TCP vs UDP's taller column under
        // its title (`.split-title`, about 30 px), the border of `.stage-main` around it.
        let diagram_h = (*view == View::Ladder).then(|| {
            let h = |l: &Ladder| l.height.max(200.0);
            2.0 + match &p.split {
                Some((tcp, udp)) => 30.0 + h(tcp).max(h(udp)),
                None => h(&p.ladder),
            }
        });
        return wrap(html! {
            <present::Presenting show={*show} {lang} on_show={show.dispatcher().to_callback()}
                {playing} t={AttrValue::from(num::fixed(t, 0))} {tabs} {stage} {side} below={panel}
                transport={transport.unwrap_or_default()} {diagram_h} split={p.split.is_some()} />
        });
    }

    // A `pace=` the menu does not offer: said, and the automatic pace used.
    #[cfg(feature = "full")]
    let pace_notice = (*link_pace).as_ref().err().map(|v| {
        let text = match lang {
            Lang::Zh => format!("链接里的 pace={v} 无效（可用 real、1、2、3、5）；播放使用自动节奏。"),
            Lang::En => format!("The link's pace={v} is not valid (real, 1, 2, 3 or 5); Play uses the automatic pace."),
        };
        html! { <div class="notice" role="status" data-testid="pace-error">{ text }</div> }
    });
    #[cfg(not(feature = "full"))]
    let pace_notice: Option<Html> = None;

    let player = html! {
        <div class="player" data-testid="player" data-playing={playing.to_string()} data-t={num::fixed(t, 0)}>
            { for pace_notice }
            { tabs }
            <div class="stage">
                { stage }
                // Beside the diagram, where the eye is (on a laptop's first screen too): a clicked
                // packet's inspector, what happens now, the hosts' panels. The column is there from
                // the start, so nothing moves.
                <aside class="stage-side">
                    { for inspector }
                    { for narration }
                    { for teacher }
                    <div class="hosts" data-testid="hosts">{ for hosts }</div>
                </aside>
            </div>
            // One child whether drawn yet or not (`unwrap_or_default`, not `for`): Yew matches
            // unkeyed children from the end, and a child appended here would remount the stage.
            { transport.unwrap_or_default() }
            { for panel }
        </div>
    };
    wrap(player)
}

/// "10.0.0.1:50000 → 10.0.0.2:80", for the inspector's heading.
fn endpoints(trace: &Trace, a: &super::layout::Arrow) -> String {
    let addr = |h: HostId| {
        trace
            .hosts
            .iter()
            .find(|x| x.id == h)
            .map(|x| x.addr.clone())
            .unwrap_or_default()
    };
    let (src, dst) = (&a.segment.src, &a.segment.dst);
    format!(
        "{}:{} → {}:{}",
        addr(src.host),
        src.port,
        addr(dst.host),
        dst.port
    )
}
