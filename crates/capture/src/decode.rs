//! Link layer → IP → TCP/UDP (and the ICMP errors about UDP datagrams), for one frame.
//!
//! The small link-layer headers that select the next protocol (BSD loopback, Linux cooked
//! SLL/SLL2) are read here; `etherparse` does Ethernet, VLAN tags, IPv4/IPv6 (with extension
//! headers) and TCP/UDP, in its *lax* mode so that packets cut short by a small snapshot length
//! still give their headers, with payload lengths taken from the IP header.

use std::net::IpAddr;

use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, TcpOptionElement, TcpSlice, UdpSlice};
use serde::Serialize;
use synack_model::trace::{option_kind, TcpOptions};

use crate::container::{Frame, LinkType};
use crate::problem::{Detail, Layer};

pub use crate::linktype;

/// TCP flag bits as on the wire (RFC 9293 §3.1, RFC 3168 for ECE/CWR).
pub mod flags {
    pub const FIN: u16 = 0x01;
    pub const SYN: u16 = 0x02;
    pub const RST: u16 = 0x04;
    pub const PSH: u16 = 0x08;
    pub const ACK: u16 = 0x10;
    pub const URG: u16 = 0x20;
    pub const ECE: u16 = 0x40;
    pub const CWR: u16 = 0x80;
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TcpFields {
    pub seq: u32,
    pub ack: u32,
    /// Raw flag bits, see [`flags`].
    pub flags: u16,
    /// The raw (unscaled) window field.
    pub window: u16,
    /// Data offset in bytes.
    pub header_len: u8,
    pub options: Options,
}

/// The TCP options of one captured segment (what the model's `TcpOptions` says, kept small).
/// A capture holds one per packet, 1.5 M in a 200 MB file: the model's type, with its two
/// `Vec`s, is 72 bytes; this one is 40, with the usual wire order inline and only SACK blocks
/// or an order of more than eight options (rare: SACK needs a loss) behind a box.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(into = "TcpOptions")]
pub struct Options {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// (TSval, TSecr)
    pub timestamps: Option<(u32, u32)>,
    /// The option kinds in wire order, NOPs included, when there are at most eight (a Linux
    /// SYN has five, a segment with timestamps three, with one SACK block six).
    order: [u8; 8],
    order_len: u8,
    rare: Option<Box<RareOptions>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RareOptions {
    sack: Vec<(u32, u32)>,
    /// The whole wire order when it is longer than eight.
    order: Vec<u8>,
}

impl Options {
    /// SACK blocks (left edge, right edge), RFC 2018.
    pub fn sack(&self) -> &[(u32, u32)] {
        self.rare.as_deref().map_or(&[], |r| &r.sack)
    }

    /// The option kinds in wire order, NOPs included (`TcpOptions::order`).
    pub fn order(&self) -> &[u8] {
        match self.rare.as_deref() {
            Some(r) if !r.order.is_empty() => &r.order,
            _ => &self.order[..self.order_len as usize],
        }
    }

    fn push_kind(&mut self, kind: u8) {
        let n = self.order_len as usize;
        if let Some(r) = self.rare.as_deref_mut().filter(|r| !r.order.is_empty()) {
            r.order.push(kind);
        } else if n < self.order.len() {
            self.order[n] = kind;
            self.order_len += 1;
        } else {
            let r = self.rare.get_or_insert_with(Box::default);
            r.order = self.order.to_vec();
            r.order.push(kind);
        }
    }

