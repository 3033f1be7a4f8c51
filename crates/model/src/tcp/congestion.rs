//! Congestion control: slow start, congestion avoidance, fast retransmit and NewReno fast
//! recovery (RFC 5681, RFC 6582); and as Linux does it: CUBIC's window growth with HyStart
//! (`net/ipv4/tcp_cubic.c`, RFC 9438) and Proportional Rate Reduction during recovery
//! (RFC 6937, `tcp_cwnd_reduction`). Windows in bytes; CUBIC counts in segments, as the
//! kernel does, and the window stays a whole number of segments.

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
    /// Linux `tp->snd_cwnd_cnt`: ACKed segments counted toward the next +1 of cwnd in
    /// congestion avoidance (`tcp_cong_avoid_ai`).
    cwnd_cnt: u32,
    /// CUBIC's state (`struct bictcp`) when `beta_1024` is CUBIC's: its growth replaces RFC
    /// 5681's congestion avoidance.
    pub cubic: Option<Cubic>,
    /// PRR (RFC 6937) during a recovery: `Some` from entering it until it ends.
    pub prr: Option<Prr>,
    /// The clock as the socket last set it (µs), and the length of a jiffy (the profile's
    /// `clock_granularity_us`): CUBIC counts time in jiffies.
    pub now_us: u64,
    pub jiffy_us: u64,
}

/// Proportional Rate Reduction's counters, in segments (Linux `tp->prior_cwnd`,
/// `prr_delivered`, `prr_out`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prr {
    pub prior_cwnd: u32,
    pub delivered: u32,
    pub out: u32,
}

/// `struct bictcp` of `tcp_cubic.c` (Linux 6.x), times in µs or jiffies as the kernel keeps
/// them. Module parameters at their defaults: fast_convergence 1, beta 717, bic_scale 41,
/// tcp_friendliness 1, hystart_detect 3 (ACK train and delay), hystart_low_window 16,
/// hystart_ack_delta_us 2000.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cubic {
    cnt: u32,
    last_max_cwnd: u32,
    last_cwnd: u32,
    last_time: u64,
    origin_point: u32,
    k: u32,
    /// The smallest RTT seen, µs (0: none yet).
    pub delay_min: u32,
    /// Jiffies + 1 at which the epoch began (0: no epoch, as the kernel's 0).
    epoch_start: u64,
    ack_cnt: u32,
    tcp_cwnd: u32,
    /// HyStart (`hystart` module parameter, 1).
    hystart: bool,
    /// beta in 1/1024 (module parameter, 717) and `beta_scale` derived from it.
    beta: u32,
    beta_scale: u32,
    /// HyStart found the exit point; slow start is over (ssthresh = cwnd).
    pub found: bool,
    round_start: u64,
    end_seq: SeqNumber,
    last_ack: u64,
    curr_rtt: u32,
    sample_cnt: u8,
}

/// CUBIC's fixed-point constants (`cubictcp_register`): cube_rtt_scale = bic_scale·10 = 410,
/// cube_factor = 2^40 / 410 (C = 0.4 in RFC 9438's units).
const CUBE_RTT_SCALE: u64 = 41 * 10;
const CUBE_FACTOR: u64 = (1u64 << 40) / (41 * 10);
const BICTCP_HZ: u32 = 10;
const HYSTART_LOW_WINDOW: u32 = 16;
const HYSTART_ACK_DELTA_US: u64 = 2_000;
const HYSTART_MIN_SAMPLES: u8 = 8;
/// HYSTART_DELAY_MIN / _MAX: the delay threshold is delay_min/8 within 4..16 ms.
const HYSTART_DELAY_MIN_US: u32 = 4_000;
const HYSTART_DELAY_MAX_US: u32 = 16_000;

/// `cubic_root` of `tcp_cubic.c`, exactly (Newton-Raphson from a power-of-two estimate; the
/// kernel's table lookup for small values gives the same result within one, and K is in
/// 1/1024 s, so one unit is a millisecond).
fn cubic_root(a: u64) -> u32 {
    if a == 0 {
        return 0;
    }
    let bits = 64 - a.leading_zeros();
    let mut x: u64 = 1u64 << (bits / 3);
    loop {
        let x1 = x;
        x = (2 * x + a / (x * x).max(1)) / 3;
        if x.abs_diff(x1) <= 1 {
            break;
        }
    }
    // Settle on the floor of the cube root.
    while x > 0 && x * x * x > a {
        x -= 1;
    }
    while (x + 1) * (x + 1) * (x + 1) <= a {
        x += 1;
    }
    x as u32
}

