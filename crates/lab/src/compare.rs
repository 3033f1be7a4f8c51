//! `compare <experiment>`: the same situation on the kernel (over the user-space wire, so both
//! have the same one-way delay) and in the model (`synack_model::simulate` with the Linux
//! profile), reduced to facts both traces can state, side by side.
//!
//! A fact is either *exact* (a flag sequence, a state sequence, a count: must be equal) or a
//! *time* (must agree within 50 ms + the stated percentage of the model's value — the kernel
//! adds scheduling noise and rounds timers to jiffies). Facts marked "info" are shown but not
//! judged (for example the window-scale shift, which Linux derives from the buffer sizes of
//! the machine). Exit status 1 when a judged fact disagrees.

use serde::Serialize;
use synack_model::presets::{self, HandshakeCase, Knobs, TeardownCase};
use synack_model::profile::{ProfileId, ProfileOverrides};
use synack_model::scenario::{
    Action, AppScript, HostSpec, Limits, LinkSpec, NetworkSpec, Scenario, SocketSpec, Step,
};
use synack_model::trace::{
    EventKind, Header, Proto, QueueKind, SocketId, TcpState, TimerKind, Trace,
};

use crate::cli::{BacklogOpts, Common, First, TeardownOpts};
use crate::error::{LabError, Result};
use crate::experiments;
use crate::session::Outcome;

#[derive(Serialize, Clone, Debug)]
pub struct Row {
    pub fact: String,
    pub kernel: String,
    pub model: String,
    /// "exact", "time" or "info"
    pub kind: &'static str,
    pub agree: bool,
}

#[derive(Serialize)]
struct CompareSummary {
    experiment: String,
    delay_ms: u64,
    tolerance: String,
    rows: Vec<Row>,
    disagreements: usize,
    model_scenario: Scenario,
}

enum Val {
    Exact(String),
    Time(Option<u64>),
    Info(String),
}

pub fn run(exp: &str, common: &Common, tol_pct: f64) -> Result<(Outcome, Trace)> {
    let delay = common.delay_ms.unwrap_or(20).max(1);
    let mut c = common.clone();
    c.delay_ms = Some(delay);
    let knobs = Knobs {
        latency_ms: delay as f64,
        jitter_ms: 0.0,
        loss_pct: 0.0,
        seed: 1,
        profile: ProfileId::Linux,
    };
    let (kernel, scenario) = match exp {
        "handshake" => (
            experiments::conn::handshake(&c)?,
            presets::handshake(&knobs, HandshakeCase::Normal),
        ),
        "teardown" => {
            // The model's scene closes one "gap" (4 one-way delays, at least 50 ms) after
            // the previous step; the lab waits the same.
            let gap_ms = (4 * delay).max(50);
            let opts = TeardownOpts {
                first: First::Client,
                gap_ms,
                watch_time_wait: 1.0,
                abort: false,
            };
            (
                experiments::conn::teardown(&c, &opts)?,
                presets::teardown(&knobs, TeardownCase::ClientCloses),
            )
        }
        "backlog" => {
            let opts = BacklogOpts {
                backlog: 1,
                clients: 3,
                accept_every_ms: None,
                send: 5,
                synack_retries: 2,
                abort_on_overflow: false,
                max_syn_backlog: 128,
                syncookies: 1,
                gap_ms: Some(delay * 3 / 2),
                watch: None,
                preset: None,
            };
            let k = experiments::backlog::run(&c, &opts)?;
            let scen = backlog_scenario(delay, &opts, k.trace.duration_us);
            (k, scen)
        }
        other => {
            return Err(LabError::Usage(format!(
                "compare knows handshake, teardown and backlog, not {other:?}"
            )))
        }
    };
    let model = synack_model::simulate(&scenario)
        .map_err(|e| LabError::Protocol(format!("the model refused the scenario: {e}")))?;
    let kf = facts(exp, &kernel.trace);
    let mf = facts(exp, &model);
    let mut rows = Vec::new();
    for ((name, k), (_, m)) in kf.into_iter().zip(mf) {
        let (kind, ks, ms_, agree) = match (k, m) {
            (Val::Exact(a), Val::Exact(b)) => ("exact", a.clone(), b.clone(), a == b),
            (Val::Time(a), Val::Time(b)) => {
                let ok = match (a, b) {
                    (Some(a), Some(b)) => {
                        a.abs_diff(b) as f64 <= 50_000.0 + b as f64 * tol_pct / 100.0
                    }
                    (None, None) => true,
                    _ => false,
                };
                ("time", fmt_t(a), fmt_t(b), ok)
            }
            (Val::Info(a), Val::Info(b)) => ("info", a, b, true),
            _ => ("info", "?".into(), "?".into(), true),
        };
        rows.push(Row {
            fact: name,
            kernel: ks,
            model: ms_,
            kind,
            agree,
        });
    }
    let disagreements = rows.iter().filter(|r| !r.agree).count();
    let mut text = format!(
        "compare {exp}: Linux {} vs the model (Linux profile), one-way delay {delay} ms, \
         times within 50 ms + {tol_pct}%\n\n",
        crate::session::kernel_release()
    );
    let w = rows
        .iter()
        .map(|r| r.fact.chars().count())
        .max()
        .unwrap_or(10);
    let wk = rows
        .iter()
        .map(|r| r.kernel.chars().count())
        .max()
        .unwrap_or(10)
        .max(6);
    text.push_str(&format!("{:<w$}  {:<wk$}  model\n", "fact", "kernel"));
    for r in &rows {
        let mark = match (r.kind, r.agree) {
            ("info", _) => "  (info)",
            (_, true) => "  ok",
            (_, false) => "  DIFFERS",
        };
        text.push_str(&format!(
            "{:<w$}  {:<wk$}  {}{mark}\n",
            r.fact, r.kernel, r.model
        ));
    }
    text.push_str(&format!(
        "\n{}\n",
        if disagreements == 0 {
            "kernel and model agree on every judged fact".to_string()
        } else {
            format!("{disagreements} judged fact(s) differ")
        }
    ));
    let sum = CompareSummary {
        experiment: exp.into(),
        delay_ms: delay,
        tolerance: format!("50 ms + {tol_pct}% of the model's value"),
        rows,
        disagreements,
        model_scenario: scenario,
    };
    Ok((
        Outcome {
            summary: serde_json::to_value(&sum).unwrap_or_default(),
            text,
            trace: kernel.trace,
            pcap: kernel.pcap,
            ok: disagreements == 0,
        },
        model,
    ))
}

