//! `#/open`: a lab or model trace (JSON) or a real capture (.pcap/.pcapng) in the same player
//! and ladder as the scenes. Files are read in the browser and never uploaded.
//!
//! Trace JSON is parsed here with `Trace::from_json` (already part of the app). Captures go to
//! the `capture_worker` Web Worker (crates/capture), created on the first capture opened so its
//! ~90 KB never count against the first load, and kept for the page's life (filter and
//! conversation requests reuse the parsed file).

pub mod canvas;
pub mod diff;
mod drop;
mod format;
mod perf;
mod problems;
mod side;
mod state;
mod table;
#[cfg(test)]
mod tests;
mod worker;

use synack_model::scenario::Scenario;
use synack_model::trace::Trace;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use self::drop::DropZone;
use self::format::{origin_label, sniff, FileKind};
use self::side::SideBySide;
use self::state::{Action, Big, OpenState, Shown, Status, PAGE};
use self::table::CaptureTable;
use self::worker::{use_capture_worker, CaptureWorker};
use super::use_ready_after_render;
use crate::app::use_shell;
use crate::engine::params::Params;
use crate::engine::player::{Player, PlayerState};
use crate::hooks::use_effect_on;
use crate::i18n::T;
use crate::route::Route;
use synack_capture::protocol::Request;

const NOT_UPLOADED: T = T::new(
    "文件只在你的浏览器里读取，不会上传到任何地方。",
    "Files are read in your browser only; nothing is uploaded anywhere.",
);

#[component]
pub fn OpenPage() -> Html {
    let lang = use_shell().lang;
    let (state, worker) = use_open(lang);
    let (on_filter, on_more, on_pick) = use_table_callbacks(&state, &worker);
    let open_file = {
        let state = state.dispatcher();
        Callback::from(move |file: web_sys::File| {
            wasm_bindgen_futures::spawn_local(read_file(file, state.clone(), worker.clone()));
        })
    };
    let capture = state.capture.as_ref().map(|c| {
        html! { <CaptureTable view={c.clone()} {lang} {on_filter} {on_pick} {on_more} /> }
    });
    html! {
        <div class="page open-page" data-testid={format!("page-{}", Route::Open.id())}>
            <h1>{ Route::Open.title().get(lang) }</h1>
            <p class="route-blurb">{ T::new(
                "打开 synack-lab 在真实内核上记录的实验（JSON），或用 Wireshark / tcpdump 抓的包（.pcap / .pcapng），用和场景相同的时序图来看。",
                "Open a trace that synack-lab recorded on a real kernel (JSON), or a capture from Wireshark or tcpdump (.pcap / .pcapng), and watch it in the same diagrams as the scenes.",
            ).get(lang) }</p>
            <DropZone {lang} on_file={open_file} />
            <p class="muted privacy" data-testid="open-privacy">{ NOT_UPLOADED.get(lang) }</p>
            { status_view(&state.status, lang) }
            { for capture }
            { for state.shown.as_ref().map(|s| shown_view(&state, s, lang)) }
            { for state.big.as_ref().map(|b| big_view(&state, b, lang)) }
        </div>
    }
}

