//! Receive memory and the window we offer: truesize accounting and rmem scheduling, pruning and
//! collapsing under pressure (Linux `tcp_prune_queue`, `tcp_collapse`, `tcp_prune_ofo_queue`),
//! the window (RFC 9293 §3.8.6; Linux `__tcp_select_window`, `tcp_select_initial_window`,
//! `tcp_grow_window`) and the receive MSS estimate (`tcp_measure_rcv_mss`).

use super::*;

impl TcpSocket {
    /// Linux `tcp_initialize_rcv_mss` (from `tcp_init_transfer`, as the handshake ends):
    /// the first guess at the peer's segment size is the smallest of our advertised MSS
    /// (less the timestamp option), our send MSS, half the window offered and
    /// TCP_MSS_DEFAULT 536, at least TCP_MIN_MSS 88. A peer sending segments of exactly
    /// that size never updates it (nor the window's share of memory: `tcp_measure_rcv_mss`
    /// acts only on a larger segment). Measured on 6.18 with TCP_MAXSEG 536 on both ends
    /// (timestamps: 524-byte segments): the window backs off in steps of 524, not 536.
    pub(super) fn initialize_rcv_mss(&mut self) {
        let advmss = self.our_mss as u32 - if self.ts_ok { 12 } else { 0 };
        let hint = advmss
            .min(self.snd_mss)
            .min(self.rcv_wnd / 2)
            .clamp(88, 536);
        self.rcv_mss = hint;
    }

    /// Linux `tcp_init_buffer_space` (from `tcp_init_transfer`): the window clamp the
    /// handshake chose (`tcp_select_initial_window`: 65535 << the receive scale, and no more
    /// than the space when SO_RCVBUF fixed it) is brought down to the buffer's whole space,
    /// and then one segment is kept in reserve ("Force reservation of one segment": with
    /// tcp_app_win 31, max(2 × advmss, space − advmss) whenever clamp + advmss would exceed
    /// the space); rcv_ssthresh, the window's ceiling, follows it down. Until a full-sized
    /// segment measures the real memory ratio (`tcp_measure_rcv_mss` → `tcp_set_window_clamp`)
    /// this is what caps the window. Measured on 6.18: a SYN-cookie connection without window
    /// scaling starts from 64240 (44 × 1460); after 5 bytes the free space, capped at
    /// 65536 − 1448, rounds down below what was promised, so the ACK offers 64235, the rest
    /// of the promise, where an uncapped ceiling would offer 64240 again.
    /// It also starts the first measurement of reads (`rcvq_space.seq`, `.time`).
    pub(super) fn init_buffer_space(&mut self, now: Micros, p: &crate::profile::Profile) {
        self.rcvq_seq = self.rcv_copied;
        self.rcvq_time = now;
        // "if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK)) tcp_sndbuf_expand(sk);"
        self.sndbuf_expand(p);
        if !self.truesize_accounting() {
            return;
        }
        let maxwin = self.tcp_full_space();
        let advmss = self.our_mss as u32 - if self.ts_ok { 12 } else { 0 };
        let chosen = if self.rcvbuf_locked { maxwin } else { u32::MAX };
        let mut clamp = chosen.min(65_535u32 << self.rcv_wscale.min(14));
        // tcp_app_win 31: maxwin - (maxwin >> 31) is maxwin itself.
        clamp = clamp.min(maxwin);
        if clamp > 2 * advmss && clamp + advmss > maxwin {
            clamp = (2 * advmss).max(maxwin.saturating_sub(advmss));
        }
        self.window_clamp = Some(clamp);
        self.rcv_ssthresh = self.rcv_ssthresh.min(clamp);
        self.rcvq_space = self.rcv_ssthresh.min(self.rcv_wnd).min(10 * advmss);
    }

    /// Linux `tcp_rcvbuf_grow(sk, newval)` (6.18, net/ipv4/tcp_input.c), from
    /// `tcp_rcv_space_adjust` with what the application read in the last RTT and at the end
    /// of `tcp_data_queue_ofo` with `rcvq_space.space` as it is: `rcvq_space.space` takes
    /// `newval` (whatever the sysctl or SO_RCVBUF), then a buffer SO_RCVBUF did not set
    /// grows, with tcp_moderate_rcvbuf on, to hold a window of 2 × newval ("DRS is always one
    /// RTT late") plus twice that times newval's growth over the old value ("slow start:
    /// allow the sender to double its rate"; "tcp: fix too slow tcp_rcvbuf_grow() action",
    /// 6.18) plus the out-of-order extent (the last out-of-order byte less rcv_nxt), turned
    /// into memory at the measured payload share (`tcp_space_from_win`) and capped at
    /// tcp_rmem[2]; the window clamp follows. The out-of-order caller acts only for a
    /// socket an application holds.
    /// Measured on 6.18 (`receive-memory-ofo-rcvbuf-grow`: tcp_rmem[1] 131072, 44 full
    /// segments behind a lost first one): once the hole is filled the ACK offers 28 << 10
    /// (2 × 14480 + 65160 of window → 150592 bytes of buffer), where the 131072-byte buffer
    /// leaves 16 << 10.
    pub(super) fn rcvbuf_grow(&mut self, newval: u32, p: &crate::profile::Profile) {
        let oldval = self.rcvq_space;
        self.rcvq_space = newval;
        if !p.moderate_rcvbuf || !self.truesize_accounting() || self.rcvbuf_locked {
            return;
        }
        let mut rcvwin = 2 * newval as u64;
        // `do_div(grow, oldval)`: oldval is never 0 once `tcp_init_buffer_space` ran.
        rcvwin += 2 * (rcvwin * newval.saturating_sub(oldval) as u64 / oldval.max(1) as u64);
        if let Some((start, skb)) = self.ooo.last_key_value() {
            let end = start + spans_len(&skb.spans) as u64;
            rcvwin += end.saturating_sub(self.roff(self.rcv_nxt));
        }
        let rcvbuf = (rcvwin << 8) / self.scaling_ratio.max(1) as u64;
        let rcvbuf = match p.rcvbuf_max {
            0 => rcvbuf,
            max => rcvbuf.min(max as u64),
        };
        if rcvbuf > self.rcvbuf_bytes() {
            self.rcvbuf_grown = rcvbuf;
            self.window_clamp = Some(self.win_from_space(rcvbuf));
        }
    }

