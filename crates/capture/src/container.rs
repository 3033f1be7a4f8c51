//! The file container: classic pcap and pcapng, walked record by record.
//!
//! `pcap-parser` parses the headers, records and blocks; this module decides how far each one
//! reaches *before* handing it over, so that a bad length is reported with its packet or block
//! number and everything before it is kept. Formats:
//! - classic pcap: <https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html>
//!   (both byte orders, microsecond `0xA1B2C3D4` and nanosecond `0xA1B23C4D` magics);
//! - pcapng: <https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html>
//!   (several sections, each with its own byte order and interfaces; per-interface
//!   `if_tsresol` and `if_tsoffset`; Enhanced, Simple and the obsolete Packet Block).

use pcap_parser::pcap::{parse_pcap_frame, parse_pcap_frame_be, parse_pcap_header};
use pcap_parser::pcapng::{parse_block_be, parse_block_le, Block};
use pcap_parser::PcapNGOption;

use crate::problem::{BlockKind, Detail, Location, Problem, Severity};

/// A link-layer header type (the LINKTYPE_ registry values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct LinkType(pub u16);

/// One captured packet as the container holds it: bytes from the link layer on.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// 1-based, counting every packet record/block in file order (Wireshark's frame number).
    pub number: u64,
    /// Nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    pub link: LinkType,
    /// The captured bytes (usually no more than `orig_len`, possibly fewer).
    pub data: &'a [u8],
    /// Length of the packet on the wire, as the record says, even where it is smaller than
    /// the captured length: Wireshark keeps it as `frame.len` (flagging "Frame length is less
    /// than captured length") and counts it in its conversation table, so we do too.
    pub orig_len: u32,
    /// Byte offset of its record or block in the file.
    pub offset: u64,
}

pub use crate::protocol::Format;

pub use crate::problem::Compression;

impl Compression {
    /// The compression whose magic number `data` starts with, if any (RFC 1952 §2.3.1 for
    /// gzip; the zstd, xz, bzip2, LZ4 frame and zip formats' own magic numbers).
    pub fn of(data: &[u8]) -> Option<Compression> {
        let starts = |m: &[u8]| data.starts_with(m);
        if starts(&[0x1F, 0x8B]) {
            Some(Compression::Gzip)
        } else if starts(&[0x28, 0xB5, 0x2F, 0xFD]) {
            Some(Compression::Zstd)
        } else if starts(&[0xFD, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Compression::Xz)
        } else if starts(b"BZh") {
            Some(Compression::Bzip2)
        } else if starts(&[0x04, 0x22, 0x4D, 0x18]) {
            Some(Compression::Lz4)
        } else if starts(b"PK\x03\x04") {
            Some(Compression::Zip)
        } else {
            None
        }
    }
}

/// The most a gzip-compressed capture may decompress to: the whole decompressed file is held
/// in memory (in the browser, in the worker's wasm memory, at most 4 GiB), so a small file
/// that inflates without end must stop somewhere.
pub const MAX_DECOMPRESSED: u64 = 1 << 30;

/// Decompresses a gzip file (every member of it, as gzip(1) and Wireshark do), up to `limit`
/// bytes. Returns what came out and, if it could not all come out, why.
pub fn gunzip(data: &[u8], limit: u64) -> (Vec<u8>, Option<Detail>) {
    use std::io::{ErrorKind, Read};
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(data);
    // One byte more than the limit tells "exactly the limit" from "more than the limit".
    let result = decoder.take(limit.saturating_add(1)).read_to_end(&mut out);
    let problem = match result {
        Ok(_) if out.len() as u64 > limit => {
            out.truncate(limit as usize);
            Some(Detail::GzipTooLarge { limit })
        }
        Ok(_) => None,
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Some(Detail::GzipCut {
            decompressed: out.len() as u64,
        }),
        Err(e) => Some(Detail::GzipCorrupt {
            decompressed: out.len() as u64,
            error: e.to_string(),
        }),
    };
    (out, problem)
}

