// Listen backlog, accept() a little late: the server's event loop is stuck for 800 ms,
// then accepts normally. Clients 1 and 2 fit in the queue of listen(…, 1) and connect
// at once; the SYNs of clients 3 and 4 are dropped, and their retransmission 1 s later
// finds room: every client connects, the last ones a second late.
import net from 'node:net';
import { once } from 'node:events';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

if (!isMainThread) {
  let accepted = 0;
  const server = net.createServer((conn) => {
    conn.end();
    if (++accepted === 4) parentPort.postMessage('accepted all 4');
  });
  server.listen(0, '127.0.0.1', 1, () => {
    parentPort.postMessage(server.address().port);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800); // stuck for 800 ms
  });
} else {
  const worker = new Worker(new URL(import.meta.url));
  const [port] = await once(worker, 'message');
  const done = once(worker, 'message');
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
  console.log(`server: ${(await done)[0]}`);
  await worker.terminate();
}