    /// Linux `tcp_rcv_space_adjust` (net/ipv4/tcp_input.c), called by `tcp_recvmsg_locked`
    /// after each skb's bytes are copied to the application (`copied` is then the stream
    /// offset of copied_seq): nothing until the receiver has an RTT estimate and that long
    /// has passed since the last measurement; then the bytes read since it, less those
    /// still queued ("tcp: add receive queue awareness in tcp_rcv_space_adjust()"), grow
    /// the buffer if they exceed the last measurement (`rcvbuf_grow`), and a new
    /// measurement starts here.
    pub(super) fn rcv_space_adjust(
        &mut self,
        copied: u64,
        now: Micros,
        p: &crate::profile::Profile,
    ) {
        if self.rcv_rtt_us == 0 || now.saturating_sub(self.rcvq_time) < self.rcv_rtt_us >> 3 {
            return;
        }
        let inq = self.roff(self.rcv_nxt).saturating_sub(copied) as i64;
        let read = copied as i64 - self.rcvq_seq as i64 - inq;
        if read > self.rcvq_space as i64 {
            self.rcvbuf_grow(read as u32, p);
        }
        self.rcvq_seq = copied;
        self.rcvq_time = now;
    }

    /// Linux `tcp_rcv_rtt_update` (6.18): the receiver's RTT estimate (`rcv_rtt_est.rtt_us`,
    /// 8 × the RTT in µs) takes any sample below it at once ("tcp: always seek for minimal
    /// rtt in tcp_rcv_rtt_update()"); a larger one from the window (`win_dep`) is ignored,
    /// and a larger timestamp one is averaged in (7/8 old) only while the application has
    /// read everything ("tcp: skip big rtt sample if receive queue is not empty").
    fn rcv_rtt_update(&mut self, sample_us: u64, win_dep: bool) {
        let old = self.rcv_rtt_us;
        let m = sample_us << 3;
        self.rcv_rtt_us = if old == 0 || m < old {
            m
        } else if win_dep || self.roff(self.rcv_nxt) != self.rcv_copied {
            return;
        } else {
            old - (old >> 3) + sample_us
        };
    }

    /// Linux `tcp_rcv_rtt_measure` (from `tcp_event_data_recv`, for in-order data): the time
    /// a window's worth of data (the window last offered, from where rcv_nxt was) took to
    /// arrive is an RTT sample, after which a new measurement starts.
    pub(super) fn rcv_rtt_measure(&mut self, now: Micros) {
        if let Some(t) = self.rcv_rtt_time {
            if self.rcv_nxt.lt(self.rcv_rtt_seq) {
                return;
            }
            self.rcv_rtt_update(now.saturating_sub(t).max(1), true);
        }
        self.rcv_rtt_seq = self.rcv_nxt + self.rcv_wnd;
        self.rcv_rtt_time = Some(now);
    }

    /// Linux `tcp_rcv_rtt_measure_ts` (from `tcp_rcv_established`, before the segment's
    /// data is queued): a segment of at least `rcv_mss` bytes echoing a timestamp not seen
    /// before gives the sample now − TSecr in whole ms; 0 ms is no sample ("tcp: remove
    /// zero TCP TS samples for autotuning"). Every segment with a new TSecr is remembered
    /// (`rcv_rtt_last_tsecr`), pure ACKs included.
    pub(super) fn rcv_rtt_measure_ts(&mut self, tsecr: u32, len: u32, now: Micros) {
        if tsecr == self.rcv_rtt_last_tsecr {
            return;
        }
        self.rcv_rtt_last_tsecr = tsecr;
        if len >= self.rcv_mss {
            // `tcp_rtt_tsopt_us(tp, 0)`, taken only when above 0.
            if let Some(r) = self.rtt_tsopt_us(tsecr, now, 0).filter(|&r| r > 0) {
                self.rcv_rtt_update(r, false);
            }
        }
    }

    /// Free receive space measured from rcv_nxt. Out-of-order data lies inside this window
    /// (it occupies sequence space the window already covers), so it is not subtracted.
    pub(super) fn our_window(&self) -> u32 {
        if self.truesize_accounting() {
            return self.tcp_space();
        }
        self.rcv_cap.saturating_sub(self.rcvbuf.len() as u32)
    }

    /// Whether receive memory is counted as Linux does, in skb truesize against a buffer
    /// twice the space (the profile knows the machine's skb overhead).
    pub(super) fn truesize_accounting(&self) -> bool {
        self.rcv_skb_overhead > 0
    }

    /// Linux `sk_rcvbuf`: the receive space at the default 50 % ratio is half of it
    /// (`tcp_full_space` of tcp_rmem[1], or SO_RCVBUF doubled by the kernel), unless
    /// `tcp_clamp_window` has grown it since.
    pub(super) fn rcvbuf_bytes(&self) -> u64 {
        let set = (self.rcv_cap as u64) * 256 / TCP_DEFAULT_SCALING_RATIO as u64;
        set.max(self.rcvbuf_grown)
    }

    /// The memory of a linear skb whose head holds `data` bytes (`__alloc_skb` →
    /// `kmalloc_reserve`): the data cache-aligned plus skb_shared_info, from the small-head
    /// cache or else a power-of-two slab, plus the sk_buff (`SKB_TRUESIZE`).
    pub(super) fn linear_skb(data: u32) -> (u32, u32) {
        let head = data.div_ceil(64) * 64 + SKB_SHARED_INFO;
        let head = if head <= SMALL_HEAD {
            SMALL_HEAD
        } else {
            head.next_power_of_two()
        };
        (head, head + SK_BUFF)
    }

    /// Linux `tcp_win_from_space`: the window a number of bytes of receive memory offers.
    pub(super) fn win_from_space(&self, space: u64) -> u32 {
        ((space * self.scaling_ratio as u64) >> 8).min(u32::MAX as u64) as u32
    }

    /// Linux `sk_rmem_alloc`: the truesize of every queued segment, in order or not.
    pub(super) fn rmem(&self) -> u64 {
        self.rcv_skbs.iter().map(|&(_, t, _)| t as u64).sum::<u64>() + self.ooo_mem
    }

    /// Linux `tcp_space`: the window the free receive memory offers.
    pub(super) fn tcp_space(&self) -> u32 {
        self.win_from_space(self.rcvbuf_bytes().saturating_sub(self.rmem()))
    }

    /// Linux `tcp_full_space`: the window the whole receive buffer offers.
    pub(super) fn tcp_full_space(&self) -> u32 {
        self.win_from_space(self.rcvbuf_bytes())
    }

