//! Round-trip time estimation and the retransmission timeout, RFC 6298.

use crate::profile::Profile;
use crate::seq::SeqNumber;
use crate::trace::Micros;

#[derive(Clone, Debug)]
pub struct RttEstimator {
    /// Smoothed RTT (RFC 6298 §2), `None` before the first measurement.
    pub srtt: Option<Micros>,
    /// RFC 6298's RTTVAR; on Linux (`Profile::rto_min_on_variance`) `tp->rttvar_us`, the
    /// variance term of the RTO itself (four mean deviations, at least tcp_rto_min).
    pub rttvar: Micros,
    /// Linux `tp->mdev_us`: four times the mean deviation, updated by every sample.
    mdev: Micros,
    /// Linux `tp->mdev_max_us`: the largest `mdev` of this round trip, at least tcp_rto_min.
    mdev_max: Micros,
    /// Linux `tp->rtt_seq`: the round ends once SND.UNA passes it.
    rtt_seq: Option<SeqNumber>,
    /// Linux `tp->srtt_us`: eight times the smoothed RTT, so its eighths are kept.
    srtt_x8: Micros,
    /// The RTO before backoff.
    pub rto: Micros,
}

impl RttEstimator {
    pub fn new(p: &Profile) -> RttEstimator {
        // RFC 6298 §2.1: until a measurement is made, RTO = 1 s.
        RttEstimator {
            srtt: None,
            rttvar: 0,
            mdev: 0,
            mdev_max: 0,
            rtt_seq: None,
            srtt_x8: 0,
            rto: p.rto_initial_us,
        }
    }

