//! TCP: the connection state machine (RFC 9293) and its helpers.

pub mod buffers;
pub mod congestion;
pub mod listener;
mod reorder;
pub mod rtt;
pub mod skbs;
pub mod socket;
pub mod wheel;

pub use socket::{TcpSocket, TimeWaitSyn};

use crate::trace::TimerKind;

/// Timers are data: one optional deadline per kind, in a fixed array indexed by this.
pub(crate) fn timer_index(k: TimerKind) -> usize {
    match k {
        TimerKind::Retransmit => 0,
        TimerKind::DelayedAck => 1,
        TimerKind::Persist => 2,
        TimerKind::TimeWait => 3,
        TimerKind::FinWait2 => 4,
        TimerKind::Keepalive => 5,
    }
}

pub(crate) const TIMER_KINDS: [TimerKind; 6] = [
    TimerKind::Retransmit,
    TimerKind::DelayedAck,
    TimerKind::Persist,
    TimerKind::TimeWait,
    TimerKind::FinWait2,
    TimerKind::Keepalive,
];
