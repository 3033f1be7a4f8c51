//! Sequence numbers as people read them: relative to each direction's initial sequence
//! number, as Wireshark shows them by default, and the window as the sender means it (RFC 7323
//! scaling). The ISN of a direction is the `seq` of its first SYN or, without a SYN in the
//! trace (a capture that starts mid-connection), of its first segment.

use crate::trace::{Addr, EventKind, Header, Segment, TcpHeader, Trace};

/// Relative or absolute sequence numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbering {
    Relative,
    Absolute,
}

/// What the handshake fixed for each direction (keyed by sender, receiver): the initial
/// sequence number, and the window-scale shift the sender announced in its SYN.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Isns {
    /// Sorted by direction, for binary search. A sorted `Vec` rather than a `BTreeMap`: a trace
    /// has a few directions, and every map type is code of its own in the first-load wasm.
    dirs: Vec<((Addr, Addr), Dir)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Dir {
    /// `seq` of the direction's first segment.
    first: u32,
    /// `seq` of its first SYN, which wins over `first`.
    syn: Option<u32>,
    /// The window-scale shift of its first SYN that carried the option.
    wscale: Option<u8>,
}

impl Isns {
    pub fn of_trace(trace: &Trace) -> Isns {
        let mut dirs: Vec<((Addr, Addr), Dir)> = Vec::new();
        for ev in &trace.events {
            if let EventKind::SegmentSent { segment, .. } = &ev.kind {
                if let Header::Tcp(h) = &segment.header {
                    let key = (segment.src, segment.dst);
                    let i = match dirs.binary_search_by(|(k, _)| k.cmp(&key)) {
                        Ok(i) => i,
                        Err(i) => {
                            let d = Dir {
                                first: h.seq,
                                syn: None,
                                wscale: None,
                            };
                            dirs.insert(i, (key, d));
                            i
                        }
                    };
                    let d = &mut dirs[i].1;
                    if h.flags.syn {
                        d.syn = d.syn.or(Some(h.seq));
                        d.wscale = d.wscale.or(h.options.window_scale);
                    }
                }
            }
        }
        Isns { dirs }
    }

    fn dir(&self, src: Addr, dst: Addr) -> Option<&Dir> {
        let key = (src, dst);
        self.dirs
            .binary_search_by(|(k, _)| k.cmp(&key))
            .ok()
            .map(|i| &self.dirs[i].1)
    }

    /// The window the segment's sender offers, in bytes, as Wireshark's "calculated window
    /// size": RFC 7323 §2.2–2.3 — the field is shifted by the sender's own announced scale,
    /// only once both SYNs carried the option, and never in a SYN.
    pub fn window(&self, seg: &Segment, h: &TcpHeader) -> u32 {
        u32::from(h.window) << self.window_shift(seg, h).unwrap_or(0)
    }

    /// The shift applied to this segment's window field, if scaling is in effect for it
    /// (capped at 14, RFC 7323 §2.3).
    pub fn window_shift(&self, seg: &Segment, h: &TcpHeader) -> Option<u8> {
        let own = self.dir(seg.src, seg.dst)?.wscale?;
        self.dir(seg.dst, seg.src)?.wscale?;
        (!h.flags.syn).then_some(own.min(14))
    }

    fn get(&self, src: Addr, dst: Addr) -> Option<u32> {
        self.dir(src, dst).map(|d| d.syn.unwrap_or(d.first))
    }

    /// A sequence-space value of the direction `src` → `dst` (a `snd_nxt` of `src`, a
    /// `rcv_nxt` of `dst`) as displayed: relative to that direction's ISN, like the ladder's
    /// labels, or as it is.
    /// `None` when numbers are relative and that direction has sent nothing yet (there is no ISN
    /// to count from: a `rcv_nxt` before the peer's SYN).
    pub fn value(&self, src: Addr, dst: Addr, v: u32, n: Numbering) -> Option<u32> {
        match n {
            Numbering::Absolute => Some(v),
            Numbering::Relative => self.get(src, dst).map(|isn| v.wrapping_sub(isn)),
        }
    }

    /// (seq, ack) as displayed.
    pub fn show(&self, seg: &Segment, h: &TcpHeader, n: Numbering) -> (u32, u32) {
        match n {
            Numbering::Absolute => (h.seq, h.ack),
            Numbering::Relative => {
                let seq = self
                    .get(seg.src, seg.dst)
                    .map_or(h.seq, |isn| h.seq.wrapping_sub(isn));
                let ack = self
                    .get(seg.dst, seg.src)
                    .map_or(h.ack, |isn| h.ack.wrapping_sub(isn));
                (seq, ack)
            }
        }
    }
}
