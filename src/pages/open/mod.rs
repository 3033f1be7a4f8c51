//! `#/open`: a lab or model trace (JSON) or a real capture (.pcap/.pcapng) in the same player
//! and ladder as the scenes. Files are read in the browser and never uploaded.
//!
//! Trace JSON is parsed here with `Trace::from_json` (already part of the app). Captures go to
//! the `capture_worker` Web Worker (crates/capture), created on the first capture opened so its
//! ~90 KB never count against the first load, and kept for the page's life (filter and
//! conversation requests reuse the parsed file).

pub mod canvas;
pub mod diff;
mod format;
mod perf;
mod problems;
#[cfg(test)]
mod tests;
mod worker;

use std::rc::Rc;

use synack_capture::Problem;
use synack_model::presets::Knobs;
use synack_model::read::path_text;
use synack_model::scenario::Scenario;
use synack_model::trace::Trace;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use self::format::{origin_label, sniff, FileKind};
use self::worker::{use_capture_worker, Req};
use super::use_ready_after_render;
use crate::app::use_shell;
use crate::engine::ladder::LadderView;
use crate::engine::layout::{Ladder, Note};
use crate::engine::params::Params;
use crate::engine::player::{Player, PlayerState};
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::route::Route;

/// A trace on screen.
#[derive(Clone, PartialEq)]
pub struct Shown {
    /// Changes with every file/conversation opened, so the player restarts at t = 0.
    key: String,
    label: String,
    trace: Shared<Trace>,
    /// The ladder with the capture's expert marks as notes (in `lang`).
    ladder: Shared<Ladder>,
    /// Without notes, and the marks (bits per segment id) to write on it.
    base: Shared<Ladder>,
    marks: Vec<u16>,
    /// The model run next to it (lab traces at once, captures on "Replay in the model").
    model: Option<Shared<ModelSide>>,
}

/// The model's run of the same situation and how the recorded trace differs from it.
#[derive(PartialEq)]
pub struct ModelSide {
    replay: diff::Replay,
    diff: diff::Diff,
    /// The recorded ladder with the differences as notes, and the model's.
    recorded: Shared<Ladder>,
    trace: Shared<Trace>,
    ladder: Shared<Ladder>,
}

fn model_side(trace: &Trace, base: &Ladder, lang: Lang) -> Result<ModelSide, String> {
    model_side_with(trace, base, lang, diff::replay_for(trace))
}

/// A kernel recording of the repository (`tests/kernel-recordings/`, copied next to the page)
/// beside the model's run of the very scenario the lab ran, not of a preset guessed from it.
fn recording_side(
    trace: &Trace,
    base: &Ladder,
    lang: Lang,
    name: &str,
    scenario: Scenario,
) -> Result<ModelSide, String> {
    let link = &scenario.network.default;
    let knobs = Knobs {
        latency_ms: link.latency_us as f64 / 1000.0,
        jitter_ms: link.jitter_us as f64 / 1000.0,
        loss_pct: link.loss_pct,
        seed: scenario.seed,
        profile: scenario.profile,
    };
    let replay = diff::Replay {
        scenario,
        preset: name.to_string(),
        knobs,
        rtt_us: None,
    };
    model_side_with(trace, base, lang, replay)
}

fn model_side_with(
    trace: &Trace,
    base: &Ladder,
    lang: Lang,
    replay: diff::Replay,
) -> Result<ModelSide, String> {
    let mut model = synack_model::simulate(&replay.scenario).map_err(|e| format!("{e:?}"))?;
    if model.snapshots.is_empty() {
        model.build_snapshots(64);
    }
    let d = diff::diff(trace, &model);
    let mut recorded = base.clone();
    let mut ladder = Ladder::build(&model, None);
    let note = |text: String| Note { text, warn: true };
    let (only_rec, only_model) = match lang {
        Lang::Zh => ("模型里没有", "实测里没有"),
        Lang::En => ("not in the model", "not recorded"),
    };
    for p in &d.pairs {
        match *p {
            diff::Pair::OnlyA(i) => {
                recorded.notes.insert(i, note(only_rec.into()));
            }
            diff::Pair::OnlyB(j) => {
                ladder.notes.insert(j, note(only_model.into()));
            }
            diff::Pair::Both {
                a,
                b,
                dt,
                late: true,
            } => {
                let t = format!("Δt {:+.1} ms", dt as f64 / 1000.0);
                recorded.notes.insert(a, note(t.clone()));
                ladder.notes.insert(b, note(t));
            }
            diff::Pair::Both { .. } => {}
        }
    }
    Ok(ModelSide {
        replay,
        diff: d,
        recorded: Shared::new(recorded),
        trace: Shared::new(model),
        ladder: Shared::new(ladder),
    })
}

