//! Timers as data (one deadline per kind) and what each does when it fires: the RTO and its
//! backoff (RFC 6298 §5; Linux `tcp_retransmit_timer`), the loss probe (RFC 8985 §7), the
//! zero-window probe (RFC 9293 §3.8.6.1; `tcp_probe_timer`), and the retry budgets
//! (`tcp_retries2` as a time, TCP_USER_TIMEOUT).

use super::*;

impl TcpSocket {
    /// Arms timer `k` to expire `delay` from now, as the kernel's `sk_reset_timer` does: a
    /// `timer_list` on the wheel fires at [`crate::tcp::wheel::fires_at`], never early and,
    /// for a far timer, on a coarse bucket boundary. `delay` is already in whole jiffies
    /// where the kernel keeps it so ([`crate::tcp::wheel::in_jiffies`]). The trace carries both:
    /// the timeout the kernel computed (icsk_rto, TCP_TIMEWAIT_LEN, ato, ...) and the firing
    /// time the wheel gives it, which is what the timer does.
    pub(super) fn arm_timer(&mut self, k: TimerKind, delay: Micros, ctx: &mut Ctx) {
        let at = crate::tcp::wheel::fires_at_in(ctx.now, delay, ctx.p, ctx.in_timer);
        self.timer_levels[timer_index(k)] = crate::tcp::wheel::level(delay, ctx.p, ctx.in_timer);
        self.set_timer(k, at, delay, ctx);
    }

    /// Arms an hrtimer (`hrtimer_start_range_ns`), which is not on the wheel: it may fire
    /// anywhere from `delay_ns` to `delay_ns + slack_ns`, and on an otherwise idle CPU fires
    /// at the end of that range, the hard expiry the clock event device is programmed for.
    /// The model's clock counts whole µs: the end is rounded up to one.
    pub(super) fn arm_hrtimer(
        &mut self,
        k: TimerKind,
        delay_ns: u64,
        slack_ns: u64,
        ctx: &mut Ctx,
    ) {
        let delay = (delay_ns + slack_ns).div_ceil(1_000);
        self.set_timer(k, ctx.now + delay, delay, ctx);
    }

    fn set_timer(&mut self, k: TimerKind, at: Micros, timeout: Micros, ctx: &mut Ctx) {
        let slot = &mut self.timers[timer_index(k)];
        if *slot == Some(at) {
            return;
        }
        *slot = Some(at);
        ctx.emit(EventKind::TimerSet {
            socket: self.id,
            timer: k,
            expires_us: at,
            timeout_us: Some(timeout),
        });
        ctx.timers.push((self.id, k, at));
    }

    pub(super) fn cancel_timer(&mut self, k: TimerKind, ctx: &mut Ctx) {
        let slot = &mut self.timers[timer_index(k)];
        if slot.take().is_some() {
            ctx.emit(EventKind::TimerCancelled {
                socket: self.id,
                timer: k,
            });
        }
    }

    pub(super) fn rtt_sample(&mut self, r: Micros, p: &crate::profile::Profile) {
        self.rtt.sample(r, self.snd_una, self.snd_nxt, p);
        self.min_rtt = Some(self.min_rtt.map_or(r, |m| m.min(r)));
        self.end_backoff();
    }

    /// A valid RTT sample gave a fresh RTO, so the backoff ends (RFC 6298 §5.7, Karn's rule;
    /// Linux `tcp_ack_update_rtt` → `tcp_set_rto`, then `icsk_backoff = 0`: "RFC6298: only
    /// reset backoff on valid RTT measurement"). The only place the RTO's doubling ends after
    /// the handshake; the probes' share of it also ends when the window opens.
    pub(super) fn end_backoff(&mut self) {
        self.backoff = 0;
        self.probe_backoff = 0;
    }

    /// `inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk_rto, …)`: the backed-off RTO
    /// (whole jiffies) on the timer wheel; for a SYN or SYN-ACK too (`tcp_connect`,
    /// `reqsk_queue_hash_req` and `reqsk_timer_handler` arm timer_lists).
    pub(super) fn arm_rto(&mut self, ctx: &mut Ctx) {
        let mut rto = self.rtt.rto_backed_off(self.rto_shift(ctx), ctx.p);
        if self.state == TcpState::SynReceived && self.parent.is_some() {
            // A listener's request: `reqsk_timer_handler` backs its SYN-ACK timer off up to
            // the constant TCP_RTO_MAX (`reqsk_timeout(req, TCP_RTO_MAX)`), not up to
            // tcp_rto_max_ms, which only full sockets read (`icsk_rto_max`).
            let cap = crate::tcp::wheel::in_jiffies(ctx.p.synack_rto_max_us, ctx.p);
            rto = (self.rtt.rto << self.rto_shift(ctx).min(20)).min(cap);
        }
        self.tlp_armed = false;
        self.reo_armed = false;
        self.rto_anchor = ctx.now;
        self.arm_timer(TimerKind::Retransmit, rto, ctx);
    }

