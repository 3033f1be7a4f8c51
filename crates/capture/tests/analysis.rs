//! Conversations, TCP analysis and the trace built from one conversation.

mod corpus;
mod support;

use synack_capture::conversation::Progress;
use synack_capture::tcp_analysis::mark;
use synack_capture::to_trace::conversation_trace;
use synack_capture::{analyze, read, Filter};
use synack_model::trace::{EventKind, Header, Proto, SocketId, TcpState, Trace};

fn load(bytes: &[u8]) -> (synack_capture::Capture, synack_capture::Analysis) {
    let cap = read(bytes);
    assert!(cap.problems.is_empty(), "{:?}", cap.problems);
    let an = analyze(&cap.packets);
    (cap, an)
}

#[test]
fn orderly_connection_row() {
    let (cap, an) = load(&corpus::handshake_data_close());
    assert_eq!(an.conversations.len(), 1);
    let c = &an.conversations[0];
    assert_eq!(c.proto, Proto::Tcp);
    assert_eq!(c.a.to_string(), "10.0.0.1:40000");
    assert_eq!(c.b.to_string(), "10.0.0.2:80");
    assert_eq!((c.packets_a_to_b, c.packets_b_to_a), (6, 5));
    assert_eq!(c.payload_a_to_b, 100);
    assert_eq!(c.payload_b_to_a, 2000);
    let frame_bytes: u64 = cap.packets.iter().map(|p| p.frame_len as u64).sum();
    assert_eq!(c.total_bytes(), frame_bytes);
    assert_eq!(
        c.duration_ns(),
        cap.packets.last().unwrap().ts_ns - cap.packets[0].ts_ns
    );
    assert_eq!(c.progress, Progress::Closed);
    assert_eq!(c.client, Some(0));
    // The client closed first: it ends in TIME-WAIT, the server in CLOSED.
    assert_eq!(c.final_state, Some([TcpState::TimeWait, TcpState::Closed]));
    assert_eq!(
        c.furthest_state,
        Some([TcpState::TimeWait, TcpState::LastAck])
    );
    assert!(!c.has_trouble());
    assert_eq!(c.mss, [Some(1460), Some(1460)]);
    assert_eq!(c.window_scale, [Some(7), Some(7)]);
    // Handshake RTT at the capture point: SYN → final ACK = 2000 + 10 + 200 + 10 µs.
    assert_eq!(c.handshake_rtt_ns, Some(2_220_000));
    // Relative sequence numbers: first data byte is 1.
    assert_eq!(an.packets[3].tcp.rel_seq, 1);
    assert_eq!(an.packets[4].tcp.rel_ack, 101);
}

#[test]
fn client_state_walk_follows_rfc_9293() {
    let (_, an) = load(&corpus::handshake_data_close());
    let c = &an.conversations[0];
    let walk = |ep: u8| -> Vec<TcpState> {
        c.state_changes
            .iter()
            .filter(|s| s.endpoint == ep)
            .map(|s| s.to)
            .collect()
    };
    use TcpState::*;
    assert_eq!(
        walk(0),
        vec![SynSent, Established, FinWait1, FinWait2, TimeWait]
    );
    assert_eq!(
        walk(1),
        vec![Listen, SynReceived, Established, CloseWait, LastAck, Closed]
    );
}

#[test]
fn trouble_is_counted_and_marked() {
    let (_, an) = load(&corpus::retransmissions());
    let c = &an.conversations[0];
    let t = c.trouble;
    assert_eq!(t.retransmissions, 3, "RTO + fast + spurious");
    assert_eq!(t.fast_retransmissions, 1);
    assert_eq!(t.duplicate_acks, 4);
    assert_eq!(t.out_of_order, 1);
    assert_eq!(t.resets, 1);
    assert_eq!(c.progress, Progress::Reset);
    assert!(c.has_trouble());
    let dup_nums: Vec<u16> = an
        .packets
        .iter()
        .filter(|p| p.tcp.marks & mark::DUPLICATE_ACK != 0)
        .map(|p| p.tcp.dup_ack_num)
        .collect();
    assert_eq!(dup_nums, vec![1, 2, 3, 4]);
    // Sequence numbers relative to an ISN near 2^32 wrap correctly.
    assert_eq!(an.packets[5].tcp.rel_ack, 501);

    let (_, an) = load(&corpus::zero_window_keepalive());
    let t = an.conversations[0].trouble;
    assert_eq!(t.zero_windows, 2);
    assert_eq!(t.keep_alives, 2);
    assert_eq!(t.window_full, 1);
    let m = an.conversations[0].marks;
    for bit in [
        mark::ZERO_WINDOW_PROBE,
        mark::WINDOW_UPDATE,
        mark::KEEP_ALIVE_ACK,
    ] {
        assert!(m & bit != 0, "{:?}", mark::names(bit));
    }
}

