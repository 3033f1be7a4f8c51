//! TIME-WAIT (RFC 9293 §3.10.7.4): entering it, and what a segment that arrives in it does
//! (Linux `tcp_timewait_state_process`: a new SYN may reopen the connection).

use super::*;

impl TcpSocket {
    /// What TIME-WAIT does with a SYN (no ACK, no RST), when the profile reopens
    /// (`time_wait_reopen`); `None` otherwise, and the segment goes the synchronized
    /// states' way. Linux `tcp_timewait_state_process`, TIME-WAIT proper: PAWS first
    /// (`tcp_paws_reject` with no window: a timestamp older than `ts_recent`, when the
    /// connection used them); then a SYN whose sequence number is past the old rcv_nxt, or
    /// whose timestamp is newer than `ts_recent`, opens a new connection (TCP_TW_SYN) with
    /// ISN old snd_nxt + 65535 + 2 (never 0); any other is answered with an ACK (TCP_TW_ACK).
    pub fn time_wait_syn(&self, h: &TcpHeader, p: &crate::profile::Profile) -> Option<TimeWaitSyn> {
        if self.state != TcpState::TimeWait
            || !p.time_wait_reopen
            || !h.flags.syn
            || h.flags.ack
            || h.flags.rst
        {
            return None;
        }
        // The timewait socket reads the options only if the connection had timestamps
        // (`tw_ts_recent_stamp`).
        let tsval = h.options.timestamps.filter(|_| self.ts_ok).map(|t| t.0);
        let behind = |v: u32| self.ts_recent.wrapping_sub(v) as i32;
        let paws_reject = tsval.is_some_and(|v| self.ts_recent != 0 && behind(v) > 0);
        let newer = SeqNumber(h.seq).gt(self.rcv_nxt) || tsval.is_some_and(|v| behind(v) < 0);
        if !paws_reject && newer {
            let isn = self.snd_nxt.0.wrapping_add(65_535 + 2);
            return Some(TimeWaitSyn::Reopen(isn.max(1)));
        }
        Some(TimeWaitSyn::Ack { paws_reject })
    }

    /// Whether TIME-WAIT drops this RST for its old timestamp. Linux
    /// `tcp_timewait_state_process` runs `tcp_paws_reject(&tmp_opt, th->rst)` on any segment
    /// with timestamps when the connection had them (`tw_ts_recent_stamp`): a TSval older than
    /// `tw_ts_recent` (`tcp_paws_check` with no window; a `ts_recent` of 0 rejects nothing)
    /// rejects a RST only while `ktime_get_seconds()` is before `ts_recent_stamp +
    /// TCP_PAWS_MSL` (60 s: "we can relax time bounds for RST segments to MSL", include/net/
    /// tcp.h). A rejected RST misses the in-window branch that ends TIME-WAIT and is dropped
    /// without an answer (`if (!th->rst)`; 6.18 counts it in PAWSTimewait). RFC 7323 §5.3
    /// R1 discards such segments; its appendix's advice to exempt RSTs is what the MSL bound
    /// relaxes. Whole seconds of the run's clock stand for the kernel's: a RST 60 to 61 s after
    /// the stamp may go either way on a real machine.
    pub(super) fn time_wait_paws_rejects_rst(&self, h: &TcpHeader, now: Micros) -> bool {
        const PAWS_MSL_S: u64 = 60;
        let Some((tsval, _)) = h.options.timestamps else {
            return false;
        };
        if self.state != TcpState::TimeWait || !h.flags.rst || !self.ts_ok || self.ts_recent == 0 {
            return false;
        }
        let older = self.ts_recent.wrapping_sub(tsval) as i32 > 0;
        older && now / 1_000_000 < self.ts_recent_stamp / 1_000_000 + PAWS_MSL_S
    }

    /// `tcp_store_ts_recent`: the peer's latest timestamp, and when it was stored.
    pub(super) fn store_ts_recent(&mut self, tsval: u32, now: Micros) {
        self.ts_recent = tsval;
        self.ts_recent_stamp = now;
    }

    /// The ISN a new connection on this TIME-WAIT connection's 4-tuple takes when connect()
    /// takes the 4-tuple over (Linux `tcp_twsk_unique`, for a socket bound to the port:
    /// only if the connection had timestamps, `tw_ts_recent_stamp`): snd_nxt + 65535 + 2,
    /// never 0, and the last timestamp it received. `None`: the 4-tuple stays taken
    /// (EADDRNOTAVAIL).
    pub fn time_wait_successor(&self) -> Option<(u32, u32)> {
        (self.state == TcpState::TimeWait && self.ts_ok).then(|| {
            let isn = self.snd_nxt.0.wrapping_add(65_535 + 2).max(1);
            (isn, self.ts_recent)
        })
    }

    /// TIME-WAIT's answer to a SYN that does not reopen it: the ACK of the old connection
    /// (`tcp_v4_timewait_ack`), at most once per tcp_invalid_ratelimit
    /// (`tcp_timewait_check_oow_rate_limit`) unless `rate_limited` is off (a SYN that would
    /// have reopened it but found no listener: TCP_TW_SYN falls through to TCP_TW_ACK). The
    /// TIME-WAIT timer restarts only for a SYN that failed PAWS: an ACKless SYN may be a
    /// new connection's with a smaller random ISN (`inet_twsk_reschedule` "Do not
    /// reschedule in the last case").
    pub fn time_wait_ack(&mut self, rate_limited: bool, paws_reject: bool, ctx: &mut Ctx) {
        if paws_reject {
            self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
        }
        if rate_limited && self.oow_rate_limited(1, true, ctx) {
            return;
        }
        self.send_ack(ctx);
    }

    pub(super) fn enter_time_wait(&mut self, ctx: &mut Ctx) {
        self.set_state(TcpState::TimeWait, ctx);
        self.time_wait_since = Some(ctx.now);
        for k in [
            TimerKind::Retransmit,
            TimerKind::Persist,
            TimerKind::FinWait2,
            TimerKind::DelayedAck,
            TimerKind::SackCompress,
        ] {
            self.cancel_timer(k, ctx);
        }
        // `inet_twsk_schedule`: TCP_TIMEWAIT_LEN on the timewait socket's timer_list, which
        // the wheel files at level 3 (512-jiffy buckets at HZ 250): 60 to 62 s.
        self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
    }
}
