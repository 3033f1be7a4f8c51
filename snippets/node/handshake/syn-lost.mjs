// Handshake, SYN lost: the client hears nothing back, so its kernel sends the SYN
// again after the initial retransmission timeout of 1 s (RFC 6298 §2; Linux
// TCP_TIMEOUT_INIT), and connect() simply takes a second longer.
//
// An unprivileged program cannot lose a packet on the wire, so this one lets the
// Linux kernel drop the SYN: a listener whose accept queue is full drops new SYNs
// (tcp_conn_request, ListenOverflows). The server runs in a worker thread whose
// event loop is stuck for 500 ms, so two connections fill its listen(…, 1) queue
// (Linux queues backlog + 1; Node turns a backlog of 0 into 511).
// To lose the first SYN on the wire instead (root, a throwaway namespace):
//   ip netns add lab && ip netns exec lab ip link set lo up
//   ip netns exec lab nft 'add table ip t; add chain ip t o { type filter hook output priority 0; }'
//   ip netns exec lab nft 'add rule ip t o tcp flags & (syn | ack) == syn drop'
//   (sleep 0.5; ip netns exec lab nft flush chain ip t o) & ip netns exec lab node syn-ack-lost.mjs
// (that program prints whether its connect() took more than 1 s, whichever packet was lost).
import net from 'node:net';
import { once } from 'node:events';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

if (!isMainThread) {
  const server = net.createServer((conn) => conn.end());
  server.listen(0, '127.0.0.1', 1, () => { // backlog 1: room for 2 connections
    parentPort.postMessage(server.address().port);
    // A stuck event loop for 500 ms (like a long computation): nobody calls accept().
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  });
} else {
  const worker = new Worker(new URL(import.meta.url));
  const [port] = await once(worker, 'message');
  const fillers = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
  await Promise.all(fillers.map((s) => once(s, 'connect'))); // the accept queue is full
  await new Promise((r) => setTimeout(r, 50));
  const start = Date.now();
  const client = net.connect(port, '127.0.0.1'); // its first SYN is dropped
  await once(client, 'connect');
  const ms = Date.now() - start;
  console.log("client: 'connect'");
  console.log('client: connect() took at least one retransmission timeout (1 s):', ms >= 950);
  for (const s of [...fillers, client]) s.destroy();
  await worker.terminate();
}
