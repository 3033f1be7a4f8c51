//! Questions generated from model traces. Each item names a preset (which may depend on the
//! variant) and a pure function that finds its moment in the trace and reads the answer off the
//! trace: the question stays right whatever the latency, seed or profile of the variant.

use synack_model::presets::{self, BacklogKnobs, HandshakeCase, Knobs, StickyCase, StickyFix};
use synack_model::presets::{TeardownCase, UdpCase, WindowCase};
use synack_model::profile::ProfileId;
use synack_model::read::{self, flag_names, Fate};
use synack_model::trace::{
    Addr, AppCallKind, AppResult, EventKind, Header, Proto, Segment, SocketId, TcpHeader, TcpState,
    TimerKind, Trace,
};

use super::{bank, tr, Answer, Question, Topic};
use crate::engine::labels::{Isns, Numbering};
use crate::engine::layout::Ladder;
use crate::engine::narration::{host_name, socket_name};
use crate::i18n::{Lang, T};
use crate::route::Route;

/// The model run behind a trace item.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sc {
    Hs(HandshakeCase),
    Td(TeardownCase),
    St(StickyCase),
    Udp(UdpCase),
    /// The interview chapter's backlog capture; `true`: with tcp_abort_on_overflow=1.
    Bl(bool),
    Win(WindowCase),
}

pub struct Ctx {
    pub lang: Lang,
    pub v: u32,
}

impl Ctx {
    fn s(&self, zh: String, en: String) -> String {
        tr(self.lang, zh, en)
    }

    /// Two sentences in a row: Chinese runs them together (no space after 。), English
    /// separates them with a space.
    fn join(&self, a: &str, b: &str) -> String {
        match self.lang {
            Lang::Zh => format!("{a}{b}"),
            Lang::En => format!("{a} {b}"),
        }
    }
}

/// What an item is made of.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Built from a model trace: the scene for a variant, then the question read off the trace
    /// (`None` if the variant's trace lacks the moment — tests check that never happens).
    Trace(fn(u32) -> Sc, fn(&Trace, &Ctx) -> Option<Draft>),
    /// Written by us: the question, four choices (the first is right) and why.
    Concept(T, [T; 4], T),
    /// Generated from a reference page's table.
    Port,
    OsiLayer,
    OsiMap,
}

#[derive(Clone, Copy)]
pub struct Item {
    pub id: &'static str,
    pub topic: Topic,
    pub link: Route,
    pub kind: Kind,
}

/// A question before the item's id, topic and link are added.
pub struct Draft {
    pub pause_us: Option<u64>,
    pub prompt: String,
    pub choices: Vec<String>,
    pub answer: Answer,
    pub unit: &'static str,
    pub explain: String,
}

/// Every item, trace items first (the order of the deck).
pub fn all() -> impl Iterator<Item = &'static Item> {
    ITEMS.iter().chain(bank::CONCEPTS.iter())
}

pub fn find(id: &str) -> Option<&'static Item> {
    all().find(|i| i.id == id)
}

/// The network of a variant. Variant 0 is the scenes' default; others change the one-way
/// delay, the seed and (every third) the stack profile, so the numbers in answers move.
pub fn knobs(v: u32) -> Knobs {
    const LAT: [f64; 6] = [20.0, 5.0, 60.0, 12.0, 100.0, 35.0];
    Knobs {
        latency_ms: LAT[v as usize % LAT.len()],
        jitter_ms: 0.0,
        loss_pct: 0.0,
        seed: 1 + v as u64,
        profile: if v % 3 == 2 {
            ProfileId::Rfc
        } else {
            ProfileId::Linux
        },
    }
}

pub fn run(sc: Sc, v: u32) -> Option<Trace> {
    let k = knobs(v);
    let s = match sc {
        Sc::Hs(c) => presets::handshake(&k, c),
        Sc::Td(c) => presets::teardown(&k, c),
        Sc::St(c) => presets::sticky(&k, c, StickyFix::None),
        Sc::Udp(c) => presets::udp(&k, c),
        // Beyond ~60 ms one way the slow reader drains its buffer faster than a round trip
        // refills it and the window never closes: the window items keep to LAN/WAN delays.
        Sc::Win(c) => presets::window(
            &Knobs {
                latency_ms: k.latency_ms.min(60.0),
                ..k
            },
            c,
        ),
        Sc::Bl(abort) => {
            // The interview chapter's capture: loopback delay, a Linux kernel.
            let k = Knobs {
                latency_ms: 0.05,
                profile: ProfileId::Linux,
                ..k
            };
            let b = BacklogKnobs {
                abort_on_overflow: abort,
                ..BacklogKnobs::real_capture()
            };
            presets::backlog(&k, &b)
        }
    };
    let mut t = synack_model::simulate(&s).ok()?;
    t.build_snapshots(64);
    Some(t)
}

/// The trace an item needs for a variant (`None` for items without one).
pub fn trace_for(item: &Item, v: u32) -> Option<Trace> {
    match item.kind {
        Kind::Trace(sc, _) => run(sc(v), v),
        _ => None,
    }
}

/// The question of `item` in variant `v`; `trace` must be `trace_for(item, v)`.
pub fn ask(item: &Item, v: u32, trace: Option<&Trace>, lang: Lang) -> Option<Question> {
    let cx = Ctx { lang, v };
    let d = match item.kind {
        Kind::Trace(_, f) => f(trace?, &cx)?,
        Kind::Concept(q, choices, why) => {
            let right = choices[0].get(lang).to_string();
            let wrong = choices[1..]
                .iter()
                .map(|c| c.get(lang).to_string())
                .collect();
            let (choices, c) = place(right, wrong, v);
            Draft {
                pause_us: None,
                prompt: q.get(lang).into(),
                choices,
                answer: Answer::Choice(c),
                unit: "",
                explain: why.get(lang).into(),
            }
        }
        Kind::Port => bank::port_question(&cx)?,
        Kind::OsiLayer => bank::osi_layer_question(&cx)?,
        Kind::OsiMap => bank::osi_map_question(&cx)?,
    };
    Some(Question {
        item: item.id,
        topic: item.topic,
        prompt: d.prompt,
        choices: d.choices,
        answer: d.answer,
        unit: d.unit,
        explain: d.explain,
        link: item.link,
        pause_us: d.pause_us,
    })
}

