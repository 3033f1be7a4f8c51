//! The ACK field: snd_una and the send window (RFC 9293 §3.10.7.4, fifth step), the
//! retransmission queue cleaned (Linux `tcp_clean_rtx_queue`), RTT samples (RFC 6298, RFC 7323
//! §4) and NewReno's side of an ACK (RFC 6582).

use super::*;

impl TcpSocket {
    /// A cumulative ACK moves SND.UNA to `ack` (RFC 9293 §3.10.7.4): the timed segment gives
    /// its RTT sample (RFC 6298 §3) and SND.NXT never stays behind SND.UNA. Returns how far
    /// into the send buffer the data is now acknowledged.
    pub(super) fn advance_una(
        &mut self,
        ack: SeqNumber,
        now: Micros,
        p: &crate::profile::Profile,
    ) -> u64 {
        self.snd_una = ack;
        if self.snd_nxt.lt(self.snd_una) {
            self.snd_nxt = self.snd_una;
        }
        // After SND.UNA moved, as in `tcp_ack` (`tcp_snd_una_update` before
        // `tcp_clean_rtx_queue` takes the sample): the estimator's round ends on this ACK.
        if let Some((end, sent)) = self.rtt_probe {
            if ack.ge(end) {
                self.rtt_probe = None;
                self.rtt_sample(now - sent, p);
            }
        }
        self.soff(ack).min(self.sndbuf.tail)
    }

