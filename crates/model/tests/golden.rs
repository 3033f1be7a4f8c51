//! Golden traces: the JSON of a few presets, checked in under `tests/golden/` and compared
//! byte for byte. A change in the model that changes a trace fails here; if the change is
//! intended, regenerate with `SYNACK_BLESS=1 cargo test -p synack-model --test golden` and
//! review the diff like code.
use std::path::PathBuf;

use synack_model::presets::{
    self, BacklogKnobs, HandshakeCase, Knobs, StickyCase, StickyFix, TeardownCase, UdpCase,
};
use synack_model::scenario::Scenario;

fn golden(name: &str, s: &Scenario) {
    let t = synack_model::simulate(s).expect("runs");
    let text = serde_json::to_string_pretty(&t).unwrap() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"));
    if std::env::var_os("SYNACK_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run with SYNACK_BLESS=1 to create it",
            path.display()
        )
    });
    if want != text {
        let line = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name}: trace differs from {} at line {} (want {:?}, got {:?}); \
             if intended, rerun with SYNACK_BLESS=1",
            path.display(),
            line + 1,
            want.lines().nth(line),
            text.lines().nth(line)
        );
    }
    // The golden file also parses back to the same trace.
    assert_eq!(synack_model::trace::Trace::from_json(&want).unwrap(), t);
}

#[test]
fn handshake_normal() {
    golden(
        "handshake-normal",
        &presets::handshake(&Knobs::default(), HandshakeCase::Normal),
    );
}

#[test]
fn handshake_syn_lost_rfc() {
    let k = Knobs {
        profile: synack_model::profile::ProfileId::Rfc,
        ..Knobs::default()
    };
    golden(
        "handshake-syn-lost-rfc",
        &presets::handshake(&k, HandshakeCase::SynLost),
    );
}

#[test]
fn teardown_last_ack_lost() {
    golden(
        "teardown-last-ack-lost",
        &presets::teardown(&Knobs::default(), TeardownCase::LastAckLost),
    );
}

#[test]
fn sticky_b_with_jitter_and_loss() {
    let k = Knobs {
        jitter_ms: 5.0,
        loss_pct: 10.0,
        seed: 7,
        ..Knobs::default()
    };
    golden(
        "sticky-b-length-prefix",
        &presets::sticky(&k, StickyCase::B, StickyFix::LengthPrefix),
    );
}

#[test]
fn udp_multicast() {
    golden(
        "udp-multicast",
        &presets::udp(&Knobs::default(), UdpCase::Multicast),
    );
}

#[test]
fn backlog_real_capture() {
    let k = Knobs {
        latency_ms: 0.05,
        ..Knobs::default()
    };
    golden(
        "backlog-real-capture",
        &presets::backlog(&k, &BacklogKnobs::real_capture()),
    );
}

#[test]
fn a_timer_without_its_timeout_parses_and_is_written_back_without_one() {
    use synack_model::trace::{Event, EventKind, TimerKind};
    // The lab and a capture know only the time left, and traces written before the field
    // existed have none: both read as `None` and stay as they were.
    let old = r#"{"t":5,"type":"timer_set","socket":0,"timer":"time_wait","expires_us":60005}"#;
    let e: Event = serde_json::from_str(old).unwrap();
    assert_eq!(
        e.kind,
        EventKind::TimerSet {
            socket: synack_model::trace::SocketId(0),
            timer: TimerKind::TimeWait,
            expires_us: 60_005,
            timeout_us: None,
        }
    );
    assert_eq!(serde_json::to_string(&e).unwrap(), old);
}
