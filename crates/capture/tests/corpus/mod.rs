//! The synthetic part of the test corpus: small captures whose every packet we chose, each
//! exercising one container variant, one link type and some TCP trouble. `corpus()` builds
//! them in memory; `tests/data/*.pcap*` holds the same bytes (regenerate with
//! `SYNACK_WRITE_CORPUS=1 cargo test -p synack-capture --test corpus_files`) plus captures of
//! real loopback traffic, so that tshark can be run on files.
#![allow(dead_code)]

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
    ]
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
