//! Socket states and queue lengths from sock_diag (NETLINK_SOCK_DIAG, `inet_diag`), the
//! interface `ss` uses (see sock_diag(7)).
//!
//! What the kernel reports per socket (linux/inet_diag.h):
//! - `state`: TCP_* numbers; request sockets (a listener's SYN queue) show as SYN-RECV.
//! - `rqueue`/`wqueue`: for a listener the accept-queue length and its limit (the backlog);
//!   for a connection the bytes waiting in the receive / send queue.
//! - `timer`/`expires`: which timer runs (1 retransmit, 2 keepalive, 3 TIME-WAIT, 4 zero-window
//!   probe) and milliseconds until it fires; `retrans` the retransmission count.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

use super::netns::{join, parse_netstat, read_netstat_text, Netns};
use crate::error::{cvt, cvt_size, LabError, Result};

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const INET_DIAG_INFO: u16 = 2;
const INET_DIAG_SKMEMINFO: u16 = 7;

/// One socket as sock_diag reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagSock {
    pub udp: bool,
    /// Linux TCP state number (1 ESTABLISHED ... 12 NEW_SYN_RECV); 7 (CLOSE) for UDP.
    pub state: u8,
    pub local: SocketAddrV4,
    pub remote: SocketAddrV4,
    pub rqueue: u32,
    pub wqueue: u32,
    pub timer: u8,
    pub retrans: u8,
    pub expires_ms: u32,
    pub cookie: u64,
    /// From tcp_info: current RTO in microseconds (0 when not reported).
    pub rto_us: u32,
    /// From tcp_info: tcpi_total_retrans.
    pub total_retrans: u32,
    /// SO_RCVBUF / SO_SNDBUF as the kernel holds them (bytes of memory, sk_rcvbuf/sk_sndbuf).
    pub rcvbuf: u32,
    pub sndbuf: u32,
    /// SK_MEMINFO_RMEM_ALLOC (`sk_rmem_alloc`: the truesize of every queued skb) and
    /// SK_MEMINFO_FWD_ALLOC (`sk_forward_alloc`: memory charged in pages, not yet used).
    pub rmem_alloc: u32,
    pub fwd_alloc: u32,
}

/// The result of one poll.
#[derive(Clone, Debug)]
pub struct DiagSample {
    /// When the dump was asked for: what it shows happened after the previous sample's
    /// `t_us` at the earliest...
    pub t_us: u64,
    /// ...and when its answer was complete: what it shows happened before this.
    pub t_end_us: u64,
    pub sockets: Vec<DiagSock>,
    pub netstat: std::collections::BTreeMap<String, u64>,
}

/// Opens a sock_diag socket in the calling thread's namespace.
pub fn open() -> Result<OwnedFd> {
    // SAFETY: plain socket(2).
    let fd = cvt(
        unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                libc::NETLINK_SOCK_DIAG,
            )
        },
        || "opening a NETLINK_SOCK_DIAG socket".into(),
    )?;
    // SAFETY: fresh fd.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The states a dump asks for: every TCP state (ESTABLISHED 1 … NEW_SYN_RECV 12) but
/// TCP_BOUND_INACTIVE (13, Linux 6.7+: sockets bound and neither listening nor connected), which
/// no recorder rule reads and which makes `tcp_diag_dump` walk the host's whole bind hash
/// (65,536 buckets, shared by every namespace) on each dump: two thirds of a lab run's system
/// time went there once the namespaces had socket tables of their own.
const DUMPED_STATES: u32 = !(1 << 13);

/// Dumps every IPv4 socket of one protocol (every state of [`DUMPED_STATES`]).
pub fn dump(fd: &OwnedFd, udp: bool) -> Result<Vec<DiagSock>> {
    // nlmsghdr (16) + inet_diag_req_v2 (56)
    let mut req = [0u8; 72];
    req[0..4].copy_from_slice(&72u32.to_ne_bytes());
    req[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
    req[6..8].copy_from_slice(&flags.to_ne_bytes());
    req[16] = libc::AF_INET as u8;
    req[17] = if udp {
        libc::IPPROTO_UDP as u8
    } else {
        libc::IPPROTO_TCP as u8
    };
    // Ask for tcp_info and the socket's memory counters (buffer sizes).
    req[18] = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1));
    req[20..24].copy_from_slice(&DUMPED_STATES.to_ne_bytes());
    // SAFETY: sending a buffer we own to the kernel (destination: sockaddr_nl pid 0).
    unsafe {
        let mut sa: libc::sockaddr_nl = std::mem::zeroed();
        sa.nl_family = libc::AF_NETLINK as u16;
        cvt_size(
            libc::sendto(
                fd.as_raw_fd(),
                req.as_ptr() as *const libc::c_void,
                req.len(),
                0,
                &sa as *const _ as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            ),
            || "sending a sock_diag request".into(),
        )?;
    }
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        // SAFETY: receiving into a buffer we own.
        let n = cvt_size(
            unsafe {
                libc::recv(
                    fd.as_raw_fd(),
                    buf.as_mut_ptr() as *mut libc::c_void,
                    buf.len(),
                    0,
                )
            },
            || "reading the sock_diag answer".into(),
        )?;
        let mut off = 0;
        while off + 16 <= n {
            let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap_or([0; 4])) as usize;
            let ty = u16::from_ne_bytes([buf[off + 4], buf[off + 5]]);
            if len < 16 || off + len > n {
                return Err(LabError::Protocol("truncated netlink message".into()));
            }
            match ty as libc::c_int {
                libc::NLMSG_DONE => return Ok(out),
                libc::NLMSG_ERROR => {
                    let errno =
                        i32::from_ne_bytes(buf[off + 16..off + 20].try_into().unwrap_or([0; 4]));
                    return Err(LabError::Io {
                        what: format!(
                            "sock_diag dump of {} sockets",
                            if udp { "UDP" } else { "TCP" }
                        ),
                        source: std::io::Error::from_raw_os_error(-errno),
                    });
                }
                _ => {
                    if let Some(s) = parse_msg(&buf[off + 16..off + len], udp) {
                        out.push(s);
                    }
                }
            }
            off += (len + 3) & !3;
        }
    }
}

