//! The send stream cut into skbs as Linux cuts it, for one thing only: where PSH goes.
//!
//! RFC 9293 §3.9.1 leaves PSH to the implementation. Linux decides it per skb of its send
//! queue, so the model keeps the skb boundaries of the bytes not yet acknowledged:
//!
//! - `tcp_sendmsg_locked` fills the tail skb up to `size_goal` (half the peer's largest
//!   window, in whole MSS: `tcp_xmit_size_goal` → `tcp_bound_to_half_wnd`), then starts a
//!   new one. A full skb gets PSH when more than half that window was written since the
//!   last PSH (`forced_push`: `write_seq > pushed_seq + max_window / 2`), and the call's last
//!   skb gets it in `tcp_push` (`tcp_mark_push`), unless MSG_MORE.
//! - `tcp_write_xmit` sends an skb in chunks of at most `tcp_tso_autosize` segments;
//!   `tcp_fragment` cuts the skb at the chunk's end and moves PSH to the second part ("PSH
//!   and FIN should only be set in the second packet"), so a cut is a new boundary here.
//! - Before it sends the skb at the head, `tcp_write_xmit` grows it from the next skb up to
//!   its quota of segments (`tcp_grow_skb`, Linux 6.10), so skbs cut small (a small MSS or
//!   a small window when they were written) leave in full segments once those grew.
//! - `__tcp_transmit_skb` sets PSH on every chunk of more than one segment ("Force a PSH
//!   flag on all (GSO) packets to expedite GRO flush at receiver", commit 051ba67447de,
//!   Linux 4.7) on the copy it sends, not on the queued skb; GSO keeps it on the chunk's
//!   last segment only (`tcp_gso_segment`).
//!
//! So a lone segment carries PSH only if it ends a marked skb, and a retransmission of part
//! of a chunk carries it only if it ends the marked skb that chunk came from.

use std::collections::VecDeque;

/// One skb: where it ends (a stream offset) and whether `tcp_mark_push` set PSH on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Skb {
    end: u64,
    psh: bool,
}

/// The skb holding a stream offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkbAt {
    pub start: u64,
    pub end: u64,
    pub psh: bool,
    /// The last skb of the queue (Nagle only ever holds this one back: `tcp_write_xmit`
    /// tests `tcp_skb_is_last`).
    pub is_tail: bool,
}

/// The skbs of the bytes not yet acknowledged, in stream order; the first starts at `start`.
#[derive(Clone, Debug, Default)]
pub struct SendSkbs {
    skbs: VecDeque<Skb>,
    start: u64,
}

impl SendSkbs {
    fn start_of(&self, i: usize) -> u64 {
        if i == 0 {
            self.start
        } else {
            self.skbs[i - 1].end
        }
    }

    /// The peer acknowledged everything below `off`: whole skbs leave the queue
    /// (`tcp_clean_rtx_queue`), a partly acknowledged one is trimmed (`tcp_trim_head`).
    pub fn ack_to(&mut self, off: u64) {
        while self.skbs.front().is_some_and(|s| s.end <= off) {
            self.skbs.pop_front();
        }
        self.start = self.start.max(off);
    }

    /// The skb holding stream offset `off`.
    pub fn at(&self, off: u64) -> Option<SkbAt> {
        let i = self.skbs.iter().position(|s| s.end > off)?;
        let s = self.skbs[i];
        Some(SkbAt {
            start: self.start_of(i),
            end: s.end,
            psh: s.psh,
            is_tail: i + 1 == self.skbs.len(),
        })
    }

    /// `tcp_fragment` at `off`: the skb holding it becomes two, and its PSH goes with the
    /// second part. Nothing changes if `off` already is a boundary.
    pub fn split_at(&mut self, off: u64) {
        let Some(i) = self.skbs.iter().position(|s| s.end > off) else {
            return;
        };
        if self.start_of(i) < off {
            self.skbs.insert(
                i,
                Skb {
                    end: off,
                    psh: false,
                },
            );
        }
    }

