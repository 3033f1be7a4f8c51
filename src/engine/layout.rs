//! Layout of a trace as a ladder (sequence) diagram, computed ONCE per trace.
//!
//! Vertical axis: time runs down through a [`TimeWarp`]: inside busy stretches one pixel is a
//! fixed number of microseconds, so an arrow's slope is its one-way delay; idle gaps much longer
//! than the path's delay (an RTO, TIME-WAIT's 2MSL) are folded into a short break marked with
//! its real length. Playback moves at constant *visual* speed along the warped axis, so a fold
//! passes quickly instead of stalling the animation.
//!
//! Horizontal positions are not stored: they depend on the drawing width and are cheap, so the
//! drawing computes them from lane indices.

use synack_model::trace::{
    DropReason, EventKind, HostId, Micros, Proto, Segment, SegmentId, SocketId, TcpState,
    TimerKind, Trace,
};
use synack_model::VecMap;

use super::labels::SegKind;

/// Pixels given to a folded idle gap.
pub const BREAK_PX: f64 = 40.0;
/// Pixels for a typical one-way delay (sets the vertical scale).
pub const DELAY_PX: f64 = 64.0;
/// The smallest one-way delay the vertical scale is built on. Loopback (the interview chapter's capture, the
/// lab's traces) has delays of tens of microseconds: scaling by the real delay keeps those
/// arrows as readable as a 20 ms path's, and the folds take the long idle gaps.
pub const MIN_DELAY_US: f64 = 10.0;
/// Space above the first event and below the last.
pub const TOP_PX: f64 = 64.0;
pub const BOTTOM_PX: f64 = 36.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Fold {
    pub t0: Micros,
    pub t1: Micros,
    pub y0: f64,
    pub y1: f64,
}

/// Monotonic map between time (µs) and y (px), piecewise linear through the event times.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeWarp {
    /// (t, y) knots, strictly increasing in both.
    knots: Vec<(f64, f64)>,
    /// µs per pixel inside busy stretches.
    pub us_per_px: f64,
    pub folds: Vec<Fold>,
}

impl TimeWarp {
    /// `times`: sorted event times. `delay_us`: the path's typical one-way delay.
    pub fn new(times: &[Micros], delay_us: f64) -> TimeWarp {
        let delay_us = delay_us.max(MIN_DELAY_US);
        let us_per_px = delay_us / DELAY_PX;
        // A gap longer than this is folded (three one-way delays, at least 150 px of drawing).
        let fold_over = (3.0 * delay_us).max(150.0 * us_per_px);
        let mut knots: Vec<(f64, f64)> = vec![(0.0, TOP_PX)];
        let mut folds = Vec::new();
        for &t in times {
            let t = t as f64;
            let (pt, py) = *knots.last().expect("non-empty");
            if t <= pt {
                continue;
            }
            let gap = t - pt;
            if gap > fold_over {
                // Keep one delay's worth of ordinary scale on each side of the fold, so arrows
                // leaving just before it still have their true slope.
                let lead = delay_us.min(gap / 3.0);
                let a = (pt + lead, py + lead / us_per_px);
                let b = (t - lead, a.1 + BREAK_PX);
                folds.push(Fold {
                    t0: a.0 as Micros,
                    t1: b.0 as Micros,
                    y0: a.1,
                    y1: b.1,
                });
                knots.push(a);
                knots.push(b);
                knots.push((t, b.1 + lead / us_per_px));
            } else {
                knots.push((t, py + gap / us_per_px));
            }
        }
        TimeWarp {
            knots,
            us_per_px,
            folds,
        }
    }

    pub fn y(&self, t: f64) -> f64 {
        let k = &self.knots;
        let i = k.partition_point(|&(kt, _)| kt <= t);
        if i == 0 {
            return k[0].1 + (t - k[0].0) / self.us_per_px;
        }
        if i >= k.len() {
            let (lt, ly) = k[k.len() - 1];
            return ly + (t - lt) / self.us_per_px;
        }
        let (t0, y0) = k[i - 1];
        let (t1, y1) = k[i];
        y0 + (t - t0) * (y1 - y0) / (t1 - t0)
    }

    pub fn t(&self, y: f64) -> f64 {
        let k = &self.knots;
        let i = k.partition_point(|&(_, ky)| ky <= y);
        if i == 0 {
            return (k[0].0 + (y - k[0].1) * self.us_per_px).max(0.0);
        }
        if i >= k.len() {
            let (lt, ly) = k[k.len() - 1];
            return lt + (y - ly) * self.us_per_px;
        }
        let (t0, y0) = k[i - 1];
        let (t1, y1) = k[i];
        t0 + (y - y0) * (t1 - t0) / (y1 - y0)
    }
}