impl Cubic {
    /// CUBIC with `beta` in 1/1024 (717) and HyStart on or off.
    pub fn new(beta: u32, hystart: bool) -> Cubic {
        let beta = beta.clamp(1, 1023);
        Cubic {
            hystart,
            beta,
            // `cubictcp_register`: 8·(1024+beta)/3/(1024−beta), 15 for 717.
            beta_scale: 8 * (1024 + beta) / 3 / (1024 - beta),
            ..Cubic::default()
        }
    }

    /// `bictcp_reset` and `bictcp_hystart_reset` (entering TCP_CA_Loss: after an RTO CUBIC
    /// starts over, slow start included).
    fn reset(&mut self, now_us: u64, snd_nxt: SeqNumber) {
        *self = Cubic::new(self.beta, self.hystart);
        self.hystart_reset(now_us, snd_nxt);
    }

    fn hystart_reset(&mut self, now_us: u64, snd_nxt: SeqNumber) {
        self.round_start = now_us;
        self.last_ack = now_us;
        self.end_seq = snd_nxt;
        self.curr_rtt = u32::MAX;
        self.sample_cnt = 0;
    }

    /// `bictcp_update`: how many ACKed segments make cwnd grow by one (`ca->cnt`).
    /// `jiffies` is the kernel's tcp_jiffies32 and `hz` its rate.
    fn update(&mut self, cwnd: u32, acked: u32, jiffies: u64, hz: u64) {
        self.ack_cnt += acked;
        let now = jiffies + 1; // 0 stays "no epoch"
        if self.last_cwnd == cwnd && now.saturating_sub(self.last_time) <= hz / 32 {
            return;
        }
        // The cubic function is evaluated at most once per jiffy.
        if !(self.epoch_start != 0 && now == self.last_time) {
            self.last_cwnd = cwnd;
            self.last_time = now;
            if self.epoch_start == 0 {
                self.epoch_start = now;
                self.ack_cnt = acked;
                self.tcp_cwnd = cwnd;
                if self.last_max_cwnd <= cwnd {
                    self.k = 0;
                    self.origin_point = cwnd;
                } else {
                    // K = cbrt((W_max − cwnd) / C), in 1/1024 s (RFC 9438 §4.2, eq. 2).
                    self.k = cubic_root(CUBE_FACTOR * (self.last_max_cwnd - cwnd) as u64);
                    self.origin_point = self.last_max_cwnd;
                }
            }
            // t = now − epoch + delay_min, converted from jiffies to 1/1024 s.
            let delay_j = (self.delay_min as u64 * hz).div_ceil(1_000_000);
            let t = (((now - self.epoch_start) + delay_j) << BICTCP_HZ) / hz;
            let offs = t.abs_diff(self.k as u64);
            // C·(t − K)³, C = 0.4 (bic_scale 41 / 1024 · 10). The kernel computes it in u64,
            // which tcp_cubic.c says holds "if the cwnd < 1 million packets" — that is, for
            // the epochs it keeps (a loss, an RTO or an idle restart starts a new one). A
            // model run may hold one epoch far longer (minutes of backoff under heavy loss):
            // computed wide and capped, the target is then simply "very large".
            let cube = (CUBE_RTT_SCALE as u128 * (offs as u128).pow(3)) >> (10 + 3 * BICTCP_HZ);
            let delta = cube.min(u32::MAX as u128) as u32;
            let target = if t < self.k as u64 {
                self.origin_point.saturating_sub(delta)
            } else {
                self.origin_point.saturating_add(delta)
            };
            self.cnt = if target > cwnd {
                cwnd / (target - cwnd)
            } else {
                100 * cwnd
            };
            // No loss yet: at least 5 % per RTT.
            if self.last_max_cwnd == 0 && self.cnt > 20 {
                self.cnt = 20;
            }
        }
        // TCP friendliness (RFC 9438 §4.3): never slower than Reno with CUBIC's beta.
        let per = (cwnd * self.beta_scale) >> 3;
        while per > 0 && self.ack_cnt > per {
            self.ack_cnt -= per;
            self.tcp_cwnd += 1;
        }
        if self.tcp_cwnd > cwnd {
            let max_cnt = cwnd / (self.tcp_cwnd - cwnd);
            self.cnt = self.cnt.min(max_cnt);
        }
        // At most 1.5× per RTT.
        self.cnt = self.cnt.max(2);
    }

