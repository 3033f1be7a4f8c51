// Where the site is put: `dist/` copied under a sub-folder of a host (a GitHub Pages project
// site, a course site), and a scene embedded by a course platform in a sandboxed iframe
// (`sandbox="allow-scripts"` without `allow-same-origin`: the page runs with an opaque origin,
// so every file it loads is a cross-origin request).
//
// Each test starts its own servers on dist/ (the suite's shared server is at the root).
// A page fetches its text after its first paint (src/texts.rs: a scene's teaching paragraphs,
// words/<scene>.tsv, and in the Node.js view its Node texts, words/node-<scene>.tsv): they must
// come from under the sub-folder and through the sandbox too, and a page that cannot have them
// must say so and still play. So must a reference page whose tables' words are such a file
// (words/ref-tcp-udp.tsv, words/ref-osi.tsv, words/ref-ports.tsv), and the quiz, whose
// questions' words are one per language (words/quiz-en.tsv here).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, startServer, collectErrors, screenshot, ROOT, ROUTES, SCENES } from './lib.mjs';

const browser = useBrowser();
const DIST = join(ROOT, 'dist');
const PCAP = join(ROOT, 'crates', 'capture', 'tests', 'data', 'retransmissions.pcapng');

/** True when the page's own stylesheet is applied (style.css sets the body's margin to 0;
 * a browser's default is 8px). */
const styled = (frameOrPage) =>
  frameOrPage.evaluate(() => getComputedStyle(document.body).margin === '0px');

const SCENE_IDS = new Set(SCENES.map(([, id]) => id));

/** Waits until scene page `id` has its texts in (`data-words`: loading, in or failed). */
async function wordsIn(frameOrPage, id) {
  const el = frameOrPage.locator(`[data-testid=page-${id}]`);
  await frameOrPage.waitForSelector(`[data-testid=page-${id}]:not([data-words=loading])`, { timeout: 15_000 });
  assert.equal(await el.getAttribute('data-words'), 'in', `${id}: its words arrived`);
}

// Two scenes in the Node.js view too: each fetches its own Node texts as well as its words.
const NODE_ROUTES = [['#/handshake', 'handshake'], ['#/backlog', 'backlog']];

test('under a sub-folder every route, the full build and a capture load', async () => {
  const site = await startServer(DIST, 0, { prefix: '/a/b/' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    for (const [route, id, api] of [...ROUTES, ...NODE_ROUTES.map(([r, i]) => [r, i, 'node'])]) {
      const page = await context.newPage();
      const errors = collectErrors(page);
      await page.goto(`${site.url}${route}?lang=en${api ? `&api=${api}` : ''}`, { waitUntil: 'load' });
      await page.getByTestId(`page-${id}`).waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok(await styled(page), `${route}: the stylesheet is applied under /a/b/`);
      if (SCENE_IDS.has(id) || ['ref-tcp-udp', 'ref-osi', 'ref-ports', 'quiz'].includes(id)) await wordsIn(page, id);
      if (api === 'node') {
        const texts = await page.evaluate(() =>
          performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.includes('/words/')),
        );
        assert.deepEqual(texts.sort(), [`/a/b/words/${id}.tsv`, `/a/b/words/node-${id}.tsv`], `${route}: the Node view's texts`);
        assert.match(await page.getByTestId('explain').innerText(), /Node/, `${route}: Node's own paragraphs`);
      }
      // Every file came from under the sub-folder, none from the host's root.
      const outside = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name))
          .filter((u) => u.origin === location.origin && !u.pathname.startsWith('/a/b/'))
          .map((u) => u.pathname),
      );
      assert.deepEqual(outside, [], `${route}: files requested outside /a/b/`);
      if (route === '#/open') {
        await page.getByTestId('open-input').setInputFiles(PCAP);
        await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 20_000 });
        await screenshot(page, 'hosting-subfolder-open');
      }
      assert.deepEqual(errors, [], `${route} under a sub-folder`);
      await page.close();
    }
  } finally {
    await context.close();
    await site.close();
  }
});

/** A course page on another origin that embeds `src` in a sandboxed frame. */
function coursePage(src) {
  return `<!doctype html><meta charset="utf-8"><title>course</title>
<h1>Week 3: TCP</h1>
<iframe id="scene" src="${src}" sandbox="allow-scripts" width="640" height="400" style="border:0"></iframe>`;
}

async function embedIn(siteOpts, route) {
  const site = await startServer(DIST, 0, { prefix: '/synack/', ...siteOpts });
  const course = await startServer(DIST, 0, {
    prefix: '/none/',
    pages: { '/course.html': coursePage(`${site.url}${route}`) },
  });
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(`${course.url.replace(/none\/$/, '')}course.html`, { waitUntil: 'load' });
  const frame = await (await page.waitForSelector('#scene')).contentFrame();
  const close = async () => {
    await context.close();
    await site.close();
    await course.close();
  };
  return { page, frame, errors, close };
}

