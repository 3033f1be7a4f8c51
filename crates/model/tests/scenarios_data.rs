//! Data transfer: Nagle, delayed ACK, flow control, loss recovery, congestion control.
mod common;

use common::*;
use synack_model::presets::{self, Knobs, WindowCase};
use synack_model::scenario::{Action, FaultAction, FaultRule, SegmentMatch, Step};
use synack_model::trace::{EventKind, ShutHow, TcpState, TimerKind, Trace};

fn win(case: WindowCase) -> Trace {
    run(&presets::window(&Knobs::default(), case))
}

fn data_packets(t: &Trace, from: &str) -> Vec<String> {
    packets(t)
        .into_iter()
        .filter(|l| {
            l.contains(&format!(" {from}>")) && !l.ends_with("len=0") && !l.ends_with("len=0 LOST")
        })
        .collect()
}

#[test]
fn nagle_holds_small_writes_until_the_delayed_ack() {
    let t = win(WindowCase::NagleDelayedAck);
    assert_eq!(
        data_packets(&t, "client"),
        [
            // A request; the server replies at once (and so becomes interactive).
            "0.040 client>server . seq=1 ack=1 len=100",
            // The first of six 100-byte writes goes at once...
            "0.080 client>server . seq=101 ack=101 len=100",
            // ...the next five wait for its ACK, which the server delays by 40 ms: it is in
            // ping-pong mode (`tcp_event_data_sent`), so no quick ACK. The delayed-ACK timer
            // (10 jiffies) fires on the timer wheel, half a tick late on average.
            "0.162 client>server . seq=201 ack=101 len=500",
        ]
    );
    assert!(packets(&t).contains(&"0.142 server>client . seq=101 ack=201 len=0".to_string()));
    // The first data of the connection, the request, was acknowledged by the reply.
    // The RFC profile delays every ACK 200 ms: the writes wait that long.
    let k = Knobs {
        profile: synack_model::profile::ProfileId::Rfc,
        ..Knobs::default()
    };
    let t = run(&presets::window(&k, WindowCase::NagleDelayedAck));
    assert!(
        data_packets(&t, "client")[2].starts_with("0.320 "),
        "{:#?}",
        data_packets(&t, "client")
    );
}

#[test]
fn without_the_request_linux_quick_acks_and_nagle_waits_only_a_round_trip() {
    // Measured on 6.18: the first data of a connection is ACKed within 0.07 ms (quick-ACK
    // mode, `tcp_incr_quickack`). Six writes on a fresh connection: the five held by Nagle
    // leave one round trip after the first, not after a delayed-ACK timeout.
    let mut s = presets::window(&Knobs::default(), WindowCase::NagleDelayedAck);
    s.apps[0].steps.drain(1..3); // no request, no reply
    s.apps[1].steps.drain(2..4);
    let t = run(&s);
    assert_eq!(
        data_packets(&t, "client"),
        [
            "0.040 client>server . seq=1 ack=1 len=100",
            "0.080 client>server . seq=101 ack=1 len=500",
        ]
    );
}

#[test]
fn no_delay_sends_every_write_at_once() {
    let mut s = presets::window(&Knobs::default(), WindowCase::NagleDelayedAck);
    s.apps[0]
        .steps
        .insert(1, Step::now(Action::SetNoDelay { on: true }));
    let t = run(&s);
    let d = data_packets(&t, "client");
    assert_eq!(d.len(), 7, "{d:#?}");
    assert!(d[1..]
        .iter()
        .all(|l| l.starts_with("0.080 ") && l.ends_with("len=100")));
}

#[test]
fn rfc_nagle_also_holds_behind_full_segments() {
    // Classic Nagle waits while *any* data is unacknowledged; Minshall's (Linux) only while
    // a small segment is. A 2000-byte write (1448 + 552) then a 100-byte write:
    let mk = |profile| {
        let k = Knobs {
            profile,
            ..Knobs::default()
        };
        let mut s = presets::window(&k, WindowCase::NagleDelayedAck);
        s.apps[1].steps.drain(2..4); // the server only reads
        s.apps[0].steps = vec![
            Step::now(Action::Connect {
                to: "server:80".into(),
            }),
            Step::now(Action::send(1448)),
            Step::now(Action::send(100)),
        ];
        run(&s)
    };
    let linux = data_packets(&mk(synack_model::profile::ProfileId::Linux), "client");
    assert_eq!(
        linux,
        [
            "0.040 client>server . seq=1 ack=1 len=1448",
            "0.040 client>server . seq=1449 ack=1 len=100"
        ]
    );
    let rfc = data_packets(&mk(synack_model::profile::ProfileId::Rfc), "client");
    assert_eq!(rfc[0], "0.040 client>server . seq=1 ack=1 len=1448");
    assert!(rfc[1].starts_with("0.2"), "{rfc:#?}"); // waits for the (200 ms) delayed ACK
}

#[test]
fn quick_acks_first_then_an_ack_every_second_segment_or_after_40ms() {
    let t = win(WindowCase::SlowStart);
    let acks: Vec<String> = packets(&t)
        .into_iter()
        .filter(|l| l.contains("server>client . ") && l.starts_with("0.060"))
        .collect();
    // Ten segments of the initial window arrive together. Linux is in quick-ACK mode at
    // the start (up to 16 quick ACKs, `tcp_incr_quickack`): one ACK per segment. Measured on
    // 6.18: six 1448-byte segments, each ACKed within 0.06 ms.
    assert_eq!(acks.len(), 10, "{acks:#?}");
    let conn = socket(&t, "conn");
    let delack = t
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TimerSet { socket, timer: TimerKind::DelayedAck, .. } if socket == conn))
        .count();
    assert!(delack > 0);
}

#[test]
fn slow_start_doubles_the_window_each_round_trip() {
    let t = win(WindowCase::SlowStart);
    let client = socket(&t, "client");
    let cwnds: Vec<(u64, u32)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::WindowChanged { socket, window } if *socket == client => {
                Some((e.t, window.cwnd))
            }
            _ => None,
        })
        .collect();
    let at = |t: u64| {
        cwnds
            .iter()
            .rev()
            .find(|(x, _)| *x <= t)
            .map(|c| c.1)
            .unwrap()
    };
    assert_eq!(at(40_000), 10 * 1448); // IW10 (RFC 6928)
    assert_eq!(at(80_000), 20 * 1448); // +1 MSS per ACKed MSS
    assert_eq!(at(120_000), 40 * 1448);
    let d = data_packets(&t, "client");
    assert_eq!(d.iter().filter(|l| l.starts_with("0.040 ")).count(), 10);
    assert_eq!(d.iter().filter(|l| l.starts_with("0.080 ")).count(), 20);
}

