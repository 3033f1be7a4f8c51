//! Scene 4, TCP sticky packets (粘包): what each recv() returned, as coloured chunks of the
//! messages the sender wrote, plus the interview chapter's fixes run side by side on the same case.
//!
//! Everything here is a pure function of a model trace (and the playhead), so the same
//! functions feed the picture, the fix table and the tests.

use yew::prelude::*;

use synack_model::codec::{self, delimiter, length_prefix};
use synack_model::presets::{self, Knobs, StickyCase, StickyFix, StickyKnobs, WindowCase};
use synack_model::scenario::{Action, Scenario, Step};
use synack_model::trace::{
    AppCallKind, AppResult, EventKind, HostId, MessageContent, Micros, QueueKind, SocketId, Trace,
};

use crate::engine::ladder::fmt_ms;
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::num;
use crate::route::Query;

/// The four cases of the interview chapter, then the Nagle + delayed-ACK what-if.
pub const CASES: &[&str] = &["a", "b", "c", "d", "nagle-stall"];

pub fn case_title(id: &str) -> (T, T) {
    match id {
        "a" => (
            T::new("A：分两次收到", "A: two reads"),
            T::new(
                "读取方一有数据就读：第一次 recv() 正好拿到 data1，第二次正好拿到 data2。这是“运气好”，不是 TCP 的保证。",
                "The reader reads as soon as data is there: the first recv() returns exactly data1, the second exactly data2. That is luck, not something TCP promises.",
            ),
        ),
        "b" => (
            T::new("B：先半个 data1", "B: part of data1 first"),
            T::new(
                "data1 比 MSS 大，被切成两个报文段。读取方醒来时只到了第一段：第一次 recv() 只拿到 data1 的前半部分，下一次拿到 data1 的剩余部分和整个 data2。",
                "data1 is larger than the MSS, so it travels as two segments. The reader wakes up when only the first has arrived: the first recv() returns the start of data1, the next one the rest of data1 together with data2.",
            ),
        ),
        "c" => (
            T::new("C：data1 带上半个 data2", "C: data1 plus part of data2"),
            T::new(
                "data2 比 MSS 大。读取方醒得稍晚：第一次 recv() 拿到整个 data1 和 data2 的第一段，下一次拿到 data2 的剩余部分。",
                "data2 is larger than the MSS. The reader wakes up a little later: the first recv() returns all of data1 and the first segment of data2, the next one the rest of data2.",
            ),
        ),
        "d" => (
            T::new("D：一次全收到", "D: both in one read"),
            T::new(
                "读取方很晚才读：两条消息都已经在接收缓冲区里，一次 recv() 把 data1 和 data2 一起拿走，边界消失了。",
                "The reader is late: both messages already sit in the receive buffer, and one recv() takes data1 and data2 together. The boundary is gone.",
            ),
        ),
        "nagle-stall" => (
            T::new("Nagle + 延迟确认", "Nagle + delayed ACK"),
            T::new(
                "假如：发送方连续做小的写入，Nagle 算法要等前一个小报文段被确认才发下一个，而接收方的延迟确认又在等更多数据或定时器到期，于是每一步都卡住一段时间。关掉 Nagle（TCP_NODELAY）就不会等。开头先有一次请求和应答：Linux 对新连接的头几段数据立刻确认（quick-ACK 模式），连接变成一问一答的交互以后才延迟确认，卡顿从那时开始。",
                "What if the sender makes several small writes: Nagle's algorithm holds each small segment until the previous one is acknowledged, while the receiver's delayed ACK waits for more data or its timer, so every step stalls. With Nagle off (TCP_NODELAY) nothing waits. A request and its reply come first: Linux acknowledges a new connection's first data at once (quick-ACK mode) and delays ACKs only once the connection is interactive, which is when the stalls begin.",
            ),
        ),
        _ => (T::new("", ""), T::new("", "")),
    }
}

pub fn case_of(id: &str) -> Option<StickyCase> {
    StickyCase::from_id(id)
}

/// The model scenario for a case id, its knobs (changed by the URL) and a fix; the Nagle
/// what-if has no knobs (`no_delay`: the same writes with TCP_NODELAY).
pub fn scenario(k: &Knobs, id: &str, over: &Query, fix: StickyFix) -> Scenario {
    match case_of(id) {
        Some(c) => {
            let sk = knobs_of(k, c, over).with_fix(k, fix);
            let mut s = presets::sticky_with(k, &sk, fix);
            s.name = format!("sticky/{id}/{}", fix.id());
            s
        }
        None => stall(k, fix == StickyFix::NoDelay),
    }
}

/// The Nagle + delayed-ACK what-if: six 100-byte writes, with Nagle or with TCP_NODELAY.
pub fn stall(k: &Knobs, no_delay: bool) -> Scenario {
    let mut s = presets::window(k, WindowCase::NagleDelayedAck);
    if no_delay {
        if let Some(c) = s.apps.iter_mut().find(|a| a.socket == "client") {
            c.steps
                .insert(1, Step::now(Action::SetNoDelay { on: true }));
        }
    }
    s
}

/// URL keys of the sticky knobs, in display order.
pub const KNOB_KEYS: [&str; 9] = [
    "data1", "data2", "gap", "nagle", "mss", "rate", "read1", "read2", "rsize",
];

