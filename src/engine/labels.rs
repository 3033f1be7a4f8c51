//! What a segment is called: its kind (for colour and legend) and its Wireshark-style label.
//!
//! Sequence numbers are shown relative to each direction's initial sequence number by default,
//! as Wireshark does: the ISN of a direction is the `seq` of its first SYN (or, without a SYN in
//! the trace, of its first segment).

use synack_model::trace::{Addr, Header, Segment, TcpHeader, Trace};

use crate::i18n::Lang;

/// One colour per kind, used everywhere (ladder, timeline, legend, inspector).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SegKind {
    Syn,
    SynAck,
    Ack,
    Data,
    Fin,
    Rst,
    Udp,
}

impl SegKind {
    pub const ALL: [SegKind; 7] = [
        SegKind::Syn,
        SegKind::SynAck,
        SegKind::Ack,
        SegKind::Data,
        SegKind::Fin,
        SegKind::Rst,
        SegKind::Udp,
    ];

    pub fn of(seg: &Segment) -> SegKind {
        match &seg.header {
            Header::Udp(_) => SegKind::Udp,
            Header::Tcp(h) => {
                let f = h.flags;
                if f.rst {
                    SegKind::Rst
                } else if f.syn && f.ack {
                    SegKind::SynAck
                } else if f.syn {
                    SegKind::Syn
                } else if f.fin {
                    SegKind::Fin
                } else if seg.payload_len > 0 {
                    SegKind::Data
                } else {
                    SegKind::Ack
                }
            }
        }
    }

    /// CSS class suffix; also the colour token name (`--syn`...).
    pub fn css(self) -> &'static str {
        match self {
            SegKind::Syn => "syn",
            SegKind::SynAck => "synack",
            SegKind::Ack => "ack",
            SegKind::Data => "data",
            SegKind::Fin => "fin",
            SegKind::Rst => "rst",
            SegKind::Udp => "udp",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (SegKind::Syn, _) => "SYN",
            (SegKind::SynAck, _) => "SYN-ACK",
            (SegKind::Ack, _) => "ACK",
            (SegKind::Data, Lang::Zh) => "数据",
            (SegKind::Data, Lang::En) => "data",
            (SegKind::Fin, _) => "FIN",
            (SegKind::Rst, _) => "RST",
            (SegKind::Udp, Lang::Zh) => "UDP 数据报",
            (SegKind::Udp, Lang::En) => "UDP datagram",
        }
    }
}

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
            if let synack_model::trace::EventKind::SegmentSent { segment, .. } = &ev.kind {
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

/// Wireshark's flag list, in its order: `SYN, ACK`, `FIN, ACK`, `PSH, ACK`.
pub fn flag_list(h: &TcpHeader) -> String {
    let f = h.flags;
    let mut v = Vec::new();
    if f.fin {
        v.push("FIN");
    }
    if f.syn {
        v.push("SYN");
    }
    if f.rst {
        v.push("RST");
    }
    if f.psh {
        v.push("PSH");
    }
    if f.ack {
        v.push("ACK");
    }
    if f.urg {
        v.push("URG");
    }
    v.join(", ")
}

/// The two lines of an arrow's label: the main line (`SYN, ACK seq=0 ack=1 win=65535`, the
/// window scaled as RFC 7323 says once the handshake agreed on scaling)
/// and the options line (`[MSS=1460 SACK_PERM TS WS=7]`, empty when there are none).
pub fn segment_label(seg: &Segment, isns: &Isns, n: Numbering) -> (String, String) {
    match &seg.header {
        Header::Udp(u) => {
            let mut s = format!("UDP len={}", u.length.saturating_sub(8));
            if let Some(p) = seg.payload.first() {
                s = format!("{s} ({})", p.message.0 + 1);
            }
            (s, String::new())
        }
        Header::Tcp(h) => {
            let (seq, ack) = isns.show(seg, h, n);
            let mut s = format!("{} seq={seq}", flag_list(h));
            if h.flags.ack {
                s.push_str(&format!(" ack={ack}"));
            }
            s.push_str(&format!(" win={}", isns.window(seg, h)));
            if seg.payload_len > 0 {
                s.push_str(&format!(" len={}", seg.payload_len));
            }
            (s, options_text(h))
        }
    }
}

pub fn options_text(h: &TcpHeader) -> String {
    let o = &h.options;
    let mut v = Vec::new();
    if let Some(m) = o.mss {
        v.push(format!("MSS={m}"));
    }
    if o.sack_permitted {
        v.push("SACK_PERM".to_string());
    }
    if o.timestamps.is_some() {
        v.push("TS".to_string());
    }
    if let Some(ws) = o.window_scale {
        // The shift count as carried on the wire (RFC 7323 §2.2), not the multiplier.
        v.push(format!("WS={ws}"));
    }
    if !o.sack.is_empty() {
        v.push(format!("SACK×{}", o.sack.len()));
    }
    if v.is_empty() {
        String::new()
    } else {
        format!("[{}]", v.join(" "))
    }
}

/// The retransmission / duplicate mark after the label, as Wireshark's expert info.
pub fn mark(seg: &Segment, lang: Lang) -> Option<String> {
    if seg.network_duplicate {
        return Some(match lang {
            Lang::Zh => "网络复制".into(),
            Lang::En => "network duplicate".into(),
        });
    }
    (seg.retransmission > 0).then(|| match lang {
        Lang::Zh => format!("第 {} 次重传", seg.retransmission),
        Lang::En => format!("retransmission #{}", seg.retransmission),
    })
}
