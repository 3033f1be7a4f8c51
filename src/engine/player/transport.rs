//! The transport under the narration: the timeline, then a bar with the play/step/speed
//! controls, the numbering switch, and sharing and export.

use yew::prelude::*;

use super::share::ShareBar;
use super::timeline::Timeline;
use crate::engine::labels::Numbering;
use crate::engine::layout::Ladder;
use crate::engine::params::{fmt_speed, slider_from_speed, speed_from_slider};
use crate::engine::playback::{Action, Pace};
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::num;

/// What the transport is drawn from. A plain function of it, not a component: its playhead
/// changes on every frame of playback, so a component's props check would never skip it (the
/// controls, whose props do not, stay one).
pub struct Props {
    pub ladder: Shared<Ladder>,
    pub t: f64,
    pub playing: bool,
    pub speed: f64,
    /// The pace Play uses (`Playback::pace`).
    pub pace: Pace,
    /// Held by the page (a question is open): every control but the numbering does nothing.
    pub locked: bool,
    pub numbering: Numbering,
    pub lang: Lang,
    pub on_action: Callback<Action>,
    pub on_numbering: Callback<Numbering>,
    pub share: Option<Callback<bool, String>>,
    pub export_name: AttrValue,
}

pub fn view(p: &Props) -> Html {
    html! {
        // Stays on screen while the player is (sticky, CSS): a tall diagram must not push the
        // play button below the first screen.
        <div class="transport" data-testid="transport">
            <Timeline ladder={p.ladder.clone()} t={p.t} locked={p.locked} lang={p.lang} on_action={p.on_action.clone()} />
            <div class="bar">
                <Controls playing={p.playing} speed={p.speed} pace={p.pace} locked={p.locked} numbering={p.numbering} lang={p.lang}
                    on_action={p.on_action.clone()} on_numbering={p.on_numbering.clone()} />
                <ShareBar share={p.share.clone()} export_name={p.export_name.clone()} lang={p.lang} />
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ControlsProps {
    playing: bool,
    speed: f64,
    pace: Pace,
    locked: bool,
    numbering: Numbering,
    lang: Lang,
    on_action: Callback<Action>,
    on_numbering: Callback<Numbering>,
}

/// Start, step back, play/pause, step, end; the speed slider; relative or absolute numbers.
#[component]
fn Controls(p: &ControlsProps) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(p.lang);
    // Each button's title names its keys (`keys`), and `aria-keyshortcuts` says them to a
    // screen reader.
    let button = |testid: &'static str,
                  (title, keys): (&'static str, &'static str),
                  glyph: &'static str,
                  a: fn() -> Action| {
        let on_action = p.on_action.clone();
        html! {
            <button class="ctl" disabled={p.locked} data-testid={testid} {title} aria-keyshortcuts={keys}
                onclick={Callback::from(move |_: MouseEvent| on_action.emit(a()))}>{ glyph }</button>
        }
    };
    let on_play = {
        let on_action = p.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Toggle))
    };
    let on_speed = {
        let on_action = p.on_action.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let v = num::parse_f64(&input.value()).unwrap_or(500.0);
                on_action.emit(Action::Speed(speed_from_slider(v)));
            }
        })
    };
    let on_numbering = {
        let (on_numbering, now) = (p.on_numbering.clone(), p.numbering);
        Callback::from(move |_: MouseEvent| {
            on_numbering.emit(match now {
                Numbering::Relative => Numbering::Absolute,
                Numbering::Absolute => Numbering::Relative,
            })
        })
    };
    html! {
        <div class="controls">
            { button("start", (tr("回到开头（[ 或 Home）", "Start ([ or Home)"), "[ Home"), "⇤", || Action::Start) }
            { button("step-back", (tr("上一步 ←", "Step back ←"), "ArrowLeft"), "◂", || Action::Step(-1)) }
            <button class="ctl play" disabled={p.locked} data-testid="play" title={tr("播放/暂停（空格）", "Play/pause (Space)")} aria-keyshortcuts="Space"
                aria-pressed={p.playing.to_string()} onclick={on_play}>
                { if p.playing { "❚❚" } else { "▶" } }
            </button>
            { button("step", (tr("下一步 →", "Step →"), "ArrowRight"), "▸", || Action::Step(1)) }
            { button("end", (tr("跳到结尾（] 或 End）", "End (] or End)"), "] End"), "⇥", || Action::End) }
            <label class="speed">
                <span class="speed-name">{ tr("速度", "Speed") }</span>
                // 50 positions: an arrow key moves the speed by about 11 % (with 1000 it moved
                // less than the shown rounding).
                <input type="range" min="0" max="1000" step="20" data-testid="speed"
                    value={num::shortest(slider_from_speed(p.speed))} oninput={on_speed}
                    aria-label={tr("播放速度", "Playback speed")} aria-valuetext={fmt_speed(p.speed)} />
                <span class="mono speed-val" data-testid="speed-value">{ fmt_speed(p.speed) }</span>
            </label>
            // The pace for a room (full build): real time, or one step every N seconds.
            if cfg!(feature = "full") {
                { pace_select(p.pace, p.locked, p.lang, &p.on_action) }
            }
            <button class="chip seq-toggle" data-testid="numbering" onclick={on_numbering}
                aria-pressed={(p.numbering == Numbering::Absolute).to_string()}>
                { match p.numbering {
                    Numbering::Relative => tr("相对序号", "relative seq"),
                    Numbering::Absolute => tr("绝对序号", "absolute seq"),
                } }
            </button>
        </div>
    }
}

/// "Real time" or "a step every N s": how Play moves through time.
fn pace_select(pace: Pace, locked: bool, lang: Lang, on_action: &Callback<Action>) -> Html {
    let tr = |zh: &'static str, en: &'static str| T::new(zh, en).get(lang);
    let on_change = on_action.reform(|e: Event| {
        let v = e
            .target_dyn_into::<web_sys::HtmlSelectElement>()
            .map(|s| s.value())
            .unwrap_or_default();
        Action::Pace(Some(match v.parse::<u32>() {
            Ok(ms) => Pace::Steps(ms),
            Err(_) => Pace::Real,
        }))
    });
    let chosen = |v: Pace| pace == v;
    html! {
        <label class="speed pace">
            <span class="speed-name">{ tr("节奏", "Pace") }</span>
            <select data-testid="pace" disabled={locked} onchange={on_change}
                aria-label={tr("播放节奏", "Playback pace")}>
                <option value="real" selected={chosen(Pace::Real)}>{ tr("实时（按速度）", "real time (at the speed)") }</option>
                { for crate::engine::playback::STEPS_MS.iter().map(|&ms| html! {
                    <option value={ms.to_string()} selected={chosen(Pace::Steps(ms))}>
                        { match lang {
                            Lang::Zh => format!("每 {} 秒一步", ms / 1000),
                            Lang::En => format!("a step every {} s", ms / 1000),
                        } }
                    </option>
                }) }
            </select>
        </label>
    }
}
