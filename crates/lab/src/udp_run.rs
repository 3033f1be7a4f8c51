//! The scenario runner's UDP sockets (`runner`): the scenario's UDP sockets on real sockets in
//! the two namespaces, their calls at the scenario's times, and after the run what became of
//! each datagram the wire handed to a host.
//!
//! As in the model, every UDP socket of the scenario exists from time zero, bound to its port
//! (SO_REUSEADDR, SO_REUSEPORT and SO_RCVBUF set before bind()). Each datagram's first four
//! bytes carry the number of its message, so that a recv() says which datagram it returned,
//! and so that after the run the datagrams still queued (read without recording) and the ones
//! a recv() returned tell which of those the wire delivered the kernel threw away
//! (`__udp_enqueue_schedule_skb`: the receive buffer was full) — the wire only sees a
//! datagram reach the host, never the socket.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Mutex;
use std::time::Duration;

use synack_model::scenario::{Action, Scenario};
use synack_model::trace::{
    Addr, AppCall, AppCallKind, AppResult, DropReason, EventKind, Header, HostId, MessageId,
    PayloadSpan, Proto, SocketId, Trace,
};

use crate::error::{LabError, Result};
use crate::recorder::Recorder;
use crate::sys::netns::Netns;
use crate::sys::sock;

/// One of the scenario's UDP sockets.
pub struct UdpHeld {
    pub label: String,
    pub id: SocketId,
    host: HostId,
    port: u16,
    sock: Mutex<Option<UdpSocket>>,
    /// The messages a recv() returned, and those still queued at the end.
    seen: Mutex<BTreeSet<u32>>,
    /// When close() returned, µs on the scenario's clock.
    closed_us: Mutex<Option<u64>>,
}

/// What the runner's context gives a UDP step.
pub trait Clock {
    /// µs on the scenario's clock.
    fn now(&self) -> u64;
    fn past_horizon(&self) -> bool;
    /// (side, port) of "host:port".
    fn addr(&self, to: &str) -> Result<(usize, u16)>;

    /// poll(2) for input on `fd` until `timeout_us` has passed (None: no limit), in waits of
    /// at most 5 ms so that the horizon and Ctrl-C are noticed: whether it became readable,
    /// or None when the run's horizon came first. The TCP and the UDP `poll` steps share it.
    fn wait_readable(&self, fd: RawFd, timeout_us: Option<u64>) -> Result<Option<bool>> {
        let deadline = timeout_us.map(|t| self.now() + t);
        loop {
            crate::sys::signal::check()?;
            let left = deadline.map_or(5_000, |d| d.saturating_sub(self.now()).min(5_000));
            if sock::poll_in(fd, Duration::from_micros(left))? {
                return Ok(Some(true));
            }
            if deadline.is_some_and(|d| self.now() >= d) {
                return Ok(Some(false));
            }
            if self.past_horizon() {
                return Ok(None);
            }
        }
    }
}

/// Makes every UDP socket of `sc` in its namespace (`nss` client side, server side), bound at
/// `ips[side]`, in the scenario's order (the order a SO_REUSEPORT group is formed in).
pub fn open(
    sc: &Scenario,
    rec: &Recorder,
    nss: &[Netns; 2],
    hosts: [HostId; 2],
    ips: [Ipv4Addr; 2],
) -> Result<Vec<UdpHeld>> {
    // Made now, before time zero, so no send() builds its bytes after it is stamped.
    pattern();
    let mut out = Vec::new();
    for spec in sc.sockets.iter().filter(|s| s.proto == Proto::Udp) {
        let side = usize::from(sc.hosts[0].name != spec.host);
        let addr = SocketAddrV4::new(ips[side], spec.port);
        let (ra, rp, rb) = (spec.reuse_addr, spec.reuse_port, spec.recv_buffer);
        let s = nss[side].run("udp socket", move || {
            sock::udp_socket_with(addr, ra, rp, rb)
        })?;
        let port = s
            .local_addr()
            .map_err(|e| crate::experiments::io("UDP local address", e))?
            .port();
        let id = rec.socket(
            hosts[side],
            Proto::Udp,
            port,
            None,
            false,
            None,
            &spec.label,
        );
        out.push(UdpHeld {
            label: spec.label.clone(),
            id,
            host: hosts[side],
            port,
            sock: Mutex::new(Some(s)),
            seen: Mutex::new(BTreeSet::new()),
            closed_us: Mutex::new(None),
        });
    }
    Ok(out)
}

