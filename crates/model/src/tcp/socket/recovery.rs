//! Loss recovery: the SACK scoreboard (RFC 2018, RFC 6675; Linux `tcp_sacktag_write_queue`),
//! RACK-TLP's loss detection (RFC 8985), fast retransmit and its undo (`tcp_fastretrans_alert`,
//! Eifel and D-SACK undo), the RTO's loss state (`tcp_enter_loss`) and what is sent again
//! (`tcp_xmit_retransmit_queue`, `tcp_retrans_try_collapse`).

use super::*;

impl TcpSocket {
    /// Loss recovery on the scoreboard (Linux with SACK: RACK): SACKed,
    /// lost and retransmitted segments are tagged one by one, RACK marks every segment lost
    /// that a later-sent delivered one overtook by more than the reordering window (RFC
    /// 8985 §6.2), and the recovery retransmits them all, paced by PRR (RFC 6937).
    /// Without SACK (`tcp_sack` 0) Linux keeps the same queue and counts each duplicate
    /// ACK as one segment delivered ("Reno SACK", `tcp_add_reno_sack`) and marks losses by
    /// the duplicate-ACK threshold, `tp->reordering`; PRR paces both. `rack` false with
    /// SACK is RFC 6675's duplicate-ACK rule, Linux before 6.17 (which removed it: since
    /// then `tcp_recovery` 0 changes nothing).
    /// The textbook profile (no PRR) keeps RFC 5681/6582's NewReno instead.
    pub(super) fn scoreboard(&self, p: &crate::profile::Profile) -> bool {
        (p.rack && self.sack_ok) || p.prr
    }

    /// Linux's answer to an ACK, in the kernel's order after `tcp_clean_rtx_queue`: the
    /// SACK blocks tag the queue (`tcp_sacktag_write_queue`); RACK marks losses
    /// (`tcp_identify_packet_loss`); `tcp_fastretrans_alert` ends or starts the recovery;
    /// `tcp_cong_control` reduces cwnd by PRR or grows it (CUBIC); `tcp_xmit_recovery`
    /// retransmits what is lost. New data follows in `output`. `dsack`: the ACK's believed
    /// D-SACK (`check_dsack`); `prior_stamp`: `retrans_stamp` before the ACK (the
    /// kernel keeps it until the state reopens, `tcp_packet_delayed` reads it here).
    pub(super) fn ack_scoreboard(
        &mut self,
        h: &TcpHeader,
        acked: Option<Acked>,
        dup: bool,
        dsack: DsackSeen,
        prior_stamp: Option<Micros>,
        ctx: &mut Ctx,
    ) {
        let p = ctx.p;
        let una_advanced = acked.is_some();
        let Acked {
            mut delivered,
            bytes_acked,
            fin_delivered,
            mut orig_acked,
            mut samples,
            reord,
            prior_fack,
            prior_una,
            mut newest,
        } = acked.unwrap_or_default();
        let mut data_sacked = false;
        let mut sack_rearm = false;
        if self.sack_ok {
            let (n, orig, sackt, sack_newest) = self.sack_tag(&h.options.sack, ctx);
            delivered += n;
            data_sacked = n > 0;
            orig_acked |= orig;
            if let Some((first, last)) = sackt {
                samples.sack = Some(ctx.now.saturating_sub(first));
                samples.ca = Some(ctx.now.saturating_sub(last));
            }
            // `tcp_clean_rtx_queue`: an ACK that acknowledges nothing new still re-arms the
            // RTO or a loss probe (FLAG_SET_XMIT_TIMER, taken by `tcp_set_xmit_timer` after
            // `tcp_fastretrans_alert` unless RACK armed its reordering timer) when its SACK
            // RTT sample comes from data sent before the head of the queue was last (re)sent:
            // `sack_rtt_us > now - tcp_skb_timestamp_us(head)` ("do not re-arm RTO if the
            // sack RTT is measured from data sent after when the head was last
            // (re)transmitted"). Measured on 6.18 (recording
            // `a-sack-of-data-sent-before-a-lost-retransmission-restarts-the-rto`, 50 ms one
            // way): a hole resent just after new data and lost again is resent 421 ms after
            // that retransmission, the RTO restarted by the new data's SACKs a round trip on,
            // not 321 ms after (3 of 3 runs; over 5 ms the same 4-12 ms, 7 runs).
            if !una_advanced && p.rtt_every_ack {
                let una = self.soff(self.snd_una);
                let head = self.sent_log.iter().find(|e| e.end > una).map(|e| e.sent);
                sack_rearm = samples
                    .sack
                    .zip(head)
                    .is_some_and(|(rtt, sent)| rtt > ctx.now.saturating_sub(sent));
            }
            newest = newest.max(sack_newest);
            // `tcp_clean_rtx_queue` (after `tcp_sacktag_write_queue` in the kernel, so the
            // highest SACK includes this ACK's): "non-retransmitted hole got filled? That's
            // reordering".
            if let Some(low) = reord.filter(|&low| low < prior_fack) {
                let fack = self.highest_sack_off();
                self.reord.check_sack(low, fack, self.snd_mss.max(1) as u64);
            }
        } else {
            delivered = self.reno_sack(delivered, una_advanced, dup);
        }
        // `tcp_count_delivered` (`tp->delivered`), then `tcp_rack_update_reo_wnd` with the
        // rate sample of this ACK, before the loss detection reads the window.
        self.reord.delivered += delivered as u64;
        self.reord.update_reo_wnd(newest.map(|(_, _, d)| d));
        // `tcp_clean_rtx_queue` → `pkts_acked` (CUBIC's `bictcp_acked`, HyStart's
        // `hystart_update`) on every ACK that reaches the queue, a SACK-only duplicate ACK
        // too, with the rate sample's RTT: `rs->rtt_us`, the `ca_rtt_us` that
        // `tcp_ack_update_rtt` settled on (the newest segment (S)ACKed, or the timestamp
        // echo), none when Karn's rule leaves nothing to time.
        let (_, rate_rtt) = self.ack_rtts(&samples, h, ctx.now);
        if p.rtt_every_ack {
            self.ack_update_rtt(samples, h, ctx);
        }
        if let Some(rtt) = rate_rtt {
            let ack_delay = self.hystart_ack_delay();
            self.cc.on_rtt_sample(
                rtt,
                self.snd_una,
                self.snd_nxt,
                ctx.now,
                p.clock_granularity_us,
                ack_delay,
            );
        }
        // `tcp_process_tlp_ack`, before `tcp_fastretrans_alert` and `tcp_cong_control`.
        if self.tlp_high_seq.is_some() {
            self.process_tlp_ack(
                SeqNumber(h.ack),
                dsack.probe,
                una_advanced || !dup || data_sacked,
            );
        }
        // `tcp_fastretrans_alert`, E, in the loss state: `tcp_process_loss` first (it may
        // undo the RTO, end the state, or choose F-RTO's new data), then the loss marking.
        // A D-SACK ACK is no duplicate ACK (`tcp_ack`: FLAG_DSACKING_ACK).
        let mut rexmit_new = false;
        if self.loss_high.is_some() {
            let flag = LossAck {
                una_advanced,
                orig_acked,
                data_sacked,
                dupack: dup && dsack.segs == 0,
            };
            rexmit_new = self.process_loss(flag, h, prior_stamp);
        } else if !self.cc.in_recovery() {
            // Open or Disorder: a late D-SACK can still undo the last cut
            // (`tcp_try_undo_dsack` for `icsk_ca_state <= TCP_CA_Disorder`).
            self.try_undo_dsack();
        }
        // `tcp_fastretrans_alert`, E, Recovery: an ACK of new data short of high_seq may show
        // the hole filled by a delayed original (`tcp_try_undo_partial`).
        let recovery_ongoing = self.cc.recover.is_some_and(|high| self.snd_una.lt(high));
        let hold =
            una_advanced && recovery_ongoing && self.try_undo_partial(h, prior_stamp, prior_una);
        let lost_before = self
            .sent_log
            .iter()
            .filter(|e| e.lost && !e.retrans)
            .count() as u32;
        let reo_armed = if hold {
            false
        } else if p.rack && self.sack_ok {
            self.rack_advanced && self.rack_mark_lost(ctx)
        } else {
            self.mark_lost_dupthresh(una_advanced);
            false
        };
        let lost_now = self
            .sent_log
            .iter()
            .filter(|e| e.lost && !e.retrans)
            .count() as u32;
        let newly_lost = lost_now.saturating_sub(lost_before);
        // `tcp_fastretrans_alert`, D: once snd_una reaches high_seq, `tcp_try_undo_recovery`
        // (`tcp_may_undo`): every retransmission came back as a D-SACK, or this ACK echoes a
        // timestamp older than the first retransmission (the originals filled the holes), so
        // the cut is undone. Then the recovery ends, except without SACK while snd_una is
        // exactly at high_seq (`tcp_is_non_sack_preventing_reopen`): held, PRR going on with
        // the ssthresh the undo restored, until an ACK goes beyond. Once undone
        // (`undo_marker` 0) its end leaves cwnd alone (`tcp_end_cwnd_reduction`).
        let una = self.snd_una;
        if self.cc.recover.is_some_and(|high| una.ge(high)) {
            if self.may_undo(h, prior_stamp) {
                self.undo_cwnd_reduction(false);
            } else {
                self.reord.recovery_not_undone();
            }
            if !self.sack_ok && self.cc.recover == Some(una) {
                self.retrans_stamp_cleanup();
            } else {
                if self.undo.is_none() {
                    self.cc.prr = None;
                }
                self.cc.end_prr_recovery();
            }
        } else if self.cc.in_recovery() && self.try_undo_dsack() {
            // E, Recovery: `tcp_try_undo_dsack` → `tcp_try_keep_open` leaves the recovery
            // with the window restored; a loss still marked starts a new one below.
            self.cc.prr = None;
            self.cc.recover = None;
        }
        // E: a segment known lost starts a recovery (`tcp_time_to_recover`: lost_out > 0),
        // but not in the loss state, where the RTO's retransmissions go on.
        if !self.recovering() && self.sent_log.iter().any(|e| e.lost) {
            // `tcp_enter_recovery`: "start the clock with our fast retransmit".
            self.retrans_stamp_cleanup();
            self.enter_recovery_undo();
            self.cc.enter_prr_recovery(self.snd_max);
            if !p.prr {
                // Without PRR: straight to ssthresh (RFC 6675 §5).
                self.cc.cwnd = self.cc.ssthresh;
                self.cc.prr = None;
            }
            self.stats.fast_retransmits += 1;
            self.rtt_probe = None;
        }
        // `tcp_cong_control` with `tcp_newly_delivered`: the segments this ACK delivered,
        // a believed D-SACK's too ("a spurious retransmission is delivered", counted into
        // `tp->delivered` by `check_dsack`), so a tail loss probe's D-SACKed copy grows the
        // window in slow start like any delivered segment. Measured on 6.18 (explore seed
        // 1400 #29): after 14 segments, their ACKs and a probe's D-SACK, tcp_info cwnd 25.
        let delivered = delivered + dsack.segs;
        if self.cc.in_recovery() {
            let pipe = self.pipe_segs();
            self.cc.prr_step(delivered, newly_lost, una_advanced, pipe);
        } else if delivered > 0
            && self.may_raise_cwnd(bytes_acked > 0 || fin_delivered, data_sacked, p)
            && self.is_cwnd_limited()
        {
            self.cc
                .cong_avoid_segments(delivered, ctx.now, p.clock_granularity_us);
        }
        self.update_pacing_rate();
        if (una_advanced || sack_rearm) && !reo_armed {
            self.restart_rto_on_progress(ctx);
        }
        if rexmit_new {
            // `tcp_xmit_recovery` with REXMIT_NEW (F-RTO step 2b): new data first, Nagle off
            // (`__tcp_push_pending_frames(..., TCP_NAGLE_OFF)`), as far as the cwnd this ACK
            // just grew allows; only if none could go does the conventional recovery resume.
            self.nagle_off_once = true;
            self.output(ctx);
            self.nagle_off_once = false;
            if self.loss_high.is_some_and(|high| self.snd_nxt.gt(high)) {
                return;
            }
            self.frto = false;
        }
        if !hold {
            self.retransmit_lost(ctx);
        }
        // `tcp_try_to_open` (and `tcp_fastretrans_alert`, D, in the open state): once the
        // state is open again the stamp goes with the last retransmission.
        if !self.recovering() {
            self.retrans_stamp_cleanup();
        }
    }

