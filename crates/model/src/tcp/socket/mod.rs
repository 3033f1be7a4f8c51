//! One TCP connection endpoint: RFC 9293 §3.10 event processing, with the reliability
//! (RFC 6298), congestion (RFC 5681/6582) and flow-control (RFC 9293 §3.8.6) machinery.
//!
//! Sans-IO: every entry point takes a [`Ctx`] carrying `now`, the profile and the output
//! vectors (trace events, segments to transmit, timers armed). Nothing here knows about links.

use super::buffers::{for_each_in_range, push_span, slice_spans, spans_len, SpanQueue};
use super::congestion::{CcAction, Congestion};
use super::listener::Listener;
use super::reorder::Reordering;
use super::rtt::RttEstimator;
use super::skbs::{SendSkbs, SkbAt};
use super::timer_index;
use crate::ctx::Ctx;
use crate::seq::SeqNumber;
use crate::trace::{
    Addr, EventKind, Header, Micros, PayloadSpan, QueueKind, Segment, SocketId, TcpFlags,
    TcpHeader, TcpOptions, TcpState, TimerKind, WindowState,
};
use crate::vecmap::VecMap;

// The socket's methods, one file per concern, in the order a segment meets them.
mod ack;
mod app;
mod handshake;
mod input;
mod memory;
mod output;
mod receive;
mod recovery;
mod time_wait;
mod timers;

use receive::{AckDue, SegShape};

/// IPv4 header without options.
pub const IP_HEADER: u32 = 20;

/// Linux `sk_gso_max_size` on a device with the default GSO limit: 65,536 (GSO_LEGACY_MAX_SIZE)
/// less room for the headers (`MAX_TCP_HEADER` + 1, 321 on x86-64): the largest skb a write
/// builds and a GSO chunk sends.
const GSO_MAX_SIZE: u64 = 65_536 - 321;

/// Linux TCP_TIMEOUT_MIN_US (`include/net/tcp.h`): the 2 ms floor the loss probe
/// (`tcp_schedule_loss_probe`) and RACK's reordering timer (`tcp_rack_mark_lost`) add before
/// their time is rounded up to jiffies.
const TCP_TIMEOUT_MIN_US: Micros = 2_000;

/// Linux TCP_DEFAULT_SCALING_RATIO: half of the receive memory is window until a segment
/// measured the real ratio (`tcp_win_from_space`, 1/256 units).
const TCP_DEFAULT_SCALING_RATIO: u32 = 128;
/// The skb layout behind [`TcpSocket::truesize`] (x86-64): the headroom TUN reserves
/// (`tun->align` = NET_SKB_PAD), `sizeof(struct skb_shared_info)` and `struct sk_buff`, each
/// cache-aligned (`SKB_DATA_ALIGN`).
const SKB_PAD: u32 = 64;
const SKB_SHARED_INFO: u32 = 320;
const SK_BUFF: u32 = 256;
/// `SKB_SMALL_HEAD_CACHE_SIZE`: a head of at most this many bytes (data, cache-aligned, +
/// skb_shared_info) comes from the small-head cache, not a power-of-two kmalloc slab
/// (`kmalloc_reserve`). It is SKB_HEAD_ALIGN(MAX_TCP_HEADER), which depends on the kernel's
/// configuration; measured on 6.18 (x86-64) through sock_diag's SK_MEMINFO_RMEM_ALLOC: a
/// 96-byte segment's TUN skb takes 832 bytes (576 + the sk_buff), a 524-byte one 1280.
const SMALL_HEAD: u32 = 576;
/// The most payload `tcp_collapse` copies into one new skb: SKB_MAX_ORDER(0, 0), a 4096-byte
/// page less the skb_shared_info.
const COLLAPSE_COPY: u32 = 4096 - SKB_SHARED_INFO;
/// PAGE_SIZE, the unit socket memory is charged in (`sk_mem_pages`).
const PAGE: i64 = 4096;
/// The memory of a send skb's head (`tcp_stream_alloc_skb`: `alloc_skb_fclone(MAX_TCP_HEADER)`
/// from the small-head cache, then `skb->truesize = SKB_TRUESIZE(skb_end_offset(skb))`: the
/// 576-byte head and the sk_buff). The bytes written go into page fragments and count one
/// for one (`skb_copy_to_page_nocache`). Measured on 6.18 through sock_diag
/// (SK_MEMINFO_WMEM_QUEUED, `ss -m`'s `w`): a 1-byte write held by MSG_MORE queues 833
/// bytes, a 101-byte one 933, and leaves 3263 and 3163 forward-allocated.
pub(crate) const SND_SKB_HEAD: u64 = (SMALL_HEAD + SK_BUFF) as u64;
/// MAX_TCP_HEADER + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), the room
/// `tcp_sndbuf_expand` adds to an MSS before rounding it to a power of two. It depends on the
/// kernel's configuration; measured on 6.18 (x86-64): a connection whose MSS clamp is 1520
/// reads SO_SNDBUF 46080 after the handshake (2 × 10 × (2048 + 256)), one of 1560 87040
/// (4096 + 256), so it is more than 488 and at most 528: 192 + 320.
const SND_HEADER_ROOM: u64 = 512;
/// Linux TCP_INIT_CWND: the least number of segments `tcp_sndbuf_expand` sizes the send
/// buffer for, whatever the initial cwnd (a route's initcwnd does not change it).
const TCP_INIT_CWND: u32 = 10;

/// One skb of the out-of-order queue (Linux `tp->out_of_order_queue`): the bytes it holds,
/// its truesize and the room left at the end of its head (`skb_tailroom`) for the bytes of a
/// segment that continues it (`tcp_ooo_try_coalesce`).
#[derive(Clone, Debug, Default)]
struct OfoSkb {
    spans: Vec<PayloadSpan>,
    truesize: u32,
    tailroom: u32,
}

/// What a connection in TIME-WAIT does with a SYN ([`TcpSocket::time_wait_syn`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeWaitSyn {
    /// The SYN opens a new connection: the listener gets it, and the child's ISN is this.
    Reopen(u32),
    /// The SYN is answered with the old connection's ACK.
    Ack { paws_reject: bool },
}

/// A keyed hash of a few words (the model's stand-in for Linux's SipHash in
/// `secure_tcp_seq` and `secure_tcp_ts_off`): SplitMix64's finalizer over the key and
/// each word in turn. Deterministic on every platform, integer-only.
fn keyed_hash(key: u64, words: &[u64]) -> u64 {
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    words.iter().fold(mix(key), |h, &w| {
        mix(h ^ w.wrapping_add(0x9E37_79B9_7F4A_7C15))
    })
}

/// What one recv() got.
#[derive(Clone, Debug, PartialEq)]
pub enum RecvOutcome {
    Data(Vec<PayloadSpan>),
    Eof,
    Error(&'static str),
    WouldBlock,
}

#[derive(Clone, Debug)]
pub struct TcpSocket {
    pub id: SocketId,
    pub local: Addr,
    pub remote: Option<Addr>,
    pub state: TcpState,
    /// For a child of a listener.
    pub parent: Option<SocketId>,
    /// An application holds the socket (Linux `sk->sk_socket` is set): any socket it made,
    /// and a listener's child once accept() has returned it. `tcp_rcvbuf_grow` leaves the
    /// others alone ("do not grow rcvbuf for not-yet-accepted or orphaned sockets").
    pub in_app: bool,
    pub listen: Option<Box<Listener>>,

