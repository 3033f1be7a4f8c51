//! `compare <case>`: one scenario, run by this kernel (`runner`) and by the model
//! (`synack_model::simulate`), judged by the model's strict differential
//! (`synack_model::diff`): every segment, state change and call, times within 5 % or 10 ms
//! from the first segment. Prints the side-by-side table and a verdict; exit status 1 on any
//! difference. `compare all` runs every case of `cases` and ends with "N of M cases pass".
//! A path to a scenario file (docs/scenario-format.md) is a case too.

use serde::Serialize;
use synack_model::diff::{self, Report, Tolerance};
use synack_model::scenario::Scenario;
use synack_model::trace::Trace;

use crate::cli::Common;
use crate::error::{Context, LabError, Result};
use crate::runner::{self, Machine};

#[derive(Serialize)]
struct CaseResult {
    case: String,
    description: String,
    passes: bool,
    verdict: String,
    machine: Machine,
    /// How late the lab itself ran at worst, µs (the machine's load; see `runner`).
    lab_late_us: u64,
    /// The longest gap between two sock_diag dumps, µs.
    poll_gap_us: u64,
    scenario: Scenario,
    /// A scripted peer's failed expectation, per side ("kernel: script of …").
    script_failures: Vec<String>,
    report: Report,
}

/// One compared case: the kernel's and the model's traces and the report.
pub struct Compared {
    pub kernel: runner::KernelRun,
    pub model: Trace,
    pub report: Report,
    /// The scripted peer's first failed expectation on each side that failed one, as
    /// "kernel: script of \"server\", lines\[3\]: expected … got …" (then "model: …").
    pub script_failures: Vec<String>,
}

impl Compared {
    /// The kernel and the model agree, and both did what the script expects.
    pub fn passes(&self) -> bool {
        self.report.passes() && self.script_failures.is_empty()
    }

    /// The first differing row as one line ("segment: kernel … | model … (why)"), or the
    /// first failed expectation of a scripted peer.
    pub fn first_difference(&self) -> Option<String> {
        self.report
            .rows
            .iter()
            .find(|r| !r.agrees())
            .map(|r| {
                format!(
                    "{}: kernel {} | model {} ({})",
                    r.what,
                    r.kernel.as_deref().unwrap_or("-"),
                    r.model.as_deref().unwrap_or("-"),
                    r.differences.join("; ")
                )
            })
            .or_else(|| self.script_failures.first().cloned())
    }

    pub fn verdict(&self) -> String {
        match self.script_failures.first() {
            Some(f) => format!("SCRIPT FAILED: {f}"),
            None => self.report.verdict(),
        }
    }
}

/// How many times [`calmest`] runs a scenario at most while the machine's load bends its
/// runs.
pub const CALM_ATTEMPTS: usize = 3;

/// A run of a scenario set aside because the machine's load bent it
/// (`KernelRun::disturbed`), and how.
#[derive(Clone, Debug, Serialize)]
pub struct SetAside {
    /// Whether that run agreed with the model.
    pub passes: bool,
    /// How late the lab ran at worst, µs.
    pub lab_late_us: u64,
    /// The longest gap between two sock_diag dumps, µs.
    pub poll_gap_us: u64,
    /// A listen() that returned after the SYN it was due to meet drew a RST.
    pub late_listen: Option<runner::LateListen>,
}

impl SetAside {
    fn of(c: &Compared) -> SetAside {
        SetAside {
            passes: c.passes(),
            lab_late_us: c.kernel.disturbance_us,
            poll_gap_us: c.kernel.poll_gap_us,
            late_listen: c.kernel.late_listen.clone(),
        }
    }

