//! UDP sockets (RFC 768): datagrams keep their boundaries; a short read truncates.

use std::collections::VecDeque;

use crate::trace::{Addr, PayloadSpan, SocketId};

pub const UDP_HEADER: u32 = 8;

/// The largest UDP payload over IPv4: the IP total length is 16 bits, so 65535 − 20 (IP header)
/// − 8 (UDP header). Linux refuses a longer datagram with EMSGSIZE (`udp_sendmsg`: `len > 0xFFFF`,
/// then `__ip_append_data`: `length > maxnonfragsize`, where it is `0xFFFF` less the headers).
pub const MAX_PAYLOAD: u32 = 65_535 - 20 - UDP_HEADER;

/// The least receive buffer SO_RCVBUF gives (`SOCK_MIN_RCVBUF`: 2048 + the 256-byte aligned
/// sk_buff; read back with getsockopt on 6.18, where SO_RCVBUF 1 reads 2304).
pub const SOCK_MIN_RCVBUF: u32 = 2_304;

/// `sk_rcvbuf` for a socket whose program set SO_RCVBUF to `b`: the kernel doubles the value
/// to leave room for its bookkeeping (`sock_setsockopt` → `__sock_set_rcvbuf`: `val * 2`, at
/// least SOCK_MIN_RCVBUF).
pub fn rcvbuf_of_so_rcvbuf(b: u32) -> u32 {
    b.saturating_mul(2).max(SOCK_MIN_RCVBUF)
}

/// The memory (skb truesize) one received IPv4 packet of `ip_len` bytes takes when its device
/// copies it into a linear buffer with `pad` bytes of headroom (a TUN device: `tun_alloc_skb`
/// with `tun->align` = NET_SKB_PAD, 64, for packets under a page). The head is the packet and
/// the headroom, cache-aligned, plus the 320-byte skb_shared_info; a head up to 576 bytes
/// comes from the small-head cache (`SKB_SMALL_HEAD_CACHE_SIZE`, `kmalloc_reserve`), a larger
/// one from a power-of-two kmalloc slab; then the 256-byte sk_buff (`SKB_TRUESIZE`). A 100-byte
/// datagram: 832; 200: 1280; 1000: 2304 (each measured on 6.18 through the lab's wire).
pub fn skb_truesize(ip_len: u32, pad: u32) -> u32 {
    const SK_BUFF: u32 = 256;
    skb_slab(ip_len, pad) + SK_BUFF
}

/// The skb_shared_info at the end of every packet buffer (`SKB_DATA_ALIGN`ed).
const SHARED_INFO: u32 = 320;

/// The slab a packet of `ip_len` bytes with `pad` bytes of headroom is copied into (see
/// [`skb_truesize`]).
fn skb_slab(ip_len: u32, pad: u32) -> u32 {
    const SMALL_HEAD: u32 = 576;
    let head = (pad + ip_len).div_ceil(64) * 64 + SHARED_INFO;
    if head <= SMALL_HEAD {
        SMALL_HEAD
    } else {
        head.next_power_of_two()
    }
}

/// The memory a datagram of `wire_len` IP bytes takes once received over a link of `mtu`:
/// above the MTU it travelled as IPv4 fragments (RFC 791 §3.2; each but the last carries a
/// multiple of 8 bytes, `ip_do_fragment`), and the reassembled datagram keeps the fragments'
/// buffers (`inet_frag_reasm_finish` adds each one's truesize to the head's), but for one
/// that `skb_try_coalesce` copies into the head: while the head is still linear, a fragment
/// no longer than its tailroom goes there and is freed (`delta_truesize` 0). With a 1500-byte
/// MTU the first fragment's buffer has 164 bytes to spare, so a 1473-byte datagram (1480 + 1)
/// takes one buffer, 2304 bytes, not two (measured on 6.18, explore seed 1700 #22: 2 × 65507 +
/// 3 × 1472-1473 bytes fit net.core.rmem_default's 212992). Once a fragment is chained the
/// head is no longer linear (no tailroom), so every later one keeps its buffer.
pub fn datagram_truesize(wire_len: u32, mtu: u32, pad: u32) -> u32 {
    let mut data = fragment_data(wire_len, mtu);
    let Some(first) = data.next() else {
        return skb_truesize(wire_len, pad);
    };
    let mut sum = skb_truesize(IP_HEADER + first, pad);
    // The head's tailroom: its slab less the shared info, the headroom and the packet.
    let mut tailroom =
        Some(skb_slab(IP_HEADER + first, pad) - SHARED_INFO - pad - IP_HEADER - first);
    for n in data {
        match tailroom {
            Some(room) if n <= room => tailroom = Some(room - n),
            _ => {
                sum += skb_truesize(IP_HEADER + n, pad);
                tailroom = None;
            }
        }
    }
    sum
}