#[test]
fn zero_window_persist_probe_and_window_update() {
    let t = win(WindowCase::SlowReader);
    let p = packets(&t);
    let client = socket(&t, "client");
    let fired: Vec<u64> = t
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TimerFired { socket, timer: TimerKind::Persist } if socket == client))
        .map(|e| e.t)
        .collect();
    assert!(!fired.is_empty());
    // The sender probes (Linux: an ACK carrying snd_una - 1, an old sequence number).
    let when = format!(
        "{}.{:03} client>server",
        fired[0] / 1_000_000,
        (fired[0] % 1_000_000) / 1000
    );
    let probe = p.iter().find(|l| l.starts_with(&when)).expect("a probe");
    assert!(probe.ends_with("len=0"), "{probe}");
    // ...and every byte still arrives, in order.
    let total: u32 = recv_sizes(&t, "conn").iter().sum();
    assert_eq!(total, 16_384);
    let windows: Vec<u32> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } if segment.src.host.0 == 1 => {
                match &segment.header {
                    synack_model::trace::Header::Tcp(h) => Some(h.window as u32),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    // The reader's 4 KB buffer filled: a zero window was advertised.
    assert!(windows.contains(&0));
}

#[test]
fn three_duplicate_acks_trigger_fast_retransmit_before_the_rto() {
    let t = win(WindowCase::FastRetransmit);
    let p = packets(&t);
    let lost = p.iter().position(|l| l.ends_with("LOST")).unwrap();
    assert_eq!(
        p[lost],
        "0.040 client>server . seq=5793 ack=1 len=1448 LOST"
    );
    let dups = p
        .iter()
        .filter(|l| l.contains("server>client . seq=1 ack=5793 len=0"))
        .count();
    assert!(dups >= 4, "{p:#?}"); // the first ACK for 5793, then duplicates
                                  // Retransmitted at 80 ms (one RTT), long before the 240 ms RTO.
    assert!(
        p.contains(&"0.080 client>server . seq=5793 ack=1 len=1448".to_string()),
        "{p:#?}"
    );
    let client = socket(&t, "client");
    let ssthresh_set = t.events.iter().any(|e| {
        matches!(&e.kind, EventKind::WindowChanged { socket, window } if *socket == client && window.ssthresh < u32::MAX)
    });
    assert!(ssthresh_set);
    assert_eq!(recv_sizes(&t, "conn").iter().sum::<u32>(), 100_000);
}

#[test]
fn rto_backs_off_exponentially_during_an_outage() {
    let t = win(WindowCase::RtoBackoff);
    let client = socket(&t, "client");
    let fired: Vec<u64> = t
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TimerFired { socket, timer: TimerKind::Retransmit } if socket == client))
        .map(|e| e.t)
        .collect();
    assert!(fired.len() >= 4, "{fired:?}");
    let gaps: Vec<u64> = fired.windows(2).map(|w| w[1] - w[0]).collect();
    // The RTO doubles in jiffies (61, 122, 244, 488 of 4 ms: SRTT 40 ms + TCP_RTO_MIN and
    // the few µs a kernel RTT sample has beyond the wire, rounded up), and
    // each timer fires on the timer wheel: 2 ms late on average below 63 jiffies, 16 ms in
    // the 8-jiffy buckets of level 1 (kernel/time/timer.c). Measured on 6.18 over the same
    // 40 ms RTT: 248, 509, 991, 1984 ms.
    assert_eq!(
        gaps[..4],
        [246_000, 504_000, 992_000, 1_968_000],
        "{gaps:?}"
    );
    assert_eq!(recv_sizes(&t, "conn").iter().sum::<u32>(), 60_000);
}

#[test]
fn out_of_order_data_is_buffered_then_delivered_in_order() {
    let mut s = presets::window(&Knobs::default(), WindowCase::FastRetransmit);
    s.network.default.reorder_pct = 30.0;
    let t = run(&s);
    let conn = socket(&t, "conn");
    let mut next = 0u32;
    for e in &t.events {
        if let EventKind::AppReturn {
            socket,
            result: synack_model::trace::AppResult::Data { payload, .. },
            ..
        } = &e.kind
        {
            if *socket == conn {
                for sp in payload {
                    assert_eq!(sp.start, next);
                    next = sp.end;
                }
            }
        }
    }
    assert_eq!(next, 100_000);
    let ooo = t.events.iter().any(|e| {
        matches!(&e.kind, EventKind::QueueChanged { socket, queue: synack_model::trace::QueueKind::OutOfOrder, len, .. } if *socket == conn && *len > 0)
    });
    assert!(ooo);
}

#[test]
fn a_cached_ssthresh_ends_slow_start_and_cubic_then_grows_less_than_one_mss_per_round_trip() {
    let t = win(WindowCase::Avoidance);
    let client = socket(&t, "client");
    let w: Vec<(u64, u32, u32)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::WindowChanged { socket, window } if *socket == client => {
                Some((e.t, window.cwnd, window.ssthresh))
            }
            _ => None,
        })
        .collect();
    let mss = 1448;
    // ssthresh is 16 segments from the start (RFC 5681 §3.1 lets it start lower than "high").
    assert!(w.iter().skip(1).all(|x| x.2 == 16 * mss), "{w:?}");
    let at = |t: u64| w.iter().rev().find(|x| x.0 <= t).map(|x| x.1).unwrap();
    // Slow start: IW10, then past ssthresh within the first round trip of ACKs...
    assert_eq!(at(40_000), 10 * mss);
    assert!(at(80_000) >= 16 * mss, "{w:?}");
    // ...then congestion avoidance, CUBIC's before any loss (`bictcp_update`: with no W_max
    // yet, at least one segment per 20 ACKed, about 5 % a round trip): never more than one
    // MSS a round trip, and it does grow.
    let rtts: Vec<u32> = (2..8).map(|i| at(i * 40_000 + 20_000)).collect();
    for p in rtts.windows(2) {
        assert!(p[1] >= p[0] && p[1] - p[0] <= mss, "{rtts:?}");
    }
    assert!(rtts[5] >= rtts[0] + 2 * mss, "{rtts:?}");
    // No loss, no retransmission: all 200 KB arrive.
    assert!(!packets(&t).iter().any(|l| l.ends_with("LOST")));
    assert_eq!(recv_sizes(&t, "conn").iter().sum::<u32>(), 200_000);
}