/// A knob's value as the URL and the inputs write it.
pub fn knob_get(sk: &StickyKnobs, key: &str) -> String {
    let f = |v: f64| format!("{}", (v * 1000.0).round() / 1000.0);
    match key {
        "data1" => sk.data1.to_string(),
        "data2" => sk.data2.to_string(),
        "gap" => f(sk.send_gap_ms),
        "nagle" => (if sk.nagle { "1" } else { "0" }).into(),
        "mss" => sk.mss.to_string(),
        "rate" => f(sk.rate_mbps),
        "read1" => f(sk.first_read_ms),
        "read2" => f(sk.next_read_ms),
        "rsize" => sk.read_size.to_string(),
        _ => String::new(),
    }
}

/// Sets a knob from text; false (and no change) if the text is not a valid value.
pub fn knob_set(sk: &mut StickyKnobs, key: &str, v: &str) -> bool {
    let v = v.trim();
    let bytes = |lo: u32, hi: u32| v.parse::<u32>().ok().filter(|x| (lo..=hi).contains(x));
    let ms = |hi: f64| {
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && (0.0..=hi).contains(x))
    };
    match key {
        "data1" | "data2" | "rsize" => match bytes(1, 65_536) {
            Some(x) if key == "data1" => sk.data1 = x,
            Some(x) if key == "data2" => sk.data2 = x,
            Some(x) => sk.read_size = x,
            None => return false,
        },
        "mss" => match bytes(88, 9000) {
            Some(x) => sk.mss = x,
            None => return false,
        },
        "nagle" => match v {
            "1" | "true" | "on" => sk.nagle = true,
            "0" | "false" | "off" => sk.nagle = false,
            _ => return false,
        },
        "gap" | "read1" | "read2" => match ms(10_000.0) {
            Some(x) if key == "gap" => sk.send_gap_ms = x,
            Some(x) if key == "read1" => sk.first_read_ms = x,
            Some(x) => sk.next_read_ms = x,
            None => return false,
        },
        "rate" => match ms(10_000.0) {
            Some(x) => sk.rate_mbps = x,
            None => return false,
        },
        _ => return false,
    }
    true
}

/// The case's knobs with the URL's changes applied (invalid values are ignored).
pub fn knobs_of(k: &Knobs, c: StickyCase, over: &Query) -> StickyKnobs {
    let mut sk = StickyKnobs::of(k, c);
    for key in KNOB_KEYS {
        if let Some(v) = over.get(key) {
            knob_set(&mut sk, key, v);
        }
    }
    sk
}

/// The remedy shown in the diagram (`fix=` in the URL; none by default).
pub fn fix_of(over: &Query) -> StickyFix {
    over.get("fix")
        .and_then(StickyFix::from_id)
        .unwrap_or(StickyFix::None)
}

/// The scene's own keys of a query: the knobs the URL changed from the case, and `fix`.
pub fn knob_query(q: &Query) -> Query {
    Query(
        q.0.iter()
            .filter(|(k, _)| k == "fix" || KNOB_KEYS.contains(&k.as_str()))
            .cloned()
            .collect(),
    )
}

pub const INTRO: &[T] = &[
    T::new(
        "TCP 是字节流：发送方两次 send() 写入的 data1 和 data2，在 TCP 看来只是一串连续的字节，报文段和 recv() 都不知道消息在哪里结束。所以接收方一次 recv() 可能拿到半条消息，也可能拿到好几条粘在一起——这就是常说的“粘包”。它不是 bug，而是字节流没有消息边界的必然结果。",
        "TCP is a byte stream: data1 and data2, written by two send() calls, are to TCP just one run of bytes, and neither the segments nor recv() know where a message ends. So one recv() may return half a message, or several glued together — what Chinese interviewers call 粘包 (sticky packets). It is not a bug; it follows from a stream having no message boundaries.",
    ),
    T::new(
        "谁把字节合在一起？有两处。发送方：Nagle 算法（运行在发送方，不是常见说法里的“服务器”）在还有未确认的小报文段时，把后面的小写入攒起来一起发；发送缓冲区里的字节也会按 MSS 切分，一个报文段可以装下两条消息的一部分。接收方：应用读得慢时，多个报文段的字节都堆在接收缓冲区里，一次 recv() 全部取走。",
        "Who glues the bytes? Two places. The sender: Nagle's algorithm (it runs on the sender, not on \"the server\" as a common interview answer says) holds small writes while a small segment is unacknowledged and sends them together, and the send buffer is cut by MSS, so one segment can carry parts of two messages. The receiver: when the application reads slowly, the bytes of several segments pile up in the receive buffer and one recv() takes them all.",
    ),
    T::new(
        "常见的面试答案给了三个办法：① 两次发送之间等一等——只在读取方跟得上时有效，而且白白浪费时间（看下表的“最后一字节到达”）；② 关闭 Nagle（setNoDelay / TCP_NODELAY）——发送方不再攒，但读取方慢的话，接收缓冲区里照样粘在一起；③ 自己加边界（成帧）：每条消息前加 4 字节长度，或者在末尾加分隔符。只有成帧无论怎么切分都能还原出 data1 和 data2。",
        "The usual interview answer gives three remedies: ① wait between the two sends — works only if the reader keeps up, and wastes time (see “last byte arrived” in the table); ② turn Nagle off (setNoDelay / TCP_NODELAY) — the sender stops batching, but a slow reader still finds the bytes glued in its receive buffer; ③ add boundaries yourself (framing): a 4-byte length before each message, or a delimiter after it. Only framing recovers data1 and data2 however the stream was cut.",
    ),
];

/// One part of a recv() result: `len` bytes of message `msg` (an index into
/// `trace.messages`), starting at byte `start` of that message.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub msg: u32,
    pub label: String,
    pub start: u32,
    pub end: u32,
    /// The whole message's length, to say "part of" or "all of".
    pub msg_len: u32,
    /// A framing header or delimiter, not application data.
    pub framing: bool,
}

