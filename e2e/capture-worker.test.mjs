// The capture reader's Web Worker (crates/capture/src/bin/capture_worker.rs) as the release build
// ships it (dist/capture_worker_loader.js), driven in Chromium through its protocol by hand
// (synack_capture::protocol: `{json: Ask, bytes?}` in, a Reply out), not through the page: every
// kind of answer, refusals included, and a `.pcap.gz` and a capture of IP fragments opening in
// the browser as they do natively. The test page and the captures are answered by `page.route`,
// so the site under test is not touched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, baseUrl, ROOT } from './lib.mjs';

const DATA = join(ROOT, 'crates', 'capture', 'tests', 'data');
const browser = useBrowser();

// Served at <base>worker-protocol/index.html: the worker is the site's, one folder up.
const PAGE = `<!doctype html><html><body><script>
window.results = [];
const w = new Worker('../capture_worker_loader.js');
w.onerror = e => window.results.push({kind: 'worker-error', message: String(e.message)});
const ask = (req, kind, body, bytes) => {
  const msg = { json: JSON.stringify({ req, request: { kind, body } }) };
  if (bytes) msg.bytes = bytes;
  w.postMessage(msg, bytes ? [bytes] : []);
};
w.onmessage = async (e) => {
  const m = JSON.parse(typeof e.data === 'string' ? e.data : e.data.json);
  window.results.push(m);
  if (m.answer.kind === 'ready') {
    ask(1, 'list', { filter: '', limit: 200 });
    const buf = await (await fetch('retransmissions.pcapng')).arrayBuffer();
    ask(10, 'open', { name: 'retransmissions.pcapng', limit: 200 }, buf);
    ask(2, 'list', { filter: 'port 443 retrans', limit: 200 });
    ask(3, 'list', { filter: 'port x', limit: 200 });
    ask(4, 'wire', { id: 0 });
    ask(5, 'trace', { id: 0 });
    ask(6, 'trace', { id: 7 });
    ask(7, 'open', { name: 'junk', limit: 200 }, new TextEncoder().encode('hello world').buffer);
    for (const [name, req] of [['handshake_data_close.pcap.gz', 8], ['ip_fragments.pcap', 9]]) {
      const b = await (await fetch(name)).arrayBuffer();
      ask(req, 'open', { name, limit: 200 }, b);
    }
    w.postMessage({ json: '{"req":11,"request":{"kind":"delete","body":{}}}' });
  }
};
</script></body></html>`;

test('the capture worker answers every kind of request in Chromium, refusals included', async () => {
  const base = await baseUrl();
  const page = await browser.newPage();
  try {
    await page.route(`${base}worker-protocol/*`, async (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop();
      if (name === 'index.html') {
        await route.fulfill({ contentType: 'text/html', body: PAGE });
      } else {
        await route.fulfill({ contentType: 'application/octet-stream', body: await readFile(join(DATA, name)) });
      }
    });
    await page.goto(`${base}worker-protocol/index.html`);
    await page.waitForFunction(
      () => window.results.some((r) => r.answer?.body?.kind === 'bad_request' || r.kind === 'worker-error'),
      null,
      { timeout: 30_000 },
    );
    const r = await page.evaluate(() => window.results);
    assert.ok(!r.some((m) => m.kind === 'worker-error'), JSON.stringify(r.filter((m) => m.kind === 'worker-error')));
    const by = (req) => r.find((m) => m.req === req).answer;
    assert.equal(r[0].answer.kind, 'ready');
    assert.deepEqual(by(1), { kind: 'failed', body: { kind: 'no_capture' } });
    assert.ok(
      r.some((m) => m.answer.kind === 'progress' && m.answer.body.done === m.answer.body.total && m.answer.body.total === 8976),
      'progress reaches the whole file',
    );
    const opened = by(10).body;
    assert.equal(opened.summary.packets, 22);
    assert.equal(opened.conversations.length, 1);
    assert.ok(r.find((m) => m.req === 10).timing.steps.some(([step]) => step === 'read'));
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
    assert.ok(r.some((m) => m.req === null && m.answer.kind === 'failed' && m.answer.body.kind === 'bad_request'));
  } finally {
    await page.close();
  }
});