/// The first four bytes of a datagram: its message number, big-endian. A datagram shorter
/// than that carries the number's low bytes (a 1-byte datagram its last byte), so that what
/// it holds still tells it from its neighbours ([`UdpHeld::identify`]).
/// The bytes after the number are [`crate::sys::sock::pattern`]'s, copied from one
/// [`pattern`]: built byte by byte in a debug build after the call is stamped, a 65507-byte
/// datagram left its sendto() about 1 ms late (6.18, lab's wire: 1.15 ms between a 3000-byte datagram's last fragment
/// and the next datagram's first), long enough for a reader to run in between.
fn payload(m: MessageId, len: u32) -> Vec<u8> {
    let tag = m.0.to_be_bytes();
    if len < 4 {
        return tag[4 - len as usize..].to_vec();
    }
    let mut out = Vec::with_capacity(len as usize);
    out.extend_from_slice(&tag);
    let len = len as usize;
    match pattern().get(4..len) {
        Some(rest) => out.extend_from_slice(rest),
        None => out.extend(crate::sys::sock::pattern(len).skip(4)),
    }
    out
}

/// The bytes `payload` copies, [`crate::sys::sock::pattern`] as far as a datagram can reach;
/// made by [`open`], before time zero.
fn pattern() -> &'static [u8] {
    static PATTERN: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| crate::sys::sock::pattern(u16::MAX as usize + 1).collect())
}

fn message_of(buf: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(buf.get(..4)?.try_into().ok()?))
}

/// Of the datagrams `sent` (in order, with their lengths), the first of length `real` not in
/// `seen` whose bytes begin with `got`.
fn message_among(
    sent: &[(MessageId, u32)],
    seen: &BTreeSet<u32>,
    real: usize,
    got: &[u8],
) -> Option<u32> {
    sent.iter()
        .find(|&&(m, len)| {
            len as usize == real && !seen.contains(&m.0) && payload(m, len).starts_with(got)
        })
        .map(|&(m, _)| m.0)
}

impl UdpHeld {
    fn with<T>(&self, f: impl FnOnce(&UdpSocket) -> T) -> Result<T> {
        let g = self.sock.lock().unwrap_or_else(|e| e.into_inner());
        match g.as_ref() {
            Some(s) => Ok(f(s)),
            None => Err(LabError::Usage(format!(
                "UDP socket {:?} is used after close()",
                self.label
            ))),
        }
    }

    fn local_port(&self) -> u16 {
        self.port
    }

    /// Which message a received datagram is: `got` is what recvfrom() copied (maybe cut
    /// short by its buffer), `real` the datagram's length (MSG_TRUNC), `from` its source port.
    /// Four bytes name it; fewer (a datagram of 1-3 bytes, or a buffer of 1-3) leave the
    /// first datagram from `from` of that length, not yet received, whose bytes begin so.
    /// Without this a 1-byte datagram was never recognised, and counted dropped when unread.
    fn identify(&self, rec: &Recorder, from: u16, real: usize, got: &[u8]) -> Option<u32> {
        if got.len() >= 4 && real >= 4 {
            return message_of(got);
        }
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        message_among(&rec.datagrams_sent(from, self.port), &seen, real, got)
    }

