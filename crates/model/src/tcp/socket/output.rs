//! Segments out: one segment built (options, the window field), and the send path that cuts
//! the send queue into segments (RFC 9293 §3.8.6.2 Nagle, RFC 5681 cwnd, Linux
//! `tcp_write_xmit`: TSO autosizing and deferral, cwnd validation RFC 7661), ACKs and RSTs.

use super::*;

impl TcpSocket {
    pub(super) fn make_segment(
        &mut self,
        seq: SeqNumber,
        fl: TcpFlags,
        payload: Vec<PayloadSpan>,
        ctx: &mut Ctx,
    ) -> Segment {
        let p = ctx.p;
        let mut options = TcpOptions::default();
        let window: u16;
        if fl.syn {
            options.mss = Some(self.our_mss);
            // A SYN-ACK scales only if the peer's SYN offered it (RFC 7323 §2.2): Linux
            // `tcp_synack_options` tests `ireq->wscale_ok`, not the shifts, so a SYN's
            // "wscale 0" is answered with our scale even when that is 0 too.
            if p.window_scale.is_some() && (!fl.ack || self.wscale_ok) {
                options.window_scale = self.offered_wscale(p);
            }
            options.sack_permitted = p.sack_permitted && (!fl.ack || self.sack_ok);
            if p.timestamps && (!fl.ack || self.ts_ok) {
                options.timestamps = Some((self.ts_val(ctx.now), self.ts_recent));
            }
            // RFC 7323 §2.2: the window in a SYN is never scaled. A SYN-ACK of a
            // simultaneous open comes from the socket that sent the SYN (no listener's
            // request: `tcp_rcv_synsent_state_process` → `tcp_send_synack` →
            // `tcp_transmit_skb`), which offers the window its connect() chose
            // (`tcp_connect_init`: whole MSS before timestamps are agreed, 64240 for 1460),
            // not a listener's (65160 with timestamps, `tcp_openreq_init_rwin`). Measured
            // on 6.18 (the handshake scene's simultaneous open): both SYN-ACKs win=64240.
            let simultaneous = fl.ack && self.parent.is_none() && self.rcv_wnd > 0;
            let rcv_wnd = if simultaneous {
                self.rcv_wnd
            } else {
                self.initial_rcv_wnd(fl.ack, p)
            };
            window = rcv_wnd.min(65_535) as u16;
            self.rcv_ssthresh = rcv_wnd;
            self.rcv_adv_edge = self.rcv_nxt + rcv_wnd;
            self.rcv_wnd = rcv_wnd;
        } else if let Some(w) = self.tw_rcv_wnd {
            // A timewait socket's ACK (`tcp_v4_timewait_ack`): the window it kept when it was
            // made, `tw_rcv_wnd >> tw_rcv_wscale`, however much of it the peer used since,
            // put in the 16-bit field as it is (`htons(win)`: without window scaling a
            // window above 65535 wraps).
            window = (w >> self.rcv_wscale) as u16;
        } else {
            self.end_quickack_under_pressure();
            // `tcp_select_window`: "Make the window 0 if we failed to queue the data
            // because we are out of memory", before any rule that keeps the edge; the ACK
            // clears the flag (`tcp_event_ack_sent` → `inet_csk_clear_xmit_timer`).
            let adv = if std::mem::take(&mut self.ack_nomem) && fl.ack {
                0
            } else {
                self.advertised_window(p)
            };
            let raw = (adv >> self.rcv_wscale).min(65_535);
            window = raw as u16;
            if fl.ack {
                // Linux `tcp_select_window` keeps the window it chose in `tp->rcv_wnd`
                // before capping the field at 65535 << wscale: without window scaling a
                // 66608-byte window is sent as 65535 but promised whole, and the next offer
                // is measured against it. Measured on 6.18 (tcp_window_scaling 0): 65535,
                // then 65160 once the free space falls below that promise.
                let wnd = if p.window_round_up {
                    (adv >> self.rcv_wscale) << self.rcv_wscale
                } else {
                    raw << self.rcv_wscale
                };
                self.rcv_adv_edge = self.rcv_nxt + wnd;
                self.rcv_wnd = wnd;
                if p.time_wait_socket && self.state == TcpState::TimeWait {
                    // The ACK of the FIN that ended in TIME-WAIT (`tcp_fin` sends it just
                    // before `tcp_time_wait`) fixes the window the timewait socket keeps:
                    // `tw_rcv_wnd = tcp_receive_window(tp)`, unchanged by what the owner
                    // may still read from its closed socket.
                    self.tw_rcv_wnd = Some(wnd);
                }
                if wnd == 0 {
                    // `tcp_select_window`: a zero window turns header prediction off.
                    self.rcv_pred_wnd = None;
                }
                self.delack_bytes = 0;
                // `tcp_event_ack_sent` → `tcp_dec_quickack_mode`: an ACK that answers
                // scheduled data uses up one quick ACK; leaving quick-ACK mode resets the ATO.
                self.ack_pushed = 0;
                if self.ack_sched {
                    self.ack_sched = false;
                    if self.ack_quick > 0 {
                        self.ack_quick -= 1;
                        if self.ack_quick == 0 {
                            self.ato = ctx.p.delayed_ack_us;
                        }
                    }
                }
                // ... and ends any SACK compression: this segment carries the ACKs held back
                // (`tp->compressed_ack` cleared, its hrtimer cancelled).
                self.compressed_ack = 0;
                for k in [TimerKind::DelayedAck, TimerKind::SackCompress] {
                    self.cancel_timer(k, ctx);
                }
            }
        }
        if !fl.syn && self.ts_ok {
            options.timestamps = Some((self.ts_val(ctx.now), self.ts_recent));
        }
        if !fl.syn && self.sack_ok {
            options.sack = self.sack_option(ctx.p);
        }
        // The options in Linux's order, padded with NOPs (`tcp_options_write`); the data
        // offset counts that padding.
        options.order = options.linux_order();
        let header_len = 20 + options.wire_len(&options.order) as u8;
        let payload_len = spans_len(&payload);
        Segment {
            src: self.local,
            dst: self.remote.expect("a connected socket has a peer"),
            header: Header::Tcp(TcpHeader {
                seq: seq.0,
                ack: if fl.ack { self.rcv_nxt.0 } else { 0 },
                flags: fl,
                window,
                header_len,
                options,
            }),
            payload_len,
            payload,
            wire_len: IP_HEADER + header_len as u32 + payload_len,
            retransmission: 0,
            network_duplicate: false,
        }
    }

