//! The messages between the page (`#/open`, src/pages/open/worker.rs) and the capture reader's
//! Web Worker (src/bin/capture_worker.rs), as types both sides compile against.
//!
//! Without the `reader` feature: the page depends on this crate for these types and the
//! problem kinds only, never for the parsers. Every enum here is matched exhaustively on the
//! side that receives it, so a new request, answer or error is a compile error in the worker
//! or the page until it is handled, instead of a JSON shape one side guesses at (quinn-proto's
//! `Event`, matched by applications, is the model).
//!
//! On the wire each message is JSON text, because `Trace` and the rows are serde values and
//! one `serde_json` pass is what both sides already carry. Two payloads travel beside the text
//! as transferred buffers instead of inside it: the file's bytes with [`Request::Open`] and the
//! packets of [`Answer::Wire`] (six `f64` a packet, see [`WIRE_FIELDS`]). Enums are tagged
//! with `kind` and their fields under `body` (adjacently tagged): serde reads an internally
//! tagged enum through a buffered copy of the whole value, which for a trace of 100,000
//! segments is a second tree the size of the first.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use synack_model::trace::{Proto, TcpState, Trace};

use crate::problem::{Compression, Problem};

/// Numbers per packet in the buffer of an [`Answer::Wire`]: `[t_us, from_b, tcp_flags,
/// payload_len, marks, rel_seq]`, `t_us` from the conversation's first packet. Every value fits
/// an `f64` exactly (µs, 0/1, flag bits, lengths, 16 mark bits, a `u32`).
pub const WIRE_FIELDS: usize = 6;

/// Conversation rows sent when a request does not say.
pub const DEFAULT_LIMIT: usize = 200;

/// A request from the page, with the number its answer repeats.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ask {
    pub req: u32,
    pub request: Request,
}

/// What the page asks the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Request {
    /// Read the file whose bytes come with the message (transferred: the page keeps no copy).
    /// Answered by [`Answer::Progress`] now and then, then [`Answer::Opened`].
    Open {
        name: String,
        /// At most this many conversation rows in the answer.
        limit: usize,
    },
    /// The conversations matching a filter (`port 80 rst`, see `conversation::Filter`).
    List { filter: String, limit: usize },
    /// One conversation as a trace, for the SVG ladder.
    Trace { id: u32 },
    /// One conversation's packets as numbers, for the canvas ladder of big conversations.
    Wire { id: u32 },
}

/// An answer from the worker: the request it answers (none for [`Answer::Ready`] and
/// [`Answer::Progress`]), what it says, and how long the worker took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub req: Option<u32>,
    pub answer: Answer,
    pub timing: Timing,
}

/// What the worker answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Answer {
    /// The worker's wasm is loaded and it listens (sent once, unasked).
    Ready,
    /// Bytes of the file read so far, out of `total`.
    Progress {
        done: u64,
        total: u64,
    },
    /// The file as a whole and its first conversation rows; `total_rows` matched in all.
    Opened {
        summary: Summary,
        conversations: Vec<ConversationRow>,
        total_rows: u64,
    },
    /// Rows of a [`Request::List`].
    Conversations {
        rows: Vec<ConversationRow>,
        total_rows: u64,
    },
    /// One conversation as a trace, and its expert marks (bits, `mark`), one per segment id.
    Trace {
        id: u32,
        marks: Vec<u16>,
        trace: Box<Trace>,
    },
    /// `packets` packets of conversation `id`, [`WIRE_FIELDS`] numbers each, in the buffer
    /// beside this message.
    Wire {
        id: u32,
        packets: u64,
    },
    Failed(Failure),
}

/// Why a request could not be answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Failure {
    /// A request for a file's conversations before any file was opened.
    NoCapture,
    /// [`Request::Open`] came without the file's bytes.
    NoBytes,
    /// The file's bytes could not be read (the stream failed); why (English).
    Unreadable {
        message: String,
    },
    /// The filter does not parse; the parser's sentence (English).
    BadFilter {
        message: String,
    },
    NoSuchConversation {
        id: u32,
    },
    /// The conversation could not be made into a trace; why (English).
    NoTrace {
        id: u32,
        message: String,
    },
    /// The message was not a request of this protocol (a page and worker of different builds).
    BadRequest {
        message: String,
    },
}

/// How long each step of a request took in the worker (ms), and when the answer was handed
/// to `postMessage` (ms on the clock page and worker share: `performance.timeOrigin +
/// performance.now()`), so the page can tell the worker's time from the message's transit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub steps: Vec<(Cow<'static, str>, f64)>,
    pub sent_at: f64,
}

/// Which container the file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    PcapMicros { big_endian: bool },
    PcapNanos { big_endian: bool },
    PcapNg,
}

/// Frames that gave no TCP/UDP packet, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// ARP, ICMP, other protocols: normal traffic we do not show.
    pub not_tcp_udp: u64,
    /// IP fragments that gave no packet themselves: every fragment of a reassembled datagram
    /// but the one that completed it (which carries the packet, as in Wireshark), and the
    /// fragments of datagrams that never completed.
    pub fragments: u64,
    pub unknown_link_type: u64,
    pub malformed: u64,
}

/// How far a TCP connection got, in the words of the conversation list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// A SYN (perhaps retransmitted) and nothing back.
    SynOnly,
    /// Answered by a RST before it was established (connection refused).
    Refused,
    /// SYN and SYN-ACK seen, final ACK not yet.
    Handshaking,
    Established,
    /// One side sent a FIN.
    HalfClosed,
    /// Both FINs sent and acknowledged.
    Closed,
    /// Reset after being established.
    Reset,
    /// UDP has no states.
    Datagrams,
}

/// How many segments carry each kind of trouble.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TroubleCounts {
    pub retransmissions: u32,
    pub fast_retransmissions: u32,
    pub duplicate_acks: u32,
    pub out_of_order: u32,
    pub zero_windows: u32,
    pub window_full: u32,
    pub keep_alives: u32,
    pub resets: u32,
    pub lost_segments: u32,
}

/// The file as a whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub file: String,
    pub bytes: u64,
    pub format: Option<Format>,
    /// Set when the file was a compressed capture (gzip is read; the others are named).
    pub compression: Option<Compression>,
    pub frames: u64,
    pub packets: u64,
    pub conversations: u64,
    pub skipped: Skipped,
    /// (link type, its name, frames).
    pub link_types: Vec<(u16, String, u64)>,
    pub problems: Vec<Problem>,
    pub problems_suppressed: u64,
    /// True when reading stopped before the end of the file (a fatal problem).
    pub partial: bool,
    pub first_ns: Option<i64>,
    pub last_ns: Option<i64>,
}

/// One row of the conversation list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationRow {
    pub id: u32,
    pub proto: Proto,
    pub a: String,
    pub b: String,
    pub packets: u64,
    pub packets_a_to_b: u64,
    pub packets_b_to_a: u64,
    pub bytes: u64,
    pub payload_a_to_b: u64,
    pub payload_b_to_a: u64,
    /// Start relative to the first packet of the file, and duration, microseconds.
    pub start_us: u64,
    pub duration_us: u64,
    pub progress: Progress,
    pub final_state: Option<[TcpState; 2]>,
    pub client: Option<u8>,
    pub trouble: TroubleCounts,
    pub has_trouble: bool,
    /// Every expert mark any of its segments carries (bits, `mark`).
    pub marks: u16,
    pub handshake_rtt_us: Option<u64>,
}

#[cfg(test)]
mod tests;
