//! The listen backlog: Linux's two queues, overflow behaviour, syncookies, BSD's one queue.
mod common;

use common::*;
use synack_model::presets::{self, BacklogKnobs, Knobs};
use synack_model::profile::BacklogModel;
use synack_model::scenario::{FaultRule, SegmentMatch};
use synack_model::trace::{DropReason, EventKind, TcpState, Trace};

fn backlog(b: BacklogKnobs) -> Trace {
    run(&presets::backlog(&Knobs::default(), &b))
}

fn counter(t: &Trace, name: &str) -> u64 {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Counter { name: n, value, .. } if n == name => Some(*value),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

fn drops(t: &Trace, why: DropReason) -> usize {
    t.events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::SegmentDropped { reason, .. } if *reason == why))
        .count()
}

#[test]
fn accept_queue_holds_backlog_plus_one() {
    // listen(1), never accept: clients 1 and 2 fit (backlog + 1), 3 and 4 do not.
    let t = backlog(BacklogKnobs {
        clients: 4,
        ..BacklogKnobs::default()
    });
    let caps: Vec<(u32, u32)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::QueueChanged {
                queue: synack_model::trace::QueueKind::AcceptQueue,
                len,
                cap,
                ..
            } => Some((*len, *cap)),
            _ => None,
        })
        .collect();
    assert_eq!(caps.iter().map(|c| c.0).max(), Some(2));
    assert!(caps.iter().all(|c| c.1 == 2));
    // Current Linux: the SYNs of clients 3 and 4 are dropped (and retried) while it is full.
    assert!(drops(&t, DropReason::SynAcceptQueueFull) >= 2);
    assert!(counter(&t, "ListenOverflows") >= 2);
    assert_eq!(returns(&t, "client 3")[0], "Connect ETIMEDOUT");
}

#[test]
fn overflow_with_abort_on_overflow_0_ignores_the_final_ack() {
    // The seed's story: the SYN got in, the final ACK finds the accept queue full.
    let k = Knobs {
        latency_ms: 0.05,
        ..Knobs::default()
    };
    let t = run(&presets::backlog(&k, &BacklogKnobs::real_capture()));
    assert!(drops(&t, DropReason::AcceptQueueFull) > 5);
    assert_eq!(counter(&t, "ListenOverflows"), counter(&t, "ListenDrops"));
    // Half-open: the client believed it was connected the whole time.
    assert_eq!(
        states(&t, "client 2"),
        [
            TcpState::Closed,
            TcpState::SynSent,
            TcpState::Established,
            TcpState::Closed
        ]
    );
}

#[test]
fn overflow_with_abort_on_overflow_1_answers_rst() {
    let k = Knobs {
        latency_ms: 0.05,
        ..Knobs::default()
    };
    let b = BacklogKnobs {
        abort_on_overflow: true,
        ..BacklogKnobs::real_capture()
    };
    let t = run(&presets::backlog(&k, &b));
    let p: Vec<String> = packets(&t)
        .into_iter()
        .filter(|l| l.contains(" R"))
        .collect();
    // The RST for the final ACK (tcp_abort_on_overflow), then one for the 5 bytes that were
    // already on their way to a request that no longer exists. Both answer a segment that
    // carries an ACK, so both are bare RSTs at its ACK number (`tcp_check_req` →
    // embryonic_reset → `tcp_v4_send_reset`; RFC 9293 §3.10.7.1). From the source: this
    // race could not be staged on the kernel without a delaying wire.
    assert_eq!(p[0], "1.000 server>client R seq=1 len=0", "{p:#?}");
    assert_eq!(
        states(&t, "server conn 2"),
        [TcpState::Listen, TcpState::SynReceived, TcpState::Closed]
    );
    assert_eq!(returns(&t, "client 2").last().unwrap(), "Recv ECONNRESET");
    // No SYN-ACK retransmissions this time: the request is gone at once.
    assert_eq!(packets(&t).iter().filter(|l| l.contains(" S. ")).count(), 2);
}

#[test]
fn with_abort_on_overflow_the_final_ack_a_full_queue_refuses_is_dropped_and_answered_with_rst() {
    // Linux `tcp_check_req`: `syn_recv_sock` fails on the full accept queue, ListenOverflows
    // counts it, embryonic_reset sends the RST and `tcp_v4_rcv` discards the ACK
    // (`discard_and_relse`): no socket ever takes it. Measured on 6.18
    // (backlog-full-syncookies with tcp_abort_on_overflow=1): the ACK is dropped as with the
    // sysctl at 0, and a RST answers it.
    let k = Knobs {
        latency_ms: 20.0,
        ..Knobs::default()
    };
    // Three clients 30 ms apart: the third SYN gets in before the second ACK fills the
    // queue of listen(1), so the third ACK is the one refused.
    let b = BacklogKnobs {
        clients: 3,
        connect_interval_ms: 30.0,
        abort_on_overflow: true,
        ..BacklogKnobs::default()
    };
    let t = run(&presets::backlog(&k, &b));
    let p = packets(&t);
    let ack = p
        .iter()
        .position(|l| l == "0.100 client>server . seq=1 ack=1 len=0 LOST")
        .unwrap_or_else(|| panic!("the third ACK is not dropped: {p:#?}"));
    assert_eq!(drops(&t, DropReason::AcceptQueueFull), 1, "{p:#?}");
    assert!(counter(&t, "ListenOverflows") >= 1);
    assert_eq!(p[ack + 2], "0.120 server>client R seq=1 len=0", "{p:#?}");
}

