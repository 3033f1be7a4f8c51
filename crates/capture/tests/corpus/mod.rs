//! The synthetic part of the test corpus: small captures whose every packet we chose, each
//! exercising one container variant, one link type and some TCP trouble. `corpus()` builds
//! them in memory; `tests/data/*.pcap*` holds the same bytes (regenerate with
//! `SYNACK_WRITE_CORPUS=1 cargo test -p synack-capture --test corpus_files`) plus captures of
//! real loopback traffic, so that tshark can be run on files.
#![allow(dead_code)]

use synack_capture::ProblemKind;

use crate::support::*;

/// (file name, bytes).
pub fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("handshake_data_close.pcap", handshake_data_close()),
        ("retransmissions.pcapng", retransmissions()),
        (
            "zero_window_keepalive_sll_be_ns.pcap",
            zero_window_keepalive(),
        ),
        ("refused_udp_v6_sll2_two_sections.pcapng", refused_udp_v6()),
        ("vlan_ipv6.pcap", vlan_v6()),
        ("null_loopback.pcap", null_loopback()),
        ("raw_ip_snaplen96.pcap", raw_ip_snaplen()),
        ("chaos_seed1.pcap", chaos(1, 150)),
        ("chaos_seed2.pcap", chaos(2, 150)),
        (
            "accept_queue_overflow_dup_acks.pcap",
            accept_queue_overflow_dup_acks(),
        ),
        ("odd_ip_lengths.pcap", odd_ip_lengths()),
        ("caplen_over_orig_len.pcap", caplen_over_orig_len()),
        ("ip_fragments.pcap", ip_fragments()),
        ("handshake_data_close.pcap.gz", gzip_two_members()),
    ]
}

/// The odd files of the corpus and the problems each must report (by kind, in file order);
/// every other corpus file reads without one.
pub const ODD: &[(&str, &[ProblemKind])] = &[
    (
        "odd_ip_lengths.pcap",
        &[
            ProblemKind::BadIpLength,
            ProblemKind::BadIpLength,
            ProblemKind::BadIpLength,
        ],
    ),
    (
        "caplen_over_orig_len.pcap",
        &[
            ProblemKind::CaplenOverOrigLen,
            ProblemKind::CaplenOverOrigLen,
            ProblemKind::CaplenOverOrigLen,
        ],
    ),
];

/// The shape of a capture of a real accept-queue overflow (Linux, tcp_abort_on_overflow = 0):
/// the server's accept queue is full, so it drops the client's ACK and data while its request
/// socket keeps retransmitting the SYN-ACK (tcp_check_req, inet_rtx_syn_ack); the client,
/// ESTABLISHED since the first SYN-ACK, answers each retransmitted SYN-ACK with a duplicate
/// ACK (tcp_send_dupack) and retransmits its data on its own RTO in between. tshark numbers
/// those duplicate ACKs #1, #2, #3 across the retransmissions.
pub fn accept_queue_overflow_dup_acks() -> Vec<u8> {
    let mut c = Conv::new(("10.7.0.1", 51000), ("10.7.0.2", 8080), 5000, 9000);
    c.handshake(100);
    let data_seq = c.c_seq;
    c.c2s(ACK | PSH, 100);
    let syn_ack_again = |c: &mut Conv| {
        // The server's request socket still acknowledges only the client's SYN.
        let save = c.c_seq;
        c.c_seq = data_seq;
        c.seg(false, SYN | ACK, 0, Some(9000), Opts::default(), false);
        c.c_seq = save;
    };
    for rto_ms in [200, 400, 800, 1600] {
        c.wait(rto_ms * 1000);
        c.seg(true, ACK | PSH, 100, Some(data_seq), Opts::default(), false);
        c.wait(1000);
        syn_ack_again(&mut c);
        c.wait(50);
        c.c2s(ACK, 0); // a duplicate ACK: same seq, ack and window as before
    }
    pcap(1, false, false, 65535, &recs(Link::Ethernet, &c.out))
}