const IP_HEADER: u32 = 20;

/// The IP packets an IPv4 datagram of `wire_len` bytes crosses a link of `mtu` as: itself,
/// or above the MTU its fragments, each an IP header and a share of the data, every share
/// but the last a multiple of 8 bytes (RFC 791 §3.2, `ip_do_fragment`).
pub fn fragment_lens(wire_len: u32, mtu: u32) -> Vec<u32> {
    let frags: Vec<u32> = fragment_data(wire_len, mtu)
        .map(|n| IP_HEADER + n)
        .collect();
    if frags.is_empty() {
        vec![wire_len]
    } else {
        frags
    }
}

/// The data bytes of each fragment of an IPv4 datagram of `wire_len` bytes over a link of
/// `mtu`, in order; none when it is not fragmented.
fn fragment_data(wire_len: u32, mtu: u32) -> impl Iterator<Item = u32> {
    let fragmented = wire_len > mtu && mtu > IP_HEADER + 8;
    let per = if fragmented {
        (mtu - IP_HEADER) / 8 * 8
    } else {
        0
    };
    let mut left = if fragmented { wire_len - IP_HEADER } else { 0 };
    std::iter::from_fn(move || {
        (left > 0).then(|| {
            let n = left.min(per);
            left -= n;
            n
        })
    })
}

#[derive(Clone, Debug)]
pub struct Datagram {
    pub from: Addr,
    pub len: u32,
    pub payload: Vec<PayloadSpan>,
    /// The memory its buffers take in the receive queue (`datagram_truesize`).
    pub truesize: u32,
}

#[derive(Clone, Debug)]
pub struct UdpSocket {
    pub id: SocketId,
    pub local: Addr,
    /// connect()ed default destination.
    pub remote: Option<Addr>,
    pub queue: VecDeque<Datagram>,
    pub queued_bytes: u32,
    /// The queue's capacity in payload bytes: the limit itself when `rcvbuf_mem` is 0 (the
    /// RFC picture), else only the scale of the queue's gauge.
    pub recv_cap: u32,
    /// `sk_rcvbuf`: the limit on the queue's memory (0: payload bytes count instead).
    pub rcvbuf_mem: u32,
    /// `sk_rmem_alloc`: the memory of the queued datagrams, and of read ones not yet
    /// released (`forward_deficit`).
    pub rmem: u32,
    /// Linux `up->forward_deficit`: the memory of datagrams read but still charged.
    forward_deficit: u32,
    /// How many of the queued datagrams are in Linux's `up->reader_queue`, the batch the
    /// last refill moved over from `sk_receive_queue`; later arrivals queue behind them.
    reader_queue: usize,
    pub closed: bool,
    /// SO_REUSEADDR and SO_REUSEPORT, for sharing the port.
    pub reuse_addr: bool,
    pub reuse_port: bool,
    /// A pending error (`sk_err`, from an ICMP port unreachable), returned once by the next
    /// send() or recv().
    pub error: Option<&'static str>,
}

/// What one recvfrom() returned.
#[derive(Clone, Debug, PartialEq)]
pub struct UdpRead {
    pub from: Addr,
    pub payload: Vec<PayloadSpan>,
    pub len: u32,
    /// Bytes of the datagram discarded because the buffer was too small (MSG_TRUNC).
    pub truncated: u32,
}

impl UdpSocket {
    pub fn new(id: SocketId, local: Addr, recv_cap: u32) -> UdpSocket {
        UdpSocket {
            id,
            local,
            remote: None,
            queue: VecDeque::new(),
            queued_bytes: 0,
            recv_cap,
            rcvbuf_mem: 0,
            rmem: 0,
            forward_deficit: 0,
            reader_queue: 0,
            closed: false,
            reuse_addr: false,
            reuse_port: false,
            error: None,
        }
    }

