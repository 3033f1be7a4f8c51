// The two messages of the sticky-packet cases, data1 (bytes '1') and data2 (bytes '2'),
// a description of what one read returned (how many bytes of each), and the reader of
// cases B and C.
import net from 'node:net';
import { once } from 'node:events';

export const messages = (len1, len2) => [Buffer.alloc(len1, '1'), Buffer.alloc(len2, '2')];

export function describe(chunk) {
  const n1 = chunk.filter((b) => b === 0x31).length;
  const n2 = chunk.length - n1;
  return `${chunk.length} bytes: ${[n1 && `${n1} of data1`, n2 && `${n2} of data2`].filter(Boolean).join(' + ')}`;
}

/** The server writes data1 and data2 and closes; the client stays paused until both are
 *  in its kernel's receive buffer, then reads into a buffer of `size` bytes: Node's
 *  `onread` option makes each callback one read(2) of at most `size` bytes, like
 *  recv(fd, buf, size) in C. Prints each read. */
export async function readWithBuffer(data1, data2, size) {
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
      buffer: Buffer.alloc(size),
      callback: (n, buf) => console.log(`client: read ${describe(buf.subarray(0, n))}`),
    },
  });
  client.pause(); // a busy reader
  await once(client, 'end');
  server.close();
}
