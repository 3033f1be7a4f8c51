//! Scenarios: the input of a run, as data (JSON). Documented in `docs/scenario-format.md`.
//!
//! A scenario names hosts, the network between them, scripted faults, sockets and the
//! applications' scripts of socket calls, plus the profile and the seed.

use serde::{Deserialize, Serialize};

use crate::profile::{ProfileId, ProfileOverrides};
use crate::trace::{Micros, Proto, ShutHow, SockOpt};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub profile: ProfileId,
    /// Single profile constants changed for this run (sysctls such as `synack_retries`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub tuning: ProfileOverrides,
    pub hosts: Vec<HostSpec>,
    #[serde(default)]
    pub network: NetworkSpec,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultRule>,
    /// Multicast groups (name → address), joined by UDP sockets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
    pub sockets: Vec<SocketSpec>,
    #[serde(default)]
    pub apps: Vec<AppScript>,
    #[serde(default)]
    pub limits: Limits,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    pub name: String,
    /// Shown as the host's address ("10.0.0.1").
    pub addr: String,
    /// This host's own changes to the profile, on top of the scenario's `tuning`: two hosts
    /// can differ in anything a real machine can (its sysctls: `tcp_timestamps`, `tcp_sack`,
    /// `tcp_window_scaling`, buffer sizes, the congestion response...). Same field names as
    /// `tuning`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub tuning: ProfileOverrides,
    /// A scripted peer: this host runs no TCP stack; its side is written out segment by
    /// segment, with expectations on what the modelled stack sends back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<crate::script::PeerScript>,
    /// A SYN flood source: this host runs no TCP stack; it sends SYNs and answers nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flood: Option<SynFlood>,
}

/// `hosts[].flood`: `count` SYNs to `to`, one every `every_us` from `at_us`, each from the next
/// source port (`first_port`, `first_port + 1`, …), the way a flood tool sends them (hping3
/// `-S --flood` counts its source port up by one per packet). The host answers nothing: no
/// ACK for a SYN-ACK, no RST either, as if the SYNs' source addresses were spoofed. So each SYN
/// that a listener accepts leaves a request in its SYN queue that no final ACK will ever
/// complete, until its SYN-ACK retries (`tcp_synack_retries`) run out.
///
/// The SYN is a bare one: no options, window 64 (hping3's defaults), sequence numbers from
/// the scenario's seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynFlood {
    /// "host:port" of the listener.
    pub to: String,
    pub count: u32,
    #[serde(default)]
    pub at_us: Micros,
    #[serde(default)]
    pub every_us: Micros,
    #[serde(default = "SynFlood::default_first_port")]
    pub first_port: u16,
}

impl SynFlood {
    fn default_first_port() -> u16 {
        1024
    }
}

impl HostSpec {
    /// A host with the scenario's profile and no script.
    pub fn new(name: &str, addr: &str) -> HostSpec {
        HostSpec {
            name: name.into(),
            addr: addr.into(),
            tuning: ProfileOverrides::default(),
            script: None,
            flood: None,
        }
    }
}

/// One direction of the network (or both, as the default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkSpec {
    /// One-way propagation delay.
    pub latency_us: Micros,
    /// Extra delay drawn uniformly from 0..=jitter_us per packet.
    pub jitter_us: Micros,
    /// Bits per second; 0 means no serialisation delay.
    pub bandwidth_bps: u64,
    /// How long the receiving end takes to hand one packet to its host's stack before it can
    /// hand over the next, µs: packets due closer together than this arrive this far apart.
    /// 0: a flight due at one instant arrives at that instant, as a NIC hands a burst over
    /// in one NAPI poll (GRO merging it) or loopback in one softirq batch, so a reader it
    /// wakes reads it all. A TUN device written by a user-space relay (the lab's wire) takes
    /// one packet per write(2), and each write runs the receiving stack to the end
    /// (`tun_get_user` → `tun_rx_batched` → `netif_receive_skb`), waking a blocked reader
    /// (`tcp_data_ready` → `sock_def_readable`) before the next packet is handed over.
    #[serde(default, skip_serializing_if = "is_default")]
    pub handover_us: Micros,
    /// How long the receiving end takes over a packet that starts a train (one due after the
    /// last has been handed over), µs, when that is longer than `handover_us`: the next
    /// packet arrives this long after it. 0: `handover_us`, as for every other packet. The
    /// lab's relay takes longer over the first write of a flight than over the ones behind
    /// it (measured on 6.18 in 330 trains: the second packet 26-256 µs after the first,
    /// median 66, the others 3 µs apart at the median), so a reader the first packet wakes runs before the
    /// second, and one a later packet wakes runs after the next.
    #[serde(default, skip_serializing_if = "is_default")]
    pub first_handover_us: Micros,
    /// How long the link must have handed nothing over before a packet, µs, for that packet
    /// to take `first_handover_us` when it starts a train; one that starts a train sooner
    /// after the last hand-over takes `handover_us`. 0: every packet that starts a train
    /// takes `first_handover_us`. What makes the lab relay's write(2) long is the receiving
    /// stack's work inside it, not the packet's place in a train: waking a reader that
    /// went back to sleep (`sock_def_readable` → `try_to_wake_up` of a task on the other
    /// CPU), and running the receive path cold after an idle spell (`tcp_v4_rcv` →
    /// `tcp_rcv_established`, the ACK it may send at once through `__tcp_ack_snd_check`).
    /// Measured on 6.18 (per-write timings of the relay, 2-core VM, load 3.0-6.6): a write
    /// into a stack that took a packet less than 150 µs before lasted 2 µs at the median
    /// (90th percentile 5, 2173 writes) whether it sent an ACK at once or not, one after
    /// 150-1000 µs 16, one after 1 ms or more 28 (6-206); a packet sent 20 µs behind one
    /// already handed over, to a reader the train's first packet woke, came 2-4 µs behind
    /// it. The lab's figure is `FIRST_HANDOVER_IDLE_US` in crates/lab/src/wire.rs.
    #[serde(default, skip_serializing_if = "is_default")]
    pub first_handover_idle_us: Micros,
    /// How long the receiving end takes over each packet of a UDP datagram (the datagram, or
    /// each of its IP fragments), µs, whether or not it starts a train; 0: as any other
    /// packet (`handover_us`, `first_handover_us`). The long first hand-over was measured on
    /// TCP flights, whose first write runs `tcp_rcv_established` to the end (in quick-ack
    /// mode sending the ACK too, `__tcp_ack_snd_check` → `tcp_send_ack`) while the segments
    /// behind it go to the backlog of the socket the woken reader owns (`tcp_add_backlog`);
    /// a datagram is only queued (`__udp_enqueue_schedule_skb`; a fragment is held by
    /// `ip_defrag`). Datagrams sent together land before the reader the first one woke has
    /// run, and that reader finds them all queued: the buffer is charged with all of them
    /// when it takes the first (measured on 6.18 through the lab's wire, 2-6 datagrams of
    /// 100-1400 bytes sent back to back, 85 runs: the second 25-81 µs after the first,
    /// median 41, the rest 2 µs apart at the median, and the reader's recv() back 66-277 µs
    /// after the first, after the last in 85 of 85). A value below the reader's
    /// `reader_wake_us` says that order; the lab's 2 stands for the first gap too.
    #[serde(default, skip_serializing_if = "is_default")]
    pub datagram_handover_us: Micros,
    /// How long every packet takes to pass the link's two ends on top of `latency_us`, µs
    /// (out of the sender's device, into the receiver's stack). 0: a link of latency 0
    /// delivers at the instant of sending. The lab's wire is a user-space relay that reads
    /// each packet from one TUN device and writes it to the other, so even at 0 ms a round
    /// trip takes tens of µs (measured on 6.18: relay read to relay read 29-117 µs a pass),
    /// and below a millisecond of RTT `tcp_tso_should_defer` compares exactly those µs.
    #[serde(default, skip_serializing_if = "is_default")]
    pub pass_us: Micros,
    /// Largest IP packet; bigger ones are dropped (DF set).
    pub mtu: u32,
    /// Random loss, percent (0-100).
    pub loss_pct: f64,
    /// Random duplication, percent.
    pub duplicate_pct: f64,
    /// Percent of packets held back by an extra `latency_us + jitter_us` so later ones
    /// overtake them.
    pub reorder_pct: f64,
}

