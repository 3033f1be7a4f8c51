//! Pure helpers of the "Open" page: what kind of file was dropped, and how the capture's
//! numbers read in a table. Kept apart from the component so they are tested without a DOM.

use synack_capture::protocol::Progress;
use synack_capture::Location;
use synack_model::trace::{Origin, Proto};

use crate::i18n::{Lang, T};

/// What a file looks like from its first bytes. The name is not trusted: people rename files,
/// and a lab run writes both `.json` and `.pcap` next to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Text starting with `{`: a synack trace (from the lab, the model or an export).
    TraceJson,
    /// A classic pcap or pcapng magic number.
    Capture,
    /// Anything else. Sent to the capture reader anyway when the name says pcap, so that its
    /// precise message ("unknown magic ...") is shown; otherwise refused here.
    Unknown,
}

pub fn sniff(name: &str, head: &[u8]) -> FileKind {
    const MAGICS: [[u8; 4]; 5] = [
        [0xd4, 0xc3, 0xb2, 0xa1], // pcap, little-endian, µs
        [0xa1, 0xb2, 0xc3, 0xd4], // pcap, big-endian, µs
        [0x4d, 0x3c, 0xb2, 0xa1], // pcap, little-endian, ns
        [0xa1, 0xb2, 0x3c, 0x4d], // pcap, big-endian, ns
        [0x0a, 0x0d, 0x0d, 0x0a], // pcapng section header block
    ];
    let text = head
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xef || **b == 0xbb || **b == 0xbf)
        .copied()
        .next();
    if text == Some(b'{') {
        return FileKind::TraceJson;
    }
    if head.len() >= 4 && MAGICS.iter().any(|m| head[..4] == m[..]) {
        return FileKind::Capture;
    }
    // A gzip-compressed capture (.pcap.gz, as Wireshark opens): the reader decompresses it
    // (RFC 1952 §2.3.1: ID1 0x1f, ID2 0x8b).
    if head.starts_with(&[0x1f, 0x8b]) {
        return FileKind::Capture;
    }
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    if lower.ends_with(".pcap") || lower.ends_with(".pcapng") || lower.ends_with(".cap") {
        return FileKind::Capture;
    }
    if lower.ends_with(".json") {
        return FileKind::TraceJson;
    }
    FileKind::Unknown
}

/// "lab: handshake on Linux 6.1.0", "model: handshake (linux, seed 1)", "capture: x.pcap".
pub fn origin_label(origin: &Origin, lang: Lang) -> String {
    match (origin, lang) {
        (Origin::Lab { experiment, kernel }, Lang::Zh) => {
            format!("实验（真实内核）：{experiment}，{}", kernel_name(kernel))
        }
        (Origin::Lab { experiment, kernel }, Lang::En) => {
            format!("lab: {experiment} on {}", kernel_name(kernel))
        }
        (
            Origin::Model {
                scenario,
                profile,
                seed,
            },
            Lang::Zh,
        ) => format!("模型：{scenario}（{profile}，种子 {seed}）"),
        (
            Origin::Model {
                scenario,
                profile,
                seed,
            },
            Lang::En,
        ) => format!("model: {scenario} ({profile}, seed {seed})"),
        (Origin::Capture { file }, Lang::Zh) => format!("抓包：{file}"),
        (Origin::Capture { file }, Lang::En) => format!("capture: {file}"),
    }
}

/// The lab writes `uname -r` ("6.1.0-27-amd64"); say which system it is.
fn kernel_name(kernel: &str) -> String {
    let k = kernel.trim();
    if k.is_empty() {
        "Linux".into()
    } else if k.to_ascii_lowercase().starts_with("linux") {
        k.into()
    } else {
        format!("Linux {k}")
    }
}

/// 1,234 B / 12.3 KB / 4.56 MB (decimal units, as Wireshark's conversation table).
pub fn bytes(n: u64) -> String {
    if n < 1000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{:.1} KB", n as f64 / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.2} MB", n as f64 / 1e6)
    } else {
        format!("{:.2} GB", n as f64 / 1e9)
    }
}

/// 0 µs / 850 µs / 12.3 ms / 4.567 s.
pub fn duration_us(us: u64) -> String {
    if us < 1000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{:.1} ms", us as f64 / 1e3)
    } else {
        format!("{:.3} s", us as f64 / 1e6)
    }
}

