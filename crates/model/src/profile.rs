//! Profiles: every constant the model uses, named and documented, in two flavours.
//!
//! - [`ProfileId::Linux`] ("Linux 6.x", the default): the values a current Linux kernel uses
//!   (`include/net/tcp.h`, `Documentation/networking/ip-sysctl.rst`).
//! - [`ProfileId::Rfc`] ("RFC textbook"): what the RFCs alone say, with no Linux specifics, so
//!   a viewer can see where Linux departs from the textbook.
//!
//! A scenario picks a profile and may override single fields ([`ProfileOverrides`]).

use serde::{Deserialize, Serialize};

use crate::trace::Micros;

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProfileId {
    #[default]
    Linux,
    Rfc,
}

impl ProfileId {
    pub const ALL: [ProfileId; 2] = [ProfileId::Linux, ProfileId::Rfc];

    /// Stable id used in traces and URLs.
    pub fn id(self) -> &'static str {
        match self {
            ProfileId::Linux => "linux",
            ProfileId::Rfc => "rfc",
        }
    }

    pub fn from_id(s: &str) -> Option<ProfileId> {
        ProfileId::ALL.into_iter().find(|p| p.id() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProfileId::Linux => "Linux 6.x",
            ProfileId::Rfc => "RFC textbook",
        }
    }

    pub fn profile(self) -> Profile {
        match self {
            ProfileId::Linux => Profile::linux(),
            ProfileId::Rfc => Profile::rfc(),
        }
    }
}

/// How a listening socket queues incoming connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BacklogModel {
    /// Linux since 2.2: a SYN queue for SYN-RECEIVED requests and an accept queue for
    /// established connections; `listen(backlog)` bounds only the accept queue.
    TwoQueues,
    /// Historic BSD: one queue holding both SYN-RECEIVED and ESTABLISHED connections,
    /// bounded by the backlog; when it is full, SYNs are dropped.
    BsdSingleQueue,
}

/// When a Linux listener drops an incoming SYN because its accept queue is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SynDropRule {
    /// Current Linux (`tcp_conn_request`: `if (sk_acceptq_is_full(sk)) goto drop;`, since the
    /// 2016 commit "tcp/dccp: drop SYN packets if accept queue is full"): always.
    WhenAcceptQueueFull,
    /// Older kernels (the interview chapter's 2014 capture): only when the accept queue is full AND more
    /// than one "young" request (whose SYN-ACK was never retransmitted) is in the SYN queue.
    WhenFullAndYoungRequests,
}

/// A field that is present in the JSON is `Some`, even when its value is `null` (for an
/// `Option` field that is a value of its own: `window_scale` off, `fin_wait2_timeout_us` no
/// timeout); a missing field stays `None` through `#[serde(default)]`.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

