//! One page for every model-driven scene: explanation, what-if buttons, parameters, player.

use yew::prelude::*;

use synack_model::presets::{self, HandshakeCase, Knobs, TeardownCase};
use synack_model::profile::ProfileId;
use synack_model::trace::{Proto, Trace};

use super::compare::Compare;
#[cfg(feature = "full")]
use super::node_code::NodeCode;
use super::node_text;
use super::text;
#[cfg(feature = "full")]
use super::{backlog, sticky, udp, window};
use crate::app::use_shell;
use crate::dom;
use crate::engine::layout::Ladder;
use crate::engine::params::{self, Notice, Params, Profile};
use crate::engine::player::{Player, PlayerState};
use crate::engine::Shared;
use crate::i18n::{Api, Lang, T};
use crate::num;
use crate::route::{Location, Query, Route};

/// Case ids for a scene (the first is the default).
pub fn cases(r: Route) -> Vec<&'static str> {
    match r {
        Route::Handshake => HandshakeCase::ALL.iter().map(|c| c.id()).collect(),
        Route::Teardown => TeardownCase::ALL.iter().map(|c| c.id()).collect(),
        Route::TcpVsUdp => vec!["8", "4", "16"],
        #[cfg(feature = "full")]
        Route::Sticky => sticky::CASES.to_vec(),
        #[cfg(feature = "full")]
        Route::Udp => udp::CASES.to_vec(),
        #[cfg(feature = "full")]
        Route::Backlog => backlog::CASES.to_vec(),
        #[cfg(feature = "full")]
        Route::Window => window::CASES.to_vec(),
        _ => Vec::new(),
    }
}

fn case_title(r: Route, id: &str) -> (T, T) {
    match r {
        Route::Handshake => text::handshake_case(id),
        Route::Teardown => text::teardown_case(id),
        #[cfg(feature = "full")]
        Route::Sticky => sticky::case_title(id),
        #[cfg(feature = "full")]
        Route::Udp => udp::case_title(id),
        #[cfg(feature = "full")]
        Route::Backlog => backlog::case_title(id),
        #[cfg(feature = "full")]
        Route::Window => window::case_title(id),
        _ => (T::new("", ""), T::new("", "")),
    }
}

/// Defaults that differ per scene (TCP vs UDP is about a lossy network).
pub fn base_params(r: Route) -> Params {
    let c = cases(r);
    let mut p = Params::defaults(c.first().copied().unwrap_or(""));
    p.latency_ms = 20;
    if r == Route::TcpVsUdp {
        p.loss_pct = 20.0;
        p.seed = 3;
    }
    if r == Route::Teardown {
        p.speed = 0.2;
    }
    if r == Route::Backlog {
        // The interview chapter's capture was on loopback; its story spans a minute of retries.
        p.latency_ms = 0;
    }
    p
}

/// The model knobs shared by every scene.
pub fn knobs(p: &Params) -> Knobs {
    Knobs {
        latency_ms: p.latency_ms as f64,
        jitter_ms: p.jitter_ms as f64,
        loss_pct: p.loss_pct,
        seed: p.seed,
        profile: match p.profile {
            Profile::Linux => ProfileId::Linux,
            Profile::Rfc => ProfileId::Rfc,
        },
    }
}

/// Runs the model for a scene and its parameters.
#[cfg(test)]
pub fn run(r: Route, p: &Params) -> Result<Trace, String> {
    run_with(r, p, &Query::default())
}

/// As [`run`], with a scene's own URL keys (the sticky knobs).
pub fn run_with(r: Route, p: &Params, over: &Query) -> Result<Trace, String> {
    let k = knobs(p);
    let scenario = match r {
        Route::Handshake => presets::handshake(
            &k,
            HandshakeCase::from_id(&p.case).unwrap_or(HandshakeCase::Normal),
        ),
        Route::Teardown => presets::teardown(
            &k,
            TeardownCase::from_id(&p.case).unwrap_or(TeardownCase::ClientCloses),
        ),
        Route::TcpVsUdp => {
            let n: u32 = p.case.parse().unwrap_or(8);
            let mut s = presets::tcp_vs_udp(&k, n.min(PRESET_MAX_MESSAGES));
            if n > PRESET_MAX_MESSAGES {
                more_messages(&mut s, n);
            }
            s
        }
        #[cfg(feature = "full")]
        Route::Sticky => sticky::scenario(&k, &p.case, over, sticky::fix_of(over)),
        #[cfg(feature = "full")]
        Route::Udp => udp::scenario(&k, &p.case),
        #[cfg(feature = "full")]
        Route::Backlog => backlog::scenario(&k, &p.case, &p.knobs),
        #[cfg(feature = "full")]
        Route::Window => window::scenario(&k, &p.case),
        _ => return Err("no such scene".into()),
    };
    let mut trace = synack_model::simulate(&scenario).map_err(|e| e.to_string())?;
    // Snapshots every 64 events keep scrubbing O(64) anywhere in long traces.
    trace.build_snapshots(64);
    Ok(trace)
}

