//! The socket API the applications call: each step of an application's program, and the
//! blocked calls (`accept`, `recv`, `send`, `connect`) retried after every event.

use super::{Sim, Sock, What};
use crate::app::Blocked;
use crate::scenario::Action;
use crate::tcp::listener::Listener;
use crate::tcp::socket::RecvOutcome;
use crate::trace::{
    Addr, AppCall, AppCallKind, AppResult, EventKind, HostId, MessageId, MessageInfo, Micros,
    PayloadSpan, QueueKind, ShutHow, SockOpt, SocketId, TcpState,
};

impl Sim {
    /// Schedules app `i`'s next step: no earlier than `after_prev` (when the task is back in
    /// user space, [`Sim::next_call_at`]), nor than the step's `at_us`, nor than its
    /// `after_us` from now.
    pub(super) fn schedule_step(&mut self, i: usize, after_prev: Micros) {
        self.schedule_call(i, after_prev, true);
    }

    /// Schedules app `i`'s call of its current step at `at` (or later, for a step's first
    /// call, its `at_us` / `after_us`). A `recv_loop`'s next recv() is the same step again
    /// (`first` false): its pause was the one before the loop's first recv(), and the loop
    /// calls again as soon as the task is back in user space, as the lab's runner does
    /// (`Action::RecvLoop`: recv() again at once until it returns 0). Measured on 6.18
    /// (explore 20100/15 and 22100/22, loops started 199 and 201 ms after the call before):
    /// the kernel's loop read each flight while it landed, where the model's next recv()
    /// waited the step's pause again and left nine segments of ten unread until the next.
    fn schedule_call(&mut self, i: usize, at: Micros, first: bool) {
        let app = &self.apps[i];
        if app.scheduled || app.blocked.is_some() {
            return;
        }
        let Some(step) = app.steps.get(app.pc) else {
            return;
        };
        let mut t = self.now.max(at);
        if first {
            if let Some(a) = step.at_us {
                t = t.max(a);
            }
            if let Some(d) = step.after_us {
                t = t.max(self.now + d);
            }
        }
        self.apps[i].scheduled = true;
        self.push(t, What::App(i));
    }

    fn app_return(&mut self, i: usize, call: AppCallKind, result: AppResult) {
        let socket = self.apps[i].socket;
        // A program whose connect() failed has nothing left to do with that socket, nor one
        // whose accept() failed (a listen() that got EADDRINUSE, then accept()'s EINVAL from
        // `inet_accept`): no connection to go on with. The lab's script ends there too.
        let give_up = matches!(call, AppCallKind::Connect | AppCallKind::Accept)
            && matches!(result, AppResult::Error { .. });
        self.emit(EventKind::AppReturn {
            socket,
            call,
            result,
        });
        let resume = self.next_call_at(i);
        self.apps[i].blocked = None;
        self.apps[i].awake();
        self.apps[i].pc += 1;
        if give_up {
            self.apps[i].pc = self.apps[i].steps.len();
        }
        self.schedule_step(i, resume);
        self.close_when_released(socket);
    }

    /// When app `i`, whose blocked call returns now, makes its next call. A task woken from a
    /// sleep until readable (recv(), poll(), accept()) runs while the receiving end is still
    /// handing over the packet that woke it: the write(2) of a TUN relay runs the stack to
    /// the end (`tun_get_user` → `netif_receive_skb`), waking the task (`sock_def_readable`)
    /// on another CPU, and only then hands over the next packet. So its call finds that
    /// packet alone (a recv() copies it and returns), but the task is back in user space and
    /// makes its next call only after the rest of the train (`LinkSpec::handover_us`): the
    /// recv() after a poll() finds the whole flight, a close() after a recv() comes after a
    /// FIN that followed the data, and a reading loop's next recv() takes the rest of the
    /// flight in one piece. A next call that the task makes while the train is still landing
    /// reads the rest too: `tcp_recvmsg_locked` owns the socket while it copies, so what lands
    /// meanwhile waits in the backlog, which it processes before it gives up
    /// (`__sk_flush_backlog` while `sk_backlog.tail` is set). Measured on 6.18 (window
    /// presets, load 1.3-2.8): a reading loop's second recv() read the rest of the train in
    /// 12 of 12, called 6-49 µs after the first returned, 6 of them 5-97 µs before the
    /// train's last packet (returning 60-477 µs after it); the ACKs between show no memory
    /// freed but the first segment's. A call that returns without having slept goes on at
    /// once, and so does a UDP socket's: `udp_recvmsg` takes one datagram
    /// (`__skb_recv_udp`) and returns, with no backlog to flush, so the datagrams of a
    /// train are one call each and the task's next recv() sleeps until the next one lands
    /// (6.18, lab's wire: a reader woken by a 3000-byte datagram read it, and then the
    /// 65507-byte datagram reassembled from the 45 fragments behind it, before the next
    /// 65507's fragments were through, 3 of 3).
    /// A writer woken from `sk_stream_wait_memory` likewise: it is back in user space after
    /// the ACK train that woke it, so the close() after its send() comes once the train's
    /// ACKs have sent what they could (6.18, send(60000) + close() with the buffer the
    /// handshake sized: the write's 632-byte tail leaves, then the FIN alone, 3 of 3; with
    /// send(100000) + close() at once, a tail of 88 bytes then the FIN a round trip later, 6
    /// of 6, and 4 of 6 on the next 6 runs, where the other 2 had the FIN on the tail).
    fn next_call_at(&self, i: usize) -> Micros {
        let app = &self.apps[i];
        if app.asleep
            && app
                .blocked
                .as_ref()
                .is_some_and(|b| b.sleeps_until_readable() || matches!(b, Blocked::Send { .. }))
            && !matches!(self.socks[app.socket.0 as usize], Sock::Udp(_))
        {
            self.train_end(self.infos[app.socket.0 as usize].host)
        } else {
            self.now
        }
    }

    /// Whether a task other than `i` has a call blocked on `sid`.
    fn held_by_another(&self, i: usize, sid: SocketId) -> bool {
        self.apps
            .iter()
            .enumerate()
            .any(|(j, a)| j != i && a.socket == sid && a.blocked.is_some())
    }

