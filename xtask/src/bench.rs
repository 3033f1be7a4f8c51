//! `cargo xtask bench`: the project's benchmarks. They print figures and never pass or fail on
//! timing; the command fails only when a benchmark could not run at all.
//!
//! 1. model, native: `cargo run --profile bench -p synack-model --example bench` (simulated
//!    events/s), plus the harness workload of `xtask/bench-wasm` natively.
//! 2. model, wasm: the same harness workload compiled to wasm32 and run in headless Chromium by
//!    wasm-bindgen-test (`xtask/bench-wasm/tests/model.rs`), timed with `performance.now()`;
//!    prints the native/wasm ratio.
//! 3. web: first diagram frame after navigation and rAF frame times during playback
//!    (`e2e/bench/frames.mjs`, Playwright on the release build).
//! 4. knobs: from a slider's or the case menu's change to the painted frame, on every scene, and
//!    JS heap plus wasm memory after a minute of playback and 100 knob changes
//!    (`e2e/bench/knobs.mjs`).
//! 5. capture: read + analysis throughput and peak memory against tshark
//!    (`cargo run --profile bench -p synack-capture --example read_bench`), on the default
//!    100,000-packet file and on the 200 MB, 1.5 M-packet one (`-- 1500000 FILE 94`); then
//!    opening captures in the page (`e2e/bench/open.mjs`, `e2e/bench/open-big.mjs`: the 200 MB
//!    file's progress bar and the tab's peak memory).
//!

use std::io;
use std::time::Instant;

use crate::cmd::human;
use crate::setup::Ctx;
use crate::test::{self, WASM_TARGET};

type Bench = fn(&Ctx) -> io::Result<Outcome>;

/// Every benchmark: the part name that selects it (`cargo xtask bench model`), its title, and
/// the function. The model's native run comes first: the wasm run prints the ratio to it.
const BENCHES: [(&str, &str, Bench); 7] = [
    ("model", "model, native", model_native),
    ("model", "model, wasm in headless Chromium", model_wasm),
    ("frames", "web frame times (Playwright)", web_frames),
    ("knobs", "instant knobs and memory (Playwright)", web_knobs),
    ("capture", "capture read + analysis", capture),
    (
        "capture",
        "open a 100,000-packet capture in the page",
        open_page,
    ),
    (
        "capture",
        "open a 200 MB, 1.5 M-packet capture in the page",
        open_big_page,
    ),
];

pub fn part_ids() -> Vec<&'static str> {
    let mut ids: Vec<&str> = BENCHES.iter().map(|b| b.0).collect();
    ids.dedup();
    ids
}

/// Runs the benchmarks of the parts named in `only` (all when empty).
pub fn run(ctx: &Ctx, only: &[String]) -> io::Result<bool> {
    let benches: Vec<(&str, Bench)> = BENCHES
        .iter()
        .filter(|(part, ..)| only.is_empty() || only.iter().any(|o| o == part))
        .map(|&(_, title, bench)| (title, bench))
        .collect();
    let mut ok = true;
    let mut rows = Vec::new();
    for (i, (title, bench)) in benches.iter().enumerate() {
        println!();
        println!("━━━ [{}/{}] bench: {title} ━━━", i + 1, benches.len());
        let t = Instant::now();
        let outcome = bench(ctx).unwrap_or_else(|e| Outcome::Failed(e.to_string()));
        let took = human(t.elapsed());
        let verdict = match &outcome {
            Outcome::Ran => "ran".to_owned(),
            Outcome::Failed(why) => {
                ok = false;
                format!("FAILED: {why}")
            }
        };
        println!("─── {verdict} ({took})");
        rows.push((title, verdict));
    }
    println!();
    println!("━━━ bench summary (figures above) ━━━");
    for (title, verdict) in rows {
        println!("{title:<36} {verdict}");
    }
    Ok(ok)
}

enum Outcome {
    Ran,
    Failed(String),
}

fn status(ok: bool, what: &str) -> Outcome {
    if ok {
        Outcome::Ran
    } else {
        Outcome::Failed(format!("{what} failed (see above)"))
    }
}

/// The model benchmarks build with Cargo's `bench` profile: the release settings at
/// `opt-level = 3` (root Cargo.toml). The shipped web app is built for size (`opt-level = "z"`);
/// the model's speed is judged at the level a native user of the crate would build with, and the
/// native and wasm figures use the same level so their ratio compares like with like.
const PROFILE: &str = "bench";

fn model_native(ctx: &Ctx) -> io::Result<Outcome> {
    // The model crate's own benchmark: bulk transfer under 10 % loss, 4 MB × 20 runs, with
    // events per wall-clock second and per CPU-second (meaningful on a busy machine).
    let own = run_example(ctx, "synack-model", "bench", &[])?;
    // The harness workload natively: the same code as the wasm run, for the ratio.
    let harness = run_example(ctx, "synack-bench-wasm", "native", &[])?;
    if let Some(rate) = model_rate(&harness.text, "native") {
        remember_native_rate(ctx, rate);
    }
    Ok(status(own.ok() && harness.ok(), "a native model benchmark"))
}

