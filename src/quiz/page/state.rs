//! The interview page's state and its reducer: which question, which variant, what was picked
//! or typed, the verdict and the score. Pure, like the player's `Playback`.

use std::rc::Rc;

use yew::Reducible;

use super::super::gen::{self, Item};
use super::super::score::Score;
use super::super::Topic;

#[derive(Clone, Debug, PartialEq)]
pub struct St {
    /// Index into `gen::all()`.
    pub idx: usize,
    pub v: u32,
    pub pick: Option<usize>,
    pub typed: String,
    pub verdict: Option<bool>,
    /// The typed text was not a whole number.
    pub hint: bool,
    pub score: Score,
    pub topic: Option<Topic>,
}

pub enum Act {
    Pick(usize),
    Type(String),
    /// The result of `check` for the current question.
    Judge(Option<bool>, Topic),
    Next,
    Variant,
    Reset,
    Filter(Option<Topic>),
}

pub fn items() -> Vec<&'static Item> {
    gen::all().collect()
}

impl Reducible for St {
    type Action = Act;
    fn reduce(self: Rc<Self>, a: Act) -> Rc<Self> {
        let mut s = (*self).clone();
        let fresh = |s: &mut St| {
            s.pick = None;
            s.typed.clear();
            s.verdict = None;
            s.hint = false;
        };
        match a {
            Act::Pick(i) if s.verdict.is_none() => s.pick = Some(i),
            Act::Pick(_) => return self,
            Act::Type(t) if s.verdict.is_none() => {
                s.typed = t;
                s.hint = false;
            }
            Act::Type(_) => return self,
            Act::Judge(r, topic) => {
                if s.verdict.is_some() {
                    return self;
                }
                match r {
                    Some(right) => {
                        s.verdict = Some(right);
                        s.score.record(topic, right);
                    }
                    None => s.hint = true,
                }
            }
            Act::Next => {
                let all = items();
                let n = all.len();
                s.idx = (1..=n)
                    .map(|k| (s.idx + k) % n)
                    .find(|&i| s.topic.is_none_or(|t| all[i].topic == t))
                    .unwrap_or(s.idx);
                fresh(&mut s);
            }
            Act::Variant => {
                s.v = s.v.wrapping_add(1);
                fresh(&mut s);
            }
            Act::Reset => s.score = Score::default(),
            Act::Filter(t) => {
                s.topic = t;
                let all = items();
                if let Some(t) = t {
                    if all[s.idx].topic != t {
                        s.idx = all.iter().position(|i| i.topic == t).unwrap_or(s.idx);
                        fresh(&mut s);
                    }
                }
            }
        }
        Rc::new(s)
    }
}
