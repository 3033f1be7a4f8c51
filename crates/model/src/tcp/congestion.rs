//! Congestion control: slow start, congestion avoidance, fast retransmit and NewReno fast
//! recovery (RFC 5681, RFC 6582). Windows in bytes.

use crate::seq::SeqNumber;

#[derive(Clone, Debug)]
pub struct Congestion {
    pub cwnd: u32,
    pub ssthresh: u32,
    pub dupacks: u32,
    /// In fast recovery until `snd_una` reaches this (RFC 6582 "recover").
    pub recover: Option<SeqNumber>,
    mss: u32,
    /// Slow-start growth per ACK, in MSS (0: unlimited).
    pub abc_limit: u32,
    /// Initial ssthresh in segments (0: arbitrarily high); re-applied when the MSS is known.
    pub initial_ssthresh_segments: u32,
    /// CUBIC's multiplicative decrease in 1/1024 (Linux `bictcp_recalc_ssthresh`, beta 717
    /// ≈ 0.7): ssthresh = max(cwnd · beta, 2 segments). 0: RFC 5681 eq. 4, max(FlightSize/2,
    /// 2·SMSS).
    pub beta_1024: u32,
}

/// What the sender must do after an ACK was fed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CcAction {
    None,
    /// Retransmit the segment at `snd_una` now (fast retransmit, or a NewReno partial ACK).
    RetransmitFirst,
}

impl Congestion {
    pub fn new(mss: u32, initial_segments: u32) -> Congestion {
        Congestion {
            cwnd: mss * initial_segments.max(1),
            // RFC 5681 §3.1: initial ssthresh arbitrarily high.
            ssthresh: u32::MAX,
            dupacks: 0,
            recover: None,
            mss,
            abc_limit: 1,
            initial_ssthresh_segments: 0,
            beta_1024: 0,
        }
    }

    pub fn set_mss(&mut self, mss: u32, initial_segments: u32) {
        self.mss = mss;
        self.cwnd = mss * initial_segments.max(1);
        if self.initial_ssthresh_segments > 0 {
            self.ssthresh = mss.saturating_mul(self.initial_ssthresh_segments);
        }
    }

    /// The slow-start threshold after a loss.
    fn loss_ssthresh(&self, flight: u32) -> u32 {
        if self.beta_1024 == 0 {
            (flight / 2).max(2 * self.mss)
        } else {
            let segs = self.cwnd / self.mss.max(1);
            (segs as u64 * self.beta_1024 as u64 / 1024).max(2) as u32 * self.mss
        }
    }

    /// Linux `tcp_cwnd_restart` (tcp_slow_start_after_idle = 1): after `idle` µs without
    /// sending, ssthresh keeps max(ssthresh, ¾·cwnd) and cwnd halves for every RTO of
    /// idleness, down to min(initial window, cwnd). With `halve` false, RFC 5681 §4.1: cwnd
    /// goes straight to that restart window.
    pub fn restart_after_idle(&mut self, idle: u64, rto: u64, initial_segments: u32, halve: bool) {
        let restart = (self.mss * initial_segments.max(1)).min(self.cwnd);
        if halve {
            // `tcp_current_ssthresh`
            self.ssthresh = self.ssthresh.max(self.cwnd / 4 * 3);
            let mut delta = idle as i64;
            while {
                delta -= rto.max(1) as i64;
                delta > 0
            } && self.cwnd > restart
            {
                self.cwnd >>= 1;
            }
            self.cwnd = self.cwnd.max(restart);
        } else {
            self.cwnd = restart;
        }
    }

    pub fn in_recovery(&self) -> bool {
        self.recover.is_some()
    }

    /// An ACK that acknowledged `acked` new bytes; `ack` is its value, `flight` the bytes
    /// outstanding before it.
    pub fn on_new_ack(&mut self, ack: SeqNumber, acked: u32, flight: u32) -> CcAction {
        self.dupacks = 0;
        if let Some(recover) = self.recover {
            if ack.ge(recover) {
                // RFC 6582 §3.2 step 3, full acknowledgment: deflate the window.
                self.cwnd = self.ssthresh.min(flight.saturating_sub(acked) + self.mss);
                self.recover = None;
                return CcAction::None;
            }
            // Partial acknowledgment: retransmit the next hole, deflate by the amount acked
            // and add back one MSS (RFC 6582 §3.2 step 4).
            self.cwnd = self.cwnd.saturating_sub(acked) + self.mss;
            return CcAction::RetransmitFirst;
        }
        if self.cwnd < self.ssthresh {
            // Slow start, RFC 5681 §3.1 (RFC 3465 limit L per ACK; Linux: none).
            let inc = if self.abc_limit == 0 {
                acked
            } else {
                acked.min(self.abc_limit * self.mss)
            };
            self.cwnd = self
                .cwnd
                .saturating_add(inc)
                .min(self.ssthresh.max(self.cwnd));
        } else {
            // Congestion avoidance: about one MSS per RTT (RFC 5681 eq. 3).
            let inc = (self.mss as u64 * self.mss as u64 / self.cwnd.max(1) as u64).max(1);
            self.cwnd = self.cwnd.saturating_add(inc as u32);
        }
        CcAction::None
    }

