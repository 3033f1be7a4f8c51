//! Data in: the segment's text and FIN (RFC 9293 §3.10.7.4, seventh and eighth steps), the
//! out-of-order queue and the SACK blocks we write (RFC 2018 §4), delayed and quick ACKs
//! (RFC 1122 §4.2.3.2, RFC 5681 §4.2; Linux `tcp_data_queue`, `tcp_event_data_recv`,
//! `__tcp_ack_snd_check`).

use super::*;

/// What a segment's text asks of the ACK, in the order of Linux's `__tcp_ack_snd_check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AckDue {
    /// Nothing at once: the delayed ACK, if one is owed.
    Later,
    /// An ACK at once (a full segment owed with the window not shrinking, a hole filled,
    /// a duplicate, out of window, no memory: ICSK_ACK_NOW or quick-ACK mode).
    Now,
    /// Data is held out of order: at once, or held back by SACK compression
    /// ([`TcpSocket::sack_compress`]).
    OutOfOrder,
}

/// What `tcp_measure_rcv_mss` reads of an arriving data segment besides its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SegShape {
    /// Payload bytes (`skb->len` once the header is pulled).
    pub len: u32,
    /// The TCP header with its options, bytes (the data offset: `skb->data -
    /// skb_transport_header(skb)`).
    pub header_len: u32,
    /// PSH set.
    pub psh: bool,
    /// Any of FIN, URG, PSH, RST, SYN set (`TCP_REMNANT`).
    pub remnant: bool,
}

impl SegShape {
    pub(super) fn of(seg: &Segment, h: &TcpHeader) -> SegShape {
        let f = h.flags;
        SegShape {
            len: seg.payload_len,
            header_len: h.header_len as u32,
            psh: f.psh,
            remnant: f.fin || f.urg || f.psh || f.rst || f.syn,
        }
    }
}

impl TcpSocket {
    /// Linux `tcp_fast_path_check`: header prediction comes back on (expecting the peer's
    /// current window field) while nothing is out of order, the window offered is open and
    /// the queues' memory is under the buffer; it never turns prediction off.
    pub(super) fn fast_path_check(&mut self) {
        if self.ooo.is_empty() && self.rcv_wnd > 0 && self.rmem() < self.rcvbuf_bytes() {
            self.rcv_pred_wnd = Some((self.snd_wnd >> self.snd_wscale).min(65_535) as u16);
        }
    }

    /// Linux `tcp_rcv_established`'s header prediction for an arriving segment: an
    /// ESTABLISHED socket, a plain ACK (PSH aside) carrying the predicted window field and
    /// no option but the timestamps, starting at rcv_nxt.
    pub(super) fn header_predicted(&self, seg: &Segment, h: &TcpHeader) -> bool {
        let f = h.flags;
        self.state == TcpState::Established
            && self.rcv_pred_wnd == Some(h.window)
            && f.ack
            && !(f.syn || f.fin || f.rst || f.urg)
            && h.options.sack.is_empty()
            && h.options.mss.is_none()
            && h.options.window_scale.is_none()
            && h.options.timestamps.is_some() == self.ts_ok
            && SeqNumber(h.seq) == self.rcv_nxt
            && seg.payload_len > 0
    }

    /// The SACK blocks for an outgoing segment: a pending D-SACK first (sent once), then the
    /// out-of-order blocks, most recent first; at most 3 beside timestamps (40 option
    /// bytes), 4 without (Linux `tcp_established_options`).
    pub(super) fn sack_option(&mut self, p: &crate::profile::Profile) -> Vec<(u32, u32)> {
        if !p.sack_permitted {
            return Vec::new();
        }
        let max = if self.ts_ok { 3 } else { 4 };
        let base = self.irs.0.wrapping_add(1);
        let to_seq =
            |(a, b): (u64, u64)| (base.wrapping_add(a as u32), base.wrapping_add(b as u32));
        let blocks = self
            .fin_ack_sacks
            .take()
            .unwrap_or_else(|| self.sack_blocks.clone());
        // `tcp_dsack_set` records nothing with tcp_dsack 0: none is ever sent.
        self.dsack
            .take()
            .filter(|_| p.dsack)
            .into_iter()
            .chain(blocks)
            .take(max)
            .map(to_seq)
            .collect()
    }

    /// The bytes the SACK option of the next segment takes, as `sack_option` will fill it,
    /// without taking its one-shot blocks (D-SACK, the FIN's). Linux
    /// `tcp_established_options`: `num_sacks + dsack` blocks, as many as fit in the 40 option
    /// bytes beside the timestamps, `TCPOLEN_SACK_BASE_ALIGNED` 4 + 8 a block.
    pub(super) fn sack_option_len(&self, p: &crate::profile::Profile) -> u32 {
        if !p.sack_permitted || !self.sack_ok {
            return 0;
        }
        let max = if self.ts_ok { 3 } else { 4 };
        let dsack = (self.dsack.is_some() && p.dsack) as usize;
        let blocks = self
            .fin_ack_sacks
            .as_ref()
            .map_or(self.sack_blocks.len(), |b| b.len());
        match (dsack + blocks).min(max) {
            0 => 0,
            n => 4 + 8 * n as u32,
        }
    }