/// Puts the right answer among (up to three) wrong ones at a place that moves with the
/// variant. Wrong ones equal to the right one are dropped.
pub fn place(right: String, wrong: Vec<String>, v: u32) -> (Vec<String>, usize) {
    let mut out: Vec<String> = Vec::with_capacity(4);
    for w in wrong {
        if w != right && !out.contains(&w) && out.len() < 3 {
            out.push(w);
        }
    }
    let at = (v as usize * 7 + right.len()) % (out.len() + 1);
    out.insert(at, right);
    (out, at)
}

// ------------------------------------------------------------------------------ trace reading

struct Sent<'a> {
    t: u64,
    seg: &'a Segment,
    /// When it arrived or was dropped, and whether it arrived.
    fate: Option<(u64, bool)>,
}

fn sent(tr: &Trace) -> Vec<Sent<'_>> {
    read::segments(tr)
        .into_iter()
        .map(|s| Sent {
            t: s.t,
            seg: s.seg,
            fate: match s.fate {
                Fate::Delivered(t) => Some((t, true)),
                Fate::Dropped(t, _) => Some((t, false)),
                Fate::Unknown => None,
            },
        })
        .collect()
}

fn tcp(s: &Segment) -> Option<&TcpHeader> {
    match &s.header {
        Header::Tcp(h) => Some(h),
        Header::Udp(_) => None,
    }
}

fn is(s: &Segment, f: fn(&TcpHeader) -> bool) -> bool {
    tcp(s).is_some_and(f)
}

/// "client → server: SYN, ACK".
pub fn seg_text(tr: &Trace, s: &Segment, lang: Lang) -> String {
    let what = match tcp(s) {
        Some(h) => flag_names(h.flags),
        None => "UDP".into(),
    };
    format!(
        "{} → {}: {what}",
        host_name(tr, s.src.host, lang),
        host_name(tr, s.dst.host, lang)
    )
}

/// The first segment sent strictly after `t`.
fn first_after<'a>(all: &'a [Sent<'a>], t: u64) -> Option<&'a Sent<'a>> {
    all.iter().find(|s| s.t > t)
}

fn sock(tr: &Trace, label: &str) -> Option<SocketId> {
    tr.sockets.iter().find(|s| s.label == label).map(|s| s.id)
}

/// The first state change of a socket matching `pick` (by socket and from-state).
fn transition(
    tr: &Trace,
    pick: impl Fn(SocketId, TcpState) -> bool,
) -> Option<(u64, SocketId, TcpState, TcpState)> {
    read::state_changes(tr).find(|&(_, socket, from, _)| pick(socket, from))
}

/// The n-th (0-based) recv()/recvfrom() of `socket` that returned data: (time, len, result).
fn nth_read(tr: &Trace, socket: SocketId, n: usize) -> Option<(u64, &AppResult)> {
    tr.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AppReturn {
                socket: s,
                call: AppCallKind::Recv,
                result: r @ AppResult::Data { .. },
            } if *s == socket => Some((e.t, r)),
            _ => None,
        })
        .nth(n)
}

fn data_len(r: &AppResult) -> u32 {
    match r {
        AppResult::Data { len, .. } => *len,
        _ => 0,
    }
}

/// Just before `t`: the answer is not on screen yet, whatever happened before is. The ladder
/// shows state pills a little past the playhead, so stop 24 px of drawing earlier, but never
/// before the previous moment.
fn before(tr: &Trace, t: u64) -> u64 {
    let l = Ladder::build(tr, None);
    let prev = l.prev_moment(t as f64).unwrap_or(0);
    let early = l.warp.t(l.warp.y(t as f64) - 24.0).max(0.0) as u64;
    early.max(prev + 1).min(t.saturating_sub(1))
}

// ------------------------------------------------------------------------------ question shapes

/// "What is the next segment on the wire?" paused just before the first segment after `after`.
fn next_segment(tr: &Trace, cx: &Ctx, after: u64, lead: T, why: String) -> Option<Draft> {
    let all = sent(tr);
    let s = first_after(&all, after)?;
    let right = seg_text(tr, s.seg, cx.lang);
    let (a, b) = (
        host_name(tr, s.seg.src.host, cx.lang),
        host_name(tr, s.seg.dst.host, cx.lang),
    );
    let flags = tcp(s.seg)
        .map(|h| flag_names(h.flags))
        .unwrap_or_else(|| "UDP".into());
    const POOL: [&str; 6] = ["SYN, ACK", "ACK", "FIN, ACK", "RST", "SYN", "PSH, ACK"];
    let mut wrong = vec![format!("{b} → {a}: {flags}")];
    for k in 0..POOL.len() {
        wrong.push(format!(
            "{a} → {b}: {}",
            POOL[(cx.v as usize + k) % POOL.len()]
        ));
    }
    let (choices, c) = place(right, wrong, cx.v);
    let q = T::new(
        "接下来线路上出现的报文是？",
        "What is the next segment on the wire?",
    );
    Some(Draft {
        pause_us: Some(before(tr, s.t)),
        prompt: cx.join(lead.get(cx.lang), q.get(cx.lang)),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: why,
    })
}

/// "Which state does X enter next?" paused just before the transition.
fn next_state(
    tr: &Trace,
    cx: &Ctx,
    (t, socket, from, to): (u64, SocketId, TcpState, TcpState),
    lead: T,
    why: T,
) -> Option<Draft> {
    const NEAR: [TcpState; 10] = [
        TcpState::SynSent,
        TcpState::SynReceived,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::CloseWait,
        TcpState::Closing,
        TcpState::LastAck,
        TcpState::TimeWait,
        TcpState::Closed,
    ];
    let i = NEAR.iter().position(|s| *s == to).unwrap_or(0);
    let wrong: Vec<String> = [i + 1, i + 9, i + 2, i + 8, i + 3]
        .iter()
        .map(|k| NEAR[k % NEAR.len()])
        .filter(|s| *s != from)
        .map(|s| s.rfc_name().to_string())
        .collect();
    let (choices, c) = place(to.rfc_name().into(), wrong, cx.v);
    let who = socket_name(tr, socket, cx.lang);
    let q = cx.s(
        format!("{who}现在是 {from}，下一个状态是？"),
        format!("The {who} is in {from}. Which state does it enter next?"),
    );
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: cx.join(lead.get(cx.lang), &q),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: why.get(cx.lang).into(),
    })
}

fn typed(pause: u64, prompt: String, n: u64, unit: &'static str, explain: String) -> Draft {
    Draft {
        pause_us: Some(pause),
        prompt,
        choices: Vec::new(),
        answer: Answer::Number(n),
        unit,
        explain,
    }
}

