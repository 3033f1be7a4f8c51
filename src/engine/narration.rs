//! One plain sentence per event, in Chinese or English.

use synack_model::trace::{
    AppCall, AppCallKind, AppResult, DropReason, EventKind, Header, Proto, SocketId, TimerKind,
    Trace,
};

use super::labels::{segment_label, Isns, Numbering, SegKind};
use crate::i18n::Lang;
use crate::num;

pub fn host_name(trace: &Trace, host: synack_model::trace::HostId, lang: Lang) -> String {
    let raw = trace
        .hosts
        .iter()
        .find(|h| h.id == host)
        .map(|h| h.name.as_str())
        .unwrap_or("?");
    localize_name(raw, lang)
}

/// Our model's host names, translated; anything else is shown as written.
pub fn localize_name(raw: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return raw.to_string();
    }
    match raw {
        "client" => "客户端".into(),
        "server" => "服务器".into(),
        "sender" => "发送方".into(),
        "receiver" => "接收方".into(),
        // "client 2", "receiver 3": the base name translated, the number kept.
        other => match other.rsplit_once(' ') {
            Some((base, n)) if n.parse::<u32>().is_ok() && base != other => {
                let b = localize_name(base, lang);
                if b == base {
                    other.to_string()
                } else {
                    format!("{b} {n}")
                }
            }
            _ => other.to_string(),
        },
    }
}

fn sock_host(trace: &Trace, s: SocketId, lang: Lang) -> String {
    trace
        .sockets
        .iter()
        .find(|x| x.id == s)
        .map(|x| host_name(trace, x.host, lang))
        .unwrap_or_else(|| "?".into())
}

pub fn timer_name(k: TimerKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (TimerKind::Retransmit, Lang::Zh) => "重传",
        (TimerKind::Retransmit, Lang::En) => "retransmission",
        (TimerKind::DelayedAck, Lang::Zh) => "延迟确认",
        (TimerKind::DelayedAck, Lang::En) => "delayed-ACK",
        (TimerKind::Persist, Lang::Zh) => "零窗口探测",
        (TimerKind::Persist, Lang::En) => "persist",
        (TimerKind::TimeWait, _) => "TIME-WAIT (2MSL)",
        (TimerKind::FinWait2, _) => "FIN-WAIT-2",
        (TimerKind::Keepalive, Lang::Zh) => "保活",
        (TimerKind::Keepalive, Lang::En) => "keepalive",
    }
}

pub fn drop_reason(r: &DropReason, lang: Lang) -> String {
    let s = match (r, lang) {
        (DropReason::LinkLoss, Lang::Zh) => "在链路上丢失",
        (DropReason::LinkLoss, Lang::En) => "lost on the link",
        (DropReason::Fault { .. }, Lang::Zh) => "被场景设定的故障丢弃",
        (DropReason::Fault { .. }, Lang::En) => "dropped by the scene's fault rule",
        (DropReason::Mtu, Lang::Zh) => "超过路径 MTU",
        (DropReason::Mtu, Lang::En) => "larger than the path MTU",
        (DropReason::AcceptQueueFull, Lang::Zh) => "accept 队列已满，被忽略",
        (DropReason::AcceptQueueFull, Lang::En) => "accept queue full, ignored",
        (DropReason::SynAcceptQueueFull, Lang::Zh) => "accept 队列（全连接队列）已满，SYN 被丢弃",
        (DropReason::SynAcceptQueueFull, Lang::En) => "accept queue full, SYN dropped",
        (DropReason::SynQueueFull, Lang::Zh) => {
            "SYN 队列（半连接队列）已满且未开 SYN cookie，被丢弃"
        }
        (DropReason::SynQueueFull, Lang::En) => "SYN queue full and no SYN cookies, dropped",
        (DropReason::BacklogFull, Lang::Zh) => "BSD 单一队列已满，SYN 被丢弃",
        (DropReason::BacklogFull, Lang::En) => "the BSD single queue is full, SYN dropped",
        (DropReason::NoSocket, Lang::Zh) => "没有对应的套接字",
        (DropReason::NoSocket, Lang::En) => "no socket to take it",
        (DropReason::OutOfWindow, Lang::Zh) => "不在接收窗口内",
        (DropReason::OutOfWindow, Lang::En) => "outside the receive window",
        (DropReason::ReceiveBufferFull, Lang::Zh) => "接收缓冲区已满",
        (DropReason::ReceiveBufferFull, Lang::En) => "receive buffer full",
        (DropReason::Other { why }, _) => return why.clone(),
    };
    s.to_string()
}

