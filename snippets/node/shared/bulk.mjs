// A bulk transfer on loopback, server to client, checked end to end: whatever the
// network did on the way (in these programs: nothing, unless the nft rule in their first
// comment drops a segment), TCP hands the reader every byte, once and in order.
import net from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';

/** `size` bytes that are not all zeros, so that a byte out of place would show. */
export function patterned(size) {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  return payload;
}

/** The server sends `payload` in one write and closes; the client reads to the end.
 *  Resolves to the bytes received and whether they are exactly the ones sent. */
export async function transfer(payload) {
  const server = net.createServer((conn) => conn.end(payload));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect(server.address().port, '127.0.0.1');
  const chunks = [];
  client.on('data', (c) => chunks.push(c));
  await once(client, 'end');
  server.close();
  const got = Buffer.concat(chunks);
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  return { received: got.length, intact: sha(got) === sha(payload) };
}
