//! UDP keeps boundaries; TCP's byte stream does not (the seed's 粘包 cases A-D), and
//! framing codecs put the boundaries back.
mod common;

use common::*;
use synack_model::codec::{self, delimiter, length_prefix};
use synack_model::presets::{self, Knobs, StickyCase, StickyFix, UdpCase};
use synack_model::trace::{AppResult, EventKind, Trace};

fn reads(t: &Trace, label: &str) -> Vec<String> {
    returns(t, label)
        .into_iter()
        .filter(|r| r.starts_with("Recv"))
        .collect()
}

#[test]
fn udp_keeps_message_boundaries() {
    let t = run(&presets::udp(&Knobs::default(), UdpCase::Boundaries));
    assert_eq!(
        reads(&t, "server"),
        [
            "Recv 20 bytes: msg 1[0..20]",
            "Recv 35 bytes: msg 2[0..35]",
            "Recv 50 bytes: msg 3[0..50]"
        ]
    );
    assert!(packets(&t).iter().all(|l| l.contains(" UDP ")));
}

#[test]
fn udp_short_buffer_truncates_and_the_rest_is_lost() {
    let t = run(&presets::udp(&Knobs::default(), UdpCase::Truncation));
    assert_eq!(
        reads(&t, "server"),
        [
            "Recv 10 bytes: msg 1[0..10] (truncated, 20 bytes lost)",
            "Recv 10 bytes: msg 2[0..10] (truncated, 20 bytes lost)",
        ]
    );
}

#[test]
fn udp_many_senders_one_socket() {
    let t = run(&presets::udp(&Knobs::default(), UdpCase::ManySenders));
    let r = reads(&t, "server");
    assert_eq!(r.len(), 3);
    let id = socket(&t, "server");
    let froms: Vec<u16> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppReturn {
                socket,
                result: AppResult::Data { from: Some(a), .. },
                ..
            } if *socket == id => Some(a.host.0),
            _ => None,
        })
        .collect();
    assert_eq!(froms, [0, 2, 3]);
}

#[test]
fn udp_multicast_reaches_every_member_n_to_m() {
    let t = run(&presets::udp(&Knobs::default(), UdpCase::Multicast));
    for r in ["receiver 1", "receiver 2", "receiver 3"] {
        assert_eq!(
            reads(&t, r),
            [
                "Recv 40 bytes: news 1[0..40]",
                "Recv 60 bytes: news 2[0..60]"
            ],
            "{r}"
        );
    }
    // One copy per member host (that of receivers 1 and 2, that of receiver 3), not per socket.
    assert_eq!(packets(&t).len(), 4);
}

#[test]
fn sticky_case_a_two_reads_two_messages() {
    let t = run(&presets::sticky(
        &Knobs::default(),
        StickyCase::A,
        StickyFix::None,
    ));
    assert_eq!(
        reads(&t, "conn")[..2],
        [
            "Recv 300 bytes: data1[0..300]",
            "Recv 300 bytes: data2[0..300]"
        ]
    );
}

#[test]
fn sticky_case_b_part_of_data1_then_the_rest_with_data2() {
    let t = run(&presets::sticky(
        &Knobs::default(),
        StickyCase::B,
        StickyFix::None,
    ));
    assert_eq!(
        reads(&t, "conn")[..2],
        [
            "Recv 1448 bytes: data1[0..1448]",
            "Recv 852 bytes: data1[1448..2000] data2[0..300]"
        ]
    );
}

#[test]
fn sticky_case_c_data1_with_part_of_data2_then_the_rest() {
    let t = run(&presets::sticky(
        &Knobs::default(),
        StickyCase::C,
        StickyFix::None,
    ));
    assert_eq!(
        reads(&t, "conn")[..2],
        [
            "Recv 1748 bytes: data1[0..300] data2[0..1448]",
            "Recv 552 bytes: data2[1448..2000]"
        ]
    );
}

