//! The three-way handshake (RFC 9293 §3.5): the normal exchange and what each lost segment does.

use synack_model::presets::{self, HandshakeCase};

use super::SceneDef;
use crate::i18n::T;
use crate::route::Route;

pub static SCENE: SceneDef = SceneDef {
    teach: super::teach::handshake::ROWS,
    ..SceneDef::of_cases::<HandshakeCase>(Route::Handshake, INTRO, |k, p, _| {
        presets::handshake(
            k,
            HandshakeCase::from_id(&p.case).unwrap_or(HandshakeCase::Normal),
        )
    })
};

model_cases!(HandshakeCase, words);

const INTRO: &[T] = &[
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

/// The words of a case: its button and the sentence under the buttons.
fn words(c: HandshakeCase) -> (T, T) {
    match c {
        HandshakeCase::Normal => (
            T::new("正常握手", "Normal"),
            T::new(
                "没有丢包：一个往返后客户端就可以发数据，服务器在第三个报文到达时建立连接，accept() 返回。",
                "Nothing is lost: after one round trip the client may send data; the server is established when the third segment arrives, and accept() returns.",
            ),
        ),
        HandshakeCase::SynLost => (
            T::new("SYN 丢失", "SYN lost"),
            T::new(
                "第一个 SYN 在路上丢了，服务器什么也没收到。客户端的重传定时器（初始 RTO 为 1 秒）到期后重发 SYN，之后握手照常完成，只是晚了一秒多。",
                "The first SYN is lost on the way and the server sees nothing. When the client's retransmission timer expires (initial RTO 1 s) it resends the SYN, and the handshake then completes as usual, just over a second late.",
            ),
        ),
        HandshakeCase::SynAckLost => (
            T::new("SYN-ACK 丢失", "SYN-ACK lost"),
            T::new(
                "服务器的 SYN-ACK 丢了。客户端不知道 SYN 是否送达，1 秒后重发 SYN；服务器也在等 ACK，它的定时器也差不多在这时到期。重发的 SYN 先到，服务器回一个 SYN-ACK 并重新计时，握手晚一秒完成。",
                "The server's SYN-ACK is lost. The client cannot tell whether its SYN got through and resends it after 1 s; the server, waiting for the ACK, has a timer due at about the same moment. The repeated SYN comes first: the server answers it with a SYN-ACK and restarts its timer, and the handshake completes a second late.",
            ),
        ),
        HandshakeCase::FinalAckLost => (
            T::new("第三个 ACK 丢失", "Final ACK lost"),
            T::new(
                "客户端发出 ACK 后就认为连接已建立，但这个 ACK 丢了，服务器仍停在 SYN-RECEIVED。服务器重发 SYN-ACK，客户端再回一次 ACK，服务器才建立连接。",
                "The client considers itself established as soon as it sends the ACK, but that ACK is lost and the server stays in SYN-RECEIVED. The server resends its SYN-ACK, the client answers again, and only then is the server established.",
            ),
        ),
        HandshakeCase::SimultaneousOpen => (
            T::new("同时打开", "Simultaneous open"),
            T::new(
                "双方同时向对方发 SYN（RFC 9293 图 8）。每一方都在 SYN-SENT 中收到对方的 SYN，进入 SYN-RECEIVED 并回 SYN-ACK；收到对方的 SYN-ACK 后进入 ESTABLISHED，并立即用一个 ACK 确认它（SYN-ACK 里的 SYN 已经收到过一次，Linux 的 ACK 用 D-SACK 块报告这个重复；RFC 的图 8 只画到两个 SYN-ACK）。一共六个报文：两个 SYN、两个 SYN-ACK、两个 ACK，没有服务器和客户端之分。",
                "Both sides send a SYN to each other at once (RFC 9293 figure 8). Each receives the other's SYN while in SYN-SENT, moves to SYN-RECEIVED and answers SYN-ACK; on the other's SYN-ACK it is established and acknowledges it at once (that SYN-ACK repeats a SYN already received, which Linux's ACK reports as a duplicate in a D-SACK block; the RFC's figure 8 stops at the two SYN-ACKs). Six segments: two SYNs, two SYN-ACKs, two ACKs, and no client or server.",
            ),
        ),
        HandshakeCase::ClosedPort => (
            T::new("连接未监听的端口", "Closed port (RST)"),
            T::new(
                "服务器主机上没有进程监听 80 端口。它的协议栈用 RST 回应 SYN，客户端立即回到 CLOSED，connect() 返回 ECONNREFUSED（连接被拒绝）。",
                "Nothing listens on port 80 at the server host. Its stack answers the SYN with RST; the client goes straight back to CLOSED and connect() fails with ECONNREFUSED.",
            ),
        ),
    }
}