    /// A socket another task closed while a call was blocked on it: closed now that no call
    /// holds it any more.
    fn close_when_released(&mut self, sid: SocketId) {
        let Some(at) = self.closing.iter().position(|&(s, _)| s == sid) else {
            return;
        };
        if self.held_by_another(usize::MAX, sid) {
            return;
        }
        let (_, abort) = self.closing.remove(at);
        // Nobody waits for SO_LINGER's time: the close() that asked for it has returned.
        let _ = self.close_socket(sid, abort);
    }

    pub(super) fn new_message(
        &mut self,
        socket: SocketId,
        label: Option<&String>,
        len: u32,
        content: Option<crate::trace::MessageContent>,
    ) -> MessageId {
        let id = MessageId(self.messages.len() as u32);
        let label = match label {
            Some(l) => l.clone(),
            None => format!("{} #{}", self.infos[socket.0 as usize].label, id.0),
        };
        self.messages.push(MessageInfo {
            id,
            socket,
            label,
            len,
            content,
        });
        id
    }

    /// Why a UDP send of `len` bytes on `sid` fails before anything is sent, if it does:
    /// EMSGSIZE above the largest IPv4 datagram (`udp_sendmsg`: `len > 0xFFFF`, then
    /// `__ip_append_data` against 0xFFFF less the headers; measured on 6.18: 65,507 bytes
    /// sent, 65,508 EMSGSIZE), checked before the socket's pending error, which the send
    /// then returns and clears (`sock_alloc_send_pskb` → `sock_error`) without sending.
    fn udp_send_error(&mut self, sid: SocketId, len: u32) -> Option<AppResult> {
        if len > crate::udp::MAX_PAYLOAD {
            return Some(errno("EMSGSIZE"));
        }
        match self.socks.get_mut(sid.0 as usize) {
            Some(Sock::Udp(u)) => u.error.take().map(errno),
            _ => None,
        }
    }

    /// Runs the next step of app `i`'s program: one socket call, dispatched to one small
    /// `call_*` function per call family (quinn-proto's `handle_*` shape). Each emits its
    /// `AppCall`, then either returns at once (`app_return`) or blocks the app
    /// (`Blocked`), which `try_complete` retries after every event.
    pub(super) fn run_step(&mut self, i: usize) {
        let Some(step) = self.apps[i].steps.get(self.apps[i].pc).cloned() else {
            return;
        };
        if let Some(on) = &step.on {
            match self.labels.get(on) {
                Some(&sid) => self.apps[i].socket = sid,
                None => {
                    // An accepted connection that never came: skip the step.
                    self.apps[i].pc += 1;
                    return self.schedule_step(i, self.now);
                }
            }
        }
        let sid = self.apps[i].socket;
        match step.action {
            Action::Connect { to } => self.call_connect(i, sid, &to),
            Action::Listen { backlog } => self.call_listen(i, sid, backlog),
            Action::Accept { label } => self.call_accept(i, sid, label),
            Action::Send {
                len,
                message,
                content,
                more,
            } => {
                let m = self.new_message(sid, message.as_ref(), len, content);
                self.call_send(i, sid, m, len, more)
            }
            Action::SendTo { to, len, message } => {
                let m = self.new_message(sid, message.as_ref(), len, None);
                self.call_send_to(i, sid, &to, m, len)
            }
            Action::Recv { max } => self.call_recv(i, sid, max, false),
            Action::RecvLoop { max } => self.call_recv(i, sid, max, true),
            Action::Shutdown { how } => self.call_shutdown(i, sid, how),
            Action::Close {} => self.call_close(i, sid, false),
            Action::Abort {} => self.call_close(i, sid, true),
            Action::SetNoDelay { on } => self.call_set_no_delay(i, sid, on),
            Action::SetSockOpt(option) => self.call_set_sock_opt(i, sid, option),
            Action::Poll { timeout_us } => self.call_poll(i, sid, timeout_us),
            Action::TcpInfo {} => self.call_tcp_info(i, sid),
        }
    }

    /// The trace's record that the application made a call on `socket`.
    fn app_call(&mut self, socket: SocketId, call: AppCall) {
        self.emit(EventKind::AppCall { socket, call });
    }

    fn is_tcp(&self, sid: SocketId) -> bool {
        matches!(self.socks[sid.0 as usize], Sock::Tcp(_))
    }

    /// Blocks app `i` on `b` and tries it at once (it may complete without waiting).
    fn block(&mut self, i: usize, b: Blocked) {
        self.apps[i].blocked = Some(b);
        self.try_complete(i);
    }

    /// connect(): TCP sends a SYN and blocks until the handshake ends; UDP only records
    /// the peer (`ip4_datagram_connect`) and returns.
    fn call_connect(&mut self, i: usize, sid: SocketId, to: &str) {
        let Ok(to) = self.parse_addr(to) else {
            return self.app_return(i, AppCallKind::Connect, errno("EINVAL"));
        };
        self.app_call(sid, AppCall::Connect { to });
        self.infos[sid.0 as usize].remote = Some(to);
        if !self.is_tcp(sid) {
            if let Sock::Udp(u) = &mut self.socks[sid.0 as usize] {
                u.remote = Some(to);
            }
            return self.app_return(i, AppCallKind::Connect, AppResult::Ok);
        }
        let Some(t) = self.tcp(sid) else { return };
        if t.state != TcpState::Closed || t.listen.is_some() {
            return self.app_return(i, AppCallKind::Connect, errno("EISCONN"));
        }
        let mut local = t.local;
        let taken = if self.autobind.contains(&sid) {
            // No port of its own: connect() picks one (`__inet_hash_connect`).
            let Some((port, taken)) = self.hash_connect(sid, to) else {
                return self.app_return(i, AppCallKind::Connect, errno("EADDRNOTAVAIL"));
            };
            local.port = port;
            self.infos[sid.0 as usize].local_port = port;
            if let Some(t) = self.tcp(sid) {
                t.local = local;
            }
            taken
        } else {
            // bind() to the socket's port, which connect() does first: another socket
            // holding it (a TIME-WAIT connection of an earlier socket on a fixed port)
            // refuses it unless both set SO_REUSEADDR (`inet_csk_bind_conflict`; measured on
            // 6.18: EADDRINUSE).
            if self.listen_conflict(sid, local) {
                return self.app_return(i, AppCallKind::Connect, errno("EADDRINUSE"));
            }
            // The 4-tuple is someone else's (`__inet_check_established`). A connection in
            // TIME-WAIT gives it up to a socket bound to this port (`__inet_hash_connect`
            // with a port: `check_established(…, NULL)`, so `tcp_twsk_unique` needs no
            // tcp_tw_reuse) when it had timestamps (`tw_ts_recent_stamp`: PAWS keeps the old
            // segments out). Otherwise connect() fails. Measured on 6.18
            // (`time-wait-reconnect-client-first-reuseaddr`): the SYN leaves at once and the
            // old TIME-WAIT is gone.
            match self.four_tuple_holder(sid, local, to) {
                None => None,
                Some(o) => match self.tcp_ref(o).and_then(|t| t.time_wait_successor(false)) {
                    Some(next) => Some((o, next)),
                    None => {
                        return self.app_return(i, AppCallKind::Connect, errno("EADDRNOTAVAIL"))
                    }
                },
            }
        };
        // A timewait socket gave the 4-tuple up: it ends, and the new ISN is its snd_nxt +
        // 65537, with the last timestamp it received (`tcp_twsk_unique`).
        if let Some((o, (isn, ts_recent))) = taken {
            let before = self.tcp_ref(o).map(|t| t.state);
            self.with_tcp(o, |t, ctx| t.set_state(TcpState::Closed, ctx));
            self.after_tcp(o, before);
            if let Some(t) = self.tcp(sid) {
                t.tw_isn = Some(isn);
                t.tw_ts_recent = Some(ts_recent);
            }
        }
        self.conns.insert((local, to), sid);
        let mtu = self.link(local.host, to.host).mtu;
        self.with_tcp(sid, |t, ctx| {
            t.set_route_mtu(mtu, ctx.p);
            t.connect(to, ctx)
        });
        self.block(i, Blocked::Connect);
    }

