// Listen backlog, accept() a little late: the server's event loop is stuck for 800 ms,
// then accepts normally. Clients 1 and 2 fit in the queue of listen(…, 1) and connect
// at once; the SYNs of clients 3 and 4 are dropped, and their retransmission 1 s later
// finds room: every client connects, the last ones a second late.
import net from 'node:net';
import { once } from 'node:events';
import { stuckListener } from '../shared/stuck-listener.mjs';

const { port, worker, stop } = await stuckListener(1, 800); // listen(…, 1), stuck for 800 ms
let accepted = 0;
const done = new Promise((r) => worker.on('message', (m) => m === 'accepted' && ++accepted === 4 && r()));
const results = [];
for (let i = 1; i <= 4; i++) {
  const start = Date.now();
  const client = net.connect(port, '127.0.0.1');
  results.push(once(client, 'connect').then(() => {
    client.destroy();
    const late = Date.now() - start >= 950;
    return `client ${i}: 'connect' ${late ? 'after its SYN was resent (over 1 s)' : 'at once'}`;
  }));
  await new Promise((r) => setTimeout(r, 100));
}
for (const line of await Promise.all(results)) console.log(line);
await done;
console.log(`server: accepted all ${accepted}`);
await stop();