    /// `tcp_process_loss` (RFC 5682 §3.1, the SACK-enhanced F-RTO, and RFC 3522's Eifel
    /// check): an ACK in the loss state after an RTO. Returns whether F-RTO sends new data
    /// now (REXMIT_NEW) instead of retransmitting.
    /// - An ACK of new data undoes the RTO if the cut may be undone (`tcp_try_undo_loss`:
    ///   every retransmission D-SACKed, or the ACK echoes a timestamp older than the first
    ///   retransmission, `tcp_packet_delayed`).
    /// - With F-RTO: data never retransmitted (S)ACKed proves the RTO spurious (step 3b) and
    ///   undoes it. Once new data went out, a SACK or a duplicate ACK proves the loss real
    ///   (step 3a). On the first ACK that advances SND.UNA short of high_seq, new data goes
    ///   if there is some and the peer's window has room (step 2b); else F-RTO ends.
    /// - SND.UNA at high_seq ends the state (`tcp_try_undo_recovery`; without SACK held while
    ///   it is exactly there); cwnd stays where slow start brought it.
    pub(super) fn process_loss(
        &mut self,
        flag: LossAck,
        h: &TcpHeader,
        prior_stamp: Option<Micros>,
    ) -> bool {
        let Some(high) = self.loss_high else {
            return false;
        };
        let recovered = self.snd_una.ge(high);
        if flag.una_advanced && self.try_undo_loss(false, h, prior_stamp) {
            return false;
        }
        if self.frto {
            if flag.orig_acked && self.try_undo_loss(true, h, prior_stamp) {
                return false;
            }
            if self.snd_nxt.gt(high) {
                if flag.data_sacked || flag.dupack {
                    self.frto = false;
                }
            } else if flag.una_advanced && !recovered {
                self.loss_high = Some(self.snd_nxt);
                // The window this ACK brings (`tcp_ack_update_window` runs before
                // `tcp_fastretrans_alert`; an ACK that advances SND.UNA always updates it).
                let wnd = (h.window as u32) << self.snd_wscale;
                let wnd_end = SeqNumber(h.ack) + wnd;
                if self.unsent_waiting() && wnd_end.gt(self.snd_nxt) {
                    return true;
                }
                self.frto = false;
            }
        }
        if recovered {
            // `tcp_try_undo_recovery`: the same undo test, without unmarking.
            if self.may_undo(h, prior_stamp) {
                self.undo_cwnd_reduction(false);
            } else {
                self.reord.recovery_not_undone();
            }
            if !self.sack_ok && self.snd_una == high {
                // `tcp_is_non_sack_preventing_reopen`.
                self.retrans_stamp_cleanup();
                return false;
            }
            self.loss_high = None;
        }
        false
    }

