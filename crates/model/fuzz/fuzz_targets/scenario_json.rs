//! The scenario reader and the simulator on any text: an error or a trace within the budget,
//! never a panic. The budget is lowered so that one input runs in milliseconds (the default
//! budget is the same code with a bigger number).
#![no_main]

use libfuzzer_sys::fuzz_target;
use synack_model::scenario::Scenario;

/// Events one fuzz input may produce; a run that reaches it must say it was cut short.
const BUDGET: usize = 20_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut sc) = Scenario::from_json(text) else {
        return;
    };
    sc.limits.max_events = sc.limits.max_events.min(BUDGET);
    if let Ok(t) = synack_model::simulate(&sc) {
        // A handful of events may follow the check that stops a run; never thousands.
        assert!(t.events.len() <= sc.limits.max_events + 5_000);
        if t.events.len() >= sc.limits.max_events {
            assert!(t.cut_short.is_some(), "a run at its budget says it was cut");
        }
        let back = synack_model::trace::Trace::from_json(&t.to_json());
        assert!(back.is_ok(), "the trace of any run reads back");
    }
});
