//! `cargo xtask bench`: the project's benchmarks. They print figures and never pass or fail on
//! timing; the command fails only when a benchmark could not run at all.
//!
//! 1. model, native: `cargo run --release -p synack-model --example bench` (simulated events/s).
//!    Plus the harness workload of `xtask/bench-wasm` natively (the reference for the ratio).
//! 2. model, wasm: the harness workload compiled to wasm32 and run in headless Chromium by
//!    wasm-bindgen-test (`xtask/bench-wasm/tests/model.rs`), timed with `performance.now()`.
//! 3. web: first diagram frame after navigation and rAF frame times during playback
//!    (`e2e/bench/frames.mjs`, Playwright on the release build).
//! 4. capture: read + analysis throughput (`cargo run --release -p synack-capture --example bench`).
//!
//! A benchmark whose code is not there yet says so and is skipped.

use std::io;
use std::time::Instant;

use crate::cmd::human;
use crate::setup::Ctx;
use crate::test::{self, WASM_TARGET};

type Bench = fn(&Ctx) -> io::Result<Outcome>;

pub fn run(ctx: &Ctx) -> io::Result<bool> {
    let benches: [(&str, Bench); 4] = [
        ("model, native", model_native),
        ("model, wasm in headless Chromium", model_wasm),
        ("web frame times (Playwright)", web_frames),
        ("capture read + analysis", capture),
    ];
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
            Outcome::Skipped(why) => format!("skipped: {why}"),
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
    Skipped(String),
    Failed(String),
}

fn status(ok: bool, what: &str) -> Outcome {
    if ok {
        Outcome::Ran
    } else {
        Outcome::Failed(format!("{what} failed (see above)"))
    }
}

fn model_native(ctx: &Ctx) -> io::Result<Outcome> {
    // The harness workload natively: the same code as the wasm run, for the ratio.
    let mut ok = ctx
        .cargo()
        .args([
            "run",
            "--release",
            "-p",
            "synack-bench-wasm",
            "--example",
            "native",
        ])
        .run_tee()?
        .ok();
    // The model crate's own benchmark (bulk transfer under 10 % loss), once it exists.
    if ctx.root.join("crates/model/examples/bench.rs").exists() {
        ok &= ctx
            .cargo()
            .args([
                "run",
                "--release",
                "-p",
                "synack-model",
                "--example",
                "bench",
            ])
            .run_tee()?
            .ok();
    } else {
        println!("crates/model/examples/bench.rs does not exist yet (the model crate adds it)");
    }
    Ok(status(ok, "a native model benchmark"))
}

fn model_wasm(ctx: &Ctx) -> io::Result<Outcome> {
    // --release: optimised like the shipped app; --nocapture: print the figure.
    let out = ctx
        .cargo()
        .args([
            "test",
            "--release",
            "--target",
            WASM_TARGET,
            "-p",
            "synack-bench-wasm",
            "--",
            "--nocapture",
        ])
        .run_tee()?;
    Ok(status(out.ok(), "the wasm model benchmark"))
}

fn web_frames(ctx: &Ctx) -> io::Result<Outcome> {
    if !test::trunk_build(ctx)? {
        return Ok(Outcome::Failed("trunk build --release".into()));
    }
    let (_server, url) = test::static_server(ctx)?;
    let out = ctx
        .cmd("node")
        .arg("e2e/bench/frames.mjs")
        .env("SYNACK_BASE_URL", &url)
        .run_tee()?;
    Ok(status(out.ok(), "the frame-time benchmark"))
}

fn capture(ctx: &Ctx) -> io::Result<Outcome> {
    if !ctx.root.join("crates/capture/examples/bench.rs").exists() {
        return Ok(Outcome::Skipped(
            "crates/capture/examples/bench.rs does not exist yet (the capture crate adds it)"
                .into(),
        ));
    }
    let out = ctx
        .cargo()
        .args([
            "run",
            "--release",
            "-p",
            "synack-capture",
            "--example",
            "bench",
        ])
        .run_tee()?;
    Ok(status(out.ok(), "the capture benchmark"))
}
