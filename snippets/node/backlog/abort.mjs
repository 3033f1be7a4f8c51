// Listen backlog with net.ipv4.tcp_abort_on_overflow = 1: a final ACK that meets a full
// accept queue is answered with RST (tcp_check_req), so the client gets ECONNRESET at
// once instead of waiting. The sysctl needs root (`sysctl -w`, best in a namespace).
//
// On Linux ≥ 4.9 the situation rarely arises: a SYN that meets a full accept queue is
// dropped before any ACK (tcp_conn_request), so the overflow must happen between a
// client's SYN and its ACK. Run as is, this program shows that: client 3's SYN is
// dropped and it waits, with or without the sysctl.
import net from 'node:net';
import { once } from 'node:events';
import { stuckListener } from '../shared/stuck-listener.mjs';

const { port, stop } = await stuckListener(1); // listen(…, 1), never accept()ed
const waiting = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
await Promise.all(waiting.map((s) => once(s, 'connect')));
console.log("clients 1 and 2: 'connect' (the accept queue is now full)");

const client = net.connect({ port, host: '127.0.0.1', timeout: 2000 });
client.on('error', (err) => console.log(`client 3: 'error' ${err.code} (the RST of abort_on_overflow)`));
client.on('connect', () => console.log("client 3: 'connect'"));
client.on('timeout', () => console.log("client 3: no 'connect' and no RST within 2 s (its SYN was dropped)"));
await new Promise((r) => client.on('timeout', r).on('error', r));
for (const s of [...waiting, client]) s.destroy();
await stop();
