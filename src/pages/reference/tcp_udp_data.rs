//! TCP's properties and the TCP/UDP comparison, in our own words. Where the interview chapter's table is
//! loose, `fix` says what is actually true (RFC 9293 for TCP, RFC 768 for UDP).
//!
//! The words are out of every build (`crate::texts`): the page fetches `words/ref-tcp-udp.tsv`
//! when it opens, one line per text in the order of [`texts`].

use crate::route::Route;
use crate::texts::{tx, Tx};

pub struct Feature {
    pub text: Tx,
    /// What the interview chapter's wording gets wrong or leaves out, if anything.
    pub fix: Option<Tx>,
    pub scenes: &'static [Route],
}

pub const FEATURES: &[Feature] = &[
    Feature {
        text: tx(
            "面向连接的可靠字节流：先用三次握手建立连接，之后双方看到的是一条有序、不丢不重的字节流，而不是一条条消息。",
            "A connection-oriented, reliable byte stream: a three-way handshake sets it up, then each side sees an ordered stream of bytes with nothing lost or repeated, not a series of messages.",
        ),
        fix: None,
        scenes: &[Route::Handshake, Route::Sticky],
    },
    Feature {
        text: tx(
            "一条连接恰好有两个端点（IP + 端口各一对），所以 TCP 不能用于广播和多播；要一对多只能用 UDP。",
            "A connection has exactly two endpoints (one IP and port pair each), so TCP cannot broadcast or multicast; one-to-many needs UDP.",
        ),
        fix: None,
        scenes: &[Route::Udp],
    },
    Feature {
        text: tx(
            "校验和发现损坏，确认（ACK）告诉发送方哪些到了，超时或重复确认触发重传，补上丢失的数据。",
            "A checksum catches corruption, acknowledgements tell the sender what arrived, and a timeout or duplicate ACKs trigger a retransmission of what was lost.",
        ),
        fix: None,
        scenes: &[Route::TcpVsUdp, Route::Window],
    },
    Feature {
        text: tx(
            "每个字节都有序号；接收方按序号重排、丢弃重复，并用累积确认号告诉对方“这之前的都收到了”。",
            "Every byte has a sequence number; the receiver reorders by it, drops duplicates, and its cumulative ACK says \"everything before this has arrived\".",
        ),
        fix: None,
        scenes: &[Route::TcpVsUdp, Route::Handshake],
    },
    Feature {
        text: tx(
            "流量控制：接收方在每个报文里通告接收窗口（rwnd），发送方在途的数据不超过它，慢读者不会被淹没。",
            "Flow control: the receiver advertises a receive window (rwnd) in every segment and the sender keeps no more than that in flight, so a slow reader is not flooded.",
        ),
        fix: Some(tx(
            "常见说法“通过动态改变窗口的大小进行拥塞控制”，混淆了两个窗口：接收窗口 rwnd 做流量控制（保护接收方），拥塞窗口 cwnd 由发送方自己根据丢包和 RTT 调整（保护网络）；实际能发的是两者中较小的那个。",
            "A common claim says congestion control works \"by changing the window size\", which mixes up two windows: the receive window rwnd is flow control (it protects the receiver); the congestion window cwnd is kept by the sender from loss and RTT (it protects the network). The sender may have min(rwnd, cwnd) in flight.",
        )),
        scenes: &[Route::Window],
    },
];

/// One row of the comparison table.
pub struct Row {
    /// Stable id for tests: `data-testid="tcpudp-row-<id>"`.
    pub id: &'static str,
    pub aspect: Tx,
    pub tcp: Tx,
    pub udp: Tx,
    pub fix: Option<Tx>,
    pub scenes: &'static [Route],
}

