//! A recorded trace (lab run or one conversation of a capture) next to the model: which model
//! run matches it, and where the two differ.
//!
//! Pure functions of traces, tested with wasm-bindgen tests. The lab binary's `compare`
//! (crates/lab/src/compare.rs) judges per-experiment *facts* on the native side and is tied to
//! its experiment runners; here we compare what any two traces share: the sequence of segments
//! (direction and kind, aligned by longest common subsequence), each side's state sequence, and
//! the send time of every matched segment within the model's tolerance. The segment kinds and
//! the alignment are the model's (`synack_model::read`), as in `synack-lab compare`.

use std::collections::BTreeMap;

use synack_model::diff::Tolerance;
use synack_model::presets::{self, HandshakeCase, Knobs, TeardownCase};
use synack_model::profile::ProfileId;
use synack_model::read::{self, Fate, SegKind};
use synack_model::scenario::Scenario;
use synack_model::trace::{Addr, Header, Micros, TcpState, Trace};

/// When a matched segment's send times agree: the model's tolerance, the one `synack-lab
/// compare` judges kernel runs by (5 % or 10 ms, whichever is larger).
pub const TOLERANCE: Tolerance = Tolerance::STANDARD;
/// Alignment is quadratic; longer traces are compared on their first segments only.
pub const MAX_ALIGN: usize = 1_500;

/// One segment as the comparison sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// 0: sent by the side that spoke first (the client), 1: by the other side.
    pub dir: u8,
    pub kind: SegKind,
    /// Send time relative to the trace's first segment.
    pub t: Micros,
}

/// Who spoke first: the sender of the first SYN, else of the first segment.
fn initiator(sent: &[read::Sent]) -> Option<Addr> {
    sent.iter()
        .find(|s| matches!(&s.seg.header, Header::Tcp(h) if h.flags.syn && !h.flags.ack))
        .or(sent.first())
        .map(|s| s.seg.src)
}

/// The segments of `trace` in send order (the ladder's arrow order).
pub fn steps(trace: &Trace) -> Vec<Step> {
    let sent = read::segments(trace);
    let init = initiator(&sent);
    let t0 = sent.first().map_or(0, |s| s.t);
    sent.iter()
        .map(|s| Step {
            dir: u8::from(Some(s.seg.src) != init),
            kind: SegKind::of(s.seg),
            t: s.t.saturating_sub(t0),
        })
        .collect()
}

/// Each side's states in order (LISTEN and repeats left out; listener children count for the
/// server side, so a model's listener + accepted socket reads like one kernel socket).
pub fn states(trace: &Trace) -> [Vec<TcpState>; 2] {
    let init = initiator(&read::segments(trace));
    let side: BTreeMap<_, u8> = trace
        .sockets
        .iter()
        .map(|s| {
            let me = Addr {
                host: s.host,
                port: s.local_port,
            };
            (s.id, u8::from(Some(me) != init))
        })
        .collect();
    let mut out: [Vec<TcpState>; 2] = [Vec::new(), Vec::new()];
    for (_, socket, _, to) in read::state_changes(trace) {
        if to == TcpState::Listen {
            continue;
        }
        let v = &mut out[side.get(&socket).copied().unwrap_or(1) as usize];
        if v.last() != Some(&to) {
            v.push(to);
        }
    }
    out
}

/// How a recorded segment relates to the model's.
#[derive(Clone, Debug, PartialEq)]
pub enum Pair {
    /// Same direction and kind; `late` is set when the times differ beyond the tolerance.
    Both {
        a: usize,
        b: usize,
        dt: i64,
        late: bool,
    },
    OnlyA(usize),
    OnlyB(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    pub pairs: Vec<Pair>,
    pub states_a: [Vec<TcpState>; 2],
    pub states_b: [Vec<TcpState>; 2],
    /// Segments beyond [`MAX_ALIGN`] were not compared.
    pub truncated: bool,
}

impl Diff {
    pub fn states_agree(&self, side: usize) -> bool {
        self.states_a[side] == self.states_b[side]
    }
    pub fn missing(&self) -> usize {
        self.pairs
            .iter()
            .filter(|p| matches!(p, Pair::OnlyB(_)))
            .count()
    }
    pub fn extra(&self) -> usize {
        self.pairs
            .iter()
            .filter(|p| matches!(p, Pair::OnlyA(_)))
            .count()
    }
    pub fn late(&self) -> usize {
        self.pairs
            .iter()
            .filter(|p| matches!(p, Pair::Both { late: true, .. }))
            .count()
    }
    pub fn agree(&self) -> bool {
        self.missing() == 0
            && self.extra() == 0
            && self.late() == 0
            && self.states_agree(0)
            && self.states_agree(1)
    }
}

/// Aligns the segments of `a` (recorded) and `b` (model) by longest common subsequence of
/// (direction, kind), then judges the times of the matched ones.
pub fn diff(a: &Trace, b: &Trace) -> Diff {
    let sa = steps(a);
    let sb = steps(b);
    let truncated = sa.len() > MAX_ALIGN || sb.len() > MAX_ALIGN;
    let key = |s: &Step| (s.dir, s.kind);
    let ka: Vec<_> = sa.iter().take(MAX_ALIGN).map(key).collect();
    let kb: Vec<_> = sb.iter().take(MAX_ALIGN).map(key).collect();
    let pairs = read::align(&ka, &kb)
        .into_iter()
        .map(|step| match step {
            read::Step::Both(i, j) => {
                let (ta, tb) = (sa[i].t, sb[j].t);
                Pair::Both {
                    a: i,
                    b: j,
                    dt: ta as i64 - tb as i64,
                    late: !TOLERANCE.agrees(ta, tb),
                }
            }
            read::Step::Left(i) => Pair::OnlyA(i),
            read::Step::Right(j) => Pair::OnlyB(j),
        })
        .collect();
    Diff {
        pairs,
        states_a: states(a),
        states_b: states(b),
        truncated,
    }
}

/// The model run chosen for a recorded trace, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    pub scenario: Scenario,
    /// The preset's id, e.g. `handshake/normal`.
    pub preset: String,
    pub knobs: Knobs,
    /// Whether the one-way delay was measured from a handshake (else from the median flight).
    pub rtt_us: Option<Micros>,
}

