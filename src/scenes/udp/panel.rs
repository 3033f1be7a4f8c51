//! Scene 5, UDP: every recvfrom() returns one whole datagram (or its head, flagged MSG_TRUNC),
//! nothing is resent, deduplicated or reordered, and sockets talk n:m.
//!
//! The lists are pure functions of a model trace (and the playhead), so the tests read the
//! same rows the page draws.

use std::collections::BTreeMap;

use yew::prelude::*;

use synack_model::presets::{self, Knobs, UdpCase};
use synack_model::scenario::Scenario;
use synack_model::trace::{
    Addr, AppCallKind, AppResult, EventKind, Header, Micros, SocketId, Trace,
};

use super::backlog::addr;
use super::sticky::{chunk_bar, DISCARDED};
use crate::engine::ladder::fmt_ms;
use crate::engine::narration::{drop_reason, localize_name};
use crate::engine::Shared;
use crate::i18n::{Lang, T};

pub const CASES: &[&str] = &[
    "boundaries",
    "truncation",
    "unreliable",
    "many-senders",
    "multicast",
];

pub fn scenario(k: &Knobs, id: &str) -> Scenario {
    presets::udp(k, UdpCase::from_id(id).unwrap_or(UdpCase::Boundaries))
}

pub fn case_title(id: &str) -> (T, T) {
    match id {
        "boundaries" => (
            T::new("消息边界不变", "Boundaries kept"),
            T::new(
                "客户端连发三个长度不同的数据报，服务器过一会儿才读：三次 recvfrom() 各拿到一个完整的数据报（20、35、50 字节）。换成 TCP（粘包场景的情况 D），同样晚读，一次 recv() 就把所有字节拿走了。",
                "The client sends three datagrams of different sizes and the server reads a while later: three recvfrom() calls, each returning one whole datagram (20, 35, 50 bytes). Over TCP (case D of the sticky-packets scene) the same late reader gets every byte in one recv().",
            ),
        ),
        "truncation" => (
            T::new("缓冲区太小：截断", "Small buffer: truncated"),
            T::new(
                "两个 30 字节的数据报，接收方每次只给 10 字节的缓冲区。每次 recvfrom() 拿到前 10 字节并带回 MSG_TRUNC 标志，其余 20 字节被内核丢掉；下一次读到的是下一个数据报的开头，不是上一个剩下的部分。",
                "Two 30-byte datagrams, and the reader passes a 10-byte buffer. Each recvfrom() gets the first 10 bytes and the MSG_TRUNC flag; the kernel throws the other 20 away. The next call starts on the next datagram, never on the rest of the previous one.",
            ),
        ),
        "unreliable" => (
            T::new("丢失、重复、乱序", "Loss, duplicates, reordering"),
            T::new(
                "五个数据报：第 2 个在路上丢了，第 3 个被网络复制了一份，第 4 个被耽搁，第 5 个先到。UDP 不重传、不去重、不排序，应用依次读到 1、3、3、5、4，每个仍然完整。",
                "Five datagrams: the network loses the 2nd, copies the 3rd and holds the 4th back so the 5th overtakes it. UDP neither resends, nor removes duplicates, nor sorts: the application reads 1, 3, 3, 5, 4, each still whole.",
            ),
        ),
        "many-senders" => (
            T::new("多个发送方，一个套接字", "Many senders, one socket"),
            T::new(
                "三台主机各发一个数据报到服务器的 9000 端口。服务器只有一个套接字，不用 accept()：每次 recvfrom() 取一个数据报，同时得到发送方的地址和端口，回复就发往那里。",
                "Three hosts each send a datagram to port 9000 on the server. The server has a single socket and no accept(): each recvfrom() takes one datagram and tells who sent it, which is where a reply would go.",
            ),
        ),
        "multicast" => (
            T::new("组播 + SO_REUSEADDR", "Multicast + SO_REUSEADDR"),
            T::new(
                "发送方向组播组 239.1.1.1 的 5000 端口发两条消息。接收方 1 和 2 在同一台主机上，都设置了 SO_REUSEADDR 后绑定 5000 端口；接收方 3 在另一台主机上。三个套接字都加入了这个组，各自收到每条消息的一份；网络上每台成员主机只传一份。",
                "The sender sends two messages to port 5000 of multicast group 239.1.1.1. Receivers 1 and 2 share a host and both bound port 5000 after setting SO_REUSEADDR; receiver 3 is on another host. All three joined the group and each gets its own copy of every message, while the network carries one copy per member host.",
            ),
        ),
        _ => (T::new("", ""), T::new("", "")),
    }
}

