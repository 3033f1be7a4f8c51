//! Parsing captured IPv4 packets into the trace's segment description (RFC 791, RFC 9293 §3.1,
//! RFC 768, RFC 792; TCP options per RFC 9293 §3.2, RFC 7323, RFC 2018).

use std::net::Ipv4Addr;

use synack_model::trace::{Header, IcmpHeader, TcpFlags, TcpHeader, TcpOptions, UdpHeader};

/// Where an IPv4 fragment sits in its datagram (RFC 791 §3.2): a datagram above the path MTU
/// leaves Linux in pieces (`ip_fragment` → `ip_do_fragment`), and only the first carries the
/// UDP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// The IP identification every fragment of one datagram shares.
    pub id: u16,
    /// Byte offset of this fragment's data in the datagram's IP payload.
    pub offset: u32,
    /// More fragments follow (MF).
    pub more: bool,
}

/// A parsed packet, with addresses still as IP:port (the recorder maps them to hosts).
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub sport: u16,
    pub dport: u16,
    pub header: Header,
    pub payload_len: u32,
    pub wire_len: u32,
    /// Offset of the payload within the packet.
    pub payload_off: usize,
    /// Set when the packet is a fragment of a larger datagram. For a later fragment (offset
    /// above 0) `sport`/`dport` are 0, `header` is a UDP header of length 0 and `payload_len`
    /// is the fragment's bytes: the recorder puts the pieces back together.
    pub frag: Option<Fragment>,
}

impl Parsed {
    pub fn tcp(&self) -> Option<&TcpHeader> {
        match &self.header {
            Header::Tcp(t) => Some(t),
            Header::Udp(_) | Header::Icmp(_) => None,
        }
    }
}

pub fn parse(ip: &[u8]) -> Option<Parsed> {
    if ip.len() < 20 || ip[0] >> 4 != 4 {
        return None;
    }
    let ihl = ((ip[0] & 0x0f) as usize) * 4;
    let total = (u16::from_be_bytes([ip[2], ip[3]]) as usize).min(ip.len());
    if ihl < 20 || total < ihl {
        return None;
    }
    let src = Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]);
    let dst = Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]);
    let l4 = &ip[ihl..total];
    let be16 = |b: &[u8], o: usize| u16::from_be_bytes([b[o], b[o + 1]]);
    let be32 = |b: &[u8], o: usize| u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let flags_off = be16(ip, 6);
    let frag = (flags_off & 0x3fff != 0).then(|| Fragment {
        id: be16(ip, 4),
        offset: u32::from(flags_off & 0x1fff) * 8,
        more: flags_off & 0x2000 != 0,
    });
    if frag.is_some_and(|f| f.offset > 0) {
        // A later piece: no transport header of its own (only UDP is fragmented here; TCP
        // sizes its segments to the MTU and sets DF).
        if ip[9] != 17 {
            return None;
        }
        return Some(Parsed {
            src,
            dst,
            sport: 0,
            dport: 0,
            header: Header::Udp(UdpHeader { length: 0 }),
            payload_len: l4.len() as u32,
            wire_len: total as u32,
            payload_off: ihl,
            frag,
        });
    }
    match ip[9] {
        6 if l4.len() >= 20 => {
            let off = ((l4[12] >> 4) as usize) * 4;
            if off < 20 || off > l4.len() {
                return None;
            }
            let flags = TcpFlags::from_bits(l4[13].into());
            Some(Parsed {
                src,
                dst,
                sport: be16(l4, 0),
                dport: be16(l4, 2),
                header: Header::Tcp(TcpHeader {
                    seq: be32(l4, 4),
                    ack: be32(l4, 8),
                    flags,
                    window: be16(l4, 14),
                    header_len: off as u8,
                    options: options(&l4[20..off]),
                }),
                payload_len: (l4.len() - off) as u32,
                wire_len: total as u32,
                payload_off: ihl + off,
                frag,
            })
        }
        17 if l4.len() >= 8 => Some(Parsed {
            src,
            dst,
            sport: be16(l4, 0),
            dport: be16(l4, 2),
            header: Header::Udp(UdpHeader {
                length: be16(l4, 4),
            }),
            payload_len: (l4.len() - 8) as u32,
            wire_len: total as u32,
            payload_off: ihl + 8,
            frag,
        }),
        // ICMP (RFC 792) about a UDP datagram: the error quotes the datagram's IP header and
        // at least its first 8 bytes, so its ports are known. As the model writes it, the
        // ICMP message's `sport`/`dport` are the quoted datagram's turned around (from the
        // closed port back to its sender), which names the flow it reports on.
        1 if l4.len() >= 8 => {
            let quoted = &l4[8..];
            let qihl = ((quoted.first()? & 0x0f) as usize) * 4;
            if quoted.len() < qihl + 8 || quoted[9] != 17 {
                return None;
            }
            Some(Parsed {
                src,
                dst,
                sport: be16(quoted, qihl + 2),
                dport: be16(quoted, qihl),
                header: Header::Icmp(IcmpHeader {
                    icmp_type: l4[0],
                    code: l4[1],
                }),
                payload_len: 0,
                wire_len: total as u32,
                payload_off: total,
                frag,
            })
        }
        _ => None,
    }
}

fn options(mut o: &[u8]) -> TcpOptions {
    let mut out = TcpOptions::default();
    while let Some(&kind) = o.first() {
        match kind {
            0 => break,
            1 => {
                out.order.push(kind);
                o = &o[1..];
                continue;
            }
            _ => {}
        }
        let Some(&len) = o.get(1) else { break };
        let len = len as usize;
        if len < 2 || len > o.len() {
            break;
        }
        let d = &o[2..len];
        // The wire order, for `compare` to check against the model's (`tcp_options_write`).
        if matches!(kind, 2..=5 | 8) {
            out.order.push(kind);
        }
        match (kind, d.len()) {
            (2, 2) => out.mss = Some(u16::from_be_bytes([d[0], d[1]])),
            (3, 1) => out.window_scale = Some(d[0]),
            (4, 0) => out.sack_permitted = true,
            (5, n) if n % 8 == 0 => {
                for b in d.chunks_exact(8) {
                    out.sack.push((
                        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                        u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
                    ));
                }
            }
            (8, 8) => {
                out.timestamps = Some((
                    u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
                    u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
                ))
            }
            _ => {}
        }
        o = &o[len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_syn_with_options() {
        // 127.0.0.1:53302 -> 127.0.0.1:9999 SYN, MSS 65495, SACK-perm, TS, NOP, WS 7
        let mut p = vec![
            0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
        ];
        p.extend_from_slice(&[0xd0, 0x36, 0x27, 0x0f, 0, 0, 0, 100, 0, 0, 0, 0, 0xa0, 0x02]);
        p.extend_from_slice(&[0xff, 0xd7, 0, 0, 0, 0]);
        p.extend_from_slice(&[
            2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ]);
        let s = parse(&p).unwrap();
        assert_eq!((s.sport, s.dport), (53302, 9999));
        let t = s.tcp().unwrap();
        assert!(t.flags.syn && !t.flags.ack);
        assert_eq!(t.seq, 100);
        assert_eq!(t.options.mss, Some(65495));
        assert!(t.options.sack_permitted);
        assert_eq!(t.options.timestamps, Some((1, 0)));
        assert_eq!(t.options.window_scale, Some(7));
        assert_eq!(
            t.options.order,
            [2, 4, 8, 1, 3],
            "MSS, SACK_PERM, TS, NOP, WS"
        );
        assert_eq!(s.payload_len, 0);
        assert_eq!(s.wire_len, 60);
    }
}
