// End-to-end tests of the UDP scene, in Chinese and English: play to the end, every
// recvfrom() is one datagram, truncation is flagged MSG_TRUNC, loss/duplicate/reordering are
// marked, n:m (many senders, multicast with SO_REUSEADDR); embeds and phones without a
// horizontal scrollbar; a screenshot of every case under target/screenshots/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, screenshot, hasCjk, flowLangs } from './lib.mjs';

const CASES = ['boundaries', 'truncation', 'unreliable', 'many-senders', 'multicast'];

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  await page.getByTestId('page-udp').waitFor({ state: 'visible', timeout: 15_000 });
  await page.getByTestId('player').waitFor({ state: 'visible', timeout: 15_000 });
}

/** The recvfrom() rows: [label text, flags] per datagram read. */
async function datagrams(page) {
  return page.locator('[data-testid="udp-received"] [data-testid="dgram"]').evaluateAll((els) =>
    els.map((e) => ({
      desc: e.querySelector('.desc').textContent,
      trunc: !!e.querySelector('[data-testid="msg-trunc"]'),
      tags: [...e.querySelectorAll('.tag')].map((t) => t.className.replace('tag', '').trim()),
    })));
}

/** Goes to the end and waits until the panel has caught up (the playhead is in the URL). */
async function toEnd(page) {
  await page.keyboard.press(']');
  await page.waitForFunction(() => /[?&]t=/.test(location.hash));
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

const msgs = (rows) => rows.map((r) => /[:：] ?(msg \d|from \d|news \d)/.exec(r.desc)?.[1]);

for (const lang of flowLangs()) {
  test(`udp (${lang}): play to the end; each case button shows its datagrams`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/udp', lang);
    try {
      await ready(page);
      const text = await page.getByTestId('page-udp').innerText();
      if (lang === 'zh') assert.ok(hasCjk(text), 'Chinese text shown');
      // Play: the playhead moves; ] goes to the end, where the narration speaks of recvfrom().
      await page.getByTestId('play').click();
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=player]').dataset.t) > 0, null, { timeout: 10_000 });
      await page.keyboard.press(']');
      await page.waitForFunction(() => document.querySelector('[data-testid=player]').dataset.playing === 'false');
      assert.ok((await page.getByTestId('narration').innerText()).trim().length > 5);

      const seen = {};
      for (const id of CASES) {
        await page.getByTestId(`case-${id}`).click();
        await page.waitForFunction((id) => new URLSearchParams(location.hash.split('?')[1]).get('case') === id, id);
        await toEnd(page);
        assert.equal(await page.locator('[data-testid="udp-received"] li.future').count(), 0, `${id}: all read by the end`);
        const rows = await datagrams(page);
        seen[id] = rows;
        await screenshot(page, `udp-${id}-${lang}`);
      }
      // Boundaries: three reads, three whole datagrams, nothing flagged.
      assert.deepEqual(msgs(seen.boundaries), ['msg 1', 'msg 2', 'msg 3']);
      assert.ok(seen.boundaries.every((r) => !r.trunc && r.tags.length === 0), JSON.stringify(seen.boundaries));
      // Truncation: both reads flagged MSG_TRUNC, 10 bytes kept, the next read is the next datagram.
      assert.deepEqual(msgs(seen.truncation), ['msg 1', 'msg 2']);
      assert.ok(seen.truncation.every((r) => r.trunc && /= 10 B/.test(r.desc)), JSON.stringify(seen.truncation));
      // Loss, duplicate, reordering: 1, 3, 3 (dup), 5, 4 (out of order); msg 2 reported lost.
      assert.deepEqual(msgs(seen.unreliable), ['msg 1', 'msg 3', 'msg 3', 'msg 5', 'msg 4']);
      assert.deepEqual(seen.unreliable.map((r) => r.tags.join()), ['', '', 'dup', '', 'ooo']);
      // n:1: three senders' datagrams on one socket, from three addresses.
      assert.equal(seen['many-senders'].length, 3);
      const froms = new Set(seen['many-senders'].map((r) => /(10\.0\.0\.\d+:\d+)/.exec(r.desc)[1]));
      assert.equal(froms.size, 3);
      // 1:m: three member sockets, two messages each.
      assert.equal(seen.multicast.length, 6);
      assert.equal(await page.locator('[data-testid="udp-received"] .rx').count(), 3);
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`udp (${lang}): truncation is flagged prominently and lost data is named`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/udp', lang, { params: { case: 'truncation' } });
    try {
      await ready(page);
      const flag = page.getByTestId('msg-trunc').first();
      await flag.waitFor({ state: 'visible' });
      assert.match(await flag.innerText(), /MSG_TRUNC.*20 B/);
      // The narration of the read says so too.
      await toEnd(page);
      const narr = await page.getByTestId('narration').innerText();
      assert.match(narr, lang === 'zh' ? /截断/ : /truncated/);
      await page.getByTestId('case-unreliable').click();
      await page.waitForFunction(() => location.hash.includes('case=unreliable'));
      assert.match(await page.getByTestId('udp-summary').innerText(), /msg 2/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`udp (${lang}): embed 640x400 and 360 px phones have no horizontal scrollbar`, async () => {
    for (const [name, viewport, params] of [
      ['embed', { width: 640, height: 400 }, { case: 'multicast', embed: '1' }],
      ['embed-phone', { width: 360, height: 640 }, { case: 'truncation', embed: '1' }],
      ['phone', { width: 360, height: 740 }, { case: 'many-senders' }],
      ['phone-trunc', { width: 360, height: 740 }, { case: 'truncation' }],
    ]) {
      const { page, context, errors } = await openRoute(browser, '#/udp', lang, { params, viewport });
      try {
        await ready(page);
        await toEnd(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth + 1);
        assert.equal(overflow, false, `${name}: horizontal scrollbar`);
        await screenshot(page, `udp-${name}-${lang}`);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
}