/// A conversation too large for the SVG ladder: its packets for the canvas.
#[derive(Clone, PartialEq)]
pub struct Big {
    id: u64,
    pkts: Shared<Vec<canvas::Pkt>>,
    names: (AttrValue, AttrValue),
}

/// Conversation rows asked of the worker at a time. Tables of thousands of rows were what made
/// big captures slow to open (parsing them, then re-rendering every row on each click); people
/// narrow a long list with the filter, or ask for more.
pub const PAGE: usize = 200;

/// One row of the conversation list as the worker sends it (`synack_capture::session::
/// ConversationRow`), read straight into the fields the table shows (other fields are skipped).
#[derive(Clone, PartialEq, Eq, Default, Debug, serde::Deserialize)]
#[serde(default)]
pub struct ConvRow {
    pub id: u64,
    pub proto: String,
    pub a: String,
    pub b: String,
    pub packets: u64,
    pub bytes: u64,
    pub duration_us: u64,
    pub progress: String,
    pub marks: Vec<String>,
    pub has_trouble: bool,
}

/// What the worker says of the file as a whole (`synack_capture::session::Summary`), read
/// straight into the fields the page shows; its problems are the capture crate's own types.
#[derive(Clone, PartialEq, Default, Debug, serde::Deserialize)]
#[serde(default)]
pub struct Summary {
    pub file: String,
    pub frames: u64,
    pub packets: u64,
    pub conversations: u64,
    /// Reading stopped before the end of the file (a fatal problem).
    pub partial: bool,
    pub problems: Vec<Problem>,
    pub problems_suppressed: u64,
}

/// The capture side: what the worker reported.
#[derive(Clone, PartialEq)]
pub struct CaptureView {
    name: String,
    summary: Summary,
    /// The rows shown (at most what was asked for), and how many match the filter in all.
    /// `Rc` per row, so a row component re-renders only when its own row or selection changes.
    rows: Shared<Vec<Rc<ConvRow>>>,
    total_rows: u64,
    selected: Option<u64>,
    filter_error: Option<String>,
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
    status: Status,
    shown: Option<Shown>,
    big: Option<Big>,
    capture: Option<CaptureView>,
    opened: u32,
    lang: Lang,
}

