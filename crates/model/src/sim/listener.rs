//! Listening sockets: the SYN and accept queues, SYN cookies, and the children a listener
//! creates (RFC 9293 §3.10.7.2; Linux `tcp_conn_request`, `tcp_check_req`).

use super::{Ctx, Sim, Sock};
use crate::profile::{BacklogModel, SynDropRule};
use crate::tcp::listener::Listener;
use crate::tcp::TcpSocket;
use crate::trace::{
    DropReason, EventKind, Header, Proto, QueueKind, Segment, SegmentId, SocketId, SocketInfo,
    TcpHeader, TcpState,
};

impl Sim {
    /// Linux `reqsk_timer_handler`: when more than half of max(8, backlog) requests are
    /// waiting, old requests (whose SYN-ACK already timed out) get fewer SYN-ACK retries,
    /// down to 2, so that they make room for young ones. `None` for anything but a request.
    pub(super) fn synack_retries_limit(&self, sid: SocketId) -> Option<u32> {
        let Some(Sock::Tcp(t)) = self.socks.get(sid.0 as usize) else {
            return None;
        };
        let lid = t.parent?;
        if t.state != TcpState::SynReceived {
            return None;
        }
        let l = self.listener(lid)?;
        let qlen = l.syn_queue.len() as u32;
        let young = l
            .syn_queue
            .iter()
            .filter(
                |c| matches!(self.socks.get(c.0 as usize), Some(Sock::Tcp(t)) if t.timeouts() == 0),
            )
            .count() as u32;
        let p = self.sp(lid);
        let mut max = p.synack_retries;
        if (qlen << 1) > l.max_ack_backlog(p.somaxconn).max(8) {
            let mut y = young << 1;
            while max > 2 {
                if qlen < y {
                    break;
                }
                max -= 1;
                y <<= 1;
            }
        }
        Some(max)
    }

    pub(super) fn listener(&self, lid: SocketId) -> Option<&Listener> {
        match self.socks.get(lid.0 as usize) {
            Some(Sock::Tcp(t)) => t.listen.as_deref(),
            _ => None,
        }
    }

    pub(super) fn listener_mut(&mut self, lid: SocketId) -> Option<&mut Listener> {
        match self.socks.get_mut(lid.0 as usize) {
            Some(Sock::Tcp(t)) => t.listen.as_deref_mut(),
            _ => None,
        }
    }

    pub(super) fn report_listener(&mut self, lid: SocketId) {
        let p = self.sp(lid);
        let somax = p.somaxconn;
        let bsd = p.backlog_model == BacklogModel::BsdSingleQueue;
        let Some(l) = self.listener(lid) else { return };
        let (sq, aq) = (l.syn_queue.len() as u32, l.accept_queue.len() as u32);
        let acap = if bsd {
            l.max_ack_backlog(somax).max(1)
        } else {
            l.accept_queue_cap(somax)
        };
        let scap = if bsd { acap } else { l.syn_queue_cap(somax, p) };
        self.emit(EventKind::QueueChanged {
            socket: lid,
            queue: QueueKind::SynQueue,
            len: sq,
            cap: scap,
        });
        self.emit(EventKind::QueueChanged {
            socket: lid,
            queue: QueueKind::AcceptQueue,
            len: aq,
            cap: acap,
        });
    }

