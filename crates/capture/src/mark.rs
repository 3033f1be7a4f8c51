//! Expert-info marks on one segment, as bits: what Wireshark's expert info calls them
//! (`tcp_analysis` sets them). Without the parsers, so the page names the same bits.

pub const RETRANSMISSION: u16 = 1 << 0;
pub const FAST_RETRANSMISSION: u16 = 1 << 1;
pub const SPURIOUS_RETRANSMISSION: u16 = 1 << 2;
pub const OUT_OF_ORDER: u16 = 1 << 3;
pub const DUPLICATE_ACK: u16 = 1 << 4;
pub const ZERO_WINDOW: u16 = 1 << 5;
pub const ZERO_WINDOW_PROBE: u16 = 1 << 6;
pub const ZERO_WINDOW_PROBE_ACK: u16 = 1 << 7;
pub const WINDOW_FULL: u16 = 1 << 8;
pub const WINDOW_UPDATE: u16 = 1 << 9;
pub const KEEP_ALIVE: u16 = 1 << 10;
pub const KEEP_ALIVE_ACK: u16 = 1 << 11;
/// A segment before this one (same direction) was not captured.
pub const PREVIOUS_SEGMENT_NOT_CAPTURED: u16 = 1 << 12;
/// This acknowledges data the capture never showed.
pub const ACKED_UNSEEN_SEGMENT: u16 = 1 << 13;
pub const RST: u16 = 1 << 14;
/// A new connection on the 4-tuple of an earlier one.
pub const PORTS_REUSED: u16 = 1 << 15;

/// (bit, English name) for display and tests.
pub const NAMES: [(u16, &str); 16] = [
    (RETRANSMISSION, "retransmission"),
    (FAST_RETRANSMISSION, "fast retransmission"),
    (SPURIOUS_RETRANSMISSION, "spurious retransmission"),
    (OUT_OF_ORDER, "out-of-order"),
    (DUPLICATE_ACK, "duplicate ACK"),
    (ZERO_WINDOW, "zero window"),
    (ZERO_WINDOW_PROBE, "zero window probe"),
    (ZERO_WINDOW_PROBE_ACK, "zero window probe ACK"),
    (WINDOW_FULL, "window full"),
    (WINDOW_UPDATE, "window update"),
    (KEEP_ALIVE, "keep-alive"),
    (KEEP_ALIVE_ACK, "keep-alive ACK"),
    (
        PREVIOUS_SEGMENT_NOT_CAPTURED,
        "previous segment not captured",
    ),
    (ACKED_UNSEEN_SEGMENT, "ACKed unseen segment"),
    (RST, "reset"),
    (PORTS_REUSED, "ports reused"),
];

pub fn names(bits: u16) -> Vec<&'static str> {
    NAMES
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect()
}