    fn call_listen(&mut self, i: usize, sid: SocketId, backlog: u32) {
        self.app_call(sid, AppCall::Listen { backlog });
        // listen() on a listener: `inet_listen` only sets the new backlog ("if (old_state !=
        // TCP_LISTEN)" guards the start). Measured on 6.18: listen() after shutdown(SHUT_WR)
        // of a listener returns 0.
        if self.listening(sid) {
            if let Some(l) = self.listener_mut(sid) {
                l.backlog = backlog;
            }
            self.report_listener(sid);
            return self.app_return(i, AppCallKind::Listen, AppResult::Ok);
        }
        // A socket that never listened, or a listener that shutdown(SHUT_RD) stopped:
        // `tcp_disconnect` left it CLOSE, bound, and `inet_shutdown` SS_UNCONNECTED, so
        // `inet_listen` starts it again (not one the application closed).
        let ok = self
            .tcp(sid)
            .is_some_and(|t| t.state == TcpState::Closed && (t.listen.is_none() || !t.app_closed));
        if !ok {
            return self.app_return(i, AppCallKind::Listen, errno("EINVAL"));
        }
        let local = self.tcp(sid).map(|t| t.local).unwrap_or(Addr {
            host: HostId(0),
            port: 0,
        });
        if self.listen_conflict(sid, local) {
            return self.app_return(i, AppCallKind::Listen, errno("EADDRINUSE"));
        }
        self.listeners.entry(local).or_default().push(sid);
        self.infos[sid.0 as usize].listener = true;
        self.with_tcp(sid, |t, ctx| {
            // Listening again counts its children on from the first time (their labels).
            let children = t.listen.as_ref().map_or(0, |l| l.children);
            t.listen = Some(Box::new(Listener {
                backlog,
                children,
                ..Listener::default()
            }));
            t.set_state(TcpState::Listen, ctx);
        });
        self.report_listener(sid);
        self.app_return(i, AppCallKind::Listen, AppResult::Ok);
    }

    /// The socket other than `sid` whose open connection (any state but CLOSED, TIME-WAIT
    /// included) holds the 4-tuple `local`-`to` (`__inet_check_established`).
    fn four_tuple_holder(&self, sid: SocketId, local: Addr, to: Addr) -> Option<SocketId> {
        self.conns
            .get(&(local, to))
            .copied()
            .filter(|&o| o != sid && self.tcp_ref(o).is_some_and(|t| t.state != TcpState::Closed))
    }

    /// connect()'s port for a socket that has none (Linux `__inet_hash_connect` without a
    /// bound port): the ports of `local_port_range` from the socket's listed one, every
    /// other one first and then the rest (Linux starts at an offset of a keyed hash, even
    /// ports first), and the first that (1) no socket holds through bind() (a bucket with
    /// `fastreuse >= 0`: a listener or a socket bound to the port; connect()'s own ports
    /// are shared) and (2) whose 4-tuple toward `to` is free, or held by a TIME-WAIT
    /// connection that `tcp_twsk_unique` gives up to a port search (`twp` set): the
    /// connection had timestamps, `tw_reuse` is 1 (2: only if either address is a
    /// loopback one, `ipv4_is_loopback` of `tw_daddr` / `tw_rcv_saddr`), and the
    /// millisecond clock is past the moment it entered TIME-WAIT plus `tw_reuse_delay_us`
    /// (`time_after32(tcp_clock_ms(), tw_entry_stamp + tcp_tw_reuse_delay)`). `None`: no
    /// port, EADDRNOTAVAIL. With the port, the TIME-WAIT connection it takes over and the
    /// ISN and timestamp the new one inherits.
    #[allow(clippy::type_complexity)]
    fn hash_connect(
        &self,
        sid: SocketId,
        to: Addr,
    ) -> Option<(u16, Option<(SocketId, (u32, u32))>)> {
        let listed = self.tcp_ref(sid)?.local;
        let p = self.sp(sid);
        let [a, b] = p.local_port_range;
        let (low, high) = (u32::from(a.min(b)), u32::from(a.max(b)));
        let size = high - low + 1;
        let start = u32::from(listed.port).clamp(low, high) - low;
        // 127/8 (`ipv4_is_loopback`), read off the address text: no address parser in the
        // web app's build for one test.
        let loopback = [listed.host, to.host]
            .iter()
            .any(|h| self.hosts[h.0 as usize].addr.starts_with("127."));
        let reuse = match p.tw_reuse {
            2 if !loopback => 0,
            r => r,
        };
        let ms = |us: u64| us / 1000;
        let offsets = (0..size).step_by(2).chain((1..size).step_by(2));
        for d in offsets {
            let port = (low + (start + d) % size) as u16;
            let local = Addr {
                host: listed.host,
                port,
            };
            let bound = self.socks.iter().any(|s| match s {
                Sock::Tcp(t) => {
                    t.id != sid
                        && t.local == local
                        && t.state != TcpState::Closed
                        && !self.autobind.contains(&t.id)
                        && self.infos[t.id.0 as usize].parent.is_none()
                }
                _ => false,
            }) || self.listeners.get(&local).is_some_and(|g| !g.is_empty());
            if bound {
                continue;
            }
            let Some(o) = self.four_tuple_holder(sid, local, to) else {
                return Some((port, None));
            };
            let Some(old) = self.tcp_ref(o) else { continue };
            let waited = old
                .time_wait_since
                .is_some_and(|since| ms(self.now) > ms(since) + ms(p.tw_reuse_delay_us));
            if reuse != 0 && waited {
                if let Some(next) = old.time_wait_successor(true) {
                    return Some((port, Some((o, next))));
                }
            }
        }
        None
    }