#[test]
fn accepting_later_drains_the_queue_and_every_client_gets_in() {
    let t = backlog(BacklogKnobs {
        clients: 4,
        accept_delay_ms: Some(500.0),
        accept_interval_ms: 10.0,
        ..BacklogKnobs::default()
    });
    for i in 1..=4 {
        let r = returns(&t, &format!("client {i}"));
        assert_eq!(r[0], "Connect ok", "client {i}: {r:?}");
    }
    for i in 1..=4 {
        assert!(socket(&t, &format!("conn {i}")).0 > 0);
    }
}

#[test]
fn syncookies_answer_when_the_syn_queue_is_full() {
    // listen(1): the request queue holds 2 (backlog + 1), whatever tcp_max_syn_backlog says.
    // The server accepts from 1 s on, so the cookie clients' retransmitted data gets in.
    let b = BacklogKnobs {
        backlog: 1,
        clients: 4,
        accept_delay_ms: Some(1000.0),
        accept_interval_ms: 100.0,
        syncookies: true,
        ..BacklogKnobs::default()
    };
    let mut s = presets::backlog(&Knobs::default(), &b);
    // All four clients at once, so the SYN queue (2 entries) overflows.
    for a in s.apps.iter_mut().skip(1) {
        a.steps[0].at_us = Some(0);
    }
    let t = run(&s);
    assert_eq!(counter(&t, "SyncookiesSent"), 2);
    assert_eq!(counter(&t, "SyncookiesRecv"), 2);
    for i in 1..=4 {
        assert_eq!(returns(&t, &format!("client {i}"))[0], "Connect ok");
    }

    // Without cookies the same SYNs are dropped and retried a second later.
    let b = BacklogKnobs {
        syncookies: false,
        ..b
    };
    let mut s = presets::backlog(&Knobs::default(), &b);
    for a in s.apps.iter_mut().skip(1) {
        a.steps[0].at_us = Some(0);
    }
    let t = run(&s);
    assert_eq!(counter(&t, "SyncookiesSent"), 0);
    assert!(drops(&t, DropReason::SynQueueFull) >= 1);
}

#[test]
fn bsd_single_queue_counts_half_open_and_established_together() {
    let b = BacklogKnobs {
        backlog: 2,
        clients: 3,
        connect_interval_ms: 0.0,
        model: BacklogModel::BsdSingleQueue,
        ..BacklogKnobs::default()
    };
    let t = backlog(b);
    // Two connections fill the single queue; the third SYN is dropped (not the final ACK).
    assert_eq!(drops(&t, DropReason::AcceptQueueFull), 0);
    assert!(drops(&t, DropReason::BacklogFull) >= 1);
    assert_eq!(returns(&t, "client 1")[0], "Connect ok");
    assert_eq!(returns(&t, "client 2")[0], "Connect ok");
    assert_eq!(returns(&t, "client 3")[0], "Connect ETIMEDOUT");
}

/// `n` clients send a SYN 10 ms apart to a listener that never accepts; the SYN-ACKs are
/// lost on the way back, so each request stays in the SYN queue. The run stops at 0.5 s,
/// before any SYN is retransmitted. This is the kernel probe behind the figures below: a
/// raw socket sent 10 ms-spaced SYNs whose SYN-ACKs went into a device with no reader, then
/// `ss -tan state syn-recv` counted the requests and /proc/net/netstat the counters
/// (Linux 6.18).
fn syn_flood(
    backlog: u32,
    n: u32,
    tune: impl FnOnce(&mut synack_model::scenario::Scenario),
) -> Trace {
    let b = BacklogKnobs {
        backlog,
        clients: n,
        connect_interval_ms: 10.0,
        client_sends: 0,
        ..BacklogKnobs::default()
    };
    let mut s = presets::backlog(&Knobs::default(), &b);
    s.faults
        .push(FaultRule::drop("server", SegmentMatch::SynAck, None));
    s.limits.max_time_us = 500_000;
    tune(&mut s);
    run(&s)
}

/// Requests in the SYN queue at the end (SYN-RECEIVED children).
fn requests(t: &Trace) -> usize {
    t.sockets
        .iter()
        .filter(|s| s.parent.is_some())
        .filter(|s| {
            t.events.iter().rev().find_map(|e| match &e.kind {
                EventKind::StateChanged { socket, to, .. } if *socket == s.id => Some(*to),
                _ => None,
            }) == Some(TcpState::SynReceived)
        })
        .count()
}

#[test]
fn the_syn_queue_holds_backlog_plus_one_requests_not_tcp_max_syn_backlog() {
    // Kernel, listen(4), tcp_syncookies=0, tcp_max_syn_backlog=1024, 20 SYNs: 5 requests,
    // ListenDrops 15, TCPReqQFullDrop 15.
    let t = syn_flood(4, 20, |s| s.tuning.syncookies = Some(false));
    assert_eq!(requests(&t), 5);
    assert_eq!(drops(&t, DropReason::SynQueueFull), 15);
    assert_eq!(counter(&t, "TCPReqQFullDrop"), 15);
    assert_eq!(counter(&t, "ListenDrops"), 15);
    // listen(0) still takes one request; somaxconn caps the backlog (listen(10) with
    // somaxconn 3 → 4 requests, 26 drops).
    assert_eq!(
        requests(&syn_flood(0, 10, |s| s.tuning.syncookies = Some(false))),
        1
    );
    let t = syn_flood(10, 30, |s| {
        s.tuning.syncookies = Some(false);
        s.tuning.somaxconn = Some(3);
    });
    assert_eq!(requests(&t), 4);
    assert_eq!(counter(&t, "ListenDrops"), 26);
}

