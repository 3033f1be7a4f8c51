// End-to-end tests of #/open: a trace JSON and a pcap chosen through the file input end up in
// the same player and ladder as the scenes; broken files give a message and the page keeps
// working. Screenshots (zh and en) under target/screenshots/open-*.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  launch, openRoute, screenshot, stopServer, hasCjk, LANGS, ROOT,
} from './lib.mjs';

const TRACE = join(ROOT, 'e2e', 'data', 'handshake-model.json');
const PCAP = join(ROOT, 'crates', 'capture', 'tests', 'data', 'handshake_data_close.pcap');

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopServer();
});

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  await page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 15_000 });
}

/** Names of the scripts and wasm files the page has fetched so far. */
function fetched(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
}

for (const lang of LANGS) {
  test(`${lang}: a trace JSON opens in the player; a broken one gives the message`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/open', lang);
    try {
      await ready(page);
      const privacy = await page.getByTestId('open-privacy').innerText();
      assert.equal(hasCjk(privacy), lang === 'zh');
      // Nothing of the capture reader is loaded before a capture is opened.
      assert.ok(!(await fetched(page)).some((u) => u.includes('capture_worker')));

      await page.getByTestId('open-input').setInputFiles(TRACE);
      await page.getByTestId('ladder').waitFor({ state: 'visible', timeout: 15_000 });
      const origin = await page.getByTestId('open-origin').innerText();
      assert.match(origin, /handshake/);
      assert.ok((await page.locator('[data-testid="ladder"] g.segs').count()) > 0);
      assert.ok(!(await fetched(page)).some((u) => u.includes('capture_worker')));
      await screenshot(page, `open-trace-${lang}`);

      // A JSON that is not a trace: the reason is shown, the previous trace stays usable.
      await page.getByTestId('open-input').setInputFiles({
        name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}'),
      });
      const err = await page.getByTestId('open-error').innerText();
      assert.match(err, /broken\.json/);
      assert.match(err, /version/);
      await page.getByTestId('ladder').waitFor({ state: 'visible' });
      await screenshot(page, `open-trace-error-${lang}`);

      // A file of neither kind.
      await page.getByTestId('open-input').setInputFiles({
        name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello'),
      });
      await page.getByTestId('open-error').filter({ hasText: 'notes.txt' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test(`${lang}: a pcap lists its conversations; one opens in the player; a bad one is explained`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/open', lang);
    try {
      await ready(page);
      await page.getByTestId('open-input').setInputFiles(PCAP);
      await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 20_000 });
      assert.ok((await fetched(page)).some((u) => u.includes('capture_worker')));
      const rows = page.locator('[data-testid="open-conversations"] tbody tr');
      const n = await rows.count();
      assert.ok(n >= 1, `conversations: ${n}`);
      assert.match(await rows.first().innerText(), /TCP/);

      // A filter that matches nothing, then one that does not parse, then none.
      const filter = page.getByTestId('open-filter');
      await filter.fill('udp');
      await page.getByTestId('open-no-rows').waitFor();
      await filter.fill('port');
      await page.getByTestId('open-filter-error').waitFor();
      await filter.fill('');
      await rows.first().waitFor();
      assert.equal(await rows.count(), n);

      await rows.first().click();
      await page.getByTestId('ladder').waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await page.getByTestId('open-origin').innerText(), /handshake_data_close\.pcap/);
      await screenshot(page, `open-pcap-${lang}`);

      // Bytes that are no capture at all: the reader's message, and the page keeps going.
      await page.getByTestId('open-input').setInputFiles({
        name: 'broken.pcap', mimeType: 'application/octet-stream', buffer: Buffer.from('not a capture file at all'),
      });
      const problems = await page.getByTestId('open-problems').innerText({ timeout: 15_000 });
      assert.match(problems, /magic/i);
      await screenshot(page, `open-pcap-broken-${lang}`);

      // And a good file after the bad one still opens.
      await page.getByTestId('open-input').setInputFiles(PCAP);
      await page.locator('[data-testid="open-conversations"] tbody tr').first().waitFor({ timeout: 15_000 });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
