//! `sticky` (粘包): TCP is a byte stream, so the boundaries of the application's writes are
//! not kept. N small writes go out as fewer segments when Nagle's algorithm (RFC 896,
//! RFC 1122 §4.2.3.4) holds small segments back while data is unacknowledged; TCP_NODELAY
//! turns that off. The reader's recv() returns whatever is buffered — several messages at once
//! when it reads late or with a big buffer, half a message with a small one. A length prefix
//! restores the messages whatever the chunks were.
//!
//! Linux also has *autocorking* (net.ipv4.tcp_autocorking): it delays a small write while an
//! earlier one is still in the device queue, even with TCP_NODELAY. We switch it off in the
//! experiment's namespace (unless `--autocork`), so what is measured is Nagle alone.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde::Serialize;
use synack_model::trace::{
    AppCall, AppCallKind, AppResult, EventKind, MessageContent, SocketId, Trace,
};

use super::{
    accept, bounded_sleep, bounded_write, connect_finish, connect_start, in_ns, io, listen,
    recorded_recv,
};
use crate::cli::{Common, NagleMode, StickyOpts};
// The model's codec, so lab and model frame bytes identically.
use crate::error::{LabError, Result};
use crate::session::{Finished, Outcome, Session};
use synack_model::codec::length_prefix as codec;

#[derive(Serialize, Clone)]
pub struct ModeReport {
    pub mode: NagleMode,
    pub writes: u32,
    pub bytes_per_write: u32,
    /// Payload sizes of the client's data segments on the wire (raw phase).
    pub segments: Vec<u32>,
    /// What each recv() returned (raw phase), bytes.
    pub recv_chunks: Vec<u32>,
    /// Framed phase: the chunks recv() returned, and the messages the decoder recovered.
    pub framed_recv_chunks: Vec<u32>,
    pub framed_segments: Vec<u32>,
    pub recovered_messages: u32,
    pub recovered_equal: bool,
}

#[derive(Serialize)]
struct StickySummary {
    experiment: &'static str,
    read_delay_ms: u64,
    buf: usize,
    autocork: bool,
    /// False without CAP_NET_RAW (`--host` as a user): `segments` are then empty, not zero.
    packets_captured: bool,
    modes: Vec<ModeReport>,
    warnings: Vec<String>,
}

struct Conn {
    mode: NagleMode,
    client: SocketId,
    cport: u16,
    chunks: Vec<u32>,
    framed_chunks: Vec<u32>,
    raw_bytes: u64,
    recovered: Vec<Vec<u8>>,
    sent_msgs: Vec<Vec<u8>>,
}

/// The most bytes one phase writes (count × size): the messages are held in memory twice (raw
/// and framed), captured twice on loopback and every write is recorded: 4 MiB costs about
/// 120 MB of peak memory (16 MiB measured 443 MB).
pub const MAX_TOTAL_BYTES: u64 = 4 << 20;

