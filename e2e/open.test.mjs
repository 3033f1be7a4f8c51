// End-to-end tests of #/open: a model or lab trace (JSON) and real captures (pcap/pcapng) chosen
// through the file input end up in the same player and ladder as the scenes, with the expert
// marks on the arrows and the model's run side by side; broken files give a message naming the
// problem and the page keeps working; a 100,000-packet capture (generated here) is drawn on a
// canvas that zooms. Screenshots (zh and en, desktop and 360 px) under target/screenshots/open-*.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, openRoute, onPage, screenshot, hasCjk, ROOT, flowLangs } from './lib.mjs';
import { bulkPcap, oneConnectionPcap } from './open-bulk-pcap.mjs';

const DATA = join(ROOT, 'crates', 'capture', 'tests', 'data');
const MODEL_TRACE = join(ROOT, 'e2e', 'data', 'model-lost-syn-ack.json');
const LAB_TRACE = join(ROOT, 'e2e', 'data', 'lab-handshake.json');
// docs/examples/zero-window-probes.json run by `synack-lab sim`: a scripted peer.
const SCRIPTED_TRACE = join(ROOT, 'e2e', 'data', 'model-zero-window-probes.json');
// docs/examples/poll-and-tcp-info.json run by `synack-lab sim`: poll() and TCP_INFO results.
const OPTIONS_TRACE = join(ROOT, 'e2e', 'data', 'model-poll-and-tcp-info.json');
const PCAP = join(DATA, 'handshake_data_close.pcap');
const RETRANS = join(DATA, 'retransmissions.pcapng');

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  await page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 15_000 });
}

/** Names of the scripts and wasm files the page has fetched so far. */
function fetched(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
}

/**
 * The side-by-side ladders open at their first packet: each is scrolled to the top, and where it
 * is taller than its box the first arrow is inside the box (not left above it).
 */
async function assertComparisonAtStart(page) {
  for (const side of ['compare-recorded', 'compare-model']) {
    const scroller = page.locator(`[data-testid="${side}"] [data-testid="ladder-scroll"]`);
    // Let the second render (the measured width) and its effects run first: the view must
    // still be at the top after them, not only before.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const { top, first, box } = await scroller.evaluate((el) => {
      const seg = el.querySelector('g.seg');
      const r = el.getBoundingClientRect();
      const s = seg?.getBoundingClientRect();
      return { top: el.scrollTop, first: s ? s.top - r.top : -1, box: r.height };
    });
    assert.equal(top, 0, `${side} opens scrolled to the top`);
    assert.ok(first >= 0 && first < box, `${side}: the first segment is in view (${first} of ${box} px)`);
  }
}

function file(name, buffer, mimeType = 'application/octet-stream') {
  return { name, mimeType, buffer };
}

