//! The application's calls: send and recv, shutdown, close and abort (RFC 9293 §3.10.1-§3.10.6),
//! and the socket options that act at once (TCP_CORK, TCP_QUICKACK).

use super::*;

impl TcpSocket {
    /// Free space in the send buffer.
    pub fn send_space(&self) -> u32 {
        self.send_cap.saturating_sub(self.sndbuf.len() as u32)
    }

    /// How many of the `want` bytes a blocking send() copies now. Linux with SO_SNDBUF
    /// (profile `min_send_buffer` nonzero; `sk_setsockopt` doubles the value): `tcp_sendmsg_locked` fills the unsent tail skb, then
    /// starts skbs of `size_goal` while `sk_wmem_queued` (each skb's head and its bytes) is
    /// below `sk_sndbuf` (`sk_stream_memory_free`); a call that stopped sleeps until the free
    /// part is half the queued part (`sk_stream_wait_memory`, woken by
    /// `sk_stream_write_space`), or until data or a FIN received wakes it while the buffer
    /// is below `sk_sndbuf`. Otherwise the free payload space.
    /// A buffer the kernel sizes itself (profile `send_buffer_max`, no SO_SNDBUF) is checked
    /// the same way against `sk_sndbuf` as it stands, not doubled.
    /// Where a write builds skbs (`min_tso_segs` nonzero) the memory is checked by
    /// [`TcpSocket::write_skbs`] itself before each new skb, as the write goes: this gives
    /// the whole of `want` once the call may copy at all, and the write stops where the
    /// kernel's would.
    pub fn send_room(&mut self, want: u32, p: &crate::profile::Profile) -> u32 {
        let Some(limit) = self.sndbuf_limit(p) else {
            return self.send_space().min(want);
        };
        let mut queued = self.send_skbs_mem();
        if self.snd_wait && !self.snd_space_woken && !super::memory::stream_writeable(queued, limit)
        {
            // `sk_stream_wait_memory` sleeps on the socket's wait queue until a wake-up
            // finds `sk_stream_memory_free` (`sk_wmem_queued < sk_sndbuf`). The ACKs' wake-up
            // (`tcp_check_space` → `sk_stream_write_space`) comes only once the free part is
            // half the queued part (`__sk_stream_is_writeable`), but the task is on the same
            // queue as a reader, and its `woken_wake_function` takes every wake-up of it:
            // data received (`tcp_data_ready` → `sock_def_readable`) or a FIN
            // (`sk_state_change`) wakes it too, and it copies on if the buffer is below
            // `sk_sndbuf` at all. Measured on 6.18 (20 ms one way, send(100000) with the
            // 46080-byte buffer of the handshake, the peer's 100 bytes landing after the
            // first ACK train freed 10 segments: 32688 of 46080 queued, under a third free):
            // the writer queued 24 more segments at the data's arrival (explore seed 6400
            // #10); asleep until the next ACK train, a writer would not.
            let woken = self.rcv_nxt != self.snd_wait_rcv;
            self.snd_wait_rcv = self.rcv_nxt;
            if !woken || queued >= limit {
                return 0;
            }
        }
        let goal = self.size_goal(p);
        let mut room = self.skbs.tail_room(goal, self.soff(self.snd_max));
        if p.min_tso_segs > 0 {
            let n = if room == 0 && queued >= limit {
                0
            } else {
                want
            };
            self.set_snd_wait(n < want);
            return n;
        }
        while room < want as u64 && queued < limit {
            room += goal;
            queued += SND_SKB_HEAD + goal;
        }
        let n = room.min(want as u64) as u32;
        self.set_snd_wait(n < want);
        n
    }

    /// A send() stops for memory (`sk_stream_wait_memory`) or goes on; one that stops
    /// remembers where the received data stood, so that what arrives later wakes it.
    fn set_snd_wait(&mut self, wait: bool) {
        if wait && !self.snd_wait {
            self.snd_wait_rcv = self.rcv_nxt;
        }
        self.snd_wait = wait;
        // The task runs again: a stop from here on sets `SOCK_NOSPACE` anew.
        self.snd_space_woken = false;
    }