    pub(super) fn process_ack(&mut self, seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) {
        use TcpState::*;
        // `tcp_ack`: any acceptable ACK answers the zero-window probes (`icsk_probes_out = 0`).
        self.probes_out = 0;
        self.rcv_tstamp = ctx.now;
        self.cc.now_us = ctx.now;
        let seq = SeqNumber(h.seq);
        let ack = SeqNumber(h.ack);
        let wnd = (h.window as u32) << self.snd_wscale;
        let window_changed = wnd != self.snd_wnd;
        // The probe episode (`icsk_probes_tstamp`) is not ended by any opening of the
        // window: only by one over the whole waiting skb (`ack_probe`), or by a probe timer
        // that finds data in flight or nothing waiting (`on_persist`).
        // `tcp_ack`: an ACK of new data, or one at SND.UNA while data is out (a duplicate
        // ACK, or SACK blocks to read). Both profiles clean the retransmission queue the same
        // way; they differ in how losses are found and cwnd answers them.
        let outstanding = self.snd_max.gt(self.snd_una);
        if ack.gt(self.snd_una) || (ack == self.snd_una && outstanding) {
            // RFC 5681 §2's duplicate ACK (Linux: !FLAG_NOT_DUP).
            let dup = ack == self.snd_una
                && seg.payload_len == 0
                && !h.flags.syn
                && !h.flags.fin
                && !window_changed;
            let flight = self.snd_max.diff(self.snd_una).max(0) as u32;
            // `tp->rack.advanced` is per ACK.
            self.rack_advanced = false;
            let scoreboard = self.scoreboard(ctx.p);
            // `tcp_sacktag_write_queue` → `tcp_check_dsack` runs before the queue is cleaned.
            let dsack = if scoreboard && self.sack_ok {
                self.check_dsack(h)
            } else {
                DsackSeen::default()
            };
            let prior_stamp = self.retrans_stamp;
            let tsecr = h.options.timestamps.map(|(_, ecr)| ecr);
            let acked = ack
                .gt(self.snd_una)
                .then(|| self.clean_rtx_queue(ack, tsecr, ctx));
            if scoreboard {
                self.ack_scoreboard(h, acked, dup, dsack, prior_stamp, ctx);
            } else {
                // No scoreboard, no probe to settle but by the ACK that covers it.
                if self.tlp_high_seq.is_some_and(|high| ack.ge(high)) {
                    self.tlp_high_seq = None;
                }
                if let Some(a) = acked.filter(|_| ctx.p.rtt_every_ack) {
                    self.ack_update_rtt(a.samples, h, ctx);
                }
                self.ack_newreno(ack, acked, dup, flight, ctx);
            }
        } else if self.scoreboard(ctx.p) && self.sack_ok {
            // `tcp_ack`'s `no_queue` and `old_ack` paths: an ACK with nothing outstanding, or
            // an old one, still has its SACK blocks read, and "if data was DSACKed, see if we
            // can undo a cwnd reduction" (`tcp_fastretrans_alert` → `tcp_try_undo_dsack` in
            // the open state).
            let dsack = self.check_dsack(h);
            if dsack.segs > 0 && !self.recovering() {
                self.try_undo_dsack();
            }
            // `no_queue` (not `old_ack`) settles the probe too: a pure duplicate of the ACK
            // that reached it ends the episode.
            if ack == self.snd_una {
                let dupack = seg.payload_len == 0 && !h.flags.fin && !window_changed;
                self.process_tlp_ack(ack, dsack.probe, !dupack);
            }
        }
        // Window update (RFC 9293 §3.10.7.4: SND.WL1/WL2 guard against old segments).
        if self.snd_wl1.lt(seq) || (self.snd_wl1 == seq && self.snd_wl2.le(ack)) {
            let was_zero = self.snd_wnd == 0;
            if wnd != self.snd_wnd {
                self.snd_wnd = wnd;
                // `tcp_ack_update_window`: a new window is a new prediction.
                self.fast_path_check();
                // ... and, with data waiting to be sent (`!tcp_write_queue_empty`), Linux's
                // other check for idleness (`tcp_slow_start_after_idle_check`, besides
                // `tcp_skb_entail`): with nothing in flight before this ACK
                // (`tp->packets_out`, read before `tcp_clean_rtx_queue`) and more than an
                // RTO since the last send, cwnd restarts before the new window sends the
                // queue. Measured on 6.18 (explore seed 49400 #8: 110 KB written before the
                // peer's window closed, 313 ms with nothing sent, then a window of 62464):
                // tcp_probe shows cwnd 71 → 35 at that ACK, and 35 segments leave, not 43.
                if !outstanding && self.unsent_waiting() {
                    self.restart_after_idle(ctx);
                }
            }
            if wnd > self.max_snd_wnd {
                self.max_snd_wnd = wnd;
                self.sync_mss();
            }
            self.snd_wl1 = seq;
            self.snd_wl2 = ack;
            if was_zero && wnd > 0 && ctx.p.probe_with_data {
                // The textbook: an open window ends the probing (RFC 9293 §3.8.6.1).
                self.cancel_timer(TimerKind::Persist, ctx);
                self.probe_backoff = 0;
            }
        }
        if !ctx.p.probe_with_data && !outstanding {
            self.ack_probe(ctx);
        }
        if self.fin_acked() {
            match self.state {
                FinWait1 => {
                    self.set_state(FinWait2, ctx);
                    // Linux tcp_fin_timeout for orphaned sockets (`tcp_rcv_state_process`,
                    // FIN-WAIT-1). A segment that brings data or a FIN past rcv_nxt ("Receive
                    // out of order FIN after close()") is reset by the text step instead.
                    let past_nxt = (seg.payload_len > 0 || h.flags.fin)
                        && self.seq_end_after_rcv(SeqNumber(h.seq), seg.payload_len);
                    if self.app_closed && !past_nxt {
                        self.orphan_in_fin_wait2(h.flags.fin, ctx);
                    }
                }
                Closing => self.enter_time_wait(ctx),
                LastAck => {
                    self.save_metrics(ctx);
                    self.set_state(Closed, ctx);
                }
                _ => {}
            }
        }
    }

    /// A cumulative ACK inside a segment leaves its unacknowledged rest in the queue
    /// (`tcp_trim_head`), starting at the ACK; a segment wholly below it is gone. The queue
    /// is kept in order of `start` without overlaps (a loss probe splits the segment it
    /// resends, see `send_loss_probe`), so this touches the front; it trims every entry the
    /// ACK reaches so that no segment is ever sent again from below SND.UNA.
    pub(super) fn trim_sent_log(&mut self, data_acked: u64) {
        self.sent_log.retain(|e| e.end > data_acked);
        for e in self.sent_log.iter_mut() {
            if e.start >= data_acked {
                break;
            }
            e.start = data_acked;
        }
    }

