//! `sweep [AXIS...]`: the compare cases, each varied along one axis at a time, run on this
//! kernel and in the model and judged by `compare` (the model's strict differential, nothing
//! of its own). Every recorded case is one point in a space of sysctls, socket options, link
//! delays, drops and call orders; the sweep walks that space around each case, one parameter
//! at a time, to find where the model departs from the kernel rather than where it was tuned.
//!
//! An axis names a parameter the Linux profile claims or the scenario format exposes, the
//! values it takes, and the cases it varies. A point is `case+axis=value`, a scenario like any
//! other: `compare` and `record` take that name too, and the points that once exposed a
//! departure are recorded under a name by subject ([`RECORDED`]).

use std::fmt::Write as _;
use std::path::Path;

use synack_model::scenario::{Action, AppScript, FaultRule, Scenario, SegmentMatch, Step};
use synack_model::trace::SockOpt;

use crate::cli::Common;
use crate::error::{Context, LabError, Result};

/// The longest a point is watched, ms: axes that lengthen a case (more retries, a longer
/// delay) stretch its horizon up to this, and the comparison covers the same span on both
/// sides, so a cut run still compares the schedule it saw.
const MAX_HORIZON_MS: u64 = 12_000;

/// One parameter and the cases it varies.
struct Axis {
    name: &'static str,
    /// What it stands for on Linux (sysctl, socket option, link).
    what: &'static str,
    values: &'static [&'static str],
    cases: &'static [&'static str],
    /// Sets `value` in the case's scenario; `None` when the value is not a whole variation
    /// of this case (then the point is skipped, never run half-set).
    apply: fn(&mut Scenario, &str) -> Option<()>,
}

/// The cases every axis on the link or on a drop varies: the lab's own (the scripted peers
/// keep timed expectations that a changed delay would break on purpose).
const ALL: &[&str] = &crate::cases::NAMES;

const TEARDOWNS: &[&str] = &[
    "handshake-normal",
    "teardown-client-first",
    "teardown-server-first",
    "teardown-half-close",
    "delayed-ack",
];

const DATA: &[&str] = &[
    "psh-writes",
    "psh-half-window",
    "zero-window",
    "delayed-ack",
    "loss-fast-retransmit",
    "loss-tail",
    "idle-restart",
];

