// Smoke test of the app shell: every route opens in Chinese and in English, shows its own
// page with real content, logs no console error, and leaves a screenshot in target/screenshots/.
// Also: an unknown route gets the not-found page, and the language and theme switches work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, screenshot, hasCjk, LANGS } from './lib.mjs';

/** Every route of the app and its test id (`data-testid="page-<id>"`). */
export const ROUTES = [
  ['#/', 'landing'],
  ['#/handshake', 'handshake'],
  ['#/teardown', 'teardown'],
  ['#/tcp-vs-udp', 'tcp-vs-udp'],
  ['#/sticky', 'sticky'],
  ['#/udp', 'udp'],
  ['#/backlog', 'backlog'],
  ['#/window', 'window'],
  ['#/ref/tcp-udp', 'ref-tcp-udp'],
  ['#/ref/ports', 'ref-ports'],
  ['#/ref/osi', 'ref-osi'],
  ['#/quiz', 'quiz'],
  ['#/open', 'open'],
];

const browser = useBrowser();

for (const lang of LANGS) {
  for (const [route, id] of ROUTES) {
    test(`${route} shows its page in ${lang}`, async () => {
      const { page, context, errors } = await openRoute(browser, route, lang);
      try {
        const main = page.getByTestId(`page-${id}`);
        await main.waitFor({ state: 'visible', timeout: 15_000 });
        const text = (await main.innerText()).trim();
        assert.ok(text.length > 20, `page-${id} has almost no text: ${JSON.stringify(text)}`);
        if (lang === 'zh') assert.ok(hasCjk(text), `page-${id} in zh shows no Chinese text`);
        assert.equal(await page.locator('html').getAttribute('lang'), lang === 'zh' ? 'zh-CN' : 'en');
        await screenshot(page, `smoke-${id}-${lang}`);
        assert.deepEqual(errors, [], `console errors on ${route} (${lang})`);
      } finally {
        await context.close();
      }
    });
  }

  test(`an unknown route shows not-found in ${lang}`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/no-such-page', lang);
    try {
      const nf = page.getByTestId('not-found');
      await nf.waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok((await nf.innerText()).trim().length > 10);
      await screenshot(page, `smoke-not-found-${lang}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('the language switch changes the text and is remembered', async () => {
  const { page, context, errors } = await openRoute(browser, '#/', 'en');
  try {
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
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the theme switch toggles light and dark', async () => {
  const { page, context, errors } = await openRoute(browser, '#/', 'en');
  try {
    await page.getByTestId('page-landing').waitFor();
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const before = await theme();
    await page.getByTestId('theme-switch').click();
    await page.waitForFunction((b) => document.documentElement.dataset.theme !== b, before);
    assert.notEqual(await theme(), before);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