fn fmt_t(t: Option<u64>) -> String {
    match t {
        Some(us) => format!("{:.1} ms", us as f64 / 1000.0),
        None => "—".into(),
    }
}

/// The backlog situation as a model scenario: listen(backlog), nobody accepts, clients
/// connecting `gap` apart, each sending 5 bytes and waiting for an answer.
fn backlog_scenario(delay_ms: u64, o: &BacklogOpts, run_us: u64) -> Scenario {
    let mut sockets = vec![SocketSpec {
        label: "listener".into(),
        host: "server".into(),
        proto: Proto::Tcp,
        port: 9999,
        recv_buffer: None,
        send_buffer: None,
        no_delay: false,
        reuse_addr: false,
        join: Vec::new(),
    }];
    let mut apps = vec![AppScript {
        socket: "listener".into(),
        steps: vec![Step::now(Action::Listen {
            backlog: o.backlog.max(0) as u32,
        })],
    }];
    let gap = o.gap_ms.unwrap_or(0) * 1000;
    for i in 0..o.clients {
        let label = format!("client {}", i + 1);
        sockets.push(SocketSpec {
            label: label.clone(),
            host: "client".into(),
            proto: Proto::Tcp,
            port: 0,
            recv_buffer: None,
            send_buffer: None,
            no_delay: false,
            reuse_addr: false,
            join: Vec::new(),
        });
        let mut steps = vec![Step::at(
            10_000 + i as u64 * gap,
            Action::Connect {
                to: "server:9999".into(),
            },
        )];
        if o.send > 0 {
            steps.push(Step::now(Action::Send {
                len: o.send,
                message: None,
                content: None,
            }));
        }
        steps.push(Step::now(Action::Recv { max: 1024 }));
        apps.push(AppScript {
            socket: label,
            steps,
        });
    }
    Scenario {
        name: "lab/backlog".into(),
        description: "synack-lab compare backlog: a full accept queue".into(),
        seed: 1,
        profile: ProfileId::Linux,
        tuning: ProfileOverrides {
            synack_retries: Some(o.synack_retries),
            abort_on_overflow: Some(o.abort_on_overflow),
            max_syn_backlog: Some(o.max_syn_backlog),
            syncookies: Some(o.syncookies > 0),
            ..Default::default()
        },
        hosts: vec![
            HostSpec {
                name: "client".into(),
                addr: "10.47.0.1".into(),
            },
            HostSpec {
                name: "server".into(),
                addr: "10.47.0.2".into(),
            },
        ],
        network: NetworkSpec {
            default: LinkSpec {
                latency_us: delay_ms * 1000,
                ..LinkSpec::default()
            },
            directions: Vec::new(),
        },
        faults: Vec::new(),
        groups: Vec::new(),
        sockets,
        apps,
        limits: Limits {
            max_time_us: run_us.max(1_000_000),
            ..Limits::default()
        },
    }
}

