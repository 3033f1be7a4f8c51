//! The four-way teardown (RFC 9293 §3.6): who closes first, TIME-WAIT, half-close and RST.

use synack_model::presets::{self, TeardownCase};

use super::SceneDef;
use crate::i18n::T;
use crate::route::Route;

pub static SCENE: SceneDef = SceneDef {
    defaults: |p| p.speed = 0.2,
    teach: super::teach::teardown::ROWS,
    ..SceneDef::of_cases::<TeardownCase>(Route::Teardown, INTRO, |k, p, _| {
        presets::teardown(
            k,
            TeardownCase::from_id(&p.case).unwrap_or(TeardownCase::ClientCloses),
        )
    })
};

model_cases!(TeardownCase, words);

const INTRO: &[T] = &[
    T::new(
        "TCP 是全双工的：每个方向都要单独关闭，所以关闭连接通常要四个报文（四次挥手）。任何一方调用 close() 都可以先发起。",
        "TCP is full duplex: each direction is closed on its own, so closing usually takes four segments (the four-way teardown). Either side may start it by calling close().",
    ),
    T::new(
        "主动关闭方发送 FIN，进入 FIN-WAIT-1；对方回 ACK 并进入 CLOSE-WAIT，主动方收到 ACK 后进入 FIN-WAIT-2。被动方把剩下的数据发完、自己也 close() 时发送 FIN，进入 LAST-ACK；主动方回最后一个 ACK，进入 TIME-WAIT；被动方收到这个 ACK 后进入 CLOSED。",
        "The active closer sends FIN and enters FIN-WAIT-1; the peer ACKs it and enters CLOSE-WAIT, and the closer moves to FIN-WAIT-2 on that ACK. When the passive side has sent what it had and calls close() too, it sends its FIN and enters LAST-ACK; the closer answers with the last ACK and enters TIME-WAIT; the passive side is CLOSED once that ACK arrives.",
    ),
    T::new(
        "TIME-WAIT 要等 2MSL（两倍报文最大生存时间）才进入 CLOSED。原因有二：如果最后的 ACK 丢了，对方会重发 FIN，TIME-WAIT 中的一方还能再次确认；同时，等到旧连接在网络里迟到的报文全部消失，同样的地址和端口才能安全地建立新连接。",
        "TIME-WAIT lasts 2MSL (twice the maximum segment lifetime) before CLOSED, for two reasons: if the last ACK is lost, the peer resends its FIN and the side in TIME-WAIT can still answer it; and by then any delayed segment of the old connection has died out, so a new connection on the same addresses and ports cannot mistake it for its own.",
    ),
];

/// The words of a case: its button and the sentence under the buttons.
fn words(c: TeardownCase) -> (T, T) {
    match c {
        TeardownCase::ClientCloses => (
            T::new("客户端先关闭", "Client closes first"),
            T::new(
                "标准的四次挥手：客户端是主动关闭方，最后停在 TIME-WAIT，等 2MSL 后才 CLOSED；服务器经过 CLOSE-WAIT 和 LAST-ACK。",
                "The textbook teardown: the client closes actively and ends in TIME-WAIT for 2MSL; the server passes through CLOSE-WAIT and LAST-ACK.",
            ),
        ),
        TeardownCase::ServerCloses => (
            T::new("服务器先关闭", "Server closes first"),
            T::new(
                "角色互换：谁先 close() 谁就是主动方，TIME-WAIT 就落在谁那边。这就是为什么繁忙的服务器上常常能看到大量 TIME-WAIT 连接。",
                "The roles swap: whoever calls close() first is the active closer and holds TIME-WAIT. That is why busy servers that close first often show many TIME-WAIT connections.",
            ),
        ),
        TeardownCase::LastAckLost => (
            T::new("最后一个 ACK 丢失", "Last ACK lost"),
            T::new(
                "客户端的最后一个 ACK 丢了，服务器停在 LAST-ACK，定时器到期后重发 FIN。客户端因为还在 TIME-WAIT，能再回一个 ACK，服务器这才关闭。如果客户端早已 CLOSED，它只能回 RST。",
                "The client's last ACK is lost; the server, stuck in LAST-ACK, resends its FIN when its timer expires. Because the client is still in TIME-WAIT it can ACK again, and the server closes. Had the client already been CLOSED, all it could send back is a RST.",
            ),
        ),
        TeardownCase::HalfClose => (
            T::new("半关闭", "Half-close"),
            T::new(
                "客户端调用 shutdown() 只关闭自己的发送方向。服务器的 recv() 返回 0，但它仍然可以继续发送数据，客户端照常接收；服务器发完后再关闭，连接才完全结束。",
                "The client calls shutdown() to close only its sending direction. The server's recv() returns 0, but it can still send, and the client still receives; the connection ends only when the server closes too.",
            ),
        ),
        TeardownCase::SimultaneousClose => (
            T::new("同时关闭", "Simultaneous close"),
            T::new(
                "双方同时发送 FIN。每一方在 FIN-WAIT-1 中收到对方的 FIN，进入 CLOSING，收到对自己 FIN 的 ACK 后进入 TIME-WAIT：两边都要等 2MSL。",
                "Both send FIN at once. Each receives the other's FIN while in FIN-WAIT-1 and enters CLOSING, then TIME-WAIT when its own FIN is acknowledged: both sides wait 2MSL.",
            ),
        ),
        TeardownCase::Abort => (
            T::new("RST 异常关闭", "Abortive close (RST)"),
            T::new(
                "客户端设置 SO_LINGER 为 0 后 close()：不发 FIN，直接发 RST，丢弃未发送的数据，双方立刻 CLOSED，没有 TIME-WAIT。对方的下一次读写会得到 ECONNRESET。",
                "The client closes with SO_LINGER 0: no FIN, just a RST; unsent data is thrown away and both sides are CLOSED at once, with no TIME-WAIT. The peer's next read or write gets ECONNRESET.",
            ),
        ),
    }
}
