//! Scene 6, the listen backlog: the SYN queue and the accept queue as boxes that fill and
//! drain, Linux's kernel counters, and every packet in a Wireshark-like table.
//!
//! The drawing and the table are pure functions of (trace, playhead).

use std::collections::BTreeMap;

use yew::prelude::*;

use synack_model::presets::{self, BacklogKnobs, Knobs};
use synack_model::profile::{BacklogModel, SynDropRule};
use synack_model::scenario::Scenario;
use synack_model::trace::{
    Addr, DropReason, EventKind, Header, Micros, QueueKind, SegmentId, Trace,
};
use synack_model::VecMap;

use crate::engine::labels::{flag_list, Isns, Numbering};
use crate::engine::narration::drop_reason;
use crate::engine::params::KnobSpec;
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::num;
use crate::scenes::page::Knob;

pub const CASES: &[&str] = &[
    "real-capture",
    "abort",
    "overflow",
    "accept-late",
    "syn-flood",
    "bsd",
];

/// The backlog knobs of a case (rates, sysctls); `None` for an unknown id.
pub fn knobs_of(id: &str) -> Option<BacklogKnobs> {
    let d = BacklogKnobs::default();
    Some(match id {
        "real-capture" => BacklogKnobs::real_capture(),
        "abort" => BacklogKnobs {
            abort_on_overflow: true,
            ..BacklogKnobs::real_capture()
        },
        // Linux ≥ 4.9: listen(fd, 1), four clients 100 ms apart, nobody accepts.
        "overflow" => d,
        "accept-late" => BacklogKnobs {
            accept_delay_ms: Some(1500.0),
            accept_interval_ms: 300.0,
            ..d
        },
        // A burst into a small SYN queue, no syncookies: SYNs dropped (DropReason::SynQueueFull).
        "syn-flood" => BacklogKnobs {
            backlog: 8,
            clients: 6,
            connect_interval_ms: 5.0,
            max_syn_backlog: 2,
            syncookies: false,
            accept_delay_ms: Some(2000.0),
            accept_interval_ms: 10.0,
            ..d
        },
        "bsd" => BacklogKnobs {
            model: BacklogModel::BsdSingleQueue,
            syn_drop_rule: SynDropRule::WhenAcceptQueueFull,
            ..d
        },
        _ => return None,
    })
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
        "every" => b.connect_interval_ms = v as f64,
        // Switching accept() on starts it at once unless `accept_after` says otherwise.
        "accepts" => b.accept_delay_ms = (v == 1).then(|| b.accept_delay_ms.unwrap_or(0.0)),
        "accept_after" => {
            if b.accept_delay_ms.is_some() {
                b.accept_delay_ms = Some(v as f64);
            }
        }
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
    let mut b = knobs_of(id).unwrap_or_else(BacklogKnobs::real_capture);
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
    if id == "real-capture" || id == "abort" {
        // That capture was taken on loopback: 50 µs one way unless the user chose more.
        if k.latency_ms < 0.05 {
            k.latency_ms = 0.05;
        }
    }
    presets::backlog(&k, &b)
}

