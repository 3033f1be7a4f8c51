// Teardown, the server closes first. conn.end() sends FIN ('finish' when done);
// the client sees 'end' and, because allowHalfOpen is false by default, Node ends its
// side too (its FIN); then both sockets 'close'. Whoever closes first holds TIME-WAIT,
// here the server: run `ss -tan state time-wait` right after to see it.
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
console.log('server: end()');
conn.end();
await closed;
console.log('client saw:', seen.client.join(', '));
console.log('server saw:', seen.server.join(', '));
server.close();
