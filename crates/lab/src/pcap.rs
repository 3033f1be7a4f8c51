//! Classic libpcap files (<https://www.tcpdump.org/manpages/pcap-savefile.5.html>): a 24-byte
//! global header, then per packet a 16-byte record header and the bytes. We write
//! LINKTYPE_ETHERNET with a synthetic header (zero MACs, EtherType IPv4) — what `tcpdump -i lo`
//! writes — because every reader understands it.
//!
//! Loopback packets carry partial checksums (the stack offloads them to a "device" that never
//! computes them), so we fill in the real IPv4/TCP/UDP checksums: Wireshark then shows no false
//! "bad checksum" warnings.

use std::path::Path;

use crate::error::Result;

const MAGIC_US: u32 = 0xa1b2_c3d4;
const LINKTYPE_ETHERNET: u32 = 1;

/// Writes `(realtime µs, IPv4 packet)` records to `path`.
pub fn write(path: &Path, packets: &[(u64, Vec<u8>)]) -> Result<()> {
    let mut out = Vec::with_capacity(24 + packets.len() * 100);
    out.extend_from_slice(&MAGIC_US.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    for (t_us, ip) in packets {
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x08, 0x00]);
        frame.extend_from_slice(ip);
        fix_checksums(&mut frame[14..]);
        out.extend_from_slice(&((t_us / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((t_us % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    crate::outfile::write_bytes(path, &out)
}

/// RFC 1071 one's-complement sum.
fn sum16(data: &[u8], mut acc: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc += u16::from_be_bytes([c[0], c[1]]) as u32;
    }
    if let [b] = chunks.remainder() {
        acc += (*b as u32) << 8;
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// Recomputes the IPv4 header checksum and the TCP/UDP checksum (RFC 793 / RFC 768
/// pseudo-header) in place. Leaves anything malformed untouched.
pub fn fix_checksums(ip: &mut [u8]) {
    if ip.len() < 20 || ip[0] >> 4 != 4 {
        return;
    }
    let ihl = ((ip[0] & 0x0f) as usize) * 4;
    let total = (u16::from_be_bytes([ip[2], ip[3]]) as usize).min(ip.len());
    if ihl < 20 || total < ihl {
        return;
    }
    ip[10] = 0;
    ip[11] = 0;
    let c = fold(sum16(&ip[..ihl], 0));
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let proto = ip[9];
    let l4_len = total - ihl;
    let (ck_off, min) = match proto {
        6 => (16, 20),
        17 => (6, 8),
        _ => return,
    };
    if l4_len < min {
        return;
    }
    let mut pseudo = [0u8; 12];
    pseudo[..8].copy_from_slice(&ip[12..20]);
    pseudo[9] = proto;
    pseudo[10..12].copy_from_slice(&(l4_len as u16).to_be_bytes());
    let l4 = &mut ip[ihl..total];
    l4[ck_off] = 0;
    l4[ck_off + 1] = 0;
    let mut c = fold(sum16(l4, sum16(&pseudo, 0)));
    if proto == 17 && c == 0 {
        c = 0xffff; // RFC 768: zero means "no checksum"
    }
    l4[ck_off..ck_off + 2].copy_from_slice(&c.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_record_layout() {
        let dir = std::env::temp_dir().join(format!("synack-pcap-{}", std::process::id()));
        let ip = vec![
            0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, 0x30, 0x39, 0x30,
            0x3a, 0, 8, 0, 0,
        ];
        write(&dir, &[(1_500_000, ip)]).unwrap();
        let b = std::fs::read(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(&b[0..4], &MAGIC_US.to_le_bytes());
        assert_eq!(u32::from_le_bytes(b[20..24].try_into().unwrap()), 1);
        assert_eq!(u32::from_le_bytes(b[24..28].try_into().unwrap()), 1); // seconds
        assert_eq!(u32::from_le_bytes(b[28..32].try_into().unwrap()), 500_000);
        assert_eq!(u32::from_le_bytes(b[32..36].try_into().unwrap()), 14 + 28);
        // The IPv4 header checksum verifies to zero once filled in.
        let iph = &b[40 + 14..40 + 14 + 20];
        assert_eq!(fold(sum16(iph, 0)), 0);
    }
}
