//! Where this kernel's timer-wheel ticks fall, so that the model's timers can fire on the same
//! ticks (`Profile::timer_wheel_origin_us`, `synack_model::tcp::wheel`).
//!
//! A TCP timer is a `timer_list` on the timer wheel: it fires at the tick that starts its
//! bucket, and a 1 s timer's bucket is 8 jiffies (32 ms at HZ 250) wide. Which tick that is
//! depends on the jiffies counter when the timer was armed, different on every run: two
//! timers and a packet that race (a SYN-ACK timer and a retransmitted SYN) come out one way
//! or the other by it. Ticks fall on whole multiples of TICK_NSEC in CLOCK_MONOTONIC
//! (`tick_init_jiffy_update` aligns `tick_next_period`), so jiffies is ⌊monotonic /
//! TICK_NSEC⌋ plus a constant of the boot. /proc/timer_list shows jiffies (root only), which
//! gives HZ; the constant comes from times(2), whose clock_t is jiffies scaled to USER_HZ and
//! steps on a known jiffy every 10 ms: watched with µs reads of the monotonic clock around it,
//! a step dates its tick. (Reading /proc/timer_list itself takes 10 ms or more on a loaded
//! machine, longer than a jiffy: a read that must fit inside one jiffy rarely did, and the run
//! then fell back to the buckets' means.)

/// A clock's time, ns: CLOCK_MONOTONIC (the clock the tick grid is aligned to; `now at` in
/// /proc/timer_list) or CLOCK_REALTIME (the lab's).
fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; both clocks always exist.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn monotonic_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

/// One read of the jiffies counter, between two readings of the monotonic clock.
struct Sample {
    before_ns: u64,
    after_ns: u64,
    jiffies: u64,
}

fn sample() -> Option<Sample> {
    let before_ns = monotonic_ns();
    let text = std::fs::read_to_string("/proc/timer_list").ok()?;
    let after_ns = monotonic_ns();
    let jiffies = text
        .lines()
        .find_map(|l| l.strip_prefix("jiffies: "))?
        .trim()
        .parse()
        .ok()?;
    Some(Sample {
        before_ns,
        after_ns,
        jiffies,
    })
}

/// The jiffies clock of this boot, against CLOCK_REALTIME (the clock the lab stamps with).
#[derive(Clone, Copy, Debug)]
pub struct Ticks {
    /// One jiffy, µs (4000 at HZ 250).
    pub jiffy_us: u64,
    /// jiffies − ⌊monotonic / jiffy⌋.
    offset_jiffies: i64,
    /// CLOCK_REALTIME − CLOCK_MONOTONIC, ns.
    real_minus_mono_ns: i64,
}

/// The HZ values a kernel is built with (CONFIG_HZ_100 … CONFIG_HZ_1000) whose jiffy is a
/// whole number of µs; HZ 300's 3333.3 µs jiffy cannot be a profile's granularity.
const JIFFIES_US: [u64; 3] = [10_000, 4_000, 1_000];

/// The jiffy whose two reads of /proc/timer_list `a` and `b` (taken `b` after `a`) count
/// best. The file is long (every CPU's hrtimers): on a loaded machine one read takes 10 ms
/// or more, and the jiffies line is printed somewhere inside it, so the time between the two
/// counts is only known to lie between `b.before − a.after` and `b.after − a.before`; the
/// jiffy whose expected count (from the middles of the reads) is nearest the counted one by
/// ratio wins (a difference would favour the coarsest jiffy whenever the count is small).
fn pick_jiffy_us(a: &Sample, b: &Sample) -> Option<u64> {
    let counted = b.jiffies.checked_sub(a.jiffies)?.max(1) as f64;
    let mid_a = (a.before_ns / 2 + a.after_ns / 2) as f64;
    let mid_b = (b.before_ns / 2 + b.after_ns / 2) as f64;
    let elapsed_us = (mid_b - mid_a) / 1_000.0;
    if elapsed_us <= 0.0 {
        return None;
    }
    JIFFIES_US.iter().copied().min_by(|&x, &y| {
        let off = |j: u64| (counted / (elapsed_us / j as f64).max(0.5)).ln().abs();
        off(x).total_cmp(&off(y))
    })
}

/// times(2)'s clock: `jiffies_64_to_clock_t(get_jiffies_64())`, in USER_HZ ticks
/// (kernel/sys.c `sys_times`, kernel/time/time.c), i.e. ⌊jiffies × jiffy / clock tick⌋.
fn clock_t_now() -> Option<i64> {
    let mut t = libc::tms {
        tms_utime: 0,
        tms_stime: 0,
        tms_cutime: 0,
        tms_cstime: 0,
    };
    // SAFETY: times writes into the struct we own.
    let v = unsafe { libc::times(&mut t) };
    (v != -1).then_some(v as i64)
}