for (const lang of flowLangs()) {
  test(`${lang}: a model trace opens in the player; broken JSON and unknown files are explained`, async () => {
    await onPage(browser, '#/open', lang, async ({ page }) => {
      await ready(page);
      const privacy = await page.getByTestId('open-privacy').innerText();
      assert.equal(hasCjk(privacy), lang === 'zh');
      // Nothing of the capture reader is loaded before a capture is opened.
      assert.ok(!(await fetched(page)).some((u) => u.includes('capture_worker')));

      await page.getByTestId('open-input').setInputFiles(MODEL_TRACE);
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await page.getByTestId('open-origin').innerText(), /lost SYN-ACK/);
      assert.ok((await page.locator('[data-testid="ladder"] g.seg').count()) >= 3);
      // A model trace has nothing to compare with: no replay button.
      assert.equal(await page.getByTestId('open-replay').count(), 0);
      assert.ok(!(await fetched(page)).some((u) => u.includes('capture_worker')));
      await screenshot(page, `open-trace-${lang}`);

      // Malformed JSON: the parser's place is named, and the previous trace is gone (under the
      // new file's name it would read as that file's content).
      await page.getByTestId('open-input').setInputFiles(
        file('cut.json', Buffer.from('{"version": 1, "origin": {"kind": "lab", '), 'application/json'),
      );
      const err = await page.getByTestId('open-error').innerText();
      assert.match(err, /cut\.json/);
      assert.match(err, /line 1/);
      assert.equal(await page.getByTestId('ladder').count(), 0);

      // A JSON that is not a trace.
      await page.getByTestId('open-input').setInputFiles(
        file('broken.json', Buffer.from('{"hello": 1}'), 'application/json'),
      );
      await page.getByTestId('open-error').filter({ hasText: 'broken.json' }).waitFor();
      assert.match(await page.getByTestId('open-error').innerText(), /version/);
      await screenshot(page, `open-trace-error-${lang}`);

      // A file of neither kind.
      await page.getByTestId('open-input').setInputFiles(file('notes.txt', Buffer.from('hello'), 'text/plain'));
      await page.getByTestId('open-error').filter({ hasText: 'notes.txt' }).waitFor();
    });
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: a scripted peer's trace draws the peer as a lane, its end marked as a script`, async () => {
    await onPage(browser, '#/open', lang, async ({ page }) => {
      await ready(page);
      await page.getByTestId('open-input').setInputFiles(SCRIPTED_TRACE);
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await page.getByTestId('open-origin').innerText(), /zero-window probes/);
      // Handshake, three probes and their answers, the window update, the data and its ACK.
      assert.ok((await page.locator('[data-testid="ladder"] g.seg').count()) >= 11);
      // The scripted end has no TCP state: its pill says "script", never CLOSED.
      const pill = page.locator('.pill.script').first();
      await pill.waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal((await pill.innerText()).trim(), lang === 'zh' ? '脚本' : 'script');
      await screenshot(page, `open-scripted-${lang}`);
    });
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: a trace with poll() and TCP_INFO results opens and plays without errors`, async () => {
    await onPage(browser, '#/open', lang, async ({ page }) => {
      await ready(page);
      await page.getByTestId('open-input').setInputFiles(OPTIONS_TRACE);
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await page.getByTestId('open-origin').innerText(), /poll\(\) and getsockopt/);
      // Handshake, the lost request, its tail loss probe, the ACKs.
      assert.ok((await page.locator('[data-testid="ladder"] g.seg').count()) >= 6);
      await page.keyboard.press('End');
      await screenshot(page, `open-options-${lang}`);
    });
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: a lab trace opens next to the model run, differences highlighted`, async () => {
    await onPage(browser, '#/open', lang, async ({ page }) => {
      await ready(page);
      await page.getByTestId('open-input').setInputFiles(LAB_TRACE);
      await page.getByTestId('open-compare').waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await page.getByTestId('open-origin').innerText(), lang === 'zh' ? /实验/ : /lab: handshake/);
      const recorded = page.locator('[data-testid="compare-recorded"] g.seg');
      const model = page.locator('[data-testid="compare-model"] g.seg');
      assert.ok((await recorded.count()) >= 3, 'recorded ladder');
      assert.ok((await model.count()) >= 3, 'model ladder');
      // The lab's handshake run exchanges a few bytes and closes; the model's teardown scene is
      // its counterpart. Whatever differs is marked on the arrows.
      const verdict = await page.getByTestId('diff-verdict').innerText();
      assert.match(verdict, lang === 'zh' ? /有差异|一致/ : /differ|agree/);
      const warned = await page.locator('[data-testid="compare-recorded"] g.seg.warn').count();
      if (/differ|差异/.test(verdict)) assert.ok(warned > 0, 'differences are highlighted');
      // The three handshake segments match in kind and order, so they carry no "not in the model" note.
      const firstThree = await recorded.evaluateAll((gs) => gs.slice(0, 3).map((g) => g.textContent));
      for (const t of firstThree) assert.doesNotMatch(t, /not in the model|模型里没有/);
      await page.getByTestId('diff-states-0').waitFor();
      await assertComparisonAtStart(page);
      await screenshot(page, `open-lab-${lang}`);
      await page.setViewportSize({ width: 360, height: 780 });
      await page.getByTestId('open-compare').waitFor({ state: 'visible' });
      await screenshot(page, `open-lab-${lang}-360`);
    });
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: a pcap lists its conversations; one opens with expert marks and replays in the model`, async () => {
    await onPage(browser, '#/open', lang, async ({ page }) => {
      await ready(page);
      await page.getByTestId('open-input').setInputFiles(RETRANS);
      await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 20_000 });
      assert.ok((await fetched(page)).some((u) => u.includes('capture_worker')));
      const rows = page.locator('[data-testid="open-conversations"] tbody tr');
      const n = await rows.count();
      assert.ok(n >= 1, `conversations: ${n}`);
      assert.match(await rows.first().innerText(), /TCP/);

      // A filter that keeps only troubled conversations, one that matches nothing, one that does not parse, then none.
      const filter = page.getByTestId('open-filter');
      await filter.fill('retrans');
      await page.locator('[data-testid="open-conversations"] tbody tr.trouble').first().waitFor();
      await filter.fill('udp port 9');
      await page.getByTestId('open-no-rows').waitFor();
      await filter.fill('port');
      await page.getByTestId('open-filter-error').waitFor();
      await filter.fill('retrans');
      const troubled = page.locator('[data-testid="open-conversations"] tbody tr.trouble').first();
      await troubled.waitFor();
      await troubled.click();
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await page.getByTestId('open-origin').innerText(), /retransmissions\.pcapng/);
      // Show the whole conversation, then look for the marks on the arrows.
      await page.getByTestId('ladder').first().evaluate(() => {});
      const marked = page.locator('[data-testid="ladder"] g.seg.warn');
      assert.ok((await marked.count()) > 0, 'expert marks on the arrows');
      const marks = (await marked.allTextContents()).join(' ');
      assert.match(marks, lang === 'zh' ? /重传/ : /retransmission/);
      // Relative sequence numbers: the SYN reads seq=0.
      const first = await page.locator('[data-testid="ladder"] g.seg').first().textContent();
      assert.match(first, /seq=0\b/);
      await screenshot(page, `open-pcap-${lang}`);

      await page.getByTestId('open-replay').click();
      await page.getByTestId('open-compare').waitFor({ state: 'visible' });
      assert.ok((await page.locator('[data-testid="compare-model"] g.seg').count()) >= 3);
      await assertComparisonAtStart(page);
      await screenshot(page, `open-pcap-replay-${lang}`);
      await page.setViewportSize({ width: 360, height: 780 });
      await screenshot(page, `open-pcap-replay-${lang}-360`);
    });
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: bad captures name the problem and the packet or block; what was read is shown`, async () => {
    await onPage(browser, '#/open', lang, async ({ page }) => {
      await ready(page);
      // Wrong magic.
      await page.getByTestId('open-input').setInputFiles(file('broken.pcap', Buffer.from('not a capture file at all')));
      let problems = await page.getByTestId('open-problems').innerText({ timeout: 15_000 });
      // Worded by the page in the reader's language, with the values the reader found.
      assert.match(problems, lang === 'zh' ? /不是 pcap 或 pcapng 文件/ : /Not a pcap or pcapng file/);
      assert.match(problems, /6e 6f 74 20/); // "not " in hex: the first bytes of this file
      assert.equal(hasCjk(problems), lang === 'zh');

      // Truncated inside a record: the packets before it are still listed.
      const good = await readFile(PCAP);
      await page.getByTestId('open-input').setInputFiles(file('cut.pcap', good.subarray(0, good.length - 30)));
      await page.getByTestId('open-summary').filter({ hasText: 'cut.pcap' }).waitFor({ timeout: 15_000 });
      problems = await page.getByTestId('open-problems').innerText();
      assert.match(problems, lang === 'zh' ? /第 \d+ 个包/ : /packet \d+/i);
      assert.match(problems, lang === 'zh' ? /文件在这个包的中间结束了/ : /The file ends inside this packet/);
      assert.equal(hasCjk(problems), lang === 'zh');
      assert.ok((await page.locator('[data-testid="open-conversations"] tbody tr').count()) >= 1);
      await screenshot(page, `open-pcap-cut-${lang}`);

      // An absurd pcapng block length after a valid section header.
      const ng = await readFile(RETRANS);
      const bad = Buffer.from(ng);
      const shbLen = bad.readUInt32LE(4);
      bad.writeUInt32LE(0x7ffffff0, shbLen + 4);
      await page.getByTestId('open-input').setInputFiles(file('absurd.pcapng', bad));
      await page.getByTestId('open-summary').filter({ hasText: 'absurd.pcapng' }).waitFor({ timeout: 15_000 });
      problems = await page.getByTestId('open-problems').innerText();
      assert.match(problems, lang === 'zh' ? /块长度 2147483632 不可能/ : /Block length 2147483632 is impossible/);
      assert.match(problems, lang === 'zh' ? /第 \d+ 个块/ : /block \d+/i);
      await screenshot(page, `open-pcap-broken-${lang}`);
      await page.setViewportSize({ width: 360, height: 780 });
      await screenshot(page, `open-pcap-broken-${lang}-360`);

      // The page still works: a good file after the bad ones opens.
      await page.getByTestId('open-input').setInputFiles(PCAP);
      await page.getByTestId('open-summary').filter({ hasText: 'handshake_data_close.pcap' }).waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="open-conversations"] tbody tr').first().click();
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
    });
  });
}

