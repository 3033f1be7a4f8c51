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

/// Asks the scheduler to run the calling thread before ordinary ones (SCHED_FIFO, priority
/// 10; sched(7)): the lab's measuring threads (sock_diag poller, wire relay, scripts) sleep
/// most of the time, and on a machine busy with other work a woken thread could otherwise
/// wait tens of milliseconds for a CPU, which shows as timing the kernel never had. Returns
/// whether it was granted (it needs CAP_SYS_NICE; without it the run is only noisier).
pub fn measuring_priority() -> bool {
    let p = libc::sched_param { sched_priority: 10 };
    // SAFETY: changes the calling thread's policy only (pid 0), with a param we own.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &p) == 0 }
}
