//! What went wrong while reading a capture, and where.
//!
//! Reading never stops at the first problem: every frame that can be read is returned, and each
//! problem becomes a [`Problem`] that names the packet or block it was found in, so the viewer
//! can say "packet 17: captured length 70000 is larger than the snapshot length 65535".

use std::fmt;

use serde::Serialize;

/// Where in the file a problem was found. Numbers are 1-based, as Wireshark counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Location {
    /// The file as a whole (its header, its magic number).
    File,
    /// The n-th packet record (classic pcap) or packet block (pcapng).
    Packet { number: u64, offset: u64 },
    /// The n-th block of a pcapng file (all block types counted).
    Block { number: u64, offset: u64 },
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// One packet or block was skipped or read partly; reading went on.
    Warning,
    /// Reading had to stop here; everything before is still returned.
    Fatal,
}

/// The kinds of problem, so a caller (and a test) can tell them apart without parsing text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Not a pcap or pcapng file (or an unsupported variant of one).
    BadMagic,
    /// The file ends in the middle of a header, record or block.
    Truncated,
    /// A record's captured length is larger than the snapshot length of its interface.
    CaplenOverSnaplen,
    /// A record's captured length is larger than the packet's original length.
    CaplenOverOrigLen,
    /// A block or record length that cannot be right (too small, not aligned, too big).
    AbsurdLength,
    /// A block whose contents could not be parsed (skipped using its length).
    MalformedBlock,
    /// A packet for an interface id that was never described.
    UnknownInterface,
    /// A link-layer type this reader does not decode.
    UnknownLinkType,
    /// A frame whose headers could not be decoded as IPv4/IPv6 + TCP/UDP.
    UndecodablePacket,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub kind: ProblemKind,
    #[serde(flatten)]
    pub location: Location,
    /// A sentence for people, naming the values involved.
    pub message: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => f.write_str("file"),
            Location::Packet { number, offset } => {
                write!(f, "packet {number} (byte offset {offset})")
            }
            Location::Block { number, offset } => {
                write!(f, "block {number} (byte offset {offset})")
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Fatal => "error",
        };
        write!(f, "{sev}: {}: {}", self.location, self.message)
    }
}