/// Roles found structurally (labels differ between lab and model).
struct Roles {
    client: Option<SocketId>,
    conn: Option<SocketId>,
    server_port: u16,
    client_port: u16,
}

fn tcp_segments(tr: &Trace) -> Vec<(u64, &synack_model::trace::Segment)> {
    tr.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } if matches!(segment.header, Header::Tcp(_)) => {
                Some((e.t, segment))
            }
            _ => None,
        })
        .collect()
}

fn roles(tr: &Trace) -> Roles {
    let segs = tcp_segments(tr);
    let syn = segs.iter().find(|(_, s)| match &s.header {
        Header::Tcp(t) => t.flags.syn && !t.flags.ack,
        _ => false,
    });
    let Some((_, syn)) = syn else {
        return Roles {
            client: None,
            conn: None,
            server_port: 0,
            client_port: 0,
        };
    };
    let client = tr
        .sockets
        .iter()
        .find(|s| s.host == syn.src.host && s.local_port == syn.src.port)
        .map(|s| s.id);
    let conn = tr
        .sockets
        .iter()
        .find(|s| {
            s.host == syn.dst.host
                && s.local_port == syn.dst.port
                && s.remote.is_some_and(|r| r.port == syn.src.port)
        })
        .or_else(|| {
            tr.sockets
                .iter()
                .find(|s| s.host == syn.dst.host && s.parent.is_some())
        })
        .map(|s| s.id);
    Roles {
        client,
        conn,
        server_port: syn.dst.port,
        client_port: syn.src.port,
    }
}

