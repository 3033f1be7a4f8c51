//! `cargo xtask test`: every check the project has, in order, with a per-step header and timing,
//! and one closing line `N passed, M failed` that counts the tests of all suites.
//!
//! Counting: each suite's own counts (libtest and wasm-bindgen-test "test result:" lines, node's
//! test runner summary); rustfmt, each clippy run, the release build and the size limit count as
//! one check each, so a failing lint shows up in the closing line too. A suite that fails without
//! reporting a failed test (it did not compile, say) counts as one failure. Ignored tests count as
//! skipped.

use std::io;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::cmd::{human, Output};
use crate::setup::Ctx;
use crate::size;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Packages built for wasm32, with their manifests.
const WASM_PACKAGES: &[(&str, &str)] = &[
    ("synack", "Cargo.toml"),
    ("synack-model", "crates/model/Cargo.toml"),
    ("synack-capture", "crates/capture/Cargo.toml"),
];

#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }

    fn check(ok: bool) -> Counts {
        Counts {
            passed: ok as u64,
            failed: !ok as u64,
            skipped: 0,
        }
    }

    /// The closing line, exactly as CI reads it.
    pub fn closing_line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        s
    }
}

struct Step {
    id: &'static str,
    title: &'static str,
    run: fn(&Ctx, &mut State) -> io::Result<Counts>,
}

/// What later steps need to know about earlier ones.
#[derive(Default)]
struct State {
    built: bool,
    /// The lab's tests, started by the native step and running beside the later ones (see
    /// `native_tests`); their output and counts are shown once they end, after the last step.
    lab: Option<thread::JoinHandle<(Output, Duration)>>,
    /// "step: test name" of every failed test, printed again under the summary so that the
    /// last lines of a long log say what failed.
    failures: Vec<String>,
}

impl State {
    fn suite(&mut self, step: &str, out: &Output, counts: Counts) -> Counts {
        self.failures.extend(
            failed_tests(&out.text)
                .into_iter()
                .map(|t| format!("{step}: {t}")),
        );
        suite_counts(out, counts)
    }
}

const STEPS: &[Step] = &[
    Step {
        id: "fmt",
        title: "rustfmt: cargo fmt --check",
        run: fmt,
    },
    Step {
        id: "clippy",
        title: "clippy, native, -D warnings",
        run: clippy_native,
    },
    Step {
        id: "clippy-wasm",
        title: "clippy, wasm32 (open, full and first-load builds), -D warnings",
        run: clippy_wasm,
    },
    Step {
        id: "native",
        title: "native tests of every crate",
        run: native_tests,
    },
    Step {
        id: "wasm",
        title: "wasm-bindgen tests in headless Chromium",
        run: wasm_tests,
    },
    Step {
        id: "build",
        title: "release build: trunk build --release",
        run: release_build,
    },
    Step {
        id: "e2e",
        title: "end-to-end tests: Playwright + Chromium on the release build",
        run: e2e,
    },
    Step {
        id: "size",
        title: "size report",
        run: size_report,
    },
];

pub fn step_ids() -> Vec<&'static str> {
    STEPS.iter().map(|s| s.id).collect()
}

