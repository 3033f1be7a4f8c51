// Listen backlog, a SYN flood: eight sockets whose handshakes never complete fill the SYN
// queue, then two real clients connect. A flood tool sends bare SYNs from sources that
// never answer the SYN-ACK; here the flood is eight ordinary connects from local ports
// 1024-1031 whose SYN-ACKs a firewall rule drops, so nobody ever sends the final ACK.
//
// Unprivileged, on loopback, nothing is dropped: every flood socket completes its handshake,
// the server accepts, and both clients connect. To see the flood (root, a throwaway
// namespace; tried on Linux 6.18):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab sysctl -w net.ipv4.tcp_syncookies=0
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o tcp dport 1024-1031 tcp flags & (syn | ack) == (syn | ack) drop'
//   ip netns exec lab node syn-flood.mjs
// prints "0 of 2": listen(fd, 4) lets 5 requests into the SYN queue
// (inet_csk_reqsk_queue_is_full), the other SYNs are dropped (nstat: TcpExtTCPReqQFullDrop,
// TcpExtListenDrops) and the clients wait for their SYN retransmission. With
// tcp_syncookies=1 (the default) the kernel answers SYN cookies instead: "2 of 2"
// (TcpExtSyncookiesSent, TcpExtSyncookiesRecv).
import net from 'node:net';
import { once } from 'node:events';

const server = net.createServer((conn) => conn.end());
server.listen(0, '127.0.0.1', 4);
await once(server, 'listening');
const port = server.address().port;

const flood = [];
for (let i = 0; i < 8; i++) {
  flood.push(net.connect({ port, host: '127.0.0.1', localPort: 1024 + i }).on('error', () => {}));
  await new Promise((r) => setTimeout(r, 1));
}
await new Promise((r) => setTimeout(r, 100));

const clients = [];
let connected = 0;
for (let i = 0; i < 2; i++) {
  const c = net.connect(port, '127.0.0.1').on('error', () => {});
  c.on('connect', () => connected++);
  clients.push(c);
  await new Promise((r) => setTimeout(r, 100));
}
await new Promise((r) => setTimeout(r, 300));
console.log(`clients connected within 0.5 s: ${connected} of ${clients.length}`);
for (const c of [...flood, ...clients]) c.destroy();
server.close();
