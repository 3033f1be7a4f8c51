// Drives the capture worker in headless Chromium and checks its answers (see run.sh).
import assert from 'node:assert/strict';
const pw = process.env.PLAYWRIGHT_CORE || `${process.env.HOME}/.local/share/synack/node-tools/node_modules/playwright-core/index.mjs`;
const { chromium } = await import(pw);
const port = process.argv[2];
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const p = await b.newPage();
  await p.goto(`http://127.0.0.1:${port}/index.html`);
  await p.waitForFunction(() => window.results.some(r => r.answer?.body?.kind === 'bad_request' || r.kind === 'worker-error'), null, { timeout: 30000 });
  const r = await p.evaluate(() => window.results);
  const by = req => r.find(m => m.req === req).answer;
  assert.equal(r[0].answer.kind, 'ready');
  assert.deepEqual(by(1), { kind: 'failed', body: { kind: 'no_capture' } });
  assert.ok(r.some(m => m.answer.kind === 'progress' && m.answer.body.done === m.answer.body.total && m.answer.body.total === 8976));
  const opened = by(10).body;
  assert.equal(opened.summary.packets, 22);
  assert.equal(opened.conversations.length, 1);
  assert.ok(r.find(m => m.req === 10).timing.steps.some(([step]) => step === 'read'));
  assert.equal(by(2).body.rows.length, 1);
  assert.ok(by(2).body.rows[0].marks & 2, 'fast retransmission');
  assert.match(by(3).body.body.message, /not a port number/);
  assert.deepEqual(by(4), { kind: 'wire', body: { id: 0, packets: 22 } });
  assert.equal(by(5).body.trace.events.length, 53);
  assert.deepEqual(by(5).body.trace.origin, { kind: 'capture', file: 'retransmissions.pcapng' });
  assert.deepEqual(by(6).body, { kind: 'no_such_conversation', body: { id: 7 } });
  assert.equal(by(7).body.summary.partial, true);
  assert.equal(by(7).body.summary.problems[0].kind, 'bad_magic');
  // A gzip-compressed capture is decompressed by the worker itself (flate2 in wasm).
  assert.equal(by(8).body.summary.compression, 'gzip');
  assert.equal(by(8).body.summary.packets, 11);
  assert.deepEqual(by(8).body.summary.problems, []);
  // Fragments reassembled: 8 TCP/UDP packets from 16 frames, as tshark counts them.
  assert.equal(by(9).body.summary.frames, 16);
  assert.equal(by(9).body.summary.packets, 8);
  // A request of no known kind is refused as such, not guessed at.
  assert.ok(r.some(m => m.req === null && m.answer.kind === 'failed' && m.answer.body.kind === 'bad_request'));
  console.log(`capture worker in Chromium: ${r.length} messages checked, ok`);
} finally {
  await b.close();
}
