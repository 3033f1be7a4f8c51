// Nagle + delayed ACK: a request sent as two small write() calls, then wait for the reply.
// Nagle holds the second write until the first is ACKed; the server, waiting for the
// rest of the request, delays its ACK (Linux: at least 40 ms, TCP_DELACK_MIN). Every
// exchange stalls. With setNoDelay(true) the second write leaves at once.
// (Linux ACKs at once for the first few segments of a connection, quick-ACK mode,
// so the first exchange is quick either way.)
import net from 'node:net';
import { once } from 'node:events';

async function exchanges(noDelay, count = 20) {
  // The server replies "ok" to each complete 100-byte request.
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
  client.setNoDelay(noDelay);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    client.write(Buffer.alloc(50)); // header
    client.write(Buffer.alloc(50)); // body
    await once(client, 'data'); // the reply
  }
  const ms = performance.now() - start;
  client.destroy();
  server.close();
  return ms;
}

console.log('Nagle on (the default), 20 exchanges took over 400 ms:', (await exchanges(false)) > 400);
console.log('setNoDelay(true),       20 exchanges took over 400 ms:', (await exchanges(true)) > 400);
