//! Sticky packets: how two send() calls come out of recv(), case by case (the interview
//! chapter's four outcomes, and Nagle meeting delayed ACK).

use synack_model::read::SegKind::{Ack, Data, Fin};
use synack_model::trace::TcpState::{CloseWait, Closed, FinWait1, FinWait2, LastAck, TimeWait};
use synack_model::trace::TimerKind;

use crate::engine::teach::{enters, moves, row, sent, On, Row, OPENING_WITH_ACK};

pub static ROWS: &[Row] = &[
    row(
        &["a"],
        sent(Data, "client"),
        "data1 单独占一个报文段，接收方在 data2 到达之前就把它读走了：两次 recv()，两条消息。这是运气，不是保证：TCP 只保证字节和它们的顺序，从不保证边界。",
        "data1 travels in a segment of its own and the reader reads it before data2 arrives: two recv() calls, two messages. That is luck, not a guarantee: TCP promises the bytes and their order, never the boundaries.",
    ),
    row(
        &["b"],
        sent(Data, "client"),
        "data1 比一个 MSS（这里是 1448 字节）还长，TCP 把它切成两个报文段，接收方第一次 recv() 只拿到前一部分。剩下的 data1 和 data2 随后在一次读取里一起出来：边界落在接收方恰好读的地方，而不是发送方写的地方。",
        "data1 is longer than one MSS (1448 bytes here), so TCP cuts it into two segments and the reader's first recv() returns only the first part. The rest of data1 then comes out together with data2 in one read: the boundary falls where the reader happened to read, not where the writer wrote.",
    ),
    row(
        &["c"],
        sent(Data, "client"),
        "data1 和 data2 的前一部分在接收方调用 recv() 之前都到了：一次读取拿到两者，data2 的其余部分稍后才来。除非字节本身带着标记，应用无从知道 data1 在哪里结束。",
        "data1 and the first part of data2 have both arrived when the reader calls recv(): one read returns both, and the rest of data2 comes later. Unless the bytes themselves say so, the application cannot tell where data1 ended.",
    ),
    row(
        &["d"],
        sent(Data, "client"),
        "data2 到达时 data1 还在接收缓冲区里等着：接收方读得慢，它唯一的一次 recv() 返回 600 字节，两条消息粘在一起，这就是典型的“粘包”。接收缓冲区是一条字节流，不记得 send() 调用的次数。",
        "data2 arrives while data1 is still waiting in the receive buffer: the reader is slow, and its single recv() returns 600 bytes, both messages glued together, the classic sticky packet. The receive buffer is a byte stream with no memory of the send() calls.",
    ),
    row(
        &["nagle-stall"],
        sent(Data, "server"),
        "服务器回复请求，回复里顺带确认了请求（捎带 ACK），所以这一来一回不用等。",
        "The server answers the request, and the answer carries the ACK of the request (a piggybacked ACK), so this exchange costs no wait.",
    ),
    row(
        &["nagle-stall"],
        On::Either(&[On::Timer(TimerKind::DelayedAck), sent(Ack, "server")]),
        "服务器没有数据要回，于是推迟它的 ACK（Linux 至少 40 毫秒，TCP_DELACK_MIN；RFC 1122 §4.2.3.2 允许最多 500 毫秒）。与此同时，客户端接下来的小块写入被 Nagle 算法扣住，等的正是这个 ACK。",
        "The server has nothing to send back, so it delays its ACK (at least 40 ms on Linux, TCP_DELACK_MIN; RFC 1122 §4.2.3.2 allows up to 500 ms). Meanwhile the client's next small writes are held by Nagle's algorithm, which is waiting for that very ACK.",
    ),
    row(
        &["nagle-stall"],
        sent(Data, "client"),
        "客户端每次写得都很少。Nagle 算法（RFC 896，RFC 1122 §4.2.3.4）只在没有未确认数据时才发小报文段，否则把字节攒着等 ACK。注意最后一个报文段前的空白：那就是服务器的延迟 ACK，两个都很“礼貌”的算法在互相等待。客户端设置 TCP_NODELAY 就不用等了。",
        "Each client write is small. Nagle's algorithm (RFC 896, RFC 1122 §4.2.3.4) sends a small segment only when nothing is unacknowledged, and otherwise holds the bytes until the ACK comes. Notice the gap before the last segment: it is the server's delayed ACK, two polite algorithms waiting for each other. TCP_NODELAY on the client removes the wait.",
    ),
    row(
        &[],
        sent(Ack, "server"),
        "服务器的内核在数据到达时就确认它，不管应用读没读：ACK 的意思是“已经在我的缓冲区里”，而不是“已经交给应用”。",
        "The server's kernel acknowledges the data as it arrives, whether or not the application has read it: an ACK means \"in my buffer\", not \"delivered to the application\".",
    ),
    row(
        &[],
        On::Either(&[moves("server", CloseWait, LastAck), sent(Fin, "server")]),
        "服务器的 recv() 返回 0，它立即 close()：它的 FIN 同时确认了客户端的 FIN，所以这次挥手只用三个报文，而不是四个。",
        "The server's recv() returns 0 and it closes at once: its FIN also acknowledges the client's FIN, so this teardown takes three segments, not four.",
    ),
    row(
        &[],
        On::Either(&[
            sent(Fin, "client"),
            enters("", FinWait1),
            enters("", FinWait2),
            enters("", CloseWait),
            enters("", TimeWait),
            enters("", Closed),
        ]),
        "客户端发完两条消息后关闭连接。它是主动关闭方，最后在 TIME-WAIT 等 60 秒；粘包的故事到这里已经讲完了：边界早在 recv() 时就决定了。",
        "Having sent both messages, the client closes the connection; as the active closer it ends in TIME-WAIT for 60 s. The sticky-packet story is already over by now: the boundaries were decided by the recv() calls.",
    ),
    row(
        &[],
        OPENING_WITH_ACK,
        "先建立连接。这个实验关心的是之后的数据：客户端将连续调用两次 send()，看服务器的 recv() 怎么把它们读出来。",
        "The connection opens first. The experiment is about what follows: the client will call send() twice in a row, and we watch how the server's recv() calls read them out.",
    ),
];
