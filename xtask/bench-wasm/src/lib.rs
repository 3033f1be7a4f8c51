//! The model benchmark's workload, shared by the native run (`examples/native.rs`) and the wasm
//! run in headless Chromium (`tests/model.rs`), so both figures measure exactly the same work.
//! The caller brings the clock: `std::time::Instant` natively, `performance.now()` in wasm
//! (std has no clock on wasm32-unknown-unknown).
//!
//! Workload: the TCP-vs-UDP scene with 64 messages each way over a link with 10 % loss, so the
//! run includes retransmissions, RTO backoff and duplicate handling; a different seed per
//! iteration. Figure: simulated trace events per second.

use synack_model::presets::{self, Knobs};
use synack_model::sim::Sim;

/// Runs one simulation and returns the number of trace events it produced.
pub fn one_run(seed: u64) -> u64 {
    let knobs = Knobs {
        latency_ms: 5.0,
        jitter_ms: 1.0,
        loss_pct: 10.0,
        seed,
        ..Knobs::default()
    };
    let scenario = presets::tcp_vs_udp(&knobs, 64);
    let sim = Sim::new(&scenario).expect("the preset scenario is valid");
    sim.run().events.len() as u64
}

/// Runs simulations until `budget_ms` of `now()` time has passed (at least `min_runs`).
/// Returns (runs, events, elapsed milliseconds).
pub fn measure(now: impl Fn() -> f64, budget_ms: f64, min_runs: u64) -> (u64, u64, f64) {
    // Warm-up: caches, allocator, and (in wasm) the engine's tier-up.
    for seed in 0..3 {
        std::hint::black_box(one_run(1_000 + seed));
    }
    let start = now();
    let (mut runs, mut events) = (0u64, 0u64);
    while runs < min_runs || now() - start < budget_ms {
        events += std::hint::black_box(one_run(runs));
        runs += 1;
    }
    (runs, events, now() - start)
}

pub fn report(where_: &str, (runs, events, ms): (u64, u64, f64)) -> String {
    format!(
        "model bench ({where_}): {runs} runs, {events} events in {ms:.0} ms = {:.0} events/s",
        events as f64 / (ms / 1000.0)
    )
}
