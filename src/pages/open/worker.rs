//! The page's side of the `capture_worker` protocol (crates/capture/src/bin/capture_worker.rs).
//!
//! The worker is created on the first capture opened, not before: its wasm is fetched then.
//! Its loader initialises wasm asynchronously and only then listens, so requests are queued
//! here until it says `ready`. Every request carries `req` (1 open, 2 list, 3 trace) so an
//! error can be told apart: a bad filter is shown under the filter box, anything else as the
//! file's error. The worker is terminated when the page unmounts.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use synack_model::trace::Trace;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::prelude::*;

use super::{canvas, perf, Action, ConvRow, OpenState, Summary, PAGE};

const LOADER: &str = "./capture_worker_loader.js";
const REQ_OPEN: u32 = 1;
const REQ_LIST: u32 = 2;
const REQ_TRACE: u32 = 3;
const REQ_WIRE: u32 = 4;

pub enum Req {
    /// The conversations matching a filter, at most this many.
    List(String, usize),
    Trace(u64),
    /// Compact rows of a big conversation (the canvas ladder).
    Wire(u64),
}

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<(JsValue, Option<js_sys::Array>)>,
    name: String,
    /// When each kind of request (index `REQ_*`) was last sent, for the timing marks.
    sent_at: [Option<f64>; 5],
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_error: Option<Closure<dyn FnMut(ErrorEvent)>>,
}

#[derive(Clone)]
pub struct CaptureWorker {
    inner: Rc<RefCell<Inner>>,
    dispatch: UseReducerDispatcher<OpenState>,
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

impl CaptureWorker {
    /// Sends the file's bytes (transferred, not copied) to the worker, starting it if needed.
    pub fn open(&self, name: &str, bytes: JsValue) {
        self.inner.borrow_mut().name = name.to_string();
        let msg = obj(&[
            ("kind", "open".into()),
            ("name", name.into()),
            ("bytes", bytes.clone()),
            ("limit", (PAGE as f64).into()),
            ("req", REQ_OPEN.into()),
        ]);
        self.post(REQ_OPEN, msg, Some(js_sys::Array::of1(&bytes)));
    }

    pub fn request(&self, r: Req) {
        let req = match r {
            Req::List(..) => REQ_LIST,
            Req::Trace(_) => REQ_TRACE,
            Req::Wire(_) => REQ_WIRE,
        };
        let msg = match r {
            Req::List(filter, limit) => obj(&[
                ("kind", "list".into()),
                ("filter", filter.into()),
                ("limit", (limit as f64).into()),
                ("req", REQ_LIST.into()),
            ]),
            Req::Trace(id) => obj(&[
                ("kind", "trace".into()),
                ("id", (id as f64).into()),
                ("req", REQ_TRACE.into()),
            ]),
            Req::Wire(id) => obj(&[
                ("kind", "wire".into()),
                ("id", (id as f64).into()),
                ("req", REQ_WIRE.into()),
            ]),
        };
        self.post(req, msg, None);
    }

    fn post(&self, req: u32, msg: JsValue, transfer: Option<js_sys::Array>) {
        if let Err(e) = self.ensure_started() {
            let name = self.inner.borrow().name.clone();
            self.dispatch.dispatch(Action::Failed(name, e));
            return;
        }
        let mut inner = self.inner.borrow_mut();
        inner.sent_at[req as usize] = Some(perf::clock());
        if !inner.ready {
            inner.queue.push((msg, transfer));
            return;
        }
        if let Some(w) = &inner.worker {
            send(w, &msg, transfer.as_ref());
        }
    }

