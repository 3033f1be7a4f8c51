//! A synthetic capture for benchmarks and large-trace tests: its size is a parameter, so nothing
//! big is checked in. Packets are built by hand on purpose (this is test data for the reader,
//! not a use of it).

#[allow(clippy::too_many_arguments)]
fn tcp_packet(
    out: &mut Vec<u8>,
    src: [u8; 4],
    dst: [u8; 4],
    ports: (u16, u16),
    seq: u32,
    ack: u32,
    flags: u8,
    payload: usize,
) {
    let ip_len = 20 + 20 + payload;
    out.extend([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
    out.extend([0x45, 0]);
    out.extend((ip_len as u16).to_be_bytes());
    out.extend([0, 0, 0x40, 0, 64, 6, 0, 0]);
    out.extend(src);
    out.extend(dst);
    out.extend(ports.0.to_be_bytes());
    out.extend(ports.1.to_be_bytes());
    out.extend(seq.to_be_bytes());
    out.extend(ack.to_be_bytes());
    out.extend([5 << 4, flags]);
    out.extend(512u16.to_be_bytes());
    out.extend([0, 0, 0, 0]);
    out.resize(out.len() + payload, 0xAB);
}

/// A classic pcap of `n` Ethernet/IPv4/TCP packets (a few more at most: the last round of
/// segments is completed): 500 bulk transfers (handshake, then two
/// full-sized segments from the server per client ACK), about 1 % of segments retransmitted
/// 200 ms later. Deterministic (a fixed xorshift state): the same `n`, the same bytes.
pub fn bulk_pcap(n: usize) -> Vec<u8> {
    bulk_pcap_with(n, 1448)
}

/// [`bulk_pcap`] with `segment` payload bytes in the server's data segments instead of a full
/// 1,448: the packet count and the traffic's shape stay, the file shrinks. 1.5 M packets with
/// 94-byte segments make the ~200 MB capture of the memory benchmark (about 133 bytes a packet,
/// so the per-packet structures, not the payload, dominate what a reader keeps).
pub fn bulk_pcap_with(n: usize, segment: usize) -> Vec<u8> {
    let mut f = Vec::with_capacity(n * (segment * 2 / 3 + 90));
    f.extend(0xA1B2_C3D4u32.to_le_bytes());
    f.extend([2, 0, 4, 0]);
    f.extend([0; 8]);
    f.extend(262_144u32.to_le_bytes());
    f.extend(1u32.to_le_bytes());
    let conns = 500usize;
    let per_conn = n.div_ceil(conns);
    let mut t_us: u64 = 1_700_000_000_000_000;
    let mut pkt = Vec::with_capacity(1600);
    let mut written = 0;
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    'outer: for c in 0..conns {
        let client = [10, 0, (c >> 8) as u8, c as u8];
        let server = [10, 1, 0, 1];
        let cport = 30000 + c as u16;
        let (mut cs, mut ss) = (
            1000u32.wrapping_mul(c as u32 + 1),
            7u32.wrapping_mul(c as u32 + 3),
        );
        let emit = |pkt: &mut Vec<u8>, f: &mut Vec<u8>, t: u64| {
            f.extend(((t / 1_000_000) as u32).to_le_bytes());
            f.extend(((t % 1_000_000) as u32).to_le_bytes());
            f.extend((pkt.len() as u32).to_le_bytes());
            f.extend((pkt.len() as u32).to_le_bytes());
            f.extend(pkt.iter());
            pkt.clear();
        };
        let mut k = 0;
        // Handshake.
        tcp_packet(&mut pkt, client, server, (cport, 443), cs, 0, 0x02, 0);
        emit(&mut pkt, &mut f, t_us);
        tcp_packet(&mut pkt, server, client, (443, cport), ss, cs + 1, 0x12, 0);
        emit(&mut pkt, &mut f, t_us + 100);
        cs += 1;
        ss += 1;
        tcp_packet(&mut pkt, client, server, (cport, 443), cs, ss, 0x10, 0);
        emit(&mut pkt, &mut f, t_us + 200);
        k += 3;
        written += 3;
        let mut t = t_us + 300;
        while k < per_conn {
            // Two full segments from the server, one ACK from the client.
            for _ in 0..2 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                // One in a hundred is sent again 200 ms later, as a retransmission would be.
                let copies: &[u64] = if rng.is_multiple_of(100) {
                    &[0, 200_000]
                } else {
                    &[0]
                };
                for late in copies {
                    tcp_packet(
                        &mut pkt,
                        server,
                        client,
                        (443, cport),
                        ss,
                        cs,
                        0x10,
                        segment,
                    );
                    emit(&mut pkt, &mut f, t + late);
                    t += 12;
                    k += 1;
                    written += 1;
                }
                ss = ss.wrapping_add(segment as u32);
            }
            tcp_packet(&mut pkt, client, server, (cport, 443), cs, ss, 0x10, 0);
            emit(&mut pkt, &mut f, t);
            t += 20;
            k += 1;
            written += 1;
            if written >= n {
                break 'outer;
            }
        }
        t_us = t + 1000;
    }
    f
}

#[cfg(test)]
mod tests {
    use super::bulk_pcap;

    #[test]
    fn the_reader_finds_what_was_built() {
        let data = bulk_pcap(2_000);
        assert_eq!(data, bulk_pcap(2_000), "deterministic");
        let cap = crate::read(&data);
        assert!(
            (2_000..2_010).contains(&cap.packets.len()),
            "{}",
            cap.packets.len()
        );
        assert!(cap.problems.is_empty(), "{:?}", cap.problems);
        let an = crate::analyze(&cap.packets);
        assert!(an.conversations.len() >= 2, "several transfers");
        let retx: u32 = an
            .conversations
            .iter()
            .map(|c| c.trouble.retransmissions)
            .sum();
        assert!(retx > 0, "about 1 % of segments are retransmitted");
    }
}
