// Sticky packets, case A: two write() calls, two 'data' events, one message each.
// That is timing, not a TCP promise: here the reader has read data1 before the
// writer sends data2. (In these programs the server writes and the client reads.)
import net from 'node:net';
import { once } from 'node:events';
import { describe, messages } from './messages.mjs';

const [data1, data2] = messages(300, 300); // 300 bytes of "1", 300 of "2"
// Which bytes of which message a chunk holds.

const server = net.createServer((conn) => {
  conn.write(data1);
  client.once('data', () => conn.end(data2)); // data2 only once data1 was read
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect(server.address().port, '127.0.0.1');
client.on('data', (chunk) => console.log(`client: 'data' ${describe(chunk)}`));
await once(client, 'end');
server.close();
