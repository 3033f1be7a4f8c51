//! The experiments. Each one runs its socket calls on a thread inside the session's namespace,
//! records them, and computes its summary from the finished trace.

pub mod backlog;
pub mod conn;
pub mod loss;
pub mod sticky;
pub mod udp;

use std::io::ErrorKind;
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use synack_model::trace::{Addr, AppCall, AppCallKind, AppResult, PayloadSpan, Proto, SocketId};

use crate::error::{LabError, Result};
use crate::recorder::Recorder;
use crate::session::Session;
use crate::sys::netns::Netns;
use crate::sys::sock;

/// Runs `f` on a scoped thread inside `ns` (it may borrow the session).
pub fn in_ns<T: Send>(ns: &Netns, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|sc| {
        sc.spawn(|| {
            ns.enter()?;
            f()
        })
        .join()
        .map_err(|_| LabError::Protocol("experiment thread panicked".into()))?
    })
}

/// A listener registered in the trace.
pub fn listen(s: &Session, backlog: i32, label: &str) -> Result<(TcpListener, SocketId, u16)> {
    s.ns.enter()?;
    let addr = SocketAddrV4::new(s.server_ip, s.port);
    let l = sock::tcp_listener_with(
        addr,
        backlog,
        sock::ListenOpts {
            buffers: sock::Buffers::default(),
            reuse_addr: true,
            opts: sock::TcpOpts {
                congestion: s.congestion,
                ..sock::TcpOpts::default()
            },
        },
    )?
    .map_err(|e| io("bind() or listen()", e))?;
    let port = local_port(&l)?;
    s.rec.server_port(port);
    let id = s
        .rec
        .socket(s.server, Proto::Tcp, port, None, true, None, label);
    s.rec.call(
        id,
        AppCall::Listen {
            backlog: backlog.max(0) as u32,
        },
    );
    s.rec.ret(id, AppCallKind::Listen, AppResult::Ok);
    l.set_nonblocking(true)
        .map_err(|e| io("listener O_NONBLOCK", e))?;
    Ok((l, id, port))
}

/// Starts a client connect, registered (its port, chosen by connect(), once it returned).
pub fn connect_start(s: &Session, port: u16, label: &str) -> Result<(TcpStream, SocketId)> {
    s.client_ns.enter()?;
    let pre = sock::tcp_connect_prepare_with(
        SocketAddrV4::new(s.client_ip, 0),
        sock::Buffers::default(),
        sock::TcpOpts {
            congestion: s.congestion,
            ..sock::TcpOpts::default()
        },
    )?
    .map_err(|e| io("bind()", e))?;
    let cport = pre.port;
    let id = s.rec.socket(
        s.client,
        Proto::Tcp,
        cport,
        Some(Addr {
            host: s.server,
            port,
        }),
        false,
        None,
        label,
    );
    s.rec.call(
        id,
        AppCall::Connect {
            to: Addr {
                host: s.server,
                port,
            },
        },
    );
    let st = pre.connect(SocketAddrV4::new(s.server_ip, port))?;
    // connect() chose the port (`sock::tcp_connect_prepare_with` binds the address alone).
    let chosen = st.local_addr().map_err(|e| io("getsockname", e))?.port();
    s.rec.set_local_port(id, chosen);
    Ok((st, id))
}

/// Waits (bounded) for a started connect; records the AppReturn.
pub fn connect_finish(
    s: &mut Session,
    st: &TcpStream,
    id: SocketId,
    limit: Duration,
) -> Result<bool> {
    let end = Instant::now() + limit;
    loop {
        s.check("connect()")?;
        s.tick("connecting");
        match sock::wait_connected(st, Duration::from_millis(50))? {
            Some(Ok(())) => {
                s.rec.ret(id, AppCallKind::Connect, AppResult::Ok);
                return Ok(true);
            }
            Some(Err(errno)) => {
                s.rec
                    .ret(id, AppCallKind::Connect, AppResult::Error { errno });
                return Ok(false);
            }
            None if Instant::now() >= end => return Ok(false),
            None => {}
        }
    }
}