    /// The MSS we announce, from the route's MTU (Linux `ipv4_default_advmss`:
    /// min(MTU, IPV4_MAX_PMTU 65535) − 40, at least `ip_rt_min_advmss` 256; RFC 9293 §3.7.1:
    /// MTU − 40), no more than the profile's `mss` (a TCP_MAXSEG-like clamp). Loopback's
    /// MTU 65536 gives 65495, Ethernet's 1500 gives 1460 (both measured on 6.18).
    pub fn set_route_mtu(&mut self, mtu: u32, p: &crate::profile::Profile) {
        let advmss = (mtu.min(65_535).saturating_sub(IP_HEADER + 20)).max(256);
        self.rcv_full_packet = mtu.min(65_535);
        self.our_mss = advmss.min(p.mss as u32).max(1) as u16;
        self.snd_mss = self.our_mss as u32;
        self.mss_unbounded = self.snd_mss;
        self.rcv_mss = self.rcv_mss.min(self.our_mss as u32);
        self.cc.set_mss(self.snd_mss, p.initial_cwnd_segments);
    }

    pub(super) fn ts_val(&self, now: Micros) -> u32 {
        // Linux: a millisecond clock plus the address pair's offset (`tcp_clock_ts`).
        ((now / 1000) as u32).wrapping_add(self.ts_offset)
    }

    pub(super) fn transmit(&mut self, seg: Segment, ctx: &mut Ctx) {
        self.last_xmit = Some(ctx.now);
        ctx.tx.push(seg);
    }

    pub fn send_ack(&mut self, ctx: &mut Ctx) {
        let seg = self.make_segment(
            self.snd_nxt,
            flags(false, true, false, false, false),
            Vec::new(),
            ctx,
        );
        self.transmit(seg, ctx);
    }

    /// A RST for a segment that has no connection (RFC 9293 §3.10.7.1).
    pub fn reset_for(seg: &Segment) -> Option<Segment> {
        let Header::Tcp(h) = &seg.header else {
            return None;
        };
        if h.flags.rst {
            return None;
        }
        let (seq, ack, ackf) = if h.flags.ack {
            (h.ack, 0, false)
        } else {
            let len = seg.payload_len + h.flags.syn as u32 + h.flags.fin as u32;
            (0, h.seq.wrapping_add(len), true)
        };
        Some(Segment {
            src: seg.dst,
            dst: seg.src,
            header: Header::Tcp(TcpHeader {
                seq,
                ack,
                flags: flags(false, ackf, false, true, false),
                window: 0,
                header_len: 20,
                options: TcpOptions::default(),
            }),
            payload_len: 0,
            payload: Vec::new(),
            wire_len: IP_HEADER + 20,
            retransmission: 0,
            network_duplicate: false,
        })
    }

    pub(super) fn send_rst(&mut self, ctx: &mut Ctx) {
        let seg = self.make_segment(
            self.snd_nxt,
            flags(false, true, false, true, false),
            Vec::new(),
            ctx,
        );
        // Linux `tcp_send_active_reset` builds it like any segment of the connection
        // (`tcp_transmit_skb`): RST+ACK at snd_nxt, with the timestamps option and the
        // current window. Measured on 6.18, close() with 10 unread bytes on loopback:
        // "R. seq=1 ack=11 win=64 NOP,NOP,TS".
        self.transmit(seg, ctx);
    }

    /// Sends `len` bytes of stream data starting at `seq` (with FIN if it ends the stream and
    /// a FIN is queued). Does not move snd_nxt.
    pub(super) fn send_data_at(
        &mut self,
        seq: SeqNumber,
        len: u32,
        with_fin: bool,
        retransmission: u32,
        psh: bool,
        ctx: &mut Ctx,
    ) {
        let off = self.soff(seq);
        // Acknowledged data has left the send buffer: a segment from below its head would
        // carry other bytes than its sequence number says.
        debug_assert!(
            len == 0 || off >= self.sndbuf.head,
            "sending from {off}, below the send buffer's head {}",
            self.sndbuf.head
        );
        let payload = self.sndbuf.slice(off, len as u64);
        // `tcp_event_data_sent`: data sent within one ATO of data received makes the
        // connection interactive (tcp_pingpong_thresh = 1): later ACKs wait for the reply.
        // Both in jiffies, as the kernel counts them.
        if len > 0
            && ctx.p.quickack_max > 0
            && self.ato > 0
            && self.jiffies_since_lrcv(ctx.now, ctx.p)
                < self.ato / crate::tcp::wheel::jiffy_unit(ctx.p)
        {
            self.pingpong = true;
        }
        if len > 0 {
            let end = off + len as u64;
            self.xmit_count += 1;
            let order = self.xmit_count;
            match self.sent_log.iter_mut().find(|e| e.start == off) {
                Some(e) => {
                    e.end = end.max(e.end);
                    e.sent = ctx.now;
                    e.order = order;
                    e.retrans = e.lost;
                    e.ever_retrans = true;
                    e.tx_delivered = self.reord.delivered;
                }
                None => self.sent_log.insert(
                    self.sent_log.partition_point(|e| e.start < off),
                    SentSeg {
                        start: off,
                        end,
                        sent: ctx.now,
                        order,
                        sacked: false,
                        lost: false,
                        retrans: false,
                        ever_retrans: false,
                        tx_delivered: self.reord.delivered,
                    },
                ),
            }
            // `tcp_write_xmit` / `tcp_xmit_retransmit_queue`: PRR counts every segment sent
            // during the reduction (`tp->prr_out`).
            self.cc.prr_sent(len.div_ceil(self.snd_mss.max(1)));
        } else if with_fin {
            self.xmit_count += 1;
            self.lone_fin = Some(LoneFin {
                sent: ctx.now,
                order: self.xmit_count,
                sacked: false,
                lost: false,
                ever_retrans: retransmission > 0,
            });
        }
        let mut seg =
            self.make_segment(seq, flags(false, true, with_fin, false, psh), payload, ctx);
        seg.retransmission = retransmission;
        if retransmission > 0 {
            self.stats.retransmits += 1;
        }
        self.transmit(seg, ctx);
    }

