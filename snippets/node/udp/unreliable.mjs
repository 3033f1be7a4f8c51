// UDP is unreliable: a datagram may be lost, duplicated or overtaken, and nobody tells
// the application. The receiver can only notice by numbering its messages itself.
// Loopback loses nothing, so as it is all five arrive in order.
//
// To lose the 2nd datagram for real (root, a throwaway namespace; it is 30 bytes, so
// its UDP length is 38):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o udp length 38 drop'
//   ip netns exec lab node unreliable.mjs
// Duplicates and reordering need a delaying link (tc netem), which nft cannot do.
import dgram from 'node:dgram';
import { once } from 'node:events';

const server = dgram.createSocket('udp4');
const got = [];
server.on('message', (msg) => got.push(msg.toString().trim()));
server.bind(0, '127.0.0.1');
await once(server, 'listening');

const client = dgram.createSocket('udp4');
for (let i = 1; i <= 5; i++) {
  const msg = `msg ${i}`.padEnd(20 + 5 * i); // 25, 30, 35, 40, 45 bytes
  await new Promise((r) => client.send(msg, server.address().port, '127.0.0.1', r));
  await new Promise((r) => setTimeout(r, 10));
}
await new Promise((r) => setTimeout(r, 300)); // no ACKs: the receiver just waits
console.log(`server: received ${got.join(', ')}`);
const missing = [1, 2, 3, 4, 5].filter((i) => !got.includes(`msg ${i}`));
console.log(`server: missing: ${missing.length ? missing.join(', ') : 'none'} (nobody resends them)`);
client.close();
server.close();
