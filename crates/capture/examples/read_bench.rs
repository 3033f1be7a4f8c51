//! Read + analysis throughput on a generated capture, compared with tshark in the same run.
//!
//!     cargo run --release -p synack-capture --example read_bench -- [packets] [file]
//!
//! Generates a pcap of `packets` Ethernet/IPv4/TCP packets (default 100,000, see
//! `synack_capture::synthetic`), writes it to `file` (default: the system temp dir), then times
//! 1. `synack_capture::read` + `analyze` (best of 5, file already in memory), and
//! 2. `tshark -r FILE -q -z conv,tcp` (best of 3, wall clock: process start + read + table),
//!
//! and prints MB/s for both and the ratio. tshark's time includes its start-up (about a
//! quarter of a second), which is part of what a user waits for; the figure without it is
//! printed too (tshark on a 1-packet file, subtracted).

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

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
    let data = synack_capture::synthetic::bulk_pcap(n);
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
            let small = synack_capture::synthetic::bulk_pcap(3);
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