    fn push_sack(&mut self, blocks: impl IntoIterator<Item = (u32, u32)>) {
        let r = self.rare.get_or_insert_with(Box::default);
        r.sack.extend(blocks);
    }
}

impl From<Options> for TcpOptions {
    fn from(o: Options) -> TcpOptions {
        TcpOptions {
            mss: o.mss,
            window_scale: o.window_scale,
            sack_permitted: o.sack_permitted,
            timestamps: o.timestamps,
            sack: o.sack().to_vec(),
            order: o.order().to_vec(),
        }
    }
}

impl TcpFields {
    pub fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "proto", rename_all = "snake_case")]
pub enum Transport {
    Tcp(TcpFields),
    Udp {
        /// The UDP length field (header + data).
        length: u16,
    },
    /// An ICMPv4 error about a UDP datagram (RFC 792: destination unreachable, source quench,
    /// redirect, time exceeded, parameter problem), which quotes the datagram's IP header and
    /// its first 8 bytes. The packet's ports are the quoted datagram's turned around (from the
    /// port it was sent to back to the port it came from), as the trace writes an ICMP error
    /// (`synack_model::trace::Header::Icmp`): so it belongs to that datagram's UDP flow. Linux
    /// answers a datagram for a port nobody has bound with type 3, code 3 (port unreachable).
    Icmp {
        #[serde(rename = "type")]
        icmp_type: u8,
        code: u8,
    },
}

/// One decoded TCP or UDP packet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Packet {
    /// Frame number in the file (1-based).
    pub number: u64,
    /// Nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    /// Frame length on the wire (what Wireshark's conversation table counts as bytes).
    pub frame_len: u32,
    /// Bytes at the IP layer: IP header(s) + transport header + payload, from the IP header
    /// (believed as far as the packet reached on the wire); for a reassembled datagram, the
    /// completing fragment's IP header(s) + the whole payload.
    pub ip_len: u32,
    /// Transport payload length (from the IP/UDP length fields, so a short snapshot length
    /// does not shrink it).
    pub payload_len: u32,
    pub transport: Transport,
}

impl Packet {
    pub fn tcp(&self) -> Option<&TcpFields> {
        match &self.transport {
            Transport::Tcp(t) => Some(t),
            Transport::Udp { .. } | Transport::Icmp { .. } => None,
        }
    }
}

/// Why a frame gave no packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// Not IP, or IP carrying something other than TCP/UDP or an ICMP error about a UDP
    /// datagram (ARP, ICMP echo...): not a problem.
    NotTcpUdp,
    /// An IP fragment that gives no packet itself: kept for reassembly (the packet comes with
    /// the fragment that completes its datagram), or a later fragment that cannot be
    /// reassembled (cut short by the snapshot length, or reaching past 65,535 bytes).
    Fragment,
    UnknownLinkType(u16),
    /// Headers that claim to be IP/TCP/UDP but cannot be read: which header, and why.
    Malformed(Layer, Option<u32>, Option<String>),
}

fn malformed(layer: Layer, e: impl std::fmt::Display) -> Skip {
    Skip::Malformed(layer, None, Some(e.to_string()))
}

/// What one frame gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded<'a> {
    Packet(Packet),
    /// One whole fragment of a fragmented IP datagram, for [`crate::reassembly`]; the packet
    /// comes from the frame that completes the datagram, as in Wireshark.
    Fragment(Fragment<'a>),
}

/// Which datagram a fragment belongs to (RFC 791 §3.2: source, destination, protocol and
/// identification; RFC 8200 §4.5: source, destination and the fragment header's
/// identification).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FragmentKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// The protocol the datagram carries (6 TCP, 17 UDP).
    pub proto: u8,
    pub id: u32,
}

/// One fragment whose bytes were all captured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment<'a> {
    pub key: FragmentKey,
    /// Where its bytes go in the datagram's payload (the fragment offset × 8).
    pub offset: u32,
    /// The "more fragments" flag: clear on the last fragment, which fixes the payload length.
    pub more: bool,
    pub data: &'a [u8],
    /// IP header bytes in front of the payload in this frame (IPv6: with its extension
    /// headers, the fragment header included).
    pub header_len: u32,
}