impl OpenState {
    fn new(lang: Lang) -> OpenState {
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
    FilterError(String),
    Select(u64),
    ConversationTrace(u64, Trace, Vec<u16>),
    Wire(u64, Vec<canvas::Pkt>),
    /// Run the model next to the shown trace (or hide it).
    Replay(bool),
    /// The page language (notes are written in it).
    Lang(Lang),
}

fn show(key: String, mut trace: Trace, lang_free_label: String) -> Shown {
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
fn annotate(shown: &mut Shown, lang: Lang) {
    let mut ladder = (*shown.base).clone();
    for (i, a) in shown.base.arrows.iter().enumerate() {
        let m = shown.marks.get(a.id.0 as usize).copied().unwrap_or(0);
        if m != 0 {
            ladder.notes.insert(
                i,
                Note {
                    text: canvas::mark_text(m, lang),
                    warn: m as u64 & canvas::mark::TROUBLE != 0,
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
            Action::FilterError(e) => {
                if let Some(c) = &mut s.capture {
                    c.filter_error = Some(e);
                }
            }
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

const NOT_UPLOADED: T = T::new(
    "文件只在你的浏览器里读取，不会上传到任何地方。",
    "Files are read in your browser only; nothing is uploaded anywhere.",
);

#[component]
pub fn OpenPage() -> Html {
    let lang = use_shell().lang;
    use_ready_after_render();
    let state = use_reducer(move || OpenState::new(lang));
    {
        let d = state.dispatcher();
        use_effect_with(lang, move |l| d.dispatch(Action::Lang(*l)));
    }
    let worker = use_capture_worker(state.dispatcher());
    let dragging = use_state(|| false);
    // `#/open?rec=linux-6.18/handshake-normal`: a kernel recording of the repository, beside
    // the model's run of the same scenario (the scenes link here).
    {
        let d = state.dispatcher();
        use_effect_with((), move |_| {
            let loc = crate::route::Location::parse(&crate::dom::current_hash());
            if let Some(rec) = loc.query.get("rec").map(str::to_string) {
                d.dispatch(Action::Reading(rec.clone(), 0));
                wasm_bindgen_futures::spawn_local(async move {
                    d.dispatch(match load_recording(&rec).await {
                        Ok((trace, scenario)) => {
                            Action::RecordingLoaded(rec, trace, Box::new(scenario))
                        }
                        Err(e) => Action::Failed(rec, e),
                    });
                });
            }
        });
    }
    // After every render: the timing report's "on screen" mark for the list and SVG answers.
    use_effect(|| perf::rendered(&["open", "list", "trace"]));

    // The table's callbacks are made once (the worker handle and the dispatcher never change),
    // so the row components' props compare equal and unchanged rows are not re-rendered.
    let filter_text = use_mut_ref(String::new);
    let on_filter = {
        let worker = worker.clone();
        let filter_text = filter_text.clone();
        use_callback((), move |e: InputEvent, _| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                *filter_text.borrow_mut() = i.value();
                worker.request(Req::List(i.value(), PAGE));
            }
        })
    };
    let on_more = {
        let worker = worker.clone();
        let filter_text = filter_text.clone();
        use_callback((), move |limit: usize, _| {
            worker.request(Req::List(filter_text.borrow().clone(), limit));
        })
    };
    let on_pick = {
        let worker = worker.clone();
        let state = state.dispatcher();
        use_callback((), move |(id, packets): (u64, u64), _| {
            state.dispatch(Action::Select(id));
            // Big conversations go to the canvas ladder, which needs only compact rows.
            worker.request(if packets > canvas::LARGE {
                Req::Wire(id)
            } else {
                Req::Trace(id)
            });
        })
    };

    let open_file = {
        let state = state.dispatcher();
        let worker = worker.clone();
        Callback::from(move |file: web_sys::File| {
            let state = state.clone();
            let worker = worker.clone();
            let name = file.name();
            state.dispatch(Action::Reading(name.clone(), file.size() as u64));
            wasm_bindgen_futures::spawn_local(async move {
                let buf = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                    Ok(b) => b,
                    Err(e) => {
                        let msg = e.as_string().unwrap_or_else(|| format!("{e:?}"));
                        state.dispatch(Action::Failed(name, msg));
                        return;
                    }
                };
                let bytes = js_sys::Uint8Array::new(&buf);
                let head = bytes.subarray(0, bytes.length().min(16)).to_vec();
                match sniff(&name, &head) {
                    FileKind::TraceJson => match String::from_utf8(bytes.to_vec()) {
                        Err(e) => state.dispatch(Action::Failed(
                            name,
                            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
                        )),
                        Ok(text) => match Trace::from_json(&text) {
                            Ok(t) => state.dispatch(Action::TraceLoaded(name, t)),
                            Err(e) => state.dispatch(Action::Failed(name, e)),
                        },
                    },
                    FileKind::Capture => worker.open(&name, buf),
                    FileKind::Unknown => state.dispatch(Action::Failed(
                        name,
                        "neither a synack trace (JSON) nor a pcap/pcapng capture".into(),
                    )),
                }
            });
        })
    };

    let on_input = {
        let open_file = open_file.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                open_file.emit(f);
            }
            // Let the same file be chosen again (after fixing it on disk).
            input.set_value("");
        })
    };
    let on_dragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_dragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let dragging = dragging.clone();
        let open_file = open_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|l| l.get(0))
            {
                open_file.emit(f);
            }
        })
    };

    let status = match &state.status {
        Status::Idle => html! {},
        Status::Reading { name, done, total } => {
            let pct = format::percent(*done, *total);
            html! {
                <div class="open-progress" data-testid="open-progress">
                    <span>{ format!("{} {name}", T::new("正在读取", "Reading").get(lang)) }</span>
                    <progress max="100" value={pct.to_string()} />
                    <span class="mono">{ format!("{pct}%") }</span>
                </div>
            }
        }
        Status::Failed { name, message } => html! {
            <div class="notice error" role="alert" data-testid="open-error">
                <strong>{ format!("{} {name}", T::new("无法打开", "Could not open").get(lang)) }</strong>
                <p class="mono">{ message.clone() }</p>
            </div>
        },
    };

    let capture = state.capture.as_ref().map(|c| {
        html! { <CaptureTable view={c.clone()} {lang} on_filter={on_filter.clone()}
        on_pick={on_pick.clone()} on_more={on_more.clone()} /> }
    });

    let player = state.shown.as_ref().map(|s| {
        let d = Params::defaults("");
        let label = match &state.capture {
            Some(_) => format!("{} {}", origin_label(&s.trace.origin, lang), s.label),
            None => origin_label(&s.trace.origin, lang),
        };
        html! {
            <section class="open-trace" data-testid="open-trace">
                <p class="open-origin" data-testid="open-origin">
                    <span class="badge">{ T::new("来源", "Origin").get(lang) }</span>{" "}{ label }
                    if state.capture.is_none() { <span class="muted">{ format!(" · {}", s.label) }</span> }
                </p>
                <Player key={s.key.clone()} trace={s.trace.clone()} ladder={s.ladder.clone()} {lang}
                    init_t={Some(s.trace.duration_us)} speed={d.speed} numbering={d.numbering} view={d.view}
                    autoplay=false on_change={Callback::from(|_: PlayerState| ())}
                    export_name={AttrValue::from("synack-open")}
                    />
                if !matches!(s.trace.origin, synack_model::trace::Origin::Model { .. }) {
                    <div class="controls">
                        <button class="case" data-testid="open-replay" aria-pressed={s.model.is_some().to_string()}
                            onclick={{
                                let d = state.dispatcher();
                                let on = s.model.is_none();
                                Callback::from(move |_: MouseEvent| d.dispatch(Action::Replay(on)))
                            }}>
                            { if s.model.is_some() {
                                T::new("收起模型对照", "Hide the model run")
                            } else {
                                T::new("在模型里重放", "Replay in the model")
                            }.get(lang) }
                        </button>
                    </div>
                }
                if let Some(m) = &s.model {
                    <SideBySide side={m.clone()} recorded={s.trace.clone()} {lang} />
                }
            </section>
        }
    });

    let big = state.big.as_ref().map(|b| {
        let name = state.capture.as_ref().map(|c| c.name.clone()).unwrap_or_default();
        html! {
            <section class="open-trace" data-testid="open-trace">
                <p class="open-origin" data-testid="open-origin">
                    <span class="badge">{ T::new("来源", "Origin").get(lang) }</span>{" "}
                    { format!("{} #{} · {} {}", origin_label(&synack_model::trace::Origin::Capture { file: name }, lang),
                        b.id, b.pkts.len(), T::new("个包", "packets").get(lang)) }
                </p>
                <canvas::CanvasLadder key={format!("big-{}", b.id)} pkts={b.pkts.clone()} names={b.names.clone()} {lang} />
            </section>
        }
    });

    html! {
        <div class="page open-page" data-testid={format!("page-{}", Route::Open.id())}>
            <h1>{ Route::Open.title().get(lang) }</h1>
            <p class="route-blurb">{ T::new(
                "打开 synack-lab 在真实内核上记录的实验（JSON），或用 Wireshark / tcpdump 抓的包（.pcap / .pcapng），用和场景相同的时序图来看。",
                "Open a trace that synack-lab recorded on a real kernel (JSON), or a capture from Wireshark or tcpdump (.pcap / .pcapng), and watch it in the same diagrams as the scenes.",
            ).get(lang) }</p>
            <label class={classes!("drop-zone", dragging.then_some("over"))} data-testid="drop-zone"
                ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
                <strong>{ T::new("把文件拖到这里，或点击选择", "Drop a file here, or click to choose one").get(lang) }</strong>
                <span class="muted">{ ".json · .pcap · .pcapng · .pcap.gz" }</span>
                <input type="file" data-testid="open-input" accept=".json,.pcap,.pcapng,.cap,.gz,application/json"
                    onchange={on_input} />
            </label>
            <p class="muted privacy" data-testid="open-privacy">{ NOT_UPLOADED.get(lang) }</p>
            { status }
            { for capture }
            { for player }
            { for big }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SideProps {
    side: Shared<ModelSide>,
    recorded: Shared<Trace>,
    lang: Lang,
}

/// The recorded ladder and the model's, side by side (whole runs), with the differences noted
/// on the arrows and summed up above them.
#[component]
fn SideBySide(p: &SideProps) -> Html {
    let lang = p.lang;
    let m = &*p.side;
    let d = &m.diff;
    let k = &m.replay.knobs;
    let numbering = Params::defaults("").numbering;
    let rtt = m
        .replay
        .rtt_us
        .map(crate::engine::ladder::fmt_ms)
        .unwrap_or_else(|| "—".into());
    let params = match lang {
        Lang::Zh => format!(
            "模型预设 {}，Linux 配置，单程延迟 {:.3} ms（握手 RTT {rtt} 的一半），丢包 {:.1}%（实测重传比例），种子 {}。",
            m.replay.preset, k.latency_ms, k.loss_pct, k.seed
        ),
        Lang::En => format!(
            "Model preset {}, Linux profile, one-way delay {:.3} ms (half the handshake RTT {rtt}), loss {:.1}% (the share of retransmitted segments), seed {}.",
            m.replay.preset, k.latency_ms, k.loss_pct, k.seed
        ),
    };
    let tol = match lang {
        Lang::Zh => format!(
            "时间容差：较晚时间的 {}% 或 {} ms，取较大者（与 synack-lab compare 相同）。",
            diff::TOLERANCE.pct,
            diff::TOLERANCE.floor_us as f64 / 1000.0
        ),
        Lang::En => format!(
            "Timing tolerance: {}% of the later time or {} ms, whichever is larger (as in synack-lab compare).",
            diff::TOLERANCE.pct,
            diff::TOLERANCE.floor_us as f64 / 1000.0
        ),
    };
    let verdict = if d.agree() {
        T::new(
            "一致：包序列、状态和时间都在容差内。",
            "They agree: packet sequence, states and timing within the tolerance.",
        )
        .get(lang)
        .to_string()
    } else {
        match lang {
            Lang::Zh => format!(
                "有差异：实测多出 {} 个包，缺少 {} 个，{} 个时间超出容差。",
                d.extra(), d.missing(), d.late()
            ),
            Lang::En => format!(
                "They differ: {} segment(s) only recorded, {} only in the model, {} beyond the timing tolerance.",
                d.extra(), d.missing(), d.late()
            ),
        }
    };
    let sides = [T::new("客户端", "client"), T::new("服务端", "server")];
    let state_rows = (0..2).map(|i| {
        let ok = d.states_agree(i);
        html! {
            <tr class={classes!((!ok).then_some("differs"))} data-testid={format!("diff-states-{i}")}>
                <td>{ sides[i].get(lang) }</td>
                <td class="mono">{ path_text(&d.states_a[i]) }</td>
                <td class="mono">{ path_text(&d.states_b[i]) }</td>
                <td>{ if ok { "✓" } else { "≠" } }</td>
            </tr>
        }
    });
    let noop = Callback::from(|_: usize| ());
    // Both ladders show whole runs (t = the end, so every arrow is drawn), and the ladder keeps
    // its playhead in view, which would leave them scrolled to the last segment. A comparison
    // reads from the first packet: once they are laid out, scroll both back to the top.
    let split = use_node_ref();
    {
        let split = split.clone();
        use_effect_with(p.side.clone(), move |_| {
            let timeout = gloo::timers::callback::Timeout::new(0, move || {
                if let Some(el) = split.cast::<web_sys::Element>() {
                    for col in ["compare-recorded", "compare-model"] {
                        let sel = format!("[data-testid={col}] .ladder-scroll");
                        if let Ok(Some(e)) = el.query_selector(&sel) {
                            e.set_scroll_top(0);
                        }
                    }
                }
            });
            move || drop(timeout)
        });
    }
    html! {
        <section class="side-by-side" data-testid="open-compare">
            <h2>{ T::new("与模型对照", "Side by side with the model").get(lang) }</h2>
            <p class="muted">{ params }{" "}{ tol }</p>
            <p class={classes!("notice", if d.agree() { "ok" } else { "warn" })} data-testid="diff-verdict">{ verdict }</p>
            if d.truncated {
                <p class="muted">{ format!("{} {}", T::new("只比较了前", "Only the first").get(lang), diff::MAX_ALIGN) }</p>
            }
            <div class="table-scroll">
                <table class="diff-states">
                    <thead><tr>
                        <th></th>
                        <th>{ T::new("实测的状态", "Recorded states").get(lang) }</th>
                        <th>{ T::new("模型的状态", "Model states").get(lang) }</th>
                        <th></th>
                    </tr></thead>
                    <tbody>{ for state_rows }</tbody>
                </table>
            </div>
            <div class="split" ref={split}>
                <div class="split-col" data-testid="compare-recorded">
                    <div class="split-title">{ T::new("实测", "Recorded") .get(lang) }</div>
                    <LadderView ladder={m.recorded.clone()} trace={p.recorded.clone()} t={m.recorded.duration as f64 + 1.0}
                        playing=false {numbering} {lang} selected={None::<usize>} on_select={noop.clone()} uid="cmp-a" />
                </div>
                <div class="split-col" data-testid="compare-model">
                    <div class="split-title">{ T::new("模型", "Model").get(lang) }</div>
                    <LadderView ladder={m.ladder.clone()} trace={m.trace.clone()} t={m.ladder.duration as f64 + 1.0}
                        playing=false {numbering} {lang} selected={None::<usize>} on_select={noop} uid="cmp-b" />
                </div>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TableProps {
    view: CaptureView,
    lang: Lang,
    on_filter: Callback<InputEvent>,
    /// (conversation id, its packets).
    on_pick: Callback<(u64, u64)>,
    /// Asks for this many rows.
    on_more: Callback<usize>,
}

#[derive(Properties, PartialEq)]
struct RowProps {
    row: Rc<ConvRow>,
    on: bool,
    lang: Lang,
    on_pick: Callback<(u64, u64)>,
}

/// One conversation; its own component so a click re-renders two rows, not the whole table.
#[component]
fn ConvRowView(p: &RowProps) -> Html {
    let r = &*p.row;
    let pick = {
        let cb = p.on_pick.clone();
        let (id, packets) = (r.id, r.packets);
        Callback::from(move |_: MouseEvent| cb.emit((id, packets)))
    };
    html! {
        <tr class={classes!(p.on.then_some("on"), r.has_trouble.then_some("trouble"))}
            data-testid={format!("conv-{}", r.id)} onclick={pick.clone()}>
            <td class="mono">{ r.id }</td>
            <td>{ r.proto.to_ascii_uppercase() }</td>
            <td class="mono">{ r.a.clone() }</td>
            <td class="mono">{ r.b.clone() }</td>
            <td class="num">{ r.packets }</td>
            <td class="num">{ format::bytes(r.bytes) }</td>
            <td class="num">{ format::duration_us(r.duration_us) }</td>
            <td>{ format::progress_name(&r.progress, p.lang) }</td>
            <td class="marks">{ r.marks.iter().map(|m| format::mark_name(m, p.lang)).collect::<Vec<_>>().join(", ") }</td>
            <td><button class="case" aria-pressed={p.on.to_string()} onclick={pick}>
                { T::new("查看", "View").get(p.lang) }</button></td>
        </tr>
    }
}

/// The conversation list (like Wireshark's Statistics → Conversations) and the reader's
/// problems. Rows are the worker's `ConversationRow` JSON.
#[component]
fn CaptureTable(p: &TableProps) -> Html {
    let lang = p.lang;
    let s = &p.view.summary;
    let problems = &s.problems;
    let suppressed = s.problems_suppressed;
    let summary = match lang {
        Lang::Zh => format!(
            "{}：{} 帧，{} 个 TCP/UDP 包，{} 个会话",
            p.view.name, s.frames, s.packets, s.conversations
        ),
        Lang::En => format!(
            "{}: {}, {}, {}",
            p.view.name,
            count(s.frames, "frame"),
            count(s.packets, "TCP/UDP packet"),
            count(s.conversations, "conversation")
        ),
    };
    let partial = s.partial;
    let problem_list = (!problems.is_empty()).then(|| {
        html! {
            <div class={classes!("notice", if partial { "error" } else { "warn" })} data-testid="open-problems">
                <strong>{ if partial {
                    T::new("文件没能读完，下面是读到的部分：", "The file could not be read to the end; below is what was read:").get(lang)
                } else {
                    T::new("读取时的警告：", "Warnings while reading:").get(lang)
                } }</strong>
                <ul>
                    { for problems.iter().map(|pr| html! {
                        <li data-what={problems::what(&pr.detail)}>
                            <span class="mono">{ format::problem_place(&pr.location, lang) }</span>
                            { " — " }{ problems::problem_text(&pr.detail, lang) }
                        </li>
                    }) }
                    if suppressed > 0 {
                        <li>{ format!("… +{suppressed}") }</li>
                    }
                </ul>
            </div>
        }
    });
    let rows = p.view.rows.iter().map(|r| {
        html! { <ConvRowView key={r.id} row={r.clone()} on={p.view.selected == Some(r.id)} {lang}
        on_pick={p.on_pick.clone()} /> }
    });
    let shown = p.view.rows.len() as u64;
    let more = (shown < p.view.total_rows).then(|| {
        let next = shown as usize + PAGE;
        let cb = p.on_more.clone();
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(next));
        html! {
            <p class="open-more" data-testid="open-more">
                <span class="muted">{ match lang {
                    Lang::Zh => format!("显示了 {shown} / {} 个会话；用筛选缩小范围，或", p.view.total_rows),
                    Lang::En => format!("Showing {shown} of {} conversations; narrow them with the filter, or", p.view.total_rows),
                } }</span>{" "}
                <button class="case" data-testid="open-more-button" {onclick}>
                    { match lang {
                        Lang::Zh => format!("再显示 {} 个", (p.view.total_rows - shown).min(PAGE as u64)),
                        Lang::En => format!("show {} more", (p.view.total_rows - shown).min(PAGE as u64)),
                    } }
                </button>
            </p>
        }
    });
    html! {
        <section class="open-capture" data-testid="open-capture">
            <p data-testid="open-summary">{ summary }</p>
            { for problem_list }
            <label class="open-filter">
                <span>{ T::new("筛选", "Filter") .get(lang) }</span>
                <input type="search" data-testid="open-filter" oninput={p.on_filter.clone()}
                    placeholder="10.0.0.1 port 80 rst · :443 retrans · udp · trouble" />
            </label>
            if let Some(e) = &p.view.filter_error {
                <p class="notice error mono" role="alert" data-testid="open-filter-error">{ e.clone() }</p>
            }
            // A box of its own (static/full/open.css): with a page of rows, the ladder of the picked
            // conversation stays a short scroll away.
            <div class="table-scroll open-conversations-wrap">
                <table class="conv-table" data-testid="open-conversations">
                    <thead><tr>
                        <th>{"#"}</th>
                        <th>{ T::new("协议", "Proto").get(lang) }</th>
                        <th>{ T::new("地址 A", "Address A").get(lang) }</th>
                        <th>{ T::new("地址 B", "Address B").get(lang) }</th>
                        <th>{ T::new("包", "Packets").get(lang) }</th>
                        <th>{ T::new("字节", "Bytes").get(lang) }</th>
                        <th>{ T::new("时长", "Duration").get(lang) }</th>
                        <th>{ T::new("最远状态", "Furthest state").get(lang) }</th>
                        <th>{ T::new("问题标记", "Trouble").get(lang) }</th>
                        <th></th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            { for more }
            if p.view.rows.is_empty() {
                <p class="muted" data-testid="open-no-rows">{ T::new("没有会话。", "No conversations.").get(lang) }</p>
            }
        </section>
    }
}

/// "1 frame", "2 frames": an English count with its noun.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Fetches a recording's trace and scenario from `./kernel-recordings/<kernel>/<case>`.
async fn load_recording(rec: &str) -> Result<(Trace, Scenario), String> {
    // Only a plain `<kernel>/<case>` path: the name comes from the link.
    let ok = rec.split('/').count() == 2
        && rec
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/'))
        && !rec.contains("..");
    if !ok {
        return Err(format!("not a recording name: {rec}"));
    }
    let base = format!("./kernel-recordings/{rec}");
    let trace = crate::dom::fetch_text(&format!("{base}.trace.json")).await?;
    let scenario = crate::dom::fetch_text(&format!("{base}.scenario.json")).await?;
    let trace = Trace::from_json(&trace)?;
    let scenario = Scenario::from_json(&scenario).map_err(|e| e.to_string())?;
    Ok((trace, scenario))
}
