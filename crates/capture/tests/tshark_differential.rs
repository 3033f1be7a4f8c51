//! Differential test against tshark: for every capture in `tests/data/`, our reader and analysis
//! must agree with tshark on the packet count, every packet's 5-tuple, raw and relative
//! seq/ack, flags, payload length, the conversation each packet belongs to, and the expert
//! marks (retransmission, fast and spurious retransmission, duplicate ACK and its number,
//! out-of-order, zero window, probes, keep-alive, window full/update, lost/unseen segments).
//!
//! tshark is installed by the project's set-up (`apt-get install -y tshark`). Where it is
//! missing the test says so and passes without comparing (it cannot compare with nothing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use synack_capture::decode::Transport;
use synack_capture::tcp_analysis::mark;
use synack_capture::{Location, ProblemKind};

const FIELDS: &[&str] = &[
    "frame.number",
    "frame.len",
    // Expert info on the frame and IP layers that our reader reports as problems.
    "frame.len_lt_caplen",
    "ip.bogus_ip_length",
    "ipv6.plen_exceeds_framing",
    "ip.src",
    "ipv6.src",
    "ip.dst",
    "ipv6.dst",
    "tcp.srcport",
    "tcp.dstport",
    "udp.srcport",
    "udp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.flags",
    "tcp.len",
    "tcp.seq",
    "tcp.ack",
    "tcp.stream",
    "udp.stream",
    "udp.length",
    "icmp.type",
    "icmp.code",
];

/// (tshark field, our mark) pairs compared on every TCP packet.
const MARKS: &[(&str, u16)] = &[
    ("tcp.analysis.retransmission", mark::RETRANSMISSION),
    (
        "tcp.analysis.fast_retransmission",
        mark::FAST_RETRANSMISSION,
    ),
    (
        "tcp.analysis.spurious_retransmission",
        mark::SPURIOUS_RETRANSMISSION,
    ),
    ("tcp.analysis.duplicate_ack", mark::DUPLICATE_ACK),
    ("tcp.analysis.out_of_order", mark::OUT_OF_ORDER),
    ("tcp.analysis.zero_window", mark::ZERO_WINDOW),
    ("tcp.analysis.zero_window_probe", mark::ZERO_WINDOW_PROBE),
    (
        "tcp.analysis.zero_window_probe_ack",
        mark::ZERO_WINDOW_PROBE_ACK,
    ),
    ("tcp.analysis.keep_alive", mark::KEEP_ALIVE),
    ("tcp.analysis.keep_alive_ack", mark::KEEP_ALIVE_ACK),
    ("tcp.analysis.window_full", mark::WINDOW_FULL),
    ("tcp.analysis.window_update", mark::WINDOW_UPDATE),
    (
        "tcp.analysis.lost_segment",
        mark::PREVIOUS_SEGMENT_NOT_CAPTURED,
    ),
    ("tcp.analysis.ack_lost_segment", mark::ACKED_UNSEEN_SEGMENT),
];

fn check(m: &mut Vec<String>, ctx: &str, what: &str, theirs: Option<&String>, ours: String) {
    if theirs.map(String::as_str) != Some(ours.as_str()) {
        m.push(format!("{ctx} {what}: tshark {theirs:?}, ours {ours:?}"));
    }
}

fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn tshark_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n")
        .arg("-r")
        .arg(path)
        .args(["-o", "tcp.analyze_sequence_numbers:TRUE"])
        .args(["-o", "tcp.relative_sequence_numbers:TRUE"])
        .args(["-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]);
    let names: Vec<&str> = FIELDS
        .iter()
        .copied()
        .chain(MARKS.iter().map(|(f, _)| *f))
        .chain(["tcp.analysis.duplicate_ack_num"])
        .collect();
    for f in &names {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            names
                .iter()
                .zip(line.split('\t'))
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            [".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz"]
                .iter()
                .any(|e| name.ends_with(e))
        })
        .collect();
    v.sort();
    // Extra files to compare (for example a large generated capture), colon-separated.
    if let Some(extra) = std::env::var_os("SYNACK_DIFF_EXTRA") {
        v.extend(std::env::split_paths(&extra));
    }
    v
}

