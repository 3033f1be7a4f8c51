//! UDP: datagrams, their boundaries, and what the network may do to them.

use synack_model::read::SegKind::Udp;

use crate::engine::teach::{lost, row, sent, Row, Why};

pub static ROWS: &[Row] = &[
    row(
        &["boundaries"],
        sent(Udp, "client"),
        "每次 sendto() 恰好变成一个数据报，每次 recvfrom() 恰好取走一个：三条消息，三次读取，不管接收方等多久再读。UDP 保留消息边界，因为内核排队的单位就是整个数据报，所以 UDP 没有“粘包”。",
        "Each sendto() becomes exactly one datagram and each recvfrom() returns exactly one: three messages, three reads, however long the reader waits. UDP keeps message boundaries because the kernel queues whole datagrams, which is why there are no sticky packets in UDP.",
    ),
    row(
        &["truncation"],
        sent(Udp, "client"),
        "这个数据报有 30 字节，接收方的缓冲区只有 10 字节：recvfrom() 返回前 10 字节，剩下的 20 字节被内核丢弃（MSG_TRUNC 标志说明发生了截断），下一次读到的是下一个数据报。用 UDP 时，缓冲区要按最大的消息来准备。",
        "The datagram is 30 bytes and the reader's buffer holds 10: recvfrom() returns the first 10 and the kernel discards the other 20 (the MSG_TRUNC flag says so); the next read returns the next datagram. With UDP the reader must size its buffer for the largest message.",
    ),
    row(
        &["unreliable"],
        lost(None, Why::Network),
        "第 2 个数据报丢了。没有人重发，接收方的 recvfrom() 也永远不会返回它：丢失是无声的。",
        "The 2nd datagram is lost. Nobody resends it, and the receiver's recvfrom() never returns it: loss is silent.",
    ),
    row(
        &["unreliable"],
        sent(Udp, "client"),
        "五个数据报按顺序发出。这条路径上网络会丢掉一个、复制一个、再把一个耽搁到被后一个超过；UDP 对这些都不做修补。应用看到的是缺口、重复和乱序，要不要处理由应用自己决定。",
        "Five datagrams leave in order. On this path the network loses one, duplicates one and holds one back so the next overtakes it; UDP repairs none of it. The application sees a gap, a repeat and the wrong order, and deciding what to do about them is its own job.",
    ),
    row(
        &["many-senders"],
        sent(Udp, "client"),
        "三个客户端往同一个服务器套接字发送。没有连接：一个套接字接收所有人的数据报，recvfrom() 告诉它每个数据报来自哪里。这是一个套接字上的 n:1；TCP 要为每个客户端 accept() 一个套接字。",
        "Three clients send to the same server socket. There are no connections: one socket receives from all of them, and recvfrom() tells it where each datagram came from. That is n:1 on a single socket; TCP would accept() one socket per client.",
    ),
    row(
        &["multicast"],
        sent(Udp, "sender"),
        "发往组播地址的一个数据报，会到达每个加入了该组的套接字：有两个接收方共用端口（SO_REUSEADDR）的那台主机，给每个套接字各交付一份。一次发送，多个接收方（n:m）；TCP 的连接只有两个端点，做不到这一点。",
        "One datagram to a group address reaches every socket that joined the group: the host where two receivers share the port (SO_REUSEADDR) delivers a copy to each. One send, many receivers (n:m), which TCP, a connection between exactly two endpoints, cannot do.",
    ),
];
