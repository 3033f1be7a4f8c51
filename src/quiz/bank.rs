//! Conceptual questions (written by us, zh and en), questions generated from the reference
//! pages' tables (ports, layers), and `COVERAGE`: every interview question of the chapter this
//! project teaches and the quiz items that cover it.

use super::gen::{place, Ctx, Draft, Item, Kind};
use super::{Answer, Topic};
#[cfg(test)]
use crate::i18n::T;
use crate::pages::reference::osi_data::{OSI, TCPIP};
use crate::pages::reference::ports_data::PORTS;
use crate::route::Route;
use crate::texts::{tx, Tx};

const fn concept(
    id: &'static str,
    topic: Topic,
    link: Route,
    q: Tx,
    choices: [Tx; 4],
    why: Tx,
) -> Item {
    Item {
        id,
        topic,
        link,
        kind: Kind::Concept(q, choices, why),
    }
}

use Route as R;
use Topic as Tp;

pub const CONCEPTS: &[Item] = &[
    concept("c-tcp-features", Tp::TcpUdp, R::RefTcpUdp,
        tx("下面哪一条不是 TCP 的特性？", "Which of these is NOT a property of TCP?"),
        [tx("可以广播和多播", "It can broadcast and multicast"),
         tx("面向连接的可靠字节流", "A connection-oriented, reliable byte stream"),
         tx("靠确认和超时重传补上丢失的数据", "ACKs and timeouts retransmit what was lost"),
         tx("用序号保证按序、不重复", "Sequence numbers keep bytes in order, without duplicates")],
        tx("一条 TCP 连接恰好有两个端点，所以不能广播或多播；一对多要用 UDP。其余三条都是 TCP 的核心特性。", "A TCP connection has exactly two endpoints, so it cannot broadcast or multicast; one-to-many needs UDP. The other three are TCP's core properties.")),
    concept("c-udp-header", Tp::TcpUdp, R::RefTcpUdp,
        tx("UDP 头部有多大？", "How big is a UDP header?"),
        [tx("8 字节", "8 bytes"), tx("20 字节", "20 bytes"), tx("20～60 字节", "20 to 60 bytes"), tx("4 字节", "4 bytes")],
        tx("源端口、目的端口、长度、校验和各 2 字节，共 8 字节。TCP 头部至少 20 字节，带选项最多 60 字节。", "Source port, destination port, length and checksum, 2 bytes each: 8 bytes. A TCP header is 20 bytes, up to 60 with options.")),
    concept("c-boundaries", Tp::TcpUdp, R::TcpVsUdp,
        tx("哪个协议保留应用消息的边界？", "Which protocol keeps the application's message boundaries?"),
        [tx("UDP：一次 recvfrom() 取一个完整数据报", "UDP: one recvfrom() returns one whole datagram"),
         tx("TCP：一次 recv() 对应一次 send()", "TCP: one recv() matches one send()"),
         tx("两个都保留", "Both"), tx("两个都不保留", "Neither")],
        tx("TCP 传的是字节流，recv() 返回的块和 send() 的次数无关；UDP 每个数据报是一条独立的消息。", "TCP carries a byte stream: the chunks recv() returns have nothing to do with the send() calls. Each UDP datagram is a message of its own.")),
    concept("c-rwnd", Tp::TcpUdp, R::Window,
        tx("TCP 的接收窗口（rwnd）保护的是谁？", "What does TCP's receive window (rwnd) protect?"),
        [tx("接收方：在途未确认的数据不超过它通告的窗口", "The receiver: unacknowledged data in flight never exceeds what it advertises"),
         tx("网络：丢包时它会缩小", "The network: it shrinks when packets are lost"),
         tx("发送方的发送缓冲区", "The sender's send buffer"),
         tx("什么也不保护，只是提示", "Nothing; it is only a hint")],
        tx("rwnd 是流量控制，防止慢读者被淹没；防止网络拥塞的是发送方自己的拥塞窗口 cwnd。实际可发的是两者中较小的那个。", "rwnd is flow control, so a slow reader is not flooded. Protecting the network is the job of the sender's own congestion window, cwnd. The sender may have min(rwnd, cwnd) in flight.")),
    concept("c-nm", Tp::Udp, R::Udp,
        tx("一台主机上的几个 socket 怎样在同一个端口上都收到同一个多播组的数据报（常说的 n:m）？", "How can several sockets on one host all receive the same multicast datagrams on one port (the often-quoted n:m)?"),
        [tx("每个 socket 设 SO_REUSEADDR（dgram 的 reuseAddr）并加入多播组", "Each sets SO_REUSEADDR (dgram's reuseAddr) and joins the group"),
         tx("为每个接收方开一条 TCP 连接", "Open one TCP connection per receiver"),
         tx("打开 SO_KEEPALIVE", "Turn on SO_KEEPALIVE"),
         tx("做不到：一个端口只能有一个 socket", "It cannot be done: a port has one socket")],
        tx("SO_REUSEADDR 允许多个 UDP socket 绑定同一端口；加入多播组后，发往组地址的每个数据报会复制给每个成员。TCP 只能一对一。", "SO_REUSEADDR lets several UDP sockets bind one port; once they join the group, each datagram sent to the group address is delivered to every member. TCP is one-to-one only.")),
    concept("c-why3", Tp::Handshake, R::Handshake,
        tx("为什么建立连接要三次握手，两次不行？", "Why does opening a connection take three segments, not two?"),
        [tx("双方都要确认对方收到了自己的初始序号；只有两次，服务器的序号没人确认，一个迟到的旧 SYN 也能开出连接", "Each side must know the other got its initial sequence number; with two, nobody confirms the server's, and a stale old SYN could open a connection"),
         tx("第三个报文必须带第一个数据字节", "The third segment must carry the first data byte"),
         tx("为了测三次 RTT", "To measure the RTT three times"),
         tx("因为服务器要发两次 SYN", "Because the server sends two SYNs")],
        tx("SYN-ACK 把“确认你的序号”和“这是我的序号”合在一个报文里；第三个 ACK 确认服务器的序号。RFC 9293 还指出：三次握手让服务器能识别并拒绝网络里延迟的旧 SYN。", "The SYN-ACK combines \"I got your number\" and \"here is mine\"; the third segment acknowledges the server's number. RFC 9293 also notes the three-way handshake lets the server detect and reject delayed old SYNs.")),
    concept("c-why4", Tp::Teardown, R::Teardown,
        tx("建立连接三次就够，为什么断开要四次？", "Opening takes three segments; why does closing take four?"),
        [tx("两个方向各自关闭：对 FIN 的 ACK 马上发，自己的 FIN 要等应用 close() 才发", "Each direction closes on its own: the ACK of a FIN goes at once, our own FIN only when the application calls close()"),
         tx("FIN 必须发两遍才安全", "A FIN must be sent twice to be safe"),
         tx("RST 需要单独确认", "A RST needs its own ACK"),
         tx("TIME-WAIT 会多发一个报文", "TIME-WAIT sends an extra segment")],
        tx("收到 FIN 只说明对方不再发送；这一端可能还有数据要发（半关闭），所以先 ACK，等应用 close() 再发 FIN。如果应用恰好同时关闭，ACK 和 FIN 也可以合成一个报文。", "A FIN only says the peer will send no more; this side may still have data to send (half-close), so it ACKs now and sends its FIN when the application closes. If the application closes at once, the ACK and FIN can share one segment.")),
    concept("c-2msl", Tp::Teardown, R::Teardown,
        tx("TIME-WAIT 为什么要等 2MSL？", "Why does TIME-WAIT last 2MSL?"),
        [tx("最后的 ACK 丢了时还能再确认对方重发的 FIN；并让旧报文在端口被复用前消失", "So the last ACK can be sent again if the peer's FIN comes back, and old segments die out before the ports are reused"),
         tx("让应用读完剩下的数据", "To let the application finish reading"),
         tx("等对方的 RST", "To wait for the peer's RST"),
         tx("内核不能更早释放内存", "The kernel cannot free the memory sooner")],
        tx("MSL 是报文在网络里最长的存活时间。一来一回最多 2MSL：足够等到对方可能重发的 FIN，也足够让这条连接在路上的旧报文全部过期。", "MSL is the longest a segment can live in the network. A round trip is at most 2MSL: long enough to see a retransmitted FIN, and for every old segment of this connection to expire.")),
    concept("c-backlog", Tp::Backlog, R::Backlog,
        tx("在今天的 Linux 上，listen(fd, backlog) 的 backlog 限制的是什么？", "On today's Linux, what does the backlog in listen(fd, backlog) limit?"),
        [tx("accept 队列（已完成握手、等待 accept() 的连接），也是 SYN 队列“满”的界限", "The accept queue (completed connections waiting for accept()), and it is also where the SYN queue counts as full"),
         tx("只限制 SYN 队列：半连接的数量", "Only the SYN queue of half-open requests"),
         tx("同时存在的连接总数", "The total number of connections"),
         tx("接收缓冲区的字节数", "The receive buffer, in bytes")],
        tx("backlog（被 net.core.somaxconn 截断）限制 accept 队列：最多 backlog + 1 个连接（sk_acceptq_is_full 用的是“大于”）。SYN 队列在请求数达到同一个 backlog 时就算满了（inet_csk_reqsk_queue_is_full），这时开着 syncookies 就改用 SYN cookie 回答；tcp_max_syn_backlog 只在关闭 syncookies 时用来提前丢 SYN。很多资料说“SYN 队列的上限是 tcp_max_syn_backlog”，对今天的内核并不准确。", "backlog (capped by net.core.somaxconn) bounds the accept queue: at most backlog + 1 connections (sk_acceptq_is_full compares with \"greater than\"). The SYN queue counts as full at that same backlog (inet_csk_reqsk_queue_is_full), and then, with syncookies on, SYN cookies answer instead; tcp_max_syn_backlog only drops SYNs early when syncookies are off. The common claim that tcp_max_syn_backlog bounds the SYN queue is not accurate for today's kernels.")),
    concept("c-syncookies", Tp::Backlog, R::Backlog,
        tx("开启 syncookies 后，SYN 队列满了会怎样？", "With syncookies on, what happens when the SYN queue is full?"),
        [tx("照样回 SYN-ACK，把连接信息编码进自己的初始序号，不占队列", "It still answers SYN-ACK, encoding the request in its initial sequence number instead of the queue"),
         tx("丢弃所有新的 SYN", "Every new SYN is dropped"),
         tx("回 RST 拒绝", "It refuses with a RST"),
         tx("把 SYN 放进 accept 队列", "The SYN goes into the accept queue")],
        tx("SYN 队列在请求数达到 listen 的 backlog 时就算满（tcp_syncookies=1）；tcp_syncookies=2 时每个 SYN 都用 cookie 回答。最后的 ACK 带回这个序号，服务器据此重建连接，所以不必占队列的位置。", "The SYN queue counts as full once its requests reach the listen backlog (tcp_syncookies=1); with tcp_syncookies=2 every SYN gets a cookie. The final ACK brings the number back and the server rebuilds the connection from it, so the request needs no place in the queue.")),
    concept("c-bsd", Tp::Backlog, R::Backlog,
        tx("历史上 BSD 的 backlog 是怎样实现的？", "How did historic BSD implement the backlog?"),
        [tx("未完成和已完成的连接共用一个上限（4.4BSD 为 backlog 的 3/2 倍）；到了上限就丢 SYN，不回 RST", "Incomplete and completed connections shared one limit (4.4BSD: 3/2 × backlog); at the limit, SYNs are dropped without a RST"),
         tx("两个队列各有上限，满了回 RST", "Two queues with limits of their own; a RST when full"),
         tx("没有上限", "No limit at all"),
         tx("只限制 SYN 队列", "It only limits the SYN queue")],
        tx("4.4BSD 把连接放在两个链表里（so_q0 未完成、so_q 已完成），但两者之和受同一个上限约束（sonewconn：so_qlen + so_q0len > 3 × backlog / 2 就拒绝）。丢 SYN 而不回 RST，是为了让客户端稍后重试而不是直接失败。Linux 的两个队列各自计数。", "4.4BSD kept connections on two lists (so_q0 incomplete, so_q complete), but both together were held to one limit (sonewconn refused once so_qlen + so_q0len > 3 × backlog / 2). Dropping the SYN instead of sending a RST lets the client retry later rather than fail. Linux counts its two queues separately.")),
    concept("c-sticky-why", Tp::Sticky, R::Sticky,
        tx("TCP 为什么会“粘包”？", "Why does TCP \"stick packets together\"?"),
        [tx("TCP 是没有边界的字节流：Nagle 会合并小的写入，读得晚的一方一次拿到缓冲区里所有字节", "TCP is a byte stream without boundaries: Nagle merges small writes, and a late reader gets everything buffered"),
         tx("IP 分片按错误的顺序重组了", "IP fragments were reassembled in the wrong order"),
         tx("校验和把报文合并了", "The checksum merges segments"),
         tx("这是 Node.js 的 bug", "It is a Node.js bug")],
        tx("“粘包”不是丢数据，而是消息边界本来就不存在：一次 send() 不等于一次 recv()。发送方的 Nagle 和接收方读的时机都会让几条消息混在一起。", "Nothing is lost: the boundaries never existed. One send() is not one recv(); Nagle on the sender and the reader's timing both merge messages.")),
    concept("c-sticky-fix", Tp::Sticky, R::Sticky,
        tx("哪种办法无论数据怎样分块，都能还原出 data1 和 data2？", "Which fix recovers data1 and data2 whatever the chunking?"),
        [tx("封包/拆包：长度前缀或分隔符，接收方按它切分", "Framing: a length prefix or a delimiter the reader splits on"),
         tx("socket.setNoDelay(true)", "socket.setNoDelay(true)"),
         tx("两次 send() 之间等一会儿", "Waiting between the two send() calls"),
         tx("加大接收缓冲区", "A bigger receive buffer")],
        tx("只有应用层自己的分帧不依赖时机。等待会拖慢吞吐，关 Nagle 管不了读得晚的接收方，加大缓冲区只会粘得更多。", "Only the application's own framing does not depend on timing. Waiting costs throughput, turning Nagle off does nothing for a late reader, and a bigger buffer only merges more.")),
    concept("c-nodelay", Tp::Sticky, R::Sticky,
        tx("调用 socket.setNoDelay(true) 后，接收方还可能一次 recv() 拿到 data1 和 data2 吗？", "After socket.setNoDelay(true), can the reader still get data1 and data2 in one recv()?"),
        [tx("可能：接收方读得晚，两条都已在它的缓冲区里", "Yes: if the reader is late, both are already in its buffer"),
         tx("不会：现在每次 send() 对应一次 recv()", "No: each send() is now one recv()"),
         tx("不会：Nagle 是唯一的原因", "No: Nagle was the only cause"),
         tx("只有走回环地址时才会", "Only over loopback")],
        tx("setNoDelay 只让发送方不再攒小包；接收方如果没及时 recv()，几个段的数据照样在接收缓冲区里连在一起。关 Nagle 是为了延迟：对“写-写-读”这样的小写入，它省掉等待确认的时间（Nagle 只约束小于 MSS 的报文段），却从来不是分帧的办法。", "setNoDelay only stops the sender from holding small writes; if the reader does not recv() in time, several segments' bytes still sit together in its buffer. Turning Nagle off is for latency: for small write-write-read exchanges it saves the wait for an ACK (Nagle only holds segments below the MSS), but it is never a way to frame messages.")),
    concept("c-udp-nosticky", Tp::Udp, R::Udp,
        tx("为什么 UDP 不会粘包？", "Why does UDP never stick packets together?"),
        [tx("它面向消息：每个数据报作为一个整体送达、被整个读取，或者整个丢失", "It is message-oriented: each datagram is delivered and read whole, or lost whole"),
         tx("它的包更小", "Its packets are smaller"),
         tx("它默认关闭了 Nagle", "It has Nagle turned off by default"),
         tx("它自动加了长度前缀", "It adds a length prefix for you")],
        tx("每个 UDP 数据报都有自己的头部（端口、长度），接收方一次只取一个；缓冲区太小时多出的部分被丢弃，而不是留给下一次读。", "Every UDP datagram has its own header (ports, length) and the reader takes one at a time; with a small buffer the excess is discarded, not kept for the next read.")),
    // Node.js: the same kernel behaviour, seen through net and dgram.
    concept("node-write-false", Tp::Sticky, R::Sticky,
        tx("Node.js 里 socket.write() 返回了 false，这说明什么？", "In Node.js, socket.write() returned false. What does that mean?"),
        [tx("数据没能全部交给内核，多出的部分排在 Node 自己的内存里；应等 'drain' 事件再写", "Not all the data went to the kernel; the rest waits in Node's own memory, so wait for 'drain' before writing more"),
         tx("数据被丢弃了，必须重发", "The data was dropped and must be sent again"),
         tx("连接已经断开", "The connection is gone"),
         tx("对方的接收窗口为零，数据会被截断", "The peer's window is zero and the data will be truncated")],
        tx("write() 返回 false 不是错误：数据一个字节也没丢，只是内核发送缓冲区满了，其余的排在 Node 的用户态队列里（writableLength）。继续猛写会让这个队列无限增长；正确做法是等 'drain' 再写，这就是背压。", "write() returning false is not an error: no byte is lost, the kernel's send buffer is just full and the rest queues in Node's user-space queue (writableLength). Writing on regardless grows that queue without bound; wait for 'drain': that is backpressure.")),
    concept("node-backlog-default", Tp::Backlog, R::Backlog,
        tx("Node.js 的 server.listen(port) 不写 backlog 时，它是多少？被阻塞的事件循环会怎样？", "What backlog does Node.js's server.listen(port) use when none is given, and what does a blocked event loop do to it?"),
        [tx("511；事件循环被占住时 libuv 不去 accept，连接在 accept 队列里堆积，满了以后新的 SYN 被丢弃", "511; while the event loop is busy libuv does not accept, connections pile up in the accept queue, and once it is full new SYNs are dropped"),
         tx("128；事件循环阻塞不影响内核接收连接", "128; a blocked event loop does not affect the kernel accepting connections"),
         tx("无限；Node 会把连接都放进自己的队列", "Unlimited; Node keeps every connection in its own queue"),
         tx("1；所以一次只能接一个连接", "1; so only one connection can be accepted at a time")],
        tx("Node 默认 backlog 是 511（再被 net.core.somaxconn 截断）。握手由内核完成，accept() 却要等 JavaScript 让出事件循环；同步的长计算就是“accept() 来得太晚”的情形：队列满后，Linux 丢弃新的 SYN，客户端按退避重发。", "Node's default backlog is 511 (capped by net.core.somaxconn). The kernel completes handshakes, but accept() waits until JavaScript yields the event loop; a long synchronous computation is exactly the \"accept() is late\" case: once the queue is full, Linux drops new SYNs and clients retry with backoff.")),
    concept("node-half-open", Tp::Teardown, R::Teardown,
        tx("Node.js 的 net.Server 默认（allowHalfOpen: false）收到对方的 FIN 后会怎样？", "With Node.js's default allowHalfOpen: false, what happens when the peer's FIN arrives?"),
        [tx("触发 'end'，然后 Node 自动结束自己这一方（也发 FIN）", "'end' fires, then Node ends its own side automatically (it sends a FIN too)"),
         tx("连接保持半关闭，直到程序调用 end()", "The connection stays half-closed until the program calls end()"),
         tx("Node 立刻发 RST", "Node sends a RST at once"),
         tx("什么也不发生，直到超时", "Nothing happens until a timeout")],
        tx("allowHalfOpen 为 false 时，'end' 之后 Node 自动调用 end()，于是看到的是四次挥手一口气完成；设为 true 才能在收到 FIN 后继续写（半关闭，对应 C 的 shutdown(SHUT_WR) 之后对方还能写）。", "With allowHalfOpen false, Node calls end() for you after 'end', so the four-way close happens in one go; set it to true to keep writing after the peer's FIN (a half-close, like C's shutdown(SHUT_WR) on the other side).")),
    concept("node-reset", Tp::Teardown, R::Teardown,
        tx("Node.js 里哪个调用会让对方收到 RST、得到 ECONNRESET？", "Which Node.js call makes the peer receive a RST and see ECONNRESET?"),
        [tx("socket.resetAndDestroy()", "socket.resetAndDestroy()"),
         tx("socket.end()", "socket.end()"),
         tx("socket.setNoDelay(true)", "socket.setNoDelay(true)"),
         tx("server.close()", "server.close()")],
        tx("resetAndDestroy() 相当于 C 的 SO_LINGER 0 再 close()：发 RST 而不是 FIN，不进入 TIME-WAIT。end() 是正常关闭（FIN）；server.close() 只是不再接受新连接。", "resetAndDestroy() is C's SO_LINGER 0 then close(): a RST instead of a FIN, and no TIME-WAIT. end() is the orderly close (FIN); server.close() only stops accepting new connections.")),
    concept("node-dgram-whole", Tp::Udp, R::Udp,
        tx("Node.js 的 dgram 'message' 事件会不会只给出数据报的一部分？", "Can Node.js's dgram 'message' event deliver part of a datagram?"),
        [tx("不会：Node 总是读整个数据报，msg 就是完整的一条消息", "No: Node always reads the whole datagram; msg is one complete message"),
         tx("会：和 C 的 recvfrom() 一样，缓冲区小就截断", "Yes: like C's recvfrom(), a small buffer truncates it"),
         tx("会：大的数据报会分成几个 'message'", "Yes: a large datagram arrives as several 'message' events"),
         tx("会：几个数据报可能合成一个 'message'", "Yes: several datagrams can be merged into one 'message'")],
        tx("libuv 用足够大的缓冲区（64 KiB）读每个数据报，所以 Node 程序看到的每个 'message' 都是一整个数据报，不会粘也不会截断；C 程序给 recvfrom() 的缓冲区太小时才会截断（MSG_TRUNC）。", "libuv reads each datagram with a buffer large enough (64 KiB), so every 'message' a Node program sees is one whole datagram, never glued or cut; only a C program whose recvfrom() buffer is too small sees truncation (MSG_TRUNC).")),
    Item { id: "port", topic: Tp::Ports, link: R::RefPorts, kind: Kind::Port },
    Item { id: "osi-layer", topic: Tp::Osi, link: R::RefOsi, kind: Kind::OsiLayer },
    Item { id: "osi-map", topic: Tp::Osi, link: R::RefOsi, kind: Kind::OsiMap },
];