/// The model's preset sends at most this many messages; longer runs (for the benchmark's
/// 1,000-segment playback) extend its scripts here.
const PRESET_MAX_MESSAGES: u32 = 64;
/// Largest message count a URL may ask for (`messages=` or `case=` on the TCP vs UDP scene).
pub const MAX_MESSAGES: u32 = 1000;

/// Extends the preset's scripts to `n` messages, with the preset's own sizes and names.
fn more_messages(s: &mut synack_model::scenario::Scenario, n: u32) {
    use synack_model::scenario::{Action, Step};
    for app in &mut s.apps {
        match app.socket.as_str() {
            "tcp client" | "udp client" => {
                // Before the final close().
                let at = app.steps.len().saturating_sub(1);
                let extra = (PRESET_MAX_MESSAGES + 1..=n).map(|i| {
                    Step::now(Action::Send {
                        len: 20 + 15 * ((i - 1) % 4),
                        message: Some(format!("msg {i}")),
                        content: None,
                    })
                });
                app.steps.splice(at..at, extra);
            }
            "udp server" => {
                for _ in PRESET_MAX_MESSAGES..n {
                    app.steps.push(Step::now(Action::Recv { max: 1024 }));
                }
            }
            _ => {}
        }
    }
}

/// Valid case ids for this URL: the scene's, plus any message count for TCP vs UDP.
fn cases_for(r: Route, q: &Query) -> Vec<String> {
    let mut ids: Vec<String> = cases(r).into_iter().map(String::from).collect();
    if r == Route::TcpVsUdp {
        if let Some(n) = q
            .get("messages")
            .or(q.get("case"))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| (1..=MAX_MESSAGES).contains(n))
        {
            ids.push(n.to_string());
        }
    }
    ids
}

#[derive(Clone, PartialEq)]
struct Model {
    trace: Shared<Trace>,
    ladder: Shared<Ladder>,
    tcp: Option<Shared<Ladder>>,
    udp: Option<Shared<Ladder>>,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub route: Route,
    pub query: Query,
}

