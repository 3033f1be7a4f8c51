// Slow start, then congestion avoidance: past ssthresh, cwnd grows by about one MSS per
// round trip (RFC 5681 §3.1). Linux may start ssthresh low from a route metric or its
// tcp_metrics cache (tcp_init_metrics). Node cannot see cwnd: the application only sees bytes
// arrive. Watch the kernel's view while it runs: `ss -tin dst 127.0.0.1` (cwnd, ssthresh).
// On loopback the MSS is about 64 KB (MTU 65536), so a few segments carry everything;
// in a namespace with `ip link set lo mtu 1500` the same transfer takes many round trips.
import net from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';

const payload = Buffer.alloc(200_000);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff; // not all zeros

const server = net.createServer((conn) => conn.end(payload)); // one write of 200 KB
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect(server.address().port, '127.0.0.1');
const chunks = [];
client.on('data', (c) => chunks.push(c));
await once(client, 'end');
const got = Buffer.concat(chunks);
const sha = (b) => createHash('sha256').update(b).digest('hex');
console.log(`client: received ${got.length} bytes, identical to what was sent: ${sha(got) === sha(payload)}`);
server.close();