#[test]
fn a_backlog_or_somaxconn_above_65535_is_taken_and_clamped_as_the_kernel_does() {
    // listen()'s backlog is an int the kernel clamps to net.core.somaxconn (`__sys_listen`),
    // itself an int sysctl; sk_max_ack_backlog is a u32 since Linux 5.7, so neither stops at
    // 65,535. listen(100000) under somaxconn 70000 keeps all 20 requests; under somaxconn 3,
    // four (backlog + 1).
    let t = syn_flood(100_000, 20, |s| {
        s.tuning.syncookies = Some(false);
        s.tuning.somaxconn = Some(70_000);
    });
    assert_eq!(requests(&t), 20);
    let t = syn_flood(100_000, 20, |s| {
        s.tuning.syncookies = Some(false);
        s.tuning.somaxconn = Some(3);
    });
    assert_eq!(requests(&t), 4);
}

#[test]
fn with_syncookies_1_the_syns_beyond_the_request_queue_get_cookies() {
    // Kernel, listen(4), tcp_syncookies=1, 20 SYNs: 5 requests, SyncookiesSent 15,
    // TCPReqQFullDoCookies 15, no ListenDrops.
    let t = syn_flood(4, 20, |s| s.tuning.syncookies = Some(true));
    assert_eq!(requests(&t), 5);
    assert_eq!(counter(&t, "SyncookiesSent"), 15);
    assert_eq!(counter(&t, "TCPReqQFullDoCookies"), 15);
    assert_eq!(counter(&t, "ListenDrops"), 0);
}

#[test]
fn with_syncookies_2_every_syn_gets_a_cookie_and_no_request_is_kept() {
    // Kernel, listen(4), tcp_syncookies=2, 20 SYNs: 0 requests, SyncookiesSent 20.
    let t = syn_flood(4, 20, |s| {
        s.tuning.syncookies = Some(true);
        s.tuning.syncookies_always = Some(true);
    });
    assert_eq!(requests(&t), 0);
    assert_eq!(counter(&t, "SyncookiesSent"), 20);
    assert_eq!(counter(&t, "TCPReqQFullDoCookies"), 20);
}

#[test]
fn without_syncookies_the_last_quarter_of_tcp_max_syn_backlog_is_kept_back() {
    // Kernel, listen(100), tcp_syncookies=0, 40 SYNs: tcp_max_syn_backlog 16 → 13 requests
    // and 27 ListenDrops (no TCPReqQFullDrop: it is the early drop); 17 → 14 requests.
    let t = syn_flood(100, 40, |s| {
        s.tuning.syncookies = Some(false);
        s.tuning.max_syn_backlog = Some(16);
    });
    assert_eq!(requests(&t), 13);
    assert_eq!(counter(&t, "ListenDrops"), 27);
    assert_eq!(counter(&t, "TCPReqQFullDrop"), 0);
    let t = syn_flood(100, 40, |s| {
        s.tuning.syncookies = Some(false);
        s.tuning.max_syn_backlog = Some(17);
    });
    assert_eq!(requests(&t), 14);
    // With syncookies on, tcp_max_syn_backlog 16 holds nothing back: 40 requests.
    let t = syn_flood(100, 40, |s| {
        s.tuning.syncookies = Some(true);
        s.tuning.max_syn_backlog = Some(16);
    });
    assert_eq!(requests(&t), 40);
    assert_eq!(counter(&t, "ListenDrops"), 0);
}

#[test]
fn a_cookie_syn_ack_looks_like_any_syn_ack_when_timestamps_can_carry_the_options() {
    use synack_model::trace::Header;
    // Measured on 6.18 over a veth with tcp_syncookies=2:
    //   with timestamps:    S. win=65160 MSS=1460,SACKOK,TS,NOP,WS=10
    //   without timestamps: S. win=64240 MSS=1460          (no room for SACK or WS)
    let synack = |ts: bool| {
        let mut s = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
        s.tuning.syncookies_always = Some(true);
        s.tuning.timestamps = Some(ts);
        let t = run(&s);
        assert_eq!(counter(&t, "SyncookiesRecv"), 1);
        assert_eq!(returns(&t, "client"), ["Connect ok"]);
        t.events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::SegmentSent { segment, .. } => match &segment.header {
                    Header::Tcp(h) if h.flags.syn && h.flags.ack => Some(h.clone()),
                    _ => None,
                },
                _ => None,
            })
            .unwrap()
    };
    let h = synack(true);
    assert_eq!(h.window, 65160);
    assert_eq!(h.options.mss, Some(1460));
    assert_eq!(h.options.window_scale, Some(10));
    assert!(h.options.sack_permitted && h.options.timestamps.is_some());
    let h = synack(false);
    assert_eq!(h.window, 64240);
    assert_eq!(h.options.mss, Some(1460));
    assert_eq!(h.options.window_scale, None);
    assert!(!h.options.sack_permitted);
}