fn state_seq(
    tr: &Trace,
    id: Option<SocketId>,
    from: Option<TcpState>,
    until: Option<TcpState>,
) -> String {
    let Some(id) = id else { return "—".into() };
    let mut v: Vec<TcpState> = Vec::new();
    let mut started = from.is_none();
    for e in &tr.events {
        if let EventKind::StateChanged {
            socket,
            from: f,
            to,
        } = &e.kind
        {
            if *socket != id {
                continue;
            }
            if !started && (Some(*f) == from || Some(*to) == from) {
                started = true;
                if Some(*f) == from {
                    v.push(*f);
                }
            }
            if started && v.last() != Some(to) {
                v.push(*to);
            }
            if started && Some(*to) == until {
                break;
            }
        }
    }
    if v.is_empty() {
        "—".into()
    } else {
        v.iter()
            .map(|s| s.rfc_name())
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

fn flags_of(s: &synack_model::trace::Segment) -> String {
    crate::analyze::flags(s)
}

fn facts(exp: &str, tr: &Trace) -> Vec<(String, Val)> {
    let r = roles(tr);
    let segs = tcp_segments(tr);
    let mut out = Vec::new();
    match exp {
        "handshake" => {
            let first3: Vec<String> = segs.iter().take(3).map(|(_, s)| flags_of(s)).collect();
            out.push((
                "first three segments".into(),
                Val::Exact(first3.join(" | ")),
            ));
            let t0 = segs.first().map(|(t, _)| *t);
            let t_of = |i: usize| segs.get(i).and_then(|(t, _)| t0.map(|a| t - a));
            out.push(("SYN → SYN-ACK sent".into(), Val::Time(t_of(1))));
            out.push(("SYN → final ACK sent".into(), Val::Time(t_of(2))));
            out.push((
                "client states".into(),
                Val::Exact(state_seq(tr, r.client, None, Some(TcpState::Established))),
            ));
            out.push((
                "server connection states".into(),
                Val::Exact(state_seq(
                    tr,
                    r.conn,
                    Some(TcpState::SynReceived),
                    Some(TcpState::Established),
                )),
            ));
            let opts = segs.first().and_then(|(_, s)| match &s.header {
                Header::Tcp(t) => Some(t.options.clone()),
                _ => None,
            });
            let o = opts.unwrap_or_default();
            out.push((
                "SYN options present".into(),
                Val::Exact(format!(
                    "MSS {} SACK-perm {} TS {} WS {}",
                    yes(o.mss.is_some()),
                    yes(o.sack_permitted),
                    yes(o.timestamps.is_some()),
                    yes(o.window_scale.is_some())
                )),
            ));
            out.push((
                "SYN option values".into(),
                Val::Info(format!(
                    "mss={} wscale={}",
                    o.mss.map(|m| m.to_string()).unwrap_or("-".into()),
                    o.window_scale.map(|m| m.to_string()).unwrap_or("-".into())
                )),
            ));
        }
        "teardown" => {
            let fins: Vec<String> = segs
                .iter()
                .filter(|(_, s)| matches!(&s.header, Header::Tcp(t) if t.flags.fin))
                .map(|(_, s)| {
                    if s.src.port == r.client_port {
                        "client FIN".to_string()
                    } else {
                        "server FIN".to_string()
                    }
                })
                .collect();
            out.push(("FIN order".into(), Val::Exact(fins.join(", "))));
            out.push((
                "closer (client) states".into(),
                Val::Exact(state_seq(
                    tr,
                    r.client,
                    Some(TcpState::Established),
                    Some(TcpState::TimeWait),
                )),
            ));
            out.push((
                "other side (server) states".into(),
                Val::Exact(state_seq(
                    tr,
                    r.conn,
                    Some(TcpState::Established),
                    Some(TcpState::Closed),
                )),
            ));
            let tw = tr.events.iter().find_map(|e| match &e.kind {
                EventKind::TimerSet {
                    socket,
                    timer: TimerKind::TimeWait,
                    expires_us,
                } if Some(*socket) == r.client => Some(expires_us.saturating_sub(e.t)),
                _ => None,
            });
            // TIME-WAIT length: whole seconds (sock_diag reports ms, rounded down).
            out.push((
                "TIME-WAIT timer at entry".into(),
                Val::Exact(match tw {
                    Some(us) => format!("{:.0} s", (us as f64 / 1e6).round()),
                    None => "—".into(),
                }),
            ));
            let first_fin = segs
                .iter()
                .find(|(_, s)| matches!(&s.header, Header::Tcp(t) if t.flags.fin))
                .map(|(t, _)| *t);
            let second_fin = segs
                .iter()
                .filter(|(_, s)| matches!(&s.header, Header::Tcp(t) if t.flags.fin))
                .nth(1)
                .map(|(t, _)| *t);
            out.push((
                "first FIN → second FIN".into(),
                Val::Info(fmt_t(first_fin.zip(second_fin).map(|(a, b)| b - a))),
            ));
        }
        "backlog" => {
            // Listener: the socket on the server's port without a remote.
            let listener = tr
                .sockets
                .iter()
                .find(|s| s.local_port == r.server_port && s.remote.is_none())
                .map(|s| s.id);
            let peak = listener
                .and_then(|l| crate::analyze::queue_peak(tr, l, QueueKind::AcceptQueue))
                .map(|(l, _)| l);
            out.push((
                "accept queue peak".into(),
                Val::Exact(peak.map(|p| p.to_string()).unwrap_or("—".into())),
            ));
            // Which clients got more than one SYN-ACK (the overflowing request).
            let mut per_client: std::collections::BTreeMap<u16, Vec<u64>> = Default::default();
            for (t, s) in &segs {
                if let Header::Tcp(h) = &s.header {
                    if h.flags.syn && h.flags.ack && s.src.port == r.server_port {
                        per_client.entry(s.dst.port).or_default().push(*t);
                    }
                }
            }
            let retried: Vec<&Vec<u64>> = per_client.values().filter(|v| v.len() > 1).collect();
            out.push((
                "clients whose SYN-ACK was retransmitted".into(),
                Val::Exact(retried.len().to_string()),
            ));
            let first = retried.first();
            out.push((
                "SYN-ACK retransmissions".into(),
                Val::Exact(
                    first
                        .map(|v| (v.len() - 1).to_string())
                        .unwrap_or("0".into()),
                ),
            ));
            for k in 1..3 {
                out.push((
                    format!("SYN-ACK #{k} after the first"),
                    Val::Time(first.and_then(|v| v.get(k).map(|t| t - v[0]))),
                ));
            }
            let rst = segs.iter().any(|(_, s)| {
                matches!(&s.header, Header::Tcp(t) if t.flags.rst)
                    && s.src.port == r.server_port
                    && first.is_some()
            });
            out.push((
                "server answers the late data with RST".into(),
                Val::Exact(yes(rst).into()),
            ));
            let overflows = crate::analyze::counters(tr, "server")
                .get("ListenOverflows")
                .copied();
            out.push((
                "ListenOverflows".into(),
                Val::Info(overflows.map(|v| v.to_string()).unwrap_or("—".into())),
            ));
        }
        _ => {}
    }
    out
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