test('en: a 100,000-packet capture is read in the worker and drawn on a zoomable canvas', async () => {
  await onPage(browser, '#/open', 'en', async ({ page }) => {
    await ready(page);
    const big = oneConnectionPcap(100_000);
    const start = Date.now();
    await page.getByTestId('open-input').setInputFiles(file('bulk-100k.pcap', big));
    // The progress bar shows while the worker reads.
    await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 120_000 });
    const parseMs = Date.now() - start;
    assert.match(await page.getByTestId('open-summary').innerText(), /100000 frames/);
    const t1 = Date.now();
    await page.locator('[data-testid="open-conversations"] tbody tr').first().click();
    const canvas = page.getByTestId('ladder-canvas');
    await canvas.waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="ladder-canvas"]')?.dataset.drawn);
    const openMs = Date.now() - t1;
    assert.equal(await page.getByTestId('ladder').count(), 0, 'no SVG ladder for 100k packets');
    const span0 = Number(await canvas.getAttribute('data-span-us'));
    const frames = [Number(await canvas.getAttribute('data-frame-ms'))];
    // Zoom in with the button and the wheel, pan by dragging; each redraw reports its time.
    for (let i = 0; i < 6; i += 1) {
      await page.getByTestId('zoom-in').click();
      await page.waitForFunction((s) => Number(document.querySelector('[data-testid="ladder-canvas"]').dataset.spanUs) < s,
        Number(await canvas.getAttribute('data-span-us')) + 0.5);
      frames.push(Number(await canvas.getAttribute('data-frame-ms')));
    }
    const span1 = Number(await canvas.getAttribute('data-span-us'));
    assert.ok(span1 < span0 / 50, `zoomed: ${span0} → ${span1} µs`);
    await screenshot(page, 'open-big-zoomed-en');
    await page.getByTestId('zoom-fit').click();
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 8; i += 1) {
      const before = Number(await canvas.getAttribute('data-span-us'));
      await page.mouse.wheel(0, -200);
      await page.waitForFunction((s) => Number(document.querySelector('[data-testid="ladder-canvas"]').dataset.spanUs) < s, before);
      frames.push(Number(await canvas.getAttribute('data-frame-ms')));
    }
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 150, { steps: 5 });
    await page.mouse.up();
    frames.push(Number(await canvas.getAttribute('data-frame-ms')));
    await screenshot(page, 'open-big-en');
    frames.sort((a, b) => a - b);
    // Figures for the report (timing is reported, never asserted).
    console.log(`100k capture: ${(big.length / 1e6).toFixed(1)} MB, read+analysed and listed in ${parseMs} ms, `
      + `conversation opened on the canvas in ${openMs} ms; canvas frame: median ${frames[frames.length >> 1]} ms, `
      + `max ${frames[frames.length - 1]} ms over ${frames.length} redraws`);
  });
});

