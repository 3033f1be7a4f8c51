// End-to-end tests of the first-load scenes (handshake, teardown, TCP vs UDP) on the playback engine, in
// Chinese and English: play, scrub, step, parameters in the URL, copied links, embeds, export,
// and a screenshot of every scene and what-if under target/screenshots/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { useBrowser, openRoute, onPage, routeUrl, screenshot, baseUrl, collectErrors, hasCjk, LANGS, flowLangs } from './lib.mjs';

const SCENES = [
  ['#/handshake', 'handshake', ['normal', 'syn-lost', 'syn-ack-lost', 'final-ack-lost', 'simultaneous-open', 'closed-port']],
  ['#/teardown', 'teardown', ['client-closes', 'server-closes', 'last-ack-lost', 'half-close', 'simultaneous-close', 'abort']],
  ['#/tcp-vs-udp', 'tcp-vs-udp', ['8', '4', '16']],
];

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  await page.getByTestId('player').waitFor({ state: 'visible', timeout: 15_000 });
}

/** The playhead in µs, as the player reports it (after pending renders have settled). */
async function playhead(page) {
  await settle(page);
  return Number(await page.getByTestId('player').getAttribute('data-t'));
}

/** Waits two animation frames: Yew renders and effects (URL writes) run by then. */
async function settle(page) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/**
 * The parameters inside the hash, once `ok` holds of them (or 5 s have gone by: the caller's
 * assertion then says what was there). The page writes a changed parameter into the URL once
 * the reader stops changing them (src/dom.rs `replace_hash_later`, ~300 ms), as it does the
 * playhead.
 */
async function hashParamsOnce(page, ok) {
  await page
    .waitForFunction(`(${ok})(new URLSearchParams(location.hash.split('?')[1] ?? ''))`, null, { timeout: 5_000 })
    .catch(() => {});
  return hashParams(page);
}

function hashParams(page) {
  const h = new URL(page.url()).hash;
  return new URLSearchParams(h.includes('?') ? h.slice(h.indexOf('?') + 1) : '');
}

/** The drawn ladder without the playhead-dependent parts: what a link must reproduce. */
async function ladderSignature(page) {
  return page.locator('[data-testid="ladder"] g.segs').first().evaluate((g) => g.innerHTML);
}

for (const [route, id] of SCENES) {
  for (const lang of flowLangs()) {
    test(`${id} (${lang}): play, scrub back and forward, step`, async () => {
      await onPage(browser, route, lang, async ({ page }) => {
        await ready(page);
        const text = await page.getByTestId(`page-${id}`).innerText();
        if (lang === 'zh') assert.ok(hasCjk(text), 'Chinese text shown');
        assert.equal(await playhead(page), 0);
        // Play to the end: ] jumps there; the narration then describes the last moment.
        await page.keyboard.press(']');
        const end = await playhead(page);
        assert.ok(end > 0, 'the end is after the start');
        assert.ok((await page.getByTestId('narration').innerText()).trim().length > 5);
        // The playhead is written into the URL once stepping stops (src/dom.rs `replace_hash_later`).
        await page.waitForFunction(() => Number(new URLSearchParams(location.hash.split('?')[1] ?? '').get('t')) > 0);
        // Scrub back to the start with the timeline, then forward to the middle.
        const scrub = page.getByTestId('scrub');
        await scrub.fill('0');
        assert.equal(await playhead(page), 0);
        await scrub.fill('5000');
        const mid = await playhead(page);
        assert.ok(mid > 0 && mid < end, `middle ${mid} within (0, ${end})`);
        // Step back and forward by one moment.
        await page.getByTestId('step').click();
        const next = await playhead(page);
        assert.ok(next > mid, 'step moves forward');
        await page.keyboard.press('ArrowLeft');
        assert.ok((await playhead(page)) < next, 'step back moves back');
        // Play really animates (frames move the playhead), and Space pauses.
        await page.keyboard.press('[');
        await page.getByTestId('play').click();
        await page.waitForFunction(() => Number(document.querySelector('[data-testid=player]').dataset.t) > 0, null, { timeout: 10_000 });
        await page.keyboard.press(' ');
        assert.equal(await page.getByTestId('player').getAttribute('data-playing'), 'false');
      });
    });
  }
}