    pub(super) fn window_clamp(&self) -> u32 {
        self.window_clamp.unwrap_or_else(|| self.tcp_full_space())
    }

    /// The receive memory (skb truesize) a segment of `len` payload bytes takes. The device
    /// copies each packet into one linear skb (TUN: `tun_get_user` → `tun_alloc_skb`): a
    /// kmalloc'd head of `tun->align` (NET_SKB_PAD, 64) + the packet, cache-aligned, + the
    /// 320-byte skb_shared_info, in the small-head cache or a power-of-two slab, plus the
    /// 256-byte sk_buff (`SKB_TRUESIZE`, [`TcpSocket::linear_skb`]). So the cost moves in
    /// steps: a 96-byte segment with timestamps takes the 576-byte small head (832 in all),
    /// a 200-byte one a 1024-byte slab (1280), a 524-byte one the same, a full 1448-byte one
    /// a 2048-byte slab (2304). `rcv_skb_overhead` is what a full-sized packet (the link's
    /// MTU) takes beyond its payload; the steps are shifted by any difference between it and
    /// this layout.
    pub(super) fn truesize(&self, len: u32) -> u32 {
        let slab = |packet: u32| Self::linear_skb(SKB_PAD + packet).1;
        // A data segment's headers: IPv4 and TCP, and the timestamp option when in use (a
        // SACK block in a data segment is rare enough to leave out).
        let headers = 40 + if self.ts_ok { 12 } else { 0 };
        let full = self.rcv_full_packet;
        let measured = (full.saturating_sub(52) + self.rcv_skb_overhead) as i64;
        let shift = measured - slab(full) as i64;
        (slab(len + headers) as i64 + shift).max(len as i64) as u32
    }

    /// The room a segment of `len` payload bytes leaves at the end of its skb's head: the
    /// slab of [`TcpSocket::truesize`] less the skb_shared_info, the headroom and the packet.
    /// 624 bytes after a 988-byte segment, 164 after a full 1448-byte one.
    pub(super) fn tailroom(&self, len: u32) -> u32 {
        let packet = len + 40 + if self.ts_ok { 12 } else { 0 };
        let (head, _) = Self::linear_skb(SKB_PAD + packet);
        head - SKB_SHARED_INFO - SKB_PAD - packet
    }

    /// Linux `tcp_can_ingest`: the queues' memory is within the buffer. 6.18 compares
    /// `sk_rmem_alloc` alone with it ("tcp: give up on stronger sk_rcvbuf checks" undid the
    /// variants that added the arriving skb): measured on 6.18 (zero-window with TCP_MAXSEG
    /// 536), a 524-byte segment arriving at 15360 bytes of a 16384-byte buffer is queued
    /// without a prune, where adding its truesize (1280) would have collapsed the queue.
    pub(super) fn can_ingest(&self) -> bool {
        self.rmem() <= self.rcvbuf_bytes()
    }

    /// Linux `tcp_try_rmem_schedule`, for an skb of `truesize` bytes about to be queued (in
    /// order or out of order) by the slow path: with the queues over the buffer,
    /// `tcp_prune_queue` makes room first; then the memory is charged in whole pages
    /// (`sk_rmem_schedule`, which the model never refuses: it has no global tcp_mem
    /// pressure). False: no room could be made.
    /// `in_start` is where the skb starts (a stream offset): `tcp_prune_ofo_queue` keeps
    /// what lies below it.
    pub(super) fn try_rmem_schedule(
        &mut self,
        truesize: u32,
        in_start: u64,
        p: &crate::profile::Profile,
    ) -> bool {
        if !self.can_ingest() && !self.prune_queue(in_start, p) {
            return false;
        }
        self.mem_schedule(truesize);
        true
    }

    /// `__sk_mem_schedule` (`sk_rmem_schedule`, `sk_wmem_schedule`,
    /// `sk_forced_mem_schedule`): whatever `truesize` needs beyond the memory already
    /// forward-allocated is charged to the socket in whole pages (`sk_mem_pages`), the rest
    /// stays forward-allocated for the next skbs, received or sent. Measured on 6.18 through
    /// sock_diag's SK_MEMINFO_FWD_ALLOC: three 1280-byte skbs into an empty socket leave 256
    /// (one page less 3840).
    pub(super) fn mem_schedule(&mut self, truesize: u32) {
        let need = truesize as i64 - self.fwd_alloc;
        if need > 0 {
            self.fwd_alloc += (need + PAGE - 1) / PAGE * PAGE;
        }
    }

    /// Memory `freed` goes back to the socket (`sk_mem_uncharge`) and whole pages of what is
    /// forward-allocated go back to the system (`sk_mem_reclaim` → `__sk_mem_reclaim`: only
    /// the part under a page stays; since 6.0, "net: keep sk->sk_forward_alloc as small as
    /// possible", there is no SK_RECLAIM_THRESHOLD, and the per-cpu reserve,
    /// `sysctl_mem_pcpu_rsv`, batches the protocol's `memory_allocated`, not the socket's
    /// forward allocation).
    pub(super) fn mem_uncharge(&mut self, freed: u64) {
        self.fwd_alloc += freed as i64;
        if self.fwd_alloc >= PAGE {
            self.fwd_alloc %= PAGE;
        }
    }

    /// Linux `tcp_sndbuf_expand` (profile `send_buffer_max`): a send buffer SO_SNDBUF did
    /// not set grows to 2 × max(TCP_INIT_CWND, cwnd, reordering + 1) skbs of worst-case
    /// memory for one MSS ("each frame consumes one skb and skb->head is kmalloced using
    /// power of two area of memory"), never past tcp_wmem[2], never down.
    pub(super) fn sndbuf_expand(&mut self, p: &crate::profile::Profile) {
        if self.sndbuf_locked || p.send_buffer_max == 0 {
            return;
        }
        let mss = self.mss_clamp.max(self.snd_mss) as u64;
        let per_mss = (mss + SND_HEADER_ROOM).next_power_of_two() + SK_BUFF as u64;
        let mss_segs = self.snd_mss.max(1);
        let nr_segs = (TCP_INIT_CWND as u64)
            .max((self.cc.cwnd / mss_segs) as u64)
            .max(self.reord.degree as u64 + 1);
        let sndmem = 2 * nr_segs * per_mss;
        if (self.send_cap as u64) < sndmem {
            self.send_cap = sndmem.min(p.send_buffer_max as u64) as u32;
        }
    }

