//! synack-capture: pcap/pcapng files → TCP/UDP conversations → synack traces.
//!
//! Three steps, each usable alone:
//! 1. [`read`]: the container ([`container`]) and the headers ([`decode`]) → [`Capture`], a list
//!    of decoded TCP/UDP packets plus every [`Problem`] met on the way. Never panics, never
//!    stops early without saying where and why, and always returns what it could read.
//! 2. [`conversation::analyze`]: the conversation table and the per-segment TCP analysis
//!    ([`tcp_analysis`], Wireshark's expert-info marks, relative sequence numbers, states).
//! 3. [`to_trace::conversation_trace`]: one conversation → a `synack_model::trace::Trace`
//!    that the web app draws like any scene.
//!
//! Pure computation on a byte slice: no I/O, no clock, so it runs the same natively and in
//! wasm (in a Web Worker, where the page stays responsive while big files are read).
//!
//! Everything that parses sits behind the default `reader` feature. Without it the crate is
//! only the words of its answers: [`protocol`] (the messages between the page and the capture
//! worker, with the rows they carry), [`problem`], [`mark`] and [`linktype`]. The page that
//! shows what the worker read depends on it that way and matches the same enums (a new kind of
//! answer or problem is a compile error there, not a fallback sentence) without carrying the
//! parsers.

#[cfg(feature = "reader")]
pub mod container;
#[cfg(feature = "reader")]
pub mod conversation;
#[cfg(feature = "reader")]
pub mod decode;
pub mod linktype;
pub mod mark;
pub mod problem;
pub mod protocol;
#[cfg(feature = "reader")]
mod read;
#[cfg(feature = "reader")]
pub mod reassembly;
#[cfg(feature = "reader")]
pub mod session;
#[cfg(feature = "reader")]
pub mod synthetic;
#[cfg(feature = "reader")]
pub mod tcp_analysis;
#[cfg(feature = "reader")]
pub mod to_trace;

#[cfg(feature = "reader")]
pub use container::LinkType;
#[cfg(feature = "reader")]
pub use conversation::{analyze, Analysis, Conversation, Filter};
#[cfg(feature = "reader")]
pub use decode::Packet;
pub use problem::{
    BlockKind, Compression, Detail, Layer, Location, Problem, ProblemKind, Severity,
};
pub use protocol::{Format, Skipped};
#[cfg(feature = "reader")]
pub use read::{read, read_from, read_from_in_chunks, read_with_progress, Capture};
#[cfg(feature = "reader")]
pub use session::Session;
