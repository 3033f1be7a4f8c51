// A blocked event loop is a late accept(): while JavaScript runs synchronously (a long
// computation, a *Sync call, a huge JSON.parse), Node's event loop cannot call accept().
// The kernel keeps completing handshakes into the accept queue, backlog + 1 of them, then
// drops new SYNs; those clients connect only when their SYN is resent (1 s, 3 s, …).
// Here the server listens with a backlog of 1 and its handler blocks for 0.8 s; the
// clients run in a worker thread, whose event loop is free.
import net from 'node:net';
import { once } from 'node:events';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (isMainThread) {
  let accepted = 0;
  let allIn;
  const all = new Promise((r) => { allIn = r; });
  const server = net.createServer((conn) => {
    conn.end();
    if (++accepted === 4) allIn();
  });
  server.listen(0, '127.0.0.1', 1); // server.listen(port, host, backlog)
  await once(server, 'listening');
  const go = new Int32Array(new SharedArrayBuffer(4));
  const clients = new Worker(new URL(import.meta.url), { workerData: { port: server.address().port, go } });
  await once(clients, 'online');
  Atomics.store(go, 0, 1); // tell the clients to start, now that the loop is about to block
  Atomics.notify(go, 0);
  const until = Date.now() + 800;
  while (Date.now() < until); // 0.8 s of synchronous work: no accept(), no callbacks
  const [lines] = await once(clients, 'message');
  for (const line of lines) console.log(line);
  await all;
  console.log(`server: accepted all ${accepted} once its event loop was free`);
  server.close();
} else {
  const { port, go } = workerData;
  Atomics.wait(go, 0, 0); // until the server's event loop is blocked
  const results = [];
  for (let i = 1; i <= 4; i++) {
    const start = Date.now();
    const client = net.connect(port, '127.0.0.1');
    results.push(once(client, 'connect').then(() => {
      client.destroy();
      const late = Date.now() - start >= 950;
      return `client ${i}: 'connect' ${late ? 'after its SYN was resent (over 1 s)' : 'at once, into the accept queue'}`;
    }));
    await new Promise((r) => setTimeout(r, 50));
  }
  parentPort.postMessage(await Promise.all(results));
}