    /// Linux `tcp_packets_in_flight` (packets_out - sacked_out - lost_out + retrans_out):
    /// segments, whatever their size, as cwnd counts them (`tcp_skb_pcount`; the log holds
    /// one entry per segment sent). A FIN in an skb of its own is one more; one that rode
    /// on the last data segment is part of it. Measured on 6.18 (TCP_NODELAY, 50 ms one
    /// way, 16 one-byte writes 1 ms apart): ten 1-byte segments fill cwnd 10, the other six
    /// bytes wait for the first ACK and leave as one segment.
    pub(super) fn pipe_segs(&self) -> u32 {
        let sent = self.sent_log.iter().filter(|e| e.in_flight()).count() as u64;
        let fin = (self.fin_unsacked_out() && self.lone_fin.is_some_and(|f| !f.lost)) as u64;
        (sent + fin)
            .saturating_sub(self.reno_sacked as u64)
            .min(u32::MAX as u64) as u32
    }

    /// What cwnd leaves for more segments now, in bytes of full segments: Linux
    /// `tcp_cwnd_test`'s cwnd - `tcp_packets_in_flight` (and `tcp_tso_should_defer`'s
    /// `cong_win`, that times mss).
    pub(super) fn cwnd_room_segs(&self) -> u32 {
        let mss = self.snd_mss.max(1);
        (self.cc.cwnd / mss).saturating_sub(self.pipe_segs()) * mss
    }

