//! Runs the experiments for real on this machine's kernel and checks the kernel's facts.
//!
//! Every test runs the `synack-lab` binary with `--json`. If the binary reports missing
//! privileges (exit status 3: it could not create a network namespace or open a packet
//! socket), the test prints why and returns early — the only allowed skip. Everything else
//! is asserted. Namespaces are anonymous and private to each run, so tests can run in
//! parallel; timing assertions use generous windows (facts, not exact timings).

mod common;
use common::*;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use synack_model::presets::{self, Knobs};

/// `compare` and `record` run their threads at real-time priority (runner.rs), which on this
/// two-core machine can starve another experiment's ordinary sock_diag poller running at the
/// same time (it then misses a 20 ms state): they run alone, the others share.
static SCHEDULING: std::sync::RwLock<()> = std::sync::RwLock::new(());

enum Turn<'a> {
    Shared(#[allow(dead_code)] std::sync::RwLockReadGuard<'a, ()>),
    Alone(#[allow(dead_code)] std::sync::RwLockWriteGuard<'a, ()>),
}

fn turn(args: &[&str]) -> Turn<'static> {
    if matches!(args.first(), Some(&"compare") | Some(&"record")) {
        Turn::Alone(SCHEDULING.write().unwrap_or_else(|e| e.into_inner()))
    } else {
        Turn::Shared(SCHEDULING.read().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Runs the lab; `None` (after printing why) when privileges are missing.
fn lab(args: &[&str]) -> Option<(Value, i32)> {
    let _turn = turn(args);
    let out = Command::new(bin())
        .args(args)
        .arg("--json")
        .output()
        .expect("the synack-lab binary runs");
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if code == 3 {
        eprintln!("SKIPPED {args:?}: missing privilege: {stderr}");
        return None;
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?} exited {code} without JSON ({e}); stderr:\n{stderr}"));
    Some((v, code))
}

/// Runs and also checks the trace file validates and has something for the viewer to draw.
fn lab_trace(name: &str, args: &[&str]) -> Option<(Value, i32, synack_model::trace::Trace)> {
    let out = tmp(&format!("{name}.json"));
    let pcap = tmp(&format!("{name}.pcap"));
    let mut a: Vec<&str> = args.to_vec();
    let (o, p) = (
        out.to_string_lossy().into_owned(),
        pcap.to_string_lossy().into_owned(),
    );
    a.extend_from_slice(&["--out", &o, "--pcap", &p]);
    let (v, code) = lab(&a)?;
    let text = std::fs::read_to_string(&out).expect("trace written");
    let trace = synack_model::trace::Trace::from_json(&text).expect("trace validates");
    assert_eq!(trace.hosts.len(), 2);
    assert!(!trace.sockets.is_empty());
    assert!(trace
        .events
        .iter()
        .any(|e| matches!(e.kind, synack_model::trace::EventKind::SegmentSent { .. })));
    let bytes = std::fs::read(&pcap).expect("pcap written");
    assert_eq!(&bytes[..4], &0xa1b2_c3d4u32.to_le_bytes(), "pcap magic");
    assert!(bytes.len() > 24 + 16, "pcap has packets");
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&pcap);
    Some((v, code, trace))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn help_has_examples_and_privileges() {
    let out = Command::new(bin()).arg("--help").output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(s.contains("Examples"), "{s}");
    assert!(s.contains("CAP_NET_RAW"), "{s}");
}

#[test]
fn handshake_three_segments_and_states() {
    let Some((v, code, trace)) = lab_trace("handshake", &["handshake"]) else {
        return;
    };
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["handshake_ok"], true);
    let p = v["packets"].as_array().unwrap();
    assert_eq!(p[0]["flags"], "SYN");
    assert_eq!(p[1]["flags"], "SYN, ACK");
    assert_eq!(p[2]["flags"], "ACK");
    assert!(v["syn_options"]["mss"].as_u64().is_some());
    assert!(
        strs(&v["states"]["client"]).contains(&"ESTABLISHED".to_string()),
        "{}",
        v["states"]
    );
    // The loopback capture pairs each packet's two copies: every segment sent also arrived.
    let sent = trace
        .events
        .iter()
        .filter(|e| matches!(e.kind, synack_model::trace::EventKind::SegmentSent { .. }))
        .count();
    let arrived = trace
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                synack_model::trace::EventKind::SegmentArrived { .. }
            )
        })
        .count();
    assert_eq!(sent, arrived);
}

#[test]
fn time_wait_is_60_s_seen_then_gone() {
    // Linux's TIME-WAIT is TCP_TIMEWAIT_LEN = 60 s, not a sysctl: we watch it for real.
    let t = Instant::now();
    let Some((v, code)) = lab(&["teardown", "--watch-time-wait", "68"]) else {
        return;
    };
    assert_eq!(code, 0, "{v}");
    let tw = &v["time_wait"];
    assert_eq!(tw["socket"], "client", "the side that closes first waits");
    let timer = tw["timer_ms_at_first_sight"].as_f64().unwrap();
    assert!(
        (59_000.0..=60_000.0).contains(&timer),
        "TIME-WAIT timer {timer} ms"
    );
    let gone = tw["gone_after_ms"]
        .as_f64()
        .expect("TIME-WAIT ended while we watched");
    assert!(
        (58_000.0..=63_000.0).contains(&gone),
        "gone after {gone} ms"
    );
    assert!(t.elapsed() < Duration::from_secs(75));
}

#[test]
fn teardown_server_first_and_abort() {
    let Some((v, _)) = lab(&["teardown", "--first", "server", "--watch-time-wait", "0.3"]) else {
        return;
    };
    assert_eq!(v["time_wait"]["socket"], "server");
    assert!(
        strs(&v["states"]["client"]).contains(&"CLOSE-WAIT".to_string()),
        "{}",
        v["states"]
    );
    let Some((v, _)) = lab(&["teardown", "--abort", "--watch-time-wait", "0.3"]) else {
        return;
    };
    assert_eq!(v["rst_seen"], true);
    assert!(
        v["time_wait"].is_null(),
        "an abortive close leaves no TIME-WAIT"
    );
}