    /// `sk_sndbuf` as `sk_stream_memory_free` compares it with `sk_wmem_queued`, where the
    /// queue is counted in skb memory (SO_SNDBUF doubled, or the buffer the kernel grows);
    /// `None` where the buffer bounds payload bytes.
    pub(super) fn sndbuf_limit(&self, p: &crate::profile::Profile) -> Option<u64> {
        let grown = !self.sndbuf_locked && p.send_buffer_max > 0;
        if p.min_send_buffer == 0 || !(self.sndbuf_locked || grown) {
            return None;
        }
        Some(if self.sndbuf_locked {
            2 * (self.send_cap.max(p.min_send_buffer) as u64)
        } else {
            self.send_cap as u64
        })
    }

    pub fn can_send(&self) -> bool {
        matches!(self.state, TcpState::Established | TcpState::CloseWait) && !self.shut_wr
    }

    /// send(): queue the first `len` bytes of `spans` (the caller checked the space) and
    /// transmit what is allowed.
    /// `more` is MSG_MORE: this call's push holds a partial segment as TCP_CORK would.
    /// Returns the bytes taken: all `len` of them, or fewer where a write that builds skbs
    /// found the send buffer full before a new skb (`write_skbs`; the caller sleeps then).
    pub fn app_send(&mut self, spans: &[PayloadSpan], len: u32, more: bool, ctx: &mut Ctx) -> u32 {
        let taken = if ctx.p.min_tso_segs == 0 {
            self.sndbuf.push_range(spans, 0, len);
            self.more = more;
            self.output(ctx);
            self.more = false;
            len
        } else {
            self.write_skbs(spans, len, more, ctx)
        };
        self.sync_send_memory();
        self.report(ctx);
        taken
    }

