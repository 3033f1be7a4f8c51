// UDP truncation, in Node: it does not happen. In C, recvfrom() with a 10-byte buffer
// takes the first 10 bytes of a 30-byte datagram, sets MSG_TRUNC and the kernel drops
// the other 20. Node has no read-size option for dgram: it reads every datagram into a
// 64 KiB buffer, the largest a UDP datagram can be, so each 'message' is whole.
import dgram from 'node:dgram';
import { countingReceiver } from '../shared/udp-receiver.mjs';

const { socket: server, port, sizes: got } = await countingReceiver();

const client = dgram.createSocket('udp4');
for (let i = 0; i < 2; i++) {
  await new Promise((r) => client.send(Buffer.alloc(30, 'x'), port, '127.0.0.1', r));
}
await new Promise((r) => setTimeout(r, 200));
console.log(`server: ${got.length} 'message' events of ${got.join(' and ')} bytes: nothing truncated`);
client.close();
server.close();
