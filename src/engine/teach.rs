//! Teaching paragraphs: *why* a segment or a state change happens and what to notice, one short
//! paragraph per step, written for each case of each scene.
//!
//! A scene's paragraphs are data: a table of [`Row`]s, each naming the cases it is written for
//! and an [`On`] that recognises the step (a segment of some kind sent by some host, a loss and
//! its reason, a state transition, a timer, an error). At a moment of the trace the first row,
//! in table order, that matches any of the moment's events wins; a moment no row matches shows
//! nothing (no filler). Rows are ordered from the specific to the general by their author.
//!
//! The tables live in `scenes::teach`. Their words are most of their weight: no build compiles
//! them; a scene page fetches its scene's words when it opens (`scenes::teach::words`, see the
//! size note there). The types are here so that the player can carry a table without knowing
//! any scene.

use synack_model::read::SegKind;
use synack_model::trace::{
    AppResult, DropReason, EventKind, Proto, Segment, TcpState, TimerKind, Trace,
};

use crate::i18n::T;

/// One teaching paragraph and the steps it explains.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// The case ids it is written for; empty: every case of the scene.
    pub cases: &'static [&'static str],
    pub on: On,
    /// Its words, in the tests only (they write and check the files the page fetches): the
    /// builds have none here, [`Teach::text`] finds them in the file fetched for the scene, by
    /// the row's place in its table.
    #[cfg(test)]
    pub text: T,
}

