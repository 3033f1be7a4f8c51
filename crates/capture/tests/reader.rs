//! Containers, link types and bad files: what the reader returns and what it says.

mod corpus;
mod support;

use support::*;
use synack_capture::decode::Transport;
use synack_capture::{read, Format, Location, ProblemKind, Severity};

/// A small exchange used by the format tests: v4 or v6 handshake + data + UDP.
fn sample(v6: bool) -> Vec<(i64, Pkt)> {
    let (a, b) = if v6 {
        ("fd00::1", "fd00::2")
    } else {
        ("10.0.0.1", "10.0.0.2")
    };
    let mut c = Conv::new((a, 1111), (b, 2222), 100, 200);
    c.t = 1_600_000_000_123_456_789;
    c.handshake(1500)
        .c2s(ACK | PSH, 700)
        .wait(3)
        .s2c(ACK, 0)
        .udp(true, 33);
    c.out
}

/// What we expect to read back: (src, sport, dst, dport, tcp seq or udp length, payload).
fn expected(pkts: &[(i64, Pkt)]) -> Vec<(String, u16, String, u16, u32, u32)> {
    pkts.iter()
        .map(|(_, p)| {
            let k = match &p.l4 {
                L4::Tcp { seq, .. } => *seq,
                L4::Udp => 8 + p.payload as u32,
            };
            (
                p.src.to_string(),
                p.sport,
                p.dst.to_string(),
                p.dport,
                k,
                p.payload as u32,
            )
        })
        .collect()
}

fn got(cap: &synack_capture::Capture) -> Vec<(String, u16, String, u16, u32, u32)> {
    cap.packets
        .iter()
        .map(|p| {
            let k = match &p.transport {
                Transport::Tcp(t) => t.seq,
                Transport::Udp { length } => *length as u32,
                Transport::Icmp { icmp_type, code } => {
                    u32::from(*icmp_type) << 8 | u32::from(*code)
                }
            };
            (
                p.src.to_string(),
                p.src_port,
                p.dst.to_string(),
                p.dst_port,
                k,
                p.payload_len,
            )
        })
        .collect()
}

#[test]
fn classic_pcap_both_byte_orders_and_resolutions() {
    let pkts = sample(false);
    for be in [false, true] {
        for nanos in [false, true] {
            let file = pcap(1, be, nanos, 65535, &recs(Link::Ethernet, &pkts));
            let cap = read(&file);
            assert!(cap.problems.is_empty(), "{:?}", cap.problems);
            let want = if nanos {
                Format::PcapNanos { big_endian: be }
            } else {
                Format::PcapMicros { big_endian: be }
            };
            assert_eq!(cap.format, Some(want));
            assert_eq!(got(&cap), expected(&pkts));
            // Timestamps: exact to the file's resolution.
            let unit = if nanos { 1 } else { 1000 };
            for (p, (t, _)) in cap.packets.iter().zip(&pkts) {
                assert_eq!(p.ts_ns, t / unit * unit, "be={be} nanos={nanos}");
            }
        }
    }
}

#[test]
fn every_link_type_gives_the_same_packets() {
    for v6 in [false, true] {
        let pkts = sample(v6);
        for link in [
            Link::Ethernet,
            Link::EthernetVlan,
            Link::Sll,
            Link::Sll2,
            Link::NullLe,
            Link::Raw,
        ] {
            let cap = read(&pcap(
                link.linktype(),
                false,
                false,
                65535,
                &recs(link, &pkts),
            ));
            assert!(cap.problems.is_empty(), "{link:?}: {:?}", cap.problems);
            assert_eq!(got(&cap), expected(&pkts), "{link:?} v6={v6}");
        }
        // Raw IPv4/IPv6 link types 228/229.
        let lt = if v6 { 229 } else { 228 };
        let cap = read(&pcap(lt, false, false, 65535, &recs(Link::Raw, &pkts)));
        assert_eq!(got(&cap), expected(&pkts));
    }
}

#[test]
fn tcp_options_are_decoded() {
    let cap = read(&corpus::vlan_v6());
    let syn = cap.packets[0].tcp().unwrap();
    assert_eq!(syn.options.mss, Some(1460));
    assert_eq!(syn.options.window_scale, Some(7));
    assert!(syn.options.sack_permitted);
    assert_eq!(syn.options.timestamps, Some((100, 0)));
    let sack = cap.packets[5].tcp().unwrap();
    assert_eq!(sack.options.sack().len(), 1);
    assert!(!syn.options.order().is_empty(), "wire order, NOPs included");
    assert_eq!(sack.header_len, 20 + 12);
}

