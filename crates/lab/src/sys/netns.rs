//! Private network namespaces, one per experiment.
//!
//! Why anonymous namespaces instead of `ip netns add`: a namespace made by `unshare(CLONE_NEWNET)`
//! has no name and no bind mount in `/run/netns`; it lives exactly as long as something refers
//! to it (a thread inside it, a socket or TUN device created in it, or the `/proc/.../ns/net`
//! file descriptor held by [`Netns`]). When the run ends — normally, by error, by Ctrl-C, or even
//! by `kill -9` — the kernel drops those references and destroys the namespace with its
//! interfaces. Nothing can be left behind on the host, and the host's sysctls are never touched.
//!
//! A namespace is a property of a *thread* (setns(2) changes the calling thread only), so every
//! piece of work that must happen inside runs on a thread spawned by [`Netns::spawn`]; sockets
//! keep the namespace they were created in wherever they are used afterwards.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::error::{cvt, Context, LabError, Result};

/// A network namespace this process created, or (`host()`) the host's own namespace for the
/// experiments that can run unprivileged on the host's loopback.
#[derive(Clone)]
pub struct Netns {
    fd: Option<Arc<OwnedFd>>,
    name: String,
}

/// How many buckets each lab namespace's own TCP and UDP socket hash tables have
/// (`tcp_child_ehash_entries`, `udp_child_hash_entries`, Linux 5.19 / 6.2): a sock_diag dump
/// walks every bucket of the table its namespace uses (`inet_diag_dump_icsk`: `for (i = 0; i
/// <= ehash_mask; i++)`), and the host's shared table has 262,144 on a machine with a few GB,
/// so a poller dumping every millisecond kept a CPU busy in `tcp_diag_dump` (78 % of a
/// compare's samples, 8.3 s of system time in an 8.4 s run) and made every other run on the
/// machine late. 1024 buckets hold the backlog cases' thousand sockets in short chains.
const CHILD_HASH_BUCKETS: &str = "1024";

/// The sysctls whose defaults `tcp_set_hashinfo` derives from the namespace's table size
/// (`max(128, buckets / 128)`, `buckets / 2`).
const TABLE_SIZED_DEFAULTS: [&str; 2] = [
    "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_max_tw_buckets",
];

/// The namespace the lab's namespaces are created from, and the per-namespace defaults a
/// namespace created from the host's gets, which a table of its own would change.
struct Parent {
    fd: OwnedFd,
    /// (sysctl, value) of [`TABLE_SIZED_DEFAULTS`] in a namespace made from the host's:
    /// written into each lab namespace, so that its TCP is the one every namespace on this
    /// host gets.
    defaults: Vec<(&'static str, String)>,
}

/// A private namespace, made once per process from the host's, whose children get socket
/// tables of their own ([`CHILD_HASH_BUCKETS`]); `None` where the kernel has no such sysctl
/// (older than 5.19) or it cannot be set, and the lab's namespaces share the host's table as
/// before (slower polling, the same results).
fn parent() -> Option<&'static Parent> {
    static PARENT: std::sync::OnceLock<Option<Parent>> = std::sync::OnceLock::new();
    PARENT
        .get_or_init(|| {
            std::thread::spawn(|| -> Option<Parent> {
                // SAFETY: unshare only affects this (short-lived) thread.
                if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                    return None;
                }
                let defaults = TABLE_SIZED_DEFAULTS
                    .into_iter()
                    .map(|k| read_sysctl(k).ok().map(|v| (k, v)))
                    .collect::<Option<Vec<_>>>()?;
                for k in [
                    "net.ipv4.tcp_child_ehash_entries",
                    "net.ipv4.udp_child_hash_entries",
                ] {
                    std::fs::write(sysctl_path(k), CHILD_HASH_BUCKETS).ok()?;
                }
                let fd = OwnedFd::from(File::open("/proc/thread-self/ns/net").ok()?);
                Some(Parent { fd, defaults })
            })
            .join()
            .ok()
            .flatten()
        })
        .as_ref()
}