impl Default for LinkSpec {
    fn default() -> LinkSpec {
        LinkSpec {
            latency_us: 20_000,
            jitter_us: 0,
            bandwidth_bps: 0,
            handover_us: 0,
            first_handover_us: 0,
            first_handover_idle_us: 0,
            datagram_handover_us: 0,
            pass_us: 0,
            mtu: 1500,
            loss_pct: 0.0,
            duplicate_pct: 0.0,
            reorder_pct: 0.0,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Applies to every direction without an override.
    #[serde(default)]
    pub default: LinkSpec,
    /// Per-direction overrides (host names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directions: Vec<DirectionSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectionSpec {
    pub from: String,
    pub to: String,
    pub link: LinkSpec,
}

/// Which segments a fault rule matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentMatch {
    #[default]
    Any,
    /// SYN without ACK.
    Syn,
    SynAck,
    /// ACK with no data and no SYN/FIN/RST.
    PureAck,
    /// Carries payload (TCP or UDP).
    Data,
    Fin,
    Rst,
    Udp,
}

/// What a fault rule does to the segments it matches. Variants without data are written with
/// braces (`Drop {}`): serde lets a unit variant of an internally tagged enum ignore every other
/// key, so a misspelt field in the rule (`"nht": 3`) would pass unnoticed; an empty struct
/// variant refuses it by name, like every other scenario object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    Drop {},
    /// Deliver later by this much.
    Delay {
        by_us: Micros,
    },
    /// Deliver an extra copy.
    Duplicate {},
}

/// "Drop the 3rd segment from A", "drop every SYN-ACK", "delay the FIN by 2 s".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Sending host name (any if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default)]
    pub matches: SegmentMatch,
    /// Only the n-th matching segment (1-based); every match if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    /// Only segments sent at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_us: Option<Micros>,
    /// Only segments sent before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_us: Option<Micros>,
    #[serde(flatten)]
    pub action: FaultAction,
}

impl FaultRule {
    /// Drops the `nth` (1-based) segment matching `matches` that `from` sends; every one of
    /// them with `None`.
    pub fn drop(from: &str, matches: SegmentMatch, nth: Option<u32>) -> FaultRule {
        FaultRule {
            from: Some(from.into()),
            to: None,
            matches,
            nth,
            after_us: None,
            until_us: None,
            action: FaultAction::Drop {},
        }
    }

