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
mod cli;
#[cfg(target_os = "linux")]
mod compare;
#[cfg(target_os = "linux")]
mod error;
#[cfg(target_os = "linux")]
mod experiments;
#[cfg(target_os = "linux")]
mod ip;
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
mod sys;
#[cfg(target_os = "linux")]
mod wire;

#[cfg(target_os = "linux")]
fn main() {
    use clap::Parser;
    sys::signal::install();
    let cli = cli::Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("synack-lab: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

#[cfg(target_os = "linux")]
fn run(cli: cli::Cli) -> error::Result<i32> {
    use cli::Cmd;
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
                        std::fs::write(&mp, c.model.to_json()).map_err(|e| {
                            error::LabError::Io {
                                what: format!("writing {}", mp.display()),
                                source: e,
                            }
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
                        println!(
                            "{}",
                            serde_json::to_string_pretty(&json).unwrap_or_default()
                        );
                        eprint!("{text}");
                    } else {
                        print!("{text}");
                    }
                    return Ok(if all_pass { 0 } else { 1 });
                }
            };
            (common, outcome)
        }
        Cmd::Record { cases, dir, common } => {
            print!("{}", record::run(dir.as_deref(), cases, common)?);
            return Ok(0);
        }
        Cmd::Sim { scenario, common } => (common, sim(scenario)?),
    };
    // `sim scenario.json > trace.json` (issue #4, docs/scenario-format.md): without `--out` or
    // `--json`, sim's stdout IS the trace and its human summary goes to stderr.
    let trace_on_stdout =
        matches!(cli.cmd, Cmd::Sim { .. }) && common.out.is_none() && !common.json;
    emit(common, &outcome, trace_on_stdout)?;
    Ok(if outcome.ok { 0 } else { 1 })
}

/// `sim`: the model alone, on a scenario file (docs/scenario-format.md).
#[cfg(target_os = "linux")]
fn sim(path: &std::path::Path) -> error::Result<session::Outcome> {
    use error::Context;
    let text = std::fs::read_to_string(path).ctx(|| format!("reading {}", path.display()))?;
    let sc = synack_model::scenario::Scenario::from_json(&text)
        .map_err(|e| error::LabError::Usage(format!("{}: {e}", path.display())))?;
    let trace = synack_model::simulate(&sc)
        .map_err(|e| error::LabError::Usage(format!("{}: {e}", path.display())))?;
    let pk = analyze::packets(&trace);
    let mut text = format!(
        "model run of {:?} ({} events)\n\n",
        sc.name,
        trace.events.len()
    );
    text.push_str(&analyze::packet_table(&pk));
    text.push_str("\nstates:\n");
    for (k, v) in analyze::state_names(&trace) {
        text.push_str(&format!("  {k:<18} {}\n", v.join(" → ")));
    }
    Ok(session::Outcome {
        summary: serde_json::json!({ "experiment": "sim", "scenario": sc.name, "packets": pk }),
        text,
        trace,
        pcap: Vec::new(),
        ok: true,
    })
}

/// Writes the trace / pcap files and prints the summary (text, or JSON with `--json`); with
/// `trace_on_stdout` the trace goes to stdout and the text summary to stderr.
#[cfg(target_os = "linux")]
fn emit(common: &cli::Common, o: &session::Outcome, trace_on_stdout: bool) -> error::Result<()> {
    use error::Context;
    // The trace must round-trip through the reader the web app uses.
    let json = o.trace.to_json();
    synack_model::trace::Trace::from_json(&json).map_err(error::LabError::Protocol)?;
    if let Some(p) = &common.out {
        std::fs::write(p, &json).ctx(|| format!("writing {}", p.display()))?;
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
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        eprint!("{}", o.text);
    } else if trace_on_stdout {
        println!("{json}");
        eprint!("{}", o.text);
    } else {
        print!("{}", o.text);
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
