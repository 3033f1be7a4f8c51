//! TCP vs UDP: the same messages over both protocols through the same lossy link, two ladders
//! side by side, counters and the comparison table below (`analysis` counts, `panel` draws).

mod analysis;
mod panel;

use yew::prelude::*;

use synack_model::presets::{self, Knobs};
use synack_model::scenario::Scenario;

use super::page::AfterPaint;
use super::{CaseWords, Panel, PanelArgs, SceneDef, Title};
use crate::engine::params::Params;
use crate::i18n::T;
use crate::route::{Query, Route};

pub static SCENE: SceneDef = SceneDef {
    extra_case: messages_in_url,
    // The scene is about a lossy network.
    defaults: |p| {
        p.loss_pct = 20.0;
        p.seed = 3;
    },
    split_by_proto: true,
    panel: Panel::Below(panel),
    teach: super::teach::tcp_vs_udp::ROWS,
    ..SceneDef::new(
        Route::TcpVsUdp,
        INTRO,
        // A case is a number of messages.
        || vec!["8", "4", "16"],
        |id| {
            id.parse().ok().map(|n| CaseWords {
                title: Title::Messages(n),
                text: None,
            })
        },
        scenario,
    )
};

/// The model's preset sends at most this many messages; longer runs (for the benchmark's
/// 1,000- and 5,000-segment playback) extend its scripts here.
const PRESET_MAX_MESSAGES: u32 = 64;
/// Largest message count a URL may ask for (`messages=` or `case=`).
pub const MAX_MESSAGES: u32 = 5000;

/// Any message count the URL asks for (`messages=` before `case=`), up to [`MAX_MESSAGES`].
fn messages_in_url(q: &Query) -> Option<String> {
    q.get("messages")
        .or(q.get("case"))
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| (1..=MAX_MESSAGES).contains(n))
        .map(|n| n.to_string())
}

fn scenario(k: &Knobs, p: &Params, _: &Query) -> Scenario {
    let n: u32 = p.case.parse().unwrap_or(8);
    let mut s = presets::tcp_vs_udp(k, n.min(PRESET_MAX_MESSAGES));
    if n > PRESET_MAX_MESSAGES {
        more_messages(&mut s, n);
    }
    s
}

/// Extends the preset's scripts to `n` messages, with the preset's own sizes and names.
fn more_messages(s: &mut Scenario, n: u32) {
    use synack_model::scenario::{Action, Step};
    for app in &mut s.apps {
        match app.socket.as_str() {
            "tcp client" | "udp client" => {
                // Before the final close().
                let at = app.steps.len().saturating_sub(1);
                let extra = (PRESET_MAX_MESSAGES + 1..=n).map(|i| {
                    Step::now(Action::Send {
                        len: 20 + 15 * ((i - 1) % 4),
                        message: Some(format!("msg {i}")),
                        content: None,
                        more: false,
                    })
                });
                app.steps.splice(at..at, extra);
            }
            "udp server" => {
                for _ in PRESET_MAX_MESSAGES..n {
                    app.steps.push(Step::now(Action::Recv { max: 1024 }));
                }
            }
            _ => {}
        }
    }
}

/// Below the diagrams, so drawn once the first frame is on screen.
fn panel(a: &PanelArgs) -> Html {
    html! { <AfterPaint>
        <panel::Compare trace={a.trace.clone()} t={a.t} lang={a.lang} on_jump={a.on_jump.clone()} />
    </AfterPaint> }
}

const INTRO: &[T] = &[
    T::new(
        "同样的几条应用消息，分别通过 TCP 和 UDP 发送，经过同一条会丢包的网络。TCP 先握手再发送，丢了就重传，接收方按顺序拿到全部字节，但消息之间没有边界（一次 recv() 可能拿到好几条消息粘在一起）。UDP 不握手、不重传：每个数据报要么完整到达、要么整个丢失，到达的顺序也不保证，但每次 recvfrom() 正好取出一条消息。",
        "The same few application messages go over TCP and over UDP, through the same lossy network. TCP handshakes first and retransmits what is lost: the receiver gets every byte, in order, but without message boundaries (one recv() may return several messages glued together). UDP neither handshakes nor retransmits: each datagram arrives whole or not at all, in no guaranteed order, and each recvfrom() returns exactly one message.",
    ),
    T::new(
        "调大丢包率、换一个种子，看看计数器和完成时间怎么变。下面表格里的每一行都可以跳到动画中演示它的那一刻。",
        "Raise the loss rate or try another seed and watch the counters and the completion time. Each row of the table below jumps to the moment in the animation that shows it.",
    ),
];