#[test]
fn refused_connections_port_reuse_and_udp() {
    let (_, an) = load(&corpus::refused_udp_v6());
    let progress: Vec<_> = an
        .conversations
        .iter()
        .map(|c| (c.proto, c.progress))
        .collect();
    assert_eq!(
        progress,
        vec![
            (Proto::Tcp, Progress::Refused),
            (Proto::Tcp, Progress::Refused),
            (Proto::Udp, Progress::Datagrams)
        ]
    );
    assert!(an.packets[2].tcp.marks & mark::PORTS_REUSED != 0);
    let u = &an.conversations[2];
    assert_eq!((u.packets_a_to_b, u.packets_b_to_a), (2, 1));

    let (_, an) = load(&corpus::null_loopback());
    assert_eq!(
        an.conversations.len(),
        2,
        "same ports, new ISN: a new connection"
    );
    assert_eq!(an.conversations[0].progress, Progress::Closed);
    assert_eq!(an.conversations[1].progress, Progress::Reset);
}

#[test]
fn mid_stream_capture_starts_established() {
    let (cap, _) = load(&corpus::handshake_data_close());
    let an = analyze(&cap.packets[3..]);
    let c = &an.conversations[0];
    assert_eq!(c.client, None);
    assert_eq!(c.state_changes[0].to, TcpState::Established);
    assert_eq!(c.progress, Progress::Closed);
    assert_eq!(
        an.packets[0].tcp.rel_seq, 1,
        "base is one before the first seq seen"
    );
}

#[test]
fn filters() {
    let (_, an) = load(&corpus::refused_udp_v6());
    let pick = |text: &str| -> Vec<u32> {
        let f = Filter::parse(text).unwrap();
        an.conversations
            .iter()
            .filter(|c| f.matches(c))
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(pick(""), vec![0, 1, 2]);
    assert_eq!(pick("udp"), vec![2]);
    assert_eq!(pick("port 53"), vec![2]);
    assert_eq!(pick(":9 rst"), vec![0, 1]);
    assert_eq!(pick("fd00::53"), vec![2]);
    assert_eq!(pick("[fd00::2] tcp"), vec![0, 1]);
    assert_eq!(pick("trouble"), vec![0, 1]);
    assert_eq!(pick("retrans"), Vec::<u32>::new());
    assert!(Filter::parse("port x").unwrap_err().contains("\"x\""));
    assert!(Filter::parse("frobnicate").is_err());
}

#[test]
fn conversation_becomes_a_trace() {
    let (cap, an) = load(&corpus::handshake_data_close());
    let trace = conversation_trace(&cap, &an, 0, "demo.pcap").unwrap();
    // Round-trips through the JSON loader the web app uses.
    let back = Trace::from_json(&trace.to_json()).unwrap();
    assert_eq!(back, trace);
    assert_eq!(trace.hosts.len(), 2);
    assert_eq!(trace.hosts[0].name, "client");
    assert_eq!(trace.sockets[1].label, "server :80");
    // Events in time order; one send and one arrival per packet.
    assert!(trace.events.windows(2).all(|w| w[0].t <= w[1].t));
    let sent: Vec<_> = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } => Some(segment),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), cap.packets.len());
    let arrived = trace
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::SegmentArrived { .. }))
        .count();
    assert_eq!(arrived, cap.packets.len());
    // Real header fields.
    let Header::Tcp(h) = &sent[1].header else {
        panic!()
    };
    assert!(h.flags.syn && h.flags.ack);
    assert_eq!((h.seq, h.ack), (5000, 1001));
    assert_eq!(h.options.mss, Some(1460));
    assert_eq!(sent[3].payload_len, 100);
    assert_eq!(sent[3].wire_len, 20 + 20 + 100);
    // The handshake places the capture point: SYN→SYN-ACK 2010 µs → server 1005 µs away;
    // SYN-ACK→ACK 210 µs → client 105 µs away. The SYN leaves the client at t=0... well, at
    // max(dA, dB) − dA = 900 µs, and reaches the server 1005 µs + 105 µs later.
    let t_of = |id: u32, arrived: bool| {
        trace
            .events
            .iter()
            .find(|e| match &e.kind {
                EventKind::SegmentSent { id: i, .. } => !arrived && i.0 == id,
                EventKind::SegmentArrived { id: i } => arrived && i.0 == id,
                _ => false,
            })
            .unwrap()
            .t
    };
    assert_eq!(t_of(0, false), 900);
    assert_eq!(t_of(0, true), 900 + 105 + 1005);
    // Inferred states, ending as the connection did.
    let end = trace.view_at(trace.duration_us);
    assert_eq!(end.sockets[&SocketId(0)].state, Some(TcpState::TimeWait));
    assert_eq!(end.sockets[&SocketId(1)].state, Some(TcpState::Closed));
    // Mid-way through (after the handshake), both are established.
    let mid = trace.view_at(t_of(3, true));
    assert_eq!(mid.sockets[&SocketId(0)].state, Some(TcpState::Established));
    assert_eq!(mid.sockets[&SocketId(1)].state, Some(TcpState::Established));
    assert!(!trace.snapshots.is_empty());
}