    /// Whether listening on `local` with `sid` conflicts with another socket there.
    /// `inet_csk_bind_conflict`: another listener always conflicts; any other socket
    /// still holding the port (an accepted connection, one in TIME-WAIT) unless both
    /// set SO_REUSEADDR. Measured on 6.18: a listener restarted while its last
    /// connection is in TIME-WAIT gets EADDRINUSE without it, and listens with it.
    fn listen_conflict(&self, sid: SocketId, local: Addr) -> bool {
        let reuse = self.tcp_ref(sid).is_some_and(|t| t.reuse_addr);
        // SO_REUSEPORT on this listener and on every one already there: they share
        // the port (`inet_csk_bind_conflict` → `sk_reuseport_match`).
        let reuse_port = self.tcp_ref(sid).is_some_and(|t| t.reuse_port);
        let group = self.listeners.get(&local).map_or(&[][..], |g| &g[..]);
        let shares = reuse_port
            && group
                .iter()
                .all(|&l| self.tcp_ref(l).is_some_and(|t| t.reuse_port));
        (!group.is_empty() && !shares)
            || self.socks.iter().any(|s| match s {
                Sock::Tcp(t) => {
                    t.id != sid
                        && t.local == local
                        && t.state != TcpState::Closed
                        && !(reuse && t.reuse_addr && t.state != TcpState::Listen)
                        && !(shares && t.state == TcpState::Listen)
                }
                _ => false,
            })
    }

    /// Whether `sid` is a listener in LISTEN (not one stopped by shutdown(SHUT_RD) or close()).
    fn listening(&self, sid: SocketId) -> bool {
        self.listener(sid).is_some()
            && self
                .tcp_ref(sid)
                .is_some_and(|t| t.state == TcpState::Listen)
    }

    fn call_accept(&mut self, i: usize, sid: SocketId, label: Option<String>) {
        // accept() after an accept(): the script means the listener again.
        let sid = match self.infos[sid.0 as usize].parent {
            Some(p) if self.listener(sid).is_none() => {
                self.apps[i].socket = p;
                p
            }
            _ => sid,
        };
        self.app_call(sid, AppCall::Accept);
        // `inet_accept`: EINVAL unless in LISTEN (never listened, or stopped by
        // shutdown(SHUT_RD)).
        if !self.listening(sid) {
            return self.app_return(i, AppCallKind::Accept, errno("EINVAL"));
        }
        self.block(i, Blocked::Accept { label });
    }

    /// send(): TCP blocks until the send buffer has taken every byte (`try_send`); UDP
    /// sends one datagram to the connected peer or fails at once.
    fn call_send(&mut self, i: usize, sid: SocketId, m: MessageId, len: u32, more: bool) {
        self.app_call(
            sid,
            AppCall::Send {
                len,
                message: Some(m),
            },
        );
        let span = whole(m, len);
        if self.is_tcp(sid) {
            return self.block(
                i,
                Blocked::Send {
                    rest: vec![span],
                    total: len,
                    more,
                },
            );
        }
        let to = match &self.socks[sid.0 as usize] {
            Sock::Udp(u) => u.remote,
            _ => None,
        };
        match (to, self.udp_send_error(sid, len)) {
            (_, Some(e)) => self.app_return(i, AppCallKind::Send, e),
            (Some(to), None) => {
                self.send_datagram(sid, to, span, false);
                self.app_return(i, AppCallKind::Send, AppResult::Ok);
            }
            (None, None) => self.app_return(i, AppCallKind::Send, errno("EDESTADDRREQ")),
        }
    }

    /// sendto(): one datagram to an address, or one copy per member host of a multicast
    /// group (the model has point-to-point links).
    fn call_send_to(&mut self, i: usize, sid: SocketId, to: &str, m: MessageId, len: u32) {
        let (host, port) = to.rsplit_once(':').unwrap_or((to, ""));
        let port: Option<u16> = port.parse().ok();
        let (hosts, multicast) = match (self.group_hosts(host), port) {
            (Some(hosts), Some(port)) => (
                hosts.into_iter().map(|h| Addr { host: h, port }).collect(),
                true,
            ),
            _ => match self.parse_addr(to) {
                Ok(addr) => (vec![addr], false),
                Err(_) => return self.app_return(i, AppCallKind::SendTo, errno("EINVAL")),
            },
        };
        let first = hosts.first().copied().unwrap_or(Addr {
            host: HostId(0),
            port: port.unwrap_or(0),
        });
        self.app_call(
            sid,
            AppCall::SendTo {
                to: first,
                len,
                message: Some(m),
            },
        );
        if let Some(e) = self.udp_send_error(sid, len) {
            return self.app_return(i, AppCallKind::SendTo, e);
        }
        for to in hosts {
            self.send_datagram(sid, to, whole(m, len), multicast);
        }
        self.app_return(i, AppCallKind::SendTo, AppResult::Ok);
    }

