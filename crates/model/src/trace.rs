//! The trace: everything the model (or the lab binary, or a capture import) saw happen, as data.
//!
//! This is the contract between the producers (`synack-model`'s simulator, `synack-lab` on the
//! real kernel, the pcap importer) and the one consumer (the web app, which draws a pure function
//! of `(Trace, playhead)`). It is documented for humans in `docs/trace-format.md`; keep the two
//! in step and bump [`TRACE_FORMAT_VERSION`] on any incompatible change.
//!
//! Design rules:
//! - Times are integer microseconds since the start of the run ([`Micros`]): exact, portable
//!   between native and wasm, and the unit Linux and pcap both use.
//! - Sequence and acknowledgement numbers are the raw 32-bit values on the wire; viewers derive
//!   relative numbers from each direction's SYN.
//! - Every collection whose order reaches output is a `Vec` in event order or an ordered map
//!   ([`VecMap`]: a sorted `Vec` that serializes like a `BTreeMap`, see [`crate::vecmap`] for
//!   why not a `BTreeMap`).

use crate::vecmap::VecMap;

use serde::{Deserialize, Serialize};

/// Version of the JSON format below. Readers reject traces with a newer major version.
pub const TRACE_FORMAT_VERSION: u32 = 1;

/// Microseconds since the start of the run.
pub type Micros = u64;

/// Index into [`Trace::hosts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HostId(pub u16);

/// Index into [`Trace::sockets`]. Sockets created at run time (a listener's accepted children)
/// are listed too, with the time they appeared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SocketId(pub u16);

/// Unique per trace; links a segment's send event to its arrival or drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SegmentId(pub u32);

/// Index into [`Trace::messages`]: an application message whose bytes we follow through the
/// stack (the sticky-packet scenes colour each byte range by its message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub u32);

/// The most socket views all of a trace's snapshots hold together (about 200 bytes each in
/// memory): see [`Trace::build_snapshots`].
pub const SNAPSHOT_VIEW_BUDGET: usize = 500_000;

/// A whole run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub version: u32,
    pub origin: Origin,
    pub hosts: Vec<Host>,
    pub sockets: Vec<SocketInfo>,
    #[serde(default)]
    pub messages: Vec<MessageInfo>,
    /// In time order; events at the same time keep the order in which they happened.
    pub events: Vec<Event>,
    /// Full view state at regular intervals, so a viewer can jump anywhere (backwards too)
    /// and replay only the events after the nearest snapshot. Ordered by `event_index`.
    #[serde(default)]
    pub snapshots: Vec<Snapshot>,
    /// Time of the last event (or the end of the run, if later).
    pub duration_us: Micros,
    /// Present when the run was stopped before it ended by itself (a budget, Ctrl-C, a
    /// timeout): everything up to that point is here and valid, the rest never happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_short: Option<CutShort>,
}

/// Why a trace ends early, for a reader and for a program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CutShort {
    pub why: CutReason,
    /// One sentence for people: what limit, its value, how to raise it.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutReason {
    /// The run reached its event budget (`limits.max_events`).
    EventBudget,
    /// The run would have created more sockets than `limits.max_sockets` (ids are 16-bit).
    SocketBudget,
    /// The lab stopped recording because its capture or trace budget was full.
    CaptureBudget,
    /// SIGINT or SIGTERM.
    Interrupted,
    /// The lab's `--timeout` ran out.
    Timeout,
    /// A scripted peer's expectation failed (or the stack sent what the script did not
    /// expect): the message names the host, the line, the expected and the actual segment.
    ScriptFailed,
}

