//! Turns what an experiment observed — application calls, captured packets, sock_diag samples,
//! kernel counters — into one `synack_model::trace::Trace`, on one time line
//! (microseconds since the run started, CLOCK_REALTIME underneath).
//!
//! Observation, not modelling: a state appears in the trace only when sock_diag reported it
//! at a poll, so a state shorter than the poll interval (SYN-SENT on loopback lasts tens of
//! microseconds) can be missing; packets are exact (every one is captured with the kernel's
//! timestamp).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::{Arc, Mutex, MutexGuard};

use synack_model::trace::{
    Addr, AppCall, AppCallKind, AppResult, DropReason, Event, EventKind, Host, HostId,
    MessageContent, MessageId, MessageInfo, Origin, PayloadSpan, Proto, QueueKind, Segment,
    SegmentId, SocketId, SocketInfo, TcpState, TimerKind, Trace, TRACE_FORMAT_VERSION,
};

use crate::ip::{parse, Parsed};
use crate::sys::diag::{state as st, DiagSample};
use crate::sys::packet::RawPacket;
use crate::sys::realtime_us;

/// One packet through the user-space wire (see `wire`).
#[derive(Clone, Debug)]
pub struct WirePacket {
    pub t_in_us: u64,
    pub data: Vec<u8>,
    pub fate: WireFate,
}

#[derive(Clone, Debug)]
pub enum WireFate {
    /// Delivered at these times (more than one: the wire duplicated it).
    Delivered(Vec<u64>),
    /// Dropped by fault rule `rule` (or random loss when `None`).
    Dropped(Option<u32>),
}

#[derive(Clone, Debug)]
struct Sock {
    info: SocketInfo,
}

/// (message, offset in the byte stream, length)
type StreamMsg = (MessageId, u64, u32);

