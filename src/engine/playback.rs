//! Playback state and its reducer: pure (no timers here; `hooks::use_animation_frame` feeds
//! `Tick`s), so stepping, scrubbing and speed are testable without a browser.

use std::rc::Rc;

use yew::Reducible;

use super::layout::Ladder;
use super::Shared;
use crate::num::clamp;

#[derive(Clone, Debug, PartialEq)]
pub struct Playback {
    pub ladder: Shared<Ladder>,
    /// Playhead, µs (fractional so slow motion never stalls on rounding).
    pub t: f64,
    pub playing: bool,
    pub speed: f64,
    /// `prefers-reduced-motion`: jump from moment to moment instead of gliding.
    pub reduced: bool,
    /// How Play moves through time; `None`: chosen for the trace ([`Pace::auto`]).
    pub pace: Option<Pace>,
    /// The scene's last request to show a moment that the playhead followed (see
    /// [`Action::Follow`]): a request is taken once, however often the scene renders.
    followed: Option<Jump>,
    acc_ms: f64,
}

/// A scene's request to show a moment: the time (µs) and a count that tells a request from the
/// one before at the same time (`scenes::state::SceneState::jump`).
pub type Jump = (u64, u32);

/// What the scene shows now (its trace and its last [`Jump`]), as its last render left it:
/// written by the scene page as it renders, read by the player when the reader acts. Yew hands
/// a child its new props in a later step of its scheduler, and may yield to the browser before
/// it (after 16 ms, on a busy machine), so a Step pressed just after a new case reached a
/// player still holding the old trace, and the case's jump to its start, arriving after it,
/// undid the step. With this the player follows the scene first, then takes the reader's action:
/// they apply in the order the reader made them (e2e/step-after-change.test.mjs).
#[derive(Clone, Default)]
pub struct Latest(Rc<std::cell::RefCell<Option<Shown>>>);

/// A scene's trace and its last request to show a moment.
pub type Shown = (Shared<Ladder>, Option<Jump>);

impl Latest {
    pub fn set(&self, ladder: Shared<Ladder>, jump: Option<Jump>) {
        *self.0.borrow_mut() = Some((ladder, jump));
    }

    /// What the scene shows now: its trace and its last jump ([`Action::Follow`] takes them).
    pub fn get(&self) -> Option<Shown> {
        self.0.borrow().clone()
    }
}

/// One scene page's: a player given another page's is given another scene.
impl PartialEq for Latest {
    fn eq(&self, other: &Latest) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// How Play moves through time: gliding at the speed (real time scaled), or one moment every
/// so many milliseconds of real time, for a room that follows a lecturer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    Real,
    /// One step (the next moment, as the ▸ button) every this many ms.
    Steps(u32),
}

/// Step mode's interval when nothing is chosen: about the time a room needs to read one arrow
/// and the sentence under it.
pub const STEP_MS: u32 = 2000;
/// The least time a room needs to follow a whole case: real-time playback that is over sooner
/// goes too fast (the handshake at 0.1× lasts about 0.6 s), and a case of only one or two
/// steps takes longer steps.
pub const ROOM_MS: f64 = 6000.0;

/// The step intervals offered (ms), in the pace menu and in a link's `pace=` (full build).
pub const STEPS_MS: [u32; 4] = [1000, 2000, 3000, 5000];

#[cfg(feature = "full")]
impl Pace {
    /// A link's `pace=`: `real`, or the seconds between two steps, one of [`STEPS_MS`].
    pub fn parse(v: &str) -> Option<Pace> {
        match v.trim() {
            "real" => Some(Pace::Real),
            s => s
                .parse::<u32>()
                .ok()
                .map(|secs| secs.saturating_mul(1000))
                .filter(|ms| STEPS_MS.contains(ms))
                .map(Pace::Steps),
        }
    }

