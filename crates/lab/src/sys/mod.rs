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

/// The real-time priorities (SCHED_FIFO) of the lab's measuring threads: what acts on the
/// kernel before what watches it. A SCHED_FIFO thread preempts a lower priority at once but
/// waits for a thread of its own priority to sleep, and the sock_diag pollers of every lab
/// run on the machine dump every millisecond (each about half a CPU on this 2-core machine):
/// a relay or a script at the pollers' priority woke 1-2 ms after its timer or its packet;
/// one above them about 50 µs after, as at 90. Watchers: the pollers, the tick probe.
const WATCHER_PRIORITY: i32 = 10;
/// The scenario's application scripts (their calls are the kernel's input).
const SCRIPT_PRIORITY: i32 = 11;
/// The wire's relay (its deliveries are the kernel's input, due to the microsecond).
const RELAY_PRIORITY: i32 = 12;

/// SCHED_FIFO at `priority` for the calling thread, if `allow_measuring_priority` was called;
/// whether it was granted (it needs CAP_SYS_NICE; without it the run is only noisier).
fn fifo(priority: i32) -> bool {
    if !MEASURING_PRIORITY.load(std::sync::atomic::Ordering::Relaxed) {
        return false;
    }
    let p = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: changes the calling thread's policy only (pid 0), with a param we own.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &p) == 0 }
}

/// Asks the scheduler to run the calling thread, one that watches the kernel (a sock_diag
/// poller), before ordinary ones (sched(7)), if `allow_measuring_priority` was called: the
/// lab's measuring threads sleep most of the time, and on a machine busy with other work a
/// woken thread could otherwise wait tens of milliseconds for a CPU, which shows as timing the
/// kernel never had. Returns whether it was granted.
pub fn measuring_priority() -> bool {
    fifo(WATCHER_PRIORITY)
}

/// `measuring_priority` for a thread that plays one of the scenario's application scripts:
/// above the watchers, so that a call is made at its time rather than after a poller's dump.
pub fn script_priority() -> bool {
    fifo(SCRIPT_PRIORITY)
}

/// Whether the wire's relay thread runs at real-time priority (`relay_priority`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayPriority {
    /// SCHED_FIFO at `RELAY_PRIORITY`.
    Realtime,
    /// Not asked for: this experiment keeps its threads ordinary (`allow_measuring_priority`).
    Ordinary,
    /// Asked for and refused (no CAP_SYS_NICE, or an RLIMIT_RTPRIO below it): the relay runs
    /// as an ordinary thread, and its deliveries can be late by milliseconds on a busy machine.
    Refused,
}

/// Prepares the calling thread (the wire's relay) to deliver packets on time: a timer slack of
/// 1 ns (PR_SET_TIMERSLACK; the default 50 µs lets the kernel fire a sleeping thread's timer
/// that much late to batch wake-ups), and, where `allow_measuring_priority` was called,
/// SCHED_FIFO above the lab's other measuring threads. Never fails: a refused priority is
/// reported for the run's warnings.
pub fn relay_priority() -> RelayPriority {
    // SAFETY: prctl with an integer argument changes the calling thread's timer slack only.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
    if !MEASURING_PRIORITY.load(std::sync::atomic::Ordering::Relaxed) {
        RelayPriority::Ordinary
    } else if fifo(RELAY_PRIORITY) {
        RelayPriority::Realtime
    } else {
        RelayPriority::Refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calling thread's scheduling policy, real-time priority and timer slack (ns).
    fn scheduling() -> (i32, i32, i32) {
        let mut p = libc::sched_param { sched_priority: 0 };
        // SAFETY: reads the calling thread's own parameters into values we own.
        unsafe {
            libc::sched_getparam(0, &mut p);
            let policy = libc::sched_getscheduler(0);
            let slack = libc::prctl(libc::PR_GET_TIMERSLACK);
            (policy, p.sched_priority, slack)
        }
    }

    #[test]
    fn the_wire_relay_runs_above_the_scripts_and_they_above_the_watchers_with_no_timer_slack() {
        allow_measuring_priority();
        let measuring = std::thread::spawn(|| (measuring_priority(), scheduling()))
            .join()
            .unwrap();
        let script = std::thread::spawn(|| (script_priority(), scheduling()))
            .join()
            .unwrap();
        let (granted, (relay_policy, relay_priority, relay_slack)) =
            std::thread::spawn(|| (relay_priority(), scheduling()))
                .join()
                .unwrap();
        // 1 ns as asked, or 0: the kernel gives a real-time thread no slack at all
        // (`__setscheduler_params` since 6.7).
        assert!(
            relay_slack <= 1,
            "the relay's timers fire without slack: {relay_slack} ns"
        );
        match granted {
            RelayPriority::Realtime => {
                assert!(measuring.0 && script.0, "the other threads got theirs too");
                assert_eq!(relay_policy, libc::SCHED_FIFO);
                assert_eq!(script.1 .0, libc::SCHED_FIFO);
                let (watcher, script) = (measuring.1 .1, script.1 .1);
                assert!(
                    relay_priority > script && script > watcher,
                    "relay at {relay_priority}, scripts at {script}, pollers at {watcher}: SCHED_FIFO does not preempt an equal"
                );
            }
            // The only allowed skip: no CAP_SYS_NICE (or RLIMIT_RTPRIO) here.
            RelayPriority::Refused => {
                eprintln!("SKIPPED: this process may not use SCHED_FIFO (no CAP_SYS_NICE)")
            }
            RelayPriority::Ordinary => panic!("asked for, the priority is not skipped"),
        }
    }
}
