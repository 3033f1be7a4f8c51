//! The cases `compare` and `record` run: each one scenario value, run as it is by the kernel
//! (through `runner`) and by the model. Two hosts 20 ms apart one way, a listener on
//! server:9999, clients on ephemeral ports; every case watched for a fixed time
//! (`limits.max_time_us`) so both runs cover the same span.
//!
//! Kept small on purpose: each case isolates one behaviour the scenes teach, and its kernel
//! recording stays a few kilobytes (the two CUBIC cases, bulk transfers of ten round trips,
//! about 270 kB each).

use synack_model::profile::{ProfileId, ProfileOverrides};
use synack_model::scenario::{
    Action, AppScript, FaultAction, FaultRule, HostSpec, Limits, LinkSpec, NetworkSpec, Scenario,
    SegmentMatch, SocketSpec, Step,
};
use synack_model::trace::{Proto, ShutHow, SockOpt};

/// One-way delay of every case, ms: long enough that sock_diag (polled every ms) sees short
/// states such as SYN-SENT, and that two FINs can cross.
const DELAY_MS: u64 = 20;

/// Every case, by name, in the order `compare all` and `record` run them.
pub const NAMES: [&str; 97] = [
    "handshake-normal",
    "handshake-syn-lost",
    "handshake-synack-lost",
    "handshake-syn-timeout",
    "handshake-syn-exponential",
    "teardown-client-first",
    "teardown-server-first",
    "teardown-both",
    "teardown-abort",
    "teardown-half-close",
    "close-with-unread-data",
    "connect-refused",
    "backlog-full-syncookies",
    "backlog-full-no-syncookies",
    "loss-fast-retransmit",
    "loss-tail",
    "rto-collapse",
    "rto-keeps-sacked",
    "rto-ssthresh-once",
    "rto-spurious",
    "rto-spurious-no-timestamps",
    "rto-spurious-then-write",
    "rto-backoff-karn",
    "rto-backoff-karn-no-timestamps",
    "reorder-dsack-undo",
    "dsack-without-reordering-keeps-reo-wnd",
    "reorder-seen-widens-reo-wnd",
    "reno-reordering",
    "reno-undo",
    "reno-undo-no-timestamps",
    "sack-reordering-grows-cwnd",
    "sack-compression",
    "reno-rto-go-back-n",
    "cubic-one-loss",
    "cubic-three-losses",
    "cubic-two-holes",
    "cubic-rtt-spike",
    "psh-writes",
    "psh-half-window",
    "send-buffer-bulk-write",
    "idle-restart",
    "idle-no-restart",
    "delayed-ack",
    "delayed-ack-no-reader",
    "delayed-ack-nearly-due",
    "delayed-ack-pushed-read",
    "delayed-ack-pushed-full",
    "retries2-timeout",
    "retries2-rto-max",
    "orphan-fin-lost",
    "fin-lost-behind-full-segment",
    "fin-lost-behind-small-segment",
    "fin-wait2-timeout",
    "zero-window",
    "zero-window-user-timeout",
    "zero-window-after-rto",
    "ofo-window-growth",
    "rst-in-close-wait",
    "send-after-shutdown",
    "close-unread-in-fin-wait-2-resets",
    "data-after-shut-rdwr-resets",
    "rst-in-last-ack-then-send-econnreset",
    "crossing-aborts-rst-at-listener",
    "data-read-after-rst-then-enotconn",
    "listener-closed-request-dies-quietly",
    "time-wait-assassinated",
    "time-wait-rebind",
    "time-wait-rebind-reuseaddr",
    "time-wait-reconnect",
    "time-wait-reconnect-no-timestamps",
    "time-wait-reconnect-client-first",
    "time-wait-reconnect-client-first-reuseaddr",
    "time-wait-reconnect-client-first-reuseaddr-no-timestamps",
    "time-wait-ephemeral-tw-reuse-0",
    "time-wait-ephemeral-too-soon",
    "time-wait-ephemeral-tw-reuse-1",
    "time-wait-ephemeral-loopback-only",
    "time-wait-ephemeral-delay-100",
    "time-wait-ephemeral-no-timestamps",
    "small-writes-nodelay",
    "small-writes-nagle",
    "tcp-cork",
    "msg-more",
    "tcp-quickack",
    "tcp-user-timeout",
    "so-linger-time",
    "shutdown-rd",
    "poll-timeout",
    "tcp-info",
    "reuseport-listen",
    "options-no-timestamps",
    "options-no-sack",
    "autotune-reader",
    "autotune-moderate-0",
    "autotune-so-rcvbuf",
    "autotune-slow-reader",
    "autotune-rmem-max",
];

