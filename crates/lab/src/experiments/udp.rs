//! `udp`: a datagram is the unit (RFC 768; udp(7)). Each recvfrom() returns exactly one
//! datagram, never a part of one and never two; one that does not fit the buffer is cut, the
//! rest discarded, and MSG_TRUNC reports its real length. Several senders interleave whole
//! datagrams. SO_REUSEADDR lets several sockets share a port: a unicast datagram goes to one
//! of them, a multicast datagram to every member (n senders : m receivers).

use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::time::Duration;

use serde::Serialize;
use synack_model::trace::{Addr, AppCall, AppCallKind, AppResult, PayloadSpan, Proto, SocketId};

use super::{in_ns, io};
use crate::cli::Common;
use crate::error::Result;
use crate::session::{Finished, Outcome, Session};
use crate::sys::{netns, sock};

#[derive(Serialize, Default)]
struct UdpSummary {
    experiment: &'static str,
    /// Sizes sent and the sizes each recvfrom() returned.
    boundaries_sent: Vec<u32>,
    boundaries_received: Vec<u32>,
    /// Truncation: datagram length, buffer size, bytes kept, MSG_TRUNC's real length.
    trunc_sent: u32,
    trunc_buffer: u32,
    trunc_kept: u32,
    trunc_reported_len: u32,
    truncated_flagged: bool,
    /// Several senders: (sender port, size) in the order received.
    senders_received: Vec<(u16, u32)>,
    /// SO_REUSEADDR unicast: datagrams each of the two sharing sockets got.
    reuse_unicast_counts: Vec<u32>,
    /// Multicast n:m: datagrams each receiver got (None: not run, see warnings).
    multicast_counts: Option<Vec<u32>>,
    multicast_sent: u32,
    warnings: Vec<String>,
}

