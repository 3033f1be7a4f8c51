//! A human-readable rendering of a trace, one line per event, in the spirit of tcpdump:
//! times in seconds, sequence numbers relative to each direction's ISN. Used by tests (which
//! read like packet exchanges), by the lab CLI, and for debugging.

use std::fmt::Write;

use crate::read::{Isns, Numbering};
use crate::trace::{Addr, AppCall, AppResult, EventKind, Header, Segment, Trace};

fn flags_text(seg: &Segment) -> String {
    match &seg.header {
        Header::Udp(_) => "UDP".into(),
        Header::Icmp(i) => format!("ICMP {}/{}", i.icmp_type, i.code),
        Header::Tcp(h) => h.flags.to_string(),
    }
}

/// "client:40000 > server:80 [S.] seq=0 ack=1 win=65535 len=0"
pub fn segment_line(t: &Trace, isns: &Isns, seg: &Segment) -> String {
    let name = |a: Addr| {
        let h = t
            .hosts
            .get(a.host.0 as usize)
            .map(|h| h.name.as_str())
            .unwrap_or("?");
        format!("{h}:{}", a.port)
    };
    let mut s = format!(
        "{} > {} [{}]",
        name(seg.src),
        name(seg.dst),
        flags_text(seg)
    );
    if let Header::Tcp(h) = &seg.header {
        let (sq, ak) = isns.show(seg, h, Numbering::Relative);
        let _ = write!(s, " seq={sq}");
        if h.flags.ack {
            let _ = write!(s, " ack={ak}");
        }
        let _ = write!(s, " win={}", h.window);
    }
    let _ = write!(s, " len={}", seg.payload_len);
    if seg.retransmission > 0 {
        let _ = write!(s, " (retransmission {})", seg.retransmission);
    }
    if seg.network_duplicate {
        s.push_str(" (network duplicate)");
    }
    s
}

/// The whole trace as text, one event per line.
pub fn log(t: &Trace) -> String {
    let isns = Isns::of_trace(t);
    let mut out = String::new();
    let label = |s: crate::trace::SocketId| {
        t.sockets
            .get(s.0 as usize)
            .map(|i| i.label.clone())
            .unwrap_or_else(|| format!("#{}", s.0))
    };
    for e in &t.events {
        let ts = format!("{:4}.{:06}", e.t / 1_000_000, e.t % 1_000_000);
        let line = match &e.kind {
            EventKind::SegmentSent { id, segment } => {
                format!("#{} {}", id.0, segment_line(t, &isns, segment))
            }
            EventKind::SegmentArrived { id } => format!("#{} arrived", id.0),
            EventKind::SegmentDropped { id, reason } => format!("#{} dropped: {reason:?}", id.0),
            EventKind::StateChanged { socket, from, to } => {
                format!("{}: {from} -> {to}", label(*socket))
            }
            EventKind::TimerSet {
                socket,
                timer,
                expires_us,
                timeout_us,
            } => {
                let mut line = format!(
                    "{}: timer {timer:?} set for {}.{:06}",
                    label(*socket),
                    expires_us / 1_000_000,
                    expires_us % 1_000_000
                );
                // The timeout too where the timer wheel fires it later than asked.
                if let Some(d) = timeout_us.filter(|&d| e.t + d != *expires_us) {
                    line += &format!(" (timeout {} s)", seconds_text(d));
                }
                line
            }
            EventKind::TimerCancelled { socket, timer } => {
                format!("{}: timer {timer:?} cancelled", label(*socket))
            }
            EventKind::TimerFired { socket, timer } => {
                format!("{}: timer {timer:?} fired", label(*socket))
            }
            EventKind::QueueChanged {
                socket,
                queue,
                len,
                cap,
            } => {
                format!("{}: {queue:?} {len}/{cap}", label(*socket))
            }
            EventKind::WindowChanged { socket, window: w } => format!(
                "{}: cwnd={} ssthresh={} snd_wnd={} rcv_wnd={} in_flight={} rto={}",
                label(*socket),
                w.cwnd,
                w.ssthresh,
                w.snd_wnd,
                w.rcv_wnd,
                w.in_flight,
                w.rto_us
            ),
            EventKind::AppCall { socket, call } => {
                format!("{}: app {}", label(*socket), call_text(call))
            }
            EventKind::AppReturn {
                socket,
                call,
                result,
            } => {
                format!(
                    "{}: app {call:?} -> {}",
                    label(*socket),
                    result_text(t, result)
                )
            }
            EventKind::Counter { host, name, value } => format!(
                "{}: {name} = {value}",
                t.hosts
                    .get(host.0 as usize)
                    .map(|h| h.name.as_str())
                    .unwrap_or("?")
            ),
            EventKind::SocketCreated { socket } => format!("{}: created", label(*socket)),
            EventKind::SocketError { socket, errno } => {
                format!("{}: error {errno}", label(*socket))
            }
        };
        let _ = writeln!(out, "{ts} {line}");
    }
    out
}

fn call_text(c: &AppCall) -> String {
    match c {
        AppCall::Send { len, .. } => format!("send({len})"),
        AppCall::SendTo { len, to, .. } => format!("sendto({len}, port {})", to.port),
        AppCall::Recv { max } => format!("recv({max})"),
        AppCall::Connect { to } => format!("connect(host {}, port {})", to.host.0, to.port),
        AppCall::Listen { backlog } => format!("listen({backlog})"),
        AppCall::Shutdown { .. } | AppCall::SetSockOpt { .. } | AppCall::Poll { .. } => {
            c_call_text(c)
        }
        other => format!("{other:?}").to_lowercase(),
    }
}

