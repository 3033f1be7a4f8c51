//! Per-connection TCP analysis: the marks Wireshark's expert info gives each segment
//! (retransmission, fast retransmission, duplicate ACK, out-of-order, zero window, window full,
//! keep-alive...), relative sequence numbers, and each endpoint's state reconstructed from what
//! the capture shows.
//!
//! The marks follow the heuristics Wireshark documents in its user guide ("TCP Analysis",
//! section 7.5) so that our numbers can be compared with `tshark` field by field (the
//! differential test does exactly that). They are guesses from one vantage point, as
//! Wireshark's are: a "retransmission" is a segment that does not advance the sequence space.
//!
//! Sequence comparisons are modulo 2^32 (RFC 9293 §3.4), through [`seq_lt`] and friends.

use serde::Serialize;
use synack_model::trace::TcpState;

use crate::decode::{flags, Packet, TcpFields};

pub use crate::mark;

/// `a < b` in sequence space.
pub fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}
pub fn seq_gt(a: u32, b: u32) -> bool {
    seq_lt(b, a)
}
pub fn seq_le(a: u32, b: u32) -> bool {
    !seq_gt(a, b)
}

/// The window scale state of one direction, as learnt from the handshake (RFC 7323 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    /// Handshake not seen: the true window is unknown.
    Unknown,
    /// Seen, and not in use (one side did not offer it).
    None,
    Shift(u8),
}

/// What we remember about one direction of a connection (sender's view).
#[derive(Clone, Debug)]
struct Flow {
    base_seq: Option<u32>,
    /// Highest sequence number + length seen (the next byte expected).
    nextseq: Option<u32>,
    nextseq_ns: i64,
    /// Highest contiguous sequence number seen, for "ACKed unseen segment".
    maxseqtobeacked: Option<u32>,
    lastack: Option<u32>,
    lastack_ns: i64,
    /// Last window field, raw.
    window: Option<u16>,
    /// The same window in bytes, when the scale in force for it was known.
    window_bytes: Option<u64>,
    /// The window-scale option this side offered in its SYN, if any.
    offered_scale: Option<u8>,
    saw_syn: bool,
    scale: Scale,
    dupacks: u16,
    last_marks: u16,
}

impl Flow {
    fn new() -> Flow {
        Flow {
            base_seq: None,
            nextseq: None,
            nextseq_ns: 0,
            maxseqtobeacked: None,
            lastack: None,
            lastack_ns: 0,
            window: None,
            window_bytes: None,
            offered_scale: None,
            saw_syn: false,
            scale: Scale::Unknown,
            dupacks: 0,
            last_marks: 0,
        }
    }

    /// The window field of a segment in bytes: a SYN's window is never scaled (RFC 7323
    /// §2.2); later ones are shifted by the scale agreed in the handshake, if it was seen.
    fn scaled(&self, raw: u16, syn: bool) -> Option<u64> {
        match (syn, self.scale) {
            (true, _) | (false, Scale::None) => Some(raw as u64),
            (false, Scale::Shift(s)) => Some((raw as u64) << s.min(14)),
            (false, Scale::Unknown) => None,
        }
    }
}

/// Which endpoint sent a packet: A is the conversation's first sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dir {
    AToB,
    BToA,
}

impl Dir {
    pub fn index(self) -> usize {
        match self {
            Dir::AToB => 0,
            Dir::BToA => 1,
        }
    }
}

/// When a state change happened relative to its packet: as the sender sent it, or as the
/// receiver got it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    OnSend,
    OnReceive,
}

/// One inferred state transition of one endpoint (0 = A, 1 = B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StateChange {
    /// Index into the conversation's packets.
    pub packet: u32,
    pub endpoint: u8,
    pub side: Side,
    pub from: TcpState,
    pub to: TcpState,
}

/// Per-packet results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SegmentAnalysis {
    pub marks: u16,
    /// For duplicate ACKs: which one in the run (1, 2, 3...), as Wireshark numbers them.
    pub dup_ack_num: u16,
    /// Sequence and acknowledgement numbers relative to each direction's ISN.
    pub rel_seq: u32,
    pub rel_ack: u32,
}