    /// Out-of-order data [start, end) arrived: merge it into the SACK blocks and move that
    /// block to the front (Linux `tcp_sack_new_ofo_skb`).
    pub(super) fn sack_add(&mut self, start: u64, end: u64) {
        let (mut a, mut b) = (start, end);
        self.sack_blocks.retain(|&(x, y)| {
            if x <= b && a <= y {
                a = a.min(x);
                b = b.max(y);
                false
            } else {
                true
            }
        });
        self.sack_blocks.insert(0, (a, b));
        self.sack_blocks.truncate(4);
    }

    /// Linux `tcp_dsack_extend`: with no D-SACK pending, [start, end) becomes it
    /// (`tcp_dsack_set`); otherwise it widens the pending one if the two touch
    /// (`tcp_sack_extend`). Only with SACK (and the tcp_dsack sysctl, on by default).
    pub(super) fn dsack_extend(&mut self, start: u64, end: u64) {
        if !self.sack_ok {
            return;
        }
        match &mut self.dsack {
            None => self.dsack = Some((start, end)),
            Some((a, b)) => {
                if start <= *b && *a <= end {
                    *a = (*a).min(start);
                    *b = (*b).max(end);
                }
            }
        }
    }

    /// An out-of-order skb leaves the queue and its memory goes back (`tcp_drop_reason`).
    pub(super) fn free_ofo_skb(&mut self, skb: &OfoSkb) {
        self.ooo_bytes -= spans_len(&skb.spans);
        if self.rcv_skb_overhead > 0 {
            self.ooo_mem = self.ooo_mem.saturating_sub(skb.truesize as u64);
            self.mem_uncharge(skb.truesize as u64);
        }
    }

    /// Linux `tcp_send_delayed_ack`: arm the delayed-ACK timer `ato` from now. With one
    /// already pending, the earlier of the two timeouts stands, and one due within a quarter
    /// of the ATO (`ato >> 2`, in jiffies) is not waited for: the ACK goes now. Measured on
    /// 6.18 (loss-fast-retransmit with TCP_MAXSEG 536, psh-half-window with SO_RCVBUF 4096
    /// or initrwnd 1): the next flight's first segment, arriving 42 ms after the last ACK'd
    /// one left an ACK owed, is acknowledged at once, its followers 40 ms later. The RFC
    /// profile keeps one fixed timer.
    pub(super) fn send_delayed_ack(&mut self, ctx: &mut Ctx) {
        let ato = self.delack_timeout(ctx);
        let linux = ctx.p.quickack_max > 0;
        if self.timer(TimerKind::DelayedAck).is_some() {
            if !linux {
                return;
            }
            let quarter = if ctx.p.timer_wheel && ctx.p.clock_granularity_us > 0 {
                let j = ctx.p.clock_granularity_us;
                ((ato / j) >> 2) * j
            } else {
                ato / 4
            };
            if self.delack_due <= ctx.now + quarter {
                self.send_ack(ctx);
                return;
            }
            if ctx.now + ato >= self.delack_due {
                return;
            }
        }
        self.delack_due = ctx.now + ato;
        self.arm_timer(TimerKind::DelayedAck, ato, ctx);
    }

    /// How long an owed ACK may wait. Linux `tcp_send_delayed_ack`: the ATO, bounded by the
    /// smoothed RTT (at least TCP_DELACK_MIN) once it grew above TCP_DELACK_MIN, and by
    /// `tcp_delack_max`, in whole jiffies (`icsk_ack.ato` is kept in jiffies); an ATO of
    /// 0 (no data received yet) fires at the next timer tick (`timeout = jiffies + ato` on
    /// the wheel; without the wheel one
    /// [`crate::profile::Profile::clock_granularity_us`]). The RFC profile waits a fixed
    /// `delayed_ack_us`.
    pub(super) fn delack_timeout(&self, ctx: &Ctx) -> Micros {
        let p = ctx.p;
        if p.quickack_max == 0 {
            return p.delayed_ack_us;
        }
        let delack_max = delack_max(p);
        let mut ato = self.ato;
        if ato > p.delayed_ack_us {
            let mut max_ato: Micros = if self.pingpong { delack_max } else { 500_000 };
            if let Some(srtt) = self.rtt.srtt {
                max_ato = max_ato.min(srtt.max(p.delayed_ack_us));
            }
            ato = ato.min(max_ato);
        }
        let ato = ato.min(delack_max);
        if p.timer_wheel {
            crate::tcp::wheel::in_jiffies(ato, p)
        } else {
            ato.max(p.clock_granularity_us)
        }
    }