/// How a segment's flight ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Arrived,
    /// Lost on the way: the arrow stops half-way.
    LostOnPath(DropReason),
    /// Reached the receiver, which discarded it: the arrow reaches the lane and ends in ✕.
    Discarded(DropReason),
    /// Still in flight when the trace ends.
    InFlight,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: SegmentId,
    /// Index of the `SegmentSent` event.
    pub event: usize,
    pub segment: Segment,
    pub kind: SegKind,
    pub from_lane: usize,
    pub to_lane: usize,
    pub t0: Micros,
    /// When the drawn arrow ends (arrival, drop, or its half-way point if lost on the path).
    pub t1: Micros,
    pub y0: f64,
    pub y1: f64,
    pub outcome: Outcome,
}

impl Arrow {
    /// Fraction of the lane-to-lane distance the arrow covers (0.5 for a loss on the path).
    pub fn reach(&self) -> f64 {
        match self.outcome {
            Outcome::LostOnPath(_) => 0.5,
            _ => 1.0,
        }
    }

    pub fn lost(&self) -> bool {
        matches!(self.outcome, Outcome::LostOnPath(_) | Outcome::Discarded(_))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StateMark {
    pub lane: usize,
    pub socket: SocketId,
    pub t: Micros,
    pub y: f64,
    pub from: TcpState,
    pub to: TcpState,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimerSpan {
    pub lane: usize,
    pub socket: SocketId,
    pub kind: TimerKind,
    pub set: Micros,
    /// When it fires (Linux: on the timer wheel, a little after the timeout).
    pub expires: Micros,
    /// The timeout the stack asked for, when the trace knows it.
    pub timeout: Option<Micros>,
    /// When it stopped running (fired, cancelled or re-armed); `None` if still running at the end.
    pub end: Option<Micros>,
    pub fired: bool,
}

/// Words on one arrow that the trace format does not carry: the Wireshark-style expert marks of
/// an imported capture, or "differs from the model". `warn` draws the arrow highlighted.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub text: String,
    pub warn: bool,
}

/// The ladder of one trace (optionally only one protocol's sockets).
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    pub lanes: Vec<HostId>,
    pub arrows: Vec<Arrow>,
    /// Largest flight time of any arrow (bounds the in-flight search window).
    pub max_flight: Micros,
    pub states: Vec<StateMark>,
    pub timers: Vec<TimerSpan>,
    /// Distinct event times ("moments"), for stepping and timeline ticks.
    pub moments: Vec<Micros>,
    pub warp: TimeWarp,
    pub duration: Micros,
    pub height: f64,
    /// Extra notes by arrow index, set by pages that know more than the trace (empty for scenes).
    pub notes: VecMap<usize, Note>,
}

impl Ladder {
    pub fn build(trace: &Trace, only: Option<Proto>) -> Ladder {
        let lanes: Vec<HostId> = trace.hosts.iter().map(|h| h.id).collect();
        let lane_of = |h: HostId| lanes.iter().position(|&l| l == h).unwrap_or(0);
        // Plain look-ups in the (short) socket list: maps built with `collect()` would each bring
        // a stable sort into the first-load wasm.
        let sock = |s: SocketId| trace.sockets.iter().find(|x| x.id == s);
        let keep_sock = |s: SocketId| only.is_none_or(|p| sock(s).map(|x| x.proto) == Some(p));
        let keep_seg = |seg: &Segment| {
            only.is_none_or(|p| {
                matches!(
                    (&seg.header, p),
                    (synack_model::trace::Header::Tcp(_), Proto::Tcp)
                        | (synack_model::trace::Header::Udp(_), Proto::Udp)
                )
            })
        };

        // Pass 1: where each segment's flight ends.
        // A sorted `Vec` (`VecMap`), not a `BTreeMap`: each B-tree type adds its code to the first
        // load. Ids are handed out in send order and flights mostly end in that order, so the
        // inserts are nearly all appends.
        let mut ends: VecMap<SegmentId, (Micros, Option<DropReason>)> = VecMap::new();
        for ev in &trace.events {
            match &ev.kind {
                EventKind::SegmentArrived { id } => {
                    ends.entry(*id).or_insert((ev.t, None));
                }
                EventKind::SegmentDropped { id, reason } => {
                    ends.entry(*id).or_insert((ev.t, Some(reason.clone())));
                }
                _ => {}
            }
        }
        // Typical one-way delay: the median flight of arrived segments.
        let mut flights: Vec<Micros> = Vec::new();
        let mut times: Vec<Micros> = Vec::new();
        for ev in &trace.events {
            if let EventKind::SegmentSent { id, segment } = &ev.kind {
                if !keep_seg(segment) {
                    continue;
                }
                if let Some((t, None)) = ends.get(id) {
                    flights.push(t.saturating_sub(ev.t));
                }
            }
        }
        flights.sort_unstable();
        let delay = flights
            .get(flights.len() / 2)
            .copied()
            .filter(|&d| d > 0)
            .unwrap_or(50_000) as f64;

        // Event times that matter for this view.
        let mut relevant = |t: Micros| times.push(t);
        for ev in &trace.events {
            let keep = match &ev.kind {
                EventKind::SegmentSent { segment, .. } => keep_seg(segment),
                EventKind::StateChanged { socket, .. }
                | EventKind::TimerSet { socket, .. }
                | EventKind::TimerFired { socket, .. }
                | EventKind::AppCall { socket, .. }
                | EventKind::AppReturn { socket, .. } => keep_sock(*socket),
                EventKind::SegmentArrived { .. } | EventKind::SegmentDropped { .. } => true,
                _ => false,
            };
            if keep {
                relevant(ev.t);
            }
        }
        // Half-way points of losses on the path are drawn, so they need room too.
        for ev in &trace.events {
            if let EventKind::SegmentSent { id, segment } = &ev.kind {
                if keep_seg(segment) {
                    if let Some((t, Some(r))) = ends.get(id) {
                        if on_path(r) && *t <= ev.t {
                            times.push(ev.t + (delay / 2.0) as Micros);
                        }
                    }
                }
            }
        }
        times.sort_unstable();
        times.dedup();
        let duration = trace.duration_us.max(times.last().copied().unwrap_or(0));
        let warp = TimeWarp::new(&times, delay);

        let mut arrows = Vec::new();
        let mut states = Vec::new();
        let mut timers: Vec<TimerSpan> = Vec::new();
        let mut moments: Vec<Micros> = Vec::new();
        for (i, ev) in trace.events.iter().enumerate() {
            match &ev.kind {
                EventKind::SegmentSent { id, segment } if keep_seg(segment) => {
                    let (t1, outcome) = match ends.get(id) {
                        Some((t, None)) => (*t, Outcome::Arrived),
                        Some((t, Some(r))) if on_path(r) => {
                            // A loss is drawn half-way along the path, whenever the model
                            // recorded it (often at the send time).
                            let half = ev.t + (delay / 2.0) as Micros;
                            (
                                (*t).max(half).min(ev.t + delay as Micros),
                                Outcome::LostOnPath(r.clone()),
                            )
                        }
                        Some((t, Some(r))) => (*t, Outcome::Discarded(r.clone())),
                        None => (ev.t + delay as Micros, Outcome::InFlight),
                    };
                    arrows.push(Arrow {
                        id: *id,
                        event: i,
                        kind: SegKind::of(segment),
                        from_lane: lane_of(segment.src.host),
                        to_lane: lane_of(segment.dst.host),
                        t0: ev.t,
                        t1,
                        y0: warp.y(ev.t as f64),
                        y1: warp.y(t1 as f64),
                        outcome,
                        segment: segment.clone(),
                    });
                    moments.push(ev.t);
                }
                EventKind::StateChanged { socket, from, to } if keep_sock(*socket) => {
                    let lane = sock(*socket).map_or(0, |x| lane_of(x.host));
                    states.push(StateMark {
                        lane,
                        socket: *socket,
                        t: ev.t,
                        y: warp.y(ev.t as f64),
                        from: *from,
                        to: *to,
                    });
                    moments.push(ev.t);
                }
                EventKind::TimerSet {
                    socket,
                    timer,
                    expires_us,
                    timeout_us,
                } if keep_sock(*socket) => {
                    close_timer(&mut timers, *socket, *timer, ev.t, false);
                    let lane = sock(*socket).map_or(0, |x| lane_of(x.host));
                    timers.push(TimerSpan {
                        lane,
                        socket: *socket,
                        kind: *timer,
                        set: ev.t,
                        expires: *expires_us,
                        timeout: *timeout_us,
                        end: None,
                        fired: false,
                    });
                }
                EventKind::TimerCancelled { socket, timer } => {
                    close_timer(&mut timers, *socket, *timer, ev.t, false)
                }
                EventKind::TimerFired { socket, timer } if keep_sock(*socket) => {
                    close_timer(&mut timers, *socket, *timer, ev.t, true);
                    moments.push(ev.t);
                }
                EventKind::SegmentArrived { .. } | EventKind::SegmentDropped { .. } => {
                    moments.push(ev.t)
                }
                EventKind::AppCall { socket, .. } | EventKind::AppReturn { socket, .. }
                    if keep_sock(*socket) =>
                {
                    moments.push(ev.t)
                }
                _ => {}
            }
        }
        for a in &arrows {
            if matches!(a.outcome, Outcome::LostOnPath(_)) {
                moments.push(a.t1);
            }
        }
        moments.sort_unstable();
        moments.dedup();
        let max_flight = arrows.iter().map(|a| a.t1 - a.t0).max().unwrap_or(0);
        let last = moments
            .last()
            .copied()
            .unwrap_or(0)
            .max(arrows.iter().map(|a| a.t1).max().unwrap_or(0));
        let height = warp.y(last as f64) + BOTTOM_PX;
        Ladder {
            lanes,
            arrows,
            max_flight,
            states,
            timers,
            moments,
            warp,
            duration,
            height,
            notes: VecMap::new(),
        }
    }

