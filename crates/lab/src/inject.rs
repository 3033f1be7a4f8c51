//! A scripted peer against the real kernel: the scenario host with a `script`
//! (`hosts[].script`, docs/scenario-format.md) becomes the far end of the wire's TUN device.
//! No kernel socket runs there. The relay thread plays the script's lines itself, the way
//! packetdrill plays the remote end: at a `send` line's time it writes a crafted IPv4 + TCP
//! packet (flags, seq, ack, window, options and payload length exactly as written; relative
//! sequence numbers mapped onto the kernel's real ISN, learned from its SYN or SYN-ACK) into
//! the kernel side's TUN device, one wire delay before it is due there; what the kernel sends
//! reaches the script one wire delay after it left and is checked against the `expect` line
//! with the model's own checker (`synack_model::script::PeerRun`: the same `*` wildcards,
//! time tolerances and error text as in the model). The first failed expectation stops the
//! script and is kept for `compare`, which reports it naming the line, the expected and the
//! actual segment.
//!
//! Both namespaces of the wire still exist (so the session, the pollers and the recorder work
//! as for two real hosts); the scripted host's namespace just has no socket, and nothing is
//! ever written into its TUN device.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use synack_model::scenario::Scenario;
use synack_model::script::{PeerRun, PeerScript, ScriptFailure};
use synack_model::trace::{Addr, DropReason, Header, HostId, Segment, TcpOptions};

use crate::error::{LabError, Result};
use crate::ip::{parse, Parsed};
use crate::recorder::{WireFate, WirePacket};
use crate::sys::realtime_us;
use crate::wire::{not_relayed, scripted, DropRule, CLIENT_IP, SERVER_IP};

/// Scenario files from docs/examples that `compare all` and `record` run beside the cases of
/// `cases` (the same files the model's docs test runs, so both see one scenario): the two
/// scripted peers of issue 18, TCP_USER_TIMEOUT cutting a connect() short, and a long RTO
/// backoff series against a silent scripted peer (issue 17: the timer wheel's lateness), and
/// a peer that shrinks its window under data in flight (`tcp_rtx_probe0_timed_out`); and
/// a client that overfills a server's receive memory out of order (`tcp_prune_queue`, and
/// `tcp_rcvbuf_grow` for a buffer SO_RCVBUF did not set) or with overlapping copies (D-SACKs).
pub const CASES: [(&str, &str); 9] = [
    (
        "zero-window-probes",
        include_str!("../../../docs/examples/zero-window-probes.json"),
    ),
    (
        "sack-recovery-scripted",
        include_str!("../../../docs/examples/sack-recovery-scripted.json"),
    ),
    (
        "tcp-user-timeout-connect",
        include_str!("../../../docs/examples/tcp-user-timeout-connect.json"),
    ),
    (
        "rto-backoff-silent-peer",
        include_str!("../../../docs/examples/rto-backoff-silent-peer.json"),
    ),
    (
        "window-shrunk-under-data",
        include_str!("../../../docs/examples/window-shrunk-under-data.json"),
    ),
    (
        "receive-memory-ofo-prune",
        include_str!("../../../docs/examples/receive-memory-ofo-prune.json"),
    ),
    (
        "receive-memory-ofo-collapse",
        include_str!("../../../docs/examples/receive-memory-ofo-collapse.json"),
    ),
    (
        "receive-memory-ofo-rcvbuf-grow",
        include_str!("../../../docs/examples/receive-memory-ofo-rcvbuf-grow.json"),
    ),
    (
        "receive-ofo-overlaps",
        include_str!("../../../docs/examples/receive-ofo-overlaps.json"),
    ),
];

/// Every case `compare all` and `record` run: the cases of `cases` and `cases_udp`, then these.
pub fn all_names() -> Vec<String> {
    crate::cases::NAMES
        .iter()
        .chain(crate::cases_udp::NAMES.iter())
        .chain(crate::cases_cookies::NAMES.iter())
        .chain(crate::sweep::RECORDED.iter().map(|r| &r.0))
        .chain(CASES.iter().map(|(n, _)| n))
        .map(|s| s.to_string())
        .collect()
}

/// The scenario of a case [`all_names`] lists: one of `cases`' (which serves the UDP, cookie
/// and sweep-recorded names too), else a scripted one ([`case`]).
pub fn named(name: &str) -> Option<Scenario> {
    crate::cases::scenario(name).or_else(|| case(name))
}

/// The scenario of scripted case `name`.
pub fn case(name: &str) -> Option<Scenario> {
    let (_, text) = CASES.iter().find(|(n, _)| *n == name)?;
    // The files are checked in and run by the model's tests; a broken one is a build bug.
    Scenario::from_json(text).ok()
}