/// The first jiffy at which times(2) reads `w` clock ticks of `clock_us` each (USER_HZ 100:
/// 10 ms): `jiffies_64_to_clock_t` is ⌊jiffies × jiffy / clock tick⌋, so the counter
/// reaches `w` at jiffy ⌈w × clock tick / jiffy⌉ (HZ 250: every 2 or 3 jiffies).
fn first_jiffy_of_clock_t(w: u64, clock_us: u64, jiffy_us: u64) -> u64 {
    (w * clock_us).div_ceil(jiffy_us)
}

/// jiffies − ⌊monotonic / jiffy⌋, from the instant times(2) was seen to step to `w`: the
/// step happened between `before_ns` (the end of a read that still gave `w − 1`) and
/// `after_ns` (the end of the read that gave `w`), at the tick that made jiffies
/// [`first_jiffy_of_clock_t`]. `None` when that window is too wide to say which tick.
fn offset_at_step(
    w: u64,
    before_ns: u64,
    after_ns: u64,
    clock_us: u64,
    jiffy_us: u64,
) -> Option<i64> {
    // A tick's interrupt lands a little after its boundary; a window of a quarter jiffy
    // leaves the rest for that lateness.
    if after_ns.checked_sub(before_ns)? > jiffy_us * 250 {
        return None;
    }
    let j = first_jiffy_of_clock_t(w, clock_us, jiffy_us);
    Some(j as i64 - (after_ns / (jiffy_us * 1_000)) as i64)
}

/// Watches times(2) step (every 10 ms) for `budget_ms` and returns the jiffies −
/// ⌊monotonic / jiffy⌋ most of its steps give (at least two; a tie goes to the larger). Unlike
/// a read of /proc/timer_list (10 ms or more on a loaded machine, longer than a jiffy), a
/// times(2) call takes a microsecond, so a step is seen within µs of the update that made it.
/// That update may come late: jiffies is advanced by whichever CPU's tick runs
/// `tick_do_update_jiffies64`, and on this loaded two-CPU VM 40 % of the steps seen (141 in
/// 3 s) came one or two jiffies behind the tick grid, though a few µs after one of its ticks,
/// none ahead; the wheel's timers then fire a tick late too (expiry follows jiffies), so the
/// offset most steps show is the one most timers see.
fn offset_from_times(jiffy_us: u64, budget_ms: u64) -> Option<i64> {
    // SAFETY: sysconf has no memory effects.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz <= 0 || 1_000_000 % hz as u64 != 0 {
        return None;
    }
    let clock_us = 1_000_000 / hz as u64;
    let end = monotonic_ns() + budget_ms * 1_000_000;
    let mut last = clock_t_now()?;
    let mut last_end = monotonic_ns();
    let mut seen: Vec<i64> = Vec::new();
    while last_end < end {
        let w = clock_t_now()?;
        let now = monotonic_ns();
        if w == last + 1 {
            seen.extend(offset_at_step(w as u64, last_end, now, clock_us, jiffy_us));
        }
        last = w;
        last_end = now;
    }
    if seen.len() < 2 {
        return None;
    }
    let count = |c: i64| seen.iter().filter(|&&x| x == c).count();
    seen.iter().copied().max_by_key(|&c| (count(c), c))
}

/// Reads the jiffies counter: the jiffy's length from two reads of /proc/timer_list 50 ms
/// apart ([`pick_jiffy_us`]), then where the ticks fall from the steps of times(2) over 100 ms
/// ([`offset_from_times`]). `None` without /proc/timer_list (not root, or another kernel) or
/// on a machine whose HZ is not one of [`JIFFIES_US`]: the model then takes the mean of each
/// timer's bucket, as before.
pub fn measure() -> Option<Ticks> {
    let a = sample()?;
    std::thread::sleep(std::time::Duration::from_millis(50));
    let b = sample()?;
    let jiffy_us = pick_jiffy_us(&a, &b)?;
    // Spinning on times(2) for 100 ms: at the lab's measuring priority, so that a busy
    // machine does not preempt the watch for longer than a step (seen: 4 to 20 ms at a time).
    let offset_jiffies = std::thread::spawn(move || {
        crate::sys::measuring_priority();
        offset_from_times(jiffy_us, 100)
    })
    .join()
    .ok()??;
    let r1 = clock_ns(libc::CLOCK_REALTIME);
    let m = monotonic_ns();
    let r2 = clock_ns(libc::CLOCK_REALTIME);
    Some(Ticks {
        jiffy_us,
        offset_jiffies,
        real_minus_mono_ns: ((r1 / 2 + r2 / 2) as i64).wrapping_sub(m as i64),
    })
}

