//! Socket set-up that std does not offer: an explicit listen backlog, SO_REUSEADDR on UDP,
//! SO_LINGER 0, non-blocking connect, and recvfrom with MSG_TRUNC (which reports a datagram's
//! real length even when the buffer was smaller; see udp(7)).

use std::net::{SocketAddrV4, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::time::{Duration, Instant};

use synack_model::profile::Profile;

use crate::error::{cvt, cvt_size, LabError, Result};

fn sockaddr(a: SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: POD.
    let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    sa.sin_family = libc::AF_INET as u16;
    sa.sin_port = a.port().to_be();
    sa.sin_addr.s_addr = u32::from_ne_bytes(a.ip().octets());
    sa
}

fn setopt(fd: RawFd, level: i32, name: i32, val: i32, what: &str) -> Result<()> {
    // SAFETY: an int option we own.
    cvt(
        unsafe { libc::setsockopt(fd, level, name, &val as *const _ as *const libc::c_void, 4) },
        || what.to_string(),
    )?;
    Ok(())
}

fn new_socket(ty: i32) -> Result<RawFd> {
    // SAFETY: plain socket(2).
    cvt(
        unsafe { libc::socket(libc::AF_INET, ty | libc::SOCK_CLOEXEC, 0) },
        || "socket(AF_INET)".into(),
    )
}

fn bind(fd: RawFd, a: SocketAddrV4) -> Result<()> {
    let sa = sockaddr(a);
    // SAFETY: sa outlives the call.
    cvt(
        unsafe {
            libc::bind(
                fd,
                &sa as *const _ as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_in>() as u32,
            )
        },
        || format!("bind({a})"),
    )?;
    Ok(())
}

/// SO_RCVBUF / SO_SNDBUF as a scenario gives them (bytes; the kernel doubles them), set
/// before listen() or connect() so that the window scale is chosen from them and accepted
/// sockets inherit them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Buffers {
    pub rcv: Option<u32>,
    pub snd: Option<u32>,
}

/// How `tcp_listener_with` sets up the socket before bind().
#[derive(Clone, Copy, Debug)]
pub struct ListenOpts {
    pub buffers: Buffers,
    /// SO_REUSEADDR.
    pub reuse_addr: bool,
    pub opts: TcpOpts,
}

/// Socket options a scenario's socket sets before bind() (tcp(7), socket(7)); the kernel's
/// units: milliseconds for TCP_USER_TIMEOUT, whole seconds for SO_LINGER.
///
/// Every TCP socket the lab makes goes through [`set_opts`], so every one of them (the
/// runner's and the standalone experiments') gets `congestion`; the default is the Linux
/// profile's. `None` leaves the host's: only for `--host` without CAP_NET_ADMIN, where the
/// kernel refuses a module outside `tcp_allowed_congestion_control` (see [`Congestion::allowed`]).
#[derive(Clone, Copy, Debug)]
pub struct TcpOpts {
    pub congestion: Option<Congestion>,
    pub reuse_addr: bool,
    pub reuse_port: bool,
    /// TCP_NODELAY from the start (the scenario socket's `no_delay`).
    pub no_delay: bool,
    pub cork: bool,
    pub user_timeout_ms: Option<u32>,
    pub linger_s: Option<u32>,
    pub max_seg: Option<u16>,
    pub syn_count: Option<u32>,
}

impl Default for TcpOpts {
    fn default() -> TcpOpts {
        TcpOpts {
            congestion: Some(Congestion::of(&Profile::linux())),
            reuse_addr: false,
            reuse_port: false,
            no_delay: false,
            cork: false,
            user_timeout_ms: None,
            linger_s: None,
            max_seg: None,
            syn_count: None,
        }
    }
}

/// The congestion control a profile describes (TCP_CONGESTION). Never the host's: a new
/// namespace inherits the host's `tcp_congestion_control` (`tcp_sk_init`), which is bbr on the
/// machine the recordings were made on, and BBR paces every GSO chunk, skips the restart after
/// idle (`tcp_slow_start_after_idle_check` returns early for a module with `cong_control`) and
/// sizes chunks from its own rate: nothing the model claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Congestion {
    /// `tcp_cubic.c`: the window after a loss is beta = 717/1024 of cwnd.
    Cubic,
    /// `tcp_cong.c`'s Reno: RFC 5681 eq. 4, half the flight.
    Reno,
}

