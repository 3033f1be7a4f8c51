//! Native benchmark: simulated events per second for a bulk transfer under 10 % loss.
//!
//! `cargo run --release -p synack-model --example bench [-- <bytes> <runs>]`
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let bytes: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(4_000_000);
    let runs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    // Warm-up (page faults, allocator).
    let _ = synack_model::bench::bulk_transfer_under_loss(0, bytes / 10);
    let mut events = 0usize;
    let start = Instant::now();
    for seed in 1..=runs {
        let t = synack_model::bench::bulk_transfer_under_loss(seed, bytes);
        events += synack_model::bench::events(&t);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "bulk transfer of {bytes} bytes under 10% loss, {runs} runs: {events} events in {secs:.3} s = {:.0} events/s",
        events as f64 / secs
    );
}
