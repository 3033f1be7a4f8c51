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

#[test]
fn every_corpus_file_reads_cleanly() {
    let mut n = 0;
    for entry in std::fs::read_dir(data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if !path
            .extension()
            .is_some_and(|e| e == "pcap" || e == "pcapng")
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let cap = synack_capture::read(&bytes);
        assert!(cap.format.is_some(), "{}", path.display());
        assert!(
            cap.problems.is_empty(),
            "{}: {:?}",
            path.display(),
            cap.problems
        );
        assert!(!cap.packets.is_empty(), "{}", path.display());
        n += 1;
    }
    assert!(n >= 7, "corpus has only {n} files");
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