/// Runs the steps named in `only` (all when empty); returns whether everything passed.
pub fn run(ctx: &Ctx, only: &[String]) -> io::Result<bool> {
    let started = Instant::now();
    let mut state = State::default();
    let mut total = Counts::default();
    let mut rows: Vec<(&str, Counts, Duration)> = Vec::new();
    let selected: Vec<&Step> = STEPS
        .iter()
        .filter(|s| only.is_empty() || only.iter().any(|o| o == s.id))
        .collect();
    thread::scope(|scope| {
        // The release build starts with the first step when steps come before it (see
        // `release_build_beside`); its step then waits for it and shows its output.
        let build_after_others = matches!(
            selected.iter().position(|s| s.id == "build"),
            Some(i) if i > 0
        );
        let mut early_build = build_after_others.then(|| {
            println!(
                "build: the release build starts now, beside the steps before it; \
                 its output follows at its step"
            );
            scope.spawn(|| release_build_beside(ctx))
        });
        for (i, step) in selected.iter().enumerate() {
            println!();
            println!(
                "━━━ [{}/{}] {} ({}) ━━━",
                i + 1,
                selected.len(),
                step.title,
                step.id
            );
            let t = Instant::now();
            // Taken at the build step only: a handle dropped earlier would leave its build
            // running unjoined and this step building a second time beside it.
            let early = if step.id == "build" {
                early_build.take()
            } else {
                None
            };
            let ran = match early {
                Some(build) => join_release_build(build, &mut state),
                None => (step.run)(ctx, &mut state),
            };
            let counts = match ran {
                Ok(c) => c,
                Err(e) => {
                    println!("error: {e}");
                    Counts::check(false)
                }
            };
            let took = t.elapsed();
            let verdict = if counts.failed == 0 { "ok" } else { "FAILED" };
            println!("─── {}: {verdict} in {}", step.id, human(took));
            total.add(counts);
            rows.push((step.id, counts, took));
        }
    });

    if let Some(lab) = state.lab.take() {
        println!();
        println!(
            "━━━ lab tests against the real kernel (lab), run beside the steps since native ━━━"
        );
        let counts = match lab.join() {
            Ok((out, took)) => {
                print!("{}", out.text);
                let counts = state.suite("lab", &out, parse_libtest(&out.text));
                let verdict = if counts.failed == 0 { "ok" } else { "FAILED" };
                println!(
                    "─── lab: {verdict} in {} (beside the other steps)",
                    human(took)
                );
                rows.push(("lab", counts, took));
                counts
            }
            Err(_) => {
                println!("error: the thread running the lab's tests panicked");
                let counts = Counts::check(false);
                rows.push(("lab", counts, Duration::ZERO));
                counts
            }
        };
        total.add(counts);
    }

    println!();
    println!("━━━ summary ━━━");
    for (id, c, took) in &rows {
        println!(
            "{:<12} {:>6} {:>10} {:>5} passed {:>4} failed {:>4} skipped",
            id,
            if c.failed == 0 { "ok" } else { "FAILED" },
            human(*took),
            c.passed,
            c.failed,
            c.skipped
        );
    }
    if !state.failures.is_empty() {
        println!("failed:");
        for f in &state.failures {
            println!("  {f}");
        }
    }
    println!("total time {}", human(started.elapsed()));
    println!("{}", total.closing_line());
    Ok(total.failed == 0)
}

// ---------------------------------------------------------------------------------------------
// Steps

fn fmt(ctx: &Ctx, _: &mut State) -> io::Result<Counts> {
    let out = ctx
        .cargo()
        .args(["fmt", "--all", "--", "--check"])
        .run_tee()?;
    if !out.ok() {
        println!("formatting differs: run `cargo fmt --all`");
    }
    Ok(Counts::check(out.ok()))
}

fn clippy_native(ctx: &Ctx, _: &mut State) -> io::Result<Counts> {
    let out = ctx
        .cargo()
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .run_tee()?;
    Ok(Counts::check(out.ok()))
}

fn clippy_wasm(ctx: &Ctx, _: &mut State) -> io::Result<Counts> {
    // Packages with in-browser tests are linted with all their targets; the others by their
    // library and binaries only (their native-only dev-dependencies need not build for wasm32).
    let mut ok = true;
    let (with_tests, without): (Vec<_>, Vec<_>) = wasm_packages(&ctx.root)
        .into_iter()
        .partition(|(_, has_tests)| *has_tests);
    for (group, targets) in [(with_tests, "--all-targets"), (without, "--lib")] {
        if group.is_empty() {
            continue;
        }
        let mut c = ctx
            .cargo()
            .args(["clippy", "--target", WASM_TARGET, targets]);
        if targets == "--lib" {
            c = c.arg("--bins");
        }
        for (p, _) in &group {
            c = c.args(["-p", p]);
        }
        ok &= c.args(["--", "-D", "warnings"]).run_tee()?.ok();
    }
    // The first load is the web app without its `full` feature (index.html, `synack`), the full
    // build adds `full` (every page but #/open, without JSON): each compiles another set of
    // items in, and each must be as clean as the default (open) build.
    for features in [&[][..], &["--features", "full"][..]] {
        ok &= ctx
            .cargo()
            .args(["clippy", "--target", WASM_TARGET, "-p", "synack"])
            .arg("--no-default-features")
            .args(features)
            .args(["--lib", "--bins", "--", "-D", "warnings"])
            .run_tee()?
            .ok();
    }
    Ok(Counts::check(ok))
}

