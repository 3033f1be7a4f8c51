//! The scenes' explanations, in our own words (facts from the interview chapter and RFC 9293).

use crate::i18n::T;

pub const HANDSHAKE_INTRO: &[T] = &[
    T::new(
        "建立 TCP 连接时，双方一共交换三个报文。目的有两个：确认对方在线并愿意通信，以及互相告知自己的初始序号（ISN），之后每个字节都按这个序号计数。客户端调用 connect() 就会触发握手。",
        "Opening a TCP connection takes three segments. They do two jobs: each side learns the other is there and willing, and each tells the other its initial sequence number (ISN), from which every byte it sends is counted. Calling connect() on the client starts it.",
    ),
    T::new(
        "① 客户端发送 SYN，seq = x（它的 ISN），进入 SYN-SENT 状态（不少面试资料写作 SYN_SEND，RFC 的名字是 SYN-SENT）。② 服务器回 SYN-ACK：seq = y（自己的 ISN），ack = x + 1，进入 SYN-RECEIVED。③ 客户端回 ACK：ack = y + 1，进入 ESTABLISHED；服务器收到后也进入 ESTABLISHED。",
        "① The client sends SYN with seq = x (its ISN) and enters SYN-SENT. ② The server answers SYN-ACK with seq = y (its own ISN) and ack = x + 1, and enters SYN-RECEIVED. ③ The client sends ACK with ack = y + 1 and is ESTABLISHED; the server becomes ESTABLISHED when that ACK arrives.",
    ),
    T::new(
        "为什么是 x + 1？SYN 本身占用一个序号，所以确认它就要确认到 x + 1。图上默认显示相对序号（从 0 数起），切换到绝对序号可以看到真实的 ISN。SYN 和 SYN-ACK 还携带 MSS（最大报文段长度）、窗口大小和窗口缩放等选项，点一下箭头就能看到完整首部。",
        "Why x + 1? A SYN occupies one sequence number, so acknowledging it means acknowledging up to x + 1. The diagram shows relative numbers (counted from 0) by default; switch to absolute to see the real ISNs. SYN and SYN-ACK also carry the MSS, the window and options such as window scaling: click an arrow to see the whole header.",
    ),
];

pub const TEARDOWN_INTRO: &[T] = &[
    T::new(
        "TCP 是全双工的：每个方向都要单独关闭，所以关闭连接通常要四个报文（四次挥手）。任何一方调用 close() 都可以先发起。",
        "TCP is full duplex: each direction is closed on its own, so closing usually takes four segments (the four-way teardown). Either side may start it by calling close().",
    ),
    T::new(
        "主动关闭方发送 FIN，进入 FIN-WAIT-1；对方回 ACK 并进入 CLOSE-WAIT，主动方收到 ACK 后进入 FIN-WAIT-2。被动方把剩下的数据发完、自己也 close() 时发送 FIN，进入 LAST-ACK；主动方回最后一个 ACK，进入 TIME-WAIT；被动方收到这个 ACK 后进入 CLOSED。",
        "The active closer sends FIN and enters FIN-WAIT-1; the peer ACKs it and enters CLOSE-WAIT, and the closer moves to FIN-WAIT-2 on that ACK. When the passive side has sent what it had and calls close() too, it sends its FIN and enters LAST-ACK; the closer answers with the last ACK and enters TIME-WAIT; the passive side is CLOSED once that ACK arrives.",
    ),
    T::new(
        "TIME-WAIT 要等 2MSL（两倍报文最大生存时间）才进入 CLOSED。原因有二：如果最后的 ACK 丢了，对方会重发 FIN，TIME-WAIT 中的一方还能再次确认；同时，等到旧连接在网络里迟到的报文全部消失，同样的地址和端口才能安全地建立新连接。",
        "TIME-WAIT lasts 2MSL (twice the maximum segment lifetime) before CLOSED, for two reasons: if the last ACK is lost, the peer resends its FIN and the side in TIME-WAIT can still answer it; and by then any delayed segment of the old connection has died out, so a new connection on the same addresses and ports cannot mistake it for its own.",
    ),
];