/// The client connects, sends 10 bytes at 1 s, and every data segment it sends is lost.
/// Returns the times (µs) of its data segments and when it gave up (ETIMEDOUT).
fn blackholed_send(
    latency_ms: f64,
    retries2: u32,
    profile: synack_model::profile::ProfileId,
) -> (Vec<u64>, u64) {
    let k = Knobs {
        latency_ms,
        profile,
        ..Knobs::default()
    };
    let mut s = presets::handshake(&k, presets::HandshakeCase::Normal);
    s.tuning.data_retries = Some(retries2);
    s.apps[1].steps.push(Step::at(1_000_000, Action::send(10)));
    s.faults
        .push(FaultRule::drop("client", SegmentMatch::Data, None));
    let t = run(&s);
    let client = socket(&t, "client");
    let sent: Vec<u64> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. }
                if segment.payload_len > 0
                    && segment.src.host == t.sockets[client.0 as usize].host =>
            {
                Some(e.t)
            }
            _ => None,
        })
        .collect();
    let failed = t
        .events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::SocketError { socket, errno } if *socket == client && errno == "ETIMEDOUT"))
        .map(|e| e.t)
        .expect("the connection times out");
    (sent, failed)
}

#[test]
fn tcp_retries2_is_a_time_budget_counted_from_the_first_retransmission() {
    use synack_model::profile::ProfileId;
    // Linux: tcp_retries2 = 3 is (2^4 - 1) × TCP_RTO_MIN = 3.0 s after the first RTO
    // retransmission, whatever the RTT. Measured on 6.18 (fast veth, the peer dropping by
    // nft): loss probe +0.21 s, first RTO retransmission +0.41 s, then +0.83, +1.66, +3.32 s
    // and ETIMEDOUT at 6.84 s (retries2 = 2: ETIMEDOUT at 3.35 s after +1.68 s).
    // Here over a 300 ms path: SRTT 0.6 s, RTO 1.8 s. The probe goes 1.4 s after the send,
    // the RTO 1.8 s after the probe (each 16 ms late on the timer wheel: 350 and 450
    // jiffies); the next timeout is 3.6 s later (+128 ms: 900 jiffies, level 2), past the
    // 3.0 s budget.
    let (sent, failed) = blackholed_send(300.0, 3, ProfileId::Linux);
    assert_eq!(sent, [1_000_000, 2_416_000, 4_236_000]);
    assert_eq!(failed, 7_972_000);
    // Counting instead, tcp_retries2 = 3 would have allowed two more retransmissions.
    // The RFC profile counts: R2 = 3 retransmissions (RTO 1.8 s doubling), no probe.
    let (sent, failed) = blackholed_send(300.0, 3, ProfileId::Rfc);
    assert_eq!(sent, [1_000_000, 2_800_000, 6_400_000, 13_600_000]);
    assert_eq!(failed, 28_000_000);
}

#[test]
fn a_lost_tail_is_probed_two_round_trips_after_the_last_ack() {
    // RFC 8985 §7 / Linux `tcp_schedule_loss_probe`: ten segments at 1 s, the last two
    // lost. The ACKs of the first eight come back at 1.040 s and re-plan the probe: two
    // segments are out, so PTO = 2·SRTT + 2 ms (TCP_TIMEOUT_MIN_US) in whole jiffies (4 ms each,
    // HZ 250) = 84 ms, the 2 ms added before rounding since 6.6 (with one left it would be
    // 2·SRTT + TCP_RTO_MIN, no earlier than the RTO). The probe resends the last segment.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.apps[1]
        .steps
        .push(Step::at(1_000_000, Action::send(10 * 1448)));
    for nth in [9, 10] {
        s.faults
            .push(FaultRule::drop("client", SegmentMatch::Data, Some(nth)));
    }
    let t = run(&s);
    let d = data_packets(&t, "client");
    assert_eq!(d[8], "1.000 client>server . seq=11585 ack=1 len=1448 LOST");
    assert_eq!(d[9], "1.000 client>server . seq=13033 ack=1 len=1448 LOST");
    // 21 jiffies, fired on the timer wheel half a jiffy late on average.
    assert_eq!(d[10], "1.126 client>server . seq=13033 ack=1 len=1448");
    // Its SACK tells RACK that 9 is lost (sent before the probe, RTT and more ago): the
    // recovery retransmits it when the SACK arrives, not at the RTO.
    assert_eq!(
        d[11], "1.166 client>server . seq=11585 ack=1 len=1448",
        "{d:#?}"
    );
    // The RFC profile has no probe: only the RTO (at least 1 s) resends.
    let mut r = s.clone();
    r.profile = synack_model::profile::ProfileId::Rfc;
    let d = data_packets(&run(&r), "client");
    assert!(
        d.iter()
            .all(|l| !l.starts_with("1.1") && !l.starts_with("1.2")),
        "{d:#?}"
    );
}

#[test]
fn after_an_idle_period_the_window_starts_again_from_the_initial_window() {
    // tcp_slow_start_after_idle = 1 (`tcp_cwnd_restart`), RFC 5681 §4.1: 30 segments at
    // 1 s grow cwnd past 30; after 4 s of silence (many RTOs) the next 30 leave as a burst
    // of 10 (the initial window), then slow start again.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.apps[0]
        .steps
        .push(Step::now(Action::RecvLoop { max: 1 << 20 }));
    for at in [1_000_000, 5_000_000] {
        s.apps[1].steps.push(Step::at(at, Action::send(30 * 1448)));
    }
    let t = run(&s);
    let d = data_packets(&t, "client");
    let at = |p: &str| d.iter().filter(|l| l.starts_with(p)).count();
    assert_eq!(at("1.000 "), 10);
    assert_eq!(at("5.000 "), 10, "{d:#?}");
    // Without the restart the grown window would send all 30 at once.
    let mut off = s.clone();
    off.tuning.slow_start_after_idle = Some(0);
    let d = data_packets(&run(&off), "client");
    assert_eq!(d.iter().filter(|l| l.starts_with("5.000 ")).count(), 30);
}

/// The server's ACKs after `from_us`: (relative ack, relative SACK blocks).
fn acks_with_sack(t: &Trace, from_us: u64) -> Vec<(u32, Vec<(u32, u32)>)> {
    use synack_model::trace::Header;
    let server = t.sockets[socket(t, "server").0 as usize].host;
    let mut isn = None;
    let mut out = Vec::new();
    for e in &t.events {
        if let EventKind::SegmentSent { segment, .. } = &e.kind {
            let Header::Tcp(h) = &segment.header else {
                continue;
            };
            if h.flags.syn && !h.flags.ack {
                isn = Some(h.seq);
            }
            if segment.src.host == server && e.t >= from_us && segment.payload_len == 0 {
                let i = isn.unwrap();
                let rel = |x: u32| x.wrapping_sub(i);
                out.push((
                    rel(h.ack),
                    h.options
                        .sack
                        .iter()
                        .map(|&(a, b)| (rel(a), rel(b)))
                        .collect(),
                ));
            }
        }
    }
    out
}