for (const [route, id, name] of [
  ['#/handshake?embed=1&lang=zh', 'handshake', 'first load'],
  ['#/sticky?embed=1&lang=en', 'sticky', 'full build'],
  ['#/udp?embed=1&api=node&lang=zh', 'udp', 'Node.js view'],
]) {
  test(`a sandboxed embed of the ${name} is styled and drawn when the host allows CORS`, async () => {
    const { page, frame, errors, close } = await embedIn({ cors: true }, route);
    try {
      await frame.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
      await frame.getByTestId(`page-${id}`).waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await frame.evaluate(() => origin), 'null', 'the frame runs with an opaque origin');
      assert.ok(await styled(frame), 'the stylesheet passed its integrity check and applies');
      assert.ok((await frame.locator('g.seg').count()) > 0, 'the ladder is drawn');
      await wordsIn(frame, id);
      await screenshot(page, `hosting-sandbox-${id}`);
      assert.deepEqual(errors, [], `console errors in the sandboxed ${name}`);
    } finally {
      await close();
    }
  });
}

test('a sandboxed embed on a host without CORS says it could not load, in both languages', async () => {
  const { page, frame, close } = await embedIn({ cors: false }, '#/handshake?embed=1');
  try {
    await frame.waitForSelector('body[data-ready="error"]', { timeout: 20_000 });
    const text = await frame.getByTestId('load-error').innerText();
    assert.match(text, /could not load/);
    assert.match(text, /无法加载/);
    assert.match(text, /Access-Control-Allow-Origin/);
    await screenshot(page, 'hosting-sandbox-no-cors');
  } finally {
    await close();
  }
});

