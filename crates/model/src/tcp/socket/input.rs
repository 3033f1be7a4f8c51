//! Segment arrival in the synchronized states, in RFC 9293 §3.10.7.4's order: acceptability,
//! PAWS (RFC 7323 §5), RST, SYN, ACK, text, FIN; and the duplicate ACKs the checks send
//! (rate-limited as Linux's `tcp_oow_rate_limited`).

use super::*;

impl TcpSocket {
    /// RFC 9293 §3.10.7: a segment arrived for this connection.
    pub fn on_segment(&mut self, seg: &Segment, ctx: &mut Ctx) {
        let Header::Tcp(h) = &seg.header else { return };
        match self.state {
            TcpState::Closed | TcpState::Listen => {}
            TcpState::SynSent => self.on_segment_syn_sent(seg, h, ctx),
            _ => self.on_segment_synchronized(seg, h, ctx),
        }
        self.report(ctx);
    }

    pub(super) fn segment_acceptable(&self, seq: SeqNumber, len: u32) -> bool {
        // RFC 9293 §3.10.7.4 first check, with the space we really have as the window
        // (the advertised one may be smaller after silly-window avoidance).
        let wnd = self.our_window().max(self.advertised_window_now());
        let nxt = self.rcv_nxt;
        match (len, wnd) {
            (0, 0) => seq == nxt,
            (0, _) => seq.in_range(nxt, nxt + wnd),
            (_, 0) => false,
            (_, _) => seq.in_range(nxt, nxt + wnd) || (seq + (len - 1)).in_range(nxt, nxt + wnd),
        }
    }

    /// `tcp_oow_rate_limited`: a segment without data (or a SYN) that earns a duplicate ACK
    /// (out of the window, or failing PAWS) is answered at most once per
    /// tcp_invalid_ratelimit (`tp->last_oow_ack_time`); data never feeds an ACK loop, so it is
    /// always answered. Returns whether this answer is skipped.
    ///
    /// Counted as the kernel counts it, in jiffies (`__tcp_oow_rate_limited`: `elapsed =
    /// tcp_jiffies32 - last_oow_ack_time`, limited while `elapsed <
    /// sysctl_tcp_invalid_ratelimit`, which `proc_dointvec_ms_jiffies` stores as
    /// `msecs_to_jiffies(ms)`, rounded up): a limit of 50 ms is 13 jiffies (52 ms) at HZ 250,
    /// and the time gone is the ticks crossed, not the distance.
    pub(super) fn oow_rate_limited(&mut self, seg_len: u32, syn: bool, ctx: &Ctx) -> bool {
        use crate::tcp::wheel::{jiffy_unit, ticks_since};
        let limit = ctx.p.invalid_ratelimit_us;
        if limit == 0 || (seg_len > 0 && !syn) {
            return false;
        }
        let limit_jiffies = limit.div_ceil(jiffy_unit(ctx.p));
        if self
            .last_oow_ack
            .is_some_and(|t| ticks_since(t, ctx.now, ctx.p) < limit_jiffies)
        {
            return true;
        }
        self.last_oow_ack = Some(ctx.now);
        false
    }