    /// Linux `tcp_check_space`, after an incoming segment's `tcp_ack` and push
    /// (`tcp_data_snd_check`) and after every chunk of new data sent
    /// (`tcp_event_new_data_sent`): with a writer waiting for room (`SOCK_NOSPACE`, set by
    /// `sk_stream_wait_memory` and cleared by the wake-up), `tcp_new_space` grows the buffer if
    /// `tcp_should_expand_sndbuf` lets it: not set by SO_SNDBUF (no memory pressure is
    /// modelled) and fewer segments in flight than cwnd (`tcp_packets_in_flight`), i.e. the
    /// sender is held by the peer's window, has sent all it has, or has more chunks of this
    /// push to send. Then `sk_stream_write_space` wakes the writer if the free part is at
    /// least half the queued part (`__sk_stream_is_writeable`), as the memory stands at this
    /// chunk: the chunks after it add heads (`tso_fragment`) that would make it fall short.
    /// Measured on 6.18 (explore seed 33400 #0, 5 ms one way, send(100000) asleep at 46336
    /// bytes behind the 46080-byte buffer of the handshake, load 3.7-7.3, 4 of 4 runs): each
    /// of the first flight's three ACKs is answered by a push that fills cwnd; the second
    /// and third grow the buffer at their push's first chunk (59904, then 69120: 2 × 15 ×
    /// 2304), 45752 of memory at the third, and the writer copies the whole rest (the buffer
    /// reads 92760 of 69120 after). Growing it after the whole push only, the model found
    /// cwnd full each time and kept 46080, and its writer waited 35 ms for the peer's window
    /// update.
    pub(super) fn check_space(&mut self, p: &crate::profile::Profile) {
        if !self.snd_wait || self.snd_space_woken {
            return;
        }
        if self.cwnd_room_segs() > 0 {
            self.sndbuf_expand(p);
        }
        if let Some(limit) = self.sndbuf_limit(p) {
            if stream_writeable(self.send_skbs_mem(), limit) {
                self.snd_space_woken = true;
            }
        }
    }

    /// Linux `sk_wmem_queued`: every send skb not yet acknowledged takes its head
    /// (`SND_SKB_HEAD`) and its bytes. A cut (`tcp_fragment`) adds a head, an skb eaten by its
    /// neighbour (`tcp_grow_skb`, `tcp_collapse_retrans`) frees one.
    pub(super) fn send_skbs_mem(&self) -> u64 {
        self.skbs.count() as u64 * SND_SKB_HEAD + self.sndbuf.len()
    }

    /// The send side's share of `fwd_alloc`, brought up to date with the send skbs as they
    /// stand: what they took since the last call is charged (`tcp_stream_alloc_skb` →
    /// `sk_wmem_schedule` and `tcp_skb_entail` → `sk_mem_charge` for a head,
    /// `tcp_wmem_schedule` and `skb_copy_to_page_nocache` → `sk_mem_charge` for the bytes,
    /// `tcp_fragment` for a cut), and what they gave back is uncharged (`tcp_wmem_free_skb`,
    /// `tcp_trim_head` → `sk_mem_uncharge`, which reclaims whole pages). Charging the sum at
    /// once leaves what charging each piece would, less than a page. Called after a write,
    /// before a segment's fast-path test reads `fwd_alloc`, and where the segment's
    /// `tcp_ack` frees acknowledged skbs (`tcp_clean_rtx_queue`): before its data is queued
    /// on the slow path, after it on the fast path. Measured on 6.18 (recording
    /// `written-memory-lets-received-data-take-the-fast-path`, and explore 600-2): a socket
    /// that has only written (one byte held by MSG_MORE: 833 bytes queued, 3263
    /// forward-allocated) takes the peer's 100 bytes (832) on the fast path, which answers
    /// with a pure ACK and keeps the byte. And explore 200-61: 100 bytes held (932) after a
    /// received 100-byte skb (832) leave 2332, so a 1448-byte segment (2304) fits; with the
    /// 896-byte head once assumed it would not (2268) and would push them.
    pub(super) fn sync_send_memory(&mut self) {
        if !self.truesize_accounting() {
            return;
        }
        let now = self.send_skbs_mem();
        if now > self.wmem_queued {
            let charged = now - self.wmem_queued;
            self.mem_schedule(charged.min(u32::MAX as u64) as u32);
            self.fwd_alloc -= charged as i64;
        } else if now < self.wmem_queued {
            self.mem_uncharge(self.wmem_queued - now);
        }
        self.wmem_queued = now;
    }

    /// Linux `__tcp_close`: the receive queue is freed ("data_was_unread") before close()
    /// sends anything, so the RST of a close with unread data, or of SO_LINGER 0, offers the
    /// window of an empty queue (`__tcp_select_window` on the space now free); the
    /// out-of-order queue stays charged until the socket is destroyed. Measured on 6.18
    /// (abort with 20,000 unread bytes, SO_RCVBUF as set by the kernel): `R. … win=75`,
    /// where the window of the full queue would have been 64.
    pub(super) fn purge_receive_queue(&mut self) {
        let unread = self.rcvbuf.len();
        self.rcvbuf.release_to(self.rcvbuf.head + unread);
        self.rcv_copied += unread;
        self.free_read_skbs();
    }

    /// A segment's memory is freed once all of it has been read (or purged).
    pub(super) fn free_read_skbs(&mut self) {
        while let Some(&(end, truesize, _)) = self.rcv_skbs.front() {
            if end > self.rcv_copied {
                break;
            }
            self.rcv_skbs.pop_front();
            self.rcv_head_off = end;
            self.mem_uncharge(truesize as u64);
        }
    }