/// Progress of a read, 0..=100, safe for an empty file.
pub fn percent(done: u64, total: u64) -> u32 {
    if total == 0 {
        return 100;
    }
    ((done.min(total) as f64 / total as f64) * 100.0).round() as u32
}

/// Where a capture problem is: "packet 17", "block 3" or "file".
pub fn problem_place(at: &Location, lang: Lang) -> String {
    match (at, lang) {
        (Location::Packet { number, .. }, Lang::Zh) => format!("第 {number} 个包"),
        (Location::Packet { number, .. }, Lang::En) => format!("packet {number}"),
        (Location::Block { number, .. }, Lang::Zh) => format!("第 {number} 个块"),
        (Location::Block { number, .. }, Lang::En) => format!("block {number}"),
        (Location::File, Lang::Zh) => "文件".into(),
        (Location::File, Lang::En) => "file".into(),
    }
}

/// A capture of loopback traffic has both sockets on one host (one address), which would draw
/// every arrow from a lane to itself. Give the second socket a host of its own, named like
/// Wireshark's endpoints (`127.0.0.1:8080`), so the ladder has its two lanes.
pub fn split_loopback(trace: &mut synack_model::trace::Trace) {
    use synack_model::trace::{EventKind, Host, HostId};
    let conn: Vec<_> = trace.sockets.iter().filter(|s| !s.listener).collect();
    if trace.hosts.len() != 1 || conn.len() != 2 || conn[0].local_port == conn[1].local_port {
        return;
    }
    let (pa, pb, sb) = (conn[0].local_port, conn[1].local_port, conn[1].id);
    let h0 = trace.hosts[0].clone();
    let b = HostId(1);
    trace.hosts[0].name = format!("{}:{pa}", h0.addr);
    trace.hosts.push(Host {
        id: b,
        name: format!("{}:{pb}", h0.addr),
        addr: h0.addr,
    });
    for s in &mut trace.sockets {
        if s.id == sb {
            s.host = b;
        }
        if let Some(r) = &mut s.remote {
            if r.port == pb {
                r.host = b;
            }
        }
    }
    let fix = |a: &mut synack_model::trace::Addr| {
        if a.port == pb {
            a.host = b;
        }
    };
    for ev in &mut trace.events {
        if let EventKind::SegmentSent { segment, .. } = &mut ev.kind {
            fix(&mut segment.src);
            fix(&mut segment.dst);
        }
    }
}

/// One TCP expert mark (Wireshark's expert info): its bit in `synack_capture::mark` and our
/// words for it.
pub struct Mark {
    pub bit: u16,
    pub text: T,
}

const fn mark(bit: u16, zh: &'static str, en: &'static str) -> Mark {
    Mark {
        bit,
        text: T::new(zh, en),
    }
}

pub const MARKS: [Mark; 16] = {
    use synack_capture::mark::*;
    [
        mark(RETRANSMISSION, "重传", "retransmission"),
        mark(FAST_RETRANSMISSION, "快速重传", "fast retransmission"),
        mark(
            SPURIOUS_RETRANSMISSION,
            "多余的重传",
            "spurious retransmission",
        ),
        mark(OUT_OF_ORDER, "乱序", "out-of-order"),
        mark(DUPLICATE_ACK, "重复 ACK", "dup ACK"),
        mark(ZERO_WINDOW, "零窗口", "zero window"),
        mark(ZERO_WINDOW_PROBE, "零窗口探测", "zero window probe"),
        mark(
            ZERO_WINDOW_PROBE_ACK,
            "零窗口探测的 ACK",
            "zero window probe ACK",
        ),
        mark(WINDOW_FULL, "窗口已满", "window full"),
        mark(WINDOW_UPDATE, "窗口更新", "window update"),
        mark(KEEP_ALIVE, "保活", "keep-alive"),
        mark(KEEP_ALIVE_ACK, "保活的 ACK", "keep-alive ACK"),
        mark(
            PREVIOUS_SEGMENT_NOT_CAPTURED,
            "前面的包没抓到",
            "previous segment not captured",
        ),
        mark(
            ACKED_UNSEEN_SEGMENT,
            "确认了没抓到的包",
            "ACKed unseen segment",
        ),
        mark(RST, "RST", "RST"),
        mark(PORTS_REUSED, "端口复用", "ports reused"),
    ]
};