    /// `tcp_may_undo`: a cut was made, and every retransmission since came back as a
    /// D-SACK, or (Eifel, RFC 3522) this ACK echoes a timestamp older than the first
    /// retransmission (`tcp_packet_delayed`: the original arrived, the retransmission was
    /// not needed). The timestamp is the one `ts_val` put on that retransmission.
    pub(super) fn may_undo(&self, h: &TcpHeader, prior_stamp: Option<Micros>) -> bool {
        let Some(u) = self.undo else {
            return false;
        };
        u.retrans == 0 || self.packet_delayed(h, prior_stamp)
    }

    /// `tcp_packet_delayed` (6.16+): with a retransmission stamp, whether the ACK echoes a
    /// timestamp older than it (`tcp_tsopt_ecr_before`); without one nothing was
    /// retransmitted yet, so SND.UNA moved on an original ("merely delayed, not lost"),
    /// except without SACK once SND.UNA reached high_seq (`tcp_is_non_sack_preventing_reopen`
    /// cleared the stamp there).
    pub(super) fn packet_delayed(&self, h: &TcpHeader, stamp: Option<Micros>) -> bool {
        match stamp {
            Some(stamp) => {
                self.ts_ok
                    && h.options.timestamps.is_some_and(|(_, ecr)| {
                        ecr != 0 && SeqNumber(ecr).lt(SeqNumber(self.ts_val(stamp)))
                    })
            }
            None => {
                let high = self.loss_high.or(self.cc.recover);
                self.sack_ok || high.is_none_or(|h| self.snd_una.lt(h))
            }
        }
    }

    /// `tcp_any_retrans_done`: a retransmission is in flight, or the head of the queue was
    /// ever retransmitted.
    pub(super) fn any_retrans_done(&self) -> bool {
        self.sent_log.iter().any(|e| e.retrans)
            || self.sent_log.front().is_some_and(|e| e.ever_retrans)
    }

    /// `tcp_retrans_stamp_cleanup`: with nothing retransmitted left, the next loss recovery
    /// starts the clock afresh (`tcp_try_to_open`, and `tcp_enter_recovery` before its fast
    /// retransmission, 6.12+).
    pub(super) fn retrans_stamp_cleanup(&mut self) {
        if !self.any_retrans_done() {
            self.retrans_stamp = None;
        }
    }

    /// `tcp_try_undo_partial`: in a fast recovery, an ACK of new data echoing a timestamp
    /// older than the first retransmission ("plain luck! hole is filled with delayed
    /// packet"). With retransmissions still in flight the recovery holds (no more losses
    /// marked or resent on this ACK: returns true); else the cut is undone and the
    /// recovery ends (`tcp_try_keep_open`).
    pub(super) fn try_undo_partial(
        &mut self,
        h: &TcpHeader,
        prior_stamp: Option<Micros>,
        prior_una: u64,
    ) -> bool {
        if self.undo.is_none() || !self.packet_delayed(h, prior_stamp) {
            return false;
        }
        // "Plain luck! Hole if filled with delayed packet, rather than with a retransmit.
        // Check reordering." (`tcp_check_sack_reordering(sk, prior_snd_una, 1)`)
        let fack = self.highest_sack_off();
        self.reord
            .check_sack(prior_una, fack, self.snd_mss.max(1) as u64);
        if self.sent_log.iter().any(|e| e.retrans) {
            return true;
        }
        self.retrans_stamp_cleanup();
        self.undo_cwnd_reduction(true);
        self.cc.prr = None;
        self.cc.recover = None;
        false
    }

    /// `tcp_try_undo_loss`: undo the RTO's cut and its loss marks (`frto_undo`: F-RTO proved
    /// it spurious, no further test). The state reopens with SACK or after F-RTO; without
    /// SACK it is held while SND.UNA is exactly at high_seq
    /// (`tcp_is_non_sack_preventing_reopen`), and otherwise too, the lost marks gone.
    pub(super) fn try_undo_loss(
        &mut self,
        frto_undo: bool,
        h: &TcpHeader,
        prior_stamp: Option<Micros>,
    ) -> bool {
        if !frto_undo && !self.may_undo(h, prior_stamp) {
            return false;
        }
        self.undo_cwnd_reduction(true);
        let high = self.loss_high;
        if !self.sack_ok && high.is_some_and(|h| self.snd_una == h) {
            self.retrans_stamp_cleanup();
            return true;
        }
        if frto_undo || self.sack_ok {
            self.loss_high = None;
            self.frto = false;
        }
        true
    }

    /// `tcp_try_undo_dsack`: every retransmission since the cut came back as a D-SACK.
    pub(super) fn try_undo_dsack(&mut self) -> bool {
        if self.undo.is_some_and(|u| u.retrans == 0) {
            self.reord.undone_by_dsack();
            self.undo_cwnd_reduction(false);
            return true;
        }
        false
    }

    /// `tcp_undo_cwnd_reduction`: cwnd back to what it was (the congestion module's
    /// `undo_cwnd`; CUBIC and Reno both use `tcp_reno_undo_cwnd`, max(cwnd, prior_cwnd)) and
    /// ssthresh to the prior one if that was higher; with `unmark_loss` no segment is lost
    /// any more. RACK looks at the queue again on this ACK.
    pub(super) fn undo_cwnd_reduction(&mut self, unmark_loss: bool) {
        if unmark_loss {
            for e in self.sent_log.iter_mut() {
                e.lost = false;
            }
        }
        if let Some(u) = self.undo.take() {
            if u.prior_ssthresh > 0 {
                self.cc.undo_cwnd(u.prior_cwnd, u.prior_ssthresh);
            }
        }
        self.rack_advanced = true;
    }

    /// `tcp_init_undo` with what `tcp_enter_loss` / `tcp_enter_recovery` remember before
    /// cutting: `tcp_current_ssthresh` (ssthresh, or ¾ of cwnd if that is more, outside a
    /// reduction) and cwnd. `undo_retrans` starts at the retransmissions still in flight,
    /// −1 if none.
    pub(super) fn init_undo(&mut self, prior_ssthresh: u32) {
        let retrans_out = self.sent_log.iter().filter(|e| e.retrans).count() as i32;
        self.undo = Some(Undo {
            marker: self.snd_una,
            retrans: if retrans_out > 0 { retrans_out } else { -1 },
            prior_ssthresh,
            prior_cwnd: self.cc.cwnd,
        });
    }

    /// `tcp_current_ssthresh` outside a cwnd reduction: max(ssthresh, ¾ cwnd), in whole
    /// segments as the kernel counts (cwnd >> 1 + cwnd >> 2).
    pub(super) fn current_ssthresh(&self) -> u32 {
        let mss = self.snd_mss.max(1);
        let segs = self.cc.cwnd / mss;
        self.cc.ssthresh.max(((segs >> 1) + (segs >> 2)) * mss)
    }

    /// `tcp_may_raise_cwnd`: RFC 5681 grows cwnd on in-order delivery only (FLAG_DATA_ACKED);
    /// once reordering has raised `tp->reordering` above the `tcp_reordering` sysctl, on any
    /// forward progress, newly SACKed data too (FLAG_FORWARD_PROGRESS). A duplicate ACK
    /// without SACK is no progress (`tcp_add_reno_sack` sets no flag).
    fn may_raise_cwnd(
        &self,
        data_acked: bool,
        data_sacked: bool,
        p: &crate::profile::Profile,
    ) -> bool {
        if self.reord.degree > p.dupack_threshold {
            return data_acked || data_sacked;
        }
        data_acked
    }

    /// `tcp_enter_recovery`'s undo state, before `tcp_init_cwnd_reduction` cuts.
    pub(super) fn enter_recovery_undo(&mut self) {
        let prior = self.current_ssthresh();
        self.init_undo(prior);
    }