    /// The hosts of multicast group `name`, sorted and unique like a set, built by
    /// insertion: `collect()` into a set would bring a stable sort into the web app's
    /// first load.
    fn group_hosts(&self, name: &str) -> Option<Vec<HostId>> {
        let members = self.groups.get(name)?;
        let mut hosts: Vec<HostId> = Vec::new();
        for s in members {
            let h = self.infos[s.0 as usize].host;
            if let Err(at) = hosts.binary_search(&h) {
                hosts.insert(at, h);
            }
        }
        Some(hosts)
    }

    fn call_recv(&mut self, i: usize, sid: SocketId, max: u32, looping: bool) {
        self.app_call(sid, AppCall::Recv { max });
        self.block(i, Blocked::Recv { max, looping });
    }

    fn call_shutdown(&mut self, i: usize, sid: SocketId, how: ShutHow) {
        self.app_call(sid, AppCall::Shutdown { how });
        let before = self.tcp(sid).map(|t| t.state);
        // Linux `inet_shutdown`: a socket in CLOSE (never connected, reset, or its
        // connection gone to TIME-WAIT: `TcpSocket::owner_state`) gets ENOTCONN, after its
        // shutdown flags are set all the same. Measured on 6.18: shutdown() after a RST,
        // ENOTCONN.
        let p = self.sp(sid).clone();
        let not_connected = p.linux_errno
            && self
                .tcp(sid)
                .is_some_and(|t| t.owner_state(&p) == TcpState::Closed);
        // `inet_shutdown` on a listener: SHUT_RD (or SHUT_RDWR) stops it as close() would
        // (`tcp_disconnect` → `inet_csk_listen_stop`, the socket left CLOSE), SHUT_WR does
        // nothing. Measured on 6.18: after SHUT_WR a client still connects; after SHUT_RD
        // accept() fails with EINVAL.
        // A listener already stopped is in CLOSE: ENOTCONN as above, nothing more to stop.
        if self.tcp(sid).is_some_and(|t| t.listen.is_some()) {
            if how.reads() && self.listening(sid) {
                self.close_listener(sid);
            }
            let result = if not_connected {
                errno("ENOTCONN")
            } else {
                AppResult::Ok
            };
            return self.app_return(i, AppCallKind::Shutdown, result);
        }
        if how.reads() {
            self.with_tcp(sid, |t, ctx| t.app_shutdown_read(ctx));
        }
        if how.writes() {
            self.with_tcp(sid, |t, ctx| t.app_shutdown(ctx));
        }
        self.after_tcp(sid, before);
        let result = if not_connected {
            errno("ENOTCONN")
        } else {
            AppResult::Ok
        };
        self.app_return(i, AppCallKind::Shutdown, result);
    }

    /// close() and abort (SO_LINGER {on, 0} then close()).
    fn call_close(&mut self, i: usize, sid: SocketId, abort: bool) {
        let (call, kind) = if abort {
            (AppCall::Abort, AppCallKind::Abort)
        } else {
            (AppCall::Close, AppCallKind::Close)
        };
        self.app_call(sid, call);
        // close() drops the task's descriptor; the socket is released with the file's last
        // reference, which a call blocked in another task of the process holds (`fdget` in
        // the syscall of a multithreaded process): it closes when that call returns
        // (inet_shutdown's comment: "missing close() in multithreaded environment"). Measured
        // on 6.18 (two threads on a listener's descriptor): a task blocked in accept() while
        // another closes the listener takes the next client, which connects.
        if self.held_by_another(i, sid) {
            if !self.closing.iter().any(|&(s, _)| s == sid) {
                self.closing.push((sid, abort));
            }
            return self.app_return(i, kind, AppResult::Ok);
        }
        // `tcp_close` → `sk_stream_wait_close`: with SO_LINGER {on, t} a blocking
        // close() returns once the FIN is acknowledged (the state leaves FIN-WAIT-1,
        // CLOSING and LAST-ACK) or after t, whichever comes first; the connection
        // goes on as an orphan either way.
        if let Some(t) = self.close_socket(sid, abort) {
            if let Some(tcp) = self.tcp(sid) {
                tcp.lingering = true;
            }
            let deadline = self.now + t;
            self.push(deadline, What::Wake(i));
            return self.block(i, Blocked::Linger { deadline });
        }
        self.app_return(i, kind, AppResult::Ok);
    }

    /// Closes `sid` (close(), or an abort): a listener stops, a connection closes or resets.
    /// Returns SO_LINGER's time when a close() is to wait for its FIN's ACK.
    fn close_socket(&mut self, sid: SocketId, abort: bool) -> Option<Micros> {
        let before = self.tcp(sid).map(|t| t.state);
        let linger = self.tcp(sid).and_then(|t| t.linger_us);
        // `tcp_close`: SO_LINGER with a zero time resets (after the unread-data check,
        // which resets anyway).
        let reset = abort || linger == Some(0);
        if self.tcp(sid).is_some_and(|t| t.listen.is_some()) {
            self.close_listener(sid);
            if let Some(t) = self.tcp(sid) {
                t.app_closed = true;
            }
        } else if reset {
            self.with_tcp(sid, |t, ctx| t.app_abort(ctx));
        } else {
            self.with_tcp(sid, |t, ctx| t.app_close(ctx));
        }
        if let Sock::Udp(u) = &mut self.socks[sid.0 as usize] {
            u.closed = true;
        }
        self.after_tcp(sid, before);
        linger.filter(|&t| t > 0 && !abort)
    }

    fn call_set_no_delay(&mut self, i: usize, sid: SocketId, on: bool) {
        self.app_call(sid, AppCall::SetNoDelay { on });
        self.with_tcp(sid, |t, ctx| t.set_nodelay(on, ctx));
        self.app_return(i, AppCallKind::SetNoDelay, AppResult::Ok);
    }

    fn call_set_sock_opt(&mut self, i: usize, sid: SocketId, option: SockOpt) {
        self.app_call(sid, AppCall::SetSockOpt { option });
        if !self.is_tcp(sid) {
            // A TCP level option on a UDP socket: `ip_setsockopt` does not know it.
            let r = if matches!(option, SockOpt::SoLinger { .. }) {
                AppResult::Ok
            } else {
                errno("ENOPROTOOPT")
            };
            return self.app_return(i, AppCallKind::SetSockOpt, r);
        }
        self.with_tcp(sid, |t, ctx| match option {
            SockOpt::TcpCork { value: on } => t.set_cork(on, ctx),
            SockOpt::TcpQuickack { value: on } => t.set_quickack(on, ctx),
            SockOpt::TcpUserTimeout { us } => t.user_timeout_us = us,
            SockOpt::SoLinger { us } => t.linger_us = us,
        });
        self.app_return(i, AppCallKind::SetSockOpt, AppResult::Ok);
    }

