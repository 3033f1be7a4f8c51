//! wasm-bindgen tests of the "Open" page's pure parts: the comparison with the model and the
//! canvas ladder's window maths.

use wasm_bindgen_test::wasm_bindgen_test as test;

use synack_model::presets::{self, HandshakeCase, Knobs, TeardownCase};
use synack_model::trace::{Origin, TcpState, Trace};

use super::canvas::{self, Frame, Pkt, Window};
use super::diff::{self, Pair};
use super::format;
use crate::engine::labels::SegKind;

fn run(k: &Knobs, s: synack_model::scenario::Scenario) -> Trace {
    let _ = k;
    synack_model::simulate(&s).expect("preset runs")
}

fn hs(latency_ms: f64, case: HandshakeCase) -> Trace {
    let k = Knobs {
        latency_ms,
        ..Knobs::default()
    };
    run(&k, presets::handshake(&k, case))
}

#[test]
fn a_trace_agrees_with_itself() {
    let t = hs(20.0, HandshakeCase::Normal);
    let d = diff::diff(&t, &t);
    assert!(d.agree(), "{d:?}");
    assert_eq!(d.pairs.len(), 3);
    assert_eq!(
        d.states_a[0],
        vec![TcpState::SynSent, TcpState::Established]
    );
    assert_eq!(
        d.states_a[1],
        vec![TcpState::SynReceived, TcpState::Established]
    );
}

#[test]
fn steps_know_direction_and_kind() {
    let s = diff::steps(&hs(20.0, HandshakeCase::Normal));
    let kinds: Vec<_> = s.iter().map(|x| (x.dir, x.kind)).collect();
    assert_eq!(
        kinds,
        vec![(0, SegKind::Syn), (1, SegKind::SynAck), (0, SegKind::Ack)]
    );
    assert_eq!(s[1].t, 20_000);
}

#[test]
fn a_lost_syn_shows_as_an_extra_segment_and_late_times() {
    let normal = hs(20.0, HandshakeCase::Normal);
    let lost = hs(20.0, HandshakeCase::SynLost);
    let d = diff::diff(&lost, &normal);
    // The retransmitted SYN is the one extra; the rest is matched but ~1 s late.
    assert_eq!(d.extra(), 1, "{:?}", d.pairs);
    assert_eq!(d.missing(), 0);
    assert!(d.late() >= 2, "{:?}", d.pairs);
    assert!(!d.agree());
    // And the other way round, the model would miss one.
    let back = diff::diff(&normal, &lost);
    assert_eq!(back.missing(), 1);
}

#[test]
fn timing_beyond_the_tolerance_is_flagged_within_it_is_not() {
    let a = hs(20.0, HandshakeCase::Normal);
    let near = hs(20.5, HandshakeCase::Normal);
    let far = hs(40.0, HandshakeCase::Normal);
    assert!(diff::diff(&near, &a).agree());
    let d = diff::diff(&far, &a);
    assert_eq!(d.late(), 2, "{:?}", d.pairs);
    assert!(matches!(
        d.pairs[1],
        Pair::Both {
            dt: 20_000,
            late: true,
            ..
        }
    ));
    // The model's tolerance: 10 ms for short times, 5 % of the later time for long ones.
    assert!(diff::TOLERANCE.agrees(29_000, 20_000));
    assert!(!diff::TOLERANCE.agrees(31_000, 20_000));
    assert!(diff::TOLERANCE.agrees(1_049_000, 1_000_000));
    assert!(!diff::TOLERANCE.agrees(1_060_000, 1_000_000));
}