    /// PSH on a segment sent alone, outside `output`'s chunks (a fast retransmission, a
    /// loss probe, a window probe with data). Linux: a lone segment carries PSH if it ends
    /// an skb that `tcp_mark_push` marked, and the cut it needs (`tcp_fragment`, or
    /// `tcp_send_loss_probe` cutting off the last segment) leaves a boundary behind
    /// (`tcp/skbs.rs`). The textbook: if it empties the send buffer.
    pub(super) fn psh_alone(&mut self, seq: SeqNumber, len: u32, ctx: &Ctx) -> bool {
        if len == 0 {
            return false;
        }
        let end = self.soff(seq) + len as u64;
        if ctx.p.min_tso_segs == 0 {
            return end == self.sndbuf.tail;
        }
        let psh = self.skbs.at(end - 1).is_some_and(|s| s.end == end && s.psh);
        self.skbs.split_at(end);
        psh
    }

    /// Linux `tcp_tso_autosize`: how many segments one GSO chunk may hold, what the pacing
    /// rate sends in about a millisecond (`sk_pacing_rate >> sk_pacing_shift`, shift 10),
    /// plus a bonus on short paths (`sk_gso_max_size >> (min_rtt_us >> tcp_tso_rtt_log)`,
    /// log 9), at least `tcp_min_tso_segs`. The pacing rate is the one the last ACK set
    /// ([`Self::update_pacing_rate`]). Measured on 6.18 with CUBIC (10 segments into cwnd
    /// 10): a 40 ms RTT → 2-segment chunks, a 5.15 ms one → 3.
    pub(super) fn tso_segs(&self, ctx: &Ctx) -> u32 {
        let mss = self.snd_mss.max(1) as u64;
        let (Some(rate), Some(srtt)) = (self.pacing_rate(), self.rtt.srtt.filter(|&s| s > 0))
        else {
            // No RTT yet: `tcp_update_pacing_rate` leaves the rate unbounded.
            return ((GSO_MAX_SIZE / mss) as u32).max(ctx.p.min_tso_segs);
        };
        let mut bytes = rate >> 10;
        let r = self.min_rtt.unwrap_or(srtt) >> 9;
        if r < 32 {
            bytes += GSO_MAX_SIZE >> r;
        }
        ((bytes.min(GSO_MAX_SIZE) / mss) as u32).max(ctx.p.min_tso_segs)
    }

    /// Linux `tcp_update_pacing_rate` (bytes per second, none without an RTT): mss ·
    /// max(cwnd, packets out) / srtt, times `tcp_pacing_ss_ratio` 200 % while cwnd is below
    /// half of ssthresh, `tcp_pacing_ca_ratio` 120 % after.
    fn pacing_rate_now(&self) -> Option<u64> {
        self.pacing_rate_at(self.cc.cwnd)
    }

    /// [`Self::pacing_rate_now`] with a congestion window of `cwnd` bytes.
    pub(super) fn pacing_rate_at(&self, cwnd: u32) -> Option<u64> {
        let srtt = self.rtt.srtt.filter(|&s| s > 0)?;
        let mss = self.snd_mss.max(1) as u64;
        let packets_out = (self.snd_max.diff(self.snd_una).max(0) as u64).div_ceil(mss);
        let segments = (cwnd as u64 / mss).max(packets_out).max(1);
        let ratio = if (cwnd as u64) < self.cc.ssthresh as u64 / 2 {
            200
        } else {
            120
        };
        // mss · cwnd · ratio % · 10^6 / srtt_us.
        Some(mss * segments * ratio * 10_000 / srtt)
    }

    /// `sk_pacing_rate`: what the last ACK (`tcp_ack` → `tcp_cong_control` →
    /// `tcp_update_pacing_rate`) or the handshake's end set. Sending does not update it, nor
    /// does an idle restart or an RTO: measured on 6.18 (explore seed 1100 #1, 10 ms RTT,
    /// last ACK at cwnd 24, 420 ms idle): a 3000-byte write after the restart leaves as one
    /// chunk of three segments (one PSH), where cwnd 10's rate gives chunks of two.
    pub(super) fn pacing_rate(&self) -> Option<u64> {
        self.pacing_rate.or_else(|| self.pacing_rate_now())
    }

    /// Linux `tcp_update_pacing_rate`, at the end of `tcp_cong_control`.
    pub(super) fn update_pacing_rate(&mut self) {
        self.pacing_rate = self.pacing_rate_now();
    }

