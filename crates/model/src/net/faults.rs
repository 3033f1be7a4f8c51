//! Scripted faults: rules that pick exact segments ("the 3rd from A", "every SYN-ACK").

use crate::scenario::{FaultAction, FaultRule, SegmentMatch};
use crate::trace::{Header, HostId, Micros, Segment};

#[derive(Clone, Debug)]
pub struct CompiledRule {
    pub from: Option<HostId>,
    pub to: Option<HostId>,
    pub matches: SegmentMatch,
    pub nth: Option<u32>,
    pub after_us: Option<Micros>,
    pub until_us: Option<Micros>,
    pub action: FaultAction,
    /// Matching segments seen so far.
    pub seen: u32,
}

impl CompiledRule {
    pub fn new(r: &FaultRule, from: Option<HostId>, to: Option<HostId>) -> CompiledRule {
        CompiledRule {
            from,
            to,
            matches: r.matches,
            nth: r.nth,
            after_us: r.after_us,
            until_us: r.until_us,
            action: r.action.clone(),
            seen: 0,
        }
    }

    /// Counts the segment if it matches; returns whether the rule fires on it.
    pub fn check(&mut self, seg: &Segment, now: Micros) -> bool {
        if self.from.is_some_and(|h| h != seg.src.host)
            || self.to.is_some_and(|h| h != seg.dst.host)
        {
            return false;
        }
        if self.after_us.is_some_and(|t| now < t)
            || self.until_us.is_some_and(|t| now >= t)
            || !segment_matches(self.matches, seg)
        {
            return false;
        }
        self.seen += 1;
        match self.nth {
            Some(n) => self.seen == n,
            None => true,
        }
    }
}

pub fn segment_matches(m: SegmentMatch, seg: &Segment) -> bool {
    let tcp = match &seg.header {
        Header::Tcp(h) => Some(h),
        Header::Udp(_) | Header::Icmp(_) => None,
    };
    match m {
        SegmentMatch::Any => true,
        SegmentMatch::Udp => matches!(seg.header, Header::Udp(_)),
        SegmentMatch::Data => seg.payload_len > 0,
        SegmentMatch::Syn => tcp.is_some_and(|h| h.flags.syn && !h.flags.ack),
        SegmentMatch::SynAck => tcp.is_some_and(|h| h.flags.syn && h.flags.ack),
        SegmentMatch::Fin => tcp.is_some_and(|h| h.flags.fin),
        SegmentMatch::Rst => tcp.is_some_and(|h| h.flags.rst),
        SegmentMatch::PureAck => tcp.is_some_and(|h| {
            h.flags.ack && !h.flags.syn && !h.flags.fin && !h.flags.rst && seg.payload_len == 0
        }),
    }
}