impl Congestion {
    /// CUBIC for a CUBIC loss response (`loss_beta_1024` 717), Reno for RFC 5681's half (0).
    pub fn of(p: &Profile) -> Congestion {
        if p.loss_beta_1024 == 0 {
            Congestion::Reno
        } else {
            Congestion::Cubic
        }
    }

    /// The module's name, as TCP_CONGESTION and `tcp_congestion_control` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Congestion::Cubic => "cubic",
            Congestion::Reno => "reno",
        }
    }

    /// Whether this process may give a socket in the current namespace this module: `Ok(None)`
    /// when it may, `Ok(Some(host's module))` when the kernel says EPERM (no CAP_NET_ADMIN and
    /// the module is not in `tcp_allowed_congestion_control`; `tcp_set_congestion_control`).
    pub fn allowed(self) -> Result<Option<String>> {
        let fd = new_socket(libc::SOCK_STREAM)?;
        // SAFETY: fd is fresh; the TcpStream owns and closes it.
        let probe = unsafe { TcpStream::from_raw_fd(fd) };
        match set_congestion_fd(probe.as_raw_fd(), self.name()) {
            Ok(()) => Ok(None),
            Err(LabError::Io { source, .. }) if source.raw_os_error() == Some(libc::EPERM) => {
                let host = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_congestion_control")
                    .map_or_else(|_| "?".into(), |s| s.trim().to_string());
                Ok(Some(host))
            }
            Err(e) => Err(e),
        }
    }
}

fn set_opts(fd: RawFd, o: TcpOpts) -> Result<()> {
    if let Some(c) = o.congestion {
        set_congestion_fd(fd, c.name())?;
    }
    if o.reuse_addr {
        setopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1, "SO_REUSEADDR")?;
    }
    if o.reuse_port {
        setopt(fd, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1, "SO_REUSEPORT")?;
    }
    if o.no_delay {
        setopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1, "TCP_NODELAY")?;
    }
    if o.cork {
        setopt(fd, libc::IPPROTO_TCP, libc::TCP_CORK, 1, "TCP_CORK")?;
    }
    if let Some(ms) = o.user_timeout_ms {
        let v = i32::try_from(ms).unwrap_or(i32::MAX);
        setopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_USER_TIMEOUT,
            v,
            "TCP_USER_TIMEOUT",
        )?;
    }
    if let Some(secs) = o.linger_s {
        set_linger_fd(fd, secs)?;
    }
    if let Some(m) = o.max_seg {
        setopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_MAXSEG,
            m.into(),
            "TCP_MAXSEG",
        )?;
    }
    if let Some(n) = o.syn_count {
        let v = i32::try_from(n).unwrap_or(i32::MAX);
        setopt(fd, libc::IPPROTO_TCP, libc::TCP_SYNCNT, v, "TCP_SYNCNT")?;
    }
    Ok(())
}

/// setsockopt() of an int option at IPPROTO_TCP on a connected socket.
pub fn set_tcp_int(s: &TcpStream, name: i32, val: i32, what: &str) -> Result<()> {
    setopt(s.as_raw_fd(), libc::IPPROTO_TCP, name, val, what)
}

/// SO_LINGER {on, secs}, or off with `None`.
pub fn set_linger(s: &TcpStream, secs: Option<u32>) -> Result<()> {
    match secs {
        Some(t) => set_linger_fd(s.as_raw_fd(), t),
        None => {
            let l = libc::linger {
                l_onoff: 0,
                l_linger: 0,
            };
            linger_raw(s.as_raw_fd(), l)
        }
    }
}

fn set_linger_fd(fd: RawFd, secs: u32) -> Result<()> {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: i32::try_from(secs).unwrap_or(i32::MAX),
    };
    linger_raw(fd, l)
}

/// Whether close() of `s` may sleep: SO_LINGER on with a time (`sk_stream_wait_close`);
/// off, or on with 0 (an abort), it returns at once. Unknown (getsockopt failed): assumed so.
pub fn lingers(s: &TcpStream) -> bool {
    let mut l = libc::linger {
        l_onoff: 0,
        l_linger: 0,
    };
    let mut len = std::mem::size_of::<libc::linger>() as libc::socklen_t;
    // SAFETY: a linger struct we own; `len` says how much the kernel may fill.
    let r = unsafe {
        libc::getsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &mut l as *mut _ as *mut libc::c_void,
            &mut len,
        )
    };
    r != 0 || (l.l_onoff != 0 && l.l_linger > 0)
}

