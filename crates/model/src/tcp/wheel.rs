//! When a Linux timer really fires. TCP's timers are `timer_list`s on the kernel's timer
//! wheel (kernel/time/timer.c), which never fires a timer early and, to stay cheap, files a
//! far timer in a coarse bucket: `calc_wheel_index` puts a timer `d` jiffies away in level 0
//! (d < 63, one-jiffy buckets), level 1 (d < 504, 8 jiffies) or level 2 (d < 4032, 64
//! jiffies), and `calc_index` rounds its expiry up to the next bucket boundary of that level
//! ("Round up with level granularity to prevent this", i.e. early expiry): one jiffy late at
//! level 0, 1 to 8 jiffies at level 1, 1 to 64 at level 2. Where in a bucket the expiry falls
//! depends on the jiffies counter when the timer is armed, which the model cannot know; it
//! takes the middle. Measured on 6.18 (HZ 250): a zero-window probe backed off to 488 ms
//! went out 500 to 520 ms after it was armed.

use crate::profile::Profile;
use crate::trace::Micros;

/// A timeout as Linux keeps it: in whole jiffies (`usecs_to_jiffies`, `msecs_to_jiffies`
/// round up; `icsk_rto`, `icsk_ack.ato`, TCP_TIMEOUT_INIT, TCP_RTO_MIN are all jiffies,
/// include/net/tcp.h). A profile without the timer wheel keeps exact microseconds.
pub fn in_jiffies(us: Micros, p: &Profile) -> Micros {
    let j = p.clock_granularity_us;
    if !p.timer_wheel || j == 0 {
        return us;
    }
    us.div_ceil(j) * j
}

/// How long after it is armed a timer of `delay_us` fires: on Linux a `timer_list`
/// (`sk_reset_timer` → `mod_timer`) on the wheel of [`mean_firing_delay`]; exact in a
/// profile without it (the RFC textbook's timers fire on time). Only for timer_list timers:
/// an hrtimer (the pacing timer, `tcp_pace_kick`) is not rounded.
pub fn fires_after(delay_us: Micros, p: &Profile) -> Micros {
    if p.timer_wheel {
        mean_firing_delay(delay_us, p.clock_granularity_us)
    } else {
        delay_us
    }
}

/// The mean time from arming a timer of `delay_us` to its firing, for a kernel whose jiffy
/// is `jiffy_us` (4 ms at HZ 250): the delay in whole jiffies (`usecs_to_jiffies` rounds up)
/// plus the mean of the wheel's rounding at the timer's level, less the half jiffy already
/// gone, on average, since the last tick when it was armed.
pub fn mean_firing_delay(delay_us: Micros, jiffy_us: Micros) -> Micros {
    if jiffy_us == 0 {
        return delay_us;
    }
    let d = delay_us.div_ceil(jiffy_us);
    // LVL_START(n) = 63 << 3(n - 1); each level's buckets are 8 times the last's.
    let mut granularity = 1;
    let mut start = 63;
    while d >= start && granularity < 1 << 21 {
        granularity <<= 3;
        start <<= 3;
    }
    // Rounded up to the next boundary: 1..=granularity jiffies later, (granularity + 1) / 2
    // on average; less half a jiffy of phase.
    d * jiffy_us + granularity * jiffy_us / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_timer_fires_half_a_jiffy_late_on_average_and_a_far_one_half_a_bucket_late() {
        // Level 0: 61 jiffies of 4 ms, one jiffy late less the phase.
        assert_eq!(mean_firing_delay(244_000, 4_000), 246_000);
        // A fraction of a jiffy counts as a whole one (usecs_to_jiffies rounds up).
        assert_eq!(mean_firing_delay(240_200, 4_000), 246_000);
        // Level 1: 122 jiffies, in 8-jiffy buckets: 4 jiffies late on average.
        assert_eq!(mean_firing_delay(488_000, 4_000), 504_000);
        // Level 2 from 504 jiffies (2.016 s): 64-jiffy buckets.
        assert_eq!(mean_firing_delay(2_016_000, 4_000), 2_016_000 + 128_000);
        assert_eq!(mean_firing_delay(5, 0), 5);
    }

    #[test]
    fn linux_keeps_timeouts_in_whole_jiffies_and_the_rfc_textbook_in_microseconds() {
        let l = Profile::linux();
        assert_eq!(in_jiffies(200_100, &l), 204_000);
        assert_eq!(in_jiffies(200_000, &l), 200_000);
        // A 60 s TIME-WAIT is 15000 jiffies, level 3 of the wheel (512-jiffy buckets).
        assert_eq!(fires_after(60_000_000, &l), 60_000_000 + 1_024_000);
        let r = Profile::rfc();
        assert_eq!(in_jiffies(200_100, &r), 200_100);
        assert_eq!(fires_after(60_000_000, &r), 60_000_000);
        // HZ 1000 is another profile value, not another rule: 1 ms jiffies.
        let hz1000 = Profile {
            clock_granularity_us: 1_000,
            ..Profile::linux()
        };
        assert_eq!(in_jiffies(200_100, &hz1000), 201_000);
        assert_eq!(fires_after(244_000, &hz1000), 244_000 + 4_000);
    }
}
