// Teardown, simultaneous close: both sides call end() at the same moment. Each sees
// the other's FIN ('end') and its own FIN go out ('finish'), in either order, then 'close'.
// In the kernel both go FIN-WAIT-1 → CLOSING → TIME-WAIT only if the FINs cross on the
// way; on loopback the first FIN usually arrives before the second end() reaches the
// kernel (CLOSE-WAIT → LAST-ACK instead). To make them cross, delay the path:
// `tc qdisc add dev lo root netem delay 50ms` in a namespace, then `ss -tan` shows CLOSING.
import { once } from 'node:events';
import { connectedPair } from '../shared/pair.mjs';

const { server, client, conn } = await connectedPair();

const seen = { client: [], server: [] };
for (const [name, sock] of [['client', client], ['server', conn]]) {
  for (const ev of ['end', 'finish', 'close']) sock.on(ev, () => seen[name].push(ev));
  sock.resume();
}
const closed = Promise.all([once(client, 'close'), once(conn, 'close')]);
console.log('client and server: end() in the same tick');
client.end();
conn.end();
await closed;
for (const name of ['client', 'server']) {
  const s = seen[name];
  const both = s.includes('end') && s.includes('finish') && s.at(-1) === 'close';
  console.log(`${name}: saw 'end' and 'finish', then 'close':`, both);
}
server.close();
