// Listen backlog, after a capture of a real accept-queue overflow (2014): the accept
// queue is full and never drained; one more client connects and sends 5 bytes.
// On the kernel of that capture the SYN got in, the server ignored the final ACK and
// resent its SYN-ACK, and the client, ESTABLISHED, kept resending its data. Linux ≥ 4.9
// drops a SYN that meets a full accept queue (tcp_conn_request), so today the client
// never gets that far: its connect() just waits, resending the SYN.
// (The capture used listen(fd, 0). Node turns a backlog of 0 into its default of 511,
// so this uses 1, whose queue holds 2.)
import net from 'node:net';
import { once } from 'node:events';
import { stuckListener } from '../shared/stuck-listener.mjs';

const { port, stop } = await stuckListener(1); // listen(…, 1), never accept()ed
const waiting = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
await Promise.all(waiting.map((s) => once(s, 'connect')));
console.log("clients 1 and 2: 'connect' (both wait in the accept queue, which is now full)");

const client = net.connect({ port, host: '127.0.0.1', timeout: 2000 });
client.write('hello'); // Node keeps it until the connection is up
client.on('connect', () => console.log("client 3: 'connect' (unexpected on Linux ≥ 4.9)"));
await once(client, 'timeout');
console.log("client 3: no 'connect' within 2 s; its 5 bytes are still in Node's queue:", client.writableLength);
for (const s of [...waiting, client]) s.destroy();
await stop();