    /// Linux `tcp_rearm_rto` after a reordering timeout (`tcp_rack_reo_timeout`): the RTO
    /// falls one RTO after the head of the retransmission queue was last sent
    /// (`tcp_rto_delta_us`: its skb timestamp + icsk_rto − now, in jiffies rounded up), not
    /// one RTO from now. Measured on 6.18 (rto-min-100-rto-keeps-sacked, 140 ms RTO): the
    /// head retransmitted at 191.5 ms, the reordering timer past, the RTO at 336.2 ms.
    pub(super) fn arm_rto_from_head(&mut self, ctx: &mut Ctx) {
        let Some(head_sent) = self.sent_log.front().map(|e| e.sent) else {
            return self.arm_rto(ctx);
        };
        let rto = self.rtt.rto_backed_off(self.rto_shift(ctx), ctx.p);
        let remaining = (head_sent + rto).saturating_sub(ctx.now).max(1);
        self.tlp_armed = false;
        self.reo_armed = false;
        self.rto_anchor = head_sent;
        let delay = crate::tcp::wheel::in_jiffies(remaining, ctx.p);
        self.arm_timer(TimerKind::Retransmit, delay, ctx);
    }

    /// Linux `tcp_schedule_loss_probe` (RFC 8985 §7.2): with SACK, in the open state and no
    /// probe out, arm the retransmit timer as a tail loss probe after PTO = 2·SRTT, plus
    /// TCP_RTO_MIN when one segment is out (room for the peer's delayed ACK) or 2 ms
    /// otherwise, in whole jiffies (1 s before any RTT sample), never later than the RTO
    /// would fire. Measured
    /// on 6.18: one 10-byte segment into a black hole on a sub-millisecond path was probed
    /// at +0.207 s, the RTO retransmission followed at +0.414 s.
    pub(super) fn schedule_loss_probe(&mut self, ctx: &mut Ctx) -> bool {
        use TcpState::*;
        let p = ctx.p;
        let flight = self.snd_max.diff(self.snd_una).max(0) as u32;
        if !p.tail_loss_probe
            || !self.sack_ok
            || !matches!(
                self.state,
                Established | CloseWait | FinWait1 | Closing | LastAck
            )
            || flight == 0
            || self.recovering()
            || self.cc.dupacks > 0
            || self.sent_log.iter().any(|e| e.sacked || e.lost)
            || self.retransmits > 0
            || self.tlp_high_seq.is_some()
        {
            return false;
        }
        // Counted in segments (`packets_out`), not the bytes out over the MSS: measured on
        // 6.18 (`rto-collapse`), after two 5-byte segments the probe left 2·SRTT + 2
        // jiffies later (+90 ms), not 2·SRTT + TCP_RTO_MIN.
        let packets_out = self.packets_out();
        // In jiffies, as the kernel counts it: `usecs_to_jiffies(timeout_us)` of 2·SRTT plus
        // tcp_rto_min_us or TCP_TIMEOUT_MIN_US (2 ms, not 2 jiffies: commit 1c2709cfff1d
        // "tcp: fix excessive TLP and RACK timeouts from HZ rounding", 6.6), and the RTO's
        // remaining time rounded up (`usecs_to_jiffies(rto_delta_us)`); then a timer_list.
        // Measured on 6.18 at HZ 250 (explore seed 3100 #7, SRTT 10 ms, three segments
        // out): the probe 26.4 ms after the ACK, 2·SRTT + 2 ms in whole jiffies (24 ms) plus
        // the wheel, not 2·SRTT + 2 jiffies (32 ms).
        let mut pto = match self.rtt.srtt {
            Some(srtt) => crate::tcp::wheel::in_jiffies(
                2 * srtt
                    + if packets_out == 1 {
                        p.rto_min()
                    } else {
                        TCP_TIMEOUT_MIN_US
                    },
                p,
            ),
            None => p.rto_initial_us,
        };
        let rto_at = self.rto_anchor + self.rtt.rto_backed_off(self.backoff, p);
        if rto_at > ctx.now {
            pto = pto.min(crate::tcp::wheel::in_jiffies(rto_at - ctx.now, p));
        }
        // `tcp_reset_xmit_timer` → `inet_csk_reset_xmit_timer(…, tcp_rto_max(sk))`: no
        // transmit timer waits longer than the maximum RTO, whatever tcp_rto_min_us adds.
        pto = pto.min(p.rto_max());
        self.arm_timer(TimerKind::Retransmit, pto, ctx);
        self.tlp_armed = true;
        true
    }

