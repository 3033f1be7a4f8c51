//! One plain sentence per event, in Chinese or English.

use synack_model::trace::{
    AppCall, AppCallKind, AppResult, DropReason, EventKind, Header, Micros, Proto, ShutHow,
    SocketId, TimerKind, Trace,
};

use super::labels::{segment_label, Isns, Numbering, SegKind, SegKindText};
use crate::i18n::{Api, Lang};
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
        return match raw {
            "tcp server" => "TCP server".into(),
            "udp server" => "UDP server".into(),
            "tcp client" => "TCP client".into(),
            "udp client" => "UDP client".into(),
            _ => raw.to_string(),
        };
    }
    match raw {
        "tcp server" => "TCP 服务器".into(),
        "udp server" => "UDP 服务器".into(),
        "tcp client" => "TCP 客户端".into(),
        "udp client" => "UDP 客户端".into(),
        "host of receivers 1-2" => "接收方 1、2 所在的主机".into(),
        "host of receiver 3" => "接收方 3 所在的主机".into(),
        "peer A" => "主机 A".into(),
        "peer B" => "主机 B".into(),
        "client" => "客户端".into(),
        "server" => "服务器".into(),
        "attacker" => "攻击者".into(),
        "sender" => "发送方".into(),
        "receiver" => "接收方".into(),
        // The model's own ends of a scripted peer and of a SYN flood ("attacker (SYN flood)",
        // sim/mod.rs `add_peer_ends`): the host's name translated, then what the end is.
        other if other.ends_with(" (SYN flood)") || other.ends_with(" (script)") => {
            let (base, what) = other.rsplit_once(" (").unwrap_or((other, ""));
            let what = match what {
                "SYN flood)" => "SYN 洪泛",
                _ => "脚本",
            };
            format!("{}（{what}）", localize_name(base, lang))
        }
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

/// How sentences name a socket. A socket the scenario named apart from its host ("receiver 3"
/// on its own host, "tcp server" beside "udp server") is named by its own label, as the case
/// text names it; any other socket, and every accepted connection (labelled "conn" in
/// scenarios), by its host: "the server", never a scenario's internal label.
pub fn socket_name(trace: &Trace, s: SocketId, lang: Lang) -> String {
    let Some(x) = trace.sockets.iter().find(|x| x.id == s) else {
        return "?".into();
    };
    let host = trace
        .hosts
        .iter()
        .find(|h| h.id == x.host)
        .map(|h| h.name.as_str());
    let own_label = x.parent.is_none()
        && !x.label.is_empty()
        && !x.label.starts_with("conn")
        && Some(x.label.as_str()) != host;
    if own_label {
        localize_name(&x.label, lang)
    } else {
        host_name(trace, x.host, lang)
    }
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
        (TimerKind::SackCompress, Lang::Zh) => "SACK 压缩",
        (TimerKind::SackCompress, Lang::En) => "SACK-compression",
    }
}

/// A timer's timeout and, when the timer fires later than that, when it fires:
/// "timeout 1 s; Linux's timer wheel fires it 16 ms late, after 1.016 s". Linux keeps its
/// TCP timers on the kernel's timer wheel, which never fires one early and fires a far one
/// on a bucket boundary (kernel/time/timer.c), so the trace's firing time (`delay` after
/// arming) is a little past the timeout the stack asked for (icsk_rto, TCP_TIMEWAIT_LEN).
/// `None` where the two agree (the RFC profile) or the trace does not know the timeout (a
/// lab recording sees only the time left): then the firing delay is the whole story.
pub fn late_clause(timeout_us: Option<Micros>, delay: Micros, lang: Lang) -> Option<String> {
    let timeout = timeout_us.filter(|&d| d < delay)?;
    let (t, at) = (seconds(timeout), seconds(delay));
    let late = delay - timeout;
    Some(match lang {
        Lang::Zh => format!(
            "超时 {t} 秒；Linux 的时间轮晚 {}，在 {at} 秒后才触发",
            short_duration(late, lang)
        ),
        Lang::En => format!(
            "timeout {t} s; Linux's timer wheel fires it {} late, after {at} s",
            short_duration(late, lang)
        ),
    })
}

