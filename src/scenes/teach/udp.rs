//! UDP: datagrams, their boundaries, and what the network may do to them (RFC 768; udp(7)).
//! Each case is told in three steps: the datagrams leave, they arrive and wait in the
//! receiving socket's queue, and the application reads them.

use synack_model::read::SegKind::Udp;
use synack_model::trace::Proto;

use crate::engine::teach::{lost, row, sent, On, Row, Why};

/// A datagram reaching any host.
const ARRIVES: On = On::Arrived { kind: Udp, at: "" };
/// recvfrom() returning a datagram.
const READ: On = On::Read(Proto::Udp);

pub static ROWS: &[Row] = &[
    // Boundaries.
    row(
        &["boundaries"],
        sent(Udp, "client"),
        "每次 sendto() 恰好变成一个数据报：20、35、50 字节的三条消息，就是线上的三个数据报，各带自己的 8 字节 UDP 头和长度。没有连接，也不先握手：第一个字节在 0 时刻就出发了。",
        "Each sendto() becomes exactly one datagram: three messages of 20, 35 and 50 bytes are three datagrams on the wire, each with its own 8-byte UDP header and length. There is no connection and no handshake first: the first byte leaves at time 0.",
    ),
    row(
        &["boundaries"],
        ARRIVES,
        "三个数据报到达，内核把它们作为三个独立的数据报放进套接字的接收队列，每个都记着自己的长度和来源。应用还没有读：它们在队列里挨在一起，但不会被合并。",
        "The three datagrams arrive and the kernel puts them in the socket's receive queue as three separate datagrams, each keeping its length and its sender. The application has not read yet: they wait side by side, but they are never merged.",
    ),
    row(
        &["boundaries"],
        READ,
        "接收方这时才读：三次 recvfrom() 分别返回 20、35、50 字节，恰好是发送的三条消息。虽然三个数据报早已一起在队列里等着，一次读取也只取走一个。这就是 UDP 没有“粘包”的原因；TCP 在同样的情况下，一次 recv() 可能拿到全部 105 字节（见“粘包”场景）。",
        "Only now does the receiver read: three recvfrom() calls return 20, 35 and 50 bytes, exactly the three messages sent. Although the three datagrams had been waiting together, each read takes exactly one. This is why UDP has no sticky packets; TCP in the same place could hand all 105 bytes to one recv() (see the sticky-packets scene).",
    ),
    // Truncation.
    row(
        &["truncation"],
        sent(Udp, "client"),
        "发送方发出两个各 30 字节的数据报。接收方稍后读取时，只准备了 10 字节的缓冲区：注意读到的是什么。",
        "The sender sends two datagrams of 30 bytes each. The receiver will read them later with a buffer of only 10 bytes: notice what the reads return.",
    ),
    row(
        &["truncation"],
        ARRIVES,
        "两个数据报完整到达，在接收队列里各占一个位置，每个 30 字节，此时一个字节都没少。",
        "Both datagrams arrive whole and wait in the receive queue, 30 bytes each; not a byte is missing yet.",
    ),
    row(
        &["truncation"],
        READ,
        "recvfrom() 的缓冲区只有 10 字节：它返回这个数据报的前 10 字节，剩下的 20 字节被内核丢弃（recvmsg() 用 MSG_TRUNC 标志告知截断）；第二次读到的是下一个数据报的开头，而不是上一个剩下的部分。用 UDP 时，缓冲区要按最大的消息来准备。",
        "recvfrom() has a 10-byte buffer: it returns the first 10 bytes of the datagram and the kernel discards the other 20 (recvmsg() reports it with the MSG_TRUNC flag); the second read returns the start of the next datagram, not the rest of the first. With UDP the reader must size its buffer for the largest message.",
    ),
    // Unreliable.
    row(
        &["unreliable"],
        lost(None, Why::Network),
        "第 2 个数据报在路上丢了；同一时刻第 3 条消息出发，网络把它复制成了两份（图上两个箭头）。没有人重发丢掉的那个，也没有人去掉多出的那份：UDP 没有序号，这两件事都做不了。",
        "The 2nd datagram is lost on the way; at the same moment the 3rd message leaves and the network copies it (two arrows on the diagram). Nobody resends the lost one and nobody removes the extra copy: UDP has no sequence numbers to do either with.",
    ),
    row(
        &["unreliable"],
        ARRIVES,
        "数据报按网络送达的顺序进入接收队列，而不是按发送的顺序：第 3 个的副本紧跟着它到达，第 5 个赶在第 4 个之前。内核照单全收，既不排序也不去重。",
        "Datagrams enter the receive queue in the order the network delivers them, not the order they were sent: the copy of the 3rd arrives just after it, and the 5th overtakes the 4th. The kernel takes them as they come, neither sorting them nor removing duplicates.",
    ),
    row(
        &["unreliable"],
        READ,
        "应用读到的是：第 2 条消息不见了，第 3 条出现两次，第 4 条排在第 5 条后面。recvfrom() 对这些毫无提示；需要顺序或完整的应用，要自己给消息编号（QUIC、RTP 都这样做）。",
        "What the application reads: the 2nd message is missing, the 3rd comes twice, and the 4th comes after the 5th. recvfrom() gives no hint of any of it; an application that needs order or completeness numbers its own messages (as QUIC and RTP do).",
    ),
    row(
        &["unreliable"],
        sent(Udp, "client"),
        "五个数据报按顺序发出。这条路径上网络会丢掉一个、复制一个、再把一个耽搁到被后一个超过；UDP 对这些都不做修补。应用看到的是缺口、重复和乱序，要不要处理由应用自己决定。",
        "Five datagrams leave in order. On this path the network loses one, duplicates one and holds one back so the next overtakes it; UDP repairs none of it. The application sees a gap, a repeat and the wrong order, and deciding what to do about them is its own job.",
    ),
    // Many senders.
    row(
        &["many-senders"],
        sent(Udp, "client"),
        "三个客户端往同一个服务器套接字发送。没有连接：一个套接字接收所有人的数据报，recvfrom() 告诉它每个数据报来自哪里。这是一个套接字上的 n:1；TCP 要为每个客户端 accept() 一个套接字。",
        "Three clients send to the same server socket. There are no connections: one socket receives from all of them, and recvfrom() tells it where each datagram came from. That is n:1 on a single socket; TCP would accept() one socket per client.",
    ),
    row(
        &["many-senders"],
        ARRIVES,
        "三个客户端的数据报先后到达，进入这一个服务器套接字的同一个接收队列。每个数据报都带着它的源地址和端口，队列里的顺序就是到达的顺序。",
        "The three clients' datagrams arrive one after another into the same receive queue of the one server socket. Each carries its source address and port; the queue's order is the order of arrival.",
    ),
    row(
        &["many-senders"],
        READ,
        "服务器在同一个套接字上读三次，每次 recvfrom() 返回一个数据报和它的来源地址：靠这个地址，它知道该回复谁（对那个地址 sendto()）。没有 accept()，也不是每个客户端一个套接字。",
        "The server reads three times on its one socket; each recvfrom() returns one datagram and the address it came from, which is how it knows whom to answer (a sendto() to that address). No accept(), and no socket per client.",
    ),
    // Multicast.
    row(
        &["multicast"],
        sent(Udp, "sender"),
        "发往组播地址的一个数据报，会到达每个加入了该组的套接字：有两个接收方共用端口（SO_REUSEADDR）的那台主机，给每个套接字各交付一份。一次发送，多个接收方（n:m）；TCP 的连接只有两个端点，做不到这一点。",
        "One datagram to a group address reaches every socket that joined the group: the host where two receivers share the port (SO_REUSEADDR) delivers a copy to each. One send, many receivers (n:m), which TCP, a connection between exactly two endpoints, cannot do.",
    ),
    row(
        &["multicast"],
        ARRIVES,
        "每条消息到达两台主机。第一台主机上有两个套接字加入了这个组、绑定同一个端口，内核给它们的接收队列各放一份；第二台主机上的那个接收者也收到自己的一份。",
        "Each message reaches both hosts. On the first, two sockets joined the group and are bound to the same port, and the kernel puts a copy in each one's receive queue; the receiver on the second host gets its own copy.",
    ),
    row(
        &["multicast"],
        READ,
        "三个接收者各自把每条消息读到一次：先 40 字节，再 60 字节。发送方只调用了两次 sendto()；副本是由网络和接收方主机的内核做出来的。",
        "Each of the three receivers reads each message once: 40 bytes, then 60. The sender called sendto() only twice; the network and the receiving hosts' kernels made the copies.",
    ),
];
