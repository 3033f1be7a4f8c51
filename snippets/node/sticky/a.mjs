// Sticky packets, case A: two write() calls, two 'data' events, one message each.
// That is timing, not a TCP promise: here the reader has read data1 before the
// writer sends data2. (In these programs the server writes and the client reads.)
import net from 'node:net';
import { once } from 'node:events';

const data1 = Buffer.alloc(300, '1'); // 300 bytes of "1"
const data2 = Buffer.alloc(300, '2');
// Which bytes of which message a chunk holds.
const describe = (chunk) => {
  const n1 = chunk.filter((b) => b === 0x31).length;
  const n2 = chunk.length - n1;
  return `${chunk.length} bytes: ${[n1 && `${n1} of data1`, n2 && `${n2} of data2`].filter(Boolean).join(' + ')}`;
};

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