#[test]
fn the_receiver_reports_out_of_order_data_in_sack_blocks_and_duplicates_as_d_sack() {
    // RFC 2018 §4 and RFC 2883, as Linux writes them (`tcp_sack_new_ofo_skb`,
    // `tcp_dsack_set`): five segments at 1 s, the second lost, the fourth duplicated by the
    // network. ACKs for 3, 4, 5 repeat ack=1449 and carry the block of what is held,
    // growing; the copy of 4 is reported as a D-SACK first, then the block.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.apps[1]
        .steps
        .push(Step::at(1_000_000, Action::send(5 * 1448)));
    for (nth, action) in [(2, FaultAction::Drop {}), (4, FaultAction::Duplicate {})] {
        s.faults.push(FaultRule {
            action,
            ..FaultRule::drop("client", SegmentMatch::Data, Some(nth))
        });
    }
    let t = run(&s);
    let acks = acks_with_sack(&t, 1_000_000);
    assert_eq!(
        acks[..5],
        [
            (1449, vec![]),
            (1449, vec![(2897, 4345)]),
            (1449, vec![(2897, 5793)]),
            (1449, vec![(2897, 7241)]),
            // The copy of 4 arrives after 5 (one microsecond behind its original).
            (1449, vec![(4345, 5793), (2897, 7241)]),
        ]
    );
    // The RFC profile negotiates no SACK: plain duplicate ACKs.
    let mut r = s.clone();
    r.profile = synack_model::profile::ProfileId::Rfc;
    assert!(acks_with_sack(&run(&r), 1_000_000)
        .iter()
        .all(|(_, b)| b.is_empty()));
}

#[test]
fn the_first_two_duplicate_acks_each_release_one_new_segment() {
    // Limited transmit (RFC 3042, RFC 5681 §3.2 step 1; Linux by leaving SACKed segments
    // out of the pipe): twelve segments, cwnd 10, the first lost. The first two duplicate
    // ACKs each let one new segment go, before the third triggers the fast retransmit.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.apps[1]
        .steps
        .push(Step::at(1_000_000, Action::send(12 * 1448)));
    s.faults
        .push(FaultRule::drop("client", SegmentMatch::Data, Some(1)));
    let t = run(&s);
    let d = data_packets(&t, "client");
    assert_eq!(
        d[10..13],
        [
            "1.040 client>server . seq=14481 ack=1 len=1448",
            "1.040 client>server . seq=15929 ack=1 len=1448",
            "1.040 client>server . seq=1 ack=1 len=1448",
        ]
    );
}

#[test]
fn one_sack_after_a_hole_is_enough_for_rack_after_a_quarter_of_the_rtt() {
    // RACK (RFC 8985 §6.2, Linux's loss detection with SACK): three segments at 1 s, the
    // second lost. The SACK of the third comes back at 1.040 s: a segment sent after the hole was
    // delivered, so the hole is lost once RTT + min_RTT/4 has passed since it was sent:
    // the reordering timer (10 ms plus TCP_TIMEOUT_MIN_US, 2 ms, in jiffies 12, on the
    // timer wheel) retransmits it at 1.054 s. No duplicate-ACK count could (one duplicate
    // ACK), and the loss probe would wait until 1.126 s. Measured on 6.18 (three segments in
    // one write, the second lost, 20 ms one way, 6 runs): the SACK back 40.0-40.1 ms after
    // the lost segment, the retransmission 57.5-60.3 ms after it. There min_RTT (40.05 ms)
    // makes the window just over 10 ms: 4 jiffies and the wheel, in one run a jiffy more;
    // 2 jiffies after the rounding would make 60-64 ms in every run.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.apps[1]
        .steps
        .push(Step::at(1_000_000, Action::send(3 * 1448)));
    s.faults
        .push(FaultRule::drop("client", SegmentMatch::Data, Some(2)));
    let t = run(&s);
    let d = data_packets(&t, "client");
    assert_eq!(
        d[3], "1.054 client>server . seq=1449 ack=1 len=1448",
        "{d:#?}"
    );
    // Without RACK (RFC 6675, Linux before 6.17; on 6.18 `tcp_recovery` 0 changes nothing:
    // measured, the resend 67 ms after the lost segment all the same) the probe comes first (PTO
    // 2·SRTT + 2 ms in jiffies after the last ACK).
    let mut off = s.clone();
    off.tuning.rack = Some(false);
    let d = data_packets(&run(&off), "client");
    assert!(d[3].starts_with("1.126 "), "{d:#?}");
}

/// 22 writes of 100 bytes, 50 ms apart from 1 s; the server reads them (blocked in recv)
/// or not. Returns how long the server took to ACK each, in ms.
fn small_writes_ack_delays(server_reads: bool) -> Vec<u64> {
    // A veth-like path, as in the kernel run.
    let k = Knobs {
        latency_ms: 0.05,
        ..Knobs::default()
    };
    let mut s = presets::handshake(&k, presets::HandshakeCase::Normal);
    if server_reads {
        s.apps[0]
            .steps
            .push(Step::now(Action::RecvLoop { max: 1 << 20 }));
    }
    for i in 0..22u64 {
        s.apps[1]
            .steps
            .push(Step::at(1_000_000 + i * 50_000, Action::send(100)));
    }
    let t = run(&s);
    let p = packets(&t);
    let ms = |l: &str| -> u64 {
        let (a, b) = l.split(' ').next().unwrap().split_once('.').unwrap();
        a.parse::<u64>().unwrap() * 1000 + b.parse::<u64>().unwrap()
    };
    let data: Vec<u64> = p
        .iter()
        .filter(|l| l.contains("client>server") && l.ends_with("len=100"))
        .map(|l| ms(l)) // arrival, to the millisecond
        .collect();
    let acks: Vec<u64> = p
        .iter()
        .filter(|l| l.contains("server>client .") && l.ends_with("len=0"))
        .map(|l| ms(l))
        .filter(|&t| t >= 1000)
        .collect();
    data.iter()
        .map(|&a| acks.iter().find(|&&k| k >= a).unwrap() - a)
        .collect()
}

#[test]
fn after_sixteen_quick_acks_a_reader_that_keeps_up_still_gets_immediate_acks() {
    // Measured on 6.18 (veth, 22 writes of 100 bytes, 50 ms apart): to a reader blocked in
    // recv() every ACK left within 0.1 ms (`tcp_cleanup_rbuf`: a pushed segment, all read,
    // not ping-pong); to a reader that does not read, the first 16 were quick ACKs
    // (TCP_MAX_QUICKACKS) and the 17th on waited 44-48 ms (the 40 ms ATO and timer ticks).
    assert_eq!(small_writes_ack_delays(true), vec![0; 22]);
    let lazy = small_writes_ack_delays(false);
    assert_eq!(lazy[..16], [0; 16]);
    // 10 jiffies on the timer wheel: 42 ms on average.
    assert_eq!(lazy[16..], [42; 6]);
}