    /// Linux `tcp_sendmsg_locked`: the bytes go into skbs of `size_goal`, and each skb that
    /// fills up is sent at once if it is the first unsent one (`tcp_push_one`: one GSO
    /// chunk), or with everything pending once more than half the peer's largest window
    /// was written since the last PSH (`forced_push` → `tcp_mark_push`,
    /// `__tcp_push_pending_frames`). The call ends with `tcp_push`: PSH on its last skb,
    /// then whatever the windows and Nagle allow. So the write's chunks interleave with
    /// its copying, and an skb cut by `tcp_push_one` takes more bytes while unsent.
    /// Where the queue is counted in skb memory, each new skb first needs `sk_wmem_queued`
    /// below `sk_sndbuf` (`sk_stream_memory_free` at `new_segment`) as it stands then: the
    /// segments already pushed by this write were cut off into skbs of their own
    /// (`tso_fragment`, a head each), and the tail they left takes more bytes without a
    /// check. Where it is not, the write stops there (`wait_for_space`: `tcp_push` with PSH,
    /// then sleep). Measured on 6.18 (tcp_wmem[2] 60000, sk_wmem_queued read by sock_diag):
    /// a send(200000) at 20 ms one way queues 46336 bytes (51328 of memory: five 2-segment
    /// skbs sent, a 22-segment tail) before it sleeps, not the 63712 of two whole skbs; and
    /// once woken it writes 49 or 51 segments in one go, the tail topped up as it leaves.
    /// Returns the bytes taken.
    pub(super) fn write_skbs(
        &mut self,
        spans: &[PayloadSpan],
        len: u32,
        more: bool,
        ctx: &mut Ctx,
    ) -> u32 {
        let size_goal = self.size_goal(ctx.p);
        let limit = self.sndbuf_limit(ctx.p);
        let mut copied = 0u32;
        while copied < len {
            let unsent_from = self.soff(self.snd_max);
            let entail = self.skbs.tail_room(size_goal, unsent_from) == 0;
            if entail && copied > 0 && limit.is_some_and(|l| self.send_skbs_mem() >= l) {
                self.set_snd_wait(true);
                break;
            }
            if entail {
                // `skb_entail`: a new skb ends TCP_NAGLE_PUSH.
                self.nagle_push = false;
            }
            if entail && self.snd_max == self.snd_una {
                // `tcp_skb_entail` → `tcp_slow_start_after_idle_check`: the window restarts
                // when a write starts an skb with nothing in flight, and only then. Data
                // already queued that leaves later (the probe timer's push of corked bytes,
                // an uncork) does not restart it. Measured on 6.18 (explore seed 1100 #26:
                // corked 20,000-byte write, its 1,176-byte tail pushed by the probe timer
                // 233 ms after the last send, over an RTO): the next write's burst is 13
                // segments, cwnd 24, not the 11 a restart at that push leaves.
                self.restart_after_idle(ctx);
            }
            // `if (!copied) TCP_SKB_CB(skb)->tcp_flags &= ~TCPHDR_PSH`: `copied` counts the
            // whole call, so a send() woken from `sk_stream_wait_memory` leaves the PSH its
            // `wait_for_space` push marked on the tail skb it goes on filling.
            let (take, full) = self.skbs.append(
                self.sndbuf.tail,
                (len - copied) as u64,
                size_goal,
                unsent_from,
                copied == 0 && !self.write_part_done,
            );
            self.sndbuf.push_range(spans, copied, take as u32);
            copied += take as u32;
            if copied == len || !full {
                continue;
            }
            // Both pushes pass TCP_NAGLE_PUSH, not the socket's Nagle or cork setting
            // (`__tcp_push_pending_frames(sk, mss_now, TCP_NAGLE_PUSH)`, `tcp_push_one`).
            self.nagle_off_once = true;
            if self.sndbuf.tail > self.pushed_off + self.max_snd_wnd as u64 / 2 {
                self.mark_push();
                self.output(ctx);
            } else if self.skbs.tail_is_send_head(self.soff(self.snd_max)) {
                self.output_chunks(Some(1), ctx);
            }
            self.nagle_off_once = false;
        }
        // `tcp_push`: with MSG_MORE the last skb gets no PSH (unless a forced push is due)
        // and the push holds a partial segment (TCP_NAGLE_CORK) for this call. A write
        // that stops for memory pushes without MSG_MORE and with TCP_NAGLE_PUSH in place of
        // the socket's Nagle and cork setting (`wait_for_space`); the autocork test still
        // comes first, and the device's later push uses the socket's own.
        let more = more && copied == len;
        let stopped = copied < len;
        self.write_part_done = stopped;
        if !more || self.sndbuf.tail > self.pushed_off + self.max_snd_wnd as u64 / 2 {
            self.mark_push();
        }
        self.more = more;
        if self.should_autocork(ctx) {
            // `tcp_push` returns before `__tcp_push_pending_frames`, TSQ_THROTTLED set: the
            // device's next release of this socket's memory pushes (`tx_done`).
            self.autocorked = true;
        } else {
            self.nagle_off_once = stopped;
            self.output(ctx);
            self.nagle_off_once = false;
        }
        self.more = false;
        // `sk_stream_wait_memory` sleeps only if the memory is still not free
        // (`sk_stream_memory_free`): `SOCK_NOSPACE` was set before `wait_for_space`'s push,
        // whose chunks may have grown the buffer (`tcp_event_new_data_sent` →
        // `tcp_check_space`), and then the call copies on at once.
        if stopped && limit.is_some_and(|l| self.send_skbs_mem() < l) {
            self.snd_space_woken = true;
        }
        copied
    }

    /// Linux `tcp_should_autocork` (with `tcp_autocorking`): the unsent tail skb is shorter
    /// than `size_goal`, data is in flight (`!tcp_rtx_queue_empty`), and the device holds
    /// more of this socket's memory than the tail skb takes (`sk_wmem_alloc >
    /// skb->truesize`: the reference of its own plus the packets' truesize; an skb's is its
    /// head and its bytes, `SND_SKB_HEAD` + length); a tail with a FIN takes no more bytes
    /// (`tcp_skb_can_collapse_to`).
    fn should_autocork(&self, ctx: &Ctx) -> bool {
        if !ctx.p.autocorking || self.fin_queued || self.snd_una == self.snd_nxt {
            return false;
        }
        let Some(len) = self.skbs.unsent_tail_len(self.soff(self.snd_max)) else {
            return false;
        };
        len > 0 && len < self.size_goal(ctx.p) && 1 + self.dev_truesize > SND_SKB_HEAD + len
    }

