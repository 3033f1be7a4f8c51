//! The trace JSON loader the web app uses for files and links: any text, no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = synack_model::trace::Trace::from_json(text) {
            let _ = t.view_at(t.duration_us);
        }
    }
});