    /// Linux `tcp_event_data_recv`: in-order data arrived. The first data of a connection
    /// (and data after a silence longer than the RTO) starts quick-ACK mode
    /// (`tcp_incr_quickack`, TCP_MAX_QUICKACKS); the ATO follows the arrival spacing.
    pub(super) fn event_data_recv(&mut self, len: u32, seg: SegShape, ctx: &Ctx) {
        let p = ctx.p;
        self.ack_sched = true;
        if p.quickack_max == 0 {
            return;
        }
        self.measure_rcv_mss(seg);
        self.rcv_rtt_measure(ctx.now);
        // The kernel keeps the ATO, TCP_ATO_MIN, the RTO and the gap since the last
        // arrival in whole jiffies and halves the ATO with a shift: back-to-back segments
        // bring it down to TCP_ATO_MIN exactly (30, 20, 15, 12, 11, 10 jiffies), where
        // halving microseconds would stay above it and round up to one jiffy more.
        let unit = crate::tcp::wheel::jiffy_unit(p);
        let ato_min = p.delayed_ack_us / unit;
        let rto = self.rtt.rto / unit;
        let mut ato = self.ato / unit;
        if ato == 0 {
            self.incr_quickack(p);
            ato = ato_min;
        } else {
            let m = self.jiffies_since_lrcv(ctx.now, p);
            if m <= ato_min / 2 {
                ato = (ato >> 1) + ato_min / 2;
            } else if m < ato {
                ato = ((ato >> 1) + m).min(rto);
            } else if m > rto {
                self.incr_quickack(p);
            }
        }
        self.ato = ato * unit;
        self.lrcvtime = ctx.now;
        // `tcp_event_data_recv` grows the window last (after `tcp_measure_rcv_mss` and the
        // quick-ACK count) and only for a segment of 128 bytes or more: measured on 6.18, 5-
        // and 100-byte requests leave the 64 << 10 window as it was.
        if len >= 128 {
            self.grow_window(len);
        }
    }

    /// `tcp_jiffies32 - icsk_ack.lrcvtime`: the ticks gone since data last arrived, in
    /// [`crate::tcp::wheel::jiffy_unit`]s (what the ATO is compared with).
    pub(super) fn jiffies_since_lrcv(&self, now: Micros, p: &crate::profile::Profile) -> u64 {
        crate::tcp::wheel::ticks_since(self.lrcvtime, now, p)
    }

    /// `tcp_incr_quickack`: as many quick ACKs as half the receive window holds segments
    /// (at least 2), at most `quickack_max`. The window is `tp->rcv_wnd`, the one last
    /// offered, not what is left of it after the segment being counted: with SO_RCVBUF 2048
    /// (a 1448-byte window, 724-byte segments) that is one quick ACK, not two. Measured on
    /// 6.18: the first of two back-to-back segments is acknowledged at once, the second,
    /// which closes the window, 44 ms later.
    pub(super) fn incr_quickack(&mut self, p: &crate::profile::Profile) {
        let wnd = self.rcv_wnd;
        let mut q = wnd / (2 * self.rcv_mss.max(1));
        if q == 0 {
            q = 2;
        }
        self.ack_quick = self.ack_quick.max(q.min(p.quickack_max));
    }

    /// Linux `tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS)`: quick-ACK mode again
    /// ([`TcpSocket::incr_quickack`]), out of ping-pong mode, the ATO back to TCP_ATO_MIN.
    /// Linux enters it when data it already holds comes again (`tcp_data_queue`'s
    /// retransmit case, `tcp_send_dupack`): the peer missed our ACK (LINUX_MIB_DELAYEDACKLOST),
    /// so the next segments are acknowledged one by one until the free space falls below
    /// half the buffer (`__tcp_select_window` ends the mode). Measured on 6.18 (explore seed
    /// 100 #34, a client that never reads): after a tail loss probe's copy was answered with
    /// a D-SACK, the first of the next two segments is acknowledged at once, the second
    /// (after which the free space is under half) waits for the delayed ACK. The RFC
    /// profile has no quick-ACK mode.
    pub(super) fn enter_quickack_mode(&mut self, p: &crate::profile::Profile) {
        if p.quickack_max == 0 {
            return;
        }
        self.incr_quickack(p);
        self.pingpong = false;
        self.ato = p.delayed_ack_us;
    }

    /// `tcp_data_queue`'s retransmit case ("A retransmit, 2nd most common case. Force an
    /// immediate ack."), for data or a FIN received again: quick-ACK mode and the ACK owed.
    pub(super) fn ack_duplicate(&mut self, p: &crate::profile::Profile) {
        self.enter_quickack_mode(p);
        self.ack_sched = true;
    }