fn linger_raw(fd: RawFd, l: libc::linger) -> Result<()> {
    // SAFETY: a linger struct we own.
    cvt(
        unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &l as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as u32,
            )
        },
        || format!("SO_LINGER {}", l.l_linger),
    )?;
    Ok(())
}

/// send() of all of `data`, with MSG_MORE when `more`; blocking, but not past the run's
/// horizon: `left` says how long until it (None once it has come). Before each call
/// SO_SNDTIMEO is set to that time, so a send() asleep in `sk_stream_wait_memory` (a window
/// that never opens) returns at the horizon instead of holding its script thread, and with it
/// the run, for ever; until then it is the one blocking call the scenario made (a shorter
/// timeout would split it into several send() calls, and a new call takes the PSH off the
/// skb it goes on filling: `if (!copied)` in `tcp_sendmsg_locked`). Ok(false): still blocked
/// at the horizon, as the model's call would be (it records no return), or stopped by Ctrl-C
/// or SIGTERM: the call is [`interruptible`](crate::sys::signal::interruptible), and `left`
/// says None once a signal arrived.
pub fn send_all(
    s: &TcpStream,
    mut data: &[u8],
    more: bool,
    left: impl Fn() -> Option<Duration>,
) -> std::io::Result<bool> {
    let flags = libc::MSG_NOSIGNAL | if more { libc::MSG_MORE } else { 0 };
    while !data.is_empty() {
        let Some(left) = left() else {
            return Ok(false);
        };
        // SO_SNDTIMEO of zero means no timeout at all: at least a microsecond (a jiffy, as
        // the kernel rounds it up).
        s.set_write_timeout(Some(left.max(Duration::from_micros(1))))?;
        // Asleep in `sk_stream_wait_memory`, only a signal sent to this very thread ends the
        // call before its timeout: `interruptible` has one sent once Ctrl-C or SIGTERM came.
        let n = crate::sys::signal::interruptible(|| {
            // SAFETY: a buffer we own, its length.
            let n = unsafe {
                libc::send(
                    s.as_raw_fd(),
                    data.as_ptr() as *const libc::c_void,
                    data.len(),
                    flags,
                )
            };
            (n, std::io::Error::last_os_error())
        });
        let n = match n {
            (n, _) if n >= 0 => n,
            (_, e) => match e.kind() {
                // A signal (sent after Ctrl-C or SIGTERM, see `interruptible`): `left` says so.
                std::io::ErrorKind::Interrupted => continue,
                // The timeout: the horizon has come (the loop's `left` says so).
                std::io::ErrorKind::WouldBlock => continue,
                _ => return Err(e),
            },
        };
        data = &data[n as usize..];
    }
    Ok(true)
}

/// poll() for POLLIN for at most `wait`: Some(true) readable, Some(false) not yet.
pub fn poll_in(fd: RawFd, wait: Duration) -> Result<bool> {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = wait.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: one pollfd we own.
    let n = unsafe { libc::poll(&mut p, 1, ms) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() == std::io::ErrorKind::Interrupted {
            return Ok(false);
        }
        return Err(LabError::Io {
            what: "poll()".into(),
            source: e,
        });
    }
    Ok(n > 0)
}

/// getsockopt(TCP_INFO).
pub fn tcp_info(fd: RawFd) -> Result<libc::tcp_info> {
    // SAFETY: POD filled by the kernel; `len` says how much.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    cvt(
        unsafe {
            libc::getsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                &mut info as *mut _ as *mut libc::c_void,
                &mut len,
            )
        },
        || "TCP_INFO".into(),
    )?;
    Ok(info)
}

fn set_buffers(fd: RawFd, b: Buffers) -> Result<()> {
    let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    if let Some(v) = b.rcv {
        setopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, int(v), "SO_RCVBUF")?;
    }
    if let Some(v) = b.snd {
        setopt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, int(v), "SO_SNDBUF")?;
    }
    Ok(())
}