    /// Linux `tcp_tso_should_defer` (6.18, net/ipv4/tcp_output.c): hold back a GSO chunk
    /// that cwnd or the window would cut short of a full one, for the ACK about to come, so
    /// that segments leave in pairs rather than one per ACK. Measured on 6.18 in CUBIC's
    /// congestion avoidance (one ACK per segment): new data leaves as chunks of two, PSH on
    /// every second segment. `output_chunks` asks under `tcp_write_xmit`'s conditions: only
    /// for new data (retransmissions go through `tcp_xmit_retransmit_queue`, which never
    /// defers), only with room in cwnd (`tcp_cwnd_test` returned a quota), only for an skb
    /// of more than one segment (`tso_segs == 1` takes the Nagle test instead), and never
    /// for `tcp_push_one` or a loss probe (`push_one`). The branches, in the kernel's order:
    pub(super) fn tso_should_defer(
        &self,
        skb: SkbAt,
        wnd_room: u32,
        cwnd_room: u32,
        ctx: &Ctx,
    ) -> bool {
        let mss = self.snd_mss.max(1) as u64;
        let nxt_off = self.soff(self.snd_nxt);
        let skb_len = skb.end.saturating_sub(nxt_off);
        // The caller's conditions: `tcp_set_skb_tso_segs` gives a one-segment skb a count
        // of 1, and with no cwnd quota `tcp_write_xmit` stopped before.
        if skb_len <= mss || cwnd_room == 0 {
            return false;
        }
        // `icsk_ca_state >= TCP_CA_Recovery` (Recovery or Loss): send now.
        if self.recovering() {
            return false;
        }
        // "Avoid bursty behavior by allowing defer only if the last write was recent
        // (1 ms)": `tcp_clock_cache - tcp_wstamp_ns > NSEC_PER_MSEC`. The last write is any
        // segment `__tcp_transmit_skb` sent (it sets `tcp_wstamp_ns` for pure ACKs and
        // retransmissions too), not only new data (`lsndtime`).
        if self
            .last_xmit
            .is_none_or(|t| ctx.now.saturating_sub(t) > 1_000)
        {
            return false;
        }
        let Some(srtt) = self.rtt.srtt else {
            return false;
        };
        // `send_win = tcp_wnd_end(tp) - TCP_SKB_CB(skb)->seq`; `cong_win = (cwnd -
        // tcp_packets_in_flight) * mss` (the caller's room, scoreboard included).
        let send_win = wnd_room as u64;
        let cong_win = cwnd_room as u64;
        let limit = send_win.min(cong_win);
        // "If a full-sized TSO skb can be sent, do it" (`max_segs` = `tcp_tso_segs`).
        let max_segs = self.tso_segs(ctx) as u64;
        if limit >= max_segs * mss {
            return false;
        }
        // "Middle in queue won't get any more data, full sendable already?"
        if !skb.is_tail && limit >= skb_len {
            return false;
        }
        // `tcp_tso_win_divisor` 3: a third of min(snd_wnd, cwnd) is enough to send.
        let chunk = (self.snd_wnd as u64).min(self.cc.cwnd as u64) / 3;
        if limit >= chunk {
            return false;
        }
        // `tcp_rtx_queue_head`: nothing in flight, no ACK to wait for. Its timestamp is its
        // last transmission (`skb_mstamp_ns`, moved by a retransmission).
        let Some(head) = self.sent_log.front() else {
            return false;
        };
        // Commit 295ce1eb36ae ("tcp: fix tcp_tso_should_defer() vs large RTT"): send now
        // if the head's ACK, expected at its transmission plus SRTT, is more than
        // min(SRTT/2, 1 ms) away.
        //
        // Below a millisecond of RTT this compares µs the link must supply
        // (`LinkSpec::pass_us`). On the lab's 0 ms wire every packet crosses a user-space
        // relay (read to read 29-117 µs a pass on 6.18), so the first ACK of a 20000-byte
        // write comes back about one SRTT after its chunk left: the kernel defers the tail
        // (cwnd 11, room for 2 of its 4 segments) and sends it as one chunk on the next ACK,
        // PSH on its last segment only. With no time through the ends that ACK comes at the
        // instant the chunk left (a sample of 0 after a handshake of 0: SRTT 1 µs), 1 µs
        // "away", and the tail leaves as 2 + 2, PSH on segment 12.
        let expected_ack = head.sent + srtt;
        let threshold = (srtt / 2).min(1_000);
        if expected_ack.saturating_sub(ctx.now) > threshold {
            return false;
        }
        // Defer when cwnd-limited or rwnd-limited below the skb...
        if cong_win < send_win {
            if cong_win <= skb_len {
                return true;
            }
        } else if send_win <= skb_len {
            return true;
        }
        // ...else application-limited: "If this packet won't get more data, do not wait"
        // (FIN on it; MSG_EOR is not modelled).
        !(self.fin_queued && skb.is_tail)
    }

    /// Linux `tcp_xmit_size_goal`: a write fills skbs of this many bytes, half the peer's
    /// largest window (`tcp_bound_to_half_wnd`) in whole MSS, at most the GSO limit. The MSS
    /// is the one a segment sent now may carry: `tcp_sendmsg_locked` sizes its skbs with
    /// `tcp_send_mss` → `tcp_current_mss`, so while SACK blocks are reported a goal of whole
    /// segments is counted in the shorter ones.
    pub(super) fn size_goal(&self, p: &crate::profile::Profile) -> u64 {
        let mss = self.current_mss(p).max(1) as u64;
        let w = self.max_snd_wnd as u64;
        let cutoff = if w > 536 { w / 2 } else { w };
        let goal = if cutoff > 0 {
            GSO_MAX_SIZE.min(cutoff)
        } else {
            GSO_MAX_SIZE
        };
        (goal / mss * mss).max(mss)
    }

