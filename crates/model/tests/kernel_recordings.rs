//! The model against the real kernel, without privileges: every case recorded by
//! `synack-lab record` (tests/kernel-recordings/linux-<version>/<case>.{scenario,trace}.json)
//! is run through the model and diffed with the same code `synack-lab compare` uses
//! (`synack_model::diff`). Every case's side-by-side table is printed (`cargo test -p
//! synack-model --test kernel_recordings -- --nocapture`).
//!
//! A case must agree with the kernel, unless it is listed in `KNOWN_DEPARTURES` with the
//! differences it still shows (kernel figure vs model figure). A listed difference that no
//! longer shows fails the test too, so the list cannot go stale: when the model is fixed,
//! the entry must go.

use std::path::{Path, PathBuf};

use synack_model::diff::{self, Report, Tolerance};
use synack_model::scenario::Scenario;
use synack_model::trace::Trace;

/// (case, [(text a differing row contains, what it means: kernel vs model)]). A case listed
/// here must still differ, and show each listed difference. The texts name the *model's*
/// figures (its side of the row, or the difference), which are deterministic: re-recording
/// moves the kernel's by the machine's noise, and the entry still holds; fixing the model
/// makes it fail. Figures are from the linux-6.18 recordings (this machine: MTU 1500 → MSS
/// 1460, tcp_rmem 4096 131072 33554432 → window scale 10 and a receive space of 65536, and the
/// TUN device's 2304-byte skb for a 1448-byte segment → an skb overhead of 856; the recording
/// gives all four to the model as profile parameters).
const KNOWN_DEPARTURES: &[(&str, &[(&str, &str)])] = &[];

fn recordings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/kernel-recordings")
}

/// (kernel folder, case name) of every recording, sorted.
fn cases() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(kernels) = std::fs::read_dir(recordings()) else {
        return out;
    };
    for k in kernels.flatten() {
        let Ok(files) = std::fs::read_dir(k.path()) else {
            continue;
        };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if let Some(case) = name.strip_suffix(".scenario.json") {
                out.push((
                    k.file_name().to_string_lossy().into_owned(),
                    case.to_string(),
                    k.path(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn diff_case(dir: &Path, case: &str) -> (Scenario, Report) {
    let read = |ext: &str| {
        let p = dir.join(format!("{case}.{ext}"));
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let scenario = Scenario::from_json(&read("scenario.json"))
        .unwrap_or_else(|e| panic!("{case}.scenario.json: {e}"));
    let kernel: Trace =
        Trace::from_json(&read("trace.json")).unwrap_or_else(|e| panic!("{case}.trace.json: {e}"));
    let model = synack_model::simulate(&scenario).unwrap_or_else(|e| panic!("{case}: {e}"));
    let report = diff::diff(
        &kernel,
        &model,
        Some(scenario.limits.max_time_us),
        Tolerance::for_case(case),
    );
    (scenario, report)
}

#[test]
fn the_model_does_what_the_recorded_kernel_did_except_the_listed_departures() {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no kernel recordings under {} (run `synack-lab record` as root)",
        recordings().display()
    );
    let mut failures = Vec::new();
    let mut passed = 0;
    for (kernel, case, dir) in &cases {
        let (sc, report) = diff_case(dir, case);
        println!("== {kernel}/{case}: {}\n{}", sc.description, report.table());
        let known = KNOWN_DEPARTURES.iter().find(|(c, _)| c == case);
        match (known, report.passes()) {
            (None, true) => passed += 1,
            (None, false) => failures.push(format!(
                "{kernel}/{case}: the model departs from the kernel: {}",
                report.verdict()
            )),
            (Some(_), true) => failures.push(format!(
                "{kernel}/{case}: the model now agrees with the kernel; remove the case from \
                 KNOWN_DEPARTURES"
            )),
            (Some((_, listed)), false) => {
                for (text, meaning) in listed.iter() {
                    let shown = report.rows.iter().filter(|r| !r.agrees()).any(|r| {
                        format!(
                            "{} | {} | {}",
                            r.kernel.as_deref().unwrap_or("—"),
                            r.model.as_deref().unwrap_or("—"),
                            r.differences.join("; ")
                        )
                        .contains(text)
                    });
                    if !shown {
                        failures.push(format!(
                            "{kernel}/{case}: no longer shows {text:?} ({meaning}); remove it \
                             from KNOWN_DEPARTURES"
                        ));
                    }
                }
            }
        }
    }
    println!(
        "{passed} of {} recorded cases pass; {} listed as known departures",
        cases.len(),
        KNOWN_DEPARTURES.len()
    );
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn every_known_departure_names_a_recorded_case() {
    let cases = cases();
    for (case, listed) in KNOWN_DEPARTURES {
        assert!(
            cases.iter().any(|(_, c, _)| c == case),
            "KNOWN_DEPARTURES lists {case:?}, which has no recording"
        );
        assert!(!listed.is_empty(), "{case}: list what still differs");
    }
}