pub fn run(common: &Common) -> Result<Outcome> {
    let mut s = Session::start("udp", common, false, true, 20.0)?;
    let ns = s.ns.clone();
    let recorded = in_ns(&ns, || body(&mut s));
    // On Ctrl-C or the deadline, what was recorded is still written, marked cut short.
    let (
        mut sum,
        Finished {
            trace,
            pcap,
            warnings,
        },
    ) = s.finish_with(recorded, None)?;
    sum.warnings.extend(warnings);
    let list = |v: &[u32]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut text = format!("udp on Linux {}\n\n", crate::session::kernel_release());
    text.push_str(&format!(
        "boundaries: sent [{}] → each recvfrom() returned [{}]\n",
        list(&sum.boundaries_sent),
        list(&sum.boundaries_received)
    ));
    text.push_str(&format!(
        "truncation: a {}-byte datagram into a {}-byte buffer → kept {}, MSG_TRUNC says {} ({} bytes lost)\n",
        sum.trunc_sent,
        sum.trunc_buffer,
        sum.trunc_kept,
        sum.trunc_reported_len,
        sum.trunc_reported_len.saturating_sub(sum.trunc_kept)
    ));
    text.push_str(&format!(
        "several senders: received (port:size) {}\n",
        sum.senders_received
            .iter()
            .map(|(p, n)| format!("{p}:{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    text.push_str(&format!(
        "SO_REUSEADDR, unicast to a shared port: the sockets got [{}] (one of them takes each datagram)\n",
        list(&sum.reuse_unicast_counts)
    ));
    if let Some(m) = &sum.multicast_counts {
        text.push_str(&format!(
            "multicast n:m: {} datagrams sent by 2 senders → each receiver got [{}]\n",
            sum.multicast_sent,
            list(m)
        ));
    }
    let ok = sum.boundaries_sent == sum.boundaries_received && sum.truncated_flagged;
    Ok(Outcome::new(&sum, text, &sum.warnings, trace, pcap, ok))
}

fn udp(
    s: &Session,
    host_server: bool,
    port: u16,
    reuse: bool,
    label: &str,
) -> Result<(UdpSocket, SocketId, u16)> {
    let ip = if host_server {
        s.server_ip
    } else {
        s.client_ip
    };
    let u = sock::udp_socket(SocketAddrV4::new(ip, port), reuse)?;
    let p = u.local_addr().map_err(|e| io("getsockname", e))?.port();
    let host = if host_server {
        s.rec.server_port(p);
        s.server
    } else {
        s.client
    };
    let id = s.rec.socket(host, Proto::Udp, p, None, false, None, label);
    u.set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(|e| io("SO_RCVTIMEO", e))?;
    Ok((u, id, p))
}

fn send_to(
    s: &Session,
    u: &UdpSocket,
    id: SocketId,
    from_port: u16,
    to: SocketAddrV4,
    data: &[u8],
    label: &str,
) -> Result<()> {
    let m = s.rec.message(id, label, data.len() as u32);
    s.rec
        .datagram_message(from_port, to.port(), m, data.len() as u32);
    let to_addr = s.rec.addr_of(to);
    s.rec.call(
        id,
        AppCall::SendTo {
            to: to_addr,
            len: data.len() as u32,
            message: Some(m),
        },
    );
    u.send_to(data, to).map_err(|e| io("sendto()", e))?;
    s.rec.ret(id, AppCallKind::SendTo, AppResult::Ok);
    Ok(())
}

/// One recvfrom(); returns (kept, real length, sender) or None after the timeout.
fn recv(
    s: &Session,
    u: &UdpSocket,
    id: SocketId,
    buf_len: usize,
) -> Result<Option<(u32, u32, SocketAddrV4)>> {
    s.rec.call(
        id,
        AppCall::Recv {
            max: buf_len as u32,
        },
    );
    let mut buf = vec![0u8; buf_len];
    match sock::recv_trunc(u, &mut buf) {
        Ok((kept, real, from)) => {
            let from_addr: Addr = s.rec.addr_of(from);
            s.rec.ret(
                id,
                AppCallKind::Recv,
                AppResult::Data {
                    len: kept as u32,
                    payload: Vec::<PayloadSpan>::new(),
                    from: Some(from_addr),
                    truncated: (real > kept).then_some((real - kept) as u32),
                },
            );
            Ok(Some((kept as u32, real as u32, from)))
        }
        Err(e) => {
            let errno = match &e {
                crate::error::LabError::Io { source, .. } => sock::errno_name(source),
                _ => "error".into(),
            };
            s.rec.ret(
                id,
                AppCallKind::Recv,
                AppResult::Error {
                    errno: if errno == "EAGAIN" {
                        "EAGAIN (timeout)".into()
                    } else {
                        errno
                    },
                },
            );
            Ok(None)
        }
    }
}

fn body(s: &mut Session) -> Result<UdpSummary> {
    let mut sum = UdpSummary {
        experiment: "udp",
        ..Default::default()
    };
    let base = if s.ns.is_private() { s.port } else { 0 };
    let (r, rid, rport) = udp(s, true, base, false, "receiver")?;
    let (s1, s1id, s1port) = udp(s, false, 0, false, "sender 1")?;
    let to = SocketAddrV4::new(s.server_ip, rport);
    s.wait(Duration::from_millis(10), "sockets ready")?;

    // 1. Boundaries.
    sum.boundaries_sent = vec![5, 300, 12];
    for (i, n) in sum.boundaries_sent.clone().iter().enumerate() {
        send_to(
            s,
            &s1,
            s1id,
            s1port,
            to,
            &vec![b'a' + i as u8; *n as usize],
            &format!("d{}", i + 1),
        )?;
    }
    for _ in 0..3 {
        if let Some((kept, _, _)) = recv(s, &r, rid, 2048)? {
            sum.boundaries_received.push(kept);
        }
    }
    // 2. Truncation.
    sum.trunc_sent = 100;
    sum.trunc_buffer = 16;
    send_to(s, &s1, s1id, s1port, to, &[b'x'; 100], "big")?;
    if let Some((kept, real, _)) = recv(s, &r, rid, 16)? {
        sum.trunc_kept = kept;
        sum.trunc_reported_len = real;
        sum.truncated_flagged = real > kept;
    }
    // 3. Several senders, interleaved.
    // Sender n sends bytes 'n', 10·n + round long, labelled "sn-<round>".
    let senders = [
        (2, udp(s, false, 0, false, "sender 2")?),
        (3, udp(s, false, 0, false, "sender 3")?),
    ];
    for round in 0..2 {
        for (n, (sock, id, port)) in &senders {
            let data = vec![b'0' + n; 10 * usize::from(*n) + round];
            let label = format!("s{n}-{}", round + 1);
            send_to(s, sock, *id, *port, to, &data, &label)?;
        }
    }
    for _ in 0..4 {
        if let Some((kept, _, from)) = recv(s, &r, rid, 2048)? {
            sum.senders_received.push((from.port(), kept));
        }
    }
    // 4a. SO_REUSEADDR, unicast: two sockets on one port.
    let shared = if base == 0 { 0 } else { base + 1 };
    let (u1, u1id, sp) = udp(s, true, shared, true, "shared A")?;
    let (u2, u2id, _) = udp(s, true, sp, true, "shared B")?;
    let to_shared = SocketAddrV4::new(s.server_ip, sp);
    for i in 0..4 {
        send_to(
            s,
            &s1,
            s1id,
            s1port,
            to_shared,
            b"unicast",
            &format!("u{}", i + 1),
        )?;
    }
    s.wait(Duration::from_millis(50), "unicast to a shared port")?;
    let mut counts = vec![0u32; 2];
    for (k, (u, id)) in [(&u1, u1id), (&u2, u2id)].into_iter().enumerate() {
        u.set_read_timeout(Some(Duration::from_millis(50)))
            .map_err(|e| io("SO_RCVTIMEO", e))?;
        while recv(s, u, id, 2048)?.is_some() {
            counts[k] += 1;
        }
    }
    sum.reuse_unicast_counts = counts;
    // 4b. Multicast n:m: two receivers in one group, two senders (needs IFF_MULTICAST on lo,
    // which we may set only in our own namespace).
    if s.ns.is_private() && s.client_ip == s.server_ip {
        match multicast(s, base + 2) {
            Ok((sent, counts)) => {
                sum.multicast_sent = sent;
                sum.multicast_counts = Some(counts);
            }
            Err(e) => sum.warnings.push(format!("multicast part skipped: {e}")),
        }
    } else {
        sum.warnings
            .push("multicast part runs only in a private loopback namespace".into());
    }
    Ok(sum)
}

fn multicast(s: &mut Session, port: u16) -> Result<(u32, Vec<u32>)> {
    let group = Ipv4Addr::new(239, 1, 2, 3);
    netns::set_link_flags("lo", libc::IFF_MULTICAST)?;
    let lo = Ipv4Addr::LOCALHOST;
    let mut recvs = Vec::new();
    for k in 0..2 {
        let u = sock::udp_socket(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port), true)?;
        sock::join_multicast(&u, group, lo)?;
        let id = s.rec.socket(
            s.server,
            Proto::Udp,
            port,
            None,
            false,
            None,
            &format!("group member {}", k + 1),
        );
        u.set_read_timeout(Some(Duration::from_millis(50)))
            .map_err(|e| io("SO_RCVTIMEO", e))?;
        recvs.push((u, id));
    }
    let mut sent = 0;
    for k in 0..2 {
        let (u, id, p) = udp(s, false, 0, false, &format!("group sender {}", k + 1))?;
        u.set_multicast_if_v4_compat(lo)?;
        u.set_multicast_loop_v4(true)
            .map_err(|e| io("IP_MULTICAST_LOOP", e))?;
        for i in 0..2 {
            send_to(
                s,
                &u,
                id,
                p,
                SocketAddrV4::new(group, port),
                b"to the group",
                &format!("g{}-{}", k + 1, i + 1),
            )?;
            sent += 1;
        }
    }
    s.wait(Duration::from_millis(50), "multicast")?;
    let mut counts = Vec::new();
    for (u, id) in &recvs {
        let mut n = 0;
        while recv(s, u, *id, 2048)?.is_some() {
            n += 1;
        }
        counts.push(n);
    }
    Ok((sent, counts))
}

trait MulticastIf {
    fn set_multicast_if_v4_compat(&self, iface: Ipv4Addr) -> Result<()>;
}

impl MulticastIf for UdpSocket {
    /// IP_MULTICAST_IF (std has no setter): send multicast out of the interface with `iface`.
    fn set_multicast_if_v4_compat(&self, iface: Ipv4Addr) -> Result<()> {
        use std::os::fd::AsRawFd;
        let a = libc::in_addr {
            s_addr: u32::from_ne_bytes(iface.octets()),
        };
        // SAFETY: an in_addr we own.
        crate::error::cvt(
            unsafe {
                libc::setsockopt(
                    self.as_raw_fd(),
                    libc::IPPROTO_IP,
                    libc::IP_MULTICAST_IF,
                    &a as *const _ as *const libc::c_void,
                    std::mem::size_of::<libc::in_addr>() as u32,
                )
            },
            || "IP_MULTICAST_IF".into(),
        )?;
        Ok(())
    }
}
