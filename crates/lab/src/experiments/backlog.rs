//! `backlog`: what Linux does when the accept queue is full (the interview chapter's
//! "How TCP backlog works in Linux" section the scene teaches).
//!
//! Kernel facts this exercises (net/ipv4/tcp_minisocks.c `tcp_check_req`, tcp_ipv4.c
//! `tcp_v4_syn_recv_sock`, tcp_input.c `tcp_conn_request`, inet_connection_sock.c
//! `reqsk_timer_handler`):
//! - the accept queue is full when it holds more than `backlog` connections
//!   (`sk_acceptq_is_full`: `ack_backlog > max_ack_backlog`), so it holds backlog+1;
//! - the final ACK of a handshake that finds it full is dropped (ListenOverflows, ListenDrops)
//!   and the request stays in SYN-RECEIVED, re-sending SYN-ACKs with exponential backoff
//!   (1 s, 2 s, 4 s...) `tcp_synack_retries` times; with `tcp_abort_on_overflow=1` it answers
//!   with an RST instead;
//! - the client believes it is ESTABLISHED after the SYN-ACK: data it sends is retransmitted
//!   (RTO backoff) until the request expires, and the next retransmission draws an RST;
//!   a client that sends nothing is left half-open.
//!
//! All sysctls are set in the experiment's own namespace only.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use serde::Serialize;
use synack_model::trace::{
    AppCall, AppCallKind, AppResult, EventKind, Header, QueueKind, SocketId, TcpState, Trace,
};

use super::{accept, connect_start, in_ns, key_values, listen, ms};
use crate::analyze::{self, Pkt};
use crate::cli::{BacklogOpts, Common, Preset};
use crate::error::Result;
use crate::session::{Finished, Outcome, Session};
use crate::sys::sock;

#[derive(Serialize, Clone)]
pub struct ClientReport {
    pub label: String,
    pub port: u16,
    /// "accepted", "reset", "half-open", "not connected", "established"
    pub outcome: String,
    /// SYN-ACKs the server sent to this client, ms after the first one.
    pub synack_ms: Vec<f64>,
    /// This client's data (re)transmissions, ms after its first data segment.
    pub data_tx_ms: Vec<f64>,
    /// When the client saw the RST, ms since the start.
    pub rst_ms: Option<f64>,
    pub errno: Option<String>,
}

#[derive(Serialize)]
pub struct BacklogSummary {
    pub experiment: &'static str,
    pub preset: Option<&'static str>,
    pub backlog: i32,
    pub clients: u32,
    pub sysctls: BTreeMap<String, String>,
    /// Largest accept-queue length seen, and its limit as sock_diag reports it.
    pub accept_queue_max: u32,
    pub accept_queue_limit: u32,
    /// (ms, length) whenever the accept queue length changed.
    pub accept_queue_series: Vec<(f64, u32)>,
    pub counters: BTreeMap<String, u64>,
    pub clients_report: Vec<ClientReport>,
    pub rst_count: usize,
    pub half_open: usize,
    pub packets: Vec<Pkt>,
    pub warnings: Vec<String>,
}

