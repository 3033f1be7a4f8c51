//! The player: a trace's ladder or state diagram, host panels, narration, timeline, controls,
//! sharing and export. Scenes give it a trace; it owns playback.
//!
//! [`state`] holds the state and the effects (one hook, `use_player`); this file lays the parts
//! out. Each part is drawn from props and speaks back through `on*` callbacks, as in Yew's
//! `function_todomvc`: a small component where a hook or a skipped render needs one, else a
//! plain function (the stage, the hosts' panels, the transport, the inspector: their props
//! change on every frame of playback, and each component costs about 1 KB of wasm):
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
//! The playhead lives in the [`Playback`](super::playback::Playback) reducer: the transport, the keyboard ([`keys`]),
//! the animation frames and the scene's new traces and jumps are all [`Action`](super::playback::Action)s it reduces,
//! so there is one place that moves time.

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
mod state;
#[cfg(test)]
mod tests;
mod timeline;
mod transport;

use yew::prelude::*;

use synack_model::trace::{HostId, Proto, Trace};

use super::inspector::{inspector, Props as InspectorProps};
use super::labels::Numbering;
use super::layout::Ladder;
use super::params::View;
use super::Shared;
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
    /// A request from the scene to show a moment (a new case or knob: the start; a
    /// comparison-table row: its time), taken once ([`Action::Follow`](super::playback::Action)).
    #[prop_or_default]
    pub jump: Option<super::playback::Jump>,
    /// The scene's trace and jump as its last render left them, followed before a reader's
    /// action (see [`Latest`](super::playback::Latest)). `None`: the props alone.
    #[prop_or_default]
    pub latest: Option<super::playback::Latest>,
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
    /// Where the page wants `panel` drawn, outside the player (a scene page puts it after its
    /// first screen, `scenes::page`); `None`: under the transport.
    #[prop_or_default]
    pub panel_host: Option<NodeRef>,
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

