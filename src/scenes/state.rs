//! The scene page's state and the one function that changes it (Yew's `use_reducer`, as in its
//! `function_todomvc` example): every control sends a [`SceneAction`], none edits a copy of
//! the parameters itself.

use std::rc::Rc;

use yew::prelude::*;

use super::SceneDef;
use crate::engine::params::{self, Notice, Params, Profile};
use crate::engine::player::PlayerState;
use crate::num;
use crate::route::Query;

/// What the scene page shows: its parameters (the URL's, then the user's), the scene's own URL
/// keys, the notices about the URL, and the last request to show a moment.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneState {
    pub scene: &'static SceneDef,
    pub params: Params,
    /// The scene's own URL keys (`SceneDef::own_keys`).
    pub own: Query,
    /// What the URL asked for that the page could not use.
    pub notices: Vec<Notice>,
    /// The player's playhead on request: (µs, count). The count makes a second request for the
    /// same moment a new value, so the player moves again.
    pub jump: Option<(u64, u32)>,
}

/// A shared network knob of the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Net {
    LatencyMs,
    JitterMs,
    LossPct,
    Seed,
    NextSeed,
    Profile,
}

pub enum SceneAction {
    /// A case chosen (button or the embed's select): a whole situation, from its start.
    Case(String),
    /// A network knob set to a value as typed; an unreadable value keeps the old one.
    Net(Net, String),
    /// One of the scene's numeric knobs (`SceneDef::knobs`) set.
    Knob(&'static str, u32),
    /// One of the scene's own keys (`SceneDef::own_keys`) set to a value as typed.
    OwnKey(String, String),
    /// The player's playhead, speed and views, as it reports them.
    FromPlayer(PlayerState),
    /// Show this moment (µs) in the player.
    Jump(u64),
    DismissNotices,
}

impl SceneState {
    /// The state a URL asks for (`messages=` is another name for `case=`).
    pub fn from_url(scene: &'static SceneDef, query: &Query) -> SceneState {
        let mut q = query.clone();
        let messages = q.get("messages").map(String::from);
        if let Some(m) = &messages {
            q.set("case", m.clone());
        }
        let ids = scene.cases_for(&q);
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let (mut params, mut notices) = params::from_query_with(&q, &ids, scene.base_params());
        // A message count the scene cannot take is named as the reader wrote it, with the
        // counts TCP vs UDP (the scene that counts messages) can take.
        if messages.is_some() {
            for n in notices.iter_mut().filter(|n| n.key == "case") {
                n.key = "messages".into();
                n.range = (scene.route == crate::route::Route::TcpVsUdp)
                    .then_some((1, super::tcp_vs_udp::MAX_MESSAGES.into()));
            }
        }
        if let Some(k) = scene.knobs {
            let case = params.case.clone();
            let value = |key: &str| (k.value_in_case)(&case, key);
            notices.extend(params::read_knobs(&q, k.specs, value, &mut params));
        }
        SceneState {
            scene,
            params,
            own: (scene.own_keys)(query),
            notices,
            jump: None,
        }
    }

    fn jump_to(&mut self, t: u64) {
        self.jump = Some((t, self.jump.map_or(0, |j| j.1) + 1));
    }
}

impl Reducible for SceneState {
    type Action = SceneAction;