/// IP length fields that claim more than the packet holds (Ethernet, snapshot length 128):
/// a segment cut by the snapshot length (its IPv4 length is believed, up to the frame's
/// original length), one whose IPv4 total length says 1,500 in a frame that ends after 10
/// bytes of data, one whose total length is beyond even its original length, and an IPv6
/// segment whose payload length says 1,400 in a frame holding 10 bytes of data. Last, a UDP
/// datagram fragmented in three, whose first two fragments are cut by the snapshot length:
/// it cannot be reassembled, so Wireshark decodes the UDP header of the first fragment
/// (dissect_ip_v4 reassembles only fragments whose bytes are all there) and so do we.
pub fn odd_ip_lengths() -> Vec<u8> {
    let mut c = Conv::new(("10.2.0.1", 40100), ("10.2.0.2", 80), 100, 200);
    c.handshake(500).c2s(ACK | PSH, 1000).c2s(ACK | PSH, 10);
    c.c2s(ACK | PSH, 246).s2c(ACK, 0);
    let mut v6 = Conv::new(("fd00::1", 40200), ("fd00::2", 80), 300, 400);
    v6.t = c.t + 1_000_000;
    v6.handshake(500).c2s(ACK | PSH, 10).s2c(ACK, 0);
    let mut out = Vec::new();
    for (i, (t, p)) in c.out.iter().chain(&v6.out).enumerate() {
        let mut ip = p.ip_bytes();
        let mut orig = None;
        match i {
            // IPv4, 10 bytes of data, total length 1,500: the frame is whole (64 bytes).
            4 => claim_ip_len(&mut ip, 1500),
            // IPv4, 246 bytes of data in a 300-byte frame cut to 128, total length 1,500.
            5 => {
                orig = Some(14 + ip.len() as u32);
                claim_ip_len(&mut ip, 1500);
            }
            // IPv6, 10 bytes of data, payload length 1,400.
            10 => claim_ip_len(&mut ip, 1400),
            _ => {}
        }
        let frame = Link::Ethernet.frame(&ip);
        let orig = orig.unwrap_or(frame.len() as u32);
        out.push(rec(*t, frame, orig));
    }
    let mut u = Conv::new(("10.2.0.1", 40300), ("10.2.0.2", 9999), 0, 0);
    u.t = v6.t + 1_000_000;
    u.udp(true, 3000);
    for (i, ip) in fragments(&u.out[0].1.ip_bytes(), 0x500, 1480)
        .into_iter()
        .enumerate()
    {
        let frame = Link::Ethernet.frame(&ip);
        let len = frame.len() as u32;
        out.push(rec(u.t + i as i64 * 1000, frame, len));
    }
    pcap(1, false, false, 128, &out)
}

/// Records whose captured length is larger than their original length: two pure ACKs
/// captured with their Ethernet padding (60 bytes) but recorded as 54 bytes long, and a data
/// segment recorded with an original length of 40. Wireshark keeps the original length as the
/// frame length (and counts it in its conversation table).
pub fn caplen_over_orig_len() -> Vec<u8> {
    let mut c = Conv::new(("10.4.0.1", 40300), ("10.4.0.2", 443), 700, 800);
    c.handshake(300)
        .c2s(ACK | PSH, 200)
        .s2c(ACK, 0)
        .s2c(ACK | PSH, 50)
        .c2s(ACK, 0);
    let mut out = recs(Link::Ethernet, &c.out);
    out[2].orig_len = 54;
    out[3].orig_len = 40;
    out[6].orig_len = 54;
    pcap(1, false, false, 65535, &out)
}

