//! Ready-made scenarios for the web app's scenes, parameterised by a few knobs.
//!
//! Every preset uses the same cast: host `client` (10.0.0.1) and host `server` (10.0.0.2);
//! TCP sockets labelled `client` and `server` (port 80), the server's accepted connection
//! labelled `conn`. The case ids are stable: they go into URLs.

use serde::{Deserialize, Serialize};

use crate::profile::ProfileId;
use crate::scenario::{
    Action, AppScript, FaultAction, FaultRule, HostSpec, Limits, LinkSpec, NetworkSpec, Scenario,
    SegmentMatch, SocketSpec, Step,
};
use crate::trace::{MessageContent, Micros, Proto, ShutHow};

/// The knobs every scene shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Knobs {
    /// One-way delay, milliseconds.
    pub latency_ms: f64,
    /// Extra random delay 0..=jitter per packet, milliseconds.
    pub jitter_ms: f64,
    /// Random loss, percent, both directions.
    pub loss_pct: f64,
    pub seed: u64,
    pub profile: ProfileId,
}

impl Default for Knobs {
    fn default() -> Knobs {
        Knobs {
            latency_ms: 20.0,
            jitter_ms: 0.0,
            loss_pct: 0.0,
            seed: 1,
            profile: ProfileId::Linux,
        }
    }
}

/// Milliseconds (a slider value) → whole microseconds, clamped to 0..=60 s; NaN → 0.
fn ms_to_us(ms: f64) -> Micros {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else {
        (ms.min(60_000.0) * 1000.0).round() as Micros
    }
}

impl Knobs {
    pub fn latency_us(&self) -> Micros {
        ms_to_us(self.latency_ms)
    }
    pub fn jitter_us(&self) -> Micros {
        ms_to_us(self.jitter_ms)
    }
    // `f64::clamp` would be clearer, but its bounds check panics with `{:?}` of two floats,
    // which links core's whole float formatter into the web app (about 10 KB).
    #[allow(clippy::manual_clamp)]
    fn link(&self) -> LinkSpec {
        LinkSpec {
            latency_us: self.latency_us(),
            jitter_us: self.jitter_us(),
            loss_pct: if self.loss_pct.is_nan() {
                0.0
            } else {
                self.loss_pct.max(0.0).min(100.0)
            },
            ..LinkSpec::default()
        }
    }
    /// A pause long enough to separate phases of a scene: four one-way delays plus jitter,
    /// at least 50 ms.
    fn gap_us(&self) -> Micros {
        (4 * (self.latency_us() + self.jitter_us())).max(50_000)
    }
}