#[test]
fn when_half_the_syn_queue_is_old_requests_the_old_ones_get_fewer_syn_ack_retries() {
    // Linux `reqsk_timer_handler`: with more than max(8, backlog)/2 requests waiting, requests
    // whose SYN-ACK already timed out get fewer retries (down to 2), as long as the queue
    // stays that full. Kernel (6.18), listen(16), 12 raw SYNs whose SYN-ACKs vanish:
    // 12 requests until +7.2 s, then 8 (four pruned after two retries), the rest kept to
    // tcp_synack_retries 5. With 6 requests nothing is pruned.
    let timeline = |n: u32| {
        let mut t = syn_flood(16, n, |s| {
            s.tuning.syncookies = Some(false);
            // The raw SYNs of the kernel run were not retransmitted.
            s.faults.push(FaultRule {
                after_us: Some(500_000),
                ..FaultRule::drop("client", SegmentMatch::Syn, None)
            });
            s.limits.max_time_us = 70_000_000;
        });
        t.events.retain(|e| e.t <= 70_000_000);
        let mut sizes = Vec::new();
        for e in &t.events {
            if let EventKind::QueueChanged {
                queue: synack_model::trace::QueueKind::SynQueue,
                len,
                ..
            } = &e.kind
            {
                if sizes.last().map(|&(_, l)| l) != Some(*len) {
                    sizes.push((e.t / 100_000, *len)); // tenths of a second
                }
            }
        }
        sizes
    };
    let a = timeline(12);
    let at = |tenths: u64| a.iter().rev().find(|&&(t, _)| t <= tenths).map(|&(_, l)| l);
    assert_eq!(at(60), Some(12), "{a:?}");
    assert_eq!(at(80), Some(8), "{a:?}");
    assert_eq!(at(620), Some(8), "{a:?}");
    assert_eq!(at(650), Some(0), "{a:?}");
    let b = timeline(6);
    assert_eq!(
        b.iter().filter(|&&(t, _)| t > 5 && t < 620).count(),
        0,
        "{b:?}"
    );
}

/// The backlog scene's "syn-flood" case at a one-way delay of `latency_ms`, with
/// tcp_syncookies as given.
fn flood_case(latency_ms: f64, syncookies: bool) -> Trace {
    let k = Knobs {
        latency_ms,
        ..Knobs::default()
    };
    let b = BacklogKnobs {
        syncookies,
        ..BacklogKnobs::of(presets::BacklogCase::SynFlood)
    };
    run(&presets::backlog(&k, &b))
}

/// The lines of `packets` sent by `from` that are SYNs, and of those the lost ones.
fn syns(t: &Trace, from: &str) -> (usize, usize) {
    let p = packets(t);
    let syn: Vec<&String> = p
        .iter()
        .filter(|l| l.contains(&format!(" {from}>server S seq=")))
        .collect();
    let lost = syn.iter().filter(|l| l.ends_with("LOST")).count();
    (syn.len(), lost)
}

/// Kernel, Linux 6.18, by hand (the lab cannot send a flood): in `unshare -n` on loopback,
/// listen(4), a raw socket sends 8 bare SYNs 1 ms apart from one source address whose SYN-ACKs
/// an nft rule drops, then two connect()s 100 ms apart. tcp_syncookies=0: 5 requests in
/// `ss state syn-recv`, neither client connected within 0.5 s, TcpExtTCPReqQFullDrop 5 and
/// TcpExtListenDrops 5 (the flood's last 3 SYNs and the 2 clients'). tcp_syncookies=1:
/// TcpExtTCPReqQFullDoCookies 5, SyncookiesSent 5, SyncookiesRecv 2, both connected.
/// (snippets/node/backlog/syn-flood.mjs gives the same counts with eight Node.js sockets as
/// the flood.)
#[test]
fn the_syn_flood_case_drops_the_clients_syns_without_cookies_whatever_the_latency() {
    // 0 ms is the backlog scene's own one-way delay (src/scenes/backlog/mod.rs); the others
    // show that the drops do not hang on the round trip: the flood's requests are never
    // completed, so they hold the SYN queue (listen(4): 5 requests) until their SYN-ACK
    // retries run out.
    for latency in [0.0, 0.05, 20.0, 200.0] {
        let t = flood_case(latency, false);
        let (flood_syns, flood_lost) = syns(&t, "attacker");
        assert_eq!((flood_syns, flood_lost), (8, 3), "{latency} ms");
        let (client_syns, client_lost) = syns(&t, "client");
        assert!(
            client_lost >= 2,
            "{latency} ms: every client's first SYN is dropped"
        );
        assert_eq!(
            client_syns,
            client_lost + 2,
            "{latency} ms: one SYN each gets in"
        );
        let dropped = drops(&t, DropReason::SynQueueFull);
        assert_eq!(dropped, flood_lost + client_lost, "{latency} ms");
        // Counted as tcp_conn_request counts them (`tcp_syn_flood_action`, `tcp_listendrop`).
        assert_eq!(counter(&t, "TCPReqQFullDrop") as usize, dropped);
        assert_eq!(counter(&t, "ListenDrops") as usize, dropped);
        assert_eq!(counter(&t, "SyncookiesSent"), 0);
        // Nobody ever answers a SYN-ACK of the flood: no request of it completes.
        assert!(!packets(&t).iter().any(|l| l.contains(" attacker>server .")));
        for c in ["client 1", "client 2"] {
            assert_eq!(returns(&t, c)[0], "Connect ok", "{latency} ms, {c}");
        }
    }
    // At the scene's 0 ms: the clients get in only once the oldest request has expired,
    // 7 s in (SYN-ACK retries after 1 and 2 s, cut to 2 by `reqsk_timer_handler` while the
    // queue is more than half full of old requests), on their SYN retransmission of 7.2 s
    // (each SYN and SYN-ACK timer fired by the timer wheel, 16 ms late at 1 and 2 s).
    let t = flood_case(0.0, false);
    assert_eq!(
        entered(&t, "client 1", TcpState::Established),
        vec![7_203_000]
    );
}