pub fn case_title(id: &str) -> (T, T) {
    match id {
        "real-capture" => (
            T::new("一次真实的 accept 队列溢出抓包", "A capture of a real accept-queue overflow"),
            T::new(
                "重现一次真实的 accept 队列溢出抓包（面试资料里常引用）：listen(fd, 0)，accept 队列里已有一个没人取的连接；第二个客户端完成握手并发送 5 字节。服务器忽略最后的 ACK，按 tcp_synack_retries 重传 SYN-ACK（间隔 1、2、4、8、16 秒），客户端以为 ACK 丢了就重发 ACK 和数据；重试用完后服务器丢掉这个请求，最后用 RST 回答客户端的数据。（当时的内核放行了这个 SYN；Linux ≥ 4.9 会直接丢弃它。）",
                "A real accept-queue overflow, as captured in an often-quoted interview write-up: listen(fd, 0), one connection already waiting unaccepted; a second client completes its handshake and sends 5 bytes. The server ignores the final ACK and retransmits its SYN-ACK per tcp_synack_retries (after 1, 2, 4, 8, 16 s); the client thinks its ACK was lost and resends it with the data. When the retries run out the server forgets the request, and its answer to the client's data is a RST. (Kernels of 2014 let that SYN in; Linux ≥ 4.9 drops it.)",
            ),
        ),
        "abort" => (
            T::new("tcp_abort_on_overflow=1", "tcp_abort_on_overflow=1"),
            T::new(
                "同样的情况，但 tcp_abort_on_overflow=1：accept 队列满时，服务器不再忽略最后的 ACK，而是立刻回 RST，客户端马上得到 ECONNRESET，而不是等上一分钟。",
                "The same situation with tcp_abort_on_overflow=1: instead of ignoring the final ACK when the accept queue is full, the server answers RST at once, and the client gets ECONNRESET right away instead of a minute later.",
            ),
        ),
        "overflow" => (
            T::new("accept 队列满（Linux 6）", "Accept queue full (Linux 6)"),
            T::new(
                "listen(fd, 1)：accept 队列最多放 backlog + 1 = 2 个连接。应用从不调用 accept()，后来的客户端的 SYN 被丢弃（ListenOverflows、ListenDrops 计数增加），客户端按指数退避重传 SYN，最终 connect() 超时。",
                "listen(fd, 1): the accept queue holds backlog + 1 = 2 connections. The application never calls accept(); later clients' SYNs are dropped (ListenOverflows and ListenDrops count up), the clients retransmit their SYN with exponential backoff, and connect() finally times out.",
            ),
        ),
        "accept-late" => (
            T::new("晚一点 accept()", "accept() a little later"),
            T::new(
                "同样四个客户端，但应用 1.5 秒后开始每 300 毫秒 accept() 一次：队列腾出位置，重传的 SYN 和 ACK 被接受，所有客户端最终都连上了，只是慢了。",
                "The same four clients, but the application starts calling accept() after 1.5 s, every 300 ms: the queue drains, the retransmitted SYNs and ACKs get in, and every client connects in the end, only later.",
            ),
        ),
        "syn-flood" => (
            T::new("SYN 队列满，不开 syncookies", "SYN queue full, no syncookies"),
            T::new(
                "tcp_max_syn_backlog = 2、关闭 syncookies，六个客户端 5 毫秒内同时到达。关闭 syncookies 时，SYN 队列（半连接队列）里等待的请求一旦超过 tcp_max_syn_backlog 的四分之三（这里是 2 个），Linux 就提前丢弃新的 SYN（tcp_conn_request），那些客户端要等 1 秒重传。开启 syncookies 时，内核改用 SYN cookie 回答：把连接信息编码进 SYN-ACK 的序号，不占 SYN 队列的位置。",
                "tcp_max_syn_backlog = 2 and syncookies off, six clients within 5 ms. With syncookies off, once the requests waiting in the SYN queue (of half-open requests) leave less than a quarter of tcp_max_syn_backlog free (here: more than 2), Linux drops new SYNs early (tcp_conn_request), and those clients wait 1 s to retry. With syncookies on, the kernel answers with a SYN cookie instead: the request is encoded in the SYN-ACK's sequence number and takes no place in the SYN queue.",
            ),
        ),
        "bsd" => (
            T::new("BSD：两个队列共用一个上限", "BSD: two queues, one limit"),
            T::new(
                "历史上的 BSD 把未完成（SYN-RECEIVED）和已完成（ESTABLISHED）的连接放在两个链表里，但两者加起来受同一个上限约束（4.4BSD 是 backlog 的 3/2 倍，这里简化为 backlog）；到了上限就丢 SYN（不回 RST），让客户端稍后重试。",
                "Historic BSD kept incomplete (SYN-RECEIVED) and completed (ESTABLISHED) connections on two lists, but held both together to one limit (4.4BSD: 3/2 × backlog; here simply the backlog); at the limit, SYNs are dropped (no RST) so the client retries later.",
            ),
        ),
        _ => (T::new("", ""), T::new("", "")),
    }
}