    /// Linux `tcp_prune_queue`, when the queues' memory is over the buffer:
    /// - `tcp_clamp_window`: quick-ACK mode ends; a buffer SO_RCVBUF did not set grows to the
    ///   memory in use (`sk_rcvbuf = min(sk_rmem_alloc, tcp_rmem[2])`, while below
    ///   tcp_rmem[2]), one it set stays and rcv_ssthresh falls to two segments
    ///   (`min(window_clamp, 2 * advmss)`);
    /// - still over: `tcp_collapse_ofo_queue` ([`TcpSocket::collapse_ofo_queue`]), then
    ///   `tcp_collapse` of the receive queue ([`TcpSocket::collapse_queue`]);
    /// - still over: `tcp_prune_ofo_queue` ([`TcpSocket::prune_ofo_queue`]) for an skb
    ///   starting at `in_start`;
    /// - still over: header prediction off, and the caller drops the segment.
    ///
    /// Measured on 6.18 (zero-window with TCP_MAXSEG 536, SO_RCVBUF 8192, nobody reading):
    /// 7764 bytes in fifteen 1280-byte and one 1280-byte skb (20480 of 16384) collapse into
    /// 3776 + 3776 + 212 bytes (4352 + 4352 + 832), and the window that stayed shut without
    /// it reopens (620, then 2096).
    pub(super) fn prune_queue(&mut self, in_start: u64, p: &crate::profile::Profile) -> bool {
        self.ack_quick = 0;
        if !self.rcvbuf_locked && (p.rcvbuf_max == 0 || self.rcvbuf_bytes() < p.rcvbuf_max as u64) {
            let rmem = match p.rcvbuf_max {
                0 => self.rmem(),
                max => self.rmem().min(max as u64),
            };
            self.rcvbuf_grown = self.rcvbuf_grown.max(rmem);
        }
        if self.rmem() > self.rcvbuf_bytes() {
            let advmss = self.our_mss as u32 - if self.ts_ok { 12 } else { 0 };
            self.rcv_ssthresh = self.window_clamp().min(2 * advmss);
        }
        if self.can_ingest() {
            return true;
        }
        self.collapse_ofo_queue();
        self.collapse_queue();
        if self.can_ingest() {
            return true;
        }
        self.prune_ofo_queue(in_start);
        if self.can_ingest() {
            return true;
        }
        self.rcv_pred_wnd = None;
        false
    }

    /// Linux `tcp_collapse` of the receive queue, from copied_seq to rcv_nxt: from the first
    /// skb that costs more memory than its payload earns as window (`tcp_win_from_space
    /// (truesize) > len`) or that was partly read, every byte is copied into fresh linear
    /// skbs of up to a page less skb_shared_info (SKB_MAX_ORDER(0, 0), 3776 bytes:
    /// `alloc_skb(copy)`, [`TcpSocket::linear_skb`]) and the old skbs are freed. The skbs
    /// before that one stay as they are.
    pub(super) fn collapse_queue(&mut self) {
        let mut start = self.rcv_head_off;
        let mut from = None;
        for (i, &(end, truesize, _)) in self.rcv_skbs.iter().enumerate() {
            let bloated = self.win_from_space(truesize as u64) as u64 > end - start;
            if bloated || start < self.rcv_copied {
                from = Some((i, start.max(self.rcv_copied)));
                break;
            }
            start = end;
        }
        let Some((i, mut at)) = from else {
            return;
        };
        let end = self.roff(self.rcv_nxt);
        let before = self.rmem();
        self.rcv_skbs.truncate(i);
        if i == 0 {
            self.rcv_head_off = at;
        }
        while at < end {
            let copy = (end - at).min(COLLAPSE_COPY as u64) as u32;
            let (head, truesize) = Self::linear_skb(copy);
            self.rcv_skbs
                .push_back((at + copy as u64, truesize, head - SKB_SHARED_INFO - copy));
            at += copy as u64;
        }
        // Each new skb is charged, each old one freed: what is left over under a page
        // stays forward-allocated.
        let after = self.rmem();
        self.fwd_alloc -= after as i64;
        self.mem_uncharge(before);
    }

    /// Linux `tcp_collapse_ofo_queue`: the out-of-order queue, range by range (skbs with no
    /// gap between them), is copied into fresh page-sized skbs as the receive queue is
    /// ([`TcpSocket::collapse_queue`]): within a range, from the first skb that costs more
    /// memory than its payload earns as window, every byte goes into skbs of up to 3776
    /// bytes. A range of one skb under 3776 bytes is "tiny" and left alone; once the tiny
    /// ranges add up to more than an eighth of the buffer the walk stops ("Do not attempt
    /// collapsing tiny skbs", since 4.19). Measured on 6.18
    /// (`receive-memory-ofo-collapse`: SO_RCVBUF 8192, 100-byte segments behind a hole):
    /// twenty 832-byte skbs (16640 of 16384) become one 4352-byte skb when the 21st comes,
    /// which is then queued and the next ones copied into that skb's tailroom, where the
    /// model dropped the highest skbs and broke the SACK blocks.
    pub(super) fn collapse_ofo_queue(&mut self) {
        let limit = self.rcvbuf_bytes() >> 3;
        let mut sum_tiny = 0u64;
        let mut i = 0;
        while i < self.ooo.len() {
            let q = self.ooo.as_slice();
            let first = q[i].0;
            let mut end = first + spans_len(&q[i].1.spans) as u64;
            let mut range_truesize = q[i].1.truesize as u64;
            let mut j = i + 1;
            while j < q.len() && q[j].0 <= end {
                end = end.max(q[j].0 + spans_len(&q[j].1.spans) as u64);
                range_truesize += q[j].1.truesize as u64;
                j += 1;
            }
            if j - i == 1 && end - first < COLLAPSE_COPY as u64 {
                sum_tiny += range_truesize;
                if sum_tiny > limit {
                    return;
                }
                i = j;
                continue;
            }
            // `tcp_collapse` neither starts at nor copies into the skb carrying the FIN
            // (`TCPHDR_FIN`): the range ends before it.
            let range_end = j;
            let (j, end) = match self
                .ooo_fin
                .and_then(|f| (i..j).find(|&m| q[m].0 + spans_len(&q[m].1.spans) as u64 == f))
            {
                Some(m) => (m, q[m].0),
                None => (j, end),
            };
            // `tcp_collapse`: the skbs before the first bloated one stay as they are.
            let Some(k) = (i..j).find(|&k| {
                let (s, skb) = &q[k];
                let len = spans_len(&skb.spans) as u64;
                self.win_from_space(skb.truesize as u64) as u64 > len || *s < first
            }) else {
                i = range_end;
                continue;
            };
            let old: Vec<(u64, OfoSkb)> = q[k..j].to_vec();
            let mut at = old[0].0;
            let mut spans = Vec::new();
            let mut freed = 0u64;
            for (s, skb) in &old {
                self.ooo.remove(s);
                freed += skb.truesize as u64;
                for sp in &skb.spans {
                    push_span(&mut spans, *sp);
                }
            }
            let mut made = 0u64;
            let mut n = 0;
            let mut skip = 0u32;
            while at < end {
                let copy = (end - at).min(COLLAPSE_COPY as u64) as u32;
                let (head, truesize) = Self::linear_skb(copy);
                self.ooo.insert(
                    at,
                    OfoSkb {
                        spans: slice_spans(&spans, skip, copy),
                        truesize,
                        tailroom: head - SKB_SHARED_INFO - copy,
                    },
                );
                made += truesize as u64;
                skip += copy;
                at += copy as u64;
                n += 1;
            }
            // Each new skb is charged, each old one freed (as in `collapse_queue`).
            self.ooo_mem = (self.ooo_mem + made).saturating_sub(freed);
            self.fwd_alloc -= made as i64;
            self.mem_uncharge(freed);
            i = k + n;
        }
    }

