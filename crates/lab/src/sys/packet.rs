//! Packet capture with an AF_PACKET socket (packet(7)) — no libpcap.
//!
//! We open a `SOCK_DGRAM` packet socket bound to one interface, so the kernel hands us the IP
//! packet without the link header, with `sll_pkttype` telling outgoing (`PACKET_OUTGOING`) from
//! incoming copies. On `lo` every packet is seen twice: once leaving (dev_queue_xmit's taps) and
//! once arriving (netif_rx); the recorder turns those into `SegmentSent` and `SegmentArrived`.
//! Each packet carries the kernel's receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use super::netns::{ifindex, join, Netns};
use crate::error::{cvt, LabError, Result};

/// One captured IPv4 packet.
#[derive(Clone, Debug)]
pub struct RawPacket {
    /// Kernel timestamp, CLOCK_REALTIME microseconds.
    pub t_us: u64,
    /// `PACKET_OUTGOING`: the copy seen while leaving the sender.
    pub outgoing: bool,
    /// The IP packet (header included).
    pub data: Vec<u8>,
}

/// A running capture; `stop()` returns what it saw.
pub struct Capture {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<Captured>>>,
}

/// What a capture hands back: its packets, and whether its budget stopped their recording.
type Captured = (Vec<RawPacket>, bool);

/// The most packet bytes a capture keeps (every packet is seen twice on `lo`). The options'
/// ranges keep runs far below it; past it the trace is marked cut short (`capture_budget`).
pub const MAX_CAPTURED_BYTES: usize = 512 << 20;

impl Capture {
    /// Starts capturing on `ifname` inside `ns`; returns once the socket is bound, so nothing
    /// sent afterwards is missed. Needs CAP_NET_RAW.
    pub fn start(ns: &Netns, ifname: &str) -> Result<Capture> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
        let ifname = ifname.to_string();
        let stop2 = stop.clone();
        let handle = ns.spawn("capture", move || {
            let fd = match open(&ifname) {
                Ok(fd) => {
                    let _ = ready_tx.send(Ok(()));
                    fd
                }
                Err(e) => {
                    let msg = e.to_string();
                    let perm = e.is_permission();
                    let _ = ready_tx.send(Err(e));
                    return Err(if perm {
                        LabError::Protocol(msg)
                    } else {
                        LabError::Protocol(format!("capture failed: {msg}"))
                    });
                }
            };
            let mut out = Vec::new();
            let mut bytes = 0usize;
            let mut full = false;
            let mut buf = vec![0u8; 65536];
            let mut keep = |p: RawPacket, out: &mut Vec<RawPacket>| {
                if bytes + p.data.len() <= MAX_CAPTURED_BYTES {
                    bytes += p.data.len();
                    out.push(p);
                } else {
                    full = true;
                }
            };
            while !stop2.load(Ordering::SeqCst) {
                if let Some(p) = recv_one(&fd, &mut buf)? {
                    keep(p, &mut out);
                }
            }
            // Drain what is already queued (packets sent just before stop).
            while let Some(p) = recv_one(&fd, &mut buf)? {
                keep(p, &mut out);
            }
            Ok((out, full))
        })?;
        match ready_rx.recv_timeout(std::time::Duration::from_secs(5)) {
            Ok(Ok(())) => Ok(Capture {
                stop,
                handle: Some(handle),
            }),
            Ok(Err(e)) => {
                let _ = handle.join();
                Err(e)
            }
            Err(_) => Err(LabError::Timeout {
                what: "the capture socket".into(),
                secs: 5.0,
            }),
        }
    }

    /// The packets, and whether the budget (`MAX_CAPTURED_BYTES`) stopped their recording.
    pub fn stop(mut self) -> Result<Captured> {
        self.stop.store(true, Ordering::SeqCst);
        match self.handle.take() {
            Some(h) => join(h),
            None => Ok((Vec::new(), false)),
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        // On an error path the thread is told to stop and joined (it wakes every 20 ms).
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn open(ifname: &str) -> Result<OwnedFd> {
    let proto = (libc::ETH_P_IP as u16).to_be() as libc::c_int;
    // SAFETY: plain socket(2); the fd is owned right after.
    let fd = cvt(
        unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                proto,
            )
        },
        || "opening an AF_PACKET socket for capture (needs CAP_NET_RAW)".into(),
    )?;
    // SAFETY: fd is a fresh descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let idx = ifindex(ifname)?;
    // SAFETY: sockaddr_ll is POD; we fill the fields packet(7) needs for bind.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = proto as u16;
    sll.sll_ifindex = idx as i32;
    let one: libc::c_int = 1;
    let tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 20_000,
    };
    // SAFETY: the pointers and lengths describe values we own.
    unsafe {
        cvt(
            libc::bind(
                fd.as_raw_fd(),
                &sll as *const _ as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            ),
            || format!("binding the capture socket to {ifname}"),
        )?;
        cvt(
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                &one as *const _ as *const libc::c_void,
                4,
            ),
            || "SO_TIMESTAMPNS on the capture socket".into(),
        )?;
        cvt(
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                &tv as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::timeval>() as u32,
            ),
            || "SO_RCVTIMEO on the capture socket".into(),
        )?;
        // A large buffer: a burst of segments must not be dropped by the tap.
        let size: libc::c_int = 8 << 20;
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            &size as *const _ as *const libc::c_void,
            4,
        );
    }
    Ok(fd)
}

/// Receives one packet, or `None` after the 20 ms receive timeout.
fn recv_one(fd: &OwnedFd, buf: &mut [u8]) -> Result<Option<RawPacket>> {
    // SAFETY: all structures are POD, zero-initialised, and point into buffers that outlive
    // the recvmsg call.
    unsafe {
        let mut sll: libc::sockaddr_ll = std::mem::zeroed();
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr() as *mut libc::c_void,
            iov_len: buf.len(),
        };
        let mut cbuf = [0u64; 16];
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_name = &mut sll as *mut _ as *mut libc::c_void;
        msg.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as u32;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = std::mem::size_of_val(&cbuf);
        let n = libc::recvmsg(fd.as_raw_fd(), &mut msg, 0);
        if n < 0 {
            let e = std::io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(None),
                _ => Err(LabError::Io {
                    what: "receiving a captured packet".into(),
                    source: e,
                }),
            };
        }
        let mut t_us = super::realtime_us();
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                let ts = std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const libc::timespec);
                t_us = ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000;
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
        Ok(Some(RawPacket {
            t_us,
            outgoing: sll.sll_pkttype == libc::PACKET_OUTGOING,
            data: buf[..n as usize].to_vec(),
        }))
    }
}
