//! Turns what an experiment observed — application calls, captured packets, sock_diag samples,
//! kernel counters — into one `synack_model::trace::Trace`, on one time line
//! (microseconds since the run started, CLOCK_REALTIME underneath).
//!
//! Observation, not modelling: a state appears in the trace when sock_diag reported it at a
//! poll, or when the socket's own segments prove it happened between two polls (a SYN sent
//! between a dump that did not show the socket and one that shows it ESTABLISHED was sent in
//! SYN-SENT: RFC 9293's state diagram, walked by `Causes::path`, never a guess about the
//! kernel's choices). A state shorter than the poll interval that no segment proves (a
//! timer's) can still be missing; packets are exact (every one is captured with the
//! kernel's timestamp).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::{Arc, Mutex, MutexGuard};

use synack_model::trace::{
    Addr, AppCall, AppCallKind, AppResult, DropReason, Event, EventKind, Host, HostId,
    MessageContent, MessageId, MessageInfo, Origin, PayloadSpan, Proto, QueueKind, Segment,
    SegmentId, ShutHow, SocketId, SocketInfo, TcpState, TimerKind, Trace, TRACE_FORMAT_VERSION,
};

use crate::ip::{parse, Parsed};
use crate::sys::diag::{state as st, DiagSample};
use crate::sys::packet::RawPacket;
use crate::sys::realtime_us;

/// What bounds a listener's SYN (request) queue on the recorded kernel, for the gauge's
/// capacity: the namespace's `tcp_max_syn_backlog` and `tcp_syncookies`. The capacity is the
/// model's rule (`Listener::syn_queue_cap`, so that a strict comparison of the two gauges
/// agrees): the listen backlog + 1 (`inet_csk_reqsk_queue_is_full`), and with syncookies off
/// no more than `tcp_conn_request`'s early-drop limit, three quarters of
/// `tcp_max_syn_backlog` (+ 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SynQueueLimits {
    /// `None` when it could not be read. 0 is a limit like any other: the kernel takes it
    /// (`proc_dointvec`, no floor), and without cookies `tcp_conn_request`'s early drop
    /// (`max - qlen < max >> 2`) then drops every SYN behind one queued request.
    pub max_syn_backlog: Option<u32>,
    /// 0, 1 or 2.
    pub syncookies: u32,
    /// net.ipv4.tcp_abort_on_overflow: an ACK refused for a full accept queue resets its
    /// request instead of leaving it for a retransmission (not a SYN-queue limit, but read
    /// with them: it decides what a later segment of that connection finds).
    pub abort_on_overflow: bool,
}

impl SynQueueLimits {
    /// The capacity for a listener whose `sk_max_ack_backlog` (min(backlog, somaxconn)) is
    /// `max_ack_backlog`.
    pub fn cap(&self, max_ack_backlog: u32) -> u32 {
        let listener = synack_model::tcp::listener::Listener {
            backlog: max_ack_backlog,
            ..Default::default()
        };
        let mut p = synack_model::profile::Profile::linux();
        p.syncookies = self.syncookies > 0;
        p.syncookies_always = self.syncookies == 2;
        if let Some(max) = self.max_syn_backlog {
            p.max_syn_backlog = max;
        } else {
            // Unknown: only the backlog bounds the gauge.
            p.syncookies = true;
        }
        listener.syn_queue_cap(u32::MAX, &p)
    }
}

/// One packet through the user-space wire (see `wire`).
#[derive(Clone, Debug)]
pub struct WirePacket {
    pub t_in_us: u64,
    pub data: Vec<u8>,
    pub fate: WireFate,
}

#[derive(Clone, Debug)]
pub enum WireFate {
    /// One entry per copy the wire sent on (more than one: the wire duplicated it): the time
    /// it was handed to the receiver, or why it never was. `None` only while in flight.
    Delivered(Vec<Option<std::result::Result<u64, String>>>),
    /// Dropped by the wire, for the same reason the model would give (a fault rule's index in
    /// the scenario, random link loss), or not relayed at all.
    Dropped(DropReason),
}

#[derive(Clone, Debug)]
struct Sock {
    info: SocketInfo,
    /// When the lab made it (or first saw it), on the recorder's clock: a dump before that
    /// shows another socket (a listener restarted on the same port).
    registered_us: u64,
}

/// (message, offset in the byte stream, length)
type StreamMsg = (MessageId, u64, u32);

/// (src, sport, dst, dport, seq, payload length, SYN|FIN<<1|RST<<2)
type RetxKey = (Ipv4Addr, u16, Ipv4Addr, u16, u32, u32, u8);

#[derive(Clone)]
struct Inner {
    start_us: u64,
    experiment: String,
    hosts: Vec<Host>,
    host_ips: Vec<Ipv4Addr>,
    server_host: HostId,
    server_ports: BTreeSet<u16>,
    sockets: Vec<Sock>,
    messages: Vec<MessageInfo>,
    /// Byte stream (sport, dport) → messages at stream offsets.
    stream_msgs: BTreeMap<(u16, u16), Vec<StreamMsg>>,
    /// (absolute µs, insertion order, event)
    events: Vec<(u64, u64, EventKind)>,
    order: u64,
    next_seg: u32,
    pcap: Vec<(u64, Vec<u8>)>,
    /// UDP: messages of the datagrams still to be seen, per (sport, dport).
    datagrams: BTreeMap<(u16, u16), VecDeque<(MessageId, u32)>>,
    /// UDP: every datagram sent, in order, per (sport, dport): what a receiver tells a
    /// datagram too short to carry its message number by (`udp_run`).
    datagrams_sent: BTreeMap<(u16, u16), Vec<(MessageId, u32)>>,
    /// Initial sequence number per direction (sport, dport), from the SYNs seen.
    isns: BTreeMap<(u16, u16), u32>,
    /// Listening sockets by their sock_diag cookie: SO_REUSEPORT lets several listen on one
    /// port at once, which host and port alone cannot tell apart.
    listener_cookies: BTreeMap<u64, SocketId>,
    /// Time the sockets were last polled, if the diag poller ran: marks how long states lasted.
    end_us: u64,
    /// The longest time between two sock_diag dumps (start of one to the end of the next),
    /// µs: a state shorter than this may have been missed.
    max_poll_gap_us: u64,
    /// tcp_syncookies was 0 where the listeners ran (from `add_diag`'s limits): a full SYN
    /// queue then drops a new SYN instead of answering it with a cookie.
    no_syncookies: bool,
    /// tcp_syncookies was 2 where the listeners ran: every SYN is answered with a cookie, no
    /// request socket is made, and a connection's socket is born when its ACK returns the
    /// cookie (`tcp_conn_request`: `syncookies == 2` → want_cookie, the request freed after
    /// the SYN-ACK; `cookie_v4_check` → `tcp_get_cookie_sock`).
    syncookies_always: bool,
    /// tcp_abort_on_overflow was 1 where the listeners ran (from `add_diag`'s limits).
    abort_on_overflow: bool,
    /// When the cause of each socket's CLOSED (the RST it took or sent, the call) happened,
    /// absolute µs: a dump stamps a vanished socket's CLOSED no earlier than itself, but a
    /// segment that arrived between the cause and that dump already found no socket.
    closed_at: BTreeMap<SocketId, u64>,
    /// Request sockets a refused ACK reset (tcp_abort_on_overflow), with the time: what
    /// arrives for their 4-tuple after it goes to the listener, not to them.
    aborted: BTreeMap<SocketId, u64>,
}

/// A cheap, clonable handle: experiments record from several threads.
#[derive(Clone)]
pub struct Recorder(Arc<Mutex<Inner>>);

impl Recorder {
    pub fn new(experiment: &str) -> Recorder {
        Recorder(Arc::new(Mutex::new(Inner {
            start_us: realtime_us(),
            experiment: experiment.to_string(),
            hosts: Vec::new(),
            host_ips: Vec::new(),
            server_host: HostId(0),
            server_ports: BTreeSet::new(),
            sockets: Vec::new(),
            messages: Vec::new(),
            stream_msgs: BTreeMap::new(),
            events: Vec::new(),
            order: 0,
            next_seg: 0,
            pcap: Vec::new(),
            isns: BTreeMap::new(),
            listener_cookies: BTreeMap::new(),
            datagrams: BTreeMap::new(),
            datagrams_sent: BTreeMap::new(),
            end_us: 0,
            max_poll_gap_us: 0,
            no_syncookies: false,
            syncookies_always: false,
            abort_on_overflow: false,
            closed_at: BTreeMap::new(),
            aborted: BTreeMap::new(),
        })))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not hide the trace recorded so far.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Microseconds since the run started.
    pub fn now(&self) -> u64 {
        realtime_us().saturating_sub(self.lock().start_us)
    }

    pub fn host(&self, name: &str, ip: Ipv4Addr, is_server: bool) -> HostId {
        let mut g = self.lock();
        let id = HostId(g.hosts.len() as u16);
        g.hosts.push(Host {
            id,
            name: name.into(),
            addr: ip.to_string(),
        });
        g.host_ips.push(ip);
        if is_server {
            g.server_host = id;
        }
        id
    }

    /// Marks a port as a server's: segments from/to it belong to the server host even when
    /// both hosts share an address (loopback).
    pub fn server_port(&self, port: u16) {
        self.lock().server_ports.insert(port);
    }

    pub fn server_ports(&self) -> BTreeSet<u16> {
        self.lock().server_ports.clone()
    }

    /// Maps an IP:port seen on the wire to a host and port.
    pub fn addr_of(&self, a: SocketAddrV4) -> Addr {
        self.lock().addr_of(a)
    }

    /// The local port of socket `id`, learnt after it was registered (connect() chose it).
    pub fn set_local_port(&self, id: SocketId, port: u16) {
        if let Some(s) = self.lock().sockets.get_mut(id.0 as usize) {
            s.info.local_port = port;
        }
    }

    /// Registers a socket the experiment made; sock_diag entries are matched to it by
    /// (host, local port, remote).
    #[allow(clippy::too_many_arguments)]
    pub fn socket(
        &self,
        host: HostId,
        proto: Proto,
        local_port: u16,
        remote: Option<Addr>,
        listener: bool,
        parent: Option<SocketId>,
        label: &str,
    ) -> SocketId {
        let now = self.now();
        let mut g = self.lock();
        let id = SocketId(g.sockets.len() as u16);
        g.sockets.push(Sock {
            info: SocketInfo {
                id,
                host,
                proto,
                local_port,
                remote,
                listener,
                parent,
                created_us: now,
                scripted: false,
                label: label.into(),
            },
            registered_us: now,
        });
        id
    }

    pub fn message(&self, socket: SocketId, label: &str, len: u32) -> MessageId {
        self.message_with(socket, label, len, None)
    }

    /// A message whose bytes are framing (a length prefix...), so viewers can rebuild the
    /// byte stream and decode it like the application did.
    pub fn message_with(
        &self,
        socket: SocketId,
        label: &str,
        len: u32,
        content: Option<MessageContent>,
    ) -> MessageId {
        let mut g = self.lock();
        let id = MessageId(g.messages.len() as u32);
        g.messages.push(MessageInfo {
            id,
            socket,
            label: label.into(),
            len,
            content,
        });
        id
    }

    /// Says that message `m` occupies stream bytes [offset, offset+len) of the TCP byte stream
    /// sport → dport (offset 0 = first byte after the SYN).
    pub fn stream_message(&self, sport: u16, dport: u16, m: MessageId, offset: u64, len: u32) {
        self.lock()
            .stream_msgs
            .entry((sport, dport))
            .or_default()
            .push((m, offset, len));
    }

    /// Says that the next datagram sport → dport carries message `m` (of `len` bytes).
    pub fn datagram_message(&self, sport: u16, dport: u16, m: MessageId, len: u32) {
        let mut g = self.lock();
        g.datagrams
            .entry((sport, dport))
            .or_default()
            .push_back((m, len));
        g.datagrams_sent
            .entry((sport, dport))
            .or_default()
            .push((m, len));
    }

    /// Every datagram sent sport → dport so far, in order, with its length.
    pub fn datagrams_sent(&self, sport: u16, dport: u16) -> Vec<(MessageId, u32)> {
        self.lock()
            .datagrams_sent
            .get(&(sport, dport))
            .cloned()
            .unwrap_or_default()
    }

    /// Which messages' bytes the stream range [off, off+len) of sport → dport holds.
    pub fn spans(&self, sport: u16, dport: u16, off: u64, len: u32) -> Vec<PayloadSpan> {
        self.lock().spans(sport, dport, off, len)
    }

    pub fn event(&self, kind: EventKind) {
        let t = realtime_us();
        self.lock().push(t, kind);
    }

    pub fn call(&self, socket: SocketId, call: AppCall) {
        self.event(EventKind::AppCall { socket, call });
    }

    pub fn ret(&self, socket: SocketId, call: AppCallKind, result: AppResult) {
        self.event(EventKind::AppReturn {
            socket,
            call,
            result,
        });
    }

    /// Adds a loopback capture: each packet's outgoing copy becomes `SegmentSent`, its incoming
    /// copy `SegmentArrived`. `keep` filters packets (by ports) on a shared loopback.
    pub fn add_loopback_capture(&self, packets: &[RawPacket], keep: &dyn Fn(&Parsed) -> bool) {
        let mut g = self.lock();
        let mut in_flight: VecDeque<(Vec<u8>, SegmentId)> = VecDeque::new();
        let mut retx = Retx::default();
        let mut last_t = 0u64;
        for p in packets {
            let Some(parsed) = parse(&p.data) else {
                continue;
            };
            if !keep(&parsed) {
                continue;
            }
            // The tap delivers copies in causal order, but their stamps can be a few µs out of
            // order; keep the capture order on the time line.
            let t_us = p.t_us.max(last_t);
            last_t = t_us;
            let p = RawPacket {
                t_us,
                outgoing: p.outgoing,
                data: p.data.clone(),
            };
            let p = &p;
            if p.outgoing {
                let seg = g.segment(&parsed, &mut retx, false);
                let id = g.seg_id();
                g.push(p.t_us, EventKind::SegmentSent { id, segment: seg });
                in_flight.push_back((p.data.clone(), id));
            } else {
                g.pcap.push((p.t_us, p.data.clone()));
                let id = match in_flight.iter().position(|(d, _)| *d == p.data) {
                    Some(i) => in_flight.remove(i).map(|(_, id)| id),
                    None => None,
                };
                let id = match id {
                    Some(id) => id,
                    None => {
                        // Only the arriving copy was seen (capture started mid-flight).
                        let seg = g.segment(&parsed, &mut retx, false);
                        let id = g.seg_id();
                        g.push(p.t_us, EventKind::SegmentSent { id, segment: seg });
                        id
                    }
                };
                g.push(p.t_us, EventKind::SegmentArrived { id });
            }
        }
    }

    /// Adds the packets that went through the user-space wire, with their fates. Every packet
    /// the relay read is accounted for: returns how many could not be written as a segment
    /// (not IPv4 TCP/UDP), for the run's warnings.
    pub fn add_wire_capture(&self, packets: &[WirePacket]) -> usize {
        let mut g = self.lock();
        let mut retx = Retx::default();
        let mut unparsed = 0;
        let mut pieces = Fragments::default();
        for p in packets {
            let Some(parsed) = parse(&p.data) else {
                unparsed += 1;
                continue;
            };
            // The pcap keeps each packet as it was on the wire, fragments included.
            g.pcap.push((p.t_in_us, p.data.clone()));
            let whole;
            let (p, parsed) = match parsed.frag {
                None => (p, parsed),
                Some(_) => match pieces.add(p, parsed) {
                    Some((q, r)) => {
                        whole = q;
                        (&whole, r)
                    }
                    None => continue,
                },
            };
            match &p.fate {
                WireFate::Delivered(copies) => {
                    for (i, c) in copies.iter().enumerate() {
                        let seg = g.segment(&parsed, &mut retx, i > 0);
                        let id = g.seg_id();
                        g.push(p.t_in_us, EventKind::SegmentSent { id, segment: seg });
                        match c {
                            Some(Ok(t)) => g.push(*t, EventKind::SegmentArrived { id }),
                            Some(Err(why)) => g.push(
                                p.t_in_us,
                                EventKind::SegmentDropped {
                                    id,
                                    reason: DropReason::Other { why: why.clone() },
                                },
                            ),
                            None => g.push(
                                p.t_in_us,
                                EventKind::SegmentDropped {
                                    id,
                                    reason: DropReason::Other {
                                        why: "lost in the relay".into(),
                                    },
                                },
                            ),
                        }
                    }
                }
                WireFate::Dropped(reason) => {
                    let seg = g.segment(&parsed, &mut retx, false);
                    let id = g.seg_id();
                    g.push(p.t_in_us, EventKind::SegmentSent { id, segment: seg });
                    g.push(
                        p.t_in_us,
                        EventKind::SegmentDropped {
                            id,
                            reason: reason.clone(),
                        },
                    );
                }
            }
        }
        unparsed
    }

    /// Adds sock_diag samples: state transitions, queue lengths, timers and counters.
    /// `syn_limits` are the namespace's sysctls that bound a listener's SYN queue (for its
    /// gauge's capacity).
    pub fn add_diag(
        &self,
        samples: &[DiagSample],
        syn_limits: SynQueueLimits,
        counter_host: HostId,
    ) {
        let mut g = self.lock();
        // Unknown limits (no tcp_max_syn_backlog read) say nothing about cookies.
        g.no_syncookies = syn_limits.syncookies == 0 && syn_limits.max_syn_backlog.is_some();
        g.syncookies_always = syn_limits.syncookies == 2;
        g.abort_on_overflow = syn_limits.abort_on_overflow;
        g.add_diag(samples, syn_limits, counter_host);
    }

    /// The longest stretch, µs, between two sock_diag dumps of one poller (see `add_diag`).
    pub fn max_poll_gap_us(&self) -> u64 {
        self.lock().max_poll_gap_us
    }

    /// The packets to write as pcap (the arriving copy of each, like `tcpdump -i lo`).
    pub fn pcap_packets(&self) -> Vec<(u64, Vec<u8>)> {
        self.lock().pcap.clone()
    }

    pub fn finish(&self, kernel: &str) -> Trace {
        let g = self.lock();
        let start = g.start_us;
        let events: Vec<Event> = g
            .sorted_events()
            .into_iter()
            .map(|e| Event {
                t: e.t.saturating_sub(start),
                ..e
            })
            .collect();
        let last = events.last().map(|e| e.t).unwrap_or(0);
        let end = g.end_us.saturating_sub(start);
        let mut sockets = g.socket_infos();
        for s in &mut sockets {
            s.created_us = s.created_us.min(last.max(end));
        }
        let mut events = events;
        let closed_at: BTreeMap<SocketId, u64> = g
            .closed_at
            .iter()
            .map(|(id, t)| (*id, t.saturating_sub(start)))
            .collect();
        mark_resets_for_no_socket(&mut events, &sockets, &closed_at);
        let mut trace = Trace {
            version: TRACE_FORMAT_VERSION,
            origin: Origin::Lab {
                experiment: g.experiment.clone(),
                kernel: kernel.into(),
            },
            hosts: g.hosts.clone(),
            sockets,
            messages: g.messages.clone(),
            events,
            snapshots: Vec::new(),
            duration_us: last.max(end),
            cut_short: None,
        };
        trace.build_snapshots(64);
        trace
    }
}

/// IPv4 fragments waiting for the rest of their datagram (RFC 791 §3.2, RFC 815). The trace
/// shows a fragmented datagram as one segment, as the model sends it: it left with its first
/// fragment and arrived with its last (the receiver's `ip_defrag` hands the datagram to UDP
/// only then), and it was lost if any piece was (the kernel then discards the rest after
/// `ipfrag_time`). The pcap keeps the fragments themselves.
#[derive(Default)]
struct Fragments {
    /// (source, destination, IP identification) → the pieces so far.
    open: BTreeMap<(Ipv4Addr, Ipv4Addr, u16), Vec<(WirePacket, Parsed)>>,
}

impl Fragments {
    /// Adds one piece; returns the whole datagram (as one packet and its parse) once every
    /// byte from offset 0 to the last piece's end is there.
    fn add(&mut self, p: &WirePacket, parsed: Parsed) -> Option<(WirePacket, Parsed)> {
        let f = parsed.frag?;
        let key = (parsed.src, parsed.dst, f.id);
        let v = self.open.entry(key).or_default();
        v.push((p.clone(), parsed));
        v.sort_by_key(|(_, q)| q.frag.map_or(0, |f| f.offset));
        let mut next = 0u32;
        for (_, q) in v.iter() {
            let qf = q.frag?;
            if qf.offset != next {
                return None;
            }
            let data = if qf.offset == 0 {
                q.payload_len + 8
            } else {
                q.payload_len
            };
            next += data;
            if !qf.more {
                let v = self.open.remove(&key)?;
                return Some(Self::join(v, next));
            }
        }
        None
    }