    /// Linux `tcp_current_mss`: the MSS a segment sent now may carry. `mss_cache` (our
    /// `snd_mss`) leaves room for the options every segment has (`tcp_header_len`: the
    /// timestamps); SACK blocks we hold for the peer take option space too, so each
    /// segment sent while they are reported is that much shorter ("If this is an odd
    /// packet (because we have SACK blocks etc) ... we have to adjust mss_now"); RFC 9293
    /// §3.7.1 takes the TCP options off the effective send MSS as well, so both profiles do
    /// it. Measured on 6.18 (explore seed 3100 #34, timestamps off, MSS 1460): a 3000-byte
    /// write with one SACK block to report left as 1448 + 1448 + 104, not 1460 + 1460 + 80,
    /// which would not even fit the 1500-byte MTU.
    pub(super) fn current_mss(&self, p: &crate::profile::Profile) -> u32 {
        self.snd_mss.saturating_sub(self.sack_option_len(p)).max(1)
    }

    /// Sends whatever the windows, Nagle and the state allow (RFC 9293 §3.8.6, RFC 5681).
    /// Returns whether any segment carrying an ACK went out.
    pub fn output(&mut self, ctx: &mut Ctx) -> bool {
        self.output_chunks(None, ctx)
    }

    /// `output`, stopping after `max_chunks` GSO chunks (Linux `tcp_push_one`: one).
    pub(super) fn output_chunks(&mut self, max_chunks: Option<u32>, ctx: &mut Ctx) -> bool {
        use TcpState::*;
        if !matches!(
            self.state,
            Established | CloseWait | FinWait1 | Closing | LastAck
        ) {
            return false;
        }
        // `tcp_write_xmit` runs with `mss_now = tcp_current_mss(sk)`: segments, chunks and
        // the TSO tests below are all cut to it while it lasts.
        let mss_now = self.current_mss(ctx.p);
        let mss_cache = std::mem::replace(&mut self.snd_mss, mss_now);
        let chunked = ctx.p.min_tso_segs > 0;
        // `tcp_write_wakeup` (the probe timer's push) sends with `tcp_transmit_skb` and
        // `tcp_event_new_data_sent` only: no `tcp_cwnd_validate`, so the last window's
        // is_cwnd_limited / max_packets_out still decide whether its ACK grows cwnd.
        let wakeup = self.push_once;
        let mut sent = false;
        // The GSO chunk being sent: (its end, PSH on its last segment), and how many began.
        let mut chunk: Option<(u64, bool)> = None;
        let mut chunks = 0;
        loop {
            let nxt_off = self.soff(self.snd_nxt);
            let tail = self.sndbuf.tail;
            let avail = tail.saturating_sub(nxt_off).min(u32::MAX as u64) as u32;
            let fin_pending = self.fin_queued && self.snd_nxt.le(self.fin_seq());
            if avail == 0 && !fin_pending {
                break;
            }
            let wnd_room = (self.snd_una + self.snd_wnd).diff(self.snd_nxt).max(0) as u32;
            let flight = self.snd_nxt.diff(self.snd_una).max(0) as u32;
            if !chunked && flight == 0 && avail > 0 && self.snd_nxt.ge(self.snd_max) {
                // Without skbs (no GSO chunks) the restart is checked when new data leaves.
                // With them Linux restarts the window when the write queues the data
                // ([`Self::write_skbs`]: `tcp_skb_entail` → `tcp_slow_start_after_idle_check`),
                // before `tcp_write_xmit` sizes its chunks by it: after an idle restart to 3
                // segments, half the window is one segment, so they leave one by one and
                // without forced PSH (measured on 6.18, the route's initcwnd 2: three lone
                // segments after 259 ms idle, none with PSH).
                self.restart_after_idle(ctx);
            }
            // Limited transmit (RFC 3042; RFC 5681 §3.2 step 1): on the first two duplicate
            // ACKs one new segment each may go beyond cwnd. Linux gets the same from its
            // pipe estimate (`tcp_packets_in_flight` leaves SACKed segments out).
            let limited = if self.cc.in_recovery() {
                0
            } else {
                self.cc.dupacks.min(2) * self.snd_mss
            };
            // With the scoreboard, Linux's `tcp_cwnd_test`: cwnd against
            // `tcp_packets_in_flight`, which leaves SACKed and lost segments out.
            let cwnd_room = if self.scoreboard(ctx.p) {
                self.cwnd_room_segs()
            } else {
                (self.cc.cwnd + limited).saturating_sub(flight)
            };
            let room = wnd_room.min(cwnd_room);
            // Retransmissions (below snd_max) go out whatever Nagle and SWS say.
            let new_data = self.snd_nxt.ge(self.snd_max);
            if avail == 0 && new_data && cwnd_room == 0 && ctx.p.fin_waits_for_cwnd {
                // A FIN of its own, every byte sent, cwnd full: 6.18's `tcp_cwnd_test` has no
                // exemption for the final FIN, so it waits for an ACK to make room (profile
                // `fin_waits_for_cwnd`). Nothing arms a timer for it: data is in flight, and
                // its ACK or RTO comes back here.
                break;
            }
            // `tcp_write_xmit`'s `cwnd_quota` for this pass: the size `tcp_grow_skb` fills
            // the head skb to and the one `tcp_mss_split_point` cuts the chunk at.
            let chunk_segs = if chunked {
                self.chunk_segs(cwnd_room, !new_data, ctx)
            } else {
                0
            };
            // A segment never spans two skbs (`tcp_write_xmit` sends skb by skb).
            if chunked && new_data && cwnd_room > 0 && chunk.is_none_or(|(end, _)| nxt_off >= end) {
                // `tcp_write_xmit`: `missing_bytes = cwnd_quota * mss_now - skb->len` →
                // `tcp_grow_skb`, before the window, Nagle and TSO-defer tests. Measured on
                // 6.18 (the route's initrwnd 1: skbs of 724 bytes, half the first window,
                // until the window and the MSS grew): the next two left as one 1448-byte
                // segment.
                if let Some(head) = self.skbs.at(nxt_off) {
                    let mss = self.snd_mss.max(1) as u64;
                    let want = chunk_segs * mss;
                    let have = head.end - nxt_off;
                    if want > have {
                        self.skbs.grow(nxt_off, want - have);
                    }
                }
            }
            let skb = if chunked { self.skbs.at(nxt_off) } else { None };
            let skb_left = skb.map_or(u32::MAX, |s| (s.end - nxt_off).min(u32::MAX as u64) as u32);
            let len = avail.min(room).min(self.snd_mss).min(skb_left);
            if avail > 0 && len == 0 {
                // Window or congestion limited. If the peer's window is closed and nothing
                // is in flight, only the persist timer can reopen it (RFC 9293 §3.8.6.1).
                if self.snd_wnd == 0 && flight == 0 && self.timer(TimerKind::Retransmit).is_none() {
                    self.arm_persist(ctx);
                }
                break;
            }
            // The rest of a GSO chunk already decided goes with it: Linux tests the window
            // (`tcp_snd_wnd_test`) and Nagle once per chunk, and `tcp_mss_split_point` may
            // end the chunk with a partial segment that fills the window exactly (no small
            // segment in flight, so `tcp_nagle_check` lets it go). Measured on 6.18
            // (zero-window with TCP_MAXSEG 536): into a 620-byte window a 1448-byte write
            // leaves as one chunk of 524 + 96, PSH on the 96.
            let in_chunk = chunk.is_some_and(|(end, _)| nxt_off < end);
            if chunked
                && new_data
                && !in_chunk
                && !self.push_once
                && (len > 0 || fin_pending)
                && self.head_seq_need(nxt_off, avail.min(skb_left), self.snd_mss, fin_pending)
                    > wnd_room
            {
                // `tcp_snd_wnd_test`: a chunk starts only if its first segment (a full one,
                // or the whole skb when that is smaller, a FIN on it counted: a lone FIN
                // too) fits in the peer's window, whatever is in flight. With nothing in flight the probe timer is armed
                // (`tcp_check_probe_timer`), and `tcp_write_wakeup` then sends what fits.
                // Measured on 6.18 (zero-window with TCP_MAXSEG 536): a 1448-byte write into
                // a 344-byte window with nothing in flight waits 282 ms for the probe timer,
                // then leaves as 344 bytes with PSH.
                if flight == 0 && self.timer(TimerKind::Retransmit).is_none() {
                    self.arm_persist(ctx);
                }
                break;
            }
            let wnd_limited = room < avail.min(self.snd_mss).min(skb_left);
            if new_data && wnd_limited && flight > 0 && !in_chunk {
                // Sender silly window avoidance (RFC 9293 §3.8.6.2.1): wait for a bigger
                // window unless nothing is outstanding.
                if len < self.max_snd_wnd / 2 || wnd_room >= cwnd_room {
                    break;
                }
            }
            let partial = new_data && len == avail && len > 0 && len < self.snd_mss;
            // `tcp_nagle_test`: TCP_NAGLE_PUSH lets it go before the cork is looked at; a
            // MSG_MORE send pushes with TCP_NAGLE_CORK alone (`tcp_push`), without it; a push
            // whose `nonagle` argument is TCP_NAGLE_OFF or TCP_NAGLE_PUSH
            // (`nagle_off_once`) does not look at the socket's cork at all.
            let corked = ((self.cork && !self.nagle_push) || self.more) && !self.nagle_off_once;
            if partial && !fin_pending && corked && !self.push_once {
                // `tcp_nagle_check` with TCP_NAGLE_CORK: hold the partial segment. With
                // nothing in flight no ACK will come to push it, so `tcp_write_xmit` returns
                // true and `__tcp_push_pending_frames` arms the probe timer
                // (`tcp_check_probe_timer`): the 200 ms ceiling of tcp(7).
                if flight == 0 {
                    self.arm_persist(ctx);
                }
                break;
            }
            if partial
                && !in_chunk
                && !fin_pending
                && !self.push_once
                && !self.nagle_off_once
                && self.nagle_holds(flight, ctx)
            {
                break;
            }
            // `tcp_write_wakeup` sends the FIN with the skb only if it fits the window too
            // (`seg_size < end_seq - seq` → `tcp_fragment`, which leaves the FIN on the rest);
            // `tcp_write_xmit` sends the whole chunk `tcp_mss_split_point` chose, its FIN
            // included, once `tcp_snd_wnd_test` let it start.
            let with_fin = fin_pending && len == avail && !(chunked && wakeup && len >= wnd_room);
            let retrans = if self.snd_nxt.lt(self.snd_max) {
                self.retransmits.max(1)
            } else {
                0
            };
            let mut psh = len > 0 && nxt_off + len as u64 == tail;
            if let Some(skb) = skb.filter(|_| len > 0) {
                if chunk.is_none_or(|(end, _)| nxt_off >= end) {
                    if max_chunks.is_some_and(|m| chunks >= m) {
                        break;
                    }
                    if retrans == 0
                        && max_chunks.is_none()
                        && self.tso_should_defer(skb, wnd_room, cwnd_room, ctx)
                    {
                        break;
                    }
                    chunks += 1;
                    chunk = Some(self.next_chunk(skb, flight, wnd_room, chunk_segs, ctx));
                }
                let (end, chunk_psh) = chunk.unwrap_or((nxt_off + len as u64, false));
                // `tcp_write_wakeup` marks what it sends PSH, on the skb itself.
                psh = (chunk_psh && nxt_off + len as u64 >= end) || self.push_once;
                if nxt_off + len as u64 >= end {
                    self.skbs.split_at(end);
                }
                if self.push_once {
                    self.skbs.mark_push(nxt_off + len as u64);
                }
            }
            if retrans == 0 && flight == 0 && len > 0 {
                if let Some(last) = self.lsndtime {
                    self.cc.tx_start(ctx.now, last, ctx.p.clock_granularity_us);
                }
            }
            if retrans == 0 && self.rtt_probe.is_none() && len > 0 && !ctx.p.rtt_every_ack {
                self.rtt_probe = Some((self.snd_nxt + len, ctx.now));
            }
            self.send_data_at(self.snd_nxt, len, with_fin, retrans, psh, ctx);
            sent = true;
            self.lsndtime = Some(ctx.now);
            self.snd_nxt += len + with_fin as u32;
            if self.snd_nxt.gt(self.snd_max) {
                self.snd_max = self.snd_nxt;
            }
            if retrans == 0 && chunk.is_some_and(|(end, _)| self.soff(self.snd_nxt) >= end) {
                // `tcp_event_new_data_sent` ends with `tcp_check_space` for every chunk of
                // new data ("tcp: fix potential xmit stalls caused by TCP_NOTSENT_LOWAT"),
                // `packets_out` already counting it: see [`Self::check_space`].
                self.check_space(ctx.p);
            }
            // Minshall's mark (`tcp_minshall_update`) is set by `tcp_write_xmit` only: a small
            // segment the probe timer sends (`tcp_write_wakeup`: `tcp_transmit_skb` and
            // `tcp_event_new_data_sent`) leaves it where it was, so it holds back no later
            // partial segment. Measured on 6.18 (explore seed 2200 #22): 10 bytes held by
            // MSG_MORE leave with the probe timer; a 3000-byte write 15 ms later sends its
            // 104-byte tail at once, before their ACK.
            if len < self.snd_mss && !wakeup {
                self.snd_sml = self.snd_nxt;
            }
            if retrans == 0 && flight == 0 {
                // `tcp_event_new_data_sent`: the RTO clock starts with the first segment
                // out, then the probe is re-planned.
                self.arm_rto(ctx);
            } else if retrans == 0 && self.tlp_armed {
                // The same with a loss probe pending: `tcp_rearm_rto` puts the RTO back, but
                // where the oldest segment's clock has it (`tcp_rto_delta_us`, from the rtx
                // queue's head), not a whole RTO from now; the probe re-planned after it is
                // no later than that.
                self.arm_rto_from_head(ctx);
            }
            if self.timer(TimerKind::Retransmit).is_none() {
                self.arm_rto(ctx);
            }
            // Only `tcp_write_xmit` plans a loss probe (`tcp_schedule_loss_probe`): a segment
            // the probe timer sends (`tcp_write_wakeup` → `tcp_event_new_data_sent`) arms
            // the RTO alone. Measured on 6.18 (zero-window-after-rto+delay=40): the segment
            // the probe timer sent into a 1448-byte window, lost three times, was resent
            // 347, 710 and 1371 ms apart (RTOs doubling), not after a probe at the RTO's
            // time and an RTO as long again.
            if retrans == 0 && !wakeup {
                self.schedule_loss_probe(ctx);
            }
            self.cancel_timer(TimerKind::Persist, ctx);
            if with_fin || std::mem::take(&mut self.push_once) {
                break;
            }
        }
        self.snd_mss = mss_cache;
        self.push_once = false;
        if sent && !wakeup {
            self.cwnd_validate(ctx);
        }
        if let Some((end, _)) = chunk {
            // Stopped inside a chunk: what was sent is cut off from the rest.
            let off = self.soff(self.snd_nxt);
            if off < end {
                self.skbs.split_at(off);
            }
        }
        sent
    }

