//! Native benchmark: simulated events per second for a bulk transfer under 10 % loss.
//!
//! `cargo run --release -p synack-model --example bench [-- <bytes> <runs>]`
//!
//! Prints events per wall-clock second and, on Linux, per second of this thread's CPU time
//! (from /proc/thread-self/schedstat), which stays meaningful on a busy shared machine.
use std::time::Instant;

/// Nanoseconds this thread has run on a CPU, if the kernel tells us.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bytes: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(4_000_000);
    let runs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    // Warm-up (page faults, allocator).
    let _ = synack_model::bench::bulk_transfer_under_loss(0, bytes / 10);
    let mut events = 0usize;
    let cpu0 = cpu_ns();
    let start = Instant::now();
    for seed in 1..=runs {
        let t = synack_model::bench::bulk_transfer_under_loss(seed, bytes);
        events += synack_model::bench::events(&t);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "bulk transfer of {bytes} bytes under 10% loss, {runs} runs: {events} events in {secs:.3} s wall = {:.0} events/s",
        events as f64 / secs
    );
    if let (Some(a), Some(b)) = (cpu0, cpu_ns()) {
        let cpu = (b - a) as f64 / 1e9;
        println!(
            "  {cpu:.3} s of CPU = {:.0} events per CPU-second",
            events as f64 / cpu
        );
    }
}