#[test]
fn pcapng_sections_interfaces_and_time_resolutions() {
    let pkts = sample(false);
    let r = recs(Link::Ethernet, &pkts);
    let mut w = PcapNg::new();
    w.section(false);
    w.interface(1, 65535, Some(3)); // milliseconds
    w.interface(101, 65535, Some(9)); // nanoseconds, raw IP
    w.epb(0, &r[0]);
    let raw = recs(Link::Raw, &pkts);
    w.epb(1, &raw[1]);
    w.section(true); // big-endian section, interfaces start again
    w.interface(113, 65535, Some(0x80 | 20)); // 2^-20 s
    let sll = recs(Link::Sll, &pkts);
    w.epb(0, &sll[2]);
    w.spb(&sll[3]);
    w.unknown_block();
    w.epb(0, &sll[4]);
    let cap = read(&w.out);
    assert!(cap.problems.is_empty(), "{:?}", cap.problems);
    assert_eq!(cap.format, Some(Format::PcapNg));
    assert_eq!(got(&cap), expected(&pkts[..5]));
    assert_eq!(cap.packets[0].ts_ns, pkts[0].0 / 1_000_000 * 1_000_000);
    assert_eq!(cap.packets[1].ts_ns, pkts[1].0);
    // 2^-20 s ticks: within one tick (~954 ns) of the truth.
    assert!(
        (cap.packets[2].ts_ns - pkts[2].0).abs() < 954,
        "{} vs {}",
        cap.packets[2].ts_ns,
        pkts[2].0
    );
    // The simple packet block has no timestamp: it keeps the previous packet's.
    assert_eq!(cap.packets[3].ts_ns, cap.packets[2].ts_ns);
    assert_eq!(
        cap.link_types.keys().copied().collect::<Vec<_>>(),
        vec![1, 101, 113]
    );
}

#[test]
fn short_snapshot_length_keeps_lengths_from_the_ip_header() {
    let cap = read(&corpus::raw_ip_snaplen());
    assert!(cap.problems.is_empty());
    let data = &cap.packets[3];
    assert_eq!(data.payload_len, 1000);
    assert_eq!(data.ip_len, 20 + 20 + 1000);
}

fn fatal(cap: &synack_capture::Capture) -> &synack_capture::Problem {
    cap.problems
        .iter()
        .find(|p| p.severity == Severity::Fatal)
        .expect("a fatal problem")
}

#[test]
fn empty_and_foreign_files() {
    let cap = read(&[]);
    assert_eq!(fatal(&cap).kind, ProblemKind::Truncated);
    let cap = read(b"GIF89a this is not a capture");
    let p = fatal(&cap);
    assert_eq!(p.kind, ProblemKind::BadMagic);
    assert!(p.message.contains("47 49 46 38"), "{}", p.message);
    // The values are data too, for viewers that word the problem themselves.
    assert_eq!(
        p.detail,
        synack_capture::Detail::UnknownMagic {
            first_bytes: *b"GIF8"
        }
    );
    assert_eq!(p.location, Location::File);
    assert!(cap.packets.is_empty());
    // Cut inside the 24-byte header.
    let file = pcap(1, false, false, 65535, &[]);
    let cap = read(&file[..10]);
    assert_eq!(fatal(&cap).kind, ProblemKind::Truncated);
}

#[test]
fn truncated_pcap_keeps_the_packets_before_the_cut() {
    let pkts = sample(false);
    let file = pcap(1, false, false, 65535, &recs(Link::Ethernet, &pkts));
    // Cut in the middle of the last packet's data.
    let cap = read(&file[..file.len() - 5]);
    assert_eq!(cap.packets.len(), pkts.len() - 1);
    let p = fatal(&cap);
    assert_eq!(p.kind, ProblemKind::Truncated);
    assert!(matches!(p.location, Location::Packet { number, .. } if number == pkts.len() as u64));
    assert!(
        p.to_string().contains(&format!("packet {}", pkts.len())),
        "{p}"
    );
    // Cut inside a record header.
    let cut = file.len() - (recs(Link::Ethernet, &pkts).last().unwrap().data.len() + 16) + 7;
    let cap = read(&file[..cut]);
    assert_eq!(cap.packets.len(), pkts.len() - 1);
    assert_eq!(fatal(&cap).kind, ProblemKind::Truncated);
}