    /// One packet for a complete datagram of `ip_payload` bytes after its IP header.
    fn join(v: Vec<(WirePacket, Parsed)>, ip_payload: u32) -> (WirePacket, Parsed) {
        let (first, head) = &v[0];
        let t_in_us = v
            .iter()
            .map(|(p, _)| p.t_in_us)
            .min()
            .unwrap_or(first.t_in_us);
        let dropped = v.iter().find_map(|(p, _)| match &p.fate {
            WireFate::Dropped(r) => Some(r.clone()),
            WireFate::Delivered(_) => None,
        });
        let fate = match dropped {
            Some(r) => WireFate::Dropped(r),
            None => {
                // Every piece was handed over: the datagram arrived with the last of them
                // (one copy: a duplicated piece is still one datagram for the receiver).
                let mut at: std::result::Result<u64, String> = Ok(0);
                for (p, _) in &v {
                    if let WireFate::Delivered(c) = &p.fate {
                        match c.first().cloned().flatten() {
                            Some(Ok(t)) => {
                                if let Ok(a) = &mut at {
                                    *a = (*a).max(t);
                                }
                            }
                            Some(Err(e)) => at = Err(e),
                            None => at = Err("lost in the relay".into()),
                        }
                    }
                }
                WireFate::Delivered(vec![Some(at)])
            }
        };
        let mut parsed = head.clone();
        parsed.payload_len = ip_payload.saturating_sub(8);
        parsed.wire_len = 20 + ip_payload;
        parsed.frag = None;
        (
            WirePacket {
                t_in_us,
                data: first.data.clone(),
                fate,
            },
            parsed,
        )
    }
}

/// Retransmission bookkeeping: per direction, how often each (seq, len, SYN, FIN, RST)
/// has been sent. Pure ACKs are not counted (a repeated pure ACK is a duplicate ACK, not a
/// retransmission).
#[derive(Default)]
struct Retx {
    seen: BTreeMap<RetxKey, u32>,
}

impl Inner {
    fn push(&mut self, abs_us: u64, kind: EventKind) {
        self.order += 1;
        let o = self.order;
        self.events.push((abs_us, o, kind));
    }

    fn seg_id(&mut self) -> SegmentId {
        let id = SegmentId(self.next_seg);
        self.next_seg += 1;
        id
    }

    fn addr_of(&self, a: SocketAddrV4) -> Addr {
        let host = if self.server_ports.contains(&a.port())
            && self.host_ips.get(self.server_host.0 as usize) == Some(a.ip())
        {
            self.server_host
        } else {
            let matches: Vec<usize> = (0..self.host_ips.len())
                .filter(|i| self.host_ips[*i] == *a.ip())
                .collect();
            match matches.as_slice() {
                [one] => HostId(*one as u16),
                many => many
                    .iter()
                    .map(|i| HostId(*i as u16))
                    .find(|h| *h != self.server_host)
                    .unwrap_or(HostId(0)),
            }
        };
        Addr {
            host,
            port: a.port(),
        }
    }

    fn spans(&self, sport: u16, dport: u16, off: u64, len: u32) -> Vec<PayloadSpan> {
        let mut out = Vec::new();
        let Some(msgs) = self.stream_msgs.get(&(sport, dport)) else {
            return out;
        };
        let end = off + len as u64;
        for (m, mstart, mlen) in msgs {
            let mend = mstart + *mlen as u64;
            let a = off.max(*mstart);
            let b = end.min(mend);
            if a < b {
                out.push(PayloadSpan {
                    message: *m,
                    start: (a - mstart) as u32,
                    end: (b - mstart) as u32,
                });
            }
        }
        out
    }

    fn segment(&mut self, p: &Parsed, retx: &mut Retx, dup: bool) -> Segment {
        let mut retransmission = 0;
        let mut payload = Vec::new();
        if let Some(t) = p.tcp() {
            let f = t.flags;
            let ctl = (f.syn as u8) | ((f.fin as u8) << 1) | ((f.rst as u8) << 2);
            if p.payload_len > 0 || f.syn || f.fin || f.rst {
                if !dup {
                    let key = (p.src, p.sport, p.dst, p.dport, t.seq, p.payload_len, ctl);
                    let n = retx.seen.entry(key).or_insert(0);
                    retransmission = *n;
                    *n += 1;
                } else {
                    retransmission = 0;
                }
            }
            if f.syn {
                // Remember the ISN of this direction: stream offset 0 is ISN+1.
                self.stream_isn_insert(p.sport, p.dport, t.seq);
            }
            if p.payload_len > 0 {
                if let Some(isn) = self.stream_isn(p.sport, p.dport) {
                    let off = t.seq.wrapping_sub(isn).wrapping_sub(1) as u64;
                    payload = self.spans(p.sport, p.dport, off, p.payload_len);
                }
            }
        }
        if matches!(p.header, synack_model::trace::Header::Udp(_)) && !dup {
            let next = self
                .datagrams
                .get_mut(&(p.sport, p.dport))
                .and_then(|q| q.pop_front());
            if let Some((m, len)) = next {
                payload.push(PayloadSpan {
                    message: m,
                    start: 0,
                    end: len.min(p.payload_len),
                });
            }
        }
        Segment {
            src: self.addr_of(SocketAddrV4::new(p.src, p.sport)),
            dst: self.addr_of(SocketAddrV4::new(p.dst, p.dport)),
            header: p.header.clone(),
            payload_len: p.payload_len,
            payload,
            wire_len: p.wire_len,
            retransmission,
            network_duplicate: dup,
        }
    }

    fn stream_isn_insert(&mut self, sport: u16, dport: u16, isn: u32) {
        self.isns.insert((sport, dport), isn);
    }

    fn stream_isn(&self, sport: u16, dport: u16) -> Option<u32> {
        self.isns.get(&(sport, dport)).copied()
    }

    /// Finds (or creates) the trace socket for a sock_diag entry. `last` is the state each
    /// socket was last seen in: a TCP 4-tuple can carry one connection after another (a client
    /// connecting again from its port while the server's side of the last one is in
    /// TIME-WAIT, which Linux reopens: `tcp_timewait_state_process` → TCP_TW_SYN), and the
    /// entry belongs to the oldest socket of the tuple that has not ended before it.
    fn socket_for(
        &mut self,
        d: &crate::sys::diag::DiagSock,
        t_abs: u64,
        last: &dyn Fn(SocketId) -> Option<TcpState>,
    ) -> Option<SocketId> {
        let proto = if d.udp { Proto::Udp } else { Proto::Tcp };
        let local = self.addr_of(d.local);
        let remote = (d.remote.port() != 0).then(|| self.addr_of(d.remote));
        let listening = d.state == st::LISTEN;
        // The newest match, and for a listener the newest made before this dump: a listener
        // restarted on the same port is a socket of its own, and the old one (closed by then)
        // was registered first. (An accepted connection is registered at accept(), after
        // dumps already showed it in the queues: it matches those too.)
        let seen = t_abs.saturating_sub(self.start_us);
        if listening {
            if let Some(&id) = self.listener_cookies.get(&d.cookie) {
                return Some(id);
            }
        }
        let cookies = &self.listener_cookies;
        let matches = |s: &&Sock| {
            (!listening
                || (s.registered_us <= seen && !cookies.values().any(|&id| id == s.info.id)))
                && s.info.proto == proto
                && s.info.host == local.host
                && s.info.local_port == local.port
                && s.info.listener == listening
                && (s.info.remote == remote || (remote.is_none() && s.info.remote.is_none()))
        };
        let found = if proto == Proto::Tcp && !listening && remote.is_some() {
            // One connection after another on the tuple: a socket that vanished (CLOSED), or
            // one seen closing when this entry is an opening state (TIME-WAIT, then
            // SYN-RECV for the connection that replaced it), has ended; the entry is the
            // next one's. (Accepted connections are registered at accept(), after the dumps
            // that showed them: the oldest open one, not the newest registered.)
            let opening = matches!(
                linux_state(d.state),
                Some(TcpState::SynSent | TcpState::SynReceived | TcpState::Established)
            );
            let ended = |id: SocketId| match last(id) {
                Some(TcpState::Closed) => true,
                Some(
                    TcpState::FinWait1
                    | TcpState::FinWait2
                    | TcpState::Closing
                    | TcpState::TimeWait
                    | TcpState::CloseWait
                    | TcpState::LastAck,
                ) => opening,
                _ => false,
            };
            let all: Vec<&Sock> = self.sockets.iter().filter(matches).collect();
            // With every socket of the tuple ended, an opening entry is a connection nobody
            // registered: a child of the listener that no accept() took (below), not the
            // last accepted one come back. Measured on 6.18
            // (time-wait-reconnect-client-first-reuseaddr+delay=0: the second connection is
            // never accepted): its ESTABLISHED was pinned on the first connection's CLOSED
            // server socket, where no segment leads from CLOSED, so its SYN-RECEIVED was lost.
            let passive_reopened = opening && all.last().is_some_and(|s| s.info.parent.is_some());
            all.iter()
                .find(|s| !ended(s.info.id))
                .or(all.last().filter(|_| !passive_reopened))
                .copied()
        } else {
            self.sockets.iter().rfind(matches)
        };
        if let Some(s) = found {
            let id = s.info.id;
            if listening {
                self.listener_cookies.insert(d.cookie, id);
            }
            // An accepted connection existed (in the SYN and accept queues) before accept().
            let info = &mut self.sockets[id.0 as usize].info;
            info.created_us = info.created_us.min(seen);
            return Some(id);
        }
        if d.udp && remote.is_none() {
            return None; // unconnected UDP sockets are all registered by the experiments
        }
        // Discovered at run time: a request socket or a not-yet-accepted child of a listener.
        let parent = self
            .sockets
            .iter()
            .rfind(|s| {
                s.registered_us <= seen
                    && s.info.listener
                    && s.info.local_port == local.port
                    && s.info.host == local.host
            })
            .map(|s| s.info.id);
        let id = SocketId(self.sockets.len() as u16);
        let label = match remote {
            Some(r) if parent.is_some() => format!("conn from :{}", r.port),
            Some(r) => format!(":{} → :{}", local.port, r.port),
            None => format!(":{}", local.port),
        };
        self.sockets.push(Sock {
            info: SocketInfo {
                id,
                host: local.host,
                proto,
                local_port: local.port,
                remote,
                listener: false,
                parent,
                created_us: seen,
                scripted: false,
                label,
            },
            registered_us: seen,
        });
        self.push(t_abs, EventKind::SocketCreated { socket: id });
        Some(id)
    }

    /// Whether sockets `a` and `b` are ends of the same 4-tuple (one connection after
    /// another).
    fn same_tuple(&self, a: SocketId, b: SocketId) -> bool {
        let (a, b) = (
            &self.sockets[a.0 as usize].info,
            &self.sockets[b.0 as usize].info,
        );
        a.proto == b.proto
            && a.host == b.host
            && a.local_port == b.local_port
            && a.remote.is_some()
            && a.remote == b.remote
    }

    /// Records that socket `id`, last seen in `seen` (never, if `None`), was in `to` by the
    /// end of `window`, with the states in between that its segments prove
    /// ([`Causes::path`]), each at its cause; when nothing recorded caused the change to
    /// `to`, it is stamped at `fallback`.
    fn push_state(
        &mut self,
        causes: &Causes,
        id: SocketId,
        seen: Option<TcpState>,
        to: TcpState,
        window: (u64, u64),
        fallback: u64,
    ) {
        let info = &self.sockets[id.0 as usize].info;
        // With tcp_syncookies 2 a passive connection never was a request: the segments that
        // would make LISTEN → SYN-RECEIVED → ESTABLISHED (its SYN and ACK, both inside one
        // dump's window when the wire is 0 ms) make a cookie and then the socket, ESTABLISHED.
        // A request the dumps saw (`seen`), such as one for a SYN on a TIME-WAIT tuple
        // (`tcp_conn_request` takes no cookie with an ISN from `tcp_twsk_unique`), keeps its
        // SYN-RECEIVED. Measured on 6.18 (syncookies-always+delay=0): no SYN_RECV socket.
        let cookie_child = self.syncookies_always && info.parent.is_some() && seen.is_none();
        // A passive connection's history starts in its listener's LISTEN; a cookie's child
        // starts at the segment that returns the cookie, which finds no request to complete
        // but is walked as the ACK of one (`cookie_v4_check` → `tcp_get_cookie_sock` makes
        // the child, whose `tcp_rcv_state_process` takes the ACK, then any FIN, `tcp_fin`):
        // the SYN may be long before the window of the dump that first shows the child, as
        // when the handshake's last ACK was lost and the client's first segment is a FIN
        // (explore seed 52800 #15: CLOSE-WAIT with no ESTABLISHED before it).
        let start = seen.unwrap_or(if cookie_child {
            TcpState::SynReceived
        } else if info.parent.is_some() {
            TcpState::Listen
        } else {
            TcpState::Closed
        });
        let mut path = causes.path(info, start, to, window);
        if cookie_child {
            path.retain(|&(_, s)| s != TcpState::SynReceived);
        }
        // One proven step is taken from `time` (the same cause, found the same way for every
        // state), except LAST-ACK's end, which only the ACK of our FIN proves, unless an
        // abort came first.
        let last_ack_end = start == TcpState::LastAck && to == TcpState::Closed;
        if path.len() == 1
            && !(last_ack_end && causes.abort(info, window).is_none_or(|a| a > path[0].0))
        {
            path.clear();
        }
        if path.is_empty() {
            path.push((causes.time(info, to, window, fallback), to));
        }
        self.push_path(id, seen.unwrap_or(TcpState::Closed), path);
    }

    /// Pushes socket `id`'s changes along `path` (each state at its time), starting `from`.
    fn push_path(&mut self, id: SocketId, mut from: TcpState, path: Vec<(u64, TcpState)>) {
        for (at, s) in path {
            if s == TcpState::Closed {
                self.closed_at.insert(id, at);
            }
            self.push(
                at,
                EventKind::StateChanged {
                    socket: id,
                    from,
                    to: s,
                },
            );
            from = s;
        }
    }

    /// The events so far in time order, with absolute times.
    fn sorted_events(&self) -> Vec<Event> {
        let mut evs: Vec<&(u64, u64, EventKind)> = self.events.iter().collect();
        evs.sort_by_key(|(t, o, _)| (*t, *o));
        evs.into_iter()
            .map(|(t, _, k)| Event {
                t: *t,
                kind: k.clone(),
            })
            .collect()
    }

    fn socket_infos(&self) -> Vec<SocketInfo> {
        self.sockets.iter().map(|s| s.info.clone()).collect()
    }

    /// Adds sock_diag samples. Which arrivals the listener refused ([`accept_queue_drops`])
    /// depends on the states the dumps show, and the states the segments prove must not count
    /// a refused arrival: an ACK thrown away for a full accept queue moves no request to
    /// ESTABLISHED (`tcp_check_req` → `syn_recv_sock` returns NULL: no child is made), and
    /// with tcp_abort_on_overflow the request is gone at once, so nothing arriving after it
    /// reaches it. So the states are inferred on a copy, the arrivals refused then are marked
    /// dropped, and again until no new arrival is refused (a state stamped at a refused ACK
    /// can hide the refusal of the next one): the last copy is the result.
    fn add_diag(
        &mut self,
        samples: &[DiagSample],
        syn_limits: SynQueueLimits,
        counter_host: HostId,
    ) {
        // The copies need no packets for the pcap.
        let pcap = std::mem::take(&mut self.pcap);
        loop {
            let mut trial = self.clone();
            trial.infer_from_diag(samples, syn_limits, counter_host);
            let marks = accept_queue_drops(
                &trial.sorted_events(),
                &trial.socket_infos(),
                self.no_syncookies,
                self.abort_on_overflow,
            );
            // Only arrivals are marked, and a marked one is no longer an arrival: each round
            // marks new ones, so this ends.
            if marks.is_empty() {
                *self = trial;
                self.pcap = pcap;
                return;
            }
            for (t, _, kind) in &mut self.events {
                let EventKind::SegmentArrived { id } = kind else {
                    continue;
                };
                if let Some((reason, aborted)) = marks.get(id) {
                    if let Some(req) = aborted {
                        self.aborted.insert(*req, *t);
                    }
                    *kind = EventKind::SegmentDropped {
                        id: *id,
                        reason: reason.clone(),
                    };
                }
            }
        }
    }

