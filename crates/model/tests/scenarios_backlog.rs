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