#[test]
fn with_syncookies_the_syn_flood_case_answers_cookies_and_the_clients_connect_at_once() {
    let t = flood_case(0.0, true);
    // The flood's last three SYNs and the two clients' SYNs find the SYN queue full: a
    // cookie each instead of a request (`tcp_syn_flood_action` → TCPReqQFullDoCookies).
    assert_eq!(counter(&t, "TCPReqQFullDoCookies"), 5);
    assert_eq!(counter(&t, "SyncookiesSent"), 5);
    // Only the clients answer theirs.
    assert_eq!(counter(&t, "SyncookiesRecv"), 2);
    assert_eq!(counter(&t, "ListenDrops"), 0);
    assert_eq!(drops(&t, DropReason::SynQueueFull), 0);
    assert_eq!(syns(&t, "client"), (2, 0));
    assert_eq!(
        entered(&t, "client 1", TcpState::Established),
        vec![107_000]
    );
    assert_eq!(
        entered(&t, "client 2", TcpState::Established),
        vec![207_000]
    );
}

#[test]
fn a_flood_that_cannot_be_sent_is_refused_naming_its_field() {
    let mut s = presets::backlog(
        &Knobs::default(),
        &BacklogKnobs::of(presets::BacklogCase::SynFlood),
    );
    let at = s.hosts.iter().position(|h| h.flood.is_some()).unwrap();
    let err =
        |s: &synack_model::scenario::Scenario| synack_model::simulate(s).unwrap_err().to_string();
    // One source port per SYN: 8 SYNs from 65530 would need ports up to 65537.
    let mut bad = s.clone();
    bad.hosts[at].flood.as_mut().unwrap().first_port = 65_530;
    assert!(
        err(&bad).contains(&format!("hosts[{at}].flood.first_port")),
        "{}",
        err(&bad)
    );
    let mut bad = s.clone();
    bad.hosts[at].flood.as_mut().unwrap().count = 0;
    assert!(
        err(&bad).contains(&format!("hosts[{at}].flood.count")),
        "{}",
        err(&bad)
    );
    // A flood host runs no sockets.
    s.sockets[1].host = "attacker".into();
    assert!(err(&s).contains("sends a SYN flood"), "{}", err(&s));
}

/// A connection to a listener with tcp_syncookies 2 over a 20 ms wire of MTU 1500 (the
/// machine of the kernel recordings: MSS 1460, window scale 10, 65536 of receive space), the
/// client sending 5 bytes at 150 ms; `ack_lost`: the handshake's last ACK is dropped.
fn cookie_handshake(ack_lost: bool) -> Trace {
    let fault = if ack_lost {
        r#"[{"from": "client", "matches": "pure_ack", "nth": 1, "action": "drop"}]"#
    } else {
        "[]"
    };
    let json = format!(
        r#"{{"name": "cookies", "seed": 1,
        "tuning": {{"mss": 1460, "window_scale": 10, "recv_buffer": 65536,
                   "rcv_skb_overhead": 856, "syncookies": true, "syncookies_always": true}},
        "hosts": [{{"name": "client", "addr": "10.47.0.1"}}, {{"name": "server", "addr": "10.47.0.2"}}],
        "network": {{"default": {{"latency_us": 20000, "mtu": 1500}}}},
        "faults": {fault},
        "sockets": [{{"label": "listener", "host": "server", "proto": "tcp", "port": 9999}},
                    {{"label": "client", "host": "client", "proto": "tcp"}}],
        "apps": [{{"socket": "listener", "steps": [{{"call": "listen", "backlog": 8}},
                    {{"call": "accept", "label": "server"}}, {{"call": "recv", "max": 65536}}]}},
                 {{"socket": "client", "steps": [{{"at_us": 50000, "call": "connect", "to": "server:9999"}},
                    {{"at_us": 150000, "call": "send", "len": 5}}]}}],
        "limits": {{"max_time_us": 500000}}}}"#
    );
    run(&synack_model::scenario::Scenario::from_json(&json).unwrap())
}

/// The TCP segments the server (port 9999) sends, with when.
fn from_server(t: &Trace) -> Vec<(u64, synack_model::trace::TcpHeader)> {
    use synack_model::trace::Header;
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } if segment.src.port == 9999 => {
                match &segment.header {
                    Header::Tcp(h) => Some((e.t, h.clone())),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_cookie_child_is_born_established_and_its_first_window_comes_from_the_cookies_mss() {
    use synack_model::trace::TcpState;
    // Kernel 6.18 (tests/kernel-recordings/linux-6.18/syncookies-always): no SYN-RECEIVED
    // anywhere on the server, and the server's first ACK offers 63 << 10 (64240, 44 × the
    // cookie's MSS 1460, rounded up to the scale unit), not a request's 64 << 10.
    let t = cookie_handshake(false);
    let st = states(&t, "server");
    assert!(!st.contains(&TcpState::SynReceived), "{st:?}");
    assert_eq!(st.last(), Some(&TcpState::Established));
    let server_acks: Vec<u16> = from_server(&t)
        .into_iter()
        .filter(|(_, h)| !h.flags.syn)
        .map(|(_, h)| h.window)
        .collect();
    assert_eq!(server_acks, [63]);
}

#[test]
fn with_the_handshakes_last_ack_lost_the_first_data_segment_returns_the_cookie_and_its_data_is_read(
) {
    // Kernel 6.18 (syncookies-always-ack-lost): the 5 bytes at 150 ms make the connection,
    // are ACKed one wire delay later and read; nothing is retransmitted.
    let t = cookie_handshake(true);
    assert_eq!(returns(&t, "server"), ["Recv 5 bytes: client #0[0..5]"]);
    let sent = t
        .events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::SegmentSent { segment, .. } if segment.retransmission > 0))
        .count();
    assert_eq!(sent, 0, "{:#?}", packets(&t));
    assert_eq!(counter(&t, "SyncookiesRecv"), 1);
}

