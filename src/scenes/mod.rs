//! The animated scenes, built on `crate::engine`: each turns URL parameters into a model
//! scenario, runs the model, and hands the trace to the player.
//!
//! A scene is a value: one [`SceneDef`] of data and `fn` pointers, exported by the scene's own
//! module and listed once in [`ALL`]. [`ScenePage`] draws any of them and never asks which one
//! it draws. Adding a scene: a preset in the model, a folder here with its `SCENE`, its line in
//! `route.rs`'s table and its line in [`ALL`].
//!
//! Each scene's cases are the model's case enums; their words come from exhaustive matches in
//! the scene's module, so a new case without words does not compile.

/// [`CaseEnum`] for one of the model's case enums, every case a button, worded by the scene's
/// `words` function.
macro_rules! model_cases {
    ($case:ident, $words:path) => {
        impl $crate::scenes::CaseEnum for $case {
            const BUTTONS: &'static [Self] = $case::ALL;
            fn id(self) -> &'static str {
                $case::id(&self)
            }
            fn from_id(id: &str) -> Option<Self> {
                $case::from_id(id)
            }
            fn words(self) -> ($crate::i18n::T, $crate::i18n::T) {
                $words(self)
            }
        }
    };
}

#[cfg(feature = "full")]
mod backlog;
mod controls;
mod handshake;
#[cfg(feature = "full")]
mod node_code;
pub(crate) mod node_text;
mod page;
mod recordings;
mod state;
#[cfg(feature = "full")]
mod sticky;
mod tcp_vs_udp;
mod teach;
mod teardown;
#[cfg(feature = "full")]
mod udp;
pub(crate) mod warm;
#[cfg(feature = "full")]
mod window;

use yew::prelude::*;

use synack_model::presets::Knobs;
use synack_model::scenario::Scenario;
use synack_model::trace::Trace;

use crate::engine::params::{KnobSpec, Params};
use crate::engine::Shared;
use crate::i18n::{Api, Lang, T};
use crate::route::{Query, Route};

pub use page::ScenePage;

/// Every scene this build draws, in no particular order (the site lists pages in
/// `Route::ALL`'s order). The first-load build carries the three first scenes; the others come
/// with the full build (`pages::LoadFull` fetches it when one of them is opened).
pub static ALL: &[&SceneDef] = &[
    &handshake::SCENE,
    &teardown::SCENE,
    &tcp_vs_udp::SCENE,
    #[cfg(feature = "full")]
    &sticky::SCENE,
    #[cfg(feature = "full")]
    &udp::SCENE,
    #[cfg(feature = "full")]
    &backlog::SCENE,
    #[cfg(feature = "full")]
    &window::SCENE,
];

/// The scene drawn at `r` in this build, if any.
pub fn of(r: Route) -> Option<&'static SceneDef> {
    ALL.iter().copied().find(|s| s.route == r)
}

/// One scene: what the page needs to know about it, and nothing the page decides by name.
pub struct SceneDef {
    pub route: Route,
    /// Paragraphs: the first under the title, the others below the player ("In more detail").
    pub intro: &'static [T],
    /// The case ids of the buttons, in order; the first is the default.
    pub cases: fn() -> Vec<&'static str>,
    /// Another valid case id the URL may ask for, beyond the buttons (TCP vs UDP: any message
    /// count up to [`tcp_vs_udp::MAX_MESSAGES`]).
    pub extra_case: fn(&Query) -> Option<String>,
    /// A case's words; `None` for an id the scene does not know.
    pub words: fn(&str) -> Option<CaseWords>,
    /// The scene's defaults beyond [`Params::defaults`] (a lossy link, a slower playback…).
    pub defaults: fn(&mut Params),
    /// The model scenario for the parameters and the scene's own URL keys (see `own_keys`).
    pub scenario: fn(&Knobs, &Params, &Query) -> Scenario,
    /// Draw the TCP and the UDP conversation as two diagrams side by side.
    pub split_by_proto: bool,
    /// Numeric knobs of the scene in the URL (`Params::knobs`), with their control.
    pub knobs: Option<&'static SceneKnobs>,
    /// Free-form URL keys of the scene (the sticky knobs and `fix`), out of a query; they are
    /// kept apart from `Params` and cleared when a case is chosen.
    pub own_keys: fn(&Query) -> Query,
    /// The scene's own keys after the user set `key` to `value` (`None`: not a valid value,
    /// nothing changes).
    pub edit_own_key: fn(&Knobs, &Params, &Query, &str, &str) -> Option<Query>,
    /// What the scene draws besides the ladder.
    pub panel: Panel,
    /// Its teaching paragraphs (`teach`; in the first load without their words).
    pub teach: &'static [crate::engine::teach::Row],
}