/// The scenario of case `name`.
pub fn scenario(name: &str) -> Option<Scenario> {
    let send = |len| Step::now(Action::send(len));
    // A 5-byte request and its 5-byte answer, then each side's own steps.
    let answer_then = |then: Vec<Step>| listen_accept([vec![recv(), send(5)], then].concat());
    let ask_then = |then: Vec<Step>| [vec![connect_at(50), send(5), recv()], then].concat();
    // A reader that looks once the transfer is over: how many bytes each recv() returns while
    // segments arrive microseconds apart depends on when the kernel wakes the reader thread,
    // which is the machine's scheduling, not TCP.
    let late_read = |t: u64| Step::at(ms(t), Action::Recv { max: 65536 });
    let mut sc = match name {
        "handshake-normal" => base(
            name,
            "three-way handshake, nothing lost",
            500,
            listen_accept(vec![]),
            vec![connect_at(50)],
        ),
        // The option layout without one of the options (`tcp_options_write`): without
        // timestamps the SYN pads SACK-permitted with two NOPs (MSS, NOP, NOP, SACK_PERM, NOP,
        // WS) and the data segments carry no options; without SACK the timestamps get the
        // NOPs (MSS, NOP, NOP, TS, NOP, WS). The sysctl is set in both namespaces.
        "options-no-timestamps" | "options-no-sack" => {
            let no_ts = name == "options-no-timestamps";
            let mut sc = base(
                name,
                if no_ts {
                    "tcp_timestamps=0: SYN options MSS, NOP, NOP, SACK_PERM, NOP, WS; data                      segments without options"
                } else {
                    "tcp_sack=0: SYN options MSS, NOP, NOP, TS, NOP, WS"
                },
                500,
                listen_accept(vec![recv()]),
                vec![connect_at(50), Step::at(ms(150), send(5).action)],
            );
            if no_ts {
                sc.tuning.timestamps = Some(false);
            } else {
                sc.tuning.sack_permitted = Some(false);
            }
            sc
        }
        "handshake-syn-lost" => with_fault(
            base(
                name,
                "the first SYN is lost: connect() retransmits it after the initial RTO",
                2_000,
                listen_accept(vec![]),
                vec![connect_at(50)],
            ),
            "client",
            SegmentMatch::Syn,
            Some(1),
        ),
        "handshake-synack-lost" => with_fault(
            with_fault(
                base(
                    name,
                    "the first SYN-ACK is lost, and so is the client's SYN retransmission: the \
                     server's SYN-ACK timer recovers the handshake",
                    2_500,
                    listen_accept(vec![]),
                    vec![connect_at(50)],
                ),
                "server",
                SegmentMatch::SynAck,
                Some(1),
            ),
            // Without this second drop the client's retransmitted SYN reaches the server
            // exactly when the server's own SYN-ACK timer fires (both 1 s after times one
            // one-way delay apart), and which comes first is a race on the kernel: recordings
            // showed one SYN-ACK, or two.
            "client",
            SegmentMatch::Syn,
            Some(2),
        ),
        "handshake-syn-timeout" => {
            let mut sc = with_fault(
                base(
                    name,
                    "every SYN is lost, tcp_syn_retries=2: the retransmission schedule and the \
                     moment connect() fails",
                    9_000,
                    listen_accept(vec![]),
                    vec![connect_at(50)],
                ),
                "client",
                SegmentMatch::Syn,
                None,
            );
            sc.tuning.syn_retries = Some(2);
            sc
        }
        "handshake-syn-exponential" => {
            let mut sc = with_fault(
                base(
                    name,
                    "every SYN is lost, tcp_syn_retries=2 and tcp_syn_linear_timeouts=0: the \
                     textbook doubling (1 s, 2 s) and the time budget tcp_syn_retries stands \
                     for, 7 s from the first SYN",
                    8_000,
                    listen_accept(vec![]),
                    vec![connect_at(50)],
                ),
                "client",
                SegmentMatch::Syn,
                None,
            );
            sc.tuning.syn_retries = Some(2);
            sc.tuning.syn_linear_timeouts = Some(0);
            sc
        }
        "teardown-client-first" => base(
            name,
            "request and answer, the client closes first, the server 100 ms after EOF",
            1_000,
            answer_then(vec![recv(), Step::after(ms(100), Action::Close {})]),
            ask_then(vec![Step::at(ms(300), Action::Close {})]),
        ),
        "teardown-server-first" => base(
            name,
            "request and answer, the server closes first, the client 100 ms after EOF",
            1_000,
            answer_then(vec![Step::at(ms(300), Action::Close {})]),
            ask_then(vec![recv(), Step::after(ms(100), Action::Close {})]),
        ),
        "teardown-both" => base(
            name,
            "both close at the same moment: the FINs cross (simultaneous close, CLOSING)",
            1_000,
            answer_then(vec![Step::at(ms(300), Action::Close {})]),
            ask_then(vec![Step::at(ms(300), Action::Close {})]),
        ),
        "teardown-abort" => base(
            name,
            "the client aborts (SO_LINGER 0): an RST, and the server's recv() fails",
            1_000,
            answer_then(vec![recv()]),
            ask_then(vec![Step::at(ms(300), Action::Abort {})]),
        ),
        "teardown-half-close" => base(
            name,
            "the client sends its request and shuts down its sending side (SHUT_WR); the server \
             reads to EOF, answers, and closes",
            1_000,
            listen_accept(vec![
                recv(),
                recv(),
                send(5),
                Step::after(ms(50), Action::Close {}),
            ]),
            vec![
                connect_at(50),
                send(5),
                Step::at(ms(200), Action::Shutdown { how: ShutHow::Wr }),
                recv(),
                recv(),
                Step::after(ms(50), Action::Close {}),
            ],
        ),
        "close-with-unread-data" => base(
            name,
            "the server closes without reading the 5 bytes it received: an RST instead of a \
             FIN (RFC 2525 §2.17), and the client's recv() fails",
            1_000,
            listen_accept(vec![Step::at(ms(300), Action::Close {})]),
            vec![connect_at(50), send(5), recv()],
        ),
        "connect-refused" => {
            let mut sc = base(
                name,
                "nobody listens on the port: the SYN is answered by an RST and connect() fails \
                 with ECONNREFUSED",
                500,
                vec![],
                vec![connect_at(50)],
            );
            sc.sockets.retain(|s| s.label != "listener");
            sc.apps.retain(|a| a.socket != "listener");
            sc
        }
        "backlog-full-syncookies" => backlog(name, true),
        "backlog-full-no-syncookies" => backlog(name, false),
        "loss-fast-retransmit" => with_fault(
            base(
                name,
                "ten full segments, the second one lost: duplicate ACKs with SACK, fast \
                 retransmit",
                1_500,
                listen_accept(vec![late_read(1_000)]),
                vec![connect_at(50), Step::at(ms(200), send(14_480).action)],
            ),
            "client",
            SegmentMatch::Data,
            Some(2),
        ),
        "loss-tail" => with_fault(
            base(
                name,
                "ten full segments, the last one lost: no duplicate ACKs, a tail loss probe or \
                 an RTO recovers it",
                2_000,
                listen_accept(vec![late_read(1_500)]),
                vec![connect_at(50), Step::at(ms(200), send(14_480).action)],
            ),
            "client",
            SegmentMatch::Data,
            Some(10),
        ),
        // `tcp_retrans_try_collapse`: two 5-byte segments (TCP_NODELAY) and the loss probe
        // that resends the second are lost; the RTO resends the head with the second merged
        // in, one 10-byte segment (tcp_retrans_collapse 1, the default).
        "rto-collapse" => {
            let mut sc = base(
                name,
                "two 5-byte writes lost, and the loss probe too: the RTO resends them as one \
                 10-byte segment (tcp_retrans_collapse)",
                1_500,
                listen_accept(vec![recv(), recv()]),
                vec![connect_at(50), Step::at(ms(200), send(5).action), send(5)],
            );
            sc.sockets
                .iter_mut()
                .find(|s| s.label == "client")?
                .no_delay = true;
            for n in [1, 2, 3] {
                sc = with_fault(sc, "client", SegmentMatch::Data, Some(n));
            }
            sc
        }
        // An RTO with SACKed segments outstanding (`tcp_enter_loss`, `tcp_timeout_mark_lost`):
        // the 2nd and 6th segments and both fast retransmissions (the 11th and 12th data
        // segments sent) are lost, so the RTO fires with 3-5 and 7-10 SACKed; only the two
        // holes are sent again, one per ACK, never the SACKed segments.
        "rto-keeps-sacked" => {
            let mut sc = base(
                name,
                "ten full segments, the 2nd and 6th lost and so are their fast \
                 retransmissions: the RTO resends the 2nd, its ACK brings the 6th, and the \
                 SACKed segments are never sent again",
                3_000,
                listen_accept(vec![late_read(2_500)]),
                vec![connect_at(50), Step::at(ms(200), send(14_480).action)],
            );
            for n in [2, 6, 11, 12] {
                sc = with_fault(sc, "client", SegmentMatch::Data, Some(n));
            }
            sc
        }
        // Three RTOs in a row (`tcp_enter_loss`): ssthresh is cut at the first (CUBIC's 0.7 of
        // cwnd 10) and kept at the next two, whose SND.NXT is still unacknowledged; then
        // slow start from one segment back up to it. The ten segments, the loss probe and
        // the first two RTO retransmissions (13 data segments) are lost.
        "rto-ssthresh-once" => {
            let mut sc = base(
                name,
                "ten full segments all lost, and the loss probe and two RTO retransmissions \
                 too: TCP_INFO shows ssthresh 7 (CUBIC's 0.7 of 10) through three RTOs, then \
                 cwnd slow-starting back to it",
                2_500,
                listen_accept(vec![late_read(2_400)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(14_480).action),
                    Step::at(ms(600), Action::TcpInfo {}),
                    Step::at(ms(1_000), Action::TcpInfo {}),
                    Step::at(ms(1_550), Action::TcpInfo {}),
                    Step::at(ms(2_300), Action::TcpInfo {}),
                ],
            );
            for n in 1..=13 {
                sc = with_fault(sc, "client", SegmentMatch::Data, Some(n));
            }
            sc
        }
        // A spurious RTO (RFC 5682, RFC 3522): nothing is lost, but every ACK the server
        // sends between 0.2 and 0.8 s is held 600 ms by the wire, so the client's loss probe
        // and RTO fire while its data is safely there. The held ACKs then arrive in the loss
        // state: the first one echoes a timestamp older than the RTO's retransmission (Eifel,
        // `tcp_packet_delayed`) or, without timestamps, acknowledges data that was never
        // retransmitted (F-RTO step 3b), and `tcp_try_undo_loss` restores cwnd and ssthresh.
        // TCP_INFO afterwards shows the window. With `tcp_frto` 0 and no timestamps only the
        // D-SACKs that answer the retransmissions can undo it (`undo_retrans`), once all of
        // them are back. `rto-spurious-then-write` writes again after the undo: the held
        // ACKs of the retransmitted head give no RTT of their own (Karn), so Linux times
        // them by their timestamp echo (`tcp_ack_update_rtt` → `tcp_rtt_tsopt_us`), 640 ms,
        // and the RTO that lengthens decides whether the pause before the write counts as
        // idle (`tcp_cwnd_restart`: idle longer than the RTO halves cwnd per RTO).
        "rto-spurious" | "rto-spurious-no-timestamps" | "rto-spurious-then-write" => {
            let second_write = name == "rto-spurious-then-write";
            let mut client = vec![
                connect_at(50),
                Step::at(
                    ms(200),
                    send(if name == "rto-spurious-no-timestamps" {
                        28_960
                    } else {
                        14_480
                    })
                    .action,
                ),
                Step::at(ms(1_300), Action::TcpInfo {}),
            ];
            if second_write {
                client.push(Step::at(ms(1_350), send(28_960).action));
                client.push(Step::at(ms(1_700), Action::TcpInfo {}));
            }
            let mut sc = base(
                name,
                if name == "rto-spurious" {
                    "ten full segments whose ACKs the wire holds 600 ms: a loss probe and an \
                     RTO fire although nothing was lost; the held ACK echoes a timestamp \
                     older than the retransmission (Eifel), so the RTO's window cut is undone"
                } else if second_write {
                    "the spurious RTO of rto-spurious, then twenty more segments at 1.35 s: \
                     the held ACKs' timestamp echoes gave a 640 ms RTT, the RTO grew past \
                     the pause, so the window is not restarted after idle: all twenty leave \
                     at once"
                } else {
                    "twenty segments written, ten sent, their ACKs held 600 ms, no \
                     timestamps: after the RTO the first held ACK lets F-RTO send new data, \
                     the next acknowledges data never retransmitted, and the cut is undone"
                },
                if second_write { 1_800 } else { 1_500 },
                listen_accept(vec![late_read(1_400)]),
                client,
            );
            sc.faults.push(FaultRule {
                from: Some("server".into()),
                to: None,
                matches: SegmentMatch::PureAck,
                nth: None,
                after_us: Some(ms(200)),
                until_us: Some(ms(800)),
                action: FaultAction::Delay { by_us: ms(600) },
            });
            if name == "rto-spurious-no-timestamps" {
                sc.tuning.timestamps = Some(false);
            }
            sc
        }
        // When the RTO's backoff ends (RFC 6298 §5.5 and Karn's rule, §3; Linux keeps the
        // doubled `icsk_rto` until `tcp_ack_update_rtt` takes a valid RTT sample and calls
        // `tcp_set_rto`, while `icsk_retransmits` restarts on any ACK of new data): a 5-byte
        // write whose first three copies are lost (the first, the loss probe, the first RTO's
        // retransmission); the second RTO's copy arrives, and its ACK acknowledges only
        // retransmitted data. With timestamps the echo times it (`tcp_rtt_tsopt_us`) and the
        // RTO falls back; without, Karn's rule leaves no sample, and the next write, its
        // first copy and loss probe lost too, is resent after the RTO doubled twice.
        "rto-backoff-karn" | "rto-backoff-karn-no-timestamps" => {
            let no_ts = name == "rto-backoff-karn-no-timestamps";
            let mut sc = base(
                name,
                if no_ts {
                    "a 5-byte write resent by two RTOs, no timestamps: the ACK of the last \
                     copy gives no RTT sample (Karn), so the RTO stays doubled twice and the \
                     next write's lost segment waits four times the RTO"
                } else {
                    "a 5-byte write resent by two RTOs: the ACK of the last copy echoes its \
                     timestamp, a valid RTT sample, so the RTO falls back and the next \
                     write's lost segment is resent one plain RTO later"
                },
                3_500,
                listen_accept(vec![late_read(3_400)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(5).action),
                    Step::at(ms(1_450), send(5).action),
                ],
            );
            for n in [1, 2, 3, 5, 6] {
                sc = with_fault(sc, "client", SegmentMatch::Data, Some(n));
            }
            if no_ts {
                sc.tuning.timestamps = Some(false);
            }
            sc
        }
        // A fast retransmission made spurious by reordering: the second segment is held
        // 60 ms on the wire, so RACK resends it (the SACKs of the eight after it leave no
        // reordering window); the resent copy fills the hole first and the late original
        // draws a D-SACK, which shows every retransmission was unneeded (`undo_retrans` 0):
        // `tcp_try_undo_dsack` in the open state gives the window back.
        "reorder-dsack-undo" => {
            let mut sc = base(
                name,
                "ten full segments, the second held 60 ms on the wire: RACK resends it, the \
                 late original draws a D-SACK, and the window cut is undone",
                1_500,
                listen_accept(vec![late_read(1_400)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(14_480).action),
                    Step::at(ms(1_000), Action::TcpInfo {}),
                ],
            );
            sc.faults.push(FaultRule::delay(
                "client",
                SegmentMatch::Data,
                Some(2),
                ms(60),
            ));
            sc
        }
        // RACK's reordering window grows by a step (min RTT / 4) on a D-SACK (RFC 8985 §6.2
        // step 4, `tcp_rack_update_reo_wnd`), but Linux counts a D-SACK for it only once
        // reordering has been seen (`tcp_dsack_seen`: `if (tp->reord_seen ...)
        // tp->rack.dsack_seen = 1`). Over a 50 ms wire (min RTT 100 ms, 25 ms a step): the
        // first flight's 2nd segment is held 60 ms, resent at the third SACK (no reordering
        // seen: a hole filled only by its retransmission) and D-SACKed; the second flight's
        // 1st segment is held 45 ms, and its two followers' SACKs (fewer than
        // tcp_reordering) leave RACK a window of one step, 25 ms: it is resent 136 ms after it
        // left, before its ACK (two steps, 50 ms, would have waited for it).
        "dsack-without-reordering-keeps-reo-wnd" => {
            let mut sc = base(
                name,
                "a D-SACK without reordering seen leaves RACK's reordering window at one \
                 step: ten segments, the 2nd held 60 ms (resent, D-SACKed), then three more \
                 with the 1st held 45 ms: resent too, 25 ms after its followers' SACKs",
                2_000,
                listen_accept(vec![late_read(1_900)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(14_480).action),
                    Step::at(ms(1_200), send(4_344).action),
                ],
            );
            sc.network.default.latency_us = ms(50);
            for (nth, by) in [(2, 60), (12, 45)] {
                sc.faults.push(FaultRule::delay(
                    "client",
                    SegmentMatch::Data,
                    Some(nth),
                    ms(by),
                ));
            }
            sc
        }
        // What reordering seen changes (RFC 8985 §6.2; `tcp_check_sack_reordering`,
        // `tcp_rack_reo_wnd`, `tcp_rack_update_reo_wnd`), over a 50 ms wire (min RTT 100 ms,
        // a step of RACK's window 25 ms), four writes:
        // 1. three segments, the 1st held 15 ms: its followers' two SACKs leave a window of
        //    one step, and the original fills the hole first: reordering seen;
        // 2. ten segments, the 2nd lost: reordering seen, the window stays one step past
        //    the third SACK, so the fast retransmission waits 25 ms (without it, at once);
        // 3. three segments, the 1st held 40 ms: resent after one step, and the late
        //    original draws a D-SACK of the copy, which with reordering seen widens the
        //    window to two steps on the next ACK that delivers data;
        // 4. three segments, the 1st held 40 ms again: within two steps, not resent.
        "reorder-seen-widens-reo-wnd" => {
            let mut sc = base(
                name,
                "reordering seen keeps RACK's window: three segments with the 1st held 15 ms \
                 (no resend), ten with the 2nd lost (resent 25 ms after the third SACK), \
                 three with the 1st held 40 ms (resent, D-SACKed: the window doubles), three \
                 more the same (not resent)",
                2_600,
                listen_accept(vec![late_read(2_500)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(4_344).action),
                    Step::at(ms(700), send(14_480).action),
                    Step::at(ms(1_300), send(4_344).action),
                    Step::at(ms(1_900), send(4_344).action),
                ],
            );
            sc.network.default.latency_us = ms(50);
            // Data segments in sending order, retransmissions included: 1-3, 4-13 (+14,
            // the 5th resent), 15-17 (+18, the 15th resent), 19-21.
            for (nth, by) in [(1, 15), (15, 40), (19, 40)] {
                sc.faults.push(FaultRule::delay(
                    "client",
                    SegmentMatch::Data,
                    Some(nth),
                    ms(by),
                ));
            }
            with_fault(sc, "client", SegmentMatch::Data, Some(5))
        }
        // Reordering without SACK (`tcp_sack` 0, NewReno: `tcp_add_reno_sack`,
        // `tcp_newreno_mark_lost`). Ten segments, the 2nd and 3rd held 60 ms: the eight
        // after them draw duplicate ACKs, the third starts a fast retransmission of the 2nd,
        // whose ACK is partial (the 3rd is resent, RFC 6582). Then the held 2nd arrives, a
        // duplicate, and its duplicate ACK is one more than the segments out beyond the
        // hole: that can only be reordering (`tcp_limit_reno_sacked`), and
        // `tcp_check_reno_reordering` sets `tp->reordering` to the segments out, 8. The
        // second write of ten loses its 2nd segment (the 14th data segment sent): the fast
        // retransmission now waits for the 8th duplicate ACK, not the 3rd.
        "reno-reordering" => {
            let mut sc = base(
                name,
                "tcp_sack=0: ten segments, the 2nd and 3rd held 60 ms: one duplicate ACK more \
                 than the segments out is reordering, tp->reordering becomes 8; ten more with \
                 the 2nd lost: resent at the 8th duplicate ACK, not the 3rd",
                2_000,
                listen_accept(vec![late_read(1_900)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(14_480).action),
                    Step::at(ms(600), Action::TcpInfo {}),
                    Step::at(ms(700), send(14_480).action),
                    Step::at(ms(1_800), Action::TcpInfo {}),
                ],
            );
            sc.tuning.sack_permitted = Some(false);
            for nth in [2, 3] {
                sc.faults.push(FaultRule::delay(
                    "client",
                    SegmentMatch::Data,
                    Some(nth),
                    ms(60),
                ));
            }
            with_fault(sc, "client", SegmentMatch::Data, Some(14))
        }
        // The undo of a fast recovery without SACK (`tcp_try_undo_recovery`, `tcp_may_undo`):
        // ten segments, the 2nd held 30 ms, resent at the third duplicate ACK; the original
        // arrives first and its ACK reaches high_seq. With timestamps it echoes the original's
        // (older than the retransmission: `tcp_packet_delayed`) and the cut is undone
        // (ssthresh back to infinite) while the recovery is held at high_seq
        // (`tcp_is_non_sack_preventing_reopen`); without timestamps and D-SACK nothing can
        // show the retransmission was needless, and ssthresh stays cut.
        "reno-undo" | "reno-undo-no-timestamps" => {
            let no_ts = name == "reno-undo-no-timestamps";
            let mut sc = base(
                name,
                if no_ts {
                    "tcp_sack=0 and tcp_timestamps=0: the 2nd of ten segments held 30 ms is \
                     resent at the third duplicate ACK; nothing shows the original came first, \
                     so ssthresh stays cut (7)"
                } else {
                    "tcp_sack=0: the 2nd of ten segments held 30 ms is resent at the third \
                     duplicate ACK; the ACK of the original echoes a timestamp older than the \
                     retransmission, so the cut is undone (ssthresh infinite again)"
                },
                1_000,
                listen_accept(vec![late_read(900)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(14_480).action),
                    Step::at(ms(600), Action::TcpInfo {}),
                ],
            );
            sc.tuning.sack_permitted = Some(false);
            if no_ts {
                sc.tuning.timestamps = Some(false);
            }
            sc.faults.push(FaultRule::delay(
                "client",
                SegmentMatch::Data,
                Some(2),
                ms(30),
            ));
            sc
        }
        // `tcp_may_raise_cwnd`: cwnd grows on in-order delivery only, unless reordering has
        // raised `tp->reordering` above the `tcp_reordering` sysctl; then on every ACK of
        // forward progress, SACKs of new data too. Over a 50 ms wire (RACK's window 25 ms once
        // reordering is seen), three writes: 3 segments with the 1st held 15 ms (reordering
        // seen, nothing resent); 8 with the 5th held 15 ms (its original fills the hole 4
        // segments below the highest SACK: `tcp_check_sack_reordering` raises the degree to
        // 4); 14 with the 11th held 15 ms, whose three followers' SACKs now grow cwnd in slow
        // start: 24 at the end, where counting in-order delivery only gives 21. (Flights
        // with at most three SACKs each: past three duplicate ACKs the Linux receiver
        // compresses its SACKs, `__tcp_ack_snd_check`; see `sack-compression`.)
        "sack-reordering-grows-cwnd" => {
            let mut sc = base(
                name,
                "reordering raises tp->reordering to 4, and then SACKs grow cwnd too: three \
                 writes (3, 8, 14 segments) each with one segment held 15 ms; cwnd 24 after \
                 the third, not 21",
                2_000,
                listen_accept(vec![late_read(1_900)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(3 * 1448).action),
                    Step::at(ms(700), send(8 * 1448).action),
                    Step::at(ms(1_250), Action::TcpInfo {}),
                    Step::at(ms(1_300), send(14 * 1448).action),
                    Step::at(ms(1_850), Action::TcpInfo {}),
                ],
            );
            sc.network.default.latency_us = ms(50);
            // Data segments in sending order: 1-3, 4-11, 12-25.
            for nth in [1, 8, 22] {
                sc.faults.push(FaultRule::delay(
                    "client",
                    SegmentMatch::Data,
                    Some(nth),
                    ms(15),
                ));
            }
            sc
        }
        // `__tcp_ack_snd_check`'s SACK compression: the receiver's quick ACKs are spent and
        // its window has stopped growing (`tcp_grow_window` would set a quick ACK) after a
        // first write of 20 segments, read at 280 ms; the second write's 2nd segment is
        // lost. Its 18 followers draw 4 duplicate ACKs at once (measured on 6.18), then one
        // for the other 14, min(tcp_comp_sack_delay_ns, 5 % of the receiver's RTT) +
        // tcp_comp_sack_slack_ns later.
        "sack-compression" => {
            let mut sc = base(
                name,
                "SACK compression: two writes of 20 full segments, the second write's 2nd \
                 lost: a few duplicate ACKs at once, then the receiver holds its SACKs back \
                 and sends one for several",
                1_500,
                listen_accept(vec![late_read(280), late_read(1_000)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(20 * 1448).action),
                    Step::at(ms(300), send(20 * 1448).action),
                ],
            );
            sc.faults
                .push(FaultRule::drop("client", SegmentMatch::Data, Some(22)));
            sc
        }
        // An RTO without SACK (`tcp_sack` 0): the 2nd and 6th segments are lost, and so are
        // the fast retransmission of the 2nd and the first RTO's copy. The RTO marks every
        // segment lost (`tcp_timeout_mark_lost`); the second RTO's copy brings a partial ACK
        // up to the 6th. It covers a retransmitted segment, so without SACK it proves
        // nothing about the originals (`tcp_clean_rtx_queue` clears FLAG_ORIG_SACK_ACKED):
        // no F-RTO undo, and the five segments from the 6th on go out at once, go-back-N,
        // as cwnd grew by the four acknowledged (`tcp_process_loss`, REXMIT_LOST), each
        // skb whole: the lone rest of the cut one without PSH, the two-segment ones with PSH
        // forced on their second segment (`__tcp_transmit_skb`, a GSO chunk).
        "reno-rto-go-back-n" => {
            let mut sc = base(
                name,
                "tcp_sack=0: ten segments, the 2nd and 6th lost and the 2nd's fast \
                 retransmission and first RTO copy too: the partial ACK after the second RTO \
                 is no proof the RTO was spurious, and the five missing segments go out at once",
                3_000,
                listen_accept(vec![late_read(2_500)]),
                vec![connect_at(50), Step::at(ms(200), send(14_480).action)],
            );
            sc.tuning.sack_permitted = Some(false);
            for n in [2, 6, 11, 12] {
                sc = with_fault(sc, "client", SegmentMatch::Data, Some(n));
            }
            sc
        }
        // CUBIC after a loss (`tcp_cubic.c`, RFC 9438) and RACK-TLP recovery (RFC 8985) with
        // PRR (RFC 6937), in a bulk transfer: 400 kB over a 50 ms wire (100 ms round trips,
        // so that the relay's fraction of a millisecond per hop stays far below the 5 %
        // tolerance), 4 MiB buffers on both ends (SO_RCVBUF locks the receive buffer, whose
        // window then never limits the sender), the reader reading once it is all there.
        // The 40th data segment is lost (the 10th of the third round), or the 40th to 42nd.
        // Kernel and model agree segment by segment; CUBIC's growth depends on elapsed
        // time, and the relay makes the kernel's round trips about 4 % longer than the
        // wire's 100 ms, which after about eight round trips puts one growth step a segment
        // later (measured with 600 kB: the 9th round after the loss has 42 segments in
        // the kernel, 41 in the model): the transfer ends before that.
        "cubic-one-loss" | "cubic-three-losses" | "cubic-two-holes" => {
            let three = name == "cubic-three-losses";
            let two = name == "cubic-two-holes";
            let mut sc = base(
                name,
                if two {
                    "a bulk transfer that loses two segments 20 apart (the 40th and 60th): \
                     RACK marks each when a segment sent after it is SACKed, both are resent \
                     in one recovery and cwnd is cut once"
                } else if three {
                    "a bulk transfer that loses three segments in a row: SACK and RACK mark \
                     all three lost at once and they are resent in one recovery (no RTO); \
                     PRR leaves cwnd at CUBIC's 0.7, then CUBIC grows it back"
                } else {
                    "a bulk transfer that loses one segment: RACK marks it lost on the third \
                     SACK, PRR sends 0.7 segments per delivered one during the recovery, \
                     cwnd ends at CUBIC's 0.7 of its size at the loss and grows back along \
                     the cubic curve"
                },
                2_500,
                listen_accept(vec![late_read(2_400)]),
                vec![connect_at(50), Step::at(ms(200), send(400_000).action)],
            );
            sc.network.default.latency_us = 50_000;
            sc.sockets[0].recv_buffer = Some(4 << 20);
            sc.sockets[1].send_buffer = Some(4 << 20);
            let nths: &[u32] = if three {
                &[40, 41, 42]
            } else if two {
                &[40, 60]
            } else {
                &[40]
            };
            for &n in nths {
                sc = with_fault(sc, "client", SegmentMatch::Data, Some(n));
            }
            sc
        }
        // `tcp_tso_should_defer` after an RTT spike (Linux 6.18, commit 295ce1eb36ae): in
        // `cubic-one-loss`'s transfer the ACKs of the sixth round (the server's 110th to 144th
        // ACK) are held 20 ms on the wire, which lifts SRTT toward 120 ms. The next round's
        // ACKs come on time, 100 ms after their segments, so each looks early by far more
        // than min(1 ms, SRTT/2): no chunk waits for the next ACK, and the write's last ten
        // segments leave one per ACK, PSH only on the two that end an skb. Before 6.18 (and
        // in a model that deferred while the oldest segment was more than SRTT/2 old) they
        // left in pairs, PSH on each second one. The same decision, at the margin, is what
        // moves PSH in the other cubic cases when the loaded machine delays the relay.
        "cubic-rtt-spike" => {
            let mut sc = base(
                name,
                "a bulk transfer after one loss whose 6th round of ACKs is held 20 ms: the \
                 next round's ACKs look early against the grown SRTT, so each sends one \
                 segment and no GSO chunk waits for a second ACK",
                2_500,
                listen_accept(vec![late_read(2_400)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(262_088 + 14_480).action),
                ],
            );
            sc.network.default.latency_us = 50_000;
            sc.sockets[0].recv_buffer = Some(4 << 20);
            sc.sockets[1].send_buffer = Some(4 << 20);
            sc = with_fault(sc, "client", SegmentMatch::Data, Some(40));
            for n in 110..=144 {
                sc.faults.push(FaultRule::delay(
                    "server",
                    SegmentMatch::PureAck,
                    Some(n),
                    ms(20),
                ));
            }
            sc
        }
        // Receive-buffer autotuning (`tcp_rcv_space_adjust`): writes of 20, 1 and 30 full
        // segments 100 ms apart, each read whole 90 ms after it was written (once all of it
        // is in and before the next comes: how much one recv() takes while segments arrive
        // microseconds apart is the machine's scheduling, not TCP). `tcp_recvmsg_locked`
        // measures after each skb it copies, and the first skb of a read that finds the
        // receiver's RTT (50 ms, from the echoed timestamps) passed since the last
        // measurement decides: bytes read since it less those still queued. So the read of
        // the 20 segments measures nothing (19 wait behind its first skb) and the read of
        // the one segment measures all 20 (28960 > 10 × 1448): the server's buffer
        // (tcp_rmem[1], 131072 bytes) grows to hold 2 × 28960 + twice that again (the read
        // doubled), 278016 bytes, and while the 30 segments arrive unread the window offered
        // climbs to 139 << 10 where 131072 bytes stop it at 79. The client's SO_SNDBUF
        // keeps the sender's own buffer (`tcp_sndbuf_expand`) out of the picture; 25 ms one
        // way puts the next flight 10 ms after a delayed ACK is due. The variants:
        // tcp_moderate_rcvbuf 0 and SO_RCVBUF (the buffer stays), a reader that reads only
        // once the writes are over (nothing measured), and tcp_rmem[2] 163840 (the growth
        // stops there: 100 << 10 at most).
        "autotune-reader"
        | "autotune-moderate-0"
        | "autotune-so-rcvbuf"
        | "autotune-slow-reader"
        | "autotune-rmem-max" => {
            let read = |t| Step::at(ms(t), Action::Recv { max: 1 << 20 });
            let reads = if name == "autotune-slow-reader" {
                vec![read(1_000), read(1_100)]
            } else {
                [290, 390, 490, 590].map(read).to_vec()
            };
            let mut sc = base(
                name,
                match name {
                    "autotune-moderate-0" => {
                        "writes of 20, 1 and 30 segments 100 ms apart, each read whole 90 ms \
                         later, tcp_moderate_rcvbuf 0: the receive buffer stays at \
                         tcp_rmem[1] and the window at its share of it"
                    }
                    "autotune-so-rcvbuf" => {
                        "writes of 20, 1 and 30 segments 100 ms apart, each read whole 90 ms \
                         later, SO_RCVBUF 65536 on the listener: a buffer the application set \
                         never grows"
                    }
                    "autotune-slow-reader" => {
                        "writes of 20, 1 and 30 segments 100 ms apart, read only at 1 s: \
                         nothing is measured, the buffer stays and the window shrinks to \
                         16 << 10 as the data waits"
                    }
                    "autotune-rmem-max" => {
                        "writes of 20, 1 and 30 segments 100 ms apart, each read whole 90 ms \
                         later, tcp_rmem[2] 163840: the buffer grows no further, so the window \
                         stops at its share of it (100 << 10)"
                    }
                    _ => {
                        "writes of 20, 1 and 30 segments 100 ms apart, each read whole 90 ms \
                         later: the read of the single segment measures the 20 read since the \
                         last measurement, and the buffer grows to twice that and more, so \
                         the window offered while the 30 arrive unread climbs past what \
                         tcp_rmem[1] allows"
                    }
                },
                1_500,
                listen_accept(reads),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(28_960).action),
                    Step::at(ms(300), send(1_448).action),
                    Step::at(ms(400), send(43_440).action),
                ],
            );
            sc.sockets[1].send_buffer = Some(4 << 20);
            sc.network.default.latency_us = 25_000;
            match name {
                "autotune-moderate-0" => sc.tuning.moderate_rcvbuf = Some(false),
                "autotune-so-rcvbuf" => sc.sockets[0].recv_buffer = Some(65_536),
                "autotune-rmem-max" => sc.tuning.rcvbuf_max = Some(163_840),
                _ => {}
            }
            sc
        }
        "psh-writes" => base(
            name,
            "three writes of 5000 bytes (three full segments and 656 bytes), 300 ms apart: each \
             leaves in GSO chunks of two segments, and PSH ends each chunk: on the 2nd segment \
             and on the 656 bytes, never on the 3rd",
            1_500,
            listen_accept(vec![late_read(1_200)]),
            vec![
                connect_at(50),
                Step::at(ms(200), send(5_000).action),
                Step::at(ms(500), send(5_000).action),
                Step::at(ms(800), send(5_000).action),
            ],
        ),
        "psh-half-window" => {
            let mut sc = base(
                name,
                "one 14480-byte write into a 15928-byte window (SO_RCVBUF 16384 on the \
                 server): skbs of half the window, and PSH where a chunk ends or more than half \
                 the window was written since the last PSH: segments 2, 4, 6, 7, 9 and 10",
                2_000,
                listen_accept(vec![late_read(1_500)]),
                vec![connect_at(50), Step::at(ms(200), send(14_480).action)],
            );
            sc.sockets[0].recv_buffer = Some(16_384);
            sc
        }
        // A write larger than the send buffer the kernel sizes itself (no SO_SNDBUF): the
        // socket starts with tcp_wmem[1] (`tcp_init_sock`), the handshake grows it to 2 × 10 ×
        // 2304 = 46080 (`tcp_init_buffer_space` → `tcp_sndbuf_expand`), and the write stops
        // at the first skb that memory refuses (46336 bytes queued), then waits for the
        // first flight's ACKs to free a third of it (`sk_stream_write_space`); close() follows
        // send(), so FIN-WAIT-1 shows when send() returned. The sweep's `wmem_default`
        // varies tcp_wmem[1]: one larger than 46080 takes the write at once (FIN-WAIT-1 at
        // the write, 20 ms earlier).
        "send-buffer-bulk-write" => base(
            name,
            "one 60000-byte write without SO_SNDBUF, then close(): the send buffer the \
             handshake sized (46080) takes 46336 bytes, and send() returns, and the FIN is \
             queued, once the first flight's ACKs have freed room for the rest",
            1_500,
            listen_accept(vec![late_read(1_200)]),
            vec![
                connect_at(50),
                Step::at(ms(200), send(60_000).action),
                Step::now(Action::Close {}),
            ],
        ),
        "idle-restart" | "idle-no-restart" => {
            // 40000 bytes grow cwnd to 38 segments; after 1.3 s of silence (over five RTOs)
            // 20000 more. The reader looks at 1 s and 2.5 s only, so the second write's
            // ACKs also show when a receiver with unread data waits for its delayed ACK.
            let restart = name == "idle-restart";
            let mut sc = base(
                name,
                if restart {
                    "a bulk write, 1.3 s of silence, another: tcp_slow_start_after_idle=1 \
                     restarts the window at the initial 10 segments (tcp_cwnd_restart), the \
                     other 4 wait a round trip"
                } else {
                    "the same with tcp_slow_start_after_idle=0: the window kept from the first \
                     write sends all 14 segments at once"
                },
                3_000,
                listen_accept(vec![late_read(1_000), late_read(2_500)]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(40_000).action),
                    Step::at(ms(1_500), send(20_000).action),
                ],
            );
            sc.tuning.slow_start_after_idle = Some(u8::from(restart));
            sc
        }
        "delayed-ack" => base(
            name,
            "two small requests nobody answers: is the ACK sent at once or delayed?",
            1_000,
            listen_accept(vec![recv(), recv()]),
            vec![
                connect_at(50),
                Step::at(ms(300), send(100).action),
                Step::at(ms(600), send(100).action),
            ],
        ),
        "delayed-ack-no-reader" => base(
            name,
            "the same two requests, but the server never calls recv(): an ACK sent at once \
             here is quick-ACK mode, not the ACK a waiting reader triggers when it empties the \
             queue (tcp_cleanup_rbuf)",
            1_000,
            listen_accept(vec![]),
            vec![
                connect_at(50),
                Step::at(ms(300), send(100).action),
                Step::at(ms(600), send(100).action),
            ],
        ),
        // `tcp_send_delayed_ack`'s nearly-due rule: with the delayed-ACK timer pending, a
        // segment that arrives when the timer is due within `ato >> 2` jiffies (10 of a 40 ms
        // ATO) is acknowledged at once, the earlier timeout kept otherwise. TCP_MAXSEG 536
        // leaves the last segment of each flight of `loss-fast-retransmit` owed an ACK; at 17 ms
        // one way the next flight's first segment arrives 34 ms after it, inside the quarter
        // and clear of the timer (at the cases' 20 ms it arrives ~42 ms after, racing the
        // 40-44 ms timer, so no 20 ms point of this is recorded).
        "delayed-ack-nearly-due" => {
            let mut sc = scenario("loss-fast-retransmit")?;
            sc.description = "loss-fast-retransmit with TCP_MAXSEG 536 at 17 ms one way: a \
                              segment arriving 34 ms into a pending 40 ms delayed ACK is \
                              acknowledged at once (the timer is due within a quarter of it)"
                .into();
            sc.network.default.latency_us = 17_000;
            for s in &mut sc.sockets {
                s.max_seg = Some(536);
            }
            sc
        }
        // `tcp_cleanup_rbuf`: a read that empties the queue sends the owed ACK at once when
        // a "pushed" segment is among those it covers (`tcp_measure_rcv_mss` marks any
        // segment shorter than the peer's segment size seen). The write's second flight
        // (ten full segments and 1040 bytes with PSH) reaches the server 10 ms before the
        // read; its quick ACKs used up, the short segment's ACK is delayed and goes with the
        // read, not 40 ms after the segment. 25 ms one way keeps the first flight's ACKs
        // and the second flight clear of the read.
        "delayed-ack-pushed-read" => {
            let mut sc = base(
                name,
                "a 30000-byte write (20 full segments and 1040 bytes with PSH) read whole 90 \
                 ms later: the short last segment's ACK, delayed on arrival, goes at the read \
                 that empties the queue (tcp_cleanup_rbuf), not with the delayed-ACK timer",
                1_000,
                listen_accept(vec![Step::at(ms(290), Action::Recv { max: 1 << 20 })]),
                vec![connect_at(50), Step::at(ms(200), send(30_000).action)],
            );
            sc.network.default.latency_us = 25_000;
            sc
        }
        // The same at the segment size: since 6.6 a full-sized segment with PSH (the end of
        // a write) is marked pushed too. Ten one-segment writes 50 ms apart, each read 5 ms
        // after it arrives; SO_RCVBUF 16384 stops the window's growth (and the quick ACK
        // each growth grants) early, so from the 8th on the ACK is delayed and goes with the
        // read, where the old rule waited 40 ms for the timer.
        "delayed-ack-pushed-full" => {
            let mut steps = vec![connect_at(50)];
            let mut reads = Vec::new();
            for k in 0..10 {
                steps.push(Step::at(ms(100 + 50 * k), send(1_448).action));
                reads.push(Step::at(ms(115 + 50 * k), Action::Recv { max: 65536 }));
            }
            let mut sc = base(
                name,
                "ten one-segment writes 50 ms apart, each read 5 ms after it arrives, \
                 SO_RCVBUF 16384: once the quick ACKs are spent, each full segment with PSH is \
                 acknowledged at the read that empties the queue (tcp_cleanup_rbuf, Linux \
                 6.6+), not by the delayed-ACK timer",
                800,
                listen_accept(reads),
                steps,
            );
            sc.sockets[0].recv_buffer = Some(16_384);
            sc.network.default.latency_us = 10_000;
            sc
        }
        "retries2-timeout" => {
            let mut sc = with_fault(
                base(
                    name,
                    "a 100-byte request into a black hole, tcp_retries2=3: a loss probe, RTOs \
                     doubling from the 200 ms floor, and recv() failing with ETIMEDOUT once the \
                     time tcp_retries2 stands for has passed",
                    8_000,
                    listen_accept(vec![]),
                    vec![connect_at(50), Step::at(ms(200), send(100).action), recv()],
                ),
                "client",
                SegmentMatch::Data,
                None,
            );
            sc.tuning.data_retries = Some(3);
            sc
        }
        "retries2-rto-max" => {
            let mut sc = with_fault(
                base(
                    name,
                    "the same black hole with tcp_rto_max_ms=1000 and tcp_retries2=5: the RTO \
                     stops doubling at 1 s, and the give-up time follows the lower ceiling",
                    8_000,
                    listen_accept(vec![]),
                    vec![connect_at(50), Step::at(ms(200), send(100).action), recv()],
                ),
                "client",
                SegmentMatch::Data,
                None,
            );
            sc.tuning.data_retries = Some(5);
            sc.tuning.rto_max_us = Some(1_000_000);
            sc
        }
        "orphan-fin-lost" => {
            let mut sc = with_fault(
                base(
                    name,
                    "request and answer, then the client closes and every FIN it sends is lost, \
                     tcp_orphan_retries=2: the orphan in FIN-WAIT-1 retransmits its FIN and is \
                     dropped",
                    5_000,
                    answer_then(vec![]),
                    ask_then(vec![Step::at(ms(300), Action::Close {})]),
                ),
                "client",
                SegmentMatch::Fin,
                None,
            );
            sc.tuning.orphan_retries = Some(2);
            sc
        }
        // A FIN sent in an skb of its own (`tcp_send_fin`: the data before it had left) and
        // lost with that data, tail loss probes off (tcp_early_retrans 0) so that the RTO
        // finds both: `tcp_enter_loss` marks both lost; the RTO resends the head alone when it
        // is a full segment, and the FIN follows on its own once the data is acknowledged
        // (`tcp_xmit_retransmit_queue`); a short head takes the FIN in
        // (`tcp_retrans_try_collapse`), one segment with both. With the probe on, it resends
        // the FIN alone (the last skb) and RACK then resends the data if the probe's SACK
        // comes no sooner than the smallest RTT, which on this wire is a coin toss.
        "fin-lost-behind-full-segment" | "fin-lost-behind-small-segment" => {
            let (len, what) = if name == "fin-lost-behind-full-segment" {
                (
                    1_448,
                    "one full segment written and the socket closed, the segment and the FIN \
                     both lost, no loss probe: the RTO resends the segment, the FIN follows \
                     alone after its ACK",
                )
            } else {
                (
                    100,
                    "100 bytes written and the socket closed, the segment and the FIN both \
                     lost, no loss probe: the RTO resends them as one segment \
                     (tcp_retrans_collapse)",
                )
            };
            let mut sc = base(
                name,
                what,
                1_500,
                listen_accept(vec![recv(), recv(), Step::now(Action::Close {})]),
                vec![
                    connect_at(50),
                    Step::at(ms(200), send(len).action),
                    Step::now(Action::Close {}),
                ],
            );
            sc.tuning.tail_loss_probe = Some(false);
            let sc = with_fault(sc, "client", SegmentMatch::Data, Some(1));
            with_fault(sc, "client", SegmentMatch::Fin, Some(1))
        }
        "fin-wait2-timeout" => {
            let mut sc = base(
                name,
                "request and answer, the client closes, the server never does, \
                 tcp_fin_timeout=2: the orphan waits in FIN-WAIT-2 for 2 s, then is gone",
                3_500,
                answer_then(vec![recv()]),
                ask_then(vec![Step::at(ms(300), Action::Close {})]),
            );
            sc.tuning.fin_wait2_timeout_us = Some(Some(2_000_000));
            sc
        }
        "zero-window" => {
            // One full segment per write, 100 ms apart: well over an RTT plus the delayed ACK,
            // so each leaves alone and with PSH, every ACK comes before the next segment (at
            // 50 ms the 40 ms delayed ACK and the next segment raced), and no bulk burst
            // brings in the sender's pacing. Into a receive buffer of 8192 bytes (SO_RCVBUF
            // locks it: no autotuning, window scale 0).
            let mut writes = vec![connect_at(50)];
            writes.extend((0..8).map(|i| Step::at(ms(200 + 100 * i), send(1_448).action)));
            let mut sc = base(
                name,
                "the server does not read (SO_RCVBUF 8192): its window closes after a few \
                 segments, the client probes the zero window with backoff, and one read \
                 reopens it",
                3_000,
                listen_accept(vec![late_read(2_000)]),
                writes,
            );
            sc.sockets[0].recv_buffer = Some(8_192);
            sc
        }
        // The out-of-order queue under a small buffer: SO_RCVBUF 8192 (16384 of memory,
        // locked, window scale 0), nobody reading until 2 s, five full segments in one write
        // with the first lost. Since Linux 6.17 `tcp_data_queue_ofo` measures the segment
        // (`tcp_measure_rcv_mss`: the payload/truesize ratio, 160/256 here) and grows
        // rcv_ssthresh before charging the skb: the SACKs offer 8688 and the read at 2 s
        // reopens the window to 10136.
        "ofo-window-growth" => {
            let mut sc = with_fault(
                base(
                    name,
                    "the server does not read (SO_RCVBUF 8192); five full segments, the first \
                     lost: the out-of-order segments measure the payload's share of memory \
                     and grow the window their SACKs offer",
                    3_000,
                    listen_accept(vec![late_read(2_000)]),
                    vec![connect_at(50), Step::at(ms(200), send(5 * 1_448).action)],
                ),
                "client",
                SegmentMatch::Data,
                Some(1),
            );
            sc.sockets[0].recv_buffer = Some(8_192);
            sc
        }
        // `tcp_clamp_probe0_to_user_timeout`: with TCP_USER_TIMEOUT, each probe timer after
        // the first probe is armed for no more than what is left of the user timeout, so
        // the connection dies when it ends (counted from the first probe, while the peer
        // answers every probe), not a whole backed-off interval later.
        "zero-window-user-timeout" => {
            let mut writes = vec![connect_at(50)];
            writes.extend((0..8).map(|i| Step::at(ms(200 + 100 * i), send(1_448).action)));
            let mut sc = base(
                name,
                "the server never reads (SO_RCVBUF 8192), the client has TCP_USER_TIMEOUT 2 s: \
                 it probes the zero window, the server answers each probe with window 0, and \
                 the client gives up 2 s after its first probe",
                4_500,
                listen_accept(vec![]),
                writes,
            );
            sc.sockets[0].recv_buffer = Some(8_192);
            sc.sockets[1].user_timeout_us = Some(2_000_000);
            sc
        }
        // The zero window's probes after RTOs that no RTT sample ended (no timestamps): the
        // segment that fills the window is lost with its loss probe and first RTO copy, and
        // the ACK of the second RTO copy closes the window. Linux's probe timer shares
        // `icsk_backoff` with the RTO and starts from the backed-off `icsk_rto`
        // (`tcp_check_probe_timer` → `tcp_probe0_base`, then `tcp_probe0_when`: base <<
        // icsk_backoff), so the first probe waits four RTOs and the next one 2³ times that.
        "zero-window-after-rto" => {
            let mut writes = vec![connect_at(50)];
            writes.extend((0..8).map(|i| Step::at(ms(200 + 100 * i), send(1_448).action)));
            let mut sc = base(
                name,
                "as zero-window without timestamps, but the segment that fills the window is \
                 lost twice and resent by two RTOs: the RTO stays doubled twice (no RTT \
                 sample), so the zero window is probed after four RTOs and the probes back \
                 off from there",
                5_000,
                listen_accept(vec![late_read(4_000)]),
                writes,
            );
            sc.sockets[0].recv_buffer = Some(8_192);
            sc.tuning.timestamps = Some(false);
            for n in [7, 8, 9] {
                sc = with_fault(sc, "client", SegmentMatch::Data, Some(n));
            }
            sc
        }
        "rst-in-close-wait" => base(
            name,
            "the server closes at once; the client, in CLOSE-WAIT, reads the end of file and \
             then sends: the orphan answers with an RST, after which recv() still reads 0 and \
             send() fails with EPIPE",
            1_000,
            listen_accept(vec![Step::at(ms(150), Action::Close {})]),
            vec![
                connect_at(50),
                recv(),
                Step::at(ms(300), send(5).action),
                Step::at(ms(400), Action::Recv { max: 65536 }),
                Step::at(ms(450), send(5).action),
            ],
        ),
        "send-after-shutdown" => base(
            name,
            "the client shuts down its sending side (SHUT_WR) and then tries to send: EPIPE, \
             while the answer still arrives",
            1_000,
            listen_accept(vec![recv(), recv(), send(5)]),
            vec![
                connect_at(50),
                send(5),
                Step::at(ms(200), Action::Shutdown { how: ShutHow::Wr }),
                Step::at(ms(250), send(5).action),
                recv(),
            ],
        ),
        // `__tcp_close`: unread data resets in any state, here FIN-WAIT-2 after SHUT_WR.
        "close-unread-in-fin-wait-2-resets" => base(
            name,
            "the server shuts down its sending side, the client's 5 bytes arrive, and the \
             server closes without reading them: an RST from FIN-WAIT-2 (unread data), and \
             the client in CLOSE-WAIT reads 0, then send() fails with EPIPE",
            1_000,
            listen_accept(vec![
                Step::at(ms(150), Action::Shutdown { how: ShutHow::Wr }),
                Step::at(ms(300), Action::Close {}),
            ]),
            vec![
                connect_at(50),
                recv(),
                Step::at(ms(200), send(5).action),
                late_read(400),
                Step::at(ms(450), send(5).action),
                Step::at(ms(500), send(5).action),
            ],
        ),
        // `tcp_rcv_state_process`, FIN-WAIT-1/2 with RCV_SHUTDOWN: "abort on data".
        "data-after-shut-rdwr-resets" => base(
            name,
            "the server shuts down both sides (SHUT_RDWR); data from the client then draws a \
             bare RST, the server's recv() fails with ECONNRESET, send() with EPIPE and \
             shutdown() with ENOTCONN",
            1_000,
            listen_accept(vec![
                Step::at(ms(150), Action::Shutdown { how: ShutHow::Rdwr }),
                late_read(400),
                Step::at(ms(450), send(5).action),
                Step::at(ms(460), Action::Shutdown { how: ShutHow::Wr }),
            ]),
            vec![
                connect_at(50),
                recv(),
                Step::at(ms(300), send(5).action),
                late_read(500),
                Step::at(ms(550), send(5).action),
            ],
        ),
        // `tcp_reset`: ECONNRESET in LAST-ACK; the RST behind the FIN reaches the listener.
        "rst-in-last-ack-then-send-econnreset" => base(
            name,
            "the client half-closes, the server reads the end of file and half-closes too \
             (LAST-ACK); the client aborts before the server's FIN arrives: the server's \
             send() fails with ECONNRESET, and the RST that answers its FIN finds only the \
             listener, which ignores it",
            1_000,
            listen_accept(vec![
                recv(),
                Step::at(ms(300), Action::Shutdown { how: ShutHow::Wr }),
                late_read(400),
                Step::at(ms(450), send(5).action),
            ]),
            vec![
                connect_at(50),
                Step::at(ms(150), Action::Shutdown { how: ShutHow::Wr }),
                Step::at(ms(310), Action::Abort {}),
            ],
        ),
        "crossing-aborts-rst-at-listener" => base(
            name,
            "both ends abort at once: the RSTs cross; the client's finds only the listener \
             (ignored there), the server's no socket at all",
            1_000,
            answer_then(vec![Step::at(ms(300), Action::Abort {})]),
            ask_then(vec![Step::at(ms(300), Action::Abort {})]),
        ),
        // `tcp_recvmsg_locked` reads the queue before `sk_err`; `inet_shutdown` on CLOSE.
        "data-read-after-rst-then-enotconn" => base(
            name,
            "the server sends 5 bytes and aborts; the client reads late: the 5 bytes (a RST \
             leaves the receive queue), then ECONNRESET, then 0; send() fails with EPIPE and \
             shutdown() with ENOTCONN",
            1_000,
            listen_accept(vec![
                Step::at(ms(200), send(5).action),
                Step::at(ms(300), Action::Abort {}),
            ]),
            vec![
                connect_at(50),
                late_read(400),
                recv(),
                recv(),
                send(5),
                Step::now(Action::Shutdown { how: ShutHow::Wr }),
            ],
        ),
        // `inet_csk_listen_stop` resets the accept queue only; a request goes at its timer.
        "listener-closed-request-dies-quietly" => with_fault(
            base(
                name,
                "the handshake's last ACK is lost and the listener is closed while the request \
                 waits for it: nothing is sent, the request goes quietly when its SYN-ACK \
                 timer fires, and the client's data at 1.5 s finds no socket (a bare RST)",
                2_000,
                vec![
                    Step::now(Action::Listen { backlog: 8 }),
                    Step::at(ms(150), Action::Close {}),
                ],
                vec![connect_at(50), Step::at(ms(1_500), send(5).action), recv()],
            ),
            "client",
            SegmentMatch::PureAck,
            Some(1),
        ),
        // RFC 1337's "TIME-WAIT assassination" (`tcp_timewait_state_process`, tcp_rfc1337 0).
        "time-wait-assassinated" => base(
            name,
            "the client half-closes; the server half-closes too and aborts in LAST-ACK (no \
             RST from there): the client's ACK of its FIN finds only the listener, whose RST \
             ends the client's TIME-WAIT (tcp_rfc1337 0; with 1 it is ignored)",
            1_000,
            listen_accept(vec![
                recv(),
                Step::at(ms(300), Action::Shutdown { how: ShutHow::Wr }),
                Step::at(ms(305), Action::Abort {}),
            ]),
            vec![
                connect_at(50),
                Step::at(ms(150), Action::Shutdown { how: ShutHow::Wr }),
                late_read(400),
            ],
        ),
        "time-wait-rebind" => time_wait_rebind(name, false),
        "time-wait-rebind-reuseaddr" => time_wait_rebind(name, true),
        "time-wait-reconnect" => time_wait_reconnect(name, true),
        "time-wait-reconnect-no-timestamps" => time_wait_reconnect(name, false),
        "time-wait-reconnect-client-first" => client_reconnects_from_time_wait(name, false, true),
        "time-wait-reconnect-client-first-reuseaddr" => {
            client_reconnects_from_time_wait(name, true, true)
        }
        "time-wait-reconnect-client-first-reuseaddr-no-timestamps" => {
            client_reconnects_from_time_wait(name, true, false)
        }
        "time-wait-ephemeral-tw-reuse-0" => ephemeral_port_in_time_wait(name, 0, None, 1_400, true),
        "time-wait-ephemeral-too-soon" => ephemeral_port_in_time_wait(name, 1, None, 1_000, true),
        "time-wait-ephemeral-tw-reuse-1" => ephemeral_port_in_time_wait(name, 1, None, 1_400, true),
        "time-wait-ephemeral-loopback-only" => {
            ephemeral_port_in_time_wait(name, 2, None, 1_400, true)
        }
        "time-wait-ephemeral-delay-100" => {
            ephemeral_port_in_time_wait(name, 1, Some(100_000), 500, true)
        }
        "time-wait-ephemeral-no-timestamps" => {
            ephemeral_port_in_time_wait(name, 1, None, 1_400, false)
        }
        other => match option_case(other)
            .or_else(|| crate::cases_udp::scenario(other))
            .or_else(|| crate::cases_cookies::scenario(other))
        {
            Some(sc) => sc,
            // A sweep's point (`case+axis=value`) or a point recorded by subject.
            None => return crate::sweep::scenario(other),
        },
    };
    sc.name = format!("lab/{name}");
    Some(sc)
}