macro_rules! case_enum {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $id:literal ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $( $(#[$vdoc])* #[serde(rename = $id)] $variant ),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Stable kebab-case id (used in URLs).
            pub fn id(&self) -> &'static str {
                match self { $($name::$variant => $id),* }
            }

            pub fn from_id(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|c| c.id() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}

case_enum! {
    /// What-ifs of the three-way handshake.
    HandshakeCase {
        Normal = "normal",
        /// The client's first SYN is lost: it retries after the initial RTO (1 s).
        SynLost = "syn-lost",
        /// The server's SYN-ACK is lost: both sides retransmit after 1 s.
        SynAckLost = "syn-ack-lost",
        /// The client's ACK is lost: the client is ESTABLISHED, the server is not until its
        /// SYN-ACK retransmission is answered.
        FinalAckLost = "final-ack-lost",
        /// Both sides connect to each other at once (RFC 9293 §3.5 figure 8).
        SimultaneousOpen = "simultaneous-open",
        /// Nobody listens: the server host answers RST, connect() fails ECONNREFUSED.
        ClosedPort = "closed-port",
    }
}

case_enum! {
    /// What-ifs of the connection teardown.
    TeardownCase {
        ClientCloses = "client-closes",
        ServerCloses = "server-closes",
        /// The client's last ACK is lost: the server retransmits its FIN, the client
        /// answers from TIME-WAIT (why TIME-WAIT exists).
        LastAckLost = "last-ack-lost",
        /// The client shuts down writing and still receives the server's reply.
        HalfClose = "half-close",
        /// Both close at once: FIN-WAIT-1 → CLOSING → TIME-WAIT on both sides.
        SimultaneousClose = "simultaneous-close",
        /// close() with SO_LINGER 0: a RST instead of a FIN.
        Abort = "abort",
    }
}

fn base(k: &Knobs, name: &str, description: &str) -> Scenario {
    Scenario {
        name: name.to_string(),
        description: description.to_string(),
        seed: k.seed,
        profile: k.profile,
        tuning: Default::default(),
        hosts: vec![
            HostSpec::new("client", "10.0.0.1"),
            HostSpec::new("server", "10.0.0.2"),
        ],
        network: NetworkSpec {
            default: k.link(),
            directions: Vec::new(),
        },
        faults: Vec::new(),
        groups: Vec::new(),
        sockets: Vec::new(),
        apps: Vec::new(),
        limits: Limits::default(),
    }
}

fn script(socket: &str, steps: Vec<Step>) -> AppScript {
    AppScript {
        socket: socket.into(),
        steps,
    }
}

fn connect(to: &str) -> Step {
    Step::now(Action::Connect { to: to.into() })
}
fn listen(backlog: u32) -> Step {
    Step::now(Action::Listen { backlog })
}
fn accept(label: &str) -> Step {
    Step::now(Action::Accept {
        label: Some(label.into()),
    })
}
fn recv(max: u32) -> Step {
    Step::now(Action::Recv { max })
}

/// Client `client` connects to `server:80`, where `server` listens and accepts.
fn client_server(k: &Knobs, name: &str, description: &str) -> Scenario {
    let mut s = base(k, name, description);
    s.sockets
        .push(SocketSpec::new("client", "client", Proto::Tcp, 0));
    s.sockets
        .push(SocketSpec::new("server", "server", Proto::Tcp, 80));
    s
}

pub fn handshake(k: &Knobs, case: HandshakeCase) -> Scenario {
    use HandshakeCase::*;
    let name = format!("handshake/{}", case.id());
    let mut s = client_server(k, &name, "The three-way handshake (RFC 9293 §3.5)");
    let server = vec![listen(128), accept("conn")];
    let client = vec![connect("server:80")];
    match case {
        Normal | SynLost | SynAckLost | FinalAckLost => {
            s.apps.push(script("server", server));
            s.apps.push(script("client", client));
            match case {
                SynLost => s
                    .faults
                    .push(FaultRule::drop("client", SegmentMatch::Syn, Some(1))),
                SynAckLost => {
                    s.faults
                        .push(FaultRule::drop("server", SegmentMatch::SynAck, Some(1)))
                }
                FinalAckLost => {
                    s.faults
                        .push(FaultRule::drop("client", SegmentMatch::PureAck, Some(1)))
                }
                _ => {}
            }
        }
        SimultaneousOpen => {
            // No client or server here: two peers, fixed ports on both sides, each connecting
            // to the other at the same instant.
            for (i, name) in ["peer A", "peer B"].into_iter().enumerate() {
                s.hosts[i].name = name.into();
                s.sockets[i].host = name.into();
                s.sockets[i].label = name.into();
            }
            s.sockets[0].port = 5000;
            s.sockets[1].port = 6000;
            s.apps.push(script("peer A", vec![connect("peer B:6000")]));
            s.apps.push(script("peer B", vec![connect("peer A:5000")]));
        }
        ClosedPort => {
            // The server socket exists but nobody called listen().
            s.apps.push(script("client", client));
        }
    }
    s
}

pub fn teardown(k: &Knobs, case: TeardownCase) -> Scenario {
    use TeardownCase::*;
    let name = format!("teardown/{}", case.id());
    let mut s = client_server(k, &name, "Closing a connection (RFC 9293 §3.6)");
    let gap = k.gap_us();
    let close_after = || Step::after(gap, Action::Close {});
    match case {
        ClientCloses | LastAckLost => {
            s.apps.push(script(
                "server",
                vec![listen(128), accept("conn"), recv(4096), close_after()],
            ));
            s.apps
                .push(script("client", vec![connect("server:80"), close_after()]));
            if case == LastAckLost {
                // The client's pure ACKs: 1 = handshake, 2 = the ACK of the server's FIN.
                s.faults
                    .push(FaultRule::drop("client", SegmentMatch::PureAck, Some(2)));
            }
        }
        ServerCloses => {
            s.apps.push(script(
                "server",
                vec![listen(128), accept("conn"), close_after()],
            ));
            s.apps.push(script(
                "client",
                vec![connect("server:80"), recv(4096), close_after()],
            ));
        }
        HalfClose => {
            s.apps.push(script(
                "server",
                vec![
                    listen(128),
                    accept("conn"),
                    recv(4096), // returns 0: the client will send no more
                    Step::after(
                        gap,
                        Action::Send {
                            len: 200,
                            message: Some("reply".into()),
                            content: None,
                            more: false,
                        },
                    ),
                    close_after(),
                ],
            ));
            s.apps.push(script(
                "client",
                vec![
                    connect("server:80"),
                    Step::after(gap, Action::Shutdown { how: ShutHow::Wr }),
                    recv(4096), // the reply still arrives
                    recv(4096), // then 0: the server closed too
                    Step::now(Action::Close {}),
                ],
            ));
        }
        SimultaneousClose => {
            let at = 3 * (k.latency_us() + k.jitter_us()) + gap;
            s.apps.push(script(
                "server",
                vec![listen(128), accept("conn"), Step::at(at, Action::Close {})],
            ));
            s.apps.push(script(
                "client",
                vec![connect("server:80"), Step::at(at, Action::Close {})],
            ));
        }
        Abort => {
            s.apps.push(script(
                "server",
                vec![
                    listen(128),
                    accept("conn"),
                    recv(4096),
                    Step::now(Action::Close {}),
                ],
            ));
            s.apps.push(script(
                "client",
                vec![connect("server:80"), Step::after(gap, Action::Abort {})],
            ));
        }
    }
    s
}

/// The same application messages (`msg 1`…`msg n`, of different lengths) sent back to back
/// over TCP (client `tcp client` → `tcp server`, port 80) and over UDP (`udp client` →
/// `udp server`, port 9000), in one scenario. The receivers read late, so TCP's recv()
/// returns merged bytes while UDP's returns one datagram each time.
pub fn tcp_vs_udp(k: &Knobs, messages: u32) -> Scenario {
    let messages = messages.clamp(1, 64);
    let mut s = base(
        k,
        "tcp-vs-udp",
        "The same messages over TCP (a byte stream) and UDP (datagrams)",
    );
    s.sockets
        .push(SocketSpec::new("tcp client", "client", Proto::Tcp, 0));
    s.sockets
        .push(SocketSpec::new("tcp server", "server", Proto::Tcp, 80));
    s.sockets
        .push(SocketSpec::new("udp client", "client", Proto::Udp, 0));
    s.sockets
        .push(SocketSpec::new("udp server", "server", Proto::Udp, 9000));
    let msg = |i: u32| Action::Send {
        len: 20 + 15 * ((i - 1) % 4),
        message: Some(format!("msg {i}")),
        content: None,
        more: false,
    };
    let mut tcp_client = vec![connect("server:80")];
    let mut udp_client = vec![Step::now(Action::Connect {
        to: "server:9000".into(),
    })];
    for i in 1..=messages {
        tcp_client.push(Step::now(msg(i)));
        udp_client.push(Step::now(msg(i)));
    }
    tcp_client.push(Step::now(Action::Close {}));
    udp_client.push(Step::now(Action::Close {}));
    let read_late = 4 * (k.latency_us() + k.jitter_us()) + 200_000;
    let tcp_server = vec![
        listen(128),
        accept("tcp conn"),
        // Read until recv() returns 0.
        Step::after(read_late, Action::RecvLoop { max: 1024 }),
        Step::now(Action::Close {}),
    ];
    let mut udp_server = vec![Step::at(read_late, Action::Recv { max: 1024 })];
    for _ in 1..messages {
        udp_server.push(recv(1024));
    }
    s.apps.push(script("tcp server", tcp_server));
    s.apps.push(script("udp server", udp_server));
    s.apps.push(script("tcp client", tcp_client));
    s.apps.push(script("udp client", udp_client));
    s
}

// ---------------------------------------------------------------------- listen backlog

/// The knobs of the listen-backlog scene.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BacklogKnobs {
    /// The argument to listen().
    pub backlog: u32,
    /// SYNs of a flood from host `attacker` (see [`crate::scenario::SynFlood`]), one every
    /// [`FLOOD_EVERY_US`] from time 0; the clients start [`AFTER_FLOOD_US`] after the last
    /// one. 0: no flood.
    pub flood: u32,
    /// How many clients connect (`client 1`…), one every `connect_interval_ms`.
    pub clients: u32,
    pub connect_interval_ms: f64,
    /// When the server starts calling accept(); `None`: it never does.
    pub accept_delay_ms: Option<f64>,
    /// Time between two accept() calls once it started.
    pub accept_interval_ms: f64,
    /// Bytes each client sends right after connect() returns (the interview chapter's capture: the client sends 5).
    pub client_sends: u32,
    pub abort_on_overflow: bool,
    pub syncookies: bool,
    pub synack_retries: u32,
    pub max_syn_backlog: u32,
    pub somaxconn: u32,
    pub model: crate::profile::BacklogModel,
    pub syn_drop_rule: crate::profile::SynDropRule,
    /// Tail loss probes (`tcp_early_retrans`); the 2014 capture's kernel sent none.
    pub tail_loss_probe: bool,
}

impl Default for BacklogKnobs {
    fn default() -> BacklogKnobs {
        let p = crate::profile::Profile::linux();
        BacklogKnobs {
            backlog: 1,
            flood: 0,
            clients: 4,
            connect_interval_ms: 100.0,
            accept_delay_ms: None,
            accept_interval_ms: 500.0,
            client_sends: 5,
            abort_on_overflow: p.abort_on_overflow,
            syncookies: p.syncookies,
            synack_retries: p.synack_retries,
            max_syn_backlog: p.max_syn_backlog,
            somaxconn: p.somaxconn,
            model: p.backlog_model,
            syn_drop_rule: p.syn_drop_rule,
            tail_loss_probe: p.tail_loss_probe,
        }
    }
}

case_enum! {
    /// What-ifs of the listen backlog, each a set of [`BacklogKnobs`] ([`BacklogKnobs::of`]).
    BacklogCase {
        /// The interview chapter's capture of an accept-queue overflow (see
        /// [`BacklogKnobs::real_capture`]).
        RealCapture = "real-capture",
        /// The same with `tcp_abort_on_overflow = 1`: a RST instead of an ignored ACK.
        Abort = "abort",
        /// Linux ≥ 4.9: listen(fd, 1), four clients 100 ms apart, nobody accepts.
        Overflow = "overflow",
        /// The same four clients, and accept() from 1.5 s on, every 300 ms.
        AcceptLate = "accept-late",
        /// A SYN flood fills the SYN queue with requests nobody completes; with syncookies off
        /// the clients' SYNs that follow are dropped (`DropReason::SynQueueFull`).
        SynFlood = "syn-flood",
        /// Historic BSD: one limit for both queues, SYNs dropped at it.
        Bsd = "bsd",
    }
}

impl BacklogKnobs {
    /// The knobs of a case.
    pub fn of(case: BacklogCase) -> BacklogKnobs {
        let d = BacklogKnobs::default();
        match case {
            BacklogCase::RealCapture => BacklogKnobs::real_capture(),
            BacklogCase::Abort => BacklogKnobs {
                abort_on_overflow: true,
                ..BacklogKnobs::real_capture()
            },
            BacklogCase::Overflow => d,
            BacklogCase::AcceptLate => BacklogKnobs {
                accept_delay_ms: Some(1500.0),
                accept_interval_ms: 300.0,
                ..d
            },
            // listen(fd, 4): the SYN queue is full at 5 requests (`inet_csk_reqsk_queue_is_full`),
            // whatever the latency, since the flood's requests are never completed. The server
            // accepts at once, so a client whose SYN gets in is served.
            BacklogCase::SynFlood => BacklogKnobs {
                backlog: 4,
                flood: 8,
                clients: 2,
                syncookies: false,
                accept_delay_ms: Some(0.0),
                accept_interval_ms: 10.0,
                ..d
            },
            BacklogCase::Bsd => BacklogKnobs {
                model: crate::profile::BacklogModel::BsdSingleQueue,
                syn_drop_rule: crate::profile::SynDropRule::WhenAcceptQueueFull,
                ..d
            },
        }
    }

    /// The interview chapter's capture ("How TCP backlog works in Linux", 2014): listen(fd, 0) so
    /// the accept queue holds one connection, already taken by an earlier client; a second
    /// client connects and sends 5 bytes; the server never accepts. Kernels of that time
    /// let the SYN in (only one young request) — current Linux would drop it. Run it with a
    /// loopback-like latency (`Knobs { latency_ms: 0.05, .. }`) to compare with the capture.
    pub fn real_capture() -> BacklogKnobs {
        BacklogKnobs {
            backlog: 0,
            clients: 2,
            connect_interval_ms: 1000.0,
            accept_delay_ms: None,
            client_sends: 5,
            syn_drop_rule: crate::profile::SynDropRule::WhenFullAndYoungRequests,
            // Its data retransmissions double from the first (0.207, 0.623, 1.455 s): no
            // loss probe, unlike 6.18 (the lab: +0.28 s probe, RTO +0.51 s).
            tail_loss_probe: false,
            ..BacklogKnobs::default()
        }
    }
}

/// Time between two SYNs of the backlog scene's flood.
pub const FLOOD_EVERY_US: Micros = 1_000;
/// The backlog scene's clients start this long after the flood's last SYN.
pub const AFTER_FLOOD_US: Micros = 100_000;

/// Clients `client 1`…`client n` on host `client` connect to `server:80`, whose
/// application listens with `b.backlog` and accepts at scripted times; with `b.flood`, host
/// `attacker` sends a SYN flood first.
pub fn backlog(k: &Knobs, b: &BacklogKnobs) -> Scenario {
    let mut s = base(
        k,
        "backlog",
        "The listen backlog: SYN queue and accept queue (Linux ≥ 2.2)",
    );
    s.tuning.abort_on_overflow = Some(b.abort_on_overflow);
    s.tuning.syncookies = Some(b.syncookies);
    s.tuning.synack_retries = Some(b.synack_retries);
    s.tuning.max_syn_backlog = Some(b.max_syn_backlog);
    s.tuning.somaxconn = Some(b.somaxconn);
    s.tuning.backlog_model = Some(b.model);
    s.tuning.syn_drop_rule = Some(b.syn_drop_rule);
    s.tuning.tail_loss_probe = Some(b.tail_loss_probe);
    let clients = b.clients.clamp(1, 64);
    let flood = b.flood.min(1000);
    let start = if flood > 0 {
        let mut attacker = HostSpec::new("attacker", "203.0.113.66");
        attacker.flood = Some(crate::scenario::SynFlood {
            to: "server:80".into(),
            count: flood,
            at_us: 0,
            every_us: FLOOD_EVERY_US,
            first_port: 1024,
        });
        s.hosts.push(attacker);
        (flood as u64 - 1) * FLOOD_EVERY_US + AFTER_FLOOD_US
    } else {
        0
    };
    s.sockets
        .push(SocketSpec::new("server", "server", Proto::Tcp, 80));
    let mut server = vec![listen(b.backlog)];
    if let Some(delay) = b.accept_delay_ms {
        for i in 0..clients {
            let at = ms_to_us(delay) + i as u64 * ms_to_us(b.accept_interval_ms);
            server.push(Step::at(
                at,
                Action::Accept {
                    label: Some(format!("conn {}", i + 1)),
                },
            ));
        }
    }
    s.apps.push(script("server", server));
    for i in 1..=clients {
        let label = format!("client {i}");
        s.sockets
            .push(SocketSpec::new(&label, "client", Proto::Tcp, 0));
        let mut steps = vec![Step::at(
            start + (i as u64 - 1) * ms_to_us(b.connect_interval_ms),
            Action::Connect {
                to: "server:80".into(),
            },
        )];
        if b.client_sends > 0 {
            steps.push(Step::now(Action::Send {
                len: b.client_sends,
                message: Some(format!("hello {i}")),
                content: None,
                more: false,
            }));
        }
        // Then wait for the server's answer (which never comes when it never accepts).
        steps.push(recv(4096));
        s.apps.push(script(&label, steps));
    }
    s
}

// ---------------------------------------------------------------------- sticky packets

case_enum! {
    /// The interview chapter's four ways `data1` and `data2` (two send() calls) can come out of recv().
    StickyCase {
        /// data1, then data2: two reads, two messages.
        A = "a",
        /// Part of data1, then the rest of data1 together with data2.
        B = "b",
        /// data1 with part of data2, then the rest of data2.
        C = "c",
        /// Both in one read.
        D = "d",
    }
}

case_enum! {
    /// The interview chapter's remedies for sticky packets.
    StickyFix {
        None = "none",
        /// Wait between the two send() calls (works only if the reader keeps up).
        WaitBetweenSends = "wait",
        /// TCP_NODELAY: no Nagle batching on the sender (the reader can still merge).
        NoDelay = "no-delay",
        /// Framing: a 4-byte length before each message; the codec splits the stream.
        LengthPrefix = "length-prefix",
        /// Framing: a newline after each message.
        Delimiter = "delimiter",
    }
}

/// The knobs that decide how `data1` and `data2` come out of recv(): the sender's timing,
/// Nagle and MSS, the link rate, and when and how much the reader reads. The sticky-packets scene shows them;
/// each of the interview chapter's cases is one setting ([`StickyKnobs::of`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StickyKnobs {
    /// Lengths of the two messages, bytes.
    pub data1: u32,
    pub data2: u32,
    /// Pause between the two send() calls, ms (remedy ①).
    pub send_gap_ms: f64,
    /// Nagle's algorithm on the sender; `false` is TCP_NODELAY (remedy ②).
    pub nagle: bool,
    /// The MSS both ends announce (a segment carries 12 bytes less with TCP timestamps).
    pub mss: u32,
    /// Link rate, Mbit/s; 0: no serialisation delay.
    pub rate_mbps: f64,
    /// The reader is busy this long before its first recv(), ms; 0: it already waits in recv().
    pub first_read_ms: f64,
    /// ...and this long before its second recv(), ms.
    pub next_read_ms: f64,
    /// The recv() buffer, bytes.
    pub read_size: u32,
}

