// Teardown, the last ACK lost: the server, in LAST-ACK, resends its FIN when its timer
// expires, and the client, still in TIME-WAIT, ACKs it again. None of this reaches
// Node: a socket's 'close' fires when Node closes its handle, not when the kernel
// leaves LAST-ACK, so this program prints the same lines with or without the loss.
//
// To lose the client's pure ACKs for two seconds (root, a throwaway namespace):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o tcp flags & (syn | ack | fin | rst) == ack drop'
//   (sleep 2; ip netns exec lab nft flush chain ip t o) & ip netns exec lab node last-ack-lost.mjs
// and meanwhile `ip netns exec lab ss -tan state last-ack` shows the server's socket.
// (The handshake's own ACK is lost too; the client's FIN, which carries an ACK, stands in.)
import net from 'node:net';
import { once } from 'node:events';

const seen = { client: [], server: [] };
const watch = (name, sock) => {
  for (const ev of ['end', 'finish', 'close']) sock.on(ev, () => seen[name].push(`'${ev}'`));
  sock.resume(); // keep reading, or 'end' would never be seen
  return once(sock, 'close');
};
let serverClosed;
const server = net.createServer((conn) => { serverClosed = watch('server', conn); });
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const client = net.connect(server.address().port, '127.0.0.1');
const clientClosed = watch('client', client);
await once(client, 'connect');
console.log('client: end()');
client.end();
await clientClosed;
await serverClosed;
console.log('client saw:', seen.client.join(', '));
console.log('server saw:', seen.server.join(', '), '(its kernel may still be in LAST-ACK)');
server.close();