#[test]
fn simultaneous_close_goes_through_closing() {
    // Over the wire (20 ms each way) both FINs are in flight at once.
    let Some((v, _)) = lab(&[
        "teardown",
        "--first",
        "both",
        "--delay-ms",
        "20",
        "--watch-time-wait",
        "0.3",
    ]) else {
        return;
    };
    assert_eq!(v["closing_seen"], true, "{}", v["states"]);
}

#[test]
fn accept_queue_holds_backlog_plus_one() {
    let Some((v, _, trace)) = lab_trace(
        "backlog-queue",
        &[
            "backlog",
            "--backlog",
            "2",
            "--clients",
            "5",
            "--synack-retries",
            "1",
            "--delay-ms",
            "50",
        ],
    ) else {
        return;
    };
    assert_eq!(v["accept_queue_max"], 3, "{}", v["accept_queue_series"]);
    // The final ACK that met the full queue is recorded as dropped, as the model does.
    assert!(trace.events.iter().any(|e| matches!(
        &e.kind,
        synack_model::trace::EventKind::SegmentDropped {
            reason: synack_model::trace::DropReason::AcceptQueueFull,
            ..
        }
    )));
    assert!(
        v["counters"]["ListenOverflows"].as_u64().unwrap_or(0) >= 1,
        "{}",
        v["counters"]
    );
}