/// (src, sport, dst, dport, seq, payload length, SYN|FIN<<1|RST<<2)
type RetxKey = (Ipv4Addr, u16, Ipv4Addr, u16, u32, u32, u8);

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
    /// Initial sequence number per direction (sport, dport), from the SYNs seen.
    isns: BTreeMap<(u16, u16), u32>,
    /// Time the sockets were last polled, if the diag poller ran: marks how long states lasted.
    end_us: u64,
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
            datagrams: BTreeMap::new(),
            end_us: 0,
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
                label: label.into(),
            },
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
        self.lock()
            .datagrams
            .entry((sport, dport))
            .or_default()
            .push_back((m, len));
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

    /// Adds the packets that went through the user-space wire, with their fates.
    pub fn add_wire_capture(&self, packets: &[WirePacket]) {
        let mut g = self.lock();
        let mut retx = Retx::default();
        for p in packets {
            let Some(parsed) = parse(&p.data) else {
                continue;
            };
            g.pcap.push((p.t_in_us, p.data.clone()));
            match &p.fate {
                WireFate::Delivered(times) => {
                    for (i, t) in times.iter().enumerate() {
                        let seg = g.segment(&parsed, &mut retx, i > 0);
                        let id = g.seg_id();
                        g.push(p.t_in_us, EventKind::SegmentSent { id, segment: seg });
                        g.push(*t, EventKind::SegmentArrived { id });
                    }
                }
                WireFate::Dropped(rule) => {
                    let seg = g.segment(&parsed, &mut retx, false);
                    let id = g.seg_id();
                    g.push(p.t_in_us, EventKind::SegmentSent { id, segment: seg });
                    let reason = match rule {
                        Some(r) => DropReason::Fault { rule: *r },
                        None => DropReason::LinkLoss,
                    };
                    g.push(p.t_in_us, EventKind::SegmentDropped { id, reason });
                }
            }
        }
    }

    /// Adds sock_diag samples: state transitions, queue lengths, timers and counters.
    /// `syn_queue_cap` is tcp_max_syn_backlog (for the listener's SYN-queue gauge).
    pub fn add_diag(&self, samples: &[DiagSample], syn_queue_cap: u32, counter_host: HostId) {
        let mut g = self.lock();
        g.add_diag(samples, syn_queue_cap, counter_host);
    }

    /// The packets to write as pcap (the arriving copy of each, like `tcpdump -i lo`).
    pub fn pcap_packets(&self) -> Vec<(u64, Vec<u8>)> {
        self.lock().pcap.clone()
    }

    pub fn finish(&self, kernel: &str) -> Trace {
        let g = self.lock();
        let start = g.start_us;
        let mut evs: Vec<&(u64, u64, EventKind)> = g.events.iter().collect();
        evs.sort_by_key(|(t, o, _)| (*t, *o));
        let events: Vec<Event> = evs
            .into_iter()
            .map(|(t, _, k)| Event {
                t: t.saturating_sub(start),
                kind: k.clone(),
            })
            .collect();
        let last = events.last().map(|e| e.t).unwrap_or(0);
        let end = g.end_us.saturating_sub(start);
        let mut sockets: Vec<SocketInfo> = g.sockets.iter().map(|s| s.info.clone()).collect();
        for s in &mut sockets {
            s.created_us = s.created_us.min(last.max(end));
        }
        let mut events = events;
        mark_accept_queue_drops(&mut events, &sockets);
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
        if p.tcp().is_none() && !dup {
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

    /// Finds (or creates) the trace socket for a sock_diag entry.
    fn socket_for(&mut self, d: &crate::sys::diag::DiagSock, t_abs: u64) -> Option<SocketId> {
        let proto = if d.udp { Proto::Udp } else { Proto::Tcp };
        let local = self.addr_of(d.local);
        let remote = (d.remote.port() != 0).then(|| self.addr_of(d.remote));
        let listening = d.state == st::LISTEN;
        let found = self.sockets.iter().find(|s| {
            s.info.proto == proto
                && s.info.host == local.host
                && s.info.local_port == local.port
                && s.info.listener == listening
                && (s.info.remote == remote || (remote.is_none() && s.info.remote.is_none()))
        });
        if let Some(s) = found {
            let id = s.info.id;
            // An accepted connection existed (in the SYN and accept queues) before accept().
            let seen = t_abs.saturating_sub(self.start_us);
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
            .find(|s| {
                s.info.listener && s.info.local_port == local.port && s.info.host == local.host
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
                created_us: t_abs.saturating_sub(self.start_us),
                label,
            },
        });
        self.push(t_abs, EventKind::SocketCreated { socket: id });
        Some(id)
    }

    fn add_diag(&mut self, samples: &[DiagSample], syn_queue_cap: u32, counter_host: HostId) {
        #[derive(Default, Clone)]
        struct Seen {
            state: Option<TcpState>,
            queues: BTreeMap<QueueKind, u32>,
            timer: Option<(TimerKind, u64)>,
        }
        let mut seen: BTreeMap<SocketId, Seen> = BTreeMap::new();
        let mut counters: BTreeMap<String, u64> = BTreeMap::new();
        for sample in samples {
            let t = sample.t_us;
            let mut present: BTreeSet<SocketId> = BTreeSet::new();
            let mut syn_q: BTreeMap<u16, u32> = BTreeMap::new();
            for d in &sample.sockets {
                if matches!(d.state, st::SYN_RECV | st::NEW_SYN_RECV) {
                    *syn_q.entry(d.local.port()).or_default() += 1;
                }
            }
            for d in &sample.sockets {
                if d.udp {
                    continue;
                }
                let Some(id) = self.socket_for(d, t) else {
                    continue;
                };
                present.insert(id);
                let prev = seen.entry(id).or_default().clone();
                let state = linux_state(d.state);
                if let Some(s) = state {
                    if prev.state != Some(s) {
                        self.push(
                            t,
                            EventKind::StateChanged {
                                socket: id,
                                from: prev.state.unwrap_or(TcpState::Closed),
                                to: s,
                            },
                        );
                    }
                }
                let mut queues = BTreeMap::new();
                if d.state == st::LISTEN {
                    queues.insert(QueueKind::AcceptQueue, (d.rqueue, d.wqueue));
                    let sq = syn_q.get(&d.local.port()).copied().unwrap_or(0);
                    queues.insert(QueueKind::SynQueue, (sq, syn_queue_cap));
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
                    3 => Some(TimerKind::TimeWait),
                    4 => Some(TimerKind::Persist),
                    _ => None,
                }
                .map(|k| (k, t + d.expires_ms as u64 * 1000));
                match (prev.timer, timer) {
                    (None, Some((k, exp))) => self.push(
                        t,
                        EventKind::TimerSet {
                            socket: id,
                            timer: k,
                            expires_us: exp.saturating_sub(self.start_us),
                        },
                    ),
                    // A re-armed timer: same kind, expiry moved by more than the ms rounding.
                    (Some((pk, pexp)), Some((k, exp))) if pk != k || exp.abs_diff(pexp) > 3_000 => {
                        if pk != k {
                            self.push(
                                t,
                                EventKind::TimerCancelled {
                                    socket: id,
                                    timer: pk,
                                },
                            );
                        } else if t + 2_000 >= pexp {
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
                            },
                        );
                    }
                    (Some((pk, pexp)), None) => {
                        let kind = if t + 2_000 >= pexp {
                            EventKind::TimerFired {
                                socket: id,
                                timer: pk,
                            }
                        } else {
                            EventKind::TimerCancelled {
                                socket: id,
                                timer: pk,
                            }
                        };
                        self.push(t, kind);
                    }
                    _ => {}
                }
                let keep_timer = match (prev.timer, timer) {
                    (Some((pk, pexp)), Some((k, exp)))
                        if pk == k && exp.abs_diff(pexp) <= 3_000 =>
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
            // Sockets that vanished from the dump are gone: CLOSED.
            let gone: Vec<SocketId> = seen
                .iter()
                .filter(|(id, s)| {
                    !present.contains(id) && s.state.is_some_and(|x| x != TcpState::Closed)
                })
                .map(|(id, _)| *id)
                .collect();
            for id in gone {
                let prev = seen.get(&id).cloned().unwrap_or_default();
                if let Some((k, exp)) = prev.timer {
                    let kind = if t + 2_000 >= exp {
                        EventKind::TimerFired {
                            socket: id,
                            timer: k,
                        }
                    } else {
                        EventKind::TimerCancelled {
                            socket: id,
                            timer: k,
                        }
                    };
                    self.push(t, kind);
                }
                self.push(
                    t,
                    EventKind::StateChanged {
                        socket: id,
                        from: prev.state.unwrap_or(TcpState::Closed),
                        to: TcpState::Closed,
                    },
                );
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

/// An ACK that reaches a request socket (SYN-RECEIVED) while its listener's accept queue is
/// full is thrown away by Linux (`tcp_check_req` → `listen_overflow`; ListenOverflows counts
/// it). The capture only shows that it arrived; when the sock_diag samples show both
/// conditions at that moment, the arrival is recorded as `SegmentDropped { AcceptQueueFull }`
/// instead, which is what the model writes for the same situation.
fn mark_accept_queue_drops(events: &mut [Event], sockets: &[SocketInfo]) {
    let mut sent: BTreeMap<SegmentId, Segment> = BTreeMap::new();
    let mut state: BTreeMap<SocketId, TcpState> = BTreeMap::new();
    // listener → (accept-queue length, limit)
    let mut aq: BTreeMap<SocketId, (u32, u32)> = BTreeMap::new();
    for e in events.iter_mut() {
        match &e.kind {
            EventKind::SegmentSent { id, segment } => {
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
            EventKind::SegmentArrived { id } => {
                let Some(seg) = sent.get(id) else { continue };
                let synack_model::trace::Header::Tcp(t) = &seg.header else {
                    continue;
                };
                if !t.flags.ack || t.flags.syn || t.flags.rst {
                    continue;
                }
                // The request socket for this 4-tuple, and its listener.
                let Some(req) = sockets.iter().find(|s| {
                    s.host == seg.dst.host
                        && s.local_port == seg.dst.port
                        && s.remote == Some(seg.src)
                        && s.parent.is_some()
                }) else {
                    continue;
                };
                let Some(listener) = req.parent else { continue };
                let full = aq.get(&listener).is_some_and(|(len, cap)| len > cap);
                if full && state.get(&req.id) == Some(&TcpState::SynReceived) {
                    e.kind = EventKind::SegmentDropped {
                        id: *id,
                        reason: DropReason::AcceptQueueFull,
                    };
                }
            }
            _ => {}
        }
    }
}
