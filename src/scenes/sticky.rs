//! Scene 4, TCP sticky packets (粘包): what each recv() returned, as coloured chunks of the
//! messages the sender wrote, plus the seed's fixes run side by side on the same case.
//!
//! Everything here is a pure function of a model trace (and the playhead), so the same
//! functions feed the picture, the fix table and the tests.

use yew::prelude::*;

use synack_model::codec::{self, delimiter, length_prefix};
use synack_model::presets::{self, Knobs, StickyCase, StickyFix, WindowCase};
use synack_model::scenario::Scenario;
use synack_model::trace::{
    AppCallKind, AppResult, EventKind, HostId, MessageContent, Micros, QueueKind, SocketId, Trace,
};

use crate::engine::ladder::fmt_ms;
use crate::engine::Shared;
use crate::i18n::{Lang, T};
use crate::num;

/// The four cases of the seed, then the Nagle + delayed-ACK what-if.
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
                "假如：发送方连续做小的写入，Nagle 算法要等前一个小报文段被确认才发下一个，而接收方的延迟确认又在等更多数据或定时器到期，于是每一步都卡住一段时间。关掉 Nagle（TCP_NODELAY）就不会等。",
                "What if the sender makes several small writes: Nagle's algorithm holds each small segment until the previous one is acknowledged, while the receiver's delayed ACK waits for more data or its timer, so every step stalls. With Nagle off (TCP_NODELAY) nothing waits.",
            ),
        ),
        _ => (T::new("", ""), T::new("", "")),
    }
}

pub fn case_of(id: &str) -> Option<StickyCase> {
    StickyCase::from_id(id)
}

/// The model scenario for a case id and a fix (the Nagle what-if ignores the fix).
pub fn scenario(k: &Knobs, id: &str, fix: StickyFix) -> Scenario {
    match case_of(id) {
        Some(c) => presets::sticky(k, c, fix),
        None => presets::window(k, WindowCase::NagleDelayedAck),
    }
}

pub const INTRO: &[T] = &[
    T::new(
        "TCP 是字节流：发送方两次 send() 写入的 data1 和 data2，在 TCP 看来只是一串连续的字节，报文段和 recv() 都不知道消息在哪里结束。所以接收方一次 recv() 可能拿到半条消息，也可能拿到好几条粘在一起——这就是常说的“粘包”。它不是 bug，而是字节流没有消息边界的必然结果。",
        "TCP is a byte stream: data1 and data2, written by two send() calls, are to TCP just one run of bytes, and neither the segments nor recv() know where a message ends. So one recv() may return half a message, or several glued together — what Chinese interviewers call 粘包 (sticky packets). It is not a bug; it follows from a stream having no message boundaries.",
    ),
    T::new(
        "谁把字节合在一起？有两处。发送方：Nagle 算法（运行在发送方，不是种子文中说的“服务器”）在还有未确认的小报文段时，把后面的小写入攒起来一起发；发送缓冲区里的字节也会按 MSS 切分，一个报文段可以装下两条消息的一部分。接收方：应用读得慢时，多个报文段的字节都堆在接收缓冲区里，一次 recv() 全部取走。",
        "Who glues the bytes? Two places. The sender: Nagle's algorithm (it runs on the sender, not on \"the server\" as the seed says) holds small writes while a small segment is unacknowledged and sends them together, and the send buffer is cut by MSS, so one segment can carry parts of two messages. The receiver: when the application reads slowly, the bytes of several segments pile up in the receive buffer and one recv() takes them all.",
    ),
    T::new(
        "种子文给了三个办法：① 两次发送之间等一等——只在读取方跟得上时有效，而且白白浪费时间（看下表的“交付完成”）；② 关闭 Nagle（setNoDelay / TCP_NODELAY）——发送方不再攒，但读取方慢的话，接收缓冲区里照样粘在一起；③ 自己加边界（成帧）：每条消息前加 4 字节长度，或者在末尾加分隔符。只有成帧无论怎么切分都能还原出 data1 和 data2。",
        "The seed gives three remedies: ① wait between the two sends — works only if the reader keeps up, and wastes time (see “all delivered” in the table); ② turn Nagle off (setNoDelay / TCP_NODELAY) — the sender stops batching, but a slow reader still finds the bytes glued in its receive buffer; ③ add boundaries yourself (framing): a 4-byte length before each message, or a delimiter after it. Only framing recovers data1 and data2 however the stream was cut.",
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

/// Feeds each recv() result to the codec the sender used, as the application would:
/// the recovered messages as text (their byte content is the label repeated), or an error.
pub fn decode(trace: &Trace, rs: &[Read]) -> Option<Result<Vec<String>, String>> {
    let f = framing(trace)?;
    let mut lp = length_prefix::Decoder::new();
    let mut dl = delimiter::Decoder::new(b'\n');
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
        let msgs = match f {
            MessageContent::LengthPrefix { .. } => match lp.feed(&bytes) {
                Ok(m) => m,
                Err(e) => return Some(Err(format!("{e:?}"))),
            },
            MessageContent::Delimiter { .. } => dl.feed(&bytes),
        };
        out.extend(msgs.into_iter().map(|m| {
            // The model's opaque bytes repeat the label: show "data1 (300 B)".
            let name: String = String::from_utf8_lossy(&m[..m.len().min(5)]).into_owned();
            format!("{name} ({} B)", m.len())
        }));
    }
    Some(Ok(out))
}

/// When the last application byte reached the reader, from the first send() call.
pub fn delivery_time(trace: &Trace) -> Option<Micros> {
    let first_send = trace.events.iter().find_map(|e| match &e.kind {
        EventKind::AppCall {
            call: synack_model::trace::AppCall::Send { .. },
            ..
        } => Some(e.t),
        _ => None,
    })?;
    let last = reads(trace).last()?.t;
    Some(last.saturating_sub(first_send))
}

/// A drawn piece of a chunk: (colour slot, bytes, framing, tooltip).
type Piece = (usize, u32, bool, String);

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
    pub t: u64,
    pub lang: Lang,
    pub on_jump: Callback<u64>,
}

