//! Hosts without a TCP stack in the event loop. Scripted peers: their `send` lines go on the
//! wire at their times, and what the stack sends them is checked against their `expect` lines
//! (crate::script). SYN floods (`scenario::SynFlood`): a bare SYN from the next source port at
//! each tick, and nothing answered.

use super::{Sim, What};
use crate::rng::Rng;
use crate::scenario::SynFlood;
use crate::trace::{
    Addr, CutReason, EventKind, Header, HostId, PayloadSpan, Segment, SegmentId, SocketId,
    TcpFlags, TcpHeader, TcpOptions,
};

/// The random stream of a flood's sequence numbers is this plus the host's index: apart from
/// the stream the stacks draw from, so that adding a flood changes no other random choice.
pub(super) const FLOOD_STREAM: u64 = 0xf100d << 16;

/// A SYN flood while it runs.
pub(super) struct FloodRun {
    pub host: HostId,
    pub spec: SynFlood,
    pub target: Addr,
    /// Its entry in the trace's socket list.
    pub socket: SocketId,
    /// SYNs sent so far.
    sent: u32,
    rng: Rng,
}

impl FloodRun {
    pub fn new(host: HostId, spec: SynFlood, target: Addr, rng: Rng) -> FloodRun {
        FloodRun {
            host,
            spec,
            target,
            socket: SocketId(0),
            sent: 0,
            rng,
        }
    }
}

impl Sim {
    /// The first script failure of this run, if any (the run stopped there).
    pub fn script_failure(&self) -> Option<&crate::script::ScriptFailure> {
        self.script_failure.as_ref()
    }

    /// Schedules peer `i`'s next line if it is a `send`; an `expect` waits for a segment.
    pub(super) fn schedule_peer(&mut self, i: usize) {
        let p = &self.peers[i];
        if p.failed || p.scheduled {
            return;
        }
        let Some(line) = p.script.lines.get(p.pc) else {
            return;
        };
        if line.send.is_none() {
            return;
        }
        let at = p.current_time().unwrap_or(self.now).max(self.now);
        self.peers[i].scheduled = true;
        self.push(at, What::Peer(i));
    }

    pub(super) fn peer_send(&mut self, i: usize) {
        self.peers[i].scheduled = false;
        if self.peers[i].failed {
            return;
        }
        let line = self.peers[i].pc;
        match self.peers[i].take_send(self.now) {
            Ok(mut seg) => {
                if seg.payload_len > 0 {
                    // The script's bytes are a message of their own, named after the line,
                    // so the receiver's buffers and recv() can follow them like any data.
                    let p = &self.peers[i];
                    let label = format!("{} lines[{line}]", p.host_name);
                    let (socket, len) = (p.socket, seg.payload_len);
                    let id = self.new_message(socket, Some(&label), len, None);
                    seg.payload = vec![PayloadSpan {
                        message: id,
                        start: 0,
                        end: len,
                    }];
                }
                self.tx.push(seg)
            }
            Err(f) => return self.script_failed(f),
        }
        self.schedule_peer(i);
    }

    /// Schedules flood `i`'s next SYN, if it has one left.
    pub(super) fn schedule_flood(&mut self, i: usize) {
        let f = &self.floods[i];
        if f.sent >= f.spec.count {
            return;
        }
        let at = f.spec.at_us + f.sent as u64 * f.spec.every_us;
        self.push(at.max(self.now), What::Flood(i));
    }

    /// A bare SYN, as hping3 `-S` sends it by default: no options, window 64.
    pub(super) fn flood_send(&mut self, i: usize) {
        let f = &mut self.floods[i];
        let src = Addr {
            host: f.host,
            port: f.spec.first_port + f.sent as u16,
        };
        f.sent += 1;
        let seg = Segment {
            src,
            dst: f.target,
            header: Header::Tcp(TcpHeader {
                seq: f.rng.next_u32(),
                ack: 0,
                flags: TcpFlags {
                    syn: true,
                    ..TcpFlags::default()
                },
                window: 64,
                header_len: 20,
                options: TcpOptions::default(),
            }),
            payload_len: 0,
            payload: Vec::new(),
            wire_len: crate::tcp::socket::IP_HEADER + 20,
            retransmission: 0,
            network_duplicate: false,
        };
        self.tx.push(seg);
        self.schedule_flood(i);
    }

    pub(super) fn peer_arrival(&mut self, i: usize, id: SegmentId, seg: &Segment) {
        self.emit(EventKind::SegmentArrived { id });
        if self.peers[i].failed {
            return;
        }
        let now = self.now;
        match self.peers[i].receive(seg, now) {
            Ok(()) => self.schedule_peer(i),
            Err(f) => self.script_failed(f),
        }
    }

    /// At the end of the run, a script still waiting for a segment (or with a send left that
    /// the time limit cut off) has failed.
    pub(super) fn end_scripts(&mut self) {
        if self.scripts_ended || self.cut_short.is_some() {
            return;
        }
        self.scripts_ended = true;
        let now = self.now;
        for i in 0..self.peers.len() {
            if self.peers[i].failed {
                continue;
            }
            if let Err(f) = self.peers[i].at_end(now) {
                self.script_failed(f);
            }
        }
    }

    fn script_failed(&mut self, f: crate::script::ScriptFailure) {
        self.cut(CutReason::ScriptFailed, f.to_string());
        self.script_failure.get_or_insert(f);
    }
}
