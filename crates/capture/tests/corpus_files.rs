//! The checked-in corpus under `tests/data/`: the synthetic files must be exactly what the
//! generators in `corpus/` produce (set SYNACK_WRITE_CORPUS=1 to rewrite them), and every file
//! must read without a problem.

mod corpus;
mod support;

use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

#[test]
fn synthetic_corpus_files_match_their_generators() {
    let write = std::env::var_os("SYNACK_WRITE_CORPUS").is_some();
    for (name, bytes) in corpus::corpus() {
        let path = data_dir().join(name);
        if write {
            std::fs::write(&path, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with SYNACK_WRITE_CORPUS=1)", path.display()));
        assert!(
            on_disk == bytes,
            "{name} differs from its generator; rerun with SYNACK_WRITE_CORPUS=1"
        );
    }
}

/// A capture file by its name: pcap, pcapng, or either gzip-compressed.
pub fn is_capture(path: &std::path::Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    [".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz"]
        .iter()
        .any(|e| name.ends_with(e))
}

#[test]
fn every_corpus_file_reads_cleanly_but_the_odd_ones_report_their_problems() {
    let mut n = 0;
    for entry in std::fs::read_dir(data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if !is_capture(&path) {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let cap = synack_capture::read(&bytes);
        assert!(cap.format.is_some(), "{name}");
        let expected = corpus::ODD
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[][..], |(_, kinds)| *kinds);
        let kinds: Vec<_> = cap.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, expected, "{name}: {:?}", cap.problems);
        assert!(
            cap.problems
                .iter()
                .all(|p| p.severity == synack_capture::Severity::Warning),
            "{name}"
        );
        assert!(!cap.packets.is_empty(), "{name}");
        n += 1;
    }
    assert!(n >= 18, "corpus has only {n} files");
}

#[test]
fn the_gzip_file_reads_as_the_capture_it_compresses() {
    let gz = std::fs::read(data_dir().join("handshake_data_close.pcap.gz")).unwrap();
    let plain = std::fs::read(data_dir().join("handshake_data_close.pcap")).unwrap();
    let (a, b) = (synack_capture::read(&gz), synack_capture::read(&plain));
    assert_eq!(a.compression, Some(synack_capture::Compression::Gzip));
    assert_eq!(b.compression, None);
    assert_eq!(a.format, b.format);
    assert_eq!(a.packets, b.packets);
    assert_eq!(a.frames, 11);
}

/// Writes seeded chaos captures for the tshark differential test:
/// `SYNACK_CHAOS_DIR=/tmp/chaos cargo test -p synack-capture --test corpus_files chaos` then
/// `SYNACK_DIFF_EXTRA=/tmp/chaos/chaos-1.pcap:... cargo test --test tshark_differential`.
#[test]
fn chaos_captures_read_cleanly_and_can_be_written_for_tshark() {
    let dir = std::env::var_os("SYNACK_CHAOS_DIR").map(PathBuf::from);
    for seed in 1..=8u64 {
        let bytes = corpus::chaos(seed, 150);
        let cap = synack_capture::read(&bytes);
        assert!(cap.problems.is_empty());
        let an = synack_capture::analyze(&cap.packets);
        assert_eq!(an.conversations.len(), 1);
        if let Some(d) = &dir {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join(format!("chaos-{seed}.pcap")), &bytes).unwrap();
        }
    }
}
