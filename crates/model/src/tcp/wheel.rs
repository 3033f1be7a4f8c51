//! When a Linux timer really fires. TCP's timers are `timer_list`s on the kernel's timer
//! wheel (kernel/time/timer.c), which never fires a timer early and, to stay cheap, files a
//! far timer in a coarse bucket: `calc_wheel_index` puts a timer `d` jiffies away in level 0
//! (d < 63, one-jiffy buckets), level 1 (d < 504, 8 jiffies) or level 2 (d < 4032, 64
//! jiffies), and `calc_index` rounds its expiry up to the next bucket boundary of that level
//! ("Round up with level granularity to prevent this", i.e. early expiry): one jiffy late at
//! level 0, 1 to 8 jiffies at level 1, 1 to 64 at level 2. Where in a bucket the expiry falls
//! depends on the jiffies counter when the timer is armed: the model computes it when the
//! profile says where the ticks fall (the lab measures that on every run), else it takes the
//! middle. Measured on 6.18 (HZ 250): a zero-window probe backed off to 488 ms
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

/// The unit Linux counts a TCP clock in, µs: one jiffy where the profile has the wheel (the
/// kernel's `tcp_jiffies32`), else 1 (the RFC textbook's exact microseconds).
pub fn jiffy_unit(p: &Profile) -> Micros {
    match p.clock_granularity_us {
        j if p.timer_wheel && j > 0 => j,
        _ => 1,
    }
}

/// The jiffies counter at `now` ([`jiffy_unit`]s): differences of it are what
/// `tcp_jiffies32 - stamp` gives, a whole number of ticks gone between two instants, not
/// their distance rounded. Counted from where the ticks fall when the profile knows it
/// ([`Profile::timer_wheel_origin_us`]), else from the scenario's zero.
pub fn jiffies(now: Micros, p: &Profile) -> u64 {
    let unit = jiffy_unit(p);
    let origin = if unit > 1 {
        p.timer_wheel_origin_us.unwrap_or(0)
    } else {
        0
    };
    (origin + now) / unit
}

/// The ticks crossed from `then` to `now` ([`jiffy_unit`]s): the kernel's `tcp_jiffies32 -
/// stamp` for a stamp taken at `then`, 0 when `now` is not later.
pub fn ticks_since(then: Micros, now: Micros, p: &Profile) -> u64 {
    jiffies(now, p).saturating_sub(jiffies(then, p))
}

/// Whether [`fires_at`] puts a timer on the tick the kernel fires it on (the wheel, with
/// its ticks known), rather than at its due time or the mean of its bucket.
pub fn ticks_known(p: &Profile) -> bool {
    p.timer_wheel && p.clock_granularity_us > 0 && p.timer_wheel_origin_us.is_some()
}

/// When a timer armed at `now` to expire `delay_us` later fires: on Linux a `timer_list`
/// (`sk_reset_timer` → `mod_timer`) on the wheel, at the tick of its bucket when the profile
/// knows where the ticks fall ([`bucket_tick`]), else [`mean_firing_delay`] after `now`;
/// exactly when due in a profile without the wheel (the RFC textbook's timers fire on time).
/// Only for timer_list timers: an hrtimer (the pacing timer, `tcp_pace_kick`) is not rounded.
pub fn fires_at(now: Micros, delay_us: Micros, p: &Profile) -> Micros {
    fires_at_in(now, delay_us, p, false)
}

/// [`fires_at`] for a timer armed at `now` from inside a timer callback when `in_timer`:
/// `__run_timers` steps the wheel's clock past the bucket (`base->clk++`) before
/// `expire_timers` runs its timers, and `forward_timer_base` leaves a clock ahead of jiffies
/// alone, so a timer re-armed there is `d − 1` jiffies from the clock `calc_wheel_index`
/// measures its level by, while its expiry is still jiffies + d. It matters only at a level's
/// edge: an RTO of 63 jiffies backed off three times to 504 (2.016 s) goes to level 1 (8-jiffy
/// buckets) rather than level 2 (64). Measured on 6.18 over a 50 ms RTT (RTO 250 ms, 63
/// jiffies), every data segment lost: the timeout after the 504-jiffy RTO was re-armed fired
/// on a level-1 bucket 513 jiffies on (2140.5 → 4191.9 ms), where level 2's next 64-jiffy
/// boundary was 4284 ms.
pub fn fires_at_in(now: Micros, delay_us: Micros, p: &Profile, in_timer: bool) -> Micros {
    if !p.timer_wheel {
        return now + delay_us;
    }
    match p.timer_wheel_origin_us {
        Some(origin) => bucket_tick_from(
            origin,
            now,
            delay_us,
            p.clock_granularity_us,
            in_timer as u64,
        ),
        None => now + mean_firing_delay(delay_us, p.clock_granularity_us),
    }
}