/// A connection's analysis state, fed one packet at a time in capture order.
#[derive(Clone, Debug)]
pub struct TcpConnection {
    flows: [Flow; 2],
    /// SYN time and the handshake RTT measured at the capture point (SYN → ACK of SYN-ACK),
    /// which Wireshark uses as the out-of-order threshold.
    syn_ns: Option<i64>,
    /// Which direction sent the first SYN.
    syn_dir: Option<usize>,
    synack_ns: Option<i64>,
    pub first_rtt_ns: Option<i64>,
    /// The client's ISN, to tell a new connection on the same ports from a retransmitted SYN.
    pub syn_seq: Option<u32>,
    states: [TcpState; 2],
    fin_seq: [Option<u32>; 2],
    started: bool,
    pub changes: Vec<StateChange>,
    /// Each endpoint's state furthest along the RFC 9293 diagram.
    pub furthest: [TcpState; 2],
    pub established: bool,
    pub closed_by_fin: bool,
    pub reset: bool,
    pub counts: TroubleCounts,
    /// Handshake options as seen: (A's SYN options, B's SYN options).
    pub mss: [Option<u16>; 2],
    pub window_scale: [Option<u8>; 2],
    pub sack_permitted: [bool; 2],
    pub timestamps: [bool; 2],
}

pub use crate::protocol::TroubleCounts;

fn rank(s: TcpState) -> u8 {
    match s {
        TcpState::Closed => 0,
        TcpState::Listen => 1,
        TcpState::SynSent => 2,
        TcpState::SynReceived => 3,
        TcpState::Established => 4,
        TcpState::FinWait1 | TcpState::CloseWait => 5,
        TcpState::FinWait2 | TcpState::Closing | TcpState::LastAck => 6,
        TcpState::TimeWait => 7,
    }
}

impl Default for TcpConnection {
    fn default() -> Self {
        Self::new()
    }
}

impl TcpConnection {
    pub fn new() -> TcpConnection {
        TcpConnection {
            flows: [Flow::new(), Flow::new()],
            syn_ns: None,
            syn_dir: None,
            synack_ns: None,
            first_rtt_ns: None,
            syn_seq: None,
            states: [TcpState::Closed; 2],
            fin_seq: [None; 2],
            started: false,
            changes: Vec::new(),
            furthest: [TcpState::Closed; 2],
            established: false,
            closed_by_fin: false,
            reset: false,
            counts: TroubleCounts::default(),
            mss: [None; 2],
            window_scale: [None; 2],
            sack_permitted: [false; 2],
            timestamps: [false; 2],
        }
    }

    /// The states the endpoints are in now.
    pub fn states(&self) -> [TcpState; 2] {
        self.states
    }

    /// Would this SYN start a new connection on the same 4-tuple (port reuse)?
    pub fn is_new_connection(&self, tcp: &TcpFields) -> bool {
        tcp.has(flags::SYN)
            && !tcp.has(flags::ACK)
            && match self.syn_seq {
                Some(isn) => isn != tcp.seq,
                // We saw this connection mid-stream, and now a fresh SYN: a new one once the
                // old one is over.
                None => self.started && (self.reset || self.closed_by_fin),
            }
    }

    /// Analyses the `index`-th packet of the connection, sent in direction `dir`.
    pub fn on_segment(
        &mut self,
        index: u32,
        dir: Dir,
        p: &Packet,
        tcp: &TcpFields,
    ) -> SegmentAnalysis {
        let marks = self.sequence_analysis(dir, p, tcp);
        let (f, r) = (dir.index(), 1 - dir.index());
        let rel_seq = tcp
            .seq
            .wrapping_sub(self.flows[f].base_seq.unwrap_or(tcp.seq));
        let rel_ack = if tcp.has(flags::ACK) {
            tcp.ack
                .wrapping_sub(self.flows[r].base_seq.unwrap_or(tcp.ack))
        } else {
            0
        };
        let dup_ack_num = if marks & mark::DUPLICATE_ACK != 0 {
            self.flows[f].dupacks
        } else {
            0
        };
        self.count(marks);
        self.track_state(index, dir, p, tcp);
        SegmentAnalysis {
            marks,
            dup_ack_num,
            rel_seq,
            rel_ack,
        }
    }

