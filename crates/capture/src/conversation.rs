//! The conversation table: packets grouped by 5-tuple (TCP connections split again when a new
//! SYN reuses the ports), with Wireshark-style totals, the furthest state reached and trouble
//! flags, plus a filter over them.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;
use synack_model::trace::{Proto, TcpState};

use crate::decode::{Packet, Transport};
use crate::tcp_analysis::{mark, Dir, SegmentAnalysis, StateChange, TcpConnection, TroubleCounts};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Endpoint {
    pub addr: IpAddr,
    pub port: u16,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.addr {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

pub use crate::protocol::Progress;

/// One row of the conversation list.
#[derive(Clone, Debug, Serialize)]
pub struct Conversation {
    /// Index in the table (like Wireshark's `tcp.stream`, but TCP and UDP share one numbering).
    pub id: u32,
    pub proto: Proto,
    /// A is the first sender seen.
    pub a: Endpoint,
    pub b: Endpoint,
    /// Indices into [`crate::Capture::packets`], in capture order.
    pub packets: Vec<u32>,
    pub packets_a_to_b: u64,
    pub packets_b_to_a: u64,
    /// Frame bytes, as Wireshark's conversation statistics count them.
    pub bytes_a_to_b: u64,
    pub bytes_b_to_a: u64,
    /// Payload bytes.
    pub payload_a_to_b: u64,
    pub payload_b_to_a: u64,
    pub first_ns: i64,
    pub last_ns: i64,
    pub progress: Progress,
    /// Each endpoint's state furthest along the state diagram, and its state at the end.
    pub furthest_state: Option<[TcpState; 2]>,
    pub final_state: Option<[TcpState; 2]>,
    pub trouble: TroubleCounts,
    /// OR of every segment's marks.
    pub marks: u16,
    /// Inferred state transitions (TCP).
    pub state_changes: Vec<StateChange>,
    /// The handshake RTT seen at the capture point (SYN → ACK), nanoseconds.
    pub handshake_rtt_ns: Option<i64>,
    /// Handshake options per endpoint [A, B].
    pub mss: [Option<u16>; 2],
    pub window_scale: [Option<u8>; 2],
    pub sack_permitted: [bool; 2],
    pub timestamps: [bool; 2],
    /// Which endpoint (0 = A, 1 = B) sent the first SYN, when the handshake was captured.
    pub client: Option<u8>,
}

impl Conversation {
    pub fn duration_ns(&self) -> i64 {
        self.last_ns - self.first_ns
    }
    pub fn total_packets(&self) -> u64 {
        self.packets_a_to_b + self.packets_b_to_a
    }
    pub fn total_bytes(&self) -> u64 {
        self.bytes_a_to_b + self.bytes_b_to_a
    }
    pub fn has_trouble(&self) -> bool {
        self.marks
            & (mark::RETRANSMISSION
                | mark::RST
                | mark::ZERO_WINDOW
                | mark::DUPLICATE_ACK
                | mark::OUT_OF_ORDER
                | mark::PREVIOUS_SEGMENT_NOT_CAPTURED)
            != 0
    }
}

/// Per-packet results of the analysis, parallel to [`crate::Capture::packets`].
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct PacketInfo {
    pub conversation: u32,
    pub dir_b_to_a: bool,
    pub tcp: SegmentAnalysis,
}

impl PacketInfo {
    pub fn dir(&self) -> Dir {
        if self.dir_b_to_a {
            Dir::BToA
        } else {
            Dir::AToB
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Analysis {
    pub conversations: Vec<Conversation>,
    pub packets: Vec<PacketInfo>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    proto: u8,
    lo: Endpoint,
    hi: Endpoint,
}

/// Groups packets into conversations and runs the TCP analysis, in one pass.
pub fn analyze(packets: &[Packet]) -> Analysis {
    let mut by_key: HashMap<Key, u32> = HashMap::new();
    let mut convs: Vec<Conversation> = Vec::new();
    let mut tcp: Vec<Option<TcpConnection>> = Vec::new();
    let mut infos = Vec::with_capacity(packets.len());

    for (pi, p) in packets.iter().enumerate() {
        let src = Endpoint {
            addr: p.src,
            port: p.src_port,
        };
        let dst = Endpoint {
            addr: p.dst,
            port: p.dst_port,
        };
        let (proto, proto_id) = match p.transport {
            Transport::Tcp(_) => (Proto::Tcp, 6),
            // An ICMP error belongs to the UDP flow of the datagram it quotes (its ports are
            // that datagram's, turned around).
            Transport::Udp { .. } | Transport::Icmp { .. } => (Proto::Udp, 17),
        };
        let key = if src <= dst {
            Key {
                proto: proto_id,
                lo: src,
                hi: dst,
            }
        } else {
            Key {
                proto: proto_id,
                lo: dst,
                hi: src,
            }
        };
        let mut reused = false;
        let existing = by_key.get(&key).copied().filter(|&ci| {
            let new = match (&p.transport, &tcp[ci as usize]) {
                (Transport::Tcp(t), Some(c)) => c.is_new_connection(t),
                _ => false,
            };
            reused |= new;
            !new
        });
        let ci = match existing {
            Some(ci) => ci,
            None => {
                let ci = convs.len() as u32;
                by_key.insert(key, ci);
                convs.push(Conversation {
                    id: ci,
                    proto,
                    a: src,
                    b: dst,
                    packets: Vec::new(),
                    packets_a_to_b: 0,
                    packets_b_to_a: 0,
                    bytes_a_to_b: 0,
                    bytes_b_to_a: 0,
                    payload_a_to_b: 0,
                    payload_b_to_a: 0,
                    first_ns: p.ts_ns,
                    last_ns: p.ts_ns,
                    progress: Progress::Datagrams,
                    furthest_state: None,
                    final_state: None,
                    trouble: TroubleCounts::default(),
                    marks: 0,
                    state_changes: Vec::new(),
                    handshake_rtt_ns: None,
                    mss: [None; 2],
                    window_scale: [None; 2],
                    sack_permitted: [false; 2],
                    timestamps: [false; 2],
                    client: None,
                });
                tcp.push(matches!(p.transport, Transport::Tcp(_)).then(TcpConnection::new));
                ci
            }
        };
        let c = &mut convs[ci as usize];
        let dir = if src == c.a && dst == c.b {
            Dir::AToB
        } else {
            Dir::BToA
        };
        let index = c.packets.len() as u32;
        c.packets.push(pi as u32);
        c.last_ns = c.last_ns.max(p.ts_ns);
        c.first_ns = c.first_ns.min(p.ts_ns);
        match dir {
            Dir::AToB => {
                c.packets_a_to_b += 1;
                c.bytes_a_to_b += p.frame_len as u64;
                c.payload_a_to_b += p.payload_len as u64;
            }
            Dir::BToA => {
                c.packets_b_to_a += 1;
                c.bytes_b_to_a += p.frame_len as u64;
                c.payload_b_to_a += p.payload_len as u64;
            }
        }
        let mut seg = SegmentAnalysis::default();
        if let (Transport::Tcp(t), Some(conn)) = (&p.transport, tcp[ci as usize].as_mut()) {
            seg = conn.on_segment(index, dir, p, t);
            if reused && index == 0 {
                seg.marks |= mark::PORTS_REUSED;
            }
            c.marks |= seg.marks;
        }
        infos.push(PacketInfo {
            conversation: ci,
            dir_b_to_a: dir == Dir::BToA,
            tcp: seg,
        });
    }

    for (c, conn) in convs.iter_mut().zip(tcp) {
        let Some(conn) = conn else { continue };
        c.trouble = conn.counts;
        c.furthest_state = Some(conn.furthest);
        c.final_state = Some(conn.states());
        c.handshake_rtt_ns = conn.first_rtt_ns;
        c.mss = conn.mss;
        c.window_scale = conn.window_scale;
        c.sack_permitted = conn.sack_permitted;
        c.timestamps = conn.timestamps;
        // The client is whoever sent the first SYN (went through SYN-SENT); unknown when the
        // capture starts mid-connection.
        c.client = conn
            .changes
            .iter()
            .find(|s| s.to == TcpState::SynSent)
            .map(|s| s.endpoint);
        c.progress = progress(&conn);
        c.state_changes = conn.changes;
    }
    Analysis {
        conversations: convs,
        packets: infos,
    }
}

fn progress(c: &TcpConnection) -> Progress {
    use TcpState::*;
    let [a, b] = c.states();
    if c.reset {
        return if c.established {
            Progress::Reset
        } else {
            Progress::Refused
        };
    }
    if c.closed_by_fin
        || (matches!(a, TimeWait | Closed) && matches!(b, TimeWait | Closed) && c.established)
    {
        return Progress::Closed;
    }
    if [a, b].iter().any(|s| {
        matches!(
            s,
            FinWait1 | FinWait2 | CloseWait | Closing | LastAck | TimeWait
        )
    }) {
        return Progress::HalfClosed;
    }
    if c.established {
        return Progress::Established;
    }
    if [a, b].contains(&SynReceived) && [a, b].contains(&SynSent) {
        return Progress::Handshaking;
    }
    if a == SynReceived || b == SynReceived {
        // SYN seen, the answer not (yet).
        return Progress::SynOnly;
    }
    Progress::SynOnly
}

/// Which conversations to show. Every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Matches either endpoint's address (exact).
    pub addr: Option<IpAddr>,
    /// Matches either endpoint's port.
    pub port: Option<u16>,
    pub proto: Option<Proto>,
    /// Any of these marks must appear in the conversation (0 = no condition).
    pub any_marks: u16,
    /// Only conversations with some trouble.
    pub trouble_only: bool,
}

impl Filter {
    pub fn matches(&self, c: &Conversation) -> bool {
        self.addr.is_none_or(|a| c.a.addr == a || c.b.addr == a)
            && self.port.is_none_or(|p| c.a.port == p || c.b.port == p)
            && self.proto.is_none_or(|p| c.proto == p)
            && (self.any_marks == 0 || c.marks & self.any_marks != 0)
            && (!self.trouble_only || c.has_trouble())
    }

    /// Parses a filter typed by a person: space-separated terms such as `10.0.0.1`,
    /// `port 80` (or `:80`), `tcp`, `udp`, `rst`, `retrans`, `zerowin`, `dupack`, `trouble`.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut f = Filter::default();
        let mut words = text.split_whitespace().peekable();
        while let Some(w) = words.next() {
            let lw = w.to_ascii_lowercase();
            match lw.as_str() {
                "tcp" => f.proto = Some(Proto::Tcp),
                "udp" => f.proto = Some(Proto::Udp),
                "rst" | "reset" => f.any_marks |= mark::RST,
                "retrans" | "retransmission" => f.any_marks |= mark::RETRANSMISSION,
                "zerowin" | "zero-window" => f.any_marks |= mark::ZERO_WINDOW,
                "dupack" | "dup-ack" => f.any_marks |= mark::DUPLICATE_ACK,
                "trouble" => f.trouble_only = true,
                "port" => {
                    let p = words.next().ok_or("\"port\" needs a number after it")?;
                    f.port = Some(
                        p.parse()
                            .map_err(|_| format!("\"{p}\" is not a port number"))?,
                    );
                }
                _ => {
                    if let Some(p) = lw.strip_prefix(':') {
                        f.port = Some(p.parse().map_err(|_| format!("\"{w}\" is not a port"))?);
                    } else if let Ok(a) = lw.trim_matches(['[', ']']).parse::<IpAddr>() {
                        f.addr = Some(a);
                    } else if let Ok(p) = lw.parse::<u16>() {
                        f.port = Some(p);
                    } else {
                        return Err(format!(
                            "\"{w}\" is not an address, a port, tcp/udp or a flag \
                             (rst, retrans, zerowin, dupack, trouble)"
                        ));
                    }
                }
            }
        }
        Ok(f)
    }
}
