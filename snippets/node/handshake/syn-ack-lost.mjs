// Handshake, SYN-ACK lost: the server answered, but its SYN-ACK never arrives.
// The client cannot tell this from a lost SYN: it resends its SYN after 1 s, the
// server resends its SYN-ACK on its own timer, and connect() completes a second late.
//
// An unprivileged program cannot drop a packet, so as it is nothing is lost and the
// last line says "less". To lose the first SYN-ACK for real (root, a throwaway namespace):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o tcp flags & (syn | ack) == syn | ack drop'
//   (sleep 0.5; ip netns exec lab nft flush chain ip t o) & ip netns exec lab node syn-ack-lost.mjs
// and the last line says "more".
import net from 'node:net';
import { once } from 'node:events';

const server = net.createServer((conn) => conn.end());
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const start = Date.now();
const client = net.connect(server.address().port, '127.0.0.1');
await once(client, 'connect');
const ms = Date.now() - start;
console.log("client: 'connect'");
console.log(`client: connect() took ${ms >= 950 ? 'more' : 'less'} than one retransmission timeout (1 s)`);
client.destroy();
server.close();