    /// Without SACK (`tcp_add_reno_sack`, `tcp_remove_reno_sacks`): a duplicate ACK counts
    /// one segment delivered; a cumulative ACK delivers one segment, the hole, and eats the
    /// duplicate ACKs that stood for the rest. Either way `tcp_check_reno_reordering` then
    /// holds the count to all but the holes of what is out (`tcp_limit_reno_sacked`), and a
    /// count past that is reordering (see [`Self::check_reno_reordering`]). Outside an
    /// ongoing recovery an ACK of new data forgets the count (`tcp_fastretrans_alert`, D and
    /// E: `tcp_reset_reno_sack`); a duplicate ACK at high_seq itself, where the recovery is
    /// held (`tcp_try_undo_recovery`), is not counted, nor one in the loss state before
    /// F-RTO sent new data (`tcp_process_loss`). Returns the segments delivered by this ACK.
    pub(super) fn reno_sack(&mut self, acked: u32, una_advanced: bool, dup: bool) -> u32 {
        let ongoing = self.cc.recover.is_some_and(|high| self.snd_una.lt(high));
        if una_advanced {
            if acked == 0 {
                return 0;
            }
            let delivered = acked.saturating_sub(self.reno_sacked).max(1);
            self.reno_sacked = self.reno_sacked.saturating_sub(acked - 1);
            self.check_reno_reordering(acked);
            if !ongoing {
                self.reno_sacked = 0;
            }
            return delivered;
        }
        let held = self.cc.recover.is_some() && !ongoing;
        let loss_before_new = self.loss_high.is_some_and(|high| !self.snd_nxt.gt(high));
        if !dup || held || loss_before_new {
            if held {
                self.reno_sacked = 0;
            }
            return 0;
        }
        let before = self.reno_sacked;
        self.reno_sacked += 1;
        self.check_reno_reordering(0);
        self.reno_sacked.saturating_sub(before)
    }

    /// `tcp_check_reno_reordering`: more duplicate ACKs than segments out beyond the holes
    /// (`tcp_limit_reno_sacked`: holes are the segments marked lost, at least one) can only
    /// be reordering (a hole filled by its original after more segments than it had above
    /// it were counted). The count is cut back, and `tp->reordering` becomes the segments
    /// out plus those this ACK acknowledged (`addend`), at most `tcp_max_reordering`: set,
    /// not raised, so it can fall below `tcp_reordering` too. Without SACK it is the
    /// duplicate-ACK threshold of every later fast retransmit (`tcp_newreno_mark_lost`).
    fn check_reno_reordering(&mut self, addend: u32) {
        let out = self.sent_log.len() as u32;
        let holes = (self.sent_log.iter().filter(|e| e.lost).count() as u32)
            .max(1)
            .min(out);
        if self.reno_sacked + holes <= out {
            return;
        }
        self.reno_sacked = out - holes;
        self.reord.check_reno(out, addend);
    }

    /// Loss marking without RACK. Without SACK, `tcp_newreno_mark_lost`: the first
    /// segment is lost once `tp->reordering` duplicate ACKs came (the `tcp_reordering`
    /// sysctl, 3, until reordering was seen: [`Self::check_reno_reordering`]), or on a
    /// partial ACK during the recovery. With SACK, RFC 6675's IsLost
    /// (`tcp_update_scoreboard`, Linux before 6.17): a segment with that many SACKed
    /// segments above it.
    pub(super) fn mark_lost_dupthresh(&mut self, una_advanced: bool) {
        let thresh = self.reord.degree.max(1);
        if !self.sack_ok {
            // At high_seq itself the recovery is held, not continued (`tcp_try_undo_recovery`
            // returns before any marking): what was sent after the hole is not a hole.
            let partial = self.cc.recover.is_some_and(|high| self.snd_una.lt(high));
            let recovering = self.cc.in_recovery();
            if (!recovering && self.reno_sacked >= thresh) || (partial && una_advanced) {
                if let Some(e) = self.sent_log.front_mut() {
                    if !e.lost {
                        e.lost = true;
                        e.retrans = false;
                    }
                }
            }
            return;
        }
        let mut above = 0u32;
        for e in self.sent_log.iter_mut().rev() {
            if e.sacked {
                above += 1;
            } else if !e.lost && above >= thresh {
                e.lost = true;
                e.retrans = false;
            }
        }
    }

    /// `tcp_rack_advance`: a segment known delivered gives RACK its RTT (`rack.rtt_us`, from
    /// whichever segment came last, as the kernel sets it on every call) and moves RACK's
    /// send time to it if it was sent after the one RACK holds (ties broken by sequence,
    /// `tcp_skb_sent_after`). A retransmission acknowledged sooner than the minimum RTT may
    /// have been the original's ACK: skipped. (Measured on 6.18, rto-spurious-no-timestamps:
    /// after an RTO, a held ACK of a segment sent 640 ms earlier must lengthen RACK's RTT,
    /// or the segments sent with it would be marked lost against the 304 ms of the
    /// retransmission acknowledged just before.)
    pub(super) fn rack_advance(&mut self, e: &SentSeg, ctx: &Ctx) {
        let rtt = ctx.now.saturating_sub(e.sent);
        if e.ever_retrans && self.min_rtt.is_some_and(|m| rtt < m) {
            return;
        }
        self.rack_advanced = true;
        match self.rack.as_mut() {
            Some(r) if (e.sent, e.order) <= (r.0, r.2) => r.1 = rtt,
            _ => self.rack = Some((e.sent, rtt, e.order)),
        }
    }

    /// `tcp_sacktag_write_queue`: tag every segment a SACK block covers; returns how many
    /// were newly SACKed, and whether one of them was never retransmitted and sent before
    /// the loss state's high_seq (FLAG_ORIG_SACK_ACKED from `tcp_sacktag_one`). D-SACK
    /// blocks below snd_una (see `check_dsack`) and blocks beyond what was sent are ignored.
    #[allow(clippy::type_complexity)]
    pub(super) fn sack_tag(
        &mut self,
        blocks: &[(u32, u32)],
        ctx: &Ctx,
    ) -> (
        u32,
        bool,
        Option<(Micros, Micros)>,
        Option<(Micros, u64, u64)>,
    ) {
        let prior_fack = self.highest_sack_off();
        let una = self.soff(self.snd_una);
        let max = self.soff(self.snd_max);
        let mut newly = Vec::new();
        for &(l, r) in blocks {
            let (a, b) = (self.soff(SeqNumber(l)), self.soff(SeqNumber(r)));
            if b <= a || a < una || b > max {
                continue;
            }
            for e in self.sent_log.iter_mut() {
                if !e.sacked && a <= e.start && e.end <= b {
                    e.sacked = true;
                    // A SACKed segment is no longer lost (`tcp_sacktag_one`).
                    e.lost = false;
                    e.retrans = false;
                    newly.push(*e);
                }
            }
        }
        // The FIN's own skb (`tcp_sacktag_one` on it): one segment delivered.
        let fin_off = self.sndbuf.tail;
        let fin_covered = self.fin_unsacked_out()
            && blocks.iter().any(|&(l, r)| {
                let (a, b) = (self.soff(SeqNumber(l)), self.soff(SeqNumber(r)));
                a >= una && b <= max && a <= fin_off && fin_off < b
            });
        if let Some(f) = self.lone_fin.as_mut().filter(|_| fin_covered) {
            f.sacked = true;
            f.lost = false;
            newly.push(SentSeg {
                start: fin_off,
                end: fin_off,
                sent: f.sent,
                order: f.order,
                sacked: true,
                lost: false,
                retrans: false,
                ever_retrans: f.ever_retrans,
                // The FIN's skb is no rate sample the model keeps.
                tx_delivered: 0,
            });
        }
        let mss = self.snd_mss.max(1) as u64;
        let high = self.loss_high.map(|h| self.soff(h));
        let mut n = 0;
        let mut orig = false;
        let mut sackt: Option<(Micros, Micros)> = None;
        // `tcp_sacktag_one`, the blocks walked in sequence order: a never-retransmitted
        // segment newly SACKed below the highest SACK so far filled a hole late
        // (`state->reord`), as does a D-SACKed retransmission already SACKed (`check_dsack`).
        newly.sort_by_key(|e| e.start);
        let mut fack = prior_fack;
        let mut reord = self.dsack_reord.take();
        for e in &newly {
            if !e.ever_retrans && e.start < fack {
                reord = Some(reord.map_or(e.start, |r| r.min(e.start)));
            }
            fack = fack.max(e.end);
        }
        let newest = newly
            .iter()
            .filter(|e| e.tx_delivered != 0)
            .map(|e| (e.sent, e.order, e.tx_delivered))
            .max();
        // `tcp_sacktag_write_queue`: not in the loss state unless its cut may be undone.
        if let Some(low) = reord.filter(|_| self.loss_high.is_none() || self.undo.is_some()) {
            let fack = self.highest_sack_off();
            self.reord.check_sack(low, fack, mss);
        }
        for e in &newly {
            n += (e.end - e.start).div_ceil(mss).max(1) as u32;
            orig |= !e.ever_retrans && high.is_some_and(|h| e.end <= h);
            // `tcp_sacktag_one`: first_sackt and last_sackt, from segments never resent.
            if !e.ever_retrans {
                sackt = Some(sackt.map_or((e.sent, e.sent), |(f, _)| (f, e.sent)));
            }
            self.rack_advance(e, ctx);
        }
        (n, orig, sackt, newest)
    }