const AXES: &[Axis] = &[
    Axis {
        name: "syn_retries",
        what: "net.ipv4.tcp_syn_retries, every SYN lost",
        values: &["1", "2", "3", "4", "5", "6"],
        cases: &["handshake-syn-timeout", "handshake-syn-exponential"],
        apply: |sc, v| {
            sc.tuning.syn_retries = Some(v.parse().ok()?);
            stretch(sc, MAX_HORIZON_MS);
            Some(())
        },
    },
    Axis {
        name: "syn_linear_timeouts",
        what: "net.ipv4.tcp_syn_linear_timeouts, every SYN lost",
        values: &["0", "1", "2", "4", "6"],
        cases: &["handshake-syn-timeout"],
        apply: |sc, v| {
            sc.tuning.syn_linear_timeouts = Some(v.parse().ok()?);
            sc.tuning.syn_retries = Some(3);
            stretch(sc, MAX_HORIZON_MS);
            Some(())
        },
    },
    Axis {
        name: "synack_retries",
        what: "net.ipv4.tcp_synack_retries, every SYN-ACK lost",
        values: &["1", "2", "3", "4"],
        cases: &["handshake-synack-lost", "backlog-full-no-syncookies"],
        apply: |sc, v| {
            sc.tuning.synack_retries = Some(v.parse().ok()?);
            if sc.name.ends_with("handshake-synack-lost") {
                // Every SYN-ACK lost, and every SYN after the first: a retransmitted SYN would
                // reach the server just as its own SYN-ACK timer fires (both wait the same
                // initial RTO), and which comes first is the timer wheel's rounding on the
                // kernel (up to 32 ms for a 1 s timer), not TCP.
                sc.faults = vec![FaultRule::drop("server", SegmentMatch::SynAck, None)];
                for nth in 2..=12 {
                    sc.faults
                        .push(FaultRule::drop("client", SegmentMatch::Syn, Some(nth)));
                }
            }
            stretch(sc, MAX_HORIZON_MS);
            Some(())
        },
    },
    Axis {
        name: "retries2",
        what: "net.ipv4.tcp_retries2 (a time budget on Linux), every data segment lost",
        values: &["1", "2", "3", "4", "5"],
        cases: &["retries2-timeout"],
        apply: |sc, v| {
            sc.tuning.data_retries = Some(v.parse().ok()?);
            stretch(sc, MAX_HORIZON_MS);
            Some(())
        },
    },
    Axis {
        name: "orphan_retries",
        what: "net.ipv4.tcp_orphan_retries, every FIN lost",
        values: &["1", "2", "3", "4"],
        cases: &["orphan-fin-lost", "so-linger-time"],
        apply: |sc, v| {
            sc.tuning.orphan_retries = Some(v.parse().ok()?);
            stretch(sc, 8_000);
            Some(())
        },
    },
    Axis {
        name: "fin_timeout",
        what: "net.ipv4.tcp_fin_timeout, s",
        values: &["1", "3"],
        cases: &["fin-wait2-timeout"],
        apply: |sc, v| {
            let s: u64 = v.parse().ok()?;
            sc.tuning.fin_wait2_timeout_us = Some(s * 1_000_000);
            sc.limits.max_time_us = (s * 1_000 + 1_500) * 1_000;
            Some(())
        },
    },
    Axis {
        name: "backlog",
        what: "listen(N) with N + 2 clients, nobody accepts",
        values: &["1", "2", "3", "4", "6", "8"],
        cases: &["backlog-full-syncookies", "backlog-full-no-syncookies"],
        apply: |sc, v| {
            let n: u32 = v.parse().ok()?;
            set_backlog(sc, n, n + 2);
            Some(())
        },
    },
    Axis {
        name: "max_syn_backlog",
        what: "net.ipv4.tcp_max_syn_backlog, listen(8), 10 clients, tcp_syncookies 0",
        values: &["4", "6", "8", "12"],
        cases: &["backlog-full-no-syncookies"],
        apply: |sc, v| {
            sc.tuning.max_syn_backlog = Some(v.parse().ok()?);
            set_backlog(sc, 8, 10);
            Some(())
        },
    },
    Axis {
        name: "early_retrans",
        what: "net.ipv4.tcp_early_retrans 0 (no tail loss probe) or 3",
        values: &["0", "3"],
        cases: &[
            "loss-tail",
            "loss-fast-retransmit",
            "tcp-info",
            "retries2-timeout",
        ],
        apply: |sc, v| {
            sc.tuning.tail_loss_probe = Some(v != "0");
            Some(())
        },
    },
    Axis {
        name: "recovery",
        what: "net.ipv4.tcp_recovery 0 (no RACK) or 1",
        values: &["0", "1"],
        cases: &["loss-tail", "loss-fast-retransmit"],
        apply: |sc, v| {
            sc.tuning.rack = Some(v != "0");
            Some(())
        },
    },
    Axis {
        name: "sack",
        what: "net.ipv4.tcp_sack",
        values: &["0"],
        cases: DATA,
        apply: |sc, _| {
            sc.tuning.sack_permitted = Some(false);
            Some(())
        },
    },
    Axis {
        name: "timestamps",
        what: "net.ipv4.tcp_timestamps",
        values: &["0"],
        cases: DATA,
        apply: |sc, _| {
            sc.tuning.timestamps = Some(false);
            Some(())
        },
    },
    Axis {
        name: "window_scaling",
        what: "net.ipv4.tcp_window_scaling",
        values: &["0"],
        cases: DATA,
        apply: |sc, _| {
            sc.tuning.window_scale = Some(None);
            Some(())
        },
    },
    Axis {
        name: "rcvbuf",
        what: "SO_RCVBUF on the listener (its connections inherit it), bytes",
        values: &["2048", "4096", "16384", "65536"],
        cases: &[
            "zero-window",
            "psh-half-window",
            "psh-writes",
            "delayed-ack",
        ],
        apply: |sc, v| {
            sc.sockets
                .iter_mut()
                .find(|s| s.label == "listener")?
                .recv_buffer = Some(v.parse().ok()?);
            Some(())
        },
    },
    Axis {
        name: "sndbuf",
        what: "SO_SNDBUF on the client, bytes",
        values: &["4096", "16384", "65536"],
        cases: &["psh-writes", "zero-window", "loss-fast-retransmit"],
        apply: |sc, v| {
            sc.sockets
                .iter_mut()
                .find(|s| s.label == "client")?
                .send_buffer = Some(v.parse().ok()?);
            Some(())
        },
    },
    Axis {
        name: "maxseg",
        what: "TCP_MAXSEG on both ends, bytes",
        values: &["536", "1000"],
        cases: &[
            "psh-writes",
            "loss-fast-retransmit",
            "zero-window",
            "handshake-normal",
        ],
        apply: |sc, v| {
            let m = v.parse().ok()?;
            for s in &mut sc.sockets {
                s.max_seg = Some(m);
            }
            Some(())
        },
    },
    Axis {
        name: "nodelay",
        what: "TCP_NODELAY on the client",
        values: &["1"],
        cases: &[
            "psh-writes",
            "delayed-ack",
            "msg-more",
            "teardown-client-first",
        ],
        apply: |sc, _| {
            sc.sockets
                .iter_mut()
                .find(|s| s.label == "client")?
                .no_delay = true;
            Some(())
        },
    },
    Axis {
        name: "cork",
        what: "TCP_CORK on the client from the start",
        values: &["1"],
        cases: &["psh-writes", "delayed-ack", "teardown-client-first"],
        apply: |sc, _| {
            sc.sockets.iter_mut().find(|s| s.label == "client")?.cork = true;
            Some(())
        },
    },
    Axis {
        name: "quickack",
        what: "TCP_QUICKACK set to this by the server at 100 ms",
        values: &["0", "1"],
        cases: &[
            "delayed-ack",
            "delayed-ack-no-reader",
            "teardown-client-first",
        ],
        apply: |sc, v| {
            let on_accepted = sc.apps.iter().any(|a| {
                a.steps
                    .iter()
                    .any(|s| matches!(s.action, Action::Accept { .. }))
            });
            if !on_accepted {
                return None;
            }
            let app = sc.apps.iter_mut().find(|a| a.socket == "listener")?;
            // After accept(): the option is on the connection, not on the listener.
            let at = app
                .steps
                .iter()
                .position(|s| matches!(s.action, Action::Accept { .. }))?;
            app.steps.insert(
                at + 1,
                Step::at(
                    100_000,
                    Action::SetSockOpt {
                        option: SockOpt::TcpQuickack { value: v == "1" },
                    },
                ),
            );
            Some(())
        },
    },
    Axis {
        name: "slow_start_after_idle",
        what: "net.ipv4.tcp_slow_start_after_idle",
        values: &["0", "1"],
        cases: &["psh-writes", "idle-restart", "zero-window"],
        apply: |sc, v| {
            sc.tuning.slow_start_after_idle = Some(v.parse().ok()?);
            Some(())
        },
    },
    Axis {
        name: "linger",
        what: "SO_LINGER {on, this many s} on the client",
        values: &["0", "1"],
        cases: &[
            "teardown-client-first",
            "teardown-server-first",
            "close-with-unread-data",
            "orphan-fin-lost",
        ],
        apply: |sc, v| {
            let s: u64 = v.parse().ok()?;
            sc.sockets
                .iter_mut()
                .find(|s| s.label == "client")?
                .linger_us = Some(s * 1_000_000);
            Some(())
        },
    },
    Axis {
        name: "user_timeout",
        what: "TCP_USER_TIMEOUT on the client, ms",
        values: &["500", "1000", "2000", "3000"],
        cases: &[
            "tcp-user-timeout",
            "retries2-timeout",
            "orphan-fin-lost",
            "zero-window",
        ],
        apply: |sc, v| {
            let ms: u64 = v.parse().ok()?;
            sc.sockets
                .iter_mut()
                .find(|s| s.label == "client")?
                .user_timeout_us = Some(ms * 1_000);
            stretch(sc, 5_000);
            Some(())
        },
    },
    Axis {
        name: "delay",
        what: "the link's one-way delay, ms",
        values: &["0", "1", "100", "300"],
        cases: ALL,
        apply: |sc, v| {
            let ms: u64 = v.parse().ok()?;
            let before = sc.network.default.latency_us / 1_000;
            sc.network.default.latency_us = ms * 1_000;
            // A longer delay stretches every exchange: give the run ten more one-way delays.
            if ms > before {
                let h = sc.limits.max_time_us / 1_000 + 10 * (ms - before);
                sc.limits.max_time_us = h.min(MAX_HORIZON_MS) * 1_000;
            }
            Some(())
        },
    },
    Axis {
        name: "drop",
        what: "one segment lost: whose, which kind, which one",
        values: &[
            "client-syn-1",
            "server-synack-1",
            "client-ack-1",
            "client-ack-2",
            "server-ack-1",
            "client-data-1",
            "server-data-1",
            "client-fin-1",
            "server-fin-1",
        ],
        cases: TEARDOWNS,
        apply: |sc, v| {
            let mut parts = v.split('-');
            let from = parts.next()?;
            let matches = match parts.next()? {
                "syn" => SegmentMatch::Syn,
                "synack" => SegmentMatch::SynAck,
                "ack" => SegmentMatch::PureAck,
                "data" => SegmentMatch::Data,
                "fin" => SegmentMatch::Fin,
                _ => return None,
            };
            let nth = parts.next()?.parse().ok()?;
            sc.faults.push(FaultRule::drop(from, matches, Some(nth)));
            stretch(sc, 3_000);
            Some(())
        },
    },
];

