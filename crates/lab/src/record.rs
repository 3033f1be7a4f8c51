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
use crate::error::{LabError, Result};

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

/// The scenario file of the recording `name` in any kernel's folder under `dir`
/// (`linux-6.18/name.scenario.json`), the first in folder order.
pub fn recording_file(dir: &Path, name: &str) -> Option<PathBuf> {
    if name.is_empty() || name.contains(['/', '\\']) || name.ends_with(".json") {
        return None;
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    folders
        .into_iter()
        .map(|f| f.join(format!("{name}.scenario.json")))
        .find(|f| f.is_file())
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

/// The scenarios recorded from files (`record FILE.json`: an `explore` find, say) in a kernel's
/// folder, as paths to their `.scenario.json`, sorted: every recording whose name is not one of
/// the lab's `named` cases. Re-recording all cases must re-record these too, or the drift test
/// would never look at them again (the scenario as run is what they were recorded from).
fn recorded_from_files(folder: &Path, named: &[String]) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(folder)
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let file = e.file_name().to_string_lossy().into_owned();
                    let stem = file.strip_suffix(".scenario.json")?;
                    (!named.iter().any(|n| n == stem))
                        .then(|| e.path().to_string_lossy().into_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A case as `record` is given it: a name that is no named case but a recording made from a
/// file (`record FILE.json`) in this kernel's `folder` stands for that recording's scenario
/// file, so that what a recording is called records it again (the drift test records once more,
/// by name, the cases that drifted); anything else is kept as given.
fn file_of_name(case: &str, folder: &Path) -> String {
    let file = folder.join(format!("{case}.scenario.json"));
    if case.ends_with(".json") || !file.is_file() || crate::inject::named(case).is_some() {
        return case.to_string();
    }
    file.to_string_lossy().into_owned()
}

/// The name a scenario file is recorded under: its file name without `.json`, and without
/// `.scenario` when it is a recording's own scenario (re-recorded under the same name).
fn name_of_file(path: &str) -> String {
    let stem = path.strip_suffix(".json").unwrap_or(path);
    let file = Path::new(stem)
        .file_name()
        .map_or_else(|| stem.to_string(), |f| f.to_string_lossy().into_owned());
    file.strip_suffix(".scenario")
        .map_or(file.clone(), str::to_string)
}

/// Records `cases` (when empty: every named case, then the scenarios the repository's
/// recordings for this kernel were recorded from files; or only the `share` K/N of those: the
/// ones whose place in that list is K modulo N); returns the text summary and the `--json`
/// report (each case's files, its run, and the runs set aside).
pub fn run(
    dir: Option<&Path>,
    cases: &[String],
    share: Option<(usize, usize)>,
    common: &Common,
) -> Result<(String, serde_json::Value)> {
    let base = dir.map(Path::to_path_buf).unwrap_or_else(default_dir);
    let folder = base.join(kernel_folder(&crate::session::kernel_release()));
    let made_base = crate::outfile::folder(&base, "--dir")?;
    let made = crate::outfile::folder(&folder, "--dir")?;
    let checked_in = default_dir().join(kernel_folder(&crate::session::kernel_release()));
    let names: Vec<String> = if cases.is_empty() {
        let named = crate::inject::all_names();
        let files = recorded_from_files(&checked_in, &named);
        share_of(named.into_iter().chain(files).collect(), share)
    } else {
        cases.iter().map(|n| file_of_name(n, &checked_in)).collect()
    };
    let mut text = String::new();
    let mut passed = 0;
    let mut results = Vec::new();
    for (i, n) in names.iter().enumerate() {
        // A scenario file (an `explore` find, say) is recorded under its file name.
        let (n, sc) = if n.ends_with(".json") {
            (
                name_of_file(n),
                crate::compare::read_scenario(Path::new(n))?,
            )
        } else {
            let sc = crate::inject::named(n).ok_or_else(|| {
                LabError::Usage(crate::sweep::refusal(n).unwrap_or_else(|| {
                    crate::compare::unknown_case(n, &crate::inject::all_names())
                }))
            })?;
            (n.clone(), sc)
        };
        let n = &n;
        // A recording is the reference the model is judged by: a run the machine's load bent
        // (`KernelRun::disturbed`) is run again and the calmest kept, as `explore` does.
        // Stopped by Ctrl-C: the cases recorded so far stay written, and are listed.
        let calm = crate::compare::calmest(|| {
            crate::compare::compare(&sc, common).map_err(|e| {
                e.keep_partial(&text, i, names.len(), "cases")
                    .with_json(|| report(&folder, &results, passed))
            })
        })?;
        let c = &calm.kept;
        // The recording's three files, named one way for writing and for the report.
        let path = |ext: &str| folder.join(format!("{n}.{ext}"));
        let write = |ext: &str, bytes: &[u8]| crate::outfile::write_bytes(&path(ext), bytes);
        write(
            "scenario.json",
            (c.kernel.scenario.to_json_pretty() + "\n").as_bytes(),
        )?;
        write("trace.json", (c.kernel.trace.to_json() + "\n").as_bytes())?;
        crate::pcap::write(&path("pcap"), &c.kernel.pcap)?;
        if c.passes() {
            passed += 1;
        }
        text.push_str(&format!(
            "{n:<28} {} events, {} packets, lab late ≤ {:.1} ms, dumps ≤ {:.1} ms apart; model: {}{}\n",
            c.kernel.trace.events.len(),
            c.kernel.pcap.len(),
            c.kernel.disturbance_us as f64 / 1000.0,
            c.kernel.poll_gap_us as f64 / 1000.0,
            c.verdict(),
            calm.note()
        ));
        for w in &c.kernel.warnings {
            text.push_str(&format!("  warning: {w}\n"));
        }
        let files = ["scenario.json", "trace.json", "pcap"]
            .map(|ext| path(ext).to_string_lossy().into_owned());
        results.push(serde_json::json!({
            "case": n,
            "files": files,
            "events": c.kernel.trace.events.len(),
            "packets": c.kernel.pcap.len(),
            "passes": c.passes(),
            "verdict": c.verdict(),
            "lab_late_us": c.kernel.disturbance_us,
            "poll_gap_us": c.kernel.poll_gap_us,
            "late_listen": c.kernel.late_listen,
            "set_aside": calm.set_aside,
            "warnings": c.kernel.warnings,
        }));
    }
    text.push_str(&format!(
        "recorded {} case(s) in {}; the model agrees on {passed} of them\n",
        names.len(),
        folder.display()
    ));
    made.kept();
    made_base.kept();
    Ok((text, report(&folder, &results, passed)))
}

/// `record --json`'s report of the cases written so far (all, or those before a Ctrl-C).
fn report(folder: &Path, results: &[serde_json::Value], passed: usize) -> serde_json::Value {
    serde_json::json!({
        "folder": folder.to_string_lossy(),
        "recorded": results.len(),
        "model_agrees": passed,
        "results": results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_is_found_by_its_name_in_the_repository_and_a_typo_gets_the_near_cases() {
        let dir = default_dir();
        let found = recording_file(&dir, "handshake-normal").unwrap();
        assert!(
            found.ends_with("linux-6.18/handshake-normal.scenario.json"),
            "{found:?}"
        );
        assert!(
            crate::compare::scenario_of("reno-grows-cwnd-only-when-the-window-was-used").is_ok()
        );
        for not in ["", "../handshake-normal", "handshake-normal.json", "nope"] {
            assert_eq!(recording_file(&dir, not), None, "{not}");
        }
        let cases = crate::inject::all_names();
        let said = crate::compare::unknown_case("handshak-normal", &cases);
        assert!(said.contains("did you mean handshake-normal,"), "{said}");
        assert!(!said.contains("teardown"), "{said}");
        // Nothing near: every case, so that the user can still find one.
        let said = crate::compare::unknown_case("zzz", &cases);
        assert!(said.contains("teardown-client-first"), "{said}");
        // An empty name is near nothing (every name contains ""): the whole list, no guesses.
        let said = crate::compare::unknown_case("", &cases);
        assert!(!said.contains("did you mean"), "{said}");
        assert!(said.contains("teardown-client-first"), "{said}");
    }

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

    #[test]
    fn recording_all_cases_takes_in_the_scenarios_recorded_from_files() {
        let named = crate::inject::all_names();
        let folder = default_dir().join("linux-6.18");
        let files = recorded_from_files(&folder, &named);
        // `record FILE.json` recordings are checked in (explore's finds among them), and none
        // is a named case under another spelling.
        assert!(
            files
                .iter()
                .any(|f| f.ends_with("fast-path-data-does-not-push-held-data.scenario.json")),
            "{files:?}"
        );
        for f in &files {
            let name = name_of_file(f);
            assert!(!named.contains(&name), "{name} is a named case");
            assert!(
                folder.join(format!("{name}.trace.json")).is_file(),
                "{name}"
            );
            crate::compare::read_scenario(Path::new(f)).unwrap();
        }
        assert!(!files.iter().any(|f| name_of_file(f) == "handshake"));
    }

    #[test]
    fn a_recording_made_from_a_file_is_recorded_again_by_its_name() {
        let folder = default_dir().join("linux-6.18");
        let name = "the-icmp-rate-limit-counts-whole-jiffies";
        let file = file_of_name(name, &folder);
        assert!(file.ends_with(&format!("{name}.scenario.json")), "{file}");
        assert_eq!(name_of_file(&file), name);
        // A named case, a file and an unknown name are kept as given.
        assert_eq!(
            file_of_name("handshake-normal", &folder),
            "handshake-normal"
        );
        assert_eq!(
            file_of_name("x/explore-1.json", &folder),
            "x/explore-1.json"
        );
        assert_eq!(file_of_name("no-such-case", &folder), "no-such-case");
    }

    #[test]
    fn a_scenario_file_is_recorded_under_its_name() {
        assert_eq!(
            name_of_file("/tmp/keep/explore-600-2.json"),
            "explore-600-2"
        );
        assert_eq!(
            name_of_file(
                "tests/kernel-recordings/linux-6.18/syn-lost-twice-cwnd-one.scenario.json"
            ),
            "syn-lost-twice-cwnd-one"
        );
        assert_eq!(name_of_file("plain.json"), "plain");
    }
}
