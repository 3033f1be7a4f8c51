// A server on 127.0.0.1 that answers "ok" to every complete 100-byte request, and a client
// connected to it: the request-and-reply shape where Nagle's algorithm meets the delayed
// ACK.
import net from 'node:net';
import { once } from 'node:events';

/** Resolves once the client is connected: `{ server, client }`. */
export async function connectToOkServer() {
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
  return { server, client };
}