/// Each segment of the exchange with its window field: `"… server>client . seq=1 ack=6
/// len=0 win=64"`.
fn packets_with_windows(t: &Trace) -> Vec<String> {
    let windows = t.events.iter().filter_map(|e| match &e.kind {
        EventKind::SegmentSent { segment, .. } => match &segment.header {
            synack_model::trace::Header::Tcp(h) => Some(h.window),
            _ => None,
        },
        _ => None,
    });
    packets(t)
        .into_iter()
        .zip(windows)
        .map(|(l, w)| format!("{l} win={w}"))
        .collect()
}

#[test]
fn a_small_request_leaves_the_linux_window_alone_and_full_segments_grow_it_by_two_mss() {
    // Measured on 6.18 (tests/kernel-recordings/linux-6.18): the server's SYN-ACK offers
    // 65160 (45 × 1448); the ACK of a 5-byte request still says 64 << 10 (teardown-*), and
    // the ACKs of three 1448-byte segments say 67, 70, 73 << 10 (loss-tail): rcv_ssthresh
    // grows by 2 × advmss per segment of 128 bytes or more (`tcp_event_data_recv` →
    // `tcp_grow_window`), rounded up to the 1024-byte scale unit. The room to grow comes
    // from the truesize ratio of the lab's TUN device (an skb overhead of 856 bytes), as in
    // the recordings.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.tuning.rcv_skb_overhead = Some(856);
    for (at, len) in [(1_000_000, 5), (2_000_000, 3 * 1448)] {
        s.apps[1].steps.push(Step::at(
            at,
            Action::Send {
                len,
                message: None,
                content: None,
                more: false,
            },
        ));
    }
    let t = run(&s);
    let acks: Vec<String> = packets_with_windows(&t)
        .into_iter()
        .filter(|l| l.contains("server>client . ") && l.contains(" len=0 "))
        .map(|l| l.split_once(' ').unwrap().1.to_string())
        .collect();
    assert_eq!(
        acks,
        [
            "server>client . seq=1 ack=6 len=0 win=64",
            "server>client . seq=1 ack=1454 len=0 win=67",
            "server>client . seq=1 ack=2902 len=0 win=70",
            "server>client . seq=1 ack=4350 len=0 win=73",
        ]
    );
}

#[test]
fn a_linux_receiver_whose_buffer_fills_never_pulls_back_the_edge_it_offered() {
    // `tcp_select_window`: a window below what is left of the last offer is raised to that
    // rest, rounded up to the scale unit, so the offer shrinks one unit per 1448-byte
    // segment queued unread rather than by the segment (measured on 6.18, loss-tail: 75, 74,
    // 73, 72, 71, 70 << 10). A 70000-byte receive space nobody reads: the free space after
    // 4 and 5 segments (64208, 62760) would say 63 and 62; the edge already offered says 64
    // and 63.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.tuning.recv_buffer = Some(70_000);
    s.apps[1]
        .steps
        .push(Step::at(1_000_000, Action::send(5 * 1448)));
    let t = run(&s);
    let windows: Vec<String> = packets_with_windows(&t)
        .into_iter()
        .filter(|l| l.contains("server>client . ") && l.contains(" len=0 "))
        .filter_map(|l| l.split_once(" ack=").map(|(_, r)| r.to_string()))
        .collect();
    assert_eq!(
        windows,
        [
            "1449 len=0 win=67",
            "2897 len=0 win=66",
            "4345 len=0 win=65",
            "5793 len=0 win=64",
            "7241 len=0 win=63",
        ]
    );
}

#[test]
fn with_sack_out_of_order_segments_grow_the_window_their_duplicate_acks_offer() {
    // `tcp_data_queue_ofo` calls `tcp_grow_window` for a SACK connection (without SACK it
    // must not, or the duplicate ACKs would not be duplicates). Measured on 6.18
    // (loss-fast-retransmit, second of ten segments lost): the ACK of the first segment
    // offers 67 << 10 and the duplicate ACKs 70, 73, 75 …, each with its SACK block. The
    // TUN device's truesize ratio (skb overhead 856) leaves the room to grow.
    let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    s.tuning.rcv_skb_overhead = Some(856);
    s.faults
        .push(FaultRule::drop("client", SegmentMatch::Data, Some(2)));
    s.apps[1]
        .steps
        .push(Step::at(1_000_000, Action::send(4 * 1448)));
    let t = run(&s);
    let acks: Vec<String> = packets_with_windows(&t)
        .into_iter()
        .filter(|l| l.contains("server>client . ") && l.contains(" len=0 "))
        .filter_map(|l| l.split_once(" ack=").map(|(_, r)| r.to_string()))
        .take(3)
        .collect();
    assert_eq!(
        acks,
        [
            "1449 len=0 win=67",
            "1449 len=0 win=70",
            "1449 len=0 win=73",
        ]
    );
}

#[test]
fn a_tiny_so_rcvbuf_still_leaves_the_linux_minimum_of_receive_space() {
    // `__sock_set_rcvbuf`: SO_RCVBUF is doubled, but never below SOCK_MIN_RCVBUF, one
    // TCP_SKB_MIN_TRUESIZE (2304 bytes on x86-64; SOCK_MIN_SNDBUF is two), half of it window
    // space: 1152. Measured on 6.18 (zero-window with SO_RCVBUF on the listener, 20 ms
    // wire): the SYN-ACK offers 1152 for SO_RCVBUF 1 and 1000 (the floor), 1200 for 1200
    // (doubled, above the floor, under one segment) and 1448 for 2048 (rounded down to the
    // MSS, `tcp_select_initial_window`).
    let syn_ack_window = |so_rcvbuf: u32| {
        let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
        let listener = s.sockets.iter_mut().find(|x| x.host == "server").unwrap();
        listener.recv_buffer = Some(so_rcvbuf);
        packets_with_windows(&run(&s))
            .into_iter()
            .filter(|l| l.contains("server>client S. "))
            .map(|l| l.split_once(' ').unwrap().1.to_string())
            .collect::<Vec<_>>()
    };
    for (so_rcvbuf, win) in [(1, 1152), (1_000, 1152), (1_200, 1200), (2_048, 1448)] {
        assert_eq!(
            syn_ack_window(so_rcvbuf),
            [format!("server>client S. seq=0 ack=1 len=0 win={win}")],
            "SO_RCVBUF {so_rcvbuf}"
        );
    }
}