pub const TCP_UDP_INTRO: &[T] = &[
    T::new(
        "同样的几条应用消息，分别通过 TCP 和 UDP 发送，经过同一条会丢包的网络。TCP 先握手再发送，丢了就重传，接收方按顺序拿到全部字节，但消息之间没有边界（一次 recv() 可能拿到好几条消息粘在一起）。UDP 不握手、不重传：每个数据报要么完整到达、要么整个丢失，到达的顺序也不保证，但每次 recvfrom() 正好取出一条消息。",
        "The same few application messages go over TCP and over UDP, through the same lossy network. TCP handshakes first and retransmits what is lost: the receiver gets every byte, in order, but without message boundaries (one recv() may return several messages glued together). UDP neither handshakes nor retransmits: each datagram arrives whole or not at all, in no guaranteed order, and each recvfrom() returns exactly one message.",
    ),
    T::new(
        "调大丢包率、换一个种子，看看计数器和完成时间怎么变。下面表格里的每一行都可以跳到动画中演示它的那一刻。",
        "Raise the loss rate or try another seed and watch the counters and the completion time. Each row of the table below jumps to the moment in the animation that shows it.",
    ),
];

pub fn handshake_case(id: &str) -> (T, T) {
    match id {
        "normal" => (
            T::new("正常握手", "Normal"),
            T::new(
                "没有丢包：一个往返后客户端就可以发数据，服务器在第三个报文到达时建立连接，accept() 返回。",
                "Nothing is lost: after one round trip the client may send data; the server is established when the third segment arrives, and accept() returns.",
            ),
        ),
        "syn-lost" => (
            T::new("SYN 丢失", "SYN lost"),
            T::new(
                "第一个 SYN 在路上丢了，服务器什么也没收到。客户端的重传定时器（初始 RTO 为 1 秒）到期后重发 SYN，之后握手照常完成，只是晚了一秒多。",
                "The first SYN is lost on the way and the server sees nothing. When the client's retransmission timer expires (initial RTO 1 s) it resends the SYN, and the handshake then completes as usual, just over a second late.",
            ),
        ),
        "syn-ack-lost" => (
            T::new("SYN-ACK 丢失", "SYN-ACK lost"),
            T::new(
                "服务器的 SYN-ACK 丢了。客户端不知道 SYN 是否送达，只好重发 SYN；服务器也在等 ACK，它的定时器到期后重发 SYN-ACK。双方都在重传，先到的那个完成握手。",
                "The server's SYN-ACK is lost. The client cannot tell whether its SYN got through, so it resends the SYN; the server, waiting for the ACK, resends its SYN-ACK when its own timer expires. Both retransmit; whichever arrives first completes the handshake.",
            ),
        ),
        "final-ack-lost" => (
            T::new("第三个 ACK 丢失", "Final ACK lost"),
            T::new(
                "客户端发出 ACK 后就认为连接已建立，但这个 ACK 丢了，服务器仍停在 SYN-RECEIVED。服务器重发 SYN-ACK，客户端再回一次 ACK，服务器才建立连接。",
                "The client considers itself established as soon as it sends the ACK, but that ACK is lost and the server stays in SYN-RECEIVED. The server resends its SYN-ACK, the client answers again, and only then is the server established.",
            ),
        ),
        "simultaneous-open" => (
            T::new("同时打开", "Simultaneous open"),
            T::new(
                "双方同时向对方发 SYN（RFC 9293 图 8）。每一方都在 SYN-SENT 中收到对方的 SYN，进入 SYN-RECEIVED 并回 SYN-ACK；收到对方的 SYN-ACK 后进入 ESTABLISHED，并用一个 ACK 确认它（SYN-ACK 里的 SYN 已经收到过一次，Linux 对重复的 SYN 回 ACK；RFC 的图 8 只画到两个 SYN-ACK）。一共六个报文：两个 SYN、两个 SYN-ACK、两个 ACK，没有服务器和客户端之分。",
                "Both sides send a SYN to each other at once (RFC 9293 figure 8). Each receives the other's SYN while in SYN-SENT, moves to SYN-RECEIVED and answers SYN-ACK; on the other's SYN-ACK it is established and acknowledges it (that SYN-ACK repeats a SYN already received, and Linux answers a repeated SYN with an ACK; the RFC's figure 8 stops at the two SYN-ACKs). Six segments: two SYNs, two SYN-ACKs, two ACKs, and no client or server.",
            ),
        ),
        "closed-port" => (
            T::new("连接未监听的端口", "Closed port (RST)"),
            T::new(
                "服务器主机上没有进程监听 80 端口。它的协议栈用 RST 回应 SYN，客户端立即回到 CLOSED，connect() 返回 ECONNREFUSED（连接被拒绝）。",
                "Nothing listens on port 80 at the server host. Its stack answers the SYN with RST; the client goes straight back to CLOSED and connect() fails with ECONNREFUSED.",
            ),
        ),
        _ => (T::new("", ""), T::new("", "")),
    }
}