    /// "differed: listen() 31.2 ms late, after its first SYN; the lab 2.3 ms late".
    fn describe(&self) -> String {
        let mut how = Vec::new();
        if let Some(l) = &self.late_listen {
            how.push(format!(
                "listen() {:.1} ms late, after its first SYN",
                l.returned_us.saturating_sub(l.due_us) as f64 / 1000.0
            ));
        }
        if self.lab_late_us > runner::DISTURBED_US {
            how.push(format!(
                "the lab {:.1} ms late",
                self.lab_late_us as f64 / 1000.0
            ));
        }
        if self.poll_gap_us > runner::POLL_GAP_US {
            how.push(format!(
                "dumps {:.1} ms apart",
                self.poll_gap_us as f64 / 1000.0
            ));
        }
        format!(
            "{}: {}",
            if self.passes { "agreed" } else { "differed" },
            how.join("; ")
        )
    }
}

/// What [`calmest`] kept, and the runs it set aside, in the order it set them aside.
pub struct Calmest {
    pub kept: Compared,
    pub set_aside: Vec<SetAside>,
}

impl Calmest {
    /// The note after a scenario's line, empty when its first run was calm: " (run 2 times;
    /// set aside: differed: the lab 62.6 ms late)", and when every run was bent, how the
    /// one kept was.
    pub fn note(&self) -> String {
        let mut parts = Vec::new();
        if !self.set_aside.is_empty() {
            parts.push(format!(
                "run {} times; set aside: {}",
                self.set_aside.len() + 1,
                self.set_aside
                    .iter()
                    .map(SetAside::describe)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        if self.kept.kernel.disturbed() {
            parts.push(format!(
                "the run kept is bent too, {}",
                SetAside::of(&self.kept).describe()
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join("; "))
        }
    }
}

/// Runs a scenario (`run`: one [`compare`] of it) until a run is not disturbed
/// (`KernelRun::disturbed`: the lab late, its dumps sparse, or a listen() that missed its
/// first SYN), [`CALM_ATTEMPTS`] runs at most, and keeps the first undisturbed run or else
/// the calmest (`KernelRun::unrest`). What a bent run shows is the machine's load, whether
/// it agrees with the model or not, and a recording made from one is a worse reference: so
/// `explore` judges a scenario, and `record` writes a recording, by the run kept here, and
/// both say which runs were set aside. Agreement does not end the reruns: a run 20 ms late
/// may agree within the tolerance by chance, and a recording from it moves every time.
pub fn calmest(mut run: impl FnMut() -> Result<Compared>) -> Result<Calmest> {
    let mut kept = run()?;
    let mut set_aside = Vec::new();
    while kept.kernel.disturbed() && set_aside.len() + 1 < CALM_ATTEMPTS {
        let again = run()?;
        let calmer = (again.kernel.disturbed(), again.kernel.unrest())
            < (kept.kernel.disturbed(), kept.kernel.unrest());
        let out = if calmer {
            std::mem::replace(&mut kept, again)
        } else {
            again
        };
        set_aside.push(SetAside::of(&out));
    }
    Ok(Calmest { kept, set_aside })
}

/// The scenario a case name (or a scenario file) stands for.
pub fn scenario_of(case: &str) -> Result<Scenario> {
    if let Some(sc) = crate::inject::named(case) {
        return Ok(sc);
    }
    // No case or recording name holds a '/', so a name that does is a path, and a missing
    // one is "no such file", not a list of 200 cases.
    if case.ends_with(".json") || case.contains('/') {
        return read_scenario(std::path::Path::new(case));
    }
    // A checked-in recording's name stands for its scenario, as `record` takes it.
    if let Some(path) = crate::record::recording_file(&crate::record::default_dir(), case) {
        return read_scenario(&path);
    }
    // A file or folder by another name (`scenario.txt`, `/dev/stdin`, `finds/`) is what the
    // user meant, not a case: its own message, not the list of cases.
    if std::path::Path::new(case).exists() {
        return read_scenario(std::path::Path::new(case));
    }
    if let Some(why) = crate::sweep::refusal(case) {
        return Err(LabError::Usage(why));
    }
    Err(LabError::Usage(unknown_case(
        case,
        &crate::inject::all_names(),
    )))
}

/// What `compare` and `record` say of a name that is neither a case nor a recording: the
/// cases it may have meant (names containing it, or sharing its first word), else every
/// case. A list of 200 names is no answer to a typo.
pub fn unknown_case(name: &str, cases: &[String]) -> String {
    let first = name.split(['-', '+']).next().unwrap_or(name);
    let near: Vec<&str> = cases
        .iter()
        .map(String::as_str)
        .filter(|c| {
            (!name.is_empty() && c.contains(name)) || (first.len() >= 3 && c.starts_with(first))
        })
        .take(8)
        .collect();
    if near.is_empty() {
        format!(
            "no case or recording {name:?}; the cases are: all, {} (or a scenario .json file)",
            cases.join(", ")
        )
    } else {
        format!(
            "no case or recording {name:?}; did you mean {}? (one of {} cases, a recording's name, or a scenario .json file)",
            near.join(", "),
            cases.len()
        )
    }
}

/// The largest scenario file read, bytes. The scenarios of docs/examples are a few KB; half a
/// million steps take about 14 MB (a million: 28 MB, which `sim` ran to its event budget in
/// 420 MB). Anything longer (a scenario of 10^7 steps, a multi-GB file, /dev/zero, a pipe that
/// never ends) is refused after reading this much, before it costs more memory.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// A scenario file, read with a bound on its size and checked against the documented ranges.
pub fn read_scenario(path: &std::path::Path) -> Result<Scenario> {
    use std::io::Read as _;
    let shown = path.display();
    // Open(2) succeeds on a directory; read(2) would then say only "Is a directory".
    if path.is_dir() {
        return Err(LabError::Usage(format!(
            "{shown} is a directory; give a scenario .json file"
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LabError::Usage(format!("{shown}: no such file")),
        _ => LabError::Io {
            what: format!("opening {shown}"),
            source: e,
        },
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .ctx(|| format!("reading {shown}"))?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(LabError::Usage(format!(
            "{shown}: longer than {} MiB, which no scenario needs (half a million steps take \
             about 14 MB); not read further",
            MAX_SCENARIO_BYTES >> 20
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| LabError::Usage(format!("{shown}: not UTF-8 text ({e})")))?;
    // serde reads a JSON array as a struct's fields in order, so `[1, 2]` or 100,000 `[`
    // would be answered with "expected a string at column 2": say what the file should be.
    match text.trim_start().chars().next() {
        Some('{') => {}
        None => {
            return Err(LabError::Usage(format!(
                "{shown} is empty; a scenario is one JSON object {{…}} (docs/scenario-format.md)"
            )))
        }
        Some(c) => {
            return Err(LabError::Usage(format!(
                "{shown}: a scenario is one JSON object {{…}} (docs/scenario-format.md); this file starts with {c:?}"
            )))
        }
    }
    let sc = Scenario::from_json(&text).map_err(|e| LabError::Usage(format!("{shown}: {e}")))?;
    sc.validate()
        .map_err(|e| LabError::Usage(format!("{shown}: {e}")))?;
    Ok(sc)
}

/// Runs one scenario on the kernel and in the model and diffs them.
pub fn compare(sc: &Scenario, common: &Common) -> Result<Compared> {
    // Every number within its documented range before any sysctl is written (a sweep point
    // or `case+axis=value` names any value).
    sc.validate()
        .map_err(|e| LabError::Usage(format!("scenario {:?}: {e}", sc.name)))?;
    let (fitted, watched) = runner::fit_horizon(sc)?;
    let sc = fitted.as_ref().unwrap_or(sc);
    let mut kernel = runner::run(sc, common)?;
    kernel.warnings.extend(watched);
    // Run to the end as `simulate` does, but keep the trace when a scripted peer's expectation
    // fails (it is cut there), so the table shows how far the model got.
    let mut sim = synack_model::sim::Sim::new(&kernel.scenario)
        .map_err(|e| LabError::Usage(format!("the model refused the scenario: {e}")))?;
    while sim.advance(usize::MAX) == synack_model::sim::RunState::Running {}
    let model_failure = sim.script_failure().cloned();
    let model = sim.finish();
    let report = diff::diff(
        &kernel.trace,
        &model,
        Some(kernel.scenario.limits.max_time_us),
        Tolerance::for_case(&sc.name),
    );
    let script_failures = [
        ("kernel", &kernel.script_failure),
        ("model", &model_failure),
    ]
    .into_iter()
    .filter_map(|(side, f)| f.as_ref().map(|f| format!("{side}: {f}")))
    .collect();
    Ok(Compared {
        kernel,
        model,
        report,
        script_failures,
    })
}

/// `compare`: returns the text, the JSON summary, whether every case passed, and (for one
/// case) its kernel trace, pcap and model trace for `--out`/`--pcap`.
pub fn run(
    case: &str,
    common: &Common,
) -> Result<(String, serde_json::Value, bool, Option<Compared>)> {
    let names: Vec<String> = if case == "all" {
        if common.out.is_some() || common.pcap.is_some() {
            return Err(LabError::Usage(
                "--out/--pcap take one case; `synack-lab record` writes every case's files".into(),
            ));
        }
        crate::inject::all_names()
    } else {
        vec![case.to_string()]
    };
    let mut text = String::new();
    let mut results = Vec::new();
    let mut last = None;
    for n in &names {
        let sc = scenario_of(n)?;
        let c = compare(&sc, common).map_err(|e| {
            if names.len() > 1 {
                e.keep_partial(&text, results.len(), names.len(), "cases")
                    .with_json(|| report_json(&results))
            } else {
                e
            }
        })?;
        let m = &c.kernel.machine;
        text.push_str(&format!(
            "== {n}: {}\n   Linux {} vs the model (Linux profile); machine: MTU {} → MSS {}, \
             tcp_rmem {:?}, rmem_max {} → window scale {}\n",
            sc.description, m.kernel, m.mtu, m.mss, m.tcp_rmem, m.rmem_max, m.window_scale
        ));
        // The machine above is the client namespace's; a host whose own namespace measured
        // otherwise (`runner::machines_into`) says so.
        let own: Vec<String> = c
            .kernel
            .scenario
            .hosts
            .iter()
            .filter_map(|h| {
                let mut v = Vec::new();
                match h.tuning.window_scale {
                    Some(Some(s)) => v.push(format!("window scale {s}")),
                    Some(None) => v.push("no window scaling".to_string()),
                    None => {}
                }
                if let Some(b) = h.tuning.recv_buffer {
                    v.push(format!("recv_buffer {b}"));
                }
                (!v.is_empty()).then(|| format!("{} {}", h.name, v.join(", ")))
            })
            .collect();
        if !own.is_empty() {
            text.push_str(&format!("   per host: {}\n", own.join("; ")));
        }
        for w in &c.kernel.warnings {
            text.push_str(&format!("   warning: {w}\n"));
        }
        text.push_str(&c.report.table());
        for f in &c.script_failures {
            text.push_str(&format!("   SCRIPT FAILED on the {f}\n"));
        }
        text.push('\n');
        results.push(CaseResult {
            case: n.clone(),
            description: sc.description.clone(),
            passes: c.passes(),
            verdict: c.verdict(),
            script_failures: c.script_failures.clone(),
            machine: c.kernel.machine.clone(),
            lab_late_us: c.kernel.disturbance_us,
            poll_gap_us: c.kernel.poll_gap_us,
            scenario: c.kernel.scenario.clone(),
            report: c.report.clone(),
        });
        last = Some(c);
    }
    let passed = results.iter().filter(|r| r.passes).count();
    let all = passed == results.len();
    if results.len() > 1 {
        text.push_str("verdicts:\n");
        for r in &results {
            text.push_str(&format!("  {:<28} {}\n", r.case, r.verdict));
        }
    }
    text.push_str(&format!(
        "{passed} of {} case(s) pass: kernel and model {}\n",
        results.len(),
        if all {
            "agree"
        } else if results.iter().any(|r| !r.script_failures.is_empty()) {
            "differ, or broke a script"
        } else {
            "differ"
        }
    ));
    let json = report_json(&results);
    Ok((text, json, all, if names.len() == 1 { last } else { None }))
}

/// `compare --json`'s report of the cases in `results`.
fn report_json(results: &[CaseResult]) -> serde_json::Value {
    serde_json::json!({
        "passed": results.iter().filter(|r| r.passes).count(),
        "cases": results.len(),
        "tolerance": Tolerance::default(),
        "wider_tolerances": diff::WIDER_TOLERANCES
            .iter()
            .map(|(case, t, why)| serde_json::json!({"case": case, "tolerance": t, "why": why}))
            .collect::<Vec<_>>(),
        "results": results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// handshake-normal as the lab would have run it `late_us` late (`poll_gap_us` between
    /// dumps), the model standing in for the kernel, and the model's own run beside it.
    fn run_of(late_us: u64, poll_gap_us: u64) -> Compared {
        let sc = crate::cases::scenario("handshake-normal").expect("a case");
        let mut kernel = runner::stand_in_run(&sc, &[]);
        kernel.disturbance_us = late_us;
        kernel.poll_gap_us = poll_gap_us;
        let model = synack_model::simulate(&sc).unwrap();
        let report = diff::diff(&kernel.trace, &model, None, Tolerance::default());
        Compared {
            kernel,
            model,
            report,
            script_failures: Vec::new(),
        }
    }

    /// `calmest` over runs handed out in this order; also how many it asked for.
    fn calmest_of(runs: Vec<Compared>) -> (Calmest, usize) {
        let mut runs = runs.into_iter();
        let mut asked = 0;
        let calm = calmest(|| {
            asked += 1;
            Ok(runs.next().expect("no more runs than CALM_ATTEMPTS"))
        })
        .unwrap();
        (calm, asked)
    }

    #[test]
    fn a_bent_run_is_run_again_until_a_calm_one_and_the_runs_set_aside_are_said() {
        // A calm first run is the only one.
        let (calm, asked) = calmest_of(vec![run_of(1_500, 9_000)]);
        assert_eq!((asked, calm.set_aside.len()), (1, 0));
        assert_eq!(calm.note(), "");
        // Bent, bent, calm: the calm one is kept though it came last, agreeing or not.
        let (calm, asked) = calmest_of(vec![run_of(62_600, 0), run_of(0, 12_000), run_of(300, 0)]);
        assert_eq!(asked, CALM_ATTEMPTS);
        assert_eq!(calm.kept.kernel.disturbance_us, 300);
        assert_eq!(
            calm.note(),
            " (run 3 times; set aside: agreed: the lab 62.6 ms late | agreed: dumps 12.0 ms apart)"
        );
        // Bent every time: no fourth run; the calmest is kept and the note says it is bent.
        let (calm, asked) = calmest_of(vec![run_of(9_000, 0), run_of(4_000, 0), run_of(30_000, 0)]);
        assert_eq!(asked, CALM_ATTEMPTS);
        assert_eq!(calm.kept.kernel.disturbance_us, 4_000);
        let lates: Vec<u64> = calm.set_aside.iter().map(|s| s.lab_late_us).collect();
        assert_eq!(lates, [9_000, 30_000]);
        assert!(
            calm.note()
                .ends_with("; the run kept is bent too, agreed: the lab 4.0 ms late)"),
            "{}",
            calm.note()
        );
    }
}