/// A reader that never reads (SO_RCVBUF 8192) and a writer of eight full segments, 100 ms
/// apart, over a 20 ms wire; `user_timeout_us` on the writer, 0 = none.
fn never_read_zero_window(user_timeout_us: u64) -> Trace {
    let sends: String = (0..8)
        .map(|i| {
            format!(
                r#", {{ "at_us": {}, "call": "send", "len": 1448 }}"#,
                200_000 + 100_000 * i
            )
        })
        .collect();
    let json = format!(
        r#"{{ "name": "never-read", "profile": "linux",
          "hosts": [ {{ "name": "client", "addr": "10.0.0.1" }}, {{ "name": "server", "addr": "10.0.0.2" }} ],
          "network": {{ "default": {{ "latency_us": 20000 }} }},
          "sockets": [
            {{ "label": "listener", "host": "server", "proto": "tcp", "port": 9999, "recv_buffer": 8192 }},
            {{ "label": "client", "host": "client", "proto": "tcp", "port": 0, "user_timeout_us": {user_timeout_us} }} ],
          "apps": [
            {{ "socket": "listener", "steps": [ {{ "call": "listen", "backlog": 8 }}, {{ "call": "accept", "label": "server" }} ] }},
            {{ "socket": "client", "steps": [ {{ "at_us": 50000, "call": "connect", "to": "server:9999" }}{sends} ] }} ],
          "limits": {{ "max_time_us": 8000000 }} }}"#
    );
    run(&synack_model::scenario::Scenario::from_json(&json).expect("a valid scenario"))
}

#[test]
fn tcp_user_timeout_ends_an_answered_zero_window_probe_episode_when_it_runs_out() {
    // Linux `tcp_probe_timer` counts the user timeout from the first probe
    // (`icsk_probes_tstamp`) even while the peer answers every probe, and
    // `tcp_clamp_probe0_to_user_timeout` arms each later probe timer for no more than what is
    // left of it. Measured on 6.18 (the lab's `zero-window-user-timeout`, 2 s): probes at
    // 1.13, 1.71, 2.83 s, the connection gone at 3.13-3.15 s, not at the next backed-off
    // probe (about 5.0 s, where the model ended it before the clamp).
    // The probe timers that found the window shut. One that finds it open but smaller than
    // a segment (`tcp_write_wakeup` sends what fits, and the data in flight ends the probe
    // episode) is not a probe the user timeout counts from.
    let probes = |t: &Trace| -> Vec<u64> {
        let client = socket(t, "client");
        let data_at: Vec<u64> = t
            .events
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::SegmentSent { segment, .. } if segment.src.host.0 == 0 && segment.payload_len > 0))
            .map(|e| e.t)
            .collect();
        t.events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::TimerFired { socket, timer: TimerKind::Persist } if socket == client))
            .map(|e| e.t)
            .filter(|t| !data_at.contains(t))
            .collect()
    };
    let t = never_read_zero_window(2_000_000);
    let fired = probes(&t);
    let first = fired[0];
    let closed = entered(&t, "client", synack_model::trace::TcpState::Closed);
    assert_eq!(closed.len(), 1, "{fired:?}");
    // The last timer fires at the user timeout's end (on the timer wheel: never early, at
    // most one level-1 bucket late) and finds it spent.
    assert_eq!(closed[0], *fired.last().unwrap_or(&0));
    let late = closed[0] - (first + 2_000_000);
    assert!(
        late <= 32_000,
        "gone {late} µs after the user timeout's end"
    );
    // Three probes went out before it: at the first, about 0.55 and 1.65 s later.
    assert_eq!(fired.len(), 4, "{fired:?}");
    // Without the user timeout an answered probe episode goes on (RFC 1122 §4.2.2.17).
    let t = never_read_zero_window(0);
    assert!(entered(&t, "client", synack_model::trace::TcpState::Closed).is_empty());
    assert!(probes(&t).len() >= 4);
}

#[test]
fn the_tcp_retries2_budget_is_built_on_the_constant_tcp_rto_min_whatever_the_sysctl_says() {
    // `retransmits_timed_out(sk, tcp_retries2, 0)` → `tcp_model_timeout(…, TCP_RTO_MIN)`:
    // the compile-time 200 ms, not tcp_rto_min_us. tcp_retries2 3 is 15 × 200 ms = 3 s from
    // the first RTO retransmission, whatever the minimum RTO. Measured on 6.18 (the lab's
    // retries2-timeout, a 100-byte request into a black hole): with tcp_rto_min_us 40 ms
    // ETIMEDOUT 4.20-4.64 s after the start, with 1 s 8.72-8.89 s (model 4.17 and 8.79 s);
    // a budget on the sysctl would have ended the first at 1.16 s and not the second by 12 s.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/kernel-recordings/linux-6.18/retries2-timeout.scenario.json");
    let text = std::fs::read_to_string(path).expect("the recorded scenario");
    let mut s = synack_model::scenario::Scenario::from_json(&text).expect("a valid scenario");
    s.limits.max_time_us = 12_000_000;
    for (rto_min_us, first_rto_retransmission_at_most, gone_in) in [
        (40_000, 1_000_000, 4_000_000..4_400_000),
        (1_000_000, 3_000_000, 8_500_000..9_000_000),
    ] {
        s.tuning.rto_min_us = Some(rto_min_us);
        let t = run(&s);
        let closed = entered(&t, "client", synack_model::trace::TcpState::Closed);
        assert_eq!(closed.len(), 1, "rto_min {rto_min_us}: {closed:?}");
        assert!(
            gone_in.contains(&closed[0]),
            "rto_min {rto_min_us}: gone at {}",
            closed[0]
        );
        // The last retransmission before it is less than the budget after the first RTO one.
        let resent = client_100_byte_sends(&t);
        // [first send, loss probe, first RTO retransmission, ...]
        assert!(resent[2] <= first_rto_retransmission_at_most, "{resent:?}");
        assert!(
            resent.last().copied().unwrap_or(0) - resent[2] < 3_000_000,
            "{resent:?}"
        );
        assert!(closed[0] - resent[2] >= 3_000_000, "{resent:?}");
    }
}

/// When the client sent its 100-byte request (and each time again), µs.
fn client_100_byte_sends(t: &Trace) -> Vec<u64> {
    packets(t)
        .iter()
        .filter(|l| l.contains(" client>") && l.contains("len=100"))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map(|x| (x * 1e6).round() as u64)
        .collect()
}

fn black_hole_with(tuning: serde_json::Value) -> Result<Trace, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/kernel-recordings/linux-6.18/retries2-timeout.scenario.json");
    let text = std::fs::read_to_string(path).expect("the recorded scenario");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for (k, x) in tuning.as_object().expect("an object") {
        v["tuning"][k] = x.clone();
    }
    let s = synack_model::scenario::Scenario::from_json(&v.to_string()).expect("a scenario");
    synack_model::simulate(&s).map_err(|e| e.to_string())
}

