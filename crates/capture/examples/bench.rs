//! Read + analysis throughput on a generated capture, compared with tshark in the same run.
//!
//!     cargo run --release -p synack-capture --example bench -- [packets] [file]
//!
//! Generates a pcap of `packets` Ethernet/IPv4/TCP packets (default 100,000: 500 bulk
//! transfers with the receiver ACKing every second segment and ~1% of segments retransmitted),
//! writes it to `file` (default: the system temp dir), then times
//! 1. `synack_capture::read` + `analyze` (best of 5, file already in memory), and
//! 2. `tshark -r FILE -q -z conv,tcp` (best of 3, wall clock: process start + read + table),
//!
//! and prints MB/s for both and the ratio. tshark's time includes its start-up (about a
//! quarter of a second), which is part of what a user waits for; the figure without it is
//! printed too (tshark on a 1-packet file, subtracted).

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

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

/// Builds a classic pcap with `n` packets.
fn generate(n: usize) -> Vec<u8> {
    let mut f = Vec::with_capacity(n * 1100);
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
                let retransmit = rng.is_multiple_of(100);
                tcp_packet(&mut pkt, server, client, (443, cport), ss, cs, 0x10, 1448);
                emit(&mut pkt, &mut f, t);
                t += 12;
                if retransmit {
                    tcp_packet(&mut pkt, server, client, (443, cport), ss, cs, 0x10, 1448);
                    emit(&mut pkt, &mut f, t + 200_000);
                    t += 12;
                    k += 1;
                    written += 1;
                }
                ss = ss.wrapping_add(1448);
                k += 1;
                written += 1;
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

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        last = Some(r);
    }
    (best, last.unwrap())
}

fn tshark(path: &std::path::Path) -> Option<Duration> {
    let (d, ok) = best_of(3, || {
        Command::new("tshark")
            .args(["-n", "-q", "-z", "conv,tcp", "-r"])
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    ok.then_some(d)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let path = args
        .get(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("synack-bench-{n}.pcap")));
    let data = generate(n);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&data))
        .expect("write the capture");
    let mb = data.len() as f64 / 1e6;

    let (d, (packets, convs, retrans)) = best_of(5, || {
        let cap = synack_capture::read(&data);
        let an = synack_capture::analyze(&cap.packets);
        let r: u32 = an
            .conversations
            .iter()
            .map(|c| c.trouble.retransmissions)
            .sum();
        (cap.packets.len(), an.conversations.len(), r)
    });
    let ours = mb / d.as_secs_f64();
    println!("capture: {} ({packets} packets, {mb:.1} MB, {convs} connections, {retrans} retransmissions)", path.display());
    println!(
        "synack-capture read+analyze: {:.1} ms, {ours:.0} MB/s",
        d.as_secs_f64() * 1e3
    );

    // One conversation → trace (what the viewer does on a pick), for scale.
    let cap = synack_capture::read(&data);
    let an = synack_capture::analyze(&cap.packets);
    let (dt, events) = best_of(3, || {
        synack_capture::to_trace::conversation_trace(&cap, &an, 0, "bench")
            .map(|t| t.events.len())
            .unwrap_or(0)
    });
    println!(
        "one conversation → trace: {events} events in {:.2} ms",
        dt.as_secs_f64() * 1e3
    );

    match tshark(&path) {
        Some(td) => {
            let theirs = mb / td.as_secs_f64();
            println!(
                "tshark -q -z conv,tcp: {:.1} ms, {theirs:.0} MB/s (wall clock incl. start-up)",
                td.as_secs_f64() * 1e3
            );
            println!(
                "ratio synack/tshark: {:.1}x",
                td.as_secs_f64() / d.as_secs_f64()
            );
            // tshark's fixed start-up cost, measured on a tiny file.
            let tiny = std::env::temp_dir().join("synack-bench-tiny.pcap");
            let small = generate(3);
            if std::fs::write(&tiny, &small).is_ok() {
                if let Some(t0) = tshark(&tiny) {
                    let net = td.saturating_sub(t0);
                    if !net.is_zero() {
                        println!(
                            "tshark without its {:.0} ms start-up: {:.0} MB/s; ratio {:.1}x",
                            t0.as_secs_f64() * 1e3,
                            mb / net.as_secs_f64(),
                            net.as_secs_f64() / d.as_secs_f64()
                        );
                    }
                }
                let _ = std::fs::remove_file(&tiny);
            }
        }
        None => println!("tshark not found: no comparison (apt-get install -y tshark)"),
    }
    if args.get(2).is_none() {
        let _ = std::fs::remove_file(&path);
    }
}