    /// Takes one measurement `r` (Karn's algorithm is the caller's job: never sample a
    /// retransmitted segment, RFC 6298 §3). `una` and `nxt` are SND.UNA and SND.NXT when
    /// it is taken: Linux lets the variance term fall only once per round trip.
    pub fn sample(&mut self, r: Micros, una: SeqNumber, nxt: SeqNumber, p: &Profile) {
        let rto = if p.rto_min_on_variance {
            self.linux_estimator(r, una, nxt, p);
            // Linux `__tcp_set_rto`: srtt + rttvar, where rttvar is at least tcp_rto_min
            // (the minimum bounds the variance term, not the whole RTO).
            self.srtt.unwrap_or(r) + self.rttvar
        } else {
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
            // RFC 6298 §2.4: the minimum bounds the whole RTO.
            (srtt + var).max(p.rto_min())
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
        self.rto = rto.min(p.rto_max());
    }

    /// Linux `tcp_rtt_estimator`: SRTT with gain 1/8 as RFC 6298, but the deviation
    /// (`mdev_us`, four mean deviations) moves by 1/4 of each sample's error, by only 1/32
    /// when the RTT fell (so a falling RTT does not shrink the RTO fast), and the RTO's
    /// variance term (`rttvar_us`) follows it only upward at once: downward it moves a
    /// quarter of the way to the round's largest deviation once per round trip, never below
    /// tcp_rto_min. The first sample sets the deviation to 2 RTT (RTO = 3 RTT unless the
    /// minimum is larger). Measured on 6.18 with tcp_rto_min_us 40 ms over a 40 ms RTT: a
    /// tail loss probe 128 ms after the last ACK (the RTO of 124 ms, 3 RTT, re-armed by it
    /// caps the probe's 2 SRTT + 40 ms), where a per-sample RFC 6298 decay gave 104 ms.
    fn linux_estimator(&mut self, r: Micros, una: SeqNumber, nxt: SeqNumber, p: &Profile) {
        if self.srtt.is_none() {
            // "no previous measure": srtt = m, mdev = 2m, rttvar = max(mdev, rto_min).
            self.srtt_x8 = (r * 8).max(1);
            self.srtt = Some((r).max(1));
            self.mdev = 2 * r;
            self.rttvar = self.mdev.max(p.rto_min());
            self.mdev_max = self.rttvar;
            self.rtt_seq = Some(nxt);
            return;
        }
        // Kept as the kernel keeps them (srtt × 8, mdev × 4 in `mdev_us`) so the integer
        // steps are the kernel's: m -= srtt/8; srtt += m; mdev += (|m| - mdev/4) [/8].
        let srtt8 = self.srtt_x8 as i64;
        let mut m = r as i64 - srtt8 / 8;
        let srtt8 = srtt8 + m;
        let mdev = self.mdev as i64;
        if m < 0 {
            m = -m - mdev / 4;
            if m > 0 {
                m >>= 3;
            }
        } else {
            m -= mdev / 4;
        }
        self.mdev = (mdev + m).max(0) as Micros;
        if self.mdev > self.mdev_max {
            self.mdev_max = self.mdev;
            if self.mdev_max > self.rttvar {
                self.rttvar = self.mdev_max;
            }
        }
        if self.rtt_seq.is_none_or(|s| una.gt(s)) {
            if self.mdev_max < self.rttvar {
                self.rttvar -= (self.rttvar - self.mdev_max) / 4;
            }
            self.rtt_seq = Some(nxt);
            self.mdev_max = p.rto_min();
        }
        self.srtt_x8 = (srtt8.max(1)) as Micros;
        self.srtt = Some((self.srtt_x8 / 8).max(1));
    }

    /// The timeout after `backoff` consecutive expirations (RFC 6298 §5.5: double each time),
    /// capped at the maximum (§2.5).
    /// Linux `tp->srtt_us`: eight times the smoothed RTT, 0 before the first sample.
    pub fn srtt_x8(&self) -> Micros {
        self.srtt_x8
    }

    /// Eight times the smoothed RTT whichever estimator keeps it (the RFC 6298 one keeps
    /// only `srtt`), 0 before the first sample: what `tcp_metrics` saves and compares.
    pub fn srtt_x8_any(&self) -> Micros {
        match self.srtt_x8 {
            0 => self.srtt.map_or(0, |s| s * 8),
            x8 => x8,
        }
    }

    /// `tcp_init_metrics`: the first RTO from the destination cache
    /// ([`crate::tcp::metrics::seeded_rto`]); SRTT and the deviation stay as the handshake
    /// left them, so the first sample recomputes the RTO from them alone.
    pub fn seed_rto(&mut self, rto: Micros, p: &Profile) {
        self.rto = rto.min(p.rto_max());
    }

    pub fn rto_backed_off(&self, backoff: u32, p: &Profile) -> Micros {
        let shift = backoff.min(20);
        (self.rto << shift).min(p.rto_max())
    }

    /// The handshake ended without an RTT sample (its SYN or SYN-ACK was retransmitted and
    /// no timestamp echo timed it, or a SYN cookie came back without timestamps): the RTO
    /// starts at 3 s, not 1 s (RFC 6298 §5.7; Linux `tcp_init_transfer` →
    /// `tcp_init_metrics`: "if RTT is not available from the SYN (due to retransmission or
    /// syn cookies) … force a conservative 3secs timeout", TCP_TIMEOUT_FALLBACK, with
    /// `rttvar_us`, `mdev_us` and `mdev_max_us` at 3 s too). The first sample replaces all
    /// of it. Measured on 6.18 (no timestamps, the first SYN lost, 20 ms one way): tcp_info
    /// rto 3 s after connect(); 100 bytes lost twice are sent again by the tail loss probe
    /// 1 s after the write, then by the RTO 3 s after the probe, not 1 s.
    pub fn no_handshake_sample(&mut self, p: &Profile) {
        if self.srtt.is_some() {
            return;
        }
        self.rttvar = RTO_FALLBACK_US;
        self.mdev = RTO_FALLBACK_US;
        self.mdev_max = RTO_FALLBACK_US;
        self.rto = RTO_FALLBACK_US.min(p.rto_max());
    }
}

/// RFC 6298 §5.7's (and Linux's TCP_TIMEOUT_FALLBACK) RTO for a connection whose handshake
/// gave no RTT sample.
pub const RTO_FALLBACK_US: Micros = 3_000_000;

/// Linux's compile-time TCP_RTO_MIN (`include/net/tcp.h`, HZ / 5 = 200 ms), which the
/// sysctl `tcp_rto_min_us` does not change: `retransmits_timed_out` builds the retry budget
/// of an established connection (tcp_retries2, tcp_orphan_retries) on this constant, not on
/// the connection's minimum RTO. Measured on 6.18 with tcp_rto_min_us 40 ms and 1 s and
/// tcp_retries2 3: recv() failed with ETIMEDOUT at the first timeout 3.0 s (15 × 200 ms) or
/// more after the first RTO retransmission (4.64 s and 8.72 s after the send), where a budget
/// on the sysctl would have been 0.6 s and 15 s.
pub const LINUX_TCP_RTO_MIN_US: Micros = 200_000;

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
        e.sample(100, SeqNumber(0), SeqNumber(1), &p);
        // 200.1 ms is 50.025 jiffies of 4 ms: icsk_rto is 51 jiffies.
        assert_eq!(e.rto, 204_000);
        assert_eq!(e.rto_backed_off(3, &p), 1_632_000);
        // 40 ms + 200 ms is 60 jiffies exactly in the model, a few µs more in the kernel: 61.
        let mut e = RttEstimator::new(&p);
        e.sample(40_000, SeqNumber(0), SeqNumber(1), &p);
        assert_eq!(e.rto, 244_000);
        assert_eq!(e.rto_backed_off(30, &p), p.rto_max());
        let r = Profile::rfc();
        let mut e = RttEstimator::new(&r);
        e.sample(100_000, SeqNumber(0), SeqNumber(1), &r);
        assert_eq!(e.rto, 1_000_000);
        e.sample(900_000, SeqNumber(1), SeqNumber(2), &r);
        assert!(e.rto > 1_000_000);
    }

    #[test]
    fn linux_lets_the_rto_fall_once_per_round_trip_and_never_below_srtt_plus_tcp_rto_min() {
        // tcp_rto_min_us 40 ms over a 40 ms RTT (the lab's loss-tail with rto_min 40): the
        // handshake's sample gives 3 RTT; ten more samples of the same RTT within one round
        // leave it there (only the round's end lets rttvar fall), where RFC 6298's per-sample
        // decay would have brought it to 80 ms.
        let p = Profile {
            rto_min_us: 40_000,
            ..Profile::linux()
        };
        let mut e = RttEstimator::new(&p);
        e.sample(40_000, SeqNumber(1), SeqNumber(1), &p);
        assert_eq!(e.rto, 124_000); // 120 ms, a few µs more in the kernel: 31 jiffies
                                    // The first data ACK ends the handshake's round (rtt_seq was SND.NXT then); the
                                    // round's deviation is the handshake's 80 ms, so rttvar stays.
        for acked in 1..=10 {
            e.sample(40_000, SeqNumber(1 + acked * 1448), SeqNumber(14_481), &p);
            assert_eq!(e.rto, 124_000, "after {acked} samples");
        }
        // The next round ends: rttvar falls a quarter of the way to the round's largest
        // deviation (tcp_rto_min, the samples having none): 80 → 70 ms.
        e.sample(40_000, SeqNumber(14_482), SeqNumber(20_000), &p);
        assert_eq!(e.rto, 112_000);
        // With the default 200 ms minimum the variance term is the minimum: SRTT + 200 ms.
        let d = Profile::linux();
        let mut e = RttEstimator::new(&d);
        e.sample(40_000, SeqNumber(1), SeqNumber(1), &d);
        e.sample(40_000, SeqNumber(2), SeqNumber(3), &d);
        assert_eq!(e.rto, 244_000);
    }

    #[test]
    fn a_tcp_rto_min_off_the_clock_tick_is_rounded_up_to_whole_jiffies() {
        // `tcp_init_sock`: icsk_rto_min = usecs_to_jiffies(250,000 µs) = 63 jiffies at
        // HZ 250, so the variance term is 252 ms: 40 + 252 ms, a few µs more in the kernel,
        // is 74 jiffies.
        let p = Profile {
            rto_min_us: 250_000,
            ..Profile::linux()
        };
        assert_eq!(p.rto_min(), 252_000);
        let mut e = RttEstimator::new(&p);
        e.sample(40_000, SeqNumber(0), SeqNumber(1), &p);
        assert_eq!(e.rto, 296_000);
    }

    #[test]
    fn a_tcp_rto_max_off_the_clock_tick_is_rounded_up_to_whole_jiffies() {
        // `tcp_init_sock`: icsk_rto_max = msecs_to_jiffies(1,001 ms) = 251 jiffies at HZ
        // 250, so a backed-off RTO stops at 1,004 ms, and below it an RTO above the
        // maximum (a 5 s tcp_rto_min_us) is capped there too.
        let p = Profile {
            rto_max_us: 1_001_000,
            rto_min_us: 5_000_000,
            ..Profile::linux()
        };
        let mut e = RttEstimator::new(&p);
        assert_eq!(e.rto_backed_off(30, &p), 1_004_000);
        e.sample(40_000, SeqNumber(0), SeqNumber(1), &p);
        assert_eq!(e.rto, 1_004_000);
    }

    #[test]
    fn tcp_retries2_of_15_is_924_6_seconds_and_syn_retries_of_6_is_127() {
        assert_eq!(model_timeout(15, 200_000, 120_000_000), 924_600_000);
        assert_eq!(model_timeout(3, 200_000, 120_000_000), 3_000_000);
        assert_eq!(model_timeout(6, 1_000_000, 120_000_000), 127_000_000);
        assert_eq!(model_timeout(2, 1_000_000, 120_000_000), 7_000_000);
    }
}