#[test]
fn sticky_case_d_both_in_one_read_even_with_no_delay() {
    for fix in [
        StickyFix::None,
        StickyFix::NoDelay,
        StickyFix::WaitBetweenSends,
    ] {
        let t = run(&presets::sticky(&Knobs::default(), StickyCase::D, fix));
        assert_eq!(
            reads(&t, "conn")[0],
            "Recv 600 bytes: data1[0..300] data2[0..300]",
            "{fix:?}"
        );
    }
}

/// Runs the receiver's recv() results through a decoder.
fn decoded(t: &Trace, fix: StickyFix) -> Vec<Vec<u8>> {
    let conn = socket(t, "conn");
    let mut lp = length_prefix::Decoder::new();
    let mut dl = delimiter::Decoder::new(b'\n');
    let mut out = Vec::new();
    for e in &t.events {
        if let EventKind::AppReturn {
            socket,
            result: AppResult::Data { payload, .. },
            ..
        } = &e.kind
        {
            if *socket == conn {
                let bytes = codec::stream_bytes(t, payload);
                match fix {
                    StickyFix::LengthPrefix => out.extend(lp.feed(&bytes).unwrap()),
                    _ => out.extend(dl.feed(&bytes)),
                }
            }
        }
    }
    out
}

#[test]
fn framing_recovers_both_messages_in_every_case() {
    for case in StickyCase::ALL {
        for fix in [StickyFix::LengthPrefix, StickyFix::Delimiter] {
            let t = run(&presets::sticky(&Knobs::default(), *case, fix));
            let msgs = decoded(&t, fix);
            let lens: Vec<usize> = msgs.iter().map(|m| m.len()).collect();
            let want = match case {
                StickyCase::B => [2000, 300],
                StickyCase::C => [300, 2000],
                _ => [300, 300],
            };
            assert_eq!(lens, want, "{case:?} {fix:?}");
            assert!(msgs[0].starts_with(b"data1"), "{case:?} {fix:?}");
            assert!(msgs[1].starts_with(b"data2"), "{case:?} {fix:?}");
        }
    }
}

#[test]
fn tcp_vs_udp_same_messages_different_reads() {
    let t = run(&presets::tcp_vs_udp(&Knobs::default(), 3));
    assert_eq!(reads(&t, "udp server").len(), 3);
    let tcp = reads(&t, "tcp conn");
    assert_eq!(
        tcp[0],
        "Recv 105 bytes: msg 1[0..20] msg 2[0..35] msg 3[0..50]"
    );
    assert_eq!(tcp[1], "Recv 0 (EOF)");
}

#[test]
fn udp_loses_duplicates_and_reorders_without_noticing() {
    let t = run(&presets::udp(&Knobs::default(), UdpCase::Unreliable));
    assert_eq!(
        reads(&t, "server"),
        [
            "Recv 25 bytes: msg 1[0..25]",
            // msg 2 was lost: nobody resends it.
            "Recv 35 bytes: msg 3[0..35]",
            // The network's copy of msg 3 is read as a second datagram.
            "Recv 35 bytes: msg 3[0..35]",
            // msg 4 was held back 10 ms: msg 5 overtook it.
            "Recv 45 bytes: msg 5[0..45]",
            "Recv 40 bytes: msg 4[0..40]",
        ]
    );
    let p = packets(&t);
    assert_eq!(
        p.iter().filter(|l| l.ends_with("LOST")).count(),
        1,
        "{p:#?}"
    );
}

