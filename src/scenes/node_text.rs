//! The scenes' words in the Node.js view (`api=node`): the paragraphs and case texts that name a
//! socket call, as a Node.js program makes it, and what Node adds (its own defaults where they
//! differ from the kernel's, and the cases only Node has, each with its program in
//! `snippets/node/node-only/`). Everything else reads the same in both views and stays in the
//! scene's own module.
//!
//! Node's names: `net.connect()` and the `'connect'` event; `server.listen(port, host, backlog)`
//! (backlog 511 when left out or 0, lib/net.js); the `'connection'` event (libuv calls accept(2)
//! for the program); `socket.write()`; the `'data'` and `'end'` events (libuv reads); `socket.end()`
//! (a FIN, like shutdown(SHUT_WR)); `socket.resetAndDestroy()` (a RST); `dgram`'s
//! `socket.send()` and `'message'`. Where a C call must be named, it is written as its manual page
//! (`accept(2)`), so the e2e check "names no C socket call" can tell the two apart.

//!
//! Its words are out of every build: a page in the Node view fetches its scene's file
//! (`words/node-<scene>.tsv`, see `crate::texts`) after its first paint. Until it is in, the
//! entries the Node view has its own words for show nothing (the C view's words would name the
//! wrong calls), a case's title its C title; if it cannot be had, the C view's words, and the
//! page says so. The table below is where the words are written (the tests' builds keep them).

use crate::i18n::{Api, T};

