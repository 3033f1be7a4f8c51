//! Applications: scripts of socket calls, run one step at a time by the simulator.

use crate::scenario::Step;
use crate::trace::{AppCallKind, PayloadSpan, SocketId};

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
    },
}

impl Blocked {
    pub fn kind(&self) -> AppCallKind {
        match self {
            Blocked::Connect => AppCallKind::Connect,
            Blocked::Accept { .. } => AppCallKind::Accept,
            Blocked::Recv { .. } => AppCallKind::Recv,
            Blocked::Send { .. } => AppCallKind::Send,
        }
    }
}
