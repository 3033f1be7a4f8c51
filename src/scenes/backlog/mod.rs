//! The listen backlog: the SYN queue and the accept queue as boxes that fill and drain, Linux's
//! kernel counters, and every packet in a Wireshark-like table.
//!
//! This file holds the cases and the scene's URL knobs; `analysis` reads the trace (pure
//! functions of (trace, playhead)); `panel` draws the queues, the table and the knobs.

mod analysis;
mod panel;
#[cfg(test)]
mod tests;

pub(super) use analysis::addr;

use yew::prelude::*;

use synack_model::presets::{self, BacklogCase, BacklogKnobs, Knobs};
use synack_model::scenario::Scenario;
use synack_model::VecMap;

use super::{Panel, PanelArgs, SceneDef, SceneKnobs};
use crate::engine::params::KnobSpec;
use crate::i18n::T;
use crate::route::Route;

pub static SCENE: SceneDef = SceneDef {
    // The interview chapter's capture was on loopback; its story spans a minute of retries.
    defaults: |p| p.latency_ms = 0,
    knobs: Some(&SceneKnobs {
        specs: KNOBS,
        value_in_case: |case, key| knob_value(&effective(case, &VecMap::new()), key),
        view: panel::scene_knobs,
    }),
    panel: Panel::Below(panel),
    teach: super::teach::backlog::ROWS,
    ..SceneDef::of_cases::<BacklogCase>(Route::Backlog, INTRO, |k, p, _| {
        scenario(k, &p.case, &p.knobs)
    })
};

model_cases!(BacklogCase, words);

fn panel(a: &PanelArgs) -> Html {
    html! { <panel::BacklogPanel trace={a.trace.clone()} t={a.t} lang={a.lang} on_jump={a.on_jump.clone()} /> }
}

/// The scene's own knobs in the URL (issue #6: clients arriving at a chosen rate, accept() at a
/// chosen rate, and the sysctls). Each overrides the case's value while set; choosing a case
/// clears them. Applied in this order (`accepts` before `accept_after`).
pub const KNOBS: &[KnobSpec] = &[
    KnobSpec {
        key: "backlog",
        min: 0,
        max: 16,
    },
    KnobSpec {
        key: "clients",
        min: 1,
        max: 12,
    },
    KnobSpec {
        key: "flood",
        min: 0,
        max: 32,
    },
    KnobSpec {
        key: "every",
        min: 1,
        max: 2000,
    },
    KnobSpec {
        key: "accepts",
        min: 0,
        max: 1,
    },
    KnobSpec {
        key: "accept_after",
        min: 0,
        max: 30_000,
    },
    KnobSpec {
        key: "accept_every",
        min: 10,
        max: 5000,
    },
    KnobSpec {
        key: "synack_retries",
        min: 0,
        max: 8,
    },
    KnobSpec {
        key: "max_syn_backlog",
        min: 1,
        max: 256,
    },
    KnobSpec {
        key: "somaxconn",
        min: 1,
        max: 4096,
    },
    KnobSpec {
        key: "abort",
        min: 0,
        max: 1,
    },
    KnobSpec {
        key: "syncookies",
        min: 0,
        max: 1,
    },
];

/// A knob's value in `b`, as the URL writes it (ms rounded, switches 0/1).
pub fn knob_value(b: &BacklogKnobs, key: &str) -> u32 {
    match key {
        "backlog" => b.backlog,
        "clients" => b.clients,
        "flood" => b.flood,
        "every" => b.connect_interval_ms.round() as u32,
        "accepts" => b.accept_delay_ms.is_some() as u32,
        "accept_after" => b.accept_delay_ms.unwrap_or(0.0).round() as u32,
        "accept_every" => b.accept_interval_ms.round() as u32,
        "synack_retries" => b.synack_retries,
        "max_syn_backlog" => b.max_syn_backlog,
        "somaxconn" => b.somaxconn,
        "abort" => b.abort_on_overflow as u32,
        "syncookies" => b.syncookies as u32,
        _ => 0,
    }
}

fn set_knob(b: &mut BacklogKnobs, key: &str, v: u32) {
    match key {
        "backlog" => b.backlog = v,
        "clients" => b.clients = v,
        "flood" => b.flood = v,
        "every" => b.connect_interval_ms = v as f64,
        // Switching accept() on starts it at once unless `accept_after` says otherwise.
        "accepts" => b.accept_delay_ms = (v == 1).then(|| b.accept_delay_ms.unwrap_or(0.0)),
        // Only while accept() is on (otherwise `_`: nothing to move).
        "accept_after" if b.accept_delay_ms.is_some() => b.accept_delay_ms = Some(v as f64),
        "accept_every" => b.accept_interval_ms = v as f64,
        "synack_retries" => b.synack_retries = v,
        "max_syn_backlog" => b.max_syn_backlog = v,
        "somaxconn" => b.somaxconn = v,
        "abort" => b.abort_on_overflow = v == 1,
        "syncookies" => b.syncookies = v == 1,
        _ => {}
    }
}