/// The cases of the socket options and calls (docs/scenario-format.md, "Sockets" and
/// "Applications"): one knob each, on the client unless said.
fn option_case(name: &str) -> Option<Scenario> {
    let connect = || {
        Step::at(
            ms(50),
            Action::Connect {
                to: "server:9999".into(),
            },
        )
    };
    let send_at = |t: u64, len: u32, more: bool| {
        Step::at(
            ms(t),
            Action::Send {
                len,
                message: None,
                content: None,
                more,
            },
        )
    };
    let server = |then: Vec<Step>| {
        let mut v = vec![
            Step::now(Action::Listen { backlog: 8 }),
            Step::now(Action::Accept {
                label: Some("server".into()),
            }),
        ];
        v.extend(then);
        v
    };
    let opt = |t: u64, option: SockOpt| Step::at(ms(t), Action::SetSockOpt(option));
    let read_late = |t: u64| Step::at(ms(t), Action::Recv { max: 65536 });
    Some(match name {
        // The sticky-packet (粘包) scene's writes: ten of 200 bytes 2 ms apart, with
        // TCP_NODELAY or Nagle, `tcp_autocorking` at its default (1; the `autocorking` sweep
        // axis sets 0). The TUN wire releases each packet as it takes it
        // (`tun_net_xmit` → `skb_orphan`), so `tcp_should_autocork` never finds the device
        // holding more than the tail skb: TCP_NODELAY sends ten segments.
        "small-writes-nodelay" | "small-writes-nagle" => {
            let no_delay = name == "small-writes-nodelay";
            let mut writes = vec![connect()];
            writes.extend((0..10).map(|i| send_at(200 + 2 * i, 200, false)));
            let mut sc = base(
                name,
                if no_delay {
                    "ten 200-byte writes 2 ms apart with TCP_NODELAY: ten segments (autocorking \
                     holds nothing on a device that releases each packet as it takes it)"
                } else {
                    "ten 200-byte writes 2 ms apart with Nagle: 200 bytes, one full segment of \
                     the next 1448 once the queue holds it, the last 352 when the first ACK \
                     returns"
                },
                600,
                server(vec![read_late(500)]),
                writes,
            );
            sc.sockets[1].no_delay = no_delay;
            sc
        }
        "tcp-cork" => {
            let mut sc = base(
                name,
                "TCP_CORK on the client: its 100-byte write waits, with nothing in flight, for \
                 the probe timer (max(RTO, 200 ms)); of a 1500-byte write one full segment \
                 leaves at once, and clearing the option 100 ms later pushes the corked rest",
                1_500,
                server(vec![read_late(1_200)]),
                vec![
                    connect(),
                    send_at(200, 100, false),
                    send_at(700, 1_500, false),
                    opt(800, SockOpt::TcpCork { value: false }),
                ],
            );
            sc.sockets[1].cork = true;
            sc
        }
        "msg-more" => base(
            name,
            "send(MSG_MORE) of 100 bytes waits for the next write; a plain send of 50 bytes 50              ms later takes both out in one 150-byte segment",
            600,
            server(vec![read_late(500)]),
            vec![connect(), send_at(200, 100, true), send_at(250, 50, false)],
        ),
        "tcp-quickack" => base(
            name,
            "the server turns TCP_QUICKACK off (delayed-ACK ping-pong mode): the client's \
             data, arriving at 220 ms, is not acknowledged at once; with the data unread, \
             turning it on at 225 ms sends nothing (tcp_cleanup_rbuf waits for an empty \
             queue); read at 235 ms and turned on again at 245 ms, the owed ACK leaves then, \
             before the delayed-ACK timer",
            600,
            server(vec![
                opt(100, SockOpt::TcpQuickack { value: false }),
                opt(225, SockOpt::TcpQuickack { value: true }),
                opt(230, SockOpt::TcpQuickack { value: false }),
                read_late(235),
                opt(245, SockOpt::TcpQuickack { value: true }),
            ]),
            vec![connect(), send_at(200, 100, false)],
        ),
        "tcp-user-timeout" => {
            let mut sc = with_fault(
                base(
                    name,
                    "TCP_USER_TIMEOUT of 1 s on the client, every data segment lost: the                      connection fails with ETIMEDOUT 1 s after the data first left, the last                      retransmission timer clamped to that moment, long before tcp_retries2",
                    2_500,
                    server(vec![]),
                    vec![
                        connect(),
                        send_at(200, 100, false),
                        Step::now(Action::Recv { max: 65536 }),
                    ],
                ),
                "client",
                SegmentMatch::Data,
                None,
            );
            sc.sockets[1].user_timeout_us = Some(1_000_000);
            sc
        }
        "so-linger-time" => {
            let mut sc = with_fault(
                base(
                    name,
                    "SO_LINGER {on, 1 s} on the client and every FIN of it lost: close()                      blocks for the linger time, then returns 0 while the orphan goes on                      retransmitting its FIN",
                    2_000,
                    server(vec![]),
                    vec![connect(), Step::at(ms(200), Action::Close {})],
                ),
                "client",
                SegmentMatch::Fin,
                None,
            );
            sc.sockets[1].linger_us = Some(1_000_000);
            sc
        }
        "shutdown-rd" => base(
            name,
            "the server shuts down its reading side (SHUT_RD): nothing is sent, its recv()              returns 0 at once, and data the client sends afterwards is still acknowledged",
            800,
            server(vec![
                Step::at(
                    ms(100),
                    Action::Shutdown {
                        how: ShutHow::Rd,
                    },
                ),
                Step::now(Action::Recv { max: 65536 }),
                read_late(500),
            ]),
            vec![connect(), send_at(300, 5, false)],
        ),
        "poll-timeout" => base(
            name,
            "poll() for POLLIN on the accepted connection: 0 after its 100 ms timeout, then 1              when the client's data arrives",
            700,
            server(vec![
                Step::now(Action::Poll {
                    timeout_us: Some(ms(100)),
                }),
                Step::now(Action::Poll { timeout_us: None }),
                Step::now(Action::Recv { max: 65536 }),
            ]),
            vec![connect(), send_at(400, 10, false)],
        ),
        "tcp-info" => with_fault(
            base(
                name,
                "getsockopt(TCP_INFO) on the client after the handshake, right after a write                  whose segment is lost, and after the tail loss probe repaired it",
                1_200,
                server(vec![]),
                vec![
                    connect(),
                    Step::at(ms(200), Action::TcpInfo {}),
                    send_at(210, 100, false),
                    Step::now(Action::TcpInfo {}),
                    Step::at(ms(900), Action::TcpInfo {}),
                ],
            ),
            "client",
            SegmentMatch::Data,
            Some(1),
        ),
        "reuseport-listen" => {
            let mut sc = base(
                name,
                "SO_REUSEPORT: a second listener that also set it shares port 9999; a third                  without it gets EADDRINUSE",
                300,
                vec![Step::now(Action::Listen { backlog: 8 })],
                vec![],
            );
            sc.sockets[0].reuse_port = true;
            let mut second = socket("listener2", "server", 9999);
            second.reuse_port = true;
            sc.sockets.push(second);
            sc.sockets.push(socket("listener3", "server", 9999));
            for (label, at) in [("listener2", 50), ("listener3", 100)] {
                sc.apps.push(AppScript {
                    socket: label.into(),
                    steps: vec![Step::at(ms(at), Action::Listen { backlog: 8 })],
                });
            }
            sc
        }
        _ => return None,
    })
}