#[test]
fn full_queue_retries_synack_then_resets_the_data_sender() {
    // Backlog 1, three clients 75 ms apart over a 50 ms wire: the third one's SYN arrives
    // while the queue has room, its final ACK when it is full (the situation of the chapter's capture).
    let Some((v, code)) = lab(&[
        "backlog",
        "--send",
        "5",
        "--synack-retries",
        "2",
        "--delay-ms",
        "50",
    ]) else {
        return;
    };
    assert_eq!(code, 0);
    let c3 = &v["clients_report"][2];
    assert_eq!(c3["outcome"], "reset", "{v}");
    assert_eq!(c3["errno"], "ECONNRESET");
    let sa: Vec<f64> = c3["synack_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(sa.len(), 3, "SYN-ACK + 2 retries: {sa:?}");
    assert!((800.0..1600.0).contains(&sa[1]), "{sa:?}");
    assert!((2500.0..4200.0).contains(&sa[2]), "{sa:?}");
    let data = c3["data_tx_ms"].as_array().unwrap();
    assert!(data.len() >= 4, "the client retransmits its data: {data:?}");
    assert!(v["rst_count"].as_u64().unwrap() >= 1);
    assert!(v["counters"]["ListenOverflows"].as_u64().unwrap() >= 1);
    assert_eq!(
        v["clients_report"][0]["outcome"],
        "in the accept queue (never accepted)"
    );
}

#[test]
fn abort_on_overflow_answers_with_rst() {
    let Some((v, _)) = lab(&[
        "backlog",
        "--abort-on-overflow",
        "--send",
        "5",
        "--synack-retries",
        "1",
        "--delay-ms",
        "50",
        "--watch",
        "2",
    ]) else {
        return;
    };
    let c3 = &v["clients_report"][2];
    assert_eq!(c3["outcome"], "reset", "{v}");
    assert_eq!(
        c3["synack_ms"].as_array().unwrap().len(),
        1,
        "no SYN-ACK retries: the ACK got an RST"
    );
    assert_eq!(v["sysctls"]["net.ipv4.tcp_abort_on_overflow"], "1");
}

#[test]
fn silent_client_is_left_half_open() {
    let Some((v, _)) = lab(&[
        "backlog",
        "--send",
        "0",
        "--synack-retries",
        "1",
        "--delay-ms",
        "50",
    ]) else {
        return;
    };
    assert_eq!(v["clients_report"][2]["outcome"], "half-open", "{v}");
    assert_eq!(v["half_open"], 1);
}

#[test]
fn nagle_merges_small_writes_nodelay_does_not() {
    let Some((v, code, trace)) = lab_trace("sticky", &["sticky", "--count", "10", "--size", "8"])
    else {
        return;
    };
    assert_eq!(code, 0);
    let modes = v["modes"].as_array().unwrap();
    let nagle = modes.iter().find(|m| m["mode"] == "nagle").unwrap();
    let nodelay = modes.iter().find(|m| m["mode"] == "nodelay").unwrap();
    let n = nagle["segments"].as_array().unwrap().len();
    let d = nodelay["segments"].as_array().unwrap().len();
    assert!(n < 10, "Nagle should merge: {}", nagle["segments"]);
    assert_eq!(
        d, 10,
        "TCP_NODELAY: one segment per write: {}",
        nodelay["segments"]
    );
    for m in modes {
        assert_eq!(m["recovered_messages"], 10);
        assert_eq!(m["recovered_equal"], true);
    }
    // A viewer can do the same from the trace alone: rebuild the bytes each framed-phase
    // recv() returned (synack_model::codec::stream_bytes) and decode them.
    use synack_model::trace::{AppResult, EventKind};
    let framed = |id: u32| {
        let m = &trace.messages[id as usize];
        m.content.is_some() || id > 0 && trace.messages[id as usize - 1].content.is_some()
    };
    let mut per_socket: std::collections::BTreeMap<
        u16,
        synack_model::codec::length_prefix::Decoder,
    > = Default::default();
    let mut decoded = Vec::new();
    for e in &trace.events {
        if let EventKind::AppReturn {
            socket,
            result: AppResult::Data { payload, .. },
            ..
        } = &e.kind
        {
            let spans: Vec<_> = payload
                .iter()
                .copied()
                .filter(|s| framed(s.message.0))
                .collect();
            if spans.is_empty() {
                continue;
            }
            let bytes = synack_model::codec::stream_bytes(&trace, &spans);
            decoded.extend(
                per_socket
                    .entry(socket.0)
                    .or_default()
                    .feed(&bytes)
                    .unwrap(),
            );
        }
    }
    assert_eq!(decoded.len(), 20, "10 framed messages per connection");
    assert!(decoded.iter().all(|m| m.len() == 8));
}

#[test]
fn late_reader_gets_merged_chunks() {
    let Some((v, _)) = lab(&[
        "sticky",
        "--mode",
        "nodelay",
        "--read-delay-ms",
        "150",
        "--buf",
        "4096",
    ]) else {
        return;
    };
    let m = &v["modes"][0];
    // Ten separate segments, but the late reader gets them in one recv().
    assert_eq!(m["segments"].as_array().unwrap().len(), 10);
    assert_eq!(
        m["recv_chunks"].as_array().unwrap().len(),
        1,
        "{}",
        m["recv_chunks"]
    );
}

#[test]
fn udp_keeps_boundaries_and_flags_truncation() {
    let Some((v, code, _)) = lab_trace("udp", &["udp"]) else {
        return;
    };
    assert_eq!(code, 0);
    assert_eq!(v["boundaries_sent"], v["boundaries_received"]);
    assert_eq!(v["truncated_flagged"], true);
    assert_eq!(v["trunc_kept"], 16);
    assert_eq!(v["trunc_reported_len"], 100);
    assert_eq!(v["senders_received"].as_array().unwrap().len(), 4);
    let reuse: u64 = v["reuse_unicast_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(reuse, 4, "each unicast datagram reaches exactly one socket");
    assert_eq!(
        v["multicast_counts"],
        serde_json::json!([4, 4]),
        "every member gets every datagram"
    );
}

#[test]
fn loss_recovers_a_dropped_segment() {
    let Some((v, code, trace)) =
        lab_trace("loss", &["loss", "--bytes", "8000", "--drop-data", "3"])
    else {
        return;
    };
    assert_eq!(code, 0);
    assert_eq!(v["intact"], true);
    assert_eq!(v["dropped_by_wire"], 1);
    assert!(v["retransmissions"].as_u64().unwrap() >= 1);
    assert!(trace.events.iter().any(|e| matches!(
        &e.kind,
        synack_model::trace::EventKind::SegmentDropped {
            reason: synack_model::trace::DropReason::Fault { rule: 0 },
            ..
        }
    )));
}

#[test]
fn compare_exits_non_zero_exactly_when_a_row_differs() {
    let Some((v, code)) = lab(&["compare", "handshake-normal"]) else {
        return;
    };
    let r = &v["results"][0];
    let differing = r["report"]["differing"].as_u64().unwrap();
    assert_eq!(
        code == 0,
        differing == 0,
        "exit {code}, {differing} rows differ"
    );
    assert_eq!(r["passes"], differing == 0);
    assert!(r["report"]["rows"].as_array().unwrap().len() >= 3 + 4 + 3);
    // The machine's parameters reached the model's scenario.
    assert_eq!(
        r["scenario"]["tuning"]["mss"], r["machine"]["mss"],
        "the MSS measured from the MTU is the model's"
    );
    assert_eq!(
        r["scenario"]["tuning"]["window_scale"],
        r["machine"]["window_scale"]
    );
}

#[test]
fn compare_refuses_what_the_lab_cannot_reproduce() {
    // UDP runs; multicast does not (the wire joins two hosts point to point).
    let path = tmp("multicast-scenario.json");
    std::fs::write(
        &path,
        r#"{"name":"u","hosts":[{"name":"a","addr":"1"},{"name":"b","addr":"2"}],
            "groups":[{"name":"g","addr":"239.1.1.1"}],
            "sockets":[{"label":"s","host":"a","proto":"udp","join":["g"]}]}"#,
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["compare", path.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("multicast"), "{err}");
}

/// Issue 18's "done when": a scripted peer (docs/examples) played by the lab's wire against
/// the real kernel, the kernel's segments checked by the model's own expectation checker,
/// and the kernel's run diffed against the model's. A run the machine's load disturbed is
/// tried again (at most three times), as `record` does; a failed expectation prints the
/// script's line.
#[test]
fn scripted_peers_reproduce_zero_window_probes_and_sack_recovery_against_the_kernel() {
    for case in ["zero-window-probes", "sack-recovery-scripted"] {
        let mut last = String::new();
        let mut passed = false;
        for _attempt in 0..3 {
            let Some((v, code, trace)) = lab_trace(case, &["compare", case]) else {
                return;
            };
            let r = &v["results"][0];
            // The scripted host shows in the kernel's trace as the model shows it.
            let script = trace
                .sockets
                .iter()
                .find(|s| s.scripted)
                .expect("the script's end is in the socket list");
            assert!(script.label.ends_with(" (script)"), "{}", script.label);
            assert!(
                trace
                    .hosts
                    .iter()
                    .any(|h| script.label.starts_with(&h.name)),
                "hosts carry the scenario's names"
            );
            assert_eq!(code == 0, r["passes"] == true, "{v}");
            if code == 0 {
                assert_eq!(r["script_failures"], serde_json::json!([]));
                passed = true;
                break;
            }
            last = format!("{}\n{}", r["verdict"], r["script_failures"]);
            eprintln!("{case}: {last} (lab late ≤ {} µs); again", r["lab_late_us"]);
        }
        assert!(passed, "{case}: {last}");
    }
}

/// The format's "an accept after an accept goes back to the listener" (docs/examples'
/// close-with-linger.json and reuseport-workers.json accept twice and more in a row), which
/// the lab refused as "accept on a socket that is not listening"; and the two workers'
/// connections split as the kernel's hash split them, which the model is given.
#[test]
fn the_documented_examples_that_accept_in_a_row_run_and_agree_on_the_kernel() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples/");
    for example in ["close-with-linger", "reuseport-workers"] {
        let path = format!("{dir}{example}.json");
        let mut last = String::new();
        let mut passed = false;
        for _attempt in 0..3 {
            let Some((v, code, trace)) = lab_trace(example, &["compare", &path]) else {
                return;
            };
            assert_ne!(code, 2, "{example}: refused: {v}");
            let accepted = trace
                .events
                .iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        synack_model::trace::EventKind::AppReturn {
                            result: synack_model::trace::AppResult::Accepted { .. },
                            ..
                        }
                    )
                })
                .count();
            assert!(accepted >= 2, "{example}: {accepted} accept()s returned");
            if code == 0 {
                passed = true;
                break;
            }
            last = v["results"][0]["verdict"].to_string();
            eprintln!("{example}: {last}; again");
        }
        assert!(passed, "{example}: {last}");
    }
}

