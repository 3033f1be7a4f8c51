//! What a viewer (the web app's worker, a CLI) works with: one opened file, its summary and
//! conversation rows as small serialisable values, and a trace per picked conversation.
//!
//! The rows cross a worker boundary as JSON (`protocol`), so they carry display-ready values
//! (microseconds, mark bits) and never the per-packet index lists.

use synack_model::trace::Trace;

use crate::protocol::WIRE_FIELDS;
pub use crate::protocol::{ConversationRow, Summary};

use crate::conversation::Conversation;
use crate::decode::{Packet, Transport};
use crate::{analyze, read_with_progress, Analysis, Capture, Filter};

/// An opened capture.
pub struct Session {
    pub file: String,
    pub capture: Capture,
    pub analysis: Analysis,
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
            marks: c.marks,
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

    /// The packets of conversation `id` in a compact form for drawing very large conversations
    /// (a canvas ladder): one `[t_us, from_b, tcp_flags, payload_len, marks, rel_seq]` per
    /// packet, in capture order, `t_us` from the conversation's first packet. About 30 bytes of
    /// JSON a packet instead of a whole trace event pair.
    pub fn wire(&self, id: u32) -> Option<Vec<[u64; WIRE_FIELDS]>> {
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