pub const INTRO: &[T] = &[
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

/// One row of the packet list.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub no: usize,
    pub t: Micros,
    pub src: Addr,
    pub dst: Addr,
    pub flags: String,
    pub seq: u32,
    pub ack: u32,
    pub len: u32,
    pub retransmission: bool,
    pub dup_ack: bool,
    pub dropped: Option<DropReason>,
}

/// Every TCP segment, numbered like Wireshark, with relative seq/ack, `[TCP Retransmission]`
/// (a segment the sender sent before) and `[TCP Dup ACK]` (a pure ACK repeating the previous
/// ACK number of that direction with the same window).
pub fn packet_rows(trace: &Trace) -> Vec<Row> {
    let isns = Isns::of_trace(trace);
    let mut dropped: BTreeMap<SegmentId, DropReason> = BTreeMap::new();
    for ev in &trace.events {
        if let EventKind::SegmentDropped { id, reason } = &ev.kind {
            dropped.insert(*id, reason.clone());
        }
    }
    let mut last_ack: BTreeMap<(Addr, Addr), (u32, u16)> = BTreeMap::new();
    let mut out = Vec::new();
    for ev in &trace.events {
        let EventKind::SegmentSent { id, segment } = &ev.kind else {
            continue;
        };
        let Header::Tcp(h) = &segment.header else {
            continue;
        };
        let (seq, ack) = isns.show(segment, h, Numbering::Relative);
        let key = (segment.src, segment.dst);
        let pure_ack =
            h.flags.ack && !h.flags.syn && !h.flags.fin && !h.flags.rst && segment.payload_len == 0;
        let dup_ack = pure_ack && last_ack.get(&key) == Some(&(h.ack, h.window));
        if h.flags.ack && !h.flags.rst {
            last_ack.insert(key, (h.ack, h.window));
        }
        out.push(Row {
            no: out.len() + 1,
            t: ev.t,
            src: segment.src,
            dst: segment.dst,
            flags: flag_list(h),
            seq,
            ack: if h.flags.ack { ack } else { 0 },
            len: segment.payload_len,
            retransmission: segment.retransmission > 0,
            dup_ack,
            dropped: dropped.get(id).cloned(),
        });
    }
    out
}

/// The listener's (SYN queue, accept queue) as (len, cap) at `t`, and the server's
/// counters.
pub fn queues_at(
    trace: &Trace,
    t: Micros,
) -> ((u32, u32), (u32, u32), synack_model::VecMap<String, u64>) {
    let snap = trace.view_at(t);
    let listener = trace.sockets.iter().find(|s| s.listener);
    let get = |q: QueueKind| {
        listener
            .and_then(|l| snap.sockets.get(&l.id))
            .and_then(|v| v.queues.get(&q).copied())
            .unwrap_or((0, 0))
    };
    let counters = listener
        .and_then(|l| snap.counters.get(&l.host).cloned())
        .unwrap_or_default();
    (
        get(QueueKind::SynQueue),
        get(QueueKind::AcceptQueue),
        counters,
    )
}

/// "10.0.0.2:80": a host's address and a port.
pub(super) fn addr(trace: &Trace, a: Addr) -> String {
    let host = trace
        .hosts
        .iter()
        .find(|h| h.id == a.host)
        .map_or("?", |h| h.addr.as_str());
    format!("{host}:{}", a.port)
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub trace: Shared<Trace>,
    pub t: u64,
    pub lang: Lang,
    pub on_jump: Callback<u64>,
}