for (const lang of flowLangs()) {
  test(`changing loss and seed re-runs the model and updates the URL (${lang})`, async () => {
    await onPage(browser, '#/tcp-vs-udp', lang, async ({ page }) => {
      await ready(page);
      await page.keyboard.press(']');
      await settle(page);
      const before = await ladderSignature(page);
      // Loss 40 %: the slider commits on change.
      await page.getByTestId('loss').fill('40');
      await page.keyboard.press(']');
      assert.equal((await hashParamsOnce(page, (q) => q.get('loss') === '40')).get('loss'), '40');
      await settle(page);
      const lossy = await ladderSignature(page);
      assert.notEqual(lossy, before, 'more loss, another diagram');
      // A different seed gives different losses (try a few: two seeds may agree by chance).
      let changed = false;
      for (let i = 0; i < 5 && !changed; i++) {
        await page.getByTestId('seed-next').click();
        await page.keyboard.press(']');
        await settle(page);
        changed = (await ladderSignature(page)) !== lossy;
      }
      assert.ok(changed, 'another seed, another diagram');
      assert.ok(Number((await hashParamsOnce(page, (q) => Number(q.get('seed')) > 3)).get('seed')) > 3);
    });
  });
}

for (const lang of flowLangs()) {
  test(`a copied link reproduces the diagram in a fresh page (${lang})`, async () => {
    const { page, context } = await openRoute(browser, '#/handshake', lang, { params: { case: 'syn-ack-lost', loss: '10', seed: '7' } });
    try {
      await ready(page);
      await page.getByTestId('scrub').fill('6000');
      await page.getByTestId('copy-link').click();
      const link = await page.getByTestId('share-output').inputValue();
      assert.ok(link.includes('#/handshake?') && link.includes('seed=7') && link.includes('t='), link);
      const sig = await ladderSignature(page);
      const t = await playhead(page);
      await page.getByTestId('copy-embed').click();
      const embed = await page.getByTestId('share-output').inputValue();
      assert.match(embed, /^<iframe src="[^"]*embed=1[^"]*" width="640" height="400"/);

      const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const p2 = await fresh.newPage();
        const errors = collectErrors(p2);
        await p2.goto(link);
        await ready(p2);
        assert.equal(await ladderSignature(p2), sig, 'same diagram');
        assert.ok(Math.abs((await playhead(p2)) - t) <= 1, 'same playhead');
        assert.deepEqual(errors, []);
      } finally {
        await fresh.close();
      }
    } finally {
      await context.close();
    }
  });
}

for (const [w, h] of [[640, 400], [360, 640]]) {
  for (const lang of flowLangs()) {
    test(`embed mode fits ${w}x${h} without overflow (${lang})`, async () => {
      for (const [route, id] of SCENES) {
        const { page, context, errors } = await openRoute(browser, route, lang, {
          params: { embed: '1', t: '0.05' }, viewport: { width: w, height: h },
        });
        try {
          await ready(page);
          assert.equal(await page.getByTestId('site-header').count(), 0, 'no site header in embeds');
          const size = await page.evaluate(() => ({
            sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight,
            iw: innerWidth, ih: innerHeight,
          }));
          assert.ok(size.sw <= size.iw && size.sh <= size.ih, `${id} overflows: ${JSON.stringify(size)}`);
          await screenshot(page, `scene-${id}-embed-${w}x${h}-${lang}`);
          assert.deepEqual(errors, []);
        } finally {
          await context.close();
        }
      }
    });
  }
}

for (const lang of flowLangs()) {
  test(`every what-if draws and gets a screenshot (${lang})`, async () => {
    for (const [route, id, cases] of SCENES) {
      for (const c of cases) {
        await onPage(browser, route, lang, { params: { case: c }, allowErrors: true }, async ({ page, errors }) => {
          await ready(page);
          await page.keyboard.press(']');
          const segs = Number(await page.getByTestId('ladder').first().getAttribute('data-segments'));
          assert.ok(segs >= 1, `${id}/${c} draws segments`);
          await screenshot(page, `scene-${id}-${c}-${lang}`);
          assert.deepEqual(errors, [], `${id}/${c}`);
        });
      }
    }
  });
}