pub fn run(common: &Common, opts: &StickyOpts) -> Result<Outcome> {
    let total = u64::from(opts.count) * u64::from(opts.size);
    if total > MAX_TOTAL_BYTES {
        return Err(LabError::Usage(format!(
            "--count {} × --size {} = {total} bytes is more than sticky writes in one run \
             (at most {MAX_TOTAL_BYTES} bytes, 4 MiB)",
            opts.count, opts.size
        )));
    }
    // Default: a 10 ms wire. On bare loopback the ACK of the first small segment returns in
    // microseconds, so Nagle rarely has anything to hold back; `--delay-ms 0` shows that.
    // `--host` runs on the host's loopback: no wire (it needs two private namespaces joined by
    // TUN devices, so root), hence no delay.
    let delay = match (common.host, common.delay_ms) {
        (true, Some(d)) if d > 0 => {
            return Err(LabError::Usage(format!(
                "--delay-ms {d} needs the user-space wire between two private namespaces, \
                 which --host (the host's loopback) does not have: drop --delay-ms, or drop \
                 --host and run as root"
            )))
        }
        (true, _) => 0,
        (false, d) => d.unwrap_or(10),
    };
    let wire = Some(delay).filter(|d| *d > 0).map(|d| crate::wire::Faults {
        delay_us: d * 1000,
        ..Default::default()
    });
    let mut s = Session::start_with("sticky", common, false, false, 30.0, wire)?;
    if s.ns.is_private() {
        let v = if opts.autocork { "1" } else { "0" };
        s.ns.set_sysctl("net.ipv4.tcp_autocorking", v)?;
        s.client_ns.set_sysctl("net.ipv4.tcp_autocorking", v)?;
    } else if !opts.autocork {
        s.warnings.push(
            "on the host, tcp_autocorking stays as it is and may merge TCP_NODELAY writes too"
                .into(),
        );
    }
    let modes: Vec<NagleMode> = match opts.mode {
        Some(m) => vec![m],
        None => vec![NagleMode::Nagle, NagleMode::Nodelay],
    };
    if !s.ns.is_private() {
        s.warnings.push(
            "on the host's loopback an ACK returns within microseconds, so Nagle rarely has \
             anything to hold back (a 10 ms wire between namespaces, as root, shows it)"
                .into(),
        );
    }
    let captured = s.captures_packets();
    let ns = s.ns.clone();
    let recorded = in_ns(&ns, || {
        let (l, lid, port) = listen(&s, 8, "listener")?;
        let mut out = Vec::new();
        for (k, m) in modes.iter().enumerate() {
            out.push(one(&mut s, &l, lid, port, *m, opts, k)?);
        }
        Ok(out)
    });
    // On Ctrl-C or the deadline, what was recorded is still written, marked cut short.
    let (
        conns,
        Finished {
            trace,
            pcap,
            warnings,
        },
    ) = s.finish_with(recorded, None)?;
    summarize(trace, pcap, warnings, opts, conns, captured)
}