/// A wrong expectation fails the run on both sides with the model's error: the script's
/// line, the expected and the actual segment.
#[test]
fn a_wrong_expectation_in_a_scripted_peer_fails_compare_naming_the_line() {
    let path = tmp("wrong-expectation.json");
    std::fs::write(
        &path,
        r#"{"name": "wrong", "hosts": [
             {"name": "client", "addr": "10.0.0.1"},
             {"name": "server", "addr": "10.0.0.2", "script": {"port": 80, "lines": [
               {"expect": {"flags": "S"}},
               {"send": {"flags": "S.", "ack": 1, "options": {"mss": 1000}}},
               {"expect": {"flags": ".", "seq": 1, "ack": 1}},
               {"expect": {"flags": "P.", "seq": 1, "len": 99}}
             ]}}],
           "sockets": [{"label": "client", "host": "client", "proto": "tcp"}],
           "apps": [{"socket": "client", "steps": [
             {"call": "connect", "to": "server:80"}, {"call": "send", "len": 100}]}],
           "limits": {"max_time_us": 300000}}"#,
    )
    .unwrap();
    let Some((v, code)) = lab(&["compare", path.to_str().unwrap()]) else {
        return;
    };
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 1, "{v}");
    let r = &v["results"][0];
    assert_eq!(r["passes"], false);
    let failures = strs(&r["script_failures"]);
    for side in ["kernel", "model"] {
        let f = failures
            .iter()
            .find(|f| f.starts_with(side))
            .unwrap_or_else(|| panic!("no {side} failure in {failures:?}"));
        assert!(
            f.contains(r#"script of "server", lines[3]: expected P. seq=1 ack=* win=* len=99"#)
                && f.contains("got P. seq=1 ack=1 win=")
                && f.contains("len=100")
                && f.contains("(differs in len)"),
            "{f}"
        );
    }
    assert!(r["verdict"]
        .as_str()
        .unwrap()
        .starts_with("SCRIPT FAILED: kernel: script of"));
}

/// The checked-in recordings, next to the workspace root.
fn recordings() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/kernel-recordings")
}

