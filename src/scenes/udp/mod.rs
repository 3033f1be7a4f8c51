//! UDP: every recvfrom() returns one whole datagram (or its head, flagged MSG_TRUNC), nothing is
//! resent, deduplicated or reordered, and sockets talk n:m.
//!
//! `analysis` lists what was sent and what each recvfrom() got (pure functions of a trace and
//! the playhead, so the tests read the same rows the page draws); `panel` draws them.

mod analysis;
mod panel;
#[cfg(test)]
mod tests;

use yew::prelude::*;

use synack_model::presets::{self, UdpCase};

use super::{Panel, PanelArgs, SceneDef};
use crate::i18n::T;
use crate::route::Route;

pub static SCENE: SceneDef = SceneDef {
    panel: Panel::Below(panel),
    teach: super::teach::udp::ROWS,
    ..SceneDef::of_cases::<UdpCase>(Route::Udp, INTRO, |k, p, _| {
        presets::udp(k, UdpCase::from_id(&p.case).unwrap_or(UdpCase::Boundaries))
    })
};

model_cases!(UdpCase, words);

fn panel(a: &PanelArgs) -> Html {
    html! { <panel::UdpPanel trace={a.trace.clone()} t={a.t} lang={a.lang} on_jump={a.on_jump.clone()} /> }
}

/// The words of a case: its button and the sentence under the buttons.
fn words(c: UdpCase) -> (T, T) {
    match c {
        UdpCase::Boundaries => (
            T::new("消息边界不变", "Boundaries kept"),
            T::new(
                "客户端连发三个长度不同的数据报，服务器过一会儿才读：三次 recvfrom() 各拿到一个完整的数据报（20、35、50 字节）。换成 TCP（粘包场景的情况 D），同样晚读，一次 recv() 就把所有字节拿走了。",
                "The client sends three datagrams of different sizes and the server reads a while later: three recvfrom() calls, each returning one whole datagram (20, 35, 50 bytes). Over TCP (case D of the sticky-packets scene) the same late reader gets every byte in one recv().",
            ),
        ),
        UdpCase::Truncation => (
            T::new("缓冲区太小：截断", "Small buffer: truncated"),
            T::new(
                "两个 30 字节的数据报，接收方每次只给 10 字节的缓冲区。每次 recvfrom() 拿到前 10 字节并带回 MSG_TRUNC 标志，其余 20 字节被内核丢掉；下一次读到的是下一个数据报的开头，不是上一个剩下的部分。",
                "Two 30-byte datagrams, and the reader passes a 10-byte buffer. Each recvfrom() gets the first 10 bytes and the MSG_TRUNC flag; the kernel throws the other 20 away. The next call starts on the next datagram, never on the rest of the previous one.",
            ),
        ),
        UdpCase::Unreliable => (
            T::new("丢失、重复、乱序", "Loss, duplicates, reordering"),
            T::new(
                "五个数据报：第 2 个在路上丢了，第 3 个被网络复制了一份，第 4 个被耽搁，第 5 个先到。UDP 不重传、不去重、不排序，应用依次读到 1、3、3、5、4，每个仍然完整。",
                "Five datagrams: the network loses the 2nd, copies the 3rd and holds the 4th back so the 5th overtakes it. UDP neither resends, nor removes duplicates, nor sorts: the application reads 1, 3, 3, 5, 4, each still whole.",
            ),
        ),
        UdpCase::ManySenders => (
            T::new("多个发送方，一个套接字", "Many senders, one socket"),
            T::new(
                "三台主机各发一个数据报到服务器的 9000 端口。服务器只有一个套接字，不用 accept()：每次 recvfrom() 取一个数据报，同时得到发送方的地址和端口，回复就发往那里。",
                "Three hosts each send a datagram to port 9000 on the server. The server has a single socket and no accept(): each recvfrom() takes one datagram and tells who sent it, which is where a reply would go.",
            ),
        ),
        UdpCase::Multicast => (
            T::new("组播 + SO_REUSEADDR", "Multicast + SO_REUSEADDR"),
            T::new(
                "发送方向组播组 239.1.1.1 的 5000 端口发两条消息。接收方 1 和 2 在同一台主机上，都设置了 SO_REUSEADDR 后绑定 5000 端口；接收方 3 在另一台主机上。三个套接字都加入了这个组，各自收到每条消息的一份；网络上每台成员主机只传一份。",
                "The sender sends two messages to port 5000 of multicast group 239.1.1.1. Receivers 1 and 2 share a host and both bound port 5000 after setting SO_REUSEADDR; receiver 3 is on another host. All three joined the group and each gets its own copy of every message, while the network carries one copy per member host.",
            ),
        ),
    }
}

const INTRO: &[T] = &[
    T::new(
        "UDP 以数据报为单位：一次 sendto() 就是一条完整的消息，前面只有 8 字节的首部（源端口、目的端口、长度、校验和，RFC 768），没有序号，没有确认，也没有连接。接收方每次 recvfrom() 正好取出一个数据报，不会只给半个，也不会把两个拼在一起，所以 UDP 没有“粘包”。",
        "UDP works in datagrams: one sendto() is one whole message behind an 8-byte header (source port, destination port, length, checksum; RFC 768), with no sequence numbers, no acknowledgements and no connection. Each recvfrom() returns exactly one datagram, never half of one and never two glued together, so UDP has no sticky packets.",
    ),
    T::new(
        "代价：丢了就没了，网络复制出的副本会被读到两次，后发的可能先到；要可靠、去重或排序，得由应用自己来做（序号、确认、重传）。缓冲区比数据报小时，Linux 只复制放得下的部分，剩下的丢弃，并在 msg_flags 里置 MSG_TRUNC（见 recv(2)、udp(7)）；下一次 recvfrom() 读的是下一个数据报。",
        "The price: what is lost stays lost, a copy made by the network is read twice, and a later datagram may arrive first; reliability, deduplication and ordering are the application's job (sequence numbers, acks, resends). When the buffer is smaller than the datagram, Linux copies what fits, discards the rest and sets MSG_TRUNC in msg_flags (see recv(2), udp(7)); the next recvfrom() reads the next datagram.",
    ),
    T::new(
        "没有连接，所以是 n:m：一个套接字可以接收任意多个发送方的数据报（recvfrom() 告诉你来自谁），一个发送方也可以发给组播组的全部成员。同一台主机上几个套接字要收同一个组播端口，需要在 bind() 之前设置 SO_REUSEADDR，Node.js 里就是 dgram.createSocket({ type: 'udp4', reuseAddr: true })。注意：发往这个端口的单播数据报只会交给其中一个套接字。",
        "No connection, so n:m: one socket receives datagrams from any number of senders (recvfrom() says from whom), and one sender can reach every member of a multicast group. For several sockets on one host to receive the same multicast port, each sets SO_REUSEADDR before bind(); in Node.js that is dgram.createSocket({ type: 'udp4', reuseAddr: true }). Note that a unicast datagram to that port is handed to only one of them.",
    ),
];