#[component]
pub fn ScenePage(props: &Props) -> Html {
    let shell = use_shell();
    // The Node.js view's words for the cases that name socket calls (node_text.rs).
    let case_title = |r: Route, id: &str| node_text::case(r.id(), id, shell.api, case_title(r, id));
    let lang = shell.lang;
    let r = props.route;
    let case_ids = cases(r);
    let base = base_params(r);
    let init = use_memo((), {
        let mut q = props.query.clone();
        if let Some(m) = q.get("messages").map(String::from) {
            q.set("case", m);
        }
        let ids = cases_for(r, &q);
        let base = base.clone();
        move |_| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let (mut p, mut notices) = params::from_query_with(&q, &ids, base);
            #[cfg(feature = "full")]
            if r == Route::Backlog {
                let case = backlog::effective(&p.case, &Default::default());
                let more = params::read_knobs(
                    &q,
                    backlog::KNOBS,
                    |k| backlog::knob_value(&case, k),
                    &mut p,
                );
                notices.extend(more);
            }
            (p, notices)
        }
    });
    let params = use_state(|| init.0.clone());
    // Scene 4's knobs changed from its case (URL keys of their own; a case button resets them).
    #[cfg(feature = "full")]
    let over = use_state(|| sticky::knob_query(&props.query));
    #[cfg(not(feature = "full"))]
    let over = use_state(Query::default);
    let notices = use_state(|| init.1.clone());
    let jump = use_state(|| None::<(u64, u32)>);

    // Re-run the model whenever a model parameter changes (not for playhead/speed/view).
    let model_key = (
        params.case.clone(),
        params.latency_ms,
        params.jitter_ms,
        params.loss_pct.to_bits(),
        params.seed,
        params.profile,
        params.knobs.clone(),
        over.encode(),
    );
    let model = {
        let p = (*params).clone();
        let o = (*over).clone();
        use_memo(model_key, move |_| {
            run_with(r, &p, &o).map(|t| {
                let ladder = Shared::new(Ladder::build(&t, None));
                let (tcp, udp) = if r == Route::TcpVsUdp {
                    (
                        Some(Shared::new(Ladder::build(&t, Some(Proto::Tcp)))),
                        Some(Shared::new(Ladder::build(&t, Some(Proto::Udp)))),
                    )
                } else {
                    (None, None)
                };
                Model {
                    trace: Shared::new(t),
                    ladder,
                    tcp,
                    udp,
                }
            })
        })
    };

    // Keep the URL equal to what is on screen (replaceState: no history spam, no remount).
    {
        let base = base.clone();
        use_effect_with(((*params).clone(), (*over).clone()), move |(p, o)| {
            let mut loc = Location::parse(&dom::current_hash());
            params::write_query_with(p, &base, &mut loc.query);
            params::write_knobs(p, scene_knobs(r), &mut loc.query);
            #[cfg(feature = "full")]
            for k in sticky::KNOB_KEYS.iter().chain(&["fix"]) {
                loc.query.remove(k);
            }
            for (k, v) in &o.0 {
                loc.query.set(k, v.clone());
            }
            dom::replace_hash(&loc.to_hash());
        });
    }

    let set = |f: fn(&mut Params, &str)| {
        let params = params.clone();
        Callback::from(move |v: String| {
            let mut p = (*params).clone();
            f(&mut p, &v);
            params.set(p);
        })
    };
    let on_player = {
        let params = params.clone();
        Callback::from(move |s: PlayerState| {
            let mut p = (*params).clone();
            // 0 is the default (absent from the URL): keep it `None`, or the Player's first
            // report would count as a change and render the whole page a second time.
            p.t_us = Some(s.t_us).filter(|&t| t > 0);
            p.speed = s.speed;
            p.numbering = s.numbering;
            p.view = s.view;
            if p != *params {
                params.set(p);
            }
        })
    };
    let share = {
        let title = r.title().get(lang);
        Callback::from(move |embed: bool| {
            let hash = dom::current_hash();
            let link = format!("{}{}", dom::base_url(), hash);
            if !embed {
                return link;
            }
            let mut loc = Location::parse(&hash);
            loc.query.set("embed", "1");
            let src = format!("{}{}", dom::base_url(), loc.to_hash());
            format!(
                "<iframe src=\"{}\" width=\"640\" height=\"400\" style=\"border:0;max-width:100%\" title=\"synack: {}\" loading=\"lazy\"></iframe>",
                src.replace('&', "&amp;").replace('"', "&quot;"),
                title
            )
        })
    };

    let case_buttons = case_ids.iter().map(|id| {
        let on = params.case == *id;
        let label = if r == Route::TcpVsUdp {
            match lang {
                Lang::Zh => format!("{id} 条消息"),
                Lang::En => format!("{id} messages"),
            }
        } else {
            case_title(r, id).0.get(lang).to_string()
        };
        let cb = {
            let params = params.clone();
            let over = over.clone();
            let jump = jump.clone();
            let id = id.to_string();
            Callback::from(move |_: MouseEvent| {
                let mut p = (*params).clone();
                p.case = id.clone();
                p.t_us = None;
                // A case is a whole situation: its own knob values replace the user's.
                p.knobs.clear();
                params.set(p);
                over.set(Query::default());
                // The player keeps its playhead across traces: take it back to the start too,
                // so the panels (which read the URL's playhead) and the diagram agree.
                jump_to(&jump, 0);
            })
        };
        html! {
            <button class={classes!("case", on.then_some("on"))} aria-pressed={on.to_string()}
                data-testid={format!("case-{id}")} onclick={cb}>{ label }</button>
        }
    });
    let case_text = case_title(r, &params.case).1.get(lang);
    let case_options = case_ids.iter().map(|id| {
        let label = if r == Route::TcpVsUdp {
            match lang {
                Lang::Zh => format!("{id} 条消息"),
                Lang::En => format!("{id} messages"),
            }
        } else {
            case_title(r, id).0.get(lang).to_string()
        };
        html! { <option value={id.to_string()} selected={params.case == *id}>{ label }</option> }
    });
    let on_case_select = {
        let params = params.clone();
        let over = over.clone();
        let jump = jump.clone();
        Callback::from(move |e: Event| {
            let mut p = (*params).clone();
            p.case = select_value(&e);
            p.t_us = None;
            p.knobs.clear();
            params.set(p);
            over.set(Query::default());
            jump_to(&jump, 0);
        })
    };
    // A sticky knob edited: keep it in the URL if valid and unlike the case's own value.
    #[cfg(feature = "full")]
    let on_knob = {
        let over = over.clone();
        let params = params.clone();
        Callback::from(move |(key, v): (String, String)| {
            let mut o = (*over).clone();
            if key == "fix" {
                match presets::StickyFix::from_id(&v) {
                    Some(presets::StickyFix::None) => o.remove("fix"),
                    Some(f) => o.set("fix", f.id()),
                    None => return,
                }
                return over.set(o);
            }
            let Some(c) = sticky::case_of(&params.case) else {
                return;
            };
            let k = knobs(&params);
            let mut sk = sticky::knobs_of(&k, c, &over);
            if !sticky::knob_set(&mut sk, &key, &v) {
                return;
            }
            let val = sticky::knob_get(&sk, &key);
            if val == sticky::knob_get(&presets::StickyKnobs::of(&k, c), &key) {
                o.remove(&key);
            } else {
                o.set(&key, val);
            }
            over.set(o);
        })
    };
    #[cfg(not(feature = "full"))]
    let on_knob = Callback::from(|_: (String, String)| ());

    let intro: &[T] = match r {
        Route::Handshake => text::HANDSHAKE_INTRO,
        Route::Teardown => text::TEARDOWN_INTRO,
        #[cfg(feature = "full")]
        Route::Sticky => sticky::INTRO,
        #[cfg(feature = "full")]
        Route::Udp => udp::INTRO,
        #[cfg(feature = "full")]
        Route::Backlog => backlog::INTRO,
        #[cfg(feature = "full")]
        Route::Window => window::INTRO,
        _ => text::TCP_UDP_INTRO,
    };
    let intro = node_text::intro(r.id(), intro, shell.api);

    let notice_html = (!notices.is_empty()).then(|| {
        let notices2 = notices.clone();
        html! {
            <div class="notice" data-testid="url-notice" role="status">
                { for notices.iter().map(|n: &Notice| html! { <p>{ n.text(lang) }</p> }) }
                <button class="chip" onclick={Callback::from(move |_: MouseEvent| notices2.set(Vec::new()))}>
                    { T::new("知道了", "Dismiss").get(lang) }
                </button>
            </div>
        }
    });

    let knobs = html! {
        <div class="knobs" data-testid="knobs">
            <Knob label={T::new("单程时延", "One-way delay").get(lang)} unit="ms" testid="latency"
                min=0.0 max={500.0} step=1.0 value={params.latency_ms as f64} on_change={set(|p, v| p.latency_ms = num::parse_f64(v).map(|x| x.round() as u32).unwrap_or(p.latency_ms))} />
            <Knob label={T::new("抖动", "Jitter").get(lang)} unit="ms" testid="jitter"
                min=0.0 max={200.0} step=1.0 value={params.jitter_ms as f64} on_change={set(|p, v| p.jitter_ms = num::parse_f64(v).map(|x| x.round() as u32).unwrap_or(p.jitter_ms))} />
            <Knob label={T::new("丢包率", "Loss").get(lang)} unit="%" testid="loss"
                min=0.0 max={50.0} step=1.0 value={params.loss_pct} on_change={set(|p, v| p.loss_pct = num::parse_f64(v).unwrap_or(p.loss_pct))} />
            <label class="knob">
                <span>{ T::new("随机种子", "Seed").get(lang) }</span>
                <input type="number" min="0" step="1" data-testid="seed" value={params.seed.to_string()}
                    onchange={set(|p, v| p.seed = v.trim().parse().unwrap_or(p.seed)).reform(|e: Event| input_value(&e))} />
                <button class="chip" data-testid="seed-next" title={T::new("换一个种子", "Next seed").get(lang)}
                    onclick={set(|p, _| p.seed = p.seed.wrapping_add(1)).reform(|_: MouseEvent| String::new())}>{"+1"}</button>
            </label>
            <label class="knob">
                <span>{ T::new("协议栈", "Profile").get(lang) }</span>
                <select data-testid="profile" onchange={set(|p, v| p.profile = if v == "rfc" { Profile::Rfc } else { Profile::Linux }).reform(|e: Event| select_value(&e))}>
                    <option value="linux" selected={params.profile == Profile::Linux}>{"Linux"}</option>
                    <option value="rfc" selected={params.profile == Profile::Rfc}>{"RFC"}</option>
                </select>
            </label>
        </div>
    };

    #[cfg(not(feature = "full"))]
    let scene_knobs_html: Option<Html> = None;
    #[cfg(feature = "full")]
    let scene_knobs_html = (r == Route::Backlog).then(|| {
        let on_set = {
            let params = params.clone();
            let jump = jump.clone();
            Callback::from(move |(key, v): (&'static str, u32)| {
                let mut p = (*params).clone();
                p.knobs.insert(key.to_string(), v);
                p.t_us = None;
                params.set(p);
                // A new situation: back to its start, diagram and panels alike.
                jump_to(&jump, 0);
            })
        };
        html! { <backlog::SceneKnobs case={AttrValue::from(params.case.clone())}
        overrides={params.knobs.clone()} lang={lang} {on_set} /> }
    });

    let body = match &*model {
        Ok(m) => {
            // Below the diagrams: drawn once the first frame is on screen.
            let compare = (r == Route::TcpVsUdp).then(|| {
                let jump = jump.clone();
                html! { <AfterPaint>
                    <Compare trace={m.trace.clone()} t={params.t_us.unwrap_or(0)} lang={lang}
                        on_jump={Callback::from(move |t: u64| jump_to(&jump, t))} />
                </AfterPaint> }
            });
            // Scene 7 draws its window views inside the player, from the live playhead.
            #[cfg(not(feature = "full"))]
            let panel: Option<Callback<u64, Html>> = None;
            #[cfg(feature = "full")]
            let panel = (r == Route::Window).then(|| {
                let trace = m.trace.clone();
                let jump = jump.clone();
                let on_jump = Callback::from(move |t: u64| jump_to(&jump, t));
                Callback::from(move |t: u64| html! {
                    <window::WindowPanel trace={trace.clone()} t={t} lang={lang} on_jump={on_jump.clone()} />
                })
            });
            html! { <>
                <Player trace={m.trace.clone()} ladder={m.ladder.clone()} lang={lang}
                    init_t={params.t_us} speed={params.speed} numbering={params.numbering} view={params.view}
                    autoplay={params.autoplay} on_change={on_player} jump={*jump}
                    export_name={AttrValue::from(format!("synack-{}-{}", r.id(), params.case))}
                    share={share} split={m.tcp.clone().zip(m.udp.clone())} panel={panel} />
                { for compare }
                { scene_panel(r, m, &params, lang, &jump, &over, &on_knob) }
            </> }
        }
        Err(e) => html! {
            <div class="notice error" data-testid="model-error" role="alert">
                <strong>{ T::new("模型无法运行这组参数", "The model could not run these parameters").get(lang) }</strong>
                <p class="mono">{ e.clone() }</p>
            </div>
        },
    };

    html! {
        <div class={classes!("page", "scene", shell.embed.then_some("embedded"))} data-testid={format!("page-{}", r.id())}>
            if !shell.embed {
                <h1>{ r.title().get(lang) }</h1>
                <div class="explain">{ for intro.iter().take(1).map(|p| html! { <p>{ p.get(lang) }</p> }) }</div>
            }
            { for notice_html }
            if shell.embed {
                <div class="embed-bar">
                    <select class="case-select" data-testid="case-select" aria-label={T::new("假如……", "What if…").get(lang)}
                        onchange={on_case_select}>
                        { for case_options }
                    </select>
                    <details class="knobs-fold"><summary>{ T::new("网络参数", "Network").get(lang) }</summary>{ knobs }{ for scene_knobs_html.clone() }</details>
                    <a class="embed-home" href={dom::base_url() + &r.href()} target="_blank" rel="noopener">{"synack ↗"}</a>
                </div>
            } else {
                <div class="cases" role="group" aria-label={T::new("假如……", "What if…").get(lang)}>
                    { for case_buttons }
                </div>
                if !case_text.is_empty() {
                    <p class="case-text" data-testid="case-text">{ case_text }</p>
                }
                if let Some(rec) = super::recordings::for_case(r.id(), &params.case) {
                    <p class="kernel-rec">
                        <a href={format!("#/open?rec={rec}")} data-testid="kernel-recording">
                            { T::new("Linux 6.18 实测：同一情形在真实内核上的运行，与模型并排对比 →",
                                     "Linux 6.18, recorded: this situation on a real kernel, beside the model →").get(lang) }
                        </a>
                    </p>
                }
                { knobs }
                { for scene_knobs_html }
            }
            { body }
            if shell.api == Api::Node {
                <AfterPaint>
                    { node_code(r, &params.case, lang) }
                </AfterPaint>
            }
            if !shell.embed && intro.len() > 1 {
                // Below the player, out of the first screen: drawn after the first frame.
                <AfterPaint>
                <section class="explain more" data-testid="explain">
                    <h2>{ T::new("细说", "In more detail").get(lang) }</h2>
                    { for intro.iter().skip(1).map(|p| html! { <p>{ p.get(lang) }</p> }) }
                </section>
                </AfterPaint>
            }
        </div>
    }
}