#[test]
fn sticky_knobs_reproduce_each_case_and_the_remedies_are_knob_changes() {
    let k = Knobs::default();
    for case in StickyCase::ALL {
        let sk = presets::StickyKnobs::of(&k, *case);
        for fix in StickyFix::ALL {
            let a = run(&presets::sticky(&k, *case, *fix));
            let b = run(&presets::sticky_with(
                &k,
                &sk.clone().with_fix(&k, *fix),
                *fix,
            ));
            assert_eq!(reads(&a, "conn"), reads(&b, "conn"), "{case:?} {fix:?}");
        }
    }
    // Read size alone also cuts messages: a late reader with a 1000-byte buffer gets
    // data1 (300) and part of data2, then the rest (case C without any segmentation).
    let sk = presets::StickyKnobs {
        data2: 1200,
        read_size: 1000,
        ..presets::StickyKnobs::of(&k, StickyCase::D)
    };
    let t = run(&presets::sticky_with(&k, &sk, StickyFix::None));
    assert_eq!(
        reads(&t, "conn")[..2],
        [
            "Recv 1000 bytes: data1[0..300] data2[0..700]",
            "Recv 500 bytes: data2[700..1200]"
        ]
    );
    // A smaller MSS cuts data1 into more segments.
    let sk = presets::StickyKnobs {
        mss: 536,
        ..presets::StickyKnobs::of(&k, StickyCase::A)
    };
    let t = run(&presets::sticky_with(&k, &sk, StickyFix::None));
    assert!(packets(&t)
        .iter()
        .any(|l| l.contains("client>server") && l.ends_with("len=300")));
    let sk = presets::StickyKnobs {
        data1: 1000,
        mss: 536,
        ..presets::StickyKnobs::of(&k, StickyCase::A)
    };
    let t = run(&presets::sticky_with(&k, &sk, StickyFix::None));
    assert!(
        packets(&t)
            .iter()
            .any(|l| l.contains("client>server") && l.ends_with("len=524")),
        "{:#?}",
        packets(&t)
    );
}

#[test]
fn a_udp_send_longer_than_65507_bytes_fails_with_emsgsize_and_sends_nothing() {
    let scenario = |len: u32| {
        format!(
            r#"{{"name": "too long", "seed": 0,
            "hosts": [{{"name": "a", "addr": "10.0.0.1"}}, {{"name": "b", "addr": "10.0.0.2"}}],
            "sockets": [{{"label": "c", "host": "a", "proto": "udp"}},
                        {{"label": "s", "host": "b", "proto": "udp", "port": 9}}],
            "apps": [{{"socket": "c", "steps": [
                {{"call": "connect", "to": "b:9"}},
                {{"call": "send", "len": {len}}}]}}]}}"#
        )
    };
    // Measured on Linux 6.18 (sendto on a UDP socket): 65,507 bytes sent, 65,508 EMSGSIZE.
    let t = run(&synack_model::scenario::Scenario::from_json(&scenario(65_508)).unwrap());
    assert!(packets(&t).is_empty(), "{:?}", packets(&t));
    assert_eq!(returns(&t, "c"), ["Connect ok", "Send EMSGSIZE"]);
    let t = run(&synack_model::scenario::Scenario::from_json(&scenario(65_507)).unwrap());
    assert_eq!(packets(&t).len(), 1, "{:?}", packets(&t));
    assert_eq!(returns(&t, "c"), ["Connect ok", "Send ok"]);
}

/// Host a's UDP socket "c" sends 5 bytes to b:9, where nobody has bound, at each of `times`
/// (ms); `connected`: connect() first and send(), else sendto().
fn to_a_closed_port(connected: bool, times: &[u64]) -> Trace {
    let mut steps = Vec::new();
    if connected {
        steps.push(r#"{"call": "connect", "to": "b:9"}"#.to_string());
    }
    for t in times {
        steps.push(if connected {
            format!(r#"{{"at_us": {}, "call": "send", "len": 5}}"#, t * 1000)
        } else {
            format!(
                r#"{{"at_us": {}, "call": "send_to", "to": "b:9", "len": 5}}"#,
                t * 1000
            )
        });
    }
    let json = format!(
        r#"{{"name": "closed port", "seed": 0,
        "hosts": [{{"name": "a", "addr": "10.0.0.1"}}, {{"name": "b", "addr": "10.0.0.2"}}],
        "network": {{"default": {{"latency_us": 10000}}}},
        "sockets": [{{"label": "c", "host": "a", "proto": "udp"}}],
        "apps": [{{"socket": "c", "steps": [{}]}}]}}"#,
        steps.join(",")
    );
    run(&synack_model::scenario::Scenario::from_json(&json).unwrap())
}

