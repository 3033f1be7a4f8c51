//! Unit tests of one [`TcpSocket`], without a simulator: a test hands the socket segments
//! from an imaginary peer and asserts the exact segments it answers with, one branch of
//! RFC 9293 §3.10.7 segment processing per test.
//!
//! smoltcp style (`src/socket/tcp.rs`, `mod test`): packet-exchange macros `send!`, `recv!`
//! and `recv_nothing!`, and one fixture per state (`socket_established()` …). Segments are
//! written in the one-line notation the scenario tests print (`tests/common/mod.rs`):
//! `"S. seq=0 ack=1 len=0"`, tcpdump's flag letters, sequence numbers relative to the
//! sender's ISN and acknowledgment numbers relative to the receiver's. What `send!` leaves
//! out is zero (`len`, `ack` without `.`) or a plain 65535 window (`win`).
//!
//! The Linux profile, with a peer that offers no options (no timestamps, window scale or
//! SACK: RFC 7323 §1.3 and RFC 2018 §2 then leave them off both ways), so that every
//! segment is fully described by its line.

use super::*;
use crate::profile::Profile;
use crate::rng::Rng;
use crate::trace::{Event, HostId, MessageId};

/// The peer's ISN: printed and parsed relative to it, so the value itself never shows.
const PEER_ISN: u32 = 0xfff0_0000; // close to 2^32: relative numbers must wrap correctly
const LOCAL: Addr = Addr {
    host: HostId(0),
    port: 80,
};
const REMOTE: Addr = Addr {
    host: HostId(1),
    port: 40_000,
};

/// What a [`Ctx`] borrows, owned, so that one socket can run without a simulator.
struct Harness {
    s: TcpSocket,
    now: Micros,
    p: Profile,
    rng: Rng,
    out: Vec<Event>,
    tx: Vec<Segment>,
    timers: Vec<(SocketId, TimerKind, Micros)>,
    metrics: crate::tcp::metrics::Metrics,
}

impl Harness {
    fn new() -> Harness {
        let p = Profile::linux();
        let mut rng = Rng::new(7);
        let (mut out, mut tx, mut timers) = (Vec::new(), Vec::new(), Vec::new());
        let mut metrics = crate::tcp::metrics::Metrics::new();
        let s = {
            let ctx = Ctx {
                now: 0,
                p: &p,
                rng: &mut rng,
                out: &mut out,
                tx: &mut tx,
                timers: &mut timers,
                metrics: &mut metrics,
                in_timer: false,
            };
            TcpSocket::new(SocketId(1), LOCAL, &ctx)
        };
        Harness {
            s,
            now: 0,
            p,
            rng,
            out,
            tx,
            timers,
            metrics,
        }
    }

    /// Runs `f` on the socket with a context at the harness's time.
    fn with<R>(&mut self, f: impl FnOnce(&mut TcpSocket, &mut Ctx) -> R) -> R {
        let mut ctx = Ctx {
            now: self.now,
            p: &self.p,
            rng: &mut self.rng,
            out: &mut self.out,
            tx: &mut self.tx,
            timers: &mut self.timers,
            metrics: &mut self.metrics,
            in_timer: false,
        };
        f(&mut self.s, &mut ctx)
    }

    /// Moves the clock forward by `ms` milliseconds.
    fn wait_ms(&mut self, ms: u64) {
        self.now += ms * 1000;
    }

    /// A segment from the peer, from its one-line notation.
    fn peer_segment(&self, line: &str) -> Segment {
        let mut words = line.split_whitespace();
        let letters = words.next().unwrap_or_default();
        let has = |c| letters.contains(c);
        let (mut seq, mut ack, mut len, mut win) = (0u32, 0u32, 0u32, 65_535u16);
        let mut sack = Vec::new();
        for w in words {
            let (key, value) = w
                .split_once('=')
                .unwrap_or_else(|| panic!("`{w}` in `{line}`"));
            if key == "sack" {
                // `sack=5841-7301,8761-10221`: blocks relative to our ISN, as `ack` is.
                for block in value.split(',') {
                    let (l, r) = block.split_once('-').expect("sack=left-right");
                    let rel = |x: &str| -> u32 { x.parse().expect("a number") };
                    sack.push((
                        self.s.iss.0.wrapping_add(rel(l)),
                        self.s.iss.0.wrapping_add(rel(r)),
                    ));
                }
                continue;
            }
            let v: u32 = value
                .parse()
                .unwrap_or_else(|_| panic!("`{w}` in `{line}`"));
            match key {
                "seq" => seq = v,
                "ack" => ack = v,
                "len" => len = v,
                "win" => win = v as u16,
                _ => panic!("unknown field `{key}` in `{line}`"),
            }
        }
        let flags = TcpFlags {
            syn: has('S'),
            fin: has('F'),
            rst: has('R'),
            psh: has('P'),
            ack: has('.'),
            urg: false,
        };
        // Data bytes are numbered from 0 after the SYN: relative seq 1 is byte 0.
        let start = seq.saturating_sub(1);
        let payload = if len > 0 {
            vec![PayloadSpan {
                message: MessageId(0),
                start,
                end: start + len,
            }]
        } else {
            Vec::new()
        };
        let options = TcpOptions {
            mss: flags.syn.then_some(1460),
            sack,
            ..TcpOptions::default()
        };
        Segment {
            src: REMOTE,
            dst: LOCAL,
            header: Header::Tcp(TcpHeader {
                seq: PEER_ISN.wrapping_add(seq),
                ack: if flags.ack {
                    self.s.iss.0.wrapping_add(ack)
                } else {
                    0
                },
                flags,
                window: win,
                header_len: 20,
                options,
            }),
            payload_len: len,
            payload,
            wire_len: IP_HEADER + 20 + len,
            retransmission: 0,
            network_duplicate: false,
        }
    }

    /// A segment from the socket in the one-line notation.
    fn line(&self, seg: &Segment) -> String {
        let Header::Tcp(h) = &seg.header else {
            return "UDP".into();
        };
        let mut s = format!("{} seq={}", h.flags, h.seq.wrapping_sub(self.s.iss.0));
        if h.flags.ack {
            s += &format!(" ack={}", h.ack.wrapping_sub(PEER_ISN));
        }
        s + &format!(" len={}", seg.payload_len)
    }

    /// What the socket sent since the last call, one line per segment.
    fn sent(&mut self) -> Vec<String> {
        let tx = std::mem::take(&mut self.tx);
        tx.iter().map(|seg| self.line(seg)).collect()
    }

    /// The states the socket went through since the harness was made.
    fn states(&self) -> Vec<TcpState> {
        let mut v = Vec::new();
        for e in &self.out {
            if let EventKind::StateChanged { from, to, .. } = e.kind {
                if v.is_empty() {
                    v.push(from);
                }
                v.push(to);
            }
        }
        v
    }
}

/// The peer sends one segment (`"F. seq=1 ack=1"`), which the socket processes.
macro_rules! send {
    ($h:expr, $line:expr) => {{
        let seg = $h.peer_segment($line);
        $h.with(|s, ctx| s.on_segment(&seg, ctx));
    }};
}

/// The socket sent exactly these segments since the last `recv!`, in this order.
macro_rules! recv {
    ($h:expr, [$($line:expr),* $(,)?]) => {{
        let want: Vec<&str> = vec![$($line),*];
        assert_eq!($h.sent(), want, "segments sent by the socket");
    }};
}

/// The socket sent nothing since the last `recv!`.
macro_rules! recv_nothing {
    ($h:expr) => {
        recv!($h, [])
    };
}

// ---------------------------------------------------------------- fixtures

/// connect() sent a SYN.
fn socket_syn_sent() -> Harness {
    let mut h = Harness::new();
    h.with(|s, ctx| s.connect(REMOTE, ctx));
    recv!(h, ["S seq=0 len=0"]);
    assert_eq!(h.s.state, TcpState::SynSent);
    h
}

/// A listener's child answered a SYN with a SYN-ACK (passive open).
fn socket_syn_received() -> Harness {
    let mut h = Harness::new();
    h.s.parent = Some(SocketId(0));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::SynReceived);
    h
}

