// Retransmission timeout with backoff: the path goes dark for 3 s, no ACK comes back,
// and the sender's kernel resends after its RTO, doubling it each time (RFC 6298 §5.5).
// The application sees nothing but a pause: no error, unless the outage outlasts
// tcp_retries2 (about 15 minutes by default) or a TCP_USER_TIMEOUT.
// Node's socket.setTimeout() is not a TCP timer: it only reports that the socket was
// idle (no 'data', no write) for that long, here on the receiving side.
//
// Loopback never goes dark. For a 3 s outage (root, a throwaway namespace):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   (sleep 0.3; ip netns exec lab nft add rule ip t o meta length '>' 1000 drop;
//    sleep 3; ip netns exec lab nft flush chain ip t o) & ip netns exec lab node rto-backoff.mjs
// and the client prints 'timeout' before the rest arrives, intact.
import net from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';

const payload = Buffer.alloc(60_000);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;

const server = net.createServer(async (conn) => {
  // Three pieces 0.5 s apart, so an outage can fall in the middle of the transfer.
  for (let i = 0; i < 3; i++) {
    conn.write(payload.subarray(i * 20_000, (i + 1) * 20_000));
    await new Promise((r) => setTimeout(r, 500));
  }
  conn.end();
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect({ port: server.address().port, host: '127.0.0.1', timeout: 1500 });
client.on('timeout', () => console.log("client: 'timeout' (nothing for 1.5 s; the connection is still open)"));
const chunks = [];
client.on('data', (c) => chunks.push(c));
await once(client, 'end');
const got = Buffer.concat(chunks);
const sha = (b) => createHash('sha256').update(b).digest('hex');
console.log(`client: received ${got.length} bytes, in order and intact: ${sha(got) === sha(payload)}`);
server.close();
