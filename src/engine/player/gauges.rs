//! The small gauges of a socket's line: a running timer as a shrinking ring, a queue as a bar.

use yew::prelude::*;

use synack_model::trace::QueueKind;

use crate::engine::ladder::fmt_ms;
use crate::engine::layout::TimerSpan;
use crate::engine::narration::{timer_name, timer_title};
use crate::i18n::{Lang, T};
use crate::num;

/// A running timer: the ring is the time left (to when it fires, `expires`) as a share of the
/// whole timeout, next to the name and time left; `t`: the playhead, µs. A plain function, not
/// a component: the playhead changes on every frame of playback, so a component's props check
/// would never skip it.
pub fn timer_ring(x: &TimerSpan, t: f64, lang: Lang) -> Html {
    let name = timer_name(x.kind, lang);
    // The timeout asked for, which the tooltip names (Linux fires a little after it).
    let title = timer_title(x.kind, x.timeout, x.expires.saturating_sub(x.set), lang);
    let total = (x.expires.saturating_sub(x.set)).max(1) as f64;
    let left = (x.expires as f64 - t).max(0.0);
    let frac = num::clamp(left / total, 0.0, 1.0);
    // The ring's circumference (r = 7).
    let c = 2.0 * std::f64::consts::PI * 7.0;
    html! {
        <span class="timer" {title}>
            <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
                <circle cx="9" cy="9" r="7" class="timer-bg" />
                <circle cx="9" cy="9" r="7" class="timer-arc"
                    stroke-dasharray={format!("{} {}", num::fixed(c * frac, 2), num::fixed(c, 2))} transform="rotate(-90 9 9)" />
            </svg>
            { format!("{name} {}", fmt_ms(left as u64)) }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct QueueProps {
    pub kind: QueueKind,
    pub len: u32,
    pub cap: u32,
    pub lang: Lang,
}

/// Why a send buffer can hold more than its size: the kernel checks it only before it starts
/// a new skb (`sk_stream_memory_free` in `tcp_sendmsg_locked`); the skb being filled takes the
/// write's data up to its size goal without a check (`tcp_push_one` sends its front and the
/// tail is topped up), so the queue may end up to one skb past it.
const PAST_SNDBUF: T = T::new(
    "Linux 只在开始新的 skb 之前检查发送缓冲区；正在填充的 skb 会不经检查地装到它的目标大小（最多为对端窗口的一半），所以队列最多可以超出缓冲区一个 skb。",
    "Linux checks the send buffer only before it starts a new skb; the skb being filled takes the write's data up to its full size (at most half the peer's window) without a check, so the queue can go past the buffer by up to one skb.",
);

/// A queue's name, a bar filled to `len / cap` and the two numbers.
#[component]
pub fn QueueBar(p: &QueueProps) -> Html {
    let pct = num::clamp(p.len as f64 / p.cap as f64 * 100.0, 0.0, 100.0);
    let title = queue_title(p.kind, p.len, p.cap, p.lang);
    html! {
        <span class="queue" {title}>
            <span class="q-name">{ queue_name(p.kind, p.lang) }</span>
            <span class="q-bar"><span class="q-fill" style={format!("width:{}%", num::fixed(pct, 1))} /></span>
            <span class="q-num mono">{ format!("{}/{}", p.len, p.cap) }</span>
        </span>
    }
}

/// The gauge's tooltip: only a send buffer holding more than its size has one, saying why.
pub(crate) fn queue_title(k: QueueKind, len: u32, cap: u32, lang: Lang) -> Option<&'static str> {
    (k == QueueKind::SendBuffer && len > cap).then(|| PAST_SNDBUF.get(lang))
}

fn queue_name(k: QueueKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (QueueKind::SendBuffer, Lang::Zh) => "发送缓冲",
        (QueueKind::SendBuffer, Lang::En) => "send buf",
        (QueueKind::RecvBuffer, Lang::Zh) => "接收缓冲",
        (QueueKind::RecvBuffer, Lang::En) => "recv buf",
        (QueueKind::OutOfOrder, Lang::Zh) => "乱序",
        (QueueKind::OutOfOrder, Lang::En) => "out of order",
        (QueueKind::SynQueue, Lang::Zh) => "SYN 队列",
        (QueueKind::SynQueue, Lang::En) => "SYN queue",
        (QueueKind::AcceptQueue, Lang::Zh) => "accept 队列",
        (QueueKind::AcceptQueue, Lang::En) => "accept queue",
        (QueueKind::Datagrams, Lang::Zh) => "数据报",
        (QueueKind::Datagrams, Lang::En) => "datagrams",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_send_buffer_queued_past_its_size_says_why_in_both_languages() {
        // The window scene's first write of a 200000-byte send(): 46336 bytes queued, the last
        // skb started while the queue was under the 46080-byte buffer and filled past it.
        for lang in [Lang::Zh, Lang::En] {
            let t = queue_title(QueueKind::SendBuffer, 46_336, 46_080, lang).unwrap();
            assert!(t.contains("skb"), "{t}");
        }
        assert_eq!(
            queue_title(QueueKind::SendBuffer, 46_080, 46_080, Lang::En),
            None
        );
        assert_eq!(
            queue_title(QueueKind::RecvBuffer, 70_000, 65_536, Lang::En),
            None
        );
    }
}
