//! `record [--dir D] [CASE...]`: runs every compare case (or the named ones) on this kernel and
//! writes, per case, into `D/linux-<major.minor>/` (default `tests/kernel-recordings`):
//! - `<case>.scenario.json`: the scenario as run (with this machine's parameters in `tuning`),
//! - `<case>.trace.json`: the kernel's trace (no snapshots; readers rebuild them),
//! - `<case>.pcap`: the packets as they left their sender, dropped ones included.
//!
//! The model's tests (`crates/model/tests/kernel_recordings.rs`) diff the model against these
//! files without privileges; `crates/lab/tests/kernel.rs` re-records and reports drift.

use std::path::{Path, PathBuf};

use crate::cli::Common;
use crate::error::{Context, LabError, Result};

/// Runs per case at most, when the machine's load disturbs them.
const ATTEMPTS: usize = 4;

/// The folder name for this kernel: "linux-6.18" for release "6.18.44-fc-v1045".
pub fn kernel_folder(release: &str) -> String {
    let mut parts = release.split(['.', '-']);
    match (parts.next(), parts.next()) {
        (Some(a), Some(b)) if a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok() => {
            format!("linux-{a}.{b}")
        }
        _ => format!("linux-{release}"),
    }
}

/// The repository's recordings folder, found from where the lab was built.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/kernel-recordings")
}

/// The names whose place in the list is K modulo N, for `share` K/N (all without one).
fn share_of(names: Vec<String>, share: Option<(usize, usize)>) -> Vec<String> {
    names
        .into_iter()
        .enumerate()
        .filter(|(i, _)| share.is_none_or(|(k, n)| i % n == k))
        .map(|(_, name)| name)
        .collect()
}

/// Records `cases` (all when empty, or only the `share` K/N of them: those whose place in the
/// lab's case list is K modulo N); returns the text summary.
pub fn run(
    dir: Option<&Path>,
    cases: &[String],
    share: Option<(usize, usize)>,
    common: &Common,
) -> Result<String> {
    let base = dir.map(Path::to_path_buf).unwrap_or_else(default_dir);
    let folder = base.join(kernel_folder(&crate::session::kernel_release()));
    std::fs::create_dir_all(&folder).ctx(|| format!("creating {}", folder.display()))?;
    let names: Vec<String> = if cases.is_empty() {
        share_of(crate::inject::all_names(), share)
    } else {
        cases.to_vec()
    };
    let mut text = String::new();
    let mut passed = 0;
    for (i, n) in names.iter().enumerate() {
        // A scenario file (an `explore` find, say) is recorded under its file name.
        let (n, sc) = match n.strip_suffix(".json") {
            Some(stem) => {
                let name = Path::new(stem)
                    .file_name()
                    .map_or_else(|| stem.to_string(), |f| f.to_string_lossy().into_owned());
                let sc = crate::compare::read_scenario(Path::new(n))?;
                (name, sc)
            }
            None => (
                n.clone(),
                crate::cases::scenario(n)
                    .or_else(|| crate::inject::case(n))
                    .ok_or_else(|| {
                        LabError::Usage(format!(
                            "no case {n:?}; the cases are: {} (or a scenario .json file)",
                            crate::inject::all_names().join(", ")
                        ))
                    })?,
            ),
        };
        let n = &n;
        // A recording is the reference the model is judged by: when the machine's load made
        // the lab late or its dumps sparse (`KernelRun::disturbed`), try again and keep the
        // calmest run.
        // Stopped by Ctrl-C: the cases recorded so far stay written, and are listed.
        let done = |e: LabError| e.keep_partial(&text, i, names.len(), "cases");
        let mut c = crate::compare::compare(&sc, common).map_err(done)?;
        for _ in 1..ATTEMPTS {
            if !c.kernel.disturbed() {
                break;
            }
            let again = crate::compare::compare(&sc, common).map_err(done)?;
            if again.kernel.unrest() < c.kernel.unrest() {
                c = again;
            }
        }
        let write = |ext: &str, bytes: &[u8]| -> Result<()> {
            let p = folder.join(format!("{n}.{ext}"));
            std::fs::write(&p, bytes).ctx(|| format!("writing {}", p.display()))
        };
        write(
            "scenario.json",
            (c.kernel.scenario.to_json_pretty() + "\n").as_bytes(),
        )?;
        write("trace.json", (c.kernel.trace.to_json() + "\n").as_bytes())?;
        let pcap = folder.join(format!("{n}.pcap"));
        crate::pcap::write(&pcap, &c.kernel.pcap)?;
        if c.passes() {
            passed += 1;
        }
        text.push_str(&format!(
            "{n:<28} {} events, {} packets, lab late ≤ {:.1} ms, dumps ≤ {:.1} ms apart; model: {}\n",
            c.kernel.trace.events.len(),
            c.kernel.pcap.len(),
            c.kernel.disturbance_us as f64 / 1000.0,
            c.kernel.poll_gap_us as f64 / 1000.0,
            c.verdict()
        ));
        for w in &c.kernel.warnings {
            text.push_str(&format!("  warning: {w}\n"));
        }
    }
    text.push_str(&format!(
        "recorded {} case(s) in {}; the model agrees on {passed} of them\n",
        names.len(),
        folder.display()
    ));
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_of_shares_covers_every_case_once() {
        let all = crate::inject::all_names();
        // The drift test turns through fourteen shares; its old counts must work as well.
        for n in [3, 7, 14] {
            let mut seen: Vec<String> = (0..n)
                .flat_map(|k| share_of(all.clone(), Some((k, n))))
                .collect();
            assert!(share_of(all.clone(), Some((0, n))).len() <= all.len().div_ceil(n));
            seen.sort();
            let mut expected = all.clone();
            expected.sort();
            assert_eq!(seen, expected, "{n} shares");
        }
        assert_eq!(share_of(all.clone(), None), all);
    }
}