#[test]
fn a_connected_udp_socket_hears_of_a_closed_port_once_as_econnrefused_on_its_next_call() {
    let t = to_a_closed_port(true, &[0, 50, 100]);
    assert_packets!(
        t,
        [
            "0.000 a>b UDP len=5 LOST",
            "0.010 b>a ICMP 3/3 len=0",
            "0.100 a>b UDP len=5 LOST",
            "0.110 b>a ICMP 3/3 len=0",
        ]
    );
    // Linux 6.18 on loopback: the 2nd send() fails with ECONNREFUSED and sends nothing,
    // the 3rd is sent again (sock_error clears the error it reports).
    assert_eq!(
        returns(&t, "c"),
        ["Connect ok", "Send ok", "Send ECONNREFUSED", "Send ok"]
    );
}

#[test]
fn an_unconnected_udp_socket_is_not_told_of_a_closed_port() {
    let t = to_a_closed_port(false, &[0, 50]);
    assert_eq!(returns(&t, "c"), ["SendTo ok", "SendTo ok"]);
    let p = packets(&t);
    assert_eq!(
        p.iter().filter(|l| l.contains("ICMP 3/3")).count(),
        2,
        "{p:#?}"
    );
}

#[test]
fn port_unreachables_to_one_peer_come_in_a_burst_of_six_then_one_a_second() {
    // icmp_ratelimit 1000 ms, XRLIM_BURST_FACTOR 6 (`inet_peer_xrlim_allow`). Measured on
    // Linux 6.18 between two namespaces joined by a veth pair, the same 8 + 1 + 1 datagrams:
    // port unreachables at +0 (six), none at +0.5 s, one at +1.1 s.
    let mut times = vec![0; 8];
    times.push(500);
    times.push(1_100);
    let t = to_a_closed_port(false, &times);
    let icmp = packets(&t)
        .iter()
        .filter(|l| l.contains("ICMP 3/3"))
        .count();
    assert_eq!(icmp, 7, "{:#?}", packets(&t));
}

#[test]
fn the_icmp_rate_limit_counts_whole_jiffies_so_50_ms_is_13_ticks() {
    // icmp_ratelimit 50 ms is stored as msecs_to_jiffies(50) = 13 jiffies (52 ms) at HZ 250
    // (`proc_dointvec_ms_jiffies`), and `inet_peer_xrlim_allow` adds the ticks crossed since
    // the last fill. Seven datagrams arrive at 8 ms (a tick), six answered; the next arrives
    // 51 ms later, 12 ticks on: 12 jiffies of tokens, less than 13, so no port unreachable
    // (counted in µs it would be 51 ms of tokens, more than 50).
    let mut steps = vec![r#"{"call": "send_to", "to": "b:9", "len": 5}"#.to_string(); 7];
    steps.push(r#"{"at_us": 51000, "call": "send_to", "to": "b:9", "len": 5}"#.into());
    let json = format!(
        r#"{{"name": "closed port", "seed": 0,
        "hosts": [{{"name": "a", "addr": "10.0.0.1"}}, {{"name": "b", "addr": "10.0.0.2"}}],
        "network": {{"default": {{"latency_us": 8000}}}},
        "tuning": {{"icmp_ratelimit_us": 50000}},
        "sockets": [{{"label": "c", "host": "a", "proto": "udp"}}],
        "apps": [{{"socket": "c", "steps": [{}]}}]}}"#,
        steps.join(",")
    );
    let t = run(&synack_model::scenario::Scenario::from_json(&json).unwrap());
    let icmp = packets(&t)
        .iter()
        .filter(|l| l.contains("ICMP 3/3"))
        .count();
    assert_eq!(icmp, 6, "{:#?}", packets(&t));
}

