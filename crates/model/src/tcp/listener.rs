//! A listening socket's queues (Linux `inet_connection_sock` request/accept queues).
//!
//! The dispatch logic that creates children and applies the overflow rules lives in
//! [`crate::sim`] (it creates sockets); this is the state it works on.

use std::collections::VecDeque;

use crate::trace::{Addr, SocketId, TcpHeader};

#[derive(Clone, Debug, Default)]
pub struct Listener {
    /// The backlog passed to listen().
    pub backlog: u32,
    /// Children in SYN-RECEIVED (the SYN queue), oldest first.
    pub syn_queue: Vec<SocketId>,
    /// Established children waiting for accept(), oldest first.
    pub accept_queue: VecDeque<SocketId>,
    /// SYN cookies we sent and have not seen come back: (peer, our ISN). The real kernel
    /// keeps no state (that is the point); the model remembers only to validate the ACK.
    /// Sorted, no duplicates (a set as a `Vec`: a `BTreeSet` type would add its B-tree code to
    /// the web app's first load, see [`crate::vecmap`]).
    /// With each, the header of the SYN it answered: what Linux packs into the cookie (an
    /// MSS from a table of four) and, with timestamps, into the timestamp (SACK, window
    /// scale: `cookie_init_timestamp`).
    pub cookies: Vec<(Addr, u32, TcpHeader)>,
    /// Accepted + pending children created so far (for labels).
    pub children: u32,
}

impl Listener {
    /// Linux `sk_max_ack_backlog`: min(backlog, somaxconn).
    pub fn max_ack_backlog(&self, somaxconn: u32) -> u32 {
        self.backlog.min(somaxconn)
    }

    /// Linux `sk_acceptq_is_full`: `sk_ack_backlog > sk_max_ack_backlog`, so the queue holds
    /// backlog + 1 connections.
    pub fn accept_queue_full(&self, somaxconn: u32) -> bool {
        self.accept_queue.len() as u32 > self.max_ack_backlog(somaxconn)
    }

    /// Linux `inet_csk_reqsk_queue_is_full`: `reqsk_queue_len > sk_max_ack_backlog` (6.18;
    /// older kernels used `>=`). The request ("SYN") queue is bounded by the listen backlog,
    /// so backlog N holds N + 1 requests (measured: backlog 4 → 5, backlog 0 → 1,
    /// backlog 10 with somaxconn 3 → 4).
    pub fn reqsk_queue_full(&self, somaxconn: u32) -> bool {
        self.syn_queue.len() as u32 > self.max_ack_backlog(somaxconn)
    }

    /// `tcp_conn_request` without syncookies: `max_syn_backlog - qlen < max_syn_backlog >> 2`
    /// for a peer not proven alive, i.e. the SYN is dropped once less than a quarter of
    /// `tcp_max_syn_backlog` is left.
    pub fn syn_backlog_early_drop(&self, max_syn_backlog: u32) -> bool {
        let max = max_syn_backlog as i64;
        max - (self.syn_queue.len() as i64) < max >> 2
    }

    /// The most requests the SYN queue can hold (the gauge's capacity): the backlog + 1, and
    /// without syncookies no more than the early-drop threshold of `tcp_max_syn_backlog`.
    pub fn syn_queue_cap(&self, somaxconn: u32, p: &crate::profile::Profile) -> u32 {
        let by_backlog = self.max_ack_backlog(somaxconn) + 1;
        if p.syncookies {
            by_backlog
        } else {
            let max = p.max_syn_backlog;
            // The smallest qlen that drops: max - qlen < max / 4 ⇔ qlen > max - max / 4.
            by_backlog.min(max - (max >> 2) + 1)
        }
    }

    /// Remembers a cookie sent to `peer` with our ISN `iss`, for the SYN `syn`.
    pub fn add_cookie(&mut self, peer: Addr, iss: u32, syn: TcpHeader) {
        if let Err(at) = self
            .cookies
            .binary_search_by_key(&(peer, iss), |c| (c.0, c.1))
        {
            self.cookies.insert(at, (peer, iss, syn));
        }
    }

    /// Whether a segment from `peer` with sequence number `seq` returns the cookie `iss` we
    /// sent it. The cookie is a hash of the 4-tuple and of the peer's ISN, which Linux takes
    /// from the returning segment as `seq - 1` (`__cookie_v4_check` →
    /// `check_tcp_syn_cookie(cookie, …, ntohl(th->seq) - 1)`): only a segment at the peer's
    /// ISN + 1 returns it; a later one (the FIN after data the listener refused) does not.
    pub fn has_cookie(&self, peer: Addr, iss: u32, seq: u32) -> bool {
        self.cookies
            .binary_search_by_key(&(peer, iss), |c| (c.0, c.1))
            .is_ok_and(|at| self.cookies[at].2.seq.wrapping_add(1) == seq)
    }

    /// Forgets the cookie (`peer`, `iss`) and returns the SYN it answered.
    pub fn take_cookie(&mut self, peer: Addr, iss: u32) -> Option<TcpHeader> {
        match self
            .cookies
            .binary_search_by_key(&(peer, iss), |c| (c.0, c.1))
        {
            Ok(at) => Some(self.cookies.remove(at).2),
            Err(_) => None,
        }
    }

    pub fn accept_queue_cap(&self, somaxconn: u32) -> u32 {
        self.max_ack_backlog(somaxconn) + 1
    }
}
