// The keyboard and the projector (issue 21):
// - Home and End move the playhead to the start and to the end, as [ and ] do, and the Start and
//   End buttons say so (their titles, in zh and en, and `aria-keyshortcuts`);
// - a control that Tab or Shift+Tab focuses is never hidden, not even in part, under the bars
//   that stick to the window (the site's header at the top, the player's controls at the
//   bottom), on a laptop, a projector and a phone;
// - on a projector (1920×1080), a short drawing (the handshake, UDP) leaves no empty band above
//   the controls: the narration under the diagram takes the room.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, onPage, drawn, frames, SCENES, SCREENSHOTS, flowLangs, langsAt } from './lib.mjs';

const browser = useBrowser();

const playhead = (page) => page.getByTestId('player').getAttribute('data-t');

for (const lang of flowLangs()) {
  test(`${lang}: Home and End move the playhead to the start and the end, and the buttons name them`, async () => {
    await onPage(browser, '#/handshake', lang, async ({ page }) => {
      await drawn(page);
      await page.getByTestId('play').waitFor();
      // Where ] takes it: the end.
      await page.keyboard.press(']');
      await page.waitForFunction(() => document.querySelector('[data-testid="player"]').dataset.t !== '0');
      const end = await playhead(page);
      await page.keyboard.press('[');
      await page.waitForFunction(() => document.querySelector('[data-testid="player"]').dataset.t === '0');
      await page.keyboard.press('End');
      await page.waitForFunction((t) => document.querySelector('[data-testid="player"]').dataset.t === t, end, { timeout: 5_000 });
      // From a step in the middle too, with the focus on a control of the player (not a field).
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.querySelector('[data-testid="player"]').dataset.t === '0', null, { timeout: 5_000 });
      await page.keyboard.press('ArrowRight');
      await page.getByTestId('numbering').focus();
      await page.keyboard.press('End');
      await page.waitForFunction((t) => document.querySelector('[data-testid="player"]').dataset.t === t, end, { timeout: 5_000 });
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.querySelector('[data-testid="player"]').dataset.t === '0', null, { timeout: 5_000 });
      // In a field, Home and End are the field's: the speed slider moves, the playhead does not.
      await page.keyboard.press('End');
      await page.waitForFunction((t) => document.querySelector('[data-testid="player"]').dataset.t === t, end);
      const speed = page.getByTestId('speed');
      await speed.focus();
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.querySelector('[data-testid="speed"]').value === '0');
      assert.equal(await playhead(page), end, 'Home in the speed slider leaves the playhead');
      // The buttons' help.
      const start = page.getByTestId('start');
      const last = page.getByTestId('end');
      assert.match(await start.getAttribute('title'), lang === 'zh' ? /\[.*Home/ : /\[ or Home/);
      assert.match(await last.getAttribute('title'), lang === 'zh' ? /\].*End/ : /\] or End/);
      assert.equal(await start.getAttribute('aria-keyshortcuts'), '[ Home');
      assert.equal(await last.getAttribute('aria-keyshortcuts'), '] End');
    });
  });
}

/** Each size in one language, the languages taking turns (both with SYNACK_E2E_BOTH_LANGS=1). */
const SIZES = [
  { width: 1366, height: 768, lang: 'zh' },
  { width: 1920, height: 1080, lang: 'en' },
  { width: 390, height: 844, lang: 'zh' },
];

/** In the page: the focused element's box against the bars stuck to the window: problems
 * (empty: none); `done` once the focus has left the page. */
const hiddenParts = () => {
  const el = document.activeElement;
  if (!el || el === document.body) return { done: true, problems: [] };
  const name = el.dataset?.testid ?? el.getAttribute('aria-label') ?? `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`;
  const r = el.getBoundingClientRect();
  const problems = [];
  if (r.width === 0 || r.height === 0) return { done: false, problems };
  // The part of the box inside the scrolling boxes around it: a packet of the ladder scrolled
  // out of its own scroller is that scroller's business, not the page's.
  let top = r.top;
  let bottom = r.bottom;
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (/auto|scroll|hidden/.test(getComputedStyle(a).overflowY)) {
      const c = a.getBoundingClientRect();
      top = Math.max(top, c.top);
      bottom = Math.min(bottom, c.bottom);
    }
  }
  if (bottom <= top) return { done: false, problems };
  const stuck = [...document.querySelectorAll('.site-header, .transport')].filter((b) => {
    const s = getComputedStyle(b).position;
    return (s === 'sticky' || s === 'fixed') && b.getClientRects().length && !b.contains(el);
  });
  for (const b of stuck) {
    const c = b.getBoundingClientRect();
    // Drawn over the control's box (not just next to it): the bar sticks there now.
    if (c.bottom > top + 1.5 && c.top < bottom - 1.5 && c.right > r.left && c.left < r.right) {
      problems.push(`${name} (${top.toFixed(0)}–${bottom.toFixed(0)}) under ${b.className.split(' ')[0]} (${c.top.toFixed(0)}–${c.bottom.toFixed(0)})`);
    }
  }
  // A pixel of rounding (a box 420 px tall scrolled to the window's bottom) is not hidden.
  if (top < -1.5 || bottom > innerHeight + 1.5) problems.push(`${name} (${top.toFixed(0)}–${bottom.toFixed(0)}) outside the window`);
  return { done: false, problems };
};