/// Rewrites the caplen/origlen of record `n` (0-based) of a little-endian classic pcap.
fn patch_record(file: &mut [u8], n: usize, caplen: Option<u32>, origlen: Option<u32>) {
    let mut off = 24;
    for _ in 0..n {
        let cl = u32::from_le_bytes(file[off + 8..off + 12].try_into().unwrap());
        off += 16 + cl as usize;
    }
    if let Some(c) = caplen {
        file[off + 8..off + 12].copy_from_slice(&c.to_le_bytes());
    }
    if let Some(o) = origlen {
        file[off + 12..off + 16].copy_from_slice(&o.to_le_bytes());
    }
}

#[test]
fn caplen_larger_than_snaplen_or_original_length_is_a_warning() {
    let pkts = sample(false);
    let r = recs(Link::Ethernet, &pkts);
    // snaplen 60 in the header, but records carry whole packets.
    let mut file = pcap(1, false, false, 65535, &r);
    file[16..20].copy_from_slice(&60u32.to_le_bytes());
    let cap = read(&file);
    assert_eq!(cap.packets.len(), pkts.len(), "all packets still read");
    let w = cap
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::CaplenOverSnaplen)
        .unwrap();
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("snapshot length 60"), "{}", w.message);
    assert!(
        matches!(
            w.detail,
            synack_capture::Detail::CaplenOverSnaplen {
                snaplen: 60,
                interface: None,
                caplen
            } if caplen > 60
        ),
        "{:?}",
        w.detail
    );
    // caplen > origlen on record 2.
    let mut file = pcap(1, false, false, 65535, &r);
    patch_record(&mut file, 1, None, Some(10));
    let cap = read(&file);
    let w = cap
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::CaplenOverOrigLen)
        .unwrap();
    assert!(matches!(w.location, Location::Packet { number: 2, .. }));
    assert!(!cap.stopped_early());
    // The packet is kept whole, and its frame length is the original length the record
    // gives, as tshark's frame.len (conversation byte totals are sums of it).
    assert_eq!(got(&cap), expected(&pkts));
    assert_eq!(cap.packets[1].frame_len, 10);
}

#[test]
fn absurd_caplen_stops_with_the_packet_number() {
    let pkts = sample(false);
    let mut file = pcap(1, false, false, 65535, &recs(Link::Ethernet, &pkts));
    patch_record(&mut file, 2, Some(0x7FFF_FFF0), None);
    let cap = read(&file);
    assert_eq!(cap.packets.len(), 2);
    let p = fatal(&cap);
    assert_eq!(p.kind, ProblemKind::AbsurdLength);
    assert!(matches!(p.location, Location::Packet { number: 3, .. }));
    assert_eq!(
        p.detail,
        synack_capture::Detail::CaplenAbsurd {
            caplen: 0x7FFF_FFF0,
            max: 262_144
        }
    );
}

fn ng_sample() -> (Vec<u8>, Vec<usize>) {
    let pkts = sample(false);
    let mut w = PcapNg::new();
    w.section(false);
    w.interface(1, 65535, None);
    let mut starts = Vec::new();
    for r in recs(Link::Ethernet, &pkts) {
        starts.push(w.out.len());
        w.epb(0, &r);
    }
    (w.out, starts)
}