// ------------------------------------------------------------------------------ the items

const fn item(
    id: &'static str,
    topic: Topic,
    link: Route,
    sc: fn(u32) -> Sc,
    f: fn(&Trace, &Ctx) -> Option<Draft>,
) -> Item {
    Item {
        id,
        topic,
        link,
        kind: Kind::Trace(sc, f),
    }
}

use Route as R;
use Topic as Tp;

pub const ITEMS: &[Item] = &[
    item(
        "hs-synack",
        Tp::Handshake,
        R::Handshake,
        |_| Sc::Hs(HandshakeCase::Normal),
        hs_synack,
    ),
    item(
        "hs-synack-ack",
        Tp::Handshake,
        R::Handshake,
        |_| Sc::Hs(HandshakeCase::Normal),
        hs_synack_ack,
    ),
    item(
        "hs-syn-rcvd",
        Tp::Handshake,
        R::Handshake,
        |_| Sc::Hs(HandshakeCase::Normal),
        hs_syn_rcvd,
    ),
    item(
        "hs-client-est",
        Tp::Handshake,
        R::Handshake,
        |_| Sc::Hs(HandshakeCase::Normal),
        hs_client_est,
    ),
    item(
        "hs-ack-lost",
        Tp::Handshake,
        R::Handshake,
        |_| Sc::Hs(HandshakeCase::FinalAckLost),
        hs_ack_lost,
    ),
    item(
        "hs-syn-rto",
        Tp::Handshake,
        R::Handshake,
        |_| Sc::Hs(HandshakeCase::SynLost),
        hs_syn_rto,
    ),
    item(
        "hs-closed",
        Tp::Handshake,
        R::Handshake,
        |_| Sc::Hs(HandshakeCase::ClosedPort),
        hs_closed,
    ),
    item(
        "td-fin-ack",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::ClientCloses),
        td_fin_ack,
    ),
    item(
        "td-fin-ackno",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::ClientCloses),
        td_fin_ackno,
    ),
    item(
        "td-close-wait",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::ClientCloses),
        td_close_wait,
    ),
    item(
        "td-fin-wait-2",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::ClientCloses),
        td_fin_wait_2,
    ),
    item(
        "td-last-ack",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::ClientCloses),
        td_last_ack,
    ),
    item(
        "td-time-wait",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::ClientCloses),
        td_time_wait,
    ),
    item(
        "td-2msl",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::ClientCloses),
        td_2msl,
    ),
    item(
        "td-fin-retx",
        Tp::Teardown,
        R::Teardown,
        |_| Sc::Td(TeardownCase::LastAckLost),
        td_fin_retx,
    ),
    item(
        "st-recv-b",
        Tp::Sticky,
        R::Sticky,
        |_| Sc::St(StickyCase::B),
        st_recv_first,
    ),
    item(
        "st-recv-d",
        Tp::Sticky,
        R::Sticky,
        |_| Sc::St(StickyCase::D),
        st_recv_first,
    ),
    item(
        "st-case",
        Tp::Sticky,
        R::Sticky,
        |v| Sc::St(StickyCase::ALL[v as usize % 4]),
        st_case,
    ),
    item(
        "udp-trunc",
        Tp::Udp,
        R::Udp,
        |_| Sc::Udp(UdpCase::Truncation),
        udp_trunc,
    ),
    item(
        "udp-second",
        Tp::Udp,
        R::Udp,
        |_| Sc::Udp(UdpCase::Truncation),
        udp_second,
    ),
    item(
        "udp-bound",
        Tp::Udp,
        R::Udp,
        |_| Sc::Udp(UdpCase::Boundaries),
        udp_bound,
    ),
    item(
        "bl-overflow",
        Tp::Backlog,
        R::Backlog,
        |v| Sc::Bl(v % 2 == 1),
        bl_overflow,
    ),
    item(
        "bl-synack-retx",
        Tp::Backlog,
        R::Backlog,
        |_| Sc::Bl(false),
        bl_synack_retx,
    ),
    item(
        "bl-half-open",
        Tp::Backlog,
        R::Backlog,
        |_| Sc::Bl(false),
        bl_half_open,
    ),
    item(
        "win-dupack",
        Tp::Window,
        R::Window,
        |_| Sc::Win(WindowCase::FastRetransmit),
        win_dupack,
    ),
    item(
        "win-rto-cwnd",
        Tp::Window,
        R::Window,
        |_| Sc::Win(WindowCase::RtoBackoff),
        win_rto_cwnd,
    ),
    item(
        "win-zero",
        Tp::Window,
        R::Window,
        |_| Sc::Win(WindowCase::SlowReader),
        win_zero,
    ),
];

fn first_seg(tr: &Trace, f: fn(&TcpHeader) -> bool) -> Option<(u64, &Segment)> {
    tr.events.iter().find_map(|e| match &e.kind {
        EventKind::SegmentSent { segment, .. } if is(segment, f) => Some((e.t, segment)),
        _ => None,
    })
}

fn hs_synack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, _) = first_seg(tr, |h| h.flags.syn && h.flags.ack)?;
    next_segment(
        tr,
        cx,
        before(tr, t),
        T::new("服务器在 80 端口 listen，客户端的 SYN 正要到达。", "The server listens on port 80; the client's SYN is about to arrive."),
        T::new(
            "服务器回 SYN-ACK：SYN 位送出自己的初始序号，ACK 位确认客户端的 SYN（确认号 = 客户端 ISN + 1）。一个报文做了两件事，所以握手只要三次。",
            "The server answers SYN-ACK: the SYN bit carries its own initial sequence number, the ACK bit acknowledges the client's SYN (ack = client ISN + 1). One segment does both jobs, which is why three segments are enough.",
        )
        .get(cx.lang)
        .into(),
    )
}

fn hs_synack_ack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, s) = first_seg(tr, |h| h.flags.syn && h.flags.ack)?;
    let h = tcp(s)?;
    let isns = Isns::of_trace(tr);
    let (_, ack) = isns.show(s, h, Numbering::Relative);
    let (_, abs) = isns.show(s, h, Numbering::Absolute);
    Some(typed(
        before(tr, t),
        cx.s(
            "客户端的 SYN 正要到达服务器。用相对序号（客户端 ISN 记为 0），服务器的 SYN-ACK 里确认号 ack 是多少？".into(),
            "The client's SYN is about to reach the server. In relative numbers (the client's ISN counts as 0), what ack number does the server's SYN-ACK carry?".into(),
        ),
        ack as u64,
        "",
        cx.s(
            format!("SYN 本身占一个序号，所以确认号是 ISN + 1 = {ack}（这次运行的绝对值是 {abs}）。ack 的意思是“下一个我想要的字节号”。"),
            format!("A SYN takes up one sequence number, so the ack is ISN + 1 = {ack} (absolute {abs} in this run). An ack number means \"the next byte I expect\"."),
        ),
    ))
}

