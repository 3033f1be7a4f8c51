// The playhead in the link (src/dom.rs `replace_hash_later`, src/scenes/page.rs): a paused step
// no longer writes the URL at once (history.replaceState cost milliseconds a step), but a link
// copied right after a step carries the new playhead, the URL gets it once stepping stops, and a
// write put off is dropped when the reader has gone to another page meanwhile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, drawn } from './lib.mjs';

const browser = useBrowser();

/** The link's playhead, µs (`t=` is in seconds). */
const linkT = (link) => Math.round(Number(new URLSearchParams(link.split('?')[1] ?? '').get('t') ?? 0) * 1e6);
const playerT = async (page) => Number(await page.getByTestId('player').getAttribute('data-t'));

// The handshake's page shows no playhead (its step renders no page); the backlog's queues below
// the player do (its page renders for each step).
for (const [route, lang] of [['#/handshake', 'en'], ['#/backlog', 'zh']]) {
  test(`${route} (${lang}): a link copied at once after a step has the new playhead, the URL gets it too`, async () => {
    await onPage(browser, route, lang, async ({ page }) => {
      await drawn(page);
      for (const steps of [1, 3]) {
        for (let k = 0; k < steps; k++) await page.getByTestId('step').click();
        const t = await playerT(page);
        assert.ok(t > 0, 'the step moved the playhead');
        // No wait between the step and the copy.
        await page.getByTestId('copy-link').click();
        const link = await page.getByTestId('share-output').inputValue();
        assert.equal(linkT(link), t, `the copied link ${link} has the playhead`);
        await page.getByTestId('step').click();
        const next = await playerT(page);
        await page.waitForFunction((want) => {
          const t = new URLSearchParams(location.hash.split('?')[1] ?? '').get('t');
          return Math.round(Number(t) * 1e6) === want;
        }, next, { timeout: 5_000 });
      }
    });
  });
}

test('a playhead write put off is not made over the page the reader went to meanwhile', async () => {
  await onPage(browser, '#/handshake', 'en', async ({ page }) => {
    await drawn(page);
    await page.getByTestId('step').click();
    await page.getByTestId('step').click();
    await page.evaluate(() => { location.hash = '#/teardown?lang=en'; });
    await page.waitForSelector('[data-testid="page-teardown"]');
    // Longer than the write waits (300 ms).
    await page.waitForTimeout(800);
    // The teardown page writes its own parameters (its case); the handshake's playhead is not
    // among them.
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /^#\/teardown\?/);
    assert.equal(new URLSearchParams(hash.split('?')[1]).get('t'), null, hash);
  });
});
