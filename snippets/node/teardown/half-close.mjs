// Teardown, half-close: the client ends its sending side (FIN, like shutdown(SHUT_WR))
// and still reads the server's reply. In Node both sides need allowHalfOpen: true;
// with the default (false) Node ends the server's side right after 'end', so the
// answer, written a moment later, would fail (node-only/half-close.mjs shows it).
import net from 'node:net';
import { once } from 'node:events';

const server = net.createServer({ allowHalfOpen: true }, (conn) => {
  conn.on('data', (d) => console.log(`server: 'data' ${JSON.stringify(d.toString())}`));
  conn.on('end', () => {
    console.log("server: 'end' (the client will send no more)");
    setTimeout(() => { // the answer is ready a moment later
      console.log('server: still writable:', conn.writable);
      conn.end('reply'); // write the answer, then our own FIN
    }, 50);
  });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const client = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
await once(client, 'connect');
client.on('data', (d) => console.log(`client: 'data' ${JSON.stringify(d.toString())} after its own end()`));
client.on('end', () => console.log("client: 'end'"));
console.log("client: write('request'), then end()");
client.end('request');
await once(client, 'close');
console.log("client: 'close'");
server.close();