    fn call_poll(&mut self, i: usize, sid: SocketId, timeout_us: Option<Micros>) {
        self.app_call(sid, AppCall::Poll { timeout_us });
        let deadline = timeout_us.map(|t| self.now + t);
        if let Some(d) = deadline {
            self.push(d, What::Wake(i));
        }
        self.block(i, Blocked::Poll { deadline });
    }

    fn call_tcp_info(&mut self, i: usize, sid: SocketId) {
        self.app_call(sid, AppCall::TcpInfo);
        let p = self.sp(sid).clone();
        let r = match self.tcp(sid) {
            Some(t) => AppResult::TcpInfo { info: t.info(&p) },
            None => errno("ENOPROTOOPT"),
        };
        self.app_return(i, AppCallKind::TcpInfo, r);
    }

    /// A deadline of app `i`'s blocked call (poll's timeout, SO_LINGER's time) has come, or
    /// its woken reader runs ([`Sim::reader_sleeps`]).
    pub(super) fn wake_app(&mut self, i: usize) {
        if let Some(at) = self.apps[i].wake_at {
            if at > self.now {
                return; // an older deadline: the reader runs at its own wake-up
            }
            self.apps[i].wake_at = None;
            self.apps[i].woken_at = Some(self.now);
        }
        if self.apps[i].blocked.is_some() {
            self.try_complete(i);
        }
    }

    /// Lets every blocked application try again; returns whether any progressed.
    pub(super) fn poll_apps(&mut self) -> bool {
        let mut any = false;
        for i in 0..self.apps.len() {
            if self.apps[i].blocked.is_some() && !self.reader_sleeps(i) && self.try_complete(i) {
                any = true;
            }
        }
        any
    }

    /// Whether app `i` is a task asleep until its socket is readable (recv(), poll(),
    /// accept(): [`Blocked::sleeps_until_readable`]) that must not run yet. Data (or a FIN,
    /// an error, a connection for a listener) arriving for it only wakes it (`sk_data_ready`
    /// → `sock_def_readable`): the task runs the profile's `reader_wake_us` later and then
    /// finds everything queued by that time, whatever else arrives at the same instant
    /// included. So a flight that arrives at one instant is one recv()
    /// (`tcp_recvmsg_locked`), and a poll() it woke returns after the whole flight is
    /// queued, so the recv() that follows reads it all, as on Linux, not one segment; of a
    /// flight a link hands over packet by packet (`LinkSpec::handover_us`) the woken task
    /// finds the first packet, and makes its next call after the rest (`app_return`). A call
    /// that finds its socket readable when it is called returns at once (`block` tries it
    /// before the task sleeps).
    fn reader_sleeps(&mut self, i: usize) -> bool {
        let app = &self.apps[i];
        if !app.asleep
            || !app
                .blocked
                .as_ref()
                .is_some_and(Blocked::sleeps_until_readable)
        {
            return false;
        }
        if app.wake_at.is_some() {
            return true;
        }
        // Woken at this instant already and still waiting: it is running now, so what made
        // its socket look readable is tried at once rather than woken for again (a readiness
        // its call cannot use would otherwise wake it for ever within one instant).
        if app.woken_at == Some(self.now) {
            return false;
        }
        let sid = app.socket;
        if !self.read_ready(sid) {
            return false;
        }
        self.run_after_wake(i, self.sp(sid).reader_wake_us);
        true
    }

    /// Schedules the task of app `i`, just woken (a wake-up only marks it runnable), to run
    /// `after` µs from now, after everything else at that instant ([`What::Wake`]): a woken
    /// reader the profile's `reader_wake_us` later ([`Sim::reader_sleeps`]), a woken writer
    /// at once or `writer_wake_us` later ([`Sim::writer_sleeps`]).
    fn run_after_wake(&mut self, i: usize, after: Micros) {
        let at = self.now + after;
        self.apps[i].wake_at = Some(at);
        self.push(at, What::Wake(i));
    }

    /// Whether a read on `sid` would not block: what poll() reports as readable, and what
    /// wakes a reader sleeping in recv().
    fn read_ready(&self, sid: SocketId) -> bool {
        match &self.socks[sid.0 as usize] {
            Sock::Tcp(t) => t.readable(),
            Sock::Udp(u) => !u.queue.is_empty() || u.closed || u.error.is_some(),
            Sock::Script => true,
        }
    }

