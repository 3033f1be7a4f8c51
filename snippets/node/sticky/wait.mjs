// Sticky-packet remedy ①, wait between the two writes: it works only while the reader
// keeps up. A reader that is busy for longer than the wait still gets both glued.
import net from 'node:net';
import { once } from 'node:events';

const data1 = Buffer.alloc(300, '1');
const data2 = Buffer.alloc(300, '2');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(readerBusyMs) {
  const server = net.createServer(async (conn) => {
    conn.write(data1);
    await sleep(100); // remedy ①: wait before the next write
    conn.end(data2);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect(server.address().port, '127.0.0.1');
  if (readerBusyMs > 0) {
    client.pause(); // before the 'data' listener, which would start the reading
    setTimeout(() => client.resume(), readerBusyMs);
  }
  const sizes = [];
  client.on('data', (chunk) => sizes.push(chunk.length));
  await once(client, 'end');
  server.close();
  return sizes.join(' + ');
}

console.log(`a reader that keeps up:    'data' ${await run(0)} bytes`);
console.log(`a reader busy for 400 ms:  'data' ${await run(400)} bytes (the wait did not help)`);
