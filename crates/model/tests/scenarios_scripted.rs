//! Per-host settings, per-socket options and scripted peers (docs/scenario-format.md,
//! "Hosts", "Sockets", "Scripted peers").

mod common;

use common::{packets, returns, run};
use synack_model::scenario::{Scenario, ScenarioError};
use synack_model::trace::{CutReason, EventKind, Header, TcpOptions};

fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

/// The options of every SYN and SYN-ACK, in send order, by sending host.
fn syn_options(t: &synack_model::trace::Trace) -> Vec<(String, TcpOptions)> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } => match &segment.header {
                Header::Tcp(h) if h.flags.syn => Some((
                    t.hosts[segment.src.host.0 as usize].name.clone(),
                    h.options.clone(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Data segments' payload lengths from one host.
fn data_lens(t: &synack_model::trace::Trace, from: &str) -> Vec<u32> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. }
                if t.hosts[segment.src.host.0 as usize].name == from
                    && segment.payload_len > 0
                    && segment.retransmission == 0 =>
            {
                Some(segment.payload_len)
            }
            _ => None,
        })
        .collect()
}

/// A client and a listening server; `client_host` and `server_host` are the hosts' JSON
/// objects after their names, `sockets` extra socket fields.
fn pair(client_host: &str, server_host: &str, client_sock: &str, server_sock: &str) -> String {
    format!(
        r#"{{
  "name": "pair", "seed": 3,
  "hosts": [
    {{ "name": "client", "addr": "10.0.0.1" {client_host} }},
    {{ "name": "server", "addr": "10.0.0.2" {server_host} }}
  ],
  "network": {{ "default": {{ "latency_us": 10000, "mtu": 1500 }} }},
  "sockets": [
    {{ "label": "client", "host": "client", "proto": "tcp" {client_sock} }},
    {{ "label": "server", "host": "server", "proto": "tcp", "port": 80 {server_sock} }}
  ],
  "apps": [
    {{ "socket": "server", "steps": [
      {{ "call": "listen", "backlog": 8 }}, {{ "call": "accept", "label": "conn" }},
      {{ "call": "recv_loop", "max": 65536 }}, {{ "call": "close" }} ] }},
    {{ "socket": "client", "steps": [
      {{ "call": "connect", "to": "server:80" }}, {{ "call": "send", "len": 3000 }},
      {{ "call": "close", "after_us": 100000 }} ] }}
  ]
}}"#
    )
}

// ------------------------------------------------------------------ per-host settings

#[test]
fn a_host_without_sack_and_timestamps_offers_neither_and_the_connection_runs_without_them() {
    let s = scenario(&pair(
        "",
        r#", "tuning": { "sack_permitted": false, "timestamps": false }"#,
        "",
        "",
    ));
    let t = run(&s);
    let syns = syn_options(&t);
    assert_eq!(syns[0].0, "client");
    assert!(syns[0].1.sack_permitted && syns[0].1.timestamps.is_some());
    assert_eq!(syns[1].0, "server");
    assert!(!syns[1].1.sack_permitted && syns[1].1.timestamps.is_none());
    // Negotiated off: the client's data carries no timestamps, so a full segment is 1460.
    assert_eq!(data_lens(&t, "client"), vec![1460, 1460, 80]);
}

#[test]
fn the_same_settings_on_both_hosts_keep_timestamps_on() {
    // The control for the test above: without the server's tuning, 1448-byte segments.
    let t = run(&scenario(&pair("", "", "", "")));
    assert_eq!(data_lens(&t, "client"), vec![1448, 1448, 104]);
}