    /// `tcp_highest_sack_seq`: the end of the highest SACKed segment still queued, or
    /// SND.UNA when none is (stream offset).
    pub(super) fn highest_sack_off(&self) -> u64 {
        let sacked = self
            .sent_log
            .iter()
            .filter(|e| e.sacked)
            .map(|e| e.end)
            .max();
        sacked.unwrap_or_else(|| self.soff(self.snd_una))
    }

    /// `tcp_check_dsack` → `tcp_dsack_seen` (RFC 2883): the first SACK block is a D-SACK when
    /// it lies below the ACK or inside the second block. It is believed only if it is at most
    /// the peer's largest window and the duplicates reported so far stay within the
    /// retransmissions sent (a duplicate the network made is no evidence). Each believed
    /// duplicate of a retransmission sent since the cut (`after(end, undo_marker)`) takes one
    /// from `undo_retrans`: data already acknowledged before this ACK by dumb counting, data
    /// still queued segment by segment (`tcp_sacktag_one` with `dup_sack`, only those
    /// retransmitted). Runs before the queue is cleaned, as `tcp_sacktag_write_queue` runs
    /// before `tcp_clean_rtx_queue`. Returns the segments of this ACK's believed D-SACK, 0 for
    /// none (FLAG_DSACKING_ACK: such an ACK is no duplicate ACK; its segments are delivered),
    /// and whether it answers the open loss probe (FLAG_DSACK_TLP).
    pub(super) fn check_dsack(&mut self, h: &TcpHeader) -> DsackSeen {
        let none = DsackSeen::default();
        let blocks = &h.options.sack;
        let Some(&(l0, r0)) = blocks.first() else {
            return none;
        };
        let (start, end) = (SeqNumber(l0), SeqNumber(r0));
        let dup = start.lt(SeqNumber(h.ack))
            || blocks
                .get(1)
                .is_some_and(|&(l1, r1)| end.le(SeqNumber(r1)) && start.ge(SeqNumber(l1)));
        if !dup || !start.lt(end) {
            return none;
        }
        let len = end.diff(start) as u32;
        if len > self.max_snd_wnd {
            return none;
        }
        let mss = self.snd_mss.max(1);
        let segs = if len > mss { len.div_ceil(mss) } else { 1 };
        // `tcp_dsack_seen`: FLAG_DSACK_TLP for a one-segment D-SACK ending at the loss
        // probe's tlp_high_seq, set before the duplicates are weighed against the
        // retransmissions.
        let answers_probe = len <= mss && self.tlp_high_seq == Some(end);
        self.dsack_dups += segs;
        if self.dsack_dups > self.stats.retransmits {
            return DsackSeen {
                segs: 0,
                probe: answers_probe,
            };
        }
        // "A spurious retransmission is delivered" (sack_delivered).
        self.reord.dsack(answers_probe);
        self.reord.delivered += segs as u64;
        let (a, b) = (self.soff(start), self.soff(end));
        self.dsack_reord = self
            .sent_log
            .iter()
            .filter(|e| a <= e.start && e.end <= b && e.sacked && e.ever_retrans)
            .map(|e| e.start)
            .min();
        let una = self.soff(self.snd_una);
        let seen = DsackSeen {
            segs,
            probe: answers_probe,
        };
        let Some(marker) = self.undo.filter(|u| u.retrans > 0).map(|u| u.marker) else {
            return seen;
        };
        let answered = if b <= una {
            // Already acknowledged: "dumb counting" of the block's segments.
            if end.gt(marker) {
                segs as i32
            } else {
                0
            }
        } else {
            // Still queued: each retransmitted segment the block covers, tested by its own
            // end against the marker (`tcp_sacktag_one` with `dup_sack`).
            let iss_off = |off: u64| self.sseq(off);
            self.sent_log
                .iter()
                .filter(|e| {
                    a <= e.start
                        && e.end <= b
                        && (e.retrans || e.ever_retrans)
                        && iss_off(e.end).gt(marker)
                })
                .map(|e| (e.end - e.start).div_ceil(mss as u64).max(1) as i32)
                .sum()
        };
        if let Some(u) = self.undo.as_mut() {
            u.retrans = (u.retrans - answered).max(0);
        }
        seen
    }

    /// Linux `tcp_process_tlp_ack` (RFC 8985 §7.4): an ACK during a loss probe's episode.
    /// Short of the probe's `tlp_high_seq` it says nothing. A probe of new data, or one whose
    /// copy comes back as a D-SACK (the original arrived too), ends the episode with no loss.
    /// An ACK beyond it shows the probe repaired a loss: cwnd is cut at once
    /// (`tcp_init_cwnd_reduction`, CWR, `tcp_end_cwnd_reduction`: cwnd = the congestion
    /// module's ssthresh, then `tcp_try_keep_open`). A pure duplicate ACK (`progress` false:
    /// no FLAG_SND_UNA_ADVANCED, FLAG_NOT_DUP or FLAG_DATA_SACKED) shows both copies arrived.
    /// An ACK exactly at `tlp_high_seq` that advanced is none of these: the episode stays
    /// open, so when a lone lost segment is resent by the probe, the ACK of the next data
    /// cuts the window. Measured on 6.18 (explore seed 5100 #1, 20 ms one way): after the
    /// probe's ACK tcp_info read cwnd 10, ssthresh infinite; after the next write's ACK,
    /// cwnd 7, ssthresh 7.
    pub(super) fn process_tlp_ack(&mut self, ack: SeqNumber, dsack_probe: bool, progress: bool) {
        let Some(high) = self.tlp_high_seq else {
            return;
        };
        if ack.lt(high) {
            return;
        }
        if !self.tlp_retrans || dsack_probe {
            self.tlp_high_seq = None;
        } else if ack.gt(high) {
            self.tlp_high_seq = None;
            self.cc.tlp_loss_cwr();
        } else if !progress {
            self.tlp_high_seq = None;
        }
    }