    fn infer_from_diag(
        &mut self,
        samples: &[DiagSample],
        syn_limits: SynQueueLimits,
        counter_host: HostId,
    ) {
        #[derive(Default, Clone)]
        struct Seen {
            state: Option<TcpState>,
            queues: BTreeMap<QueueKind, u32>,
            timer: Option<(TimerKind, u64)>,
        }
        let mut seen: BTreeMap<SocketId, Seen> = BTreeMap::new();
        let mut counters: BTreeMap<String, u64> = BTreeMap::new();
        let causes = Causes::of(&self.events, &self.aborted);
        let mut prev_t = 0u64;
        for sample in samples {
            let t_start = sample.t_us;
            // What a dump shows is stamped when its answer was complete: a queue length or a
            // timer it reports may be the effect of a packet that arrived while it ran, and
            // must not come before that packet.
            let t = sample.t_end_us.max(t_start);
            // A change this sample shows happened after the previous dump began and before
            // this one ended.
            let window = (prev_t, t);
            if prev_t > 0 {
                self.max_poll_gap_us = self.max_poll_gap_us.max(t - prev_t);
            }
            prev_t = t_start;
            // The kernel computed each timer's remaining time somewhere inside the dump.
            let t_mid = t_start + (t - t_start) / 2;
            // Expiry estimates of one timer wander by the dump's length and the rounding to
            // ms; a move within this is the same timer, not a re-armed one.
            let same_timer_us = REARM_SLACK_US + (t - t_start);
            let mut present: BTreeSet<SocketId> = BTreeSet::new();
            let mut syn_q: BTreeMap<u16, u32> = BTreeMap::new();
            for d in &sample.sockets {
                if matches!(d.state, st::SYN_RECV | st::NEW_SYN_RECV) {
                    *syn_q.entry(d.local.port()).or_default() += 1;
                }
            }
            for d in &sample.sockets {
                // A TCP socket in CLOSE is one bound before its connect() (the runner binds
                // first to learn the port): nothing has happened to it yet, and its entry has
                // no peer, so it would become a socket of its own.
                if d.udp || d.state == st::CLOSE {
                    continue;
                }
                let last = |id: SocketId| seen.get(&id).and_then(|s| s.state);
                let Some(id) = self.socket_for(d, t, &last) else {
                    continue;
                };
                present.insert(id);
                let state = linux_state(d.state);
                // A connection opening on the tuple of one in TIME-WAIT replaced it: the
                // SYN that reopened it ended the old one (`tcp_v4_rcv`, TCP_TW_SYN:
                // `inet_twsk_deschedule_put` before the listener sees the SYN), so the old
                // one is CLOSED at that SYN, before the new one's first state.
                if matches!(state, Some(TcpState::SynReceived | TcpState::Established)) {
                    let replaced: Vec<SocketId> = seen
                        .iter()
                        .filter(|(&o, s)| {
                            o != id && s.state == Some(TcpState::TimeWait) && self.same_tuple(o, id)
                        })
                        .map(|(&o, _)| o)
                        .collect();
                    for o in replaced {
                        let info = &self.sockets[o.0 as usize].info;
                        let at = causes.syn_arrival(info, window).unwrap_or(t);
                        if let Some((k, exp)) = seen.get(&o).and_then(|s| s.timer) {
                            self.push(at, timer_gone(o, k, exp, at));
                        }
                        self.push_path(o, TcpState::TimeWait, vec![(at, TcpState::Closed)]);
                        seen.insert(
                            o,
                            Seen {
                                state: Some(TcpState::Closed),
                                ..Seen::default()
                            },
                        );
                    }
                }
                let prev = seen.entry(id).or_default().clone();
                if let Some(s) = state {
                    if prev.state != Some(s) {
                        self.push_state(&causes, id, prev.state, s, window, window.1);
                    }
                }
                let mut queues = BTreeMap::new();
                if d.state == st::LISTEN {
                    queues.insert(QueueKind::AcceptQueue, (d.rqueue, d.wqueue));
                    let sq = syn_q.get(&d.local.port()).copied().unwrap_or(0);
                    // sock_diag's wqueue of a listener is sk_max_ack_backlog.
                    queues.insert(QueueKind::SynQueue, (sq, syn_limits.cap(d.wqueue)));
                } else if d.state != st::TIME_WAIT
                    && !matches!(d.state, st::SYN_RECV | st::NEW_SYN_RECV)
                {
                    // Capacity: the buffer sizes (memory bytes; payload fits about half).
                    queues.insert(QueueKind::RecvBuffer, (d.rqueue, d.rcvbuf));
                    queues.insert(QueueKind::SendBuffer, (d.wqueue, d.sndbuf));
                }
                for (q, (len, cap)) in &queues {
                    if prev.queues.get(q) != Some(len) {
                        self.push(
                            t,
                            EventKind::QueueChanged {
                                socket: id,
                                queue: *q,
                                len: *len,
                                cap: *cap,
                            },
                        );
                    }
                }
                let timer = match d.timer {
                    1 => Some(TimerKind::Retransmit),
                    2 if d.state == st::FIN_WAIT2 => Some(TimerKind::FinWait2),
                    2 => Some(TimerKind::Keepalive),
                    // An orphaned FIN-WAIT-2 socket is a timewait socket in substate
                    // FIN_WAIT2 (`tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)`): its timer is
                    // tcp_fin_timeout's, not TIME-WAIT's, though sock_diag says 3 for both.
                    3 if d.state == st::FIN_WAIT2 => Some(TimerKind::FinWait2),
                    3 => Some(TimerKind::TimeWait),
                    4 => Some(TimerKind::Persist),
                    _ => None,
                }
                .map(|k| (k, t_mid + d.expires_ms as u64 * 1000));
                match (prev.timer, timer) {
                    (None, Some((k, exp))) => self.push(
                        t,
                        EventKind::TimerSet {
                            socket: id,
                            timer: k,
                            expires_us: exp.saturating_sub(self.start_us),
                            // sock_diag tells the time left, not the timeout asked for.
                            timeout_us: None,
                        },
                    ),
                    // A re-armed timer: another kind, or its expiry moved by more than the
                    // estimate wanders.
                    (Some((pk, pexp)), Some((k, exp)))
                        if pk != k || exp.abs_diff(pexp) > same_timer_us =>
                    {
                        if pk != k {
                            self.push(
                                t,
                                EventKind::TimerCancelled {
                                    socket: id,
                                    timer: pk,
                                },
                            );
                        } else if t + DUE_SLACK_US >= pexp {
                            self.push(
                                t,
                                EventKind::TimerFired {
                                    socket: id,
                                    timer: pk,
                                },
                            );
                        }
                        self.push(
                            t,
                            EventKind::TimerSet {
                                socket: id,
                                timer: k,
                                expires_us: exp.saturating_sub(self.start_us),
                                timeout_us: None,
                            },
                        );
                    }
                    (Some((pk, pexp)), None) => self.push(t, timer_gone(id, pk, pexp, t)),
                    _ => {}
                }
                let keep_timer = match (prev.timer, timer) {
                    (Some((pk, pexp)), Some((k, exp)))
                        if pk == k && exp.abs_diff(pexp) <= same_timer_us =>
                    {
                        Some((pk, pexp))
                    }
                    (_, t2) => t2,
                };
                seen.insert(
                    id,
                    Seen {
                        state: state.or(prev.state),
                        queues: queues.iter().map(|(q, (l, _))| (*q, *l)).collect(),
                        timer: keep_timer,
                    },
                );
            }
            // Sockets that vanished from the dump are gone: CLOSED, stamped at what ended them
            // (the RST they took or sent, the ACK of a LAST-ACK's FIN, close()), or else at
            // the expiry of the timer they were last seen with (TIME-WAIT's, an orphan's
            // FIN-WAIT-2, the retransmission that gave up) when it fell due inside the
            // window; only a socket with neither is stamped at the dump that missed it.
            let gone: Vec<SocketId> = seen
                .iter()
                .filter(|(id, s)| {
                    !present.contains(id) && s.state.is_some_and(|x| x != TcpState::Closed)
                })
                .map(|(id, _)| *id)
                .collect();
            for id in gone {
                let prev = seen.get(&id).cloned().unwrap_or_default();
                let due = prev
                    .timer
                    .map(|(_, exp)| exp)
                    .filter(|&exp| exp > window.0 && exp <= t);
                self.push_state(
                    &causes,
                    id,
                    prev.state,
                    TcpState::Closed,
                    window,
                    due.unwrap_or(t),
                );
                if let Some((k, exp)) = prev.timer {
                    // Gone with the socket: fired if that was its cause, else cancelled.
                    let at = self.closed_at.get(&id).copied().unwrap_or(t);
                    self.push(at, timer_gone(id, k, exp, at));
                }
                seen.insert(
                    id,
                    Seen {
                        state: Some(TcpState::Closed),
                        ..Seen::default()
                    },
                );
            }
            for (name, value) in &sample.netstat {
                let before = counters.get(name).copied();
                if before != Some(*value) && (before.is_some() || *value != 0) {
                    let host = counter_host;
                    self.push(
                        t,
                        EventKind::Counter {
                            host,
                            name: name.clone(),
                            value: *value,
                        },
                    );
                }
                counters.insert(name.clone(), *value);
            }
            self.end_us = self.end_us.max(t);
        }
        // A connection of this host that no dump ever showed lived and ended between two of
        // them (connect() refused by an RST on a 0 ms wire: SYN-SENT to CLOSED in 70 µs):
        // its segments alone tell its states, when they prove a whole life that ends closed.
        let unseen: Vec<SocketId> = self
            .sockets
            .iter()
            .map(|s| &s.info)
            .filter(|i| {
                i.proto == Proto::Tcp
                    && !i.listener
                    && i.host == counter_host
                    && !seen.contains_key(&i.id)
            })
            .map(|i| i.id)
            .collect();
        for id in unseen {
            let info = &self.sockets[id.0 as usize].info;
            let start = if info.parent.is_some() {
                TcpState::Listen
            } else {
                TcpState::Closed
            };
            // An active socket's segments start at its connect(): before it the tuple's
            // segments are another socket's (a second connect() from the same port that
            // failed with EADDRINUSE while the first connection was closing sent nothing).
            let from = match info.parent {
                Some(_) => 0,
                None => causes
                    .calls
                    .iter()
                    .find(|(_, s, k)| *s == id && *k == AppCallKind::Connect)
                    .map_or(0, |(t, _, _)| t.saturating_sub(1)),
            };
            let path = causes.path(info, start, TcpState::Closed, (from, u64::MAX));
            if path.len() > 1 {
                self.push_path(id, TcpState::Closed, path);
            }
        }
    }
}

/// How far (µs) a timer's estimated expiry may move between two samples and still be the same
/// timer: a few jiffies (4 ms at HZ=250) plus the rounding of `expires` to milliseconds.
/// Without it, one TIME-WAIT timer watched at 1 ms polls was hundreds of "re-armed" events.
const REARM_SLACK_US: u64 = 10_000;

/// The events a sock_diag state change can be pinned to, in time order: sock_diag only says a
/// state was reached by the time of a dump, so the change is stamped at the segment or call
/// that caused it (when that falls inside the window between two dumps), never before it.
struct Causes {
    /// (absolute µs, sent (true) or arrived, segment)
    segments: Vec<(u64, bool, Segment)>,
    /// (absolute µs, socket, call)
    calls: Vec<(u64, SocketId, AppCallKind)>,
    /// (absolute µs, socket) of each call that takes a listener out of LISTEN: close(), an
    /// abort, and shutdown() with SHUT_RD or SHUT_RDWR (`inet_shutdown` → `tcp_disconnect`;
    /// SHUT_WR leaves a listener listening), which `calls` cannot tell apart by kind.
    unlistens: Vec<(u64, SocketId)>,
    /// Request sockets reset by a refused ACK (tcp_abort_on_overflow), from that ACK's
    /// arrival: nothing that arrives later is theirs.
    aborted: BTreeMap<SocketId, u64>,
}

impl Causes {
    /// `events` with the arrivals a listener refused already marked dropped: those reached no
    /// socket's state machine and cause nothing.
    fn of(events: &[(u64, u64, EventKind)], aborted: &BTreeMap<SocketId, u64>) -> Causes {
        let mut sorted: Vec<&(u64, u64, EventKind)> = events.iter().collect();
        sorted.sort_by_key(|(t, o, _)| (*t, *o));
        let mut sent: BTreeMap<SegmentId, Segment> = BTreeMap::new();
        let mut c = Causes {
            segments: Vec::new(),
            calls: Vec::new(),
            unlistens: Vec::new(),
            aborted: aborted.clone(),
        };
        for (t, _, k) in sorted {
            match k {
                EventKind::SegmentSent { id, segment } => {
                    sent.insert(*id, segment.clone());
                    c.segments.push((*t, true, segment.clone()));
                }
                EventKind::SegmentArrived { id } => {
                    if let Some(seg) = sent.get(id) {
                        c.segments.push((*t, false, seg.clone()));
                    }
                }
                EventKind::AppCall { socket, call } => {
                    c.calls.push((*t, *socket, call.kind()));
                    let unlistens = match call {
                        AppCall::Close | AppCall::Abort => true,
                        AppCall::Shutdown { how } => !matches!(how, ShutHow::Wr),
                        _ => false,
                    };
                    if unlistens {
                        c.unlistens.push((*t, *socket));
                    }
                }
                _ => {}
            }
        }
        c
    }

    /// Whether segment `seg`, sent (`sent`) or received at `t`, was socket `s`'s: its
    /// addresses, and for an arrival, a socket still there to take it. Never a listener's:
    /// what reaches its port makes or finds other sockets (a SYN a request, a segment for no
    /// connection the host's RST), and only calls move a listener's own state.
    fn mine(&self, s: &SocketInfo, t: u64, seg: &Segment, sent: bool) -> bool {
        !s.listener
            && is_socket_segment(s, seg, sent)
            && (sent || self.aborted.get(&s.id).is_none_or(|&end| t < end))
    }

    /// The first SYN (without ACK) socket `s`'s tuple received inside `(after, upto]`.
    fn syn_arrival(&self, s: &SocketInfo, (after, upto): (u64, u64)) -> Option<u64> {
        self.segments
            .iter()
            .filter(|(t, sent, seg)| *t > after && *t <= upto && !sent && self.mine(s, *t, seg, false))
            .find(|(_, _, seg)| {
                matches!(&seg.header, synack_model::trace::Header::Tcp(h) if h.flags.syn && !h.flags.ack)
            })
            .map(|(t, _, _)| *t)
    }

    /// When socket `s` reached `to`, given that it happened in `(after, upto]`: the first
    /// event in that window that causes such a change (RFC 9293 §3.10 event processing), else
    /// (a timer fired: nothing recorded caused it) `fallback`.
    fn time(&self, s: &SocketInfo, to: TcpState, (after, upto): (u64, u64), fallback: u64) -> u64 {
        let flags = |seg: &Segment| match &seg.header {
            synack_model::trace::Header::Tcp(h) => Some(h.flags),
            synack_model::trace::Header::Udp(_) | synack_model::trace::Header::Icmp(_) => None,
        };
        // (caused by a segment we sent?, which flags)
        let want = |sent: bool, seg: &Segment| -> bool {
            let Some(f) = flags(seg) else { return false };
            match (to, sent) {
                (TcpState::SynSent, true) => f.syn && !f.ack,
                (TcpState::SynReceived, false) => f.syn && !f.ack,
                (TcpState::Established, false) => f.ack && !f.rst,
                (TcpState::FinWait1 | TcpState::LastAck, true) => f.fin,
                (TcpState::FinWait2, false) => f.ack,
                (TcpState::CloseWait | TcpState::Closing, false) => f.fin,
                (TcpState::TimeWait, false) => f.fin || f.ack,
                (TcpState::Closed, _) => f.rst,
                _ => false,
            }
        };
        let mut causes = self
            .segments
            .iter()
            .filter(|(t, _, _)| *t > after && *t <= upto)
            .filter(|(t, sent, seg)| self.mine(s, *t, seg, *sent) && want(*sent, seg))
            .map(|(t, _, _)| *t);
        // TIME-WAIT is reached by the last of its causes: a FIN then the ACK of ours (through
        // CLOSING), or an ACK then the FIN (through FIN-WAIT-2), when the dumps missed the
        // state in between. Every other state by the first.
        let seg = match to {
            TcpState::TimeWait => causes.next_back(),
            // A socket that sent anything after a RST was still there (one outside the window
            // earns a challenge ACK, RFC 5961 §3.2): the first RST from its last segment on.
            // A RST the socket sent, or one the kernel's own numbers show fatal
            // (`rst_certainly_resets`), is the cause however late the wire read what the
            // socket had sent before it.
            TcpState::Closed => {
                let fatal = self
                    .segments
                    .iter()
                    .filter(|(t, sent, seg)| {
                        *t > after && *t <= upto && self.mine(s, *t, seg, *sent)
                    })
                    .find(|(t, sent, seg)| match sent {
                        true => flags(seg).is_some_and(|f| f.rst),
                        false => self.certainly_resets(s, *t, seg),
                    })
                    .map(|(t, _, _)| *t);
                let last_sent = self
                    .segments
                    .iter()
                    .filter(|(t, sent, seg)| *sent && *t <= upto && self.mine(s, *t, seg, true))
                    .map(|(t, _, _)| *t)
                    .next_back();
                fatal.or_else(|| causes.find(|&t| last_sent.is_none_or(|l| t >= l)))
            }
            _ => causes.next(),
        };
        let call = || {
            // A listener closes at a call that takes it out of LISTEN: shutdown(SHUT_RD) too,
            // not SHUT_WR (`unlistens`).
            if to == TcpState::Closed && s.listener {
                return self
                    .unlistens
                    .iter()
                    .find(|(t, id)| *t > after && *t <= upto && *id == s.id)
                    .map(|(t, _)| *t);
            }
            let kinds: &[AppCallKind] = match to {
                TcpState::Listen => &[AppCallKind::Listen],
                TcpState::SynSent => &[AppCallKind::Connect],
                TcpState::FinWait1 | TcpState::LastAck => {
                    &[AppCallKind::Close, AppCallKind::Shutdown]
                }
                TcpState::Closed => &[AppCallKind::Close, AppCallKind::Abort],
                _ => &[],
            };
            self.calls
                .iter()
                .filter(|(t, id, k)| *t > after && *t <= upto && *id == s.id && kinds.contains(k))
                .map(|(t, _, _)| *t)
                .next()
        };
        // An abort (SO_LINGER 0) closes the socket at the call, whether or not it sends a
        // RST (`tcp_disconnect` from LAST-ACK or CLOSING sends none): a later RST of the
        // tuple is the host's reply for no socket, not this socket's end.
        match (to, self.abort(s, (after, upto)), seg) {
            (TcpState::Closed, Some(a), Some(r)) if a < r => a,
            _ => seg.or_else(call).unwrap_or(fallback),
        }
    }

    /// Whether `rst`, arriving at socket `s` at `t`, certainly reset it
    /// ([`rst_certainly_resets`], against what `s` sent and received before `t`).
    fn certainly_resets(&self, s: &SocketInfo, t: u64, rst: &Segment) -> bool {
        let synack_model::trace::Header::Tcp(r) = &rst.header else {
            return false;
        };
        let before = |sent: bool| {
            self.segments
                .iter()
                .filter(move |(u, x, seg)| *x == sent && *u < t && self.mine(s, *u, seg, sent))
                .filter_map(|(_, _, seg)| match &seg.header {
                    synack_model::trace::Header::Tcp(h) => Some((h, seg.payload_len)),
                    _ => None,
                })
        };
        let ack_sent = before(true)
            .next_back()
            .and_then(|(h, _)| h.flags.ack.then_some(h.ack));
        let peer_fin = before(false)
            .filter(|(h, _)| h.flags.fin)
            .map(|(h, len)| h.seq.wrapping_add(len))
            .next_back();
        // TIME-WAIT: both FINs in, ours acknowledged by the peer.
        let own_fin = before(true)
            .filter(|(h, _)| h.flags.fin)
            .map(|(h, len)| h.seq.wrapping_add(len))
            .next_back();
        let time_wait = peer_fin.is_some()
            && own_fin.is_some_and(|f| {
                before(false).any(|(h, _)| h.flags.ack && h.ack == f.wrapping_add(1))
            });
        r.flags.rst && rst_certainly_resets(r.seq, ack_sent, peer_fin, time_wait)
    }

    /// When socket `s` was aborted (SO_LINGER 0) inside `(after, upto]`, if it was.
    fn abort(&self, s: &SocketInfo, (after, upto): (u64, u64)) -> Option<u64> {
        self.calls
            .iter()
            .find(|(t, id, k)| *t > after && *t <= upto && *id == s.id && *k == AppCallKind::Abort)
            .map(|(t, _, _)| *t)
    }

