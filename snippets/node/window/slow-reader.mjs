// Slow reader, zero window: while the reader does not read, its receive buffer fills,
// it advertises a zero window and the sender's kernel stops (probing now and then,
// RFC 9293 §3.8.6). Then the sender's own kernel buffer fills, Node can no longer hand
// it data, and the bytes wait in Node's queue (writableLength): no 'drain' until the
// reader reads again. In the kernel: `ss -tin` shows the receiver's Recv-Q full.
import { once } from 'node:events';
import { connectedPair } from '../shared/pair.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SIZE = 64 * 1024 * 1024; // far more than both kernel buffers can hold

const { server, client, conn } = await connectedPair({ pauseOnConnect: true }); // the reader starts paused

const ok = client.write(Buffer.alloc(SIZE)); // one big write
console.log('writer: write() returned', ok, '(Node queued more than its highWaterMark)');
let drained = false;
client.once('drain', () => { drained = true; });
await sleep(500);
console.log("writer: 'drain' within 0.5 s while the reader is paused:", drained);
console.log('writer: bytes still waiting in Node (writableLength > 0):', client.writableLength > 0);

let received = 0;
conn.on('data', (d) => { received += d.length; });
conn.resume(); // the reader reads at last
await once(client, 'drain');
console.log("writer: 'drain' after the reader resumed");
client.end();
await once(conn, 'end');
console.log(`reader: received all ${received} bytes:`, received === SIZE);
server.close();
