//! The model against the real kernel, without privileges: every case recorded by
//! `synack-lab record` (tests/kernel-recordings/linux-<version>/<case>.{scenario,trace}.json)
//! is run through the model and diffed with the same code `synack-lab compare` uses
//! (`synack_model::diff`). Every case's side-by-side table is printed (`cargo test -p
//! synack-model --test kernel_recordings -- --nocapture`).
//!
//! A case must agree with the kernel, unless it is listed in `KNOWN_DEPARTURES` with the
//! differences it still shows (kernel figure vs model figure). A listed difference that no
//! longer shows fails the test too, so the list cannot go stale: when the model is fixed,
//! the entry must go.

use std::path::{Path, PathBuf};

use synack_model::diff::{self, Report, Tolerance};
use synack_model::scenario::Scenario;
use synack_model::trace::Trace;

/// (case, [(text a differing row contains, what it means: kernel vs model)]). A case listed
/// here must still differ, and show each listed difference. The texts name the *model's*
/// figures (its side of the row, or the difference), which are deterministic: re-recording
/// moves the kernel's by the machine's noise, and the entry still holds; fixing the model
/// makes it fail. Figures are from
/// the linux-6.18 recordings (this machine: MTU 1500 → MSS 1460, tcp_rmem max 32 MiB →
/// window scale 10; both are given to the model as profile parameters by the recording).
const SYN_WINDOW: (&str, &str) = (
    "win 64240 vs 65535",
    "SYN window: the kernel rounds its initial window down to a multiple of the MSS, 44 × 1460 \
     = 64240 (tcp_select_initial_window); the model announces 65535",
);
const SYNACK_WINDOW: (&str, &str) = (
    "win 65160 vs 65535",
    "SYN-ACK window: 45 × 1448 = 65160 (the MSS less the 12 timestamp bytes); model 65535",
);
const SCALED_WINDOW: (&str, &str) = (
    "win 63 vs 128",
    "window after the handshake: 63 << 10 (the 64240-byte initial window, scaled), model 128 \
     << 10 (its whole 131072-byte buffer)",
);
const QUICKACK_REQUEST: (&str, &str) = (
    "missing in the model",
    "the kernel ACKs a connection's first data at once (quick-ACK mode, tcp_incr_quickack), \
     before the answer (~60 ms); the model delays that ACK and piggybacks it on the answer",
);
const QUICKACK_ANSWER: (&str, &str) = (
    "120.000 client> . seq=6 ack=6",
    "the client ACKs the 5-byte answer at once (quick-ACK, ~80 ms); the model after its 40 ms \
     delayed-ACK timer (120 ms)",
);
const KNOWN_DEPARTURES: &[(&str, &[(&str, &str)])] = &[
    (
        "handshake-normal",
        &[SYN_WINDOW, SYNACK_WINDOW, SCALED_WINDOW],
    ),
    (
        "handshake-syn-lost",
        &[SYN_WINDOW, SYNACK_WINDOW, SCALED_WINDOW],
    ),
    (
        "handshake-synack-lost",
        &[SYN_WINDOW, SYNACK_WINDOW, SCALED_WINDOW],
    ),
    (
        "handshake-syn-timeout",
        &[
            SYN_WINDOW,
            (
                "3000.000 client> S",
                "SYN retransmissions: the kernel's first 4 are 1 s apart \
                 (tcp_syn_linear_timeouts=4: 0, 1, 2, 3, 4, 5 s); the model backs off at once \
                 (0, 1, 3 s)",
            ),
            (
                "missing in the model",
                "tcp_syn_retries=2 is a time budget (1+2+4 = 7 s, retransmits_timed_out): the \
                 kernel sends 6 SYNs in it, the model 3; both fail connect() with ETIMEDOUT at \
                 ~7 s",
            ),
        ],
    ),
    (
        "teardown-client-first",
        &[
            SYN_WINDOW,
            QUICKACK_REQUEST,
            QUICKACK_ANSWER,
            (
                "270.000 client< . seq=6 ack=7",
                "the kernel delays the ACK of a FIN (~35-55 ms, delayed-ACK timer); the model \
                 ACKs a FIN at once (270 ms), so its FIN-WAIT-2 starts that much earlier",
            ),
        ],
    ),
    (
        "teardown-server-first",
        &[
            SYN_WINDOW,
            QUICKACK_REQUEST,
            QUICKACK_ANSWER,
            (
                "270.000 client> . seq=6 ack=7",
                "the kernel delays the ACK of a FIN by ~40 ms (313 ms); the model ACKs it at \
                 once (270 ms)",
            ),
        ],
    ),
    (
        "teardown-both",
        &[SYN_WINDOW, QUICKACK_REQUEST, QUICKACK_ANSWER],
    ),
    (
        "teardown-abort",
        &[
            SYN_WINDOW,
            QUICKACK_REQUEST,
            QUICKACK_ANSWER,
            (
                "options <TS> vs <>",
                "the kernel's RST+ACK from an abortive close carries the current window (63) \
                 and a timestamp (tcp_send_active_reset); the model's has window 0, no options",
            ),
        ],
    ),
    (
        "teardown-half-close",
        &[
            SYN_WINDOW,
            (
                "100.000 client< . seq=1 ack=6",
                "the request is ACKed at once by the kernel (~63 ms, quick-ACK), by the model \
                 after 40 ms (100 ms)",
            ),
            (
                "170.000 client< . seq=1 ack=7",
                "the model ACKs the client's FIN at once with a segment of its own; the kernel \
                 delays that ACK and it rides on the server's answer (170 ms, P. ack=7)",
            ),
        ],
    ),
    (
        "close-with-unread-data",
        &[
            SYN_WINDOW,
            (
                "100.000 client< . seq=1 ack=6",
                "the 5 bytes are ACKed at once by the kernel (~63 ms, quick-ACK), by the model \
                 after 40 ms",
            ),
            (
                "options <TS> vs <>",
                "the RST for data left unread (tcp_close → tcp_send_active_reset) carries the \
                 window (64) and a timestamp; the model's has window 0, no options",
            ),
        ],
    ),
    ("connect-refused", &[SYN_WINDOW]),
    (
        "backlog-full-syncookies",
        &[
            SYN_WINDOW,
            QUICKACK_REQUEST,
            (
                "100.000 client 1< . seq=1 ack=6",
                "the connection waiting in the accept queue ACKs the client's 5 bytes at once \
                 (~60 ms, quick-ACK); the model 40 ms later",
            ),
            (
                "1780.000 client 3> P.",
                "5 bytes sent into a full accept queue: the kernel's first retransmission is a \
                 tail loss probe (~350 ms, TCPLossProbes), then RTOs at ~600, ~1100, ~2100 ms; \
                 the model has no TLP and retransmits at 340, 820, 1780, 3700 ms",
            ),
        ],
    ),
    (
        "backlog-full-no-syncookies",
        &[
            SYN_WINDOW,
            QUICKACK_REQUEST,
            (
                "1780.000 client 3> P.",
                "as with syncookies: TLP at ~350 ms, then RTOs at ~600, ~1100, ~2100 ms; the \
                 model 340, 820, 1780, 3700 ms",
            ),
        ],
    ),
    (
        "loss-fast-retransmit",
        &[
            SYN_WINDOW,
            (
                "options <TS,sack 2897-4345> vs <TS>",
                "the kernel's duplicate ACKs carry SACK blocks (RFC 2018); the model's carry none",
            ),
            (
                "flags P. vs .",
                "the kernel sets PSH on every second segment of the 10-segment write; the model \
                 only on the last",
            ),
            (
                "missing in the model",
                "the kernel's receiver sends 8 duplicate ACKs for the 8 segments after the hole; \
                 the model 7",
            ),
            (
                "win 67 vs 126",
                "the kernel's advertised window grows as data arrives (tcp_grow_window, 63 to \
                 75 << 10); the model's shrinks from its whole buffer (128 << 10)",
            ),
        ],
    ),
    (
        "loss-tail",
        &[
            SYN_WINDOW,
            (
                "ack 1449 vs 2897",
                "in quick-ACK mode the kernel's receiver ACKs every segment (9 ACKs); the model \
                 every second one (RFC 5681 §4.2), the last delayed 40 ms",
            ),
            (
                "470.000 client> P. seq=13033",
                "the lost last segment: the kernel resends it as a tail loss probe \
                 (TCPLossProbes=1) at ~438 ms; the model waits for its RTO, 470 ms",
            ),
        ],
    ),
    (
        "delayed-ack",
        &[
            SYN_WINDOW,
            (
                "310.000 client< . seq=1 ack=101",
                "a fresh connection's first data is ACKed at once (quick-ACK mode, ~270 ms); the \
                 model delays it 40 ms (310 ms)",
            ),
            (
                "610.000 client< . seq=1 ack=201",
                "and the second request too (~570 ms vs 610 ms): the kernel is still in \
                 quick-ACK mode",
            ),
        ],
    ),
    (
        "delayed-ack-no-reader",
        &[
            SYN_WINDOW,
            (
                "310.000 client< . seq=1 ack=101",
                "with nobody reading the kernel still ACKs both requests at once (~270, ~570 \
                 ms): quick-ACK mode at connection start (tcp_incr_quickack), not a reader's \
                 tcp_cleanup_rbuf ACK; the model delays both by 40 ms",
            ),
        ],
    ),
];

