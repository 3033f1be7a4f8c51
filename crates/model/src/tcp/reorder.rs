//! What a Linux sender learns about reordering on its path, and how RACK's reordering window
//! follows it (RFC 8985 §6.2; Linux `tcp_check_sack_reordering` and `tcp_dsack_seen` in
//! tcp_input.c, `tcp_rack_reo_wnd` and `tcp_rack_update_reo_wnd` in tcp_recovery.c).
//!
//! Why it matters: before any reordering is seen, RACK drops its window to nothing once
//! `tp->reordering` (the `tcp_reordering` sysctl, 3) segments are SACKed or a recovery is
//! on, so a hole is resent at the third SACK. Once a hole has been filled by an original
//! (reordering, not loss), the window stays at min RTT / 4 whatever the SACK count, and
//! each D-SACK of a retransmission that reordering made spurious widens it by one such
//! step, for 16 recoveries.

use crate::trace::Micros;

/// `TCP_RACK_RECOVERY_THRESH`: recoveries a widened window outlives (`reo_wnd_persist`).
const RECOVERY_THRESH: u32 = 16;
/// The `tcp_max_reordering` sysctl's default: `tp->reordering` never grows past it.
const MAX_REORDERING: u32 = 300;

/// Linux's reordering state of one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reordering {
    /// `tp->reord_seen`: times a hole was filled by an original sent before data already
    /// (S)ACKed.
    pub seen: u32,
    /// `tp->reordering`: the reordering degree in segments, from the `tcp_reordering` sysctl
    /// up (never down) to the largest distance seen.
    pub degree: u32,
    /// `tp->rack.dsack_seen`: a D-SACK came after reordering was seen, to widen the window
    /// on the next ACK that delivers data.
    dsack_seen: bool,
    /// `tp->rack.reo_wnd_steps`: the window in units of min RTT / 4 (1 to 255).
    steps: u32,
    /// `tp->rack.reo_wnd_persist`: recoveries left before the window falls back to one step.
    persist: u32,
    /// `tp->rack.last_delivered`: `delivered` when the window last widened.
    last_delivered: u64,
    /// `tp->delivered`: segments delivered so far. It starts at 1, the SYN (client:
    /// `tcp_clean_rtx_queue` on the SYN-ACK; server: `tcp_rcv_state_process` "SYN-ACK
    /// delivery isn't tracked in tcp_ack"), so that data sent after the handshake carries a
    /// nonzero `tx.delivered`, which `tcp_rack_update_reo_wnd` requires.
    pub delivered: u64,
}

impl Reordering {
    /// `tcp_init_sock`: `tp->reordering` from the sysctl, one step.
    pub fn new(tcp_reordering: u32) -> Self {
        Self {
            seen: 0,
            degree: tcp_reordering.max(1),
            dsack_seen: false,
            steps: 1,
            persist: 0,
            last_delivered: 0,
            delivered: 1,
        }
    }

    /// `tcp_check_sack_reordering`: a never-retransmitted segment starting at `low` was
    /// delivered below `fack` (the highest SACKed sequence, `tcp_highest_sack_seq`): that is
    /// reordering, and its distance in full segments raises the degree.
    pub fn check_sack(&mut self, low: u64, fack: u64, mss: u64) {
        if low >= fack {
            return;
        }
        let metric = fack - low;
        let mss = mss.max(1);
        if metric > self.degree as u64 * mss {
            self.degree = (metric.div_ceil(mss) as u32).min(MAX_REORDERING);
        }
        self.seen += 1;
    }

    /// `tcp_check_reno_reordering`, without SACK: more duplicate ACKs came than segments
    /// out beyond the hole, so the degree becomes the segments out (`packets_out`) plus those
    /// the ACK acknowledged (`addend`), at most `tcp_max_reordering`. Set, unlike
    /// `check_sack`'s raise: a few segments out can bring it below the sysctl.
    pub fn check_reno(&mut self, packets_out: u32, addend: u32) {
        self.degree = (packets_out + addend).min(MAX_REORDERING);
        self.seen += 1;
    }

    /// `tcp_dsack_seen`: a believed D-SACK counts for the window only once reordering was
    /// seen, and not when it answers a loss probe (FLAG_DSACK_TLP: the timer, not RACK,
    /// sent that copy).
    pub fn dsack(&mut self, answers_probe: bool) {
        if self.seen > 0 && !answers_probe {
            self.dsack_seen = true;
        }
    }

