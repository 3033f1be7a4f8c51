// End-to-end tests of handouts (src/engine/handout.rs, static/full/print.css), in Chinese and
// English: "Export SVG/PNG" and "Print / PDF" give the whole scene, not the frame at the
// playhead: every segment's label, the title, case, parameters, the legend, and the step
// explanations as numbered footnotes keyed to numbered arrows; TCP vs UDP with both ladders.
// Handouts are drawn by the full build, so each scene is opened from a full-build page.
// Files to look at land in target/screenshots/ (handout-*.svg/png/pdf and the print preview).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, openRoute, screenshot, hasCjk, LANGS, SCREENSHOTS } from './lib.mjs';

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('[data-testid="player"] [data-testid="segment"]', { timeout: 15_000 });
  await page.waitForSelector('[data-testid="export-svg"]', { timeout: 15_000 });
}

/** Opens `hash` in the full build (from the sticky-packets scene, a full-build page). */
async function openInFull(lang, hash) {
  const opened = await openRoute(browser, '#/sticky', lang);
  await ready(opened.page);
  await opened.page.evaluate((h) => { location.hash = h; }, hash);
  // The page may rewrite the query (its own defaults); the route is what must have changed.
  await opened.page.waitForFunction((route) => location.hash.split('?')[0] === route, hash.split('?')[0]);
  await opened.page.waitForFunction(() => document.querySelectorAll('[data-testid="player"]').length === 1);
  await ready(opened.page);
  await opened.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  return opened;
}

/** Every arrow's label text as the page holds it (also the arrows of the future). */
const labelsOnPage = (page) => page.evaluate(() =>
  [...document.querySelectorAll('[data-export] [data-testid="segment"]')]
    .map((g) => [...g.querySelectorAll('text')].map((t) => t.textContent).join(' ').trim()));