    /// Holds the `nth` (1-based) segment matching `matches` that `from` sends for `by_us`
    /// (reordering it behind the segments that follow); every one of them with `None`.
    pub fn delay(from: &str, matches: SegmentMatch, nth: Option<u32>, by_us: Micros) -> FaultRule {
        FaultRule {
            action: FaultAction::Delay { by_us },
            ..FaultRule::drop(from, matches, nth)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub name: String,
    pub addr: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketSpec {
    /// Name used by scripts and shown in the viewer.
    pub label: String,
    pub host: String,
    pub proto: Proto,
    /// 0: an ephemeral port chosen by the host (from 40000 up).
    #[serde(default)]
    pub port: u16,
    /// SO_RCVBUF override, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recv_buffer: Option<u32>,
    /// SO_SNDBUF override, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_buffer: Option<u32>,
    /// TCP_NODELAY from the start.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_delay: bool,
    /// SO_REUSEADDR. UDP: several sockets on one port, each gets multicast copies. TCP: a
    /// listener may bind a port that connections (one in TIME-WAIT) still hold, when they
    /// were accepted by a listener that set it too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reuse_addr: bool,
    /// Multicast groups (names from `groups`) this UDP socket joins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub join: Vec<String>,
    /// TCP_MAXSEG before connect()/listen(): the MSS this socket announces and sends with is
    /// at most this (Linux `tp->rx_opt.user_mss`, applied in `tcp_mss_clamp` and
    /// `tcp_sync_mss`). Connections a listener accepts inherit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seg: Option<u16>,
    /// TCP_SYNCNT: this socket's SYN retransmissions before connect() fails, instead of the
    /// host's `tcp_syn_retries` (`icsk->icsk_syn_retries`, 1..=127).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syn_count: Option<u32>,
    /// TCP_CORK from the start (see [`SockOpt::TcpCork`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cork: bool,
    /// TCP_USER_TIMEOUT from the start, microseconds (see [`SockOpt::TcpUserTimeout`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_timeout_us: Option<Micros>,
    /// SO_LINGER {on, this} from the start: 0 makes close() reset the connection, more makes
    /// it wait that long for the FIN's ACK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linger_us: Option<Micros>,
    /// SO_REUSEPORT: sockets that all set it share one port; each new connection (TCP) or
    /// datagram (UDP) goes to one of them, chosen by a hash of its addresses and ports.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reuse_port: bool,
    /// Which member of an SO_REUSEPORT group this socket's connection (TCP) or datagrams
    /// (UDP) reach: a listener's or receiver's label. Linux picks by a hash of the addresses
    /// and ports keyed with a secret drawn at boot (`inet_ehashfn`, `udp_ehashfn` →
    /// `reuseport_select_sock`), so the pick differs from machine to machine; the model's
    /// own hash is fixed. Set, the model takes this member instead (when it is one of the
    /// group the segment reaches); `synack-lab compare` sets it on every client from the
    /// kernel's run, as it gives the model the kernel's timer ticks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuseport_pick: Option<String>,
}

impl SocketSpec {
    /// A socket with every option at the kernel's default (none set).
    pub fn new(label: &str, host: &str, proto: Proto, port: u16) -> SocketSpec {
        SocketSpec {
            label: label.into(),
            host: host.into(),
            proto,
            port,
            recv_buffer: None,
            send_buffer: None,
            no_delay: false,
            reuse_addr: false,
            join: Vec::new(),
            max_seg: None,
            syn_count: None,
            cork: false,
            user_timeout_us: None,
            linger_us: None,
            reuse_port: false,
            reuseport_pick: None,
        }
    }
}

/// A script of socket calls. Steps run in order; each starts at the later of its `at_us`
/// (absolute), `after_us` past the previous step's return, and that return.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppScript {
    /// The socket the script starts on (a label from `sockets`).
    pub socket: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_us: Option<Micros>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_us: Option<Micros>,
    /// Run this step (and the following ones) on another socket, by label; accepted
    /// connections are labelled by their `accept` step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    #[serde(flatten)]
    pub action: Action,
}

impl Step {
    pub fn now(action: Action) -> Step {
        Step {
            at_us: None,
            after_us: None,
            on: None,
            action,
        }
    }
    pub fn at(at_us: Micros, action: Action) -> Step {
        Step {
            at_us: Some(at_us),
            ..Step::now(action)
        }
    }
    pub fn after(after_us: Micros, action: Action) -> Step {
        Step {
            after_us: Some(after_us),
            ..Step::now(action)
        }
    }
}

/// A socket call. Calls without arguments are written with braces (`Close {}`), as in
/// [`FaultAction`]: a step's misspelt field (`"after_ms"`) is then refused by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// TCP: active open to "host:port"; blocks until established or failed.
    /// UDP: sets the default destination.
    Connect {
        to: String,
    },
    Listen {
        backlog: u32,
    },
    /// Blocks until a connection is in the accept queue; following steps use it.
    Accept {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Send `len` bytes, optionally as a named message (followed byte by byte in the trace).
    Send {
        len: u32,
        /// MSG_MORE: more is coming, so this call leaves a partial segment unsent (TCP_CORK
        /// for this call only).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        more: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Framing bytes (a length prefix, a delimiter) rather than opaque data.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<crate::trace::MessageContent>,
    },
    /// UDP sendto "host:port" or "group:port".
    SendTo {
        to: String,
        len: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// recv()/recvfrom() with a buffer of `max` bytes; blocks until something is there.
    Recv {
        max: u32,
    },
    /// A read loop: recv(max) again and again until it returns 0 (EOF) or an error. Each
    /// call shows in the trace.
    RecvLoop {
        max: u32,
    },
    /// shutdown(): `how` is `"wr"` (default, SHUT_WR), `"rd"` or `"rdwr"`.
    Shutdown {
        #[serde(default, skip_serializing_if = "ShutHow::is_wr")]
        how: ShutHow,
    },
    Close {},
    /// close() with SO_LINGER {on, 0}: RST.
    Abort {},
    /// TCP_NODELAY. Written `"value"` in JSON: a step's `"on"` is the socket it switches to.
    SetNoDelay {
        #[serde(rename = "value")]
        on: bool,
    },
    /// setsockopt() of one option: `{"call": "setsockopt", "option": "tcp_cork", "on": true}`.
    #[serde(rename = "setsockopt")]
    /// (A newtype variant, not `{ option }` with `#[serde(flatten)]`: serde cannot refuse
    /// unknown fields beside a flattened one.)
    SetSockOpt(SockOpt),
    /// poll() for readability (POLLIN): returns when recv() would not block (data, end of
    /// file, an error; a listener: a connection to accept), or after `timeout_us`.
    Poll {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_us: Option<Micros>,
    },
    /// getsockopt(TCP_INFO): the socket's state, RTO, RTT, cwnd, ssthresh and retransmission
    /// counts go into the trace as the call's result.
    TcpInfo {},
}

impl Action {
    /// send() of `len` bytes of opaque data: no message name, no framing, no MSG_MORE.
    pub fn send(len: u32) -> Action {
        Action::Send {
            len,
            message: None,
            content: None,
            more: false,
        }
    }
}

/// How far a run may go. The first three are the scenario's own; the budget (`max_events`,
/// `max_sockets`) protects the machine: a run that reaches it stops, and its trace says so in
/// [`crate::trace::Trace::cut_short`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Stop the run at this time even if things are still happening.
    pub max_time_us: Micros,
    /// Budget: stop after this many trace events. An event costs about
    /// [`BYTES_PER_EVENT`] bytes of memory while the run lasts and about 166 bytes of trace
    /// JSON, so the default (1,000,000) stays within a few hundred MB.
    pub max_events: usize,
    /// A snapshot every this many events (at least; see `Trace::build_snapshots`, which
    /// spaces them further apart when there are many sockets).
    pub snapshot_every: usize,
    /// Budget: the most sockets a run may have, the scenario's plus accepted connections.
    /// Socket ids are 16-bit in the trace format, so this can never exceed
    /// [`MAX_SOCKET_IDS`]: a run stops before an id would wrap.
    pub max_sockets: usize,
}

/// Socket ids are `u16` (`trace::SocketId`); one id is kept free so that the check before each
/// event (which creates at most one socket) can never let an id wrap.
pub const MAX_SOCKET_IDS: usize = u16::MAX as usize;

/// Peak memory one trace event costs in `synack-lab sim`: the event, its share of the
/// snapshots and of the simulator's queues, and the JSON being written. Measured on a bulk
/// transfer stopped at the default budget: 1,000,000 events, 179 MB peak RSS in a release
/// build, a 166 MB trace. Used to state the budget in bytes.
pub const BYTES_PER_EVENT: usize = 180;

/// The ceiling `max_events` may be raised to (a scenario or `synack-lab sim --max-events`):
/// 20,000,000 events is about 3.6 GB.
pub const MAX_EVENTS_CEILING: usize = 20_000_000;

/// The longest simulated run: one day.
pub const MAX_TIME_CEILING_US: Micros = 86_400_000_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_time_us: 3_600_000_000,
            max_events: 1_000_000,
            snapshot_every: 256,
            max_sockets: MAX_SOCKET_IDS,
        }
    }
}