/// Where an entry of the Node view goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum At {
    /// Instead of this paragraph (by its index) of the scene's introduction.
    Intro(usize),
    /// Instead of this case's text.
    Case(&'static str),
    /// Added at the end of the introduction (the "In more detail" part).
    More,
    /// Instead of this case's title (where it names a C call).
    Title(&'static str),
}

/// One entry: its scene, where it goes and (in the tests) its words.
struct Line {
    scene: &'static str,
    at: At,
    /// In the tests only (they write and check the files the page fetches).
    #[cfg(test)]
    text: T,
}

const fn line(scene: &'static str, at: At, text: T) -> Line {
    // Unused outside the tests, so the strings are in no build's binary.
    #[cfg(not(test))]
    let _ = text;
    Line {
        scene,
        at,
        #[cfg(test)]
        text,
    }
}

/// Every entry of the Node view; a scene's file has its entries in this order.
const LINES: &[Line] = &[
    line("handshake", At::Intro(0), T::new(
        "建立 TCP 连接时，双方一共交换三个报文。目的有两个：确认对方在线并愿意通信，以及互相告知自己的初始序号（ISN），之后每个字节都按这个序号计数。Node.js 里客户端调用 net.connect(port, host) 就会触发握手，结束时双方各触发一个事件：客户端的 'connect'、服务器的 'connection'。",
        "Opening a TCP connection takes three segments. They do two jobs: each side learns the other is there and willing, and each tells the other its initial sequence number (ISN), from which every byte it sends is counted. In Node.js, net.connect(port, host) on the client starts it, and each side gets one event when it is done: 'connect' on the client, 'connection' on the server.",
    )),
    line("teardown", At::Intro(0), T::new(
        "TCP 是全双工的：每个方向都要单独关闭，所以关闭连接通常要四个报文（四次挥手）。任何一方都可以先发起：Node.js 里是 socket.end()，它在之前写入的数据发完后发出 FIN。",
        "TCP is full duplex: each direction is closed on its own, so closing usually takes four segments (the four-way teardown). Either side may start it: in Node.js with socket.end(), which sends a FIN once the data written before it is out.",
    )),
    line("teardown", At::Intro(1), T::new(
        "主动关闭方发送 FIN，进入 FIN-WAIT-1；对方回 ACK 并进入 CLOSE-WAIT，主动方收到 ACK 后进入 FIN-WAIT-2。对方的 FIN 到达时，被动方的程序收到 'end' 事件；Node 默认 allowHalfOpen: false，'end' 的回调一运行完，它就替程序调用 socket.end()，于是被动方马上发出自己的 FIN，进入 LAST-ACK；主动方回最后一个 ACK，进入 TIME-WAIT；被动方收到这个 ACK 后进入 CLOSED，两边的 socket 都触发 'close'。",
        "The active closer sends FIN and enters FIN-WAIT-1; the peer ACKs it and enters CLOSE-WAIT, and the closer moves to FIN-WAIT-2 on that ACK. That FIN is the passive side's 'end' event; with Node's default allowHalfOpen: false, Node calls socket.end() for it as soon as the 'end' listeners have run, so the passive side sends its own FIN right away and enters LAST-ACK; the closer answers with the last ACK and enters TIME-WAIT; the passive side is CLOSED once that ACK arrives, and both sockets emit 'close'.",
    )),
    line("tcp-vs-udp", At::Intro(0), T::new(
        "同样的几条应用消息，分别通过 TCP 和 UDP 发送，经过同一条会丢包的网络。TCP 先握手再发送，丢了就重传，接收方按顺序拿到全部字节，但消息之间没有边界（一个 'data' 事件可能带来好几条粘在一起的消息）。UDP 不握手、不重传：每个数据报要么完整到达、要么整个丢失，到达的顺序也不保证，但每个 'message' 事件正好是一条消息。",
        "The same few application messages go over TCP and over UDP, through the same lossy network. TCP handshakes first and retransmits what is lost: the receiver gets every byte, in order, but without message boundaries (one 'data' event may bring several messages glued together). UDP neither handshakes nor retransmits: each datagram arrives whole or not at all, in no guaranteed order, and each 'message' event is exactly one message.",
    )),
    line("handshake", At::Case("normal"), T::new(
        "没有丢包：一个往返后客户端触发 'connect'，可以开始写数据；服务器在第三个报文到达时建立连接，随后触发 'connection' 事件。",
        "Nothing is lost: after one round trip the client's 'connect' fires and it may write; the server is established when the third segment arrives, and its 'connection' event follows.",
    )),
    line("handshake", At::Case("closed-port"), T::new(
        "服务器主机上没有进程监听 80 端口。它的协议栈用 RST 回应 SYN，客户端立即回到 CLOSED，socket 触发 'error' 事件（err.code 为 ECONNREFUSED，连接被拒绝），然后是 'close'。",
        "Nothing listens on port 80 at the server host. Its stack answers the SYN with RST; the client goes straight back to CLOSED and its socket emits 'error' with err.code ECONNREFUSED, then 'close'.",
    )),
    line("teardown", At::Case("server-closes"), T::new(
        "角色互换：谁先调用 socket.end()，谁就是主动方，TIME-WAIT 就落在谁那边（在内核里，Node 看不到；用 ss -tan state time-wait 查看）。这就是为什么先关闭连接的繁忙服务器上常常能看到大量 TIME-WAIT 连接。",
        "The roles swap: whoever calls socket.end() first is the active closer and holds TIME-WAIT (in its kernel, out of Node's sight: ss -tan state time-wait shows it). That is why busy servers that close first often show many TIME-WAIT connections.",
    )),
    line("teardown", At::Case("half-close"), T::new(
        "两边都设置了 allowHalfOpen: true。客户端调用 socket.end() 只关闭自己的发送方向；服务器收到 'end' 事件，但仍然可以继续 socket.write()，客户端照常收到 'data'；服务器写完后也调用 socket.end()，连接才完全结束。Node 的默认值 allowHalfOpen: false 下，服务器在 'end' 之后立刻关闭自己这一侧，之后的写入会失败（EPIPE）：见下面的 node-only/half-close.mjs。",
        "Both sides set allowHalfOpen: true. The client calls socket.end() to close only its sending direction; the server gets 'end' but can still socket.write(), and the client still gets 'data'; the connection ends only when the server calls socket.end() too. With Node's default, allowHalfOpen: false, the server's side ends right after 'end' and a later write fails with EPIPE: see node-only/half-close.mjs below.",
    )),
    line("teardown", At::Case("abort"), T::new(
        "客户端调用 socket.resetAndDestroy()（Node 16.17 / 18.3 起）：不发 FIN，直接发 RST，丢弃未发送的数据，双方立刻 CLOSED，没有 TIME-WAIT。对方的 socket 触发 'error'（ECONNRESET）和 'close'。socket.end() 和 socket.destroy() 发的都是 FIN，除非接收缓冲区里还有没读的数据（那时内核发 RST）：见下面的 node-only/reset-and-destroy.mjs。",
        "The client calls socket.resetAndDestroy() (Node 16.17 / 18.3 and later): no FIN, just a RST; unsent data is thrown away and both sides are CLOSED at once, with no TIME-WAIT. The peer's socket emits 'error' (ECONNRESET) and 'close'. socket.end() and socket.destroy() both send a FIN, unless unread bytes sit in the receive buffer (then the kernel sends RST): see node-only/reset-and-destroy.mjs below.",
    )),
    line("handshake", At::More, T::new(
        "Node 看不到三个报文本身，只看到两个事件：客户端内核发出最后的 ACK 时，客户端触发 'connect'；这个 ACK 到达服务器、事件循环空下来、libuv 调用 accept(2) 从 accept 队列取走连接后，服务器触发 'connection'。所以服务器的 'connection' 可能比握手晚得多：事件循环被同步代码占着的时候，握手早已在内核里完成（见 listen backlog 场景）。连接失败时是 'error' 事件：ECONNREFUSED（对方回 RST）或 ETIMEDOUT（SYN 重传用完）。",
        "Node never shows the three segments, only two events: the client's 'connect' fires when its kernel sends the final ACK; the server's 'connection' fires once that ACK has arrived, the event loop is free and libuv has taken the connection from the accept queue with accept(2). So the server's 'connection' can come long after the handshake: while synchronous code holds the event loop, the kernel has long completed it (see the listen backlog scene). A failed connect is an 'error' event: ECONNREFUSED (the peer answered RST) or ETIMEDOUT (the SYN retransmissions ran out).",
    )),
    line("teardown", At::More, T::new(
        "Node 的默认值与 TCP 不同：net 的 allowHalfOpen 默认是 false，对方的 FIN（'end'）一到，Node 就替程序结束自己的发送方向，所以默认情况下半关闭根本不会发生。要像上面的“半关闭”那样继续发送，两边都得设置 allowHalfOpen: true。三种结束方式：socket.end() 发 FIN、等数据发完；socket.destroy() 立即释放 socket（通常也是 FIN）；socket.resetAndDestroy() 发 RST。",
        "Node's default differs from TCP's: net's allowHalfOpen is false, so when the peer's FIN arrives ('end'), Node ends the program's own sending direction for it, and by default a half-close never happens. To keep sending as in the half-close case, both sides set allowHalfOpen: true. Three ways to finish: socket.end() sends a FIN after the data written so far; socket.destroy() releases the socket at once (usually with a FIN too); socket.resetAndDestroy() sends a RST.",
    )),
    line("sticky", At::Intro(0), T::new(
        "TCP 是字节流：发送方两次 socket.write() 写入的 data1 和 data2，在 TCP 看来只是一串连续的字节，报文段和 'data' 事件都不知道消息在哪里结束。所以一个 'data' 事件可能只带来半条消息，也可能带来好几条粘在一起——这就是常说的“粘包”。它不是 bug，而是字节流没有消息边界的必然结果。",
        "TCP is a byte stream: data1 and data2, written by two socket.write() calls, are to TCP just one run of bytes, and neither the segments nor the 'data' events know where a message ends. So one 'data' event may bring half a message, or several glued together — what Chinese interviewers call 粘包 (sticky packets). It is not a bug; it follows from a stream having no message boundaries.",
    )),
    line("sticky", At::Intro(1), T::new(
        "谁把字节合在一起？有两处。发送方：Nagle 算法（运行在发送方，不是常见说法里的“服务器”）在还有未确认的小报文段时，把后面的小写入攒起来一起发；发送缓冲区里的字节也会按 MSS 切分，一个报文段可以装下两条消息的一部分。接收方：事件循环忙、读得晚时，多个报文段的字节都堆在接收缓冲区里，libuv 一次读出（最多 64 KiB），Node 把它作为一个 'data' 块交给程序。",
        "Who glues the bytes? Two places. The sender: Nagle's algorithm (it runs on the sender, not on \"the server\" as a common interview answer says) holds small writes while a small segment is unacknowledged and sends them together, and the send buffer is cut by MSS, so one segment can carry parts of two messages. The receiver: when the event loop is busy and reads late, the bytes of several segments pile up in the receive buffer; libuv reads them in one go (up to 64 KiB) and Node hands them to the program as one 'data' chunk.",
    )),
    line("udp", At::Intro(0), T::new(
        "UDP 以数据报为单位：一次 socket.send() 就是一条完整的消息，前面只有 8 字节的首部（源端口、目的端口、长度、校验和，RFC 768），没有序号，没有确认，也没有连接。每个 'message' 事件正好带来一个数据报，不会只给半个，也不会把两个拼在一起，所以 UDP 没有“粘包”。",
        "UDP works in datagrams: one socket.send() is one whole message behind an 8-byte header (source port, destination port, length, checksum; RFC 768), with no sequence numbers, no acknowledgements and no connection. Each 'message' event brings exactly one datagram, never half of one and never two glued together, so UDP has no sticky packets.",
    )),
    line("udp", At::Intro(1), T::new(
        "代价：丢了就没了，网络复制出的副本会被读到两次，后发的可能先到；要可靠、去重或排序，得由应用自己来做（序号、确认、重传）。C 程序给 recvfrom(2) 的缓冲区比数据报小时，Linux 只复制放得下的部分并置 MSG_TRUNC；Node 没有这个问题：libuv 用 64 KiB 的缓冲区读每个数据报，'message' 永远是完整的（node-only/dgram-whole-message.mjs）。",
        "The price: what is lost stays lost, a copy made by the network is read twice, and a later datagram may arrive first; reliability, deduplication and ordering are the application's job (sequence numbers, acks, resends). When a C program gives recvfrom(2) a buffer smaller than the datagram, Linux copies what fits and sets MSG_TRUNC; Node has no such case: libuv reads each datagram into a 64 KiB buffer, so a 'message' is always whole (node-only/dgram-whole-message.mjs).",
    )),
    line("udp", At::Intro(2), T::new(
        "没有连接，所以是 n:m：一个套接字可以接收任意多个发送方的数据报（'message' 事件的 rinfo 告诉你来自谁），一个发送方也可以发给组播组的全部成员。同一台主机上几个套接字要收同一个组播端口，每个都用 dgram.createSocket({ type: 'udp4', reuseAddr: true }) 创建（即 SO_REUSEADDR），socket.bind(5000) 后调用 socket.addMembership('239.1.1.1')。注意：发往这个端口的单播数据报只会交给其中一个套接字。",
        "No connection, so n:m: one socket receives datagrams from any number of senders (the 'message' event's rinfo says from whom), and one sender can reach every member of a multicast group. For several sockets on one host to receive the same multicast port, each is made with dgram.createSocket({ type: 'udp4', reuseAddr: true }) (that is SO_REUSEADDR), bound with socket.bind(5000), and joins with socket.addMembership('239.1.1.1'). Note that a unicast datagram to that port is handed to only one of them.",
    )),
    line("backlog", At::Intro(0), T::new(
        "server.listen(port, host, backlog) 的 backlog 到底限制什么？（不写或写 0 时 Node 用 511。）Linux 2.2 以后有两个队列：回了 SYN-ACK、等最后 ACK 的请求在 SYN 队列（半连接队列）里；握手完成的连接在 accept 队列（全连接队列）里，等事件循环来取：libuv 调用 accept(2)，Node 触发 'connection'。在今天的 Linux 上，backlog（被 net.core.somaxconn 截断）对两个队列都起作用。",
        "What does the backlog in server.listen(port, host, backlog) limit? (Left out, or 0, Node uses 511.) Since Linux 2.2 there are two queues: requests that got a SYN-ACK wait for the final ACK in the SYN queue; completed connections wait in the accept queue until the event loop takes them: libuv calls accept(2) and Node emits 'connection'. On today's Linux, backlog (capped by net.core.somaxconn) acts on both.",
    )),
    line("window", At::Case("slow-reader"), T::new(
        "接收缓冲只有 4 KB，应用每 200 ms 才读 1 KB。Node 的读取方要这样慢，得自己 socket.pause()、过一会儿再 socket.resume()（或者 pipe() 到一个写得慢的流）：只是 'data' 回调慢并不会让内核的缓冲填满，libuv 照样尽快读进内存。缓冲填满后接收方通告窗口 0，发送方停下，启动持续定时器，定时发送零窗口探测；读走数据、空出足够的位置后，接收方发送窗口更新，传输继续（RFC 9293 §3.8.6）。发送方的 Node 程序看到的是 socket.write() 返回 false，窗口重新打开、数据发出去以后才有 'drain'：见下面的 node-only/backpressure.mjs。",
        "The receive buffer holds 4 KB and the application reads 1 KB every 200 ms. A Node reader is this slow only if it says so, with socket.pause() and later socket.resume() (or by piping into a slow stream): a slow 'data' handler alone does not fill the kernel's buffer, as libuv keeps reading into memory. Once the buffer is full the receiver advertises a zero window; the sender stops and starts its persist timer, probing the window from time to time. When enough has been read, the receiver sends a window update and the transfer resumes (RFC 9293 §3.8.6). The sending Node program sees socket.write() return false, and 'drain' only once the window has reopened and the bytes have gone: see node-only/backpressure.mjs below.",
    )),
    line("sticky", At::Case("a"), T::new(
        "读取方一有数据就读：第一个 'data' 事件正好带来 data1，第二个正好带来 data2。这是“运气好”，不是 TCP 的保证。",
        "The reader reads as soon as data is there: the first 'data' event brings exactly data1, the second exactly data2. That is luck, not something TCP promises.",
    )),
    line("sticky", At::Case("b"), T::new(
        "data1 比 MSS 大，被切成两个报文段。读取方醒来时只到了第一段：第一个 'data' 事件只带来 data1 的前半部分，下一个带来 data1 的剩余部分和整个 data2。",
        "data1 is larger than the MSS, so it travels as two segments. The reader wakes up when only the first has arrived: the first 'data' event brings the start of data1, the next one the rest of data1 together with data2.",
    )),
    line("sticky", At::Case("c"), T::new(
        "data2 比 MSS 大。读取方醒得稍晚：第一个 'data' 事件带来整个 data1 和 data2 的第一段，下一个带来 data2 的剩余部分。",
        "data2 is larger than the MSS. The reader wakes up a little later: the first 'data' event brings all of data1 and the first segment of data2, the next one the rest of data2.",
    )),
    line("sticky", At::Case("d"), T::new(
        "读取方很晚才读（事件循环正忙）：两条消息都已经在接收缓冲区里，一个 'data' 事件把 data1 和 data2 一起带来，边界消失了。",
        "The reader is late (its event loop is busy): both messages already sit in the receive buffer, and one 'data' event brings data1 and data2 together. The boundary is gone.",
    )),
    line("sticky", At::Case("nagle-stall"), T::new(
        "假如：发送方连续做小的 socket.write()，Nagle 算法要等前一个小报文段被确认才发下一个，而接收方的延迟确认又在等更多数据或定时器到期，于是每一步都卡住一段时间。socket.setNoDelay(true) 关掉 Nagle 就不会等（net 默认开着 Nagle；http.createServer() 从 Node 18 起默认 noDelay: true）。开头先有一次请求和应答：Linux 对新连接的头几段数据立刻确认（quick-ACK 模式），连接变成一问一答的交互以后才延迟确认，卡顿从那时开始。",
        "What if the sender makes several small socket.write() calls: Nagle's algorithm holds each small segment until the previous one is acknowledged, while the receiver's delayed ACK waits for more data or its timer, so every step stalls. With Nagle off (socket.setNoDelay(true)) nothing waits (net leaves Nagle on by default; http.createServer() defaults to noDelay: true since Node 18). A request and its reply come first: Linux acknowledges a new connection's first data at once (quick-ACK mode) and delays ACKs only once the connection is interactive, which is when the stalls begin.",
    )),
    line("udp", At::Case("boundaries"), T::new(
        "客户端连续三次 socket.send()，发出三个长度不同的数据报，服务器过一会儿才读：三个 'message' 事件各带来一个完整的数据报（20、35、50 字节）。换成 TCP（粘包场景的情况 D），同样晚读，一个 'data' 事件就带来了所有字节。",
        "The client makes three socket.send() calls, three datagrams of different sizes, and the server reads a while later: three 'message' events, each bringing one whole datagram (20, 35, 50 bytes). Over TCP (case D of the sticky-packets scene) the same late reader gets every byte in one 'data' event.",
    )),
    line("udp", At::Case("truncation"), T::new(
        "这是 Node 与 C 不同的地方。图上画的是 C 程序：两个 30 字节的数据报，读取方只给 recvfrom(2) 10 字节的缓冲区，每次拿到前 10 字节并带回 MSG_TRUNC，其余 20 字节被内核丢掉。Node 里不会截断：dgram 没有读取长度的选项，libuv 用 64 KiB 的缓冲区读，两个 'message' 事件各带来完整的 30 字节（旁白也这样说）。见下面的 node-only/dgram-whole-message.mjs。",
        "Here Node differs from C. The diagram shows a C program: two 30-byte datagrams, and the reader gives recvfrom(2) a 10-byte buffer, so each read gets the first 10 bytes and MSG_TRUNC while the kernel throws the other 20 away. Node never truncates: dgram has no read size, libuv reads into a 64 KiB buffer, and each of the two 'message' events brings all 30 bytes (as the narration says). See node-only/dgram-whole-message.mjs below.",
    )),
    line("udp", At::Case("many-senders"), T::new(
        "三台主机各发一个数据报到服务器的 9000 端口。服务器只有一个 dgram 套接字，没有 'connection' 事件：每个 'message' 事件带来一个数据报和它的 rinfo（发送方的地址和端口），回复就用 socket.send() 发往那里。",
        "Three hosts each send a datagram to port 9000 on the server. The server has a single dgram socket and no 'connection' event: each 'message' event brings one datagram with its rinfo (the sender's address and port), which is where a reply would go with socket.send().",
    )),
    line("udp", At::Case("multicast"), T::new(
        "发送方向组播组 239.1.1.1 的 5000 端口发两条消息。接收方 1 和 2 在同一台主机上，都用 dgram.createSocket({ type: 'udp4', reuseAddr: true }) 创建并绑定 5000 端口；接收方 3 在另一台主机上。三个套接字都调用了 socket.addMembership('239.1.1.1')，各自收到每条消息的一份；网络上每台成员主机只传一份。",
        "The sender sends two messages to port 5000 of multicast group 239.1.1.1. Receivers 1 and 2 share a host and both were made with dgram.createSocket({ type: 'udp4', reuseAddr: true }) and bound to port 5000; receiver 3 is on another host. All three called socket.addMembership('239.1.1.1') and each gets its own copy of every message, while the network carries one copy per member host.",
    )),
    line("backlog", At::Case("real-capture"), T::new(
        "重现一次真实的 accept 队列溢出抓包（面试资料里常引用）：当时的程序是 listen(fd, 0)（Node 做不到：backlog 为 0 时 Node 用 511，最接近的是 server.listen(port, host, 1)），accept 队列里已有一个没人取的连接；第二个客户端完成握手并发送 5 字节。服务器忽略最后的 ACK，按 tcp_synack_retries 重传 SYN-ACK（间隔 1、2、4、8、16 秒），客户端以为 ACK 丢了就重发 ACK 和数据；重试用完后服务器丢掉这个请求，最后用 RST 回答客户端的数据，客户端的 socket 触发 'error'（ECONNRESET）。（当时的内核放行了这个 SYN；Linux ≥ 4.9 会直接丢弃它。）",
        "A real accept-queue overflow, as captured in an often-quoted interview write-up: the program used listen(fd, 0) (Node cannot: a backlog of 0 becomes 511, and server.listen(port, host, 1) is the closest), one connection already waiting unaccepted; a second client completes its handshake and sends 5 bytes. The server ignores the final ACK and retransmits its SYN-ACK per tcp_synack_retries (after 1, 2, 4, 8, 16 s); the client thinks its ACK was lost and resends it with the data. When the retries run out the server forgets the request, its answer to the client's data is a RST, and the client's socket emits 'error' (ECONNRESET). (Kernels of 2014 let that SYN in; Linux ≥ 4.9 drops it.)",
    )),
    line("backlog", At::Case("abort"), T::new(
        "同样的情况，但 tcp_abort_on_overflow=1：accept 队列满时，服务器不再忽略最后的 ACK，而是立刻回 RST，客户端的 socket 马上触发 'error'（ECONNRESET），而不是等上一分钟。",
        "The same situation with tcp_abort_on_overflow=1: instead of ignoring the final ACK when the accept queue is full, the server answers RST at once, and the client's socket emits 'error' (ECONNRESET) right away instead of a minute later.",
    )),
    line("backlog", At::Case("overflow"), T::new(
        "server.listen(port, host, 1)：accept 队列最多放 backlog + 1 = 2 个连接。服务器的事件循环一直被同步代码占着，从来取不到 'connection'；后来的客户端的 SYN 被丢弃（ListenOverflows、ListenDrops 计数增加），客户端按指数退避重传 SYN，最终 socket 触发 'error'（ETIMEDOUT）。",
        "server.listen(port, host, 1): the accept queue holds backlog + 1 = 2 connections. The server's event loop is held by synchronous code and never gets to a 'connection'; later clients' SYNs are dropped (ListenOverflows and ListenDrops count up), the clients retransmit their SYN with exponential backoff, and finally their sockets emit 'error' (ETIMEDOUT).",
    )),
    line("backlog", At::Case("accept-late"), T::new(
        "这就是“事件循环被阻塞”：同样四个客户端，服务器的事件循环前 1.5 秒被同步代码占着（一个大的 JSON.parse、一个 *Sync 调用、一个死循环），之后每个 'connection' 回调又同步忙 300 毫秒。内核照样完成握手、放进 accept 队列，队列满了就丢 SYN；事件循环空下来后队列腾出位置，重传的 SYN 和 ACK 被接受，所有客户端最终都连上了，只是慢了。见下面的 node-only/blocked-event-loop.mjs。",
        "This is a blocked event loop: the same four clients, and the server's event loop is held by synchronous code for the first 1.5 s (a big JSON.parse, a *Sync call, a busy loop), then each 'connection' handler is busy for 300 ms. The kernel completes handshakes into the accept queue regardless and drops SYNs once it is full; when the loop gets free the queue drains, the retransmitted SYNs and ACKs get in, and every client connects in the end, only later. See node-only/blocked-event-loop.mjs below.",
    )),
    line("sticky", At::More, T::new(
        "Node 的默认值：net.connect() 和 net.createServer() 的连接开着 Nagle（noDelay 默认 false），要关就 socket.setNoDelay(true)；http.createServer() 从 Node 18 起默认 noDelay: true。socket.bufferSize（即 writableLength）是 Node 自己还没交给内核的字节，不是 Nagle 的缓冲区；socket.write() 返回 false 表示这个队列到了 highWaterMark（16 KiB），应当等 'drain' 再写（node-only/backpressure.mjs）。socket.cork() / socket.uncork() 把几次写入合成一次交给内核。",
        "Node's defaults: connections of net.connect() and net.createServer() have Nagle on (noDelay defaults to false); socket.setNoDelay(true) turns it off, and http.createServer() defaults to noDelay: true since Node 18. socket.bufferSize (that is, writableLength) is the bytes Node has not yet handed to the kernel, not Nagle's buffer; socket.write() returns false once that queue reaches its highWaterMark (16 KiB), and the writer should wait for 'drain' (node-only/backpressure.mjs). socket.cork() / socket.uncork() hand several writes to the kernel as one.",
    )),
    line("backlog", At::More, T::new(
        "Node 的默认值：server.listen() 不写 backlog 或写 0 时用 511，再被 net.core.somaxconn（今天默认 4096）截断，所以 Node 表达不了 listen(fd, 0)。Node 程序不会“忘了调用 accept(2)”：只要事件循环空着，libuv 就会立刻取走连接；accept 队列满，几乎总是因为事件循环被同步代码阻塞了（见“事件循环被阻塞”和 node-only/blocked-event-loop.mjs）。",
        "Node's defaults: server.listen() without a backlog, or with 0, uses 511, which net.core.somaxconn (4096 by default today) may cap further, so Node cannot express listen(fd, 0). A Node program never forgets to call accept(2): whenever the event loop is free, libuv takes the connection at once; a full accept queue almost always means the event loop was blocked by synchronous code (the “Blocked event loop” case and node-only/blocked-event-loop.mjs).",
    )),
    line("window", At::More, T::new(
        "在 Node 里，接收方读得慢、窗口变成 0 时，发送方看到的是 socket.write() 返回 false：内核的发送缓冲区满了，写入的字节留在 Node 自己的队列（writableLength）里，等 'drain' 事件再继续写（node-only/backpressure.mjs）。只调用 socket.write() 而不看它的返回值，这个队列会在内存里无限增长。",
        "In Node, when the reader is slow and the window closes, the sender sees socket.write() return false: the kernel's send buffer is full, the bytes stay in Node's own queue (writableLength), and the writer should wait for 'drain' before writing more (node-only/backpressure.mjs). Calling socket.write() without looking at its answer lets that queue grow in memory without bound.",
    )),
    line("udp", At::More, T::new(
        "Node 的 dgram 与 C 的区别：没有读取长度，'message' 永远是完整的数据报（最大 65,507 字节，再大 socket.send() 就报 EMSGSIZE）；reuseAddr: true 对应 SO_REUSEADDR，reusePort: true（Node 22.12 起）对应 SO_REUSEPORT，让内核把单播数据报分给几个套接字。源地址在 IP 首部，不在 UDP 首部：rinfo.address 来自 IP 首部，rinfo.port 来自 UDP 首部。",
        "Node's dgram next to C: there is no read size, and a 'message' is always a whole datagram (up to 65,507 bytes; a bigger socket.send() fails with EMSGSIZE); reuseAddr: true is SO_REUSEADDR, and reusePort: true (Node 22.12 and later) is SO_REUSEPORT, which has the kernel spread unicast datagrams over several sockets. The source address is in the IP header, not the UDP header: rinfo.address comes from the IP header, rinfo.port from the UDP header.",
    )),
    line("backlog", At::Title("accept-late"), T::new(
        "事件循环被阻塞",
        "Blocked event loop",
    )),
];

/// `scene`'s entries, numbered in their order (their line in the scene's file).
fn lines(scene: &str) -> impl Iterator<Item = (usize, &'static Line)> + '_ {
    LINES.iter().filter(move |l| l.scene == scene).enumerate()
}

/// The keys of `scene`'s file, in order (`crate::texts::Text::Node`); empty: it has none.
#[cfg(feature = "full")]
pub fn keys(scene: &str) -> Vec<String> {
    lines(scene)
        .map(|(_, l)| match l.at {
            At::Intro(i) => format!("intro.{i}"),
            At::Case(c) => format!("case.{c}"),
            At::More => "more".to_string(),
            At::Title(c) => format!("title.{c}"),
        })
        .collect()
}

/// `scene`'s words as the table gives them, in the file's order.
#[cfg(test)]
pub fn table(scene: &str) -> Vec<T> {
    lines(scene).map(|(_, l)| l.text).collect()
}

/// The Node view's own words for `scene` at the first entry where `at` holds: `None` where it
/// has none, or when its file could not be had (the C view's words stand); an empty text while
/// the file is on its way.
fn own(scene: &'static str, mut at: impl FnMut(At) -> bool) -> Option<T> {
    let (k, line) = lines(scene).find(|(_, l)| at(l.at))?;
    #[cfg(test)]
    {
        let _ = k;
        Some(line.text)
    }
    // The first load never speaks Node (`Api::is_node`).
    #[cfg(all(not(test), not(feature = "full")))]
    {
        let _ = (k, line);
        None
    }
    #[cfg(all(not(test), feature = "full"))]
    {
        let _ = line;
        match crate::texts::now(crate::texts::Text::Node(scene)) {
            Some(crate::texts::Fetched::In(w)) => w.get(k).copied(),
            Some(crate::texts::Fetched::Failed) => None,
            Some(crate::texts::Fetched::Loading) | None => Some(T::new("", "")),
        }
    }
}

/// [`own`] for the `n`th entry at `at` (a scene may add several paragraphs at the end).
fn own_nth(scene: &'static str, at: At, n: usize) -> Option<T> {
    let mut seen = 0;
    own(scene, |a| {
        let hit = a == at && seen == n;
        seen += usize::from(a == at);
        hit
    })
}

/// The scene's introduction as `api` speaks it: in the Node view, its paragraphs that name socket
/// calls replaced and Node's own paragraphs added at the end (the "In more detail" part).
pub fn intro(scene: &'static str, c: &[T], api: Api) -> Vec<T> {
    if !api.is_node() {
        return c.to_vec();
    }
    let mut out: Vec<T> = c
        .iter()
        .enumerate()
        .map(|(i, p)| own(scene, |at| at == At::Intro(i)).unwrap_or(*p))
        .collect();
    let more = lines(scene).filter(|(_, l)| l.at == At::More).count();
    out.extend((0..more).filter_map(|n| own_nth(scene, At::More, n)));
    out
}

/// The case's text in the Node view, where it differs from the C view's (empty while the Node
/// view's file is on its way).
pub fn case_text(scene: &'static str, case: &str, api: Api) -> Option<T> {
    api.is_node()
        .then(|| own(scene, |at| matches!(at, At::Case(c) if c == case)))
        .flatten()
}

/// The case's title in the Node view, where it differs from the C view's (and the Node view's
/// file is in: a button keeps its C title meanwhile rather than go blank).
pub fn case_title(scene: &'static str, case: &str, api: Api) -> Option<T> {
    api.is_node()
        .then(|| own(scene, |at| matches!(at, At::Title(c) if c == case)))
        .flatten()
        .filter(|t| !t.en.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check of e2e/node-view.test.mjs, for the texts themselves: a C call written bare.
    fn bare_c_call(text: &str) -> Option<&'static str> {
        const CALLS: &[&str] = &[
            "connect()",
            "recv()",
            "recvfrom()",
            "accept()",
            "listen()",
            "send()",
            "sendto()",
            "close()",
            "shutdown()",
            "read()",
            "write()",
            "bind()",
        ];
        CALLS.iter().copied().find(|c| {
            text.match_indices(c).any(|(i, _)| {
                text[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|b| !(b == '.' || b.is_alphanumeric() || b == '_'))
            })
        })
    }

    #[test]
    fn no_node_text_names_a_bare_c_call() {
        let texts = LINES.iter().map(|l| (l.scene, l.text));
        for (scene, t) in texts {
            for s in [t.zh, t.en] {
                assert_eq!(bare_c_call(s), None, "{scene}: {s}");
            }
        }
    }

    #[test]
    fn the_check_finds_a_bare_c_call_and_lets_a_node_call_through() {
        assert_eq!(bare_c_call("then connect() fails"), Some("connect()"));
        assert_eq!(bare_c_call("服务器的 accept() 返回"), Some("accept()"));
        assert_eq!(bare_c_call("socket.write() and server.listen()"), None);
    }

    #[test]
    fn the_node_view_replaces_only_what_it_has_and_adds_its_own_paragraphs() {
        let c = crate::scenes::teardown::SCENE.intro;
        let node = intro("teardown", c, Api::Node);
        assert_eq!(node.len(), c.len() + 1);
        assert_ne!(node[0], c[0]);
        assert_eq!(node[2], c[2]);
        assert_eq!(intro("teardown", c, Api::C), c.to_vec());
        assert!(case_text("teardown", "abort", Api::Node).is_some());
        assert!(case_text("teardown", "abort", Api::C).is_none());
        assert!(case_text("teardown", "client-closes", Api::Node).is_none());
    }
}