    /// Linux `tcp_prune_ofo_queue`: out-of-order skbs are dropped from the highest sequence
    /// down, an eighth of the buffer's memory at a time, until the queues fit; every SACK
    /// block goes with them (`tcp_sack_reset`). It stops at the first skb below the arriving
    /// one (`in_start`): "If incoming skb would land last in ofo queue, stop pruning" (6.18's
    /// `tcp_prune_ofo_queue(sk, in_skb)`), so a segment above everything held is dropped
    /// instead of what is held. Measured on 6.18 (`receive-memory-ofo-prune`): the 21st of
    /// twenty-one gapped 100-byte segments is dropped unanswered and the SACK blocks stay.
    /// Returns whether anything was dropped.
    pub(super) fn prune_ofo_queue(&mut self, in_start: u64) -> bool {
        let eighth = (self.rcvbuf_bytes() >> 3) as i64;
        let mut goal = eighth;
        let mut pruned = false;
        while let Some((&start, skb)) = self.ooo.last_key_value() {
            if in_start > start {
                break;
            }
            pruned = true;
            let len = spans_len(&skb.spans);
            let truesize = skb.truesize;
            self.ooo.remove(&start);
            self.ooo_bytes -= len;
            self.ooo_mem = self.ooo_mem.saturating_sub(truesize as u64);
            self.mem_uncharge(truesize as u64);
            if self.ooo_fin.is_some_and(|f| f >= start) {
                self.ooo_fin = None;
            }
            goal -= truesize as i64;
            if self.ooo.is_empty() || goal <= 0 {
                if self.can_ingest() {
                    break;
                }
                goal = eighth;
            }
        }
        if pruned {
            self.sack_blocks.clear();
            self.dsack = None;
        }
        pruned
    }

    /// An in-order skb of `len` payload bytes joins the receive queue, which now ends at
    /// rcv_nxt. Linux `tcp_queue_rcv` (and `tcp_ofo_queue`) first tries `tcp_try_coalesce`
    /// into the queue's tail skb, still unread: a segment that starts where the tail ends
    /// and fits in its tailroom is copied there (`skb_try_coalesce`, no new memory); TUN's
    /// kmalloc'd heads cannot be stolen as fragments, so anything else is an skb of its own.
    /// Measured on 6.18 (zero-window with TCP_MAXSEG 1000, SO_RCVBUF 8192, writes of 988 +
    /// 460 bytes, nobody reading): each 460 joins the 988's skb, so three pairs hold 6912
    /// bytes, not 10752, and the window offered is 3952, not the 3560 left of the last offer.
    pub(super) fn queue_rcv_skb(&mut self, len: u32, in_sequence: bool) {
        self.queue_skb(len, in_sequence, self.truesize(len), self.tailroom(len));
    }

    /// [`TcpSocket::queue_rcv_skb`] for an skb of `len` bytes that costs `truesize` and has
    /// `tailroom` left: an out-of-order skb that segments were copied into
    /// (`tcp_ooo_try_coalesce`) moves over whole (`tcp_ofo_queue`) unless all of it fits the
    /// receive queue's tail.
    pub(super) fn queue_skb(&mut self, len: u32, in_sequence: bool, truesize: u32, tailroom: u32) {
        let end = self.roff(self.rcv_nxt);
        if in_sequence {
            if let Some(tail) = self.rcv_skbs.back_mut() {
                if tail.2 >= len {
                    tail.0 = end;
                    tail.2 -= len;
                    return;
                }
            }
        }
        self.rcv_skbs.push_back((end, truesize, tailroom));
    }

    /// Linux `__tcp_select_window` with truesize accounting: the free space, but zero once
    /// it is below 1/16 of the buffer's window or one segment while less than half the
    /// buffer is free (so that the sender stops before memory runs out), capped by
    /// rcv_ssthresh and rounded up to the scale unit.
    pub(super) fn select_window_truesize(&self) -> u32 {
        let mut mss = self.rcv_mss;
        let mut free = self.tcp_space();
        let allowed = self.tcp_full_space();
        let full = self.window_clamp().min(allowed);
        if mss > full {
            mss = full;
            if mss == 0 {
                return 0;
            }
        }
        let unit = 1u32 << self.rcv_wscale;
        if free < full / 2 {
            free -= free % unit;
            if free < allowed >> 4 || free < mss {
                return 0;
            }
        }
        free = free.min(self.rcv_ssthresh);
        if self.rcv_wscale > 0 {
            free.div_ceil(unit) * unit
        } else {
            // Without scaling the window moves in whole segments (keeping the last offer
            // while it is within one segment of the free space).
            let last = self.rcv_wnd;
            if last + mss <= free || last > free {
                free - free % mss.max(1)
            } else if mss == full && free > last + full / 2 {
                free
            } else {
                last
            }
        }
    }

    /// `__tcp_select_window`'s side effect: with less than half of the buffer's window
    /// free, quick-ACK mode ends (`icsk->icsk_ack.quick = 0`). It runs wherever the kernel
    /// computes the window: for every segment sent (`tcp_select_window`) and in
    /// `__tcp_ack_snd_check` once more than a segment is unacknowledged. Measured on 6.18
    /// (psh-writes with SO_RCVBUF 16384, nobody reading): the third write's first segment is
    /// acknowledged at once, its window leaves less than half free, and the other three
    /// wait for the delayed ACK.
    pub(super) fn end_quickack_under_pressure(&mut self) {
        let (free, full) = if self.truesize_accounting() {
            (
                self.tcp_space(),
                self.window_clamp().min(self.tcp_full_space()),
            )
        } else {
            (self.our_window(), self.rcv_cap)
        };
        if free < full / 2 {
            self.ack_quick = 0;
        }
    }

