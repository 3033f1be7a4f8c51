//! The scene page's controls: case buttons (or the embed's select), the network knobs, the URL
//! notices. Each takes what it shows and `on*` callbacks; none holds the page's state. Plain
//! functions drawn with the page (which playback never renders again, `page::Playhead`), not
//! components: each component costs about 1 KB of wasm in Yew's machinery alone. The one slider
//! with its own state ([`Knob`]) is a component.

use yew::prelude::*;

use super::state::Net;
use super::SceneDef;
use crate::engine::params::{Notice, Params, Profile};
use crate::i18n::{Api, Lang, T};
use crate::num;

pub struct CasesProps<'a> {
    pub scene: &'static SceneDef,
    pub current: &'a str,
    pub lang: Lang,
    /// Whose words: C's socket calls or Node.js's. (Drawn with the page, which renders again
    /// when the Node.js view's words come, so a title follows them.)
    pub api: Api,
    pub on_case: Callback<String>,
}

/// "What if…": one button per case; the current one is pressed.
pub fn case_buttons(p: &CasesProps) -> Html {
    let buttons = (p.scene.cases)().into_iter().map(|id| {
        let on = p.current == id;
        let onclick = p.on_case.reform(move |_: MouseEvent| id.to_string());
        html! {
            <button class={classes!("case", on.then_some("on"))} aria-pressed={on.to_string()}
                data-testid={format!("case-{id}")} {onclick}>{ case_title(p, id) }</button>
        }
    });
    html! {
        <div class="cases" role="group" aria-label={T::new("假如……", "What if…").get(p.lang)}>
            { for buttons }
        </div>
    }
}

/// The cases as a select, for the embed's one-line bar.
pub fn case_select(p: &CasesProps) -> Html {
    let options = (p.scene.cases)().into_iter().map(|id| {
        html! { <option value={id} selected={p.current == id}>{ case_title(p, id) }</option> }
    });
    let onchange = p.on_case.reform(|e: Event| select_value(&e));
    html! {
        <select class="case-select" data-testid="case-select" aria-label={T::new("假如……", "What if…").get(p.lang)}
            {onchange}>
            { for options }
        </select>
    }
}

fn case_title(p: &CasesProps, id: &str) -> String {
    p.scene
        .words_in(id, p.api)
        .map(|w| w.title.get(p.lang))
        .unwrap_or_else(|| id.to_string())
}

/// The network knobs every scene shares: delay, jitter, loss, seed, protocol profile.
pub fn net_knobs(params: &Params, lang: Lang, on_net: &Callback<(Net, String)>) -> Html {
    let set = |knob: Net| on_net.reform(move |v: String| (knob, v));
    html! {
        <div class="knobs" data-testid="knobs">
            <Knob label={T::new("单程时延", "One-way delay").get(lang)} unit="ms" testid="latency"
                min=0.0 max={500.0} step=1.0 value={params.latency_ms as f64} on_change={set(Net::LatencyMs)} />
            <Knob label={T::new("抖动", "Jitter").get(lang)} unit="ms" testid="jitter"
                min=0.0 max={200.0} step=1.0 value={params.jitter_ms as f64} on_change={set(Net::JitterMs)} />
            <Knob label={T::new("丢包率", "Loss").get(lang)} unit="%" testid="loss"
                min=0.0 max={50.0} step=1.0 value={params.loss_pct} on_change={set(Net::LossPct)} />
            <label class="knob">
                <span>{ T::new("随机种子", "Seed").get(lang) }</span>
                <input type="number" min="0" step="1" data-testid="seed" value={params.seed.to_string()}
                    onchange={set(Net::Seed).reform(|e: Event| input_value(&e))} />
                <button class="chip" data-testid="seed-next" title={T::new("换一个种子", "Next seed").get(lang)}
                    onclick={set(Net::NextSeed).reform(|_: MouseEvent| String::new())}>{"+1"}</button>
            </label>
            <label class="knob">
                <span>{ T::new("协议栈", "Profile").get(lang) }</span>
                <select data-testid="profile" onchange={set(Net::Profile).reform(|e: Event| select_value(&e))}>
                    <option value="linux" selected={params.profile == Profile::Linux}>{"Linux"}</option>
                    <option value="rfc" selected={params.profile == Profile::Rfc}>{"RFC"}</option>
                </select>
            </label>
        </div>
    }
}

/// What the URL asked for that the page could not use, until dismissed.
pub fn notices(notices: &[Notice], lang: Lang, on_dismiss: &Callback<()>) -> Html {
    if notices.is_empty() {
        return Html::default();
    }
    html! {
        <div class="notice" data-testid="url-notice" role="status">
            { for notices.iter().map(|n| html! { <p>{ n.text(lang) }</p> }) }
            <button class="chip" onclick={on_dismiss.reform(|_: MouseEvent| ())}>
                { T::new("知道了", "Dismiss").get(lang) }
            </button>
        </div>
    }
}

fn input_value(e: &Event) -> String {
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

fn select_value(e: &Event) -> String {
    e.target_dyn_into::<web_sys::HtmlSelectElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct KnobProps {
    pub label: &'static str,
    pub unit: &'static str,
    pub testid: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub value: f64,
    pub on_change: Callback<String>,
}

/// A slider with its value; the model re-runs when it is released (`change`), and the number
/// shown follows the thumb while dragging. The slider's own value is the live one too: the
/// re-render after each `input` must not put the thumb back, or a key press (input, then
/// change) would be undone before its `change` is read.
#[component]
pub fn Knob(p: &KnobProps) -> Html {
    let live = use_state(|| None::<String>);
    let shown = (*live).clone().unwrap_or_else(|| num::shortest(p.value));
    let oninput = {
        let live = live.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                live.set(Some(i.value()));
            }
        })
    };
    let onchange = {
        let live = live.clone();
        let cb = p.on_change.clone();
        Callback::from(move |e: Event| {
            live.set(None);
            cb.emit(input_value(&e));
        })
    };
    let with_unit = if p.unit.is_empty() {
        shown.clone()
    } else {
        format!("{shown} {}", p.unit)
    };
    html! {
        <label class="knob">
            <span>{ p.label }</span>
            <input type="range" min={num::shortest(p.min)} max={num::shortest(p.max)} step={num::shortest(p.step)}
                value={shown} data-testid={p.testid} {oninput} {onchange}
                aria-valuetext={with_unit.clone()} />
            <span class="mono knob-val" data-testid={format!("{}-value", p.testid)}>{ with_unit }</span>
        </label>
    }
}