/// The scripted side of a wire, shared between the runner and the relay thread.
#[derive(Clone, Debug)]
pub struct Peer {
    pub host_name: String,
    pub script: PeerScript,
    /// The side of the wire the script stands for: 0 is `hosts[0]` (the client address), 1
    /// is `hosts[1]` (the server address).
    pub side: usize,
    /// Where the script sends, when the script names it (`script.remote`).
    pub remote: Option<Addr>,
    /// The scenario's time zero, realtime µs; 0 until the runner starts the clock (the script
    /// runs on the scenario's clock, as in the model).
    pub zero_us: Arc<AtomicU64>,
    /// The first failed expectation, once there is one.
    pub failure: Arc<Mutex<Option<ScriptFailure>>>,
}

/// The scripted host of `sc`, if it has one: (index, script).
pub fn scripted_host(sc: &Scenario) -> Option<(usize, &PeerScript)> {
    sc.hosts
        .iter()
        .enumerate()
        .find_map(|(i, h)| h.script.as_ref().map(|s| (i, s)))
}

impl Peer {
    /// The peer of `sc`'s scripted host (the runner has checked there is one, of two hosts).
    pub fn of(sc: &Scenario) -> Result<Option<Peer>> {
        let Some((side, script)) = scripted_host(sc) else {
            return Ok(None);
        };
        let remote = match &script.remote {
            None => None,
            Some(r) => {
                let bad = || {
                    LabError::Usage(format!(
                        "hosts[{side}].script.remote {r:?}: expected \"host:port\" with a host of the scenario"
                    ))
                };
                let (h, p) = r.rsplit_once(':').ok_or_else(bad)?;
                let port: u16 = p.parse().map_err(|_| bad())?;
                let host = sc.hosts.iter().position(|x| x.name == h).ok_or_else(bad)?;
                Some(Addr {
                    host: HostId(host as u16),
                    port,
                })
            }
        };
        Ok(Some(Peer {
            host_name: sc.hosts[side].name.clone(),
            script: script.clone(),
            side,
            remote,
            zero_us: Arc::new(AtomicU64::new(0)),
            failure: Arc::new(Mutex::new(None)),
        }))
    }

    /// The first failed expectation of the run, if any.
    pub fn failure(&self) -> Option<ScriptFailure> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The label of the script's end in the trace's socket list, as the model names it.
    pub fn socket_label(&self) -> String {
        format!("{} (script)", self.host_name)
    }
}

/// The wire's addresses by side (0: client, 1: server), as the scenario's host indices.
fn ip_of(host: HostId) -> Ipv4Addr {
    if host.0 == 0 {
        CLIENT_IP
    } else {
        SERVER_IP
    }
}

fn host_of(ip: Ipv4Addr) -> HostId {
    HostId(u16::from(ip != CLIENT_IP))
}

/// A packet the kernel sent, as the script sees it.
fn segment_of(p: &Parsed) -> Segment {
    Segment {
        src: Addr {
            host: host_of(p.src),
            port: p.sport,
        },
        dst: Addr {
            host: host_of(p.dst),
            port: p.dport,
        },
        header: p.header.clone(),
        payload_len: p.payload_len,
        payload: Vec::new(),
        wire_len: p.wire_len,
        retransmission: 0,
        network_duplicate: false,
    }
}

/// The one's-complement sum of RFC 1071, folded to 16 bits.
fn ones_sum(mut sum: u32, bytes: &[u8]) -> u32 {
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum
}

/// TCP options as Linux lays them out (`TcpOptions::linux_order`, after `tcp_options_write`:
/// MSS, then SACK-permitted packed with timestamps, or each after two NOPs, then NOP + window
/// scale, then NOP NOP + SACK blocks), which is the length `synack_model::script` counts in
/// `header_len`.
fn option_bytes(o: &TcpOptions) -> Vec<u8> {
    use synack_model::trace::option_kind::*;
    let mut v = Vec::new();
    for kind in o.linux_order() {
        match kind {
            MSS => {
                v.extend_from_slice(&[MSS, 4]);
                v.extend_from_slice(&o.mss.unwrap_or_default().to_be_bytes());
            }
            TIMESTAMPS => {
                let (val, ecr) = o.timestamps.unwrap_or_default();
                v.extend_from_slice(&[TIMESTAMPS, 10]);
                v.extend_from_slice(&val.to_be_bytes());
                v.extend_from_slice(&ecr.to_be_bytes());
            }
            SACK_PERMITTED => v.extend_from_slice(&[SACK_PERMITTED, 2]),
            WINDOW_SCALE => {
                v.extend_from_slice(&[WINDOW_SCALE, 3, o.window_scale.unwrap_or_default()])
            }
            SACK => {
                v.extend_from_slice(&[SACK, 2 + 8 * o.sack.len() as u8]);
                for (l, r) in &o.sack {
                    v.extend_from_slice(&l.to_be_bytes());
                    v.extend_from_slice(&r.to_be_bytes());
                }
            }
            other => v.push(other), // NOP
        }
    }
    v
}

