// Multicast + reuseAddr: two receivers on one host bind the same port (reuseAddr: true,
// SO_REUSEADDR) and join group 239.1.1.1 with addMembership(); each gets its own copy
// of every datagram sent to the group. Everything stays on the loopback interface here;
// on a LAN, give addMembership() and setMulticastInterface() your interface's address.
import dgram from 'node:dgram';
import { once } from 'node:events';

const GROUP = '239.1.1.1';
const IFACE = '127.0.0.1';

const receivers = [];
let port = 0; // the first receiver picks a port, the second binds the same one
for (const name of ['receiver 1', 'receiver 2']) {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const got = [];
  sock.on('message', (msg) => got.push(msg.toString()));
  sock.bind(port);
  await once(sock, 'listening');
  port = sock.address().port;
  sock.addMembership(GROUP, IFACE);
  receivers.push({ name, sock, got });
}

const sender = dgram.createSocket('udp4');
sender.bind();
await once(sender, 'listening');
sender.setMulticastInterface(IFACE);
for (const news of ['news 1', 'news 2']) {
  await new Promise((r) => sender.send(news, port, GROUP, r));
}
await new Promise((r) => setTimeout(r, 200));
for (const { name, sock, got } of receivers) {
  console.log(`${name}: ${got.join(', ')}`);
  sock.close();
}
sender.close();
