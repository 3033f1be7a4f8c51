// Handshake, closed port: nobody listens, so the server host's kernel answers the SYN
// with RST and connect() fails with ECONNREFUSED (Node: an 'error' event, then 'close').
import net from 'node:net';
import { once } from 'node:events';

// Find a port nobody listens on: bind one, note it, release it.
const probe = net.createServer().listen(0, '127.0.0.1');
await once(probe, 'listening');
const { port } = probe.address();
await new Promise((r) => probe.close(r));

const client = net.connect(port, '127.0.0.1');
client.on('connect', () => console.log("client: 'connect' (unexpected: someone took the port)"));
client.on('error', (err) => console.log(`client: 'error' ${err.code}`));
const hadError = await new Promise((r) => client.on('close', r)); // once() would throw on 'error'
console.log(`client: 'close', hadError ${hadError}`);