/// The words of the questions generated from the reference tables (`quiz::words`).
pub const TEXTS: &[(&str, Tx)] = &[
    (
        "port.prompt",
        tx(
            "{num} 端口默认是哪个服务的？",
            "Which service uses port {num} by default?",
        ),
    ),
    (
        "osi-layer.prompt",
        tx(
            "在 OSI 七层模型里，{tok} 属于哪一层？",
            "In the OSI model, which layer does {tok} belong to?",
        ),
    ),
    (
        "osi-map.prompt",
        tx(
            "TCP/IP 四层模型的“{layer}”对应 OSI 的哪几层？",
            "Which OSI layers does the TCP/IP model's {layer} layer cover?",
        ),
    ),
    (
        "osi-map.explain",
        tx(
            "{layer}层 = {right}。TCP/IP 把 OSI 的会话、表示、应用三层合成应用层，把数据链路和物理层合成链路层。",
            "{layer} = {right}. TCP/IP folds OSI's session, presentation and application layers into one application layer, and data link + physical into the link layer.",
        ),
    ),
];

/// Each interview question of the interview chapter and the quiz items that cover it (checked by the
/// tests; not shipped in the page, to keep the wasm small).
#[cfg(test)]
pub const COVERAGE: &[(T, &[&str])] = &[
    (
        T::new("Node.js 的 net 与 dgram", "Node.js's net and dgram"),
        &[
            "node-write-false",
            "node-backlog-default",
            "node-half-open",
            "node-reset",
            "node-dgram-whole",
        ],
    ),
    (
        T::new("TCP 的特性", "TCP's properties"),
        &[
            "c-tcp-features",
            "c-rwnd",
            "hs-synack-ack",
            "hs-syn-rto",
            "win-zero",
            "win-dupack",
            "win-rto-cwnd",
        ],
    ),
    (
        T::new("TCP 与 UDP 的区别", "TCP vs UDP"),
        &[
            "c-udp-header",
            "c-boundaries",
            "c-tcp-features",
            "udp-bound",
        ],
    ),
    (
        T::new("UDP 的 n:m 与 reuseAddr", "UDP n:m and reuseAddr"),
        &["c-nm"],
    ),
    (
        T::new(
            "TCP 粘包是怎么回事，如何处理",
            "TCP sticky packets, and the fixes",
        ),
        &[
            "st-case",
            "st-recv-b",
            "st-recv-d",
            "c-sticky-why",
            "c-sticky-fix",
            "c-nodelay",
        ],
    ),
    (
        T::new("为什么 UDP 不会粘包", "Why UDP has no sticky packets"),
        &["c-udp-nosticky", "udp-bound", "udp-trunc", "udp-second"],
    ),
    (
        T::new("如何理解 TCP backlog", "The TCP listen backlog"),
        &[
            "c-backlog",
            "c-syncookies",
            "c-bsd",
            "bl-overflow",
            "bl-synack-retx",
            "bl-half-open",
        ],
    ),
    (
        T::new("常用端口号与对应的服务", "Common ports and their services"),
        &["port"],
    ),
    (
        T::new("OSI 七层模型", "The OSI seven layers"),
        &["osi-layer", "osi-map"],
    ),
    (
        T::new("三次握手", "The three-way handshake"),
        &[
            "hs-synack",
            "hs-synack-ack",
            "hs-syn-rcvd",
            "hs-client-est",
            "hs-ack-lost",
            "hs-syn-rto",
            "hs-closed",
        ],
    ),
    (
        T::new("为什么是三次握手", "Why three segments"),
        &["c-why3", "hs-ack-lost"],
    ),
    (
        T::new("四次挥手", "The four-way teardown"),
        &[
            "td-fin-ack",
            "td-fin-ackno",
            "td-close-wait",
            "td-fin-wait-2",
            "td-last-ack",
            "td-time-wait",
        ],
    ),
    (
        T::new("为什么是四次挥手", "Why four segments"),
        &["c-why4", "td-fin-ack"],
    ),
    (
        T::new("TIME_WAIT 与 2MSL", "TIME-WAIT and 2MSL"),
        &["td-2msl", "c-2msl", "td-fin-retx"],
    ),
];

