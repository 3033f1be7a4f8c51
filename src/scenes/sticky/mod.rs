//! TCP sticky packets (粘包): what each recv() returned, as coloured chunks of the messages the
//! sender wrote, plus the interview chapter's fixes run side by side on the same case.
//!
//! This file holds the scene's cases and its URL knobs; `analysis` reads the trace (pure
//! functions that feed the picture, the fix table and the tests alike); `panel` draws them.

mod analysis;
mod panel;
#[cfg(test)]
mod tests;

pub(super) use analysis::DISCARDED;
pub(super) use panel::{chunk_bar, jump_name};

use yew::prelude::*;

use synack_model::presets::{self, Knobs, StickyCase, StickyFix, StickyKnobs, WindowCase};
use synack_model::scenario::{Action, Scenario, Step};

use super::{CaseEnum, Panel, PanelArgs, SceneDef};
use crate::engine::params::Params;
use crate::i18n::T;
use crate::route::{Query, Route};

pub static SCENE: SceneDef = SceneDef {
    own_keys: knob_query,
    edit_own_key,
    panel: Panel::Below(panel),
    teach: super::teach::sticky::ROWS,
    ..SceneDef::of_cases::<SceneCase>(Route::Sticky, INTRO, |k, p, own| {
        scenario(k, &p.case, own, fix_of(own))
    })
};

/// The scene's cases: the four of the interview chapter, then the Nagle + delayed-ACK what-if.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SceneCase {
    Split(StickyCase),
    NagleStall,
}

impl CaseEnum for SceneCase {
    const BUTTONS: &'static [SceneCase] = &[
        SceneCase::Split(StickyCase::A),
        SceneCase::Split(StickyCase::B),
        SceneCase::Split(StickyCase::C),
        SceneCase::Split(StickyCase::D),
        SceneCase::NagleStall,
    ];

    fn id(self) -> &'static str {
        match self {
            SceneCase::Split(c) => c.id(),
            SceneCase::NagleStall => "nagle-stall",
        }
    }

    fn from_id(id: &str) -> Option<SceneCase> {
        SceneCase::BUTTONS.iter().copied().find(|c| c.id() == id)
    }

    fn words(self) -> (T, T) {
        words(self)
    }
}

fn panel(a: &PanelArgs) -> Html {
    html! {
        <panel::StickyPanel trace={a.trace.clone()} knobs={super::knobs(&a.params)}
            case={AttrValue::from(a.params.case.clone())} over={a.own.clone()} t={a.t} lang={a.lang}
            on_jump={a.on_jump.clone()} on_knob={a.on_own_key.clone()} />
    }
}

/// A sticky knob or `fix` set to `v`: the scene's keys afterwards, holding a knob only while it
/// differs from the case's own value (`None`: not a valid value).
fn edit_own_key(k: &Knobs, p: &Params, own: &Query, key: &str, v: &str) -> Option<Query> {
    let mut o = own.clone();
    if key == "fix" {
        match StickyFix::from_id(v)? {
            StickyFix::None => o.remove("fix"),
            f => o.set("fix", f.id()),
        }
        return Some(o);
    }
    let c = case_of(&p.case)?;
    let mut sk = knobs_of(k, c, own);
    if !knob_set(&mut sk, key, v) {
        return None;
    }
    let val = knob_get(&sk, key);
    if val == knob_get(&StickyKnobs::of(k, c), key) {
        o.remove(key);
    } else {
        o.set(key, val);
    }
    Some(o)
}

/// The words of a case: its button and the sentence under the buttons.
fn words(c: SceneCase) -> (T, T) {
    match c {
        SceneCase::Split(StickyCase::A) => (
            T::new("A：分两次收到", "A: two reads"),
            T::new(
                "读取方一有数据就读：第一次 recv() 正好拿到 data1，第二次正好拿到 data2。这是“运气好”，不是 TCP 的保证。",
                "The reader reads as soon as data is there: the first recv() returns exactly data1, the second exactly data2. That is luck, not something TCP promises.",
            ),
        ),
        SceneCase::Split(StickyCase::B) => (
            T::new("B：先半个 data1", "B: part of data1 first"),
            T::new(
                "data1 比 MSS 大，被切成两个报文段。读取方醒来时只到了第一段：第一次 recv() 只拿到 data1 的前半部分，下一次拿到 data1 的剩余部分和整个 data2。",
                "data1 is larger than the MSS, so it travels as two segments. The reader wakes up when only the first has arrived: the first recv() returns the start of data1, the next one the rest of data1 together with data2.",
            ),
        ),
        SceneCase::Split(StickyCase::C) => (
            T::new("C：data1 带上半个 data2", "C: data1 plus part of data2"),
            T::new(
                "data2 比 MSS 大。读取方醒得稍晚：第一次 recv() 拿到整个 data1 和 data2 的第一段，下一次拿到 data2 的剩余部分。",
                "data2 is larger than the MSS. The reader wakes up a little later: the first recv() returns all of data1 and the first segment of data2, the next one the rest of data2.",
            ),
        ),
        SceneCase::Split(StickyCase::D) => (
            T::new("D：一次全收到", "D: both in one read"),
            T::new(
                "读取方很晚才读：两条消息都已经在接收缓冲区里，一次 recv() 把 data1 和 data2 一起拿走，边界消失了。",
                "The reader is late: both messages already sit in the receive buffer, and one recv() takes data1 and data2 together. The boundary is gone.",
            ),
        ),
        SceneCase::NagleStall => (
            T::new("Nagle + 延迟确认", "Nagle + delayed ACK"),
            T::new(
                "假如：发送方连续做小的写入，Nagle 算法要等前一个小报文段被确认才发下一个，而接收方的延迟确认又在等更多数据或定时器到期，于是每一步都卡住一段时间。关掉 Nagle（TCP_NODELAY）就不会等。开头先有一次请求和应答：Linux 对新连接的头几段数据立刻确认（quick-ACK 模式），连接变成一问一答的交互以后才延迟确认，卡顿从那时开始。",
                "What if the sender makes several small writes: Nagle's algorithm holds each small segment until the previous one is acknowledged, while the receiver's delayed ACK waits for more data or its timer, so every step stalls. With Nagle off (TCP_NODELAY) nothing waits. A request and its reply come first: Linux acknowledges a new connection's first data at once (quick-ACK mode) and delays ACKs only once the connection is interactive, which is when the stalls begin.",
            ),
        ),
    }
}

/// The case of the interview chapter for an id (`None`: the Nagle what-if or an unknown id).
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
    let f = |v: f64| crate::num::shortest((v * 1000.0).round() / 1000.0);
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
    let ms = |hi: f64| crate::num::parse_f64(v).filter(|x| x.is_finite() && (0.0..=hi).contains(x));
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
