//! TCP: the connection state machine (RFC 9293) and its helpers.

pub mod buffers;
pub mod congestion;
pub mod listener;
pub mod metrics;
mod reorder;
pub mod rtt;
pub mod skbs;
pub mod socket;
pub mod wheel;

pub use socket::{TcpSocket, TimeWaitSyn};

use crate::trace::TimerKind;

/// Timers are data: one optional deadline per kind, in a fixed array indexed by the kind's
/// place in [`TIMER_KINDS`], which lists them in [`TimerKind`]'s order.
pub(crate) fn timer_index(k: TimerKind) -> usize {
    k as usize
}

pub(crate) const TIMER_KINDS: [TimerKind; 7] = [
    TimerKind::Retransmit,
    TimerKind::DelayedAck,
    TimerKind::Persist,
    TimerKind::TimeWait,
    TimerKind::FinWait2,
    TimerKind::Keepalive,
    TimerKind::SackCompress,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_timer_kind_has_its_own_slot_in_order() {
        for (i, k) in TIMER_KINDS.into_iter().enumerate() {
            assert_eq!(timer_index(k), i, "{k:?}");
        }
    }
}