/// The handshake is over (passive side), nothing sent or received since.
fn socket_established() -> Harness {
    let mut h = socket_syn_received();
    send!(h, ". seq=1 ack=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Established);
    h
}

/// shutdown(SHUT_WR) sent a FIN that is not acknowledged yet.
fn socket_fin_wait_1() -> Harness {
    let mut h = socket_established();
    h.with(|s, ctx| s.app_shutdown(ctx));
    recv!(h, ["F. seq=1 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::FinWait1);
    h
}

/// Our FIN is acknowledged; the peer has not closed yet.
fn socket_fin_wait_2() -> Harness {
    let mut h = socket_fin_wait_1();
    send!(h, ". seq=1 ack=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::FinWait2);
    h
}

/// Both sides closed at once: the peer's FIN came before the ACK of ours.
fn socket_closing() -> Harness {
    let mut h = socket_fin_wait_1();
    send!(h, "F. seq=1 ack=1");
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.state, TcpState::Closing);
    h
}

/// Both FINs are acknowledged; the 2 MSL wait runs.
fn socket_time_wait() -> Harness {
    let mut h = socket_fin_wait_2();
    send!(h, "F. seq=1 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.state, TcpState::TimeWait);
    h
}

/// The peer closed first; its FIN is acknowledged (by the delayed ACK's timer).
fn socket_close_wait() -> Harness {
    let mut h = socket_established();
    send!(h, "F. seq=1 ack=1");
    assert_eq!(h.s.state, TcpState::CloseWait);
    let at =
        h.s.timer(TimerKind::DelayedAck)
            .expect("the FIN's ACK is delayed");
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::DelayedAck, ctx));
    recv!(h, [". seq=1 ack=2 len=0"]);
    h
}

/// The peer closed first, then we did: our FIN waits for its ACK.
fn socket_last_ack() -> Harness {
    let mut h = socket_close_wait();
    h.with(|s, ctx| s.app_shutdown(ctx));
    recv!(h, ["F. seq=1 ack=2 len=0"]);
    assert_eq!(h.s.state, TcpState::LastAck);
    h
}

// ---------------------------------------------------------------- SYN-SENT (§3.10.7.3)

#[test]
fn a_syn_ack_in_syn_sent_establishes_and_is_acknowledged() {
    let mut h = socket_syn_sent();
    send!(h, "S. seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::Established);
    assert_eq!(
        h.s.timer(TimerKind::Retransmit),
        None,
        "the SYN's timer stops"
    );
}

#[test]
fn an_ack_for_data_never_sent_in_syn_sent_is_answered_with_a_reset() {
    let mut h = socket_syn_sent();
    send!(h, "S. seq=0 ack=5");
    // §3.10.7.3 first: "<SEQ=SEG.ACK><CTL=RST>", and the segment is dropped.
    recv!(h, ["R seq=5 len=0"]);
    assert_eq!(h.s.state, TcpState::SynSent);
}

#[test]
fn an_unacceptable_ack_in_syn_sent_resends_the_syn_two_jiffies_later_once() {
    // Linux `tcp_rcv_synsent_state_process`: "Previous FIN/ACK or RST/ACK might be ignored",
    // so the SYN timer is brought forward to TCP_TIMEOUT_MIN while no SYN was resent.
    let mut h = socket_syn_sent();
    h.now = 20_000;
    send!(h, ". seq=0 ack=5");
    recv!(h, ["R seq=5 len=0"]);
    let at = h.s.timer(TimerKind::Retransmit).expect("the SYN's timer");
    assert!(at - h.now <= 3 * h.p.clock_granularity_us, "{at}");
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, ["S seq=0 len=0"]);
    // Once a SYN has been resent, the timer stays where the backoff put it (2 s).
    let backed_off = h.s.timer(TimerKind::Retransmit).expect("the SYN's timer");
    send!(h, ". seq=0 ack=5");
    recv!(h, ["R seq=5 len=0"]);
    assert_eq!(h.s.timer(TimerKind::Retransmit), Some(backed_off));
    // RFC 9293 §3.10.7.3 only resets.
    let mut h = socket_syn_sent();
    h.p.syn_resend_after_bad_ack = false;
    let first = h.s.timer(TimerKind::Retransmit);
    send!(h, ". seq=0 ack=5");
    recv!(h, ["R seq=5 len=0"]);
    assert_eq!(h.s.timer(TimerKind::Retransmit), first);
}

#[test]
fn an_ack_of_the_isn_itself_in_syn_sent_is_answered_with_a_reset() {
    let mut h = socket_syn_sent();
    send!(h, ". seq=0 ack=0");
    recv!(h, ["R seq=0 len=0"]);
    assert_eq!(h.s.state, TcpState::SynSent);
}

#[test]
fn a_reset_with_an_unacceptable_ack_in_syn_sent_is_dropped_without_reply() {
    let mut h = socket_syn_sent();
    send!(h, "R. seq=0 ack=9");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::SynSent);
}

#[test]
fn a_reset_acknowledging_the_syn_refuses_the_connection() {
    let mut h = socket_syn_sent();
    send!(h, "R. seq=0 ack=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.error, Some("ECONNREFUSED"));
}

#[test]
fn a_reset_without_ack_in_syn_sent_is_ignored() {
    // §3.10.7.3 second: "If the ACK was acceptable, then signal to the user 'error:
    // connection reset' … Otherwise (no ACK), drop the segment."
    let mut h = socket_syn_sent();
    send!(h, "R seq=0");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::SynSent);
    assert_eq!(h.s.error, None);
}

#[test]
fn an_acceptable_ack_without_syn_in_syn_sent_is_dropped() {
    let mut h = socket_syn_sent();
    send!(h, ". seq=0 ack=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::SynSent);
}

#[test]
fn a_bare_syn_in_syn_sent_is_a_simultaneous_open() {
    // RFC 9293 §3.5 figure 8: SYN-SENT → SYN-RECEIVED, SYN,ACK with the original ISN.
    let mut h = socket_syn_sent();
    send!(h, "S seq=0");
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::SynReceived);
}

// ---------------------------------------------------------------- SYN-RECEIVED

#[test]
fn the_third_segment_of_the_handshake_establishes_silently() {
    let h = socket_established();
    assert_eq!(
        h.states(),
        [
            TcpState::Listen,
            TcpState::SynReceived,
            TcpState::Established
        ]
    );
}

#[test]
fn a_retransmitted_syn_in_syn_received_gets_the_syn_ack_again() {
    // Linux `tcp_check_req`: the same SYN-ACK, counted as a retransmission.
    let mut h = socket_syn_received();
    h.wait_ms(300);
    send!(h, "S seq=0");
    let tx = std::mem::take(&mut h.tx);
    assert_eq!(tx.len(), 1);
    assert_eq!(h.line(&tx[0]), "S. seq=0 ack=1 len=0");
    assert_eq!(tx[0].retransmission, 1);
    assert_eq!(h.s.state, TcpState::SynReceived);
}

#[test]
fn an_ack_of_data_never_sent_in_syn_received_is_answered_with_a_reset() {
    // §3.10.7.4 fifth, SYN-RECEIVED: "If the segment acknowledgment is not acceptable,
    // form a reset segment <SEQ=SEG.ACK><CTL=RST>".
    let mut h = socket_syn_received();
    send!(h, ". seq=1 ack=9");
    recv!(h, ["R seq=9 len=0"]);
    assert_eq!(h.s.state, TcpState::SynReceived);
}

#[test]
fn a_reset_in_passive_syn_received_drops_the_request_quietly() {
    let mut h = socket_syn_received();
    send!(h, "R seq=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.error, None, "no application has seen this connection");
}

#[test]
fn a_reset_in_active_syn_received_refuses_the_connection() {
    let mut h = socket_syn_sent();
    send!(h, "S seq=0");
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    send!(h, "R seq=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.error, Some("ECONNREFUSED"));
}

#[test]
fn the_peers_syn_ack_completes_a_simultaneous_open() {
    let mut h = socket_syn_sent();
    send!(h, "S seq=0");
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    send!(h, "S. seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::Established);
}

// ---------------------------------------------------------------- ESTABLISHED

#[test]
fn data_in_order_is_acknowledged_and_queued_for_the_application() {
    let mut h = socket_established();
    send!(h, "P. seq=1 ack=1 len=100");
    // Linux starts in quick-ACK mode (`tcp_incr_quickack`): the first data is ACKed at once.
    recv!(h, [". seq=1 ack=101 len=0"]);
    assert_eq!(h.s.rcvbuf.len(), 100);
}

#[test]
fn a_segment_beyond_the_window_is_answered_with_an_ack_and_dropped() {
    // §3.10.7.4 first: "If an incoming segment is not acceptable, an acknowledgment should
    // be sent in reply (unless the RST bit is set)".
    let mut h = socket_established();
    send!(h, ". seq=900001 ack=1 len=10");
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.rcvbuf.len(), 0);
    assert_eq!(h.s.state, TcpState::Established);
}

#[test]
fn an_old_duplicate_is_answered_with_an_ack_and_dropped() {
    let mut h = socket_established();
    send!(h, "P. seq=1 ack=1 len=100");
    recv!(h, [". seq=1 ack=101 len=0"]);
    send!(h, "P. seq=1 ack=1 len=100");
    recv!(h, [". seq=1 ack=101 len=0"]);
    assert_eq!(h.s.rcvbuf.len(), 100, "the copy is not queued twice");
}

#[test]
fn a_reset_beyond_the_window_is_ignored_without_reply() {
    let mut h = socket_established();
    send!(h, "R seq=900001");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Established);
}

#[test]
fn a_reset_in_the_window_resets_the_connection() {
    let mut h = socket_established();
    send!(h, "R seq=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.error, Some("ECONNRESET"));
}

#[test]
fn a_reset_with_data_in_flight_leaves_tcp_info_nothing_unacknowledged() {
    // Linux `tcp_reset` → `tcp_done_with_error` → `tcp_write_queue_purge`: packets_out 0, so
    // TCP_INFO on the reset socket reports tcpi_unacked 0 (the lab: ten segments of a 20000-
    // byte write in flight when the peer's RST came, unacked 0 on 6.18).
    let mut h = socket_established();
    app_send(&mut h, 3000, false);
    assert_eq!(h.sent().len(), 3);
    assert_eq!(h.s.info(&h.p).unacked, 3);
    send!(h, "R seq=1");
    let i = h.s.info(&h.p);
    assert_eq!((i.state, i.unacked), (TcpState::Closed, 0));
}

#[test]
fn tcp_info_counts_a_short_segment_and_the_fin_sent_after_it_as_two_unacknowledged_packets() {
    // `tcpi_unacked` is `tp->packets_out`, skbs counted by `tcp_skb_pcount`, not bytes out
    // over the MSS: 100 bytes sent, then shutdown() with nothing left unsent, so the FIN
    // gets an skb of its own (`tcp_send_fin`). Measured on 6.18 (explore seed 11700 #11:
    // 50 ms one way, TCP_INFO in LAST-ACK with both out): unacked=2, 4 of 4 runs.
    let mut h = socket_close_wait();
    app_send(&mut h, 100, false);
    recv!(h, ["P. seq=1 ack=2 len=100"]);
    h.wait_ms(30);
    h.with(|s, ctx| s.app_shutdown(ctx));
    recv!(h, ["F. seq=101 ack=2 len=0"]);
    assert_eq!(h.s.state, TcpState::LastAck);
    assert_eq!(h.s.info(&h.p).unacked, 2);
    // The peer acknowledges the data: the FIN's skb is left.
    send!(h, ". seq=2 ack=101");
    assert_eq!(h.s.info(&h.p).unacked, 1);
}

#[test]
fn a_syn_in_the_window_gets_a_challenge_ack() {
    // RFC 5961 §4 (RFC 9293 §3.10.7.4 fourth): an ACK, and the connection stays.
    let mut h = socket_established();
    send!(h, "S seq=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::Established);
}

#[test]
fn a_segment_without_ack_is_dropped_after_the_window_check() {
    // §3.10.7.4 fifth: "if the ACK bit is off, drop the segment and return".
    let mut h = socket_established();
    send!(h, "P seq=1 len=10");
    recv_nothing!(h);
    assert_eq!(h.s.rcvbuf.len(), 0);
}

#[test]
fn an_ack_for_data_never_sent_is_answered_with_an_ack_and_dropped() {
    let mut h = socket_established();
    send!(h, "P. seq=1 ack=50 len=10");
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.rcvbuf.len(), 0, "its text is not processed either");
    assert_eq!(h.s.snd_una, h.s.iss + 1);
}

#[test]
fn a_newer_segment_updates_the_send_window_and_an_older_one_does_not() {
    // §3.10.7.4 fifth: update SND.WND only if SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and
    // SND.WL2 =< SEG.ACK, so that an old segment never takes back a newer window.
    let mut h = socket_established();
    send!(h, ". seq=201 ack=1 len=100 win=3000");
    assert_eq!(h.s.snd_wnd, 3000);
    recv!(h, [". seq=1 ack=1 len=0"]); // out of order: a duplicate ACK at once
    send!(h, ". seq=101 ack=1 len=100 win=100");
    assert_eq!(
        h.s.snd_wnd, 3000,
        "sent before the segment that set the window"
    );
    send!(h, ". seq=301 ack=1 len=0 win=5000");
    assert_eq!(h.s.snd_wnd, 5000);
}

#[test]
fn a_fin_in_established_moves_to_close_wait_with_a_delayed_ack() {
    // Linux `tcp_fin`: the ACK is scheduled in ping-pong mode, to ride on our own FIN.
    let mut h = socket_established();
    send!(h, "F. seq=1 ack=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::CloseWait);
    assert!(h.s.timer(TimerKind::DelayedAck).is_some());
    assert_eq!(
        h.s.rcv_nxt,
        SeqNumber(PEER_ISN) + 2,
        "the FIN takes one number"
    );
}

#[test]
fn a_fin_behind_a_full_segment_whose_ack_waits_is_acknowledged_at_once() {
    // Linux `__tcp_ack_snd_check` counts `rcv_nxt - rcv_wup`, the FIN's sequence number
    // included: a full segment whose ACK was delayed and the FIN behind it are "more than
    // one full frame", so the FIN is acknowledged at once despite `tcp_fin`'s ping-pong
    // mode. Behind less than a full segment its ACK waits. Measured on 6.18 (explore seed
    // 4600 #6, 50 ms: 1448 bytes, their ACK delayed, the FIN 27 ms later): ACK at once.
    let run = |len: u32| {
        // Linux's receive memory: the window offered is bounded by rcv_ssthresh, not by
        // the free space, so unread data does not shrink it.
        let mut h = socket_established_truesize(1460);
        recv_nothing!(h);
        // Interactive (ping-pong) mode: data is acknowledged late, as after our replies.
        h.s.pingpong = true;
        send!(h, &format!(". seq=1 ack=1 len={len}"));
        recv_nothing!(h);
        h.wait_ms(20);
        send!(h, &format!("F. seq={} ack=1", len + 1));
        assert_eq!(h.s.state, TcpState::CloseWait);
        h.sent()
    };
    assert_eq!(run(1460), vec![". seq=1 ack=1462 len=0".to_string()]);
    assert_eq!(run(100), Vec::<String>::new(), "behind 100 bytes it waits");
}

#[test]
fn a_fin_ahead_of_missing_data_waits_and_is_acknowledged_at_once() {
    let mut h = socket_established();
    send!(h, "F. seq=11 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::Established);
    send!(h, "P. seq=1 ack=1 len=10");
    assert_eq!(
        h.s.state,
        TcpState::CloseWait,
        "the gap filled, the FIN counts"
    );
}

// ---------------------------------------------------------------- closing

#[test]
fn the_ack_of_our_fin_moves_fin_wait_1_to_fin_wait_2() {
    let h = socket_fin_wait_2();
    assert!(h.s.fin_acked());
}

#[test]
fn a_fin_with_the_ack_of_ours_moves_fin_wait_1_to_time_wait() {
    let mut h = socket_fin_wait_1();
    send!(h, "F. seq=1 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.state, TcpState::TimeWait);
}

#[test]
fn data_in_fin_wait_2_is_still_received() {
    // Half-close (RFC 9293 §3.6): the peer may go on sending.
    let mut h = socket_fin_wait_2();
    send!(h, "P. seq=1 ack=2 len=10");
    recv!(h, [". seq=2 ack=11 len=0"]);
    assert_eq!(h.s.rcvbuf.len(), 10);
    assert_eq!(h.s.state, TcpState::FinWait2);
}

#[test]
fn data_for_a_closed_application_is_answered_with_a_reset() {
    // Linux `tcp_rcv_state_process` "abort on data": RST at the segment's ACK number.
    let mut h = socket_established();
    h.with(|s, ctx| s.app_close(ctx));
    recv!(h, ["F. seq=1 ack=1 len=0"]);
    send!(h, "P. seq=1 ack=2 len=10");
    recv!(h, ["R seq=2 len=0"]);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn new_data_after_shut_rd_in_fin_wait_2_is_answered_with_a_reset_and_resets_the_owner() {
    // Linux `tcp_rcv_state_process`, FIN-WAIT-1/2: RCV_SHUTDOWN is set by shutdown(SHUT_RD)
    // as by close(); new data then draws `tcp_reset` (ECONNRESET) and a bare RST in reply
    // (`tcp_v4_send_reset`). Measured on 6.18 after SHUT_RDWR: "R seq=2", recv ECONNRESET.
    let mut h = socket_fin_wait_2();
    h.with(|s, ctx| s.app_shutdown_read(ctx));
    send!(h, "P. seq=1 ack=2 len=5");
    recv!(h, ["R seq=2 len=0"]);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(
        h.with(|s, ctx| s.app_recv(100, ctx)),
        RecvOutcome::Error("ECONNRESET")
    );
}

#[test]
fn close_with_unread_data_after_shut_wr_resets_instead_of_waiting_in_fin_wait_2() {
    // Linux `__tcp_close`: unread data sends `tcp_send_active_reset` in any state, here
    // FIN-WAIT-2 after shutdown(SHUT_WR). Measured on 6.18: "R. seq=2 ack=6".
    let mut h = socket_fin_wait_2();
    send!(h, "P. seq=1 ack=2 len=5");
    h.sent();
    h.with(|s, ctx| s.app_close(ctx));
    recv!(h, ["R. seq=2 ack=6 len=0"]);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.timer(TimerKind::FinWait2), None);
}

#[test]
fn an_abort_in_last_ack_with_unread_data_resets_where_an_empty_queue_goes_quietly() {
    // Linux `__tcp_close` checks unread data before SO_LINGER 0: the unread bytes reset the
    // connection in LAST-ACK, where `tcp_disconnect` alone sends nothing once the FIN is
    // out. Measured on 6.18 (explore seed 37800 #9): "R. seq=2 ack=1450" in LAST-ACK.
    for (unread, rst) in [(true, vec!["R. seq=2 ack=7 len=0"]), (false, vec![])] {
        let mut h = socket_established();
        send!(h, "P. seq=1 ack=1 len=5");
        if !unread {
            let read = h.with(|s, ctx| s.app_recv(100, ctx));
            assert!(matches!(read, RecvOutcome::Data(_)), "{read:?}");
        }
        send!(h, "F. seq=6 ack=1");
        h.with(|s, ctx| s.app_shutdown(ctx));
        h.sent();
        assert_eq!(h.s.state, TcpState::LastAck);
        h.with(|s, ctx| s.app_abort(ctx));
        assert_eq!(h.sent(), rst, "unread {unread}");
        assert_eq!(h.s.state, TcpState::Closed);
    }
}

#[test]
fn an_abort_in_last_ack_with_its_fin_still_queued_resets_where_a_sent_fin_goes_quietly() {
    // Linux `tcp_disconnect` (close() with SO_LINGER 0): LAST-ACK and CLOSING reset while
    // `snd_nxt != write_seq`, data or the FIN itself still queued; once the FIN is out they
    // close quietly (`tcp_need_reset` leaves them out). Measured on 6.18 (20 ms, a zero
    // window holding the data and the FIN): "R. seq=4369 ack=2" in LAST-ACK.
    for (win, sent, rst) in [
        (0, vec![], vec!["R. seq=1 ack=2 len=0"]),
        (
            65535,
            vec!["P. seq=1 ack=2 len=100", "F. seq=101 ack=2 len=0"],
            vec![],
        ),
    ] {
        let mut h = socket_close_wait();
        send!(h, &format!(". seq=2 ack=1 win={win}"));
        write(&mut h, 100);
        h.with(|s, ctx| s.app_shutdown(ctx));
        assert_eq!(h.s.state, TcpState::LastAck);
        assert_eq!(h.sent(), sent, "window {win}");
        h.with(|s, ctx| s.app_abort(ctx));
        assert_eq!(h.sent(), rst, "window {win}");
        assert_eq!(h.s.state, TcpState::Closed);
    }
}

#[test]
fn the_ack_of_a_lone_fin_grows_a_one_segment_window_in_slow_start_as_data_would() {
    // Linux `tcp_clean_rtx_queue` counts a FIN's own skb like data (pcount 1,
    // FLAG_DATA_ACKED for every skb but a SYN's, one more in `tp->delivered`), and with one
    // packet out a window of one is cwnd-limited (`tcp_is_cwnd_limited`: cwnd < 2 ·
    // max_packets_out). Measured on 6.18 (explore seed 47600 #23: the first SYN-ACK lost,
    // so cwnd 1, `tcp_init_transfer`; the server's FIN its only segment): tcp_info cwnd 2
    // once the FIN is acknowledged.
    let mut h = socket_established();
    let mss = h.s.snd_mss;
    h.s.cc.cwnd = mss;
    h.with(|s, ctx| s.app_shutdown(ctx));
    recv!(h, ["F. seq=1 ack=1 len=0"]);
    send!(h, ". seq=1 ack=2");
    assert_eq!(h.s.cc.cwnd, 2 * mss);
}

#[test]
fn a_reset_in_last_ack_leaves_econnreset_for_the_owner() {
    // Linux `tcp_reset`: every state but SYN-SENT and CLOSE-WAIT reports ECONNRESET,
    // LAST-ACK included. Measured on 6.18: RST in LAST-ACK, then send() ECONNRESET.
    let mut h = socket_last_ack();
    send!(h, "R. seq=2 ack=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.error, Some("ECONNRESET"));
}

#[test]
fn a_fin_in_fin_wait_2_enters_time_wait_for_2msl() {
    // TCP_TIMEWAIT_LEN, 60 s, on the timewait socket's timer_list: 15000 jiffies are filed
    // at level 3 of the wheel (512-jiffy buckets at HZ 250), 1 to 512 jiffies late.
    let h = socket_time_wait();
    assert_eq!(h.s.timer(TimerKind::TimeWait), time_wait_restarted(&h));
}

/// The timeout the socket last asked of its FIN-WAIT-2 timer.
fn fin_wait2_timeout(h: &Harness) -> Option<Micros> {
    h.out.iter().rev().find_map(|e| match e.kind {
        EventKind::TimerSet {
            timer: TimerKind::FinWait2,
            timeout_us,
            ..
        } => timeout_us,
        _ => None,
    })
}

/// An orphan whose handshake took `rtt_ms` and whose FIN is acknowledged one round trip
/// after close(), with tcp_fin_timeout 2 s.
fn orphan_in_fin_wait_2(rtt_ms: u64) -> Harness {
    orphan_in_fin_wait_2_with(rtt_ms, Some(2_000_000))
}

/// The same with profile `fin_wait2_timeout_us` `fin_timeout`.
fn orphan_in_fin_wait_2_with(rtt_ms: u64, fin_timeout: Option<Micros>) -> Harness {
    let mut h = socket_syn_received();
    h.p.fin_wait2_timeout_us = fin_timeout;
    h.wait_ms(rtt_ms);
    send!(h, ". seq=1 ack=1");
    h.with(|s, ctx| s.app_close(ctx));
    recv!(h, ["F. seq=1 ack=1 len=0"]);
    h.wait_ms(rtt_ms);
    send!(h, ". seq=1 ack=2");
    assert_eq!(h.s.state, TcpState::FinWait2);
    h
}

#[test]
fn an_orphan_waits_in_fin_wait_2_for_tcp_fin_timeout_but_at_least_three_and_a_half_rtos() {
    // Linux `tcp_fin_time`: one 600 ms RTT sample makes the RTO 3 × 600 ms (srtt + 4 ×
    // rtt/2), 451 jiffies at HZ 250 (a real sample lies just above the wire's 600 ms);
    // (451 << 2) - (451 >> 1) = 1579 jiffies, 6.316 s, where tcp_fin_timeout says 2 s.
    assert_eq!(
        fin_wait2_timeout(&orphan_in_fin_wait_2(600)),
        Some(6_316_000)
    );
    // A 20 ms path: the RTO is TCP_RTO_MIN's 200 ms + 20, 3.5 × 220 ms < 2 s.
    assert_eq!(
        fin_wait2_timeout(&orphan_in_fin_wait_2(20)),
        Some(2_000_000)
    );
}

#[test]
fn with_tcp_fin_timeout_0_an_orphan_waits_three_and_a_half_rtos_in_fin_wait_2_then_is_gone() {
    // Linux `tcp_fin_time` raises tcp_fin_timeout to `(rto << 2) - (rto >> 1)`: 0 is that
    // floor, never "no timeout". A 20 ms path: RTO just over 200 + 20 ms (a real sample lies
    // above the wire's 20 ms), 56 jiffies at HZ 250, (56 << 2) - (56 >> 1) = 196 jiffies,
    // 784 ms, on a timewait socket in substate FIN_WAIT2 (`tcp_time_wait`, the same floor).
    let mut h = orphan_in_fin_wait_2_with(20, Some(0));
    assert_eq!(fin_wait2_timeout(&h), Some(784_000));
    h.now = h.s.timer(TimerKind::FinWait2).expect("the orphan's timer");
    h.with(|s, ctx| s.on_timer(TimerKind::FinWait2, ctx));
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn without_a_fin_wait_2_timeout_an_orphan_waits_for_the_peers_fin() {
    // The RFC profile's `None`: RFC 9293 has no FIN-WAIT-2 timer; the FIN, however late,
    // still finds the orphan and moves it to TIME-WAIT.
    let mut h = orphan_in_fin_wait_2_with(20, None);
    assert_eq!(h.s.timer(TimerKind::FinWait2), None);
    h.wait_ms(600_000);
    send!(h, "F. seq=1 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.state, TcpState::TimeWait);
}

#[test]
fn the_ack_of_our_fin_moves_closing_to_time_wait() {
    let mut h = socket_closing();
    send!(h, ". seq=2 ack=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::TimeWait);
}

#[test]
fn a_retransmitted_fin_in_time_wait_is_acknowledged_and_restarts_2msl() {
    // §3.10.7.4 eighth, TIME-WAIT: "Acknowledge it, and restart the 2 MSL timeout."
    let mut h = socket_time_wait();
    h.wait_ms(1000);
    send!(h, "F. seq=1 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.timer(TimerKind::TimeWait), time_wait_restarted(&h));
}

#[test]
fn an_abort_by_the_owner_leaves_time_wait_running() {
    // Linux: reaching TIME-WAIT closed the owner's socket (`tcp_time_wait` → `tcp_done`);
    // SO_LINGER 0 and close() (`tcp_disconnect`) then find it CLOSE and do nothing.
    let mut h = socket_time_wait();
    let timer = h.s.timer(TimerKind::TimeWait);
    h.with(|s, ctx| s.app_abort(ctx));
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::TimeWait);
    assert_eq!(h.s.timer(TimerKind::TimeWait), timer);
}

/// The TIME-WAIT timer as TCP_TIMEWAIT_LEN from now sets it (`inet_twsk_schedule`, and
/// `inet_twsk_reschedule` on a restart): 60 s,
/// filed at level 3 of the wheel (512-jiffy buckets at HZ 250).
fn time_wait_restarted(h: &Harness) -> Option<Micros> {
    Some(h.now + h.p.time_wait_us + 1_024_000)
}

#[test]
fn a_bare_ack_at_rcv_nxt_restarts_time_wait_without_an_answer() {
    // Linux `tcp_timewait_state_process`, "In window segment, it may be only reset or bare
    // ack": `inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN)` and nothing sent.
    let mut h = socket_time_wait();
    h.wait_ms(1000);
    send!(h, ". seq=2 ack=2");
    recv_nothing!(h);
    assert_eq!(h.s.timer(TimerKind::TimeWait), time_wait_restarted(&h));
    assert_eq!(h.s.state, TcpState::TimeWait);
}

#[test]
fn time_wait_acknowledges_data_and_out_of_window_acks_and_restarts_its_timer() {
    // Anything but a bare segment at rcv_nxt is "ACKed immediately", and one with an ACK
    // restarts the timer. Data is always answered; a segment without data at most once per
    // tcp_invalid_ratelimit (`tcp_timewait_check_oow_rate_limit`).
    let mut h = socket_time_wait();
    h.wait_ms(1000);
    send!(h, ". seq=2 ack=2 len=10");
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.timer(TimerKind::TimeWait), time_wait_restarted(&h));
    send!(h, ". seq=2 ack=2 len=10");
    recv!(h, [". seq=2 ack=2 len=0"]);
    h.wait_ms(1000);
    send!(h, ". seq=90000 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.timer(TimerKind::TimeWait), time_wait_restarted(&h));
    h.wait_ms(100);
    send!(h, ". seq=90000 ack=2");
    recv_nothing!(h);
    h.wait_ms(500);
    send!(h, ". seq=90000 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
}

#[test]
fn an_old_timestamp_at_rcv_nxt_fails_paws_in_time_wait_and_is_acknowledged() {
    // The timewait socket's `tcp_paws_reject` has no window and no leniency for a
    // disordered pure ACK: a TSval one behind `ts_recent` fails, is answered (rate-limited)
    // and restarts the timer.
    let mut h = socket_time_wait();
    h.s.ts_ok = true;
    h.s.ts_recent = 5_000;
    h.wait_ms(1000);
    let old = with_tsval(&h, ". seq=2 ack=2", 4_999);
    h.with(|s, ctx| s.on_segment(&old, ctx));
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.timer(TimerKind::TimeWait), time_wait_restarted(&h));
    assert_eq!(h.s.ts_recent, 5_000, "a rejected segment leaves ts_recent");
    h.wait_ms(100);
    h.with(|s, ctx| s.on_segment(&old, ctx));
    recv_nothing!(h);
    // A current one is the bare ACK at rcv_nxt: silent, and it becomes ts_recent.
    let now = with_tsval(&h, ". seq=2 ack=2", 5_100);
    h.with(|s, ctx| s.on_segment(&now, ctx));
    recv_nothing!(h);
    assert_eq!(h.s.ts_recent, 5_100);
}

#[test]
fn a_new_timewait_socket_answers_at_once_whatever_the_full_socket_answered_last() {
    // `tcp_time_wait`: `tw_last_oow_ack_time = 0`, so the rate limit starts afresh.
    let mut h = socket_fin_wait_2();
    send!(h, ". seq=90000 ack=2");
    recv!(h, [". seq=2 ack=1 len=0"]);
    h.wait_ms(100);
    send!(h, "F. seq=1 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
    h.wait_ms(100);
    send!(h, ". seq=90000 ack=2");
    recv!(h, [". seq=2 ack=2 len=0"]);
}

#[test]
fn time_wait_keeps_the_window_of_its_last_ack_while_the_owner_reads_what_was_left() {
    // `tcp_time_wait`: `tw_rcv_wnd = tcp_receive_window(tp)` after the ACK of the FIN, and
    // `tcp_v4_timewait_ack` sends it as it is; the owner can still read its closed socket's
    // receive queue, which no longer opens any window.
    let mut h = socket_fin_wait_2();
    send!(h, ". seq=1 ack=2 len=20000");
    h.sent();
    send!(h, "F. seq=20001 ack=2");
    let window = |h: &Harness| match h.tx.last().map(|seg| &seg.header) {
        Some(Header::Tcp(t)) => t.window,
        _ => unreachable!("an ACK was sent"),
    };
    let last = window(&h);
    recv!(h, [". seq=2 ack=20002 len=0"]);
    assert_eq!(h.s.state, TcpState::TimeWait);
    assert!(matches!(
        h.with(|s, ctx| s.app_recv(1 << 20, ctx)),
        RecvOutcome::Data(_)
    ));
    h.wait_ms(100);
    send!(h, "F. seq=20001 ack=2");
    assert_eq!(window(&h), last);
    recv!(h, [". seq=2 ack=20002 len=0"]);
}

/// close() after the handshake (passive side); the peer acknowledged the FIN without
/// sending its own: Linux hands the orphan to a timewait socket in substate FIN_WAIT2.
fn orphan_fin_wait_2() -> Harness {
    let mut h = socket_established();
    h.with(|s, ctx| s.app_close(ctx));
    recv!(h, ["F. seq=1 ack=1 len=0"]);
    h.wait_ms(20);
    send!(h, ". seq=1 ack=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::FinWait2);
    h
}

#[test]
fn an_orphan_in_fin_wait_2_is_ended_by_a_reset_anywhere_in_its_window() {
    // `tcp_timewait_state_process`, substate FIN_WAIT2: `if (th->rst) goto kill` for any
    // RST in the window, where a full socket sends a challenge ACK (RFC 5961 §3.2).
    // Measured on 6.18: "R seq=111" with rcv_nxt 11 ended it silently.
    let mut h = orphan_fin_wait_2();
    send!(h, "R seq=100");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    // Out of the window it does not, and the window check comes first with no exception
    // for a RST: the out-of-window ACK (rate-limited), and the socket stays.
    let mut h = orphan_fin_wait_2();
    send!(h, "R seq=90000");
    recv!(h, [". seq=2 ack=1 len=0"]);
    send!(h, "R seq=90000");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::FinWait2);
}

#[test]
fn a_syn_at_or_past_rcv_nxt_resets_an_orphan_in_fin_wait_2() {
    // TCP_TW_RST, where a full socket sends a challenge ACK (RFC 5961 §4). Measured on
    // 6.18: "S. seq=11" with rcv_nxt 11 drew "R seq=2" and ended it.
    let mut h = orphan_fin_wait_2();
    send!(h, "S. seq=1 ack=2");
    recv!(h, ["R seq=2 len=0"]);
    assert_eq!(h.s.state, TcpState::Closed);
    let mut h = orphan_fin_wait_2();
    send!(h, "S seq=5");
    assert_eq!(h.sent().len(), 1);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn a_fin_past_rcv_nxt_resets_an_orphan_in_fin_wait_2() {
    // "New data or FIN. If new data arrive after half-duplex close, reset": a FIN not at
    // rcv_nxt announces data the orphan will never read. Measured on 6.18: "F. seq=16"
    // with rcv_nxt 11 drew "R seq=2".
    let mut h = orphan_fin_wait_2();
    send!(h, "F. seq=5 ack=2");
    recv!(h, ["R seq=2 len=0"]);
    assert_eq!(h.s.state, TcpState::Closed);
    // A full socket whose reading side is shut resets it too (`tcp_rcv_state_process`,
    // FIN-WAIT-1/2: `after(end_seq - th->fin, rcv_nxt)`).
    let mut h = socket_fin_wait_2();
    h.with(|s, ctx| s.app_shutdown_read(ctx));
    send!(h, "F. seq=5 ack=2");
    recv!(h, ["R seq=2 len=0"]);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn with_tcp_fin_timeout_past_time_wait_len_an_orphan_waits_the_difference_twice() {
    // `tcp_fin_time` 61 s > TCP_TIMEWAIT_LEN: the full socket keeps the keepalive timer for
    // 1 s, then `tcp_keepalive_timer` makes a timewait socket for 61 - 60 s again.
    // Measured on 6.18 (tcp_fin_timeout 61): gone 2.05 s after the ACK of its FIN.
    let mut h = socket_established();
    h.p.fin_wait2_timeout_us = Some(61_000_000);
    h.with(|s, ctx| s.app_close(ctx));
    h.sent();
    send!(h, ". seq=1 ack=2");
    assert_eq!(fin_wait2_timeout(&h), Some(1_000_000));
    // A RST out of the full socket's rcv_nxt still draws its challenge ACK.
    send!(h, "R seq=100");
    recv!(h, [". seq=2 ack=1 len=0"]);
    h.now =
        h.s.timer(TimerKind::FinWait2)
            .expect("the keepalive timer's leg");
    h.with(|s, ctx| s.on_timer(TimerKind::FinWait2, ctx));
    assert_eq!(h.s.state, TcpState::FinWait2);
    assert_eq!(fin_wait2_timeout(&h), Some(1_000_000));
    // Now a timewait socket: the same RST ends it.
    send!(h, "R seq=100");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn time_wait_ends_in_closed_when_its_timer_fires() {
    let mut h = socket_time_wait();
    h.now = h.s.timer(TimerKind::TimeWait).expect("2MSL timer");
    h.with(|s, ctx| s.on_timer(TimerKind::TimeWait, ctx));
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn a_reset_in_time_wait_closes_it() {
    // RFC 9293 §3.10.7.4 second; Linux with net.ipv4.tcp_rfc1337 = 0 (the default) does too.
    let mut h = socket_time_wait();
    send!(h, "R seq=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn with_tcp_rfc1337_a_reset_in_time_wait_is_ignored() {
    // RFC 1337 §3 (TIME-WAIT assassination); Linux `tcp_timewait_state_process` with
    // net.ipv4.tcp_rfc1337 = 1 keeps the timewait socket. Measured on 6.18
    // (abort-in-last-ack with tcp_rfc1337 1): the listener's RST left TIME-WAIT running.
    let mut h = socket_time_wait();
    h.p.rfc1337 = true;
    let timer = h.s.timer(TimerKind::TimeWait);
    send!(h, "R seq=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::TimeWait);
    assert_eq!(h.s.timer(TimerKind::TimeWait), timer);
}

#[test]
fn a_reset_in_time_wait_ends_it_only_at_exactly_rcv_nxt() {
    // Linux `tcp_timewait_state_process`: the "in window segment" branch that kills the
    // timewait socket needs `seq == tw_rcv_nxt`; a RST elsewhere in the window is dropped
    // silently (no ACK: `if (!th->rst)`), and TIME-WAIT keeps its timer.
    let mut h = socket_time_wait();
    let timer = h.s.timer(TimerKind::TimeWait);
    send!(h, "R seq=3");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::TimeWait);
    assert_eq!(h.s.timer(TimerKind::TimeWait), timer);
    send!(h, "R seq=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn tcp_info_of_a_connection_in_time_wait_reports_the_owners_socket_closed() {
    // Linux `tcp_time_wait` → `tcp_done`: the connection lives on in a timewait socket, the
    // owner's socket is TCP_CLOSE, which `tcp_get_info` reports. Measured on 6.18
    // (explore-300-34: CLOSING, then TIME-WAIT; TCP_INFO then says CLOSED).
    let h = socket_time_wait();
    assert_eq!(h.s.info(&h.p).state, TcpState::Closed);
    let mut rfc = h.p.clone();
    rfc.linux_errno = false;
    assert_eq!(h.s.info(&rfc).state, TcpState::TimeWait);
}

#[test]
fn after_the_peers_fin_a_reset_at_rcv_nxt_minus_one_resets_the_connection() {
    // Linux `tcp_validate_incoming` → `tcp_reset_check`: in CLOSE-WAIT, LAST-ACK and CLOSING
    // a RST numbered like the FIN (rcv_nxt - 1) resets although it is out of the window.
    // Measured on 6.18 (explore-200-24: `R seq=1` after `F. seq=1`, CLOSE-WAIT ended).
    let mut h = socket_close_wait();
    send!(h, "R seq=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    // Anywhere else out of the window it is still ignored.
    let mut h = socket_close_wait();
    send!(h, "R seq=0");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::CloseWait);
}

/// A SYN reaching TIME-WAIT as the driver hands it (`Sim::time_wait_syn`): the verdict,
/// and for a SYN that does not reopen the connection, the old connection's ACK.
fn syn_in_time_wait(h: &mut Harness, seg: &Segment) -> Option<TimeWaitSyn> {
    let Header::Tcp(th) = &seg.header else {
        unreachable!("a TCP segment")
    };
    let v = h.s.time_wait_syn(th, &h.p);
    if let Some(TimeWaitSyn::Ack { paws_reject }) = v {
        h.with(|s, ctx| s.time_wait_ack(true, paws_reject, ctx));
    }
    v
}

/// A peer's segment with a timestamp option (`tsval`), for the PAWS branches.
fn with_tsval(h: &Harness, line: &str, tsval: u32) -> Segment {
    let mut seg = h.peer_segment(line);
    if let Header::Tcp(th) = &mut seg.header {
        th.options.timestamps = Some((tsval, 0));
    }
    seg
}

#[test]
fn a_syn_past_the_old_rcv_nxt_reopens_time_wait_with_an_isn_65537_past_snd_nxt() {
    // `tcp_timewait_state_process`: TCP_TW_SYN, `tcp_tw_isn` = tw_snd_nxt + 65535 + 2.
    let mut h = socket_time_wait();
    let syn = h.peer_segment("S seq=1000");
    let want = (h.s.snd_nxt + 65_537).0;
    assert_eq!(
        syn_in_time_wait(&mut h, &syn),
        Some(TimeWaitSyn::Reopen(want))
    );
    recv_nothing!(h);
}

#[test]
fn a_syn_not_past_the_old_rcv_nxt_without_timestamps_gets_the_old_ack_once_per_half_second() {
    // Not newer: TCP_TW_ACK through `tcp_timewait_check_oow_rate_limit`
    // (tcp_invalid_ratelimit 500 ms). An ACKless SYN leaves the TIME-WAIT timer alone.
    let mut h = socket_time_wait();
    let timer = h.s.timer(TimerKind::TimeWait);
    let syn = h.peer_segment("S seq=2");
    let ack = Some(TimeWaitSyn::Ack { paws_reject: false });
    assert_eq!(syn_in_time_wait(&mut h, &syn), ack);
    recv!(h, [". seq=2 ack=2 len=0"]);
    h.wait_ms(100);
    assert_eq!(syn_in_time_wait(&mut h, &syn), ack);
    recv_nothing!(h);
    h.wait_ms(500);
    assert_eq!(syn_in_time_wait(&mut h, &syn), ack);
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.timer(TimerKind::TimeWait), timer);
    assert_eq!(h.s.state, TcpState::TimeWait);
}

#[test]
fn a_syn_with_a_newer_timestamp_reopens_time_wait_whatever_its_sequence_number() {
    let mut h = socket_time_wait();
    h.s.ts_ok = true;
    h.s.ts_recent = 5_000;
    let syn = with_tsval(&h, "S seq=0", 5_001);
    assert!(matches!(
        syn_in_time_wait(&mut h, &syn),
        Some(TimeWaitSyn::Reopen(_))
    ));
    // The same timestamp is not newer, and seq 0 is not past rcv_nxt.
    let syn = with_tsval(&h, "S seq=0", 5_000);
    assert_eq!(
        syn_in_time_wait(&mut h, &syn),
        Some(TimeWaitSyn::Ack { paws_reject: false })
    );
}

#[test]
fn a_syn_with_an_older_timestamp_fails_paws_in_time_wait_and_restarts_its_timer() {
    // `tcp_paws_reject` (no window in TIME-WAIT) beats a sequence number past rcv_nxt; the
    // timer restarts for a PAWS failure (`inet_twsk_reschedule`).
    let mut h = socket_time_wait();
    h.s.ts_ok = true;
    h.s.ts_recent = 5_000;
    h.wait_ms(1000);
    let syn = with_tsval(&h, "S seq=1000", 4_999);
    assert_eq!(
        syn_in_time_wait(&mut h, &syn),
        Some(TimeWaitSyn::Ack { paws_reject: true })
    );
    recv!(h, [". seq=2 ack=2 len=0"]);
    assert_eq!(h.s.timer(TimerKind::TimeWait), time_wait_restarted(&h));
}

#[test]
fn without_time_wait_reopen_a_syn_goes_the_synchronized_states_way() {
    // The RFC profile (RFC 9293 §3.10.7.4): the driver hands it to `on_segment`.
    let mut h = socket_time_wait();
    h.p.time_wait_reopen = false;
    let syn = h.peer_segment("S seq=1000");
    assert_eq!(syn_in_time_wait(&mut h, &syn), None);
    // Nor does a segment with ACK or RST, or any state but TIME-WAIT, get a verdict.
    h.p.time_wait_reopen = true;
    let Header::Tcp(th) = h.peer_segment("S. seq=1000 ack=2").header else {
        unreachable!()
    };
    assert_eq!(h.s.time_wait_syn(&th, &h.p), None);
    let est = socket_established();
    let Header::Tcp(th) = est.peer_segment("S seq=1000").header else {
        unreachable!()
    };
    assert_eq!(est.s.time_wait_syn(&th, &est.p), None);
}

#[test]
fn an_isn_is_the_4_tuples_keyed_hash_plus_the_clock_in_64_ns_ticks() {
    // RFC 6528; Linux `secure_tcp_seq` → `seq_scale`: one tick per 64 ns, 15,625,000 a second.
    let isn = |at_ms: u64, remote: Addr, p: Profile| {
        let mut h = Harness::new();
        h.p = p;
        h.now = at_ms * 1000;
        h.with(|s, ctx| s.connect(remote, ctx));
        h.s.iss
    };
    let linux = Profile::linux();
    let first = isn(0, REMOTE, linux.clone());
    assert_eq!(isn(1000, REMOTE, linux.clone()).diff(first), 15_625_000);
    // RFC 9293 §3.4.1's 4 µs clock: 250,000 a second.
    let rfc = Profile::rfc();
    assert_eq!(
        isn(1000, REMOTE, rfc.clone()).diff(isn(0, REMOTE, rfc)),
        250_000
    );
    // Another port is another hash.
    let other = Addr {
        port: 40_001,
        ..REMOTE
    };
    assert_ne!(isn(0, other, linux), first);
}

#[test]
fn connections_between_two_hosts_share_one_timestamp_offset_and_tcp_timestamps_2_has_none() {
    // `secure_tcp_ts_off`: a keyed hash of the address pair, not the ports; 0 unless
    // tcp_timestamps is 1.
    let offset = |remote: Addr, with_offset: bool, secret: u64| {
        let mut h = Harness::new();
        h.p.timestamps_offset = with_offset;
        h.s.secret = secret;
        h.with(|s, ctx| s.connect(remote, ctx));
        h.s.ts_offset
    };
    let other_port = Addr {
        port: 40_001,
        ..REMOTE
    };
    let other_host = Addr {
        host: HostId(2),
        ..REMOTE
    };
    let first = offset(REMOTE, true, 7);
    assert_ne!(first, 0);
    assert_eq!(offset(other_port, true, 7), first);
    assert_ne!(offset(other_host, true, 7), first);
    assert_ne!(offset(REMOTE, true, 8), first, "another host's key");
    assert_eq!(offset(REMOTE, false, 7), 0);
}

#[test]
fn a_retransmitted_fin_in_close_wait_is_acknowledged_again() {
    let mut h = socket_close_wait();
    send!(h, "F. seq=1 ack=1");
    recv!(h, [". seq=1 ack=2 len=0"]);
    assert_eq!(h.s.state, TcpState::CloseWait);
}

#[test]
fn a_reset_in_close_wait_reports_epipe_on_linux() {
    let mut h = socket_close_wait();
    send!(h, "R seq=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.error, Some("EPIPE"));
}

#[test]
fn the_ack_of_our_fin_closes_last_ack() {
    let mut h = socket_last_ack();
    send!(h, ". seq=2 ack=2");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn an_ack_that_does_not_cover_our_fin_leaves_last_ack_waiting() {
    let mut h = socket_last_ack();
    send!(h, ". seq=2 ack=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::LastAck);
}

// ---------------------------------------------------------------- acceptability (§3.10.7.4)

/// The four cases of RFC 9293's acceptability table, with the receive window set by hand.
#[test]
fn dataless_out_of_window_segments_are_answered_at_most_once_per_invalid_ratelimit() {
    // Linux `tcp_oow_rate_limited` (tcp_invalid_ratelimit 500 ms): a zero-window probe
    // (one byte before rcv_nxt, no data) is answered, the next one 444 ms later is not
    // (measured on 6.18 over a 0 ms wire), one 500 ms after the last answer is again;
    // out-of-window data is always answered.
    let mut h = socket_established();
    send!(h, ". seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    h.wait_ms(444);
    send!(h, ". seq=0 ack=1");
    recv_nothing!(h);
    send!(h, ". seq=0 ack=1 len=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    h.wait_ms(56);
    send!(h, ". seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    // The RFC profile answers every one (RFC 9293 §3.10.7.4).
    let mut h = socket_established();
    h.p = Profile::rfc();
    send!(h, ". seq=0 ack=1");
    send!(h, ". seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0", ". seq=1 ack=1 len=0"]);
}

#[test]
fn the_out_of_window_rate_limit_counts_the_ticks_crossed_against_a_limit_rounded_up_to_jiffies() {
    // `__tcp_oow_rate_limited`: `elapsed = tcp_jiffies32 - last_oow_ack_time` against
    // tcp_invalid_ratelimit, which `proc_dointvec_ms_jiffies` keeps as msecs_to_jiffies(ms).
    // 50 ms is 13 jiffies (52 ms) at HZ 250: a probe 51 ms after the answered one, from a
    // tick, has crossed 12 ticks and is not answered.
    let mut h = socket_established();
    assert_eq!(h.now % 4_000, 0, "the answered probe comes on a tick");
    h.p.invalid_ratelimit_us = 50_000;
    send!(h, ". seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    h.wait_ms(51);
    send!(h, ". seq=0 ack=1");
    recv_nothing!(h);
    // The time gone is the ticks crossed, not the distance: with the default 500 ms (125
    // jiffies), a probe answered 3.9 ms into a tick and the next 496.2 ms later (125 ticks
    // crossed) is answered.
    let mut h = socket_established();
    h.now += 3_900;
    send!(h, ". seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
    h.now += 496_200;
    send!(h, ". seq=0 ack=1");
    recv!(h, [". seq=1 ack=1 len=0"]);
}

#[test]
fn segment_acceptability_follows_the_four_cases_of_the_rfc_table() {
    let mut h = socket_established();
    let nxt = h.s.rcv_nxt;
    // Window 1000.
    h.s.rcv_cap = 1000;
    h.s.rcv_adv_edge = nxt;
    assert!(h.s.segment_acceptable(nxt, 0), "len 0, window > 0: RCV.NXT");
    assert!(
        h.s.segment_acceptable(nxt + 999, 0),
        "len 0: last in window"
    );
    assert!(!h.s.segment_acceptable(nxt + 1000, 0), "len 0: just beyond");
    assert!(!h.s.segment_acceptable(nxt - 1, 0), "len 0: just before");
    assert!(
        h.s.segment_acceptable(nxt - 5, 10),
        "len > 0: its end overlaps"
    );
    assert!(
        h.s.segment_acceptable(nxt + 999, 10),
        "len > 0: its start is in"
    );
    assert!(
        !h.s.segment_acceptable(nxt - 10, 10),
        "len > 0: wholly before"
    );
    // Window 0.
    h.s.rcv_cap = 0;
    assert!(
        h.s.segment_acceptable(nxt, 0),
        "len 0, window 0: exactly RCV.NXT"
    );
    assert!(
        !h.s.segment_acceptable(nxt + 1, 0),
        "len 0, window 0: anything else"
    );
    assert!(!h.s.segment_acceptable(nxt, 1), "len > 0, window 0: never");
}

// ---------------------------------------------------------------- PSH (tcp/skbs.rs)

/// The handshake is over (passive side) after a 40 ms round trip, the peer offering `win`.
fn socket_established_40ms(win: u16) -> Harness {
    let mut h = socket_syn_received();
    h.wait_ms(40);
    send!(h, &format!(". seq=1 ack=1 win={win}"));
    recv_nothing!(h);
    h
}

/// The application writes `len` bytes in one send(); returns the bytes it took.
fn write(h: &mut Harness, len: u32) -> u32 {
    let spans = [PayloadSpan {
        message: MessageId(0),
        start: 0,
        end: len,
    }];
    h.with(|s, ctx| s.app_send(&spans, len, false, ctx))
}

#[test]
fn cwnd_counts_segments_so_ten_one_byte_segments_fill_a_window_of_ten() {
    // Linux `tcp_cwnd_test`: `tcp_packets_in_flight` against cwnd, both in segments, so
    // a tiny segment takes a whole slot. With TCP_NODELAY twelve 1-byte writes send ten
    // segments; the last two bytes wait in one skb and leave together on the first ACK.
    // Counted in bytes, cwnd 10 would have let all twelve go. Measured on 6.18 (50 ms one
    // way, 16 one-byte writes 1 ms apart): ten 1-byte segments, then one of 6 bytes.
    let mut h = socket_established();
    h.s.nodelay = true;
    for _ in 0..12 {
        write(&mut h, 1);
    }
    let want: Vec<String> = (1..=10)
        .map(|seq| format!("P. seq={seq} ack=1 len=1"))
        .collect();
    assert_eq!(h.sent(), want);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=2");
    recv!(h, ["P. seq=11 ack=1 len=2"]);
}

#[test]
fn a_fin_of_its_own_waits_for_room_in_a_full_congestion_window() {
    // 6.18's `tcp_cwnd_test` counts every skb against cwnd, the FIN's own too (older kernels
    // let "the final FIN" through whatever cwnd said): ten 1-byte segments fill cwnd 10, so
    // the FIN close() queues waits for the first ACK. Measured on 6.18 (50 ms one way,
    // TCP_NODELAY, ten 1-byte writes, close() 25 ms later): the FIN left as the first ACK
    // arrived. The textbook profile sends it at close().
    let mut h = socket_established();
    h.s.nodelay = true;
    for _ in 0..10 {
        write(&mut h, 1);
    }
    assert_eq!(h.sent().len(), 10);
    h.wait_ms(5);
    h.with(|s, ctx| s.app_close(ctx));
    recv_nothing!(h);
    h.wait_ms(35);
    send!(h, ". seq=1 ack=2");
    recv!(h, ["F. seq=11 ack=1 len=0"]);

    let mut h = socket_established();
    h.p.fin_waits_for_cwnd = false;
    h.s.nodelay = true;
    for _ in 0..10 {
        write(&mut h, 1);
    }
    h.sent();
    h.with(|s, ctx| s.app_close(ctx));
    recv!(h, ["F. seq=11 ack=1 len=0"]);
}

/// A 40 ms socket whose peer offers a window of `win` bytes, `len` bytes written into it.
fn written_into_window(win: u32, len: u32) -> Harness {
    let mut h = socket_established_40ms(65_535);
    send!(h, format!(". seq=1 ack=1 win={win}").as_str());
    write(&mut h, len);
    h
}

#[test]
fn a_segment_larger_than_the_window_waits_for_the_probe_timer_which_sends_what_fits() {
    // `tcp_write_xmit` → `tcp_snd_wnd_test`: a chunk starts only if its first segment fits
    // in the peer's window, even with nothing in flight. The write's 1000 bytes do not fit
    // in 344, so nothing leaves and the probe timer is armed (`tcp_check_probe_timer`); when
    // it fires the window is open, and `tcp_write_wakeup` sends the 344 that fit, PSH set.
    // Measured on 6.18 (zero-window with TCP_MAXSEG 536): a 1448-byte write into a 344-byte
    // window waits 282 ms for the probe timer, then 344 bytes leave with PSH. (The peer
    // offered more before: a largest window under 1072 would bound the segment size to
    // half of it, `tcp_bound_to_half_wnd`.)
    let mut h = written_into_window(344, 1000);
    recv_nothing!(h);
    let at = h.s.timer(TimerKind::Persist).expect("the probe timer");
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::Persist, ctx));
    recv!(h, ["P. seq=1 ack=1 len=344"]);
}

#[test]
fn a_write_that_fits_the_small_window_whole_leaves_at_once() {
    // The negative of the above: `tcp_snd_wnd_test` asks for the skb when it is smaller than
    // a segment, and 300 bytes fit in 344.
    let mut h = written_into_window(344, 300);
    recv!(h, ["P. seq=1 ack=1 len=300"]);
    assert!(h.s.timer(TimerKind::Persist).is_none());
}

#[test]
fn a_fin_one_past_the_window_edge_holds_its_segment_and_the_probe_timer_sends_the_data_alone() {
    // `tcp_send_fin` puts the FIN on the unsent tail skb, and `tcp_snd_wnd_test` counts it
    // in `end_seq` when the skb is no longer than one MSS: 1000 bytes and a FIN need 1001 of
    // window, so a window of exactly 1000 holds them, with the probe timer armed
    // (`tcp_check_probe_timer`). `tcp_write_wakeup` then cuts the skb at the window's edge
    // (`seg_size < end_seq - seq` → `tcp_fragment`), so the data leaves with PSH and the FIN
    // stays behind. Measured on 6.18 (0 ms, SO_RCVBUF 4096 nobody reading, send(4344) and
    // close()): the last 1448 and the FIN wait at a window ending at 4345, and 1448 leave
    // without the FIN at 273-277 ms (3 of 3).
    let mut h = written_into_window(344, 1000);
    h.with(|s, ctx| s.app_close(ctx));
    recv_nothing!(h);
    send!(h, ". seq=1 ack=1 win=1000");
    recv_nothing!(h);
    fire(&mut h, TimerKind::Persist);
    recv!(h, ["P. seq=1 ack=1 len=1000"]);
    // The window closes behind the data: the FIN waits for it to open again.
    send!(h, ". seq=1 ack=1001 win=0");
    recv_nothing!(h);
    assert!(h.s.timer(TimerKind::Persist).is_some());
}

#[test]
fn a_fin_alone_at_the_window_edge_waits_for_the_window_to_open() {
    // The data has left, so `tcp_send_fin` queues the FIN in an skb of its own, and
    // `tcp_snd_wnd_test` counts it (end_seq = seq + 1): a full window holds it, the probe
    // timer armed (`tcp_check_probe_timer`), until the window opens. Measured on 6.18 (0 ms,
    // SO_RCVBUF 4096 nobody reading, send(4344) filling the window to its edge, close() 100
    // ms later): no FIN, zero-window probes from 328-332 ms (4 of 5 agree, load 3.4-3.7).
    let mut h = written_into_window(1000, 1000);
    recv!(h, ["P. seq=1 ack=1 len=1000"]);
    send!(h, ". seq=1 ack=1001 win=0");
    h.with(|s, ctx| s.app_close(ctx));
    recv_nothing!(h);
    assert!(h.s.timer(TimerKind::Persist).is_some());
    send!(h, ". seq=1 ack=1001 win=1000");
    recv!(h, ["F. seq=1001 ack=1 len=0"]);
}

#[test]
fn a_write_leaves_in_gso_chunks_of_two_segments_each_ending_with_psh() {
    // 40 ms RTT, cwnd 10: the pacing rate sends 1460 · 10 · 2 / 40 ms ≈ 712 bytes a
    // millisecond, so `tcp_tso_autosize` gives tcp_min_tso_segs' 2 segments a chunk, and
    // `__tcp_transmit_skb` sets PSH on each (measured on 6.18 with 1448-byte segments:
    // PSH on segments 2, 4, 6, 8 and 10 of one 14480-byte write).
    let mut h = socket_established_40ms(65_535);
    write(&mut h, 14_600);
    let mut want = Vec::new();
    for i in 0..5 {
        want.push(format!(". seq={} ack=1 len=1460", 1 + 2920 * i));
        want.push(format!("P. seq={} ack=1 len=1460", 1461 + 2920 * i));
    }
    assert_eq!(h.sent(), want);
}

#[test]
fn a_lone_segment_carries_psh_only_when_it_ends_the_write() {
    // Three full segments and 100 bytes: two chunks of two; the second holds the last
    // full segment and the 100 bytes, so PSH lands on the 100 bytes, not on segment 3.
    let mut h = socket_established_40ms(65_535);
    write(&mut h, 3 * 1460 + 100);
    recv!(
        h,
        [
            ". seq=1 ack=1 len=1460",
            "P. seq=1461 ack=1 len=1460",
            ". seq=2921 ack=1 len=1460",
            "P. seq=4381 ack=1 len=100",
        ]
    );
    // A retransmission of the first segment alone: it ends no marked skb, so no PSH.
    send!(h, ". seq=1 ack=1 win=65535");
    send!(h, ". seq=1 ack=1 win=65535");
    send!(h, ". seq=1 ack=1 win=65535");
    recv!(h, [". seq=1 ack=1 len=1460"]);
}

#[test]
fn psh_follows_half_the_peers_largest_window() {
    // The peer offers 8760 bytes (6 segments): a write fills skbs of half of it (4380,
    // `tcp_bound_to_half_wnd`). The first full skb is the send head and leaves at once as
    // one chunk (`tcp_push_one`); its unsent rest takes more bytes and fills up again, and
    // by then more than half the window was written since the last PSH (`forced_push`), so
    // that skb is marked and its lone last segment carries PSH. The write's last skb
    // (`tcp_push`) is marked too, but only its first segment fits in the window, cut off
    // without PSH; the rest waits for the window and takes it. Measured on 6.18 with a
    // 15928-byte window and one 14480-byte write: PSH on segments 2, 4, 6, 7, 9 and 10.
    let mut h = socket_established_40ms(8_760);
    write(&mut h, 7 * 1460);
    recv!(
        h,
        [
            ". seq=1 ack=1 len=1460",
            "P. seq=1461 ack=1 len=1460",
            ". seq=2921 ack=1 len=1460",
            "P. seq=4381 ack=1 len=1460",
            "P. seq=5841 ack=1 len=1460",
            ". seq=7301 ack=1 len=1460",
        ]
    );
    send!(h, ". seq=1 ack=8761 win=8760");
    recv!(h, ["P. seq=8761 ack=1 len=1460"]);
}

#[test]
fn a_write_into_a_window_one_segment_and_a_bit_wide_leaves_as_one_chunk_that_fills_it() {
    // Nothing in flight, a 1560-byte window, a 2000-byte write: `tcp_mss_split_point` cuts
    // the chunk at the window's edge, and the partial last segment goes with it because no
    // small segment is in flight (`tcp_nagle_check`); the window is tested once, for the
    // chunk's first segment (`tcp_snd_wnd_test`). Measured on 6.18 (zero-window with
    // TCP_MAXSEG 536): 524 + 96 bytes into a 620-byte window, PSH on the 96.
    let mut h = socket_established_40ms(8_760);
    write(&mut h, 3 * 1460);
    recv!(
        h,
        [
            ". seq=1 ack=1 len=1460",
            "P. seq=1461 ack=1 len=1460",
            "P. seq=2921 ack=1 len=1460",
        ]
    );
    h.wait_ms(40);
    send!(h, ". seq=1 ack=4381 win=1560");
    recv_nothing!(h);
    write(&mut h, 2000);
    recv!(
        h,
        [". seq=4381 ack=1 len=1460", "P. seq=5841 ack=1 len=100"]
    );
}

// ---------------------------------------------------------------- socket options (tcp(7))

/// send() of `len` bytes, with MSG_MORE when `more`.
fn app_send(h: &mut Harness, len: u32, more: bool) {
    let span = PayloadSpan {
        message: MessageId(0),
        start: 0,
        end: len,
    };
    h.with(|s, ctx| s.app_send(&[span], len, more, ctx));
}

/// Moves the clock to timer `k`'s deadline and lets it fire.
fn fire(h: &mut Harness, k: TimerKind) {
    let at = h.s.timer(k).unwrap_or_else(|| panic!("{k:?} is not armed"));
    h.now = at;
    h.with(|s, ctx| s.on_timer(k, ctx));
}

#[test]
fn corked_data_waits_until_a_full_segment_can_go() {
    let mut h = socket_established();
    h.s.cork = true;
    app_send(&mut h, 100, false);
    recv_nothing!(h);
    app_send(&mut h, 1400, false);
    // 1,500 bytes queued: one full segment leaves, the 40-byte rest stays corked.
    recv!(h, [". seq=1 ack=1 len=1460"]);
}

#[test]
fn corked_data_with_nothing_in_flight_leaves_when_the_probe_timer_fires() {
    let mut h = socket_established();
    h.s.cork = true;
    app_send(&mut h, 100, false);
    recv_nothing!(h);
    // tcp(7)'s 200 ms ceiling is the probe timer: max(RTO, TCP_RTO_MIN) after the write,
    // the RTO being 51 jiffies (200 ms and the RTT's few µs, rounded up: `ss -i` shows
    // rto:204 on loopback), fired half a jiffy late on average (tcp::wheel).
    assert_eq!(h.s.timer(TimerKind::Persist), Some(206_000));
    fire(&mut h, TimerKind::Persist);
    recv!(h, ["P. seq=1 ack=1 len=100"]);
}

#[test]
fn the_probe_timer_waits_the_constant_tcp_rto_min_however_low_tcp_rto_min_us_is() {
    // `tcp_probe0_base`: max(icsk_rto, TCP_RTO_MIN), the constant, not the sysctl. With
    // tcp_rto_min_us 40 ms and a 40 ms RTT the RTO is 124 ms; measured on 6.18 (tcp-cork
    // with rto_min 40) the corked write still waits 201.6 ms.
    let mut h = socket_established();
    h.p.rto_min_us = 40_000;
    h.s.rtt.rto = 124_000;
    h.s.cork = true;
    app_send(&mut h, 100, false);
    recv_nothing!(h);
    let at = h.s.timer(TimerKind::Persist).expect("the probe timer");
    assert!(at - h.now >= 200_000, "{}", at - h.now);
}

#[test]
fn a_segment_the_probe_timer_pushes_leaves_the_last_windows_cwnd_use_standing() {
    // `tcp_write_wakeup` sends with `tcp_transmit_skb` alone, no `tcp_cwnd_validate`: the
    // window before it, which cwnd limited, still counts (`tcp_is_cwnd_limited`), so the
    // probe's ACK grows cwnd by one. Measured on 6.18 (explore seed 1100 #9: 0 ms, after
    // a 20,000-byte write and 800 ms idle, a 1-byte MSG_MORE write pushed by the probe
    // timer, then two lone segments): tcp_info cwnd 11.
    let mut h = socket_established();
    app_send(&mut h, 10 * 1460, false);
    assert_eq!(h.sent().len(), 10, "cwnd 10 is used up");
    send!(h, ". seq=1 ack=14601");
    recv_nothing!(h);
    assert_eq!(
        h.s.info(&h.p).cwnd,
        20,
        "slow start: one per segment acknowledged"
    );
    // Idle for more than four RTOs: the write restarts the window at 10.
    h.wait_ms(1_000);
    app_send(&mut h, 1, true);
    recv_nothing!(h);
    assert_eq!(h.s.info(&h.p).cwnd, 10);
    fire(&mut h, TimerKind::Persist);
    recv!(h, ["P. seq=14601 ack=1 len=1"]);
    send!(h, ". seq=1 ack=14602");
    assert_eq!(h.s.info(&h.p).cwnd, 11);
    // The next write goes through `tcp_write_xmit`: its window, one segment of 11, is not
    // cwnd-limited, and its ACK leaves cwnd alone.
    app_send(&mut h, 1460, false);
    recv!(h, ["P. seq=14602 ack=1 len=1460"]);
    send!(h, ". seq=1 ack=16062");
    assert_eq!(h.s.info(&h.p).cwnd, 11);
}

#[test]
fn reno_grows_cwnd_only_when_the_window_was_used_as_cubic_does() {
    // `tcp_reno_cong_avoid` returns at once unless `tcp_is_cwnd_limited`, as
    // `cubictcp_cong_avoid` does: lone small writes, each acknowledged, leave cwnd at 10.
    // Measured on 6.18 (explore seed 4219 #18, TCP_CONGESTION reno, 20 ms one way: a
    // 10-byte and a 1-byte write, each acknowledged alone): tcp_info cwnd 10, where the
    // model grew it once per ACK (12), as the textbook does.
    let mut h = socket_established();
    h.s.cc.cubic = None;
    h.s.cc.beta_1024 = 0;
    for (len, ack) in [(10, 11), (1, 12)] {
        app_send(&mut h, len, false);
        let sent = format!("P. seq={} ack=1 len={len}", ack - len);
        recv!(h, [sent.as_str()]);
        send!(h, &format!(". seq=1 ack={ack}"));
    }
    assert_eq!(h.s.info(&h.p).cwnd, 10);
    // A window used up does grow it: ten full segments, acknowledged, give 20.
    app_send(&mut h, 10 * 1460, false);
    assert_eq!(h.sent().len(), 10);
    send!(h, ". seq=1 ack=14612");
    assert_eq!(h.s.info(&h.p).cwnd, 20);
}

#[test]
fn a_window_update_for_data_queued_while_idle_restarts_the_window() {
    // `tcp_ack_update_window` → `tcp_slow_start_after_idle_check`: a new window for data
    // that waited while nothing was in flight restarts cwnd once the last send is more than
    // an RTO old, as a write that starts an skb does. Measured on 6.18 (explore seed 49400
    // #8: 110 KB queued behind a closed window, 313 ms with nothing sent, then a window of
    // 62464; tcp_probe: cwnd 71 → 35 at that ACK): 35 segments leave, not 43.
    let mut h = socket_established();
    app_send(&mut h, 10 * 1460, false);
    assert_eq!(h.sent().len(), 10);
    send!(h, ". seq=1 ack=14601 win=0");
    assert_eq!(h.s.info(&h.p).cwnd, 20);
    // Written at once: the write's own check finds no idleness, and the data waits.
    app_send(&mut h, 30 * 1460, false);
    recv_nothing!(h);
    h.wait_ms(1_000);
    send!(h, ". seq=1 ack=14601 win=0");
    recv_nothing!(h);
    assert_eq!(
        h.s.info(&h.p).cwnd,
        20,
        "the same closed window is no update"
    );
    send!(h, ". seq=1 ack=14601 win=60000");
    assert_eq!(h.s.info(&h.p).cwnd, 10, "restarted by the window update");
    assert_eq!(h.sent().len(), 10, "one restarted window of the 30 waiting");
}

#[test]
fn a_window_update_while_data_is_in_flight_keeps_the_window() {
    // `tcp_slow_start_after_idle_check` returns while `tp->packets_out` is not 0, and
    // `tcp_ack_update_window` runs before `tcp_clean_rtx_queue`: a new window that comes
    // while segments are out (here a pure window update at SND.UNA, more than an RTO after
    // they left; the timer is not fired) restarts nothing, however long the silence.
    let mut h = socket_established();
    app_send(&mut h, 10 * 1460, false);
    assert_eq!(h.sent().len(), 10);
    send!(h, ". seq=1 ack=14601");
    assert_eq!(h.s.info(&h.p).cwnd, 20);
    app_send(&mut h, 40 * 1460, false);
    assert_eq!(h.sent().len(), 20, "cwnd 20; 20 segments wait");
    h.wait_ms(1_000);
    send!(h, ". seq=1 ack=14601 win=60000");
    assert_eq!(h.s.info(&h.p).cwnd, 20, "segments were out: no restart");
}

#[test]
fn a_window_update_with_nothing_waiting_leaves_the_restart_to_the_next_write() {
    // `tcp_ack_update_window` checks for idleness only when the write queue holds something
    // (`!tcp_write_queue_empty`); the write that comes later checks again in
    // `tcp_skb_entail`, and restarts.
    let mut h = socket_established();
    app_send(&mut h, 10 * 1460, false);
    assert_eq!(h.sent().len(), 10);
    send!(h, ". seq=1 ack=14601 win=0");
    h.wait_ms(1_000);
    send!(h, ". seq=1 ack=14601 win=60000");
    recv_nothing!(h);
    assert_eq!(h.s.info(&h.p).cwnd, 20, "nothing waited for the window");
    app_send(&mut h, 100, false);
    assert_eq!(h.s.info(&h.p).cwnd, 10, "the write restarts it");
}

#[test]
fn a_push_of_corked_bytes_after_idle_keeps_the_window_and_a_write_restarts_it() {
    // `tcp_slow_start_after_idle_check` runs in `tcp_skb_entail`: corked bytes the probe
    // timer pushes more than an RTO after the last send keep cwnd, a later write after
    // idle restarts it. Measured on 6.18 (explore seed 1100 #26: a corked 20,000-byte
    // write's tail pushed 233 ms after the last send, then a write: 13 segments at once).
    let mut h = socket_established();
    h.s.cork = true;
    app_send(&mut h, 10 * 1460 + 100, false);
    assert_eq!(h.sent().len(), 10, "the 100-byte rest is corked");
    h.wait_ms(100);
    send!(h, ". seq=1 ack=14601");
    recv_nothing!(h);
    assert_eq!(h.s.info(&h.p).cwnd, 20);
    fire(&mut h, TimerKind::Persist);
    recv!(h, ["P. seq=14601 ack=1 len=100"]);
    assert_eq!(h.s.info(&h.p).cwnd, 20, "no write, no restart");
    send!(h, ". seq=1 ack=14701");
    h.wait_ms(1_000);
    app_send(&mut h, 100, false);
    recv_nothing!(h);
    assert_eq!(h.s.info(&h.p).cwnd, 10, "the write restarts the window");
}

#[test]
fn idleness_is_the_ticks_crossed_since_the_last_send_not_the_time() {
    // `tcp_slow_start_after_idle_check`: `delta = tcp_jiffies32 - tp->lsndtime` against
    // `icsk_rto`, both in jiffies. The last send 3.9 ms into a tick and a write one RTO plus
    // 50 µs later have crossed exactly RTO/4 ms ticks: not more than the RTO, no restart.
    // 4.1 ms more crosses one more tick, and the window restarts.
    for (over_us, cwnd) in [(50, 20), (4_150, 10)] {
        let mut h = socket_established();
        h.now = 3_900;
        app_send(&mut h, 10 * 1460, false);
        assert_eq!(h.sent().len(), 10);
        send!(h, ". seq=1 ack=14601");
        assert_eq!(h.s.info(&h.p).cwnd, 20);
        assert_eq!(h.s.rtt.rto % 4_000, 0, "the RTO is whole jiffies");
        h.now = 3_900 + h.s.rtt.rto + over_us;
        app_send(&mut h, 100, false);
        assert_eq!(h.s.info(&h.p).cwnd, cwnd, "idle RTO + {over_us} µs");
    }
}

#[test]
fn gso_chunks_after_an_idle_restart_keep_the_pacing_rate_of_the_last_ack() {
    // `sk_pacing_rate` is set by `tcp_update_pacing_rate` at the end of `tcp_cong_control`,
    // on ACKs; `tcp_cwnd_restart` leaves it. Measured on 6.18 (explore seed 1100 #1: last
    // ACK at cwnd 24, 10 ms RTT, 420 ms idle): a 3000-byte write leaves as one chunk of
    // three segments, PSH on the last only.
    // A 10 ms path: the handshake's last ACK comes 10 ms after the SYN-ACK.
    let mut h = socket_syn_received();
    h.wait_ms(10);
    send!(h, ". seq=1 ack=1");
    app_send(&mut h, 10 * 1460, false);
    assert_eq!(h.sent().len(), 10);
    h.wait_ms(10);
    send!(h, ". seq=1 ack=14601");
    assert_eq!(h.s.info(&h.p).cwnd, 20);
    // cwnd 20 over 10 ms at 200 %: 5.8 MB/s, 5703 bytes a millisecond, three segments.
    h.wait_ms(1_000);
    app_send(&mut h, 3 * 1460, false);
    assert_eq!(h.s.info(&h.p).cwnd, 10, "restarted");
    recv!(
        h,
        [
            ". seq=14601 ack=1 len=1460",
            ". seq=16061 ack=1 len=1460",
            "P. seq=17521 ack=1 len=1460",
        ]
    );
}

#[test]
fn clearing_tcp_cork_pushes_the_partial_segment() {
    let mut h = socket_established();
    h.with(|s, ctx| s.set_cork(true, ctx));
    app_send(&mut h, 100, false);
    recv_nothing!(h);
    h.wait_ms(50);
    h.with(|s, ctx| s.set_cork(false, ctx));
    recv!(h, ["P. seq=1 ack=1 len=100"]);
}

#[test]
fn msg_more_holds_a_partial_segment_for_its_own_call_only() {
    let mut h = socket_established();
    app_send(&mut h, 100, true);
    recv_nothing!(h);
    app_send(&mut h, 50, false);
    recv!(h, ["P. seq=1 ack=1 len=150"]);
}

#[test]
fn a_syn_ack_after_a_retransmitted_syn_samples_the_rtt_from_its_timestamp_echo() {
    // Karn: the retransmitted SYN has no sample of its own; Linux takes the echo of its
    // TSval (`tcp_ack_update_rtt` → `tcp_rtt_tsopt_us`): one round trip, 100 ms here.
    let mut h = socket_syn_sent();
    fire(&mut h, TimerKind::Retransmit);
    assert_eq!(h.sent().len(), 1, "the SYN again");
    let ecr = h.s.ts_val(h.now);
    h.wait_ms(100);
    let mut syn_ack = h.peer_segment("S. seq=0 ack=1");
    if let Header::Tcp(th) = &mut syn_ack.header {
        th.options.timestamps = Some((1, ecr));
    }
    h.with(|s, ctx| s.on_segment(&syn_ack, ctx));
    assert_eq!(h.s.state, TcpState::Established);
    assert_eq!(h.s.rtt.srtt, Some(100_000));
}

#[test]
fn the_ack_of_a_retransmitted_syn_ack_samples_the_rtt_from_its_timestamp_echo() {
    // The passive side's twin of the test above: `tcp_synack_rtt_meas` has no sample of the
    // retransmitted SYN-ACK's own, and `tcp_ack_update_rtt` takes the echo of its TSval. 100
    // ms here; unmeasured, the RTO would stay at the initial 1 s. Measured on 6.18 (explore
    // seed 1300 #22: first SYN-ACK lost; data held by MSG_MORE left with the probe timer
    // 208 ms after the write).
    let mut h = Harness::new();
    h.s.parent = Some(SocketId(0));
    let mut syn = h.peer_segment("S seq=0");
    if let Header::Tcp(th) = &mut syn.header {
        th.options.timestamps = Some((1, 0));
    }
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    assert_eq!(h.sent().len(), 1, "the SYN-ACK");
    fire(&mut h, TimerKind::Retransmit);
    assert_eq!(h.sent().len(), 1, "the SYN-ACK again");
    let ecr = h.s.ts_val(h.now);
    h.wait_ms(100);
    let mut ack = h.peer_segment(". seq=1 ack=1");
    if let Header::Tcp(th) = &mut ack.header {
        th.options.timestamps = Some((2, ecr));
    }
    h.with(|s, ctx| s.on_segment(&ack, ctx));
    assert_eq!(h.s.state, TcpState::Established);
    assert_eq!(h.s.rtt.srtt, Some(100_000));
}

/// A cookie's SYN-ACK sent at 1000 ms of the scenario to a SYN with timestamps, window scale 7
/// and SACK, with the kernel's clock `origin_us` ahead of the scenario's (`ts_clock_origin_us`),
/// and the child made from the ACK 100 ms later, which echoes it: the SYN-ACK's TSval on the
/// model's clock, and the child.
fn cookie_child_100_ms_later(origin_us: Option<u64>) -> (u32, Harness) {
    let mut listener = Harness::new();
    listener.p.ts_clock_origin_us = origin_us;
    listener.wait_ms(1000);
    let mut syn = listener.peer_segment("S seq=0");
    if let Header::Tcp(th) = &mut syn.header {
        th.options.timestamps = Some((1, 0));
        th.options.window_scale = Some(7);
        th.options.sack_permitted = true;
    }
    let Header::Tcp(syn_h) = syn.header.clone() else {
        unreachable!()
    };
    let syn_ack = listener.with(|s, ctx| s.cookie_syn_ack(&syn, &syn_h, ctx));
    let Header::Tcp(sa) = &syn_ack.header else {
        unreachable!()
    };
    let (tsval, _) = sa.options.timestamps.expect("a timestamp");
    let mut child = Harness::new();
    child.p.ts_clock_origin_us = origin_us;
    child.s.secret = listener.s.secret;
    child.s.parent = Some(SocketId(0));
    child.now = listener.now;
    child.wait_ms(100);
    let mut ack = child.peer_segment(". seq=1 ack=1");
    if let Header::Tcp(th) = &mut ack.header {
        th.ack = sa.seq.wrapping_add(1);
        th.options.timestamps = Some((101, tsval));
    }
    child.with(|s, ctx| s.accept_cookie(&ack, &syn_h, sa.seq, ctx));
    (tsval.wrapping_sub(listener.s.ts_offset), child)
}

#[test]
fn a_syn_cookies_child_takes_its_first_rtt_from_the_echo_of_the_cookies_timestamp() {
    // `cookie_init_timestamp`: a cookie's SYN-ACK sent at 1000 ms carries 960 (1000 ms
    // rounded down to a multiple of 64) with the options in the low bits: window scale 7 |
    // SACK 16 = 983, 17 ms old. The socket made from the ACK 100 ms later times the echo
    // (`tcp_rcv_state_process` → `tcp_synack_rtt_meas(sk, NULL)` → `tcp_ack_update_rtt`):
    // 1100 - 983 = 117 ms, where it had no RTT at all and kept the initial 1 s RTO.
    // Measured on 6.18 (tcp_syncookies 2, 50 ms one way): tcp_info rtt 105 ms, rto 316 ms.
    let (tsval, child) = cookie_child_100_ms_later(None);
    assert_eq!(tsval, 983);
    assert_eq!(child.s.state, TcpState::Established);
    assert_eq!(child.s.rtt.srtt, Some(117_000));
}

#[test]
fn a_syn_cookies_timestamp_is_as_old_as_the_kernels_clock_makes_it_not_the_scenarios() {
    // `cookie_init_timestamp` rounds the kernel's own clock (`tcp_clock_ns`, CLOCK_MONOTONIC)
    // down to a multiple of 64 ms, not the scenario's. The same SYN-ACK as above, sent at
    // 1000 ms of the scenario when that clock reads 1040 ms: 1024 | 23 = 1047 lies ahead,
    // so 983 on the kernel's clock, 57 ms old (17 counted from the scenario's zero). The
    // child times the echo 100 ms later at 157 ms, and its RTO is 3 × 157 = 471 ms (472 in
    // whole 4 ms jiffies), where counted from the scenario's zero it was 351. Measured
    // on 6.18 (tcp_syncookies 2, 50 ms one way, explore 60800-19): the server's answer
    // went again 331 to 501 ms after it was sent over 9 runs, and in a traced one the
    // SYN-ACK's TSval was 47 ms older than the clock that sent it, the child's echo RTT
    // 147 ms, the retransmission 441 ms on, at the timer wheel's next tick (450 ms).
    let (tsval, child) = cookie_child_100_ms_later(Some(40_000));
    // On the model's TSval clock (the scenario's ms): 1000 − 57.
    assert_eq!(tsval, 943);
    assert_eq!(child.s.rtt.srtt, Some(157_000));
    assert_eq!(child.s.info(&child.p).rto_us, 472_000);
}

#[test]
fn a_handshake_that_timed_no_round_trip_starts_the_connection_with_a_three_second_rto() {
    // RFC 6298 §5.7, Linux `tcp_init_metrics` (TCP_TIMEOUT_FALLBACK): no timestamps, so a
    // retransmitted SYN or SYN-ACK leaves the handshake without an RTT sample (Karn), and
    // the RTO starts at 3 s. Untimed only because nothing was lost, it comes from the
    // sample. Measured on 6.18 (no timestamps, first SYN lost, 20 ms one way): tcp_info rto
    // 3 s after connect(); 100 bytes lost twice went again 3.07 s after the loss probe.
    let mut active = socket_syn_sent();
    fire(&mut active, TimerKind::Retransmit);
    active.wait_ms(100);
    send!(active, "S. seq=0 ack=1");
    let mut passive = socket_syn_received();
    fire(&mut passive, TimerKind::Retransmit);
    passive.wait_ms(100);
    send!(passive, ". seq=1 ack=1");
    for (side, h) in [("active", &active), ("passive", &passive)] {
        assert_eq!(h.s.state, TcpState::Established, "{side}");
        assert_eq!(h.s.rtt.srtt, None, "{side}");
        assert_eq!(h.s.info(&h.p).rto_us, 3_000_000, "{side}");
    }
    let mut timed = socket_syn_received();
    timed.wait_ms(100);
    send!(timed, ". seq=1 ack=1");
    assert_eq!(timed.s.rtt.srtt, Some(100_000));
    assert_eq!(
        timed.s.info(&timed.p).rto_us,
        304_000,
        "100 ms + 200 ms, in jiffies"
    );
}

#[test]
fn after_two_lost_syns_the_connection_starts_with_a_window_of_one_segment() {
    // `tcp_init_transfer`: total_retrans > 1 with the undo marker the SYN's RTO set. One
    // lost SYN keeps the initial window of 10 (RFC 6298's 1 s initial RTO). Measured on
    // 6.18 (first two SYNs dropped): tcp_info cwnd 1, and a 20,000-byte write sends one
    // segment in the first round trip.
    for (lost, cwnd) in [(1, 10), (2, 1)] {
        let mut h = socket_syn_sent();
        for _ in 0..lost {
            fire(&mut h, TimerKind::Retransmit);
            assert_eq!(h.sent().len(), 1, "the SYN again");
        }
        send!(h, "S. seq=0 ack=1");
        assert_eq!(h.s.state, TcpState::Established);
        assert_eq!(h.s.info(&h.p).cwnd, cwnd, "{lost} SYN(s) lost");
    }
}

#[test]
fn a_syn_ack_echoing_the_first_syn_shows_its_retransmissions_were_spurious() {
    // `tcp_try_undo_spurious_syn`: the echo of the first SYN's TSval means that SYN
    // arrived (its SYN-ACKs were lost): no cut. Measured on 6.18 (the first two SYN-ACKs
    // dropped, the client's SYN retransmitted twice): tcp_info cwnd 10.
    let mut h = socket_syn_sent();
    let first = h.s.ts_val(h.now);
    fire(&mut h, TimerKind::Retransmit);
    fire(&mut h, TimerKind::Retransmit);
    h.tx.clear();
    let mut syn_ack = h.peer_segment("S. seq=0 ack=1");
    if let Header::Tcp(th) = &mut syn_ack.header {
        th.options.timestamps = Some((1, first));
    }
    h.with(|s, ctx| s.on_segment(&syn_ack, ctx));
    assert_eq!(h.s.state, TcpState::Established);
    assert_eq!(h.s.info(&h.p).cwnd, 10);
}

#[test]
fn a_child_whose_syn_ack_timed_out_twice_starts_with_a_window_of_one_segment() {
    // `tcp_create_openreq_child`: total_retrans = req->num_retrans, and the undo marker only
    // when the request's timer fired (num_timeout); then `tcp_init_transfer` as above.
    let mut h = socket_syn_received();
    fire(&mut h, TimerKind::Retransmit);
    fire(&mut h, TimerKind::Retransmit);
    h.tx.clear();
    send!(h, ". seq=1 ack=1");
    assert_eq!(h.s.state, TcpState::Established);
    assert_eq!(h.s.info(&h.p).cwnd, 1);
    // A SYN-ACK resent for a retransmitted SYN counts (`inet_rtx_syn_ack`), but without a
    // timeout no undo marker is set: the window stays.
    let mut h = socket_syn_received();
    for _ in 0..2 {
        send!(h, "S seq=0");
        recv!(h, ["S. seq=0 ack=1 len=0"]);
    }
    send!(h, ". seq=1 ack=1");
    assert_eq!(h.s.info(&h.p).total_retrans, 2);
    assert_eq!(h.s.info(&h.p).cwnd, 10);
}

#[test]
fn a_reset_in_the_window_but_not_at_rcv_nxt_draws_a_challenge_ack() {
    // RFC 5961 §3.2, Linux `tcp_validate_incoming`: only a RST at exactly rcv_nxt resets;
    // one further in the window (a peer that reset with its data still on the way, or a
    // blind guess) is answered with an ACK at rcv_nxt, once per tcp_invalid_ratelimit, and
    // the peer's answer to that ACK, a RST at rcv_nxt, ends the connection.
    let mut h = socket_established();
    send!(h, "R seq=1001");
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.state, TcpState::Established);
    send!(h, "R seq=2001");
    recv_nothing!(h);
    send!(h, "R seq=1");
    assert_eq!(h.s.state, TcpState::Closed);
    // The textbook without the mitigation: any RST in the window resets.
    let mut h = socket_established();
    h.p.rst_challenge_ack = false;
    send!(h, "R seq=1001");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn a_msg_more_write_leaves_as_a_chunk_of_whole_segments_with_psh() {
    // `tcp_write_xmit` → `tcp_mss_split_point` with TCP_NAGLE_CORK (the MSG_MORE push): the
    // chunk ends at the last whole segment, and `__tcp_transmit_skb` forces PSH on a chunk
    // of more than one segment. Measured on 6.18 (explore seed 100 #68, 3 of 3 runs).
    let mut h = socket_established();
    app_send(&mut h, 3000, true);
    recv!(h, [". seq=1 ack=1 len=1460", "P. seq=1461 ack=1 len=1460"]);
    // TCP_CORK holds the same way.
    let mut h = socket_established();
    h.with(|s, ctx| s.set_cork(true, ctx));
    app_send(&mut h, 3000, false);
    recv!(h, [". seq=1 ack=1 len=1460", "P. seq=1461 ack=1 len=1460"]);
}

#[test]
fn data_on_the_fast_path_acking_nothing_new_does_not_push_held_data() {
    // `tcp_rcv_established`: a predicted data segment whose skb fits in the forward-allocated
    // memory is queued on the fast path, which calls `tcp_data_snd_check` only when its ACK
    // field moves snd_una; the slow path (`tcp_data_queue`, then `tcp_data_snd_check`) always
    // does. Measured on 6.18 (explore seed 200 #61): 100 bytes sent with MSG_MORE stay while
    // the peer's next 1448 bytes draw a pure ACK.
    let mut h = socket_established_truesize(1460);
    // The first data needs memory: slow path (and a page forward-allocated).
    send!(h, "P. seq=1 ack=1 len=100");
    recv!(h, [". seq=1 ack=101 len=0"]);
    app_send(&mut h, 10, true);
    recv_nothing!(h);
    send!(h, "P. seq=101 ack=1 len=100");
    recv!(h, [". seq=1 ack=201 len=0"]);
    // The held bytes leave with the probe timer (`tcp_check_probe_timer`, armed by the
    // MSG_MORE push that sent nothing; `tcp_write_wakeup` sets PSH).
    fire(&mut h, TimerKind::Persist);
    recv!(h, ["P. seq=1 ack=201 len=10"]);
    // On the slow path (here: a window field header prediction does not expect; the
    // write's memory would have let the segment take the fast path, see
    // `memory_a_write_forward_allocated_lets_the_first_data_received_take_the_fast_path`)
    // the same arrival pushes them, with the ACK.
    let mut h = socket_established_truesize(1460);
    app_send(&mut h, 10, true);
    recv_nothing!(h);
    send!(h, "P. seq=1 ack=1 len=100 win=1000");
    recv!(h, [". seq=1 ack=101 len=10"]);
}

/// An established socket whose `len`-byte MSG_MORE write was held and then sent, with PSH,
/// by the probe timer (`tcp_write_wakeup`).
fn held_write_sent_by_the_probe_timer(len: u32, sack: bool) -> Harness {
    let mut h = socket_established();
    h.s.sack_ok = sack;
    app_send(&mut h, len, true);
    recv_nothing!(h);
    fire(&mut h, TimerKind::Persist);
    let want = format!("P. seq=1 ack=1 len={len}");
    recv!(h, [want.as_str()]);
    h
}

#[test]
fn the_psh_the_probe_timer_sets_stays_on_the_skb_for_its_retransmission() {
    // `tcp_write_wakeup` sets PSH on the skb it sends, not only on the segment: the RTO's
    // copy of the 100 bytes a MSG_MORE write held carries it too. Measured on 6.18 (explore
    // seed 700 #7: '. len=100' resent as 'P. len=100' by the kernel; the model had dropped
    // the flag).
    let mut h = held_write_sent_by_the_probe_timer(100, false);
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, ["P. seq=1 ack=1 len=100"]);
}

#[test]
fn a_segment_the_probe_timer_sent_is_guarded_by_the_rto_alone_not_a_loss_probe() {
    // `tcp_write_wakeup` sends through `tcp_transmit_skb` and `tcp_event_new_data_sent`,
    // which arm the RTO; only `tcp_write_xmit` plans a loss probe. So the first resend is an
    // RTO (counted, backed off), and the next comes twice as late. Measured on 6.18
    // (zero-window-after-rto+delay=40): resent 347, 710 and 1371 ms apart.
    let mut h = held_write_sent_by_the_probe_timer(100, true);
    assert!(!h.s.tlp_armed, "no loss probe planned");
    let sent = h.now;
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, ["P. seq=1 ack=1 len=100"]);
    let first = h.now - sent;
    assert_eq!(h.s.stats.timeouts, 1, "the resend was an RTO");
    let next = h.s.timer(TimerKind::Retransmit).unwrap() - h.now;
    assert!(next >= 2 * first - 8_000, "{first} then {next}");
}

#[test]
fn memory_a_write_forward_allocated_lets_the_first_data_received_take_the_fast_path() {
    // Linux has one `sk_forward_alloc` per socket for both directions: the byte written
    // took a page (`tcp_stream_alloc_skb` → `sk_wmem_schedule`) and 833 bytes of it (the
    // skb's 832 and the byte), so a socket that never received has 3263 forward-allocated
    // and the peer's 100 bytes (832) fit: fast path, whose ACK field moves nothing, so the
    // held byte stays (no `tcp_data_snd_check`) and a pure ACK answers. Measured on 6.18
    // through sock_diag (`w833`, `f3263` after a 1-byte write with MSG_MORE) and in explore
    // 600-2 (the server's byte sent with MSG_MORE waits while the client's data is
    // acknowledged alone).
    let mut h = socket_established_truesize(1460);
    app_send(&mut h, 1, true);
    recv_nothing!(h);
    assert_eq!(h.s.fwd_alloc, 4096 - 833);
    send!(h, "P. seq=1 ack=1 len=100");
    recv!(h, [". seq=1 ack=101 len=0"]);
    assert_eq!(h.s.fwd_alloc, 4096 - 833 - 832, "one page for both sides");
    // The held byte leaves with the probe timer (`tcp_write_wakeup`, with PSH).
    fire(&mut h, TimerKind::Persist);
    recv!(h, ["P. seq=1 ack=101 len=1"]);
    // Its ACK frees the send skb (`tcp_wmem_free_skb` → `sk_mem_uncharge`); the received
    // skb still holds 832 of the page.
    send!(h, ". seq=101 ack=2");
    assert_eq!(h.s.fwd_alloc, 4096 - 832);
    // Read: the receive skb goes too, and the page with it (`sk_mem_reclaim`).
    h.with(|s, ctx| s.app_recv(1000, ctx));
    assert_eq!(h.s.fwd_alloc, 0);
}

#[test]
fn a_small_segment_the_probe_timer_sent_holds_back_no_later_partial_segment() {
    // Minshall's Nagle holds a partial segment while a small one is unacknowledged, but only
    // one `tcp_write_xmit` sent marks it (`tcp_minshall_update`); the probe timer's
    // `tcp_write_wakeup` does not. Measured on 6.18 (explore seed 2200 #22): 10 bytes held
    // by MSG_MORE leave with the probe timer, and a 3000-byte write sends its tail at once.
    let mut h = held_write_sent_by_the_probe_timer(10, false);
    app_send(&mut h, 3000, false);
    recv!(
        h,
        [
            ". seq=11 ack=1 len=1460",
            ". seq=1471 ack=1 len=1460",
            "P. seq=2931 ack=1 len=80"
        ]
    );
}

#[test]
fn tcp_quickack_off_delays_the_ack_and_on_sends_the_owed_ack_once_the_data_is_read() {
    let mut h = socket_established();
    h.with(|s, ctx| s.set_quickack(false, ctx));
    send!(h, "P. seq=1 ack=1 len=100");
    recv_nothing!(h);
    assert!(
        h.s.timer(TimerKind::DelayedAck).is_some(),
        "the ACK is delayed"
    );
    h.wait_ms(10);
    // Unread data: `tcp_cleanup_rbuf` keeps waiting.
    h.with(|s, ctx| s.set_quickack(true, ctx));
    recv_nothing!(h);
    h.with(|s, ctx| s.set_quickack(false, ctx));
    h.with(|s, ctx| s.app_recv(1000, ctx));
    recv_nothing!(h);
    h.with(|s, ctx| s.set_quickack(true, ctx));
    recv!(h, [". seq=1 ack=101 len=0"]);
}

#[test]
fn tcp_user_timeout_ends_the_connection_that_long_after_the_first_retransmission() {
    let mut h = socket_established();
    h.s.user_timeout_us = 1_000_000;
    app_send(&mut h, 100, false);
    recv!(h, ["P. seq=1 ack=1 len=100"]);
    let mut retransmitted_at = Vec::new();
    while h.s.state == TcpState::Established {
        fire(&mut h, TimerKind::Retransmit);
        if !h.sent().is_empty() {
            retransmitted_at.push(h.now / 1000);
        }
    }
    // RTO 51 jiffies (204 ms) doubling, each on the wheel (+2 ms at 51 jiffies, +16 ms at
    // 102): 206, 630; the third timer is clamped to what is left of the user timeout
    // (`tcp_clamp_rto_to_user_timeout`: 576 ms, 144 jiffies, +16 ms), so it fires just after
    // its end, 1 s after the first retransmission (`retrans_stamp`), not at the 1.46 s the
    // backoff would give, and kills it.
    assert_eq!(retransmitted_at, [206, 630]);
    assert_eq!(h.now, 1_222_000);
    assert_eq!(h.s.error, Some("ETIMEDOUT"));
    assert_eq!(h.s.state, TcpState::Closed);
}

#[test]
fn without_tcp_user_timeout_the_same_connection_still_retries_at_one_second() {
    let mut h = socket_established();
    app_send(&mut h, 100, false);
    recv!(h, ["P. seq=1 ack=1 len=100"]);
    for _ in 0..3 {
        fire(&mut h, TimerKind::Retransmit);
    }
    assert_eq!(
        h.now, 1_462_000,
        "204 + 408 + 816 ms, each late on the wheel by 2, 16 and 16 ms"
    );
    assert_eq!(h.s.state, TcpState::Established);
}

#[test]
fn after_shut_rd_recv_returns_the_queued_data_then_zero_without_waiting() {
    let mut h = socket_established();
    send!(h, "P. seq=1 ack=1 len=100");
    h.sent();
    h.with(|s, ctx| s.app_shutdown_read(ctx));
    recv_nothing!(h);
    let got = h.with(|s, ctx| s.app_recv(60, ctx));
    assert!(matches!(got, RecvOutcome::Data(ref d) if crate::tcp::buffers::spans_len(d) == 60));
    let got = h.with(|s, ctx| s.app_recv(60, ctx));
    assert!(matches!(got, RecvOutcome::Data(ref d) if crate::tcp::buffers::spans_len(d) == 40));
    assert_eq!(h.with(|s, ctx| s.app_recv(60, ctx)), RecvOutcome::Eof);
    assert!(h.s.readable(), "poll() sees POLLIN after SHUT_RD");
    assert_eq!(h.s.state, TcpState::Established, "SHUT_RD sends nothing");
}

#[test]
fn tcp_info_counts_windows_in_segments_and_reports_retransmissions() {
    let mut h = socket_established();
    let i = h.s.info(&h.p);
    assert_eq!(i.state, TcpState::Established);
    assert_eq!((i.snd_mss, i.cwnd, i.ssthresh), (1460, 10, 0x7fff_ffff));
    app_send(&mut h, 100, false);
    h.sent();
    fire(&mut h, TimerKind::Retransmit);
    let i = h.s.info(&h.p);
    assert_eq!((i.retransmits, i.total_retrans, i.unacked), (1, 1, 1));
    assert_eq!(
        i.rto_us, 408_000,
        "tcpi_rto is backed off: icsk_rto (51 jiffies) doubled"
    );
    assert_eq!(i.cwnd, 1, "an RTO collapses cwnd to one segment");
}

// ---------------------------------------------------------------- ACK every second segment

/// Established, quick-ACK mode used up (`tcp_dec_quickack_mode`), data seen before (ATO set).
fn socket_past_quickack() -> Harness {
    let mut h = socket_established();
    h.s.ack_quick = 0;
    h.s.ato = 40_000;
    h
}

#[test]
fn a_delayed_ack_waits_at_most_a_jiffy_less_than_tcp_rto_min() {
    // 6.11+'s `tcp_delack_max`: min(TCP_DELACK_MAX, tcp_rto_min - 1 jiffy). With
    // tcp_rto_min_us 8 ms (2 jiffies at HZ 250) an owed ACK waits one jiffy, not the 40 ms
    // ATO; with the default 200 ms, at most 196 ms. Measured on 6.18 (delayed-ack-nearly-due
    // with tcp_rto_min_us 8 ms): the ACK a 40 ms ATO sends at 235 ms left at 208.8 ms.
    let mut h = socket_past_quickack();
    h.p.rto_min_us = 8_000;
    send!(h, ". seq=1 ack=1 len=100");
    recv_nothing!(h);
    let at =
        h.s.timer(TimerKind::DelayedAck)
            .expect("the ACK is delayed");
    assert!(at - h.now <= 8_000, "delayed {} µs", at - h.now);
    assert_eq!(super::receive::delack_max(&h.p), 4_000);
    assert_eq!(
        super::receive::delack_max(&crate::profile::Profile::linux()),
        196_000
    );
}

#[test]
fn two_unread_segments_that_shrink_the_window_wait_for_the_delayed_ack() {
    // `__tcp_ack_snd_check`: two full segments are owed an ACK at once only if the window
    // offered now is no smaller than the last one. Nobody reads, the free space bounds the
    // window: it shrinks, so the ACK waits for the timer.
    let mut h = socket_past_quickack();
    send!(h, ". seq=1 ack=1 len=1460");
    send!(h, ". seq=1461 ack=1 len=1460");
    recv_nothing!(h);
    let at =
        h.s.timer(TimerKind::DelayedAck)
            .expect("the ACK is delayed");
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::DelayedAck, ctx));
    recv!(h, [". seq=1 ack=2921 len=0"]);
}

#[test]
fn a_segment_arriving_when_the_delayed_ack_is_nearly_due_is_acknowledged_at_once() {
    // `tcp_send_delayed_ack`: with the timer pending and due within a quarter of the ATO
    // (`ato >> 2`: 10 jiffies >> 2, 8 ms), the ACK goes now instead of waiting for it.
    // The second segment arrives 33 ms after the first (due at 40 ms): both are
    // acknowledged at once. Measured on 6.18 (psh-half-window with SO_RCVBUF 4096: the
    // next flight's first segment 42 ms after the owed one, ack=2897 at once).
    let mut h = socket_past_quickack();
    send!(h, ". seq=1 ack=1 len=1460");
    recv_nothing!(h);
    h.wait_ms(33);
    send!(h, ". seq=1461 ack=1 len=1460");
    recv!(h, [". seq=1 ack=2921 len=0"]);
    assert!(
        h.s.timer(TimerKind::DelayedAck).is_none(),
        "the ACK sent ends the timer"
    );
}

#[test]
fn a_burst_after_an_inflated_ato_brings_it_back_to_forty_ms_in_whole_jiffies() {
    // `tcp_event_data_recv` keeps `icsk_ack.ato` in jiffies: each back-to-back segment
    // halves it with a shift and adds TCP_ATO_MIN / 2 (5 jiffies at HZ 250), so an ATO of
    // 30 jiffies (a delayed-ACK timer that fired twice) goes 20, 15, 12, 11, 10 and stays
    // at TCP_ATO_MIN. Halving microseconds instead (41.25, 40.6 … ms) never gets there,
    // and rounded up to the jiffy the ACK waited 44 ms. Measured on 6.18
    // (idle-restart+delay=300): eleven segments after such a timer, their ACK 43.7 ms
    // later, on the tick after 10 jiffies, before the flight's last segment 44 ms behind.
    let mut h = socket_past_quickack();
    h.s.ato = 120_000;
    // Longer than the ATO, shorter than the RTO: neither shortens it nor restarts quick ACKs.
    h.wait_ms(150);
    for i in 0..8 {
        send!(h, &format!(". seq={} ack=1 len=1460", 1 + i * 1460));
    }
    recv_nothing!(h);
    assert_eq!(h.s.ato, 40_000, "the ATO is back at TCP_ATO_MIN");
    let at =
        h.s.timer(TimerKind::DelayedAck)
            .expect("the ACK is delayed");
    assert_eq!(at, crate::tcp::wheel::fires_at(h.now, 40_000, &h.p));
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::DelayedAck, ctx));
    recv!(h, [". seq=1 ack=11681 len=0"]);
}

/// Past quick-ACK mode (`socket_past_quickack`), with timestamps agreed.
fn socket_with_timestamps_past_quickack() -> Harness {
    let mut h = socket_past_quickack();
    h.s.ts_ok = true;
    h.s.sack_ok = true;
    h
}

/// The socket sent exactly one segment since the last look, `line`, echoing `ecr` (TSecr).
fn assert_sent_echoing(h: &mut Harness, line: &str, ecr: u32) {
    let tx = std::mem::take(&mut h.tx);
    let sent: Vec<(String, Option<u32>)> = tx
        .iter()
        .map(|seg| {
            let Header::Tcp(t) = &seg.header else {
                panic!("a TCP segment");
            };
            (h.line(seg), t.options.timestamps.map(|(_, e)| e))
        })
        .collect();
    assert_eq!(sent, [(line.to_string(), Some(ecr))]);
}

#[test]
fn a_delayed_ack_echoes_the_timestamp_of_the_earliest_segment_it_acknowledges() {
    // RFC 7323 §4.3 and §5.3 R3, Linux `tcp_replace_ts_recent`: TS.Recent is taken only from
    // a segment that starts at or before Last.ACK.sent (`rcv_wup`, the rcv_nxt of our last
    // ACK), so an ACK that covers several segments echoes the earliest one's TSval and the
    // peer's RTT sample includes the time the ACK was held. Two 100-byte segments 20 ms
    // apart, stamped 10 and 30, acknowledged by the delayed ACK: it echoes 10.
    let mut h = socket_with_timestamps_past_quickack();
    send_with_tsval(&mut h, ". seq=1 ack=1 len=100", 10);
    h.wait_ms(20);
    send_with_tsval(&mut h, ". seq=101 ack=1 len=100", 30);
    recv_nothing!(h);
    fire(&mut h, TimerKind::DelayedAck);
    assert_sent_echoing(&mut h, ". seq=1 ack=201 len=0", 10);
}

#[test]
fn a_pure_ack_a_tick_behind_passes_paws_but_leaves_the_echoed_timestamp_alone() {
    // PAWS lets a TSval one behind TS.Recent through (`TCP_PAWS_WINDOW`), but RFC 7323 §5.3 R3
    // copies it only if SEG.TSval >= TS.Recent (Linux `tcp_replace_ts_recent` →
    // `tcp_paws_check(&tp->rx_opt, 0)`): our next segment still echoes the newer one.
    let mut h = socket_with_timestamps_past_quickack();
    send_with_tsval(&mut h, ". seq=1 ack=1 len=100", 50);
    fire(&mut h, TimerKind::DelayedAck);
    assert_sent_echoing(&mut h, ". seq=1 ack=101 len=0", 50);
    send_with_tsval(&mut h, ". seq=101 ack=1 len=0", 49);
    recv_nothing!(h);
    app_send(&mut h, 10, false);
    assert_sent_echoing(&mut h, "P. seq=1 ack=101 len=10", 50);
}

#[test]
fn a_copy_of_data_received_since_the_last_ack_leaves_the_echoed_timestamp_alone() {
    // The same rule for a tail loss probe's copy of the last segment of a flight whose ACK
    // is still held: it starts after Last.ACK.sent, so the D-SACK that answers it echoes the
    // flight's first segment, not the copy (which would tell the peer a round trip of its
    // own). Measured on 6.18 (explore seed 1600 #10, 5 ms one way): that ACK echoed the
    // TSval of a segment sent 42 ms before, the peer's SRTT grew, and its next loss probe
    // came 36 ms after a flight, where an echo of the copy left SRTT at 10 ms and the probe
    // at 30 ms.
    let mut h = socket_with_timestamps_past_quickack();
    for seq in [1, 101] {
        send_with_tsval(&mut h, &format!(". seq={seq} ack=1 len=100"), 10);
    }
    recv_nothing!(h);
    h.wait_ms(30);
    send_with_tsval(&mut h, ". seq=101 ack=1 len=100", 40);
    assert_sent_echoing(&mut h, ". seq=1 ack=201 len=0", 10);
}

#[test]
fn a_segment_arriving_while_the_delayed_ack_is_still_far_off_waits_for_it() {
    // The negative of the one above: 20 ms after the first segment the timer is 20 ms
    // from due, more than a quarter of the ATO, so the second segment waits too, and the
    // pending (earlier) timeout stands rather than a new one 40 ms from now.
    let mut h = socket_past_quickack();
    send!(h, ". seq=1 ack=1 len=1460");
    recv_nothing!(h);
    let at =
        h.s.timer(TimerKind::DelayedAck)
            .expect("the ACK is delayed");
    h.wait_ms(20);
    send!(h, ". seq=1461 ack=1 len=1460");
    recv_nothing!(h);
    assert_eq!(h.s.timer(TimerKind::DelayedAck), Some(at));
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::DelayedAck, ctx));
    recv!(h, [". seq=1 ack=2921 len=0"]);
}

#[test]
fn two_segments_under_a_window_capped_by_rcv_ssthresh_are_acknowledged_at_once() {
    // The same two segments while rcv_ssthresh, not the free space, bounds the window: it
    // stays as offered, and the second segment is acknowledged at once.
    let mut h = socket_past_quickack();
    h.s.rcv_ssthresh = 20_000;
    h.s.rcv_wnd = 20_000;
    send!(h, ". seq=1 ack=1 len=1460");
    recv_nothing!(h);
    send!(h, ". seq=1461 ack=1 len=1460");
    recv!(h, [". seq=1 ack=2921 len=0"]);
}

/// `app_recv` of everything queued.
fn read_all(h: &mut Harness) {
    h.with(|s, ctx| s.app_recv(1 << 20, ctx));
}

/// [`socket_past_quickack`] after one full segment, acknowledged by the delayed-ACK timer
/// and read: `rcv_mss` is 1460, nothing owed.
fn socket_past_one_full_segment() -> Harness {
    let mut h = socket_past_quickack();
    send!(h, ". seq=1 ack=1 len=1460");
    fire(&mut h, TimerKind::DelayedAck);
    recv!(h, [". seq=1 ack=1461 len=0"]);
    read_all(&mut h);
    recv_nothing!(h);
    assert_eq!(h.s.rcv_mss, 1460);
    h
}

#[test]
fn a_read_that_empties_the_queue_acknowledges_a_short_segment_of_any_size_at_once() {
    // `tcp_measure_rcv_mss` marks the ACK of any segment shorter than `rcv_mss` pushed
    // (here 1000 bytes after a full 1460), and `tcp_cleanup_rbuf` sends it when a read
    // empties the queue, outside ping-pong mode. Measured on 6.18
    // (`delayed-ack-pushed-read`): twenty full segments and 1040 bytes with PSH, read 11 ms
    // after they came, acknowledged at the read, 28 ms before the delayed-ACK timer.
    let mut h = socket_past_one_full_segment();
    send!(h, "P. seq=1461 ack=1 len=1000");
    recv_nothing!(h);
    h.wait_ms(10);
    read_all(&mut h);
    recv!(h, [". seq=1 ack=2461 len=0"]);
}

#[test]
fn a_full_segment_with_psh_is_acknowledged_when_a_read_empties_the_queue() {
    // Linux 6.6+ (`tcp_measure_rcv_mss`, "tcp: fix delayed ACKs for MSS boundary
    // condition"): a segment of `rcv_mss` or more with PSH is likely the end of a write,
    // and is marked pushed too; without PSH it waits for the timer.
    let mut h = socket_past_quickack();
    send!(h, "P. seq=1 ack=1 len=1460");
    recv_nothing!(h);
    read_all(&mut h);
    recv!(h, [". seq=1 ack=1461 len=0"]);
    send!(h, ". seq=1461 ack=1 len=1460");
    read_all(&mut h);
    recv_nothing!(h);
    fire(&mut h, TimerKind::DelayedAck);
    recv!(h, [". seq=1 ack=2921 len=0"]);
}

#[test]
fn a_second_short_segment_of_the_same_size_becomes_rcv_mss_and_is_not_pushed() {
    // `tcp_measure_rcv_mss` remembers a short segment's size (`last_seg_size`); the next
    // one of that size sets `rcv_mss` to it instead of marking the ACK pushed, so its read
    // sends nothing and the delayed-ACK timer acknowledges it.
    let mut h = socket_past_one_full_segment();
    send!(h, ". seq=1461 ack=1 len=1000");
    read_all(&mut h);
    recv!(h, [". seq=1 ack=2461 len=0"]);
    send!(h, ". seq=2461 ack=1 len=1000");
    assert_eq!(h.s.rcv_mss, 1000);
    read_all(&mut h);
    recv_nothing!(h);
    fire(&mut h, TimerKind::DelayedAck);
    recv!(h, [". seq=1 ack=3461 len=0"]);
}

#[test]
fn a_read_acknowledges_at_once_when_more_than_one_segment_is_owed() {
    // `tcp_cleanup_rbuf`'s first test: an ACK the window's shrinking held back for two
    // full segments goes at the next read, even one that leaves data queued and does not
    // double the window ("Once-per-two-segments ACK was not sent by tcp_input.c").
    let mut h = socket_past_quickack();
    send!(h, ". seq=1 ack=1 len=1460");
    send!(h, ". seq=1461 ack=1 len=1460");
    recv_nothing!(h);
    h.wait_ms(10);
    h.with(|s, ctx| s.app_recv(100, ctx));
    recv!(h, [". seq=1 ack=2921 len=0"]);
}

#[test]
fn a_gso_chunk_holds_what_the_pacing_rate_sends_in_a_millisecond_at_least_two_segments() {
    // `tcp_tso_autosize` with `tcp_update_pacing_rate`'s slow-start rate (200 % of
    // cwnd · mss / srtt), 1448-byte segments, cwnd 10. Measured on 6.18 with CUBIC: 2 at a
    // 40 ms RTT, 3 at the 5.15 ms the kernel measured over a 2 ms wire.
    let mut h = socket_established();
    h.s.snd_mss = 1448;
    h.s.cc.cwnd = 10 * 1448;
    let mut chunk = |rtt_us: u64| {
        h.s.rtt.srtt = Some(rtt_us);
        h.s.min_rtt = Some(rtt_us);
        h.s.update_pacing_rate();
        h.with(|s, ctx| s.tso_segs(ctx))
    };
    assert_eq!(chunk(40_000), 2);
    assert_eq!(chunk(5_150), 3);
    // Shorter paths add `sk_gso_max_size >> (min_rtt_us >> 9)`: 4 ms → 7070 + 509 bytes.
    assert_eq!(chunk(4_000), 5);
}

#[test]
fn tcp_cork_holds_a_partial_segment_even_with_tcp_nodelay() {
    // `tcp_nagle_check`: TCP_NAGLE_CORK holds whatever TCP_NAGLE_OFF says.
    let mut h = socket_established();
    h.s.nodelay = true;
    h.s.cork = true;
    app_send(&mut h, 100, false);
    recv_nothing!(h);
    h.with(|s, ctx| s.set_cork(false, ctx));
    recv!(h, ["P. seq=1 ack=1 len=100"]);
}

#[test]
fn clearing_tcp_cork_with_tcp_nodelay_on_lets_the_held_tail_go_past_a_cork_set_again() {
    // `__tcp_sock_set_cork(sk, false)` with TCP_NAGLE_OFF sets TCP_NAGLE_PUSH, and
    // `tcp_nagle_test` honours it before the cork. The peer's window holds the 100-byte
    // tail at the uncork, the cork is set again before it leaves, and no write starts a
    // new skb (`skb_entail` would clear the flag): the ACK that opens the window sends it.
    let mut h = socket_established_40ms(2920);
    h.s.nodelay = true;
    h.s.cork = true;
    app_send(&mut h, 2920 + 100, false);
    recv!(h, [". seq=1 ack=1 len=1460", "P. seq=1461 ack=1 len=1460"]);
    h.with(|s, ctx| s.set_cork(false, ctx));
    recv_nothing!(h);
    h.with(|s, ctx| s.set_cork(true, ctx));
    h.wait_ms(40);
    send!(h, ". seq=1 ack=2921 win=2920");
    recv!(h, ["P. seq=2921 ack=1 len=100"]);
}

#[test]
fn turning_tcp_nodelay_on_sends_corked_bytes_and_the_next_write_is_corked_again() {
    // `__tcp_sock_set_nodelay` sets TCP_NAGLE_PUSH, which `tcp_nagle_test` honours before
    // the cork; `skb_entail` clears it when the next write starts a new skb.
    let mut h = socket_established();
    h.s.cork = true;
    app_send(&mut h, 100, false);
    recv_nothing!(h);
    h.with(|s, ctx| s.set_nodelay(true, ctx));
    recv!(h, ["P. seq=1 ack=1 len=100"]);
    app_send(&mut h, 100, false);
    recv_nothing!(h);
}

// ---------------------------------------------------------------- options on the wire

/// The option kinds of the last segment the socket sent, in wire order, and its data offset.
fn sent_layout(h: &mut Harness) -> (Vec<u8>, u8) {
    let seg = h.tx.pop().expect("the socket sent a segment");
    let Header::Tcp(t) = seg.header else {
        panic!("a TCP segment");
    };
    (t.options.order, t.header_len)
}

#[test]
fn a_syn_writes_mss_sack_permitted_timestamps_nop_window_scale_in_forty_bytes() {
    let mut h = Harness::new();
    h.with(|s, ctx| s.connect(REMOTE, ctx));
    // `tcp_options_write`: SACK-permitted packed in front of the timestamps, NOP + WS last.
    assert_eq!(sent_layout(&mut h), (vec![2, 4, 8, 1, 3], 40));
}

#[test]
fn a_syn_without_timestamps_pads_sack_permitted_and_window_scale_with_nops() {
    let mut h = Harness::new();
    h.p.timestamps = false;
    h.with(|s, ctx| s.connect(REMOTE, ctx));
    assert_eq!(sent_layout(&mut h), (vec![2, 1, 1, 4, 1, 3], 32));
}

#[test]
fn a_syn_with_timestamps_but_without_sack_pads_the_timestamps_with_two_nops() {
    let mut h = Harness::new();
    h.p.sack_permitted = false;
    h.p.window_scale = None;
    h.with(|s, ctx| s.connect(REMOTE, ctx));
    assert_eq!(sent_layout(&mut h), (vec![2, 1, 1, 8], 36));
}

#[test]
fn a_syn_ack_to_a_peer_that_offers_nothing_carries_the_mss_alone_and_later_segments_none() {
    let mut h = Harness::new();
    h.s.parent = Some(SocketId(0));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    // RFC 7323 §1.3, RFC 2018 §2: what the SYN did not offer is not answered.
    assert_eq!(sent_layout(&mut h), (vec![2], 24));
    send!(h, ". seq=1 ack=1");
    send!(h, "P. seq=1 ack=1 len=10");
    send!(h, "P. seq=11 ack=1 len=10");
    assert_eq!(sent_layout(&mut h), (vec![], 20), "the ACK of the data");
}

// ---------------------------------------------------------------- loss recovery with SACK

/// Established over a 40 ms round trip, `setup` applied, then a write of `segments` full
/// segments of which the first ten leave.
fn socket_sending_ten(segments: u32, setup: impl FnOnce(&mut Harness)) -> Harness {
    let mut h = socket_established_40ms(65_535);
    setup(&mut h);
    write(&mut h, segments * 1460);
    assert_eq!(h.sent().len(), 10);
    h
}

/// Established over a 40 ms round trip with SACK agreed (as if both SYNs carried
/// SACK-permitted), and a write of ten full segments sent.
fn socket_sending_ten_with_sack() -> Harness {
    socket_sending_ten(10, |h| h.s.sack_ok = true)
}

#[test]
fn three_segments_lost_in_a_row_are_all_marked_lost_by_rack_and_resent_without_a_timeout() {
    // Segments 2-4 are lost; 5-10 arrive and are SACKed one ACK at a time. RACK (RFC 8985
    // §6.2) waits min_RTT/4 while fewer than three segments are SACKed, then marks every
    // segment sent before the newest delivered one and not delivered within its RTT: all
    // three holes at once (Linux `tcp_rack_detect_loss`), not one per round trip as
    // NewReno's partial ACKs would. PRR (RFC 6937) then sends one segment per delivered
    // one while the pipe is below ssthresh = 10 · 717/1024 = 7: the three retransmissions
    // leave one per SACK, and no RTO fires.
    let mut h = socket_sending_ten_with_sack();
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    recv_nothing!(h);
    send!(h, ". seq=1 ack=1461 sack=5841-7301");
    send!(h, ". seq=1 ack=1461 sack=5841-8761");
    recv_nothing!(h);
    send!(h, ". seq=1 ack=1461 sack=5841-10221");
    recv!(h, [". seq=1461 ack=1 len=1460"]);
    assert!(h.s.cc.in_recovery());
    assert_eq!(h.s.cc.ssthresh, 7 * 1460);
    send!(h, ". seq=1 ack=1461 sack=5841-11681");
    recv!(h, [". seq=2921 ack=1 len=1460"]);
    send!(h, ". seq=1 ack=1461 sack=5841-13141");
    recv!(h, [". seq=4381 ack=1 len=1460"]);
    send!(h, ". seq=1 ack=1461 sack=5841-14601");
    recv_nothing!(h);
    // The retransmissions arrive: one cumulative ACK ends the recovery with cwnd =
    // ssthresh (`tcp_end_cwnd_reduction`), and no timeout was needed.
    h.wait_ms(40);
    send!(h, ". seq=1 ack=14601");
    assert!(!h.s.cc.in_recovery());
    assert_eq!(h.s.stats.timeouts, 0);
    assert_eq!(h.s.stats.retransmits, 3);
    assert!(h.s.cc.cwnd >= 7 * 1460 && h.s.cc.cwnd <= 8 * 1460);
}

#[test]
fn a_sack_of_data_sent_before_the_heads_retransmission_restarts_the_rto() {
    // Linux `tcp_clean_rtx_queue`: an ACK that acknowledges nothing new still re-arms the RTO
    // (FLAG_SET_XMIT_TIMER) when its SACK RTT sample comes from data sent before the head of
    // the queue was last (re)sent. Segment 2 is lost; the ACK of segment 1 lets two new
    // segments go, the SACK of segment 3 arms RACK's reordering timer, which resends
    // segment 2 10 ms later; that retransmission is lost too. The SACK of the rest one round
    // trip on times segments sent before the retransmission: the RTO restarts from it, not
    // from the retransmission. Measured on 6.18 (recording
    // `a-sack-of-data-sent-before-a-lost-retransmission-restarts-the-rto`).
    let mut h = socket_sending_ten(14, |h| h.s.sack_ok = true);
    let sent_at = h.now;
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    assert_eq!(h.sent().len(), 2, "slow start sends two new segments");
    send!(h, ". seq=1 ack=1461 sack=2921-4381");
    recv_nothing!(h);
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, [". seq=1461 ack=1 len=1460"]);
    let resent = h.now;
    let before = h.s.timer(TimerKind::Retransmit).expect("the RTO is armed");
    h.now = sent_at + 80_000;
    send!(h, ". seq=1 ack=1461 sack=2921-17521");
    let rto = h.s.rtt.rto;
    let at = h.s.timer(TimerKind::Retransmit).expect("the RTO is armed");
    assert!(before < resent + rto + 8_000, "{before} {resent} {rto}");
    assert!(
        at >= h.now + rto,
        "the RTO restarts from the SACK: {at} < {} + {rto} (armed at the retransmission: {before})",
        h.now
    );
}

#[test]
fn resending_the_head_replaces_the_loss_probe_with_a_full_rto() {
    // On a 0 ms wire the SACKs of the flight arrive at the instant it left, while the tail
    // loss probe armed for it is still pending: the head's retransmission restarts the RTO
    // from now (`tcp_xmit_retransmit_queue`, rearm_timer), so no probe follows it.
    let mut h = socket_sending_ten_with_sack();
    let timeout = |h: &Harness| {
        h.out.iter().rev().find_map(|e| match e.kind {
            EventKind::TimerSet {
                timer: TimerKind::Retransmit,
                timeout_us,
                ..
            } => timeout_us,
            _ => None,
        })
    };
    assert!(h.s.tlp_armed, "the flight armed a loss probe");
    send!(h, ". seq=1 ack=1461");
    send!(h, ". seq=1 ack=1461 sack=2921-4381");
    send!(h, ". seq=1 ack=1461 sack=2921-5841");
    send!(h, ". seq=1 ack=1461 sack=2921-7301");
    recv!(h, [". seq=1461 ack=1 len=1460"]);
    assert!(!h.s.tlp_armed);
    // Each SACK is an RTT sample too (`sack_rtt_us`, 0 ms here), so the RTO may have
    // fallen since the retransmission armed it; a loss probe would be a fraction of it.
    let rto_set = h.out.iter().any(|e| {
        matches!(e.kind, EventKind::TimerSet { timer: TimerKind::Retransmit, timeout_us, .. }
            if timeout_us.is_some_and(|t| t >= h.s.rtt.rto) && e.t == h.now)
    });
    assert!(
        rto_set,
        "the RTO restarted at the retransmission: {:?}",
        timeout(&h)
    );
}

#[test]
fn new_data_sent_under_a_pending_loss_probe_keeps_the_rto_of_the_oldest_segment() {
    // A segment out arms a loss probe no later than the RTO. More data sent while that probe
    // is pending restarts the RTO, but from the oldest unacknowledged segment's send time
    // (`tcp_event_new_data_sent` → `tcp_rearm_rto` offsets a pending probe's timer by
    // `tcp_rto_delta_us`), and the new probe is no later than that. Seen on 6.18 in
    // teardown-server-first with the client's ACK of the answer lost: the server's FIN, sent
    // 190 ms after the answer, was probed at the answer's RTO, ~54 ms on, not 2 RTTs on.
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    h.s.nodelay = true;
    write(&mut h, 100);
    recv!(h, ["P. seq=1 ack=1 len=100"]);
    assert!(h.s.tlp_armed);
    let (first, rto) = (h.now, h.s.rtt.rto);
    h.wait_ms(rto / 1000 - 30);
    write(&mut h, 100);
    recv!(h, ["P. seq=101 ack=1 len=100"]);
    assert!(h.s.tlp_armed, "the new flight is probed");
    let probe = h.s.timer(TimerKind::Retransmit).expect("a probe armed");
    // The RTO would have fired 30 ms from now: the probe comes no later (a jiffy and the
    // wheel's rounding aside), where two RTTs (80 ms + 2 ms) would be 50 ms later.
    assert!(
        probe <= first + rto + 8_000,
        "probe at {probe}, the first segment's RTO at {}",
        first + rto
    );
}

#[test]
fn a_single_sack_waits_the_reordering_window_plus_2_ms_in_jiffies_before_rack_declares_a_loss() {
    // One SACK above a hole: fewer than `tcp_reordering` (3) segments SACKed, so RACK's
    // reordering window is min_RTT/4 = 10 ms; the reordering timer fires and only then is
    // the hole retransmitted (Linux `tcp_rack_reo_timeout`). `tcp_rack_mark_lost` arms it
    // for usecs_to_jiffies(10 ms + TCP_TIMEOUT_MIN_US) = 3 jiffies of 4 ms (6.6+, commit
    // 1c2709cfff1d), not usecs_to_jiffies(10 ms) + 2 jiffies = 5; on the wheel half a jiffy
    // late. Measured on 6.18 (recording
    // `a-sack-above-a-hole-waits-the-reordering-window-plus-2-ms-in-jiffies`, 1 ms one way):
    // the hole resent 5-8 ms after the SACK, not 13-16.
    let mut h = socket_sending_ten_with_sack();
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461 sack=2921-4381");
    recv_nothing!(h);
    let at =
        h.s.timer(TimerKind::Retransmit)
            .expect("the reordering timer");
    assert_eq!(at - h.now, 3 * h.p.clock_granularity_us + 2_000);
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::Retransmit, ctx));
    recv!(h, [". seq=1461 ack=1 len=1460"]);
    assert!(h.s.cc.in_recovery());
}

#[test]
fn without_sack_three_duplicate_acks_mark_the_first_segment_lost_and_prr_resends_it() {
    // tcp_sack 0 (this harness's peer offers no SACK): Linux counts each duplicate ACK as
    // one segment delivered (`tcp_add_reno_sack`), marks the first segment lost at the
    // third (`tcp_newreno_mark_lost`, tcp_reordering 3) and reduces cwnd by PRR like a
    // SACK connection: ssthresh 11 · 717/1024 = 7, pipe 9 − 3 − 1 = 5, one segment now.
    let mut h = socket_established_40ms(65_535);
    write(&mut h, 10 * 1460);
    assert_eq!(h.sent().len(), 10);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    send!(h, ". seq=1 ack=1461");
    send!(h, ". seq=1 ack=1461");
    recv_nothing!(h);
    send!(h, ". seq=1 ack=1461");
    recv!(h, [". seq=1461 ack=1 len=1460"]);
    assert!(h.s.cc.in_recovery());
    assert_eq!(h.s.cc.ssthresh, 7 * 1460);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=14601");
    // At high_seq a recovery without SACK is held until an ACK goes beyond it
    // (`tcp_try_undo_recovery`), and nothing was resent twice.
    assert!(h.s.cc.in_recovery());
    assert_eq!(h.s.stats.retransmits, 1);
    assert_eq!(h.s.stats.timeouts, 0);
}

/// Fires the retransmission timer (a loss probe or RACK's reordering timer first, if that
/// is what it is armed as) until an RTO has fired.
fn fire_until_rto(h: &mut Harness) {
    let before = h.s.stats.timeouts;
    while h.s.stats.timeouts == before {
        fire(h, TimerKind::Retransmit);
    }
}

#[test]
fn after_an_rto_only_the_segments_not_sacked_are_sent_again() {
    // Segments 2 and 6 are lost, and so are their fast retransmissions; 3-5 and 7-10 are
    // SACKed. The RTO (Linux `tcp_enter_loss` → `tcp_timeout_mark_lost`) marks only the two
    // holes lost and keeps the SACKed segments SACKed; cwnd is what is in flight plus one
    // (nothing: one segment), the head goes out at once, and when the next ACK reaches the
    // second hole `tcp_xmit_retransmit_queue` resends that hole alone, skipping 7-10, where
    // a go-back-N would send 6-10. Measured on 6.18 (`rto-keeps-sacked`): after the RTO the
    // segment at 1449, then the one at 7241, then the ACK of everything.
    let mut h = socket_sending_ten_with_sack();
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    send!(h, ". seq=1 ack=1461 sack=2921-4381");
    send!(h, ". seq=1 ack=1461 sack=2921-5841");
    send!(h, ". seq=1 ack=1461 sack=2921-7301");
    send!(h, ". seq=1 ack=1461 sack=8761-10221,2921-7301");
    send!(h, ". seq=1 ack=1461 sack=8761-11681,2921-7301");
    send!(h, ". seq=1 ack=1461 sack=8761-13141,2921-7301");
    send!(h, ". seq=1 ack=1461 sack=8761-14601,2921-7301");
    recv!(
        h,
        [". seq=1461 ack=1 len=1460", ". seq=7301 ack=1 len=1460"]
    );
    let ssthresh = h.s.cc.ssthresh;
    // Both retransmissions are lost: nothing answers, the RTO fires.
    fire_until_rto(&mut h);
    recv!(h, [". seq=1461 ack=1 len=1460"]);
    assert_eq!(h.s.cc.cwnd, 1460, "nothing in flight: cwnd 1");
    assert_eq!(
        h.s.cc.ssthresh, ssthresh,
        "the RTO continues the fast recovery's episode: ssthresh is not cut twice"
    );
    h.wait_ms(40);
    send!(h, ". seq=1 ack=7301 sack=8761-14601");
    recv!(h, [". seq=7301 ack=1 len=1460"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=14601");
    recv_nothing!(h);
    assert_eq!(h.s.stats.timeouts, 1);
    assert_eq!(h.s.stats.retransmits, 4);
    assert_eq!(h.s.timer(TimerKind::Retransmit), None);
}

#[test]
fn an_rto_in_disorder_with_tcp_reordering_segments_sacked_lowers_the_degree_back_to_it() {
    // `tcp_enter_loss`: "Timeout in disordered state after receiving substantial DUPACKs
    // suggests that the degree of reordering is over-estimated". Reordering raised the
    // degree to 10; segments 3-5 are SACKed (3, the tcp_reordering sysctl) and RACK still
    // waits (its window is open while fewer than 10 are SACKed). The RTO brings the degree
    // back to 3; with two SACKed it stays.
    let degree_after_rto = |sacked: &str| {
        let mut h = socket_sending_ten_with_sack();
        h.s.reord.degree = 10;
        h.wait_ms(40);
        send!(h, ". seq=1 ack=1461");
        send!(h, &format!(". seq=1 ack=1461 sack={sacked}"));
        assert!(!h.s.recovering(), "still open or disorder");
        h.with(|s, ctx| s.enter_loss(ctx));
        h.s.reord.degree
    };
    assert_eq!(degree_after_rto("2921-7301"), 3);
    assert_eq!(degree_after_rto("2921-5841"), 10);
}

#[test]
fn an_rto_after_the_peer_reneged_on_its_sack_sends_everything_again() {
    // The peer SACKed the first unacknowledged segment and never acknowledged it
    // cumulatively: it dropped what it had SACKed (`tcp_check_sack_reneging`). The RTO
    // then forgets every SACK (`tcp_timeout_mark_lost` with is_reneg) and the segments are
    // resent in order as the window opens again. (The loss probe goes first: the timer was
    // armed as one before the SACK came.)
    let mut h = socket_sending_ten_with_sack();
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1 sack=1-2921");
    recv_nothing!(h);
    fire_until_rto(&mut h);
    recv!(h, ["P. seq=13141 ack=1 len=1460", ". seq=1 ack=1 len=1460"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    recv!(
        h,
        [". seq=1461 ack=1 len=1460", ". seq=2921 ack=1 len=1460"]
    );
}

#[test]
fn a_sacked_fin_lets_rack_resend_the_lost_data_before_it_without_the_fin() {
    // Five bytes are lost; the FIN, sent on its own 100 ms later, arrives and is SACKed.
    // Linux keeps the FIN in an skb of its own (`tcp_send_fin`): its SACK moves RACK, which
    // finds the data overtaken and resends it at once, alone (a SACKed skb is not collapsed
    // into the retransmission, `tcp_retrans_try_collapse`), instead of waiting for the RTO
    // and sending data and FIN together. Measured on 6.18
    // (`teardown-server-first+drop=server-data-1`): `P. seq=1 len=5` when the SACK arrives.
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    write(&mut h, 5);
    recv!(h, ["P. seq=1 ack=1 len=5"]);
    h.wait_ms(100);
    h.with(|s, ctx| s.app_close(ctx));
    recv!(h, ["F. seq=6 ack=1 len=0"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1 sack=6-7");
    recv!(h, ["P. seq=1 ack=1 len=5"]);
    assert_eq!(h.s.stats.timeouts, 0);
}

// ---------------------------------------------------------------- receive memory (truesize)

/// The window field of the last segment the socket sent.
fn last_window(h: &Harness) -> u16 {
    match &h.tx.last().expect("the socket sent a segment").header {
        Header::Tcp(t) => t.window,
        _ => panic!("a TCP segment"),
    }
}

#[test]
fn a_small_segment_costs_its_heads_cache_object_and_the_window_backs_off_by_it() {
    // A TUN device at MTU 1500, as the lab's wire: a full segment's skb costs 856 bytes
    // beyond its payload. A 140-byte packet's head (64 + 140 bytes, cache-aligned, + the
    // 320-byte skb_shared_info) fits the 576-byte small-head cache: 832 with the sk_buff,
    // not its payload plus those 856. Measured on 6.18 (sweep point
    // delayed-ack+rcvbuf=16384): two 100-byte requests, the first read before the second
    // arrives, and the window of the second ACK fell by 100 bytes; sock_diag's
    // SK_MEMINFO_RMEM_ALLOC gives 832 for a 96-byte segment with timestamps.
    let mut h = Harness::new();
    h.p.mss = 1460;
    h.p.rcv_skb_overhead = 856;
    h.s = h.with(|_, ctx| TcpSocket::new(SocketId(1), LOCAL, ctx));
    h.s.parent = Some(SocketId(0));
    // SO_RCVBUF 15000: the sk_rcvbuf of 30000 offers 15000, the SYN-ACK 10 × 1460 of it.
    h.s.rcv_cap = 15_000;
    h.s.rcvbuf_locked = true;
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    send!(h, ". seq=1 ack=1");
    send!(h, "P. seq=1 ack=1 len=100");
    // Free space (30000 − 832) / 2 = 14584, rounded down to the 536-byte receive MSS
    // estimate: 14472, below what is left of the SYN-ACK's offer, which stays (`tcp_select_window`).
    assert_eq!(last_window(&h), 14_500);
    h.with(|s, ctx| s.app_recv(1000, ctx));
    h.tx.clear();
    send!(h, "P. seq=101 ack=1 len=100");
    let window = last_window(&h);
    recv!(h, [". seq=1 ack=201 len=0"]);
    // The free space (14584 again, the first skb freed) is within one segment of the last
    // offer, so the window keeps the old right edge: 14400.
    assert_eq!(window, 14_400);
}

// ---------------------------------------------------------------- SACK blocks as written

/// The SACK blocks of the last segment the socket sent, relative to the peer's ISN.
fn last_sack(h: &Harness) -> Vec<(u32, u32)> {
    match &h.tx.last().expect("the socket sent a segment").header {
        Header::Tcp(t) => t
            .options
            .sack
            .iter()
            .map(|&(a, b)| (a.wrapping_sub(PEER_ISN), b.wrapping_sub(PEER_ISN)))
            .collect(),
        _ => panic!("a TCP segment"),
    }
}

/// The peer sends `incoming`; the socket answers with exactly `reply`, whose SACK blocks
/// (relative to the peer's ISN) this returns.
fn sack_of_reply(h: &mut Harness, incoming: &str, reply: &str) -> Vec<(u32, u32)> {
    send!(h, incoming);
    let sack = last_sack(h);
    recv!(h, [reply]);
    sack
}

#[test]
fn a_duplicate_of_data_already_received_is_acknowledged_with_a_dsack_of_it() {
    // Linux `tcp_send_dupack` (RFC 2883 §4); measured on 6.18, the sweep's
    // delayed-ack+drop=server-ack-1: "ack=101 sack 1-101".
    let mut h = socket_established();
    h.s.sack_ok = true;
    send!(h, "P. seq=1 ack=1 len=100");
    recv!(h, [". seq=1 ack=101 len=0"]);
    send!(h, "P. seq=1 ack=1 len=100");
    let sack = last_sack(&h);
    recv!(h, [". seq=1 ack=101 len=0"]);
    assert_eq!(sack, [(1, 101)]);
}

#[test]
fn data_sent_while_sack_blocks_are_reported_is_cut_shorter_by_the_option_bytes() {
    // Linux `tcp_current_mss`: `mss_cache` counts only the options every segment has, so a
    // segment that also carries SACK blocks (`tcp_established_options`: 4 + 8 a block) is
    // that much shorter. Measured on 6.18 (explore seed 3100 #34, timestamps off, MSS
    // 1460): 3000 bytes with one block to report left as 1448 + 1448 + 104.
    let mut h = socket_established();
    h.s.sack_ok = true;
    let sack = sack_of_reply(&mut h, "P. seq=2 ack=1 len=1", ". seq=1 ack=1 len=0");
    assert_eq!(sack, [(2, 3)]);
    write(&mut h, 3000);
    let sack = last_sack(&h);
    recv!(
        h,
        [
            ". seq=1 ack=1 len=1448",
            ". seq=1449 ack=1 len=1448",
            "P. seq=2897 ack=1 len=104",
        ]
    );
    assert_eq!(sack, [(2, 3)]);
    // The hole is filled and everything acknowledged: no block left, whole segments again.
    send!(h, "P. seq=1 ack=3001 len=1");
    recv!(h, [". seq=3001 ack=3 len=0"]);
    write(&mut h, 3000);
    recv!(
        h,
        [
            ". seq=3001 ack=3 len=1460",
            ". seq=4461 ack=3 len=1460",
            "P. seq=5921 ack=3 len=80",
        ]
    );
}

/// A 40 ms path with SACK (loss probes as `tlp` says): a 2920-byte write has left as two
/// full segments of 1460, then the peer's second byte arrives ahead of its first, so we
/// hold a SACK block for it and the current MSS is 12 bytes shorter.
fn two_full_segments_out_beside_a_sack_block(tlp: bool) -> Harness {
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    h.p.tail_loss_probe = tlp;
    write(&mut h, 2920);
    recv!(h, [". seq=1 ack=1 len=1460", "P. seq=1461 ack=1 len=1460"]);
    let sack = sack_of_reply(&mut h, "P. seq=2 ack=1 len=1", ". seq=2921 ack=1 len=0");
    assert_eq!(sack, [(2, 3)]);
    h
}

#[test]
fn a_segment_resent_while_a_sack_block_is_reported_is_cut_to_the_shorter_mss() {
    // `__tcp_retransmit_skb` cuts an skb to `tcp_current_mss`: two full segments left
    // before we held any SACK block for the peer; the first is lost, and by the time RACK
    // resends it a block takes 12 option bytes. Room for one segment (PRR at the recovery's
    // start): 1448 bytes now (`tcp_fragment`), the other 12 on the next ACK, not a
    // 1460-byte segment that would make a 1512-byte packet. Measured on 6.18 (recording
    // `a-retransmission-is-cut-to-the-mss-left-beside-a-sack-block`).
    let mut h = two_full_segments_out_beside_a_sack_block(true);
    h.wait_ms(40);
    send!(h, ". seq=3 ack=1 sack=1461-2921");
    recv_nothing!(h);
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, [". seq=1 ack=1 len=1448"]);
    h.wait_ms(40);
    send!(h, ". seq=3 ack=1449 sack=1461-2921");
    recv!(h, [". seq=1449 ack=1 len=12"]);
    send!(h, ". seq=3 ack=2921");
    assert_eq!(h.s.snd_una, h.s.snd_max);
}

#[test]
fn a_write_while_a_sack_block_is_reported_fills_skbs_of_whole_shorter_segments() {
    // `tcp_sendmsg_locked` sizes its skbs with `tcp_send_mss` → `tcp_xmit_size_goal` of the
    // current MSS: half the peer's window (32767 bytes) in whole segments is 22 of 1448 =
    // 31856 while a block takes 12 option bytes, where 22 of 1460 (32120) would end each
    // skb with a 264-byte segment; once the hole is filled, whole segments of 1460 again
    // (from the kernel source; not measured live).
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    let sack = sack_of_reply(&mut h, "P. seq=2 ack=1 len=1", ". seq=1 ack=1 len=0");
    assert_eq!(sack, [(2, 3)]);
    assert_eq!(h.s.size_goal(&h.p), 22 * 1448);
    send!(h, "P. seq=1 ack=1 len=1");
    assert_eq!(h.s.size_goal(&h.p), 22 * 1460);
}

#[test]
fn a_resent_skb_with_room_for_more_goes_whole_in_pieces_of_the_shorter_mss() {
    // `__tcp_retransmit_skb` with cwnd room for several segments does not cut the skb
    // (`len = cur_mss * segs` is longer) but recounts it in the current MSS
    // (`tcp_set_skb_tso_segs`): a 2920-byte skb of two 1460-byte segments, both lost by
    // the RTO, goes again as 1448 + 1448 + 24 once an ACK gives room, PSH on the last
    // (`__tcp_transmit_skb` forces it on a chunk of several), not as 1460 + 1460 (from the
    // kernel source; not measured live).
    // No loss probe first: the RTO marks both lost.
    let mut h = two_full_segments_out_beside_a_sack_block(false);
    fire_until_rto(&mut h);
    recv!(h, [". seq=1 ack=1 len=1448"]);
    send!(h, ". seq=3 ack=1449");
    recv!(h, [". seq=1449 ack=1 len=1448", "P. seq=2897 ack=1 len=24"]);
}

#[test]
fn a_loss_probe_sent_while_a_sack_block_is_reported_is_cut_to_the_shorter_mss() {
    // `tcp_send_loss_probe` resends the last segment with `__tcp_retransmit_skb(sk, skb,
    // 1)`, which cuts it to `tcp_current_mss` like any retransmission: a 1460-byte segment
    // sent before we held a SACK block is probed with its first 1448 bytes.
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    write(&mut h, 1460);
    recv!(h, ["P. seq=1 ack=1 len=1460"]);
    let sack = sack_of_reply(&mut h, "P. seq=2 ack=1 len=1", ". seq=1461 ack=1 len=0");
    assert_eq!(sack, [(2, 3)]);
    assert!(h.s.tlp_armed, "a loss probe planned");
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, [". seq=1 ack=1 len=1448"]);
    assert_eq!(h.s.stats.timeouts, 0, "a probe, not the RTO");
}

#[test]
fn a_loss_probe_of_a_two_segment_skb_is_cut_at_one_shorter_mss_from_its_start() {
    // `tcp_send_loss_probe` with `mss = tcp_current_mss`: the last skb left as two segments
    // (pcount 2), so it is cut at (2 - 1) · 1448 from its start (`tcp_fragment`) while a SACK
    // block takes 12 option bytes, and the probe is the next 1448 bytes, 1449-2897, with 24
    // bytes left behind. Measured on 6.18 (timestamps off, both segments of a 2920-byte
    // write lost, 6 runs): the probe 1449-2897, and later the 24 bytes with PSH.
    let mut h = two_full_segments_out_beside_a_sack_block(true);
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, [". seq=1449 ack=1 len=1448"]);
    assert_eq!(h.s.stats.timeouts, 0, "a probe, not the RTO");
}

#[test]
fn a_retransmitted_fin_in_close_wait_is_acknowledged_with_a_dsack_of_its_sequence_number() {
    // `tcp_rcv_state_process` gives a CLOSE-WAIT socket's segment below rcv_nxt to
    // `tcp_data_queue`, whose retransmit case D-SACKs [seq, end_seq), the FIN's number.
    // Measured on 6.18 (explore seed 2100 #23): "ack=2 sack 1-2".
    let mut h = socket_close_wait();
    h.s.sack_ok = true;
    let sack = sack_of_reply(&mut h, "F. seq=1 ack=1", ". seq=1 ack=2 len=0");
    assert_eq!(sack, [(1, 2)]);
}

#[test]
fn a_fin_ahead_of_missing_data_is_sacked_with_its_own_sequence_number() {
    // `tcp_data_queue_ofo` queues the FIN's skb and SACKs it; measured on 6.18, the sweep's
    // teardown-server-first+drop=server-data-1: "ack=1 sack 6-7".
    let mut h = socket_established();
    h.s.sack_ok = true;
    send!(h, "F. seq=6 ack=1");
    let sack = last_sack(&h);
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(sack, [(6, 7)]);
    // The missing 5 bytes arrive: data and FIN are in, the block is gone.
    send!(h, "P. seq=1 ack=1 len=5");
    let sack = last_sack(&h);
    recv!(h, [". seq=1 ack=7 len=0"]);
    assert!(sack.is_empty(), "{sack:?}");
}

#[test]
fn in_fin_wait_2_the_ack_completing_an_early_fin_still_carries_its_sack_block() {
    // Linux `tcp_ofo_queue` → `tcp_fin` → `tcp_send_ack` runs before `tcp_sack_remove`
    // and `tcp_sack_reset`: the stale block goes out once. Measured on 6.18 (sweep point
    // teardown-half-close+drop=server-data-1): "ack=7 sack 6-7", then TIME-WAIT.
    let mut h = socket_fin_wait_2();
    h.s.sack_ok = true;
    send!(h, "F. seq=6 ack=2");
    let sack = last_sack(&h);
    recv!(h, [". seq=2 ack=1 len=0"]);
    assert_eq!(sack, [(6, 7)]);
    send!(h, "P. seq=1 ack=2 len=5");
    let sack = last_sack(&h);
    recv!(h, [". seq=2 ack=7 len=0"]);
    assert_eq!(sack, [(6, 7)]);
    assert_eq!(h.s.state, TcpState::TimeWait);
    // A retransmitted FIN in TIME-WAIT is acknowledged without it (`tcp_sack_reset`).
    send!(h, "F. seq=6 ack=2");
    let sack = last_sack(&h);
    recv!(h, [". seq=2 ack=7 len=0"]);
    assert!(sack.is_empty(), "{sack:?}");
}

#[test]
fn against_a_peer_whose_window_never_passed_two_segments_a_segment_is_half_that_window() {
    // `tcp_sync_mss` → `tcp_bound_to_half_wnd`: the peer's largest window so far is 1448
    // bytes, so segments are cut to 724. Measured on 6.18 against SO_RCVBUF 2048 (`synack-lab
    // compare zero-window+rcvbuf=2048`): ". len=724", "P. len=724", then the window closes.
    let mut h = Harness::new();
    h.s.parent = Some(SocketId(0));
    let syn = h.peer_segment("S seq=0 win=1448");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1 win=1448");
    write(&mut h, 3000);
    recv!(h, [". seq=1 ack=1 len=724", "P. seq=725 ack=1 len=724"]);
    // A larger window lifts the bound. What was written before was queued in skbs sized by
    // `tcp_xmit_size_goal` with the small MSS (1448 here); `tcp_write_xmit` grows the send
    // head from the next skb to what the quota now allows (`tcp_grow_skb`, 6.10): the
    // 1448 bytes and the last 104 leave as one chunk of 1460 + 92, PSH on its end. Measured
    // on 6.18 with the route's initrwnd 1 (`psh-writes+initrwnd=1`): 724-byte skbs, once the
    // window grew, went out two by two as 1448-byte segments.
    send!(h, ". seq=1 ack=1449 win=65535");
    recv!(h, [". seq=1449 ack=1 len=1460", "P. seq=2909 ack=1 len=92"]);
    assert_eq!(h.s.snd_mss, 1460);
    send!(h, ". seq=1 ack=3001 win=65535");
    write(&mut h, 2920);
    recv!(
        h,
        [". seq=3001 ack=1 len=1460", "P. seq=4461 ack=1 len=1460"]
    );
}

// ---------------------------------------------------------------- small receive buffers

/// The handshake is over (passive side) with a receive space of `space` bytes
/// (SO_RCVBUF), so the SYN-ACK offered that window.
fn socket_established_with_space(space: u32) -> Harness {
    let mut h = Harness::new();
    h.s.rcv_cap = space;
    h.s.parent = Some(SocketId(0));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    send!(h, ". seq=1 ack=1");
    recv_nothing!(h);
    h
}

#[test]
fn a_window_of_two_segments_grants_one_quick_ack_and_the_segment_that_closes_it_waits() {
    // `tcp_incr_quickack` counts the window last offered (`tp->rcv_wnd`, 1448 bytes) in
    // pairs of segments: one quick ACK. The second segment leaves one segment unacked
    // (not more than `rcv_mss`) and the window it would offer shrinks, so
    // `__tcp_ack_snd_check` leaves it to the delayed-ACK timer (TCP_ATO_MIN, 40 ms).
    // Measured on 6.18 (zero-window with SO_RCVBUF 2048): ack=725 at once, ack=1449 44 ms
    // later.
    let mut h = socket_established_with_space(1448);
    send!(h, ". seq=1 ack=1 len=724");
    recv!(h, [". seq=1 ack=725 len=0"]);
    send!(h, ". seq=725 ack=1 len=724");
    recv_nothing!(h);
    let at =
        h.s.timer(TimerKind::DelayedAck)
            .expect("the ACK is delayed");
    assert_eq!(
        at - h.now,
        42_000,
        "TCP_ATO_MIN (10 jiffies) after leaving quick-ACK mode, on the wheel"
    );
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::DelayedAck, ctx));
    recv!(h, [". seq=1 ack=1449 len=0"]);
}

/// A listener's child before the SYN, counting receive memory in truesize as on the lab's
/// TUN wire (MTU 1500: a full segment's skb costs 856 bytes beyond its payload), with the
/// profile's MSS clamped to `mss` (TCP_MAXSEG) and, if given, SO_RCVBUF `rcvbuf`.
fn truesize_child(mss: u16, rcvbuf: Option<u32>) -> Harness {
    let mut h = Harness::new();
    h.p.mss = mss;
    h.p.rcv_skb_overhead = 856;
    h.s = h.with(|_, ctx| TcpSocket::new(SocketId(1), LOCAL, ctx));
    let p = h.p.clone();
    h.s.set_route_mtu(1500, &p);
    h.s.parent = Some(SocketId(0));
    if let Some(b) = rcvbuf {
        h.s.rcv_cap = b;
        h.s.rcvbuf_locked = true;
    }
    h
}

/// [`truesize_child`] after a handshake with a peer offering no options.
fn socket_established_truesize(mss: u16) -> Harness {
    let mut h = truesize_child(mss, None);
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    recv!(h, ["S. seq=0 ack=1 len=0"]);
    send!(h, ". seq=1 ack=1");
    h
}

#[test]
fn a_segment_under_tcp_maxseg_costs_the_slab_of_the_links_mtu_and_lowers_the_window_share() {
    // TCP_MAXSEG 1000 on an MTU-1500 link: a 1000-byte segment's 1040-byte packet still
    // takes a 2048-byte slab (2304 with the sk_buff), as a full 1500-byte one does, so the
    // payload share of memory (`tcp_measure_rcv_mss` → scaling_ratio) is 1000/2304, below
    // the default half: the clamp falls to 56832 and with it rcv_ssthresh, and the window
    // offered is what is left of the SYN-ACK's 65000. Measured on 6.18 (sweep point
    // psh-writes+maxseg=1000, with timestamps: 988-byte segments): 63 << 10, where a cost
    // of payload + 856 (ratio 988/1844, growing the window) made the model say 66, 67.
    let mut h = socket_established_truesize(1000);
    send!(h, ". seq=1 ack=1 len=1000");
    assert_eq!(h.s.scaling_ratio, 1000 * 256 / 2304);
    assert_eq!(last_window(&h), 64_000);
    recv!(h, [". seq=1 ack=1001 len=0"]);
}

#[test]
fn without_window_scaling_the_window_kept_is_the_one_chosen_not_the_65535_the_field_holds() {
    // `tcp_select_window` stores the window `__tcp_select_window` chose in `tp->rcv_wnd`
    // and caps only the field. Unread 1448-byte segments (2304 bytes of memory each, a
    // 160/256 share) on a 65536-byte space, no scaling: while rcv_ssthresh grows the field
    // says 65535 but the window kept is the whole choice (66608 after ten segments), so
    // when the free space, (131072 - 11 · 2304) · 160/256 = 66080, falls below it the offer
    // is that space rounded down to the segment size, 65160. Kept at 65535, the window
    // would have stayed (within one segment of the free space). Measured on 6.18
    // (idle-restart with tcp_window_scaling 0): 65535 …, then 65160, 63712, 62264; the
    // model said 65535, 64087, 62639.
    let mut h = socket_established_truesize(1448);
    let mut windows = Vec::new();
    for i in 0..13u32 {
        send!(h, &format!(". seq={} ack=1 len=1448", 1 + i * 1448));
        windows.push(last_window(&h));
        h.tx.clear();
    }
    assert_eq!(&windows[..10], &[65_535; 10]);
    assert_eq!(&windows[10..], &[65_160, 63_712, 62_264]);
}

#[test]
fn close_frees_the_unread_data_before_its_reset_which_offers_the_empty_queues_window() {
    // Linux `__tcp_close` frees the receive queue first ("data_was_unread"), then sends
    // `tcp_send_active_reset` (unread data) or `tcp_disconnect`'s (SO_LINGER 0): the RST's
    // window is `__tcp_select_window` on a buffer with nothing queued. Measured on 6.18
    // (random scenarios: 20,000 or 14,480 bytes unread, abort or close): `R. … win=75`
    // where the window offered before the close was 62-69.
    for abort in [false, true] {
        let mut h = socket_established_truesize(1448);
        let mut window = 0;
        for i in 0..13u32 {
            send!(h, &format!(". seq={} ack=1 len=1448", 1 + i * 1448));
            window = last_window(&h);
            h.tx.clear();
        }
        assert_eq!(window, 62_264, "the window of the full queue");
        h.with(|s, ctx| {
            if abort {
                s.app_abort(ctx)
            } else {
                s.app_close(ctx)
            }
        });
        assert_eq!(last_window(&h), 65_535, "the RST's window (abort: {abort})");
        recv!(h, ["R. seq=1 ack=18825 len=0"]);
        assert_eq!(h.s.state, TcpState::Closed);
    }
}

#[test]
fn a_duplicate_ack_for_out_of_order_data_uses_up_a_quick_ack() {
    // `tcp_data_queue_ofo` schedules the ACK it draws (`inet_csk_schedule_ack`), so
    // `tcp_dec_quickack_mode` counts it. Two quick ACKs left: the duplicate ACK and the
    // ACK of the filled hole use them, and the next in-order segment (one segment
    // unacked) waits for the delayed-ACK timer. Measured on 6.18 (loss-fast-retransmit with
    // TCP_MAXSEG 536): after the hole is filled the first new segment is the last one
    // acknowledged at once.
    let mut h = socket_past_quickack();
    h.s.ack_quick = 2;
    send!(h, ". seq=1461 ack=1 len=1460");
    recv!(h, [". seq=1 ack=1 len=0"]);
    send!(h, ". seq=1 ack=1 len=1460");
    recv!(h, [". seq=1 ack=2921 len=0"]);
    send!(h, ". seq=2921 ack=1 len=1460");
    recv_nothing!(h);
    assert!(
        h.s.timer(TimerKind::DelayedAck).is_some(),
        "the ACK is delayed"
    );
}

#[test]
fn the_first_gap_that_restarts_quick_acks_counts_from_the_handshakes_end_not_from_the_start() {
    // `tcp_event_data_recv` restarts quick-ACK mode for data that comes more than an RTO
    // after the last data (`icsk_ack.lrcvtime`); before any data that is when the child was
    // made (`tcp_create_openreq_child` sets lrcvtime, as `tcp_finish_connect` does for an
    // active open). The ATO is already running but no quick ACK is left, as out-of-order
    // data leaves it (the SACK that spends `tcp_grow_window`'s quick ACK). Handshake over
    // at 100 ms (RTT 100 ms, RTO 304 ms), data at 350 ms: 250 ms since the handshake, no
    // new quick ACKs, so the ACK waits for the timer. Measured on 6.18
    // (psh-half-window+initcwnd=5+drop=client-data-1): the segment after the one that
    // fills the hole left by the first is acknowledged by the delayed ACK, 4 of 4 runs.
    let mut h = socket_syn_received();
    h.wait_ms(100);
    send!(h, ". seq=1 ack=1");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::Established);
    assert_eq!(h.s.rtt.rto, 304_000, "the RTO this test is built on");
    h.s.ack_quick = 0;
    h.s.ato = 40_000;
    h.wait_ms(250);
    send!(h, ". seq=1 ack=1 len=1460");
    recv_nothing!(h);
    assert!(
        h.s.timer(TimerKind::DelayedAck).is_some(),
        "the ACK is delayed"
    );
}

#[test]
fn data_received_again_restarts_quick_acks_so_the_next_segment_is_acknowledged_at_once() {
    // Linux `tcp_send_dupack` (and `tcp_data_queue`'s retransmit case): a segment already
    // received means the peer missed our ACK (LINUX_MIB_DELAYEDACKLOST), so besides the
    // duplicate ACK the receiver enters quick-ACK mode again (`tcp_enter_quickack_mode`):
    // the next new segment is acknowledged at once, not after the delayed-ACK timer.
    // Measured on 6.18 (explore seed 100 #34: a tail loss probe's copy answered with a
    // D-SACK, then the next segment acknowledged 0.1 ms after it arrived).
    let mut h = socket_past_quickack();
    send!(h, ". seq=1 ack=1 len=1460");
    recv_nothing!(h);
    fire(&mut h, TimerKind::DelayedAck);
    recv!(h, [". seq=1 ack=1461 len=0"]);
    // Well within the RTO of the last arrival (a longer silence restarts quick ACKs too,
    // `tcp_event_data_recv`).
    h.wait_ms(10);
    send!(h, ". seq=1 ack=1 len=1460");
    recv!(h, [". seq=1 ack=1461 len=0"]);
    h.wait_ms(10);
    send!(h, ". seq=1461 ack=1 len=1460");
    recv!(h, [". seq=1 ack=2921 len=0"]);
}

#[test]
fn a_copy_of_data_received_since_our_last_ack_still_acknowledges_ours() {
    // Linux `tcp_sequence`: a segment is old only if it ends before rcv_wup, the rcv_nxt of
    // our last ACK, so the peer's tail loss probe (a copy of its last segment) is processed
    // like any other: its ACK field acknowledges our 100 bytes, and only its text is a
    // duplicate. The next small write then leaves at once (Nagle: nothing in flight).
    // Measured on 6.18 (explore seed 1400 #5: a 10-byte write sent at once after such a
    // probe; the model, ignoring its ACK, held it 470 ms).
    let mut h = socket_past_quickack();
    send!(h, ". seq=1 ack=1 len=1460");
    recv_nothing!(h);
    app_send(&mut h, 100, false);
    recv!(h, ["P. seq=1 ack=1461 len=100"]);
    send!(h, ". seq=1 ack=101 len=1460");
    recv!(h, [". seq=101 ack=1461 len=0"]);
    app_send(&mut h, 10, false);
    recv!(h, ["P. seq=101 ack=1461 len=10"]);
}

#[test]
fn data_received_again_ends_ping_pong_mode() {
    // `tcp_enter_quickack_mode` also leaves ping-pong mode (`inet_csk_exit_pingpong_mode`)
    // that TCP_QUICKACK 0 set: the next new segment is acknowledged at once.
    let mut h = socket_past_quickack();
    h.with(|s, ctx| s.set_quickack(false, ctx));
    send!(h, ". seq=1 ack=1 len=1460");
    fire(&mut h, TimerKind::DelayedAck);
    recv!(h, [". seq=1 ack=1461 len=0"]);
    send!(h, ". seq=1 ack=1 len=1460");
    recv!(h, [". seq=1 ack=1461 len=0"]);
    send!(h, ". seq=1461 ack=1 len=1460");
    recv!(h, [". seq=1 ack=2921 len=0"]);
}

/// Past quick-ACK mode, with SACK agreed: the receiver of a loss scene.
fn sack_receiver() -> Harness {
    let mut h = socket_past_quickack();
    // Stands for a handshake that agreed on SACK (the harness's peer offers nothing).
    h.s.sack_ok = true;
    h
}

/// The peer's full segment number `k` (1-based, 1460 bytes), as a `send!` line.
fn nth_segment(k: u32) -> String {
    format!(". seq={} ack=1 len=1460", 1 + (k - 1) * 1460)
}

#[test]
fn after_three_duplicate_acks_the_next_sacks_wait_for_the_compression_timer() {
    // Linux `__tcp_ack_snd_check`: with data held out of order, the first
    // TCP_FASTRETRANS_THRESH duplicate ACKs at one rcv_nxt go at once, the next are held
    // back and sent as one when the hrtimer fires. No RTT measured by the receiver yet: the
    // wait is 0 plus the 100 µs of tcp_comp_sack_slack_ns.
    let mut h = sack_receiver();
    for k in 2..=4 {
        send!(h, &nth_segment(k));
        recv!(h, [". seq=1 ack=1 len=0"]);
    }
    for k in 5..=7 {
        send!(h, &nth_segment(k));
        recv_nothing!(h);
    }
    let at =
        h.s.timer(TimerKind::SackCompress)
            .expect("the compression timer");
    assert_eq!(at, h.now + 100);
    assert_eq!(h.s.timer(TimerKind::DelayedAck), None);
    h.now = at;
    h.with(|s, ctx| s.on_timer(TimerKind::SackCompress, ctx));
    assert_eq!(last_sack(&h), [(1461, 10221)]);
    recv!(h, [". seq=1 ack=1 len=0"]);
}

#[test]
fn in_order_data_a_segment_sent_or_a_third_sack_block_ends_the_compression() {
    let held = || {
        let mut h = sack_receiver();
        for k in 2..=5 {
            send!(h, &nth_segment(k));
        }
        h.tx.clear();
        assert_eq!(h.s.compressed_ack, 1);
        h
    };
    // Part of the hole filled: rcv_nxt moved, so the count of immediate ACKs starts again
    // (`compressed_ack_rcv_nxt`) with this one, which goes at once and the timer with it
    // (`tcp_event_ack_sent`); two more out-of-order segments are answered at once.
    let mut h = held();
    send!(h, ". seq=1 ack=1 len=730");
    recv!(h, [". seq=1 ack=731 len=0"]);
    assert_eq!(h.s.timer(TimerKind::SackCompress), None);
    for k in 6..=7 {
        send!(h, &nth_segment(k));
        recv!(h, [". seq=1 ack=731 len=0"]);
    }
    send!(h, &nth_segment(8));
    recv_nothing!(h);
    // A data segment of ours carries the ACK: nothing is held back any more.
    let mut h = held();
    write(&mut h, 100);
    recv!(h, ["P. seq=1 ack=1 len=100"]);
    assert_eq!(h.s.compressed_ack, 0);
    assert_eq!(h.s.timer(TimerKind::SackCompress), None);
    // `tcp_sack_new_ofo_skb`: a new block behind two others first sends the ACK held back,
    // with the blocks as they stood, then holds back the ACK of the new one.
    let mut h = held();
    send!(h, &nth_segment(7));
    recv_nothing!(h);
    send!(h, &nth_segment(9));
    assert_eq!(last_sack(&h), [(8761, 10221), (1461, 7301)]);
    recv!(h, [". seq=1 ack=1 len=0"]);
    assert_eq!(h.s.compressed_ack, 1, "the new block's ACK is held back");
}

#[test]
fn the_compression_waits_five_percent_of_the_receivers_rtt_at_most_tcp_comp_sack_delay_ns() {
    // `__tcp_ack_snd_check`: min(tcp_comp_sack_delay_ns, rtt / 20), rtt the receiver's
    // estimate (`rcv_rtt_est`) or SRTT when smaller, then the slack.
    let wait = |rcv_rtt_us: u64, srtt_us: Option<u64>, delay_ns: u64| {
        let mut h = sack_receiver();
        h.p.comp_sack_delay_ns = delay_ns;
        h.s.rcv_rtt_us = 8 * rcv_rtt_us;
        // The fixture's SYN-ACK was answered at once (a 1 µs SRTT); none, or this one.
        h.s.rtt = crate::tcp::rtt::RttEstimator::new(&h.p);
        if let Some(srtt) = srtt_us {
            let p = h.p.clone();
            h.s.rtt.sample(srtt, h.s.snd_una, h.s.snd_nxt, &p);
        }
        for k in 2..=5 {
            send!(h, &nth_segment(k));
        }
        h.s.timer(TimerKind::SackCompress).map(|at| at - h.now)
    };
    assert_eq!(wait(10_000, None, 1_000_000), Some(500 + 100));
    assert_eq!(wait(40_000, None, 1_000_000), Some(1_000 + 100));
    assert_eq!(wait(40_000, None, 5_000_000), Some(2_000 + 100));
    assert_eq!(wait(40_000, None, 0), Some(100));
    // SRTT when it is the smaller; a receiver that never measured its RTT waits the slack.
    assert_eq!(wait(40_000, Some(4_000), 5_000_000), Some(200 + 100));
    assert_eq!(wait(0, Some(4_000), 5_000_000), Some(100));
}

#[test]
fn without_sack_or_with_tcp_comp_sack_nr_0_every_out_of_order_segment_is_acknowledged_at_once() {
    for (sack, nr) in [(false, 44), (true, 0)] {
        let mut h = sack_receiver();
        h.s.sack_ok = sack;
        h.p.comp_sack_nr = nr;
        for k in 2..=8 {
            send!(h, &nth_segment(k));
            recv!(h, [". seq=1 ack=1 len=0"]);
        }
        assert_eq!(h.s.timer(TimerKind::SackCompress), None);
    }
    // The cap: with tcp_comp_sack_nr 2 the third ACK held back goes at once.
    let mut h = sack_receiver();
    h.p.comp_sack_nr = 2;
    for k in 2..=6 {
        send!(h, &nth_segment(k));
    }
    h.tx.clear();
    send!(h, &nth_segment(7));
    recv!(h, [". seq=1 ack=1 len=0"]);
}

#[test]
fn the_receivers_rtt_comes_from_full_segments_echoing_a_new_timestamp_in_whole_milliseconds() {
    // `tcp_rcv_rtt_measure_ts`: a segment of at least rcv_mss echoing our timestamp of
    // 12 ms ago is a 12 ms sample (first: taken as it is); the same echo again is not
    // looked at, and a 0 ms echo is no sample (6.16+). A smaller sample is taken at once,
    // a larger one smoothed in by an eighth.
    let mut h = sack_receiver();
    let ts_then = h.s.ts_val(h.now);
    h.wait_ms(12);
    h.with(|s, ctx| s.rcv_rtt_measure_ts(ts_then, 1460, ctx.now));
    assert_eq!(h.s.rcv_rtt_us, 8 * 12_000);
    h.wait_ms(20);
    h.with(|s, ctx| s.rcv_rtt_measure_ts(ts_then, 1460, ctx.now));
    assert_eq!(h.s.rcv_rtt_us, 8 * 12_000, "an echo already looked at");
    let now_ts = h.s.ts_val(h.now);
    h.with(|s, ctx| s.rcv_rtt_measure_ts(now_ts, 1460, ctx.now));
    assert_eq!(h.s.rcv_rtt_us, 8 * 12_000, "0 ms is no sample");
    h.wait_ms(4);
    h.with(|s, ctx| s.rcv_rtt_measure_ts(now_ts.wrapping_sub(16), 1460, ctx.now));
    assert_eq!(h.s.rcv_rtt_us, 8 * 12_000 - 12_000 + 20_000);
    h.with(|s, ctx| s.rcv_rtt_measure_ts(now_ts, 100, ctx.now));
    assert_eq!(
        h.s.rcv_rtt_us,
        8 * 12_000 - 12_000 + 20_000,
        "a small segment"
    );
}

#[test]
fn the_first_guess_at_the_peers_segment_size_leaves_out_the_timestamp_option() {
    // `tcp_initialize_rcv_mss` at the end of the handshake: min(advmss, mss_cache,
    // rcv_wnd / 2, 536). With TCP_MAXSEG 536 and timestamps, advmss is 524, the size the
    // peer's segments have: the window is rounded to 524-byte steps (no scaling).
    // Measured on 6.18 (zero-window with TCP_MAXSEG 536: SO_RCVBUF 8192, SYN-ACK 7860):
    // 7336 after the first segment; a guess of 536 rounded the free space, 7552, to 7504.
    let mut h = truesize_child(536, Some(8192));
    // A peer that offers timestamps (the harness's one-line notation has no options).
    let mut syn = h.peer_segment("S seq=0");
    if let Header::Tcp(t) = &mut syn.header {
        t.options.timestamps = Some((1, 0));
    }
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    assert_eq!(last_window(&h), 7860, "8192 in steps of 524");
    h.tx.clear();
    send!(h, ". seq=1 ack=1");
    assert_eq!(h.s.rcv_mss, 524);
    send!(h, ". seq=1 ack=1 len=524");
    assert_eq!(last_window(&h), 7336);
}

// ---------------------------------------------------------------- SO_SNDBUF

#[test]
fn so_sndbuf_bounds_the_memory_checked_before_each_new_skb_not_the_bytes_of_a_write() {
    // SO_SNDBUF 4096: `sk_sndbuf` is 8192, checked only before a write starts an skb, and
    // an skb takes up to half the peer's largest window (32120 bytes against 65535). So a
    // 14480-byte send() goes in whole. Measured on 6.18 (loss-fast-retransmit with
    // SO_SNDBUF 4096): all ten segments in flight at once; the model used to stop at 4096.
    let mut h = socket_established_40ms(65_535);
    h.s.send_cap = 4096;
    h.s.sndbuf_locked = true;
    assert_eq!(h.s.send_room(14_480, &h.p), 14_480);
    // A larger write fills one skb, and `tcp_push_one` sends an initial window from it in
    // two-segment chunks, each cut off into an skb of its own (`tso_fragment`); the tail
    // left is topped up to 32120 again without a check. Only the next new skb finds the
    // memory (five sent skbs and the tail, 46720 bytes and six heads) over 8192.
    assert_eq!(write(&mut h, 60_000), 32_120 + 14_600);
    assert_eq!(h.sent().len(), 10, "an initial window of segments leaves");
    assert_eq!(h.s.send_skbs_mem(), 46_720 + 6 * SND_SKB_HEAD);
    assert_eq!(h.s.send_room(13_280, &h.p), 0);
    // The peer acknowledges the first ten; twenty of the 22 unsent leave.
    send!(h, ". seq=1 ack=14601 win=65535");
    assert_eq!(h.sent().len(), 20);
    // All but four segments acknowledged: two 2-segment skbs, 7504 bytes, are under 8192,
    // but a sleeping writer wakes only once the free part (688) is half the queued part
    // (`sk_stream_write_space`); with one skb left (3752) it is.
    for ack in (17_521..=40_881).step_by(2920) {
        send!(h, &format!(". seq=1 ack={ack} win=65535"));
    }
    assert_eq!(h.s.send_skbs_mem(), 7504);
    assert_eq!(h.s.send_room(13_280, &h.p), 0);
    send!(h, ". seq=1 ack=43801 win=65535");
    assert_eq!(h.s.send_room(13_280, &h.p), 13_280);
}

#[test]
fn a_write_the_grown_send_buffer_cannot_hold_stops_at_the_first_skb_its_memory_refuses() {
    // No SO_SNDBUF: the handshake grew the buffer to 46080 (`tcp_sndbuf_expand`: 2 × 10 ×
    // 2304). A send(200000) fills a 22-segment skb (half the 65535 window), `tcp_push_one`
    // sends ten segments from it as it goes (the tail topped up each time), and the next
    // new skb finds 51712 bytes of memory queued, over 46080: the call sleeps with 46720
    // bytes taken. Sizing the whole call from the memory before it wrote took two whole
    // skbs, 64240. Measured on 6.18 (send(200000) at 20 ms one way, MSS 1448, sk_wmem_queued
    // from sock_diag): 46336 bytes queued in 51328 of memory, 32 segments, before it slept.
    let mut h = socket_established_40ms(65_535);
    h.with(|s, ctx| s.init_buffer_space(ctx.now, ctx.p));
    assert_eq!(h.s.send_cap, 46_080);
    assert_eq!(h.s.send_room(200_000, &h.p), 200_000);
    assert_eq!(write(&mut h, 200_000), 46_720);
    assert_eq!(h.sent().len(), 10);
    assert_eq!(h.s.send_skbs_mem(), 46_720 + 6 * SND_SKB_HEAD);
    assert_eq!(
        h.s.send_room(200_000 - 46_720, &h.p),
        0,
        "the writer sleeps"
    );
}

#[test]
fn a_send_woken_from_memory_wait_keeps_the_psh_its_sleep_marked_on_the_tail_it_refills() {
    // `tcp_sendmsg_locked` clears PSH on the skb of its first copy only (`if (!copied)`),
    // and `copied` counts the whole call: the push before it sleeps at `wait_for_space`
    // marks the tail skb, an ACK sends part of that skb (the rest is cut off with the
    // flag, `tso_fragment`), and the woken call tops the rest up with the flag kept. On
    // the wire it shows where that skb's last segment leaves alone (`tcp_grow_skb` takes
    // the flag along when the skb grows into the next one); no explorer run showed it yet.
    let mut h = socket_established_40ms(65_535);
    h.with(|s, ctx| s.init_buffer_space(ctx.now, ctx.p));
    assert_eq!(write(&mut h, 200_000), 46_720);
    let tail = h.s.skbs.at(46_719).expect("the unsent tail skb");
    assert!(tail.psh && tail.is_tail, "{tail:?}");
    send!(h, ". seq=1 ack=2921 win=65535");
    let nxt = h.s.soff(h.s.snd_nxt);
    assert!(nxt > 14_600, "the ACK sent part of the tail skb");
    let rest = h.s.skbs.at(nxt).expect("the tail's unsent rest");
    assert!(rest.psh && rest.end == 46_720, "{rest:?}");
    // Everything sent is acknowledged, the window closed: the memory is free and the rest
    // stays unsent. The same call goes on: the rest is topped up to the skb size and
    // skbs follow it; the one it topped up keeps PSH, though the call's last push marks
    // only the last skb.
    send!(h, &format!(". seq=1 ack={} win=0", nxt + 1));
    assert_eq!(h.s.soff(h.s.snd_nxt), nxt, "nothing more leaves");
    write(&mut h, 200_000 - 46_720);
    let topped = h.s.skbs.at(nxt).expect("the topped-up skb");
    assert!(topped.end > 46_720 && !topped.is_tail, "{topped:?}");
    assert!(topped.psh, "the woken call took the PSH off: {topped:?}");
}

#[test]
fn a_writes_own_push_sends_the_partial_segment_at_the_window_edge_that_the_cork_would_hold() {
    // `tcp_sendmsg_locked` pushes what it writes with TCP_NAGLE_PUSH, not the socket's
    // setting (`tcp_push_one`, the forced push, and the push before it sleeps at
    // `wait_for_space`), and `tcp_mss_split_point` then holds no partial segment: a chunk
    // the peer's window cuts takes the piece up to the edge even under TCP_CORK. Window
    // 9500: skbs of 4380 (half of it in whole segments), chunks of two segments; the one
    // `tcp_push_one` sends from 7300 meets the edge and leaves as 1460 + 740, where the
    // cork's own rule sends the 1460 alone. Measured on 6.18 (TCP_CORK, SO_SNDBUF 4096,
    // send(100000), 5 ms one way, the peer not reading): the writer woken by an ACK sent up
    // to the window's edge, 1088 bytes after 24 whole segments, 3 of 3; holding it, as the
    // socket's cork does when an ACK pushes, left the edge unfilled until the loss probe.
    let mut h = socket_established_40ms(9_500);
    h.s.cork = true;
    assert_eq!(write(&mut h, 20_000), 20_000);
    let sent = h.sent();
    assert_eq!(
        sent[sent.len() - 2..],
        [". seq=7301 ack=1 len=1460", "P. seq=8761 ack=1 len=740"],
        "{sent:?}"
    );
}

// ---------------------------------------------------------------- receive queue coalescing

#[test]
fn a_segment_that_fits_the_tail_skbs_room_is_copied_into_it_and_costs_no_memory() {
    // `tcp_queue_rcv` → `tcp_try_coalesce`: TCP_MAXSEG 1000, SO_RCVBUF 8192, the peer
    // writes 1000 + 460 bytes three times and nobody reads. A 1000-byte segment's skb (a
    // 2048-byte slab) keeps 624 bytes of room behind its packet, so each 460 joins it:
    // three pairs hold 3 × 2304 bytes, not 3 × (2304 + 1280). The window, the free
    // memory's 1000/2304 share ((16384 − 6912) · 111/256 = 4107) in 1000-byte steps, is
    // 4000 where separate skbs left only what remained of the last offer (3620). Measured
    // on 6.18 (zero-window with TCP_MAXSEG 1000, timestamps: 988 + 460): 3952, 2964, 1976.
    let mut h = truesize_child(1000, Some(8192));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    send!(h, ". seq=1 ack=1");
    let mut windows = Vec::new();
    for i in 0..3u32 {
        h.wait_ms(100);
        send!(h, &format!(". seq={} ack=1 len=1000", 1 + i * 1460));
        send!(h, &format!("P. seq={} ack=1 len=460", 1001 + i * 1460));
        if let Some(at) = h.s.timer(TimerKind::DelayedAck) {
            h.now = at;
            h.with(|s, ctx| s.on_timer(TimerKind::DelayedAck, ctx));
        }
        windows.push(last_window(&h));
    }
    assert_eq!(h.s.rmem(), 3 * 2304);
    // The first two are what is left of the SYN-ACK's 8000 (the free space is below it).
    assert_eq!(windows, [6540, 5080, 4000]);
}

/// [`truesize_child`] with TCP_MAXSEG 536 and SO_RCVBUF 8192 (a 16384-byte `sk_rcvbuf`)
/// after a handshake with a peer offering no options, then `n` unread 400-byte segments in
/// order, the k-th with the window field `win(k)`. Each costs a 1280-byte skb (a 504-byte
/// packet in a 1024-byte slab, whose 200 bytes of room are too few for the next one to be
/// copied in) and earns only 400 bytes of the 640 of window its memory is worth at the
/// default ratio: "bloated", to `tcp_collapse`.
fn small_unread_segments(n: u32, win: impl Fn(u32) -> u16) -> Harness {
    let mut h = truesize_child(536, Some(8192));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    send!(h, ". seq=1 ack=1");
    for k in 0..n {
        send!(
            h,
            &format!(". seq={} ack=1 len=400 win={}", 1 + 400 * k, win(k))
        );
    }
    h.tx.clear();
    h
}

#[test]
fn predicted_segments_fill_forward_allocated_memory_past_the_buffer_until_one_needs_a_page() {
    // `tcp_rcv_established`'s fast path queues a predicted segment whose skb fits in
    // `sk_forward_alloc` without looking at the buffer; only one that needs a new page goes
    // through `tcp_data_queue` → `tcp_try_rmem_schedule`. Pages come three skbs at a time
    // (3 × 1280 of 4096): the 13th segment takes a page at 15360 bytes (under 16384, no
    // prune), and the 14th to 16th take what it left, to 20480. The 17th needs a page, finds
    // the queue over the buffer and collapses it: 6400 bytes into heads of 3776 and 2624
    // bytes (4096 each, 4352 with the sk_buff), and the 17th's 400 bytes fit behind the
    // second (`tcp_try_coalesce`). Measured on 6.18 through sock_diag
    // (zero-window with TCP_MAXSEG 536: 524-byte segments in 1280-byte skbs): rmem 15360
    // and forward 1024, then 19200 and 1280 with no prune, then 10368 after the collapse.
    let mut h = small_unread_segments(16, |_| 65_535);
    assert_eq!(
        h.s.rmem(),
        16 * 1280,
        "over the 16384-byte buffer, never checked"
    );
    assert_eq!(h.s.fwd_alloc, 0);
    send!(h, ". seq=6401 ack=1 len=400");
    assert_eq!(h.s.rmem(), 2 * 4352);
    // 5 pages were charged: 20480 freed, 8704 taken, and whole pages returned.
    assert_eq!(h.s.fwd_alloc, (5 * 4096 - 2 * 4352) % 4096);
    assert_eq!(h.s.rcvbuf.len(), 6800, "every byte kept");
    // `tcp_clamp_window`: rcv_ssthresh down to two segments, then up by two for the
    // segment queued after it (`tcp_event_data_recv` → `__tcp_grow_window`: two of the
    // peer's segment size as seen, 400 since two 400-byte segments without PSH came in a
    // row, `tcp_measure_rcv_mss`).
    assert_eq!(h.s.rcv_mss, 400);
    assert_eq!(h.s.rcv_ssthresh, 2 * 536 + 2 * 400);
}

#[test]
fn unpredicted_segments_collapse_the_queue_as_soon_as_it_is_over_the_buffer() {
    // The same segments, but each carries a window field other than the one predicted
    // (`pred_flags` holds the peer's window): every one takes the slow path, so the 14th
    // finds 16640 bytes over the 16384-byte buffer and the queue is collapsed then, not at
    // the 17th; memory never goes past the buffer by more than one skb.
    let h = small_unread_segments(14, |k| 65_535 - (k % 2) as u16);
    // 13 × 400 bytes in heads of 3776 and 1424 bytes (4352 + 2304), the 14th in its own
    // skb (the 2048-byte head has 304 bytes of room left).
    assert_eq!(h.s.rmem(), 4352 + 2304 + 1280);
    assert_eq!(h.s.rcvbuf.len(), 5600);
    let h = small_unread_segments(13, |k| 65_535 - (k % 2) as u16);
    assert_eq!(
        h.s.rmem(),
        13 * 1280,
        "not collapsed while within the buffer"
    );
}

#[test]
fn a_buffer_so_rcvbuf_did_not_set_grows_instead_of_collapsing() {
    // `tcp_clamp_window`: without SOCK_RCVBUF_LOCK, `sk_rcvbuf` grows to the memory in use
    // (up to tcp_rmem[2]), so the queue fits again and nothing is copied.
    let mut h = small_unread_segments(16, |_| 65_535);
    h.s.rcvbuf_locked = false;
    send!(h, ". seq=6401 ack=1 len=400");
    assert_eq!(h.s.rmem(), 17 * 1280);
    assert_eq!(h.s.rcvbuf_bytes(), 16 * 1280);
}

/// A child socket with SO_RCVBUF 8192 (16384 of memory), TCP_MAXSEG 536, established, SACK on.
fn ofo_child() -> Harness {
    let mut h = truesize_child(536, Some(8192));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    send!(h, ". seq=1 ack=1");
    // Stands for a handshake that agreed on SACK (the harness's peer offers nothing).
    h.s.sack_ok = true;
    h
}

#[test]
fn contiguous_out_of_order_data_over_the_buffer_is_collapsed_not_dropped() {
    // `tcp_prune_queue` → `tcp_collapse_ofo_queue`: thirteen contiguous 400-byte segments
    // behind a hole (13 × 1280 = 16640, over the 16384-byte buffer) are one range of
    // bloated skbs when the fourteenth comes: copied into 3776 + 1424 bytes (4352 + 2304),
    // so nothing is dropped and the fourteenth is queued after them. Measured on 6.18
    // (`receive-memory-ofo-collapse`, 100-byte segments). The model used to drop the two
    // highest skbs instead (`tcp_prune_ofo_queue`).
    let mut h = ofo_child();
    for k in 1..=14u32 {
        send!(h, &format!(". seq={} ack=1 len=400", 1 + 400 * k));
    }
    let starts: Vec<u64> = h.s.ooo.keys().copied().collect();
    assert_eq!(starts, [400, 400 + 3776, 400 * 14]);
    assert_eq!(h.s.ooo_bytes, 14 * 400);
    assert_eq!(h.s.rmem(), 4352 + 2304 + 1280);
    assert_eq!(last_sack(&h), [(401, 6001)]);
    // The negative: thirteen fit, nothing is collapsed.
    let mut h = ofo_child();
    for k in 1..=13u32 {
        send!(h, &format!(". seq={} ack=1 len=400", 1 + 400 * k));
    }
    assert_eq!(h.s.ooo.len(), 13);
}

#[test]
fn the_out_of_order_skb_carrying_the_fin_is_not_collapsed() {
    // `tcp_collapse` stops at an skb with TCPHDR_FIN. Thirteen 400-byte skbs (16640 bytes,
    // the last with the FIN) are over the buffer when a copy of the first comes (the
    // memory is made room for before the copy is found a duplicate): the twelve before
    // the FIN's (4800 bytes: 3776 + 1024) are copied, the FIN's stays as it came.
    let run = |fin: bool| {
        let mut h = ofo_child();
        for k in 1..=12u32 {
            send!(h, &format!(". seq={} ack=1 len=400", 1 + 400 * k));
        }
        let last = if fin { "F." } else { "." };
        send!(h, &format!("{last} seq=5201 ack=1 len=400"));
        send!(h, ". seq=401 ack=1 len=400");
        h.s.ooo.keys().copied().collect::<Vec<u64>>()
    };
    assert_eq!(run(true), [400, 400 + 3776, 5200]);
    // The negative: without the FIN all thirteen are copied (5200 bytes: 3776 + 1424).
    assert_eq!(run(false), [400, 400 + 3776]);
}

#[test]
fn out_of_order_data_over_the_buffer_is_pruned_from_the_top_only_below_the_arriving_segment() {
    // Gapped 200-byte segments (1280 bytes of memory each) are one-skb ("tiny") ranges that `tcp_collapse_ofo_queue`
    // leaves alone. The 14th, above all thirteen held (16640 bytes), would land last:
    // `tcp_prune_ofo_queue` stops at once and the segment is dropped unanswered. The
    // missing first bytes then prune the two highest skbs (2560, an eighth of the buffer
    // at least) and every SACK block (`tcp_sack_reset`). Measured on 6.18
    // (`receive-memory-ofo-prune`, 100-byte segments).
    let mut h = ofo_child();
    for k in 1..=13u32 {
        send!(h, &format!(". seq={} ack=1 len=200", 1 + 300 * k));
    }
    h.sent();
    send!(h, ". seq=4201 ack=1 len=200");
    assert!(h.sent().is_empty(), "dropped without an ACK");
    assert_eq!(h.s.ooo.len(), 13);
    assert_eq!(h.s.ooo.last_key_value().map(|(k, _)| *k), Some(300 * 13));
    send!(h, ". seq=1 ack=1 len=200");
    let starts: Vec<u64> = h.s.ooo.keys().copied().collect();
    assert_eq!(starts, (1..=11).map(|k| 300 * k).collect::<Vec<u64>>());
    assert!(
        last_sack(&h).is_empty(),
        "the SACK blocks went with the pruned skbs"
    );
    assert_eq!(h.s.rcvbuf.len(), 200);
}

#[test]
fn a_longer_or_overlapping_out_of_order_copy_replaces_what_it_covers_with_a_dsack() {
    // `tcp_data_queue_ofo`: the same start but longer replaces the held skb, which is
    // the D-SACK (`tcp_dsack_extend`); a start inside a held skb reports the shared part
    // (`tcp_dsack_set`); a segment covering held skbs removes them, each added to the
    // D-SACK (`merge_right`). Measured on 6.18 (`receive-memory-ofo-prune`): 701-851 over
    // 701-801 draws D-SACK 701-801, then SACK 701-851. Every ACK at once
    // (tcp_comp_sack_nr 0), to read each segment's blocks.
    let mut h = ofo_child();
    h.p.comp_sack_nr = 0;
    send!(h, ". seq=1001 ack=1 len=100");
    send!(h, ". seq=1001 ack=1 len=150");
    assert_eq!(last_sack(&h), [(1001, 1101), (1001, 1151)]);
    assert_eq!(h.s.ooo.len(), 1);
    assert_eq!(h.s.ooo_bytes, 150);
    send!(h, ". seq=1101 ack=1 len=200");
    assert_eq!(last_sack(&h), [(1101, 1151), (1001, 1301)]);
    assert_eq!(h.s.ooo_bytes, 300);
    send!(h, ". seq=901 ack=1 len=500");
    assert_eq!(last_sack(&h), [(1001, 1301), (901, 1401)]);
    assert_eq!(h.s.ooo.len(), 1);
    assert_eq!(h.s.ooo_bytes, 500);
    assert_eq!(h.s.rmem(), 1280);
}

#[test]
fn out_of_order_data_grows_a_buffer_so_rcvbuf_did_not_set() {
    // Linux 6.16+ `tcp_data_queue_ofo` → `tcp_rcvbuf_grow`: the buffer grows to twice
    // `rcvq_space` (10 × 1460 at the start) plus the out-of-order extent, at the measured
    // payload share (1460 in 2304: 162/256), and the window clamp follows. Measured on
    // 6.18 (`receive-memory-ofo-rcvbuf-grow`): the ACK that fills the hole offers 28 << 10
    // where the 131072-byte buffer left 16 << 10.
    let run = |in_app: bool, moderate_rcvbuf: bool| {
        let mut h = truesize_child(1460, None);
        h.s.in_app = in_app;
        h.p.moderate_rcvbuf = moderate_rcvbuf;
        let syn = h.peer_segment("S seq=0");
        h.with(|s, ctx| s.accept_syn(&syn, ctx));
        send!(h, ". seq=1 ack=1");
        h.s.sack_ok = true;
        for k in 1..=40u32 {
            send!(h, &format!(". seq={} ack=1 len=1460", 1 + 1460 * k));
        }
        let rcvbuf = h.s.rcvbuf_bytes();
        send!(h, ". seq=1 ack=1 len=1460");
        (rcvbuf, last_window(&h))
    };
    let (rcvbuf, grown) = run(true, true);
    // The extent runs from rcv_nxt (0: the first segment is the hole) to the 41st one's end.
    assert_eq!(rcvbuf, (2 * 14_600 + 41 * 1460) * 256 / 162);
    // The negative: a child nobody has accepted yet keeps its buffer.
    let (rcvbuf, window) = run(false, true);
    assert_eq!(rcvbuf, 131_072);
    assert!(grown > window, "{grown} vs {window}");
    // Nor with tcp_moderate_rcvbuf 0 (`ofo-no-rcvbuf-growth-moderate-0`: 16 << 10 on 6.18).
    assert_eq!(run(true, false), (131_072, window));
}

/// A passive connection on the lab's wire (MTU 1500, timestamps: 1448-byte segments, our
/// window scale 10) whose application holds it, after a handshake at time 0; `tune` sets
/// the profile or the socket first.
fn autotune_child(tune: impl FnOnce(&mut Harness)) -> Harness {
    let mut h = truesize_child(1460, None);
    tune(&mut h);
    h.s.in_app = true;
    let mut syn = h.peer_segment("S seq=0");
    if let Header::Tcp(t) = &mut syn.header {
        t.options.timestamps = Some((1, 0));
        t.options.window_scale = Some(7);
    }
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    let ecr = h.s.ts_val(0);
    send_with_ecr(&mut h, ". seq=1 ack=1", ecr);
    h
}

/// At `at_ms`, `n` full segments from the peer from stream byte `from`, each echoing the
/// timestamp we sent at time 0, each read at once by a reader that asks for 1 MiB.
fn segments_read_as_they_come(h: &mut Harness, at_ms: u64, from: u32, n: u32) -> u32 {
    h.now = at_ms * 1000;
    let ecr = h.s.ts_val(0);
    for k in 0..n {
        let line = format!(". seq={} ack=1 len=1448", 1 + from + 1448 * k);
        send_with_ecr(h, &line, ecr);
        h.with(|s, ctx| s.app_recv(1 << 20, ctx));
    }
    from + 1448 * n
}

#[test]
fn reads_grow_the_receive_buffer_once_per_rtt_to_twice_what_was_read_and_its_growth() {
    // Linux 6.18 `tcp_rcv_space_adjust` (from recv()) → `tcp_rcvbuf_grow`: once the receiver
    // has an RTT (here 40 ms, from the first segment's echoed timestamp) and that long has
    // passed since the last measurement, the bytes read since it (28960) are the new
    // `rcvq_space`; over the old one (10 × 1448) they grow the buffer to hold 2 × 28960
    // plus twice that times their growth (100 %): 173760 bytes of window, at 160/256 of
    // the memory 278016 bytes, where tcp_rmem[1] gave 131072. The window clamp follows, so
    // the window offered passes the 80 << 10 that 131072 bytes allow.
    let run = |tune: fn(&mut Harness), read: bool| {
        let mut h = autotune_child(tune);
        if !read {
            let mut to = 0;
            for (at, n) in [(40, 20), (80, 25)] {
                h.now = at * 1000;
                let ecr = h.s.ts_val(0);
                for k in 0..n {
                    send_with_ecr(
                        &mut h,
                        &format!(". seq={} ack=1 len=1448", 1 + to + 1448 * k),
                        ecr,
                    );
                }
                to += 1448 * n;
            }
            return (h.s.rcvbuf_bytes(), h.s.rcvq_space, last_window(&h));
        }
        // 40 ms: the RTT is measured; the first read starts a measurement (1448 bytes read).
        let to = segments_read_as_they_come(&mut h, 40, 0, 20);
        assert_eq!(h.s.rcv_rtt_us, 8 * 40_000);
        assert_eq!(h.s.rcvq_space, 14_480);
        // 80 ms: the first read measures 19 + 1 segments.
        segments_read_as_they_come(&mut h, 80, to, 40);
        (h.s.rcvbuf_bytes(), h.s.rcvq_space, last_window(&h))
    };
    let (rcvbuf, space, window) = run(|_| {}, true);
    assert_eq!(space, 28_960);
    assert_eq!(rcvbuf, 278_016);
    assert!(window > 80, "window {window} << 10");
    // tcp_moderate_rcvbuf 0: the measurement still moves, the buffer does not.
    let (rcvbuf, space, window) = run(|h| h.p.moderate_rcvbuf = false, true);
    assert_eq!((rcvbuf, space), (131_072, 28_960));
    assert!(window <= 80, "window {window} << 10");
    // SO_RCVBUF set: the same.
    let (rcvbuf, space, _) = run(
        |h| {
            h.s.rcv_cap = 65_536;
            h.s.rcvbuf_locked = true;
        },
        true,
    );
    assert_eq!((rcvbuf, space), (131_072, 28_960));
    // tcp_rmem[2] 200000: the growth stops there.
    let (rcvbuf, _, _) = run(|h| h.p.rcvbuf_max = 200_000, true);
    assert_eq!(rcvbuf, 200_000);
    // Nobody reads: nothing is measured.
    let (rcvbuf, space, _) = run(|_| {}, false);
    assert_eq!((rcvbuf, space), (131_072, 14_480));
}

#[test]
fn the_receivers_rtt_takes_a_smaller_sample_at_once_and_a_larger_one_only_with_the_queue_read() {
    // Linux 6.18 `tcp_rcv_rtt_update`: 8 × 40 ms from the first echo; a 30 ms sample
    // replaces it; a 50 ms one while data waits unread is ignored ("tcp: skip big rtt sample
    // if receive queue is not empty"), one after the reader took everything is averaged in
    // (7/8 of 240000 + 50000). A second segment echoing the same timestamp gives nothing.
    let mut h = autotune_child(|_| {});
    let seg = |h: &mut Harness, at_ms: u64, sent_ms: u64, seq: u32| {
        h.now = at_ms * 1000;
        let ecr = h.s.ts_val(sent_ms * 1000);
        send_with_ecr(h, &format!(". seq={seq} ack=1 len=1448"), ecr);
    };
    seg(&mut h, 40, 0, 1);
    assert_eq!(h.s.rcv_rtt_us, 320_000);
    seg(&mut h, 45, 15, 1449);
    assert_eq!(h.s.rcv_rtt_us, 240_000);
    seg(&mut h, 100, 50, 2897);
    assert_eq!(h.s.rcv_rtt_us, 240_000, "three segments wait unread");
    h.with(|s, ctx| s.app_recv(1 << 20, ctx));
    seg(&mut h, 150, 100, 4345);
    assert_eq!(h.s.rcv_rtt_us, 240_000 - 30_000 + 50_000);
    seg(&mut h, 200, 100, 5793);
    assert_eq!(h.s.rcv_rtt_us, 260_000, "the same echo again");
}

#[test]
fn without_timestamps_the_receiver_times_a_window_of_data_as_its_rtt() {
    // Linux `tcp_rcv_rtt_measure` (from `tcp_event_data_recv`): the first in-order data
    // starts a measurement that ends once rcv_nxt has passed the window then offered; the
    // time it took is a sample, kept only if smaller than the estimate.
    let mut h = truesize_child(1460, None);
    h.s.in_app = true;
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    send!(h, ". seq=1 ack=1");
    let wnd = h.s.rcv_wnd;
    send!(h, ". seq=1 ack=1 len=1460");
    let mut seq = 1461;
    h.now = 60_000;
    while seq <= wnd + 1460 {
        send!(h, &format!(". seq={seq} ack=1 len=1460"));
        h.with(|s, ctx| s.app_recv(1 << 20, ctx));
        seq += 1460;
    }
    assert_eq!(h.s.rcv_rtt_us, 8 * 60_000);
}

#[test]
fn a_bare_fin_that_continues_the_out_of_order_data_grows_the_window_by_two_mss() {
    // Linux `tcp_data_queue_ofo`: a FIN right after the last out-of-order skb is coalesced
    // into it, and `tcp_grow_window(sk, skb, true)` finds its truesize, less its head, to be
    // 0 (`truesize_adjust`), which "will fit": rcv_ssthresh grows by two advertised MSS, as
    // for a full segment. A FIN after a gap is queued alone and grows nothing. Measured on
    // 6.18 (explore seed 4260 #39, 50 ms, the first of two segments lost, then the FIN):
    // the client's next segment offers 72 << 10 where the one before the FIN offered 69.
    let run = |fin_seq: u32| {
        let mut h = truesize_child(1460, None);
        let syn = h.peer_segment("S seq=0");
        h.with(|s, ctx| s.accept_syn(&syn, ctx));
        send!(h, ". seq=1 ack=1");
        // Stands for a handshake that agreed on SACK (the harness's peer offers nothing).
        h.s.sack_ok = true;
        send!(h, ". seq=1461 ack=1 len=1460");
        let before = h.s.rcv_ssthresh;
        send!(h, &format!("F. seq={fin_seq} ack=1"));
        h.s.rcv_ssthresh - before
    };
    assert_eq!(run(2921), 2 * 1460, "the FIN continues the data held");
    assert_eq!(run(2921 + 1460), 0, "a FIN after a second gap");
}

#[test]
fn out_of_order_segments_measure_the_truesize_ratio_and_grow_the_window_before_they_are_charged() {
    // Linux 6.17+ `tcp_data_queue_ofo` → `tcp_measure_rcv_mss`: the first full segment after
    // a hole sets the payload/truesize ratio (1460 in 2304: 162/256), so the window its SACK
    // offers is already the measured one; `tcp_grow_window` then sees the room without that
    // segment's skb (`skb_set_owner_r` comes after it) and grows rcv_ssthresh by two MSS.
    // Measured on 6.18 (`ofo-window-growth`: SO_RCVBUF 8192, the first of five full segments
    // lost): the SACKs offer 8688, and once the reader has everything the window is 10136,
    // where the model said 7240 and 7240.
    let run = |ofo_measures: bool| {
        let mut h = truesize_child(1460, Some(8192));
        let syn = h.peer_segment("S seq=0");
        h.with(|s, ctx| s.accept_syn(&syn, ctx));
        send!(h, ". seq=1 ack=1");
        // Stands for a handshake that agreed on SACK (the harness's peer offers nothing).
        h.s.sack_ok = true;
        if !ofo_measures {
            // What the model did before: the ratio waits for in-order data.
            h.p.quickack_max = 0;
        }
        send!(h, ". seq=1461 ack=1 len=1460");
        let ratio = h.s.scaling_ratio;
        h.p.quickack_max = crate::profile::Profile::linux().quickack_max;
        for k in 2..5u32 {
            send!(h, &format!(". seq={} ack=1 len=1460", 1 + 1460 * k));
        }
        send!(h, ". seq=1 ack=1 len=1460");
        h.with(|s, ctx| s.app_recv(100_000, ctx));
        h.with(|s, ctx| s.send_ack(ctx));
        (ratio, last_window(&h))
    };
    let (ratio, window) = run(true);
    assert_eq!(ratio, 1460 * 256 / 2304);
    // The full space at 162/256 is 10368; rcv_ssthresh 7300 + 2920, seven whole segments.
    assert_eq!(window, 10_220);
    // The negative: measured only once the hole is filled, the ratio is the default half
    // on the first SACK and the window grows no further than the room left with the skbs.
    let (ratio, window) = run(false);
    assert_eq!(ratio, 128);
    assert!(window < 10_220, "window {window}");
}

#[test]
fn a_segment_continuing_an_out_of_order_skb_is_copied_into_its_tailroom_and_moves_with_it() {
    // `tcp_ooo_try_coalesce`: 250-byte segments (no timestamps) take a 1024-byte slab with
    // 350 bytes of tailroom, so each second one is copied into the first's head and costs
    // nothing. When the hole is filled, `tcp_ofo_queue` moves each 500-byte skb whole: it
    // does not fit the 350 bytes left behind the filling segment. Measured on 6.18
    // (TCP_MAXSEG 262, nine 250-byte segments behind a hole): rmem_alloc 6400 (five skbs),
    // then 7680 with the hole filled.
    let mut h = truesize_child(1460, Some(8192));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    send!(h, ". seq=1 ack=1");
    h.s.sack_ok = true;
    // Every ACK at once (tcp_comp_sack_nr 0), to read the duplicate's D-SACK.
    h.p.comp_sack_nr = 0;
    for k in 1..=4u32 {
        send!(h, &format!(". seq={} ack=1 len=250", 1 + 250 * k));
    }
    assert_eq!(h.s.ooo.len(), 2);
    assert_eq!(h.s.rmem(), 2 * 1280);
    // A copy of bytes a merged skb holds is a duplicate: D-SACK, nothing queued.
    send!(h, ". seq=501 ack=1 len=250");
    assert_eq!(last_sack(&h)[0], (501, 751));
    assert_eq!(h.s.rmem(), 2 * 1280);
    send!(h, ". seq=1 ack=1 len=250");
    assert!(h.s.ooo.is_empty());
    assert_eq!(h.s.rcvbuf.len(), 1250);
    assert_eq!(h.s.rmem(), 3 * 1280);
    // The negative: segments with a gap between them are skbs of their own.
    let mut h = truesize_child(1460, Some(8192));
    let syn = h.peer_segment("S seq=0");
    h.with(|s, ctx| s.accept_syn(&syn, ctx));
    send!(h, ". seq=1 ack=1");
    h.s.sack_ok = true;
    send!(h, ". seq=251 ack=1 len=250");
    send!(h, ". seq=751 ack=1 len=250");
    assert_eq!(h.s.ooo.len(), 2);
    assert_eq!(h.s.rmem(), 2 * 1280);
}

#[test]
fn an_in_order_segment_no_prune_can_make_room_for_is_dropped_and_answered_at_once() {
    // `tcp_data_queue`: when `tcp_try_rmem_schedule` fails and the receive queue holds
    // data, the segment is dropped (TCPRcvQDrop) and the ACK goes at once (ICSK_ACK_NOW)
    // with window 0 (ICSK_ACK_NOMEM; read in the source, the lab's senders cannot get a
    // segment past the truesize the window allows).
    // Full segments (1460 bytes in 2304, a 162/256 share: 1457 bytes of window, less than
    // they carry) are not "bloated", so `tcp_collapse` copies nothing; the application then
    // shrinks SO_RCVBUF to 2304 (4608 of buffer, locked: `tcp_clamp_window` may not grow
    // it back) under the 9216 queued.
    let mut h = socket_established_truesize(1460);
    for k in 0..4u32 {
        send!(h, &format!(". seq={} ack=1 len=1460", 1 + 1460 * k));
    }
    h.tx.clear();
    h.s.rcv_cap = 2304;
    h.s.rcvbuf_locked = true;
    // A window field other than the predicted one: the slow path.
    send!(h, ". seq=5841 ack=1 len=1460 win=65534");
    // `tcp_select_window` with ICSK_ACK_NOMEM: window 0, whatever was offered before.
    assert_eq!(last_window(&h), 0);
    recv!(h, [". seq=1 ack=5841 len=0"]);
    assert_eq!(h.s.rcvbuf.len(), 5840, "the segment was dropped");
    assert_eq!(h.s.rcv_wnd, 0);
    assert_eq!(h.s.rmem(), 4 * 2304);
    // The negative: with the buffer as it was, the same segment is queued.
    let mut h = socket_established_truesize(1460);
    for k in 0..4u32 {
        send!(h, &format!(". seq={} ack=1 len=1460", 1 + 1460 * k));
    }
    send!(h, ". seq=5841 ack=1 len=1460 win=65534");
    assert_eq!(h.s.rcvbuf.len(), 7300);
}

#[test]
fn a_tiny_segment_takes_the_small_head_cache_not_a_kmalloc_slab() {
    // `kmalloc_reserve`: a head of at most SKB_SMALL_HEAD_CACHE_SIZE (576 here) comes from
    // its own cache. Measured on 6.18 through sock_diag's SK_MEMINFO_RMEM_ALLOC: a 96-byte
    // segment with timestamps (a 212-byte head) costs 832, a 200-byte one a 1024-byte slab.
    let h = truesize_child(536, Some(8192));
    assert_eq!(h.s.truesize(96 + 12), 832);
    assert_eq!(h.s.truesize(152), 832, "152 + 40 + 64 = 256: still small");
    assert_eq!(h.s.truesize(153), 1280);
}

#[test]
fn quick_ack_mode_ends_when_the_window_computed_leaves_less_than_half_free() {
    // `__tcp_select_window` zeroes `icsk_ack.quick` when the free space is under half the
    // buffer's window. SO_RCVBUF 4000 (no truesize accounting here: the space is the
    // payload), 1460-byte segments, nobody reading, quick ACKs to spare: the first ACK
    // leaves 2540 of 4000 free, the second segment leaves 1540, so computing its window
    // ends quick-ACK mode and the third waits. Measured on 6.18 (psh-writes with SO_RCVBUF
    // 16384): the third write's first segment acknowledged at once, the rest 40 ms later.
    let mut h = socket_established_with_space(4000);
    h.s.ack_quick = 16;
    send!(h, ". seq=1 ack=1 len=1460");
    recv!(h, [". seq=1 ack=1461 len=0"]);
    send!(h, ". seq=1461 ack=1 len=1000");
    recv!(h, [". seq=1 ack=2461 len=0"]);
    assert_eq!(h.s.ack_quick, 0);
    send!(h, ". seq=2461 ack=1 len=500");
    recv_nothing!(h);
}

/// SO_RCVBUF 4000 (no truesize accounting: the space is the payload), SACK agreed, past
/// quick-ACK mode: two full segments leave less than half the buffer free.
fn small_buffer_sack_receiver() -> Harness {
    let mut h = socket_established_with_space(4000);
    h.s.sack_ok = true;
    h.s.ack_quick = 0;
    h.s.ato = 40_000;
    h
}

#[test]
fn a_copy_of_data_that_left_less_than_half_the_buffer_free_waits_for_the_delayed_ack() {
    // `tcp_data_queue`'s retransmit case enters quick-ACK mode and only schedules the ACK;
    // `__tcp_ack_snd_check` decides, and with more than a segment unacknowledged its window
    // test runs first: `__tcp_select_window` finds less than half the buffer free and ends
    // the quick-ACK mode just entered, and the window shrinks. So the copy is answered by
    // the delayed-ACK timer, its D-SACK with it. SO_RCVBUF 4000 (the space is the payload
    // here), nobody reading: two segments leave 1080 free. Measured on 6.18 (explore seed
    // 5800 #27, SO_RCVBUF 4096): a tail loss probe's copy of the segment that closed the
    // window answered "ack=4345 win=0 sack 2897-4345" 36 ms later, by the timer.
    let mut h = small_buffer_sack_receiver();
    send!(h, ". seq=1 ack=1 len=1460");
    send!(h, ". seq=1461 ack=1 len=1460");
    recv_nothing!(h);
    h.wait_ms(7);
    send!(h, ". seq=1461 ack=1 len=1460");
    recv_nothing!(h);
    fire(&mut h, TimerKind::DelayedAck);
    let sack = last_sack(&h);
    recv!(h, [". seq=1 ack=2921 len=0"]);
    assert_eq!(sack, [(1461, 2921)]);
}

#[test]
fn a_fin_received_again_after_data_that_left_less_than_half_the_buffer_free_waits_too() {
    // The same rule for a FIN already received (`tcp_rcv_state_process` hands CLOSE-WAIT's
    // segment below rcv_nxt to `tcp_data_queue`, its retransmit case): quick-ACK mode
    // entered, the ACK scheduled, and `__tcp_ack_snd_check`'s window test ends the mode
    // again, so the delayed ACK answers, the FIN's number as its D-SACK.
    let mut h = small_buffer_sack_receiver();
    send!(h, ". seq=1 ack=1 len=1460");
    send!(h, "F. seq=1461 ack=1 len=1460");
    h.sent();
    assert_eq!(h.s.state, TcpState::CloseWait);
    let due = h.s.timer(TimerKind::DelayedAck).expect("an ACK is owed");
    // Well before the timer (ping-pong mode after the FIN shortens it).
    h.now = h.now + (due - h.now) / 8;
    send!(h, "F. seq=2921 ack=1");
    recv_nothing!(h);
    fire(&mut h, TimerKind::DelayedAck);
    let sack = last_sack(&h);
    recv!(h, [". seq=1 ack=2922 len=0"]);
    assert_eq!(sack, [(2921, 2922)]);
}

#[test]
fn a_copy_of_the_last_data_and_the_fin_in_close_wait_waits_for_the_delayed_ack_too() {
    // A tail loss probe resends the last segment whole, data and FIN. In CLOSE-WAIT
    // `tcp_rcv_state_process` hands it to `tcp_data_queue` like the bare FIN above: the
    // retransmit case, then the window test, so the FIN's delayed ACK answers it with one
    // D-SACK of data and FIN. Measured on 6.18 (sweep point send-buffer-bulk-write+delay=0,
    // 60000 bytes unread): the probe's copy "FP. seq=59369 len=632" is answered 36 ms later,
    // "ack=60002 sack 59369-60002", where an ACK at once was the model's.
    let mut h = small_buffer_sack_receiver();
    send!(h, ". seq=1 ack=1 len=1460");
    send!(h, "FP. seq=1461 ack=1 len=1460");
    h.sent();
    assert_eq!(h.s.state, TcpState::CloseWait);
    let due = h.s.timer(TimerKind::DelayedAck).expect("an ACK is owed");
    h.now = h.now + (due - h.now) / 8;
    send!(h, "FP. seq=1461 ack=1 len=1460");
    recv_nothing!(h);
    fire(&mut h, TimerKind::DelayedAck);
    let sack = last_sack(&h);
    recv!(h, [". seq=1 ack=2922 len=0"]);
    assert_eq!(sack, [(1461, 2922)]);
}

#[test]
fn a_copy_of_data_in_close_wait_with_the_buffer_half_free_is_acknowledged_at_once() {
    // The same copy with room to spare: the window test leaves the quick-ACK mode the
    // retransmit case entered, so `__tcp_ack_snd_check` sends the D-SACK at once.
    let mut h = socket_established();
    h.s.sack_ok = true;
    send!(h, "FP. seq=1 ack=1 len=100");
    h.sent();
    h.wait_ms(5);
    send!(h, "FP. seq=1 ack=1 len=100");
    let sack = last_sack(&h);
    recv!(h, [". seq=1 ack=102 len=0"]);
    assert_eq!(sack, [(1, 102)]);
}

#[test]
fn text_at_rcv_nxt_after_the_peers_fin_is_ignored_and_draws_no_ack() {
    // `tcp_rcv_state_process` step 7 in CLOSE-WAIT, CLOSING and LAST-ACK: a segment not
    // below rcv_nxt "break"s: nothing queued, no ACK scheduled (RFC 9293 §3.10.7.4: "This
    // should not occur, since a FIN has been received from the remote side. Ignore the
    // segment text.").
    let mut h = socket_close_wait();
    send!(h, "P. seq=2 ack=1 len=10");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::CloseWait);
    assert!(h.s.timer(TimerKind::DelayedAck).is_none(), "no ACK owed");
}

#[test]
fn data_past_the_peers_fin_that_starts_below_rcv_nxt_aborts_close_wait_with_a_reset() {
    // Below rcv_nxt the segment meets FIN-WAIT's rule, since RCV_SHUTDOWN is set once the
    // FIN is in: text past rcv_nxt (which counts the FIN) aborts, `tcp_reset` (EPIPE in
    // CLOSE-WAIT) and a RST in reply to the segment (RFC 1122 §4.2.2.13).
    let mut h = socket_close_wait();
    send!(h, "P. seq=1 ack=1 len=10");
    recv!(h, ["R seq=1 len=0"]);
    assert_eq!(h.s.state, TcpState::Closed);
    assert_eq!(h.s.error, Some("EPIPE"));
}

// ---------------------------------------------------------------- spurious RTOs: F-RTO, undo

/// Established after a 40 ms round trip with the Linux profile changed by `o`, `sack` and
/// timestamps agreed or not (the harness's peer offers neither; the fields stand for a
/// handshake that did).
fn socket_for_rto(o: crate::profile::ProfileOverrides, sack: bool, ts: bool) -> Harness {
    let mut h = socket_established_40ms(65_535);
    h.p = Profile::linux().with(&o);
    h.s.sack_ok = sack;
    h.s.ts_ok = ts;
    h
}

/// The sequence numbers of the data segments sent since the last look.
fn data_seqs(h: &mut Harness) -> Vec<u32> {
    h.sent()
        .iter()
        .filter(|l| !l.ends_with("len=0"))
        .map(|l| {
            let seq = l.split_whitespace().nth(1).expect("seq=");
            seq["seq=".len()..].parse().expect("a number")
        })
        .collect()
}

/// An ACK from the peer echoing `ecr` as its timestamp (RFC 7323 §3).
fn send_with_ecr(h: &mut Harness, line: &str, ecr: u32) {
    let mut seg = h.peer_segment(line);
    if let Header::Tcp(t) = &mut seg.header {
        t.options.timestamps = Some((1, ecr));
    }
    h.with(|s, ctx| s.on_segment(&seg, ctx));
}

fn overrides() -> crate::profile::ProfileOverrides {
    crate::profile::ProfileOverrides::default()
}

#[test]
fn after_an_rto_f_rto_sends_new_data_and_undoes_the_cut_when_unretransmitted_data_is_acked() {
    // RFC 5682 §3.1 (`tcp_process_loss`): twenty segments written, ten in flight, all their
    // ACKs late. The RTO resends the first; its ACK lets F-RTO send two *new* segments (step
    // 2b: cwnd 2 after slow start from 1); the next ACK covers the second segment, never
    // resent, so the timeout was spurious (step 3b): cwnd and ssthresh come back
    // (`tcp_try_undo_loss`) and what follows is new data, not the other eight segments again.
    let mut h = socket_for_rto(overrides(), false, false);
    write(&mut h, 29_200);
    assert_eq!(data_seqs(&mut h).len(), 10);
    fire(&mut h, TimerKind::Retransmit);
    assert_eq!(data_seqs(&mut h), [1]);
    assert_eq!(h.s.cc.ssthresh, 7 * 1460, "CUBIC's 0.7 of cwnd 10");
    h.wait_ms(100);
    send!(h, ". seq=1 ack=1461");
    assert_eq!(data_seqs(&mut h), [14_601, 16_061], "step 2b: new data");
    send!(h, ". seq=1 ack=2921");
    assert_eq!(h.s.cc.ssthresh, u32::MAX, "undone: the prior ssthresh");
    assert!(h.s.cc.cwnd >= 10 * 1460, "undone: cwnd {}", h.s.cc.cwnd);
    assert!(h.s.loss_high.is_none(), "back to the open state");
    let mut next = data_seqs(&mut h);
    send!(h, ". seq=1 ack=4381");
    next.extend(data_seqs(&mut h));
    assert!(
        !next.is_empty() && next.iter().all(|&s| s >= 17_521),
        "new data only: {next:?}"
    );
}

#[test]
fn with_tcp_frto_0_the_same_ack_after_an_rto_resends_the_next_segments() {
    // Without F-RTO the first ACK after the RTO goes on with the conventional recovery:
    // the segments the RTO marked lost are resent as slow start allows (cwnd 2).
    let o = crate::profile::ProfileOverrides {
        frto: Some(0),
        ..overrides()
    };
    let mut h = socket_for_rto(o, false, false);
    write(&mut h, 29_200);
    h.sent();
    fire(&mut h, TimerKind::Retransmit);
    assert_eq!(data_seqs(&mut h), [1]);
    h.wait_ms(100);
    send!(h, ". seq=1 ack=1461");
    assert_eq!(data_seqs(&mut h), [1461, 2921]);
    assert_eq!(h.s.cc.ssthresh, 7 * 1460, "not undone");
}

#[test]
fn an_ack_echoing_a_timestamp_older_than_the_rto_retransmission_undoes_it() {
    // Eifel (RFC 3522, `tcp_packet_delayed`): the first ACK after the RTO echoes the
    // timestamp of the original transmission, so the original arrived and the RTO was
    // spurious, whatever tcp_frto says. Echoing the retransmission's own timestamp
    // instead proves nothing, and the recovery goes on.
    for (echo_original, undone) in [(true, true), (false, false)] {
        let o = crate::profile::ProfileOverrides {
            frto: Some(0),
            tail_loss_probe: Some(false),
            ..overrides()
        };
        let mut h = socket_for_rto(o, true, true);
        let sent_at = h.now;
        write(&mut h, 14_600);
        h.sent();
        fire(&mut h, TimerKind::Retransmit);
        assert_eq!(data_seqs(&mut h), [1]);
        let ecr = h.s.ts_val(if echo_original { sent_at } else { h.now });
        h.wait_ms(100);
        send_with_ecr(&mut h, ". seq=1 ack=1461", ecr);
        assert_eq!(
            h.s.cc.ssthresh == u32::MAX,
            undone,
            "echo_original {echo_original}"
        );
        let resent = data_seqs(&mut h);
        assert_eq!(resent.is_empty(), undone, "{resent:?}");
    }
}

#[test]
fn a_d_sack_for_every_retransmission_after_an_rto_undoes_it() {
    // `undo_retrans` (`tcp_retransmit_skb` counts up, `tcp_check_dsack` down): the ACK after
    // the RTO acknowledges everything and reports the retransmitted first segment as a
    // duplicate (RFC 2883), so no retransmission was needed and the cut is undone. The same
    // ACK without the D-SACK block ends the loss state with the cut kept.
    for (dsack, undone) in [(true, true), (false, false)] {
        let o = crate::profile::ProfileOverrides {
            frto: Some(0),
            tail_loss_probe: Some(false),
            ..overrides()
        };
        let mut h = socket_for_rto(o, true, false);
        write(&mut h, 14_600);
        h.sent();
        fire(&mut h, TimerKind::Retransmit);
        assert_eq!(data_seqs(&mut h), [1]);
        h.wait_ms(100);
        if dsack {
            send!(h, ". seq=1 ack=14601 sack=1-1461");
        } else {
            send!(h, ". seq=1 ack=14601");
        }
        assert!(h.s.loss_high.is_none());
        assert_eq!(h.s.cc.ssthresh == u32::MAX, undone, "dsack {dsack}");
        assert_eq!(h.s.cc.cwnd >= 10 * 1460, undone, "cwnd {}", h.s.cc.cwnd);
    }
}

#[test]
fn a_late_d_sack_with_nothing_outstanding_still_undoes_the_last_cut() {
    // `tcp_ack`'s `no_queue` path: "if data was DSACKed, see if we can undo a cwnd
    // reduction". The RTO's recovery ended with the cut kept; the D-SACK for its one
    // retransmission comes after everything was acknowledged, and undoes it then.
    let o = crate::profile::ProfileOverrides {
        frto: Some(0),
        tail_loss_probe: Some(false),
        ..overrides()
    };
    let mut h = socket_for_rto(o, true, false);
    write(&mut h, 14_600);
    h.sent();
    fire(&mut h, TimerKind::Retransmit);
    h.sent();
    h.wait_ms(100);
    send!(h, ". seq=1 ack=14601");
    assert_eq!(h.s.cc.ssthresh, 7 * 1460);
    send!(h, ". seq=1 ack=14601 sack=1-1461");
    assert_eq!(h.s.cc.ssthresh, u32::MAX);
}

/// Three segments out, the peer acknowledges the first with window 0 after 40 ms.
fn window_shrunk_under_data(o: crate::profile::ProfileOverrides) -> Harness {
    let mut h = socket_for_rto(o, false, false);
    write(&mut h, 4380);
    h.sent();
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461 win=0");
    h
}

#[test]
fn a_peer_that_shrinks_its_window_under_data_in_flight_is_retried_past_tcp_retries2() {
    // `tcp_retransmit_timer`, "Receiver dastardly shrinks window": three segments out, the
    // peer acknowledges the first with window 0. The RTOs go on as probes while the peer
    // keeps answering, long past the tcp_retries2 = 3 budget (4.2 s); once it falls silent
    // the connection dies when no ACK came for 240 s and the retransmissions have gone on
    // that long (`tcp_rtx_probe0_timed_out`, 2 × TCP_RTO_MAX).
    let mut h = window_shrunk_under_data(crate::profile::ProfileOverrides {
        data_retries: Some(3),
        ..overrides()
    });
    for _ in 0..8 {
        fire(&mut h, TimerKind::Retransmit);
        assert_eq!(data_seqs(&mut h), [1461]);
        send!(h, ". seq=1 ack=1461 win=0");
        h.sent();
    }
    assert!(h.now > 20_000_000, "8 RTOs: {} µs", h.now);
    assert_eq!(h.s.state, TcpState::Established);
    let last_ack = h.now;
    while h.s.state == TcpState::Established {
        fire(&mut h, TimerKind::Retransmit);
    }
    assert_eq!(h.s.error, Some("ETIMEDOUT"));
    assert!(
        h.now - last_ack > 240_000_000,
        "died {} µs after the last ACK",
        h.now - last_ack
    );
    assert!(
        h.now - last_ack < 360_000_000,
        "died {} µs after the last ACK",
        h.now - last_ack
    );
}

#[test]
fn a_shrunk_window_peer_fallen_silent_is_given_up_after_twice_tcp_rto_max() {
    // Since 6.15 `tcp_rtx_probe0_timed_out` waits `tcp_rto_max(sk) * 2`, not twice the
    // constant TCP_RTO_MAX: with tcp_rto_max_ms 1000 the peer that acknowledged the first
    // segment with window 0 and fell silent is given up at the first RTO that finds 2 s
    // without an ACK and 2 s of retransmissions, not after 240 s.
    let mut h = window_shrunk_under_data(crate::profile::ProfileOverrides {
        rto_max_us: Some(1_000_000),
        ..overrides()
    });
    let last_ack = h.now;
    while h.s.state == TcpState::Established && h.now - last_ack < 10_000_000 {
        fire(&mut h, TimerKind::Retransmit);
    }
    assert_eq!(h.s.error, Some("ETIMEDOUT"));
    let gone = h.now - last_ack;
    assert!(
        (2_000_000..3_200_000).contains(&gone),
        "died {gone} µs after the last ACK"
    );
}

#[test]
fn with_an_open_window_the_same_silence_ends_at_the_tcp_retries2_budget() {
    // The contrast: window open, the peer silent after the first ACK; tcp_retries2 = 3 is
    // a 3 s budget from the first retransmission (`retransmits_timed_out`).
    let o = crate::profile::ProfileOverrides {
        data_retries: Some(3),
        ..overrides()
    };
    let mut h = socket_for_rto(o, false, false);
    write(&mut h, 4380);
    h.sent();
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461 win=100");
    while h.s.state == TcpState::Established {
        fire(&mut h, TimerKind::Retransmit);
    }
    assert_eq!(h.s.error, Some("ETIMEDOUT"));
    assert!(h.now < 10_000_000, "gone at {} µs", h.now);
}

#[test]
fn every_ack_of_new_data_is_an_rtt_sample_on_linux_and_one_segment_a_round_trip_in_the_rfc() {
    // `tcp_clean_rtx_queue` times every ACK by the oldest segment it acknowledges that was
    // never retransmitted (`seq_rtt_us`). Ten segments leave at once; the first ACK comes
    // after 40 ms, the second after 100 ms: its 100 ms sample moves SRTT on Linux. RFC 6298
    // §3's one timed segment a round trip (the first) ignores the second ACK.
    for (every_ack, srtt_moves) in [(true, true), (false, false)] {
        let o = crate::profile::ProfileOverrides {
            rtt_every_ack: Some(every_ack),
            tail_loss_probe: Some(false),
            ..overrides()
        };
        let mut h = socket_for_rto(o, true, false);
        write(&mut h, 14_600);
        h.sent();
        h.wait_ms(40);
        send!(h, ". seq=1 ack=2921");
        let srtt = h.s.rtt.srtt;
        h.wait_ms(60);
        send!(h, ". seq=1 ack=5841");
        assert_eq!(
            h.s.rtt.srtt != srtt,
            srtt_moves,
            "rtt_every_ack {every_ack}"
        );
    }
}

#[test]
fn a_held_ack_of_a_retransmitted_segment_is_timed_by_its_timestamp_echo_and_the_rto_grows() {
    // Karn (RFC 6298 §3): an ACK that covers a retransmitted segment gives no sample of its
    // own. Linux then takes the timestamp echo (`tcp_ack_update_rtt` → `tcp_rtt_tsopt_us`,
    // RFC 7323 §4.1): the ACK held 600 ms past the RTO echoes the original's timestamp and
    // yields a ~700 ms RTT, so the RTO grows (case rto-spurious-then-write: kernel 6.18
    // does not restart the window after a pause of 0.8 s). Without timestamps nothing is
    // measured and the RTO stays at 40 ms + 200 ms.
    for (ts, grows) in [(true, true), (false, false)] {
        let o = crate::profile::ProfileOverrides {
            frto: Some(0),
            tail_loss_probe: Some(false),
            ..overrides()
        };
        let mut h = socket_for_rto(o, true, ts);
        let sent_at = h.now;
        let rto_before = h.s.rtt.rto;
        write(&mut h, 14_600);
        h.sent();
        fire(&mut h, TimerKind::Retransmit);
        assert_eq!(data_seqs(&mut h), [1]);
        h.wait_ms(460);
        let ecr = h.s.ts_val(sent_at);
        send_with_ecr(&mut h, ". seq=1 ack=14601", ecr);
        assert_eq!(
            h.s.rtt.rto > rto_before,
            grows,
            "ts {ts}: rto {}",
            h.s.rtt.rto
        );
        assert_eq!(
            h.s.rtt.srtt.is_some_and(|s| s > 100_000),
            grows,
            "ts {ts}: srtt {:?}",
            h.s.rtt.srtt
        );
    }
}

#[test]
fn a_fast_recovery_whose_ack_echoes_a_timestamp_older_than_the_fast_retransmission_is_undone() {
    // `tcp_retransmit_skb` stamps the first retransmission of any kind (`retrans_stamp`),
    // and `tcp_try_undo_recovery` (`tcp_may_undo` → `tcp_packet_delayed`, RFC 3522) undoes a
    // fast recovery whose closing ACK echoes a timestamp older than that stamp: the delayed
    // original filled the hole, not the retransmission. Segment 2 is late, 3-5 are SACKed,
    // RACK resends 2 and cuts ssthresh to 7; the ACK of everything echoes the original's
    // timestamp and the cut is gone (kernel 6.18, reorder-dsack-undo with tcp_reordering 10:
    // TCP_INFO cwnd 12, undone at the recovery's end). Echoing the retransmission's own
    // timestamp proves nothing and the cut stays.
    for (echo_original, undone) in [(true, true), (false, false)] {
        let o = crate::profile::ProfileOverrides {
            tail_loss_probe: Some(false),
            ..overrides()
        };
        let mut h = socket_for_rto(o, true, true);
        let sent_at = h.now;
        write(&mut h, 14_600);
        assert_eq!(data_seqs(&mut h).len(), 10);
        let ecr0 = h.s.ts_val(sent_at);
        h.wait_ms(40);
        send_with_ecr(&mut h, ". seq=1 ack=1461", ecr0);
        send_with_ecr(&mut h, ". seq=1 ack=1461 sack=2921-4381", ecr0);
        send_with_ecr(&mut h, ". seq=1 ack=1461 sack=2921-5841", ecr0);
        send_with_ecr(&mut h, ". seq=1 ack=1461 sack=2921-7301", ecr0);
        assert!(data_seqs(&mut h).contains(&1461), "RACK resent segment 2");
        assert!(h.s.cc.in_recovery());
        let retransmitted_at = h.now;
        assert_eq!(h.s.retrans_stamp, Some(retransmitted_at));
        h.wait_ms(5);
        let ecr = h.s.ts_val(if echo_original {
            sent_at
        } else {
            retransmitted_at
        });
        send_with_ecr(&mut h, ". seq=1 ack=14601", ecr);
        assert!(!h.s.cc.in_recovery());
        assert_eq!(
            h.s.cc.ssthresh == u32::MAX,
            undone,
            "echo_original {echo_original}: ssthresh {}",
            h.s.cc.ssthresh
        );
        // Nothing retransmitted is left: the state reopens and the stamp goes.
        assert_eq!(h.s.retrans_stamp, None);
    }
}

/// An ACK from the peer carrying the timestamp `tsval` (RFC 7323 §3).
fn send_with_tsval(h: &mut Harness, line: &str, tsval: u32) {
    let mut seg = h.peer_segment(line);
    if let Header::Tcp(t) = &mut seg.header {
        t.options.timestamps = Some((tsval, 1));
    }
    h.with(|s, ctx| s.on_segment(&seg, ctx));
}

#[test]
fn an_ack_with_a_timestamp_older_than_one_seen_is_answered_once_per_invalid_ratelimit() {
    // PAWS (RFC 7323 §5.3, `tcp_validate_incoming`): after an ACK stamped 200, a held ACK
    // stamped 100 is a stray from the past: discarded and answered with a duplicate ACK,
    // and the next such stray within tcp_invalid_ratelimit (500 ms) is not answered
    // (`tcp_oow_rate_limited`). Measured on 6.18 (rto-spurious with initcwnd 4). The same
    // old ACK with a newer timestamp passes PAWS and, being old, draws no reply.
    for (tsval, answered) in [(100, true), (300, false)] {
        let mut h = socket_for_rto(overrides(), true, true);
        write(&mut h, 14_600);
        h.sent();
        h.wait_ms(40);
        send_with_tsval(&mut h, ". seq=1 ack=5841", 200);
        h.sent();
        send_with_tsval(&mut h, ". seq=1 ack=2921", tsval);
        let replies = h.sent();
        assert_eq!(
            replies.len(),
            answered as usize,
            "tsval {tsval}: {replies:?}"
        );
        if answered {
            assert_eq!(replies, [". seq=14601 ack=1 len=0"]);
            h.wait_ms(100);
            send_with_tsval(&mut h, ". seq=1 ack=4381", tsval + 1);
            recv_nothing!(h);
            h.wait_ms(401);
            send_with_tsval(&mut h, ". seq=1 ack=4381", tsval + 2);
            recv!(h, [". seq=14601 ack=1 len=0"]);
        }
        assert_eq!(h.s.snd_una, SeqNumber(h.s.iss.0.wrapping_add(5841)));
    }
}

// ---------------------------------------------------------------- the RTO's backoff (Karn)

/// 100 bytes written on a 40 ms path, resent by two RTOs (no loss probe, so each timer is
/// an RTO), then the peer's ACK of them all, 40 ms after the second copy, echoing
/// `ecr` as its timestamp if it is given. Returns the harness and the RTO before any backoff.
fn acked_after_two_rtos(ts: bool, ecr: Option<fn(&Harness) -> u32>) -> (Harness, Micros) {
    acked_after_two_rtos_with(ts, ecr, ". seq=1 ack=101", 0)
}

/// [`acked_after_two_rtos`] with the ACK written as `ack_line`, and `more` bytes written
/// after the RTOs, before the ACK.
fn acked_after_two_rtos_with(
    ts: bool,
    ecr: Option<fn(&Harness) -> u32>,
    ack_line: &str,
    more: u32,
) -> (Harness, Micros) {
    let o = crate::profile::ProfileOverrides {
        tail_loss_probe: Some(false),
        ..overrides()
    };
    let mut h = socket_for_rto(o, false, ts);
    let base = h.s.rtt.rto;
    write(&mut h, 100);
    assert_eq!(data_seqs(&mut h), [1]);
    fire(&mut h, TimerKind::Retransmit);
    fire(&mut h, TimerKind::Retransmit);
    assert_eq!(data_seqs(&mut h), [1, 1], "two RTO retransmissions");
    assert_eq!(h.s.info(&h.p).rto_us, 4 * base, "icsk_rto doubled twice");
    if more > 0 {
        write(&mut h, more);
        assert_eq!(
            data_seqs(&mut h),
            [] as [u32; 0],
            "cwnd is full in the loss state"
        );
    }
    let echo = ecr.map(|f| f(&h));
    h.wait_ms(40);
    match echo {
        Some(e) => send_with_ecr(&mut h, ack_line, e),
        None => send!(h, ack_line),
    }
    (h, base)
}

#[test]
fn an_ack_of_only_retransmitted_data_without_timestamps_keeps_the_rto_backed_off() {
    // Karn's rule (RFC 6298 §3, §5.7): the ACK cannot say which copy it answers, so it gives
    // no RTT sample, and the backed-off RTO stays until one does. Linux: `icsk_retransmits`
    // restarts (`tcp_ack`), but `icsk_rto` is recomputed only by `tcp_set_rto` on a valid
    // sample (`tcp_ack_update_rtt`). Measured on 6.18 (`rto-backoff-karn-no-timestamps`):
    // the next write's RTO came 976 ms after its loss probe, four times the 244 ms RTO.
    let (mut h, base) = acked_after_two_rtos(false, None);
    let i = h.s.info(&h.p);
    assert_eq!(
        i.retransmits, 0,
        "the retry count restarts on new data acknowledged"
    );
    assert_eq!(
        i.rto_us,
        4 * base,
        "the backoff does not end without a sample"
    );
    write(&mut h, 100);
    assert_eq!(data_seqs(&mut h), [101]);
    let at = h.s.timer(TimerKind::Retransmit).expect("the RTO is armed");
    assert!(
        at - h.now >= 4 * base,
        "the next RTO is the backed-off one: {} µs",
        at - h.now
    );
}

#[test]
fn an_ack_of_retransmitted_data_echoing_its_timestamp_ends_the_backoff() {
    // With timestamps the echo times the ACK even of a retransmission (`tcp_rtt_tsopt_us`,
    // RFC 7323 §4): a valid sample, so `tcp_set_rto` and the backoff ends. Measured on 6.18
    // (`rto-backoff-karn`): the next write's segment was resent 244 ms later, not 976.
    let (h, base) = acked_after_two_rtos(true, Some(|h| h.s.ts_val(h.now)));
    let i = h.s.info(&h.p);
    assert_eq!(i.retransmits, 0);
    assert!(
        i.rto_us < 2 * base,
        "the backoff ends on the echo's sample: {} µs",
        i.rto_us
    );
    assert_eq!(i.rto_us, h.s.rtt.rto);
}

#[test]
fn a_later_ack_of_data_never_retransmitted_ends_the_backoff_without_timestamps() {
    // The negative of Karn's case: once a segment sent only once is acknowledged, its RTT is
    // a valid sample (`first_ackt` without FLAG_RETRANS_DATA_ACKED) and the RTO falls back.
    let (mut h, base) = acked_after_two_rtos(false, None);
    write(&mut h, 100);
    assert_eq!(data_seqs(&mut h), [101]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=201");
    let i = h.s.info(&h.p);
    assert!(i.rto_us < 2 * base, "{} µs", i.rto_us);
    assert_eq!(
        h.s.timer(TimerKind::Retransmit),
        None,
        "nothing left to time"
    );
}

/// The zero-window probes after [`acked_after_two_rtos`] whose ACK closes the window with
/// 100 more bytes waiting: how long after the ACK the first probe leaves, and how long after
/// it the second is due.
fn probe_intervals_after_two_rtos(ts: bool) -> ([Micros; 2], Micros) {
    let ecr: Option<fn(&Harness) -> u32> = ts.then_some(|h: &Harness| h.s.ts_val(h.now));
    let (mut h, base) = acked_after_two_rtos_with(ts, ecr, ". seq=1 ack=101 win=0", 100);
    recv_nothing!(h);
    let acked_at = h.now;
    fire(&mut h, TimerKind::Persist);
    recv!(h, [". seq=100 ack=1 len=0"]);
    let first = h.now - acked_at;
    let next =
        h.s.timer(TimerKind::Persist)
            .expect("the next probe is due")
            - h.now;
    ([first, next], base)
}

#[test]
fn zero_window_probes_after_rtos_without_an_rtt_sample_start_from_the_doubled_rto() {
    // Linux's probe timer reads the RTO's `icsk_backoff` and backed-off `icsk_rto`: the
    // first probe waits `tcp_probe0_base` (icsk_rto, four RTOs here), the next that shifted
    // by the backoff, two RTOs and one probe: 2³. Measured on 6.18
    // (`zero-window-after-rto`): the first probe 1.07 s after the window closed, 4 × 268 ms.
    let ([first, next], base) = probe_intervals_after_two_rtos(false);
    assert!(
        first >= 4 * base && first < 5 * base,
        "first probe after {first} µs"
    );
    assert!(
        next >= 32 * base && next < 33 * base,
        "next probe after {next} µs"
    );
}

#[test]
fn zero_window_probes_after_an_rtt_sample_start_from_the_plain_rto() {
    // The negative: the timestamp echo timed the ACK, `tcp_set_rto` ended both backoffs, so
    // the probes start one RTO after the window closed and double from there.
    let ([first, next], base) = probe_intervals_after_two_rtos(true);
    assert!(
        first >= base && first < 2 * base,
        "first probe after {first} µs"
    );
    assert!(
        next >= 2 * base && next < 3 * base,
        "next probe after {next} µs"
    );
}

// ---------------------------------------------------------------- CUBIC's RTT (rs->rtt_us)

/// CUBIC's smallest RTT seen (`ca->delay_min`, µs; 0 before any).
fn cubic_delay_min(h: &Harness) -> u32 {
    h.s.cc.cubic.as_ref().expect("CUBIC").delay_min
}

#[test]
fn a_sack_only_duplicate_ack_gives_cubic_its_rtt() {
    // `tcp_clean_rtx_queue` calls `pkts_acked` on every ACK that reaches the queue, with the
    // rate sample's RTT (`rs->rtt_us` = `ca_rtt_us`): for an ACK that only SACKs, the newest
    // segment SACKed. Three segments out, 25 ms later the second is SACKed.
    let o = crate::profile::ProfileOverrides {
        tail_loss_probe: Some(false),
        ..overrides()
    };
    let mut h = socket_for_rto(o, true, false);
    write(&mut h, 4_380);
    assert_eq!(data_seqs(&mut h), [1, 1461, 2921]);
    assert_eq!(cubic_delay_min(&h), 0, "no sample yet");
    h.wait_ms(25);
    send!(h, ". seq=1 ack=1 sack=1461-2921");
    assert_eq!(cubic_delay_min(&h), 25_000);
}

#[test]
fn an_ack_of_a_retransmission_gives_cubic_the_timestamp_echos_rtt_and_without_one_nothing() {
    // Karn leaves the cumulative ACK of a retransmitted segment no RTT; with timestamps
    // `tcp_ack_update_rtt` takes the echo's (whole milliseconds) as `ca_rtt_us` too, and
    // CUBIC gets it; without, `rs->rtt_us` is -1 and `bictcp_acked` returns.
    for ts in [true, false] {
        let o = crate::profile::ProfileOverrides {
            tail_loss_probe: Some(false),
            ..overrides()
        };
        let mut h = socket_for_rto(o, false, ts);
        write(&mut h, 100);
        h.sent();
        fire(&mut h, TimerKind::Retransmit);
        assert_eq!(data_seqs(&mut h), [1]);
        let ecr = h.s.ts_val(h.now);
        h.wait_ms(30);
        if ts {
            send_with_ecr(&mut h, ". seq=1 ack=101", ecr);
        } else {
            send!(h, ". seq=1 ack=101");
        }
        assert_eq!(
            cubic_delay_min(&h),
            if ts { 30_000 } else { 0 },
            "timestamps {ts}"
        );
    }
}

// ---------------------------------------------------------------- tail loss probe's choice

/// Established over 40 ms with SACK, the peer offering `win`; `len` bytes written; the tail
/// loss probe fired. Returns the data segments the probe sent.
fn loss_probe_after_write(win: u16, len: u32) -> Vec<u32> {
    let mut h = socket_established_40ms(win);
    h.s.sack_ok = true;
    write(&mut h, len);
    h.sent();
    assert!(
        h.s.tlp_armed,
        "the retransmission timer is armed as a loss probe"
    );
    fire(&mut h, TimerKind::Retransmit);
    data_seqs(&mut h)
}

#[test]
fn a_loss_probe_resends_the_last_segment_when_the_window_cuts_the_next_one() {
    // `tcp_send_loss_probe` → `tcp_snd_wnd_test`: new data only if the head's first segment
    // fits the window whole. 4,000 bytes of window, two segments out, two waiting: 1,080
    // bytes would fit, the next segment does not, so the probe is the last segment again.
    assert_eq!(loss_probe_after_write(4_000, 4 * 1_460), [1_461]);
}

#[test]
fn a_loss_probe_sends_new_data_when_its_first_segment_fits_the_window() {
    // The negative: twelve segments written, cwnd 10 holds two back, the window has room for
    // them, so the probe is the eleventh segment, new data beyond cwnd.
    assert_eq!(loss_probe_after_write(65_535, 12 * 1_460), [14_601]);
}

#[test]
fn a_loss_probe_with_room_in_cwnd_sends_the_waiting_skb_as_one_chunk() {
    // `tcp_send_loss_probe` → `tcp_write_xmit(..., TCP_NAGLE_OFF, 2, ...)`: the forced
    // one-segment quota is only for a full cwnd; with room the head skb leaves whole, up to
    // the quota. Twelve segments written, ten sent; cwnd then has room for the two waiting
    // (standing for segments held by TSO deferral, as measured on 6.18, explore seed 5800
    // #16: a 2896-byte skb sent by the probe as two segments 25 µs apart, PSH on the second).
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    write(&mut h, 12 * 1_460);
    h.sent();
    assert!(
        h.s.tlp_armed,
        "the retransmission timer is armed as a loss probe"
    );
    h.s.cc.cwnd = 20 * 1_460;
    fire(&mut h, TimerKind::Retransmit);
    assert_eq!(data_seqs(&mut h), [14_601, 16_061]);
}

#[test]
fn a_window_opened_less_than_the_waiting_skb_keeps_the_probes_backed_off() {
    // Linux `tcp_ack_probe` ("Was it a usable window open?"): an ACK that finds nothing in
    // flight ends the probes only if the whole head skb fits the window. Here the probe's
    // answer opens 50 bytes for a 100-byte write: the backoff stays, and the probe timer is
    // re-armed from the answer with it: `tcp_probe0_base` (icsk_rto, four RTOs after two
    // without a sample) shifted by `icsk_backoff` (two RTOs and one probe), 32 RTOs. (Before,
    // the model ended the probes on any opening and re-armed the unshifted four RTOs.)
    let (mut h, base) = acked_after_two_rtos_with(false, None, ". seq=1 ack=101 win=0", 100);
    recv_nothing!(h);
    fire(&mut h, TimerKind::Persist);
    recv!(h, [". seq=100 ack=1 len=0"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=101 win=50");
    recv_nothing!(h);
    let next = h.s.timer(TimerKind::Persist).expect("the probe timer") - h.now;
    assert!(
        next >= 32 * base && next < 33 * base,
        "next probe after {next} µs"
    );
}

#[test]
fn a_window_that_takes_the_waiting_skb_ends_the_probes() {
    // The negative: 200 bytes take the whole 100-byte skb, so the backoff ends, the probe
    // timer is cleared and the data leaves at once.
    let (mut h, _) = acked_after_two_rtos_with(false, None, ". seq=1 ack=101 win=0", 100);
    recv_nothing!(h);
    fire(&mut h, TimerKind::Persist);
    recv!(h, [". seq=100 ack=1 len=0"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=101 win=200");
    recv!(h, ["P. seq=101 ack=1 len=100"]);
    assert_eq!(h.s.timer(TimerKind::Persist), None);
    assert_eq!(h.s.probe_backoff, 0);
}

#[test]
fn two_small_segments_lost_are_resent_as_one_at_the_rto() {
    // Two 5-byte writes leave as two segments (TCP_NODELAY) and are lost. The RTO resends
    // the head, and `__tcp_retransmit_skb` → `tcp_retrans_try_collapse`
    // (tcp_retrans_collapse = 1) merges the next skb into it while it fits one MSS and the
    // window: one 10-byte segment, PSH from both. Measured on 6.18 (`rto-collapse`).
    let mut h = socket_established_40ms(65_535);
    h.s.nodelay = true;
    write(&mut h, 5);
    write(&mut h, 5);
    recv!(h, ["P. seq=1 ack=1 len=5", "P. seq=6 ack=1 len=5"]);
    fire_until_rto(&mut h);
    recv!(h, ["P. seq=1 ack=1 len=10"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=11");
    recv_nothing!(h);
    assert_eq!(h.s.snd_una, h.s.snd_max);
}

#[test]
fn collapsing_stops_at_a_sacked_segment_and_is_off_with_the_sysctl() {
    // The negatives: a SACKed skb is never merged (`tcp_can_collapse`): of three 5-byte
    // segments with the third SACKed, RACK's reordering timer finds the first two lost and
    // the retransmission of the first takes the second only. And tcp_retrans_collapse = 0
    // resends each skb as it was.
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    h.s.nodelay = true;
    for _ in 0..3 {
        write(&mut h, 5);
    }
    recv!(
        h,
        [
            "P. seq=1 ack=1 len=5",
            "P. seq=6 ack=1 len=5",
            "P. seq=11 ack=1 len=5"
        ]
    );
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1 sack=11-16");
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, ["P. seq=1 ack=1 len=10"]);

    let mut h = socket_established_40ms(65_535);
    h.p.retrans_collapse = false;
    h.s.nodelay = true;
    write(&mut h, 5);
    write(&mut h, 5);
    recv!(h, ["P. seq=1 ack=1 len=5", "P. seq=6 ack=1 len=5"]);
    fire_until_rto(&mut h);
    recv!(h, ["P. seq=1 ack=1 len=5"]);
}

/// Two 5-byte TCP_NODELAY writes on a 40 ms path with SACK: both leave, the loss probe is
/// planned. Returns the harness, SRTT and the probe's delay, µs.
fn two_small_segments_probed() -> (Harness, Micros, Micros) {
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    h.s.nodelay = true;
    write(&mut h, 5);
    write(&mut h, 5);
    recv!(h, ["P. seq=1 ack=1 len=5", "P. seq=6 ack=1 len=5"]);
    let srtt = h.s.rtt.srtt.expect("an RTT from the handshake");
    let pto = h.s.timer(TimerKind::Retransmit).expect("the probe timer") - h.now;
    (h, srtt, pto)
}

#[test]
fn a_loss_probe_after_two_small_segments_counts_two_packets_out() {
    // `tcp_schedule_loss_probe` adds TCP_RTO_MIN (room for a delayed ACK) only when one
    // packet is out; `tp->packets_out` counts skbs in segments, so two 5-byte segments are
    // two packets, whatever their bytes, and the probe comes 2·SRTT + 2 ms after them.
    // Measured on 6.18 (`rto-collapse`): +86-90 ms, not +246.
    let (mut h, srtt, pto) = two_small_segments_probed();
    // 2·SRTT + TCP_TIMEOUT_MIN_US in whole jiffies (one packet: 240 ms, the RTO's time,
    // which caps 2·SRTT + 200 ms).
    assert!(
        pto <= 2 * srtt + 3 * h.p.clock_granularity_us,
        "probe {pto} µs after two segments (SRTT {srtt} µs)"
    );
    h.now += pto;
    h.with(|s, ctx| s.on_timer(TimerKind::Retransmit, ctx));
    recv!(h, ["P. seq=6 ack=1 len=5"]);
    assert_eq!(h.s.stats.timeouts, 0);
}

#[test]
fn a_loss_probe_adds_2_ms_to_two_srtts_before_rounding_to_jiffies() {
    // `tcp_schedule_loss_probe` since 6.6 (commit 1c2709cfff1d): usecs_to_jiffies(2·SRTT +
    // TCP_TIMEOUT_MIN_US), where it added TCP_TIMEOUT_MIN (2 jiffies, 8 ms at HZ 250) after
    // rounding. Measured on 6.18 at HZ 250 (explore seed 3100 #7, SRTT 10 ms, three segments
    // out): the probe 26.4 ms after the ACK, not 32-36.
    let (h, srtt, pto) = two_small_segments_probed();
    let j = h.p.clock_granularity_us;
    let jiffies = (2 * srtt + 2_000).div_ceil(j) * j;
    // The timer_list may land up to a jiffy later on the wheel, never 2 jiffies more.
    assert!(
        (jiffies..jiffies + j).contains(&pto),
        "probe {pto} µs after two segments (SRTT {srtt} µs, {jiffies} in jiffies)"
    );
}

#[test]
fn a_d_sacked_loss_probe_copy_counts_as_delivered_for_slow_start() {
    // `tcp_sacktag_write_queue` → `tcp_check_dsack` → `tcp_dsack_seen`: "a spurious
    // retransmission is delivered" (`state->sack_delivered` into `tp->delivered`), so
    // `tcp_newly_delivered` hands the D-SACKed copy to `tcp_cong_control` beside the segments
    // the ACK covers. Ten segments fill cwnd 10; the loss probe resends the tenth; one ACK
    // covers all ten and reports the copy as a duplicate: slow start grows cwnd by eleven.
    // The same ACK without the D-SACK block grows it by ten. Measured on 6.18 (recording
    // `a-dsacked-probe-copy-counts-as-delivered`): tcp_info cwnd 25 where 24 was counted.
    for (dsack, grown_by) in [(true, 11), (false, 10)] {
        let mut h = socket_established_40ms(65_535);
        h.s.sack_ok = true;
        write(&mut h, 10 * 1460);
        assert_eq!(data_seqs(&mut h).len(), 10);
        fire(&mut h, TimerKind::Retransmit);
        assert_eq!(data_seqs(&mut h), [13_141], "the probe resends the tenth");
        h.wait_ms(40);
        if dsack {
            send!(h, ". seq=1 ack=14601 sack=13141-14601");
        } else {
            send!(h, ". seq=1 ack=14601");
        }
        assert_eq!(h.s.cc.cwnd, (10 + grown_by) * 1460, "dsack {dsack}");
    }
}

#[test]
fn an_ack_beyond_a_probe_that_resent_a_lone_lost_segment_cuts_cwnd_to_ssthresh() {
    // `tcp_process_tlp_ack`: the loss probe resends the only segment out; the ACK that covers
    // exactly the probe (`tlp_high_seq`) may answer the original or the copy, so it leaves
    // the episode open; the ACK of the next write is beyond it, which shows the probe
    // repaired a loss: CWR, cwnd = CUBIC's ssthresh (10 · 717 / 1024 = 7). A D-SACK of the
    // copy on the first ACK, or a pure duplicate of it (`no_queue`), shows both arrived: no
    // cut. Measured on 6.18 (recording `a-loss-probe-answered-exactly-leaves-its-episode-open`):
    // tcp_info cwnd 10, ssthresh infinite after the probe's ACK; cwnd 7, ssthresh 7 after the
    // next write's ACK.
    for (answer, cut) in [
        (". seq=1 ack=1461", true),
        (". seq=1 ack=1461 sack=1-1461", false),
        ("dupack", false),
    ] {
        let mut h = socket_established_40ms(65_535);
        h.s.sack_ok = true;
        write(&mut h, 1460);
        assert_eq!(data_seqs(&mut h), [1]);
        fire(&mut h, TimerKind::Retransmit);
        assert_eq!(data_seqs(&mut h), [1], "the probe resends it");
        assert_eq!(h.s.stats.timeouts, 0, "a probe, not the RTO");
        h.wait_ms(40);
        if answer == "dupack" {
            send!(h, ". seq=1 ack=1461");
            send!(h, ". seq=1 ack=1461");
        } else {
            send!(h, answer);
        }
        assert_eq!((h.s.cc.cwnd, h.s.cc.ssthresh), (10 * 1460, u32::MAX));
        write(&mut h, 2 * 1460);
        assert_eq!(data_seqs(&mut h), [1461, 2921]);
        h.wait_ms(40);
        send!(h, ". seq=1 ack=2921");
        if cut {
            assert_eq!((h.s.cc.cwnd, h.s.cc.ssthresh), (7 * 1460, 7 * 1460));
        } else {
            assert_eq!(h.s.cc.ssthresh, u32::MAX, "{answer}: no cut");
        }
    }
}

/// A 1000-byte write into a closed window, with TCP_USER_TIMEOUT 2 s; the peer answers each
/// zero-window probe with window 0 until `open_at_ms` after the first probe, then with
/// `window`. Returns the harness after the probe timer fired once more, if that answer left
/// it armed (what the answer made the socket send is kept for `sent`).
fn probes_then_window(window: u16, open_at_ms: u64) -> Harness {
    let mut h = socket_established_40ms(65_535);
    h.s.user_timeout_us = 2_000_000;
    send!(h, ". seq=1 ack=1 win=0");
    write(&mut h, 1000);
    recv_nothing!(h);
    let mut first = None;
    loop {
        let at = h.s.timer(TimerKind::Persist).expect("the probe timer");
        h.now = at;
        h.with(|s, ctx| s.on_timer(TimerKind::Persist, ctx));
        let _ = h.sent();
        let first = *first.get_or_insert(at);
        h.wait_ms(40);
        if h.now - first >= open_at_ms * 1000 {
            send!(h, &format!(". seq=1 ack=1 win={window}"));
            break;
        }
        send!(h, ". seq=1 ack=1 win=0");
    }
    if let Some(at) = h.s.timer(TimerKind::Persist) {
        let _ = h.sent();
        h.now = at;
        h.with(|s, ctx| s.on_timer(TimerKind::Persist, ctx));
    }
    h
}

#[test]
fn a_window_smaller_than_the_waiting_skb_keeps_the_probe_episodes_user_timeout() {
    // Linux clears `icsk_probes_tstamp` (when the first unanswered probe went out) only
    // where the window opened over the whole skb waiting (`tcp_ack_probe`), when a probe
    // finds nothing left to probe (`tcp_send_probe0`, `tcp_probe_timer`): a 100-byte window
    // for a 1000-byte skb re-arms the probe timer, clamped to what is left of the user
    // timeout (`tcp_clamp_probe0_to_user_timeout`), and when it fires `tcp_probe_timer`
    // finds the episode 2 s old and aborts before `tcp_write_wakeup` would send the 100.
    let mut h = probes_then_window(100, 1_500);
    let sent = h.sent();
    assert_eq!(h.s.state, TcpState::Closed, "{sent:?}");
    assert_eq!(h.s.take_error(), Some("ETIMEDOUT"));
}

#[test]
fn a_window_that_takes_the_waiting_skb_ends_the_probe_episode() {
    // The negative: a window over the whole skb ends the episode (`tcp_ack_probe`), the data
    // leaves, and the user timeout is counted again from the next episode only.
    let mut h = probes_then_window(2000, 1_500);
    assert_eq!(h.s.state, TcpState::Established);
    let sent = h.sent();
    assert!(sent.iter().any(|l| l.contains("len=1000")), "{sent:?}");
    assert_eq!(h.s.probes_tstamp, None);
}

// ---------------------------------------------------------------- a FIN in an skb of its own

/// A full segment written, then close(): the segment had left, so the FIN goes in an skb of
/// its own (`tcp_send_fin`). Both are lost.
fn full_segment_then_fin_lost(tail_loss_probe: bool) -> Harness {
    let mut h = socket_established_40ms(65_535);
    h.s.sack_ok = true;
    h.p.tail_loss_probe = tail_loss_probe;
    write(&mut h, 1460);
    recv!(h, ["P. seq=1 ack=1 len=1460"]);
    h.with(|s, ctx| s.app_close(ctx));
    recv!(h, ["F. seq=1461 ack=1 len=0"]);
    h
}

#[test]
fn a_fin_in_its_own_skb_follows_a_full_segment_resent_by_the_rto_after_its_ack() {
    // `tcp_enter_loss` marks both skbs lost and cwnd is one: the RTO resends the segment
    // alone (a full segment leaves no room for `tcp_retrans_try_collapse`), and its ACK
    // lets `tcp_xmit_retransmit_queue` resend the FIN. Measured on 6.18
    // (`fin-lost-behind-full-segment`): `P. seq=1 len=1448`, then `F. seq=1449` after the ACK.
    let mut h = full_segment_then_fin_lost(false);
    fire_until_rto(&mut h);
    recv!(h, ["P. seq=1 ack=1 len=1460"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    recv!(h, ["F. seq=1461 ack=1 len=0"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1462");
    recv_nothing!(h);
    assert_eq!(h.s.state, TcpState::FinWait2);
}

#[test]
fn a_short_segment_resent_by_the_rto_takes_the_lone_fin_in_unless_collapsing_is_off() {
    // `tcp_retrans_try_collapse` walks on from a short head to the FIN's skb: one segment
    // with both (`fin-lost-behind-small-segment`: `FP. seq=1 len=100`). With
    // tcp_retrans_collapse 0 the FIN waits for the segment's ACK.
    for collapse in [true, false] {
        let mut h = socket_established_40ms(65_535);
        h.s.sack_ok = true;
        h.p.tail_loss_probe = false;
        h.p.retrans_collapse = collapse;
        write(&mut h, 100);
        recv!(h, ["P. seq=1 ack=1 len=100"]);
        h.with(|s, ctx| s.app_close(ctx));
        recv!(h, ["F. seq=101 ack=1 len=0"]);
        fire_until_rto(&mut h);
        if collapse {
            recv!(h, ["FP. seq=1 ack=1 len=100"]);
        } else {
            recv!(h, ["P. seq=1 ack=1 len=100"]);
            h.wait_ms(40);
            send!(h, ". seq=1 ack=101");
            recv!(h, ["F. seq=101 ack=1 len=0"]);
        }
    }
}

#[test]
fn a_loss_probe_resends_a_lone_fin_alone() {
    // `tcp_send_loss_probe` resends the last skb of the queue, the FIN's own: measured on
    // 6.18 (`fin-lost-behind-*-segment` with tcp_early_retrans 3), `F. seq=1449` alone.
    let mut h = full_segment_then_fin_lost(true);
    fire(&mut h, TimerKind::Retransmit);
    recv!(h, ["F. seq=1461 ack=1 len=0"]);
    assert_eq!(h.s.stats.timeouts, 0);
}

#[test]
fn without_sack_a_duplicate_ack_beyond_the_flight_is_reordering_and_sets_the_degree() {
    // `tcp_add_reno_sack` → `tcp_check_reno_reordering`: four segments out beyond the
    // acknowledged first, one hole among them, so at most three duplicate ACKs can stand
    // for segments that arrived (`tcp_limit_reno_sacked`). The third starts the fast
    // retransmission; a fourth can only mean the hole was reordered, not lost (its
    // original and its copy both arrived): the count is held at three and `tp->reordering`
    // becomes the segments out, 4 (measured on 6.18, `reno-reordering`: 8 after eight).
    let mut h = socket_established_40ms(65_535);
    write(&mut h, 5 * 1460);
    assert_eq!(h.sent().len(), 5);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    send!(h, ". seq=1 ack=1461");
    send!(h, ". seq=1 ack=1461");
    recv_nothing!(h);
    send!(h, ". seq=1 ack=1461");
    recv!(h, [". seq=1461 ack=1 len=1460"]);
    assert_eq!((h.s.reord.seen, h.s.reord.degree), (0, 3));
    send!(h, ". seq=1 ack=1461");
    assert_eq!((h.s.reord.seen, h.s.reord.degree), (1, 4));
    assert_eq!(
        h.s.reno_sacked, 3,
        "held to the segments out beyond the hole"
    );
}

#[test]
fn without_sack_the_fast_retransmission_waits_for_tp_reordering_duplicate_acks() {
    // `tcp_newreno_mark_lost`: the head is lost once `sacked_out >= tp->reordering`, the
    // degree reordering set (here as `tcp_check_reno_reordering` would have), not the
    // `tcp_reordering` sysctl's 3.
    let mut h = socket_established_40ms(65_535);
    h.s.reord.degree = 5;
    write(&mut h, 10 * 1460);
    assert_eq!(h.sent().len(), 10);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=1461");
    for _ in 0..4 {
        send!(h, ". seq=1 ack=1461");
    }
    assert!(
        !h.sent().iter().any(|l| l.starts_with(". seq=1461 ")),
        "no fast retransmission before the 5th duplicate ACK"
    );
    assert!(!h.s.cc.in_recovery());
    send!(h, ". seq=1 ack=1461");
    assert!(h.sent().iter().any(|l| l == ". seq=1461 ack=1 len=1460"));
    assert!(h.s.cc.in_recovery());
}

#[test]
fn once_reordering_raised_the_degree_a_sack_of_new_data_grows_cwnd() {
    // `tcp_may_raise_cwnd`: cwnd grows on in-order delivery only (FLAG_DATA_ACKED), unless
    // `tp->reordering` is above the `tcp_reordering` sysctl: then on any forward progress,
    // a SACK of new data in the disorder state too (FLAG_DATA_SACKED).
    let grown = |degree: u32| {
        let mut h = socket_sending_ten_with_sack();
        h.s.reord.degree = degree;
        h.wait_ms(40);
        send!(h, ". seq=1 ack=1461");
        let cwnd = h.s.cc.cwnd;
        send!(h, ". seq=1 ack=1461 sack=2921-4381");
        assert!(!h.s.cc.in_recovery());
        h.s.cc.cwnd - cwnd
    };
    assert_eq!(grown(3), 0, "RFC 5681: a SACK is no in-order delivery");
    assert_eq!(
        grown(10),
        1460,
        "slow start: one segment for the one SACKed"
    );
}

#[test]
fn without_sack_a_partial_ack_covering_the_resent_head_after_an_rto_is_no_f_rto_undo() {
    // `tcp_clean_rtx_queue`: without SACK, an ACK that covers a retransmitted segment clears
    // FLAG_ORIG_SACK_ACKED ("non-SACK case cannot confirm that progress was due to original
    // transmission"), so F-RTO's step 3b cannot call the RTO spurious on it: the rest stays
    // lost and goes out as cwnd grows (`tcp_process_loss`, REXMIT_LOST). Measured on 6.18
    // (rto-keeps-sacked with tcp_sack 0): the ACK after the RTO's retransmission brings the
    // five segments still missing at once, no second RTO.
    let mut h = socket_established_40ms(65_535);
    write(&mut h, 5 * 1460);
    assert_eq!(h.sent().len(), 5);
    fire_until_rto(&mut h);
    recv!(h, [". seq=1 ack=1 len=1460"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=4381");
    recv!(
        h,
        [". seq=4381 ack=1 len=1460", "P. seq=5841 ack=1 len=1460"]
    );
    assert!(h.s.undo.is_some(), "the RTO's cut stands");
}

#[test]
fn a_go_back_n_resend_of_a_two_segment_skb_pushes_its_second_segment() {
    // `tcp_xmit_retransmit_queue` resends whole skbs while cwnd has room, and
    // `__tcp_transmit_skb` forces PSH on a chunk of more than one segment (GSO leaves it
    // on the last). Without SACK, after an RTO and a partial ACK of three segments (cwnd
    // 1 + 3), the rest goes back-to-back: the lone rest of a cut skb without PSH, each
    // two-segment skb with PSH on its second segment. Measured on 6.18
    // (`reno-rto-go-back-n`): 7241 ., 8689 ., 10137 P., 11585 ., 13033 P.
    let mut h = socket_established_40ms(65_535);
    write(&mut h, 10 * 1460);
    let first = h.sent();
    assert_eq!(
        first[3], "P. seq=4381 ack=1 len=1460",
        "skbs of two segments"
    );
    fire_until_rto(&mut h);
    recv!(h, [". seq=1 ack=1 len=1460"]);
    h.wait_ms(40);
    send!(h, ". seq=1 ack=4381");
    // Room for four: 4381 (the rest of the skb 2921-5841), the skb 5841-8761 whole, and
    // one segment of 8761-11681, cut there.
    recv!(
        h,
        [
            ". seq=4381 ack=1 len=1460",
            ". seq=5841 ack=1 len=1460",
            "P. seq=7301 ack=1 len=1460",
            ". seq=8761 ack=1 len=1460",
        ]
    );
}

/// A 40 ms connection in congestion avoidance (cwnd = ssthresh = 10) that has written 60
/// segments and sent the first ten.
fn ten_in_flight_in_congestion_avoidance() -> Harness {
    socket_sending_ten(60, |h| {
        h.s.cc.cwnd = 10 * 1460;
        h.s.cc.ssthresh = 10 * 1460;
    })
}

#[test]
fn after_an_rtt_spike_segments_leave_one_per_ack_without_psh_until_srtt_settles() {
    // `tcp_tso_should_defer` (6.18, commit 295ce1eb36ae "tcp: fix tcp_tso_should_defer() vs
    // large RTT"): a chunk cut short by cwnd waits for the next ACK only if the oldest
    // segment's ACK is expected within min(1 ms, SRTT/2), the expected time being its
    // transmission plus SRTT. In congestion avoidance each ACK frees one segment: normally
    // the second ACK of a round waits and the third sends a pair (PSH on its second
    // segment, `__tcp_transmit_skb`). A round trip 20 ms longer (ACKs held on the way)
    // lifts SRTT well above the path's RTT, so the next round's ACKs seem early and every
    // one sends a lone segment without PSH until SRTT comes back within 1 ms. Measured on
    // 6.18 (lab case cubic-rtt-spike: one round's ACKs held 20 ms, the next round's ten
    // segments leave one per ACK, PSH only where the skb or the write ends).
    let mut h = ten_in_flight_in_congestion_avoidance();
    // The round's ACKs come 60 ms after it left instead of 40.
    h.wait_ms(60);
    send!(h, ". seq=1 ack=1461 win=65535");
    recv!(h, [". seq=14601 ack=1 len=1460"]);
    send!(h, ". seq=1 ack=2921 win=65535");
    recv_nothing!(h);
    send!(h, ". seq=1 ack=4381 win=65535");
    recv!(
        h,
        [". seq=16061 ack=1 len=1460", "P. seq=17521 ack=1 len=1460"]
    );
    for i in 4..=10u32 {
        send!(h, &format!(". seq=1 ack={} win=65535", 1 + 1460 * i));
    }
    h.sent();
    assert!(h.s.rtt.srtt.is_some_and(|s| s > 54_000));
    // The next round's ACKs are on time: one lone segment each.
    h.wait_ms(40);
    for i in 11..=19u32 {
        send!(h, &format!(". seq=1 ack={} win=65535", 1 + 1460 * i));
        let seq = 29_201 + 1460 * (i - 11);
        assert_eq!(h.sent(), [format!(". seq={seq} ack=1 len=1460")], "ACK {i}");
    }
}

#[test]
fn a_pure_ack_sent_just_before_is_the_last_write_that_lets_a_chunk_wait() {
    // `tcp_tso_should_defer` defers only if the last write was within 1 ms
    // (`tcp_clock_cache - tcp_wstamp_ns`), and `__tcp_transmit_skb` moves
    // `tcp_wstamp_ns` for every segment, a pure ACK too: not only for new data
    // (`lsndtime`). A round's first ACK normally finds the last data a round old and sends
    // its one free segment at once; if the socket has just ACKed the peer's data, that ACK
    // is the recent write, the oldest segment's ACK is due (sent one SRTT ago), and the
    // segment waits for the next ACK to leave as a pair (PSH on its second segment,
    // `__tcp_transmit_skb`).
    let mut h = ten_in_flight_in_congestion_avoidance();
    h.now += 39_500;
    // The peer's first data: quick-ACK mode ACKs it at once.
    send!(h, "P. seq=1 ack=1 len=10 win=65535");
    recv!(h, [". seq=14601 ack=11 len=0"]);
    h.now += 500;
    send!(h, ". seq=11 ack=1461 win=65535");
    recv_nothing!(h);
    send!(h, ". seq=11 ack=2921 win=65535");
    recv!(
        h,
        [
            ". seq=14601 ack=11 len=1460",
            "P. seq=16061 ack=11 len=1460"
        ]
    );
}

#[test]
fn time_wait_rejects_a_rst_with_an_old_timestamp_only_within_paws_msl_of_its_stamp() {
    // `tcp_paws_reject(rx_opt, rst)`: an older TSval rejects a RST only while
    // `ktime_get_seconds()` is before `ts_recent_stamp + TCP_PAWS_MSL` (60 s); a newer or
    // equal one never; nothing is judged without timestamps or a recorded ts_recent.
    let mut h = socket_time_wait();
    h.s.ts_ok = true;
    h.s.store_ts_recent(1_000, h.now);
    let rst = |tsval: Option<u32>| TcpHeader {
        seq: 0,
        ack: 0,
        flags: TcpFlags {
            rst: true,
            ..TcpFlags::default()
        },
        window: 0,
        header_len: 32,
        options: TcpOptions {
            timestamps: tsval.map(|v| (v, 0)),
            ..TcpOptions::default()
        },
    };
    let stamp = h.now;
    let at = |s: u64| stamp + s * 1_000_000;
    assert!(h.s.time_wait_paws_rejects_rst(&rst(Some(999)), at(0)));
    assert!(h.s.time_wait_paws_rejects_rst(&rst(Some(1)), at(59)));
    assert!(!h.s.time_wait_paws_rejects_rst(&rst(Some(1)), at(61)));
    assert!(!h.s.time_wait_paws_rejects_rst(&rst(Some(1_000)), at(0)));
    assert!(!h.s.time_wait_paws_rejects_rst(&rst(Some(1_001)), at(0)));
    assert!(!h.s.time_wait_paws_rejects_rst(&rst(None), at(0)));
    h.s.store_ts_recent(0, stamp);
    assert!(!h.s.time_wait_paws_rejects_rst(&rst(Some(1)), at(0)));
}
