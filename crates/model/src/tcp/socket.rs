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

/// IPv4 header without options.
pub const IP_HEADER: u32 = 20;

/// Linux `sk_gso_max_size` on a device with the default GSO limit: 65,536 (GSO_LEGACY_MAX_SIZE)
/// less room for the headers (`MAX_TCP_HEADER` + 1, 321 on x86-64): the largest skb a write
/// builds and a GSO chunk sends.
const GSO_MAX_SIZE: u64 = 65_536 - 321;

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
/// from the small-head cache, 320 + 320 bytes, and the sk_buff: SKB_TRUESIZE(320)). The
/// bytes written go into page fragments and count one for one.
const SND_SKB_HEAD: u64 = 320 + SKB_SHARED_INFO as u64 + SK_BUFF as u64;

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
    ts_ok: bool,
    sack_ok: bool,
    snd_wscale: u8,
    rcv_wscale: u8,
    ts_recent: u32,
    ts_offset: u32,
    /// The host's secret key for its ISNs and timestamp offsets (Linux `net_secret` and
    /// `ts_secret`, drawn once per boot): set by the driver from the scenario's seed, one per
    /// host, so runs stay deterministic.
    pub secret: u64,
    /// The ISN a SYN that reopened a connection in TIME-WAIT brought with it to the
    /// listener, for the child it makes (Linux `tcp_tw_isn`, read by `tcp_conn_request`).
    pub tw_isn: Option<u32>,
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
    /// A send() stopped for memory and waits for `sk_stream_write_space`'s wake-up.
    snd_wait: bool,
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
    /// The send() being handled carries MSG_MORE: `tcp_sendmsg` pushes with
    /// `TCP_NAGLE_CORK` for that call only; later pushes (an ACK arriving) use the socket's
    /// own setting.
    more: bool,
    /// The next `output` sends a partial segment whatever Nagle or the cork say (Linux
    /// `tcp_write_wakeup`, which the probe timer calls when the window is open).
    push_once: bool,
    /// One `output` with Nagle off (`TCP_NAGLE_OFF`: F-RTO's new data, `tcp_xmit_recovery`).
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
    /// Linux `sk_forward_alloc` as the receive side uses it: memory charged to the socket
    /// in whole pages (`__sk_mem_schedule`) and not yet taken by a queued skb; a freed skb
    /// gives its memory back and whole pages are returned (`sk_mem_reclaim`).
    rcv_fwd_alloc: i64,
    /// Linux header prediction (`tp->pred_flags`): the peer's window field a segment must
    /// carry to take `tcp_rcv_established`'s fast path, None while prediction is off. An
    /// in-order segment that is predicted and whose skb fits in `rcv_fwd_alloc` is queued
    /// there without looking at the buffer (so the queue can grow past it); any other goes
    /// through `tcp_data_queue`, which makes room first. See [`TcpSocket::fast_path_check`].
    rcv_pred_wnd: Option<u16>,
    /// `sk_rcvbuf` as `tcp_clamp_window` grew it (0: not grown), for a buffer SO_RCVBUF did
    /// not set.
    rcvbuf_grown: u64,
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
    /// Small ("pushed") segments received since the last ACK, 0..=2 (Linux
    /// `ICSK_ACK_PUSHED`, `ICSK_ACK_PUSHED2`).
    ack_pushed: u8,
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
    /// A loss probe is out until this is acknowledged (Linux `tp->tlp_high_seq`).
    tlp_high_seq: Option<SeqNumber>,
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
    pub timers: [Option<Micros>; 6],

    // What the application sees.
    pub error: Option<&'static str>,
    /// The error was reported to the application once (then cleared).
    pub error_reported: bool,
    /// close() was called: the socket is orphaned (no more reads).
    pub app_closed: bool,
    pub shut_wr: bool,
    /// SYN-ACK retransmissions so far (a request is "young" while this is 0).
    pub synack_retransmits: u32,
    /// Linux `inet_rsk(req)->acked`: the final ACK came but was ignored (accept queue full).
    pub overflow_acked: bool,
    /// Segments received, sent, retransmitted (for tests and the lab comparison).
    pub stats: TcpStats,

    last_window: Option<WindowState>,
    last_queues: [u32; 3],
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
            listen: None,
            our_mss: p.mss,
            rcvbuf_locked: false,
            reuse_addr: false,
            reuse_port: false,
            snd_mss: mss,
            mss_unbounded: mss,
            ts_ok: false,
            sack_ok: false,
            snd_wscale: 0,
            rcv_wscale: 0,
            ts_recent: 0,
            ts_offset: 0,
            secret: 0,
            tw_isn: None,
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
            fin_queued: false,
            lone_fin: None,
            nodelay: false,
            cork: false,
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
            rcv_cap: p.recv_buffer,
            rcv_adv_edge: SeqNumber(0),
            rcv_wnd: 0,
            rcv_skb_overhead: p.rcv_skb_overhead,
            rcv_full_packet: p.mss as u32 + 40,
            rcv_skbs: std::collections::VecDeque::new(),
            last_oow_ack: None,
            rcv_head_off: 0,
            rcv_fwd_alloc: 0,
            rcv_pred_wnd: None,
            rcvbuf_grown: 0,
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
            rcv_ssthresh: p.recv_buffer,
            rtt: RttEstimator::new(p),
            retransmits: 0,
            backoff: 0,
            retrans_stamp: None,
            probe_backoff: 0,
            tlp_armed: false,
            tlp_high_seq: None,
            loss_high: None,
            rcv_tstamp: 0,
            frto: false,
            undo: None,
            dsack_dups: 0,
            rto_anchor: 0,
            lsndtime: None,
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
            timers: [None; 6],
            error: None,
            error_reported: false,
            app_closed: false,
            shut_wr: false,
            synack_retransmits: 0,
            overflow_acked: false,
            stats: TcpStats::default(),
            last_window: None,
            last_queues: [u32::MAX; 3],
        }
    }

    // ---------------------------------------------------------------- bookkeeping

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
            self.initialize_rcv_mss();
            self.init_buffer_space();
        }
        if to == TcpState::Closed {
            for k in super::TIMER_KINDS {
                self.cancel_timer(k, ctx);
            }
        }
    }

    /// Linux `tcp_initialize_rcv_mss` (from `tcp_init_transfer`, as the handshake ends):
    /// the first guess at the peer's segment size is the smallest of our advertised MSS
    /// (less the timestamp option), our send MSS, half the window offered and
    /// TCP_MSS_DEFAULT 536, at least TCP_MIN_MSS 88. A peer sending segments of exactly
    /// that size never updates it (nor the window's share of memory: `tcp_measure_rcv_mss`
    /// acts only on a larger segment). Measured on 6.18 with TCP_MAXSEG 536 on both ends
    /// (timestamps: 524-byte segments): the window backs off in steps of 524, not 536.
    fn initialize_rcv_mss(&mut self) {
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
    fn init_buffer_space(&mut self) {
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
    }

    /// Retransmission timeouts since the last progress (Linux `icsk_retransmits`; for a
    /// request, `req->num_timeout`: a request is "young" while it is 0).
    pub fn timeouts(&self) -> u32 {
        self.retransmits
    }

    pub fn timer(&self, k: TimerKind) -> Option<Micros> {
        self.timers[timer_index(k)]
    }

    /// Arms timer `k` to expire `delay` from now, as the kernel's `sk_reset_timer` does: a
    /// `timer_list` on the wheel fires after [`super::wheel::fires_after`], never early and,
    /// for a far timer, on a coarse bucket boundary. `delay` is already in whole jiffies
    /// where the kernel keeps it so ([`super::wheel::in_jiffies`]). The trace carries both:
    /// the timeout the kernel computed (icsk_rto, TCP_TIMEWAIT_LEN, ato, ...) and the firing
    /// time the wheel gives it, which is what the timer does.
    fn arm_timer(&mut self, k: TimerKind, delay: Micros, ctx: &mut Ctx) {
        let at = ctx.now + super::wheel::fires_after(delay, ctx.p);
        let slot = &mut self.timers[timer_index(k)];
        if *slot == Some(at) {
            return;
        }
        *slot = Some(at);
        ctx.emit(EventKind::TimerSet {
            socket: self.id,
            timer: k,
            expires_us: at,
            timeout_us: Some(delay),
        });
        ctx.timers.push((self.id, k, at));
    }

    fn cancel_timer(&mut self, k: TimerKind, ctx: &mut Ctx) {
        let slot = &mut self.timers[timer_index(k)];
        if slot.take().is_some() {
            ctx.emit(EventKind::TimerCancelled {
                socket: self.id,
                timer: k,
            });
        }
    }

    fn rtt_sample(&mut self, r: Micros, p: &crate::profile::Profile) {
        self.rtt.sample(r, self.snd_una, self.snd_nxt, p);
        self.min_rtt = Some(self.min_rtt.map_or(r, |m| m.min(r)));
        self.end_backoff();
    }

    /// A valid RTT sample gave a fresh RTO, so the backoff ends (RFC 6298 §5.7, Karn's rule;
    /// Linux `tcp_ack_update_rtt` → `tcp_set_rto`, then `icsk_backoff = 0`: "RFC6298: only
    /// reset backoff on valid RTT measurement"). The only place the RTO's doubling ends after
    /// the handshake; the probes' share of it also ends when the window opens.
    fn end_backoff(&mut self) {
        self.backoff = 0;
        self.probe_backoff = 0;
    }

    /// `inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk_rto, …)`: the backed-off RTO
    /// (whole jiffies) on the timer wheel; for a SYN or SYN-ACK too (`tcp_connect`,
    /// `reqsk_queue_hash_req` and `reqsk_timer_handler` arm timer_lists).
    fn arm_rto(&mut self, ctx: &mut Ctx) {
        let rto = self.rtt.rto_backed_off(self.rto_shift(ctx), ctx.p);
        self.tlp_armed = false;
        self.reo_armed = false;
        self.rto_anchor = ctx.now;
        self.arm_timer(TimerKind::Retransmit, rto, ctx);
    }

    /// Linux `tcp_rearm_rto` after a reordering timeout (`tcp_rack_reo_timeout`): the RTO
    /// falls one RTO after the head of the retransmission queue was last sent
    /// (`tcp_rto_delta_us`: its skb timestamp + icsk_rto − now, in jiffies rounded up), not
    /// one RTO from now. Measured on 6.18 (rto-min-100-rto-keeps-sacked, 140 ms RTO): the
    /// head retransmitted at 191.5 ms, the reordering timer past, the RTO at 336.2 ms.
    fn arm_rto_from_head(&mut self, ctx: &mut Ctx) {
        let Some(head_sent) = self.sent_log.front().map(|e| e.sent) else {
            return self.arm_rto(ctx);
        };
        let rto = self.rtt.rto_backed_off(self.rto_shift(ctx), ctx.p);
        let remaining = (head_sent + rto).saturating_sub(ctx.now).max(1);
        self.tlp_armed = false;
        self.reo_armed = false;
        self.rto_anchor = head_sent;
        let delay = super::wheel::in_jiffies(remaining, ctx.p);
        self.arm_timer(TimerKind::Retransmit, delay, ctx);
    }

    /// Linux `tcp_schedule_loss_probe` (RFC 8985 §7.2): with SACK, in the open state and no
    /// probe out, arm the retransmit timer as a tail loss probe after PTO = 2·SRTT, plus
    /// TCP_RTO_MIN when one segment is out (room for the peer's delayed ACK) or two ticks
    /// otherwise (1 s before any RTT sample), never later than the RTO would fire. Measured
    /// on 6.18: one 10-byte segment into a black hole on a sub-millisecond path was probed
    /// at +0.207 s, the RTO retransmission followed at +0.414 s.
    fn schedule_loss_probe(&mut self, ctx: &mut Ctx) -> bool {
        use TcpState::*;
        let p = ctx.p;
        let flight = self.snd_max.diff(self.snd_una).max(0) as u32;
        if !p.tail_loss_probe
            || !self.sack_ok
            || !matches!(
                self.state,
                Established | CloseWait | FinWait1 | Closing | LastAck
            )
            || flight == 0
            || self.recovering()
            || self.cc.dupacks > 0
            || self.sent_log.iter().any(|e| e.sacked || e.lost)
            || self.retransmits > 0
            || self.tlp_high_seq.is_some()
        {
            return false;
        }
        // `tp->packets_out`: the skbs sent and not yet acknowledged, each counted in
        // segments (`tcp_skb_pcount`), not the bytes out over the MSS: two 5-byte segments
        // are two packets. Measured on 6.18 (`rto-collapse`): after two 5-byte segments the
        // probe left 2·SRTT + 2 jiffies later (+90 ms), not 2·SRTT + TCP_RTO_MIN.
        let mss = self.snd_mss.max(1);
        let packets_out = self
            .sent_log
            .iter()
            .map(|e| ((e.end - e.start) as u32).div_ceil(mss).max(1))
            .sum::<u32>()
            + u32::from(self.lone_fin.is_some() && !self.fin_acked());
        // In jiffies, as the kernel counts it: usecs_to_jiffies(srtt_us >> 2) plus
        // tcp_rto_min (50 jiffies) or TCP_TIMEOUT_MIN (2 jiffies), and the RTO's remaining
        // time rounded up (`usecs_to_jiffies(rto_delta_us)`); then a timer_list.
        let mut pto = match self.rtt.srtt {
            Some(srtt) => {
                super::wheel::in_jiffies(2 * srtt, p)
                    + if packets_out == 1 {
                        p.rto_min_us
                    } else {
                        2 * p.clock_granularity_us
                    }
            }
            None => p.rto_initial_us,
        };
        let rto_at = self.rto_anchor + self.rtt.rto_backed_off(self.backoff, p);
        if rto_at > ctx.now {
            pto = pto.min(super::wheel::in_jiffies(rto_at - ctx.now, p));
        }
        self.arm_timer(TimerKind::Retransmit, pto, ctx);
        self.tlp_armed = true;
        true
    }

    /// Linux `tcp_send_loss_probe`: one new segment if the peer's window allows it (cwnd
    /// or not), else the last segment sent again; then the RTO is re-armed.
    fn send_loss_probe(&mut self, ctx: &mut Ctx) {
        let nxt_off = self.soff(self.snd_nxt);
        let avail = self.sndbuf.tail.saturating_sub(nxt_off) as u32;
        let wnd_room = (self.snd_una + self.snd_wnd).diff(self.snd_nxt).max(0) as u32;
        // `tcp_snd_wnd_test`: new data only if the head skb's first segment fits the window
        // whole; a window that only lets part of it through gets the last segment again.
        // Measured on 6.18 (`zero-window-after-rto+delay=100`): 48 bytes of window, 1,460
        // waiting, the probe resent the last 1,460-byte segment.
        let head_seg = match self.skbs.at(nxt_off).filter(|_| ctx.p.min_tso_segs > 0) {
            Some(skb) => (skb.end - nxt_off).min(u32::MAX as u64) as u32,
            None => avail,
        }
        .min(avail)
        .min(self.snd_mss);
        let new_len = if head_seg <= wnd_room { head_seg } else { 0 };
        if self.snd_nxt == self.snd_max && new_len > 0 {
            let fin = self.fin_queued && new_len == avail;
            let psh = self.psh_alone(self.snd_nxt, new_len, ctx);
            self.send_data_at(self.snd_nxt, new_len, fin, 0, psh, ctx);
            self.snd_nxt += new_len + fin as u32;
            self.snd_max = self.snd_nxt;
        } else if self.lone_fin.is_some_and(|f| !f.sacked) && self.fin_unsacked_out() {
            // The last skb is the FIN's own (`tcp_send_loss_probe` resends `skb_rb_last`):
            // the FIN alone, as measured on 6.18 (`fin-lost-behind-*-segment`).
            self.rtt_probe = None;
            self.send_data_at(self.fin_seq(), 0, true, 1, false, ctx);
        } else {
            let fin_sent = self.fin_queued && self.snd_max.gt(self.fin_seq());
            let data_end = if fin_sent {
                self.fin_seq()
            } else {
                self.snd_max
            };
            let mut len = (data_end.diff(self.snd_una).max(0) as u32).min(self.snd_mss);
            // The probe is the last segment as it was sent: the tail of the last skb cut at
            // an MSS boundary counted from the skb's start (`tcp_fragment(..., (pcount - 1)
            // * mss, ...)`), not the last MSS of the stream, which would straddle two
            // segments. The cut splits the queue's entry, so the queue never overlaps.
            let end_off = self.soff(data_end);
            let mss = self.snd_mss.max(1) as u64;
            if let Some(i) = self
                .sent_log
                .iter()
                .rposition(|e| e.start < end_off && e.end >= end_off)
            {
                let e = self.sent_log[i];
                let from = e.start + (end_off - e.start - 1) / mss * mss;
                len = (end_off - from) as u32;
                if from > e.start {
                    self.sent_log[i].end = from;
                    let mut tail = e;
                    tail.start = from;
                    self.sent_log.insert(i + 1, tail);
                }
            }
            if len == 0 && !fin_sent {
                return self.arm_rto(ctx);
            }
            let psh = self.psh_alone(data_end - len, len, ctx);
            // Karn (RFC 6298 §3): the ACK that follows cannot tell the copies apart, so the
            // segment being timed yields no sample (Linux times it from the timestamp echo,
            // which gives the probe's RTT; measured on 6.18: SRTT unchanged at 40.7 ms).
            self.rtt_probe = None;
            self.send_data_at(data_end - len, len, fin_sent, 1, psh, ctx);
        }
        self.tlp_high_seq = Some(self.snd_nxt);
        self.arm_rto(ctx);
    }

    /// How many times the RTO has doubled. A SYN's first `tcp_syn_linear_timeouts`
    /// timeouts keep the initial RTO (`tcp_retransmit_timer`: it doubles only when
    /// `icsk_backoff > sysctl_tcp_syn_linear_timeouts` in SYN-SENT).
    fn rto_shift(&self, ctx: &Ctx) -> u32 {
        if self.state == TcpState::SynSent {
            self.backoff.saturating_sub(ctx.p.syn_linear_timeouts)
        } else {
            self.backoff
        }
    }

    /// Linux `retransmits_timed_out`: has the retry budget `boundary` (a count turned into
    /// time by `tcp_model_timeout`, with `rto_base`) run out since `retrans_stamp`?
    fn retry_budget_spent(&self, boundary: u32, rto_base: Micros, ctx: &Ctx) -> bool {
        match self.retrans_stamp {
            Some(start) if self.retransmits > 1 => {
                ctx.now.saturating_sub(start)
                    >= super::rtt::model_timeout(boundary, rto_base, ctx.p.rto_max_us)
            }
            _ => false,
        }
    }

    /// A cumulative ACK moves SND.UNA to `ack` (RFC 9293 §3.10.7.4): the timed segment gives
    /// its RTT sample (RFC 6298 §3), SND.NXT never stays behind SND.UNA, and a tail loss
    /// probe's episode ends once it is acknowledged (`tcp_process_tlp_ack`). Returns how far
    /// into the send buffer the data is now acknowledged.
    fn advance_una(&mut self, ack: SeqNumber, now: Micros, p: &crate::profile::Profile) -> u64 {
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
        if self.tlp_high_seq.is_some_and(|h| ack.ge(h)) {
            self.tlp_high_seq = None;
        }
        self.soff(ack).min(self.sndbuf.tail)
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

    /// The FIN was sent and the peer has not SACKed it: it is in flight, and a data
    /// retransmission that ends the stream carries it again.
    fn fin_unsacked_out(&self) -> bool {
        self.fin_queued
            && self.snd_max.gt(self.fin_seq())
            && !self.lone_fin.is_some_and(|f| f.sacked)
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
            rcv_wnd: self.rcv_adv_edge.diff(self.rcv_nxt).max(0) as u32,
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
        for i in 0..3 {
            if q[i] != self.last_queues[i] {
                self.last_queues[i] = q[i];
                ctx.emit(EventKind::QueueChanged {
                    socket: self.id,
                    queue: kinds[i].0,
                    len: q[i],
                    cap: kinds[i].1,
                });
            }
        }
    }

    // ---------------------------------------------------------------- segments out

    /// Free receive space measured from rcv_nxt. Out-of-order data lies inside this window
    /// (it occupies sequence space the window already covers), so it is not subtracted.
    fn our_window(&self) -> u32 {
        if self.truesize_accounting() {
            return self.tcp_space();
        }
        self.rcv_cap.saturating_sub(self.rcvbuf.len() as u32)
    }

    /// Whether receive memory is counted as Linux does, in skb truesize against a buffer
    /// twice the space (the profile knows the machine's skb overhead).
    fn truesize_accounting(&self) -> bool {
        self.rcv_skb_overhead > 0
    }

    /// Linux `sk_rcvbuf`: the receive space at the default 50 % ratio is half of it
    /// (`tcp_full_space` of tcp_rmem[1], or SO_RCVBUF doubled by the kernel), unless
    /// `tcp_clamp_window` has grown it since.
    fn rcvbuf_bytes(&self) -> u64 {
        let set = (self.rcv_cap as u64) * 256 / TCP_DEFAULT_SCALING_RATIO as u64;
        set.max(self.rcvbuf_grown)
    }

    /// The memory of a linear skb whose head holds `data` bytes (`__alloc_skb` →
    /// `kmalloc_reserve`): the data cache-aligned plus skb_shared_info, from the small-head
    /// cache or else a power-of-two slab, plus the sk_buff (`SKB_TRUESIZE`).
    fn linear_skb(data: u32) -> (u32, u32) {
        let head = data.div_ceil(64) * 64 + SKB_SHARED_INFO;
        let head = if head <= SMALL_HEAD {
            SMALL_HEAD
        } else {
            head.next_power_of_two()
        };
        (head, head + SK_BUFF)
    }

    /// Linux `tcp_win_from_space`: the window a number of bytes of receive memory offers.
    fn win_from_space(&self, space: u64) -> u32 {
        ((space * self.scaling_ratio as u64) >> 8).min(u32::MAX as u64) as u32
    }

    /// Linux `sk_rmem_alloc`: the truesize of every queued segment, in order or not.
    fn rmem(&self) -> u64 {
        self.rcv_skbs.iter().map(|&(_, t, _)| t as u64).sum::<u64>() + self.ooo_mem
    }

    /// Linux `tcp_space`: the window the free receive memory offers.
    fn tcp_space(&self) -> u32 {
        self.win_from_space(self.rcvbuf_bytes().saturating_sub(self.rmem()))
    }

    /// Linux `tcp_full_space`: the window the whole receive buffer offers.
    fn tcp_full_space(&self) -> u32 {
        self.win_from_space(self.rcvbuf_bytes())
    }

    fn window_clamp(&self) -> u32 {
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
    fn truesize(&self, len: u32) -> u32 {
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
    fn tailroom(&self, len: u32) -> u32 {
        let packet = len + 40 + if self.ts_ok { 12 } else { 0 };
        let (head, _) = Self::linear_skb(SKB_PAD + packet);
        head - SKB_SHARED_INFO - SKB_PAD - packet
    }

    /// Linux `tcp_can_ingest`: the queues' memory is within the buffer. 6.18 compares
    /// `sk_rmem_alloc` alone with it ("tcp: give up on stronger sk_rcvbuf checks" undid the
    /// variants that added the arriving skb): measured on 6.18 (zero-window with TCP_MAXSEG
    /// 536), a 524-byte segment arriving at 15360 bytes of a 16384-byte buffer is queued
    /// without a prune, where adding its truesize (1280) would have collapsed the queue.
    fn can_ingest(&self) -> bool {
        self.rmem() <= self.rcvbuf_bytes()
    }

    /// Linux `tcp_try_rmem_schedule`, for an skb of `truesize` bytes about to be queued (in
    /// order or out of order) by the slow path: with the queues over the buffer,
    /// `tcp_prune_queue` makes room first; then the memory is charged in whole pages
    /// (`sk_rmem_schedule`, which the model never refuses: it has no global tcp_mem
    /// pressure). False: no room could be made.
    fn try_rmem_schedule(&mut self, truesize: u32) -> bool {
        if !self.can_ingest() && !self.prune_queue() {
            return false;
        }
        self.rmem_schedule(truesize);
        true
    }

    /// `__sk_mem_schedule` (`sk_rmem_schedule`, `sk_forced_mem_schedule`): whatever
    /// `truesize` needs beyond the memory already forward-allocated is charged to the socket
    /// in whole pages (SK_MEM_QUANTUM), the rest stays forward-allocated for the next skbs.
    /// Measured on 6.18 through sock_diag's SK_MEMINFO_FWD_ALLOC: three 1280-byte skbs into
    /// an empty socket leave 256 (one page less 3840).
    fn rmem_schedule(&mut self, truesize: u32) {
        let need = truesize as i64 - self.rcv_fwd_alloc;
        if need > 0 {
            self.rcv_fwd_alloc += (need + PAGE - 1) / PAGE * PAGE;
        }
    }

    /// Memory `freed` goes back to the socket (`sk_mem_uncharge`) and whole pages of what is
    /// forward-allocated go back to the system (`sk_mem_reclaim`: only the part under a page
    /// stays).
    fn rmem_uncharge(&mut self, freed: u64) {
        self.rcv_fwd_alloc += freed as i64;
        if self.rcv_fwd_alloc >= PAGE {
            self.rcv_fwd_alloc %= PAGE;
        }
    }

    /// Linux `tcp_prune_queue`, when the queues' memory is over the buffer:
    /// - `tcp_clamp_window`: quick-ACK mode ends; a buffer SO_RCVBUF did not set grows to the
    ///   memory in use (`sk_rcvbuf = min(sk_rmem_alloc, tcp_rmem[2])`; tcp_rmem[2], 32 MiB by
    ///   default, is not modelled as a bound), one it set stays and rcv_ssthresh falls to two
    ///   segments (`min(window_clamp, 2 * advmss)`);
    /// - still over: `tcp_collapse` of the receive queue ([`TcpSocket::collapse_queue`]);
    /// - still over: `tcp_prune_ofo_queue` ([`TcpSocket::prune_ofo_queue`]);
    /// - still over: header prediction off, and the caller drops the segment.
    ///
    /// Measured on 6.18 (zero-window with TCP_MAXSEG 536, SO_RCVBUF 8192, nobody reading):
    /// 7764 bytes in fifteen 1280-byte and one 1280-byte skb (20480 of 16384) collapse into
    /// 3776 + 3776 + 212 bytes (4352 + 4352 + 832), and the window that stayed shut without
    /// it reopens (620, then 2096). The out-of-order queue is not collapsed first
    /// (`tcp_collapse_ofo_queue` is not modelled).
    fn prune_queue(&mut self) -> bool {
        self.ack_quick = 0;
        if !self.rcvbuf_locked {
            self.rcvbuf_grown = self.rcvbuf_grown.max(self.rmem());
        }
        if self.rmem() > self.rcvbuf_bytes() {
            let advmss = self.our_mss as u32 - if self.ts_ok { 12 } else { 0 };
            self.rcv_ssthresh = self.window_clamp().min(2 * advmss);
        }
        if self.can_ingest() {
            return true;
        }
        self.collapse_queue();
        if self.can_ingest() {
            return true;
        }
        self.prune_ofo_queue();
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
    fn collapse_queue(&mut self) {
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
        self.rcv_fwd_alloc -= after as i64;
        self.rmem_uncharge(before);
    }

    /// Linux `tcp_prune_ofo_queue`: out-of-order skbs are dropped from the highest sequence
    /// down, an eighth of the buffer's memory at a time, until the queues fit; every SACK
    /// block goes with them (`tcp_sack_reset`). Returns whether anything was dropped.
    fn prune_ofo_queue(&mut self) -> bool {
        if self.ooo.is_empty() {
            return false;
        }
        let eighth = (self.rcvbuf_bytes() >> 3) as i64;
        let mut goal = eighth;
        while let Some((&start, skb)) = self.ooo.last_key_value() {
            let len = spans_len(&skb.spans);
            let truesize = skb.truesize;
            self.ooo.remove(&start);
            self.ooo_bytes -= len;
            self.ooo_mem = self.ooo_mem.saturating_sub(truesize as u64);
            self.rmem_uncharge(truesize as u64);
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
        self.sack_blocks.clear();
        self.dsack = None;
        true
    }

    /// Linux `tcp_fast_path_check`: header prediction comes back on (expecting the peer's
    /// current window field) while nothing is out of order, the window offered is open and
    /// the queues' memory is under the buffer; it never turns prediction off.
    fn fast_path_check(&mut self) {
        if self.ooo.is_empty() && self.rcv_wnd > 0 && self.rmem() < self.rcvbuf_bytes() {
            self.rcv_pred_wnd = Some((self.snd_wnd >> self.snd_wscale).min(65_535) as u16);
        }
    }

    /// Linux `tcp_rcv_established`'s header prediction for an arriving segment: an
    /// ESTABLISHED socket, a plain ACK (PSH aside) carrying the predicted window field and
    /// no option but the timestamps, starting at rcv_nxt.
    fn header_predicted(&self, seg: &Segment, h: &TcpHeader) -> bool {
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

    /// An in-order skb of `len` payload bytes joins the receive queue, which now ends at
    /// rcv_nxt. Linux `tcp_queue_rcv` (and `tcp_ofo_queue`) first tries `tcp_try_coalesce`
    /// into the queue's tail skb, still unread: a segment that starts where the tail ends
    /// and fits in its tailroom is copied there (`skb_try_coalesce`, no new memory); TUN's
    /// kmalloc'd heads cannot be stolen as fragments, so anything else is an skb of its own.
    /// Measured on 6.18 (zero-window with TCP_MAXSEG 1000, SO_RCVBUF 8192, writes of 988 +
    /// 460 bytes, nobody reading): each 460 joins the 988's skb, so three pairs hold 6912
    /// bytes, not 10752, and the window offered is 3952, not the 3560 left of the last offer.
    fn queue_rcv_skb(&mut self, len: u32, in_sequence: bool) {
        self.queue_skb(len, in_sequence, self.truesize(len), self.tailroom(len));
    }

    /// [`TcpSocket::queue_rcv_skb`] for an skb of `len` bytes that costs `truesize` and has
    /// `tailroom` left: an out-of-order skb that segments were copied into
    /// (`tcp_ooo_try_coalesce`) moves over whole (`tcp_ofo_queue`) unless all of it fits the
    /// receive queue's tail.
    fn queue_skb(&mut self, len: u32, in_sequence: bool, truesize: u32, tailroom: u32) {
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
    fn select_window_truesize(&self) -> u32 {
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
    fn end_quickack_under_pressure(&mut self) {
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
    fn window_now(&self, p: &crate::profile::Profile) -> u32 {
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
    fn advertised_window(&self, p: &crate::profile::Profile) -> u32 {
        if self.truesize_accounting() {
            // `tcp_select_window`: never shrink what was offered (the edge stays).
            let promised = self.rcv_adv_edge.diff(self.rcv_nxt).max(0) as u32;
            let w = self.select_window_truesize();
            if w < promised {
                let unit = 1u32 << self.rcv_wscale;
                return promised.div_ceil(unit) * unit;
            }
            return w;
        }
        let free = self.our_window();
        let thresh = (self.our_mss as u32).min(self.rcv_cap / 2).max(1);
        let promised = self.rcv_adv_edge.diff(self.rcv_nxt).max(0) as u32;
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

    fn make_segment(
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
            if p.window_scale.is_some() && (!fl.ack || self.snd_wscale_offered()) {
                options.window_scale = self.offered_wscale(p);
            }
            options.sack_permitted = p.sack_permitted && (!fl.ack || self.sack_ok);
            if p.timestamps && (!fl.ack || self.ts_ok) {
                options.timestamps = Some((self.ts_val(ctx.now), self.ts_recent));
            }
            // RFC 7323 §2.2: the window in a SYN is never scaled.
            let rcv_wnd = self.initial_rcv_wnd(fl.ack, p);
            window = rcv_wnd.min(65_535) as u16;
            self.rcv_ssthresh = rcv_wnd;
            self.rcv_adv_edge = self.rcv_nxt + rcv_wnd;
            self.rcv_wnd = rcv_wnd;
        } else {
            if self.ts_ok {
                options.timestamps = Some((self.ts_val(ctx.now), self.ts_recent));
            }
            self.end_quickack_under_pressure();
            let adv = self.advertised_window(p);
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
                if let Some(slot) = self.timers.get_mut(timer_index(TimerKind::DelayedAck)) {
                    if slot.take().is_some() {
                        ctx.emit(EventKind::TimerCancelled {
                            socket: self.id,
                            timer: TimerKind::DelayedAck,
                        });
                    }
                }
            }
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

    /// The window-scale shift we offer. Linux `tcp_select_initial_window`: ilog2 of the
    /// largest window we may ever want (the receive space, tcp_rmem[2] and rmem_max, or just
    /// the space when SO_RCVBUF fixed it) minus 15, clamped to 0..=14 (RFC 7323 §2.3).
    /// Measured on 6.18: 10 by default (tcp_rmem[2] = 32 MiB), 0 / 2 / 5 with SO_RCVBUF
    /// 16384 / 200000 / 2000000.
    fn offered_wscale(&self, p: &crate::profile::Profile) -> Option<u8> {
        let ws = p.window_scale?;
        if p.wscale_space == 0 {
            return Some(ws);
        }
        let space = self.rcv_cap.max(1);
        let clamp = if self.rcvbuf_locked { space } else { u32::MAX };
        let s = space.max(p.wscale_space).min(clamp);
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
    fn initial_rcv_wnd(&self, synack: bool, p: &crate::profile::Profile) -> u32 {
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

    /// The SACK blocks for an outgoing segment: a pending D-SACK first (sent once), then the
    /// out-of-order blocks, most recent first; at most 3 beside timestamps (40 option
    /// bytes), 4 without (Linux `tcp_established_options`).
    fn sack_option(&mut self, p: &crate::profile::Profile) -> Vec<(u32, u32)> {
        if !p.sack_permitted {
            return Vec::new();
        }
        let max = if self.ts_ok { 3 } else { 4 };
        let base = self.irs.0.wrapping_add(1);
        let to_seq =
            |(a, b): (u64, u64)| (base.wrapping_add(a as u32), base.wrapping_add(b as u32));
        self.dsack
            .take()
            .into_iter()
            .chain(self.sack_blocks.iter().copied())
            .take(max)
            .map(to_seq)
            .collect()
    }

    /// Out-of-order data [start, end) arrived: merge it into the SACK blocks and move that
    /// block to the front (Linux `tcp_sack_new_ofo_skb`).
    fn sack_add(&mut self, start: u64, end: u64) {
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

    fn snd_wscale_offered(&self) -> bool {
        // For a SYN-ACK: scale only if the peer's SYN offered it (RFC 7323 §2.2).
        self.rcv_wscale > 0 || self.snd_wscale > 0
    }

    fn ts_val(&self, now: Micros) -> u32 {
        // Linux: a millisecond clock plus the address pair's offset (`tcp_clock_ts`).
        ((now / 1000) as u32).wrapping_add(self.ts_offset)
    }

    /// The ISN of a connection to `remote` (RFC 6528, RFC 9293 §3.4.1: ISN = M +
    /// F(localip, localport, remoteip, remoteport, secretkey)): Linux `secure_tcp_seq`, a
    /// keyed hash of the 4-tuple (SipHash there, the model's own keyed mix here) plus the
    /// clock in `isn_tick_ns` ticks (`seq_scale`: ns >> 6). The same 4-tuple a moment later
    /// gets a larger ISN, which is what lets TIME-WAIT tell a new SYN from an old one
    /// without timestamps.
    fn isn(&self, remote: Addr, ctx: &Ctx) -> SeqNumber {
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
    fn ts_offset_for(&self, remote: Addr, ctx: &Ctx) -> u32 {
        if !ctx.p.timestamps_offset {
            return 0;
        }
        // A key of its own (Linux `ts_secret` beside `net_secret`).
        let key = self.secret ^ 0x7473_5f73_6563_7265;
        keyed_hash(key, &[self.local.host.0 as u64, remote.host.0 as u64]) as u32
    }

    /// What TIME-WAIT does with a SYN (no ACK, no RST), when the profile reopens
    /// (`time_wait_reopen`); `None` otherwise, and the segment goes the synchronized
    /// states' way. Linux `tcp_timewait_state_process`, TIME-WAIT proper: PAWS first
    /// (`tcp_paws_reject` with no window: a timestamp older than `ts_recent`, when the
    /// connection used them); then a SYN whose sequence number is past the old rcv_nxt, or
    /// whose timestamp is newer than `ts_recent`, opens a new connection (TCP_TW_SYN) with
    /// ISN old snd_nxt + 65535 + 2 (never 0); any other is answered with an ACK (TCP_TW_ACK).
    pub fn time_wait_syn(&self, h: &TcpHeader, p: &crate::profile::Profile) -> Option<TimeWaitSyn> {
        if self.state != TcpState::TimeWait
            || !p.time_wait_reopen
            || !h.flags.syn
            || h.flags.ack
            || h.flags.rst
        {
            return None;
        }
        // The timewait socket reads the options only if the connection had timestamps
        // (`tw_ts_recent_stamp`).
        let tsval = h.options.timestamps.filter(|_| self.ts_ok).map(|t| t.0);
        let behind = |v: u32| self.ts_recent.wrapping_sub(v) as i32;
        let paws_reject = tsval.is_some_and(|v| self.ts_recent != 0 && behind(v) > 0);
        let newer = SeqNumber(h.seq).gt(self.rcv_nxt) || tsval.is_some_and(|v| behind(v) < 0);
        if !paws_reject && newer {
            let isn = self.snd_nxt.0.wrapping_add(65_535 + 2);
            return Some(TimeWaitSyn::Reopen(isn.max(1)));
        }
        Some(TimeWaitSyn::Ack { paws_reject })
    }

    /// The ISN a new connection on this TIME-WAIT connection's 4-tuple takes when connect()
    /// takes the 4-tuple over (Linux `tcp_twsk_unique`, for a socket bound to the port:
    /// only if the connection had timestamps, `tw_ts_recent_stamp`): snd_nxt + 65535 + 2,
    /// never 0, and the last timestamp it received. `None`: the 4-tuple stays taken
    /// (EADDRNOTAVAIL).
    pub fn time_wait_successor(&self) -> Option<(u32, u32)> {
        (self.state == TcpState::TimeWait && self.ts_ok).then(|| {
            let isn = self.snd_nxt.0.wrapping_add(65_535 + 2).max(1);
            (isn, self.ts_recent)
        })
    }

    /// TIME-WAIT's answer to a SYN that does not reopen it: the ACK of the old connection
    /// (`tcp_v4_timewait_ack`), at most once per tcp_invalid_ratelimit
    /// (`tcp_timewait_check_oow_rate_limit`) unless `rate_limited` is off (a SYN that would
    /// have reopened it but found no listener: TCP_TW_SYN falls through to TCP_TW_ACK). The
    /// TIME-WAIT timer restarts only for a SYN that failed PAWS: an ACKless SYN may be a
    /// new connection's with a smaller random ISN (`inet_twsk_reschedule` "Do not
    /// reschedule in the last case").
    pub fn time_wait_ack(&mut self, rate_limited: bool, paws_reject: bool, ctx: &mut Ctx) {
        if paws_reject {
            self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
        }
        if rate_limited && self.oow_rate_limited(1, true, ctx) {
            return;
        }
        self.send_ack(ctx);
    }

    fn transmit(&mut self, seg: Segment, ctx: &mut Ctx) {
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

    fn send_syn(&mut self, retransmission: u32, ctx: &mut Ctx) {
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
            self.rtt_probe = Some((self.iss + 1, ctx.now));
        } else {
            self.rtt_probe = None;
        }
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

    fn send_rst(&mut self, ctx: &mut Ctx) {
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
    fn send_data_at(
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
        if len > 0
            && ctx.p.quickack_max > 0
            && self.ato > 0
            && ctx.now.saturating_sub(self.lrcvtime) < self.ato
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
    fn psh_alone(&mut self, seq: SeqNumber, len: u32, ctx: &Ctx) -> bool {
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
    /// log 9), at least `tcp_min_tso_segs`. The pacing rate is `tcp_update_pacing_rate`'s:
    /// mss · max(cwnd, packets out) / srtt, times `tcp_pacing_ss_ratio` 200 % while cwnd
    /// is below half of ssthresh, `tcp_pacing_ca_ratio` 120 % after. Measured on 6.18 with
    /// CUBIC (10 segments into cwnd 10): a 40 ms RTT → 2-segment chunks, a 5.15 ms one → 3.
    fn tso_segs(&self, flight: u32, ctx: &Ctx) -> u32 {
        let mss = self.snd_mss.max(1) as u64;
        let Some(srtt) = self.rtt.srtt.filter(|&s| s > 0) else {
            // No RTT yet: `tcp_update_pacing_rate` leaves the rate unbounded.
            return ((GSO_MAX_SIZE / mss) as u32).max(ctx.p.min_tso_segs);
        };
        let cwnd = (self.cc.cwnd as u64 / mss).max(flight as u64 / mss).max(1);
        let ratio = if (self.cc.cwnd as u64) < self.cc.ssthresh as u64 / 2 {
            200
        } else {
            120
        };
        // Bytes per second: mss · cwnd · ratio % · 10^6 / srtt_us.
        let rate = mss * cwnd * ratio * 10_000 / srtt;
        let mut bytes = rate >> 10;
        let r = self.min_rtt.unwrap_or(srtt) >> 9;
        if r < 32 {
            bytes += GSO_MAX_SIZE >> r;
        }
        ((bytes.min(GSO_MAX_SIZE) / mss) as u32).max(ctx.p.min_tso_segs)
    }

    /// Linux `tcp_tso_should_defer`: hold back a GSO chunk that cwnd or the window would
    /// cut short of a full one, for the ACK about to come, so that segments leave in pairs
    /// rather than one per ACK: only outside a recovery, when the last transmission was
    /// less than 1 ms ago and the oldest segment's ACK is due within min(SRTT/2, 1 ms);
    /// not when a full chunk, the rest of a middle skb or a third of the window fits.
    /// Measured on 6.18 in CUBIC's congestion avoidance (one ACK per segment): new data
    /// leaves as chunks of two, PSH on every second segment.
    fn tso_should_defer(
        &self,
        skb: SkbAt,
        flight: u32,
        wnd_room: u32,
        cwnd_room: u32,
        ctx: &Ctx,
    ) -> bool {
        let mss = self.snd_mss.max(1) as u64;
        let nxt_off = self.soff(self.snd_nxt);
        let skb_len = skb.end.saturating_sub(nxt_off);
        if skb_len <= mss || self.recovering() || cwnd_room == 0 {
            return false;
        }
        if self
            .lsndtime
            .is_none_or(|t| ctx.now.saturating_sub(t) > 1_000)
        {
            return false;
        }
        let Some(srtt) = self.rtt.srtt else {
            return false;
        };
        let send_win = wnd_room as u64;
        let cong_win = cwnd_room as u64;
        let limit = send_win.min(cong_win);
        let max_segs = self.tso_segs(flight, ctx) as u64;
        if limit >= max_segs * mss {
            return false;
        }
        if !skb.is_tail && limit >= skb_len {
            return false;
        }
        // tcp_tso_win_divisor 3.
        let chunk = (self.snd_wnd as u64).min(self.cc.cwnd as u64) / 3;
        if limit >= chunk {
            return false;
        }
        let Some(head) = self.sent_log.front() else {
            return false;
        };
        let expected_ack = head.sent + srtt;
        let threshold = (srtt / 2).min(1_000);
        if expected_ack.saturating_sub(ctx.now) > threshold {
            return false;
        }
        if cong_win < send_win {
            if cong_win <= skb_len {
                return true;
            }
        } else if send_win <= skb_len {
            return true;
        }
        !(self.fin_queued && skb.is_tail)
    }

    /// Linux `tcp_xmit_size_goal`: a write fills skbs of this many bytes, half the peer's
    /// largest window (`tcp_bound_to_half_wnd`) in whole MSS, at most the GSO limit.
    fn size_goal(&self) -> u64 {
        let mss = self.snd_mss.max(1) as u64;
        let w = self.max_snd_wnd as u64;
        let cutoff = if w > 536 { w / 2 } else { w };
        let goal = if cutoff > 0 {
            GSO_MAX_SIZE.min(cutoff)
        } else {
            GSO_MAX_SIZE
        };
        (goal / mss * mss).max(mss)
    }

    /// Sends whatever the windows, Nagle and the state allow (RFC 9293 §3.8.6, RFC 5681).
    /// Returns whether any segment carrying an ACK went out.
    pub fn output(&mut self, ctx: &mut Ctx) -> bool {
        self.output_chunks(None, ctx)
    }

    /// `output`, stopping after `max_chunks` GSO chunks (Linux `tcp_push_one`: one).
    fn output_chunks(&mut self, max_chunks: Option<u32>, ctx: &mut Ctx) -> bool {
        use TcpState::*;
        if !matches!(
            self.state,
            Established | CloseWait | FinWait1 | Closing | LastAck
        ) {
            return false;
        }
        let chunked = ctx.p.min_tso_segs > 0;
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
            if flight == 0 && avail > 0 && self.snd_nxt.ge(self.snd_max) {
                // Linux restarts the window when the write queues the data
                // (`tcp_skb_entail` → `tcp_slow_start_after_idle_check`), before
                // `tcp_write_xmit` sizes its chunks by it: after an idle restart to 3
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
                self.cc.cwnd.saturating_sub(self.pipe_bytes())
            } else {
                (self.cc.cwnd + limited).saturating_sub(flight)
            };
            let room = wnd_room.min(cwnd_room);
            // Retransmissions (below snd_max) go out whatever Nagle and SWS say.
            let new_data = self.snd_nxt.ge(self.snd_max);
            // `tcp_write_xmit`'s `cwnd_quota` for this pass: the size `tcp_grow_skb` fills
            // the head skb to and the one `tcp_mss_split_point` cuts the chunk at.
            let chunk_segs = if chunked {
                self.chunk_segs(flight, cwnd_room, !new_data, ctx)
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
                && len > 0
                && skb_left.min(self.snd_mss) > wnd_room
            {
                // `tcp_snd_wnd_test`: a chunk starts only if its first segment (a full one,
                // or the whole skb when that is smaller) fits in the peer's window, whatever
                // is in flight. With nothing in flight the probe timer is armed
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
            if partial && !fin_pending && (self.cork || self.more) && !self.push_once {
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
            let with_fin = fin_pending && len == avail;
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
                        && self.tso_should_defer(skb, flight, wnd_room, cwnd_room, ctx)
                    {
                        break;
                    }
                    chunks += 1;
                    chunk = Some(self.next_chunk(skb, flight, wnd_room, chunk_segs, ctx));
                }
                let (end, chunk_psh) = chunk.unwrap_or((nxt_off + len as u64, false));
                // `tcp_write_wakeup` marks what it sends PSH.
                psh = (chunk_psh && nxt_off + len as u64 >= end) || self.push_once;
                if nxt_off + len as u64 >= end {
                    self.skbs.split_at(end);
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
            if len < self.snd_mss {
                self.snd_sml = self.snd_nxt;
            }
            if retrans == 0 && (flight == 0 || self.tlp_armed) {
                // `tcp_event_new_data_sent`: the RTO clock starts with the first segment
                // out (or replaces a pending probe), then the probe is re-planned.
                self.arm_rto(ctx);
            }
            if self.timer(TimerKind::Retransmit).is_none() {
                self.arm_rto(ctx);
            }
            if retrans == 0 {
                self.schedule_loss_probe(ctx);
            }
            self.cancel_timer(TimerKind::Persist, ctx);
            if with_fin || std::mem::take(&mut self.push_once) {
                break;
            }
        }
        self.push_once = false;
        if sent {
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

    /// Linux `tcp_cwnd_validate` after a transmission: remember whether cwnd was the limit
    /// in this window, or else the most segments out (RFC 7661's idea).
    fn cwnd_validate(&mut self, ctx: &Ctx) {
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
    /// than twice what was out. The textbook profile (no CUBIC) grows on every ACK.
    fn may_grow_cwnd(&self) -> bool {
        if self.cc.cubic.is_none() || self.cwnd_limited {
            return true;
        }
        self.cc.cwnd < self.cc.ssthresh
            && self.cc.cwnd / self.snd_mss.max(1) < 2 * self.max_packets_out
    }

    /// Nagle (RFC 896, RFC 9293 §3.7.4) holds a small segment back now. Linux uses
    /// Minshall's variant (`tcp_nagle_check`): only while a *small* one is unacknowledged.
    fn nagle_holds(&self, flight: u32, ctx: &Ctx) -> bool {
        !self.nodelay
            && if ctx.p.nagle_minshall {
                self.snd_sml.gt(self.snd_una)
            } else {
                flight > 0
            }
    }

    /// How many segments the next GSO chunk may hold (`tcp_write_xmit`: `cwnd_quota`).
    fn chunk_segs(&self, flight: u32, cwnd_room: u32, retrans: bool, ctx: &Ctx) -> u64 {
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
        quota.min(half).min(self.tso_segs(flight, ctx) as u64)
    }

    /// Linux `tcp_write_xmit` → `tcp_mss_split_point`: the GSO chunk that starts at
    /// snd_nxt inside `skb`. At most `chunk_segs` segments (the pass's `cwnd_quota`,
    /// [`Self::chunk_segs`]), within the window and the skb; on the last skb (or at the window's edge) a partial last segment that Nagle
    /// holds back stays out. Returns its end and whether its last segment carries PSH:
    /// always when it holds more than one segment (`__tcp_transmit_skb`), else only if it
    /// ends an skb `tcp_mark_push` marked.
    fn next_chunk(
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
        if at_edge
            && max_len > needed
            && len > mss
            && !len.is_multiple_of(mss)
            && !self.fin_queued
            && self.nagle_holds(flight, ctx)
        {
            len -= len % mss;
        }
        let end = nxt_off + len;
        (end, len > mss || (end == skb.end && skb.psh))
    }

    /// Before new data leaves an idle connection: Linux `tcp_slow_start_after_idle_check`
    /// (nothing in flight and idle for more than the RTO), RFC 5681 §4.1.
    fn restart_after_idle(&mut self, ctx: &mut Ctx) {
        let p = ctx.p;
        let Some(last) = self.lsndtime else { return };
        if self.idle_restarted == Some(last) {
            return;
        }
        let rto = self.rtt.rto;
        let idle = ctx.now.saturating_sub(last);
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

    fn arm_persist(&mut self, ctx: &mut Ctx) {
        if self.timer(TimerKind::Persist).is_none() {
            // `tcp_check_probe_timer`: the first probe waits `tcp_probe0_base` unshifted.
            let t = self.probe0_base(ctx.p);
            self.arm_timer(TimerKind::Persist, t, ctx);
        }
    }

    /// Linux `tcp_probe0_base`: the RTO as it stands (backed off, `icsk_rto`), at least
    /// RTO_MIN.
    fn probe0_base(&self, p: &crate::profile::Profile) -> Micros {
        self.rtt.rto_backed_off(self.backoff, p).max(p.rto_min_us)
    }

    /// The persist timer's interval after a probe or a probe's answer: `tcp_probe0_base`
    /// shifted by the backoff (`tcp_probe0_when`), at most the maximum RTO. Measured on 6.18
    /// (`zero-window-after-rto`, no timestamps): after two RTOs no sample ended, the first
    /// probe came four RTOs (1.07 s) after the window closed, not one. Linux arms it on its
    /// timer wheel ([`Self::arm_timer`]), which fires a backed-off probe's timer up to 8
    /// jiffies late ([`super::wheel`]); the RFC profile probes on time.
    fn persist_interval(&self, ctx: &Ctx) -> Micros {
        let p = ctx.p;
        let t = (self.probe0_base(p) << self.probe_backoff.min(20)).min(p.rto_max_us);
        self.clamp_probe0_to_user_timeout(t, ctx)
    }

    /// Linux `tcp_clamp_probe0_to_user_timeout` (`tcp_send_probe0`, `tcp_ack_probe`): once a
    /// probe episode has started (`icsk_probes_tstamp`, the first probe), with
    /// TCP_USER_TIMEOUT the next probe timer is armed for no more than what is left of the
    /// user timeout, and at least TCP_TIMEOUT_MIN (2 jiffies), so the connection dies when
    /// the user timeout ends, not a whole backed-off interval later (`tcp_probe_timer` then
    /// finds it spent). Measured on 6.18 (a receiver that never reads, 2 s user timeout):
    /// probes at 1.13, 1.71, 2.83 s, the connection gone at 3.15 s, not at the next probe
    /// time 5.0 s. The first arming (`tcp_check_probe_timer`) is not clamped.
    fn clamp_probe0_to_user_timeout(&self, when: Micros, ctx: &Ctx) -> Micros {
        let (Some(start), ut) = (self.probes_tstamp, self.user_timeout_us) else {
            return when;
        };
        if ut == 0 {
            return when;
        }
        let p = ctx.p;
        let elapsed = ctx.now.saturating_sub(start);
        // The kernel subtracts in u32: past the user timeout the difference wraps to a huge
        // number and the clamp lets `when` through (the timer that fires next aborts anyway).
        match super::wheel::in_jiffies(ut, p).checked_sub(elapsed) {
            Some(remaining) => when.min(remaining.max(2 * p.clock_granularity_us)),
            None => when,
        }
    }

    // ---------------------------------------------------------------- opening

    fn take_syn_options(&mut self, h: &TcpHeader, ctx: &Ctx) {
        let o = &h.options;
        let p = ctx.p;
        let peer_mss = o.mss.unwrap_or(536) as u32; // RFC 9293 §3.7.1 default
        self.ts_ok = p.timestamps && o.timestamps.is_some();
        self.sack_ok = p.sack_permitted && o.sack_permitted;
        if let (Some(ours), Some(theirs)) = (self.offered_wscale(p), o.window_scale) {
            self.rcv_wscale = ours;
            self.snd_wscale = theirs.min(14);
        } else {
            self.rcv_wscale = 0;
            self.snd_wscale = 0;
        }
        if let Some((tsval, _)) = o.timestamps {
            self.ts_recent = tsval;
        }
        let opt = if self.ts_ok { 12 } else { 0 };
        self.snd_mss = peer_mss.min(self.our_mss as u32).saturating_sub(opt).max(1);
        self.mss_unbounded = self.snd_mss;
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
    fn cookie_options(&mut self, syn: &TcpHeader, ctx: &Ctx) {
        self.take_syn_options(syn, ctx);
        if !self.ts_ok {
            self.sack_ok = false;
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
        self.make_segment(
            self.iss,
            flags(true, true, false, false, false),
            Vec::new(),
            ctx,
        )
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
            self.ts_recent = tsval;
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
        // No request ever existed, so no SYN-RECEIVED: the socket is born established
        // (`tcp_get_cookie_sock` → `inet_csk_complete_hashdance`).
        self.set_state(TcpState::Established, ctx);
        self.report(ctx);
    }

    // ---------------------------------------------------------------- segments in

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

    fn on_segment_syn_sent(&mut self, _seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) {
        let ack = SeqNumber(h.ack);
        // RFC 9293 §3.10.7.3, first: check the ACK.
        if h.flags.ack && (ack.le(self.iss) || ack.gt(self.snd_max)) {
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
            if let Some((end, sent)) = self.rtt_probe.take() {
                if ack.ge(end) {
                    self.rtt_sample(ctx.now - sent, ctx.p);
                }
            }
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

    fn segment_acceptable(&self, seq: SeqNumber, len: u32) -> bool {
        // RFC 9293 §3.10.7.4 first check, with the space we really have as the window
        // (the advertised one may be smaller after silly-window avoidance).
        let wnd = self
            .our_window()
            .max(self.rcv_adv_edge.diff(self.rcv_nxt).max(0) as u32);
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
    fn oow_rate_limited(&mut self, seg_len: u32, syn: bool, ctx: &Ctx) -> bool {
        let limit = ctx.p.invalid_ratelimit_us;
        if limit == 0 || (seg_len > 0 && !syn) {
            return false;
        }
        if self
            .last_oow_ack
            .is_some_and(|t| ctx.now.saturating_sub(t) < limit)
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
    fn paws_discard(&mut self, h: &TcpHeader, seg_len: u32, ctx: &mut Ctx) -> bool {
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
    fn send_dupack(&mut self, seq: SeqNumber, seg_len: u32, syn: bool, ctx: &mut Ctx) {
        let back = self.rcv_nxt.diff(seq);
        if self.sack_ok && self.state != TcpState::TimeWait && seg_len > 0 && !syn && back > 0 {
            let nxt = self.roff(self.rcv_nxt);
            if let Some(start) = nxt.checked_sub(back as u64) {
                self.dsack = Some((start, (start + seg_len as u64).min(nxt)));
            }
        }
        self.send_ack(ctx);
    }

    fn on_segment_synchronized(&mut self, seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) {
        use TcpState::*;
        let seq = SeqNumber(h.seq);
        let ack = SeqNumber(h.ack);
        let seg_len = seg.payload_len + h.flags.syn as u32 + h.flags.fin as u32;

        // A retransmitted SYN for a request we answered: resend the SYN-ACK (Linux
        // `tcp_check_req`), rather than the RFC's challenge.
        if self.state == SynReceived && h.flags.syn && !h.flags.ack && seq == self.irs {
            self.synack_retransmits += 1;
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
            if !self.output(ctx) {
                self.send_ack(ctx);
            }
            return;
        }
        if self.paws_discard(h, seg_len, ctx) {
            return;
        }
        // First: sequence number acceptable?
        if !self.segment_acceptable(seq, seg_len) {
            if !h.flags.rst {
                // RFC 9293 §3.10.7.4: send an ACK (this is the "dup ACK" a client in
                // ESTABLISHED sends for a retransmitted SYN-ACK).
                if self.state == TimeWait && h.flags.fin {
                    // RFC 9293 §3.10.7.4 eighth, TIME-WAIT: restart the 2 MSL timeout.
                    // Linux `tcp_timewait_state_process` → `inet_twsk_reschedule`: the
                    // timer_list again.
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
        if let Some((tsval, _)) = h.options.timestamps {
            if self.ts_ok && seq.le(self.rcv_nxt) {
                self.ts_recent = tsval;
            }
        }
        // Second: RST.
        if h.flags.rst {
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
                _ => self.set_state(Closed, ctx),
            }
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
        if self.state == SynReceived {
            if ack.gt(self.snd_una) && ack.le(self.snd_max) {
                self.snd_wnd = (h.window as u32) << self.snd_wscale;
                self.max_snd_wnd = self.snd_wnd;
                self.sync_mss();
                self.snd_wl1 = seq;
                self.snd_wl2 = ack;
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
        // Header prediction is judged on arrival, before the ACK can change it.
        let predicted = self.header_predicted(seg, h);
        self.process_ack(seg, h, ctx);
        if self.state == Closed {
            return;
        }
        // Sixth/seventh: the segment text.
        let mut ack_now = false;
        if seg.payload_len > 0 {
            if matches!(self.state, Established | FinWait1 | FinWait2) {
                if self.app_closed && self.seq_end_after_rcv(seq, seg.payload_len) {
                    // New data for a socket the application closed: Linux answers with RST
                    // (`tcp_rcv_state_process`, "abort on data", then `tcp_v4_send_reset`
                    // in reply to that segment: a bare RST at its ACK number, no options).
                    // Measured on 6.18: "R seq=2 ack=0 win=0" to data for an orphan.
                    if let Some(r) = TcpSocket::reset_for(seg) {
                        self.transmit(r, ctx);
                    }
                    self.set_state(Closed, ctx);
                    return;
                }
                ack_now |= self.process_text(seq, &seg.payload, seg.payload_len, predicted, ctx);
            } else {
                ack_now = true;
            }
        }
        // Eighth: FIN.
        let linux_acks = ctx.p.quickack_max > 0;
        if h.flags.fin {
            let fin_off = self.roff(seq) + seg.payload_len as u64;
            let was = self.state;
            if fin_off == self.roff(self.rcv_nxt) && !self.fin_received {
                self.receive_fin(ctx);
                if linux_acks && matches!(was, Established | SynReceived) {
                    // Linux `tcp_fin`: ESTABLISHED → CLOSE-WAIT schedules the ACK and enters
                    // ping-pong mode, so the ACK waits (usually for our own FIN). Measured on
                    // 6.18: ACK of the FIN 47 ms later after data, 4-11 ms on a connection
                    // that never received data (ATO 0: the next timer tick).
                    self.ack_sched = true;
                    self.pingpong = true;
                } else {
                    // FIN-WAIT-1/2: `tcp_fin` calls `tcp_send_ack` at once.
                    ack_now = true;
                }
            } else {
                if fin_off > self.roff(self.rcv_nxt) {
                    self.ooo_fin = Some(fin_off);
                    // `tcp_data_queue_ofo` queues the FIN's skb like data, and its SACK
                    // block covers the FIN's sequence number too. Measured on 6.18 (sweep
                    // point teardown-server-first+drop=server-data-1): a bare FIN after a
                    // lost answer is acknowledged "ack=1 sack 6-7".
                    if self.sack_ok {
                        self.sack_add(fin_off, fin_off + 1);
                    }
                }
                // Out of order or a duplicate: acknowledged at once (RFC 5681 §4.2).
                ack_now = true;
            }
        }
        if self.state == Closed {
            return;
        }
        // Linux `__tcp_ack_snd_check`: in quick-ACK mode every segment is acknowledged.
        if linux_acks && self.ack_sched && self.ack_quick > 0 && !self.pingpong {
            ack_now = true;
        }
        let sent = self.output(ctx);
        if ack_now && !sent {
            self.send_ack(ctx);
        } else if !sent && (self.delack_bytes > 0 || self.ack_sched) {
            self.send_delayed_ack(ctx);
        }
    }

    /// Linux `tcp_send_delayed_ack`: arm the delayed-ACK timer `ato` from now. With one
    /// already pending, the earlier of the two timeouts stands, and one due within a quarter
    /// of the ATO (`ato >> 2`, in jiffies) is not waited for: the ACK goes now. Measured on
    /// 6.18 (loss-fast-retransmit with TCP_MAXSEG 536, psh-half-window with SO_RCVBUF 4096
    /// or initrwnd 1): the next flight's first segment, arriving 42 ms after the last ACK'd
    /// one left an ACK owed, is acknowledged at once, its followers 40 ms later. The RFC
    /// profile keeps one fixed timer.
    fn send_delayed_ack(&mut self, ctx: &mut Ctx) {
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
    /// TCP_DELACK_MAX 200 ms, in whole jiffies (`icsk_ack.ato` is kept in jiffies); an ATO of
    /// 0 (no data received yet) fires at the next timer tick (`timeout = jiffies + ato` on
    /// the wheel; without the wheel one
    /// [`crate::profile::Profile::clock_granularity_us`]). The RFC profile waits a fixed
    /// `delayed_ack_us`.
    fn delack_timeout(&self, ctx: &Ctx) -> Micros {
        let p = ctx.p;
        if p.quickack_max == 0 {
            return p.delayed_ack_us;
        }
        let mut ato = self.ato;
        if ato > p.delayed_ack_us {
            let mut max_ato: Micros = if self.pingpong { 200_000 } else { 500_000 };
            if let Some(srtt) = self.rtt.srtt {
                max_ato = max_ato.min(srtt.max(p.delayed_ack_us));
            }
            ato = ato.min(max_ato);
        }
        let ato = ato.min(200_000);
        if p.timer_wheel {
            super::wheel::in_jiffies(ato, p)
        } else {
            ato.max(p.clock_granularity_us)
        }
    }

    /// Linux `tcp_grow_window`: rcv_ssthresh, the ceiling of the window offered, grows by
    /// max(2 × advmss, 2 × the segment) but no further than the free space (`room =
    /// min(window_clamp, tcp_space(sk)) - rcv_ssthresh`; `tcp_space` counts the out-of-order
    /// queue too). Measured on 6.18: 65160 → 67, 70, 73 << 10 over three 1448-byte segments.
    fn grow_window(&mut self, len: u32) {
        if self.truesize_accounting() {
            // `tcp_grow_window`: room = min(window_clamp, tcp_space) - rcv_ssthresh; two
            // advertised MSS when a segment of this truesize will fit the window in future,
            // else (`__tcp_grow_window`) two received MSS.
            let room = self.window_clamp().min(self.tcp_space());
            if self.rcv_ssthresh >= room {
                return;
            }
            // `tp->advmss` loses the timestamp option's 12 bytes once both sides use it
            // (`tcp_rcv_synsent_state_process`, `tcp_create_openreq_child`). Measured on
            // 6.18 (SO_RCVBUF 4 MiB, wscale 7): 32784, 32807, 32829, 32852 << 7, steps of
            // 2896, not 2920.
            let advmss = self.our_mss as u32 - if self.ts_ok { 12 } else { 0 };
            let incr = if self.win_from_space(self.truesize(len) as u64) <= len {
                2 * advmss
            } else {
                2 * self.rcv_mss
            };
            let incr = incr.max(2 * len);
            self.rcv_ssthresh += incr.min(room - self.rcv_ssthresh);
            // `icsk_ack.quick |= 1`: a window that grew is announced at once. Measured on 6.18
            // (8192-byte SO_RCVBUF, one segment per write): three quick ACKs, not the two
            // `tcp_incr_quickack` grants (2 | 1 = 3).
            self.ack_quick |= 1;
            return;
        }
        let space = self.our_window().saturating_sub(self.ooo_bytes);
        if self.rcv_ssthresh < space {
            let incr = (2 * self.our_mss as u32).max(2 * len);
            self.rcv_ssthresh = (self.rcv_ssthresh + incr).min(space);
        }
    }

    /// Linux `tcp_measure_rcv_mss`: the segment sizes the receiver sees set `rcv_mss`, the
    /// payload-to-truesize ratio and with it the window clamp, and mark a small segment's
    /// ACK "pushed". Called for in-order data (`tcp_event_data_recv`) and, since 6.17
    /// (backported to 6.12.y: "tcp: call tcp_measure_rcv_mss() for ooo packets"), for
    /// out-of-order data (`tcp_data_queue_ofo`). Measured on 6.18
    /// (`reorder-seen-widens-reo-wnd`): a connection's first data, two segments ahead of
    /// a held one, already grow the window offered (67, 70 << 10), as in-order ones do.
    /// And `ofo-window-growth` (SO_RCVBUF 8192, the first of five full segments lost): the
    /// other four's SACKs offer 8688, the window at ratio 160/256, not 7240 at 128.
    fn measure_rcv_mss(&mut self, len: u32) {
        // `tcp_measure_rcv_mss`: a segment smaller than the peer's MSS (and than
        // TCP_MSS_DEFAULT with its header) marks the ACK "pushed".
        if len < self.rcv_mss && len + 12 < 536 {
            self.ack_pushed = (self.ack_pushed + 1).min(2);
        }
        if len >= self.rcv_mss {
            if self.truesize_accounting() && len != self.rcv_mss {
                // `tcp_measure_rcv_mss`: the ratio of payload to truesize, and with it the
                // window clamp (`tcp_set_window_clamp`): a smaller clamp pulls rcv_ssthresh
                // down, a larger one lets it reach the window last offered.
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
                }
            }
            self.rcv_mss = len.min(self.our_mss as u32);
        }
    }

    /// Linux `tcp_event_data_recv`: in-order data arrived. The first data of a connection
    /// (and data after a silence longer than the RTO) starts quick-ACK mode
    /// (`tcp_incr_quickack`, TCP_MAX_QUICKACKS); the ATO follows the arrival spacing.
    fn event_data_recv(&mut self, len: u32, ctx: &Ctx) {
        let p = ctx.p;
        self.ack_sched = true;
        if p.quickack_max == 0 {
            return;
        }
        self.measure_rcv_mss(len);
        let ato_min = p.delayed_ack_us;
        let rto = self.rtt.rto;
        if self.ato == 0 {
            self.incr_quickack(p);
            self.ato = ato_min;
        } else {
            let m = ctx.now.saturating_sub(self.lrcvtime);
            if m <= ato_min / 2 {
                self.ato = self.ato / 2 + ato_min / 2;
            } else if m < self.ato {
                self.ato = (self.ato / 2 + m).min(rto);
            } else if m > rto {
                self.incr_quickack(p);
            }
        }
        self.lrcvtime = ctx.now;
        // `tcp_event_data_recv` grows the window last (after `tcp_measure_rcv_mss` and the
        // quick-ACK count) and only for a segment of 128 bytes or more: measured on 6.18, 5-
        // and 100-byte requests leave the 64 << 10 window as it was.
        if len >= 128 {
            self.grow_window(len);
        }
    }

    /// `tcp_incr_quickack`: as many quick ACKs as half the receive window holds segments
    /// (at least 2), at most `quickack_max`. The window is `tp->rcv_wnd`, the one last
    /// offered, not what is left of it after the segment being counted: with SO_RCVBUF 2048
    /// (a 1448-byte window, 724-byte segments) that is one quick ACK, not two. Measured on
    /// 6.18: the first of two back-to-back segments is acknowledged at once, the second,
    /// which closes the window, 44 ms later.
    fn incr_quickack(&mut self, p: &crate::profile::Profile) {
        let wnd = self.rcv_wnd;
        let mut q = wnd / (2 * self.rcv_mss.max(1));
        if q == 0 {
            q = 2;
        }
        self.ack_quick = self.ack_quick.max(q.min(p.quickack_max));
    }

    fn seq_end_after_rcv(&self, seq: SeqNumber, len: u32) -> bool {
        (seq + len).gt(self.rcv_nxt)
    }

    fn process_ack(&mut self, seg: &Segment, h: &TcpHeader, ctx: &mut Ctx) {
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
            let dsacking = scoreboard && self.sack_ok && self.check_dsack(h);
            let prior_stamp = self.retrans_stamp;
            let tsecr = h.options.timestamps.map(|(_, ecr)| ecr);
            let acked = ack
                .gt(self.snd_una)
                .then(|| self.clean_rtx_queue(ack, tsecr, ctx));
            if scoreboard {
                self.ack_scoreboard(h, acked, dup, dsacking, prior_stamp, ctx);
            } else {
                if let Some(a) = acked.filter(|_| ctx.p.rtt_every_ack) {
                    self.ack_update_rtt(a.samples, h, ctx);
                }
                self.ack_newreno(ack, acked, dup, flight, ctx);
            }
        } else if self.scoreboard(ctx.p) && self.sack_ok && self.check_dsack(h) {
            // `tcp_ack`'s `no_queue` and `old_ack` paths: an ACK with nothing outstanding, or
            // an old one, still has its SACK blocks read, and "if data was DSACKed, see if we
            // can undo a cwnd reduction" (`tcp_fastretrans_alert` → `tcp_try_undo_dsack` in
            // the open state).
            if !self.recovering() {
                self.try_undo_dsack();
            }
        }
        // Window update (RFC 9293 §3.10.7.4: SND.WL1/WL2 guard against old segments).
        if self.snd_wl1.lt(seq) || (self.snd_wl1 == seq && self.snd_wl2.le(ack)) {
            let was_zero = self.snd_wnd == 0;
            if wnd != self.snd_wnd {
                self.snd_wnd = wnd;
                // `tcp_ack_update_window`: a new window is a new prediction.
                self.fast_path_check();
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
                    if self.app_closed && ctx.p.fin_wait2_timeout_us > 0 {
                        // Linux tcp_fin_timeout for orphaned sockets: the FIN-WAIT-2
                        // timewait socket's timer_list (`inet_twsk_schedule`), on the wheel.
                        let tmo = self.fin_time(ctx);
                        self.arm_timer(TimerKind::FinWait2, tmo, ctx);
                    }
                }
                Closing => self.enter_time_wait(ctx),
                LastAck => self.set_state(Closed, ctx),
                _ => {}
            }
        }
    }

    /// Linux `tcp_ack_probe`, for an ACK that found nothing in flight (`tcp_ack`'s
    /// `no_queue` path) with data waiting to be sent. "Was it a usable window open?": only
    /// if the whole head skb fits the window (its end at or below SND.UNA + SND.WND) do the
    /// probes end ("clear backoff. It was being used to time the probes", the timer
    /// cleared); a window that opened less than that keeps the backoff, and the probe timer
    /// is re-armed from this ACK with it (`tcp_probe0_when`, clamped to the user timeout).
    /// Measured on 6.18: a probe answered 20 ms after it left, the next one 2 × the probe
    /// interval after that answer, not after the probe.
    fn ack_probe(&mut self, ctx: &mut Ctx) {
        let nxt = self.soff(self.snd_nxt);
        if self.sndbuf.tail <= nxt {
            return;
        }
        let head_end = self.skbs.at(nxt).map_or(self.sndbuf.tail, |s| s.end);
        if head_end <= self.soff(self.snd_una) + self.snd_wnd as u64 {
            self.probe_backoff = 0;
            self.probes_tstamp = None;
            self.cancel_timer(TimerKind::Persist, ctx);
        } else {
            let t = self.persist_interval(ctx);
            self.arm_timer(TimerKind::Persist, t, ctx);
        }
    }

    fn arm_rto_restart(&mut self, ctx: &mut Ctx) {
        // RFC 6298 §5.3: restart the timer when new data is acknowledged; Linux
        // (`tcp_set_xmit_timer`) arms a loss probe instead when it can.
        self.tlp_armed = false;
        self.reo_armed = false;
        self.rto_anchor = ctx.now;
        if self.schedule_loss_probe(ctx) {
            return;
        }
        let rto = self.rtt.rto_backed_off(self.backoff, ctx.p);
        self.arm_timer(TimerKind::Retransmit, rto, ctx);
    }

    /// Loss recovery on the scoreboard (Linux with SACK and RACK, `tcp_recovery` 1): SACKed,
    /// lost and retransmitted segments are tagged one by one, RACK marks every segment lost
    /// that a later-sent delivered one overtook by more than the reordering window (RFC
    /// 8985 §6.2), and the recovery retransmits them all, paced by PRR (RFC 6937).
    /// Without SACK (`tcp_sack` 0) Linux keeps the same queue and counts each duplicate
    /// ACK as one segment delivered ("Reno SACK", `tcp_add_reno_sack`), and without RACK
    /// (`tcp_recovery` 0) it marks losses by the duplicate-ACK threshold; PRR paces both.
    /// The textbook profile (no PRR) keeps RFC 5681/6582's NewReno instead.
    fn scoreboard(&self, p: &crate::profile::Profile) -> bool {
        (p.rack && self.sack_ok) || p.prr
    }

    /// A cumulative ACK inside a segment leaves its unacknowledged rest in the queue
    /// (`tcp_trim_head`), starting at the ACK; a segment wholly below it is gone. The queue
    /// is kept in order of `start` without overlaps (a loss probe splits the segment it
    /// resends, see `send_loss_probe`), so this touches the front; it trims every entry the
    /// ACK reaches so that no segment is ever sent again from below SND.UNA.
    fn trim_sent_log(&mut self, data_acked: u64) {
        self.sent_log.retain(|e| e.end > data_acked);
        for e in self.sent_log.iter_mut() {
            if e.start >= data_acked {
                break;
            }
            e.start = data_acked;
        }
    }

    /// `tcp_packets_in_flight` in bytes.
    fn pipe_bytes(&self) -> u32 {
        let sent: u64 = self
            .sent_log
            .iter()
            .filter(|e| e.in_flight())
            .map(|e| e.end - e.start)
            .sum();
        // A FIN beyond the data counts as in flight too (it holds a sequence number), unless
        // an RTO marked it lost and it was not sent again.
        let fin = (self.fin_unsacked_out() && !self.lone_fin.is_some_and(|f| f.lost)) as u64;
        let reno = self.reno_sacked as u64 * self.snd_mss.max(1) as u64;
        (sent + fin).saturating_sub(reno).min(u32::MAX as u64) as u32
    }

    fn pipe_segs(&self) -> u32 {
        self.pipe_bytes().div_ceil(self.snd_mss.max(1))
    }

    /// `tcp_clean_rtx_queue` for an ACK beyond SND.UNA: SND.UNA moves (`advance_una`), the
    /// segments wholly acknowledged leave the queue (those not SACKed before count as
    /// delivered and move RACK), a segment the ACK cuts keeps its rest (`trim_sent_log`),
    /// the send buffer lets the bytes go, and the retry count restarts (`tcp_ack`: SND.UNA
    /// advanced, `icsk_retransmits` = 0). The RTO's backoff ends only with a valid RTT sample
    /// ([`Self::end_backoff`]), not here.
    fn clean_rtx_queue(&mut self, ack: SeqNumber, tsecr: Option<u32>, ctx: &Ctx) -> Acked {
        let mss = self.snd_mss.max(1) as u64;
        let prior_una = self.soff(self.snd_una);
        let prior_fack = self.highest_sack_off();
        let data_acked = self.advance_una(ack, ctx.now, ctx.p);
        let mut delivered = 0u32;
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
        let high = self.loss_high.map(|h| self.soff(h));
        let orig_acked = self.sent_log.iter().any(|e| {
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
    fn ack_update_rtt(&mut self, s: RttSamples, h: &TcpHeader, ctx: &Ctx) {
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

    /// The two RTTs `tcp_ack_update_rtt` makes of an ACK's samples: `seq_rtt_us` (the
    /// cumulative ACK's, else the SACK's, else, if it acknowledged something, the timestamp
    /// echo's: `tcp_rtt_tsopt_us`, whole milliseconds of our timestamp clock, at least one)
    /// for the estimator, and `ca_rtt_us` (the newest segment's, or the echo's) — which it
    /// also hands the congestion module as the rate sample's RTT (`rs->rtt_us`).
    fn ack_rtts(
        &self,
        s: &RttSamples,
        h: &TcpHeader,
        now: Micros,
    ) -> (Option<Micros>, Option<Micros>) {
        let seq = s.seq.or(s.sack);
        if seq.is_none() && s.acked && self.ts_ok {
            if let Some((_, ecr)) = h.options.timestamps.filter(|&(_, ecr)| ecr != 0) {
                let delta = self.ts_val(now).wrapping_sub(ecr);
                if delta < i32::MAX as u32 / 1000 {
                    let r = delta.max(1) as Micros * 1000;
                    return (Some(r), Some(r));
                }
            }
        }
        (seq, s.ca)
    }

    /// New data acknowledged: the RTO restarts (or is cancelled when nothing is left).
    fn restart_rto_on_progress(&mut self, ctx: &mut Ctx) {
        if self.snd_una == self.snd_max {
            self.cancel_timer(TimerKind::Retransmit, ctx);
        } else {
            self.arm_rto_restart(ctx);
        }
    }

    /// The textbook's answer to an ACK (no PRR, no RACK): RFC 5681 §3.2's duplicate-ACK
    /// count and RFC 6582's NewReno, one hole per partial ACK. `flight` is what was
    /// outstanding before the ACK.
    fn ack_newreno(
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

    /// Linux's answer to an ACK, in the kernel's order after `tcp_clean_rtx_queue`: the
    /// SACK blocks tag the queue (`tcp_sacktag_write_queue`); RACK marks losses
    /// (`tcp_identify_packet_loss`); `tcp_fastretrans_alert` ends or starts the recovery;
    /// `tcp_cong_control` reduces cwnd by PRR or grows it (CUBIC); `tcp_xmit_recovery`
    /// retransmits what is lost. New data follows in `output`. `dsacking`: the ACK carried a
    /// believed D-SACK (`check_dsack`); `prior_stamp`: `retrans_stamp` before the ACK (the
    /// kernel keeps it until the state reopens, `tcp_packet_delayed` reads it here).
    fn ack_scoreboard(
        &mut self,
        h: &TcpHeader,
        acked: Option<Acked>,
        dup: bool,
        dsacking: bool,
        prior_stamp: Option<Micros>,
        ctx: &mut Ctx,
    ) {
        let p = ctx.p;
        let una_advanced = acked.is_some();
        let Acked {
            mut delivered,
            bytes_acked,
            mut orig_acked,
            mut samples,
            reord,
            prior_fack,
            prior_una,
            mut newest,
        } = acked.unwrap_or_default();
        let mut data_sacked = false;
        if self.sack_ok {
            let (n, orig, sackt, sack_newest) = self.sack_tag(&h.options.sack, ctx);
            delivered += n;
            data_sacked = n > 0;
            orig_acked |= orig;
            if let Some((first, last)) = sackt {
                samples.sack = Some(ctx.now.saturating_sub(first));
                samples.ca = Some(ctx.now.saturating_sub(last));
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
        // `tcp_fastretrans_alert`, E, in the loss state: `tcp_process_loss` first (it may
        // undo the RTO, end the state, or choose F-RTO's new data), then the loss marking.
        // A D-SACK ACK is no duplicate ACK (`tcp_ack`: FLAG_DSACKING_ACK).
        let mut rexmit_new = false;
        if self.loss_high.is_some() {
            let flag = LossAck {
                una_advanced,
                orig_acked,
                data_sacked,
                dupack: dup && !dsacking,
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
            self.mark_lost_dupthresh(una_advanced, p);
            false
        };
        let lost_now = self
            .sent_log
            .iter()
            .filter(|e| e.lost && !e.retrans)
            .count() as u32;
        let newly_lost = lost_now.saturating_sub(lost_before);
        // `tcp_fastretrans_alert`, D: the recovery ends once snd_una reaches high_seq
        // (without SACK, `tcp_try_undo_recovery` holds it until an ACK goes beyond).
        let (una, sack) = (self.snd_una, self.sack_ok);
        let ended = |high: SeqNumber| if sack { una.ge(high) } else { una.gt(high) };
        if self.cc.recover.is_some_and(ended) {
            // `tcp_try_undo_recovery` (`tcp_may_undo`): every retransmission came back as a
            // D-SACK, or this ACK echoes a timestamp older than the first retransmission
            // (the originals filled the holes), so the cut is undone and cwnd is not set to
            // ssthresh (`tcp_end_cwnd_reduction` skips it once `undo_marker` is 0).
            if self.may_undo(h, prior_stamp) {
                self.undo_cwnd_reduction(false);
                self.cc.prr = None;
            } else {
                self.reord.recovery_not_undone();
            }
            self.cc.end_prr_recovery();
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
        // `tcp_cong_control`.
        if self.cc.in_recovery() {
            let pipe = self.pipe_segs();
            self.cc.prr_step(delivered, newly_lost, una_advanced, pipe);
        } else if bytes_acked > 0 && delivered > 0 && self.may_grow_cwnd() {
            self.cc
                .cong_avoid_segments(delivered, ctx.now, p.clock_granularity_us);
        }
        if una_advanced && !reo_armed {
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
    fn process_loss(&mut self, flag: LossAck, h: &TcpHeader, prior_stamp: Option<Micros>) -> bool {
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
                let unsent = self.sndbuf.tail > self.soff(self.snd_nxt)
                    || (self.fin_queued && self.snd_nxt.le(self.fin_seq()));
                if unsent && wnd_end.gt(self.snd_nxt) {
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
    fn may_undo(&self, h: &TcpHeader, prior_stamp: Option<Micros>) -> bool {
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
    fn packet_delayed(&self, h: &TcpHeader, stamp: Option<Micros>) -> bool {
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
    fn any_retrans_done(&self) -> bool {
        self.sent_log.iter().any(|e| e.retrans)
            || self.sent_log.front().is_some_and(|e| e.ever_retrans)
    }

    /// `tcp_retrans_stamp_cleanup`: with nothing retransmitted left, the next loss recovery
    /// starts the clock afresh (`tcp_try_to_open`, and `tcp_enter_recovery` before its fast
    /// retransmission, 6.12+).
    fn retrans_stamp_cleanup(&mut self) {
        if !self.any_retrans_done() {
            self.retrans_stamp = None;
        }
    }

    /// `tcp_try_undo_partial`: in a fast recovery, an ACK of new data echoing a timestamp
    /// older than the first retransmission ("plain luck! hole is filled with delayed
    /// packet"). With retransmissions still in flight the recovery holds (no more losses
    /// marked or resent on this ACK: returns true); else the cut is undone and the
    /// recovery ends (`tcp_try_keep_open`).
    fn try_undo_partial(
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
    fn try_undo_loss(
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
    fn try_undo_dsack(&mut self) -> bool {
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
    fn undo_cwnd_reduction(&mut self, unmark_loss: bool) {
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
    fn init_undo(&mut self, prior_ssthresh: u32) {
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
    fn current_ssthresh(&self) -> u32 {
        let mss = self.snd_mss.max(1);
        let segs = self.cc.cwnd / mss;
        self.cc.ssthresh.max(((segs >> 1) + (segs >> 2)) * mss)
    }

    /// `tcp_enter_recovery`'s undo state, before `tcp_init_cwnd_reduction` cuts.
    fn enter_recovery_undo(&mut self) {
        let prior = self.current_ssthresh();
        self.init_undo(prior);
    }

    /// Without SACK (`tcp_add_reno_sack`, `tcp_remove_reno_sacks`): a duplicate ACK counts
    /// one segment delivered (at most all but one of those out, `tcp_limit_reno_sacked`);
    /// a cumulative ACK delivers one segment, the hole, and eats the duplicate ACKs that
    /// stood for the rest. Returns the segments delivered by this ACK.
    fn reno_sack(&mut self, acked: u32, una_advanced: bool, dup: bool) -> u32 {
        if una_advanced {
            let delivered = acked.saturating_sub(self.reno_sacked).max(1);
            self.reno_sacked = self.reno_sacked.saturating_sub(acked.saturating_sub(1));
            return if acked > 0 { delivered } else { 0 };
        }
        if !dup {
            return 0;
        }
        let out = self.sent_log.len() as u32;
        let holes = (self.sent_log.iter().filter(|e| e.lost).count() as u32).max(1);
        let before = self.reno_sacked;
        self.reno_sacked = (self.reno_sacked + 1).min(out.saturating_sub(holes.min(out)));
        self.reno_sacked.saturating_sub(before)
    }

    /// Loss marking without RACK. Without SACK, `tcp_newreno_mark_lost`: the first
    /// segment is lost once `tcp_reordering` (3) duplicate ACKs came, or on a partial ACK
    /// during the recovery. With SACK, RFC 6675's IsLost (`tcp_update_scoreboard`): a
    /// segment with that many SACKed segments above it.
    fn mark_lost_dupthresh(&mut self, una_advanced: bool, p: &crate::profile::Profile) {
        let thresh = p.dupack_threshold.max(1);
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

    /// Linux `hystart_ack_delay`: the time a 64 KiB GSO burst takes at 4× the pacing rate,
    /// at most 1 ms (µs).
    fn hystart_ack_delay(&self) -> Micros {
        let Some(srtt) = self.rtt.srtt.filter(|&s| s > 0) else {
            return 0;
        };
        let mss = self.snd_mss.max(1) as u64;
        let cwnd = (self.cc.cwnd as u64 / mss).max(1);
        let ratio = if (self.cc.cwnd as u64) < self.cc.ssthresh as u64 / 2 {
            200
        } else {
            120
        };
        let rate = mss * cwnd * ratio * 10_000 / srtt;
        if rate == 0 {
            return 0;
        }
        (GSO_MAX_SIZE * 4 * 1_000_000 / rate).min(1_000)
    }

    /// `tcp_rack_advance`: a segment known delivered gives RACK its RTT (`rack.rtt_us`, from
    /// whichever segment came last, as the kernel sets it on every call) and moves RACK's
    /// send time to it if it was sent after the one RACK holds (ties broken by sequence,
    /// `tcp_skb_sent_after`). A retransmission acknowledged sooner than the minimum RTT may
    /// have been the original's ACK: skipped. (Measured on 6.18, rto-spurious-no-timestamps:
    /// after an RTO, a held ACK of a segment sent 640 ms earlier must lengthen RACK's RTT,
    /// or the segments sent with it would be marked lost against the 304 ms of the
    /// retransmission acknowledged just before.)
    fn rack_advance(&mut self, e: &SentSeg, ctx: &Ctx) {
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
    fn sack_tag(
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
    fn highest_sack_off(&self) -> u64 {
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
    /// before `tcp_clean_rtx_queue`. Returns whether this ACK carried a believed D-SACK
    /// (FLAG_DSACKING_ACK: such an ACK is no duplicate ACK).
    fn check_dsack(&mut self, h: &TcpHeader) -> bool {
        let blocks = &h.options.sack;
        let Some(&(l0, r0)) = blocks.first() else {
            return false;
        };
        let (start, end) = (SeqNumber(l0), SeqNumber(r0));
        let dup = start.lt(SeqNumber(h.ack))
            || blocks
                .get(1)
                .is_some_and(|&(l1, r1)| end.le(SeqNumber(r1)) && start.ge(SeqNumber(l1)));
        if !dup || !start.lt(end) {
            return false;
        }
        let len = end.diff(start) as u32;
        if len > self.max_snd_wnd {
            return false;
        }
        let mss = self.snd_mss.max(1);
        let segs = if len > mss { len.div_ceil(mss) } else { 1 };
        self.dsack_dups += segs;
        if self.dsack_dups > self.stats.retransmits {
            return false;
        }
        // `tcp_dsack_seen`: FLAG_DSACK_TLP for a one-segment D-SACK ending at the loss
        // probe's tlp_high_seq; "a spurious retransmission is delivered" (sack_delivered).
        let answers_probe = len <= mss && self.tlp_high_seq == Some(end);
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
        let Some(marker) = self.undo.filter(|u| u.retrans > 0).map(|u| u.marker) else {
            return true;
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
        true
    }

    /// RACK's reordering window (`tcp_rack_reo_wnd`, see `Reordering::reo_wnd`): before
    /// any reordering is seen, none during a recovery or once `tp->reordering` segments
    /// are SACKed; else min RTT / 4 per step (at most SRTT).
    fn rack_reo_wnd(&self) -> Micros {
        let sacked = self.sent_log.iter().filter(|e| e.sacked).count() as u32;
        let srtt = self.rtt.srtt.unwrap_or(0);
        let min_rtt = self.min_rtt.unwrap_or(0);
        self.reord.reo_wnd(self.recovering(), sacked, min_rtt, srtt)
    }

    /// `tcp_rack_detect_loss` + `tcp_rack_mark_lost` (RFC 8985 §6.2): every segment sent
    /// before the one RACK holds and not delivered within RACK's RTT plus the reordering
    /// window is lost, however many holes there are; a lost retransmission is lost again.
    /// Those still within the window arm the reordering timer (plus TCP_TIMEOUT_MIN, two
    /// ticks). Returns whether the timer was armed.
    fn rack_mark_lost(&mut self, ctx: &mut Ctx) -> bool {
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
            // `tcp_rack_reo_timeout` armed by `tcp_rack_mark_lost`: usecs_to_jiffies(wait)
            // + TCP_TIMEOUT_MIN (2 jiffies), a timer_list.
            let delay = super::wheel::in_jiffies(wait, p) + 2 * p.clock_granularity_us;
            self.arm_timer(TimerKind::Retransmit, delay, ctx);
            return true;
        }
        false
    }

    /// `tcp_rack_reo_timeout`: look again; what is lost now starts (or continues) the
    /// recovery and is retransmitted; then the RTO as before.
    fn rack_reo_timeout(&mut self, ctx: &mut Ctx) {
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
    fn retransmit_lost(&mut self, ctx: &mut Ctx) {
        let mut i = 0;
        while i < self.sent_log.len() {
            let e = self.sent_log[i];
            i += 1;
            if !e.lost || e.retrans || e.sacked {
                continue;
            }
            if self.pipe_bytes() >= self.cc.cwnd {
                break;
            }
            self.retransmit_entry(e, ctx);
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
            && self.pipe_bytes() < self.cc.cwnd
        {
            let head = self.sent_log.is_empty();
            self.send_data_at(self.fin_seq(), 0, true, self.retransmits.max(1), false, ctx);
            if head && !self.reo_armed || self.timer(TimerKind::Retransmit).is_none() {
                self.arm_rto(ctx);
            }
        }
    }

    /// `tcp_retransmit_skb`: one queue entry sent again, with the entries after it that
    /// `tcp_retrans_try_collapse` merges into it.
    fn retransmit_entry(&mut self, e: SentSeg, ctx: &mut Ctx) {
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
    fn wnd_end_off(&self) -> u64 {
        self.soff(self.snd_una) + self.snd_wnd as u64
    }

    /// Linux `__tcp_retransmit_skb` → `tcp_retrans_try_collapse` (tcp_retrans_collapse):
    /// a retransmitted skb of one segment, shorter than `min(MSS, window left from it)`
    /// (a closed window counts one MSS, for the head that probes it), takes in the skbs
    /// after it in the retransmission queue while each is one segment (`tcp_can_collapse`:
    /// `tcp_skb_pcount` 1; with GSO chunks an entry is one skb only if no chunk runs past
    /// it), not SACKed, fits what is left of that room and ends inside the window; each
    /// merge is `tcp_collapse_retrans` (end, PSH and the ever-retransmitted mark move
    /// over). The merged entry is returned, and whether the walk ran (the sysctl on, the
    /// skb short enough): then it would take a FIN's skb in too, once it reaches it.
    /// Measured on 6.18 (`rto-collapse`): two 5-byte segments lost, the RTO resent one
    /// 10-byte segment.
    fn retrans_try_collapse(&mut self, e: SentSeg, p: &crate::profile::Profile) -> (SentSeg, bool) {
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
        let mss = self.snd_mss.max(1) as i64;
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
    fn recovering(&self) -> bool {
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
    fn enter_loss(&mut self, ctx: &mut Ctx) {
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

    fn retransmit_first(&mut self, ctx: &mut Ctx) {
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

    /// In-window data: returns whether an immediate ACK is due (RFC 5681 §4.2: out-of-order
    /// data, or data filling a hole, is acknowledged at once).
    fn process_text(
        &mut self,
        seq: SeqNumber,
        payload: &[PayloadSpan],
        len: u32,
        predicted: bool,
        ctx: &mut Ctx,
    ) -> bool {
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
            // An old duplicate: ACK it, reporting it as a D-SACK (RFC 2883 §4).
            if self.sack_ok && len > 0 {
                let s0 = nxt - skip as u64;
                self.dsack = Some((s0, s0 + len as u64));
            }
            return true;
        }
        if skip > 0 && self.sack_ok {
            // Partly old: the old part is the D-SACK (Linux `tcp_data_queue`).
            self.dsack = Some((nxt - skip as u64, nxt));
        }
        // What we advertised may exceed the free space by less than one scale unit
        // (rounded up, see `advertised_window`): that much is accepted too.
        let room = self
            .our_window()
            .max(self.rcv_adv_edge.diff(self.rcv_nxt).max(0) as u32) as u64;
        let take = ((len - skip) as u64).min((nxt + room).saturating_sub(start)) as u32;
        if take == 0 {
            return true;
        }
        if start == nxt {
            let had_ooo = !self.ooo.is_empty();
            // `tcp_rcv_established`: the fast path takes a predicted segment whose skb fits
            // in the memory already forward-allocated, and never looks at the buffer;
            // `tcp_data_queue` makes room first (`tcp_try_rmem_schedule`) and, when none can
            // be made, drops the segment unless the queue is empty (then the memory is
            // forced: `sk_forced_mem_schedule`), answering at once (ICSK_ACK_NOMEM).
            let truesize = self.truesize(take);
            let fast = predicted && truesize as i64 <= self.rcv_fwd_alloc;
            if self.truesize_accounting() && !fast && !self.try_rmem_schedule(truesize) {
                if !self.rcv_skbs.is_empty() {
                    return true;
                }
                self.rmem_schedule(truesize);
            }
            self.rcvbuf.push_range(payload, skip, take);
            self.rcv_nxt += take;
            if self.truesize_accounting() {
                let before = self.rmem();
                self.queue_rcv_skb(take, skip == 0);
                self.rcv_fwd_alloc -= (self.rmem() - before) as i64;
            }
            self.delack_bytes += take;
            self.event_data_recv(take, ctx);
            self.drain_ooo();
            // `tcp_sack_remove`: blocks now below rcv_nxt are acknowledged cumulatively.
            let nxt = self.roff(self.rcv_nxt);
            self.sack_blocks.retain(|&(_, b)| b > nxt);
            if let Some(f) = self.ooo_fin {
                if f == self.roff(self.rcv_nxt) && !self.fin_received {
                    self.ooo_fin = None;
                    self.receive_fin(ctx);
                    // The FIN's own SACK block is now acknowledged cumulatively too.
                    let nxt = self.roff(self.rcv_nxt);
                    self.sack_blocks.retain(|&(_, b)| b > nxt);
                }
            }
            if !fast {
                // The end of `tcp_data_queue`.
                self.fast_path_check();
            }
            // Linux `__tcp_ack_snd_check`: more than one full segment unacknowledged, and
            // the window offered now (`__tcp_select_window`) is no smaller than the last
            // one, or the reader has taken everything (`rcv_nxt - copied_seq <
            // sk_rcvlowat`). While the data waits unread and the free space, not
            // rcv_ssthresh, bounds the window, the ACK waits for the delayed-ACK timer (the
            // reader's tcp_cleanup_rbuf sends the update). Measured on 6.18: 18 segments
            // into a reader that is away, quick-ACK mode used up after the 10th, the other 8
            // answered by one ACK 45 ms later.
            // Linux counts the bytes since the last window update (`rcv_nxt - rcv_wup`)
            // against the peer's segment size as seen (`icsk_ack.rcv_mss`), not ours.
            let linux = ctx.p.quickack_max > 0;
            let owed = if linux {
                let owed = self.delack_bytes > self.rcv_mss;
                if owed {
                    // The condition computes the window, with its side effect.
                    self.end_quickack_under_pressure();
                }
                owed
            } else {
                self.delack_bytes > ctx.p.ack_every_segments.saturating_sub(1) * self.snd_mss
            };
            had_ooo
                || (owed
                    && (!linux || self.rcvbuf.is_empty() || self.window_now(ctx.p) >= self.rcv_wnd))
        } else {
            // `tcp_data_queue_ofo` schedules the ACK (`inet_csk_schedule_ack`), so the
            // duplicate ACK it draws uses up a quick ACK like any other (`tcp_dec_quickack_mode`).
            // Measured on 6.18 (loss-fast-retransmit with TCP_MAXSEG 536): after 13
            // duplicate ACKs and three in-order ones, the next segment waits for the
            // delayed ACK. Before that it makes room (`tcp_try_rmem_schedule`) or drops
            // the segment unanswered (LINUX_MIB_TCPOFODROP), and turns header prediction off.
            if self.truesize_accounting() && !self.try_rmem_schedule(self.truesize(take)) {
                return false;
            }
            self.rcv_pred_wnd = None;
            self.ack_sched = true;
            // Linux 6.17+ measures the peer's MSS and the truesize ratio on out-of-order
            // segments too ([`TcpSocket::measure_rcv_mss`]); the RFC profile, which has no
            // delayed-ACK engine, measures nothing.
            if ctx.p.quickack_max > 0 {
                self.measure_rcv_mss(take);
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
            if grows && self.truesize_accounting() {
                // `tcp_grow_window` runs before `skb_set_owner_r` charges the skb: the room
                // it sees (`tcp_space`) does not count the segment being queued. Measured on
                // 6.18 (`ofo-window-growth`): after four out-of-order full segments and the
                // hole filled, one read reopens the window to 10136 (rcv_ssthresh grew by
                // 2896 on the first), where counting the skb would leave it at 8688.
                self.grow_window(take);
            }
            if let Some(k) = into {
                if let Some(skb) = self.ooo.get_mut(&k) {
                    for_each_in_range(payload, skip, take, |sp| push_span(&mut skb.spans, sp));
                    skb.tailroom -= take;
                    self.ooo_bytes += take;
                }
            } else if !covered {
                // Out of order: keep it (the longer copy replaces one on the same start).
                let skb = OfoSkb {
                    spans: slice_spans(payload, skip, take),
                    truesize: self.truesize(take),
                    tailroom: self.tailroom(take),
                };
                let truesize = skb.truesize;
                let old = self.ooo.insert(start, skb);
                let had = old.as_ref().map_or(0, |o| spans_len(&o.spans));
                self.ooo_bytes = self.ooo_bytes - had + take;
                if self.rcv_skb_overhead > 0 {
                    let freed = old.map_or(0, |o| o.truesize);
                    self.ooo_mem = self.ooo_mem + truesize as u64 - freed as u64;
                    self.rcv_fwd_alloc -= truesize as i64;
                    self.rmem_uncharge(freed as u64);
                }
            }
            if grows && !self.truesize_accounting() {
                // Payload accounting: the room is the window less what is held.
                self.grow_window(take);
            }
            if self.sack_ok {
                if covered {
                    // Already held: a duplicate, reported as a D-SACK (`tcp_data_queue_ofo`).
                    self.dsack = Some((start, end));
                }
                self.sack_add(start, end);
            }
            true
        }
    }

    /// Moves the out-of-order segments that now follow `rcv_nxt` into the receive buffer. They
    /// are the first entries of the sorted map, removed in one go at the end (one shift of the
    /// rest, however many were taken).
    fn drain_ooo(&mut self) {
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
                self.rmem_uncharge(before - after);
            } else {
                self.rcv_fwd_alloc -= (after - before) as i64;
            }
            taken += 1;
        }
        self.ooo.remove_first(taken);
    }

    fn receive_fin(&mut self, ctx: &mut Ctx) {
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

    fn enter_time_wait(&mut self, ctx: &mut Ctx) {
        self.set_state(TcpState::TimeWait, ctx);
        for k in [
            TimerKind::Retransmit,
            TimerKind::Persist,
            TimerKind::FinWait2,
            TimerKind::DelayedAck,
        ] {
            self.cancel_timer(k, ctx);
        }
        // `inet_twsk_schedule`: TCP_TIMEWAIT_LEN on the timewait socket's timer_list, which
        // the wheel files at level 3 (512-jiffy buckets at HZ 250): 60 to 62 s.
        self.arm_timer(TimerKind::TimeWait, ctx.p.time_wait_us, ctx);
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

    // ---------------------------------------------------------------- timers

    pub fn on_timer(&mut self, k: TimerKind, ctx: &mut Ctx) {
        self.timers[timer_index(k)] = None;
        ctx.emit(EventKind::TimerFired {
            socket: self.id,
            timer: k,
        });
        match k {
            TimerKind::Retransmit => self.on_rto(ctx),
            TimerKind::DelayedAck => {
                if (self.delack_bytes > 0 || self.ack_sched)
                    && self.remote.is_some()
                    && self.state != TcpState::Closed
                {
                    // `tcp_delack_timer_handler`: a missed delayed ACK inflates the ATO, or
                    // ends ping-pong mode and deflates it.
                    if self.pingpong {
                        self.pingpong = false;
                        self.ato = ctx.p.delayed_ack_us;
                    } else if self.ato > 0 {
                        self.ato = (self.ato * 2).min(self.rtt.rto);
                    }
                    self.send_ack(ctx);
                }
            }
            TimerKind::Persist => self.on_persist(ctx),
            TimerKind::TimeWait | TimerKind::FinWait2 => self.set_state(TcpState::Closed, ctx),
            TimerKind::Keepalive => {}
        }
        self.report(ctx);
    }

    fn on_rto(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        if std::mem::take(&mut self.tlp_armed) {
            return self.send_loss_probe(ctx);
        }
        if std::mem::take(&mut self.reo_armed) {
            // `tcp_rack_reo_timeout`: look for the loss again, then the RTO as before.
            self.rack_reo_timeout(ctx);
            if self.timer(TimerKind::Retransmit).is_none() && self.snd_max.gt(self.snd_una) {
                self.arm_rto_from_head(ctx);
            }
            return;
        }
        // `tcp_retransmit_timer`: an RTO ends any probe episode.
        self.tlp_high_seq = None;
        self.retransmits += 1;
        self.backoff += 1;
        self.probe_backoff += 1;
        self.stats.timeouts += 1;
        self.rtt_probe = None; // Karn's algorithm (RFC 6298 §3)
        match self.state {
            SynSent => {
                // `tcp_write_timeout`: give up after tcp_syn_retries + tcp_syn_linear_timeouts
                // retransmissions, or (Linux) once the time tcp_syn_retries stands for, with
                // the initial RTO as base (`tcp_timeout_init`), has passed since the first SYN.
                let p = ctx.p;
                let count_spent = self.retransmits > p.syn_retries + p.syn_linear_timeouts;
                let time_spent = if self.user_timeout_us > 0 {
                    // `retransmits_timed_out(sk, retry_until, icsk_user_timeout)`: with
                    // TCP_USER_TIMEOUT the time allowed is the user timeout, from the first
                    // SYN (`tcp_connect` sets retrans_stamp), once a SYN has been resent.
                    // Measured on 6.18: a 2.5 s user timeout, SYNs at 0, 1.03 and 2.05 s,
                    // connect() failed with ETIMEDOUT at 2.54 s instead of resending.
                    self.retransmits > 1
                        && self
                            .retrans_stamp
                            .is_some_and(|s| ctx.now - s >= self.user_timeout_us)
                } else {
                    p.retries_as_time_budget
                        && self.retry_budget_spent(p.syn_retries, p.rto_initial_us, ctx)
                };
                if count_spent || time_spent {
                    return self.fail("ETIMEDOUT", ctx);
                }
                self.send_syn(self.retransmits, ctx);
                self.stats.retransmits += 1;
                self.arm_rto(ctx);
                // `tcp_retransmit_timer` → `tcp_clamp_rto_to_user_timeout`: the next SYN
                // timer falls no later than the user timeout's end.
                self.clamp_rto_to_user_timeout(ctx);
            }
            SynReceived => {
                let limit = self.synack_retries_limit.unwrap_or(ctx.p.synack_retries);
                if self.retransmits > limit {
                    // The request expires (Linux `reqsk_timer_handler`).
                    if self.parent.is_some() {
                        self.set_state(Closed, ctx);
                    } else {
                        self.fail("ETIMEDOUT", ctx);
                    }
                    return;
                }
                self.synack_retransmits += 1;
                self.send_syn(self.retransmits, ctx);
                self.stats.retransmits += 1;
                self.arm_rto(ctx);
            }
            Established | CloseWait | FinWait1 | Closing | LastAck => {
                let p = ctx.p;
                // An orphan gives up after tcp_orphan_retries (`tcp_write_timeout` →
                // `tcp_orphan_retries(sk, alive)`), alive while the last RTO was under
                // tcp_rto_max.
                let boundary = if self.app_closed {
                    let alive = self.rtt.rto_backed_off(self.backoff - 1, p) < p.rto_max_us;
                    orphan_retries(p, alive)
                } else {
                    p.data_retries
                };
                // `tcp_retransmit_timer`: "Receiver dastardly shrinks window. Our retransmits
                // become zero probes, but we should not timeout this connection": with the
                // peer's window at 0 under data in flight, and the socket not an orphan, the
                // retry budget is not consulted (`tcp_write_timeout` is skipped); RFC 1122
                // §4.2.2.17 keeps a connection open while its probes are acknowledged.
                let shrunk = self.snd_wnd == 0 && !self.app_closed;
                let spent = if shrunk {
                    self.rtx_probe0_timed_out(ctx)
                } else if self.user_timeout_us > 0 {
                    // `tcp_write_timeout` → `retransmits_timed_out(sk, tcp_retries2,
                    // icsk_user_timeout)`: the user timeout replaces the retry budget, counted
                    // like it from `retrans_stamp`, the first RTO retransmission (not the
                    // first transmission: measured on 6.18, data first sent at 0.150 s with a
                    // 1 s user timeout, retransmitted at 0.645 s, died at 1.651 s).
                    self.retransmits > 1
                        && self
                            .retrans_stamp
                            .is_some_and(|s| ctx.now - s >= self.user_timeout_us)
                } else if p.retries_as_time_budget {
                    // `retransmits_timed_out(sk, tcp_retries2, 0)`: a time budget built on
                    // the constant TCP_RTO_MIN whatever this connection's RTO and whatever
                    // the sysctl tcp_rto_min_us says, from the first retransmission.
                    self.retry_budget_spent(boundary, super::rtt::LINUX_TCP_RTO_MIN_US, ctx)
                } else {
                    self.retransmits > boundary
                };
                if spent {
                    return self.fail("ETIMEDOUT", ctx);
                }
                if self.retrans_stamp.is_none() {
                    self.retrans_stamp = Some(ctx.now);
                }
                if self.scoreboard(p) {
                    self.enter_loss(ctx);
                } else {
                    // RFC 5681 §3.1 and RFC 6298 §5.4-5.6: ssthresh from the flight, cwnd one
                    // segment, back off, retransmit from the first unacknowledged byte
                    // (go-back-N: what follows is sent again as new ACKs open the window).
                    let flight = self.snd_max.diff(self.snd_una).max(0) as u32;
                    self.cc.on_rto_textbook(flight);
                    self.cc.cubic_loss_reset(ctx.now, self.snd_max);
                    self.snd_nxt = self.snd_una;
                    if !self.output(ctx) {
                        self.retransmit_first(ctx);
                    }
                }
                self.arm_rto(ctx);
                self.clamp_rto_to_user_timeout(ctx);
            }
            _ => {}
        }
    }

    /// Linux `tcp_rtx_probe0_timed_out`, for an RTO while the peer's window is shrunk to 0:
    /// the connection dies only once no ACK came for 2 × TCP_RTO_MAX (240 s) and the
    /// retransmissions (from `retrans_stamp`, or the head's send time before the first) have
    /// gone on that long too; TCP_USER_TIMEOUT shortens both, and retransmitting for longer
    /// than it kills it whatever the ACKs ("it does not want win 0 packets to 'reset the
    /// timer' while retransmits are not making progress").
    fn rtx_probe0_timed_out(&self, ctx: &Ctx) -> bool {
        let start = self
            .retrans_stamp
            .or_else(|| self.sent_log.front().map(|e| e.sent))
            .unwrap_or(ctx.now);
        let rtx_delta = ctx.now.saturating_sub(start);
        let mut timeout = 2 * super::rtt::LINUX_TCP_RTO_MAX_US;
        if self.user_timeout_us > 0 {
            if rtx_delta > self.user_timeout_us {
                return true;
            }
            timeout = timeout.min(super::wheel::in_jiffies(self.user_timeout_us, ctx.p));
        }
        let rcv_delta = ctx.now.saturating_sub(self.rcv_tstamp);
        rcv_delta > timeout && super::wheel::in_jiffies(rtx_delta, ctx.p) > timeout
    }

    /// Linux `tcp_clamp_rto_to_user_timeout`: the next retransmission timer is armed for
    /// min(icsk_rto, msecs_to_jiffies(what is left of the user timeout)), one jiffy once
    /// nothing is left, so the connection dies on time, not an RTO later. Like every
    /// retransmission timer it goes on the wheel, which fires it after the user timeout's
    /// end, never before: a 488 ms timer (122 jiffies, level 1) is 4 to 32 ms late, so with
    /// a 500 ms user timeout counted from the first retransmission the kernel mostly finds
    /// the time spent when it fires and gives up without one more retransmission.
    fn clamp_rto_to_user_timeout(&mut self, ctx: &mut Ctx) {
        let (Some(start), Some(_)) = (self.retrans_stamp, self.timer(TimerKind::Retransmit)) else {
            return;
        };
        if self.user_timeout_us == 0 {
            return;
        }
        let p = ctx.p;
        let elapsed = ctx.now.saturating_sub(start);
        let rto = self.rtt.rto_backed_off(self.rto_shift(ctx), p);
        let delay = if elapsed >= self.user_timeout_us {
            p.clock_granularity_us.max(1)
        } else {
            rto.min(super::wheel::in_jiffies(self.user_timeout_us - elapsed, p))
        };
        if delay < rto {
            self.arm_timer(TimerKind::Retransmit, delay, ctx);
        }
    }

    fn on_persist(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        if !matches!(
            self.state,
            Established | CloseWait | FinWait1 | Closing | LastAck
        ) {
            return;
        }
        let waiting = self.sndbuf.tail > self.soff(self.snd_nxt)
            || (self.fin_queued && self.snd_nxt.le(self.fin_seq()));
        if self.snd_max.gt(self.snd_una) || !waiting {
            // `tcp_probe_timer`: data in flight (the RTO's business) or nothing to probe
            // for ends the episode.
            self.probes_out = 0;
            self.probes_tstamp = None;
            return;
        }
        if self.snd_wnd > 0 {
            // `tcp_probe_timer` first: with TCP_USER_TIMEOUT an episode whose first probe
            // is that old ends the connection, even though the window has opened since (a
            // part of it, smaller than the skb waiting, left the episode running:
            // `tcp_ack_probe`). Then `tcp_send_probe0` → `tcp_write_wakeup`: the window is
            // open, so the segment at the head goes out whatever Nagle or TCP_CORK say
            // (corked data's ceiling), and with data in flight the episode ends.
            let first_probe = *self.probes_tstamp.get_or_insert(ctx.now);
            if self.user_timeout_us > 0 && ctx.now - first_probe >= self.user_timeout_us {
                return self.fail("ETIMEDOUT", ctx);
            }
            self.push_once = true;
            self.output(ctx);
            if self.snd_max.gt(self.snd_una) {
                self.probes_out = 0;
                self.probe_backoff = 0;
                self.probes_tstamp = None;
            }
            return;
        }
        // `tcp_probe_timer`: the probes' limit is tcp_retries2, or for an orphan (closed by
        // the application, SOCK_DEAD) `tcp_orphan_retries(sk, alive)` as on the
        // retransmission timer, where a dead one (its backed-off interval at the maximum)
        // also goes once the backoff reached that count.
        let p = ctx.p;
        let max_probes = if self.app_closed {
            // `inet_csk_rto_backoff(icsk, TCP_RTO_MAX)`: icsk_rto << icsk_backoff.
            let alive = self
                .rtt
                .rto_backed_off(self.backoff + self.probe_backoff, p)
                < p.rto_max_us;
            let max = orphan_retries(p, alive);
            if !alive && self.probe_backoff >= max {
                return self.fail("ETIMEDOUT", ctx);
            }
            max
        } else {
            p.persist_probe_max
        };
        if self.probes_out >= max_probes {
            return self.fail("ETIMEDOUT", ctx);
        }
        // `tcp_send_probe0`: the interval doubles only while the backoff is under
        // tcp_retries2.
        if self.probe_backoff < p.persist_probe_max {
            self.probe_backoff += 1;
        }
        self.probes_out += 1;
        // `tcp_probe_timer`: with TCP_USER_TIMEOUT the probes stop once the first
        // unanswered one is that old, even while the peer answers them.
        let first_probe = *self.probes_tstamp.get_or_insert(ctx.now);
        if self.user_timeout_us > 0 && ctx.now - first_probe >= self.user_timeout_us {
            return self.fail("ETIMEDOUT", ctx);
        }
        if ctx.p.probe_with_data && self.sndbuf.tail > self.soff(self.snd_una) {
            // RFC 9293 §3.8.6.1: send one byte beyond the closed window.
            if self.snd_max.lt(self.snd_una + 1) {
                self.snd_max = self.snd_una + 1;
            }
            let psh = self.psh_alone(self.snd_una, 1, ctx);
            self.send_data_at(self.snd_una, 1, false, 0, psh, ctx);
        } else {
            // Linux `tcp_xmit_probe_skb`: an ACK with an old sequence number, which the
            // receiver must answer with its current window.
            let mut seg = self.make_segment(
                self.snd_una - 1,
                flags(false, true, false, false, false),
                Vec::new(),
                ctx,
            );
            seg.retransmission = 0;
            self.transmit(seg, ctx);
        }
        // `tcp_send_probe0`: the next probe after `tcp_probe0_when`, backed off once more.
        let t = self.persist_interval(ctx);
        self.arm_timer(TimerKind::Persist, t, ctx);
    }

    // ---------------------------------------------------------------- application calls

    /// Free space in the send buffer.
    pub fn send_space(&self) -> u32 {
        self.send_cap.saturating_sub(self.sndbuf.len() as u32)
    }

    /// How many of the `want` bytes a blocking send() copies now. Linux with SO_SNDBUF
    /// (profile `min_send_buffer` nonzero; `sk_setsockopt` doubles the value): `tcp_sendmsg_locked` fills the unsent tail skb, then
    /// starts skbs of `size_goal` while `sk_wmem_queued` (each skb's head and its bytes) is
    /// below `sk_sndbuf` (`sk_stream_memory_free`); a call that stopped sleeps until the free
    /// part is half the queued part (`sk_stream_wait_memory`, woken by
    /// `sk_stream_write_space`). Otherwise the free payload space.
    pub fn send_room(&mut self, want: u32, min_send_buffer: u32) -> u32 {
        if min_send_buffer == 0 || !self.sndbuf_locked {
            return self.send_space().min(want);
        }
        let limit = 2 * (self.send_cap.max(min_send_buffer) as u64);
        let mut queued = self.skbs.count() as u64 * SND_SKB_HEAD + self.sndbuf.len();
        if self.snd_wait && limit.saturating_sub(queued) < queued / 2 {
            return 0;
        }
        let goal = self.size_goal();
        let mut room = self.skbs.tail_room(goal, self.soff(self.snd_max));
        while room < want as u64 && queued < limit {
            room += goal;
            queued += SND_SKB_HEAD + goal;
        }
        let n = room.min(want as u64) as u32;
        self.snd_wait = n < want;
        n
    }

    pub fn can_send(&self) -> bool {
        matches!(self.state, TcpState::Established | TcpState::CloseWait) && !self.shut_wr
    }

    /// send(): queue the first `len` bytes of `spans` (the caller checked the space) and
    /// transmit what is allowed.
    /// `more` is MSG_MORE: this call's push holds a partial segment as TCP_CORK would.
    pub fn app_send(&mut self, spans: &[PayloadSpan], len: u32, more: bool, ctx: &mut Ctx) {
        if ctx.p.min_tso_segs == 0 {
            self.sndbuf.push_range(spans, 0, len);
            self.more = more;
            self.output(ctx);
            self.more = false;
        } else {
            self.write_skbs(spans, len, more, ctx);
        }
        self.report(ctx);
    }

    /// Linux `tcp_sendmsg_locked`: the bytes go into skbs of `size_goal`, and each skb that
    /// fills up is sent at once if it is the first unsent one (`tcp_push_one`: one GSO
    /// chunk), or with everything pending once more than half the peer's largest window
    /// was written since the last PSH (`forced_push` → `tcp_mark_push`,
    /// `__tcp_push_pending_frames`). The call ends with `tcp_push`: PSH on its last skb,
    /// then whatever the windows and Nagle allow. So the write's chunks interleave with
    /// its copying, and an skb cut by `tcp_push_one` takes more bytes while unsent.
    fn write_skbs(&mut self, spans: &[PayloadSpan], len: u32, more: bool, ctx: &mut Ctx) {
        let size_goal = self.size_goal();
        let mut copied = 0u32;
        while copied < len {
            let unsent_from = self.soff(self.snd_max);
            let (take, full) = self.skbs.append(
                self.sndbuf.tail,
                (len - copied) as u64,
                size_goal,
                unsent_from,
                copied == 0,
            );
            self.sndbuf.push_range(spans, copied, take as u32);
            copied += take as u32;
            if copied == len || !full {
                continue;
            }
            if self.sndbuf.tail > self.pushed_off + self.max_snd_wnd as u64 / 2 {
                self.mark_push();
                self.output(ctx);
            } else if self.skbs.tail_is_send_head(self.soff(self.snd_max)) {
                self.output_chunks(Some(1), ctx);
            }
        }
        // `tcp_push`: with MSG_MORE the last skb gets no PSH (unless a forced push is due)
        // and the push holds a partial segment (TCP_NAGLE_CORK) for this call.
        if !more || self.sndbuf.tail > self.pushed_off + self.max_snd_wnd as u64 / 2 {
            self.mark_push();
        }
        self.more = more;
        self.output(ctx);
        self.more = false;
    }

    /// Linux `tcp_mark_push`: PSH on the last skb, and the write position remembered.
    fn mark_push(&mut self) {
        self.skbs.mark_tail();
        self.pushed_off = self.sndbuf.tail;
    }

    /// setsockopt(TCP_CORK). Clearing it pushes what waits, under the usual Nagle rule
    /// (`__tcp_sock_set_cork` → `tcp_push_pending_frames`).
    pub fn set_cork(&mut self, on: bool, ctx: &mut Ctx) {
        self.cork = on;
        if !on {
            self.output(ctx);
            self.report(ctx);
        }
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
        // `tcp_cleanup_rbuf(sk, 1)` acknowledges only if more than one segment is unacked or
        // the receive queue is empty (a pushed segment, read): measured on 6.18, TCP_QUICKACK
        // set 10 ms after 100 unread bytes came sent nothing; the delayed ACK went 45 ms later.
        let owed = self.ack_sched || self.delack_bytes > 0;
        let now = self.delack_bytes > self.rcv_mss || self.rcvbuf.is_empty();
        if owed
            && now
            && self.remote.is_some()
            && matches!(self.state, TcpState::Established | TcpState::CloseWait)
        {
            self.send_ack(ctx);
            self.report(ctx);
        }
    }

    /// Would recv() return without waiting (poll's POLLIN; `tcp_poll`): data queued, the
    /// peer's FIN, an error, or this side shut for reading. A listener: a connection waits.
    pub fn readable(&self) -> bool {
        if let Some(l) = &self.listen {
            return !l.accept_queue.is_empty();
        }
        !self.rcvbuf.is_empty()
            || self.fin_received
            || self.shut_rd
            || self.error.is_some()
            || (self.state == TcpState::Closed && self.remote.is_some())
    }

    /// getsockopt(TCP_INFO) (`tcp_get_info`): windows in segments of `snd_mss` bytes; the
    /// RTO as it stands, backed off (`icsk_rto` doubles on each timeout).
    pub fn info(&self, p: &crate::profile::Profile) -> crate::trace::TcpInfo {
        let mss = self.snd_mss.max(1);
        let flight = self.snd_max.diff(self.snd_una).max(0) as u32;
        crate::trace::TcpInfo {
            state: self.state,
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
            unacked: flight.div_ceil(mss),
            retransmits: self.retransmits,
            total_retrans: self.stats.retransmits,
        }
    }

    /// recv() with a buffer of `max` bytes.
    pub fn app_recv(&mut self, max: u32, ctx: &mut Ctx) -> RecvOutcome {
        if !self.rcvbuf.is_empty() {
            let before = self.advertised_window_now();
            let queued = self.rcvbuf.len();
            // Already merged: `take_front` builds its list with `push_span`.
            let spans_out = self.rcvbuf.take_front(max as u64);
            self.rcv_copied += queued - self.rcvbuf.len();
            // A segment's memory is freed once all of it has been read.
            while self
                .rcv_skbs
                .front()
                .is_some_and(|&(end, _, _)| end <= self.rcv_copied)
            {
                if let Some((end, truesize, _)) = self.rcv_skbs.pop_front() {
                    self.rcv_head_off = end;
                    self.rmem_uncharge(truesize as u64);
                }
            }
            let window_update = if self.truesize_accounting() {
                // Linux `tcp_cleanup_rbuf`: ACK now if the window that can be offered is at
                // least twice what is left of the last offer, checked only while that is at
                // most half the clamp (a read that opens a closed window, or one that doubles
                // a small one).
                2 * before <= self.window_clamp() && {
                    let w = self.select_window_truesize();
                    w > 0 && w >= 2 * before
                }
            } else {
                // Window update (RFC 9293 §3.8.6.2.2): tell the sender once the window has
                // opened by at least min(MSS, buffer/2) from a small value.
                let after = self.our_window();
                let thresh = (self.our_mss as u32).min(self.rcv_cap / 2).max(1);
                before < thresh && after >= thresh
            };
            if self.remote.is_some()
                && matches!(
                    self.state,
                    TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
                )
                && window_update
            {
                self.send_ack(ctx);
            } else if ctx.p.quickack_max > 0
                && self.rcvbuf.is_empty()
                && (self.ack_sched || self.delack_bytes > 0)
                && (self.ack_pushed >= 2 || (self.ack_pushed == 1 && !self.pingpong))
                && self.remote.is_some()
            {
                // Linux `tcp_cleanup_rbuf`: once the application has read everything, a
                // pushed (small) segment is acknowledged at once, outside ping-pong mode.
                // Measured on 6.18: 22 small writes 50 ms apart to a reader blocked in
                // recv() — every one ACKed within 0.1 ms, also after the 16 quick ACKs;
                // to a reader that does not read, the 17th on waited 44-48 ms.
                self.send_ack(ctx);
            }
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

    fn advertised_window_now(&self) -> u32 {
        self.rcv_adv_edge.diff(self.rcv_nxt).max(0) as u32
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
        self.app_closed = true;
        if ctx.p.rst_on_close_with_unread
            && !self.rcvbuf.is_empty()
            && matches!(self.state, TcpState::Established | TcpState::CloseWait)
        {
            return self.app_abort(ctx);
        }
        if matches!(self.state, TcpState::SynReceived) {
            return self.app_abort(ctx);
        }
        self.app_shutdown(ctx);
        if self.state == TcpState::FinWait2 && ctx.p.fin_wait2_timeout_us > 0 {
            let tmo = self.fin_time(ctx);
            self.arm_timer(TimerKind::FinWait2, tmo, ctx);
        }
    }

    /// How long an orphan may stay in FIN-WAIT-2: Linux `tcp_fin_time`, tcp_fin_timeout but
    /// never less than 3.5 RTOs (`(rto << 2) - (rto >> 1)` on `icsk_rto`, in jiffies), so
    /// that a peer far away still has time to send its FIN. Measured on 6.18 (fin-wait2-
    /// timeout over a 300 ms wire, tcp_fin_timeout 2 s, RTO about 1.7 s): the orphan's
    /// timer ran 5.95 s, not 2 s; over 20 ms (RTO 0.2 s) it is tcp_fin_timeout's 2 s.
    fn fin_time(&self, ctx: &Ctx) -> Micros {
        let p = ctx.p;
        let rto = super::wheel::in_jiffies(self.rtt.rto_backed_off(self.rto_shift(ctx), p), p);
        let floor = match p.clock_granularity_us {
            j if p.timer_wheel && j > 0 => {
                let rj = rto / j;
                ((rj << 2) - (rj >> 1)) * j
            }
            _ => (rto << 2) - (rto >> 1),
        };
        p.fin_wait2_timeout_us.max(floor)
    }

    /// close() with SO_LINGER {on, 0}: send RST and drop everything (RFC 9293 §3.10.5 ABORT).
    pub fn app_abort(&mut self, ctx: &mut Ctx) {
        use TcpState::*;
        self.app_closed = true;
        if matches!(
            self.state,
            SynReceived | Established | FinWait1 | FinWait2 | CloseWait
        ) {
            self.send_rst(ctx);
        }
        self.set_state(Closed, ctx);
        self.report(ctx);
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
