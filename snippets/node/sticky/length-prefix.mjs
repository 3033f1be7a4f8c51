// Sticky-packet remedy ③, framing with a length prefix (framing.mjs, next to this file):
// each message goes out with its 4-byte length in front, and the reader's decoder gives
// the messages back whole however the 'data' chunks were cut: glued, split, or both.
import net from 'node:net';
import { once } from 'node:events';
import { encodeLengthPrefixed, LengthPrefixDecoder } from './framing.mjs';

const messages = [Buffer.alloc(300, '1'), Buffer.alloc(300, '2'), Buffer.alloc(200_000, '3')];

const server = net.createServer((conn) => {
  for (const m of messages) conn.write(encodeLengthPrefixed(m));
  conn.end();
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect(server.address().port, '127.0.0.1');
const decoder = new LengthPrefixDecoder({ maxLength: 1024 * 1024 });
client.on('data', (chunk) => {
  for (const m of decoder.push(chunk)) console.log(`client: message of ${m.length} bytes of "${String.fromCharCode(m[0])}"`);
});
await once(client, 'end');
console.log('client: bytes left over at the end:', decoder.pendingBytes);
server.close();

// A corrupt or hostile length is refused with a clear error, not a 4 GB allocation.
try {
  new LengthPrefixDecoder({ maxLength: 1024 * 1024 }).push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
} catch (err) {
  console.log(`a bad frame: ${err.message}`);
}
