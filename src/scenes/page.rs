//! One page for every scene: explanation, what-if buttons, parameters, player, the scene's panel.
//! It draws any [`SceneDef`] and never asks which one.

use yew::prelude::*;

use synack_model::trace::{Proto, Trace};

use super::controls::{self, CasesProps};
use super::state::{SceneAction, SceneState};
use super::{KnobsArgs, Panel, PanelArgs, SceneDef};
use crate::app::use_shell;
use crate::dom;
use crate::engine::layout::Ladder;
use crate::engine::params;
use crate::engine::player::Player;
use crate::engine::Shared;
use crate::hooks::use_effect_on;
use crate::i18n::{Api, T};
use crate::route::{Location, Query};

#[derive(Clone, PartialEq)]
struct Model {
    trace: Shared<Trace>,
    ladder: Shared<Ladder>,
    /// The TCP and the UDP ladder, for a scene drawn split by protocol.
    split: Option<(Shared<Ladder>, Shared<Ladder>)>,
}

impl Model {
    fn build(scene: &SceneDef, t: Trace) -> Model {
        let ladder = Shared::new(Ladder::build(&t, None));
        let split = scene.split_by_proto.then(|| {
            (
                Shared::new(Ladder::build(&t, Some(Proto::Tcp))),
                Shared::new(Ladder::build(&t, Some(Proto::Udp))),
            )
        });
        Model {
            trace: Shared::new(t),
            ladder,
            split,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub scene: &'static SceneDef,
    pub query: Query,
}

#[component]
pub fn ScenePage(props: &Props) -> Html {
    let shell = use_shell();
    let (lang, scene, r) = (shell.lang, props.scene, props.scene.route);
    let (state, model, playhead) = use_scene(scene, &props.query);
    // The reader's first knob change, paid for at idle after the first paint.
    super::warm::use_warm_up(scene, &state.params, &state.own, lang);
    #[cfg(not(test))]
    let words = super::teach::words::use_words(scene);
    // The Node view's own texts of the scene, in that view only (`node_text`).
    #[cfg(all(not(test), feature = "full"))]
    let node_text = (shell.api.is_node() && !super::node_text::keys(r.id()).is_empty())
        .then_some(crate::texts::Text::Node(r.id()));
    #[cfg(all(not(test), feature = "full"))]
    let node = crate::texts::use_text(node_text);
    // Where its texts are (tests wait for `data-words`): loading, in or failed.
    #[cfg(not(test))]
    let (words_at, failed) = {
        use crate::texts::{Fetched, Text};
        #[allow(unused_mut)]
        let mut texts = vec![(Text::Words(scene), words)];
        #[cfg(feature = "full")]
        texts.extend(node_text.map(|t| (t, node)));
        let at = if texts.iter().any(|(_, f)| *f == Fetched::Loading) {
            "loading"
        } else if texts.iter().any(|(_, f)| *f == Fetched::Failed) {
            "failed"
        } else {
            "in"
        };
        texts.retain(|(_, f)| *f == Fetched::Failed);
        (at, texts)
    };
    #[cfg(test)]
    let (words_at, failed): (&str, Vec<(crate::texts::Text, ())>) = ("in", vec![]);
    // The Node view's paragraphs wait for its file (the C view's would name the wrong calls).
    #[cfg(all(not(test), feature = "full"))]
    let node_loading = node == crate::texts::Fetched::Loading;
    #[cfg(any(test, not(feature = "full")))]
    let node_loading = false;
    let p = &state.params;
    let case = AttrValue::from(p.case.clone());
    let on_case = make_callback(&state, SceneAction::Case);
    let on_net = make_callback(&state, |(knob, v)| SceneAction::Net(knob, v));
    let net_knobs = controls::net_knobs(p, lang, &on_net);
    let scene_knobs = scene.knobs.map(|k| {
        (k.view)(&KnobsArgs {
            params: p.clone(),
            lang,
            api: shell.api,
            on_set: make_callback(&state, |(key, v)| SceneAction::Knob(key, v)),
        })
    });
    let teach = crate::engine::teach::Teach {
        rows: scene.teach,
        case: case.clone(),
        node: shell
            .api
            .is_node()
            .then_some(crate::engine::teach::NodeRows {
                scene: r.id(),
                row: crate::scenes::node_text::teach,
            }),
        #[cfg(not(test))]
        words: match words {
            crate::texts::Fetched::In(w) => Some(w),
            _ => None,
        },
        // A handout waits for every text of the page.
        #[cfg(not(test))]
        pending: words_at == "loading",
    };
    #[cfg(feature = "full")]
    let handout = Some(handout_info(scene, p, lang, shell.api));
    #[cfg(not(feature = "full"))]
    let handout = None;
    // Where the scene's own view drawn with the player goes (`Panel::InPlayer`): after the
    // first screen, not in it (`Player`'s `panel_host`).
    let panel_host = use_node_ref();
    let (player, after) = match &*model {
        Ok(m) => {
            let knobs = (!shell.embed).then(|| scene_knobs.clone());
            let host = (!shell.embed).then(|| panel_host.clone());
            scene_player(&state, &playhead, m, lang, (handout, teach), knobs, host)
        }
        Err(e) => (
            html! {
                <div class="notice error" data-testid="model-error" role="alert">
                    <strong>{ T::new("模型无法运行这组参数", "The model could not run these parameters").get(lang) }</strong>
                    <p class="mono">{ e.clone() }</p>
                </div>
            },
            Html::default(),
        ),
    };
    let intro = scene.intro_in(shell.api);
    let on_dismiss = make_callback(&state, |()| SceneAction::DismissNotices);
    let notices = html! { <>
        { controls::notices(&state.notices, lang, &on_dismiss) }
        { for failed.iter().map(|(t, _)| crate::texts::failed_notice(*t, lang)) }
    </> };
    html! {
        <div class={classes!("page", "scene", shell.embed.then_some("embedded"))} data-testid={format!("page-{}", r.id())} data-words={words_at}>
            if shell.embed {
                { notices }
                <div class="embed-bar">
                    { controls::case_select(&CasesProps { scene, current: &case, lang, api: shell.api, on_case: on_case.clone() }) }
                    <details class="knobs-fold"><summary>{ T::new("网络参数", "Network").get(lang) }</summary>{ net_knobs }{ for scene_knobs }</details>
                    <a class="embed-home" href={dom::base_url() + &r.href()} target="_blank" rel="noopener">{"synack ↗"}</a>
                </div>
                { player }
            } else {
                // A teacher's first screen, on opening the scene (style.css): the title, the
                // cases and the player, the diagram taking the height the rest leaves.
                <div class="scene-first">
                    <h1>{ r.title().get(lang) }</h1>
                    <div class="explain">{ for intro.iter().take(1).filter(|p| !p.en.is_empty()).map(|p| html! { <p>{ p.get(lang) }</p> }) }</div>
                    { notices }
                    { case_controls(scene, p, shell.api, lang, on_case) }
                    { player }
                </div>
                <div class="scene-panel" ref={panel_host}></div>
                // The network's knobs under the player, with the scene's own: on a laptop's
                // first screen they took the height the hosts' panels needed.
                { net_knobs }
            }
            { after }
            if shell.api == Api::Node {
                <AfterPaint>
                    { super::node_code(r, &case, lang) }
                </AfterPaint>
            }
            if !shell.embed && intro.len() > 1 && !node_loading {
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

/// The playhead as the player last reported it (µs; `None` at 0), outside the page state: the
/// URL carries it, and a panel below the player (`Panel::Below`) draws it, but nothing else on
/// the page does, so a step renders the player and that panel ([`BelowPanel`], which watches
/// it), not the whole page (its case texts, knobs and notices), as it did when the page state
/// held it.
#[derive(Clone, Default)]
struct Playhead(std::rc::Rc<PlayheadInner>);

#[derive(Default)]
struct PlayheadInner {
    t: std::cell::Cell<Option<u64>>,
    /// The panel drawn from it, told when it moves.
    watcher: std::cell::RefCell<Option<UseForceUpdateHandle>>,
    /// The other way: what the page shows now, which the player follows before a reader's
    /// action.
    latest: crate::engine::playback::Latest,
}

impl Playhead {
    fn new(t: Option<u64>) -> Playhead {
        let p = Playhead::default();
        p.0.t.set(t);
        p
    }

    fn get(&self) -> Option<u64> {
        self.0.t.get()
    }

    /// Moves it; the panel that draws it renders again (only it: not the page).
    fn set(&self, t: Option<u64>) {
        if self.0.t.replace(t) != t {
            if let Some(w) = &*self.0.watcher.borrow() {
                w.force_update();
            }
        }
    }
}

/// One page has one: equal when it is the same.
impl PartialEq for Playhead {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct BelowProps {
    scene: &'static SceneDef,
    /// All but the playhead (`t`), which is read from `playhead` when drawn.
    args: PanelArgs,
    playhead: Playhead,
}

/// The scene's panel below the player (`Panel::Below`), drawn at the playhead the player last
/// reported: a step renders it and the player alone.
#[component]
fn BelowPanel(p: &BelowProps) -> Html {
    let update = use_force_update();
    use_effect_on(p.playhead.clone(), move |playhead| {
        *playhead.0.watcher.borrow_mut() = Some(update);
        let playhead = playhead.clone();
        move || drop(playhead.0.watcher.borrow_mut().take())
    });
    let Panel::Below(view) = p.scene.panel else {
        return Html::default();
    };
    let t = p.playhead.get().unwrap_or(0);
    view(&PanelArgs {
        t,
        ..p.args.clone()
    })
}

/// The scene page's state (a reducer started from the URL), the model's run of it (again
/// whenever a model parameter changes, not for the playhead, speed or view), the playhead, and
/// the URL kept equal to what is on screen.
#[hook]
fn use_scene(
    scene: &'static SceneDef,
    query: &Query,
) -> (
    UseReducerHandle<SceneState>,
    std::rc::Rc<Result<Model, String>>,
    Playhead,
) {
    let state = {
        let query = query.clone();
        use_reducer(move || SceneState::from_url(scene, &query))
    };
    let p = &state.params;
    let model_key = (
        p.case.clone(),
        p.latency_ms,
        p.jitter_ms,
        p.loss_pct.to_bits(),
        p.seed,
        p.profile,
        p.knobs.clone(),
        state.own.encode(),
    );
    let model = {
        let (p, own) = (p.clone(), state.own.clone());
        use_memo(model_key, move |_| {
            scene.run(&p, &own).map(|t| Model::build(scene, t))
        })
    };
    let t0 = p.t_us;
    let playhead = use_memo((), move |_| Playhead::new(t0));
    // A request to show a moment (a new case or knob: the start; a table row: its time) is what
    // the panel below shows from now, in the same render as the page's new trace: the player
    // moves there as it renders, and reports it in an effect after.
    let jumped = use_mut_ref(|| state.jump);
    if *jumped.borrow() != state.jump {
        *jumped.borrow_mut() = state.jump;
        if let Some((t, _)) = state.jump {
            playhead.set(Some(t).filter(|&t| t > 0));
        }
    }
    // The parameters and the playhead are written into the URL once the reader stops changing
    // them (`dom::replace_hash_later`), as a playhead alone is (`player_reports`):
    // `history.replaceState` took ~12 ms of a knob change's frame on a loaded machine, and a
    // copied link, which reads the URL, still gets them at once. The page's first write (the
    // link it was opened with, made canonical: a bad value's default, a default left out) is
    // made at once.
    let mut without_t = p.clone();
    without_t.t_us = None;
    let at = (*playhead).clone();
    let first = use_mut_ref(|| true);
    use_effect_on((without_t, state.own.clone()), move |(p, own)| {
        if std::mem::replace(&mut *first.borrow_mut(), false) {
            write_url(scene, p, own, at.get());
        } else {
            let (p, own) = (p.clone(), own.clone());
            // The playhead as it is when written: the player moves it after a knob change.
            dom::replace_hash_later(move || write_url(scene, &p, &own, at.get()));
        }
    });
    (state, model, (*playhead).clone())
}

/// Writes what is on screen into the URL (replaceState: no history spam, no remount): the
/// parameters `p`, the scene's own keys and the playhead `t`.
fn write_url(scene: &'static SceneDef, p: &params::Params, own: &Query, t: Option<u64>) {
    let mut loc = Location::parse(&dom::current_hash());
    // A write put off until after the reader left for another page is not made.
    if loc.route != Some(scene.route) {
        return;
    }
    let p = &params::Params {
        t_us: t,
        ..p.clone()
    };
    params::write_query_with(p, &scene.base_params(), &mut loc.query);
    if let Some(k) = scene.knobs {
        params::write_knobs(p, k.specs, &mut loc.query);
    }
    for (k, _) in (scene.own_keys)(&loc.query).0 {
        loc.query.remove(&k);
    }
    for (k, v) in &own.0 {
        loc.query.set(k, v.clone());
    }
    dom::replace_hash(&loc.to_hash());
}

/// What the player reports (playhead, speed, views) goes to the page state; a new playhead is
/// also written into the URL once the reader stops stepping (`dom::replace_hash_later`: a
/// copied link, which reads the URL, still gets it at once).
fn player_reports(
    state: &UseReducerHandle<SceneState>,
    playhead: &Playhead,
) -> Callback<crate::engine::player::PlayerState> {
    let (state, playhead) = (state.clone(), playhead.clone());
    Callback::from(move |ps: crate::engine::player::PlayerState| {
        let t = Some(ps.t_us).filter(|&t| t > 0);
        if playhead.get() != t {
            playhead.set(t);
            // The state as of this report (a handle is one `Rc` of it).
            let state = state.clone();
            dom::replace_hash_later(move || write_url(state.scene, &state.params, &state.own, t));
        }
        state.dispatch(SceneAction::FromPlayer(ps));
    })
}

/// The case buttons, the chosen case's sentence and, where Linux 6.18 was recorded in the same
/// situation, the link to that recording beside the model.
fn case_controls(
    scene: &'static SceneDef,
    p: &params::Params,
    api: Api,
    lang: crate::i18n::Lang,
    on_case: Callback<String>,
) -> Html {
    let case_text = scene
        .words_in(&p.case, api)
        .and_then(|w| w.text)
        .map(|t| t.get(lang))
        .filter(|t| !t.is_empty());
    let rec = super::recordings::for_case(scene.route.id(), &p.case);
    html! { <>
        { controls::case_buttons(&CasesProps { scene, current: &p.case, lang, api, on_case }) }
        if let Some(text) = case_text {
            <p class="case-text" data-testid="case-text">{ text }</p>
        }
        if let Some(rec) = rec {
            <p class="kernel-rec">
                <a href={format!("#/open?rec={rec}")} data-testid="kernel-recording">
                    { T::new("Linux 6.18 实测：同一情形在真实内核上的运行，与模型并排对比 →",
                             "Linux 6.18, recorded: this situation on a real kernel, beside the model →").get(lang) }
                </a>
            </p>
        }
    </> }
}

/// The player on the model's run; then, after it, the scene's own knobs (`None` when embedded)
/// and its panel. `panel_host`: where the player draws a panel of its own (`Panel::InPlayer`).
fn scene_player(
    state: &UseReducerHandle<SceneState>,
    playhead: &Playhead,
    m: &Model,
    lang: crate::i18n::Lang,
    (handout, teach): (
        Option<crate::engine::export::HandoutInfo>,
        crate::engine::teach::Teach,
    ),
    scene_knobs: Option<Option<Html>>,
    panel_host: Option<NodeRef>,
) -> (Html, Html) {
    let (scene, p) = (state.scene, &state.params);
    let r = scene.route;
    let args = PanelArgs {
        trace: m.trace.clone(),
        params: p.clone(),
        own: state.own.clone(),
        t: playhead.get().unwrap_or(0),
        lang,
        on_jump: make_callback(state, SceneAction::Jump),
        on_own_key: make_callback(state, |(key, v)| SceneAction::OwnKey(key, v)),
    };
    let (in_player, below) = match scene.panel {
        Panel::None => (None, None),
        Panel::Below(_) => {
            let playhead = playhead.clone();
            (
                None,
                Some(html! { <BelowPanel {scene} {args} {playhead} /> }),
            )
        }
        Panel::InPlayer(view) => {
            let cb = Callback::from(move |t: u64| view(&PanelArgs { t, ..args.clone() }));
            (Some(cb), None)
        }
    };
    playhead.0.latest.set(m.ladder.clone(), state.jump);
    let player = html! {
        <Player trace={m.trace.clone()} ladder={m.ladder.clone()} lang={lang}
            init_t={playhead.get()} speed={p.speed} numbering={p.numbering} view={p.view}
            autoplay={p.autoplay} on_change={player_reports(state, playhead)} jump={state.jump}
            latest={Some(playhead.0.latest.clone())}
            export_name={AttrValue::from(format!("synack-{}-{}", r.id(), p.case))}
            share={share_link(r.title().get(lang))} split={m.split.clone()} panel={in_player}
            {panel_host} teach={Some(teach)} {handout} />
    };
    let after = html! { <>
        // The scene's own knobs (the backlog's arrival and accept() rates, its sysctls): under
        // the player, next to the panel they change, so that the ladder and the explanation of
        // the moment keep the first screen of a laptop (1280×800).
        { for scene_knobs.flatten() }
        { for below }
    </> };
    (player, after)
}

/// A callback that turns what a control reports into an action (todomvc's `make_callback`).
fn make_callback<V: 'static>(
    state: &UseReducerHandle<SceneState>,
    f: fn(V) -> SceneAction,
) -> Callback<V> {
    let state = state.clone();
    Callback::from(move |v| state.dispatch(f(v)))
}

/// The "Share" button's text: the link to what is on screen, or (`true`) the iframe snippet
/// that embeds it.
fn share_link(title: &'static str) -> Callback<bool, String> {
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
}

#[derive(Properties, PartialEq)]
pub struct AfterPaintProps {
    pub children: Html,
}

/// Its children once the page's first frame is painted ([`crate::hooks::use_after_paint`]);
/// nothing before. Only this component renders again when they appear, not the page.
#[component]
pub fn AfterPaint(p: &AfterPaintProps) -> Html {
    if crate::hooks::use_after_paint() {
        p.children.clone()
    } else {
        Html::default()
    }
}

/// The scene's title, its case and the parameters, as a handout prints them.
#[cfg(feature = "full")]
fn handout_info(
    scene: &SceneDef,
    p: &params::Params,
    lang: crate::i18n::Lang,
    api: Api,
) -> crate::engine::export::HandoutInfo {
    use crate::engine::params::Profile;
    let case = scene
        .words_in(&p.case, api)
        .map(|w| w.title.get(lang))
        .unwrap_or_else(|| p.case.clone());
    let profile = match p.profile {
        Profile::Linux => "Linux",
        Profile::Rfc => "RFC",
    };
    let loss = crate::num::fixed(p.loss_pct, 1);
    let (case, params) = match lang {
        crate::i18n::Lang::Zh => (
            format!("情形：{case}"),
            format!(
                "单程延迟 {} ms · 抖动 {} ms · 丢包率 {loss}% · 随机种子 {} · 协议栈 {profile}",
                p.latency_ms, p.jitter_ms, p.seed
            ),
        ),
 crate::i18n::Lang::En => (
            format!("Case: {case}"),
            format!(
                "one-way delay {} ms · jitter {} ms · loss {loss}% · random seed {} · stack {profile}",
                p.latency_ms, p.jitter_ms, p.seed
            ),
        ),
    };
    crate::engine::export::HandoutInfo {
        title: scene.route.title().get(lang).to_string(),
        case,
        params,
    }
}
