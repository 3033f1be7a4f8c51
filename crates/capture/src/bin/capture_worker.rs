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
//! | `{kind:"open", name, bytes: ArrayBuffer}` | `{"kind":"progress","done":n,"total":n}` now and then, then `{"kind":"opened","summary":…,"conversations":[…]}` |
//! | `{kind:"list", filter:"port 80 rst"}` | `{"kind":"conversations","rows":[…]}` |
//! | `{kind:"trace", id}` | `{"kind":"trace","id":n,"marks":[bits per segment],"trace":{…}}` |
//! | `{kind:"packets", id}` | `{"kind":"packets","id":n,"rows":[…]}` |
//! | `{kind:"wire", id}` | `{"kind":"wire","id":n,"rows":[[t_us,from_b,flags,len,marks,rel_seq],…]}` (`Session::wire`, for the canvas ladder of big conversations) |
//!
//! Any request may carry `req` (a number); the answer repeats it. Errors (no file opened yet,
//! a filter that does not parse, an unknown conversation) come back as
//! `{"kind":"error","message":"…"}`.

#[cfg(target_arch = "wasm32")]
mod worker {
    use std::cell::RefCell;

    use serde::Serialize;
    use synack_capture::{Filter, Session};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    thread_local! {
        static SESSION: RefCell<Option<(Session, u64)>> = const { RefCell::new(None) };
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
            let mut reply = handle(&s, &msg);
            if let Some(req) = get(&msg, "req").as_f64() {
                // Splice the request number in front of the other fields.
                reply = format!("{{\"req\":{req},{}", &reply[1..]);
            }
            post(&s, &reply);
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

    fn handle(scope: &DedicatedWorkerGlobalScope, msg: &JsValue) -> String {
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
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                let total = bytes.len() as u64;
                let session = Session::open(&bytes, &name, |done| {
                    post(
                        scope,
                        &format!("{{\"kind\":\"progress\",\"done\":{done},\"total\":{total}}}"),
                    );
                });
                let reply = json(&serde_json::json!({
                    "kind": "opened",
                    "summary": session.summary(total),
                    "conversations": session.conversations(&Filter::default()),
                }));
                SESSION.with(|s| *s.borrow_mut() = Some((session, total)));
                reply
            }
            "list" => with_session(|s, _| {
                let text = get(msg, "filter").as_string().unwrap_or_default();
                match Filter::parse(&text) {
                    Ok(f) => json(
                        &serde_json::json!({ "kind": "conversations", "rows": s.conversations(&f) }),
                    ),
                    Err(e) => error(&e),
                }
            }),
            "trace" => with_session(|s, _| {
                let Some(id) = id_of(msg) else {
                    return error("\"trace\" needs a conversation id");
                };
                match s.trace(id) {
                    Ok(t) => format!(
                        "{{\"kind\":\"trace\",\"id\":{id},\"marks\":{},\"trace\":{}}}",
                        json(&s.marks(id).unwrap_or_default()),
                        t.to_json()
                    ),
                    Err(e) => error(&e),
                }
            }),
            "packets" => with_session(|s, _| {
                let Some(id) = id_of(msg) else {
                    return error("\"packets\" needs a conversation id");
                };
                match s.segments(id) {
                    Some(rows) => {
                        json(&serde_json::json!({ "kind": "packets", "id": id, "rows": rows }))
                    }
                    None => error(&format!("there is no conversation {id}")),
                }
            }),
            "wire" => with_session(|s, _| {
                let Some(id) = id_of(msg) else {
                    return error("\"wire\" needs a conversation id");
                };
                match s.wire(id) {
                    Some(rows) => {
                        json(&serde_json::json!({ "kind": "wire", "id": id, "rows": rows }))
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
