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
        let tsval = self.tw_tsval(h);
        let paws_reject = tsval.is_some_and(|v| self.tw_paws_reject(v, false, 0));
        let newer = SeqNumber(h.seq).gt(self.rcv_nxt)
            || tsval.is_some_and(|v| (self.ts_recent.wrapping_sub(v) as i32) < 0);
        if !paws_reject && newer {
            let isn = self.snd_nxt.0.wrapping_add(65_535 + 2);
            return Some(TimeWaitSyn::Reopen(isn.max(1)));
        }
        Some(TimeWaitSyn::Ack { paws_reject })
    }

    /// The TSval a timewait socket reads: only if the connection had timestamps
    /// (`tcp_timewait_state_process` parses the options only with a `tw_ts_recent_stamp`).
    fn tw_tsval(&self, h: &TcpHeader) -> Option<u32> {
        h.options.timestamps.filter(|_| self.ts_ok).map(|t| t.0)
    }

    /// `tcp_paws_reject(&tmp_opt, th->rst)` as the timewait socket runs it: `tcp_paws_check`
    /// with no window, so any TSval older than `ts_recent` fails (a `ts_recent` of 0 rejects
    /// nothing), and the full socket's leniency for disordered ACKs does not apply; a RST is
    /// rejected only while `ktime_get_seconds()` is before `ts_recent_stamp + TCP_PAWS_MSL`
    /// (60 s: "we can relax time bounds for RST segments to MSL", include/net/tcp.h). RFC 7323
    /// §5.3 R1 discards such segments; its appendix's advice to exempt RSTs is what the MSL
    /// bound relaxes. Whole seconds of the run's clock stand for the kernel's: a RST 60 to 61 s
    /// after the stamp may go either way on a real machine.
    fn tw_paws_reject(&self, tsval: u32, rst: bool, now: Micros) -> bool {
        const PAWS_MSL_S: u64 = 60;
        let older = self.ts_recent != 0 && self.ts_recent.wrapping_sub(tsval) as i32 > 0;
        older && (!rst || now / 1_000_000 < self.ts_recent_stamp / 1_000_000 + PAWS_MSL_S)
    }

    /// Whether TIME-WAIT drops this RST for its old timestamp ([`Self::tw_paws_reject`]): a
    /// rejected RST misses the in-window branch that ends TIME-WAIT and is dropped without
    /// an answer (`if (!th->rst)`).
    pub(super) fn time_wait_paws_rejects_rst(&self, h: &TcpHeader, now: Micros) -> bool {
        if self.state != TcpState::TimeWait || !h.flags.rst {
            return false;
        }
        self.tw_tsval(h)
            .is_some_and(|v| self.tw_paws_reject(v, true, now))
    }

    /// A segment for a timewait socket (profile `time_wait_socket`): a connection in
    /// TIME-WAIT, or an orphan in FIN-WAIT-2 that Linux handed to one
    /// ([`Self::enter_fin_wait2_timewait`]). Linux `tcp_timewait_state_process`, branch by
    /// branch, with `tcp_v4_rcv`'s answer to its verdict (TCP_TW_ACK, TCP_TW_ACK_OOW: the
    /// old connection's ACK, `tcp_v4_timewait_ack`; TCP_TW_RST: `tcp_v4_send_reset`, and the
    /// timewait socket is gone). A SYN that may reopen TIME-WAIT was offered to the
    /// listener before ([`Self::time_wait_syn`]).
    pub(super) fn timewait_segment(&mut self, seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) {
        let seq = SeqNumber(h.seq);
        let seg_len = seg.payload_len + h.flags.syn as u32 + h.flags.fin as u32;
        let end = seq + seg_len;
        let tsval = self.tw_tsval(h);
        let paws_reject = tsval.is_some_and(|v| self.tw_paws_reject(v, h.flags.rst, ctx.now));
        if self.tw_fin_wait2 {
            // "Just repeat all the checks of tcp_rcv_state_process()". Out of the window
            // (`tcp_in_window` against the window the socket kept) or failing PAWS: an ACK,
            // rate-limited, and the timer runs on.
            let (nxt, wnd_end) = (self.rcv_nxt, self.rcv_nxt + self.tw_rcv_wnd.unwrap_or(0));
            let in_window =
                seq == nxt || (end.gt(nxt) && seq.lt(wnd_end)) || (seq == wnd_end && seq == end);
            if paws_reject || !in_window {
                return self.timewait_oow_ack(seg_len, h.flags.syn, ctx);
            }
            // Any RST in the window ends it: the timewait socket sends no challenge ACK.
            if h.flags.rst {
                return self.set_state(TcpState::Closed, ctx);
            }
            // A SYN at or past rcv_nxt, new data, or a FIN anywhere but at rcv_nxt: "If new
            // data arrive after half-duplex close, reset" (TCP_TW_RST).
            let dup_ack = !h.flags.ack || !end.gt(nxt) || end == seq;
            let fin_at_nxt = h.flags.fin && end == nxt + 1;
            if (h.flags.syn && !seq.lt(nxt)) || (!dup_ack && !fin_at_nxt) {
                if let Some(r) = TcpSocket::reset_for(seg) {
                    self.transmit(r, ctx);
                }
                return self.set_state(TcpState::Closed, ctx);
            }
            if dup_ack {
                return;
            }
            // The FIN: true TIME-WAIT on the same timewait socket (its rate limit runs on),
            // the timer at TCP_TIMEWAIT_LEN, and its ACK (TCP_TW_ACK, not rate-limited).
            self.tw_fin_wait2 = false;
            self.fin_received = true;
            self.rcv_nxt = end;
            if let Some(v) = tsval {
                self.store_ts_recent(v, ctx.now);
                // `tw_entry_stamp` is refreshed only with a timestamp.
                self.time_wait_since = Some(ctx.now);
            }
            self.set_state(TcpState::TimeWait, ctx);
            self.cancel_timer(TimerKind::FinWait2, ctx);
            self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
            return self.send_ack(ctx);
        }
        // TIME-WAIT proper. "In window segment, it may be only reset or bare ack": at
        // rcv_nxt with nothing in it (no data, SYN or FIN), or a RST there.
        if !paws_reject && seq == self.rcv_nxt && (seg_len == 0 || h.flags.rst) {
            if h.flags.rst {
                // TIME-WAIT assassination (RFC 1337): with tcp_rfc1337 the RST is ignored.
                if !ctx.p.rfc1337 {
                    return self.set_state(TcpState::Closed, ctx);
                }
            } else {
                // `inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN)`, silently.
                self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
            }
            if let Some(v) = tsval {
                self.store_ts_recent(v, ctx.now);
            }
            return;
        }
        // Out of the window, data, a FIN, or a PAWS failure: "All the segments are ACKed
        // immediately" (a RST is not), and the timer restarts for one that failed PAWS or
        // carries an ACK ("If it is ACKless SYN it may be both old duplicate and new good
        // SYN with random sequence number <rcv_nxt. Do not reschedule in the last case").
        if h.flags.rst {
            return;
        }
        if paws_reject || h.flags.ack {
            self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
        }
        self.timewait_oow_ack(seg_len, h.flags.syn, ctx);
    }

    /// `tcp_timewait_check_oow_rate_limit`: the timewait socket's ACK (`tcp_v4_timewait_ack`:
    /// no SACK, the window it kept), unless `tcp_oow_rate_limited` holds it back (a segment
    /// without data, or a SYN, within tcp_invalid_ratelimit of the last such ACK).
    fn timewait_oow_ack(&mut self, seg_len: u32, syn: bool, ctx: &mut Ctx) {
        if !self.oow_rate_limited(seg_len, syn, ctx) {
            self.send_ack(ctx);
        }
    }

    /// `tcp_store_ts_recent`: the peer's latest timestamp, and when it was stored.
    pub(super) fn store_ts_recent(&mut self, tsval: u32, now: Micros) {
        self.ts_recent = tsval;
        self.ts_recent_stamp = now;
    }

    /// The ISN a new connection on this TIME-WAIT connection's 4-tuple takes when connect()
    /// takes the 4-tuple over (Linux `tcp_twsk_unique`: only if the connection had
    /// timestamps, `tw_ts_recent_stamp`): snd_nxt + 65535 + 2, never 0, and the last
    /// timestamp it received. `None`: the 4-tuple stays taken (EADDRNOTAVAIL). A timewait
    /// socket still in substate FIN_WAIT2 (an orphan waiting for the peer's FIN) gives it
    /// to a socket bound to the port as well (`twp` NULL: tcp_tw_reuse is not asked), but
    /// never to a port search (`port_search`; "if (tw->tw_substate == TCP_FIN_WAIT2) reuse
    /// = 0", 6.11). Measured on 6.18: a bound connect() took an orphan's 4-tuple while the
    /// peer was in CLOSE-WAIT.
    pub fn time_wait_successor(&self, port_search: bool) -> Option<(u32, u32)> {
        let timewait = self.state == TcpState::TimeWait || (self.tw_fin_wait2 && !port_search);
        (timewait && self.ts_ok).then(|| {
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
        self.save_metrics(ctx);
        self.set_state(TcpState::TimeWait, ctx);
        self.time_wait_since = Some(ctx.now);
        if ctx.p.time_wait_socket {
            self.become_timewait_socket();
        }
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

    /// What `tcp_time_wait` starts afresh in the timewait socket it makes: the out-of-window
    /// rate limit (`tw_last_oow_ack_time` = 0: the full socket's last duplicate ACK does not
    /// hold back the timewait socket's first), and no SACK state (`tcp_v4_timewait_ack`
    /// sends none).
    fn become_timewait_socket(&mut self) {
        self.last_oow_ack = None;
        self.sack_blocks.clear();
        self.dsack = None;
    }

    /// An orphan reached FIN-WAIT-2 (close() there, or the ACK of its FIN after close()):
    /// Linux `tcp_close` and `tcp_rcv_state_process` hand it to a timewait socket in substate
    /// FIN_WAIT2 for `tcp_fin_time` when that is at most TCP_TIMEWAIT_LEN
    /// (`tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)`); a longer one keeps the full socket for the
    /// difference first (`inet_csk_reset_keepalive_timer(sk, tmo - TCP_TIMEWAIT_LEN)`), then
    /// [`Self::fin_wait2_timer`]. Without profile `time_wait_socket` the full socket waits the
    /// whole `tcp_fin_time`. `keep_full`: the ACK carried the peer's FIN as well, so the
    /// full socket stays for `tcp_fin_time` to take it ("Bad case. We could lose such FIN
    /// otherwise").
    pub(super) fn orphan_in_fin_wait2(&mut self, keep_full: bool, ctx: &mut Ctx) {
        // A profile without the timeout (the RFC's) leaves the orphan waiting for the FIN.
        let Some(tmo) = self.fin_time(ctx) else {
            return;
        };
        let tw_len = ctx.p.time_wait_us;
        if !ctx.p.time_wait_socket {
            self.arm_timer(TimerKind::FinWait2, tmo, ctx);
        } else if tmo > tw_len {
            self.arm_timer(TimerKind::FinWait2, tmo - tw_len, ctx);
        } else if keep_full {
            self.arm_timer(TimerKind::FinWait2, tmo, ctx);
        } else {
            self.enter_fin_wait2_timewait(tmo, ctx);
        }
    }

    /// `tcp_time_wait(sk, TCP_FIN_WAIT2, timeo)`: the timewait socket in substate FIN_WAIT2,
    /// its timer (a timer_list, `inet_twsk_schedule`) at `timeo` but never less than 3.5 RTOs
    /// ("if (timeo < rto) timeo = rto", `rto = (icsk_rto << 2) - (icsk_rto >> 1)`).
    fn enter_fin_wait2_timewait(&mut self, timeo: Micros, ctx: &mut Ctx) {
        self.save_metrics(ctx);
        self.tw_fin_wait2 = true;
        self.tw_rcv_wnd = Some(self.advertised_window_now());
        self.become_timewait_socket();
        for k in [
            TimerKind::Retransmit,
            TimerKind::Persist,
            TimerKind::DelayedAck,
            TimerKind::SackCompress,
        ] {
            self.cancel_timer(k, ctx);
        }
        let timeo = timeo.max(self.fin_time_floor(ctx));
        self.arm_timer(TimerKind::FinWait2, timeo, ctx);
    }

    /// The FIN-WAIT-2 timer fired. With a timewait socket it is gone; a full socket whose
    /// `tcp_fin_time` exceeded TCP_TIMEWAIT_LEN has waited the difference and is now handed to
    /// a timewait socket for that difference again (`tcp_keepalive_timer`: `tmo =
    /// tcp_fin_time(sk) - TCP_TIMEWAIT_LEN; if (tmo > 0) tcp_time_wait(sk, TCP_FIN_WAIT2,
    /// tmo)`), so that tcp_fin_timeout 61 s ends FIN-WAIT-2 after about 2 s in all; with
    /// nothing left over, `tcp_send_active_reset` and the socket is gone.
    pub(super) fn fin_wait2_timer(&mut self, ctx: &mut Ctx) {
        if ctx.p.time_wait_socket && !self.tw_fin_wait2 && self.state == TcpState::FinWait2 {
            let rest = self
                .fin_time(ctx)
                .map_or(0, |t| t.saturating_sub(ctx.p.time_wait_us));
            if rest > 0 {
                return self.enter_fin_wait2_timewait(rest, ctx);
            }
            self.send_rst(ctx);
        }
        self.set_state(TcpState::Closed, ctx);
    }
}