    fn reduce(self: Rc<Self>, action: SceneAction) -> Rc<Self> {
        let mut s = (*self).clone();
        let p = &mut s.params;
        match action {
            SceneAction::Case(id) => {
                p.case = id;
                p.t_us = None;
                // A case is a whole situation: its own knob values replace the user's.
                p.knobs.clear();
                s.own = Query::default();
                // The player keeps its playhead across traces: take it back to the start too,
                // so the panels (which read the URL's playhead) and the diagram agree.
                s.jump_to(0);
            }
            SceneAction::Net(knob, v) => set_net(p, knob, &v),
            SceneAction::Knob(key, v) => {
                p.knobs.insert(key.to_string(), v);
                p.t_us = None;
                // A new situation: back to its start, diagram and panels alike.
                s.jump_to(0);
            }
            SceneAction::OwnKey(key, v) => {
                let k = super::knobs(p);
                match (s.scene.edit_own_key)(&k, p, &s.own, &key, &v) {
                    Some(own) => s.own = own,
                    None => return self,
                }
            }
            SceneAction::FromPlayer(ps) => {
                // Not the playhead: a step would render the whole page again. The URL and a
                // panel below the player (the one part of the page that draws it) take it from
                // scenes::page's `Playhead`; `p.t_us` stays the one the link opened at.
                p.speed = ps.speed;
                p.numbering = ps.numbering;
                p.view = ps.view;
            }
            SceneAction::Jump(t) => s.jump_to(t),
            SceneAction::DismissNotices => s.notices.clear(),
        }
        // Unchanged: the same value, so the page does not render again.
        if s == *self {
            self
        } else {
            Rc::new(s)
        }
    }
}

fn set_net(p: &mut Params, knob: Net, v: &str) {
    let whole_ms = |v: &str| num::parse_f64(v).map(|x| x.round() as u32);
    match knob {
        Net::LatencyMs => p.latency_ms = whole_ms(v).unwrap_or(p.latency_ms),
        Net::JitterMs => p.jitter_ms = whole_ms(v).unwrap_or(p.jitter_ms),
        Net::LossPct => p.loss_pct = num::parse_f64(v).unwrap_or(p.loss_pct),
        Net::Seed => p.seed = v.trim().parse().unwrap_or(p.seed),
        Net::NextSeed => p.seed = p.seed.wrapping_add(1),
        Net::Profile => {
            p.profile = if v == "rfc" {
                Profile::Rfc
            } else {
                Profile::Linux
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(hash_query: &str) -> Rc<SceneState> {
        let scene = super::super::of(crate::route::Route::Handshake).unwrap();
        Rc::new(SceneState::from_url(scene, &Query::parse(hash_query)))
    }

    #[test]
    fn choosing_a_case_starts_it_from_the_beginning() {
        let s = state("case=syn-lost&t=1.5");
        assert_eq!(s.params.t_us, Some(1_500_000));
        let s = s.reduce(SceneAction::Case("normal".into()));
        assert_eq!(s.params.case, "normal");
        assert_eq!(s.params.t_us, None);
        assert_eq!(s.jump, Some((0, 1)));
        let s = s.reduce(SceneAction::Jump(0));
        assert_eq!(
            s.jump,
            Some((0, 2)),
            "a second request for the same moment is new"
        );
    }

    #[test]
    fn a_message_count_over_the_limit_is_named_with_the_counts_allowed() {
        let scene = super::super::of(crate::route::Route::TcpVsUdp).unwrap();
        let max = super::super::tcp_vs_udp::MAX_MESSAGES;
        let ok = SceneState::from_url(scene, &Query::parse(&format!("messages={max}")));
        assert_eq!(ok.params.case, max.to_string());
        assert!(ok.notices.is_empty());
        let over = SceneState::from_url(scene, &Query::parse("messages=5001"));
        assert_eq!(over.params.case, "8", "the scene's first case instead");
        let [n] = &over.notices[..] else {
            panic!("one notice: {:?}", over.notices)
        };
        assert_eq!(
            n.text(crate::i18n::Lang::En),
            format!("The link's messages=5001 is not valid (1–{max}); using 8 instead.")
        );
        assert_eq!(
            n.text(crate::i18n::Lang::Zh),
            format!("链接里的参数 messages=5001 无效（允许 1–{max}），已改用 8。")
        );
    }

    #[test]
    fn a_network_knob_keeps_its_value_when_the_text_is_not_a_number() {
        let s = state("latency=30");
        let s = s.reduce(SceneAction::Net(Net::LatencyMs, "41.6".into()));
        assert_eq!(s.params.latency_ms, 42);
        let s = s.reduce(SceneAction::Net(Net::LatencyMs, "fast".into()));
        assert_eq!(s.params.latency_ms, 42);
        let seed = s.params.seed;
        let s = s.reduce(SceneAction::Net(Net::NextSeed, String::new()));
        assert_eq!(s.params.seed, seed + 1);
    }

    #[test]
    fn a_report_that_changes_nothing_keeps_the_same_state() {
        let s = state("");
        let report = PlayerState {
            t_us: 0,
            speed: s.params.speed,
            numbering: s.params.numbering,
            view: s.params.view,
        };
        let after = s.clone().reduce(SceneAction::FromPlayer(report));
        assert!(Rc::ptr_eq(&s, &after));
    }

    #[test]
    fn a_new_playhead_never_renders_the_page_again_not_even_where_a_panel_below_the_player_shows_it(
    ) {
        let report = |s: &SceneState, t_us| PlayerState {
            t_us,
            speed: s.params.speed,
            numbering: s.params.numbering,
            view: s.params.view,
        };
        let handshake = state("");
        let after = handshake
            .clone()
            .reduce(SceneAction::FromPlayer(report(&handshake, 40_000)));
        assert!(
            Rc::ptr_eq(&handshake, &after),
            "the handshake page shows no playhead"
        );
        let scene = super::super::of(crate::route::Route::Backlog).unwrap();
        let backlog = Rc::new(SceneState::from_url(scene, &Query::default()));
        let after = backlog
            .clone()
            .reduce(SceneAction::FromPlayer(report(&backlog, 40_000)));
        assert!(
            Rc::ptr_eq(&backlog, &after),
            "the backlog's queues are drawn at it by their own component (page::BelowPanel)"
        );
    }

    #[test]
    fn an_invalid_own_key_changes_nothing() {
        let s = state("");
        let after = s
            .clone()
            .reduce(SceneAction::OwnKey("fix".into(), "glue".into()));
        assert!(Rc::ptr_eq(&s, &after));
    }
}