impl Netns {
    /// Creates a fresh namespace with `lo` up. Needs CAP_SYS_ADMIN (root).
    pub fn new(name: &str) -> Result<Netns> {
        let owned_name = name.to_string();
        let parent = parent();
        let handle = std::thread::Builder::new()
            .name(format!("netns-{name}"))
            .spawn(move || -> Result<OwnedFd> {
                if let Some(parent) = parent {
                    // SAFETY: setns on a namespace fd this process owns; this thread only.
                    cvt(
                        unsafe { libc::setns(parent.fd.as_raw_fd(), libc::CLONE_NEWNET) },
                        || "setns into the lab's parent namespace".into(),
                    )?;
                }
                // SAFETY: unshare only affects this (short-lived) thread.
                cvt(unsafe { libc::unshare(libc::CLONE_NEWNET) }, || {
                    "unshare(CLONE_NEWNET) to create a private network namespace".into()
                })?;
                let f = File::open("/proc/thread-self/ns/net")
                    .ctx(|| "opening /proc/thread-self/ns/net".into())?;
                for (k, v) in parent.map_or(&[][..], |p| &p.defaults[..]) {
                    let path = sysctl_path(k);
                    std::fs::write(&path, v).ctx(|| format!("writing {path}"))?;
                }
                set_link_up("lo")?;
                Ok(OwnedFd::from(f))
            })
            .ctx(|| "spawning a thread".into())?;
        let fd = handle
            .join()
            .map_err(|_| LabError::Protocol("namespace thread panicked".into()))??;
        Ok(Netns {
            fd: Some(Arc::new(fd)),
            name: owned_name,
        })
    }

    /// The host's namespace: no isolation, no sysctls; used only for unprivileged fallbacks.
    pub fn host() -> Netns {
        Netns {
            fd: None,
            name: "host".into(),
        }
    }

    pub fn is_private(&self) -> bool {
        self.fd.is_some()
    }

    /// Moves the calling thread into this namespace (no-op for the host).
    pub fn enter(&self) -> Result<()> {
        if let Some(fd) = &self.fd {
            // SAFETY: setns on a namespace fd we own; affects the calling thread only.
            cvt(
                unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) },
                || format!("setns into namespace {}", self.name),
            )?;
        }
        Ok(())
    }

    /// Runs `f` on a new thread inside the namespace.
    pub fn spawn<T, F>(&self, what: &str, f: F) -> Result<JoinHandle<Result<T>>>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T> + Send + 'static,
    {
        let ns = self.clone();
        std::thread::Builder::new()
            .name(what.to_string())
            .spawn(move || {
                ns.enter()?;
                f()
            })
            .ctx(|| format!("spawning thread {what}"))
    }

    /// Runs `f` inside the namespace and waits for it.
    pub fn run<T, F>(&self, what: &str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T> + Send + 'static,
    {
        join(self.spawn(what, f)?)
    }

    /// Writes a `/proc/sys/net/...` value inside this namespace (and reads it back to be sure
    /// the namespace really has its own copy).
    pub fn set_sysctl(&self, key: &str, value: &str) -> Result<()> {
        self.write_sysctl(key, value, false)
    }

    /// [`Netns::set_sysctl`] for a time in ms the kernel keeps in jiffies
    /// (`proc_dointvec_ms_jiffies`): it takes any value and reads back the value rounded up to
    /// its tick (at most 10 ms, HZ 100), which is not a refusal.
    pub fn set_sysctl_in_jiffies(&self, key: &str, value: &str) -> Result<()> {
        self.write_sysctl(key, value, true)
    }

    fn write_sysctl(&self, key: &str, value: &str, rounded_up_to_tick: bool) -> Result<()> {
        if !self.is_private() {
            return Err(LabError::Usage(format!(
                "refusing to change {key} on the host; this needs a private namespace"
            )));
        }
        let path = sysctl_path(key);
        let v = value.to_string();
        let k = key.to_string();
        self.run("sysctl", move || {
            std::fs::write(&path, format!("{v}\n")).map_err(|e| {
                // EINVAL is the sysctl's own range check (`proc_dointvec_minmax`): the value,
                // not the lab, is wrong.
                if e.raw_os_error() == Some(libc::EINVAL) {
                    LabError::Usage(format!(
                        "the kernel refuses {k} = {v} (EINVAL: outside the range it accepts)"
                    ))
                } else {
                    LabError::Io {
                        what: format!("writing {path}"),
                        source: e,
                    }
                }
            })?;
            let back = std::fs::read_to_string(&path).ctx(|| format!("reading {path}"))?;
            let rounded = |back: &str| -> Option<bool> {
                let (b, w) = (back.parse::<u64>().ok()?, v.trim().parse::<u64>().ok()?);
                Some(b >= w && b - w < 10)
            };
            if back.trim() != v.trim()
                && !(rounded_up_to_tick && rounded(back.trim()) == Some(true))
            {
                // A time the kernel keeps in jiffies reads back rounded to its tick.
                return Err(LabError::Usage(format!(
                    "{k} reads back {:?} after writing {v:?}: the kernel cannot hold that value \
                     exactly (a time in ms is kept in ticks of its timer, 4 ms at HZ 250)",
                    back.trim()
                )));
            }
            Ok(())
        })
    }
}