/// The socket call as the application wrote it: a UDP socket reads with recvfrom(), which also
/// says who sent the datagram.
fn call_name(trace: &Trace, socket: SocketId, c: AppCallKind) -> &'static str {
    let udp = trace
        .sockets
        .iter()
        .any(|s| s.id == socket && s.proto == Proto::Udp);
    match c {
        AppCallKind::Recv if udp => "recvfrom()",
        AppCallKind::Connect => "connect()",
        AppCallKind::Listen => "listen()",
        AppCallKind::Accept => "accept()",
        AppCallKind::Send => "send()",
        AppCallKind::SendTo => "sendto()",
        AppCallKind::Recv => "recv()",
        AppCallKind::Shutdown => "shutdown()",
        AppCallKind::Close => "close()",
        AppCallKind::Abort => "close() + SO_LINGER 0",
        AppCallKind::SetNoDelay => "setNoDelay()",
    }
}

/// Whether an event of this kind is narrated: not the bookkeeping ones (queue lengths, window
/// variables, cancelled timers, socket creation). Lets a caller count sentences without
/// wording them.
pub fn narrated(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::TimerCancelled { .. }
            | EventKind::QueueChanged { .. }
            | EventKind::WindowChanged { .. }
            | EventKind::SocketCreated { .. }
    )
}

