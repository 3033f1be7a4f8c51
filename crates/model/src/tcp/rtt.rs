//! Round-trip time estimation and the retransmission timeout, RFC 6298.

use crate::profile::Profile;
use crate::trace::Micros;

#[derive(Clone, Debug)]
pub struct RttEstimator {
    /// Smoothed RTT (RFC 6298 §2), `None` before the first measurement.
    pub srtt: Option<Micros>,
    pub rttvar: Micros,
    /// The RTO before backoff.
    pub rto: Micros,
}

impl RttEstimator {
    pub fn new(p: &Profile) -> RttEstimator {
        // RFC 6298 §2.1: until a measurement is made, RTO = 1 s.
        RttEstimator {
            srtt: None,
            rttvar: 0,
            rto: p.rto_initial_us,
        }
    }

    /// Takes one measurement `r` (Karn's algorithm is the caller's job: never sample a
    /// retransmitted segment, RFC 6298 §3).
    pub fn sample(&mut self, r: Micros, p: &Profile) {
        match self.srtt {
            None => {
                // RFC 6298 §2.2
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                // RFC 6298 §2.3, alpha = 1/8, beta = 1/4
                let delta = srtt.abs_diff(r);
                self.rttvar = (3 * self.rttvar + delta) / 4;
                self.srtt = Some((7 * srtt + r) / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        let var = (4 * self.rttvar).max(p.clock_granularity_us);
        let rto = if p.rto_min_on_variance {
            // Linux tcp_set_rto(): the minimum bounds the variance term.
            srtt + var.max(p.rto_min_us)
        } else {
            // RFC 6298 §2.4: the minimum bounds the whole RTO.
            (srtt + var).max(p.rto_min_us)
        };
        // Linux `__tcp_set_rto`: icsk_rto = usecs_to_jiffies(srtt + rttvar), whole jiffies
        // rounded up, so every backed-off RTO is a whole number of jiffies too; then
        // `tcp_bound_rto` caps it at TCP_RTO_MAX. The kernel's samples are the wire's round
        // trip plus its own stacks' time (the segment is stamped before it leaves, the ACK
        // timed once it is processed: tens of µs on the lab's veth), never exactly the
        // wire's; the model's wire is exact, so a sum that is a whole number of jiffies here
        // lies just above it in the kernel and rounds up to the next. Measured on 6.18 over
        // a 40 ms RTT (SRTT 40 ms + TCP_RTO_MIN): 61 jiffies, RTOs 246 and 248 ms, not 60;
        // with a 500 ms TCP_USER_TIMEOUT that decides whether the backed-off 488 ms timer,
        // late on the wheel, finds the time spent.
        let rto = if p.timer_wheel {
            super::wheel::in_jiffies(rto + 1, p)
        } else {
            rto
        };
        self.rto = rto.min(p.rto_max_us);
    }

    /// The timeout after `backoff` consecutive expirations (RFC 6298 §5.5: double each time),
    /// capped at the maximum (§2.5).
    pub fn rto_backed_off(&self, backoff: u32, p: &Profile) -> Micros {
        let shift = backoff.min(20);
        (self.rto << shift).min(p.rto_max_us)
    }
}

/// Linux `tcp_model_timeout`: how long `boundary` retransmissions take when the timeout
/// starts at `rto_base` and doubles up to `rto_max` — the time budget `retransmits_timed_out`
/// turns a retry count into. tcp_retries2 = 15 with TCP_RTO_MIN 200 ms and TCP_RTO_MAX
/// 120 s: (2^10 - 1) × 0.2 s + 6 × 120 s = 924.6 s.
pub fn model_timeout(boundary: u32, rto_base: Micros, rto_max: Micros) -> Micros {
    let base = rto_base.max(1);
    // ilog2(rto_max / rto_base)
    let thresh = (rto_max / base).max(1).ilog2();
    if boundary <= thresh {
        ((2u64 << boundary) - 1) * base
    } else {
        ((2u64 << thresh) - 1) * base + (boundary - thresh) as u64 * rto_max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_loopback_rto_is_min_plus_rtt_and_rfc_clamps_to_one_second() {
        let p = Profile::linux();
        let mut e = RttEstimator::new(&p);
        assert_eq!(e.rto, 1_000_000);
        e.sample(100, &p);
        // 200.1 ms is 50.025 jiffies of 4 ms: icsk_rto is 51 jiffies.
        assert_eq!(e.rto, 204_000);
        assert_eq!(e.rto_backed_off(3, &p), 1_632_000);
        // 40 ms + 200 ms is 60 jiffies exactly in the model, a few µs more in the kernel: 61.
        let mut e = RttEstimator::new(&p);
        e.sample(40_000, &p);
        assert_eq!(e.rto, 244_000);
        assert_eq!(e.rto_backed_off(30, &p), p.rto_max_us);
        let r = Profile::rfc();
        let mut e = RttEstimator::new(&r);
        e.sample(100_000, &r);
        assert_eq!(e.rto, 1_000_000);
        e.sample(900_000, &r);
        assert!(e.rto > 1_000_000);
    }

    #[test]
    fn tcp_retries2_of_15_is_924_6_seconds_and_syn_retries_of_6_is_127() {
        assert_eq!(model_timeout(15, 200_000, 120_000_000), 924_600_000);
        assert_eq!(model_timeout(3, 200_000, 120_000_000), 3_000_000);
        assert_eq!(model_timeout(6, 1_000_000, 120_000_000), 127_000_000);
        assert_eq!(model_timeout(2, 1_000_000, 120_000_000), 7_000_000);
    }
}