/// The wheel's levels: level `n` holds timers at least LVL_START(n) = 63 << 3(n − 1) jiffies
/// away, in buckets of 8^n jiffies (kernel/time/timer.c, LVL_CLK_SHIFT 3, LVL_BITS 6).
fn level_shift(delta_jiffies: u64) -> u32 {
    let mut shift = 0;
    let mut start = 63;
    while delta_jiffies >= start && shift < 24 {
        shift += 3;
        start <<= 3;
    }
    shift
}

/// The wheel level (0, 1, 2, ...) `calc_wheel_index` files a timer armed for `delay_us` in,
/// measured from the wheel's clock as [`fires_at_in`] does (one jiffy ahead in a callback).
pub fn level(delay_us: Micros, p: &Profile, in_timer: bool) -> u8 {
    let j = p.clock_granularity_us;
    if !p.timer_wheel || j == 0 {
        return 0;
    }
    (level_shift(delay_us.div_ceil(j).saturating_sub(in_timer as u64)) / 3) as u8
}

/// The tick a timer fires on, for a kernel whose jiffies clock reads `origin_us` at the
/// scenario's time zero (`Profile::timer_wheel_origin_us`): armed at jiffy `j` (the jiffy
/// `now` falls in) for `delay_us` (whole jiffies, `usecs_to_jiffies` rounds up), it expires
/// at `j + d`; `calc_wheel_index` picks the level by `d` and `calc_index` files it in the
/// bucket after `(j + d) >> shift` ("Round up with level granularity" so that it never fires
/// early), which the wheel runs at the tick starting jiffy `((j + d) >> shift) + 1) << shift`.
/// One jiffy late at level 0, 1 to 8 jiffies at level 1, 1 to 64 at level 2.
pub fn bucket_tick(origin_us: u64, now: Micros, delay_us: Micros, jiffy_us: Micros) -> Micros {
    bucket_tick_from(origin_us, now, delay_us, jiffy_us, 0)
}

