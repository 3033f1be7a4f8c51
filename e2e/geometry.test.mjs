// Nothing on the ladder is printed over something else: the state pills of one lane (two
// changes at one instant used to stack), and the playhead's time label against the pills (it
// was drawn over the last lane's pill). Measured on the drawn page, at every step of each case.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute } from './lib.mjs';

const browser = useBrowser();

const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

for (const [route, cases] of [
  ['#/handshake', ['normal', 'syn-lost', 'simultaneous-open', 'closed-port']],
  ['#/teardown', ['client-closes', 'simultaneous-close', 'abort']],
]) {
  test(`${route}: pills and the playhead's time never overlap`, async () => {
    for (const c of cases) {
      const { page, context, errors } = await openRoute(browser, route, 'en', { params: { case: c } });
      try {
        await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
        const pills = await page.locator('.lad-marks g.pill rect').evaluateAll((rs) =>
          rs.map((r) => r.getBoundingClientRect()).map(({ left, right, top, bottom }) => ({ left, right, top, bottom })),
        );
        assert.ok(pills.length >= 2, `${c}: pills drawn`);
        for (let i = 0; i < pills.length; i++) {
          for (let j = i + 1; j < pills.length; j++) {
            assert.ok(!overlap(pills[i], pills[j]), `${c}: pills ${i} and ${j} overlap`);
          }
        }
        // Step through the run: the time label is clear of every pill at every step.
        for (let k = 0; k < 40; k++) {
          const label = await page.getByTestId('playhead-time').evaluate((t) => {
            const { left, right, top, bottom } = t.getBoundingClientRect();
            return { left, right, top, bottom };
          });
          const hit = pills.findIndex((p) => overlap(p, label));
          assert.equal(hit, -1, `${c}: the time label covers pill ${hit} at step ${k}`);
          const before = await page.getByTestId('scrub').inputValue();
          await page.getByTestId('step').click();
          if ((await page.getByTestId('scrub').inputValue()) === before) break;
        }
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
}