/// What a call the scenario makes returned: its value, or the errno of bind(), listen() or
/// connect() themselves (EADDRINUSE, EADDRNOTAVAIL: the kernel's answer, which the trace
/// records as the call's result). A failing socket() or setsockopt() is the lab's own error,
/// the outer `Result`, naming the call.
pub type CallResult<T> = std::result::Result<T, std::io::Error>;

/// The errno of a call the scenario makes (`CallResult`'s error) out of the lab's error.
fn call_errno<T>(r: Result<T>) -> Result<CallResult<T>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(LabError::Io { source, .. }) if source.raw_os_error().is_some() => Ok(Err(source)),
        Err(e) => Err(e),
    }
}

/// A TCP listener with this backlog and these buffers.
pub fn tcp_listener_with(
    addr: SocketAddrV4,
    backlog: i32,
    opts: ListenOpts,
) -> Result<CallResult<TcpListener>> {
    let fd = new_socket(libc::SOCK_STREAM)?;
    // SAFETY: fd is fresh; from here the TcpListener owns and closes it.
    let l = unsafe { TcpListener::from_raw_fd(fd) };
    if opts.reuse_addr {
        setopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1, "SO_REUSEADDR")?;
    }
    set_buffers(fd, opts.buffers)?;
    set_opts(fd, opts.opts)?;
    call_errno(bind(fd, addr).and_then(|()| {
        // SAFETY: listen on our socket.
        cvt(unsafe { libc::listen(fd, backlog) }, || {
            format!("listen({addr}, {backlog})")
        })
        .map(|_| l)
    }))
}

/// A non-blocking TCP socket bound to its address, and to its local port when it names one
/// (so the port can be recorded before the SYN leaves).
pub struct Prepared {
    stream: TcpStream,
    /// The bound port; 0 when connect() is to choose it.
    pub port: u16,
}

/// A non-blocking TCP socket with these buffers and options, bound to `bind_to`. Port 0
/// binds the address alone (IP_BIND_ADDRESS_NO_PORT): the port is chosen by connect(), as
/// for a client that never called bind() (`__inet_hash_connect`, which may take a 4-tuple
/// over from TIME-WAIT under tcp_tw_reuse); bind() to port 0 would pick it at once
/// (`inet_csk_get_port`), a port of its own that a TIME-WAIT connection on it refuses.
pub fn tcp_connect_prepare_with(
    bind_to: SocketAddrV4,
    buffers: Buffers,
    opts: TcpOpts,
) -> Result<CallResult<Prepared>> {
    let fd = new_socket(libc::SOCK_STREAM | libc::SOCK_NONBLOCK)?;
    // SAFETY: fd is fresh; the TcpStream owns it.
    let stream = unsafe { TcpStream::from_raw_fd(fd) };
    set_buffers(fd, buffers)?;
    set_opts(fd, opts)?;
    if bind_to.port() == 0 {
        setopt(
            fd,
            libc::IPPROTO_IP,
            libc::IP_BIND_ADDRESS_NO_PORT,
            1,
            "IP_BIND_ADDRESS_NO_PORT",
        )?;
    }
    if let Err(errno) = call_errno(bind(fd, bind_to))? {
        return Ok(Err(errno));
    }
    let port = stream
        .local_addr()
        .map_err(|source| LabError::Io {
            what: "getsockname".into(),
            source,
        })?
        .port();
    Ok(Ok(Prepared { stream, port }))
}

impl Prepared {
    /// Starts the connect and returns at once (the handshake continues in the kernel).
    pub fn connect(self, to: SocketAddrV4) -> Result<TcpStream> {
        let sa = sockaddr(to);
        // SAFETY: sa outlives the call.
        let r = unsafe {
            libc::connect(
                self.stream.as_raw_fd(),
                &sa as *const _ as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_in>() as u32,
            )
        };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINPROGRESS) {
                return Err(LabError::Io {
                    what: format!("connect({to})"),
                    source: e,
                });
            }
        }
        Ok(self.stream)
    }
}

/// setsockopt(TCP_CONGESTION): this socket's congestion control. A namespace's default
/// (`tcp_congestion_control`) can only name the host's `tcp_allowed_congestion_control` ones
/// (EPERM otherwise), a socket of a process with CAP_NET_ADMIN any loaded one; a listener's
/// choice goes to the connections it accepts (`tcp_ca_openreq_child` keeps a setsockopt
/// choice).
fn set_congestion_fd(fd: RawFd, name: &str) -> Result<()> {
    // SAFETY: the name outlives the call, its length is passed.
    cvt(
        unsafe {
            libc::setsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_CONGESTION,
                name.as_ptr() as *const libc::c_void,
                name.len() as libc::socklen_t,
            )
        },
        || format!("setsockopt(TCP_CONGESTION, {name})"),
    )?;
    Ok(())
}