    /// RACK's reordering window (`tcp_rack_reo_wnd`, see `Reordering::reo_wnd`): before
    /// any reordering is seen, none during a recovery or once `tp->reordering` segments
    /// are SACKed; else min RTT / 4 per step (at most SRTT).
    pub(super) fn rack_reo_wnd(&self) -> Micros {
        let sacked = self.sent_log.iter().filter(|e| e.sacked).count() as u32;
        let srtt = self.rtt.srtt.unwrap_or(0);
        let min_rtt = self.min_rtt.unwrap_or(0);
        self.reord.reo_wnd(self.recovering(), sacked, min_rtt, srtt)
    }

    /// `tcp_rack_detect_loss` + `tcp_rack_mark_lost` (RFC 8985 §6.2): every segment sent
    /// before the one RACK holds and not delivered within RACK's RTT plus the reordering
    /// window is lost, however many holes there are; a lost retransmission is lost again.
    /// Those still within the window arm the reordering timer for the longest time left
    /// plus TCP_TIMEOUT_MIN_US (2 ms), in jiffies. Returns whether the timer was armed.
    pub(super) fn rack_mark_lost(&mut self, ctx: &mut Ctx) -> bool {
        let p = ctx.p;
        let Some((xmit, rack_rtt, rack_order)) = self.rack else {
            return false;
        };
        let reo = self.rack_reo_wnd();
        let now = ctx.now;
        let mut wait: Micros = 0;
        for e in self.sent_log.iter_mut() {
            if e.sacked || (e.lost && !e.retrans) {
                continue;
            }
            let before = (xmit, rack_order) > (e.sent, e.order);
            if !before {
                continue;
            }
            let waited = now.saturating_sub(e.sent);
            if rack_rtt + reo <= waited {
                e.lost = true;
                e.retrans = false;
            } else {
                wait = wait.max(rack_rtt + reo - waited);
            }
        }
        if wait > 0 {
            self.tlp_armed = false;
            self.reo_armed = true;
            // `tcp_rack_reo_timeout` armed by `tcp_rack_mark_lost`:
            // usecs_to_jiffies(wait + TCP_TIMEOUT_MIN_US), the 2 ms floor added before the
            // rounding up to jiffies (commit 1c2709cfff1d, "tcp: fix excessive TLP and RACK
            // timeouts from HZ rounding", 6.6), not 2 jiffies after it; a timer_list.
            // Measured on 6.18 at HZ 250 (three segments, the second lost, one SACK above
            // it; 6 runs each): at 1 ms one way (reo_wnd 0.5 ms, 1 jiffy) the resend left
            // 5.6-7.6 ms after the SACK arrived, at 20 ms (10.01 ms, 4 jiffies) 17.5-19.9 ms
            // after, in one run each a jiffy later; 2 jiffies after the rounding would make
            // 12-16 and 20-24 ms.
            let delay = crate::tcp::wheel::in_jiffies(wait + TCP_TIMEOUT_MIN_US, p);
            self.arm_timer(TimerKind::Retransmit, delay, ctx);
            return true;
        }
        false
    }

    /// `tcp_rack_reo_timeout`: look again; what is lost now starts (or continues) the
    /// recovery and is retransmitted; then the RTO as before.
    pub(super) fn rack_reo_timeout(&mut self, ctx: &mut Ctx) {
        self.cc.now_us = ctx.now;
        let before = self.pipe_segs();
        self.rack_mark_lost(ctx);
        if self.pipe_segs() != before {
            if !self.cc.in_recovery() {
                // From the loss state too (`tcp_rack_reo_timeout`: any state but Recovery).
                self.loss_high = None;
                self.enter_recovery_undo();
                self.cc.enter_prr_recovery(self.snd_max);
                self.stats.fast_retransmits += 1;
                self.rtt_probe = None;
                if ctx.p.prr {
                    let pipe = self.pipe_segs();
                    self.cc.prr_step(1, 0, false, pipe);
                } else {
                    self.cc.cwnd = self.cc.ssthresh;
                    self.cc.prr = None;
                }
            }
            self.retransmit_lost(ctx);
        }
    }

    /// `tcp_xmit_retransmit_queue`: resend the segments marked lost, in order, while
    /// `tcp_packets_in_flight` is below cwnd.
    pub(super) fn retransmit_lost(&mut self, ctx: &mut Ctx) {
        let mut i = 0;
        // The end of the multi-segment chunk being resent, see `resend_chunk_end`.
        let mut chunk_end: Option<u64> = None;
        while i < self.sent_log.len() {
            let e = self.sent_log[i];
            i += 1;
            if !e.lost || e.retrans || e.sacked {
                continue;
            }
            if self.cwnd_room_segs() == 0 {
                break;
            }
            let e = self.cut_to_current_mss(i - 1, ctx.p);
            if chunk_end.is_none_or(|end| e.start >= end) {
                chunk_end = self.resend_chunk_end(i - 1, ctx);
            }
            match chunk_end {
                Some(end) => self.retransmit_entry_in_chunk(e, end, ctx),
                None => self.retransmit_entry(e, ctx),
            }
            // `tcp_xmit_retransmit_queue`: resending the head of the queue restarts the RTO
            // from now (`rearm_timer`), unless RACK's reordering timer is the one pending; a
            // loss probe armed when the flight left is replaced. Measured on 6.18 (rto-keeps-
            // sacked over a 0 ms wire, where the SACKs and both fast retransmissions come
            // within a millisecond of the flight): no probe, the RTO 208 ms after them.
            if i == 1 && !self.reo_armed || self.timer(TimerKind::Retransmit).is_none() {
                self.arm_rto(ctx);
            }
        }
        // The FIN's skb, last in the queue, when an RTO marked it lost and no data
        // retransmission took it in: alone, once cwnd has room.
        if self.lone_fin.is_some_and(|f| f.lost && !f.sacked)
            && self
                .sent_log
                .iter()
                .all(|e| !e.lost || e.retrans || e.sacked)
            && self.cwnd_room_segs() > 0
        {
            let head = self.sent_log.is_empty();
            self.send_data_at(self.fin_seq(), 0, true, self.retransmits.max(1), false, ctx);
            if head && !self.reo_armed || self.timer(TimerKind::Retransmit).is_none() {
                self.arm_rto(ctx);
            }
        }
    }

    /// `tcp_xmit_retransmit_queue` resends whole skbs: an skb of several lost segments
    /// goes as one chunk of as many as cwnd has room for (`__tcp_retransmit_skb` cuts it
    /// there, `tcp_fragment`), and `__tcp_transmit_skb` forces PSH on a chunk of more than
    /// one segment, which GSO leaves on its last; a chunk is at most `tcp_tso_segs`
    /// (`max_segs`, measured on 6.18 at 1 ms one way: a five-segment skb resent as three and
    /// two). Returns that chunk's end when the entry
    /// at `i` starts an skb and at least two of its segments go now, else `None` (one
    /// segment: `retransmit_entry`'s own PSH rule). Measured on 6.18 (`reno-rto-go-back-n`
    /// with two-segment skbs): after the RTO, room for five, the resend of 7241-14481 pushes
    /// 10137 and 13033, the second segments of their skbs.
    fn resend_chunk_end(&self, i: usize, ctx: &Ctx) -> Option<u64> {
        let e = self.sent_log[i];
        if ctx.p.min_tso_segs == 0 {
            return None;
        }
        let skb = self.skbs.at(e.start).filter(|s| s.start == e.start)?;
        let mss = self.snd_mss.max(1) as u64;
        let room = (self.cwnd_room_segs() as u64 / mss) as usize;
        let room = room.min(self.tso_segs(ctx) as usize);
        let mut end = e.start;
        let mut segs = 0;
        for f in self.sent_log.iter().skip(i) {
            if f.start != end || f.end > skb.end || !f.lost || f.retrans || f.sacked {
                break;
            }
            if segs == room {
                break;
            }
            end = f.end;
            segs += 1;
        }
        (segs >= 2).then_some(end)
    }