/// Why a scenario cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    UnknownHost(String),
    UnknownSocket(String),
    UnknownGroup(String),
    BadAddress(String),
    /// A number outside its documented range (docs/scenario-format.md).
    OutOfRange {
        /// Where it is, as a path: `network.default.jitter_us`, `apps[1].steps[0].len`.
        field: String,
        value: String,
        /// The allowed range, as text: `0..=60000000`.
        range: String,
    },
    Invalid(String),
    /// A scripted peer's expectation failed while the scenario ran.
    Script(crate::script::ScriptFailure),
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::UnknownHost(h) => write!(f, "unknown host \"{h}\""),
            ScenarioError::UnknownSocket(s) => write!(f, "unknown socket \"{s}\""),
            ScenarioError::UnknownGroup(g) => write!(f, "unknown multicast group \"{g}\""),
            ScenarioError::BadAddress(a) => {
                write!(f, "bad address \"{a}\" (expected \"host:port\")")
            }
            ScenarioError::OutOfRange {
                field,
                value,
                range,
            } => write!(f, "{field} = {value} is out of range (allowed: {range})"),
            ScenarioError::Invalid(why) => f.write_str(why),
            ScenarioError::Script(failure) => failure.fmt(f),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        serde_json::from_str(text).map_err(|e| ScenarioError::Invalid(format!("scenario: {e}")))
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    /// The overrides host `i` runs with: the scenario's `tuning` with the host's own
    /// `hosts[i].tuning` on top (a field the host sets is the host's). The one rule for both
    /// the model (`Sim`'s per-host profile) and the lab (each namespace's sysctls).
    pub fn host_tuning(&self, i: usize) -> ProfileOverrides {
        match self.hosts.get(i) {
            Some(h) => self.tuning.then(&h.tuning),
            None => self.tuning.clone(),
        }
    }
}

/// Percent → parts per million, clamped to 0..=100 %. NaN counts as 0.
pub(crate) fn pct_to_ppm(pct: f64) -> u32 {
    if pct.is_nan() || pct <= 0.0 {
        0
    } else if pct >= 100.0 {
        1_000_000
    } else {
        (pct * 10_000.0).round() as u32
    }
}

// ------------------------------------------------------------------ validation

/// The documented ranges (docs/scenario-format.md, "Ranges"). Every number a scenario gives is
/// checked before the run starts, so the simulator's arithmetic on them cannot overflow (all
/// times stay below `MAX_TIME_CEILING_US` plus a few of these, far from `u64::MAX`) and no
/// setting that would stall TCP (an MSS or a congestion window of 0) reaches the model.
pub mod ranges {
    use super::{Micros, MAX_EVENTS_CEILING, MAX_SOCKET_IDS, MAX_TIME_CEILING_US};
    use std::ops::RangeInclusive;

