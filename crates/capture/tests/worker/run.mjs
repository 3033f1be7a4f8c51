// Drives the capture worker in headless Chromium and checks its answers (see run.sh).
import assert from 'node:assert/strict';
const pw = process.env.PLAYWRIGHT_CORE || `${process.env.HOME}/.local/share/synack/node-tools/node_modules/playwright-core/index.mjs`;
const { chromium } = await import(pw);
const port = process.argv[2];
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const p = await b.newPage();
  await p.goto(`http://127.0.0.1:${port}/index.html`);
  await p.waitForFunction(() => window.results.some(r => r.req === 9 || r.kind === 'worker-error'), null, { timeout: 30000 });
  const r = await p.evaluate(() => window.results);
  const by = req => r.find(m => m.req === req);
  assert.equal(r[0].kind, 'ready');
  assert.equal(by(1).kind, 'error');
  assert.ok(r.some(m => m.kind === 'progress' && m.done === m.total && m.total === 8976));
  const opened = r.find(m => m.kind === 'opened' && m.req === undefined);
  assert.equal(opened.summary.packets, 22);
  assert.equal(opened.conversations.length, 1);
  assert.equal(by(2).rows.length, 1);
  assert.ok(by(2).rows[0].marks.includes('fast retransmission'));
  assert.match(by(3).message, /not a port number/);
  assert.equal(by(4).rows.length, 22);
  assert.equal(by(5).trace.events.length, 53);
  assert.deepEqual(by(5).trace.origin, { kind: 'capture', file: 'retransmissions.pcapng' });
  assert.match(by(6).message, /no conversation 7/);
  assert.equal(by(7).summary.partial, true);
  assert.equal(by(7).summary.problems[0].kind, 'bad_magic');
  // A gzip-compressed capture is decompressed by the worker itself (flate2 in wasm).
  assert.equal(by(8).summary.compression, 'gzip');
  assert.equal(by(8).summary.packets, 11);
  assert.deepEqual(by(8).summary.problems, []);
  // Fragments reassembled: 8 TCP/UDP packets from 16 frames, as tshark counts them.
  assert.equal(by(9).summary.frames, 16);
  assert.equal(by(9).summary.packets, 8);
  console.log(`capture worker in Chromium: ${r.length} messages checked, ok`);
} finally {
  await b.close();
}