fn hs_syn_rcvd(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let listener = sock(tr, "server");
    let tr_ = transition(tr, |s, from| {
        from == TcpState::Listen && Some(s) != listener
    })?;
    next_state(
        tr,
        cx,
        tr_,
        T::new("客户端的 SYN 正要到达正在 listen 的服务器。", "The client's SYN is about to reach the listening server."),
        T::new(
            "收到 SYN 并回了 SYN-ACK 的连接进入 SYN-RECEIVED（半连接，放在 SYN 队列里），等客户端最后的 ACK。",
            "Having received a SYN and answered SYN-ACK, the new connection is in SYN-RECEIVED (half-open, in the SYN queue), waiting for the client's final ACK.",
        ),
    )
}

fn hs_client_est(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let c = sock(tr, "client")?;
    let x = transition(tr, |s, from| s == c && from == TcpState::SynSent)?;
    next_state(
        tr,
        cx,
        x,
        T::new("服务器的 SYN-ACK 正要到达客户端。", "The server's SYN-ACK is about to reach the client."),
        T::new(
            "客户端收到 SYN-ACK 就进入 ESTABLISHED 并回最后一个 ACK：在它看来连接已经建好了，可以立刻发数据；服务器要等这个 ACK 到了才进入 ESTABLISHED。",
            "On the SYN-ACK the client enters ESTABLISHED and sends the final ACK: for the client the connection is up and it may send data at once; the server is ESTABLISHED only when that ACK arrives.",
        ),
    )
}

fn hs_ack_lost(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let lost = all.iter().find(|s| s.fate.is_some_and(|f| !f.1))?;
    next_segment(
        tr,
        cx,
        lost.fate?.0,
        T::new("客户端握手的最后一个 ACK 在路上丢了。", "The client's final handshake ACK was lost on the way."),
        T::new(
            "服务器还在 SYN-RECEIVED，它的重传定时器（初始 1 秒）到期后重发 SYN-ACK；客户端再回 ACK，服务器这才进入 ESTABLISHED。客户端不会自己重发 ACK：ACK 不占序号，没人等它的确认。",
            "The server is still in SYN-RECEIVED; when its retransmission timer (1 s at first) fires it sends the SYN-ACK again, the client answers with another ACK, and only then is the server ESTABLISHED. The client never resends a bare ACK on its own: an ACK takes no sequence number and is never acknowledged.",
        )
        .get(cx.lang)
        .into(),
    )
}

fn hs_syn_rto(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let syns: Vec<&Sent> = all
        .iter()
        .filter(|s| is(s.seg, |h| h.flags.syn && !h.flags.ack))
        .collect();
    let (first, again) = (syns.first()?, syns.get(1)?);
    let ms = (again.t - first.t) / 1000;
    Some(typed(
        first.fate?.0,
        cx.s(
            "客户端的第一个 SYN 丢了。从发出它算起，过多少毫秒客户端重发 SYN？".into(),
            "The client's first SYN is lost. How many milliseconds after sending it does the client send the SYN again?".into(),
        ),
        ms,
        "ms",
        cx.s(
            format!("连接还没有 RTT 样本，重传定时器用初始值（RFC 6298：1 秒），所以 {ms} 毫秒后重发；之后每次翻倍（指数退避）。"),
            format!("With no RTT sample yet, the retransmission timer starts at its initial value (RFC 6298: 1 s), so the SYN goes again after {ms} ms; each further retry doubles it (exponential backoff)."),
        ),
    ))
}

fn hs_closed(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, _) = first_seg(tr, |h| h.flags.syn)?;
    let all = sent(tr);
    let syn = all.iter().find(|s| s.t == t)?;
    next_segment(
        tr,
        cx,
        syn.fate?.0.saturating_sub(1),
        T::new("服务器主机的 80 端口没有任何程序 listen，客户端的 SYN 正要到达。", "Nothing listens on the server's port 80; the client's SYN is about to arrive."),
        T::new(
            "没有监听的端口用 RST 回答（带 ACK，确认号 = 对方 ISN + 1），客户端的 connect() 立刻失败，错误是 ECONNREFUSED，而不是等到超时。",
            "A port nobody listens on answers with RST (with ACK, ack = the client's ISN + 1); the client's connect() fails at once with ECONNREFUSED instead of timing out.",
        )
        .get(cx.lang)
        .into(),
    )
}

fn client_fin(tr: &Trace) -> Option<(u64, &Segment)> {
    let c = tr.sockets.iter().find(|s| s.label == "client")?;
    tr.events.iter().find_map(|e| match &e.kind {
        EventKind::SegmentSent { segment, .. }
            if segment.src.host == c.host && is(segment, |h| h.flags.fin) =>
        {
            Some((e.t, segment))
        }
        _ => None,
    })
}

fn td_fin_ack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, _) = client_fin(tr)?;
    next_segment(
        tr,
        cx,
        t,
        T::new("客户端调用 close()，它的 FIN 正在路上；服务器的应用还没有 close()。", "The client called close() and its FIN is on the way; the server's application has not closed yet."),
        T::new(
            "服务器的内核立刻用 ACK 确认这个 FIN，但自己的 FIN 要等服务器应用调用 close() 才发：它可能还有数据要发。ACK 和 FIN 分开发，所以挥手是四次。",
            "The server's kernel acknowledges the FIN at once, but its own FIN waits until the server application calls close(): it may still have data to send. The ACK and the FIN go separately, which is why the teardown takes four segments.",
        )
        .get(cx.lang)
        .into(),
    )
}