    // Options (RFC 9293 §3.7.1 MSS, RFC 7323 window scale and timestamps).
    our_mss: u16,
    /// The receive space was set with SO_RCVBUF (Linux `SOCK_RCVBUF_LOCK`): it also clamps
    /// the window scale (`tcp_select_initial_window`'s `window_clamp`).
    pub rcvbuf_locked: bool,
    /// SO_REUSEADDR (Linux `sk_reuse`), inherited by accepted connections: a listener may
    /// bind a port that sockets other than listeners still hold (one in TIME-WAIT after a
    /// server restart) only when they and it both set it (`inet_csk_bind_conflict`).
    pub reuse_addr: bool,
    /// SO_REUSEPORT (Linux `sk_reuseport`): listeners that all set it share a port.
    pub reuse_port: bool,
    /// Payload bytes per segment after options (Eff.snd.MSS, RFC 9293 §3.7.1), bounded by
    /// half the peer's largest window as Linux's `tcp_sync_mss` does (`sync_mss`).
    pub snd_mss: u32,
    /// Eff.snd.MSS before that bound: from the route, the peer's MSS option and our options.
    mss_unbounded: u32,
    /// The peer's MSS option, within our clamp (Linux `rx_opt.mss_clamp`): with the MSS it
    /// sizes the send buffer's growth ([`TcpSocket::sndbuf_expand`]).
    mss_clamp: u32,
    ts_ok: bool,
    sack_ok: bool,
    /// Both SYNs carried the window scale option (Linux `rx_opt.wscale_ok`), whatever the
    /// shifts: either may be 0.
    wscale_ok: bool,
    snd_wscale: u8,
    rcv_wscale: u8,
    ts_recent: u32,
    /// When `ts_recent` was last stored (Linux `rx_opt.ts_recent_stamp`, `tcp_store_ts_recent`:
    /// whole seconds of `ktime_get_seconds()`, here the run's clock): TIME-WAIT's PAWS
    /// rejects a RST only within TCP_PAWS_MSL of it ([`TcpSocket::time_wait_paws_rejects_rst`]).
    ts_recent_stamp: Micros,
    ts_offset: u32,
    /// The host's secret key for its ISNs and timestamp offsets (Linux `net_secret` and
    /// `ts_secret`, drawn once per boot): set by the driver from the scenario's seed, one per
    /// host, so runs stay deterministic.
    pub secret: u64,
    /// The ISN a SYN that reopened a connection in TIME-WAIT brought with it to the
    /// listener, for the child it makes (Linux `tcp_tw_isn`, read by `tcp_conn_request`).
    pub tw_isn: Option<u32>,
    /// The truesize of this socket's data packets the sending device still holds (Linux
    /// `sk_wmem_alloc` less its own reference): only with profile `tx_done_at_xmit` off,
    /// charged as a packet goes on a link with a bandwidth and released at the end of its
    /// serialisation ([`TcpSocket::tx_done`]).
    pub dev_truesize: u64,
    /// `tcp_push` autocorked the tail skb (TSQ_THROTTLED): the device's next release pushes.
    pub autocorked: bool,
    /// When this connection entered TIME-WAIT (Linux `tw_entry_stamp`, the socket's clock
    /// then, read in ms by `tcp_twsk_unique` against `tcp_tw_reuse_delay`).
    pub time_wait_since: Option<Micros>,
    /// The orphan in FIN-WAIT-2 lives on as a timewait socket in substate FIN_WAIT2 (Linux
    /// `tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)`, profile `time_wait_socket`): segments are
    /// judged by [`TcpSocket::timewait_segment`], the FIN-WAIT-2 timer is the timewait
    /// socket's.
    tw_fin_wait2: bool,
    /// The receive window a timewait socket made from an orphan in FIN-WAIT-2 keeps
    /// (`tw_rcv_wnd`, `tcp_receive_window` when it was made): its window check in FIN-WAIT-2,
    /// and the window field of all its ACKs, in TIME-WAIT too. (One made in TIME-WAIT keeps
    /// the window of the ACK the full socket sent last, which the model's ACKs compute alike.)
    tw_rcv_wnd: Option<u32>,
    /// The last timestamp a TIME-WAIT connection received, when connect() took its 4-tuple
    /// over (`tcp_twsk_unique` copies `tw_ts_recent` and its stamp into the new socket).
    pub tw_ts_recent: Option<u32>,
    /// `ts_recent` holds a value from before this connection's handshake (Linux
    /// `rx_opt.ts_recent_stamp` set at connect()): the SYN's window is then counted in
    /// segments less the timestamp option, as a SYN-ACK's is (`tcp_connect_init`).
    ts_recent_inherited: bool,

    // Send sequence variables (RFC 9293 §3.3.1).
    pub iss: SeqNumber,
    pub snd_una: SeqNumber,
    pub snd_nxt: SeqNumber,
    /// Highest sequence number sent (snd_nxt goes back on a retransmission timeout).
    pub snd_max: SeqNumber,
    pub snd_wnd: u32,
    snd_wl1: SeqNumber,
    snd_wl2: SeqNumber,
    max_snd_wnd: u32,
    pub sndbuf: SpanQueue,
    /// Where Linux's skbs of the unacknowledged bytes end and which carry PSH (used when
    /// the profile sends GSO chunks, `min_tso_segs` > 0).
    skbs: SendSkbs,
    /// Stream offset of the last PSH marked by a write (Linux `tp->pushed_seq`, which
    /// starts at ISN + 1: offset 0).
    pushed_off: u64,
    pub send_cap: u32,
    /// The send buffer was set with SO_SNDBUF (Linux `SOCK_SNDBUF_LOCK`).
    pub sndbuf_locked: bool,
    /// A send() stopped for memory and waits for `sk_stream_write_space`'s wake-up (or
    /// one from data received).
    snd_wait: bool,
    /// `rcv_nxt` when that send() went to sleep (`set_snd_wait`): data or
    /// a FIN received since woke it too (see [`TcpSocket::send_room`]).
    snd_wait_rcv: SeqNumber,
    /// `sk_stream_write_space` found the buffer writable (a third free, `sk_wmem_queued`
    /// below `sk_sndbuf`) while that send() waited, and cleared `SOCK_NOSPACE`: the task is
    /// woken, and no later `tcp_check_space` grows the buffer for it (see
    /// [`TcpSocket::check_space`]).
    snd_space_woken: bool,
    /// A send() that builds skbs stopped for memory part way and will copy the rest when
    /// woken: it is one call of `tcp_sendmsg_locked`, whose `copied` is not 0 any more.
    write_part_done: bool,
    fin_queued: bool,
    /// A FIN sent on its own, after all the data (Linux gives it an skb of its own in the
    /// retransmission queue, `tcp_send_fin`): when it last left and in which order, and
    /// whether the peer SACKed it. A SACKed FIN moves RACK like any segment and is not sent
    /// again with a data retransmission (`tcp_retrans_try_collapse` skips SACKed skbs).
    lone_fin: Option<LoneFin>,
    pub nodelay: bool,
    /// TCP_CORK (Linux `TCP_NAGLE_CORK` in `tp->nonagle`): a partial segment waits for more
    /// data, for the option to be cleared, or for the probe timer (tcp(7): "a 200 millisecond
    /// ceiling"; in the source it is `tcp_check_probe_timer`, max(RTO, TCP_RTO_MIN), armed
    /// when nothing is in flight). Stronger than TCP_NODELAY (`tcp_nagle_check`).
    pub cork: bool,
    /// Linux `TCP_NAGLE_PUSH` in `tp->nonagle`: set when TCP_NODELAY is turned on, or TCP_CORK
    /// cleared with TCP_NODELAY on (`__tcp_sock_set_nodelay`, `__tcp_sock_set_cork`), cleared
    /// when a write starts a new skb (`skb_entail`). While set, `tcp_nagle_test` lets the
    /// last skb's partial segment go whatever the cork says ("if (nonagle & TCP_NAGLE_PUSH)
    /// return true" comes first), so corked bytes leave at the setsockopt().
    pub(super) nagle_push: bool,
    /// The send() being handled carries MSG_MORE: `tcp_sendmsg` pushes with
    /// `TCP_NAGLE_CORK` for that call only; later pushes (an ACK arriving) use the socket's
    /// own setting.
    more: bool,
    /// The next `output` sends a partial segment whatever Nagle or the cork say (Linux
    /// `tcp_write_wakeup`, which the probe timer calls when the window is open).
    push_once: bool,
    /// One `output` whose `nonagle` argument is TCP_NAGLE_OFF or TCP_NAGLE_PUSH instead of the
    /// socket's own `tp->nonagle`: F-RTO's new data (`tcp_xmit_recovery`), and a write's own
    /// pushes in `tcp_sendmsg_locked` (`tcp_push_one`, the forced push, and the push before
    /// it sleeps for memory at `wait_for_space`). `tcp_nagle_check` then holds no partial
    /// segment, neither for Nagle nor for TCP_CORK: the argument replaces `tp->nonagle`,
    /// cork bit included.
    nagle_off_once: bool,
    /// TCP_USER_TIMEOUT in microseconds, 0 = off (`icsk->icsk_user_timeout`): data
    /// unacknowledged this long kills the connection, instead of the `tcp_retries2` budget.
    pub user_timeout_us: Micros,
    /// When the first unanswered zero-window probe went out (`icsk_probes_tstamp`), for the
    /// user timeout.
    probes_tstamp: Option<Micros>,
    /// SO_LINGER: `None` off, `Some(0)` close() resets, `Some(t)` close() waits up to `t`.
    pub linger_us: Option<Micros>,
    /// shutdown(SHUT_RD) (Linux `RCV_SHUTDOWN`): recv() returns what is queued, then 0
    /// without waiting. Segments still arrive and are acknowledged; nothing is sent.
    pub shut_rd: bool,
    /// End of the last small segment sent (Minshall's Nagle variant, Linux `snd_sml`).
    snd_sml: SeqNumber,

