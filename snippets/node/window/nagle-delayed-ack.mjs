// Nagle's algorithm meets delayed ACK: write-write-read stalls each exchange for the
// receiver's delayed-ACK timer (Linux: at least 40 ms). Two ways out: setNoDelay(true),
// or give the kernel the whole request at once. cork()/uncork() does that in Node:
// writes between them are sent as one writev(), so nothing small is left for Nagle to hold.
// Autocorking (Linux tcp_autocorking) may still merge small writes even with
// TCP_NODELAY while earlier data waits in the device queue.
import { once } from 'node:events';
import { connectToOkServer } from '../shared/ok-server.mjs';

async function exchanges(how, count = 20) {
  const { server, client } = await connectToOkServer(); // it answers "ok" to each 100 bytes
  if (how === 'setNoDelay(true)') client.setNoDelay(true);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    if (how === 'cork()/uncork()') client.cork();
    client.write(Buffer.alloc(50)); // header
    client.write(Buffer.alloc(50)); // body
    if (how === 'cork()/uncork()') client.uncork();
    await once(client, 'data');
  }
  const ms = performance.now() - start;
  client.destroy();
  server.close();
  return ms;
}

for (const how of ['two write() calls', 'setNoDelay(true)', 'cork()/uncork()']) {
  console.log(`${how.padEnd(18)} 20 exchanges took over 400 ms:`, (await exchanges(how)) > 400);
}