/// The server's first steps: listen (backlog 8), accept as "server", then `then`.
fn listen_accept(then: Vec<Step>) -> Vec<Step> {
    let mut v = vec![
        Step::now(Action::Listen { backlog: 8 }),
        Step::now(Action::Accept {
            label: Some("server".into()),
        }),
    ];
    v.extend(then);
    v
}

/// connect() to the listener at `t_ms`.
fn connect_at(t_ms: u64) -> Step {
    Step::at(
        t_ms * 1000,
        Action::Connect {
            to: "server:9999".into(),
        },
    )
}

/// recv() of up to 64 KiB, now.
fn recv() -> Step {
    Step::now(Action::Recv { max: 65536 })
}

/// Milliseconds as the scenario's microseconds.
fn ms(m: u64) -> u64 {
    m * 1000
}

/// The listener's second accept(), whose connection is "server again".
fn accept_again() -> Step {
    Step {
        on: Some("listener".into()),
        ..Step::now(Action::Accept {
            label: Some("server again".into()),
        })
    }
}

/// A second client socket, "client again", on `port` (0: connect() picks one), that connects
/// at `at_ms` and then runs `then`; returned to set its options.
fn connect_again(sc: &mut Scenario, port: u16, at_ms: u64, then: Vec<Step>) -> &mut SocketSpec {
    let mut steps = vec![connect_at(at_ms)];
    steps.extend(then);
    sc.apps.push(AppScript {
        socket: "client again".into(),
        steps,
    });
    let i = sc.sockets.len();
    sc.sockets.push(socket("client again", "client", port));
    &mut sc.sockets[i]
}