#[test]
fn the_rto_bounds_take_exactly_what_the_kernels_sysctls_take() {
    // 6.18's sysctl table: tcp_rto_min_us is an int from 1 µs up (extra1 SYSCTL_ONE, no
    // extra2), tcp_rto_max_ms 1000..=120000 ms (SYSCTL_ONE_THOUSAND, TCP_RTO_MAX_SEC × 1000).
    // Checked with `sysctl -w` in a fresh namespace: 1, 999 µs and 2^31 − 1 taken, 0 and
    // 2^31 EINVAL; 1000 and 120000 ms taken, 999 and 120001 EINVAL; an rto_min of 5 s with
    // an rto_max of 1 s taken.
    for ok in [
        serde_json::json!({"rto_min_us": 1}),
        serde_json::json!({"rto_min_us": 999}),
        serde_json::json!({"rto_min_us": i32::MAX}),
        serde_json::json!({"rto_max_us": 1_000_000}),
        serde_json::json!({"rto_max_us": 120_000_000}),
        serde_json::json!({"rto_min_us": 5_000_000, "rto_max_us": 1_000_000}),
    ] {
        assert!(black_hole_with(ok.clone()).is_ok(), "{ok}: refused");
    }
    for (bad, says) in [
        (
            serde_json::json!({"rto_min_us": 0}),
            "tuning.rto_min_us = 0",
        ),
        (
            serde_json::json!({"rto_min_us": 1u64 << 31}),
            "tuning.rto_min_us = 2147483648",
        ),
        (
            serde_json::json!({"rto_max_us": 999_000}),
            "tuning.rto_max_us = 999000",
        ),
        (
            serde_json::json!({"rto_max_us": 120_001_000}),
            "tuning.rto_max_us = 120001000",
        ),
        (
            serde_json::json!({"rto_max_us": 1_000_500}),
            "whole milliseconds",
        ),
    ] {
        let err = black_hole_with(bad.clone()).expect_err("refused");
        assert!(err.contains(says), "{bad}: {err}");
    }
}

#[test]
fn an_rto_min_above_rto_max_loses_to_it_in_every_retransmission_timer() {
    // tcp_rto_min_us 5 s with tcp_rto_max_ms 1000 (the kernel takes both): the variance
    // term is 5 s, then `tcp_bound_rto` caps the RTO at 1 s; the loss probe's 2·SRTT +
    // tcp_rto_min is cut to the RTO's time (`tcp_schedule_loss_probe`) and every timer to
    // the maximum (`inet_csk_reset_xmit_timer`'s max_when). So the 100 bytes sent into the
    // black hole are sent again about once a second, never 5 s apart.
    let t = black_hole_with(serde_json::json!({"rto_min_us": 5_000_000, "rto_max_us": 1_000_000}))
        .expect("taken");
    let sent = client_100_byte_sends(&t);
    assert!(sent.len() >= 4, "{sent:?}");
    for w in sent.windows(2) {
        assert!(w[1] - w[0] <= 1_050_000, "{sent:?}");
    }
}

/// Ten 200-byte TCP_NODELAY writes 2 ms apart from a client whose device holds each packet
/// until it has serialised it (`tx_done_at_xmit` off) on a 100 kbit/s link (a 252-byte
/// packet: 20.16 ms), with `tcp_autocorking` as given.
fn small_writes_behind_a_slow_device(autocorking: bool, tx_done_at_xmit: bool) -> Trace {
    let mut steps =
        vec![serde_json::json!({"at_us": 50000, "call": "connect", "to": "server:9999"})];
    for i in 0..10u64 {
        steps.push(serde_json::json!({"at_us": 200_000 + 2_000 * i, "call": "send", "len": 200}));
    }
    let sc = serde_json::json!({
        "name": "small writes behind a slow device",
        "seed": 1,
        "profile": "linux",
        "tuning": {"autocorking": autocorking, "tx_done_at_xmit": tx_done_at_xmit},
        "hosts": [{"name": "client", "addr": "10.0.0.1"}, {"name": "server", "addr": "10.0.0.2"}],
        "network": {"default": {"latency_us": 20000, "bandwidth_bps": 100000}},
        "sockets": [
            {"label": "listener", "host": "server", "proto": "tcp", "port": 9999},
            {"label": "client", "host": "client", "proto": "tcp", "port": 0, "no_delay": true}
        ],
        "apps": [
            {"socket": "listener", "steps": [
                {"call": "listen", "backlog": 8},
                {"call": "accept", "label": "server"},
                {"at_us": 900000, "call": "recv", "max": 65536}
            ]},
            {"socket": "client", "steps": steps}
        ],
        "limits": {"max_time_us": 1000000}
    });
    run(&serde_json::from_value(sc).expect("a scenario"))
}

#[test]
fn autocorking_holds_a_small_write_while_the_device_holds_more_of_the_sockets_memory() {
    let lens = |t: &Trace| -> Vec<String> { data_packets(t, "client") };
    // The lab's TUN wire (and loopback, veth) releases each packet as it takes it: every
    // write leaves as its own segment, autocorking or not (measured on 6.18).
    let at_xmit = small_writes_behind_a_slow_device(true, true);
    assert_eq!(lens(&at_xmit).len(), 10, "{:#?}", lens(&at_xmit));
    let off = small_writes_behind_a_slow_device(false, false);
    assert_eq!(lens(&off).len(), 10, "{:#?}", lens(&off));
    // A NIC's memory is released at the end of each packet's serialisation (20.16 ms).
    // The 2nd write is held (the device holds 1 + the 1st packet's truesize, more than the
    // 200-byte tail's); the 3rd makes the tail 400 bytes, more than that: pushed. Writes 4-10
    // stay below the two packets' memory and wait for the 1st packet's release at 220.16 ms
    // (`tcp_wfree` → TSQ), when the 1400 bytes leave as one segment.
    let on = small_writes_behind_a_slow_device(true, false);
    assert_eq!(
        lens(&on),
        [
            "0.200 client>server . seq=1 ack=1 len=200",
            "0.204 client>server . seq=201 ack=1 len=400",
            "0.220 client>server . seq=601 ack=1 len=1400",
        ]
    );
}