/// Fragmented IP datagrams (Ethernet, MTU 1,500): a 3,000-byte UDP datagram in three
/// fragments interleaved with the two fragments of the 2,000-byte answer, which arrive last
/// fragment first; a 4,000-byte datagram whose middle fragment was lost (never reassembled,
/// so no packet, in Wireshark too); a small datagram; an IPv6 UDP datagram in three fragments;
/// a TCP segment fragmented on the way.
pub fn ip_fragments() -> Vec<u8> {
    let mut u = Conv::new(("10.3.0.1", 40400), ("10.3.0.2", 9999), 0, 0);
    u.udp(true, 3000)
        .udp(false, 2000)
        .udp(true, 4000)
        .udp(true, 100);
    let frags = |i: usize, id: u32| fragments(&u.out[i].1.ip_bytes(), id, 1480);
    let (q, a, lost) = (frags(0, 0x100), frags(1, 0x200), frags(2, 0x300));
    let mut frames: Vec<Vec<u8>> = vec![
        q[0].clone(),
        a[1].clone(),
        q[1].clone(),
        a[0].clone(),
        q[2].clone(),
        lost[0].clone(),
        lost[2].clone(),
        u.out[3].1.ip_bytes(),
    ];
    let mut v6 = Conv::new(("fd00::a", 40500), ("fd00::b", 9999), 0, 0);
    v6.udp(true, 3000);
    frames.extend(fragments(&v6.out[0].1.ip_bytes(), 0x1234_5678, 1448));
    let mut t = Conv::new(("10.3.0.1", 40600), ("10.3.0.2", 80), 10, 20);
    t.handshake(300).c2s(ACK | PSH, 2000);
    let last = t.out.len() - 1;
    for (i, (_, p)) in t.out.iter().enumerate() {
        if i == last {
            frames.extend(fragments(&p.ip_bytes(), 0x400, 1480));
        } else {
            frames.push(p.ip_bytes());
        }
    }
    let start = u.t;
    let out: Vec<Rec> = frames
        .into_iter()
        .enumerate()
        .map(|(i, ip)| {
            let f = Link::Ethernet.frame(&ip);
            let len = f.len() as u32;
            rec(start + i as i64 * 100_000, f, len)
        })
        .collect();
    pcap(1, false, false, 65535, &out)
}

/// `handshake_data_close.pcap` gzip-compressed as two members (gzip -c a >f; gzip -c b >>f
/// makes such files; gzip(1) and Wireshark read them as one).
pub fn gzip_two_members() -> Vec<u8> {
    let plain = handshake_data_close();
    let half = plain.len() / 2;
    let mut g = gzip_member(&plain[..half]);
    g.extend(gzip_member(&plain[half..]));
    g
}

/// Handshake with options, data both ways, orderly close; Ethernet, little-endian µs pcap.
pub fn handshake_data_close() -> Vec<u8> {
    let mut c = Conv::new(("10.0.0.1", 40000), ("10.0.0.2", 80), 1000, 5000);
    c.handshake(2000)
        .c2s(ACK | PSH, 100)
        .wait(1000)
        .s2c(ACK, 0)
        .s2c(ACK | PSH, 1400)
        .s2c(ACK | PSH, 600)
        .wait(1000)
        .c2s(ACK, 0)
        .c2s(FIN | ACK, 0)
        .wait(1000)
        .s2c(FIN | ACK, 0)
        .wait(1000)
        .c2s(ACK, 0);
    pcap(1, false, false, 65535, &recs(Link::Ethernet, &c.out))
}

/// RTO retransmission, three duplicate ACKs + fast retransmission, an out-of-order segment,
/// a spurious retransmission; pcapng with nanosecond resolution.
pub fn retransmissions() -> Vec<u8> {
    let mut c = Conv::new(
        ("192.168.1.10", 50000),
        ("192.168.1.20", 443),
        7,
        4_294_967_000,
    );
    c.handshake(20_000);
    // Segment 1 lost: the client sends 1..3, the server acks nothing new.
    let base = c.c_seq;
    c.c2s(ACK | PSH, 500).wait(300_000);
    // RTO retransmission of the same bytes (300 ms later).
    c.seg(true, ACK | PSH, 500, Some(base), Opts::default(), false)
        .wait(10_000)
        .s2c(ACK, 0);
    // Next: segment 2 is lost, 3 4 5 arrive -> 3 duplicate ACKs -> fast retransmit.
    let s2 = c.c_seq;
    c.c2s(ACK, 1000) // s2 (lost beyond the capture point)
        .c2s(ACK, 1000)
        .c2s(ACK, 1000)
        .c2s(ACK, 1000);
    let after = c.c_seq;
    c.c_seq = s2; // the server acks only up to s2
    c.s2c(ACK, 0).s2c(ACK, 0).s2c(ACK, 0).s2c(ACK, 0);
    c.c_seq = after;
    c.wait(1000)
        .seg(true, ACK, 1000, Some(s2), Opts::default(), false)
        .wait(20_000)
        .s2c(ACK, 0);
    // Out of order: a later segment, then the earlier one 1 ms later.
    let o1 = c.c_seq;
    c.seg(
        true,
        ACK,
        300,
        Some(o1.wrapping_add(300)),
        Opts::default(),
        true,
    );
    c.wait(1000)
        .seg(true, ACK, 300, Some(o1), Opts::default(), false);
    c.wait(20_000).s2c(ACK, 0);
    // Spurious retransmission: data the server has already acknowledged, resent late.
    c.wait(500_000)
        .seg(true, ACK, 300, Some(o1), Opts::default(), false)
        .wait(20_000)
        .c2s(FIN | ACK, 0)
        .s2c(RST | ACK, 0);
    let mut w = PcapNg::new();
    w.section(false);
    w.interface(1, 262_144, Some(9));
    for r in recs(Link::Ethernet, &c.out) {
        w.epb(0, &r);
    }
    w.out
}

