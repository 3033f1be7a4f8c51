// A teacher's one screen: in every scene, on a laptop (1366×768) and a projector (1920×1080),
// on the page and presented, the diagram, what happens at the current step (the narration and
// its explanation) and both hosts' state fit one screen together, none of them under the
// controls along the window's bottom, so a room sees all three without anyone scrolling. Measured as boxes on the drawn page. (Presented at 1366×768 the second host's
// panel ran under the controls; on the page the hosts' panels were under the narration, below
// the fold.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, drawn, frames, screenshot, LANGS, SCENES } from './lib.mjs';

const browser = useBrowser();

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

/** In the page: the boxes of the diagram, the narration and each host's panel, each named, and
 * the floor they must stay above: the top of the controls (stuck to the window's bottom on the
 * page, the last row presented), or the window's bottom. */
const screenBoxes = (page) => page.evaluate(() => {
  const player = document.querySelector('[data-testid="player"]');
  const box = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
  const transport = player.querySelector('.transport');
  const floor = transport ? transport.getBoundingClientRect().top : innerHeight;
  const parts = [
    ['diagram', player.querySelector('.stage-main')],
    ['narration', player.querySelector('[data-testid="narration"]')],
    ...[...player.querySelectorAll('[data-testid="hosts"] .host-panel')].map((h, i) => [`host ${i}`, h]),
  ];
  return { floor: Math.min(floor, innerHeight), width: innerWidth, parts: parts.map(([what, e]) => ({ what, box: e ? box(e) : null })) };
});

for (const mode of ['page', 'presented']) {
  for (const viewport of SIZES) {
    test(`${mode} at ${viewport.width}×${viewport.height}: every scene's diagram, narration and hosts' state fit one screen, in zh and en`, async () => {
      const found = [];
      for (const lang of LANGS) {
        for (const [route, id] of SCENES) {
          const params = mode === 'presented' ? { present: '1' } : {};
          await onPage(browser, route, lang, { viewport, params }, async ({ page }) => {
            await drawn(page);
            if (mode === 'presented') await page.waitForSelector('.player.presenting', { timeout: 30_000 });
            await page.waitForSelector('[data-testid="narration"]');
            await page.waitForSelector('[data-testid="hosts"] .host-panel');
            // A step into the run, where the narration has its sentences and the explanation.
            for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
            // On the page the teacher brings the player to the top of the window once (its
            // tabs at the top); presented, it is the whole window already.
            if (mode === 'page') {
              await page.evaluate(() => window.scrollTo(0, document.querySelector('[data-testid="player"]').getBoundingClientRect().top + scrollY));
            }
            await frames(page);
            const got = await screenBoxes(page);
            for (const { what, box } of got.parts) {
              if (!box) {
                found.push(`${id} ${lang}: no ${what}`);
                continue;
              }
              if (box.top < -0.5 || box.bottom > got.floor + 0.5 || box.left < -0.5 || box.right > got.width + 0.5) {
                found.push(`${id} ${lang}: the ${what} (${box.top.toFixed(0)}–${box.bottom.toFixed(0)}) is not on the screen above the controls (${got.floor.toFixed(0)})`);
              }
            }
            if (id === 'handshake' || id === 'window' || id === 'tcp-vs-udp') {
              await screenshot(page, `one-screen-${mode}-${id}-${viewport.width}-${lang}`);
            }
          });
        }
      }
      assert.deepEqual(found, [], found.join('\n'));
    });
  }
}
