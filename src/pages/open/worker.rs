//! The page's side of the `capture_worker` protocol (`synack_capture::protocol`, the types the
//! worker compiles against too; crates/capture/src/bin/capture_worker.rs).
//!
//! The worker is created on the first capture opened, not before: its wasm is fetched then.
//! Its loader initialises wasm asynchronously and only then listens, so requests are queued
//! here until it says `Ready`. Every request carries a number its answer repeats, so a failure
//! can be told apart: a bad filter is shown under the filter box, anything else as the file's
//! error. The worker is terminated when the page unmounts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use synack_capture::protocol::{Answer, Ask, Reply, Request, WIRE_FIELDS};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::prelude::*;

use crate::hooks::use_effect_on;

use super::{canvas, perf, Action, OpenState};

const LOADER: &str = "./capture_worker_loader.js";

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<(JsValue, Option<js_sys::Array>)>,
    name: String,
    /// The number of the last request.
    last_req: u32,
    /// When each request not answered yet was sent (for the timing report).
    sent: HashMap<u32, f64>,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_error: Option<Closure<dyn FnMut(ErrorEvent)>>,
}

#[derive(Clone)]
pub struct CaptureWorker {
    inner: Rc<RefCell<Inner>>,
    dispatch: UseReducerDispatcher<OpenState>,
}

impl CaptureWorker {
    /// Sends the file's bytes (transferred, not copied) to the worker, starting it if needed.
    pub fn open(&self, name: &str, bytes: JsValue) {
        self.inner.borrow_mut().name = name.to_string();
        let request = Request::Open {
            name: name.to_string(),
            limit: super::PAGE,
        };
        self.post(request, Some(bytes));
    }

    pub fn request(&self, r: Request) {
        self.post(r, None);
    }

    fn post(&self, request: Request, bytes: Option<JsValue>) {
        if let Err(e) = self.ensure_started() {
            let name = self.inner.borrow().name.clone();
            self.dispatch.dispatch(Action::Failed(name, e));
            return;
        }
        let mut inner = self.inner.borrow_mut();
        inner.last_req += 1;
        let req = inner.last_req;
        inner.sent.insert(req, perf::clock());
        // Serialising plain values cannot fail; `unwrap_or_default` only keeps a panic out.
        let json = serde_json::to_string(&Ask { req, request }).unwrap_or_default();
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"json".into(), &json.into());
        let transfer = bytes.map(|b| {
            let _ = js_sys::Reflect::set(&msg, &"bytes".into(), &b);
            js_sys::Array::of1(&b)
        });
        if !inner.ready {
            inner.queue.push((msg.into(), transfer));
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
                on_message(&inner, &dispatch, &ev.data(), perf::clock());
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

/// Runs `f` and adds how long it took to the timing marks as `step`.
fn timed<R>(step: &str, f: impl FnOnce() -> R) -> R {
    let t = perf::clock();
    let r = f();
    perf::mark(step, perf::clock() - t);
    r
}

/// One message from the worker: a `Reply` as JSON text, or an object with that text in
/// `json` and, for `Answer::Wire`, the packets' numbers in `rows` (a `Float64Array`).
fn on_message(
    inner: &Rc<RefCell<Inner>>,
    dispatch: &UseReducerDispatcher<OpenState>,
    data: &JsValue,
    received: f64,
) {
    let t = perf::clock();
    let text = data
        .as_string()
        .or_else(|| js_sys::Reflect::get(data, &"json".into()).ok()?.as_string());
    let reply = text
        .ok_or_else(|| "not a text".to_string())
        .and_then(|t| serde_json::from_str::<Reply>(&t).map_err(|e| e.to_string()));
    let parse = perf::clock() - t;
    let name = inner.borrow().name.clone();
    let reply = match reply {
        Ok(r) => r,
        Err(e) => {
            dispatch.dispatch(Action::Failed(
                name,
                format!("bad answer from the worker: {e}"),
            ));
            return;
        }
    };
    let sent = reply.req.and_then(|r| inner.borrow_mut().sent.remove(&r));
    let report = |kind: &str| {
        perf::begin(kind, &reply.timing, received, sent);
        perf::mark("page_parse", parse);
    };
    match reply.answer {
        Answer::Ready => {
            let mut i = inner.borrow_mut();
            i.ready = true;
            let queue = std::mem::take(&mut i.queue);
            if let Some(w) = &i.worker {
                for (msg, transfer) in queue {
                    send(w, &msg, transfer.as_ref());
                }
            }
        }
        Answer::Progress { done, total } => dispatch.dispatch(Action::Progress(done, total)),
        Answer::Opened {
            summary,
            conversations,
            total_rows,
        } => {
            report("open");
            timed("page_update", || {
                dispatch.dispatch(Action::CaptureOpened(summary, conversations, total_rows))
            });
        }
        Answer::Conversations { rows, total_rows } => {
            report("list");
            timed("page_update", || {
                dispatch.dispatch(Action::Rows(rows, total_rows))
            });
        }
        Answer::Trace { id, marks, trace } => {
            report("trace");
            timed("page_update", || {
                dispatch.dispatch(Action::ConversationTrace(id, *trace, marks))
            });
        }
        Answer::Wire { id, packets } => {
            report("wire");
            let t = perf::clock();
            let rows = js_sys::Reflect::get(data, &"rows".into())
                .ok()
                .and_then(|r| r.dyn_into::<js_sys::Float64Array>().ok())
                .map(|r| r.to_vec())
                .filter(|r| r.len() as u64 == packets * WIRE_FIELDS as u64);
            let Some(rows) = rows else {
                dispatch.dispatch(Action::Failed(name, "bad answer from the worker".into()));
                return;
            };
            let pkts: Vec<canvas::Pkt> = rows
                .chunks_exact(WIRE_FIELDS)
                .map(|c| canvas::Pkt::from_row(&std::array::from_fn(|i| c[i] as u64)))
                .collect();
            perf::mark("page_parse", perf::clock() - t);
            timed("page_update", || dispatch.dispatch(Action::Wire(id, pkts)));
        }
        Answer::Failed(failure) => dispatch.dispatch(Action::Refused(name, failure)),
    }
}

/// The worker handle of the page; the worker itself starts on the first `open`.
#[hook]
pub fn use_capture_worker(dispatch: UseReducerDispatcher<OpenState>) -> CaptureWorker {
    let inner = use_mut_ref(|| Inner {
        worker: None,
        ready: false,
        queue: Vec::new(),
        name: String::new(),
        last_req: 0,
        sent: HashMap::new(),
        _on_message: None,
        _on_error: None,
    });
    {
        let inner = inner.clone();
        use_effect_on((), move |_| {
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
