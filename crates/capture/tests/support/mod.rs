//! A tiny, independent packet and capture-file writer for the tests: headers are assembled
//! byte by byte here (not with etherparse, which the reader uses), so reading them back checks
//! the reader against a second implementation of the formats.
#![allow(dead_code)]

use std::net::IpAddr;

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// TCP options to put in a segment.
#[derive(Clone, Debug, Default)]
pub struct Opts {
    pub mss: Option<u16>,
    pub wscale: Option<u8>,
    pub sack_perm: bool,
    pub ts: Option<(u32, u32)>,
    pub sack: Vec<(u32, u32)>,
}

impl Opts {
    fn bytes(&self) -> Vec<u8> {
        let mut o = Vec::new();
        if let Some(m) = self.mss {
            o.extend([2, 4]);
            o.extend(m.to_be_bytes());
        }
        if self.sack_perm {
            o.extend([4, 2]);
        }
        if let Some((v, e)) = self.ts {
            o.extend([8, 10]);
            o.extend(v.to_be_bytes());
            o.extend(e.to_be_bytes());
        }
        if !self.sack.is_empty() {
            o.extend([1, 1, 5, 2 + 8 * self.sack.len() as u8]);
            for (l, r) in &self.sack {
                o.extend(l.to_be_bytes());
                o.extend(r.to_be_bytes());
            }
        }
        if let Some(s) = self.wscale {
            o.extend([1, 3, 3, s]);
        }
        while o.len() % 4 != 0 {
            o.push(0);
        }
        o
    }
}

#[derive(Clone, Debug)]
pub enum L4 {
    Tcp {
        seq: u32,
        ack: u32,
        flags: u8,
        window: u16,
        opts: Opts,
    },
    Udp,
}

/// An IP packet to be built.
#[derive(Clone, Debug)]
pub struct Pkt {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub l4: L4,
    pub payload: usize,
}

impl Pkt {
    /// The IP packet's bytes.
    pub fn ip_bytes(&self) -> Vec<u8> {
        let mut l4 = Vec::new();
        let proto;
        match &self.l4 {
            L4::Tcp {
                seq,
                ack,
                flags,
                window,
                opts,
            } => {
                proto = 6u8;
                let ob = opts.bytes();
                l4.extend(self.sport.to_be_bytes());
                l4.extend(self.dport.to_be_bytes());
                l4.extend(seq.to_be_bytes());
                l4.extend(ack.to_be_bytes());
                l4.push((((20 + ob.len()) / 4) as u8) << 4);
                l4.push(*flags);
                l4.extend(window.to_be_bytes());
                l4.extend([0, 0, 0, 0]); // checksum (not checked by reader or tshark), urgent
                l4.extend(ob);
            }
            L4::Udp => {
                proto = 17u8;
                l4.extend(self.sport.to_be_bytes());
                l4.extend(self.dport.to_be_bytes());
                l4.extend(((8 + self.payload) as u16).to_be_bytes());
                l4.extend([0, 0]);
            }
        }
        l4.extend((0..self.payload).map(|i| (i % 251) as u8));
        let mut ip = Vec::new();
        match (self.src, self.dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                ip.extend([0x45, 0]);
                ip.extend(((20 + l4.len()) as u16).to_be_bytes());
                ip.extend([0, 1, 0x40, 0, 64, proto, 0, 0]);
                ip.extend(s.octets());
                ip.extend(d.octets());
                let mut sum = 0u32;
                for c in ip.chunks(2) {
                    sum += u16::from_be_bytes([c[0], c[1]]) as u32;
                }
                while sum > 0xFFFF {
                    sum = (sum & 0xFFFF) + (sum >> 16);
                }
                let ck = !(sum as u16);
                ip[10..12].copy_from_slice(&ck.to_be_bytes());
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                ip.extend([0x60, 0, 0, 0]);
                ip.extend((l4.len() as u16).to_be_bytes());
                ip.extend([proto, 64]);
                ip.extend(s.octets());
                ip.extend(d.octets());
            }
            _ => panic!("mixed address families"),
        }
        ip.extend(l4);
        ip
    }
}

/// Link-layer framings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Ethernet,
    EthernetVlan,
    Sll,
    Sll2,
    NullLe,
    Raw,
}

impl Link {
    pub fn linktype(self) -> u32 {
        match self {
            Link::Ethernet | Link::EthernetVlan => 1,
            Link::Sll => 113,
            Link::Sll2 => 276,
            Link::NullLe => 0,
            Link::Raw => 101,
        }
    }