    /// The sequence space Linux `tcp_snd_wnd_test` asks of the send head starting at
    /// `nxt_off` with `skb_len` bytes of data: the whole skb, its FIN included (the FIN rides
    /// on the write queue's unsent tail, `tcp_send_fin`), when it is no longer than one MSS;
    /// else one MSS, the FIN not counted.
    pub(super) fn head_seq_need(&self, nxt_off: u64, skb_len: u32, mss: u32, fin: bool) -> u32 {
        if skb_len > mss {
            return mss;
        }
        let fin_rides = fin && nxt_off + skb_len as u64 >= self.sndbuf.tail;
        skb_len + fin_rides as u32
    }

    /// Linux `tcp_cwnd_validate` after a transmission: remember whether cwnd was the limit
    /// in this window, or else the most segments out (RFC 7661's idea).
    pub(super) fn cwnd_validate(&mut self, ctx: &Ctx) {
        let packets_out = self.snd_max.diff(self.snd_una).max(0) as u32;
        let packets_out = packets_out.div_ceil(self.snd_mss.max(1));
        let in_flight = if self.scoreboard(ctx.p) {
            self.pipe_segs()
        } else {
            packets_out
        };
        let limited = in_flight >= self.cc.cwnd / self.snd_mss.max(1);
        if self.snd_una.ge(self.cwnd_usage_seq)
            || limited
            || (!self.cwnd_limited && packets_out > self.max_packets_out)
        {
            self.cwnd_limited = limited;
            self.max_packets_out = packets_out;
            self.cwnd_usage_seq = self.snd_nxt;
        }
    }