    /// Linux `__tcp_select_window`: the window the free space and rcv_ssthresh allow now,
    /// before `tcp_select_window`'s rule that an offer never shrinks.
    pub(super) fn window_now(&self, p: &crate::profile::Profile) -> u32 {
        if self.truesize_accounting() {
            return self.select_window_truesize();
        }
        let w = self.our_window().min(self.rcv_ssthresh);
        if p.window_round_up {
            let unit = 1u32 << self.rcv_wscale;
            w.div_ceil(unit) * unit
        } else {
            w
        }
    }

    /// The window to advertise now, with receiver-side silly window avoidance
    /// (RFC 9293 §3.8.6.2.2): a window below min(MSS, buffer/2) is shown as the part of the
    /// previous promise that is left (never shrinking the right edge), usually zero.
    pub(super) fn advertised_window(&self, p: &crate::profile::Profile) -> u32 {
        if self.truesize_accounting() {
            // `tcp_select_window`: never shrink what was offered (the edge stays).
            let promised = self.advertised_window_now();
            let w = self.select_window_truesize();
            if w < promised {
                let unit = 1u32 << self.rcv_wscale;
                return promised.div_ceil(unit) * unit;
            }
            return w;
        }
        let free = self.our_window();
        let thresh = (self.our_mss as u32).min(self.rcv_cap / 2).max(1);
        let promised = self.advertised_window_now();
        if free >= thresh {
            if p.window_round_up {
                // Linux `__tcp_select_window`: no more than rcv_ssthresh, rounded *up* to
                // the scale unit so that scaling never hides it. Measured on 6.18: the
                // client's first ACK says 63 (64240 rounded up to 64512, shift 10), the
                // server's 64 (65160 → 65536).
                // `tcp_select_window` then never shrinks the offer: below what is left of
                // the last one, it offers that rest, rounded up (measured on 6.18: 75, 74,
                // 73 … << 10 as 1448-byte segments queue unread behind a capped ceiling).
                let w = free.min(self.rcv_ssthresh).max(promised);
                let unit = 1u32 << self.rcv_wscale;
                w.div_ceil(unit) * unit
            } else {
                free
            }
        } else {
            promised.min(free)
        }
    }

    /// The window-scale shift we offer. Linux `tcp_select_initial_window`: ilog2 of the
    /// largest window we may ever want (the receive space, tcp_rmem[2] and rmem_max, or just
    /// the space when SO_RCVBUF fixed it) minus 15, clamped to 0..=14 (RFC 7323 §2.3).
    /// Measured on 6.18: 10 by default (tcp_rmem[2] = 32 MiB), 0 / 2 / 5 with SO_RCVBUF
    /// 16384 / 200000 / 2000000.
    pub(super) fn offered_wscale(&self, p: &crate::profile::Profile) -> Option<u8> {
        let ws = p.window_scale?;
        if p.wscale_space == 0 {
            return Some(ws);
        }
        let space = self.rcv_cap.max(1);
        let clamp = if self.rcvbuf_locked { space } else { u32::MAX };
        // `wscale_space` is max(tcp_rmem[2], rmem_max) as the machine has them; a smaller
        // tcp_rmem[2] lowers it (measured on 6.18: tcp_rmem[2] 262144 → shift 3).
        let want = match p.rcvbuf_max {
            0 => p.wscale_space,
            max => p.wscale_space.min(max.max(p.rmem_max)),
        };
        let s = space.max(want).min(clamp);
        Some((s.ilog2() as i32 - 15).clamp(0, 14) as u8)
    }

    /// The window in our SYN or SYN-ACK (never scaled, RFC 7323 §2.2). Linux
    /// (`tcp_select_initial_window`) rounds the receive space down to a multiple of the MSS
    /// (for a SYN-ACK with timestamps, the MSS less their 12 bytes, `tcp_openreq_init_rwin`):
    /// 64240 and 65160 on Ethernet, 65495 and 65483 on loopback (measured on 6.18).
    /// The SYN's field is this, capped at 65535.
    /// The receive window the handshake starts with (`tp->rcv_wnd`, and `rcv_ssthresh` from
    /// it). Linux no longer caps it at 64 KiB (commit "tcp: remove 64 KByte limit for initial
    /// tp->rcv_wnd value", 6.10): only the SYN's field is capped, so a large SO_RCVBUF
    /// offers its whole space from the first scaled window on. Measured on 6.18, SO_RCVBUF
    /// 4 MiB (wscale 7): the first ACK of data says 32784 << 7, rcv_ssthresh 4193408 (the
    /// space rounded down to 1448) plus the two segments `tcp_grow_window` adds.
    pub(super) fn initial_rcv_wnd(&self, synack: bool, p: &crate::profile::Profile) -> u32 {
        let space = self.our_window();
        if !p.initial_window_mss_multiple {
            return space.min(65_535);
        }
        let mut mss = self.our_mss as u32;
        if (synack && self.ts_ok) || (!synack && self.ts_recent_inherited && p.timestamps) {
            mss = mss.saturating_sub(12).max(1);
        }
        let w = if space > mss {
            space - space % mss
        } else {
            space
        };
        init_rwnd_cap(w, mss, p)
    }

    /// Linux `tcp_grow_window`: rcv_ssthresh, the ceiling of the window offered, grows by
    /// max(2 × advmss, 2 × the segment) but no further than the free space (`room =
    /// min(window_clamp, tcp_space(sk)) - rcv_ssthresh`; `tcp_space` counts the out-of-order
    /// queue too). Measured on 6.18: 65160 → 67, 70, 73 << 10 over three 1448-byte segments.
    pub(super) fn grow_window(&mut self, len: u32) {
        if self.truesize_accounting() {
            let fits = self.win_from_space(self.truesize(len) as u64) <= len;
            self.grow_rcv_ssthresh(len, fits);
            return;
        }
        let space = self.our_window().saturating_sub(self.ooo_bytes);
        if self.rcv_ssthresh < space {
            let incr = (2 * self.our_mss as u32).max(2 * len);
            self.rcv_ssthresh = (self.rcv_ssthresh + incr).min(space);
        }
    }