    /// A duplicate ACK (RFC 5681 §2 definition) with `flight` bytes outstanding, `snd_max`
    /// the highest sequence number sent.
    pub fn on_dupack(&mut self, threshold: u32, flight: u32, snd_max: SeqNumber) -> CcAction {
        self.dupacks += 1;
        if self.recover.is_some() {
            // RFC 5681 §3.2 step 4: inflate for each segment that left the network.
            self.cwnd = self.cwnd.saturating_add(self.mss);
            return CcAction::None;
        }
        if self.dupacks == threshold {
            // RFC 5681 §3.2 steps 2-3 (Linux: CUBIC's beta, `bictcp_recalc_ssthresh`).
            self.ssthresh = self.loss_ssthresh(flight);
            self.cwnd = self.ssthresh + 3 * self.mss;
            self.recover = Some(snd_max);
            return CcAction::RetransmitFirst;
        }
        CcAction::None
    }

    /// Loss detected otherwise than by the duplicate-ACK count (Linux RACK, RFC 8985 §6.2):
    /// enter fast recovery as on the third duplicate ACK, the window inflated by the
    /// duplicate ACKs seen so far. Returns false when already recovering.
    pub fn enter_recovery(&mut self, flight: u32, snd_max: SeqNumber) -> bool {
        if self.recover.is_some() {
            return false;
        }
        self.ssthresh = self.loss_ssthresh(flight);
        self.cwnd = self.ssthresh + self.dupacks * self.mss;
        self.recover = Some(snd_max);
        true
    }

    /// The retransmission timer expired (RFC 5681 §3.1 eq. 4, loss window of one segment).
    pub fn on_rto(&mut self, flight: u32) {
        // Linux `tcp_enter_loss`: ssthresh from the congestion module (CUBIC's beta), cwnd 1.
        self.ssthresh = self.loss_ssthresh(flight);
        self.cwnd = self.mss;
        self.dupacks = 0;
        self.recover = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_then_fast_recovery() {
        let mut c = Congestion::new(1000, 10);
        assert_eq!(c.cwnd, 10_000);
        c.on_new_ack(SeqNumber(1000), 1000, 10_000);
        assert_eq!(c.cwnd, 11_000);
        let max = SeqNumber(20_000);
        assert_eq!(c.on_dupack(3, 10_000, max), CcAction::None);
        assert_eq!(c.on_dupack(3, 10_000, max), CcAction::None);
        assert_eq!(c.on_dupack(3, 10_000, max), CcAction::RetransmitFirst);
        assert_eq!((c.ssthresh, c.cwnd), (5_000, 8_000));
        assert_eq!(
            c.on_new_ack(SeqNumber(5000), 1000, 10_000),
            CcAction::RetransmitFirst
        );
        assert_eq!(c.on_new_ack(SeqNumber(20_000), 9000, 9000), CcAction::None);
        assert!(!c.in_recovery());
        assert_eq!(c.cwnd, 1000);
    }

    #[test]
    fn cubic_keeps_seven_tenths_of_the_window_where_reno_halves_the_flight() {
        let mut c = Congestion::new(1000, 10);
        c.beta_1024 = 717;
        let max = SeqNumber(20_000);
        for _ in 0..3 {
            c.on_dupack(3, 10_000, max);
        }
        // 10 segments · 717/1024 = 7 (Linux `bictcp_recalc_ssthresh`), not 5.
        assert_eq!(c.ssthresh, 7_000);
        let mut c = Congestion::new(1000, 40);
        c.beta_1024 = 717;
        c.on_rto(40_000);
        assert_eq!((c.ssthresh, c.cwnd), (28_000, 1_000));
        let mut r = Congestion::new(1000, 40);
        r.on_rto(40_000);
        assert_eq!(r.ssthresh, 20_000);
    }

    #[test]
    fn after_an_idle_rto_linux_halves_the_window_per_rto_and_the_rfc_restarts_it() {
        let mut c = Congestion::new(1000, 10);
        c.cwnd = 80_000;
        // Idle 2.5 RTOs: 80 → 40 → 20 segments (two full RTOs), floor 10.
        c.restart_after_idle(2_500, 1_000, 10, true);
        assert_eq!(c.cwnd, 20_000);
        assert_eq!(c.ssthresh, u32::MAX);
        c.restart_after_idle(10_000, 1_000, 10, true);
        assert_eq!(c.cwnd, 10_000);
        let mut r = Congestion::new(1000, 10);
        r.cwnd = 80_000;
        r.restart_after_idle(2_500, 1_000, 10, false);
        assert_eq!(r.cwnd, 10_000);
    }

    #[test]
    fn a_configured_initial_ssthresh_follows_the_negotiated_mss() {
        let mut c = Congestion::new(536, 10);
        assert_eq!(c.ssthresh, u32::MAX);
        c.initial_ssthresh_segments = 4;
        c.set_mss(1000, 10);
        assert_eq!((c.cwnd, c.ssthresh), (10_000, 4_000));
        // At or above ssthresh: congestion avoidance, about MSS²/cwnd per ACK.
        c.on_new_ack(SeqNumber(1000), 1000, 10_000);
        assert_eq!(c.cwnd, 10_100);
    }
}