#[test]
fn pcapng_absurd_and_truncated_blocks() {
    let (file, starts) = ng_sample();
    // Block 5 (SHB, IDB, EPB, EPB, *EPB*) with a length that is not a multiple of 4.
    let mut bad = file.clone();
    bad[starts[2] + 4..starts[2] + 8].copy_from_slice(&13u32.to_le_bytes());
    let cap = read(&bad);
    assert_eq!(cap.packets.len(), 2);
    let p = fatal(&cap);
    assert_eq!(p.kind, ProblemKind::AbsurdLength);
    assert!(
        matches!(p.location, Location::Block { number: 5, .. }),
        "{p}"
    );
    assert!(
        matches!(
            p.detail,
            synack_capture::Detail::BlockLenAbsurd { len: 13, .. }
        ),
        "{p}"
    );
    // A huge length.
    let mut bad = file.clone();
    bad[starts[1] + 4..starts[1] + 8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let cap = read(&bad);
    assert_eq!(cap.packets.len(), 1);
    assert_eq!(fatal(&cap).kind, ProblemKind::AbsurdLength);
    // Cut inside the last block.
    let cap = read(&file[..file.len() - 3]);
    assert_eq!(cap.packets.len(), starts.len() - 1);
    assert_eq!(fatal(&cap).kind, ProblemKind::Truncated);
    assert!(
        matches!(
            fatal(&cap).detail,
            synack_capture::Detail::BlockCut { left, .. } if left == (file.len() - 3 - starts[starts.len() - 1]) as u64
        ),
        "{}",
        fatal(&cap)
    );
}

#[test]
fn pcapng_caplen_beyond_its_block_and_unknown_interface_skip_one_packet() {
    let (file, starts) = ng_sample();
    let mut bad = file.clone();
    // EPB: type, len, if_id, ts_hi, ts_lo, caplen ← make it larger than the block holds.
    bad[starts[0] + 20..starts[0] + 24].copy_from_slice(&5000u32.to_le_bytes());
    // And packet 2 names interface 7.
    bad[starts[1] + 8..starts[1] + 12].copy_from_slice(&7u32.to_le_bytes());
    let cap = read(&bad);
    assert_eq!(
        cap.packets.len(),
        starts.len() - 2,
        "the others are still read"
    );
    assert!(!cap.stopped_early());
    let kinds: Vec<_> = cap.problems.iter().map(|p| (p.kind, p.location)).collect();
    assert!(
        matches!(
            kinds[0],
            (
                ProblemKind::MalformedBlock,
                Location::Packet { number: 1, .. }
            )
        ),
        "{kinds:?}"
    );
    assert!(
        matches!(
            kinds[1],
            (
                ProblemKind::UnknownInterface,
                Location::Packet { number: 2, .. }
            )
        ),
        "{kinds:?}"
    );
}

#[test]
fn unknown_link_type_is_named_once() {
    let pkts = sample(false);
    let cap = read(&pcap(147, false, false, 65535, &recs(Link::Raw, &pkts)));
    assert!(cap.packets.is_empty());
    assert_eq!(cap.frames, pkts.len() as u64);
    assert_eq!(cap.skipped.unknown_link_type, pkts.len() as u64);
    let w: Vec<_> = cap
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::UnknownLinkType)
        .collect();
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("147"));
    assert_eq!(
        w[0].detail,
        synack_capture::Detail::UnknownLinkType { link_type: 147 }
    );
}

#[test]
fn malformed_ip_headers_are_skipped_with_a_warning_and_warnings_are_capped() {
    // 1000 frames claiming IPv4 with a bad header length.
    let mut r = Vec::new();
    for i in 0..1000 {
        let mut data = vec![0x41u8; 30];
        data[0] = 0x41; // version 4, IHL 1 (< 5: invalid)
        r.push(Rec {
            ts_ns: i,
            data,
            orig_len: 30,
        });
    }
    let cap = read(&pcap(101, false, false, 65535, &r));
    assert_eq!(cap.skipped.malformed, 1000);
    assert_eq!(cap.problems.len(), 200);
    assert_eq!(cap.problems_suppressed, 800);
    assert!(cap
        .problems
        .iter()
        .all(|p| p.kind == ProblemKind::UndecodablePacket));
}

#[test]
fn non_tcp_udp_traffic_is_counted_not_reported() {
    // An ARP frame and an ICMP packet.
    let mut arp = vec![0xFF; 12];
    arp.extend([0x08, 0x06]);
    arp.extend([0u8; 28]);
    let mut icmp = Pkt {
        src: "10.0.0.1".parse().unwrap(),
        dst: "10.0.0.2".parse().unwrap(),
        sport: 0,
        dport: 0,
        l4: L4::Udp,
        payload: 8,
    }
    .ip_bytes();
    icmp[9] = 1; // protocol ICMP
    let mut eth = vec![0u8; 12];
    eth.extend([0x08, 0x00]);
    eth.extend(icmp);
    let r = vec![
        Rec {
            ts_ns: 0,
            orig_len: arp.len() as u32,
            data: arp,
        },
        Rec {
            ts_ns: 1,
            orig_len: eth.len() as u32,
            data: eth,
        },
    ];
    let cap = read(&pcap(1, false, false, 65535, &r));
    assert!(cap.problems.is_empty(), "{:?}", cap.problems);
    assert_eq!(cap.skipped.not_tcp_udp, 2);
}