/// The quiz file's key of a port's description (the ports page's words, `words/ref-ports.tsv`;
/// the quiz has those of its ports in its own file, [`port_texts`]).
fn port_key(num: u16) -> String {
    format!("port.desc.{num}")
}

/// The descriptions the port question quotes, for the quiz's file (`quiz::words`).
pub fn port_texts() -> Vec<(String, crate::texts::Tx)> {
    seed_ports().map(|p| (port_key(p.num), p.desc)).collect()
}

/// The interview chapter's ports with one name each (the question is "which service"), in table order.
fn seed_ports() -> impl Iterator<Item = &'static crate::pages::reference::ports_data::Port> {
    PORTS.iter().filter(|p| p.seed)
}

pub fn port_question(cx: &Ctx) -> Option<Draft> {
    let n = seed_ports().count();
    let p = seed_ports().nth(cx.v as usize % n)?;
    let wrong = (1..n)
        .map(|k| {
            seed_ports()
                .nth((cx.v as usize + k * 5) % n)
                .map(|x| x.name.to_string())
        })
        .collect::<Option<Vec<_>>>()?;
    let (choices, c) = place(p.name.into(), wrong, cx.v);
    let text = cx.t(&port_key(p.num));
    Some(Draft {
        pause_us: None,
        prompt: cx.fill("port.prompt", &[("num", &p.num)]),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: format!("{} ({}): {text}", p.num, p.tr.label()),
    })
}