/// The file of a sysctl named with dots (`net.ipv4.tcp_rmem` → `/proc/sys/net/ipv4/tcp_rmem`).
fn sysctl_path(key: &str) -> String {
    format!("/proc/sys/{}", key.replace('.', "/"))
}

/// Reads a `/proc/sys/net/...` value as the calling thread's namespace sees it.
pub fn read_sysctl(key: &str) -> Result<String> {
    let path = sysctl_path(key);
    Ok(std::fs::read_to_string(&path)
        .ctx(|| format!("reading {path}"))?
        .trim()
        .to_string())
}

/// The calling thread's namespace's `/proc/net/netstat` (its TcpExt counters, for
/// [`parse_netstat`]) as the kernel prints it: the poller parses it only when it differs from
/// the last one read, which most polls of a quiet run do not.
pub fn read_netstat_text() -> Result<String> {
    let mut text = String::new();
    File::open("/proc/thread-self/net/netstat")
        .and_then(|mut f| f.read_to_string(&mut text))
        .ctx(|| "reading /proc/thread-self/net/netstat".into())?;
    Ok(text)
}

/// `/proc/net/netstat` is pairs of lines: `TcpExt: Name1 Name2...` then `TcpExt: 1 2...`.
pub fn parse_netstat(text: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.chunks(2) {
        if let [names, values] = pair {
            let (Some((p1, n)), Some((p2, v))) = (names.split_once(':'), values.split_once(':'))
            else {
                continue;
            };
            if p1 != p2 || p1 != "TcpExt" {
                continue;
            }
            for (name, value) in n.split_whitespace().zip(v.split_whitespace()) {
                if let Ok(value) = value.parse() {
                    out.insert(name.to_string(), value);
                }
            }
        }
    }
    out
}

/// Joins a lab thread, turning a panic into an error.
pub fn join<T>(h: JoinHandle<Result<T>>) -> Result<T> {
    h.join()
        .map_err(|_| LabError::Protocol("a lab thread panicked".into()))?
}

/// `ip link set <ifname> up` with an ioctl, in the calling thread's namespace.
pub fn set_link_up(ifname: &str) -> Result<()> {
    set_link_flags(ifname, libc::IFF_UP)
}

/// Adds interface flags (IFF_UP, IFF_MULTICAST...) in the calling thread's namespace.
pub fn set_link_flags(ifname: &str, flags: libc::c_int) -> Result<()> {
    // SAFETY: a datagram socket only used for interface ioctls, closed by OwnedFd.
    let fd = cvt(
        unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) },
        || "socket for interface ioctls".into(),
    )?;
    // SAFETY: fd was just returned by socket().
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut ifr = ifreq(ifname)?;
    // SAFETY: SIOCGIFFLAGS/SIOCSIFFLAGS read and write the ifreq we own.
    unsafe {
        cvt(
            libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFFLAGS, &mut ifr),
            || format!("reading flags of {ifname}"),
        )?;
        ifr.ifr_ifru.ifru_flags |= flags as libc::c_short;
        cvt(
            libc::ioctl(fd.as_raw_fd(), libc::SIOCSIFFLAGS, &ifr),
            || format!("setting flags on {ifname}"),
        )?;
    }
    Ok(())
}

/// An `ifreq` with the interface name filled in.
pub fn ifreq(ifname: &str) -> Result<libc::ifreq> {
    // SAFETY: ifreq is plain old data; all-zero is valid.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    let bytes = ifname.as_bytes();
    if bytes.len() >= ifr.ifr_name.len() {
        return Err(LabError::Usage(format!("interface name {ifname} too long")));
    }
    for (d, s) in ifr.ifr_name.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    Ok(ifr)
}