pub fn run(common: &Common, opts: &BacklogOpts) -> Result<Outcome> {
    let mut o = opts.clone();
    if o.preset == Some(Preset::RealCapture) {
        // The chapter's capture: the accept queue is full, a client completes its handshake from its
        // side and sends 5 bytes; Linux's default tcp_synack_retries = 5; nobody accepts.
        // That capture used backlog 0 on an old kernel. Since Linux 4.15 a SYN meeting a full
        // accept queue is dropped, and a SYN meeting `pending requests > backlog` gets a SYN
        // cookie (no request socket, so no SYN-ACK retries). A real request can only meet a
        // full queue when its SYN arrives while the queue still has room: backlog 1, three
        // clients 1.5 wire-delays apart — the third one is the client of the interview chapter's capture.
        o.backlog = 1;
        o.clients = 3;
        o.send = 5;
        o.synack_retries = 5;
        o.abort_on_overflow = false;
        o.accept_every_ms = None;
    }
    // How long a request lives: SYN-ACK at 0, then after 1, 2, 4... s (TCP_TIMEOUT_INIT
    // doubling, each wait capped at TCP_RTO_MAX = 120 s, `reqsk_timer_handler`), expiring one
    // more backoff after the last retry. Summed step by step: `--synack-retries` goes to 255.
    let lifetime: f64 = (0..=o.synack_retries)
        .map(|i| 2f64.powi(i.min(30) as i32).min(120.0))
        .sum();
    let watch = o.watch.unwrap_or_else(|| {
        if o.send > 0 {
            // Client RTO on loopback starts at 200 ms (TCP_RTO_MIN) and doubles; the first
            // retransmission after the request died draws the RST.
            let mut t = 0.2;
            let mut rto = 0.2;
            while t <= lifetime {
                rto *= 2.0;
                t += rto;
            }
            t * 1.15 + 1.0
        } else {
            lifetime + 1.5
        }
    });
    let delay = common.delay_ms.unwrap_or(20);
    let gap_ms = o
        .gap_ms
        .unwrap_or(if delay > 0 { delay * 3 / 2 } else { 5 });
    o.gap_ms = Some(gap_ms);
    let gaps = o.clients as f64 * gap_ms as f64 / 1000.0;
    let wire = (delay > 0).then(|| crate::wire::Faults {
        delay_us: delay * 1000,
        ..Default::default()
    });
    let mut s = Session::start_with("backlog", common, true, false, watch + gaps + 15.0, wire)?;
    let mut sysctls = BTreeMap::new();
    // In wire mode the client has its own namespace; its sysctls stay at their defaults.
    for (k, v) in [
        ("net.ipv4.tcp_synack_retries", o.synack_retries.to_string()),
        (
            "net.ipv4.tcp_abort_on_overflow",
            (o.abort_on_overflow as u8).to_string(),
        ),
        (
            "net.ipv4.tcp_max_syn_backlog",
            o.max_syn_backlog.to_string(),
        ),
        ("net.ipv4.tcp_syncookies", o.syncookies.to_string()),
    ] {
        s.ns.set_sysctl(k, &v)?;
        sysctls.insert(k.to_string(), v);
    }
    let ns = s.ns.clone();
    let recorded = in_ns(&ns, || body(&mut s, &o, watch));
    // On Ctrl-C or the deadline, what was recorded is still written, marked cut short.
    let (
        ids,
        Finished {
            trace,
            pcap,
            warnings,
        },
    ) = s.finish_with(recorded, Some(o.max_syn_backlog))?;
    summarize(trace, pcap, warnings, &o, sysctls, &ids)
}

struct Ids {
    /// End of the experiment, before its sockets were closed.
    end_us: u64,
    listener: SocketId,
    clients: Vec<(SocketId, u16, Option<String>, Option<u64>)>,
}

struct Client {
    st: TcpStream,
    id: SocketId,
    port: u16,
    connected: bool,
    sent: bool,
    done: bool,
    errno: Option<String>,
    rst_at: Option<u64>,
}