    /// `tcp_write_wakeup` sending the bytes up to `end` of the skb holding `end - 1`: it sets
    /// PSH on that skb (`TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH`) before cutting it to the
    /// window or the MSS (`tcp_fragment`, whose second part keeps the flag), then on the
    /// part it sends. The flag stays with the skb: a retransmission of it carries PSH.
    pub fn mark_push(&mut self, end: u64) {
        let Some(i) = self.skbs.iter().position(|s| s.end >= end) else {
            return;
        };
        if self.start_of(i) >= end {
            return;
        }
        self.skbs[i].psh = true;
        self.split_at(end);
        self.skbs[i].psh = true;
    }

    /// Linux `tcp_grow_skb` (6.10, "tcp: try to send bigger TSO packets"): before
    /// `tcp_write_xmit` sends the skb starting at `off` (the send head), it takes up to
    /// `amount` bytes from the next skb (that one only), when the MSS or the quota grew since
    /// the skbs were cut; a next skb taken whole is eaten and its PSH goes with it
    /// (`tcp_eat_one_skb`). Nothing for the tail skb.
    pub fn grow(&mut self, off: u64, amount: u64) {
        let Some(i) = self.skbs.iter().position(|s| s.end > off) else {
            return;
        };
        if i + 1 >= self.skbs.len() || amount == 0 {
            return;
        }
        let next = self.skbs[i + 1];
        let take = amount.min(next.end - self.skbs[i].end);
        self.skbs[i].end += take;
        if self.skbs[i].end == next.end {
            self.skbs[i].psh |= next.psh;
            self.skbs.remove(i + 1);
        }
    }

    /// `tcp_collapse_retrans`: the skb ending at `off` takes the next one in, and with it
    /// its PSH ("merge over control information"). Nothing changes if no skb ends at `off`.
    pub fn merge_at(&mut self, off: u64) {
        let Some(i) = self.skbs.iter().position(|s| s.end == off) else {
            return;
        };
        if i + 1 < self.skbs.len() {
            let psh = self.skbs[i].psh;
            self.skbs.remove(i);
            self.skbs[i].psh |= psh;
        }
    }

    /// Copies up to `len` bytes written at the stream's end `tail` into the queue, as one
    /// pass of `tcp_sendmsg_locked`'s loop: into the tail skb if it has not been sent (it
    /// starts at or after `unsent_from`) and is below `size_goal`, else into a new skb.
    /// `first` is the call's first copy, which takes the PSH off the skb it fills (`if
    /// (!copied) TCP_SKB_CB(skb)->tcp_flags &= ~TCPHDR_PSH`). Returns the bytes taken and
    /// whether that skb is now full.
    pub fn append(
        &mut self,
        tail: u64,
        len: u64,
        size_goal: u64,
        unsent_from: u64,
        first: bool,
    ) -> (u64, bool) {
        if self.skbs.is_empty() {
            self.start = tail;
        }
        let n = self.skbs.len();
        let fill = n > 0 && self.start_of(n - 1) >= unsent_from && {
            let s = self.skbs[n - 1];
            s.end - self.start_of(n - 1) < size_goal
        };
        if !fill {
            self.skbs.push_back(Skb {
                end: tail,
                psh: false,
            });
        }
        let n = self.skbs.len();
        let skb_start = self.start_of(n - 1);
        let skb = &mut self.skbs[n - 1];
        let take = len.min(size_goal - (skb.end - skb_start));
        skb.end += take;
        if first {
            skb.psh = false;
        }
        (take, skb.end - skb_start >= size_goal)
    }

    /// How many skbs hold the unacknowledged and unsent bytes (each has a head in memory).
    pub fn count(&self) -> usize {
        self.skbs.len()
    }

    /// What the tail skb still takes before it reaches `size_goal`, if it has not been sent
    /// (it starts at or after `unsent_from`): a write fills it without a memory check.
    pub fn tail_room(&self, size_goal: u64, unsent_from: u64) -> u64 {
        let n = self.skbs.len();
        if n == 0 || self.start_of(n - 1) < unsent_from {
            return 0;
        }
        size_goal.saturating_sub(self.skbs[n - 1].end - self.start_of(n - 1))
    }

    /// The length of the tail skb if it has not been sent (it starts at or after
    /// `unsent_from`).
    pub fn unsent_tail_len(&self, unsent_from: u64) -> Option<u64> {
        let n = self.skbs.len();
        (n > 0 && self.start_of(n - 1) >= unsent_from)
            .then(|| self.skbs[n - 1].end - self.start_of(n - 1))
    }

