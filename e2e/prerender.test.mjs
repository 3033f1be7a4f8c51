// The frame index.html paints before the wasm has arrived (e2e/prerender.mjs) is the app's own
// first frame: with the wasm held back the page already shows the diagram; once released, the
// app takes over with exactly the same markup and pixels, in every prerendered language and
// both themes. When a change to the scene makes this fail, `cargo xtask prerender` rewrites the
// templates. Where no template fits (a narrow window, another case) the page waits for the app.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, baseUrl, routeUrl, drawn, collectErrors, SCREENSHOTS } from './lib.mjs';
import { PRERENDERED, PRERENDER_LANGS, MIN_WIDTH, VIEWPORT, SNAPSHOT_OF } from './prerender.mjs';

const browser = useBrowser();

/** Opens `route` with the wasm held back until `release()` is called. The page records, in the
 * very task that swaps the snapshot for the app, the app's markup (`window.__takenOver`). */
async function openHeld(route, lang, params, { scheme = 'light', viewport = VIEWPORT } = {}) {
  const context = await browser.newContext({
    viewport,
    locale: lang === 'zh' ? 'zh-CN' : 'en-US',
    colorScheme: scheme,
  });
  const page = await context.newPage();
  const errors = collectErrors(page);
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route(/_bg\.wasm$/, async (r) => {
    await held;
    await r.continue();
  });
  // What the app fetches once it runs (the teaching paragraph's words, src/scenes/teach/words.rs)
  // comes in after the take-over, over the app's own frame: held back for good here, so that the
  // screenshot after the take-over shows the frame the app took over with.
  const never = new Promise(() => {});
  await page.route(
    (url) => !/_bg\.wasm$|\.js$|\.css$|\/$|\.html$/.test(url.pathname),
    async () => never,
  );
  await page.addInitScript(`(() => {
    const snapshotOf = ${SNAPSHOT_OF};
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.removedNodes) {
        if (n.id === 'app-pre') window.__takenOver = snapshotOf(document.getElementById('app'));
      }
    }).observe(document, { childList: true, subtree: true });
  })()`);
  await page.goto(routeUrl(await baseUrl(), route, lang, params), { waitUntil: 'load' });
  return { page, context, errors, release };
}

const snapshot = (page) =>
  page.evaluate(`(${SNAPSHOT_OF})(document.getElementById('app-pre'))`);

for (const route of PRERENDERED) {
  for (const lang of PRERENDER_LANGS) {
    for (const scheme of ['light', 'dark']) {
      test(`${route} in ${lang} (${scheme}) paints the app's first frame before the wasm arrives, and the app takes over without a visible change`, async () => {
        const { page, context, errors, release } = await openHeld(route, lang, {}, { scheme });
        try {
          assert.equal(await page.locator('#app-pre').count(), 1, 'the snapshot is shown');
          assert.ok(await page.locator('#app-pre .seg').count() > 0, 'it holds the diagram');
          assert.equal(await page.locator('body[data-ready]').count(), 0, 'the app has not started');
          const before = await snapshot(page);
          const name = `prerender-${route.replace(/\W+/g, '')}-${lang}-${scheme}`;
          const shotBefore = await page.screenshot();
          release();
          await drawn(page);
          await page.waitForSelector('#app-pre', { state: 'detached' });
          const after = await page.evaluate(() => window.__takenOver);
          assert.equal(
            after,
            before,
            'the prerendered frame in index.html is stale: run `cargo xtask prerender` and rebuild',
          );
          const shotAfter = await page.screenshot();
          await mkdir(SCREENSHOTS, { recursive: true });
          await writeFile(join(SCREENSHOTS, `${name}-before.png`), shotBefore);
          await writeFile(join(SCREENSHOTS, `${name}-after.png`), shotAfter);
          assert.ok(shotBefore.equals(shotAfter), `${name}: the take-over changes pixels (see target/screenshots)`);
          // The app's own elements answer again, once.
          assert.equal(await page.getByTestId('segment').count(), 3);
          await page.getByTestId('step').click();
          assert.deepEqual(errors, []);
        } finally {
          await context.close();
        }
      });
    }
  }
}

test('a window narrower than the page column, or a link with a case, waits for the app instead of showing a frame that is not its own', async () => {
  for (const [params, viewport] of [
    [{}, { width: MIN_WIDTH - 1, height: 800 }],
    [{ case: 'syn-lost' }, VIEWPORT],
    [{ embed: '1' }, VIEWPORT],
    [{ lang: 'fr' }, VIEWPORT],
  ]) {
    const { page, context, release } = await openHeld(PRERENDERED[0], params.lang ? undefined : 'en', params, { viewport });
    try {
      assert.equal(await page.locator('#app-pre').count(), 0, JSON.stringify({ params, viewport }));
      release();
      await drawn(page);
    } finally {
      await context.close();
    }
  }
});
