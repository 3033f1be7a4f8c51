//! What a viewer (the web app's worker, a CLI) works with: one opened file, its summary and
//! conversation rows as small serialisable values, and a trace per picked conversation.
//!
//! Everything here crosses a worker boundary as JSON, so the rows carry display-ready values
//! (microseconds, mark names) and never the per-packet index lists.

use serde::Serialize;
use synack_model::trace::{Proto, TcpState, Trace};

use crate::conversation::{Conversation, Progress};
use crate::decode::{Packet, Transport};
use crate::tcp_analysis::{mark, TroubleCounts};
use crate::{
    analyze, read_with_progress, Analysis, Capture, Compression, Filter, Format, Problem, Skipped,
};

/// An opened capture.
pub struct Session {
    pub file: String,
    pub capture: Capture,
    pub analysis: Analysis,
}

/// The file as a whole.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub file: String,
    pub bytes: u64,
    pub format: Option<Format>,
    /// `"gzip"` when the file was a gzip-compressed capture.
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
#[derive(Clone, Debug, Serialize)]
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
    pub marks: Vec<&'static str>,
    pub handshake_rtt_us: Option<u64>,
}

/// One packet of a conversation, for a packet list next to the diagram.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentRow {
    pub number: u64,
    /// Microseconds since the conversation's first packet.
    pub t_us: u64,
    pub from_a: bool,
    pub len: u32,
    /// "SYN, ACK" style, empty for UDP.
    pub flags: String,
    pub rel_seq: u32,
    pub rel_ack: u32,
    pub window: u16,
    pub marks: Vec<&'static str>,
}

fn flag_names(f: u16) -> String {
    use crate::decode::flags::*;
    let mut v = Vec::new();
    for (bit, n) in [
        (SYN, "SYN"),
        (FIN, "FIN"),
        (RST, "RST"),
        (PSH, "PSH"),
        (ACK, "ACK"),
        (URG, "URG"),
        (ECE, "ECE"),
        (CWR, "CWR"),
    ] {
        if f & bit != 0 {
            v.push(n);
        }
    }
    v.join(", ")
}

impl Session {
    /// Reads and analyses `bytes`; `progress` gets the bytes read so far, now and then.
    pub fn open(bytes: &[u8], file: &str, progress: impl FnMut(u64)) -> Session {
        let capture = read_with_progress(bytes, progress);
        let analysis = analyze(&capture.packets);
        Session {
            file: file.to_string(),
            capture,
            analysis,
        }
    }

    fn first_ns(&self) -> i64 {
        self.capture
            .packets
            .iter()
            .map(|p| p.ts_ns)
            .min()
            .unwrap_or(0)
    }

    pub fn summary(&self, file_bytes: u64) -> Summary {
        let c = &self.capture;
        Summary {
            file: self.file.clone(),
            bytes: file_bytes,
            format: c.format,
            compression: c.compression,
            frames: c.frames,
            packets: c.packets.len() as u64,
            conversations: self.analysis.conversations.len() as u64,
            skipped: c.skipped,
            link_types: c
                .link_types
                .iter()
                .map(|(&lt, &n)| (lt, crate::decode::linktype::name(lt).to_string(), n))
                .collect(),
            problems: c.problems.clone(),
            problems_suppressed: c.problems_suppressed,
            partial: c.stopped_early(),
            first_ns: c.packets.iter().map(|p| p.ts_ns).min(),
            last_ns: c.packets.iter().map(|p| p.ts_ns).max(),
        }
    }

