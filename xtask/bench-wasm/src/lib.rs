//! The model benchmark's workload, shared by the native run (`examples/native.rs`) and the wasm
//! run in headless Chromium (`tests/model.rs`), so both figures measure exactly the same work
//! and their ratio means something. The caller brings the clock: `std::time::Instant` natively,
//! `performance.now()` in wasm (std has no clock on wasm32-unknown-unknown).
//!
//! Also the capture reader's read + analysis throughput (issue #8), in wasm as the #/open page
//! runs it (in a Web Worker there; the same code).
//!
//! Workload: issue #4's "bulk transfer under 10 % loss" — `synack_model::bench`, 1 MB per run
//! over a 20 ms path losing 10 % in both directions, so every run exercises retransmission, RTO
//! backoff, duplicate ACKs and reassembly; a different seed per run. Figure: simulated trace
//! events per second.

use synack_model::bench;

/// Capture read + analysis, in MB/s of pcap: a synthetic capture of `packets` packets
/// (`synack_capture::synthetic`), read and analysed `runs` times; returns (MB, best ms).
pub fn capture_measure(now: impl Fn() -> f64, packets: usize, runs: u32) -> (f64, f64) {
    let data = synack_capture::synthetic::bulk_pcap(packets);
    let mut best = f64::INFINITY;
    for _ in 0..runs.max(1) {
        let t = now();
        let cap = synack_capture::read(&data);
        let an = synack_capture::analyze(&cap.packets);
        std::hint::black_box((cap.packets.len(), an.conversations.len()));
        best = best.min(now() - t);
    }
    (data.len() as f64 / 1e6, best)
}

/// The line `cargo xtask bench` prints for the capture reader.
pub fn capture_report(where_: &str, (mb, ms): (f64, f64)) -> String {
    format!(
        "capture bench [{where_}]: read + analyze {mb:.1} MB in {ms:.1} ms = {:.0} MB/s",
        mb / (ms / 1000.0)
    )
}

/// Bytes per run: big enough that set-up costs vanish, small enough for ~10 runs a second.
pub const BYTES: u32 = 1_000_000;

/// Runs one simulation and returns the number of trace events it produced.
pub fn one_run(seed: u64) -> u64 {
    bench::events(&bench::bulk_transfer_under_loss(seed, BYTES)) as u64
}

/// Runs simulations until `budget_ms` of `now()` time has passed (at least `min_runs`).
/// Returns (runs, events, elapsed milliseconds).
pub fn measure(now: impl Fn() -> f64, budget_ms: f64, min_runs: u64) -> (u64, u64, f64) {
    // Warm-up: caches, allocator and, in wasm, the engine's tier-up to optimised code.
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

/// One line that `cargo xtask bench` finds by its prefix and reads the rate from.
pub fn report(where_: &str, (runs, events, ms): (u64, u64, f64)) -> String {
    format!(
        "model bench [{where_}]: {runs} runs, {events} events in {ms:.0} ms = {:.0} events/s",
        events as f64 / (ms / 1000.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_is_deterministic_and_not_empty() {
        let a = one_run(7);
        assert!(
            a > 1_000,
            "a 1 MB transfer under loss makes thousands of events, got {a}"
        );
        assert_eq!(a, one_run(7), "same seed, same trace");
    }

    #[test]
    fn report_names_the_rate() {
        let line = report("native", (2, 3_000, 1_500.0));
        assert!(line.ends_with("= 2000 events/s"), "{line}");
    }
}
