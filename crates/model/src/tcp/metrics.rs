//! Linux's per-destination TCP metrics (net/ipv4/tcp_metrics.c): what a connection that
//! ended well learned about its path, kept by the host (one table per network namespace,
//! keyed by local and peer address) for the next connection to the same peer.
//!
//! Modelled: the smoothed RTT, which seeds a new connection's first RTO when it is larger
//! than the handshake's sample (`tcp_init_metrics`), and which makes a peer "proven to be
//! alive" for a listener's SYN queue (`tcp_peer_is_proven`). Not modelled: the ssthresh
//! and cwnd metrics (read only with `tcp_no_ssthresh_metrics_save` 0 or a locked route
//! metric; the default 1 ignores them), the reordering metric, and the RTT variance (saved
//! but read by nothing since Linux 3.16).

use crate::trace::{HostId, Micros};
use crate::vecmap::VecMap;

/// One destination's entry (`struct tcp_metrics_block`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DstMetrics {
    /// `TCP_METRIC_RTT`: eight times the smoothed RTT in µs, as `tp->srtt_us` (0: none; a
    /// connection that ended backed off clears it).
    pub rtt_x8: Micros,
}

/// Every host's table: (local host, peer host) → entry.
#[derive(Clone, Debug, Default)]
pub struct Metrics(VecMap<(HostId, HostId), DstMetrics>);

impl Metrics {
    pub fn new() -> Metrics {
        Metrics(VecMap::new())
    }

    /// The cached smoothed RTT toward `peer` (× 8, µs), 0 if none.
    pub fn rtt_x8(&self, local: HostId, peer: HostId) -> Micros {
        self.0.get(&(local, peer)).map_or(0, |m| m.rtt_x8)
    }

    /// `tcp_peer_is_proven`: the listener's host holds an RTT for the SYN's sender.
    pub fn proven(&self, local: HostId, peer: HostId) -> bool {
        self.rtt_x8(local, peer) > 0
    }

    /// `tcp_update_metrics` for a connection that ends well (it enters TIME-WAIT, or its
    /// FIN is acknowledged in LAST-ACK). `srtt_x8` is its smoothed RTT (0: it has none);
    /// `backed_off`: its RTO timer was backing off (`icsk_backoff`). "This session failed
    /// to estimate rtt … Reset our results" clears an existing entry's RTT and creates
    /// none; otherwise a larger RTT replaces the cached one at once and a smaller one
    /// moves it an eighth of the way ("rtt overestimation is always better than
    /// underestimation").
    pub fn update(&mut self, local: HostId, peer: HostId, srtt_x8: Micros, backed_off: bool) {
        if backed_off || srtt_x8 == 0 {
            if let Some(m) = self.0.get_mut(&(local, peer)) {
                m.rtt_x8 = 0;
            }
            return;
        }
        let m = self.0.entry((local, peer)).or_default();
        m.rtt_x8 = if m.rtt_x8 <= srtt_x8 {
            srtt_x8
        } else {
            m.rtt_x8 - ((m.rtt_x8 - srtt_x8) >> 3)
        };
    }
}

/// `tcp_init_metrics`: the first RTO of a connection whose host cached `crtt_x8` for its
/// peer, when that is larger than the handshake's sample `srtt_x8` (0 without one): "Use
/// the per-dst cached values to seed the RTO but keep the RTT estimator variables intact",
/// in whole jiffies of `jiffy_us` (`crtt /= 8 * USEC_PER_SEC / HZ`, rounding down), the
/// cached RTT plus twice it or `rto_min_us` (`tcp_rto_min`, already in whole jiffies:
/// `Profile::rto_min`), whichever is larger. `None`: the cache does not apply.
pub fn seeded_rto(
    crtt_x8: Micros,
    srtt_x8: Micros,
    jiffy_us: Micros,
    rto_min_us: Micros,
) -> Option<Micros> {
    if crtt_x8 <= srtt_x8 {
        return None;
    }
    let j = jiffy_us.max(1);
    let crtt = crtt_x8 / 8 / j * j;
    Some(crtt + (2 * crtt).max(rto_min_us))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: HostId = HostId(0);
    const B: HostId = HostId(1);

    #[test]
    fn a_larger_rtt_replaces_the_cached_one_and_a_smaller_moves_it_an_eighth() {
        let mut m = Metrics::new();
        m.update(A, B, 800, false);
        assert_eq!(m.rtt_x8(A, B), 800);
        m.update(A, B, 1600, false);
        assert_eq!(m.rtt_x8(A, B), 1600);
        m.update(A, B, 800, false);
        assert_eq!(m.rtt_x8(A, B), 1600 - 100);
        // Per direction: B's table knows nothing of A.
        assert_eq!(m.rtt_x8(B, A), 0);
    }

    #[test]
    fn a_connection_that_ended_backed_off_clears_the_rtt_and_creates_no_entry() {
        let mut m = Metrics::new();
        m.update(A, B, 0, false);
        m.update(B, A, 800, true);
        assert!(!m.proven(A, B) && !m.proven(B, A));
        m.update(A, B, 800, false);
        assert!(m.proven(A, B));
        m.update(A, B, 800, true);
        assert!(!m.proven(A, B));
    }

    #[test]
    fn a_cached_rtt_seeds_three_times_itself_or_itself_plus_rto_min_in_whole_jiffies() {
        // 150 ms cached, 40 ms measured, HZ 250: 148 ms (37 jiffies) + 296 ms.
        assert_eq!(
            seeded_rto(150_000 * 8, 40_000 * 8, 4_000, 200_000),
            Some(444_000)
        );
        // 30 ms cached: 28 ms + tcp_rto_min.
        assert_eq!(
            seeded_rto(30_000 * 8, 20_000 * 8, 4_000, 200_000),
            Some(228_000)
        );
        // Not larger than the handshake's sample: the cache does not apply.
        assert_eq!(seeded_rto(40_000 * 8, 40_000 * 8, 4_000, 200_000), None);
        // No sample at all (0): any cached RTT applies, before the 3 s fallback.
        assert_eq!(seeded_rto(8, 0, 1, 200_000), Some(200_001));
    }
}
