// dgram's whole-message delivery: each 'message' is one whole datagram, from 1 byte up
// to 65507 bytes (the most an IPv4 UDP datagram carries: 65535 - 20 - 8). Node reads
// into a 64 KiB buffer, so unlike recvfrom() with a small buffer nothing is ever cut.
// Larger than that cannot be sent at all: send() reports EMSGSIZE.
import dgram from 'node:dgram';
import { countingReceiver } from '../shared/udp-receiver.mjs';

const { socket: server, port, sizes: got } = await countingReceiver();
const client = dgram.createSocket('udp4');
const send = (len) => new Promise((resolve) => {
  client.send(Buffer.alloc(len), port, '127.0.0.1', (err) => resolve(err));
});

for (const len of [1, 1472, 65507]) await send(len);
await new Promise((r) => setTimeout(r, 200));
for (const len of got) console.log(`server: 'message' of ${len} bytes`);
const err = await send(65508);
console.log(`client: send() of 65508 bytes: ${err ? err.code : 'sent'}`);
client.close();
server.close();
