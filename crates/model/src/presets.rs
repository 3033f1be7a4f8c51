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
use crate::trace::{Micros, Proto};

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
    fn link(&self) -> LinkSpec {
        LinkSpec {
            latency_us: self.latency_us(),
            jitter_us: self.jitter_us(),
            loss_pct: if self.loss_pct.is_nan() {
                0.0
            } else {
                self.loss_pct.clamp(0.0, 100.0)
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
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $( $(#[$vdoc])* $variant ),* }

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
            HostSpec {
                name: "client".into(),
                addr: "10.0.0.1".into(),
            },
            HostSpec {
                name: "server".into(),
                addr: "10.0.0.2".into(),
            },
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

fn socket(label: &str, host: &str, proto: Proto, port: u16) -> SocketSpec {
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
    }
}

fn script(socket: &str, steps: Vec<Step>) -> AppScript {
    AppScript {
        socket: socket.into(),
        steps,
    }
}

fn drop_nth(from: &str, matches: SegmentMatch, nth: u32) -> FaultRule {
    FaultRule {
        from: Some(from.into()),
        to: None,
        matches,
        nth: Some(nth),
        after_us: None,
        action: FaultAction::Drop,
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
    s.sockets.push(socket("client", "client", Proto::Tcp, 0));
    s.sockets.push(socket("server", "server", Proto::Tcp, 80));
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
                SynLost => s.faults.push(drop_nth("client", SegmentMatch::Syn, 1)),
                SynAckLost => s.faults.push(drop_nth("server", SegmentMatch::SynAck, 1)),
                FinalAckLost => s.faults.push(drop_nth("client", SegmentMatch::PureAck, 1)),
                _ => {}
            }
        }
        SimultaneousOpen => {
            // Fixed ports on both sides; each connects to the other at the same instant.
            s.sockets[0].port = 5000;
            s.sockets[1].port = 6000;
            s.apps.push(script("client", vec![connect("server:6000")]));
            s.apps.push(script("server", vec![connect("client:5000")]));
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
    let close_after = || Step::after(gap, Action::Close);
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
                s.faults.push(drop_nth("client", SegmentMatch::PureAck, 2));
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
                        },
                    ),
                    close_after(),
                ],
            ));
            s.apps.push(script(
                "client",
                vec![
                    connect("server:80"),
                    Step::after(gap, Action::Shutdown),
                    recv(4096), // the reply still arrives
                    recv(4096), // then 0: the server closed too
                    Step::now(Action::Close),
                ],
            ));
        }
        SimultaneousClose => {
            let at = 3 * (k.latency_us() + k.jitter_us()) + gap;
            s.apps.push(script(
                "server",
                vec![listen(128), accept("conn"), Step::at(at, Action::Close)],
            ));
            s.apps.push(script(
                "client",
                vec![connect("server:80"), Step::at(at, Action::Close)],
            ));
        }
        Abort => {
            s.apps.push(script(
                "server",
                vec![
                    listen(128),
                    accept("conn"),
                    recv(4096),
                    Step::now(Action::Close),
                ],
            ));
            s.apps.push(script(
                "client",
                vec![connect("server:80"), Step::after(gap, Action::Abort)],
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
        .push(socket("tcp client", "client", Proto::Tcp, 0));
    s.sockets
        .push(socket("tcp server", "server", Proto::Tcp, 80));
    s.sockets
        .push(socket("udp client", "client", Proto::Udp, 0));
    s.sockets
        .push(socket("udp server", "server", Proto::Udp, 9000));
    let msg = |i: u32| Action::Send {
        len: 20 + 15 * ((i - 1) % 4),
        message: Some(format!("msg {i}")),
    };
    let mut tcp_client = vec![connect("server:80")];
    let mut udp_client = vec![Step::now(Action::Connect {
        to: "server:9000".into(),
    })];
    for i in 1..=messages {
        tcp_client.push(Step::now(msg(i)));
        udp_client.push(Step::now(msg(i)));
    }
    tcp_client.push(Step::now(Action::Close));
    udp_client.push(Step::now(Action::Close));
    let read_late = 4 * (k.latency_us() + k.jitter_us()) + 200_000;
    let tcp_server = vec![
        listen(128),
        accept("tcp conn"),
        // Read until recv() returns 0.
        Step::after(read_late, Action::RecvLoop { max: 1024 }),
        Step::now(Action::Close),
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
