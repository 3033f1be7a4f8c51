//! Thin, checked wrappers over the Linux interfaces the lab uses. Nothing here knows about
//! experiments or traces.

pub mod diag;
pub mod netns;
pub mod packet;
pub mod signal;
pub mod sock;
pub mod ticks;
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

static MEASURING_PRIORITY: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Lets `measuring_priority` take effect in this process (the scenario runner turns it on:
/// every thread that acts in its runs is a measuring one). Off for the other experiments,
/// whose own threads stay ordinary and would be starved by real-time neighbours.
pub fn allow_measuring_priority() {
    MEASURING_PRIORITY.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Asks the scheduler to run the calling thread before ordinary ones (SCHED_FIFO, priority
/// 10; sched(7)), if `allow_measuring_priority` was called: the lab's measuring threads
/// (sock_diag poller, wire relay, scripts) sleep most of the time, and on a machine busy with
/// other work a woken thread could otherwise wait tens of milliseconds for a CPU, which shows
/// as timing the kernel never had. Returns whether it was granted (it needs CAP_SYS_NICE;
/// without it the run is only noisier).
pub fn measuring_priority() -> bool {
    if !MEASURING_PRIORITY.load(std::sync::atomic::Ordering::Relaxed) {
        return false;
    }
    let p = libc::sched_param { sched_priority: 10 };
    // SAFETY: changes the calling thread's policy only (pid 0), with a param we own.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &p) == 0 }
}