fn td_fin_ackno(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, fin) = client_fin(tr)?;
    let all = sent(tr);
    let ack = first_after(&all, t)?;
    let h = tcp(ack.seg)?;
    let isns = Isns::of_trace(tr);
    let (_, n) = isns.show(ack.seg, h, Numbering::Relative);
    let (fin_seq, _) = isns.show(fin, tcp(fin)?, Numbering::Relative);
    Some(typed(
        before(tr, ack.t),
        cx.s(
            format!("客户端的 FIN（相对序号 seq = {fin_seq}）正在路上。服务器确认它的 ACK 里，相对确认号是多少？"),
            format!("The client's FIN (relative seq = {fin_seq}) is on the way. What relative ack number does the server's ACK of it carry?"),
        ),
        n as u64,
        "",
        cx.s(
            format!("FIN 和 SYN 一样占一个序号，所以确认号是 {fin_seq} + 1 = {n}。"),
            format!("A FIN, like a SYN, takes up one sequence number, so the ack is {fin_seq} + 1 = {n}."),
        ),
    ))
}

fn conn_socket(tr: &Trace) -> Option<SocketId> {
    sock(tr, "conn")
}

fn td_close_wait(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let c = conn_socket(tr)?;
    let x = transition(tr, |s, from| s == c && from == TcpState::Established)?;
    next_state(
        tr,
        cx,
        x,
        T::new("客户端的 FIN 正要到达服务器。", "The client's FIN is about to reach the server."),
        T::new(
            "收到对方的 FIN 后进入 CLOSE-WAIT：对方不会再发数据了（recv() 返回 0），但这一端还可以继续发送，直到应用调用 close()。",
            "On the peer's FIN the server enters CLOSE-WAIT: the peer will send nothing more (recv() returns 0), but this side may still send until its application calls close().",
        ),
    )
}

fn td_fin_wait_2(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let c = sock(tr, "client")?;
    let x = transition(tr, |s, from| s == c && from == TcpState::FinWait1)?;
    next_state(
        tr,
        cx,
        x,
        T::new("服务器对客户端 FIN 的 ACK 正要到达客户端。", "The server's ACK of the client's FIN is about to reach the client."),
        T::new(
            "FIN 被确认后客户端进入 FIN-WAIT-2：它这个方向已经关了，等服务器那边的 FIN。",
            "Once its FIN is acknowledged the client is in FIN-WAIT-2: its direction is closed and it waits for the server's FIN.",
        ),
    )
}

fn td_last_ack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let c = conn_socket(tr)?;
    let x = transition(tr, |s, from| s == c && from == TcpState::CloseWait)?;
    next_state(
        tr,
        cx,
        x,
        T::new("服务器处于 CLOSE-WAIT，它的应用现在调用 close()。", "The server is in CLOSE-WAIT and its application now calls close()."),
        T::new(
            "服务器发出自己的 FIN，进入 LAST-ACK：只等对这个 FIN 的最后一个 ACK，收到就 CLOSED。",
            "The server sends its own FIN and enters LAST-ACK: it only waits for the last ACK of that FIN, then it is CLOSED.",
        ),
    )
}

fn td_time_wait(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let c = sock(tr, "client")?;
    let x = transition(tr, |s, from| s == c && from == TcpState::FinWait2)?;
    next_state(
        tr,
        cx,
        x,
        T::new("服务器的 FIN 正要到达处于 FIN-WAIT-2 的客户端。", "The server's FIN is about to reach the client in FIN-WAIT-2."),
        T::new(
            "主动关闭的一方回最后一个 ACK 后进入 TIME-WAIT，等 2MSL：万一这个 ACK 丢了，对方会重发 FIN，它还能再确认一次；同时让这条连接的旧报文在网络里消失，不会混进用同样端口的新连接。",
            "The side that closed first sends the last ACK and enters TIME-WAIT for 2MSL: if that ACK is lost the peer resends its FIN and it can acknowledge again, and old segments of this connection die out before a new connection on the same ports could mistake them for its own.",
        ),
    )
}

fn td_2msl(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let c = sock(tr, "client")?;
    let (t, exp) = tr.events.iter().find_map(|e| match e.kind {
        EventKind::TimerSet {
            socket,
            timer: TimerKind::TimeWait,
            expires_us,
        } if socket == c => Some((e.t, expires_us)),
        _ => None,
    })?;
    let secs = (exp - t) / 1_000_000;
    let profile = match &tr.origin {
        synack_model::trace::Origin::Model { profile, .. } => profile.clone(),
        _ => String::new(),
    };
    let linux = profile == "linux";
    Some(typed(
        before(tr, t),
        cx.s(
            format!("协议栈：{}。服务器的 FIN 正要到达客户端，客户端将进入 TIME-WAIT。它要在 TIME-WAIT 停留多少秒？", if linux { "Linux" } else { "RFC" }),
            format!("Stack profile: {}. The server's FIN is about to reach the client, which will enter TIME-WAIT. How many seconds does it stay there?", if linux { "Linux" } else { "RFC" }),
        ),
        secs,
        "s",
        if linux {
            cx.s(
                format!("2MSL。Linux 把 TIME-WAIT 固定为 {secs} 秒（TCP_TIMEWAIT_LEN），不随 MSL 设置变化。"),
                format!("2MSL. Linux fixes TIME-WAIT at {secs} s (TCP_TIMEWAIT_LEN), whatever the MSL."),
            )
        } else {
            cx.s(
                format!("2MSL。RFC 9293 建议 MSL 为 2 分钟，所以 2MSL = {secs} 秒。"),
                format!("2MSL. RFC 9293 suggests an MSL of 2 minutes, so 2MSL = {secs} s."),
            )
        },
    ))
}

fn td_fin_retx(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let lost = all.iter().find(|s| s.fate.is_some_and(|f| !f.1))?;
    next_segment(
        tr,
        cx,
        lost.fate?.0,
        T::new("客户端在 TIME-WAIT 里回的最后一个 ACK 丢了。", "The client's last ACK, sent from TIME-WAIT, was lost."),
        T::new(
            "服务器在 LAST-ACK 里等不到确认，重传定时器到期后重发 FIN；客户端还在 TIME-WAIT，于是能再回一个 ACK（并重新开始 2MSL 计时）。这正是 TIME-WAIT 存在的理由。",
            "The server in LAST-ACK gets no acknowledgement, so its retransmission timer resends the FIN; the client is still in TIME-WAIT and can answer with another ACK (restarting its 2MSL wait). This is exactly why TIME-WAIT exists.",
        )
        .get(cx.lang)
        .into(),
    )
}