// On a first-load scene the first Export loads the full build, which draws its own page
// into `#app-full` and hides `#app` (`hidden`, out of the layout and the accessibility tree):
// the button a user can press is the visible one.
const exportButton = (page, id) => page.locator(`[data-testid="${id}"]:visible`);

test('SVG and PNG export produce real files', async () => {
  const { page, context } = await openRoute(browser, '#/handshake', 'en', { params: { case: 'syn-lost' } });
  try {
    await ready(page);
    await page.keyboard.press(']');
    for (const [button, check] of [
      ['export-svg', (b) => b.toString('utf8').includes('<svg') && b.toString('utf8').includes('SYN seq=0')],
      ['export-png', (b) => b.subarray(1, 4).toString('latin1') === 'PNG'],
    ]) {
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 10_000 }),
        exportButton(page, button).click(),
      ]);
      const body = await readFile(await download.path());
      assert.ok(body.length > 1000, `${button}: ${body.length} bytes`);
      assert.ok(check(body), `${button} content`);
    }
  } finally {
    await context.close();
  }
});

test('the TCP-vs-UDP export holds both ladders, side by side', async () => {
  const { page, context } = await openRoute(browser, '#/tcp-vs-udp', 'en');
  try {
    await ready(page);
    await page.keyboard.press(']');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10_000 }),
      exportButton(page, 'export-svg').click(),
    ]);
    const svg = (await readFile(await download.path())).toString('utf8');
    // One document, two ladders (one per column), each under its title.
    assert.equal((svg.match(/<svg[^>]*class="lad"/g) ?? []).length, 2, 'two ladders in the file');
    assert.ok(/>TCP<\/text>/.test(svg) && />UDP<\/text>/.test(svg), 'column titles');
    assert.ok(svg.includes('SYN seq=0') && svg.includes('UDP len='), 'TCP and UDP labels');
    const [png] = await Promise.all([
      page.waitForEvent('download', { timeout: 10_000 }),
      exportButton(page, 'export-png').click(),
    ]);
    const body = await readFile(await png.path());
    assert.equal(body.subarray(1, 4).toString('latin1'), 'PNG');
    // The PNG is drawn at 2×: its width (IHDR, bytes 16..20) covers both columns.
    const width = body.readUInt32BE(16);
    const onScreen = await page.evaluate(() =>
      // The visible app's two ladders (a hidden first-load app may still hold its own).
      [...document.querySelectorAll('[data-export] .split-col svg.lad')]
        .filter((s) => s.checkVisibility())
        .map((s) => s.viewBox.baseVal.width)
        .reduce((a, b) => a + b, 0),
    );
    assert.ok(width >= 2 * onScreen, `PNG width ${width} < 2 × ${onScreen}`);
  } finally {
    await context.close();
  }
});