    /// `tcp_grow_window` under truesize accounting, for a segment of `len` bytes: room =
    /// min(window_clamp, tcp_space) - rcv_ssthresh; two advertised MSS when the segment's
    /// truesize `fits` (will fit the window in future: `tcp_win_from_space(truesize) <=
    /// len`), else (`__tcp_grow_window`) two received MSS.
    pub(super) fn grow_rcv_ssthresh(&mut self, len: u32, fits: bool) {
        let room = self.window_clamp().min(self.tcp_space());
        if self.rcv_ssthresh >= room {
            return;
        }
        // `tp->advmss` loses the timestamp option's 12 bytes once both sides use it
        // (`tcp_rcv_synsent_state_process`, `tcp_create_openreq_child`). Measured on
        // 6.18 (SO_RCVBUF 4 MiB, wscale 7): 32784, 32807, 32829, 32852 << 7, steps of
        // 2896, not 2920.
        let advmss = self.our_mss as u32 - if self.ts_ok { 12 } else { 0 };
        let incr = if fits { 2 * advmss } else { 2 * self.rcv_mss };
        let incr = incr.max(2 * len);
        self.rcv_ssthresh += incr.min(room - self.rcv_ssthresh);
        // `icsk_ack.quick |= 1`: a window that grew is announced at once. Measured on 6.18
        // (8192-byte SO_RCVBUF, one segment per write): three quick ACKs, not the two
        // `tcp_incr_quickack` grants (2 | 1 = 3).
        self.ack_quick |= 1;
    }

    /// Linux `tcp_measure_rcv_mss`: the segment sizes the receiver sees set `rcv_mss`, the
    /// payload-to-truesize ratio and with it the window clamp, and mark the ACK "pushed".
    /// Called for in-order data (`tcp_event_data_recv`) and, since 6.17 (backported to
    /// 6.12.y: "tcp: call tcp_measure_rcv_mss() for ooo packets"), for out-of-order data
    /// (`tcp_data_queue_ofo`). Measured on 6.18 (`reorder-seen-widens-reo-wnd`): a
    /// connection's first data, two segments ahead of a held one, already grow the window
    /// offered (67, 70 << 10), as in-order ones do. And `ofo-window-growth` (SO_RCVBUF 8192,
    /// the first of five full segments lost): the other four's SACKs offer 8688, the window
    /// at ratio 160/256, not 7240 at 128.
    ///
    /// "Pushed" (ICSK_ACK_PUSHED, a second time ICSK_ACK_PUSHED2) lets a read that empties
    /// the queue acknowledge at once (`tcp_cleanup_rbuf`). A segment of at least `rcv_mss`
    /// sets it when it carries PSH (6.6+, "tcp: fix delayed ACKs for MSS boundary
    /// condition": likely the end of a write); a shorter one always, unless it is the second
    /// in a row of one size, which becomes `rcv_mss` instead. A short segment has a size
    /// (`last_seg_size`) only from 536 bytes with its header (TCP_MSS_DEFAULT + the bare
    /// header), or from 88 (TCP_MIN_MSS) without FIN, URG, PSH, RST or SYN (`TCP_REMNANT`),
    /// and the size leaves out the connection's fixed header (`tcp_header_len`: the
    /// timestamps) but not other options. Measured on 6.18 (`delayed-ack-pushed-read`):
    /// twenty full segments and 1040 bytes with PSH, the last one's ACK delayed, read whole
    /// 11 ms after it came: acknowledged at the read, 241 ms, where the old rule (only
    /// segments under 524 bytes pushed) waited for the delayed-ACK timer, 269 ms. And
    /// `delayed-ack-pushed-full`: one-segment writes with PSH, each read 5 ms after it came,
    /// acknowledged at the read once the quick ACKs were spent (415.9 ms, not 453.9).
    pub(super) fn measure_rcv_mss(&mut self, seg: SegShape) {
        /// include/net/tcp.h TCP_MSS_DEFAULT, TCP_MIN_MSS; `sizeof(struct tcphdr)`.
        const MSS_DEFAULT: u32 = 536;
        const MIN_MSS: u32 = 88;
        const TCPHDR: u32 = 20;
        let len = seg.len;
        let lss = std::mem::take(&mut self.last_seg_size);
        if len < self.rcv_mss {
            let whole = len + seg.header_len;
            if whole >= MSS_DEFAULT + TCPHDR || (whole >= MIN_MSS + TCPHDR && !seg.remnant) {
                let tcp_header_len = TCPHDR + if self.ts_ok { 12 } else { 0 };
                let size = whole.saturating_sub(tcp_header_len);
                self.last_seg_size = size;
                if size == lss {
                    self.rcv_mss = size;
                    return;
                }
            }
            self.ack_pushed = (self.ack_pushed + 1).min(2);
            return;
        }
        if seg.psh {
            self.ack_pushed = self.ack_pushed.max(1);
        }
        if self.truesize_accounting() && len != self.rcv_mss {
            // The ratio of payload to truesize, and with it the window clamp
            // (`tcp_set_window_clamp`): a smaller clamp pulls rcv_ssthresh down, a larger
            // one lets it reach the window last offered.
            let ratio = ((len as u64 * 256) / self.truesize(len) as u64).max(1) as u32;
            if ratio != self.scaling_ratio {
                let old = self.window_clamp();
                self.scaling_ratio = ratio;
                let clamp = self.tcp_full_space();
                self.window_clamp = Some(clamp);
                if clamp < old {
                    self.rcv_ssthresh = self.rcv_ssthresh.min(clamp);
                } else {
                    self.rcv_ssthresh = self.rcv_ssthresh.max(self.rcv_wnd.min(clamp));
                }
                // "tcp: adjust rcvq_space after updating scaling ratio" (6.14): the last
                // measured read never exceeds the new clamp.
                self.rcvq_space = self.rcvq_space.min(clamp);
            }
        }
        self.rcv_mss = len.min(self.our_mss as u32);
    }

    /// What is left of the window our last segment offered: its right edge less rcv_nxt
    /// (`tcp_receive_window`), never negative.
    pub(super) fn advertised_window_now(&self) -> u32 {
        self.rcv_adv_edge.diff(self.rcv_nxt).max(0) as u32
    }
}

/// Linux `__sk_stream_is_writeable`: `queued` (`sk_wmem_queued`) below `limit` (`sk_sndbuf`)
/// with the free part at least half the queued one (`sk_stream_wspace >=
/// sk_stream_min_wspace`), i.e. a third of the buffer free: what a writer asleep in
/// `sk_stream_wait_memory` waits for, and `sk_stream_write_space` wakes it on.
pub(super) fn stream_writeable(queued: u64, limit: u64) -> bool {
    queued < limit && limit - queued >= queued / 2
}
