// End-to-end tests of the teaching paragraphs (src/engine/teach.rs, src/scenes/teach/), in
// Chinese and English: a paragraph shows under the narration once a step is reached, it changes
// with the playhead and it is in the page's language. (That a moment no row explains shows
// nothing is a native test, src/scenes/teach/tests.rs.)
// The handshake is checked here as the full build draws it, after it has taken the page over
// (opened from the sticky-packets scene); first-screen.test.mjs checks the first load's own
// paragraphs on a link opened straight onto its scenes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, screenshot, hasCjk, LANGS } from './lib.mjs';

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('[data-testid="player"]', { state: 'visible', timeout: 15_000 });
  await page.waitForSelector('[data-testid="narration"]', { timeout: 15_000 });
}

/** The playhead as the player shows it, µs. */
const playhead = (page) => page.evaluate(() => Number(document.querySelector('[data-testid=player]').dataset.t));

/** One step forward; returns the paragraph shown then ('' for none), or null at the end. */
async function step(page) {
  const before = await playhead(page);
  await page.keyboard.press('ArrowRight');
  const moved = await page
    .waitForFunction((b) => Number(document.querySelector('[data-testid=player]').dataset.t) !== b, before, { timeout: 5_000 })
    .then(() => true, () => false);
  if (!moved) return null;
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const el = page.getByTestId('teach');
  return (await el.count()) ? (await el.innerText()).trim() : '';
}

/** Every distinct paragraph met while stepping through the first `n` steps. */
async function paragraphs(page, n) {
  const seen = [];
  for (let i = 0; i < n; i++) {
    const p = await step(page);
    if (p === null) break;
    if (p && seen[seen.length - 1] !== p) seen.push(p);
  }
  return seen;
}

function inLanguage(lang, texts) {
  for (const t of texts) {
    if (lang === 'zh') assert.ok(hasCjk(t), `Chinese paragraph: ${t}`);
    else assert.ok(!hasCjk(t), `English paragraph: ${t}`);
  }
}

for (const lang of LANGS) {
  test(`teaching paragraphs (${lang}): shown under the narration, changing with the playhead`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/sticky', lang, { params: { case: 'd' } });
    try {
      await ready(page);
      // At time 0 the first moment (listen() and the SYN) is already explained, inside the
      // narration, on screen.
      const first = (await page.getByTestId('teach').innerText()).trim();
      assert.ok(first.length > 20, first);
      const box = await page.getByTestId('teach').boundingBox();
      assert.ok(box && box.height > 10, 'the paragraph has a box');
      assert.equal(await page.locator('[data-testid=narration] [data-testid=teach]').count(), 1);
      const sticky = [first, ...(await paragraphs(page, 8)).filter((p, i) => i > 0 || p !== first)];
      assert.ok(sticky.length >= 3, `different paragraphs in the first steps: ${JSON.stringify(sticky)}`);
      inLanguage(lang, sticky);

      // Back to the start, one step on and one back: the first paragraph again (a pure function
      // of the playhead).
      await page.keyboard.press('[');
      await step(page);
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=player]').dataset.t) === 0);
      await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
      assert.equal((await page.getByTestId('teach').innerText()).trim(), first);
      await screenshot(page, `teach-sticky-${lang}`);

      // The handshake, drawn by the full build now: the SYN-lost case explains the retry.
      await page.evaluate((lang) => { location.hash = `#/handshake?case=syn-lost&lang=${lang}`; }, lang);
      // The sticky page's player is still there until the full build draws the handshake: wait
      // for the handshake's own page, its words in and the case chosen, or the steps below walk
      // the sticky scene's handshake instead (a flake seen in CI on a loaded machine).
      await page.waitForSelector('[data-testid=page-handshake][data-words=in] [data-testid=case-syn-lost][aria-pressed=true]', { timeout: 15_000 });
      await ready(page);
      await page.keyboard.press('['); // to the start
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=player]').dataset.t) === 0);
      const hs = await paragraphs(page, 6);
      inLanguage(lang, hs);
      const retry = lang === 'zh' ? /重发 SYN/ : /sends the SYN again/;
      assert.ok(hs.some((p) => retry.test(p)), `the retry is explained: ${JSON.stringify(hs)}`);
      assert.ok(hs.length >= 3, JSON.stringify(hs));
      await screenshot(page, `teach-handshake-${lang}`);
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });
}