/// The IPv4 + TCP packet of a scripted segment (RFC 791, RFC 9293 §3.1), with both
/// checksums: a TUN device hands what is written to it to the stack as received from a wire
/// (`tun_get_user`, no checksum offload without a virtio-net header), so the kernel checks
/// them and silently drops a packet whose sum is wrong. The payload is a byte pattern.
pub fn packet(seg: &Segment, ip_id: u16) -> Vec<u8> {
    let Header::Tcp(h) = &seg.header else {
        return Vec::new();
    };
    let (src, dst) = (ip_of(seg.src.host), ip_of(seg.dst.host));
    let opts = option_bytes(&h.options);
    let tcp_len = 20 + opts.len() + seg.payload_len as usize;
    let total = 20 + tcp_len;
    let mut p = Vec::with_capacity(total);
    p.extend_from_slice(&[0x45, 0]);
    p.extend_from_slice(&(total as u16).to_be_bytes());
    p.extend_from_slice(&ip_id.to_be_bytes());
    p.extend_from_slice(&[0x40, 0, 64, 6, 0, 0]); // DF, TTL 64, TCP, checksum below
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    let ip_sum = !(ones_sum(0, &p[..20]) as u16);
    p[10..12].copy_from_slice(&ip_sum.to_be_bytes());
    p.extend_from_slice(&seg.src.port.to_be_bytes());
    p.extend_from_slice(&seg.dst.port.to_be_bytes());
    p.extend_from_slice(&h.seq.to_be_bytes());
    p.extend_from_slice(&h.ack.to_be_bytes());
    let f = h.flags;
    let bits = (f.fin as u8)
        | (f.syn as u8) << 1
        | (f.rst as u8) << 2
        | (f.psh as u8) << 3
        | (f.ack as u8) << 4
        | (f.urg as u8) << 5;
    p.extend_from_slice(&[(((20 + opts.len()) / 4) as u8) << 4, bits]);
    p.extend_from_slice(&h.window.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
    p.extend_from_slice(&opts);
    p.extend(crate::sys::sock::pattern(seg.payload_len as usize));
    // The pseudo-header: source, destination, zero + protocol, TCP length (RFC 9293 §3.1).
    let mut pseudo = Vec::with_capacity(12);
    pseudo.extend_from_slice(&src.octets());
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&[0, 6]);
    pseudo.extend_from_slice(&(tcp_len as u16).to_be_bytes());
    let tcp_sum = !(ones_sum(ones_sum(0, &pseudo), &p[20..]) as u16);
    p[36..38].copy_from_slice(&tcp_sum.to_be_bytes());
    p
}

/// What is waiting on the wire: (due µs, order, record index, towards the kernel?).
type Due = Reverse<(u64, u64, usize, bool)>;

