// Listen backlog, a burst of SYNs: six clients within a few milliseconds. Requests wait
// in the SYN queue until their final ACK arrives; on loopback that ACK comes at once, so
// the queue never fills and every client connects at once.
//
// On Linux today the SYN queue is bounded by the listen backlog (min with somaxconn),
// and when it is full the kernel answers with SYN cookies (tcp_syncookies = 1, the
// default) instead of dropping. tcp_max_syn_backlog only matters with cookies off.
// To see SYNs dropped (root, a throwaway namespace): cookies off, a tiny
// tcp_max_syn_backlog, and the clients' final ACKs lost so requests stay queued:
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab sysctl -w net.ipv4.tcp_syncookies=0 net.ipv4.tcp_max_syn_backlog=2
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o tcp flags & (syn | ack | fin | rst) == ack drop'
//   ip netns exec lab node syn-flood.mjs
// prints "3 of 6": the early drop of tcp_conn_request (without cookies, the last quarter
// of tcp_max_syn_backlog is kept for peers with saved metrics: `ip tcp_metrics flush all`
// first if you reuse a namespace). With tcp_syncookies=1 it is 6 of 6 again.
import net from 'node:net';
import { once } from 'node:events';

const server = net.createServer((conn) => conn.end());
server.listen(0, '127.0.0.1', 8);
await once(server, 'listening');

const clients = [];
for (let i = 0; i < 6; i++) clients.push(net.connect(server.address().port, '127.0.0.1'));
let connected = 0;
for (const c of clients) c.on('connect', () => connected++).on('error', () => {});
await new Promise((r) => setTimeout(r, 500));
console.log(`clients connected within 0.5 s: ${connected} of ${clients.length}`);
for (const c of clients) c.destroy();
server.close();