    /// Linux `tcp_send_loss_probe`: one new segment if the peer's window allows it (cwnd
    /// or not), else the last segment sent again; then the RTO is re-armed.
    pub(super) fn send_loss_probe(&mut self, ctx: &mut Ctx) {
        let nxt_off = self.soff(self.snd_nxt);
        let avail = self.sndbuf.tail.saturating_sub(nxt_off) as u32;
        let wnd_room = (self.snd_una + self.snd_wnd).diff(self.snd_nxt).max(0) as u32;
        // `tcp_snd_wnd_test`: new data only if the head skb's first segment fits the window
        // whole; a window that only lets part of it through gets the last segment again.
        // Measured on 6.18 (`zero-window-after-rto+delay=100`): 48 bytes of window, 1,460
        // waiting, the probe resent the last 1,460-byte segment.
        let head_seg = match self.skbs.at(nxt_off).filter(|_| ctx.p.min_tso_segs > 0) {
            Some(skb) => (skb.end - nxt_off).min(u32::MAX as u64) as u32,
            None => avail,
        }
        .min(avail);
        // The FIN on a one-segment head skb is counted too (`tcp_snd_wnd_test`).
        let fin_pending = self.fin_queued && self.snd_nxt.le(self.fin_seq());
        let need = if ctx.p.min_tso_segs > 0 {
            self.head_seq_need(nxt_off, head_seg, self.current_mss(ctx.p), fin_pending)
        } else {
            head_seg.min(self.current_mss(ctx.p))
        };
        let head_seg = head_seg.min(self.current_mss(ctx.p));
        let new_len = if need <= wnd_room { head_seg } else { 0 };
        // `tp->tlp_retrans`: whether the probe resends data, which an ACK beyond it then shows
        // to have been lost (`tcp_process_tlp_ack`).
        self.tlp_retrans = !(self.snd_nxt == self.snd_max && new_len > 0);
        let flight = self.snd_nxt.diff(self.snd_una).max(0) as u32;
        let cwnd_room = if self.scoreboard(ctx.p) {
            self.cwnd_room_segs()
        } else {
            self.cc.cwnd.saturating_sub(flight)
        };
        if !self.tlp_retrans && ctx.p.min_tso_segs > 0 && cwnd_room > 0 {
            // `tcp_send_loss_probe` → `tcp_write_xmit(sk, mss, TCP_NAGLE_OFF, 2, ...)`: with
            // room in cwnd the quota is cwnd's, not the forced one segment, so the head skb
            // leaves as one GSO chunk (`tcp_mss_split_point`), not deferred (`push_one`),
            // PSH where the writer marked it. Measured on 6.18 (explore seed 5800 #16, 1 ms,
            // 7 of cwnd 15 in flight, a 2896-byte skb held by TSO deferral): the probe sent
            // 17377 and 18825 with PSH, 25 µs apart.
            self.nagle_off_once = true;
            self.output_chunks(Some(1), ctx);
            self.nagle_off_once = false;
        } else if !self.tlp_retrans {
            let fin = self.fin_queued && new_len == avail;
            let psh = self.psh_alone(self.snd_nxt, new_len, ctx);
            self.send_data_at(self.snd_nxt, new_len, fin, 0, psh, ctx);
            self.snd_nxt += new_len + fin as u32;
            self.snd_max = self.snd_nxt;
        } else if self.lone_fin.is_some_and(|f| !f.sacked) && self.fin_unsacked_out() {
            // The last skb is the FIN's own (`tcp_send_loss_probe` resends `skb_rb_last`):
            // the FIN alone, as measured on 6.18 (`fin-lost-behind-*-segment`).
            self.rtt_probe = None;
            self.send_data_at(self.fin_seq(), 0, true, 1, false, ctx);
        } else {
            let fin_sent = self.fin_queued && self.snd_max.gt(self.fin_seq());
            let data_end = if fin_sent {
                self.fin_seq()
            } else {
                self.snd_max
            };
            let mut len = (data_end.diff(self.snd_una).max(0) as u32).min(self.snd_mss);
            // The probe is the last segment as it was sent: the tail of the last skb cut at
            // an MSS boundary counted from the skb's start (`tcp_fragment(..., (pcount - 1)
            // * mss, ...)`), not the last MSS of the stream, which would straddle two
            // segments.
            let end_off = self.soff(data_end);
            let mss = self.snd_mss.max(1) as u64;
            let cur = self.current_mss(ctx.p).max(1) as u64;
            let last_skb = self
                .skbs
                .at(end_off.saturating_sub(1))
                .filter(|s| ctx.p.min_tso_segs > 0 && s.end >= end_off && s.start < end_off);
            let from = match last_skb {
                // With skbs, the kernel's way: `mss = tcp_current_mss(sk)`; an skb of
                // `pcount` segments (as it left) longer than (pcount - 1) · mss is cut there
                // (`tcp_fragment`), and `__tcp_retransmit_skb(sk, skb, 1)` sends what follows
                // cut to the current MSS. Measured on 6.18 (timestamps off, a 2920-byte skb
                // sent as 1460 + 1460, probed while a SACK block took 12 bytes): the probe
                // was 1449-2897, the 24 bytes after it were resent later on their own.
                Some(skb) => {
                    let pcount = self
                        .sent_log
                        .iter()
                        .filter(|e| e.start >= skb.start && e.end <= end_off)
                        .count() as u64;
                    if pcount > 1 && end_off - skb.start > (pcount - 1) * cur {
                        skb.start + (pcount - 1) * cur
                    } else {
                        skb.start
                    }
                }
                None => self
                    .sent_log
                    .iter()
                    .rfind(|e| e.start < end_off && e.end >= end_off)
                    .map_or(end_off - len as u64, |e| {
                        e.start + (end_off - e.start - 1) / mss * mss
                    }),
            };
            let to = (from + cur).min(end_off);
            len = (to - from) as u32;
            if len == 0 && !fin_sent {
                return self.arm_rto(ctx);
            }
            // The probe becomes one entry of the queue, so the queue never overlaps.
            self.log_piece(from, to);
            self.skbs.split_at(from);
            let start = self.sseq(from);
            let with_fin = fin_sent && to == end_off;
            let psh = self.psh_alone(start, len, ctx);
            // Karn (RFC 6298 §3): the ACK that follows cannot tell the copies apart, so the
            // segment being timed yields no sample (Linux times it from the timestamp echo,
            // which gives the probe's RTT; measured on 6.18: SRTT unchanged at 40.7 ms).
            self.rtt_probe = None;
            self.send_data_at(start, len, with_fin, 1, psh, ctx);
        }
        self.tlp_high_seq = Some(self.snd_nxt);
        self.arm_rto(ctx);
    }