    /// PAWS, RFC 7323 §5.3 R1 (Linux `tcp_validate_incoming`, check H1 before the sequence
    /// check): a segment whose timestamp is older than the last one recorded (`ts_recent`,
    /// by more than `TCP_PAWS_WINDOW`, 1) is a stray from the past and is discarded. Linux
    /// lets a pure duplicate ACK through while its timestamp is within 1.2 RTOs of ts_recent
    /// (`tcp_disordered_ack_check`: at rcv_nxt, acknowledging SND.UNA, not updating the
    /// window), and drops an old pure ACK below rcv_nxt silently; a RST is never discarded
    /// here, a SYN goes on to its challenge. Anything else is answered with a duplicate ACK
    /// (`tcp_send_dupack`), rate-limited for segments without data (`tcp_oow_rate_limited`,
    /// tcp_invalid_ratelimit). Measured on 6.18 (`rto-spurious+initcwnd=4`): an ACK held
    /// 600 ms behind newer ones is answered with one duplicate ACK. Returns whether the
    /// segment was discarded.
    pub(super) fn paws_discard(&mut self, h: &TcpHeader, seg_len: u32, ctx: &mut Ctx) -> bool {
        let Some((tsval, _)) = h.options.timestamps else {
            return false;
        };
        // `tcp_paws_check`: within the window, or nothing recorded yet (ts_recent 0).
        let behind = self.ts_recent.wrapping_sub(tsval) as i32;
        if !self.ts_ok || h.flags.rst || self.ts_recent == 0 || behind <= 1 {
            return false;
        }
        let (seq, ack) = (SeqNumber(h.seq), SeqNumber(h.ack));
        if h.flags.ack && seg_len == 0 {
            if seq != self.rcv_nxt {
                if seq.lt(self.rcv_nxt) {
                    // SKB_DROP_REASON_TCP_RFC7323_PAWS_ACK: "old ACKs are common".
                    return true;
                }
            } else {
                let wnd = (h.window as u32) << self.snd_wscale;
                // `tcp_may_update_window`.
                let updates = ack.gt(self.snd_una)
                    || seq.gt(self.snd_wl1)
                    || (seq == self.snd_wl1 && (wnd > self.snd_wnd || wnd == 0));
                // `tcp_tsval_replay`: icsk_rto (backed off) × 1.2, in timestamp ticks (ms).
                let replay = self.rtt.rto_backed_off(self.backoff, ctx.p) * 6 / 5 / 1000;
                if ack == self.snd_una && !updates && (behind as i64) <= replay as i64 {
                    return false;
                }
            }
        }
        if h.flags.syn {
            return false;
        }
        if !self.oow_rate_limited(seg_len, false, ctx) {
            self.send_dupack(seq, seg_len, false, ctx);
        }
        true
    }

    /// `tcp_send_dupack`: an ACK, and for data already received a D-SACK of its old part
    /// (RFC 2883 §4). Not from TIME-WAIT, whose mini socket keeps no SACK state
    /// (`tcp_v4_timewait_ack`).
    pub(super) fn send_dupack(&mut self, seq: SeqNumber, seg_len: u32, syn: bool, ctx: &mut Ctx) {
        let back = self.rcv_nxt.diff(seq);
        // Data (or a FIN) starting below rcv_nxt: the peer missed an ACK, and Linux enters
        // quick-ACK mode (`tcp_enter_quickack_mode`), whatever SACK says. A SYN goes to the
        // challenge ACK instead (`tcp_validate_incoming`'s syn_challenge), which does not.
        let received_again = seg_len > 0 && !syn && back > 0 && self.state != TcpState::TimeWait;
        if received_again {
            self.enter_quickack_mode(ctx.p);
        }
        if self.sack_ok && received_again {
            let nxt = self.roff(self.rcv_nxt);
            if let Some(start) = nxt.checked_sub(back as u64) {
                self.dsack = Some((start, (start + seg_len as u64).min(nxt)));
            }
        }
        self.send_ack(ctx);
    }