/// The page's state and the capture worker, with the effects that follow them: the language,
/// a link's kernel recording (`#/open?rec=linux-6.18/handshake-normal`, beside the model's run
/// of the same scenario: the scenes link here) and the timing report's "on screen" mark.
#[hook]
fn use_open(lang: crate::i18n::Lang) -> (UseReducerHandle<OpenState>, CaptureWorker) {
    use_ready_after_render();
    let state = use_reducer(move || OpenState::new(lang));
    let d = state.dispatcher();
    use_effect_on(lang, move |l| d.dispatch(Action::Lang(*l)));
    let worker = use_capture_worker(state.dispatcher());
    let d = state.dispatcher();
    use_effect_on((), move |_| {
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
    // After every render: the timing report's "on screen" mark for the list and SVG answers.
    use_effect(|| perf::rendered(&["open", "list", "trace"]));
    (state, worker)
}

/// The table's callbacks (filter typed, more rows, a conversation picked), made once: the
/// worker handle and the dispatcher never change, so the row components' props compare equal
/// and unchanged rows are not re-rendered.
#[hook]
fn use_table_callbacks(
    state: &UseReducerHandle<OpenState>,
    worker: &CaptureWorker,
) -> (Callback<InputEvent>, Callback<usize>, Callback<(u32, u64)>) {
    let filter_text = use_mut_ref(String::new);
    let on_filter = {
        let (worker, filter_text) = (worker.clone(), filter_text.clone());
        use_callback((), move |e: InputEvent, _| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                *filter_text.borrow_mut() = i.value();
                worker.request(Request::List {
                    filter: i.value(),
                    limit: PAGE,
                });
            }
        })
    };
    let on_more = {
        let worker = worker.clone();
        use_callback((), move |limit: usize, _| {
            let filter = filter_text.borrow().clone();
            worker.request(Request::List { filter, limit });
        })
    };
    let on_pick = {
        let (worker, state) = (worker.clone(), state.dispatcher());
        use_callback((), move |(id, packets): (u32, u64), _| {
            state.dispatch(Action::Select(id));
            // Big conversations go to the canvas ladder, which needs only compact rows.
            worker.request(if packets > canvas::LARGE {
                Request::Wire { id }
            } else {
                Request::Trace { id }
            });
        })
    };
    (on_filter, on_more, on_pick)
}

/// A file being read (with its progress) or one that could not be opened.
fn status_view(status: &Status, lang: crate::i18n::Lang) -> Html {
    match status {
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
    }
}

/// A trace or conversation in the player, with "Replay in the model" and the model's run
/// beside it (not for a model trace).
fn shown_view(state: &UseReducerHandle<OpenState>, s: &Shown, lang: crate::i18n::Lang) -> Html {
    let d = Params::defaults("");
    let label = match &state.capture {
        Some(_) => format!("{} {}", origin_label(&s.trace.origin, lang), s.label),
        None => origin_label(&s.trace.origin, lang),
    };
    let on_replay = {
        let (d, on) = (state.dispatcher(), s.model.is_none());
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Replay(on)))
    };
    let replay = if s.model.is_some() {
        T::new("收起模型对照", "Hide the model run")
    } else {
        T::new("在模型里重放", "Replay in the model")
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
                        onclick={on_replay}>
                        { replay.get(lang) }
                    </button>
                </div>
            }
            if let Some(m) = &s.model {
                <SideBySide side={m.clone()} recorded={s.trace.clone()} {lang} />
            }
        </section>
    }
}

/// A conversation too big for the SVG ladder, on the canvas ladder.
fn big_view(state: &OpenState, b: &Big, lang: crate::i18n::Lang) -> Html {
    let name = state
        .capture
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let origin = origin_label(&synack_model::trace::Origin::Capture { file: name }, lang);
    html! {
        <section class="open-trace" data-testid="open-trace">
            <p class="open-origin" data-testid="open-origin">
                <span class="badge">{ T::new("来源", "Origin").get(lang) }</span>{" "}
                { format!("{origin} #{} · {} {}", b.id, b.pkts.len(), T::new("个包", "packets").get(lang)) }
            </p>
            <canvas::CanvasLadder key={format!("big-{}", b.id)} pkts={b.pkts.clone()} names={b.names.clone()} {lang} />
        </section>
    }
}

/// Reads a file chosen or dropped: a trace is parsed here, a capture goes to the worker.
async fn read_file(
    file: web_sys::File,
    state: UseReducerDispatcher<OpenState>,
    worker: CaptureWorker,
) {
    let name = file.name();
    state.dispatch(Action::Reading(name.clone(), file.size() as u64));
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