    /// How many times the RTO has doubled. A SYN's first `tcp_syn_linear_timeouts`
    /// timeouts keep the initial RTO (`tcp_retransmit_timer`: it doubles only when
    /// `icsk_backoff > sysctl_tcp_syn_linear_timeouts` in SYN-SENT).
    pub(super) fn rto_shift(&self, ctx: &Ctx) -> u32 {
        if self.state == TcpState::SynSent {
            self.backoff.saturating_sub(ctx.p.syn_linear_timeouts)
        } else {
            self.backoff
        }
    }

    /// Linux `retransmits_timed_out`: has the retry budget `boundary` (a count turned into
    /// time by `tcp_model_timeout`, with `rto_base`) run out since `retrans_stamp`?
    pub(super) fn retry_budget_spent(&self, boundary: u32, rto_base: Micros, ctx: &Ctx) -> bool {
        match self.retrans_stamp {
            Some(start) if self.retransmits > 1 => {
                ctx.now.saturating_sub(start)
                    >= crate::tcp::rtt::model_timeout(boundary, rto_base, ctx.p.rto_max())
            }
            _ => false,
        }
    }

    pub(super) fn arm_persist(&mut self, ctx: &mut Ctx) {
        if self.timer(TimerKind::Persist).is_none() {
            // `tcp_check_probe_timer`: the first probe waits `tcp_probe0_base` unshifted.
            let t = self.probe0_base(ctx.p);
            self.arm_timer(TimerKind::Persist, t, ctx);
        }
    }

    /// Linux `tcp_probe0_base`: the RTO as it stands (backed off, `icsk_rto`), at least the
    /// constant TCP_RTO_MIN (200 ms), whatever tcp_rto_min_us says. Measured on 6.18 with
    /// tcp_rto_min_us 40 ms over a 40 ms RTT (tcp-cork: a corked 100-byte write, nothing in
    /// flight): the probe timer sends it 201.6 ms after the write, not at the RTO of 124 ms.
    /// (The RFC profile's RTO, at least its 1 s minimum, is above that floor anyway.)
    pub(super) fn probe0_base(&self, p: &crate::profile::Profile) -> Micros {
        self.rtt
            .rto_backed_off(self.backoff, p)
            .max(crate::tcp::rtt::LINUX_TCP_RTO_MIN_US)
    }

    /// The persist timer's interval after a probe or a probe's answer: `tcp_probe0_base`
    /// shifted by the backoff (`tcp_probe0_when`), at most the maximum RTO. Measured on 6.18
    /// (`zero-window-after-rto`, no timestamps): after two RTOs no sample ended, the first
    /// probe came four RTOs (1.07 s) after the window closed, not one. Linux arms it on its
    /// timer wheel ([`Self::arm_timer`]), which fires a backed-off probe's timer up to 8
    /// jiffies late ([`crate::tcp::wheel`]); the RFC profile probes on time.
    pub(super) fn persist_interval(&self, ctx: &Ctx) -> Micros {
        let p = ctx.p;
        let t = (self.probe0_base(p) << self.probe_backoff.min(20)).min(p.rto_max());
        self.clamp_probe0_to_user_timeout(t, ctx)
    }