/// Ten `len`-byte datagrams sent back to back from a to b:9, whose socket has SO_RCVBUF
/// `rcvbuf` and reads nothing, under `profile`.
fn into_a_small_buffer(profile: &str, rcvbuf: u32, len: u32) -> Trace {
    let sends = vec![format!(r#"{{"call": "send_to", "to": "b:9", "len": {len}}}"#); 10];
    let json = format!(
        r#"{{"name": "small buffer", "seed": 0, "profile": "{profile}",
        "hosts": [{{"name": "a", "addr": "10.0.0.1"}}, {{"name": "b", "addr": "10.0.0.2"}}],
        "network": {{"default": {{"latency_us": 10000, "mtu": 1500}}}},
        "sockets": [{{"label": "c", "host": "a", "proto": "udp"}},
                    {{"label": "s", "host": "b", "proto": "udp", "port": 9,
                      "recv_buffer": {rcvbuf}}}],
        "apps": [{{"socket": "c", "steps": [{}]}}]}}"#,
        sends.join(",")
    );
    run(&synack_model::scenario::Scenario::from_json(&json).unwrap())
}

/// When each segment that arrived did, in order.
fn arrivals(t: &Trace) -> Vec<u64> {
    t.events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::SegmentArrived { .. }))
        .map(|e| e.t)
        .collect()
}

fn rcvbuf_drops(t: &Trace) -> usize {
    t.events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::SegmentDropped {
                    reason: synack_model::trace::DropReason::ReceiveBufferFull,
                    ..
                }
            )
        })
        .count()
}

#[test]
fn linux_counts_a_udp_queue_in_buffer_memory_so_so_rcvbuf_2048_keeps_four_100_byte_datagrams() {
    // Measured on Linux 6.18 through the lab's wire (tests/kernel-recordings/linux-6.18/
    // udp-rcvbuf-overflow): SO_RCVBUF 2048 is an sk_rcvbuf of 4096, a 100-byte datagram takes
    // an 832-byte buffer, so four fit and six are dropped and counted in RcvbufErrors;
    // SO_RCVBUF 4096 keeps nine, and 1000-byte datagrams (2304-byte buffers) one and three.
    let t = into_a_small_buffer("linux", 2048, 100);
    assert_eq!(rcvbuf_drops(&t), 6);
    let counted = t.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Counter { name, value, .. } if name == "RcvbufErrors" => Some(*value),
        _ => None,
    });
    assert_eq!(counted, Some(6));
    assert_eq!(rcvbuf_drops(&into_a_small_buffer("linux", 4096, 100)), 1);
    assert_eq!(rcvbuf_drops(&into_a_small_buffer("linux", 2048, 1000)), 9);
    assert_eq!(rcvbuf_drops(&into_a_small_buffer("linux", 4096, 1000)), 7);
}

#[test]
fn an_empty_udp_queue_takes_one_datagram_however_big_its_buffer() {
    // A 3000-byte datagram crosses a 1500-byte MTU as three fragments whose buffers
    // (2304 + 2304 + 832) exceed SO_RCVBUF 2048's 4096: the first is kept all the same.
    assert_eq!(rcvbuf_drops(&into_a_small_buffer("linux", 2048, 3000)), 9);
}

#[test]
fn the_rfc_profile_counts_payload_bytes_against_the_receive_buffer() {
    assert_eq!(rcvbuf_drops(&into_a_small_buffer("rfc", 500, 100)), 5);
}

#[test]
fn a_received_packets_buffer_is_its_slab_and_the_sk_buff_and_a_fragmented_datagram_keeps_each() {
    use synack_model::udp::{datagram_truesize, rcvbuf_of_so_rcvbuf, skb_truesize};
    // Headroom 64 (a TUN device): IP packets of 128, 228 and 1028 bytes.
    assert_eq!(skb_truesize(128, 64), 832);
    assert_eq!(skb_truesize(228, 64), 1280);
    assert_eq!(skb_truesize(1028, 64), 2304);
    assert_eq!(datagram_truesize(3028, 1500, 64), 2304 + 2304 + 832);
    assert_eq!(datagram_truesize(128, 1500, 64), 832);
    assert_eq!(rcvbuf_of_so_rcvbuf(2048), 4096);
    assert_eq!(rcvbuf_of_so_rcvbuf(1), 2304);
}

