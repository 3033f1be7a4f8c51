//! Opening a connection: SYN and SYN-ACK, the options negotiated on them (RFC 9293 §3.7.1,
//! RFC 7323, RFC 2018), the ISN and timestamp offset (RFC 6528; Linux `secure_tcp_seq`,
//! `secure_tcp_ts_off`), SYN cookies, and segment arrival in SYN-SENT (RFC 9293 §3.10.7.3).

use super::*;

impl TcpSocket {
    /// The ISN of a connection to `remote` (RFC 6528, RFC 9293 §3.4.1: ISN = M +
    /// F(localip, localport, remoteip, remoteport, secretkey)): Linux `secure_tcp_seq`, a
    /// keyed hash of the 4-tuple (SipHash there, the model's own keyed mix here) plus the
    /// clock in `isn_tick_ns` ticks (`seq_scale`: ns >> 6). The same 4-tuple a moment later
    /// gets a larger ISN, which is what lets TIME-WAIT tell a new SYN from an old one
    /// without timestamps.
    pub(super) fn isn(&self, remote: Addr, ctx: &Ctx) -> SeqNumber {
        let f = keyed_hash(
            self.secret,
            &[
                self.local.host.0 as u64,
                self.local.port as u64,
                remote.host.0 as u64,
                remote.port as u64,
            ],
        ) as u32;
        let m = ctx.now.saturating_mul(1000) / u64::from(ctx.p.isn_tick_ns.max(1));
        SeqNumber(f.wrapping_add(m as u32))
    }

    /// The timestamp offset of a connection to `remote`: Linux `secure_tcp_ts_off`, a keyed
    /// hash of the address pair (not the ports: every connection between two hosts shares
    /// one clock, RFC 7323 Appendix B), 0 with `tcp_timestamps` 2.
    pub(super) fn ts_offset_for(&self, remote: Addr, ctx: &Ctx) -> u32 {
        if !ctx.p.timestamps_offset {
            return 0;
        }
        // A key of its own (Linux `ts_secret` beside `net_secret`).
        let key = self.secret ^ 0x7473_5f73_6563_7265;
        keyed_hash(key, &[self.local.host.0 as u64, remote.host.0 as u64]) as u32
    }

    /// The RTT sample of the ACK of a SYN (SYN-ACK) that was retransmitted, in the Linux
    /// profile: none of its own (Karn), but `tcp_ack_update_rtt` takes the timestamp echo
    /// (`tcp_rtt_tsopt_us`, whole milliseconds, at least one) when the ACK has no sequence
    /// sample and acknowledges the SYN (FLAG_SYN_ACKED).
    pub(super) fn syn_echo_rtt_sample(&mut self, h: &TcpHeader, ctx: &Ctx) {
        if !ctx.p.rtt_every_ack || !self.ts_ok {
            return;
        }
        let echo = h.options.timestamps.filter(|&(_, ecr)| ecr != 0);
        if let Some(r) = echo.and_then(|(_, ecr)| self.rtt_tsopt_us(ecr, ctx.now, 1)) {
            self.rtt_sample(r, ctx.p);
        }
    }

    pub(super) fn send_syn(&mut self, retransmission: u32, ctx: &mut Ctx) {
        let ack = self.state == TcpState::SynReceived;
        let mut seg = self.make_segment(
            self.iss,
            flags(true, ack, false, false, false),
            Vec::new(),
            ctx,
        );
        seg.retransmission = retransmission;
        if self.snd_nxt == self.iss {
            self.snd_nxt = self.iss + 1;
            self.snd_max = self.snd_nxt;
        }
        if retransmission == 0 {
            self.syn_first_sent = Some(ctx.now);
            self.rtt_probe = Some((self.iss + 1, ctx.now));
        } else {
            self.rtt_probe = None;
        }
        self.transmit(seg, ctx);
    }