/// Zero window, zero-window probes, window update, keep-alives; Linux cooked (SLL),
/// big-endian nanosecond pcap.
pub fn zero_window_keepalive() -> Vec<u8> {
    let mut c = Conv::new(("172.16.0.5", 33000), ("172.16.0.9", 6379), 100, 900);
    c.handshake(500);
    c.c2s(ACK | PSH, 1000).c2s(ACK | PSH, 1000);
    c.window = 0;
    c.wait(200).s2c(ACK, 0); // zero window
    c.window = 1000;
    c.wait(200_000).c2s(ACK, 1); // zero window probe
    c.window = 0;
    c.wait(200).s2c(ACK, 0); // zero window probe ack
    c.window = 1000;
    c.wait(400_000).s2c(ACK, 0); // window update
    c.c2s(ACK | PSH, 999);
    c.wait(200).s2c(ACK, 0);
    // Idle, then keep-alives from the client (seq = next - 1, no data) and their ACKs.
    for _ in 0..2 {
        let ka = c.c_seq.wrapping_sub(1);
        c.wait(7_200_000)
            .seg(true, ACK, 0, Some(ka), Opts::default(), false)
            .wait(100)
            .s2c(ACK, 0);
    }
    pcap(113, true, true, 65535, &recs(Link::Sll, &c.out))
}

/// A refused IPv6 connection (SYN, RST) and a UDP exchange, in SLL2, across two pcapng sections
/// (the second one big-endian, with a binary time resolution and a simple packet block).
pub fn refused_udp_v6() -> Vec<u8> {
    let mut r = Conv::new(("fd00::1", 41000), ("fd00::2", 9), 3_000_000_000, 0);
    r.c2s(SYN, 0).wait(50).s2c(RST | ACK, 0);
    r.wait(1_000_000).c2s(SYN, 0).wait(50).s2c(RST | ACK, 0);
    let mut u = Conv::new(("fd00::1", 53000), ("fd00::53", 53), 0, 0);
    u.t = r.t + 1_000_000;
    u.udp(true, 40)
        .wait(300)
        .udp(false, 120)
        .udp(true, 40)
        .wait(300)
        .udp(false, 1200);
    let mut w = PcapNg::new();
    w.section(false);
    w.interface(276, 65535, Some(6));
    w.interface(1, 65535, Some(3)); // unused second interface, other resolution
    w.unknown_block();
    for rec in recs(Link::Sll2, &r.out) {
        w.epb(0, &rec);
    }
    w.section(true);
    w.interface(1, 65535, None);
    w.interface(276, 65535, Some(0x80 | 20));
    let ur = recs(Link::Sll2, &u.out);
    for rec in &ur[..3] {
        w.epb(1, rec);
    }
    w.out
}

/// IPv6 TCP over 802.1Q VLAN-tagged Ethernet with SACK blocks.
pub fn vlan_v6() -> Vec<u8> {
    let mut c = Conv::new(("2001:db8::a", 12345), ("2001:db8::b", 8080), 11, 22);
    c.handshake(1000).c2s(ACK | PSH, 1200).c2s(ACK | PSH, 1200);
    let acked = c.c_seq;
    c.seg(
        false,
        ACK,
        0,
        None,
        Opts {
            sack: vec![(acked.wrapping_add(100), acked.wrapping_add(200))],
            ..Opts::default()
        },
        true,
    );
    c.c2s(ACK | FIN, 0).s2c(ACK | FIN, 0).c2s(ACK, 0);
    pcap(1, false, false, 65535, &recs(Link::EthernetVlan, &c.out))
}

