// Keyboard only and screen readers: every slider moves with the arrow keys and says its value,
// a packet in the ladder is reached with Tab and opened with Enter, and an accessibility scan
// (axe-core, WCAG 2 A/AA rules) finds no serious or critical violation on any route.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, openRoute, onPage, screenshot, LANGS, ROUTES, ROOT } from './lib.mjs';

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
}

for (const lang of LANGS) {
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

const AXE = await readFile(join(ROOT, 'e2e', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

for (const lang of LANGS) {
  test(`${lang}: no serious accessibility violation on any route`, async () => {
    const found = [];
    for (const [route, id] of ROUTES) {
      const { page, context } = await openRoute(browser, route, lang);
      try {
        await page.getByTestId(`page-${id}`).waitFor({ state: 'visible', timeout: 15_000 });
        await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 }).catch(() => {});
        await page.addScriptTag({ content: AXE });
        const violations = await page.evaluate(async () => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
            resultTypes: ['violations'],
          });
          return r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× e.g. ${v.nodes[0]?.target?.join(' ')} — ${v.help}`);
        });
        found.push(...violations.map((v) => `${route}: ${v}`));
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(found, [], lang);
  });
}
