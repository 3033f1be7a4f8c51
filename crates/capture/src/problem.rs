//! What went wrong while reading a capture, and where.
//!
//! Reading never stops at the first problem: every frame that can be read is returned, and each
//! problem becomes a [`Problem`] that names the packet or block it was found in, so the viewer
//! can say "packet 17: captured length 70000 is larger than the snapshot length 65535".
//!
//! A problem is data first: its [`Detail`] says which check failed and carries the values
//! involved, so a viewer words it in its own language (the web app does, in Chinese and
//! English: src/pages/open/problems.rs). `message` is the English sentence for native tools and
//! logs, made from the same `Detail` (`Detail`'s `Display`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where in the file a problem was found. Numbers are 1-based, as Wireshark counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// One packet or block was skipped or read partly; reading went on.
    Warning,
    /// Reading had to stop here; everything before is still returned.
    Fatal,
}

/// A compressed file, told apart by its first bytes. Wireshark opens gzip-compressed captures
/// directly (wiretap's file_wrappers.c), and so do we; the others are named in the message so
/// that the reader knows what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
    Lz4,
    Zip,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
            Compression::Bzip2 => "bzip2",
            Compression::Lz4 => "LZ4",
            Compression::Zip => "zip",
        }
    }
}

/// The kinds of problem, so a caller (and a test) can tell them apart without parsing text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// An IP header whose length field claims more bytes than the packet had on the wire.
    BadIpLength,
    /// A compressed file whose compressed data is damaged.
    BadCompression,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub severity: Severity,
    pub kind: ProblemKind,
    #[serde(flatten)]
    pub location: Location,
    /// Which check failed, with its values (`{"what":"caplen_over_snaplen","caplen":…}`).
    pub detail: Detail,
    /// The same in an English sentence (`detail.to_string()`), for native tools and logs.
    pub message: String,
}

impl Problem {
    pub fn new(severity: Severity, location: Location, detail: Detail) -> Problem {
        Problem {
            severity,
            kind: detail.kind(),
            location,
            message: detail.to_string(),
            detail,
        }
    }
}

/// The kind of pcapng block a [`Detail::BlockUnparsable`] was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Packet,
    Interface,
    Section,
    Other,
}

/// The header a [`Detail::Undecodable`] packet failed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Ethernet,
    /// BSD loopback (NULL / LOOP) family header.
    Loopback,
    /// Linux cooked capture v1 / v2 header.
    Sll,
    Sll2,
    Ip,
    Tcp,
    Udp,
}

/// Which check failed, and the values it saw. Lengths are bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Detail {
    /// The whole file is shorter than a magic number.
    FileTooShort {
        len: u64,
    },
    /// The first four bytes are no pcap or pcapng magic number.
    UnknownMagic {
        first_bytes: [u8; 4],
    },
    /// The "modified" (Kuznetzov) pcap variant.
    ModifiedPcap,
    /// The file ends inside the 24-byte pcap file header.
    PcapHeaderCut {
        len: u64,
    },
    /// The file ends inside a 16-byte pcap record header.
    RecordHeaderCut {
        left: u64,
    },
    /// A record's captured length is beyond any real packet: the header is garbage.
    CaplenAbsurd {
        caplen: u32,
        max: u32,
    },
    /// The file ends inside a packet's data.
    PacketCut {
        caplen: u32,
        left: u64,
    },
    /// A record that passed the length checks but still did not parse.
    RecordUnparsable,
    /// Captured length above the snapshot length (of the file, or of a pcapng interface).
    CaplenOverSnaplen {
        caplen: u32,
        snaplen: u32,
        interface: Option<u32>,
    },
    CaplenOverOrigLen {
        caplen: u32,
        orig_len: u32,
    },
    /// The file ends inside a pcapng block header.
    BlockHeaderCut {
        left: u64,
    },
    /// A section header block whose byte-order magic is neither order of 1a2b3c4d.
    UnknownByteOrder {
        magic: u32,
    },
    /// A pcapng block length below 12, not a multiple of 4, or above `max`.
    BlockLenAbsurd {
        len: u32,
        max: u32,
    },
    /// The file ends inside a block.
    BlockCut {
        len: u32,
        left: u64,
    },
    /// The length at the end of a block differs from the one at its start.
    BlockLenMismatch {
        len: u32,
        trailer: u32,
    },
    /// An obsolete packet block too short for its fixed fields.
    PacketBlockShort {
        len: u32,
    },
    /// A block whose contents did not parse; `ends_early`: they end before their fields do.
    BlockUnparsable {
        block: BlockKind,
        block_type: u32,
        ends_early: bool,
    },
    /// An interface with an impossible `if_tsresol`.
    BadTsresol {
        interface: u32,
        tsresol: u8,
    },
    /// A simple packet block before any interface was described.
    SimplePacketNoInterface,
    /// A packet naming an interface the section never described.
    UnknownInterface {
        interface: u32,
        described: u32,
    },
    /// A captured length larger than the block holding the packet.
    CaplenOverBlock {
        caplen: u32,
        room: u32,
    },
    /// A link-layer type this reader does not decode (reported once per type).
    UnknownLinkType {
        link_type: u16,
    },
    /// A header that could not be decoded. `min_len`: the header needs that many bytes;
    /// `error`: the header decoder's own (English) words, for the curious.
    Undecodable {
        layer: Layer,
        min_len: Option<u32>,
        error: Option<String>,
    },
    /// An IPv4 total length (`version` 4) or IPv6 header + payload length (`version` 6) of
    /// `claimed` bytes in a packet that had only `on_wire` bytes from the IP header on: the
    /// packet is read with `on_wire`, as Wireshark does.
    IpLengthBeyondPacket {
        version: u8,
        claimed: u32,
        on_wire: u32,
    },
    /// A file compressed in a format this reader does not open.
    UnsupportedCompression {
        compression: Compression,
    },
    /// A gzip file that ends before its compressed data does; `decompressed` bytes came out.
    GzipCut {
        decompressed: u64,
    },
    /// A gzip file whose compressed data is damaged after `decompressed` bytes; `error`: the
    /// decompressor's own (English) words.
    GzipCorrupt {
        decompressed: u64,
        error: String,
    },
    /// A gzip file that decompresses to more than `limit` bytes; the first `limit` are read.
    GzipTooLarge {
        limit: u64,
    },
}

