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

use crate::trace::Micros;

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
}
