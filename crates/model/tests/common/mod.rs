//! Helpers that make scenario tests read like packet exchanges.
#![allow(dead_code)]

use synack_model::scenario::Scenario;
use synack_model::text::Relative;
use synack_model::trace::{AppResult, EventKind, Header, SegmentId, TcpState, Trace};

pub fn run(s: &Scenario) -> Trace {
    synack_model::simulate(s).expect("scenario runs")
}

/// One line per segment, in send order:
/// `"0.020 server>client S. seq=0 ack=1 len=0"`, with ` LOST` when it never arrived.
/// Sequence numbers are relative to each direction's ISN; times are milliseconds/1000.
pub fn packets(t: &Trace) -> Vec<String> {
    let mut rel = Relative::default();
    let mut out: Vec<(SegmentId, String)> = Vec::new();
    for e in &t.events {
        match &e.kind {
            EventKind::SegmentSent { id, segment } => {
                let name = |h: synack_model::trace::HostId| t.hosts[h.0 as usize].name.clone();
                let mut line = format!(
                    "{}.{:03} {}>{}",
                    e.t / 1_000_000,
                    (e.t % 1_000_000) / 1000,
                    name(segment.src.host),
                    name(segment.dst.host)
                );
                match &segment.header {
                    Header::Tcp(h) => {
                        let (s, a) = rel.seq(segment);
                        let f = h.flags;
                        let mut fl = String::new();
                        for (on, c) in [(f.syn, 'S'), (f.fin, 'F'), (f.rst, 'R'), (f.ack, '.')] {
                            if on {
                                fl.push(c);
                            }
                        }
                        line += &format!(" {fl} seq={s}");
                        if f.ack {
                            line += &format!(" ack={a}");
                        }
                    }
                    Header::Udp(_) => line += " UDP",
                }
                line += &format!(" len={}", segment.payload_len);
                out.push((*id, line));
            }
            EventKind::SegmentDropped { id, .. } => {
                if let Some((_, l)) = out.iter_mut().find(|(i, _)| i == id) {
                    l.push_str(" LOST");
                }
            }
            _ => {}
        }
    }
    out.into_iter().map(|(_, l)| l).collect()
}

/// Asserts the packet exchange, printing both sides on failure.
#[macro_export]
macro_rules! assert_packets {
    ($trace:expr, [$($line:expr),* $(,)?]) => {{
        let got = $crate::common::packets(&$trace);
        let want: Vec<&str> = vec![$($line),*];
        if got != want {
            panic!(
                "packet exchange differs\n--- want\n{}\n--- got\n{}\n",
                want.join("\n"),
                got.join("\n")
            );
        }
    }};
}

pub fn socket(t: &Trace, label: &str) -> synack_model::trace::SocketId {
    t.sockets
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("no socket {label}"))
        .id
}

/// The states a socket went through, starting with the first `from`.
pub fn states(t: &Trace, label: &str) -> Vec<TcpState> {
    let id = socket(t, label);
    let mut v = Vec::new();
    for e in &t.events {
        if let EventKind::StateChanged { socket, from, to } = &e.kind {
            if *socket == id {
                if v.is_empty() {
                    v.push(*from);
                }
                v.push(*to);
            }
        }
    }
    v
}

/// The times (µs) of a socket's state changes into `to`.
pub fn entered(t: &Trace, label: &str, to: TcpState) -> Vec<u64> {
    let id = socket(t, label);
    t.events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::StateChanged { socket, to: x, .. } if *socket == id && *x == to))
        .map(|e| e.t)
        .collect()
}

/// What each of the socket's application calls returned, as text.
pub fn returns(t: &Trace, label: &str) -> Vec<String> {
    let id = socket(t, label);
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppReturn {
                socket,
                call,
                result,
            } if *socket == id => Some(format!(
                "{call:?} {}",
                synack_model::text::result_text(t, result)
            )),
            _ => None,
        })
        .collect()
}

/// Data returned by recv() on a socket, as (len) per call.
pub fn recv_sizes(t: &Trace, label: &str) -> Vec<u32> {
    let id = socket(t, label);
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppReturn {
                socket,
                result: AppResult::Data { len, .. },
                ..
            } if *socket == id => Some(*len),
            _ => None,
        })
        .collect()
}

pub fn final_state(t: &Trace, label: &str) -> Option<TcpState> {
    states(t, label).last().copied()
}