fn slots(name: &str, testid: &'static str, (len, cap): (u32, u32), lang: Lang) -> Html {
    let shown = cap.clamp(1, 8);
    html! {
        <div class="qbox" data-testid={testid}>
            <div class="qname">{ name.to_string() }</div>
            <div class="qslots">
                { for (0..shown).map(|i| html! {
                    <span class={classes!("slot", (i < len).then_some("full"))}></span>
                }) }
                if cap > shown { <span class="dim">{"…"}</span> }
            </div>
            <div class="mono qcount" data-testid={format!("{testid}-count")}>
                { format!("{len} / {cap}") }
                if cap > 0 && len >= cap { <span class="full-tag">{ T::new(" 满", " full").get(lang) }</span> }
            </div>
        </div>
    }
}

#[component]
pub fn BacklogPanel(p: &PanelProps) -> Html {
    let lang = p.lang;
    let trace = &*p.trace;
    let (syn, acc, counters) = queues_at(trace, p.t);
    let rows = packet_rows(trace);
    let t0 = rows.first().map_or(0, |r| r.t);
    let count = |n: &str| counters.get(n).copied().unwrap_or(0);
    let row_html = rows.iter().map(|r| {
        let at = r.t;
        let cb = p.on_jump.clone();
        let mut info = Vec::new();
        if r.retransmission {
            info.push("[TCP Retransmission]".to_string());
        }
        if r.dup_ack {
            info.push("[TCP Dup ACK]".to_string());
        }
        if let Some(d) = &r.dropped {
            info.push(format!("✕ {}", drop_reason(d, lang)));
        }
        let kind = if r.flags.contains("RST") {
            "k-rst"
        } else if r.flags.contains("SYN, ACK") {
            "k-synack"
        } else if r.flags.contains("SYN") {
            "k-syn"
        } else if r.len > 0 {
            "k-data"
        } else {
            "k-ack"
        };
        html! {
            <tr class={classes!(kind, (r.t > p.t).then_some("future"), (r.retransmission || r.dup_ack).then_some("expert"))}
                onclick={Callback::from(move |_: MouseEvent| cb.emit(at))}>
                <td>{ r.no }</td>
                <td>{ num::fixed((r.t - t0) as f64 / 1e6, 6) }</td>
                <td>{ format!("{} → {}", addr(trace, r.src), addr(trace, r.dst)) }</td>
                <td class="flags">{ r.flags.clone() }</td>
                <td>{ format!("{} / {}", r.seq, r.ack) }</td>
                <td>{ r.len }</td>
                <td class="info">{ info.join(" ") }</td>
            </tr>
        }
    });
    html! {
        <div class="backlog" data-testid="backlog">
            <div class="queues">
                { slots(T::new("SYN 队列（半连接）", "SYN queue (half-open)").get(lang), "syn-queue", syn, lang) }
                <span class="qarrow">{"→ ACK →"}</span>
                { slots(T::new("accept 队列（全连接）", "Accept queue (established)").get(lang), "accept-queue", acc, lang) }
                <span class="qarrow">{"→ accept()"}</span>
                <dl class="counters mono" data-testid="counters">
                    <dt>{"ListenOverflows"}</dt><dd>{ count("ListenOverflows") }</dd>
                    <dt>{"ListenDrops"}</dt><dd>{ count("ListenDrops") }</dd>
                </dl>
            </div>
            <div class="pkt-wrap" tabindex="0">
                <table class="pkts mono" data-testid="packets">
                    <thead><tr>
                        <th>{"No."}</th><th>{ T::new("时间", "Time").get(lang) }</th>
                        <th>{ T::new("源 → 目的", "Source → Destination").get(lang) }</th>
                        <th>{ T::new("标志", "Flags").get(lang) }</th><th>{"seq / ack"}</th>
                        <th>{"Len"}</th><th>{"Info"}</th>
                    </tr></thead>
                    <tbody>{ for row_html }</tbody>
                </table>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct KnobsProps {
    pub case: AttrValue,
    /// The knobs the URL sets away from the case's values.
    pub overrides: VecMap<String, u32>,
    pub lang: Lang,
    pub on_set: Callback<(&'static str, u32)>,
}

/// The backlog scene's own knobs: arrival and accept() rates, listen()'s backlog, the sysctls.
/// Each shows the value in effect (the case's, or the one the user set).
#[component]
pub fn SceneKnobs(p: &KnobsProps) -> Html {
    let lang = p.lang;
    let b = effective(&p.case, &p.overrides);
    let v = |key: &str| knob_value(&b, key);
    let spec = |key: &str| KNOBS.iter().find(|s| s.key == key).copied();
    let slider = |key: &'static str,
                  testid: &'static str,
                  label: T,
                  unit: &'static str,
                  step: f64| {
        let Some(s) = spec(key) else { return html! {} };
        let on_change = p
            .on_set
            .reform(move |x: String| (key, x.parse::<f64>().map_or(0, |x| x.round() as u32)));
        html! {
            <Knob label={label.get(lang)} unit={unit} testid={testid} min={s.min as f64} max={s.max as f64}
                step={step} value={v(key) as f64} {on_change} />
        }
    };
    let switch = |key: &'static str, testid: &'static str, label: &'static str| {
        let onchange = p.on_set.reform(move |e: Event| {
            let on = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .is_some_and(|i| i.checked());
            (key, on as u32)
        });
        html! {
            <label class="knob switch">
                <input type="checkbox" data-testid={testid} checked={v(key) == 1} {onchange} />
                <span>{ label }</span>
            </label>
        }
    };
    let accepts = b.accept_delay_ms.is_some();
    html! {
        <div class="knobs backlog-knobs" data-testid="backlog-knobs">
            { slider("backlog", "knob-backlog", T::new("listen() 的 backlog", "listen() backlog"), "", 1.0) }
            { slider("clients", "knob-clients", T::new("客户端", "Clients"), "", 1.0) }
            { slider("every", "knob-every", T::new("每隔多久来一个", "One arrives every"), "ms", 1.0) }
            { switch("accepts", "knob-accepts", T::new("应用调用 accept()", "The app calls accept()").get(lang)) }
            if accepts {
                { slider("accept_after", "knob-accept-after", T::new("第一次 accept() 在", "First accept() at"), "ms", 100.0) }
                { slider("accept_every", "knob-accept-every", T::new("之后每隔", "then every"), "ms", 10.0) }
            }
            { slider("synack_retries", "knob-synack-retries", T::new("tcp_synack_retries", "tcp_synack_retries"), "", 1.0) }
            { slider("max_syn_backlog", "knob-max-syn-backlog", T::new("tcp_max_syn_backlog", "tcp_max_syn_backlog"), "", 1.0) }
            { slider("somaxconn", "knob-somaxconn", T::new("net.core.somaxconn", "net.core.somaxconn"), "", 1.0) }
            { switch("abort", "knob-abort", "tcp_abort_on_overflow") }
            { switch("syncookies", "knob-syncookies", "tcp_syncookies") }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn run(id: &str) -> Trace {
        synack_model::simulate(&scenario(&Knobs::default(), id, &VecMap::new())).unwrap()
    }

    /// Every sentence the narration says about a dropped SYN, in both languages, for a case.
    fn syn_drop_sentences(id: &str) -> Vec<String> {
        use crate::engine::labels::Isns;
        use crate::engine::narration::{find_segment, sentence};
        let t = run(id);
        let isns = Isns::of_trace(&t);
        let mut out = Vec::new();
        for (i, ev) in t.events.iter().enumerate() {
            if let EventKind::SegmentDropped { id, .. } = &ev.kind {
                let syn = find_segment(&t, i, *id).is_some_and(
                    |s| matches!(&s.header, Header::Tcp(h) if h.flags.syn && !h.flags.ack),
                );
                if syn {
                    for lang in [Lang::En, Lang::Zh] {
                        out.extend(sentence(&t, &isns, i, lang, crate::i18n::Api::C));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn a_syn_dropped_for_a_full_accept_queue_is_said_to_be_the_accept_queues() {
        // listen(fd, 1), four clients, nobody accepts: the accept queue is what is full.
        let said = syn_drop_sentences("overflow");
        assert!(!said.is_empty(), "the case drops SYNs");
        for s in &said {
            assert!(s.contains("accept"), "{s}");
            assert!(!s.contains("SYN queue") && !s.contains("SYN 队列"), "{s}");
        }
    }

    #[test]
    fn a_syn_dropped_for_a_full_syn_queue_without_cookies_is_said_to_be_the_syn_queues() {
        let said = syn_drop_sentences("syn-flood");
        assert!(!said.is_empty(), "the case drops SYNs");
        assert!(
            said.iter()
                .all(|s| s.contains("SYN queue") || s.contains("SYN 队列")),
            "{said:#?}"
        );
    }

    #[test]
    fn the_real_capture_lists_synack_retransmissions_dup_acks_and_the_rst() {
        let rows = packet_rows(&run("real-capture"));
        let retx_synack = rows
            .iter()
            .filter(|r| r.flags == "SYN, ACK" && r.retransmission)
            .count();
        assert_eq!(retx_synack, 5, "{rows:#?}");
        assert!(rows.iter().any(|r| r.dup_ack), "{rows:#?}");
        assert!(rows.iter().any(|r| r.flags.contains("RST")));
        assert_eq!(rows[0].no, 1);
        assert_eq!((rows[0].seq, rows[0].ack), (0, 0));
    }

    #[test]
    fn overflow_fills_the_accept_queue_and_counts() {
        let t = run("overflow");
        let (_, acc, c) = queues_at(&t, t.duration_us);
        assert_eq!(acc, (2, 2));
        assert!(c.get("ListenOverflows").copied().unwrap_or(0) >= 2, "{c:?}");
    }

    #[test]
    fn knobs_override_the_case_and_a_bigger_backlog_stops_the_overflow() {
        let mut o = VecMap::new();
        // The overflow case's four clients all fit once listen() asks for 8 (9 slots).
        o.insert("backlog".to_string(), 8);
        let b = effective("overflow", &o);
        assert_eq!((b.backlog, b.clients), (8, 4));
        let t = synack_model::simulate(&scenario(&Knobs::default(), "overflow", &o)).unwrap();
        let (_, acc, c) = queues_at(&t, t.duration_us);
        assert_eq!(acc, (4, 9), "four clients wait, nobody accepts");
        assert_eq!(c.get("ListenOverflows").copied().unwrap_or(0), 0, "{c:?}");
        // Every knob reads back what was set, in its range.
        for spec in KNOBS {
            let mut o = VecMap::new();
            o.insert("accepts".to_string(), 1);
            o.insert(spec.key.to_string(), spec.max);
            assert_eq!(
                knob_value(&effective("overflow", &o), spec.key),
                spec.max,
                "{}",
                spec.key
            );
        }
        // accept() switched on: the first call comes at accept_after.
        let mut o = VecMap::new();
        o.insert("accepts".to_string(), 1);
        o.insert("accept_after".to_string(), 700);
        assert_eq!(effective("overflow", &o).accept_delay_ms, Some(700.0));
        o.insert("accepts".to_string(), 0);
        assert_eq!(effective("overflow", &o).accept_delay_ms, None);
    }

    #[test]
    fn unknown_case_falls_back_to_the_real_capture() {
        assert!(knobs_of("nope").is_none());
        let a = run("nope");
        let b = run("real-capture");
        assert_eq!(a.events.len(), b.events.len());
    }
}