/// The server closes first (its connection goes to TIME-WAIT on port 9999), closes its
/// listener, and a new listener tries port 9999 at 500 ms: without SO_REUSEADDR on both,
/// EADDRINUSE (the server restart that fails); with it, it listens.
fn time_wait_rebind(name: &str, reuse: bool) -> Scenario {
    let mut sc = base(
        name,
        if reuse {
            "a server restarted while its last connection is in TIME-WAIT, SO_REUSEADDR on \
             both listeners: the new listen() succeeds"
        } else {
            "a server restarted while its last connection is in TIME-WAIT, no SO_REUSEADDR: \
             the new listener's bind() fails with EADDRINUSE"
        },
        1_000,
        listen_accept(vec![
            recv(),
            Step::at(ms(200), Action::Close {}),
            Step {
                on: Some("listener".into()),
                ..Step::at(ms(250), Action::Close {})
            },
        ]),
        vec![
            connect_at(50),
            Step::now(Action::send(5)),
            recv(),
            Step::at(ms(300), Action::Close {}),
        ],
    );
    let mut again = socket("new listener", "server", 9999);
    again.reuse_addr = reuse;
    sc.sockets[0].reuse_addr = reuse;
    sc.sockets.push(again);
    sc.apps.push(AppScript {
        socket: "new listener".into(),
        steps: vec![Step::at(ms(500), Action::Listen { backlog: 8 })],
    });
    sc
}