#[test]
fn an_explicit_null_window_scale_turns_scaling_off_for_that_host_only() {
    let s = scenario(&pair("", r#", "tuning": { "window_scale": null }"#, "", ""));
    let t = run(&s);
    let syns = syn_options(&t);
    assert_eq!(
        syns[0].1.window_scale,
        Some(10),
        "the client still offers it"
    );
    assert_eq!(syns[1].1.window_scale, None, "the server does not");
}

#[test]
fn window_scale_zero_is_an_option_with_shift_zero_not_no_option() {
    let s = scenario(&pair(
        "",
        r#", "tuning": { "window_scale": 0, "wscale_space": 0 }"#,
        "",
        "",
    ));
    let t = run(&s);
    assert_eq!(syn_options(&t)[1].1.window_scale, Some(0));
}

#[test]
fn each_host_announces_its_own_mss_and_the_smaller_one_rules_both_directions() {
    let s = scenario(&pair(r#", "tuning": { "mss": 536 }"#, "", "", ""));
    let t = run(&s);
    let syns = syn_options(&t);
    assert_eq!(syns[0].1.mss, Some(536));
    assert_eq!(syns[1].1.mss, Some(1460));
    // 536 less 12 bytes of timestamps.
    assert!(data_lens(&t, "client").iter().all(|&l| l <= 524));
}

#[test]
fn host_tuning_is_range_checked_with_the_hosts_path() {
    let s = scenario(&pair(r#", "tuning": { "mss": 10 }"#, "", "", ""));
    assert_eq!(
        synack_model::simulate(&s).unwrap_err().to_string(),
        "hosts[0].tuning.mss = 10 is out of range (allowed: 88..=65495)"
    );
    let e = Scenario::from_json(&pair(r#", "tuning": { "nope": 1 }"#, "", "", "")).unwrap_err();
    assert!(e.to_string().contains("unknown field `nope`"), "{e}");
}

// ------------------------------------------------------------------ socket options

#[test]
fn tcp_maxseg_on_a_listener_is_announced_by_its_children_and_bounds_the_peers_segments() {
    let s = scenario(&pair("", "", "", r#", "max_seg": 500"#));
    let t = run(&s);
    assert_eq!(syn_options(&t)[1].1.mss, Some(500));
    assert_eq!(
        data_lens(&t, "client"),
        vec![488; 6].into_iter().chain([72]).collect::<Vec<_>>()
    );
}

#[test]
fn tcp_syncnt_gives_up_sooner_than_the_hosts_syn_retries() {
    let mut s = scenario(&pair("", "", r#", "syn_count": 1"#, ""));
    s.faults = vec![serde_json::from_str(r#"{"matches": "syn", "action": "drop"}"#).unwrap()];
    s.tuning.syn_linear_timeouts = Some(0);
    let t = run(&s);
    // One retransmission (at 1 s), then ETIMEDOUT once its 1 + 2 s budget has run out.
    let syns: Vec<u64> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } => match &segment.header {
                Header::Tcp(h) if h.flags.syn && !h.flags.ack => Some(e.t),
                _ => None,
            },
            _ => None,
        })
        .collect();
    // The SYN timer (250 jiffies) fires on the timer wheel, 16 ms late on average.
    assert_eq!(syns, vec![0, 1_016_000]);
    assert_eq!(returns(&t, "client"), vec!["Connect ETIMEDOUT"]);
}

/// Why the pair with these extra client socket fields is refused, if it is.
fn refusal(client_sock: &str) -> Option<String> {
    let s = scenario(&pair("", "", client_sock, ""));
    synack_model::simulate(&s).err().map(|e| e.to_string())
}

#[test]
fn socket_options_are_range_checked() {
    assert_eq!(
        refusal(r#", "syn_count": 0"#).as_deref(),
        Some("sockets[0].syn_count = 0 is out of range (allowed: 1..=127)")
    );
}

#[test]
fn a_tcp_maxseg_above_max_tcp_window_is_refused_as_the_kernel_refuses_it() {
    // do_tcp_setsockopt(TCP_MAXSEG): EINVAL above MAX_TCP_WINDOW (32,767), though an MSS
    // from the MTU goes up to 65,495; 32,767 itself is taken.
    assert_eq!(
        refusal(r#", "max_seg": 32768"#).as_deref(),
        Some("sockets[0].max_seg = 32768 is out of range (allowed: 88..=32767)")
    );
    assert_eq!(refusal(r#", "max_seg": 32767"#), None);
}

#[test]
fn a_tcp_frto_above_2_is_taken_as_the_kernel_takes_it() {
    // tcp_frto is a u8 sysctl with no bounds (proc_dou8vec_minmax): the kernel takes 3 or
    // 255, and `tcp_enter_loss` only asks whether it is non-zero: the run is 2's.
    let run = |frto: u32| {
        let mut s = scenario(&pair("", "", "", ""));
        s.tuning.frto = Some(frto);
        synack_model::simulate(&s).map(|t| t.events.len())
    };
    assert_eq!(run(3).unwrap(), run(2).unwrap());
    assert_eq!(run(255).unwrap(), run(2).unwrap());
    assert!(run(256).is_err(), "the kernel refuses 256 (EINVAL)");
}

#[test]
fn a_second_listener_on_a_listening_port_gets_eaddrinuse_even_with_reuse_addr() {
    let two = |a: bool, b: bool| {
        scenario(&format!(
            r#"{{ "name": "bind", "hosts": [ {{ "name": "h", "addr": "10.0.0.1" }} ],
  "sockets": [
    {{ "label": "a", "host": "h", "proto": "tcp", "port": 80, "reuse_addr": {a} }},
    {{ "label": "b", "host": "h", "proto": "tcp", "port": 80, "reuse_addr": {b} }} ],
  "apps": [
    {{ "socket": "a", "steps": [ {{ "call": "listen", "backlog": 1 }} ] }},
    {{ "socket": "b", "steps": [ {{ "call": "listen", "backlog": 1, "after_us": 10 }} ] }} ] }}"#
        ))
    };
    // Linux `inet_csk_bind_conflict`: SO_REUSEADDR never lets two sockets listen on one port
    // (that is SO_REUSEPORT, not modelled).
    for (a, b) in [(false, false), (true, false), (true, true)] {
        let t = run(&two(a, b));
        assert_eq!(returns(&t, "a"), vec!["Listen ok"]);
        assert_eq!(
            returns(&t, "b"),
            vec!["Listen EADDRINUSE"],
            "reuse_addr {a} {b}"
        );
    }
}

// ------------------------------------------------------------------ scripted peers

/// A client against a scripted server on port 80; `lines` is the script's JSON array body.
fn against_script(lines: &str, client_steps: &str) -> Scenario {
    scenario(&format!(
        r#"{{
  "name": "scripted", "seed": 1,
  "hosts": [
    {{ "name": "client", "addr": "10.0.0.1" }},
    {{ "name": "peer", "addr": "10.0.0.2", "script": {{ "port": 80, "isn": 1000, "lines": [ {lines} ] }} }}
  ],
  "sockets": [ {{ "label": "client", "host": "client", "proto": "tcp" }} ],
  "apps": [ {{ "socket": "client", "steps": [ {{ "call": "connect", "to": "peer:80" }} {client_steps} ] }} ],
  "limits": {{ "max_time_us": 5000000 }}
}}"#
    ))
}

const HANDSHAKE: &str = r#"
  { "expect": { "flags": "S", "seq": 0 } },
  { "send": { "flags": "S.", "ack": 1, "win": 65535, "options": { "mss": 1460 } } },
  { "expect": { "flags": ".", "seq": 1, "ack": 1 } }"#;

#[test]
fn a_scripted_peer_completes_a_handshake_and_shows_in_the_trace_like_any_host() {
    let t = synack_model::simulate(&against_script(HANDSHAKE, "")).unwrap();
    assert_packets!(
        t,
        [
            "0.000 client>peer S seq=0 len=0",
            "0.020 peer>client S. seq=0 ack=1 len=0",
            "0.040 client>peer . seq=1 ack=1 len=0",
        ]
    );
    assert_eq!(returns(&t, "client"), vec!["Connect ok"]);
    assert_eq!(t.cut_short, None);
}

#[test]
fn a_failed_expectation_names_the_line_the_expected_and_the_actual_segment() {
    let lines = r#"
  { "expect": { "flags": "S" } },
  { "send": { "flags": "S.", "ack": 1, "options": { "mss": 1460 } } },
  { "expect": { "flags": ".", "win": 999 } }"#;
    let s = against_script(lines, "");
    let e = synack_model::simulate(&s).unwrap_err();
    let ScenarioError::Script(f) = &e else {
        panic!("{e}")
    };
    assert_eq!((f.host.as_str(), f.line), ("peer", 2));
    assert_eq!(
        e.to_string(),
        "script of \"peer\", lines[2]: expected . seq=* ack=* win=999 len=*, \
         got . seq=1 ack=1 win=64240 len=0 at 60000 µs (differs in win)"
    );
    // The trace up to there is still there for a viewer, cut short with the same message.
    let t = synack_model::sim::Sim::new(&s).unwrap().run();
    let cut = t.cut_short.unwrap();
    assert_eq!(cut.why, CutReason::ScriptFailed);
    assert_eq!(cut.message, e.to_string());
}

#[test]
fn an_expected_segment_outside_its_time_tolerance_fails() {
    let lines = r#"
  { "at_us": 10000, "tolerance_us": 5000, "expect": { "flags": "S" } }"#;
    let e = synack_model::simulate(&against_script(lines, "")).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("expected S seq=* ack=* win=* len=* at 10000 µs (±5000), got S seq=0 win=64240 len=0 <mss 1460,sackOK,TS,wscale 10> at 20000 µs (differs in time)"),
        "{e}"
    );
    // Within the tolerance it passes.
    let lines = r#"
  { "at_us": 10000, "tolerance_us": 10000, "expect": { "flags": "S" } }"#;
    assert!(synack_model::simulate(&against_script(lines, "")).is_ok());
}

#[test]
fn a_segment_the_script_did_not_expect_is_an_error() {
    // The script sends its SYN-ACK only at 3 s; the client's SYN retransmission at 1 s comes
    // first.
    let lines = r#"
  { "expect": { "flags": "S" } },
  { "at_us": 3000000, "send": { "flags": "S.", "ack": 1 } }"#;
    let e = synack_model::simulate(&against_script(lines, "")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "script of \"peer\", lines[1]: the stack sent S seq=0 win=64240 len=0 \
         <mss 1460,sackOK,TS,wscale 10> at 1036000 µs, before this line's send at 3000000 µs \
         (expected nothing)"
    );
}

#[test]
fn an_expectation_still_waiting_when_the_run_ends_is_an_error() {
    let lines = format!(r#"{HANDSHAKE}, {{ "expect": {{ "flags": "F." }} }}"#);
    let e = synack_model::simulate(&against_script(&lines, "")).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "script of \"peer\", lines[3]: expected F. seq=* ack=* win=* len=*, but nothing more came"
        ),
        "{e}"
    );
}

#[test]
fn wildcards_match_anything_and_missing_send_fields_follow_the_connection() {
    let lines = format!(
        r#"{HANDSHAKE},
  {{ "expect": {{ "flags": "*", "seq": "*", "ack": "*", "win": "*", "len": 5 }} }},
  {{ "send": {{ "flags": "P.", "len": 3 }} }},
  {{ "expect": {{ "flags": ".", "seq": 6, "ack": 4 }} }}"#
    );
    let t = synack_model::simulate(&against_script(
        &lines,
        r#", { "call": "send", "len": 5 }, { "call": "recv", "max": 100 }"#,
    ))
    .unwrap();
    // The script's data went at its next sequence number (1) and acknowledged the 5 bytes.
    assert!(
        packets(&t).contains(&"0.060 peer>client . seq=1 ack=6 len=3".to_string()),
        "{:?}",
        packets(&t)
    );
    assert_eq!(
        returns(&t, "client"),
        vec!["Connect ok", "Send ok", "Recv 3 bytes: peer lines[4][0..3]"]
    );
}

#[test]
fn a_script_can_be_the_client_of_a_modelled_listener() {
    let s = scenario(
        r#"{
  "name": "scripted client", "seed": 2,
  "hosts": [
    { "name": "client", "addr": "10.0.0.1", "script": { "port": 5555, "remote": "server:80", "lines": [
      { "send": { "flags": "S", "win": 1000, "options": { "mss": 1000 } } },
      { "expect": { "flags": "S.", "ack": 1, "options": { "mss": 1460 } } },
      { "send": { "flags": "." } },
      { "send": { "flags": "P.", "len": 10 } },
      { "expect": { "flags": ".", "ack": 11 } }
    ] } },
    { "name": "server", "addr": "10.0.0.2" }
  ],
  "sockets": [ { "label": "server", "host": "server", "proto": "tcp", "port": 80 } ],
  "apps": [ { "socket": "server", "steps": [
    { "call": "listen", "backlog": 4 }, { "call": "accept" }, { "call": "recv", "max": 100 } ] } ]
}"#,
    );
    let t = synack_model::simulate(&s).unwrap();
    // The SYN offered neither SACK nor timestamps nor window scaling, so the SYN-ACK has
    // only the MSS.
    assert_eq!(
        syn_options(&t)[1].1,
        TcpOptions {
            mss: Some(1460),
            order: vec![synack_model::trace::option_kind::MSS],
            ..TcpOptions::default()
        }
    );
    assert_eq!(
        returns(&t, "server"),
        vec!["Listen ok", "Accept accepted socket 2"]
    );
    // The script's 10 bytes are a message named after its line.
    assert_eq!(
        returns(&t, "server conn 1"),
        vec!["Recv 10 bytes: client lines[3][0..10]"]
    );
    // And the script's end is in the socket list, on its host, like any socket.
    let s1 = &t.sockets[1];
    assert_eq!(
        (s1.label.as_str(), s1.host.0, s1.local_port),
        ("client (script)", 0, 5555)
    );
    assert!(s1.scripted && !t.sockets[0].scripted);
}

#[test]
fn contradictory_or_unknown_script_input_is_a_readable_error_naming_the_field() {
    let err = |lines: &str| {
        synack_model::simulate(&against_script(lines, ""))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(r#"{ "send": { "flags": "SR" } }"#),
        "hosts[1].script.lines[0].send.flags: \"SR\": SYN and RST in one segment contradict each other"
    );
    assert_eq!(
        err(
            r#"{ "at_us": 500, "expect": { "flags": "S" } }, { "at_us": 100, "send": { "flags": "S." } }"#
        ),
        "hosts[1].script.lines[1].at_us: time goes backwards: 100 µs comes after line 0's 500 µs"
    );
    assert_eq!(
        err(r#"{ "send": { "flags": "S", "options": { "window_scale": 15 } } }"#),
        "hosts[1].script.lines[0].send.options.window_scale = 15 is out of range (allowed: 0..=14 (RFC 7323 §2.3))"
    );
    assert_eq!(
        err(r#"{ "send": { "flags": ".", "options": { "mss": 1000 } } }"#),
        "hosts[1].script.lines[0].send.options.mss: only a SYN may carry it (RFC 9293 §3.2, RFC 7323 §2.2, RFC 2018 §2)"
    );
    assert_eq!(
        err(r#"{ "send": { "flags": ".", "options": { "timestamps": true, "sack": [[1,2],[3,4],[5,6],[7,8]] } } }"#),
        "hosts[1].script.lines[0].send.options: 48 bytes of options; a TCP header has room for 40 (3 SACK blocks at most beside timestamps)"
    );
    assert_eq!(
        err(r#"{ "send": { "flags": "S", "seq": "*" } }"#),
        "hosts[1].script.lines[0].send.seq: \"*\" only matches in expect; a sent segment needs a value"
    );
    assert_eq!(
        err(r#"{ "send": { "flags": "S" }, "expect": { "flags": "S." } }"#),
        "hosts[1].script.lines[0]: a line is either {\"send\": …} or {\"expect\": …}"
    );
    assert_eq!(
        err(r#"{ "send": { "flags": "SX" } }"#),
        "hosts[1].script.lines[0].send.flags: \"SX\": 'X' is no flag (S SYN, F FIN, R RST, P PSH, . ACK)"
    );
    assert_eq!(
        err(r#"{ "send": { "flags": "P" } }"#),
        "hosts[1].script.lines[0].send.flags: \"P\": a segment other than a SYN or a RST must carry ACK ('.'; RFC 9293 §3.10.7.4)"
    );
    let unknown = Scenario::from_json(
        &serde_json::to_string(&against_script("", ""))
            .unwrap()
            .replace(r#""isn":1000"#, r#""isn":1000,"colour":"red""#),
    )
    .unwrap_err();
    assert!(
        unknown.to_string().contains("unknown field `colour`"),
        "{unknown}"
    );
}

#[test]
fn a_scripted_host_runs_no_sockets() {
    let mut s = against_script(HANDSHAKE, "");
    s.sockets[0].host = "peer".into();
    assert_eq!(
        synack_model::simulate(&s).unwrap_err().to_string(),
        "sockets[\"client\"]: host \"peer\" is scripted (hosts[].script); it runs no sockets"
    );
}

#[test]
fn an_ack_before_the_stack_has_sent_a_syn_is_an_error_at_run_time() {
    let s = scenario(
        r#"{
  "name": "early ack", "hosts": [
    { "name": "a", "addr": "10.0.0.1", "script": { "port": 1, "remote": "b:80", "lines": [
      { "send": { "flags": "." } } ] } },
    { "name": "b", "addr": "10.0.0.2" } ],
  "sockets": [] }"#,
    );
    assert_eq!(
        synack_model::simulate(&s).unwrap_err().to_string(),
        "script of \"a\", lines[0]: ACK set, but the stack has sent no SYN yet, so there is no ISN to acknowledge relative to"
    );
}

#[test]
fn scripts_and_per_host_tuning_survive_a_round_trip_through_json() {
    let s = against_script(HANDSHAKE, "");
    let back = Scenario::from_json(&s.to_json_pretty()).unwrap();
    assert_eq!(back, s);
    let s = scenario(&pair(
        "",
        r#", "tuning": { "window_scale": null }"#,
        r#", "max_seg": 700"#,
        "",
    ));
    assert_eq!(Scenario::from_json(&s.to_json_pretty()).unwrap(), s);
}

/// A peer that offers a zero window and then falls silent: the probes go unanswered.
const SILENT_ZERO_WINDOW: &str = r#"
  { "expect": { "flags": "S" } },
  { "send": { "flags": "S.", "ack": 1, "win": 0, "options": { "mss": 1460 } } },
  { "expect": { "flags": ".", "seq": 1 } },
  { "expect": { "flags": ".", "seq": 0, "len": 0 } },
  { "expect": { "flags": ".", "seq": 0, "len": 0 } }"#;

#[test]
fn tcp_retries2_also_limits_unanswered_zero_window_probes() {
    // Linux has one sysctl for both limits (`tcp_probe_timer`: max_probes = tcp_retries2):
    // with data_retries 2 the third probe timer gives up instead of probing, so the script
    // (which expects two probes and nothing after) ends cleanly and recv() fails.
    let steps = r#", { "call": "send", "len": 100 }, { "call": "recv", "max": 100 }"#;
    let mut s = against_script(SILENT_ZERO_WINDOW, steps);
    s.tuning.data_retries = Some(2);
    let t = synack_model::simulate(&s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        returns(&t, "client"),
        vec!["Connect ok", "Send ok", "Recv ETIMEDOUT"]
    );
    let probes = |t: &synack_model::trace::Trace| {
        packets(t)
            .iter()
            .filter(|l| l.contains("client>peer . seq=0 "))
            .count()
    };
    assert_eq!(probes(&t), 2);
    // A scenario that names the probes' limit itself keeps it.
    s.tuning.persist_probe_max = Some(3);
    let t = synack_model::sim::Sim::new(&s).unwrap().run();
    assert_eq!(probes(&t), 3, "{:#?}", packets(&t));
}

#[test]
fn an_orphan_probing_a_zero_window_gives_up_after_tcp_orphan_retries() {
    // `tcp_probe_timer` on a SOCK_DEAD socket: max_probes = tcp_orphan_retries(sk, alive), so
    // a closed socket whose FIN waits behind data at a zero window stops after two probes.
    let steps = r#", { "call": "send", "len": 100 }, { "call": "close" }"#;
    let mut s = against_script(SILENT_ZERO_WINDOW, steps);
    s.tuning.orphan_retries = Some(2);
    let t = synack_model::simulate(&s).unwrap_or_else(|e| panic!("{e}"));
    let probes = packets(&t)
        .iter()
        .filter(|l| l.contains("client>peer . seq=0 "))
        .count();
    assert_eq!(probes, 2, "{:#?}", packets(&t));
    let gave_up = t
        .events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::SocketError { errno, .. } if errno == "ETIMEDOUT"));
    assert!(gave_up, "{:#?}", packets(&t));
}
