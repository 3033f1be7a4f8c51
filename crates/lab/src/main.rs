//! synack-lab: synack's experiments on the real Linux kernel, written in the model's trace
//! format (plus a pcap of the packets). See `crates/lab/README.md`.

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!(
        "synack-lab runs its experiments against the Linux kernel (network namespaces, AF_PACKET, \
         sock_diag) and works on Linux only. The model and the web app run everywhere."
    );
    std::process::exit(2);
}

#[cfg(target_os = "linux")]
mod analyze;
#[cfg(target_os = "linux")]
mod cases;
#[cfg(target_os = "linux")]
mod cases_cookies;
#[cfg(target_os = "linux")]
mod cases_udp;
#[cfg(target_os = "linux")]
mod cli;
#[cfg(target_os = "linux")]
mod compare;
#[cfg(target_os = "linux")]
mod error;
#[cfg(target_os = "linux")]
mod experiments;
#[cfg(target_os = "linux")]
mod explore;
#[cfg(target_os = "linux")]
mod inject;
#[cfg(target_os = "linux")]
mod ip;
#[cfg(target_os = "linux")]
mod knobs;
#[cfg(target_os = "linux")]
mod outfile;
#[cfg(target_os = "linux")]
mod pcap;
#[cfg(target_os = "linux")]
mod record;
#[cfg(target_os = "linux")]
mod recorder;
#[cfg(target_os = "linux")]
mod runner;
#[cfg(target_os = "linux")]
mod session;
#[cfg(target_os = "linux")]
mod sweep;
#[cfg(target_os = "linux")]
mod sys;
#[cfg(target_os = "linux")]
mod udp_run;
#[cfg(target_os = "linux")]
mod wire;