test('bad URL values fall back to defaults with a visible notice', async () => {
  const { page, context, errors } = await openRoute(browser, '#/handshake', 'en', {
    params: { case: 'nope', loss: 'abc', speed: '99' },
  });
  try {
    await ready(page);
    const notice = page.getByTestId('url-notice');
    await notice.waitFor({ state: 'visible' });
    const text = await notice.innerText();
    assert.ok(text.includes('loss=abc') && text.includes('case=nope') && text.includes('speed=99'), text);
    assert.equal(hashParams(page).get('case'), 'normal');
    assert.equal(hashParams(page).get('loss'), null, 'the default loss is not written');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('inspector, state machine and comparison-table jumps', async () => {
  await onPage(browser, '#/handshake', 'zh', async ({ page }) => {
    await ready(page);
    await page.keyboard.press(']');
    await page.locator('[data-seg="1"] line.hit').first().click({ force: true });
    const insp = page.getByTestId('inspector');
    await insp.waitFor({ state: 'visible' });
    const itext = await insp.innerText();
    assert.ok(itext.includes('序号') && itext.includes('SYN'), itext);
    await screenshot(page, 'scene-handshake-inspector-zh');
    await page.getByTestId('view-states').click();
    const sd = page.getByTestId('state-diagram');
    await sd.waitFor({ state: 'visible' });
    assert.equal(await sd.locator('[data-state="ESTABLISHED"]').getAttribute('data-lit'), 'true');
    assert.equal((await hashParamsOnce(page, (q) => q.get('view') === 'states')).get('view'), 'states');
    await screenshot(page, 'scene-handshake-states-zh');
  });
  const second = await openRoute(browser, '#/tcp-vs-udp', 'en');
  try {
    await ready(second.page);
    const row = second.page.getByTestId('jump-2');
    const label = await row.innerText();
    await row.click();
    const t = await playhead(second.page);
    assert.ok(t > 0, `reliability row jumps to a retransmission (${label})`);
    assert.equal(await second.page.getByTestId('player').getAttribute('data-playing'), 'false');
    await screenshot(second.page, 'scene-tcp-vs-udp-jump-en');
  } finally {
    await second.context.close();
  }
});

// The ladder's first render already draws the diagram, at a width probed from the stylesheet
// before the ladder exists (Placement in src/engine/ladder.rs). If the page's nest of elements
// or its CSS changes and the probe no longer matches, the diagram is drawn twice on every first
// load (once at the wrong width): the first frame gets slower, though nothing looks wrong.
test('the first render draws each ladder at its final width', async () => {
  const cases = [
    ['#/handshake', {}, { width: 1280, height: 800 }],
    ['#/tcp-vs-udp', {}, { width: 1280, height: 800 }],
    ['#/teardown', {}, { width: 700, height: 900 }],
    ['#/tcp-vs-udp', {}, { width: 360, height: 640 }],
    ['#/handshake', { embed: '1' }, { width: 640, height: 400 }],
    ['#/tcp-vs-udp', { embed: '1' }, { width: 360, height: 640 }],
    // A scene of the full build, which renders into #app-full once it has loaded.
    ['#/sticky', {}, { width: 1280, height: 800 }],
  ];
  for (const [route, params, viewport] of cases) {
    const context = await browser.newContext({ viewport, colorScheme: 'light' });
    const page = await context.newPage();
    const errors = collectErrors(page);
    try {
      // Records every ladder as it enters the DOM: its width, and whether it is drawn already.
      await page.addInitScript(() => {
        const first = (window.__firstLadders = []);
        new MutationObserver(() => {
          for (const stack of document.querySelectorAll('.lad-stack')) {
            if (!stack.__seen) {
              stack.__seen = true;
              first.push([stack.style.width, stack.querySelectorAll('[data-testid="segment"]').length > 0]);
            }
          }
        }).observe(document, { subtree: true, childList: true });
      });
      await page.goto(routeUrl(await baseUrl(), route, 'en', params));
      await ready(page);
      await settle(page);
      const r = await page.evaluate(() => ({
        first: window.__firstLadders,
        now: [...document.querySelectorAll('.lad-stack')].map((s) => [s.style.width, true]),
        scroller: [...document.querySelectorAll('.ladder-scroll')].map((s) => s.clientWidth),
      }));
      const what = `${route} ${JSON.stringify(params)} at ${viewport.width}x${viewport.height}: ${JSON.stringify(r)}`;
      assert.ok(r.now.length >= 1, `a ladder is drawn (${what})`);
      // Same ladders (none remounted), drawn from the start, at the width they keep.
      assert.deepEqual(r.first, r.now, `drawn once, at its final width (${what})`);
      r.now.forEach(([w], i) => {
        assert.ok(Math.abs(parseFloat(w) - r.scroller[i]) <= 1, `the drawing fills its scroller (${what})`);
      });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

// The transport (timeline and controls) sticks to the bottom of the window: the play button is
// on the first screen of every scene, however tall its diagram and text, and nothing covers it.
// Before, it was below the first screen on all of them at 1280x800.
test('the play button is on the first screen of every scene', async () => {
  const routes = ['#/handshake', '#/teardown', '#/tcp-vs-udp', '#/sticky', '#/udp', '#/backlog', '#/window'];
  for (const [lang, viewport] of [['en', { width: 1280, height: 800 }], ['zh', { width: 1024, height: 700 }]]) {
    for (const route of routes) {
      await onPage(browser, route, lang, { viewport }, async ({ page }) => {
        await ready(page);
        await settle(page);
        const what = `${route} ${lang} at ${viewport.width}x${viewport.height}`;
        const onTop = await page.getByTestId('play').evaluate((b) => {
          const r = b.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return { bottom: r.bottom, top: r.top, covered: !(hit && b.contains(hit)) };
        });
        assert.ok(onTop.top >= 0 && onTop.bottom <= viewport.height, `play button on screen (${what}): ${JSON.stringify(onTop)}`);
        assert.equal(onTop.covered, false, `play button not covered (${what})`);
        // It works from there: one step forward moves the playhead.
        await page.getByTestId('step').click();
        assert.ok((await playhead(page)) > 0, `a step from the first screen (${what})`);
      });
    }
  }
  // On a phone the page is scrolled through anyway: there the transport stays in its place,
  // instead of covering a quarter of the screen with its wrapped rows.
  const { page, context } = await openRoute(browser, '#/handshake', 'zh', { viewport: { width: 360, height: 640 } });
  try {
    await ready(page);
    assert.equal(await page.getByTestId('transport').evaluate((t) => getComputedStyle(t).position), 'static');
  } finally {
    await context.close();
  }
});

// A burst (every send of 200 messages happens at t = 0) is summed up after the first lines, and
// the narration scrolls instead of pushing the playback controls far down the page.
test('a burst is summed up in the narration, which scrolls', async () => {
  for (const lang of LANGS) {
    await onPage(browser, '#/tcp-vs-udp', lang, { params: { messages: '200' } }, async ({ page }) => {
      await ready(page);
      await settle(page);
      const lines = await page.locator('[data-testid="narration"] .narr-lines p').allInnerTexts();
      assert.ok(lines.length > 10 && lines.length <= 41, `${lines.length} lines`);
      assert.match(lines.at(-1), lang === 'zh' ? /此刻还有 \d+ 件事/ : /and \d+ more at this moment/);
      // The sentences scroll in a box of their own; the step's teaching paragraph (one) follows.
      const box = await page.locator('[data-testid="narration"] .narr-lines').evaluate((el) =>
        ({ height: el.getBoundingClientRect().height, scrolls: el.scrollHeight > el.clientHeight + 1 }));
      assert.ok(box.height <= 200 && box.scrolls, `the narration scrolls instead of growing (${JSON.stringify(box)})`);
    });
  }
});

// Linux fires its TCP timers on the kernel's timer wheel, a little after the timeout the
// stack asked for: the SYN's 1 s RTO fires at 1.016 s. The narration and the ring's tooltip
// say the timeout and the firing; the ring counts down to the firing.
test("a running timer's ring names its timeout and counts down to the firing", async () => {
  const words = {
    zh: ['超时 1 秒', '1.016 秒后'],
    en: ['timeout 1 s', 'after 1.016 s'],
  };
  for (const lang of LANGS) {
    // At 0 the SYN's timer is armed (the narration says so); at 0.5 s it has 0.516 s to go.
    for (const [t, left] of [['0', '1.016 s'], ['0.5', '516.0 ms']]) {
      await onPage(browser, '#/handshake', lang, { params: { case: 'syn-lost', t } }, async ({ page }) => {
        await ready(page);
        const ring = page.locator('.timer').first();
        await ring.waitFor({ state: 'visible' });
        const title = await ring.getAttribute('title');
        for (const w of words[lang]) assert.ok(title.includes(w), `${lang}: ${title}`);
        assert.ok((await ring.innerText()).includes(left), `${lang} at ${t}: ${await ring.innerText()}`);
        if (t === '0') {
          const said = await page.getByTestId('narration').innerText();
          for (const w of words[lang]) assert.ok(said.includes(w), `${lang}: ${said}`);
          await page.locator('.narr-lines p', { hasText: words[lang][0] }).scrollIntoViewIfNeeded();
          await screenshot(page, `scene-handshake-syn-timer-${lang}`);
        }
      });
    }
  }
});
