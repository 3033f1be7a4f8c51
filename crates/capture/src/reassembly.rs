//! IP fragment reassembly (RFC 791 §3.2 for IPv4, RFC 8200 §4.5 for IPv6).
//!
//! Wireshark reassembles fragmented datagrams by default (the `ip.defragment` and
//! `ipv6.defragment` preferences) and shows the TCP or UDP packet on the frame whose fragment
//! completes the datagram; the other fragments are only fragments. We do the same, so that a
//! UDP datagram larger than the path MTU keeps its conversation and each frame number means
//! the same packet in both tools. A datagram whose fragments never all arrive gives no packet
//! (in Wireshark too).
//!
//! Bounded: a datagram's payload is at most [`MAX_DATAGRAM`] bytes, and at most
//! [`Reassembler::MAX_PENDING`] datagrams and [`Reassembler::MAX_HELD`] bytes wait for their
//! missing fragments; past that the datagram that started earliest is given up (one whose
//! fragments are that far apart would be reassembled by Wireshark and not by us).
//!
//! The waiting datagrams are a plain list, searched from the newest: few are ever incomplete at
//! once, and in the worker's wasm a list costs a fraction of the code two maps do.

use crate::decode::{Fragment, FragmentKey, MAX_DATAGRAM};

/// The fragments of one datagram received so far.
#[derive(Debug)]
struct Pending {
    /// The payload, filled where fragments were seen.
    bytes: Vec<u8>,
    /// One bit per byte of `bytes`: seen or not.
    seen: Vec<u64>,
    /// How many bits of `seen` are set.
    seen_count: usize,
    /// Payload length, known once the last fragment (more-fragments clear) was seen.
    end: Option<u32>,
}

impl Pending {
    fn is_seen(&self, i: usize) -> bool {
        self.seen[i / 64] & (1 << (i % 64)) != 0
    }

    /// Copies `data` at `offset`. Bytes seen before are kept (the first copy wins).
    fn add(&mut self, offset: usize, data: &[u8]) {
        let end = offset + data.len();
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
            self.seen.resize(end.div_ceil(64), 0);
        }
        for (i, &b) in (offset..end).zip(data) {
            if !self.is_seen(i) {
                self.bytes[i] = b;
                self.seen[i / 64] |= 1 << (i % 64);
                self.seen_count += 1;
            }
        }
    }

    /// Every byte up to the end seen. A datagram with bytes beyond the end its last fragment
    /// gives is inconsistent and never completes.
    fn complete(&self) -> bool {
        self.end
            .is_some_and(|end| self.bytes.len() == end as usize && self.seen_count == end as usize)
    }
}

/// Datagrams waiting for their missing fragments, oldest first.
#[derive(Debug, Default)]
pub struct Reassembler {
    pending: Vec<(FragmentKey, Pending)>,
    held: usize,
}

impl Reassembler {
    /// The most payload bytes kept for incomplete datagrams (a thousand full-size ones).
    pub const MAX_HELD: usize = 64 * 1024 * 1024;
    /// The most incomplete datagrams kept.
    pub const MAX_PENDING: usize = 1024;

    /// Adds one fragment. Returns the datagram's whole payload (the transport header first)
    /// when this fragment completes it.
    pub fn add(&mut self, frag: &Fragment<'_>) -> Option<Vec<u8>> {
        let frag_end = frag.offset + frag.data.len() as u32;
        if frag_end > MAX_DATAGRAM {
            return None;
        }
        let i = match self.pending.iter().rposition(|(k, _)| *k == frag.key) {
            Some(i) => i,
            None => {
                if self.pending.len() == Self::MAX_PENDING {
                    self.remove(0);
                }
                let fresh = Pending {
                    bytes: Vec::new(),
                    seen: Vec::new(),
                    seen_count: 0,
                    end: None,
                };
                self.pending.push((frag.key, fresh));
                self.pending.len() - 1
            }
        };
        let p = &mut self.pending[i].1;
        let before = p.bytes.len();
        p.add(frag.offset as usize, frag.data);
        if !frag.more {
            p.end = Some(frag_end);
        }
        self.held += p.bytes.len() - before;
        if p.complete() {
            return Some(self.remove(i).bytes);
        }
        while self.held > Self::MAX_HELD && !self.pending.is_empty() {
            self.remove(0);
        }
        None
    }

    fn remove(&mut self, i: usize) -> Pending {
        let (_, p) = self.pending.remove(i);
        self.held -= p.bytes.len();
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> FragmentKey {
        FragmentKey {
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            proto: 17,
            id: 7,
        }
    }

    fn frag(offset: u32, more: bool, data: &[u8]) -> Fragment<'_> {
        Fragment {
            key: key(),
            offset,
            more,
            data,
            header_len: 20,
        }
    }

    #[test]
    fn fragments_in_any_order_give_the_datagram_once_all_are_there() {
        let payload: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
        let mut r = Reassembler::default();
        assert_eq!(r.add(&frag(2960, false, &payload[2960..])), None);
        assert_eq!(r.add(&frag(0, true, &payload[..1480])), None);
        assert_eq!(
            r.add(&frag(1480, true, &payload[1480..2960])),
            Some(payload)
        );
        assert_eq!(r.held, 0);
    }

    #[test]
    fn a_missing_middle_fragment_gives_nothing() {
        let payload = [1u8; 3000];
        let mut r = Reassembler::default();
        assert_eq!(r.add(&frag(0, true, &payload[..1480])), None);
        assert_eq!(r.add(&frag(2960, false, &payload[2960..])), None);
        assert_eq!(r.pending.len(), 1);
    }

    #[test]
    fn a_fragment_reaching_past_65535_bytes_is_not_kept() {
        let data = [0u8; 16];
        let mut r = Reassembler::default();
        assert_eq!(r.add(&frag(65_528, false, &data)), None);
        assert!(r.pending.is_empty());
    }

    fn waiting(r: &Reassembler, id: u32) -> bool {
        r.pending.iter().any(|(k, _)| k.id == id)
    }

    #[test]
    fn the_oldest_incomplete_datagram_is_given_up_past_the_memory_bound() {
        let data = vec![0u8; 65_000];
        let mut r = Reassembler::default();
        for id in 0..1100u32 {
            let f = Fragment {
                key: FragmentKey { id, ..key() },
                ..frag(0, true, &data)
            };
            assert_eq!(r.add(&f), None);
        }
        assert!(r.held <= Reassembler::MAX_HELD);
        assert!(!waiting(&r, 0));
        assert!(waiting(&r, 1099));
    }

    #[test]
    fn the_oldest_incomplete_datagram_is_given_up_past_the_count_bound() {
        let data = [0u8; 8];
        let mut r = Reassembler::default();
        for id in 0..=Reassembler::MAX_PENDING as u32 {
            let f = Fragment {
                key: FragmentKey { id, ..key() },
                ..frag(0, true, &data)
            };
            assert_eq!(r.add(&f), None);
        }
        assert_eq!(r.pending.len(), Reassembler::MAX_PENDING);
        assert!(!waiting(&r, 0) && waiting(&r, 1) && waiting(&r, 1024));
        assert_eq!(r.held, 8 * Reassembler::MAX_PENDING);
    }
}