#[cfg(target_os = "linux")]
fn main() {
    use clap::Parser;
    sys::signal::install();
    let cli = cli::Cli::parse();
    let code = match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            // A run cut short (Ctrl-C, SIGTERM, --timeout) still writes what it recorded.
            if let error::LabError::CutShort { partial, .. } = &e {
                let common = cli.cmd.common();
                if let Err(w) = emit(common, partial, trace_on_stdout(&cli.cmd)) {
                    eprintln!("synack-lab: {w}");
                }
            }
            // The cases or points that finished before a Ctrl-C (if any), on stdout as a whole
            // run's; with `--json` their JSON report on stdout, whole, with a `stopped` member
            // (a reader of `--json` never gets a half report it cannot parse), and the text on
            // stderr with the rest.
            match &e {
                error::LabError::Partial {
                    done,
                    finished,
                    total,
                    json,
                    cause,
                    ..
                } if *finished > 0 => {
                    let said = if cli.cmd.common().json {
                        eprint!("{done}");
                        json.as_deref().map_or(Ok(()), |j| {
                            let mut j = j.clone();
                            if let serde_json::Value::Object(m) = &mut j {
                                m.insert(
                                    "stopped".into(),
                                    serde_json::json!({
                                        "why": cause.to_string(),
                                        "finished": finished,
                                        "total": total,
                                    }),
                                );
                            }
                            say(&format!("{j}\n"))
                        })
                    } else {
                        say(done)
                    };
                    if let Err(w) = said {
                        eprintln!("synack-lab: {w}");
                    }
                }
                _ => {}
            }
            eprintln!("synack-lab: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

/// `sim scenario.json > trace.json` (issue #4, docs/scenario-format.md): without `--out` or
/// `--json`, sim's stdout IS the trace and its human summary goes to stderr.
#[cfg(target_os = "linux")]
fn trace_on_stdout(cmd: &cli::Cmd) -> bool {
    let common = cmd.common();
    matches!(cmd, cli::Cmd::Sim { .. }) && common.out.is_none() && !common.json
}

#[cfg(target_os = "linux")]
fn run(cli: &cli::Cli) -> error::Result<i32> {
    use cli::Cmd;
    // Before anything runs: a run of minutes must not end in "cannot write --out".
    check_outputs(&cli.cmd)?;
    let (common, outcome) = match &cli.cmd {
        Cmd::Handshake { common } => (common, experiments::conn::handshake(common)?),
        Cmd::Teardown { common, opts } => (common, experiments::conn::teardown(common, opts)?),
        Cmd::Sticky { common, opts } => (common, experiments::sticky::run(common, opts)?),
        Cmd::Udp { common } => (common, experiments::udp::run(common)?),
        Cmd::Backlog { common, opts } => (common, experiments::backlog::run(common, opts)?),
        Cmd::Loss { common, opts } => (common, experiments::loss::run(common, opts)?),
        Cmd::Compare { case, common } => {
            let (text, json, all_pass, one) = compare::run(case, common)?;
            let outcome = match one {
                Some(c) => {
                    if let Some(p) = &common.out {
                        // The model's run of the same scenario, next to the kernel's trace.
                        let mp = p.with_extension("model.json");
                        outfile::write(&mp, |w| {
                            serde_json::to_writer(w, &c.model).map_err(std::io::Error::from)
                        })?;
                        eprintln!("model trace → {}", mp.display());
                    }
                    let mut trace = c.kernel.trace;
                    trace.build_snapshots(64);
                    session::Outcome {
                        summary: json,
                        text,
                        trace,
                        pcap: c.kernel.pcap,
                        ok: all_pass,
                    }
                }
                None => {
                    if common.json {
                        say(&format!(
                            "{}\n",
                            serde_json::to_string_pretty(&json).unwrap_or_default()
                        ))?;
                        eprint!("{text}");
                    } else {
                        say(&text)?;
                    }
                    return Ok(if all_pass { 0 } else { 1 });
                }
            };
            (common, outcome)
        }
        Cmd::Record {
            cases,
            dir,
            share,
            common,
        } => {
            let (text, json) = record::run(dir.as_deref(), cases, *share, common)?;
            // A recording is written whether or not the model agrees with it: exit status 0.
            return print_runs(common, &text, &json, true);
        }
        Cmd::Sweep {
            axes,
            only,
            save,
            list,
            common,
        } => {
            if *list {
                say(&sweep::list())?;
                return Ok(0);
            }
            let (text, json, all) = sweep::run(axes, only, save.as_deref(), common)?;
            return print_runs(common, &text, &json, all);
        }
        Cmd::Explore {
            seed,
            count,
            from,
            keep,
            common,
        } => {
            let (text, json, all) = explore::run(*seed, *from, *count, keep.as_deref(), common)?;
            return print_runs(common, &text, &json, all);
        }
        Cmd::Sim {
            scenario,
            common,
            max_events,
        } => (common, sim(scenario, common, *max_events)?),
    };
    emit(common, &outcome, trace_on_stdout(&cli.cmd))?;
    Ok(if outcome.ok { 0 } else { 1 })
}

/// A run of many comparisons (`sweep`, `explore`, `record`): the JSON on stdout and the text on stderr
/// with `--json`, the text on stdout otherwise; exit status 1 unless all agreed.
#[cfg(target_os = "linux")]
fn print_runs(
    common: &cli::Common,
    text: &str,
    json: &serde_json::Value,
    all: bool,
) -> error::Result<i32> {
    if common.json {
        say(&format!("{json}\n"))?;
        eprint!("{text}");
    } else {
        say(text)?;
    }
    Ok(if all { 0 } else { 1 })
}

/// Writes `text` to stdout. Unlike `print!`, which panics when stdout is a closed pipe
/// (`synack-lab sweep --list | head -1`) or a full device (`> /dev/full`), a failed write is
/// an error with the lab's message and exit status 1.
#[cfg(target_os = "linux")]
fn say(text: &str) -> error::Result<()> {
    use error::Context;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .ctx(|| "writing to stdout".into())
}

/// `sim`: the model alone, on a scenario file (docs/scenario-format.md). The model runs in
/// slices so that Ctrl-C, SIGTERM and `--timeout` stop it between two slices (the trace so far
/// is written, marked cut short) and a terminal shows its progress.
#[cfg(target_os = "linux")]
fn sim(
    path: &std::path::Path,
    common: &cli::Common,
    max_events: Option<u64>,
) -> error::Result<session::Outcome> {
    use error::LabError;
    use std::time::{Duration, Instant};
    use synack_model::sim::{RunState, Sim};
    use synack_model::trace::CutReason;
    let mut sc = compare::read_scenario(path)?;
    if let Some(n) = max_events {
        sc.limits.max_events = usize::try_from(n).unwrap_or(usize::MAX);
    }
    let mut model =
        Sim::new(&sc).map_err(|e| LabError::Usage(format!("{}: {e}", path.display())))?;
    let started = Instant::now();
    let deadline = common
        .timeout
        .map(|t| (t, started + Duration::from_secs_f64(t)));
    let mut progress = session::Progress::new("sim", common.quiet);
    // 20,000 scheduled items take a few milliseconds: the checks below cost nothing and
    // Ctrl-C is answered well within a second.
    let mut cause = None;
    while model.advance(20_000) == RunState::Running {
        if let Some(signal) = sys::signal::received() {
            cause = Some(LabError::Interrupted { signal });
            model.cut(
                CutReason::Interrupted,
                format!("cut short: interrupted by {}", sys::signal::name(signal)),
            );
            break;
        }
        if let Some((secs, at)) = deadline {
            if Instant::now() >= at {
                cause = Some(LabError::Timeout {
                    what: "the model".into(),
                    secs,
                });
                model.cut(
                    CutReason::Timeout,
                    format!("cut short: --timeout {secs} s ran out"),
                );
                break;
            }
        }
        progress.line(&format!(
            "{:.3} s simulated, {} events, {} sockets … {:.1} s (Ctrl-C stops and writes the trace so far)",
            model.now() as f64 / 1e6,
            model.events(),
            model.sockets(),
            started.elapsed().as_secs_f64()
        ));
    }
    progress.clear();
    if let Some(c) = &cause {
        // At once, so the user sees the signal was heard while a big trace is written.
        eprintln!(
            "synack-lab: {}: stopped; writing the {} events recorded so far (a second Ctrl-C exits at once)",
            match c {
                LabError::Interrupted { signal } => sys::signal::name(*signal).to_string(),
                _ => "--timeout ran out".to_string(),
            },
            model.events()
        );
    }
    let trace = model.finish();
    let pk = analyze::packets(&trace);
    let mut text = format!(
        "model run of {:?} ({} events)\n\n",
        sc.name,
        trace.events.len()
    );
    if pk.len() <= 200 {
        text.push_str(&analyze::packet_table(&pk));
    } else {
        text.push_str(&format!(
            "{} packets (table left out above 200)\n",
            pk.len()
        ));
    }
    text.push_str("\nstates:\n");
    for (k, v) in analyze::state_names(&trace).into_iter().take(50) {
        text.push_str(&format!("  {k:<18} {}\n", v.join(" → ")));
    }
    if let Some(c) = &trace.cut_short {
        text.push_str(&format!("\n{}\n", c.message));
    }
    let trace_complete = trace.cut_short.is_none();
    let summary = serde_json::json!({
        "experiment": "sim",
        "scenario": sc.name,
        // The packet list only while it is small: as JSON values a big one costs more time
        // and memory than the run (a cut-short run must be written within a second).
        "packets": if pk.len() <= 10_000 {
            serde_json::to_value(&pk).unwrap_or_default()
        } else {
            pk.len().into()
        },
        "cut_short": trace.cut_short,
    });
    let outcome = session::Outcome {
        summary,
        text,
        trace,
        pcap: Vec::new(),
        // A trace stopped at a budget is valid but not the whole run: exit status 1.
        ok: trace_complete,
    };
    match cause {
        Some(cause) => Err(LabError::CutShort {
            cause: Box::new(cause),
            partial: Box::new(outcome),
        }),
        None => Ok(outcome),
    }
}

/// Every output file must be writable before a run starts (`outfile::check`: the way the run
/// will write it, so what is refused here is what would fail after the run).
#[cfg(target_os = "linux")]
fn check_outputs(cmd: &cli::Cmd) -> error::Result<()> {
    let common = cmd.common();
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    paths.extend(common.out.clone());
    paths.extend(common.pcap.clone());
    if let (cli::Cmd::Compare { .. }, Some(p)) = (cmd, &common.out) {
        paths.push(p.with_extension("model.json"));
    }
    paths.iter().try_for_each(|p| outfile::check(p))
}

/// Streams the trace into the file (`outfile`: whole or not at all): the JSON text is never
/// held in memory whole, and a second Ctrl-C during a long write (which exits at once) leaves
/// the `.part` file, never a half-written trace under the real name.
#[cfg(target_os = "linux")]
fn write_trace(path: &std::path::Path, trace: &synack_model::trace::Trace) -> error::Result<()> {
    outfile::write(path, |w| {
        serde_json::to_writer(w, trace).map_err(std::io::Error::from)
    })
}

/// Writes the trace / pcap files and prints the summary (text, or JSON with `--json`); with
/// `trace_on_stdout` the trace goes to stdout and the text summary to stderr.
#[cfg(target_os = "linux")]
fn emit(common: &cli::Common, o: &session::Outcome, trace_on_stdout: bool) -> error::Result<()> {
    use error::Context;
    use std::io::Write;
    // The trace must round-trip through the reader the web app uses. Checked on traces up to
    // a size where a second copy in memory is cheap (all of the lab's); the model's own traces
    // are checked by its tests, and a big one would double the run's memory here.
    if o.trace.events.len() <= 200_000 {
        synack_model::trace::Trace::from_json(&o.trace.to_json())
            .map_err(error::LabError::Protocol)?;
    }
    if let Some(p) = &common.out {
        write_trace(p, &o.trace)?;
    }
    if let Some(p) = &common.pcap {
        pcap::write(p, &o.pcap)?;
    }
    if common.json {
        let mut v = o.summary.clone();
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("ok".into(), serde_json::Value::Bool(o.ok));
            m.insert("events".into(), o.trace.events.len().into());
            m.insert("kernel".into(), session::kernel_release().into());
        }
        say(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ))?;
        eprint!("{}", o.text);
    } else if trace_on_stdout {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        serde_json::to_writer(&mut out, &o.trace)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush())
            .ctx(|| "writing the trace to stdout".into())?;
        eprint!("{}", o.text);
    } else {
        say(&o.text)?;
    }
    let mut files = Vec::new();
    if let Some(p) = &common.out {
        files.push(format!("trace → {}", p.display()));
    }
    if let Some(p) = &common.pcap {
        files.push(format!("pcap ({} packets) → {}", o.pcap.len(), p.display()));
    }
    if !files.is_empty() {
        eprintln!("{}", files.join(", "));
    }
    Ok(())
}
