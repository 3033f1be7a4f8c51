//! The open page's state and its reducer: what is being read, the capture's list, the trace on
//! screen (with the capture's expert marks as notes) and the model run beside it.

use std::rc::Rc;

use synack_capture::protocol::Failure;
use synack_model::scenario::Scenario;
use synack_model::trace::Trace;
use yew::prelude::*;

use super::side::{model_side, recording_side, ModelSide};
use super::{canvas, format};
use crate::engine::layout::{Ladder, Note};
use crate::engine::Shared;
use crate::i18n::Lang;

/// A trace on screen.
#[derive(Clone, PartialEq)]
pub struct Shown {
    /// Changes with every file/conversation opened, so the player restarts at t = 0.
    pub(super) key: String,
    pub(super) label: String,
    pub(super) trace: Shared<Trace>,
    /// The ladder with the capture's expert marks as notes (in `lang`).
    pub(super) ladder: Shared<Ladder>,
    /// Without notes, and the marks (bits per segment id) to write on it.
    pub(super) base: Shared<Ladder>,
    pub(super) marks: Vec<u16>,
    /// The model run next to it (lab traces at once, captures on "Replay in the model").
    pub(super) model: Option<Shared<ModelSide>>,
}

/// A conversation too large for the SVG ladder: its packets for the canvas.
#[derive(Clone, PartialEq)]
pub struct Big {
    pub(super) id: u32,
    pub(super) pkts: Shared<Vec<canvas::Pkt>>,
    pub(super) names: (AttrValue, AttrValue),
}

/// Conversation rows asked of the worker at a time. Tables of thousands of rows were what made
/// big captures slow to open (parsing them, then re-rendering every row on each click); people
/// narrow a long list with the filter, or ask for more.
pub const PAGE: usize = 200;

/// One row of the conversation list and the file as a whole, as the worker sends them.
pub use synack_capture::protocol::{ConversationRow as ConvRow, Summary};

/// The capture side: what the worker reported.
#[derive(Clone, PartialEq)]
pub struct CaptureView {
    pub(super) name: String,
    pub(super) summary: Summary,
    /// The rows shown (at most what was asked for), and how many match the filter in all.
    /// `Rc` per row, so a row component re-renders only when its own row or selection changes.
    pub(super) rows: Shared<Vec<Rc<ConvRow>>>,
    pub(super) total_rows: u64,
    pub(super) selected: Option<u32>,
    pub(super) filter_error: Option<String>,
}

#[derive(Clone, PartialEq, Default)]
pub enum Status {
    #[default]
    Idle,
    Reading {
        name: String,
        done: u64,
        total: u64,
    },
    Failed {
        name: String,
        message: String,
    },
}

#[derive(Clone, PartialEq)]
pub struct OpenState {
    pub(super) status: Status,
    pub(super) shown: Option<Shown>,
    pub(super) big: Option<Big>,
    pub(super) capture: Option<CaptureView>,
    pub(super) opened: u32,
    pub(super) lang: Lang,
}

impl OpenState {
    pub(super) fn new(lang: Lang) -> OpenState {
        OpenState {
            status: Status::Idle,
            shown: None,
            big: None,
            capture: None,
            opened: 0,
            lang,
        }
    }
}

pub enum Action {
    Reading(String, u64),
    Progress(u64, u64),
    Failed(String, String),
    TraceLoaded(String, Trace),
    /// A kernel recording of the repository and the scenario the lab ran for it.
    RecordingLoaded(String, Trace, Box<Scenario>),
    /// Summary, the first rows, how many rows in all.
    CaptureOpened(Summary, Vec<ConvRow>, u64),
    Rows(Vec<ConvRow>, u64),
    /// The worker could not answer a request about file `.0`.
    Refused(String, Failure),
    Select(u32),
    ConversationTrace(u32, Trace, Vec<u16>),
    Wire(u32, Vec<canvas::Pkt>),
    /// Run the model next to the shown trace (or hide it).
    Replay(bool),
    /// The page language (notes are written in it).
    Lang(Lang),
}

pub(super) fn show(key: String, mut trace: Trace, lang_free_label: String) -> Shown {
    format::split_loopback(&mut trace);
    if trace.snapshots.is_empty() {
        // Lab traces may come without snapshots; the player jumps through them.
        trace.build_snapshots(64);
    }
    let ladder = Shared::new(Ladder::build(&trace, None));
    Shown {
        key,
        label: lang_free_label,
        trace: Shared::new(trace),
        base: ladder.clone(),
        ladder,
        marks: Vec::new(),
        model: None,
    }
}

/// Writes the expert marks on the arrows and, if shown, reruns the comparison, in `lang`.
pub(super) fn annotate(shown: &mut Shown, lang: Lang) {
    let mut ladder = (*shown.base).clone();
    for (i, a) in shown.base.arrows.iter().enumerate() {
        let m = shown.marks.get(a.id.0 as usize).copied().unwrap_or(0);
        if m != 0 {
            ladder.notes.insert(
                i,
                Note {
                    text: canvas::mark_text(m, lang),
                    warn: m & canvas::mark::TROUBLE != 0,
                },
            );
        }
    }
    shown.ladder = Shared::new(ladder);
    if shown.model.is_some() {
        shown.model = model_side(&shown.trace, &shown.ladder, lang)
            .ok()
            .map(Shared::new);
    }
}