/// Who produced the trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The simulator. `profile` is the profile's id (`linux` or `rfc`).
    Model {
        scenario: String,
        profile: String,
        seed: u64,
    },
    /// `synack-lab` on a real kernel.
    Lab { experiment: String, kernel: String },
    /// A pcap/pcapng file imported by the web app.
    Capture { file: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Host {
    pub id: HostId,
    /// Short display name ("client", "server", "A").
    pub name: String,
    /// Network address as text ("10.0.0.1", "::1").
    pub addr: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proto {
    Tcp,
    Udp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocketInfo {
    pub id: SocketId,
    pub host: HostId,
    pub proto: Proto,
    pub local_port: u16,
    /// The peer, once known (a connected TCP socket, a connected UDP socket).
    pub remote: Option<Addr>,
    /// A listening TCP socket (its accepted connections are separate sockets with `parent`).
    #[serde(default)]
    pub listener: bool,
    /// For an accepted connection: the listener it came from.
    #[serde(default)]
    pub parent: Option<SocketId>,
    /// When the socket came into being.
    #[serde(default)]
    pub created_us: Micros,
    /// A scripted peer's end (scenario `hosts[].script`): it runs no TCP, so it has no state;
    /// a viewer shows it as a script rather than as a CLOSED socket.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scripted: bool,
    /// Display label ("client", "server", "conn #2").
    pub label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Addr {
    pub host: HostId,
    pub port: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageInfo {
    pub id: MessageId,
    /// The socket whose application sent it.
    pub socket: SocketId,
    /// "data1", "hello"...
    pub label: String,
    pub len: u32,
    /// What the bytes are, when they are framing rather than opaque application data (a
    /// length prefix or a delimiter), so a viewer can rebuild the byte stream and run a
    /// codec over what recv() returned. Absent: opaque data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<MessageContent>,
}

/// Framing bytes a sender wrote in front of / after its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MessageContent {
    /// A big-endian length prefix of `len` bytes holding `value`.
    LengthPrefix { value: u32 },
    /// A delimiter: every byte is `byte`.
    Delimiter { byte: u8 },
}

/// One thing that happened at time `t`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub t: Micros,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A segment or datagram leaves its sender. It is in flight until the matching
    /// `SegmentArrived` or `SegmentDropped`.
    SegmentSent {
        id: SegmentId,
        segment: Segment,
    },
    /// It reached the receiving host's stack (what the stack then does shows in later events).
    SegmentArrived {
        id: SegmentId,
    },
    /// It never got to (or was discarded by) the receiver, and why.
    SegmentDropped {
        id: SegmentId,
        reason: DropReason,
    },
    /// A TCP state transition (RFC 9293 §3.3.2 names).
    StateChanged {
        socket: SocketId,
        from: TcpState,
        to: TcpState,
    },
    /// A timer (re)armed. `expires_us` is when it fires; `timeout_us` the timeout the stack
    /// asked for, when the producer knows it. They differ on Linux, whose `timer_list`s sit
    /// on the timer wheel and fire after their timeout, never before (the model's
    /// `tcp::wheel`): a SYN's 1 s RTO (TCP_TIMEOUT_INIT) fires at about 1.016 s, TIME-WAIT's
    /// 60 s (TCP_TIMEWAIT_LEN) at about 61 s. The model always fills it; the lab and a
    /// capture see only the time left (sock_diag's `idiag_expires`), so theirs is absent.
    TimerSet {
        socket: SocketId,
        timer: TimerKind,
        expires_us: Micros,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_us: Option<Micros>,
    },
    TimerCancelled {
        socket: SocketId,
        timer: TimerKind,
    },
    TimerFired {
        socket: SocketId,
        timer: TimerKind,
    },
    /// A queue or buffer changed length (bytes for buffers, connections for backlog queues).
    QueueChanged {
        socket: SocketId,
        queue: QueueKind,
        len: u32,
        cap: u32,
    },
    /// The sender's and receiver's windows and congestion state after a change.
    WindowChanged {
        socket: SocketId,
        window: WindowState,
    },
    /// The application called into the socket API...
    AppCall {
        socket: SocketId,
        call: AppCall,
    },
    /// ...and this is what the call returned (possibly much later, for a blocking recv/accept).
    AppReturn {
        socket: SocketId,
        call: AppCallKind,
        result: AppResult,
    },
    /// A kernel counter changed (`ListenOverflows`, `ListenDrops`, `TCPTimeouts`...).
    Counter {
        host: HostId,
        name: String,
        value: u64,
    },
    /// A socket was created at run time (for example accepted from a listener).
    SocketCreated {
        socket: SocketId,
    },
    /// The connection failed, whether or not an application call was waiting to hear it
    /// (the kernel's SO_ERROR): "ETIMEDOUT" after the last retry, "ECONNRESET" on a RST,
    /// "ECONNREFUSED" on a RST answering our SYN.
    SocketError {
        socket: SocketId,
        errno: String,
    },
}

/// A segment as it is on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub src: Addr,
    pub dst: Addr,
    pub header: Header,
    /// Application bytes carried.
    pub payload_len: u32,
    /// Which application messages' bytes the payload carries, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payload: Vec<PayloadSpan>,
    /// Bytes on the wire at the IP layer: IP header + TCP/UDP header + payload.
    pub wire_len: u32,
    /// 0 for a first transmission, n for the n-th retransmission of the same data/flags.
    #[serde(default)]
    pub retransmission: u32,
    /// Marks a copy made by the network (duplication fault), not by the sender.
    #[serde(default)]
    pub network_duplicate: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayloadSpan {
    pub message: MessageId,
    /// Byte range within the message, half-open.
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "proto", rename_all = "snake_case")]
pub enum Header {
    Tcp(TcpHeader),
    Udp(UdpHeader),
    /// An ICMP error about a datagram (RFC 792, RFC 1122 §3.2.2.1). Its `src`/`dst` are the
    /// ports of the datagram it quotes, turned around: from the host (and closed port) that
    /// refused it to the socket that sent it.
    Icmp(IcmpHeader),
}

/// RFC 792: an ICMP message's type and code. Linux answers a UDP datagram for a port nobody
/// has bound with destination unreachable (3), port unreachable (3) (`__udp4_lib_rcv` →
/// `icmp_send`), quoting the datagram's IP header and as much of it as keeps the ICMP packet
/// within 576 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcmpHeader {
    #[serde(rename = "type")]
    pub icmp_type: u8,
    pub code: u8,
}

impl IcmpHeader {
    pub const DEST_UNREACHABLE: u8 = 3;
    pub const PORT_UNREACHABLE: u8 = 3;

    /// Destination unreachable, port unreachable.
    pub fn port_unreachable() -> IcmpHeader {
        IcmpHeader {
            icmp_type: Self::DEST_UNREACHABLE,
            code: Self::PORT_UNREACHABLE,
        }
    }
}

/// RFC 9293 §3.1 header fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TcpHeader {
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// The raw 16-bit window field (unscaled).
    pub window: u16,
    /// Data offset in bytes (20..=60).
    pub header_len: u8,
    #[serde(default)]
    pub options: TcpOptions,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpFlags {
    #[serde(default)]
    pub syn: bool,
    #[serde(default)]
    pub ack: bool,
    #[serde(default)]
    pub fin: bool,
    #[serde(default)]
    pub rst: bool,
    #[serde(default)]
    pub psh: bool,
    #[serde(default)]
    pub urg: bool,
}

/// Options as carried (RFC 9293 §3.2, RFC 7323, RFC 2018).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mss: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_scale: Option<u8>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sack_permitted: bool,
    /// (TSval, TSecr)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<(u32, u32)>,
    /// SACK blocks (left edge, right edge).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sack: Vec<(u32, u32)>,
    /// The option kinds in the order they are on the wire, NOPs included (RFC 9293 §3.2:
    /// 1 NOP, 2 MSS, 3 window scale, 4 SACK-permitted, 5 SACK, 8 timestamps; see
    /// [`TcpOptions::linux_order`]). Empty when the order was not recorded (a trace from
    /// before this field); a kind synack does not read is left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<u8>,
}