    /// The sending device released a data packet of this socket (`tcp_wfree`): its memory
    /// leaves `dev_truesize`, and a write autocorked meanwhile is pushed (TSQ:
    /// `tcp_tsq_handler` → `tcp_tsq_write` → `tcp_write_xmit` with the socket's Nagle
    /// setting).
    pub fn tx_done(&mut self, truesize: u64, ctx: &mut Ctx) {
        self.dev_truesize = self.dev_truesize.saturating_sub(truesize);
        if std::mem::take(&mut self.autocorked) {
            self.output(ctx);
            self.report(ctx);
        }
    }

    /// Linux `tcp_mark_push`: PSH on the last skb, and the write position remembered.
    pub(super) fn mark_push(&mut self) {
        self.skbs.mark_tail();
        self.pushed_off = self.sndbuf.tail;
    }

    /// setsockopt(TCP_CORK). Clearing it pushes what waits, under the usual Nagle rule
    /// (`__tcp_sock_set_cork` → `tcp_push_pending_frames`).
    pub fn set_cork(&mut self, on: bool, ctx: &mut Ctx) {
        self.cork = on;
        if !on {
            // `__tcp_sock_set_cork`: uncorking with TCP_NODELAY on sets TCP_NAGLE_PUSH.
            self.nagle_push |= self.nodelay;
            self.output(ctx);
            self.report(ctx);
        }
    }

    /// setsockopt(TCP_NODELAY) (`__tcp_sock_set_nodelay`): on sets TCP_NAGLE_OFF and
    /// TCP_NAGLE_PUSH and pushes pending data (`tcp_push_pending_frames`), so a partial
    /// segment the cork holds leaves at once (`tcp_nagle_test` looks at TCP_NAGLE_PUSH
    /// first). Measured on 6.18 (explore seed 2700 #73: TCP_CORK, send(100), TCP_NODELAY
    /// 83 ms later): the 100 bytes leave at the setsockopt(), 3 of 3 runs. Off only clears
    /// the flag, so data a MSG_MORE write holds stays held (explore 600-16: 10 bytes of
    /// send(MSG_MORE), TCP_NODELAY 0, shutdown(): the bytes leave with the FIN).
    pub fn set_nodelay(&mut self, on: bool, ctx: &mut Ctx) {
        self.nodelay = on;
        if on {
            self.nagle_push = true;
            self.output(ctx);
        }
        self.report(ctx);
    }

    /// setsockopt(TCP_QUICKACK) (`__tcp_sock_set_quickack`): off enters ping-pong mode
    /// (ACKs wait for a reply or the delayed-ACK timer); on leaves it and, in ESTABLISHED or
    /// CLOSE-WAIT, sends an owed ACK at once if the application has read everything.
    pub fn set_quickack(&mut self, on: bool, ctx: &mut Ctx) {
        if !on {
            self.pingpong = true;
            return;
        }
        self.pingpong = false;
        // `__tcp_sock_set_quickack`: in ESTABLISHED or CLOSE-WAIT with an ACK owed, the ACK
        // is marked pushed and `tcp_cleanup_rbuf(sk, 1)` runs as after a read. Measured on
        // 6.18: TCP_QUICKACK set 10 ms after 100 unread bytes came sent nothing (the queue
        // is not empty); the delayed ACK went 45 ms later.
        if (self.ack_sched || self.delack_bytes > 0)
            && matches!(self.state, TcpState::Established | TcpState::CloseWait)
        {
            self.ack_pushed = self.ack_pushed.max(1);
            if self.cleanup_rbuf(ctx) {
                self.report(ctx);
            }
        }
    }

