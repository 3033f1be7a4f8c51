//! Reading facts back out of a trace, once, for every reader: the web app's ladder and
//! inspector, the open page's comparison, the quiz, the lab's reports and `compare`, and the
//! model's own tests and text log.
//!
//! A trace records what happened; what it *means* — that a segment is a SYN-ACK, that its
//! sequence number is 1 counted from its direction's ISN, that a socket went SYN-SENT →
//! ESTABLISHED, that a segment was lost, which segments of two runs correspond — is protocol
//! knowledge, so it lives here in the model and not in each reader (smoltcp prints its wire
//! types in one place, `impl Display for Repr`, for the same reason). Readers keep only their
//! words: the web app names a [`SegKind`] in Chinese and English, the lab lays out a table.
//!
//! - [`segments`](mod@segments): what each segment is ([`SegKind`], its flags as text) and what became of
//!   it ([`Fate`]);
//! - [`numbering`]: sequence numbers relative to each direction's ISN, and the window as
//!   scaled (RFC 7323);
//! - [`states`]: a socket's state changes and their "A → B → C" text;
//! - [`align`](mod@align): the longest-common-subsequence alignment of two runs.

pub mod align;
pub mod numbering;
pub mod segments;
pub mod states;

pub use align::{align, Step};
pub use numbering::{Isns, Numbering};
pub use segments::{flag_names, segments, Fate, SegKind, Sent};
pub use states::{path_text, state_changes, states_of};