    /// Linux `tcp_init_transfer`: "Cut cwnd down to 1 per RFC5681 if SYN or SYN-ACK has been
    /// retransmitted" (see [`crate::profile::Profile::syn_loss_cwnd_one_after`]) once
    /// `retransmitted` SYNs (SYN-ACKs) reach the profile's count and a timeout was among them
    /// (`undo_marker`: set by `tcp_enter_loss` on a SYN's RTO, on a child only when its
    /// request's timer fired, `tcp_create_openreq_child`). `tcp_try_undo_spurious_syn`
    /// clears it first when `h` echoes the first one's timestamp: that one arrived.
    pub(super) fn init_cwnd_after_syn_loss(
        &mut self,
        retransmitted: u32,
        timed_out: bool,
        h: &TcpHeader,
        ctx: &Ctx,
    ) {
        let after = ctx.p.syn_loss_cwnd_one_after;
        if after == 0 || retransmitted < after || !timed_out {
            return;
        }
        let echo = h.options.timestamps.map(|(_, ecr)| ecr);
        let spurious =
            self.ts_ok && echo.is_some() && echo == self.syn_first_sent.map(|t| self.ts_val(t));
        if !spurious {
            self.cc.set_mss(self.snd_mss, 1);
        }
    }

    pub(super) fn take_syn_options(&mut self, h: &TcpHeader, ctx: &Ctx) {
        let o = &h.options;
        let p = ctx.p;
        let peer_mss = o.mss.unwrap_or(536) as u32; // RFC 9293 §3.7.1 default
        self.ts_ok = p.timestamps && o.timestamps.is_some();
        self.sack_ok = p.sack_permitted && o.sack_permitted;
        self.wscale_ok = false;
        if let (Some(ours), Some(theirs)) = (self.offered_wscale(p), o.window_scale) {
            self.wscale_ok = true;
            self.rcv_wscale = ours;
            self.snd_wscale = theirs.min(14);
        } else {
            self.rcv_wscale = 0;
            self.snd_wscale = 0;
        }
        if let Some((tsval, _)) = o.timestamps {
            self.store_ts_recent(tsval, ctx.now);
        }
        let opt = if self.ts_ok { 12 } else { 0 };
        self.snd_mss = peer_mss.min(self.our_mss as u32).saturating_sub(opt).max(1);
        self.mss_unbounded = self.snd_mss;
        self.mss_clamp = peer_mss.min(p.mss as u32);
        self.cc.set_mss(self.snd_mss, p.initial_cwnd_segments);
        if !p.timestamps || o.timestamps.is_none() {
            self.ts_ok = false;
        }
    }

    /// Active open (RFC 9293 §3.10.1): send a SYN.
    pub fn connect(&mut self, remote: Addr, ctx: &mut Ctx) {
        self.remote = Some(remote);
        // A socket whose last connection ended (reset, timed out) may connect again; Linux
        // purged that connection's write queue when it ended (`tcp_write_queue_purge` in
        // `tcp_reset` and `tcp_done_with_error`), so the new sequence space starts empty.
        self.sndbuf = SpanQueue::default();
        self.skbs = SendSkbs::default();
        self.fin_queued = false;
        // `tcp_v4_connect`: `secure_tcp_seq` and `secure_tcp_ts_off`, unless the 4-tuple
        // came from a TIME-WAIT connection (`tcp_twsk_unique` set write_seq first).
        self.iss = match self.tw_isn.take() {
            Some(isn) => SeqNumber(isn),
            None => self.isn(remote, ctx),
        };
        // The SYN's TSecr is `rx_opt.ts_recent` (`tcp_syn_options`): the old connection's
        // when the 4-tuple came from TIME-WAIT, else 0.
        self.ts_recent_inherited = self.tw_ts_recent.is_some();
        self.ts_recent = self.tw_ts_recent.take().unwrap_or(0);
        self.ts_offset = self.ts_offset_for(remote, ctx);
        self.snd_una = self.iss;
        self.snd_nxt = self.iss;
        self.snd_max = self.iss;
        self.snd_sml = self.iss;
        self.set_state(TcpState::SynSent, ctx);
        // `tcp_connect`: the SYN's retry budget runs from the first SYN.
        self.retrans_stamp = Some(ctx.now);
        self.send_syn(0, ctx);
        self.arm_rto(ctx);
        self.report(ctx);
    }