/// One recv() that returned data.
#[derive(Clone, Debug, PartialEq)]
pub struct Read {
    pub t: Micros,
    pub len: u32,
    pub parts: Vec<Part>,
}

fn host_of(trace: &Trace, s: SocketId) -> Option<HostId> {
    trace.sockets.iter().find(|x| x.id == s).map(|x| x.host)
}

fn server_host(trace: &Trace) -> Option<HostId> {
    trace
        .hosts
        .iter()
        .find(|h| h.name == "server")
        .or(trace.hosts.get(1))
        .map(|h| h.id)
}

/// Every recv() on the server host that returned bytes, in order, split by message.
pub fn reads(trace: &Trace) -> Vec<Read> {
    let server = server_host(trace);
    let mut out = Vec::new();
    for ev in &trace.events {
        if let EventKind::AppReturn {
            socket,
            call: AppCallKind::Recv,
            result: AppResult::Data { len, payload, .. },
        } = &ev.kind
        {
            if host_of(trace, *socket) != server {
                continue;
            }
            let parts = payload
                .iter()
                .map(|p| {
                    let m = trace.messages.get(p.message.0 as usize);
                    Part {
                        msg: p.message.0,
                        label: m.map(|m| m.label.clone()).unwrap_or_else(|| "?".into()),
                        start: p.start,
                        end: p.end,
                        msg_len: m.map_or(p.end, |m| m.len),
                        framing: m.is_some_and(|m| m.content.is_some()),
                    }
                })
                .collect();
            out.push(Read {
                t: ev.t,
                len: *len,
                parts,
            });
        }
    }
    out
}

/// The application message a part belongs to ("data1 length" → "data1"), which picks its
/// colour: framing bytes share their message's colour, drawn hatched.
pub fn base_label(label: &str) -> &str {
    label.split(' ').next().unwrap_or(label)
}

/// A colour slot per application message, in order of first appearance.
pub fn colour_slot(trace: &Trace, label: &str) -> usize {
    let mut seen: Vec<&str> = Vec::new();
    for m in &trace.messages {
        let b = base_label(&m.label);
        if !seen.contains(&b) {
            seen.push(b);
        }
    }
    let b = base_label(label);
    seen.iter().position(|x| *x == b).unwrap_or(0) % 4
}