/// Points that exposed a departure (or stand for a spread of the others), recorded under a
/// name by subject: (name, case, axis, value).
pub const RECORDED: &[(&str, &str, &str, &str)] = &[
    // Departures the sweep found, fixed in the model.
    ("small-segment-truesize", "delayed-ack", "rcvbuf", "16384"),
    ("so-rcvbuf-minimum", "delayed-ack", "rcvbuf", "2048"),
    (
        "synack-lost-syn-answered",
        "teardown-client-first",
        "drop",
        "server-synack-1",
    ),
    (
        "dsack-of-a-resent-request",
        "delayed-ack",
        "drop",
        "server-ack-1",
    ),
    // A spread of the points that agreed.
    ("syn-retries-1", "handshake-syn-timeout", "syn_retries", "1"),
    (
        "synack-retries-1",
        "handshake-synack-lost",
        "synack_retries",
        "1",
    ),
    ("retries2-1", "retries2-timeout", "retries2", "1"),
    ("orphan-retries-1", "orphan-fin-lost", "orphan_retries", "1"),
    (
        "backlog-4-syncookies",
        "backlog-full-syncookies",
        "backlog",
        "4",
    ),
    (
        "max-syn-backlog-4",
        "backlog-full-no-syncookies",
        "max_syn_backlog",
        "4",
    ),
    ("tail-loss-no-probe", "loss-tail", "early_retrans", "0"),
    (
        "fast-retransmit-no-rack",
        "loss-fast-retransmit",
        "recovery",
        "0",
    ),
    (
        "linger-0-after-answer",
        "teardown-client-first",
        "linger",
        "0",
    ),
    (
        "final-ack-lost-then-data",
        "delayed-ack",
        "drop",
        "client-ack-1",
    ),
    ("maxseg-536-writes", "psh-writes", "maxseg", "536"),
    (
        "sacked-fin-resends-data",
        "teardown-server-first",
        "drop",
        "server-data-1",
    ),
];