/** In the page: measures `measure` (hiddenParts) at each press of Tab or Shift+Tab, once the
 * press has moved the focus (at its keyup: Tab moves the focus on keydown), into
 * `window.__tabWalk.stops`. Once the focus has left the page (`done`), later presses of the key
 * are held back (their keydown's default prevented, the app not told), so that presses sent
 * in a batch leave the focus where the walk ended. One round trip per press instead of two:
 * the walk's cost was the presses and a `page.evaluate` after each. */
const recordTabStops = (measure) => {
  const walk = { done: false, stops: [] };
  window.__tabWalk = walk;
  addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && walk.done) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  addEventListener('keyup', (e) => {
    if (e.key !== 'Tab' || walk.done) return;
    const { done, problems } = measure();
    if (done) walk.done = true;
    else walk.stops.push(problems);
  }, true);
};

/** Presses `key` until the focus leaves the page or `most` presses, `batch` at a time, with the
 * recorder of `recordTabStops` in the page; returns the problems at each stop. */
async function tabWalk(page, key, most = 120, batch = 10) {
  await page.evaluate(() => {
    window.__tabWalk.done = false;
    window.__tabWalk.stops = [];
  });
  for (let sent = 0; sent < most;) {
    for (let k = 0; k < batch && sent < most; k++, sent++) await page.keyboard.press(key);
    if (await page.evaluate(() => window.__tabWalk.done)) break;
  }
  return page.evaluate(() => window.__tabWalk.stops);
}

for (const viewport of SIZES) {
  test(`at ${viewport.width}×${viewport.height}, Tab and Shift+Tab never leave a focused control under the header or the controls (${langsAt(viewport.lang).join(', ')})`, async () => {
    const found = [];
    for (const lang of langsAt(viewport.lang)) {
      for (const [route, id] of SCENES) {
        await onPage(browser, route, lang, { viewport: { width: viewport.width, height: viewport.height } }, async ({ page }) => {
          await drawn(page);
          await page.getByTestId('play').waitFor();
          // The scene's words in (the teaching paragraph grows the narration above the
          // controls): a control focused before they arrive is moved by them, not by Tab.
          await page.waitForSelector('[data-words]:not([data-words="loading"])');
          await frames(page);
          await page.mouse.click(2, viewport.height / 2);
          await page.evaluate(`(${recordTabStops})(${hiddenParts})`);
          let stops = 0;
          for (const key of ['Tab', 'Shift+Tab']) {
            for (const problems of await tabWalk(page, key)) {
              stops++;
              found.push(...problems.map((p) => `${id} ${lang} ${key}: ${p}`));
            }
          }
          assert.ok(stops > 10, `${id}: Tab stopped on ${stops} controls`);
        });
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  });
}

for (const lang of flowLangs()) {
  test(`${lang}: on a projector (1920×1080) a short drawing leaves no empty band above the controls`, async () => {
    for (const route of ['#/handshake', '#/udp']) {
      await onPage(browser, route, lang, { viewport: { width: 1920, height: 1080 } }, async ({ page }) => {
        await drawn(page);
        await page.waitForSelector('[data-testid="narration"]');
        await page.waitForSelector('[data-testid="hosts"] .host-panel');
        for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
        await frames(page);
        const got = await page.evaluate(() => {
          const player = document.querySelector('[data-testid="player"]');
          const b = (e) => e.getBoundingClientRect();
          const parts = ['.stage-main', '[data-testid="narration"]', '[data-testid="hosts"]'].map((s) => b(player.querySelector(s)));
          return {
            band: b(player.querySelector('.transport')).top - Math.max(...parts.map((p) => p.bottom)),
            diagram: b(player.querySelector('.stage-main')).height,
            drawing: parseFloat(player.querySelector('.stage').style.getPropertyValue('--diagram-h')),
            window: innerHeight,
          };
        });
        assert.ok(got.band <= 24, `${route} ${lang}: ${got.band.toFixed(0)} px empty above the controls`);
        // The diagram whole (its drawing's height), not squeezed to make the room.
        assert.ok(Math.abs(got.diagram - got.drawing) <= 1, `${route} ${lang}: the diagram ${got.diagram} px, its drawing ${got.drawing} px`);
        await mkdir(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, `projector-${route.slice(2)}-${lang}.png`) });
      });
    }
  });
}
