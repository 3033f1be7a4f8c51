//! `#/open`: a lab or model trace (JSON) or a real capture (.pcap/.pcapng) in the same player
//! and ladder as the scenes. Files are read in the browser and never uploaded.
//!
//! Trace JSON is parsed here with `Trace::from_json` (already part of the app). Captures go to
//! the `capture_worker` Web Worker (crates/capture), created on the first capture opened so its
//! ~90 KB never count against the first load, and kept for the page's life (filter and
//! conversation requests reuse the parsed file).

mod format;
mod worker;

use serde_json::Value;
use synack_model::trace::Trace;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use self::format::{origin_label, sniff, FileKind};
use self::worker::{use_capture_worker, Req};
use super::use_ready_after_render;
use crate::app::use_shell;
use crate::engine::layout::Ladder;
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
    ladder: Shared<Ladder>,
}

/// The capture side: what the worker reported.
#[derive(Clone, PartialEq, Default)]
pub struct CaptureView {
    name: String,
    summary: Value,
    rows: Vec<Value>,
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

#[derive(Clone, PartialEq, Default)]
pub struct OpenState {
    status: Status,
    shown: Option<Shown>,
    capture: Option<CaptureView>,
    opened: u32,
}

pub enum Action {
    Reading(String, u64),
    Progress(u64, u64),
    Failed(String, String),
    TraceLoaded(String, Trace),
    CaptureOpened(Value),
    Rows(Vec<Value>),
    FilterError(String),
    Select(u64),
    ConversationTrace(u64, Trace),
}

fn show(key: String, mut trace: Trace, lang_free_label: String) -> Shown {
    if trace.snapshots.is_empty() {
        // Lab traces may come without snapshots; the player jumps through them.
        trace.build_snapshots(64);
    }
    let ladder = Shared::new(Ladder::build(&trace, None));
    Shown {
        key,
        label: lang_free_label,
        trace: Shared::new(trace),
        ladder,
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
            Action::Failed(name, message) => s.status = Status::Failed { name, message },
            Action::TraceLoaded(name, trace) => {
                s.opened += 1;
                s.status = Status::Idle;
                s.capture = None;
                s.shown = Some(show(format!("{}-{name}", s.opened), trace, name));
            }
            Action::CaptureOpened(v) => {
                s.opened += 1;
                s.status = Status::Idle;
                s.shown = None;
                let summary = v.get("summary").cloned().unwrap_or(Value::Null);
                s.capture = Some(CaptureView {
                    name: summary["file"].as_str().unwrap_or("").to_string(),
                    rows: v["conversations"].as_array().cloned().unwrap_or_default(),
                    summary,
                    selected: None,
                    filter_error: None,
                });
            }
            Action::Rows(rows) => {
                if let Some(c) = &mut s.capture {
                    c.rows = rows;
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
            Action::ConversationTrace(id, trace) => {
                let name = s
                    .capture
                    .as_ref()
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                s.opened += 1;
                s.shown = Some(show(
                    format!("{}-{name}-{id}", s.opened),
                    trace,
                    format!("{name} #{id}"),
                ));
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
    let state = use_reducer(OpenState::default);
    let worker = use_capture_worker(state.dispatcher());
    let dragging = use_state(|| false);

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
        let on_filter = {
            let worker = worker.clone();
            Callback::from(move |e: InputEvent| {
                if let Some(i) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                {
                    worker.request(Req::List(i.value()));
                }
            })
        };
        let on_pick = {
            let worker = worker.clone();
            let state = state.dispatcher();
            Callback::from(move |id: u64| {
                state.dispatch(Action::Select(id));
                worker.request(Req::Trace(id));
            })
        };
        html! { <CaptureTable view={c.clone()} {lang} {on_filter} {on_pick} /> }
    });

    let player = state.shown.as_ref().map(|s| {
        let d = Params::defaults("");
        let label = match &state.capture {
            Some(_) => format!("{} · {}", origin_label(&s.trace.origin, lang), s.label),
            None => origin_label(&s.trace.origin, lang),
        };
        html! {
            <section class="open-trace" data-testid="open-trace">
                <p class="open-origin" data-testid="open-origin">
                    <span class="badge">{ T::new("来源", "Origin").get(lang) }</span>{" "}{ label }
                    if state.capture.is_none() { <span class="muted">{ format!(" · {}", s.label) }</span> }
                </p>
                <Player key={s.key.clone()} trace={s.trace.clone()} ladder={s.ladder.clone()} {lang}
                    init_t={None::<u64>} speed={d.speed} numbering={d.numbering} view={d.view}
                    autoplay=false on_change={Callback::from(|_: PlayerState| ())}
                    export_name={AttrValue::from("synack-open")}
                    share={Callback::from(|_: bool| crate::dom::current_hash())} />
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
                <span class="muted">{ ".json · .pcap · .pcapng" }</span>
                <input type="file" data-testid="open-input" accept=".json,.pcap,.pcapng,.cap,application/json"
                    onchange={on_input} />
            </label>
            <p class="muted privacy" data-testid="open-privacy">{ NOT_UPLOADED.get(lang) }</p>
            { status }
            { for capture }
            { for player }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TableProps {
    view: CaptureView,
    lang: Lang,
    on_filter: Callback<InputEvent>,
    on_pick: Callback<u64>,
}

/// The conversation list (like Wireshark's Statistics → Conversations) and the reader's
/// problems. Rows are the worker's `ConversationRow` JSON.
#[component]
fn CaptureTable(p: &TableProps) -> Html {
    let lang = p.lang;
    let s = &p.view.summary;
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let problems = s["problems"].as_array().cloned().unwrap_or_default();
    let suppressed = n(&s["problems_suppressed"]);
    let summary = match lang {
        Lang::Zh => format!(
            "{}：{} 帧，{} 个 TCP/UDP 包，{} 个会话",
            p.view.name,
            n(&s["frames"]),
            n(&s["packets"]),
            n(&s["conversations"])
        ),
        Lang::En => format!(
            "{}: {} frames, {} TCP/UDP packets, {} conversations",
            p.view.name,
            n(&s["frames"]),
            n(&s["packets"]),
            n(&s["conversations"])
        ),
    };
    let partial = s["partial"].as_bool().unwrap_or(false);
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
                        <li>
                            <span class="mono">{ format::problem_place(pr["at"].as_str().unwrap_or(""), pr["number"].as_u64(), lang) }</span>
                            { " — " }{ pr["message"].as_str().unwrap_or("") }
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
        let id = n(&r["id"]);
        let on = p.view.selected == Some(id);
        let pick = {
            let cb = p.on_pick.clone();
            Callback::from(move |_: MouseEvent| cb.emit(id))
        };
        let marks: Vec<&str> = r["marks"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        html! {
            <tr class={classes!(on.then_some("on"), r["has_trouble"].as_bool().unwrap_or(false).then_some("trouble"))}
                data-testid={format!("conv-{id}")} onclick={pick.clone()}>
                <td class="mono">{ id }</td>
                <td>{ r["proto"].as_str().unwrap_or("").to_uppercase() }</td>
                <td class="mono">{ r["a"].as_str().unwrap_or("") }</td>
                <td class="mono">{ r["b"].as_str().unwrap_or("") }</td>
                <td class="num">{ n(&r["packets"]) }</td>
                <td class="num">{ format::bytes(n(&r["bytes"])) }</td>
                <td class="num">{ format::duration_us(n(&r["duration_us"])) }</td>
                <td>{ r["progress"].as_str().unwrap_or("").replace('_', " ") }</td>
                <td class="marks">{ marks.join(", ").replace('_', " ") }</td>
                <td><button class="case" aria-pressed={on.to_string()} onclick={pick}>
                    { T::new("查看", "View").get(lang) }</button></td>
            </tr>
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
            <div class="table-scroll">
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
            if p.view.rows.is_empty() {
                <p class="muted" data-testid="open-no-rows">{ T::new("没有会话。", "No conversations.").get(lang) }</p>
            }
        </section>
    }
}
