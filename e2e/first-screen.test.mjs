// A laptop's first screen (1280×800), on every scene, in both languages: without scrolling,
// the ladder, the current step's explanation (the narration and its teaching paragraph, whole)
// and Play are on screen and covered by nothing; clicking a packet opens its inspector on screen
// too, and the explanation stays there, uncovered. The three first-load scenes, opened from a
// link, show the teaching paragraph of their first moment by themselves (the first load fetches
// its words after the first paint: src/scenes/teach/words.rs), the same one the full build
// shows; the rest is checked in the full build, reached from another scene as a reader does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, hasCjk, frames, SCREENSHOTS, flowLangs } from './lib.mjs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const browser = useBrowser();

const SCENES = ['handshake', 'teardown', 'tcp-vs-udp', 'sticky', 'udp', 'backlog', 'window'];
const VIEWPORT = { width: 1280, height: 800 };

/** Where the element is, whether it lies wholly inside the window, and at how many of its
 * sample points (the middle of its first line, inside both top corners) another element is on
 * top of it. */
async function onScreen(locator) {
  return locator.first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    const inside = r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5
      && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
    const pts = [
      [r.left + r.width / 2, r.top + Math.min(r.height / 2, 12)],
      [r.left + 10, r.top + 10],
      [r.right - 10, r.top + 10],
    ];
    const covered = pts.filter(([x, y]) => {
      const hit = document.elementFromPoint(x, y);
      return !(hit && (el === hit || el.contains(hit)));
    }).length;
    return { inside, covered, top: Math.round(r.top), bottom: Math.round(r.bottom) };
  });
}

for (const id of SCENES) {
  for (const lang of flowLangs()) {
    test(`${id} at 1280×800 shows the ladder, the explanation and Play on its first screen, and a clicked packet's inspector (${lang})`, async () => {
      const firstLoad = ['handshake', 'teardown', 'tcp-vs-udp'].includes(id);
      const { page, context, errors } = await openRoute(browser, `#/${id}`, lang, { viewport: VIEWPORT });
      try {
        await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
        if (firstLoad) {
          // Opened from a link: the first load's page, its paragraph within a couple of seconds
          // of the first frame, with no click, and the full build never asked for.
          await page.getByTestId('teach').waitFor({ state: 'visible', timeout: 2_500 });
          const fromLink = (await page.getByTestId('teach').innerText()).trim();
          assert.ok(fromLink.length > 20 && (lang === 'zh') === hasCjk(fromLink), fromLink);
          assert.equal(await page.locator('#app-full').count(), 0, 'the first load draws it');
          // The same scene in the full build, reached from another scene: the same paragraph.
          await page.evaluate(() => { location.hash = '#/sticky'; });
          await page.getByTestId('page-sticky').waitFor({ timeout: 30_000 });
          await page.evaluate((h) => { location.hash = h; }, `#/${id}?lang=${lang}`);
          await page.getByTestId(`page-${id}`).waitFor({ timeout: 30_000 });
          await page.waitForFunction(() => document.querySelectorAll('[data-testid=player]').length === 1);
          await page.getByTestId('teach').waitFor({ state: 'visible', timeout: 10_000 });
          assert.equal((await page.getByTestId('teach').innerText()).trim(), fromLink, 'the full build says the same');
        }
        await page.waitForSelector('.lad .seg');
        // A moment with something said about it, and its teaching paragraph.
        await page.getByTestId('step').click();
        await page.getByTestId('step').click();
        // Not every moment has a paragraph (the UDP scene's are at its start): the first one
        // that has, from the start.
        if (!(await page.getByTestId('teach').isVisible())) {
          await page.keyboard.press('[');
          for (let i = 0; i < 8 && !(await page.getByTestId('teach').isVisible()); i++) {
            await page.getByTestId('step').click();
            await page.waitForTimeout(100);
          }
        }
        await page.getByTestId('teach').waitFor({ state: 'visible', timeout: 10_000 });

        // The top of the ladder (its hosts and their first arrows): at least 200 px of it.
        const ladder = await page.locator('.stage-main').first().evaluate((el) => {
          const r = el.getBoundingClientRect();
          return { top: r.top, visible: Math.min(r.bottom, innerHeight) - Math.max(r.top, 0) };
        });
        assert.ok(ladder.top >= 0 && ladder.visible >= 200, `${id}: the ladder shows ${Math.round(ladder.visible)} px from y=${Math.round(ladder.top)}`);

        // What happens now: the narration starts on screen with at least its first lines (on the
        // backlog scene its teaching paragraph runs on below the fold, see the next check).
        const narration = await onScreen(page.getByTestId('narration'));
        assert.ok(narration.top >= 0 && narration.top + 60 <= VIEWPORT.height && narration.covered === 0,
          `${id}: the narration ${JSON.stringify(narration)}`);
        const sentences = await onScreen(page.getByTestId('narration').locator('.narr-lines p'));
        assert.ok(sentences.inside && sentences.covered === 0, `${id}: the narration's first sentence ${JSON.stringify(sentences)}`);
        const teach = await onScreen(page.getByTestId('teach'));
        assert.ok(teach.inside && teach.covered === 0, `${id}: the teaching paragraph ${JSON.stringify(teach)}`);
        const play = await onScreen(page.getByTestId('play'));
        assert.ok(play.inside && play.covered === 0, `${id}: Play ${JSON.stringify(play)}`);
        assert.equal(await page.evaluate(() => scrollY), 0, 'nothing scrolled');

        // Click the first packet drawn: its inspector is on screen, uncovered, and the explanation
        // stays on screen beside it (back at a moment with a paragraph: the selection stays).
        const at = await page.getByTestId('player').getAttribute('data-t');
        for (let i = 0; i < 2; i++) await page.getByTestId('step').click();
        // The view follows the playhead in the frame after a step (the ladder's scroll is
        // written there): a click aimed before it lands where the arrow was, not where it is.
        await frames(page);
        await page.locator('.lad .seg .hit').first().click({ force: true });
        await page.waitForSelector('[data-testid=inspector]');
        for (let i = 0; i < 4 && await page.getByTestId('player').getAttribute('data-t') !== at; i++) {
          await page.getByTestId('step-back').click();
          await page.waitForTimeout(100);
        }
        await page.getByTestId('teach').waitFor({ state: 'visible', timeout: 10_000 });
        const insp = await onScreen(page.getByTestId('inspector').locator('header'));
        assert.ok(insp.inside && insp.covered === 0, `${id}: the inspector ${JSON.stringify(insp)}`);
        for (const what of ['narration', 'teach']) {
          const box = await onScreen(page.getByTestId(what));
          assert.ok(box.inside && box.covered === 0, `${id}: with the inspector open, the ${what} ${JSON.stringify(box)}`);
        }
        const stillPlay = await onScreen(page.getByTestId('play'));
        assert.ok(stillPlay.inside && stillPlay.covered === 0, `${id}: with the inspector open, Play ${JSON.stringify(stillPlay)}`);

        await mkdir(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, `first-screen-${id}-${lang}.png`) });

        assert.deepEqual(errors, [], 'no console errors');
      } finally {
        await context.close();
      }
    });
  }
}