    /// Queue an arriving datagram; false if the receive buffer is full. Linux counts memory:
    /// a datagram that would take the queue past `sk_rcvbuf` is dropped, but an empty queue
    /// always takes one, however big (`__udp_enqueue_schedule_skb`; on 6.18 the sum with the
    /// new datagram is checked: SO_RCVBUF 2048 keeps four 832-byte buffers of 4096, not five).
    pub fn deliver(&mut self, d: Datagram) -> bool {
        let full = if self.rcvbuf_mem > 0 {
            !self.queue.is_empty() && self.rmem.saturating_add(d.truesize) > self.rcvbuf_mem
        } else {
            self.queued_bytes + d.len > self.recv_cap
        };
        if self.closed || full {
            return false;
        }
        self.rmem = self.rmem.saturating_add(d.truesize);
        self.queued_bytes += d.len;
        self.queue.push_back(d);
        true
    }

    /// recvfrom() with a `max`-byte buffer: one whole datagram, or its first `max` bytes with
    /// the rest discarded (never split across two reads, never merged with the next).
    pub fn read(&mut self, max: u32) -> Option<UdpRead> {
        let d = self.queue.pop_front()?;
        self.queued_bytes -= d.len;
        self.release(d.truesize);
        let len = d.len.min(max);
        Some(UdpRead {
            from: d.from,
            payload: crate::tcp::buffers::slice_spans(&d.payload, 0, len),
            len,
            truncated: d.len - len,
        })
    }

    /// Linux `__skb_recv_udp` → `udp_skb_destructor` → `udp_rmem_release(…, partial 1)`: a
    /// datagram taken off the queue stays charged to `sk_rmem_alloc` until what is owed
    /// reaches a quarter of the buffer (`forward_threshold` = sk_rcvbuf >> 2) or the reader
    /// queue runs empty; the reader queue is refilled with everything queued when it is empty
    /// (`skb_queue_splice_tail_init`). So a few small reads free nothing while a batch is
    /// still unread. Measured on 6.18 (0 ms wire, rcvbuf 212992): after 3000, 100 and 1473
    /// bytes were read from a queue of five, a second 65507-byte datagram was dropped with
    /// 65507 + 3000 bytes queued (7744 bytes of read datagrams still charged), where a
    /// release at once left room for it.
    fn release(&mut self, truesize: u32) {
        if self.rcvbuf_mem == 0 {
            self.rmem = self.rmem.saturating_sub(truesize);
            return;
        }
        if self.reader_queue == 0 {
            // The refill: this datagram was already dequeued, the rest of the queue joins it.
            self.reader_queue = self.queue.len() + 1;
        }
        self.reader_queue -= 1;
        self.forward_deficit += truesize;
        if self.forward_deficit >= self.rcvbuf_mem >> 2 || self.reader_queue == 0 {
            self.rmem = self.rmem.saturating_sub(self.forward_deficit);
            self.forward_deficit = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::HostId;

    const PEER: Addr = Addr {
        host: HostId(0),
        port: 1,
    };

    fn datagram(truesize: u32) -> Datagram {
        Datagram {
            from: PEER,
            len: 100,
            payload: Vec::new(),
            truesize,
        }
    }

    #[test]
    fn a_read_datagram_stays_charged_until_a_quarter_of_the_buffer_is_owed_or_the_batch_is_read() {
        // `udp_rmem_release` with an 8000-byte sk_rcvbuf: forward_threshold 2000. The first
        // read takes the three queued datagrams into the reader queue and frees nothing; the
        // second brings what is owed to 2000 and frees it; the third empties the reader queue
        // (D, queued after the refill, is not in it) and frees its own.
        let mut u = UdpSocket::new(SocketId(0), PEER, 8000);
        u.rcvbuf_mem = 8000;
        for _ in 0..3 {
            assert!(u.deliver(datagram(1000)));
        }
        assert_eq!(u.rmem, 3000);
        u.read(100);
        assert_eq!(u.rmem, 3000, "A read, still charged");
        assert!(u.deliver(datagram(1000)));
        assert_eq!(u.rmem, 4000);
        u.read(100);
        assert_eq!(u.rmem, 2000, "A and B freed at the threshold");
        u.read(100);
        assert_eq!(u.rmem, 1000, "C freed: the reader queue ran empty");
        u.read(100);
        assert_eq!(u.rmem, 0);
    }
}
