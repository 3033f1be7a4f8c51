// Teardown, the client closes first. client.end() sends FIN ('finish' when done);
// the server sees 'end' and, because allowHalfOpen is false by default, Node ends its
// side too (its FIN); then both sockets 'close'. The client's kernel keeps the
// connection in TIME-WAIT for a while: run `ss -tan state time-wait` right after.
import { once } from 'node:events';
import { connectedPair } from '../shared/pair.mjs';

const { server, client, conn } = await connectedPair();

// Each side's events in order ('finish': its own FIN was handed to the kernel).
const seen = { client: [], server: [] };
for (const [name, sock] of [['client', client], ['server', conn]]) {
  for (const ev of ['end', 'finish', 'close']) sock.on(ev, () => seen[name].push(`'${ev}'`));
  sock.resume(); // keep reading, or 'end' would never be seen
}
const closed = Promise.all([once(client, 'close'), once(conn, 'close')]);
console.log('client: end()');
client.end();
await closed;
console.log('client saw:', seen.client.join(', '));
console.log('server saw:', seen.server.join(', '));
server.close();
