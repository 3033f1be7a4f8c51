//! Property tests: random seeds and hostile networks.
//!
//! Case counts are kept small so that `cargo test -p synack-model --release` stays well
//! under a minute on two cores; raise them with PROPTEST_CASES for a longer soak.
mod common;

use common::cases;
use proptest::prelude::*;
use synack_model::presets::{self, Knobs};
use synack_model::profile::ProfileId;
use synack_model::scenario::{Action, LinkSpec, Scenario, Step};
use synack_model::seq::SeqNumber;
use synack_model::trace::{AppResult, EventKind, PayloadSpan, Snapshot, Trace};

/// One of the presets, chosen by two numbers: `which` family, `case` in it.
fn preset(k: &Knobs, which: usize, case: usize) -> Scenario {
    match which {
        0 => presets::handshake(
            k,
            presets::HandshakeCase::ALL[case % presets::HandshakeCase::ALL.len()],
        ),
        1 => presets::teardown(
            k,
            presets::TeardownCase::ALL[case % presets::TeardownCase::ALL.len()],
        ),
        2 => presets::sticky(
            k,
            presets::StickyCase::ALL[case % 4],
            presets::StickyFix::ALL[case % 5],
        ),
        3 => presets::window(
            k,
            presets::WindowCase::ALL[case % presets::WindowCase::ALL.len()],
        ),
        4 => presets::udp(k, presets::UdpCase::ALL[case % presets::UdpCase::ALL.len()]),
        _ => presets::backlog(k, &presets::BacklogKnobs::default()),
    }
}

fn hostile(loss: f64, dup: f64, reorder: f64, jitter_ms: u64) -> LinkSpec {
    LinkSpec {
        latency_us: 10_000,
        jitter_us: jitter_ms * 1000,
        loss_pct: loss,
        duplicate_pct: dup,
        reorder_pct: reorder,
        ..LinkSpec::default()
    }
}

/// The client sends `msgs` (lengths) then closes; the server reads to EOF.
fn transfer(seed: u64, link: LinkSpec, msgs: &[u32], rcvbuf: Option<u32>) -> Scenario {
    let k = Knobs {
        seed,
        ..Knobs::default()
    };
    let mut s = presets::window(&k, presets::WindowCase::SlowStart);
    s.network.default = link;
    s.sockets[1].recv_buffer = rcvbuf;
    let mut steps = vec![Step::now(Action::Connect {
        to: "server:80".into(),
    })];
    for (i, len) in msgs.iter().enumerate() {
        steps.push(Step::now(Action::Send {
            len: *len,
            message: Some(format!("m{i}")),
            content: None,
            more: false,
        }));
    }
    steps.push(Step::now(Action::Close {}));
    s.apps[0].steps = steps;
    s
}

/// What the server application read, as spans, and how its last read ended.
fn received(t: &Trace) -> (Vec<PayloadSpan>, Option<AppResult>) {
    let conn = t.sockets.iter().find(|s| s.label == "conn").map(|s| s.id);
    let mut spans: Vec<PayloadSpan> = Vec::new();
    let mut last = None;
    for e in &t.events {
        if let EventKind::AppReturn { socket, result, .. } = &e.kind {
            if Some(*socket) == conn {
                if let AppResult::Data { payload, .. } = result {
                    for p in payload {
                        match spans.last_mut() {
                            Some(l) if l.message == p.message && l.end == p.start => l.end = p.end,
                            _ => spans.push(*p),
                        }
                    }
                }
                last = Some(result.clone());
            }
        }
    }
    (spans, last)
}

fn failure_reported(t: &Trace) -> bool {
    t.events.iter().any(|e| {
        matches!(
            &e.kind,
            EventKind::AppReturn {
                result: AppResult::Error { .. },
                ..
            } | EventKind::SocketError { .. }
        )
    })
}

