//! One direction between two hosts: latency, jitter, bandwidth, MTU, loss, duplication and
//! reordering, all drawn from the link's own seeded random stream.

use std::collections::VecDeque;

use crate::rng::Rng;
use crate::scenario::{pct_to_ppm, LinkSpec};
use crate::trace::Micros;

#[derive(Clone, Debug)]
pub struct Link {
    pub latency_us: Micros,
    pub jitter_us: Micros,
    pub bandwidth_bps: u64,
    /// [`crate::scenario::LinkSpec::handover_us`].
    pub handover_us: Micros,
    /// [`crate::scenario::LinkSpec::first_handover_us`].
    pub first_handover_us: Micros,
    /// [`crate::scenario::LinkSpec::first_handover_idle_us`].
    pub first_handover_idle_us: Micros,
    /// [`crate::scenario::LinkSpec::datagram_handover_us`].
    pub datagram_handover_us: Micros,
    /// [`crate::scenario::LinkSpec::pass_us`].
    pub pass_us: Micros,
    pub mtu: u32,
    pub loss_ppm: u32,
    pub duplicate_ppm: u32,
    pub reorder_ppm: u32,
    rng: Rng,
    /// The sender's interface is busy serialising until then.
    busy_until: Micros,
    /// Latest arrival so far: packets that are not reordered never overtake it (FIFO).
    last_arrival: Micros,
    /// Whether a packet has arrived in order yet (`last_arrival` is its time).
    arrived: bool,
    /// The hand-over trains not yet over, earliest first: (first, last) arrival of packets
    /// the receiving end hands over back to back, each `handover_us` after the one before
    /// because it was due no later ([`Link::train_end`]).
    trains: VecDeque<(Micros, Micros)>,
    /// The last in-order packet started a train after the link had been idle for
    /// `first_handover_idle_us` and nothing has joined it yet: the next one waits
    /// `first_handover_us` behind it.
    lone_head: bool,
}

/// What the link does with one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Arrive {
        at: Micros,
        duplicate_at: Option<Micros>,
    },
    /// Lost; `at` is half-way along, where the viewer draws the ✕.
    Lost {
        at: Micros,
    },
    TooBig,
}

impl Link {
    pub fn new(spec: &LinkSpec, rng: Rng) -> Link {
        Link {
            latency_us: spec.latency_us,
            jitter_us: spec.jitter_us,
            bandwidth_bps: spec.bandwidth_bps,
            handover_us: spec.handover_us,
            first_handover_us: spec.first_handover_us,
            first_handover_idle_us: spec.first_handover_idle_us,
            datagram_handover_us: spec.datagram_handover_us,
            pass_us: spec.pass_us,
            mtu: spec.mtu,
            loss_ppm: pct_to_ppm(spec.loss_pct),
            duplicate_ppm: pct_to_ppm(spec.duplicate_pct),
            reorder_ppm: pct_to_ppm(spec.reorder_pct),
            rng,
            busy_until: 0,
            last_arrival: 0,
            arrived: false,
            trains: VecDeque::new(),
            lone_head: false,
        }
    }

    /// When the receiving end hands over the last in-order packet sent so far.
    pub fn last_handover(&self) -> Micros {
        self.last_arrival
    }

    /// When the sender's interface has serialised everything given to it so far.
    pub fn busy_until(&self) -> Micros {
        self.busy_until
    }

    /// When the receiving end finishes handing over the train of packets it is handing over
    /// at `now` (`handover_us` apart, back to back), or `now` if none: a task that a packet
    /// of the train woke and that returns to user space before it makes its next call (a
    /// poll() then a recv()) finds the whole train.
    pub fn train_end(&self, now: Micros) -> Micros {
        self.trains
            .iter()
            .find(|&&(first, last)| first <= now && now <= last)
            .map_or(now, |&(_, last)| last)
    }

    /// Sends a packet of `wire_len` bytes at `now`, with `extra_delay` from a fault rule.
    pub fn transmit(&mut self, now: Micros, wire_len: u32, extra_delay: Micros) -> Fate {
        self.transmit_packets(now, &[wire_len], extra_delay, false)
    }

