//! What a segment is, how its flags read, and what became of it.

use std::fmt;

use crate::trace::{DropReason, EventKind, Header, Micros, Segment, SegmentId, TcpFlags, Trace};

/// What a segment is, for its colour, its legend entry and the comparison of two runs. The
/// first flag that applies wins: RST, SYN (with or without ACK), FIN, then data or a bare ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SegKind {
    Syn,
    SynAck,
    Ack,
    Data,
    Fin,
    Rst,
    Udp,
    /// An ICMP error (port unreachable).
    Icmp,
}

impl SegKind {
    pub const ALL: [SegKind; 8] = [
        SegKind::Syn,
        SegKind::SynAck,
        SegKind::Ack,
        SegKind::Data,
        SegKind::Fin,
        SegKind::Rst,
        SegKind::Udp,
        SegKind::Icmp,
    ];

    pub fn of(seg: &Segment) -> SegKind {
        match &seg.header {
            Header::Udp(_) => SegKind::Udp,
            Header::Icmp(_) => SegKind::Icmp,
            Header::Tcp(h) => SegKind::of_tcp(h.flags, seg.payload_len),
        }
    }

    /// The kind of a TCP segment with these flags and this much payload (for readers that
    /// hold no [`Segment`], such as a capture's packet table).
    pub fn of_tcp(f: TcpFlags, payload_len: u32) -> SegKind {
        if f.rst {
            SegKind::Rst
        } else if f.syn && f.ack {
            SegKind::SynAck
        } else if f.syn {
            SegKind::Syn
        } else if f.fin {
            SegKind::Fin
        } else if payload_len > 0 {
            SegKind::Data
        } else {
            SegKind::Ack
        }
    }
}

/// tcpdump's flag letters, in its order: `S`, `F`, `R`, `P`, `.` for ACK (`S.` is a SYN-ACK).
/// The one spelling of a segment's flags in the model's text, tests and diffs.
impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, c) in [
            (self.syn, "S"),
            (self.fin, "F"),
            (self.rst, "R"),
            (self.psh, "P"),
            (self.ack, "."),
        ] {
            if on {
                f.write_str(c)?;
            }
        }
        Ok(())
    }
}

impl TcpFlags {
    /// The flags from the TCP header's flag bits (RFC 9293 §3.1: FIN 0x01, SYN 0x02, RST
    /// 0x04, PSH 0x08, ACK 0x10, URG 0x20), as captures store them.
    pub fn from_bits(bits: u16) -> TcpFlags {
        TcpFlags {
            fin: bits & 0x01 != 0,
            syn: bits & 0x02 != 0,
            rst: bits & 0x04 != 0,
            psh: bits & 0x08 != 0,
            ack: bits & 0x10 != 0,
            urg: bits & 0x20 != 0,
        }
    }
}

/// Wireshark's flag list, in its order: `SYN, ACK`, `FIN, ACK`, `PSH, ACK`.
pub fn flag_names(f: TcpFlags) -> String {
    let mut v = Vec::new();
    for (on, n) in [
        (f.fin, "FIN"),
        (f.syn, "SYN"),
        (f.rst, "RST"),
        (f.psh, "PSH"),
        (f.ack, "ACK"),
        (f.urg, "URG"),
    ] {
        if on {
            v.push(n);
        }
    }
    v.join(", ")
}

/// What became of a segment.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    /// It arrived at this time.
    Delivered(Micros),
    /// It was dropped at this time, for this reason.
    Dropped(Micros, DropReason),
    /// The trace ends before either (still in flight, or the recording stopped).
    Unknown,
}

impl Fate {
    pub fn dropped(&self) -> bool {
        matches!(self, Fate::Dropped(..))
    }
}

/// One segment sent, with what became of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent<'a> {
    /// When it left its sender.
    pub t: Micros,
    pub id: SegmentId,
    pub seg: &'a Segment,
    pub fate: Fate,
}

/// Every segment of the trace in send order, each with its fate (the first arrival or drop
/// recorded for its id).
pub fn segments(trace: &Trace) -> Vec<Sent<'_>> {
    let mut out: Vec<Sent<'_>> = Vec::new();
    // (id, index in `out`), sorted by id: ids are unique per trace but need not be in order.
    let mut by_id: Vec<(SegmentId, usize)> = Vec::new();
    for e in &trace.events {
        if let EventKind::SegmentSent { id, segment } = &e.kind {
            by_id.push((*id, out.len()));
            out.push(Sent {
                t: e.t,
                id: *id,
                seg: segment,
                fate: Fate::Unknown,
            });
        }
    }
    by_id.sort_by_key(|&(id, _)| id);
    for e in &trace.events {
        let (id, fate) = match &e.kind {
            EventKind::SegmentArrived { id } => (id, Fate::Delivered(e.t)),
            EventKind::SegmentDropped { id, reason } => (id, Fate::Dropped(e.t, reason.clone())),
            _ => continue,
        };
        if let Ok(i) = by_id.binary_search_by_key(id, |&(k, _)| k) {
            let s = &mut out[by_id[i].1];
            if s.fate == Fate::Unknown {
                s.fate = fate;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Addr, HostId, TcpHeader, TcpOptions};

    fn seg(flags: TcpFlags, len: u32) -> Segment {
        let a = Addr {
            host: HostId(0),
            port: 1,
        };
        Segment {
            src: a,
            dst: a,
            header: Header::Tcp(TcpHeader {
                seq: 0,
                ack: 0,
                flags,
                window: 0,
                header_len: 20,
                options: TcpOptions::default(),
            }),
            payload_len: len,
            payload: Vec::new(),
            wire_len: 40 + len,
            retransmission: 0,
            network_duplicate: false,
        }
    }

    #[test]
    fn flags_read_as_tcpdump_letters_and_wireshark_names() {
        let synack = TcpFlags::from_bits(0x12);
        assert_eq!(synack.to_string(), "S.");
        assert_eq!(flag_names(synack), "SYN, ACK");
        let fin_psh_ack = TcpFlags::from_bits(0x19);
        assert_eq!(fin_psh_ack.to_string(), "FP.");
        assert_eq!(flag_names(fin_psh_ack), "FIN, PSH, ACK");
        assert_eq!(TcpFlags::from_bits(0x04).to_string(), "R");
    }

    #[test]
    fn the_first_flag_that_applies_names_the_kind() {
        let k = |bits, len| SegKind::of(&seg(TcpFlags::from_bits(bits), len));
        assert_eq!(k(0x02, 0), SegKind::Syn);
        assert_eq!(k(0x12, 0), SegKind::SynAck);
        assert_eq!(k(0x14, 0), SegKind::Rst, "RST wins over ACK");
        assert_eq!(k(0x11, 5), SegKind::Fin, "FIN wins over data");
        assert_eq!(k(0x18, 5), SegKind::Data);
        assert_eq!(k(0x10, 0), SegKind::Ack);
    }
}
