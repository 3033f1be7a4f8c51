// Handshake, normal case: connect() on the client, 'connection' on the server.
// The kernel does the three-way handshake (SYN, SYN-ACK, ACK); Node only tells you
// when it is over: 'connect' on the client, 'connection' on the server (accept()).
import net from 'node:net';
import { once } from 'node:events';

const server = net.createServer();
server.listen(0, '127.0.0.1'); // port 0: the kernel picks a free port
await once(server, 'listening');
const { port } = server.address();

const accepted = once(server, 'connection'); // listen first, whatever happens first
const client = net.connect(port, '127.0.0.1');
await once(client, 'connect');
console.log("client: 'connect' (SYN-ACK received, final ACK sent: ESTABLISHED)");
const [conn] = await accepted;
console.log("server: 'connection' (the final ACK arrived; Node called accept())");
// Two ends of one connection: each side's local port is the other's remote port.
console.log("server: the peer's port is the client's local port:", conn.remotePort === client.localPort);

const closed = Promise.all([once(conn, 'close'), once(client, 'close')]);
client.end(); // FIN; the server answers with its own FIN (allowHalfOpen is false)
await closed;
console.log("client and server: 'close'");
server.close();