fn run_example(
    ctx: &Ctx,
    package: &str,
    example: &str,
    args: &[&str],
) -> io::Result<crate::cmd::Output> {
    ctx.cargo()
        .args([
            "run",
            "--profile",
            PROFILE,
            "-p",
            package,
            "--example",
            example,
            "--",
        ])
        .args(args)
        .run_tee()
}

fn model_wasm(ctx: &Ctx) -> io::Result<Outcome> {
    let out = wasm_bench(ctx, "model")?;
    let wasm = model_rate(&out.text, "wasm, headless Chromium");
    match (wasm, recall_native_rate(ctx)) {
        (Some(w), Some(n)) => println!(
            "model bench ratio: native / wasm = {:.2} (wasm runs at {:.0} % of native speed; \
             the target is a ratio of at most 2)",
            n / w,
            100.0 * w / n
        ),
        (Some(_), None) => println!("model bench ratio: no native figure from this run"),
        _ => {}
    }
    Ok(status(
        out.ok() && wasm.is_some(),
        "the wasm model benchmark",
    ))
}

/// The events/s figure of the line `model bench [<where_>]: … = N events/s`.
fn model_rate(text: &str, where_: &str) -> Option<f64> {
    let prefix = format!("model bench [{where_}]:");
    let line = text.lines().find(|l| l.contains(&prefix))?;
    let (_, tail) = line.rsplit_once("= ")?;
    tail.strip_suffix(" events/s")?.trim().parse().ok()
}

/// The native figure is handed to the wasm step through a file, so `cargo xtask bench` with its
/// steps in order prints the ratio without the steps sharing state in code.
fn rate_file(ctx: &Ctx) -> std::path::PathBuf {
    ctx.root.join("target/bench-model-native-rate.txt")
}

fn remember_native_rate(ctx: &Ctx, rate: f64) {
    let _ = std::fs::write(rate_file(ctx), rate.to_string());
}

fn recall_native_rate(ctx: &Ctx) -> Option<f64> {
    std::fs::read_to_string(rate_file(ctx))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn web_frames(ctx: &Ctx) -> io::Result<Outcome> {
    page_bench(ctx, "e2e/bench/frames.mjs", "the frame-time benchmark")
}

fn web_knobs(ctx: &Ctx) -> io::Result<Outcome> {
    page_bench(ctx, "e2e/bench/knobs.mjs", "the knob and memory benchmark")
}

fn open_page(ctx: &Ctx) -> io::Result<Outcome> {
    page_bench(ctx, "e2e/bench/open.mjs", "the open-a-capture benchmark")
}

fn open_big_page(ctx: &Ctx) -> io::Result<Outcome> {
    page_bench(
        ctx,
        "e2e/bench/open-big.mjs",
        "the 200 MB capture benchmark",
    )
}

/// A Playwright benchmark script against a fresh release build, served on a free port. Always
/// rebuilt: a figure measured on a stale dist/ would be a figure of some other code.
fn page_bench(ctx: &Ctx, script: &str, what: &str) -> io::Result<Outcome> {
    if !test::trunk_build(ctx)? {
        return Ok(Outcome::Failed("trunk build --release".into()));
    }
    let (_server, url) = test::static_server(ctx)?;
    let out = ctx
        .cmd("node")
        .arg(script)
        .env("SYNACK_BASE_URL", &url)
        .run_tee()?;
    Ok(status(out.ok(), what))
}

fn capture(ctx: &Ctx) -> io::Result<Outcome> {
    // Read + analysis throughput against `tshark -q -z conv,tcp` on the same file, same run.
    let native = run_example(ctx, "synack-capture", "read_bench", &[])?;
    // #21's file: 200 MB in 1.5 M packets (94-byte segments), where per-packet memory counts.
    let big = std::env::temp_dir().join("synack-bench-1500000-94.pcap");
    let big_arg = big.to_string_lossy().into_owned();
    let native_big = run_example(
        ctx,
        "synack-capture",
        "read_bench",
        &["1500000", &big_arg, "94"],
    )?;
    let _ = std::fs::remove_file(&big);
    // The same reader as wasm in headless Chromium (what the #/open page's worker runs).
    let wasm = wasm_bench(ctx, "capture")?;
    Ok(status(
        native.ok() && native_big.ok() && wasm.ok(),
        "a capture benchmark",
    ))
}

/// One of `xtask/bench-wasm/tests/*.rs` in headless Chromium; `--nocapture` makes
/// wasm-bindgen-test-runner print the figure.
fn wasm_bench(ctx: &Ctx, test: &str) -> io::Result<crate::cmd::Output> {
    ctx.tools()?; // wasm-bindgen-test-runner
    ctx.cargo()
        .args(["test", "--profile", PROFILE, "--target", WASM_TARGET])
        .args([
            "-p",
            "synack-bench-wasm",
            "--test",
            test,
            "--",
            "--nocapture",
        ])
        .run_tee()
}

#[cfg(test)]
mod tests {
    use super::model_rate;

    #[test]
    fn reads_the_model_rate_line() {
        let text = "noise\nmodel bench [native]: 9 runs, 90 events in 3000 ms = 1234567 events/s\n";
        assert_eq!(model_rate(text, "native"), Some(1_234_567.0));
        assert_eq!(model_rate(text, "wasm, headless Chromium"), None);
    }
}