/// "data1[0..1460] + data2[0..300]", the chunking in words (also what the tests read).
#[cfg(test)]
pub fn describe(r: &Read) -> String {
    r.parts
        .iter()
        .filter(|p| !p.framing)
        .map(|p| {
            if p.start == 0 && p.end == p.msg_len {
                p.label.clone()
            } else {
                format!("{}[{}..{}]", p.label, p.start, p.end)
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Which framing the trace's messages use, if any.
pub fn framing(trace: &Trace) -> Option<MessageContent> {
    trace.messages.iter().find_map(|m| m.content)
}

/// What the decoder still holds after a recv(): the honest partial state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Waiting {
    Nothing,
    /// Part of a 4-byte length prefix.
    Header {
        have: u32,
    },
    /// The length was read; the body is incomplete.
    Body {
        have: u32,
        len: u32,
    },
    /// Bytes of a message whose delimiter has not come yet.
    Delimiter {
        have: u32,
    },
}

impl Waiting {
    pub fn text(self, lang: Lang) -> Option<String> {
        let zh = lang == Lang::Zh;
        Some(match self {
            Waiting::Nothing => return None,
            Waiting::Header { have } if zh => format!("长度头只到了 {have}/4 B，继续等"),
            Waiting::Header { have } => format!("only {have}/4 B of the length: waiting"),
            Waiting::Body { have, len } if zh => {
                format!("长度 = {len}，等消息体：{have}/{len} B")
            }
            Waiting::Body { have, len } => {
                format!("length = {len}, waiting for the body: {have}/{len} B")
            }
            Waiting::Delimiter { have } if zh => format!("已存 {have} B，等分隔符"),
            Waiting::Delimiter { have } => format!("{have} B held, waiting for the delimiter"),
        })
    }
}

/// The decoder's work after one recv(): messages completed, and what it waits for.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeStep {
    pub msgs: Vec<String>,
    pub waiting: Waiting,
}

/// Feeds each recv() result to the codec the sender used, as the application would: per
/// read, the messages recovered (their bytes repeat the label: "data1 (300 B)") and what the
/// decoder holds; `None` without framing, `Err` if the decoder failed.
pub fn decode_steps(trace: &Trace, rs: &[Read]) -> Option<Result<Vec<DecodeStep>, String>> {
    let f = framing(trace)?;
    let mut lp = length_prefix::Decoder::new();
    let mut dl = delimiter::Decoder::new(b'\n');
    let mut all: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for r in rs {
        let spans: Vec<_> = r
            .parts
            .iter()
            .map(|p| synack_model::trace::PayloadSpan {
                message: synack_model::trace::MessageId(p.msg),
                start: p.start,
                end: p.end,
            })
            .collect();
        let bytes = codec::stream_bytes(trace, &spans);
        all.extend_from_slice(&bytes);
        let (msgs, waiting) = match f {
            MessageContent::LengthPrefix { .. } => match lp.feed(&bytes) {
                Ok(m) => {
                    let held = &all[all.len() - lp.pending()..];
                    let w = match held.len() {
                        0 => Waiting::Nothing,
                        n if n < 4 => Waiting::Header { have: n as u32 },
                        n => Waiting::Body {
                            have: n as u32 - 4,
                            len: u32::from_be_bytes([held[0], held[1], held[2], held[3]]),
                        },
                    };
                    (m, w)
                }
                Err(e) => return Some(Err(format!("{e:?}"))),
            },
            MessageContent::Delimiter { .. } => {
                let m = dl.feed(&bytes);
                let w = match dl.pending() {
                    0 => Waiting::Nothing,
                    n => Waiting::Delimiter { have: n as u32 },
                };
                (m, w)
            }
        };
        let msgs = msgs
            .into_iter()
            .map(|m| {
                let name = String::from_utf8_lossy(&m[..m.len().min(5)]).into_owned();
                format!("{name} ({} B)", m.len())
            })
            .collect();
        out.push(DecodeStep { msgs, waiting });
    }
    Some(Ok(out))
}

/// All the messages the decoder recovered, in order.
pub fn decode(trace: &Trace, rs: &[Read]) -> Option<Result<Vec<String>, String>> {
    decode_steps(trace, rs).map(|r| r.map(|s| s.into_iter().flat_map(|d| d.msgs).collect()))
}

/// As [`describe`], with the framing bytes shown where they are (`⟨len⟩`, `⟨\n⟩`), so a
/// recv() that returned only a length prefix is not an empty line.
pub fn describe_all(r: &Read) -> String {
    r.parts
        .iter()
        .map(|p| {
            if p.framing {
                let what = if p.label.ends_with("length") {
                    "len"
                } else {
                    "\\n"
                };
                if p.end - p.start == 4 || what != "len" {
                    format!("⟨{what}⟩")
                } else {
                    format!("⟨{what} {}/4⟩", p.end - p.start)
                }
            } else if p.start == 0 && p.end == p.msg_len {
                p.label.clone()
            } else {
                format!("{}[{}..{}]", p.label, p.start, p.end)
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Data segments the client sent (remedy ② sends more, smaller ones).
pub fn data_segments(trace: &Trace) -> usize {
    wire(trace).len()
}

/// When the last application byte reached the reader, from the first send() call.
pub fn delivery_time(trace: &Trace) -> Option<Micros> {
    let last = reads(trace).last()?.t;
    Some(last.saturating_sub(first_send(trace)?))
}

fn first_send(trace: &Trace) -> Option<Micros> {
    trace.events.iter().find_map(|e| match &e.kind {
        EventKind::AppCall {
            call: synack_model::trace::AppCall::Send { .. },
            ..
        } => Some(e.t),
        _ => None,
    })
}

/// When the last data byte reached the receiver's kernel, from the first send() call: what
/// the sender's choices cost, whenever the reader gets round to reading.
pub fn arrival_time(trace: &Trace) -> Option<Micros> {
    let server = server_host(trace);
    let data: std::collections::BTreeSet<_> = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { id, segment }
                if segment.payload_len > 0 && Some(segment.dst.host) == server =>
            {
                Some(*id)
            }
            _ => None,
        })
        .collect();
    let last = trace.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::SegmentArrived { id } if data.contains(id) => Some(e.t),
        _ => None,
    })?;
    Some(last.saturating_sub(first_send(trace)?))
}

/// A drawn piece of a chunk: (colour slot, bytes, framing, tooltip).
pub(super) type Piece = (usize, u32, bool, String);

/// The colour slot of bytes that were thrown away (a truncated datagram's tail).
pub(super) const DISCARDED: usize = 9;

/// The data segments the client sent: (time, payload parts as (colour slot, len, framing),
/// retransmission).
fn wire(trace: &Trace) -> Vec<(Micros, Vec<Piece>, u32)> {
    let server = server_host(trace);
    trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. }
                if segment.payload_len > 0 && Some(segment.dst.host) == server =>
            {
                let parts = segment
                    .payload
                    .iter()
                    .map(|p| {
                        let m = trace.messages.get(p.message.0 as usize);
                        let label = m.map(|m| m.label.clone()).unwrap_or_default();
                        (
                            colour_slot(trace, &label),
                            p.end - p.start,
                            m.is_some_and(|m| m.content.is_some()),
                            format!("{label}[{}..{}]", p.start, p.end),
                        )
                    })
                    .collect();
                Some((e.t, parts, segment.retransmission))
            }
            _ => None,
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub trace: Shared<Trace>,
    pub knobs: Knobs,
    pub case: AttrValue,
    /// The URL's changes to the case's sticky knobs.
    pub over: Query,
    pub t: u64,
    pub lang: Lang,
    pub on_jump: Callback<u64>,
    /// A knob edited: (key, value).
    pub on_knob: Callback<(String, String)>,
}

/// Message bytes as a bar on a track: the bar's length is its share of `total` bytes, each
/// piece's width its share of the bar.
pub(super) fn chunk_bar(parts: &[Piece], total: u32) -> Html {
    let total = total.max(1) as f64;
    let used: u32 = parts.iter().map(|p| p.1).sum();
    html! {
        <span class="chunks">
            <span class="chunks-in" style={format!("width:{}%", num::fixed((used as f64 / total * 100.0).min(100.0), 1))}>
                { for parts.iter().map(|(slot, len, framing, title)| {
                    let w = *len as f64 / used.max(1) as f64 * 100.0;
                    html! {
                        <span class={classes!("chunk", format!("m{slot}"), framing.then_some("framing"))}
                            style={format!("flex-basis:{}%", num::fixed(w, 2))} title={title.clone()}>
                            if *len as f64 / total > 0.2 { { len.to_string() } }
                        </span>
                    }
                }) }
            </span>
        </span>
    }
}

fn read_parts(trace: &Trace, r: &Read) -> Vec<Piece> {
    r.parts
        .iter()
        .map(|p| {
            (
                colour_slot(trace, &p.label),
                p.end - p.start,
                p.framing,
                format!("{}[{}..{}]", p.label, p.start, p.end),
            )
        })
        .collect()
}

/// The bytes in a socket's queue at `t`, as (len, cap).
fn queue(trace: &Trace, t: Micros, host: &str, q: QueueKind) -> (u32, u32) {
    let snap = trace.view_at(t);
    let h = trace.hosts.iter().find(|h| h.name == host).map(|h| h.id);
    trace
        .sockets
        .iter()
        .filter(|s| Some(s.host) == h && !s.listener)
        .filter_map(|s| snap.sockets.get(&s.id).and_then(|v| v.queues.get(&q)))
        .copied()
        .max_by_key(|(len, _)| *len)
        .unwrap_or((0, 0))
}

/// One remedy (or none) run on the scene's knobs, summarised for the side-by-side table.
struct Outcome {
    chunking: String,
    decoded: Option<String>,
    done: Option<Micros>,
    arrived: Option<Micros>,
    segments: usize,
}

fn outcome(s: &Scenario) -> Outcome {
    match synack_model::simulate(s) {
        Ok(tr) => {
            let r = reads(&tr);
            Outcome {
                chunking: r.iter().map(describe_all).collect::<Vec<_>>().join("  |  "),
                decoded: decode(&tr, &r).map(|d| d.unwrap_or_else(|e| vec![e]).join(", ")),
                done: delivery_time(&tr),
                arrived: arrival_time(&tr),
                segments: data_segments(&tr),
            }
        }
        Err(e) => Outcome {
            chunking: format!("{e:?}"),
            decoded: None,
            done: None,
            arrived: None,
            segments: 0,
        },
    }
}

/// The remedies run on a case's knobs, or for the Nagle what-if Nagle on and off:
/// (test id, name, why, outcome), the baseline first.
fn remedy_rows(k: &Knobs, case: &str, over: &Query) -> Vec<(String, T, T, Outcome)> {
    match case_of(case) {
        Some(c) => {
            let sk = knobs_of(k, c, over);
            StickyFix::ALL
                .iter()
                .map(|fix| {
                    let s = presets::sticky_with(k, &sk.clone().with_fix(k, *fix), *fix);
                    let (name, why) = fix_text(*fix);
                    (fix.id().to_string(), name, why, outcome(&s))
                })
                .collect()
        }
        None => vec![
            (
                "none".into(),
                T::new("Nagle + 延迟确认", "Nagle + delayed ACK"),
                T::new(
                    "小写入等 ACK，ACK 又被接收方延迟 40 ms",
                    "small writes wait for an ACK the receiver delays by 40 ms",
                ),
                outcome(&stall(k, false)),
            ),
            (
                "no-delay".into(),
                T::new("关闭 Nagle（TCP_NODELAY）", "Nagle off (TCP_NODELAY)"),
                T::new(
                    "每次写入立刻发出，不等 ACK",
                    "every write leaves at once, no waiting for the ACK",
                ),
                outcome(&stall(k, true)),
            ),
        ],
    }
}

/// The table of remedies: rows of (test id, name, why, outcome), the first the baseline.
fn remedies_table(
    rows: &[(String, T, T, Outcome)],
    current: StickyFix,
    lang: Lang,
    on_pick: &Callback<(String, String)>,
) -> Html {
    let base = rows.first().and_then(|r| r.3.arrived);
    let cols = [
        T::new("办法", "Remedy"),
        T::new("每次 recv() 拿到的", "What each recv() returned"),
        T::new("解码出的消息", "Messages decoded"),
        T::new("数据报文段", "Data segments"),
        T::new("最后一字节到达", "Last byte arrived"),
        T::new("应用读完", "All read"),
    ];
    let body = rows.iter().map(|(id, name, why, o)| {
        let cost = match (o.arrived, base) {
            (Some(d), Some(b)) if d > b + 500 => format!(" (+{})", fmt_ms(d - b)),
            _ => String::new(),
        };
        let on = current.id() == id;
        let pick = {
            let (cb, id) = (on_pick.clone(), id.clone());
            Callback::from(move |_: MouseEvent| cb.emit(("fix".into(), id.clone())))
        };
        html! {
            <tr data-testid={format!("fix-{id}")} class={classes!(on.then_some("on"))}>
                <th scope="row">
                    { name.get(lang) }<div class="dim small">{ why.get(lang) }</div>
                    <button class={classes!("chip", on.then_some("on"))} aria-pressed={on.to_string()}
                        data-testid={format!("show-{id}")} onclick={pick}>
                        { if on { T::new("图中所示", "shown above") } else { T::new("在图中看", "show above") }.get(lang) }
                    </button>
                </th>
                <td class="mono" data-label={cols[1].get(lang)}>{ o.chunking.clone() }</td>
                <td class="mono" data-testid="decoded" data-label={cols[2].get(lang)}>{ o.decoded.clone().unwrap_or_else(|| "—".into()) }</td>
                <td class="mono" data-label={cols[3].get(lang)}>{ o.segments }</td>
                <td class="mono" data-testid="arrived" data-label={cols[4].get(lang)}>
                    { o.arrived.map(fmt_ms).unwrap_or_else(|| "—".into()) }
                    if !cost.is_empty() { <span class="cost">{ cost }</span> }
                </td>
                <td class="mono" data-testid="delivered" data-label={cols[5].get(lang)}>
                    { o.done.map(fmt_ms).unwrap_or_else(|| "—".into()) }
                </td>
            </tr>
        }
    });
    html! {
        <table data-testid="fixes">
            <thead><tr>{ for cols.iter().map(|c| html! { <th>{ c.get(lang) }</th> }) }</tr></thead>
            <tbody>{ for body }</tbody>
        </table>
    }
}

/// The knobs that produce the case, editable; the ones this case changed from A are marked.
fn knob_editor(
    sk: &StickyKnobs,
    base: &StickyKnobs,
    fix: StickyFix,
    lang: Lang,
    on: &Callback<(String, String)>,
) -> Html {
    let label = |key: &str| -> (T, &'static str) {
        match key {
            "data1" => (T::new("data1 长度", "data1 length"), "B"),
            "data2" => (T::new("data2 长度", "data2 length"), "B"),
            "gap" => (T::new("两次 send() 间隔", "Gap between sends"), "ms"),
            "nagle" => (T::new("Nagle 算法", "Nagle"), ""),
            "mss" => (T::new("MSS", "MSS"), "B"),
            "rate" => (
                T::new("链路速率（0 = 不限）", "Link rate (0 = unlimited)"),
                "Mbit/s",
            ),
            "read1" => (
                T::new("第 1 次 recv() 前忙", "Busy before 1st recv()"),
                "ms",
            ),
            "read2" => (
                T::new("第 2 次 recv() 前忙", "Busy before 2nd recv()"),
                "ms",
            ),
            _ => (T::new("recv() 缓冲区", "recv() buffer"), "B"),
        }
    };
    let items = KNOB_KEYS.iter().map(|key| {
        let (name, unit) = label(key);
        let v = knob_get(sk, key);
        let changed = v != knob_get(base, key);
        // Remedies ① and ② set a knob themselves.
        let locked = matches!(
            (fix, *key),
            (StickyFix::WaitBetweenSends, "gap") | (StickyFix::NoDelay, "nagle")
        );
        let key_s = key.to_string();
        let on = on.clone();
        let input = if *key == "nagle" {
            let onchange = Callback::from(move |e: Event| {
                if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                    on.emit((key_s.clone(), if i.checked() { "1" } else { "0" }.into()));
                }
            });
            html! { <input type="checkbox" checked={sk.nagle} disabled={locked} data-testid={format!("sk-{key}")} {onchange} /> }
        } else {
            let onchange = Callback::from(move |e: Event| {
                if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                    on.emit((key_s.clone(), i.value()));
                }
            });
            html! { <input type="number" min="0" value={v} disabled={locked} data-testid={format!("sk-{key}")} {onchange} /> }
        };
        html! {
            <label class={classes!("knob", changed.then_some("changed"))}>
                <span>{ name.get(lang) }</span>{ input }
                if !unit.is_empty() { <span class="dim">{ unit }</span> }
            </label>
        }
    });
    html! {
        <div class="knobs sticky-knobs" data-testid="sticky-knobs">
            <strong class="knobs-h">{ T::new("这个情况的旋钮（高亮 = 与 A 不同）", "This case's knobs (highlighted: unlike A)").get(lang) }</strong>
            { for items }
        </div>
    }
}