pub const ROWS: &[Row] = &[
    Row {
        id: "connection",
        aspect: tx("连接", "Connection"),
        tcp: tx("面向连接：三次握手建立，四次挥手关闭", "Connection-oriented: three-way handshake to open, four segments to close"),
        udp: tx("无连接：直接发送，没有建立和关闭", "Connectionless: just send, nothing to open or close"),
        fix: None,
        scenes: &[Route::Handshake, Route::Teardown],
    },
    Row {
        id: "duplex",
        aspect: tx("双工与对端", "Duplex and peers"),
        tcp: tx("全双工，恰好一对一", "Full duplex, exactly one to one"),
        udp: tx("一个套接字可与多个对端收发（n:m），支持广播与多播", "One socket may exchange datagrams with many peers (n:m); broadcast and multicast work"),
        fix: Some(tx(
            "常说的 “n:m” 不是指 UDP 不能双向：UDP 同样可以双向收发。它的意思是一个未 connect 的 UDP 套接字能和任意多个对端通信，多个进程还可以用 SO_REUSEADDR 绑定同一端口加入同一个多播组。",
            "The often-quoted \"n:m\" does not mean UDP is one-way — it is bidirectional too. It means an unconnected UDP socket can talk to any number of peers, and several processes can bind one port with SO_REUSEADDR to join the same multicast group.",
        )),
        scenes: &[Route::Udp],
    },
    Row {
        id: "reliability",
        aspect: tx("可靠性", "Reliability"),
        tcp: tx("可靠：确认、超时重传、快速重传", "Reliable: acknowledgements, timeout and fast retransmission"),
        udp: tx("不可靠：丢了就丢了，只有校验和", "Unreliable: a lost datagram is gone; only a checksum"),
        fix: None,
        scenes: &[Route::TcpVsUdp],
    },
    Row {
        id: "ordering",
        aspect: tx("有序性", "Ordering"),
        tcp: tx("有序：按序号重排，去掉重复", "Ordered: reassembled by sequence number, duplicates dropped"),
        udp: tx("无序：可能乱序、重复到达", "Unordered: datagrams may arrive out of order or twice"),
        fix: Some(tx(
            "常见的对照表写“通过 SYN 排序”不准确：SYN 只在握手时交换初始序号（ISN）；排序靠的是每个报文段里的序号（seq）和累积确认号（ack）。",
            "A common table says ordering is done \"by SYN\"; not quite: SYN only exchanges the initial sequence number (ISN) during the handshake. Ordering comes from the sequence number in every segment and the cumulative ACK.",
        )),
        scenes: &[Route::TcpVsUdp, Route::Handshake],
    },
    Row {
        id: "boundaries",
        aspect: tx("消息边界", "Message boundaries"),
        tcp: tx("没有边界：字节流，会出现“粘包”，应用层要自己分帧", "None: a byte stream, so messages \"stick together\" (粘包) and the application must frame them"),
        udp: tx("保留边界：一次 recvfrom() 取一个完整报文，不会粘包", "Kept: each recvfrom() returns one whole datagram, never glued"),
        fix: None,
        scenes: &[Route::Sticky, Route::Udp],
    },
    Row {
        id: "flow",
        aspect: tx("流量控制", "Flow control"),
        tcp: tx("有：接收窗口 rwnd，零窗口时发送方探测", "Yes: the receive window rwnd; probes when it is zero"),
        udp: tx("无：接收缓冲区满了，新报文直接被丢弃", "No: when the receive buffer is full, new datagrams are dropped"),
        fix: None,
        scenes: &[Route::Window],
    },
    Row {
        id: "congestion",
        aspect: tx("拥塞控制", "Congestion control"),
        tcp: tx("有：慢启动、拥塞避免、快速重传/恢复（cwnd、ssthresh）", "Yes: slow start, congestion avoidance, fast retransmit/recovery (cwnd, ssthresh)"),
        udp: tx("无：需要的话由应用自己做（例如 QUIC）", "No: the application does it if needed (QUIC does)"),
        fix: None,
        scenes: &[Route::Window],
    },
    Row {
        id: "speed",
        aspect: tx("速度", "Speed"),
        tcp: tx("首个字节要等一次握手（1 RTT）；丢包时后面的数据要等重传", "The first byte waits one handshake RTT; after a loss, later data waits for the retransmission"),
        udp: tx("第一个报文立即发出，丢包不阻塞后面的报文", "The first datagram leaves at once; a loss holds nothing else back"),
        fix: Some(tx(
            "“TCP 慢、UDP 快”说的是延迟，不是带宽：在干净的链路上 TCP 的吞吐并不比 UDP 低；慢在握手和丢包后的队头阻塞。",
            "\"TCP slow, UDP fast\" is about latency, not bandwidth: on a clean link TCP's throughput is no lower; the cost is the handshake and head-of-line blocking after a loss.",
        )),
        scenes: &[Route::TcpVsUdp, Route::Handshake],
    },
    Row {
        id: "weight",
        aspect: tx("量级", "Weight"),
        tcp: tx("重：每条连接都有状态、缓冲区、定时器和队列", "Heavy: every connection has state, buffers, timers and queues"),
        udp: tx("轻：内核里几乎不保存对端状态", "Light: the kernel keeps almost no per-peer state"),
        fix: Some(tx(
            "常见对照表的“低/高”容易读反：这里指 TCP 是重量级协议、UDP 是轻量级协议。",
            "The common table's \"low/high\" is easy to misread: it means TCP is heavyweight and UDP lightweight.",
        )),
        scenes: &[Route::Backlog, Route::Teardown],
    },
    Row {
        id: "header",
        aspect: tx("首部大小", "Header size"),
        tcp: tx("20–60 字节（20 字节固定部分 + 最多 40 字节选项）", "20–60 bytes (a 20-byte fixed part + up to 40 bytes of options)"),
        udp: tx("8 字节（源端口、目的端口、长度、校验和）", "8 bytes (source port, destination port, length, checksum)"),
        fix: None,
        scenes: &[Route::Handshake, Route::RefOsi],
    },
];

/// Every text of the page, in its file's order: (key, text).
pub fn texts() -> Vec<(String, Tx)> {
    let mut out = Vec::new();
    for (i, f) in FEATURES.iter().enumerate() {
        out.push((format!("feature.{i}"), f.text));
        out.extend(f.fix.map(|t| (format!("feature.{i}.fix"), t)));
    }
    for r in ROWS {
        out.push((format!("row.{}.aspect", r.id), r.aspect));
        out.push((format!("row.{}.tcp", r.id), r.tcp));
        out.push((format!("row.{}.udp", r.id), r.udp));
        out.extend(r.fix.map(|t| (format!("row.{}.fix", r.id), t)));
    }
    out
}
