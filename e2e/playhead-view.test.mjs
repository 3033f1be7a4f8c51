// The view follows the playhead, not only while playing: a scene opened by a link at a moment
// shows that moment, and stepping, the start and end keys and the timeline's slider bring the
// playhead into view, where a reader sees it (inside the diagram's box, the window, above the
// controls). The window scene opened at its end (61.4 s) showed 380–430 ms and the fold, the
// playhead under the controls stuck to the window's bottom; the backlog's and sticky's ends too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, drawn, frames, playheadInView, SCENES } from './lib.mjs';

const browser = useBrowser();

// A laptop, a shorter one and a projector, each in one language (both languages are laid out
// alike; one-screen.test.mjs walks both at every size).
const SIZES = [
  [{ width: 1366, height: 768 }, 'en'],
  [{ width: 1280, height: 800 }, 'zh'],
  [{ width: 1920, height: 1080 }, 'zh'],
];

/** The playhead's time (µs) at each scene's last step, by route: read once, by the first size's
 * test (the trace, and so its end, is the same at every size and in both languages: the page
 * draws what the model computed from the scene's parameters). */
const ends = new Map();

/** The playhead's time (µs) at the scene's last step: the end key's. */
async function lastStep(route, lang, viewport) {
  if (ends.has(route)) return ends.get(route);
  let t;
  await onPage(browser, route, lang, { viewport }, async ({ page }) => {
    await drawn(page);
    await page.keyboard.press(']');
    await page.waitForFunction(() => document.querySelector('[data-testid="player"]')?.dataset.t !== '0');
    t = Number(await page.getByTestId('player').getAttribute('data-t'));
  });
  ends.set(route, t);
  return t;
}

/** Two frames for the render, one more for the scroll it asks of the next frame. */
const settled = async (page) => {
  await frames(page);
  await frames(page);
};

for (const [viewport, lang] of SIZES) {
  test(`${viewport.width}×${viewport.height} ${lang}: opened by a link at its last step, and moved by the keys and the slider, every scene shows its playhead`, async () => {
    const found = [];
    for (const [route, id] of SCENES) {
      const end = await lastStep(route, lang, viewport);
      await onPage(browser, route, lang, { viewport, params: { t: String(end / 1e6) } }, async ({ page }) => {
        await drawn(page);
        await page.waitForSelector('[data-testid="hosts"] .host-panel');
        await page.waitForSelector('[data-testid="play"]');
        await settled(page);
        const where = (what) => `${id}: ${what}`;
        const check = async (what) => {
          for (const p of await playheadInView(page)) found.push(`${where(what)}: ${p}`);
        };
        assert.equal(Number(await page.getByTestId('player').getAttribute('data-t')), end, where('opened at the link\'s moment'));
        await check(`opened at its end (${end / 1e6} s)`);
        // The keyboard: to the start, a few steps, back to the end.
        await page.keyboard.press('[');
        await settled(page);
        await check('at the start ([)');
        for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowRight');
        await settled(page);
        await check('four steps in (→)');
        await page.keyboard.press(']');
        await settled(page);
        await check('at the end (])');
        // The timeline's slider, by the keyboard (Home, End, a step back from the end).
        const scrub = page.getByTestId('scrub');
        await scrub.focus();
        await page.keyboard.press('Home');
        await settled(page);
        await check('the slider at its start (Home)');
        await page.keyboard.press('End');
        await settled(page);
        await check('the slider at its end (End)');
        // The slider dragged to the middle of the run.
        const box = await scrub.boundingBox();
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        await settled(page);
        await check('the slider clicked at its middle');
        assert.equal(await page.evaluate(() => scrollY), 0, where('nothing scrolled the page'));
      });
    }
    assert.deepEqual(found, [], found.join('\n'));
  });
}
