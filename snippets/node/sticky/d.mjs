// Sticky packets, case D: the reader is busy until both messages are in its receive
// buffer, and one 'data' event hands it data1 and data2 glued: the boundary is gone.
import net from 'node:net';
import { once } from 'node:events';
import { describe, messages } from './messages.mjs';

const [data1, data2] = messages(300, 300);

const server = net.createServer((conn) => {
  conn.write(data1);
  conn.end(data2, () => setTimeout(() => client.resume(), 200)); // both in the kernel: read now
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect(server.address().port, '127.0.0.1');
client.pause(); // a busy reader; pause() before any 'data' listener, which would start reading
client.on('data', (chunk) => console.log(`client: 'data' ${describe(chunk)}`));
await once(client, 'end');
server.close();