/// The server closes first, so its connection holds TIME-WAIT on the 4-tuple; the client's
/// socket, bound to a fixed port, ends (LAST-ACK → CLOSED) and a second socket on the same
/// port connects again at 500 ms while that TIME-WAIT still runs. Linux reopens at once
/// (`tcp_timewait_state_process` → TCP_TW_SYN: the SYN's timestamp is newer than the old
/// connection's, or without timestamps its sequence number, from the 4-tuple's hash plus a
/// clock, is past the old rcv_nxt); the listener accepts the new connection.
fn time_wait_reconnect(name: &str, timestamps: bool) -> Scenario {
    const PORT: u16 = 45_000;
    let mut sc = base(
        name,
        if timestamps {
            "the client connects again from its port while the server's side of the last \
             connection is in TIME-WAIT: the SYN's timestamp is newer, the server accepts it"
        } else {
            "tcp_timestamps=0: the client connects again from its port while the server's \
             side of the last connection is in TIME-WAIT: the SYN's sequence number is past \
             the old one, the server accepts it"
        },
        1_000,
        listen_accept(vec![
            recv(),
            Step::now(Action::send(5)),
            Step::at(ms(150), Action::Close {}),
            accept_again(),
            recv(),
        ]),
        vec![
            connect_at(50),
            Step::now(Action::send(5)),
            recv(),
            recv(),
            Step::at(ms(250), Action::Close {}),
        ],
    );
    sc.sockets[1].port = PORT;
    connect_again(&mut sc, PORT, 500, vec![Step::now(Action::send(5))]);
    if !timestamps {
        sc.tuning.timestamps = Some(false);
    }
    sc
}