    /// As a link writes it (see [`Pace::parse`]).
    pub fn code(self) -> String {
        match self {
            Pace::Real => "real".into(),
            Pace::Steps(ms) => (ms / 1000).to_string(),
        }
    }
}

impl Pace {
    /// The pace for a trace at `speed` when the reader chose none: real time when it already
    /// lasts long enough to follow (a bulk transfer of hundreds of segments), otherwise one
    /// step every [`STEP_MS`], or every 3 or 5 s where that is needed to last [`ROOM_MS`].
    pub fn auto(ladder: &Ladder, speed: f64) -> Pace {
        if real_time_ms(ladder, speed) >= ROOM_MS {
            return Pace::Real;
        }
        // The steps from the start to the end: the moments after 0.
        let steps = ladder.moments.iter().filter(|&&m| m > 0).count().max(1) as f64;
        let ms = [STEP_MS, 3000, 5000]
            .into_iter()
            .find(|&ms| ms as f64 * steps >= ROOM_MS)
            .unwrap_or(5000);
        Pace::Steps(ms)
    }
}

/// How long real-time playback from the start to the end lasts at `speed`, in ms ([`advance`]
/// moves at constant speed along the drawing).
pub fn real_time_ms(ladder: &Ladder, speed: f64) -> f64 {
    let sim_us = ladder.warp.y(ladder.end() as f64) * ladder.warp.us_per_px;
    sim_us / (1000.0 * speed.max(1e-6))
}

pub enum Action {
    /// What the scene shows now: its trace (when the parameters changed, the playhead stays
    /// where it was, clamped) and its last request to show a moment (a new case or knob: the
    /// start; a table row: its time), which pauses and moves the playhead there once. One
    /// action, so that no Step or key can fall between the new trace and its jump.
    Follow {
        ladder: Shared<Ladder>,
        jump: Option<Jump>,
    },
    Toggle,
    Play,
    Pause,
    Seek(f64),
    /// One moment forward (+1) or back (-1).
    Step(i32),
    Start,
    End,
    /// Real milliseconds since the last frame.
    Tick(f64),
    Speed(f64),
    /// The reader's choice of pace (`None`: back to the automatic one).
    Pace(Option<Pace>),
}

/// Real time between two moments in reduced-motion playback, at 1× speed scaled as below.
const REDUCED_STEP_MS: f64 = 900.0;

impl Playback {
    pub fn new(ladder: Shared<Ladder>, t: f64, speed: f64, reduced: bool) -> Playback {
        let end = ladder.end() as f64;
        Playback {
            ladder,
            t: clamp(t, 0.0, end),
            playing: false,
            speed,
            reduced,
            pace: None,
            followed: None,
            acc_ms: 0.0,
        }
    }

    /// Whether [`Action::Follow`] with these would change anything.
    pub fn follows(&self, ladder: &Shared<Ladder>, jump: Option<Jump>) -> bool {
        self.ladder == *ladder && self.followed == jump
    }

    /// The pace Play uses now.
    pub fn pace(&self) -> Pace {
        self.pace
            .unwrap_or_else(|| Pace::auto(&self.ladder, self.speed))
    }

    pub fn end(&self) -> f64 {
        self.ladder.end() as f64
    }

    pub fn at_end(&self) -> bool {
        self.t >= self.end() - 0.5
    }
}

/// Moves the playhead by `dt_ms` of real time at `speed`, at constant speed along the drawing
/// (so folded idle gaps pass as quickly as they are drawn).
pub fn advance(ladder: &Ladder, t: f64, dt_ms: f64, speed: f64) -> f64 {
    let sim_us = dt_ms * 1000.0 * speed;
    let y = ladder.warp.y(t) + sim_us / ladder.warp.us_per_px;
    ladder.warp.t(y).min(ladder.end() as f64).max(t)
}

