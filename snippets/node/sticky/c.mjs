// Sticky packets, case C: the first read returns data1 with the start of data2, the next one
// the rest of data2. A chunk can end anywhere inside a message.
//
// In the scene the cut comes from the MSS and the reader's timing. Here it comes from
// the reader's buffer: Node's `onread` option reads into a buffer you give it, so each
// callback is one read(2) of at most 500 bytes, like recv(fd, buf, 500) in C.
// The client stays paused until both writes are in its kernel's receive buffer.
import net from 'node:net';
import { once } from 'node:events';

const data1 = Buffer.alloc(300, '1');
const data2 = Buffer.alloc(600, '2');
const describe = (chunk) => {
  const n1 = chunk.filter((b) => b === 0x31).length;
  const n2 = chunk.length - n1;
  return `${chunk.length} bytes: ${[n1 && `${n1} of data1`, n2 && `${n2} of data2`].filter(Boolean).join(' + ')}`;
};

const server = net.createServer((conn) => {
  conn.write(data1);
  conn.end(data2, () => setTimeout(() => client.resume(), 200)); // then let the reader go
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect({
  port: server.address().port,
  host: '127.0.0.1',
  onread: {
    buffer: Buffer.alloc(500),
    callback: (n, buf) => console.log(`client: read ${describe(buf.subarray(0, n))}`),
  },
});
client.pause(); // a busy reader
await once(client, 'end');
server.close();