/// The client closes first, so its side holds TIME-WAIT on port 45000, and a second client
/// socket on that port connects at 500 ms: bind() fails with EADDRINUSE
/// (`inet_csk_bind_conflict`). With SO_REUSEADDR on both it binds, and connect() takes the
/// 4-tuple over from TIME-WAIT when the old connection had timestamps
/// (`__inet_check_established` → `tcp_twsk_unique`, which for a socket bound to its port needs
/// no tcp_tw_reuse); without them connect() fails with EADDRNOTAVAIL.
fn client_reconnects_from_time_wait(name: &str, reuse: bool, timestamps: bool) -> Scenario {
    const PORT: u16 = 45_000;
    let mut sc = base(
        name,
        if reuse && timestamps {
            "the client closes first and connects again from its port with SO_REUSEADDR on \
             both sockets: the new connection takes the 4-tuple over from TIME-WAIT (the old \
             one had timestamps)"
        } else if reuse {
            "tcp_timestamps=0: the client closes first and connects again from its port with \
             SO_REUSEADDR on both sockets: connect() fails with EADDRNOTAVAIL (the 4-tuple is \
             in TIME-WAIT)"
        } else {
            "the client closes first and connects again from its port: bind() fails with \
             EADDRINUSE (its TIME-WAIT connection holds the port)"
        },
        1_000,
        listen_accept(vec![
            recv(),
            Step::now(Action::send(5)),
            recv(),
            Step::at(ms(250), Action::Close {}),
        ]),
        vec![
            connect_at(50),
            Step::now(Action::send(5)),
            recv(),
            Step::at(ms(150), Action::Close {}),
        ],
    );
    if !timestamps {
        sc.tuning.timestamps = Some(false);
    }
    sc.sockets[1].port = PORT;
    sc.sockets[1].reuse_addr = reuse;
    connect_again(&mut sc, PORT, 500, vec![]).reuse_addr = reuse;
    sc
}

