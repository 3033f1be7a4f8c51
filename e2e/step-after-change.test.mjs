// A Step pressed right after a new case or knob value is a step of the new situation. The
// scene asks its player to go back to the start of a new trace; the player used to do that in
// an effect, which Yew runs after the renders and, on a busy machine, after yielding to the
// browser (its scheduler yields once 16 ms have passed and no render is pending). A Step click
// in that gap was undone when the effect came: the geometry walk saw "the Step button left the
// playhead at 0" on a loaded CI machine. Here the gap is made certain rather than left to the
// machine's load: the page's `Date.now`, which only Yew's scheduler reads, runs 20 ms ahead at
// each call, so the scheduler yields wherever it may.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, drawn, frames, flowLangs, SCENES } from './lib.mjs';

const browser = useBrowser();

/** In the page: makes Yew's scheduler yield at every point where it may; returns an undo. */
const hurry = (page) => page.evaluate(() => {
  const real = Date.now;
  let t = real();
  Date.now = () => (t += 20);
  self.synackUndoHurry = () => {
    Date.now = real;
  };
});
const unhurry = (page) => page.evaluate(() => self.synackUndoHurry?.());

/** Waits until the scene stops changing: the playhead's time is the same over a few frames. */
async function settled(page) {
  let last = null;
  for (let same = 0, k = 0; same < 3; k++) {
    assert.ok(k < 200, 'the player never settled');
    await frames(page);
    const t = await page.getByTestId('player').getAttribute('data-t');
    same = t === last ? same + 1 : 0;
    last = t;
  }
  return Number(last);
}

/** Runs `act(arg)` in the page with Yew's scheduler hurried; the playhead's time once the scene
 * has settled after it. */
async function hurried(page, act, arg) {
  await hurry(page);
  try {
    await page.evaluate(act, arg);
  } finally {
    await unhurry(page);
  }
  return settled(page);
}

/** Where a Step pressed at leisure from the start goes: where the hurried one must have gone. */
async function stepFromStart(page) {
  await page.keyboard.press('[');
  await settled(page);
  await page.getByTestId('step').click();
  return settled(page);
}

for (const lang of flowLangs()) {
  test(`${lang}: a Step pressed as soon as a picked case shows pressed steps through that case, on every scene`, async () => {
    const lost = [];
    for (const [route, id] of SCENES) {
      await onPage(browser, route, lang, async ({ page }) => {
        await drawn(page);
        await page.waitForSelector('[data-testid="step"]');
        const cases = await page.locator('.cases button[data-testid^="case-"]').evaluateAll((bs) => bs.map((b) => b.dataset.testid));
        if (cases.length < 2) return;
        // The last case, then the first: each time a case that is not the one on screen.
        for (const c of [cases[cases.length - 1], cases[0]]) {
          const t = await hurried(page, async (c) => {
            const $ = (id) => document.querySelector('[data-testid="' + id + '"]');
            $(c).click();
            for (let k = 0; $(c).getAttribute('aria-pressed') !== 'true'; k++) {
              if (k > 500) throw new Error(c + ' was not pressed');
              await new Promise((ok) => setTimeout(ok, 0));
            }
            $('step').click();
          }, c);
          const want = await stepFromStart(page);
          if (t !== want) lost.push(`${id} ${c}: the playhead is at ${t} µs after a Step, not at ${want}`);
        }
      });
    }
    assert.deepEqual(lost, []);
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: a Step pressed in the task after a scene's knob moves steps through the new situation`, async () => {
    await onPage(browser, '#/backlog', lang, async ({ page }) => {
      await drawn(page);
      await page.waitForSelector('[data-testid="step"]');
      const t = await hurried(page, async () => {
        const $ = (id) => document.querySelector('[data-testid="' + id + '"]');
        // As a slider let go: its value while dragged, then the change the scene takes. A
        // scene's own knob takes the player back to the start (the network's keep it where it
        // is): the number of clients.
        const knob = $('knob-clients');
        knob.value = String(Number(knob.value) === 3 ? 5 : 3);
        knob.dispatchEvent(new Event('input', { bubbles: true }));
        knob.dispatchEvent(new Event('change', { bubbles: true }));
        await new Promise((ok) => setTimeout(ok, 0));
        $('step').click();
      });
      assert.equal(t, await stepFromStart(page), 'where a Step from the start of the new situation goes');
    });
  });
}