/// The Node.js panel; the first-load build never draws a scene in the Node.js view (it hands
/// such a page to the full build, `pages::page_for`), so it has no panel to draw.
#[cfg(feature = "full")]
fn node_code(r: Route, case: &str, lang: Lang) -> Html {
    html! { <NodeCode scene={AttrValue::from(r.id())} case={AttrValue::from(case.to_string())} lang={lang} /> }
}

#[cfg(not(feature = "full"))]
fn node_code(_: Route, _: &str, _: Lang) -> Html {
    Html::default()
}

#[derive(Properties, PartialEq)]
struct AfterPaintProps {
    children: Html,
}

/// Its children once the page's first frame is painted ([`crate::hooks::use_after_paint`]);
/// nothing before. Only this component renders again when they appear, not the page.
#[component]
fn AfterPaint(p: &AfterPaintProps) -> Html {
    if crate::hooks::use_after_paint() {
        p.children.clone()
    } else {
        Html::default()
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
    html! {
        <label class="knob">
            <span>{ p.label }</span>
            <input type="range" min={num::shortest(p.min)} max={num::shortest(p.max)} step={num::shortest(p.step)}
                value={shown.clone()} data-testid={p.testid} {oninput} {onchange}
                aria-valuetext={if p.unit.is_empty() { shown.clone() } else { format!("{shown} {}", p.unit) }} />
            <span class="mono knob-val" data-testid={format!("{}-value", p.testid)}>{ if p.unit.is_empty() { shown } else { format!("{shown} {}", p.unit) } }</span>
        </label>
    }
}

/// Asks the player to move its playhead to `t` µs. The counter makes a second jump to the same
/// moment a new request (the player reacts to a changed value).
fn jump_to(jump: &UseStateHandle<Option<(u64, u32)>>, t: u64) {
    jump.set(Some((t, jump.map_or(0, |j| j.1) + 1)));
}

/// The scene's own URL knobs, beyond the shared ones (see `params::KnobSpec`).
fn scene_knobs(r: Route) -> &'static [params::KnobSpec] {
    match r {
        #[cfg(feature = "full")]
        Route::Backlog => backlog::KNOBS,
        _ => &[],
    }
}

/// The panel a scene shows under the player (scenes 4 and 6 live in their own files).
fn scene_panel(
    r: Route,
    m: &Model,
    p: &Params,
    lang: Lang,
    jump: &UseStateHandle<Option<(u64, u32)>>,
    over: &Query,
    on_knob: &Callback<(String, String)>,
) -> Html {
    let on_jump = {
        let jump = jump.clone();
        Callback::from(move |t: u64| jump_to(&jump, t))
    };
    let t = p.t_us.unwrap_or(0);
    match r {
        #[cfg(feature = "full")]
        Route::Sticky => html! {
            <sticky::StickyPanel trace={m.trace.clone()} knobs={knobs(p)} case={AttrValue::from(p.case.clone())}
                over={over.clone()} t={t} lang={lang} on_jump={on_jump} on_knob={on_knob.clone()} />
        },
        #[cfg(feature = "full")]
        Route::Udp => html! {
            <udp::UdpPanel trace={m.trace.clone()} t={t} lang={lang} on_jump={on_jump} />
        },
        #[cfg(feature = "full")]
        Route::Backlog => html! {
            <backlog::BacklogPanel trace={m.trace.clone()} t={t} lang={lang} on_jump={on_jump} />
        },
        _ => html! {},
    }
}