    /// A segment for a listening socket with no connection yet (RFC 9293 §3.10.7.2, and
    /// Linux `tcp_conn_request` for the queue rules).
    /// `tw_isn`: the ISN a SYN brought from the TIME-WAIT connection it reopened
    /// (`tcp_tw_isn`).
    pub(super) fn listener_segment(
        &mut self,
        lid: SocketId,
        id: SegmentId,
        seg: &Segment,
        tw_isn: Option<u32>,
    ) {
        let Header::Tcp(h) = &seg.header else { return };
        let h = h.clone();
        let host = seg.dst.host;
        if h.flags.rst {
            return self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::rst_for_listener(),
            });
        }
        if h.flags.ack && !h.flags.syn {
            let iss = h.ack.wrapping_sub(1);
            // A cookie is stateless in Linux (`cookie_v4_check` recomputes it), so an ACK
            // dropped for a full accept queue leaves it valid for the peer's retransmission:
            // the model forgets it only once a connection is made from it. It is checked
            // before the accept queue: a segment that does not return it (not at the peer's
            // ISN + 1) is an ACK for no connection and draws a RST below. Measured on 6.18
            // (tcp_syncookies 2, listen(1), the accept queue full): a client whose 5 bytes
            // were refused closes 500 ms later; its FIN (seq 6) is answered with a RST.
            let cookie = self.sp(lid).syncookies
                && self
                    .listener(lid)
                    .is_some_and(|l| l.has_cookie(seg.src, iss, h.seq));
            if cookie {
                if self
                    .listener(lid)
                    .is_some_and(|l| l.accept_queue_full(self.sp(lid).somaxconn))
                {
                    self.bump(host, "ListenOverflows");
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::AcceptQueueFull,
                    });
                }
                let Some(syn) = self
                    .listener_mut(lid)
                    .and_then(|l| l.take_cookie(seg.src, iss))
                else {
                    return;
                };
                self.emit(EventKind::SegmentArrived { id });
                self.bump(host, "SyncookiesRecv");
                let child = self.new_child(lid, seg);
                self.with_tcp(child, |t, ctx| t.accept_cookie(seg, &syn, iss, ctx));
                // The ACK that returns the cookie may carry data (the handshake's own ACK was
                // lost and the client went on sending): the new socket takes the segment as
                // any established one would (`tcp_child_process` → `tcp_rcv_state_process`).
                // Measured on 6.18: the 5 bytes are ACKed at once and read, nothing resent.
                if seg.payload_len > 0 || h.flags.fin {
                    self.with_tcp(child, |t, ctx| t.on_segment(seg, ctx));
                }
                if let Some(l) = self.listener_mut(lid) {
                    l.accept_queue.push_back(child);
                }
                self.report_listener(lid);
                return;
            }
            // An ACK for no connection: the half-open case ends here with a RST.
            self.emit(EventKind::SegmentArrived { id });
            if let Some(rst) = TcpSocket::reset_for(seg) {
                self.tx.push(rst);
            }
            return;
        }
        if !h.flags.syn {
            return self.emit(EventKind::SegmentDropped {
                id,
                reason: DropReason::Other {
                    why: "no SYN or ACK for a listener".into(),
                },
            });
        }
        let somax = self.sp(lid).somaxconn;
        let Some(l) = self.listener(lid) else { return };
        let young = l
            .syn_queue
            .iter()
            .filter(
                |c| matches!(self.socks.get(c.0 as usize), Some(Sock::Tcp(t)) if t.timeouts() == 0),
            )
            .count();
        let req_full = l.reqsk_queue_full(somax);
        let early_drop = l.syn_backlog_early_drop(self.sp(lid).max_syn_backlog);
        let acc_full = l.accept_queue_full(somax);
        let bsd_full =
            (l.syn_queue.len() + l.accept_queue.len()) as u32 >= l.max_ack_backlog(somax).max(1);
        match self.sp(lid).backlog_model {
            BacklogModel::BsdSingleQueue => {
                if bsd_full {
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::BacklogFull,
                    });
                }
            }
            BacklogModel::TwoQueues => {
                // Linux `tcp_conn_request`, in its order. First the request queue: it is
                // full when it holds more than the listen backlog (not tcp_max_syn_backlog);
                // with tcp_syncookies = 2 every SYN gets a cookie.
                let syncookies = self.sp(lid).syncookies;
                let mut want_cookie = false;
                if (syncookies && self.sp(lid).syncookies_always) || req_full {
                    // `tcp_syn_flood_action`
                    if !syncookies {
                        self.bump(host, "TCPReqQFullDrop");
                        self.bump(host, "ListenDrops");
                        return self.emit(EventKind::SegmentDropped {
                            id,
                            reason: DropReason::SynQueueFull,
                        });
                    }
                    self.bump(host, "TCPReqQFullDoCookies");
                    want_cookie = true;
                }
                // Then the accept queue (`sk_acceptq_is_full`), cookie or not.
                let drop = acc_full
                    && match self.sp(lid).syn_drop_rule {
                        SynDropRule::WhenAcceptQueueFull => true,
                        SynDropRule::WhenFullAndYoungRequests => young > 1,
                    };
                if drop {
                    self.bump(host, "ListenOverflows");
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::SynAcceptQueueFull,
                    });
                }
                if want_cookie {
                    self.emit(EventKind::SegmentArrived { id });
                    self.bump(host, "SyncookiesSent");
                    let mtu = self.link(seg.dst.host, seg.src.host).mtu;
                    let synack = self.cookie_syn_ack(lid, seg, &h, mtu);
                    if let (Some(l), Header::Tcp(sa)) = (self.listener_mut(lid), &synack.header) {
                        l.add_cookie(seg.src, sa.seq, h.clone());
                    }
                    self.tx.push(synack);
                    return;
                }
                // Without syncookies the last quarter of tcp_max_syn_backlog is kept for
                // peers "proven to be alive" (`tcp_peer_is_proven`: the listener's host has
                // an RTT cached for the SYN's sender, [`crate::tcp::metrics`]):
                // `max_syn_backlog - qlen < max_syn_backlog >> 2` drops the SYN of any other.
                // (`if (!want_cookie && !isn)`: a SYN that reopened a TIME-WAIT connection
                // skips it.)
                if !syncookies
                    && early_drop
                    && tw_isn.is_none()
                    && !self.metrics.proven(host, seg.src.host)
                {
                    self.bump(host, "ListenDrops");
                    return self.emit(EventKind::SegmentDropped {
                        id,
                        reason: DropReason::SynQueueFull,
                    });
                }
            }
        }
        self.emit(EventKind::SegmentArrived { id });
        let child = self.new_child(lid, seg);
        if let Some(l) = self.listener_mut(lid) {
            l.syn_queue.push(child);
        }
        self.report_listener(lid);
        if let Some(t) = self.tcp(child) {
            t.tw_isn = tw_isn;
        }
        self.with_tcp(child, |t, ctx| t.accept_syn(seg, ctx));
        self.after_tcp(child, Some(TcpState::SynReceived));
    }

    /// A SYN-ACK from a listener in cookie mode, keeping no request. It is the SYN-ACK a
    /// request would have sent (built by a socket that is thrown away): with timestamps the
    /// cookie keeps SACK and the window scale in them (`cookie_init_timestamp`), without
    /// them only the MSS survives. Measured on 6.18 with tcp_syncookies=2: "S. win=65160
    /// MSS=1460,SACKOK,TS,WS=10", and without timestamps "S. win=64240 MSS=1460".
    fn cookie_syn_ack(&mut self, lid: SocketId, seg: &Segment, h: &TcpHeader, mtu: u32) -> Segment {
        let (rcv_cap, locked, secret) = match self.socks.get(lid.0 as usize) {
            Some(Sock::Tcp(l)) => (l.rcv_cap, l.rcvbuf_locked, l.secret),
            _ => (self.sp(lid).recv_buffer, false, 0),
        };
        let mut ctx = ctx!(self, lid);
        let mut t = TcpSocket::new(SocketId(u16::MAX), seg.dst, &ctx);
        t.secret = secret;
        t.rcv_cap = rcv_cap;
        t.rcvbuf_locked = locked;
        t.set_route_mtu(mtu, ctx.p);
        t.cookie_syn_ack(seg, h, &mut ctx)
    }

    fn new_child(&mut self, lid: SocketId, seg: &Segment) -> SocketId {
        let id = SocketId(self.socks.len() as u16);
        let n = self.listener_mut(lid).map(|l| {
            l.children += 1;
            l.children
        });
        let parent_label = self.infos[lid.0 as usize].label.clone();
        // The child lives by the listener's profile (its host's, with the listener's socket
        // options: Linux `inet_csk_clone_lock` copies them).
        let inherited = self.sock_prof[lid.0 as usize];
        self.sock_prof.push(inherited);
        let mut t = {
            let ctx = ctx!(self, id);
            TcpSocket::new(id, seg.dst, &ctx)
        };
        if let Some(Sock::Tcp(l)) = self.socks.get(lid.0 as usize) {
            t.rcv_cap = l.rcv_cap;
            t.rcvbuf_locked = l.rcvbuf_locked;
            // The host's key (one per kernel).
            t.secret = l.secret;
            t.reuse_addr = l.reuse_addr;
            t.send_cap = l.send_cap;
            t.sndbuf_locked = l.sndbuf_locked;
            t.nodelay = l.nodelay;
            // `sk_clone_lock` copies the socket: TCP_CORK (`tp->nonagle`), the user timeout
            // and SO_LINGER are the listener's.
            t.cork = l.cork;
            t.user_timeout_us = l.user_timeout_us;
            t.linger_us = l.linger_us;
        }
        t.parent = Some(lid);
        t.in_app = false;
        let mtu = self.link(seg.dst.host, seg.src.host).mtu;
        t.set_route_mtu(mtu, self.sp(lid));
        self.socks.push(Sock::Tcp(Box::new(t)));
        let label = format!("{parent_label} conn {}", n.unwrap_or(0));
        self.infos.push(SocketInfo {
            id,
            host: seg.dst.host,
            proto: Proto::Tcp,
            local_port: seg.dst.port,
            remote: Some(seg.src),
            listener: false,
            parent: Some(lid),
            created_us: self.now,
            scripted: false,
            label: label.clone(),
        });
        self.labels.entry(label).or_insert(id);
        self.conns.insert((seg.dst, seg.src), id);
        self.emit(EventKind::SocketCreated { socket: id });
        id
    }

    /// Whether `sid` is a request (SYN-RECEIVED) whose listener no longer listens: Linux
    /// drops such a request when a segment reaches it (`tcp_v4_rcv`, TCP_NEW_SYN_RECV:
    /// `sk_state != TCP_LISTEN` → `inet_csk_reqsk_queue_drop_and_put`, then the lookup
    /// again, which finds no socket) and when its timer fires (`reqsk_timer_handler`: no
    /// listener to migrate it to, `goto drop`), in both cases without a word to the peer.
    pub(super) fn request_orphaned(&self, sid: SocketId) -> bool {
        let Some(t) = self.tcp_ref(sid) else {
            return false;
        };
        t.state == TcpState::SynReceived
            && t.parent.is_some_and(|lid| {
                self.tcp_ref(lid)
                    .is_none_or(|l| l.state != TcpState::Listen)
            })
    }

    /// Drops request `sid` without a segment ([`Sim::request_orphaned`]).
    pub(super) fn drop_request(&mut self, sid: SocketId) {
        let before = self.tcp(sid).map(|t| t.state);
        self.with_tcp(sid, |t, ctx| t.set_state(TcpState::Closed, ctx));
        self.after_tcp(sid, before);
    }

    pub(super) fn close_listener(&mut self, lid: SocketId) {
        let local = self.tcp(lid).map(|t| t.local);
        if let Some(local) = local {
            // `reuseport_detach_sock`: the group's last socket takes the closed one's place.
            if let Some(group) = self.listeners.get_mut(&local) {
                if let Some(at) = group.iter().position(|&s| s == lid) {
                    group.swap_remove(at);
                }
                if group.is_empty() {
                    self.listeners.remove(&local);
                }
            }
        }
        // Linux `inet_csk_listen_stop` resets the children in the accept queue. The requests
        // still in SYN-RECEIVED are left where they are (in the established hash, not the
        // queue it empties): each goes quietly when its SYN-ACK timer fires, or when a
        // segment reaches it, which then finds no socket ([`Sim::request_orphaned`]).
        // Measured on 6.18 (listener closed while a request's ACK was lost): nothing sent at
        // the close; the client's data 150 ms later drew a bare RST.
        let children: Vec<SocketId> = self
            .listener_mut(lid)
            .map(|l| {
                l.syn_queue.clear();
                l.accept_queue.drain(..).collect()
            })
            .unwrap_or_default();
        for c in children {
            let before = self.tcp(c).map(|t| t.state);
            self.with_tcp(c, |t, ctx| t.app_abort(ctx));
            self.after_tcp(c, before);
        }
        self.with_tcp(lid, |t, ctx| t.set_state(TcpState::Closed, ctx));
    }
}