/// The horizon at least `ms`.
fn stretch(sc: &mut Scenario, ms: u64) {
    sc.limits.max_time_us = sc.limits.max_time_us.max(ms * 1_000);
}

/// listen(`backlog`), nobody accepts, `clients` clients 30 ms apart as in the backlog cases.
fn set_backlog(sc: &mut Scenario, backlog: u32, clients: u32) {
    for a in &mut sc.apps {
        for s in &mut a.steps {
            if let Action::Listen { backlog: b } = &mut s.action {
                *b = backlog;
            }
        }
    }
    let template = sc
        .apps
        .iter()
        .find(|a| a.socket == "client 1")
        .cloned()
        .map(|a| a.steps);
    let spec = sc.sockets.iter().find(|s| s.label == "client 1").cloned();
    let (Some(steps), Some(spec)) = (template, spec) else {
        return;
    };
    sc.sockets.retain(|s| !s.label.starts_with("client "));
    sc.apps.retain(|a| !a.socket.starts_with("client "));
    for i in 0..clients as u64 {
        let label = format!("client {}", i + 1);
        let mut steps = steps.clone();
        if let Some(first) = steps.first_mut() {
            first.at_us = Some(50_000 + i * 30_000);
        }
        sc.sockets.push(synack_model::scenario::SocketSpec {
            label: label.clone(),
            ..spec.clone()
        });
        sc.apps.push(AppScript {
            socket: label,
            steps,
        });
    }
}