#[test]
fn a_tail_fragment_that_fits_the_first_fragments_tailroom_takes_no_buffer_of_its_own() {
    use synack_model::udp::{datagram_truesize, skb_truesize};
    // `inet_frag_reasm_finish` → `skb_try_coalesce`: the first fragment of a 1473-byte
    // datagram over a 1500-byte MTU fills 1564 of its 1728-byte buffer; the 1-byte tail is
    // copied into the other 164 and freed. A tail of 165 bytes is chained with its own buffer.
    assert_eq!(datagram_truesize(1501, 1500, 64), 2304);
    assert_eq!(datagram_truesize(1500 + 164, 1500, 64), 2304);
    assert_eq!(
        datagram_truesize(1500 + 165, 1500, 64),
        2304 + skb_truesize(185, 64)
    );
    // Measured on 6.18 (explore seed 1700 #22): a reader that never reads keeps two 65507-byte
    // datagrams and three of 1472-1473 bytes in net.core.rmem_default's 212992, the second
    // big one included: 102656 + 2304 × 3 + 102656 = 212224.
    assert_eq!(datagram_truesize(65_535, 1500, 64), 102_656);
}

/// Case B's knobs with the reader woken `wake_us` after data arrives.
fn flight_to_a_waiting_reader(rate_mbps: f64, wake_us: Option<u64>) -> Trace {
    let k = Knobs::default();
    let sk = presets::StickyKnobs {
        rate_mbps,
        ..presets::StickyKnobs::of(&k, StickyCase::B)
    };
    let mut s = presets::sticky_with(&k, &sk, StickyFix::None);
    s.tuning.reader_wake_us = wake_us;
    run(&s)
}

#[test]
fn a_reader_waiting_in_recv_gets_the_whole_flight_that_woke_it() {
    // Linux: the first segment only wakes the reader (`sock_def_readable`); by the time it
    // runs, the flight's other segments are queued, and `tcp_recvmsg_locked` copies them
    // all. Measured on 6.18: a reader blocked in recv(65536) got 3000 bytes for
    // 1448 + 1448 + 104 handed over 50-80 µs apart, 14480 for ten segments.
    let t = flight_to_a_waiting_reader(0.0, None);
    assert_packets!(
        t,
        [
            "0.000 client>server S seq=0 len=0",
            "0.020 server>client S. seq=0 ack=1 len=0",
            "0.040 client>server . seq=1 ack=1 len=0",
            "0.040 client>server . seq=1 ack=1 len=1448",
            "0.040 client>server . seq=1449 ack=1 len=552",
            "0.060 server>client . seq=1 ack=1449 len=0",
            "0.060 server>client . seq=1 ack=2001 len=0",
            "0.080 client>server . seq=2001 ack=1 len=300",
            "0.100 server>client . seq=1 ack=2301 len=0",
            "0.540 client>server F. seq=2301 ack=1 len=0",
            "0.560 server>client F. seq=1 ack=2302 len=0",
            "0.580 client>server . seq=2302 ack=2 len=0",
        ]
    );
    assert_eq!(
        reads(&t, "conn")[..2],
        [
            "Recv 2000 bytes: data1[0..2000]",
            "Recv 300 bytes: data2[0..300]"
        ]
    );
    // At 10 Mbit/s the second segment comes 1.2 ms after the first: a reader that runs
    // within that (the profile's 0) reads the first alone (case B); one that takes 2 ms to
    // get a CPU finds both.
    assert_eq!(
        reads(&flight_to_a_waiting_reader(10.0, None), "conn")[0],
        "Recv 1448 bytes: data1[0..1448]"
    );
    assert_eq!(
        reads(&flight_to_a_waiting_reader(10.0, Some(2_000)), "conn")[0],
        "Recv 2000 bytes: data1[0..2000]"
    );
}

