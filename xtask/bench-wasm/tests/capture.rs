//! The capture reader's throughput as wasm in headless Chromium: `cargo xtask bench` runs it
//! with `cargo test --profile bench --target wasm32-unknown-unknown -p synack-bench-wasm
//! --test capture -- --nocapture`. It prints a figure and never fails on timing.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

#[wasm_bindgen_test]
fn capture_read_and_analysis_in_chromium() {
    // 20,000 packets ≈ 22 MB: large enough to time, small enough for the test page's memory.
    let result = synack_bench_wasm::capture_measure(now, 20_000, 5);
    console_log!(
        "{}",
        synack_bench_wasm::capture_report("wasm, headless Chromium", result)
    );
    assert!(result.0 > 1.0, "the synthetic capture is not empty");
}