/** The same, out of an SVG document's text. */
function labelsInSvg(svg) {
  const out = [];
  for (const m of svg.matchAll(/<g class="seg[^"]*"[^>]*data-testid="segment">([\s\S]*?)<\/g>/g)) {
    const texts = [...m[1].matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((t) => t[1].replace(/<[^>]+>/g, ''));
    out.push(texts.join(' ').trim().replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  }
  return out;
}

async function download(page, testid) {
  const [d] = await Promise.all([
    page.waitForEvent('download', { timeout: 15_000 }),
    page.getByTestId(testid).click(),
  ]);
  return readFile(await d.path());
}

async function keep(name, body) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await writeFile(join(SCREENSHOTS, name), body);
}

for (const lang of LANGS) {
  test(`handout (${lang}): the SVG export is the whole scene with title, case, parameters, legend and numbered footnotes`, async () => {
    const { page, context, errors } = await openInFull(lang, `#/handshake?case=syn-ack-lost&lang=${lang}`);
    try {
      // At the start: on screen nothing has happened yet, the handout still has everything.
      await page.keyboard.press('[');
      const onPage = await labelsOnPage(page);
      assert.ok(onPage.length >= 5, `segments on the page: ${onPage.length}`);
      const svg = (await download(page, 'export-svg')).toString('utf8');
      await keep(`handout-handshake-${lang}.svg`, svg);
      assert.deepEqual(labelsInSvg(svg), onPage, 'every segment, with its label');
      // Nothing hidden: no clip cutting the ladder at the playhead, no playhead line.
      assert.ok(!/clip-path=/.test(svg), 'no clip');
      assert.ok(!/class="playhead"/.test(svg), 'no playhead');
      const title = lang === 'zh' ? '三次握手' : 'handshake';
      assert.ok(svg.toLowerCase().includes(title.toLowerCase()), 'the title');
      assert.ok(svg.includes(lang === 'zh' ? '情形：SYN-ACK 丢失' : 'Case: SYN-ACK lost'), 'the case');
      assert.ok(svg.includes(lang === 'zh' ? '单程延迟 20 ms' : 'one-way delay 20 ms'), 'the parameters');
      // The legend names each kind drawn, and the loss.
      const from = svg.indexOf('<g class="ho-legend"');
      const legend = svg.slice(from, svg.indexOf('class="ho-note"', from));
      for (const k of ['SYN', 'SYN-ACK', 'ACK']) assert.ok(legend.includes(`>${k}<`), `legend: ${k}`);
      assert.ok(legend.includes(lang === 'zh' ? '✕ 丢失' : '✕ lost'), 'legend: lost');
      // Footnotes 1..n, each number drawn on an arrow.
      const nums = [...svg.matchAll(/<g class="ho-num" data-note="(\d+)">/g)].map((m) => Number(m[1]));
      const notes = [...svg.matchAll(/<tspan class="n">(\d+)\. /g)].map((m) => Number(m[1]));
      assert.ok(notes.length >= 4, `footnotes: ${notes}`);
      assert.deepEqual(notes, notes.map((_, i) => i + 1), 'numbered 1..n');
      assert.ok(nums.length >= notes.length - 1 && nums.every((n) => notes.includes(n)), `numbers on arrows ${nums} for notes ${notes}`);
      // The footnotes are the teaching paragraphs, in the page's language.
      const retry = lang === 'zh' ? '服务器重发 SYN-ACK，回应重复的 SYN' : 'The server resends its SYN-ACK in answer to the repeated SYN';
      assert.ok(svg.includes(retry), 'the retry is explained');
      if (lang === 'zh') assert.ok(hasCjk(svg));

      const png = await download(page, 'export-png');
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      await keep(`handout-handshake-${lang}.png`, png);
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test(`handout (${lang}): Print / PDF prints the whole scene on A4 and Letter`, async () => {
    const { page, context, errors } = await openInFull(lang, `#/teardown?case=last-ack-lost&lang=${lang}`);
    try {
      await page.keyboard.press('[');
      const onPage = await labelsOnPage(page);
      // window.print() would open a dialog: count the call instead.
      await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
      await page.getByTestId('print').click();
      assert.equal(await page.evaluate(() => window.__printed), 1, 'print() called once');
      await page.emulateMedia({ media: 'print' });
      const handout = page.getByTestId('print-handout');
      await handout.waitFor({ state: 'visible' });
      assert.ok(!(await page.getByTestId('player').isVisible()), 'the page itself is not printed');
      const printed = await page.evaluate(() =>
        [...document.querySelectorAll('#print-handout [data-testid="segment"]')]
          .map((g) => [...g.querySelectorAll('text')].map((t) => t.textContent).join(' ').trim()));
      assert.deepEqual(printed, onPage, 'every segment, with its label');
      const text = await handout.innerText();
      const legend = await page.locator('#print-handout [data-testid="handout-legend"]').textContent();
      for (const k of ['SYN', 'ACK', 'FIN']) assert.ok(legend.includes(k), `legend: ${k}`);
      assert.ok(text.includes(lang === 'zh' ? '情形' : 'Case:'), 'the case');
      assert.ok(text.includes('TIME-WAIT'), 'the explanations');
      const items = await page.locator('#print-handout .ho-notes li').count();
      assert.ok(items >= 5, `footnotes: ${items}`);
      // Inside the page's width: nothing cut at the right edge.
      const box = await page.locator('#print-handout svg.handout').boundingBox();
      const width = await page.evaluate(() => document.documentElement.clientWidth);
      assert.ok(box.x >= 0 && box.x + box.width <= width + 1, `diagram ${box.x}+${box.width} in ${width}`);
      await screenshot(page, `handout-print-teardown-${lang}`);
      for (const format of ['A4', 'Letter']) {
        const pdf = await page.pdf({ format, printBackground: true, tagged: true });
        await keep(`handout-teardown-${lang}-${format}.pdf`, pdf);
        assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
        const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
        assert.ok(pages >= 1 && pages <= 6, `${format}: ${pages} pages`);
      }
      // After printing the handout goes away: the browser's own print prints the page again.
      await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
      assert.equal(await page.getByTestId('print-handout').count(), 0);
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });
}

test('handout: the TCP-vs-UDP export holds both ladders with every segment', async () => {
  const { page, context, errors } = await openInFull('en', '#/tcp-vs-udp?lang=en');
  try {
    const onPage = await labelsOnPage(page);
    const svg = (await download(page, 'export-svg')).toString('utf8');
    await keep('handout-tcp-vs-udp-en.svg', svg);
    assert.equal((svg.match(/<svg[^>]*class="lad"/g) ?? []).length, 2, 'two ladders');
    assert.ok(/class="ho-col"[^>]*>TCP<\/text>/.test(svg) && /class="ho-col"[^>]*>UDP<\/text>/.test(svg), 'column titles');
    assert.deepEqual(labelsInSvg(svg), onPage, 'every segment of both');
    assert.ok(svg.includes('UDP len=') && svg.includes('SYN seq=0'));
    const png = await download(page, 'export-png');
    await keep('handout-tcp-vs-udp-en.png', png);
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});