    /// Linux `__tcp_cleanup_rbuf` after the application read some bytes: an owed ACK goes
    /// at once when more than one segment's worth is unacknowledged (`rcv_nxt - rcv_wup >
    /// icsk_ack.rcv_mss`: "Once-per-two-segments ACK was not sent by tcp_input.c"), or when the read emptied the receive memory (`sk_rmem_alloc` 0: the
    /// out-of-order queue empty too) and a pushed segment is among the owed ones
    /// (ICSK_ACK_PUSHED2, or ICSK_ACK_PUSHED outside ping-pong mode). Else a window update
    /// when the window that can be offered is at least twice what is left of the last
    /// offer, looked at only while that is at most half the clamp. Measured on 6.18: 22
    /// small writes 50 ms apart to a reader blocked in recv() — every one ACKed within
    /// 0.1 ms, also after the 16 quick ACKs; to a reader that does not read, the 17th on
    /// waited 44-48 ms. The RFC profile keeps the window update alone (RFC 9293
    /// §3.8.6.2.2: once the window opened by min(MSS, buffer/2) from a small value).
    /// Returns whether an ACK went.
    pub(super) fn cleanup_rbuf(&mut self, ctx: &mut Ctx) -> bool {
        if self.remote.is_none() {
            return false;
        }
        let linux = ctx.p.quickack_max > 0;
        let pushed = self.ack_pushed >= 2 || (self.ack_pushed == 1 && !self.pingpong);
        let time_to_ack = linux
            && (self.ack_sched || self.delack_bytes > 0)
            && (self.delack_bytes > self.rcv_mss
                || (pushed && self.rcvbuf.is_empty() && !self.ofo_held()));
        let window_update = !time_to_ack
            && matches!(
                self.state,
                TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
            )
            && {
                let before = self.advertised_window_now();
                if self.truesize_accounting() {
                    2 * before <= self.window_clamp() && {
                        let w = self.select_window_truesize();
                        w > 0 && w >= 2 * before
                    }
                } else {
                    let after = self.our_window();
                    let thresh = (self.our_mss as u32).min(self.rcv_cap / 2).max(1);
                    before < thresh && after >= thresh
                }
            };
        if time_to_ack || window_update {
            self.send_ack(ctx);
            return true;
        }
        false
    }

    /// Would recv() return without waiting (poll's POLLIN; `tcp_poll`): data queued, the
    /// peer's FIN, an error, or this side shut for reading. A listener: a connection waits.
    pub fn readable(&self) -> bool {
        // A listener: a connection waits for accept() (`inet_csk_listen_poll`), or it is no
        // longer listening (stopped by shutdown(SHUT_RD): `tcp_poll` reports EPOLLHUP for
        // TCP_CLOSE, and `inet_shutdown`'s `sk_state_change` wakes a sleeping accept()).
        if let Some(l) = &self.listen {
            return self.state != TcpState::Listen || !l.accept_queue.is_empty();
        }
        !self.rcvbuf.is_empty()
            || self.fin_received
            || self.shut_rd
            || self.error.is_some()
            || (self.state == TcpState::Closed && self.remote.is_some())
    }