fn recordings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/kernel-recordings")
}

/// (kernel folder, case name) of every recording, sorted.
fn cases() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(kernels) = std::fs::read_dir(recordings()) else {
        return out;
    };
    for k in kernels.flatten() {
        let Ok(files) = std::fs::read_dir(k.path()) else {
            continue;
        };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if let Some(case) = name.strip_suffix(".scenario.json") {
                out.push((
                    k.file_name().to_string_lossy().into_owned(),
                    case.to_string(),
                    k.path(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn diff_case(dir: &Path, case: &str) -> (Scenario, Report) {
    let read = |ext: &str| {
        let p = dir.join(format!("{case}.{ext}"));
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let scenario = Scenario::from_json(&read("scenario.json"))
        .unwrap_or_else(|e| panic!("{case}.scenario.json: {e}"));
    let kernel: Trace =
        Trace::from_json(&read("trace.json")).unwrap_or_else(|e| panic!("{case}.trace.json: {e}"));
    let model = synack_model::simulate(&scenario).unwrap_or_else(|e| panic!("{case}: {e}"));
    let report = diff::diff(
        &kernel,
        &model,
        Some(scenario.limits.max_time_us),
        Tolerance::default(),
    );
    (scenario, report)
}

#[test]
fn the_model_does_what_the_recorded_kernel_did_except_the_listed_departures() {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no kernel recordings under {} (run `synack-lab record` as root)",
        recordings().display()
    );
    let mut failures = Vec::new();
    let mut passed = 0;
    for (kernel, case, dir) in &cases {
        let (sc, report) = diff_case(dir, case);
        println!("== {kernel}/{case}: {}\n{}", sc.description, report.table());
        let known = KNOWN_DEPARTURES.iter().find(|(c, _)| c == case);
        match (known, report.passes()) {
            (None, true) => passed += 1,
            (None, false) => failures.push(format!(
                "{kernel}/{case}: the model departs from the kernel: {}",
                report.verdict()
            )),
            (Some(_), true) => failures.push(format!(
                "{kernel}/{case}: the model now agrees with the kernel; remove the case from \
                 KNOWN_DEPARTURES"
            )),
            (Some((_, listed)), false) => {
                for (text, meaning) in listed.iter() {
                    let shown = report.rows.iter().filter(|r| !r.agrees()).any(|r| {
                        format!(
                            "{} | {} | {}",
                            r.kernel.as_deref().unwrap_or("—"),
                            r.model.as_deref().unwrap_or("—"),
                            r.differences.join("; ")
                        )
                        .contains(text)
                    });
                    if !shown {
                        failures.push(format!(
                            "{kernel}/{case}: no longer shows {text:?} ({meaning}); remove it \
                             from KNOWN_DEPARTURES"
                        ));
                    }
                }
            }
        }
    }
    println!(
        "{passed} of {} recorded cases pass; {} listed as known departures",
        cases.len(),
        KNOWN_DEPARTURES.len()
    );
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn every_known_departure_names_a_recorded_case() {
    let cases = cases();
    for (case, listed) in KNOWN_DEPARTURES {
        assert!(
            cases.iter().any(|(_, c, _)| c == case),
            "KNOWN_DEPARTURES lists {case:?}, which has no recording"
        );
        assert!(!listed.is_empty(), "{case}: list what still differs");
    }
}