#[test]
fn turning_tcp_nodelay_off_does_not_push_what_msg_more_holds() {
    // Linux `__tcp_sock_set_nodelay`: only turning the option on pushes
    // (`tcp_push_pending_frames`). Measured on 6.18 (explore 600-16): 10 bytes of
    // send(MSG_MORE), TCP_NODELAY 0 54 ms later, shutdown() 36 ms after that: the bytes
    // leave with the FIN.
    let run_with = |on: bool| {
        let mut s = presets::window(&Knobs::default(), WindowCase::NagleDelayedAck);
        s.apps[1].steps.drain(2..4); // the server only reads
        s.apps[0].steps = vec![
            Step::now(Action::Connect {
                to: "server:80".into(),
            }),
            Step::at(
                100_000,
                Action::Send {
                    len: 10,
                    message: None,
                    content: None,
                    more: true,
                },
            ),
            Step::at(154_000, Action::SetNoDelay { on }),
            Step::at(190_000, Action::Shutdown { how: ShutHow::Wr }),
        ];
        run(&s)
    };
    assert_eq!(
        data_packets(&run_with(false), "client"),
        ["0.190 client>server F. seq=1 ack=1 len=10"]
    );
    // Turning it on sends the held bytes at once.
    assert_eq!(
        data_packets(&run_with(true), "client"),
        ["0.154 client>server . seq=1 ack=1 len=10"]
    );
}

/// The send buffer's sizes over a run (the `send_buffer` gauge's caps, each change once).
fn send_buffer_caps(t: &Trace, label: &str) -> Vec<u32> {
    let id = socket(t, label);
    let mut caps: Vec<u32> = Vec::new();
    for e in &t.events {
        if let EventKind::QueueChanged {
            socket,
            queue: synack_model::trace::QueueKind::SendBuffer,
            cap,
            ..
        } = e.kind
        {
            if socket == id && caps.last() != Some(&cap) {
                caps.push(cap);
            }
        }
    }
    caps
}

#[test]
fn a_big_write_waits_for_a_send_buffer_the_kernel_grows_with_cwnd() {
    // Linux sizes a send buffer SO_SNDBUF did not set itself (`tcp_sndbuf_expand`): 16384
    // (tcp_wmem[1]) until the handshake ends, then 2 × 10 segments × 2304 bytes = 46080
    // (measured on 6.18, MTU 1500, CUBIC), growing with cwnd while a writer waits and the
    // peer's window, not cwnd, holds the sender. So send(200000) returns, and close()
    // sends its FIN, only when the last of it fits, rounds of ACKs later: measured on 6.18
    // at 20 ms one way (the client connecting at 0, 200000 bytes to a reader in recv()),
    // FIN-WAIT-1 at 163 ms, 3 round trips after ESTABLISHED (model 160 ms); a buffer that
    // takes the whole write at once enters it as the handshake ends, at 40 ms.
    let t = win(WindowCase::SlowStart);
    let est = entered(&t, "client", TcpState::Established)[0];
    let fin_wait_1 = entered(&t, "client", TcpState::FinWait1)[0];
    assert!(
        fin_wait_1 >= est + 2 * 40_000,
        "FIN-WAIT-1 at {fin_wait_1} µs, established at {est}"
    );
    let caps = send_buffer_caps(&t, "client");
    assert_eq!(caps[..2], [16_384, 46_080], "{caps:?}");
    assert!(caps.windows(2).all(|w| w[0] < w[1]), "{caps:?}");
    assert!(*caps.last().unwrap() <= 4_194_304, "{caps:?}");
    // The RFC profile sizes no buffer: the write is taken whole and close() follows it.
    let k = Knobs {
        profile: synack_model::profile::ProfileId::Rfc,
        ..Knobs::default()
    };
    let t = run(&presets::window(&k, WindowCase::SlowStart));
    assert_eq!(
        entered(&t, "client", TcpState::FinWait1)[0],
        entered(&t, "client", TcpState::Established)[0]
    );
}

#[test]
fn so_sndbuf_keeps_the_kernel_from_growing_the_send_buffer() {
    // `tcp_should_expand_sndbuf` and `tcp_init_buffer_space` leave a buffer SO_SNDBUF set
    // (SOCK_SNDBUF_LOCK) as it is.
    let mut s = presets::window(&Knobs::default(), WindowCase::SlowStart);
    let client = s.sockets.iter().position(|x| x.label == "client").unwrap();
    s.sockets[client].send_buffer = Some(100_000);
    let t = run(&s);
    assert_eq!(send_buffer_caps(&t, "client"), [100_000]);
}

#[test]
fn a_connection_that_never_writes_still_shows_the_send_buffer_the_handshake_gave_it() {
    // Measured on 6.18: the accepted socket reads SO_SNDBUF 46080 after the handshake as the
    // client's does (`tcp_init_buffer_space` on both sides); the gauge follows the size,
    // not only the length.
    let t = win(WindowCase::SlowStart);
    assert_eq!(send_buffer_caps(&t, "conn"), [16_384, 46_080]);
}

#[test]
fn an_active_opens_first_pacing_rate_comes_from_tcp_init_cwnd_not_the_routes_initcwnd() {
    // `tcp_rcv_synsent_state_process`: the SYN-ACK's `tcp_ack` sets the pacing rate
    // (`tcp_cong_control` → `tcp_update_pacing_rate`) while cwnd is still tcp_init_sock's
    // TCP_INIT_CWND; only then does `tcp_finish_connect` → `tcp_init_transfer` give the
    // route's initcwnd. The first write's GSO chunks follow that rate (`tcp_tso_autosize`):
    // at a 40 ms RTT, cwnd 10's rate makes chunks of two segments (PSH on the 2nd and on the
    // last), where initcwnd 1000's would send the 5000 bytes as one chunk. Measured on 6.18
    // (psh-writes+initcwnd=1000): PSH on the 2nd segment, 4 of 4.
    let json = r#"{ "name": "initcwnd-1000-first-write", "profile": "linux",
      "hosts": [ { "name": "client", "addr": "10.0.0.1" }, { "name": "server", "addr": "10.0.0.2" } ],
      "network": { "default": { "latency_us": 20000 } },
      "tuning": { "initial_cwnd_segments": 1000 },
      "sockets": [
        { "label": "listener", "host": "server", "proto": "tcp", "port": 9999 },
        { "label": "client", "host": "client", "proto": "tcp", "port": 0 } ],
      "apps": [
        { "socket": "listener", "steps": [ { "call": "listen", "backlog": 8 }, { "call": "accept", "label": "server" } ] },
        { "socket": "client", "steps": [ { "at_us": 50000, "call": "connect", "to": "server:9999" },
                                         { "at_us": 200000, "call": "send", "len": 5000 } ] } ],
      "limits": { "max_time_us": 400000 } }"#;
    let t = run(&synack_model::scenario::Scenario::from_json(json).expect("a valid scenario"));
    let client = t.hosts.iter().position(|h| h.name == "client").unwrap() as u16;
    let pushed: Vec<bool> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } if segment.src.host.0 == client => {
                match &segment.header {
                    synack_model::trace::Header::Tcp(h) if segment.payload_len > 0 => {
                        Some(h.flags.psh)
                    }
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    assert_eq!(pushed, [false, true, false, true]);
}
