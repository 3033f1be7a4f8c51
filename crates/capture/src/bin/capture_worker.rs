//! The capture import as a Web Worker, so a 100 MB file never freezes the page.
//!
//! Built for wasm32 with `--features worker` (Trunk: `data-type="worker"`, see the crate
//! README). The file's bytes are transferred to the worker and never leave the browser.
//!
//! Protocol: the page posts plain objects; the worker answers with JSON *strings* (one parse on
//! the page, and the trace inside is exactly what `Trace::from_json` reads).
//!
//! | page → worker | worker → page |
//! | --- | --- |
//! | (start) | `{"kind":"ready"}` |
//! | `{kind:"open", name, bytes: ArrayBuffer, limit?}` | `{"kind":"progress","done":n,"total":n}` now and then, then `{"kind":"opened","summary":…,"conversations":[…],"total_rows":n}` |
//! | `{kind:"list", filter:"port 80 rst", limit?}` | `{"kind":"conversations","rows":[…],"total_rows":n}` |
//! | `{kind:"trace", id}` | `{"kind":"trace","id":n,"marks":[bits per segment],"trace":{…}}` |
//! | `{kind:"packets", id}` | `{"kind":"packets","id":n,"rows":[…]}` |
//! | `{kind:"wire", id}` | **an object**, not a string: `{json: '{"kind":"wire","id":n,"rows":count}', rows: Float64Array}`, six numbers a packet `[t_us, from_b, flags, len, marks, rel_seq]` (`Session::wire`, for the canvas ladder of big conversations), the array's buffer transferred |
//!
//! `limit` (default [`DEFAULT_LIMIT`]) caps the conversation rows sent; `total_rows` says how many
//! matched. A capture can hold tens of thousands of conversations, and the page shows them a
//! page at a time: sending and parsing all of them is what made opening big files slow.
//!
//! Any request may carry `req` (a number); the answer repeats it. Errors (no file opened yet,
//! a filter that does not parse, an unknown conversation) come back as
//! `{"kind":"error","message":"…"}`.
//!
//! Every answer to a request also carries `"timing":{"copy":ms,"read":ms,…,"sent_at":ms}`: how
//! long each step took in the worker, and when the answer was posted (`performance.timeOrigin +
//! performance.now()`, a clock the page shares), so the page can tell the worker's time from
//! the message's transit and its own parsing and drawing (see src/pages/open/worker.rs).

#[cfg(target_arch = "wasm32")]
mod worker {
    use std::cell::RefCell;

    use serde::Serialize;
    use synack_capture::session::{ConversationRow, Summary};
    use synack_capture::{analyze, read_with_progress, Filter, Session};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    /// Conversation rows sent when a request does not say (`limit`).
    pub const DEFAULT_LIMIT: usize = 200;

    thread_local! {
        static SESSION: RefCell<Option<(Session, u64)>> = const { RefCell::new(None) };
        /// A binary answer being made: the object to post (its `json` is set last) and the
        /// buffer to transfer with it.
        static BINARY: RefCell<Option<(js_sys::Object, js_sys::ArrayBuffer)>> = const { RefCell::new(None) };
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

    /// The steps of one request and how long each took, for the answer's `timing`.
    struct Laps {
        last: f64,
        steps: Vec<(&'static str, f64)>,
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
            self.steps.push((step, now - self.last));
            self.last = now;
        }
        /// `"timing":{"read":12.3,…,"sent_at":…},` (three decimals: µs are plenty).
        fn field(&self) -> String {
            let mut s = String::from("\"timing\":{");
            for (k, v) in &self.steps {
                s.push_str(&format!("\"{k}\":{v:.3},"));
            }
            s.push_str(&format!("\"sent_at\":{:.3}}},", clock()));
            s
        }
    }

    /// The answer to "open", written straight from the rows (no `serde_json::Value` tree in
    /// between: for a file of thousands of conversations that tree cost as much as the rows).
    #[derive(Serialize)]
    struct Opened<'a> {
        kind: &'static str,
        summary: &'a Summary,
        conversations: &'a [ConversationRow],
        total_rows: usize,
    }

    fn limit_of(msg: &JsValue) -> usize {
        get(msg, "limit")
            .as_f64()
            .filter(|v| *v >= 0.0)
            .map_or(DEFAULT_LIMIT, |v| v as usize)
    }