impl Ticks {
    /// The jiffies clock, µs (jiffies × jiffy + the time into that jiffy), at the
    /// CLOCK_REALTIME instant `real_us`: `Profile::timer_wheel_origin_us` for a scenario whose
    /// time zero is then.
    /// CLOCK_MONOTONIC (the kernel's TCP clock, `tcp_clock_ns`), µs, at the CLOCK_REALTIME
    /// instant `real_us`: `Profile::ts_clock_origin_us` for a scenario whose time zero is then.
    pub fn mono_us(&self, real_us: u64) -> u64 {
        ((real_us * 1_000) as i64 - self.real_minus_mono_ns).max(0) as u64 / 1_000
    }

    pub fn origin_us(&self, real_us: u64) -> u64 {
        let mono_us = ((real_us * 1_000) as i64 - self.real_minus_mono_ns).max(0) as u64 / 1_000;
        let jiffies = (mono_us / self.jiffy_us) as i64 + self.offset_jiffies;
        jiffies.max(0) as u64 * self.jiffy_us + mono_us % self.jiffy_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_the_jiffies_counter_at_that_instant_and_the_time_into_its_jiffy() {
        let t = Ticks {
            jiffy_us: 4_000,
            offset_jiffies: 1_000,
            real_minus_mono_ns: 5_000_000_000,
        };
        // Realtime 5.01 s is monotonic 10 ms: jiffy 2 of the clock, 2 ms into it, counted
        // 1000 on from there.
        assert_eq!(t.origin_us(5_010_000), 1_002 * 4_000 + 2_000);
    }

    #[test]
    fn times_steps_on_the_jiffy_that_makes_its_clock_t_and_dates_that_tick() {
        // HZ 250, USER_HZ 100: clock_t = ⌊jiffies × 0.4⌋ steps at jiffies 5, 8, 10, 13, 15.
        let firsts: Vec<u64> = (2..7)
            .map(|w| first_jiffy_of_clock_t(w, 10_000, 4_000))
            .collect();
        assert_eq!(firsts, [5, 8, 10, 13, 15]);
        // HZ 100 and 1000: every jiffy, every 10th.
        assert_eq!(first_jiffy_of_clock_t(7, 10_000, 10_000), 7);
        assert_eq!(first_jiffy_of_clock_t(7, 10_000, 1_000), 70);
        // Step to clock_t 3 (jiffy 8) seen between 20 µs before and 40 µs after the tick at
        // monotonic 1 s (jiffy 250 of the monotonic clock): jiffies − ⌊mono / jiffy⌋ = −242.
        let tick = 1_000_000_000;
        assert_eq!(
            offset_at_step(3, tick - 20_000, tick + 40_000, 10_000, 4_000),
            Some(8 - 250)
        );
        // The tick's interrupt 0.6 ms late: the step is still dated to its jiffy.
        assert_eq!(
            offset_at_step(3, tick + 580_000, tick + 640_000, 10_000, 4_000),
            Some(8 - 250)
        );
        // A step seen only after 2 ms without a read (the thread was preempted) dates nothing.
        assert_eq!(
            offset_at_step(3, tick - 1_000_000, tick + 1_000_000, 10_000, 4_000),
            None
        );
    }

    #[test]
    fn the_jiffy_is_picked_from_two_slow_reads_by_where_inside_them_jiffies_was_printed() {
        let ms = 1_000_000;
        let read = |start: u64, jiffies: u64| Sample {
            before_ns: start * ms,
            after_ns: (start + 14) * ms,
            jiffies,
        };
        // HZ 250, reads of 14 ms, 50 ms apart: jiffies printed anywhere inside each, so the
        // count is 13 (late in the first, early in the second) to 19 jiffies.
        for (ja, jb) in [(1003, 1016), (1000, 1019), (1002, 1018)] {
            assert_eq!(
                pick_jiffy_us(&read(0, ja), &read(64, jb)),
                Some(4_000),
                "{ja} {jb}"
            );
        }
        // HZ 100 and 1000 over the same reads.
        assert_eq!(pick_jiffy_us(&read(0, 100), &read(64, 106)), Some(10_000));
        assert_eq!(
            pick_jiffy_us(&read(0, 1_000), &read(64, 1_060)),
            Some(1_000)
        );
        // Counted backwards: no answer.
        assert_eq!(pick_jiffy_us(&read(0, 1_000), &read(64, 999)), None);
    }
}