/// Property tests draw their cases from this seed unless PROPTEST_RNG_SEED is set: a commit's
/// CI run is the same run on every machine, and a case that fails fails on the developer's
/// machine first. `cargo test` alone still draws fresh cases on every run, to explore.
const PROPTEST_SEED: &str = "20261203";

fn native_tests(ctx: &Ctx, state: &mut State) -> io::Result<Counts> {
    let seed = std::env::var("PROPTEST_RNG_SEED").unwrap_or_else(|_| PROPTEST_SEED.into());
    println!("property tests: PROPTEST_RNG_SEED={seed}");
    // --no-fail-fast: one failing test binary must not hide the results of the others.
    let rest = ctx
        .cargo()
        .args([
            "test",
            "--no-fail-fast",
            "--workspace",
            "--exclude",
            "synack-lab",
        ])
        .env("PROPTEST_RNG_SEED", &seed)
        .run_tee()?;
    let mut counts = state.suite("native", &rest, parse_libtest(&rest.text));
    // The lab's tests time the real kernel (handshake delays, states sampled while they last):
    // a background install of Trunk still compiling on a fresh machine must finish first (see
    // setup.rs, `Tools`); the steps after this one share the CPU with them at a lower priority
    // (`start_lab_tests`).
    ctx.tools()?;
    let built = ctx
        .cargo()
        .args(["test", "--no-fail-fast", "-p", "synack-lab", "--no-run"])
        .run_tee()?;
    let executables = test_executables(&built.text);
    if !built.ok() {
        counts.add(state.suite("lab", &built, parse_libtest(&built.text)));
    } else if executables.is_empty() {
        // Never a silent pass: cargo's output changed, or the lab lost its tests.
        println!("error: `cargo test --no-run` named no test executable of the lab");
        counts.add(Counts::check(false));
    } else {
        state.lab = Some(start_lab_tests(ctx, executables));
    }
    counts.add(fuzz_briefly(ctx)?);
    Ok(counts)
}

/// The test executables `cargo test --no-run` built ("Executable tests/kernel.rs
/// (target/debug/deps/kernel-…)"), relative to the root.
fn test_executables(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("Executable "))
        .filter_map(|l| Some(l.rsplit_once('(')?.1.strip_suffix(')')?.to_owned()))
        .collect()
}

/// Runs the lab's test executables one after the other in a thread of their own, while the
/// later steps go on: they spend about four minutes waiting on the kernel's timers (TIME-WAIT's
/// 60 s, the drift test's recordings) with the CPU idle, which the wasm tests, the release build
/// and the e2e suite use meanwhile. They run at a higher priority (`nice -n -10`; as root, which
/// the lab needs anyway) so that the compilers and the browser beside them do not delay the
/// samples they time; `compare` and `record` raise their own threads to real-time priority. Run
/// from the crate's folder, as `cargo test` runs them.
fn start_lab_tests(ctx: &Ctx, executables: Vec<String>) -> thread::JoinHandle<(Output, Duration)> {
    println!(
        "lab: {} test executables run beside the next steps; their output follows the last step",
        executables.len()
    );
    let runs: Vec<(String, crate::cmd::Cmd)> = executables
        .into_iter()
        .map(|exe| {
            let cmd = ctx
                .cmd("nice")
                .args(["-n", "-10"])
                .arg(ctx.root.join(&exe))
                .cwd(ctx.root.join("crates/lab"));
            (exe, cmd)
        })
        .collect();
    thread::spawn(move || {
        let started = Instant::now();
        let mut text = String::new();
        let mut ok = true;
        for (exe, cmd) in runs {
            text.push_str(&format!("$ nice -n -10 {exe}\n"));
            match cmd.read() {
                Ok(out) => {
                    ok &= out.ok();
                    text.push_str(&out.text);
                }
                Err(e) => {
                    ok = false;
                    text.push_str(&format!("error: {e}\n"));
                }
            }
        }
        // A wait status: exit code 0, or 1 when any executable failed.
        let status = std::os::unix::process::ExitStatusExt::from_raw(if ok { 0 } else { 1 << 8 });
        (Output { status, text }, started.elapsed())
    })
}

