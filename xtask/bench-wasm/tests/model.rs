//! The model benchmark as wasm in headless Chromium: `cargo xtask bench` runs it with
//! `cargo test --profile bench --target wasm32-unknown-unknown -p synack-bench-wasm --test model -- --nocapture`.
//! It prints a figure and never fails on timing.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The web app's allocator (see the root `src/lib.rs`): dlmalloc, the allocator of Rust's wasm32
/// std, compiled with this build's settings (the `bench` profile, like the model). Without it
/// the benchmark would time the std copy that our wasm32 sysroot compiles for size.
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

#[wasm_bindgen_test]
fn model_events_per_second_in_chromium() {
    let result = synack_bench_wasm::measure(now, 3000.0, 5);
    console_log!(
        "{}",
        synack_bench_wasm::report("wasm, headless Chromium", result)
    );
    assert!(result.1 > 0, "the workload produced no events");
}
