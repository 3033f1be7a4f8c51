//! Thin, checked wrappers over the Linux interfaces the lab uses. Nothing here knows about
//! experiments or traces.

pub mod diag;
pub mod netns;
pub mod packet;
pub mod signal;
pub mod sock;
pub mod tun;

/// Wall-clock time in microseconds (CLOCK_REALTIME), the clock the kernel stamps captured
/// packets with, so application events and packets share one time line.
pub fn realtime_us() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; CLOCK_REALTIME always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}
