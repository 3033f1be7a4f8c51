importScripts('capture_worker.js');
wasm_bindgen('capture_worker_bg.wasm');