pub fn teardown_case(id: &str) -> (T, T) {
    match id {
        "client-closes" => (
            T::new("客户端先关闭", "Client closes first"),
            T::new(
                "标准的四次挥手：客户端是主动关闭方，最后停在 TIME-WAIT，等 2MSL 后才 CLOSED；服务器经过 CLOSE-WAIT 和 LAST-ACK。",
                "The textbook teardown: the client closes actively and ends in TIME-WAIT for 2MSL; the server passes through CLOSE-WAIT and LAST-ACK.",
            ),
        ),
        "server-closes" => (
            T::new("服务器先关闭", "Server closes first"),
            T::new(
                "角色互换：谁先 close() 谁就是主动方，TIME-WAIT 就落在谁那边。这就是为什么繁忙的服务器上常常能看到大量 TIME-WAIT 连接。",
                "The roles swap: whoever calls close() first is the active closer and holds TIME-WAIT. That is why busy servers that close first often show many TIME-WAIT connections.",
            ),
        ),
        "last-ack-lost" => (
            T::new("最后一个 ACK 丢失", "Last ACK lost"),
            T::new(
                "客户端的最后一个 ACK 丢了，服务器停在 LAST-ACK，定时器到期后重发 FIN。客户端因为还在 TIME-WAIT，能再回一个 ACK，服务器这才关闭。如果客户端早已 CLOSED，它只能回 RST。",
                "The client's last ACK is lost; the server, stuck in LAST-ACK, resends its FIN when its timer expires. Because the client is still in TIME-WAIT it can ACK again, and the server closes. Had the client already been CLOSED, all it could send back is a RST.",
            ),
        ),
        "half-close" => (
            T::new("半关闭", "Half-close"),
            T::new(
                "客户端调用 shutdown() 只关闭自己的发送方向。服务器的 recv() 返回 0，但它仍然可以继续发送数据，客户端照常接收；服务器发完后再关闭，连接才完全结束。",
                "The client calls shutdown() to close only its sending direction. The server's recv() returns 0, but it can still send, and the client still receives; the connection ends only when the server closes too.",
            ),
        ),
        "simultaneous-close" => (
            T::new("同时关闭", "Simultaneous close"),
            T::new(
                "双方同时发送 FIN。每一方在 FIN-WAIT-1 中收到对方的 FIN，进入 CLOSING，收到对自己 FIN 的 ACK 后进入 TIME-WAIT：两边都要等 2MSL。",
                "Both send FIN at once. Each receives the other's FIN while in FIN-WAIT-1 and enters CLOSING, then TIME-WAIT when its own FIN is acknowledged: both sides wait 2MSL.",
            ),
        ),
        "abort" => (
            T::new("RST 异常关闭", "Abortive close (RST)"),
            T::new(
                "客户端设置 SO_LINGER 为 0 后 close()：不发 FIN，直接发 RST，丢弃未发送的数据，双方立刻 CLOSED，没有 TIME-WAIT。对方的下一次读写会得到 ECONNRESET。",
                "The client closes with SO_LINGER 0: no FIN, just a RST; unsent data is thrown away and both sides are CLOSED at once, with no TIME-WAIT. The peer's next read or write gets ECONNRESET.",
            ),
        ),
        _ => (T::new("", ""), T::new("", "")),
    }
}