impl Default for StickyKnobs {
    fn default() -> StickyKnobs {
        StickyKnobs::of(&Knobs::default(), StickyCase::A)
    }
}

impl StickyKnobs {
    /// A reader "late" enough that everything sent has arrived: four round trips + 300 ms.
    fn late_ms(k: &Knobs) -> f64 {
        (8 * (k.latency_us() + k.jitter_us()) + 300_000) as f64 / 1000.0
    }

    /// The setting that produces a case of the interview chapter.
    pub fn of(k: &Knobs, case: StickyCase) -> StickyKnobs {
        let late = StickyKnobs::late_ms(k);
        let base = StickyKnobs {
            data1: 300,
            data2: 300,
            send_gap_ms: 0.0,
            nagle: true,
            mss: 1460,
            rate_mbps: 0.0,
            first_read_ms: 0.0,
            next_read_ms: 0.0,
            read_size: 65_536,
        };
        match case {
            // Read as soon as something is there, every time: Nagle sends data2 only when
            // data1 is acknowledged, so they arrive one round trip apart.
            StickyCase::A => base,
            // data1 is longer than an MSS; at 10 Mbit/s its two segments arrive 1.2 ms apart
            // and the waiting reader wakes up for the first one, then reads late.
            StickyCase::B => StickyKnobs {
                data1: 2000,
                rate_mbps: 10.0,
                next_read_ms: late,
                ..base
            },
            // data2 is longer than an MSS: its first segment travels with data1 (a full
            // segment passes Nagle), the rest waits for the ACK.
            StickyCase::C => StickyKnobs {
                data2: 2000,
                next_read_ms: late,
                ..base
            },
            // The reader is busy until both messages are in its receive buffer.
            StickyCase::D => StickyKnobs {
                first_read_ms: late,
                next_read_ms: late,
                ..base
            },
        }
    }

