//! Sliding window and congestion control: the sender's window over the byte stream, the
//! receiver's buffer and advertised window, and cwnd/ssthresh over time.
//!
//! `analysis` reads all of it out of a trace (pure, tested natively); `panel` draws it under
//! the player from the live playhead.

mod analysis;
mod panel;

use yew::prelude::*;

use synack_model::presets::{self, WindowCase};

use super::{CaseWords, Panel, PanelArgs, SceneDef};
use crate::i18n::T;
use crate::route::Route;

pub static SCENE: SceneDef = SceneDef {
    panel: Panel::InPlayer(panel),
    teach: super::teach::window::ROWS,
    ..SceneDef::new(
        Route::Window,
        INTRO,
        || CASES.iter().map(|c| c.id()).collect(),
        |id| case_of(id).and_then(words).map(CaseWords::new),
        |k, p, _| presets::window(k, case_of(&p.case).unwrap_or(WindowCase::Avoidance)),
    )
};

/// The scene's cases, in button order (the first is the default): the model's window cases
/// but the Nagle one, which the sticky-packets scene shows.
const CASES: &[WindowCase] = &[
    WindowCase::Avoidance,
    WindowCase::SlowStart,
    WindowCase::FastRetransmit,
    WindowCase::RtoBackoff,
    WindowCase::SlowReader,
];

fn case_of(id: &str) -> Option<WindowCase> {
    WindowCase::from_id(id).filter(|c| CASES.contains(c))
}

fn panel(a: &PanelArgs) -> Html {
    html! { <panel::WindowPanel trace={a.trace.clone()} t={a.t} lang={a.lang} on_jump={a.on_jump.clone()} /> }
}

/// The words of a case: its button and the sentence under the buttons; `None` for the case
/// this scene does not show.
fn words(c: WindowCase) -> Option<(T, T)> {
    match c {
        WindowCase::Avoidance => Some((
            T::new("慢启动 → 拥塞避免", "Slow start → avoidance"),
            T::new(
                "200 KB 的传输，ssthresh 一开始是 16 个 MSS（Linux 可从路由或 tcp_metrics 缓存得到）。cwnd 从 10 个 MSS 起步，每个 ACK 确认多少就涨多少，一个 RTT 翻一倍；超过 ssthresh 后改为拥塞避免：RFC 5681 §3.1 每个 RTT 加约 1 个 MSS；Linux 的 CUBIC 在还没丢过包时每个 RTT 约加 5%（这里不到 1 个 MSS）。",
                "A 200 KB transfer with ssthresh starting at 16 MSS (Linux may take it from a route or its tcp_metrics cache). cwnd starts at 10 MSS and grows by what each ACK acknowledges, doubling every RTT; past ssthresh it switches to congestion avoidance: about one MSS per RTT in RFC 5681 §3.1; Linux's CUBIC, before any loss, about 5 % per RTT (here under one MSS).",
            ),
        )),
        WindowCase::SlowStart => Some((
            T::new("只有慢启动", "Slow start only"),
            T::new(
                "没有丢包时 ssthresh 一直是「无穷大」，cwnd 每个 RTT 翻倍，很快超过接收方通告的窗口：此时限制发送的是 rwnd（流量控制），不是 cwnd。",
                "Without loss ssthresh stays \"infinite\" and cwnd doubles every RTT until it passes the receiver's advertised window: from then on rwnd (flow control) limits the sender, not cwnd.",
            ),
        )),
        WindowCase::FastRetransmit => Some((
            T::new("丢包 → 快速重传", "Loss → fast retransmit"),
            T::new(
                "第 5 个数据段丢了。后面的段照样到达，接收方每收到一个就重复确认缺口的位置；到第 3 个重复 ACK（带着 SACK 块）时发送方立即重传，不等 RTO（RFC 5681 §3.2；Linux 用 RACK 判定丢失，RFC 8985）。Linux 的 CUBIC 把 ssthresh 设为 cwnd 的 0.7，恢复期间按送达的数据逐步减小 cwnd（PRR，RFC 6937），恢复结束时 cwnd 等于 ssthresh；RFC 教科书配置把 ssthresh 设为在途数据的一半，用 NewReno 快速恢复（RFC 6582）。之后都从 ssthresh 开始拥塞避免。",
                "The 5th data segment is lost. Later segments still arrive and each one makes the receiver repeat the ACK for the gap; on the 3rd duplicate ACK (with its SACK blocks) the sender retransmits at once instead of waiting for the RTO (RFC 5681 §3.2; Linux decides the loss with RACK, RFC 8985). Linux's CUBIC sets ssthresh to 0.7 of cwnd and lowers cwnd during the recovery in step with what is delivered (PRR, RFC 6937), ending at ssthresh; the RFC textbook profile sets ssthresh to half the data in flight and uses NewReno's fast recovery (RFC 6582). Either way congestion avoidance goes on from ssthresh.",
            ),
        )),
        WindowCase::RtoBackoff => Some((
            T::new("丢包 → 超时重传", "Loss → RTO"),
            T::new(
                "网络断开 3 秒，没有 ACK 回来，也就没有重复 ACK：只能等重传定时器。RTO 到期后 ssthresh 降低（RFC 5681：在途数据的一半；Linux 的 CUBIC：cwnd 的 0.7，整个中断期间只降这一次），cwnd 降到 1 个 MSS（丢失窗口），每次超时 RTO 翻倍（RFC 6298 §5.5）；网络恢复后重新慢启动，一直到 ssthresh。",
                "The network goes dark for 3 s: no ACKs come back, so no duplicate ACKs either, and only the retransmission timer can help. When it fires, ssthresh is lowered (RFC 5681: half the data in flight; Linux's CUBIC: 0.7 of cwnd, once for the whole outage) and cwnd drops to one MSS (the loss window), and every timeout doubles the RTO (RFC 6298 §5.5); once the path is back, slow start begins again, up to ssthresh.",
            ),
        )),
        WindowCase::SlowReader => Some((
            T::new("读得慢 → 零窗口", "Slow reader → zero window"),
            T::new(
                "接收缓冲只有 4 KB，应用每 200 ms 才读 1 KB。缓冲填满后接收方通告窗口 0，发送方停下，启动持续定时器，定时发送零窗口探测；应用读走数据、空出足够的位置后，接收方发送窗口更新，传输继续（RFC 9293 §3.8.6）。",
                "The receive buffer holds 4 KB and the application reads 1 KB every 200 ms. Once the buffer is full the receiver advertises a zero window; the sender stops and starts its persist timer, probing the window from time to time. When the application has read enough, the receiver sends a window update and the transfer resumes (RFC 9293 §3.8.6).",
            ),
        )),
        // The sticky-packets scene shows it (case "nagle-stall").
        WindowCase::NagleDelayedAck => None,
    }
}

