//! The capture import as a Web Worker, so a 100 MB file never freezes the page.
//!
//! Built for wasm32 with `--features worker` (Trunk: `data-type="worker"`, see the crate
//! README). The file's bytes are transferred to the worker and never leave the browser.
//!
//! Protocol: `synack_capture::protocol`, the types the page compiles against too. The page
//! posts `{json: <Ask as JSON>, bytes?: ArrayBuffer}` (the file's bytes with `open`); the
//! worker answers with a `Reply` as JSON text, or, for `wire`, with `{json: <Reply>, rows:
//! Float64Array}` whose buffer is transferred (`protocol::WIRE_FIELDS` numbers a packet:
//! 100,000 packets are 4.8 MB of f64 handed over instead of ~3 MB of JSON to write and parse).
//!
//! `limit` caps the conversation rows sent; `total_rows` says how many matched. A capture can
//! hold tens of thousands of conversations, and the page shows them a page at a time: sending
//! and parsing all of them is what made opening big files slow.
//!
//! Every reply carries `timing`: how long each step took in the worker, and when the answer
//! was posted (`performance.timeOrigin + performance.now()`, a clock the page shares), so the
//! page can tell the worker's time from the message's transit and its own parsing and drawing
//! (see src/pages/open/perf.rs).

#[cfg(target_arch = "wasm32")]
mod worker {
    use std::borrow::Cow;
    use std::cell::RefCell;

    use synack_capture::protocol::{Answer, Ask, Failure, Reply, Request, Timing, WIRE_FIELDS};
    use synack_capture::{analyze, read_from, Filter, Session};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    thread_local! {
        static SESSION: RefCell<Option<(Session, u64)>> = const { RefCell::new(None) };
    }

    /// Milliseconds on the clock the page shares: `performance.timeOrigin + performance.now()`.
    fn clock() -> f64 {
        let perf = get(&js_sys::global(), "performance");
        let origin = get(&perf, "timeOrigin").as_f64().unwrap_or(0.0);
        let now = js_sys::Reflect::get(&perf, &JsValue::from_str("now"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call0(&perf).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        origin + now
    }

    /// The steps of one request and how long each took, for the reply's `timing`.
    struct Laps {
        last: f64,
        steps: Vec<(Cow<'static, str>, f64)>,
    }

    impl Laps {
        fn start() -> Laps {
            Laps {
                last: clock(),
                steps: Vec::new(),
            }
        }
        fn lap(&mut self, step: &'static str) {
            let now = clock();
            self.steps.push((step.into(), now - self.last));
            self.last = now;
        }
        /// The timing as posted: `sent_at` is now, so the page's "transit" includes writing
        /// the reply's JSON.
        fn done(self) -> Timing {
            Timing {
                steps: self.steps,
                sent_at: clock(),
            }
        }
    }

    fn get(obj: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// The reply as JSON. Every field is a plain value, so writing cannot fail; if it ever
    /// did, the page is told so in the protocol's own terms instead of getting nothing.
    fn text(reply: &Reply) -> String {
        serde_json::to_string(reply).unwrap_or_else(|e| {
            let failed = Reply {
                req: reply.req,
                answer: Answer::Failed(Failure::BadRequest {
                    message: format!("the answer could not be written: {e}"),
                }),
                timing: Timing::default(),
            };
            serde_json::to_string(&failed).unwrap_or_default()
        })
    }

    fn post(scope: &DedicatedWorkerGlobalScope, req: Option<u32>, answer: Answer, laps: Laps) {
        let reply = Reply {
            req,
            answer,
            timing: laps.done(),
        };
        let _ = scope.post_message(&JsValue::from_str(&text(&reply)));
    }

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let s = scope.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let msg = ev.data();
            let mut laps = Laps::start();
            let ask = get(&msg, "json")
                .as_string()
                .ok_or_else(|| "a request is an object with its JSON in \"json\"".to_string())
                .and_then(|j| serde_json::from_str::<Ask>(&j).map_err(|e| e.to_string()));
            let (req, answer) = match ask {
                Ok(Ask { req, request }) => (Some(req), handle(&s, &msg, request, &mut laps)),
                Err(message) => (
                    None,
                    Outcome::Text(Answer::Failed(Failure::BadRequest { message })),
                ),
            };
            match answer {
                Outcome::Text(answer) => post(&s, req, answer, laps),
                Outcome::Numbers(answer, numbers) => {
                    let reply = Reply {
                        req,
                        answer,
                        timing: laps.done(),
                    };
                    let o = js_sys::Object::new();
                    let _ = js_sys::Reflect::set(&o, &"json".into(), &text(&reply).into());
                    let _ = js_sys::Reflect::set(&o, &"rows".into(), &numbers);
                    let _ =
                        s.post_message_with_transfer(&o, &js_sys::Array::of1(&numbers.buffer()));
                }
            }
        });
        scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        post(&scope, None, Answer::Ready, Laps::start());
    }

    /// The page's buffer as a stream: each read copies the next bytes into wasm memory.
    struct JsBytes {
        array: js_sys::Uint8Array,
        at: u32,
    }

    impl std::io::Read for JsBytes {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let left = self.array.length() - self.at;
            let n = left.min(u32::try_from(buf.len()).unwrap_or(u32::MAX));
            self.array
                .subarray(self.at, self.at + n)
                .copy_to(&mut buf[..n as usize]);
            self.at += n;
            Ok(n as usize)
        }
    }

