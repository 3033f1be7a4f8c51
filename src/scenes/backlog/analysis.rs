//! The backlog scene's facts, read out of a model trace: the packet list and the queues at the
//! playhead.

use std::collections::BTreeMap;

use synack_model::read::flag_names;
use synack_model::trace::{
    Addr, DropReason, EventKind, Header, Micros, QueueKind, SegmentId, Trace,
};

use crate::engine::labels::{Isns, Numbering};

/// One row of the packet list.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub no: usize,
    pub t: Micros,
    pub src: Addr,
    pub dst: Addr,
    pub flags: String,
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub retransmission: bool,
    pub dup_ack: bool,
    pub dropped: Option<DropReason>,
}

/// Every TCP segment, numbered like Wireshark, with relative seq/ack, `[TCP Retransmission]`
/// (a segment the sender sent before) and `[TCP Dup ACK]` (a pure ACK repeating the previous
/// ACK number of that direction with the same window).
pub fn packet_rows(trace: &Trace) -> Vec<Row> {
    let isns = Isns::of_trace(trace);
    let mut dropped: BTreeMap<SegmentId, DropReason> = BTreeMap::new();
    for ev in &trace.events {
        if let EventKind::SegmentDropped { id, reason } = &ev.kind {
            dropped.insert(*id, reason.clone());
        }
    }
    let mut last_ack: BTreeMap<(Addr, Addr), (u32, u16)> = BTreeMap::new();
    let mut out = Vec::new();
    for ev in &trace.events {
        let EventKind::SegmentSent { id, segment } = &ev.kind else {
            continue;
        };
        let Header::Tcp(h) = &segment.header else {
            continue;
        };
        let (seq, ack) = isns.show(segment, h, Numbering::Relative);
        let key = (segment.src, segment.dst);
        let pure_ack =
            h.flags.ack && !h.flags.syn && !h.flags.fin && !h.flags.rst && segment.payload_len == 0;
        let dup_ack = pure_ack && last_ack.get(&key) == Some(&(h.ack, h.window));
        if h.flags.ack && !h.flags.rst {
            last_ack.insert(key, (h.ack, h.window));
        }
        out.push(Row {
            no: out.len() + 1,
            t: ev.t,
            src: segment.src,
            dst: segment.dst,
            flags: flag_names(h.flags),
            seq,
            ack: if h.flags.ack { ack } else { 0 },
            len: segment.payload_len,
            retransmission: segment.retransmission > 0,
            dup_ack,
            dropped: dropped.get(id).cloned(),
        });
    }
    out
}

/// The listener's (SYN queue, accept queue) as (len, cap) at `t`, and the server's
/// counters.
pub fn queues_at(
    trace: &Trace,
    t: Micros,
) -> ((u32, u32), (u32, u32), synack_model::VecMap<String, u64>) {
    let snap = trace.view_at(t);
    let listener = trace.sockets.iter().find(|s| s.listener);
    let get = |q: QueueKind| {
        listener
            .and_then(|l| snap.sockets.get(&l.id))
            .and_then(|v| v.queues.get(&q).copied())
            .unwrap_or((0, 0))
    };
    let counters = listener
        .and_then(|l| snap.counters.get(&l.host).cloned())
        .unwrap_or_default();
    (
        get(QueueKind::SynQueue),
        get(QueueKind::AcceptQueue),
        counters,
    )
}

/// "10.0.0.2:80": a host's address and a port.
pub fn addr(trace: &Trace, a: Addr) -> String {
    let host = trace
        .hosts
        .iter()
        .find(|h| h.id == a.host)
        .map_or("?", |h| h.addr.as_str());
    format!("{host}:{}", a.port)
}