/// Largest packet we believe a record can hold. Wireshark uses the same bound for most link
/// types (WTAP_MAX_PACKET_SIZE_STANDARD); anything larger means the record header is garbage.
pub const MAX_PACKET_LEN: u32 = 262_144;
/// Largest pcapng block we accept (Wireshark's MAX_BLOCK_SIZE is of this order). A larger
/// length field is taken as corruption rather than an instruction to skip megabytes.
pub const MAX_BLOCK_LEN: u32 = 16 * 1024 * 1024 + 1024;

const PCAPNG_SHB: u32 = 0x0A0D_0D0A;
const PCAPNG_BOM: u32 = 0x1A2B_3C4D;
const PCAPNG_OBSOLETE_PB: u32 = 0x0000_0002;

/// Collects problems, keeping at most a bounded number of warnings (a 100,000-packet file with
/// one bad field in every packet must not produce 100,000 messages).
#[derive(Debug, Default)]
pub struct Problems {
    pub list: Vec<Problem>,
    /// Warnings not listed because the list was full.
    pub suppressed: u64,
}

impl Problems {
    pub const MAX_LISTED: usize = 200;

    pub fn push(&mut self, severity: Severity, location: Location, detail: Detail) {
        if severity == Severity::Fatal || self.list.len() < Self::MAX_LISTED {
            self.list.push(Problem::new(severity, location, detail));
        } else {
            self.suppressed += 1;
        }
    }
}

