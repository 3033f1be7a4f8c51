// Write backpressure: socket.write() returns false once Node's own queue of not-yet-
// written bytes (socket.writableLength; the older socket.bufferSize is deprecated)
// reaches the highWaterMark (16 KiB by default). Nothing is lost either way: write()
// keeps queueing, in memory. A well-behaved writer stops and waits for 'drain'.
// This queue is Node's, in the process: not Nagle's, not the kernel's send buffer. It
// only grows once the kernel's buffers are full, here because the reader starts late.
import { once } from 'node:events';
import { connectedPair } from '../shared/pair.mjs';

const CHUNK = Buffer.alloc(1024);
const TOTAL = 16 * 1024; // chunks: 16 MiB, more than the kernel's buffers hold

const { server, client, conn } = await connectedPair({ pauseOnConnect: true });
console.log('writer: writableHighWaterMark', client.writableHighWaterMark);

let received = 0;
conn.on('data', (d) => { received += d.length; });
setTimeout(() => conn.resume(), 300); // the reader starts late

let firstFalse;
let drains = 0;
for (let i = 0; i < TOTAL; i++) {
  const ok = client.write(CHUNK);
  if (i === 0) console.log('writer: the first write() returned', ok, '(the kernel took it)');
  if (!ok) {
    firstFalse ??= client.writableLength;
    await once(client, 'drain'); // stop here instead of piling up 16 MiB in memory
    drains++;
  }
}
console.log('writer: writableLength when write() first returned false:', firstFalse);
console.log("writer: waited for 'drain' at least once:", drains > 0);
client.end();
await once(conn, 'end');
console.log(`reader: received ${received} bytes:`, received === TOTAL * CHUNK.length);
server.close();