/// TCP option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018).
pub mod option_kind {
    pub const EOL: u8 = 0;
    pub const NOP: u8 = 1;
    pub const MSS: u8 = 2;
    pub const WINDOW_SCALE: u8 = 3;
    pub const SACK_PERMITTED: u8 = 4;
    pub const SACK: u8 = 5;
    pub const TIMESTAMPS: u8 = 8;
}

impl TcpOptions {
    /// The order Linux writes these options in (`tcp_options_write`, net/ipv4/tcp_output.c),
    /// one 32-bit word at a time, NOPs as padding:
    /// MSS; then SACK-permitted packed in front of the timestamps when both are sent, or NOP,
    /// NOP, timestamps; SACK-permitted alone as NOP, NOP, SACK-permitted; NOP, window scale;
    /// and last NOP, NOP, SACK blocks. So a Linux SYN is MSS, SACK_PERM, TS, NOP, WS (20
    /// bytes), and without timestamps MSS, NOP, NOP, SACK_PERM, NOP, WS.
    pub fn linux_order(&self) -> Vec<u8> {
        use option_kind::*;
        let mut v = Vec::new();
        if self.mss.is_some() {
            v.push(MSS);
        }
        let mut sack_perm = self.sack_permitted;
        if self.timestamps.is_some() {
            if sack_perm {
                v.push(SACK_PERMITTED);
                sack_perm = false;
            } else {
                v.extend([NOP, NOP]);
            }
            v.push(TIMESTAMPS);
        }
        if sack_perm {
            v.extend([NOP, NOP, SACK_PERMITTED]);
        }
        if self.window_scale.is_some() {
            v.extend([NOP, WINDOW_SCALE]);
        }
        if !self.sack.is_empty() {
            v.extend([NOP, NOP, SACK]);
        }
        v
    }

