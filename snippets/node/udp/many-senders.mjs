// Many senders, one UDP socket: no listen(), no accept(). Each 'message' comes with
// rinfo, the sender's address and port (from the IP and UDP headers), and the reply
// goes back there with server.send().
import dgram from 'node:dgram';
import { once } from 'node:events';

const server = dgram.createSocket('udp4');
server.on('message', (msg, rinfo) => {
  console.log(`server: 'message' ${JSON.stringify(msg.toString())} (${msg.length} bytes)`);
  server.send(`reply to ${msg}`, rinfo.port, rinfo.address);
});
server.bind(0, '127.0.0.1');
await once(server, 'listening');

const replies = [];
for (let i = 1; i <= 3; i++) {
  const sender = dgram.createSocket('udp4'); // its own port, like another host
  const reply = once(sender, 'message');
  sender.send(`from ${i}`, server.address().port, '127.0.0.1');
  const [msg] = await reply;
  replies.push(`sender ${i}: 'message' ${JSON.stringify(msg.toString())}`);
  sender.close();
}
for (const r of replies) console.log(r);
server.close();
