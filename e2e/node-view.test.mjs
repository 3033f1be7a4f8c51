// The Node.js view (api=node) speaks Node everywhere a reader meets a socket call: the scene's
// introduction, the case text, the "in more detail" section and the narration at every step of
// every case, in zh and en. A C call written bare (connect(), recv(), accept(), listen(),
// send(), close(), ...) is the C view's word and fails the test; Node's own names carry their
// object (socket.write(), server.listen(), net.connect()) and pass. The teaching paragraph under
// the narration is read at every step too. Also takes a screenshot of every scene in the Node
// view in both languages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, drawn, screenshot, LANGS, SCENES } from './lib.mjs';

const browser = useBrowser();

// A C socket call: the name and "()" with no object before it ("socket.write()" is Node's).
const C_CALL =
  /(?<![.\w])(connect|recv|recvfrom|recvmsg|accept|listen|send|sendto|sendmsg|close|shutdown|read|write|bind|socket|setsockopt|getsockopt)\(\)/;

export function cCalls(text) {
  const found = [];
  for (const line of text.split('\n')) {
    if (C_CALL.test(line)) found.push(line.trim());
  }
  return found;
}

test('the C-call check finds a bare C call and lets a Node call through', () => {
  assert.deepEqual(cCalls('The client calls connect().'), ['The client calls connect().']);
  assert.deepEqual(cCalls('服务器的 accept() 返回'), ['服务器的 accept() 返回']);
  assert.deepEqual(cCalls("socket.write() returns false; server.listen() and net.connect()"), []);
  assert.deepEqual(cCalls("the 'data' event, socket.end(), dgram socket.send()"), []);
});

const texts = async (page) =>
  page.evaluate(() =>
    ['.explain', '[data-testid="case-text"]', '[data-testid="explain"]', '.host-panel',
      '[data-testid="sticky"]', '[data-testid="udp"]', '[data-testid="backlog"]', '[data-testid="backlog-knobs"]',
      '[data-testid="compare"]']
      .flatMap((s) => [...document.querySelectorAll(s)])
      .map((e) => e.innerText)
      .join('\n'),
  );

/** Steps the player from the start to its end inside the page (a click and a frame per step,
 * without a round trip to the test each time), collecting the narration and the teaching
 * paragraph under it at every step; fails if the end is not reached. */
const narrationOfEveryStep = (page) =>
  page.evaluate(async () => {
    const q = (s) => document.querySelector(s);
    const frame = () => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
    const lines = [];
    q('[data-testid="start"]')?.click();
    await frame();
    for (let k = 0; k < 400; k++) {
      lines.push(q('.narr-lines')?.innerText ?? '');
      lines.push(q('[data-testid="teach"]')?.innerText ?? '');
      if (q('[data-testid="scrub"]').value === q('[data-testid="scrub"]').max) {
        return { lines: lines.join('\n'), steps: k, end: true };
      }
      q('[data-testid="step"]').click();
      await frame();
    }
    return { lines: lines.join('\n'), steps: 400, end: false };
  });

for (const [, scene] of SCENES) {
  for (const lang of LANGS) {
    test(`${scene} in the Node view (${lang}) names no C socket call in its texts or narration`, async () => {
      await onPage(browser, `#/${scene}`, lang, { params: { api: 'node' } }, async ({ page }) => {
        await drawn(page);
        // The teaching paragraphs' words and the Node view's are both in.
        await page.waitForSelector(`[data-testid=page-${scene}][data-words=in]`, { timeout: 15_000 });
        let ids = await page.locator('.cases button.case').evaluateAll((bs) =>
          bs.map((b) => b.dataset.testid.replace(/^case-/, '')),
        );
        await page.getByTestId('node-panel').waitFor({ timeout: 10_000 });
        await page.getByTestId('explain').waitFor({ timeout: 10_000 });
        await screenshot(page, `node-${scene}-${lang}`);
        if (scene === 'tcp-vs-udp') ids = ids.slice(0, 1); // message counts: the same calls
        assert.ok(ids.length >= 1, 'cases found');
        const bad = [];
        for (const id of ids) {
          await page.getByTestId(`case-${id}`).click();
          await page.waitForSelector(`[data-testid="case-${id}"][aria-pressed="true"]`);
          await page.getByTestId('explain').waitFor({ timeout: 10_000 });
          const seen = new Set((await texts(page)).split('\n'));
          const { lines, steps, end } = await narrationOfEveryStep(page);
          assert.ok(end, `${id}: the end is reached by stepping (${steps} steps)`);
          for (const l of lines.split('\n')) seen.add(l);
          for (const l of (await texts(page)).split('\n')) seen.add(l);
          for (const line of cCalls([...seen].join('\n'))) bad.push(`${id}: ${line}`);
        }
        assert.deepEqual(bad, [], `C calls in the Node view of ${scene} (${lang}):\n${bad.join('\n')}`);
      });
    });
  }
}

test('a program that imports a shared module is shown with that module under it', async () => {
  await onPage(browser, '#/teardown', 'en', { params: { api: 'node', case: 'client-closes' } }, async ({ page }) => {
    await drawn(page);
    await page.getByTestId('node-code').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('node-code').innerText(), /from '\.\.\/shared\/pair\.mjs'/);
    const used = page.getByTestId('node-used');
    assert.equal(await used.count(), 1);
    assert.match(await used.innerText(), /export async function connectedPair/);
    await used.scrollIntoViewIfNeeded();
    await screenshot(page, 'node-view-teardown-shared-module-en');
  });
});