// The full build loaded later, where the site is put: a scene embedded in a sandboxed frame
// (first load) asked for presentation mode, which the full build draws, and the app under
// /course/synack/ going from a first-load scene to a reference page and to a scene of the full
// build, in both languages. Each step draws its page (a ladder with its arrows), never a blank
// frame, and nothing is fetched from outside the sub-folder.
for (const lang of ['zh', 'en']) {
  test(`a sandboxed embed hands itself to the full build and presents, drawn (${lang})`, async () => {
    const { page, frame, errors, close } = await embedIn({ cors: true }, `#/handshake?embed=1&lang=${lang}`);
    try {
      await frame.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
      assert.ok((await frame.locator('#app g.seg').count()) > 0, 'the first load draws the ladder');
      // The keyboard in the frame (a reader clicked or tabbed into it): `f` presents.
      await frame.getByTestId('step').focus();
      await page.keyboard.press('f');
      await frame.waitForSelector('#app-full .player.presenting', { timeout: 30_000 });
      await frame.waitForSelector('#app-full .presenting g.seg', { timeout: 15_000 });
      assert.equal(await frame.locator('#app').getAttribute('hidden'), '', 'the full build took the page over');
      assert.equal(await frame.evaluate(() => document.documentElement.lang.slice(0, 2)), lang);
      await screenshot(page, `hosting-sandbox-full-present-${lang}`);
      assert.deepEqual(errors, [], `console errors in the sandboxed frame (${lang})`);
    } finally {
      await close();
    }
  });

  test(`under /course/synack/ a first-load scene hands over to the full build and draws its pages (${lang})`, async () => {
    const site = await startServer(DIST, 0, { prefix: '/course/synack/' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const errors = collectErrors(page);
      await page.goto(`${site.url}#/handshake?lang=${lang}`, { waitUntil: 'load' });
      await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
      assert.ok((await page.locator('#app g.seg').count()) > 0, 'the first load draws the ladder');
      await page.evaluate((l) => { location.hash = `#/ref/ports?lang=${l}`; }, lang);
      await page.locator('#app-full [data-testid="page-ref-ports"]').waitFor({ state: 'visible', timeout: 30_000 });
      await page.evaluate((l) => { location.hash = `#/backlog?lang=${l}`; }, lang);
      await page.locator('#app-full [data-testid="page-backlog"]').waitFor({ state: 'visible', timeout: 15_000 });
      await page.waitForSelector('#app-full g.seg', { timeout: 15_000 });
      assert.ok(await styled(page), 'styled');
      const outside = await page.evaluate(() =>
        performance.getEntriesByType('resource').map((e) => new URL(e.name))
          .filter((u) => u.origin === location.origin && !u.pathname.startsWith('/course/synack/'))
          .map((u) => u.pathname),
      );
      assert.deepEqual(outside, [], 'files requested outside /course/synack/');
      await screenshot(page, `hosting-course-backlog-${lang}`);
      assert.deepEqual(errors, [], `console errors under /course/synack/ (${lang})`);
    } finally {
      await context.close();
      await site.close();
    }
  });
}

for (const [route, id, name] of [
  ['#/handshake?lang=en', 'handshake', 'first load'],
  ['#/sticky?lang=zh', 'sticky', 'full build'],
]) {
  test(`the ${name} says so when a scene's words cannot be fetched, and the scene still plays`, async () => {
    const site = await startServer(DIST, 0, { prefix: '/a/' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.route('**/words/*.tsv', (r) => r.abort());
      await page.goto(`${site.url}${route}`, { waitUntil: 'load' });
      await page.waitForSelector(`[data-testid=page-${id}][data-words=failed]`, { timeout: 20_000 });
      const text = await page.getByTestId('text-error').innerText();
      assert.match(text, id === 'sticky' ? /讲解段落没能加载/ : /could not be loaded/);
      assert.match(text, new RegExp(`words/${id}\\.tsv`));
      assert.ok((await page.locator('g.seg').count()) > 0, 'the ladder is drawn');
      await screenshot(page, `hosting-no-words-${id}`);
    } finally {
      await context.close();
      await site.close();
    }
  });
}

for (const lang of ['zh', 'en']) {
  test(`the Node.js view says so when its texts cannot be fetched, shows the C view's and still plays (${lang})`, async () => {
    const site = await startServer(DIST, 0, { prefix: '/a/' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const errors = collectErrors(page);
      await page.route('**/words/node-*.tsv', (r) => r.abort());
      await page.goto(`${site.url}#/teardown?api=node&lang=${lang}`, { waitUntil: 'load' });
      await page.waitForSelector('[data-testid=page-teardown][data-words=failed]', { timeout: 30_000 });
      const notice = page.getByTestId('text-error');
      assert.equal(await notice.count(), 1, 'one notice: the words came, the Node texts did not');
      assert.equal(await notice.getAttribute('data-file'), 'node-teardown');
      const text = await notice.innerText();
      assert.match(text, lang === 'zh' ? /Node\.js 视图的文字没能加载/ : /Node\.js view's texts could not be loaded/);
      assert.match(text, /words\/node-teardown\.tsv/);
      // The C view's introduction stands in, and the page plays.
      assert.ok((await page.locator('.explain p').first().innerText()).length > 20, 'an introduction is shown');
      await page.getByTestId('explain').waitFor({ timeout: 10_000 });
      assert.ok((await page.locator('g.seg').count()) > 0, 'the ladder is drawn');
      const before = await page.locator('.narr-lines').innerText();
      for (let k = 0; k < 3; k++) await page.getByTestId('step').click();
      assert.notEqual(await page.locator('.narr-lines').innerText(), before, 'stepping moves the narration on');
      await screenshot(page, `hosting-no-node-texts-${lang}`);
      // The aborted request is the one console error a failed fetch leaves.
      assert.deepEqual(errors.filter((e) => !/node-teardown\.tsv|ERR_FAILED|Failed to load resource/.test(e)), []);
    } finally {
      await context.close();
      await site.close();
    }
  });
}

test('a reference page says so when its tables cannot be fetched, and the site still works', async () => {
  const site = await startServer(DIST, 0, { prefix: '/a/' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.route('**/words/ref-tcp-udp.tsv', (r) => r.abort());
    await page.goto(`${site.url}#/ref/tcp-udp?lang=zh`, { waitUntil: 'load' });
    await page.waitForSelector('[data-testid=page-ref-tcp-udp][data-words=failed]', { timeout: 30_000 });
    const notice = page.getByTestId('text-error');
    assert.equal(await notice.getAttribute('data-file'), 'ref-tcp-udp');
    const text = await notice.innerText();
    assert.match(text, /表格文字没能加载/);
    assert.match(text, /words\/ref-tcp-udp\.tsv/);
    assert.ok((await page.locator('[data-testid=page-ref-tcp-udp] h1').innerText()).length > 0, 'the page has its title');
    await screenshot(page, 'hosting-no-ref-tcp-udp');
    // The rest of the site works: a scene opens and draws.
    await page.evaluate(() => { location.hash = '#/backlog?lang=zh'; });
    await page.waitForSelector('#app-full [data-testid=page-backlog] g.seg', { timeout: 15_000 });
  } finally {
    await context.close();
    await site.close();
  }
});

test('the OSI page says so when its table cannot be fetched, and its animation still plays', async () => {
  const site = await startServer(DIST, 0, { prefix: '/a/' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    for (const [lang, words] of [['zh', /分层对照表的文字没能加载/], ['en', /layer table's words could not be loaded/]]) {
      const page = await context.newPage();
      const errors = collectErrors(page);
      await page.route('**/words/ref-osi.tsv', (r) => r.abort());
      await page.goto(`${site.url}#/ref/osi?lang=${lang}`, { waitUntil: 'load' });
      await page.waitForSelector('[data-testid=page-ref-osi][data-words=failed]', { timeout: 30_000 });
      const notice = page.getByTestId('text-error');
      assert.equal(await notice.getAttribute('data-file'), 'ref-osi');
      const text = await notice.innerText();
      assert.match(text, words);
      assert.match(text, /words\/ref-osi\.tsv/);
      assert.equal(await page.locator('[data-testid^="osi-layer-"]').count(), 0, 'no table without its words');
      await screenshot(page, `hosting-no-ref-osi-${lang}`);
      // The animation needs none of the file's words.
      await page.getByTestId('osi-next').click();
      assert.equal(await page.getByTestId('osi-anim').getAttribute('data-step'), '1');
      assert.deepEqual(errors.filter((e) => !/words\/ref-osi\.tsv/.test(e)), [], 'no error but the aborted file');
      await page.close();
    }
  } finally {
    await context.close();
    await site.close();
  }
});