/// The case's knobs with the URL's overrides applied (unknown case: the real capture's).
pub fn effective(id: &str, overrides: &VecMap<String, u32>) -> BacklogKnobs {
    let mut b = BacklogCase::from_id(id).map_or_else(BacklogKnobs::real_capture, BacklogKnobs::of);
    for spec in KNOBS {
        if let Some(&v) = overrides.get(spec.key) {
            set_knob(&mut b, spec.key, v.clamp(spec.min, spec.max));
        }
    }
    b
}

pub fn scenario(k: &Knobs, id: &str, overrides: &VecMap<String, u32>) -> Scenario {
    let b = effective(id, overrides);
    let mut k = k.clone();
    if matches!(
        BacklogCase::from_id(id),
        Some(BacklogCase::RealCapture | BacklogCase::Abort)
    ) {
        // That capture was taken on loopback: 50 µs one way unless the user chose more.
        if k.latency_ms < 0.05 {
            k.latency_ms = 0.05;
        }
    }
    presets::backlog(&k, &b)
}

/// The words of a case: its button and the sentence under the buttons.
fn words(c: BacklogCase) -> (T, T) {
    match c {
        BacklogCase::RealCapture => (
            T::new("一次真实的 accept 队列溢出抓包", "A capture of a real accept-queue overflow"),
            T::new(
                "重现一次真实的 accept 队列溢出抓包（面试资料里常引用）：listen(fd, 0)，accept 队列里已有一个没人取的连接；第二个客户端完成握手并发送 5 字节。服务器忽略最后的 ACK，按 tcp_synack_retries 重传 SYN-ACK（间隔 1、2、4、8、16 秒），客户端以为 ACK 丢了就重发 ACK 和数据；重试用完后服务器丢掉这个请求，最后用 RST 回答客户端的数据。（当时的内核放行了这个 SYN；Linux ≥ 4.9 会直接丢弃它。）",
                "A real accept-queue overflow, as captured in an often-quoted interview write-up: listen(fd, 0), one connection already waiting unaccepted; a second client completes its handshake and sends 5 bytes. The server ignores the final ACK and retransmits its SYN-ACK per tcp_synack_retries (after 1, 2, 4, 8, 16 s); the client thinks its ACK was lost and resends it with the data. When the retries run out the server forgets the request, and its answer to the client's data is a RST. (Kernels of 2014 let that SYN in; Linux ≥ 4.9 drops it.)",
            ),
        ),
        BacklogCase::Abort => (
            T::new("tcp_abort_on_overflow=1", "tcp_abort_on_overflow=1"),
            T::new(
                "同样的情况，但 tcp_abort_on_overflow=1：accept 队列满时，服务器不再忽略最后的 ACK，而是立刻回 RST，客户端马上得到 ECONNRESET，而不是等上一分钟。",
                "The same situation with tcp_abort_on_overflow=1: instead of ignoring the final ACK when the accept queue is full, the server answers RST at once, and the client gets ECONNRESET right away instead of a minute later.",
            ),
        ),
        BacklogCase::Overflow => (
            T::new("accept 队列满（Linux 6）", "Accept queue full (Linux 6)"),
            T::new(
                "listen(fd, 1)：accept 队列最多放 backlog + 1 = 2 个连接。应用从不调用 accept()，后来的客户端的 SYN 被丢弃（ListenOverflows、ListenDrops 计数增加），客户端按指数退避重传 SYN，最终 connect() 超时。",
                "listen(fd, 1): the accept queue holds backlog + 1 = 2 connections. The application never calls accept(); later clients' SYNs are dropped (ListenOverflows and ListenDrops count up), the clients retransmit their SYN with exponential backoff, and connect() finally times out.",
            ),
        ),
        BacklogCase::AcceptLate => (
            T::new("晚一点 accept()", "accept() a little later"),
            T::new(
                "同样四个客户端，但应用 1.5 秒后开始每 300 毫秒 accept() 一次：队列腾出位置，重传的 SYN 和 ACK 被接受，所有客户端最终都连上了，只是慢了。",
                "The same four clients, but the application starts calling accept() after 1.5 s, every 300 ms: the queue drains, the retransmitted SYNs and ACKs get in, and every client connects in the end, only later.",
            ),
        ),
        BacklogCase::SynFlood => (
            T::new("SYN 洪泛，不开 syncookies", "SYN flood, no syncookies"),
            T::new(
                "攻击者先发来 8 个 SYN（像 hping3 这样的洪泛工具）：图上它是一台主机，每个 SYN 换一个新的源端口；它从不回应 SYN-ACK，这些握手永远完成不了。（真实的洪泛往往伪造源地址，SYN-ACK 发给了不存在或没发起连接的主机；这里用一台不回应的主机代表它们。）listen(fd, 4) 的 SYN 队列（半连接队列）放进 5 个请求就满了，而且一直满着，直到这些请求的 SYN-ACK 重试用完。关闭 syncookies 时，之后到达的 SYN 都被丢弃（TCPReqQFullDrop、ListenDrops），包括两个真正客户端的：它们要等 SYN 重传，7 秒后才连上。打开 tcp_syncookies（默认）再看：内核用 SYN cookie 回答，不占队列，客户端立刻连上。",
                "An attacker sends 8 SYNs first, as a flood tool such as hping3 does: drawn as one host, each SYN from a new source port. It never answers a SYN-ACK, so those handshakes never complete. (A real flood often forges its source addresses, so the SYN-ACKs go to hosts that never asked or to none; here one silent host stands for them.) listen(fd, 4)'s SYN queue (of half-open requests) is full at 5 requests, and stays full until their SYN-ACK retries run out. With syncookies off, every SYN that comes meanwhile is dropped (TCPReqQFullDrop, ListenDrops), the two real clients' too: they wait for their SYN retransmissions and get in only 7 s later. Switch tcp_syncookies on (the default) to compare: the kernel answers with SYN cookies, which take no place in the queue, and the clients connect at once.",
            ),
        ),
        BacklogCase::Bsd => (
            T::new("BSD：两个队列共用一个上限", "BSD: two queues, one limit"),
            T::new(
                "历史上的 BSD 把未完成（SYN-RECEIVED）和已完成（ESTABLISHED）的连接放在两个链表里，但两者加起来受同一个上限约束（4.4BSD 是 backlog 的 3/2 倍，这里简化为 backlog）；到了上限就丢 SYN（不回 RST），让客户端稍后重试。",
                "Historic BSD kept incomplete (SYN-RECEIVED) and completed (ESTABLISHED) connections on two lists, but held both together to one limit (4.4BSD: 3/2 × backlog; here simply the backlog); at the limit, SYNs are dropped (no RST) so the client retries later.",
            ),
        ),
    }
}

