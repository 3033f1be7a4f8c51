// Teardown, abortive close: socket.resetAndDestroy() (Node ≥ 16.17 / 18.3) sets
// SO_LINGER to 0 and closes, so the kernel sends RST instead of FIN: no TIME-WAIT,
// unsent data thrown away. The peer's next read fails with ECONNRESET.
// (socket.destroy() and socket.end() both send a FIN: the peer sees 'end'.)
import { connectedPair } from '../shared/pair.mjs';

const { server, client, conn } = await connectedPair();

conn.on('end', () => console.log("server: 'end' (a FIN: not expected here)"));
conn.on('error', (err) => console.log(`server: 'error' ${err.code}`));
conn.resume();
console.log('client: resetAndDestroy()');
client.resetAndDestroy();
const hadError = await new Promise((r) => conn.on('close', r)); // once() throws on 'error'
console.log(`server: 'close', hadError ${hadError}`);
server.close();