/// Protocol names listed under exactly one OSI layer (and inside no other layer's list).
pub fn osi_tokens() -> Vec<(&'static str, usize)> {
    let mut out = Vec::new();
    for (i, l) in OSI.iter().enumerate() {
        for tok in l.examples.split(", ") {
            let unique = !tok.contains(['(', ' '])
                && OSI
                    .iter()
                    .enumerate()
                    .all(|(j, o)| j == i || !o.examples.contains(tok));
            if unique {
                out.push((tok, i));
            }
        }
    }
    out
}

/// The quiz file's key of what a layer adds (the OSI page's words, `words/ref-osi.tsv`; the quiz
/// has them in its own file too, [`osi_texts`]).
fn osi_key(num: u8) -> String {
    format!("osi.adds.{num}")
}

/// What each layer adds, for the quiz's file (`quiz::words`).
pub fn osi_texts() -> Vec<(String, crate::texts::Tx)> {
    OSI.iter().map(|l| (osi_key(l.num), l.adds)).collect()
}

fn layer_name(i: usize, cx: &Ctx) -> String {
    format!("L{} · {}", OSI[i].num, OSI[i].name.get(cx.lang))
}

pub fn osi_layer_question(cx: &Ctx) -> Option<Draft> {
    let toks = osi_tokens();
    let (tok, i) = *toks.get(cx.v as usize % toks.len().max(1))?;
    let wrong = [1, 2, 6, 3]
        .iter()
        .map(|k| layer_name((i + k) % OSI.len(), cx))
        .collect();
    let (choices, c) = place(layer_name(i, cx), wrong, cx.v);
    Some(Draft {
        pause_us: None,
        prompt: cx.fill("osi-layer.prompt", &[("tok", &tok)]),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: format!(
            "{tok}: {} — {}",
            layer_name(i, cx),
            cx.t(&osi_key(OSI[i].num))
        ),
    })
}

fn covers(osi: &[u8], cx: &Ctx) -> String {
    osi.iter()
        .filter_map(|n| OSI.iter().find(|l| l.num == *n))
        .map(|l| l.name.get(cx.lang))
        .collect::<Vec<_>>()
        .join(" + ")
}

pub fn osi_map_question(cx: &Ctx) -> Option<Draft> {
    let i = cx.v as usize % TCPIP.len();
    let l = &TCPIP[i];
    let wrong = (1..TCPIP.len())
        .map(|k| covers(TCPIP[(i + k) % TCPIP.len()].osi, cx))
        .collect();
    let right = covers(l.osi, cx);
    let (choices, c) = place(right.clone(), wrong, cx.v);
    Some(Draft {
        pause_us: None,
        prompt: cx.fill("osi-map.prompt", &[("layer", &l.name.get(cx.lang))]),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        // The Chinese template adds 层 itself ("应用层 = …").
        explain: cx.fill(
            "osi-map.explain",
            &[
                ("layer", &l.name.get(cx.lang).trim_end_matches('层')),
                ("right", &right),
            ],
        ),
    })
}