    // Receive sequence variables.
    pub irs: SeqNumber,
    pub rcv_nxt: SeqNumber,
    pub rcvbuf: SpanQueue,
    /// Out-of-order data by stream offset.
    /// (A sorted `Vec`, not a `BTreeMap`: first-load size, see [`crate::vecmap`]; it holds at
    /// most a window's worth of segments.)
    ooo: VecMap<u64, OfoSkb>,
    ooo_bytes: u32,
    ooo_fin: Option<u64>,
    /// SACK blocks we report (stream offsets), the most recently changed first (RFC 2018
    /// §4; Linux `tp->selective_acks`, at most 4).
    sack_blocks: Vec<(u64, u64)>,
    /// A duplicate to report once as the first block, D-SACK (RFC 2883; Linux
    /// `tcp_dsack_set`, net.ipv4.tcp_dsack = 1).
    dsack: Option<(u64, u64)>,
    /// The SACK blocks for the one ACK that Linux `tcp_fin` sends at once in FIN-WAIT-1/2:
    /// it goes out before `tcp_sack_remove` (and `tcp_fin`'s own `tcp_sack_reset`), so it
    /// still carries the blocks as they stood before the segment that completed the FIN.
    fin_ack_sacks: Option<Vec<(u64, u64)>>,
    pub rcv_cap: u32,
    rcv_adv_edge: SeqNumber,
    /// The window last offered, bytes (Linux `tp->rcv_wnd`).
    rcv_wnd: u32,
    /// The machine's skb overhead (profile `rcv_skb_overhead`), 0 = payload accounting.
    rcv_skb_overhead: u32,
    /// The largest packet the link carries (its MTU, once the route is known; the profile's
    /// MSS + 40 until then): the one whose skb `rcv_skb_overhead` was measured on. Not the
    /// socket's own MSS: with TCP_MAXSEG 1000 on an MTU-1500 link a 988-byte segment still
    /// lands in the same 2048-byte slab as a full one (measured on 6.18: scaling_ratio
    /// 988/2304, window 63 << 10 where 988/1844 would grow it to 67 << 10).
    rcv_full_packet: u32,
    /// Receive memory as Linux counts it (`sk_rmem_alloc`), used when the profile gives the
    /// machine's skb overhead ([`crate::profile::Profile::rcv_skb_overhead`]): each queued
    /// segment costs its payload plus that overhead (its skb's truesize), freed when the
    /// application has read all of it. In-order skbs as (stream end offset, truesize, room
    /// left at the end of its head for a later segment's bytes: `tcp_queue_rcv`).
    rcv_skbs: std::collections::VecDeque<(u64, u32, u32)>,
    /// When this socket last answered a dataless out-of-window segment (Linux
    /// `tp->last_oow_ack_time`), for [`crate::profile::Profile::invalid_ratelimit_us`].
    last_oow_ack: Option<Micros>,
    /// Where the first of `rcv_skbs` starts (the end of the last one freed): it may hold
    /// bytes already read.
    rcv_head_off: u64,
    /// Linux `sk_forward_alloc`, one per socket for both directions: memory charged to the
    /// socket in whole pages (`__sk_mem_schedule`) and not yet taken by an skb, received
    /// (`sk_rmem_schedule`, then `skb_set_owner_r` → `sk_mem_charge`) or to send
    /// (`tcp_stream_alloc_skb` → `sk_wmem_schedule`, `tcp_skb_entail` and each copy →
    /// `sk_mem_charge`); a freed skb gives its memory back and whole pages are returned
    /// (`sk_mem_uncharge` → `sk_mem_reclaim`, which since 6.0 keeps less than a page).
    /// So what a write charged lets the first segment received take the fast path.
    fwd_alloc: i64,
    /// Linux `sk_wmem_queued`: the memory of the send skbs not yet acknowledged (each one's
    /// head and its bytes), as last charged to `fwd_alloc` ([`TcpSocket::sync_send_memory`]).
    wmem_queued: u64,
    /// Linux header prediction (`tp->pred_flags`): the peer's window field a segment must
    /// carry to take `tcp_rcv_established`'s fast path, None while prediction is off. An
    /// in-order segment that is predicted and whose skb fits in `fwd_alloc` is queued
    /// there without looking at the buffer (so the queue can grow past it); any other goes
    /// through `tcp_data_queue`, which makes room first. See [`TcpSocket::fast_path_check`].
    rcv_pred_wnd: Option<u16>,
    /// `sk_rcvbuf` as `tcp_clamp_window` grew it (0: not grown), for a buffer SO_RCVBUF did
    /// not set.
    rcvbuf_grown: u64,
    /// Linux `tp->rcvq_space.space`: the window the receiver last measured the application
    /// reading in one RTT; `tcp_init_buffer_space` starts it at min(rcv_ssthresh, rcv_wnd,
    /// TCP_INIT_CWND × advmss), `tcp_rcv_space_adjust` raises it.
    rcvq_space: u32,
    /// Linux `rcvq_space.seq` and `.time`: where (a stream offset of copied_seq) and when
    /// the current measurement of reads started.
    rcvq_seq: u64,
    rcvq_time: Micros,
    /// Linux `tp->rcv_rtt_est.rtt_us`: the receiver's RTT estimate, 8 × µs; 0 = none yet. It
    /// paces the reads' measurement (`tcp_rcv_space_adjust`) and bounds how long a compressed
    /// ACK waits.
    rcv_rtt_us: u64,
    /// Linux `rcv_rtt_est.seq` and `.time`: the window-based sample ends once rcv_nxt
    /// reaches `seq`; None until in-order data started one.
    rcv_rtt_seq: SeqNumber,
    rcv_rtt_time: Option<Micros>,
    /// Linux `tp->rcv_rtt_last_tsecr`: the last TSecr seen, so that one echo gives one
    /// sample.
    rcv_rtt_last_tsecr: u32,
    /// Linux ICSK_ACK_NOMEM: an in-order segment found no receive memory
    /// (`tcp_data_queue`); the next ACK offers window 0 (`tcp_select_window`).
    ack_nomem: bool,
    /// Truesize of the out-of-order queue.
    ooo_mem: u64,
    /// Bytes the application has read (the stream offset of the next byte recv() returns).
    rcv_copied: u64,
    /// Linux `tp->scaling_ratio` in 1/256: how much of a byte of receive memory the window
    /// offers. TCP_DEFAULT_SCALING_RATIO (50 %) until the first full-sized segment measures
    /// payload / truesize (`tcp_measure_rcv_mss`).
    scaling_ratio: u32,
    /// Linux `tp->window_clamp` once the measured ratio moved it (`tcp_set_window_clamp`);
    /// until then the full space.
    window_clamp: Option<u32>,
    pub fin_received: bool,
    delack_bytes: u32,
    // Linux's delayed-ACK engine (`struct inet_connection_sock::icsk_ack`).
    /// An ACK is owed (`inet_csk_schedule_ack`): data or a FIN came and nothing acked it yet.
    ack_sched: bool,
    /// Quick ACKs left (`icsk_ack.quick`): while > 0 and not in ping-pong mode, every data
    /// segment is acknowledged at once.
    ack_quick: u32,
    /// Interactive ("ping-pong") mode (`inet_csk_in_pingpong_mode`): ACKs wait to ride on
    /// the reply.
    pingpong: bool,
    /// The delayed-ACK timeout estimate (`icsk_ack.ato`); 0 until the first data arrives.
    ato: Micros,
    /// When data last arrived (`icsk_ack.lrcvtime`).
    lrcvtime: Micros,
    /// When the pending delayed ACK is due as the kernel computed it (`icsk_ack.timeout`:
    /// armed + ato), not when the wheel fires it; meaningful while the timer is armed.
    delack_due: Micros,
    /// The peer's segment size as seen (`icsk_ack.rcv_mss`).
    rcv_mss: u32,
    /// "Pushed" segments received since the last ACK, 0..=2 (Linux `ICSK_ACK_PUSHED`,
    /// `ICSK_ACK_PUSHED2`, set by `tcp_measure_rcv_mss`): a read that empties the queue
    /// then acknowledges at once (`tcp_cleanup_rbuf`).
    ack_pushed: u8,
    /// The size of the last small segment, header options beyond the fixed ones counted
    /// (`icsk_ack.last_seg_size`): a second one of that size becomes `rcv_mss`.
    last_seg_size: u32,
    /// Linux's SACK compression (`__tcp_ack_snd_check`): ACKs held back since the last one
    /// sent (`tp->compressed_ack`).
    compressed_ack: u32,
    /// Immediate duplicate ACKs sent at this rcv_nxt (`tp->dup_ack_counter`), up to
    /// TCP_FASTRETRANS_THRESH before ACKs are compressed.
    dup_ack_counter: u32,
    /// The rcv_nxt `dup_ack_counter` counts at (`tp->compressed_ack_rcv_nxt`).
    compressed_ack_rcv_nxt: Option<SeqNumber>,
    /// Linux `tp->rcv_ssthresh`: the window offered grows only this far; it starts at the
    /// SYN's window and grows by two MSS per in-order segment (`tcp_grow_window`), up to the
    /// receive space.
    rcv_ssthresh: u32,