/// The client's ephemeral port when its last connection on it is in TIME-WAIT: the client
/// namespace's `ip_local_port_range` is one port, 45000, so connect() has no other choice
/// (`__inet_hash_connect`). The client closes first at 150 ms, the server 100 ms after
/// EOF, so the client's side enters TIME-WAIT when the server's FIN arrives (~270 ms). A
/// second client socket, never bound, connects at `again_ms`: it takes the 4-tuple over only
/// if `tcp_tw_reuse` allows it (`tcp_twsk_unique` with `twp`: 1, or 2 on loopback, which
/// 10.47.0.0/24 is not), the old connection had timestamps and it entered TIME-WAIT more
/// than `tcp_tw_reuse_delay` (default 1000 ms) ago; else EADDRNOTAVAIL.
fn ephemeral_port_in_time_wait(
    name: &str,
    tw_reuse: u8,
    delay_us: Option<u64>,
    again_ms: u64,
    timestamps: bool,
) -> Scenario {
    let mut sc = base(
        name,
        match (tw_reuse, delay_us, timestamps) {
            (_, _, false) => {
                "tcp_timestamps=0, tcp_tw_reuse=1, one ephemeral port: the client's next \
                 connect() 1.1 s into its TIME-WAIT fails with EADDRNOTAVAIL (no timestamps, \
                 no reuse)"
            }
            (0, _, _) => {
                "tcp_tw_reuse=0, one ephemeral port (ip_local_port_range 45000 45000): the \
                 client's next connect() 1.1 s into its TIME-WAIT fails with EADDRNOTAVAIL"
            }
            (2, _, _) => {
                "tcp_tw_reuse=2 (the default: loopback only), one ephemeral port, over \
                 10.47.0.0/24: the client's next connect() 1.1 s into its TIME-WAIT fails \
                 with EADDRNOTAVAIL"
            }
            (_, Some(_), _) => {
                "tcp_tw_reuse=1, tcp_tw_reuse_delay=100, one ephemeral port: 230 ms into \
                 its TIME-WAIT the client's next connect() takes the 4-tuple over"
            }
            _ if again_ms < 1_300 => {
                "tcp_tw_reuse=1, one ephemeral port: 0.7 s into its TIME-WAIT (less than \
                 tcp_tw_reuse_delay, 1 s) the client's next connect() fails with EADDRNOTAVAIL"
            }
            _ => {
                "tcp_tw_reuse=1, one ephemeral port: 1.1 s into its TIME-WAIT the client's \
                 next connect() takes the 4-tuple over, ISN the old snd_nxt + 65537"
            }
        },
        again_ms + 400,
        listen_accept(vec![
            recv(),
            Step::now(Action::send(5)),
            recv(),
            Step::at(ms(250), Action::Close {}),
            accept_again(),
            recv(),
        ]),
        vec![
            connect_at(50),
            Step::now(Action::send(5)),
            recv(),
            Step::at(ms(150), Action::Close {}),
        ],
    );
    connect_again(&mut sc, 0, again_ms, vec![Step::now(Action::send(5))]);
    sc.tuning.local_port_range = Some([45_000, 45_000]);
    sc.tuning.tw_reuse = Some(tw_reuse);
    sc.tuning.tw_reuse_delay_us = delay_us;
    if !timestamps {
        sc.tuning.timestamps = Some(false);
    }
    sc
}

/// listen(1), nobody accepts, three clients connect 30 ms apart (1.5 × the one-way delay: a
/// SYN arrives after the previous handshake completed), each sending 5 bytes and waiting for
/// an answer; tcp_synack_retries 2.
fn backlog(name: &str, syncookies: bool) -> Scenario {
    let mut sc = base(
        name,
        if syncookies {
            "a full accept queue (listen(1), nobody accepts), three clients, tcp_syncookies=1"
        } else {
            "a full accept queue (listen(1), nobody accepts), three clients, tcp_syncookies=0"
        },
        4_000,
        vec![Step::now(Action::Listen { backlog: 1 })],
        vec![],
    );
    sc.sockets.retain(|s| s.label == "listener");
    sc.apps.retain(|a| a.socket == "listener");
    for i in 0..3u64 {
        let label = format!("client {}", i + 1);
        sc.sockets.push(socket(&label, "client", 0));
        sc.apps.push(AppScript {
            socket: label,
            steps: vec![
                Step::at(
                    50_000 + i * 30_000,
                    Action::Connect {
                        to: "server:9999".into(),
                    },
                ),
                Step::now(Action::Send {
                    len: 5,
                    message: None,
                    content: None,
                    more: false,
                }),
                Step::now(Action::Recv { max: 1024 }),
            ],
        });
    }
    sc.tuning = ProfileOverrides {
        synack_retries: Some(2),
        syncookies: Some(syncookies),
        max_syn_backlog: Some(128),
        abort_on_overflow: Some(false),
        ..ProfileOverrides::default()
    };
    sc
}

fn socket(label: &str, host: &str, port: u16) -> SocketSpec {
    SocketSpec::new(label, host, Proto::Tcp, port)
}

/// Two hosts `DELAY_MS` apart, a "listener" on server:9999 and a "client", their scripts,
/// watched for `horizon_ms`.
fn base(
    name: &str,
    description: &str,
    horizon_ms: u64,
    server: Vec<Step>,
    client: Vec<Step>,
) -> Scenario {
    let sockets = vec![
        socket("listener", "server", 9999),
        socket("client", "client", 0),
    ];
    let apps = vec![
        AppScript {
            socket: "listener".into(),
            steps: server,
        },
        AppScript {
            socket: "client".into(),
            steps: client,
        },
    ];
    two_hosts(name, description, horizon_ms, sockets, apps)
}

/// The wire every case runs on: a client and a server host, `DELAY_MS` one way, no faults,
/// watched for `horizon_ms`. The UDP and syncookie cases build on it too.
pub(crate) fn two_hosts(
    name: &str,
    description: &str,
    horizon_ms: u64,
    sockets: Vec<SocketSpec>,
    apps: Vec<AppScript>,
) -> Scenario {
    Scenario {
        name: name.into(),
        description: description.into(),
        seed: 1,
        profile: ProfileId::Linux,
        tuning: ProfileOverrides::default(),
        hosts: vec![
            HostSpec::new("client", "10.47.0.1"),
            HostSpec::new("server", "10.47.0.2"),
        ],
        network: NetworkSpec {
            default: LinkSpec {
                latency_us: DELAY_MS * 1000,
                ..LinkSpec::default()
            },
            directions: Vec::new(),
        },
        faults: Vec::new(),
        groups: Vec::new(),
        sockets,
        apps,
        limits: Limits {
            max_time_us: horizon_ms * 1000,
            ..Limits::default()
        },
    }
}

fn with_fault(mut sc: Scenario, from: &str, matches: SegmentMatch, nth: Option<u32>) -> Scenario {
    sc.faults.push(FaultRule::drop(from, matches, nth));
    sc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_a_scenario_the_model_and_the_lab_both_accept() {
        let udp = crate::cases_udp::NAMES.iter();
        for n in NAMES
            .iter()
            .chain(udp)
            .chain(crate::cases_cookies::NAMES.iter())
        {
            let sc = scenario(n).unwrap_or_else(|| panic!("case {n} has no scenario"));
            crate::runner::check(&sc).unwrap_or_else(|e| panic!("{n}: {e}"));
            synack_model::simulate(&sc).unwrap_or_else(|e| panic!("{n}: {e}"));
        }
        assert!(scenario("no-such-case").is_none());
    }
}