    /// Sends one IP datagram at `now` as the packets of `wire_lens` (its fragments, RFC 791
    /// §3.2, or itself alone), back to back, with `extra_delay` from a fault rule. Each
    /// fragment is serialised and handed over as a packet of its own, and the datagram
    /// arrives when its last fragment does: the receiving stack reassembles it then
    /// (`ip_local_deliver` → `ip_defrag` → `inet_frag_reasm_finish`), and only then does
    /// UDP queue it and wake a reader. So a 65507-byte datagram on the lab's wire, 45
    /// fragments each written to the TUN device on its own, lands 44 hand-overs after its
    /// first fragment, and a reader woken by a datagram before it runs in between. Each
    /// fragment is lost on its own (a lossy link drops packets, and the lab's wire draws its
    /// loss per packet it relays), and the datagram is lost if any one is: the receiver
    /// holds the others in its reassembly queue until `ipfrag_time` (30 s) and then frees
    /// them (`ip_expire`), so nothing reaches the socket. One draw of jitter, reordering and
    /// duplication stands for the whole datagram. Each packet is handed over
    /// `datagram_handover_us` after the one before when that is set
    /// ([`crate::scenario::LinkSpec::datagram_handover_us`]).
    pub fn transmit_fragments(
        &mut self,
        now: Micros,
        wire_lens: &[u32],
        extra_delay: Micros,
    ) -> Fate {
        self.transmit_packets(now, wire_lens, extra_delay, true)
    }

    /// [`Link::transmit_fragments`] for a UDP datagram (`datagram`) or one TCP segment.
    fn transmit_packets(
        &mut self,
        now: Micros,
        wire_lens: &[u32],
        extra_delay: Micros,
        datagram: bool,
    ) -> Fate {
        if wire_lens.iter().any(|&l| l > self.mtu) {
            return Fate::TooBig;
        }
        let start = now.max(self.busy_until);
        self.busy_until = start + wire_lens.iter().map(|&l| self.serialise(l)).sum::<Micros>();
        let jitter = if self.jitter_us > 0 {
            self.rng.below(self.jitter_us + 1)
        } else {
            0
        };
        let delay = self.latency_us + self.pass_us + jitter + extra_delay;
        let mut at = self.busy_until + delay;
        // One loss draw per packet, every one drawn (a lone packet: one draw, as ever).
        let lost = wire_lens
            .iter()
            .fold(false, |lost, _| self.rng.chance_ppm(self.loss_ppm) | lost);
        if lost {
            return Fate::Lost {
                at: now + (at - now) / 2,
            };
        }
        if self.rng.chance_ppm(self.reorder_ppm) {
            at += self.latency_us + self.jitter_us + 1;
        } else if extra_delay == 0 {
            let mut done = start;
            for &len in wire_lens {
                done += self.serialise(len);
                at = self.hand_over(now, done + delay, datagram);
            }
        }
        let duplicate_at = if self.rng.chance_ppm(self.duplicate_ppm) {
            Some(at + 1 + self.rng.below(self.jitter_us + 1))
        } else {
            None
        };
        Fate::Arrive { at, duplicate_at }
    }

    /// When the receiving end hands over an in-order packet sent at `now` and due at `at`
    /// (a packet of a UDP datagram: `datagram`).
    fn hand_over(&mut self, now: Micros, at: Micros, datagram: bool) -> Micros {
        // The receiving end hands packets over one at a time, `handover_us` apart
        // (`first_handover_us` behind a train's first): a flight sent at one instant
        // reaches the stack spread out (only in-order packets: one a fault delays or the
        // link reorders arrives at its own time). A UDP packet takes `datagram_handover_us`
        // when set, first of a train or not: the long first hand-over was measured on TCP
        // flights, whose first write runs `tcp_rcv_established` (in quick-ack mode sending
        // the ACK too, `__tcp_ack_snd_check`), while a datagram is only queued
        // (`__udp_enqueue_schedule_skb`); datagrams sent together were measured to land
        // before the reader the first one woke has run, and so they do here.
        let gap = if datagram && self.datagram_handover_us > 0 {
            self.datagram_handover_us
        } else if self.lone_head {
            self.first_handover_us.max(self.handover_us)
        } else {
            self.handover_us
        };
        let next = if self.arrived {
            self.last_arrival + gap
        } else {
            0
        };
        while self.trains.front().is_some_and(|&(_, last)| last < now) {
            self.trains.pop_front();
        }
        match self.trains.back_mut() {
            Some((_, last)) if self.arrived && at <= next => {
                *last = next;
                self.lone_head = false;
            }
            _ => {
                self.trains.push_back((at.max(next), at.max(next)));
                // The long hand-over is the receiving stack's work inside the write (a
                // reader back asleep to wake, a cold receive path), not the place in a
                // train: a packet that comes soon after the last hand-over finds the stack
                // warm and the reader the train woke still running, and takes the short one.
                self.lone_head =
                    !self.arrived || at >= self.last_arrival + self.first_handover_idle_us;
            }
        }
        let at = at.max(next);
        self.last_arrival = at;
        self.arrived = true;
        at
    }