    /// Passive open of a listener's child on a SYN (RFC 9293 §3.10.7.2).
    pub fn accept_syn(&mut self, seg: &Segment, ctx: &mut Ctx) {
        let Header::Tcp(h) = &seg.header else { return };
        self.remote = Some(seg.src);
        self.state = TcpState::Listen;
        self.irs = SeqNumber(h.seq);
        self.rcv_nxt = self.irs + 1;
        self.take_syn_options(h, ctx);
        // `tcp_conn_request`: the ISN a SYN brought from a TIME-WAIT connection it reopened
        // (`tcp_tw_isn`), else `tcp_v4_init_seq`; the timestamp offset `tcp_v4_init_ts_off`.
        self.iss = match self.tw_isn.take() {
            Some(isn) => SeqNumber(isn),
            None => self.isn(seg.src, ctx),
        };
        self.ts_offset = self.ts_offset_for(seg.src, ctx);
        self.snd_una = self.iss;
        self.snd_nxt = self.iss;
        self.snd_max = self.iss;
        self.snd_sml = self.iss;
        self.snd_wnd = h.window as u32;
        self.snd_wl1 = self.irs;
        self.set_state(TcpState::SynReceived, ctx);
        self.send_syn(0, ctx);
        self.arm_rto(ctx);
        self.report(ctx);
    }

    /// What a SYN cookie can carry of the SYN's options (Linux `cookie_init_timestamp`):
    /// with timestamps, SACK and the window scale; without them, nothing but the MSS.
    pub(super) fn cookie_options(&mut self, syn: &TcpHeader, ctx: &Ctx) {
        self.take_syn_options(syn, ctx);
        if !self.ts_ok {
            self.sack_ok = false;
            self.wscale_ok = false;
            self.snd_wscale = 0;
            self.rcv_wscale = 0;
        }
    }

    /// The SYN-ACK of a listener in cookie mode (see [`crate::sim`]): this throwaway socket
    /// answers `seg` as a request would, with a random ISN, and is then dropped.
    pub fn cookie_syn_ack(&mut self, seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) -> Segment {
        self.remote = Some(seg.src);
        self.state = TcpState::SynReceived;
        self.irs = SeqNumber(h.seq);
        self.rcv_nxt = self.irs + 1;
        self.cookie_options(h, ctx);
        // Linux's cookie is a hash of its own (`__cookie_v4_init_sequence`: the 4-tuple, a
        // minute counter, the MSS index); the keyed hash plus clock stands for it: the
        // trace's relative numbers are the same either way.
        self.iss = self.isn(seg.src, ctx);
        self.ts_offset = self.ts_offset_for(seg.src, ctx);
        let mut synack = self.make_segment(
            self.iss,
            flags(true, true, false, false, false),
            Vec::new(),
            ctx,
        );
        // `tcp_make_synack` stamps a cookie's SYN-ACK with `cookie_init_timestamp`, not the
        // clock: the options the cookie keeps are in the TSval's low bits, which the ACK
        // echoes, and its child measures its first RTT from that echo (`accept_cookie`).
        let wscale_ok = ctx.p.window_scale.is_some() && h.options.window_scale.is_some();
        let ts = cookie_init_timestamp(
            ctx.now,
            ctx.p.ts_clock_origin_us.unwrap_or(0),
            wscale_ok.then_some(self.snd_wscale),
            self.sack_ok,
        );
        if let Header::Tcp(sh) = &mut synack.header {
            if let Some((tsval, _)) = &mut sh.options.timestamps {
                *tsval = ts.wrapping_add(self.ts_offset);
            }
        }
        synack
    }

