// The capture reader's Web Worker (crates/capture/src/bin/capture_worker.rs), started by
// src/pages/open/worker.rs. Trunk's own loader shim (data-loader-shim) passes the wasm path as a
// bare string, which wasm-bindgen's init reports as deprecated on every start; this one passes
// the options object it asks for.
importScripts("./capture_worker.js");
wasm_bindgen({ module_or_path: "./capture_worker_bg.wasm" });