    /// Linux `tcp_clamp_probe0_to_user_timeout` (`tcp_send_probe0`, `tcp_ack_probe`): once a
    /// probe episode has started (`icsk_probes_tstamp`, the first probe), with
    /// TCP_USER_TIMEOUT the next probe timer is armed for no more than what is left of the
    /// user timeout, and at least TCP_TIMEOUT_MIN (2 jiffies), so the connection dies when
    /// the user timeout ends, not a whole backed-off interval later (`tcp_probe_timer` then
    /// finds it spent). Measured on 6.18 (a receiver that never reads, 2 s user timeout):
    /// probes at 1.13, 1.71, 2.83 s, the connection gone at 3.15 s, not at the next probe
    /// time 5.0 s. The first arming (`tcp_check_probe_timer`) is not clamped.
    pub(super) fn clamp_probe0_to_user_timeout(&self, when: Micros, ctx: &Ctx) -> Micros {
        let (Some(start), ut) = (self.probes_tstamp, self.user_timeout_us) else {
            return when;
        };
        if ut == 0 {
            return when;
        }
        let p = ctx.p;
        let elapsed = ctx.now.saturating_sub(start);
        // The kernel subtracts in u32: past the user timeout the difference wraps to a huge
        // number and the clamp lets `when` through (the timer that fires next aborts anyway).
        match crate::tcp::wheel::in_jiffies(ut, p).checked_sub(elapsed) {
            Some(remaining) => when.min(remaining.max(2 * p.clock_granularity_us)),
            None => when,
        }
    }

    /// Linux `tcp_ack_probe`, for an ACK that found nothing in flight (`tcp_ack`'s
    /// `no_queue` path) with data waiting to be sent. "Was it a usable window open?": only
    /// if the whole head skb fits the window (its end at or below SND.UNA + SND.WND) do the
    /// probes end ("clear backoff. It was being used to time the probes", the timer
    /// cleared); a window that opened less than that keeps the backoff, and the probe timer
    /// is re-armed from this ACK with it (`tcp_probe0_when`, clamped to the user timeout).
    /// Measured on 6.18: a probe answered 20 ms after it left, the next one 2 × the probe
    /// interval after that answer, not after the probe.
    pub(super) fn ack_probe(&mut self, ctx: &mut Ctx) {
        let nxt = self.soff(self.snd_nxt);
        if self.sndbuf.tail <= nxt {
            return;
        }
        let head_end = self.skbs.at(nxt).map_or(self.sndbuf.tail, |s| s.end);
        if head_end <= self.soff(self.snd_una) + self.snd_wnd as u64 {
            self.probe_backoff = 0;
            self.probes_tstamp = None;
            self.cancel_timer(TimerKind::Persist, ctx);
        } else {
            let t = self.persist_interval(ctx);
            self.arm_timer(TimerKind::Persist, t, ctx);
        }
    }

    pub(super) fn arm_rto_restart(&mut self, ctx: &mut Ctx) {
        // RFC 6298 §5.3: restart the timer when new data is acknowledged; Linux
        // (`tcp_set_xmit_timer`) arms a loss probe instead when it can.
        self.tlp_armed = false;
        self.reo_armed = false;
        self.rto_anchor = ctx.now;
        if self.schedule_loss_probe(ctx) {
            return;
        }
        let rto = self.rtt.rto_backed_off(self.backoff, ctx.p);
        self.arm_timer(TimerKind::Retransmit, rto, ctx);
    }

    /// New data acknowledged: the RTO restarts (or is cancelled when nothing is left).
    pub(super) fn restart_rto_on_progress(&mut self, ctx: &mut Ctx) {
        if self.snd_una == self.snd_max {
            self.cancel_timer(TimerKind::Retransmit, ctx);
        } else {
            self.arm_rto_restart(ctx);
        }
    }