    fn ensure_started(&self) -> Result<(), String> {
        if self.inner.borrow().worker.is_some() {
            return Ok(());
        }
        let worker = Worker::new(LOADER).map_err(|e| {
            format!(
                "the capture reader could not start: {}",
                e.as_string().unwrap_or_else(|| format!("{e:?}"))
            )
        })?;
        let on_message = {
            let inner = self.inner.clone();
            let dispatch = self.dispatch.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                let received = perf::clock();
                let data = ev.data();
                match data.as_string() {
                    Some(text) => on_reply(&inner, &dispatch, &text, received),
                    None => on_binary(&inner, &dispatch, &data, received),
                }
            })
        };
        let on_error = {
            let inner = self.inner.clone();
            let dispatch = self.dispatch.clone();
            Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
                ev.prevent_default();
                let name = inner.borrow().name.clone();
                dispatch.dispatch(Action::Failed(
                    name,
                    format!("the capture reader stopped: {}", ev.message()),
                ));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut inner = self.inner.borrow_mut();
        inner.worker = Some(worker);
        inner._on_message = Some(on_message);
        inner._on_error = Some(on_error);
        Ok(())
    }
}

fn send(w: &Worker, msg: &JsValue, transfer: Option<&js_sys::Array>) {
    let _ = match transfer {
        Some(t) => w.post_message_with_transfer(msg, t),
        None => w.post_message(msg),
    };
}

/// The answer to a "wire" request: a header (JSON) and the packets as a `Float64Array`, six
/// numbers a packet (see the worker's protocol table), read straight into `canvas::Pkt`s.
fn on_binary(
    inner: &Rc<RefCell<Inner>>,
    dispatch: &UseReducerDispatcher<OpenState>,
    data: &JsValue,
    received: f64,
) {
    #[derive(serde::Deserialize)]
    struct Header {
        id: u64,
        #[serde(default)]
        timing: Value,
    }
    let t = perf::clock();
    let header = js_sys::Reflect::get(data, &"json".into())
        .ok()
        .and_then(|j| j.as_string())
        .and_then(|j| serde_json::from_str::<Header>(&j).ok());
    let rows = js_sys::Reflect::get(data, &"rows".into())
        .ok()
        .and_then(|r| r.dyn_into::<js_sys::Float64Array>().ok());
    let (Some(header), Some(rows)) = (header, rows) else {
        let name = inner.borrow().name.clone();
        dispatch.dispatch(Action::Failed(name, "bad answer from the worker".into()));
        return;
    };
    perf::begin(
        "wire",
        &header.timing,
        received,
        inner.borrow().sent_at[REQ_WIRE as usize],
    );
    let pkts: Vec<canvas::Pkt> = rows
        .to_vec()
        .chunks_exact(6)
        .map(|c| {
            canvas::Pkt::from_row(&[
                c[0] as u64,
                c[1] as u64,
                c[2] as u64,
                c[3] as u64,
                c[4] as u64,
                c[5] as u64,
            ])
        })
        .collect();
    perf::mark("page_parse", perf::clock() - t);
    timed("page_update", || {
        dispatch.dispatch(Action::Wire(header.id, pkts))
    });
}

/// Runs `f` and adds how long it took to the timing marks as `step`.
fn timed<R>(step: &str, f: impl FnOnce() -> R) -> R {
    let t = perf::clock();
    let r = f();
    perf::mark(step, perf::clock() - t);
    r
}

