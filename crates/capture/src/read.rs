//! Reading a whole capture: the container, then each frame's headers, IP fragments put back
//! together, and every problem met on the way in file order.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;

use crate::container::{self, Format};
use crate::decode::{self, Packet};
use crate::problem::{Compression, Detail, Location, Problem, ProblemKind, Severity};
use crate::reassembly;

pub use crate::protocol::Skipped;

/// Everything read from one file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Capture {
    /// `None` when the magic number was not recognised.
    pub format: Option<Format>,
    /// How the file was compressed, if it was (the container was read after decompressing;
    /// problem offsets then count bytes of the decompressed file).
    pub compression: Option<Compression>,
    /// Packet records read from the container.
    pub frames: u64,
    /// The TCP and UDP packets among them, in file order.
    pub packets: Vec<Packet>,
    pub skipped: Skipped,
    /// Frames per link type.
    pub link_types: BTreeMap<u16, u64>,
    /// Problems met, in file order (at most [`container::Problems::MAX_LISTED`] warnings).
    pub problems: Vec<Problem>,
    /// Warnings left out of `problems` because there were too many.
    pub problems_suppressed: u64,
}

impl Capture {
    /// True if reading had to stop before the end of the file.
    pub fn stopped_early(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Fatal)
    }
}

/// Reads a whole capture held in memory.
pub fn read(data: &[u8]) -> Capture {
    read_with_progress(data, |_| {})
}

/// Like [`read`], calling `progress(bytes_done)` every few thousand frames (for a progress bar).
/// A gzip-compressed file is decompressed first (Wireshark opens those directly); its
/// progress is then counted in compressed bytes, in proportion.
pub fn read_with_progress(data: &[u8], mut progress: impl FnMut(u64)) -> Capture {
    if container::Compression::of(data) != Some(Compression::Gzip) {
        return read_container(&mut |p, f| in_memory(data, p, f), &mut progress);
    }
    let (inflated, problem) = container::gunzip(data, container::MAX_DECOMPRESSED);
    let scale = data.len() as f64 / inflated.len().max(1) as f64;
    let mut scaled = |done: u64| progress((done as f64 * scale) as u64);
    let mut cap = read_container(&mut |p, f| in_memory(&inflated, p, f), &mut scaled);
    cap.compression = Some(Compression::Gzip);
    if let Some(detail) = problem {
        // What came out is read. If the container then ends inside a record or block, that is
        // because decompression stopped: the gzip problem says why, in its place. If reading
        // stopped earlier for another reason, that one stays the fatal problem and the gzip
        // one is a warning; otherwise the gzip problem is what stopped reading.
        let container_fatal = cap
            .problems
            .iter()
            .position(|p| p.severity == Severity::Fatal);
        let severity = match container_fatal {
            Some(i) if cap.problems[i].kind == ProblemKind::Truncated => {
                cap.problems.remove(i);
                Severity::Fatal
            }
            Some(_) => Severity::Warning,
            None => Severity::Fatal,
        };
        cap.problems
            .insert(0, Problem::new(severity, Location::File, detail));
    }
    progress(data.len() as u64);
    cap
}

