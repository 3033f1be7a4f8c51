// Handshake, simultaneous open (RFC 9293 §3.5 figure 8): a socket in SYN-SENT that
// receives a SYN answers SYN-ACK and becomes ESTABLISHED, with no listen() anywhere.
//
// Two programs connecting to each other only cross their SYNs if the path is slow
// (on loopback the first SYN arrives before the other side has called connect(), and
// is refused). The smallest real one: a socket that connects to its own port. Its SYN
// comes back to itself while it is in SYN-SENT, which is a simultaneous open.
// (With delay on the path, e.g. `tc qdisc add dev lo root netem delay 100ms` in a
// namespace, two sockets connecting to each other with localPort work the same way.)
import net from 'node:net';
import { once } from 'node:events';

// Find a free port: bind one, note it, release it.
const probe = net.createServer().listen(0, '127.0.0.1');
await once(probe, 'listening');
const { port } = probe.address();
await new Promise((r) => probe.close(r));

const sock = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: port });
await once(sock, 'connect');
console.log("socket: 'connect' although nothing listens on the port");
console.log('socket: its local port is its remote port:', sock.localPort === sock.remotePort);
sock.write('hello');
const [data] = await once(sock, 'data');
console.log(`socket: 'data' ${JSON.stringify(data.toString())} (it reads what it wrote)`);
sock.destroy();