#[test]
fn replay_picks_the_preset_and_measures_the_delay() {
    let k = Knobs {
        latency_ms: 7.0,
        ..Knobs::default()
    };
    let td = run(&k, presets::teardown(&k, TeardownCase::ServerCloses));
    let r = diff::replay_for(&td);
    assert_eq!(r.preset, "teardown/server-closes");
    assert_eq!(r.rtt_us, Some(14_000));
    assert!((r.knobs.latency_ms - 7.0).abs() < 1e-9);
    assert_eq!(r.knobs.loss_pct, 0.0);
    // Replaying the model's own run gives a run that agrees with it.
    let again = synack_model::simulate(&r.scenario).unwrap();
    assert!(diff::diff(&td, &again).agree());

    let refused = hs(5.0, HandshakeCase::ClosedPort);
    assert_eq!(diff::replay_for(&refused).preset, "handshake/closed-port");

    // The preset follows the packets, whoever recorded them.
    let mut lab = td.clone();
    lab.origin = Origin::Lab {
        experiment: "handshake".into(),
        kernel: "6.1.0".into(),
    };
    assert_eq!(diff::replay_for(&lab).preset, "teardown/server-closes");
    let hs_only = hs(3.0, HandshakeCase::Normal);
    assert_eq!(diff::replay_for(&hs_only).preset, "handshake/normal");
}

fn pkt(t: u64) -> Pkt {
    Pkt {
        t,
        from_b: t % 2 == 1,
        flags: 0x10,
        len: 0,
        marks: 0,
        rel_seq: 0,
    }
}

#[test]
fn zoom_keeps_the_time_under_the_pointer() {
    let full = Window::fit(1_000_000);
    let w = full.zoom(0.25, 0.5, full);
    let at = full.t0 + 0.25 * full.span();
    assert!((w.t0 + 0.25 * w.span() - at).abs() < 1e-6);
    assert!((w.span() - full.span() / 2.0).abs() < 1e-6);
    // Never beyond the whole, never below the minimum span, never outside.
    let out = w.zoom(0.5, 100.0, full);
    assert_eq!(out, full);
    let mut tiny = full;
    for _ in 0..100 {
        tiny = tiny.zoom(1.0, 0.1, full);
    }
    assert!((tiny.span() - canvas::MIN_SPAN_US).abs() < 1e-6);
    assert!(tiny.t1 <= full.t1 + 1e-6);
}

#[test]
fn pan_stops_at_the_ends() {
    let full = Window::fit(1_000_000);
    let w = full.zoom(0.0, 0.1, full);
    assert_eq!(w.t0, 0.0);
    let up = w.pan(-3.0, full);
    assert_eq!(up.t0, 0.0);
    let down = w.pan(1.0, full);
    assert!((down.t0 - w.span()).abs() < 1e-6);
    let end = w.pan(1e9, full);
    assert!((end.t1 - full.t1).abs() < 1e-6);
}

#[test]
fn visible_range_and_bins() {
    let pkts: Vec<Pkt> = (0..100_000u64).map(|i| pkt(i * 10)).collect();
    let w = Window {
        t0: 5_000.0,
        t1: 6_000.0,
    };
    let r = canvas::visible(&pkts, w, 0.0);
    assert_eq!(r, 500..601);
    assert_eq!(canvas::visible(&pkts, w, 100.0), 490..601);
    // 101 packets in 600 px: drawn one by one.
    assert_eq!(canvas::frame(&pkts, w, 600.0, 0.0), Frame::Each(500..601));
    // The whole million µs in 600 px: binned, every packet counted once.
    match canvas::frame(&pkts, Window::fit(1_000_000), 600.0, 0.0) {
        Frame::Bins { bins, rows } => {
            assert_eq!(rows, 600);
            assert_eq!(bins.len(), 1200);
            let n: u32 = bins.iter().map(|b| b.1).sum();
            assert_eq!(n, 100_000);
        }
        f => panic!("expected bins, got {f:?}"),
    }
}