/// Decodes one frame. A problem that does not stop the packet from being read (an IP length
/// that claims more bytes than the frame has) is pushed onto `notes`.
pub fn decode<'a>(frame: &Frame<'a>, notes: &mut Vec<Detail>) -> Result<Decoded<'a>, Skip> {
    let d = frame.data;
    let sliced = match frame.link.0 {
        linktype::ETHERNET => {
            LaxSlicedPacket::from_ethernet(d).map_err(|e| malformed(Layer::Ethernet, e))?
        }
        linktype::RAW
        | linktype::RAW_BSD
        | linktype::RAW_OPENBSD
        | linktype::IPV4
        | linktype::IPV6 => from_ip(d)?,
        linktype::NULL | linktype::LOOP => {
            if d.len() < 4 {
                return Err(Skip::Malformed(Layer::Loopback, Some(4), None));
            }
            let le = u32::from_le_bytes([d[0], d[1], d[2], d[3]]);
            let be = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
            // The family is in the capturing host's byte order (NULL) or network order (LOOP);
            // a family number is small, so whichever reading is small is the right one.
            let family = if frame.link.0 == linktype::LOOP || le > 0xFFFF {
                be
            } else {
                le
            };
            match family {
                // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD),
                // 30 (macOS), 10 (Linux).
                2 | 10 | 24 | 28 | 30 => from_ip(&d[4..])?,
                _ => return Err(Skip::NotTcpUdp),
            }
        }
        linktype::LINUX_SLL => {
            // 16 bytes: packet type, ARPHRD type, address length, 8 address bytes, protocol.
            if d.len() < 16 {
                return Err(Skip::Malformed(Layer::Sll, Some(16), None));
            }
            let proto = u16::from_be_bytes([d[14], d[15]]);
            from_ether_type(proto, &d[16..])?
        }
        linktype::LINUX_SLL2 => {
            // 20 bytes: protocol, reserved, interface index, ARPHRD, packet type, addr len, addr.
            if d.len() < 20 {
                return Err(Skip::Malformed(Layer::Sll2, Some(20), None));
            }
            let proto = u16::from_be_bytes([d[0], d[1]]);
            from_ether_type(proto, &d[20..])?
        }
        other => return Err(Skip::UnknownLinkType(other)),
    };
    to_packet(frame, &sliced, notes)
}

fn from_ip(d: &[u8]) -> Result<LaxSlicedPacket<'_>, Skip> {
    LaxSlicedPacket::from_ip(d).map_err(|e| malformed(Layer::Ip, e))
}

fn from_ether_type(proto: u16, d: &[u8]) -> Result<LaxSlicedPacket<'_>, Skip> {
    match proto {
        0x0800 | 0x86DD | 0x8100 | 0x88A8 | 0x9100 => {
            Ok(LaxSlicedPacket::from_ether_type(EtherType(proto), d))
        }
        _ => Err(Skip::NotTcpUdp),
    }
}

/// The IP layer of a packet, as the transport decoder needs it.
#[derive(Clone, Copy, Debug)]
pub struct Net {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// Bytes at the IP layer (headers + transport), as far as the frame holds them.
    pub ip_len: u32,
    /// Transport bytes (header + payload) the IP header declares, as far as the frame holds.
    pub transport_len: u32,
}