/// accept() with a bound; registers the connection as a child of the listener.
pub fn accept(
    s: &mut Session,
    l: &TcpListener,
    lid: SocketId,
    label: &str,
    limit: Duration,
) -> Result<Option<(TcpStream, SocketId)>> {
    s.rec.call(lid, AppCall::Accept);
    let end = Instant::now() + limit;
    loop {
        s.check("accept()")?;
        match l.accept() {
            Ok((st, peer)) => {
                let peer = match peer {
                    std::net::SocketAddr::V4(a) => a,
                    std::net::SocketAddr::V6(_) => {
                        return Err(LabError::Protocol("IPv6 peer on an IPv4 listener".into()))
                    }
                };
                let port = local_port_stream(&st)?;
                let remote = s.rec.addr_of(peer);
                let id = s.rec.socket(
                    s.server,
                    Proto::Tcp,
                    port,
                    Some(remote),
                    false,
                    Some(lid),
                    label,
                );
                s.rec
                    .ret(lid, AppCallKind::Accept, AppResult::Accepted { socket: id });
                st.set_nonblocking(false)
                    .map_err(|e| io("accepted socket blocking", e))?;
                return Ok(Some((st, id)));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if Instant::now() >= end {
                    return Ok(None);
                }
                s.tick("waiting in accept()");
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => return Err(io("accept()", e)),
        }
    }
}

/// Records what a recv() returned: `len` bytes (0 = end of stream), their message spans.
pub fn ret_recv(rec: &Recorder, id: SocketId, len: usize, payload: Vec<PayloadSpan>) {
    let result = if len == 0 {
        AppResult::Eof
    } else {
        AppResult::Data {
            len: len as u32,
            payload,
            from: None,
            truncated: None,
        }
    };
    rec.ret(id, AppCallKind::Recv, result);
}

/// One blocking recv() as the trace shows it: a single call, then the kernel's answer (the
/// byte count, 0 at end of stream). The socket must have a short SO_RCVTIMEO: its wake-ups let
/// the wait notice Ctrl-C and the run's deadline, and are not calls of their own.
/// `payload` names the message spans of the `n` bytes read.
pub fn recorded_recv(
    rec: &Recorder,
    id: SocketId,
    mut st: &TcpStream,
    buf: &mut [u8],
    (deadline, limit): (Instant, f64),
    what: &str,
    payload: impl FnOnce(usize) -> Vec<PayloadSpan>,
) -> Result<usize> {
    use std::io::Read;
    rec.call(
        id,
        AppCall::Recv {
            max: buf.len() as u32,
        },
    );
    loop {
        crate::sys::signal::check()?;
        if Instant::now() >= deadline {
            return Err(LabError::Timeout {
                what: what.into(),
                secs: limit,
            });
        }
        match st.read(buf) {
            Ok(n) => {
                ret_recv(rec, id, n, if n == 0 { Vec::new() } else { payload(n) });
                return Ok(n);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(io("recv()", e)),
        }
    }
}

/// `write_all` that gives up on Ctrl-C, SIGTERM or the run's deadline. The socket gets a short
/// SO_SNDTIMEO, so a writer blocked on a full send buffer (a reader that stopped, a wire that
/// drops everything) wakes up to check; a plain `write_all` would block the run forever.
pub fn bounded_write(
    mut st: &TcpStream,
    mut data: &[u8],
    (deadline, limit): (Instant, f64),
    what: &str,
) -> Result<()> {
    use std::io::Write;
    st.set_write_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| io("SO_SNDTIMEO", e))?;
    while !data.is_empty() {
        crate::sys::signal::check()?;
        if Instant::now() >= deadline {
            return Err(LabError::Timeout {
                what: what.into(),
                secs: limit,
            });
        }
        match st.write(data) {
            Ok(0) => return Err(io("send()", ErrorKind::WriteZero.into())),
            Ok(n) => data = &data[n..],
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(io("send()", e)),
        }
    }
    Ok(())
}

/// Sleeps `d` in short steps, giving up on Ctrl-C, SIGTERM or the deadline (for threads that
/// cannot borrow the session).
pub fn bounded_sleep(d: Duration, (deadline, limit): (Instant, f64), what: &str) -> Result<()> {
    let end = Instant::now() + d;
    loop {
        crate::sys::signal::check()?;
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        if now >= deadline {
            return Err(LabError::Timeout {
                what: what.into(),
                secs: limit,
            });
        }
        std::thread::sleep((end - now).min(Duration::from_millis(20)));
    }
}

/// `k=v k=v …` for counters in the text summaries.
pub fn key_values<K: std::fmt::Display, V: std::fmt::Display>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn io(what: &str, e: std::io::Error) -> LabError {
    LabError::Io {
        what: what.into(),
        source: e,
    }
}

pub fn local_port(l: &TcpListener) -> Result<u16> {
    Ok(l.local_addr().map_err(|e| io("getsockname", e))?.port())
}

pub fn local_port_stream(st: &TcpStream) -> Result<u16> {
    Ok(st.local_addr().map_err(|e| io("getsockname", e))?.port())
}

/// Milliseconds with one decimal, for summaries.
pub fn ms(us: u64) -> f64 {
    (us as f64 / 100.0).round() / 10.0
}