fn st_recv_first(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let conn = conn_socket(tr)?;
    let (t, r) = nth_read(tr, conn, 0)?;
    let n = data_len(r);
    let lens: Vec<String> = tr
        .messages
        .iter()
        .filter(|m| m.label.starts_with("data"))
        .map(|m| format!("{} = {} B", m.label, m.len))
        .collect();
    let lens = lens.join(", ");
    let spans = match r {
        AppResult::Data { payload, .. } => payload
            .iter()
            .map(|p| {
                let m = tr
                    .messages
                    .get(p.message.0 as usize)
                    .map_or("?", |m| m.label.as_str());
                format!("{m}[{}..{}]", p.start, p.end)
            })
            .collect::<Vec<_>>()
            .join(" + "),
        _ => String::new(),
    };
    Some(typed(
        before(tr, t),
        cx.s(
            format!("客户端连续 send() 了两条消息（{lens}），服务器 recv(65536)。这次 recv() 返回多少字节？"),
            format!("The client send()s two messages back to back ({lens}); the server calls recv(65536). How many bytes does this recv() return?"),
        ),
        n as u64,
        "B",
        cx.s(
            format!("返回 {n} 字节：{spans}。TCP 是字节流，recv() 拿走的是此刻接收缓冲区里已有的字节，和对方 send() 了几次无关——消息边界不保留，这就是“粘包”。"),
            format!("{n} bytes: {spans}. TCP is a byte stream: recv() takes whatever bytes are in the receive buffer right now, however many send() calls made them. Message boundaries are not kept; that is \"sticky packets\"."),
        ),
    ))
}

/// The interview chapter's case (0 = A … 3 = D) that the reads of a sticky trace show.
pub fn sticky_case_of(tr: &Trace) -> Option<usize> {
    let conn = conn_socket(tr)?;
    let len = |label: &str| tr.messages.iter().find(|m| m.label == label).map(|m| m.len);
    let (l1, l2) = (len("data1")?, len("data2")?);
    let (_, first) = nth_read(tr, conn, 0)?;
    let n = data_len(first);
    Some(if n == l1 + l2 {
        3
    } else if n < l1 {
        1
    } else if n == l1 {
        0
    } else if n < l1 + l2 {
        2
    } else {
        return None;
    })
}

fn st_case(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let conn = conn_socket(tr)?;
    let (t, _) = nth_read(tr, conn, 0)?;
    let c = sticky_case_of(tr)?;
    let choices: Vec<String> = bank::STICKY_CASES
        .iter()
        .zip("ABCD".chars())
        .map(|(x, l)| format!("{l}. {}", x.get(cx.lang)))
        .collect();
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: T::new(
            "客户端连续两次 send()，分别发 data1 和 data2。看报文大小和服务器什么时候读，服务器的 recv() 会是 A–D 哪种情况？",
            "The client calls send() twice, for data1 and data2. From the segment sizes and when the server reads, which of the cases A–D will the server's recv() calls show?",
        )
        .get(cx.lang)
        .into(),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: bank::STICKY_WHY[c].get(cx.lang).into(),
    })
}

fn udp_server(tr: &Trace) -> Option<SocketId> {
    tr.sockets
        .iter()
        .find(|s| s.label == "server" && s.proto == Proto::Udp)
        .map(|s| s.id)
}

fn udp_trunc(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let s = udp_server(tr)?;
    let (t, r) = nth_read(tr, s, 0)?;
    let (n, lost) = match r {
        AppResult::Data { len, truncated, .. } => (*len, truncated.unwrap_or(0)),
        _ => return None,
    };
    let dgram = n + lost;
    Some(typed(
        before(tr, t),
        cx.s(
            format!("客户端发来两个 {dgram} 字节的 UDP 数据报，服务器用 {n} 字节的缓冲区调用 recvfrom()。这次返回多少字节？"),
            format!("The client sends two {dgram}-byte UDP datagrams; the server calls recvfrom() with a {n}-byte buffer. How many bytes does it return?"),
        ),
        n as u64,
        "B",
        cx.s(
            format!("只返回 {n} 字节并带上截断标志（MSG_TRUNC），剩下的 {lost} 字节被丢弃。UDP 一次读一个完整数据报，不会把一个数据报分两次读。"),
            format!("Only {n} bytes, flagged as truncated (MSG_TRUNC); the other {lost} bytes are discarded. UDP reads one whole datagram per call and never splits one across two reads."),
        ),
    ))
}

fn udp_second(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let s = udp_server(tr)?;
    let (_, r0) = nth_read(tr, s, 0)?;
    let (t, r) = nth_read(tr, s, 1)?;
    let span = |r: &AppResult| match r {
        AppResult::Data { payload, .. } => payload.first().copied(),
        _ => None,
    };
    let (a, b) = (span(r0)?, span(r)?);
    let name = |m: synack_model::trace::MessageId| {
        tr.messages
            .get(m.0 as usize)
            .map_or("?".into(), |x| x.label.clone())
    };
    let full = |m| tr.messages.get(m as usize).map_or(0, |x| x.len);
    let fmt = |m: synack_model::trace::MessageId, s: u32, e: u32| format!("{} [{s}..{e})", name(m));
    let right = fmt(b.message, b.start, b.end);
    let w = a.end - a.start;
    let wrong = vec![
        fmt(a.message, a.end, (a.end + w).min(full(a.message.0))),
        fmt(a.message, a.end, full(a.message.0)),
        fmt(b.message, b.end, (b.end + w).min(full(b.message.0))),
    ];
    let (choices, c) = place(right.clone(), wrong, cx.v);
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: cx.s(
            format!("第一次 recvfrom() 只拿到了 {} 的前 {w} 字节（被截断）。第二次 recvfrom() 返回什么？", name(a.message)),
            format!("The first recvfrom() got only the first {w} bytes of {} (truncated). What does the second recvfrom() return?", name(a.message)),
        ),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: cx.s(
            format!("返回 {right}：下一个数据报的开头。被截掉的部分已经丢了，UDP 不会把它留给下一次读取——消息边界一直保留。"),
            format!("{right}: the start of the next datagram. The truncated bytes are gone; UDP does not keep them for the next read, so message boundaries always hold."),
        ),
    })
}

fn udp_bound(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let s = udp_server(tr)?;
    let (t, r) = nth_read(tr, s, 1)?;
    let n = data_len(r);
    let lens: Vec<String> = tr.messages.iter().map(|m| m.len.to_string()).collect();
    Some(typed(
        before(tr, t),
        cx.s(
            format!("客户端连续发出 {} 字节的 UDP 数据报，服务器稍后用 1024 字节的缓冲区逐个 recvfrom()。第二次 recvfrom() 返回多少字节？", lens.join("、")),
            format!("The client sends UDP datagrams of {} bytes back to back; the server later calls recvfrom() with a 1024-byte buffer. How many bytes does the second recvfrom() return?", lens.join(", ")),
        ),
        n as u64,
        "B",
        cx.s(
            format!("{n} 字节，正好是第二个数据报。UDP 面向消息：就算几个数据报都已经在缓冲区里，每次也只取一个，所以 UDP 没有粘包。"),
            format!("{n} bytes: exactly the second datagram. UDP is message-oriented: even with several datagrams waiting, each call takes one, so UDP has no sticky packets."),
        ),
    ))
}