/// "14 bytes: data1[0..5] data2[0..9]"
pub fn result_text(t: &Trace, r: &AppResult) -> String {
    match r {
        AppResult::Data {
            len,
            payload,
            truncated,
            ..
        } => {
            let mut s = format!("{len} bytes:");
            for p in payload {
                let name = t
                    .messages
                    .get(p.message.0 as usize)
                    .map(|m| m.label.as_str())
                    .unwrap_or("?");
                let _ = write!(s, " {name}[{}..{}]", p.start, p.end);
            }
            if let Some(n) = truncated {
                let _ = write!(s, " (truncated, {n} bytes lost)");
            }
            s
        }
        AppResult::Eof => "0 (EOF)".into(),
        AppResult::Ok => "ok".into(),
        AppResult::Accepted { socket } => format!("accepted socket {}", socket.0),
        AppResult::Error { errno } => errno.clone(),
        AppResult::Polled { ready } => polled_text(*ready).into(),
        AppResult::TcpInfo { info } => info_text(info),
    }
}

/// A setsockopt() as C writes it: "TCP_CORK, 1", "SO_LINGER {on, 2 s}".
pub fn sockopt_text(o: &crate::trace::SockOpt) -> String {
    use crate::trace::SockOpt;
    match *o {
        SockOpt::TcpCork { value: on } => format!("TCP_CORK, {}", on as u8),
        SockOpt::TcpQuickack { value: on } => format!("TCP_QUICKACK, {}", on as u8),
        SockOpt::TcpUserTimeout { us } => format!("TCP_USER_TIMEOUT, {} ms", us / 1000),
        SockOpt::SoLinger { us: None } => "SO_LINGER {off}".into(),
        SockOpt::SoLinger { us: Some(t) } => format!("SO_LINGER {{on, {} s}}", seconds_text(t)),
    }
}

/// Microseconds as seconds, as short as exact: "2", "0.25", "1.000001". Integer arithmetic,
/// not `us as f64 / 1e6`: `Display` for `f64` links core's float formatter (`flt2dec`, several
/// KB of wasm) into every program that can show a setsockopt(), the web app's first load
/// included.
fn seconds_text(us: crate::trace::Micros) -> String {
    let (secs, frac) = (us / 1_000_000, us % 1_000_000);
    if frac == 0 {
        return secs.to_string();
    }
    let frac = format!("{frac:06}");
    format!("{secs}.{}", frac.trim_end_matches('0'))
}

/// shutdown()'s `how` as C names it.
pub fn shut_text(h: crate::trace::ShutHow) -> &'static str {
    match h {
        crate::trace::ShutHow::Rd => "SHUT_RD",
        crate::trace::ShutHow::Wr => "SHUT_WR",
        crate::trace::ShutHow::Rdwr => "SHUT_RDWR",
    }
}

/// A call as C writes it, for those the short form does not spell out (shutdown's `how`,
/// setsockopt, poll, TCP_INFO).
pub fn c_call_text(c: &crate::trace::AppCall) -> String {
    use crate::trace::AppCall;
    match c {
        AppCall::Shutdown { how } => format!("shutdown({})", shut_text(*how)),
        AppCall::SetSockOpt { option } => format!("setsockopt({})", sockopt_text(option)),
        AppCall::Poll {
            timeout_us: Some(t),
        } => format!("poll(POLLIN, {} ms)", t / 1000),
        AppCall::Poll { timeout_us: None } => "poll(POLLIN, -1)".into(),
        AppCall::TcpInfo => "getsockopt(TCP_INFO)".into(),
        other => call_text(other),
    }
}

/// poll()'s return value: "1 (POLLIN)" or "0 (timeout)".
pub fn polled_text(ready: bool) -> &'static str {
    if ready {
        "1 (POLLIN)"
    } else {
        "0 (timeout)"
    }
}

/// "ESTABLISHED rto=204000 rtt=40000 cwnd=10 ssthresh=inf retransmits=0/0", a TCP_INFO
/// snapshot in `ss -ti`'s words.
pub fn info_text(i: &crate::trace::TcpInfo) -> String {
    let ssthresh = if i.ssthresh >= 0x7fff_ffff {
        "inf".to_string()
    } else {
        i.ssthresh.to_string()
    };
    format!(
        "{} rto={} rtt={} mss={} cwnd={} ssthresh={ssthresh} unacked={} retransmits={}/{}",
        i.state, i.rto_us, i.rtt_us, i.snd_mss, i.cwnd, i.unacked, i.retransmits, i.total_retrans
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linger_time_is_written_in_seconds_as_short_as_the_float_would_be() {
        for us in [
            0, 1, 250_000, 1_000_000, 2_000_000, 1_000_001, 1_234_500, 59_999_999,
        ] {
            assert_eq!(seconds_text(us), (us as f64 / 1e6).to_string(), "{us} µs");
        }
    }

    #[test]
    fn a_linger_setsockopt_names_its_time_in_seconds() {
        let o = crate::trace::SockOpt::SoLinger {
            us: Some(1_500_000),
        };
        assert_eq!(sockopt_text(&o), "SO_LINGER {on, 1.5 s}");
    }
}
