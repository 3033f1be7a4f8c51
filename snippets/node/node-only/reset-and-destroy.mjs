// end(), destroy(), resetAndDestroy(): what the peer sees.
//   end()             sends FIN after the queued data: the peer gets 'end'.
//   destroy()         closes at once: the kernel still sends a FIN, so the peer gets 'end',
//                     unless unread bytes sit in the receive buffer: then the kernel sends
//                     RST (tcp_close; RFC 2525 §2.17) and the peer gets ECONNRESET.
//   resetAndDestroy() sets SO_LINGER 0 and closes: always RST, no TIME-WAIT (Node ≥ 16.17).
import net from 'node:net';
import { once } from 'node:events';

async function run(label, close, unread = false) {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = net.connect(server.address().port, '127.0.0.1');
  client.pause(); // the client never reads
  await once(client, 'connect');
  const [conn] = await accepted;
  if (unread) {
    await new Promise((r) => conn.write('unread', r));
    await new Promise((r) => setTimeout(r, 100)); // now in the client's receive buffer
  }
  const seen = [];
  conn.on('end', () => seen.push("'end'"));
  conn.on('error', (err) => seen.push(`'error' ${err.code}`));
  conn.resume();
  close(client);
  await new Promise((r) => conn.on('close', r));
  console.log(`${label.padEnd(36)} the peer saw ${seen.join(', ')}`);
  conn.destroy();
  server.close();
}

await run('client.end():', (s) => s.end());
await run('client.destroy():', (s) => s.destroy());
await run('client.destroy() with unread bytes:', (s) => s.destroy(), true);
await run('client.resetAndDestroy():', (s) => s.resetAndDestroy());
