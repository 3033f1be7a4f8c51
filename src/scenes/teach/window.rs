//! Flow and congestion control: the receive window, slow start, congestion avoidance, fast
//! retransmit and RTO backoff (RFC 9293 §3.8, RFC 5681, RFC 6298, RFC 2018).

use synack_model::read::SegKind::{Ack, Data, Fin};
use synack_model::trace::TcpState::{CloseWait, Closed, FinWait1, FinWait2, LastAck, TimeWait};
use synack_model::trace::TimerKind;

use crate::engine::teach::{
    any_sent, enters, lost, resent, row, sent, On, Row, Why, OPENING_WITH_ACK,
};

pub static ROWS: &[Row] = &[
    // Slow reader: flow control.
    row(
        &["slow-reader"],
        On::Timer(TimerKind::Persist),
        "接收方通告的窗口是 0，发送方不许再发；它的坚持定时器到期，发出一个零窗口探测（RFC 9293 §3.8.6.1），问窗口开了没有。没有这个定时器，一个丢失的窗口更新就会让双方永远互相等待。",
        "The receiver's window is zero, so the sender may not send; its persist timer expires and it sends a zero-window probe (RFC 9293 §3.8.6.1) to ask whether the window has opened. Without this timer, one lost window update would leave both sides waiting for each other forever.",
    ),
    row(
        &["slow-reader"],
        sent(Data, "client"),
        "发送方填满接收方 4 KB 的缓冲区；应用每 200 毫秒才读 1 KB，所以每个 ACK 通告的窗口都在变小。在主机面板里看 rwnd 降到 0：这是流量控制，保护的是接收方，不是网络。",
        "The sender fills the receiver's 4 KB buffer; the application reads only 1 KB every 200 ms, so each ACK advertises a smaller window. Watch rwnd reach 0 in the host panel: this is flow control, and it protects the receiver, not the network.",
    ),
    row(
        &["slow-reader"],
        sent(Ack, "server"),
        "每个 ACK 都带着接收方缓冲区的剩余空间作为窗口。应用读走数据后，接收方发出窗口更新，发送方才能继续。",
        "Every ACK carries the free space of the receiver's buffer as its window. When the application reads, a window update reopens it and the sender may go on.",
    ),
    // Fast retransmit.
    row(
        &["fast-retransmit"],
        lost(Some(Data), Why::Network),
        "一个数据段丢了。它后面的段照样到达，每到一个，接收方就重复确认缺失的那个字节（重复 ACK），SACK 选项同时告诉发送方哪些块已经收到（RFC 2018）。",
        "One data segment is lost. The segments after it still arrive, and for each the receiver repeats its ACK of the missing byte (a duplicate ACK), while the SACK option tells the sender which blocks did arrive (RFC 2018).",
    ),
    row(
        &["fast-retransmit"],
        resent(Data, "client"),
        "收到三个重复 ACK，发送方不等定时器就重传缺失的段（快速重传，RFC 5681 §3.2），同时减小 ssthresh 和 cwnd，进入快速恢复。注意：只慢了一个往返，而不是一整个 RTO。",
        "After three duplicate ACKs the sender retransmits the missing segment without waiting for its timer (fast retransmit, RFC 5681 §3.2), lowers ssthresh and cwnd and enters fast recovery. Notice that it costs about one round trip, not a whole RTO.",
    ),
    row(
        &["fast-retransmit"],
        sent(Ack, "server"),
        "接收方的 ACK：缺口出现后，它们一直确认同一个字节（重复 ACK），乱序到达的数据先放在缓冲区里；缺口补上后，一个 ACK 就确认了全部。",
        "The receiver's ACKs: after the gap they keep acknowledging the same byte (duplicate ACKs) while out-of-order data waits in its buffer; once the gap is filled, one ACK covers everything.",
    ),
    row(
        &["fast-retransmit"],
        sent(Data, "client"),
        "发送方按拥塞窗口一口气发出一批段。其中一个会丢：看接收方如何用重复 ACK 告诉发送方缺了哪里。",
        "The sender sends a burst as large as its congestion window. One of these segments will be lost: watch how the receiver's duplicate ACKs tell the sender what is missing.",
    ),
    // RTO backoff.
    row(
        &["rto-backoff"],
        lost(Some(Data), Why::Network),
        "网络中断 3 秒：途中的每个段都丢了，也没有 ACK 回来。发送方收不到任何消息，唯一能依靠的就是重传定时器。",
        "The network goes dark for 3 s: every segment in flight is lost and no ACK comes back. The sender hears nothing at all; its retransmission timer is all it has.",
    ),
    row(
        &["rto-backoff"],
        resent(Data, "client"),
        "重传定时器到期：发送方重发第一个未确认的段，每次把 RTO 翻倍（RFC 6298 §5.5），cwnd 降到一个段（RFC 5681 §3.1）。注意重传之间的间隔越来越宽；网络恢复后，cwnd 要从头慢启动。",
        "The retransmission timer expires: the sender resends the first unacknowledged segment, doubling its RTO each time (RFC 6298 §5.5), with cwnd cut to one segment (RFC 5681 §3.1). Notice the gaps between retries widening; once the network is back, cwnd starts over in slow start.",
    ),
    row(
        &["rto-backoff"],
        sent(Data, "client"),
        "发送方按拥塞窗口发送数据。中断之前一切正常：看 cwnd 在 ACK 的推动下增长。",
        "The sender sends as much as its congestion window allows. Before the outage all is well: watch cwnd grow as the ACKs come in.",
    ),
    // Slow start and congestion avoidance.
    row(
        &["slow-start"],
        sent(Data, "client"),
        "慢启动（RFC 5681 §3.1）：发送方从 10 个段的初始窗口开始（RFC 6928，Linux 的默认值），每个 ACK 确认了几个段，cwnd 就加几个 MSS（Linux 按确认的段数计，RFC 3465），所以 cwnd 每个往返翻一倍。看每一批报文越来越多。",
        "Slow start (RFC 5681 §3.1): the sender begins with an initial window of 10 segments (RFC 6928, Linux's default) and adds one MSS for every segment an ACK acknowledges (Linux counts segments, RFC 3465), so cwnd doubles every round trip. Watch each burst grow.",
    ),
    row(
        &["avoidance"],
        sent(Data, "client"),
        "慢启动一直到 cwnd 达到 ssthresh（这里是 16 个段，就像 Linux 的 tcp_metrics 缓存下来的值），之后是拥塞避免：RFC 5681 §3.1 每个往返大约加一个 MSS；Linux 的 CUBIC 还没见过丢包时约加 5%，这里每个往返不到一个 MSS。cwnd 图从曲线变成平缓的斜线。",
        "Slow start lasts until cwnd reaches ssthresh (16 segments here, as if cached by Linux's tcp_metrics); then comes congestion avoidance: about one MSS more per round trip in RFC 5681 §3.1; Linux's CUBIC, having seen no loss yet, adds about 5 % (under one MSS here). The cwnd chart bends from a curve into a gentle slope.",
    ),
    row(
        &["slow-start", "avoidance", "rto-backoff"],
        On::Either(&[sent(Ack, "server"), On::Timer(TimerKind::DelayedAck)]),
        "每个 ACK 既确认数据，也推动拥塞窗口。Linux 的接收方在连接刚开始时处于快速确认模式，每个段都立即确认；之后通常每两个满段回一个 ACK（延迟 ACK，RFC 1122，RFC 5681 §4.2）。Linux 的发送方按每个 ACK 确认的段数增加 cwnd，所以即使 ACK 被延迟，cwnd 仍然每个往返翻一倍；教科书里每个 ACK 只加一个 MSS 的发送方（RFC 5681 §3.1）遇到延迟 ACK 就增长得慢一些。",
        "Every ACK both confirms data and drives the congestion window. At the start of a connection Linux's receiver is in quick-ACK mode and acknowledges every segment at once; later it usually acknowledges every second full segment (delayed ACK, RFC 1122; RFC 5681 §4.2). Linux's sender grows cwnd by the segments each ACK acknowledges, so cwnd still doubles every round trip when ACKs are delayed; a textbook sender that adds one MSS per ACK (RFC 5681 §3.1) grows more slowly behind them.",
    ),
    // The connection around the transfer.
    row(
        &[],
        OPENING_WITH_ACK,
        "先建立连接。握手时双方交换 MSS 和窗口缩放因子（RFC 7323）：接收窗口可以超过 64 KB，就靠这个因子。传输从第一个 ACK 之后开始。",
        "The connection opens first. In the handshake both sides exchange their MSS and window scale factor (RFC 7323), which is what lets a receive window exceed 64 KB. The transfer starts right after.",
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
            any_sent(Ack, "server"),
        ]),
        "发送方写完所有数据就调用 close()：FIN 排在数据后面，等所有数据都被确认才轮到它。之后是常规的挥手，发送方最后在 TIME-WAIT 等 60 秒。",
        "Having written everything, the sender calls close(): its FIN queues behind the data and is acknowledged only after all of it. Then comes the usual teardown, with the sender ending in TIME-WAIT for 60 s.",
    ),
];
