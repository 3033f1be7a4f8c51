// Listen backlog, accept queue full: server.listen(port, host, 1) and a server whose
// event loop never gets to accept(). Linux queues backlog + 1 = 2 finished handshakes
// (sk_acceptq_is_full); after that it drops new SYNs (tcp_conn_request, counted in
// ListenOverflows / ListenDrops: `nstat -az TcpExtListenOverflows`), and those clients
// resend their SYN after 1 s, 3 s, … until connect() gives up.
// The server runs in a worker thread whose event loop is stuck the whole time (in a
// synchronous wait here; a long computation or a *Sync call does the same).
import net from 'node:net';
import { stuckListener } from '../shared/stuck-listener.mjs';

const { port, stop } = await stuckListener(1); // listen(…, 1), never accept()ed
const results = [];
for (let i = 1; i <= 4; i++) {
  const client = net.connect({ port, host: '127.0.0.1', timeout: 1500 });
  results.push(new Promise((resolve) => {
    client.on('connect', () => resolve(`client ${i}: 'connect' (queued, not accepted)`));
    client.on('timeout', () => resolve(`client ${i}: no 'connect' within 1.5 s (its SYNs are dropped)`));
  }).finally(() => client.destroy()));
  await new Promise((r) => setTimeout(r, 100)); // one client every 100 ms
}
for (const line of await Promise.all(results)) console.log(line);
await stop();