#[test]
fn a_udp_reader_woken_by_a_datagram_reads_it_before_the_fragments_of_the_next_are_through() {
    // The lab's wire hands packets over one write(2) at a time (10 µs apart, 60 behind a
    // train's first), and a datagram above the MTU crosses as IP fragments, reassembled and
    // queued when the last lands (`ip_defrag`). 3000, 65507 and 65507 bytes sent back to
    // back are 3, 45 and 45 packets: the reader woken by the first datagram runs 30 µs later,
    // reads it and calls recv() again at once (`udp_recvmsg` takes one datagram), so each
    // 65507 finds the queue empty and is kept however far past SO_RCVBUF 1024's 2304 bytes
    // it goes (`__udp_enqueue_schedule_skb`). Measured on 6.18 (explore 5300 #9): 2000
    // (1000 truncated), 100 (65407 truncated), 2000 (63507 truncated), 5 of 6 runs.
    let json = r#"{"name": "fragments", "seed": 0, "profile": "linux",
        "tuning": {"reader_wake_us": 30},
        "hosts": [{"name": "a", "addr": "10.0.0.1"}, {"name": "b", "addr": "10.0.0.2"}],
        "network": {"default": {"latency_us": 1000, "mtu": 1500, "handover_us": 10,
                                "first_handover_us": 60}},
        "sockets": [{"label": "c", "host": "a", "proto": "udp"},
                    {"label": "s", "host": "b", "proto": "udp", "port": 9,
                     "recv_buffer": 1024}],
        "apps": [{"socket": "s", "steps": [{"call": "recv", "max": 2000, "at_us": 10000},
                                           {"call": "recv", "max": 100},
                                           {"call": "recv", "max": 2000}]},
                 {"socket": "c", "steps": [
                    {"call": "send_to", "to": "b:9", "len": 3000, "at_us": 50000},
                    {"call": "send_to", "to": "b:9", "len": 65507},
                    {"call": "send_to", "to": "b:9", "len": 65507}]}]}"#;
    let t = run(&synack_model::scenario::Scenario::from_json(json).unwrap());
    assert_eq!(rcvbuf_drops(&t), 0, "{:#?}", returns(&t, "s"));
    let lost: Vec<String> = reads(&t, "s")
        .iter()
        .map(|r| r.split(" (").nth(1).unwrap_or("").to_string())
        .collect();
    assert_eq!(
        lost,
        [
            "truncated, 1000 bytes lost)",
            "truncated, 65407 bytes lost)",
            "truncated, 63507 bytes lost)"
        ]
    );
    // The second datagram lands 45 hand-overs after the first: its last fragment's.
    assert_eq!(arrivals(&t), [51_070, 51_520, 51_970]);
}

/// Datagrams on the lab's wire (10 µs hand-overs, 60 behind a train's first, `datagram` µs
/// for each UDP packet, a reader running 30 µs after it is woken), 5 ms one way, to a socket
/// with SO_RCVBUF `rcvbuf` whose task is blocked in recv(2000) from 10 ms, reading `reads`
/// datagrams (the ones at `pause_us` and later when it is set wait until then); the sender
/// sends `bursts` (time, count) of 100-byte datagrams back to back. Returns the trace.
fn bursts_to_a_reader(
    datagram: u64,
    rcvbuf: u32,
    bursts: &[(u64, usize)],
    reads: &[Option<u64>],
) -> Trace {
    let steps: Vec<String> = reads
        .iter()
        .map(|at| match at {
            Some(at) => format!(r#"{{"call": "recv", "max": 2000, "at_us": {at}}}"#),
            None => r#"{"call": "recv", "max": 2000}"#.to_string(),
        })
        .collect();
    let sends: Vec<String> = bursts
        .iter()
        .flat_map(|&(at, n)| {
            (0..n).map(move |_| {
                format!(r#"{{"call": "send_to", "to": "b:9", "len": 100, "at_us": {at}}}"#)
            })
        })
        .collect();
    let json = format!(
        r#"{{"name": "bursts", "seed": 0, "profile": "linux",
        "tuning": {{"reader_wake_us": 30}},
        "hosts": [{{"name": "a", "addr": "10.0.0.1"}}, {{"name": "b", "addr": "10.0.0.2"}}],
        "network": {{"default": {{"latency_us": 5000, "mtu": 1500, "handover_us": 10,
                                 "first_handover_us": 60, "datagram_handover_us": {datagram}}}}},
        "sockets": [{{"label": "c", "host": "a", "proto": "udp"}},
                    {{"label": "s", "host": "b", "proto": "udp", "port": 9,
                      "recv_buffer": {rcvbuf}}}],
        "apps": [{{"socket": "s", "steps": [{}]}},
                 {{"socket": "c", "steps": [{}]}}]}}"#,
        steps.join(", "),
        sends.join(", ")
    );
    run(&synack_model::scenario::Scenario::from_json(&json).unwrap())
}