pub const INTRO: &[T] = &[
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

/// A colour per message ("msg 1", "msg 2" …), in order of the trace's messages.
fn colour_slot(trace: &Trace, label: &str) -> usize {
    trace
        .messages
        .iter()
        .position(|m| m.label == label)
        .unwrap_or(0)
        % 4
}

/// One datagram put on the wire (a multicast send puts one per member host).
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    pub t: Micros,
    pub src: Addr,
    pub dst: Addr,
    pub label: String,
    pub len: u32,
    /// A copy the network made (not the application's send).
    pub copy: bool,
    /// Why it never arrived, if it did not.
    pub lost: Option<synack_model::trace::DropReason>,
}

/// One recvfrom() that returned a datagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Got {
    pub t: Micros,
    pub socket: SocketId,
    pub from: Option<Addr>,
    pub label: String,
    pub msg_len: u32,
    /// Bytes copied into the buffer.
    pub len: u32,
    /// Bytes discarded (MSG_TRUNC).
    pub truncated: u32,
    /// The same message was already read on this socket.
    pub duplicate: bool,
    /// A later message from the same sender was read first.
    pub out_of_order: bool,
}

pub fn sent(trace: &Trace) -> Vec<Sent> {
    let mut lost = BTreeMap::new();
    for e in &trace.events {
        if let EventKind::SegmentDropped { id, reason } = &e.kind {
            lost.insert(*id, reason.clone());
        }
    }
    trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { id, segment } if matches!(segment.header, Header::Udp(_)) => {
                Some(Sent {
                    t: e.t,
                    src: segment.src,
                    dst: segment.dst,
                    label: segment
                        .payload
                        .first()
                        .and_then(|p| trace.messages.get(p.message.0 as usize))
                        .map(|m| m.label.clone())
                        .unwrap_or_default(),
                    len: segment.payload_len,
                    copy: segment.network_duplicate,
                    lost: lost.get(id).cloned(),
                })
            }
            _ => None,
        })
        .collect()
}

