//! Timing marks of the "Open" page, for the benchmark (e2e/bench/open.mjs) and for anyone asking
//! "why is this slow": where the time between choosing a file and seeing it goes.
//!
//! The worker reports its own steps (`timing` in every reply: copy, read, analysis, rows, …
//! and `sent_at`); this side adds the message's transit (which includes the worker writing the
//! reply's JSON), the page's parsing and the time until
//! the result is on screen. The last request's marks are written to `<body data-open-timing>`
//! as `step=ms` pairs (`body` is outside the Yew tree, so no render is needed). Nothing here is
//! asserted by a test: speed is reported by benchmarks.

use std::cell::RefCell;

use synack_capture::protocol::Timing;

/// Milliseconds on the clock the worker shares: `performance.timeOrigin + performance.now()`.
pub fn clock() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.time_origin() + p.now())
        .unwrap_or(0.0)
}

thread_local! {
    /// (request kind, marks) of the request being reported.
    static MARKS: RefCell<(String, Vec<(String, f64)>)> = const { RefCell::new((String::new(), Vec::new())) };
    /// When the answer being reported arrived, until it is on screen.
    static PENDING: RefCell<Option<f64>> = const { RefCell::new(None) };
}

/// Starts the report of a new answer: the worker's steps from its `timing`, then the transit
/// (posted → received on the page) and, if known, the whole wait since the request was sent.
pub fn begin(kind: &str, timing: &Timing, received_at: f64, sent_at: Option<f64>) {
    let mut marks: Vec<(String, f64)> = timing
        .steps
        .iter()
        .map(|(k, v)| (format!("worker_{k}"), *v))
        .collect();
    marks.push(("transit".into(), received_at - timing.sent_at));
    if let Some(s) = sent_at {
        marks.push(("request_to_answer".into(), received_at - s));
    }
    MARKS.with(|m| *m.borrow_mut() = (kind.to_string(), marks));
    PENDING.with(|p| *p.borrow_mut() = Some(received_at));
    flush();
}

/// Called from the effects that run once an answer is in the DOM (the page's, and the canvas
/// ladder's after its first frame): adds `on_screen`, the time from the answer's arrival, once,
/// if the answer being reported is of one of `kinds`.
pub fn rendered(kinds: &[&str]) {
    let ours = MARKS.with(|m| kinds.contains(&m.borrow().0.as_str()));
    if !ours {
        return;
    }
    if let Some(at) = PENDING.with(|p| p.borrow_mut().take()) {
        mark("on_screen", clock() - at);
    }
}

/// Adds one mark of the current report.
pub fn mark(step: &str, ms: f64) {
    MARKS.with(|m| m.borrow_mut().1.push((step.to_string(), ms)));
    flush();
}

fn flush() {
    let text = MARKS.with(|m| {
        let m = m.borrow();
        let mut s = format!("kind={}", m.0);
        for (k, v) in &m.1 {
            s.push_str(&format!(" {k}={}", crate::num::fixed(*v, 1)));
        }
        s
    });
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-open-timing", &text);
    }
}