    /// The same ladder with its time axis `k` times taller: every y below the header
    /// ([`TOP_PX`]) moves `k` times as far from it, so one pixel is `k` times fewer
    /// microseconds, the folds included. Presentation mode
    /// draws a short run so to fill the stage's height (`player::present::stage_stretch`);
    /// arrows keep their order and indices, so a selection means the same arrow in both.
    #[cfg(feature = "full")]
    pub fn stretched(&self, k: f64) -> Ladder {
        let y = |v: f64| TOP_PX + (v - TOP_PX) * k;
        let mut l = self.clone();
        for a in &mut l.arrows {
            a.y0 = y(a.y0);
            a.y1 = y(a.y1);
        }
        for s in &mut l.states {
            s.y = y(s.y);
        }
        for knot in &mut l.warp.knots {
            knot.1 = y(knot.1);
        }
        for f in &mut l.warp.folds {
            f.y0 = y(f.y0);
            f.y1 = y(f.y1);
        }
        l.warp.us_per_px /= k;
        // The margin under the last event keeps its size: it is not time.
        l.height = y(l.height - BOTTOM_PX) + BOTTOM_PX;
        l
    }

    /// Indices of arrows in flight at `t` (sent, not yet ended). Arrows are in send order, so
    /// the cost is bounded by the arrows sent within one maximal flight time before `t`.
    pub fn in_flight(&self, t: f64) -> Vec<usize> {
        let lo = self
            .arrows
            .partition_point(|a| (a.t0 as f64) < t - self.max_flight as f64 - 1.0);
        let hi = self.arrows.partition_point(|a| (a.t0 as f64) <= t);
        (lo..hi)
            .filter(|&i| (self.arrows[i].t1 as f64) > t)
            .collect()
    }

