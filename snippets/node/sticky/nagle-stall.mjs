// Nagle + delayed ACK: a request sent as two small write() calls, then wait for the reply.
// Nagle holds the second write until the first is ACKed; the server, waiting for the
// rest of the request, delays its ACK (Linux: at least 40 ms, TCP_DELACK_MIN). Every
// exchange stalls. With setNoDelay(true) the second write leaves at once.
// (Linux ACKs at once for the first few segments of a connection, quick-ACK mode,
// so the first exchange is quick either way.)
import { once } from 'node:events';
import { connectToOkServer } from '../shared/ok-server.mjs';

async function exchanges(noDelay, count = 20) {
  const { server, client } = await connectToOkServer(); // it answers "ok" to each 100 bytes
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
