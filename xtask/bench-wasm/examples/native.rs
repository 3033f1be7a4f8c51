//! `cargo run --profile bench -p synack-bench-wasm --example native`: the workload of `tests/model.rs`
//! natively, for the wasm/native ratio.
use std::time::Instant;

fn main() {
    let t0 = Instant::now();
    let now = || t0.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{}",
        synack_bench_wasm::report("native", synack_bench_wasm::measure(now, 3000.0, 5))
    );
}