fn on_reply(
    inner: &Rc<RefCell<Inner>>,
    dispatch: &UseReducerDispatcher<OpenState>,
    text: &str,
    received: f64,
) {
    let sent = |req: u32| inner.borrow().sent_at[req as usize];
    /// Conversation rows read straight into the table's fields (no `Value` tree).
    #[derive(serde::Deserialize)]
    struct RowsReply {
        #[serde(default, alias = "conversations")]
        rows: Vec<ConvRow>,
        #[serde(default)]
        total_rows: u64,
        #[serde(default)]
        summary: Summary,
        #[serde(default)]
        timing: Value,
    }
    let t = perf::clock();
    // Answers with rows: "opened" (REQ_OPEN) and "conversations" (REQ_LIST), unless an error.
    let rows_reply = (text.starts_with("{\"req\":1,") || text.starts_with("{\"req\":2,"))
        && !text.contains("\"kind\":\"error\"");
    if rows_reply {
        if let Ok(r) = serde_json::from_str::<RowsReply>(text) {
            let parse = perf::clock() - t;
            let (kind, action) = if text.starts_with("{\"req\":1,") {
                (
                    "open",
                    Action::CaptureOpened(r.summary, r.rows, r.total_rows),
                )
            } else {
                ("list", Action::Rows(r.rows, r.total_rows))
            };
            let req = if kind == "open" { REQ_OPEN } else { REQ_LIST };
            perf::begin(kind, &r.timing, received, sent(req));
            perf::mark("page_parse", parse);
            timed("page_update", || dispatch.dispatch(action));
            return;
        }
    }
    let t = perf::clock();
    let reply: Reply = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let name = inner.borrow().name.clone();
            dispatch.dispatch(Action::Failed(
                name,
                format!("bad answer from the worker: {e}"),
            ));
            return;
        }
    };
    let parse = perf::clock() - t;
    match reply {
        Reply::Ready => {
            let mut i = inner.borrow_mut();
            i.ready = true;
            let queue = std::mem::take(&mut i.queue);
            if let Some(w) = &i.worker {
                for (msg, transfer) in queue {
                    send(w, &msg, transfer.as_ref());
                }
            }
        }
        Reply::Progress { done, total } => dispatch.dispatch(Action::Progress(done, total)),
        Reply::Trace {
            id,
            marks,
            trace,
            timing,
        } => {
            perf::begin("trace", &timing, received, sent(REQ_TRACE));
            perf::mark("page_parse", parse);
            // The worker wrote the trace with `Trace::to_json`; read it back the one way the
            // app reads every trace, so the same validation applies.
            match timed("page_trace", || Trace::from_json(&trace.to_string())) {
                Ok(t) => timed("page_update", || {
                    dispatch.dispatch(Action::ConversationTrace(id, t, marks))
                }),
                Err(e) => {
                    let name = inner.borrow().name.clone();
                    dispatch.dispatch(Action::Failed(format!("{name} #{id}"), e));
                }
            }
        }
        Reply::Error { message, req } => {
            if req == Some(REQ_LIST) {
                dispatch.dispatch(Action::FilterError(message));
            } else {
                let name = inner.borrow().name.clone();
                dispatch.dispatch(Action::Failed(name, message));
            }
        }
    }
}

/// The worker's answers that are not read as rows (`RowsReply`) or binary (`on_binary`): the
/// `kind`s of the protocol table in crates/capture/src/bin/capture_worker.rs. A kind not listed
/// here is a bad answer, said as such.
#[derive(serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Reply {
    Ready,
    Progress {
        done: u64,
        total: u64,
    },
    Trace {
        id: u64,
        /// Expert-mark bits per segment.
        #[serde(default)]
        marks: Vec<u16>,
        trace: Value,
        #[serde(default)]
        timing: Value,
    },
    /// No file opened yet, a filter that does not parse, an unknown conversation.
    Error {
        message: String,
        /// The request it answers (`REQ_*`), when it said.
        #[serde(default)]
        req: Option<u32>,
    },
}

/// The worker handle of the page; the worker itself starts on the first `open`.
#[hook]
pub fn use_capture_worker(dispatch: UseReducerDispatcher<OpenState>) -> CaptureWorker {
    let inner = use_mut_ref(|| Inner {
        worker: None,
        ready: false,
        queue: Vec::new(),
        name: String::new(),
        sent_at: [None; 5],
        _on_message: None,
        _on_error: None,
    });
    {
        let inner = inner.clone();
        use_effect_with((), move |_| {
            move || {
                let mut i = inner.borrow_mut();
                if let Some(w) = i.worker.take() {
                    w.terminate();
                }
                i._on_message = None;
                i._on_error = None;
            }
        });
    }
    CaptureWorker { inner, dispatch }
}