    /// One segment of a chunk `resend_chunk_end` found: sent as `retransmit_entry` sends
    /// it, PSH on the chunk's last segment only, and the skb cut at the chunk's end only.
    fn retransmit_entry_in_chunk(&mut self, e: SentSeg, chunk_end: u64, ctx: &mut Ctx) {
        let len = (e.end - e.start) as u32;
        if let Some(u) = self.undo.as_mut() {
            u.retrans = u.retrans.max(0) + 1;
        }
        if self.retrans_stamp.is_none() {
            self.retrans_stamp = Some(ctx.now);
        }
        let seq = self.sseq(e.start);
        let last = e.end == chunk_end;
        let tail = self.sndbuf.tail;
        let with_fin = last && e.end == tail && self.fin_unsacked_out() && self.lone_fin.is_none();
        if last {
            self.skbs.split_at(chunk_end);
        }
        self.send_data_at(seq, len, with_fin, self.retransmits.max(1), last, ctx);
    }

    /// `__tcp_retransmit_skb` resends an skb in pieces of the current MSS
    /// (`tcp_current_mss`), not of the MSS it was first sent with: SACK blocks held for the
    /// peer since then take 12 bytes and more of option room, so a full segment sent before
    /// them no longer fits. With room for one segment (`segs`, the RTO's and a lone fast
    /// retransmission's) the skb is cut there (`tcp_fragment`) and the rest, still lost,
    /// waits for the next chance; with room for more it goes whole, `tcp_set_skb_tso_segs`
    /// making it a GSO chunk of full pieces and a short last one (`resend_chunk_end`). Here
    /// the queue's entries from `i` are cut again at the current MSS counted from the first
    /// one's start: those of the whole skb it starts when all of them are to be resent (one
    /// skb, one set of marks in the kernel), else the entry at `i` alone, split when longer.
    /// The first piece is returned. Measured on 6.18 (recording
    /// `a-retransmission-is-cut-to-the-mss-left-beside-a-sack-block`, timestamps off, MSS
    /// 1460): a 1460-byte segment lost before the server held a SACK block was resent as
    /// 1448 bytes, the other 12 one round trip later, where resending the 1460 would make a
    /// 1512-byte packet.
    pub(super) fn cut_to_current_mss(&mut self, i: usize, p: &crate::profile::Profile) -> SentSeg {
        let cur = self.current_mss(p).max(1) as u64;
        let e = self.sent_log[i];
        let mut n = 1;
        if let Some(skb) = self
            .skbs
            .at(e.start)
            .filter(|s| p.min_tso_segs > 0 && s.start == e.start)
        {
            let mut end = e.start;
            let mut k = 0;
            for f in self.sent_log.iter().skip(i) {
                if f.start != end || f.end > skb.end || !f.lost || f.retrans || f.sacked {
                    break;
                }
                end = f.end;
                k += 1;
            }
            if end == skb.end {
                n = k;
            }
        }
        let whole = self.sent_log.range(i..i + n);
        if whole.clone().all(|f| f.end - f.start <= cur) {
            return e;
        }
        let end = self.sent_log[i + n - 1].end;
        let ever_retrans = whole.clone().any(|f| f.ever_retrans);
        self.sent_log.drain(i..i + n);
        let mut at = e.start;
        let mut j = i;
        while at < end {
            let piece = SentSeg {
                start: at,
                end: (at + cur).min(end),
                ever_retrans,
                ..e
            };
            self.sent_log.insert(j, piece);
            at = piece.end;
            j += 1;
        }
        self.sent_log[i]
    }

    /// Makes [from, to) of the queue one entry: the entries it cuts are split there
    /// (`tcp_fragment`) and those inside merged, keeping the first one's marks.
    pub(super) fn log_piece(&mut self, from: u64, to: u64) {
        for at in [from, to] {
            if let Some(i) = self
                .sent_log
                .iter()
                .position(|e| e.start < at && at < e.end)
            {
                let mut rest = self.sent_log[i];
                rest.start = at;
                self.sent_log[i].end = at;
                self.sent_log.insert(i + 1, rest);
            }
        }
        let Some(i) = self.sent_log.iter().position(|e| e.start == from) else {
            return;
        };
        while let Some(&next) = self.sent_log.get(i + 1) {
            if next.end > to {
                break;
            }
            let e = &mut self.sent_log[i];
            e.end = next.end;
            e.ever_retrans |= next.ever_retrans;
            self.sent_log.remove(i + 1);
        }
    }

    /// `tcp_retransmit_skb`: one queue entry sent again (its first piece of the current MSS,
    /// `cut_to_current_mss`), with the entries after it that `tcp_retrans_try_collapse`
    /// merges into it.
    pub(super) fn retransmit_entry(&mut self, e: SentSeg, ctx: &mut Ctx) {
        let e = match self.sent_log.iter().position(|x| x.start == e.start) {
            Some(i) => self.cut_to_current_mss(i, ctx.p),
            None => e,
        };
        let (e, room) = self.retrans_try_collapse(e, ctx.p);
        let len = (e.end - e.start) as u32;
        // `tcp_retransmit_skb`: one more retransmission a D-SACK must answer before the cut
        // may be undone (`undo_retrans`, −1 until the first).
        if let Some(u) = self.undo.as_mut() {
            let pcount = len.div_ceil(self.snd_mss.max(1)).max(1) as i32;
            u.retrans = u.retrans.max(0) + pcount;
        }
        // `tcp_retransmit_skb`: "save stamp of the first (attempted) retransmit", of any
        // kind but a loss probe (`tcp_send_loss_probe` calls `__tcp_retransmit_skb`). It
        // stays until the state reopens with nothing retransmitted left
        // (`tcp_retrans_stamp_cleanup`), for the Eifel undo and the retry budget.
        if self.retrans_stamp.is_none() {
            self.retrans_stamp = Some(ctx.now);
        }
        let seq = self.sseq(e.start);
        // A FIN that left with the last data is in its skb and goes with it again. A FIN in
        // an skb of its own (`tcp_send_fin` after the data had left) goes along only if
        // `tcp_retrans_try_collapse` reaches it: every skb up to it merged, and its end
        // inside the window; then the two are one skb from now on. Otherwise it waits to be
        // resent on its own (`retransmit_lost`, a loss probe, the RTO). Measured on 6.18
        // (`fin-lost-behind-*-segment`).
        let tail = self.sndbuf.tail;
        let with_fin = e.end == tail
            && self.fin_unsacked_out()
            && (self.lone_fin.is_none() || (room && tail < self.wnd_end_off()));
        if with_fin {
            self.lone_fin = None;
        }
        let psh = self.psh_alone(seq, len, ctx);
        self.send_data_at(seq, len, with_fin, self.retransmits.max(1), psh, ctx);
    }

    /// The right edge of the peer's window as a stream offset (`tcp_wnd_end`).
    pub(super) fn wnd_end_off(&self) -> u64 {
        self.soff(self.snd_una) + self.snd_wnd as u64
    }