    /// Completes app `i`'s blocked call if it can; returns whether anything changed.
    fn try_complete(&mut self, i: usize) -> bool {
        let sid = self.apps[i].socket;
        let b = match &self.apps[i].blocked {
            None => return false,
            // A blocked send() is polled after every event: it works on its span list in
            // place rather than cloning it each time.
            Some(Blocked::Send { .. }) => return self.try_send(i, sid),
            Some(b) => b.clone(),
        };
        match b {
            Blocked::Connect => {
                let Some(t) = self.tcp(sid) else { return false };
                if let Some(e) = t.error {
                    self.app_return(i, AppCallKind::Connect, errno(e));
                    return true;
                }
                match t.state {
                    TcpState::SynSent | TcpState::SynReceived => false,
                    TcpState::Closed => {
                        self.app_return(i, AppCallKind::Connect, errno("ECONNREFUSED"));
                        true
                    }
                    _ => {
                        self.app_return(i, AppCallKind::Connect, AppResult::Ok);
                        true
                    }
                }
            }
            Blocked::Accept { label } => {
                // `inet_csk_wait_for_connect`: woken with the queue still empty, "if
                // (sk->sk_state != TCP_LISTEN) break" with -EINVAL: another task's
                // shutdown(SHUT_RD) stopped the listener (`inet_shutdown` →
                // `tcp_disconnect` → `inet_csk_listen_stop`, then `sk_state_change`).
                if !self.listening(sid) {
                    self.app_return(i, AppCallKind::Accept, errno("EINVAL"));
                    return true;
                }
                let Some(child) = self
                    .listener_mut(sid)
                    .and_then(|l| l.accept_queue.pop_front())
                else {
                    // `inet_csk_wait_for_connect`: the task sleeps (`schedule_timeout`) until
                    // a connection's `sk_data_ready` on the listener wakes it.
                    self.apps[i].asleep = true;
                    return false;
                };
                self.report_listener(sid);
                if let Sock::Tcp(t) = &mut self.socks[child.0 as usize] {
                    t.in_app = true;
                }
                if let Some(l) = label {
                    self.infos[child.0 as usize].label = l.clone();
                    self.labels.insert(l, child);
                }
                self.app_return(
                    i,
                    AppCallKind::Accept,
                    AppResult::Accepted { socket: child },
                );
                self.apps[i].socket = child;
                true
            }
            Blocked::Recv { max, looping } => {
                let out = match &mut self.socks[sid.0 as usize] {
                    // `__skb_try_recv_datagram` looks at `sock_error` first: a pending error
                    // is returned (and cleared) even with datagrams queued.
                    Sock::Udp(u) if u.error.is_some() => u.error.take().map(errno),
                    Sock::Udp(u) => match u.read(max) {
                        Some(r) => Some(AppResult::Data {
                            len: r.len,
                            payload: r.payload,
                            from: Some(r.from),
                            truncated: (r.truncated > 0).then_some(r.truncated),
                        }),
                        None if u.closed => Some(errno("EBADF")),
                        None => None,
                    },
                    Sock::Tcp(_) => {
                        let r = self.with_tcp(sid, |t, ctx| t.app_recv(max, ctx));
                        match r {
                            Some(RecvOutcome::Data(spans)) => Some(AppResult::Data {
                                len: crate::tcp::buffers::spans_len(&spans),
                                payload: spans,
                                from: None,
                                truncated: None,
                            }),
                            Some(RecvOutcome::Eof) => Some(AppResult::Eof),
                            Some(RecvOutcome::Error(e)) => Some(errno(e)),
                            Some(RecvOutcome::WouldBlock) | None => None,
                        }
                    }
                    // No application runs on a script's end (`Sim::new` refuses sockets on a
                    // scripted host), so no recv() ever reaches here.
                    Sock::Script => Some(errno("EBADF")),
                };
                if let Some(Sock::Udp(u)) = self.socks.get(sid.0 as usize) {
                    if out.is_some() {
                        let (len, cap) = (u.queued_bytes, u.recv_cap);
                        self.emit(EventKind::QueueChanged {
                            socket: sid,
                            queue: QueueKind::Datagrams,
                            len,
                            cap,
                        });
                    }
                }
                match out {
                    Some(r @ AppResult::Data { .. }) if looping => {
                        // Return, then call recv() again (same step): at once, or, for a
                        // task that slept, once the train that woke it is in (`next_call_at`:
                        // a reader in a recv() loop woken by a flight's first segment reads
                        // 1448, then the other nine of ten in one recv(), and the windows of
                        // the ACKs between show the first segment's memory free and no other,
                        // 67, 70, 73, 75, 75, 74 … 70 << 10 on 6.18; read at once, each
                        // segment went alone and the windows grew to 79).
                        let resume = self.next_call_at(i);
                        self.emit(EventKind::AppReturn {
                            socket: sid,
                            call: AppCallKind::Recv,
                            result: r,
                        });
                        if resume > self.now {
                            self.apps[i].blocked = None;
                            self.apps[i].awake();
                            self.schedule_call(i, resume, false);
                            return true;
                        }
                        self.emit(EventKind::AppCall {
                            socket: sid,
                            call: AppCall::Recv { max },
                        });
                        // The new call reads what is left at once, or sleeps.
                        self.apps[i].awake();
                        true
                    }
                    Some(r) => {
                        self.app_return(i, AppCallKind::Recv, r);
                        true
                    }
                    None => {
                        // Nothing to read: the reader sleeps until something arrives.
                        self.apps[i].asleep = true;
                        false
                    }
                }
            }
            Blocked::Send { .. } => false, // handled by `try_send` above
            Blocked::Poll { deadline } => {
                let ready = self.read_ready(sid);
                if !ready && deadline.is_none_or(|d| self.now < d) {
                    // `do_poll` → `poll_schedule_timeout`: the task sleeps until the
                    // socket's wait queue wakes it (`pollwake`) or its timeout comes.
                    self.apps[i].asleep = true;
                    return false;
                }
                self.app_return(i, AppCallKind::Poll, AppResult::Polled { ready });
                true
            }
            Blocked::Linger { deadline } => {
                use TcpState::*;
                let waiting = self
                    .tcp(sid)
                    .is_some_and(|t| matches!(t.state, FinWait1 | Closing | LastAck));
                if waiting && self.now < deadline {
                    return false;
                }
                // `__tcp_close` after the wait: `sock_orphan`, the socket is SOCK_DEAD now.
                if let Some(t) = self.tcp(sid) {
                    t.lingering = false;
                }
                self.app_return(i, AppCallKind::Close, AppResult::Ok);
                true
            }
        }
    }