    /// `tcp_mark_push` on the tail skb.
    pub fn mark_tail(&mut self) {
        if let Some(s) = self.skbs.back_mut() {
            s.psh = true;
        }
    }

    /// The tail skb is the first one not sent yet (`skb == tcp_send_head(sk)`).
    pub fn tail_is_send_head(&self, unsent_from: u64) -> bool {
        let n = self.skbs.len();
        n > 0 && self.start_of(n - 1) == unsent_from
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(q: &SendSkbs) -> Vec<(u64, bool)> {
        q.skbs.iter().map(|s| (s.end, s.psh)).collect()
    }

    #[test]
    fn a_write_fills_skbs_of_size_goal_and_an_unsent_tail_takes_the_next_write() {
        let mut q = SendSkbs::default();
        assert_eq!(q.append(0, 5000, 2896, 0, true), (2896, true));
        assert_eq!(q.append(2896, 2104, 2896, 0, false), (2104, false));
        q.mark_tail();
        assert_eq!(ends(&q), [(2896, false), (5000, true)]);
        // The next call fills the unsent tail and takes its PSH off until its own push.
        assert_eq!(q.append(5000, 1000, 2896, 0, true), (792, true));
        assert_eq!(ends(&q), [(2896, false), (5792, false)]);
    }

    #[test]
    fn the_send_head_grows_from_the_next_skb_only_and_eats_it_whole_with_its_psh() {
        let mut q = SendSkbs::default();
        for _ in 0..3 {
            let tail = q.skbs.back().map_or(0, |s| s.end);
            q.append(tail, 724, 724, 0, false);
            q.mark_tail();
        }
        q.skbs[0].psh = false;
        // Taken whole: the next skb's PSH comes along.
        q.grow(0, 2172);
        assert_eq!(ends(&q), [(1448, true), (2172, true)]);
        // Partly: the rest of the next skb keeps its boundary's PSH.
        let mut q = SendSkbs::default();
        q.append(0, 1448, 1448, 0, true);
        q.append(1448, 7240, 7240, 1448, false);
        q.mark_tail();
        q.grow(0, 1448);
        assert_eq!(ends(&q), [(2896, false), (8688, true)]);
        // The tail never grows.
        q.grow(2896, 1448);
        assert_eq!(ends(&q), [(2896, false), (8688, true)]);
    }

    #[test]
    fn a_merge_joins_two_skbs_and_keeps_either_psh() {
        let mut q = SendSkbs::default();
        for _ in 0..3 {
            let tail = q.skbs.back().map_or(0, |s| s.end);
            q.append(tail, 5, 1448, tail, true);
            q.mark_tail();
        }
        q.skbs[1].psh = false;
        q.merge_at(5);
        assert_eq!(ends(&q), [(10, true), (15, true)]);
        // No skb ends there, or it is the last: nothing to merge.
        q.merge_at(12);
        q.merge_at(15);
        assert_eq!(ends(&q), [(10, true), (15, true)]);
    }

    #[test]
    fn a_sent_tail_is_never_filled_again() {
        let mut q = SendSkbs::default();
        q.append(0, 1000, 2896, 0, true);
        // Everything below 1000 has been sent: the next write starts a new skb.
        assert_eq!(q.append(1000, 500, 2896, 1000, true), (500, false));
        assert_eq!(ends(&q), [(1000, false), (1500, false)]);
        assert!(q.tail_is_send_head(1000));
    }

    #[test]
    fn a_split_moves_psh_to_the_second_part_and_acks_trim_the_front() {
        let mut q = SendSkbs::default();
        q.append(0, 4344, 65160, 0, true);
        q.mark_tail();
        q.split_at(2896);
        q.split_at(2896);
        assert_eq!(ends(&q), [(2896, false), (4344, true)]);
        let at = q.at(3000).expect("an skb holds 3000");
        assert_eq!(
            (at.start, at.end, at.psh, at.is_tail),
            (2896, 4344, true, true)
        );
        q.ack_to(1448);
        assert_eq!(q.at(1448).map(|s| s.start), Some(1448));
        q.ack_to(2896);
        assert_eq!(ends(&q), [(4344, true)]);
        assert_eq!(q.at(4344), None);
    }
}