    /// A segment wholly received before, [start, end) in receive offsets (its FIN's number
    /// included): `tcp_data_queue`'s retransmit case D-SACKs it (`tcp_dsack_set(sk, seq,
    /// end_seq)`; RFC 2883 §4), enters quick-ACK mode and schedules the ACK
    /// ([`Self::ack_duplicate`]); whether that ACK goes at once is `__tcp_ack_snd_check`'s
    /// window test ([`Self::linux_window_ack_owed`], `fin`: the peer's FIN counted in
    /// rcv_nxt), whose `__tcp_select_window` ends the quick-ACK mode just entered under
    /// memory pressure, or else its quick-ACK test (`on_segment`). The RFC profile ACKs a
    /// duplicate at once (RFC 9293 §3.10.7.4, first check). True: the ACK is owed now.
    pub(super) fn take_duplicate(&mut self, start: u64, end: u64, fin: bool, ctx: &Ctx) -> bool {
        if self.sack_ok && start < end {
            self.dsack = Some((start, end));
        }
        if ctx.p.quickack_max == 0 {
            return true;
        }
        self.ack_duplicate(ctx.p);
        self.linux_window_ack_owed(fin, ctx)
    }

    pub(super) fn seq_end_after_rcv(&self, seq: SeqNumber, len: u32) -> bool {
        (seq + len).gt(self.rcv_nxt)
    }

