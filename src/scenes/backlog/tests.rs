//! The backlog scene: its cases and URL knobs, and the facts its panel draws.

use super::analysis::*;
use super::*;

use synack_model::trace::{EventKind, Header, Trace};

use crate::i18n::Lang;

/// A case as the page runs it: the scene's own defaults (a one-way delay of 0 ms), its knobs
/// as the URL sets them.
fn run_with(id: &str, knobs: &[(&str, u32)]) -> Trace {
    let mut p = SCENE.base_params();
    p.case = id.to_string();
    for (k, v) in knobs {
        p.knobs.insert(k.to_string(), *v);
    }
    SCENE.run(&p, &crate::route::Query::default()).unwrap()
}

fn run(id: &str) -> Trace {
    run_with(id, &[])
}

/// Every sentence the narration says about a dropped SYN, in both languages, for a case.
fn syn_drop_sentences(id: &str) -> Vec<String> {
    use crate::engine::labels::Isns;
    use crate::engine::narration::{find_segment, sentence};
    let t = run(id);
    let isns = Isns::of_trace(&t);
    let mut out = Vec::new();
    for (i, ev) in t.events.iter().enumerate() {
        if let EventKind::SegmentDropped { id, .. } = &ev.kind {
            let syn = find_segment(&t, i, *id).is_some_and(
                |s| matches!(&s.header, Header::Tcp(h) if h.flags.syn && !h.flags.ack),
            );
            if syn {
                for lang in [Lang::En, Lang::Zh] {
                    out.extend(sentence(&t, &isns, i, lang, crate::i18n::Api::C));
                }
            }
        }
    }
    out
}

#[test]
fn a_syn_dropped_for_a_full_accept_queue_is_said_to_be_the_accept_queues() {
    // listen(fd, 1), four clients, nobody accepts: the accept queue is what is full.
    let said = syn_drop_sentences("overflow");
    assert!(!said.is_empty(), "the case drops SYNs");
    for s in &said {
        assert!(s.contains("accept"), "{s}");
        assert!(!s.contains("SYN queue") && !s.contains("SYN 队列"), "{s}");
    }
}

#[test]
fn a_syn_dropped_for_a_full_syn_queue_without_cookies_is_said_to_be_the_syn_queues() {
    let said = syn_drop_sentences("syn-flood");
    assert!(!said.is_empty(), "the case drops SYNs");
    assert!(
        said.iter()
            .all(|s| s.contains("SYN queue") || s.contains("SYN 队列")),
        "{said:#?}"
    );
}

#[test]
fn the_syn_flood_case_drops_syns_at_the_scenes_own_latency_and_counts_them_as_linux_does() {
    let t = run("syn-flood");
    assert_eq!(crate::scenes::knobs(&SCENE.base_params()).latency_ms, 0.0);
    let rows = packet_rows(&t);
    let dropped_syns = |from: &str| {
        rows.iter()
            .filter(|r| {
                r.flags == "SYN" && r.dropped.is_some() && addr(&t, r.src).starts_with(from)
            })
            .count()
    };
    // The flood's last three SYNs and every client's first SYN find the SYN queue full.
    assert_eq!(dropped_syns("203.0.113.66"), 3, "{rows:#?}");
    assert!(dropped_syns("10.0.0.1") >= 2, "{rows:#?}");
    let (syn, _, c) = queues_at(&t, 150_000);
    assert_eq!(
        syn,
        (5, 5),
        "listen(fd, 4): five half-open requests fill the SYN queue"
    );
    let n = |k: &str| c.get(k).copied().unwrap_or(0);
    assert_eq!(n("TCPReqQFullDrop"), 4, "{c:?}");
    assert_eq!(n("ListenDrops"), 4, "{c:?}");
    // The same case with tcp_syncookies=1: cookies, no drops.
    let t = run_with("syn-flood", &[("syncookies", 1)]);
    let (_, _, c) = queues_at(&t, t.duration_us);
    let n = |k: &str| c.get(k).copied().unwrap_or(0);
    assert_eq!((n("SyncookiesSent"), n("ListenDrops")), (5, 0), "{c:?}");
    // And without the flood nothing is dropped at all.
    let t = run_with("syn-flood", &[("flood", 0)]);
    assert!(packet_rows(&t).iter().all(|r| r.dropped.is_none()));
}

#[test]
fn the_real_capture_lists_synack_retransmissions_dup_acks_and_the_rst() {
    let rows = packet_rows(&run("real-capture"));
    let retx_synack = rows
        .iter()
        .filter(|r| r.flags == "SYN, ACK" && r.retransmission)
        .count();
    assert_eq!(retx_synack, 5, "{rows:#?}");
    assert!(rows.iter().any(|r| r.dup_ack), "{rows:#?}");
    assert!(rows.iter().any(|r| r.flags.contains("RST")));
    assert_eq!(rows[0].no, 1);
    assert_eq!((rows[0].seq, rows[0].ack), (0, 0));
}

#[test]
fn overflow_fills_the_accept_queue_and_counts() {
    let t = run("overflow");
    let (_, acc, c) = queues_at(&t, t.duration_us);
    assert_eq!(acc, (2, 2));
    assert!(c.get("ListenOverflows").copied().unwrap_or(0) >= 2, "{c:?}");
}

#[test]
fn knobs_override_the_case_and_a_bigger_backlog_stops_the_overflow() {
    let mut o = VecMap::new();
    // The overflow case's four clients all fit once listen() asks for 8 (9 slots).
    o.insert("backlog".to_string(), 8);
    let b = effective("overflow", &o);
    assert_eq!((b.backlog, b.clients), (8, 4));
    let t = synack_model::simulate(&scenario(&Knobs::default(), "overflow", &o)).unwrap();
    let (_, acc, c) = queues_at(&t, t.duration_us);
    assert_eq!(acc, (4, 9), "four clients wait, nobody accepts");
    assert_eq!(c.get("ListenOverflows").copied().unwrap_or(0), 0, "{c:?}");
    // Every knob reads back what was set, in its range.
    for spec in KNOBS {
        let mut o = VecMap::new();
        o.insert("accepts".to_string(), 1);
        o.insert(spec.key.to_string(), spec.max);
        assert_eq!(
            knob_value(&effective("overflow", &o), spec.key),
            spec.max,
            "{}",
            spec.key
        );
    }
    // accept() switched on: the first call comes at accept_after.
    let mut o = VecMap::new();
    o.insert("accepts".to_string(), 1);
    o.insert("accept_after".to_string(), 700);
    assert_eq!(effective("overflow", &o).accept_delay_ms, Some(700.0));
    o.insert("accepts".to_string(), 0);
    assert_eq!(effective("overflow", &o).accept_delay_ms, None);
}

#[test]
fn unknown_case_falls_back_to_the_real_capture() {
    assert!(BacklogCase::from_id("nope").is_none());
    let a = run("nope");
    let b = run("real-capture");
    assert_eq!(a.events.len(), b.events.len());
}