    /// Linux `tcp_is_cwnd_limited`: the window was used up, or in slow start it is less
    /// than twice what was out. Both of Linux's congestion modules ask it before they grow
    /// cwnd (`cubictcp_cong_avoid` and `tcp_reno_cong_avoid` return at once without it), so
    /// the Linux profile's ACK path (`ack_scoreboard`) asks it with Reno too.
    pub(super) fn is_cwnd_limited(&self) -> bool {
        self.cwnd_limited
            || (self.cc.cwnd < self.cc.ssthresh
                && self.cc.cwnd / self.snd_mss.max(1) < 2 * self.max_packets_out)
    }

    /// Whether an ACK may grow cwnd on the textbook's path (`ack_newreno`): RFC 5681 grows
    /// it on every ACK; with CUBIC, Linux's `tcp_is_cwnd_limited`.
    pub(super) fn may_grow_cwnd(&self) -> bool {
        self.cc.cubic.is_none() || self.is_cwnd_limited()
    }

    /// Nagle (RFC 896, RFC 9293 §3.7.4) holds a small segment back now. Linux uses
    /// Minshall's variant (`tcp_nagle_check`): only while a *small* one is unacknowledged.
    pub(super) fn nagle_holds(&self, flight: u32, ctx: &Ctx) -> bool {
        !self.nodelay
            && if ctx.p.nagle_minshall {
                self.snd_sml.gt(self.snd_una)
            } else {
                flight > 0
            }
    }