    /// A child created from a valid SYN cookie: straight to ESTABLISHED (Linux
    /// `cookie_v4_check`), with the options the cookie kept and its MSS: the largest of
    /// 536, 1300, 1440, 1460 (`msstab`) not above the peer's.
    pub fn accept_cookie(&mut self, seg: &Segment, syn: &TcpHeader, iss: u32, ctx: &mut Ctx) {
        let Header::Tcp(h) = &seg.header else { return };
        self.remote = Some(seg.src);
        self.state = TcpState::Listen;
        self.cookie_options(syn, ctx);
        if let Some((tsval, _)) = h.options.timestamps {
            self.store_ts_recent(tsval, ctx.now);
        }
        let peer = syn.options.mss.unwrap_or(536);
        let table = [536u16, 1300, 1440, 1460];
        let cookie_mss = table
            .iter()
            .rev()
            .find(|&&m| m <= peer)
            .copied()
            .unwrap_or(536);
        let opt = if self.ts_ok { 12 } else { 0 };
        self.snd_mss = (cookie_mss.min(self.our_mss) as u32)
            .saturating_sub(opt)
            .max(1);
        self.mss_unbounded = self.snd_mss;
        self.cc.set_mss(self.snd_mss, ctx.p.initial_cwnd_segments);
        self.iss = SeqNumber(iss);
        // `cookie_v4_check`: the child's timestamp offset is the address pair's
        // (`secure_tcp_ts_off`), as its SYN-ACK's was, so its clock goes on from there.
        self.ts_offset = self.ts_offset_for(seg.src, ctx);
        self.irs = SeqNumber(h.seq.wrapping_sub(1));
        self.rcv_nxt = SeqNumber(h.seq);
        self.snd_una = self.iss + 1;
        self.snd_nxt = self.snd_una;
        self.snd_max = self.snd_una;
        self.snd_sml = self.snd_una;
        self.snd_wnd = (h.window as u32) << self.snd_wscale;
        self.max_snd_wnd = self.snd_wnd;
        self.sync_mss();
        self.snd_wl1 = SeqNumber(h.seq);
        self.snd_wl2 = SeqNumber(h.ack);
        // `cookie_v4_check` sizes the child's first window as the SYN-ACK's, but from the
        // cookie's MSS without the timestamp option (`tcp_select_initial_window(…, req->mss,
        // …)`): 65536 of space rounded down to 44 × 1460 = 64240, where a request's SYN-ACK
        // used 45 × 1448 = 65160. Measured on 6.18 (tcp_syncookies=2): the child's first
        // ACK offers 63 << 10, where a request's child offers 64 << 10.
        let space = self.our_window();
        let mss = u32::from(cookie_mss.min(self.our_mss)).max(1);
        let w = if ctx.p.initial_window_mss_multiple && space > mss {
            space - space % mss
        } else {
            space
        };
        self.rcv_ssthresh = init_rwnd_cap(w, mss, ctx.p).min(65_535);
        self.rcv_wnd = self.rcv_ssthresh;
        self.rcv_adv_edge = self.rcv_nxt + self.rcv_wnd;
        // The new socket takes the ACK in TCP_SYN_RECV (`tcp_child_process` →
        // `tcp_rcv_state_process`), where, with no RTT yet, `tcp_synack_rtt_meas(sk, NULL)`
        // finds no request to time but `tcp_ack_update_rtt` takes the timestamp echo of
        // the cookie's SYN-ACK (FLAG_SYN_ACKED): the first RTT, RTO and pacing rate come
        // from it. Measured on 6.18 (tcp_syncookies 2, 50 ms one way): tcp_info rtt 105 ms,
        // rto 316 ms right after accept(), and the first 10 segments leave in GSO chunks of
        // two (`tcp_tso_autosize` at that rate), not unpaced in cwnd halves.
        self.syn_echo_rtt_sample(h, ctx);
        // No request ever existed, so no SYN-RECEIVED: the socket is born established
        // (`tcp_get_cookie_sock` → `inet_csk_complete_hashdance`).
        self.set_state(TcpState::Established, ctx);
        self.report(ctx);
    }

