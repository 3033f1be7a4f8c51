//! The three-way handshake and its failures, as packet exchanges (20 ms one-way delay).
mod common;

use common::*;
use synack_model::presets::{self, HandshakeCase, Knobs};
use synack_model::scenario::{Action, FaultAction, FaultRule, SegmentMatch, Step};
use synack_model::trace::TcpState::*;

fn hs(case: HandshakeCase) -> synack_model::trace::Trace {
    run(&presets::handshake(&Knobs::default(), case))
}

#[test]
fn normal_handshake() {
    let t = hs(HandshakeCase::Normal);
    assert_packets!(
        t,
        [
            "0.000 client>server S seq=0 len=0",
            "0.020 server>client S. seq=0 ack=1 len=0",
            "0.040 client>server . seq=1 ack=1 len=0",
        ]
    );
    assert_eq!(states(&t, "client"), [Closed, SynSent, Established]);
    assert_eq!(states(&t, "conn"), [Listen, SynReceived, Established]);
    assert_eq!(entered(&t, "conn", Established), [60_000]);
    assert_eq!(returns(&t, "client"), ["Connect ok"]);
    assert_eq!(returns(&t, "server")[1], "Accept accepted socket 2");
}

#[test]
fn syn_lost_once_is_retransmitted_after_the_initial_rto() {
    let t = hs(HandshakeCase::SynLost);
    assert_packets!(
        t,
        [
            "0.000 client>server S seq=0 len=0 LOST",
            "1.000 client>server S seq=0 len=0",
            "1.020 server>client S. seq=0 ack=1 len=0",
            "1.040 client>server . seq=1 ack=1 len=0",
        ]
    );
    assert_eq!(entered(&t, "client", Established), [1_040_000]);
}

#[test]
fn syn_ack_lost_once_both_sides_retransmit() {
    let t = hs(HandshakeCase::SynAckLost);
    // The client's SYN timer and the server's SYN-ACK timer both fire after 1 s; the server
    // also answers the retransmitted SYN (Linux `tcp_check_req`), so the client sees two
    // SYN-ACKs and acknowledges both.
    assert_packets!(
        t,
        [
            "0.000 client>server S seq=0 len=0",
            "0.020 server>client S. seq=0 ack=1 len=0 LOST",
            "1.000 client>server S seq=0 len=0",
            "1.020 server>client S. seq=0 ack=1 len=0",
            "1.020 server>client S. seq=0 ack=1 len=0",
            "1.040 client>server . seq=1 ack=1 len=0",
            "1.040 client>server . seq=1 ack=1 len=0",
        ]
    );
    assert_eq!(states(&t, "conn"), [Listen, SynReceived, Established]);
}

#[test]
fn final_ack_lost_leaves_the_server_in_syn_received_until_its_retransmission() {
    let t = hs(HandshakeCase::FinalAckLost);
    assert_packets!(
        t,
        [
            "0.000 client>server S seq=0 len=0",
            "0.020 server>client S. seq=0 ack=1 len=0",
            "0.040 client>server . seq=1 ack=1 len=0 LOST",
            "1.020 server>client S. seq=0 ack=1 len=0",
            "1.040 client>server . seq=1 ack=1 len=0",
        ]
    );
    // The client thinks it is connected a whole second before the server does.
    assert_eq!(entered(&t, "client", Established), [40_000]);
    assert_eq!(entered(&t, "conn", Established), [1_060_000]);
}

#[test]
fn simultaneous_open_is_six_segments_between_two_peers() {
    let t = hs(HandshakeCase::SimultaneousOpen);
    assert_packets!(
        t,
        [
            "0.000 peer A>peer B S seq=0 len=0",
            "0.000 peer B>peer A S seq=0 len=0",
            "0.020 peer B>peer A S. seq=0 ack=1 len=0",
            "0.020 peer A>peer B S. seq=0 ack=1 len=0",
            "0.040 peer A>peer B . seq=1 ack=1 len=0",
            "0.040 peer B>peer A . seq=1 ack=1 len=0",
        ]
    );
    assert_eq!(
        states(&t, "peer A"),
        [Closed, SynSent, SynReceived, Established]
    );
    assert_eq!(
        states(&t, "peer B"),
        [Closed, SynSent, SynReceived, Established]
    );
}

