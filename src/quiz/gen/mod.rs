//! Questions generated from model traces. Each item names a preset (which may depend on the
//! variant) and a pure function that finds its moment in the trace and reads the answer off the
//! trace: the question stays right whatever the latency, seed or profile of the variant.
//!
//! One file a topic holds its items (in deck order) and the functions that read them off the
//! trace; `read` finds moments in a trace, `shapes` words the questions asked more than once
//! ("which segment next?", "which state next?", a number to type).

mod backlog;
mod handshake;
mod read;
mod shapes;
mod sticky;
mod teardown;
mod udp;
mod window;

pub use read::seg_text;
pub use sticky::sticky_case_of;

use synack_model::presets::{self, BacklogKnobs, HandshakeCase, Knobs, StickyCase, StickyFix};
use synack_model::presets::{TeardownCase, UdpCase, WindowCase};
use synack_model::profile::ProfileId;
use synack_model::trace::{TcpState, Trace};

use super::words::Words;
use super::{bank, Answer, Question, Topic};
use crate::i18n::Lang;
use crate::route::Route;
use crate::texts::Tx;

/// The model run behind a trace item.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sc {
    Hs(HandshakeCase),
    Td(TeardownCase),
    St(StickyCase),
    Udp(UdpCase),
    /// The interview chapter's backlog capture; `true`: with tcp_abort_on_overflow=1.
    Bl(bool),
    Win(WindowCase),
}

pub struct Ctx {
    pub lang: Lang,
    pub v: u32,
    /// The quiz's words (`quiz::words`), in `lang`.
    pub w: Words,
}

impl Ctx {
    /// The quiz's text at `key`.
    pub(super) fn t(&self, key: &str) -> &'static str {
        self.w.get(key)
    }

    /// The quiz's template at `key`, filled with the values the generator computed.
    pub(super) fn fill(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.w.fill(key, args)
    }

    /// Two sentences in a row: Chinese runs them together (no space after 。), English
    /// separates them with a space.
    pub(super) fn join(&self, a: &str, b: &str) -> String {
        match self.lang {
            Lang::Zh => format!("{a}{b}"),
            Lang::En => format!("{a} {b}"),
        }
    }
}

/// What an item is made of.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Built from a model trace: the scene for a variant, then the question read off the trace
    /// (`None` if the variant's trace lacks the moment — tests check that never happens).
    Trace(fn(u32) -> Sc, fn(&Trace, &Ctx) -> Option<Draft>),
    /// "Which state does this socket enter next?", written as data (`shapes::next_state` asks it).
    NextState(NextState),
    /// Written by us: the question, four choices (the first is right) and why (their words in
    /// the quiz file, `quiz::words`).
    Concept(Tx, [Tx; 4], Tx),
    /// Generated from a reference page's table.
    Port,
    OsiLayer,
    OsiMap,
}

/// A "which state next?" question: paused just before the socket labelled `socket` leaves
/// `from` in the run `sc` (the same run in every variant).
#[derive(Clone, Copy)]
pub struct NextState {
    pub sc: Sc,
    pub socket: &'static str,
    pub from: TcpState,
    /// What is about to happen, said before the question (words in the quiz file).
    pub lead: Tx,
    pub why: Tx,
}

impl Kind {
    /// The run the item's question is read off in variant `v` (`None`: written without one).
    pub fn scene(&self, v: u32) -> Option<Sc> {
        match self {
            Kind::Trace(sc, _) => Some(sc(v)),
            Kind::NextState(n) => Some(n.sc),
            Kind::Concept(..) | Kind::Port | Kind::OsiLayer | Kind::OsiMap => None,
        }
    }
}

#[derive(Clone, Copy)]
pub struct Item {
    pub id: &'static str,
    pub topic: Topic,
    pub link: Route,
    pub kind: Kind,
}

/// A question before the item's id, topic and link are added.
pub struct Draft {
    pub pause_us: Option<u64>,
    pub prompt: String,
    pub choices: Vec<String>,
    pub answer: Answer,
    pub unit: &'static str,
    pub explain: String,
}

/// Every item, trace items first, by topic (the order of the deck).
pub fn all() -> impl Iterator<Item = &'static Item> {
    [
        handshake::ITEMS,
        teardown::ITEMS,
        sticky::ITEMS,
        udp::ITEMS,
        backlog::ITEMS,
        window::ITEMS,
        bank::CONCEPTS,
    ]
    .into_iter()
    .flatten()
}

pub fn find(id: &str) -> Option<&'static Item> {
    all().find(|i| i.id == id)
}

