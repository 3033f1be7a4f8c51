// A listener whose event loop is stuck, so nobody calls accept(): the kernel completes
// handshakes into the accept queue by itself, up to backlog + 1 on Linux
// (sk_acceptq_is_full), and what comes after depends on the kernel. The listener runs in
// a worker thread (this same file), blocked in a synchronous wait; a long computation or
// a *Sync call blocks an event loop the same way.
import net from 'node:net';
import { once } from 'node:events';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (!isMainThread && workerData?.stuckListener) {
  const { backlog, ms } = workerData.stuckListener;
  const server = net.createServer((conn) => {
    conn.end();
    parentPort.postMessage('accepted');
  });
  server.listen(0, '127.0.0.1', backlog, () => { // server.listen(port, host, backlog)
    parentPort.postMessage(server.address().port);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); // stuck: no accept()
  });
}

/** Starts the listener, stuck for `ms` (for ever by default) and then accepting. Resolves
 *  to its `port`, its `worker` (which posts 'accepted' for each connection it accepts),
 *  and `stop()`. */
export async function stuckListener(backlog, ms = Infinity) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { stuckListener: { backlog, ms } } });
  const [port] = await once(worker, 'message');
  return { port, worker, stop: () => worker.terminate() };
}