    /// An answer, and for `wire` the numbers that go beside it.
    enum Outcome {
        Text(Answer),
        Numbers(Answer, js_sys::Float64Array),
    }

    fn with_session(f: impl FnOnce(&Session) -> Outcome) -> Outcome {
        SESSION.with(|s| match &*s.borrow() {
            Some((session, _)) => f(session),
            None => Outcome::Text(Answer::Failed(Failure::NoCapture)),
        })
    }

    fn failed(f: Failure) -> Outcome {
        Outcome::Text(Answer::Failed(f))
    }

    fn handle(
        scope: &DedicatedWorkerGlobalScope,
        msg: &JsValue,
        request: Request,
        laps: &mut Laps,
    ) -> Outcome {
        match request {
            Request::Open { name, limit } => {
                let buf = get(msg, "bytes");
                if !(buf.is_instance_of::<js_sys::ArrayBuffer>()
                    || buf.is_instance_of::<js_sys::Uint8Array>())
                {
                    return failed(Failure::NoBytes);
                }
                // Drop the previous file first: its packets and the new ones need not coexist.
                SESSION.with(|s| *s.borrow_mut() = None);
                // Read straight from the page's buffer, a chunk at a time: the file is never
                // copied whole into this wasm memory, which would keep its size for good (a
                // wasm memory grows and never shrinks).
                let mut src = JsBytes {
                    array: js_sys::Uint8Array::new(&buf),
                    at: 0,
                };
                let total = src.array.length() as u64;
                let capture = read_from(&mut src, |done| {
                    post(scope, None, Answer::Progress { done, total }, Laps::start());
                });
                drop(src);
                let capture = match capture {
                    Ok(c) => c,
                    Err(e) => {
                        return failed(Failure::Unreadable {
                            message: e.to_string(),
                        })
                    }
                };
                laps.lap("read");
                let analysis = analyze(&capture.packets);
                laps.lap("analysis");
                let session = Session {
                    file: name,
                    capture,
                    analysis,
                };
                let summary = session.summary(total);
                let mut rows = session.conversations(&Filter::default());
                let total_rows = rows.len() as u64;
                rows.truncate(limit);
                laps.lap("rows");
                SESSION.with(|s| *s.borrow_mut() = Some((session, total)));
                Outcome::Text(Answer::Opened {
                    summary,
                    conversations: rows,
                    total_rows,
                })
            }
            Request::List { filter, limit } => with_session(|s| match Filter::parse(&filter) {
                Ok(f) => {
                    let mut rows = s.conversations(&f);
                    let total_rows = rows.len() as u64;
                    rows.truncate(limit);
                    laps.lap("rows");
                    Outcome::Text(Answer::Conversations { rows, total_rows })
                }
                Err(message) => failed(Failure::BadFilter { message }),
            }),
            Request::Trace { id } => with_session(|s| {
                if s.analysis.conversations.len() <= id as usize {
                    return failed(Failure::NoSuchConversation { id });
                }
                match s.trace(id) {
                    Ok(trace) => {
                        laps.lap("trace");
                        Outcome::Text(Answer::Trace {
                            id,
                            marks: s.marks(id).unwrap_or_default(),
                            trace: Box::new(trace),
                        })
                    }
                    Err(message) => failed(Failure::NoTrace { id, message }),
                }
            }),
            Request::Wire { id } => with_session(|s| match s.wire(id) {
                Some(rows) => {
                    laps.lap("rows");
                    let flat: Vec<f64> = rows.iter().flatten().map(|&v| v as f64).collect();
                    debug_assert_eq!(flat.len(), rows.len() * WIRE_FIELDS);
                    let numbers = js_sys::Float64Array::from(&flat[..]);
                    laps.lap("pack");
                    Outcome::Numbers(
                        Answer::Wire {
                            id,
                            packets: rows.len() as u64,
                        },
                        numbers,
                    )
                }
                None => failed(Failure::NoSuchConversation { id }),
            }),
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("capture_worker is a Web Worker: build it for wasm32-unknown-unknown (Trunk data-type=\"worker\")");
}
