//! What the lab's integration tests share: the binary under test, temporary paths and the
//! host's network interfaces and named namespaces (which a run must leave as it found them).
#![allow(dead_code)]

use std::path::PathBuf;

/// The binary under test: Cargo's `CARGO_BIN_EXE_*` when it provides it, else next to the
/// test executable's `deps/` folder (where `cargo test` builds it).
pub fn bin() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_synack-lab") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    dir.join("synack-lab")
}

/// A path in the temporary folder, unique to this test process.
pub fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("synack-lab-test-{}-{name}", std::process::id()))
}

/// The names in a folder, sorted (none when it does not exist).
fn names_in(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub fn host_interfaces() -> Vec<String> {
    names_in("/sys/class/net")
}

pub fn named_namespaces() -> Vec<String> {
    names_in("/run/netns")
}

/// Runs the binary as user `nobody` (setpriv), i.e. without any capability; `None` (with a
/// SKIPPED line) when this process is not root, has no setpriv, or nobody cannot execute the
/// binary.
pub fn as_nobody(args: &[&str]) -> Option<std::process::Output> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("SKIPPED: needs root and setpriv to drop to an unprivileged user");
        return None;
    }
    let out = std::process::Command::new("/usr/bin/setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin())
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    if String::from_utf8_lossy(&out.stderr).contains("Permission denied")
        && out.status.code() == Some(127)
    {
        eprintln!("SKIPPED: the test binary is not executable by nobody");
        return None;
    }
    Some(out)
}