    /// `cubictcp_recalc_ssthresh`: W_max with fast convergence, and the new ssthresh.
    fn recalc_ssthresh(&mut self, cwnd: u32) -> u32 {
        self.epoch_start = 0;
        self.last_max_cwnd = if cwnd < self.last_max_cwnd {
            cwnd * (1024 + self.beta) / (2 * 1024)
        } else {
            cwnd
        };
        (cwnd * self.beta / 1024).max(2)
    }

    /// `cubictcp_acked` → `hystart_update`: an ACK of new data with an RTT sample (µs, of
    /// the last segment it acknowledges). Returns a new ssthresh when HyStart ends slow
    /// start. `ack_delay` is `hystart_ack_delay` (µs), `in_slow_start` whether cwnd is
    /// below ssthresh.
    #[allow(clippy::too_many_arguments)]
    fn acked(
        &mut self,
        rtt_us: u64,
        cwnd: u32,
        in_slow_start: bool,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
        now_us: u64,
        jiffies: u64,
        hz: u64,
        ack_delay: u64,
    ) -> Option<u32> {
        // Discard delay samples right after a recovery (one second of the new epoch).
        if self.epoch_start != 0 && (jiffies + 1).saturating_sub(self.epoch_start) < hz {
            return None;
        }
        let delay = rtt_us.clamp(1, u32::MAX as u64) as u32;
        if self.delay_min == 0 || self.delay_min > delay {
            self.delay_min = delay;
        }
        if self.found || !in_slow_start || !self.hystart {
            return None;
        }
        if snd_una.gt(self.end_seq) {
            self.hystart_reset(now_us, snd_nxt);
        }
        if cwnd < HYSTART_LOW_WINDOW {
            return None;
        }
        // ACK train: ACKs closer than 2 ms to each other for longer than half the minimum
        // delay (plus the TSO cushion) since the round began. Without the fq qdisc's pacing
        // (SK_PACING_NONE) the threshold is halved.
        if now_us.saturating_sub(self.last_ack) <= HYSTART_ACK_DELTA_US {
            self.last_ack = now_us;
            let threshold = (self.delay_min as u64 + ack_delay) >> 1;
            if now_us.saturating_sub(self.round_start) > threshold {
                self.found = true;
                return Some(cwnd);
            }
        }
        // Delay increase: the round's smallest RTT over eight samples exceeds the minimum by
        // delay_min/8, clamped to 4..16 ms.
        self.curr_rtt = self.curr_rtt.min(delay);
        if self.sample_cnt < HYSTART_MIN_SAMPLES {
            self.sample_cnt += 1;
        } else {
            let thresh = (self.delay_min >> 3).clamp(HYSTART_DELAY_MIN_US, HYSTART_DELAY_MAX_US);
            if self.curr_rtt > self.delay_min + thresh {
                self.found = true;
                return Some(cwnd);
            }
        }
        None
    }
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
            cwnd_cnt: 0,
            cubic: None,
            prr: None,
            now_us: 0,
            jiffy_us: 1_000,
        }
    }

    fn segs(&self, bytes: u32) -> u32 {
        bytes / self.mss.max(1)
    }

    /// Linux `tcp_cong_avoid` after `acked` segments were delivered (cumulatively or by
    /// SACK) outside a recovery, at `now_us` with jiffies of `jiffy_us`: slow start up to
    /// ssthresh (`tcp_slow_start`), the rest by CUBIC's `ca->cnt` (`tcp_cong_avoid_ai`), or
    /// by cwnd (Reno) without CUBIC.
    pub fn cong_avoid_segments(&mut self, acked: u32, now_us: u64, jiffy_us: u64) {
        let mss = self.mss.max(1);
        let cwnd = self.cwnd / mss;
        let ssthresh = (self.ssthresh / mss).max(1);
        let mut acked = acked;
        let mut w = cwnd;
        if cwnd < ssthresh {
            let grown = (cwnd + acked).min(ssthresh);
            acked -= grown - cwnd;
            w = grown;
            if acked == 0 {
                self.cwnd = w * mss;
                return;
            }
        }
        let hz = (1_000_000 / jiffy_us.max(1)).max(1);
        let cnt = match self.cubic.as_mut() {
            Some(c) => {
                c.update(w, acked, now_us / jiffy_us.max(1), hz);
                c.cnt
            }
            None => w,
        };
        // `tcp_cong_avoid_ai`: credits accumulated at a higher w apply gently now.
        if self.cwnd_cnt >= cnt {
            self.cwnd_cnt = 0;
            w += 1;
        }
        self.cwnd_cnt += acked;
        if self.cwnd_cnt >= cnt {
            let delta = self.cwnd_cnt / cnt;
            self.cwnd_cnt -= delta * cnt;
            w += delta;
        }
        self.cwnd = w * mss;
    }

    /// `cubictcp_acked`: an ACK of new data with an RTT sample; HyStart may end slow start
    /// here (ssthresh = cwnd). `ack_delay_us` is `hystart_ack_delay`.
    pub fn on_rtt_sample(
        &mut self,
        rtt_us: u64,
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
        now_us: u64,
        jiffy_us: u64,
        ack_delay_us: u64,
    ) {
        let mss = self.mss.max(1);
        let cwnd = self.cwnd / mss;
        let in_ss = self.cwnd < self.ssthresh;
        let hz = (1_000_000 / jiffy_us.max(1)).max(1);
        if let Some(c) = self.cubic.as_mut() {
            if c.end_seq == SeqNumber(0) && c.round_start == 0 {
                c.hystart_reset(now_us, snd_nxt);
            }
            let j = now_us / jiffy_us.max(1);
            if let Some(ss) = c.acked(
                rtt_us,
                cwnd,
                in_ss,
                snd_una,
                snd_nxt,
                now_us,
                j,
                hz,
                ack_delay_us,
            ) {
                self.ssthresh = ss * mss;
            }
        }
    }

    /// Linux `tcp_enter_recovery` → `tcp_init_cwnd_reduction` (RFC 6937 §3): ssthresh from
    /// the congestion module, PRR's counters at zero; cwnd is set ACK by ACK by
    /// [`Congestion::prr_step`]. Returns false when already recovering.
    pub fn enter_prr_recovery(&mut self, high_seq: SeqNumber) -> bool {
        if self.recover.is_some() {
            return false;
        }
        let prior = self.segs(self.cwnd);
        self.cwnd_cnt = 0;
        self.ssthresh = self.module_ssthresh();
        self.recover = Some(high_seq);
        self.prr = Some(Prr {
            prior_cwnd: prior.max(1),
            ..Prr::default()
        });
        true
    }

    /// A loss a tail loss probe repaired (`tcp_process_tlp_ack`): `tcp_init_cwnd_reduction`
    /// (ssthresh from the congestion module, which for CUBIC also sets W_max and ends the
    /// epoch), CWR and at once `tcp_end_cwnd_reduction`: cwnd = ssthresh, no PRR in between.
    pub fn tlp_loss_cwr(&mut self) {
        self.cwnd_cnt = 0;
        self.ssthresh = self.module_ssthresh();
        if self.ssthresh < u32::MAX / 2 {
            self.cwnd = self.ssthresh;
        }
    }

    /// Linux `tcp_cwnd_reduction` (RFC 6937 §3.1): `delivered` segments newly ACKed or
    /// SACKed, `newly_lost` just marked lost, `pipe` segments in flight
    /// (`tcp_packets_in_flight`). While the pipe is above ssthresh, send in proportion to
    /// what was delivered (ssthresh / prior cwnd); below it, slow-start back up to ssthresh
    /// (PRR-SSRB: one more when snd_una advanced and nothing new was lost). The first
    /// reduction always lets the fast retransmission go.
    pub fn prr_step(&mut self, delivered: u32, newly_lost: u32, una_advanced: bool, pipe: u32) {
        let mss = self.mss.max(1);
        let ssthresh = self.ssthresh / mss;
        let Some(prr) = self.prr.as_mut() else { return };
        if delivered == 0 {
            return;
        }
        prr.delivered += delivered;
        let delta = ssthresh as i64 - pipe as i64;
        let mut sndcnt: i64 = if delta < 0 {
            let dividend = ssthresh as u64 * prr.delivered as u64 + prr.prior_cwnd as u64 - 1;
            (dividend / prr.prior_cwnd as u64) as i64 - prr.out as i64
        } else {
            let mut n = (prr.delivered as i64 - prr.out as i64).max(delivered as i64);
            if una_advanced && newly_lost == 0 {
                n += 1;
            }
            n.min(delta)
        };
        sndcnt = sndcnt.max(if prr.out > 0 { 0 } else { 1 });
        self.cwnd = (pipe as i64 + sndcnt).max(0) as u32 * mss;
    }

    /// Segments sent during a PRR recovery (`tp->prr_out`).
    pub fn prr_sent(&mut self, segs: u32) {
        if let Some(p) = self.prr.as_mut() {
            p.out += segs;
        }
    }

    /// Linux `tcp_end_cwnd_reduction`: the recovery is over (snd_una reached high_seq);
    /// cwnd = ssthresh.
    pub fn end_prr_recovery(&mut self) {
        if self.prr.take().is_some() && self.ssthresh < u32::MAX / 2 {
            self.cwnd = self.ssthresh;
        }
        self.recover = None;
        self.dupacks = 0;
    }

    /// CUBIC forgets everything on an RTO (`cubictcp_state` for TCP_CA_Loss:
    /// `bictcp_reset`, `bictcp_hystart_reset`), W_max included, and slow-starts afresh.
    pub fn cubic_loss_reset(&mut self, now_us: u64, snd_nxt: SeqNumber) {
        self.cwnd_cnt = 0;
        self.prr = None;
        if let Some(c) = self.cubic.as_mut() {
            c.reset(now_us, snd_nxt);
        }
    }

    /// `cubictcp_cwnd_event(CA_EVENT_TX_START)`, from `tcp_event_data_sent` when data
    /// leaves with nothing in flight: after an application-limited pause since `lsndtime_us`,
    /// CUBIC's epoch moves forward by the pause (never past now), so the window keeps to the
    /// cubic curve instead of jumping ahead for time it did not use (tcp_cubic.c: "We were
    /// application limited (idle) for a while. Shift epoch_start to keep cwnd growth to
    /// cubic curve."). Times in jiffies of `jiffy_us`, as `update` counts them.
    pub fn tx_start(&mut self, now_us: u64, lsndtime_us: u64, jiffy_us: u64) {
        let j = jiffy_us.max(1);
        if let Some(c) = self.cubic.as_mut() {
            let delta = (now_us / j).saturating_sub(lsndtime_us / j);
            if c.epoch_start != 0 && delta > 0 {
                // `update` stores jiffies + 1 (0 means "no epoch").
                c.epoch_start = (c.epoch_start + delta).min(now_us / j + 1);
            }
        }
    }

    /// A new MSS mid-connection (`tcp_sync_mss`): Linux counts cwnd and ssthresh in packets,
    /// so here, in bytes, they keep their packet counts.
    pub fn rescale_mss(&mut self, mss: u32) {
        let old = self.mss.max(1) as u64;
        let scale = |v: u32| (v as u64 * mss as u64 / old).clamp(1, u32::MAX as u64) as u32;
        self.cwnd = scale(self.cwnd);
        if self.ssthresh != u32::MAX {
            self.ssthresh = scale(self.ssthresh);
        }
        self.mss = mss;
    }

    pub fn set_mss(&mut self, mss: u32, initial_segments: u32) {
        self.mss = mss;
        self.cwnd = mss * initial_segments.max(1);
        if self.initial_ssthresh_segments > 0 {
            self.ssthresh = mss.saturating_mul(self.initial_ssthresh_segments);
        }
    }

    /// Linux's `icsk_ca_ops->ssthresh`, which `tcp_init_cwnd_reduction` and `tcp_enter_loss`
    /// ask: from cwnd in whole segments, as the kernel keeps it. CUBIC's
    /// `cubictcp_recalc_ssthresh`; Reno's `tcp_reno_ssthresh`, max(cwnd >> 1, 2) segments,
    /// so an odd window's half segment is dropped (11 segments give 5, where halving the
    /// bytes would give 5.5 and let a sixth segment out at the end of the recovery).
    fn module_ssthresh(&mut self) -> u32 {
        if self.cubic.is_none() && self.beta_1024 == 0 {
            return (self.segs(self.cwnd) >> 1).max(2) * self.mss;
        }
        let cwnd = self.cwnd;
        self.loss_ssthresh(cwnd)
    }

    /// The slow-start threshold after a loss (CUBIC: `cubictcp_recalc_ssthresh`, which
    /// also sets W_max and ends the epoch).
    fn loss_ssthresh(&mut self, flight: u32) -> u32 {
        let segs = self.cwnd / self.mss.max(1);
        if let Some(c) = self.cubic.as_mut() {
            return c.recalc_ssthresh(segs) * self.mss;
        }
        if self.beta_1024 == 0 {
            (flight / 2).max(2 * self.mss)
        } else {
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
            // `tcp_cwnd_restart` halves snd_cwnd, a count of whole segments, so each halving
            // drops the odd segment: 29 → 14 → 7 → 3 → 1. Halving bytes would keep the
            // fractions (29 segments → 1.8 after four RTOs). Measured on 6.18 (idle-restart
            // with a route initcwnd of 1, 1.07 s idle): one segment, then the ACK.
            let mss = self.mss.max(1);
            let (mut segs, restart_segs) = (self.cwnd / mss, restart / mss);
            let mut delta = idle as i64;
            while {
                delta -= rto.max(1) as i64;
                delta > 0
            } && segs > restart_segs
            {
                segs >>= 1;
            }
            self.cwnd = (segs * mss).max(restart);
        } else {
            self.cwnd = restart;
        }
    }

    /// `tcp_undo_cwnd_reduction` with the congestion module's `undo_cwnd` (CUBIC and Reno:
    /// `tcp_reno_undo_cwnd`, max(cwnd, prior_cwnd)), ssthresh back up to the prior one.
    pub fn undo_cwnd(&mut self, prior_cwnd: u32, prior_ssthresh: u32) {
        self.cwnd = self.cwnd.max(prior_cwnd);
        if prior_ssthresh > self.ssthresh {
            self.ssthresh = prior_ssthresh;
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
        if self.cubic.is_some() {
            let segs = acked.div_ceil(self.mss.max(1));
            self.cong_avoid_segments(segs, self.now_us, self.jiffy_us);
            return CcAction::None;
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
    /// RFC 5681 §3.1 after an RTO: ssthresh from the flight (eq. 4), cwnd one segment.
    pub fn on_rto_textbook(&mut self, flight: u32) {
        self.ssthresh = self.loss_ssthresh(flight);
        self.leave_recovery_for_loss();
    }

    /// Linux `tcp_enter_loss`: ssthresh from the congestion module (CUBIC's beta of the
    /// current cwnd) if `reduce`, else kept; the caller sets cwnd from what is in flight.
    pub fn on_rto(&mut self, reduce: bool) {
        if reduce {
            self.ssthresh = self.module_ssthresh();
        }
        self.leave_recovery_for_loss();
    }

    fn leave_recovery_for_loss(&mut self) {
        self.cwnd = self.mss;
        self.dupacks = 0;
        self.recover = None;
        self.prr = None;
        self.cwnd_cnt = 0;
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
    fn linux_reno_halves_an_odd_window_in_whole_segments() {
        // `tcp_reno_ssthresh`: max(cwnd >> 1, 2), cwnd counted in segments. With 11
        // segments the threshold is 5 after a fast recovery's start and after an RTO.
        let mut c = Congestion::new(1000, 11);
        assert!(c.enter_prr_recovery(SeqNumber(11_000)));
        assert_eq!(c.ssthresh, 5_000);
        c.end_prr_recovery();
        assert_eq!(
            c.cwnd, 5_000,
            "the recovery ends at ssthresh, no half segment"
        );
        let mut c = Congestion::new(1000, 11);
        c.on_rto(true);
        assert_eq!((c.ssthresh, c.cwnd), (5_000, 1_000));
        let mut c = Congestion::new(1000, 3);
        c.on_rto(true);
        assert_eq!(c.ssthresh, 2_000, "never below two segments");
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
        c.on_rto(true);
        assert_eq!((c.ssthresh, c.cwnd), (28_000, 1_000));
        // An RTO that continues the episode keeps the ssthresh it cut (`tcp_enter_loss`).
        c.on_rto(false);
        assert_eq!(c.ssthresh, 28_000);
        let mut r = Congestion::new(1000, 40);
        r.on_rto_textbook(40_000);
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
    fn an_idle_restart_halves_whole_segments_dropping_the_odd_one() {
        // `tcp_cwnd_restart` on snd_cwnd, a segment count: 29 → 14 → 7 → 3 → 1 over four
        // RTOs of idleness (initcwnd 1), not 29 segments' bytes / 16 = 1.8 segments.
        let mut c = Congestion::new(1448, 1);
        c.cwnd = 29 * 1448 - 100;
        c.restart_after_idle(1_073_000, 220_000, 1, true);
        assert_eq!(c.cwnd, 1448);
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

    fn cubic(cwnd_segs: u32) -> Congestion {
        let mut c = Congestion::new(1000, cwnd_segs);
        c.beta_1024 = 717;
        c.cubic = Some(Cubic::new(717, true));
        c.jiffy_us = 4_000;
        c
    }

    #[test]
    fn prr_sends_in_proportion_to_what_is_delivered_and_ends_at_ssthresh() {
        // RFC 6937 §3.1 with Linux's numbers: cwnd 40 at the loss, ssthresh 28 (40 · 717 /
        // 1024). While the pipe is above ssthresh, ceil(28 · delivered / 40) − out: seven
        // segments for every ten delivered.
        let mut c = cubic(40);
        c.ssthresh = 20_000; // out of slow start, so that W_max is cwnd
        assert!(c.enter_prr_recovery(SeqNumber(40_000)));
        assert_eq!(c.ssthresh, 28_000);
        let mut sent = 0;
        for delivered in 1..=10 {
            // 38 segments in flight whatever was sent: the pipe stays above ssthresh.
            c.prr_step(1, 0, false, 38);
            let allowed = c.cwnd / 1000 - 38;
            c.prr_sent(allowed);
            sent += allowed;
            assert_eq!(sent, (28 * delivered as u32).div_ceil(40));
        }
        assert_eq!(sent, 7);
        // Below ssthresh: slow-start back up (PRR-SSRB): max(delivered − out, this ACK's
        // delivered) = max(12 − 7, 2), plus one as snd_una advanced: 6 more than the pipe.
        c.prr_step(2, 0, true, 20);
        assert_eq!(c.cwnd, (20 + 6) * 1000);
        c.end_prr_recovery();
        assert_eq!(c.cwnd, 28_000);
        assert!(!c.in_recovery());
    }

    #[test]
    fn cubic_grows_back_toward_w_max_fast_then_slowly_near_it() {
        // After a loss at cwnd 50 (W_max 50, ssthresh 35), K = cbrt(15 / 0.4) ≈ 3.3 s: the
        // curve climbs fast at first, flattens near W_max and then probes beyond it (RFC
        // 9438 §4.2). One ACK per segment, 100 ms round trips.
        let mut c = cubic(50);
        c.ssthresh = 10_000;
        c.enter_prr_recovery(SeqNumber(0));
        c.end_prr_recovery();
        assert_eq!(c.cwnd, 35_000);
        let mut per_rtt = Vec::new();
        let mut now = 0u64;
        for _ in 0..60 {
            let w = c.cwnd / 1000;
            for _ in 0..w {
                c.cong_avoid_segments(1, now, 4_000);
            }
            now += 100_000;
            per_rtt.push(c.cwnd / 1000);
        }
        // TCP-friendly at first (Reno with beta 0.7 would add ~0.5 a round trip)...
        assert!(per_rtt[0] <= 37, "{per_rtt:?}");
        // ...then a plateau around W_max = 50 up to K ≈ 3.3 s...
        assert!(
            per_rtt[15..=32].iter().all(|w| (48..=52).contains(w)),
            "{per_rtt:?}"
        );
        // ...and growing beyond it ever faster after that (the convex part).
        assert!(per_rtt[59] > 60, "{per_rtt:?}");
        // Never shrinking, and never more than 1.5× a round trip.
        for pair in per_rtt.windows(2) {
            assert!(
                pair[1] >= pair[0] && pair[1] * 2 <= pair[0] * 3,
                "{per_rtt:?}"
            );
        }
    }

    #[test]
    fn an_application_limited_pause_moves_cubics_epoch_so_the_window_does_not_jump() {
        // Two runs from the same recovery: one acknowledges a round trip, pauses 2 s with
        // nothing in flight, then goes on; the other goes on at once. With the epoch shifted
        // by the pause (`CA_EVENT_TX_START`), both grow the same on the next round trip.
        // Without it, the paused one would find itself 2 s further along the cubic curve.
        let grow = |pause_us: u64| {
            let mut c = cubic(50);
            c.ssthresh = 10_000;
            c.enter_prr_recovery(SeqNumber(0));
            c.end_prr_recovery();
            let mut now = 0u64;
            for _ in 0..35 {
                c.cong_avoid_segments(1, now, 4_000);
            }
            let last_sent = now + 50_000;
            now += 100_000 + pause_us;
            c.tx_start(now, last_sent, 4_000);
            for _ in 0..35 {
                c.cong_avoid_segments(1, now, 4_000);
            }
            now += 100_000;
            for _ in 0..c.cwnd / 1000 {
                c.cong_avoid_segments(1, now, 4_000);
            }
            c.cwnd / 1000
        };
        assert_eq!(grow(2_000_000), grow(0));
    }

    #[test]
    fn fast_convergence_lowers_w_max_when_the_window_shrank_since_the_last_loss() {
        let mut c = cubic(50);
        c.ssthresh = 10_000;
        c.enter_prr_recovery(SeqNumber(0));
        c.end_prr_recovery();
        // A second loss at 40 < W_max 50: W_max = 40 · (1024 + 717) / 2048 = 34, below
        // the window of the loss, so that a newcomer gets room (RFC 9438 §4.7).
        c.cwnd = 40_000;
        c.enter_prr_recovery(SeqNumber(0));
        assert_eq!(c.ssthresh, 28_000);
        assert_eq!(c.cubic.as_ref().map(|k| k.last_max_cwnd), Some(34));
    }

    #[test]
    fn hystart_ends_slow_start_on_a_long_ack_train_of_a_short_path() {
        // 1 ms round trips (delay_min 1000 µs): once cwnd ≥ 16, ACKs spaced ≤ 2 ms for more
        // than (delay_min + ack delay) / 2 since the round began end slow start there,
        // ssthresh = cwnd, long before any loss.
        let mut c = cubic(16);
        let una = SeqNumber(1);
        c.on_rtt_sample(1_000, una, SeqNumber(100_000), 10_000, 4_000, 0);
        assert_eq!(c.ssthresh, u32::MAX);
        c.on_rtt_sample(1_000, una, SeqNumber(100_000), 10_400, 4_000, 0);
        assert_eq!(c.ssthresh, u32::MAX, "still within half the minimum delay");
        c.on_rtt_sample(1_000, una, SeqNumber(100_000), 10_800, 4_000, 0);
        assert_eq!(c.ssthresh, 16_000);
        assert!(c.cubic.as_ref().is_some_and(|k| k.found));
        // On a 100 ms path the same train (all ACKs within a millisecond) stays in slow
        // start: the train would have to last 50 ms.
        let mut c = cubic(16);
        for t in 0..20 {
            c.on_rtt_sample(100_000, una, SeqNumber(100_000), 200_000 + t * 50, 4_000, 0);
        }
        assert_eq!(c.ssthresh, u32::MAX);
    }
}
