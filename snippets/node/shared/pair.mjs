// A TCP connection on loopback, both ends in this process: a server on a port the kernel
// picks, one client connected to it, and the socket the server accepted. The programs
// that import it are about what happens on an established connection, not how it is made
// (the handshake programs show that).
import net from 'node:net';
import { once } from 'node:events';

/** Listens on 127.0.0.1, connects one client, and resolves once both ends are connected:
 *  `{ server, client, conn }`, `conn` being the server's end. */
export async function connectedPair(serverOptions = {}) {
  const server = net.createServer(serverOptions);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = net.connect(server.address().port, '127.0.0.1');
  await once(client, 'connect');
  const [conn] = await accepted;
  return { server, client, conn };
}
