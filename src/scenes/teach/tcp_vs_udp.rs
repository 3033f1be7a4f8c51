//! TCP vs UDP over the same lossy link: what each step says about the two protocols.

use synack_model::read::SegKind::{Ack, Data, Fin, Udp};
use synack_model::trace::Proto;
use synack_model::trace::TcpState::{CloseWait, Closed, FinWait1, FinWait2, LastAck, TimeWait};

use crate::engine::teach::{any_sent, enters, lost, row, sent, On, Row, Why, OPENING};

pub static ROWS: &[Row] = &[
    row(
        &[],
        lost(Some(Udp), Why::Network),
        "一个数据报丢了，事情就到此为止：UDP 没有序号、没有确认、也没有定时器。接收方的应用永远收不到这条消息，也没有谁会被告知（RFC 768）。",
        "A datagram is lost, and that is the end of it: UDP has no sequence numbers, no acknowledgements and no timer. The receiving application never gets this message, and nobody is told (RFC 768).",
    ),
    row(
        &[],
        lost(None, Why::Network),
        "一个 TCP 报文也丢了：网络对两种协议一视同仁。区别在于接下来发生的事：TCP 的发送方有定时器，没被确认的东西它会再发。",
        "A TCP segment is lost too: the network treats both protocols alike. The difference is what happens next: TCP's sender has a timer and will send again whatever is not acknowledged.",
    ),
    row(
        &[],
        On::Resent { from: "" },
        "TCP 的定时器到期，重发没被确认的报文（握手阶段等 1 秒，之后按测得的往返时间算 RTO，RFC 6298）。这就是 TCP 可靠的代价：它的这一轮比 UDP 结束得晚。",
        "TCP's timer expires and it resends what was not acknowledged (1 s during the handshake, later an RTO computed from the measured round trip, RFC 6298). This is what reliability costs: TCP's run ends later than UDP's.",
    ),
    row(
        &[],
        On::Read(Proto::Udp),
        "UDP 的接收方读取：每次 recvfrom() 取走一个数据报，消息边界都在；但丢掉的那些就是没有了，接收方连少了几条都不知道（除非消息里自带编号）。",
        "UDP's receiver reads: each recvfrom() takes one datagram, boundaries intact; but the lost ones are simply missing, and the reader cannot even tell how many (unless the messages carry numbers of their own).",
    ),
    row(
        &[],
        On::Read(Proto::Tcp),
        "TCP 的接收方读取：每个字节都到了，而且按顺序，哪怕中途丢过报文；但 recv() 返回的是字节流里的一段，不是一条条消息。要找回消息边界，应用得自己加长度前缀或分隔符。",
        "TCP's receiver reads: every byte is there and in order, though segments were lost on the way; but recv() returns a stretch of the byte stream, not messages. To get the message boundaries back the application must add its own length prefix or delimiter.",
    ),
    row(
        &[],
        On::Arrived {
            kind: Ack,
            at: "client",
        },
        "服务器的确认到达 TCP 发送方：直到这时它才知道那些字节已经送到。还有没被确认的字节时，它为这些字节重新启动重传定时器（RFC 6298 §5.3）。UDP 的发送方从来收不到这样的消息。",
        "The server's acknowledgement reaches the TCP sender: only now does it know those bytes arrived. Where bytes are still unacknowledged, it restarts its retransmission timer for them (RFC 6298 §5.3). UDP's sender never gets news of this kind.",
    ),
    row(
        &[],
        sent(Udp, "client"),
        "UDP 把每条消息立即作为一个独立的数据报发出：不先握手，也不等网络。注意这些数据报在 0 时刻就全部出发，而 TCP 还在建立连接。",
        "UDP sends each message at once as a datagram of its own: no handshake first, no waiting for the network. Notice that all the datagrams leave at time 0 while TCP is still opening its connection.",
    ),
    row(
        &[],
        sent(Data, "client"),
        "TCP 把消息当作字节流发送：几次 send() 可以合进同一个报文段（Nagle 算法，RFC 896），所以报文段和消息并不一一对应。对比 UDP：一条消息一个数据报。",
        "TCP sends the messages as a byte stream: several send() calls can share one segment (Nagle's algorithm, RFC 896), so segments do not match messages. Compare with UDP: one datagram per message.",
    ),
    row(
        &[],
        OPENING,
        "TCP 在发第一个字节之前必须先建立连接：SYN、SYN-ACK、ACK 要花一个往返，而 UDP 的数据报已经在路上了。",
        "TCP must open a connection before its first byte: SYN, SYN-ACK and ACK take a round trip, while UDP's datagrams are already on their way.",
    ),
    row(
        &[],
        On::Either(&[
            sent(Fin, ""),
            enters("", FinWait1),
            enters("", FinWait2),
            enters("", CloseWait),
            enters("", LastAck),
            enters("", TimeWait),
            enters("", Closed),
        ]),
        "全部发完后 TCP 还要关闭连接：FIN（这里还捎带了最后的数据）开始四次挥手，主动关闭方最后要在 TIME-WAIT 等 60 秒。这些报文 UDP 一个都不需要。",
        "Once everything is sent, TCP still has to close the connection: the FIN (here carrying the last bytes too) starts the teardown, and the active closer ends in TIME-WAIT for 60 s. UDP needs none of these segments.",
    ),
    row(
        &[],
        any_sent(Ack, ""),
        "TCP 的每个字节都要被确认：这些 ACK 就是“知道对方收到了什么”的代价。UDP 的发送方对此一无所知。",
        "Every TCP byte is acknowledged: these ACKs are the price of knowing what arrived. UDP's sender knows nothing of the kind.",
    ),
];