    pub(super) fn on_segment_synchronized(&mut self, seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) {
        use TcpState::*;
        let seq = SeqNumber(h.seq);
        let ack = SeqNumber(h.ack);
        let seg_len = seg.payload_len + h.flags.syn as u32 + h.flags.fin as u32;

        // Linux judges TIME-WAIT, and an orphan's FIN-WAIT-2, on a timewait socket with rules
        // of its own; below, with profile `time_wait_socket` off, they take RFC 9293
        // §3.10.7.4's (the TIME-WAIT cases marked as such).
        if ctx.p.time_wait_socket && (self.state == TimeWait || self.tw_fin_wait2) {
            return self.timewait_segment(seg, h, ctx);
        }
        // A retransmitted SYN for a request we answered: resend the SYN-ACK (Linux
        // `tcp_check_req`), rather than the RFC's challenge.
        if self.state == SynReceived && h.flags.syn && !h.flags.ack && seq == self.irs {
            // `inet_rtx_syn_ack` counts it (`req->num_retrans`, the child's total_retrans).
            self.synack_retransmits += 1;
            self.stats.retransmits += 1;
            self.send_syn(self.synack_retransmits, ctx);
            // `tcp_check_req` → `mod_timer_pending(&req->rsk_timer, jiffies +
            // reqsk_timeout(req))`: the next SYN-ACK timeout counts from this resend.
            self.arm_rto(ctx);
            return;
        }
        // Simultaneous open (RFC 9293 §3.5 figure 8, line 4): in SYN-RECEIVED the peer's
        // SYN,ACK repeats its SYN (already counted) and acknowledges ours.
        if self.state == SynReceived
            && h.flags.syn
            && h.flags.ack
            && seq == self.irs
            && ack.gt(self.snd_una)
            && ack.le(self.snd_max)
        {
            self.snd_una = ack;
            self.snd_wnd = h.window as u32;
            self.max_snd_wnd = self.snd_wnd;
            self.sync_mss();
            self.snd_wl1 = seq;
            self.snd_wl2 = ack;
            self.retransmits = 0;
            self.end_backoff();
            self.cancel_timer(TimerKind::Retransmit, ctx);
            self.set_state(Established, ctx);
            // Linux then queues the segment (`tcp_rcv_state_process` → `tcp_data_queue`): its
            // SYN lies wholly below rcv_nxt, "a retransmit", so the ACK goes at once in
            // quick-ACK mode with the SYN's number as a D-SACK block (`tcp_dsack_set`).
            // Measured on 6.18 (the handshake scene's simultaneous open): each side's ACK
            // carries "sack 0-1".
            if self.sack_ok {
                let syn = self.roff(seq);
                self.dsack = Some((syn, syn + 1));
            }
            self.ack_duplicate(ctx.p);
            if !self.output(ctx) {
                self.send_ack(ctx);
            }
            return;
        }
        if self.paws_discard(h, seg_len, ctx) || self.time_wait_paws_rejects_rst(h, ctx.now) {
            return;
        }
        // Linux `tcp_reset_check` (RFC 5961 §3.2 extended): after the peer's FIN (CLOSE-WAIT,
        // LAST-ACK, CLOSING) a RST at rcv_nxt - 1, the FIN's own number, resets the
        // connection although it is out of the window (`tcp_validate_incoming`, step 1:
        // `else if (tcp_reset_check(sk, skb)) goto reset`): a peer that reset after sending
        // its FIN numbers the RST from its snd_una. Measured on 6.18 (explore-200-24: `R
        // seq=1` after `F. seq=1` ended CLOSE-WAIT).
        let rst_after_fin = h.flags.rst
            && ctx.p.rst_challenge_ack
            && matches!(self.state, CloseWait | LastAck | Closing)
            && seq + 1 == self.rcv_nxt;
        // Profile `old_before_rcv_wup` (Linux `tcp_sequence`): a segment is old only if it
        // ends before rcv_wup (the rcv_nxt our last ACK announced its window from), not
        // before rcv_nxt: a copy of data received since that ACK (a tail loss probe's, say)
        // is processed like new, its ACK field included (`tcp_ack`), and only its text is
        // dropped as a duplicate (`tcp_data_queue`: D-SACK, quick-ACK mode, the ACK at once).
        // Measured on 6.18 (explore seed 1400 #5): the server's 10-byte write leaves at once
        // after a client TLP copy that acknowledged all its data, where the model, ignoring
        // that ACK, held it as in flight for 470 ms.
        let rcv_wup = self.rcv_adv_edge - self.rcv_wnd;
        let end = seq + seg_len;
        // (Not in TIME-WAIT, whose mini socket answers by `tcp_timewait_state_process`.)
        let old_since_last_ack = ctx.p.old_before_rcv_wup
            && self.state != TimeWait
            && seg_len > 0
            && !h.flags.syn
            && !h.flags.rst
            && seq.lt(self.rcv_nxt)
            && end.le(self.rcv_nxt)
            && end.ge(rcv_wup);
        // First: sequence number acceptable?
        if !rst_after_fin && !old_since_last_ack && !self.segment_acceptable(seq, seg_len) {
            if !h.flags.rst {
                // RFC 9293 §3.10.7.4: send an ACK (this is the "dup ACK" a client in
                // ESTABLISHED sends for a retransmitted SYN-ACK).
                if self.state == TimeWait && h.flags.fin {
                    // RFC 9293 §3.10.7.4 eighth, TIME-WAIT: restart the 2 MSL timeout.
                    self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
                }
                // Linux `tcp_send_dupack`: a duplicate of data (or of a FIN) already
                // received is reported as a D-SACK of its old part (RFC 2883 §4). Not from
                // TIME-WAIT, whose mini socket keeps no SACK state (`tcp_v4_timewait_ack`).
                // Measured on 6.18 (sweep point delayed-ack+drop=server-ack-1): the
                // retransmission of a request whose ACK was lost is answered "ack=101
                // sack 1-101".
                // `tcp_oow_rate_limited`: a segment without data (or a SYN) that is out of
                // the window is answered at most once per tcp_invalid_ratelimit; data never
                // feeds an ACK loop, so it is always answered.
                if self.oow_rate_limited(seg_len, h.flags.syn, ctx) {
                    return;
                }
                self.send_dupack(seq, seg_len, h.flags.syn, ctx);
            }
            return;
        }
        // RFC 7323 §4.3 and §5.3 R3, Linux `tcp_replace_ts_recent` (from `tcp_ack` with
        // FLAG_UPDATE_TS_RECENT; the fast path's `rcv_nxt == rcv_wup` test is the same rule):
        // TS.Recent comes only from a segment that starts at or before Last.ACK.sent
        // (rcv_wup), so an ACK covering several segments echoes the earliest one's TSval,
        // and a copy of data received since our last ACK (a tail loss probe's) leaves it
        // alone. Measured on 6.18 (explore seed 1600 #10): the D-SACK answering such a copy
        // echoed the flight's first segment, 42 ms old, and the peer's SRTT grew by it. And
        // only a TSval no older than TS.Recent (R3's "SEG.TSval >= TS.Recent", Linux
        // `tcp_paws_check(&tp->rx_opt, 0)`, or nothing recorded yet): a pure ACK that PAWS let
        // through a tick behind, or as a disordered ACK (`paws_discard`), leaves it alone.
        if let Some((tsval, _)) = h.options.timestamps {
            let not_older = self.ts_recent == 0 || self.ts_recent.wrapping_sub(tsval) as i32 <= 0;
            if self.ts_ok && seq.le(rcv_wup) && not_older {
                self.store_ts_recent(tsval, ctx.now);
            }
        }
        // Second: RST.
        if h.flags.rst {
            // RFC 5961 §3.2: in the window but not where the peer's next byte is (nor at the
            // FIN's number, nor at the right edge of our highest SACK block), a RST may be a
            // blind guess: a challenge ACK, which a peer that really reset answers with a RST
            // at rcv_nxt. TIME-WAIT sends none (its rule is below).
            let synchronized = matches!(
                self.state,
                Established | FinWait1 | FinWait2 | CloseWait | Closing | LastAck
            );
            let sack_edge = self.sack_ok
                && self.sack_blocks.iter().map(|&(_, end)| end).max() == Some(self.roff(seq));
            if ctx.p.rst_challenge_ack
                && synchronized
                && seq != self.rcv_nxt
                && !rst_after_fin
                && !sack_edge
            {
                if !self.oow_rate_limited(0, false, ctx) {
                    self.send_ack(ctx);
                }
                return;
            }
            self.close_on_reset(seq, ctx);
            return;
        }
        // Fourth: a SYN in the window (RFC 5961 §4: challenge ACK).
        if h.flags.syn {
            self.send_ack(ctx);
            return;
        }
        // Fifth: the ACK field.
        if !h.flags.ack {
            return;
        }
        // `tcp_rcv_established` handles a segment that finds the connection established;
        // the handshake's last ACK goes through `tcp_rcv_state_process`.
        let established = self.state == Established;
        if self.state == SynReceived {
            if ack.gt(self.snd_una) && ack.le(self.snd_max) {
                self.snd_wnd = (h.window as u32) << self.snd_wscale;
                self.max_snd_wnd = self.snd_wnd;
                self.sync_mss();
                self.snd_wl1 = seq;
                self.snd_wl2 = ack;
                let timed_out = self.retransmits > 0;
                // `tcp_rcv_state_process` (TCP_SYN_RECV) → `tcp_synack_rtt_meas`: a
                // retransmitted SYN-ACK gives no sample of its own (Karn), but
                // `tcp_ack_update_rtt` takes the timestamp echo (FLAG_SYN_ACKED counts as
                // acknowledging), as the client does for a retransmitted SYN. Measured on
                // 6.18 (explore seed 1300 #22, first SYN-ACK lost, 1 ms one way): 100 bytes
                // held by MSG_MORE leave with the probe timer 208 ms after the write (an RTO
                // from a measured RTT), not after the 1 s of an unmeasured one.
                // `tcp_synack_rtt_meas` times a SYN-ACK sent once before `tcp_init_transfer`
                // reads the destination cache against that sample (`init_metrics`).
                if let Some((_, sent)) = self.rtt_probe.take() {
                    self.rtt_sample(ctx.now - sent, ctx.p);
                } else if self.rtt.srtt.is_none() {
                    self.syn_echo_rtt_sample(h, ctx);
                }
                self.init_cwnd_after_syn_loss(self.synack_retransmits, timed_out, h, ctx);
                if self.parent.is_some() {
                    // A listener's connection is a new socket made from the request
                    // (`tcp_check_req` → `inet_csk_clone_lock`: icsk_backoff 0), so the
                    // request's SYN-ACK timeouts leave its RTO undoubled even when no
                    // sample ended them (no timestamps: 3 s, not 6, measured on 6.18).
                    self.end_backoff();
                }
                self.set_state(Established, ctx);
            } else {
                if let Some(r) = TcpSocket::reset_for(seg) {
                    self.transmit(r, ctx);
                }
                return;
            }
        }
        if ack.gt(self.snd_max) {
            // Acknowledges something not yet sent: ACK and drop (RFC 9293 §3.10.7.4).
            self.send_ack(ctx);
            return;
        }
        // Header prediction is judged on arrival, before the ACK can change it, and so is
        // `tcp_rcv_established`'s fast path for data: a predicted segment whose skb fits in
        // the memory forward-allocated as it arrives ("if ((int)skb->truesize >
        // sk->sk_forward_alloc) goto step5"), which the send side shares: what our writes
        // charged counts ([`TcpSocket::sync_send_memory`]), and what this segment's ACK
        // frees comes only after (`tcp_ack` runs after `tcp_queue_rcv` there, before
        // `tcp_data_queue` in step 5).
        let predicted = self.header_predicted(seg, h);
        self.sync_send_memory();
        let fast = predicted
            && seg.payload_len > 0
            && self.truesize_accounting()
            && self.truesize(seg.payload_len) as i64 <= self.fwd_alloc;
        // The fast path for data calls `tcp_ack` and then
        // `tcp_data_snd_check` only "if (TCP_SKB_CB(skb)->ack_seq != tp->snd_una)" ("only
        // one small jumplet in fast path"); otherwise just `tcp_update_wl`. So data held
        // back (MSG_MORE, the cork, Nagle) is not pushed by the arrival, and the probe timer
        // armed for it is not cleared (`tcp_ack_probe`): the data waits for it or a later
        // push, and the segment draws a pure ACK. Measured on 6.18 (explore 200-61): the
        // server's 100 bytes sent with MSG_MORE wait while the client's 1448 bytes are
        // acknowledged alone. The slow path (step 5: `tcp_ack`, `tcp_data_queue`,
        // `tcp_data_snd_check`) pushes them.
        let fast_no_ack = fast && ack == self.snd_una;
        if fast_no_ack {
            self.snd_wl1 = seq;
        } else {
            self.process_ack(seg, h, ctx);
            if self.tw_fin_wait2 {
                // The ACK of our FIN made the orphan a timewait socket, which consumed the
                // segment (`tcp_time_wait(sk, TCP_FIN_WAIT2, tmo); goto consume`).
                return;
            }
            if !fast {
                // Step 5: `tcp_ack` frees the skbs it acknowledges (`tcp_clean_rtx_queue` →
                // `tcp_wmem_free_skb`) before `tcp_data_queue` schedules memory for the data.
                self.sync_send_memory();
            }
        }
        if self.state == Closed {
            return;
        }
        // `tcp_rcv_established` (fast path and step 5) samples the receiver's RTT from the
        // echoed timestamp before queueing the data.
        if established && self.ts_ok && self.truesize_accounting() {
            if let Some((_, ecr)) = h.options.timestamps {
                self.rcv_rtt_measure_ts(ecr, seg.payload_len, ctx.now);
            }
        }
        // Sixth/seventh: the segment text.
        let linux_acks = ctx.p.quickack_max > 0;
        let mut ack_now = false;
        let mut ofo = false;
        // New data for a socket whose reading side is shut (RCV_SHUTDOWN: close(), or
        // shutdown(SHUT_RD) and then SHUT_WR) once it sent its FIN, or a FIN past rcv_nxt
        // (which says data it will never read comes first): Linux `tcp_rcv_state_process`,
        // FIN-WAIT-1/2, "abort on data" (`end_seq != seq && after(end_seq - th->fin,
        // rcv_nxt)`; RFC 1122 4.2.2.13: new data after CLOSE draws a RST): `tcp_reset`
        // (ECONNRESET for an owner still holding it), then `tcp_v4_send_reset` in reply to
        // that segment (a bare RST at its ACK number, no options). Measured on 6.18: "R seq=2
        // ack=0 win=0" to data for an orphan, and after SHUT_RDWR the same RST, then recv()
        // ECONNRESET, send() EPIPE.
        if matches!(self.state, FinWait1 | FinWait2)
            && (self.app_closed || self.shut_rd)
            && (seg.payload_len > 0 || h.flags.fin)
            && self.seq_end_after_rcv(seq, seg.payload_len)
        {
            if let Some(r) = TcpSocket::reset_for(seg) {
                self.transmit(r, ctx);
            }
            if self.app_closed {
                self.set_state(Closed, ctx);
            } else {
                self.fail("ECONNRESET", ctx);
            }
            return;
        }
        if seg.payload_len > 0 {
            if matches!(self.state, Established | FinWait1 | FinWait2) {
                let shape = SegShape::of(seg, h);
                match self.process_text(seq, &seg.payload, shape, fast, ctx) {
                    AckDue::Now => ack_now = true,
                    AckDue::OutOfOrder => ofo = true,
                    AckDue::Later => {}
                }
            } else if matches!(self.state, CloseWait | Closing | LastAck) && linux_acks {
                // Linux `tcp_rcv_state_process`, step 7, after the peer's FIN: text at or past
                // rcv_nxt is ignored ("break": nothing queued, no ACK of its own; RFC 9293
                // §3.10.7.4: "This should not occur ... Ignore the segment text"). Text that
                // starts below it meets the FIN-WAIT rule (RCV_SHUTDOWN is set): past rcv_nxt,
                // which counts the FIN, it aborts (`tcp_reset`, then a RST in reply);
                // otherwise `tcp_data_queue` takes it as a duplicate, like one received while
                // ESTABLISHED: a D-SACK, quick-ACK mode, and `__tcp_ack_snd_check`'s window
                // test, which under memory pressure ends that mode again, so the duplicate
                // waits for the delayed ACK the FIN left owed (ping-pong). Measured on 6.18
                // (sweep point send-buffer-bulk-write+delay=0, 60000 bytes unread, 2 of 2
                // runs): the FIN's tail loss probe copy (632 bytes and the FIN) is answered
                // 36 ms later by the FIN's delayed ACK, "ack=60002 sack 59369-60002".
                if seq.lt(self.rcv_nxt) {
                    if (seq + seg.payload_len).gt(self.rcv_nxt) {
                        if let Some(r) = TcpSocket::reset_for(seg) {
                            self.transmit(r, ctx);
                        }
                        self.close_on_reset(self.rcv_nxt, ctx);
                        return;
                    }
                    let start = self.roff(seq);
                    let end = start + seg.payload_len as u64;
                    if self.take_duplicate(start, end, self.fin_received, ctx) {
                        ack_now = true;
                    }
                }
            } else {
                ack_now = true;
            }
        }
        // The fast path's `tcp_ack` comes after `tcp_queue_rcv`: what it freed goes back
        // to `fwd_alloc` only now.
        self.sync_send_memory();
        // Eighth: FIN.
        if h.flags.fin {
            let fin_off = self.roff(seq) + seg.payload_len as u64;
            let was = self.state;
            if fin_off == self.roff(self.rcv_nxt) && !self.fin_received {
                self.receive_fin(ctx);
                if linux_acks && matches!(was, Established | SynReceived) {
                    // Linux `tcp_fin`: ESTABLISHED → CLOSE-WAIT schedules the ACK and enters
                    // ping-pong mode, so the ACK waits (usually for our own FIN). Measured on
                    // 6.18: ACK of the FIN 47 ms later after data; on a connection that never
                    // received data (ATO 0) on the next timer tick, 0.3-3.7 ms after the FIN
                    // arrived (explore seed 7900 #1, 20 ms: on the tick after the FIN on the
                    // lab's tick grid in 18 of 24 runs at load 2.4-6.6, exactly one tick
                    // later in the other 6, wherever in its jiffy the FIN came: timer
                    // latency of this VM, not a rule).
                    self.ack_sched = true;
                    self.pingpong = true;
                    // Unless `__tcp_ack_snd_check` finds more than one full segment
                    // unacknowledged, the FIN's sequence number counted.
                    if self.linux_window_ack_owed(true, ctx) {
                        ack_now = true;
                    }
                } else {
                    // FIN-WAIT-1/2: `tcp_fin` calls `tcp_send_ack` at once.
                    ack_now = true;
                }
            } else if fin_off > self.roff(self.rcv_nxt) {
                // `tcp_data_queue_ofo`: a bare FIN that continues the last out-of-order skb
                // is coalesced into it (`tcp_ooo_try_coalesce`: a skb of no length always
                // fits), and `tcp_grow_window(sk, skb, true)` then finds no truesize at all
                // (`truesize_adjust`: a skb with no linear data, less its head, is 0), which
                // "will fit": with SACK, rcv_ssthresh grows by two advertised MSS. A FIN after
                // a gap is queued alone and grows nothing (`__tcp_grow_window`: no length).
                // Measured on 6.18 (explore seed 4260 #39, 50 ms, the first of two segments
                // lost, then the FIN): the ACK after the FIN offers 72 << 10, the one before 69.
                let continues_last = self
                    .ooo
                    .as_slice()
                    .last()
                    .is_some_and(|(k, skb)| *k + spans_len(&skb.spans) as u64 == fin_off);
                if seg.payload_len == 0
                    && self.sack_ok
                    && self.truesize_accounting()
                    && continues_last
                {
                    self.grow_rcv_ssthresh(0, true);
                }
                self.ooo_fin = Some(fin_off);
                // `tcp_data_queue_ofo` queues the FIN's skb like data, and its SACK block
                // covers the FIN's sequence number too. Measured on 6.18 (sweep point
                // teardown-server-first+drop=server-data-1): a bare FIN after a lost answer
                // is acknowledged "ack=1 sack 6-7". Out of order, its ACK is out-of-order
                // data's (RFC 5681 §4.2; Linux may compress it).
                if self.sack_ok {
                    self.sack_blocks_expected_flush(fin_off, fin_off + 1, ctx);
                    self.sack_add(fin_off, fin_off + 1);
                }
                ofo = true;
            } else {
                // A duplicate: `tcp_data_queue`'s retransmit case, which enters quick-ACK
                // mode and reports a D-SACK of the whole segment, its FIN's number included
                // (`tcp_dsack_set(sk, seq, end_seq)`; RFC 2883 §4: a duplicate segment). In
                // CLOSE-WAIT, CLOSING and LAST-ACK `tcp_rcv_state_process` hands a segment
                // starting below rcv_nxt to `tcp_data_queue`. Measured on 6.18 (explore seed
                // 2100 #23): the ACK of a peer's FIN lost, its retransmitted FIN reaches a
                // CLOSE-WAIT socket and is acknowledged "ack=2 sack 1-2".
                // As for data received again: Linux leaves the ACK to `__tcp_ack_snd_check`
                // ([`TcpSocket::take_duplicate`]). The FIN's number counts in `rcv_nxt -
                // rcv_wup`. Measured on 6.18 (2896 bytes and a FIN to SO_RCVBUF 4096, nobody
                // reading, the second segment's ACK owed): the FIN's tail loss probe copy is
                // answered by the delayed ACK 36 ms later.
                let end = if fin_off < self.roff(self.rcv_nxt) {
                    fin_off + 1
                } else {
                    0
                };
                if self.take_duplicate(self.roff(seq), end, true, ctx) {
                    ack_now = true;
                }
            }
        }
        if self.state == Closed {
            return;
        }
        // Linux `__tcp_ack_snd_check`: in quick-ACK mode every segment is acknowledged.
        if linux_acks && self.ack_sched && self.ack_quick > 0 && !self.pingpong {
            ack_now = true;
        }
        // `tcp_data_snd_check`, then `tcp_ack_snd_check`: a segment sent carries the ACK
        // (not on the fast path above).
        let sent = !fast_no_ack && self.output(ctx);
        if !fast_no_ack {
            self.check_space(ctx.p);
        }
        let held = ofo && self.ofo_held();
        if sent {
            return;
        }
        if ack_now || (held && self.sack_compress(ctx)) {
            self.send_ack(ctx);
        } else if !held && (self.delack_bytes > 0 || self.ack_sched) {
            self.send_delayed_ack(ctx);
        }
    }