    pub fn on_timer(&mut self, k: TimerKind, ctx: &mut Ctx) {
        self.timers[timer_index(k)] = None;
        ctx.emit(EventKind::TimerFired {
            socket: self.id,
            timer: k,
        });
        match k {
            TimerKind::Retransmit => self.on_rto(ctx),
            TimerKind::DelayedAck if self.compressed_ack > 0 => {
                // `tcp_delack_timer_handler`: "Handling the sack compression case" first,
                // the ACKs held back go and the ATO stays as it is.
                self.send_ack(ctx);
            }
            TimerKind::DelayedAck => {
                if (self.delack_bytes > 0 || self.ack_sched)
                    && self.remote.is_some()
                    && self.state != TcpState::Closed
                {
                    // `tcp_delack_timer_handler`: a missed delayed ACK inflates the ATO, or
                    // ends ping-pong mode and deflates it.
                    if self.pingpong {
                        self.pingpong = false;
                        self.ato = ctx.p.delayed_ack_us;
                    } else if self.ato > 0 {
                        self.ato = (self.ato * 2).min(self.rtt.rto);
                    }
                    self.send_ack(ctx);
                }
            }
            TimerKind::SackCompress => {
                // `tcp_compressed_ack_kick`: the ACKs held back go in one, unless a segment
                // sent meanwhile carried them (`tcp_event_ack_sent` cleared the count).
                if self.compressed_ack > 0
                    && self.remote.is_some()
                    && self.state != TcpState::Closed
                {
                    self.send_ack(ctx);
                }
            }
            TimerKind::Persist => self.on_persist(ctx),
            TimerKind::TimeWait => self.set_state(TcpState::Closed, ctx),
            TimerKind::FinWait2 => self.fin_wait2_timer(ctx),
            TimerKind::Keepalive => {}
        }
        self.report(ctx);
    }

    pub(super) fn on_rto(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        if std::mem::take(&mut self.tlp_armed) {
            return self.send_loss_probe(ctx);
        }
        if std::mem::take(&mut self.reo_armed) {
            // `tcp_rack_reo_timeout`: look for the loss again, then the RTO as before.
            self.rack_reo_timeout(ctx);
            if self.timer(TimerKind::Retransmit).is_none() && self.snd_max.gt(self.snd_una) {
                self.arm_rto_from_head(ctx);
            }
            return;
        }
        // `tcp_retransmit_timer`: an RTO ends any probe episode.
        self.tlp_high_seq = None;
        self.retransmits += 1;
        self.backoff += 1;
        self.probe_backoff += 1;
        self.stats.timeouts += 1;
        self.rtt_probe = None; // Karn's algorithm (RFC 6298 §3)
        match self.state {
            SynSent => {
                // `tcp_write_timeout`: give up after tcp_syn_retries + tcp_syn_linear_timeouts
                // retransmissions, or (Linux) once the time tcp_syn_retries stands for, with
                // the initial RTO as base (`tcp_timeout_init`), has passed since the first SYN.
                let p = ctx.p;
                let count_spent = self.retransmits > p.syn_retries + p.syn_linear_timeouts;
                let time_spent = if self.user_timeout_us > 0 {
                    // `retransmits_timed_out(sk, retry_until, icsk_user_timeout)`: with
                    // TCP_USER_TIMEOUT the time allowed is the user timeout, from the first
                    // SYN (`tcp_connect` sets retrans_stamp), once a SYN has been resent.
                    // Measured on 6.18: a 2.5 s user timeout, SYNs at 0, 1.03 and 2.05 s,
                    // connect() failed with ETIMEDOUT at 2.54 s instead of resending.
                    self.retransmits > 1
                        && self
                            .retrans_stamp
                            .is_some_and(|s| ctx.now - s >= self.user_timeout_us)
                } else {
                    p.retries_as_time_budget
                        && self.retry_budget_spent(p.syn_retries, p.rto_initial_us, ctx)
                };
                if count_spent || time_spent {
                    return self.fail("ETIMEDOUT", ctx);
                }
                self.send_syn(self.retransmits, ctx);
                self.stats.retransmits += 1;
                self.arm_rto(ctx);
                // `tcp_retransmit_timer` → `tcp_clamp_rto_to_user_timeout`: the next SYN
                // timer falls no later than the user timeout's end.
                self.clamp_rto_to_user_timeout(ctx);
            }
            SynReceived => {
                let limit = self.synack_retries_limit.unwrap_or(ctx.p.synack_retries);
                if self.retransmits > limit {
                    // The request expires (Linux `reqsk_timer_handler`).
                    if self.parent.is_some() {
                        self.set_state(Closed, ctx);
                    } else {
                        self.fail("ETIMEDOUT", ctx);
                    }
                    return;
                }
                self.synack_retransmits += 1;
                self.send_syn(self.retransmits, ctx);
                self.stats.retransmits += 1;
                self.arm_rto(ctx);
            }
            Established | CloseWait | FinWait1 | Closing | LastAck => {
                let p = ctx.p;
                // An orphan gives up after tcp_orphan_retries (`tcp_write_timeout` →
                // `tcp_orphan_retries(sk, alive)`), alive while the last RTO was under
                // tcp_rto_max.
                let boundary = if self.orphaned() {
                    let alive = self.rtt.rto_backed_off(self.backoff - 1, p) < p.rto_max();
                    orphan_retries(p, alive)
                } else {
                    p.data_retries
                };
                // `tcp_retransmit_timer`: "Receiver dastardly shrinks window. Our retransmits
                // become zero probes, but we should not timeout this connection": with the
                // peer's window at 0 under data in flight, and the socket not an orphan, the
                // retry budget is not consulted (`tcp_write_timeout` is skipped); RFC 1122
                // §4.2.2.17 keeps a connection open while its probes are acknowledged.
                let shrunk = self.snd_wnd == 0 && !self.orphaned();
                let spent = if shrunk {
                    self.rtx_probe0_timed_out(ctx)
                } else if self.user_timeout_us > 0 {
                    // `tcp_write_timeout` → `retransmits_timed_out(sk, tcp_retries2,
                    // icsk_user_timeout)`: the user timeout replaces the retry budget, counted
                    // like it from `retrans_stamp`, the first RTO retransmission (not the
                    // first transmission: measured on 6.18, data first sent at 0.150 s with a
                    // 1 s user timeout, retransmitted at 0.645 s, died at 1.651 s).
                    self.retransmits > 1
                        && self
                            .retrans_stamp
                            .is_some_and(|s| ctx.now - s >= self.user_timeout_us)
                } else if p.retries_as_time_budget {
                    // `retransmits_timed_out(sk, tcp_retries2, 0)`: a time budget built on
                    // the constant TCP_RTO_MIN whatever this connection's RTO and whatever
                    // the sysctl tcp_rto_min_us says, from the first retransmission.
                    self.retry_budget_spent(boundary, crate::tcp::rtt::LINUX_TCP_RTO_MIN_US, ctx)
                } else {
                    self.retransmits > boundary
                };
                if spent {
                    return self.fail("ETIMEDOUT", ctx);
                }
                if self.retrans_stamp.is_none() {
                    self.retrans_stamp = Some(ctx.now);
                }
                if self.scoreboard(p) {
                    self.enter_loss(ctx);
                } else {
                    // RFC 5681 §3.1 and RFC 6298 §5.4-5.6: ssthresh from the flight, cwnd one
                    // segment, back off, retransmit from the first unacknowledged byte
                    // (go-back-N: what follows is sent again as new ACKs open the window).
                    let flight = self.snd_max.diff(self.snd_una).max(0) as u32;
                    self.cc.on_rto_textbook(flight);
                    self.cc.cubic_loss_reset(ctx.now, self.snd_max);
                    self.snd_nxt = self.snd_una;
                    if !self.output(ctx) {
                        self.retransmit_first(ctx);
                    }
                }
                self.arm_rto(ctx);
                self.clamp_rto_to_user_timeout(ctx);
            }
            _ => {}
        }
    }