    // Reliability.
    rtt: RttEstimator,
    /// Linux `icsk_retransmits`: retransmission timeouts since the last ACK of new data
    /// (`tcp_ack` zeroes it whenever SND.UNA advances). The retry limits judge this count
    /// (`tcp_write_timeout`, `retransmits_timed_out`), and so do `tcp_enter_loss` and F-RTO.
    retransmits: u32,
    /// How many times the RTO has doubled (RFC 6298 §5.5; Linux doubles `icsk_rto` itself
    /// in `tcp_retransmit_timer`). Kept apart from `retransmits` because only a valid RTT
    /// sample ends it: RFC 6298 §5.7 and Karn's rule (§3) keep the backed-off RTO until a
    /// segment not retransmitted is timed, and Linux recomputes `icsk_rto` only in
    /// `tcp_set_rto`, called by `tcp_ack_update_rtt` on a sample ("RFC6298: only reset backoff
    /// on valid RTT measurement"). Without timestamps an ACK of retransmitted data gives none,
    /// so the next RTO keeps the doubled value; with them the echo times it (`tcp_rtt_tsopt_us`).
    backoff: u32,
    /// Linux `tp->retrans_stamp`: when the retry budget started. For a SYN, when the first
    /// SYN went out (`tcp_connect`); for data, the first RTO retransmission
    /// (`tcp_retransmit_skb`). `None` while nothing is being retransmitted.
    retrans_stamp: Option<Micros>,
    /// When the first SYN (active open) or SYN-ACK (passive) went out, for the timestamp
    /// echo that tells a spurious handshake retransmission (`tcp_try_undo_spurious_syn`
    /// reads `retrans_stamp`, which is that time during the handshake).
    syn_first_sent: Option<Micros>,
    /// Linux `icsk_backoff` as the zero-window probe timer reads it: each RTO raises it with
    /// `backoff`, each probe too (`tcp_send_probe0`, while under tcp_retries2); a valid RTT
    /// sample ends it with `backoff`, and so does an ACK that opens the window
    /// (`tcp_ack_probe`), which leaves the doubled RTO alone. A probe waits the backed-off
    /// RTO (`tcp_probe0_base`: `icsk_rto`) shifted by this (`tcp_probe0_when`), so probes
    /// that follow RTOs no sample ended start late and back off from there.
    probe_backoff: u32,
    /// The retransmission timer is armed as a tail loss probe (Linux `ICSK_TIME_LOSS_PROBE`
    /// shares the retransmit timer), not as an RTO.
    tlp_armed: bool,
    /// A loss probe's episode is open until an ACK settles it (Linux `tp->tlp_high_seq`,
    /// `tcp_process_tlp_ack`).
    tlp_high_seq: Option<SeqNumber>,
    /// The open probe resent data (`tp->tlp_retrans`) rather than sending new data.
    tlp_retrans: bool,
    /// After an RTO, with the scoreboard: Linux's TCP_CA_Loss state, with `tp->high_seq`, the
    /// SND.NXT of the RTO. It ends once that is acknowledged (`tcp_process_loss`); until then
    /// cwnd slow-starts from the RTO's window (no PRR, no new fast recovery) and the lost
    /// segments are resent from the queue, SACKed ones left out.
    loss_high: Option<SeqNumber>,
    /// F-RTO is running in this loss state (Linux `tp->frto`, RFC 5682 §3.1): set by
    /// `tcp_enter_loss` from the profile's `frto`, cleared once the loss proves real.
    frto: bool,
    /// What a spurious retransmission would undo (`tp->undo_marker` and the rest), set when
    /// a recovery or loss state cuts the window; `None` once undone or when nothing may be.
    undo: Option<Undo>,
    /// Segments the peer reported twice by D-SACK (`tp->dsack_dups`): a D-SACK is believed
    /// only while they stay within the retransmissions sent (`tcp_dsack_seen`).
    dsack_dups: u32,
    /// When the RTO clock last (re)started, for the time left before it fires.
    rto_anchor: Micros,
    /// When data was last sent (Linux `tp->lsndtime`), for the restart after idle.
    lsndtime: Option<Micros>,
    /// When any segment last left, data or not (Linux `tp->tcp_wstamp_ns`, which
    /// `__tcp_transmit_skb` moves for pure ACKs and retransmissions too): the "last write"
    /// of `tcp_tso_should_defer`.
    last_xmit: Option<Micros>,
    /// The `lsndtime` whose idle period already restarted the window, so that an output
    /// that sends nothing (Nagle, a closed window) does not halve it again.
    idle_restarted: Option<Micros>,
    // RACK (RFC 8985; Linux `tcp_recovery.c`).
    /// Outstanding segments in stream order: the retransmission queue as Linux tags it
    /// (`TCP_SKB_CB(skb)->sacked`), the scoreboard of RFC 6675.
    sent_log: std::collections::VecDeque<SentSeg>,
    /// Send time, RTT and end offset of the most recently sent segment known delivered
    /// (`tp->rack`: mstamp, rtt_us, and the send order standing in for end_seq).
    rack: Option<(Micros, Micros, u64)>,
    /// Data segments transmitted so far (the next `SentSeg::order`).
    xmit_count: u64,
    /// Without SACK, the duplicate ACKs counted as segments delivered (Linux `sacked_out`
    /// for a Reno connection).
    reno_sacked: u32,
    /// `tcp_cwnd_validate`: the last window was cwnd-limited (`tp->is_cwnd_limited`), the
    /// most segments out during it (`max_packets_out`), and where it ends
    /// (`cwnd_usage_seq`). cwnd grows only when it is used (`tcp_is_cwnd_limited`).
    cwnd_limited: bool,
    max_packets_out: u32,
    cwnd_usage_seq: SeqNumber,
    /// `sk_pacing_rate` (bytes per second) as the last ACK set it, which sizes GSO chunks.
    pacing_rate: Option<u64>,
    /// RACK's state moved on the ACK being processed (`tp->rack.advanced`).
    rack_advanced: bool,
    /// Reordering seen on the path, and RACK's reordering window that follows it.
    reord: Reordering,
    /// The lowest never-retransmitted segment a D-SACK of the ACK being processed showed
    /// reordered (`tcp_sacktag_one`: a D-SACK of a retransmitted segment already SACKed),
    /// for `tcp_sacktag_write_queue`'s reordering check.
    dsack_reord: Option<u64>,
    /// The retransmission timer is armed as RACK's reordering timer (`ICSK_TIME_REO_TIMEOUT`).
    reo_armed: bool,
    /// The smallest RTT sample (`tcp_min_rtt`, here over the whole connection).
    min_rtt: Option<Micros>,
    /// When an acceptable ACK last arrived (Linux `tp->rcv_tstamp`, set by `tcp_ack`).
    rcv_tstamp: Micros,
    /// Zero-window probes not answered (Linux `icsk_probes_out`): every ACK resets it, so a
    /// peer that keeps answering is probed forever (RFC 1122 §4.2.2.17, `tcp_probe_timer`).
    probes_out: u32,
    /// The SYN-ACK retransmission limit for this request when the listener prunes old
    /// requests (`reqsk_timer_handler`); set by the listener's owner before each timeout.
    pub synack_retries_limit: Option<u32>,
    /// A segment being timed: (sequence number that acknowledges it, when it was sent).
    rtt_probe: Option<(SeqNumber, Micros)>,
    pub cc: Congestion,
    pub timers: [Option<Micros>; super::TIMER_KINDS.len()],
    /// The wheel level each timer was last filed in (`calc_wheel_index`), which decides
    /// the order of timers firing on one tick (the simulator's `wheel_order`).
    pub timer_levels: [u8; super::TIMER_KINDS.len()],

