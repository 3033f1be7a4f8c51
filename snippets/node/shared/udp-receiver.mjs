// A UDP socket on 127.0.0.1, on a port the kernel picks, that notes the size of every
// datagram it receives: one 'message' event each, however the sender's calls and the
// reader's timing fall.
import dgram from 'node:dgram';
import { once } from 'node:events';

/** Resolves once bound to `{ socket, port, sizes }`; `sizes` grows with each datagram. */
export async function countingReceiver() {
  const socket = dgram.createSocket('udp4');
  const sizes = [];
  socket.on('message', (msg) => sizes.push(msg.length));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, port: socket.address().port, sizes };
}