#[component]
pub fn StickyPanel(p: &PanelProps) -> Html {
    let lang = p.lang;
    let trace = &*p.trace;
    let t = p.t;
    let parsed = use_memo(p.trace.clone(), |t| {
        let rs = reads(t);
        let steps = decode_steps(t, &rs);
        (rs, wire(t), steps)
    });
    let (rs, segs, steps) = &*parsed;
    let total: u32 = segs
        .iter()
        .map(|s| s.1.iter().map(|x| x.1).sum::<u32>())
        .chain(rs.iter().map(|r| r.len))
        .max()
        .unwrap_or(1)
        .max(1);
    let (sb, sbcap) = queue(trace, t, "client", QueueKind::SendBuffer);
    let (rb, rbcap) = queue(trace, t, "server", QueueKind::RecvBuffer);
    let bar = |len: u32, cap: u32, testid: &'static str| {
        let pct = if cap == 0 {
            0.0
        } else {
            (len as f64 / cap as f64 * 100.0).min(100.0)
        };
        html! {
            <span class="qbar" data-testid={testid}>
                <span class="qfill" style={format!("width:{}%;min-width:{}", num::fixed(pct, 1), if len > 0 { "3px" } else { "0" })}></span>
                <span class="mono qtext">{ format!("{len} / {cap} B") }</span>
            </span>
        }
    };

    // Messages and their colours (legend).
    let mut legend: Vec<(usize, String)> = Vec::new();
    for m in &trace.messages {
        let b = base_label(&m.label).to_string();
        if !legend.iter().any(|(_, l)| *l == b) {
            legend.push((colour_slot(trace, &m.label), b));
        }
    }

    let jump = |at: u64| {
        let cb = p.on_jump.clone();
        Callback::from(move |_: MouseEvent| cb.emit(at))
    };

    let decoded = steps.as_ref().map(|r| {
        r.as_ref()
            .map(|s| s.iter().flat_map(|d| d.msgs.clone()).collect::<Vec<_>>())
            .map_err(Clone::clone)
    });
    let case = case_of(&p.case);

    // The remedies side by side on the scene's knobs (five model runs: only when they change).
    let rows = use_memo(
        (p.knobs.clone(), p.case.clone(), p.over.clone()),
        |(k, case, over)| remedy_rows(k, case, over),
    );
    let title = match case {
        Some(_) => T::new(
            "三个办法，同一组旋钮",
            "The three remedies on the same knobs",
        ),
        None => T::new(
            "假如：有 Nagle 与没有 Nagle",
            "What if: with and without Nagle",
        ),
    };
    let remedies = html! {
        <section class="fixes">
            <h2>{ title.get(lang) }</h2>
            { remedies_table(&rows, fix_of(&p.over), lang, &p.on_knob) }
        </section>
    };

    html! {
        <div class="sticky" data-testid="sticky">
            if let Some(c) = case {
                { knob_editor(&knobs_of(&p.knobs, c, &p.over).with_fix(&p.knobs, fix_of(&p.over)),
                    &StickyKnobs::of(&p.knobs, StickyCase::A), fix_of(&p.over), lang, &p.on_knob) }
            }
            <div class="legend-row">
                { for legend.iter().map(|(slot, l)| html! {
                    <span class="legend-item"><span class={classes!("chunk", "swatchy", format!("m{slot}"))}></span>{ l.clone() }</span>
                }) }
                if framing(trace).is_some() {
                    <span class="legend-item"><span class="chunk swatchy m0 framing"></span>{ T::new("成帧字节（长度/分隔符）", "framing bytes (length / delimiter)").get(lang) }</span>
                }
            </div>
            <div class="bufs">
                <div><span class="lbl">{ T::new("发送方发送缓冲区", "Sender's send buffer").get(lang) }</span>{ bar(sb, sbcap, "send-buffer") }</div>
                <div><span class="lbl">{ T::new("接收方接收缓冲区", "Receiver's receive buffer").get(lang) }</span>{ bar(rb, rbcap, "recv-buffer") }</div>
            </div>
            <div class="rows">
                <h3>{ T::new("线路上的数据报文段", "Data segments on the wire").get(lang) }</h3>
                <ol class="segs" data-testid="wire">
                    { for segs.iter().map(|(at, parts, rtx)| html! {
                        <li class={classes!((*at > t).then_some("future"))} onclick={jump(*at)}>
                            <span class="mono when">{ fmt_ms(*at) }</span>
                            { chunk_bar(parts, total) }
                            <span class="mono dim">{ format!("{} B", parts.iter().map(|x| x.1).sum::<u32>()) }</span>
                            if *rtx > 0 { <span class="mark">{ match lang { Lang::Zh => format!("第 {rtx} 次重传"), Lang::En => format!("retransmission #{rtx}") } }</span> }
                        </li>
                    }) }
                </ol>
                <h3>{ T::new("每次 recv() 返回的字节", "What each recv() returned").get(lang) }</h3>
                <ol class="segs" data-testid="recv-chunks">
                    { for rs.iter().enumerate().map(|(i, r)| {
                        let step = steps.as_ref().and_then(|s| s.as_ref().ok()).and_then(|s| s.get(i));
                        html! {
                            <li class={classes!((r.t > t).then_some("future"))} onclick={jump(r.t)} data-testid={format!("recv-{}", i + 1)}>
                                <span class="mono when">{ fmt_ms(r.t) }</span>
                                { chunk_bar(&read_parts(trace, r), total) }
                                <span class="mono desc">{ format!("recv() = {} B: {}", r.len, describe_all(r)) }</span>
                                if let Some(st) = step {
                                    <span class="mono dec" data-testid="decoder-step">
                                        { "→ " }
                                        { for (!st.msgs.is_empty()).then(|| html! { <strong>{ st.msgs.join(", ") }</strong> }) }
                                        if let Some(w) = st.waiting.text(lang) {
                                            <span class="waiting">{ if st.msgs.is_empty() { w } else { format!("; {w}") } }</span>
                                        }
                                    </span>
                                }
                            </li>
                        }
                    }) }
                </ol>
                if let Some(d) = decoded {
                    <p class="decoded" data-testid="decoded-now">
                        <strong>{ T::new("解码器还原出：", "The decoder recovered: ").get(lang) }</strong>
                        <span class="mono">{ match d { Ok(m) => m.join(", "), Err(e) => e } }</span>
                    </p>
                }
            </div>
            { remedies }
        </div>
    }
}