/// The expert marks set in `bits`, in `lang`, joined by `sep`.
pub fn mark_words(bits: u16, lang: Lang, sep: &str) -> String {
    MARKS
        .iter()
        .filter(|m| bits & m.bit != 0)
        .map(|m| m.text.get(lang))
        .collect::<Vec<_>>()
        .join(sep)
}

/// How far a connection got, in `lang`.
pub fn progress_name(p: Progress, lang: Lang) -> &'static str {
    let t = match p {
        Progress::SynOnly => T::new("只有 SYN", "SYN only"),
        Progress::Refused => T::new("被拒绝（RST）", "refused (RST)"),
        Progress::Handshaking => T::new("握手未完成", "handshaking"),
        Progress::Established => T::new("已建立", "established"),
        Progress::HalfClosed => T::new("半关闭", "half-closed"),
        Progress::Closed => T::new("已关闭", "closed"),
        Progress::Reset => T::new("被重置（RST）", "reset"),
        Progress::Datagrams => T::new("数据报", "datagrams"),
    };
    t.get(lang)
}

/// A conversation's protocol as the list shows it.
pub fn proto_name(p: Proto) -> &'static str {
    match p {
        Proto::Tcp => "TCP",
        Proto::Udp => "UDP",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sniff_by_content_before_name() {
        assert_eq!(sniff("x.pcap", b"  {\"version\":1}"), FileKind::TraceJson);
        assert_eq!(
            sniff("x.json", &[0xd4, 0xc3, 0xb2, 0xa1, 2, 0]),
            FileKind::Capture
        );
        assert_eq!(sniff("x", &[0x0a, 0x0d, 0x0d, 0x0a]), FileKind::Capture);
        assert_eq!(sniff("x", &[0xa1, 0xb2, 0x3c, 0x4d]), FileKind::Capture);
        // Unknown bytes: the name decides, so the reader can explain what is wrong.
        assert_eq!(sniff("broken.PCAPNG", b"hello"), FileKind::Capture);
        assert_eq!(sniff("broken.json", b"hello"), FileKind::TraceJson);
        // gzip-compressed captures go to the reader, which decompresses them.
        assert_eq!(sniff("x.pcap.gz", &[0x1f, 0x8b, 8, 0]), FileKind::Capture);
        assert_eq!(sniff("x", &[0x1f, 0x8b, 8, 0]), FileKind::Capture);
        assert_eq!(sniff("cut.PCAPNG.GZ", b"hello"), FileKind::Capture);
        assert_eq!(sniff("notes.txt", b"hello"), FileKind::Unknown);
        assert_eq!(sniff("empty", b""), FileKind::Unknown);
        // A UTF-8 byte-order mark before the JSON.
        assert_eq!(sniff("t", b"\xef\xbb\xbf{}"), FileKind::TraceJson);
    }

    #[test]
    fn origins_read_as_sentences() {
        let lab = Origin::Lab {
            experiment: "handshake".into(),
            kernel: "6.1.0-27-amd64".into(),
        };
        assert_eq!(
            origin_label(&lab, Lang::En),
            "lab: handshake on Linux 6.1.0-27-amd64"
        );
        assert!(origin_label(&lab, Lang::Zh).contains("handshake"));
        let model = Origin::Model {
            scenario: "teardown".into(),
            profile: "rfc".into(),
            seed: 7,
        };
        assert_eq!(
            origin_label(&model, Lang::En),
            "model: teardown (rfc, seed 7)"
        );
        let cap = Origin::Capture {
            file: "a.pcap".into(),
        };
        assert_eq!(origin_label(&cap, Lang::En), "capture: a.pcap");
    }

    #[test]
    fn numbers_in_the_table() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1500), "1.5 KB");
        assert_eq!(bytes(2_345_678), "2.35 MB");
        assert_eq!(duration_us(0), "0 µs");
        assert_eq!(duration_us(850), "850 µs");
        assert_eq!(duration_us(12_345), "12.3 ms");
        assert_eq!(duration_us(4_567_000), "4.567 s");
        assert_eq!(percent(0, 0), 100);
        assert_eq!(percent(50, 200), 25);
        assert_eq!(percent(300, 200), 100);
        let packet = Location::Packet {
            number: 3,
            offset: 24,
        };
        assert_eq!(problem_place(&packet, Lang::En), "packet 3");
        let block = Location::Block {
            number: 2,
            offset: 28,
        };
        assert_eq!(problem_place(&block, Lang::Zh), "第 2 个块");
        assert_eq!(problem_place(&Location::File, Lang::En), "file");
    }
}