/// The cases of a `record` run whose fresh kernel run the model agrees with, run on that
/// run's own timer ticks (its "… model: agree" lines). A fresh run that differs from its
/// recording but agrees with the model has not drifted: what differs is an input the model
/// takes from the run, most often where this boot's ticks fall. Seen on
/// later-armed-syn-timer-on-a-shared-tick-fires-first: whether a 32 ms wheel boundary lies
/// between two SYN timers decides which client gets the accept queue's last place, so two
/// runs of an unchanged kernel differ (3 compares, each agreeing with the model: client 5
/// first twice, client 4 once).
fn model_agrees(record_stdout: &str) -> std::collections::BTreeSet<String> {
    record_stdout
        .lines()
        .filter(|l| l.contains("; model: agree"))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn a_record_line_whose_model_agrees_names_its_case_and_one_that_differs_does_not() {
    let out = "\
later-armed-syn-timer-on-a-shared-tick-fires-first 219 events, 40 packets, lab late ≤ 0.1 ms, \
dumps ≤ 2.0 ms apart; model: agree: 40 segments, 20 state changes, 18 calls
pacing-rate-survives-the-idle-restart 182 events, 42 packets, lab late ≤ 0.2 ms, dumps ≤ 4.5 \
ms apart; model: DIFFER: 16 of 62 rows; first: segment ack 7241 vs 4345
  warning: sock_diag dumps were up to 59.4 ms apart
recorded 2 case(s) in /tmp/x; the model agrees on 1 of them
";
    assert_eq!(
        model_agrees(out).into_iter().collect::<Vec<_>>(),
        ["later-armed-syn-timer-on-a-shared-tick-fires-first"]
    );
}

/// Whether `case`'s difference from its recording is one the model explains (`model_agrees`),
/// said on the test's output.
fn explained(agreeing: &std::collections::BTreeSet<String>, case: &str) -> bool {
    let yes = agreeing.contains(case);
    if yes {
        println!("{case}: differs from its recording, agrees with the model on this run's ticks");
    }
    yes
}

/// Re-records every case on this kernel and diffs each new kernel trace against the
/// checked-in one with the model's differential (kernel against kernel). Any difference but
/// timing is drift and fails the test; timing differences are reported (this machine's load
/// moves them; `record` says by how much). With no recording for this kernel version, the
/// drift against the nearest one is reported, not judged: kernels may differ.
///
/// Only a fourteenth of the cases (the sweep's recorded points included) is re-recorded, turning
/// with the day: recording all of them took 7 of the 30 minutes a CI run may take (a third took
/// 3 min 19 s, 33 cases), for one kernel that does not change between two days' runs; two
/// weeks' runs cover them all; a run records about 12 of 165 cases, where a seventh was 24.
/// `SYNACK_DRIFT_ALL=1` re-records every case (before committing new recordings, say).
/// A fresh run that differs from its recording but agrees with the model on its own ticks is
/// not drift ([`model_agrees`]): the model agrees with every recording, so what differs is an
/// input it takes from the run.
#[test]
fn recordings_have_not_drifted_from_this_kernel() {
    const SHARES: u64 = 14;
    let dir = tmp("recordings");
    let _ = std::fs::remove_dir_all(&dir);
    let day = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let all = std::env::var_os("SYNACK_DRIFT_ALL").is_some_and(|v| v == "1");
    let share = format!("{}/{SHARES}", day % SHARES);
    let first = turn(&["record"]);
    let out = Command::new(bin())
        .arg("record")
        .args(if all { vec![] } else { vec!["--share", &share] })
        .args(["--dir", dir.to_str().unwrap()])
        .output()
        .expect("the synack-lab binary runs");
    if out.status.code() == Some(3) {
        eprintln!(
            "SKIPPED: missing privilege: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert!(
        out.status.success(),
        "record failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(first);
    println!("{}", String::from_utf8_lossy(&out.stdout));
    let explained_first = model_agrees(&String::from_utf8_lossy(&out.stdout));
    let fresh = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .next()
        .expect("record made a kernel folder")
        .path();
    let kernel = fresh.file_name().unwrap().to_string_lossy().into_owned();
    let same = recordings().join(&kernel);
    let (reference, judged) = if same.is_dir() {
        (same, true)
    } else {
        let mut others: Vec<PathBuf> = std::fs::read_dir(recordings())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        others.sort();
        let Some(nearest) = others.pop() else {
            panic!("no checked-in recordings under {}", recordings().display());
        };
        eprintln!(
            "no recordings for {kernel}; reporting drift against {} without judging it \
             (commit `synack-lab record`'s output for this kernel)",
            nearest.display()
        );
        (nearest, false)
    };
    // One case's structural drift (a segment, state or result that differs; timing alone is
    // reported, not judged), or None.
    let judge_between =
        |reference: &std::path::Path, fresh: &std::path::Path, case: &str| -> Option<String> {
            let name = format!("{case}.trace.json");
            let read = |d: &std::path::Path| {
                let text = std::fs::read_to_string(d.join(&name))
                    .unwrap_or_else(|e| panic!("{}/{name}: {e}", d.display()));
                synack_model::trace::Trace::from_json(&text).unwrap()
            };
            if !reference.join(&name).exists() {
                return Some(format!("{case}: not in the checked-in recordings"));
            }
            let r = synack_model::diff::diff(
                &read(reference),
                &read(fresh),
                None,
                synack_model::diff::Tolerance::default(),
            );
            if r.passes() {
                return None;
            }
            println!(
                "== drift in {case} ({} | {})\n{}",
                reference.display(),
                fresh.display(),
                r.table()
            );
            let structural: Vec<String> = r
                .rows
                .iter()
                .flat_map(|row| row.differences.iter())
                .filter(|d| !(d.starts_with("sent at ") || d.starts_with("at ")))
                .cloned()
                .collect();
            // The same segments in another order: the alignment leaves one copy lone on each side
            // when a retransmission and another segment swap places by a few ms (seen between two
            // runs of a backlog case under load). As many lone on one side as on the other, and
            // nothing else, is timing, not a kernel that behaves differently.
            let lone = |what: &str| structural.iter().filter(|d| d.as_str() == what).count();
            let (left, right) = (
                lone("missing in the model"),
                lone("missing in the kernel run"),
            );
            let reordered = left == right && left + right == structural.len();
            (!structural.is_empty() && !reordered)
                .then(|| format!("{case}: {}", structural.join("; ")))
        };
    let judge = |fresh: &std::path::Path, case: &str| judge_between(&reference, fresh, case);
    let cases: Vec<String> = std::fs::read_dir(&fresh)
        .unwrap()
        .flatten()
        .filter_map(|f| {
            let name = f.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".trace.json").map(str::to_string)
        })
        .collect();
    let drifted: Vec<String> = cases
        .iter()
        .filter(|c| judge(&fresh, c).is_some() && !explained(&explained_first, c))
        .cloned()
        .collect();
    // A case is recorded once more before its drift counts: on a loaded machine a timer firing
    // late can put one retransmission on the other side of the run's end. Drift that comes back
    // in the second run is the kernel's, unless the two fresh runs differ from each other as
    // well: then the kernel does not do one thing there (a bulk transfer's GSO chunks and
    // forced PSH follow when the writer and the ACKs get the CPU, seen on cubic-one-loss and
    // cubic-three-losses, each fresh run differing from the last), and no recording can be
    // the one it drifted from. Those cases are reported, not judged.
    let mut drift = Vec::new();
    let mut varies = Vec::new();
    if !drifted.is_empty() {
        let again = tmp("recordings-again");
        let _ = std::fs::remove_dir_all(&again);
        let second = turn(&["record"]);
        let out = Command::new(bin())
            .args(["record", "--dir", again.to_str().unwrap()])
            .args(&drifted)
            .output()
            .expect("the synack-lab binary runs");
        drop(second);
        assert!(
            out.status.success(),
            "record failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let again_k = again.join(&kernel);
        let explained_again = model_agrees(&String::from_utf8_lossy(&out.stdout));
        for c in &drifted {
            let Some(d) = judge(&again_k, c) else {
                continue;
            };
            if explained(&explained_again, c) {
                continue;
            }
            match judge_between(&fresh, &again_k, c) {
                Some(between) => {
                    varies.push(format!("{d}\n  (and between two fresh runs: {between})"))
                }
                None => drift.push(d),
            }
        }
        let _ = std::fs::remove_dir_all(&again);
    }
    let cases = cases.len();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(cases > 0, "record wrote no traces");
    if !varies.is_empty() {
        eprintln!(
            "varies from run to run on this kernel (reported, not judged):\n{}",
            varies.join("\n")
        );
    }
    if judged {
        assert!(
            drift.is_empty(),
            "this kernel no longer does what its recordings say:\n{}",
            drift.join("\n")
        );
    } else if !drift.is_empty() {
        eprintln!("drift (not judged):\n{}", drift.join("\n"));
    }
}

#[test]
fn host_loopback_fallback_runs() {
    // The unprivileged path (here as root, so it also captures): ephemeral port, host lo.
    let Some((v, code)) = lab(&["handshake", "--host"]) else {
        return;
    };
    assert_eq!(code, 0);
    assert_eq!(v["handshake_ok"], true);
}

#[test]
fn backlog_refuses_the_host() {
    let out = Command::new(bin())
        .args(["backlog", "--host"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot run on the host"));
}

#[test]
fn ctrl_c_cleans_up() {
    let before = host_interfaces();
    let mut child = Command::new(bin())
        .args(["backlog", "--preset", "real-capture"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "did not stop after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    if status.code() == Some(3) {
        eprintln!("SKIPPED ctrl_c_cleans_up: missing privilege");
        return;
    }
    assert_eq!(status.code(), Some(130));
    assert_eq!(host_interfaces(), before, "no interface left on the host");
}

/// A scenario written to a temporary file, for `sim`.
fn scenario_file(name: &str, sc: &synack_model::scenario::Scenario) -> PathBuf {
    let path = tmp(name);
    std::fs::write(&path, sc.to_json_pretty()).unwrap();
    path
}

#[test]
fn sim_runs_a_scenario_file() {
    // No kernel involved: the model on a scenario written by the model's own presets.
    let sc = presets::handshake(&Knobs::default(), presets::HandshakeCase::Normal);
    let path = scenario_file("scenario.json", &sc);
    let out = tmp("sim-trace.json");
    let (v, code) = lab(&[
        "sim",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .expect("sim needs no privileges");
    assert_eq!(code, 0);
    assert_eq!(v["packets"][0]["flags"], "SYN");
    let t = synack_model::trace::Trace::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(matches!(
        t.origin,
        synack_model::trace::Origin::Model { .. }
    ));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&out);
}

#[test]
fn sim_without_out_writes_the_trace_to_stdout() {
    // Issue #4's form: `synack-lab sim scenario.json > trace.json`.
    let sc = presets::teardown(&Knobs::default(), presets::TeardownCase::ClientCloses);
    let path = scenario_file("scenario-stdout.json", &sc);
    let out = Command::new(bin())
        .args(["sim", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let t = synack_model::trace::Trace::from_json(&stdout).expect("stdout is exactly a trace");
    assert_eq!(t.to_json(), synack_model::simulate(&sc).unwrap().to_json());
    // The human summary still reaches the terminal, on stderr.
    assert!(String::from_utf8_lossy(&out.stderr).contains("FIN"));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_scenario_file_is_a_clear_error() {
    let path = tmp("bad-scenario.json");
    std::fs::write(&path, "{ not json").unwrap();
    let out = Command::new(bin())
        .args(["sim", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad-scenario.json"));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn unprivileged_runs_say_what_is_missing() {
    let Some(out) = as_nobody(&["backlog"]) else {
        return;
    };
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CAP_SYS_ADMIN"), "{err}");
    // The unprivileged fallback still runs, without packets, and says so.
    let Some(out) = as_nobody(&["handshake", "--host", "--json"]) else {
        return;
    };
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["handshake_ok"].is_null());
    assert!(v["warnings"][0].as_str().unwrap().contains("CAP_NET_RAW"));
    assert!(strs(&v["states"]["client"]).contains(&"ESTABLISHED".to_string()));
}

#[test]
fn slow_accept_lets_the_overflowed_client_in_later() {
    // The chapter says: if the application accepts before the SYN-ACK retries run out, the
    // client's retransmission completes the handshake and the connection gets in.
    let Some((v, _)) = lab(&[
        "backlog",
        "--accept-every-ms",
        "1000",
        "--send",
        "5",
        "--clients",
        "3",
        "--delay-ms",
        "50",
        "--watch",
        "4.5",
    ]) else {
        return;
    };
    let r = v["clients_report"].as_array().unwrap();
    assert!(r.iter().all(|c| c["outcome"] == "accepted"), "{v}");
    assert!(
        r[2]["data_tx_ms"].as_array().unwrap().len() >= 2,
        "client 3 had to retransmit: {}",
        r[2]
    );
    assert!(v["counters"]["ListenOverflows"].as_u64().unwrap() >= 1);
}

/// The lab's traces are exact: every segment the wire carried ends (arrives or is dropped
/// with a reason) and nothing is dropped on a lossless wire, no state change comes before the
/// segment that caused it, and a timer watched for a long time is one event.
#[test]
fn lab_traces_keep_causes_before_effects_and_lose_nothing_silently() {
    use synack_model::trace::{EventKind, Header, SegmentId, TcpState, TimerKind};
    let out = tmp("exact.json");
    let o = out.to_string_lossy().into_owned();
    let Some((_, _)) = lab(&["compare", "teardown-client-first", "--out", &o]) else {
        return;
    };
    let text = std::fs::read_to_string(&out).expect("trace written");
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(out.with_extension("model.json"));
    let t = synack_model::trace::Trace::from_json(&text).unwrap();
    let mut ends: std::collections::BTreeMap<SegmentId, u32> = Default::default();
    let mut sent = 0;
    for e in &t.events {
        match &e.kind {
            EventKind::SegmentSent { id, .. } => {
                sent += 1;
                ends.entry(*id).or_default();
            }
            EventKind::SegmentArrived { id } => *ends.entry(*id).or_default() += 1,
            EventKind::SegmentDropped { id, reason } => {
                panic!("segment {id:?} dropped on a lossless wire: {reason:?}")
            }
            _ => {}
        }
    }
    assert!(sent >= 10, "{sent} segments");
    assert!(
        ends.values().all(|n| *n == 1),
        "every segment arrives exactly once: {ends:?}"
    );
    // The client's ESTABLISHED comes after the SYN-ACK reached it, TIME-WAIT after the FIN.
    let arrival_of = |pred: &dyn Fn(&synack_model::trace::TcpFlags) -> bool| {
        let id = t.events.iter().find_map(|e| match &e.kind {
            EventKind::SegmentSent { id, segment } => match &segment.header {
                Header::Tcp(h) if pred(&h.flags) => Some(*id),
                _ => None,
            },
            _ => None,
        })?;
        t.events
            .iter()
            .position(|e| matches!(e.kind, EventKind::SegmentArrived { id: x } if x == id))
    };
    let state_at = |to: TcpState| {
        t.events
            .iter()
            .position(|e| matches!(e.kind, EventKind::StateChanged { to: x, .. } if x == to))
    };
    let synack = arrival_of(&|f| f.syn && f.ack).expect("SYN-ACK arrived");
    let established = state_at(TcpState::Established).expect("ESTABLISHED seen");
    assert!(
        established > synack,
        "ESTABLISHED (event {established}) before the SYN-ACK arrived ({synack})"
    );
    let fin = arrival_of(&|f| f.fin).expect("a FIN arrived");
    let close_wait = state_at(TcpState::CloseWait).expect("CLOSE-WAIT seen");
    assert!(
        close_wait > fin,
        "CLOSE-WAIT (event {close_wait}) before the FIN arrived ({fin})"
    );
    // TIME-WAIT is watched for hundreds of polls: one timer, set once.
    let tw_sets = t
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::TimerSet {
                    timer: TimerKind::TimeWait,
                    ..
                }
            )
        })
        .count();
    assert_eq!(tw_sets, 1, "one TIME-WAIT timer, one event");
}

/// Starts the lab (stdout and stderr into files), waits until `ready` holds of what it wrote
/// so far or `within` passed, sends SIGINT, and returns its status, stdout and stderr.
/// `None` when privileges are missing.
fn interrupted(
    name: &str,
    args: &[&str],
    ready: impl Fn(&str, &str) -> bool,
    within: Duration,
) -> Option<(i32, String, String)> {
    let _turn = turn(args);
    let (out_path, err_path) = (tmp(&format!("{name}.out")), tmp(&format!("{name}.err")));
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    let t = Instant::now();
    while t.elapsed() < within && !ready(&read(&out_path), &read(&err_path)) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let (out, err) = (read(&out_path), read(&err_path));
    for p in [out_path, err_path] {
        let _ = std::fs::remove_file(p);
    }
    if status.code() == Some(3) {
        eprintln!("SKIPPED {args:?}: missing privilege: {err}");
        return None;
    }
    Some((status.code().unwrap_or(-1), out, err))
}

/// (N, M) of "stopped after N of M <what>" in an interrupted run's message.
fn stopped_after(err: &str, what: &str) -> (usize, usize) {
    let words: Vec<&str> = err
        .split("stopped after ")
        .nth(1)
        .unwrap_or_else(|| panic!("no \"stopped after\" in: {err}"))
        .split(' ')
        .take(4)
        .collect();
    assert_eq!(
        (words[1], words[3].trim_end_matches(',')),
        ("of", what),
        "{err}"
    );
    let n = |w: &str| w.parse().unwrap_or_else(|_| panic!("{w:?} in: {err}"));
    (n(words[0]), n(words[2]))
}

#[test]
fn ctrl_c_during_sweep_record_and_compare_all_keeps_what_finished_and_exits_130() {
    let before = (host_interfaces(), named_namespaces());
    // sweep: interrupted once its first point is judged; that point's line is kept on stdout.
    let Some((code, out, err)) = interrupted(
        "sweep-int",
        &["sweep", "delay", "--case", "handshake-normal"],
        |_, err| err.contains("[1/4]"),
        Duration::from_secs(60),
    ) else {
        return;
    };
    assert_eq!(code, 130, "{err}");
    let (n, total) = stopped_after(&err, "points");
    assert_eq!(total, 4, "{err}");
    assert!((1..4).contains(&n), "{err}");
    let judged = out
        .lines()
        .filter(|l| l.starts_with('[') && l.contains("handshake-normal+delay="))
        .count();
    assert_eq!(judged, n, "{out}");
    assert!(out.contains(&format!(" of {n} point(s) agree")), "{out}");
    // record: interrupted once its first case is written; the written ones are listed.
    let dir = tmp("record-int");
    let dir_s = dir.to_string_lossy().into_owned();
    let cases = [
        "handshake-normal",
        "teardown-client-first",
        "teardown-server-first",
    ];
    let mut args = vec!["record", "--dir", &dir_s];
    args.extend(cases);
    let folder = |d: &PathBuf| {
        std::fs::read_dir(d)
            .ok()
            .and_then(|mut r| r.next())
            .and_then(|e| e.ok())
            .map(|e| e.path())
    };
    let written = |d: &PathBuf| -> Vec<String> {
        let mut v: Vec<String> = folder(d)
            .and_then(|f| std::fs::read_dir(f).ok())
            .map(|r| {
                r.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter_map(|n| n.strip_suffix(".pcap").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let Some((code, out, err)) = interrupted(
        "record-int",
        &args,
        |_, _| !written(&dir).is_empty(),
        Duration::from_secs(60),
    ) else {
        return;
    };
    assert_eq!(code, 130, "{err}");
    let (n, total) = stopped_after(&err, "cases");
    assert_eq!(total, 3, "{err}");
    let kept = written(&dir);
    assert_eq!(kept.len(), n, "{kept:?} vs {err}");
    assert!(n >= 1, "{err}");
    for k in &kept {
        assert!(out.contains(k.as_str()), "{k} not listed in: {out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    // compare all: the cases compared before the signal are reported in full.
    let Some((code, out, err)) = interrupted(
        "compare-int",
        &["compare", "all"],
        |_, _| false,
        Duration::from_secs(5),
    ) else {
        return;
    };
    assert_eq!(code, 130, "{err}");
    let (n, _) = stopped_after(&err, "cases");
    assert_eq!(
        out.matches("\n== ").count() + usize::from(out.starts_with("== ")),
        n,
        "{out}"
    );
    assert_eq!(
        (host_interfaces(), named_namespaces()),
        before,
        "no interface or namespace left"
    );
}

/// Issue 17: the knobs that are no sysctl reach the kernel. A route's initcwnd of 1 holds the
/// second data segment back a round trip (the default 10 would send it within a millisecond),
/// and tcp_cubic's `hystart`, global to the machine, is set for the run and reads as before
/// once it is over. Values the kernel cannot hold are usage errors (exit 2) before any run.
#[test]
fn route_metrics_and_module_parameters_reach_the_kernel_and_the_global_one_is_restored() {
    let Some((v, _)) = lab(&["compare", "psh-writes+initcwnd=1"]) else {
        return;
    };
    let rows = v["results"][0]["report"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let sent_at = |needle: &str| -> f64 {
        rows.iter()
            .filter_map(|r| r["kernel"].as_str())
            .find(|k| k.contains("client> ") && k.contains(needle))
            .and_then(|k| k.split_whitespace().next())
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("no kernel segment {needle:?}"))
    };
    let gap = sent_at("seq=1449 ack=1 len=1448") - sent_at("seq=1 ack=1 len=1448");
    assert!(
        gap >= 30.0,
        "initcwnd 1: the second segment {gap} ms after the first"
    );

    let param = "/sys/module/tcp_cubic/parameters/hystart";
    let before = std::fs::read_to_string(param).expect("tcp_cubic is loaded");
    let out = {
        let _turn = turn(&["compare"]);
        Command::new(bin())
            .args(["compare", "hystart-0-two-holes"])
            .output()
            .unwrap()
    };
    let err = String::from_utf8_lossy(&out.stderr);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("global to the machine") || err.contains("global to the machine"),
        "the run says the parameter is global: {text}{err}"
    );
    assert_eq!(std::fs::read_to_string(param).unwrap(), before);

    // Values no kernel setting gives, refused before the run. (An rto_min off the 4 ms tick,
    // 41, is no longer one: tcp_rto_min_us takes any value and rounds it up to jiffies.)
    for bad in [
        "psh-writes+initcwnd=0",
        "loss-tail+rto_min=0",
        "psh-writes+min_tso_segs=0",
        "psh-writes+wmem_max=0",
        "psh-writes+wmem_default=0",
    ] {
        let out = Command::new(bin()).args(["compare", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("tuning"), "{bad}: {err}");
    }
}

/// icmp_ratelimit and tcp_invalid_ratelimit are kept in jiffies (`proc_dointvec_ms_jiffies`):
/// the kernel takes 50 ms and reads back 52 (13 ticks at HZ 250), which is no refusal; the
/// model rounds the same way. Before, the lab refused the point as a value the kernel "cannot
/// hold" (exit 2).
#[test]
fn a_time_the_kernel_keeps_in_jiffies_is_taken_off_the_tick() {
    for point in [
        "udp-icmp-ratelimit+icmp_ratelimit=50",
        "zero-window+invalid_ratelimit=50",
    ] {
        let out = {
            let _turn = turn(&["compare"]);
            Command::new(bin())
                .args(["compare", "-q", point])
                .output()
                .unwrap()
        };
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(3) {
            eprintln!("SKIPPED {point}: missing privilege: {err}");
            return;
        }
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{point}: ran and compared, not refused: {:?} {err}",
            out.status.code()
        );
        assert!(!err.contains("reads back"), "{point}: {err}");
    }
}

/// tcp_cubic's `hystart` is global: a run that sets it must put it back when Ctrl-C stops
/// it, whether the run unwinds (one SIGINT) or exits from the signal handler (a second one).
#[test]
fn ctrl_c_restores_the_global_module_parameter() {
    let param = "/sys/module/tcp_cubic/parameters/hystart";
    let Ok(before) = std::fs::read_to_string(param) else {
        eprintln!("SKIPPED: tcp_cubic is not loaded ({param})");
        return;
    };
    for signals in [1, 2] {
        let _turn = turn(&["compare"]);
        let child = Command::new(bin())
            .args(["compare", "hystart-0-two-holes"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The run sets the parameter once its namespaces are up; watch for it.
        let t0 = Instant::now();
        let mut seen = false;
        while t0.elapsed() < Duration::from_secs(3) {
            if std::fs::read_to_string(param).is_ok_and(|v| v.trim() == "0") {
                seen = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = if seen {
            for _ in 0..signals {
                // SAFETY: kill(2) on the child we spawned.
                unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
                std::thread::sleep(Duration::from_millis(30));
            }
            child.wait_with_output().unwrap()
        } else {
            let out = child.wait_with_output().unwrap();
            if out.status.code() == Some(3) {
                eprintln!("SKIPPED: missing privilege");
                return;
            }
            panic!(
                "hystart never read 0 during the run: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        assert_eq!(out.status.code(), Some(130), "{signals} SIGINT(s)");
        assert_eq!(
            std::fs::read_to_string(param).unwrap(),
            before,
            "restored after {signals} SIGINT(s)"
        );
    }
}
