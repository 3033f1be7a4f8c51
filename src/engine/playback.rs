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
    acc_ms: f64,
}

pub enum Action {
    /// A new trace (parameters changed): keep the playhead where it was, clamped.
    Load(Shared<Ladder>),
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
            acc_ms: 0.0,
        }
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
            Action::Load(l) => {
                s.ladder = l;
                s.t = clamp(s.t, 0.0, s.end());
                if s.at_end() {
                    s.playing = false;
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
                if s.reduced {
                    s.acc_ms += dt * (s.speed / 0.1).max(0.05);
                    if s.acc_ms >= REDUCED_STEP_MS {
                        s.acc_ms = 0.0;
                        s.t = s.ladder.next_moment(s.t).map_or(end, |m| m as f64);
                    }
                } else {
                    s.t = advance(&s.ladder, s.t, dt, s.speed);
                }
                if s.t >= end {
                    s.t = end;
                    s.playing = false;
                }
            }
            Action::Speed(v) => s.speed = v,
        }
        Rc::new(s)
    }
}
