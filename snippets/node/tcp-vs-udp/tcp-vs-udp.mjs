// TCP vs UDP: the same four messages (20, 35, 50 and 65 bytes) over each, read late.
// TCP is a byte stream: the late reader gets the bytes glued in one 'data' chunk.
// UDP keeps each datagram whole: one 'message' event per send().
//
// Loopback loses nothing. To make the path lossy (root, a throwaway namespace):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o numgen random mod 4 == 0 drop'   # a quarter of all packets
//   ip netns exec lab node tcp-vs-udp.mjs
// TCP still delivers all 170 bytes (later, after retransmissions); UDP prints fewer messages.
import net from 'node:net';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { countingReceiver } from '../shared/udp-receiver.mjs';

const messages = [20, 35, 50, 65].map((len, i) => Buffer.alloc(len, `${i + 1}`));
const late = (ms) => new Promise((r) => setTimeout(r, ms));

// TCP: pauseOnConnect keeps Node from reading until we resume() (a busy reader).
const server = net.createServer({ pauseOnConnect: true });
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const accepted = once(server, 'connection');
const client = net.connect(server.address().port, '127.0.0.1');
await once(client, 'connect'); // (writes made before this would leave as one writev())
for (const m of messages) client.write(m); // four write() calls, four send()s to the kernel
const sent = new Promise((r) => client.end(r)); // called once all are handed to the kernel
const [conn] = await accepted;
await sent;
await late(200);
const chunks = [];
conn.on('data', (d) => chunks.push(d.length));
conn.resume();
await once(conn, 'end');
console.log(`TCP: ${messages.length} write() calls, ${chunks.length} 'data' event(s): ${chunks.join(' + ')} bytes`);
server.close();

// UDP: four send() calls to one socket. However late it reads, each datagram is a
// 'message' of its own (Node reads them as they come; the kernel would queue them whole).
const { socket: receiver, port, sizes } = await countingReceiver();
const sender = dgram.createSocket('udp4');
for (const m of messages) await new Promise((r) => sender.send(m, port, '127.0.0.1', r));
await late(300); // nothing tells a UDP receiver that a datagram is missing: just wait
console.log(`UDP: ${messages.length} send() calls, ${sizes.length} 'message' events: ${sizes.join(', ')} bytes`);
sender.close();
receiver.close();