    /// Bytes the options take when laid out in `order` (each kind's length; NOPs one byte).
    /// With [`TcpOptions::linux_order`] this is a multiple of 4, as Linux pads it.
    pub fn wire_len(&self, order: &[u8]) -> u32 {
        use option_kind::*;
        order
            .iter()
            .map(|&k| match k {
                EOL | NOP => 1,
                MSS => 4,
                WINDOW_SCALE => 3,
                SACK_PERMITTED => 2,
                SACK => 2 + 8 * self.sack.len() as u32,
                TIMESTAMPS => 10,
                _ => 0,
            })
            .sum()
    }

    /// A short name for an option kind, as tcpdump prints it ("nop", "mss", "wscale",
    /// "sackOK", "sack", "TS"); a kind synack does not read prints as its number.
    pub fn kind_name(kind: u8) -> std::borrow::Cow<'static, str> {
        use option_kind::*;
        match kind {
            EOL => "eol".into(),
            NOP => "nop".into(),
            MSS => "mss".into(),
            WINDOW_SCALE => "wscale".into(),
            SACK_PERMITTED => "sackOK".into(),
            SACK => "sack".into(),
            TIMESTAMPS => "TS".into(),
            k => format!("opt-{k}").into(),
        }
    }
}

/// RFC 768.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UdpHeader {
    /// Header + data, bytes.
    pub length: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DropReason {
    /// Random loss on the link (the network's loss rate).
    LinkLoss,
    /// A scripted fault rule; `rule` is its index in the scenario's fault list.
    Fault { rule: u32 },
    /// Larger than the path MTU (and DF set).
    Mtu,
    /// Receiver: accept queue full, final ACK ignored (Linux `tcp_check_req` listen_overflow).
    AcceptQueueFull,
    /// Receiver: SYN dropped because the *accept* queue is full (Linux `tcp_conn_request`:
    /// `sk_acceptq_is_full` → drop; older kernels only with young requests).
    SynAcceptQueueFull,
    /// Receiver: SYN dropped because the SYN (request) queue is full and SYN cookies are off
    /// (`tcp_syncookies=0`).
    SynQueueFull,
    /// Receiver: SYN dropped because the historic BSD single queue (SYN-RECEIVED and
    /// ESTABLISHED together) is at the backlog.
    BacklogFull,
    /// Receiver: nothing listening and no RST sent (e.g. UDP to a closed port).
    NoSocket,
    /// Receiver: outside the receive window / unacceptable (RFC 9293 §3.10.7.4).
    OutOfWindow,
    /// Receiver: UDP receive buffer full.
    ReceiveBufferFull,
    /// Anything else, explained in words.
    Other { why: String },
}

