// Smoke test of the app shell: every route opens in Chinese and in English, shows its own
// page with real content, logs no console error, leaves a screenshot in target/screenshots/,
// and an accessibility scan of the same page (axe-core, WCAG 2 A/AA rules) finds no serious or
// critical violation. Also: an unknown route gets the not-found page, and the language and
// theme switches work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBrowser, openRoute, onPage, screenshot, hasCjk, LANGS, ROUTES, ROOT } from './lib.mjs';

const browser = useBrowser();

const AXE = await readFile(join(ROOT, 'e2e', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** In the page, with axe-core added: its serious and critical violations of the WCAG 2 A/AA
 * rules, each named with an example element. */
async function seriousViolations(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× e.g. ${v.nodes[0]?.target?.join(' ')} — ${v.help}`);
  });
}

// The page's words and its accessibility are read on one load of it: the scan reads the page
// and changes nothing the words' checks read (it ran on a load of its own in
// keyboard.test.mjs, 26 more page loads a run).
for (const lang of LANGS) {
  for (const [route, id] of ROUTES) {
    test(`${route} shows its page in ${lang}, with no serious accessibility violation`, async () => {
      const { page, context, errors } = await openRoute(browser, route, lang);
      try {
        const main = page.getByTestId(`page-${id}`);
        await main.waitFor({ state: 'visible', timeout: 15_000 });
        const text = (await main.innerText()).trim();
        assert.ok(text.length > 20, `page-${id} has almost no text: ${JSON.stringify(text)}`);
        if (lang === 'zh') assert.ok(hasCjk(text), `page-${id} in zh shows no Chinese text`);
        // "Seed" means the random seed only: never the interview chapter this project started
        // from, which readers have not seen.
        assert.doesNotMatch(text, /种子文|原文|原表|\bthe seed\b|seed's|seed corrected|as the seed/i, `page-${id} (${lang})`);
        assert.equal(await page.locator('html').getAttribute('lang'), lang === 'zh' ? 'zh-CN' : 'en');
        await screenshot(page, `smoke-${id}-${lang}`);
        assert.deepEqual(errors, [], `console errors on ${route} (${lang})`);
        // The page drawn whole (its first frame) before the scan.
        await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 }).catch(() => {});
        assert.deepEqual((await seriousViolations(page)).map((v) => `${route}: ${v}`), [], `accessibility (${lang})`);
      } finally {
        await context.close();
      }
    });
  }

  test(`an unknown route shows not-found in ${lang}`, async () => {
    await onPage(browser, '#/no-such-page', lang, async ({ page }) => {
      const nf = page.getByTestId('not-found');
      await nf.waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok((await nf.innerText()).trim().length > 10);
      await screenshot(page, `smoke-not-found-${lang}`);
    });
  });
}

test('the language switch changes the text and is remembered', async () => {
  await onPage(browser, '#/', 'en', async ({ page }) => {
    const main = page.getByTestId('page-landing');
    await main.waitFor();
    assert.ok(!hasCjk(await page.locator('h1').first().innerText()));
    await page.getByTestId('lang-switch').click();
    await page.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.body.innerText));
    // The switch drops the `lang` URL parameter; after a reload the choice is remembered.
    assert.ok(!page.url().includes('lang='), `lang= still in ${page.url()}`);
    await page.reload();
    await main.waitFor();
    assert.ok(hasCjk(await main.innerText()), 'the chosen language was not remembered');
  });
});

test('the theme switch toggles light and dark', async () => {
  await onPage(browser, '#/', 'en', async ({ page }) => {
    await page.getByTestId('page-landing').waitFor();
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const before = await theme();
    await page.getByTestId('theme-switch').click();
    await page.waitForFunction((b) => document.documentElement.dataset.theme !== b, before);
    assert.notEqual(await theme(), before);
  });
});

test('a link value the page does not know is named in a notice; paths ignore case', async () => {
  for (const [route, params, key] of [
    ['#/handshake', { lang: 'fr' }, 'lang=fr'],
    ['#/handshake', { theme: 'neon' }, 'theme=neon'],
    ['#/handshake', { api: 'cobol' }, 'api=cobol'],
  ]) {
    await onPage(browser, route, undefined, { params }, async ({ page }) => {
      const notice = page.getByTestId('shell-notice');
      await notice.waitFor({ timeout: 15_000 });
      assert.match(await notice.innerText(), new RegExp(key.replace('=', '=')));
    });
  }
  await onPage(browser, '#/quiz', 'en', { params: { topic: 'zzz' } }, async ({ page }) => {
    const notice = page.getByTestId('url-notice');
    await notice.waitFor({ timeout: 15_000 });
    assert.match(await notice.innerText(), /topic=zzz/);
    await page.evaluate(() => { location.hash = '#/HANDSHAKE?lang=en'; });
    await page.getByTestId('page-handshake').waitFor({ timeout: 15_000 });
  });
});

test('the Node.js switch renames the socket calls and is kept in the link', async () => {
  await onPage(browser, '#/handshake', 'en', { params: { t: '0.1' } }, async ({ page }) => {
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    await page.getByTestId('api-switch').click();
    await page.waitForFunction(() => location.hash.includes('api=node'));
    // Narration at the end of the handshake: the client's connect returns as a 'connect' event.
    await page.getByTestId('end').click();
    await page.waitForFunction(() => /'connect'|'connection'/.test(document.querySelector('.narr-lines')?.innerText ?? ''), null, { timeout: 5_000 }).catch(() => {});
    const said = await page.locator('.narr-lines').innerText();
    assert.match(said, /'connect'|'connection'|net\.connect\(\)|socket\./, said);
    assert.doesNotMatch(said, /application calls (connect|accept|recv)\(\)|returns a new connection/, said);
    await page.getByTestId('copy-embed').click();
    assert.match(await page.getByTestId('share-output').inputValue(), /api=node/);
    await page.getByTestId('node-panel').waitFor({ timeout: 10_000 });
    await screenshot(page, 'node-view-handshake-en');
  });
});