fn fix_text(f: StickyFix) -> (T, T) {
    match f {
        StickyFix::None => (
            T::new("不处理", "Nothing"),
            T::new("字节流，没有边界", "a byte stream, no boundaries"),
        ),
        StickyFix::WaitBetweenSends => (
            T::new("两次发送之间等待", "Wait between sends"),
            T::new(
                "多等一个往返，读取方慢就没用",
                "costs a round trip; useless if the reader is slow",
            ),
        ),
        StickyFix::NoDelay => (
            T::new("关闭 Nagle（TCP_NODELAY）", "Nagle off (TCP_NODELAY)"),
            T::new(
                "发送方不攒，但接收缓冲区照样合并",
                "the sender stops batching; the receive buffer still merges",
            ),
        ),
        StickyFix::LengthPrefix => (
            T::new("成帧：4 字节长度前缀", "Framing: 4-byte length prefix"),
            T::new("总能还原消息", "always recovers the messages"),
        ),
        StickyFix::Delimiter => (
            T::new("成帧：分隔符 \\n", "Framing: \\n delimiter"),
            T::new(
                "总能还原（消息里不能有分隔符）",
                "always recovers (messages must not contain it)",
            ),
        ),
    }
}

/// Pure-function tests (run in headless Chromium with the other wasm-bindgen tests).
#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn run(id: &str, fix: StickyFix) -> Trace {
        synack_model::simulate(&scenario(&Knobs::default(), id, &Query::default(), fix)).unwrap()
    }

    #[test]
    fn a_read_of_only_the_length_prefix_says_it_waits_for_the_body() {
        // Nagle sends the 4-byte header alone and holds data1 until it is acknowledged.
        let t = run("a", StickyFix::LengthPrefix);
        let rs = reads(&t);
        assert_eq!(describe_all(&rs[0]), "⟨len⟩");
        let steps = decode_steps(&t, &rs).unwrap().unwrap();
        assert!(steps[0].msgs.is_empty());
        assert_eq!(steps[0].waiting, Waiting::Body { have: 0, len: 300 });
        assert!(steps[0].waiting.text(Lang::En).unwrap().contains("0/300"));
        let last = steps.iter().rev().find(|s| !s.msgs.is_empty()).unwrap();
        assert_eq!(last.waiting, Waiting::Nothing);
        let d = run("d", StickyFix::Delimiter);
        assert_eq!(describe_all(&reads(&d)[0]), "data1 + ⟨\\n⟩ + data2 + ⟨\\n⟩");
    }

    #[test]
    fn knobs_come_from_the_case_and_the_url() {
        let k = Knobs::default();
        let mut q = Query::default();
        assert_eq!(
            knobs_of(&k, StickyCase::B, &q),
            StickyKnobs::of(&k, StickyCase::B)
        );
        q.set("rsize", "1000");
        q.set("nagle", "0");
        q.set("mss", "nope");
        let sk = knobs_of(&k, StickyCase::D, &q);
        assert_eq!((sk.read_size, sk.nagle, sk.mss), (1000, false, 1460));
        for key in KNOB_KEYS {
            let mut x = sk.clone();
            assert!(knob_set(&mut x, key, &knob_get(&sk, key)), "{key}");
            assert_eq!(x, sk, "{key} round-trips");
        }
        let mut x = sk.clone();
        assert!(!knob_set(&mut x, "data1", "0"));
        assert!(!knob_set(&mut x, "gap", "-1"));
        assert!(!knob_set(&mut x, "rate", "NaN"));
        assert_eq!(x, sk);
        // A late reader with a 1000-byte buffer cuts data1 + data2 (600 B) no more.
        let t = synack_model::simulate(&scenario(&k, "d", &q, StickyFix::None)).unwrap();
        assert_eq!(
            reads(&t).iter().map(describe).collect::<Vec<_>>(),
            ["data1 + data2"]
        );
        assert_eq!(
            knob_query(&Query::parse("case=d&rsize=9&lang=zh")).encode(),
            "rsize=9"
        );
    }

    #[test]
    fn the_nagle_stall_waits_for_the_delayed_ack_and_no_delay_does_not() {
        let k = Knobs::default();
        let with = synack_model::simulate(&stall(&k, false)).unwrap();
        let without = synack_model::simulate(&stall(&k, true)).unwrap();
        // The request, then (its reply made the connection interactive, so ACKs are delayed)
        // the first small write alone and the other five held by Nagle until its ACK: 3; with
        // TCP_NODELAY the request and each of the six writes: 7.
        assert_eq!(data_segments(&with), 3);
        assert_eq!(data_segments(&without), 7);
        assert!(delivery_time(&with).unwrap() > delivery_time(&without).unwrap() + 40_000);
        // Remedy ①'s price: data2 leaves a round trip + 100 ms after data1 instead of when
        // data1's ACK lets Nagle send it, so the last byte arrives later (+60 ms here).
        let q = Query::default();
        let arrive = |fix| {
            arrival_time(&synack_model::simulate(&scenario(&k, "a", &q, fix)).unwrap()).unwrap()
        };
        assert!(arrive(StickyFix::WaitBetweenSends) >= arrive(StickyFix::None) + 50_000);
    }

    #[test]
    fn each_case_shows_its_chunking() {
        let d = |id| {
            reads(&run(id, StickyFix::None))
                .iter()
                .map(describe)
                .collect::<Vec<_>>()
        };
        assert_eq!(d("a"), ["data1", "data2"]);
        let b = d("b");
        assert_eq!(b.len(), 2, "{b:?}");
        assert!(b[0].starts_with("data1[0.."), "{b:?}");
        assert!(
            b[1].starts_with("data1[") && b[1].ends_with(" + data2"),
            "{b:?}"
        );
        let c = d("c");
        assert_eq!(c.len(), 2, "{c:?}");
        assert!(c[0].starts_with("data1 + data2[0.."), "{c:?}");
        assert!(c[1].starts_with("data2["), "{c:?}");
        assert_eq!(d("d"), ["data1 + data2"]);
    }

    #[test]
    fn framing_parts_share_their_message_colour() {
        let t = run("c", StickyFix::LengthPrefix);
        assert_eq!(colour_slot(&t, "data1 length"), colour_slot(&t, "data1"));
        assert_ne!(colour_slot(&t, "data1"), colour_slot(&t, "data2"));
        let rs = reads(&t);
        assert!(rs.iter().flat_map(|r| &r.parts).any(|p| p.framing));
        // The framing bytes are not listed as data.
        assert!(!rs.iter().map(describe).any(|d| d.contains("length")));
    }

    #[test]
    fn codecs_recover_both_messages_in_every_case() {
        for id in ["a", "b", "c", "d"] {
            for fix in [StickyFix::LengthPrefix, StickyFix::Delimiter] {
                let t = run(id, fix);
                let got = decode(&t, &reads(&t)).unwrap().unwrap();
                assert_eq!(got.len(), 2, "{id} {fix:?} {got:?}");
                assert!(got[0].starts_with("data1"), "{got:?}");
                assert!(got[1].starts_with("data2"), "{got:?}");
            }
        }
        assert!(decode(&run("a", StickyFix::None), &[]).is_none());
    }
}