    /// One-way latency and jitter of a link: up to a minute.
    pub const LINK_DELAY_US: RangeInclusive<Micros> = 0..=60_000_000;
    /// 0 means no serialisation delay; up to 1 Tbit/s.
    pub const BANDWIDTH_BPS: RangeInclusive<u64> = 0..=1_000_000_000_000;
    /// A link's per-packet hand-over and pass times: 0 (a flight at one instant, no time
    /// through the ends) up to a second.
    pub const HANDOVER_US: RangeInclusive<Micros> = 0..=1_000_000;
    /// RFC 791: every host must accept a 68-byte datagram. The top is Linux's loopback MTU,
    /// 65536 (one more than IPv4's 16-bit total length can say: a packet never fills it, but
    /// `ip link` reports it and the MSS on lo, 65495, is taken from it).
    pub const MTU: RangeInclusive<u32> = 68..=65_536;
    pub const PERCENT: RangeInclusive<f64> = 0.0..=100.0;
    /// Any time a scenario names (a step's `at_us`, a fault's window or delay).
    pub const TIME_US: RangeInclusive<Micros> = 0..=MAX_TIME_CEILING_US;
    /// A fault's `nth` counts from 1.
    pub const NTH: RangeInclusive<u32> = 1..=u32::MAX;
    /// SO_RCVBUF / SO_SNDBUF and recv() buffers: Linux caps socket buffers near 1 GiB
    /// (`sock_setsockopt` doubles a value limited to INT_MAX / 2).
    pub const BUFFER: RangeInclusive<u32> = 1..=1 << 30;
    /// `tuning.rcv_skb_overhead`: an skb's truesize beyond its payload, bytes (the largest
    /// a 64 KiB segment's skb could carry on top: another 64 KiB block).
    pub const SKB_OVERHEAD: RangeInclusive<u32> = 0..=65_536;
    /// A send on a UDP socket (`send`, `send_to`): any length a program could pass, bounded
    /// like a socket buffer. Above the largest IPv4 datagram (65,507 bytes) the call fails
    /// with EMSGSIZE, as on Linux: a result to show, not a malformed scenario.
    pub const DATAGRAM: RangeInclusive<u32> = 0..=1 << 30;
    /// listen() backlog and somaxconn: listen()'s backlog is an int the kernel clamps to
    /// somaxconn (`__sys_listen`: a larger one becomes somaxconn), and net.core.somaxconn an
    /// int sysctl from 0 up (`proc_dointvec_minmax`, `SYSCTL_ZERO`); sk_max_ack_backlog is a
    /// u32 since Linux 5.7, so neither stops at 65,535.
    pub const BACKLOG: RangeInclusive<u32> = 0..=i32::MAX as u32;
    /// SYNs of one `hosts[].flood`: a flood tool sends far more, but each SYN a listener
    /// takes in is a socket of the run (within `limits.max_sockets`).
    pub const FLOOD_COUNT: RangeInclusive<u32> = 1..=10_000;
    pub const MAX_TIME: RangeInclusive<Micros> = 1..=MAX_TIME_CEILING_US;
    pub const MAX_EVENTS: RangeInclusive<usize> = 1..=MAX_EVENTS_CEILING;
    pub const SNAPSHOT_EVERY: RangeInclusive<usize> = 1..=MAX_EVENTS_CEILING;
    pub const MAX_SOCKETS: RangeInclusive<usize> = 1..=MAX_SOCKET_IDS;
    /// Linux TCP_MIN_MSS (88) up to what a 64 KiB IPv4 packet holds (65,535 − 40).
    pub const MSS: RangeInclusive<u16> = 88..=65_495;
    /// TCP_MAXSEG (`sockets[].max_seg`): `do_tcp_setsockopt` refuses a value below
    /// TCP_MIN_MSS or above MAX_TCP_WINDOW (32,767) with EINVAL.
    pub const MAX_SEG: RangeInclusive<u16> = 88..=32_767;
    /// RFC 7323 §2.3: a shift count above 14 is treated as 14; we refuse it instead.
    pub const WINDOW_SCALE: RangeInclusive<u8> = 0..=14;
    /// The initial RTO: 1 ms up to Linux's TCP_RTO_MAX, 120 s (no kernel setting moves
    /// TCP_TIMEOUT_INIT; RFC 6298 §2.1 says 1 s).
    pub const RTO_US: RangeInclusive<Micros> = 1_000..=120_000_000;
    /// `tcp_rto_min_us`: an int sysctl from 1 µs up and nothing above (`proc_dointvec_minmax`,
    /// extra1 SYSCTL_ONE, no extra2; 0 and 2^31 are EINVAL on 6.18). Below a jiffy it acts as
    /// one jiffy (`usecs_to_jiffies` rounds up), and above `rto_max_us` it is taken too: the
    /// RTO is floored by it, then capped by the maximum (`tcp_set_rto` → `tcp_bound_rto`),
    /// so the maximum wins.
    pub const RTO_MIN_US: RangeInclusive<Micros> = 1..=i32::MAX as Micros;
    /// `tcp_rto_max_ms` (Linux 6.15+): 1,000 to 120,000 ms (extra1 SYSCTL_ONE_THOUSAND,
    /// extra2 TCP_RTO_MAX_SEC × 1000; 999 and 120,001 are EINVAL on 6.18), in whole ms
    /// (`check_tuning` refuses a fraction: the sysctl cannot hold it).
    pub const RTO_MAX_US: RangeInclusive<Micros> = 1_000_000..=120_000_000;
    pub const CLOCK_GRANULARITY_US: RangeInclusive<Micros> = 1..=1_000_000;
    /// The ISN clock's tick: from Linux's 64 ns to a 1 s clock (0 would divide by zero).
    pub const ISN_TICK_NS: RangeInclusive<u32> = 1..=1_000_000_000;
    /// TCP_SYNCNT: `do_tcp_setsockopt` refuses values outside 1..=MAX_TCP_SYNCNT (EINVAL).
    pub const SYN_COUNT: RangeInclusive<u32> = 1..=127;
    /// `tcp_syn_retries` is limited to MAX_TCP_SYNCNT, 127.
    pub const SYN_RETRIES: RangeInclusive<u32> = 0..=127;
    /// `tcp_synack_retries` is a u8 sysctl; `tcp_retries2` and the probe count the same.
    pub const RETRIES: RangeInclusive<u32> = 0..=255;
    /// RFC 1122 §4.2.3.2: the ACK delay MUST be less than 0.5 s.
    pub const DELAYED_ACK_US: RangeInclusive<Micros> = 0..=500_000;
    /// `tuning.reader_wake_us` and `tuning.writer_wake_us`: a woken task's wait for a CPU,
    /// up to a second (a task busy longer is better written as a later step).
    pub const READER_WAKE_US: RangeInclusive<Micros> = 0..=1_000_000;
    /// A count of segments (ACK every n, initial cwnd, dupACK threshold); 0 would stall TCP.
    pub const SEGMENTS: RangeInclusive<u32> = 1..=10_000;
    pub const MAX_SYN_BACKLOG: RangeInclusive<u32> = 0..=1 << 20;
    /// A count that may be 0 (quick ACKs, initial ssthresh in segments with 0 for "none",
    /// the RFC 3465 slow-start limit L with 0 for Linux's "no limit").
    pub const COUNT: RangeInclusive<u32> = 0..=10_000;
    /// `tcp_min_tso_segs` is a u8 sysctl (0: the RFC profile's "no GSO chunks").
    pub const TSO_SEGS: RangeInclusive<u32> = 0..=255;
    /// The multiplicative decrease, in 1024ths of the window (CUBIC's beta is 717).
    pub const BETA_1024: RangeInclusive<u32> = 0..=1024;
    /// The receive space window scaling is chosen for (`tcp_select_initial_window`'s
    /// `space`; 0 means "from the buffer").
    pub const WSCALE_SPACE: RangeInclusive<u32> = 0..=1 << 30;
    /// A sysctl that is 0 or 1 (`tcp_slow_start_after_idle`: proc_dou8vec_minmax, 0..=1).
    pub const SWITCH: RangeInclusive<u8> = 0..=1;
    /// `tcp_frto`: 0 off; any other value of the u8 sysctl (`proc_dou8vec_minmax` with no
    /// bounds: the kernel takes 0-255 and refuses 256 with EINVAL) enables F-RTO on 6.x
    /// (`tcp_enter_loss` tests it for non-zero), 2 being the default the documentation names.
    pub const FRTO: RangeInclusive<u32> = 0..=255;
    /// `tcp_tw_reuse`: 0, 1, or 2 (loopback only); proc_dou8vec_minmax, 0..=2.
    pub const TW_REUSE: RangeInclusive<u8> = 0..=2;
    /// `tcp_tw_reuse_delay`: 1 ms up to TCP_PAWS_MSL, 60 s (proc_douintvec_minmax).
    pub const TW_REUSE_DELAY_US: RangeInclusive<Micros> = 1_000..=60_000_000;
    /// `tcp_comp_sack_nr`: a u8 sysctl (proc_dou8vec_minmax, 0..=255; 0 turns SACK
    /// compression off).
    pub const COMP_SACK_NR: RangeInclusive<u32> = 0..=255;
    /// `tcp_comp_sack_delay_ns` and `tcp_comp_sack_slack_ns`, in ns: the kernel takes any
    /// unsigned long; a minute is far past any wait 5 % of an RTT allows.
    pub const COMP_SACK_NS: RangeInclusive<u64> = 0..=60_000_000_000;
    /// `ip_local_port_range`'s ends: 1..=65535, the first at most the second
    /// (`ipv4_local_port_range` refuses the rest with EINVAL).
    pub const PORT: RangeInclusive<u16> = 1..=65_535;
}

