//! The TCP-vs-UDP scene's facts, read out of a model trace: what each protocol achieved by a
//! moment, and the first moment that shows each row of the comparison table.

use synack_model::trace::{AppCall, AppResult, EventKind, Header, Micros, Proto, Trace};

/// What one protocol achieved by time `t`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub sent_msgs: u32,
    pub sent_bytes: u64,
    pub delivered_bytes: u64,
    /// recv() calls that returned data.
    pub reads: u32,
    pub lost_segments: u32,
    pub retransmissions: u32,
    pub duplicates: u32,
    /// Delivered after a later message (UDP reordering).
    pub out_of_order: u32,
    /// Bytes that never arrived (UDP only: TCP retransmits).
    pub missing_bytes: u64,
    /// When the last byte was handed to the receiving application.
    pub done_at: Option<Micros>,
}

pub fn tally(trace: &Trace, proto: Proto, upto: Micros) -> Tally {
    let proto_of = |s: synack_model::trace::SocketId| {
        trace.sockets.iter().find(|x| x.id == s).map(|x| x.proto)
    };
    let mut t = Tally::default();
    let mut max_msg: Option<u32> = None;
    // Sorted `Vec`s searched by bisection rather than a set and a map: each map type is code of
    // its own in the first-load wasm, and these stay small (one entry per segment or datagram).
    let mut seen: Vec<(u32, u32)> = Vec::new();
    let mut sent_ids: Vec<(synack_model::trace::SegmentId, u32)> = Vec::new();
    for ev in trace.events.iter().take_while(|e| e.t <= upto) {
        match &ev.kind {
            EventKind::AppCall {
                socket,
                call: AppCall::Send { len, .. } | AppCall::SendTo { len, .. },
            } if proto_of(*socket) == Some(proto) => {
                t.sent_msgs += 1;
                t.sent_bytes += *len as u64;
            }
            EventKind::SegmentSent { id, segment } => {
                let is = matches!(
                    (&segment.header, proto),
                    (Header::Tcp(_), Proto::Tcp) | (Header::Udp(_), Proto::Udp)
                );
                if is {
                    match sent_ids.binary_search_by(|(k, _)| k.cmp(id)) {
                        Ok(i) => sent_ids[i].1 = segment.payload_len,
                        Err(i) => sent_ids.insert(i, (*id, segment.payload_len)),
                    }
                    if segment.retransmission > 0 {
                        t.retransmissions += 1;
                    }
                    if segment.network_duplicate && proto == Proto::Tcp {
                        t.duplicates += 1;
                    }
                }
            }
            EventKind::SegmentDropped { id, .. } => {
                if let Ok(i) = sent_ids.binary_search_by(|(k, _)| k.cmp(id)) {
                    let len = &sent_ids[i].1;
                    t.lost_segments += 1;
                    if proto == Proto::Udp {
                        t.missing_bytes += *len as u64;
                    }
                }
            }
            EventKind::AppReturn {
                socket,
                result: AppResult::Data { len, payload, .. },
                ..
            } if proto_of(*socket) == Some(proto) => {
                t.reads += 1;
                t.delivered_bytes += *len as u64;
                t.done_at = Some(ev.t);
                if proto == Proto::Udp {
                    if let Some(first) = payload.first() {
                        let m = first.message.0;
                        // A datagram handed up twice is a duplicate the network made.
                        match seen.binary_search(&(m, first.start)) {
                            Ok(_) => t.duplicates += 1,
                            Err(i) => seen.insert(i, (m, first.start)),
                        }
                        if max_msg.is_some_and(|x| m < x) {
                            t.out_of_order += 1;
                        }
                        max_msg = Some(max_msg.map_or(m, |x| x.max(m)));
                    }
                }
            }
            _ => {}
        }
    }
    t
}

