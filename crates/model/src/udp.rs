//! UDP sockets (RFC 768): datagrams keep their boundaries; a short read truncates.

use std::collections::VecDeque;

use crate::trace::{Addr, PayloadSpan, SocketId};

pub const UDP_HEADER: u32 = 8;

/// The largest UDP payload over IPv4: the IP total length is 16 bits, so 65535 − 20 (IP header)
/// − 8 (UDP header). Linux refuses a longer datagram with EMSGSIZE (`udp_sendmsg`: `len > 0xFFFF`,
/// then `__ip_append_data`: `length > maxnonfragsize`, where it is `0xFFFF` less the headers).
pub const MAX_PAYLOAD: u32 = 65_535 - 20 - UDP_HEADER;

#[derive(Clone, Debug)]
pub struct Datagram {
    pub from: Addr,
    pub len: u32,
    pub payload: Vec<PayloadSpan>,
}

#[derive(Clone, Debug)]
pub struct UdpSocket {
    pub id: SocketId,
    pub local: Addr,
    /// connect()ed default destination.
    pub remote: Option<Addr>,
    pub queue: VecDeque<Datagram>,
    pub queued_bytes: u32,
    /// SO_RCVBUF: datagrams that do not fit are dropped.
    pub recv_cap: u32,
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
            closed: false,
            reuse_addr: false,
            reuse_port: false,
            error: None,
        }
    }

    /// Queue an arriving datagram; false if the receive buffer is full.
    pub fn deliver(&mut self, d: Datagram) -> bool {
        if self.closed || self.queued_bytes + d.len > self.recv_cap {
            return false;
        }
        self.queued_bytes += d.len;
        self.queue.push_back(d);
        true
    }

    /// recvfrom() with a `max`-byte buffer: one whole datagram, or its first `max` bytes with
    /// the rest discarded (never split across two reads, never merged with the next).
    pub fn read(&mut self, max: u32) -> Option<UdpRead> {
        let d = self.queue.pop_front()?;
        self.queued_bytes -= d.len;
        let len = d.len.min(max);
        Some(UdpRead {
            from: d.from,
            payload: crate::tcp::buffers::slice_spans(&d.payload, 0, len),
            len,
            truncated: d.len - len,
        })
    }
}
