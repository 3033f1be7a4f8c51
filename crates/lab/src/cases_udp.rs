//! The UDP cases of `compare` and `record` (RFC 768; udp(7)): a "receiver" bound to
//! server:9999 (or nobody on server:9, a port no socket holds) and senders on the client, 20 ms
//! apart one way over the wire, like the TCP cases of `cases`.

use synack_model::scenario::{Action, AppScript, Scenario, SocketSpec, Step};
use synack_model::trace::Proto;

/// The UDP cases, in the order `compare all` and `record` run them (after the TCP ones).
pub const NAMES: [&str; 7] = [
    "udp-message-boundaries",
    "udp-truncate",
    "udp-emsgsize",
    "udp-fragments",
    "udp-port-unreachable",
    "udp-icmp-ratelimit",
    "udp-rcvbuf-overflow",
];

fn ms(m: u64) -> u64 {
    m * 1000
}

fn udp(label: &str, host: &str, port: u16) -> SocketSpec {
    SocketSpec::new(label, host, Proto::Udp, port)
}

fn sendto(to: &str, len: u32) -> Action {
    Action::SendTo {
        to: to.into(),
        len,
        message: None,
    }
}

fn recv(max: u32) -> Action {
    Action::Recv { max }
}

/// The scenario of UDP case `name`.
pub fn scenario(name: &str) -> Option<Scenario> {
    let at = |t: u64, a: Action| Step::at(ms(t), a);
    let now = Step::now;
    let to = "server:9999";
    let (description, horizon_ms, sockets, apps): (&str, u64, Vec<SocketSpec>, Vec<AppScript>) =
        match name {
            "udp-message-boundaries" => (
                "three datagrams of 100, 200 and 300 bytes sent back to back: three recvfrom() \
                 calls return 100, 200 and 300, never merged, never split",
                400,
                vec![udp("receiver", "server", 9999), udp("sender", "client", 0)],
                vec![
                    script(
                        "sender",
                        vec![
                            at(50, sendto(to, 100)),
                            now(sendto(to, 200)),
                            now(sendto(to, 300)),
                        ],
                    ),
                    script(
                        "receiver",
                        vec![at(200, recv(65_536)), now(recv(65_536)), now(recv(65_536))],
                    ),
                ],
            ),
            "udp-truncate" => (
                "a 1000-byte datagram into a 100-byte buffer: 100 bytes, the other 900 \
                 discarded (MSG_TRUNC); the next recvfrom() returns the next datagram",
                400,
                vec![udp("receiver", "server", 9999), udp("sender", "client", 0)],
                vec![
                    script(
                        "sender",
                        vec![at(50, sendto(to, 1000)), now(sendto(to, 50))],
                    ),
                    script("receiver", vec![at(200, recv(100)), now(recv(100))]),
                ],
            ),
            "udp-emsgsize" => (
                "sendto() of 65,507 bytes (the largest IPv4 datagram) goes out in 45 IP \
                 fragments; 65,508 bytes fails with EMSGSIZE and sends nothing",
                500,
                vec![udp("receiver", "server", 9999), udp("sender", "client", 0)],
                vec![
                    script(
                        "sender",
                        vec![at(50, sendto(to, 65_507)), at(100, sendto(to, 65_508))],
                    ),
                    script("receiver", vec![at(300, recv(65_536))]),
                ],
            ),
            "udp-fragments" => (
                "a 3000-byte datagram over a 1500-byte MTU: three IP fragments on the wire, one \
                 datagram for the receiver",
                400,
                vec![udp("receiver", "server", 9999), udp("sender", "client", 0)],
                vec![
                    script("sender", vec![at(50, sendto(to, 3000))]),
                    script("receiver", vec![at(200, recv(65_536))]),
                ],
            ),
            "udp-port-unreachable" => (
                "datagrams to server:9, where nobody listens: ICMP port unreachable; the \
                 connect()ed socket's next call fails once with ECONNREFUSED, the unconnected \
                 one is never told",
                500,
                vec![
                    udp("connected", "client", 0),
                    udp("unconnected", "client", 0),
                ],
                vec![
                    script(
                        "connected",
                        vec![
                            at(
                                40,
                                Action::Connect {
                                    to: "server:9".into(),
                                },
                            ),
                            at(50, Action::send(10)),
                            at(150, Action::send(10)),
                            at(200, Action::send(10)),
                            at(300, recv(65_536)),
                        ],
                    ),
                    script(
                        "unconnected",
                        vec![
                            at(60, sendto("server:9", 10)),
                            at(160, sendto("server:9", 10)),
                            at(
                                200,
                                Action::Poll {
                                    timeout_us: Some(ms(100)),
                                },
                            ),
                        ],
                    ),
                ],
            ),
            "udp-icmp-ratelimit" => (
                "ten datagrams 8 ms apart to a closed port, then one more after a second: \
                 icmp_ratelimit (1000 ms) lets a burst of six port unreachables through, then \
                 one per second",
                1_400,
                vec![udp("sender", "client", 0)],
                // At fixed times (a step after the previous one's return would drift by the
                // call's own duration), 8 ms apart so that no datagram leaves at the moment a
                // port unreachable does (20 ms after an earlier one): the rows pair up
                // unambiguously.
                vec![script("sender", {
                    let mut v: Vec<Step> = (0..10)
                        .map(|k| at(50 + 8 * k, sendto("server:9", 10)))
                        .collect();
                    v.push(at(1_200, sendto("server:9", 10)));
                    v
                })],
            ),
            "udp-rcvbuf-overflow" => (
                "SO_RCVBUF 2048 and nobody reading while ten 100-byte datagrams arrive: the \
                 kernel keeps what its buffer accounting allows and drops the rest \
                 (RcvbufErrors)",
                500,
                vec![
                    SocketSpec {
                        recv_buffer: Some(2048),
                        ..udp("receiver", "server", 9999)
                    },
                    udp("sender", "client", 0),
                ],
                vec![
                    script("sender", {
                        let mut v = vec![at(50, sendto(to, 100))];
                        for _ in 0..9 {
                            v.push(now(sendto(to, 100)));
                        }
                        v
                    }),
                    script("receiver", {
                        let mut v = vec![at(200, recv(65_536))];
                        // The reads past what was kept wait until the end.
                        for _ in 0..9 {
                            v.push(now(recv(65_536)));
                        }
                        v
                    }),
                ],
            ),
            _ => return None,
        };
    Some(crate::cases::two_hosts(
        &format!("lab/{name}"),
        description,
        horizon_ms,
        sockets,
        apps,
    ))
}

fn script(socket: &str, steps: Vec<Step>) -> AppScript {
    AppScript {
        socket: socket.into(),
        steps,
    }
}