/// The interview chapter's second client: its socket and (ephemeral) port.
fn bl_client2(tr: &Trace) -> Option<(SocketId, u16)> {
    let c = tr.sockets.iter().find(|s| s.label == "client 2")?;
    Some((c.id, c.local_port))
}

/// (time the final ACK of client 2 reached the server, client 2's port).
fn bl_final_ack(tr: &Trace) -> Option<(u64, u16)> {
    let (_, port) = bl_client2(tr)?;
    let all = sent(tr);
    let ack = all.iter().find(|s| {
        s.seg.src.port == port
            && is(s.seg, |h| {
                h.flags.ack && !h.flags.syn && !h.flags.fin && !h.flags.rst
            })
            && s.seg.payload_len == 0
    })?;
    Some((ack.fate?.0, port))
}

fn bl_overflow(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, port) = bl_final_ack(tr)?;
    let all = sent(tr);
    let answer = all
        .iter()
        .find(|s| s.t >= t && s.seg.dst.port == port && tcp(s.seg).is_some())?;
    let h = tcp(answer.seg)?;
    let c = if h.flags.rst {
        1
    } else if h.flags.syn {
        0
    } else if h.flags.fin {
        3
    } else {
        2
    };
    // The setting is the variant's input (see the item's scene), the answer is the trace's.
    let abort_on = cx.v % 2 == 1;
    let choices = bank::BACKLOG_CHOICES
        .iter()
        .map(|x| x.get(cx.lang).to_string())
        .collect();
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: cx.s(
            format!("listen(fd, 0)，accept 队列已满，没人调用 accept()；tcp_abort_on_overflow = {}。第二个客户端握手的最后一个 ACK 正要到达服务器。服务器会怎么做？", abort_on as u8),
            format!("listen(fd, 0); the accept queue is full and nobody calls accept(); tcp_abort_on_overflow = {}. The second client's final handshake ACK is about to reach the server. What does the server do?", abort_on as u8),
        ),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: bank::BACKLOG_WHY[c.min(1)].get(cx.lang).into(),
    })
}

fn bl_synack_retx(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (t, port) = bl_final_ack(tr)?;
    let n = sent(tr)
        .iter()
        .filter(|s| s.seg.dst.port == port && s.seg.retransmission > 0)
        .filter(|s| is(s.seg, |h| h.flags.syn && h.flags.ack))
        .count() as u64;
    Some(typed(
        t,
        cx.s(
            "一次真实的 accept 队列溢出抓包：accept 队列已满，服务器忽略了第二个客户端的最后 ACK（tcp_synack_retries = 5，tcp_abort_on_overflow = 0）。服务器一共会重传几次 SYN-ACK？".into(),
            "A capture of a real accept-queue overflow: the accept queue is full and the server ignored the second client's final ACK (tcp_synack_retries = 5, tcp_abort_on_overflow = 0). How many times in all does the server retransmit its SYN-ACK?".into(),
        ),
        n,
        "",
        cx.s(
            format!("{n} 次，间隔 1、2、4、8、16 秒翻倍。每次客户端都以为自己的 ACK 丢了，再回一个 ACK；但队列一直满，ACK 一直被忽略。重试用完后服务器丢掉这个请求，客户端下一次发数据时收到 RST。"),
            format!("{n} times, 1, 2, 4, 8, 16 s apart (doubling). Each time the client thinks its ACK was lost and sends another; the queue stays full, so each is ignored. When the retries run out the server forgets the request, and the client's next data gets a RST."),
        ),
    ))
}

fn bl_half_open(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let (c, _) = bl_client2(tr)?;
    let x = transition(tr, |s, from| s == c && from == TcpState::SynSent)?;
    next_state(
        tr,
        cx,
        x,
        T::new(
            "服务器的 accept 队列已满，但它仍然回了 SYN-ACK，正要到达第二个客户端。",
            "The server's accept queue is full, but it still answered with a SYN-ACK, which is about to reach the second client.",
        ),
        T::new(
            "客户端收到 SYN-ACK 就进入 ESTABLISHED，connect() 成功返回，可服务器会忽略它的 ACK、连接一直停在 SYN-RECEIVED。如果服务器最终放弃，客户端以为连着、服务器却没有这条连接：这就是半开连接。",
            "On the SYN-ACK the client enters ESTABLISHED and connect() returns success, yet the server will ignore its ACK and keep the request in SYN-RECEIVED. If the server finally gives up, the client believes it is connected while the server has nothing: a half-open connection.",
        ),
    )
}

// ------------------------------------------------------------------------------ windows

/// The largest payload the sender put in one segment: its MSS in a bulk transfer.
fn largest_payload(all: &[Sent]) -> u32 {
    all.iter().map(|s| s.seg.payload_len).max().unwrap_or(0)
}

/// The congestion window of `socket` right after `t` (the first window record at or after it).
fn cwnd_after(tr: &Trace, socket: SocketId, t: u64) -> Option<u32> {
    tr.events.iter().find_map(|e| match &e.kind {
        EventKind::WindowChanged { socket: s, window } if *s == socket && e.t >= t => {
            Some(window.cwnd)
        }
        _ => None,
    })
}

/// The socket bound to `addr` that sends and receives on the connection.
fn socket_of(tr: &Trace, addr: Addr) -> Option<SocketId> {
    tr.sockets
        .iter()
        .find(|s| s.host == addr.host && s.local_port == addr.port && s.remote.is_some())
        .map(|s| s.id)
}

/// The first retransmitted data segment of a bulk transfer.
fn first_data_retx<'a>(all: &'a [Sent<'a>]) -> Option<&'a Sent<'a>> {
    all.iter()
        .find(|s| s.seg.retransmission > 0 && s.seg.payload_len > 0)
}