impl DropReason {
    /// A RST that finds no connection for its 4-tuple but a listener on its port: Linux
    /// discards it there (`tcp_rcv_state_process`, TCP_LISTEN: `if (th->rst) goto
    /// discard`; RFC 9293 §3.10.7.2: "An incoming RST segment could not be valid ...
    /// ignore"). The model and the lab's recorder both mark it with this.
    pub fn rst_for_listener() -> DropReason {
        DropReason::Other {
            why: "RST for a listener: ignored".into(),
        }
    }

    /// A packet that was on the wire, neither delivered nor dropped, when the run stopped
    /// (its time limit came first). The lab's wire marks every copy it still held so
    /// (nothing is lost silently), and the differential reads a segment that a trace leaves
    /// unresolved at its end the same way.
    pub fn still_on_the_wire() -> DropReason {
        DropReason::Other {
            why: STILL_ON_THE_WIRE.into(),
        }
    }
}

/// The words of [`DropReason::still_on_the_wire`], for a recorder that builds the reason
/// from a relay's message.
pub const STILL_ON_THE_WIRE: &str = "still on the wire when the run stopped";

/// RFC 9293 §3.3.2 connection states. Serialised with the RFC's names ("SYN-SENT").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TcpState {
    #[serde(rename = "CLOSED")]
    Closed,
    #[serde(rename = "LISTEN")]
    Listen,
    #[serde(rename = "SYN-SENT")]
    SynSent,
    #[serde(rename = "SYN-RECEIVED")]
    SynReceived,
    #[serde(rename = "ESTABLISHED")]
    Established,
    #[serde(rename = "FIN-WAIT-1")]
    FinWait1,
    #[serde(rename = "FIN-WAIT-2")]
    FinWait2,
    #[serde(rename = "CLOSE-WAIT")]
    CloseWait,
    #[serde(rename = "CLOSING")]
    Closing,
    #[serde(rename = "LAST-ACK")]
    LastAck,
    #[serde(rename = "TIME-WAIT")]
    TimeWait,
}

impl TcpState {
    pub const ALL: [TcpState; 11] = [
        TcpState::Closed,
        TcpState::Listen,
        TcpState::SynSent,
        TcpState::SynReceived,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::CloseWait,
        TcpState::Closing,
        TcpState::LastAck,
        TcpState::TimeWait,
    ];

    /// The RFC 9293 name.
    pub fn rfc_name(self) -> &'static str {
        match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST-ACK",
            TcpState::TimeWait => "TIME-WAIT",
        }
    }
}

impl std::fmt::Display for TcpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.rfc_name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// Retransmission timeout (RFC 6298), also used for SYN and SYN-ACK retries.
    Retransmit,
    /// Delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2).
    DelayedAck,
    /// Zero-window probe (RFC 9293 §3.8.6.1).
    Persist,
    /// 2×MSL in TIME-WAIT (RFC 9293 §3.6).
    TimeWait,
    /// Linux FIN-WAIT-2 timeout for orphaned sockets (tcp_fin_timeout).
    FinWait2,
    Keepalive,
    /// Linux's SACK compression (`tp->compressed_ack_timer`, an hrtimer): the ACK for
    /// out-of-order data held back after the first three duplicate ACKs.
    SackCompress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// Bytes the application wrote that are not yet acknowledged.
    SendBuffer,
    /// Bytes received in order, waiting for the application's recv().
    RecvBuffer,
    /// Bytes received out of order, waiting for the gap to fill.
    OutOfOrder,
    /// Listener: requests in SYN-RECEIVED (Linux's SYN queue / request sock queue).
    SynQueue,
    /// Listener: established connections waiting for accept().
    AcceptQueue,
    /// UDP: datagrams waiting for recvfrom().
    Datagrams,
}

