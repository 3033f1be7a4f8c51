//! The user-space wire: two namespaces ("client" and "server"), each with a TUN device, and a
//! relay thread that moves IP packets between the two file descriptors. Everything a network
//! does to packets happens here, deterministically from a seed: delay (+ jitter, which
//! reorders), random loss, scripted drops, duplication. It doubles as the capture point: the
//! relay knows when each packet left, when it arrived, and what was dropped, so the trace gets
//! exact `SegmentSent` / `SegmentArrived` / `SegmentDropped` events.
//!
//! (This kernel has no `sch_netem`; a relay also keeps every fault decision explainable.)

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::error::{LabError, Result};
use crate::ip::parse;
use crate::recorder::{WireFate, WirePacket};
use crate::sys::netns::{join, Netns};
use crate::sys::{realtime_us, tun};

pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 47, 0, 1);
pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 47, 0, 2);

/// What the wire does to packets.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub delay_us: u64,
    pub jitter_us: u64,
    /// Probability of losing a packet (each direction).
    pub loss: f64,
    /// Probability of delivering a packet twice.
    pub dup: f64,
    /// Drop the n-th data-carrying TCP segment the client sends (1-based; retransmissions
    /// count as segments too). Fault rule index = position in this list.
    pub drop_data: Vec<u32>,
    pub seed: u64,
}

/// splitmix64: tiny, seedable, good enough for fault decisions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub struct Wire {
    pub client_ns: Netns,
    pub server_ns: Netns,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<Vec<WirePacket>>>>,
}

impl Wire {
    pub fn start(name: &str, faults: Faults) -> Result<Wire> {
        let client_ns = Netns::new(&format!("{name}-client"))?;
        let server_ns = Netns::new(&format!("{name}-server"))?;
        let a = client_ns.run("tun", || tun::create("syn0", CLIENT_IP, SERVER_IP))?;
        let b = server_ns.run("tun", || tun::create("syn0", SERVER_IP, CLIENT_IP))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let handle = std::thread::Builder::new()
            .name("wire".into())
            .spawn(move || relay(a, b, faults, stop2))
            .map_err(|e| LabError::Io {
                what: "spawning the wire thread".into(),
                source: e,
            })?;
        Ok(Wire {
            client_ns,
            server_ns,
            stop,
            handle: Some(handle),
        })
    }

    pub fn stop(mut self) -> Result<Vec<WirePacket>> {
        self.stop.store(true, Ordering::SeqCst);
        match self.handle.take() {
            Some(h) => join(h),
            None => Ok(Vec::new()),
        }
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn relay(a: OwnedFd, b: OwnedFd, f: Faults, stop: Arc<AtomicBool>) -> Result<Vec<WirePacket>> {
    let mut rng = Rng(f.seed ^ 0x5eed_0f5a_7ac4);
    let mut records: Vec<WirePacket> = Vec::new();
    // (deliver at µs, order) → (record index, towards b?)
    let mut queue: BinaryHeap<Reverse<(u64, u64, usize, bool)>> = BinaryHeap::new();
    let mut order = 0u64;
    let mut data_segments = 0u32;
    let mut buf = vec![0u8; 65536];
    while !stop.load(Ordering::SeqCst) {
        let now = realtime_us();
        // Deliver what is due.
        while let Some(Reverse((t, _, idx, to_b))) = queue.peek().copied() {
            if t > now {
                break;
            }
            queue.pop();
            let fd = if to_b { &b } else { &a };
            let data = &records[idx].data;
            // SAFETY: writing a buffer we own to our TUN fd.
            unsafe {
                libc::write(
                    fd.as_raw_fd(),
                    data.as_ptr() as *const libc::c_void,
                    data.len(),
                );
            }
            if let WireFate::Delivered(times) = &mut records[idx].fate {
                times.push(realtime_us());
            }
        }
        let wait_us = queue
            .peek()
            .map(|Reverse((t, ..))| t.saturating_sub(realtime_us()))
            .unwrap_or(5_000)
            .min(5_000);
        let mut fds = [
            libc::pollfd {
                fd: a.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: b.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let ts = libc::timespec {
            tv_sec: (wait_us / 1_000_000) as i64,
            tv_nsec: ((wait_us % 1_000_000) * 1000) as i64,
        };
        // SAFETY: two pollfds we own; a null sigmask.
        let n = unsafe { libc::ppoll(fds.as_mut_ptr(), 2, &ts, std::ptr::null()) };
        if n <= 0 {
            continue;
        }
        for (i, p) in fds.iter().enumerate() {
            if p.revents & libc::POLLIN == 0 {
                continue;
            }
            // SAFETY: reading into a buffer we own.
            let r = unsafe { libc::read(p.fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
            if r <= 0 {
                continue;
            }
            let t_in = realtime_us();
            let data = buf[..r as usize].to_vec();
            let from_client = i == 0;
            // Only IPv4 TCP/UDP is relayed; anything else (IPv6 router solicitations...) is
            // not part of the experiment.
            let Some(parsed) = parse(&data) else {
                continue;
            };
            let mut fate = WireFate::Delivered(Vec::new());
            if from_client && parsed.tcp().is_some() && parsed.payload_len > 0 {
                data_segments += 1;
                if let Some(rule) = f.drop_data.iter().position(|n| *n == data_segments) {
                    fate = WireFate::Dropped(Some(rule as u32));
                }
            }
            if matches!(fate, WireFate::Delivered(_)) && f.loss > 0.0 && rng.unit() < f.loss {
                fate = WireFate::Dropped(None);
            }
            let copies = if matches!(fate, WireFate::Delivered(_)) {
                if f.dup > 0.0 && rng.unit() < f.dup {
                    2
                } else {
                    1
                }
            } else {
                0
            };
            let idx = records.len();
            records.push(WirePacket {
                t_in_us: t_in,
                data,
                fate,
            });
            for _ in 0..copies {
                let jitter = if f.jitter_us > 0 {
                    rng.next() % (f.jitter_us + 1)
                } else {
                    0
                };
                order += 1;
                queue.push(Reverse((
                    t_in + f.delay_us + jitter,
                    order,
                    idx,
                    from_client,
                )));
            }
        }
    }
    Ok(records)
}