    /// A RST taken (the peer's, or the one we send when the peer's data arrives after our
    /// reading side is gone, `tcp_reset` in both): the connection ends with the errno its
    /// state gives. `seq`: the RST's sequence number (TIME-WAIT ends only for one exactly
    /// at rcv_nxt).
    fn close_on_reset(&mut self, seq: SeqNumber, ctx: &mut Ctx) {
        use TcpState::*;
        match self.state {
            SynReceived if self.parent.is_some() => {
                // Passive open: the request just goes away (RFC 9293: "return to LISTEN").
                self.set_state(Closed, ctx);
            }
            SynReceived => self.fail("ECONNREFUSED", ctx),
            // Linux `tcp_reset`: EPIPE in CLOSE-WAIT (the peer had already closed),
            // ECONNRESET otherwise.
            CloseWait if ctx.p.linux_errno => self.fail("EPIPE", ctx),
            CloseWait => self.fail("ECONNRESET", ctx),
            Established | FinWait1 | FinWait2 => self.fail("ECONNRESET", ctx),
            // `tcp_reset`'s default: LAST-ACK and CLOSING get ECONNRESET too, which the
            // owner's next send() returns (RFC 9293 §3.10.7.4 just closes). Measured on
            // 6.18: RST in LAST-ACK after shutdown(SHUT_WR), then send() ECONNRESET.
            // TIME-WAIT without a timewait socket: RFC 5961 §3 ends it only for a RST
            // exactly at rcv_nxt, sending no challenge ACK for the rest (as Linux's
            // `tcp_timewait_state_process`); with tcp_rfc1337 even that RST is ignored
            // (RFC 1337 §3); otherwise TIME-WAIT ends (below). One with an old timestamp
            // was dropped before ([`TcpSocket::time_wait_paws_rejects_rst`]).
            TimeWait if ctx.p.rfc1337 || seq != self.rcv_nxt => {}
            LastAck | Closing if ctx.p.linux_errno && !self.app_closed => {
                self.fail("ECONNRESET", ctx)
            }
            _ => self.set_state(Closed, ctx),
        }
    }
}