/// BSD loopback (NULL) framing, two connections on the same ports one after the other
/// (port reuse: the second SYN has a new ISN).
pub fn null_loopback() -> Vec<u8> {
    let mut c = Conv::new(("127.0.0.1", 5555), ("127.0.0.1", 7), 10, 20);
    c.handshake(100)
        .c2s(ACK | PSH, 5)
        .s2c(ACK | PSH, 5)
        .c2s(FIN | ACK, 0)
        .s2c(FIN | ACK, 0)
        .c2s(ACK, 0);
    let t = c.t;
    let mut d = Conv::new(("127.0.0.1", 5555), ("127.0.0.1", 7), 90_000, 80_000);
    d.t = t + 1_000_000;
    d.handshake(100).c2s(ACK | PSH, 5).c2s(RST | ACK, 0);
    let mut all = c.out;
    all.extend(d.out);
    pcap(0, false, false, 65535, &recs(Link::NullLe, &all))
}

/// Raw IP with a 96-byte snapshot length: payloads are cut, lengths must come from IP.
pub fn raw_ip_snaplen() -> Vec<u8> {
    let mut c = Conv::new(("10.1.1.1", 1024), ("10.1.1.2", 22), 55, 66);
    c.handshake(300)
        .c2s(ACK | PSH, 1000)
        .s2c(ACK, 0)
        .s2c(ACK | PSH, 48)
        .c2s(ACK, 0);
    pcap(101, false, false, 96, &recs(Link::Raw, &c.out))
}

/// A seeded "bad network" transfer: segments lost before the capture point, duplicated,
/// reordered and retransmitted, a receiver that ACKs cumulatively (so duplicate ACKs appear),
/// window changes, and keep-alives. Two seeds are in the corpus; the chaos test writes more on
/// demand for the differential comparison.
pub fn chaos(seed: u64, segments: usize) -> Vec<u8> {
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut c = Conv::new(("10.9.0.1", 44000), ("10.9.0.2", 8000), 0xFFFF_FF00, 42);
    c.handshake(3000);
    let base = c.c_seq;
    let mss = 200usize;
    // Receiver state: highest in-order byte received.
    let mut rcv = base;
    let mut sent: Vec<u32> = Vec::new();
    for i in 0..segments {
        let seq = base.wrapping_add((i * mss) as u32);
        sent.push(seq);
        let r = next() % 100;
        c.wait((next() % 400) as i64);
        if r < 8 {
            // Lost before the capture point: not captured at all.
        } else if r < 12 {
            // Duplicated by the network.
            c.seg(true, ACK | PSH, mss, Some(seq), Opts::default(), true);
            c.seg(true, ACK | PSH, mss, Some(seq), Opts::default(), true);
        } else {
            c.seg(true, ACK | PSH, mss, Some(seq), Opts::default(), true);
        }
        if r >= 8 && seq == rcv {
            rcv = rcv.wrapping_add(mss as u32);
        }
        // The receiver ACKs every segment cumulatively (duplicate ACKs after a hole).
        let save = c.c_seq;
        c.c_seq = rcv;
        if next() % 10 == 0 {
            c.window = 200 + (next() % 800) as u16;
        }
        c.s2c(ACK, 0);
        c.c_seq = save;
        // Sometimes the sender retransmits the oldest unacknowledged segment (after a wait).
        if rcv != c.c_seq && next() % 3 == 0 {
            c.wait((next() % 30_000) as i64);
            c.seg(true, ACK, mss, Some(rcv), Opts::default(), false);
            rcv = rcv.wrapping_add(mss as u32);
            let save = c.c_seq;
            c.c_seq = rcv;
            c.s2c(ACK, 0);
            c.c_seq = save;
        }
        if next() % 50 == 0 {
            // A keep-alive.
            let ka = c.c_seq.wrapping_sub(1);
            c.wait(100_000)
                .seg(true, ACK, 0, Some(ka), Opts::default(), false);
        }
    }
    c.c2s(FIN | ACK, 0).s2c(FIN | ACK, 0).c2s(ACK, 0);
    pcap(1, false, true, 65535, &recs(Link::Ethernet, &c.out))
}
