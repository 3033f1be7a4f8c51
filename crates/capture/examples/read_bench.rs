//! Read + analysis throughput on a generated capture, compared with tshark in the same run.
//!
//!     cargo run --release -p synack-capture --example read_bench -- [packets] [file] [segment]
//!
//! Generates a pcap of `packets` Ethernet/IPv4/TCP packets (default 100,000, see
//! `synack_capture::synthetic`; `segment` payload bytes in data segments, default 1,448:
//! `1500000 FILE 94` is the 200 MB, 1.5 M-packet file of the memory figures), writes it to
//! `file` (default: the system temp dir), then times
//! 1. `synack_capture::read` + `analyze` (best of 5, file already in memory), and
//! 2. `tshark -r FILE -q -z conv,tcp` (best of 3, wall clock: process start + read + table),
//!
//! and prints MB/s for both and the ratio. tshark's time includes its start-up (about a
//! quarter of a second), which is part of what a user waits for; the figure without it is
//! printed too (tshark on a 1-packet file, subtracted).
//!
//! Then peak memory, each in a fresh process so nothing of this one counts: this example
//! re-run as `--peak FILE` (open the file, read and analyse it as a native viewer does, print
//! the process's `VmHWM`), and `tshark` under `/usr/bin/time -f %M` (its maximum resident set).
//! Both are the kernel's high-water mark of resident memory, in KiB.

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

/// The high-water mark of this process's resident memory (`VmHWM`, KiB), Linux only.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `--peak FILE`: what a native viewer keeps to show a file, the figure of the memory line:
/// the file read as a stream (`read_from`, a chunk at a time), then analysed. Prints the peak
/// (KiB) and the wall-clock time of both steps (ms, one run, file in the page cache).
fn peak(path: &std::path::Path) {
    let t = Instant::now();
    let mut file = std::fs::File::open(path).expect("open the capture");
    let cap = synack_capture::read_from(&mut file, |_| {}).expect("read the capture");
    let an = synack_capture::analyze(&cap.packets);
    let ms = t.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box((&cap, &an));
    println!("{} {ms:.0}", vm_hwm_kib().unwrap_or(0));
}

/// Peak resident memory (KiB) of `cmd`, read from `/usr/bin/time -f %M` (last stderr line).
fn max_rss_kib(cmd: &str, args: &[&std::ffi::OsStr]) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", cmd])
        .args(args)
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines().last()?.trim().parse().ok()
}

fn memory(path: &std::path::Path) {
    let exe = std::env::current_exe().expect("this example's path");
    let out = match Command::new(&exe).arg("--peak").arg(path).output() {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            println!(
                "peak memory: the measuring process failed ({}): {err}",
                o.status
            );
            return;
        }
        Err(e) => {
            println!("peak memory: the measuring process did not start: {e}");
            return;
        }
    };
    // "<peak KiB> <ms>"
    let mut words = out.split_whitespace();
    let ours = words.next().and_then(|w| w.parse::<u64>().ok());
    if let Some(ms) = words.next() {
        println!("synack-capture read_from(file) + analyze in a fresh process: {ms} ms");
    }
    let theirs = max_rss_kib(
        "tshark",
        &["-n", "-q", "-z", "conv,tcp", "-r"]
            .map(std::ffi::OsStr::new)
            .into_iter()
            .chain([path.as_os_str()])
            .collect::<Vec<_>>(),
    );
    let mib = |k: u64| k as f64 / 1024.0;
    match (ours, theirs) {
        (Some(o), Some(t)) => println!(
            "peak memory: synack-capture {:.0} MiB, tshark {:.0} MiB, ratio {:.2}x",
            mib(o),
            mib(t),
            o as f64 / t as f64
        ),
        (Some(o), None) => println!(
            "peak memory: synack-capture {:.0} MiB (tshark or /usr/bin/time missing)",
            mib(o)
        ),
        _ => println!("peak memory: not measured (no /proc/self/status?)"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--peak") {
        return peak(std::path::Path::new(&args[2]));
    }
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let path = args
        .get(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("synack-bench-{n}.pcap")));
    let segment: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1448);
    let data = synack_capture::synthetic::bulk_pcap_with(n, segment);
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
    drop(data);
    memory(&path);
    if args.get(2).is_none() {
        let _ = std::fs::remove_file(&path);
    }
}