impl Reducible for Playback {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        let end = s.end();
        match action {
            Action::Follow { ladder, jump } => {
                if s.follows(&ladder, jump) {
                    return self;
                }
                s.ladder = ladder;
                s.t = clamp(s.t, 0.0, s.end());
                if s.at_end() {
                    s.playing = false;
                }
                if jump != s.followed {
                    s.followed = jump;
                    if let Some((t, _)) = jump {
                        s.playing = false;
                        s.t = clamp(t as f64, 0.0, s.end());
                    }
                }
            }
            Action::Toggle => {
                if s.playing {
                    s.playing = false;
                } else {
                    if s.at_end() {
                        s.t = 0.0;
                    }
                    s.playing = true;
                    s.acc_ms = 0.0;
                }
            }
            Action::Play => {
                if s.at_end() {
                    s.t = 0.0;
                }
                s.playing = true;
                s.acc_ms = 0.0;
            }
            Action::Pause => s.playing = false,
            Action::Seek(t) => {
                s.t = clamp(t, 0.0, end);
            }
            Action::Step(d) => {
                s.playing = false;
                let next = if d > 0 {
                    s.ladder.next_moment(s.t)
                } else {
                    s.ladder.prev_moment(s.t)
                };
                s.t = match next {
                    Some(m) => m as f64,
                    None if d > 0 => end,
                    None => 0.0,
                };
            }
            Action::Start => {
                s.playing = false;
                s.t = 0.0;
            }
            Action::End => {
                s.playing = false;
                s.t = end;
            }
            Action::Tick(dt) => {
                if !s.playing {
                    return self;
                }
                // Step mode, and real time under reduced motion: from moment to moment.
                let step_ms = match s.pace() {
                    Pace::Steps(ms) => Some(ms as f64),
                    Pace::Real if s.reduced => Some(REDUCED_STEP_MS / (s.speed / 0.1).max(0.05)),
                    Pace::Real => None,
                };
                match step_ms {
                    Some(ms) => {
                        s.acc_ms += dt;
                        if s.acc_ms >= ms {
                            s.acc_ms = 0.0;
                            s.t = s.ladder.next_moment(s.t).map_or(end, |m| m as f64);
                        }
                    }
                    None => s.t = advance(&s.ladder, s.t, dt, s.speed),
                }
                if s.t >= end {
                    s.t = end;
                    s.playing = false;
                }
            }
            Action::Speed(v) => s.speed = v,
            Action::Pace(p) => {
                s.pace = p;
                s.acc_ms = 0.0;
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::Params;
    use crate::route::Query;

    /// Presses Play on a fresh player and feeds it 60 frames a second until it stops: the real
    /// time the playback lasts, in ms.
    fn play_through(ladder: Shared<Ladder>, speed: f64) -> f64 {
        let mut pb = Rc::new(Playback::new(ladder, 0.0, speed, false));
        pb = pb.reduce(Action::Play);
        let frame = 1000.0 / 60.0;
        let mut ms = 0.0;
        while pb.playing && ms < 3_600_000.0 {
            pb = pb.reduce(Action::Tick(frame));
            ms += frame;
        }
        ms
    }

    #[test]
    fn pressing_play_on_any_case_of_any_scene_lasts_long_enough_for_a_room() {
        let mut short = Vec::new();
        for scene in crate::scenes::ALL {
            let base = scene.base_params();
            for case in scene.cases_for(&Query::default()) {
                let p = Params {
                    case: case.clone(),
                    ..base.clone()
                };
                let trace = scene.run(&p, &Query::default()).expect("the case runs");
                let ladder = Shared::new(Ladder::build(&trace, None));
                let ms = play_through(ladder, p.speed);
                let id = scene.route.id();
                if ms < 5000.0 {
                    short.push(format!("{id}/{case}: over in {ms:.0} ms"));
                }
            }
        }
        assert!(short.is_empty(), "{short:#?}");
    }

    #[test]
    fn step_mode_moves_the_playhead_one_moment_per_interval() {
        let trace = crate::scenes::run_for_test(
            crate::route::Route::Handshake,
            &crate::scenes::of(crate::route::Route::Handshake)
                .expect("a scene")
                .base_params(),
        )
        .expect("the handshake runs");
        let ladder = Shared::new(Ladder::build(&trace, None));
        let mut pb = Rc::new(Playback::new(ladder.clone(), 0.0, 0.1, false));
        pb = pb.reduce(Action::Pace(Some(Pace::Steps(1000))));
        pb = pb.reduce(Action::Play);
        let first = ladder.next_moment(0.0).expect("a first moment") as f64;
        pb = pb.reduce(Action::Tick(999.0));
        assert_eq!(pb.t, 0.0, "nothing moves before the interval is over");
        pb = pb.reduce(Action::Tick(2.0));
        assert_eq!(pb.t, first);
        pb = pb.reduce(Action::Tick(500.0));
        assert_eq!(pb.t, first, "one step per interval, not per frame");
        pb = pb.reduce(Action::Pace(Some(Pace::Real)));
        pb = pb.reduce(Action::Tick(16.0));
        assert!(pb.t > first && pb.t < ladder.next_moment(first).unwrap_or(u64::MAX) as f64 + 1.0);
    }

    #[test]
    fn a_scenes_jump_is_followed_once_so_a_step_after_it_stays_when_the_scene_renders_again() {
        let handshake = crate::scenes::of(crate::route::Route::Handshake).expect("a scene");
        let trace =
            crate::scenes::run_for_test(crate::route::Route::Handshake, &handshake.base_params())
                .expect("the handshake runs");
        let ladder = Shared::new(Ladder::build(&trace, None));
        let end = ladder.end() as f64;
        let mut pb = Rc::new(Playback::new(ladder.clone(), end, 1.0, false));
        // A new case: back to the start, then a Step.
        let jump = Some((0, 1));
        assert!(!pb.follows(&ladder, jump));
        pb = pb.reduce(Action::Follow {
            ladder: ladder.clone(),
            jump,
        });
        assert_eq!(pb.t, 0.0);
        assert!(pb.follows(&ladder, jump));
        pb = pb.reduce(Action::Step(1));
        let first = ladder.next_moment(0.0).expect("a first moment") as f64;
        assert_eq!(pb.t, first);
        // The scene renders again with the same request: the step stays.
        pb = pb.reduce(Action::Follow {
            ladder: ladder.clone(),
            jump,
        });
        assert_eq!(pb.t, first);
        // A second request to the same moment is a request of its own.
        pb = pb.reduce(Action::Follow {
            ladder,
            jump: Some((0, 2)),
        });
        assert_eq!(pb.t, 0.0);
    }

    #[cfg(feature = "full")]
    #[test]
    fn a_pace_reads_back_as_the_link_writes_it_and_nothing_else_is_one() {
        for p in [Pace::Real]
            .into_iter()
            .chain(STEPS_MS.iter().map(|&ms| Pace::Steps(ms)))
        {
            assert_eq!(Pace::parse(&p.code()), Some(p), "{p:?}");
        }
        assert_eq!(Pace::parse(" 3 "), Some(Pace::Steps(3000)));
        for bad in ["", "4", "0", "2.5", "fast", "-1", "99999999999"] {
            assert_eq!(Pace::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_long_trace_plays_in_real_time_and_a_short_one_steps() {
        for (route, case, real) in [
            (crate::route::Route::Handshake, "normal", false),
            #[cfg(feature = "full")]
            (crate::route::Route::Window, "slow-reader", true),
        ] {
            let scene = crate::scenes::of(route).expect("a scene");
            let p = Params {
                case: case.into(),
                ..scene.base_params()
            };
            let trace = scene.run(&p, &Query::default()).expect("runs");
            let ladder = Ladder::build(&trace, None);
            assert_eq!(
                Pace::auto(&ladder, p.speed) == Pace::Real,
                real,
                "{route:?}"
            );
        }
    }
}