    /// The states socket `s` went through on its way from `from` to `to` inside `(after,
    /// upto]`, each stamped at the segment that caused it, when the dumps saw only the two
    /// ends: SYN-SENT lasts one round trip, which at a wire delay of 0 or 1 ms falls between
    /// two 1 ms dumps, and so do LAST-ACK and FIN-WAIT-1 on a short wire. The segments this
    /// socket sent and received in that window are walked through [`PROVEN`], RFC 9293's
    /// state diagram (§3.3.2) as each segment drives it (SYN, then the ACK field, then FIN,
    /// §3.10.7.4's order); the path counts only if it ends exactly at `to`, so nothing is
    /// added that the packets do not prove. Empty when there is no such path (a timer moved
    /// the socket); one step when the dumps saw every step but the last (the callers decide
    /// whether that step's cause is the one to take).
    fn path(
        &self,
        s: &SocketInfo,
        from: TcpState,
        to: TcpState,
        (after, upto): (u64, u64),
    ) -> Vec<(u64, TcpState)> {
        let tcp = |seg: &Segment| match &seg.header {
            synack_model::trace::Header::Tcp(h) => Some((h.seq, h.ack, h.flags)),
            _ => None,
        };
        let ours = |sent: bool| {
            self.segments
                .iter()
                .filter(move |(t, s2, seg)| {
                    *t <= upto && *s2 == sent && self.mine(s, *t, seg, sent)
                })
                .filter_map(|(t, _, seg)| {
                    tcp(seg).map(|(seq, ack, f)| (*t, seq, ack, f, seg.payload_len))
                })
                .collect::<Vec<_>>()
        };
        let (out, inc) = (ours(true), ours(false));
        // An abort ends the socket at the call, RST or not: what it sent is from before the
        // call (captured a little later, as the wire reads it), and nothing that arrives
        // after the call reaches it (nor is what the host answers that with its own).
        let aborted = (to == TcpState::Closed)
            .then(|| self.abort(s, (after, upto)))
            .flatten();
        let cut = aborted.and_then(|a| inc.iter().map(|x| x.0).find(|&t| t > a));
        // The order the socket handled them in. A segment that arrived while the
        // application held the socket (close() sending our FIN) waits in its backlog: a
        // segment we sent whose ACK field does not cover an earlier arrival shows that the
        // arrival was handled after it (the FINs of a simultaneous close on a 0 ms wire).
        let covers = |ack: u32, end: u32| (ack.wrapping_sub(end) as i32) >= 0;
        let mut order = Vec::with_capacity(out.len() + inc.len());
        let (mut i, mut j) = (0, 0);
        while i < out.len() || j < inc.len() {
            let take_out = match (out.get(i), inc.get(j)) {
                (Some(o), Some(n)) => {
                    let n_end = n.1.wrapping_add(n.4).wrapping_add(n.3.fin as u32);
                    o.0 <= n.0 || (o.3.ack && !covers(o.2, n_end) && n_end != n.1)
                }
                (Some(_), None) => true,
                _ => false,
            };
            if take_out {
                order.push((true, out[i]));
                i += 1;
            } else {
                order.push((false, inc[j]));
                j += 1;
            }
        }
        let mut state = from;
        let mut path = Vec::new();
        let listener_closed = s.parent.and_then(|l| {
            self.unlistens
                .iter()
                .find(|(_, id)| *id == l)
                .map(|(t, _)| *t)
        });
        // The sequence number one past our FIN, once we sent one: only an ACK of it moves
        // FIN-WAIT-1, CLOSING and LAST-ACK on.
        let mut fin_end: Option<u32> = None;
        // One past the peer's data received so far (rcv_nxt, as far as the walk knows).
        let mut rcv_end: Option<u32> = None;
        // When the application close()d the socket: from then on it reads nothing more
        // (RCV_SHUTDOWN).
        let closed_at = self
            .calls
            .iter()
            .find(|(_, id, k)| *id == s.id && matches!(k, AppCallKind::Close))
            .map(|(t, _, _)| *t);
        let mut last_t = 0;
        for (sent, (t, seq, ack, flags, len)) in order {
            if cut.is_some_and(|c| t >= c) {
                break;
            }
            // Handled no earlier than what was handled before it.
            let t = t.max(last_t);
            last_t = t;
            if sent && flags.fin {
                fin_end = Some(seq.wrapping_add(len).wrapping_add(1));
            }
            // Whether the segment brings data beyond what came before it.
            let data_end = seq.wrapping_add(len);
            let beyond = |e: u32| (data_end.wrapping_sub(e) as i32) > 0;
            let new_data = !sent && len > 0 && rcv_end.is_none_or(beyond);
            if new_data {
                rcv_end = Some(data_end);
            }
            if t <= after {
                continue;
            }
            let acks_fin = !sent && flags.ack && fin_end == Some(ack);
            // A request whose listener was closed is dropped by the first segment that
            // reaches it (`tcp_v4_rcv`, TCP_NEW_SYN_RECV with the listener out of LISTEN):
            // no ACK completes it any more.
            let orphaned = listener_closed.is_some_and(|c| c < t);
            // New data reaching a socket closed for reading in FIN-WAIT-1/2 resets it before
            // its FIN is looked at (`tcp_rcv_state_process`, step 7: "RFC 1122 says we MUST
            // send a reset", `tcp_reset` before `tcp_data_queue` → `tcp_fin`): no CLOSING or
            // TIME-WAIT, our RST follows. Measured on 6.18 (explore seed 4300 #36: the
            // server's FIN lost, the client's "FP. len=100" reaches the closed server, which
            // answers RST; the walk stamped CLOSING on it).
            let aborts_on_data = new_data
                && closed_at.is_some_and(|c| c <= t)
                && matches!(state, TcpState::FinWait1 | TcpState::FinWait2);
            for part in Part::of(flags, sent) {
                if aborts_on_data && part == Part::GotFin {
                    continue;
                }
                let step = PROVEN.iter().find(|(f, p, _)| {
                    *f == state
                        && *p == part
                        && (!needs_fin_acked(*f, *p) || acks_fin)
                        && !(orphaned && *f == TcpState::SynReceived && *p == Part::GotAck)
                });
                if let Some(&(_, _, next)) = step {
                    state = next;
                    path.push((t, next));
                    if state == to {
                        return path;
                    }
                }
            }
        }
        if let Some(a) = aborted {
            path.push((a.max(last_t), TcpState::Closed));
            return path;
        }
        // The segments proved the way to `state`, and the rest is the socket's own call:
        // close() or shutdown(SHUT_WR) moves CLOSE-WAIT to LAST-ACK and ESTABLISHED to
        // FIN-WAIT-1 (`tcp_close_state`) before `tcp_send_fin` hands the FIN to the device,
        // so a dump between the call and the FIN's capture shows the new state with its
        // proof still to come. The proven states stay, and the last is entered at the call.
        // Measured on 6.18 (fin-lost-behind-small-segment+delay=150, dumps 59 ms apart): the
        // peer's FIN at 1393.4 ms, close() and a dump showing LAST-ACK at 1395.4, our FIN
        // captured at 1397.2: CLOSE-WAIT was dropped from the trace.
        let by_call = matches!(
            (state, to),
            (TcpState::CloseWait, TcpState::LastAck) | (TcpState::Established, TcpState::FinWait1)
        );
        let call = self.calls.iter().find(|(t, id, k)| {
            *id == s.id
                && *t > last_t.max(after)
                && *t <= upto
                && matches!(k, AppCallKind::Close | AppCallKind::Shutdown)
        });
        match call {
            Some(&(t, _, _)) if by_call && !path.is_empty() => {
                path.push((t, to));
                path
            }
            _ => Vec::new(),
        }
    }
}

/// What a segment does to the state of the socket that sent or received it, one part at a
/// time in the order RFC 9293 §3.10.7.4 processes them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    SentSyn,
    SentFin,
    GotSyn,
    GotSynAck,
    GotAck,
    GotFin,
    Rst,
}

impl Part {
    fn of(f: synack_model::trace::TcpFlags, sent: bool) -> Vec<Part> {
        let mut v = Vec::new();
        if f.rst {
            v.push(Part::Rst);
            return v;
        }
        if sent {
            if f.syn && !f.ack {
                v.push(Part::SentSyn);
            }
            if f.fin {
                v.push(Part::SentFin);
            }
            return v;
        }
        match (f.syn, f.ack) {
            (true, false) => v.push(Part::GotSyn),
            (true, true) => v.push(Part::GotSynAck),
            (false, true) => v.push(Part::GotAck),
            (false, false) => {}
        }
        if f.fin {
            v.push(Part::GotFin);
        }
        v
    }
}

/// An ACK moves these states on only when it acknowledges our FIN.
fn needs_fin_acked(from: TcpState, part: Part) -> bool {
    part == Part::GotAck
        && matches!(
            from,
            TcpState::FinWait1 | TcpState::Closing | TcpState::LastAck
        )
}

/// RFC 9293's state diagram (§3.3.2, Figure 5) as segments drive it: (from, what the
/// segment does, to). A passive connection starts in LISTEN, its listener's state. Timers
/// (TIME-WAIT's end, a retransmission limit) and calls are not here: a dump that skipped
/// one of those is left as it was seen.
const PROVEN: &[(TcpState, Part, TcpState)] = &[
    (TcpState::Closed, Part::SentSyn, TcpState::SynSent),
    (TcpState::Listen, Part::GotSyn, TcpState::SynReceived),
    (TcpState::SynSent, Part::GotSynAck, TcpState::Established),
    (TcpState::SynSent, Part::GotSyn, TcpState::SynReceived),
    (TcpState::SynReceived, Part::GotAck, TcpState::Established),
    (TcpState::Established, Part::SentFin, TcpState::FinWait1),
    (TcpState::Established, Part::GotFin, TcpState::CloseWait),
    (TcpState::FinWait1, Part::GotAck, TcpState::FinWait2),
    (TcpState::FinWait1, Part::GotFin, TcpState::Closing),
    (TcpState::FinWait2, Part::GotFin, TcpState::TimeWait),
    (TcpState::Closing, Part::GotAck, TcpState::TimeWait),
    (TcpState::CloseWait, Part::SentFin, TcpState::LastAck),
    (TcpState::LastAck, Part::GotAck, TcpState::Closed),
    (TcpState::SynSent, Part::Rst, TcpState::Closed),
    (TcpState::SynReceived, Part::Rst, TcpState::Closed),
    (TcpState::Established, Part::Rst, TcpState::Closed),
    (TcpState::FinWait1, Part::Rst, TcpState::Closed),
    (TcpState::FinWait2, Part::Rst, TcpState::Closed),
    (TcpState::CloseWait, Part::Rst, TcpState::Closed),
    (TcpState::Closing, Part::Rst, TcpState::Closed),
    (TcpState::LastAck, Part::Rst, TcpState::Closed),
];

/// How close to its expiry a timer that leaves the dump counts as fired rather than
/// cancelled: sock_diag gives the expiry in whole milliseconds and is polled about every one.
const DUE_SLACK_US: u64 = 2_000;

/// The end of a timer no longer in the dump at `t`: it fired if it was due, else it was
/// cancelled.
fn timer_gone(socket: SocketId, timer: TimerKind, expires_us: u64, t: u64) -> EventKind {
    if t + DUE_SLACK_US >= expires_us {
        EventKind::TimerFired { socket, timer }
    } else {
        EventKind::TimerCancelled { socket, timer }
    }
}

/// Linux state number → RFC 9293 state.
pub fn linux_state(s: u8) -> Option<TcpState> {
    Some(match s {
        st::ESTABLISHED => TcpState::Established,
        st::SYN_SENT => TcpState::SynSent,
        st::SYN_RECV | st::NEW_SYN_RECV => TcpState::SynReceived,
        st::FIN_WAIT1 => TcpState::FinWait1,
        st::FIN_WAIT2 => TcpState::FinWait2,
        st::TIME_WAIT => TcpState::TimeWait,
        st::CLOSE => TcpState::Closed,
        st::CLOSE_WAIT => TcpState::CloseWait,
        st::LAST_ACK => TcpState::LastAck,
        st::LISTEN => TcpState::Listen,
        st::CLOSING => TcpState::Closing,
        _ => return None,
    })
}

/// A new SYN that reaches a listener whose SYN queue is full while tcp_syncookies is 0
/// (`no_syncookies`) is dropped (`SynQueueFull`), or else whose accept queue is full
/// (`SynAcceptQueueFull`), as the model marks them; and an ACK that reaches a request socket
/// (SYN-RECEIVED) while its listener's accept queue is full is thrown away by Linux (`tcp_check_req` → `listen_overflow`; ListenOverflows counts
/// it). The capture only shows that it arrived; when the sock_diag samples show both
/// conditions at that moment, the arrival is to be recorded as `SegmentDropped
/// { AcceptQueueFull }` instead, which is what the model writes for the same situation. With
/// tcp_abort_on_overflow (`abort_on_overflow`) that ACK also resets the request
/// (`tcp_check_req` → embryonic_reset → `inet_csk_reqsk_queue_drop`) at once, whatever the
/// next sock_diag dump says (the request is returned with the mark): a segment of the same
/// connection that follows it reaches the listener, which answers it with a RST, and is not
/// marked. Returns the marks by segment.
fn accept_queue_drops(
    events: &[Event],
    sockets: &[SocketInfo],
    no_syncookies: bool,
    abort_on_overflow: bool,
) -> BTreeMap<SegmentId, (DropReason, Option<SocketId>)> {
    let mut marks = BTreeMap::new();
    let mut sent: BTreeMap<SegmentId, Segment> = BTreeMap::new();
    let mut state: BTreeMap<SocketId, TcpState> = BTreeMap::new();
    // listener → (accept-queue length, limit)
    let mut aq: BTreeMap<SocketId, (u32, u32)> = BTreeMap::new();
    // listener → (SYN-queue length, what it holds: the gauge's capacity)
    let mut sq: BTreeMap<SocketId, (u32, u32)> = BTreeMap::new();
    // (listener's address, peer) of each SYN cookie sent → the peer's ISN + 1 (its ack): only
    // a segment at that sequence number returns the cookie, which hashes the peer's ISN
    // (`__cookie_v4_check` reads it as `seq - 1`); a later one, such as the FIN after data the
    // listener refused, is an ACK for no connection, answered with a RST, not refused.
    let mut cookies_to = BTreeMap::new();
    // The server sockets that were ever requests (SYN-RECEIVED). A connection made from a SYN
    // cookie has a socket too, but only from the moment its ACK is accepted (`cookie_v4_check`
    // creates it ESTABLISHED): until then its 4-tuple is the listener's alone, and its SYN-ACK
    // is a cookie, its ACK a cookie's ACK. Measured on 6.18 (listen(0), tcp_syncookies 1, a
    // second and third client 10 ms apart): the third client's ACK and 5 bytes, refused with
    // the accept queue full, went unmarked because of the socket its retransmission made
    // 700 ms later.
    let requests: BTreeSet<SocketId> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::StateChanged {
                socket,
                to: TcpState::SynReceived,
                ..
            } => Some(*socket),
            _ => None,
        })
        .collect();
    let request_of = |seg: &Segment| request_for(sockets, seg).filter(|s| requests.contains(&s.id));
    // The listener a segment reaches: one on its address and port that is not yet stopped.
    // close() or shutdown(SHUT_RD) unhashes it (`inet_csk_listen_stop` → `inet_unhash`), so a
    // SYN or a cookie's ACK arriving later finds no socket and is answered with a RST, however
    // full the accept queue the last dump showed (explore seed 26600 #11: listen(0) closed at
    // 122 ms; the fourth client's SYN at 140 ms drew a RST).
    let listening = |seg: &Segment, state: &BTreeMap<SocketId, TcpState>| {
        sockets.iter().find(|s| {
            s.listener
                && s.host == seg.dst.host
                && s.local_port == seg.dst.port
                && state.get(&s.id) != Some(&TcpState::Closed)
        })
    };
    let answered = answered_syns(events);
    for e in events {
        match &e.kind {
            EventKind::SegmentSent { id, segment } => {
                // A SYN-ACK sent where no socket holds the 4-tuple is a SYN cookie.
                if let synack_model::trace::Header::Tcp(t) = &segment.header {
                    let request = sockets.iter().any(|s| {
                        s.host == segment.src.host
                            && s.local_port == segment.src.port
                            && s.remote == Some(segment.dst)
                            && requests.contains(&s.id)
                    });
                    if t.flags.syn && t.flags.ack && !request {
                        cookies_to.insert((segment.src, segment.dst), t.ack);
                    }
                }
                sent.insert(*id, segment.clone());
            }
            EventKind::StateChanged { socket, to, .. } => {
                state.insert(*socket, *to);
            }
            EventKind::QueueChanged {
                socket,
                queue: QueueKind::AcceptQueue,
                len,
                cap,
            } => {
                aq.insert(*socket, (*len, *cap));
            }
            EventKind::QueueChanged {
                socket,
                queue: QueueKind::SynQueue,
                len,
                cap,
            } => {
                sq.insert(*socket, (*len, *cap));
            }
            EventKind::SegmentArrived { id } => {
                let Some(seg) = sent.get(id) else { continue };
                let synack_model::trace::Header::Tcp(t) = &seg.header else {
                    continue;
                };
                if t.flags.syn && !t.flags.ack {
                    // `tcp_conn_request`, in its order: a full request queue
                    // (`inet_csk_reqsk_queue_is_full`, or without cookies the early-drop
                    // limit; both are the gauge's capacity) drops a new SYN when
                    // tcp_syncookies is 0 (TCPReqQFullDrop), else a full accept queue does
                    // (`sk_acceptq_is_full`); the model marks them `SynQueueFull` and
                    // `SynAcceptQueueFull`. A retransmitted SYN of a request the listener
                    // already holds goes to that request instead.
                    let held = sockets.iter().any(|s| {
                        s.host == seg.dst.host
                            && s.local_port == seg.dst.port
                            && s.remote == Some(seg.src)
                            && state.get(&s.id).is_some_and(|st| *st != TcpState::Closed)
                    });
                    let listener = listening(seg, &state);
                    let full = |q: &BTreeMap<SocketId, (u32, u32)>, over: fn(u32, u32) -> bool| {
                        listener
                            .and_then(|l| q.get(&l.id))
                            .is_some_and(|&(len, cap)| over(len, cap))
                    };
                    let reason = if no_syncookies && full(&sq, |len, cap| len >= cap) {
                        Some(DropReason::SynQueueFull)
                    } else if full(&aq, |len, cap| len > cap) {
                        Some(DropReason::SynAcceptQueueFull)
                    } else {
                        None
                    };
                    // The gauges stand for the rule, but the kernel's own answer settles it:
                    // a SYN the listener answered was not dropped (without cookies, a peer
                    // with an RTT in the listener's `tcp_metrics` gets past the early-drop
                    // limit, `tcp_peer_is_proven`, which no gauge shows).
                    if let (Some(reason), false) = (reason, held || answered.contains(id)) {
                        marks.insert(*id, (reason, None));
                    }
                    continue;
                }
                if !t.flags.ack || t.flags.syn || t.flags.rst {
                    continue;
                }
                // The request socket for this 4-tuple, and its listener.
                let Some(req) = request_of(seg) else {
                    // No request: the ACK (or data) returns a SYN cookie to the listener.
                    // `cookie_v4_check` → `tcp_v4_syn_recv_sock` refuses it while the accept
                    // queue is full (`exit_overflow`, ListenOverflows), leaving no socket.
                    let listener = listening(seg, &state);
                    let full = listener
                        .and_then(|l| aq.get(&l.id))
                        .is_some_and(|(len, cap)| len > cap);
                    // Once a cookie's connection is made, its segments are that socket's.
                    let made = sockets.iter().any(|s| {
                        is_socket_segment(s, seg, false)
                            && s.remote.is_some()
                            && state.get(&s.id).is_some_and(|st| *st != TcpState::Closed)
                    });
                    let returns_cookie = cookies_to.get(&(seg.dst, seg.src)) == Some(&t.seq);
                    if full && !made && returns_cookie {
                        marks.insert(*id, (DropReason::AcceptQueueFull, None));
                    }
                    continue;
                };
                let Some(listener) = req.parent else { continue };
                // A stopped listener's gauge is its last dump's.
                let full = state.get(&listener) != Some(&TcpState::Closed)
                    && aq.get(&listener).is_some_and(|(len, cap)| len > cap);
                if full && state.get(&req.id) == Some(&TcpState::SynReceived) {
                    let aborted = abort_on_overflow.then_some(req.id);
                    marks.insert(*id, (DropReason::AcceptQueueFull, aborted));
                    if abort_on_overflow {
                        state.insert(req.id, TcpState::Closed);
                    }
                } else if state.get(&req.id) == Some(&TcpState::SynReceived) {
                    // Taken: the request joins the accept queue at this arrival
                    // (`tcp_check_req` → `inet_csk_complete_hashdance`), before the next
                    // dump can show it. Another request's ACK tens of µs later finds the
                    // queue one longer (explore seed 2000 #12: two ACKs 26 µs apart, the
                    // second refused with the queue full, unmarked without this).
                    if let Some((len, _)) = aq.get_mut(&listener) {
                        *len += 1;
                    }
                    state.insert(req.id, TcpState::Established);
                }
            }
            // accept() took a connection off the queue (`inet_csk_accept` →
            // `reqsk_queue_remove`): with accept() already waiting, the child that an ACK put
            // there leaves it within µs, and no dump ever shows either change. Measured on
            // 6.18 (explore seed 2200 #2, listen(1), each connection accepted as it came):
            // without this the two handshakes counted above left the queue "full" for a
            // third client's cookie ACK, which the kernel took (its socket ESTABLISHED at once).
            EventKind::AppReturn {
                socket,
                result: AppResult::Accepted { .. },
                ..
            } => {
                if let Some((len, _)) = aq.get_mut(socket) {
                    *len = len.saturating_sub(1);
                }
            }
            // An ACK refused in an earlier round (see `Inner::add_diag`): with
            // tcp_abort_on_overflow its request is gone from then on, as above.
            EventKind::SegmentDropped {
                id,
                reason: DropReason::AcceptQueueFull,
            } if abort_on_overflow => {
                if let Some(req) = sent.get(id).and_then(request_of) {
                    state.insert(req.id, TcpState::Closed);
                }
            }
            _ => {}
        }
    }
    marks
}