    /// recv() with a buffer of `max` bytes.
    pub fn app_recv(&mut self, max: u32, ctx: &mut Ctx) -> RecvOutcome {
        // Linux `tcp_recvmsg_locked`: "if (sk->sk_state == TCP_LISTEN) goto out", ENOTCONN at
        // once: a listener has nothing to read (its connections are for accept()).
        if self.listen.is_some() {
            return RecvOutcome::Error("ENOTCONN");
        }
        if !self.rcvbuf.is_empty() {
            let queued = self.rcvbuf.len();
            // Already merged: `take_front` builds its list with `push_span`.
            let spans_out = self.rcvbuf.take_front(max as u64);
            let from = self.rcv_copied;
            self.rcv_copied += queued - self.rcvbuf.len();
            if self.truesize_accounting() {
                // `tcp_recvmsg_locked` calls `tcp_rcv_space_adjust` after copying each skb's
                // part: the skbs' ends inside this read, then where it stopped.
                let to = self.rcv_copied;
                let ends: Vec<u64> = self
                    .rcv_skbs
                    .iter()
                    .map(|&(end, _, _)| end)
                    .skip_while(|&end| end <= from)
                    .take_while(|&end| end < to)
                    .chain(std::iter::once(to))
                    .collect();
                for copied in ends {
                    self.rcv_space_adjust(copied, ctx.now, ctx.p);
                }
            }
            self.free_read_skbs();
            self.cleanup_rbuf(ctx);
            self.report(ctx);
            return RecvOutcome::Data(spans_out);
        }
        // Linux `tcp_recvmsg_locked`: a FIN received (SOCK_DONE) reads as end of file even
        // when a later RST left an error; the error is for the next send (measured on 6.18:
        // RST in CLOSE-WAIT → recv 0, then send EPIPE).
        if self.fin_received && ctx.p.linux_errno {
            return RecvOutcome::Eof;
        }
        if !ctx.p.linux_errno {
            if let Some(e) = self.error {
                return RecvOutcome::Error(e);
            }
        }
        if let Some(e) = self.take_error() {
            return RecvOutcome::Error(e);
        }
        if self.fin_received || self.error_reported || self.shut_rd {
            // After the error was reported the socket is shut down: recv reads 0.
            return RecvOutcome::Eof;
        }
        if self.state == TcpState::Closed {
            return RecvOutcome::Error("ENOTCONN");
        }
        RecvOutcome::WouldBlock
    }

    /// shutdown(SHUT_RD): only this side's reads end (Linux `tcp_shutdown` acts on SEND
    /// only; `tcp_recvmsg` returns 0 once the queue is empty and RCV_SHUTDOWN is set).
    pub fn app_shutdown_read(&mut self, ctx: &mut Ctx) {
        self.shut_rd = true;
        self.report(ctx);
    }

    /// shutdown(SHUT_WR): queue a FIN after the data (RFC 9293 §3.10.4 CLOSE, half-close).
    pub fn app_shutdown(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        if self.shut_wr {
            return;
        }
        self.shut_wr = true;
        match self.state {
            Established => {
                self.fin_queued = true;
                self.set_state(FinWait1, ctx);
                self.output(ctx);
            }
            CloseWait => {
                self.fin_queued = true;
                self.set_state(LastAck, ctx);
                self.output(ctx);
            }
            SynSent | Listen => self.set_state(Closed, ctx),
            _ => {}
        }
        self.report(ctx);
    }

    /// close(): shutdown + orphan. Unread data makes it an abort (RFC 2525 §2.17, Linux).
    pub fn app_close(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        self.app_closed = true;
        // Linux `__tcp_close`: data left in the receive queue ("data_was_unread") sets CLOSE
        // and sends `tcp_send_active_reset` whatever the state the socket is in, also after
        // shutdown(SHUT_WR) (FIN-WAIT-1/2, LAST-ACK, CLOSING). A socket that reached
        // TIME-WAIT is already CLOSE for its owner (`tcp_time_wait` → `tcp_done`) and goes
        // quietly. Measured on 6.18 (close in FIN-WAIT-2 with 5 bytes unread): "R. seq=2
        // ack=6 win=64 TS", where a FIN-WAIT-2 orphan had been left before.
        if ctx.p.rst_on_close_with_unread
            && !self.rcvbuf.is_empty()
            && !matches!(self.state, Closed | Listen | TimeWait)
        {
            self.purge_receive_queue();
            self.send_rst(ctx);
            self.set_state(Closed, ctx);
            self.report(ctx);
            return;
        }
        if matches!(self.state, SynReceived) {
            return self.app_abort(ctx);
        }
        self.app_shutdown(ctx);
        // `__tcp_close`: a socket already in FIN-WAIT-2 is orphaned there at once.
        if self.state == FinWait2 {
            self.orphan_in_fin_wait2(false, ctx);
        }
    }