    // What the application sees.
    pub error: Option<&'static str>,
    /// The error was reported to the application once (then cleared).
    pub error_reported: bool,
    /// close() was called: the socket is orphaned (no more reads).
    pub app_closed: bool,
    /// close() is still waiting with SO_LINGER for the FIN's ACK (`sk_stream_wait_close`):
    /// `__tcp_close` orphans the socket (`sock_orphan`, SOCK_DEAD) only after that wait, so
    /// until it returns the retransmission and probe timers give up after tcp_retries2,
    /// not tcp_orphan_retries (`TcpSocket::orphaned`).
    pub lingering: bool,
    pub shut_wr: bool,
    /// SYN-ACK retransmissions so far (a request is "young" while this is 0).
    pub synack_retransmits: u32,
    /// Linux `inet_rsk(req)->acked`: the final ACK came but was ignored (accept queue full).
    pub overflow_acked: bool,
    /// Segments received, sent, retransmitted (for tests and the lab comparison).
    pub stats: TcpStats,

    last_window: Option<WindowState>,
    last_queues: [(u32, u32); 3],
}

/// One segment of the retransmission queue: stream offsets, when it was last sent, and the
/// scoreboard's tags (Linux TCPCB_SACKED_ACKED, TCPCB_LOST, TCPCB_SACKED_RETRANS,
/// TCPCB_EVER_RETRANS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SentSeg {
    start: u64,
    end: u64,
    sent: Micros,
    /// Transmissions before this one on the connection: which of two segments sent in the
    /// same microsecond left first. (The kernel's clock tells them apart; where it cannot,
    /// `tcp_skb_sent_after` breaks the tie by end_seq, which would make a retransmission
    /// sent just before new data look sent after it.)
    order: u64,
    sacked: bool,
    lost: bool,
    /// Retransmitted since it was marked lost, and the copy is in flight.
    retrans: bool,
    ever_retrans: bool,
    /// `tp->delivered` when it was last sent (`tcp_rate_skb_sent`: `tx.delivered`).
    tx_delivered: u64,
}

/// A FIN in a segment of its own: see `TcpSocket::lone_fin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LoneFin {
    sent: Micros,
    order: u64,
    sacked: bool,
    /// Marked lost by an RTO (`tcp_timeout_mark_lost`) and not sent again since: out of
    /// the flight until `tcp_xmit_retransmit_queue` resends it.
    lost: bool,
    /// Sent more than once (TCPCB_EVER_RETRANS): RACK does not trust a SACK of it that
    /// comes sooner than the smallest RTT (`tcp_rack_advance`).
    ever_retrans: bool,
}

/// Linux's undo state (`tcp_init_undo`, `tcp_enter_loss`, `tcp_enter_recovery`): the
/// window before the cut, and how many retransmissions must still come back as D-SACKs
/// before all of them are known to have been unnecessary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Undo {
    /// SND.UNA when the cut was made (`tp->undo_marker`): D-SACKs below it are older.
    marker: SeqNumber,
    /// `tp->undo_retrans`: retransmissions not yet D-SACKed; −1 while none was sent.
    retrans: i32,
    /// `tp->prior_ssthresh` (`tcp_current_ssthresh` at the cut; 0 after an ECN cut, never
    /// here) and `tp->prior_cwnd`, bytes.
    prior_ssthresh: u32,
    prior_cwnd: u32,
}

/// What `check_dsack` found in an ACK's first SACK block.
#[derive(Clone, Copy, Debug, Default)]
struct DsackSeen {
    /// The segments of a believed D-SACK, 0 for none (FLAG_DSACKING_ACK).
    segs: u32,
    /// A one-segment D-SACK ending at the open loss probe's `tlp_high_seq`
    /// (FLAG_DSACK_TLP): the original and the probe both arrived.
    probe: bool,
}

/// What `tcp_process_loss` reads of an ACK's flags.
#[derive(Clone, Copy, Debug)]
struct LossAck {
    /// FLAG_SND_UNA_ADVANCED.
    una_advanced: bool,
    /// FLAG_ORIG_SACK_ACKED: data never retransmitted, below high_seq, (S)ACKed.
    orig_acked: bool,
    /// FLAG_DATA_SACKED: something newly SACKed.
    data_sacked: bool,
    /// A duplicate ACK (`num_dupack` > 0).
    dupack: bool,
}

/// What `clean_rtx_queue` found an ACK of new data acknowledged.
#[derive(Clone, Copy, Debug, Default)]
struct Acked {
    /// Segments newly delivered (not SACKed before).
    delivered: u32,
    /// Data bytes acknowledged (not the SYN or FIN).
    bytes_acked: u32,
    /// A lone FIN newly acknowledged (counted in `delivered`, and FLAG_DATA_ACKED as data).
    fin_delivered: bool,
    /// A segment never retransmitted and sent before the loss state's high_seq was
    /// acknowledged (Linux FLAG_ORIG_SACK_ACKED from `tcp_clean_rtx_queue`).
    orig_acked: bool,
    /// What `tcp_clean_rtx_queue` hands `tcp_ack_update_rtt` (see `RttSamples`).
    samples: RttSamples,
    /// The lowest segment acknowledged here that was neither retransmitted nor SACKed
    /// (`tcp_clean_rtx_queue`'s `reord`), and the highest SACKed sequence before this ACK
    /// (`prior_fack`): an original that fills a hole below SACKed data is reordering.
    reord: Option<u64>,
    prior_fack: u64,
    /// SND.UNA before this ACK, for `tcp_try_undo_partial`'s reordering check.
    prior_una: u64,
    /// `tx.delivered` of the newest segment newly delivered here (`tcp_rate_skb_delivered`:
    /// the rate sample's `prior_delivered`), with its send time and order.
    newest: Option<(Micros, u64, u64)>,
}