fn to_packet<'a>(
    frame: &Frame<'a>,
    p: &LaxSlicedPacket<'a>,
    notes: &mut Vec<Detail>,
) -> Result<Decoded<'a>, Skip> {
    let Some(net) = &p.net else {
        return match &p.stop_err {
            Some((e, _)) if !p.link_exts.is_empty() || p.link.is_some() => {
                // An Ethernet frame whose IP header failed: only a problem if it said IP.
                if is_ip_ethertype(p) {
                    Err(malformed(Layer::Ip, e))
                } else {
                    Err(Skip::NotTcpUdp)
                }
            }
            _ => Err(Skip::NotTcpUdp),
        };
    };
    // Bytes of this frame that were on the wire but not captured (snapshot length). The IP
    // header's length is believed only as far as the frame could hold it: Wireshark's
    // dissect_ip_v4 and dissect_ipv6 flag a length beyond the packet ("IPv4 total length
    // exceeds packet length") and dissect what is there, so a TCP segment whose header claims
    // 1,460 bytes in a frame holding 5 has 5. A frame cut by the snapshot length keeps the
    // header's length, up to the frame's original length.
    let uncaptured = (frame.orig_len as usize).saturating_sub(frame.data.len()) as u32;
    let (src, dst, ip_len, transport_len, payload, fragment) = match net {
        LaxNetSlice::Ipv4(v4) => {
            let h = v4.header();
            let hl = h.slice().len() as u32;
            let ext = v4.extensions().auth.map_or(0, |a| a.slice().len() as u32);
            let pl = v4.payload();
            let mut total = h.total_len() as u32;
            if total < hl {
                // total_len 0 happens for TSO-offloaded packets captured on the sending host:
                // what was captured is all we know.
                total = hl + ext + pl.payload.len() as u32;
            } else if pl.incomplete {
                let on_wire = hl + ext + pl.payload.len() as u32 + uncaptured;
                if total > on_wire {
                    notes.push(Detail::IpLengthBeyondPacket {
                        version: 4,
                        claimed: total,
                        on_wire,
                    });
                    total = on_wire;
                }
            }
            let fragment = pl.fragmented.then(|| {
                (
                    h.identification() as u32,
                    h.fragments_offset().value() as u32 * 8,
                    h.more_fragments(),
                    hl + ext,
                )
            });
            let (src, dst) = (h.source_addr(), h.destination_addr());
            (
                IpAddr::V4(src),
                IpAddr::V4(dst),
                total,
                total.saturating_sub(hl + ext),
                pl,
                fragment,
            )
        }
        LaxNetSlice::Ipv6(v6) => {
            let h = v6.header();
            let pl = v6.payload();
            let ext = v6.extensions().slice().len() as u32;
            let mut plen = h.payload_length() as u32;
            if plen == 0 {
                // Jumbogram or unknown: what was captured is all we know.
                plen = ext + pl.payload.len() as u32;
            } else if pl.incomplete {
                let on_wire = ext + pl.payload.len() as u32 + uncaptured;
                if plen > on_wire {
                    notes.push(Detail::IpLengthBeyondPacket {
                        version: 6,
                        claimed: 40 + plen,
                        on_wire: 40 + on_wire,
                    });
                    plen = on_wire;
                }
            }
            let fragment = ipv6_fragment(h.next_header().0, v6.extensions().slice())
                .map(|(id, offset, more)| (id, offset, more, 40 + ext));
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                40 + plen,
                plen.saturating_sub(ext),
                pl,
                fragment,
            )
        }
        _ => return Err(Skip::NotTcpUdp),
    };
    let ip_number = payload.ip_number.0;
    let icmp_v4 = ip_number == 1 && matches!(net, LaxNetSlice::Ipv4(_));
    if ip_number != 6 && ip_number != 17 && !icmp_v4 {
        return Err(Skip::NotTcpUdp);
    }
    // An ICMP error is a few hundred bytes at most (RFC 1812 §4.3.2.3: 576): a fragment of
    // one is not worth reassembling.
    if icmp_v4 && fragment.is_some() {
        return Err(Skip::NotTcpUdp);
    }
    let cut = payload.incomplete || frame.data.len() < frame.orig_len as usize;
    if let Some((id, offset, more, header_len)) = fragment {
        // Reassembled only if all its bytes were captured (a snapshot length that cut only
        // the frame's trailer does not matter), as in Wireshark's tvb_bytes_exist check.
        if !payload.incomplete && offset + (payload.payload.len() as u32) <= MAX_DATAGRAM {
            return Ok(Decoded::Fragment(Fragment {
                key: FragmentKey {
                    src,
                    dst,
                    proto: ip_number,
                    id,
                },
                offset,
                more,
                data: payload.payload,
                header_len,
            }));
        }
        // A fragment not wholly captured cannot be reassembled; Wireshark's dissect_ip_v4
        // then dissects the first one's transport header from what is there and shows the
        // others as fragments only.
        if offset != 0 {
            return Err(Skip::Fragment);
        }
    }
    let net = Net {
        src,
        dst,
        ip_len,
        transport_len,
    };
    transport(frame, &net, ip_number, payload.payload, cut).map(Decoded::Packet)
}

/// The packet carried by a reassembled datagram: `payload` is its whole payload (transport
/// header first), `last` the fragment that completed it, in `frame`.
pub fn reassembled(frame: &Frame<'_>, last: &Fragment<'_>, payload: &[u8]) -> Result<Packet, Skip> {
    let len = payload.len() as u32;
    let net = Net {
        src: last.key.src,
        dst: last.key.dst,
        ip_len: last.header_len + len,
        transport_len: len,
    };
    transport(frame, &net, last.key.proto, payload, false)
}

/// The largest datagram payload fragments can add up to (the 16-bit IPv4 total length, and
/// the IPv6 payload length without a jumbo option).
pub const MAX_DATAGRAM: u32 = 65_535;