    /// The state of each socket at `t` per lane, from the state marks (last one at or before t).
    pub fn states_at(&self, t: f64) -> VecMap<SocketId, (usize, TcpState, Option<&StateMark>)> {
        let mut out = VecMap::new();
        for m in &self.states {
            if (m.t as f64) <= t {
                out.insert(m.socket, (m.lane, m.to, Some(m)));
            } else {
                out.entry(m.socket).or_insert((m.lane, m.from, None));
            }
        }
        out
    }

    /// Next / previous moment strictly after / before `t`.
    pub fn next_moment(&self, t: f64) -> Option<Micros> {
        let i = self.moments.partition_point(|&m| (m as f64) <= t + 0.5);
        self.moments.get(i).copied()
    }

    pub fn prev_moment(&self, t: f64) -> Option<Micros> {
        let i = self.moments.partition_point(|&m| (m as f64) < t - 0.5);
        i.checked_sub(1).map(|i| self.moments[i])
    }

    /// The end of playback: the last moment (idle time after it is not worth playing through).
    pub fn end(&self) -> Micros {
        self.moments.last().copied().unwrap_or(self.duration)
    }
}

fn on_path(r: &DropReason) -> bool {
    matches!(
        r,
        DropReason::LinkLoss | DropReason::Fault { .. } | DropReason::Mtu
    )
}

fn close_timer(
    timers: &mut [TimerSpan],
    socket: SocketId,
    kind: TimerKind,
    t: Micros,
    fired: bool,
) {
    if let Some(s) = timers
        .iter_mut()
        .rev()
        .find(|s| s.socket == socket && s.kind == kind && s.end.is_none())
    {
        s.end = Some(t);
        s.fired = fired;
    }
}