    /// In-window data: returns what ACK it asks for (RFC 5681 §4.2: out-of-order data, or
    /// data filling a hole, is acknowledged at once; Linux may compress the former).
    /// `fast`: the segment takes `tcp_rcv_established`'s fast path (judged on arrival).
    pub(super) fn process_text(
        &mut self,
        seq: SeqNumber,
        payload: &[PayloadSpan],
        shape: SegShape,
        fast: bool,
        ctx: &mut Ctx,
    ) -> AckDue {
        let len = shape.len;
        let nxt = self.roff(self.rcv_nxt);
        let start = self.roff(seq);
        // Offsets before rcv_nxt wrap to huge values; use the signed distance instead.
        let dist = seq.diff(self.rcv_nxt);
        let (start, skip) = if dist < 0 {
            (nxt, (-dist) as u32)
        } else {
            (start, 0)
        };
        if skip >= len {
            // An old duplicate: ACK it, reporting it as a D-SACK (RFC 2883 §4). Linux
            // `tcp_data_queue` ("A retransmit, 2nd most common case. Force an immediate
            // ack.") enters quick-ACK mode and schedules the ACK first.
            if len == 0 {
                return AckDue::Now;
            }
            // Linux has no ICSK_ACK_NOW here: `__tcp_ack_snd_check` decides, and its window
            // test comes first, whose `__tcp_select_window` ends the quick-ACK mode just
            // entered when less than half the buffer is free. So with more than a segment
            // unacknowledged and the window closing, the duplicate waits for the delayed
            // ACK, its D-SACK with it; otherwise the quick-ACK test (after this) sends it.
            // Measured on 6.18 (explore seed 5800 #27, SO_RCVBUF 4096, nobody reading): a
            // tail loss probe's copy of the segment that filled the window is answered
            // "ack=4345 win=0 sack 2897-4345" 36 ms later, by the delayed-ACK timer.
            // Offsets start at the ISN: one from before it (an old wrapped sequence
            // number) has no D-SACK (an empty range).
            let (start, end) = nxt
                .checked_sub(skip as u64)
                .map_or((0, 0), |s0| (s0, s0 + len as u64));
            return if self.take_duplicate(start, end, false, ctx) {
                AckDue::Now
            } else {
                AckDue::Later
            };
        }
        if skip > 0 && self.sack_ok {
            // Partly old: the old part is the D-SACK (Linux `tcp_data_queue`).
            self.dsack = Some((nxt - skip as u64, nxt));
        }
        // What we advertised may exceed the free space by less than one scale unit
        // (rounded up, see `advertised_window`): that much is accepted too.
        let room = self.our_window().max(self.advertised_window_now()) as u64;
        let take = ((len - skip) as u64).min((nxt + room).saturating_sub(start)) as u32;
        if take == 0 {
            return AckDue::Now;
        }
        if start == nxt {
            let had_ooo = self.ofo_held();
            // `tcp_rcv_established`: the fast path takes a predicted segment whose skb fits
            // in the memory already forward-allocated, and never looks at the buffer;
            // `tcp_data_queue` makes room first (`tcp_try_rmem_schedule`) and, when none can
            // be made, drops the segment unless the queue is empty (then the memory is
            // forced: `sk_forced_mem_schedule`), answering at once with window 0 either
            // way (ICSK_ACK_NOMEM | ICSK_ACK_NOW).
            let truesize = self.truesize(take);
            let nomem = self.truesize_accounting()
                && !fast
                && !self.try_rmem_schedule(truesize, start, ctx.p);
            if nomem {
                self.ack_nomem = true;
                if !self.rcv_skbs.is_empty() {
                    return AckDue::Now;
                }
                self.mem_schedule(truesize);
            }
            self.rcvbuf.push_range(payload, skip, take);
            self.rcv_nxt += take;
            if self.truesize_accounting() {
                let before = self.rmem();
                self.queue_rcv_skb(take, skip == 0);
                self.fwd_alloc -= (self.rmem() - before) as i64;
            }
            self.delack_bytes += take;
            self.event_data_recv(take, shape, ctx);
            self.drain_ooo();
            let linux = ctx.p.quickack_max > 0;
            let blocks_before = self.sack_blocks.clone();
            // `tcp_sack_remove`: blocks now below rcv_nxt are acknowledged cumulatively.
            let nxt = self.roff(self.rcv_nxt);
            self.sack_blocks.retain(|&(_, b)| b > nxt);
            if let Some(f) = self.ooo_fin {
                if f == self.roff(self.rcv_nxt) && !self.fin_received {
                    self.ooo_fin = None;
                    // Linux `tcp_ofo_queue` → `tcp_fin`: in FIN-WAIT-1/2 it calls
                    // `tcp_send_ack` at once, before `tcp_fin` purges the SACK blocks
                    // (`tcp_sack_reset`) and before `tcp_data_queue` reaches
                    // `tcp_sack_remove`: that ACK still reports the blocks as they stood,
                    // the FIN's own block included, though rcv_nxt now covers them
                    // (ESTABLISHED → CLOSE-WAIT only schedules the ACK, sent after the
                    // reset). Measured on 6.18 (sweep point
                    // teardown-half-close+drop=server-data-1): the resent answer fills the
                    // gap before the FIN and is acknowledged "ack=7 sack 6-7".
                    let acks_at_once =
                        linux && matches!(self.state, TcpState::FinWait1 | TcpState::FinWait2);
                    self.receive_fin(ctx);
                    // The FIN's own SACK block is now acknowledged cumulatively too.
                    let nxt = self.roff(self.rcv_nxt);
                    self.sack_blocks.retain(|&(_, b)| b > nxt);
                    if acks_at_once {
                        self.fin_ack_sacks = Some(blocks_before);
                    }
                }
            }
            if !fast {
                // The end of `tcp_data_queue`.
                self.fast_path_check();
            }
            // `tcp_data_queue`: the hole filled, the queue empty, an ACK is due at once
            // (ICSK_ACK_NOW, "RFC5681. 4.2. SHOULD send immediate ACK, when gap in queue is
            // filled"); a hole only partly filled leaves data out of order, and the ACK to
            // `sack_compress`, which sends it at once for the rcv_nxt that moved. The
            // window test comes first in `__tcp_ack_snd_check` (it has a side effect).
            let owed = self.window_ack_owed(ctx);
            if owed || nomem || (had_ooo && !self.ofo_held()) {
                AckDue::Now
            } else if had_ooo {
                AckDue::OutOfOrder
            } else {
                AckDue::Later
            }
        } else {
            // `tcp_data_queue_ofo` schedules the ACK (`inet_csk_schedule_ack`), so the
            // duplicate ACK it draws uses up a quick ACK like any other (`tcp_dec_quickack_mode`).
            // Measured on 6.18 (loss-fast-retransmit with TCP_MAXSEG 536): after 13
            // duplicate ACKs and three in-order ones, the next segment waits for the
            // delayed ACK. Before that it makes room (`tcp_try_rmem_schedule`) or drops
            // the segment unanswered (LINUX_MIB_TCPOFODROP), and turns header prediction off.
            if self.truesize_accounting()
                && !self.try_rmem_schedule(self.truesize(take), start, ctx.p)
            {
                return AckDue::Later;
            }
            self.rcv_pred_wnd = None;
            self.ack_sched = true;
            // Linux 6.17+ measures the peer's MSS and the truesize ratio on out-of-order
            // segments too ([`TcpSocket::measure_rcv_mss`]); the RFC profile, which has no
            // delayed-ACK engine, measures nothing.
            if ctx.p.quickack_max > 0 {
                self.measure_rcv_mss(shape);
            }
            // The skb just below the segment (by start): one that holds all of it already
            // ("All the bits are present. Drop": a D-SACK), or one it continues.
            let end = start + take as u64;
            let below = {
                let q = self.ooo.as_slice();
                let i = q.partition_point(|(k, _)| *k <= start);
                i.checked_sub(1).map(|j| {
                    (
                        q[j].0,
                        q[j].0 + spans_len(&q[j].1.spans) as u64,
                        q[j].1.tailroom,
                    )
                })
            };
            let covered = below.is_some_and(|(_, e, _)| e >= end);
            // `tcp_ooo_try_coalesce` → `tcp_try_coalesce`: a segment that starts where an
            // out-of-order skb ends and fits its tailroom is copied there (`skb_try_coalesce`,
            // delta 0: no new memory); TUN's kmalloc'd heads cannot be stolen as fragments,
            // so anything else is an skb of its own. Measured on 6.18 (SO_RCVBUF 8192,
            // TCP_MAXSEG 262: nine 250-byte segments behind a hole): rmem_alloc 6400, five
            // 1280-byte skbs, not nine.
            let into = below
                .filter(|&(_, e, room)| {
                    !covered && self.truesize_accounting() && e == start && room >= take
                })
                .map(|(k, _, _)| k);
            // `tcp_data_queue_ofo`: with SACK an out-of-order segment grows the window too
            // (of any length); without SACK it must not, so that duplicate ACKs stay
            // duplicates (RFC 5681 §2: same window) and trigger fast retransmit.
            let grows = self.sack_ok && !covered;
            // `tcp_data_queue_ofo` → `tcp_sack_new_ofo_skb` may first send the ACKs held
            // back: for a new skb before it grows the window and is charged (at `end:`),
            // for a coalesced one after `tcp_grow_window`; a duplicate below, with its D-SACK.
            if !covered && into.is_none() {
                self.sack_blocks_expected_flush(start, end, ctx);
            }
            if grows && self.truesize_accounting() {
                // `tcp_grow_window` runs before `skb_set_owner_r` charges the skb: the room
                // it sees (`tcp_space`) does not count the segment being queued. Measured on
                // 6.18 (`ofo-window-growth`): after four out-of-order full segments and the
                // hole filled, one read reopens the window to 10136 (rcv_ssthresh grew by
                // 2896 on the first), where counting the skb would leave it at 8688.
                self.grow_window(take);
            }
            if let Some(k) = into {
                self.sack_blocks_expected_flush(start, end, ctx);
                if let Some(skb) = self.ooo.get_mut(&k) {
                    for_each_in_range(payload, skip, take, |sp| push_span(&mut skb.spans, sp));
                    skb.tailroom -= take;
                    self.ooo_bytes += take;
                }
            } else if !covered {
                // `tcp_data_queue_ofo`'s overlaps. A segment starting where the skb below
                // starts, and longer, replaces it, which becomes the D-SACK
                // (`tcp_dsack_extend`); one starting inside it reports the part held
                // ("Partial overlap": `tcp_dsack_set`) and is kept here from that skb's end
                // (Linux queues the skb whole; its memory counts whole here too). Then the
                // skbs it covers go, each added to the D-SACK, and one it reaches into
                // reports the bytes shared (`merge_right`). Measured on 6.18
                // (`receive-memory-ofo-prune`): 701-851 over a held 701-801 is answered
                // with D-SACK 701-801 before the SACK blocks.
                let mut from = start;
                if let Some((k, e, _)) = below.filter(|&(_, e, _)| e > start) {
                    if k == start {
                        if let Some(old) = self.ooo.remove(&k) {
                            self.free_ofo_skb(&old);
                        }
                        self.dsack_extend(k, e);
                    } else {
                        self.dsack_extend(start, e);
                        from = e;
                    }
                }
                let mut to = end;
                loop {
                    let q = self.ooo.as_slice();
                    let i = q.partition_point(|(k, _)| *k < from);
                    let Some((k, next)) = q.get(i) else { break };
                    let (k, e) = (*k, *k + spans_len(&next.spans) as u64);
                    if k >= end {
                        break;
                    }
                    if e > end {
                        self.dsack_extend(k, end);
                        to = k;
                        break;
                    }
                    if let Some(old) = self.ooo.remove(&k) {
                        self.free_ofo_skb(&old);
                    }
                    self.dsack_extend(k, e);
                }
                if to > from {
                    let skb = OfoSkb {
                        spans: slice_spans(
                            payload,
                            skip + (from - start) as u32,
                            (to - from) as u32,
                        ),
                        truesize: self.truesize(take),
                        tailroom: self.tailroom(take),
                    };
                    let truesize = skb.truesize;
                    self.ooo_bytes += (to - from) as u32;
                    self.ooo.insert(from, skb);
                    if self.rcv_skb_overhead > 0 {
                        self.ooo_mem += truesize as u64;
                        self.fwd_alloc -= truesize as i64;
                    }
                }
            }
            if grows && !self.truesize_accounting() {
                // Payload accounting: the room is the window less what is held.
                self.grow_window(take);
            }
            if self.sack_ok {
                if covered {
                    // Already held: a duplicate, reported as a D-SACK (`tcp_dsack_set`).
                    self.dsack = Some((start, end));
                    self.sack_blocks_expected_flush(start, end, ctx);
                }
                self.sack_add(start, end);
            }
            // "do not grow rcvbuf for not-yet-accepted or orphaned sockets" (`sk->sk_socket`).
            if self.in_app {
                self.rcvbuf_grow(self.rcvq_space, ctx.p);
            }
            // Linux `__tcp_ack_snd_check`'s first test holds for out-of-order data too.
            if self.window_ack_owed(ctx) {
                AckDue::Now
            } else {
                AckDue::OutOfOrder
            }
        }
    }