fn body(s: &mut Session, o: &BacklogOpts, watch: f64) -> Result<Ids> {
    let (l, lid, port) = listen(s, o.backlog, "listener")?;
    s.wait(Duration::from_millis(20), "listening")?;
    let mut clients: Vec<Client> = Vec::new();
    let mut accepted: Vec<(TcpStream, SocketId)> = Vec::new();
    let mut next_accept = o
        .accept_every_ms
        .map(|ms| Instant::now() + Duration::from_millis(ms));
    let payload: Vec<u8> = (0..o.send).map(|i| b"hello"[i as usize % 5]).collect();
    // All clients start their connect a few ms apart without waiting for each other, so with
    // a wire delay their SYNs reach the listener before the first handshake completes: the
    // accept queue fills up with the final ACKs, as in the chapter's capture.
    for i in 0..o.clients {
        let (st, id) = connect_start(s, port, &format!("client {}", i + 1))?;
        let cport = st.local_addr().map(|a| a.port()).unwrap_or(0);
        clients.push(Client {
            st,
            id,
            port: cport,
            connected: false,
            sent: false,
            done: false,
            errno: None,
            rst_at: None,
        });
        s.wait(
            Duration::from_millis(o.gap_ms.unwrap_or(0)),
            "connecting clients",
        )?;
    }
    let end = Instant::now() + Duration::from_secs_f64(watch);
    while Instant::now() < end {
        s.check("the backlog experiment")?;
        s.tick("watching the accept queue (SYN-ACK retries take seconds)");
        for c in clients.iter_mut().filter(|c| !c.done) {
            if !c.connected {
                if let Some(r) = sock::wait_connected(&c.st, Duration::ZERO)? {
                    match r {
                        Ok(()) => {
                            s.rec.ret(c.id, AppCallKind::Connect, AppResult::Ok);
                            c.connected = true;
                        }
                        Err(errno) => {
                            s.rec.ret(
                                c.id,
                                AppCallKind::Connect,
                                AppResult::Error {
                                    errno: errno.clone(),
                                },
                            );
                            c.errno = Some(errno);
                            c.done = true;
                            continue;
                        }
                    }
                }
            }
            if c.connected && !c.sent {
                c.sent = true;
                if !payload.is_empty() {
                    s.rec.call(
                        c.id,
                        AppCall::Send {
                            len: payload.len() as u32,
                            message: None,
                        },
                    );
                    match (&c.st).write_all(&payload) {
                        Ok(_) => s.rec.ret(c.id, AppCallKind::Send, AppResult::Ok),
                        Err(e) => s.rec.ret(
                            c.id,
                            AppCallKind::Send,
                            AppResult::Error {
                                errno: sock::errno_name(&e),
                            },
                        ),
                    }
                }
                // The client then waits for an answer: a blocking recv() in a real program.
                s.rec.call(c.id, AppCall::Recv { max: 1024 });
            }
            if c.connected {
                let mut b = [0u8; 1];
                // SAFETY: peeking one byte into a local buffer, non-blocking.
                let n = unsafe {
                    libc::recv(
                        c.st.as_raw_fd(),
                        b.as_mut_ptr() as *mut libc::c_void,
                        1,
                        libc::MSG_PEEK | libc::MSG_DONTWAIT,
                    )
                };
                if n < 0 {
                    let e = std::io::Error::last_os_error();
                    if e.kind() != ErrorKind::WouldBlock {
                        let errno = sock::errno_name(&e);
                        s.rec.ret(
                            c.id,
                            AppCallKind::Recv,
                            AppResult::Error {
                                errno: errno.clone(),
                            },
                        );
                        c.errno = Some(errno);
                        c.rst_at = Some(s.rec.now());
                        c.done = true;
                    }
                } else if n == 0 {
                    s.rec.ret(c.id, AppCallKind::Recv, AppResult::Eof);
                    c.done = true;
                }
            }
        }
        if let Some(t) = next_accept {
            if Instant::now() >= t {
                let n = accepted.len() + 1;
                if let Some(a) = accept(
                    s,
                    &l,
                    lid,
                    &format!("accepted {n}"),
                    Duration::from_millis(1),
                )? {
                    accepted.push(a);
                }
                next_accept = o
                    .accept_every_ms
                    .map(|ms| Instant::now() + Duration::from_millis(ms));
            }
        }
        // Everyone with data either reset or accepted: nothing more will happen.
        if o.send > 0 && clients.iter().all(|c| c.done) {
            s.wait(Duration::from_millis(300), "final packets")?;
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // The end of the observation, then a pause longer than a poll: the sample that sees
    // the sockets closing must start after `end_us` (a poll stamps its time before dumping).
    let end_us = s.rec.now();
    std::thread::sleep(Duration::from_millis(10));
    Ok(Ids {
        end_us,
        listener: lid,
        clients: clients
            .iter()
            .map(|c| (c.id, c.port, c.errno.clone(), c.rst_at))
            .collect(),
    })
}

fn summarize(
    trace: Trace,
    pcap: Vec<(u64, Vec<u8>)>,
    warnings: Vec<String>,
    o: &BacklogOpts,
    sysctls: BTreeMap<String, String>,
    ids: &Ids,
) -> Result<Outcome> {
    let packets = analyze::packets(&trace);
    let (aq_max, aq_cap) =
        analyze::queue_peak(&trace, ids.listener, QueueKind::AcceptQueue).unwrap_or((0, 0));
    let series: Vec<(f64, u32)> =
        analyze::queue_series(&trace, ids.listener, QueueKind::AcceptQueue)
            .into_iter()
            .map(|(t, l)| (ms(t), l))
            .collect();
    let counters: BTreeMap<String, u64> = analyze::counters(&trace, "server")
        .into_iter()
        .filter(|(k, _)| {
            [
                "ListenOverflows",
                "ListenDrops",
                "TCPTimeouts",
                "TCPSynRetrans",
                "TCPReqQFullDrop",
                "TCPReqQFullDoCookies",
                "SyncookiesSent",
                "TCPAbortOnData",
                "EmbryonicRsts",
                "TCPLostRetransmit",
            ]
            .contains(&k.as_str())
        })
        .collect();
    let states = analyze::states(&trace);
    let server_port = trace
        .sockets
        .get(ids.listener.0 as usize)
        .map(|s| s.local_port)
        .unwrap_or(0);
    let mut reports = Vec::new();
    for (id, cport, errno, rst_at) in &ids.clients {
        let label = trace.sockets[id.0 as usize].label.clone();
        let mut synacks = Vec::new();
        let mut data = Vec::new();
        for e in &trace.events {
            if let EventKind::SegmentSent { segment, .. } = &e.kind {
                if let Header::Tcp(t) = &segment.header {
                    if segment.src.port == server_port
                        && segment.dst.port == *cport
                        && t.flags.syn
                        && t.flags.ack
                    {
                        synacks.push(e.t);
                    }
                    if segment.src.port == *cport
                        && segment.dst.port == server_port
                        && segment.payload_len > 0
                    {
                        data.push(e.t);
                    }
                }
            }
        }
        let rel = |v: &[u64]| -> Vec<f64> { v.iter().map(|t| ms(t - v[0])).collect() };
        let accepted = trace.events.iter().any(|e| matches!(&e.kind,
            EventKind::AppReturn { result: AppResult::Accepted { socket }, .. }
            if trace.sockets.get(socket.0 as usize).and_then(|s| s.remote).map(|r| r.port) == Some(*cport)));
        // States as they were when the experiment ended (before its sockets were closed).
        let at_end = |sid: &SocketId| {
            states
                .get(sid)
                .and_then(|v| v.iter().rev().find(|(t, _)| *t <= ids.end_us))
                .map(|(_, s)| *s)
        };
        let client_last = at_end(id);
        let server_alive = trace.sockets.iter().any(|s| {
            s.parent == Some(ids.listener)
                && s.remote.map(|r| r.port) == Some(*cport)
                && at_end(&s.id).is_some_and(|st| st != TcpState::Closed)
        });
        let server_state = trace
            .sockets
            .iter()
            .filter(|s| s.parent == Some(ids.listener) && s.remote.map(|r| r.port) == Some(*cport))
            .filter_map(|s| at_end(&s.id))
            .next_back();
        let outcome = if accepted {
            "accepted"
        } else if rst_at.is_some() || errno.as_deref() == Some("ECONNRESET") {
            "reset"
        } else if client_last == Some(TcpState::Established) && !server_alive {
            "half-open"
        } else if client_last == Some(TcpState::Established)
            && server_state == Some(TcpState::Established)
        {
            "in the accept queue (never accepted)"
        } else if client_last == Some(TcpState::Established) {
            "established here, still SYN-RECEIVED at the server"
        } else {
            "not connected"
        };
        reports.push(ClientReport {
            label,
            port: *cport,
            outcome: outcome.into(),
            synack_ms: if synacks.is_empty() {
                vec![]
            } else {
                rel(&synacks)
            },
            data_tx_ms: if data.is_empty() { vec![] } else { rel(&data) },
            rst_ms: rst_at.map(ms),
            errno: errno.clone(),
        });
    }
    let rst_count = packets.iter().filter(|p| p.flags.contains("RST")).count();
    let half_open = reports.iter().filter(|r| r.outcome == "half-open").count();
    let sum = BacklogSummary {
        experiment: "backlog",
        preset: o.preset.map(|_| "real-capture"),
        backlog: o.backlog,
        clients: o.clients,
        sysctls,
        accept_queue_max: aq_max,
        accept_queue_limit: aq_cap,
        accept_queue_series: series,
        counters,
        clients_report: reports,
        rst_count,
        half_open,
        packets,
        warnings,
    };
    let mut text = format!(
        "backlog on Linux {}: listen(backlog={}), {} clients, {}\n\n",
        crate::session::kernel_release(),
        o.backlog,
        o.clients,
        match o.accept_every_ms {
            Some(ms) => format!("accept() every {ms} ms"),
            None => "nobody calls accept()".into(),
        }
    );
    text.push_str(&analyze::packet_table(&sum.packets));
    text.push_str(&format!(
        "\naccept queue: at most {} waiting (limit reported {}; Linux holds backlog+1 = {})\n",
        sum.accept_queue_max,
        sum.accept_queue_limit,
        o.backlog + 1
    ));
    text.push_str(&format!(
        "namespace counters: {}\n",
        key_values(&sum.counters)
    ));
    for r in &sum.clients_report {
        text.push_str(&format!("{:<9} :{:<5} {}", r.label, r.port, r.outcome));
        if r.synack_ms.len() > 1 {
            text.push_str(&format!(
                "; SYN-ACKs at +{} s",
                r.synack_ms
                    .iter()
                    .map(|x| format!("{:.2}", x / 1000.0))
                    .collect::<Vec<_>>()
                    .join(", +")
            ));
        }
        if r.data_tx_ms.len() > 1 {
            text.push_str(&format!(
                "; data sent at +{} s",
                r.data_tx_ms
                    .iter()
                    .map(|x| format!("{:.2}", x / 1000.0))
                    .collect::<Vec<_>>()
                    .join(", +")
            ));
        }
        if let Some(e) = &r.errno {
            text.push_str(&format!("; {e}"));
        }
        text.push('\n');
    }
    let ok = sum.accept_queue_max as i64 <= o.backlog as i64 + 1;
    Ok(Outcome::new(&sum, text, &sum.warnings, trace, pcap, ok))
}
