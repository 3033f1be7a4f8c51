//! Finding the moments a question is about in a trace, and saying where the playhead stops.

use synack_model::read::{self, flag_names, Fate};
use synack_model::trace::{
    AppCallKind, AppResult, EventKind, Header, Segment, SocketId, TcpHeader, TcpState, Trace,
};

use crate::engine::layout::Ladder;
use crate::engine::narration::host_name;
use crate::i18n::Lang;

pub(super) struct Sent<'a> {
    pub(super) t: u64,
    pub(super) seg: &'a Segment,
    /// When it arrived or was dropped, and whether it arrived.
    pub(super) fate: Option<(u64, bool)>,
}

pub(super) fn sent(tr: &Trace) -> Vec<Sent<'_>> {
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

pub(super) fn tcp(s: &Segment) -> Option<&TcpHeader> {
    match &s.header {
        Header::Tcp(h) => Some(h),
        Header::Udp(_) | Header::Icmp(_) => None,
    }
}

pub(super) fn is(s: &Segment, f: fn(&TcpHeader) -> bool) -> bool {
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
pub(super) fn first_after<'a>(all: &'a [Sent<'a>], t: u64) -> Option<&'a Sent<'a>> {
    all.iter().find(|s| s.t > t)
}

pub(super) fn sock(tr: &Trace, label: &str) -> Option<SocketId> {
    tr.sockets.iter().find(|s| s.label == label).map(|s| s.id)
}

/// The first state change of a socket matching `pick` (by socket and from-state).
pub(super) fn transition(
    tr: &Trace,
    pick: impl Fn(SocketId, TcpState) -> bool,
) -> Option<(u64, SocketId, TcpState, TcpState)> {
    read::state_changes(tr).find(|&(_, socket, from, _)| pick(socket, from))
}

/// The n-th (0-based) recv()/recvfrom() of `socket` that returned data: (time, len, result).
pub(super) fn nth_read(tr: &Trace, socket: SocketId, n: usize) -> Option<(u64, &AppResult)> {
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

pub(super) fn data_len(r: &AppResult) -> u32 {
    match r {
        AppResult::Data { len, .. } => *len,
        _ => 0,
    }
}

/// Just before `t`: the answer is not on screen yet, whatever happened before is. The ladder
/// shows state pills a little past the playhead, so stop 24 px of drawing earlier, but never
/// before the previous moment.
pub(super) fn before(tr: &Trace, t: u64) -> u64 {
    let l = Ladder::build(tr, None);
    let prev = l.prev_moment(t as f64).unwrap_or(0);
    let early = l.warp.t(l.warp.y(t as f64) - 24.0).max(0.0) as u64;
    early.max(prev + 1).min(t.saturating_sub(1))
}

pub(super) fn first_seg(tr: &Trace, f: fn(&TcpHeader) -> bool) -> Option<(u64, &Segment)> {
    tr.events.iter().find_map(|e| match &e.kind {
        EventKind::SegmentSent { segment, .. } if is(segment, f) => Some((e.t, segment)),
        _ => None,
    })
}

pub(super) fn conn_socket(tr: &Trace) -> Option<SocketId> {
    sock(tr, "conn")
}
