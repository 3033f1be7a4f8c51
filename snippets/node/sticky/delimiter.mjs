// Sticky-packet remedy ④, framing with a delimiter (framing.mjs, next to this file):
// each message is followed by '\n', and the reader's decoder splits the stream there
// however the 'data' chunks were cut. Messages must not contain the delimiter.
import net from 'node:net';
import { once } from 'node:events';
import { encodeDelimited, DelimiterDecoder } from './framing.mjs';

const messages = ['data1: hello', 'data2: world', 'x'.repeat(200_000)];

const server = net.createServer((conn) => {
  for (const m of messages) conn.write(encodeDelimited(m));
  conn.end();
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = net.connect(server.address().port, '127.0.0.1');
const decoder = new DelimiterDecoder({ maxLength: 1024 * 1024 });
client.on('data', (chunk) => {
  for (const m of decoder.push(chunk)) {
    const text = m.toString();
    console.log(`client: message of ${m.length} bytes: ${JSON.stringify(text.length > 20 ? `${text.slice(0, 12)}…` : text)}`);
  }
});
await once(client, 'end');
console.log('client: bytes left over at the end:', decoder.pendingBytes);
server.close();

// A message that contains the delimiter would be cut in two: the encoder refuses it.
try {
  encodeDelimited('two\nlines');
} catch (err) {
  console.log(`a bad message: ${err.message}`);
}