/// Which step a [`Row`] explains. Host names are matched by prefix (`"client"` matches
/// "client 2"); `""` matches any host.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum On {
    /// A segment of this kind leaves `from`; `again`: `Some(false)` only a first transmission,
    /// `Some(true)` only a retransmission, `None` either.
    Sent {
        kind: SegKind,
        from: &'static str,
        again: Option<bool>,
    },
    /// A segment of this kind (any: `None`) is lost or discarded, for this reason.
    Lost { kind: Option<SegKind>, why: Why },
    /// A socket on host `who` moves to `to` (from `from`, if given).
    State {
        who: &'static str,
        from: Option<TcpState>,
        to: TcpState,
    },
    /// A timer of this kind expires.
    Timer(TimerKind),
    /// A connection fails with this errno.
    Error(&'static str),
    /// A retransmission of any kind from `from` (a scene where every kind is retried alike).
    Resent { from: &'static str },
    /// A segment of this kind leaves a socket on host `from` that is in `state` then (the ACK
    /// a TIME-WAIT socket sends, not the handshake's).
    SentIn {
        kind: SegKind,
        from: &'static str,
        state: TcpState,
    },
    /// This step, at a moment when no socket changes state (a repeated ACK, not the
    /// handshake's).
    Quiet(&'static On),
    /// A segment or datagram of this kind reaches host `at` (its stack; what the application
    /// does with it comes later).
    Arrived { kind: SegKind, at: &'static str },
    /// recv()/recvfrom() returns bytes on a socket of this protocol.
    Read(Proto),
    /// Any of these: one paragraph for the steps of one phase (the opening handshake of a
    /// scene about something else).
    Either(&'static [On]),
}

/// A loss's reason, as far as a paragraph tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    Any,
    /// The network: random loss or a scripted fault (the scene's "this one is lost").
    Network,
    AcceptQueueFull,
    SynAcceptQueueFull,
    SynQueueFull,
    BacklogFull,
    NoSocket,
    OutOfWindow,
    ReceiveBufferFull,
}

impl Why {
    fn matches(self, r: &DropReason) -> bool {
        match self {
            Why::Any => true,
            Why::Network => matches!(r, DropReason::LinkLoss | DropReason::Fault { .. }),
            Why::AcceptQueueFull => matches!(r, DropReason::AcceptQueueFull),
            Why::SynAcceptQueueFull => matches!(r, DropReason::SynAcceptQueueFull),
            Why::SynQueueFull => matches!(r, DropReason::SynQueueFull),
            Why::BacklogFull => matches!(r, DropReason::BacklogFull),
            Why::NoSocket => matches!(r, DropReason::NoSocket),
            Why::OutOfWindow => matches!(r, DropReason::OutOfWindow),
            Why::ReceiveBufferFull => matches!(r, DropReason::ReceiveBufferFull),
        }
    }
}

/// A row (for the tables' brevity).
pub const fn row(
    cases: &'static [&'static str],
    on: On,
    zh: &'static str,
    en: &'static str,
) -> Row {
    // Unused outside the tests, so the strings are in no build's binary.
    #[cfg(not(test))]
    let _ = (zh, en);
    Row {
        cases,
        on,
        #[cfg(test)]
        text: T::new(zh, en),
    }
}

/// The opening handshake's steps, for the scenes about what comes after it: each socket on its
/// way to ESTABLISHED, the client's SYN and the server's SYN-ACK (one row can explain them all).
pub const OPENING: On = On::Either(&[
    enters("", TcpState::Listen),
    enters("", TcpState::SynSent),
    enters("", TcpState::SynReceived),
    moves("", TcpState::SynSent, TcpState::Established),
    moves("", TcpState::SynReceived, TcpState::Established),
    sent(SegKind::Syn, "client"),
    sent(SegKind::SynAck, "server"),
]);

/// [`OPENING`] and the client's ACK that completes it.
pub const OPENING_WITH_ACK: On = On::Either(&[OPENING, any_sent(SegKind::Ack, "client")]);

/// A first transmission of `kind` from `from`.
pub const fn sent(kind: SegKind, from: &'static str) -> On {
    On::Sent {
        kind,
        from,
        again: Some(false),
    }
}

/// A retransmission of `kind` from `from`.
pub const fn resent(kind: SegKind, from: &'static str) -> On {
    On::Sent {
        kind,
        from,
        again: Some(true),
    }
}

/// Any transmission of `kind` from `from`.
pub const fn any_sent(kind: SegKind, from: &'static str) -> On {
    On::Sent {
        kind,
        from,
        again: None,
    }
}

/// A socket on `who` entering `to`.
pub const fn enters(who: &'static str, to: TcpState) -> On {
    On::State {
        who,
        from: None,
        to,
    }
}

/// A socket on `who` moving from `from` to `to`.
pub const fn moves(who: &'static str, from: TcpState, to: TcpState) -> On {
    On::State {
        who,
        from: Some(from),
        to,
    }
}

/// A loss of `kind` (`None`: any) for `why`.
pub const fn lost(kind: Option<SegKind>, why: Why) -> On {
    On::Lost { kind, why }
}

impl Row {
    /// Whether the row is written for `case`.
    pub fn for_case(&self, case: &str) -> bool {
        self.cases.is_empty() || self.cases.contains(&case)
    }
}

impl On {
    /// Whether event `i` of `trace` is this step.
    pub fn matches(&self, trace: &Trace, i: usize) -> bool {
        let host_of_socket = |s| {
            trace
                .sockets
                .iter()
                .find(|x| x.id == s)
                .and_then(|x| trace.hosts.iter().find(|h| h.id == x.host))
                .map_or("", |h| h.name.as_str())
        };
        let host = |id| {
            trace
                .hosts
                .iter()
                .find(|h| h.id == id)
                .map_or("", |h| h.name.as_str())
        };
        match (*self, &trace.events[i].kind) {
            (On::Sent { kind, from, again }, EventKind::SegmentSent { segment, .. }) => {
                SegKind::of(segment) == kind
                    && host(segment.src.host).starts_with(from)
                    && again.is_none_or(|a| a == (segment.retransmission > 0))
            }
            (On::Lost { kind, why }, EventKind::SegmentDropped { id, reason }) => {
                why.matches(reason)
                    && kind.is_none_or(|k| {
                        trace.events[..i].iter().rev().any(|e| {
                            matches!(&e.kind, EventKind::SegmentSent { id: s, segment }
                                if s == id && SegKind::of(segment) == k)
                        })
                    })
            }
            (
                On::State { who, from, to },
                EventKind::StateChanged {
                    socket,
                    from: f,
                    to: t,
                },
            ) => {
                *t == to && from.is_none_or(|x| x == *f) && host_of_socket(*socket).starts_with(who)
            }
            (On::Timer(k), EventKind::TimerFired { timer, .. }) => *timer == k,
            (On::Error(errno), EventKind::SocketError { errno: e, .. }) => e == errno,
            (On::Resent { from }, EventKind::SegmentSent { segment, .. }) => {
                segment.retransmission > 0 && host(segment.src.host).starts_with(from)
            }
            (On::Arrived { kind, at }, EventKind::SegmentArrived { id }) => {
                trace.events[..i].iter().rev().any(|e| {
                    matches!(&e.kind, EventKind::SegmentSent { id: s, segment }
                        if s == id && SegKind::of(segment) == kind
                            && host(segment.dst.host).starts_with(at))
                })
            }
            (
                On::Read(proto),
                EventKind::AppReturn {
                    socket,
                    result: AppResult::Data { .. },
                    ..
                },
            ) => trace
                .sockets
                .iter()
                .any(|s| s.id == *socket && s.proto == proto),
            (On::Either(all), _) => all.iter().any(|o| o.matches(trace, i)),
            (On::SentIn { kind, from, state }, EventKind::SegmentSent { segment, .. }) => {
                SegKind::of(segment) == kind
                    && host(segment.src.host).starts_with(from)
                    && sender_state(trace, i, segment) == Some(state)
            }
            (On::Quiet(on), _) => {
                let t = trace.events[i].t;
                let same = |e: &&synack_model::trace::Event| e.t == t;
                on.matches(trace, i)
                    && !trace.events[..i]
                        .iter()
                        .rev()
                        .take_while(same)
                        .chain(trace.events[i + 1..].iter().take_while(same))
                        .any(|e| matches!(e.kind, EventKind::StateChanged { .. }))
            }
            _ => false,
        }
    }
}

/// The state of the socket that sends `segment` (event `i`), as its last transition before
/// `i` left it. The socket is the one bound to the segment's source whose peer is the
/// destination (an accepted connection, not its listener).
fn sender_state(trace: &Trace, i: usize, segment: &Segment) -> Option<TcpState> {
    let src = segment.src;
    let sock = trace
        .sockets
        .iter()
        .filter(|s| s.host == src.host && s.local_port == src.port)
        .find(|s| s.remote.is_none_or(|r| r == segment.dst))?;
    trace.events[..i].iter().rev().find_map(|e| match &e.kind {
        EventKind::StateChanged { socket, to, .. } if *socket == sock.id => Some(*to),
        _ => None,
    })
}

/// Whether event `kind` is a step every case's table must explain: a segment sent or lost, or a
/// state change. Timers, calls and queues are told by the narration; a row may still explain
/// them.
pub fn is_key_step(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::SegmentSent { .. }
            | EventKind::SegmentDropped { .. }
            | EventKind::StateChanged { .. }
    )
}

/// The paragraph for the moment of events `moment` (indices into `trace.events`): the first
/// row for the table's case, in table order, that matches one of them.
pub fn paragraph(teach: &Teach, trace: &Trace, moment: std::ops::Range<usize>) -> Option<T> {
    explained(teach, trace, moment).map(|(t, _)| t)
}

/// [`paragraph`], with the first event of the moment the winning row matched (a handout puts
/// the footnote's number on that event's arrow).
pub fn explained(
    teach: &Teach,
    trace: &Trace,
    moment: std::ops::Range<usize>,
) -> Option<(T, usize)> {
    let (row, i) = teach
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.for_case(&teach.case))
        .find_map(|(n, r)| {
            moment
                .clone()
                .find(|&i| r.on.matches(trace, i))
                .map(|i| (n, i))
        })?;
    Some((teach.text(row)?, i))
}