/// The TCP or UDP packet in `bytes` (transport header first). `cut`: the frame lost bytes to
/// the snapshot length, so the payload length comes from the IP (TCP) or UDP length field.
pub fn transport(
    frame: &Frame<'_>,
    net: &Net,
    ip_number: u8,
    bytes: &[u8],
    cut: bool,
) -> Result<Packet, Skip> {
    let (transport, src_port, dst_port, payload_len) = match ip_number {
        6 => {
            let tcp = TcpSlice::from_slice(bytes).map_err(|e| malformed(Layer::Tcp, e))?;
            let hl = tcp.data_offset() as u32 * 4;
            let payload_len = if cut {
                net.transport_len.saturating_sub(hl)
            } else {
                tcp.payload().len() as u32
            };
            (
                Transport::Tcp(TcpFields {
                    seq: tcp.sequence_number(),
                    ack: tcp.acknowledgment_number(),
                    flags: tcp_flag_bits(&tcp),
                    window: tcp.window_size(),
                    header_len: hl as u8,
                    options: tcp_options(tcp.options_iterator()),
                }),
                tcp.source_port(),
                tcp.destination_port(),
                payload_len,
            )
        }
        1 => {
            let (icmp_type, code, from, to) = icmp_error_about_udp(bytes).ok_or(Skip::NotTcpUdp)?;
            (Transport::Icmp { icmp_type, code }, from, to, 0)
        }
        17 => {
            let udp = UdpSlice::from_slice_lax(bytes).map_err(|e| malformed(Layer::Udp, e))?;
            let length = udp.length();
            (
                Transport::Udp { length },
                udp.source_port(),
                udp.destination_port(),
                (length as u32).saturating_sub(8),
            )
        }
        _ => return Err(Skip::NotTcpUdp),
    };
    Ok(Packet {
        number: frame.number,
        ts_ns: frame.ts_ns,
        src: net.src,
        dst: net.dst,
        src_port,
        dst_port,
        frame_len: frame.orig_len,
        ip_len: net.ip_len,
        payload_len,
        transport,
    })
}

/// (type, code, source port, destination port) of an ICMPv4 error (RFC 792) whose quoted
/// datagram is IPv4 UDP with its ports captured: the ports turned around, from the quoted
/// destination back to the quoted source. None for any other ICMP message (echo, timestamp),
/// or one quoting TCP, or cut before the quoted ports.
fn icmp_error_about_udp(b: &[u8]) -> Option<(u8, u8, u16, u16)> {
    let (icmp_type, code) = (*b.first()?, *b.get(1)?);
    // Destination unreachable, source quench, redirect, time exceeded, parameter problem.
    if !matches!(icmp_type, 3 | 4 | 5 | 11 | 12) {
        return None;
    }
    let q = b.get(8..)?;
    let ihl = usize::from(q.first()? & 0x0f) * 4;
    if q[0] >> 4 != 4 || ihl < 20 || *q.get(9)? != 17 {
        return None;
    }
    let ports = q.get(ihl..ihl + 4)?;
    let sport = u16::from_be_bytes([ports[0], ports[1]]);
    let dport = u16::from_be_bytes([ports[2], ports[3]]);
    Some((icmp_type, code, dport, sport))
}

fn is_ip_ethertype(p: &LaxSlicedPacket<'_>) -> bool {
    use etherparse::{LaxLinkExtSlice, LinkSlice};
    let et = match p.link_exts.last() {
        Some(LaxLinkExtSlice::Vlan(v)) => Some(v.ether_type()),
        Some(_) => None,
        None => match &p.link {
            Some(LinkSlice::Ethernet2(e)) => Some(e.ether_type()),
            _ => None,
        },
    };
    matches!(et, Some(EtherType(0x0800)) | Some(EtherType(0x86DD)))
}

fn tcp_flag_bits(t: &etherparse::TcpSlice<'_>) -> u16 {
    let mut f = 0;
    for (on, bit) in [
        (t.fin(), flags::FIN),
        (t.syn(), flags::SYN),
        (t.rst(), flags::RST),
        (t.psh(), flags::PSH),
        (t.ack(), flags::ACK),
        (t.urg(), flags::URG),
        (t.ece(), flags::ECE),
        (t.cwr(), flags::CWR),
    ] {
        if on {
            f |= bit;
        }
    }
    f
}

/// The options synack shows (RFC 9293 MSS, RFC 7323 window scale and timestamps, RFC 2018
/// SACK). A malformed option ends the list, as it does for a receiving stack.
fn tcp_options(iter: etherparse::TcpOptionsIterator<'_>) -> Options {
    let mut o = Options::default();
    for el in iter {
        // The wire order (NOPs included), which the trace records (`TcpOptions::order`).
        let kind = match el {
            Ok(TcpOptionElement::Noop) => Some(option_kind::NOP),
            Ok(TcpOptionElement::MaximumSegmentSize(m)) => {
                o.mss = Some(m);
                Some(option_kind::MSS)
            }
            Ok(TcpOptionElement::WindowScale(s)) => {
                o.window_scale = Some(s);
                Some(option_kind::WINDOW_SCALE)
            }
            Ok(TcpOptionElement::SelectiveAcknowledgementPermitted) => {
                o.sack_permitted = true;
                Some(option_kind::SACK_PERMITTED)
            }
            Ok(TcpOptionElement::Timestamp(v, e)) => {
                o.timestamps = Some((v, e));
                Some(option_kind::TIMESTAMPS)
            }
            Ok(TcpOptionElement::SelectiveAcknowledgement(first, rest)) => {
                o.push_sack(std::iter::once(first).chain(rest.iter().flatten().copied()));
                Some(option_kind::SACK)
            }
            Err(_) => break,
        };
        if let Some(kind) = kind {
            o.push_kind(kind);
        }
    }
    o
}