impl Detail {
    pub fn kind(&self) -> ProblemKind {
        use Detail::*;
        match self {
            FileTooShort { len: 0 } => ProblemKind::Truncated,
            FileTooShort { .. } | UnknownMagic { .. } | ModifiedPcap | UnknownByteOrder { .. } => {
                ProblemKind::BadMagic
            }
            PcapHeaderCut { .. }
            | RecordHeaderCut { .. }
            | PacketCut { .. }
            | BlockHeaderCut { .. }
            | BlockCut { .. } => ProblemKind::Truncated,
            CaplenAbsurd { .. } | BlockLenAbsurd { .. } | CaplenOverBlock { .. } => {
                ProblemKind::AbsurdLength
            }
            CaplenOverSnaplen { .. } => ProblemKind::CaplenOverSnaplen,
            CaplenOverOrigLen { .. } => ProblemKind::CaplenOverOrigLen,
            RecordUnparsable
            | BlockLenMismatch { .. }
            | PacketBlockShort { .. }
            | BlockUnparsable { .. }
            | BadTsresol { .. } => ProblemKind::MalformedBlock,
            SimplePacketNoInterface | UnknownInterface { .. } => ProblemKind::UnknownInterface,
            UnknownLinkType { .. } => ProblemKind::UnknownLinkType,
            Undecodable { .. } => ProblemKind::UndecodablePacket,
            IpLengthBeyondPacket { .. } => ProblemKind::BadIpLength,
            UnsupportedCompression { .. } => ProblemKind::BadMagic,
            GzipCut { .. } => ProblemKind::Truncated,
            GzipCorrupt { .. } => ProblemKind::BadCompression,
            GzipTooLarge { .. } => ProblemKind::AbsurdLength,
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Ethernet => "Ethernet",
            Layer::Loopback => "loopback",
            Layer::Sll => "Linux cooked",
            Layer::Sll2 => "Linux cooked v2",
            Layer::Ip => "IP",
            Layer::Tcp => "TCP",
            Layer::Udp => "UDP",
        })
    }
}