    fn count(&mut self, m: u16) {
        let c = &mut self.counts;
        c.retransmissions += (m & mark::RETRANSMISSION != 0) as u32;
        c.fast_retransmissions += (m & mark::FAST_RETRANSMISSION != 0) as u32;
        c.duplicate_acks += (m & mark::DUPLICATE_ACK != 0) as u32;
        c.out_of_order += (m & mark::OUT_OF_ORDER != 0) as u32;
        c.zero_windows += (m & mark::ZERO_WINDOW != 0) as u32;
        c.window_full += (m & mark::WINDOW_FULL != 0) as u32;
        c.keep_alives += (m & mark::KEEP_ALIVE != 0) as u32;
        c.resets += (m & mark::RST != 0) as u32;
        c.lost_segments += (m & mark::PREVIOUS_SEGMENT_NOT_CAPTURED != 0) as u32;
    }

    /// The expert-info heuristics. Each test below is described the way the Wireshark user
    /// guide describes the mark it sets.
    fn sequence_analysis(&mut self, dir: Dir, p: &Packet, tcp: &TcpFields) -> u16 {
        let (fi, ri) = (dir.index(), 1 - dir.index());
        let now = p.ts_ns;
        let seq = tcp.seq;
        let ack = tcp.ack;
        let seglen = p.payload_len;
        let syn = tcp.has(flags::SYN);
        let fin = tcp.has(flags::FIN);
        let rst = tcp.has(flags::RST);
        let has_ack = tcp.has(flags::ACK);
        let sfr = syn || fin || rst;
        let mut m = 0u16;
        if rst {
            m |= mark::RST;
        }

        // Handshake bookkeeping: options, window scaling (RFC 7323 §2.2: the scale applies
        // only once both SYNs carried the option; a SYN's own window is never scaled), RTT.
        if syn {
            let o = &tcp.options;
            self.mss[fi] = o.mss;
            self.window_scale[fi] = o.window_scale;
            self.sack_permitted[fi] = o.sack_permitted;
            self.timestamps[fi] = o.timestamps.is_some();
            self.flows[fi].offered_scale = o.window_scale;
            self.flows[fi].saw_syn = true;
            if has_ack {
                self.synack_ns.get_or_insert(now);
                if self.flows[ri].saw_syn {
                    let (a, b) = (self.flows[ri].offered_scale, self.flows[fi].offered_scale);
                    let (sa, sb) = match (a, b) {
                        (Some(a), Some(b)) => (Scale::Shift(a), Scale::Shift(b)),
                        _ => (Scale::None, Scale::None),
                    };
                    self.flows[ri].scale = sa;
                    self.flows[fi].scale = sb;
                }
            } else {
                self.syn_ns.get_or_insert(now);
                self.syn_dir.get_or_insert(fi);
                self.syn_seq.get_or_insert(seq);
            }
        } else if has_ack
            && self.first_rtt_ns.is_none()
            && self.synack_ns.is_some()
            && self.syn_dir == Some(fi)
        {
            if let Some(s) = self.syn_ns {
                self.first_rtt_ns = Some(now - s);
            }
        }

        // Relative numbering bases: the ISN from a SYN, else one before the first seq seen.
        let fwd = &mut self.flows[fi];
        if fwd.base_seq.is_none() {
            fwd.base_seq = Some(if syn { seq } else { seq.wrapping_sub(1) });
        }
        if has_ack && self.flows[ri].base_seq.is_none() {
            self.flows[ri].base_seq = Some(ack.wrapping_sub(1));
        }

        let (fwd, rev) = if fi == 0 {
            let (a, b) = self.flows.split_at_mut(1);
            (&mut a[0], &mut b[0])
        } else {
            let (a, b) = self.flows.split_at_mut(1);
            (&mut b[0], &mut a[0])
        };
        let window = tcp.window;
        let same_ack_and_seq =
            fwd.nextseq == Some(seq) && fwd.lastack == Some(ack) && fwd.window.is_some();

        'fwd: {
            // Zero window probe: one byte at the next expected sequence number while the
            // other side's window is zero.
            if seglen == 1 && fwd.nextseq == Some(seq) && rev.window == Some(0) {
                m |= mark::ZERO_WINDOW_PROBE;
                break 'fwd;
            }
            // Zero window: the receiver advertises no room (SYN/FIN/RST excepted).
            if window == 0 && !sfr {
                m |= mark::ZERO_WINDOW;
            }
            // Previous segment not captured: this starts beyond the next expected byte.
            if let Some(n) = fwd.nextseq {
                if seq_gt(seq, n) && !rst {
                    m |= mark::PREVIOUS_SEGMENT_NOT_CAPTURED;
                }
            }
            // Keep-alive: 0 or 1 byte starting one byte before the next expected sequence.
            if let Some(n) = fwd.nextseq {
                if seglen <= 1 && seq == n.wrapping_sub(1) && !sfr {
                    m |= mark::KEEP_ALIVE;
                }
            }
            // Window update: no data, same seq and ack as before, a different window.
            if seglen == 0 && window != 0 && same_ack_and_seq && fwd.window != Some(window) && !sfr
            {
                m |= mark::WINDOW_UPDATE;
            }
            // Window full: this segment reaches exactly the right edge of the peer's window.
            if seglen > 0 && !sfr {
                if let (Some(w), Some(la)) = (rev.window_bytes, rev.lastack) {
                    if seq.wrapping_add(seglen) == la.wrapping_add(w as u32) {
                        m |= mark::WINDOW_FULL;
                    }
                }
            }
            // Keep-alive ACK / zero window probe ACK: repeats the last ACK right after the
            // peer's keep-alive or probe.
            if seglen == 0 && same_ack_and_seq && fwd.window == Some(window) && !sfr {
                if window != 0 && rev.last_marks & mark::KEEP_ALIVE != 0 {
                    m |= mark::KEEP_ALIVE_ACK;
                    break 'fwd;
                }
                if window == 0 && rev.last_marks & mark::ZERO_WINDOW_PROBE != 0 {
                    m |= mark::ZERO_WINDOW_PROBE_ACK;
                    break 'fwd;
                }
            }
            // Duplicate ACK: no data, same seq, ack and (non-zero) window as the previous one.
            if seglen == 0 && window != 0 && same_ack_and_seq && fwd.window == Some(window) && !sfr
            {
                fwd.dupacks = fwd.dupacks.saturating_add(1);
                m |= mark::DUPLICATE_ACK;
            }
        }
        // A run of duplicate ACKs ends only when the acknowledgement number moves, as in
        // Wireshark's tcp_analyze_sequence_number ("If the ack number changed we must reset
        // the dupack counters"): a pure window update, and the sender's own data or
        // retransmission carrying the same ACK, keep the count going. On a capture of a real
        // accept-queue overflow the client's retransmitted data sits between its duplicate
        // ACKs (one per retransmitted SYN-ACK), and tshark numbers them #1, #2, #3 across it.
        if fwd.lastack != Some(ack) {
            fwd.dupacks = 0;
        }

