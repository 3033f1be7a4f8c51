//! Helpers that make scenario tests read like packet exchanges.
#![allow(dead_code)]

use synack_model::read::{self, Isns, Numbering};
use synack_model::scenario::Scenario;
use synack_model::trace::{
    AppCallKind, AppResult, EventKind, Header, HostId, TcpFlags, TcpState, Trace,
};

pub fn run(s: &Scenario) -> Trace {
    synack_model::simulate(s).expect("scenario runs")
}

/// One line per segment, in send order:
/// `"0.020 server>client S. seq=0 ack=1 len=0"`, with ` LOST` when it never arrived.
/// Sequence numbers are relative to each direction's ISN; times are milliseconds/1000.
/// PSH is left out: where the sender cuts its writes into segments is not what these
/// tests pin down.
pub fn packets(t: &Trace) -> Vec<String> {
    let isns = Isns::of_trace(t);
    let name = |h: HostId| t.hosts[h.0 as usize].name.clone();
    read::segments(t)
        .into_iter()
        .map(|s| {
            let seg = s.seg;
            let mut line = format!(
                "{}.{:03} {}>{}",
                s.t / 1_000_000,
                (s.t % 1_000_000) / 1000,
                name(seg.src.host),
                name(seg.dst.host)
            );
            match &seg.header {
                Header::Tcp(h) => {
                    let (sq, a) = isns.show(seg, h, Numbering::Relative);
                    let flags = TcpFlags {
                        psh: false,
                        ..h.flags
                    };
                    line += &format!(" {flags} seq={sq}");
                    if h.flags.ack {
                        line += &format!(" ack={a}");
                    }
                }
                Header::Udp(_) => line += " UDP",
                Header::Icmp(i) => line += &format!(" ICMP {}/{}", i.icmp_type, i.code),
            }
            line += &format!(" len={}", seg.payload_len);
            if s.fate.dropped() {
                line.push_str(" LOST");
            }
            line
        })
        .collect()
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
    read::states_of(t, socket(t, label))
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

/// A socket's timers of kind `k` as the trace arms them: (armed at, timeout asked for,
/// firing time), all µs.
pub fn timers_set(
    t: &Trace,
    label: &str,
    k: synack_model::trace::TimerKind,
) -> Vec<(u64, Option<u64>, u64)> {
    let id = socket(t, label);
    t.events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::TimerSet {
                socket,
                timer,
                expires_us,
                timeout_us,
            } if socket == id && timer == k => Some((e.t, timeout_us, expires_us)),
            _ => None,
        })
        .collect()
}

/// The socket's application calls and what each returned, in order.
fn app_returns<'t>(
    t: &'t Trace,
    label: &str,
) -> impl Iterator<Item = (AppCallKind, &'t AppResult)> {
    let id = socket(t, label);
    t.events.iter().filter_map(move |e| match &e.kind {
        EventKind::AppReturn {
            socket,
            call,
            result,
        } if *socket == id => Some((*call, result)),
        _ => None,
    })
}

/// What each of the socket's application calls returned, as text.
pub fn returns(t: &Trace, label: &str) -> Vec<String> {
    app_returns(t, label)
        .map(|(call, result)| format!("{call:?} {}", synack_model::text::result_text(t, result)))
        .collect()
}

/// Data returned by recv() on a socket, as (len) per call.
pub fn recv_sizes(t: &Trace, label: &str) -> Vec<u32> {
    app_returns(t, label)
        .filter_map(|(_, result)| match result {
            AppResult::Data { len, .. } => Some(*len),
            _ => None,
        })
        .collect()
}

pub fn final_state(t: &Trace, label: &str) -> Option<TcpState> {
    states(t, label).last().copied()
}

/// `n` property-test cases, or `PROPTEST_CASES` when set (a longer soak). Shrinking a failure
/// stops after a minute: a case that fails by running too long (robust.rs's 20 s bound) is
/// rerun at every shrinking step, so unbounded shrinking could hold a test run for as long as
/// it likes instead of failing it.
pub fn cases(n: u32) -> proptest::prelude::ProptestConfig {
    proptest::prelude::ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(n),
        max_shrink_time: 60_000,
        ..proptest::prelude::ProptestConfig::default()
    }
}