/// An integer field of a scenario, widened to `u64` for its range check: every field type shares
/// one non-generic check (below), so the checks of the ~90 fields compile to one function and
/// ~90 calls of it. Generic over the value and over a closure naming the field, they were one
/// copy each (`Scenario::validate` and `check_tuning` were 29 KB of the first load's wasm,
/// twiggy, though they run once per simulation).
trait Wide: Copy {
    fn wide(self) -> u64;
}

macro_rules! wide {
    ($($t:ty),*) => {$(impl Wide for $t {
        fn wide(self) -> u64 {
            self as u64
        }
    })*};
}
wide!(u8, u16, u32, u64, usize);

/// `field` is where the value is (`format_args!`, so that the path is written out only when
/// the value is refused).
fn check<T: Wide>(
    field: std::fmt::Arguments<'_>,
    value: T,
    range: &std::ops::RangeInclusive<T>,
) -> Result<(), ScenarioError> {
    check_wide(
        field,
        value.wide(),
        range.start().wide(),
        range.end().wide(),
    )
}

#[inline(never)]
fn check_wide(
    field: std::fmt::Arguments<'_>,
    value: u64,
    lo: u64,
    hi: u64,
) -> Result<(), ScenarioError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ScenarioError::OutOfRange {
            field: field.to_string(),
            value: value.to_string(),
            range: format!("{lo}..={hi}"),
        })
    }
}

/// `check` for percentages: NaN is out of every range, so it is refused too. The value is
/// written without core's float formatting, which would be some kilobytes of every web build
/// that runs the model (the check runs before every simulation).
fn check_pct(field: std::fmt::Arguments<'_>, value: f64) -> Result<(), ScenarioError> {
    if ranges::PERCENT.contains(&value) {
        return Ok(());
    }
    Err(ScenarioError::OutOfRange {
        field: field.to_string(),
        value: pct_text(value),
        range: "0..=100".into(),
    })
}

/// A percentage as text: up to six decimals, integer arithmetic only.
fn pct_text(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a >= 1e12 {
        return format!("{sign}1e12 or more");
    }
    let micro = (a * 1e6).round() as u64;
    let (int, frac) = (micro / 1_000_000, micro % 1_000_000);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let f = format!("{frac:06}");
        format!("{sign}{int}.{}", f.trim_end_matches('0'))
    }
}

fn check_opt<T: Wide>(
    field: std::fmt::Arguments<'_>,
    value: Option<T>,
    range: &std::ops::RangeInclusive<T>,
) -> Result<(), ScenarioError> {
    value.map_or(Ok(()), |v| check(field, v, range))
}

fn check_link(at: &str, l: &LinkSpec) -> Result<(), ScenarioError> {
    use ranges::*;
    check(
        format_args!("{at}.latency_us"),
        l.latency_us,
        &LINK_DELAY_US,
    )?;
    check(format_args!("{at}.jitter_us"), l.jitter_us, &LINK_DELAY_US)?;
    check(
        format_args!("{at}.bandwidth_bps"),
        l.bandwidth_bps,
        &BANDWIDTH_BPS,
    )?;
    check(
        format_args!("{at}.handover_us"),
        l.handover_us,
        &HANDOVER_US,
    )?;
    check(
        format_args!("{at}.first_handover_us"),
        l.first_handover_us,
        &HANDOVER_US,
    )?;
    check(
        format_args!("{at}.first_handover_idle_us"),
        l.first_handover_idle_us,
        &HANDOVER_US,
    )?;
    check(
        format_args!("{at}.datagram_handover_us"),
        l.datagram_handover_us,
        &HANDOVER_US,
    )?;
    check(format_args!("{at}.pass_us"), l.pass_us, &HANDOVER_US)?;
    check(format_args!("{at}.mtu"), l.mtu, &MTU)?;
    check_pct(format_args!("{at}.loss_pct"), l.loss_pct)?;
    check_pct(format_args!("{at}.duplicate_pct"), l.duplicate_pct)?;
    check_pct(format_args!("{at}.reorder_pct"), l.reorder_pct)
}

