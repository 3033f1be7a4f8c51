//! Ctrl-C and SIGTERM. The handler only records the signal: every wait in the lab is a loop
//! with a short timeout (at most 200 ms) that checks it, unwinds through `Drop` guards (threads
//! joined, sockets closed) and returns `LabError::Interrupted`; the session then stops its
//! capture and writes what was recorded with a "cut short" mark. The namespaces themselves are
//! anonymous (see `netns`), so the kernel frees them even if the process is killed outright.
//!
//! Exit status: 128 + the signal, the shell's convention (130 for SIGINT, 143 for SIGTERM).
//! A second signal exits at once, without waiting for the trace so far to be written.

use std::sync::atomic::{AtomicI32, Ordering};

use crate::error::{LabError, Result};

/// The signal received, 0 before any.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    // Only an atomic swap, and on a second signal write(2) and _exit(2): all async-signal-safe.
    if SIGNAL.swap(sig, Ordering::SeqCst) != 0 {
        // The second Ctrl-C: the user does not want to wait for the trace so far to be
        // written (it takes about a second per 150 MB). Namespaces are anonymous, so the
        // kernel still removes them with the process.
        const MSG: &[u8] = b"\nsynack-lab: second signal, exiting at once (a trace being written stays in its .part file)\n";
        // SAFETY: write(2) from a static buffer and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MSG.as_ptr().cast(), MSG.len());
            libc::_exit(128 + sig);
        }
    }
}

/// Installs the SIGINT/SIGTERM handler (idempotent).
pub fn install() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction with a plain handler and an empty mask is valid; the
        // handler only touches an atomic.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// The signal that asked us to stop, if any.
pub fn received() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// `Err(Interrupted)` once SIGINT or SIGTERM arrived.
pub fn check() -> Result<()> {
    match received() {
        Some(signal) => Err(LabError::Interrupted { signal }),
        None => Ok(()),
    }
}

/// "SIGINT" / "SIGTERM" for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT (Ctrl-C)",
        libc::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}