/// The RTT samples one ACK offers (Linux `tcp_clean_rtx_queue` and `tcp_sacktag_one`): from
/// the segments it acknowledges or newly SACKs that were never retransmitted (Karn, RFC 6298
/// §3: a retransmitted one cannot tell which copy the ACK answers).
#[derive(Clone, Copy, Debug, Default)]
struct RttSamples {
    /// `seq_rtt_us`: since the oldest such segment cumulatively acknowledged was sent;
    /// `None` when a retransmitted segment was acknowledged too (FLAG_RETRANS_DATA_ACKED).
    seq: Option<Micros>,
    /// `sack_rtt_us`: since the oldest such segment this ACK newly SACKs was sent.
    sack: Option<Micros>,
    /// `ca_rtt_us`: the same for the newest such segment (SACKed ones count if any).
    ca: Option<Micros>,
    /// FLAG_ACKED: something in the retransmission queue was cumulatively acknowledged (the
    /// timestamp echo is used only then, RFC 7323 §4.1's RTTM rule).
    acked: bool,
    /// FLAG_ACK_MAYBE_DELAYED: a lone runt segment acknowledged with nothing SACKed, likely
    /// a delayed ACK, kept out of the minimum RTT (`tcp_update_rtt_min`).
    maybe_delayed: bool,
}