    /// Data held out of order (Linux's `out_of_order_queue` not empty): segments, or a FIN
    /// beyond a hole, whose skb is queued like data.
    pub(super) fn ofo_held(&self) -> bool {
        !self.ooo.is_empty() || self.ooo_fin.is_some()
    }

    /// Linux `__tcp_ack_snd_check`'s first test: more than one full segment unacknowledged,
    /// and the window offered now (`__tcp_select_window`) is no smaller than the last one,
    /// or the reader has taken everything (`rcv_nxt - copied_seq < sk_rcvlowat`). While
    /// the data waits unread and the free space, not rcv_ssthresh, bounds the window, the
    /// ACK waits for the delayed-ACK timer (the reader's tcp_cleanup_rbuf sends the
    /// update). Measured on 6.18: 18 segments into a reader that is away, quick-ACK mode
    /// used up after the 10th, the other 8 answered by one ACK 45 ms later. Linux counts
    /// the bytes since the last window update (`rcv_nxt - rcv_wup`) against the peer's
    /// segment size as seen (`icsk_ack.rcv_mss`), not ours; the RFC profile ACKs every
    /// `ack_every_segments` segments.
    pub(super) fn window_ack_owed(&mut self, ctx: &Ctx) -> bool {
        let linux = ctx.p.quickack_max > 0;
        if !linux {
            return self.delack_bytes > ctx.p.ack_every_segments.saturating_sub(1) * self.snd_mss;
        }
        self.linux_window_ack_owed(false, ctx)
    }