#[test]
fn agrees_with_tshark_on_every_corpus_file() {
    if !tshark_available() {
        eprintln!("SKIPPED: tshark is not installed (apt-get install -y tshark); nothing compared");
        return;
    }
    let mut compared_packets = 0;
    let mut compared_marks = 0;
    let mut mismatches = Vec::new();
    for path in corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let cap = synack_capture::read(&bytes);
        let an = synack_capture::analyze(&cap.packets);
        let rows = tshark_rows(&path);
        assert_eq!(rows.len() as u64, cap.frames, "{name}: frame count");
        // Where tshark flags a frame's length or an IP length, we report the same problem on
        // the same packet, and nowhere else.
        assert_eq!(
            cap.problems_suppressed, 0,
            "{name}: too many problems to compare"
        );
        for r in &rows {
            let n: u64 = r["frame.number"].parse().unwrap();
            let ours = |kind: ProblemKind| {
                cap.problems.iter().any(|p| {
                    p.kind == kind
                        && matches!(p.location, Location::Packet { number, .. } if number == n)
                })
            };
            let theirs = r.contains_key("frame.len_lt_caplen");
            if theirs != ours(ProblemKind::CaplenOverOrigLen) {
                mismatches.push(format!(
                    "{name} #{n} frame length below captured length: tshark {theirs}, ours {}",
                    !theirs
                ));
            }
            let theirs =
                r.contains_key("ip.bogus_ip_length") || r.contains_key("ipv6.plen_exceeds_framing");
            if theirs != ours(ProblemKind::BadIpLength) {
                mismatches.push(format!(
                    "{name} #{n} IP length beyond the packet: tshark {theirs}, ours {}",
                    !theirs
                ));
            }
        }
        let ours: BTreeMap<u64, usize> = cap
            .packets
            .iter()
            .enumerate()
            .map(|(i, p)| (p.number, i))
            .collect();
        let theirs_l4: Vec<&BTreeMap<String, String>> = rows
            .iter()
            .filter(|r| r.contains_key("tcp.srcport") || r.contains_key("udp.srcport"))
            .collect();
        assert_eq!(
            theirs_l4.len(),
            cap.packets.len(),
            "{name}: TCP/UDP packet count"
        );
        // tshark stream (proto, number) -> our conversation id must be one-to-one.
        let mut stream_map: BTreeMap<(bool, String), u32> = BTreeMap::new();
        let mut conv_map: BTreeMap<u32, (bool, String)> = BTreeMap::new();
        for r in theirs_l4 {
            let n: u64 = r["frame.number"].parse().unwrap();
            let Some(&i) = ours.get(&n) else {
                mismatches.push(format!("{name} #{n}: tshark sees TCP/UDP, we do not"));
                continue;
            };
            let p = &cap.packets[i];
            let info = &an.packets[i];
            compared_packets += 1;
            let ctx = format!("{name} #{n}");
            check(
                &mut mismatches,
                &ctx,
                "frame length",
                r.get("frame.len"),
                p.frame_len.to_string(),
            );
            let src = r.get("ip.src").or(r.get("ipv6.src"));
            let dst = r.get("ip.dst").or(r.get("ipv6.dst"));
            check(&mut mismatches, &ctx, "src", src, p.src.to_string());
            check(&mut mismatches, &ctx, "dst", dst, p.dst.to_string());
            let tcp = r.contains_key("tcp.srcport");
            // tshark dissects the datagram an ICMP error quotes as UDP, with its own ports;
            // we give the error that datagram's ports turned around (its flow, answered).
            let (sport, dport) = match p.transport {
                Transport::Icmp { .. } => (p.dst_port, p.src_port),
                _ => (p.src_port, p.dst_port),
            };
            let (sp, dp, st) = if tcp {
                ("tcp.srcport", "tcp.dstport", "tcp.stream")
            } else {
                ("udp.srcport", "udp.dstport", "udp.stream")
            };
            check(
                &mut mismatches,
                &ctx,
                "src port",
                r.get(sp),
                sport.to_string(),
            );
            check(
                &mut mismatches,
                &ctx,
                "dst port",
                r.get(dp),
                dport.to_string(),
            );
            let key = (tcp, r[st].clone());
            let conv = info.conversation;
            match (stream_map.get(&key), conv_map.get(&conv)) {
                (None, None) => {
                    stream_map.insert(key.clone(), conv);
                    conv_map.insert(conv, key);
                }
                (Some(&c), Some(k)) if c == conv && *k == key => {}
                _ => mismatches.push(format!(
                    "{name} #{n}: tshark {st} {} does not map one-to-one to our conversation {conv}",
                    r[st]
                )),
            }
            match &p.transport {
                Transport::Tcp(t) => {
                    check(
                        &mut mismatches,
                        &ctx,
                        "seq",
                        r.get("tcp.seq_raw"),
                        t.seq.to_string(),
                    );
                    check(
                        &mut mismatches,
                        &ctx,
                        "ack",
                        r.get("tcp.ack_raw"),
                        t.ack.to_string(),
                    );
                    let flags = r
                        .get("tcp.flags")
                        .and_then(|f| u16::from_str_radix(f.trim_start_matches("0x"), 16).ok())
                        .map(|f| (f & 0xFF).to_string());
                    check(
                        &mut mismatches,
                        &ctx,
                        "flags",
                        flags.as_ref(),
                        t.flags.to_string(),
                    );
                    check(
                        &mut mismatches,
                        &ctx,
                        "len",
                        r.get("tcp.len"),
                        p.payload_len.to_string(),
                    );
                    check(
                        &mut mismatches,
                        &ctx,
                        "relative seq",
                        r.get("tcp.seq"),
                        info.tcp.rel_seq.to_string(),
                    );
                    check(
                        &mut mismatches,
                        &ctx,
                        "relative ack",
                        r.get("tcp.ack"),
                        info.tcp.rel_ack.to_string(),
                    );
                    for (field, bit) in MARKS {
                        compared_marks += 1;
                        let theirs = r.contains_key(*field);
                        let ours = info.tcp.marks & bit != 0;
                        if theirs != ours {
                            mismatches
                                .push(format!("{name} #{n} {field}: tshark {theirs}, ours {ours}"));
                        }
                    }
                    if info.tcp.marks & mark::DUPLICATE_ACK != 0 {
                        check(
                            &mut mismatches,
                            &ctx,
                            "dup ack number",
                            r.get("tcp.analysis.duplicate_ack_num"),
                            info.tcp.dup_ack_num.to_string(),
                        );
                    }
                }
                Transport::Icmp { icmp_type, code } => {
                    check(
                        &mut mismatches,
                        &ctx,
                        "icmp type",
                        r.get("icmp.type"),
                        icmp_type.to_string(),
                    );
                    check(
                        &mut mismatches,
                        &ctx,
                        "icmp code",
                        r.get("icmp.code"),
                        code.to_string(),
                    );
                }
                Transport::Udp { length } => {
                    check(
                        &mut mismatches,
                        &ctx,
                        "udp length",
                        r.get("udp.length"),
                        length.to_string(),
                    );
                }
            }
        }
    }
    println!(
        "tshark differential: {} files, {compared_packets} packets, {compared_marks} mark checks, {} mismatches",
        corpus_files().len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
