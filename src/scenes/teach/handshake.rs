//! The three-way handshake, step by step (RFC 9293 §3.5; retries as Linux times them).

use synack_model::read::SegKind::{Ack, Rst, Syn, SynAck};
use synack_model::trace::TcpState::{Closed, Established, Listen, SynReceived, SynSent};

use crate::engine::teach::{any_sent, enters, lost, moves, resent, row, sent, On, Row, Why};

pub static ROWS: &[Row] = &[
    // Closed port.
    row(
        &["closed-port"],
        sent(Rst, "server"),
        "服务器主机上没有套接字在 80 端口 LISTEN，内核直接用 RST 回应这个 SYN（RFC 9293 §3.10.7.1：发给不存在连接的报文，回复复位）。注意：RST 是明确的“不”，客户端不会重试；如果是防火墙悄悄丢掉 SYN，客户端就会一直重传。",
        "No socket is in LISTEN on port 80 at the server host, so its kernel answers the SYN with RST (RFC 9293 §3.10.7.1: a segment for no connection gets a reset). Notice that a RST is a definite no and the client does not retry; a firewall that silently dropped the SYN would leave it retrying instead.",
    ),
    row(
        &["closed-port"],
        On::Either(&[On::Error("ECONNREFUSED"), enters("client", Closed)]),
        "RST 到达：客户端从 SYN-SENT 直接回到 CLOSED，connect() 立刻以 ECONNREFUSED 失败。只花了一个往返，而不是等待超时。",
        "The RST arrives: the client goes straight from SYN-SENT back to CLOSED and connect() fails at once with ECONNREFUSED. It took one round trip, not a timeout.",
    ),
    // SYN lost.
    row(
        &["syn-lost"],
        lost(Some(Syn), Why::Network),
        "SYN 在路上丢了，服务器什么都不知道。客户端分不清“丢了”和“对方慢”，它只有一个正在走的重传定时器：Linux 上初始 RTO 为 1 秒（RFC 6298 §2）。",
        "The SYN is lost and the server knows nothing of it. The client cannot tell a lost SYN from a slow server; all it has is its retransmission timer, 1 s initially on Linux (RFC 6298 §2).",
    ),
    row(
        &["syn-lost"],
        resent(Syn, "client"),
        "1 秒内没有回音，客户端用同一个 ISN 重发 SYN。如果再丢，下一次要等 2 秒，然后 4、8 秒……（指数退避，RFC 6298 §5.5），直到用完 tcp_syn_retries（Linux 默认 6 次）。注意图上的空白：丢一个 SYN 就要多等整整一秒。",
        "After 1 s without an answer the client sends the SYN again, with the same ISN. Were it lost again, the next try would wait 2 s, then 4, 8 s… (exponential backoff, RFC 6298 §5.5) until tcp_syn_retries (6 on Linux) is spent. Notice the gap in the diagram: one lost SYN costs a whole second.",
    ),
    // SYN-ACK lost.
    row(
        &["syn-ack-lost"],
        lost(Some(SynAck), Why::Network),
        "SYN-ACK 丢了。服务器已经在 SYN 队列里记下这个请求（SYN-RECEIVED），客户端还停在 SYN-SENT。双方都在等，而且双方各有一个定时器在走。",
        "The SYN-ACK is lost. The server already keeps the request in its SYN queue (SYN-RECEIVED); the client is still in SYN-SENT. Both are waiting, and both have a timer running.",
    ),
    row(
        &["syn-ack-lost"],
        resent(Syn, "client"),
        "客户端的定时器先到期（发 SYN 之后 1 秒），它重发 SYN。服务器认出这是已有请求的 SYN，于是再回一个 SYN-ACK。",
        "The client's timer expires first, 1 s after its SYN, and it resends the SYN. The server recognises the SYN of a request it already holds and answers it with a SYN-ACK again.",
    ),
    row(
        &["syn-ack-lost"],
        resent(SynAck, "server"),
        "服务器重发 SYN-ACK，回应重复的 SYN。它自己的定时器（1 秒，Linux 的 tcp_synack_retries 默认重试 5 次）恰好也在这一刻到期，但 Linux 收到重复的 SYN 时重发 SYN-ACK 并从此刻重新计时，所以只发出一个。加上抖动，两者错开时会有第二个 SYN-ACK：客户端对每个都回 ACK，多余的那个无害。",
        "The server resends its SYN-ACK in answer to the repeated SYN. Its own timer (1 s; Linux retries up to tcp_synack_retries = 5 times) is due at this very moment, but Linux restarts that timer when it answers a repeated SYN, so only one goes out. Add jitter and the two drift apart, giving a second SYN-ACK: the client acknowledges each, and the extra one does no harm.",
    ),
    // Final ACK lost.
    row(
        &["final-ack-lost"],
        lost(Some(Ack), Why::Network),
        "完成握手的 ACK 丢了。客户端已经是 ESTABLISHED（它现在就可以发数据），服务器却还在 SYN-RECEIVED，这个连接还没有进入 accept 队列，accept() 也不会返回。",
        "The ACK that completes the handshake is lost. The client is already ESTABLISHED (it could send data now); the server is still in SYN-RECEIVED, the connection is not in the accept queue and accept() does not return.",
    ),
    row(
        &["final-ack-lost"],
        resent(SynAck, "server"),
        "1 秒没收到 ACK，服务器重发 SYN-ACK。服务器只能这样发现 ACK 丢了：握手的最后一个报文本身不会被确认。",
        "Hearing nothing for 1 s, the server resends its SYN-ACK. That is the only way it can learn the ACK went missing: the handshake's last segment is never acknowledged itself.",
    ),
    row(
        &["final-ack-lost"],
        sent(Ack, "client"),
        "客户端确认 SYN-ACK：ack = y + 1。从客户端这边看，连接已经建立；这个 ACK 如果丢了，服务器会再发 SYN-ACK，客户端就再确认一次。",
        "The client acknowledges the SYN-ACK with ack = y + 1; from its side the connection is open. If this ACK is lost, the server sends its SYN-ACK again and the client acknowledges it again.",
    ),
    // Simultaneous open.
    row(
        &["simultaneous-open"],
        On::Either(&[sent(Syn, "peer"), enters("peer", SynSent)]),
        "双方在同一时刻调用 connect()：各自的 SYN 在对方的 SYN 到达之前发出，两边都进入 SYN-SENT。现实中很少见（双方要事先知道对方的端口），但状态机允许它。",
        "Both peers call connect() at the same moment: each SYN leaves before the other's arrives, so both are in SYN-SENT. Rare in practice (each must know the other's port in advance), but the state machine allows it.",
    ),
    row(
        &["simultaneous-open"],
        On::Either(&[moves("peer", SynSent, SynReceived), sent(SynAck, "peer")]),
        "在 SYN-SENT 中收到对方的 SYN：进入 SYN-RECEIVED 而不是 ESTABLISHED，因为自己的 SYN 还没被确认。它回一个 SYN-ACK：再带一次自己的 SYN，同时确认对方的 SYN。",
        "A SYN arrives while in SYN-SENT: the peer moves to SYN-RECEIVED, not ESTABLISHED, because its own SYN is not acknowledged yet. It answers SYN-ACK: its own SYN once more, plus an ACK of the other's.",
    ),
    row(
        &["simultaneous-open"],
        On::Either(&[enters("peer", Established), sent(Ack, "peer")]),
        "对方的 SYN-ACK 确认了自己的 SYN，两边都进入 ESTABLISHED。SYN-ACK 里的 SYN 已经收到过，Linux 对重复的 SYN 回一个 ACK。一共六个报文，没有哪一方是“服务器”。",
        "Each SYN-ACK acknowledges a peer's SYN, so both become ESTABLISHED. The SYN inside it was already received, and Linux answers a repeated SYN with an ACK: six segments in all, and neither side is the server.",
    ),
    // Every case: the three steps themselves.
    row(
        &[],
        On::Either(&[sent(Syn, "client"), enters("client", SynSent), enters("server", Listen)]),
        "服务器已经 listen()，被动等待。客户端调用 connect()，发出 SYN：请求建立连接，并告知自己的 ISN（seq = x）、MSS、窗口缩放和是否支持 SACK。它进入 SYN-SENT。注意 SYN 不带数据，却占用一个序号。",
        "The server has called listen() and waits, passively. The client's connect() sends a SYN: it asks for a connection and announces its ISN (seq = x), its MSS, window scale and SACK support, and enters SYN-SENT. Notice that a SYN carries no data yet uses up one sequence number.",
    ),
    row(
        &[],
        On::Either(&[moves("server", Listen, SynReceived), sent(SynAck, "server")]),
        "服务器的内核自己回应，不等应用调用 accept()：它在 SYN 队列里记下这个请求（SYN-RECEIVED），回 SYN-ACK，带上自己的 ISN（seq = y）和 ack = x + 1，确认 SYN 占用的那个序号。",
        "The server's kernel answers on its own, before any accept(): it keeps the request in its SYN queue (SYN-RECEIVED) and replies SYN-ACK with its own ISN (seq = y) and ack = x + 1, acknowledging the one sequence number the SYN used.",
    ),
    row(
        &[],
        On::Either(&[moves("client", SynSent, Established), any_sent(Ack, "client")]),
        "SYN-ACK 告诉客户端两件事：服务器在，以及它的 ISN。客户端进入 ESTABLISHED，回 ack = y + 1。从客户端看，一个往返之后连接就建立了，马上就可以发数据。",
        "The SYN-ACK tells the client two things: the server is there, and its ISN. The client is ESTABLISHED and sends ack = y + 1. From its side the connection is open after one round trip, and it may send data at once.",
    ),
    row(
        &[],
        moves("server", SynReceived, Established),
        "ACK 到达：服务器这边的连接进入 ESTABLISHED，从 SYN 队列移到 accept 队列，accept() 返回它。注意服务器比客户端晚半个往返才建立连接。",
        "The ACK arrives: the server's connection is ESTABLISHED and moves from the SYN queue to the accept queue, and accept() returns it. Notice the server is established half a round trip after the client.",
    ),
];