    /// `tcp_rack_update_reo_wnd`, on every ACK that reaches the queue: `prior_delivered` is
    /// the `delivered` count when the newest segment this ACK delivers was sent (none: the
    /// ACK delivered nothing new, and the pending D-SACK waits). A D-SACK about data sent
    /// before the last widening is old news; otherwise it widens the window by a step and
    /// keeps it for 16 recoveries; with none left, the window is one step again.
    pub fn update_reo_wnd(&mut self, prior_delivered: Option<u64>) {
        let Some(prior) = prior_delivered.filter(|&d| d != 0) else {
            return;
        };
        if prior < self.last_delivered {
            self.dsack_seen = false;
        }
        if self.dsack_seen {
            self.steps = (self.steps + 1).min(0xFF);
            self.dsack_seen = false;
            self.last_delivered = self.delivered;
            self.persist = RECOVERY_THRESH;
        } else if self.persist == 0 {
            self.steps = 1;
        }
    }

    /// `tcp_try_undo_recovery`: a recovery ended that was not undone, one fewer for the
    /// widened window.
    pub fn recovery_not_undone(&mut self) {
        self.persist = self.persist.saturating_sub(1);
    }

    /// `tcp_try_undo_dsack`: D-SACKs showed the recovery spurious; the widened window is
    /// kept one recovery longer.
    pub fn undone_by_dsack(&mut self) {
        self.persist = (self.persist + 1).min(RECOVERY_THRESH);
    }

    /// `tcp_rack_reo_wnd`: with no reordering seen, none during a recovery or once
    /// `degree` segments are SACKed (the duplicate-ACK threshold decides, as RFC 8985 §6.2
    /// allows); else min RTT / 4 per step, at most SRTT.
    pub fn reo_wnd(&self, recovering: bool, sacked: u32, min_rtt: Micros, srtt: Micros) -> Micros {
        if self.seen == 0 && (recovering || sacked >= self.degree) {
            return 0;
        }
        ((min_rtt / 4) * self.steps as Micros).min(srtt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hole_filled_below_the_highest_sack_is_reordering_and_raises_the_degree_past_three() {
        let mut r = Reordering::new(3);
        r.check_sack(1000, 1000, 1000);
        assert_eq!(
            (r.seen, r.degree),
            (0, 3),
            "nothing above it: no reordering"
        );
        r.check_sack(0, 3000, 1000);
        assert_eq!(
            (r.seen, r.degree),
            (1, 3),
            "three segments: within the degree"
        );
        r.check_sack(0, 4500, 1000);
        assert_eq!((r.seen, r.degree), (2, 5), "4.5 segments round up to 5");
        r.check_sack(0, 1_000_000, 1000);
        assert_eq!(r.degree, 300, "tcp_max_reordering caps it");
    }

    #[test]
    fn the_window_is_nothing_at_three_sacks_only_until_reordering_is_seen() {
        let mut r = Reordering::new(3);
        assert_eq!(r.reo_wnd(false, 2, 100_000, 120_000), 25_000);
        assert_eq!(r.reo_wnd(false, 3, 100_000, 120_000), 0);
        assert_eq!(r.reo_wnd(true, 0, 100_000, 120_000), 0);
        r.check_sack(0, 2000, 1000);
        assert_eq!(r.reo_wnd(false, 3, 100_000, 120_000), 25_000);
        assert_eq!(r.reo_wnd(true, 9, 100_000, 120_000), 25_000);
    }

    #[test]
    fn a_dsack_widens_the_window_only_after_reordering_and_for_sixteen_recoveries() {
        let mut r = Reordering::new(3);
        r.dsack(false);
        r.update_reo_wnd(Some(5));
        assert_eq!(
            r.reo_wnd(false, 0, 100_000, 1_000_000),
            25_000,
            "no reordering seen"
        );
        r.check_sack(0, 2000, 1000);
        r.dsack(true);
        r.update_reo_wnd(Some(5));
        assert_eq!(
            r.reo_wnd(false, 0, 100_000, 1_000_000),
            25_000,
            "a probe's D-SACK"
        );
        r.dsack(false);
        r.update_reo_wnd(None);
        assert_eq!(r.steps, 1, "waits for an ACK that delivers data");
        r.delivered = 40;
        r.update_reo_wnd(Some(30));
        assert_eq!(r.reo_wnd(false, 0, 100_000, 1_000_000), 50_000);
        assert_eq!(r.reo_wnd(false, 0, 100_000, 40_000), 40_000, "at most SRTT");
        // A D-SACK of data sent before the widening (delivered 30 < 40) is disregarded.
        r.dsack(false);
        r.update_reo_wnd(Some(30));
        assert_eq!(r.steps, 2);
        for _ in 0..15 {
            r.recovery_not_undone();
            r.update_reo_wnd(Some(50));
            assert_eq!(r.steps, 2);
        }
        r.undone_by_dsack();
        r.recovery_not_undone();
        r.update_reo_wnd(Some(50));
        assert_eq!(r.steps, 2, "a D-SACK undo bought one more recovery");
        r.recovery_not_undone();
        r.update_reo_wnd(Some(50));
        assert_eq!(r.steps, 1, "the 16th recovery ends the widening");
    }
}
