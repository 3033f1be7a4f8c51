// A teacher's one screen: in every scene, on a laptop (1366×768) and a projector (1920×1080),
// on the page (brought to the player once) and presented, the diagram, what happens at the
// current step (the narration: its first sentence and the start of its explanation, the rest
// in its own scrolling column when a step has more to say than a screen holds) and both hosts'
// state fit one screen together, none of them under the header or the controls, so a room sees
// all three without anyone scrolling. Measured as boxes on the drawn page. (Presented at
// 1366×768 the second host's panel ran under the controls; on the page the hosts' panels were
// under the narration, below the fold.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, onPage, drawn, frames, LANGS, SCENES, SCREENSHOTS } from './lib.mjs';

const browser = useBrowser();

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

/** In the page: the boxes of the diagram, the narration and each host's panel, each named, as
 * far as they are seen (inside every box that clips them: the narration's column scrolls when a
 * step has more to say than the screen holds), and the band of the window they must lie in:
 * under the site's header where it sticks to the top, above the controls (stuck to the window's
 * bottom on the page, the last row presented). The narration's first sentence and the top of
 * its explanation must be seen too. */
const screenBoxes = (page) => page.evaluate(() => {
  const player = document.querySelector('[data-testid="player"]');
  const rect = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
  // The part of `e` not clipped by a scrolling or clipping ancestor.
  const seen = (e) => {
    let b = rect(e);
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (/auto|scroll|hidden/.test(getComputedStyle(a).overflowY)) {
        const c = rect(a);
        b = { left: Math.max(b.left, c.left), right: Math.min(b.right, c.right), top: Math.max(b.top, c.top), bottom: Math.min(b.bottom, c.bottom) };
      }
    }
    return b;
  };
  const transport = player.querySelector('.transport');
  const floor = Math.min(innerHeight, transport ? transport.getBoundingClientRect().top : innerHeight);
  const header = document.querySelector('header');
  const hp = header && getComputedStyle(header).position;
  const ceiling = header && (hp === 'sticky' || hp === 'fixed') ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
  const narration = player.querySelector('[data-testid="narration"]');
  const first = narration?.querySelector('.narr-lines p');
  // Not every step has an explanation.
  const shown = (e) => (e && e.getClientRects().length ? e : null);
  const teach = shown(narration?.querySelector('[data-testid="teach"]'));
  const parts = [
    ['diagram', player.querySelector('.stage-main'), rect],
    ['narration', narration, seen],
    ["narration's first sentence", first, rect],
    ["explanation's first line", teach, (e) => { const b = rect(e); return { ...b, bottom: Math.min(b.bottom, b.top + 24) }; }],
    ...[...player.querySelectorAll('[data-testid="hosts"] .host-panel')].map((h, i) => [`host ${i}`, h, rect]),
  ];
  return {
    floor, ceiling, width: innerWidth,
    parts: parts.filter(([what, e]) => e || !/first/.test(what)).map(([what, e, f]) => ({ what, box: e ? f(e) : null })),
  };
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
              await page.evaluate(() => {
                const header = document.querySelector('header').getBoundingClientRect().height;
                window.scrollTo(0, document.querySelector('[data-testid="player"]').getBoundingClientRect().top + scrollY - header);
              });
            }
            await frames(page);
            const got = await screenBoxes(page);
            for (const { what, box } of got.parts) {
              if (!box) {
                found.push(`${id} ${lang}: no ${what}`);
                continue;
              }
              if (box.top < got.ceiling - 0.5 || box.bottom > got.floor + 0.5 || box.left < -0.5 || box.right > got.width + 0.5) {
                found.push(`${id} ${lang}: the ${what} (${box.top.toFixed(0)}–${box.bottom.toFixed(0)}) is not on the screen between the header and the controls (${got.ceiling.toFixed(0)}–${got.floor.toFixed(0)})`);
              }
            }
            // The screen as the room sees it (the window, not the whole page), for a look.
            await mkdir(SCREENSHOTS, { recursive: true });
            await page.screenshot({ path: join(SCREENSHOTS, `one-screen-${mode}-${id}-${viewport.width}-${lang}.png`) });
          });
        }
      }
      assert.deepEqual(found, [], found.join('\n'));
    });
  }
}