/// `at` is where the overrides are: `tuning`, `hosts[1].tuning`.
fn check_tuning(at: &str, t: &ProfileOverrides) -> Result<(), ScenarioError> {
    use ranges::*;
    // `null` (window scaling off) has no range; a shift has.
    check_opt(
        format_args!("{at}.window_scale"),
        t.window_scale.flatten(),
        &WINDOW_SCALE,
    )?;
    // `null` (no timeout) has no range either.
    check_opt(
        format_args!("{at}.fin_wait2_timeout_us"),
        t.fin_wait2_timeout_us.flatten(),
        &TIME_US,
    )?;
    /// One row per field: its name in the error is the field's own.
    macro_rules! ranges {
        ($($field:ident: $range:ident),* $(,)?) => {
            $(check_opt(format_args!("{at}.{}", stringify!($field)), t.$field, &$range)?;)*
        };
    }
    ranges! {
        mss: MSS,
        wscale_space: WSCALE_SPACE,
        recv_buffer: BUFFER,
        udp_recv_buffer: BUFFER,
        udp_rmem_default: WSCALE_SPACE,
        udp_skb_pad: SKB_OVERHEAD,
        send_buffer: BUFFER,
        send_buffer_max: WSCALE_SPACE,
        rcv_skb_overhead: SKB_OVERHEAD,
        min_recv_buffer: BUFFER,
        min_send_buffer: WSCALE_SPACE,
        rmem_max: WSCALE_SPACE,
        rcvbuf_max: WSCALE_SPACE,
        wmem_max: WSCALE_SPACE,
        rto_initial_us: RTO_US,
        rto_min_us: RTO_MIN_US,
        rto_max_us: RTO_MAX_US,
        synack_rto_max_us: RTO_US,
        clock_granularity_us: CLOCK_GRANULARITY_US,
        isn_tick_ns: ISN_TICK_NS,
        syn_retries: SYN_RETRIES,
        syn_linear_timeouts: SYN_RETRIES,
        orphan_retries: RETRIES,
        synack_retries: RETRIES,
        data_retries: RETRIES,
        persist_probe_max: RETRIES,
        time_wait_us: TIME_US,
        msl_us: TIME_US,
        delayed_ack_us: DELAYED_ACK_US,
        reader_wake_us: READER_WAKE_US,
        writer_wake_us: READER_WAKE_US,
        ack_every_segments: SEGMENTS,
        initial_cwnd_segments: SEGMENTS,
        dupack_threshold: SEGMENTS,
        quickack_max: COUNT,
        min_tso_segs: TSO_SEGS,
        initial_ssthresh_segments: COUNT,
        initial_rwnd_segments: COUNT,
        slow_start_abc_limit: COUNT,
        syn_loss_cwnd_one_after: RETRIES,
        loss_beta_1024: BETA_1024,
        icmp_ratelimit_us: TIME_US,
        invalid_ratelimit_us: TIME_US,
        slow_start_after_idle: SWITCH,
        frto: FRTO,
        somaxconn: BACKLOG,
        max_syn_backlog: MAX_SYN_BACKLOG,
        tw_reuse: TW_REUSE,
        tw_reuse_delay_us: TW_REUSE_DELAY_US,
        comp_sack_nr: COMP_SACK_NR,
        comp_sack_delay_ns: COMP_SACK_NS,
        comp_sack_slack_ns: COMP_SACK_NS,
    }
    if let Some(us) = t.rto_max_us.filter(|us| us % 1_000 != 0) {
        return Err(ScenarioError::OutOfRange {
            field: format!("{at}.rto_max_us"),
            value: us.to_string(),
            range: "whole milliseconds (the sysctl tcp_rto_max_ms holds ms)".into(),
        });
    }
    if let Some([low, high]) = t.local_port_range {
        check(format_args!("{at}.local_port_range[0]"), low, &PORT)?;
        let upper = low.max(1)..=65_535;
        check(format_args!("{at}.local_port_range[1]"), high, &upper)?;
    }
    Ok(())
}

impl Scenario {
    /// Checks every number against its documented range (module `ranges`), and the sockets
    /// against the socket budget. `Sim::new` calls it, so nothing out of range ever runs;
    /// the error names the field, the value and the range.
    /// Whether an application script starts on a UDP socket.
    fn script_is_udp(&self, app: &AppScript) -> bool {
        self.sockets
            .iter()
            .any(|s| s.label == app.socket && s.proto == Proto::Udp)
    }

