//! `handshake` and `teardown`: one connection on loopback, opened, used, closed.
//!
//! TIME-WAIT: Linux keeps a TIME-WAIT socket for TCP_TIMEWAIT_LEN = 60 s, a compile-time
//! constant (include/net/tcp.h), not a sysctl; `tcp_tw_reuse` only lets *new outgoing*
//! connections reuse such a port early, it does not shorten the state. So we report two
//! honest facts: the TIME-WAIT timer's remaining time at the first sighting (sock_diag's
//! `expires`, ≈ 60 000 ms), and — when asked to watch long enough (`--watch-time-wait 65`) —
//! the moment the socket actually disappears.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Barrier;
use std::time::Duration;

use serde::Serialize;
use synack_model::trace::{
    AppCall, AppCallKind, AppResult, EventKind, SocketId, TcpState, TimerKind, Trace,
};

use super::{accept, connect_finish, connect_start, in_ns, io, listen, ms, ret_recv};
use crate::analyze::{self, Pkt};
use crate::cli::{Common, First, TeardownOpts};
use crate::error::Result;
use crate::session::{Finished, Outcome, Session};
use crate::sys::{diag, sock};

#[derive(Serialize)]
struct TimeWait {
    /// Which socket went through TIME-WAIT.
    socket: String,
    /// Remaining TIME-WAIT timer at the first sighting, ms (sock_diag `expires`).
    timer_ms_at_first_sight: Option<f64>,
    /// How long after entering TIME-WAIT the socket was gone, ms (None: still there when we
    /// stopped watching).
    gone_after_ms: Option<f64>,
    watched_ms: f64,
}

#[derive(Serialize)]
struct ConnSummary {
    experiment: &'static str,
    first: Option<&'static str>,
    packets: Vec<Pkt>,
    states: std::collections::BTreeMap<String, Vec<String>>,
    /// None when no packets were captured (no CAP_NET_RAW on the host's loopback).
    handshake_ok: Option<bool>,
    syn_options: Option<serde_json::Value>,
    time_wait: Option<TimeWait>,
    closing_seen: bool,
    rst_seen: bool,
    warnings: Vec<String>,
}

pub fn handshake(common: &Common) -> Result<Outcome> {
    run(common, None, "handshake")
}

pub fn teardown(common: &Common, opts: &TeardownOpts) -> Result<Outcome> {
    run(common, Some(opts), "teardown")
}

struct Ids {
    client: SocketId,
    server: SocketId,
}

fn run(common: &Common, td: Option<&TeardownOpts>, name: &'static str) -> Result<Outcome> {
    let watch = td.map(|t| t.watch_time_wait).unwrap_or(0.5);
    let default_timeout = 15.0 + watch * 1.2;
    let wire = common
        .delay_ms
        .filter(|d| *d > 0)
        .map(|d| crate::wire::Faults {
            delay_us: d * 1000,
            ..Default::default()
        });
    let mut s = Session::start_with(name, common, false, false, default_timeout, wire)?;
    let ns = s.ns.clone();
    let first = td.map(|t| t.first).unwrap_or(First::Client);
    let gap = Duration::from_millis(td.map(|t| t.gap_ms).unwrap_or(100));
    let abort = td.is_some_and(|t| t.abort);
    let recorded = in_ns(&ns, || body(&mut s, first, gap, abort, watch));
    // On Ctrl-C or the deadline, what was recorded is still written, marked cut short.
    let (
        ids,
        Finished {
            trace,
            pcap,
            warnings,
        },
    ) = s.finish_with(recorded, None)?;
    summarize(trace, pcap, warnings, name, td.map(|_| first), &ids, watch)
}