impl SentSeg {
    /// Its share of `tcp_packets_in_flight` (packets_out − sacked_out − lost_out +
    /// retrans_out).
    fn in_flight(&self) -> bool {
        !self.sacked && (!self.lost || self.retrans)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpStats {
    pub retransmits: u32,
    pub fast_retransmits: u32,
    pub timeouts: u32,
}

fn flags(syn: bool, ack: bool, fin: bool, rst: bool, psh: bool) -> TcpFlags {
    TcpFlags {
        syn,
        ack,
        fin,
        rst,
        psh,
        urg: false,
    }
}

/// Linux `tcp_orphan_retries(sk, alive)`: the retries an orphan (closed by the application,
/// SOCK_DEAD) gets, on the retransmission and the probe timer alike. The sysctl's 0 means 8
/// while the connection is "alive" (its backed-off RTO under tcp_rto_max). (The kernel's third
/// rule, 0 for a dead one after an ICMP error, has no counterpart: the model's TCP takes no
/// ICMP errors.)
fn orphan_retries(p: &crate::profile::Profile, alive: bool) -> u32 {
    match p.orphan_retries {
        0 if alive => 8,
        n => n,
    }
}

impl TcpSocket {
    pub fn new(id: SocketId, local: Addr, ctx: &Ctx) -> TcpSocket {
        let p = ctx.p;
        let mss = p.mss as u32;
        TcpSocket {
            id,
            local,
            remote: None,
            state: TcpState::Closed,
            parent: None,
            in_app: true,
            listen: None,
            our_mss: p.mss,
            rcvbuf_locked: false,
            reuse_addr: false,
            reuse_port: false,
            snd_mss: mss,
            mss_unbounded: mss,
            ts_ok: false,
            sack_ok: false,
            wscale_ok: false,
            snd_wscale: 0,
            rcv_wscale: 0,
            ts_recent: 0,
            ts_recent_stamp: 0,
            ts_offset: 0,
            secret: 0,
            tw_isn: None,
            dev_truesize: 0,
            autocorked: false,
            time_wait_since: None,
            tw_fin_wait2: false,
            tw_rcv_wnd: None,
            tw_ts_recent: None,
            ts_recent_inherited: false,
            iss: SeqNumber(0),
            snd_una: SeqNumber(0),
            snd_nxt: SeqNumber(0),
            snd_max: SeqNumber(0),
            snd_wnd: 0,
            snd_wl1: SeqNumber(0),
            snd_wl2: SeqNumber(0),
            max_snd_wnd: 0,
            sndbuf: SpanQueue::default(),
            skbs: SendSkbs::default(),
            pushed_off: 0,
            send_cap: p.send_buffer,
            sndbuf_locked: false,
            snd_wait: false,
            snd_wait_rcv: SeqNumber(0),
            snd_space_woken: false,
            write_part_done: false,
            mss_clamp: 0,
            fin_queued: false,
            lone_fin: None,
            nodelay: false,
            cork: false,
            nagle_push: false,
            more: false,
            push_once: false,
            nagle_off_once: false,
            user_timeout_us: 0,
            probes_tstamp: None,
            linger_us: None,
            shut_rd: false,
            snd_sml: SeqNumber(0),
            irs: SeqNumber(0),
            rcv_nxt: SeqNumber(0),
            rcvbuf: SpanQueue::default(),
            ooo: VecMap::new(),
            ooo_bytes: 0,
            ooo_fin: None,
            sack_blocks: Vec::new(),
            dsack: None,
            fin_ack_sacks: None,
            rcv_cap: p.recv_buffer,
            rcv_adv_edge: SeqNumber(0),
            rcv_wnd: 0,
            rcv_skb_overhead: p.rcv_skb_overhead,
            rcv_full_packet: p.mss as u32 + 40,
            rcv_skbs: std::collections::VecDeque::new(),
            last_oow_ack: None,
            rcv_head_off: 0,
            fwd_alloc: 0,
            wmem_queued: 0,
            rcv_pred_wnd: None,
            rcvbuf_grown: 0,
            rcvq_space: 0,
            rcvq_seq: 0,
            rcvq_time: 0,
            rcv_rtt_us: 0,
            rcv_rtt_seq: SeqNumber(0),
            rcv_rtt_time: None,
            rcv_rtt_last_tsecr: 0,
            ack_nomem: false,
            ooo_mem: 0,
            rcv_copied: 0,
            scaling_ratio: TCP_DEFAULT_SCALING_RATIO,
            window_clamp: None,
            fin_received: false,
            delack_bytes: 0,
            ack_sched: false,
            ack_quick: 0,
            pingpong: false,
            ato: 0,
            lrcvtime: 0,
            delack_due: 0,
            // `tcp_initialize_rcv_mss`: min(advmss, TCP_MSS_DEFAULT 536) until data is seen.
            rcv_mss: (p.mss as u32).min(536),
            ack_pushed: 0,
            last_seg_size: 0,
            compressed_ack: 0,
            dup_ack_counter: 0,
            compressed_ack_rcv_nxt: None,
            rcv_ssthresh: p.recv_buffer,
            rtt: RttEstimator::new(p),
            retransmits: 0,
            backoff: 0,
            retrans_stamp: None,
            syn_first_sent: None,
            probe_backoff: 0,
            tlp_armed: false,
            tlp_high_seq: None,
            tlp_retrans: false,
            loss_high: None,
            rcv_tstamp: 0,
            frto: false,
            undo: None,
            dsack_dups: 0,
            rto_anchor: 0,
            lsndtime: None,
            last_xmit: None,
            idle_restarted: None,
            sent_log: std::collections::VecDeque::new(),
            rack_advanced: false,
            reord: Reordering::new(p.dupack_threshold),
            dsack_reord: None,
            xmit_count: 0,
            reno_sacked: 0,
            cwnd_limited: false,
            max_packets_out: 0,
            cwnd_usage_seq: SeqNumber(0),
            pacing_rate: None,
            rack: None,
            reo_armed: false,
            min_rtt: None,
            probes_out: 0,
            synack_retries_limit: None,
            rtt_probe: None,
            cc: {
                let mut c = Congestion::new(mss, p.initial_cwnd_segments);
                c.abc_limit = p.slow_start_abc_limit;
                c.initial_ssthresh_segments = p.initial_ssthresh_segments;
                c.beta_1024 = p.loss_beta_1024;
                if p.loss_beta_1024 > 0 {
                    c.cubic = Some(super::congestion::Cubic::new(p.loss_beta_1024, p.hystart));
                }
                c.jiffy_us = p.clock_granularity_us.max(1);
                if c.initial_ssthresh_segments > 0 {
                    c.ssthresh = mss.saturating_mul(c.initial_ssthresh_segments);
                }
                c
            },
            timers: [None; super::TIMER_KINDS.len()],
            timer_levels: [0; super::TIMER_KINDS.len()],
            error: None,
            error_reported: false,
            app_closed: false,
            lingering: false,
            shut_wr: false,
            synack_retransmits: 0,
            overflow_acked: false,
            stats: TcpStats::default(),
            last_window: None,
            last_queues: [(u32::MAX, u32::MAX); 3],
        }
    }

    pub fn set_state(&mut self, to: TcpState, ctx: &mut Ctx) {
        if self.state == to {
            return;
        }
        ctx.emit(EventKind::StateChanged {
            socket: self.id,
            from: self.state,
            to,
        });
        let from = std::mem::replace(&mut self.state, to);
        if to == TcpState::Established {
            // Header prediction starts on after a passive open (`tcp_rcv_state_process`'s
            // `tcp_fast_path_on`) and after an active one without window scaling
            // (`tcp_rcv_synsent_state_process`); with scaling the first slow-path segment
            // turns it on.
            self.rcv_pred_wnd = (from != TcpState::SynSent || self.snd_wscale == 0)
                .then(|| (self.snd_wnd >> self.snd_wscale).min(65_535) as u16);
        }
        if to == TcpState::Established
            && matches!(
                from,
                TcpState::SynSent | TcpState::SynReceived | TcpState::Listen
            )
        {
            // `tcp_init_transfer`, for a connection that got here by a handshake (a SYN
            // cookie's child comes from LISTEN: `tcp_get_cookie_sock` → `syn_recv_sock`).
            // The delayed-ACK engine counts its first gap from here: `tcp_finish_connect`
            // (active open) and `tcp_create_openreq_child` (the child a final ACK or a SYN
            // cookie makes) set `icsk_ack.lrcvtime = tcp_jiffies32`. A simultaneous open
            // (SYN-RECEIVED with no listener) sets it nowhere and keeps the socket's 0.
            // It matters once out-of-order data has started the ATO (the SACK that spends
            // `tcp_grow_window`'s quick ACK, `tcp_dec_quickack_mode`): the hole's filling
            // data then restarts quick-ACK mode only if it comes more than an RTO after
            // this (`tcp_event_data_recv`), not an RTO after the socket was made.
            if from != TcpState::SynReceived || self.parent.is_some() {
                self.lrcvtime = ctx.now;
            }
            self.initialize_rcv_mss();
            self.init_metrics(ctx);
            self.init_buffer_space(ctx.now, ctx.p);
            // The first pacing rate. SYN-RECEIVED: `tcp_rcv_state_process` sets it after
            // `tcp_init_transfer`, from the route's initcwnd. SYN-SENT: the SYN-ACK's
            // `tcp_ack` sets it (`tcp_cong_control` → `tcp_update_pacing_rate`) before
            // `tcp_finish_connect` → `tcp_init_transfer` sets cwnd, so from the
            // TCP_INIT_CWND `tcp_init_sock` gave. Measured on 6.18 (psh-writes, initcwnd
            // 1000, 40 ms RTT): the first 5000-byte write leaves in GSO chunks of two (PSH on
            // the 2nd segment), as cwnd 10's rate gives, not at once as 1000's would.
            if from == TcpState::SynSent {
                self.pacing_rate = self.pacing_rate_at(TCP_INIT_CWND * self.snd_mss.max(1));
            } else {
                self.update_pacing_rate();
            }
        }
        if to == TcpState::Closed {
            for k in super::TIMER_KINDS {
                self.cancel_timer(k, ctx);
            }
        }
    }

    /// Linux `tcp_init_metrics`, as the handshake ends (`tcp_init_transfer`, after the
    /// handshake's RTT sample): a smoothed RTT the host cached for the peer, when larger
    /// than that sample (or with none), gives the first RTO ([`crate::tcp::metrics`]);
    /// without either the RTO starts at 3 s ([`crate::tcp::rtt::RttEstimator::no_handshake_sample`]).
    fn init_metrics(&mut self, ctx: &mut Ctx) {
        let crtt = self
            .remote
            .map_or(0, |r| ctx.metrics.rtt_x8(self.local.host, r.host));
        let jiffy = super::wheel::jiffy_unit(ctx.p);
        match super::metrics::seeded_rto(crtt, self.rtt.srtt_x8_any(), jiffy, ctx.p.rto_min()) {
            Some(rto) => self.rtt.seed_rto(rto, ctx.p),
            // A SYN-ACK still timed (`rtt_probe`) is sampled by this ACK's `tcp_ack`.
            None if self.rtt_probe.is_none() => self.rtt.no_handshake_sample(ctx.p),
            None => {}
        }
    }

    /// Linux `tcp_update_metrics`, for a connection that ends well: `tcp_time_wait` (into
    /// TIME-WAIT, or an orphan's FIN-WAIT-2 handed to a timewait socket) and the ACK of the
    /// FIN in LAST-ACK. Not on a reset or a timeout (`tcp_done` alone). A connection whose
    /// RTO was backing off (`icsk_backoff`, here the probes' count, which every RTO raises
    /// too) clears the peer's cached RTT.
    pub(super) fn save_metrics(&mut self, ctx: &mut Ctx) {
        let Some(peer) = self.remote else {
            return;
        };
        if ctx.p.no_metrics_save {
            return;
        }
        let srtt_x8 = self.rtt.srtt_x8_any();
        let backed_off = self.probe_backoff > 0;
        ctx.metrics
            .update(self.local.host, peer.host, srtt_x8, backed_off);
    }

    /// Retransmission timeouts since the last progress (Linux `icsk_retransmits`; for a
    /// request, `req->num_timeout`: a request is "young" while it is 0).
    pub fn timeouts(&self) -> u32 {
        self.retransmits
    }

    pub fn timer(&self, k: TimerKind) -> Option<Micros> {
        self.timers[timer_index(k)]
    }

    /// Linux `tcp_sync_mss` → `tcp_bound_to_half_wnd`, run when the peer's largest window
    /// grows (`tcp_ack_update_window`) and when the connection is set up: against a peer whose
    /// window never exceeded two segments, segments are cut to half that window (the whole
    /// window at or below TCP_MSS_DEFAULT 536), at least 68 bytes less the TCP header. "There
    /// is no use in packetizing to sub-MSS pieces for the sake of SWS" otherwise, and fast
    /// recovery needs more than one packet in the pipe. cwnd counts packets in Linux, so it
    /// keeps its packet count across the change.
    fn sync_mss(&mut self) {
        let w = self.max_snd_wnd;
        let cutoff = if w > 536 { w >> 1 } else { w };
        let header = 20 + if self.ts_ok { 12 } else { 0 };
        let mss = if cutoff > 0 && self.mss_unbounded > cutoff {
            cutoff.max(68 - header)
        } else {
            self.mss_unbounded
        };
        if mss != self.snd_mss {
            self.cc.rescale_mss(mss);
            self.snd_mss = mss;
        }
    }

    /// Stream offset of a send sequence number (data starts at ISS+1).
    fn soff(&self, s: SeqNumber) -> u64 {
        s.0.wrapping_sub(self.iss.0.wrapping_add(1)) as u64
    }

    fn sseq(&self, off: u64) -> SeqNumber {
        self.iss + 1 + off as u32
    }

    /// Stream offset of a receive sequence number.
    fn roff(&self, s: SeqNumber) -> u64 {
        s.0.wrapping_sub(self.irs.0.wrapping_add(1)) as u64
    }

    fn fin_seq(&self) -> SeqNumber {
        self.sseq(self.sndbuf.tail)
    }

    /// Something waits to be sent beyond SND.NXT, data or a FIN: Linux's
    /// `!tcp_write_queue_empty(sk)` (unsent skbs; the sent ones are on the rtx queue).
    fn unsent_waiting(&self) -> bool {
        self.sndbuf.tail > self.soff(self.snd_nxt)
            || (self.fin_queued && self.snd_nxt.le(self.fin_seq()))
    }

    /// The FIN was sent and the peer has not SACKed it: it is in flight, and a data
    /// retransmission that ends the stream carries it again.
    fn fin_unsacked_out(&self) -> bool {
        self.fin_queued
            && self.snd_max.gt(self.fin_seq())
            && !self.lone_fin.is_some_and(|f| f.sacked)
    }

    /// Linux SOCK_DEAD: closed by the application and no close() waiting on it any more
    /// (with SO_LINGER `__tcp_close` calls `sock_orphan` after `sk_stream_wait_close`).
    pub fn orphaned(&self) -> bool {
        self.app_closed && !self.lingering
    }

    pub fn fin_acked(&self) -> bool {
        self.fin_queued && self.snd_una.gt(self.fin_seq())
    }

    pub fn window_state(&self, p: &crate::profile::Profile) -> WindowState {
        WindowState {
            snd_una: self.snd_una.0,
            snd_nxt: self.snd_nxt.0,
            snd_wnd: self.snd_wnd,
            rcv_nxt: self.rcv_nxt.0,
            rcv_wnd: self.advertised_window_now(),
            cwnd: self.cc.cwnd,
            ssthresh: self.cc.ssthresh,
            in_flight: self.snd_max.diff(self.snd_una).max(0) as u32,
            srtt_us: self.rtt.srtt.unwrap_or(0),
            rto_us: self.rtt.rto_backed_off(
                if self.state == TcpState::SynSent {
                    self.backoff.saturating_sub(p.syn_linear_timeouts)
                } else {
                    self.backoff
                },
                p,
            ),
        }
    }

    /// Emits `WindowChanged` / `QueueChanged` for whatever changed since the last report.
    pub fn report(&mut self, ctx: &mut Ctx) {
        if self.listen.is_some() || self.state == TcpState::Closed && self.last_window.is_none() {
            return;
        }
        let w = self.window_state(ctx.p);
        if self.last_window != Some(w) {
            self.last_window = Some(w);
            ctx.emit(EventKind::WindowChanged {
                socket: self.id,
                window: w,
            });
        }
        let q = [
            self.sndbuf.len() as u32,
            self.rcvbuf.len() as u32,
            self.ooo_bytes,
        ];
        let kinds = [
            (QueueKind::SendBuffer, self.send_cap),
            (QueueKind::RecvBuffer, self.rcv_cap),
            (QueueKind::OutOfOrder, self.rcv_cap),
        ];
        // A buffer the kernel resizes (`tcp_sndbuf_expand` as the handshake ends,
        // `tcp_rcvbuf_grow`) is reported when its size changes too, whether or not its
        // length does: a server's connection that never writes still shows the send buffer
        // the handshake gave it.
        for i in 0..3 {
            let now = (q[i], kinds[i].1);
            if now != self.last_queues[i] {
                self.last_queues[i] = now;
                ctx.emit(EventKind::QueueChanged {
                    socket: self.id,
                    queue: kinds[i].0,
                    len: q[i],
                    cap: kinds[i].1,
                });
            }
        }
    }

    /// The pending error, reported once (Linux `sock_error` clears `sk_err`); afterwards
    /// send() fails with EPIPE and recv() reads 0, as on a shut-down socket (measured on
    /// 6.18 after an RST: recv ECONNRESET, then send EPIPE).
    pub fn take_error(&mut self) -> Option<&'static str> {
        let e = self.error.take()?;
        self.error_reported = true;
        Some(e)
    }

    /// The connection failed: report `errno` to the application and close.
    pub fn fail(&mut self, errno: &'static str, ctx: &mut Ctx) {
        self.error = Some(errno);
        ctx.emit(EventKind::SocketError {
            socket: self.id,
            errno: errno.to_string(),
        });
        self.set_state(TcpState::Closed, ctx);
    }

    /// The state the owner's own socket is in, as its calls see it: Linux moves a
    /// connection that reaches TIME-WAIT to a timewait socket (`tcp_time_wait` →
    /// `tcp_done`), leaving the owner's socket in CLOSE (`linux_errno`, the Linux profile).
    /// Measured on 6.18: shutdown() there fails with ENOTCONN; TCP_INFO reports CLOSED.
    pub fn owner_state(&self, p: &crate::profile::Profile) -> TcpState {
        match self.state {
            TcpState::TimeWait if p.linux_errno => TcpState::Closed,
            s => s,
        }
    }

    /// Linux `tp->packets_out`: the skbs sent and not yet acknowledged, each counted in
    /// segments (`tcp_skb_pcount`: one for an skb of at most an MSS, a SYN or a FIN of its
    /// own), not the bytes out over the MSS: two 5-byte segments are two packets, and so
    /// are 100 bytes and the FIN sent after them (`tcp_send_fin` gives a FIN an skb of its
    /// own when nothing is left unsent). SACKed and lost skbs stay in it until acknowledged.
    pub(super) fn packets_out(&self) -> u32 {
        let mss = self.snd_mss.max(1);
        let syn = self.snd_una == self.iss && self.snd_max.gt(self.iss);
        self.sent_log
            .iter()
            .map(|e| ((e.end - e.start) as u32).div_ceil(mss).max(1))
            .sum::<u32>()
            + u32::from(self.lone_fin.is_some() && !self.fin_acked())
            + u32::from(syn)
    }

    /// getsockopt(TCP_INFO) (`tcp_get_info`): the owner's socket's state (`owner_state`);
    /// windows in segments of `snd_mss` bytes; the
    /// RTO as it stands, backed off (`icsk_rto` doubles on each timeout). `tcpi_unacked` is
    /// `packets_out` ([`TcpSocket::packets_out`]), which a connection that ended with data
    /// in flight no longer has: an RST (`tcp_reset` → `tcp_done_with_error`), a timeout
    /// (`tcp_write_err`) and an abort (`tcp_disconnect`) all purge the write queue
    /// (`tcp_write_queue_purge`: packets_out 0).
    pub fn info(&self, p: &crate::profile::Profile) -> crate::trace::TcpInfo {
        let mss = self.snd_mss.max(1);
        let unacked = if self.state == TcpState::Closed {
            0
        } else {
            self.packets_out()
        };
        crate::trace::TcpInfo {
            state: self.owner_state(p),
            rto_us: self.rtt.rto_backed_off(self.backoff, p),
            rtt_us: self.rtt.srtt.unwrap_or(0),
            cwnd: self.cc.cwnd / mss,
            // `tcp_get_info` reports TCP_INFINITE_SSTHRESH (0x7fffffff) as is; so does this.
            ssthresh: if self.cc.ssthresh >= 0x7fff_ffff {
                0x7fff_ffff
            } else {
                self.cc.ssthresh / mss
            },
            snd_mss: self.snd_mss,
            unacked,
            retransmits: self.retransmits,
            total_retrans: self.stats.retransmits,
        }
    }
}

#[cfg(test)]
mod tests;

/// `tcp_select_initial_window`'s last step: the route's `initrwnd` caps the window at that
/// many segments of the MSS the window was rounded to (`Profile::initial_rwnd_segments`).
fn init_rwnd_cap(w: u32, mss: u32, p: &crate::profile::Profile) -> u32 {
    if p.initial_rwnd_segments == 0 {
        return w;
    }
    w.min(p.initial_rwnd_segments.saturating_mul(mss))
}
