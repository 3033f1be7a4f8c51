// Nagle's algorithm meets delayed ACK: write-write-read stalls each exchange for the
// receiver's delayed-ACK timer (Linux: at least 40 ms). Two ways out: setNoDelay(true),
// or give the kernel the whole request at once. cork()/uncork() does that in Node:
// writes between them are sent as one writev(), so nothing small is left for Nagle to hold.
// Autocorking (Linux tcp_autocorking) may still merge small writes even with
// TCP_NODELAY while earlier data waits in the device queue.
import net from 'node:net';
import { once } from 'node:events';

async function exchanges(how, count = 20) {
  const server = net.createServer((conn) => {
    let got = 0;
    conn.on('data', (d) => {
      for (got += d.length; got >= 100; got -= 100) conn.write('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect(server.address().port, '127.0.0.1');
  await once(client, 'connect');
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