    /// Linux `__tcp_retransmit_skb` → `tcp_retrans_try_collapse` (tcp_retrans_collapse):
    /// a retransmitted skb of one segment, shorter than `min(current MSS, window left from
    /// it)` (`avail_wnd`, cut to `tcp_current_mss`)
    /// (a closed window counts one MSS, for the head that probes it), takes in the skbs
    /// after it in the retransmission queue while each is one segment (`tcp_can_collapse`:
    /// `tcp_skb_pcount` 1; with GSO chunks an entry is one skb only if no chunk runs past
    /// it), not SACKed, fits what is left of that room and ends inside the window; each
    /// merge is `tcp_collapse_retrans` (end, PSH and the ever-retransmitted mark move
    /// over). The merged entry is returned, and whether the walk ran (the sysctl on, the
    /// skb short enough): then it would take a FIN's skb in too, once it reaches it.
    /// Measured on 6.18 (`rto-collapse`): two 5-byte segments lost, the RTO resent one
    /// 10-byte segment.
    pub(super) fn retrans_try_collapse(
        &mut self,
        e: SentSeg,
        p: &crate::profile::Profile,
    ) -> (SentSeg, bool) {
        let Some(i) = self.sent_log.iter().position(|x| x.start == e.start) else {
            return (e, false);
        };
        if !p.retrans_collapse {
            return (self.sent_log[i], false);
        }
        let chunked = p.min_tso_segs > 0;
        let one_skb = |s: &Self, x: &SentSeg| {
            !chunked
                || s.skbs
                    .at(x.start)
                    .is_some_and(|k| k.start == x.start && k.end == x.end)
        };
        let mss = self.current_mss(p).max(1) as i64;
        let wnd_end = self.wnd_end_off();
        let avail = (wnd_end as i64 - e.start as i64).max(0);
        let mut space = if avail == 0 { mss } else { avail.min(mss) };
        let to = self.sent_log[i];
        let len = (to.end - to.start) as i64;
        if len >= space || !one_skb(self, &to) {
            return (to, false);
        }
        space -= len;
        while let Some(&next) = self.sent_log.get(i + 1) {
            if next.start != self.sent_log[i].end || next.sacked || !one_skb(self, &next) {
                break;
            }
            space -= (next.end - next.start) as i64;
            if space < 0 || next.end > wnd_end {
                break;
            }
            let merged = &mut self.sent_log[i];
            merged.end = next.end;
            merged.ever_retrans |= next.ever_retrans;
            self.sent_log.remove(i + 1);
            self.skbs.merge_at(next.start);
        }
        (self.sent_log[i], true)
    }

    /// In fast recovery or in the loss state after an RTO (Linux `icsk_ca_state` ≥
    /// TCP_CA_Recovery): no loss probe, no reordering window, no TSO deferral.
    pub(super) fn recovering(&self) -> bool {
        self.cc.in_recovery() || self.loss_high.is_some()
    }

    /// Linux `tcp_enter_loss` and the first retransmission of `tcp_retransmit_timer`, with
    /// the scoreboard. ssthresh is cut unless this RTO continues an episode that already cut
    /// it (a fast recovery or an earlier RTO whose SND.NXT is not yet acknowledged, unless
    /// this is the first RTO since the last ACK of new data). `tcp_timeout_mark_lost`: every
    /// segment not SACKed is lost, except those sent less than RACK's RTT ago (the head is
    /// always lost); SACKed ones stay SACKed unless the peer reneged (it SACKed the head,
    /// which a cumulative ACK would have covered: `tcp_check_sack_reneging`), so they are
    /// never sent again (`tcp_xmit_retransmit_queue` skips them). cwnd is what is still in
    /// flight plus one, and the head is resent at once; SND.NXT stays where it is.
    pub(super) fn enter_loss(&mut self, ctx: &mut Ctx) {
        let episode = self.cc.recover.or(self.loss_high);
        let reduce = episode.is_none_or(|high| !high.gt(self.snd_una))
            || (self.loss_high.is_some() && self.retransmits == 1);
        // Open or Disorder before this RTO (`new_recovery`: `icsk_ca_state < TCP_CA_Recovery`).
        let new_recovery = !self.recovering();
        // `tcp_enter_loss` remembers what it cuts (`prior_ssthresh`, `prior_cwnd`), outside a
        // cwnd reduction `tcp_current_ssthresh` is ¾ of cwnd if that is more.
        let prior_ssthresh = if self.cc.in_recovery() {
            self.cc.ssthresh
        } else {
            self.current_ssthresh()
        };
        let prior_cwnd = self.cc.cwnd;
        self.cc.on_rto(reduce);
        self.cc.cubic_loss_reset(ctx.now, self.snd_max);
        let reneged = self.sent_log.front().is_some_and(|e| e.sacked);
        if !reneged {
            // `tcp_reset_reno_sack`: without SACK the duplicate ACKs counted go.
            self.reno_sacked = 0;
        }
        let rack_rtt = self.rack.map_or(0, |(_, rtt, _)| rtt);
        let now = ctx.now;
        for (i, e) in self.sent_log.iter_mut().enumerate() {
            if reneged {
                e.sacked = false;
            } else if e.sacked || (i > 0 && now.saturating_sub(e.sent) < rack_rtt) {
                continue;
            }
            e.lost = true;
            e.retrans = false;
        }
        // The FIN's own skb, last in the queue, is marked as any other (the head when no data
        // is left, so always).
        let head = self.sent_log.is_empty();
        if let Some(f) = self.lone_fin.as_mut() {
            if reneged {
                f.sacked = false;
            }
            if !f.sacked && (head || now.saturating_sub(f.sent) >= rack_rtt) {
                f.lost = true;
            }
        }
        // "Timeout in disordered state after receiving substantial DUPACKs suggests that
        // the degree of reordering is over-estimated": from Open or Disorder, with at least
        // `tcp_reordering` segments SACKed (`tp->sacked_out`, counted after
        // `tcp_timeout_mark_lost` forgot a reneging peer's SACKs, or the duplicate ACKs of a
        // connection without SACK), tp->reordering falls back to the sysctl.
        let mss = self.snd_mss.max(1) as u64;
        let sacked_out = self
            .sent_log
            .iter()
            .filter(|e| e.sacked)
            .map(|e| (e.end - e.start).div_ceil(mss).max(1))
            .sum::<u64>()
            + u64::from(self.lone_fin.is_some_and(|f| f.sacked))
            + u64::from(self.reno_sacked);
        let sysctl = ctx.p.dupack_threshold;
        if new_recovery && sacked_out >= u64::from(sysctl) {
            self.reord.degree = self.reord.degree.min(sysctl);
        }
        if reduce {
            // `tcp_init_undo` after `tcp_timeout_mark_lost`: only copies not marked lost
            // again are still retransmissions in flight.
            self.init_undo(prior_ssthresh);
            if let Some(u) = self.undo.as_mut() {
                u.prior_cwnd = prior_cwnd;
            }
        }
        self.cc.cwnd = (self.pipe_segs() + 1) * self.snd_mss.max(1);
        self.loss_high = Some(self.snd_max);
        // F-RTO, RFC 5682 §3.1 step 1 (`tcp_enter_loss`): for a new recovery, or for a
        // timeout that recurs on the same SND.UNA (§3.2: `icsk_retransmits`, the RTOs since
        // the last ACK of new data, which `retransmits` counts with this one).
        self.frto = ctx.p.frto > 0 && (new_recovery || self.retransmits > 1);
        match self.sent_log.front().copied() {
            Some(head) => self.retransmit_entry(head, ctx),
            // Only the FIN is outstanding.
            None => self.retransmit_first(ctx),
        }
    }

    pub(super) fn retransmit_first(&mut self, ctx: &mut Ctx) {
        let outstanding = self.snd_max.diff(self.snd_una).max(0) as u32;
        let data_left = self.sndbuf.tail.saturating_sub(self.soff(self.snd_una)) as u32;
        let len = data_left.min(self.snd_mss).min(outstanding);
        let with_fin = len == data_left && self.fin_unsacked_out();
        if len == 0 && !with_fin {
            return;
        }
        let psh = self.psh_alone(self.snd_una, len, ctx);
        self.send_data_at(
            self.snd_una,
            len,
            with_fin,
            self.retransmits.max(1),
            psh,
            ctx,
        );
    }
}
