//! The sticky-packets scene's facts, read out of a model trace: the reads and their parts, the
//! framing decoder's steps, the times, and each remedy run on the same knobs.

use synack_model::codec::{self, delimiter, length_prefix};
use synack_model::presets::{self, Knobs, StickyFix};
use synack_model::scenario::Scenario;
use synack_model::trace::{
    AppCallKind, AppResult, EventKind, HostId, MessageContent, Micros, QueueKind, SocketId, Trace,
};

use super::{case_of, fix_text, knobs_of, stall};
use crate::i18n::{Lang, T};
use crate::route::Query;

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

pub fn host_of(trace: &Trace, s: SocketId) -> Option<HostId> {
    trace.sockets.iter().find(|x| x.id == s).map(|x| x.host)
}

pub fn server_host(trace: &Trace) -> Option<HostId> {
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

pub fn first_send(trace: &Trace) -> Option<Micros> {
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
pub type Piece = (usize, u32, bool, String);

/// The colour slot of bytes that were thrown away (a truncated datagram's tail).
pub const DISCARDED: usize = 9;

/// The data segments the client sent: (time, payload parts as (colour slot, len, framing),
/// retransmission).
pub fn wire(trace: &Trace) -> Vec<(Micros, Vec<Piece>, u32)> {
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

pub fn read_parts(trace: &Trace, r: &Read) -> Vec<Piece> {
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
pub fn queue(trace: &Trace, t: Micros, host: &str, q: QueueKind) -> (u32, u32) {
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
pub struct Outcome {
    pub chunking: String,
    pub decoded: Option<String>,
    pub done: Option<Micros>,
    pub arrived: Option<Micros>,
    pub segments: usize,
}

pub fn outcome(s: &Scenario) -> Outcome {
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
pub fn remedy_rows(k: &Knobs, case: &str, over: &Query) -> Vec<(String, T, T, Outcome)> {
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
