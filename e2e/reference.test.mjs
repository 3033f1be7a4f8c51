// Reference pages (#/ref/tcp-udp, #/ref/ports, #/ref/osi) in Chinese and English: the port
// search finds by number, name and protocol; every TCP/UDP table row links to a scene that
// opens; the OSI animation steps, and its numbers are the header arithmetic's. Screenshots at
// desktop and phone width go to target/screenshots/ref-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, collectErrors, holdRoute, routeUrl, baseUrl, screenshot, hasCjk, SCENES, flowLangs } from './lib.mjs';

const PHONE = { width: 360, height: 740 };

const browser = useBrowser();

/** Port numbers of the visible table rows, in order. */
async function portRows(page) {
  const ids = await page.locator('[data-testid^="port-row-"]').evaluateAll((rows) =>
    rows.map((r) => r.dataset.testid),
  );
  return ids.map((id) => Number(id.slice('port-row-'.length)));
}

async function search(page, text) {
  await page.getByTestId('port-search').fill(text);
  // The count line re-renders with the filter; wait until the table reflects the text.
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid="port-search"]').value === t,
    text,
  );
}

for (const lang of flowLangs()) {
  test(`ports: search by number, name and protocol (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/ref/ports', lang);
    try {
      await page.getByTestId('page-ref-ports').waitFor({ timeout: 15_000 });
      // Its descriptions are a file the page fetches when it opens (src/texts.rs).
      await page.waitForSelector('[data-testid=page-ref-ports][data-words=in]', { timeout: 15_000 });
      const all = await portRows(page);
      assert.ok(all.length >= 60, `only ${all.length} rows`);
      assert.ok([21, 443, 1024, 5554, 8080, 6379, 27017].every((n) => all.includes(n)));
      await screenshot(page, `ref-ports-${lang}`);

      await search(page, '80');
      let rows = await portRows(page);
      assert.equal(rows[0], 80, `exact match first: ${rows}`);
      assert.ok(rows.includes(8080) && !rows.includes(443), `${rows}`);

      await search(page, 'redis');
      assert.deepEqual(await portRows(page), [6379]);
      const desc = await page.getByTestId('port-row-6379').innerText();
      assert.equal(hasCjk(desc), lang === 'zh', `description language: ${desc}`);

      await search(page, 'SSH');
      assert.equal((await portRows(page))[0], 22);

      await search(page, 'udp');
      rows = await portRows(page);
      assert.ok(rows.includes(53) && rows.includes(67) && !rows.includes(22), `${rows}`);

      // The protocol chips filter too, and combine with the text.
      await search(page, 'dns');
      await page.getByTestId('proto-tcp').click();
      rows = await portRows(page);
      assert.ok(rows.includes(53) && rows.includes(853) && !rows.includes(5353), `${rows}`);
      await page.getByTestId('proto-all').click();

      await search(page, 'no-such-service');
      await page.getByTestId('port-none').waitFor();
      assert.equal((await portRows(page)).length, 0);

      await page.setViewportSize(PHONE);
      await search(page, '');
      await screenshot(page, `ref-ports-${lang}-360`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page scrolls sideways at 360 px by ${overflow}px`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  // The descriptions come after the first paint (words/ref-ports.tsv): held back, the page says
  // so and its search box already finds numbers, names and protocols from the keyboard; the
  // descriptions' words once they are in. Blocked, the page names the file and the table and
  // the search by number, name and protocol still work.
  test(`ports: a loading notice, a search that works meanwhile, and a notice if the descriptions cannot be had (${lang})`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const errors = collectErrors(page);
      const release = await holdRoute(page, '**/words/ref-ports.tsv');
      await page.goto(routeUrl(await baseUrl(), '#/ref/ports', lang), { waitUntil: 'load' });
      await page.getByTestId('ports-loading').waitFor({ timeout: 15_000 });
      assert.equal(await page.getByTestId('page-ref-ports').getAttribute('data-words'), 'loading');
      const said = await page.getByTestId('ports-loading').innerText();
      assert.equal(hasCjk(said), lang === 'zh', said);
      // From the keyboard: Tab reaches the search box (nothing disabled), typing filters.
      for (let k = 0; k < 12 && !(await page.getByTestId('port-search').evaluate((e) => e === document.activeElement)); k++) {
        await page.keyboard.press('Tab');
      }
      assert.ok(await page.getByTestId('port-search').evaluate((e) => e === document.activeElement), 'Tab reaches the search box');
      await page.keyboard.type('redis');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid^="port-row-"]').length === 1);
      assert.deepEqual(await portRows(page), [6379]);
      // A word of a description only (Telnet's "replaced by SSH") is found once they are in.
      await search(page, lang === 'zh' ? '取代' : 'replaced');
      await page.getByTestId('port-none').waitFor();
      await screenshot(page, `ref-ports-${lang}-loading`);
      release();
      await page.waitForSelector('[data-testid=page-ref-ports][data-words=in]', { timeout: 15_000 });
      await page.waitForFunction(() => document.querySelector('[data-testid="port-row-23"]'));
      assert.equal(await page.getByTestId('ports-loading').count(), 0);
      assert.deepEqual(errors, []);
      await page.close();

      const blocked = await context.newPage();
      const blockedErrors = collectErrors(blocked);
      await blocked.route('**/words/ref-ports.tsv', (r) => r.abort());
      await blocked.goto(routeUrl(await baseUrl(), '#/ref/ports', lang), { waitUntil: 'load' });
      await blocked.waitForSelector('[data-testid=page-ref-ports][data-words=failed]', { timeout: 30_000 });
      const notice = blocked.getByTestId('text-error');
      assert.equal(await notice.getAttribute('data-file'), 'ref-ports');
      const text = await notice.innerText();
      assert.match(text, /words\/ref-ports\.tsv/);
      assert.equal(hasCjk(text), lang === 'zh', text);
      await search(blocked, '443');
      assert.equal((await portRows(blocked))[0], 443);
      await screenshot(blocked, `ref-ports-${lang}-no-descriptions`);
      assert.deepEqual(blockedErrors.filter((e) => !/words\/ref-ports\.tsv/.test(e)), [], 'no error but the aborted file');
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`tcp-udp: every row links to a scene that opens (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/ref/tcp-udp', lang);
    try {
      const main = page.getByTestId('page-ref-tcp-udp');
      await main.waitFor({ timeout: 15_000 });
      // Its tables' words are a file the page fetches when it opens (src/texts.rs).
      await page.waitForSelector('[data-testid=page-ref-tcp-udp][data-words=in]', { timeout: 15_000 });
      const rows = page.locator('[data-testid^="tcpudp-row-"]');
      assert.equal(await rows.count(), 10);
      for (const id of ['connection', 'duplex', 'reliability', 'ordering', 'boundaries', 'congestion', 'speed', 'weight', 'header']) {
        const links = page.getByTestId(`tcpudp-row-${id}`).locator('a.scene-link');
        assert.ok((await links.count()) >= 1, `row ${id} has no scene link`);
      }
      const hrefs = await page.locator('[data-testid^="tcpudp-row-"] a.scene-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const [h] of SCENES) {
        assert.ok(hrefs.includes(h), `no row links ${h}: ${hrefs}`);
      }
      // A common table's loose wording is corrected where it matters.
      const fix = await page.getByTestId('tcpudp-fix-ordering').innerText();
      assert.ok(lang === 'zh' ? fix.includes('序号') : /sequence number/.test(fix), fix);
      await screenshot(page, `ref-tcp-udp-${lang}`);
      await page.setViewportSize(PHONE);
      await screenshot(page, `ref-tcp-udp-${lang}-360`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page scrolls sideways at 360 px by ${overflow}px`);

      // Following a row's link opens that scene, not the not-found page.
      await page.getByTestId('tcpudp-row-connection').getByTestId('scene-link-handshake').click();
      await page.getByTestId('page-handshake').waitFor({ timeout: 15_000 });
      await page.goBack();
      await main.waitFor();
      await page.getByTestId('tcpudp-row-boundaries').getByTestId('scene-link-sticky').click();
      await page.getByTestId('page-sticky').waitFor({ timeout: 15_000 });
      assert.equal(await page.getByTestId('not-found').count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`osi: the animation steps down, across and up (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/ref/osi', lang);
    try {
      await page.getByTestId('page-ref-osi').waitFor({ timeout: 15_000 });
      // The layer table's data units are a file the page fetches when it opens (src/texts.rs);
      // the animation does not wait for it.
      await page.waitForSelector('[data-testid=page-ref-osi][data-words=in]', { timeout: 15_000 });
      assert.equal(await page.locator('[data-testid^="osi-layer-"]').count(), 7);
      const pdu = await page.getByTestId('osi-layer-2').locator('td').last().innerText();
      assert.equal(pdu, lang === 'zh' ? '帧' : 'frame', 'the fetched words fill the table');
      const anim = page.getByTestId('osi-anim');
      const size = page.getByTestId('osi-size');
      const expected = [47, 67, 87, 105, 105, 105, 87, 67, 47];
      assert.equal(await anim.getAttribute('data-step'), '0');
      const seen = [];
      for (let i = 0; i < expected.length; i++) {
        assert.equal(await anim.getAttribute('data-step'), String(i));
        seen.push(parseInt(await size.innerText(), 10));
        if (i === 3) await screenshot(page, `ref-osi-${lang}-frame`);
        if (i < expected.length - 1) await page.getByTestId('osi-next').click();
      }
      assert.deepEqual(seen, expected);
      assert.ok(await page.getByTestId('osi-next').isDisabled());
      const narration = await page.getByTestId('osi-narration').innerText();
      assert.equal(hasCjk(narration), lang === 'zh', narration);
      await page.getByTestId('osi-prev').click();
      assert.equal(await anim.getAttribute('data-step'), '7');
      await page.getByTestId('osi-first').click();
      assert.equal(await anim.getAttribute('data-step'), '0');

      // Play advances by itself; pause holds it.
      await page.getByTestId('osi-play').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="osi-anim"]').dataset.step !== '0', null, { timeout: 5_000 });
      await page.getByTestId('osi-play').click();
      const held = await anim.getAttribute('data-step');
      await page.waitForTimeout(2_000);
      assert.equal(await anim.getAttribute('data-step'), held, 'pause did not hold');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`osi: deep link to a step, phone width, reduced motion (${lang})`, async () => {
    const context = await browser.newContext({
      viewport: PHONE,
      locale: lang === 'zh' ? 'zh-CN' : 'en-US',
      reducedMotion: 'reduce',
    });
    try {
      const page = await context.newPage();
      const { baseUrl, routeUrl, collectErrors } = await import('./lib.mjs');
      const errors = collectErrors(page);
      await page.goto(routeUrl(await baseUrl(), '#/ref/osi', lang, { step: '4' }));
      const anim = page.getByTestId('osi-anim');
      await anim.waitFor({ timeout: 15_000 });
      assert.equal(await anim.getAttribute('data-step'), '3');
      assert.equal(parseInt(await page.getByTestId('osi-size').innerText(), 10), 105);
      const transition = await page.getByTestId('osi-token').evaluate((g) => getComputedStyle(g).transitionDuration);
      assert.equal(transition, '0s', 'reduced motion still glides');
      await screenshot(page, `ref-osi-${lang}-360`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page scrolls sideways at 360 px by ${overflow}px`);
      // A bad step falls back to the first.
      await page.goto(routeUrl(await baseUrl(), '#/ref/osi', lang, { step: 'zz' }));
      // Reloaded once its words are in (a reload cancels the words file's request).
      await page.waitForSelector('[data-testid=page-ref-osi][data-words=in]', { timeout: 15_000 });
      await page.reload();
      await anim.waitFor();
      assert.equal(await anim.getAttribute('data-step'), '0');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