    /// How long an orphan may stay in FIN-WAIT-2: Linux `tcp_fin_time`, tcp_fin_timeout but
    /// never less than 3.5 RTOs (`(rto << 2) - (rto >> 1)` on `icsk_rto`, in jiffies), so
    /// that a peer far away still has time to send its FIN; a tcp_fin_timeout of 0 is that
    /// floor. Measured on 6.18 (fin-wait2-timeout over a 300 ms wire, tcp_fin_timeout 2 s,
    /// RTO about 1.7 s): the orphan's timer ran 5.95 s, not 2 s; over 20 ms (RTO 0.2 s) it
    /// is tcp_fin_timeout's 2 s. `None`: the profile has no such timeout (the RFC's).
    /// `icsk_rto` is read when this is called (`__tcp_close`, `tcp_rcv_state_process` after
    /// `tcp_ack` took the ACK's RTT sample, `tcp_keepalive_timer`), so each caller asks here.
    pub(super) fn fin_time(&self, ctx: &Ctx) -> Option<Micros> {
        let floor = self.fin_time_floor(ctx);
        ctx.p.fin_wait2_timeout_us.map(|t| t.max(floor))
    }

    /// 3.5 RTOs, `(rto << 2) - (rto >> 1)` on `icsk_rto` in jiffies: the least
    /// `tcp_fin_time` gives, and the least a timewait socket's timer gets (`tcp_time_wait`).
    pub(super) fn fin_time_floor(&self, ctx: &Ctx) -> Micros {
        let p = ctx.p;
        let rto = crate::tcp::wheel::in_jiffies(self.rtt.rto_backed_off(self.rto_shift(ctx), p), p);
        match p.clock_granularity_us {
            j if p.timer_wheel && j > 0 => {
                let rj = rto / j;
                ((rj << 2) - (rj >> 1)) * j
            }
            _ => (rto << 2) - (rto >> 1),
        }
    }

    /// close() with SO_LINGER {on, 0}: send RST and drop everything (RFC 9293 §3.10.5 ABORT).
    pub fn app_abort(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        self.app_closed = true;
        // TIME-WAIT belongs to the timewait socket `tcp_time_wait` made; the owner's socket
        // was closed then (`tcp_done`), and `tcp_disconnect` of a closed socket does
        // nothing. Measured on 6.18: an abort 230 ms into TIME-WAIT sent nothing and the
        // connection stayed in TIME-WAIT.
        if self.state == TimeWait {
            return;
        }
        // `__tcp_close` looks for unread data before SO_LINGER 0: data left in the queue
        // resets in every state `app_close` resets in, LAST-ACK and CLOSING too, where
        // `tcp_disconnect` alone sends nothing once the FIN is out (`tcp_need_reset`).
        // Measured on 6.18 (explore seed 37800 #9, 50 ms: 1448 bytes unread,
        // shutdown(SHUT_RDWR) in CLOSE-WAIT, close() with SO_LINGER 0 in LAST-ACK):
        // "R. seq=2 ack=1450", 4 of 4.
        let unread = ctx.p.rst_on_close_with_unread
            && !self.rcvbuf.is_empty()
            && !matches!(self.state, Closed | Listen);
        // `tcp_disconnect` resets in `tcp_need_reset`'s states, and in LAST-ACK and CLOSING
        // while `snd_nxt != write_seq` ("adjusts for discrepancy of Linux wrt. RFC states"):
        // data or the FIN itself still queued, which the peer would otherwise never get.
        // Measured on 6.18 (20 ms: a peer's zero window holding 25,632 bytes and the FIN,
        // close() with SO_LINGER 0 in LAST-ACK): "R. seq=4369 ack=2".
        let fin_unsent =
            matches!(self.state, LastAck | Closing) && self.snd_max != self.fin_seq() + 1;
        if unread
            || fin_unsent
            || matches!(
                self.state,
                SynReceived | Established | FinWait1 | FinWait2 | CloseWait
            )
        {
            // close() frees what was never read before the RST (`__tcp_close`); RFC 9293
            // §3.10.5 ABORT flushes the queued RECEIVEs too.
            self.purge_receive_queue();
            self.send_rst(ctx);
        }
        self.set_state(Closed, ctx);
        self.report(ctx);
    }
}