/// Send/receive variables named as in RFC 9293 §3.3.1 and RFC 5681.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    pub snd_una: u32,
    pub snd_nxt: u32,
    /// Peer's advertised window, bytes (after scaling).
    pub snd_wnd: u32,
    pub rcv_nxt: u32,
    /// Our advertised window, bytes.
    pub rcv_wnd: u32,
    /// Congestion window and slow-start threshold, bytes.
    pub cwnd: u32,
    pub ssthresh: u32,
    /// Bytes sent and not yet acknowledged.
    pub in_flight: u32,
    /// Smoothed RTT and current RTO, microseconds (0 before the first sample).
    #[serde(default)]
    pub srtt_us: u64,
    #[serde(default)]
    pub rto_us: u64,
}

/// A socket call the application made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum AppCall {
    Connect {
        to: Addr,
    },
    Listen {
        backlog: u32,
    },
    Accept,
    Send {
        len: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<MessageId>,
    },
    /// UDP sendto.
    SendTo {
        to: Addr,
        len: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<MessageId>,
    },
    Recv {
        max: u32,
    },
    Shutdown {
        #[serde(default, skip_serializing_if = "ShutHow::is_wr")]
        how: ShutHow,
    },
    Close,
    /// Close with SO_LINGER 0: abortive close, sends RST.
    Abort,
    SetNoDelay {
        on: bool,
    },
    /// setsockopt() of one option (TCP_CORK, TCP_QUICKACK, TCP_USER_TIMEOUT, SO_LINGER).
    #[serde(rename = "setsockopt")]
    SetSockOpt {
        #[serde(flatten)]
        option: SockOpt,
    },
    /// poll() for readability (POLLIN) on one socket, with a timeout (`None`: wait forever).
    Poll {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_us: Option<Micros>,
    },
    /// getsockopt(TCP_INFO).
    TcpInfo,
}

/// shutdown()'s `how` (shutdown(2)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShutHow {
    /// SHUT_RD: recv() returns what is queued, then 0; nothing is sent.
    Rd,
    /// SHUT_WR: a FIN after the data (half-close).
    #[default]
    Wr,
    /// SHUT_RDWR: both.
    Rdwr,
}

impl ShutHow {
    pub fn is_wr(&self) -> bool {
        *self == ShutHow::Wr
    }
    pub fn reads(self) -> bool {
        self != ShutHow::Wr
    }
    pub fn writes(self) -> bool {
        self != ShutHow::Rd
    }
}

/// One socket option as set by setsockopt(), with its value (tcp(7), socket(7)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "option", rename_all = "snake_case", deny_unknown_fields)]
pub enum SockOpt {
    /// TCP_CORK: hold partial segments until a full one can go, the option is cleared, or
    /// the probe timer (the RTO, at least 200 ms) fires with nothing in flight.
    TcpCork { value: bool },
    /// TCP_QUICKACK: on leaves delayed-ACK ("ping-pong") mode and sends an ACK owed at once;
    /// off enters it. Not permanent: the stack changes mode again by itself.
    TcpQuickack { value: bool },
    /// TCP_USER_TIMEOUT: the connection dies once data has gone unacknowledged this long,
    /// instead of after `tcp_retries2`; 0 turns it off.
    TcpUserTimeout { us: Micros },
    /// SO_LINGER: `None` off; `Some(0)` close() resets; `Some(t)` close() waits up to `t`
    /// for the FIN to be acknowledged.
    SoLinger {
        #[serde(default)]
        us: Option<Micros>,
    },
}