    pub fn frame(self, ip: &[u8]) -> Vec<u8> {
        let v6 = ip[0] >> 4 == 6;
        let et: u16 = if v6 { 0x86DD } else { 0x0800 };
        let mut f = Vec::new();
        match self {
            Link::Ethernet | Link::EthernetVlan => {
                f.extend([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
                if self == Link::EthernetVlan {
                    f.extend(0x8100u16.to_be_bytes());
                    f.extend(42u16.to_be_bytes());
                }
                f.extend(et.to_be_bytes());
            }
            Link::Sll => {
                f.extend([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
                f.extend(et.to_be_bytes());
            }
            Link::Sll2 => {
                f.extend(et.to_be_bytes());
                f.extend([0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
            }
            Link::NullLe => f.extend((if v6 { 30u32 } else { 2u32 }).to_le_bytes()),
            Link::Raw => {}
        }
        f.extend(ip);
        // Ethernet minimum frame: pad (the reader must ignore the padding).
        if matches!(self, Link::Ethernet | Link::EthernetVlan) && f.len() < 60 {
            f.resize(60, 0);
        }
        f
    }
}

/// A packet with its capture time.
#[derive(Clone, Debug)]
pub struct Rec {
    pub ts_ns: i64,
    pub data: Vec<u8>,
    pub orig_len: u32,
}

pub fn recs(link: Link, pkts: &[(i64, Pkt)]) -> Vec<Rec> {
    pkts.iter()
        .map(|(t, p)| {
            let data = link.frame(&p.ip_bytes());
            Rec {
                ts_ns: *t,
                orig_len: data.len() as u32,
                data,
            }
        })
        .collect()
}

/// Classic pcap. `nanos` picks the nanosecond magic.
pub fn pcap(linktype: u32, big_endian: bool, nanos: bool, snaplen: u32, recs: &[Rec]) -> Vec<u8> {
    let w32 = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut f = Vec::new();
    f.extend(w32(if nanos { 0xA1B2_3C4D } else { 0xA1B2_C3D4 }));
    f.extend(w16(2));
    f.extend(w16(4));
    f.extend(w32(0));
    f.extend(w32(0));
    f.extend(w32(snaplen));
    f.extend(w32(linktype));
    for r in recs {
        let caplen = (r.data.len() as u32).min(snaplen);
        f.extend(w32((r.ts_ns / 1_000_000_000) as u32));
        let frac = r.ts_ns % 1_000_000_000;
        f.extend(w32(if nanos {
            frac as u32
        } else {
            (frac / 1000) as u32
        }));
        f.extend(w32(caplen));
        f.extend(w32(r.orig_len));
        f.extend(&r.data[..caplen as usize]);
    }
    f
}

/// A pcapng writer: sections, interfaces (with if_tsresol), enhanced and simple packet blocks.
pub struct PcapNg {
    pub out: Vec<u8>,
    be: bool,
    /// Per interface of the current section: (units per second).
    ifaces: Vec<u64>,
}

impl PcapNg {
    pub fn new() -> PcapNg {
        PcapNg {
            out: Vec::new(),
            be: false,
            ifaces: Vec::new(),
        }
    }

    fn w32(&self, v: u32) -> [u8; 4] {
        if self.be {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn w16(&self, v: u16) -> [u8; 2] {
        if self.be {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn block(&mut self, ty: u32, body: &[u8]) {
        let len = 12 + body.len().div_ceil(4) * 4;
        let mut b = Vec::new();
        b.extend(self.w32(ty));
        b.extend(self.w32(len as u32));
        b.extend(body);
        while b.len() % 4 != 0 {
            b.push(0);
        }
        b.extend(self.w32(len as u32));
        self.out.extend(b);
    }

    pub fn section(&mut self, big_endian: bool) {
        self.be = big_endian;
        self.ifaces.clear();
        let mut body = Vec::new();
        body.extend(self.w32(0x1A2B_3C4D));
        body.extend(self.w16(1));
        body.extend(self.w16(0));
        body.extend([0xFF; 8]); // section length unknown
        self.block(0x0A0D_0D0A, &body);
    }

    /// `tsresol`: the if_tsresol byte, or None for the default (microseconds).
    pub fn interface(&mut self, linktype: u16, snaplen: u32, tsresol: Option<u8>) {
        let mut body = Vec::new();
        body.extend(self.w16(linktype));
        body.extend(self.w16(0));
        body.extend(self.w32(snaplen));
        let units = match tsresol {
            Some(r) => {
                body.extend(self.w16(9));
                body.extend(self.w16(1));
                body.extend([r, 0, 0, 0]);
                body.extend(self.w16(0));
                body.extend(self.w16(0));
                if r & 0x80 == 0 {
                    10u64.pow(r as u32)
                } else {
                    1u64 << (r & 0x7F)
                }
            }
            None => 1_000_000,
        };
        self.ifaces.push(units);
        self.block(1, &body);
    }

    pub fn epb(&mut self, iface: u32, r: &Rec) {
        let units = self.ifaces[iface as usize];
        let ticks = (r.ts_ns as u128 * units as u128 / 1_000_000_000) as u64;
        let mut body = Vec::new();
        body.extend(self.w32(iface));
        body.extend(self.w32((ticks >> 32) as u32));
        body.extend(self.w32(ticks as u32));
        body.extend(self.w32(r.data.len() as u32));
        body.extend(self.w32(r.orig_len));
        body.extend(&r.data);
        self.block(6, &body);
    }

    pub fn spb(&mut self, r: &Rec) {
        let mut body = Vec::new();
        body.extend(self.w32(r.orig_len));
        body.extend(&r.data);
        self.block(3, &body);
    }

    pub fn unknown_block(&mut self) {
        self.block(0x0BAD_0001, &[1, 2, 3, 4, 5]);
    }
}

/// A conversation script: builds packets for client C and server S with running sequence
/// numbers, so scenario tests read like packet exchanges.
pub struct Conv {
    pub c: (IpAddr, u16),
    pub s: (IpAddr, u16),
    pub c_seq: u32,
    pub s_seq: u32,
    pub t: i64,
    pub out: Vec<(i64, Pkt)>,
    pub window: u16,
}

impl Conv {
    pub fn new(c: (&str, u16), s: (&str, u16), c_isn: u32, s_isn: u32) -> Conv {
        Conv {
            c: (c.0.parse().unwrap(), c.1),
            s: (s.0.parse().unwrap(), s.1),
            c_seq: c_isn,
            s_seq: s_isn,
            t: 1_700_000_000_000_000_000,
            out: Vec::new(),
            window: 1000,
        }
    }

    /// Advance time by `us` microseconds.
    pub fn wait(&mut self, us: i64) -> &mut Self {
        self.t += us * 1000;
        self
    }

    /// Client → server segment at the current sequence numbers; advances the sender's seq.
    pub fn c2s(&mut self, flags: u8, len: usize) -> &mut Self {
        self.seg(true, flags, len, None, Opts::default(), true)
    }
    pub fn s2c(&mut self, flags: u8, len: usize) -> &mut Self {
        self.seg(false, flags, len, None, Opts::default(), true)
    }

    /// Full control: explicit seq (or the running one), options, whether to advance.
    pub fn seg(
        &mut self,
        from_client: bool,
        flags: u8,
        len: usize,
        seq: Option<u32>,
        opts: Opts,
        advance: bool,
    ) -> &mut Self {
        let (src, dst) = if from_client {
            (self.c, self.s)
        } else {
            (self.s, self.c)
        };
        let (own, peer) = if from_client {
            (self.c_seq, self.s_seq)
        } else {
            (self.s_seq, self.c_seq)
        };
        let seq = seq.unwrap_or(own);
        let ack = if flags & ACK != 0 { peer } else { 0 };
        let p = Pkt {
            src: src.0,
            dst: dst.0,
            sport: src.1,
            dport: dst.1,
            l4: L4::Tcp {
                seq,
                ack,
                flags,
                window: self.window,
                opts,
            },
            payload: len,
        };
        self.out.push((self.t, p));
        if advance {
            let n = len as u32 + ((flags & (SYN | FIN) != 0) as u32);
            let next = seq.wrapping_add(n);
            if from_client {
                if (next.wrapping_sub(self.c_seq) as i32) > 0 {
                    self.c_seq = next;
                }
            } else if (next.wrapping_sub(self.s_seq) as i32) > 0 {
                self.s_seq = next;
            }
        }
        self.t += 10_000; // 10 µs between packets unless told otherwise
        self
    }

    pub fn handshake(&mut self, rtt_us: i64) -> &mut Self {
        let o = Opts {
            mss: Some(1460),
            wscale: Some(7),
            sack_perm: true,
            ts: Some((100, 0)),
            sack: vec![],
        };
        self.seg(true, SYN, 0, None, o.clone(), true);
        self.wait(rtt_us);
        self.seg(
            false,
            SYN | ACK,
            0,
            None,
            Opts {
                ts: Some((500, 100)),
                ..o
            },
            true,
        );
        self.wait(rtt_us / 10);
        self.c2s(ACK, 0)
    }

    pub fn udp(&mut self, from_client: bool, len: usize) -> &mut Self {
        let (src, dst) = if from_client {
            (self.c, self.s)
        } else {
            (self.s, self.c)
        };
        self.out.push((
            self.t,
            Pkt {
                src: src.0,
                dst: dst.0,
                sport: src.1,
                dport: dst.1,
                l4: L4::Udp,
                payload: len,
            },
        ));
        self.t += 10_000;
        self
    }
}

fn ipv4_checksum(h: &mut [u8]) {
    h[10] = 0;
    h[11] = 0;
    let mut sum = 0u32;
    for c in h.chunks(2) {
        sum += u16::from_be_bytes([c[0], c[1]]) as u32;
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    h[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
}

/// The ICMPv4 error (RFC 792) a host sends back about the IPv4 packet `quoted`: from its
/// destination to its source, `icmp_type`/`code`, quoting its IP header and first 8 bytes of
/// data, as Linux's `icmp_send` does for a datagram to a closed port (type 3, code 3).
pub fn icmp_error(quoted: &[u8], icmp_type: u8, code: u8) -> Vec<u8> {
    let hl = (quoted[0] & 0x0F) as usize * 4;
    let q = &quoted[..(hl + 8).min(quoted.len())];
    let mut icmp = vec![icmp_type, code, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(q);
    let mut ip = vec![0x45, 0];
    ip.extend(((20 + icmp.len()) as u16).to_be_bytes());
    ip.extend([0, 2, 0, 0, 64, 1, 0, 0]);
    ip.extend_from_slice(&quoted[16..20]);
    ip.extend_from_slice(&quoted[12..16]);
    ipv4_checksum(&mut ip);
    ip.extend(icmp);
    ip
}

/// Overwrites an IP packet's length field (IPv4 total length, IPv6 payload length) with one
/// that need not match its bytes.
pub fn claim_ip_len(ip: &mut [u8], claimed: u16) {
    if ip[0] >> 4 == 4 {
        ip[2..4].copy_from_slice(&claimed.to_be_bytes());
        let hl = (ip[0] & 0x0F) as usize * 4;
        ipv4_checksum(&mut ip[..hl]);
    } else {
        ip[4..6].copy_from_slice(&claimed.to_be_bytes());
    }
}

/// Splits an IP packet (as `Pkt::ip_bytes` builds it: no IPv6 extension headers) into
/// fragments of at most `max` payload bytes (a multiple of 8), identification `id`: for IPv4
/// the header's flags and offset (RFC 791), for IPv6 a fragment header (RFC 8200 §4.5).
pub fn fragments(ip: &[u8], id: u32, max: usize) -> Vec<Vec<u8>> {
    assert!(max.is_multiple_of(8));
    let v4 = ip[0] >> 4 == 4;
    let hl = if v4 { (ip[0] & 0x0F) as usize * 4 } else { 40 };
    let payload = &ip[hl..];
    let mut out = Vec::new();
    let mut off = 0;
    while off < payload.len() {
        let end = (off + max).min(payload.len());
        let more = end < payload.len();
        let mut f = ip[..hl].to_vec();
        if v4 {
            f[2..4].copy_from_slice(&((hl + end - off) as u16).to_be_bytes());
            f[4..6].copy_from_slice(&(id as u16).to_be_bytes());
            let flags_off = ((more as u16) << 13) | (off / 8) as u16;
            f[6..8].copy_from_slice(&flags_off.to_be_bytes());
            ipv4_checksum(&mut f);
        } else {
            let next = f[6];
            f[6] = 44;
            f[4..6].copy_from_slice(&((8 + end - off) as u16).to_be_bytes());
            f.extend([next, 0]);
            f.extend((((off / 8) as u16) << 3 | more as u16).to_be_bytes());
            f.extend(id.to_be_bytes());
        }
        f.extend(&payload[off..end]);
        out.push(f);
        off = end;
    }
    out
}

/// A record of `frame` at `ts_ns` whose original length is `orig_len`.
pub fn rec(ts_ns: i64, frame: Vec<u8>, orig_len: u32) -> Rec {
    Rec {
        ts_ns,
        data: frame,
        orig_len,
    }
}

/// CRC-32 as gzip uses it (RFC 1952 §8, the reflected polynomial 0xEDB88320), bit by bit.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `data` as one gzip member (RFC 1952) whose deflate stream is made of stored blocks
/// (RFC 1951 §3.2.4): a second, independent writer next to the reader's decompressor, and the
/// same bytes on every run and version.
pub fn gzip_member(data: &[u8]) -> Vec<u8> {
    // Magic, CM=8 (deflate), no flags, MTIME 0, XFL 0, OS 255 (unknown).
    let mut g = vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        g.extend([1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(c) = chunks.next() {
        g.push(chunks.peek().is_none() as u8); // BFINAL, BTYPE=00
        g.extend((c.len() as u16).to_le_bytes());
        g.extend((!(c.len() as u16)).to_le_bytes());
        g.extend(c);
    }
    g.extend(crc32(data).to_le_bytes());
    g.extend((data.len() as u32).to_le_bytes());
    g
}
