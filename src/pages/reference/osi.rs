//! `#/ref/osi`: the OSI and TCP/IP layer tables, and one HTTP request going down the client's
//! stack, across the wire and up the server's. The picture is a pure function of the step
//! index; `#/ref/osi?step=4` opens at a given step (1-based, as shown on screen).

use std::rc::Rc;

use gloo::timers::callback::Interval;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::osi_data::{
    fields, narration, parts, place, sizes, texts, total, Place, Sizes, HTTP_REQUEST, OSI, STEPS,
    TCPIP,
};
use crate::app::use_shell;
use crate::hooks::use_effect_on;
use crate::i18n::{Lang, T};
use crate::num::shortest;
use crate::pages::use_ready_after_render;
use crate::route::Route;
use crate::texts::{Fetched, Text};

const INTRO: T = T::new(
    "OSI 七层是教学用的参考模型；互联网实际按 TCP/IP 四层实现。两者的对应关系如下，下面的动画演示每一层加上自己的首部。",
    "OSI's seven layers are a teaching reference; the Internet is built on TCP/IP's four. How they line up is below, then an animation of each layer adding its header.",
);
const LAYERS_TITLE: T = T::new("两种分层", "The two layer models");
const COL_OSI: T = T::new("OSI 七层", "OSI (7 layers)");
const COL_TCPIP: T = T::new("TCP/IP 四层", "TCP/IP (4 layers)");
const COL_ADDS: T = T::new("这一层负责", "What it adds");
const COL_EX: T = T::new("协议举例", "Example protocols");
const COL_PDU: T = T::new("数据单元", "PDU");
const TABLE_LOADING: T = T::new("正在加载分层对照表……", "Loading the layer table…");
const ANIM_TITLE: T = T::new(
    "一次 HTTP 请求的封装与解封装",
    "One HTTP request, wrapped and unwrapped",
);
const CLIENT: T = T::new("客户端", "Client");
const SERVER: T = T::new("服务器", "Server");
const WIRE: T = T::new("网线", "wire");
const FIRST: T = T::new("回到开头", "Back to the start");
const PREV: T = T::new("上一步", "Previous step");
const NEXT: T = T::new("下一步", "Next step");
const PLAY: T = T::new("播放", "Play");
const PAUSE: T = T::new("暂停", "Pause");
const STEP: T = T::new("步骤", "Step");
const BYTES: T = T::new("字节", "bytes");
const UNIT: [T; 4] = [
    T::new("HTTP 报文", "HTTP message"),
    T::new("TCP 段", "TCP segment"),
    T::new("IP 包", "IP packet"),
    T::new("以太网帧", "Ethernet frame"),
];

/// Playback state: a step index and whether it advances by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anim {
    pub step: usize,
    pub playing: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnimAction {
    First,
    Prev,
    Next,
    Toggle,
    Set(usize),
    /// The timer's tick: one step on, stopping at the end.
    Tick,
}

impl Anim {
    pub fn apply(self, a: AnimAction) -> Anim {
        let last = STEPS - 1;
        match a {
            AnimAction::First => Anim {
                step: 0,
                playing: false,
            },
            AnimAction::Prev => Anim {
                step: self.step.saturating_sub(1),
                playing: false,
            },
            AnimAction::Next => Anim {
                step: (self.step + 1).min(last),
                playing: false,
            },
            AnimAction::Set(n) => Anim {
                step: n.min(last),
                playing: false,
            },
            // Play at the end starts again from the top.
            AnimAction::Toggle if !self.playing && self.step >= last => Anim {
                step: 0,
                playing: true,
            },
            AnimAction::Toggle => Anim {
                playing: !self.playing,
                ..self
            },
            AnimAction::Tick if !self.playing => self,
            AnimAction::Tick => {
                let step = (self.step + 1).min(last);
                Anim {
                    step,
                    playing: step < last,
                }
            }
        }
    }
}

impl Reducible for Anim {
    type Action = AnimAction;
    fn reduce(self: Rc<Self>, a: AnimAction) -> Rc<Self> {
        Rc::new((*self).apply(a))
    }
}

/// `?step=` is 1-based; anything unreadable or out of range starts at the first step.
pub fn initial_step(param: Option<&str>) -> usize {
    param
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|n| (1..=STEPS).contains(n))
        .map_or(0, |n| n - 1)
}

const TICK_MS: u32 = 1600;

