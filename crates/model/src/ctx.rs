//! The one way a socket talks to the world (sans-IO): the driver in [`crate::sim`] lends
//! each socket call a `Ctx` and drains what it wrote.

use crate::profile::Profile;
use crate::rng::Rng;
use crate::tcp::metrics::Metrics;
use crate::trace::{Event, EventKind, Micros, Segment, SocketId, TimerKind};

/// What a socket's code gets to talk to the world: the time, the profile, randomness, the
/// hosts' destination caches, and the output vectors.
pub struct Ctx<'a> {
    pub now: Micros,
    pub p: &'a Profile,
    pub rng: &'a mut Rng,
    pub out: &'a mut Vec<Event>,
    pub tx: &'a mut Vec<Segment>,
    pub timers: &'a mut Vec<(SocketId, TimerKind, Micros)>,
    /// The hosts' destination caches (Linux `tcp_metrics`): read when a connection is set
    /// up, written when one ends well.
    pub metrics: &'a mut Metrics,
    /// The code runs inside a `timer_list` callback (`expire_timers`), where the wheel's
    /// clock is already one jiffy past the bucket it is expiring (`__run_timers`:
    /// `base->clk++` before `expire_timers`): a timer re-armed there is filed by its distance
    /// from that clock ([`crate::tcp::wheel::fires_at_in`]).
    pub in_timer: bool,
}

impl Ctx<'_> {
    #[inline]
    pub fn emit(&mut self, kind: EventKind) {
        self.out.push(Event { t: self.now, kind });
    }
}