    pub(super) fn on_segment_syn_sent(&mut self, _seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) {
        let ack = SeqNumber(h.ack);
        // RFC 9293 §3.10.7.3, first: check the ACK.
        if h.flags.ack && (ack.le(self.iss) || ack.gt(self.snd_max)) {
            // Profile `syn_resend_after_bad_ack` (Linux: "Previous FIN/ACK or RST/ACK might
            // be ignored"): the SYN again in TCP_TIMEOUT_MIN, if none was resent yet.
            if ctx.p.syn_resend_after_bad_ack && self.retransmits == 0 {
                self.arm_timer(TimerKind::Retransmit, 2 * ctx.p.clock_granularity_us, ctx);
            }
            if !h.flags.rst {
                let rst = TcpSocket::reset_for(_seg);
                if let Some(r) = rst {
                    self.transmit(r, ctx);
                }
            }
            return;
        }
        // Second: RST. Only believed with an acceptable ACK: connection refused.
        if h.flags.rst {
            if h.flags.ack {
                self.fail("ECONNREFUSED", ctx);
            }
            return;
        }
        if !h.flags.syn {
            return;
        }
        // Fourth: SYN.
        self.irs = SeqNumber(h.seq);
        self.rcv_nxt = self.irs + 1;
        // Our SYN promised its window before the peer's ISN was known (the edge was counted
        // from 0): the promise starts here. Linux `tcp_rcv_synsent_state_process` likewise
        // sets rcv_wup = rcv_nxt, with rcv_wnd the SYN's window. Without this, about half of
        // all ISNs made the first ACK offer a huge window (the "promise" never to shrink).
        self.rcv_adv_edge = self.rcv_nxt + self.rcv_ssthresh;
        self.take_syn_options(h, ctx);
        if h.flags.ack {
            self.snd_una = ack;
            match self.rtt_probe.take() {
                Some((end, sent)) => {
                    if ack.ge(end) {
                        self.rtt_sample(ctx.now - sent, ctx.p);
                    }
                }
                // A retransmitted SYN gives no sample of its own (Karn), but Linux takes the
                // timestamp echo (`tcp_ack_update_rtt`: `tcp_rtt_tsopt_us` when the ACK has
                // no sequence sample), which echoes the last SYN sent: one round trip.
                // Measured on 6.18 (explore seed 200 #24, first SYN lost, 50 ms one way):
                // the 3000-byte write after it goes out in GSO chunks sized for a 100 ms
                // RTT ("." 1448, "P." 1448, "P." 104), not for an unmeasured one.
                None => self.syn_echo_rtt_sample(h, ctx),
            }
            let syns = self.stats.retransmits;
            self.init_cwnd_after_syn_loss(syns, syns > 0, h, ctx);
            // The handshake is over: neither count carries into the connection.
            self.retransmits = 0;
            self.end_backoff();
            self.retrans_stamp = None;
            // RFC 7323 §2.2: windows in SYN segments are not scaled.
            self.snd_wnd = h.window as u32;
            self.max_snd_wnd = self.snd_wnd;
            self.sync_mss();
            self.snd_wl1 = SeqNumber(h.seq);
            self.snd_wl2 = ack;
            self.cancel_timer(TimerKind::Retransmit, ctx);
            self.set_state(TcpState::Established, ctx);
            // Send data if the app already queued some, else the third packet of the
            // handshake: a pure ACK.
            if !self.output(ctx) {
                self.send_ack(ctx);
            }
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-SENT -> SYN-RECEIVED and
            // send SYN,ACK with our original ISN.
            self.snd_wnd = h.window as u32;
            self.snd_wl1 = SeqNumber(h.seq);
            self.set_state(TcpState::SynReceived, ctx);
            self.send_syn(0, ctx);
        }
    }
}

/// Linux `cookie_init_timestamp` (net/ipv4/syncookies.c): the TSval clock of a SYN cookie's
/// SYN-ACK, milliseconds rounded down to a multiple of 64 (TSBITS 6) with the cookie's
/// options in the low six bits (the window scale the SYN offered, 0xf for none; bit 4
/// SACK; bit 5 ECN, which the model does not negotiate), moved back 64 ms if that would
/// lie ahead of the clock. So the value is up to 63 ms old, and the RTT the child takes
/// from its echo is that much too long. The rounding is the kernel's clock's
/// (`tcp_ns_to_ts(tcp_clock_ns())`, CLOCK_MONOTONIC), which stood at `origin` µs at the
/// scenario's zero ([`crate::profile::Profile::ts_clock_origin_us`]): the age is taken
/// there and returned on the model's own TSval clock (`ts_val`: the scenario's ms).
pub(super) fn cookie_init_timestamp(
    now: Micros,
    origin: Micros,
    wscale: Option<u8>,
    sack: bool,
) -> u32 {
    const TSBITS: u32 = 6;
    let kernel_now = (origin + now) / 1000;
    let options = u64::from(wscale.unwrap_or(0xf)) | if sack { 1 << 4 } else { 0 };
    let ts = (kernel_now >> TSBITS << TSBITS) | options;
    let ts = if ts > kernel_now {
        ts.wrapping_sub(1 << TSBITS)
    } else {
        ts
    };
    let age = kernel_now.wrapping_sub(ts) as u32;
    ((now / 1000) as u32).wrapping_sub(age)
}