#[derive(Properties, PartialEq)]
pub struct Props {
    #[prop_or_default]
    pub step: Option<String>,
}

#[component]
pub fn OsiPage(props: &Props) -> Html {
    let lang = use_shell().lang;
    use_ready_after_render();
    let start = initial_step(props.step.as_deref());
    let anim = use_reducer(move || Anim {
        step: start,
        playing: false,
    });
    {
        // The effect owns the interval: dropping it (pause, unmount) stops the ticks.
        let dispatcher = anim.dispatcher();
        use_effect_on(anim.playing, move |&playing| {
            let timer = playing
                .then(|| Interval::new(TICK_MS, move || dispatcher.dispatch(AnimAction::Tick)));
            move || drop(timer)
        });
    }
    let s = sizes(HTTP_REQUEST.len());
    let send = |a: AnimAction| {
        let anim = anim.clone();
        Callback::from(move |_: MouseEvent| anim.dispatch(a))
    };
    let onslide = {
        let anim = anim.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target()
                .and_then(|t| js_sys::Reflect::get(&t, &JsValue::from_str("value")).ok())
                .and_then(|v| v.as_string())
                .and_then(|v| v.parse::<usize>().ok());
            if let Some(v) = v {
                anim.dispatch(AnimAction::Set(v));
            }
        })
    };
    let step = anim.step;
    // Line ends written out as \r\n so the 47 bytes can be counted on screen.
    let request = HTTP_REQUEST.replace("\r\n", "\\r\\n\n");
    // The table's words are a file fetched after first paint (`crate::texts`); the animation
    // below needs none of them, so it is there at once whatever becomes of the file.
    let fetched = crate::texts::use_table_words(Text::RefOsi, texts);
    let (state, table) = match fetched {
        Fetched::In(w) => ("in", layer_table(w, lang)),
        Fetched::Loading => (
            "loading",
            html! { <p class="notice" data-testid="osi-table-loading" role="status">{ TABLE_LOADING.get(lang) }</p> },
        ),
        Fetched::Failed => ("failed", crate::texts::failed_notice(Text::RefOsi, lang)),
    };

    html! {
        <div class="page reference ref-osi" data-testid="page-ref-osi" data-words={state}>
            <h1>{ Route::RefOsi.title().get(lang) }</h1>
            <p class="route-blurb">{ INTRO.get(lang) }</p>

            <h2>{ LAYERS_TITLE.get(lang) }</h2>
            { table }

            <h2>{ ANIM_TITLE.get(lang) }</h2>
            <pre class="http-request mono" aria-label="HTTP">{ request.trim_end().to_string() }</pre>
            <div class="osi-anim" data-testid="osi-anim" data-step={step.to_string()}>
                { stack_svg(&StepProps { step, sizes: s }, lang) }
                <div class="osi-controls">
                    <button type="button" class="chip" title={FIRST.get(lang)} aria-label={FIRST.get(lang)}
                        data-testid="osi-first" onclick={send(AnimAction::First)}>{"«"}</button>
                    <button type="button" class="chip" title={PREV.get(lang)} aria-label={PREV.get(lang)}
                        data-testid="osi-prev" disabled={step == 0} onclick={send(AnimAction::Prev)}>{"◀"}</button>
                    <button type="button" class="chip play" aria-pressed={anim.playing.to_string()}
                        data-testid="osi-play" onclick={send(AnimAction::Toggle)}>
                        { if anim.playing { PAUSE.get(lang) } else { PLAY.get(lang) } }
                    </button>
                    <button type="button" class="chip" title={NEXT.get(lang)} aria-label={NEXT.get(lang)}
                        data-testid="osi-next" disabled={step + 1 >= STEPS} onclick={send(AnimAction::Next)}>{"▶"}</button>
                    <input type="range" min="0" max={(STEPS - 1).to_string()} value={step.to_string()}
                        aria-label={STEP.get(lang)} data-testid="osi-slider" oninput={onslide} />
                    <span class="mono osi-step" data-testid="osi-step">{ format!("{} {}/{}", STEP.get(lang), step + 1, STEPS) }</span>
                </div>
                <p class="narration" aria-live="polite" data-testid="osi-narration">{ narration(step, &s, lang) }</p>
                { encapsulation(&StepProps { step, sizes: s }, lang) }
            </div>
        </div>
    }
}

