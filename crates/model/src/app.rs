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
    /// The blocked recv() found nothing and sleeps (`sk_wait_data`): what arrives later
    /// wakes it, and it runs only [`crate::profile::Profile::reader_wake_us`] after that.
    pub asleep: bool,
    /// When the woken reader runs (a `Wake` is scheduled then).
    pub wake_at: Option<Micros>,
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
}
