// Listen backlog, historic BSD: 4.4BSD had two queues, so_q0 for half-open connections
// (SYN received) and so_q for complete ones not yet accept()ed, and one limit for both:
// sonewconn() refused a new connection once the two together held more than
// 3 × backlog / 2; the SYN was dropped without a RST, so the client retried.
// Linux since 2.2 has two queues: the accept queue holds backlog + 1 complete
// connections and the SYN queue is counted apart. This program measures the machine it
// runs on: how many connections complete with nobody calling accept(), for listen(…, 1).
// On Linux: 2. Other systems round differently: run it there to compare.
import net from 'node:net';
import { stuckListener } from '../shared/stuck-listener.mjs';

const { port, stop } = await stuckListener(1); // listen(…, 1), never accept()ed
const clients = [];
let connected = 0;
for (let i = 0; i < 5; i++) {
  const c = net.connect(port, '127.0.0.1');
  c.on('connect', () => connected++).on('error', () => {});
  clients.push(c);
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, 500)); // less than the 1 s SYN retransmission
console.log(`listen(…, 1), nobody accepts: ${connected} of ${clients.length} connections completed`);
for (const c of clients) c.destroy();
await stop();
