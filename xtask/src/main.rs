//! synack's dev tool: `cargo xtask serve | test | build | prerender | bench | setup`.
//!
//! Every command first runs the set-up (idempotent, quick when everything is there), then does
//! its job with the right toolchain and tools on PATH. Std only.

mod bench;
mod cmd;
mod serve;
mod setup;
mod size;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  serve           set up, then serve the app with live reload on http://127.0.0.1:8080
  test [STEP...]  set up, then rustfmt, clippy (native + wasm32), native tests, wasm tests in
                  headless Chromium, release build, Playwright e2e tests, size report;
                  ends with `N passed, M failed`. STEP limits it to some of:
                  STEPS
  build           set up, then build the release static site into dist/ (+ size report)
  prerender       set up, build, then rewrite the first frames index.html paints before the
                  wasm has arrived (e2e/prerender.mjs), and build again with them
  bench [PART...] set up, then the benchmarks: model (native + wasm and their ratio), frames
                  (web frame times), knobs (input to painted frame, memory leak check),
                  capture (read + analysis); PART limits it to some
  setup           only install what is missing (apt packages, wasm32 toolchain, trunk,
                  wasm-bindgen-cli, node tools)
";

fn root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_owned()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().map(String::as_str) else {
        eprint!("{}", usage());
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let known = match command {
        "test" => test::step_ids(),
        "bench" => bench::part_ids(),
        _ => Vec::new(),
    };
    if let Some(bad) = rest.iter().find(|s| !known.contains(&s.as_str())) {
        eprintln!("unknown {command} argument `{bad}`\n\n{}", usage());
        return ExitCode::from(2);
    }
    if !matches!(
        command,
        "serve" | "test" | "build" | "prerender" | "bench" | "setup"
    ) {
        eprint!("{}", usage());
        return ExitCode::from(if matches!(command, "-h" | "--help" | "help") {
            0
        } else {
            2
        });
    }

    let result = setup::run(&root()).and_then(|ctx| {
        let done = match command {
            "serve" => serve::serve(&ctx),
            "test" => test::run(&ctx, rest),
            "build" => serve::build(&ctx),
            "prerender" => serve::prerender(&ctx),
            "bench" => bench::run(&ctx, rest),
            _ => Ok(true),
        };
        // A background install that no step waited for still finishes (and is checked) before
        // we exit, rather than being left running as an orphan.
        ctx.tools().and(done)
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> String {
    USAGE.replace("STEPS", &test::step_ids().join(" "))
}
