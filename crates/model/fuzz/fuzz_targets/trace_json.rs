//! The trace reader on any text, then what a viewer does with what it read: jump to any
//! moment and rebuild the snapshots. No panic, whatever the numbers in the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut t) = synack_model::trace::Trace::from_json(text) else {
        return;
    };
    let _ = t.view_at(0);
    let _ = t.view_at(t.duration_us / 2);
    let _ = t.view_at(u64::MAX);
    t.build_snapshots(1);
    let _ = t.view_at(t.duration_us);
});