/// The fuzz targets, each for a fixed number of runs from a fixed seed, starting from the
/// project's own files (docs examples, golden traces, test captures) and an empty corpus in
/// `target/` (emptied first), so a run changes nothing in the tree and is the same run on every
/// machine for a given commit: a crash it finds shows on the developer's machine before CI,
/// never as a CI run that fails by chance. One check per target; skipped, with the way to get
/// them, when cargo-fuzz or a nightly toolchain is missing (they are not part of the set-up).
/// The libFuzzer builds take a few minutes the first time, seconds afterwards. Longer,
/// exploring runs: `cargo fuzz run <target>` in the crate folder.
fn fuzz_briefly(ctx: &Ctx) -> io::Result<Counts> {
    const RUNS: &str = "20000";
    /// Only a safety net: the runs take a few seconds.
    const SECONDS: &str = "120";
    /// (crate folder holding `fuzz/`, target, starting inputs relative to the root)
    const TARGETS: &[(&str, &str, &str)] = &[
        ("crates/model", "scenario_json", "docs/examples"),
        ("crates/model", "trace_json", "crates/model/tests/golden"),
        ("crates/capture", "trace_json", "crates/model/tests/golden"),
        (
            "crates/capture",
            "capture_reader",
            "crates/capture/tests/data",
        ),
    ];
    let nightly = |c: crate::cmd::Cmd| c.env("RUSTUP_TOOLCHAIN", "nightly");
    let probe = nightly(ctx.cargo()).args(["fuzz", "--version"]).read();
    if !probe.is_ok_and(|o| o.ok()) {
        println!(
            "fuzz: skipped ({} targets): needs cargo-fuzz and a nightly toolchain \
             (`cargo install cargo-fuzz`, `rustup toolchain install nightly`)",
            TARGETS.len()
        );
        return Ok(Counts {
            skipped: TARGETS.len() as u64,
            ..Counts::default()
        });
    }
    let mut counts = Counts::default();
    for (dir, target, inputs) in TARGETS {
        let corpus = ctx.root.join("target/fuzz-corpus").join(dir).join(target);
        let _ = std::fs::remove_dir_all(&corpus);
        std::fs::create_dir_all(&corpus)?;
        let out = nightly(ctx.cargo())
            .cwd(ctx.root.join(dir))
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .arg(ctx.root.join(inputs))
            .args([
                "--",
                "-seed=1",
                &format!("-runs={RUNS}"),
                &format!("-max_total_time={SECONDS}"),
                "-rss_limit_mb=2048",
                "-timeout=10",
            ])
            .run_tee()?;
        counts.add(Counts::check(out.ok()));
    }
    Ok(counts)
}

fn wasm_tests(ctx: &Ctx, state: &mut State) -> io::Result<Counts> {
    let packages: Vec<String> = wasm_packages(&ctx.root)
        .into_iter()
        .filter(|(_, has_tests)| *has_tests)
        .map(|(p, _)| p)
        .collect();
    if packages.is_empty() {
        println!("no package has wasm-bindgen tests yet");
        return Ok(Counts::default());
    }
    ctx.tools()?; // wasm-bindgen-test-runner

    // `--lib`: the in-browser tests are the libraries' unit tests. Without it cargo also builds
    // each binary as a test harness (none has a test) and the web app's library a second time,
    // as the binaries' dependency: 99 s of CPU for a fresh build here, 57 s with it.
    let mut c = ctx.cargo().args(["test", "--target", WASM_TARGET, "--lib"]);
    for p in &packages {
        c = c.args(["-p", p]);
    }
    let out = c.run_tee()?;
    Ok(state.suite("wasm", &out, parse_libtest(&out.text)))
}