    /// Linux `tcp_rtx_probe0_timed_out`, for an RTO while the peer's window is shrunk to 0:
    /// the connection dies only once no ACK came for twice the connection's maximum RTO
    /// (`tcp_rto_max(sk) * 2` since 6.15: 240 s by default, 2 s with tcp_rto_max_ms 1000) and
    /// the retransmissions (from `retrans_stamp`, or the head's send time before the first)
    /// have gone on that long too; TCP_USER_TIMEOUT shortens both, and retransmitting for
    /// longer than it kills it whatever the ACKs ("it does not want win 0 packets to 'reset
    /// the timer' while retransmits are not making progress").
    pub(super) fn rtx_probe0_timed_out(&self, ctx: &Ctx) -> bool {
        let start = self
            .retrans_stamp
            .or_else(|| self.sent_log.front().map(|e| e.sent))
            .unwrap_or(ctx.now);
        let rtx_delta = ctx.now.saturating_sub(start);
        let mut timeout = 2 * ctx.p.rto_max();
        if self.user_timeout_us > 0 {
            if rtx_delta > self.user_timeout_us {
                return true;
            }
            timeout = timeout.min(crate::tcp::wheel::in_jiffies(self.user_timeout_us, ctx.p));
        }
        let rcv_delta = ctx.now.saturating_sub(self.rcv_tstamp);
        rcv_delta > timeout && crate::tcp::wheel::in_jiffies(rtx_delta, ctx.p) > timeout
    }