/// The first moment that shows each row of the comparison table.
pub fn moments(trace: &Trace) -> [Option<Micros>; 8] {
    let proto_of = |s: synack_model::trace::SocketId| {
        trace.sockets.iter().find(|x| x.id == s).map(|x| x.proto)
    };
    let first =
        |f: &dyn Fn(&EventKind) -> bool| trace.events.iter().find(|e| f(&e.kind)).map(|e| e.t);
    let tcp_seg = |k: &EventKind, f: &dyn Fn(&synack_model::trace::Segment) -> bool| match k {
        EventKind::SegmentSent { segment, .. } => {
            matches!(segment.header, Header::Tcp(_)) && f(segment)
        }
        _ => false,
    };
    let connection =
        first(&|k| tcp_seg(k, &|s| matches!(&s.header, Header::Tcp(h) if h.flags.syn)));
    let duplex = first(&|k| {
        tcp_seg(
            k,
            &|s| matches!(&s.header, Header::Tcp(h) if h.flags.syn && h.flags.ack),
        )
    });
    let reliability = first(&|k| tcp_seg(k, &|s| s.retransmission > 0))
        .or_else(|| first(&|k| matches!(k, EventKind::SegmentDropped { .. })));
    let ordering = {
        let mut max: Option<u32> = None;
        trace.events.iter().find_map(|e| match &e.kind {
            EventKind::AppReturn { socket, result: AppResult::Data { payload, .. }, .. }
                if proto_of(*socket) == Some(Proto::Udp) =>
            {
                let m = payload.first()?.message.0;
                let ooo = max.is_some_and(|x| m < x);
                max = Some(max.map_or(m, |x| x.max(m)));
                ooo.then_some(e.t)
            }
            _ => None,
        })
        .or_else(|| first(&|k| matches!(k, EventKind::AppReturn { socket, result: AppResult::Data { .. }, .. } if proto_of(*socket) == Some(Proto::Udp))))
    };
    let boundaries = first(
        &|k| matches!(k, EventKind::AppReturn { socket, result: AppResult::Data { .. }, .. } if proto_of(*socket) == Some(Proto::Tcp)),
    );
    let congestion = first(&|k| tcp_seg(k, &|s| s.payload_len > 0));
    let speed = tally(trace, Proto::Udp, Micros::MAX).done_at;
    let header = first(
        &|k| matches!(k, EventKind::SegmentSent { segment, .. } if matches!(segment.header, Header::Udp(_))),
    );
    [
        connection,
        duplex,
        reliability,
        ordering,
        boundaries,
        congestion,
        speed,
        header,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::params::Params;
    use crate::route::Query;

    /// The scene's default run: 8 messages each way through 20 % loss, seed 3.
    fn default_run() -> Trace {
        let scene = &super::super::SCENE;
        scene.run(&scene.base_params(), &Query::default()).unwrap()
    }

    #[test]
    fn tcp_delivers_every_byte_and_udp_loses_what_it_does_not_deliver() {
        let t = default_run();
        let tcp = tally(&t, Proto::Tcp, Micros::MAX);
        let udp = tally(&t, Proto::Udp, Micros::MAX);
        assert_eq!((tcp.sent_msgs, udp.sent_msgs), (8, 8));
        assert_eq!(tcp.delivered_bytes, tcp.sent_bytes);
        assert_eq!(tcp.missing_bytes, 0);
        assert_eq!(udp.delivered_bytes + udp.missing_bytes, udp.sent_bytes);
        assert_eq!(udp.retransmissions, 0, "UDP resends nothing");
        assert!(tcp.lost_segments > 0 && tcp.retransmissions > 0, "{tcp:?}");
    }

    #[test]
    fn a_tally_counts_only_what_happened_by_its_moment() {
        let t = default_run();
        assert_eq!(tally(&t, Proto::Tcp, 0).delivered_bytes, 0);
        // By the trace's last event everything is counted. The data is all delivered at `done`,
        // but the teardown may still lose and resend segments after it (seed 3: the last ACK
        // is lost and the FIN sent again a second later).
        let last = t.events.last().map(|e| e.t).unwrap();
        assert_eq!(
            tally(&t, Proto::Tcp, last),
            tally(&t, Proto::Tcp, Micros::MAX)
        );
        let done = tally(&t, Proto::Tcp, Micros::MAX).done_at.unwrap();
        let (at_done, at_end) = (tally(&t, Proto::Tcp, done), tally(&t, Proto::Tcp, last));
        assert_eq!(
            (
                at_done.delivered_bytes,
                at_done.reads,
                at_done.missing_bytes
            ),
            (at_end.delivered_bytes, at_end.reads, at_end.missing_bytes)
        );
        assert!(
            tally(&t, Proto::Tcp, done - 1).delivered_bytes
                < tally(&t, Proto::Tcp, done).delivered_bytes
        );
    }

    #[test]
    fn without_loss_the_table_still_has_a_moment_for_connection_boundaries_and_headers() {
        let scene = &super::super::SCENE;
        let mut p: Params = scene.base_params();
        p.loss_pct = 0.0;
        let t = scene.run(&p, &Query::default()).unwrap();
        let m = moments(&t);
        // connection, boundaries, header
        assert!(m[0].is_some() && m[4].is_some() && m[7].is_some(), "{m:?}");
        // The SYN comes before any data is read.
        assert!(m[0] < m[4]);
    }
}
