//! Reading facts back out of a trace: the packet list, each socket's states, queue peaks.
//! Reports and `compare` are computed from the trace itself, so what we print is what the
//! viewer will draw.

use std::collections::BTreeMap;

use serde::Serialize;
use synack_model::trace::{
    EventKind, Header, QueueKind, Segment, SegmentId, SocketId, TcpState, Trace,
};

#[derive(Clone, Debug, Serialize)]
pub struct Pkt {
    pub id: u32,
    /// Time the segment left its sender, µs.
    pub t_us: u64,
    pub from: String,
    pub to: String,
    pub sport: u16,
    pub dport: u16,
    /// "SYN", "SYN,ACK", "PSH,ACK", "UDP"...
    pub flags: String,
    /// Relative to the direction's ISN (TCP).
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub retransmission: u32,
    pub dropped: bool,
}

pub fn flags(seg: &Segment) -> String {
    match &seg.header {
        Header::Udp(_) => "UDP".into(),
        Header::Tcp(t) => {
            let f = t.flags;
            let mut v = Vec::new();
            for (on, n) in [
                (f.syn, "SYN"),
                (f.fin, "FIN"),
                (f.rst, "RST"),
                (f.psh, "PSH"),
                (f.ack, "ACK"),
                (f.urg, "URG"),
            ] {
                if on {
                    v.push(n);
                }
            }
            v.join(",")
        }
    }
}

/// Every segment sent, in order, with relative sequence numbers (like Wireshark's).
pub fn packets(tr: &Trace) -> Vec<Pkt> {
    let mut isn: BTreeMap<(u16, u16, u16, u16), u32> = BTreeMap::new();
    let mut out = Vec::new();
    let mut dropped: Vec<SegmentId> = Vec::new();
    for e in &tr.events {
        if let EventKind::SegmentDropped { id, .. } = &e.kind {
            dropped.push(*id);
        }
    }
    for e in &tr.events {
        let EventKind::SegmentSent { id, segment: s } = &e.kind else {
            continue;
        };
        let key = (s.src.host.0, s.src.port, s.dst.host.0, s.dst.port);
        let rkey = (s.dst.host.0, s.dst.port, s.src.host.0, s.src.port);
        let (seq, ack) = match &s.header {
            Header::Tcp(t) => {
                if t.flags.syn {
                    isn.entry(key).or_insert(t.seq);
                }
                let a = isn
                    .get(&key)
                    .map(|i| t.seq.wrapping_sub(*i))
                    .unwrap_or(t.seq);
                let b = if t.flags.ack {
                    isn.get(&rkey)
                        .map(|i| t.ack.wrapping_sub(*i))
                        .unwrap_or(t.ack)
                } else {
                    0
                };
                (a, b)
            }
            Header::Udp(_) => (0, 0),
        };
        let name = |h: u16| {
            tr.hosts
                .get(h as usize)
                .map(|x| x.name.clone())
                .unwrap_or_default()
        };
        out.push(Pkt {
            id: id.0,
            t_us: e.t,
            from: name(s.src.host.0),
            to: name(s.dst.host.0),
            sport: s.src.port,
            dport: s.dst.port,
            flags: flags(s),
            seq,
            ack,
            len: s.payload_len,
            retransmission: s.retransmission,
            dropped: dropped.contains(id),
        });
    }
    out
}

/// A packet list as text, one line per segment (tcpdump-like, times in seconds).
pub fn packet_table(p: &[Pkt]) -> String {
    let mut s = String::new();
    for x in p {
        s.push_str(&format!(
            "{:>9.3}  {:<6} :{:<5} → {:<6} :{:<5} [{}] seq={} ack={} len={}{}{}\n",
            x.t_us as f64 / 1e6,
            x.from,
            x.sport,
            x.to,
            x.dport,
            x.flags,
            x.seq,
            x.ack,
            x.len,
            if x.retransmission > 0 {
                format!("  (retransmission #{})", x.retransmission)
            } else {
                String::new()
            },
            if x.dropped { "  DROPPED" } else { "" }
        ));
    }
    s
}

/// Each socket's state changes: (t, state).
pub fn states(tr: &Trace) -> BTreeMap<SocketId, Vec<(u64, TcpState)>> {
    let mut m: BTreeMap<SocketId, Vec<(u64, TcpState)>> = BTreeMap::new();
    for e in &tr.events {
        if let EventKind::StateChanged { socket, to, .. } = &e.kind {
            m.entry(*socket).or_default().push((e.t, *to));
        }
    }
    m
}

/// Socket label → list of state names, for summaries.
pub fn state_names(tr: &Trace) -> BTreeMap<String, Vec<String>> {
    states(tr)
        .into_iter()
        .map(|(id, v)| {
            let label = tr
                .sockets
                .get(id.0 as usize)
                .map(|s| s.label.clone())
                .unwrap_or_default();
            (
                label,
                v.into_iter()
                    .map(|(_, s)| s.rfc_name().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// Largest length a queue of a socket reached, and its capacity then.
pub fn queue_peak(tr: &Trace, socket: SocketId, q: QueueKind) -> Option<(u32, u32)> {
    tr.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::QueueChanged {
                socket: s,
                queue,
                len,
                cap,
            } if *s == socket && *queue == q => Some((*len, *cap)),
            _ => None,
        })
        .max_by_key(|(l, _)| *l)
}

/// The queue's length over time: (t µs, len).
pub fn queue_series(tr: &Trace, socket: SocketId, q: QueueKind) -> Vec<(u64, u32)> {
    tr.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::QueueChanged {
                socket: s,
                queue,
                len,
                ..
            } if *s == socket && *queue == q => Some((e.t, *len)),
            _ => None,
        })
        .collect()
}

/// Last value of each kernel counter of the host named `host` (each namespace has its own).
pub fn counters(tr: &Trace, host: &str) -> BTreeMap<String, u64> {
    let id = tr.hosts.iter().find(|h| h.name == host).map(|h| h.id);
    let mut m = BTreeMap::new();
    for e in &tr.events {
        if let EventKind::Counter {
            name,
            value,
            host: h,
        } = &e.kind
        {
            if Some(*h) == id {
                m.insert(name.clone(), *value);
            }
        }
    }
    m
}

/// A lifetime in a state: from the first sighting to the first later different state.
pub fn time_in_state(tr: &Trace, socket: SocketId, state: TcpState) -> Option<(u64, Option<u64>)> {
    let st = states(tr);
    let v = st.get(&socket)?;
    let i = v.iter().position(|(_, s)| *s == state)?;
    let start = v[i].0;
    let end = v[i + 1..]
        .iter()
        .find(|(_, s)| *s != state)
        .map(|(t, _)| *t);
    Some((start, end))
}
