//! Every scene's teaching paragraphs (see `engine::teach` for how a row is matched), one file
//! per scene, written for each of its cases.
//!
//! Only the full build has them. Measured with `cargo xtask test build size`, the tables are
//! about N KB gzipped of text: in the first load they would grow it for every visitor, most of
//! whom never read past the handshake's first step. So the first-load build shows the scene
//! without paragraphs, and they appear wherever the full build draws the page (every scene
//! opened from another full-build page, and the pages only the full build has).
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