    /// [`Self::window_ack_owed`] on Linux. `fin`: the peer's FIN was just taken, whose
    /// sequence number `rcv_nxt - rcv_wup` counts too, so a full segment not yet
    /// acknowledged and the FIN behind it are "more than one full frame"; and which keeps
    /// `rcv_nxt - copied_seq` at one or more, so only the window decides. Measured on 6.18
    /// (explore seed 4600 #6, 50 ms: 1448 bytes, their ACK delayed, then the FIN 27 ms
    /// later): the FIN is acknowledged at once, where a delayed ACK came 14 ms later.
    pub(super) fn linux_window_ack_owed(&mut self, fin: bool, ctx: &Ctx) -> bool {
        if self.delack_bytes + u32::from(fin) <= self.rcv_mss {
            return false;
        }
        // The condition computes the window, with its side effect.
        self.end_quickack_under_pressure();
        (!fin && self.rcvbuf.is_empty()) || self.window_now(ctx.p) >= self.rcv_wnd
    }

    /// Moves the out-of-order segments that now follow `rcv_nxt` into the receive buffer. They
    /// are the first entries of the sorted map, removed in one go at the end (one shift of the
    /// rest, however many were taken).
    pub(super) fn drain_ooo(&mut self) {
        let mut taken = 0;
        while let Some((start, skb)) = self.ooo.as_slice().get(taken) {
            let nxt = self.roff(self.rcv_nxt);
            if *start > nxt {
                break;
            }
            let len = spans_len(&skb.spans);
            let (truesize, tailroom) = (skb.truesize, skb.tailroom);
            self.ooo_bytes -= len;
            let skip = (nxt - start).min(len as u64) as u32;
            let before = self.rmem();
            if self.rcv_skb_overhead > 0 {
                self.ooo_mem = self.ooo_mem.saturating_sub(truesize as u64);
            }
            if skip < len {
                self.rcvbuf.push_range(&skb.spans, skip, len - skip);
                self.rcv_nxt += len - skip;
                if self.rcv_skb_overhead > 0 {
                    self.queue_skb(len, skip == 0, truesize, tailroom);
                }
            }
            // `tcp_ofo_queue`: the skb moves over with its memory, unless it was copied into
            // the queue's tail (`tcp_try_coalesce`) or held nothing new, and is freed.
            let after = self.rmem();
            if after < before {
                self.mem_uncharge(before - after);
            } else {
                self.fwd_alloc -= (after - before) as i64;
            }
            taken += 1;
        }
        self.ooo.remove_first(taken);
    }

