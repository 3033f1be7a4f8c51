//! Applications: scripts of socket calls, run one step at a time by the simulator.

use crate::scenario::Step;
use crate::trace::{AppCallKind, Micros, PayloadSpan, SocketId};

/// A script being run.
#[derive(Clone, Debug)]
pub struct AppRun {
    pub steps: Vec<Step>,
    /// Next step to run.
    pub pc: usize,
    /// The socket the next step acts on.
    pub socket: SocketId,
    pub blocked: Option<Blocked>,
    /// A step is scheduled (or running): do not schedule another.
    pub scheduled: bool,
    /// The blocked call found its socket not readable and sleeps (recv(): `sk_wait_data`;
    /// poll(): `do_poll`; accept(): `inet_csk_wait_for_connect`), or found no room in the
    /// send buffer (send(): `sk_stream_wait_memory`): what arrives later wakes it, and it
    /// runs only [`crate::profile::Profile::reader_wake_us`] after that (a writer at once if
    /// it still held the socket, else `writer_wake_us` later: `Sim::writer_sleeps`).
    pub asleep: bool,
    /// When the woken task runs (a `Wake` is scheduled then).
    pub wake_at: Option<Micros>,
    /// The instant the task last ran after a wake-up: if its call could not complete then, it
    /// is not woken again within that instant (no wake-up loop at one instant, whatever
    /// made its socket look readable).
    pub woken_at: Option<Micros>,
    /// A writer asleep in send(): until when it counts as still holding the socket, its last
    /// push being handed over to the peer (`Sim::push_handed_over`, `Sim::writer_sleeps`).
    pub held_until: Micros,
}

impl AppRun {
    /// The task is awake again: its call returned, or a looping recv() calls again at once.
    /// Whatever woke it is spent (`wake_at`); `woken_at` stays, since it is only compared
    /// with the current instant (a task that runs again within it is not woken again there).
    pub fn awake(&mut self) {
        self.asleep = false;
        self.wake_at = None;
    }
}

/// A call that has not returned yet.
#[derive(Clone, Debug)]
pub enum Blocked {
    Connect,
    Accept {
        label: Option<String>,
    },
    Recv {
        max: u32,
        looping: bool,
    },
    /// The part of a send() that did not fit in the send buffer yet.
    Send {
        rest: Vec<PayloadSpan>,
        total: u32,
        /// MSG_MORE.
        more: bool,
    },
    /// poll() until readable or `deadline`.
    Poll {
        deadline: Option<Micros>,
    },
    /// close() with SO_LINGER {on, t}: waits until the FIN is acknowledged or `deadline`.
    Linger {
        deadline: Micros,
    },
}

impl Blocked {
    pub fn kind(&self) -> AppCallKind {
        match self {
            Blocked::Connect => AppCallKind::Connect,
            Blocked::Accept { .. } => AppCallKind::Accept,
            Blocked::Recv { .. } => AppCallKind::Recv,
            Blocked::Send { .. } => AppCallKind::Send,
            Blocked::Poll { .. } => AppCallKind::Poll,
            Blocked::Linger { .. } => AppCallKind::Close,
        }
    }

    /// Whether the call sleeps until its socket is readable, woken by `sk_data_ready`
    /// (`sock_def_readable`), and so returns only once the woken task runs, after whatever
    /// else arrives at that instant ([`crate::profile::Profile::reader_wake_us`]): recv()
    /// (`sk_wait_data`), poll() (`do_poll`, woken by `pollwake`) and accept()
    /// (`inet_csk_wait_for_connect`: a listener is readable when a connection waits in its
    /// accept queue, `inet_csk_listen_poll`). The others are woken by other things: connect()
    /// by `sk_state_change` at the SYN-ACK (`inet_wait_for_connect`), send() by ACKs freeing
    /// buffer space, SO_LINGER's close() by the FIN's ACK; they still return at the event
    /// that wakes them, but for send(), which sleeps in `sk_stream_wait_memory` and copies
    /// once the instant of the ACK that woke it is through, or `writer_wake_us` later if it
    /// had let go of the socket by then (`Sim::writer_sleeps`).
    pub fn sleeps_until_readable(&self) -> bool {
        matches!(
            self,
            Blocked::Recv { .. } | Blocked::Poll { .. } | Blocked::Accept { .. }
        )
    }
}
