// UDP keeps message boundaries: three send() calls of 20, 35 and 50 bytes are three
// 'message' events of 20, 35 and 50 bytes. (The same over TCP, read late, is one
// 'data' chunk of 105 bytes: case D of the sticky-packets scene.)
import dgram from 'node:dgram';
import { once } from 'node:events';

const server = dgram.createSocket('udp4');
const got = [];
server.on('message', (msg, rinfo) => got.push(`${msg.length} bytes (rinfo.size ${rinfo.size})`));
server.bind(0, '127.0.0.1');
await once(server, 'listening');

const client = dgram.createSocket('udp4');
for (const len of [20, 35, 50]) {
  await new Promise((r) => client.send(Buffer.alloc(len, 'x'), server.address().port, '127.0.0.1', r));
}
await new Promise((r) => setTimeout(r, 200)); // UDP says nothing when it is done: wait
for (const g of got) console.log(`server: 'message' ${g}`);
client.close();
server.close();
