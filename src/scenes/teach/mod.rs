//! Every scene's teaching paragraphs (see `engine::teach` for how a row is matched), one file
//! per scene, written for each of its cases.
//!
//! Only the full build has them: their text is about 40 KB (16 KB gzipped), which in the first
//! load (259 KB gzipped) every visitor would download before the first diagram is drawn. So
//! the first-load build draws its three scenes without
//! paragraphs, and they appear wherever the full build draws the page: every page only it has,
//! and the first three scenes once it has taken over (reached from any other page). Fetching
//! them as data was the other way; it would put a fetch and a parser in the first load for
//! text the full build carries anyway.
//!
//! Facts come from RFC 9293/1122/5681/6298/7323/2018, the kernel's ip-sysctl documentation and
//! what the model shows Linux doing; the interview chapter the product grew from gave the
//! sticky-packet and backlog stories. The words are ours.

pub mod backlog;
pub mod handshake;
pub mod sticky;
pub mod tcp_vs_udp;
pub mod teardown;
pub mod udp;
pub mod window;

#[cfg(test)]
mod tests;