    /// Runs one step on this socket; false when a blocking call was still waiting at the
    /// horizon.
    pub fn step(
        &self,
        c: &dyn Clock,
        rec: &Recorder,
        hosts: [HostId; 2],
        ips: [Ipv4Addr; 2],
        action: &Action,
    ) -> Result<bool> {
        let id = self.id;
        match action {
            Action::Connect { to } => {
                let (side, port) = c.addr(to)?;
                let peer = Addr {
                    host: hosts[side],
                    port,
                };
                rec.call(id, AppCall::Connect { to: peer });
                let r = self.with(|s| s.connect(SocketAddrV4::new(ips[side], port)))?;
                rec.ret(id, AppCallKind::Connect, result(r.map(|_| ())));
            }
            Action::Send { len, .. } => {
                rec.call(
                    id,
                    AppCall::Send {
                        len: *len,
                        message: None,
                    },
                );
                let peer = self.with(|s| s.peer_addr().ok())?;
                let m = rec.message(id, &format!("{} datagram", self.label), *len);
                let r = self.with(|s| s.send(&payload(m, *len)))?;
                if let (Ok(_), Some(p)) = (&r, peer) {
                    rec.datagram_message(self.local_port(), p.port(), m, *len);
                }
                rec.ret(id, AppCallKind::Send, result(r.map(|_| ())));
            }
            Action::SendTo { to, len, .. } => {
                let (side, port) = c.addr(to)?;
                let m = rec.message(id, &format!("{} datagram", self.label), *len);
                rec.call(
                    id,
                    AppCall::SendTo {
                        to: Addr {
                            host: hosts[side],
                            port,
                        },
                        len: *len,
                        message: Some(m),
                    },
                );
                let r = self
                    .with(|s| s.send_to(&payload(m, *len), SocketAddrV4::new(ips[side], port)))?;
                if r.is_ok() {
                    rec.datagram_message(self.local_port(), port, m, *len);
                }
                rec.ret(id, AppCallKind::SendTo, result(r.map(|_| ())));
            }
            Action::Recv { max } => return self.recv(c, rec, *max).map(|r| r.is_some()),
            Action::RecvLoop { max } => loop {
                if self.recv(c, rec, *max)?.is_none() {
                    return Ok(false);
                }
            },
            Action::Poll { timeout_us } => {
                rec.call(
                    id,
                    AppCall::Poll {
                        timeout_us: *timeout_us,
                    },
                );
                let fd = self.with(|s| s.as_raw_fd())?;
                let Some(ready) = c.wait_readable(fd, *timeout_us)? else {
                    return Ok(false);
                };
                rec.ret(id, AppCallKind::Poll, AppResult::Polled { ready });
            }
            Action::Close {} => {
                rec.call(id, AppCall::Close);
                let s = self.sock.lock().unwrap_or_else(|e| e.into_inner()).take();
                drop(s);
                *self.closed_us.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.now());
                rec.ret(id, AppCallKind::Close, AppResult::Ok);
            }
            other => {
                return Err(LabError::Usage(format!(
                    "{other:?} on UDP socket {:?}: not a UDP call",
                    self.label
                )))
            }
        }
        Ok(true)
    }

    /// One recvfrom() of at most `max` bytes (MSG_TRUNC tells the datagram's real length, so
    /// the trace can say how much was cut off): Some(()) once it returned, None when it was
    /// still waiting at the horizon.
    fn recv(&self, c: &dyn Clock, rec: &Recorder, max: u32) -> Result<Option<()>> {
        let id = self.id;
        rec.call(id, AppCall::Recv { max });
        self.with(|s| s.set_read_timeout(Some(Duration::from_millis(5))))?
            .map_err(|e| crate::experiments::io("SO_RCVTIMEO", e))?;
        let mut buf = vec![0u8; max as usize];
        loop {
            crate::sys::signal::check()?;
            let r = self.with(|s| sock::recv_trunc(s, &mut buf))?;
            match r {
                Ok((kept, real, from)) => {
                    let m = self.identify(rec, from.port(), real, &buf[..kept]);
                    if let Some(m) = m {
                        self.seen
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(m);
                    }
                    rec.ret(
                        id,
                        AppCallKind::Recv,
                        AppResult::Data {
                            len: kept as u32,
                            payload: m
                                .map(|m| PayloadSpan {
                                    message: MessageId(m),
                                    start: 0,
                                    end: kept as u32,
                                })
                                .into_iter()
                                .filter(|_| kept > 0)
                                .collect(),
                            from: Some(rec.addr_of(from)),
                            truncated: (real > kept).then_some((real - kept) as u32),
                        },
                    );
                    return Ok(Some(()));
                }
                // EINTR: SIGINT or SIGTERM landed on this thread; the loop's check stops it.
                Err(LabError::Io { source, .. })
                    if matches!(
                        source.kind(),
                        ErrorKind::WouldBlock | ErrorKind::Interrupted
                    ) =>
                {
                    if c.past_horizon() {
                        return Ok(None);
                    }
                }
                Err(LabError::Io { source, .. }) => {
                    rec.ret(
                        id,
                        AppCallKind::Recv,
                        AppResult::Error {
                            errno: sock::errno_name(&source),
                        },
                    );
                    return Ok(Some(()));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads (without recording) what is still queued at the end of the run: those
    /// datagrams reached the socket.
    pub fn drain(&self, rec: &Recorder) {
        if !matches!(self.with(|s| s.set_nonblocking(true)), Ok(Ok(()))) {
            return;
        }
        let mut buf = vec![0u8; 65_536];
        while let Ok(Ok((kept, real, from))) = self.with(|s| sock::recv_trunc(s, &mut buf)) {
            if let Some(m) = self.identify(rec, from.port(), real, &buf[..kept]) {
                self.seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(m);
            }
        }
    }
}

fn result(r: std::io::Result<()>) -> AppResult {
    match r {
        Ok(()) => AppResult::Ok,
        Err(e) => AppResult::Error {
            errno: sock::errno_name(&e),
        },
    }
}

/// Marks what the wire delivered but no socket took (`trace` on the scenario's clock): a
/// datagram for a port nobody had bound (`__udp4_lib_rcv` → no socket: `NoSocket`, as the
/// model marks it; the ICMP answer is on the wire), and a datagram whose message no recv()
/// returned and that was not queued at the end (`ReceiveBufferFull`: the kernel dropped it
/// and counted it in `RcvbufErrors`). Returns how many were marked each way.
pub fn mark_drops(trace: &mut Trace, socks: &[UdpHeld]) -> (u32, u32) {
    let mut sent: std::collections::BTreeMap<u32, (Addr, Option<u32>)> = Default::default();
    let (mut no_socket, mut full) = (0, 0);
    for e in &mut trace.events {
        match &e.kind {
            EventKind::SegmentSent { id, segment } => {
                if let Header::Udp(_) = segment.header {
                    let m = segment.payload.first().map(|p| p.message.0);
                    sent.insert(id.0, (segment.dst, m));
                }
            }
            EventKind::SegmentArrived { id } => {
                let id = *id;
                let Some((dst, m)) = sent.get(&id.0).copied() else {
                    continue;
                };
                let bound: Vec<&UdpHeld> = socks
                    .iter()
                    .filter(|s| s.host == dst.host && s.port == dst.port)
                    .filter(|s| {
                        let closed = *s.closed_us.lock().unwrap_or_else(|p| p.into_inner());
                        closed.is_none_or(|c| c > e.t)
                    })
                    .collect();
                let reason = if bound.is_empty() {
                    no_socket += 1;
                    Some(DropReason::NoSocket)
                } else if m.is_some_and(|m| {
                    !bound.iter().any(|s| {
                        s.seen
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .contains(&m)
                    })
                }) {
                    full += 1;
                    Some(DropReason::ReceiveBufferFull)
                } else {
                    None
                };
                if let Some(reason) = reason {
                    e.kind = EventKind::SegmentDropped { id, reason };
                }
            }
            _ => {}
        }
    }
    (no_socket, full)
}

/// The namespace's UDP counters (`/proc/net/snmp`'s `Udp:` lines: `InDatagrams`, `NoPorts`,
/// `InErrors`, `RcvbufErrors`...), read inside the namespace the calling thread is in.
pub fn udp_counters() -> Result<std::collections::BTreeMap<String, u64>> {
    let text = std::fs::read_to_string("/proc/thread-self/net/snmp")
        .map_err(|e| crate::experiments::io("reading /proc/thread-self/net/snmp", e))?;
    let mut out = std::collections::BTreeMap::new();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("Udp:")).collect();
    if let [names, values] = lines.as_slice() {
        for (n, v) in names
            .split_whitespace()
            .zip(values.split_whitespace())
            .skip(1)
        {
            if let Ok(v) = v.parse() {
                out.insert(n.to_string(), v);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datagram_too_short_for_its_message_number_is_told_by_its_low_bytes_and_length() {
        // Messages 7, 8 and 9: two 1-byte datagrams, then a 100-byte one.
        let sent = [(MessageId(7), 1), (MessageId(8), 1), (MessageId(9), 100)];
        assert_eq!(payload(MessageId(8), 1), vec![8]);
        assert_eq!(payload(MessageId(0x0102_0304), 3), vec![2, 3, 4]);
        assert_eq!(&payload(MessageId(9), 100)[..4], &[0, 0, 0, 9]);
        let mut seen = BTreeSet::new();
        // Message 7 was dropped: the byte the receiver gets names message 8.
        assert_eq!(message_among(&sent, &seen, 1, &[8]), Some(8));
        seen.insert(8);
        assert_eq!(message_among(&sent, &seen, 1, &[8]), None);
        // A 100-byte datagram read into a 2-byte buffer: its length and first bytes.
        assert_eq!(message_among(&sent, &seen, 100, &[0, 0]), Some(9));
        assert_eq!(message_among(&sent, &seen, 1, &[7]), Some(7));
        assert_eq!(message_among(&sent, &seen, 2, &[7]), None);
    }
}
