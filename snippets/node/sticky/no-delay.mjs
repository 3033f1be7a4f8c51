// Sticky-packet remedy ②, TCP_NODELAY (socket.setNoDelay(true)): Nagle no longer holds
// small writes back on the sender, but the receiver's buffer still merges whatever has
// arrived when the reader reads. Turning Nagle off does not keep message boundaries.
import net from 'node:net';
import { once } from 'node:events';

const data1 = Buffer.alloc(300, '1');
const data2 = Buffer.alloc(300, '2');

const server = net.createServer((conn) => {
  conn.setNoDelay(true); // each write() leaves at once, as its own segment
  conn.write(data1);
  conn.end(data2, () => setTimeout(() => client.resume(), 200)); // a reader busy for 200 ms
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect(server.address().port, '127.0.0.1');
client.pause(); // a busy reader; pause() before any 'data' listener, which would start reading
const sizes = [];
client.on('data', (chunk) => sizes.push(chunk.length));
await once(client, 'end');
console.log(`with setNoDelay(true): 2 write() calls, 'data' ${sizes.join(' + ')} bytes`);
server.close();