/// [`bucket_tick`] for a wheel whose clock (`base->clk`) is `clock_lead` jiffies ahead of
/// jiffies when the timer is armed (1 inside a timer callback, [`fires_at_in`]): the level
/// is picked by the distance from that clock, the bucket by the expiry.
fn bucket_tick_from(
    origin_us: u64,
    now: Micros,
    delay_us: Micros,
    jiffy_us: Micros,
    clock_lead: u64,
) -> Micros {
    if jiffy_us == 0 {
        return now + delay_us;
    }
    let j = (origin_us + now) / jiffy_us;
    let d = delay_us.div_ceil(jiffy_us);
    let shift = level_shift(d.saturating_sub(clock_lead));
    let bucket = (((j + d) >> shift) + 1) << shift;
    bucket * jiffy_us - origin_us
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
        assert_eq!(fires_at(0, 60_000_000, &l), 60_000_000 + 1_024_000);
        let r = Profile::rfc();
        assert_eq!(in_jiffies(200_100, &r), 200_100);
        assert_eq!(fires_at(0, 60_000_000, &r), 60_000_000);
        // HZ 1000 is another profile value, not another rule: 1 ms jiffies.
        let hz1000 = Profile {
            clock_granularity_us: 1_000,
            ..Profile::linux()
        };
        assert_eq!(in_jiffies(200_100, &hz1000), 201_000);
        assert_eq!(fires_at(0, 244_000, &hz1000), 244_000 + 4_000);
    }

    #[test]
    fn with_the_ticks_known_a_timer_fires_on_the_tick_that_starts_its_bucket() {
        let j = 4_000;
        // Zero is 1 ms into jiffy 1000 (1000 ≡ 0 mod 8). A 1 s SYN timer armed at 0: 250
        // jiffies, level 1, expires at jiffy 1250, filed in the bucket starting at 1256:
        // it fires 1256 − 1000 jiffies after the origin's jiffy, less the 1 ms gone.
        let origin = 1_000 * j + 1_000;
        assert_eq!(bucket_tick(origin, 0, 1_000_000, j), 256 * j - 1_000);
        // The same timer armed 10 ms later (a SYN-ACK timer one way further on) shares the
        // bucket while its expiry is under 1256: it fires on the same tick.
        assert_eq!(bucket_tick(origin, 10_000, 1_000_000, j), 256 * j - 1_000);
        // Armed 23 ms later it expires at 1256 itself: the next bucket, 32 ms on.
        assert_eq!(bucket_tick(origin, 23_000, 1_000_000, j), 264 * j - 1_000);
        // Level 0: the tick after the expiry, whatever the phase (never early).
        assert_eq!(bucket_tick(origin, 0, 40_000, j), 11 * j - 1_000);
        assert_eq!(bucket_tick(origin, 2_999, 40_000, j), 11 * j - 1_000);
        assert_eq!(bucket_tick(origin, 3_000, 40_000, j), 12 * j - 1_000);
        // Never early, never later than the level's bucket, at any phase.
        for phase in (0..64 * j).step_by(997) {
            for d in [4_000, 200_000, 252_000, 1_000_000, 3_000_000, 60_000_000] {
                let fire = bucket_tick(1_000 * j + phase, 0, d, j);
                let gran = 1 << level_shift(d / j);
                assert!(fire >= d && fire <= d + gran * j, "{phase} {d} {fire}");
            }
        }
    }

    #[test]
    fn a_timer_rearmed_in_a_timer_callback_is_filed_by_its_distance_from_the_clock_past_the_bucket()
    {
        let j = 4_000;
        // Jiffy 1040 (0 mod 8, 16 mod 64): an RTO that fired there on a level-1 bucket
        // re-arms for 504 jiffies (63 backed off three times). From the callback the wheel's
        // clock reads 1041, 503 jiffies short of the expiry 1544: level 1, the bucket at 1552.
        let origin = 1_000 * j;
        let now = 40 * j;
        let known = Profile {
            timer_wheel_origin_us: Some(origin),
            ..Profile::linux()
        };
        assert_eq!(fires_at_in(now, 504 * j, &known, true), now + 512 * j);
        // Armed anywhere else (a packet's arrival, a call) the clock is jiffies: level 2, the
        // next 64-jiffy boundary after 1544 is 1600.
        assert_eq!(fires_at_in(now, 504 * j, &known, false), now + 560 * j);
        assert_eq!(fires_at(now, 504 * j, &known), now + 560 * j);
        // Away from a level's edge the level is the same either way.
        for d in [50, 62, 64, 126, 252, 503, 505, 1008] {
            assert_eq!(
                fires_at_in(now, d * j, &known, true),
                fires_at_in(now, d * j, &known, false),
                "{d}"
            );
        }
        // 63 jiffies from a callback at jiffy 1001 (a level-0 timer's tick): level 0, the tick
        // after the expiry 1064, not level 1's bucket at 1072.
        assert_eq!(fires_at_in(j, 63 * j, &known, true), j + 64 * j);
        assert_eq!(fires_at_in(j, 63 * j, &known, false), j + 71 * j);
    }

    #[test]
    fn a_profile_that_knows_its_ticks_uses_them_and_one_that_does_not_the_mean() {
        let known = Profile {
            timer_wheel_origin_us: Some(1_000 * 4_000 + 1_000),
            ..Profile::linux()
        };
        assert_eq!(fires_at(10_000, 1_000_000, &known), 1_023_000);
        assert_eq!(fires_at(10_000, 1_000_000, &Profile::linux()), 1_026_000);
        let rfc = Profile {
            timer_wheel_origin_us: Some(1_000 * 4_000 + 1_000),
            ..Profile::rfc()
        };
        assert_eq!(fires_at(10_000, 1_000_000, &rfc), 1_010_000);
    }
}