    /// Linux `tcp_clamp_rto_to_user_timeout`: the next retransmission timer is armed for
    /// min(icsk_rto, msecs_to_jiffies(what is left of the user timeout)), one jiffy once
    /// nothing is left, so the connection dies on time, not an RTO later. Like every
    /// retransmission timer it goes on the wheel, which fires it after the user timeout's
    /// end, never before: a 488 ms timer (122 jiffies, level 1) is 4 to 32 ms late, so with
    /// a 500 ms user timeout counted from the first retransmission the kernel mostly finds
    /// the time spent when it fires and gives up without one more retransmission.
    pub(super) fn clamp_rto_to_user_timeout(&mut self, ctx: &mut Ctx) {
        let (Some(start), Some(_)) = (self.retrans_stamp, self.timer(TimerKind::Retransmit)) else {
            return;
        };
        if self.user_timeout_us == 0 {
            return;
        }
        let p = ctx.p;
        let elapsed = ctx.now.saturating_sub(start);
        let rto = self.rtt.rto_backed_off(self.rto_shift(ctx), p);
        let delay = if elapsed >= self.user_timeout_us {
            p.clock_granularity_us.max(1)
        } else {
            rto.min(crate::tcp::wheel::in_jiffies(
                self.user_timeout_us - elapsed,
                p,
            ))
        };
        if delay < rto {
            self.arm_timer(TimerKind::Retransmit, delay, ctx);
        }
    }

    pub(super) fn on_persist(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        if !matches!(
            self.state,
            Established | CloseWait | FinWait1 | Closing | LastAck
        ) {
            return;
        }
        if self.snd_max.gt(self.snd_una) || !self.unsent_waiting() {
            // `tcp_probe_timer`: data in flight (the RTO's business) or nothing to probe
            // for ends the episode.
            self.probes_out = 0;
            self.probes_tstamp = None;
            return;
        }
        if self.snd_wnd > 0 {
            // `tcp_probe_timer` first: with TCP_USER_TIMEOUT an episode whose first probe
            // is that old ends the connection, even though the window has opened since (a
            // part of it, smaller than the skb waiting, left the episode running:
            // `tcp_ack_probe`). Then `tcp_send_probe0` → `tcp_write_wakeup`: the window is
            // open, so the segment at the head goes out whatever Nagle or TCP_CORK say
            // (corked data's ceiling), and with data in flight the episode ends.
            let first_probe = *self.probes_tstamp.get_or_insert(ctx.now);
            if self.user_timeout_us > 0 && ctx.now - first_probe >= self.user_timeout_us {
                return self.fail("ETIMEDOUT", ctx);
            }
            self.push_once = true;
            self.output(ctx);
            if self.snd_max.gt(self.snd_una) {
                self.probes_out = 0;
                self.probe_backoff = 0;
                self.probes_tstamp = None;
            }
            return;
        }
        // `tcp_probe_timer`: the probes' limit is tcp_retries2, or for an orphan (closed by
        // the application, SOCK_DEAD) `tcp_orphan_retries(sk, alive)` as on the
        // retransmission timer, where a dead one (its backed-off interval at the maximum)
        // also goes once the backoff reached that count.
        let p = ctx.p;
        let max_probes = if self.orphaned() {
            // `inet_csk_rto_backoff(icsk, TCP_RTO_MAX)`: icsk_rto << icsk_backoff.
            let alive = self
                .rtt
                .rto_backed_off(self.backoff + self.probe_backoff, p)
                < p.rto_max();
            let max = orphan_retries(p, alive);
            if !alive && self.probe_backoff >= max {
                return self.fail("ETIMEDOUT", ctx);
            }
            max
        } else {
            p.persist_probe_max
        };
        if self.probes_out >= max_probes {
            return self.fail("ETIMEDOUT", ctx);
        }
        // `tcp_send_probe0`: the interval doubles only while the backoff is under
        // tcp_retries2.
        if self.probe_backoff < p.persist_probe_max {
            self.probe_backoff += 1;
        }
        self.probes_out += 1;
        // `tcp_probe_timer`: with TCP_USER_TIMEOUT the probes stop once the first
        // unanswered one is that old, even while the peer answers them.
        let first_probe = *self.probes_tstamp.get_or_insert(ctx.now);
        if self.user_timeout_us > 0 && ctx.now - first_probe >= self.user_timeout_us {
            return self.fail("ETIMEDOUT", ctx);
        }
        if ctx.p.probe_with_data && self.sndbuf.tail > self.soff(self.snd_una) {
            // RFC 9293 §3.8.6.1: send one byte beyond the closed window.
            if self.snd_max.lt(self.snd_una + 1) {
                self.snd_max = self.snd_una + 1;
            }
            let psh = self.psh_alone(self.snd_una, 1, ctx);
            self.send_data_at(self.snd_una, 1, false, 0, psh, ctx);
        } else {
            // Linux `tcp_xmit_probe_skb`: an ACK with an old sequence number, which the
            // receiver must answer with its current window.
            let mut seg = self.make_segment(
                self.snd_una - 1,
                flags(false, true, false, false, false),
                Vec::new(),
                ctx,
            );
            seg.retransmission = 0;
            self.transmit(seg, ctx);
        }
        // `tcp_send_probe0`: the next probe after `tcp_probe0_when`, backed off once more.
        let t = self.persist_interval(ctx);
        self.arm_timer(TimerKind::Persist, t, ctx);
    }
}