/// The layers' table; `words`: the file's words, in the order of `osi_data::texts`. It and the
/// animation's two drawings are plain functions drawn with the page (which renders again on
/// each step), not components: each costs about 1 KB of wasm.
fn layer_table(words: &'static [T], lang: Lang) -> Html {
    let keys = texts();
    // A text's words, by its key (the file has exactly those keys, `texts::parse`).
    let at = |key: String| -> &'static str {
        let i = keys.iter().position(|(k, _)| *k == key);
        i.and_then(|i| words.get(i)).map_or("", |t| t.get(lang))
    };
    html! {
        <div class="table-wrap">
            <table class="ref-table osi-table" data-testid="osi-table">
                <thead>
                    <tr>
                        <th scope="col">{ COL_OSI.get(lang) }</th>
                        <th scope="col">{ COL_TCPIP.get(lang) }</th>
                        <th scope="col">{ COL_ADDS.get(lang) }</th>
                        <th scope="col">{ COL_EX.get(lang) }</th>
                        <th scope="col">{ COL_PDU.get(lang) }</th>
                    </tr>
                </thead>
                <tbody>
                    { for OSI.iter().map(|l| {
                        // The TCP/IP cell spans the OSI layers it covers; it is drawn on the first.
                        let tcpip = TCPIP.iter().enumerate().find(|(_, t)| t.osi.first() == Some(&l.num));
                        html! {
                            <tr data-testid={format!("osi-layer-{}", l.num)}>
                                <th scope="row"><span class="mono layer-num">{ l.num }</span>{" "}{ l.name.get(lang) }</th>
                                if let Some((i, t)) = tcpip {
                                    <td class={classes!("tcpip", format!("tcpip-{i}"))} rowspan={t.osi.len().to_string()} data-label={COL_TCPIP.get(lang)}>{ t.name.get(lang) }</td>
                                }
                                <td data-label={COL_ADDS.get(lang)}>{ at(format!("layer.{}.adds", l.num)) }</td>
                                <td class="mono examples" data-label={COL_EX.get(lang)}>{ l.examples }</td>
                                <td data-label={COL_PDU.get(lang)}>{ at(format!("layer.{}.pdu", l.num)) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

struct StepProps {
    step: usize,
    sizes: Sizes,
}

// Geometry of the SVG (viewBox units). Narrow enough that labels stay ≥ 12 px at 360 px wide.
const W: f64 = 420.0;
const BOX_W: f64 = 130.0;
const BOX_H: f64 = 46.0;
const TOP: f64 = 40.0;
const PITCH: f64 = 54.0;
const WIRE_Y: f64 = TOP + 4.0 * PITCH + 18.0;
const TOKEN_W: f64 = 64.0;
const TOKEN_H: f64 = 28.0;
const CLIENT_X: f64 = 6.0;
const SERVER_X: f64 = W - 6.0 - BOX_W;
const CLIENT_LANE: f64 = CLIENT_X + BOX_W + 40.0;
const SERVER_LANE: f64 = SERVER_X - 40.0;

fn layer_y(l: usize) -> f64 {
    TOP + l as f64 * PITCH
}

/// Centre of the token at a step: beside the layer it is in, or in the middle of the wire.
pub fn token_centre(step: usize) -> (f64, f64) {
    match place(step) {
        Place::Client(l) => (CLIENT_LANE, layer_y(l) + BOX_H / 2.0),
        Place::Server(l) => (SERVER_LANE, layer_y(l) + BOX_H / 2.0),
        Place::Wire => (W / 2.0, WIRE_Y),
    }
}

fn stack_svg(props: &StepProps, lang: Lang) -> Html {
    let here = place(props.step);
    let unit_bytes = total(&parts(props.step, &props.sizes), &props.sizes);
    let stack = |x: f64, title: T, server: bool| {
        html! {
            <g class="osi-stack">
                <text class="osi-host" x={shortest(x + BOX_W / 2.0)} y="24" text-anchor="middle">{ title.get(lang) }</text>
                { for TCPIP.iter().enumerate().map(|(l, t)| {
                    let on = if server { here == Place::Server(l) } else { here == Place::Client(l) };
                    let y = layer_y(l);
                    html! {
                        <g class={classes!("osi-layer", on.then_some("on"))}>
                            <rect x={shortest(x)} y={shortest(y)} width={shortest(BOX_W)} height={shortest(BOX_H)} rx="6" />
                            <text x={shortest(x + BOX_W / 2.0)} y={shortest(y + BOX_H / 2.0 + 5.5)} text-anchor="middle">{ t.name.get(lang) }</text>
                        </g>
                    }
                }) }
            </g>
        }
    };
    let (tx, ty) = token_centre(props.step);
    let lane = format!(
        "M{cl},{top} V{wy} H{sl} V{top}",
        cl = shortest(CLIENT_LANE),
        sl = shortest(SERVER_LANE),
        top = shortest(TOP + BOX_H / 2.0),
        wy = shortest(WIRE_Y),
    );
    let link_bottom = shortest(layer_y(3) + BOX_H);
    html! {
        <svg class="osi-svg" viewBox={format!("0 0 {} {}", shortest(W), shortest(WIRE_Y + 26.0))} role="img"
            aria-label={narration(props.step, &props.sizes, lang)}>
            <path class="osi-lane" d={lane} />
            <path class={classes!("osi-wire", (here == Place::Wire).then_some("on"))}
                d={format!("M{},{link_bottom} V{} H{} V{link_bottom}", shortest(CLIENT_X + BOX_W / 2.0), shortest(WIRE_Y), shortest(SERVER_X + BOX_W / 2.0))} />
            <text class="osi-wire-label" x={shortest(W / 2.0)} y={shortest(WIRE_Y + 20.0)} text-anchor="middle">{ WIRE.get(lang) }</text>
            { stack(CLIENT_X, CLIENT, false) }
            { stack(SERVER_X, SERVER, true) }
            <g class="osi-token" style={format!("transform: translate({}px, {}px)", shortest(tx - TOKEN_W / 2.0), shortest(ty - TOKEN_H / 2.0))}
                data-testid="osi-token">
                <rect width={shortest(TOKEN_W)} height={shortest(TOKEN_H)} rx="14" />
                <text x={shortest(TOKEN_W / 2.0)} y={shortest(TOKEN_H / 2.0 + 5.0)} text-anchor="middle">{ format!("{unit_bytes} B") }</text>
            </g>
        </svg>
    }
}

fn encapsulation(props: &StepProps, lang: Lang) -> Html {
    let s = props.sizes;
    let ps = parts(props.step, &s);
    let bytes = total(&ps, &s);
    let unit = match place(props.step) {
        Place::Client(l) | Place::Server(l) => UNIT[l],
        Place::Wire => UNIT[3],
    };
    let sum = ps
        .iter()
        .map(|p| p.bytes(&s).to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    html! {
        <div class="encap">
            <p class="encap-total">
                <strong>{ unit.get(lang) }</strong>{" "}
                <span class="mono" data-testid="osi-size">{ format!("{bytes} {}", BYTES.get(lang)) }</span>
                if ps.len() > 1 { <span class="mono encap-sum">{ format!(" = {sum}") }</span> }
            </p>
            <div class="encap-bar" data-testid="osi-bar">
                { for ps.iter().map(|p| html! {
                    <div class={classes!("encap-part", format!("part-{}", p.label().to_ascii_lowercase()))}
                        style={format!("flex-grow: {}", p.bytes(&s))}>
                        <span>{ p.label() }</span><span class="mono">{ p.bytes(&s) }</span>
                    </div>
                }) }
            </div>
            <ul class="encap-fields">
                { for ps.iter().map(|p| html! {
                    <li><span class="mono part-tag">{ format!("{} {} B", p.label(), p.bytes(&s)) }</span>{ fields(*p, &s, lang) }</li>
                }) }
            </ul>
            if matches!(place(props.step), Place::Wire) {
                <p class="mono encap-sum">{ wire_note(lang, &s) }</p>
            }
        </div>
    }
}

fn wire_note(lang: Lang, s: &Sizes) -> String {
    use super::osi_data::{INTERFRAME_GAP, PREAMBLE_SFD};
    match lang {
        Lang::Zh => format!(
            "({PREAMBLE_SFD} + {}) × 8 = {} bit，之后静默 {INTERFRAME_GAP} 字节时间",
            s.frame, s.wire_bits
        ),
        Lang::En => format!(
            "({PREAMBLE_SFD} + {}) × 8 = {} bits, then {INTERFRAME_GAP} byte-times of silence",
            s.frame, s.wire_bits
        ),
    }
}