impl SceneDef {
    /// A scene with the defaults most scenes keep: no case beyond the buttons, no defaults of
    /// its own, one diagram, no knobs, no own URL keys and nothing besides the ladder. A scene
    /// changes what it needs with `SceneDef { panel: …, ..SceneDef::new(…) }`.
    pub const fn new(
        route: Route,
        intro: &'static [T],
        cases: fn() -> Vec<&'static str>,
        words: fn(&str) -> Option<CaseWords>,
        scenario: fn(&Knobs, &Params, &Query) -> Scenario,
    ) -> SceneDef {
        SceneDef {
            route,
            intro,
            cases,
            extra_case: no_extra_case,
            words,
            defaults: no_defaults,
            scenario,
            split_by_proto: false,
            knobs: None,
            own_keys: no_own_keys,
            edit_own_key: no_edit_own_key,
            panel: Panel::None,
            teach: &[],
        }
    }

    /// [`SceneDef::new`] for a scene whose buttons are the cases of one [`CaseEnum`].
    pub const fn of_cases<C: CaseEnum>(
        route: Route,
        intro: &'static [T],
        scenario: fn(&Knobs, &Params, &Query) -> Scenario,
    ) -> SceneDef {
        SceneDef::new(route, intro, case_ids::<C>, case_words::<C>, scenario)
    }

    /// The parameters before the URL is read: the first case and the scene's defaults.
    pub fn base_params(&self) -> Params {
        let cases = (self.cases)();
        let mut p = Params::defaults(cases.first().copied().unwrap_or(""));
        p.latency_ms = 20;
        (self.defaults)(&mut p);
        p
    }

    /// Valid case ids for this URL: the buttons', plus the one [`SceneDef::extra_case`] allows.
    pub fn cases_for(&self, q: &Query) -> Vec<String> {
        let mut ids: Vec<String> = (self.cases)().into_iter().map(String::from).collect();
        ids.extend((self.extra_case)(q));
        ids
    }

    /// A case's words as the page speaks them: with `api=node`, the Node.js view's where it has
    /// its own (`node_text.rs`, keyed by the scene's and the case's ids).
    pub fn words_in(&self, id: &str, api: Api) -> Option<CaseWords> {
        let mut w = (self.words)(id)?;
        let scene = self.route.id();
        if let (Title::Words(_), Some(t)) = (&w.title, node_text::case_title(scene, id, api)) {
            w.title = Title::Words(t);
        }
        if let Some(t) = node_text::case_text(scene, id, api) {
            w.text = Some(t);
        }
        Some(w)
    }

    /// The introduction as the page speaks it (see [`SceneDef::words_in`]).
    pub fn intro_in(&self, api: Api) -> Vec<T> {
        node_text::intro(self.route.id(), self.intro, api)
    }

    /// Runs the model for the parameters and the scene's own keys.
    pub fn run(&self, p: &Params, own: &Query) -> Result<Trace, String> {
        let scenario = (self.scenario)(&knobs(p), p, own);
        let mut trace = synack_model::simulate(&scenario).map_err(|e| e.to_string())?;
        // Snapshots every 64 events keep scrubbing O(64) anywhere in long traces.
        trace.build_snapshots(64);
        Ok(trace)
    }
}

impl PartialEq for SceneDef {
    /// A scene is one static value: the same one is the same scene.
    fn eq(&self, other: &SceneDef) -> bool {
        std::ptr::eq(self, other)
    }
}

impl std::fmt::Debug for SceneDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SceneDef({:?})", self.route)
    }
}

/// The words of one case: its button and the sentence under the buttons.
pub struct CaseWords {
    pub title: Title,
    /// `None`: no sentence (a message count says all there is).
    pub text: Option<T>,
}

impl CaseWords {
    pub fn new((title, text): (T, T)) -> CaseWords {
        CaseWords {
            title: Title::Words(title),
            text: Some(text),
        }
    }
}

/// A scene's cases as one enum (the model's case enums, or the scene's own): the buttons in
/// order and each one's words, from which [`SceneDef::of_cases`] fills `cases` and `words`.
pub trait CaseEnum: Copy + 'static {
    /// The buttons in order; the first is the default.
    const BUTTONS: &'static [Self];

    /// The id in URLs (`case=`).
    fn id(self) -> &'static str;

    /// Its button and the sentence under the buttons (an exhaustive `match` in the scene's
    /// module, so a new case without words does not compile).
    fn words(self) -> (T, T);

    /// The button with this id (for the model's enums their own `from_id`, which the scene's
    /// scenario uses too: one lookup in the first-load build, not two).
    fn from_id(id: &str) -> Option<Self>;
}

fn case_ids<C: CaseEnum>() -> Vec<&'static str> {
    C::BUTTONS.iter().map(|c| c.id()).collect()
}

fn case_words<C: CaseEnum>(id: &str) -> Option<CaseWords> {
    C::from_id(id).map(|c| CaseWords::new(c.words()))
}

/// A case's button label.
pub enum Title {
    Words(T),
    /// TCP vs UDP: "8 messages".
    Messages(u32),
}

impl Title {
    pub fn get(&self, lang: Lang) -> String {
        match (self, lang) {
            (Title::Words(t), _) => t.get(lang).to_string(),
            (Title::Messages(n), Lang::Zh) => format!("{n} 条消息"),
            (Title::Messages(n), Lang::En) => format!("{n} messages"),
        }
    }
}