/// getsockopt(TCP_INFO)'s main fields, as `struct tcp_info` names them (`tcpi_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpInfo {
    pub state: TcpState,
    /// `tcpi_rto`, microseconds.
    pub rto_us: Micros,
    /// `tcpi_rtt`: the smoothed RTT, microseconds (0 before the first sample).
    pub rtt_us: Micros,
    /// `tcpi_snd_cwnd` and `tcpi_snd_ssthresh`, in segments of `snd_mss` bytes.
    pub cwnd: u32,
    pub ssthresh: u32,
    pub snd_mss: u32,
    /// `tcpi_unacked`: segments in flight.
    pub unacked: u32,
    /// `tcpi_retransmits`: consecutive timeouts of the segment at the head.
    pub retransmits: u32,
    /// `tcpi_total_retrans`: every segment retransmitted.
    pub total_retrans: u32,
}

/// The call kind alone, for `AppReturn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppCallKind {
    Connect,
    Listen,
    Accept,
    Send,
    SendTo,
    Recv,
    Shutdown,
    Close,
    Abort,
    SetNoDelay,
    #[serde(rename = "setsockopt")]
    SetSockOpt,
    Poll,
    TcpInfo,
}

impl AppCall {
    pub fn kind(&self) -> AppCallKind {
        match self {
            AppCall::Connect { .. } => AppCallKind::Connect,
            AppCall::Listen { .. } => AppCallKind::Listen,
            AppCall::Accept => AppCallKind::Accept,
            AppCall::Send { .. } => AppCallKind::Send,
            AppCall::SendTo { .. } => AppCallKind::SendTo,
            AppCall::Recv { .. } => AppCallKind::Recv,
            AppCall::Shutdown { .. } => AppCallKind::Shutdown,
            AppCall::Close => AppCallKind::Close,
            AppCall::Abort => AppCallKind::Abort,
            AppCall::SetNoDelay { .. } => AppCallKind::SetNoDelay,
            AppCall::SetSockOpt { .. } => AppCallKind::SetSockOpt,
            AppCall::Poll { .. } => AppCallKind::Poll,
            AppCall::TcpInfo => AppCallKind::TcpInfo,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AppResult {
    Ok,
    /// recv()/recvfrom() returned bytes; `payload` says which messages' bytes.
    Data {
        len: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        payload: Vec<PayloadSpan>,
        /// UDP: where it came from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<Addr>,
        /// UDP: the datagram was longer than the buffer; `len` bytes were kept, this many lost.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        truncated: Option<u32>,
    },
    /// recv() returned 0: the peer closed its sending side.
    Eof,
    /// accept() returned a new connection.
    Accepted {
        socket: SocketId,
    },
    /// An error, named as the errno ("ECONNREFUSED", "ETIMEDOUT", "ECONNRESET").
    Error {
        errno: String,
    },
    /// poll() returned: `ready` is POLLIN (1), or the timeout passed (0).
    Polled {
        ready: bool,
    },
    /// getsockopt(TCP_INFO) returned this snapshot.
    TcpInfo {
        info: TcpInfo,
    },
}

/// Everything a viewer shows about one socket at one instant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SocketView {
    /// `None` for UDP sockets.
    pub state: Option<TcpState>,
    /// (len, cap) per queue.
    pub queues: VecMap<QueueKind, (u32, u32)>,
    /// Running timers and when they expire.
    pub timers: VecMap<TimerKind, Micros>,
    pub window: Option<WindowState>,
    /// Set once the connection failed (see [`EventKind::SocketError`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The view state of every socket after `event_index` events (exclusive), at time `t`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub t: Micros,
    /// Number of events already applied.
    pub event_index: usize,
    pub sockets: VecMap<SocketId, SocketView>,
    /// Kernel counters per host, by name.
    pub counters: VecMap<HostId, VecMap<String, u64>>,
}

impl Snapshot {
    /// Apply one event. The simulator uses this to build its snapshots, and viewers use it
    /// to move forward from the nearest snapshot, so both agree by construction.
    pub fn apply(&mut self, ev: &Event) {
        self.t = ev.t;
        self.event_index += 1;
        match &ev.kind {
            EventKind::StateChanged { socket, to, .. } => {
                self.sockets.entry(*socket).or_default().state = Some(*to);
            }
            EventKind::TimerSet {
                socket,
                timer,
                expires_us,
                ..
            } => {
                self.sockets
                    .entry(*socket)
                    .or_default()
                    .timers
                    .insert(*timer, *expires_us);
            }
            EventKind::TimerCancelled { socket, timer }
            | EventKind::TimerFired { socket, timer } => {
                self.sockets
                    .entry(*socket)
                    .or_default()
                    .timers
                    .remove(timer);
            }
            EventKind::QueueChanged {
                socket,
                queue,
                len,
                cap,
            } => {
                self.sockets
                    .entry(*socket)
                    .or_default()
                    .queues
                    .insert(*queue, (*len, *cap));
            }
            EventKind::WindowChanged { socket, window } => {
                self.sockets.entry(*socket).or_default().window = Some(*window);
            }
            EventKind::Counter { host, name, value } => {
                self.counters
                    .entry(*host)
                    .or_default()
                    .insert(name.clone(), *value);
            }
            EventKind::SocketCreated { socket } => {
                self.sockets.entry(*socket).or_default();
            }
            EventKind::SocketError { socket, errno } => {
                self.sockets.entry(*socket).or_default().error = Some(errno.clone());
            }
            EventKind::SegmentSent { .. }
            | EventKind::SegmentArrived { .. }
            | EventKind::SegmentDropped { .. }
            | EventKind::AppCall { .. }
            | EventKind::AppReturn { .. } => {}
        }
    }
}

impl Trace {
    /// The view state after every event with `t <= at` has happened: starts from the nearest
    /// snapshot at or before `at` and applies the events after it. Cost is bounded by the
    /// snapshot interval, so scrubbing backwards is as cheap as forwards.
    pub fn view_at(&self, at: Micros) -> Snapshot {
        // Number of events with t <= at (events are in time order).
        let upto = self.events.partition_point(|e| e.t <= at);
        let start = self
            .snapshots
            .iter()
            .rev()
            .find(|s| s.event_index <= upto)
            .cloned()
            .unwrap_or_default();
        let mut snap = start;
        for ev in &self.events[snap.event_index.min(upto)..upto] {
            snap.apply(ev);
        }
        snap.t = at;
        snap
    }

    /// Builds snapshots every `every` events (replacing any present), further apart when
    /// there are many sockets: a snapshot holds a view of every socket seen so far, so their
    /// memory grows as snapshots × sockets. The interval is stretched until at most
    /// [`SNAPSHOT_VIEW_BUDGET`] socket views are stored in all, whatever the socket count; a
    /// viewer then replays at most that interval's events to reach any moment.
    pub fn build_snapshots(&mut self, every: usize) {
        let views_per_snapshot = self.sockets.len().max(1);
        let most_snapshots = (SNAPSHOT_VIEW_BUDGET / views_per_snapshot).max(1);
        let every = every.max(1).max(self.events.len().div_ceil(most_snapshots));
        let mut snap = Snapshot::default();
        let mut out = vec![snap.clone()];
        for (i, ev) in self.events.iter().enumerate() {
            snap.apply(ev);
            if (i + 1) % every == 0 {
                out.push(snap.clone());
            }
        }
        self.snapshots = out;
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a trace always serialises")
    }

    /// Parses a trace, with a readable error (line/column, or the version problem).
    pub fn from_json(text: &str) -> Result<Trace, String> {
        #[derive(Deserialize)]
        struct VersionOnly {
            version: Option<u32>,
        }
        let v: VersionOnly =
            serde_json::from_str(text).map_err(|e| format!("not a synack trace: {e}"))?;
        match v.version {
            None => return Err("not a synack trace: no \"version\" field".into()),
            Some(v) if v > TRACE_FORMAT_VERSION => {
                return Err(format!(
                    "trace format version {v} is newer than this build understands ({TRACE_FORMAT_VERSION})"
                ))
            }
            _ => {}
        }
        serde_json::from_str(text).map_err(|e| format!("malformed synack trace: {e}"))
    }
}