#[test]
fn a_segment_past_the_peers_isn_plus_one_does_not_return_the_cookie_and_draws_a_rst() {
    // Kernel 6.18 (explore 700-31, tcp_syncookies 2): with listen(0) and one connection
    // waiting, a second client's ACK and 5 bytes are refused (accept queue full); it closes
    // 500 ms later and its FIN (seq 6) reaches the listener. The cookie hashes the client's
    // ISN, read back as the segment's seq - 1 (`__cookie_v4_check`): the FIN does not return
    // it, and the listener answers an ACK for no connection with a RST. The client is CLOSED.
    let json = r#"{"name": "cookie-fin", "seed": 1,
        "tuning": {"syncookies": true, "syncookies_always": true},
        "hosts": [{"name": "client", "addr": "10.47.0.1"}, {"name": "server", "addr": "10.47.0.2"}],
        "network": {"default": {"latency_us": 50000, "mtu": 1500}},
        "sockets": [{"label": "listener", "host": "server", "proto": "tcp", "port": 9999},
                    {"label": "first", "host": "client", "proto": "tcp"},
                    {"label": "second", "host": "client", "proto": "tcp"}],
        "apps": [{"socket": "listener", "steps": [{"call": "listen", "backlog": 0}]},
                 {"socket": "first", "steps": [{"at_us": 50000, "call": "connect", "to": "server:9999"}]},
                 {"socket": "second", "steps": [{"at_us": 80000, "call": "connect", "to": "server:9999"},
                    {"call": "send", "len": 5}, {"after_us": 500000, "call": "close"}]}],
        "limits": {"max_time_us": 1500000}}"#;
    let t = run(&synack_model::scenario::Scenario::from_json(json).unwrap());
    let resets: Vec<u64> = from_server(&t)
        .into_iter()
        .filter(|(_, h)| h.flags.rst)
        .map(|(t, _)| t)
        .collect();
    // The FIN leaves at 680 ms (the close), arrives at 730 ms.
    assert_eq!(resets, [730_000], "{:#?}", packets(&t));
    assert_eq!(states(&t, "second").last(), Some(&TcpState::Closed));
    assert!(drops(&t, DropReason::AcceptQueueFull) >= 2);
}

#[test]
fn recv_on_a_listener_fails_with_enotconn_and_a_connection_does_not_wake_it() {
    // Linux `tcp_recvmsg_locked`: "if (sk->sk_state == TCP_LISTEN) goto out" with ENOTCONN,
    // at once. The model blocked the recv(); then a connection made the listener readable
    // (its accept queue, as poll() sees it), which woke the recv() again and again at one
    // instant for ever (a hang robust.rs's random scenarios found).
    let json = r#"{
      "name": "recv on a listener", "seed": 1,
      "hosts": [{"name": "h0", "addr": "10.0.0.1"}, {"name": "h1", "addr": "10.0.0.2"}],
      "sockets": [{"label": "l", "host": "h0", "proto": "tcp", "port": 80},
                  {"label": "c", "host": "h1", "proto": "tcp"}],
      "apps": [
        {"socket": "l", "steps": [{"call": "listen", "backlog": 1}, {"call": "recv", "max": 100}]},
        {"socket": "c", "steps": [{"call": "connect", "to": "h0:80", "at_us": 1000}]}
      ],
      "limits": {"max_time_us": 100000}
    }"#;
    let t = run(&synack_model::scenario::Scenario::from_json(json).unwrap());
    assert!(t.cut_short.is_none(), "{:?}", t.cut_short);
    assert_eq!(returns(&t, "l"), ["Listen ok", "Recv ENOTCONN"]);
    assert_eq!(returns(&t, "c"), ["Connect ok"]);
}

/// A listener `l` on h0:80 and a client `c` on h1, with `l_steps` for the task that listens,
/// `other` for a second task calling on the same listener, `c_steps` for the client; asserts
/// what the calls on `l` (both tasks, in time order) and on `c` returned.
fn two_tasks_on_a_listener(
    [l_steps, other, c_steps]: [&str; 3],
    l_want: &[&str],
    c_want: &[&str],
) -> Trace {
    let json = format!(
        r#"{{
      "name": "two tasks on a listener", "seed": 1,
      "hosts": [{{"name": "h0", "addr": "10.0.0.1"}}, {{"name": "h1", "addr": "10.0.0.2"}}],
      "sockets": [{{"label": "l", "host": "h0", "proto": "tcp", "port": 80}},
                  {{"label": "c", "host": "h1", "proto": "tcp"}}],
      "apps": [
        {{"socket": "l", "steps": [{l_steps}]}},
        {{"socket": "l", "steps": [{other}]}},
        {{"socket": "c", "steps": [{c_steps}]}}
      ],
      "limits": {{"max_time_us": 1000000}}
    }}"#
    );
    let t = run(&synack_model::scenario::Scenario::from_json(&json).unwrap());
    assert!(t.cut_short.is_none(), "{:?}", t.cut_short);
    assert_eq!(returns(&t, "l"), l_want);
    assert_eq!(returns(&t, "c"), c_want);
    t
}