#[test]
fn bins_keep_the_most_telling_kind() {
    let mut pkts: Vec<Pkt> = (0..10_000u64).map(|i| pkt(i * 10)).collect();
    // An RST.
    pkts[5_000].flags = 0x04;
    // A retransmission far enough away to land in another pixel row (one row holds the
    // highest rank only: the RST would hide a retransmission next to it).
    pkts[8_000].marks = 1;
    match canvas::frame(&pkts, Window::fit(100_000), 300.0, 0.0) {
        Frame::Bins { bins, .. } => {
            assert!(bins.iter().any(|b| b.0 == 6));
            assert!(bins.iter().any(|b| b.0 == 5));
        }
        f => panic!("expected bins, got {f:?}"),
    }
    assert_eq!(pkts[5_000].rank(), 6);
    assert_eq!(pkts[8_000].rank(), 5);
}

#[test]
fn ticks_are_round() {
    assert_eq!(canvas::nice_step(3.0), 5.0);
    assert_eq!(canvas::nice_step(120.0), 200.0);
    assert_eq!(canvas::nice_step(1_000.0), 1_000.0);
    assert_eq!(canvas::nice_step(0.0), 1.0);
}

#[test]
fn mark_words() {
    use crate::i18n::Lang;
    assert_eq!(
        canvas::mark_text(1 | (1 << 4), Lang::En),
        "retransmission · dup ACK"
    );
    assert_eq!(canvas::mark_text(1 << 14, Lang::Zh), "RST");
    assert_eq!(canvas::slope_us(&[]), 0.0);
}

#[test]
fn every_capture_mark_and_progress_has_words_in_both_languages() {
    use crate::i18n::Lang;
    use synack_capture::mark;
    // The table's bits are the capture crate's, one for one, in its order.
    assert_eq!(format::MARKS.len(), mark::NAMES.len());
    for (m, (bit, name)) in format::MARKS.iter().zip(mark::NAMES) {
        assert_eq!(m.bit, bit, "{name}");
        let zh = format::mark_words(bit, Lang::Zh, ", ");
        assert!(
            zh.chars().any(|c| c > '\u{2e80}') || zh == "RST",
            "{name}: {zh}"
        );
        assert!(!format::mark_words(bit, Lang::En, ", ").is_empty());
    }
    assert_eq!(
        format::mark_words(mark::RETRANSMISSION | mark::RST, Lang::En, ", "),
        "retransmission, RST"
    );
    use synack_capture::protocol::Progress as P;
    for p in [
        P::SynOnly,
        P::Refused,
        P::Handshaking,
        P::Established,
        P::HalfClosed,
        P::Closed,
        P::Reset,
        P::Datagrams,
    ] {
        let zh = format::progress_name(p, Lang::Zh);
        assert!(zh.chars().any(|c| c > '\u{2e80}'), "{p:?}: {zh}");
        assert!(!format::progress_name(p, Lang::En).contains('_'), "{p:?}");
    }
}

#[test]
fn loopback_captures_get_two_lanes() {
    use synack_model::trace::{EventKind, HostId};
    let mut t = hs(1.0, HandshakeCase::Normal);
    // Fold it onto one host, as a capture of 127.0.0.1 traffic is.
    t.hosts.truncate(1);
    for s in &mut t.sockets {
        s.host = HostId(0);
        if let Some(r) = &mut s.remote {
            r.host = HostId(0);
        }
    }
    for ev in &mut t.events {
        if let EventKind::SegmentSent { segment, .. } = &mut ev.kind {
            segment.src.host = HostId(0);
            segment.dst.host = HostId(0);
        }
    }
    let flat = crate::engine::layout::Ladder::build(&t, None);
    assert!(flat.arrows.iter().all(|a| a.from_lane == a.to_lane));
    super::format::split_loopback(&mut t);
    assert_eq!(t.hosts.len(), 2);
    assert_eq!(t.hosts[1].name, "10.0.0.1:80");
    let l = crate::engine::layout::Ladder::build(&t, None);
    assert!(l.arrows.iter().all(|a| a.from_lane != a.to_lane));
    assert_eq!(l.arrows[0].from_lane, 0);
}