fn one(
    s: &mut Session,
    l: &std::net::TcpListener,
    lid: SocketId,
    port: u16,
    mode: NagleMode,
    o: &StickyOpts,
    k: usize,
) -> Result<Conn> {
    let label = match mode {
        NagleMode::Nagle => "client (Nagle)",
        NagleMode::Nodelay => "client (TCP_NODELAY)",
    };
    let (c, cid) = connect_start(s, port, label)?;
    if !connect_finish(s, &c, cid, Duration::from_secs(5))? {
        return Err(LabError::Protocol("connect did not complete".into()));
    }
    c.set_nonblocking(false).map_err(|e| io("blocking", e))?;
    let cport = c.local_addr().map_err(|e| io("getsockname", e))?.port();
    let Some((a, aid)) = accept(
        s,
        l,
        lid,
        &format!("server {}", k + 1),
        Duration::from_secs(5),
    )?
    else {
        return Err(LabError::Protocol("accept() found no connection".into()));
    };
    let nodelay = mode == NagleMode::Nodelay;
    s.rec.call(cid, AppCall::SetNoDelay { on: nodelay });
    c.set_nodelay(nodelay).map_err(|e| io("TCP_NODELAY", e))?;
    s.rec.ret(cid, AppCallKind::SetNoDelay, AppResult::Ok);
    s.wait(Duration::from_millis(30), "connected")?;

    // Phase 1: raw messages. Phase 2: the same messages with a 4-byte length prefix.
    let msgs: Vec<Vec<u8>> = (0..o.count)
        .map(|i| vec![b'a' + (i % 26) as u8; o.size as usize])
        .collect();
    let raw_total: u64 = msgs.iter().map(|m| m.len() as u64).sum();
    let framed: Vec<Vec<u8>> = msgs.iter().map(|m| codec::encode(m)).collect();
    let framed_total: u64 = framed.iter().map(|m| m.len() as u64).sum();
    let mut conn = Conn {
        mode,
        client: cid,
        cport,
        chunks: Vec::new(),
        framed_chunks: Vec::new(),
        raw_bytes: raw_total,
        recovered: Vec::new(),
        sent_msgs: msgs.clone(),
    };
    let rec = s.rec.clone();
    let deadline = (s.deadline, s.timeout);
    for phase in 0..2 {
        let (data, total, prefix) = if phase == 0 {
            (&msgs, raw_total, "m")
        } else {
            (&framed, framed_total, "")
        };
        let base: u64 = if phase == 0 { 0 } else { raw_total };
        // Each write's bytes as trace messages: raw phase one message per write; framed phase
        // a 4-byte length-prefix message (content LengthPrefix) followed by the body.
        let mut ids = Vec::new();
        let mut off = base;
        for (i, m) in data.iter().enumerate() {
            if phase == 1 {
                let body = m.len() as u32 - codec::HEADER as u32;
                let p = rec.message_with(
                    cid,
                    &format!("len(m{})", i + 1),
                    codec::HEADER as u32,
                    Some(MessageContent::LengthPrefix { value: body }),
                );
                rec.stream_message(cport, port, p, off, codec::HEADER as u32);
                let id = rec.message(cid, &format!("m{}", i + 1), body);
                rec.stream_message(cport, port, id, off + codec::HEADER as u64, body);
                ids.push(id);
            } else {
                let id = rec.message(cid, &format!("{prefix}{}", i + 1), m.len() as u32);
                rec.stream_message(cport, port, id, off, m.len() as u32);
                ids.push(id);
            }
            off += m.len() as u64;
        }
        let (chunks, recovered) = std::thread::scope(|sc| -> Result<(Vec<u32>, Vec<Vec<u8>>)> {
            let reader = sc.spawn(|| {
                read_all(
                    &rec,
                    &a,
                    aid,
                    (cport, port),
                    base,
                    total,
                    o,
                    phase == 1,
                    deadline,
                )
            });
            let c2 = &c;
            for (m, id) in data.iter().zip(&ids) {
                rec.call(
                    cid,
                    AppCall::Send {
                        len: m.len() as u32,
                        message: Some(*id),
                    },
                );
                bounded_write(c2, m, deadline, "the writer")?;
                rec.ret(cid, AppCallKind::Send, AppResult::Ok);
                if o.gap_us > 0 {
                    std::thread::sleep(Duration::from_micros(o.gap_us));
                }
            }
            reader
                .join()
                .map_err(|_| LabError::Protocol("reader thread panicked".into()))?
        })?;
        if phase == 0 {
            conn.chunks = chunks;
        } else {
            conn.framed_chunks = chunks;
            conn.recovered = recovered;
        }
        s.wait(Duration::from_millis(50), "between phases")?;
    }
    drop(c);
    drop(a);
    s.wait(Duration::from_millis(30), "closing")?;
    Ok(conn)
}

#[allow(clippy::too_many_arguments)]
fn read_all(
    rec: &crate::recorder::Recorder,
    a: &TcpStream,
    aid: SocketId,
    (cport, sport): (u16, u16),
    base: u64,
    total: u64,
    o: &StickyOpts,
    framed: bool,
    (deadline, limit): (Instant, f64),
) -> Result<(Vec<u32>, Vec<Vec<u8>>)> {
    if o.read_delay_ms > 0 {
        bounded_sleep(
            Duration::from_millis(o.read_delay_ms),
            (deadline, limit),
            "the reader's delay",
        )?;
    }
    a.set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| io("SO_RCVTIMEO", e))?;
    let mut got = 0u64;
    let mut chunks = Vec::new();
    // The longest message a run can send (--size is at most MAX_TOTAL_BYTES).
    let mut dec = codec::Decoder::with_max_len(MAX_TOTAL_BYTES as u32);
    let mut recovered = Vec::new();
    let mut buf = vec![0u8; o.buf.max(1)];
    while got < total {
        let n = recorded_recv(
            rec,
            aid,
            a,
            &mut buf,
            (deadline, limit),
            "the reader",
            |n| rec.spans(cport, sport, base + got, n as u32),
        )?;
        if n == 0 {
            break;
        }
        got += n as u64;
        chunks.push(n as u32);
        if framed {
            let msgs = dec
                .feed(&buf[..n])
                .map_err(|e| LabError::Protocol(format!("length-prefix decoder: {e:?}")))?;
            recovered.extend(msgs);
        }
    }
    Ok((chunks, recovered))
}

