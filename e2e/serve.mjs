// Serves a folder (default dist/) on 127.0.0.1 for the e2e suite and the benchmarks:
//   node e2e/serve.mjs [dir] [--port N]      (port 0, the default, picks a free one)
// Prints `serving <dir> at http://127.0.0.1:<port>/` once listening; stops on SIGTERM/SIGINT.
import { startServer, ROOT } from './lib.mjs';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args.splice(portAt, 2)[1]) : 0;
const dir = resolve(ROOT, args[0] ?? 'dist');

const server = await startServer(dir, port);
console.log(`serving ${dir} at ${server.url}`);
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, async () => {
    await server.close();
    process.exit(0);
  });
}