    pub fn validate(&self) -> Result<(), ScenarioError> {
        use ranges::*;
        let l = &self.limits;
        check(format_args!("limits.max_time_us"), l.max_time_us, &MAX_TIME)?;
        check(format_args!("limits.max_events"), l.max_events, &MAX_EVENTS)?;
        check(
            format_args!("limits.snapshot_every"),
            l.snapshot_every,
            &SNAPSHOT_EVERY,
        )?;
        check(
            format_args!("limits.max_sockets"),
            l.max_sockets,
            &MAX_SOCKETS,
        )?;
        check_tuning("tuning", &self.tuning)?;
        for (i, h) in self.hosts.iter().enumerate() {
            let at = format!("hosts[{i}].tuning");
            check_tuning(&at, &h.tuning)?;
            if let Some(script) = &h.script {
                crate::script::validate(script, &format!("hosts[{i}].script"))?;
            }
            if let Some(f) = &h.flood {
                if h.script.is_some() {
                    return Err(ScenarioError::Invalid(format!(
                        "hosts[{i}]: a host is a scripted peer or a SYN flood, not both"
                    )));
                }
                let at = format!("hosts[{i}].flood");
                check(format_args!("{at}.count"), f.count, &FLOOD_COUNT)?;
                check(format_args!("{at}.at_us"), f.at_us, &TIME_US)?;
                check(format_args!("{at}.every_us"), f.every_us, &TIME_US)?;
                // One source port per SYN, all of them valid ports.
                let ports = 1..=u16::MAX as u32 + 1 - f.count;
                check(format_args!("{at}.first_port"), f.first_port as u32, &ports)?;
            }
        }
        check_link("network.default", &self.network.default)?;
        for (i, d) in self.network.directions.iter().enumerate() {
            check_link(&format!("network.directions[{i}].link"), &d.link)?;
        }
        for (i, r) in self.faults.iter().enumerate() {
            check_opt(format_args!("faults[{i}].nth"), r.nth, &NTH)?;
            check_opt(format_args!("faults[{i}].after_us"), r.after_us, &TIME_US)?;
            check_opt(format_args!("faults[{i}].until_us"), r.until_us, &TIME_US)?;
            if let FaultAction::Delay { by_us } = r.action {
                check(format_args!("faults[{i}].by_us"), by_us, &TIME_US)?;
            }
        }
        check(
            format_args!("sockets (count)"),
            self.sockets.len(),
            &(0..=l.max_sockets),
        )?;
        for (i, s) in self.sockets.iter().enumerate() {
            check_opt(
                format_args!("sockets[{i}].recv_buffer"),
                s.recv_buffer,
                &BUFFER,
            )?;
            check_opt(
                format_args!("sockets[{i}].send_buffer"),
                s.send_buffer,
                &BUFFER,
            )?;
            check_opt(format_args!("sockets[{i}].max_seg"), s.max_seg, &MAX_SEG)?;
            check_opt(
                format_args!("sockets[{i}].syn_count"),
                s.syn_count,
                &SYN_COUNT,
            )?;
            check_opt(
                format_args!("sockets[{i}].user_timeout_us"),
                s.user_timeout_us,
                &TIME_US,
            )?;
            check_opt(
                format_args!("sockets[{i}].linger_us"),
                s.linger_us,
                &TIME_US,
            )?;
            if s.proto == Proto::Udp {
                // TCP-level options on a UDP socket: setsockopt() itself would refuse them
                // (ENOPROTOOPT), so a scenario that sets them from the start is a mistake.
                let tcp_only = [
                    ("no_delay", s.no_delay),
                    ("cork", s.cork),
                    ("user_timeout_us", s.user_timeout_us.is_some()),
                    ("max_seg", s.max_seg.is_some()),
                    ("syn_count", s.syn_count.is_some()),
                ];
                if let Some((field, _)) = tcp_only.iter().find(|(_, set)| *set) {
                    return Err(ScenarioError::Invalid(format!(
                        "sockets[{i}].{field}: a TCP option, and socket \"{}\" is UDP",
                        s.label
                    )));
                }
            }
            // A pick names a member of an SO_REUSEPORT group: a misspelt one would leave the
            // model's own hash choosing, unnoticed.
            if let Some(pick) = &s.reuseport_pick {
                let member = self.sockets.iter().find(|m| &m.label == pick);
                if !member.is_some_and(|m| m.reuse_port && m.proto == s.proto) {
                    return Err(ScenarioError::Invalid(format!(
                        "sockets[{i}].reuseport_pick: \"{pick}\" is no {} socket with \
                         reuse_port in this scenario",
                        if s.proto == Proto::Udp { "UDP" } else { "TCP" }
                    )));
                }
            }
        }
        for (a, app) in self.apps.iter().enumerate() {
            for (k, st) in app.steps.iter().enumerate() {
                check_opt(
                    format_args!("apps[{a}].steps[{k}].at_us"),
                    st.at_us,
                    &TIME_US,
                )?;
                check_opt(
                    format_args!("apps[{a}].steps[{k}].after_us"),
                    st.after_us,
                    &TIME_US,
                )?;
                match &st.action {
                    Action::Listen { backlog } => check(
                        format_args!("apps[{a}].steps[{k}].backlog"),
                        *backlog,
                        &BACKLOG,
                    )?,
                    Action::SendTo { len, .. } => {
                        check(format_args!("apps[{a}].steps[{k}].len"), *len, &DATAGRAM)?
                    }
                    Action::Recv { max } | Action::RecvLoop { max } => {
                        check(format_args!("apps[{a}].steps[{k}].max"), *max, &BUFFER)?
                    }
                    Action::Poll { timeout_us } => check_opt(
                        format_args!("apps[{a}].steps[{k}].timeout_us"),
                        *timeout_us,
                        &TIME_US,
                    )?,
                    Action::SetSockOpt(SockOpt::TcpUserTimeout { us }) => {
                        check(format_args!("apps[{a}].steps[{k}].us"), *us, &TIME_US)?
                    }
                    Action::SetSockOpt(SockOpt::SoLinger { us }) => {
                        check_opt(format_args!("apps[{a}].steps[{k}].us"), *us, &TIME_US)?
                    }
                    Action::Send { more: true, .. } if self.script_is_udp(app) => {
                        return Err(ScenarioError::Invalid(format!(
                            "{}.more: MSG_MORE on UDP socket \"{}\" (corking a datagram) is \
                             not modelled",
                            format_args!("apps[{a}].steps[{k}]"),
                            app.socket
                        )));
                    }
                    Action::Send { len, .. } if self.script_is_udp(app) => {
                        check(format_args!("apps[{a}].steps[{k}].len"), *len, &DATAGRAM)?
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod pct_text_tests {
    use super::pct_text;

    #[test]
    fn percentages_read_as_written_without_float_formatting() {
        assert_eq!(pct_text(150.0), "150");
        assert_eq!(pct_text(150.5), "150.5");
        assert_eq!(pct_text(-5.25), "-5.25");
        assert_eq!(pct_text(100.0001), "100.0001");
        assert_eq!(pct_text(f64::NAN), "NaN");
        assert_eq!(pct_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(pct_text(1e300), "1e12 or more");
    }
}

#[cfg(test)]
mod host_tuning_tests {
    use super::*;

    #[test]
    fn a_host_s_tuning_goes_on_top_of_the_scenario_s_field_by_field() {
        let mut sc = Scenario {
            name: String::new(),
            description: String::new(),
            seed: 0,
            profile: ProfileId::default(),
            tuning: ProfileOverrides {
                syn_retries: Some(3),
                sack_permitted: Some(false),
                window_scale: Some(None),
                ..ProfileOverrides::default()
            },
            hosts: vec![
                HostSpec::new("a", "10.0.0.1"),
                HostSpec::new("b", "10.0.0.2"),
            ],
            network: NetworkSpec::default(),
            faults: Vec::new(),
            groups: Vec::new(),
            sockets: Vec::new(),
            apps: Vec::new(),
            limits: Limits::default(),
        };
        sc.hosts[1].tuning = ProfileOverrides {
            sack_permitted: Some(true),
            timestamps: Some(false),
            window_scale: Some(Some(7)),
            ..ProfileOverrides::default()
        };
        // A host without its own tuning runs the scenario's.
        assert_eq!(sc.host_tuning(0), sc.tuning);
        // The other: the host's fields win, the scenario's others stay.
        let b = sc.host_tuning(1);
        assert_eq!(b.syn_retries, Some(3));
        assert_eq!(b.sack_permitted, Some(true));
        assert_eq!(b.timestamps, Some(false));
        assert_eq!(b.window_scale, Some(Some(7)));
        // The model's profile for each host is the profile with these.
        let p = sc.profile.profile();
        assert!(!p.clone().with(&sc.host_tuning(0)).sack_permitted);
        assert_eq!(p.clone().with(&sc.host_tuning(0)).window_scale, None);
        assert!(p.clone().with(&b).sack_permitted);
        assert!(!p.with(&b).timestamps);
    }
}