/// Where a scene's Node.js view finds its own words for a row, given by the scene (the engine
/// knows no scene): the scene's id and the lookup (`scenes::node_text::teach`), which answers
/// `None` for a row the Node view leaves to the C view's words.
#[derive(Clone, Copy, Debug)]
pub struct NodeRows {
    pub scene: &'static str,
    pub row: fn(&'static str, usize) -> Option<T>,
}

impl PartialEq for NodeRows {
    /// One scene has one lookup: its id decides (comparing function addresses is unreliable).
    fn eq(&self, other: &NodeRows) -> bool {
        self.scene == other.scene
    }
}

/// A scene's table and the case it explains, as the player carries it.
#[derive(Clone, Debug)]
pub struct Teach {
    pub rows: &'static [Row],
    pub case: yew::AttrValue,
    /// The Node.js view's own words (`api=node`), which replace the rows that name a C call;
    /// `None` in the C view.
    pub node: Option<NodeRows>,
    /// The rows' words, in table order, as the page fetched them (`None` until they are in, or
    /// when the file does not fit the table). The tests' tables carry their own.
    #[cfg(not(test))]
    pub words: Option<&'static [T]>,
    /// Whether the words are still on their way (a handout asked for before they arrive waits
    /// for its footnotes).
    #[cfg(not(test))]
    pub pending: bool,
}

impl Teach {
    /// The words of row `n` of the table (the Node view's, where it has its own).
    pub fn text(&self, n: usize) -> Option<T> {
        if let Some(t) = self.node.and_then(|node| (node.row)(node.scene, n)) {
            return Some(t);
        }
        #[cfg(test)]
        return self.rows.get(n).map(|r| r.text);
        #[cfg(not(test))]
        return self.words.and_then(|w| w.get(n).copied());
    }

    /// See `pending`: false once the words are in or could not be had.
    pub fn words_pending(&self) -> bool {
        #[cfg(test)]
        return false;
        #[cfg(not(test))]
        return self.pending;
    }
}

impl PartialEq for Teach {
    /// A table is one static value: the same one is the same table. (Comparing rows would put
    /// a deep comparison of every row into the props of the player, also in the first load.)
    fn eq(&self, other: &Teach) -> bool {
        #[cfg(not(test))]
        if self.words.map(<[T]>::as_ptr) != other.words.map(<[T]>::as_ptr)
            || self.pending != other.pending
        {
            return false;
        }
        std::ptr::eq(self.rows, other.rows) && self.case == other.case && self.node == other.node
    }
}