/// The scenario of point `case+axis=value`, or of a recorded point's name.
pub fn scenario(name: &str) -> Option<Scenario> {
    if let Some(&(n, case, axis, value)) = RECORDED.iter().find(|r| r.0 == name) {
        let mut sc = point(case, axis, value)?;
        sc.name = format!("lab/{n}");
        return Some(sc);
    }
    let (case, rest) = name.split_once('+')?;
    let (axis, value) = rest.split_once('=')?;
    point(case, axis, value)
}

fn point(case: &str, axis: &str, value: &str) -> Option<Scenario> {
    let a = AXES.iter().find(|a| a.name == axis)?;
    let mut sc = crate::cases::scenario(case)?;
    (a.apply)(&mut sc, value)?;
    sc.name = format!("lab/{case}+{axis}={value}");
    sc.description = format!("{} — varied: {axis} = {value} ({})", sc.description, a.what);
    Some(sc)
}

/// Every point of the named axes (all when empty) whose case matches one of `only` (all
/// when empty), as names.
fn points(axes: &[String], only: &[String]) -> Result<Vec<String>> {
    if let Some(bad) = axes.iter().find(|x| !AXES.iter().any(|a| &a.name == x)) {
        return Err(LabError::Usage(format!(
            "no axis {bad:?}; the axes are: {}",
            AXES.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
        )));
    }
    let mut v = Vec::new();
    for a in AXES
        .iter()
        .filter(|a| axes.is_empty() || axes.iter().any(|x| x == a.name))
    {
        for case in a
            .cases
            .iter()
            .filter(|c| only.is_empty() || only.iter().any(|o| o == *c))
        {
            for value in a.values {
                let name = format!("{case}+{}={value}", a.name);
                if scenario(&name).is_some() {
                    v.push(name);
                }
            }
        }
    }
    Ok(v)
}

/// The axes, one line each, for `--list`.
pub fn list() -> String {
    let mut s = String::new();
    for a in AXES {
        let _ = writeln!(
            s,
            "{:<22} {} — values {} — cases {}",
            a.name,
            a.what,
            a.values.join(", "),
            if std::ptr::eq(a.cases, ALL) {
                "all".to_string()
            } else {
                a.cases.join(", ")
            }
        );
    }
    s
}