proptest! {
    #![proptest_config(cases(64))]

    /// Every byte is delivered exactly once and in order, or a failure is reported: never a
    /// corrupt or silently partial stream.
    #[test]
    fn tcp_delivers_exactly_once_in_order_or_fails(
        seed in any::<u64>(),
        loss in 0.0f64..50.0,
        dup in 0.0f64..10.0,
        reorder in 0.0f64..20.0,
        jitter in 0u64..20,
        msgs in prop::collection::vec(1u32..6000, 1..6),
        small_buffer in any::<bool>(),
    ) {
        let s = transfer(seed, hostile(loss, dup, reorder, jitter), &msgs, small_buffer.then_some(3000));
        let t = synack_model::simulate(&s).unwrap();
        let (spans, last) = received(&t);
        // In order, no gaps, no repeats: message by message, from byte 0.
        let mut expect_msg = 0usize;
        let mut at = 0u32;
        for sp in &spans {
            if sp.message.0 as usize != expect_msg {
                prop_assert_eq!(at, msgs[expect_msg], "message {} cut short", expect_msg);
                expect_msg += 1;
                at = 0;
            }
            prop_assert_eq!(sp.message.0 as usize, expect_msg);
            prop_assert_eq!(sp.start, at);
            at = sp.end;
        }
        let complete = spans.len() >= msgs.len() && expect_msg == msgs.len() - 1 && at == msgs[msgs.len() - 1];
        match last {
            Some(AppResult::Eof) => prop_assert!(complete, "EOF before all bytes arrived"),
            _ => prop_assert!(complete || failure_reported(&t) || t.duration_us >= s.limits.max_time_us,
                "incomplete without a reported failure"),
        }
    }

    /// UDP never merges or splits a datagram, whatever the network does to it.
    #[test]
    fn udp_never_merges_or_splits(
        seed in any::<u64>(),
        loss in 0.0f64..50.0,
        dup in 0.0f64..20.0,
        reorder in 0.0f64..30.0,
        lens in prop::collection::vec(1u32..1400, 1..12),
    ) {
        let k = Knobs { seed, ..Knobs::default() };
        let mut s = presets::udp(&k, presets::UdpCase::Boundaries);
        s.network.default = hostile(loss, dup, reorder, 5);
        s.apps[0].steps = lens.iter().enumerate().map(|(i, l)| Step::now(Action::SendTo {
            to: "server:9000".into(), len: *l, message: Some(format!("d{i}")),
        })).collect();
        s.apps[1].steps = (0..lens.len() * 2).map(|_| Step::at(1_000_000, Action::Recv { max: 2048 })).collect();
        let t = synack_model::simulate(&s).unwrap();
        for e in &t.events {
            if let EventKind::AppReturn { result: AppResult::Data { len, payload, truncated, .. }, .. } = &e.kind {
                prop_assert_eq!(payload.len(), 1);
                let p = payload[0];
                prop_assert_eq!(p.start, 0);
                prop_assert_eq!(p.end, lens[p.message.0 as usize]);
                prop_assert_eq!(*len, p.end);
                prop_assert!(truncated.is_none());
            }
        }
    }

    /// Same scenario, same trace, byte for byte; and jumping to any time through the
    /// snapshots gives what replaying from the start gives.
    #[test]
    fn deterministic_and_snapshots_agree_with_replay(
        seed in any::<u64>(),
        loss in 0.0f64..30.0,
        at_frac in 0.0f64..1.0,
    ) {
        let s = transfer(seed, hostile(loss, 5.0, 5.0, 3), &[20_000, 500], None);
        let a = synack_model::simulate(&s).unwrap().to_json();
        let b = synack_model::simulate(&s).unwrap().to_json();
        prop_assert!(a == b);
        let t = Trace::from_json(&a).unwrap();
        let at = (t.duration_us as f64 * at_frac) as u64;
        let mut replay = Snapshot::default();
        for e in t.events.iter().take_while(|e| e.t <= at) {
            replay.apply(e);
        }
        replay.t = at;
        prop_assert_eq!(t.view_at(at), replay);
    }

    /// Any preset with any knobs runs without panicking and ends.
    #[test]
    fn presets_never_panic(
        seed in any::<u64>(),
        latency in 0.0f64..500.0,
        jitter in 0.0f64..100.0,
        loss in 0.0f64..100.0,
        which in 0usize..6,
        case in 0usize..6,
    ) {
        let k = Knobs { latency_ms: latency, jitter_ms: jitter, loss_pct: loss, seed, ..Knobs::default() };
        let t = synack_model::simulate(&preset(&k, which, case)).unwrap();
        // Every segment sent gets exactly one arrival or drop.
        let mut open = std::collections::BTreeMap::new();
        for e in &t.events {
            match &e.kind {
                EventKind::SegmentSent { id, .. } => { open.insert(*id, 0u32); }
                EventKind::SegmentArrived { id } | EventKind::SegmentDropped { id, .. } => {
                    *open.get_mut(id).expect("sent before") += 1;
                }
                _ => {}
            }
        }
        prop_assert!(open.values().all(|n| *n <= 1));
        prop_assert!(t.events.windows(2).all(|w| w[0].t <= w[1].t));
    }

    /// Every timer the model arms says the timeout it asked for and never fires before it;
    /// without Linux's timer wheel (the RFC profile) it fires exactly then.
    #[test]
    fn timers_say_their_timeout_and_never_fire_before_it(
        seed in any::<u64>(),
        loss in 0.0f64..40.0,
        which in 0usize..6,
        case in 0usize..6,
        rfc in any::<bool>(),
    ) {
        let profile = if rfc { ProfileId::Rfc } else { ProfileId::Linux };
        let k = Knobs { loss_pct: loss, seed, profile, ..Knobs::default() };
        let t = synack_model::simulate(&preset(&k, which, case)).unwrap();
        for e in &t.events {
            if let EventKind::TimerSet { timeout_us, expires_us, .. } = e.kind {
                let d = timeout_us.expect("the model knows every timeout");
                prop_assert!(e.t + d <= expires_us, "at {}: fires at {} before its timeout {}", e.t, expires_us, d);
                if rfc {
                    prop_assert_eq!(e.t + d, expires_us);
                }
            }
        }
    }

    /// Sequence arithmetic across the 2^32 wrap.
    #[test]
    fn seq_arithmetic_wraps(a in any::<u32>(), d in 1u32..(1 << 31)) {
        let x = SeqNumber(a);
        let y = x + d;
        prop_assert!(x.lt(y) && y.gt(x) && x.le(y) && y.ge(x));
        prop_assert_eq!(y - x, d);
        prop_assert_eq!(y - d, x);
        prop_assert_eq!(x.max(y), y);
        prop_assert!((x + (d / 2)).in_range(x, y));
        prop_assert!(!y.in_range(x, y));
    }
}