/// The release build when steps come before it: started with the first step, beside them, at a
/// lower priority (`nice -n 5`), output kept for its step. Those steps leave a core idle most of
/// the time (clippy and the tests compile the workspace's crates one after the other, each
/// waiting on the one it uses; the wasm tests compile one crate), and the release build has the
/// same shape (four `cargo build`s that Trunk starts together take turns on the build directory,
/// and the app's three each end in one single-threaded fat-LTO link), so the two fill each other's
/// gaps. They do not share a build directory: the steps before build in debug (`target/debug`,
/// `target/wasm32-unknown-unknown/debug`), the release build in release, so neither waits on the
/// other's cargo lock. Returns Trunk's result and the time from start to end.
fn release_build_beside(ctx: &Ctx) -> (io::Result<Output>, Duration) {
    let started = Instant::now();
    let out = ctx.tools().and_then(|()| {
        ctx.cmd("nice")
            .args(["-n", "5", "trunk"])
            .args(TRUNK_RELEASE_BUILD)
            .read()
    });
    (out, started.elapsed())
}

/// The build step of a release build started early: waits for it and shows what it printed.
fn join_release_build(
    build: thread::ScopedJoinHandle<'_, (io::Result<Output>, Duration)>,
    state: &mut State,
) -> io::Result<Counts> {
    let (out, took) = build.join().unwrap_or_else(|_| {
        (
            Err(io::Error::other("the release build's thread panicked")),
            Duration::ZERO,
        )
    });
    let out = out?;
    print!("{}", out.text);
    println!(
        "build: ran beside the earlier steps, {} from its start to its end",
        human(took)
    );
    state.built = out.ok();
    Ok(Counts::check(state.built))
}

fn release_build(ctx: &Ctx, state: &mut State) -> io::Result<Counts> {
    let ok = trunk_build(ctx)?;
    state.built = ok;
    Ok(Counts::check(ok))
}

/// Trunk's arguments for the release build, in its place or beside the earlier steps.
const TRUNK_RELEASE_BUILD: [&str; 3] = ["build", "--release", "--offline"];

pub fn trunk_build(ctx: &Ctx) -> io::Result<bool> {
    ctx.tools()?;
    Ok(ctx.cmd("trunk").args(TRUNK_RELEASE_BUILD).run_tee()?.ok())
}

fn e2e(ctx: &Ctx, state: &mut State) -> io::Result<Counts> {
    if !state.built && !ctx.root.join("dist/index.html").exists() {
        println!("no release build in dist/: the e2e suite cannot run");
        return Ok(Counts::check(false));
    }
    if !state.built {
        println!("using the existing dist/ (the build step was not selected)");
    }
    let (_server, url) = static_server(ctx)?;
    let out = node_test(ctx, &url, &["e2e/"])?;
    Ok(state.suite("e2e", &out, parse_node_test(&out.text)))
}

/// Starts `node e2e/serve.mjs dist` on a free port; the server stops when the guard drops.
pub fn static_server(ctx: &Ctx) -> io::Result<(crate::cmd::Background, String)> {
    let mut server = ctx
        .cmd("node")
        .args(["e2e/serve.mjs", "dist", "--port", "0"])
        .spawn_piped()?;
    let url = server.wait_for_line(Duration::from_secs(20), |line| {
        line.split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .map(str::to_owned)
    })?;
    println!("static server for dist/ at {url}");
    Ok((server, url))
}

/// `node --test` with the base URL of the served release build, two files at a time: on 2 cores
/// two files took 9 min 25 s where one at a time took 12 min, and four at a time was no faster
/// (and timed one out). Two keep the machine busy: sampled from /proc/stat over the first 200 s
/// of a run on an idle machine, the cores were 97 % busy (Chromium's page loads and rendering);
/// three at a time took a fresh CI run's suite 8 min 25 s against 8 min 06 s at two. What
/// shortens the suite is less work per page, not more pages at once.
pub fn node_test(ctx: &Ctx, url: &str, files: &[&str]) -> io::Result<Output> {
    ctx.cmd("node")
        .args(["--test", "--test-reporter=spec", "--test-concurrency=2"])
        .args(files)
        .env("SYNACK_BASE_URL", url)
        .run_tee()
}

