// The large synthetic captures of the #/open tests and benchmark, made on the spot so nothing big
// is checked in.
// - bulkPcap(n): a JavaScript twin of `synack_capture::synthetic::bulk_pcap(n)` (the same bytes
//   for the same `n`; crates/capture/src/synthetic.rs explains the traffic): 500 bulk transfers
//   over Ethernet/IPv4/TCP, two full-sized segments from the server per client ACK, about 1 % of
//   segments retransmitted 200 ms later. 100,000 packets make a ~102 MB classic pcap.
// - oneConnectionPcap(n): a single connection of `n` packets, headers only (~7 MB for 100,000),
//   for the canvas ladder of one very large conversation.
//
//   node e2e/open-bulk-pcap.mjs 100000 /tmp/bulk-100k.pcap [one]     (writes the file)

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MASK64 = (1n << 64n) - 1n;

/** Returns the capture of `n` packets (a few more at most) as a Buffer; `segment` payload
 * bytes in the server's data segments (`bulk_pcap_with`: 1,500,000 packets of 94 make the
 * ~200 MB file of the memory benchmark). */
export function bulkPcap(n, segment = 1448) {
  const conns = 500;
  const perConn = Math.ceil(n / conns);
  // Data segments dominate: a record of `segment` bytes and 70 of headers, plus slack.
  const out = Buffer.alloc(24 + (n + conns * 4) * (segment + 152));
  let at = 0;
  const u32le = (v) => { out.writeUInt32LE(v >>> 0, at); at += 4; };
  u32le(0xa1b2c3d4);
  out.writeUInt16LE(2, at); out.writeUInt16LE(4, at + 2); at += 4;
  at += 8; // thiszone, sigfigs
  u32le(262_144); // snaplen
  u32le(1); // Ethernet

  // One record: pcap record header, Ethernet, IPv4, TCP (no options), `payload` bytes of 0xAB.
  const emit = (t, src, dst, sport, dport, seq, ack, flags, payload) => {
    const len = 14 + 20 + 20 + payload;
    u32le(Math.floor(t / 1e6));
    u32le(t % 1e6);
    u32le(len);
    u32le(len);
    const e = at;
    out.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00], e);
    const ip = e + 14;
    out.set([0x45, 0], ip);
    out.writeUInt16BE(20 + 20 + payload, ip + 2);
    out.set([0, 0, 0x40, 0, 64, 6, 0, 0], ip + 4);
    out.set(src, ip + 12);
    out.set(dst, ip + 16);
    const tcp = ip + 20;
    out.writeUInt16BE(sport, tcp);
    out.writeUInt16BE(dport, tcp + 2);
    out.writeUInt32BE(seq >>> 0, tcp + 4);
    out.writeUInt32BE(ack >>> 0, tcp + 8);
    out[tcp + 12] = 5 << 4;
    out[tcp + 13] = flags;
    out.writeUInt16BE(512, tcp + 14);
    out.fill(0, tcp + 16, tcp + 20);
    out.fill(0xab, tcp + 20, tcp + 20 + payload);
    at = tcp + 20 + payload;
  };

  let tUs = 1_700_000_000_000_000;
  let written = 0;
  let rng = 0x2545f4914f6cdd1dn;
  outer: for (let c = 0; c < conns; c += 1) {
    const client = [10, 0, (c >> 8) & 0xff, c & 0xff];
    const server = [10, 1, 0, 1];
    const cport = 30000 + c;
    let cs = Math.imul(1000, c + 1) >>> 0;
    let ss = Math.imul(7, c + 3) >>> 0;
    emit(tUs, client, server, cport, 443, cs, 0, 0x02, 0);
    emit(tUs + 100, server, client, 443, cport, ss, cs + 1, 0x12, 0);
    cs += 1;
    ss += 1;
    emit(tUs + 200, client, server, cport, 443, cs, ss, 0x10, 0);
    let k = 3;
    written += 3;
    let t = tUs + 300;
    while (k < perConn) {
      for (let i = 0; i < 2; i += 1) {
        rng ^= (rng << 13n) & MASK64;
        rng ^= rng >> 7n;
        rng ^= (rng << 17n) & MASK64;
        const retransmit = rng % 100n === 0n;
        emit(t, server, client, 443, cport, ss, cs, 0x10, segment);
        t += 12;
        if (retransmit) {
          emit(t + 200_000, server, client, 443, cport, ss, cs, 0x10, segment);
          t += 12;
          k += 1;
          written += 1;
        }
        ss = (ss + segment) >>> 0;
        k += 1;
        written += 1;
      }
      emit(t, client, server, cport, 443, cs, ss, 0x10, 0);
      t += 20;
      k += 1;
      written += 1;
      if (written >= n) break outer;
    }
    tUs = t + 1000;
  }
  return out.subarray(0, at);
}