/// Parses one `inet_diag_msg` (+ attributes).
fn parse_msg(m: &[u8], udp: bool) -> Option<DiagSock> {
    if m.len() < 72 {
        return None;
    }
    let be16 = |o: usize| u16::from_be_bytes([m[o], m[o + 1]]);
    let ne32 = |o: usize| u32::from_ne_bytes([m[o], m[o + 1], m[o + 2], m[o + 3]]);
    let ip = |o: usize| Ipv4Addr::new(m[o], m[o + 1], m[o + 2], m[o + 3]);
    let mut s = DiagSock {
        udp,
        state: m[1],
        timer: m[2],
        retrans: m[3],
        local: SocketAddrV4::new(ip(8), be16(4)),
        remote: SocketAddrV4::new(ip(24), be16(6)),
        cookie: ne32(44) as u64 | ((ne32(48) as u64) << 32),
        expires_ms: ne32(52),
        rqueue: ne32(56),
        wqueue: ne32(60),
        rto_us: 0,
        total_retrans: 0,
        rcvbuf: 0,
        sndbuf: 0,
        rmem_alloc: 0,
        fwd_alloc: 0,
    };
    // rtattrs after the fixed part.
    let mut off = 72;
    while off + 4 <= m.len() {
        let alen = u16::from_ne_bytes([m[off], m[off + 1]]) as usize;
        let aty = u16::from_ne_bytes([m[off + 2], m[off + 3]]);
        if alen < 4 || off + alen > m.len() {
            break;
        }
        if aty == INET_DIAG_INFO {
            let info = &m[off + 4..off + alen];
            let u = |o: usize| {
                info.get(o..o + 4)
                    .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(0)
            };
            s.rto_us = u(8);
            s.total_retrans = u(100);
        }
        if aty == INET_DIAG_SKMEMINFO {
            // SK_MEMINFO_RMEM_ALLOC, _RCVBUF, _WMEM_ALLOC, _SNDBUF, ... (linux/sock_diag.h)
            let v = &m[off + 4..off + alen];
            let u = |i: usize| {
                v.get(i * 4..i * 4 + 4)
                    .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(0)
            };
            s.rcvbuf = u(1);
            s.sndbuf = u(3);
            s.rmem_alloc = u(0);
            s.fwd_alloc = u(4);
        }
        off += (alen + 3) & !3;
    }
    Some(s)
}

/// The most socket entries a poller keeps (about 80 bytes each, so about 320 MB): past it
/// the run's trace is marked cut short (`capture_budget`) instead of growing without end.
pub const MAX_STORED_SOCKETS: usize = 4_000_000;

/// True when `next`'s sockets tell the recorder nothing `prev`'s did not: equal in every
/// field, none with a running timer (the recorder reads a timer's expiry as sample time plus
/// time left, so even an unchanged `expires_ms` is news). Such samples, with unchanged
/// counters too, are not kept: at a 1 ms interval they cost megabytes per second of a quiet
/// two-minute run.
fn same_sockets(prev: &DiagSample, next: &DiagSample) -> bool {
    prev.sockets == next.sockets && next.sockets.iter().all(|d| d.timer == 0)
}

/// A quiet stretch keeps one sample this often (µs), a quarter of the gap a run is reported
/// for (`runner::POLL_GAP_US`).
const HEARTBEAT_US: u64 = 2_500;

/// What a poller hands back: its samples, and whether its budget stopped their recording.
type Polled = (Vec<DiagSample>, bool);

/// Polls sock_diag (and the namespace's TcpExt counters) on a thread inside `ns`.
pub struct Poller {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<Polled>>>,
}