#[test]
fn shutdown_rd_of_a_listener_fails_an_accept_blocked_in_another_task_with_einval() {
    // Linux `inet_shutdown` on a listener with SHUT_RD: `tcp_disconnect` →
    // `inet_csk_listen_stop`, state CLOSE, then `sk_state_change` wakes the task sleeping in
    // `inet_csk_wait_for_connect`, which finds "sk->sk_state != TCP_LISTEN": EINVAL. The
    // port is closed: a client's SYN draws a RST. Measured on 6.18 (recording
    // shutdown-of-a-listener-fails-a-blocked-accept-with-einval). The model left the accept()
    // blocked.
    let t = two_tasks_on_a_listener(
        [
            r#"{"call": "listen", "backlog": 8}, {"call": "accept"}"#,
            r#"{"at_us": 200000, "call": "shutdown", "how": "rd"},
           {"at_us": 300000, "call": "accept"}"#,
            r#"{"at_us": 400000, "call": "connect", "to": "h0:80"}"#,
        ],
        &["Listen ok", "Shutdown ok", "Accept EINVAL", "Accept EINVAL"],
        &["Connect ECONNREFUSED"],
    );
    let l = socket(&t, "l");
    let accepts: Vec<u64> = t
        .events
        .iter()
        .filter(|e| {
            matches!(&e.kind, EventKind::AppReturn { socket, call: synack_model::trace::AppCallKind::Accept, .. } if *socket == l)
        })
        .map(|e| e.t)
        .collect();
    assert_eq!(accepts, [200_000, 300_000]);
}

#[test]
fn a_listener_stopped_by_shutdown_rd_listens_again_and_a_second_shutdown_is_enotconn() {
    // After `tcp_disconnect` the listener is CLOSE, still bound, and `inet_shutdown` left it
    // SS_UNCONNECTED: a second shutdown() is ENOTCONN (TCP_CLOSE), and `inet_listen` starts
    // it again (`inet_csk_listen_start`). Measured on 6.18. The model returned ok for the
    // second shutdown() and EINVAL for the listen().
    two_tasks_on_a_listener(
        [
            r#"{"call": "listen", "backlog": 8}, {"call": "accept"}"#,
            r#"{"at_us": 200000, "call": "shutdown", "how": "rd"},
           {"at_us": 250000, "call": "shutdown", "how": "rd"},
           {"at_us": 300000, "call": "listen", "backlog": 8},
           {"at_us": 500000, "call": "accept"}"#,
            r#"{"at_us": 400000, "call": "connect", "to": "h0:80"}"#,
        ],
        &[
            "Listen ok",
            "Shutdown ok",
            "Accept EINVAL",
            "Shutdown ENOTCONN",
            "Listen ok",
            "Accept accepted socket 2",
        ],
        &["Connect ok"],
    );
}

#[test]
fn listen_on_a_listener_only_sets_its_backlog() {
    // `inet_listen` on a socket in LISTEN sets `sk_max_ack_backlog` and returns 0 (the start
    // is only "if (old_state != TCP_LISTEN)"). Measured on 6.18 (listen() after shutdown(SHUT_WR)
    // of a listener, which does nothing to it). The model returned EINVAL.
    two_tasks_on_a_listener(
        [
            r#"{"call": "listen", "backlog": 8},
             {"at_us": 200000, "call": "shutdown", "how": "wr"},
             {"at_us": 300000, "call": "listen", "backlog": 2},
             {"at_us": 500000, "call": "accept"}"#,
            "",
            r#"{"at_us": 400000, "call": "connect", "to": "h0:80"}"#,
        ],
        &[
            "Listen ok",
            "Shutdown ok",
            "Listen ok",
            "Accept accepted socket 2",
        ],
        &["Connect ok"],
    );
}

#[test]
fn poll_on_a_listener_returns_when_another_task_stops_it() {
    // `tcp_poll` reports EPOLLHUP for a socket in TCP_CLOSE, and `inet_shutdown`'s
    // `sk_state_change` wakes the poller. Measured on 6.18: poll() returns 1 at the
    // shutdown(SHUT_RD), the accept() after it is EINVAL. The model left the poll() blocked.
    two_tasks_on_a_listener(
        [
            r#"{"call": "listen", "backlog": 8}, {"call": "poll"}, {"call": "accept"}"#,
            r#"{"at_us": 200000, "call": "shutdown", "how": "rd"}"#,
            r#"{"at_us": 400000, "call": "connect", "to": "h0:80"}"#,
        ],
        &[
            "Listen ok",
            "Shutdown ok",
            "Poll 1 (POLLIN)",
            "Accept EINVAL",
        ],
        &["Connect ECONNREFUSED"],
    );
}

#[test]
fn close_of_a_listener_by_another_task_waits_for_the_accept_blocked_on_it() {
    // close() drops a descriptor; a call blocked on it in another thread holds the file
    // (`fdget` in `__sys_accept4` when the file table is shared), so the listener stays
    // LISTEN until that accept() returns, and closes then. Seen on 6.18 with two threads on
    // one listener's descriptor: the blocked accept() takes the next client. The model
    // closed the listener at once (the accept() failed with EINVAL, and before that rule
    // stayed blocked for ever), the client refused.
    let t = two_tasks_on_a_listener(
        [
            r#"{"call": "listen", "backlog": 8}, {"call": "accept"}"#,
            r#"{"at_us": 200000, "call": "close"}"#,
            r#"{"at_us": 400000, "call": "connect", "to": "h0:80"}"#,
        ],
        &["Listen ok", "Close ok", "Accept accepted socket 2"],
        &["Connect ok"],
    );
    assert_eq!(
        entered(&t, "l", TcpState::Closed),
        [460_000],
        "the listener closes when the accept() returns, at the handshake's last ACK"
    );
}