macro_rules! profile {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),* $(,)?) => {
        /// All the constants of one profile. Times are microseconds.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct Profile {
            $( $(#[$doc])* pub $field: $ty, )*
        }

        /// Per-scenario (or per-host) changes to a profile: any field of [`Profile`], all
        /// optional. A field that is present is set, whatever its value: `"window_scale":
        /// null` turns window scaling off (serde alone would read that `null` as "not set").
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ProfileOverrides {
            $( #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>, )*
        }

        impl ProfileOverrides {
            /// These overrides with `o`'s on top: a field `o` sets is `o`'s, any other stays
            /// as it is here. How a host's `tuning` goes on top of the scenario's
            /// (`Scenario::host_tuning`), for the model and the lab alike.
            pub fn then(&self, o: &ProfileOverrides) -> ProfileOverrides {
                ProfileOverrides {
                    $( $field: o.$field.clone().or_else(|| self.$field.clone()), )*
                }
            }
        }

        impl Profile {
            /// This profile with the overrides applied.
            pub fn with(mut self, o: &ProfileOverrides) -> Profile {
                let probes_are_retries = self.probes_are_retries();
                $( if let Some(v) = &o.$field { self.$field = v.clone(); } )*
                // Linux has one sysctl for both limits, tcp_retries2 (`tcp_write_timeout` and
                // `tcp_probe_timer`'s `max_probes`): where the profile has them equal,
                // setting `data_retries` alone sets the zero-window probes' limit too, as
                // `sysctl -w net.ipv4.tcp_retries2` does on the kernel.
                if probes_are_retries && o.persist_probe_max.is_none() {
                    self.persist_probe_max = self.data_retries;
                }
                self
            }
        }
    };
}

profile! {
    /// The largest MSS we announce (a TCP_MAXSEG-like clamp). The MSS itself comes from the
    /// path's MTU (the link's `mtu`): min(MTU, 65535) − 40 (Linux `ipv4_default_advmss`;
    /// RFC 9293 §3.7.1), so 1460 on Ethernet and 65495 on loopback's MTU 65536. 65495 = no
    /// clamp. The MTU is a property of the machine's interface, not of TCP: set it on the link.
    mss: u16,
    /// Send the window scale option (RFC 7323 §2) in SYNs, with this shift count (unless
    /// `wscale_space` chooses it).
    window_scale: Option<u8>,
    /// Linux chooses the shift from the buffers (`tcp_select_initial_window`): ilog2(max(
    /// receive space, this)) − 15, where this is max(`tcp_rmem[2]`, net.core.rmem_max) =
    /// 33554432 on 6.18 → shift 10; SO_RCVBUF on the socket clamps it to its own space.
    /// 0 = use `window_scale` as given.
    wscale_space: u32,
    /// Linux `__tcp_select_window`: the window offered is min(free space, rcv_ssthresh)
    /// rounded up to the window-scale unit; rcv_ssthresh starts at the SYN's window and
    /// grows by 2 MSS per in-order segment (`tcp_grow_window`), and autotuning grows the
    /// space itself (`moderate_rcvbuf`). `false`: the free space, rounded down by the shift.
    window_round_up: bool,
    /// Linux rounds the SYN's window down to a multiple of the MSS
    /// (`tcp_select_initial_window`: 64240 for a 1460 MSS). `false`: the whole space.
    initial_window_mss_multiple: bool,
    /// A cap on the handshake's receive window, in segments of the MSS it was rounded to:
    /// the route's `initrwnd` metric (`tcp_select_initial_window`: `rcv_wnd = min(rcv_wnd,
    /// init_rcv_wnd * mss)`, from `dst_metric(dst, RTAX_INITRWND)` in `tcp_connect_init`,
    /// `tcp_openreq_init_rwin` and `cookie_v4_check`). rcv_ssthresh starts there and grows
    /// as usual. 0 = no cap (no such metric on the route, the default).
    initial_rwnd_segments: u32,
    /// Send SACK-permitted (RFC 2018) in SYNs. The model does not act on SACK blocks yet.
    sack_permitted: bool,
    /// Send TCP timestamps (RFC 7323 §3): 12 more header bytes on every segment.
    timestamps: bool,
    /// The timestamp clock of a connection starts at a keyed hash of its address pair
    /// (local, remote), not at 0: Linux `tcp_timestamps` 1, `secure_tcp_ts_off` (RFC 7323
    /// §7.1's randomized offset; one per address pair, so that a new connection between the
    /// same hosts continues the old one's clock, which TIME-WAIT's reopening relies on, RFC
    /// 7323 Appendix B). `false`: `tcp_timestamps` 2, the bare millisecond clock.
    timestamps_offset: bool,
    /// The clock added to the keyed hash of the 4-tuple that makes an ISN (RFC 6528; RFC 9293
    /// §3.4.1: ISN = M + F(localip, localport, remoteip, remoteport, secretkey)) ticks every
    /// this many ns. Linux `secure_tcp_seq` → `seq_scale`: the real-time clock in ns >> 6, a
    /// 64 ns tick; RFC 9293's M is a 4 µs clock.
    isn_tick_ns: u32,
    /// A SYN reaching a connection in TIME-WAIT opens a new one when it cannot belong to the
    /// old one (Linux `tcp_timewait_state_process` → TCP_TW_SYN, the MAY of RFC 1122
    /// 4.2.2.13): its timestamp is newer than the last one received, or (without one) its
    /// sequence number is past the old rcv_nxt. The listener then gets the SYN, and the new
    /// connection's ISN is the old snd_nxt + 65537 (`tcp_tw_isn`). `false`: RFC 9293
    /// §3.10.7.4: a SYN in a synchronized state is answered with an ACK (RFC 5961 §4).
    time_wait_reopen: bool,
    /// A connection in TIME-WAIT, and an orphan in FIN-WAIT-2 whose `tcp_fin_time` is at
    /// most TCP_TIMEWAIT_LEN (`time_wait_us`), lives on as a timewait socket (Linux
    /// `tcp_time_wait`) that judges segments by `tcp_timewait_state_process`: in TIME-WAIT a
    /// bare segment at rcv_nxt restarts the timer silently and anything else is acknowledged
    /// (at most once per tcp_invalid_ratelimit, unless it carries data or a FIN), restarting
    /// the timer if it carried an ACK or failed PAWS; in FIN-WAIT-2 any RST in the window ends
    /// it, a SYN or new data draws a RST, and only the FIN at rcv_nxt is taken. `false`:
    /// RFC 9293 §3.10.7.4's rules of the synchronized states for both.
    time_wait_socket: bool,
    /// Receive space for new sockets, bytes: the most the receive window offers. Linux:
    /// `tcp_full_space` = `tcp_rmem[1]` (131072) × the 50 % window/buffer ratio
    /// (tcp_adv_win_scale 1) = 65536; a socket's SO_RCVBUF of N gives N (the kernel doubles
    /// it for overhead, then halves it). Receive-buffer autotuning grows it later
    /// (`moderate_rcvbuf`, up to `rcvbuf_max`).
    recv_buffer: u32,
    /// Receive memory a full-sized segment costs beyond its payload, bytes: Linux counts the receive
    /// buffer in skb truesize (`sk_rmem_alloc`), not payload, against a buffer twice the
    /// space (`sk_rcvbuf`, `tcp_rmem[1]` or SO_RCVBUF doubled), and offers as window the share
    /// of it that payload took in the first full-sized segment (`tp->scaling_ratio`,
    /// `tcp_measure_rcv_mss`: 50 % until then). A machine parameter: the device allocates
    /// the skb. The lab's TUN wire at MTU 1500 puts a 1448-byte segment in a 2304-byte skb
    /// (a 2048-byte block and the sk_buff): 856, so the window offers 160/256 of the memory
    /// and a reader that stops reading sees the window close after about 54 segments of a
    /// 131072-byte buffer. A smaller packet takes a smaller power-of-two block (a 100-byte
    /// segment 1024 + 256 bytes, more than its payload plus 856; `TcpSocket::truesize`),
    /// shifted by any difference between this value and that layout. 0: payload is memory
    /// and the space is the window, as the RFCs picture it (and as the model did before it
    /// knew the machine).
    rcv_skb_overhead: u32,
    /// The least receive space SO_RCVBUF gives, bytes (an SO_RCVBUF value). Linux doubles
    /// the value for overhead but keeps the buffer at SOCK_MIN_RCVBUF at least
    /// (`__sock_set_rcvbuf`: `max(val * 2, SOCK_MIN_RCVBUF)`), which is one
    /// TCP_SKB_MIN_TRUESIZE, 2048 + 256 = 2304 on x86-64 (SOCK_MIN_SNDBUF is two of them);
    /// its window space is half of it: 1152. Measured on 6.18 (zero-window with SO_RCVBUF
    /// 1, 1000 and 1200 on the listener): the SYN-ACK offers 1152, 1152 and 1200, and
    /// SO_RCVBUF 2048 offers one 1448-byte segment. 0: SO_RCVBUF is the space as given.
    min_recv_buffer: u32,
    /// A UDP socket's receive queue for new sockets, payload bytes (Linux: from
    /// net.core.rmem_default, 212992 bytes of buffer accounting; modelled as 128 KiB of
    /// payload).
    udp_recv_buffer: u32,
    /// A UDP socket's receive buffer limit in memory, as Linux counts it: the sum of the
    /// received packets' buffers (skb truesize, `udp::skb_truesize`) against `sk_rcvbuf`,
    /// which is net.core.rmem_default (212992) for a new socket and twice SO_RCVBUF, at
    /// least SOCK_MIN_RCVBUF, when the program sets it (`sock_setsockopt`). A datagram that
    /// would take the queue's memory past it is dropped and counted in RcvbufErrors, unless
    /// the queue is empty (measured on 6.18: `udp-rcvbuf-overflow` keeps 4 datagrams of 100
    /// bytes with SO_RCVBUF 2048, 9 with 4096; `__udp_enqueue_schedule_skb`). 0: the RFC
    /// picture, where `udp_recv_buffer` (or SO_RCVBUF) payload bytes fit.
    udp_rmem_default: u32,
    /// The headroom the receiving device reserves in front of each packet, which decides the
    /// size of the buffer a datagram takes (`udp::skb_truesize`): 64 on the lab's TUN devices
    /// (`tun->align`, NET_SKB_PAD). A machine parameter, like `rcv_skb_overhead`.
    udp_skb_pad: u32,
    /// The largest SO_RCVBUF a program may set, bytes (net.core.rmem_max): `sk_setsockopt`
    /// clamps the value to it before doubling it (`__sock_set_rcvbuf`), so a larger request
    /// gets this much receive space. Linux's default is 212992; a machine may raise it (the
    /// lab records its own). On 6.18 the sysctl is not per network namespace: a child
    /// namespace may read it but not write it. 0: no limit, as the RFCs have none.
    rmem_max: u32,
    /// The largest SO_SNDBUF a program may set, bytes (net.core.wmem_max), clamped the same
    /// way before doubling (`sk_setsockopt`, SO_SNDBUF). Linux's default is 212992. Measured
    /// on 6.18 with wmem_max 4194304: SO_SNDBUF 8388608 reads back 8388608 (4194304
    /// doubled), 100000 reads back 200000. 0: no limit.
    wmem_max: u32,
    /// Send buffer of a new socket, bytes (Linux `tcp_init_sock`: `sk_sndbuf` =
    /// tcp_wmem[1], 16384); send() blocks when it is full. Without `send_buffer_max` it is the
    /// socket's buffer for ever (the RFC profile: large, so that only the windows limit a
    /// sender); with it, the kernel grows it as below.
    send_buffer: u32,
    /// tcp_wmem[2], bytes: a send buffer SO_SNDBUF did not set grows up to this
    /// (`tcp_sndbuf_expand`, 6.18 net/ipv4/tcp_input.c): as the handshake ends
    /// (`tcp_init_buffer_space`) and whenever an ACK finds a writer waiting for room while
    /// fewer segments are in flight than cwnd allows (`tcp_check_space` → `tcp_new_space` →
    /// `tcp_should_expand_sndbuf`), to 2 (CUBIC's and Reno's factor: "Cubic needs 1.7
    /// factor, rounded to 2") × max(TCP_INIT_CWND, cwnd, reordering + 1) × one skb's
    /// worst-case memory for an MSS, roundup_pow_of_two(max(peer's MSS, current MSS) +
    /// MAX_TCP_HEADER + skb_shared_info) + sk_buff. A buffer only grows. The queue is then
    /// counted in skb truesize and checked per new skb, as with SO_SNDBUF (without the
    /// doubling). Measured on 6.18 (CUBIC, the lab's MTU 1500): SO_SNDBUF reads 46080 after
    /// the handshake (2 × 10 × 2304), 96768 with tcp_reordering 20; a 1560-byte MSS clamp
    /// reads 87040 (a 4096-byte head): so MAX_TCP_HEADER + skb_shared_info is 512 on that
    /// build. On a 20 ms path a send(400000) returned with cwnd 80 in flight where a fixed
    /// large buffer returns at once. 0: no growth (the RFC profile: the RFCs size no send
    /// buffer).
    send_buffer_max: u32,
    /// The least send buffer SO_SNDBUF gives, as an SO_SNDBUF value, bytes; nonzero also
    /// means Linux's accounting of a socket whose program set SO_SNDBUF: the kernel doubles
    /// the value (`sk_setsockopt`: at least SOCK_MIN_SNDBUF = 2 × TCP_SKB_MIN_TRUESIZE =
    /// 4608 on x86-64, hence 2304 here) and counts the queue in skb truesize
    /// (`sk_wmem_queued`: each skb's 896-byte head plus the bytes in it), checking it only
    /// before a write starts a new skb (`sk_stream_memory_free` in `tcp_sendmsg_locked`),
    /// and an skb takes up to half the peer's largest window. So a small SO_SNDBUF still
    /// lets a whole write of that size through: measured on 6.18, SO_SNDBUF 4096 and a
    /// 14480-byte send() put all ten segments in flight. A blocked send() resumes once
    /// the free part is half the queued part (`sk_stream_write_space`), or when data
    /// received wakes it while the queue is below the buffer. 0: SO_SNDBUF is a
    /// limit on payload bytes, as given. (Without SO_SNDBUF Linux grows the buffer with
    /// the congestion window: `send_buffer_max`.)
    min_send_buffer: u32,
    /// Initial retransmission timeout, also for SYN and SYN-ACK (RFC 6298 §2.1: 1 s;
    /// Linux TCP_TIMEOUT_INIT).
    rto_initial_us: Micros,
    /// Lower bound of the RTO (RFC 6298 §2.4: 1 s; Linux TCP_RTO_MIN 200 ms).
    rto_min_us: Micros,
    /// Upper bound of the RTO (RFC 6298 §2.5: at least 60 s; Linux TCP_RTO_MAX 120 s).
    rto_max_us: Micros,
    /// Upper bound of a listener's SYN-ACK timer (a request in SYN-RECEIVED). Linux 6.18
    /// keeps the constant TCP_RTO_MAX, 120 s, whatever tcp_rto_max_ms says
    /// (`reqsk_timer_handler` → `reqsk_timeout(req, TCP_RTO_MAX)`; the request has no
    /// `icsk_rto_max`). Measured on 6.18 with tcp_rto_max_ms 1000 and every SYN-ACK lost:
    /// SYN-ACKs 1, 2 and 4 s apart (the client's SYNs 1 s apart), not 1 s. The RFC profile
    /// caps it like every RTO (RFC 6298 §2.5).
    synack_rto_max_us: Micros,
    /// Linux applies the minimum to the variance term (RTO = SRTT + max(RTO_min, 4·RTTVAR),
    /// `tcp_set_rto`), so even a loopback RTO is ~200 ms *plus* the RTT. The RFC clamps
    /// the whole RTO instead (RFC 6298 §2.4).
    rto_min_on_variance: bool,
    /// RTT measured on every ACK that acknowledges or SACKs data (Linux
    /// `tcp_clean_rtx_queue` → `tcp_ack_update_rtt`): from the send time of the oldest
    /// never-retransmitted segment it acknowledges, else of the oldest it newly SACKs, else
    /// (RFC 7323 §4.1 RTTM, `tcp_rtt_tsopt_us`) from the timestamp echo, which also times
    /// ACKs of retransmitted data. `false`: RFC
    /// 6298 §3, one segment timed per round trip, never a retransmitted one (Karn).
    rtt_every_ack: bool,
    /// Clock granularity G of RFC 6298 §2; for Linux one jiffy, 1/CONFIG_HZ: 4 ms on the
    /// measured 6.18 machine (HZ 250, as Debian and Ubuntu build; 1 ms with HZ 1000). A
    /// machine parameter: it sets the delayed-ACK timer with no ATO yet (next tick), and
    /// the whole jiffies the loss probe and the reordering timer round up to (after adding
    /// their 2 ms TCP_TIMEOUT_MIN_US).
    clock_granularity_us: Micros,
    /// Linux keeps TCP's timeouts in jiffies of `clock_granularity_us` (`icsk_rto` is
    /// `usecs_to_jiffies(srtt + rttvar)`, `__tcp_set_rto`) and arms them as `timer_list`s on
    /// the timer wheel (kernel/time/timer.c), which never fires early and fires a far timer
    /// on a coarse bucket boundary: a 1 s SYN timer 0 to 32 ms late, a 60 s TIME-WAIT up to
    /// 2 s late (`tcp/wheel.rs`). Measured on 6.18 (HZ 250), an RTO backoff series over a
    /// 40 ms RTT went out 246, 248, 509, 991, 1984, 4096 ms apart, not 240 × 2^n. Applies to
    /// the retransmission, loss-probe, reordering, SYN and SYN-ACK, delayed-ACK, persist,
    /// FIN-WAIT-2 and TIME-WAIT timers. `false`: timers fire exactly when due (the RFCs'
    /// abstract clock).
    timer_wheel: bool,
    /// Where the wheel's ticks fall: the kernel's jiffies clock at the scenario's time zero, in
    /// µs (jiffies × `clock_granularity_us` + the time already gone into that jiffy). Ticks
    /// fall on whole multiples of the jiffy in CLOCK_MONOTONIC (`tick_init_jiffy_update`
    /// aligns `tick_next_period` to TICK_NSEC), and a timer fires at the tick that starts its
    /// bucket (`calc_index`), so with this known a timer fires when the kernel's would, to the
    /// tick: the lab reads it from /proc/timer_list for every run (two timers racing a packet,
    /// such as a SYN-ACK timer and a retransmitted SYN, then resolve as on the kernel). `None`:
    /// unknown (a scenario run for teaching), and a timer fires at the mean of the times its
    /// bucket allows ([`crate::tcp::wheel::mean_firing_delay`]).
    timer_wheel_origin_us: Option<u64>,
    /// The kernel's TCP clock (`tcp_clock_ns`, CLOCK_MONOTONIC) at the scenario's time zero,
    /// µs. Its milliseconds are the TSval clock, and a SYN cookie's SYN-ACK carries that
    /// clock rounded down to a multiple of 64 ms (`cookie_init_timestamp`, TSBITS 6), so
    /// where the clock stands modulo 64 ms decides how much older than the SYN-ACK its
    /// TSval is (0 to 63 ms), and so the RTT, RTO and loss-probe time of the cookie's child,
    /// which times the ACK's echo of it. The lab reads it for every run. `None`: unknown (a
    /// scenario run for teaching), and the clock is counted from the scenario's zero.
    /// Measured on 6.18 (tcp_syncookies 2, 50 ms one way, the child's answer unacknowledged):
    /// the answer went again 331 to 501 ms after it was sent over 9 runs, 3 × the first RTT
    /// (100 ms + the TSval's age) rounded up to the timer wheel's tick.
    ts_clock_origin_us: Option<u64>,
    /// SYN retransmissions before connect() fails with ETIMEDOUT (`tcp_syn_retries`, 6).
    /// Linux (`tcp_write_timeout`) gives up at whichever comes first: `syn_retries +
    /// syn_linear_timeouts` retransmissions, or the time budget `tcp_model_timeout` turns
    /// `syn_retries` into ((2^(n+1) - 1) × the initial RTO, counted from the first SYN): with 6
    /// and 4 that is the 10th retransmission at 67 s and ETIMEDOUT at 131 s; with 2 and 4
    /// (measured on 6.18) SYNs at 1, 2, 3, 4, 5 s and ETIMEDOUT at 7 s. See
    /// [`Profile::retries_as_time_budget`].
    syn_retries: u32,
    /// The first this-many SYN retransmission timeouts keep the initial RTO instead of
    /// doubling it (`tcp_syn_linear_timeouts`, 4, Linux 6.5+; `tcp_retransmit_timer`): SYNs
    /// at 1, 2, 3, 4, 5, 7, 11, 19 … s. 0 = plain exponential backoff (RFC 6298 §5.5).
    syn_linear_timeouts: u32,
    /// Linux turns the retry counts into time budgets (`retransmits_timed_out` with
    /// `tcp_model_timeout`): `tcp_retries2` = 15 means "924.6 s after the first
    /// retransmission" (the RTO doubling from TCP_RTO_MIN, capped at TCP_RTO_MAX), however
    /// many retransmissions fit. `false`: a plain count, as RFC 1122 §4.2.3.5 words R2.
    retries_as_time_budget: bool,
    /// SYN-ACK retransmissions before a request is dropped (`tcp_synack_retries`, 5).
    synack_retries: u32,
    /// Data retransmissions before the connection is declared dead (`tcp_retries2`, 15;
    /// RFC 1122 §4.2.3.5 R2 "at least 100 s", modelled as 8 tries). On Linux a time budget
    /// (see [`Profile::retries_as_time_budget`]), counted from the first RTO retransmission:
    /// measured on 6.18 with tcp_retries2 = 2, 3, 4 → ETIMEDOUT 2.9, 6.4, 6.4 s after it.
    data_retries: u32,
    /// Retransmissions before an orphaned connection (closed by the application, e.g. in
    /// FIN-WAIT-1) is dropped: the sysctl `tcp_orphan_retries` as it is. Linux's default 0
    /// means 8 (a 102.2 s budget) while the RTO is below tcp_rto_max, and 0 once it reached
    /// it (`tcp_orphan_retries(sk, alive)`); any other value counts as it is either way.
    /// Measured on 6.18 with tcp_orphan_retries = 2: FIN, probe +0.21 s, RTOs +0.42 +0.85
    /// +1.68 s, gone at 3.36 s; with 0, over a 20 ms wire, FINs at 0.1 s and then as with 8.
    orphan_retries: u32,
    /// TIME-WAIT length. Linux: fixed 60 s (TCP_TIMEWAIT_LEN). RFC: 2×MSL.
    time_wait_us: Micros,
    /// The ports connect() picks from for a socket that was never bound to one
    /// (`net.ipv4.ip_local_port_range`, 32768-60999; both ends included). Linux searches
    /// it from an offset drawn from a keyed hash of the addresses (`__inet_hash_connect`,
    /// RFC 6056 §3.3.4), even ports first, and takes the first port whose 4-tuple is free;
    /// which port that is in a wide range is the hash's, so the model starts at a port of
    /// its own choosing (counted up per host from 40000, folded into the range), and only a
    /// range of one port makes the choice the kernel's too. No port: EADDRNOTAVAIL. RFC 6056
    /// §2.1 leaves the range to the implementation; the RFC profile keeps Linux's.
    local_port_range: [u16; 2],
    /// `net.ipv4.tcp_tw_reuse` (0, 1, 2 = only for loopback traffic, the default since
    /// 4.x): whether connect() may take, for a socket it picks a port for, a 4-tuple a
    /// connection of this host holds in TIME-WAIT (`tcp_twsk_unique` with `twp`): only when
    /// that connection had timestamps (`tw_ts_recent_stamp`, so PAWS keeps its old segments
    /// out) and entered TIME-WAIT more than `tw_reuse_delay_us` ago; with 2, only when
    /// either address is a loopback one (127/8; `tw_daddr`, `tw_rcv_saddr`). The new
    /// connection's ISN is then the old snd_nxt + 65537. A socket bound to its port with
    /// SO_REUSEADDR needs none of this (the timestamps alone, `twp` NULL). 0: the 4-tuple
    /// waits out TIME-WAIT, as RFC 9293 §3.10.7.4 has it.
    tw_reuse: u8,
    /// `net.ipv4.tcp_rfc1337` (default 0): a RST that reaches TIME-WAIT at its rcv_nxt is
    /// ignored (RFC 1337 §3, "TIME-WAIT assassination") instead of ending it (RFC 9293
    /// §3.10.7.4; `tcp_timewait_state_process`: `if (!sysctl_tcp_rfc1337) goto kill`).
    rfc1337: bool,
    /// `net.ipv4.tcp_tw_reuse_delay` (6.14+, ms in the sysctl, default 1000): how long a
    /// TIME-WAIT connection must have been so before `tw_reuse` lets connect() take its
    /// 4-tuple (`tcp_twsk_unique`: the millisecond clock after `tw_entry_stamp` + this).
    tw_reuse_delay_us: Micros,
    /// `net.ipv4.tcp_no_metrics_save` (default 0): a connection that ends well (it enters
    /// TIME-WAIT, or its FIN is acknowledged in LAST-ACK) leaves its smoothed RTT in the
    /// host's cache for its peer (`tcp_update_metrics`; [`crate::tcp::metrics`]), so the
    /// host's next connection to that peer starts with an RTO of that RTT plus twice it or
    /// tcp_rto_min, whichever is larger, when the cached RTT is above its handshake's sample
    /// (`tcp_init_metrics`), and a listener without SYN cookies lets that peer's SYN into
    /// the last quarter of its SYN queue (`tcp_peer_is_proven`). Measured on 6.18 (20 ms
    /// one way, a first connection whose ACKs came 100 ms late closed first, a second
    /// connection 0.5 s later): tcp_info rto 456 ms after a 45 ms handshake, not 248.
    /// `true`: nothing is saved; RFC 6298 §2.1 starts every connection at the initial RTO.
    no_metrics_save: bool,
    /// Maximum segment lifetime (RFC 9293 §3.4.2: 2 minutes), shown for reference; the RFC
    /// profile's `time_wait_us` is 2×this.
    msl_us: Micros,
    /// How long an orphan (closed by its owner) may wait in FIN-WAIT-2 for the peer's FIN:
    /// Linux `tcp_fin_timeout`, 60 s. Linux never waits less than 3.5 RTOs (`tcp_fin_time`:
    /// `(rto << 2) - (rto >> 1)` on `icsk_rto`), so 0 is that floor, not "forever".
    /// `None` (`null` in JSON): no timeout, the orphan waits for the FIN as long as it takes
    /// (RFC 9293 has no such timer); no kernel setting gives this.
    fin_wait2_timeout_us: Option<Micros>,
    /// Delayed ACK timeout (RFC 1122 §4.2.3.2: < 500 ms, 200 ms typical; Linux TCP_ATO_MIN
    /// 40 ms).
    delayed_ack_us: Micros,
    /// Acknowledge at least every this many full-sized segments (RFC 5681 §4.2: 2).
    ack_every_segments: u32,
    /// Linux's quick-ACK mode (`tcp_incr_quickack`, TCP_MAX_QUICKACKS 16): the first data of
    /// a connection is acknowledged segment by segment, up to this many ACKs (and half the
    /// receive window's worth of segments), unless the connection is interactive
    /// (ping-pong: it replied within one ATO, or it received a FIN in ESTABLISHED, whose ACK
    /// then waits). Measured on 6.18: six 1448-byte segments 50 ms apart each ACKed within
    /// 0.06 ms; a FIN after data ACKed 47 ms later. 0 = no quick-ACK mode and no ping-pong
    /// (RFC 1122 §4.2.3.2 / RFC 5681 §4.2: delay every ACK, except of a FIN).
    quickack_max: u32,
    /// `tcp_autocorking` (default 1): `tcp_push` holds a write's partial tail skb, even with
    /// TCP_NODELAY, while the device still holds more of this socket's memory than that
    /// skb takes (`tcp_should_autocork`: the tail is shorter than `size_goal`, data is in
    /// flight, `sk_wmem_alloc` > the tail's truesize), and the device's release of an
    /// earlier skb pushes it (`tcp_wfree` → TSQ → `tcp_tsq_write` → `tcp_write_xmit`, Nagle
    /// applying as usual). Only a device that holds skbs can trigger it: see
    /// `tx_done_at_xmit`. No RFC has it.
    autocorking: bool,
    /// When the sending device releases a packet's memory (the skb's destructor,
    /// `tcp_wfree`): `true` as it takes the packet, which TUN (`tun_net_xmit`), veth into
    /// another namespace and loopback do (`skb_orphan`): the lab's wire is a TUN device, so
    /// on it nothing a socket sent stays charged and autocorking never holds a write
    /// (measured on 6.18: ten 200-byte TCP_NODELAY writes 2 ms apart leave as ten segments
    /// with tcp_autocorking 1). `false`: a NIC's TX completion, modelled as the end of the
    /// packet's serialisation on a link with `bandwidth_bps` (a qdisc or a NIC ring holding
    /// it meanwhile); with no bandwidth there is no serialisation and no difference.
    tx_done_at_xmit: bool,
    /// How long a task blocked in recv(), poll() or accept() takes to run once arriving data
    /// (a connection, for accept()) woke it, µs (a task asleep in send(): `writer_wake_us`): the
    /// receive path only marks it runnable (`tcp_data_ready` → `sk_data_ready`, i.e.
    /// `sock_def_readable` → `wake_up_interruptible_sync_poll`) and carries on with the rest
    /// of its batch; when the task gets a CPU, `tcp_recvmsg_locked` copies every queued skb
    /// up to the buffer's size, and segments that come in meanwhile too (it processes the
    /// backlog before it returns). So everything that arrives within this time is read by
    /// one recv(); 0: everything that arrives at the same instant, e.g. one flight on a link
    /// without `bandwidth_bps` or `handover_us`, but only the first packet of a flight the
    /// link hands over packet by packet. It depends on the machine (its scheduler, its load,
    /// the CPU the reader sleeps on), not on TCP, so both profiles leave it at 0. Measured on
    /// 6.18 on the lab's TUN wire, which hands a flight to the stack one packet per write(2),
    /// each handled to the end inside it (`tun_get_user` → `tun_rx_batched` →
    /// `netif_receive_skb`; `LinkSpec::handover_us`): on a machine at load 1-2.4 a reader
    /// blocked in recv(65536) read the first segment alone in 25 of 36 runs (flights of 2, 3
    /// and 10 segments, 0-50 ms one way), returning 49-187 µs after it, while the relay was
    /// still inside the write that woke it (the second segment came 46-214 µs after the
    /// first): a woken reader on an idle CPU runs before the next hand-over, which 0 says.
    /// Under load it waits for a CPU: 3000 bytes for 1448 + 1448 + 104 and 14480 for ten
    /// segments, 1.9-8 ms after the first (load 9). `synack-lab compare` gives the model the
    /// lab machine's 30 µs (with the wire's `LinkSpec::first_handover_us` of 60), measured on
    /// 6.18 at load 1.3-2.8: recv() back 29-238 µs after the packet that woke it (median 67),
    /// having copied that first packet alone in 78 of 99 runs, the second 26-256 µs behind
    /// it (median 66) and the rest about 3 µs apart; woken by a retransmission that filled a
    /// hole inside a train, it ran after the packet behind it (window/fast-retransmit: that
    /// packet's ACK offers 57 << 10, the queue still full, and waits for the delayed-ACK
    /// timer, 3 of 3).
    reader_wake_us: Micros,
    /// How long a task asleep in send() (`sk_stream_wait_memory`) takes to run once an ACK
    /// that came after it let go of the socket woke it, µs (`sk_stream_write_space` →
    /// `wake_up_interruptible_poll`; the ACKs that come meanwhile are processed as they land,
    /// and it copies against the state they leave). An ACK that comes while the writer still
    /// holds the socket, its push still being handed over, frees the room when it lets go
    /// and the writer copies at once, whatever this says (`Sim::writer_sleeps`). Like
    /// `reader_wake_us` it depends on the machine, not on TCP, so both profiles leave it at
    /// 0 (a woken writer copies at the waking ACK's instant). `synack-lab compare` gives the
    /// model the lab machine's 40, traced on 6.18 with tracepoints at load 4-8 (0, 1, 5 and
    /// 50 ms wires, 76 wake-ups: the writer's first copy 19-82 µs after the waking ACK,
    /// median 43; `wire::WRITER_WAKE_US`).
    writer_wake_us: Micros,
    /// Nagle's algorithm as Linux does it (Minshall's variant, `tcp_nagle_check`): a small
    /// segment may go if no *small* segment is unacknowledged. `false`: RFC 896 / RFC 9293
    /// §3.7.4 classic rule (no small segment while *any* data is unacknowledged).
    nagle_minshall: bool,
    /// Linux sends data in GSO chunks of at least this many segments (`tcp_min_tso_segs`,
    /// default 2; up to what the pacing rate sends in about a millisecond,
    /// `tcp_tso_autosize`) and puts PSH where its skbs put it: at the end of every chunk
    /// of more than one segment, of a write, and of each half of the peer's largest window
    /// written (`tcp/skbs.rs`). 0 = the textbook: one segment at a time, PSH on the segment
    /// that empties the send buffer (RFC 9293 §3.9.1).
    min_tso_segs: u32,
    /// Initial congestion window in segments (Linux TCP_INIT_CWND 10, RFC 6928;
    /// RFC 5681 §3.1: 3 for a 1460-byte MSS).
    initial_cwnd_segments: u32,
    /// SYN (or SYN-ACK) retransmissions from which the connection starts with a congestion
    /// window of one segment instead; 0 never. RFC 5681 §3.1: after any lost SYN (1). Linux
    /// only after more than one, "in light of RFC6298 more aggressive 1sec initRTO"
    /// (`tcp_init_transfer`: `total_retrans > 1 && undo_marker`), and not when the peer's
    /// timestamp echo shows the first one arrived (`tcp_try_undo_spurious_syn`). Measured on
    /// 6.18 (two SYNs lost, 20 ms one way): tcp_info cwnd 1, one segment of a 20,000-byte
    /// write in the first round trip; two SYN-ACKs lost after the first SYN arrived: 10.
    syn_loss_cwnd_one_after: u32,
    /// Initial slow-start threshold in segments; 0 = "arbitrarily high" (RFC 5681 §3.1).
    /// Linux can start lower from a route metric (`ip route … ssthresh N`) or from the value
    /// `tcp_metrics` cached for the destination after an earlier connection.
    initial_ssthresh_segments: u32,
    /// Slow start grows cwnd by the bytes an ACK acknowledges, at most this many MSS per ACK
    /// (RFC 5681 §3.1: 1; RFC 3465 allows 2; 0 = no limit, as Linux `tcp_slow_start`).
    slow_start_abc_limit: u32,
    /// Tail loss probes (`tcp_early_retrans` = 3, the default; RFC 8985 §7): with SACK, the
    /// retransmission timer first fires as a probe after about two SRTTs and resends the
    /// last segment (or sends a new one), and only then as an RTO. With `rack`, the SACK
    /// that answers the probe lets RACK mark the tail lost and recover without an RTO.
    tail_loss_probe: bool,
    /// RACK loss detection (RFC 8985 §6; Linux's only loss detection with SACK since 6.17,
    /// which removed RFC 6675's and left `tcp_recovery` 0 without effect): with SACK, a
    /// segment is lost once one sent after it was delivered and an RTT plus a reordering
    /// window (min RTT / 4 before three SACKs, none during a recovery) has passed, so one
    /// or two SACKs suffice, and every hole so overtaken is marked lost at once (three
    /// losses in a row are resent in one recovery, no RTO). With SACK agreed the sender
    /// keeps Linux's scoreboard (SACKed, lost, retransmitted per segment) and sends while
    /// `tcp_packets_in_flight` is below cwnd; `false`: RFC 5681 duplicate-ACK counting and
    /// NewReno (RFC 6582), one hole per round trip.
    rack: bool,
    /// F-RTO, RFC 5682 §3 (`tcp_frto`, default 2; any non-zero value enables it, 0 disables
    /// it): after an RTO the sender keeps the RTO's retransmission alone and, on the first
    /// ACK that advances SND.UNA, sends *new* data (`tcp_process_loss`, step 2b); if the next
    /// ACK then acknowledges or SACKs data that was never retransmitted, the timeout was
    /// spurious and the window reduction is undone (`tcp_try_undo_loss`, step 3b), else the
    /// conventional RTO recovery goes on. Whatever this says, Linux also undoes an RTO whose
    /// first ACK echoes a timestamp older than the retransmission (Eifel, RFC 3522,
    /// `tcp_packet_delayed`) or whose every retransmission came back as a D-SACK
    /// (`undo_retrans`). Used with the scoreboard only; the textbook's RTO (RFC 6298 §5,
    /// RFC 5681 §3.1) never undoes.
    frto: u32,
    /// `tcp_retrans_collapse` (default 1): a retransmitted skb smaller than one MSS and the
    /// window takes the skbs after it into the same segment (`__tcp_retransmit_skb` →
    /// `tcp_retrans_try_collapse`), as long as each is one segment, not SACKed, fits what is
    /// left of min(MSS, window) and ends inside the window (`tcp_can_collapse`). The
    /// textbook resends what it sent (RFC 1122 §4.2.2.15 allows repacketizing, no RFC asks
    /// for it).
    retrans_collapse: bool,
    /// `tcp_moderate_rcvbuf` (default 1): a receive buffer SO_RCVBUF did not set grows
    /// (`tcp_rcvbuf_grow`): once per receiver-estimated RTT to twice what the application
    /// read in the last one, plus the read's growth (`tcp_rcv_space_adjust`, from recv()),
    /// and for out-of-order data (Linux 6.16+). The RFCs have no buffer autotuning.
    moderate_rcvbuf: bool,
    /// `tcp_rmem[2]`, bytes of buffer (ip-sysctl.rst: "the maximal size of receive buffer
    /// allowed for automatically selected receiver buffers"): autotuning
    /// (`tcp_rcvbuf_grow`) and `tcp_clamp_window` grow `sk_rcvbuf` no further, and with
    /// net.core.rmem_max it sets the window scale (`tcp_select_initial_window`). 32 MiB on
    /// 6.18 ("tcp: increase `tcp_rmem[2]` to 32 MB", 6.16). 0: no bound (the RFC picture,
    /// where nothing grows the buffer).
    rcvbuf_max: u32,
    /// `tcp_dsack` (default 1): duplicate data is reported in a D-SACK block (RFC 2883;
    /// `tcp_dsack_set` records nothing when it is 0). Only with SACK agreed.
    dsack: bool,
    /// `tcp_comp_sack_nr` (default 44; 0 = off): a receiver holding out-of-order data
    /// answers the first TCP_FASTRETRANS_THRESH (3) segments after each advance of rcv_nxt
    /// with an ACK each, then holds the next ACKs back and sends one for up to this many
    /// (`__tcp_ack_snd_check`, `tp->compressed_ack`). SACK connections only. RFC 5681 §4.2
    /// asks for an immediate ACK of every out-of-order segment: the RFC profile has 0.
    comp_sack_nr: u32,
    /// `tcp_comp_sack_delay_ns` (default 1 ms): the longest a compressed ACK waits; the wait
    /// is 5 % of the receiver's RTT estimate (`rcv_rtt_est`, or SRTT if smaller) when that is
    /// less. In nanoseconds, as the sysctl.
    comp_sack_delay_ns: u64,
    /// `tcp_comp_sack_slack_ns` (default 100 µs): the compression timer is an hrtimer armed
    /// with this much slack (`hrtimer_start_range_ns`); it fires at the end of the range.
    comp_sack_slack_ns: u64,
    /// ICMP error rate limit toward one peer host (`icmp_ratelimit`, ms in the sysctl; 0 =
    /// none): a token bucket of this many µs per message holding at most 6 of them
    /// (`inet_peer_xrlim_allow`, XRLIM_BURST_FACTOR 6; a new peer starts full), so a burst of
    /// 6 port-unreachables, then one per interval. Never on loopback (`icmpv4_xrlim_allow`).
    /// RFC 1812 §4.3.2.8 asks for a limit without fixing it.
    icmp_ratelimit_us: Micros,
    /// The least time between two ACKs sent for out-of-window segments that carry no data
    /// (`tcp_invalid_ratelimit`, 500 ms; 0 = none): `tcp_oow_rate_limited` keeps a
    /// socket's duplicate ACKs from feeding an ACK loop, so a zero-window probe that comes
    /// sooner than this after the last one answered is not answered. Measured on 6.18
    /// (zero-window over a 0 ms wire, probes 444 ms apart): the second probe got no ACK.
    /// RFC 9293 §3.10.7.4 answers every unacceptable segment.
    invalid_ratelimit_us: Micros,
    /// Multiplicative decrease after a loss, in 1/1024. Linux's default congestion control
    /// is CUBIC (`tcp_cubic.c`, beta 717 ≈ 0.7 of cwnd); 0 = RFC 5681 eq. 4, half the
    /// flight. Non-zero also means CUBIC's window growth after a loss (`bictcp_update`: the
    /// cubic curve back to W_max, the TCP-friendly region, fast convergence; RFC 9438),
    /// where 0 keeps RFC 5681's one MSS per RTT.
    loss_beta_1024: u32,
    /// CUBIC's HyStart (`tcp_cubic` module parameter `hystart` 1, detect 3: ACK train and
    /// delay increase): slow start ends early, ssthresh = cwnd, once cwnd ≥ 16 and the ACKs
    /// of one round keep coming within 2 ms of each other for more than half the minimum
    /// RTT, or the round's RTT exceeds the minimum by delay_min/8 (4–16 ms). On a 40 ms
    /// path with an unqueued wire neither happens; on a sub-millisecond path the ACK train
    /// of a 16-segment flight already lasts longer than half the RTT. A module parameter,
    /// global to the machine (the lab does not change it).
    hystart: bool,
    /// Proportional Rate Reduction during SACK recovery (RFC 6937, Linux
    /// `tcp_cwnd_reduction`, always on since 3.2): cwnd follows what is delivered down to
    /// ssthresh instead of RFC 6582's inflate-and-deflate, and is ssthresh when the
    /// recovery ends. With it the sender keeps Linux's scoreboard with or without SACK
    /// (without: each duplicate ACK counts one segment delivered, `tcp_add_reno_sack`).
    prr: bool,
    /// Restart the window after an idle period longer than the RTO: 1 = Linux
    /// `tcp_cwnd_restart` (tcp_slow_start_after_idle = 1: halve per idle RTO, down to the
    /// initial window), 2 = RFC 5681 §4.1 (straight to min(IW, cwnd)), 0 = never.
    slow_start_after_idle: u8,
    /// Duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2: 3).
    dupack_threshold: u32,
    /// Unanswered zero-window probes before the connection is dropped (Linux
    /// `tcp_probe_timer`: `icsk_probes_out >= tcp_retries2`). Every ACK resets the count, so
    /// a peer that answers its probes is probed forever (RFC 1122 §4.2.2.17). Linux also
    /// stops backing the probe interval off at this count (`tcp_send_probe0`:
    /// `icsk_backoff < tcp_retries2`). It is `data_retries` on Linux (one sysctl): see
    /// [`Profile::with`].
    persist_probe_max: u32,
    /// Linux probes a zero window with a 0-byte segment carrying an old sequence number
    /// (`tcp_xmit_probe_skb`); the RFC (9293 §3.8.6.1) sends one byte of new data.
    probe_with_data: bool,
    /// Listen backlog cap (`net.core.somaxconn`, 4096 since Linux 5.4).
    somaxconn: u32,
    /// `tcp_max_syn_backlog`. It is *not* the SYN queue's size: Linux treats the request
    /// queue as full when it holds more than the listen backlog
    /// (`inet_csk_reqsk_queue_is_full`: `reqsk_queue_len > sk_max_ack_backlog`, so backlog N
    /// holds N + 1 requests; measured on 6.18). This sysctl only matters with syncookies
    /// off: `tcp_conn_request` then drops a SYN from an unproven peer once fewer than a
    /// quarter of it is left (`max_syn_backlog - qlen < max_syn_backlog >> 2`; measured:
    /// 16 → 13 requests, 17 → 14).
    max_syn_backlog: u32,
    /// Answer an accept-queue overflow with RST (`tcp_abort_on_overflow`, default 0).
    abort_on_overflow: bool,
    /// `tcp_syncookies` ≥ 1: answer with a SYN cookie instead of dropping when the request
    /// queue is full (default 1).
    syncookies: bool,
    /// `tcp_syncookies` = 2: always answer with a cookie, keeping no request at all
    /// (`tcp_conn_request`: `syncookies == 2 || inet_csk_reqsk_queue_is_full(sk)`). Only
    /// read when `syncookies` is on. (Two booleans rather than a 0/1/2 number so that scenario
    /// files and programs that set `syncookies: true/false` keep their meaning.)
    syncookies_always: bool,
    /// Two-queue (Linux) or single-queue (BSD) listen backlog.
    backlog_model: BacklogModel,
    /// When SYNs are dropped because the accept queue is full.
    syn_drop_rule: SynDropRule,
    /// Send RST when close() discards unread received data (RFC 2525 §2.17; Linux does).
    rst_on_close_with_unread: bool,
    /// RFC 5961 §3.2 (blind reset attacks), which RFC 9293 §3.10.7.4 leaves optional: a RST
    /// inside the window resets only at exactly rcv_nxt (or, Linux's extension
    /// `tcp_reset_check`, at rcv_nxt − 1 after the peer's FIN, or at the right edge of the
    /// highest SACK block we report); anywhere else it draws a challenge ACK, at most one per
    /// `invalid_ratelimit_us` (`tcp_validate_incoming` → `tcp_send_challenge_ack`; the global
    /// tcp_challenge_ack_limit is off by default since 6.0). `false`: any RST in the window
    /// resets (RFC 9293 without the mitigation).
    rst_challenge_ack: bool,
    /// Linux `tcp_sequence`: a segment is old only if it ends before rcv_wup, the rcv_nxt our
    /// last ACK announced its window from, so a copy of data received since that ACK (a
    /// tail loss probe's) is processed like a new segment: its ACK field is read (`tcp_ack`)
    /// and only its text is dropped as a duplicate (`tcp_data_queue`: D-SACK, quick-ACK mode,
    /// the ACK at once). Measured on 6.18 (explore seed 1400 #5). `false`: RFC 9293 §3.10.7.4,
    /// a segment wholly below rcv_nxt is unacceptable and answered with an ACK unread.
    old_before_rcv_wup: bool,
    /// Linux `tcp_rcv_synsent_state_process`: an unacceptable ACK in SYN-SENT (SEG.ACK =< ISS
    /// or > SND.NXT), answered with a reset as RFC 9293 §3.10.7.3 says, also brings the SYN's
    /// retransmission forward to TCP_TIMEOUT_MIN (two jiffies) while no SYN has been resent yet
    /// ("Previous FIN/ACK or RST/ACK might be ignored", Linux 5.10): the ACK of an old
    /// connection the peer still holds, which our reset may have just ended. Measured on 6.18:
    /// a SYN reopening a 4-tuple whose peer was in CLOSE-WAIT drew a challenge ACK, the reset,
    /// and the SYN again 11 ms later, not 1 s. `false`: the SYN waits for its RTO.
    syn_resend_after_bad_ack: bool,
    /// A FIN in a segment of its own (every byte already sent) waits for room in cwnd like a
    /// data segment: 6.18's `tcp_cwnd_test` counts `tcp_packets_in_flight` against cwnd for
    /// every skb (the "don't be strict about the congestion window for the final FIN"
    /// exemption of older kernels is gone). Measured on 6.18 (50 ms one way, TCP_NODELAY, ten
    /// one-byte segments filling cwnd 10, close() 25 ms later): the FIN left when the first
    /// ACK arrived, 76 ms after close(); after an RTO (cwnd 1, the head resent) it waits
    /// behind the resent data, which carries no FIN. `false`: the FIN goes at close()
    /// whatever cwnd says (RFC 5681 limits data, and a bare FIN carries none).
    fin_waits_for_cwnd: bool,
    /// Linux's errno after a reset (`tcp_reset`, `sock_error`, `tcp_recvmsg_locked`): EPIPE
    /// for a reset in CLOSE-WAIT, ECONNRESET otherwise; the error is reported once, then
    /// send() gets EPIPE and recv() reads 0; a FIN already received reads as end of file
    /// first. Measured on 6.18: recv ECONNRESET then send EPIPE; in CLOSE-WAIT recv 0 then
    /// send EPIPE. `false`: RFC 9293 §3.10.7.4, every later call gets "connection reset".
    linux_errno: bool,
}

impl Profile {
    /// The RTO's lower bound as Linux uses it: `icsk_rto_min = usecs_to_jiffies(
    /// sysctl_tcp_rto_min_us)` (`tcp_init_sock`), whole jiffies rounded up, and
    /// `tcp_rto_min_us()` reads it back in µs. The sysctl takes any µs value: 250,000 is
    /// 63 jiffies at HZ 250, a 252 ms floor. A profile without the timer wheel keeps the
    /// value as given.
    pub fn rto_min(&self) -> Micros {
        crate::tcp::wheel::in_jiffies(self.rto_min_us, self)
    }

    /// The RTO's upper bound as Linux uses it: `icsk_rto_max = msecs_to_jiffies(
    /// sysctl_tcp_rto_max_ms)` (`tcp_init_sock`), whole jiffies rounded up: 1,001 ms is 251
    /// jiffies at HZ 250, a 1,004 ms cap. It caps every RTO (`tcp_bound_rto`, the backoff in
    /// `tcp_retransmit_timer`, a SYN's too), every timer `tcp_reset_xmit_timer` arms
    /// (`max_when`), the probe timer's backoff (`tcp_probe0_when`), and sets the retry
    /// budget's linear part (`tcp_model_timeout`) and a shrunk window's deadline
    /// (`tcp_rtx_probe0_timed_out`); not a listener's SYN-ACK timer (`synack_rto_max_us`).
    /// A profile without the timer wheel keeps the value as given.
    pub fn rto_max(&self) -> Micros {
        crate::tcp::wheel::in_jiffies(self.rto_max_us, self)
    }

    /// Whether the zero-window probes' limit is the retransmissions' one (Linux: both are
    /// tcp_retries2), so that overriding `data_retries` moves both.
    fn probes_are_retries(&self) -> bool {
        self.persist_probe_max == self.data_retries
    }

    /// "Linux 6.x".
    pub fn linux() -> Profile {
        Profile {
            mss: 65_495,
            window_scale: Some(10),
            wscale_space: 33_554_432,
            initial_window_mss_multiple: true,
            initial_rwnd_segments: 0,
            window_round_up: true,
            sack_permitted: true,
            timestamps: true,
            timestamps_offset: true,
            isn_tick_ns: 64,
            time_wait_reopen: true,
            time_wait_socket: true,
            recv_buffer: 65_536,
            rcv_skb_overhead: 0,
            min_recv_buffer: crate::udp::SOCK_MIN_RCVBUF / 2,
            udp_recv_buffer: 131_072,
            udp_rmem_default: 212_992,
            udp_skb_pad: 64,
            send_buffer: 16_384,
            send_buffer_max: 4_194_304,
            min_send_buffer: 2_304,
            rmem_max: 212_992,
            wmem_max: 212_992,
            rto_initial_us: 1_000_000,
            rto_min_us: 200_000,
            rto_max_us: 120_000_000,
            synack_rto_max_us: 120_000_000,
            rto_min_on_variance: true,
            rtt_every_ack: true,
            clock_granularity_us: 4_000,
            timer_wheel: true,
            timer_wheel_origin_us: None,
            ts_clock_origin_us: None,
            syn_retries: 6,
            syn_linear_timeouts: 4,
            retries_as_time_budget: true,
            synack_retries: 5,
            data_retries: 15,
            orphan_retries: 0,
            time_wait_us: 60_000_000,
            local_port_range: [32_768, 60_999],
            tw_reuse: 2,
            rfc1337: false,
            tw_reuse_delay_us: 1_000_000,
            msl_us: 60_000_000,
            fin_wait2_timeout_us: Some(60_000_000),
            delayed_ack_us: 40_000,
            ack_every_segments: 2,
            quickack_max: 16,
            autocorking: true,
            tx_done_at_xmit: true,
            reader_wake_us: 0,
            writer_wake_us: 0,
            nagle_minshall: true,
            min_tso_segs: 2,
            initial_cwnd_segments: 10,
            syn_loss_cwnd_one_after: 2,
            initial_ssthresh_segments: 0,
            slow_start_abc_limit: 0,
            tail_loss_probe: true,
            rack: true,
            frto: 2,
            retrans_collapse: true,
            moderate_rcvbuf: true,
            rcvbuf_max: 33_554_432,
            dsack: true,
            comp_sack_nr: 44,
            comp_sack_delay_ns: 1_000_000,
            comp_sack_slack_ns: 100_000,
            icmp_ratelimit_us: 1_000_000,
            invalid_ratelimit_us: 500_000,
            loss_beta_1024: 717,
            hystart: true,
            prr: true,
            slow_start_after_idle: 1,
            dupack_threshold: 3,
            persist_probe_max: 15,
            probe_with_data: false,
            somaxconn: 4096,
            max_syn_backlog: 1024,
            abort_on_overflow: false,
            syncookies: true,
            syncookies_always: false,
            backlog_model: BacklogModel::TwoQueues,
            syn_drop_rule: SynDropRule::WhenAcceptQueueFull,
            rst_on_close_with_unread: true,
            rst_challenge_ack: true,
            old_before_rcv_wup: true,
            syn_resend_after_bad_ack: true,
            fin_waits_for_cwnd: true,
            linux_errno: true,
            no_metrics_save: false,
        }
    }

    /// "RFC textbook".
    pub fn rfc() -> Profile {
        Profile {
            mss: 65_495,
            window_scale: None,
            wscale_space: 0,
            initial_window_mss_multiple: false,
            initial_rwnd_segments: 0,
            window_round_up: false,
            sack_permitted: false,
            timestamps: false,
            timestamps_offset: true,
            isn_tick_ns: 4_000,
            time_wait_reopen: false,
            time_wait_socket: false,
            recv_buffer: 65_535,
            rcv_skb_overhead: 0,
            min_recv_buffer: 0,
            udp_recv_buffer: 65_535,
            udp_rmem_default: 0,
            udp_skb_pad: 0,
            send_buffer: 16_384 * 1024,
            send_buffer_max: 0,
            min_send_buffer: 0,
            rmem_max: 0,
            wmem_max: 0,
            rto_initial_us: 1_000_000,
            rto_min_us: 1_000_000,
            rto_max_us: 60_000_000,
            synack_rto_max_us: 60_000_000,
            rto_min_on_variance: false,
            rtt_every_ack: false,
            clock_granularity_us: 1_000,
            timer_wheel: false,
            timer_wheel_origin_us: None,
            ts_clock_origin_us: None,
            syn_retries: 5,
            syn_linear_timeouts: 0,
            retries_as_time_budget: false,
            synack_retries: 5,
            data_retries: 8,
            orphan_retries: 8,
            time_wait_us: 240_000_000,
            local_port_range: [32_768, 60_999],
            tw_reuse: 0,
            rfc1337: false,
            tw_reuse_delay_us: 1_000_000,
            msl_us: 120_000_000,
            fin_wait2_timeout_us: None,
            delayed_ack_us: 200_000,
            ack_every_segments: 2,
            quickack_max: 0,
            autocorking: false,
            tx_done_at_xmit: true,
            reader_wake_us: 0,
            writer_wake_us: 0,
            nagle_minshall: false,
            min_tso_segs: 0,
            initial_cwnd_segments: 3,
            syn_loss_cwnd_one_after: 1,
            initial_ssthresh_segments: 0,
            slow_start_abc_limit: 1,
            tail_loss_probe: false,
            rack: false,
            frto: 0,
            retrans_collapse: false,
            moderate_rcvbuf: false,
            rcvbuf_max: 0,
            dsack: true,
            comp_sack_nr: 0,
            comp_sack_delay_ns: 1_000_000,
            comp_sack_slack_ns: 100_000,
            icmp_ratelimit_us: 1_000_000,
            invalid_ratelimit_us: 0,
            loss_beta_1024: 0,
            hystart: false,
            prr: false,
            slow_start_after_idle: 2,
            dupack_threshold: 3,
            persist_probe_max: 15,
            probe_with_data: true,
            somaxconn: 128,
            max_syn_backlog: 128,
            abort_on_overflow: false,
            syncookies: false,
            syncookies_always: false,
            backlog_model: BacklogModel::TwoQueues,
            syn_drop_rule: SynDropRule::WhenAcceptQueueFull,
            rst_on_close_with_unread: false,
            rst_challenge_ack: false,
            old_before_rcv_wup: false,
            syn_resend_after_bad_ack: false,
            fin_waits_for_cwnd: false,
            linux_errno: false,
            no_metrics_save: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the Linux profile departs from the RFC textbook, and why. A new field that
    /// differs must be added here with its reason.
    #[test]
    fn the_linux_and_rfc_profiles_differ_only_where_linux_departs_from_the_textbook() {
        let why: &[(&str, &str)] = &[
            (
                "window_scale",
                "RFC 7323 is optional; Linux always offers it",
            ),
            (
                "sack_permitted",
                "RFC 2018 is optional; Linux always offers it",
            ),
            (
                "timestamps",
                "RFC 7323 is optional; Linux always sends them",
            ),
            (
                "recv_buffer",
                "tcp_full_space 65536 vs the 16-bit field's 65535",
            ),
            (
                "isn_tick_ns",
                "secure_tcp_seq's clock in ns >> 6 (64 ns) vs RFC 9293 §3.4.1's 4 µs",
            ),
            (
                "time_wait_socket",
                "tcp_time_wait hands TIME-WAIT and an orphan's FIN-WAIT-2 to a timewait socket \
                 with its own rules (tcp_timewait_state_process); RFC 9293 §3.10.7.4 keeps \
                 the synchronized states' rules",
            ),
            (
                "time_wait_reopen",
                "tcp_timewait_state_process: a newer SYN (timestamp, else sequence number) \
                 reopens a TIME-WAIT connection (RFC 1122 4.2.2.13's MAY, ISN old snd_nxt + \
                 65537); RFC 9293 §3.10.7.4 answers any SYN there with an ACK",
            ),
            (
                "loss_beta_1024",
                "CUBIC (Linux default) keeps 0.7 of cwnd; RFC 5681 half the flight",
            ),
            (
                "hystart",
                "tcp_cubic's HyStart ends slow start on delay; RFC 5681 at ssthresh",
            ),
            (
                "prr",
                "RFC 6937 PRR (tcp_cwnd_reduction); RFC 6582 NewReno inflation",
            ),
            (
                "slow_start_after_idle",
                "tcp_cwnd_restart halves per idle RTO; RFC 5681 §4.1 restarts at once",
            ),
            (
                "rack",
                "RFC 8985 RACK (always with SACK since 6.17); RFC 5681 counts duplicate ACKs",
            ),
            (
                "tail_loss_probe",
                "tcp_early_retrans 3 (RFC 8985 TLP); RFC 6298 has only the RTO",
            ),
            (
                "frto",
                "tcp_frto 2 (RFC 5682 F-RTO, spurious-RTO undo); RFC 6298 never undoes",
            ),
            (
                "retrans_collapse",
                "tcp_retrans_collapse 1 merges small skbs on retransmission; RFCs resend as sent",
            ),
            (
                "moderate_rcvbuf",
                "tcp_moderate_rcvbuf 1 grows the receive buffer; the RFCs have no autotuning",
            ),
            (
                "rcvbuf_max",
                "tcp_rmem[2] bounds the grown buffer; the RFCs grow none",
            ),
            (
                "invalid_ratelimit_us",
                "tcp_invalid_ratelimit: one ACK per 500 ms to dataless out-of-window segments",
            ),
            (
                "min_recv_buffer",
                "SOCK_MIN_RCVBUF: SO_RCVBUF never leaves less than 1152 of window space",
            ),
            (
                "send_buffer",
                "tcp_wmem[1] 16384, grown by tcp_sndbuf_expand; the RFCs size no buffer",
            ),
            (
                "send_buffer_max",
                "tcp_wmem[2] bounds tcp_sndbuf_expand; the RFCs grow none",
            ),
            (
                "min_send_buffer",
                "SO_SNDBUF doubled, counted in skb truesize, checked per new skb",
            ),
            (
                "udp_recv_buffer",
                "net.core.rmem_default; the RFCs name no size",
            ),
            (
                "rmem_max",
                "net.core.rmem_max caps SO_RCVBUF; the RFCs set no ceiling",
            ),
            (
                "wmem_max",
                "net.core.wmem_max caps SO_SNDBUF; the RFCs set no ceiling",
            ),
            (
                "udp_rmem_default",
                "Linux bounds a UDP queue's memory (skb truesize), not its payload",
            ),
            (
                "udp_skb_pad",
                "the receiving device's headroom sizes each packet's buffer",
            ),
            (
                "wscale_space",
                "tcp_select_initial_window picks the shift from tcp_rmem[2]",
            ),
            (
                "window_round_up",
                "__tcp_select_window: rcv_ssthresh, rounded up to the scale unit",
            ),
            (
                "initial_window_mss_multiple",
                "tcp_select_initial_window rounds the SYN's window to the MSS",
            ),
            ("rto_min_us", "TCP_RTO_MIN 200 ms vs RFC 6298 §2.4's 1 s"),
            ("rto_max_us", "TCP_RTO_MAX 120 s vs RFC 6298 §2.5's 60 s"),
            (
                "synack_rto_max_us",
                "reqsk_timeout's TCP_RTO_MAX 120 s vs RFC 6298 §2.5's 60 s",
            ),
            ("clock_granularity_us", "one jiffy at HZ 250 vs 1 ms"),
            (
                "timer_wheel",
                "timeouts in jiffies on the timer wheel; the RFCs' timers fire on time",
            ),
            (
                "rto_min_on_variance",
                "tcp_set_rto bounds 4·RTTVAR, the RFC the whole RTO",
            ),
            (
                "rtt_every_ack",
                "tcp_ack_update_rtt samples every ACK, timestamps past Karn; RFC 6298 one per RTT",
            ),
            ("syn_retries", "tcp_syn_retries 6 vs a textbook 5"),
            (
                "syn_linear_timeouts",
                "tcp_syn_linear_timeouts (6.5+): first SYN timeouts linear",
            ),
            (
                "retries_as_time_budget",
                "tcp_model_timeout: retries are time budgets on Linux",
            ),
            ("data_retries", "tcp_retries2 15 vs RFC 1122 R2 as 8 tries"),
            ("time_wait_us", "TCP_TIMEWAIT_LEN 60 s vs 2·MSL"),
            (
                "tw_reuse",
                "tcp_tw_reuse 2: connect() may take a loopback 4-tuple from TIME-WAIT",
            ),
            (
                "msl_us",
                "RFC 9293's MSL of 2 minutes is shown for reference only",
            ),
            (
                "fin_wait2_timeout_us",
                "tcp_fin_timeout for orphans; the RFC waits forever",
            ),
            (
                "delayed_ack_us",
                "TCP_ATO_MIN 40 ms vs RFC 1122's 200 ms typical",
            ),
            (
                "quickack_max",
                "Linux quick-ACK and ping-pong modes; the RFC delays every ACK",
            ),
            (
                "comp_sack_nr",
                "tcp_comp_sack_nr: SACKs held back after 3 dupACKs; RFC 5681 §4.2 ACKs each",
            ),
            ("nagle_minshall", "tcp_nagle_check (Minshall) vs RFC 896"),
            (
                "autocorking",
                "tcp_autocorking holds small writes while the device holds earlier ones",
            ),
            (
                "min_tso_segs",
                "GSO chunks, each with PSH (__tcp_transmit_skb); PSH per write",
            ),
            (
                "initial_cwnd_segments",
                "TCP_INIT_CWND 10 (RFC 6928) vs RFC 5681's 3",
            ),
            (
                "syn_loss_cwnd_one_after",
                "tcp_init_transfer cuts cwnd to 1 after more than one SYN retransmission; \
                 RFC 5681 §3.1 after any",
            ),
            (
                "slow_start_abc_limit",
                "Linux grows by all bytes acked; RFC 5681 by 1 MSS",
            ),
            (
                "probe_with_data",
                "tcp_xmit_probe_skb sends an old-sequence ACK, not a byte",
            ),
            (
                "orphan_retries",
                "tcp_orphan_retries 0: 8 while the RTO is under its maximum, then 0",
            ),
            ("somaxconn", "net.core.somaxconn 4096 vs SOMAXCONN 128"),
            ("max_syn_backlog", "tcp_max_syn_backlog default vs 128"),
            (
                "syncookies",
                "tcp_syncookies 1; cookies are no RFC mechanism",
            ),
            (
                "rst_on_close_with_unread",
                "RFC 2525 §2.17 as Linux does it",
            ),
            (
                "rst_challenge_ack",
                "RFC 5961 §3.2's challenge ACK, optional in RFC 9293, always on in Linux",
            ),
            (
                "old_before_rcv_wup",
                "tcp_sequence's old segment ends before rcv_wup; RFC 9293 §3.10.7.4 checks \
                 against rcv_nxt",
            ),
            (
                "syn_resend_after_bad_ack",
                "tcp_rcv_synsent_state_process resends the SYN two jiffies after an \
                 unacceptable ACK; RFC 9293 only resets",
            ),
            (
                "fin_waits_for_cwnd",
                "6.18's tcp_cwnd_test holds a FIN of its own behind a full cwnd; RFC 5681's \
                 cwnd limits data, and a bare FIN carries none",
            ),
            (
                "linux_errno",
                "tcp_reset's EPIPE in CLOSE-WAIT, errors reported once",
            ),
            (
                "no_metrics_save",
                "tcp_metrics caches a peer's RTT for the next connection's first RTO; RFC \
                 6298 §2.1 starts each at the initial RTO",
            ),
        ];
        let l = serde_json::to_value(Profile::linux()).unwrap();
        let r = serde_json::to_value(Profile::rfc()).unwrap();
        let mut differ: Vec<&str> = l
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, v)| r.get(k.as_str()) != Some(*v))
            .map(|(k, _)| k.as_str())
            .collect();
        differ.sort();
        let mut listed: Vec<&str> = why.iter().map(|(k, _)| *k).collect();
        listed.sort();
        assert_eq!(differ, listed);
    }

    #[test]
    fn overrides_change_only_named_fields() {
        let o: ProfileOverrides =
            serde_json::from_str(r#"{"synack_retries": 2, "abort_on_overflow": true}"#).unwrap();
        let p = Profile::linux().with(&o);
        assert_eq!(p.synack_retries, 2);
        assert!(p.abort_on_overflow);
        assert_eq!(p.rto_min_us, Profile::linux().rto_min_us);
        assert!(serde_json::from_str::<ProfileOverrides>(r#"{"nope": 1}"#).is_err());
        assert_eq!(ProfileId::from_id("rfc"), Some(ProfileId::Rfc));
    }

    #[test]
    fn an_explicit_null_window_scale_turns_scaling_off_and_a_missing_one_keeps_the_profile() {
        let off: ProfileOverrides = serde_json::from_str(r#"{"window_scale": null}"#).unwrap();
        assert_eq!(off.window_scale, Some(None));
        assert_eq!(Profile::linux().with(&off).window_scale, None);
        let zero: ProfileOverrides = serde_json::from_str(r#"{"window_scale": 0}"#).unwrap();
        assert_eq!(Profile::linux().with(&zero).window_scale, Some(0));
        let unset: ProfileOverrides = serde_json::from_str("{}").unwrap();
        assert_eq!(Profile::linux().with(&unset).window_scale, Some(10));
        // And it survives a round trip through JSON.
        let back: ProfileOverrides =
            serde_json::from_str(&serde_json::to_string(&off).unwrap()).unwrap();
        assert_eq!(back, off);
        // A null where a number belongs is an error, not "not set".
        assert!(serde_json::from_str::<ProfileOverrides>(r#"{"mss": null}"#).is_err());
    }
}
