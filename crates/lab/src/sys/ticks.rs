//! Where this kernel's timer-wheel ticks fall, so that the model's timers can fire on the same
//! ticks (`Profile::timer_wheel_origin_us`, `synack_model::tcp::wheel`).
//!
//! A TCP timer is a `timer_list` on the timer wheel: it fires at the tick that starts its
//! bucket, and a 1 s timer's bucket is 8 jiffies (32 ms at HZ 250) wide. Which tick that is
//! depends on the jiffies counter when the timer was armed, different on every run: two
//! timers and a packet that race (a SYN-ACK timer and a retransmitted SYN) come out one way
//! or the other by it. Ticks fall on whole multiples of TICK_NSEC in CLOCK_MONOTONIC
//! (`tick_init_jiffy_update` aligns `tick_next_period`), so jiffies is ⌊monotonic /
//! TICK_NSEC⌋ plus a constant of the boot; /proc/timer_list shows jiffies (root only), and two
//! reads that agree on the constant give it.

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

/// Reads the jiffies counter until two clean reads agree on the constant: a read is clean when
/// no tick fell between the clock readings around it, and the first was not in the first 200 µs
/// of a jiffy (the tick's interrupt may not have counted it yet). `None` without
/// /proc/timer_list (not root, or another kernel) or on a machine whose HZ is not one of
/// [`JIFFIES_US`]: the model then takes the mean of each timer's bucket, as before.
pub fn measure() -> Option<Ticks> {
    // HZ first: two reads 24 ms apart (a multiple of 1, 4 and 10 ms ... near enough).
    let a = sample()?;
    std::thread::sleep(std::time::Duration::from_millis(24));
    let b = sample()?;
    let elapsed_us = (b.before_ns - a.before_ns) / 1_000;
    let counted = b.jiffies.checked_sub(a.jiffies)?.max(1);
    let jiffy_us = *JIFFIES_US
        .iter()
        .min_by_key(|&&j| (elapsed_us / j).abs_diff(counted))?;
    let jiffy_ns = jiffy_us * 1_000;
    let clean = |s: &Sample| {
        s.before_ns / jiffy_ns == s.after_ns / jiffy_ns && s.before_ns % jiffy_ns > 200_000
    };
    let mut agreed: Option<i64> = None;
    for _ in 0..50 {
        let s = sample()?;
        if !clean(&s) {
            std::thread::sleep(std::time::Duration::from_micros(700));
            continue;
        }
        let c = s.jiffies as i64 - (s.before_ns / jiffy_ns) as i64;
        if agreed == Some(c) {
            let r1 = clock_ns(libc::CLOCK_REALTIME);
            let m = monotonic_ns();
            let r2 = clock_ns(libc::CLOCK_REALTIME);
            return Some(Ticks {
                jiffy_us,
                offset_jiffies: c,
                real_minus_mono_ns: ((r1 / 2 + r2 / 2) as i64).wrapping_sub(m as i64),
            });
        }
        agreed = Some(c);
        std::thread::sleep(std::time::Duration::from_micros(1_300));
    }
    None
}

impl Ticks {
    /// The jiffies clock, µs (jiffies × jiffy + the time into that jiffy), at the
    /// CLOCK_REALTIME instant `real_us`: `Profile::timer_wheel_origin_us` for a scenario whose
    /// time zero is then.
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
}