/// Every recvfrom() that returned data, in time order, with what the application could not
/// tell from the bytes alone marked (duplicate, out of order).
pub fn received(trace: &Trace) -> Vec<Got> {
    let udp = |s: SocketId| {
        trace
            .sockets
            .iter()
            .any(|x| x.id == s && x.proto == synack_model::trace::Proto::Udp)
    };
    // Per receiving socket: messages seen, and the newest message per sender socket.
    let mut seen: BTreeMap<(SocketId, u32), ()> = BTreeMap::new();
    let mut newest: BTreeMap<(SocketId, SocketId), u32> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &trace.events {
        let EventKind::AppReturn {
            socket,
            call: AppCallKind::Recv,
            result:
                AppResult::Data {
                    len,
                    payload,
                    from,
                    truncated,
                },
        } = &e.kind
        else {
            continue;
        };
        if !udp(*socket) {
            continue;
        }
        let m = payload
            .first()
            .and_then(|p| trace.messages.get(p.message.0 as usize));
        let (mut duplicate, mut out_of_order) = (false, false);
        if let Some(m) = m {
            duplicate = seen.insert((*socket, m.id.0), ()).is_some();
            let n = newest.entry((*socket, m.socket)).or_insert(m.id.0);
            out_of_order = m.id.0 < *n;
            *n = (*n).max(m.id.0);
        }
        out.push(Got {
            t: e.t,
            socket: *socket,
            from: *from,
            label: m.map(|m| m.label.clone()).unwrap_or_default(),
            msg_len: m.map_or(*len, |m| m.len),
            len: *len,
            truncated: truncated.unwrap_or(0),
            duplicate,
            out_of_order,
        });
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub trace: Shared<Trace>,
    pub t: u64,
    pub lang: Lang,
    pub on_jump: Callback<u64>,
}

#[component]
pub fn UdpPanel(p: &PanelProps) -> Html {
    let lang = p.lang;
    let trace = &*p.trace;
    let t = p.t;
    let lists_of = use_memo(p.trace.clone(), |t| (sent(t), received(t)));
    let (out, got) = &*lists_of;
    let total = out.iter().map(|s| s.len).max().unwrap_or(1).max(1);
    let jump = |at: u64| {
        let cb = p.on_jump.clone();
        Callback::from(move |_: MouseEvent| cb.emit(at))
    };
    let tag = |cls: &'static str, zh: &'static str, en: &'static str| {
        html! { <span class={classes!("tag", cls)}>{ T::new(zh, en).get(lang).to_string() }</span> }
    };
    let sent_rows = out.iter().map(|s| {
        html! {
            <li class={classes!((s.t > t).then_some("future"))} onclick={jump(s.t)}>
                <span class="mono when">{ fmt_ms(s.t) }</span>
                { chunk_bar(&[(colour_slot(trace, &s.label), s.len, false, s.label.clone())], total) }
                <span class="mono desc">{ format!("{} · {} B · {} → {}", s.label, s.len, addr(trace, s.src), addr(trace, s.dst)) }</span>
                if s.copy { { tag("dup", "网络复制的副本", "copy made by the network") } }
                if let Some(r) = &s.lost {
                    <span class="tag lost">{ format!("✕ {}", drop_reason(r, lang)) }</span>
                }
            </li>
        }
    });
    // One list per receiving socket, in the order the sockets were made.
    let receivers = trace
        .sockets
        .iter()
        .filter(|s| got.iter().any(|g| g.socket == s.id));
    let lists = receivers.map(|s| {
        let host = trace.hosts.iter().find(|h| h.id == s.host);
        let rows = got.iter().filter(|g| g.socket == s.id).map(|g| {
            let slot = colour_slot(trace, &g.label);
            let mut parts = vec![(slot, g.len, false, format!("{}[0..{}]", g.label, g.len))];
            if g.truncated > 0 {
                parts.push((DISCARDED, g.truncated, false, format!("{}[{}..{}]", g.label, g.len, g.msg_len)));
            }
            let what = if g.truncated > 0 {
                format!("{}[0..{}]", g.label, g.len)
            } else {
                g.label.clone()
            };
            let from = g.from.map(|a| addr(trace, a)).unwrap_or_default();
            html! {
                <li class={classes!((g.t > t).then_some("future"), (g.truncated > 0).then_some("trunc"))} onclick={jump(g.t)}
                    data-testid="dgram">
                    <span class="mono when">{ fmt_ms(g.t) }</span>
                    { chunk_bar(&parts, total) }
                    <span class="mono desc">{ match lang {
                        Lang::Zh => format!("recvfrom() = {} B，来自 {from}：{what}", g.len),
                        Lang::En => format!("recvfrom() = {} B from {from}: {what}", g.len),
                    } }</span>
                    if g.truncated > 0 {
                        <span class="tag trunc-flag" data-testid="msg-trunc">{ match lang {
                            Lang::Zh => format!("MSG_TRUNC：其余 {} B 被丢弃", g.truncated),
                            Lang::En => format!("MSG_TRUNC: the other {} B are gone", g.truncated),
                        } }</span>
                    }
                    if g.duplicate { { tag("dup", "重复", "duplicate") } }
                    if g.out_of_order { { tag("ooo", "乱序", "out of order") } }
                </li>
            }
        });
        html! {
            <div class="rx">
                <h3>
                    { format!("{} :{}", localize_name(&s.label, lang), s.local_port) }
                    if let Some(h) = host {
                        <span class="dim small">{ if h.name == s.label {
                            format!(" ({})", h.addr)
                        } else {
                            format!(" @ {} ({})", localize_name(&h.name, lang), h.addr)
                        } }</span>
                    }
                </h3>
                <ol class="segs">{ for rows }</ol>
            </div>
        }
    });
    let lost: Vec<&str> = out
        .iter()
        .filter(|s| s.lost.is_some())
        .map(|s| s.label.as_str())
        .collect();
    let sends = out.iter().filter(|s| !s.copy).count();
    let summary = match lang {
        Lang::Zh => format!(
            "发出 {sends} 个数据报，{} 次 recvfrom() 返回数据，每次正好一个数据报。",
            got.len()
        ),
        Lang::En => format!(
            "{sends} datagrams sent, {} recvfrom() calls returned data, each exactly one datagram.",
            got.len()
        ),
    };
    html! {
        <div class="sticky udp" data-testid="udp">
            <p class="decoded" data-testid="udp-summary">
                { summary }
                if !lost.is_empty() {
                    <span class="tag lost">{ match lang {
                        Lang::Zh => format!("丢失且不会重发：{}", lost.join("、")),
                        Lang::En => format!("lost, never resent: {}", lost.join(", ")),
                    } }</span>
                }
            </p>
            <div class="rows">
                <h3>{ T::new("发出的数据报", "Datagrams sent").get(lang) }</h3>
                <ol class="segs" data-testid="udp-sent">{ for sent_rows }</ol>
                <h3>{ T::new("每次 recvfrom() 返回的", "What each recvfrom() returned").get(lang) }</h3>
                <div class="rx-grid" data-testid="udp-received">{ for lists }</div>
            </div>
        </div>
    }
}