/// Waits (bounded) until a non-blocking connect finishes; returns the socket error (0 = ok)
/// as an errno name, or `None` on time-out.
pub fn wait_connected(
    s: &TcpStream,
    timeout: Duration,
) -> Result<Option<std::result::Result<(), String>>> {
    let deadline = Instant::now() + timeout;
    loop {
        crate::sys::signal::check()?;
        let mut p = libc::pollfd {
            fd: s.as_raw_fd(),
            events: libc::POLLOUT,
            revents: 0,
        };
        // At most 50 ms per poll (to check for Ctrl-C), never past the caller's limit: with
        // `Duration::ZERO` (backlog checks every client in a loop) a fixed 50 ms made one
        // pass over a thousand unconnected clients take 50 s, past --timeout.
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = left.as_millis().min(50) as libc::c_int;
        // SAFETY: one pollfd we own.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        if n > 0 {
            return Ok(Some(match s.take_error() {
                Ok(None) => Ok(()),
                Ok(Some(e)) => Err(errno_name(&e)),
                Err(e) => Err(errno_name(&e)),
            }));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
    }
}

/// SO_LINGER {on, 0}: close() then aborts the connection with an RST (RFC 9293 §3.10.5 ABORT).
/// shutdown(2) on a listening socket, which std's `TcpListener` has no method for: SHUT_RD
/// (or SHUT_RDWR) stops the listener (`inet_shutdown` → `tcp_disconnect` →
/// `inet_csk_listen_stop`), SHUT_WR does nothing. The call's own result, as the script
/// records it.
pub fn shutdown_listener(l: &TcpListener, how: std::net::Shutdown) -> std::io::Result<()> {
    let how = match how {
        std::net::Shutdown::Read => libc::SHUT_RD,
        std::net::Shutdown::Write => libc::SHUT_WR,
        std::net::Shutdown::Both => libc::SHUT_RDWR,
    };
    // SAFETY: a descriptor the listener owns, for the duration of the call.
    if unsafe { libc::shutdown(l.as_raw_fd(), how) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// listen() on a listener's own socket again (after shutdown(SHUT_RD) stopped it).
pub fn listen_again(l: &TcpListener, backlog: i32) -> std::io::Result<()> {
    // SAFETY: a descriptor the listener owns, for the duration of the call.
    if unsafe { libc::listen(l.as_raw_fd(), backlog) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

pub fn set_linger_zero(s: &TcpStream) -> Result<()> {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a linger struct we own.
    cvt(
        unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &l as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as u32,
            )
        },
        || "SO_LINGER 0".into(),
    )?;
    Ok(())
}

/// A UDP socket, optionally with SO_REUSEADDR (several sockets on one port) before bind.
pub fn udp_socket(addr: SocketAddrV4, reuse: bool) -> Result<UdpSocket> {
    let fd = new_socket(libc::SOCK_DGRAM)?;
    // SAFETY: fd is fresh; the UdpSocket owns it.
    let s = unsafe { UdpSocket::from_raw_fd(fd) };
    if reuse {
        setopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1, "SO_REUSEADDR")?;
    }
    bind(fd, addr)?;
    Ok(s)
}

/// A UDP socket as a scenario describes it: SO_REUSEADDR, SO_REUSEPORT and SO_RCVBUF (bytes;
/// the kernel doubles it, `sock_setsockopt`) set before bind(), as the model's sockets are.
pub fn udp_socket_with(
    addr: SocketAddrV4,
    reuse_addr: bool,
    reuse_port: bool,
    rcvbuf: Option<u32>,
) -> Result<UdpSocket> {
    let fd = new_socket(libc::SOCK_DGRAM)?;
    // SAFETY: fd is fresh; the UdpSocket owns it.
    let s = unsafe { UdpSocket::from_raw_fd(fd) };
    if reuse_addr {
        setopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1, "SO_REUSEADDR")?;
    }
    if reuse_port {
        setopt(fd, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1, "SO_REUSEPORT")?;
    }
    if let Some(b) = rcvbuf {
        let v = i32::try_from(b).unwrap_or(i32::MAX);
        setopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, v, "SO_RCVBUF")?;
    }
    bind(fd, addr)?;
    Ok(s)
}