impl Reducible for OpenState {
    type Action = Action;

    fn reduce(self: std::rc::Rc<Self>, action: Action) -> std::rc::Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Reading(name, total) => {
                s.status = Status::Reading {
                    name,
                    done: 0,
                    total,
                };
            }
            Action::Progress(done, total) => {
                if let Status::Reading { name, .. } = &s.status {
                    s.status = Status::Reading {
                        name: name.clone(),
                        done,
                        total,
                    };
                }
            }
            Action::Failed(name, message) => {
                // The previous file's table and ladder go: under a new file's error they would
                // read as that file's content.
                s.status = Status::Failed { name, message };
                s.capture = None;
                s.shown = None;
                s.big = None;
            }
            Action::TraceLoaded(name, trace) => {
                s.opened += 1;
                s.status = Status::Idle;
                s.capture = None;
                s.big = None;
                let lab = matches!(trace.origin, synack_model::trace::Origin::Lab { .. });
                let mut shown = show(format!("{}-{name}", s.opened), trace, name);
                if lab {
                    // A lab run is always shown next to the model run of the same situation.
                    shown.model = model_side(&shown.trace, &shown.ladder, s.lang)
                        .ok()
                        .map(Shared::new);
                }
                s.shown = Some(shown);
            }
            Action::RecordingLoaded(name, trace, scenario) => {
                s.opened += 1;
                s.status = Status::Idle;
                s.capture = None;
                s.big = None;
                let mut shown = show(format!("{}-{name}", s.opened), trace, name.clone());
                shown.model = recording_side(&shown.trace, &shown.ladder, s.lang, &name, *scenario)
                    .ok()
                    .map(Shared::new);
                s.shown = Some(shown);
            }
            Action::CaptureOpened(summary, rows, total_rows) => {
                s.opened += 1;
                s.status = Status::Idle;
                s.shown = None;
                s.big = None;
                s.capture = Some(CaptureView {
                    name: summary.file.clone(),
                    rows: Shared::new(rows.into_iter().map(Rc::new).collect()),
                    total_rows,
                    summary,
                    selected: None,
                    filter_error: None,
                });
            }
            Action::Rows(rows, total_rows) => {
                if let Some(c) = &mut s.capture {
                    c.rows = Shared::new(rows.into_iter().map(Rc::new).collect());
                    c.total_rows = total_rows;
                    c.filter_error = None;
                }
            }
            Action::Refused(name, failure) => match failure {
                // Shown under the filter box, with the list as it was.
                Failure::BadFilter { message } => {
                    if let Some(c) = &mut s.capture {
                        c.filter_error = Some(message);
                    }
                }
                Failure::NoCapture
                | Failure::NoBytes
                | Failure::Unreadable { .. }
                | Failure::NoSuchConversation { .. }
                | Failure::NoTrace { .. }
                | Failure::BadRequest { .. } => {
                    s.status = Status::Failed {
                        name,
                        message: super::problems::failure_text(&failure, s.lang),
                    };
                    s.capture = None;
                    s.shown = None;
                    s.big = None;
                }
            },
            Action::Select(id) => {
                if let Some(c) = &mut s.capture {
                    c.selected = Some(id);
                }
            }
            Action::ConversationTrace(id, trace, marks) => {
                let name = s
                    .capture
                    .as_ref()
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                s.opened += 1;
                s.big = None;
                let mut shown = show(format!("{}-{name}-{id}", s.opened), trace, format!("#{id}"));
                // The worker's expert marks, by segment id, written on the arrows.
                shown.marks = marks;
                annotate(&mut shown, s.lang);
                s.shown = Some(shown);
            }
            Action::Wire(id, mut pkts) => {
                pkts.sort_by_key(|p| p.t);
                let row = s
                    .capture
                    .as_ref()
                    .and_then(|c| c.rows.iter().find(|r| r.id == id).cloned());
                let (a, b) = match row {
                    Some(r) => (r.a.clone(), r.b.clone()),
                    None => ("A".into(), "B".into()),
                };
                s.shown = None;
                s.big = Some(Big {
                    id,
                    pkts: Shared::new(pkts),
                    names: (a.into(), b.into()),
                });
            }
            Action::Replay(on) => {
                if let Some(shown) = &mut s.shown {
                    shown.model = if on {
                        model_side(&shown.trace, &shown.ladder, s.lang)
                            .ok()
                            .map(Shared::new)
                    } else {
                        None
                    };
                }
            }
            Action::Lang(lang) => {
                if s.lang != lang {
                    s.lang = lang;
                    if let Some(shown) = &mut s.shown {
                        annotate(shown, lang);
                    }
                }
            }
        }
        s.into()
    }
}