fn data_segments(trace: &Trace, cport: u16, from_off: u64, to_off: u64) -> Vec<u32> {
    // Client → server segments with payload whose first byte lies in [from_off, to_off),
    // first transmissions only.
    let mut isn = None;
    let mut out = Vec::new();
    for e in &trace.events {
        if let EventKind::SegmentSent { segment, .. } = &e.kind {
            if segment.src.port != cport {
                continue;
            }
            if let synack_model::trace::Header::Tcp(t) = &segment.header {
                if t.flags.syn {
                    isn = Some(t.seq);
                }
                if segment.payload_len > 0
                    && segment.retransmission == 0
                    && !segment.network_duplicate
                {
                    if let Some(i) = isn {
                        let off = t.seq.wrapping_sub(i).wrapping_sub(1) as u64;
                        if off >= from_off && off < to_off {
                            out.push(segment.payload_len);
                        }
                    }
                }
            }
        }
    }
    out
}

fn summarize(
    trace: Trace,
    pcap: Vec<(u64, Vec<u8>)>,
    warnings: Vec<String>,
    o: &StickyOpts,
    conns: Vec<Conn>,
    captured: bool,
) -> Result<Outcome> {
    let mut modes = Vec::new();
    for c in &conns {
        let _ = c.client;
        modes.push(ModeReport {
            mode: c.mode,
            writes: o.count,
            bytes_per_write: o.size,
            segments: data_segments(&trace, c.cport, 0, c.raw_bytes),
            recv_chunks: c.chunks.clone(),
            framed_segments: data_segments(&trace, c.cport, c.raw_bytes, u64::MAX),
            framed_recv_chunks: c.framed_chunks.clone(),
            recovered_messages: c.recovered.len() as u32,
            recovered_equal: c.recovered == c.sent_msgs,
        });
    }
    let sum = StickySummary {
        experiment: "sticky",
        read_delay_ms: o.read_delay_ms,
        buf: o.buf,
        autocork: o.autocork,
        packets_captured: captured,
        modes,
        warnings,
    };
    let mut text = format!(
        "sticky on Linux {}: {} writes of {} bytes; reader {}, buffer {} bytes\n\n",
        crate::session::kernel_release(),
        o.count,
        o.size,
        if o.read_delay_ms > 0 {
            format!("waits {} ms", o.read_delay_ms)
        } else {
            "reads at once".into()
        },
        o.buf
    );
    let list = |v: &[u32]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Without a capture there are no segments to count: say so rather than "0 segments".
    let segs = |v: &[u32]| {
        if captured {
            format!("{} segments on the wire [{}]", v.len(), list(v))
        } else {
            "segments not captured (needs CAP_NET_RAW)".to_string()
        }
    };
    for m in &sum.modes {
        text.push_str(&format!(
            "{:<8} {} writes → {}; recv() chunks [{}]\n",
            match m.mode {
                NagleMode::Nagle => "Nagle",
                NagleMode::Nodelay => "NODELAY",
            },
            m.writes,
            segs(&m.segments),
            list(&m.recv_chunks)
        ));
        text.push_str(&format!(
            "         with a 4-byte length prefix: {}, chunks [{}] → {} messages recovered{}\n",
            if captured {
                format!("segments [{}]", list(&m.framed_segments))
            } else {
                "segments not captured".to_string()
            },
            list(&m.framed_recv_chunks),
            m.recovered_messages,
            if m.recovered_equal {
                ", identical to what was sent"
            } else {
                ", NOT what was sent"
            }
        ));
    }
    let ok = sum.modes.iter().all(|m| m.recovered_equal);
    Ok(Outcome::new(&sum, text, &sum.warnings, trace, pcap, ok))
}
