//! Scene cases whose situation the repository has recorded on a real kernel
//! (`tests/kernel-recordings/`, written by `synack-lab record`; Trunk copies the folder next to
//! the page). A scene links such a case to `#/open?rec=…`, which shows the kernel's run beside
//! the model's run of the very scenario the lab ran, with every difference marked. The lab's
//! scenario has its own timings (a 20 ms wire), so the link says it is the same situation, not
//! the same picture; the `scene-…` recordings are the scene's own scenario at its default knobs
//! (watched for 10 s), recorded where 3 of 3 live compares of it agreed.

/// The kernel the recordings were made on (the folder's name).
pub const KERNEL: &str = "linux-6.18";

macro_rules! recorded {
    ($( ($scene:literal, $case:literal, $file:literal) ),* $(,)?) => {
        /// (scene, case, recording).
        pub const RECORDED: &[(&str, &str, &str)] = &[ $( ($scene, $case, $file) ),* ];

        /// Every listed recording exists and parses (the files are read at compile time).
        #[cfg(test)]
        pub const FILES: &[(&str, &str, &str)] = &[ $(
            (
                $file,
                include_str!(concat!("../../tests/kernel-recordings/linux-6.18/", $file, ".trace.json")),
                include_str!(concat!("../../tests/kernel-recordings/linux-6.18/", $file, ".scenario.json")),
            )
        ),* ];
    };
}

recorded! {
    ("handshake", "normal", "handshake-normal"),
    ("handshake", "syn-lost", "handshake-syn-lost"),
    ("handshake", "syn-ack-lost", "handshake-synack-lost"),
    ("handshake", "closed-port", "connect-refused"),
    ("handshake", "final-ack-lost", "scene-handshake-final-ack-lost"),
    ("handshake", "simultaneous-open", "scene-handshake-simultaneous-open"),
    ("teardown", "client-closes", "teardown-client-first"),
    ("teardown", "server-closes", "teardown-server-first"),
    ("teardown", "simultaneous-close", "teardown-both"),
    ("teardown", "half-close", "teardown-half-close"),
    ("teardown", "abort", "teardown-abort"),
    ("teardown", "last-ack-lost", "scene-teardown-last-ack-lost"),
    ("sticky", "a", "scene-sticky-a"),
    ("sticky", "c", "scene-sticky-c"),
    ("sticky", "d", "scene-sticky-d"),
    ("udp", "boundaries", "scene-udp-boundaries"),
    ("udp", "truncation", "scene-udp-truncation"),
    ("backlog", "overflow", "backlog-full-syncookies"),
    ("window", "fast-retransmit", "loss-fast-retransmit"),
    ("window", "rto-backoff", "retries2-timeout"),
    ("window", "slow-reader", "zero-window"),
    ("window", "nagle-delayed-ack", "scene-window-nagle-delayed-ack"),
}

/// The recording of a scene's case, as `#/open`'s `rec` value (`linux-6.18/handshake-normal`).
pub fn for_case(scene: &str, case: &str) -> Option<String> {
    RECORDED
        .iter()
        .find(|(s, c, _)| *s == scene && *c == case)
        .map(|(_, _, f)| format!("{KERNEL}/{f}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_linked_recording_is_in_the_repository_and_reads() {
        assert_eq!(FILES.len(), RECORDED.len());
        for (name, trace, scenario) in FILES {
            let t = synack_model::trace::Trace::from_json(trace)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!t.events.is_empty(), "{name}");
            let s = synack_model::scenario::Scenario::from_json(scenario)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            synack_model::simulate(&s).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(
            for_case("handshake", "normal").as_deref(),
            Some("linux-6.18/handshake-normal")
        );
        // Sticky case B's wire has jitter and loss, which the lab's wire cannot reproduce.
        assert_eq!(for_case("sticky", "b"), None);
    }
}