        // ACKed unseen segment: acknowledges beyond anything the other side was seen to send
        // (reported once per new acknowledgement number, as tshark does).
        if has_ack && fwd.lastack != Some(ack) {
            if let Some(max) = rev.maxseqtobeacked {
                if seq_gt(ack, max) {
                    m |= mark::ACKED_UNSEEN_SEGMENT;
                    rev.maxseqtobeacked = rev.nextseq;
                }
            }
        }

        // Retransmission family: carries data (or SYN/FIN) without advancing the sequence.
        if (seglen > 0 || syn || fin) && m & mark::KEEP_ALIVE == 0 {
            if let Some(n) = fwd.nextseq {
                if seq_lt(seq, n) {
                    let end = seq.wrapping_add(seglen);
                    let since_dupack = now - rev.lastack_ns;
                    let ooo_threshold = self.first_rtt_ns.filter(|&r| r > 0).unwrap_or(3_000_000);
                    if rev.dupacks >= 2 && rev.lastack == Some(seq) && since_dupack < 20_000_000 {
                        // Fast retransmission (RFC 5681 §3.2): after duplicate ACKs for it.
                        m |= mark::FAST_RETRANSMISSION | mark::RETRANSMISSION;
                    } else if now - fwd.nextseq_ns < ooo_threshold && n != end {
                        // Out-of-order: arrived soon after the highest segment, filling a hole.
                        m |= mark::OUT_OF_ORDER;
                    } else if seglen > 0 && rev.lastack.is_some_and(|la| seq_le(end, la)) {
                        // Spurious: the peer had already acknowledged all of it.
                        m |= mark::SPURIOUS_RETRANSMISSION | mark::RETRANSMISSION;
                    } else {
                        m |= mark::RETRANSMISSION;
                    }
                }
            }
        }