    /// Whether app `i`, asleep in send() for want of room (`sk_stream_wait_memory`), must not
    /// copy yet though its socket now takes more. The ACK that freed the room only wakes it
    /// (`tcp_check_space` → `tcp_new_space` → `sk_stream_write_space`, once the free part is
    /// half the queued part, after that ACK's own `tcp_data_snd_check` push). When it copies
    /// depends on whether it still held the socket when that ACK came:
    ///
    /// - Held (M): the writer sleeps through `sk_wait_event`, which first lets go of the
    ///   socket (`release_sock` → `__release_sock` processes the backlog, the ACKs that
    ///   `tcp_v4_rcv` → `tcp_add_backlog` queued while `sock_owned_by_user`) and then tests
    ///   `sk_stream_memory_free` before it sleeps at all: an ACK that came while the writer
    ///   was still pushing frees the room at that release, and the writer copies at once,
    ///   against the state that ACK left. The kernel's writer hands its push to the device a
    ///   segment at a time under `lock_sock` (`tcp_push` → `tcp_write_xmit`), which the model
    ///   does in no time; the model counts the writer as holding the socket until the link has
    ///   handed the push's last segment to the peer ([`Sim::push_handed_over`]).
    /// - Asleep (S): the ACK wakes a sleeping task (`woken_wake_function`), which runs the
    ///   profile's `writer_wake_us` later (the scheduler's latency, as `reader_wake_us` is a
    ///   reader's); the ACKs that come meanwhile are processed as they land (softirq, the
    ///   socket not owned), and it copies against the state they left. From then on the ACKs
    ///   behind it wait in the backlog until it sleeps again or returns.
    ///
    /// Measured on 6.18 at a 0 ms wire (explore 6300-4 and 6200-18: send(100000) into a peer that
    /// does not read, the ACKs 10-30 µs apart coming back while the push is still handed over): the
    /// kernel's chunk ends are those of a writer that copied at the waking ACK in 17 of 24 runs
    /// (load 4-22), of one copying 30 µs later in none; and the bulk write into the handshake's
    /// send buffer (`send-buffer-bulk-write+delay=0`: the kernel handing over its 44 segments ~10
    /// µs apart; in the model the first flight's 10 are handed over until 180 µs after the push,
    /// the waking ACK 150 µs after it) copies at once too. On 1, 5 and 50 ms wires the ACKs come
    /// after the push is over. Traced with tracepoints (tcp:tcp_probe, sched:sched_waking /
    /// sched_switch, tcp:tcp_sendmsg_locked; explore 49100-10, 49200-1, 49300-2, 44000-8, 76
    /// wake-ups, load 4-8): the waking ACK is the one this picks (the 2nd, 5th, 6th of its train),
    /// the writer runs 17-63 µs after it and starts copying 19-82 µs after it (median 43: the lab's
    /// `writer_wake_us`, 40), after 0-5 more ACKs of the train, processed in softirq; those that
    /// come while it copies wait in the socket's backlog (`tcp_add_backlog`, which coalesces them)
    /// until its push is done (47 of 76), which the model, copying in no time, leaves to come after
    /// the copy. With send(60000) then close() (20 ms one way, the 46080-byte buffer of the
    /// handshake): the writer's first new segment leaves after the rest of the train that woke it,
    /// 110-140 µs later, and its last, the 632-byte tail, before the close() that follows
    /// (`Sim::next_call_at`), whose FIN leaves alone 6 µs after it (3 of 3, load 3.6-4.2).
    fn writer_sleeps(&mut self, i: usize) -> bool {
        let app = &self.apps[i];
        if !app.asleep || app.woken_at == Some(self.now) {
            return false;
        }
        if app.wake_at.is_none() {
            let after = if self.now < app.held_until {
                0
            } else {
                self.sp(app.socket).writer_wake_us
            };
            self.run_after_wake(i, after);
        }
        true
    }

    /// When the segments socket `sid` sent at this instant (its writer's push) have all been
    /// handed over to the peer's stack (`Link::last_handover`), or now if it sent none: the
    /// kernel's writer hands its push to the device segment by segment and holds the socket
    /// meanwhile (`tcp_sendmsg_locked` → `tcp_push` → `tcp_write_xmit`, under `lock_sock`),
    /// which the model does in no time.
    fn push_handed_over(&self, sid: SocketId) -> Micros {
        let Some(Sock::Tcp(t)) = self.socks.get(sid.0 as usize) else {
            return self.now;
        };
        let (local, Some(remote)) = (t.local, t.remote) else {
            return self.now;
        };
        let pushed = self.out.iter().rev().take_while(|e| e.t == self.now).any(
            |e| matches!(&e.kind, EventKind::SegmentSent { segment, .. } if segment.src == local),
        );
        match self.links.get(&(local.host, remote.host)) {
            Some(l) if pushed => l.last_handover().max(self.now),
            _ => self.now,
        }
    }

    /// The rest of a blocked send(): as much as the send buffer takes now.
    fn try_send(&mut self, i: usize, sid: SocketId) -> bool {
        let linux_errno = self.sp(sid).linux_errno;
        let Some(t) = self.tcp(sid) else { return false };
        let e = if linux_errno { t.take_error() } else { t.error };
        if let Some(e) = e {
            self.app_return(i, AppCallKind::Send, errno(e));
            return true;
        }
        if matches!(t.state, TcpState::SynSent | TcpState::SynReceived) {
            return false; // send() on a connecting socket waits
        }
        if !t.can_send() {
            self.app_return(i, AppCallKind::Send, errno("EPIPE"));
            return true;
        }
        let want = match self.apps[i].blocked.as_ref() {
            Some(Blocked::Send { rest, .. }) => crate::tcp::buffers::spans_len(rest),
            _ => return false,
        };
        // The socket's profile and the socket itself, borrowed apart (`sp` and `tcp` each
        // borrow the whole simulator).
        let p = &self.profiles[self.sock_prof[sid.0 as usize] as usize];
        let Some(Sock::Tcp(t)) = self.socks.get_mut(sid.0 as usize) else {
            return false;
        };
        let n = t.send_room(want, p);
        if n == 0 {
            // `sk_stream_wait_memory`: the task sleeps (SOCK_NOSPACE) until an ACK frees room.
            // A task that runs now (first sleep, or woken at this instant) goes to sleep now:
            // it holds the socket until its push is handed over ([`Sim::writer_sleeps`]).
            if !self.apps[i].asleep || self.apps[i].woken_at == Some(self.now) {
                self.apps[i].held_until = self.push_handed_over(sid);
            }
            self.apps[i].asleep = true;
            return false;
        }
        if self.writer_sleeps(i) {
            return false;
        }
        let Some(Blocked::Send { rest, more, .. }) = self.apps[i].blocked.as_mut() else {
            return false;
        };
        let more = *more;
        let mut rest = std::mem::take(rest);
        let n = self
            .with_tcp(sid, |t, ctx| t.app_send(&rest, n, more, ctx))
            .unwrap_or(n);
        crate::tcp::buffers::drop_front(&mut rest, n);
        if rest.is_empty() {
            self.app_return(i, AppCallKind::Send, AppResult::Ok);
        } else if let Some(Blocked::Send { rest: r, .. }) = self.apps[i].blocked.as_mut() {
            *r = rest;
        }
        true
    }
}

fn errno(e: &str) -> AppResult {
    AppResult::Error {
        errno: e.to_string(),
    }
}

/// The whole of message `m`, `len` bytes, as one span of payload.
fn whole(m: MessageId, len: u32) -> PayloadSpan {
    PayloadSpan {
        message: m,
        start: 0,
        end: len,
    }
}