/// `sweep`: runs each point through `compare` and returns the text (one line a point, then
/// the points where kernel and model differ, each with its first difference) and whether all
/// agreed. `save`: a folder for each differing point's scenario, to run again with
/// `compare FILE`.
pub fn run(
    axes: &[String],
    only: &[String],
    save: Option<&Path>,
    common: &Common,
) -> Result<(String, serde_json::Value, bool)> {
    let names = points(axes, only)?;
    if let Some(d) = save {
        std::fs::create_dir_all(d).ctx(|| format!("creating {}", d.display()))?;
    }
    let mut text = String::new();
    let mut differ = Vec::new();
    let mut results = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let sc = scenario(n).expect("points() keeps the names that have a scenario");
        let c = crate::compare::compare(&sc, common)?;
        let first = c
            .report
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
            .or_else(|| c.script_failures.first().cloned());
        let line = format!(
            "[{}/{}] {n:<60} {}\n",
            i + 1,
            names.len(),
            if c.passes() { "agree" } else { "DIFFER" }
        );
        if !common.quiet {
            eprint!("{line}");
        }
        text.push_str(&line);
        if !c.passes() {
            if let Some(d) = save {
                let p = d.join(format!("{}.json", n.replace(['+', '='], "_")));
                std::fs::write(&p, sc.to_json_pretty() + "\n")
                    .ctx(|| format!("writing {}", p.display()))?;
            }
            differ.push(format!(
                "  {n}: {} differing row(s); first: {}\n",
                c.report.differing,
                first.unwrap_or_default()
            ));
        }
        results.push(serde_json::json!({
            "point": n,
            "passes": c.passes(),
            "verdict": c.verdict(),
            "lab_late_us": c.kernel.disturbance_us,
        }));
    }
    let _ = writeln!(
        text,
        "{} of {} point(s) agree; {} differ{}",
        names.len() - differ.len(),
        names.len(),
        differ.len(),
        if differ.is_empty() { "" } else { ":" }
    );
    for d in &differ {
        text.push_str(d);
    }
    let json = serde_json::json!({
        "points": names.len(),
        "differ": differ.len(),
        "results": results,
    });
    Ok((text, json, differ.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_point_of_every_axis_is_a_scenario_the_model_and_the_lab_both_accept() {
        let all = points(&[], &[]).unwrap();
        assert!(all.len() > 200, "only {} points", all.len());
        for n in &all {
            let sc = scenario(n).unwrap();
            crate::runner::check(&sc).unwrap_or_else(|e| panic!("{n}: {e}"));
            synack_model::simulate(&sc).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert!(sc.limits.max_time_us <= MAX_HORIZON_MS * 1_000, "{n}");
        }
    }

    #[test]
    fn a_point_changes_its_case_in_the_named_parameter_only() {
        let base = crate::cases::scenario("handshake-syn-timeout").unwrap();
        let p = scenario("handshake-syn-timeout+syn_retries=4").unwrap();
        assert_eq!(p.tuning.syn_retries, Some(4));
        assert_eq!(p.faults, base.faults);
        assert_eq!(p.apps, base.apps);
        let d = scenario("teardown-client-first+delay=300").unwrap();
        assert_eq!(d.network.default.latency_us, 300_000);
        assert!(d.limits.max_time_us > base.limits.max_time_us.min(1_000_000));
    }

    #[test]
    fn the_backlog_axis_listens_with_n_and_sends_n_plus_two_clients() {
        let sc = scenario("backlog-full-syncookies+backlog=4").unwrap();
        let clients = sc
            .sockets
            .iter()
            .filter(|s| s.label.starts_with("client "))
            .count();
        assert_eq!(clients, 6);
        assert!(sc.apps.iter().any(|a| a
            .steps
            .iter()
            .any(|s| s.action == Action::Listen { backlog: 4 })));
    }

    #[test]
    fn an_unknown_axis_or_value_is_no_point() {
        assert!(scenario("handshake-normal+nope=1").is_none());
        assert!(scenario("handshake-normal+drop=client-bogus-1").is_none());
        assert!(points(&["nope".into()], &[]).is_err());
    }

    #[test]
    fn recorded_points_have_unique_names_apart_from_the_cases() {
        for (i, r) in RECORDED.iter().enumerate() {
            assert!(scenario(r.0).is_some(), "{} is no point", r.0);
            assert!(!crate::cases::NAMES.contains(&r.0), "{}", r.0);
            assert!(RECORDED[..i].iter().all(|o| o.0 != r.0), "{} twice", r.0);
        }
    }
}