#[test]
fn a_gzip_compressed_capture_reads_like_the_capture() {
    let plain = pcap(
        1,
        false,
        false,
        65535,
        &recs(Link::Ethernet, &sample(false)),
    );
    let cap = read(&gzip_member(&plain));
    assert_eq!(cap.compression, Some(synack_capture::Compression::Gzip));
    assert!(cap.problems.is_empty(), "{:?}", cap.problems);
    assert_eq!(got(&cap), expected(&sample(false)));
    // Progress is counted in the file's own (compressed) bytes and ends at its length.
    let gz = gzip_member(&plain);
    let mut last = 0;
    synack_capture::read_with_progress(&gz, |done| last = done);
    assert_eq!(last, gz.len() as u64);
}

#[test]
fn a_cut_gzip_file_keeps_the_packets_before_the_cut_and_says_gzip() {
    let pkts = sample(false);
    let gz = gzip_member(&pcap(1, false, false, 65535, &recs(Link::Ethernet, &pkts)));
    // Without its 8-byte trailer and the last 30 bytes of data, the last packet is cut.
    let cap = read(&gz[..gz.len() - 38]);
    assert_eq!(cap.packets.len(), pkts.len() - 1);
    let p = fatal(&cap);
    assert_eq!(p.kind, ProblemKind::Truncated);
    assert!(matches!(p.detail, synack_capture::Detail::GzipCut { .. }));
    assert!(p.message.contains("gzip"), "{}", p.message);
    // The cut inside the decompressed capture is not reported a second time.
    let fatal_count = cap
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Fatal)
        .count();
    assert_eq!(fatal_count, 1, "{:?}", cap.problems);
}

#[test]
fn a_damaged_gzip_file_is_named_damaged() {
    let plain = pcap(
        1,
        false,
        false,
        65535,
        &recs(Link::Ethernet, &sample(false)),
    );
    let mut gz = gzip_member(&plain);
    let n = gz.len();
    gz[n - 8] ^= 0xFF; // the CRC-32 of the data
    let cap = read(&gz);
    let p = fatal(&cap);
    assert_eq!(p.kind, ProblemKind::BadCompression);
    assert!(p.message.contains("gzip"), "{}", p.message);
    // Every packet came out before the check failed.
    assert_eq!(got(&cap), expected(&sample(false)));
}

#[test]
fn gzip_stops_at_its_limit_with_a_message() {
    let plain = pcap(
        1,
        false,
        false,
        65535,
        &recs(Link::Ethernet, &sample(false)),
    );
    let (out, problem) = synack_capture::container::gunzip(&gzip_member(&plain), 100);
    assert_eq!(out, &plain[..100]);
    assert_eq!(
        problem,
        Some(synack_capture::Detail::GzipTooLarge { limit: 100 })
    );
    let (out, problem) = synack_capture::container::gunzip(&gzip_member(&plain), 1 << 20);
    assert_eq!((out, problem), (plain, None));
}

#[test]
fn other_compressions_are_named_not_called_unknown() {
    for (bytes, name) in [
        (&[0x28u8, 0xB5, 0x2F, 0xFD, 0, 0][..], "zstd"),
        (&[0xFD, b'7', b'z', b'X', b'Z', 0][..], "xz"),
        (&b"BZh91AY&SY"[..], "bzip2"),
        (&[0x04, 0x22, 0x4D, 0x18, 0][..], "LZ4"),
        (&b"PK\x03\x04rest"[..], "zip"),
    ] {
        let cap = read(bytes);
        let p = fatal(&cap);
        assert_eq!(p.kind, ProblemKind::BadMagic);
        assert!(
            matches!(
                p.detail,
                synack_capture::Detail::UnsupportedCompression { .. }
            ),
            "{name}: {:?}",
            p.detail
        );
        assert!(p.message.contains(name), "{}", p.message);
    }
}

