//! One conversation of a capture → a synack [`Trace`], drawn by the web app like a model scene.
//!
//! A capture is taken at one point of the path, so it knows when each segment passed *that*
//! point, not when it left its sender or reached its receiver. For the ladder diagram we place
//! the capture point using the handshake, the only exchange whose timing is unambiguous:
//! with the client A, the server B and the capture point P,
//!
//! ```text
//!   SYN seen at t1, SYN-ACK at t2, ACK at t3
//!   P↔B one-way delay  dB = (t2 − t1) / 2      (includes B's processing time, halved)
//!   P↔A one-way delay  dA = (t3 − t2) / 2
//! ```
//!
//! and a segment A→B seen at t is drawn leaving A at t − dA and reaching B at t + dB (B→A:
//! leaving at t − dB, arriving at t + dA). Without a handshake both delays are 0 and every
//! arrow is drawn at the moment it was captured. State changes are the ones
//! [`crate::tcp_analysis`] inferred: the sender's at the send time, the receiver's at arrival.

use std::collections::HashMap;
use std::net::IpAddr;

use synack_model::trace::{
    Addr, Event, EventKind, Header, Host, HostId, IcmpHeader, Origin, Segment, SegmentId, SocketId,
    SocketInfo, TcpFlags, TcpHeader, Trace, UdpHeader, TRACE_FORMAT_VERSION,
};

use crate::conversation::{Analysis, Conversation};
use crate::decode::{flags, Transport};
use crate::tcp_analysis::{mark, Dir, Side};
use crate::Capture;

/// Snapshot interval (events) for the traces we build: small enough that scrubbing replays at
/// most this many events, large enough that a 100,000-packet trace stays a few MB.
pub const SNAPSHOT_EVERY: usize = 256;

/// The one-way delays (nanoseconds) between the capture point and endpoints A and B,
/// estimated from the handshake as described in the module documentation.
pub fn vantage_delays(cap: &Capture, conv: &Conversation) -> (i64, i64) {
    let mut syn = None;
    let mut synack = None;
    let mut ack = None;
    let mut client_is_a = true;
    for &pi in conv.packets.iter().take(64) {
        let p = &cap.packets[pi as usize];
        let Some(t) = p.tcp() else { return (0, 0) };
        let from_a = p.src == conv.a.addr && p.src_port == conv.a.port;
        let (s, a) = (t.has(flags::SYN), t.has(flags::ACK));
        if s && !a && syn.is_none() {
            syn = Some(p.ts_ns);
            client_is_a = from_a;
        } else if s && a && syn.is_some() && synack.is_none() {
            synack = Some(p.ts_ns);
        } else if !s && a && synack.is_some() && from_a == client_is_a {
            ack = Some(p.ts_ns);
            break;
        }
    }
    match (syn, synack, ack) {
        (Some(t1), Some(t2), Some(t3)) if t2 >= t1 && t3 >= t2 => {
            // Saturating: the reader keeps timestamps in 0..=MAX_TS_NS, but a Capture can be
            // built by hand too, and a bad timestamp must not panic here.
            let d_server = t2.saturating_sub(t1) / 2;
            let d_client = t3.saturating_sub(t2) / 2;
            if client_is_a {
                (d_client, d_server)
            } else {
                (d_server, d_client)
            }
        }
        _ => (0, 0),
    }
}

fn addr_text(a: IpAddr) -> String {
    a.to_string()
}

