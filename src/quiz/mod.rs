//! Interview mode (`#/quiz`): questions generated from model traces, paused at the moment the
//! question is about, plus conceptual questions written by us. Everything but `page` is pure:
//! `gen` turns (item, variant) into a trace and a [`Question`], `bank` holds the conceptual
//! items and the map from the interview chapter's interview questions to the items covering them, `score`
//! parses and prints the remembered score.

pub mod bank;
pub mod gen;
mod page;
pub mod score;
pub mod words;

#[cfg(test)]
mod tests;

use yew::prelude::*;

use crate::i18n::T;
use crate::route::{Query, Route};

pub fn render(q: &Query, key: String) -> Html {
    let item = q.get("q").map(str::to_string);
    let variant = q.get("v").map(str::to_string);
    let topic = q.get("topic").map(str::to_string);
    html! { <page::QuizPage key={key} item={item} variant={variant} topic={topic} /> }
}

/// What a question is about; the score is kept per topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    Handshake,
    Teardown,
    Sticky,
    Udp,
    Backlog,
    Window,
    TcpUdp,
    Ports,
    Osi,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Topic::Handshake,
        Topic::Teardown,
        Topic::Sticky,
        Topic::Udp,
        Topic::Backlog,
        Topic::Window,
        Topic::TcpUdp,
        Topic::Ports,
        Topic::Osi,
    ];

    /// Stable short code (localStorage, URLs, test ids).
    pub fn code(self) -> &'static str {
        match self {
            Topic::Handshake => "hs",
            Topic::Teardown => "td",
            Topic::Sticky => "st",
            Topic::Udp => "udp",
            Topic::Backlog => "bl",
            Topic::Window => "win",
            Topic::TcpUdp => "tu",
            Topic::Ports => "port",
            Topic::Osi => "osi",
        }
    }

    pub fn from_code(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.code() == s)
    }

    pub fn name(self) -> T {
        match self {
            Topic::Handshake => T::new("三次握手", "Handshake"),
            Topic::Teardown => T::new("四次挥手", "Teardown"),
            Topic::Sticky => T::new("粘包", "Sticky packets"),
            Topic::Udp => T::new("UDP", "UDP"),
            Topic::Backlog => T::new("backlog", "Backlog"),
            Topic::Window => T::new("窗口与拥塞", "Windows"),
            Topic::TcpUdp => T::new("TCP 与 UDP", "TCP vs UDP"),
            Topic::Ports => T::new("端口", "Ports"),
            Topic::Osi => T::new("分层模型", "Layers"),
        }
    }
}

/// The right answer: an index into `choices`, or a whole number to type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Choice(usize),
    Number(u64),
}

/// One question, ready to show in one language.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub item: &'static str,
    pub topic: Topic,
    pub prompt: String,
    /// Empty for a typed number.
    pub choices: Vec<String>,
    pub answer: Answer,
    /// Unit shown after the number box ("ms", "B").
    pub unit: &'static str,
    pub explain: String,
    /// The scene or reference page that shows it.
    pub link: Route,
    /// Where the animation pauses (µs); `None` for questions without a trace.
    pub pause_us: Option<u64>,
}

/// Judges an answer: `None` when nothing usable was given (no choice, not a whole number).
pub fn check(q: &Question, pick: Option<usize>, typed: &str) -> Option<bool> {
    match q.answer {
        Answer::Choice(c) => pick.filter(|&p| p < q.choices.len()).map(|p| p == c),
        Answer::Number(n) => parse_number(typed).map(|x| x == n),
    }
}

/// A typed whole number: spaces, a leading `+` and thousands separators are fine.
pub fn parse_number(s: &str) -> Option<u64> {
    let s: String = s
        .trim()
        .trim_start_matches('+')
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' ' | '，'))
        .collect();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The text of `Answer` for the verdict line.
pub fn answer_text(q: &Question) -> String {
    match q.answer {
        Answer::Choice(c) => q.choices.get(c).cloned().unwrap_or_default(),
        Answer::Number(n) => format!("{n} {}", q.unit).trim_end().to_string(),
    }
}
