//! Every scene's teaching paragraphs (see `engine::teach` for how a row is matched), one file
//! per scene, written for each of its cases.
//!
//! Their text is about 49 KB (19 KB gzipped), which compiled in would be downloaded by every
//! visitor whichever scene they open. So no build compiles their words: each scene page fetches
//! its own scene's words after its first paint ([`words`]); the tables themselves (which step
//! each row explains) are compiled, the other scenes' in the full build only. (Handing the page
//! to the full build once idle was the other way for the first load: it would redraw the whole
//! page under the reader, losing focus and an open menu, and wait while a scene plays.)
//!
//! Facts come from RFC 9293/1122/5681/6298/7323/2018, the kernel's ip-sysctl documentation and
//! what the model shows Linux doing; the interview chapter the product grew from gave the
//! sticky-packet and backlog stories. The words are ours.

#[cfg(feature = "full")]
pub mod backlog;
pub mod handshake;
#[cfg(feature = "full")]
pub mod sticky;
pub mod tcp_vs_udp;
pub mod teardown;
#[cfg(feature = "full")]
pub mod udp;
#[cfg(feature = "full")]
pub mod window;
pub mod words;

#[cfg(test)]
mod tests;
