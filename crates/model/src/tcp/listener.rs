//! A listening socket's queues (Linux `inet_connection_sock` request/accept queues).
//!
//! The dispatch logic that creates children and applies the overflow rules lives in
//! [`crate::sim`] (it creates sockets); this is the state it works on.

use std::collections::VecDeque;

use crate::trace::{Addr, SocketId};

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
    pub cookies: Vec<(Addr, u32)>,
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

    /// Remembers a cookie sent to `peer` with our ISN `iss`.
    pub fn add_cookie(&mut self, peer: Addr, iss: u32) {
        if let Err(at) = self.cookies.binary_search(&(peer, iss)) {
            self.cookies.insert(at, (peer, iss));
        }
    }

    /// Forgets the cookie (`peer`, `iss`); whether it was there.
    pub fn take_cookie(&mut self, peer: Addr, iss: u32) -> bool {
        match self.cookies.binary_search(&(peer, iss)) {
            Ok(at) => {
                self.cookies.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    pub fn accept_queue_cap(&self, somaxconn: u32) -> u32 {
        self.max_ack_backlog(somaxconn) + 1
    }
}
