//! The wire: links between hosts, fault rules, and segments in flight.

use super::{Sim, What};
use crate::net::link::{Fate, Link};
use crate::rng::Rng;
use crate::scenario::FaultAction;
use crate::tcp::socket::IP_HEADER;
use crate::trace::{
    Addr, DropReason, EventKind, Header, HostId, Micros, PayloadSpan, Segment, SegmentId, SocketId,
    UdpHeader,
};
use crate::udp::UDP_HEADER;

impl Sim {
    pub(super) fn link(&mut self, from: HostId, to: HostId) -> &mut Link {
        let seed = self.seed;
        let spec = self
            .link_overrides
            .get(&(from, to))
            .unwrap_or(&self.link_default);
        self.links.entry((from, to)).or_insert_with(|| {
            let stream = 1 + ((from.0 as u64) << 16 | to.0 as u64);
            Link::new(spec, Rng::fork(seed, stream))
        })
    }

    /// When the links into `host` finish handing over the trains of packets they are handing
    /// over now (`Link::train_end`), or now.
    pub(super) fn train_end(&self, host: HostId) -> Micros {
        let now = self.now;
        self.links
            .iter()
            .filter(|((_, to), _)| *to == host)
            .map(|(_, l)| l.train_end(now))
            .max()
            .unwrap_or(now)
    }

    pub(super) fn put_on_wire(&mut self, seg: Segment, multicast: bool) {
        let id = SegmentId(self.next_seg);
        self.next_seg += 1;
        let now = self.now;
        let mut extra = 0;
        let mut drop_rule = None;
        let mut dup = false;
        for (i, r) in self.faults.iter_mut().enumerate() {
            if r.check(&seg, now) {
                match r.action {
                    FaultAction::Drop {} => {
                        drop_rule.get_or_insert(i as u32);
                    }
                    FaultAction::Delay { by_us } => extra += by_us,
                    FaultAction::Duplicate {} => dup = true,
                }
            }
        }
        let is_tcp = matches!(seg.header, Header::Tcp(_));
        let (src_addr, dst_addr, payload_len) = (seg.src, seg.dst, seg.payload_len);
        let wire_len = seg.wire_len;
        let (src, dst) = (seg.src.host, seg.dst.host);
        // The trace owns the segment from here on; in flight it is known by its event index.
        let sent = self.out.len();
        self.emit(EventKind::SegmentSent { id, segment: seg });
        let link = self.link(src, dst);
        if let Some(rule) = drop_rule {
            let at = now + (link.latency_us + extra) / 2;
            self.push(at, What::Lost(id, DropReason::Fault { rule }));
            return;
        }
        // A UDP datagram above the MTU crosses as IP fragments, each a packet on the link,
        // and arrives with its last (`Link::transmit_fragments`); TCP is held to the MTU.
        let fate = if is_tcp {
            link.transmit(now, wire_len, extra)
        } else {
            let mtu = link.mtu;
            link.transmit_fragments(now, &crate::udp::fragment_lens(wire_len, mtu), extra)
        };
        let serialised = (link.bandwidth_bps > 0).then(|| link.busy_until());
        // A NIC holds a data packet until it has sent it (profile `tx_done_at_xmit` off):
        // its socket's memory stays charged till then (`sk_wmem_alloc`, autocorking).
        if let (Some(done), true) = (serialised, is_tcp && payload_len > 0) {
            if let Some(sid) = self.conns.get(&(src_addr, dst_addr)).copied() {
                if !self.sp(sid).tx_done_at_xmit {
                    let truesize = crate::tcp::socket::SND_SKB_HEAD + u64::from(payload_len);
                    if let Some(t) = self.tcp(sid) {
                        t.dev_truesize += truesize;
                    }
                    self.push(done, What::TxDone(sid, truesize));
                }
            }
        }
        match fate {
            Fate::TooBig => self.push(now, What::Lost(id, DropReason::Mtu)),
            Fate::Lost { at } => self.push(at, What::Lost(id, DropReason::LinkLoss)),
            Fate::Arrive { at, duplicate_at } => {
                self.push(at, What::Arrive(id, sent, multicast));
                if duplicate_at.is_some() || dup {
                    let mut c = match &self.out[sent].kind {
                        EventKind::SegmentSent { segment, .. } => segment.clone(),
                        _ => unreachable!("`sent` indexes the SegmentSent event above"),
                    };
                    c.network_duplicate = true;
                    let did = SegmentId(self.next_seg);
                    self.next_seg += 1;
                    let dup_sent = self.out.len();
                    self.emit(EventKind::SegmentSent {
                        id: did,
                        segment: c,
                    });
                    self.push(
                        duplicate_at.unwrap_or(at + 1),
                        What::Arrive(did, dup_sent, multicast),
                    );
                }
            }
        }
    }

    /// Moves the segment of the `SegmentSent` event at `sent` out of the trace while its
    /// arrival is handled (the receiver only reads it); [`Sim::put_back_sent`] returns it.
    /// This spares a copy (and, for data, an allocation) of every segment sent.
    pub(super) fn take_sent(&mut self, sent: usize) -> Segment {
        match &mut self.out[sent].kind {
            EventKind::SegmentSent { segment, .. } => std::mem::replace(segment, placeholder()),
            _ => unreachable!("What::Arrive always indexes a SegmentSent event"),
        }
    }

    pub(super) fn put_back_sent(&mut self, sent: usize, seg: Segment) {
        if let EventKind::SegmentSent { segment, .. } = &mut self.out[sent].kind {
            *segment = seg;
        }
    }

    pub(super) fn send_datagram(
        &mut self,
        from: SocketId,
        to: Addr,
        span: PayloadSpan,
        multicast: bool,
    ) {
        let local = self.infos[from.0 as usize].host;
        let port = self.infos[from.0 as usize].local_port;
        let len = span.end - span.start;
        let seg = Segment {
            src: Addr { host: local, port },
            dst: to,
            header: Header::Udp(UdpHeader {
                length: (UDP_HEADER + len).min(u16::MAX as u32) as u16,
            }),
            payload_len: len,
            payload: if len > 0 { vec![span] } else { Vec::new() },
            wire_len: IP_HEADER + UDP_HEADER + len,
            retransmission: 0,
            network_duplicate: false,
        };
        // Send now (not via tx) so that `multicast` travels with it.
        self.put_on_wire(seg, multicast);
    }
}

/// Stands in for a segment in its `SegmentSent` event while the arrival handles it.
fn placeholder() -> Segment {
    let nowhere = Addr {
        host: HostId(0),
        port: 0,
    };
    Segment {
        src: nowhere,
        dst: nowhere,
        header: Header::Udp(UdpHeader { length: 0 }),
        payload_len: 0,
        payload: Vec::new(),
        wire_len: 0,
        retransmission: 0,
        network_duplicate: false,
    }
}
