//! Reading facts back out of a trace: the packet list, each socket's states, queue peaks.
//! Reports and `compare` are computed from the trace itself, so what we print is what the
//! viewer will draw.

use std::collections::BTreeMap;

use serde::Serialize;
use synack_model::read::{self, Isns, Numbering};
use synack_model::trace::{
    EventKind, Header, HostId, QueueKind, Segment, SocketId, TcpState, Trace,
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
    /// "SYN", "SYN, ACK", "PSH, ACK", "UDP"... (Wireshark's names)
    pub flags: String,
    /// Relative to the direction's ISN (TCP).
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub retransmission: u32,
    pub dropped: bool,
}

/// Wireshark's flag names ("SYN, ACK"), or "UDP".
pub fn flags(seg: &Segment) -> String {
    match &seg.header {
        Header::Udp(_) => "UDP".into(),
        Header::Icmp(i) => format!("ICMP {}/{}", i.icmp_type, i.code),
        Header::Tcp(t) => read::flag_names(t.flags),
    }
}

/// Every segment sent, in order, with relative sequence numbers (like Wireshark's).
pub fn packets(tr: &Trace) -> Vec<Pkt> {
    let isns = Isns::of_trace(tr);
    let name = |h: HostId| {
        tr.hosts
            .get(h.0 as usize)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    read::segments(tr)
        .into_iter()
        .map(|sent| {
            let s = sent.seg;
            let (seq, ack) = match &s.header {
                Header::Tcp(t) => {
                    let (seq, ack) = isns.show(s, t, Numbering::Relative);
                    (seq, if t.flags.ack { ack } else { 0 })
                }
                Header::Udp(_) | Header::Icmp(_) => (0, 0),
            };
            Pkt {
                id: sent.id.0,
                t_us: sent.t,
                from: name(s.src.host),
                to: name(s.dst.host),
                sport: s.src.port,
                dport: s.dst.port,
                flags: flags(s),
                seq,
                ack,
                len: s.payload_len,
                retransmission: s.retransmission,
                dropped: sent.fate.dropped(),
            }
        })
        .collect()
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
    for (t, socket, _, to) in read::state_changes(tr) {
        m.entry(socket).or_default().push((t, to));
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

/// A socket's queue as the trace saw it change: (t µs, length, capacity).
fn queue_changes(
    tr: &Trace,
    socket: SocketId,
    q: QueueKind,
) -> impl Iterator<Item = (u64, u32, u32)> + '_ {
    tr.events.iter().filter_map(move |e| match &e.kind {
        EventKind::QueueChanged {
            socket: s,
            queue,
            len,
            cap,
        } if *s == socket && *queue == q => Some((e.t, *len, *cap)),
        _ => None,
    })
}

/// Largest length a queue of a socket reached, and its capacity then.
pub fn queue_peak(tr: &Trace, socket: SocketId, q: QueueKind) -> Option<(u32, u32)> {
    queue_changes(tr, socket, q)
        .map(|(_, len, cap)| (len, cap))
        .max_by_key(|(l, _)| *l)
}

/// The queue's length over time: (t µs, len).
pub fn queue_series(tr: &Trace, socket: SocketId, q: QueueKind) -> Vec<(u64, u32)> {
    queue_changes(tr, socket, q)
        .map(|(t, len, _)| (t, len))
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