fn in_memory(
    data: &[u8],
    problems: &mut container::Problems,
    on_frame: &mut dyn FnMut(container::Frame<'_>),
) -> (Option<Format>, u64) {
    (
        container::read_frames(data, problems, on_frame),
        data.len() as u64,
    )
}

/// Reads a capture from a stream (a file, the worker's view of the page's buffer), holding
/// about [`container::CHUNK`] of it at a time instead of the whole file: what a 200 MB capture
/// costs is then its packets, not its bytes. `progress` gets the bytes read so far, now and
/// then. A gzip-compressed file is read whole and decompressed in memory as [`read`] does
/// (its problems carry offsets in the decompressed bytes, which only a whole copy gives).
pub fn read_from(src: &mut dyn Read, progress: impl FnMut(u64)) -> std::io::Result<Capture> {
    read_from_in_chunks(src, container::CHUNK, progress)
}

/// [`read_from`] with another chunk size: tests walk records cut at every byte with it.
#[doc(hidden)]
pub fn read_from_in_chunks(
    src: &mut dyn Read,
    chunk: usize,
    mut progress: impl FnMut(u64),
) -> std::io::Result<Capture> {
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < head.len() {
        match src.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    let mut src = head[..got].chain(src);
    if container::Compression::of(&head[..got]) == Some(Compression::Gzip) {
        let mut all = Vec::new();
        src.read_to_end(&mut all)?;
        return Ok(read_with_progress(&all, progress));
    }
    let mut failed = None;
    let cap = read_container(
        &mut |problems, on_frame| match container::read_frames_from(
            &mut src,
            chunk.max(1),
            problems,
            on_frame,
        ) {
            Ok(read) => read,
            Err(e) => {
                failed = Some(e);
                (None, 0)
            }
        },
        &mut progress,
    );
    match failed {
        Some(e) => Err(e),
        None => Ok(cap),
    }
}

/// Walks a container's frames into `problems` and `on_frame`; returns its format and length.
type Walk<'w> = dyn FnMut(&mut container::Problems, &mut dyn FnMut(container::Frame<'_>)) -> (Option<Format>, u64)
    + 'w;

/// Reads the container. `progress` is a trait object so that the whole reader is compiled once
/// for every caller above (two closure types would double it in the worker's wasm).
fn read_container(walk: &mut Walk<'_>, progress: &mut dyn FnMut(u64)) -> Capture {
    let mut cap = Capture::default();
    let mut problems = container::Problems::default();
    let mut warned_link: Vec<u16> = Vec::new();
    let mut decode_problems: Vec<Problem> = Vec::new();
    let mut decode_suppressed = 0u64;
    let mut push_decode = |p: Problem| {
        if decode_problems.len() < container::Problems::MAX_LISTED {
            decode_problems.push(p);
        } else {
            decode_suppressed += 1;
        }
    };
    let mut defrag = reassembly::Reassembler::default();
    let mut notes: Vec<Detail> = Vec::new();
    let (format, len) = walk(&mut problems, &mut |frame| {
        cap.frames += 1;
        *cap.link_types.entry(frame.link.0).or_default() += 1;
        if cap.frames % 4096 == 0 {
            progress(frame.offset);
        }
        let location = Location::Packet {
            number: frame.number,
            offset: frame.offset,
        };
        let decoded = decode::decode(&frame, &mut notes).and_then(|d| match d {
            decode::Decoded::Packet(p) => Ok(p),
            decode::Decoded::Fragment(f) => match defrag.add(&f) {
                Some(payload) => decode::reassembled(&frame, &f, &payload),
                None => Err(decode::Skip::Fragment),
            },
        });
        for detail in notes.drain(..) {
            push_decode(Problem::new(Severity::Warning, location, detail));
        }
        match decoded {
            Ok(p) => cap.packets.push(p),
            Err(decode::Skip::NotTcpUdp) => cap.skipped.not_tcp_udp += 1,
            Err(decode::Skip::Fragment) => cap.skipped.fragments += 1,
            Err(decode::Skip::UnknownLinkType(lt)) => {
                cap.skipped.unknown_link_type += 1;
                if !warned_link.contains(&lt) {
                    warned_link.push(lt);
                    push_decode(Problem::new(
                        Severity::Warning,
                        location,
                        Detail::UnknownLinkType { link_type: lt },
                    ));
                }
            }
            Err(decode::Skip::Malformed(layer, min_len, error)) => {
                cap.skipped.malformed += 1;
                push_decode(Problem::new(
                    Severity::Warning,
                    location,
                    Detail::Undecodable {
                        layer,
                        min_len,
                        error,
                    },
                ));
            }
        }
    });
    cap.format = format;
    progress(len);
    // Merge both lists in file order (stable: container problems first at equal offsets).
    let mut all = problems.list;
    all.extend(decode_problems);
    all.sort_by_key(|p| match p.location {
        Location::File => 0,
        Location::Packet { offset, .. } | Location::Block { offset, .. } => offset + 1,
    });
    cap.problems = all;
    cap.problems_suppressed = problems.suppressed + decode_suppressed;
    cap
}