/// The sentence for event `i`, or `None` for an event that is not [`narrated`].
pub fn sentence(trace: &Trace, isns: &Isns, i: usize, lang: Lang) -> Option<String> {
    let ev = trace.events.get(i)?;
    if !narrated(&ev.kind) {
        return None;
    }
    let zh = lang == Lang::Zh;
    Some(match &ev.kind {
        EventKind::SegmentSent { segment, .. } => {
            let who = host_name(trace, segment.src.host, lang);
            let (label, _) = segment_label(segment, isns, Numbering::Relative);
            let kind = SegKind::of(segment);
            if segment.network_duplicate {
                if zh {
                    format!("网络复制了一份 {label}。")
                } else {
                    format!("The network duplicates {label}.")
                }
            } else if segment.retransmission > 0 {
                if zh {
                    format!(
                        "{who}第 {} 次重传 {}：{label}。",
                        segment.retransmission,
                        kind.name(lang)
                    )
                } else {
                    format!(
                        "The {who} retransmits its {} (#{}): {label}.",
                        kind.name(lang),
                        segment.retransmission
                    )
                }
            } else if zh {
                format!("{who}发送 {label}。")
            } else {
                format!("The {who} sends {label}.")
            }
        }
        EventKind::SegmentArrived { id } => {
            let seg = find_segment(trace, i, *id)?;
            let to = host_name(trace, seg.dst.host, lang);
            let kind = SegKind::of(seg).name(lang);
            if zh {
                format!("{kind} 到达{to}。")
            } else {
                format!("The {kind} reaches the {to}.")
            }
        }
        EventKind::SegmentDropped { id, reason } => {
            let seg = find_segment(trace, i, *id)?;
            let kind = SegKind::of(seg).name(lang);
            let why = drop_reason(reason, lang);
            if zh {
                format!("{kind} {why}。")
            } else {
                format!("The {kind} is {why}.")
            }
        }
        EventKind::StateChanged { socket, from, to } => {
            let who = sock_host(trace, *socket, lang);
            if zh {
                format!("{who}从 {from} 进入 {to} 状态。")
            } else {
                format!("The {who} moves from {from} to {to}.")
            }
        }
        EventKind::TimerSet {
            socket,
            timer,
            expires_us,
        } => {
            let who = sock_host(trace, *socket, lang);
            let secs = num::fixed(expires_us.saturating_sub(ev.t) as f64 / 1e6, 3);
            if zh {
                format!(
                    "{who}启动{}定时器，{secs} 秒后到期。",
                    timer_name(*timer, lang)
                )
            } else {
                format!(
                    "The {who} starts its {} timer ({secs} s).",
                    timer_name(*timer, lang)
                )
            }
        }
        EventKind::TimerFired { socket, timer } => {
            let who = sock_host(trace, *socket, lang);
            if zh {
                format!("{who}的{}定时器到期。", timer_name(*timer, lang))
            } else {
                format!("The {who}'s {} timer expires.", timer_name(*timer, lang))
            }
        }
        EventKind::AppCall { socket, call } => {
            let who = sock_host(trace, *socket, lang);
            let name = call_name(trace, *socket, call.kind());
            let extra = match call {
                AppCall::Send { len, .. } | AppCall::SendTo { len, .. } => {
                    if zh {
                        format!("（{len} 字节）")
                    } else {
                        format!(" ({len} bytes)")
                    }
                }
                AppCall::Listen { backlog } => format!(" (backlog {backlog})"),
                _ => String::new(),
            };
            if zh {
                format!("{who}的应用调用 {name}{extra}。")
            } else {
                format!("The {who}'s application calls {name}{extra}.")
            }
        }
        EventKind::AppReturn {
            socket,
            call,
            result,
        } => {
            let who = sock_host(trace, *socket, lang);
            let name = call_name(trace, *socket, *call);
            let what = match (result, zh) {
                (AppResult::Ok, true) => "成功".to_string(),
                (AppResult::Ok, false) => "succeeds".to_string(),
                (AppResult::Data { len, truncated, .. }, true) => match truncated {
                    Some(n) => format!("得到 {len} 字节（截断，丢失 {n} 字节）"),
                    None => format!("得到 {len} 字节"),
                },
                (AppResult::Data { len, truncated, .. }, false) => match truncated {
                    Some(n) => format!("returns {len} bytes (truncated, {n} lost)"),
                    None => format!("returns {len} bytes"),
                },
                (AppResult::Eof, true) => "返回 0：对方已关闭发送方向".to_string(),
                (AppResult::Eof, false) => "returns 0: the peer closed its side".to_string(),
                (AppResult::Accepted { .. }, true) => "取得一个新连接".to_string(),
                (AppResult::Accepted { .. }, false) => "returns a new connection".to_string(),
                (AppResult::Error { errno }, true) => format!("失败：{errno}"),
                (AppResult::Error { errno }, false) => format!("fails with {errno}"),
            };
            if zh {
                format!("{who}的 {name} {what}。")
            } else {
                format!("The {who}'s {name} {what}.")
            }
        }
        // The kernel's SO_ERROR (trace format ≥ the model's SocketError event).
        EventKind::SocketError { socket, errno } => {
            let who = trace
                .sockets
                .iter()
                .find(|s| s.id == *socket)
                .map(|s| host_name(trace, s.host, lang))
                .unwrap_or_default();
            if zh {
                format!("{who}的连接失败：{errno}。")
            } else {
                format!("{who}: the connection failed with {errno}.")
            }
        }
        EventKind::Counter { host, name, value } => {
            let who = host_name(trace, *host, lang);
            if zh {
                format!("{who}的计数器 {name} = {value}。")
            } else {
                format!("The {who}'s counter {name} is now {value}.")
            }
        }
        // Not narrated (checked above).
        _ => return None,
    })
}

/// The segment sent as `id`, searching back from event `before`.
pub fn find_segment(
    trace: &Trace,
    before: usize,
    id: synack_model::trace::SegmentId,
) -> Option<&synack_model::trace::Segment> {
    trace.events[..before.min(trace.events.len())]
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::SegmentSent { id: sid, segment } if *sid == id => Some(segment),
            _ => None,
        })
}

/// Is this a UDP segment? (Narration of UDP scenes words a few things differently.)
pub fn is_udp(seg: &synack_model::trace::Segment) -> bool {
    matches!(seg.header, Header::Udp(_))
}