/// The SYNs (without ACK) whose receiver answered them: a SYN-ACK back on the same 4-tuple
/// acknowledging that SYN left after it arrived and before another copy of it did. A request
/// answers its SYN at once (`tcp_conn_request` → `send_synack`), a SYN cookie too; a dropped
/// SYN draws nothing until its retransmission arrives.
fn answered_syns(events: &[Event]) -> BTreeSet<SegmentId> {
    use synack_model::trace::Header;
    let mut sent: BTreeMap<SegmentId, &Segment> = BTreeMap::new();
    // (receiver, sender, the SYN's sequence number) → the SYN arrival waiting for an answer.
    let mut waiting: BTreeMap<(Addr, Addr, u32), SegmentId> = BTreeMap::new();
    let mut answered = BTreeSet::new();
    for e in events {
        match &e.kind {
            EventKind::SegmentSent { id, segment } => {
                sent.insert(*id, segment);
                if let Header::Tcp(t) = &segment.header {
                    let key = (segment.src, segment.dst, t.ack.wrapping_sub(1));
                    if t.flags.syn && t.flags.ack {
                        if let Some(syn) = waiting.remove(&key) {
                            answered.insert(syn);
                        }
                    }
                }
            }
            EventKind::SegmentArrived { id } => {
                let Some(seg) = sent.get(id) else { continue };
                if let Header::Tcp(t) = &seg.header {
                    if t.flags.syn && !t.flags.ack {
                        waiting.insert((seg.dst, seg.src, t.seq), *id);
                    }
                }
            }
            _ => {}
        }
    }
    answered
}

/// A RST that arrives where no socket holds its 4-tuple any more and nothing listens on its
/// port is discarded (RFC 9293 §3.10.7.1: "An incoming segment containing a RST is
/// discarded"; Linux `tcp_v4_rcv` → `no_tcp_socket` → `tcp_v4_send_reset`, which never
/// answers a RST): the capture shows it arrive, and it is recorded as `SegmentDropped
/// { NoSocket }` instead, what the model writes for it (a RST answering a segment that a RST
/// had already answered, such as the data behind an ACK refused with tcp_abort_on_overflow).
/// Where a listener still listens on the port, the RST goes to it and is discarded there
/// (`tcp_rcv_state_process`, TCP_LISTEN: `if (th->rst) goto discard`): recorded as
/// [`DropReason::rst_for_listener`], the model's mark for it (the RSTs of two aborts that
/// cross, the second RST behind a FIN that reached a socket already reset).
/// Any other segment that finds no socket is answered with a RST, and both sides record it
/// as arrived. A socket is gone from the cause of its CLOSED (`closed_at`, relative µs),
/// which precedes the dump that stamps it. Marked only when every socket the trace has for
/// the tuple was seen, and seen gone: a socket not yet in any state by then (a host whose
/// sockets no dump watched, an opening stamped late) proves nothing.
/// Whether a RST numbered `rst_seq` certainly reset the socket it reached (Linux
/// `tcp_validate_incoming`): it is at the socket's rcv_nxt, the acknowledgment number of the
/// last segment the socket sent before it (`ack_sent`; none for a SYN, whose RST must
/// acknowledge it instead), or one less when that acknowledged the peer's FIN numbered
/// `rst_seq` (`peer_fin`; `tcp_reset_check`: CLOSE-WAIT, LAST-ACK, CLOSING). Not in
/// TIME-WAIT (`time_wait`): the timewait socket takes a RST at rcv_nxt alone
/// (`tcp_timewait_state_process`) and ignores one a number below it. These are the
/// kernel's own numbers: a wire that read the socket's earlier segments late cannot move
/// them, where the times of those segments would make the socket look alive after the RST.
/// An ACK that data or a FIN arriving after it left behind (its ACK delayed) is no longer
/// rcv_nxt, and the caller passes `None` for it until the socket sends again.
fn rst_certainly_resets(
    rst_seq: u32,
    ack_sent: Option<u32>,
    peer_fin: Option<u32>,
    time_wait: bool,
) -> bool {
    ack_sent.is_some_and(|a| {
        a == rst_seq || (!time_wait && a == rst_seq.wrapping_add(1) && peer_fin == Some(rst_seq))
    })
}

/// Whether TIME-WAIT drops a RST for its old timestamp (Linux `tcp_timewait_state_process`
/// → `tcp_paws_reject` with `th->rst`): its TSval is older than the last one its sender sent
/// (`sent`: TSval, when), within TCP_PAWS_MSL (60 s) of it. Such a RST resets nothing.
fn time_wait_paws_rejects(
    tsval: Option<u32>,
    sent: Option<(u32, u64)>,
    now: u64,
    time_wait: bool,
) -> bool {
    const PAWS_MSL_US: u64 = 60_000_000;
    match (tsval, sent) {
        (Some(v), Some((last, at))) if time_wait && last != 0 => {
            last.wrapping_sub(v) as i32 > 0 && now < at + PAWS_MSL_US
        }
        _ => false,
    }
}

fn mark_resets_for_no_socket(
    events: &mut [Event],
    sockets: &[SocketInfo],
    closed_at: &BTreeMap<SocketId, u64>,
) {
    let mut sent: BTreeMap<SegmentId, Segment> = BTreeMap::new();
    let mut state: BTreeMap<SocketId, TcpState> = BTreeMap::new();
    // (source, destination) → when the last segment left: a socket that sent after the
    // supposed cause of its CLOSED (a challenge ACK for a RST outside the window, RFC 5961
    // §3.2) was still there.
    let mut last_sent: BTreeMap<(Addr, Addr), u64> = BTreeMap::new();
    // (source, destination) → the acknowledgment number of the last segment sent, and the
    // number of the last FIN sent; and the tuples (RST's source, destination) a RST
    // certainly reset (`rst_certainly_resets`), until a new connection's SYN.
    let mut ack_sent: BTreeMap<(Addr, Addr), Option<u32>> = BTreeMap::new();
    let mut fin_sent: BTreeMap<(Addr, Addr), u32> = BTreeMap::new();
    let mut reset: BTreeSet<(Addr, Addr)> = BTreeSet::new();
    // (source, destination) → the TSval of the last segment other than a RST sent, and when:
    // what a TIME-WAIT receiver holds as `ts_recent` to judge a RST's timestamp by.
    let mut tsval_sent: BTreeMap<(Addr, Addr), (u32, u64)> = BTreeMap::new();
    for e in events.iter_mut() {
        match &e.kind {
            EventKind::SegmentSent { id, segment } => {
                sent.insert(*id, segment.clone());
                last_sent.insert((segment.src, segment.dst), e.t);
                if let synack_model::trace::Header::Tcp(h) = &segment.header {
                    let key = (segment.src, segment.dst);
                    ack_sent.insert(key, h.flags.ack.then_some(h.ack));
                    if h.flags.fin {
                        fin_sent.insert(key, h.seq.wrapping_add(segment.payload_len));
                    }
                    if h.flags.syn {
                        reset.remove(&key);
                        reset.remove(&(segment.dst, segment.src));
                    }
                    if let (Some((tsval, _)), false) = (h.options.timestamps, h.flags.rst) {
                        tsval_sent.insert(key, (tsval, e.t));
                    }
                }
            }
            EventKind::StateChanged { socket, to, .. } => {
                state.insert(*socket, *to);
            }
            EventKind::SegmentArrived { id } => {
                let Some(seg) = sent.get(id) else { continue };
                let synack_model::trace::Header::Tcp(h) = &seg.header else {
                    continue;
                };
                if !h.flags.rst {
                    // Data or a FIN past the last ACK the receiver sent moves its rcv_nxt
                    // beyond that ACK until it sends again (a delayed ACK): that number no
                    // longer proves a RST at it in the window (explore 22100 #14: the FIN's
                    // ACK waited 40 ms, and a RST at the ACK before it was ignored).
                    let end = h
                        .seq
                        .wrapping_add(seg.payload_len)
                        .wrapping_add(u32::from(h.flags.fin));
                    let back = (seg.dst, seg.src);
                    if let Some(Some(a)) = ack_sent.get(&back) {
                        if (end.wrapping_sub(*a) as i32) > 0 {
                            ack_sent.insert(back, None);
                        }
                    }
                    continue;
                }
                let local =
                    |s: &&SocketInfo| s.host == seg.dst.host && s.local_port == seg.dst.port;
                let tuple: Vec<&SocketInfo> = sockets
                    .iter()
                    .filter(local)
                    .filter(|s| !s.listener && s.remote == Some(seg.src))
                    .collect();
                // CLOSED, or past the cause of its CLOSED. One not yet in any state (its first
                // change is stamped later) may be one whose opening the dumps stamped late:
                // not proven gone.
                let gone = |s: &SocketInfo| match state.get(&s.id) {
                    None => false,
                    Some(TcpState::Closed) => true,
                    Some(_) => closed_at.get(&s.id).is_some_and(|&c| {
                        c < e.t && last_sent.get(&(seg.dst, seg.src)).is_none_or(|&l| l <= c)
                    }),
                };
                let listening = sockets
                    .iter()
                    .filter(local)
                    .any(|s| s.listener && state.get(&s.id) == Some(&TcpState::Listen));
                // A socket an earlier RST certainly reset is gone, once the trace has it end.
                let ended = |s: &&SocketInfo| {
                    state.get(&s.id) == Some(&TcpState::Closed) || closed_at.contains_key(&s.id)
                };
                let key = (seg.src, seg.dst);
                let time_wait = tuple
                    .iter()
                    .any(|s| state.get(&s.id) == Some(&TcpState::TimeWait));
                let reset_before = reset.contains(&key) && tuple.iter().all(ended);
                if !tuple.is_empty() && (reset_before || tuple.iter().all(|s| gone(s))) {
                    e.kind = EventKind::SegmentDropped {
                        id: *id,
                        reason: if listening {
                            DropReason::rst_for_listener()
                        } else {
                            DropReason::NoSocket
                        },
                    };
                } else if rst_certainly_resets(
                    h.seq,
                    ack_sent.get(&(seg.dst, seg.src)).copied().flatten(),
                    fin_sent.get(&key).copied(),
                    time_wait,
                ) && !time_wait_paws_rejects(
                    h.options.timestamps.map(|t| t.0),
                    tsval_sent.get(&key).copied(),
                    e.t,
                    time_wait,
                ) {
                    reset.insert(key);
                }
            }
            _ => {}
        }
    }
}

/// The passive (request or accepted) socket of `seg`'s 4-tuple on its receiver.
fn request_for<'a>(sockets: &'a [SocketInfo], seg: &Segment) -> Option<&'a SocketInfo> {
    sockets.iter().find(|s| {
        s.host == seg.dst.host
            && s.local_port == seg.dst.port
            && s.remote == Some(seg.src)
            && s.parent.is_some()
    })
}

