//! Any bytes through the whole import: read → analyze → trace for the first conversations.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cap = synack_capture::read(data);
    let an = synack_capture::analyze(&cap.packets);
    for c in an.conversations.iter().take(4) {
        let t = synack_capture::to_trace::conversation_trace(&cap, &an, c.id, "fuzz")
            .expect("every listed conversation converts");
        let _ = t.view_at(t.duration_us / 2);
    }
});