/// The English sentence of `Problem::message` (native tools; the web app words `Detail` itself).
impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Detail::*;
        match self {
            FileTooShort { len } => write!(
                f,
                "the file is {len} bytes long: too short to be a pcap or pcapng capture"
            ),
            UnknownMagic { first_bytes: b } => write!(
                f,
                "not a pcap or pcapng file: it starts with the bytes {:02x} {:02x} {:02x} {:02x} \
                 (pcap starts with a1b2c3d4 or d4c3b2a1, pcapng with 0a0d0d0a)",
                b[0], b[1], b[2], b[3]
            ),
            ModifiedPcap => f.write_str(
                "this is a \"modified\" (Kuznetzov) pcap file, which is not supported; \
                 save it as pcap or pcapng first",
            ),
            PcapHeaderCut { len } => write!(
                f,
                "the file ends inside the 24-byte pcap file header (it has {len} bytes)"
            ),
            RecordHeaderCut { left } => write!(
                f,
                "the file ends inside this packet's 16-byte record header ({left} bytes left)"
            ),
            CaplenAbsurd { caplen, max } => write!(
                f,
                "captured length {caplen} is larger than any real packet ({max}); \
                 the record header is corrupt, so reading stops here"
            ),
            PacketCut { caplen, left } => write!(
                f,
                "the file ends inside this packet: captured length {caplen}, only {left} bytes left"
            ),
            RecordUnparsable => f.write_str("this packet record could not be parsed"),
            CaplenOverSnaplen {
                caplen,
                snaplen,
                interface: None,
            } => write!(
                f,
                "captured length {caplen} is larger than the file's snapshot length {snaplen}; \
                 the packet is read anyway"
            ),
            CaplenOverSnaplen {
                caplen,
                snaplen,
                interface: Some(i),
            } => write!(
                f,
                "captured length {caplen} is larger than interface {i}'s snapshot length \
                 {snaplen}; the packet is read anyway"
            ),
            CaplenOverOrigLen { caplen, orig_len } => write!(
                f,
                "captured length {caplen} is larger than the packet's original length \
                 {orig_len}; all captured bytes are read, and the frame counts as {orig_len} \
                 bytes, as in Wireshark"
            ),
            BlockHeaderCut { left } => {
                write!(f, "the file ends inside a block header ({left} bytes left)")
            }
            UnknownByteOrder { magic } => write!(
                f,
                "section header block with an unknown byte-order magic {magic:#010x} \
                 (expected 1a2b3c4d)"
            ),
            BlockLenAbsurd { len, max } => write!(
                f,
                "block length {len} is impossible (a block is at least 12 bytes, a multiple \
                 of 4, and at most {max}); reading stops here"
            ),
            BlockCut { len, left } => write!(
                f,
                "the file ends inside this block: its length is {len}, only {left} bytes left"
            ),
            BlockLenMismatch { len, trailer } => write!(
                f,
                "block length {len} at the start but {trailer} at the end; using {len}"
            ),
            PacketBlockShort { len } => write!(
                f,
                "packet block of {len} bytes is too short for its fixed fields; skipped"
            ),
            BlockUnparsable {
                block,
                block_type,
                ends_early,
            } => {
                let what = match block {
                    BlockKind::Packet => "packet block",
                    BlockKind::Interface => "interface description block",
                    BlockKind::Section => "section header block",
                    BlockKind::Other => "block",
                };
                let why = if *ends_early {
                    "its contents end early"
                } else {
                    "its fields are inconsistent"
                };
                write!(
                    f,
                    "{what} of type {block_type:#x} could not be parsed ({why}); skipped"
                )
            }
            BadTsresol { interface, tsresol } => write!(
                f,
                "interface {interface} has an impossible time resolution \
                 if_tsresol={tsresol:#x}; assuming microseconds"
            ),
            SimplePacketNoInterface => {
                f.write_str("simple packet block before any interface description; skipped")
            }
            UnknownInterface {
                interface,
                described,
            } => write!(
                f,
                "packet names interface {interface}, but this section describes only \
                 {described}; skipped"
            ),
            CaplenOverBlock { caplen, room } => write!(
                f,
                "captured length {caplen} is larger than the block that holds it ({room} \
                 bytes); skipped"
            ),
            UnknownLinkType { link_type } => write!(
                f,
                "link-layer type {link_type} is not supported (supported: Ethernet, Linux \
                 cooked SLL/SLL2, raw IPv4/IPv6, BSD loopback); every packet of this type is \
                 skipped"
            ),
            Undecodable {
                layer,
                min_len,
                error,
            } => {
                write!(f, "could not decode the packet: {layer} header")?;
                if let Some(n) = min_len {
                    write!(f, " shorter than {n} bytes")?;
                }
                if let Some(e) = error {
                    write!(f, ": {e}")?;
                }
                f.write_str("; skipped")
            }
            IpLengthBeyondPacket {
                version,
                claimed,
                on_wire,
            } => {
                let field = if *version == 4 {
                    "IPv4 total length"
                } else {
                    "IPv6 length (header + payload)"
                };
                write!(
                    f,
                    "{field} {claimed} is larger than the packet, which has {on_wire} bytes \
                     from its IP header on; the packet is read with {on_wire}"
                )
            }
            UnsupportedCompression { compression } => write!(
                f,
                "this file is {} compressed, which this reader does not open; decompress it \
                 first (pcap, pcapng and gzip-compressed pcap or pcapng are read)",
                compression.name()
            ),
            GzipCut { decompressed } => write!(
                f,
                "the gzip-compressed file ends early: it was cut short after {decompressed} \
                 decompressed bytes; everything before is read"
            ),
            GzipCorrupt {
                decompressed,
                error,
            } => write!(
                f,
                "the gzip-compressed data is damaged after {decompressed} decompressed bytes \
                 ({error}); everything before is read"
            ),
            GzipTooLarge { limit } => write!(
                f,
                "the gzip-compressed file decompresses to more than {limit} bytes; only the \
                 first {limit} are read"
            ),
        }
    }
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