    /// How long the sender's interface takes to serialise a packet of `wire_len` bytes.
    fn serialise(&self, wire_len: u32) -> Micros {
        if self.bandwidth_bps == 0 {
            0
        } else {
            (wire_len as u64 * 8 * 1_000_000).div_ceil(self.bandwidth_bps)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many of `n` datagrams crossing as `frags` packets of 1500 bytes each a link that
    /// loses `loss_pct` of its packets loses.
    fn lost_of(n: usize, frags: usize, loss_pct: f64) -> usize {
        let spec = LinkSpec {
            loss_pct,
            ..LinkSpec::default()
        };
        let mut link = Link::new(&spec, Rng::new(7));
        let lens = vec![1500; frags];
        (0..n)
            .filter(|&i| {
                matches!(
                    link.transmit_fragments(i as u64 * 1000, &lens, 0),
                    Fate::Lost { .. }
                )
            })
            .count()
    }

    /// When each TCP packet sent at `sends` arrives over a 1 ms link with the lab wire's
    /// hand-over times and the long first one after `idle_us` of quiet.
    fn arrivals(idle_us: Micros, sends: &[Micros]) -> Vec<Micros> {
        let spec = LinkSpec {
            latency_us: 1_000,
            handover_us: 10,
            first_handover_us: 60,
            first_handover_idle_us: idle_us,
            ..LinkSpec::default()
        };
        let mut link = Link::new(&spec, Rng::new(7));
        sends
            .iter()
            .map(|&t| match link.transmit(t, 1500, 0) {
                Fate::Arrive { at, .. } => at,
                other => panic!("a packet on a lossless link: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_packet_that_starts_a_train_soon_after_the_last_hand_over_takes_the_short_one() {
        // window/fast-retransmit at 140 ms: the retransmission that fills the hole (sent at
        // 0) wakes the reader and takes the long hand-over; the sender's next segment comes
        // 60 µs later and joins it; the one after, 20 µs after that, finds the link already
        // done, so it starts a train of its own, but the stack took a packet 20 µs before:
        // the segment sent with it follows 10 µs behind, as the relay's 2-4 µs did on 6.18
        // (the long one only after 150 µs of quiet: the flight at 2 ms).
        let sends = [0, 60, 80, 80, 2_000, 2_000];
        assert_eq!(
            arrivals(150, &sends),
            [1_000, 1_060, 1_080, 1_090, 3_000, 3_060]
        );
        // Without the idle spell every train's first packet takes the long one.
        assert_eq!(
            arrivals(0, &sends),
            [1_000, 1_060, 1_080, 1_140, 3_000, 3_060]
        );
    }

    #[test]
    fn a_fragmented_datagram_is_lost_if_any_one_of_its_fragments_is() {
        // 10 % loss a packet: a datagram of one packet is lost 1 time in 10, one of three
        // fragments 1 - 0.9³ = 27.1 % of the time, one of 45 (65507 bytes) nearly always.
        let one = lost_of(2000, 1, 10.0);
        let three = lost_of(2000, 3, 10.0);
        let many = lost_of(2000, 45, 10.0);
        assert!((160..=240).contains(&one), "{one} of 2000");
        assert!((480..=600).contains(&three), "{three} of 2000");
        assert!(many >= 1940, "{many} of 2000");
        // No loss draws nothing, fragments or not.
        assert_eq!(lost_of(100, 45, 0.0), 0);
    }
}