fn size_report(ctx: &Ctx, state: &mut State) -> io::Result<Counts> {
    let dist = ctx.root.join("dist");
    if !state.built && !dist.join("index.html").exists() {
        println!("no release build in dist/");
        return Ok(Counts::check(false));
    }
    let report = size::measure(&dist)?;
    report.print();
    // The linked wasm before wasm-opt still has its function names: name the usual culprits.
    // What `size::BLOAT` marks forbidden (JSON, which belongs to the open build alone; float
    // formatting) fails the check when the first load or the full build links it again; the rest
    // is a warning.
    let mut bloat_ok = true;
    for (bin, what) in [("synack", "first load"), ("synack-full", "full build")] {
        let linked = ctx
            .root
            .join(format!("target/wasm32-unknown-unknown/release/{bin}.wasm"));
        let Ok(wasm) = std::fs::read(&linked) else {
            continue;
        };
        for (b, n) in size::bloat(&wasm) {
            let (verdict, frag, advice) = (
                if b.forbidden { "FAIL" } else { "warning" },
                b.frag,
                b.advice,
            );
            bloat_ok &= !b.forbidden;
            println!("{verdict}: the {what} ({bin}.wasm) links {n} `{frag}` function(s): {advice}");
        }
        let by_crate = size::code_by_crate(&wasm);
        let total: usize = by_crate.iter().map(|(_, n)| n).sum();
        if total > 0 {
            let top: Vec<String> = by_crate
                .iter()
                .take(8)
                .map(|(c, n)| format!("{c} {}%", n * 100 / total))
                .collect();
            println!(
                "  {bin}.wasm ({what}, linked, before wasm-opt): code {} by crate: {}",
                size::kb(total as u64),
                top.join(", ")
            );
            // What the code is: the largest functions (a component's body is in yew's
            // `CompStateInner::view`), and the generic functions by how many copies they cost.
            let line = |name: &str, n: usize, copies: Option<usize>| {
                let mut name = name.to_owned();
                if name.chars().count() > 110 {
                    name = name.chars().take(109).collect::<String>() + "…";
                }
                let copies = copies.map_or(String::new(), |c| format!(" ×{c}"));
                println!("      {:>9}  {name}{copies}", size::kb(n as u64));
            };
            println!("    largest functions:");
            for (name, n) in size::largest_functions(&wasm).iter().take(12) {
                line(name, *n, None);
            }
            println!("    largest families (generic copies grouped, ×copies):");
            for (name, n, copies) in size::code_by_family(&wasm).iter().take(12) {
                line(name, *n, Some(*copies));
            }
        }
    }
    for m in &report.chained {
        println!(
            "warning: the first-load JS imports {m}: it is fetched only after that module has \
             been parsed, which holds back the app's start (see src/pages/load_full.rs)"
        );
    }
    for (label, stem, target) in size::LAZY {
        if let (Some((_, gz)), Some(target)) = (report.lazy_build(stem), target) {
            if gz > *target {
                println!(
                    "warning: {label} {} gzipped is above the {} target",
                    size::kb(gz),
                    size::kb(*target)
                );
            }
        }
    }
    let first = report.first_load_gz();
    let ok = first <= size::LIMIT_GZ && bloat_ok;
    if !ok {
        println!(
            "FAIL: first load until interactive {} gzipped is above the limit of {}",
            size::kb(first),
            size::kb(size::LIMIT_GZ)
        );
    } else if first > size::TARGET_GZ {
        println!(
            "warning: first load until interactive {} gzipped is above the {} target",
            size::kb(first),
            size::kb(size::TARGET_GZ)
        );
    }
    Ok(Counts::check(ok))
}

// ---------------------------------------------------------------------------------------------
// Helpers and parsers

/// (package, has in-browser tests): a package has them when its manifest lists
/// wasm-bindgen-test as a dev-dependency.
fn wasm_packages(root: &Path) -> Vec<(String, bool)> {
    WASM_PACKAGES
        .iter()
        .filter_map(|(name, manifest)| {
            let text = std::fs::read_to_string(root.join(manifest)).ok()?;
            let has_tests = text
                .lines()
                .any(|l| l.trim_start().starts_with("wasm-bindgen-test"));
            Some((name.to_string(), has_tests))
        })
        .collect()
}

/// A failing suite that reported no failed test (compile error, crash) counts as one failure.
fn suite_counts(out: &Output, mut counts: Counts) -> Counts {
    if !out.ok() && counts.failed == 0 {
        println!(
            "the suite failed before reporting failed tests (see above): counted as 1 failure"
        );
        counts.failed += 1;
    }
    counts
}