/// recvfrom with MSG_TRUNC: returns (bytes kept, the datagram's real length, sender).
pub fn recv_trunc(s: &UdpSocket, buf: &mut [u8]) -> Result<(usize, usize, SocketAddrV4)> {
    // SAFETY: POD out-parameters and a buffer we own.
    unsafe {
        let mut sa: libc::sockaddr_in = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as u32;
        let real = cvt_size(
            libc::recvfrom(
                s.as_raw_fd(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                libc::MSG_TRUNC,
                &mut sa as *mut _ as *mut libc::sockaddr,
                &mut len,
            ),
            || "recvfrom".into(),
        )?;
        let from = SocketAddrV4::new(
            std::net::Ipv4Addr::from(u32::from_be(sa.sin_addr.s_addr)),
            u16::from_be(sa.sin_port),
        );
        Ok((real.min(buf.len()), real, from))
    }
}

/// IP_ADD_MEMBERSHIP on the interface with address `iface`.
pub fn join_multicast(
    s: &UdpSocket,
    group: std::net::Ipv4Addr,
    iface: std::net::Ipv4Addr,
) -> Result<()> {
    s.join_multicast_v4(&group, &iface)
        .map_err(|source| LabError::Io {
            what: format!("joining multicast group {group}"),
            source,
        })
}

/// "ECONNREFUSED" for an io::Error.
pub fn errno_name(e: &std::io::Error) -> String {
    let n = e.raw_os_error().unwrap_or(0);
    let name = match n {
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ECONNRESET => "ECONNRESET",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EPIPE => "EPIPE",
        libc::EAGAIN => "EAGAIN",
        libc::ECONNABORTED => "ECONNABORTED",
        libc::EHOSTUNREACH => "EHOSTUNREACH",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::EADDRNOTAVAIL => "EADDRNOTAVAIL",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::ENOTCONN => "ENOTCONN",
        libc::EINVAL => "EINVAL",
        _ => return format!("errno {n}"),
    };
    name.to_string()
}

/// The bytes the lab's applications write, from the start of each send() (a datagram's after
/// its message number): byte i is `i % 251`.
pub fn pattern(len: usize) -> impl Iterator<Item = u8> {
    (0..len).map(|i| (i % 251) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(syn_count: Option<u32>) -> ListenOpts {
        ListenOpts {
            buffers: Buffers::default(),
            reuse_addr: false,
            opts: TcpOpts {
                // The host's congestion control: no CAP_NET_ADMIN needed.
                congestion: None,
                syn_count,
                ..TcpOpts::default()
            },
        }
    }

    #[test]
    fn bind_and_listen_errors_are_the_calls_result_and_a_setsockopt_error_is_the_labs() {
        let any = SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 0);
        let first = tcp_listener_with(any, 8, opts(None)).unwrap().unwrap();
        let taken = match first.local_addr().unwrap() {
            std::net::SocketAddr::V4(a) => a,
            other => panic!("{other}"),
        };
        // The port in use: bind()'s EADDRINUSE, the call's result the trace records.
        let again = tcp_listener_with(taken, 8, opts(None)).unwrap();
        assert_eq!(
            again.map(|_| ()).map_err(|e| errno_name(&e)),
            Err("EADDRINUSE".to_string())
        );
        // TCP_SYNCNT above MAX_TCP_SYNCNT (127) is EINVAL (`do_tcp_setsockopt`): the lab's
        // error, naming the option, never listen()'s result.
        match tcp_listener_with(any, 8, opts(Some(200))) {
            Err(LabError::Io { what, .. }) => assert_eq!(what, "TCP_SYNCNT"),
            other => panic!("{:?}", other.map(|r| r.map(|_| ()))),
        }
        match tcp_connect_prepare_with(any, Buffers::default(), opts(Some(200)).opts) {
            Err(LabError::Io { what, .. }) => assert_eq!(what, "TCP_SYNCNT"),
            other => panic!("{:?}", other.map(|r| r.map(|p| p.port))),
        }
    }
}
