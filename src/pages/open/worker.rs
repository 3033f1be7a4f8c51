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

use super::{Action, OpenState};

const LOADER: &str = "./capture_worker_loader.js";
const REQ_OPEN: u32 = 1;
const REQ_LIST: u32 = 2;
const REQ_TRACE: u32 = 3;
const REQ_WIRE: u32 = 4;

pub enum Req {
    List(String),
    Trace(u64),
    /// Compact rows of a big conversation (the canvas ladder).
    Wire(u64),
}

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<(JsValue, Option<js_sys::Array>)>,
    name: String,
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
            ("req", REQ_OPEN.into()),
        ]);
        self.post(msg, Some(js_sys::Array::of1(&bytes)));
    }

    pub fn request(&self, r: Req) {
        let msg = match r {
            Req::List(filter) => obj(&[
                ("kind", "list".into()),
                ("filter", filter.into()),
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
        self.post(msg, None);
    }

    fn post(&self, msg: JsValue, transfer: Option<js_sys::Array>) {
        if let Err(e) = self.ensure_started() {
            let name = self.inner.borrow().name.clone();
            self.dispatch.dispatch(Action::Failed(name, e));
            return;
        }
        let mut inner = self.inner.borrow_mut();
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
                let text = ev.data().as_string().unwrap_or_default();
                on_reply(&inner, &dispatch, &text);
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

/// The answer to a "wire" request, read straight into rows (a 100,000-packet conversation is a
/// few MB of JSON: no intermediate `Value` tree).
#[derive(serde::Deserialize)]
struct WireReply {
    id: u64,
    rows: Vec<[u64; 6]>,
}

fn on_reply(inner: &Rc<RefCell<Inner>>, dispatch: &UseReducerDispatcher<OpenState>, text: &str) {
    // Answers to "wire" requests (REQ_WIRE) are read straight into rows.
    if text.starts_with("{\"req\":4,") {
        if let Ok(w) = serde_json::from_str::<WireReply>(text) {
            dispatch.dispatch(Action::Wire(w.id, w.rows));
            return;
        }
    }
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let name = inner.borrow().name.clone();
            dispatch.dispatch(Action::Failed(
                name,
                format!("bad answer from the worker: {e}"),
            ));
            return;
        }
    };
    match v["kind"].as_str().unwrap_or("") {
        "ready" => {
            let mut i = inner.borrow_mut();
            i.ready = true;
            let queue = std::mem::take(&mut i.queue);
            if let Some(w) = &i.worker {
                for (msg, transfer) in queue {
                    send(w, &msg, transfer.as_ref());
                }
            }
        }
        "progress" => dispatch.dispatch(Action::Progress(
            v["done"].as_u64().unwrap_or(0),
            v["total"].as_u64().unwrap_or(0),
        )),
        "opened" => dispatch.dispatch(Action::CaptureOpened(v)),
        "conversations" => dispatch.dispatch(Action::Rows(
            v["rows"].as_array().cloned().unwrap_or_default(),
        )),
        "trace" => {
            let id = v["id"].as_u64().unwrap_or(0);
            // The worker wrote the trace with `Trace::to_json`; read it back the one way the
            // app reads every trace, so the same validation applies.
            let marks: Vec<u16> = v["marks"]
                .as_array()
                .map(|a| a.iter().map(|m| m.as_u64().unwrap_or(0) as u16).collect())
                .unwrap_or_default();
            match Trace::from_json(&v["trace"].to_string()) {
                Ok(t) => dispatch.dispatch(Action::ConversationTrace(id, t, marks)),
                Err(e) => {
                    let name = inner.borrow().name.clone();
                    dispatch.dispatch(Action::Failed(format!("{name} #{id}"), e));
                }
            }
        }
        "error" => {
            let message = v["message"].as_str().unwrap_or("").to_string();
            if v["req"].as_u64() == Some(REQ_LIST as u64) {
                dispatch.dispatch(Action::FilterError(message));
            } else {
                let name = inner.borrow().name.clone();
                dispatch.dispatch(Action::Failed(name, message));
            }
        }
        _ => {}
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