        // Advance this direction's view.
        let mut nextseq = seq.wrapping_add(seglen);
        if syn || fin {
            nextseq = nextseq.wrapping_add(1);
        }
        if m & mark::ZERO_WINDOW_PROBE == 0 {
            if fwd.nextseq.is_none_or(|n| seq_gt(nextseq, n)) {
                fwd.nextseq = Some(nextseq);
                fwd.nextseq_ns = now;
            }
            if fwd.maxseqtobeacked.is_none_or(|mx| seq == mx) {
                fwd.maxseqtobeacked = fwd.nextseq;
            }
        }
        fwd.window = Some(window);
        fwd.window_bytes = fwd.scaled(window, syn);
        fwd.lastack = Some(ack);
        fwd.lastack_ns = now;
        fwd.last_marks = m;
        m
    }

    fn set(&mut self, index: u32, ep: usize, side: Side, to: TcpState) {
        let from = self.states[ep];
        if from == to {
            return;
        }
        self.states[ep] = to;
        if rank(to) > rank(self.furthest[ep]) {
            self.furthest[ep] = to;
        }
        if to == TcpState::Established {
            self.established = true;
        }
        self.changes.push(StateChange {
            packet: index,
            endpoint: ep as u8,
            side,
            from,
            to,
        });
    }

    /// Moves the endpoints through the RFC 9293 §3.3.2 state diagram as the segments pass the
    /// capture point. The sender changes state as it sends, the receiver as it receives.
    fn track_state(&mut self, index: u32, dir: Dir, p: &Packet, tcp: &TcpFields) {
        use TcpState::*;
        let (x, y) = (dir.index(), 1 - dir.index());
        let syn = tcp.has(flags::SYN);
        let fin = tcp.has(flags::FIN);
        let rst = tcp.has(flags::RST);
        let ack = tcp.has(flags::ACK);
        if !self.started {
            self.started = true;
            if syn && !ack {
                // The peer must have been listening.
                self.set(index, y, Side::OnSend, Listen);
            } else if !(syn && ack) {
                // Capture started mid-connection: both were already connected.
                self.set(index, x, Side::OnSend, Established);
                self.set(index, y, Side::OnSend, Established);
            }
        }
        if rst {
            // RFC 9293 §3.10.7: a valid RST closes the connection; the sender is gone already.
            self.reset = true;
            self.set(index, x, Side::OnSend, Closed);
            if self.states[y] != Listen {
                self.set(index, y, Side::OnReceive, Closed);
            }
            return;
        }
        if syn && !ack {
            if matches!(self.states[x], Closed | Listen) {
                self.set(index, x, Side::OnSend, SynSent);
            }
            match self.states[y] {
                Listen | Closed => self.set(index, y, Side::OnReceive, SynReceived),
                // Simultaneous open (RFC 9293 figure 7).
                SynSent => self.set(index, y, Side::OnReceive, SynReceived),
                _ => {}
            }
            return;
        }
        if syn && ack {
            if matches!(self.states[x], Closed | Listen | SynSent) {
                self.set(index, x, Side::OnSend, SynReceived);
            }
            if matches!(self.states[y], SynSent | Closed) {
                self.set(index, y, Side::OnReceive, Established);
            }
            return;
        }
        // The sender of a plain ACK after a SYN-ACK is established (it was on receipt).
        if matches!(self.states[x], SynSent) && ack {
            self.set(index, x, Side::OnSend, Established);
        }
        // What this ACK acknowledges on the receiver's side: its SYN, its FIN.
        if ack {
            if self.states[y] == SynReceived {
                self.set(index, y, Side::OnReceive, Established);
            }
            if let Some(f) = self.fin_seq[y] {
                if seq_gt(tcp.ack, f) {
                    match self.states[y] {
                        FinWait1 => self.set(index, y, Side::OnReceive, FinWait2),
                        Closing => self.set(index, y, Side::OnReceive, TimeWait),
                        LastAck => {
                            self.set(index, y, Side::OnReceive, Closed);
                            self.closed_by_fin = true;
                        }
                        _ => {}
                    }
                }
            }
        }
        if fin {
            self.fin_seq[x] = Some(tcp.seq.wrapping_add(p.payload_len));
            match self.states[x] {
                Established | SynReceived => self.set(index, x, Side::OnSend, FinWait1),
                CloseWait => self.set(index, x, Side::OnSend, LastAck),
                _ => {}
            }
            match self.states[y] {
                Established => self.set(index, y, Side::OnReceive, CloseWait),
                FinWait1 => self.set(index, y, Side::OnReceive, Closing),
                FinWait2 => self.set(index, y, Side::OnReceive, TimeWait),
                _ => {}
            }
        }
    }
}