#[test]
fn closed_port_answers_rst_and_connect_is_refused() {
    let t = hs(HandshakeCase::ClosedPort);
    assert_packets!(
        t,
        [
            "0.000 client>server S seq=0 len=0",
            "0.020 server>client R. seq=0 ack=1 len=0",
        ]
    );
    assert_eq!(returns(&t, "client"), ["Connect ECONNREFUSED"]);
    assert_eq!(final_state(&t, "client"), Some(Closed));
}

fn drop_every(from: &str, m: SegmentMatch) -> FaultRule {
    FaultRule {
        from: Some(from.into()),
        to: None,
        matches: m,
        nth: None,
        after_us: None,
        until_us: None,
        action: FaultAction::Drop,
    }
}

#[test]
fn syn_retries_follow_linux_backoff_then_connect_times_out() {
    let mut s = presets::handshake(&Knobs::default(), HandshakeCase::Normal);
    s.faults.push(drop_every("client", SegmentMatch::Syn));
    let t = run(&s);
    let p = packets(&t);
    let times: Vec<&str> = p.iter().map(|l| l.split(' ').next().unwrap()).collect();
    // tcp_syn_retries = 6: retransmissions at 1, 3, 7, 15, 31, 63 s, give up at 127 s.
    assert_eq!(
        times,
        ["0.000", "1.000", "3.000", "7.000", "15.000", "31.000", "63.000"]
    );
    assert_eq!(returns(&t, "client"), ["Connect ETIMEDOUT"]);
    assert_eq!(entered(&t, "client", Closed), [127_000_000]);
}

#[test]
fn rfc_profile_gives_up_after_five_syn_retries() {
    let k = Knobs {
        profile: synack_model::profile::ProfileId::Rfc,
        ..Knobs::default()
    };
    let mut s = presets::handshake(&k, HandshakeCase::Normal);
    s.faults.push(drop_every("client", SegmentMatch::Syn));
    let t = run(&s);
    assert_eq!(packets(&t).len(), 6);
    assert_eq!(entered(&t, "client", Closed), [63_000_000]);
}

#[test]
fn syn_ack_retries_follow_tcp_synack_retries_then_the_request_expires() {
    let mut s = presets::handshake(&Knobs::default(), HandshakeCase::Normal);
    s.faults.push(drop_every("server", SegmentMatch::SynAck));
    // Keep the client's SYN retransmissions out of the way (drop all but the first).
    s.faults.push(drop_every("client", SegmentMatch::Syn));
    s.faults[1].after_us = Some(1);
    let t = run(&s);
    let synacks: Vec<String> = packets(&t)
        .into_iter()
        .filter(|l| l.contains(" S. "))
        .collect();
    let times: Vec<&str> = synacks
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    // Sent at 0.02, then retransmitted at 1, 3, 7, 15, 31 s after it (tcp_synack_retries = 5).
    assert_eq!(
        times[..6],
        ["0.020", "1.020", "3.020", "7.020", "15.020", "31.020"]
    );
    assert_eq!(entered(&t, "server conn 1", Closed), [63_020_000]);
}

#[test]
fn rst_in_syn_received_removes_the_request() {
    let mut s = presets::handshake(&Knobs::default(), HandshakeCase::FinalAckLost);
    s.apps[1].steps.push(Step::after(100_000, Action::Abort));
    let t = run(&s);
    assert_packets!(
        t,
        [
            "0.000 client>server S seq=0 len=0",
            "0.020 server>client S. seq=0 ack=1 len=0",
            "0.040 client>server . seq=1 ack=1 len=0 LOST",
            "0.140 client>server R. seq=1 ack=1 len=0",
        ]
    );
    assert_eq!(states(&t, "server conn 1"), [Listen, SynReceived, Closed]);
}