impl Detail {
    /// One of each kind of detail, with made-up values: for viewers' tests that every kind is
    /// worded (keep it complete when adding a variant).
    pub fn examples() -> Vec<Detail> {
        use Detail::*;
        let mut v = vec![
            FileTooShort { len: 3 },
            UnknownMagic {
                first_bytes: *b"GIF8",
            },
            ModifiedPcap,
            PcapHeaderCut { len: 10 },
            RecordHeaderCut { left: 7 },
            CaplenAbsurd {
                caplen: 999_999,
                max: 262_144,
            },
            PacketCut {
                caplen: 1514,
                left: 100,
            },
            RecordUnparsable,
            CaplenOverSnaplen {
                caplen: 1514,
                snaplen: 96,
                interface: None,
            },
            CaplenOverSnaplen {
                caplen: 1514,
                snaplen: 96,
                interface: Some(2),
            },
            CaplenOverOrigLen {
                caplen: 80,
                orig_len: 60,
            },
            BlockHeaderCut { left: 5 },
            UnknownByteOrder { magic: 0xdead_beef },
            BlockLenAbsurd {
                len: 0x7fff_fff0,
                max: 16 * 1024 * 1024 + 1024,
            },
            BlockCut { len: 128, left: 64 },
            BlockLenMismatch {
                len: 128,
                trailer: 132,
            },
            PacketBlockShort { len: 24 },
            BadTsresol {
                interface: 1,
                tsresol: 0xc0,
            },
            SimplePacketNoInterface,
            UnknownInterface {
                interface: 3,
                described: 1,
            },
            CaplenOverBlock {
                caplen: 2000,
                room: 1500,
            },
            UnknownLinkType { link_type: 147 },
            Undecodable {
                layer: Layer::Sll,
                min_len: Some(16),
                error: None,
            },
            Undecodable {
                layer: Layer::Tcp,
                min_len: None,
                error: Some("data offset too small".into()),
            },
            IpLengthBeyondPacket {
                version: 4,
                claimed: 1500,
                on_wire: 45,
            },
            IpLengthBeyondPacket {
                version: 6,
                claimed: 1500,
                on_wire: 65,
            },
            UnsupportedCompression {
                compression: Compression::Zstd,
            },
            GzipCut { decompressed: 4096 },
            GzipCorrupt {
                decompressed: 4096,
                error: "corrupt deflate stream".into(),
            },
            GzipTooLarge { limit: 1 << 30 },
        ];
        for block in [
            BlockKind::Packet,
            BlockKind::Interface,
            BlockKind::Section,
            BlockKind::Other,
        ] {
            v.push(BlockUnparsable {
                block,
                block_type: 6,
                ends_early: block == BlockKind::Packet,
            });
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_data_with_an_english_sentence() {
        let p = Problem::new(
            Severity::Warning,
            Location::Packet {
                number: 17,
                offset: 4096,
            },
            Detail::CaplenOverSnaplen {
                caplen: 70_000,
                snaplen: 65_535,
                interface: None,
            },
        );
        assert_eq!(p.kind, ProblemKind::CaplenOverSnaplen);
        assert_eq!(
            p.to_string(),
            "warning: packet 17 (byte offset 4096): captured length 70000 is larger than the \
             file's snapshot length 65535; the packet is read anyway"
        );
        let v: serde_json::Value = serde_json::to_value(&p).unwrap();
        assert_eq!(v["at"], "packet");
        assert_eq!(v["number"], 17);
        assert_eq!(v["detail"]["what"], "caplen_over_snaplen");
        assert_eq!(v["detail"]["caplen"], 70_000);
        assert_eq!(v["detail"]["snaplen"], 65_535);
    }

    #[test]
    fn every_example_has_a_kind_a_tag_and_a_sentence() {
        let mut tags = std::collections::BTreeSet::new();
        for d in Detail::examples() {
            let v = serde_json::to_value(&d).unwrap();
            tags.insert(v["what"].as_str().unwrap().to_string());
            let text = d.to_string();
            assert!(text.len() > 20 && !text.contains('{'), "{text}");
            let _ = d.kind();
        }
        // 28 distinct kinds of detail (some appear twice above with other values).
        assert_eq!(tags.len(), 28, "{tags:?}");
    }
}