    /// How many segments the next GSO chunk may hold (`tcp_write_xmit`: `cwnd_quota`).
    pub(super) fn chunk_segs(&self, cwnd_room: u32, retrans: bool, ctx: &Ctx) -> u64 {
        let mss = self.snd_mss.max(1) as u64;
        let quota = (cwnd_room as u64 / mss).max(1);
        if retrans {
            return quota;
        }
        // `tcp_cwnd_test`: new data goes in chunks of at most half the window ("ensure we
        // have at least 2 GSO packets in flight"), so a window of 2 or 3 sends lone segments,
        // which get no forced PSH (seen with a route's initcwnd 2: 6.18 sends the first two
        // segments apart, neither with PSH). Retransmissions (`tcp_xmit_retransmit_queue`)
        // take the whole room.
        let half = (self.cc.cwnd as u64 / mss / 2).max(1);
        quota.min(half).min(self.tso_segs(ctx) as u64)
    }

    /// Linux `tcp_write_xmit` → `tcp_mss_split_point`: the GSO chunk that starts at
    /// snd_nxt inside `skb`. At most `chunk_segs` segments (the pass's `cwnd_quota`,
    /// [`Self::chunk_segs`]), within the window and the skb; on the last skb (or at the window's edge) a partial last segment that Nagle
    /// holds back stays out. Returns its end and whether its last segment carries PSH:
    /// always when it holds more than one segment (`__tcp_transmit_skb`), else only if it
    /// ends an skb `tcp_mark_push` marked.
    pub(super) fn next_chunk(
        &self,
        skb: SkbAt,
        flight: u32,
        wnd_room: u32,
        chunk_segs: u64,
        ctx: &Ctx,
    ) -> (u64, bool) {
        let mss = self.snd_mss.max(1) as u64;
        let nxt_off = self.soff(self.snd_nxt);
        let max_len = chunk_segs * mss;
        let needed = (skb.end - nxt_off).min(wnd_room as u64);
        let mut len = max_len.min(needed);
        let at_edge = skb.is_tail || (wnd_room as u64) < max_len;
        // `tcp_nagle_check` as `tcp_mss_split_point` calls it: TCP_NAGLE_CORK (TCP_CORK, or
        // this push of a MSG_MORE write) holds the partial last segment whatever is in flight,
        // Nagle only while a small segment is unacknowledged. The chunk then ends on a whole
        // segment, and being of several it carries PSH (6.18: a 3000-byte MSG_MORE write
        // leaves as ". 1448", "P. 1448", the 104 bytes held; explore seed 100 #68). A push
        // with TCP_NAGLE_PUSH or TCP_NAGLE_OFF as its argument (`nagle_off_once`: a write's
        // own pushes, F-RTO) holds nothing, so a chunk the window's edge cuts takes the
        // partial segment up to it.
        if at_edge
            && max_len > needed
            && len > mss
            && !len.is_multiple_of(mss)
            && !self.fin_queued
            && !self.nagle_off_once
            && (self.cork || self.more || self.nagle_holds(flight, ctx))
        {
            len -= len % mss;
        }
        let end = nxt_off + len;
        (end, len > mss || (end == skb.end && skb.psh))
    }

    /// Before new data leaves an idle connection: Linux `tcp_slow_start_after_idle_check`
    /// (nothing in flight and idle for more than the RTO), RFC 5681 §4.1, which Linux runs
    /// where a write starts an skb (`tcp_skb_entail`) and where a new window comes for data
    /// waiting (`tcp_ack_update_window`). The idle time is
    /// counted as the kernel counts it, in ticks crossed (`delta = tcp_jiffies32 -
    /// tp->lsndtime`, restart when `delta > icsk_rto`, both jiffies): a write 200.05 ms after
    /// the last send with an RTO of 200 ms restarts only if 51 ticks have gone by, not 50.
    pub(super) fn restart_after_idle(&mut self, ctx: &mut Ctx) {
        use crate::tcp::wheel::{jiffy_unit, ticks_since};
        let p = ctx.p;
        let Some(last) = self.lsndtime else { return };
        if self.idle_restarted == Some(last) {
            return;
        }
        let rto = self.rtt.rto;
        let idle = ticks_since(last, ctx.now, p) * jiffy_unit(p);
        if p.slow_start_after_idle == 0 || idle <= rto {
            return;
        }
        self.idle_restarted = Some(last);
        self.cc.restart_after_idle(
            idle,
            rto,
            p.initial_cwnd_segments,
            p.slow_start_after_idle == 1,
        );
    }
}