#[test]
fn loopback_and_udp_traces() {
    let (cap, an) = load(&corpus::refused_udp_v6());
    let t = conversation_trace(&cap, &an, 2, "x.pcapng").unwrap();
    assert!(t
        .events
        .iter()
        .all(|e| !matches!(e.kind, EventKind::StateChanged { .. })));
    assert_eq!(t.hosts.len(), 2);
    assert_eq!(t.hosts[0].name, "A");
    assert!(conversation_trace(&cap, &an, 99, "x")
        .unwrap_err()
        .contains("no conversation 99"));

    let (cap, an) = load(&corpus::null_loopback());
    let t = conversation_trace(&cap, &an, 0, "lo.pcap").unwrap();
    assert_eq!(t.hosts.len(), 1, "both sockets on 127.0.0.1");
    assert_eq!(t.sockets[0].host, t.sockets[1].host);
}

#[test]
fn retransmissions_are_numbered_in_the_trace() {
    let (cap, an) = load(&corpus::retransmissions());
    let t = conversation_trace(&cap, &an, 0, "r.pcapng").unwrap();
    let retrans: Vec<u32> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } if segment.retransmission > 0 => {
                Some(segment.retransmission)
            }
            _ => None,
        })
        .collect();
    // RTO, fast and spurious retransmission: each the first resend of its bytes (the spurious
    // one repeats the out-of-order segment, which was that range's original).
    assert_eq!(retrans, vec![1, 1, 1]);
}

#[test]
fn session_gives_serialisable_rows_for_a_viewer() {
    use synack_capture::Session;
    let bytes = corpus::retransmissions();
    let mut progress = Vec::new();
    let s = Session::open(&bytes, "r.pcapng", |b| progress.push(b));
    assert_eq!(progress.last(), Some(&(bytes.len() as u64)));
    let sum = s.summary(bytes.len() as u64);
    assert_eq!((sum.frames, sum.packets, sum.conversations), (22, 22, 1));
    assert!(!sum.partial);
    assert_eq!(sum.link_types, vec![(1, "Ethernet".to_string(), 22)]);
    let rows = s.conversations(&Filter::parse("retrans").unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].a, "192.168.1.10:50000");
    use synack_capture::mark;
    assert_ne!(rows[0].marks & mark::FAST_RETRANSMISSION, 0);
    assert_eq!(rows[0].handshake_rtt_us, Some(22_020));
    // The compact rows of the canvas ladder and the per-segment marks agree.
    let wire = s.wire(0).unwrap();
    let marks = s.marks(0).unwrap();
    assert_eq!((wire.len(), marks.len()), (22, 22));
    assert_eq!(
        mark::names(marks[14]),
        vec!["retransmission", "fast retransmission"]
    );
    for (i, w) in wire.iter().enumerate() {
        assert_eq!(w[4], marks[i] as u64, "packet {i}");
    }
    assert!(
        wire.windows(2).all(|w| w[0][0] <= w[1][0]),
        "time from the first packet"
    );
    assert_eq!(wire[1][2], 0x12, "SYN-ACK flags");
    assert!(s.wire(5).is_none() && s.marks(5).is_none());
    // Everything crosses a worker boundary as JSON.
    let json = serde_json::to_string(&(sum, rows)).unwrap();
    assert!(json.contains("\"progress\":\"reset\""));
    assert_eq!(
        s.trace(0).unwrap().origin,
        synack_model::trace::Origin::Capture {
            file: "r.pcapng".into()
        }
    );

    // A broken file still gives a summary that says what went wrong.
    let s = Session::open(&bytes[..bytes.len() / 2], "cut.pcapng", |_| {});
    let sum = s.summary(bytes.len() as u64 / 2);
    assert!(sum.partial);
    assert!(sum.packets > 0);
    assert!(
        sum.problems[0].to_string().contains("block"),
        "{}",
        sum.problems[0]
    );
}