    /// `tcp_clean_rtx_queue` for an ACK beyond SND.UNA: SND.UNA moves (`advance_una`), the
    /// segments wholly acknowledged leave the queue (those not SACKed before count as
    /// delivered and move RACK), a segment the ACK cuts keeps its rest (`trim_sent_log`),
    /// the send buffer lets the bytes go, and the retry count restarts (`tcp_ack`: SND.UNA
    /// advanced, `icsk_retransmits` = 0). The RTO's backoff ends only with a valid RTT sample
    /// ([`Self::end_backoff`]), not here.
    pub(super) fn clean_rtx_queue(
        &mut self,
        ack: SeqNumber,
        tsecr: Option<u32>,
        ctx: &Ctx,
    ) -> Acked {
        let mss = self.snd_mss.max(1) as u64;
        let prior_una = self.soff(self.snd_una);
        let prior_fack = self.highest_sack_off();
        // A FIN in an skb of its own, acknowledged here: `tcp_clean_rtx_queue` counts it as
        // it counts data (pcount 1, FLAG_DATA_ACKED for any skb but a SYN's, one more in
        // `tp->delivered`), so its ACK grows a cwnd-limited window in slow start. Measured on
        // 6.18 (explore seed 47600 #23: 0 ms, the first SYN-ACK lost, so cwnd 1; the server's
        // FIN its only segment): tcp_info cwnd 2 once the FIN is acknowledged.
        let fin_delivered = self.lone_fin.is_some_and(|f| !f.sacked)
            && !self.snd_una.gt(self.fin_seq())
            && ack.gt(self.fin_seq());
        let data_acked = self.advance_una(ack, ctx.now, ctx.p);
        let mut delivered = u32::from(fin_delivered);
        // `tcp_clean_rtx_queue`'s first_ackt/last_ackt: send times of the oldest and newest
        // segments acknowledged here that were neither retransmitted nor SACKed before, a
        // segment acknowledged in part included (`tcp_tso_acked`).
        let fresh = |e: &SentSeg| !e.ever_retrans && !e.sacked;
        let reached: Vec<SentSeg> = self
            .sent_log
            .iter()
            .take_while(|e| e.start < data_acked)
            .copied()
            .collect();
        let first_ackt = reached.iter().find(|e| fresh(e)).map(|e| e.sent);
        let last_ackt = reached.iter().rev().find(|e| fresh(e)).map(|e| e.sent);
        let retrans_acked = reached.iter().any(|e| e.ever_retrans);
        let reord = reached.iter().filter(|e| fresh(e)).map(|e| e.start).min();
        let newest = reached
            .iter()
            .filter(|e| !e.sacked)
            .map(|e| (e.sent, e.order, e.tx_delivered))
            .max();
        let prior_sacked = self.sent_log.iter().any(|e| e.sacked);
        let lone_runt = reached.len() == 1
            && reached[0].end <= data_acked
            && data_acked - prior_una.max(reached[0].start) < mss;
        let samples = RttSamples {
            seq: first_ackt
                .filter(|_| !retrans_acked)
                .map(|t| ctx.now.saturating_sub(t)),
            sack: None,
            ca: last_ackt
                .filter(|_| !retrans_acked)
                .map(|t| ctx.now.saturating_sub(t)),
            acked: !reached.is_empty() || (self.lone_fin.is_some() && ack.gt(self.fin_seq())),
            maybe_delayed: lone_runt && !prior_sacked && !retrans_acked,
        };
        // FLAG_ORIG_SACK_ACKED: an skb never retransmitted (TCPCB_RETRANS clear), not SACKed
        // before, ending at or below high_seq, acknowledged in whole or in part (a partly
        // acknowledged skb counts too: `tcp_tso_acked` trims it and the test runs on it).
        // Without SACK it is cleared when any segment this ACK covers was retransmitted
        // (FLAG_RETRANS_DATA_ACKED): "non-SACK case cannot confirm that progress was due to
        // original transmission", so after an RTO a partial ACK that covers the resent head
        // is no F-RTO proof of a spurious timeout (`tcp_clean_rtx_queue`).
        let high = self.loss_high.map(|h| self.soff(h));
        let orig_acked = (self.sack_ok || !retrans_acked)
            && self.sent_log.iter().any(|e| {
                e.start < data_acked
                    && e.end > prior_una
                    && !e.sacked
                    && !e.ever_retrans
                    && high.is_some_and(|h| e.end <= h)
            });
        while let Some(e) = self.sent_log.front().copied() {
            if e.end > data_acked {
                break;
            }
            self.sent_log.pop_front();
            if !e.sacked {
                delivered += (e.end - e.start).div_ceil(mss) as u32;
                // `tcp_skb_spurious_retrans`: a retransmitted segment whose ACK echoes a
                // timestamp older than the retransmission was delivered by its original,
                // whose send time RACK does not know; it leaves RACK where it is.
                let spurious = e.ever_retrans
                    && self.ts_ok
                    && tsecr.is_some_and(|ecr| {
                        ecr != 0 && SeqNumber(ecr).lt(SeqNumber(self.ts_val(e.sent)))
                    });
                if !spurious {
                    self.rack_advance(&e, ctx);
                }
            }
        }
        self.trim_sent_log(data_acked);
        let bytes_acked = data_acked.saturating_sub(self.sndbuf.head) as u32;
        self.sndbuf.release_to(data_acked);
        self.skbs.ack_to(data_acked);
        self.retransmits = 0;
        Acked {
            delivered,
            bytes_acked,
            fin_delivered,
            orig_acked,
            reord,
            prior_fack,
            prior_una,
            newest,
            samples,
        }
    }

    /// Linux `tcp_ack_update_rtt` (profile `rtt_every_ack`): the ACK's own sample if it has
    /// one, else the SACK's, else, if it acknowledged something, the timestamp echo
    /// (`tcp_rtt_tsopt_us`: whole milliseconds of our timestamp clock, at least one) — the
    /// only sample an ACK of retransmitted data gives, however late the ACK (an ACK held
    /// past an RTO lengthens the RTO). The minimum RTT takes `ca_rtt_us` unless the ACK was
    /// likely delayed and would raise it (`tcp_update_rtt_min`).
    pub(super) fn ack_update_rtt(&mut self, s: RttSamples, h: &TcpHeader, ctx: &Ctx) {
        let (seq, ca) = self.ack_rtts(&s, h, ctx.now);
        let Some(r) = seq else {
            return;
        };
        let ca = ca.unwrap_or(r);
        if !(s.maybe_delayed && self.min_rtt.is_some_and(|m| ca > m)) {
            self.min_rtt = Some(self.min_rtt.map_or(ca.max(1), |m| m.min(ca.max(1))));
        }
        self.rtt.sample(r, self.snd_una, self.snd_nxt, ctx.p);
        self.end_backoff();
    }