fn body(s: &mut Session, first: First, gap: Duration, abort: bool, watch: f64) -> Result<Ids> {
    let (l, lid, port) = listen(s, 8, "listener")?;
    s.wait(Duration::from_millis(10), "listening")?;
    let (c, cid) = connect_start(s, port, "client")?;
    if !connect_finish(s, &c, cid, Duration::from_secs(5))? {
        return Err(crate::error::LabError::Protocol(
            "the loopback connect did not complete".into(),
        ));
    }
    c.set_nonblocking(false)
        .map_err(|e| io("client blocking", e))?;
    let Some((mut a, aid)) = accept(s, &l, lid, "server", Duration::from_secs(5))? else {
        return Err(crate::error::LabError::Protocol(
            "accept() found no connection".into(),
        ));
    };
    let mut c = c;
    // One small request and answer, so the trace shows data and its ACKs.
    send(s, &mut c, cid, b"hello")?;
    recv(s, &mut a, aid, 64)?;
    send(s, &mut a, aid, b"world")?;
    recv(s, &mut c, cid, 64)?;
    // Long enough for sock_diag to see ESTABLISHED even on a busy machine.
    s.wait(Duration::from_millis(100), "connection established")?;

    if abort {
        let (closer, cl_id) = match first {
            First::Server => (&a, aid),
            _ => (&c, cid),
        };
        sock::set_linger_zero(closer)?;
        s.rec.call(cl_id, AppCall::Abort);
    }
    match first {
        First::Client | First::Server => {
            let (x, xid, mut y, yid) = match first {
                First::Server => (a, aid, c, cid),
                _ => (c, cid, a, aid),
            };
            if !abort {
                s.rec.call(xid, AppCall::Close);
            }
            drop(x);
            s.rec.ret(
                xid,
                if abort {
                    AppCallKind::Abort
                } else {
                    AppCallKind::Close
                },
                AppResult::Ok,
            );
            // The other side notices: recv() returns 0 (FIN) or ECONNRESET (RST).
            y.set_read_timeout(Some(Duration::from_secs(2)))
                .map_err(|e| io("SO_RCVTIMEO", e))?;
            recv(s, &mut y, yid, 64)?;
            s.wait(gap, "half-closed")?;
            s.rec.call(yid, AppCall::Close);
            drop(y);
            s.rec.ret(yid, AppCallKind::Close, AppResult::Ok);
        }
        First::Both => {
            // Both close() at the same instant; on loopback the FINs usually cross, giving
            // FIN-WAIT-1 → CLOSING → TIME-WAIT on both sides (RFC 9293 §3.6 case 2).
            let barrier = Barrier::new(2);
            let rec = s.rec.clone();
            std::thread::scope(|sc| {
                let b = &barrier;
                let r2 = rec.clone();
                sc.spawn(move || {
                    b.wait();
                    r2.call(aid, AppCall::Close);
                    drop(a);
                    r2.ret(aid, AppCallKind::Close, AppResult::Ok);
                });
                b.wait();
                rec.call(cid, AppCall::Close);
                drop(c);
                rec.ret(cid, AppCallKind::Close, AppResult::Ok);
            });
        }
    }
    drop(l);
    // Watch TIME-WAIT (bounded): stop early once no socket is in TIME-WAIT any more.
    let fds = s.diag_fds()?;
    let end = std::time::Instant::now() + Duration::from_secs_f64(watch);
    let mut seen_tw = false;
    let watch_start = std::time::Instant::now();
    while std::time::Instant::now() < end {
        s.check("TIME-WAIT")?;
        s.tick("watching TIME-WAIT");
        let mut socks = Vec::new();
        for fd in &fds {
            socks.extend(diag::dump(fd, false)?);
        }
        let tw = socks.iter().any(|d| d.state == diag::state::TIME_WAIT);
        let watched = watch_start.elapsed();
        if tw {
            seen_tw = true;
        } else if seen_tw || (abort && watched > Duration::from_millis(300)) {
            // TIME-WAIT ended (or, after an abort, never began): nothing more to see.
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(Ids {
        client: cid,
        server: aid,
    })
}

fn send(s: &Session, st: &mut TcpStream, id: SocketId, data: &[u8]) -> Result<()> {
    s.rec.call(
        id,
        AppCall::Send {
            len: data.len() as u32,
            message: None,
        },
    );
    st.write_all(data).map_err(|e| io("send()", e))?;
    s.rec.ret(id, AppCallKind::Send, AppResult::Ok);
    Ok(())
}

fn recv(s: &Session, st: &mut TcpStream, id: SocketId, max: usize) -> Result<usize> {
    st.set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| io("SO_RCVTIMEO", e))?;
    s.rec.call(id, AppCall::Recv { max: max as u32 });
    let mut buf = vec![0u8; max];
    match st.read(&mut buf) {
        Ok(n) => {
            ret_recv(&s.rec, id, n, Vec::new());
            Ok(n)
        }
        Err(e) => {
            s.rec.ret(
                id,
                AppCallKind::Recv,
                AppResult::Error {
                    errno: sock::errno_name(&e),
                },
            );
            Ok(0)
        }
    }
}

fn summarize(
    trace: Trace,
    pcap: Vec<(u64, Vec<u8>)>,
    warnings: Vec<String>,
    name: &'static str,
    first: Option<First>,
    ids: &Ids,
    watch: f64,
) -> Result<Outcome> {
    let packets = analyze::packets(&trace);
    let states = analyze::state_names(&trace);
    let hs: Vec<&Pkt> = packets.iter().take(3).collect();
    let handshake_ok = (!packets.is_empty()).then(|| {
        hs.len() == 3 && hs[0].flags == "SYN" && hs[1].flags == "SYN, ACK" && hs[2].flags == "ACK"
    });
    let syn_options = trace.events.iter().find_map(|e| match &e.kind {
        EventKind::SegmentSent { segment, .. } => match &segment.header {
            synack_model::trace::Header::Tcp(t) if t.flags.syn => {
                serde_json::to_value(&t.options).ok()
            }
            _ => None,
        },
        _ => None,
    });
    // TIME-WAIT: which socket, the timer at first sighting, and when it ended.
    let mut time_wait = None;
    for id in [ids.client, ids.server] {
        if let Some((t0, end)) = analyze::time_in_state(&trace, id, TcpState::TimeWait) {
            let timer = trace.events.iter().find_map(|e| match &e.kind {
                EventKind::TimerSet {
                    socket,
                    timer: TimerKind::TimeWait,
                    expires_us,
                    ..
                } if *socket == id => Some(ms(expires_us.saturating_sub(e.t))),
                _ => None,
            });
            time_wait = Some(TimeWait {
                socket: trace.sockets[id.0 as usize].label.clone(),
                timer_ms_at_first_sight: timer,
                gone_after_ms: end.map(|e| ms(e - t0)),
                watched_ms: watch * 1000.0,
            });
            break;
        }
    }
    let closing_seen = states.values().any(|v| v.iter().any(|s| s == "CLOSING"));
    let rst_seen = packets.iter().any(|p| p.flags.contains("RST"));
    let sum = ConnSummary {
        experiment: name,
        first: first.map(|f| match f {
            First::Client => "client",
            First::Server => "server",
            First::Both => "both",
        }),
        packets,
        states,
        handshake_ok,
        syn_options,
        time_wait,
        closing_seen,
        rst_seen,
        warnings,
    };
    let mut text = format!("{name} on Linux {}\n\n", crate::session::kernel_release());
    text.push_str(&analyze::packet_table(&sum.packets));
    text.push_str("\nstates seen (sock_diag):\n");
    for (k, v) in &sum.states {
        text.push_str(&format!("  {k:<18} {}\n", v.join(" → ")));
    }
    text.push_str(&format!(
        "\nthree-way handshake: {}\n",
        match sum.handshake_ok {
            Some(true) => "SYN, SYN-ACK, ACK",
            Some(false) => "NOT the usual three segments",
            None => "not captured (no packet capture)",
        }
    ));
    if let Some(tw) = &sum.time_wait {
        text.push_str(&format!(
            "TIME-WAIT on the {}: timer {} ms at first sight; {}\n",
            tw.socket,
            tw.timer_ms_at_first_sight.map(|x| format!("{x:.0}")).unwrap_or("?".into()),
            match tw.gone_after_ms {
                Some(g) => format!("gone after {:.1} s", g / 1000.0),
                None => format!(
                    "still there after watching {:.1} s (Linux: 60 s fixed; --watch-time-wait 65 to see it end)",
                    tw.watched_ms / 1000.0
                ),
            }
        ));
    }
    if first == Some(First::Both) {
        text.push_str(&format!(
            "simultaneous close: CLOSING {}\n",
            if sum.closing_seen {
                "seen (the FINs crossed)"
            } else {
                "not seen (one FIN arrived before the other close; timing-dependent)"
            }
        ));
    }
    let ok = sum.handshake_ok != Some(false);
    Ok(Outcome::new(&sum, text, &sum.warnings, trace, pcap, ok))
}