#[test]
fn datagrams_sent_together_land_before_the_reader_the_first_woke_so_the_third_100_byte_one_finds_so_rcvbuf_1024_full(
) {
    // `__udp_enqueue_schedule_skb` drops a datagram whose truesize takes sk_rmem_alloc past
    // sk_rcvbuf unless nothing is charged: SO_RCVBUF 1024 is 2304 bytes, a 100-byte datagram
    // through the TUN wire 832, so two fit and the third is dropped, unless the reader has
    // taken the first meanwhile (released at once: 832 is over a quarter of 2304,
    // `udp_rmem_release`). The wire hands datagrams over 2 µs apart, the first included (a
    // datagram is only queued; a TCP flight's long first write is TCP's), so the reader,
    // woken by the first and running 30 µs later, finds all three queued. Measured on 6.18
    // (explore 5300 #20 and three to six datagrams to SO_RCVBUF 1024): the kernel drops
    // every one past the second.
    let t = bursts_to_a_reader(2, 1024, &[(50_000, 3)], &[Some(10_000), None, None]);
    assert_eq!(rcvbuf_drops(&t), 1, "{:#?}", returns(&t, "s"));
    assert_eq!(arrivals(&t), [55_000, 55_002]);
    assert_eq!(reads(&t, "s").len(), 2);
    // Six together: still two kept.
    let t = bursts_to_a_reader(2, 1024, &[(50_000, 6)], &[Some(10_000), None, None]);
    assert_eq!(rcvbuf_drops(&t), 4, "{:#?}", returns(&t, "s"));
    // With a TCP train's hand-over (60 µs behind the first), the reader takes the first
    // before the second lands and all three fit: what the model did before.
    let t = bursts_to_a_reader(0, 1024, &[(50_000, 3)], &[Some(10_000), None, None]);
    assert_eq!(rcvbuf_drops(&t), 0, "{:#?}", returns(&t, "s"));
}

#[test]
fn a_reader_that_took_one_datagram_of_a_burst_leaves_it_charged_and_the_next_burst_finds_that_much_less_room(
) {
    // SO_RCVBUF 4096 is 8192 bytes, forward_threshold a quarter, 2048. Six 100-byte
    // datagrams (832 each) land before the reader runs; its first recv() moves all six to
    // the reader queue (`__skb_recv_udp`) and takes one, its second, 100 ms later, another:
    // 1664 owed, under the threshold with the reader queue not empty, so `udp_rmem_release`
    // releases nothing and sk_rmem_alloc stays 4992. Six more then find room for three
    // (7488; a fourth would make 8320), not five as a release at once would leave. Measured
    // on 6.18: three kept, 3 of 3 runs.
    let mut all = vec![Some(10_000), Some(150_000)];
    all.extend([Some(300_000); 12]);
    let t = bursts_to_a_reader(2, 4096, &[(50_000, 6), (200_000, 6)], &all);
    assert_eq!(rcvbuf_drops(&t), 3, "{:#?}", returns(&t, "s"));
    assert_eq!(reads(&t, "s").len(), 9);
    // A reader that took the first datagram alone (a TCP train's hand-over) released it
    // then, and four of the second six fit.
    let t = bursts_to_a_reader(0, 4096, &[(50_000, 6), (200_000, 6)], &all);
    assert_eq!(rcvbuf_drops(&t), 2, "{:#?}", returns(&t, "s"));
}