    fn row(&self, c: &Conversation, t0: i64) -> ConversationRow {
        ConversationRow {
            id: c.id,
            proto: c.proto,
            a: c.a.to_string(),
            b: c.b.to_string(),
            packets: c.total_packets(),
            packets_a_to_b: c.packets_a_to_b,
            packets_b_to_a: c.packets_b_to_a,
            bytes: c.total_bytes(),
            payload_a_to_b: c.payload_a_to_b,
            payload_b_to_a: c.payload_b_to_a,
            start_us: ((c.first_ns - t0).max(0) / 1000) as u64,
            duration_us: (c.duration_ns().max(0) / 1000) as u64,
            progress: c.progress,
            final_state: c.final_state,
            client: c.client,
            trouble: c.trouble,
            has_trouble: c.has_trouble(),
            marks: mark::names(c.marks),
            handshake_rtt_us: c.handshake_rtt_ns.map(|n| (n.max(0) / 1000) as u64),
        }
    }

    /// The conversation list, filtered.
    pub fn conversations(&self, filter: &Filter) -> Vec<ConversationRow> {
        let t0 = self.first_ns();
        self.analysis
            .conversations
            .iter()
            .filter(|c| filter.matches(c))
            .map(|c| self.row(c, t0))
            .collect()
    }

    /// The packets of conversation `id`.
    pub fn segments(&self, id: u32) -> Option<Vec<SegmentRow>> {
        let c = self.analysis.conversations.get(id as usize)?;
        let rows = c
            .packets
            .iter()
            .map(|&pi| {
                let p: &Packet = &self.capture.packets[pi as usize];
                let info = &self.analysis.packets[pi as usize];
                let (flags, window) = match &p.transport {
                    Transport::Tcp(t) => (flag_names(t.flags), t.window),
                    Transport::Udp { .. } => (String::new(), 0),
                    Transport::Icmp { icmp_type, code } => (format!("ICMP {icmp_type}/{code}"), 0),
                };
                SegmentRow {
                    number: p.number,
                    t_us: ((p.ts_ns - c.first_ns).max(0) / 1000) as u64,
                    from_a: !info.dir_b_to_a,
                    len: p.payload_len,
                    flags,
                    rel_seq: info.tcp.rel_seq,
                    rel_ack: info.tcp.rel_ack,
                    window,
                    marks: mark::names(info.tcp.marks),
                }
            })
            .collect();
        Some(rows)
    }

    /// The packets of conversation `id` in a compact form for drawing very large conversations
    /// (a canvas ladder): one `[t_us, from_b, tcp_flags, payload_len, marks, rel_seq]` per
    /// packet, in capture order, `t_us` from the conversation's first packet. About 30 bytes of
    /// JSON a packet instead of a whole trace event pair.
    pub fn wire(&self, id: u32) -> Option<Vec<[u64; 6]>> {
        let c = self.analysis.conversations.get(id as usize)?;
        Some(
            c.packets
                .iter()
                .map(|&pi| {
                    let p: &Packet = &self.capture.packets[pi as usize];
                    let info = &self.analysis.packets[pi as usize];
                    let flags = match &p.transport {
                        Transport::Tcp(t) => t.flags,
                        Transport::Udp { .. } | Transport::Icmp { .. } => 0,
                    };
                    [
                        ((p.ts_ns - c.first_ns).max(0) / 1000) as u64,
                        info.dir_b_to_a as u64,
                        flags as u64,
                        p.payload_len as u64,
                        info.tcp.marks as u64,
                        info.tcp.rel_seq as u64,
                    ]
                })
                .collect(),
        )
    }

    /// The expert marks of conversation `id`, one bit set (`tcp_analysis::mark`) per packet;
    /// index `i` belongs to the trace's segment `i`.
    pub fn marks(&self, id: u32) -> Option<Vec<u16>> {
        let c = self.analysis.conversations.get(id as usize)?;
        Some(
            c.packets
                .iter()
                .map(|&pi| self.analysis.packets[pi as usize].tcp.marks)
                .collect(),
        )
    }

    /// The trace of conversation `id`, for the diagrams.
    pub fn trace(&self, id: u32) -> Result<Trace, String> {
        crate::to_trace::conversation_trace(&self.capture, &self.analysis, id, &self.file)
    }
}
