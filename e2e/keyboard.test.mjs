// Keyboard only and screen readers: every slider moves with the arrow keys and says its value,
// a packet in the ladder is reached with Tab and opened with Enter. (The accessibility scan of
// every route, axe-core, runs on smoke.test.mjs's load of each route.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, screenshot, flowLangs } from './lib.mjs';

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
}

for (const lang of flowLangs()) {
  test(`${lang}: the scene's sliders move with the arrow keys, one step a press`, async () => {
    await onPage(browser, '#/handshake', lang, async ({ page }) => {
      await ready(page);
      for (const id of ['latency', 'loss', 'speed']) {
        const slider = page.getByTestId(id);
        const shown = page.getByTestId(`${id}-value`);
        const before = await shown.innerText();
        const value = await slider.inputValue();
        await slider.focus();
        await page.keyboard.press('ArrowRight');
        await page.waitForFunction(
          ([sel, v]) => document.querySelector(sel)?.value !== v,
          [`[data-testid="${id}"]`, value],
          { timeout: 5_000 },
        );
        await page.waitForFunction(
          ([sel, t]) => document.querySelector(sel)?.innerText !== t,
          [`[data-testid="${id}-value"]`, before],
          { timeout: 5_000 },
        );
        assert.notEqual(await shown.innerText(), before, `${id}: one ArrowRight changes the value`);
        // The link follows the knobs (a scene knob re-runs the model and is kept in the URL).
        if (id !== 'speed') {
          await page.waitForFunction((k) => location.hash.includes(`${k}=`), id === 'latency' ? 'latency' : 'loss');
        }
        await page.keyboard.press('ArrowLeft');
        // Back where it was: the slider's position (the speed's label may read 0.103× where it
        // read 0.1×: the default speed lies between two of the slider's 50 positions).
        await page.waitForFunction(
          ([sel, v]) => document.querySelector(sel)?.value === v,
          [`[data-testid="${id}"]`, value],
          { timeout: 5_000 },
        );
        if (id !== 'speed') assert.equal(await shown.innerText(), before);
      }
    });
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: a packet is reached with Tab, named for screen readers, and Enter opens its inspector`, async () => {
    await onPage(browser, '#/handshake', lang, { params: { t: '1' } }, async ({ page }) => {
      await ready(page);
      let name = null;
      for (let i = 0; i < 80 && !name; i++) {
        await page.keyboard.press('Tab');
        name = await page.evaluate(() => {
          const el = document.activeElement;
          return el?.closest?.('g.seg') ? el.getAttribute('aria-label') : null;
        });
      }
      assert.ok(name, 'Tab reaches a packet of the ladder');
      assert.match(name, lang === 'zh' ? /SYN.*（客户端 → 服务器）/ : /SYN.*\(client → server\)/);
      assert.match(name, /seq=/);
      await page.keyboard.press('Enter');
      const inspector = page.getByTestId('inspector');
      await inspector.waitFor({ state: 'visible', timeout: 5_000 });
      assert.match(await inspector.innerText(), /SYN/);
      await screenshot(page, `keyboard-inspector-${lang}`);
    });
  });
}

// The view tabs follow WAI-ARIA's tabs pattern: only the selected one is in the Tab order, and
// ←/→ select and focus the other, without stepping the player (its arrows listen on the window:
// on a tab they moved the playhead and left the tab as it was). On a scene of the full build:
// for the state machine the first load hands the page over to it, and the focus is lost there.
for (const lang of flowLangs()) {
  test(`${lang}: the arrow keys move between the view tabs, not the playhead`, async () => {
    await onPage(browser, '#/sticky', lang, async ({ page }) => {
      await ready(page);
      const t = () => page.getByTestId('player').getAttribute('data-t');
      const before = await t();
      assert.equal(await page.getByTestId('view-states').getAttribute('tabindex'), '-1', 'the other tab is out of the Tab order');
      await page.getByTestId('view-ladder').focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForSelector('[data-testid="view-states"][aria-selected="true"]', { timeout: 5_000 });
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'view-states', 'focus follows the selection');
      assert.equal(await t(), before, 'the playhead did not move');
      await page.keyboard.press('ArrowLeft');
      await page.waitForSelector('[data-testid="view-ladder"][aria-selected="true"]', { timeout: 5_000 });
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'view-ladder');
      assert.equal(await t(), before, 'the playhead did not move');
    });
  });
}

for (const lang of flowLangs()) {
  // A fold's summary (the embed's network knobs) opens with Space, as a browser's own details
  // do: the player's Space (play/pause) took the key and the fold stayed shut.
  test(`${lang}: Space on a fold's summary opens it instead of playing`, async () => {
    await onPage(browser, '#/handshake', lang, { params: { embed: '1' } }, async ({ page }) => {
      await ready(page);
      const summary = page.locator('details.knobs-fold > summary');
      await summary.focus();
      await page.keyboard.press(' ');
      await page.waitForSelector('details.knobs-fold[open]', { timeout: 5_000 });
      assert.equal(await page.getByTestId('player').getAttribute('data-playing'), 'false', 'Space did not start playing');
      await page.keyboard.press('Enter');
      await page.waitForSelector('details.knobs-fold:not([open])', { timeout: 5_000 });
    });
  });
}

// The narration's cue (sentences go on under the fold) is a button: Tab reaches it, Enter
// scrolls the sentences a boxful on (the line under the fold comes to the top), and once the
// last line is in view it takes them back to the first.
test('the narration\'s "more below" cue is reached with Tab and scrolls the sentences', async () => {
  // At t = 0 TCP vs UDP tells both connections' first sends: more than four lines.
  await onPage(browser, '#/tcp-vs-udp', 'en', { viewport: { width: 1280, height: 800 } }, async ({ page }) => {
    await ready(page);
    const cue = page.getByTestId('narr-more');
    await cue.waitFor({ state: 'visible', timeout: 5_000 });
    let reached = false;
    for (let i = 0; i < 120 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.dataset?.testid === 'narr-more');
    }
    assert.ok(reached, 'Tab reaches the cue');
    const outline = await cue.evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused cue is outlined');
    const lines = page.locator('[data-testid="narration"] .narr-lines');
    const top = () => lines.evaluate((el) => el.scrollTop);
    const box = await lines.evaluate((el) => el.clientHeight);
    await page.keyboard.press('Enter');
    await page.waitForFunction((h) => Math.abs(document.querySelector('[data-testid="narration"] .narr-lines').scrollTop - h) < 1, box, { timeout: 5_000 });
    // At the end the same button (still focused) takes the sentences back to the first.
    await lines.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForFunction(() => /back to the first/.test(document.querySelector('[data-testid="narr-more"]')?.textContent));
    assert.ok((await top()) > 0);
    await cue.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="narration"] .narr-lines').scrollTop === 0, null, { timeout: 5_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'narr-more', 'the cue keeps the focus');
  });
});

test('interview mode: the transport is locked while a question is open', async () => {
  await onPage(browser, '#/quiz', 'en', async ({ page }) => {
    await ready(page);
    const end = page.getByTestId('end');
    await end.waitFor({ state: 'attached', timeout: 15_000 });
    assert.ok(await end.isDisabled(), 'the end button is disabled under an open question');
    assert.ok(await page.getByTestId('play').isDisabled());
    const t = await page.getByTestId('scrub').inputValue();
    await page.keyboard.press(']');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByTestId('scrub').inputValue(), t, 'the keyboard does not move the playhead');
  });
});