    /// The same setting with remedy ① or ② applied (framing changes the bytes, not the knobs).
    pub fn with_fix(mut self, k: &Knobs, fix: StickyFix) -> StickyKnobs {
        match fix {
            // One round trip and 100 ms: data1 is acknowledged before data2 is written.
            StickyFix::WaitBetweenSends => {
                self.send_gap_ms = (2 * (k.latency_us() + k.jitter_us()) + 100_000) as f64 / 1000.0
            }
            StickyFix::NoDelay => self.nagle = false,
            _ => {}
        }
        self
    }
}

/// `client` sends `data1` and `data2` over TCP; the `conn` application reads with recv()
/// at times chosen so that the case appears; `fix` changes the sender or the framing.
pub fn sticky(k: &Knobs, case: StickyCase, fix: StickyFix) -> Scenario {
    let mut s = sticky_with(k, &StickyKnobs::of(k, case).with_fix(k, fix), fix);
    s.name = format!("sticky/{}/{}", case.id(), fix.id());
    s
}

/// As [`sticky`], from explicit knobs. Only framing is taken from `fix` (apply ① and ② to the
/// knobs with [`StickyKnobs::with_fix`]). Out-of-range knobs are clamped.
pub fn sticky_with(k: &Knobs, sk: &StickyKnobs, fix: StickyFix) -> Scenario {
    let mut s = client_server(
        k,
        &format!("sticky/custom/{}", fix.id()),
        "TCP is a byte stream: message boundaries are not kept (粘包)",
    );
    let (l1, l2) = (sk.data1.clamp(1, 1 << 20), sk.data2.clamp(1, 1 << 20));
    if sk.rate_mbps.is_finite() && sk.rate_mbps > 0.0 {
        s.network.default.bandwidth_bps = (sk.rate_mbps.min(100_000.0) * 1e6) as u64;
    }
    let mss = sk.mss.clamp(64, 9000);
    if mss != k.profile.profile().mss as u32 {
        s.tuning.mss = Some(mss as u16);
        // A path that carries the MSS (the link drops anything over its MTU).
        s.network.default.mtu = s.network.default.mtu.max(mss + 80);
    }
    let rtt = 2 * (k.latency_us() + k.jitter_us());
    let gap = ms_to_us(sk.send_gap_ms);
    let late = ms_to_us(StickyKnobs::late_ms(k))
        .max(ms_to_us(sk.first_read_ms) + ms_to_us(sk.next_read_ms));
    let mut client = vec![connect("server:80")];
    if !sk.nagle {
        client.push(Step::now(Action::SetNoDelay { on: true }));
    }
    let framed = |client: &mut Vec<Step>, name: &str, len: u32, first: bool| {
        let mut step = |a: Action| {
            let mut st = Step::now(a);
            if !first && gap > 0 {
                st.after_us = Some(gap);
            }
            client.push(st);
        };
        match fix {
            StickyFix::LengthPrefix => {
                step(Action::Send {
                    len: 4,
                    message: Some(format!("{name} length")),
                    content: Some(MessageContent::LengthPrefix { value: len }),
                    more: false,
                });
                client.push(Step::now(Action::Send {
                    len,
                    message: Some(name.into()),
                    content: None,
                    more: false,
                }));
            }
            StickyFix::Delimiter => {
                step(Action::Send {
                    len,
                    message: Some(name.into()),
                    content: None,
                    more: false,
                });
                client.push(Step::now(Action::Send {
                    len: 1,
                    message: Some(format!("{name} \\n")),
                    content: Some(MessageContent::Delimiter { byte: b'\n' }),
                    more: false,
                }));
            }
            _ => step(Action::Send {
                len,
                message: Some(name.into()),
                content: None,
                more: false,
            }),
        }
    };
    framed(&mut client, "data1", l1, true);
    framed(&mut client, "data2", l2, false);
    client.push(Step::after(late + rtt, Action::Close {}));
    let size = sk.read_size.clamp(1, 1 << 20);
    let read_after = |ms: f64| {
        let mut st = Step::now(Action::Recv { max: size });
        let us = ms_to_us(ms);
        if us > 0 {
            st.after_us = Some(us);
        }
        st
    };
    let mut server = vec![listen(128), accept("conn")];
    server.push(read_after(sk.first_read_ms));
    server.push(read_after(sk.next_read_ms));
    // Then read the rest until EOF.
    server.push(Step::now(Action::RecvLoop { max: size }));
    server.push(Step::now(Action::Close {}));
    s.apps.push(script("server", server));
    s.apps.push(script("client", client));
    s
}

