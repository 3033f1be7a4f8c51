//! Ctrl-C and SIGTERM. The handler only records the signal: every wait in the lab is a loop
//! with a short timeout (at most 200 ms) that checks it, unwinds through `Drop` guards (threads
//! joined, sockets closed) and returns `LabError::Interrupted`; the session then stops its
//! capture and writes what was recorded with a "cut short" mark. The namespaces themselves are
//! anonymous (see `netns`), so the kernel frees them even if the process is killed outright.
//!
//! Exit status: 128 + the signal, the shell's convention (130 for SIGINT, 143 for SIGTERM).
//! A second signal exits at once, without waiting for the trace so far to be written.

use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

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
        // A global setting changed for the run (a module parameter) goes back first: exiting
        // skips the `Drop` that would restore it.
        restore_all();
        // SAFETY: write(2) from a static buffer and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MSG.as_ptr().cast(), MSG.len());
            libc::_exit(128 + sig);
        }
    }
}

/// A file to write back on a second signal: its path and old value, NUL-terminated path.
struct Restore {
    path: std::ffi::CString,
    value: Vec<u8>,
}

/// Settings to restore if the process exits from the signal handler: few (one module
/// parameter today), in fixed slots the handler can read without locking or allocating.
static RESTORE: [AtomicPtr<Restore>; 4] = [const { AtomicPtr::new(std::ptr::null_mut()) }; 4];

/// Registers `path` to be written back to `value` if a second signal exits the process
/// before the run's own guard restored it (see `knobs::ModuleGuard`).
pub fn restore_on_exit(path: &str, value: &str) {
    let Ok(path) = std::ffi::CString::new(path) else {
        return;
    };
    let r = Box::into_raw(Box::new(Restore {
        path,
        value: value.as_bytes().to_vec(),
    }));
    for slot in &RESTORE {
        if slot
            .compare_exchange(std::ptr::null_mut(), r, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
    // No free slot: the guard's `Drop` still restores it on every path but a second signal.
    // SAFETY: `r` came from Box::into_raw above and was stored nowhere.
    drop(unsafe { Box::from_raw(r) });
}

/// The guard restored `path` itself: nothing left to do on a signal.
pub fn restored(path: &str) {
    for slot in &RESTORE {
        let p = slot.load(Ordering::SeqCst);
        // SAFETY: a non-null slot holds a leaked Box<Restore> that only this function frees,
        // after taking it out of the slot.
        if !p.is_null()
            && unsafe { (*p).path.as_bytes() } == path.as_bytes()
            && slot
                .compare_exchange(p, std::ptr::null_mut(), Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            // SAFETY: taken out of the slot above, so no one else reaches it (the handler
            // takes a slot with `swap`, and never frees what it took: it exits).
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

/// Writes every registered value back, from the signal handler: open(2), write(2) and
/// close(2) only, all async-signal-safe.
fn restore_all() {
    for slot in &RESTORE {
        let p = slot.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if p.is_null() {
            continue;
        }
        // SAFETY: a leaked Box<Restore> (never freed once out of its slot here: the process
        // exits right after); the path is NUL-terminated.
        unsafe {
            let r = &*p;
            let fd = libc::open(r.path.as_ptr(), libc::O_WRONLY);
            if fd >= 0 {
                libc::write(fd, r.value.as_ptr().cast(), r.value.len());
                libc::close(fd);
            }
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
