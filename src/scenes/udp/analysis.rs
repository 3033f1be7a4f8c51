//! The UDP scene's facts, read out of a model trace: the datagrams sent and what each
//! recvfrom() returned.

use std::collections::BTreeMap;

use synack_model::trace::{
    Addr, AppCallKind, AppResult, EventKind, Header, Micros, SocketId, Trace,
};

/// A colour per message ("msg 1", "msg 2" …), in order of the trace's messages.
pub fn colour_slot(trace: &Trace, label: &str) -> usize {
    trace
        .messages
        .iter()
        .position(|m| m.label == label)
        .unwrap_or(0)
        % 4
}

/// One datagram put on the wire (a multicast send puts one per member host).
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    pub t: Micros,
    pub src: Addr,
    pub dst: Addr,
    pub label: String,
    pub len: u32,
    /// A copy the network made (not the application's send).
    pub copy: bool,
    /// Why it never arrived, if it did not.
    pub lost: Option<synack_model::trace::DropReason>,
}

/// One recvfrom() that returned a datagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Got {
    pub t: Micros,
    pub socket: SocketId,
    pub from: Option<Addr>,
    pub label: String,
    pub msg_len: u32,
    /// Bytes copied into the buffer.
    pub len: u32,
    /// Bytes discarded (MSG_TRUNC).
    pub truncated: u32,
    /// The same message was already read on this socket.
    pub duplicate: bool,
    /// A later message from the same sender was read first.
    pub out_of_order: bool,
}

pub fn sent(trace: &Trace) -> Vec<Sent> {
    let mut lost = BTreeMap::new();
    for e in &trace.events {
        if let EventKind::SegmentDropped { id, reason } = &e.kind {
            lost.insert(*id, reason.clone());
        }
    }
    trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { id, segment } if matches!(segment.header, Header::Udp(_)) => {
                Some(Sent {
                    t: e.t,
                    src: segment.src,
                    dst: segment.dst,
                    label: segment
                        .payload
                        .first()
                        .and_then(|p| trace.messages.get(p.message.0 as usize))
                        .map(|m| m.label.clone())
                        .unwrap_or_default(),
                    len: segment.payload_len,
                    copy: segment.network_duplicate,
                    lost: lost.get(id).cloned(),
                })
            }
            _ => None,
        })
        .collect()
}

/// Every recvfrom() that returned data, in time order, with what the application could not
/// tell from the bytes alone marked (duplicate, out of order).
pub fn received(trace: &Trace) -> Vec<Got> {
    let udp = |s: SocketId| {
        trace
            .sockets
            .iter()
            .any(|x| x.id == s && x.proto == synack_model::trace::Proto::Udp)
    };
    // Per receiving socket: messages seen, and the newest message per sender socket.
    let mut seen: BTreeMap<(SocketId, u32), ()> = BTreeMap::new();
    let mut newest: BTreeMap<(SocketId, SocketId), u32> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &trace.events {
        let EventKind::AppReturn {
            socket,
            call: AppCallKind::Recv,
            result:
                AppResult::Data {
                    len,
                    payload,
                    from,
                    truncated,
                },
        } = &e.kind
        else {
            continue;
        };
        if !udp(*socket) {
            continue;
        }
        let m = payload
            .first()
            .and_then(|p| trace.messages.get(p.message.0 as usize));
        let (mut duplicate, mut out_of_order) = (false, false);
        if let Some(m) = m {
            duplicate = seen.insert((*socket, m.id.0), ()).is_some();
            let n = newest.entry((*socket, m.socket)).or_insert(m.id.0);
            out_of_order = m.id.0 < *n;
            *n = (*n).max(m.id.0);
        }
        out.push(Got {
            t: e.t,
            socket: *socket,
            from: *from,
            label: m.map(|m| m.label.clone()).unwrap_or_default(),
            msg_len: m.map_or(*len, |m| m.len),
            len: *len,
            truncated: truncated.unwrap_or(0),
            duplicate,
            out_of_order,
        });
    }
    out
}