/// The network of a variant. Variant 0 is the scenes' default; others change the one-way
/// delay, the random seed and (every third) the stack profile, so the numbers in answers move.
pub fn knobs(v: u32) -> Knobs {
    const LAT: [f64; 6] = [20.0, 5.0, 60.0, 12.0, 100.0, 35.0];
    Knobs {
        latency_ms: LAT[v as usize % LAT.len()],
        jitter_ms: 0.0,
        loss_pct: 0.0,
        seed: 1 + v as u64,
        profile: if v % 3 == 2 {
            ProfileId::Rfc
        } else {
            ProfileId::Linux
        },
    }
}

pub fn run(sc: Sc, v: u32) -> Option<Trace> {
    let k = knobs(v);
    let s = match sc {
        Sc::Hs(c) => presets::handshake(&k, c),
        Sc::Td(c) => presets::teardown(&k, c),
        Sc::St(c) => presets::sticky(&k, c, StickyFix::None),
        Sc::Udp(c) => presets::udp(&k, c),
        // Beyond ~60 ms one way the slow reader drains its buffer faster than a round trip
        // refills it and the window never closes: the window items keep to LAN/WAN delays.
        Sc::Win(c) => presets::window(
            &Knobs {
                latency_ms: k.latency_ms.min(60.0),
                ..k
            },
            c,
        ),
        Sc::Bl(abort) => {
            // The interview chapter's capture: loopback delay, a Linux kernel.
            let k = Knobs {
                latency_ms: 0.05,
                profile: ProfileId::Linux,
                ..k
            };
            let b = BacklogKnobs {
                abort_on_overflow: abort,
                ..BacklogKnobs::real_capture()
            };
            presets::backlog(&k, &b)
        }
    };
    let mut t = synack_model::simulate(&s).ok()?;
    t.build_snapshots(64);
    Some(t)
}

/// The trace an item needs for a variant (`None` for items without one).
pub fn trace_for(item: &Item, v: u32) -> Option<Trace> {
    run(item.kind.scene(v)?, v)
}

/// The sentences the topics' generators are made of (`quiz::words`), one table a topic.
pub const TEXTS: &[&[(&str, Tx)]] = &[
    shapes::TEXTS,
    handshake::TEXTS,
    teardown::TEXTS,
    sticky::TEXTS,
    udp::TEXTS,
    backlog::TEXTS,
    window::TEXTS,
    bank::TEXTS,
];

/// The question of `item` in variant `v`, worded with `w` (in its language); `trace` must be
/// `trace_for(item, v)`.
pub fn ask(item: &Item, v: u32, trace: Option<&Trace>, w: Words) -> Option<Question> {
    let lang = w.lang();
    let cx = Ctx { lang, v, w };
    let d = match item.kind {
        Kind::Trace(_, f) => f(trace?, &cx)?,
        Kind::NextState(n) => shapes::next_state_row(trace?, &cx, item.id, &n)?,
        Kind::Concept(..) => {
            let text = |k: &str| cx.t(&format!("{}.{k}", item.id)).to_string();
            let wrong = ["c1", "c2", "c3"].iter().map(|k| text(k)).collect();
            let (choices, c) = place(text("c0"), wrong, v);
            Draft {
                pause_us: None,
                prompt: text("q"),
                choices,
                answer: Answer::Choice(c),
                unit: "",
                explain: text("why"),
            }
        }
        Kind::Port => bank::port_question(&cx)?,
        Kind::OsiLayer => bank::osi_layer_question(&cx)?,
        Kind::OsiMap => bank::osi_map_question(&cx)?,
    };
    Some(Question {
        item: item.id,
        topic: item.topic,
        prompt: d.prompt,
        choices: d.choices,
        answer: d.answer,
        unit: d.unit,
        explain: d.explain,
        link: item.link,
        pause_us: d.pause_us,
    })
}

/// Puts the right answer among (up to three) wrong ones at a place that moves with the
/// variant. Wrong ones equal to the right one are dropped.
pub fn place(right: String, wrong: Vec<String>, v: u32) -> (Vec<String>, usize) {
    let mut out: Vec<String> = Vec::with_capacity(4);
    for w in wrong {
        if w != right && !out.contains(&w) && out.len() < 3 {
            out.push(w);
        }
    }
    let at = (v as usize * 7 + right.len()) % (out.len() + 1);
    out.insert(at, right);
    (out, at)
}

/// A trace item of a topic, linked to the topic's scene.
const fn item(
    id: &'static str,
    (topic, link): (Topic, Route),
    sc: fn(u32) -> Sc,
    f: fn(&Trace, &Ctx) -> Option<Draft>,
) -> Item {
    Item {
        id,
        topic,
        link,
        kind: Kind::Trace(sc, f),
    }
}

/// A "which state next?" item of a topic, linked to the topic's scene.
const fn next_state_item(id: &'static str, (topic, link): (Topic, Route), n: NextState) -> Item {
    Item {
        id,
        topic,
        link,
        kind: Kind::NextState(n),
    }
}