/// The handshake RTT as the initiator saw it: its SYN sent → the SYN-ACK arrived.
pub fn handshake_rtt(trace: &Trace) -> Option<Micros> {
    let sent = read::segments(trace);
    let tcp = |s: &&read::Sent, syn_ack: bool| matches!(&s.seg.header, Header::Tcp(h) if h.flags.syn && h.flags.ack == syn_ack);
    let syn = sent.iter().find(|s| tcp(s, false))?;
    match sent.iter().find(|s| tcp(s, true))?.fate {
        Fate::Delivered(t) => Some(t.saturating_sub(syn.t)),
        _ => None,
    }
}

/// Median one-way flight of the segments that arrived.
fn median_flight(trace: &Trace) -> Option<Micros> {
    let mut flights: Vec<Micros> = read::segments(trace)
        .iter()
        .filter_map(|s| match s.fate {
            Fate::Delivered(t) => Some(t.saturating_sub(s.t)),
            _ => None,
        })
        .collect();
    flights.sort_unstable();
    flights.get(flights.len() / 2).copied()
}

/// Picks the model preset and knobs for a recorded trace from what its packets show (refused,
/// reset, who closed first, or just a handshake) — also for lab traces: the lab's `handshake`
/// experiment exchanges a few bytes and closes, so the model's teardown scene (which opens,
/// talks and closes) is its counterpart, not the handshake scene; the one-way delay is half the handshake RTT (or the median flight), the loss is
/// the share of retransmitted segments, the profile Linux, seed 1.
pub fn replay_for(trace: &Trace) -> Replay {
    let st = steps(trace);
    let has = |dir: u8, k: SegKind| st.iter().any(|s| s.dir == dir && s.kind == k);
    let first_fin = st.iter().find(|s| s.kind == SegKind::Fin).map(|s| s.dir);
    let syn_answered = has(1, SegKind::SynAck) || has(0, SegKind::SynAck);
    let rst = has(0, SegKind::Rst) || has(1, SegKind::Rst);
    let close_case = || match first_fin {
        Some(1) => TeardownCase::ServerCloses,
        _ => TeardownCase::ClientCloses,
    };
    enum Pick {
        Hs(HandshakeCase),
        Td(TeardownCase),
    }
    let inferred = || {
        if rst && !syn_answered {
            Pick::Hs(HandshakeCase::ClosedPort)
        } else if rst {
            Pick::Td(TeardownCase::Abort)
        } else if first_fin.is_some() {
            Pick::Td(close_case())
        } else {
            Pick::Hs(HandshakeCase::Normal)
        }
    };
    let pick = inferred();
    let rtt_us = handshake_rtt(trace);
    let one_way = rtt_us
        .map(|r| r / 2)
        .or_else(|| median_flight(trace))
        .unwrap_or(0);
    let sent = read::segments(trace);
    let tcp: Vec<_> = sent
        .iter()
        .filter(|s| matches!(s.seg.header, Header::Tcp(_)))
        .collect();
    let retrans = tcp.iter().filter(|s| s.seg.retransmission > 0).count();
    let loss_pct = if tcp.is_empty() {
        0.0
    } else {
        (retrans as f64 * 100.0 / tcp.len() as f64).min(50.0)
    };
    let knobs = Knobs {
        // The model's delays are whole microseconds; keep at least 1 µs.
        latency_ms: (one_way.max(1) as f64) / 1000.0,
        jitter_ms: 0.0,
        loss_pct: (loss_pct * 10.0).round() / 10.0,
        seed: 1,
        profile: ProfileId::Linux,
    };
    let (scenario, preset) = match pick {
        Pick::Hs(c) => (
            presets::handshake(&knobs, c),
            format!("handshake/{}", c.id()),
        ),
        Pick::Td(c) => (presets::teardown(&knobs, c), format!("teardown/{}", c.id())),
    };
    Replay {
        scenario,
        preset,
        knobs,
        rtt_us,
    }
}