test('en: a 100,000-packet capture of 500 connections lists them, filters, and opens one', async () => {
  // ~102 MB: written to a temporary file (Playwright hands large files over by path).
  const dir = await mkdtemp(join(tmpdir(), 'synack-open-'));
  const path = join(dir, 'bulk-100k.pcap');
  await writeFile(path, bulkPcap(100_000));
  const { page, context, errors } = await openRoute(browser, '#/open', 'en');
  try {
    await ready(page);
    await page.getByTestId('open-input').setInputFiles(path);
    await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 180_000 });
    const summary = await page.getByTestId('open-summary').innerText();
    const m = summary.match(/(\d+) frames, (\d+) TCP\/UDP packets, (\d+) conversations/);
    assert.ok(m, summary);
    assert.ok(Number(m[1]) >= 100_000 && Number(m[1]) < 100_010, summary);
    assert.equal(m[1], m[2], 'every frame is a TCP packet');
    const rows = page.locator('[data-testid="open-conversations"] tbody tr');
    const total = Number(m[3]);
    assert.ok(total > 400, summary);
    // The list comes a page (200 rows) at a time; the rest on request.
    assert.equal(await rows.count(), 200);
    assert.match(await page.getByTestId('open-more').innerText(), new RegExp(`Showing 200 of ${total} conversations`));
    await page.getByTestId('open-more-button').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="open-conversations"] tbody tr').length === 400);
    assert.equal(await page.locator('[data-testid="conv-399"]').count(), 1, 'rows in order');
    // About 1 % of segments are retransmitted: a filter keeps the troubled ones only.
    const filter = page.getByTestId('open-filter');
    await filter.fill('retrans');
    await page.waitForFunction(() => {
      const trs = [...document.querySelectorAll('[data-testid="open-conversations"] tbody tr')];
      return trs.length > 0 && trs.every((tr) => tr.classList.contains('trouble'));
    });
    const troubled = await rows.count();
    assert.ok(troubled > 0 && troubled <= 200, `troubled rows: ${troubled}`);
    await screenshot(page, 'open-bulk-list-en');
    // A connection picked from the filtered list opens in the ladder, from its first packet.
    await rows.first().click();
    await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await page.getByTestId('open-origin').innerText(), /bulk-100k\.pcap #\d+/);
    const marked = await page.locator('[data-testid="ladder"] g.seg.warn').allTextContents();
    assert.match(marked.join(' '), /retransmission/);
    const first = await page.locator('[data-testid="ladder"] g.seg').first().textContent();
    assert.match(first, /seq=0\b/, 'relative sequence numbers from the SYN');
    await screenshot(page, 'open-bulk-en');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a new file that fails replaces the previous one; a local file offers no link to copy', async () => {
  await onPage(browser, '#/open', 'en', async ({ page }) => {
    const warnings = [];
    page.on('console', (m) => {
      if (/deprecated/i.test(m.text())) warnings.push(m.text());
    });
    await ready(page);
    await page.getByTestId('open-input').setInputFiles(PCAP);
    await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 20_000 });
    // One conversation in this capture: counted in the singular.
    const summary = await page.locator('[data-testid="page-open"]').innerText();
    assert.match(summary, /\b1 conversation\b/);
    assert.doesNotMatch(summary, /\b1 conversations\b/);
    await page.locator('[data-testid="open-conversations"] tbody tr').first().click();
    await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.host-panel').first().waitFor({ timeout: 10_000 });
    for (const t of await page.locator('.host-panel').allInnerTexts()) {
      assert.doesNotMatch(t, /:(\d+)\s+:\1\b/, `a port written twice: ${t}`);
    }
    assert.equal(await page.getByTestId('copy-link').count(), 0, 'no "Copy link" for a local file');
    assert.equal(await page.getByTestId('copy-embed').count(), 0, 'no embed code for a local file');
    await page.getByTestId('open-input').setInputFiles(file('notes.txt', Buffer.from('hello')));
    await page.getByTestId('open-error').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('open-conversations').count(), 0, 'the old table is gone');
    assert.equal(await page.getByTestId('ladder').count(), 0, 'the old ladder is gone');
    // The capture worker starts without wasm-bindgen's deprecation warning.
    assert.deepEqual(warnings, []);
  });
});

for (const lang of flowLangs()) {
  test(`${lang}: a scene's case opens its kernel recording beside the model's run of the same scenario`, async () => {
    await onPage(browser, '#/teardown', lang, { params: { case: 'abort' } }, async ({ page }) => {
      await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
      await page.getByTestId('kernel-recording').click();
      await page.getByTestId('open-compare').waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(await page.getByTestId('open-origin').innerText(), /6\.18/);
      assert.ok((await page.locator('[data-testid="compare-recorded"] g.seg').count()) >= 5, 'the kernel run');
      assert.ok((await page.locator('[data-testid="compare-model"] g.seg').count()) >= 5, 'the model run');
      assert.match(await page.getByTestId('diff-verdict').innerText(), lang === 'zh' ? /有差异|一致/ : /differ|agree/);
      await screenshot(page, `open-recording-${lang}`);
    });
  });
}
