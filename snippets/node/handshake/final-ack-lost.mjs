// Handshake, final ACK lost: the client is ESTABLISHED as soon as it sends the ACK,
// so its 'connect' fires at once. The server stays in SYN-RECEIVED: Node's
// 'connection' comes only when the server's kernel has resent its SYN-ACK (after 1 s)
// and the client has ACKed again. (Had the client sent data, the data segment's ACK
// would have completed the handshake at once: Linux tcp_check_req accepts it.)
//
// An unprivileged program cannot drop a packet, so as it is nothing is lost and the
// last line says "less". To lose the client's pure ACKs for half a second (root):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o tcp flags & (syn | ack | fin | rst) == ack drop'
//   (sleep 0.5; ip netns exec lab nft flush chain ip t o) & ip netns exec lab node final-ack-lost.mjs
// and the last line says "more".
import net from 'node:net';
import { once } from 'node:events';

const server = net.createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const accepted = once(server, 'connection');
const client = net.connect(server.address().port, '127.0.0.1');
await once(client, 'connect');
const connectedAt = Date.now();
console.log("client: 'connect' (it sent the final ACK and considers itself connected)");
const [conn] = await accepted;
const ms = Date.now() - connectedAt;
console.log("server: 'connection'");
console.log(`server: 'connection' came ${ms >= 950 ? 'more' : 'less'} than 1 s after the client's 'connect'`);
client.destroy(); conn.destroy();
server.close();