/// A running timer's tooltip (the host panel's ring): the timer's name and its timeout, and when the timer wheel fires it
/// later than that, when it fires (the ring counts down to the firing).
pub fn timer_title(kind: TimerKind, timeout: Option<Micros>, delay: Micros, lang: Lang) -> String {
    let name = timer_name(kind, lang);
    match (late_clause(timeout, delay, lang), lang) {
        (Some(c), Lang::Zh) => format!("{name}定时器：{c}"),
        (Some(c), Lang::En) => format!("{name} timer: {c}"),
        (None, Lang::Zh) => format!("{name}定时器：{} 后到期", super::ladder::fmt_ms(delay)),
        (None, Lang::En) => format!(
            "{name} timer: expires after {}",
            super::ladder::fmt_ms(delay)
        ),
    }
}

/// Seconds to the millisecond, without trailing zeros: "1", "0.2", "61.024". Linux's
/// timeouts are whole jiffies (1 to 10 ms), so nothing it asks for is cut.
fn seconds(us: Micros) -> String {
    num::shortest(us.div_ceil(1_000) as f64 / 1e3)
}

/// A short span in the unit that reads best: "16 ms", "0.5 ms", "1.024 s".
fn short_duration(us: Micros, lang: Lang) -> String {
    match (us >= 1_000_000, lang) {
        (true, Lang::Zh) => format!("{} 秒", seconds(us)),
        (true, Lang::En) => format!("{} s", seconds(us)),
        (false, Lang::Zh) => format!("{} 毫秒", num::shortest(us.div_ceil(100) as f64 / 10.0)),
        (false, Lang::En) => format!("{} ms", num::shortest(us.div_ceil(100) as f64 / 10.0)),
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
        (DropReason::AcceptQueueFull, Lang::Zh) => "accept 队列已满，没有收下",
        (DropReason::AcceptQueueFull, Lang::En) => "accept queue full, not taken",
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

/// The whole sentence for a dropped segment, written per reason so that each reads as a
/// sentence in both languages (a short reason does not fit "The SYN is …" for every reason).
pub fn drop_sentence(r: &DropReason, kind: &str, to: &str, lang: Lang) -> String {
    match (r, lang) {
        (DropReason::LinkLoss, Lang::Zh) => format!("{kind} 在链路上丢失。"),
        (DropReason::LinkLoss, Lang::En) => format!("The {kind} is lost on the link."),
        (DropReason::Fault { .. }, Lang::Zh) => format!("场景设定的故障丢弃了这个 {kind}。"),
        (DropReason::Fault { .. }, Lang::En) => format!("The scene's fault rule drops the {kind}."),
        (DropReason::Mtu, Lang::Zh) => format!("{kind} 超过路径 MTU，被丢弃。"),
        (DropReason::Mtu, Lang::En) => {
            format!("The {kind} is larger than the path MTU and is dropped.")
        }
        (DropReason::AcceptQueueFull, Lang::Zh) => {
            format!("accept 队列（全连接队列）已满，{to}没有收下这个 {kind}。")
        }
        (DropReason::AcceptQueueFull, Lang::En) => {
            format!("The accept queue is full, so the {to} does not take the {kind}.")
        }
        (DropReason::SynAcceptQueueFull, Lang::Zh) => {
            format!("accept 队列（全连接队列）已满，{to}丢弃这个 {kind}。")
        }
        (DropReason::SynAcceptQueueFull, Lang::En) => {
            format!("The accept queue is full, so the {to} drops the {kind}.")
        }
        (DropReason::SynQueueFull, Lang::Zh) => {
            format!("SYN 队列（半连接队列）已满且没有开启 SYN cookie，{to}丢弃这个 {kind}。")
        }
        (DropReason::SynQueueFull, Lang::En) => {
            format!("The SYN queue is full and SYN cookies are off, so the {to} drops the {kind}.")
        }
        (DropReason::BacklogFull, Lang::Zh) => {
            format!("BSD 的单一队列已满，{to}丢弃这个 {kind}。")
        }
        (DropReason::BacklogFull, Lang::En) => {
            format!("The BSD single queue is full, so the {to} drops the {kind}.")
        }
        (DropReason::NoSocket, Lang::Zh) => format!("{to}上没有套接字接收这个 {kind}，它被丢弃。"),
        (DropReason::NoSocket, Lang::En) => {
            format!("No socket on the {to} takes the {kind}: it is dropped.")
        }
        (DropReason::OutOfWindow, Lang::Zh) => format!("{kind} 不在接收窗口内，被丢弃。"),
        (DropReason::OutOfWindow, Lang::En) => {
            format!("The {kind} is outside the receive window and is dropped.")
        }
        (DropReason::ReceiveBufferFull, Lang::Zh) => {
            format!("{to}的接收缓冲区已满，{kind} 被丢弃。")
        }
        (DropReason::ReceiveBufferFull, Lang::En) => {
            format!("The {to}'s receive buffer is full: the {kind} is dropped.")
        }
        (DropReason::Other { why }, Lang::Zh) => format!("{kind} 被丢弃：{why}。"),
        (DropReason::Other { why }, Lang::En) => format!("The {kind} is dropped: {why}."),
    }
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
        AppCallKind::SetSockOpt => "setsockopt()",
        AppCallKind::Poll => "poll()",
        AppCallKind::TcpInfo => "getsockopt(TCP_INFO)",
    }
}

fn is_udp_socket(trace: &Trace, socket: SocketId) -> bool {
    trace
        .sockets
        .iter()
        .any(|s| s.id == socket && s.proto == Proto::Udp)
}

/// A socket call as a Node.js program makes it (`net`, `dgram`). Node has no accept() or recv()
/// of its own: libuv accepts and reads for the program, which sees the `'connection'` and
/// `'data'` events; those calls are worded as what the event loop does.
fn node_call(trace: &Trace, socket: SocketId, call: &AppCall, who: &str, lang: Lang) -> String {
    let udp = is_udp_socket(trace, socket);
    let zh = lang == Lang::Zh;
    let bytes = |len: u32| {
        if zh {
            format!("（{len} 字节）")
        } else {
            format!(" ({len} bytes)")
        }
    };
    let (code, extra) = match call {
        AppCall::Connect { .. } => ("net.connect()", String::new()),
        // Node's default where the program gives none (or 0) is 511 (lib/net.js).
        AppCall::Listen { backlog } => (
            "server.listen(port, host, backlog)",
            match (zh, *backlog == 511) {
                (true, true) => format!("（backlog {backlog}，也是 Node 的默认值）"),
                (true, false) => format!("（backlog {backlog}；不写时 Node 用 511）"),
                (false, true) => format!(" (backlog {backlog}, also Node's default)"),
                (false, false) => format!(" (backlog {backlog}; left out, Node uses 511)"),
            },
        ),
        AppCall::Send { len, .. } | AppCall::SendTo { len, .. } if udp => {
            ("socket.send()", bytes(*len))
        }
        AppCall::Send { len, .. } | AppCall::SendTo { len, .. } if *len >= NODE_HIGH_WATER_MARK => {
            (
                "socket.write()",
                if zh {
                    format!("（{len} 字节）：超过 16 KiB 的 highWaterMark，所以它立即返回 false，libuv 在内核的发送缓冲区有空间时把字节交给内核")
                } else {
                    format!(" ({len} bytes): more than its 16 KiB highWaterMark, so it returns false at once, and libuv hands the bytes to the kernel as its send buffer makes room")
                },
            )
        }
        AppCall::Send { len, .. } | AppCall::SendTo { len, .. } => ("socket.write()", bytes(*len)),
        AppCall::Shutdown { how: ShutHow::Wr } => ("socket.end()", String::new()),
        // Calls Node.js has no API for: the C call, said so.
        AppCall::Shutdown { .. }
        | AppCall::SetSockOpt { .. }
        | AppCall::Poll { .. }
        | AppCall::TcpInfo => {
            let c = synack_model::text::c_call_text(call);
            return if zh {
                format!("{who}的程序调用 {c}（Node.js 没有对应的 API，这里是 C 的调用）。")
            } else {
                format!("The {who}'s program calls {c} (Node.js has no API for it; this is the C call).")
            };
        }
        AppCall::Close if udp => ("socket.close()", String::new()),
        // close(2) is what socket.destroy() does to the descriptor; the scene texts teach
        // socket.end() as the usual way to start the teardown, so say how the two relate: the
        // same FIN, but a destroyed socket reads nothing more (data arriving then draws a RST).
        AppCall::Close => (
            "socket.destroy()",
            if zh {
                "（关闭描述符，即 close(2)：和 socket.end() 一样发出 FIN，但之后不再读取）"
                    .to_string()
            } else {
                " (close(2) on the descriptor: a FIN like socket.end(), but nothing more is read)"
                    .to_string()
            },
        ),
        AppCall::Abort => ("socket.resetAndDestroy()", String::new()),
        AppCall::SetNoDelay { on: true } => ("socket.setNoDelay(true)", String::new()),
        AppCall::SetNoDelay { on: false } => ("socket.setNoDelay(false)", String::new()),
        AppCall::Accept => {
            return if zh {
                format!("{who}的事件循环准备接收下一个连接（libuv 替程序调用 accept(2)，程序看到的是 'connection' 事件）。")
            } else {
                format!("The {who}'s event loop is ready for the next connection (libuv calls accept(2) for the program, which sees a 'connection' event).")
            };
        }
        AppCall::Recv { .. } => {
            let ev = if udp { "'message'" } else { "'data'" };
            return if zh {
                format!("{who}的程序等待 {ev} 事件（libuv 替它读取）。")
            } else {
                format!("The {who}'s program waits for a {ev} event (libuv reads for it).")
            };
        }
    };
    if zh {
        format!("{who}的程序调用 {code}{extra}。")
    } else {
        format!("The {who}'s program calls {code}{extra}.")
    }
}

/// A net.Socket's default highWaterMark (`writableHighWaterMark`, 16 KiB): socket.write()
/// returns false once the bytes Node holds reach it, which a single write this long does at
/// once (`Writable.write` compares `state.length` after adding the chunk), and the socket
/// emits 'drain' when they have all gone to the kernel.
const NODE_HIGH_WATER_MARK: u32 = 16 * 1024;

/// The length of the send() whose return is event `i` (its call, the socket's last before it).
fn send_len(trace: &Trace, i: usize, socket: SocketId) -> Option<u32> {
    trace.events[..i].iter().rev().find_map(|e| match &e.kind {
        EventKind::AppCall {
            socket: s,
            call: AppCall::Send { len, .. },
        } if *s == socket => Some(*len),
        _ => None,
    })
}

/// What a Node.js program sees when the call returns (event `i`): an event, or `write()`'s
/// answer.
fn node_return(
    trace: &Trace,
    i: usize,
    socket: SocketId,
    call: AppCallKind,
    result: &AppResult,
    who: &str,
    lang: Lang,
) -> String {
    let udp = is_udp_socket(trace, socket);
    let zh = lang == Lang::Zh;
    let event = |zh_what: String, en_what: String| {
        if zh {
            format!("{who}的 socket 触发 {zh_what}。")
        } else {
            format!("The {who}'s socket emits {en_what}.")
        }
    };
    match (call, result) {
        (_, AppResult::Error { errno }) => event(
            format!("'error' 事件（err.code = {errno}）"),
            format!("'error' (err.code {errno})"),
        ),
        (AppCallKind::Connect, _) => event("'connect' 事件".into(), "'connect'".into()),
        (AppCallKind::Listen, _) => event("'listening' 事件".into(), "'listening'".into()),
        (AppCallKind::Accept, _) => {
            if zh {
                format!("{who}的 net.Server 触发 'connection' 事件：一个新的 socket。")
            } else {
                format!("The {who}'s net.Server emits 'connection': a new socket.")
            }
        }
        (_, AppResult::Data { len, truncated, .. }) if udp => {
            let whole = len + truncated.unwrap_or(0);
            match (truncated, zh) {
                (Some(_), true) => format!("{who}的 socket 触发 'message' 事件，带 {whole} 字节：Node 总是读整个数据报（这里 C 程序给 recvfrom(2) 的缓冲区太小，会截断）。"),
                (Some(_), false) => format!("The {who}'s socket emits 'message' with {whole} bytes: Node always reads the whole datagram (the C program here gives recvfrom(2) too small a buffer and truncates)."),
                (None, _) => event(format!("'message' 事件，带 {len} 字节"), format!("'message' with {len} bytes")),
            }
        }
        (_, AppResult::Data { len, .. }) => event(
            format!("'data' 事件，带 {len} 字节"),
            format!("'data' with {len} bytes"),
        ),
        (_, AppResult::Eof) => event(
            "'end' 事件：对方已关闭发送方向".into(),
            "'end': the peer closed its side".into(),
        ),
        (AppCallKind::Send | AppCallKind::SendTo, _) if udp => {
            if zh {
                format!("{who}的 socket.send() 把数据报交给内核（它的回调随后被调用）。")
            } else {
                format!("The {who}'s socket.send() hands the datagram to the kernel (its callback follows).")
            }
        }
        (AppCallKind::Send, _)
            if send_len(trace, i, socket).is_some_and(|n| n >= NODE_HIGH_WATER_MARK) =>
        {
            if zh {
                format!("内核收下了{who}这次 socket.write() 的最后一部分字节：Node 的队列空了，socket 触发 'drain' 事件。")
            } else {
                format!("The kernel has taken the last bytes of the {who}'s socket.write(): Node's queue is empty and the socket emits 'drain'.")
            }
        }
        (AppCallKind::Send | AppCallKind::SendTo, _) => {
            if zh {
                format!("{who}的 socket.write() 把数据交给内核，返回 true。")
            } else {
                format!(
                    "The {who}'s socket.write() hands the bytes to the kernel and returns true."
                )
            }
        }
        (AppCallKind::Shutdown, _) => {
            if zh {
                format!("{who}的 socket.end() 完成：FIN 已排队。")
            } else {
                format!("The {who}'s socket.end() is done: the FIN is queued.")
            }
        }
        (AppCallKind::Close | AppCallKind::Abort, _) => {
            event("'close' 事件".into(), "'close'".into())
        }
        (_, _) => {
            if zh {
                format!("{who}的调用完成。")
            } else {
                format!("The {who}'s call completes.")
            }
        }
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
pub fn sentence(trace: &Trace, isns: &Isns, i: usize, lang: Lang, api: Api) -> Option<String> {
    let s = sentence_with_articles(trace, isns, i, lang, api)?;
    Some(match lang {
        Lang::En => numbered_names_without_article(trace, s),
        Lang::Zh => spaced_names(trace, s),
    })
}

/// The trace's own names of hosts and sockets as sentences print them, for the per-language
/// touches below.
fn trace_names(trace: &Trace, lang: Lang) -> impl Iterator<Item = String> + '_ {
    let hosts = trace
        .hosts
        .iter()
        .map(move |h| localize_name(&h.name, lang));
    hosts.chain(
        trace
            .sockets
            .iter()
            .map(move |x| localize_name(&x.label, lang)),
    )
}

/// Chinese templates write a name straight before the Chinese that follows it ("{who}的应用调用
/// …"), which runs a name ending in a digit or a Latin letter into it ("客户端 1的"); the app's
/// Chinese puts a space between the two scripts everywhere else ("TCP 服务器", "SYN 队列"). Only
/// the trace's own names are touched.
fn spaced_names(trace: &Trace, mut s: String) -> String {
    let names = trace_names(trace, Lang::Zh)
        .filter(|n| n.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()));
    for name in names {
        let mut out = String::with_capacity(s.len() + 8);
        let mut rest = s.as_str();
        while let Some(at) = rest.find(name.as_str()) {
            let end = at + name.len();
            out.push_str(&rest[..end]);
            // Only before a Chinese character: not inside a longer name ("客户端 1" in
            // "客户端 12"), nor before Chinese punctuation ("客户端 1。").
            let ideograph =
                |c: char| matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}');
            if rest[end..].chars().next().is_some_and(ideograph) {
                out.push(' ');
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        s = out;
    }
    s
}

/// English templates say "The {who}" ("The client sends …"), which is right for "client" and
/// wrong for a numbered host or socket ("client 1", "receiver 2"): a numbered name is a proper
/// noun and takes no article ("Client 1 sends …", "… reaches server 2."). Only the trace's own
/// numbered names are touched, so other words followed by a number keep their article.
fn numbered_names_without_article(trace: &Trace, mut s: String) -> String {
    let names = trace_names(trace, Lang::En)
        // "client 1", not "host of receiver 3": a word and a number, nothing else.
        .filter(|n| {
            n.split_once(' ').is_some_and(|(word, num)| {
                !word.is_empty() && !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit())
            })
        });
    for name in names {
        let mut cap = name.clone();
        if let Some(f) = cap.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        s = s
            .replace(&format!("The {name}"), &cap)
            .replace(&format!("the {name}"), &name);
    }
    s
}

fn sentence_with_articles(
    trace: &Trace,
    isns: &Isns,
    i: usize,
    lang: Lang,
    api: Api,
) -> Option<String> {
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
            let to = host_name(trace, seg.dst.host, lang);
            drop_sentence(reason, kind, &to, lang)
        }
        EventKind::StateChanged { socket, from, to } => {
            let who = socket_name(trace, *socket, lang);
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
            timeout_us,
        } => {
            let who = socket_name(trace, *socket, lang);
            let name = timer_name(*timer, lang);
            let delay = expires_us.saturating_sub(ev.t);
            match (late_clause(*timeout_us, delay, lang), zh) {
                (Some(c), true) => format!("{who}启动{name}定时器（{c}）。"),
                (Some(c), false) => format!("The {who} starts its {name} timer ({c})."),
                (None, true) => format!(
                    "{who}启动{name}定时器，{} 秒后到期。",
                    num::fixed(delay as f64 / 1e6, 3)
                ),
                (None, false) => format!(
                    "The {who} starts its {name} timer ({} s).",
                    num::fixed(delay as f64 / 1e6, 3)
                ),
            }
        }
        EventKind::TimerFired { socket, timer } => {
            let who = socket_name(trace, *socket, lang);
            if zh {
                format!("{who}的{}定时器到期。", timer_name(*timer, lang))
            } else {
                format!("The {who}'s {} timer expires.", timer_name(*timer, lang))
            }
        }
        // `is_node` is constant `false` in the first-load build, which never narrates in the
        // Node.js view (pages::page_for hands that view to the full build): its wording is left
        // out of it.
        EventKind::AppCall { socket, call } if api.is_node() => node_call(
            trace,
            *socket,
            call,
            &socket_name(trace, *socket, lang),
            lang,
        ),
        EventKind::AppReturn {
            socket,
            call,
            result,
        } if api.is_node() => node_return(
            trace,
            i,
            *socket,
            *call,
            result,
            &socket_name(trace, *socket, lang),
            lang,
        ),
        EventKind::AppCall { socket, call } => {
            let who = socket_name(trace, *socket, lang);
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
                AppCall::SetSockOpt { option } => {
                    format!(" ({})", synack_model::text::sockopt_text(option))
                }
                AppCall::Shutdown { how } if !how.is_wr() => {
                    format!(" ({})", synack_model::text::shut_text(*how))
                }
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
            let who = socket_name(trace, *socket, lang);
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
                (AppResult::Polled { ready: true }, true) => "返回 1：可读".to_string(),
                (AppResult::Polled { ready: true }, false) => "returns 1: readable".to_string(),
                (AppResult::Polled { ready: false }, true) => "返回 0：超时".to_string(),
                (AppResult::Polled { ready: false }, false) => {
                    "returns 0: the timeout passed".to_string()
                }
                (AppResult::TcpInfo { info }, true) => {
                    format!("返回快照：{}", synack_model::text::info_text(info))
                }
                (AppResult::TcpInfo { info }, false) => {
                    format!(
                        "returns a snapshot: {}",
                        synack_model::text::info_text(info)
                    )
                }
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
            // The cause; the call that reports it has its own sentence (AppReturn).
            if zh {
                format!("{who}的连接出错（{errno}），下一次套接字调用会得到这个错误。")
            } else {
                format!("The {who}'s connection fails ({errno}); its next socket call reports it.")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_of_a_flood_and_of_a_script_are_named_in_chinese_with_their_host() {
        assert_eq!(
            localize_name("attacker (SYN flood)", Lang::Zh),
            "攻击者（SYN 洪泛）"
        );
        assert_eq!(
            localize_name("client 2 (script)", Lang::Zh),
            "客户端 2（脚本）"
        );
        assert_eq!(
            localize_name("attacker (SYN flood)", Lang::En),
            "attacker (SYN flood)"
        );
        assert_eq!(localize_name("Alice's laptop", Lang::Zh), "Alice's laptop");
    }
}