// ---------------------------------------------------------------------- windows

case_enum! {
    /// Flow and congestion control scenes.
    WindowCase {
        /// A 4 KB receive buffer and an application that reads 1 KB every 200 ms: the
        /// window closes, the sender probes, window updates reopen it.
        SlowReader = "slow-reader",
        /// A 200 KB transfer: slow start from the initial window, then congestion avoidance.
        SlowStart = "slow-start",
        /// One data segment lost in a bulk transfer: three duplicate ACKs, fast retransmit,
        /// fast recovery.
        FastRetransmit = "fast-retransmit",
        /// The network goes dark for 3 s during a transfer: RTO backoff (doubling).
        RtoBackoff = "rto-backoff",
        /// Nagle's algorithm meets delayed ACK: after a request and its reply, small writes
        /// wait for the ACK the (now interactive) receiver delays.
        NagleDelayedAck = "nagle-delayed-ack",
        /// The 200 KB transfer with ssthresh starting at 16 segments (a route metric or a
        /// value cached by Linux `tcp_metrics`): slow start up to it, then congestion
        /// avoidance, about one MSS more per round trip (RFC 5681 §3.1).
        Avoidance = "avoidance",
    }
}

pub fn window(k: &Knobs, case: WindowCase) -> Scenario {
    let name = format!("window/{}", case.id());
    let mut s = client_server(k, &name, "Flow control and congestion control");
    let bulk = |len: u32| {
        vec![
            connect("server:80"),
            Step::now(Action::Send {
                len,
                message: Some("bulk".into()),
                content: None,
                more: false,
            }),
            Step::now(Action::Close {}),
        ]
    };
    let reader = vec![
        listen(128),
        accept("conn"),
        Step::now(Action::RecvLoop { max: 1 << 20 }),
        Step::now(Action::Close {}),
    ];
    match case {
        WindowCase::SlowReader => {
            s.sockets[1].recv_buffer = Some(4096);
            s.apps.push(script("client", bulk(16_384)));
            let mut server = vec![listen(128), accept("conn")];
            for _ in 0..24 {
                server.push(Step::after(200_000, Action::Recv { max: 1024 }));
            }
            server.push(Step::now(Action::RecvLoop { max: 1 << 20 }));
            server.push(Step::now(Action::Close {}));
            s.apps.push(script("server", server));
        }
        WindowCase::SlowStart => {
            s.apps.push(script("client", bulk(200_000)));
            s.apps.push(script("server", reader));
        }
        WindowCase::Avoidance => {
            s.tuning.initial_ssthresh_segments = Some(16);
            s.apps.push(script("client", bulk(200_000)));
            s.apps.push(script("server", reader));
        }
        WindowCase::FastRetransmit => {
            s.apps.push(script("client", bulk(100_000)));
            s.apps.push(script("server", reader));
            s.faults
                .push(FaultRule::drop("client", SegmentMatch::Data, Some(5)));
        }
        WindowCase::RtoBackoff => {
            s.apps.push(script("client", bulk(60_000)));
            s.apps.push(script("server", reader));
            let start = 3 * (k.latency_us() + k.jitter_us());
            s.faults = outage("client", start, start + 3_000_000);
        }
        WindowCase::NagleDelayedAck => {
            // A request and its reply first: Linux acknowledges the first data of a
            // connection at once (quick-ACK mode), and delays ACKs once the connection is
            // interactive ("ping-pong": the server answered within one ATO). Only then does
            // the receiver's 40 ms delayed ACK meet the sender's Nagle, the classic
            // write-write-read stall.
            let mut client = vec![
                connect("server:80"),
                Step::now(Action::Send {
                    len: 100,
                    message: Some("request".into()),
                    content: None,
                    more: false,
                }),
                Step::now(Action::Recv { max: 100 }),
            ];
            for i in 1..=6 {
                client.push(Step::now(Action::Send {
                    len: 100,
                    message: Some(format!("write {i}")),
                    content: None,
                    more: false,
                }));
            }
            client.push(Step::after(500_000, Action::Close {}));
            s.apps.push(script("client", client));
            let server = vec![
                listen(128),
                accept("conn"),
                Step::now(Action::Recv { max: 100 }),
                Step::now(Action::Send {
                    len: 100,
                    message: Some("reply".into()),
                    content: None,
                    more: false,
                }),
                Step::now(Action::RecvLoop { max: 1 << 20 }),
                Step::now(Action::Close {}),
            ];
            s.apps.push(script("server", server));
        }
    }
    s
}