const INTRO: &[T] = &[
    T::new(
        "listen(fd, backlog) 的 backlog 到底限制什么？Linux 2.2 以后有两个队列：回了 SYN-ACK、等最后 ACK 的请求在 SYN 队列（半连接队列）里；握手完成的连接在 accept 队列（全连接队列）里等应用 accept()。在今天的 Linux 上，backlog（被 net.core.somaxconn 截断）对两个队列都起作用。",
        "What does backlog in listen(fd, backlog) limit? Since Linux 2.2 there are two queues: requests that got a SYN-ACK wait for the final ACK in the SYN queue; completed connections wait in the accept queue for the application's accept(). On today's Linux, backlog (capped by net.core.somaxconn) acts on both.",
    ),
    T::new(
        "accept 队列最多放 backlog + 1 个连接；SYN 队列里的请求数达到 backlog 时也算满，这时开着 syncookies（默认）就改用 SYN cookie 回答，关着就丢弃 SYN。常说的“SYN 队列的上限是 tcp_max_syn_backlog”并不准确：它只在关闭 syncookies 时用来提前丢 SYN（inet_csk_reqsk_queue_is_full、tcp_conn_request）。",
        "The accept queue holds at most backlog + 1 connections, and the SYN queue counts as full when its requests reach backlog: then SYN cookies answer (on by default) or, with cookies off, SYNs are dropped. The common claim that tcp_max_syn_backlog bounds the SYN queue is not accurate: it only drops SYNs early when syncookies are off (inet_csk_reqsk_queue_is_full, tcp_conn_request).",
    ),
    T::new(
        "accept 队列满时，Linux 忽略握手的最后一个 ACK（计数 ListenOverflows），靠 SYN-RECEIVED 的定时器重传 SYN-ACK（次数由 tcp_synack_retries 决定）。客户端收到 SYN-ACK 就已经是 ESTABLISHED，可能已经在发数据；如果服务器一直腾不出位置，就成了半开连接：客户端以为连上了，服务器却什么都没有。tcp_abort_on_overflow=1 则直接回 RST。较新的内核在 accept 队列满时连 SYN 也丢弃。",
        "When the accept queue is full, Linux ignores the handshake's final ACK (counting ListenOverflows) and relies on the SYN-RECEIVED timer to retransmit the SYN-ACK (tcp_synack_retries times). The client became ESTABLISHED on the first SYN-ACK and may already be sending data; if the server never makes room, the connection is half-open: the client thinks it is connected, the server has nothing. tcp_abort_on_overflow=1 answers RST instead. Newer kernels also drop SYNs while the accept queue is full.",
    ),
];
