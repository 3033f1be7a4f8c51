//! TUN devices (Documentation/networking/tuntap.rst): an IP interface whose "wire" is a file
//! descriptor. The loss experiment puts one in each of two namespaces and relays between them in
//! user space, which is where drops, delay, duplication and reordering happen (this kernel has
//! no netem). A TUN device disappears with its file descriptor and its namespace.

use std::fs::OpenOptions;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};

use super::netns::{ifreq, set_link_up};
use crate::error::{cvt, Context, Result};

/// Creates TUN device `name` (no packet-info header) in the calling thread's namespace, gives it
/// the point-to-point address `local` ↔ `peer`, and brings it up.
pub fn create(name: &str, local: Ipv4Addr, peer: Ipv4Addr) -> Result<OwnedFd> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
        .ctx(|| "opening /dev/net/tun".into())?;
    let mut ifr = ifreq(name)?;
    ifr.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF reads the ifreq we own.
    cvt(
        unsafe { libc::ioctl(f.as_raw_fd(), libc::TUNSETIFF, &ifr) },
        || format!("TUNSETIFF {name} (needs CAP_NET_ADMIN)"),
    )?;
    set_addr(name, libc::SIOCSIFADDR, local)?;
    set_addr(name, libc::SIOCSIFDSTADDR, peer)?;
    set_link_up(name)?;
    Ok(OwnedFd::from(f))
}

fn set_addr(name: &str, req: libc::c_ulong, a: Ipv4Addr) -> Result<()> {
    // SAFETY: helper socket for the ioctl, owned and closed below.
    let s = cvt(
        unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) },
        || "socket for address ioctls".into(),
    )?;
    let mut ifr = ifreq(name)?;
    // SAFETY: sockaddr_in fits in the ifreq union (sockaddr is 16 bytes, like sockaddr_in).
    unsafe {
        let sa = &mut ifr.ifr_ifru.ifru_addr as *mut libc::sockaddr as *mut libc::sockaddr_in;
        (*sa).sin_family = libc::AF_INET as u16;
        (*sa).sin_addr.s_addr = u32::from_ne_bytes(a.octets());
        let r = libc::ioctl(s, req, &ifr);
        libc::close(s);
        cvt(r, || format!("setting address {a} on {name}"))?;
    }
    Ok(())
}