/// Walks every readable frame of `data`, calling `on_frame` for each, and returns the container
/// format (if the magic was recognised). Problems go into `problems`; this never panics.
/// `data` is the file as pcap or pcapng: a compressed file is decompressed by the caller
/// ([`crate::read`] does it for gzip).
pub fn read_frames(
    data: &[u8],
    problems: &mut Problems,
    mut on_frame: impl FnMut(Frame<'_>),
) -> Option<Format> {
    match start(data, problems) {
        Start::Pcap(mut walker, header_len) => {
            walker.walk(
                &data[header_len..],
                header_len as u64,
                false,
                problems,
                &mut on_frame,
            );
            Some(walker.format())
        }
        Start::PcapNg(mut walker) => {
            walker.walk(data, 0, false, problems, &mut on_frame);
            Some(Format::PcapNg)
        }
        Start::Done(format) => format,
    }
}

/// Bytes read from a stream at a time by [`read_frames_from`]: big enough that the walk, not the
/// refill, is what costs; small next to the packets a file of this size yields.
pub const CHUNK: usize = 4 << 20;

/// [`read_frames`] on a stream, holding at most about one `chunk` of it ([`CHUNK`] is ours;
/// plus one record or block that reaches past it): a 200 MB file need not be in memory to be read. Frames,
/// problems and their offsets are the same as with the whole file in memory (a test reads
/// every file of the corpus both ways). Returns the format and how many bytes were read.
/// `data` is the file as pcap or pcapng; compressed files go through [`read_frames`].
pub fn read_frames_from(
    src: &mut dyn std::io::Read,
    chunk: usize,
    problems: &mut Problems,
    on_frame: &mut dyn FnMut(Frame<'_>),
) -> std::io::Result<(Option<Format>, u64)> {
    let mut buf = Vec::new();
    // The first read holds a whole file header at least, whatever the chunk.
    let mut eof = fill(&mut buf, src, chunk.max(PCAP_HEADER_LEN))?;
    if eof {
        // The whole file fits one chunk: read it as it is.
        let format = read_frames(&buf, problems, on_frame);
        return Ok((format, buf.len() as u64));
    }
    // At least one chunk is there, so `start` sees a whole file header.
    let (mut walker, mut base): (Box<dyn Walk>, usize) = match start(&buf, problems) {
        Start::Pcap(w, header_len) => (Box::new(w), header_len),
        Start::PcapNg(w) => (Box::new(w), 0),
        Start::Done(format) => return Ok((format, buf.len() as u64)),
    };
    buf.drain(..base);
    loop {
        let (used, stop) = walker.walk(&buf, base as u64, !eof, problems, on_frame);
        base += used;
        if stop || eof {
            return Ok((Some(walker.format()), (base + buf.len() - used) as u64));
        }
        buf.drain(..used);
        eof = fill(&mut buf, src, chunk)?;
    }
}

/// Appends up to `chunk` bytes of `src` to `buf`; true when `src` has ended.
fn fill(buf: &mut Vec<u8>, src: &mut dyn std::io::Read, chunk: usize) -> std::io::Result<bool> {
    let n = std::io::Read::read_to_end(&mut std::io::Read::take(src, chunk as u64), buf)?;
    Ok(n < chunk)
}

/// How a file starts: the walker for its records or blocks, or what was said about it.
enum Start {
    /// Classic pcap, and its header's length (24 bytes).
    Pcap(PcapWalk, usize),
    PcapNg(PcapNgWalk),
    /// Not a container we read (the problem says why), or its header is cut short.
    Done(Option<Format>),
}

fn start(data: &[u8], problems: &mut Problems) -> Start {
    if data.len() < 4 {
        problems.push(
            Severity::Fatal,
            Location::File,
            Detail::FileTooShort {
                len: data.len() as u64,
            },
        );
        return Start::Done(None);
    }
    let magic = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    match magic {
        0xA1B2_C3D4 | 0xD4C3_B2A1 | 0xA1B2_3C4D | 0x4D3C_B2A1 => {
            match pcap_header(data, problems) {
                Ok(walker) => Start::Pcap(walker, PCAP_HEADER_LEN),
                Err(format) => Start::Done(Some(format)),
            }
        }
        PCAPNG_SHB => Start::PcapNg(PcapNgWalk::default()),
        0xA1B2_CD34 | 0x34CD_B2A1 => {
            problems.push(Severity::Fatal, Location::File, Detail::ModifiedPcap);
            Start::Done(None)
        }
        _ => {
            // gzip is decompressed before this point (`crate::read`); other compressions are
            // named, so that the message says what to do.
            let detail = match Compression::of(data) {
                Some(compression) => Detail::UnsupportedCompression { compression },
                None => Detail::UnknownMagic {
                    first_bytes: [data[0], data[1], data[2], data[3]],
                },
            };
            problems.push(Severity::Fatal, Location::File, detail);
            Start::Done(None)
        }
    }
}

/// Walks the records or blocks at the start of `data`, whose first byte is at `base` in the
/// file. With `more` (the file goes on after `data`), a record or block cut by the end of
/// `data` is left for the next call instead of reported. Returns the bytes walked (whole
/// records or blocks) and whether reading must stop (a fatal problem).
trait Walk {
    fn walk(
        &mut self,
        data: &[u8],
        base: u64,
        more: bool,
        problems: &mut Problems,
        on_frame: &mut dyn FnMut(Frame<'_>),
    ) -> (usize, bool);
    fn format(&self) -> Format;
}

const PCAP_HEADER_LEN: usize = 24;

/// Classic pcap after its header: what the header said, and the records walked so far.
struct PcapWalk {
    format: Format,
    big_endian: bool,
    link: LinkType,
    snaplen: u32,
    frac_ns: i64,
    number: u64,
}

/// Reads the 24-byte header; a header cut short is a fatal problem (`Err` with the format the
/// magic named).
fn pcap_header(data: &[u8], problems: &mut Problems) -> Result<PcapWalk, Format> {
    let header = match parse_pcap_header(data) {
        Ok((_, header)) => header,
        Err(_) => {
            // The magic matched, so the only way the 24-byte header fails is being cut short.
            problems.push(
                Severity::Fatal,
                Location::File,
                Detail::PcapHeaderCut {
                    len: data.len() as u64,
                },
            );
            let big_endian = data[0] == 0xA1;
            return Err(Format::PcapMicros { big_endian });
        }
    };
    let big_endian = header.is_bigendian();
    let nanos = header.is_nanosecond_precision();
    Ok(PcapWalk {
        format: if nanos {
            Format::PcapNanos { big_endian }
        } else {
            Format::PcapMicros { big_endian }
        },
        big_endian,
        // The low 16 bits are the link type; the upper bits may carry FCS information.
        link: LinkType((header.network.0 as u32 & 0xFFFF) as u16),
        snaplen: header.snaplen,
        frac_ns: if nanos { 1 } else { 1_000 },
        number: 0,
    })
}

impl Walk for PcapWalk {
    fn format(&self) -> Format {
        self.format
    }

    fn walk(
        &mut self,
        data: &[u8],
        base: u64,
        more: bool,
        problems: &mut Problems,
        on_frame: &mut dyn FnMut(Frame<'_>),
    ) -> (usize, bool) {
        let big_endian = self.big_endian;
        let mut rest = data;
        while !rest.is_empty() {
            let number = self.number + 1;
            let walked = data.len() - rest.len();
            let offset = base + walked as u64;
            let loc = Location::Packet { number, offset };
            if rest.len() < 16 {
                let left = rest.len() as u64;
                return cut_short(
                    walked,
                    more,
                    problems,
                    loc,
                    Detail::RecordHeaderCut { left },
                );
            }
            let caplen = u32_at(rest, 8, big_endian);
            let orig_len = u32_at(rest, 12, big_endian);
            if caplen > MAX_PACKET_LEN {
                let max = MAX_PACKET_LEN;
                return fatal(walked, problems, loc, Detail::CaplenAbsurd { caplen, max });
            }
            if caplen as usize > rest.len() - 16 {
                let left = (rest.len() - 16) as u64;
                return cut_short(
                    walked,
                    more,
                    problems,
                    loc,
                    Detail::PacketCut { caplen, left },
                );
            }
            self.number = number;
            let parsed = if big_endian {
                parse_pcap_frame_be(rest)
            } else {
                parse_pcap_frame(rest)
            };
            let (next, rec) = match parsed {
                Ok(x) => x,
                // Cannot happen after the length checks above; stop rather than loop.
                Err(_) => return fatal(walked, problems, loc, Detail::RecordUnparsable),
            };
            check_caplen(problems, loc, caplen, orig_len, self.snaplen, None);
            let frac = rec.ts_usec as i64;
            on_frame(Frame {
                number,
                ts_ns: rec.ts_sec as i64 * 1_000_000_000 + frac * self.frac_ns,
                link: self.link,
                data: rec.data,
                orig_len,
                offset,
            });
            rest = next;
        }
        (data.len(), false)
    }
}

/// What pcapng tells us about one interface (per section).
#[derive(Clone, Copy, Debug)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    /// Timestamp units: `units_per_sec` ticks per second.
    units_per_sec: u64,
    /// `if_tsoffset`, seconds added to every timestamp.
    offset_s: i64,
}

/// `if_tsresol` (pcapng §4.2): high bit clear = 10^-n seconds, set = 2^-n seconds.
fn units_per_sec(tsresol: u8) -> Option<u64> {
    let n = (tsresol & 0x7F) as u32;
    if tsresol & 0x80 == 0 {
        10u64.checked_pow(n)
    } else {
        1u64.checked_shl(n).filter(|_| n < 64)
    }
}

/// The latest timestamp we keep: 2^62 ns after 1970, early in the year 2116. pcapng's 64-bit
/// tick counts, any resolution and `if_tsoffset` can say anything; a timestamp is clamped to
/// `0..=MAX_TS_NS` so that sums and differences of two timestamps (delays, durations, the
/// ladder's send and arrival times) can never overflow an `i64` downstream.
pub const MAX_TS_NS: i64 = 1 << 62;

fn ts_to_ns(ticks: u64, units: u64, offset_s: i64) -> i64 {
    let ns = (ticks as u128 * 1_000_000_000u128) / units.max(1) as u128;
    (ns.min(i64::MAX as u128) as i64)
        .saturating_add(offset_s.saturating_mul(1_000_000_000))
        .clamp(0, MAX_TS_NS)
}

/// pcapng: the section's byte order and interfaces, and the blocks and packets walked so far.
#[derive(Default)]
struct PcapNgWalk {
    big_endian: bool,
    interfaces: Vec<Interface>,
    block_no: u64,
    packet_no: u64,
    last_ts: i64,
}

impl Walk for PcapNgWalk {
    fn format(&self) -> Format {
        Format::PcapNg
    }

    fn walk(
        &mut self,
        data: &[u8],
        base: u64,
        more: bool,
        problems: &mut Problems,
        on_frame: &mut dyn FnMut(Frame<'_>),
    ) -> (usize, bool) {
        walk_pcapng(self, data, base, more, problems, on_frame)
    }
}

fn walk_pcapng(
    st: &mut PcapNgWalk,
    data: &[u8],
    base: u64,
    more: bool,
    problems: &mut Problems,
    on_frame: &mut dyn FnMut(Frame<'_>),
) -> (usize, bool) {
    let PcapNgWalk {
        big_endian,
        interfaces,
        block_no: blocks,
        packet_no,
        last_ts,
    } = st;
    let mut pos = 0usize;
    let word = |be: bool, at: usize| u32_at(data, at, be);

    while pos < data.len() {
        let block_no = *blocks + 1;
        let loc = Location::Block {
            number: block_no,
            offset: base + pos as u64,
        };
        let left = data.len() - pos;
        if left < 12 {
            let left = left as u64;
            return cut_short(pos, more, problems, loc, Detail::BlockHeaderCut { left });
        }
        let raw_type = word(false, pos);
        if raw_type == PCAPNG_SHB {
            // A new section: its byte-order magic sets the byte order of everything in it.
            match word(false, pos + 8) {
                PCAPNG_BOM => *big_endian = false,
                x if x.swap_bytes() == PCAPNG_BOM => *big_endian = true,
                magic => return fatal(pos, problems, loc, Detail::UnknownByteOrder { magic }),
            }
            interfaces.clear();
        }
        let block_type = word(*big_endian, pos);
        let len = word(*big_endian, pos + 4);
        if len < 12 || len % 4 != 0 || len > MAX_BLOCK_LEN {
            let max = MAX_BLOCK_LEN;
            return fatal(pos, problems, loc, Detail::BlockLenAbsurd { len, max });
        }
        if len as usize > left {
            let left = left as u64;
            return cut_short(pos, more, problems, loc, Detail::BlockCut { len, left });
        }
        *blocks = block_no;
        let block = &data[pos..pos + len as usize];
        pos += len as usize;
        let trailer = word(*big_endian, pos - 4);
        if trailer != len {
            problems.push(
                Severity::Warning,
                loc,
                Detail::BlockLenMismatch { len, trailer },
            );
        }

        if block_type == PCAPNG_OBSOLETE_PB {
            // Obsolete Packet Block (pcapng appendix): like an EPB with a 16-bit interface id
            // and a drops count. pcap-parser does not know it, so read its fixed part here.
            let ploc = next_packet(packet_no, loc);
            if block.len() < 32 {
                problems.push(Severity::Warning, ploc, Detail::PacketBlockShort { len });
                continue;
            }
            let if_field = word(*big_endian, pos - len as usize + 8);
            let if_id = if *big_endian {
                if_field >> 16
            } else {
                if_field & 0xFFFF
            };
            let ts_high = word(*big_endian, pos - len as usize + 12);
            let ts_low = word(*big_endian, pos - len as usize + 16);
            let caplen = word(*big_endian, pos - len as usize + 20);
            let orig = word(*big_endian, pos - len as usize + 24);
            let body = &block[28..block.len() - 4];
            emit_packet(
                interfaces,
                if_id,
                ((ts_high as u64) << 32) | ts_low as u64,
                caplen,
                orig,
                body,
                ploc,
                *packet_no,
                last_ts,
                problems,
                on_frame,
            );
            continue;
        }

        let parsed = if *big_endian {
            parse_block_be(block)
        } else {
            parse_block_le(block)
        };
        let parsed = match parsed {
            Ok((_, b)) => b,
            Err(e) => {
                let (block, at) = match block_type {
                    0x0000_0006 | 0x0000_0003 => (BlockKind::Packet, next_packet(packet_no, loc)),
                    0x0000_0001 => (BlockKind::Interface, loc),
                    PCAPNG_SHB => (BlockKind::Section, loc),
                    _ => (BlockKind::Other, loc),
                };
                problems.push(
                    Severity::Warning,
                    at,
                    Detail::BlockUnparsable {
                        block,
                        block_type,
                        ends_early: matches!(e, pcap_parser::nom::Err::Incomplete(_)),
                    },
                );
                if block_type == 0x0000_0001 {
                    // Keep interface numbering aligned: later packets name interfaces by index.
                    interfaces.push(Interface {
                        link: LinkType(u16::MAX),
                        snaplen: 0,
                        units_per_sec: 1_000_000,
                        offset_s: 0,
                    });
                }
                continue;
            }
        };
        match parsed {
            Block::SectionHeader(_) => {}
            Block::InterfaceDescription(idb) => {
                let (tsresol, tsoffset) = if_ts_options(&idb.options, *big_endian);
                let units = match units_per_sec(tsresol) {
                    Some(u) if u > 0 => u,
                    _ => {
                        problems.push(
                            Severity::Warning,
                            loc,
                            Detail::BadTsresol {
                                interface: interfaces.len() as u32,
                                tsresol,
                            },
                        );
                        1_000_000
                    }
                };
                interfaces.push(Interface {
                    link: LinkType(idb.linktype.0 as u16),
                    snaplen: idb.snaplen,
                    units_per_sec: units,
                    offset_s: tsoffset,
                });
            }
            Block::EnhancedPacket(epb) => {
                let ploc = next_packet(packet_no, loc);
                emit_packet(
                    interfaces,
                    epb.if_id,
                    ((epb.ts_high as u64) << 32) | epb.ts_low as u64,
                    epb.caplen,
                    epb.origlen,
                    epb.data,
                    ploc,
                    *packet_no,
                    last_ts,
                    problems,
                    on_frame,
                );
            }
            Block::SimplePacket(spb) => {
                let ploc = next_packet(packet_no, loc);
                // SPB: interface 0, no timestamp (we reuse the previous one), captured length
                // = min(original length, snaplen, what the block holds).
                let Some(iface) = interfaces.first().copied() else {
                    problems.push(Severity::Warning, ploc, Detail::SimplePacketNoInterface);
                    continue;
                };
                let mut caplen = spb.origlen.min(spb.data.len() as u32);
                if iface.snaplen != 0 {
                    caplen = caplen.min(iface.snaplen);
                }
                on_frame(Frame {
                    number: *packet_no,
                    ts_ns: *last_ts,
                    link: iface.link,
                    data: &spb.data[..caplen as usize],
                    orig_len: spb.origlen,
                    offset: loc_offset(loc),
                });
            }
            // Name resolution, statistics, secrets, custom and unknown blocks carry no packets;
            // pcapng §3.1 says readers skip blocks they do not use.
            _ => {}
        }
    }
    (pos, false)
}

// The reading helpers both walkers share.

/// A 32-bit field at `at`, in the byte order of the file (pcap) or section (pcapng).
fn u32_at(data: &[u8], at: usize, big_endian: bool) -> u32 {
    let a = [data[at], data[at + 1], data[at + 2], data[at + 3]];
    if big_endian {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

/// A problem that stops reading at `walked` bytes: what [`Walk::walk`] returns then.
fn fatal(walked: usize, problems: &mut Problems, loc: Location, detail: Detail) -> (usize, bool) {
    problems.push(Severity::Fatal, loc, detail);
    (walked, true)
}

/// A record or block cut by the end of the data at `walked`: left for the next call when the
/// file goes on (`more`), a fatal problem at the file's real end.
fn cut_short(
    walked: usize,
    more: bool,
    problems: &mut Problems,
    loc: Location,
    detail: Detail,
) -> (usize, bool) {
    if more {
        return (walked, false);
    }
    fatal(walked, problems, loc, detail)
}

/// Captured lengths that are odd but readable: over the snapshot length of the file (pcap,
/// `interface` None) or of the packet's interface (pcapng), or over the original length.
fn check_caplen(
    problems: &mut Problems,
    loc: Location,
    caplen: u32,
    orig_len: u32,
    snaplen: u32,
    interface: Option<u32>,
) {
    if snaplen != 0 && caplen > snaplen {
        let detail = Detail::CaplenOverSnaplen {
            caplen,
            snaplen,
            interface,
        };
        problems.push(Severity::Warning, loc, detail);
    }
    if caplen > orig_len {
        let detail = Detail::CaplenOverOrigLen { caplen, orig_len };
        problems.push(Severity::Warning, loc, detail);
    }
}

/// Counts the next packet of a pcapng file, found in the block at `block`.
fn next_packet(packet_no: &mut u64, block: Location) -> Location {
    *packet_no += 1;
    Location::Packet {
        number: *packet_no,
        offset: loc_offset(block),
    }
}

fn loc_offset(loc: Location) -> u64 {
    match loc {
        Location::Block { offset, .. } | Location::Packet { offset, .. } => offset,
        Location::File => 0,
    }
}

#[allow(clippy::too_many_arguments)]
fn emit_packet(
    interfaces: &[Interface],
    if_id: u32,
    ticks: u64,
    caplen: u32,
    orig_len: u32,
    body: &[u8],
    loc: Location,
    number: u64,
    last_ts: &mut i64,
    problems: &mut Problems,
    on_frame: &mut dyn FnMut(Frame<'_>),
) {
    let Some(iface) = interfaces.get(if_id as usize).copied() else {
        problems.push(
            Severity::Warning,
            loc,
            Detail::UnknownInterface {
                interface: if_id,
                described: interfaces.len() as u32,
            },
        );
        return;
    };
    if caplen as usize > body.len() {
        problems.push(
            Severity::Warning,
            loc,
            Detail::CaplenOverBlock {
                caplen,
                room: body.len() as u32,
            },
        );
        return;
    }
    check_caplen(problems, loc, caplen, orig_len, iface.snaplen, Some(if_id));
    let ts_ns = ts_to_ns(ticks, iface.units_per_sec, iface.offset_s);
    *last_ts = ts_ns;
    on_frame(Frame {
        number,
        ts_ns,
        link: iface.link,
        data: &body[..caplen as usize],
        orig_len,
        offset: loc_offset(loc),
    });
}

/// Reads `if_tsresol` (code 9, one byte) and `if_tsoffset` (code 14, signed 64-bit seconds)
/// from an interface's options ourselves, so both byte orders are handled alike.
fn if_ts_options(options: &[PcapNGOption<'_>], big_endian: bool) -> (u8, i64) {
    let mut tsresol = 6u8;
    let mut tsoffset = 0i64;
    for opt in options {
        let v = opt.value();
        match opt.code.0 {
            9 if !v.is_empty() => tsresol = v[0],
            14 if v.len() >= 8 => {
                let a = [v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]];
                tsoffset = if big_endian {
                    i64::from_be_bytes(a)
                } else {
                    i64::from_le_bytes(a)
                };
            }
            _ => {}
        }
    }
    (tsresol, tsoffset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_decimal_and_binary() {
        assert_eq!(units_per_sec(6), Some(1_000_000));
        assert_eq!(units_per_sec(9), Some(1_000_000_000));
        assert_eq!(units_per_sec(0x80 | 10), Some(1024));
        assert_eq!(units_per_sec(0x80 | 64), None);
        assert_eq!(units_per_sec(20), None);
    }

    #[test]
    fn ticks_to_nanoseconds() {
        assert_eq!(ts_to_ns(1_500_000, 1_000_000, 0), 1_500_000_000);
        assert_eq!(ts_to_ns(3, 1024, 10), 10_000_000_000 + 2_929_687);
    }
}