const INTRO: &[T] = &[
    T::new(
        "TCP 发送方同时受两个窗口约束：接收方在每个 ACK 里通告的接收窗口 rwnd（流量控制，别把对方的缓冲塞爆），以及发送方自己估计的拥塞窗口 cwnd（拥塞控制，别把网络塞爆）。任何时刻在途（已发送未确认）的数据不超过 min(rwnd, cwnd)。ACK 到来，snd_una 右移，窗口随之向前滑动。",
        "A TCP sender is bound by two windows: the receive window rwnd the receiver advertises in every ACK (flow control: don't overrun its buffer) and its own congestion window cwnd (congestion control: don't overrun the network). Data in flight (sent, not acknowledged) never exceeds min(rwnd, cwnd). As ACKs arrive, snd_una moves right and the window slides along the byte stream.",
    ),
    T::new(
        "名字来自 RFC 9293 §3.3.1：snd_una 是最早未确认的字节，snd_nxt 是下一个要发的字节，snd_una + 窗口是允许发送的右边界。窗口字段只有 16 位，最大 65535；RFC 7323 的窗口缩放选项在 SYN 中协商一个移位数，之后每个窗口值都要左移这么多位。",
        "The names come from RFC 9293 §3.3.1: snd_una is the oldest unacknowledged byte, snd_nxt the next byte to send, and snd_una + window the right edge of what may be sent. The window field has 16 bits (at most 65,535); RFC 7323's window scale option agrees on a shift count in the SYNs, and every later window value is shifted left by it.",
    ),
    T::new(
        "拥塞控制（RFC 5681）：cwnd 小于 ssthresh 时是慢启动，每个 RTT 翻倍；之后是拥塞避免，每个 RTT 加 1 个 MSS（Linux 的 CUBIC 沿三次曲线回到上次丢包时的窗口）。3 个重复 ACK 说明后面的数据还在流动，只丢了一段：快速重传，ssthresh 减到在途数据的一半（Linux 的 CUBIC：cwnd 的 0.7）。重传超时说明什么都没回来：cwnd 回到 1 个 MSS，重新慢启动。RTO 由平滑 RTT（SRTT）和 RTT 抖动算出（RFC 6298），每次超时翻倍。",
        "Congestion control (RFC 5681): while cwnd is below ssthresh it is slow start, doubling every RTT; after that, congestion avoidance adds one MSS per RTT (Linux's CUBIC follows a cubic curve back to the window of the last loss). Three duplicate ACKs mean data is still flowing and only one segment was lost: fast retransmit, with ssthresh cut to half the data in flight (Linux's CUBIC: 0.7 of cwnd). A retransmission timeout means nothing came back: cwnd falls to one MSS and slow start begins again. The RTO comes from the smoothed RTT (SRTT) and its variation (RFC 6298) and doubles on every timeout.",
    ),
    T::new(
        "接收方读得慢时，缓冲区填满，通告窗口降到 0。发送方不能发数据，但对方的窗口更新可能丢失，所以它启动持续定时器，定时发零窗口探测，逼接收方回一个带当前窗口的 ACK。为避免「糊涂窗口综合症」，接收方只在空出至少一个 MSS 或半个缓冲后才重新开窗（RFC 9293 §3.8.6.2）。",
        "When the receiver reads slowly its buffer fills and the advertised window falls to zero. The sender may not send data, but the window update could be lost, so it starts the persist timer and sends zero-window probes, which make the receiver answer with an ACK carrying its current window. To avoid silly window syndrome the receiver reopens the window only once at least one MSS or half its buffer is free (RFC 9293 §3.8.6.2).",
    ),
];