/// Describes a link type for messages ("Linux cooked (SLL), 113").
pub fn describe_link(lt: LinkType) -> String {
    format!("{} ({})", linktype::name(lt.0), lt.0)
}

/// The IPv6 fragment header among the extension headers (RFC 8200 §4.5): (identification,
/// offset in bytes, more fragments), for a header that really fragments its payload. Walked by
/// hand over the raw extension bytes, each length checked against the slice: etherparse 0.21's
/// iterator over a lax slice reads past the slice's end on some damaged headers (the
/// `capture_reader` fuzz target found `slice::get_unchecked` out of range in
/// `ipv6_raw_ext_header_slice.rs`; `tests/regressions/fuzz_ipv6_ext_overrun.pcap` is that input).
fn ipv6_fragment(first: u8, ext: &[u8]) -> Option<(u32, u32, bool)> {
    let (mut next, mut at) = (first, 0usize);
    loop {
        let rest = ext.get(at..)?;
        let len = match next {
            // Fragment: a fixed 8 bytes, and the one we look for.
            44 => {
                let f = rest.get(..8)?;
                let off_flags = u16::from_be_bytes([f[2], f[3]]);
                let offset = u32::from(off_flags >> 3) * 8;
                let more = off_flags & 1 == 1;
                let id = u32::from_be_bytes([f[4], f[5], f[6], f[7]]);
                return (offset != 0 || more).then_some((id, offset, more));
            }
            // Hop-by-hop, routing, destination options, mobility, HIP, shim6: 8-byte units
            // after the first 8 (RFC 8200 §4.3-4.6).
            0 | 43 | 60 | 135 | 139 | 140 => (usize::from(*rest.get(1)?) + 1) * 8,
            // Authentication header: 4-byte units, minus 2 (RFC 4302 §2.2).
            51 => (usize::from(*rest.get(1)?) + 2) * 4,
            _ => return None,
        };
        next = rest[0];
        at = at.checked_add(len)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(bytes: &[u8]) -> Options {
        tcp_options(etherparse::TcpOptionsIterator::from_slice(bytes))
    }

    #[test]
    fn the_usual_options_are_kept_inline_in_wire_order() {
        // A Linux SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
        let o = options(&[
            2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0, 1, 3, 3, 7,
        ]);
        assert_eq!(o.order(), [2, 4, 8, 1, 3]);
        assert_eq!(
            (o.mss, o.window_scale, o.timestamps),
            (Some(1460), Some(7), Some((100, 0)))
        );
        assert!(o.sack_permitted && o.rare.is_none() && o.sack().is_empty());
        let model = TcpOptions::from(o);
        assert_eq!(model.order, [2, 4, 8, 1, 3]);
        assert!(model.sack.is_empty());
    }

    #[test]
    fn sack_blocks_and_a_long_order_are_kept_whole() {
        // Ten NOPs, then one SACK block 1000..2000.
        let mut b = vec![1u8; 10];
        b.extend([5, 10, 0, 0, 3, 232, 0, 0, 7, 208]);
        let o = options(&b);
        let mut order = vec![1u8; 10];
        order.push(5);
        assert_eq!(o.order(), order);
        assert_eq!(o.sack(), [(1000, 2000)]);
        let model = TcpOptions::from(o);
        assert_eq!((model.order, model.sack), (order, vec![(1000, 2000)]));
    }

    #[test]
    fn a_captured_packet_stays_small() {
        // 1.5 M of them in a 200 MB capture: every byte here is 1.4 MiB there.
        assert!(std::mem::size_of::<Options>() <= 40);
        assert!(
            std::mem::size_of::<Packet>() <= 128,
            "{}",
            std::mem::size_of::<Packet>()
        );
    }
}