fn chunk_bar(parts: &[Piece], scale: f64) -> Html {
    html! {
        <span class="chunks">
            { for parts.iter().map(|(slot, len, framing, title)| {
                let w = (*len as f64 * scale).max(6.0);
                html! {
                    <span class={classes!("chunk", format!("m{slot}"), framing.then_some("framing"))}
                        style={format!("width:{}px", num::fixed(w, 0))} title={title.clone()}>
                        if w > 60.0 { { format!("{}", len) } }
                    </span>
                }
            }) }
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

#[component]
pub fn StickyPanel(p: &PanelProps) -> Html {
    let lang = p.lang;
    let trace = &*p.trace;
    let t = p.t;
    let rs = reads(trace);
    let segs = wire(trace);
    let total: u32 = segs
        .iter()
        .map(|s| s.1.iter().map(|x| x.1).sum::<u32>())
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = 260.0 / total as f64;
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

    let decoded = decode(trace, &rs);

    // The fixes side by side on the same case (the Nagle what-if has none).
    let fixes = case_of(&p.case).map(|c| {
        let rows = StickyFix::ALL.iter().map(|fix| {
            let s = presets::sticky(&p.knobs, c, *fix);
            let (chunking, done, dec) = match synack_model::simulate(&s) {
                Ok(tr) => {
                    let r = reads(&tr);
                    let chunking = r.iter().map(describe).collect::<Vec<_>>().join("  |  ");
                    let dec = decode(&tr, &r).map(|d| match d {
                        Ok(m) => m.join(", "),
                        Err(e) => e,
                    });
                    (chunking, delivery_time(&tr), dec)
                }
                Err(e) => (format!("{e:?}"), None, None),
            };
            let (name, why) = fix_text(*fix);
            html! {
                <tr data-testid={format!("fix-{}", fix.id())}>
                    <th scope="row">{ name.get(lang) }<div class="dim small">{ why.get(lang) }</div></th>
                    <td class="mono">{ chunking }</td>
                    <td class="mono" data-testid="decoded">{ dec.unwrap_or_else(|| "—".into()) }</td>
                    <td class="mono">{ done.map(fmt_ms).unwrap_or_else(|| "—".into()) }</td>
                </tr>
            }
        });
        html! {
            <section class="fixes">
                <h2>{ T::new("三个办法，同一个情况", "The three remedies on the same case").get(lang) }</h2>
                <table data-testid="fixes">
                    <thead><tr>
                        <th>{ T::new("办法", "Remedy").get(lang) }</th>
                        <th>{ T::new("每次 recv() 拿到的", "What each recv() returned").get(lang) }</th>
                        <th>{ T::new("解码出的消息", "Messages decoded").get(lang) }</th>
                        <th>{ T::new("交付完成", "All delivered").get(lang) }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </section>
        }
    });

    html! {
        <div class="sticky" data-testid="sticky">
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
                            { chunk_bar(parts, scale) }
                            <span class="mono dim">{ format!("{} B", parts.iter().map(|x| x.1).sum::<u32>()) }</span>
                            if *rtx > 0 { <span class="mark">{ match lang { Lang::Zh => format!("第 {rtx} 次重传"), Lang::En => format!("retransmission #{rtx}") } }</span> }
                        </li>
                    }) }
                </ol>
                <h3>{ T::new("每次 recv() 返回的字节", "What each recv() returned").get(lang) }</h3>
                <ol class="segs" data-testid="recv-chunks">
                    { for rs.iter().enumerate().map(|(i, r)| html! {
                        <li class={classes!((r.t > t).then_some("future"))} onclick={jump(r.t)} data-testid={format!("recv-{}", i + 1)}>
                            <span class="mono when">{ fmt_ms(r.t) }</span>
                            { chunk_bar(&read_parts(trace, r), scale) }
                            <span class="mono desc">{ format!("recv() = {} B: {}", r.len, describe(r)) }</span>
                        </li>
                    }) }
                </ol>
                if let Some(d) = decoded {
                    <p class="decoded" data-testid="decoded-now">
                        <strong>{ T::new("解码器还原出：", "The decoder recovered: ").get(lang) }</strong>
                        <span class="mono">{ match d { Ok(m) => m.join(", "), Err(e) => e } }</span>
                    </p>
                }
            </div>
            { for fixes }
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
        synack_model::simulate(&scenario(&Knobs::default(), id, fix)).unwrap()
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