#[test]
fn an_ip_length_beyond_the_packet_is_read_as_far_as_the_packet_goes_with_a_warning() {
    let pkts = sample(false);
    let mut ip = pkts[3].1.ip_bytes(); // 700 bytes of data
    claim_ip_len(&mut ip, 60_000);
    let frame = Link::Ethernet.frame(&ip);
    let len = frame.len() as u32;
    let cap = read(&pcap(1, false, false, 65535, &[rec(0, frame, len)]));
    assert_eq!(cap.packets[0].payload_len, 700);
    assert_eq!(cap.packets[0].ip_len, 740);
    let w = &cap.problems[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(
        w.detail,
        synack_capture::Detail::IpLengthBeyondPacket {
            version: 4,
            claimed: 60_000,
            on_wire: 740
        }
    );
    assert!(
        w.message.contains("IPv4 total length 60000"),
        "{}",
        w.message
    );
}

#[test]
fn fragments_give_one_packet_on_the_frame_that_completes_the_datagram() {
    let mut u = Conv::new(("10.0.0.1", 5000), ("10.0.0.2", 6000), 0, 0);
    u.udp(true, 3000);
    let frags = fragments(&u.out[0].1.ip_bytes(), 9, 1480);
    let r: Vec<Rec> = frags
        .iter()
        .rev()
        .enumerate()
        .map(|(i, ip)| {
            let f = Link::Raw.frame(ip);
            let len = f.len() as u32;
            rec(i as i64, f, len)
        })
        .collect();
    let cap = read(&pcap(101, false, false, 65535, &r));
    assert!(cap.problems.is_empty(), "{:?}", cap.problems);
    assert_eq!(cap.packets.len(), 1);
    let p = &cap.packets[0];
    assert_eq!((p.number, p.payload_len), (3, 3000));
    assert_eq!(p.transport, Transport::Udp { length: 3008 });
    assert_eq!(p.frame_len, r[2].orig_len);
    assert_eq!(cap.skipped.fragments, 2);
}

#[test]
fn an_icmp_port_unreachable_is_read_with_its_type_and_code_and_joins_the_flow_of_the_datagram_it_quotes(
) {
    let mut u = Conv::new(("10.0.0.1", 5000), ("10.0.0.2", 9), 0, 0);
    u.udp(true, 10);
    let datagram = u.out[0].1.ip_bytes();
    let frames = [datagram.clone(), icmp_error(&datagram, 3, 3)];
    let r: Vec<Rec> = frames
        .iter()
        .enumerate()
        .map(|(i, ip)| {
            let f = Link::Raw.frame(ip);
            let len = f.len() as u32;
            rec(i as i64 * 1_000_000, f, len)
        })
        .collect();
    let cap = read(&pcap(101, false, false, 65535, &r));
    assert!(cap.problems.is_empty(), "{:?}", cap.problems);
    assert_eq!(cap.packets.len(), 2);
    let icmp = &cap.packets[1];
    assert_eq!(
        icmp.transport,
        Transport::Icmp {
            icmp_type: 3,
            code: 3
        }
    );
    // From the closed port back to the sender's: the datagram's ports turned around.
    assert_eq!((icmp.src_port, icmp.dst_port), (9, 5000));
    assert_eq!((icmp.payload_len, icmp.ip_len), (0, 20 + 8 + 28));
    let an = synack_capture::analyze(&cap.packets);
    assert_eq!(an.conversations.len(), 1, "one UDP flow, the error in it");
    assert_eq!(an.packets[1].conversation, an.packets[0].conversation);
    assert!(an.packets[1].dir_b_to_a);
    // In the trace as the model writes a port unreachable.
    let trace = synack_capture::Session::open(&pcap(101, false, false, 65535, &r), "x", |_| {})
        .trace(0)
        .unwrap();
    let headers: Vec<_> = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            synack_model::trace::EventKind::SegmentSent { segment, .. } => {
                Some((segment.header.clone(), segment.src.port, segment.dst.port))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        headers[1],
        (
            synack_model::trace::Header::Icmp(synack_model::trace::IcmpHeader::port_unreachable()),
            9,
            5000
        )
    );
}

#[test]
fn an_icmp_error_about_anything_but_a_udp_datagram_is_counted_not_shown() {
    let mut c = Conv::new(("10.0.0.1", 5000), ("10.0.0.2", 80), 0, 0);
    c.c2s(SYN, 0);
    let syn = c.out[0].1.ip_bytes();
    let mut cut = icmp_error(&c.out[0].1.ip_bytes(), 3, 3);
    // Quoting the IP header and only 2 bytes of the datagram: its ports cannot be read.
    let keep = cut.len() - 6;
    cut.truncate(keep);
    claim_ip_len(&mut cut, keep as u16);
    let r: Vec<Rec> = [icmp_error(&syn, 3, 1), cut]
        .iter()
        .map(|ip| {
            let f = Link::Raw.frame(ip);
            let len = f.len() as u32;
            rec(0, f, len)
        })
        .collect();
    let cap = read(&pcap(101, false, false, 65535, &r));
    assert!(cap.problems.is_empty(), "{:?}", cap.problems);
    assert!(cap.packets.is_empty());
    assert_eq!(cap.skipped.not_tcp_udp, 2);
}