fn win_dupack(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let retx = first_data_retx(&all)?;
    let hole = tcp(retx.seg)?.seq;
    // Pure ACKs for the hole that reached the sender before it resent, in event order (several
    // arrive in the same microsecond). The first moves snd_una up to the hole; a later one is a
    // duplicate when, as RFC 5681 §2 defines it, it also carries the same window (a changed
    // window makes it a window update instead).
    let resent_at = tr.events.iter().position(|e| {
        matches!(&e.kind, EventKind::SegmentSent { segment, .. } if std::ptr::eq(segment, retx.seg))
    })?;
    let mut for_hole = Vec::new();
    let mut last_window = None;
    let mut dups = 0u64;
    for e in &tr.events[..resent_at] {
        match &e.kind {
            EventKind::SegmentSent { id, segment }
                if segment.dst.host == retx.seg.src.host && segment.payload_len == 0 =>
            {
                if let Some(h) = tcp(segment)
                    .filter(|h| h.ack == hole && h.flags.ack && !h.flags.syn && !h.flags.fin)
                {
                    for_hole.push((*id, h.window));
                }
            }
            EventKind::SegmentArrived { id } => {
                if let Some(&(_, window)) = for_hole.iter().find(|(x, _)| x == id) {
                    if last_window == Some(window) {
                        dups += 1;
                    } else {
                        dups = 0;
                    }
                    last_window = Some(window);
                }
            }
            _ => {}
        }
    }
    last_window?;
    let lost = all
        .iter()
        .find(|s| s.seg.payload_len > 0 && tcp(s.seg).is_some_and(|h| h.seq == hole))?;
    Some(typed(
        lost.fate?.0,
        cx.s(
            "批量传输中一个数据段丢了，后面的段照常到达。发送方在重传定时器到期之前就重发了它：重发前它收到了几个重复 ACK？".into(),
            "In a bulk transfer one data segment is lost; the ones after it arrive. The sender resends it before its retransmission timer fires. How many duplicate ACKs has it received by then?".into(),
        ),
        dups,
        "",
        cx.s(
            format!("{dups} 个。接收方每收到一个乱序段，就再确认一次缺口的起点；同一个确认号连续出现 3 次重复，发送方就认定该段丢了，立即重传（快速重传，RFC 5681 §3.2），cwnd 减半而不是退回 1 个段。"),
            format!("{dups}. Each out-of-order segment makes the receiver acknowledge the start of the gap again; after 3 duplicates of the same ack number the sender treats the segment as lost and resends it at once (fast retransmit, RFC 5681 §3.2), halving cwnd instead of dropping it to one segment."),
        ),
    ))
}

fn win_rto_cwnd(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    let retx = first_data_retx(&all)?;
    let mss = largest_payload(&all).max(1);
    let socket = socket_of(tr, retx.seg.src)?;
    let cwnd = cwnd_after(tr, socket, retx.t)?;
    let n = u64::from(cwnd.div_ceil(mss));
    Some(typed(
        retx.t.saturating_sub(1),
        cx.s(
            "传输途中网络断了，没有任何 ACK 回来，发送方的重传定时器到期。重传时它的拥塞窗口 cwnd 是几个段？".into(),
            "The network goes dark in the middle of a transfer: no ACK comes back and the sender's retransmission timer fires. When it retransmits, how many segments is its congestion window cwnd?".into(),
        ),
        n,
        "",
        cx.s(
            format!("{n} 个段。超时说明网络可能严重拥塞，发送方把 ssthresh 设为在途数据的一半，cwnd 退回 1 个段（RFC 5681 §3.1 的“丢失窗口”），重新慢启动；每次再超时，定时器翻倍（RFC 6298 §5.5）。"),
            format!("{n}. A timeout suggests heavy congestion: the sender sets ssthresh to half the data in flight and drops cwnd to one segment (RFC 5681 §3.1's loss window), then slow-starts again; each further timeout doubles the timer (RFC 6298 §5.5)."),
        ),
    ))
}

fn win_zero(tr: &Trace, cx: &Ctx) -> Option<Draft> {
    let all = sent(tr);
    // The first zero window that reaches the data sender.
    let zero = all.iter().find(|s| {
        s.seg.payload_len == 0
            && tcp(s.seg).is_some_and(|h| h.window == 0 && h.flags.ack && !h.flags.syn)
            && s.fate.is_some_and(|f| f.1)
    })?;
    let (arrived, _) = zero.fate?;
    let socket = socket_of(tr, zero.seg.dst)?;
    // What the trace shows next: the sender arms its persist timer (and, if the window is still
    // closed when it fires, sends a probe). Without one the question does not apply.
    let persist = tr.events.iter().any(|e| {
        e.t >= arrived
            && matches!(e.kind, EventKind::TimerSet { socket: s, timer: TimerKind::Persist, .. } if s == socket)
    });
    if !persist {
        return None;
    }
    let [right, wrong @ ..] = WIN_ZERO_CHOICES.map(|x| x.get(cx.lang).to_string());
    let wrong = wrong.to_vec();
    let (choices, at) = place(right, wrong, cx.v);
    Some(Draft {
        pause_us: Some(arrived),
        prompt: cx.s(
            "接收方的应用读得很慢，缓冲区满了，它通告窗口 = 0。发送方还有数据要发，它会怎么做？".into(),
            "The receiving application reads slowly; its buffer is full and it advertises a window of 0. The sender still has data. What does it do?".into(),
        ),
        choices,
        answer: Answer::Choice(at),
        unit: "",
        explain: cx.s(
            "它停下来，但不干等：持续定时器（persist timer）到期就发一个窗口探测，逼接收方回报当前窗口；窗口一打开就接着发。否则要是那个“窗口打开了”的更新丢了，两边会永远互相等待（RFC 9293 §3.8.6.1）。".into(),
            "It stops, but does not just wait: each time its persist timer fires it sends a window probe, which makes the receiver report its current window, and it resumes as soon as the window opens. Otherwise a lost \"window open\" update would leave both sides waiting for each other forever (RFC 9293 §3.8.6.1).".into(),
        ),
    })
}

/// Choices of `win-zero`; the first is what TCP does.
const WIN_ZERO_CHOICES: [T; 4] = [
    T::new(
        "停发数据，由持续定时器定期发窗口探测，窗口打开后继续",
        "It stops sending data and sends window probes on a persist timer until the window opens",
    ),
    T::new(
        "继续按 cwnd 发送，多出的由接收方丢弃",
        "It keeps sending up to cwnd; the receiver drops the excess",
    ),
    T::new("立即发 RST 断开连接", "It resets the connection at once"),
    T::new(
        "一直等待，直到收到接收方主动发来的窗口更新",
        "It waits, doing nothing, until the receiver sends a window update",
    ),
];