/// Drop every data segment `from` sends in `[start, end)`.
fn outage(from: &str, start: Micros, end: Micros) -> Vec<FaultRule> {
    vec![FaultRule {
        after_us: Some(start),
        until_us: Some(end),
        ..FaultRule::drop(from, SegmentMatch::Data, None)
    }]
}

// ---------------------------------------------------------------------- UDP

case_enum! {
    /// UDP scenes.
    UdpCase {
        /// Three datagrams, three recvfrom() calls: boundaries are kept.
        Boundaries = "boundaries",
        /// A 10-byte buffer for a 30-byte datagram: the rest is discarded (MSG_TRUNC).
        Truncation = "truncation",
        /// Five datagrams: the network loses the 2nd, duplicates the 3rd and holds the 4th
        /// back so the 5th overtakes it. Nobody notices or repairs anything.
        Unreliable = "unreliable",
        /// Three clients send to one server socket (n:1).
        ManySenders = "many-senders",
        /// One sender to a multicast group: receivers on two hosts, two of them sharing a
        /// port with SO_REUSEADDR (n:m).
        Multicast = "multicast",
    }
}

pub fn udp(k: &Knobs, case: UdpCase) -> Scenario {
    let name = format!("udp/{}", case.id());
    let mut s = base(k, &name, "UDP keeps message boundaries");
    let late = 4 * (k.latency_us() + k.jitter_us()) + 100_000;
    let send = |to: &str, len: u32, name: String| {
        Step::now(Action::SendTo {
            to: to.into(),
            len,
            message: Some(name),
        })
    };
    match case {
        UdpCase::Boundaries | UdpCase::Truncation => {
            s.sockets
                .push(SocketSpec::new("client", "client", Proto::Udp, 0));
            s.sockets
                .push(SocketSpec::new("server", "server", Proto::Udp, 9000));
            let (lens, max) = if case == UdpCase::Boundaries {
                (vec![20, 35, 50], 1024)
            } else {
                (vec![30, 30], 10)
            };
            let mut c = Vec::new();
            let mut r = vec![Step::at(late, Action::Recv { max })];
            for (i, l) in lens.iter().enumerate() {
                c.push(send("server:9000", *l, format!("msg {}", i + 1)));
                if i > 0 {
                    r.push(recv(max));
                }
            }
            s.apps.push(script("client", c));
            s.apps.push(script("server", r));
        }
        UdpCase::Unreliable => {
            s.sockets
                .push(SocketSpec::new("client", "client", Proto::Udp, 0));
            s.sockets
                .push(SocketSpec::new("server", "server", Proto::Udp, 9000));
            let mut c = Vec::new();
            let mut r = vec![Step::at(late, Action::Recv { max: 1024 })];
            for i in 1..=5u32 {
                let mut st = send("server:9000", 20 + 5 * i, format!("msg {i}"));
                if i > 1 {
                    // 10 ms apart, so each has its own arrow and label.
                    st.after_us = Some(10_000);
                }
                c.push(st);
            }
            // Five datagrams leave, five arrive (one lost, one twice): five reads.
            for _ in 1..5 {
                r.push(recv(1024));
            }
            s.apps.push(script("client", c));
            s.apps.push(script("server", r));
            let rule = |nth: u32, action: FaultAction| FaultRule {
                action,
                ..FaultRule::drop("client", SegmentMatch::Udp, Some(nth))
            };
            s.faults = vec![
                rule(2, FaultAction::Drop {}),
                rule(3, FaultAction::Duplicate {}),
                // One and a half times the spacing: the 5th arrives first.
                rule(4, FaultAction::Delay { by_us: 15_000 }),
            ];
        }
        UdpCase::ManySenders => {
            s.hosts.push(HostSpec::new("client 2", "10.0.0.3"));
            s.hosts.push(HostSpec::new("client 3", "10.0.0.4"));
            s.sockets
                .push(SocketSpec::new("server", "server", Proto::Udp, 9000));
            let mut r = vec![Step::at(late, Action::Recv { max: 1024 })];
            for (i, host) in ["client", "client 2", "client 3"].iter().enumerate() {
                let label = format!("sender {}", i + 1);
                s.sockets.push(SocketSpec::new(&label, host, Proto::Udp, 0));
                let mut first = send("server:9000", 20 + 10 * i as u32, format!("from {}", i + 1));
                first.at_us = Some(i as u64 * 1000);
                s.apps.push(script(&label, vec![first]));
                if i > 0 {
                    r.push(recv(1024));
                }
            }
            s.apps.insert(0, script("server", r));
        }
        UdpCase::Multicast => {
            // No client or server here: a sender and the hosts of the group's receivers, named
            // after what the case says of them.
            const A: &str = "host of receivers 1-2";
            const B: &str = "host of receiver 3";
            s.hosts[0].name = "sender".into();
            s.hosts[1].name = A.into();
            s.hosts.push(HostSpec::new(B, "10.0.0.3"));
            s.groups.push(crate::scenario::GroupSpec {
                name: "group".into(),
                addr: "239.1.1.1".into(),
            });
            s.sockets
                .push(SocketSpec::new("sender", "sender", Proto::Udp, 0));
            for (label, host) in [("receiver 1", A), ("receiver 2", A), ("receiver 3", B)] {
                let mut sk = SocketSpec::new(label, host, Proto::Udp, 5000);
                sk.reuse_addr = true;
                sk.join = vec!["group".into()];
                s.sockets.push(sk);
                s.apps.push(script(
                    label,
                    vec![Step::at(late, Action::Recv { max: 1024 }), recv(1024)],
                ));
            }
            s.apps.push(script(
                "sender",
                vec![
                    send("group:5000", 40, "news 1".into()),
                    // 10 ms later, so the two sends do not share one arrow.
                    Step::after(
                        10_000,
                        Action::SendTo {
                            to: "group:5000".into(),
                            len: 60,
                            message: Some("news 2".into()),
                        },
                    ),
                ],
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_stable_unique_and_match_serde() {
        fn check<T: Copy + PartialEq + std::fmt::Debug + Serialize + for<'de> Deserialize<'de>>(
            all: &[T],
            id: impl Fn(T) -> &'static str,
            from_id: impl Fn(&str) -> Option<T>,
        ) {
            let mut seen = std::collections::BTreeSet::new();
            for &c in all {
                assert!(seen.insert(id(c)), "duplicate id {}", id(c));
                assert_eq!(from_id(id(c)), Some(c));
                assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", id(c)));
            }
            assert_eq!(from_id("no-such-case"), None);
        }
        check(HandshakeCase::ALL, |c| c.id(), HandshakeCase::from_id);
        check(TeardownCase::ALL, |c| c.id(), TeardownCase::from_id);
        check(StickyCase::ALL, |c| c.id(), StickyCase::from_id);
        check(StickyFix::ALL, |c| c.id(), StickyFix::from_id);
        check(WindowCase::ALL, |c| c.id(), WindowCase::from_id);
        check(UdpCase::ALL, |c| c.id(), UdpCase::from_id);
        assert_eq!(HandshakeCase::SynAckLost.id(), "syn-ack-lost");
    }

    #[test]
    fn knobs_out_of_range_are_clamped_not_fatal() {
        let k = Knobs {
            latency_ms: f64::NAN,
            jitter_ms: -5.0,
            loss_pct: 1e9,
            ..Knobs::default()
        };
        let t = crate::simulate(&handshake(&k, HandshakeCase::Normal)).unwrap();
        assert!(!t.events.is_empty());
    }
}
