//! The scenes' words in the Node.js view (`api=node`): the paragraphs, case texts and teaching
//! paragraphs (`scenes::teach`, by row) that name a socket call, as a Node.js program makes it,
//! and what Node adds (its own defaults where they differ from the kernel's, and the cases only
//! Node has, each with its program in `snippets/node/node-only/`). Everything else reads the
//! same in both views and stays in the scene's own module.
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
    /// Instead of this row's teaching paragraph, by the row's index in the scene's table
    /// (`scenes::teach`; a test checks that each such row names a C call and each row that
    /// names one has its entry, so a row moved in the table is caught).
    Teach(usize),
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
    // The teaching paragraphs (`scenes::teach`) that name a C call, by their row in the
    // scene's table.
    line("handshake", At::Teach(1), T::new(
        "RST 到达：客户端从 SYN-SENT 直接回到 CLOSED，它的 socket 立刻触发 'error' 事件（err.code 为 ECONNREFUSED），随后是 'close'。只花了一个往返，而不是等待超时。",
        "The RST arrives: the client goes straight from SYN-SENT back to CLOSED, and its socket emits 'error' at once with err.code ECONNREFUSED, then 'close'. It took one round trip, not a timeout.",
    )),
    line("handshake", At::Teach(7), T::new(
        "完成握手的 ACK 丢了。客户端已经是 ESTABLISHED（'connect' 已经触发，它现在就可以 socket.write()），服务器却还在 SYN-RECEIVED：这个连接还没有进入 accept 队列，libuv 取不到它，服务器也不会触发 'connection'。",
        "The ACK that completes the handshake is lost. The client is already ESTABLISHED (its 'connect' has fired and it could socket.write() now); the server is still in SYN-RECEIVED: the connection is not in the accept queue, libuv has nothing to accept, and no 'connection' event fires.",
    )),
    line("handshake", At::Teach(10), T::new(
        "双方在同一时刻调用 net.connect()，各自用 localPort 选项绑定对方要连的那个端口：各自的 SYN 在对方的 SYN 到达之前发出，两边都进入 SYN-SENT。现实中很少见（双方要事先知道对方的端口），但状态机允许它；最后两边都触发 'connect'，谁也没有 'connection'。",
        "Both peers call net.connect() at the same moment, each with the localPort option set to the port the other connects to: each SYN leaves before the other's arrives, so both are in SYN-SENT. Rare in practice (each must know the other's port in advance), but the state machine allows it; in the end both sockets emit 'connect', and there is no 'connection' on either side.",
    )),
    line("handshake", At::Teach(13), T::new(
        "服务器已经调用 server.listen()，被动等待。客户端调用 net.connect()，内核发出 SYN：请求建立连接，并告知自己的 ISN（seq = x）、MSS、窗口缩放和是否支持 SACK。它进入 SYN-SENT。注意 SYN 不带数据，却占用一个序号。",
        "The server has called server.listen() and waits, passively. The client's net.connect() has its kernel send a SYN: it asks for a connection and announces its ISN (seq = x), its MSS, window scale and SACK support, and enters SYN-SENT. Notice that a SYN carries no data yet uses up one sequence number.",
    )),
    line("handshake", At::Teach(14), T::new(
        "服务器的内核自己回应，不等 Node 的事件循环，也没有任何事件：它在 SYN 队列里记下这个请求（SYN-RECEIVED），回 SYN-ACK，带上自己的 ISN（seq = y）和 ack = x + 1，确认 SYN 占用的那个序号。",
        "The server's kernel answers on its own, without Node's event loop and before any event: it keeps the request in its SYN queue (SYN-RECEIVED) and replies SYN-ACK with its own ISN (seq = y) and ack = x + 1, acknowledging the one sequence number the SYN used.",
    )),
    line("handshake", At::Teach(16), T::new(
        "ACK 到达：服务器这边的连接进入 ESTABLISHED，从 SYN 队列移到 accept 队列；事件循环一空下来，libuv 就调用 accept(2) 取走它，服务器触发 'connection'。注意服务器比客户端晚半个往返才建立连接。",
        "The ACK arrives: the server's connection is ESTABLISHED and moves from the SYN queue to the accept queue; as soon as the event loop is free, libuv takes it with accept(2) and the server emits 'connection'. Notice the server is established half a round trip after the client.",
    )),
    line("teardown", At::Teach(0), T::new(
        "客户端调用 socket.resetAndDestroy()：这是中止，不是关闭。Node 程序自己设不了 SO_LINGER，这个方法替它做了：libuv 把 SO_LINGER 设为 0 再关闭。于是内核发出 RST 而不是 FIN，丢掉还没发出的数据，立即进入 CLOSED：没有 FIN-WAIT，也没有 TIME-WAIT（RFC 9293 §3.10.4 ABORT）。",
        "The client calls socket.resetAndDestroy(): that aborts rather than closes. A Node program cannot set SO_LINGER itself; this method does it for it: libuv sets SO_LINGER to 0 and closes. So the kernel sends RST instead of FIN, throws away anything unsent and is CLOSED at once: no FIN-WAIT, no TIME-WAIT (RFC 9293 §3.10.4, ABORT).",
    )),
    line("teardown", At::Teach(1), T::new(
        "RST 一到，服务器这边也立即关闭：它的 socket 触发 'error'（ECONNRESET），然后是 'close'，不会有 'end'。RST 从不被确认。和四次挥手比一比：快得多，但路上的数据就丢了。",
        "The RST closes the server's side at once: its socket emits 'error' with ECONNRESET, then 'close', and never 'end'. Nobody acknowledges a RST. Compare with the four-way close: much shorter, but whatever was in flight is lost.",
    )),
    line("teardown", At::Teach(2), T::new(
        "两边的程序在同一时刻调用 socket.end()：两个 FIN 在路上交错，双方都进入 FIN-WAIT-1，谁也没先收到对方的 FIN（所以也都还没有 'end' 事件）。",
        "Both programs call socket.end() at the same moment: the two FINs cross on the wire and both sides enter FIN-WAIT-1; neither has seen the other's FIN yet (so neither has had 'end').",
    )),
    line("teardown", At::Teach(8), T::new(
        "客户端确认这些数据，它的 socket 触发 'data'，收到了回复。FIN-WAIT-2 只表示客户端到服务器这个方向关了，反方向还开着。",
        "The client acknowledges the data and its socket emits 'data' with the reply. FIN-WAIT-2 only means the client-to-server direction is closed; the other one is still open.",
    )),
    line("teardown", At::Teach(9), T::new(
        "客户端调用 socket.end()（两边都设了 allowHalfOpen: true）：发出 FIN，进入 FIN-WAIT-1，但它的 socket 还能读，照样会有 'data'。请求已经发完，这是在告诉服务器“我说完了，请回答”。",
        "The client calls socket.end() (both sides set allowHalfOpen: true): it sends FIN and enters FIN-WAIT-1, but its socket can still read and still gets 'data'. Its request is complete, and the FIN tells the server \"I am done talking, your turn\".",
    )),
    line("teardown", At::Teach(10), T::new(
        "客户端调用 socket.end()：它没有数据要发了，于是内核发出 FIN，进入 FIN-WAIT-1。FIN 和 SYN 一样占用一个序号。注意它只关闭了客户端到服务器这个方向。",
        "The client calls socket.end(): it has nothing more to send, so its kernel sends FIN and enters FIN-WAIT-1. A FIN, like a SYN, uses one sequence number. Notice that it closes only the client-to-server direction.",
    )),
    line("teardown", At::Teach(12), T::new(
        "FIN 到达对方：进入 CLOSE-WAIT，它的 socket 触发 'end' 事件（读到了流的结尾）。内核不会替它关闭，Node 默认会：allowHalfOpen 为 false 时，'end' 的回调一运行完，Node 就调用 socket.end()。设了 allowHalfOpen: true 的程序得自己调用 socket.end()；忘了调（或者从不读这个 socket，'end' 就不会来），socket 就一直停在 CLOSE-WAIT。",
        "The FIN reaches the other side: it enters CLOSE-WAIT and its socket emits 'end' (the end of the stream). The kernel does not close it, but Node does by default: with allowHalfOpen false, Node calls socket.end() as soon as the 'end' listeners have run. A program that set allowHalfOpen: true must call socket.end() itself; if it never does (or never reads the socket, so 'end' never comes), the socket stays in CLOSE-WAIT.",
    )),
    line("teardown", At::Teach(13), T::new(
        "Linux 收到 FIN 后不马上确认：它把连接转入交互（ping-pong）模式并推迟 ACK（net/ipv4/tcp_input.c 的 tcp_fin），指望程序很快关闭，让 ACK 搭自己的 FIN 一起走。这里对方还没调用 socket.end()，于是先单独发一个 ACK：所以是四个报文，不是三个。（Node 默认在 'end' 之后马上替程序 socket.end()，FIN 往往赶得上带走这个 ACK。）",
        "Linux does not acknowledge a FIN at once: it switches the connection to interactive (ping-pong) mode and delays the ACK (tcp_fin in net/ipv4/tcp_input.c), hoping the program closes soon so the ACK can ride on its own FIN. Here that side has not called socket.end() yet, so a bare ACK goes first: four segments, not three. (By default Node calls socket.end() for the program right after 'end', and its FIN often carries that ACK.)",
    )),
    line("teardown", At::Teach(14), T::new(
        "FIN 的 ACK 到了：进入 FIN-WAIT-2。主动关闭方这个方向已经完成，它等对方的 FIN，而那要等对方调用 socket.end()（Node 默认在对方收到 'end' 之后替它调用）。",
        "The ACK of the FIN arrives: FIN-WAIT-2. The active closer's direction is done; it waits for the other side's FIN, which comes when that side calls socket.end() (by default Node calls it there, after 'end').",
    )),
    line("teardown", At::Teach(15), T::new(
        "另一方现在调用了 socket.end()（或者是 Node 替它调用的：allowHalfOpen 为默认的 false 时，'end' 之后就会这样）：它的 FIN 发出，进入 LAST-ACK，等待最后一个 ACK。",
        "The other side now calls socket.end() (or Node calls it for it, as it does after 'end' when allowHalfOpen is left false): its FIN goes out and it waits in LAST-ACK for the final ACK.",
    )),
    line("teardown", At::Teach(20), T::new(
        "先用三次握手建立连接（客户端触发 'connect'，服务器触发 'connection'），才有东西可以关闭。注意握手完成后双方都是 ESTABLISHED，之后谁先调用 socket.end()，谁就是主动关闭方。",
        "First the three-way handshake opens the connection ('connect' on the client, 'connection' on the server), so that there is something to close. Once it is done both sides are ESTABLISHED; whoever calls socket.end() first becomes the active closer.",
    )),
    line("tcp-vs-udp", At::Teach(3), T::new(
        "UDP 的接收方读取：每个 'message' 事件带来一个完整的数据报，消息边界都在；但丢掉的那些就是没有了，接收方连少了几条都不知道（除非消息里自带编号）。",
        "UDP's receiver reads: each 'message' event brings one whole datagram, boundaries intact; but the lost ones are simply missing, and the reader cannot even tell how many (unless the messages carry numbers of their own).",
    )),
    line("tcp-vs-udp", At::Teach(4), T::new(
        "TCP 的接收方读取：每个字节都到了，而且按顺序，哪怕中途丢过报文；但 'data' 事件带来的是字节流里的一段，不是一条条消息。要找回消息边界，程序得自己加长度前缀或分隔符。",
        "TCP's receiver reads: every byte is there and in order, though segments were lost on the way; but a 'data' event brings a stretch of the byte stream, not messages. To get the message boundaries back the program must add its own length prefix or delimiter.",
    )),
    line("tcp-vs-udp", At::Teach(7), T::new(
        "TCP 把消息当作字节流发送：几次 socket.write() 可以合进同一个报文段（Nagle 算法，RFC 896；net 的连接默认开着它，socket.setNoDelay(true) 才关掉），所以报文段和消息并不一一对应。对比 UDP：一次 socket.send() 一个数据报。",
        "TCP sends the messages as a byte stream: several socket.write() calls can share one segment (Nagle's algorithm, RFC 896; net's connections have it on until socket.setNoDelay(true)), so segments do not match messages. Compare with UDP: one datagram per socket.send().",
    )),
    line("sticky", At::Teach(0), T::new(
        "data1 单独占一个报文段，接收方在 data2 到达之前就把它读走了：两个 'data' 事件，两条消息。这是运气，不是保证：TCP 只保证字节和它们的顺序，从不保证边界。",
        "data1 travels in a segment of its own and the reader reads it before data2 arrives: two 'data' events, two messages. That is luck, not a guarantee: TCP promises the bytes and their order, never the boundaries.",
    )),
    line("sticky", At::Teach(1), T::new(
        "data1 比一个 MSS（这里是 1448 字节）还长，TCP 把它切成两个报文段；第一段到达时接收方正空着，libuv 马上读，第一个 'data' 事件只带来前一部分。剩下的 data1 和 data2 随后在一个 'data' 事件里一起出来：边界落在接收方恰好读的地方，而不是发送方写的地方。",
        "data1 is longer than one MSS (1448 bytes here), so TCP cuts it into two segments; the reader is idle when the first arrives, libuv reads at once, and the first 'data' event brings only the first part. The rest of data1 then comes out together with data2 in one 'data' event: the boundary falls where the reader happened to read, not where the writer wrote.",
    )),
    line("sticky", At::Teach(2), T::new(
        "libuv 读的时候，data1 和 data2 的前一部分都已经到了：一个 'data' 事件带来两者，data2 的其余部分稍后才来。除非字节本身带着标记，程序无从知道 data1 在哪里结束。",
        "data1 and the first part of data2 have both arrived when libuv reads: one 'data' event brings both, and the rest of data2 comes later. Unless the bytes themselves say so, the program cannot tell where data1 ended.",
    )),
    line("sticky", At::Teach(3), T::new(
        "data2 到达时 data1 还在接收缓冲区里等着：接收方读得晚（事件循环正忙，或者程序调用了 socket.pause()），等到读的时候，libuv 一次读出全部 600 字节（一次最多 64 KiB），一个 'data' 事件里两条消息粘在一起，这就是典型的“粘包”。接收缓冲区是一条字节流，不记得 socket.write() 调用了几次。",
        "data2 arrives while data1 is still waiting in the receive buffer: the reader is late (its event loop is busy, or the program called socket.pause()), and when it reads, libuv takes all 600 bytes at once (up to 64 KiB a read): one 'data' event, both messages glued together, the classic sticky packet. The receive buffer is a byte stream with no memory of the socket.write() calls.",
    )),
    line("sticky", At::Teach(8), T::new(
        "服务器的 socket 触发 'end'，Node 立即替它调用 socket.end()（allowHalfOpen 默认为 false）：它的 FIN 同时确认了客户端的 FIN，所以这次挥手只用三个报文，而不是四个。",
        "The server's socket emits 'end' and Node calls socket.end() for it at once (allowHalfOpen is false by default): its FIN also acknowledges the client's FIN, so this teardown takes three segments, not four.",
    )),
    line("sticky", At::Teach(9), T::new(
        "客户端发完两条消息后调用 socket.end()。它是主动关闭方，最后在 TIME-WAIT 等 60 秒；粘包的故事到这里已经讲完了：边界早在每个 'data' 事件读出多少字节时就决定了。",
        "Having sent both messages, the client calls socket.end(); as the active closer it ends in TIME-WAIT for 60 s. The sticky-packet story is already over by now: the boundaries were decided by how many bytes each 'data' event brought.",
    )),
    line("sticky", At::Teach(10), T::new(
        "先建立连接。这个实验关心的是之后的数据：客户端将连续调用两次 socket.write()，看服务器的 'data' 事件怎么把它们读出来。",
        "The connection opens first. The experiment is about what follows: the client will call socket.write() twice in a row, and we watch how the server's 'data' events read them out.",
    )),
    line("udp", At::Teach(0), T::new(
        "每次 socket.send() 恰好变成一个数据报：20、35、50 字节的三条消息，就是线上的三个数据报，各带自己的 8 字节 UDP 头和长度。没有连接，也不先握手：第一个字节在 0 时刻就出发了。",
        "Each socket.send() becomes exactly one datagram: three messages of 20, 35 and 50 bytes are three datagrams on the wire, each with its own 8-byte UDP header and length. There is no connection and no handshake first: the first byte leaves at time 0.",
    )),
    line("udp", At::Teach(2), T::new(
        "接收方这时才读：三个 'message' 事件分别带来 20、35、50 字节，恰好是发送的三条消息。虽然三个数据报早已一起在队列里等着，libuv 每次也只读出一个，一个数据报一个事件。这就是 UDP 没有“粘包”的原因；TCP 在同样的情况下，一个 'data' 事件可能带来全部 105 字节（见“粘包”场景）。",
        "Only now does the receiver read: three 'message' events bring 20, 35 and 50 bytes, exactly the three messages sent. Although the three datagrams had been waiting together, libuv reads them one at a time, one event per datagram. This is why UDP has no sticky packets; TCP in the same place could bring all 105 bytes in one 'data' event (see the sticky-packets scene).",
    )),
    line("udp", At::Teach(5), T::new(
        "这里 Node 和 C 不同。图上是 C 程序：recvfrom(2) 只给 10 字节的缓冲区，内核返回这个数据报的前 10 字节，丢掉剩下的 20 字节（并置 MSG_TRUNC），下一次读到的是下一个数据报的开头。Node 程序没有读取长度可设：libuv 用 64 KiB 的缓冲区读每个数据报，两个 'message' 事件各带来完整的 30 字节，不会截断。",
        "Here Node differs from C. The diagram shows a C program: recvfrom(2) gets a 10-byte buffer, so the kernel returns the datagram's first 10 bytes, discards the other 20 (setting MSG_TRUNC), and the next read returns the start of the next datagram. A Node program has no read size to give: libuv reads each datagram into a 64 KiB buffer, and each of the two 'message' events brings all 30 bytes, never truncated.",
    )),
    line("udp", At::Teach(8), T::new(
        "程序收到的是：第 2 条消息不见了，第 3 条出现两次，第 4 条排在第 5 条后面。'message' 事件对这些毫无提示；需要顺序或完整的程序，要自己给消息编号（QUIC、RTP 都这样做）。",
        "What the program receives: the 2nd message is missing, the 3rd comes twice, and the 4th comes after the 5th. The 'message' events give no hint of any of it; a program that needs order or completeness numbers its own messages (as QUIC and RTP do).",
    )),
    line("udp", At::Teach(10), T::new(
        "三个客户端往同一个服务器套接字发送。没有连接：一个 dgram 套接字接收所有人的数据报，'message' 事件的 rinfo 告诉它每个数据报来自哪里。这是一个套接字上的 n:1；TCP 则是每个客户端一个 socket，各来自一个 'connection' 事件。",
        "Three clients send to the same server socket. There are no connections: one dgram socket receives from all of them, and the 'message' event's rinfo tells it where each datagram came from. That is n:1 on a single socket; TCP would have one socket per client, each from a 'connection' event.",
    )),
    line("udp", At::Teach(12), T::new(
        "服务器在它唯一的套接字上收到三个 'message' 事件，每个带来一个数据报和它的来源（rinfo.address 和 rinfo.port）：靠这个地址，它知道该回复谁（socket.send(reply, rinfo.port, rinfo.address)）。没有 'connection' 事件，也不是每个客户端一个套接字。",
        "The server gets three 'message' events on its one socket, each with one datagram and where it came from (rinfo.address and rinfo.port), which is how it knows whom to answer (socket.send(reply, rinfo.port, rinfo.address)). No 'connection' event, and no socket per client.",
    )),
    line("udp", At::Teach(15), T::new(
        "三个接收者各自把每条消息收到一次（各一个 'message' 事件）：先 40 字节，再 60 字节。发送方只调用了两次 socket.send()；副本是由网络和接收方主机的内核做出来的。",
        "Each of the three receivers gets each message once (one 'message' event each): 40 bytes, then 60. The sender called socket.send() only twice; the network and the receiving hosts' kernels made the copies.",
    )),
    line("backlog", At::Teach(0), T::new(
        "accept 队列满了（没有人把连接取走：在 Node 里就是事件循环被占着，libuv 没有机会调用 accept(2)），而 tcp_abort_on_overflow 为 0：服务器对握手的最后一个 ACK 和后面的数据视而不见（内核 tcp_check_req 里的 listen_overflow）。客户端的 'connect' 已经触发，以为连接已经建立，服务器却还把请求留在 SYN-RECEIVED。",
        "The accept queue is full (nothing takes the connections: in Node, the event loop is held and libuv gets no chance to call accept(2)) and tcp_abort_on_overflow is 0, so the server ignores the handshake's final ACK and the data behind it (listen_overflow in the kernel's tcp_check_req). The client's 'connect' has fired and it believes it is connected; the server still keeps the request in SYN-RECEIVED.",
    )),
    line("backlog", At::Teach(1), T::new(
        "客户端重发它的数据：一直没有收到 ACK。每次重试的等待时间翻倍（RTO 退避，RFC 6298 §5.5）。注意它的 'connect' 早就触发了，socket.write() 也早已返回：程序对这一切毫不知情。",
        "The client resends its data: it never got an ACK for it. Each retry waits twice as long as the one before (RTO backoff, RFC 6298 §5.5). Notice that its 'connect' fired long ago and its socket.write() returned long ago: the program knows nothing of this.",
    )),
    line("backlog", At::Teach(2), T::new(
        "服务器还把请求留在 SYN-RECEIVED，于是按 1、2、4、8、16 秒重发 SYN-ACK（tcp_synack_retries，Linux 默认 5 次）。如果这时事件循环空了下来、libuv 用 accept(2) 腾出了位置，客户端回的 ACK 就能完成连接。",
        "The server, still holding the request in SYN-RECEIVED, resends its SYN-ACK after 1, 2, 4, 8, 16 s (tcp_synack_retries, 5 on Linux). Had the event loop got free by now and libuv made room with accept(2), the client's answering ACK would complete the connection.",
    )),
    line("backlog", At::Teach(7), T::new(
        "RST 到达，客户端的连接就此结束：'connect' 明明早已触发，socket 却触发 'error'（ECONNRESET），接着是 'close'。第二个 RST（回应那段数据的）到达时套接字已经关闭，被直接丢弃：RST 从不被回应。",
        "The RST arrives and the client's connection is over: 'connect' had fired long ago, yet the socket now emits 'error' with ECONNRESET, then 'close'. The second RST, answering the data, reaches a socket already closed and is simply discarded: nobody answers a RST.",
    )),
    line("backlog", At::Teach(14), T::new(
        "历史上的 BSD 模型只有一个上限，同时计算半连接和已完成的连接；到了 backlog，新的 SYN 就被悄悄丢掉。Linux 从 2.2 起把两者分开（tcp_max_syn_backlog 和 server.listen() 的 backlog）。",
        "The historic BSD model has one limit that counts half-open and completed connections together; at the backlog a new SYN is silently dropped. Linux has kept the two apart since 2.2 (tcp_max_syn_backlog and the backlog of server.listen()).",
    )),
    line("backlog", At::Teach(16), T::new(
        "SYN 的重试（tcp_syn_retries）用完了，距 net.connect() 大约两分钟，客户端的 socket 触发 'error'（ETIMEDOUT）。服务器的事件循环始终被占着、一个连接也没取走，让客户端白等了这么久。",
        "Its SYN retries (tcp_syn_retries) spent, about two minutes after net.connect(), the client's socket emits 'error' with ETIMEDOUT. A server whose event loop never got free to take a connection kept this client waiting all that time.",
    )),
    line("backlog", At::Teach(17), T::new(
        "连接从 SYN 队列进入 accept 队列。在这个例子里，服务器的事件循环 1.5 秒后才空出来，之后每个 'connection' 回调又同步忙 300 毫秒，所以 libuv 每 300 毫秒才取走一个连接：腾出位置后，重试的 SYN 会得到回应，连接得以完成。",
        "The connection moves from the SYN queue to the accept queue. In this case the server's event loop is free only from 1.5 s on, and each 'connection' handler then keeps it busy for 300 ms, so libuv takes one connection every 300 ms: once it has made room, a retried SYN is answered and the connection completes.",
    )),
    line("backlog", At::Teach(18), T::new(
        "最后的 ACK 到达，连接从 SYN 队列移到 accept 队列，在那里等事件循环：libuv 调用 accept(2) 取走它，Node 才触发 'connection'；内核甚至会先替它确认收到的数据。Linux 的 accept 队列能放 backlog + 1 个连接（检查用的是“大于”）；之后再来的就要看上面的规则了。",
        "The final ACK arrives and the connection moves from the SYN queue to the accept queue, where it waits for the event loop: libuv takes it with accept(2) and only then does Node emit 'connection'; the kernel even acknowledges its data before then. Linux's accept queue holds backlog + 1 connections (the check is \"greater than\"); what comes after that depends on the rules above.",
    )),
    line("backlog", At::Teach(19), T::new(
        "客户端收到 SYN-ACK 就进入 ESTABLISHED，回 ACK，触发 'connect'，马上用 socket.write() 发出请求。它看不到服务器的队列：服务器这边的连接能否完成，要看 ACK 到达时 accept 队列有没有位置。",
        "The client is ESTABLISHED on the SYN-ACK, sends its ACK, emits 'connect' and writes its request at once with socket.write(). It cannot see the server's queues: whether the server's side completes depends on room in the accept queue when that ACK arrives.",
    )),
    line("backlog", At::Teach(20), T::new(
        "服务器调用 server.listen(port, host, backlog) 之后，内核替它完成握手：每个 SYN 先在 SYN 队列里记为 SYN-RECEIVED，并回 SYN-ACK。libuv 的 accept(2)（随后是 'connection' 事件）只从 accept 队列里取已经完成的连接。",
        "After the server's server.listen(port, host, backlog), the kernel completes handshakes on its behalf: each SYN is kept in the SYN queue as SYN-RECEIVED and answered with a SYN-ACK. libuv's accept(2), and the 'connection' event after it, only take completed connections from the accept queue.",
    )),
    line("window", At::Teach(14), T::new(
        "发送方写完所有数据就调用 socket.end()：Node 先把自己队列里（writableLength）还没交出的字节交给内核，FIN 排在所有数据后面，等数据都被确认才轮到它。之后是常规的挥手，发送方最后在 TIME-WAIT 等 60 秒。",
        "Having written everything, the sender calls socket.end(): Node first hands the kernel whatever still waits in its own queue (writableLength), and the FIN queues behind all the data and is acknowledged only after all of it. Then comes the usual teardown, with the sender ending in TIME-WAIT for 60 s.",
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
            At::Teach(n) => format!("teach.{n}"),
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

/// Row `row` of the scene's teaching paragraphs in the Node view, where it differs from the C
/// view's (empty while the Node view's file is on its way; `None` for a row with no entry, or
/// when the file could not be had: the C view's words then). The page hands it to the player
/// as [`crate::engine::teach::NodeRows`] in the Node view only.
pub fn teach(scene: &'static str, row: usize) -> Option<T> {
    own(scene, |at| at == At::Teach(row))
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
    fn every_teaching_paragraph_that_names_a_c_call_has_node_words_and_no_other_does() {
        let mut wrong = Vec::new();
        for s in crate::scenes::ALL {
            let id = s.route.id();
            for (n, r) in s.teach.iter().enumerate() {
                let c_call = bare_c_call(r.text.zh).or(bare_c_call(r.text.en));
                let own = LINES.iter().any(|l| l.scene == id && l.at == At::Teach(n));
                if c_call.is_some() != own {
                    wrong.push(format!(
                        "{id} row {n} ({c_call:?}, Node words: {own}): {}",
                        r.text.en
                    ));
                }
            }
            let rows = s.teach.len();
            for l in LINES.iter().filter(|l| l.scene == id) {
                if let At::Teach(n) = l.at {
                    assert!(n < rows, "{id}: no row {n} in a table of {rows}");
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_node_view_tells_a_teaching_row_that_names_a_c_call_in_its_own_words() {
        use crate::engine::teach::{paragraph, NodeRows, Teach};
        let s = crate::scenes::ALL
            .iter()
            .find(|s| s.route.id() == "handshake")
            .expect("the handshake scene");
        let p = s.base_params();
        let trace = s.run(&p, &Default::default()).expect("the case runs");
        let first = 0..trace.events.partition_point(|e| e.t == trace.events[0].t);
        let teach = |node| Teach {
            rows: s.teach,
            case: p.case.clone().into(),
            node,
        };
        let c = paragraph(&teach(None), &trace, first.clone()).expect("a C paragraph");
        let rows = NodeRows {
            scene: "handshake",
            row: super::teach,
        };
        let node = paragraph(&teach(Some(rows)), &trace, first).expect("a Node paragraph");
        assert!(bare_c_call(c.en).is_some(), "{}", c.en);
        assert_ne!(node, c);
        assert_eq!(bare_c_call(node.en), None, "{}", node.en);
        assert_eq!(bare_c_call(node.zh), None, "{}", node.zh);
        assert!(node.en.contains("net.connect()"), "{}", node.en);
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
