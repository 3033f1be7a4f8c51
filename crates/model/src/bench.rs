//! Benchmark workloads (timed by `examples/bench.rs` natively and by `cargo xtask bench` in
//! the browser). No clock here: the callers time them.

use crate::presets::{self, Knobs, WindowCase};
use crate::scenario::{Action, Step};
use crate::trace::Trace;

/// A bulk transfer of `bytes` over a 20 ms path with 10 % loss in both directions.
pub fn bulk_transfer_under_loss(seed: u64, bytes: u32) -> Trace {
    let k = Knobs {
        seed,
        loss_pct: 10.0,
        ..Knobs::default()
    };
    let mut s = presets::window(&k, WindowCase::SlowStart);
    s.apps[0].steps = vec![
        Step::now(Action::Connect {
            to: "server:80".into(),
        }),
        Step::now(Action::Send {
            len: bytes,
            message: Some("bulk".into()),
            content: None,
            more: false,
        }),
        Step::now(Action::Close {}),
    ];
    crate::simulate(&s).expect("the bench scenario is valid")
}

/// Simulated events in a trace (what "events per second" counts).
pub fn events(t: &Trace) -> usize {
    t.events.len()
}
