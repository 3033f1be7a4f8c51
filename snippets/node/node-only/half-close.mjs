// Half-close with and without allowHalfOpen. The client sends its request and calls
// end() (a FIN: "I will send no more") but still wants the reply.
// With allowHalfOpen: false (the default for net.createServer and net.connect), Node
// ends the server's side right after the 'end' listeners have run, and a later
// write() fails. (Only an answer written inside the 'end' listener itself gets out.)
// With allowHalfOpen: true, the server can still write until it calls end() itself.
import net from 'node:net';
import { once } from 'node:events';

async function run(allowHalfOpen) {
  console.log(`allowHalfOpen: ${allowHalfOpen}`);
  let served;
  const done = new Promise((r) => { served = r; });
  const server = net.createServer({ allowHalfOpen }, (conn) => {
    conn.on('error', () => {}); // reported through write()'s callback below
    conn.on('end', () => {
      console.log("  server: 'end'");
      setTimeout(() => { // the reply is ready a moment later (a database query, say)
        conn.write('reply', (err) => {
          console.log(`  server: write('reply') ${err ? `failed: ${err.code}` : 'succeeded'}`);
          conn.end();
          served();
        });
      }, 50);
    });
    conn.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
  const replies = [];
  client.on('data', (d) => replies.push(d.toString()));
  client.end('request');
  await Promise.all([once(client, 'close'), done]);
  console.log(`  client: after its own end() it received: ${replies.length ? JSON.stringify(replies.join('')) : 'nothing'}`);
  server.close();
}

await run(false);
await run(true);
