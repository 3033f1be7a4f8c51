//! Ctrl-C and SIGTERM. The handler only records the signal: every wait in the lab is a loop
//! with a short timeout (at most 200 ms) that checks it, unwinds through `Drop` guards (threads
//! joined, sockets closed) and returns `LabError::Interrupted`; the session then stops its
//! capture and writes what was recorded with a "cut short" mark. The namespaces themselves are
//! anonymous (see `netns`), so the kernel frees them even if the process is killed outright.
//!
//! A call that blocks in the kernel for long (a scenario's send() into a window that never
//! opens, close() with SO_LINGER) is not such a loop, and a process-directed signal wakes one
//! thread only (usually the main thread): a script thread asleep in send() slept on until the
//! run's horizon, minutes for a long scenario. Such a call runs inside [`interruptible`], which
//! lists its thread while it is in the call; once a signal arrived, the waker thread sends
//! every listed thread [`wake_signal`] (`pthread_kill`), whose handler does nothing and is
//! installed without SA_RESTART, so the call returns EINTR (or the bytes it had copied) and
//! the thread unwinds. The waker repeats this every [`WAKE_EVERY`] until the thread has left
//! the call: a wake-up that lands just before the thread enters the system call (after it
//! checked for the signal) is lost, and the next one ends the call. A thread not in such a
//! call is never sent anything, and a run never interrupted sends nothing at all: its calls
//! are the scenario's, one send() each (a send() cut into slices would change the segments).
//!
//! Exit status: 128 + the signal, the shell's convention (130 for SIGINT, 143 for SIGTERM).
//! A second signal exits at once, without waiting for the trace so far to be written.

use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

use crate::error::{LabError, Result};

/// The signal received, 0 before any.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The eventfd the handler writes to on the first signal, to start the waker thread's
/// wake-ups; -1 before [`install`].
static WAKER_FD: AtomicI32 = AtomicI32::new(-1);

/// When the first signal came (CLOCK_REALTIME µs, `sys::realtime_us`), 0 before any.
static SIGNAL_AT_US: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    // Only atomics, clock_gettime(2), write(2) and on a second signal _exit(2): all
    // async-signal-safe.
    let _ = SIGNAL_AT_US.compare_exchange(
        0,
        crate::sys::realtime_us(),
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    let first = SIGNAL.swap(sig, Ordering::SeqCst) == 0;
    if first {
        let fd = WAKER_FD.load(Ordering::SeqCst);
        if fd >= 0 {
            let one: u64 = 1;
            // SAFETY: write(2) of 8 bytes we own to an eventfd: async-signal-safe. errno is
            // kept: the interrupted code may be about to read its own.
            unsafe {
                let errno = *libc::__errno_location();
                libc::write(fd, (&one as *const u64).cast(), 8);
                *libc::__errno_location() = errno;
            }
        }
    } else {
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

/// The handler of [`wake_signal`]: nothing. Its only effect is to be a handler, so that the
/// signal interrupts the system call its thread is in instead of being ignored or killing.
extern "C" fn on_wake(_: libc::c_int) {}

/// The signal that interrupts a thread's blocking call: the first real-time signal glibc
/// leaves to applications, which nothing else in the lab (or a user's `kill`) sends. Its own
/// handler, never `on_signal`'s, so a wake-up is never taken for a second Ctrl-C.
pub fn wake_signal() -> libc::c_int {
    libc::SIGRTMIN()
}

/// How often the waker interrupts a thread still in its call after a signal: soon enough
/// for "within about a second", and a call that ended is never sent another.
pub const WAKE_EVERY: Duration = Duration::from_millis(20);

/// The threads now inside [`interruptible`] (a thread twice when nested). The waker holds the
/// lock while it sends, and a thread leaves the list under it, so a thread is never sent a
/// signal once it has left (nor after it exited: `pthread_kill` of an ended thread is
/// undefined).
static IN_CALL: Mutex<Vec<libc::pthread_t>> = Mutex::new(Vec::new());

fn in_call() -> std::sync::MutexGuard<'static, Vec<libc::pthread_t>> {
    IN_CALL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `call`, one blocking system call on a socket, so that Ctrl-C or SIGTERM ends it: once
/// a signal arrived, the thread is sent [`wake_signal`] every [`WAKE_EVERY`] until `call` has
/// returned, and the call returns EINTR (or what it did so far: a send() the bytes it had
/// copied). The caller checks [`check`] after it. Nothing else inside: every system call in
/// `call` can be interrupted, and one that std restarts on EINTR would be slept in again.
pub fn interruptible<T>(call: impl FnOnce() -> T) -> T {
    /// Takes the thread off the list, on every way out of `call` (a panic too).
    struct Leave(libc::pthread_t);
    impl Drop for Leave {
        fn drop(&mut self) {
            let mut l = in_call();
            if let Some(i) = l.iter().position(|t| *t == self.0) {
                l.swap_remove(i);
            }
        }
    }
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() };
    in_call().push(me);
    let _leave = Leave(me);
    call()
}

/// Sends [`wake_signal`] to every thread now in an [`interruptible`] call; how many.
fn wake_threads_in_calls() -> usize {
    let l = in_call();
    for t in l.iter() {
        // SAFETY: every listed thread is alive: it takes itself off the list (under this
        // lock, held until we are done) before it can end.
        unsafe { libc::pthread_kill(*t, wake_signal()) };
    }
    l.len()
}

/// Installs `on_wake` for [`wake_signal`]: a plain handler, without SA_RESTART, so that an
/// interrupted call fails with EINTR rather than being restarted (signal(7); socket calls with
/// a timeout, as the runner's send() has, return EINTR regardless).
pub(crate) fn install_wake_handler() {
    // SAFETY: a zeroed sigaction with a plain handler, no flags and an empty mask is valid;
    // the handler does nothing.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_wake as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(wake_signal(), &sa, std::ptr::null_mut());
    }
}

