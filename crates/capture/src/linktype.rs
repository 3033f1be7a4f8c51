//! Link types this reader decodes (LINKTYPE_ values, tcpdump.org/linktypes.html), and their
//! names. Without the parsers (no `reader` feature needed), so a viewer can name them too.

/// BSD loopback: 4-byte address family in the capturing host's byte order.
pub const NULL: u16 = 0;
pub const ETHERNET: u16 = 1;
/// DLT_RAW as numbered on most BSDs (12) and OpenBSD (14); both mean raw IP.
pub const RAW_BSD: u16 = 12;
pub const RAW_OPENBSD: u16 = 14;
/// OpenBSD loopback: like NULL but the family is in network byte order.
pub const LOOP: u16 = 108;
pub const RAW: u16 = 101;
pub const LINUX_SLL: u16 = 113;
pub const IPV4: u16 = 228;
pub const IPV6: u16 = 229;
pub const LINUX_SLL2: u16 = 276;

pub fn name(lt: u16) -> &'static str {
    match lt {
        NULL => "BSD loopback (NULL)",
        ETHERNET => "Ethernet",
        RAW_BSD | RAW_OPENBSD | RAW => "raw IP",
        LOOP => "OpenBSD loopback",
        LINUX_SLL => "Linux cooked (SLL)",
        LINUX_SLL2 => "Linux cooked v2 (SLL2)",
        IPV4 => "raw IPv4",
        IPV6 => "raw IPv6",
        _ => "unknown",
    }
}

pub fn supported(lt: u16) -> bool {
    name(lt) != "unknown"
}