/// The relay of a wire whose side `peer.side` is the script: `a` is the client side's TUN
/// device, `b` the server side's. Every packet either way is recorded with its fate, as the
/// two-namespace relay records them.
pub fn relay(
    a: OwnedFd,
    b: OwnedFd,
    delay_us: u64,
    rules: Vec<DropRule>,
    peer: Peer,
    stop: Arc<AtomicBool>,
    late_us: Arc<AtomicU64>,
) -> Result<Vec<WirePacket>> {
    // The kernel's TUN device; the script's stays untouched (and open, so its namespace keeps
    // the address the kernel's packets go to).
    let (kernel, _script_side) = if peer.side == 1 { (a, b) } else { (b, a) };
    let kernel_is_client = peer.side == 1;
    let local = Addr {
        host: HostId(peer.side as u16),
        port: peer.script.port,
    };
    let mut run = PeerRun::new(peer.host_name.clone(), local, peer.script.clone());
    run.remote = peer.remote;
    let mut seen = vec![0u32; rules.len()];
    let mut records: Vec<WirePacket> = Vec::new();
    let mut queue: BinaryHeap<Due> = BinaryHeap::new();
    let mut order = 0u64;
    let mut ip_id = 0u16;
    let mut buf = vec![0u8; 65536];
    let fail = |f: ScriptFailure| {
        let mut slot = peer.failure.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(f);
    };
    while !stop.load(Ordering::SeqCst) {
        let zero = peer.zero_us.load(Ordering::SeqCst);
        // Deliver what is due, either way.
        while let Some(Reverse((t, _, idx, to_kernel))) = queue.peek().copied() {
            if t > realtime_us() {
                break;
            }
            queue.pop();
            let at = realtime_us();
            late_us.fetch_max(at.saturating_sub(t), Ordering::Relaxed);
            let arrived = if to_kernel {
                let data = &records[idx].data;
                // SAFETY: writing a buffer we own to our TUN fd.
                let n = unsafe {
                    libc::write(
                        kernel.as_raw_fd(),
                        data.as_ptr() as *const libc::c_void,
                        data.len(),
                    )
                };
                if n == data.len() as isize {
                    Ok(at)
                } else {
                    Err(format!(
                        "the relay's write to the TUN device failed: {}",
                        std::io::Error::last_os_error()
                    ))
                }
            } else {
                if !run.failed {
                    if let Some(parsed) = parse(&records[idx].data) {
                        if let Err(f) = run.receive(&segment_of(&parsed), at.saturating_sub(zero)) {
                            fail(f);
                        }
                    }
                }
                Ok(at)
            };
            if let WireFate::Delivered(copies) = &mut records[idx].fate {
                copies[0] = Some(arrived);
            }
        }
        // The script's sends that are due (once the scenario's clock runs).
        if zero != 0 {
            while !run.failed {
                let now = realtime_us().saturating_sub(zero);
                let due = run
                    .script
                    .lines
                    .get(run.pc)
                    .filter(|l| l.send.is_some())
                    .and_then(|_| run.current_time());
                match due {
                    // A send after its time is the lab's lateness as much as a late delivery
                    // is: two sends due 2 ms apart that leave together can share one ACK of
                    // the kernel's (SACK compression, `__tcp_ack_snd_check`) where the model,
                    // sending on time, gets two. Counted from the previous line's time too
                    // (`prev_t`): a send that waited for an expected segment the kernel sent
                    // late is not the lab's.
                    Some(t) if t <= now => {
                        late_us.fetch_max(now - t.max(run.prev_t).min(now), Ordering::Relaxed);
                    }
                    _ => break,
                }
                match run.take_send(now) {
                    Ok(seg) => {
                        ip_id = ip_id.wrapping_add(1);
                        let t_in = realtime_us();
                        records.push(WirePacket {
                            t_in_us: t_in,
                            data: packet(&seg, ip_id),
                            fate: WireFate::Delivered(vec![None]),
                        });
                        order += 1;
                        queue.push(Reverse((t_in + delay_us, order, records.len() - 1, true)));
                    }
                    Err(f) => fail(f),
                }
            }
        }
        // Sleep until shortly before the next delivery or send (`wire::sleep_us`: the last
        // stretch is polled, not slept), or 5 ms (to notice `stop`); until the runner fixes
        // the scenario's clock, 0.2 ms, so that a script's first send is not late by a sleep
        // begun before it.
        let now = realtime_us();
        let mut due = queue.peek().map(|Reverse((t, ..))| *t);
        if zero != 0 && !run.failed {
            if let Some(t) = run
                .script
                .lines
                .get(run.pc)
                .filter(|l| l.send.is_some())
                .and_then(|_| run.current_time())
            {
                due = Some(due.map_or(zero + t, |d| d.min(zero + t)));
            }
        }
        let wait_us = crate::wire::sleep_us(now, due, if zero == 0 { 200 } else { 5_000 });
        let mut fds = [libc::pollfd {
            fd: kernel.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        let ts = crate::wire::timespec_us(wait_us);
        // SAFETY: one pollfd we own; a null sigmask.
        let n = unsafe { libc::ppoll(fds.as_mut_ptr(), 1, &ts, std::ptr::null()) };
        if n <= 0 || fds[0].revents & libc::POLLIN == 0 {
            continue;
        }
        // SAFETY: reading into a buffer we own.
        let r = unsafe {
            libc::read(
                kernel.as_raw_fd(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
            )
        };
        if r <= 0 {
            continue;
        }
        let t_in = realtime_us();
        let data = buf[..r as usize].to_vec();
        let Some(parsed) = parse(&data) else {
            records.push(not_relayed(t_in, data));
            continue;
        };
        // Scripted-peer runs take drop rules without time windows only (`runner::check`).
        let fate = match scripted(&rules, &mut seen, &parsed, kernel_is_client, None).drop {
            Some(rule) => WireFate::Dropped(DropReason::Fault { rule }),
            None => WireFate::Delivered(vec![None]),
        };
        let delivered = matches!(fate, WireFate::Delivered(_));
        records.push(WirePacket {
            t_in_us: t_in,
            data,
            fate,
        });
        if delivered {
            order += 1;
            queue.push(Reverse((t_in + delay_us, order, records.len() - 1, false)));
        }
    }
    // The run is over: a line still waiting has failed (as in the model, `Sim::end_scripts`).
    let zero = peer.zero_us.load(Ordering::SeqCst);
    if zero != 0 && !run.failed {
        if let Err(f) = run.at_end(realtime_us().saturating_sub(zero)) {
            fail(f);
        }
    }
    for r in &mut records {
        if let WireFate::Delivered(copies) = &mut r.fate {
            for c in copies.iter_mut().filter(|c| c.is_none()) {
                *c = Some(Err(synack_model::trace::STILL_ON_THE_WIRE.into()));
            }
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use synack_model::trace::{TcpFlags, TcpHeader};

    fn seg(flags: TcpFlags, options: TcpOptions, len: u32) -> Segment {
        Segment {
            src: Addr {
                host: HostId(1),
                port: 80,
            },
            dst: Addr {
                host: HostId(0),
                port: 40_000,
            },
            header: Header::Tcp(TcpHeader {
                seq: 0xfffffff0,
                ack: 12345,
                flags,
                window: 0,
                header_len: 0,
                options,
            }),
            payload_len: len,
            payload: Vec::new(),
            wire_len: 0,
            retransmission: 0,
            network_duplicate: false,
        }
    }

    #[test]
    fn a_crafted_packet_parses_back_to_the_segment_it_was_made_from_with_valid_checksums() {
        let options = TcpOptions {
            mss: Some(1000),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((7, 9)),
            sack: vec![(1, 2)],
            order: Vec::new(),
        };
        let flags = TcpFlags {
            syn: true,
            ack: true,
            ..TcpFlags::default()
        };
        let s = seg(flags, options.clone(), 33);
        let p = packet(&s, 1);
        let back = parse(&p).expect("an IPv4 TCP packet");
        assert_eq!((back.src, back.dst), (SERVER_IP, CLIENT_IP));
        assert_eq!((back.sport, back.dport), (80, 40_000));
        assert_eq!(back.payload_len, 33);
        let h = back.tcp().expect("TCP");
        assert_eq!((h.seq, h.ack, h.window), (0xfffffff0, 12345, 0));
        assert_eq!(h.flags, flags);
        // As on the wire, in Linux's order (what the lab's reader records).
        let mut laid_out = options.clone();
        laid_out.order = options.linux_order();
        assert_eq!(h.options, laid_out);
        // MSS 4 + SACK-permitted with timestamps 12 + window scale 4 + one SACK block 12:
        // the length the model's script counts for the same options.
        assert_eq!(h.header_len, 20 + 32);
        // A header whose checksum is right sums to 0xffff (RFC 1071).
        assert_eq!(ones_sum(0, &p[..20]), 0xffff);
        let mut pseudo = Vec::new();
        pseudo.extend_from_slice(&SERVER_IP.octets());
        pseudo.extend_from_slice(&CLIENT_IP.octets());
        pseudo.extend_from_slice(&[0, 6]);
        pseudo.extend_from_slice(&((p.len() - 20) as u16).to_be_bytes());
        assert_eq!(ones_sum(ones_sum(0, &pseudo), &p[20..]), 0xffff);
    }

    #[test]
    fn an_odd_length_payload_is_summed_with_a_zero_pad_byte() {
        let ack = TcpFlags {
            ack: true,
            ..TcpFlags::default()
        };
        for len in [0, 1, 2, 1001] {
            let p = packet(&seg(ack, TcpOptions::default(), len), 9);
            let mut pseudo = Vec::new();
            pseudo.extend_from_slice(&p[12..20]);
            pseudo.extend_from_slice(&[0, 6]);
            pseudo.extend_from_slice(&((p.len() - 20) as u16).to_be_bytes());
            assert_eq!(
                ones_sum(ones_sum(0, &pseudo), &p[20..]),
                0xffff,
                "len {len}"
            );
        }
    }

    #[test]
    fn the_example_cases_parse_and_the_lab_accepts_them() {
        for (name, _) in CASES {
            let sc = case(name).unwrap_or_else(|| panic!("{name} does not parse"));
            assert_eq!(sc.hosts.len(), 2, "{name}");
            assert!(crate::runner::check(&sc).is_ok(), "{name}");
        }
        assert!(case("zero-window-probes").is_some_and(|sc| scripted_host(&sc).is_some()));
    }
}