/// The waker: sleeps in read(2) on the eventfd until the first signal, then interrupts the
/// threads in blocking calls every [`WAKE_EVERY`] until the process ends (a thread that enters
/// a blocking call while the run unwinds, such as a lingering close(), is woken too).
fn waker(fd: libc::c_int) {
    let mut n: u64 = 0;
    loop {
        // SAFETY: reads 8 bytes into a u64 we own.
        let r = unsafe { libc::read(fd, (&mut n as *mut u64).cast(), 8) };
        if r == 8 {
            break;
        }
        if r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        return;
    }
    loop {
        wake_threads_in_calls();
        std::thread::sleep(WAKE_EVERY);
    }
}

/// Installs the SIGINT/SIGTERM handler, the wake-up signal's, and starts the waker thread
/// (idempotent).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        install_wake_handler();
        // SAFETY: eventfd(2) with a valid flag.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
        if fd >= 0 {
            // The waker takes none of the signals: it starts with them blocked (a new thread
            // inherits its creator's mask), so SIGINT goes to a thread that acts on it and the
            // waker's read(2) is never cut short.
            // SAFETY: sigset_t we own; pthread_sigmask changes this thread's mask only and is
            // set back right after the spawn.
            unsafe {
                let mut block: libc::sigset_t = std::mem::zeroed();
                let mut old: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut block);
                for sig in [libc::SIGINT, libc::SIGTERM, wake_signal()] {
                    libc::sigaddset(&mut block, sig);
                }
                libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old);
                let spawned = std::thread::Builder::new()
                    .name("signal waker".into())
                    .spawn(move || waker(fd));
                libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
                if spawned.is_ok() {
                    WAKER_FD.store(fd, Ordering::SeqCst);
                } else {
                    libc::close(fd);
                }
            }
        }
        for sig in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: a zeroed sigaction with a plain handler and an empty mask is valid; the
            // handler only touches atomics, write(2) and _exit(2).
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_signal as *const () as usize;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(sig, &sa, std::ptr::null_mut());
            }
        }
    });
}

/// The signal that asked us to stop, if any.
pub fn received() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// When the signal that asked us to stop came (CLOCK_REALTIME µs, as `sys::realtime_us`).
pub fn received_at_us() -> Option<u64> {
    match SIGNAL_AT_US.load(Ordering::SeqCst) {
        0 => None,
        t => Some(t),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{ErrorKind, Read};
    use std::net::{TcpListener, TcpStream};
    use std::time::Instant;

    /// A connected pair on loopback; the first end's reads time out after `timeout`.
    fn pair(timeout: Duration) -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (b, _) = l.accept().unwrap();
        a.set_read_timeout(Some(timeout)).unwrap();
        (a, b)
    }

    #[test]
    fn a_thread_asleep_in_an_interruptible_call_is_woken_and_one_outside_is_left_alone() {
        install_wake_handler();
        // Asleep in recv() for 60 s, inside `interruptible`: woken at once.
        let (inside, _keep_in) = pair(Duration::from_secs(60));
        let woken = std::thread::spawn(move || {
            let t = Instant::now();
            let r = interruptible(|| (&inside).read(&mut [0u8; 16]));
            (r.map_err(|e| e.kind()), t.elapsed())
        });
        // Asleep in recv() for 1 s outside it: never sent anything, so its call times out.
        let (outside, _keep_out) = pair(Duration::from_secs(1));
        let alone =
            std::thread::spawn(move || (&outside).read(&mut [0u8; 16]).map_err(|e| e.kind()));
        // The waker's loop: one wake-up may land before the thread is in its system call,
        // the next one ends the call.
        let t = Instant::now();
        let mut sent = 0;
        while !woken.is_finished() && t.elapsed() < Duration::from_secs(10) {
            sent += wake_threads_in_calls();
            std::thread::sleep(WAKE_EVERY);
        }
        let (r, took) = woken.join().unwrap();
        assert_eq!(
            r,
            Err(ErrorKind::Interrupted),
            "after {took:?}, {sent} wake-ups"
        );
        assert!(took < Duration::from_secs(5), "woken after {took:?}");
        assert_eq!(alone.join().unwrap(), Err(ErrorKind::WouldBlock));
        assert!(
            in_call().is_empty(),
            "the thread left the list with its call"
        );
    }
}