/**
 * A classic pcap (Ethernet, µs, snaplen 96) of one TCP connection with `n` packets in all:
 * handshake, bulk data from the client with an ACK every second segment, a retransmission and a
 * duplicate ACK every 1,000 segments, FIN/ACK at the end. Only the headers are captured; the IP
 * length carries the 1,000-byte payloads, so the file is ~7 MB for 100,000 packets.
 */
export function oneConnectionPcap(n) {
  const recs = [];
  const cli = [10, 0, 0, 1];
  const srv = [10, 0, 0, 2];
  let t = 1_700_000_000 * 1e6;
  const pkt = (fromClient, seq, ack, flags, len) => {
    const b = Buffer.alloc(16 + 54);
    t += 50;
    b.writeUInt32LE(Math.floor(t / 1e6), 0);
    b.writeUInt32LE(t % 1e6, 4);
    b.writeUInt32LE(54, 8);
    b.writeUInt32LE(54 + len, 12);
    const e = 16;
    b.fill(fromClient ? 0x02 : 0x04, e, e + 6);
    b.fill(fromClient ? 0x04 : 0x02, e + 6, e + 12);
    b.writeUInt16BE(0x0800, e + 12);
    const ip = e + 14;
    b[ip] = 0x45;
    b.writeUInt16BE(40 + len, ip + 2);
    b.writeUInt16BE(0x4000, ip + 6);
    b[ip + 8] = 64;
    b[ip + 9] = 6;
    Buffer.from(fromClient ? cli : srv).copy(b, ip + 12);
    Buffer.from(fromClient ? srv : cli).copy(b, ip + 16);
    const tcp = ip + 20;
    b.writeUInt16BE(fromClient ? 40000 : 80, tcp);
    b.writeUInt16BE(fromClient ? 80 : 40000, tcp + 2);
    b.writeUInt32BE(seq >>> 0, tcp + 4);
    b.writeUInt32BE(ack >>> 0, tcp + 8);
    b[tcp + 12] = 0x50;
    b[tcp + 13] = flags;
    b.writeUInt16BE(65535, tcp + 14);
    recs.push(b);
  };
  const SYN = 0x02; const ACK = 0x10; const FIN = 0x01; const PSH = 0x08;
  const cIsn = 1000; const sIsn = 5000;
  pkt(true, cIsn, 0, SYN, 0);
  pkt(false, sIsn, cIsn + 1, SYN | ACK, 0);
  pkt(true, cIsn + 1, sIsn + 1, ACK, 0);
  let seq = cIsn + 1;
  let sent = 0;
  while (recs.length < n - 4) {
    pkt(true, seq, sIsn + 1, ACK | PSH, 1000);
    seq += 1000;
    sent += 1;
    if (sent % 1000 === 0 && recs.length < n - 7) {
      // The receiver misses nothing, but the sender resends the previous segment (a
      // retransmission) and the receiver repeats its ACK (a duplicate ACK).
      pkt(true, seq - 1000, sIsn + 1, ACK | PSH, 1000);
      pkt(false, sIsn + 1, seq, ACK, 0);
      pkt(false, sIsn + 1, seq, ACK, 0);
    } else if (sent % 2 === 0) {
      pkt(false, sIsn + 1, seq, ACK, 0);
    }
  }
  pkt(true, seq, sIsn + 1, FIN | ACK, 0);
  pkt(false, sIsn + 1, seq + 1, FIN | ACK, 0);
  pkt(true, seq + 1, sIsn + 2, ACK, 0);
  while (recs.length < n) pkt(false, sIsn + 2, seq + 1, ACK, 0);
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(96, 16);
  head.writeUInt32LE(1, 20);
  return Buffer.concat([head, ...recs]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 100_000);
  const path = process.argv[3] ?? `bulk-${n}.pcap`;
  const data = process.argv[4] === 'one' ? oneConnectionPcap(n) : bulkPcap(n);
  writeFileSync(path, data);
  console.log(`${path}: ${n} packets, ${(data.length / 1e6).toFixed(1)} MB`);
}