    /// Linux `__tcp_ack_snd_check` once no ACK is due at once (less than a full segment
    /// owed, no quick ACK, no ICSK_ACK_NOW) and data is held out of order: SACK compression.
    /// Without SACK, or with `tcp_comp_sack_nr` ACKs already held back (0 turns compression
    /// off), the ACK goes now. Otherwise the first TCP_FASTRETRANS_THRESH (3) at each rcv_nxt
    /// go now (`dup_ack_counter`, reset when rcv_nxt moves: enough duplicate ACKs for a
    /// sender counting them, RFC 5681 §3.2), and the rest wait for the compression hrtimer,
    /// armed by the first of them for min(`tcp_comp_sack_delay_ns`, 5 % of the receiver's
    /// RTT) with `tcp_comp_sack_slack_ns` of slack. The RTT is `rcv_rtt_est`, or SRTT when
    /// that is smaller; never measured, it is 0 and the timer waits only its slack. Any
    /// segment sent meanwhile carries the ACK and ends the wait (`tcp_event_ack_sent`).
    /// Returns whether the ACK goes now.
    pub(super) fn sack_compress(&mut self, ctx: &mut Ctx) -> bool {
        /// include/net/tcp.h TCP_FASTRETRANS_THRESH.
        const FASTRETRANS_THRESH: u32 = 3;
        let p = ctx.p;
        if !self.sack_ok || self.compressed_ack >= p.comp_sack_nr {
            return true;
        }
        if self.compressed_ack_rcv_nxt != Some(self.rcv_nxt) {
            self.compressed_ack_rcv_nxt = Some(self.rcv_nxt);
            self.dup_ack_counter = 0;
        }
        if self.dup_ack_counter < FASTRETRANS_THRESH {
            self.dup_ack_counter += 1;
            return true;
        }
        self.compressed_ack += 1;
        if self.timer(TimerKind::SackCompress).is_some() {
            return false;
        }
        let mut rtt_x8 = self.rcv_rtt_us;
        let srtt_x8 = self.rtt.srtt_x8();
        if srtt_x8 > 0 && srtt_x8 < rtt_x8 {
            rtt_x8 = srtt_x8;
        }
        // `rtt * (NSEC_PER_USEC >> 3) / 20`: 5 % of the RTT, in ns.
        let delay_ns = p.comp_sack_delay_ns.min(rtt_x8 * 125 / 20);
        self.arm_hrtimer(TimerKind::SackCompress, delay_ns, p.comp_sack_slack_ns, ctx);
        false
    }

    /// Linux `tcp_sack_compress_send_ack`: the ACKs held back go now, in one ACK (from
    /// `tcp_sack_new_ofo_skb`, before a new SACK block pushes one the sender has not seen
    /// to the third place or beyond).
    pub(super) fn sack_compress_send_ack(&mut self, ctx: &mut Ctx) {
        if self.compressed_ack == 0 {
            return;
        }
        self.send_ack(ctx);
    }

    /// `tcp_sack_new_ofo_skb`'s TCP_SACK_BLOCKS_EXPECTED (2): "Given that SACK packets might
    /// be lost, be conservative": out-of-order data [start, end) that would extend a block
    /// in the third place or beyond, or start a new block behind two or more, first sends
    /// the ACKs held back, so that every range was reported in the first two places at
    /// least once. Run before the block is added.
    pub(super) fn sack_blocks_expected_flush(&mut self, start: u64, end: u64, ctx: &mut Ctx) {
        const SACK_BLOCKS_EXPECTED: usize = 2;
        if !self.sack_ok || self.compressed_ack == 0 {
            return;
        }
        let place = self
            .sack_blocks
            .iter()
            .position(|&(a, b)| start <= b && a <= end)
            .unwrap_or(self.sack_blocks.len());
        if place >= SACK_BLOCKS_EXPECTED {
            self.sack_compress_send_ack(ctx);
        }
    }

    pub(super) fn receive_fin(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        self.fin_received = true;
        self.rcv_nxt += 1;
        match self.state {
            SynReceived | Established => self.set_state(CloseWait, ctx),
            FinWait1 => {
                if self.fin_acked() {
                    self.enter_time_wait(ctx);
                } else {
                    // Simultaneous close (RFC 9293 §3.6, figure 13).
                    self.set_state(Closing, ctx);
                }
            }
            FinWait2 => self.enter_time_wait(ctx),
            _ => {}
        }
    }
}

/// Linux `tcp_delack_max` (6.11+, "tcp: derive delack_max from rto_min"): TCP_DELACK_MAX
/// (200 ms), but at most one jiffy less than the connection's minimum RTO
/// (`max(tcp_rto_min - 1, 1)` jiffies), so that a delayed ACK never outwaits the peer's
/// shortest retransmission timer. With the default tcp_rto_min_us (200 ms, 50 jiffies at HZ
/// 250) that is 196 ms; with 8 ms, one jiffy. Measured on 6.18 (delayed-ack-nearly-due with
/// tcp_rto_min_us 8 ms): the ACK a 40 ms ATO would send at 235 ms left at 208.8 ms.
pub(crate) fn delack_max(p: &crate::profile::Profile) -> Micros {
    let jiffy = crate::tcp::wheel::jiffy_unit(p);
    p.rto_min().saturating_sub(jiffy).max(jiffy).min(200_000)
}