impl Poller {
    /// `interval`: time between polls. `udp`: dump UDP sockets too. `netstat`: also read the
    /// namespace's counters at each poll (only meaningful in a private namespace).
    pub fn start(ns: &Netns, interval: Duration, udp: bool, netstat: bool) -> Result<Poller> {
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let (tx, rx) = mpsc::channel::<()>();
        // SYNACK_LAB_SKMEM=1: each poll's connected TCP sockets' receive memory on stderr, to
        // measure what the model's truesize and page accounting claim (crates/lab/README.md).
        let skmem = std::env::var_os("SYNACK_LAB_SKMEM").is_some();
        let handle = ns.spawn("sock_diag", move || {
            super::measuring_priority();
            let fd = open()?;
            let mut out: Vec<DiagSample> = Vec::new();
            let mut stored = 0usize;
            let mut full = false;
            let mut last_netstat = std::collections::BTreeMap::new();
            let mut last_netstat_text = String::new();
            let mut first = true;
            loop {
                let done = stop2.load(Ordering::SeqCst);
                let t_us = super::realtime_us();
                let mut sockets = dump(&fd, false)?;
                if udp {
                    sockets.extend(dump(&fd, true)?);
                }
                // Counters as printed; parsed only when the text changed since the last poll
                // (parsing ~120 counters a millisecond was a fifth of the poller's time).
                // `same_counters`: equal to the last ones read (an unchanged text is).
                let (netstat, same_counters) = match netstat {
                    true => {
                        let text = read_netstat_text()?;
                        if text == last_netstat_text {
                            (Default::default(), true)
                        } else {
                            let counters = parse_netstat(&text);
                            last_netstat_text = text;
                            let same = counters == last_netstat;
                            (counters, same)
                        }
                    }
                    false => (Default::default(), true),
                };
                let t_end_us = super::realtime_us();
                if skmem {
                    for d in sockets.iter().filter(|d| !d.udp && d.state == 1) {
                        eprintln!(
                            "skmem {t_us} {} > {}: recv-q {} rmem_alloc {} fwd_alloc {} rcvbuf {}",
                            d.local, d.remote, d.rqueue, d.rmem_alloc, d.fwd_alloc, d.rcvbuf
                        );
                    }
                }
                let mut sample = DiagSample {
                    t_us,
                    t_end_us,
                    sockets,
                    netstat,
                };
                // The last sample is always kept: it closes the run's time line.
                // So is one every `HEARTBEAT_US` of a quiet stretch: the recorder measures how
                // far apart dumps were from the samples it gets, and a quiet second is not a
                // poller that fell behind.
                let news = done
                    || !out.last().is_some_and(|p| {
                        same_sockets(p, &sample)
                            && same_counters
                            && t_us.saturating_sub(p.t_us) < HEARTBEAT_US
                    });
                // Counters equal to the last ones read are stored as an empty map: the
                // recorder only turns changed counters into events, so nothing is lost, and
                // a map of ~120 counters per millisecond was most of a run's memory.
                if same_counters {
                    sample.netstat.clear();
                } else {
                    last_netstat = sample.netstat.clone();
                }
                if news && (done || stored + sample.sockets.len() <= MAX_STORED_SOCKETS) {
                    stored += sample.sockets.len();
                    out.push(sample);
                } else if news {
                    full = true;
                }
                if first {
                    let _ = tx.send(());
                    first = false;
                }
                if done {
                    return Ok((out, full));
                }
                // Many sockets (backlog with a thousand clients) poll less often: at most
                // about 20,000 socket entries a second per namespace (50 µs per socket), so
                // samples grow by at most ~2 MB/s and the recorder's pass over them stays
                // short. Three sockets still poll every millisecond.
                let n = out.last().map_or(0, |s| s.sockets.len()) as u32;
                std::thread::sleep(interval.max(Duration::from_micros(50) * n));
            }
        })?;
        let _ = rx.recv_timeout(Duration::from_secs(5));
        Ok(Poller {
            stop,
            handle: Some(handle),
        })
    }

    /// The samples, and whether the budget (`MAX_STORED_SOCKETS`) stopped their recording.
    pub fn stop(mut self) -> Result<Polled> {
        self.stop.store(true, Ordering::SeqCst);
        match self.handle.take() {
            Some(h) => join(h),
            None => Ok((Vec::new(), false)),
        }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Linux TCP state numbers (include/net/tcp_states.h).
pub mod state {
    pub const ESTABLISHED: u8 = 1;
    pub const SYN_SENT: u8 = 2;
    pub const SYN_RECV: u8 = 3;
    pub const FIN_WAIT1: u8 = 4;
    pub const FIN_WAIT2: u8 = 5;
    pub const TIME_WAIT: u8 = 6;
    pub const CLOSE: u8 = 7;
    pub const CLOSE_WAIT: u8 = 8;
    pub const LAST_ACK: u8 = 9;
    pub const LISTEN: u8 = 10;
    pub const CLOSING: u8 = 11;
    pub const NEW_SYN_RECV: u8 = 12;
}