#[test]
fn of_two_syn_timers_on_one_wheel_tick_the_later_armed_fires_first() {
    // kernel/time/timer.c: `enqueue_timer` files a timer at the head of its bucket
    // (`hlist_add_head`) and `expire_timers` runs a bucket from the head. Two clients connect
    // 10 ms apart and lose their SYNs; the 1 s retransmission timers (level 1, 32 ms buckets)
    // share the tick at 1056 ms (jiffies at 0 when the scenario starts, HZ 250), and the
    // later client's SYN leaves first. Measured on 6.18 (explore seed 2000 #12): in each of 8
    // runs where the two shared a bucket.
    let sc: synack_model::scenario::Scenario = serde_json::from_value(serde_json::json!({
        "name": "two SYN timers on one tick",
        "tuning": { "timer_wheel_origin_us": 0 },
        "hosts": [{ "name": "a", "addr": "10.0.0.1" }, { "name": "b", "addr": "10.0.0.2" }],
        "network": { "default": { "latency_us": 50000 } },
        "sockets": [
            { "label": "listener", "host": "b", "proto": "tcp", "port": 80 },
            { "label": "client 1", "host": "a", "proto": "tcp", "port": 40001 },
            { "label": "client 2", "host": "a", "proto": "tcp", "port": 40002 }
        ],
        "faults": [{ "matches": "syn", "until_us": 500000, "action": "drop" }],
        "apps": [
            { "socket": "listener", "steps": [{ "call": "listen", "backlog": 8 }] },
            { "socket": "client 1", "steps": [{ "at_us": 30000, "call": "connect", "to": "b:80" }] },
            { "socket": "client 2", "steps": [{ "at_us": 40000, "call": "connect", "to": "b:80" }] }
        ]
    }))
    .unwrap();
    let t = run(&sc);
    let resent: Vec<(u64, u16)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } => match &segment.header {
                synack_model::trace::Header::Tcp(h)
                    if h.flags.syn && !h.flags.ack && segment.retransmission == 1 =>
                {
                    Some((e.t, segment.src.port))
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(resent, [(1_056_000, 40002), (1_056_000, 40001)]);
}

/// A client that ended a connection well (its FIN acknowledged by the server in LAST-ACK,
/// so the server's host cached its RTT) connects again after a flood of 7 SYNs from another
/// host filled 7 places of a SYN queue of tcp_max_syn_backlog 8 without SYN cookies; `tuning` is
/// spliced in.
fn proven_client_after_a_flood(tuning: &str) -> synack_model::trace::Trace {
    let s: synack_model::scenario::Scenario = serde_json::from_str(&format!(
        r#"{{
        "name": "proven", "profile": "linux",
        "tuning": {{ "syncookies": false, "max_syn_backlog": 8 {tuning} }},
        "hosts": [{{"name": "client", "addr": "10.0.0.1"}}, {{"name": "server", "addr": "10.0.0.2"}},
          {{"name": "flooder", "addr": "10.0.0.3",
            "flood": {{"to": "server:80", "count": 7, "at_us": 300000, "every_us": 1000}}}}],
        "network": {{"default": {{"latency_us": 20000}}}},
        "sockets": [
          {{"label": "listener", "host": "server", "proto": "tcp", "port": 80}},
          {{"label": "client", "host": "client", "proto": "tcp"}},
          {{"label": "client again", "host": "client", "proto": "tcp"}}],
        "apps": [
          {{"socket": "listener", "steps": [
            {{"call": "listen", "backlog": 100}},
            {{"call": "accept", "label": "server"}},
            {{"call": "recv", "max": 100}},
            {{"call": "close"}}]}},
          {{"socket": "client", "steps": [
            {{"call": "connect", "to": "server:80"}},
            {{"call": "send", "len": 10}},
            {{"call": "close"}}]}},
          {{"socket": "client again", "steps": [
            {{"at_us": 400000, "call": "connect", "to": "server:80"}}]}}],
        "limits": {{"max_time_us": 600000}}
    }}"#
    ))
    .unwrap();
    run(&s)
}

#[test]
fn a_peer_with_a_cached_rtt_gets_into_the_last_quarter_of_the_syn_queue() {
    // `tcp_conn_request` without SYN cookies drops a SYN once fewer than a quarter of
    // tcp_max_syn_backlog's places are left (7 of 8 taken), unless `tcp_peer_is_proven`:
    // the host holds an RTT for the sender, which the first connection left when the
    // server's FIN was acknowledged in LAST-ACK (`tcp_update_metrics`).
    let t = proven_client_after_a_flood("");
    assert_eq!(
        final_state(&t, "client again"),
        Some(synack_model::trace::TcpState::Established)
    );
    // tcp_no_metrics_save 1: no RTT was kept, the SYN is dropped (and resent after 1 s,
    // past the run).
    let t = proven_client_after_a_flood(r#", "no_metrics_save": true"#);
    assert_eq!(
        final_state(&t, "client again"),
        Some(synack_model::trace::TcpState::SynSent)
    );
}
