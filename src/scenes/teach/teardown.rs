//! Closing a connection, step by step (RFC 9293 §3.6; delays and TIME-WAIT as Linux has them).

use synack_model::read::SegKind::{Ack, Data, Fin, Rst};
use synack_model::trace::TcpState::{
    CloseWait, Closed, Closing, Established, FinWait1, FinWait2, LastAck, TimeWait,
};
use synack_model::trace::TimerKind;

use crate::engine::teach::{
    any_sent, enters, lost, moves, resent, row, sent, On, Row, Why, OPENING,
};

pub static ROWS: &[Row] = &[
    // Abort.
    row(
        &["abort"],
        On::Either(&[sent(Rst, "client"), moves("client", Established, Closed)]),
        "客户端设置了 SO_LINGER 为 0 再 close()：这是中止，不是关闭。它发出 RST 而不是 FIN，丢掉还没发出的数据，立即进入 CLOSED：没有 FIN-WAIT，也没有 TIME-WAIT（RFC 9293 §3.10.4 ABORT）。",
        "The client set SO_LINGER to 0 before close(): that aborts rather than closes. It sends RST instead of FIN, throws away anything unsent and is CLOSED at once: no FIN-WAIT, no TIME-WAIT (RFC 9293 §3.10.4, ABORT).",
    ),
    row(
        &["abort"],
        On::Either(&[On::Error("ECONNRESET"), moves("server", Established, Closed)]),
        "RST 一到，服务器这边也立即关闭，正在等待的 recv() 以 ECONNRESET 失败。RST 从不被确认。和四次挥手比一比：快得多，但路上的数据就丢了。",
        "The RST closes the server's side at once, and its waiting recv() fails with ECONNRESET. Nobody acknowledges a RST. Compare with the four-way close: much shorter, but whatever was in flight is lost.",
    ),
    // Simultaneous close.
    row(
        &["simultaneous-close"],
        On::Either(&[sent(Fin, ""), enters("", FinWait1)]),
        "两边的应用在同一时刻调用 close()：两个 FIN 在路上交错，双方都进入 FIN-WAIT-1，谁也没先收到对方的 FIN。",
        "Both applications call close() at the same moment: the two FINs cross on the wire and both sides enter FIN-WAIT-1; neither has seen the other's FIN yet.",
    ),
    row(
        &["simultaneous-close"],
        On::Either(&[
            enters("", Closing),
            On::SentIn {
                kind: Ack,
                from: "",
                state: Closing,
            },
        ]),
        "各自在自己的 FIN 还没被确认时收到了对方的 FIN：FIN-WAIT-1 → CLOSING（RFC 9293 §3.6），并确认对方的 FIN。CLOSING 只在同时关闭时出现。",
        "Each receives the other's FIN while its own is still unacknowledged: FIN-WAIT-1 → CLOSING (RFC 9293 §3.6), and it acknowledges that FIN. CLOSING appears only in a simultaneous close.",
    ),
    row(
        &["simultaneous-close"],
        enters("", TimeWait),
        "两个 ACK 都到了：双方都从 CLOSING 进入 TIME-WAIT。注意这次两台主机都要等 TIME-WAIT：谁在收到对方 FIN 之前发出了自己的 FIN，谁就是主动关闭方。",
        "Both ACKs arrive: each side goes from CLOSING to TIME-WAIT. Notice that both hosts now wait in TIME-WAIT: whoever sends its FIN before receiving one is an active closer.",
    ),
    // Last ACK lost.
    row(
        &["last-ack-lost"],
        lost(Some(Ack), Why::Network),
        "客户端的最后一个 ACK 丢了。客户端无从知道，它已经在 TIME-WAIT；服务器还在 LAST-ACK 等着。",
        "The client's last ACK is lost. The client cannot know: it is already in TIME-WAIT. The server is still in LAST-ACK, waiting.",
    ),
    row(
        &["last-ack-lost"],
        resent(Fin, "server"),
        "服务器的重传定时器到期（一个 RTO：测得的往返时间加上 Linux 最小 RTO 200 毫秒），它再发一次 FIN。",
        "The server's retransmission timer expires (one RTO: the measured round trip plus Linux's 200 ms minimum) and it sends its FIN again.",
    ),
    row(
        &["half-close"],
        sent(Data, "server"),
        "客户端用的是 shutdown(SHUT_WR)：它不再发送，但仍然可以接收。处在 CLOSE-WAIT 的服务器照样把回复发过去：半关闭的连接在一个方向上继续传数据（RFC 9293 §3.6）。",
        "The client used shutdown(SHUT_WR): it sends nothing more but can still receive. The server, in CLOSE-WAIT, still sends its reply: a half-closed connection carries data in the other direction (RFC 9293 §3.6).",
    ),
    row(
        &["half-close"],
        On::SentIn {
            kind: Ack,
            from: "client",
            state: FinWait2,
        },
        "客户端确认这些数据，它的 recv() 收到了回复。FIN-WAIT-2 只表示客户端到服务器这个方向关了，反方向还开着。",
        "The client acknowledges the data and its recv() returns the reply. FIN-WAIT-2 only means the client-to-server direction is closed; the other one is still open.",
    ),
    row(
        &["half-close"],
        On::Either(&[sent(Fin, "client"), moves("client", Established, FinWait1)]),
        "客户端调用 shutdown(SHUT_WR) 而不是 close()：发出 FIN，进入 FIN-WAIT-1，但它的套接字还能读。请求已经发完，这是在告诉服务器“我说完了，请回答”。",
        "The client calls shutdown(SHUT_WR), not close(): it sends FIN and enters FIN-WAIT-1, but its socket can still read. Its request is complete, and the FIN tells the server \"I am done talking, your turn\".",
    ),
    // Who closes first.
    row(
        &["client-closes", "last-ack-lost"],
        On::Either(&[sent(Fin, "client"), moves("client", Established, FinWait1)]),
        "客户端调用 close()：它没有数据要发了，于是发出 FIN，进入 FIN-WAIT-1。FIN 和 SYN 一样占用一个序号。注意它只关闭了客户端到服务器这个方向。",
        "The client calls close(): it has nothing more to send, so it sends FIN and enters FIN-WAIT-1. A FIN, like a SYN, uses one sequence number. Notice that it closes only the client-to-server direction.",
    ),
    row(
        &["server-closes"],
        On::Either(&[sent(Fin, "server"), moves("server", Established, FinWait1)]),
        "这次是服务器先关闭（就像 HTTP 服务器发完响应后主动关闭）：服务器成了主动关闭方，后面的 TIME-WAIT 就落在服务器这边。",
        "This time the server closes first, as an HTTP server does when it has sent its response: the server is the active closer, so the TIME-WAIT will be on its side.",
    ),
    row(
        &[],
        moves("", Established, CloseWait),
        "FIN 到达对方：进入 CLOSE-WAIT，它的 recv() 返回 0（读到文件结尾）。内核不会替它关闭：应用必须自己调用 close()。大量 CLOSE-WAIT 的套接字，说明应用忘了关。",
        "The FIN reaches the other side: it enters CLOSE-WAIT and its recv() returns 0 (end of file). The kernel does not close it: the application must still call close(). Sockets piling up in CLOSE-WAIT mean an application that never does.",
    ),
    row(
        &[],
        On::Timer(TimerKind::DelayedAck),
        "Linux 收到 FIN 后不马上确认：它把连接转入交互（ping-pong）模式并推迟 ACK（net/ipv4/tcp_input.c 的 tcp_fin），指望应用很快 close()，让 ACK 搭自己的 FIN 一起走。这里应用还没关，于是先单独发一个 ACK：所以是四个报文，不是三个。",
        "Linux does not acknowledge a FIN at once: it switches the connection to interactive (ping-pong) mode and delays the ACK (tcp_fin in net/ipv4/tcp_input.c), hoping the application closes soon so the ACK can ride on its own FIN. Here the application is slower, so a bare ACK goes first: four segments, not three.",
    ),
    row(
        &[],
        moves("", FinWait1, FinWait2),
        "FIN 的 ACK 到了：进入 FIN-WAIT-2。主动关闭方这个方向已经完成，它等对方的 FIN，而那要等对方的应用调用 close()。",
        "The ACK of the FIN arrives: FIN-WAIT-2. The active closer's direction is done; it waits for the other side's FIN, which comes whenever that application calls close().",
    ),
    row(
        &[],
        On::Either(&[moves("", CloseWait, LastAck), sent(Fin, "")]),
        "另一方的应用现在调用了 close()：它的 FIN 发出，进入 LAST-ACK，等待最后一个 ACK。",
        "The other application now calls close(): its FIN goes out and it waits in LAST-ACK for the final ACK.",
    ),
    row(
        &[],
        enters("", TimeWait),
        "最后一个 FIN 被确认，主动关闭方进入 TIME-WAIT，等 2·MSL：Linux 上固定 60 秒（TCP_TIMEWAIT_LEN，不能调）。它留下来，是为了回应可能重发的 FIN，并让旧连接的迟到报文在同一对地址端口被重用前消失。",
        "The last FIN is acknowledged and the active closer enters TIME-WAIT for 2·MSL: a fixed 60 s on Linux (TCP_TIMEWAIT_LEN, not tunable). It stays to answer a repeated FIN and to let old duplicates die out before the same address and port pair is used again.",
    ),
    row(
        &["last-ack-lost"],
        On::SentIn {
            kind: Ack,
            from: "client",
            state: TimeWait,
        },
        "这正是 TIME-WAIT 存在的理由：客户端还记得这个连接，于是用 ACK 回应重发的 FIN，服务器随之关闭。如果客户端已经 CLOSED，它只能回 RST，服务器就会看到一个错误。",
        "This is why TIME-WAIT exists: the client still remembers the connection and answers the repeated FIN with an ACK, and the server can close. Had the client already been CLOSED, it could only answer RST, and the server would see an error.",
    ),
    // Half close.
    row(
        &[],
        moves("", LastAck, Closed),
        "最后的 ACK 到达：被动关闭方立即 CLOSED，不用等。注意这种不对称：只有先关闭的一方要承担 TIME-WAIT。",
        "The final ACK arrives: the passive closer is CLOSED at once, with no wait. Notice the asymmetry: only the side that closed first pays for TIME-WAIT.",
    ),
    row(
        &[],
        moves("", TimeWait, Closed),
        "60 秒后 TIME-WAIT 定时器到期，套接字才真正消失。在那之前，这一对地址和端口不能原样再用（tcp_tw_reuse 只对向外发起的连接有效）。",
        "60 s later the TIME-WAIT timer expires and the socket is finally gone. Until then the same address and port pair cannot simply be reused (tcp_tw_reuse helps outgoing connections only).",
    ),
    // Every case opens the connection first.
    row(
        &[],
        // Any host's ACK: the bare ACKs of the close are explained at their moment by the
        // rows above (the delayed-ACK timer, the state they cause); this row is the last resort.
        On::Either(&[OPENING, any_sent(Ack, "")]),
        "先用三次握手建立连接，才有东西可以关闭。注意握手完成后双方都是 ESTABLISHED，之后谁先 close() 谁就是主动关闭方。",
        "First the three-way handshake opens the connection, so that there is something to close. Once it is done both sides are ESTABLISHED; whoever calls close() first becomes the active closer.",
    ),
];