/// Pure-function tests (run in headless Chromium with the other wasm-bindgen tests).
#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn run(id: &str) -> Trace {
        synack_model::simulate(&scenario(&Knobs::default(), id)).unwrap()
    }

    #[test]
    fn each_recvfrom_is_one_whole_datagram() {
        let g = received(&run("boundaries"));
        let v: Vec<_> = g
            .iter()
            .map(|g| (g.label.as_str(), g.len, g.truncated))
            .collect();
        assert_eq!(v, [("msg 1", 20, 0), ("msg 2", 35, 0), ("msg 3", 50, 0)]);
    }

    #[test]
    fn truncation_keeps_the_head_and_counts_the_rest() {
        let g = received(&run("truncation"));
        assert_eq!(g.len(), 2);
        assert!(g
            .iter()
            .all(|g| g.len == 10 && g.truncated == 20 && g.msg_len == 30));
        assert_eq!(
            g[1].label, "msg 2",
            "the next read starts on the next datagram"
        );
    }

    #[test]
    fn loss_duplicate_and_reordering_are_marked() {
        let t = run("unreliable");
        let g = received(&t);
        let v: Vec<_> = g
            .iter()
            .map(|g| (g.label.as_str(), g.duplicate, g.out_of_order))
            .collect();
        assert_eq!(
            v,
            [
                ("msg 1", false, false),
                ("msg 3", false, false),
                ("msg 3", true, false),
                ("msg 5", false, false),
                ("msg 4", false, true),
            ]
        );
        let s = sent(&t);
        let lost: Vec<_> = s
            .iter()
            .filter(|s| s.lost.is_some())
            .map(|s| s.label.as_str())
            .collect();
        assert_eq!(lost, ["msg 2"]);
        assert_eq!(s.iter().filter(|s| s.copy).count(), 1);
    }

    #[test]
    fn many_senders_and_multicast_members() {
        let g = received(&run("many-senders"));
        let froms: std::collections::BTreeSet<_> = g.iter().filter_map(|g| g.from).collect();
        assert_eq!(froms.len(), 3, "three senders, one socket");
        let t = run("multicast");
        let g = received(&t);
        let sockets: std::collections::BTreeSet<_> = g.iter().map(|g| g.socket).collect();
        assert_eq!(
            (g.len(), sockets.len()),
            (6, 3),
            "each member gets each message"
        );
        assert!(g.iter().all(|g| !g.duplicate && !g.out_of_order));
        assert_eq!(sent(&t).len(), 4, "one copy per member host");
    }

    #[test]
    fn unknown_case_falls_back_to_boundaries() {
        assert_eq!(
            received(&run("nope")).len(),
            received(&run("boundaries")).len()
        );
    }
}