/// The MTU of an interface in the calling thread's namespace (SIOCGIFMTU).
pub fn mtu(ifname: &str) -> Result<u32> {
    let mut ifr = ifreq(ifname)?;
    // SAFETY: helper socket for the ioctl, owned and closed below.
    let s = cvt(
        unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) },
        || "socket for SIOCGIFMTU".into(),
    )?;
    // SAFETY: SIOCGIFMTU fills the ifreq we own.
    let r = unsafe { libc::ioctl(s, libc::SIOCGIFMTU, &mut ifr) };
    // SAFETY: closing the helper socket we opened.
    unsafe { libc::close(s) };
    cvt(r, || format!("reading the MTU of {ifname}"))?;
    // SAFETY: SIOCGIFMTU wrote ifru_mtu.
    Ok(unsafe { ifr.ifr_ifru.ifru_mtu } as u32)
}

/// `ip link set <ifname> mtu <mtu>` (SIOCSIFMTU) in the calling thread's namespace.
pub fn set_mtu(ifname: &str, mtu: u32) -> Result<()> {
    let mut ifr = ifreq(ifname)?;
    ifr.ifr_ifru.ifru_mtu = mtu as libc::c_int;
    // SAFETY: helper socket for the ioctl, owned and closed below.
    let s = cvt(
        unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) },
        || "socket for SIOCSIFMTU".into(),
    )?;
    // SAFETY: SIOCSIFMTU reads the ifreq we own.
    let r = unsafe { libc::ioctl(s, libc::SIOCSIFMTU, &ifr) };
    // SAFETY: closing the helper socket we opened.
    unsafe { libc::close(s) };
    cvt(r, || format!("setting the MTU of {ifname} to {mtu}"))?;
    Ok(())
}

/// Index of an interface in the calling thread's namespace.
pub fn ifindex(ifname: &str) -> Result<u32> {
    let c = std::ffi::CString::new(ifname).map_err(|_| LabError::Usage("bad ifname".into()))?;
    // SAFETY: c is a valid NUL-terminated string.
    let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if idx == 0 {
        Err(LabError::Io {
            what: format!("looking up interface {ifname}"),
            source: std::io::Error::last_os_error(),
        })
    } else {
        Ok(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tcpext_pairs_only() {
        let t = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 3 4\nIpExt: InNoRoutes\nIpExt: 7\n";
        let m = parse_netstat(t);
        assert_eq!(m.get("ListenOverflows"), Some(&3));
        assert_eq!(m.get("ListenDrops"), Some(&4));
        assert!(!m.contains_key("InNoRoutes"));
    }

    #[test]
    fn a_lab_namespace_has_a_small_socket_table_of_its_own_and_the_hosts_tcp_defaults() {
        let Ok(ns) = Netns::new("table") else {
            eprintln!("SKIPPED: creating a namespace needs root (CAP_SYS_ADMIN)");
            return;
        };
        let Some(parent) = parent() else {
            eprintln!("SKIPPED: this kernel has no tcp_child_ehash_entries (Linux 5.19+)");
            return;
        };
        let read = |k: &'static str| ns.run("read", move || read_sysctl(k)).unwrap();
        assert_eq!(read("net.ipv4.tcp_ehash_entries"), CHILD_HASH_BUCKETS);
        assert_eq!(read("net.ipv4.udp_hash_entries"), CHILD_HASH_BUCKETS);
        // What a namespace made from the host's has (2048 and 131,072 with the host's
        // 262,144 buckets), not what a 1024-bucket table would give (128 and 512).
        for (k, v) in &parent.defaults {
            assert_eq!(&read(k), v, "{k}");
        }
        let from_the_host = std::thread::spawn(|| {
            // SAFETY: unshare only affects this thread.
            assert_eq!(unsafe { libc::unshare(libc::CLONE_NEWNET) }, 0);
            TABLE_SIZED_DEFAULTS.map(|k| (k, read_sysctl(k).unwrap()))
        })
        .join()
        .unwrap();
        assert_eq!(from_the_host[..], parent.defaults[..]);
    }
}
