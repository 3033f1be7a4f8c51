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
import { useBrowser, openRoute, screenshot, hasCjk, SCREENSHOTS, flowLangs } from './lib.mjs';

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

/** A4's and Letter's boxes inside print.css's 12 mm margins, in CSS pixels (96 per inch). */
const mm = 96 / 25.4;
const PAPER = {
  A4: { width: (210 - 24) * mm, height: (297 - 24) * mm },
  Letter: { width: 8.5 * 96 - 24 * mm, height: 11 * 96 - 24 * mm },
};

/** Under print emulation, with the window set to a paper's box: the handout's diagram is one
 * picture that a printer does not split, so it must fit one page, and every segment's label, the
 * legend and the title must lie inside it and inside the page's width. `lost`: what does not
 * (each named); `pages`: the pages the handout fills; `labels`: the segment labels measured. */
function printedGeometry(page, H) {
  return page.evaluate((H) => {
    const W = document.documentElement.clientWidth;
    const svg = document.querySelector('#print-handout svg.handout').getBoundingClientRect();
    const lost = [];
    if (svg.height > H + 1) lost.push(`the diagram is ${svg.height.toFixed(0)} px tall on a ${H.toFixed(0)} px page`);
    const inside = (r, what) => {
      const ok = r.width > 0 && r.height > 0 && r.left >= svg.left - 1 && r.right <= svg.right + 1 &&
        r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1 && r.left >= -1 && r.right <= W + 1;
      if (!ok) lost.push(`${what} at ${r.left.toFixed(0)},${r.top.toFixed(0)} ${r.width.toFixed(0)}×${r.height.toFixed(0)}`);
    };
    let labels = 0;
    for (const g of document.querySelectorAll('#print-handout [data-testid="segment"]')) {
      for (const t of g.querySelectorAll('text')) {
        labels += 1;
        inside(t.getBoundingClientRect(), `label "${t.textContent}"`);
      }
    }
    inside(document.querySelector('#print-handout [data-testid="handout-legend"]').getBoundingClientRect(), 'the legend');
    // The pages, as the printer fills them: the handout is a column of pieces none of which
    // is split (the title's lines, the diagram: one picture; each footnote: break-inside:
    // avoid), each put on the current page if it fits there whole, else at the top of the
    // next, where the space above it (its margin) is dropped.
    const root = document.getElementById('print-handout');
    const pieces = [...root.children].flatMap((el) => (el.matches('ol') ? [...el.children] : [el]))
      .map((el) => el.getBoundingClientRect()).filter((r) => r.height > 0);
    let pages = 1;
    let used = 0;
    let last = root.getBoundingClientRect().top;
    for (const r of pieces) {
      const gap = r.top - last;
      if (used > 0 && used + gap + r.height > H + 0.5) {
        pages += 1;
        used = r.height;
      } else {
        used += gap + r.height;
      }
      last = r.bottom;
    }
    return { lost, labels, pages };
  }, H);
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

for (const lang of flowLangs()) {
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
}

for (const lang of flowLangs()) {
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
      // Laid out as on the paper (the window set to the page's box inside its margins) first:
      // page.pdf() ends the print, and the handout with it.
      const needs = {};
      for (const format of ['A4', 'Letter']) {
        const paper = PAPER[format];
        await page.setViewportSize({ width: Math.floor(paper.width), height: Math.floor(paper.height) });
        // The page's height as the printer has it (the window's is whole pixels).
        const laid = await printedGeometry(page, paper.height);
        assert.deepEqual(laid.lost, [], `${format}: outside the printed page`);
        assert.ok(laid.labels >= onPage.length, `${format}: ${laid.labels} labels for ${onPage.length} segments`);
        needs[format] = laid.pages;
      }
      for (const format of ['A4', 'Letter']) {
        // page.pdf() fires `afterprint`, which takes the handout away: the second PDF printed
        // the page itself (3 Letter pages where the handout fills 2; the old check allowed one
        // page more and let it pass). Each PDF gets the handout again, as a second press would.
        if ((await page.getByTestId('print-handout').count()) === 0) await page.getByTestId('print').click();
        await page.getByTestId('print-handout').waitFor({ state: 'attached' });
        const pdf = await page.pdf({ format, printBackground: true, tagged: true });
        await keep(`handout-teardown-${lang}-${format}.pdf`, pdf);
        assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
        const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
        assert.equal(pages, needs[format], `${format}: ${pages} pages, the layout fills ${needs[format]}`);
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

// A direct link to a first-load scene (handshake, teardown, TCP vs UDP) runs the small build,
// which does not carry handouts: Export and Print load the full build there and then, say so
// while it loads (the load is held back a moment here, to see the notice), and give the same
// whole handout as the full build, not the frame on screen.
for (const lang of flowLangs()) {
  test(`handout (${lang}): Export and Print on a direct link to a first-load scene give the whole handout`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/handshake', lang, { params: { case: 'syn-ack-lost' } });
    try {
      let release;
      const held = new Promise((ok) => { release = ok; });
      await page.route('**/synack-full_bg.wasm', async (route) => { await held; await route.continue(); });
      await ready(page);
      assert.equal(await page.locator('#app-full').count(), 0, 'the first-load build runs the page');
      await page.keyboard.press('[');
      const onPage = await labelsOnPage(page);
      const [d] = await Promise.all([
        page.waitForEvent('download', { timeout: 45_000 }),
        (async () => {
          await page.getByTestId('export-svg').click();
          const notice = await page.getByTestId('export-loading').innerText();
          assert.ok(lang === 'zh' ? notice.includes('正在加载') : notice.includes('Loading the handout'), notice);
          release();
        })(),
      ]);
      const svg = (await readFile(await d.path())).toString('utf8');
      await keep(`handout-first-load-handshake-${lang}.svg`, svg);
      assert.deepEqual(labelsInSvg(svg), onPage, 'every segment, with its label');
      assert.ok(!/class="playhead"/.test(svg), 'no playhead: not the frame on screen');
      assert.ok(svg.includes(lang === 'zh' ? '情形：SYN-ACK 丢失' : 'Case: SYN-ACK lost'), 'the case');
      assert.ok(svg.includes('<g class="ho-legend"'), 'the legend');
      const notes = [...svg.matchAll(/<tspan class="n">(\d+)\. /g)].map((m) => Number(m[1]));
      assert.ok(notes.length >= 4 && notes.every((n, i) => n === i + 1), `numbered footnotes: ${notes}`);
      // The full build has the page now: PNG and Print work from it directly.
      const full = page.locator('#app-full');
      await full.getByTestId('export-png').waitFor();
      const [p] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), full.getByTestId('export-png').click()]);
      const png = await readFile(await p.path());
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });
}

test('handout: Print on a direct link to TCP vs UDP prints both whole ladders', async () => {
  const { page, context, errors } = await openRoute(browser, '#/tcp-vs-udp', 'en');
  try {
    await ready(page);
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
    const onPage = await labelsOnPage(page);
    await page.getByTestId('print').click();
    await page.waitForFunction(() => window.__printed === 1, null, { timeout: 45_000 });
    const printed = await page.evaluate(() =>
      [...document.querySelectorAll('#print-handout [data-testid="segment"]')]
        .map((g) => [...g.querySelectorAll('text')].map((t) => t.textContent).join(' ').trim()));
    assert.deepEqual(printed, onPage, 'every segment of both ladders');
    assert.equal(await page.locator('#print-handout svg.lad:not(.handout)').count(), 2, 'two ladders');
    assert.ok((await page.locator('#print-handout .ho-notes li').count()) >= 4, 'footnotes');
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await context.close();
  }
});