    /// Linux `tcp_rtt_tsopt_us`: the round trip a timestamp echo `ecr` tells, in whole
    /// milliseconds of our timestamp clock (`min` ms when it reads 0), or None for an echo
    /// from the future or too far in the past.
    pub(super) fn rtt_tsopt_us(&self, ecr: u32, now: Micros, min: u32) -> Option<Micros> {
        let delta = self.ts_val(now).wrapping_sub(ecr);
        (delta < i32::MAX as u32 / 1000)
            .then(|| (if delta == 0 { min } else { delta }) as Micros * 1000)
    }

    /// The two RTTs `tcp_ack_update_rtt` makes of an ACK's samples: `seq_rtt_us` (the
    /// cumulative ACK's, else the SACK's, else, if it acknowledged something, the timestamp
    /// echo's: `tcp_rtt_tsopt_us`, whole milliseconds of our timestamp clock, at least one)
    /// for the estimator, and `ca_rtt_us` (the newest segment's, or the echo's) — which it
    /// also hands the congestion module as the rate sample's RTT (`rs->rtt_us`).
    pub(super) fn ack_rtts(
        &self,
        s: &RttSamples,
        h: &TcpHeader,
        now: Micros,
    ) -> (Option<Micros>, Option<Micros>) {
        let seq = s.seq.or(s.sack);
        if seq.is_none() && s.acked && self.ts_ok {
            let echo = h.options.timestamps.filter(|&(_, ecr)| ecr != 0);
            if let Some(r) = echo.and_then(|(_, ecr)| self.rtt_tsopt_us(ecr, now, 1)) {
                return (Some(r), Some(r));
            }
        }
        (seq, s.ca)
    }

    /// The textbook's answer to an ACK (no PRR, no RACK): RFC 5681 §3.2's duplicate-ACK
    /// count and RFC 6582's NewReno, one hole per partial ACK. `flight` is what was
    /// outstanding before the ACK.
    pub(super) fn ack_newreno(
        &mut self,
        ack: SeqNumber,
        acked: Option<Acked>,
        dup: bool,
        flight: u32,
        ctx: &mut Ctx,
    ) {
        if let Some(a) = acked {
            // The textbook keeps no undo: the retry count starts again with new data.
            self.retrans_stamp = None;
            // Only data grows the window (the SYN and FIN take a sequence number each).
            let grow = a.bytes_acked > 0 && (self.cc.in_recovery() || self.may_grow_cwnd());
            let action = if grow {
                self.cc.on_new_ack(ack, a.bytes_acked, flight)
            } else {
                CcAction::None
            };
            self.update_pacing_rate();
            self.restart_rto_on_progress(ctx);
            if action == CcAction::RetransmitFirst {
                self.retransmit_first(ctx);
            }
        } else if dup
            && self.snd_nxt != self.snd_una
            && self
                .cc
                .on_dupack(ctx.p.dupack_threshold, flight, self.snd_max)
                == CcAction::RetransmitFirst
        {
            self.stats.fast_retransmits += 1;
            self.rtt_probe = None;
            self.retransmit_first(ctx);
        }
    }

    /// Linux `hystart_ack_delay`: the time a 64 KiB GSO burst takes at 4× the pacing rate,
    /// at most 1 ms (µs).
    pub(super) fn hystart_ack_delay(&self) -> Micros {
        let Some(rate) = self.pacing_rate().filter(|&r| r > 0) else {
            return 0;
        };
        (GSO_MAX_SIZE * 4 * 1_000_000 / rate).min(1_000)
    }
}