    /// Rows of a list, written straight from the values (100,000 wire rows as a
    /// `serde_json::Value` tree would be 700,000 allocations before a byte is written).
    #[derive(Serialize)]
    struct Rows<'a, T: Serialize> {
        kind: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<u32>,
        rows: &'a [T],
        #[serde(skip_serializing_if = "Option::is_none")]
        total_rows: Option<usize>,
    }

    fn post(scope: &DedicatedWorkerGlobalScope, text: &str) {
        let _ = scope.post_message(&JsValue::from_str(text));
    }

    fn get(obj: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v)
            .unwrap_or_else(|e| format!("{{\"kind\":\"error\",\"message\":{:?}}}", e.to_string()))
    }

    fn error(message: &str) -> String {
        json(&serde_json::json!({ "kind": "error", "message": message }))
    }

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let s = scope.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let msg = ev.data();
            let mut laps = Laps::start();
            let reply = handle(&s, &msg, &mut laps);
            // Splice the request number and the timing in front of the other fields.
            let req = get(&msg, "req")
                .as_f64()
                .map(|r| format!("\"req\":{r},"))
                .unwrap_or_default();
            let reply = format!("{{{req}{}{}", laps.field(), &reply[1..]);
            match BINARY.with(|b| b.borrow_mut().take()) {
                Some((o, buffer)) => {
                    let _ = js_sys::Reflect::set(&o, &"json".into(), &JsValue::from_str(&reply));
                    let _ = s.post_message_with_transfer(&o, &js_sys::Array::of1(&buffer));
                }
                None => post(&s, &reply),
            }
        });
        scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        post(&scope, "{\"kind\":\"ready\"}");
    }

    fn with_session(f: impl FnOnce(&Session, u64) -> String) -> String {
        SESSION.with(|s| match &*s.borrow() {
            Some((session, bytes)) => f(session, *bytes),
            None => error("no capture is open yet"),
        })
    }

    fn id_of(msg: &JsValue) -> Option<u32> {
        get(msg, "id")
            .as_f64()
            .filter(|v| *v >= 0.0 && v.fract() == 0.0)
            .map(|v| v as u32)
    }

    fn handle(scope: &DedicatedWorkerGlobalScope, msg: &JsValue, laps: &mut Laps) -> String {
        let kind = get(msg, "kind").as_string().unwrap_or_default();
        match kind.as_str() {
            "open" => {
                let name = get(msg, "name")
                    .as_string()
                    .unwrap_or_else(|| "capture".into());
                let buf = get(msg, "bytes");
                if !(buf.is_instance_of::<js_sys::ArrayBuffer>()
                    || buf.is_instance_of::<js_sys::Uint8Array>())
                {
                    return error("\"open\" needs the file's bytes as an ArrayBuffer");
                }
                // Drop the previous file first: its packets and the new bytes need not coexist.
                SESSION.with(|s| *s.borrow_mut() = None);
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                let total = bytes.len() as u64;
                laps.lap("copy");
                let capture = read_with_progress(&bytes, |done| {
                    post(
                        scope,
                        &format!("{{\"kind\":\"progress\",\"done\":{done},\"total\":{total}}}"),
                    );
                });
                drop(bytes);
                laps.lap("read");
                let analysis = analyze(&capture.packets);
                laps.lap("analysis");
                let session = Session {
                    file: name,
                    capture,
                    analysis,
                };
                let summary = session.summary(total);
                let rows = session.conversations(&Filter::default());
                laps.lap("rows");
                let reply = json(&Opened {
                    kind: "opened",
                    summary: &summary,
                    conversations: &rows[..rows.len().min(limit_of(msg))],
                    total_rows: rows.len(),
                });
                laps.lap("json");
                SESSION.with(|s| *s.borrow_mut() = Some((session, total)));
                reply
            }
            "list" => with_session(|s, _| {
                let text = get(msg, "filter").as_string().unwrap_or_default();
                match Filter::parse(&text) {
                    Ok(f) => {
                        let rows = s.conversations(&f);
                        laps.lap("rows");
                        let reply = json(&Rows {
                            kind: "conversations",
                            id: None,
                            rows: &rows[..rows.len().min(limit_of(msg))],
                            total_rows: Some(rows.len()),
                        });
                        laps.lap("json");
                        reply
                    }
                    Err(e) => error(&e),
                }
            }),
            "trace" => with_session(|s, _| {
                let Some(id) = id_of(msg) else {
                    return error("\"trace\" needs a conversation id");
                };
                match s.trace(id) {
                    Ok(t) => {
                        laps.lap("trace");
                        let reply = format!(
                            "{{\"kind\":\"trace\",\"id\":{id},\"marks\":{},\"trace\":{}}}",
                            json(&s.marks(id).unwrap_or_default()),
                            t.to_json()
                        );
                        laps.lap("json");
                        reply
                    }
                    Err(e) => error(&e),
                }
            }),
            "packets" => with_session(|s, _| {
                let Some(id) = id_of(msg) else {
                    return error("\"packets\" needs a conversation id");
                };
                match s.segments(id) {
                    Some(rows) => json(&Rows {
                        kind: "packets",
                        id: Some(id),
                        rows: &rows,
                        total_rows: None,
                    }),
                    None => error(&format!("there is no conversation {id}")),
                }
            }),
            "wire" => with_session(|s, _| {
                let Some(id) = id_of(msg) else {
                    return error("\"wire\" needs a conversation id");
                };
                match s.wire(id) {
                    Some(rows) => {
                        laps.lap("rows");
                        // Numbers, not text: 100,000 packets are 4.8 MB of f64 handed over
                        // (transferred, not copied) instead of ~3 MB of JSON to write and parse.
                        // Every value fits an f64 exactly (µs since the conversation's start,
                        // flags, lengths, 16 mark bits, a u32 sequence number).
                        let flat: Vec<f64> = rows.iter().flatten().map(|&v| v as f64).collect();
                        let array = js_sys::Float64Array::from(&flat[..]);
                        laps.lap("pack");
                        let header =
                            format!("{{\"kind\":\"wire\",\"id\":{id},\"rows\":{}}}", rows.len());
                        let o = js_sys::Object::new();
                        let _ = js_sys::Reflect::set(&o, &"rows".into(), &array);
                        BINARY.with(|b| *b.borrow_mut() = Some((o, array.buffer())));
                        header
                    }
                    None => error(&format!("there is no conversation {id}")),
                }
            }),
            other => error(&format!("unknown request {other:?}")),
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("capture_worker is a Web Worker: build it for wasm32-unknown-unknown (Trunk data-type=\"worker\")");
}