/// Whether `seg` was sent (`sent`) or received by socket `s`: its local end is the socket's
/// address and, once the socket is connected, its other end is the socket's peer.
fn is_socket_segment(s: &SocketInfo, seg: &Segment, sent: bool) -> bool {
    let (local, peer) = if sent {
        (seg.src, seg.dst)
    } else {
        (seg.dst, seg.src)
    };
    local.host == s.host && local.port == s.local_port && s.remote.is_none_or(|r| r == peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::diag::DiagSock;

    #[test]
    fn the_syn_queue_gauge_holds_the_backlog_plus_one_or_the_early_drop_limit_without_cookies() {
        // Measured on 6.18: backlog 4 holds 5 requests; with syncookies off, 16 and 17 for
        // tcp_max_syn_backlog drop from the 14th and 15th SYN (13 and 14 held).
        let cookies = |c| SynQueueLimits {
            max_syn_backlog: Some(16),
            syncookies: c,
            ..SynQueueLimits::default()
        };
        assert_eq!(cookies(1).cap(4), 5);
        assert_eq!(cookies(2).cap(4), 5);
        assert_eq!(cookies(0).cap(4), 5);
        assert_eq!(cookies(0).cap(100), 13);
        assert_eq!(cookies(1).cap(100), 101);
        let seventeen = SynQueueLimits {
            max_syn_backlog: Some(17),
            syncookies: 0,
            ..SynQueueLimits::default()
        };
        assert_eq!(seventeen.cap(100), 14);
        assert_eq!(
            SynQueueLimits::default().cap(8),
            9,
            "unknown limits: the backlog only"
        );
    }

    const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 47, 0, 1);
    const SERVER: Ipv4Addr = Ipv4Addr::new(10, 47, 0, 2);

    /// A 20-byte-header TCP packet src:sport → dst:dport with these flags (FIN 1, SYN 2,
    /// RST 4, ACK 16) and `len` payload bytes.
    fn tcp(src: Ipv4Addr, sport: u16, dst: Ipv4Addr, dport: u16, flags: u8, len: usize) -> Vec<u8> {
        let total = 40 + len;
        let mut p = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
        ];
        p.extend_from_slice(&src.octets());
        p.extend_from_slice(&dst.octets());
        p.extend_from_slice(&sport.to_be_bytes());
        p.extend_from_slice(&dport.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        p.resize(total, 0xab);
        p
    }

    /// An empty segment from server:9999 to client:40000.
    fn to_client(flags: u8) -> Vec<u8> {
        tcp(SERVER, 9999, CLIENT, 40000, flags, 0)
    }

    /// An empty segment from client:40000 to server:9999.
    fn from_client(flags: u8) -> Vec<u8> {
        tcp(CLIENT, 40000, SERVER, 9999, flags, 0)
    }

    /// Application call `call` on `socket` at absolute time `t`, as the scripts record it.
    fn call_at(r: &Recorder, t: u64, socket: SocketId, call: AppCall) {
        r.lock().push(t, EventKind::AppCall { socket, call });
    }

    /// The trace of a client socket that makes `call` at `at` µs, with `packets` (sent,
    /// packet, arrived) and dumps (at, sockets; each 10 µs long), all in µs from the start.
    fn client_call(
        at: u64,
        call: AppCall,
        packets: Vec<(u64, Vec<u8>, u64)>,
        dumps: Vec<(u64, Vec<DiagSock>)>,
    ) -> Trace {
        let (r, t0) = recorder();
        let id = client_socket(&r);
        call_at(&r, t0 + at, id, call);
        let packets: Vec<WirePacket> = packets
            .into_iter()
            .map(|(i, p, o)| delivered(t0 + i, p, t0 + o))
            .collect();
        let samples: Vec<DiagSample> = dumps
            .into_iter()
            .map(|(t, socks)| sample(t0 + t, t0 + t + 10, socks))
            .collect();
        replay(&r, &packets, &samples)
    }

    /// A packet captured at `t_in` on the sender's side and at `t_out` on the receiver's.
    fn delivered(t_in: u64, data: Vec<u8>, t_out: u64) -> WirePacket {
        WirePacket {
            t_in_us: t_in,
            data,
            fate: WireFate::Delivered(vec![Some(Ok(t_out))]),
        }
    }

    /// The client's connected socket, client:40000 → server:9999.
    fn client_socket(r: &Recorder) -> SocketId {
        let server = Addr {
            host: HostId(1),
            port: 9999,
        };
        r.socket(
            HostId(0),
            Proto::Tcp,
            40000,
            Some(server),
            false,
            None,
            "client",
        )
    }

    /// The trace of these packets and sock_diag dumps (of the server's host, with unknown
    /// SYN queue limits).
    fn replay(r: &Recorder, packets: &[WirePacket], samples: &[DiagSample]) -> Trace {
        replay_with(r, packets, samples, SynQueueLimits::default())
    }

    fn replay_with(
        r: &Recorder,
        packets: &[WirePacket],
        samples: &[DiagSample],
        limits: SynQueueLimits,
    ) -> Trace {
        r.add_wire_capture(packets);
        r.add_diag(samples, limits, HostId(1));
        r.finish("test")
    }

    fn recorder() -> (Recorder, u64) {
        let r = Recorder::new("test");
        r.host("client", CLIENT, false);
        r.host("server", SERVER, true);
        r.server_port(9999);
        let start = r.lock().start_us;
        (r, start)
    }

    /// A recorder with the server's listener on 9999 registered, and the time from which the
    /// test's packets and samples count: after the registration, which the real clock stamps
    /// (on a loaded machine later than a sample 50 µs after the start, which then made a
    /// socket of its own).
    fn recorder_with_listener() -> (Recorder, u64) {
        let (r, start) = recorder();
        r.socket(HostId(1), Proto::Tcp, 9999, None, true, None, "listener");
        let t0 = start + r.now();
        (r, t0)
    }

    fn sock(state: u8, timer: u8, expires_ms: u32) -> DiagSock {
        DiagSock {
            udp: false,
            state,
            local: SocketAddrV4::new(CLIENT, 40000),
            remote: SocketAddrV4::new(SERVER, 9999),
            rqueue: 0,
            wqueue: 0,
            timer,
            retrans: 0,
            expires_ms,
            cookie: 1,
            rto_us: 0,
            total_retrans: 0,
            rcvbuf: 0,
            sndbuf: 0,
            rmem_alloc: 0,
            fwd_alloc: 0,
        }
    }

    fn sample(t_us: u64, t_end_us: u64, sockets: Vec<DiagSock>) -> DiagSample {
        DiagSample {
            t_us,
            t_end_us,
            sockets,
            netstat: BTreeMap::new(),
        }
    }

    #[test]
    fn a_state_change_is_never_stamped_before_the_segment_that_caused_it() {
        let (r, t0) = recorder();
        let client = client_socket(&r);
        // The SYN-ACK reaches the client 1000 µs in; a dump that began at 990 µs (before it)
        // and ended at 1010 µs reports ESTABLISHED.
        let tr = replay(
            &r,
            &[
                delivered(t0 + 100, from_client(0x02), t0 + 500),
                delivered(t0 + 600, to_client(0x12), t0 + 1000),
            ],
            &[
                sample(t0 + 200, t0 + 210, vec![sock(st::SYN_SENT, 1, 1000)]),
                sample(t0 + 990, t0 + 1010, vec![sock(st::ESTABLISHED, 0, 0)]),
            ],
        );
        let arrival = tr
            .events
            .iter()
            .position(|e| matches!(e.kind, EventKind::SegmentArrived { id } if id.0 == 1))
            .unwrap();
        let est = tr
            .events
            .iter()
            .position(|e| {
                matches!(e.kind, EventKind::StateChanged { socket, to: TcpState::Established, .. } if socket == client)
            })
            .unwrap();
        assert!(
            est > arrival,
            "ESTABLISHED (event {est}) before the SYN-ACK arrived (event {arrival})"
        );
        assert_eq!(tr.events[est].t, 1000, "stamped at the SYN-ACK's arrival");
        // SYN-SENT is pinned to the SYN that left, not to the dump.
        assert_eq!(entered(&tr, TcpState::SynSent), Some(100));
    }

    #[test]
    fn one_timer_watched_at_every_poll_is_one_event_however_its_estimate_wanders() {
        let (r, t0) = recorder();
        r.socket(HostId(0), Proto::Tcp, 40000, None, false, None, "client");
        // A TIME-WAIT timer that expires at 60 s, seen every ms by dumps that take 0-4 ms and
        // report whole milliseconds: its estimated expiry moves by a few ms from poll to poll.
        let samples: Vec<DiagSample> = (0..300u64)
            .map(|i| {
                let t = t0 + 1_000 + i * 1_000;
                let dump = (i * 7) % 5 * 1_000;
                let left_ms = ((t0 + 60_000_000 - t - dump) / 1000) as u32;
                sample(t, t + dump, vec![sock(st::TIME_WAIT, 3, left_ms)])
            })
            .collect();
        r.add_diag(&samples, SynQueueLimits::default(), HostId(1));
        let tr = r.finish("test");
        let timers = tr
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::TimerSet { .. }
                        | EventKind::TimerFired { .. }
                        | EventKind::TimerCancelled { .. }
                )
            })
            .count();
        assert_eq!(timers, 1);
    }

    #[test]
    fn every_packet_the_wire_read_is_in_the_trace_delivered_or_dropped_with_its_reason() {
        let (r, t0) = recorder();
        let p = |flags| tcp(CLIENT, 40000, SERVER, 9999, flags, 10);
        let unrelayed = r.add_wire_capture(&[
            WirePacket {
                t_in_us: t0 + 1,
                data: p(0x18),
                fate: WireFate::Delivered(vec![Some(Ok(t0 + 5)), Some(Ok(t0 + 6))]),
            },
            WirePacket {
                t_in_us: t0 + 2,
                data: p(0x18),
                fate: WireFate::Delivered(vec![Some(Err("write failed".into()))]),
            },
            WirePacket {
                t_in_us: t0 + 3,
                data: p(0x18),
                fate: WireFate::Dropped(DropReason::Fault { rule: 2 }),
            },
            WirePacket {
                t_in_us: t0 + 4,
                data: p(0x18),
                fate: WireFate::Delivered(vec![Some(Err(
                    synack_model::trace::STILL_ON_THE_WIRE.into()
                ))]),
            },
            WirePacket {
                t_in_us: t0 + 4,
                data: vec![0x60, 0, 0, 0],
                fate: WireFate::Dropped(DropReason::Other {
                    why: "not IPv4".into(),
                }),
            },
        ]);
        assert_eq!(unrelayed, 1, "the IPv6 packet is counted for the warnings");
        let tr = r.finish("test");
        let sent = tr
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::SegmentSent { .. }))
            .count();
        let ended = tr
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::SegmentArrived { .. } | EventKind::SegmentDropped { .. }
                )
            })
            .count();
        assert_eq!(
            (sent, ended),
            (5, 5),
            "each copy sent, each copy arrived or dropped"
        );
        assert!(tr.events.iter().any(|e| matches!(
            &e.kind,
            EventKind::SegmentDropped {
                reason: DropReason::Fault { rule: 2 },
                ..
            }
        )));
    }

    fn listener_sock(rqueue: u32) -> DiagSock {
        DiagSock {
            local: SocketAddrV4::new(SERVER, 9999),
            remote: SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0),
            rqueue,
            wqueue: 1,
            ..sock(st::LISTEN, 0, 0)
        }
    }

    fn request_sock(state: u8, client_port: u16) -> DiagSock {
        DiagSock {
            local: SocketAddrV4::new(SERVER, 9999),
            remote: SocketAddrV4::new(CLIENT, client_port),
            ..sock(state, 0, 0)
        }
    }

    /// When the trace first shows a socket entering `to`.
    fn entered(tr: &Trace, to: TcpState) -> Option<u64> {
        tr.events
            .iter()
            .find(|e| matches!(e.kind, EventKind::StateChanged { to: x, .. } if x == to))
            .map(|e| e.t)
    }

    fn drops(tr: &Trace) -> Vec<DropReason> {
        tr.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::SegmentDropped { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_syn_at_a_full_accept_queue_is_marked_dropped_as_the_model_marks_it() {
        let (r, t0) = recorder_with_listener();
        let syn = tcp(CLIENT, 40003, SERVER, 9999, 0x02, 0);
        // backlog 1, two connections waiting: full (sk_acceptq_is_full is len > backlog).
        let full = vec![listener_sock(2)];
        let tr = replay(
            &r,
            &[delivered(t0 + 180, syn, t0 + 200)],
            &[
                sample(t0 + 100, t0 + 110, full.clone()),
                sample(t0 + 300, t0 + 310, full),
            ],
        );
        assert_eq!(drops(&tr), vec![DropReason::SynAcceptQueueFull]);
    }

    /// A listener with a full accept queue stopped (gone from the next dump) before a SYN
    /// arrives: the SYN finds no socket and draws a RST, it is no drop at a full accept queue
    /// (explore seed 26600 #11 and 25800 #6).
    #[test]
    fn a_syn_after_the_listener_stopped_is_no_drop_at_its_full_accept_queue() {
        let (r, t0) = recorder_with_listener();
        let syn = tcp(CLIENT, 40003, SERVER, 9999, 0x02, 0);
        let rst = tcp(SERVER, 9999, CLIENT, 40003, 0x14, 0);
        let tr = replay(
            &r,
            &[
                delivered(t0 + 400, syn, t0 + 420),
                delivered(t0 + 430, rst, t0 + 450),
            ],
            &[
                sample(t0 + 100, t0 + 110, vec![listener_sock(2)]),
                sample(t0 + 300, t0 + 310, vec![]),
                sample(t0 + 500, t0 + 510, vec![]),
            ],
        );
        assert_eq!(drops(&tr), vec![]);
    }

    #[test]
    fn a_connection_made_from_an_always_sent_syn_cookie_was_never_syn_received() {
        // tcp_syncookies 2 on a 0 ms wire: the SYN, the cookie SYN-ACK and the ACK all fall
        // between two dumps, the second of which shows the connection's socket ESTABLISHED.
        // Its history goes from LISTEN straight to ESTABLISHED at the ACK: no request socket
        // ever held the tuple (explore seed 1600 #27, syncookies-always+delay=0). With
        // tcp_syncookies 1 and room in the SYN queue, the same packets made a request.
        for (syncookies, syn_received) in [(2, false), (1, true)] {
            let (r, t0) = recorder_with_listener();
            let packets = [
                delivered(t0 + 100, from_client(0x02), t0 + 110),
                delivered(t0 + 120, to_client(0x12), t0 + 130),
                delivered(t0 + 140, from_client(0x10), t0 + 150),
            ];
            let samples = [
                sample(t0 + 50, t0 + 60, vec![listener_sock(0)]),
                sample(
                    t0 + 200,
                    t0 + 210,
                    vec![listener_sock(1), request_sock(st::ESTABLISHED, 40000)],
                ),
            ];
            let limits = SynQueueLimits {
                max_syn_backlog: Some(128),
                syncookies,
                ..SynQueueLimits::default()
            };
            let tr = replay_with(&r, &packets, &samples, limits);
            assert_eq!(
                entered(&tr, TcpState::SynReceived).is_some(),
                syn_received,
                "tcp_syncookies {syncookies}"
            );
            let off = t0 - r.lock().start_us;
            assert_eq!(entered(&tr, TcpState::Established), Some(off + 150));
        }
    }

    #[test]
    fn a_fin_that_returns_an_always_sent_syn_cookie_makes_the_socket_established_first() {
        // tcp_syncookies 2, the handshake's last ACK lost, and the client's first segment a
        // bare FIN (shutdown(SHUT_WR)): its ACK field returns the cookie (`cookie_v4_check`
        // → `tcp_get_cookie_sock`), the child's `tcp_rcv_state_process` takes SYN-RECEIVED
        // to ESTABLISHED on the ACK and then `tcp_fin` takes it to CLOSE-WAIT, both at the
        // FIN. The dumps between show the listener alone (no request socket), and the one
        // after the FIN the child in CLOSE-WAIT (explore seed 52800 #15).
        let (r, t0) = recorder_with_listener();
        let packets = [
            delivered(t0 + 100, from_client(0x02), t0 + 110),
            delivered(t0 + 120, to_client(0x12), t0 + 130),
            WirePacket {
                t_in_us: t0 + 140,
                data: from_client(0x10),
                fate: WireFate::Dropped(DropReason::Fault { rule: 0 }),
            },
            delivered(t0 + 300, from_client(0x11), t0 + 310),
        ];
        let samples = [
            sample(t0 + 50, t0 + 60, vec![listener_sock(0)]),
            sample(t0 + 200, t0 + 210, vec![listener_sock(0)]),
            sample(
                t0 + 400,
                t0 + 410,
                vec![listener_sock(1), request_sock(st::CLOSE_WAIT, 40000)],
            ),
        ];
        let limits = SynQueueLimits {
            max_syn_backlog: Some(128),
            syncookies: 2,
            ..SynQueueLimits::default()
        };
        let tr = replay_with(&r, &packets, &samples, limits);
        let off = t0 - r.lock().start_us;
        assert_eq!(entered(&tr, TcpState::SynReceived), None);
        assert_eq!(entered(&tr, TcpState::Established), Some(off + 310));
        assert_eq!(entered(&tr, TcpState::CloseWait), Some(off + 310));
    }

    /// listen(1) with two requests queued, sampled before and after 200 µs, and
    /// tcp_syncookies 0: the request queue is full for a SYN arriving between the samples.
    fn full_syn_queue_without_cookies(t0: u64) -> ([DiagSample; 2], SynQueueLimits) {
        let two_requests = vec![
            listener_sock(0),
            request_sock(st::NEW_SYN_RECV, 40001),
            request_sock(st::NEW_SYN_RECV, 40002),
        ];
        let no_cookies = SynQueueLimits {
            max_syn_backlog: Some(128),
            syncookies: 0,
            ..SynQueueLimits::default()
        };
        let samples = [
            sample(t0 + 100, t0 + 110, two_requests.clone()),
            sample(t0 + 300, t0 + 310, two_requests),
        ];
        (samples, no_cookies)
    }

    #[test]
    fn a_syn_at_a_full_syn_queue_without_syncookies_is_marked_dropped_as_the_model_marks_it() {
        // listen(1): the request queue holds 2 (`inet_csk_reqsk_queue_is_full` is len >
        // backlog); with tcp_syncookies 0 a third SYN is dropped (TCPReqQFullDrop) although
        // the accept queue is empty. Measured on 6.18 with listen(0): the second client's
        // SYN, 10 ms after the first one's, is never answered.
        let (r, t0) = recorder_with_listener();
        let syn = tcp(CLIENT, 40003, SERVER, 9999, 0x02, 0);
        let (samples, no_cookies) = full_syn_queue_without_cookies(t0);
        let packets = [delivered(t0 + 180, syn.clone(), t0 + 200)];
        let tr = replay_with(&r, &packets, &samples, no_cookies);
        assert_eq!(drops(&tr), vec![DropReason::SynQueueFull]);
        // With syncookies the same SYN is answered with a cookie: not dropped. (Timed from
        // the new recorder's own t0, as its listener only exists from then on.)
        let (r, t0) = recorder_with_listener();
        let (samples, no_cookies) = full_syn_queue_without_cookies(t0);
        let packets = [delivered(t0 + 180, syn, t0 + 200)];
        let cookies = SynQueueLimits {
            syncookies: 1,
            ..no_cookies
        };
        assert_eq!(drops(&replay_with(&r, &packets, &samples, cookies)), vec![]);
    }

    #[test]
    fn a_tcp_max_syn_backlog_of_0_drops_a_syn_behind_one_request_and_is_not_an_unknown_limit() {
        // Measured on 6.18 (backlog-full-no-syncookies+max_syn_backlog=0: listen(8), clients
        // 30 ms apart on a 20 ms wire): every second client's SYN, arriving while the one
        // before it is still a request, goes unanswered until its retransmission, as the
        // model drops it; the recorder read the 0 as "not read" and left the drop unmarked.
        let one_request = || {
            vec![
                DiagSock {
                    wqueue: 8,
                    ..listener_sock(0)
                },
                request_sock(st::NEW_SYN_RECV, 40001),
            ]
        };
        let run = |max_syn_backlog| {
            let (r, t0) = recorder_with_listener();
            let samples = [
                sample(t0 + 100, t0 + 110, one_request()),
                sample(t0 + 300, t0 + 310, one_request()),
            ];
            let packets = [delivered(
                t0 + 180,
                tcp(CLIENT, 40002, SERVER, 9999, 0x02, 0),
                t0 + 200,
            )];
            let limits = SynQueueLimits {
                max_syn_backlog,
                syncookies: 0,
                ..SynQueueLimits::default()
            };
            drops(&replay_with(&r, &packets, &samples, limits))
        };
        assert_eq!(run(Some(0)), vec![DropReason::SynQueueFull]);
        // 128 leaves room for many more requests; an unread limit marks nothing.
        assert_eq!(run(Some(128)), vec![]);
        assert_eq!(run(None), vec![]);
    }

    #[test]
    fn a_syn_the_listener_answered_is_not_marked_dropped_whatever_the_queue_gauge_says() {
        // Without syncookies a SYN past the early-drop limit still gets in when the listener's
        // host has an RTT cached for its sender (`tcp_peer_is_proven`), which no sock_diag
        // gauge shows. Measured on 6.18 (tcp_max_syn_backlog 8, seven requests queued from a
        // client whose earlier connection ended well): the eighth SYN was answered, and was
        // marked dropped before this.
        let (r, t0) = recorder_with_listener();
        let syn = tcp(CLIENT, 40003, SERVER, 9999, 0x02, 0);
        let mut syn_ack = tcp(SERVER, 9999, CLIENT, 40003, 0x12, 0);
        syn_ack[31] = 2; // acknowledges the SYN (seq 1)
        let (samples, no_cookies) = full_syn_queue_without_cookies(t0);
        let packets = [
            delivered(t0 + 180, syn.clone(), t0 + 200),
            delivered(t0 + 210, syn_ack.clone(), t0 + 230),
        ];
        assert_eq!(
            drops(&replay_with(&r, &packets, &samples, no_cookies)),
            vec![]
        );
        // An answer to another SYN (another sequence number) does not count. The new
        // recorder has its own clock: its gauge samples and packets are timed from its own t0
        // (reusing the first one's put them before its first sample whenever the two
        // recorders were made far enough apart in wall time).
        let (r, t0) = recorder_with_listener();
        let (samples, no_cookies) = full_syn_queue_without_cookies(t0);
        syn_ack[31] = 9;
        let packets = [
            delivered(t0 + 180, syn, t0 + 200),
            delivered(t0 + 210, syn_ack, t0 + 230),
        ];
        let tr = replay_with(&r, &packets, &samples, no_cookies);
        assert_eq!(drops(&tr), vec![DropReason::SynQueueFull]);
    }

    /// A cookie SYN-ACK to client port 40003 (sent at 100 µs), the client's ACK (180 µs)
    /// and 5 bytes (190 µs), each handed over 20 µs later.
    fn cookie_exchange(t0: u64) -> Vec<WirePacket> {
        let from_client = |flags, len| tcp(CLIENT, 40003, SERVER, 9999, flags, len);
        vec![
            delivered(
                t0 + 100,
                tcp(SERVER, 9999, CLIENT, 40003, 0x12, 0),
                t0 + 120,
            ),
            delivered(t0 + 180, from_client(0x10, 0), t0 + 200),
            delivered(t0 + 190, from_client(0x18, 5), t0 + 210),
        ]
    }

    #[test]
    fn an_ack_returning_a_syn_cookie_to_a_full_accept_queue_is_marked_dropped() {
        // The cookie's ACK (and the data after it) reaches the listener itself, no request
        // socket; `tcp_v4_syn_recv_sock` refuses it while the accept queue is full. Measured on
        // 6.18 (listen(0), tcp_syncookies 1): the second client's ACK and its 5 bytes are
        // never answered, the data retransmitted with backoff.
        let (r, t0) = recorder_with_listener();
        let full = vec![listener_sock(2)];
        let tr = replay(
            &r,
            &cookie_exchange(t0),
            &[
                sample(t0 + 50, t0 + 60, full.clone()),
                sample(t0 + 300, t0 + 310, full),
            ],
        );
        assert_eq!(
            drops(&tr),
            vec![DropReason::AcceptQueueFull, DropReason::AcceptQueueFull]
        );
    }

    #[test]
    fn a_cookies_ack_is_marked_dropped_though_its_retransmission_later_makes_a_socket() {
        // As above, but an accept() makes room and the data's retransmission returns the
        // cookie again: `cookie_v4_check` makes the connection, ESTABLISHED at once, for the
        // same 4-tuple. That socket did not exist when the first ACK came, which reached the
        // listener alone. Measured on 6.18 (explore 800-46: listen(0), tcp_syncookies 1,
        // three clients 10 ms apart, accept at 600 ms): the third client's ACK and 5 bytes
        // at 120 ms were refused, its retransmission at 755 ms made "client 3" peer.
        let (r, t0) = recorder_with_listener();
        let full = vec![listener_sock(2)];
        let made = vec![listener_sock(2), request_sock(st::ESTABLISHED, 40003)];
        let mut packets = cookie_exchange(t0);
        let data = tcp(CLIENT, 40003, SERVER, 9999, 0x18, 5);
        packets.push(delivered(t0 + 600, data, t0 + 620));
        // The connection's own FIN, the accept queue full again: not a cookie's.
        let fin = tcp(CLIENT, 40003, SERVER, 9999, 0x11, 0);
        packets.push(delivered(t0 + 800, fin, t0 + 820));
        let tr = replay(
            &r,
            &packets,
            &[
                sample(t0 + 50, t0 + 60, full.clone()),
                sample(t0 + 300, t0 + 310, full),
                sample(t0 + 500, t0 + 510, vec![listener_sock(1)]),
                sample(t0 + 700, t0 + 710, made),
            ],
        );
        assert_eq!(
            drops(&tr),
            vec![DropReason::AcceptQueueFull, DropReason::AcceptQueueFull]
        );
    }

    #[test]
    fn a_segment_past_the_cookies_sequence_number_is_not_marked_refused() {
        // Measured on 6.18 (explore 700-31, tcp_syncookies 2, the accept queue full): a client
        // whose ACK and 5 bytes were refused closes; its FIN (seq 6) does not return the
        // cookie, and the listener answers it with a RST rather than refusing it.
        let (r, t0) = recorder_with_listener();
        let mut fin = tcp(CLIENT, 40003, SERVER, 9999, 0x11, 0);
        // The TCP header's sequence number: ISN + 6 (the cookie's ack is ISN + 1).
        fin[24..28].copy_from_slice(&6u32.to_be_bytes());
        let mut packets = cookie_exchange(t0);
        packets.push(delivered(t0 + 600, fin, t0 + 620));
        let full = vec![listener_sock(2)];
        let tr = replay(
            &r,
            &packets,
            &[
                sample(t0 + 50, t0 + 60, full.clone()),
                sample(t0 + 700, t0 + 710, full),
            ],
        );
        assert_eq!(
            drops(&tr),
            vec![DropReason::AcceptQueueFull, DropReason::AcceptQueueFull]
        );
    }

    #[test]
    fn the_ack_that_fills_the_accept_queue_is_not_marked_dropped_by_its_own_effect() {
        let (r, t0) = recorder_with_listener();
        let ack = tcp(CLIENT, 40002, SERVER, 9999, 0x10, 0);
        // The dump that shows the queue at 2 began before the ACK arrived (190 µs) and ended
        // after it (210 µs): the ACK is what filled it.
        let before = vec![listener_sock(1), request_sock(st::NEW_SYN_RECV, 40002)];
        let after = vec![listener_sock(2), request_sock(st::ESTABLISHED, 40002)];
        let tr = replay(
            &r,
            &[delivered(t0 + 180, ack, t0 + 200)],
            &[
                sample(t0 + 100, t0 + 110, before),
                sample(t0 + 190, t0 + 210, after),
            ],
        );
        assert_eq!(drops(&tr), vec![]);
    }

    #[test]
    fn the_second_of_two_acks_within_one_dump_finds_the_queue_the_first_filled() {
        // listen(2), two connections queued (not full: full is len > backlog), requests for
        // client ports 40002 and 40003 whose ACKs arrive 26 µs apart, both between two dumps.
        // The first joins the accept queue (3 > 2: now full), so the second is refused, as
        // on 6.18 (explore seed 2000 #12: the SYN-ACK was resent to the second client).
        let (r, t0) = recorder_with_listener();
        let ack = |port| tcp(CLIENT, port, SERVER, 9999, 0x10, 0);
        let before = vec![
            DiagSock {
                wqueue: 2,
                ..listener_sock(2)
            },
            DiagSock {
                cookie: 2,
                ..request_sock(st::NEW_SYN_RECV, 40002)
            },
            DiagSock {
                cookie: 3,
                ..request_sock(st::NEW_SYN_RECV, 40003)
            },
        ];
        let tr = replay(
            &r,
            &[
                delivered(t0 + 180, ack(40002), t0 + 200),
                delivered(t0 + 206, ack(40003), t0 + 226),
            ],
            &[sample(t0 + 100, t0 + 110, before)],
        );
        assert_eq!(drops(&tr), vec![DropReason::AcceptQueueFull]);
    }

    #[test]
    fn a_connection_accept_took_leaves_room_for_the_next_handshake() {
        // listen(1), accept() always waiting: each handshake's child joins the queue and is
        // taken at once, between two dumps that both show it empty. The third ACK finds
        // the queue as empty as the first did. Measured on 6.18 (explore seed 2200 #2).
        let (r, t0) = recorder_with_listener();
        let ack = |port| tcp(CLIENT, port, SERVER, 9999, 0x10, 0);
        let packets = [
            delivered(t0 + 180, ack(40002), t0 + 200),
            delivered(t0 + 210, ack(40003), t0 + 230),
            delivered(t0 + 240, ack(40004), t0 + 260),
        ];
        let listener = SocketId(0);
        for (t, child) in [(205, 1), (235, 2)] {
            let accepted = AppResult::Accepted {
                socket: SocketId(child),
            };
            let kind = EventKind::AppReturn {
                socket: listener,
                call: AppCallKind::Accept,
                result: accepted,
            };
            r.lock().push(t0 + t, kind);
        }
        let requests = vec![
            listener_sock(0),
            request_sock(st::NEW_SYN_RECV, 40002),
            request_sock(st::NEW_SYN_RECV, 40003),
            request_sock(st::NEW_SYN_RECV, 40004),
        ];
        let tr = replay(&r, &packets, &[sample(t0 + 50, t0 + 60, requests)]);
        assert_eq!(drops(&tr), vec![]);
    }

    /// A client's handshake ACK sent at `t_in` and handed over at `t_out`, its 5 bytes 10 µs
    /// behind.
    fn ack_then_data(client_port: u16, t_in: u64, t_out: u64) -> [WirePacket; 2] {
        let from_client = |flags, len| tcp(CLIENT, client_port, SERVER, 9999, flags, len);
        [
            delivered(t_in, from_client(0x10, 0), t_out),
            delivered(t_in + 10, from_client(0x18, 5), t_out + 10),
        ]
    }

    #[test]
    fn with_abort_on_overflow_the_data_after_a_refused_ack_is_not_marked_dropped() {
        // listen(1), two connections queued (full), a request for client port 40003 whose
        // ACK and 5 bytes arrive back to back. The ACK is refused and, with
        // tcp_abort_on_overflow, resets the request at once; the data reaches the listener,
        // which answers it with a RST. The dumps still show the request until the next one.
        // Measured on 6.18 (backlog-full-syncookies with tcp_abort_on_overflow=1): two RSTs,
        // one for the ACK and one for the data.
        let run = |abort| {
            let (r, t0) = recorder_with_listener();
            let full = vec![listener_sock(2), request_sock(st::NEW_SYN_RECV, 40003)];
            let packets = ack_then_data(40003, t0 + 180, t0 + 200);
            let limits = SynQueueLimits {
                abort_on_overflow: abort,
                ..SynQueueLimits::default()
            };
            let samples = [
                sample(t0 + 50, t0 + 60, full.clone()),
                sample(t0 + 300, t0 + 310, full),
            ];
            drops(&replay_with(&r, &packets, &samples, limits))
        };
        assert_eq!(run(true), vec![DropReason::AcceptQueueFull]);
        // Without it the request stays, and the data is refused like the ACK.
        assert_eq!(
            run(false),
            vec![DropReason::AcceptQueueFull, DropReason::AcceptQueueFull]
        );
    }

    /// The states the trace gives socket `id`, in order.
    fn states_of(tr: &Trace, id: SocketId) -> Vec<TcpState> {
        tr.events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::StateChanged { socket, to, .. } if socket == id => Some(to),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_ack_refused_with_abort_on_overflow_makes_no_established_and_the_second_rst_no_socket() {
        // Measured on 6.18 (backlog-full-syncookies, tcp_abort_on_overflow=1): client 3's
        // ACK reaches a full accept queue: `tcp_check_req` → `syn_recv_sock` returns NULL
        // (no child), `embryonic_reset` answers with a RST and the request is dropped. Its 5
        // bytes, right behind, reach the listener, which answers with a second RST; the first
        // closed the client, so the second finds no socket. The relay reads the first RST
        // only after it handed the data over (130 µs < 135 µs).
        let (r, t0) = recorder_with_listener();
        let client = client_socket(&r);
        r.add_wire_capture(&ack_then_data(40000, t0 + 100, t0 + 120));
        r.add_wire_capture(&[
            delivered(t0 + 135, to_client(0x04), t0 + 145),
            delivered(t0 + 140, to_client(0x04), t0 + 155),
        ]);
        let limits = SynQueueLimits {
            abort_on_overflow: true,
            ..SynQueueLimits::default()
        };
        let queued = vec![listener_sock(2), request_sock(st::NEW_SYN_RECV, 40000)];
        r.add_diag(
            &[
                sample(t0 + 50, t0 + 60, queued),
                sample(t0 + 400, t0 + 410, vec![listener_sock(2)]),
            ],
            limits,
            HostId(1),
        );
        r.add_diag(
            &[
                sample(t0 + 50, t0 + 60, vec![sock(st::ESTABLISHED, 0, 0)]),
                sample(t0 + 400, t0 + 410, vec![]),
            ],
            limits,
            HostId(0),
        );
        let tr = r.finish("test");
        let request = tr
            .sockets
            .iter()
            .find(|s| s.parent.is_some())
            .map(|s| s.id)
            .unwrap();
        assert_eq!(
            states_of(&tr, request),
            vec![TcpState::SynReceived, TcpState::Closed],
            "no child was made: the request never was ESTABLISHED"
        );
        assert_eq!(
            states_of(&tr, client),
            vec![TcpState::Established, TcpState::Closed]
        );
        assert_eq!(
            drops(&tr),
            vec![DropReason::AcceptQueueFull, DropReason::NoSocket],
            "the ACK refused, the second RST for no socket"
        );
    }

    #[test]
    fn a_rst_with_an_old_timestamp_resets_no_time_wait_within_paws_msl() {
        // The TSval the sender last sent is 120 (at 100 µs): an older one (1) is rejected by
        // TIME-WAIT's PAWS for 60 s, a newer one or a state but TIME-WAIT rejects nothing.
        let sent = Some((120, 100));
        assert!(time_wait_paws_rejects(Some(1), sent, 200, true));
        assert!(!time_wait_paws_rejects(
            Some(1),
            sent,
            100 + 60_000_000,
            true
        ));
        assert!(!time_wait_paws_rejects(Some(1), sent, 200, false));
        assert!(!time_wait_paws_rejects(Some(121), sent, 200, true));
        assert!(!time_wait_paws_rejects(None, sent, 200, true));
        assert!(!time_wait_paws_rejects(Some(1), Some((0, 100)), 200, true));
    }

    #[test]
    fn a_rst_one_below_rcv_nxt_leaves_time_wait_alone_and_the_rst_at_rcv_nxt_ends_it() {
        // Measured on 6.18 (time-wait-assassinated+delay=700, 4 of 4): the server's FIN
        // (seq 1) brought the client to TIME-WAIT at rcv_nxt 2; a RST at seq 1 (the
        // listener's answer to an older duplicate ACK) reached it and was ignored
        // (`tcp_timewait_state_process`: a RST at rcv_nxt only; rcv_nxt - 1 is
        // `tcp_reset_check`'s, for CLOSE-WAIT, LAST-ACK and CLOSING). The RST at seq 2 behind
        // it ended TIME-WAIT, and was marked "no socket" as if the first had.
        let with_seq_ack = |mut p: Vec<u8>, seq: u8, ack: u8| {
            p[27] = seq;
            p[31] = ack;
            p
        };
        let (r, t0) = recorder();
        client_socket(&r);
        r.add_wire_capture(&[
            delivered(t0 + 10, from_client(0x11), t0 + 20),
            delivered(t0 + 30, with_seq_ack(to_client(0x11), 1, 2), t0 + 40),
            delivered(t0 + 41, with_seq_ack(from_client(0x10), 2, 2), t0 + 50),
            delivered(t0 + 100, to_client(0x04), t0 + 110),
            delivered(t0 + 200, with_seq_ack(to_client(0x04), 2, 1), t0 + 210),
        ]);
        let time_wait = || vec![sock(st::TIME_WAIT, 0, 0)];
        r.add_diag(
            &[
                sample(t0 + 5, t0 + 8, vec![sock(st::ESTABLISHED, 0, 0)]),
                sample(t0 + 60, t0 + 70, time_wait()),
                sample(t0 + 150, t0 + 160, time_wait()),
                sample(t0 + 300, t0 + 310, vec![]),
            ],
            SynQueueLimits::default(),
            HostId(0),
        );
        let tr = r.finish("test");
        assert_eq!(drops(&tr), vec![], "the second RST reached TIME-WAIT");
        let off = t0 - r.lock().start_us;
        assert_eq!(entered(&tr, TcpState::Closed), Some(off + 210));
    }

    #[test]
    fn a_rst_is_for_no_socket_only_when_the_socket_is_seen_gone_before_it() {
        // Two RSTs reach the client 50 µs apart; the next dump finds it gone.
        let run = |challenge_ack: bool, client_dumps: bool| {
            let (r, t0) = recorder();
            client_socket(&r);
            let mut packets = vec![delivered(t0 + 90, to_client(0x04), t0 + 100)];
            if challenge_ack {
                // The first RST was outside the window: the client answered it with a
                // challenge ACK (RFC 5961 §3.2) and stayed; the second one closed it.
                packets.push(delivered(t0 + 105, from_client(0x10), t0 + 110));
            }
            packets.push(delivered(t0 + 140, to_client(0x04), t0 + 150));
            r.add_wire_capture(&packets);
            let samples = if client_dumps {
                vec![
                    sample(t0 + 50, t0 + 60, vec![sock(st::ESTABLISHED, 0, 0)]),
                    sample(t0 + 400, t0 + 410, vec![]),
                ]
            } else {
                Vec::new()
            };
            r.add_diag(&samples, SynQueueLimits::default(), HostId(0));
            drops(&r.finish("test"))
        };
        assert_eq!(run(false, true), vec![DropReason::NoSocket]);
        assert_eq!(
            run(true, true),
            vec![],
            "the socket answered after the first"
        );
        assert_eq!(run(false, false), vec![], "no dump watched the client");
    }

    #[test]
    fn a_rst_for_a_connection_gone_where_a_listener_listens_is_marked_as_the_model_marks_it() {
        // Both ends abort at once (both-abort): the server's connection is gone by the
        // time the client's RST arrives, and the listener on 9999 discards that RST
        // (`tcp_rcv_state_process`, TCP_LISTEN); with no listener left it finds no socket.
        let run = |listening: bool| {
            let (r, t0) = recorder_with_server_connection();
            let listener = || listening.then(|| listener_sock(0));
            let packets = [
                delivered(t0 + 100, to_client(0x14), t0 + 120),
                delivered(t0 + 101, from_client(0x14), t0 + 121),
            ];
            let samples = [
                sample(
                    t0 + 50,
                    t0 + 60,
                    [Some(request_sock(st::ESTABLISHED, 40000)), listener()]
                        .into_iter()
                        .flatten()
                        .collect(),
                ),
                sample(t0 + 300, t0 + 310, listener().into_iter().collect()),
            ];
            drops(&replay(&r, &packets, &samples))
        };
        assert_eq!(run(true), vec![DropReason::rst_for_listener()]);
        assert_eq!(run(false), vec![DropReason::NoSocket]);
    }

    /// A recorder with the listener on 9999 and its accepted connection from client:40000.
    fn recorder_with_server_connection() -> (Recorder, u64) {
        let (r, t0) = recorder_with_listener();
        let client = Addr {
            host: HostId(0),
            port: 40000,
        };
        r.socket(
            HostId(1),
            Proto::Tcp,
            9999,
            Some(client),
            false,
            None,
            "server",
        );
        (r, t0)
    }

    /// The drops recorded when the server's connection from client:40000 (ESTABLISHED at
    /// t0 + 500 µs, then in `later` at t0 + 1050 if given) is gone by t0 + 3000, the
    /// listener still listening, with `packets(t0)` on the wire.
    fn drops_as_the_server_connection_goes(
        packets: impl Fn(u64) -> Vec<WirePacket>,
        later: Option<u8>,
    ) -> Vec<DropReason> {
        let (r, t0) = recorder_with_server_connection();
        let seen = |t: u64, state: u8| {
            sample(
                t,
                t + 10,
                vec![request_sock(state, 40000), listener_sock(0)],
            )
        };
        let mut samples = vec![seen(t0 + 500, st::ESTABLISHED)];
        samples.extend(later.map(|state| seen(t0 + 1_050, state)));
        samples.push(sample(t0 + 3_000, t0 + 3_010, vec![listener_sock(0)]));
        drops(&replay(&r, &packets(t0), &samples))
    }

    #[test]
    fn a_rst_at_rcv_nxt_ends_the_socket_though_the_wire_read_its_earlier_data_after_it() {
        // explore-100-16: one send() put three segments out, the wire read them one by one
        // while the client answered the first with `R seq=1`, the server's rcv_nxt (the ack
        // of its data): that RST reset it (`tcp_validate_incoming`); the client's RST for the
        // second segment, read after the first RST arrived, found only the listener.
        let data = |seq| tcp_at(tcp(SERVER, 9999, CLIENT, 40000, 0x18, 100), seq, 1);
        let rst = || tcp_at(from_client(0x04), 1, 0);
        let packets = |t0| {
            vec![
                delivered(t0 + 1_000, data(1), t0 + 1_010),
                delivered(t0 + 1_020, rst(), t0 + 1_030),
                delivered(t0 + 1_100, data(101), t0 + 1_110),
                delivered(t0 + 1_120, rst(), t0 + 1_130),
            ]
        };
        assert_eq!(
            drops_as_the_server_connection_goes(packets, None),
            vec![DropReason::rst_for_listener()]
        );
    }

    #[test]
    fn a_rst_numbered_like_the_peers_fin_ends_close_wait_and_rsts_before_it_reached_the_socket() {
        // explore-100-3: the server in CLOSE-WAIT (the client's FIN at 1 acknowledged, 2)
        // gets the client host's RSTs for its old ACKs: `R seq=0` is out of the window and
        // ignored; `R seq=1`, the FIN's number, resets it (`tcp_reset_check`); `R seq=2`
        // then finds only the listener.
        let rst = |seq| tcp_at(from_client(0x04), seq, 0);
        let packets = |t0| {
            vec![
                delivered(t0 + 1_000, tcp_at(from_client(0x11), 1, 1), t0 + 1_010),
                delivered(t0 + 1_020, tcp_at(to_client(0x10), 1, 2), t0 + 1_030),
                delivered(t0 + 1_100, rst(0), t0 + 1_110),
                delivered(t0 + 1_101, rst(1), t0 + 1_111),
                delivered(t0 + 1_102, rst(2), t0 + 1_112),
            ]
        };
        assert_eq!(
            drops_as_the_server_connection_goes(packets, Some(st::CLOSE_WAIT)),
            vec![DropReason::rst_for_listener()]
        );
    }

    #[test]
    fn a_rst_at_the_last_ack_sent_resets_nothing_once_later_data_moved_rcv_nxt_past_it() {
        // explore-22100-14: the server acknowledged the client's data to 101, then took 100
        // bytes more and the FIN without answering yet (a delayed ACK): rcv_nxt 202. The
        // client host's RST at 101 is below it and ignored (`tcp_validate_incoming`); the
        // server's ACK of the FIN draws `R seq=202`, which resets the connection in
        // CLOSE-WAIT (a dump sees CLOSE-WAIT between the two RSTs): it reached a socket,
        // not the listener.
        let rst = |seq| tcp_at(from_client(0x04), seq, 0);
        let packets = |t0| {
            vec![
                delivered(
                    t0 + 800,
                    tcp_at(tcp(CLIENT, 40000, SERVER, 9999, 0x18, 100), 1, 1),
                    t0 + 810,
                ),
                delivered(t0 + 820, tcp_at(to_client(0x10), 1, 101), t0 + 830),
                delivered(
                    t0 + 900,
                    tcp_at(tcp(CLIENT, 40000, SERVER, 9999, 0x19, 100), 101, 1),
                    t0 + 910,
                ),
                delivered(t0 + 1_000, rst(101), t0 + 1_010),
                delivered(t0 + 1_200, tcp_at(to_client(0x10), 1, 202), t0 + 1_210),
                delivered(t0 + 1_300, rst(202), t0 + 1_310),
            ]
        };
        assert_eq!(
            drops_as_the_server_connection_goes(packets, Some(st::CLOSE_WAIT)),
            vec![]
        );
    }

    /// A request in SYN-RECEIVED whose listener makes `call` at 2 ms (its handshake's ACK was
    /// lost), then the client's data at 5 ms and the host's "R seq=1": the trace, and the offset
    /// of the recorder's start.
    fn request_after_listener_call(call: AppCall) -> (Trace, u64) {
        let (r, t0) = recorder_with_listener();
        call_at(&r, t0 + 2_000, SocketId(0), call);
        let data = tcp_at(tcp(CLIENT, 40000, SERVER, 9999, 0x18, 5), 1, 1);
        let tr = replay(
            &r,
            &[
                delivered(t0 + 100, from_client(0x02), t0 + 120),
                delivered(t0 + 130, tcp_at(to_client(0x12), 0, 1), t0 + 150),
                delivered(t0 + 5_000, data, t0 + 5_020),
                delivered(t0 + 5_030, tcp_at(to_client(0x04), 1, 0), t0 + 5_050),
            ],
            &[
                sample(
                    t0 + 1_000,
                    t0 + 1_010,
                    vec![request_sock(st::SYN_RECV, 40000)],
                ),
                sample(t0 + 8_000, t0 + 8_010, vec![]),
            ],
        );
        let off = t0 - r.lock().start_us;
        (tr, off)
    }

    #[test]
    fn a_request_whose_listener_closed_is_not_established_by_the_segment_that_drops_it() {
        // listener-close-request: the handshake's ACK lost, the listener closed, then the
        // client's data reaches the request, which Linux drops (`tcp_v4_rcv`, the listener
        // out of LISTEN) before the lookup that finds no socket and answers "R seq=1".
        let (tr, off) = request_after_listener_call(AppCall::Close);
        assert_eq!(entered(&tr, TcpState::Established), None);
        assert_eq!(entered(&tr, TcpState::Closed), Some(off + 5_030));
    }

    #[test]
    fn a_request_whose_listener_was_shut_down_for_reading_is_not_established_either() {
        // Explore 50500 #15 (Linux 6.18, 3 of 3 runs): shutdown(SHUT_RD) takes a listener out of
        // LISTEN (`inet_shutdown` → `tcp_disconnect`), and the handshake's ACK that reaches its
        // request 28 ms later is answered "R seq=1" (tcp:tcp_send_reset, reason NO_SOCKET; no
        // inet_sock_set_state to ESTABLISHED for it). The walk stamped ESTABLISHED on it.
        let established = |how| {
            entered(
                &request_after_listener_call(AppCall::Shutdown { how }).0,
                TcpState::Established,
            )
        };
        assert_eq!(established(ShutHow::Rd), None);
        assert_eq!(established(ShutHow::Rdwr), None);
        // SHUT_WR leaves a listener listening: its request is completed as before.
        assert!(established(ShutHow::Wr).is_some());
    }

    #[test]
    fn an_abort_that_sends_nothing_closes_at_the_call_not_at_the_hosts_later_rst() {
        // time-wait-assassinated: the server aborts in LAST-ACK (no RST, `tcp_disconnect`);
        // the client's ACK then finds no socket and the host answers it with a RST.
        let tr = client_call(
            2_000,
            AppCall::Abort,
            vec![
                (5_000, tcp_at(to_client(0x10), 1, 2), 5_020),
                (5_030, tcp_at(from_client(0x04), 2, 0), 5_050),
            ],
            vec![(1_000, vec![sock(st::LAST_ACK, 1, 200)]), (8_000, vec![])],
        );
        assert_eq!(entered(&tr, TcpState::Closed), Some(2_000));
    }

    #[test]
    fn a_listener_changes_state_by_its_calls_not_by_what_reaches_its_port() {
        // listener-closed-request-dies-quietly+delay=100: the SYN reaches the port just as
        // the listener closes and the host refuses it; the listener was never SYN-RECEIVED,
        // and it closed at its close(), not at that RST.
        let (r, t0) = recorder_with_listener();
        let listener = SocketId(0);
        call_at(&r, t0 + 2_000, listener, AppCall::Close);
        let tr = replay(
            &r,
            &[
                delivered(t0 + 1_950, from_client(0x02), t0 + 2_010),
                delivered(t0 + 2_040, tcp_at(to_client(0x14), 0, 1), t0 + 2_060),
            ],
            &[
                sample(t0 + 1_000, t0 + 1_010, vec![listener_sock(0)]),
                sample(t0 + 8_000, t0 + 8_010, vec![]),
            ],
        );
        let off = t0 - r.lock().start_us;
        assert_eq!(entered(&tr, TcpState::SynReceived), None);
        assert_eq!(entered(&tr, TcpState::Closed), Some(off + 2_000));
    }

    #[test]
    fn what_an_aborted_socket_sent_is_from_before_its_abort_however_late_the_wire_read_it() {
        // time-wait-assassinated+delay=100: the peer's FIN arrives, shutdown() sends ours,
        // abort() follows within 40 µs; the wire reads our FIN 50 µs after the abort call.
        // CLOSE-WAIT and LAST-ACK are proven, and the end comes after our FIN.
        let (r, t0) = recorder();
        let id = client_socket(&r);
        call_at(&r, t0 + 2_100, id, AppCall::Abort);
        let tr = replay(
            &r,
            &[
                delivered(t0 + 1_950, tcp_at(to_client(0x11), 1, 1), t0 + 2_000),
                delivered(t0 + 2_150, tcp_at(from_client(0x11), 1, 2), t0 + 2_200),
                // The peer's ACK of it, after the abort: the host's business, not ours.
                delivered(t0 + 2_300, tcp_at(to_client(0x10), 2, 2), t0 + 2_350),
                delivered(t0 + 2_360, tcp_at(from_client(0x04), 2, 0), t0 + 2_400),
            ],
            &[
                sample(t0 + 1_000, t0 + 1_010, vec![sock(st::ESTABLISHED, 0, 0)]),
                sample(t0 + 8_000, t0 + 8_010, vec![]),
            ],
        );
        assert_eq!(entered(&tr, TcpState::CloseWait), Some(2_000));
        assert_eq!(entered(&tr, TcpState::LastAck), Some(2_150));
        assert_eq!(entered(&tr, TcpState::Closed), Some(2_150));
    }

    #[test]
    fn close_wait_proven_by_the_peers_fin_stays_when_a_dump_shows_last_ack_before_our_fin() {
        // fin-lost-behind-small-segment+delay=150 on a loaded machine: the peer's FIN
        // arrives at 2000 µs, close() at 2100 sets LAST-ACK, a dump at 2200 shows it, and our
        // FIN is captured only at 2300. CLOSE-WAIT at the FIN, LAST-ACK at the close().
        let tr = client_call(
            2_100,
            AppCall::Close,
            vec![
                (1_950, tcp_at(to_client(0x11), 1, 1), 2_000),
                (2_300, tcp_at(from_client(0x11), 1, 2), 2_350),
            ],
            vec![
                (1_000, vec![sock(st::ESTABLISHED, 0, 0)]),
                (2_200, vec![sock(st::LAST_ACK, 1, 200)]),
            ],
        );
        assert_eq!(entered(&tr, TcpState::CloseWait), Some(2_000));
        assert_eq!(entered(&tr, TcpState::LastAck), Some(2_100));
    }

    #[test]
    fn a_second_connect_from_the_port_that_failed_takes_no_life_from_the_first_ones_segments() {
        // time-wait-reconnect-no-timestamps+delay=150: the first connection (refused here,
        // SYN then RST within one dump gap) lives and ends unseen by the dumps; a second
        // socket on the same port and peer calls connect() later and gets EADDRINUSE. The
        // first's segments are its own, not the second's.
        let (r, t0) = recorder();
        let first = client_socket(&r);
        let second = client_socket(&r);
        let to = Addr {
            host: HostId(1),
            port: 9999,
        };
        call_at(&r, t0 + 90, first, AppCall::Connect { to });
        call_at(&r, t0 + 3_000, second, AppCall::Connect { to });
        r.add_wire_capture(&[
            delivered(t0 + 100, from_client(0x02), t0 + 150),
            delivered(t0 + 160, tcp_at(to_client(0x14), 0, 1), t0 + 200),
        ]);
        r.add_diag(
            &[
                sample(t0 + 10, t0 + 20, vec![]),
                sample(t0 + 8_000, t0 + 8_010, vec![]),
            ],
            SynQueueLimits::default(),
            HostId(0),
        );
        let tr = r.finish("test");
        let changes = |id: SocketId| {
            tr.events
                .iter()
                .filter(
                    |e| matches!(e.kind, EventKind::StateChanged { socket, .. } if socket == id),
                )
                .count()
        };
        assert_eq!(changes(first), 2, "SYN-SENT and CLOSED");
        assert_eq!(changes(second), 0);
    }

    #[test]
    fn time_wait_reached_through_an_unseen_closing_is_stamped_at_the_ack_not_the_fin() {
        let (r, t0) = recorder();
        client_socket(&r);
        // Our FIN is out; the peer's FIN arrives (CLOSING), then the ACK of ours (TIME-WAIT),
        // and no dump ran in between.
        let tr = replay(
            &r,
            &[
                delivered(t0 + 900, to_client(0x11), t0 + 1000),
                delivered(t0 + 1400, to_client(0x10), t0 + 1500),
            ],
            &[
                sample(t0 + 800, t0 + 810, vec![sock(st::FIN_WAIT1, 1, 200)]),
                sample(t0 + 1600, t0 + 1610, vec![sock(st::TIME_WAIT, 3, 60_000)]),
            ],
        );
        assert_eq!(entered(&tr, TcpState::TimeWait), Some(1500));
        assert_eq!(r.max_poll_gap_us(), 810);
    }

    /// `tcp` with its sequence and acknowledgment numbers set.
    fn tcp_at(mut p: Vec<u8>, seq: u32, ack: u32) -> Vec<u8> {
        p[24..28].copy_from_slice(&seq.to_be_bytes());
        p[28..32].copy_from_slice(&ack.to_be_bytes());
        p
    }

    #[test]
    fn a_second_connection_nobody_accepted_on_a_closed_tuple_is_a_new_socket_with_its_syn_received()
    {
        // time-wait-reconnect-client-first-reuseaddr+delay=0: the first connection was
        // accepted and has closed; the client connects again from the same port, the new
        // connection waits in the accept queue, and its handshake falls between two dumps.
        let (r, t0) = recorder_with_listener();
        let client = Addr {
            host: HostId(0),
            port: 40000,
        };
        let first = r.socket(
            HostId(1),
            Proto::Tcp,
            9999,
            Some(client),
            false,
            Some(SocketId(0)),
            "server",
        );
        let tr = replay(
            &r,
            &[
                delivered(t0 + 100, from_client(0x02), t0 + 120),
                delivered(t0 + 130, tcp_at(to_client(0x12), 0, 1), t0 + 150),
                delivered(t0 + 160, tcp_at(from_client(0x10), 1, 1), t0 + 180),
                delivered(t0 + 2_000, tcp_at(from_client(0x04), 1, 0), t0 + 2_020),
                delivered(t0 + 5_000, tcp_at(from_client(0x02), 70_000, 0), t0 + 5_020),
                delivered(t0 + 5_030, tcp_at(to_client(0x12), 9, 70_001), t0 + 5_050),
                delivered(
                    t0 + 5_060,
                    tcp_at(from_client(0x10), 70_001, 10),
                    t0 + 5_080,
                ),
            ],
            &[
                sample(
                    t0 + 1_000,
                    t0 + 1_010,
                    vec![listener_sock(0), request_sock(st::ESTABLISHED, 40000)],
                ),
                sample(t0 + 3_000, t0 + 3_010, vec![listener_sock(0)]),
                sample(
                    t0 + 6_000,
                    t0 + 6_010,
                    vec![listener_sock(1), request_sock(st::ESTABLISHED, 40000)],
                ),
            ],
        );
        let off = t0 - r.lock().start_us;
        let states = |id: SocketId| -> Vec<(u64, TcpState)> {
            tr.events
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::StateChanged { socket, to, .. } if socket == id => Some((e.t, to)),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            states(first),
            [
                (off + 120, TcpState::SynReceived),
                (off + 180, TcpState::Established),
                (off + 2_020, TcpState::Closed)
            ]
        );
        let second = tr
            .sockets
            .iter()
            .find(|s| s.id != first && s.parent == Some(SocketId(0)))
            .expect("the second connection is a socket of its own")
            .id;
        assert_eq!(
            states(second),
            [
                (off + 5_020, TcpState::SynReceived),
                (off + 5_080, TcpState::Established)
            ]
        );
    }

    #[test]
    fn a_syn_sent_between_two_dumps_is_recorded_at_the_syn_as_the_dumps_cannot_see_it() {
        let (r, t0) = recorder();
        client_socket(&r);
        // A one-way delay of 0: SYN, SYN-ACK and ACK within 300 µs, between two dumps.
        let tr = replay(
            &r,
            &[
                delivered(t0 + 100, from_client(0x02), t0 + 150),
                delivered(t0 + 160, to_client(0x12), t0 + 200),
                delivered(t0 + 210, from_client(0x10), t0 + 260),
            ],
            &[
                sample(t0 + 50, t0 + 60, vec![]),
                sample(t0 + 1000, t0 + 1010, vec![sock(st::ESTABLISHED, 0, 0)]),
            ],
        );
        assert_eq!(entered(&tr, TcpState::SynSent), Some(100));
        assert_eq!(entered(&tr, TcpState::Established), Some(200));
    }

    #[test]
    fn last_ack_between_two_dumps_is_recorded_at_the_fin_only_if_the_ack_covers_it() {
        let fin = |ack_of_fin: u32| {
            let (r, t0) = recorder();
            client_socket(&r);
            // In CLOSE-WAIT, our FIN (seq 5, so the ACK of it says 6) leaves at 900 µs, an
            // ACK arrives at 1000 µs, and the next dump finds the socket gone.
            replay(
                &r,
                &[
                    delivered(t0 + 900, tcp_at(from_client(0x11), 5, 1), t0 + 950),
                    delivered(t0 + 960, tcp_at(to_client(0x10), 1, ack_of_fin), t0 + 1000),
                ],
                &[
                    sample(t0 + 800, t0 + 810, vec![sock(st::CLOSE_WAIT, 0, 0)]),
                    sample(t0 + 1100, t0 + 1110, vec![]),
                ],
            )
        };
        let tr = fin(6);
        assert_eq!(entered(&tr, TcpState::LastAck), Some(900));
        assert_eq!(
            entered(&tr, TcpState::Closed),
            Some(1000),
            "gone at the ACK of our FIN, not at the dump"
        );
        // An ACK of something else proves nothing: LAST-ACK is not invented, and with no
        // cause the dump that missed the socket is all there is.
        let tr = fin(5);
        assert_eq!(entered(&tr, TcpState::LastAck), None);
        assert_eq!(entered(&tr, TcpState::Closed), Some(1110));
    }

    #[test]
    fn a_vanished_socket_is_closed_at_its_cause_not_at_the_dump_that_missed_it() {
        // The dumps are 60 ms apart (a loaded machine). Seen in LAST-ACK, then gone: closed
        // at the ACK of our FIN. Seen in TIME-WAIT with its timer due at 30 ms, then gone:
        // closed (and the timer fired) at its expiry. Seen ESTABLISHED, then a RST arrives:
        // closed at the RST.
        let run = |state: u8, timer: u8, packets: Vec<WirePacket>| {
            let (r, t0) = recorder();
            client_socket(&r);
            let tr = replay(
                &r,
                &packets
                    .into_iter()
                    .map(|mut p| {
                        p.t_in_us += t0;
                        if let WireFate::Delivered(c) = &mut p.fate {
                            for x in c.iter_mut().flatten().flatten() {
                                *x += t0;
                            }
                        }
                        p
                    })
                    .collect::<Vec<_>>(),
                &[
                    sample(t0 + 1_000, t0 + 1_010, vec![sock(state, timer, 29)]),
                    sample(t0 + 61_000, t0 + 61_010, vec![]),
                ],
            );
            let fired = tr
                .events
                .iter()
                .find(|e| matches!(e.kind, EventKind::TimerFired { .. }))
                .map(|e| e.t);
            (entered(&tr, TcpState::Closed), fired)
        };
        let fin = tcp_at(from_client(0x11), 5, 1);
        let ack = tcp_at(to_client(0x10), 1, 6);
        assert_eq!(
            run(
                st::LAST_ACK,
                0,
                vec![delivered(500, fin, 550), delivered(20_000, ack, 20_050)]
            ),
            (Some(20_050), None)
        );
        assert_eq!(run(st::TIME_WAIT, 3, vec![]), (Some(30_005), Some(30_005)));
        assert_eq!(
            run(
                st::ESTABLISHED,
                0,
                vec![delivered(40_000, to_client(0x14), 40_050)]
            ),
            (Some(40_050), None)
        );
    }

    #[test]
    fn a_refused_connect_that_no_dump_saw_is_syn_sent_then_closed_at_the_rst() {
        let (r, t0) = recorder();
        client_socket(&r);
        r.add_wire_capture(&[
            delivered(t0 + 100, from_client(0x02), t0 + 150),
            delivered(t0 + 160, to_client(0x14), t0 + 170),
        ]);
        // The client's namespace's dumps, which never saw the socket.
        r.add_diag(
            &[
                sample(t0 + 50, t0 + 60, vec![]),
                sample(t0 + 1000, t0 + 1010, vec![]),
            ],
            SynQueueLimits::default(),
            HostId(0),
        );
        let tr = r.finish("test");
        assert_eq!(entered(&tr, TcpState::SynSent), Some(100));
        assert_eq!(entered(&tr, TcpState::Closed), Some(170));
    }

    #[test]
    fn data_with_a_fin_reaching_a_closed_socket_in_fin_wait_1_resets_it_without_closing() {
        // `tcp_rcv_state_process`, step 7: a socket closed for reading that gets new data in
        // FIN-WAIT-1/2 sends a reset (RFC 1122) before the FIN is looked at. Our FIN (seq 1)
        // was lost; their "FP. seq=1 len=100" at 1000 µs does not acknowledge it, and our
        // RST answers it at 1050 µs: FIN-WAIT-1 straight to CLOSED, no CLOSING between.
        // Measured on 6.18 (explore seed 4300 #36), where the walk stamped CLOSING.
        let (r, t0) = recorder();
        let id = client_socket(&r);
        call_at(&r, t0 + 150, id, AppCall::Close);
        let fp = tcp(SERVER, 9999, CLIENT, 40000, 0x19, 100);
        let tr = replay(
            &r,
            &[
                delivered(t0 + 200, tcp_at(from_client(0x11), 1, 1), t0 + 250),
                delivered(t0 + 950, tcp_at(fp, 1, 1), t0 + 1_000),
                delivered(t0 + 1_050, tcp_at(from_client(0x04), 2, 0), t0 + 1_100),
            ],
            &[
                sample(t0 + 50, t0 + 60, vec![sock(st::ESTABLISHED, 0, 0)]),
                sample(t0 + 2_000, t0 + 2_010, vec![]),
            ],
        );
        assert_eq!(entered(&tr, TcpState::FinWait1), Some(200));
        assert_eq!(entered(&tr, TcpState::Closing), None);
        assert_eq!(entered(&tr, TcpState::Closed), Some(1_050));
    }

    #[test]
    fn crossing_fins_are_fin_wait_1_then_closing_when_our_fin_did_not_acknowledge_theirs() {
        let (r, t0) = recorder();
        client_socket(&r);
        // Their FIN (seq 5) reaches us at 900 µs while close() holds the socket: our FIN
        // leaves at 950 µs still saying ack=5, so theirs was handled after it (CLOSING, not
        // CLOSE-WAIT); their ACK of our FIN (ack=6) at 1000 µs makes TIME-WAIT.
        let tr = replay(
            &r,
            &[
                delivered(t0 + 850, tcp_at(to_client(0x11), 5, 5), t0 + 900),
                delivered(t0 + 950, tcp_at(from_client(0x11), 5, 5), t0 + 990),
                delivered(t0 + 955, tcp_at(from_client(0x10), 6, 6), t0 + 995),
                delivered(t0 + 996, tcp_at(to_client(0x10), 6, 6), t0 + 1000),
            ],
            &[
                sample(t0 + 800, t0 + 810, vec![sock(st::ESTABLISHED, 0, 0)]),
                sample(t0 + 1100, t0 + 1110, vec![sock(st::TIME_WAIT, 3, 60_000)]),
            ],
        );
        assert_eq!(entered(&tr, TcpState::FinWait1), Some(950));
        assert_eq!(entered(&tr, TcpState::Closing), Some(950));
        assert_eq!(entered(&tr, TcpState::TimeWait), Some(1000));
        assert_eq!(entered(&tr, TcpState::CloseWait), None);
    }
}