/// Sums libtest's (and wasm-bindgen-test-runner's) summary lines:
/// `test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; …`
pub fn parse_libtest(text: &str) -> Counts {
    let mut c = Counts::default();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split([';', '.']) {
            let mut words = part.split_whitespace();
            let (Some(n), Some(what)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else { continue };
            match what {
                "passed" => c.passed += n,
                "failed" => c.failed += n,
                "ignored" => c.skipped += n,
                _ => {}
            }
        }
    }
    c
}

/// The names of failed tests: libtest's `test name ... FAILED` and the spec reporter's
/// `✖ name (12.3ms)` (node repeats each failure under "failing tests"; listed once).
pub fn failed_tests(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let name = if let Some(rest) = line.strip_prefix("test ") {
            rest.strip_suffix(" ... FAILED").map(str::to_owned)
        } else {
            // The closing time in parentheses is the last thing on the line.
            line.strip_prefix("✖ ").map(|rest| match rest.rfind(" (") {
                Some(at) if rest.ends_with(')') => rest[..at].to_owned(),
                _ => rest.to_owned(),
            })
        };
        if let Some(n) = name {
            if n != "failing tests:" && !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names
}

/// Reads node's test runner summary (spec reporter `ℹ pass 3`, TAP `# pass 3`).
pub fn parse_node_test(text: &str) -> Counts {
    let mut c = Counts::default();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("ℹ ").or_else(|| line.strip_prefix("# ")) else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(what), Some(n), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match what {
            "pass" => c.passed += n,
            "fail" | "cancelled" => c.failed += n,
            "skipped" | "todo" => c.skipped += n,
            _ => {}
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executables_cargo_test_no_run_built() {
        let text = "\
   Compiling synack-lab v0.1.0 (/r/crates/lab)
    Finished `test` profile [unoptimized + debuginfo] target(s) in 25.70s
  Executable unittests src/main.rs (target/debug/deps/synack_lab-5250801d1dada31b)
  Executable tests/kernel.rs (target/debug/deps/kernel-11b4ffaebea69fcf)
  Executable tests/robust.rs (target/debug/deps/robust-0d35eab957a4aa9e)
";
        assert_eq!(
            test_executables(text),
            [
                "target/debug/deps/synack_lab-5250801d1dada31b",
                "target/debug/deps/kernel-11b4ffaebea69fcf",
                "target/debug/deps/robust-0d35eab957a4aa9e",
            ]
        );
        // Nothing named: the native step counts it as a failure, never as a silent pass.
        assert!(test_executables("    Finished `test` profile in 0.1s\n").is_empty());
    }

    #[test]
    fn sums_libtest_results() {
        let text = "\
running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s
";
        assert_eq!(
            parse_libtest(text),
            Counts {
                passed: 8,
                failed: 2,
                skipped: 1
            }
        );
    }

    #[test]
    fn reads_node_spec_and_tap_summaries() {
        let spec = "✔ opens #/ (120ms)\nℹ tests 30\nℹ suites 2\nℹ pass 28\nℹ fail 1\nℹ cancelled 1\nℹ skipped 2\nℹ todo 0\nℹ duration_ms 5000.1\n";
        assert_eq!(
            parse_node_test(spec),
            Counts {
                passed: 28,
                failed: 2,
                skipped: 2
            }
        );
        let tap = "# tests 3\n# pass 3\n# fail 0\n";
        assert_eq!(parse_node_test(tap).passed, 3);
    }

    #[test]
    fn names_each_failed_test_once_from_libtest_and_node() {
        let text = "\
test robust::hostile ... FAILED
test robust::fine ... ok
✔ opens #/ (120ms)
✖ backlog: the syn-flood case drops SYNs (zh) (812.5ms)
ℹ fail 1
✖ failing tests:
✖ backlog: the syn-flood case drops SYNs (zh) (812.5ms)
";
        assert_eq!(
            failed_tests(text),
            [
                "robust::hostile",
                "backlog: the syn-flood case drops SYNs (zh)"
            ]
        );
    }

    #[test]
    fn closing_line_is_exact() {
        let mut c = Counts::check(true);
        assert_eq!(c.closing_line(), "1 passed, 0 failed");
        c.skipped = 4;
        assert_eq!(c.closing_line(), "1 passed, 0 failed, 4 skipped");
    }
}