/// A scene's numeric URL knobs (see `params::KnobSpec`) and the control that edits them.
pub struct SceneKnobs {
    /// In the order they are applied.
    pub specs: &'static [KnobSpec],
    /// A knob's value in a case before the URL changes it.
    pub value_in_case: fn(case: &str, key: &str) -> u32,
    /// The control, beside the network knobs.
    pub view: fn(&KnobsArgs) -> Html,
}

/// What a scene's knob control is drawn from.
pub struct KnobsArgs {
    pub params: Params,
    pub lang: Lang,
    /// Whose words: C's socket calls or Node.js's.
    pub api: crate::i18n::Api,
    /// A knob set to a value (checked against its spec by the page).
    pub on_set: Callback<(&'static str, u32)>,
}

/// What a scene draws besides the ladder.
#[derive(Clone, Copy)]
pub enum Panel {
    None,
    /// Below the player, from the URL's playhead (it follows the player's reports).
    Below(fn(&PanelArgs) -> Html),
    /// Inside the player, from its live playhead (`PanelArgs::t` is the player's).
    InPlayer(fn(&PanelArgs) -> Html),
}

/// What a scene's panel is drawn from.
#[derive(Clone, PartialEq)]
pub struct PanelArgs {
    pub trace: Shared<Trace>,
    pub params: Params,
    /// The scene's own URL keys.
    pub own: Query,
    /// The playhead, µs.
    pub t: u64,
    pub lang: Lang,
    /// Show this moment in the player.
    pub on_jump: Callback<u64>,
    /// One of the scene's own keys edited: (key, value as typed).
    pub on_own_key: Callback<(String, String)>,
}

/// The props of a panel drawn from the trace at the playhead alone (UDP, backlog, window, TCP vs
/// UDP).
#[derive(Properties, PartialEq)]
pub struct TraceProps {
    pub trace: Shared<Trace>,
    /// The playhead, µs.
    pub t: u64,
    pub lang: Lang,
    /// Show this moment in the player.
    pub on_jump: Callback<u64>,
}

/// The Node.js programs of a case. The first-load build never draws a scene in the Node.js view
/// (`pages::page_for` hands such a page to the full build), so it has no panel to draw.
#[cfg(feature = "full")]
fn node_code(r: Route, case: &str, lang: Lang) -> Html {
    html! { <node_code::NodeCode scene={AttrValue::from(r.id())} case={AttrValue::from(case.to_string())} {lang} /> }
}

#[cfg(not(feature = "full"))]
fn node_code(_: Route, _: &str, _: Lang) -> Html {
    Html::default()
}

/// The model knobs shared by every scene.
pub fn knobs(p: &Params) -> Knobs {
    use crate::engine::params::Profile;
    use synack_model::profile::ProfileId;
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

// Defaults of the fields most scenes leave alone.

fn no_extra_case(_: &Query) -> Option<String> {
    None
}

fn no_own_keys(_: &Query) -> Query {
    Query::default()
}

fn no_edit_own_key(_: &Knobs, _: &Params, _: &Query, _: &str, _: &str) -> Option<Query> {
    None
}

fn no_defaults(_: &mut Params) {}

#[cfg(test)]
pub fn page_params_for_test() -> Params {
    handshake::SCENE.base_params()
}

#[cfg(test)]
pub fn run_for_test(r: Route, p: &Params) -> Result<Trace, String> {
    of(r).expect("a scene").run(p, &Query::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scene_has_its_own_route_and_a_route_has_one_scene() {
        for s in ALL {
            let same: Vec<_> = ALL.iter().filter(|o| o.route == s.route).collect();
            assert_eq!(same.len(), 1, "{:?}", s.route);
            assert!(!s.route.is_reference(), "{:?}", s.route);
        }
    }

    #[test]
    fn every_case_button_has_a_title_and_the_default_case_runs() {
        for s in ALL {
            let cases = (s.cases)();
            assert!(!cases.is_empty(), "{:?} has no cases", s.route);
            for id in &cases {
                let w = (s.words)(id).unwrap_or_else(|| panic!("{:?}: no words for {id}", s.route));
                for lang in [Lang::Zh, Lang::En] {
                    assert!(!w.title.get(lang).is_empty(), "{:?} {id} {lang:?}", s.route);
                }
            }
            let p = s.base_params();
            assert_eq!(p.case, cases[0]);
            s.run(&p, &Query::default())
                .unwrap_or_else(|e| panic!("{:?}: {e}", s.route));
        }
    }

    #[test]
    fn a_case_id_no_scene_knows_has_no_words() {
        for s in ALL {
            assert!((s.words)("no-such-case").is_none(), "{:?}", s.route);
        }
    }

    #[test]
    fn every_scene_has_an_introduction_in_both_languages() {
        for s in ALL {
            assert!(!s.intro.is_empty(), "{:?}", s.route);
            for p in s.intro {
                assert!(!p.get(Lang::Zh).is_empty() && !p.get(Lang::En).is_empty());
            }
        }
    }
}