#[cfg(test)]
thread_local! {
    /// How many times a [`Player`] has rendered (tests: one render per knob change).
    pub(crate) static RENDERS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

#[component]
pub fn Player(p: &Props) -> Html {
    #[cfg(test)]
    RENDERS.with(|n| n.set(n.get() + 1));
    let s = state::use_player(p);
    #[cfg(feature = "full")]
    let source = use_handout_source(p);
    let (t, playing, lang) = (s.pb.t, s.pb.playing, p.lang);
    let tabs = html! {
        <legend::StageTabs view={s.view} on_view={s.on_view.clone()} ladder={p.ladder.clone()}
            {lang} presenting={s.presenting()} on_present={s.on_present.clone()} />
    };
    // Presentation mode draws a short run with a taller time axis, to fill the stage
    // (`present::stage_stretch`); everything else reads the ladder as built.
    #[cfg(feature = "full")]
    let stretch = use_state_eq(|| 1.0f64);
    #[cfg(feature = "full")]
    let (ladder, split) = present::use_stretched(
        &p.ladder,
        &p.split,
        if s.show.on && s.view == View::Ladder {
            *stretch
        } else {
            1.0
        },
    );
    #[cfg(not(feature = "full"))]
    let (ladder, split) = (p.ladder.clone(), p.split.clone());
    let stage = stage::view(&stage::Props {
        trace: p.trace.clone(),
        ladder,
        split,
        view: s.view,
        t,
        playing,
        numbering: s.numbering,
        lang,
        selected: s.selected,
        on_select: s.on_select.clone(),
    });
    let transport = s.painted.then(|| {
        transport::view(&transport::Props {
            ladder: p.ladder.clone(),
            t,
            playing,
            speed: s.pb.speed,
            pace: s.pb.pace(),
            locked: p.locked,
            numbering: s.numbering,
            lang,
            on_action: s.on_action.clone(),
            on_numbering: s.on_numbering.clone(),
            share: p.share.clone(),
            export_name: p.export_name.clone(),
        })
    });
    let panel = p.panel.as_ref().map(|f| f.emit(t.round() as u64));
    #[cfg(feature = "full")]
    let player = if s.show.on {
        // The drawing's height, which the stage is filled with (`present`).
        let diagram_h = (s.view == View::Ladder).then(|| diagram_height(p));
        // Of it, the time axis (under the header, above the bottom margin): what stretches.
        let time_h = (s.view == View::Ladder).then(|| {
            let h = |l: &Ladder| l.height - super::layout::TOP_PX - super::layout::BOTTOM_PX;
            match &p.split {
                Some((tcp, udp)) => h(tcp).max(h(udp)),
                None => h(&p.ladder),
            }
        });
        let on_stretch = {
            let stretch = stretch.setter();
            Callback::from(move |k: f64| stretch.set(k))
        };
        html! {
            <present::Presenting show={*s.show} {lang} on_show={s.show.dispatcher().to_callback()}
                {playing} t={AttrValue::from(num::fixed(t, 0))} {tabs} {stage} side={side(p, &s)}
                hosts={hosts(p, &s)} below={panel} transport={transport.unwrap_or_default()} {diagram_h} {time_h}
                split={p.split.is_some()} {on_stretch} />
        }
    } else {
        page(p, &s, tabs, stage, transport, panel)
    };
    #[cfg(not(feature = "full"))]
    let player = page(p, &s, tabs, stage, transport, panel);
    // The export buttons draw handouts of the whole scene from this context (full build
    // only, see `handout`), in both layouts.
    #[cfg(feature = "full")]
    return html! {
        <ContextProvider<super::handout::Source> context={source}>{ player }</ContextProvider<super::handout::Source>>
    };
    #[cfg(not(feature = "full"))]
    player
}

/// The player's layout on a page: tabs, the diagram with its side column, the transport and
/// the scene's panel.
fn page(
    p: &Props,
    s: &state::Handles,
    tabs: Html,
    stage: Html,
    transport: Option<Html>,
    panel: Option<Html>,
) -> Html {
    let (t, playing) = (s.pb.t, s.pb.playing);
    // Drawn into the page's host where it has one (once it is in the page: it is, by the time
    // the first frame is painted), else here under the transport.
    let panel = match (panel, p.panel_host.as_ref()) {
        (Some(panel), Some(host)) => host
            .cast::<web_sys::Element>()
            .filter(|_| s.painted)
            .map(|host| yew::create_portal(panel, host)),
        (panel, _) => panel,
    };
    // The diagram's height as drawn (its border, TCP vs UDP's column titles): a scene's first
    // screen gives the diagram the height the rest leaves, up to this (style.css).
    let diagram_h = match s.view {
        View::Ladder => diagram_height(p),
        // The state machine is drawn to the width (`.sd`), at most this tall.
        View::States => 640.0,
    };
    html! {
        <div class="player" data-testid="player" data-playing={playing.to_string()} data-t={num::fixed(t, 0)}>
            { for pace_notice(s, p.lang) }
            { tabs }
            // `short`: a drawing that leaves a projector's stage room to spare, which the
            // narration takes there (style.css).
            <div class={classes!("stage", (diagram_h <= SHORT_DRAWING_PX).then_some("short"))}
                style={format!("--diagram-h:{}px", num::fixed(diagram_h.ceil(), 0))}>
                // The diagram, and under it, side by side, the hosts' state (in the column under
                // the narration they were under the fold of a laptop's screen): one column, so
                // that on a scene's first screen the panels follow the diagram however tall the
                // window lets it be (style.css).
                <div class="stage-left">
                    { stage }
                    { hosts(p, s) }
                </div>
                // Beside them, where the eye is (on a laptop's first screen too): a clicked
                // packet's inspector, what happens now. The column is there from the start, so
                // nothing moves.
                <aside class="stage-side">{ side(p, s) }</aside>
            </div>
            // One child whether drawn yet or not (`unwrap_or_default`, not `for`): Yew matches
            // unkeyed children from the end, and a child appended here would remount the stage.
            { transport.unwrap_or_default() }
            { panel.unwrap_or_default() }
        </div>
    }
}

/// A drawing at most this tall (px) is `short`: on a window 1000 px tall or more, the stage
/// holds it whole with 200 px for the narration under it (the handshake: 294, teardown and TCP
/// vs UDP about 460).
const SHORT_DRAWING_PX: f64 = 560.0;

/// The diagram's height in its own px: the ladder as `LadderView` draws it (at least 200 px),
/// TCP vs UDP's taller column under its title (`.split-title`, about 30 px), the border of
/// `.stage-main` around it.
fn diagram_height(p: &Props) -> f64 {
    let h = |l: &Ladder| l.height.max(200.0);
    2.0 + match &p.split {
        Some((tcp, udp)) => 30.0 + h(tcp).max(h(udp)),
        None => h(&p.ladder),
    }
}

/// What stands beside the diagram: a clicked packet's inspector first (it opens where the eye
/// is, above the narration), what happens now, the teacher's notes.
fn side(p: &Props, s: &state::Handles) -> Html {
    let (t, lang, isns) = (s.pb.t, p.lang, s.isns.clone());
    let inspector = s.selected.and_then(|i| p.ladder.arrows.get(i)).map(|a| {
        inspector(&InspectorProps {
            arrow: a,
            isns: &isns,
            numbering: s.numbering,
            lang,
            endpoints: endpoints(&p.trace, a),
            on_close: s.on_unselect.clone(),
        })
    });
    let narration = s.painted.then(|| html! {
        <narration::Narration trace={p.trace.clone()} isns={isns.clone()} {t} only={p.only} {lang} teach={p.teach.clone()} />
    });
    html! { <>
        { for inspector }
        { for narration }
        { for teacher(p, s) }
    </> }
}

/// The hosts' panels (their sockets' state, timers, queues), under the diagram: a teacher's
/// one screen holds the diagram, what happens now and both hosts' state together.
fn hosts(p: &Props, s: &state::Handles) -> Html {
    let hosts = s.painted.then(|| {
        hosts::view(&hosts::Props {
            trace: p.trace.clone(),
            ladder: p.ladder.clone(),
            isns: s.isns.clone(),
            t: s.pb.t,
            numbering: s.numbering,
            only: p.only,
            lang: p.lang,
        })
    });
    html! { <div class="hosts" data-testid="hosts">{ for hosts }</div> }
}

/// The teacher's notes (the link's `notes=`): a link that has them opens in the full build.
#[cfg(feature = "full")]
fn teacher(p: &Props, s: &state::Handles) -> Option<Html> {
    let loaded = s.teacher_notes.setter();
    let on_change = Callback::from(move |n| loaded.set(Shared::new(Ok(n))));
    s.painted.then(|| {
        html! {
            <notes::TeacherNotes trace={p.trace.clone()} t={s.pb.t} lang={p.lang}
                notes={(*s.teacher_notes).clone()} {on_change} editable={!s.show.on && !p.locked} />
        }
    })
}

/// Here only the button that opens the editor (in the full build, with an empty `notes=`).
#[cfg(not(feature = "full"))]
fn teacher(p: &Props, s: &state::Handles) -> Option<Html> {
    (s.painted && !p.locked).then(|| html! {
        <div class="teacher-notes">
            <button class="chip note-edit" data-testid="note-edit"
                onclick={Callback::from(|_: MouseEvent| crate::pages::in_full_build("notes", ""))}>
                { crate::i18n::T::new("✎ 添加批注", "✎ Add a note").get(p.lang) }
            </button>
        </div>
    })
}

/// A `pace=` the menu does not offer: said, and the automatic pace used.
#[cfg(feature = "full")]
fn pace_notice(s: &state::Handles, lang: Lang) -> Option<Html> {
    let v = s.link_pace.as_ref().as_ref().err()?;
    let text = match lang {
        Lang::Zh => format!("链接里的 pace={v} 无效（可用 real、1、2、3、5）；播放使用自动节奏。"),
        Lang::En => format!(
            "The link's pace={v} is not valid (real, 1, 2, 3 or 5); Play uses the automatic pace."
        ),
    };
    Some(html! { <div class="notice" role="status" data-testid="pace-error">{ text }</div> })
}

/// The first-load build does not read `pace=` (the link opens the full build's menu).
#[cfg(not(feature = "full"))]
fn pace_notice(_: &state::Handles, _: Lang) -> Option<Html> {
    None
}

/// What the export buttons need to draw handouts of the whole scene.
#[cfg(feature = "full")]
#[hook]
fn use_handout_source(p: &Props) -> super::handout::Source {
    let ladders = match &p.split {
        Some((tcp, udp)) => vec![tcp.clone(), udp.clone()],
        None => vec![p.ladder.clone()],
    };
    super::handout::Source {
        trace: p.trace.clone(),
        ladders,
        teach: p.teach.clone(),
        info: p.handout.clone(),
        lang: p.lang,
        api: crate::app::use_shell().api,
    }
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