/// Builds the trace of conversation `id`. `file` is the file name shown as the trace's origin.
pub fn conversation_trace(
    cap: &Capture,
    analysis: &Analysis,
    id: u32,
    file: &str,
) -> Result<Trace, String> {
    let conv = analysis.conversations.get(id as usize).ok_or_else(|| {
        format!(
            "there is no conversation {id} (the file has {})",
            analysis.conversations.len()
        )
    })?;
    let (name_a, name_b) = match conv.client {
        Some(0) => ("client", "server"),
        Some(_) => ("server", "client"),
        None => ("A", "B"),
    };

    // Hosts: one per address (both sockets live on one host for loopback traffic).
    let mut hosts = vec![Host {
        id: HostId(0),
        name: if conv.a.addr == conv.b.addr {
            addr_text(conv.a.addr)
        } else {
            name_a.to_string()
        },
        addr: addr_text(conv.a.addr),
    }];
    let host_b = if conv.a.addr == conv.b.addr {
        HostId(0)
    } else {
        hosts.push(Host {
            id: HostId(1),
            name: name_b.to_string(),
            addr: addr_text(conv.b.addr),
        });
        HostId(1)
    };
    let addr_a = Addr {
        host: HostId(0),
        port: conv.a.port,
    };
    let addr_b = Addr {
        host: host_b,
        port: conv.b.port,
    };
    let sockets = vec![
        SocketInfo {
            id: SocketId(0),
            host: HostId(0),
            proto: conv.proto,
            local_port: conv.a.port,
            remote: Some(addr_b),
            listener: false,
            parent: None,
            created_us: 0,
            scripted: false,
            label: format!("{name_a} :{}", conv.a.port),
        },
        SocketInfo {
            id: SocketId(1),
            host: host_b,
            proto: conv.proto,
            local_port: conv.b.port,
            remote: Some(addr_a),
            listener: false,
            parent: None,
            created_us: 0,
            scripted: false,
            label: format!("{name_b} :{}", conv.b.port),
        },
    ];

    let (d_a, d_b) = vantage_delays(cap, conv);
    let t0 = conv.first_ns.saturating_sub(d_a.max(d_b));
    let us = |ns: i64| (ns.saturating_sub(t0).max(0) / 1000) as u64;

    // (time ns, order) → event; sorted once at the end (stable for equal times).
    let mut evs: Vec<(i64, u64, EventKind)> = Vec::with_capacity(conv.packets.len() * 2 + 16);
    let mut order = 0u64;
    let mut push = |evs: &mut Vec<(i64, u64, EventKind)>, t: i64, k: EventKind| {
        evs.push((t, order, k));
        order += 1;
    };
    let mut changes = conv.state_changes.iter().peekable();
    let mut sent_before: HashMap<(bool, u32, u32, u16), u32> = HashMap::new();

    for (i, &pi) in conv.packets.iter().enumerate() {
        let p = &cap.packets[pi as usize];
        let info = &analysis.packets[pi as usize];
        let dir = info.dir();
        let (src, dst, d_send, d_recv) = match dir {
            Dir::AToB => (addr_a, addr_b, d_a, d_b),
            Dir::BToA => (addr_b, addr_a, d_b, d_a),
        };
        let sent_at = p.ts_ns.saturating_sub(d_send);
        let arrived_at = p.ts_ns.saturating_add(d_recv);
        // Sender-side state changes happen as it sends.
        let mut on_receive = Vec::new();
        while let Some(c) = changes.peek() {
            if c.packet as usize != i {
                break;
            }
            let k = EventKind::StateChanged {
                socket: SocketId(c.endpoint as u16),
                from: c.from,
                to: c.to,
            };
            match c.side {
                Side::OnSend => push(&mut evs, sent_at, k),
                Side::OnReceive => on_receive.push(k),
            }
            changes.next();
        }
        let (header, retransmission) = match &p.transport {
            Transport::Tcp(t) => {
                let key = (
                    info.dir_b_to_a,
                    t.seq,
                    p.payload_len,
                    t.flags & (flags::SYN | flags::FIN),
                );
                let n = sent_before.entry(key).or_insert(0);
                let retrans = if info.tcp.marks & mark::RETRANSMISSION != 0 {
                    (*n).max(1)
                } else {
                    0
                };
                *n += 1;
                (
                    Header::Tcp(TcpHeader {
                        seq: t.seq,
                        ack: t.ack,
                        flags: TcpFlags {
                            syn: t.has(flags::SYN),
                            ack: t.has(flags::ACK),
                            fin: t.has(flags::FIN),
                            rst: t.has(flags::RST),
                            psh: t.has(flags::PSH),
                            urg: t.has(flags::URG),
                        },
                        window: t.window,
                        header_len: t.header_len,
                        options: t.options.clone().into(),
                    }),
                    retrans,
                )
            }
            Transport::Udp { length } => (Header::Udp(UdpHeader { length: *length }), 0),
            Transport::Icmp { icmp_type, code } => (
                Header::Icmp(IcmpHeader {
                    icmp_type: *icmp_type,
                    code: *code,
                }),
                0,
            ),
        };
        let id = SegmentId(i as u32);
        push(
            &mut evs,
            sent_at,
            EventKind::SegmentSent {
                id,
                segment: Segment {
                    src,
                    dst,
                    header,
                    payload_len: p.payload_len,
                    payload: Vec::new(),
                    wire_len: p.ip_len,
                    retransmission,
                    network_duplicate: false,
                },
            },
        );
        push(&mut evs, arrived_at, EventKind::SegmentArrived { id });
        for k in on_receive {
            push(&mut evs, arrived_at, k);
        }
    }
    evs.sort_by_key(|(t, o, _)| (*t, *o));
    let events: Vec<Event> = evs
        .into_iter()
        .map(|(t, _, kind)| Event { t: us(t), kind })
        .collect();
    let duration_us = events.last().map_or(0, |e| e.t);
    let mut trace = Trace {
        version: TRACE_FORMAT_VERSION,
        origin: Origin::Capture {
            file: file.to_string(),
        },
        hosts,
        sockets,
        messages: Vec::new(),
        events,
        snapshots: Vec::new(),
        duration_us,
        cut_short: None,
    };
    trace.build_snapshots(SNAPSHOT_EVERY);
    Ok(trace)
}
