// The split build (src/pages/load_full.rs): the first load carries neither the full build nor
// the stylesheets of its pages; opening one of its pages fetches both, and the page shows
// styled. #/open, the one page that reads JSON, is a third build (every page): fetched from the
// first load or from the full build when #/open is opened, and never before. When a build cannot
// be fetched, the stand-in says so and the app keeps running; when the first load itself cannot
// be, the page says so.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useBrowser, openRoute, screenshot, baseUrl, routeUrl, collectErrors } from './lib.mjs';

// The full build's sheets, in cascade order: the list in src/pages/load_full.rs (the one list of
// them), which must name every file of dist/full/ (static/full/ as built).
const FULL_CSS = readFileSync(fileURLToPath(new URL('../src/pages/load_full.rs', import.meta.url)), 'utf8')
  .match(/const CSS: &str =\s*"([^"]+)"/)[1]
  .split(',')
  .map((p) => p.split('/').pop());
const BUILT_CSS = readdirSync(fileURLToPath(new URL('../dist/full/', import.meta.url)))
  .filter((f) => f.endsWith('.css'));

const browser = useBrowser();

/** File names (last path part) of every resource the page has fetched so far. */
const fetched = (page) =>
  page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname.split('/').pop()),
  );

test('the first load fetches neither the full build nor its stylesheets; a reference page loads both', async () => {
  const { page, context, errors } = await openRoute(browser, '#/handshake', 'en');
  try {
    await page.getByTestId('page-handshake').waitFor({ timeout: 15_000 });
    await page.waitForSelector('[data-testid=page-handshake][data-words=in]', { timeout: 15_000 });
    const first = await fetched(page);
    for (const f of ['synack-full.js', 'synack-full_bg.wasm', ...FULL_CSS]) {
      assert.ok(!first.includes(f), `${f} is part of the first load: ${first}`);
    }
    // A scene page fetches its own scene's words only (src/scenes/teach/words.rs).
    assert.deepEqual(first.filter((f) => f.endsWith('.tsv')), ['handshake.tsv']);
    // Same tab, a real navigation: the first-load app hands the page to the full build.
    await page.evaluate(() => { location.hash = '#/ref/ports?lang=en'; });
    const ports = page.getByTestId('page-ref-ports');
    await ports.waitFor({ state: 'visible', timeout: 20_000 });
    const later = await fetched(page);
    for (const f of ['synack-full.js', 'synack-full_bg.wasm', ...FULL_CSS]) {
      assert.ok(later.includes(f), `${f} was not fetched for #/ref/ports: ${later}`);
    }
    // Styled by reference.css (a table of collapsed borders), in the original cascade order.
    const collapse = await page.locator('.port-table').first().evaluate((el) => getComputedStyle(el).borderCollapse);
    assert.equal(collapse, 'collapse');
    const order = await page.evaluate(() =>
      [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => new URL(l.href).pathname.split('/').pop().replace(/-[0-9a-f]+\.css$/, '.css')),
    );
    assert.deepEqual(order, ['style.css', ...FULL_CSS]);
    assert.deepEqual([...BUILT_CSS].sort(), [...FULL_CSS].sort(), 'dist/full/ and load_full.rs disagree');
    assert.equal(await page.locator('#app').getAttribute('hidden'), '');
    await screenshot(page, 'full-ref-ports-after-handshake-en');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('when the full build cannot be fetched the stand-in says so, and the first-load pages still work', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = collectErrors(page);
  try {
    await page.route('**/synack-full_bg.wasm', (route) => route.abort());
    await page.goto(routeUrl(await baseUrl(), '#/ref/osi', 'zh'), { waitUntil: 'load' });
    const stand_in = page.getByTestId('loading-full');
    await stand_in.waitFor({ timeout: 15_000 });
    const alert = page.getByTestId('load-full-error');
    await alert.waitFor({ timeout: 15_000 });
    assert.match(await alert.innerText(), /没能加载/);
    await screenshot(page, 'full-load-error-zh');
    // The app is alive: a first-load scene still opens.
    await page.evaluate(() => { location.hash = '#/teardown?lang=zh'; });
    await page.getByTestId('page-teardown').waitFor({ state: 'visible', timeout: 15_000 });
    // The only errors are the aborted download's.
    assert.ok(errors.length > 0 && errors.every((e) => e.includes('synack-full')), errors.join('\n'));
  } finally {
    await context.close();
  }
});

const OPEN_BUILD = ['synack-open.js', 'synack-open_bg.wasm'];

test('#/open loads the open build from the full build, which hands every page over to it', async () => {
  const { page, context, errors } = await openRoute(browser, '#/sticky', 'en');
  try {
    await page.getByTestId('page-sticky').waitFor({ state: 'visible', timeout: 20_000 });
    const before = await fetched(page);
    assert.ok(before.includes('synack-full_bg.wasm'), `the full build draws #/sticky: ${before}`);
    for (const f of OPEN_BUILD) assert.ok(!before.includes(f), `${f} fetched before #/open: ${before}`);
    await page.evaluate(() => { location.hash = '#/open?lang=en'; });
    await page.getByTestId('page-open').waitFor({ state: 'visible', timeout: 20_000 });
    const after = await fetched(page);
    for (const f of OPEN_BUILD) assert.ok(after.includes(f), `${f} was not fetched for #/open: ${after}`);
    assert.equal(await page.locator('#app-full').getAttribute('hidden'), '', 'the full build handed over');
    assert.equal(await page.locator('#app-open').getAttribute('hidden'), null);
    // Each stylesheet once, in cascade order, though two builds asked for them.
    const order = await page.evaluate(() =>
      [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => new URL(l.href).pathname.split('/').pop().replace(/-[0-9a-f]+\.css$/, '.css')),
    );
    assert.deepEqual(order, ['style.css', ...FULL_CSS]);
    // Back to a page of the full build: the open build draws it, nothing more is fetched.
    const count = (await fetched(page)).length;
    await page.evaluate(() => { location.hash = '#/window?lang=en'; });
    await page.locator('#app-open [data-testid="page-window"]').waitFor({ state: 'visible', timeout: 15_000 });
    assert.deepEqual((await fetched(page)).slice(count).filter((f) => f.endsWith('.wasm') || f.endsWith('.js')), []);
    await screenshot(page, 'full-open-build-window-en');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('#/open from the first load fetches the open build only; when it cannot be fetched the stand-in says so', async () => {
  for (const lang of ['en', 'zh']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    try {
      await page.goto(routeUrl(await baseUrl(), '#/open', lang), { waitUntil: 'load' });
      await page.getByTestId('page-open').waitFor({ state: 'visible', timeout: 20_000 });
      const got = await fetched(page);
      for (const f of OPEN_BUILD) assert.ok(got.includes(f), `${f} was not fetched: ${got}`);
      assert.ok(!got.includes('synack-full_bg.wasm'), `the full build is not needed for #/open: ${got}`);
      assert.deepEqual(errors, [], lang);
    } finally {
      await context.close();
    }
    const failing = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const broken = await failing.newPage();
    const brokenErrors = collectErrors(broken);
    try {
      await broken.route('**/synack-open_bg.wasm', (route) => route.abort());
      await broken.goto(routeUrl(await baseUrl(), '#/open', lang), { waitUntil: 'load' });
      const alert = broken.getByTestId('load-full-error');
      await alert.waitFor({ timeout: 15_000 });
      assert.match(await alert.innerText(), lang === 'zh' ? /没能加载/ : /could not be loaded/);
      await screenshot(broken, `full-open-load-error-${lang}`);
      // The app is alive: a first-load scene still opens.
      await broken.evaluate((l) => { location.hash = `#/teardown?lang=${l}`; }, lang);
      await broken.getByTestId('page-teardown').waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok(brokenErrors.length > 0 && brokenErrors.every((e) => e.includes('synack-open')), brokenErrors.join('\n'));
    } finally {
      await failing.close();
    }
  }
});

// The first load's own wasm (its loader is Trunk.toml's pattern_script): if it cannot be
// fetched, the page says so in both languages instead of staying blank.
test('when the first-load wasm cannot be fetched the page says so', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.route(/\/synack-[0-9a-f]+_bg\.wasm$/, (route) => route.abort());
    await page.goto(routeUrl(await baseUrl(), '#/handshake', 'en'), { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="error"]', { timeout: 15_000 });
    const text = await page.getByTestId('load-error').innerText();
    assert.match(text, /could not load its WebAssembly module/);
    assert.match(text, /无法加载/);
    await screenshot(page, 'first-load-error');
  } finally {
    await context.close();
  }
});
