// Shared helpers of the end-to-end suite: Debian's Chromium driven by playwright-core, a static
// server for the release build in dist/, routes opened in a language, console errors collected,
// screenshots saved under target/screenshots/.
//
// The suite runs against SYNACK_BASE_URL when set (`cargo xtask test` serves dist/ and sets it);
// otherwise it starts its own server on dist/ (after `cargo xtask build`, `node --test e2e/`).

import { before, after } from 'node:test';
import { createServer } from 'node:http';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOTS = join(ROOT, 'target', 'screenshots');
export const LANGS = ['zh', 'en'];

/** `SYNACK_E2E_BOTH_LANGS=1`: every flow, and the per-step walk at every size, in both languages. */
export const BOTH_LANGS = process.env.SYNACK_E2E_BOTH_LANGS === '1';
let flowTurn = 0;
/** The languages of the next flow. A flow checks what a page does (plays, steps, keeps a link,
 * answers a key, fits a size), the same in both languages: it runs in one, the languages taking
 * turns from one flow of a file to the next, so that both are driven through every kind of page.
 * (With every flow in both, the suite took 16 of a CI run's 31 minutes on two cores.) What a page
 * *says* is read in both languages by the tests written for it: every route's words
 * (smoke.test.mjs), the Node.js view, the teaching paragraphs, the accessibility check, the
 * labels at t = 0 and the state machine's. `SYNACK_E2E_BOTH_LANGS=1` runs every flow in both. */
export function flowLangs() {
  return BOTH_LANGS ? LANGS : [LANGS[flowTurn++ % LANGS.length]];
}

/** `[lang]`, or both languages with `SYNACK_E2E_BOTH_LANGS=1`: for a walk that reads each size
 * in one language, the languages taking turns from size to size (labels and lines differ in
 * width by language, the layout by size). */
export const langsAt = (lang) => (BOTH_LANGS ? LANGS : [lang]);

/** The scene routes and their test ids, in the landing page's order. */
export const SCENES = [
  ['#/handshake', 'handshake'],
  ['#/teardown', 'teardown'],
  ['#/tcp-vs-udp', 'tcp-vs-udp'],
  ['#/sticky', 'sticky'],
  ['#/udp', 'udp'],
  ['#/backlog', 'backlog'],
  ['#/window', 'window'],
];

/** Every route of the app and its test id (`data-testid="page-<id>"`). */
export const ROUTES = [
  ['#/', 'landing'],
  ...SCENES,
  ['#/ref/tcp-udp', 'ref-tcp-udp'],
  ['#/ref/ports', 'ref-ports'],
  ['#/ref/osi', 'ref-osi'],
  ['#/quiz', 'quiz'],
  ['#/open', 'open'],
];


// Debian's chromium; Playwright must never download a browser of its own on these machines.
export const CHROMIUM = process.env.SYNACK_CHROMIUM ?? '/usr/bin/chromium';
const HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';
/** The test files' browser (`useBrowser`): Debian's Chromium headless shell (package
 * chromium-headless-shell: the same Blink and V8, without the browser's window; Playwright's
 * own choice for headless runs) when installed, else CHROMIUM; SYNACK_CHROMIUM sets both.
 * `chromium --headless` runs the whole browser, whose window compositor works for every frame
 * of the page and every navigation: a page load (about:blank, then a scene until drawn) took
 * the browser process 160-260 ms of CPU against 75-115 ms in the shell, the load in all
 * 440-810 ms against 320-555 ms (4 of 4 pairs, load 13-16), and the suite is CPU-bound on two
 * cores. The benchmarks and prerender.mjs keep CHROMIUM: frame times as a reader's browser,
 * window included, has them. */
export const TEST_CHROMIUM = process.env.SYNACK_CHROMIUM ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : CHROMIUM);
export const CHROMIUM_ARGS = [
  '--no-sandbox', // the suite runs as root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium switches for a file that walks steps and measures each two frames later (every step
 * of every case): frames as fast as the machine draws them, not 60 a second. Each frame is still
 * drawn whole (style, layout, paint); only the wait for the next vsync goes: a double frame took
 * 33 ms on an empty page, 20 ms with it, and geometry-steps' laptop walk 45 s against 39 s. Not
 * for every file: while a page loads, unthrottled frames cost more than they save (the page
 * loads of one-screen's sizes were slower with it). */
export const UNTHROTTLED_FRAMES = ['--disable-frame-rate-limit'];

/** Launches headless Chromium. Playwright gives every launch a fresh temporary profile
 * (user-data-dir) and removes it on close; each test also gets its own context, so
 * localStorage (the remembered language and theme) never leaks from one test to the next.
 * `moreArgs`: Chromium switches besides CHROMIUM_ARGS (bench/profile-knob.mjs's
 * SYNACK_PROFILE_FLAGS); `executablePath`: CHROMIUM, or TEST_CHROMIUM for the test files. */
export async function launch(moreArgs = [], executablePath = CHROMIUM) {
  // Imported here so that serve.mjs (which only needs the server) runs without it.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...moreArgs], headless: true });
}

/** One browser for a whole test file: launched before its first test, closed after its last,
 * together with the static server if this module started one. Call it once at the top level of
 * the file; the object it returns stands for the browser (it forwards to the launched one, which
 * does not exist yet when the file is loaded). `moreArgs`: Chromium switches for this file's
 * browser (`launch`). */
export function useBrowser(moreArgs = []) {
  let browser;
  before(async () => {
    browser = await launch(moreArgs, TEST_CHROMIUM);
  });
  after(async () => {
    await browser?.close();
    await stopServer();
  });
  return new Proxy(
    {},
    {
      get(_, key) {
        if (!browser) throw new Error(`the browser is used before it was launched (.${String(key)})`);
        const value = browser[key];
        return typeof value === 'function' ? value.bind(browser) : value;
      },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Static server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', // needed by WebAssembly.instantiateStreaming
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.pcapng': 'application/octet-stream',
};

/** Serves `dir` on 127.0.0.1 (port 0 = a free one). Resolves to { url, close }.
 * Options: `prefix` serves the folder under a sub-path ('/a/b/': the site at
 * http://127.0.0.1:port/a/b/, as a project site or a course page hosts it); `cors` adds
 * `Access-Control-Allow-Origin: *` to every answer (as common static hosts do); `pages` maps
 * extra paths to HTML text (a host page that embeds the site). */
export async function startServer(dir = join(ROOT, 'dist'), port = 0, { prefix = '/', cors = false, pages = {} } = {}) {
  const base = resolve(dir);
  await stat(join(base, 'index.html')).catch(() => {
    throw new Error(`${base}/index.html is missing: run \`cargo xtask build\` first`);
  });
  const server = createServer(async (req, res) => {
    try {
      const full = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (pages[full] !== undefined) {
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
        res.end(pages[full]);
        return;
      }
      if (!full.startsWith(prefix)) throw new Error('outside the prefix');
      const path = '/' + full.slice(prefix.length);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if (path.endsWith('/')) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...(cors ? { 'access-control-allow-origin': '*' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const url = `http://127.0.0.1:${server.address().port}${prefix}`;
  return { url, close: () => new Promise((ok) => server.close(ok)) };
}

let ownServer;
/** The base URL of the site under test (ends with '/'). */
export async function baseUrl() {
  if (process.env.SYNACK_BASE_URL) return process.env.SYNACK_BASE_URL.replace(/\/?$/, '/');
  ownServer ??= await startServer();
  return ownServer.url;
}

/** Stops the server baseUrl() may have started (call in `after`). */
export async function stopServer() {
  if (ownServer) await ownServer.close();
  ownServer = undefined;
}

// ---------------------------------------------------------------------------------------------
// Pages

/** The URL of a hash route in a language: routeUrl(base, '#/handshake', 'zh', { case: 'syn-lost' })
 * gives `<base>#/handshake?lang=zh&case=syn-lost` (the app keeps its parameters inside the hash). */
export function routeUrl(base, route, lang, params = {}) {
  const query = new URLSearchParams({ ...(lang ? { lang } : {}), ...params }).toString();
  return `${base}${route}${query ? `?${query}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Kept pages
//
// Opening a route in a new context costs 1-1.5 s of a core on two cores (a renderer process
// started, the wasm compiled cold); a page kept from an earlier test of the same file loads the
// route in 0.2-0.6 s. Each test file runs hundreds of page loads, so `openRoute` and `onPage`
// hand out a kept page when there is one for the same context options (language and colour
// scheme), set up as a new context would be: the site's local storage empty, loaded anew from
// about:blank (a change of the hash alone would not restart the app), the viewport set, the
// mouse off the page. A page is kept only when its test left nothing behind that outlives a
// navigation: it touched none of the page's or context's state of that kind (`TAINTS`), opened
// no other page, ended on the site's own origin and did not fail. `SYNACK_E2E_FRESH=1` gives
// every test a new context (to tell whether a failure comes from a kept page).

const FRESH = process.env.SYNACK_E2E_FRESH === '1';
/** Page and context members whose use outlives a navigation (listeners, routes, init scripts,
 * emulated media, timeouts, the clock, the context itself): a page they were used on is closed
 * after its test, not kept. */
const TAINTS = new Set([
  'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'route', 'routeFromHAR',
  'routeWebSocket', 'unroute', 'unrouteAll', 'addInitScript', 'exposeFunction', 'exposeBinding',
  'emulateMedia', 'setExtraHTTPHeaders', 'setDefaultTimeout', 'setDefaultNavigationTimeout',
  'addLocatorHandler', 'clock', 'coverage', 'request', 'context', 'close', 'newPage',
  'grantPermissions', 'clearPermissions', 'setGeolocation', 'setOffline', 'addCookies',
  'clearCookies', 'storageState', 'newCDPSession', 'pages', 'tracing', 'opener',
]);
/** Per browser: the kept { context, page, cdp, key } waiting for a test. */
const keptPages = new WeakMap();

/** `target` as a test sees it: every member works as on the object itself, but those in
 * `own` ({ name: value }); using one of `TAINTS` marks `lease` tainted. */
function watched(target, lease, own = {}) {
  return new Proxy(target, {
    get(t, key) {
      if (Object.hasOwn(own, key)) return own[key];
      if (TAINTS.has(key)) lease.tainted = true;
      const value = t[key];
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

/** A page on a new or kept context with these options: { context, page, cdp, key, tainted,
 * released }. */
async function leasePage(browser, { viewport, locale, colorScheme }) {
  const key = JSON.stringify({ locale, colorScheme });
  const pool = keptPages.get(browser) ?? [];
  keptPages.set(browser, pool);
  const i = FRESH ? -1 : pool.findIndex((k) => k.key === key);
  if (i >= 0) {
    const lease = pool.splice(i, 1)[0];
    lease.tainted = false;
    lease.released = false;
    await lease.page.setViewportSize(viewport);
    return lease;
  }
  const context = await browser.newContext({ viewport, locale, colorScheme });
  const page = await context.newPage();
  return { context, page, cdp: null, key, tainted: false, released: false };
}

/** Gives the page back after its test: kept for the next one when nothing it did outlives a
 * navigation (see above), else closed with its context. */
async function releasePage(browser, lease, { failed = false } = {}) {
  // Once: a test may close its context twice.
  if (lease.released) return;
  lease.released = true;
  const { context, page } = lease;
  let keep = !FRESH && !failed && !lease.tainted && !page.isClosed() && context.pages().length === 1;
  const site = new URL(await baseUrl()).origin;
  keep &&= new URL(page.url()).origin === site;
  if (keep) {
    try {
      await page.goto('about:blank');
      lease.cdp ??= await context.newCDPSession(page);
      await lease.cdp.send('Storage.clearDataForOrigin', { origin: site, storageTypes: 'local_storage,cookies' });
      await page.mouse.move(-1, -1);
      (keptPages.get(browser) ?? []).push(lease);
      return;
    } catch {
      // Closed below, like any page not kept.
    }
  }
  await context.close().catch(() => {});
}

/** Opens a route in a page of its own (a new context, or a kept one set up as new: see "Kept
 * pages"). Returns { page, context, errors }, where `errors` collects console errors, uncaught
 * exceptions and failed requests as they happen; `context.close()` ends the test's use of both. */
export async function openRoute(browser, route, lang, { params = {}, viewport, colorScheme } = {}) {
  const lease = await leasePage(browser, {
    viewport: viewport ?? { width: 1280, height: 800 },
    locale: lang === 'zh' ? 'zh-CN' : 'en-US',
    colorScheme: colorScheme ?? 'light',
  });
  const { page } = lease;
  const errors = collectErrors(page);
  const context = watched(lease.context, lease, {
    close: async () => {
      errors.stop();
      await releasePage(browser, lease);
    },
  });
  try {
    await page.goto(routeUrl(await baseUrl(), route, lang, params), { waitUntil: 'load' });
  } catch (e) {
    errors.stop();
    await releasePage(browser, lease, { failed: true });
    throw e;
  }
  return { page: watched(page, lease), context, errors, lease };
}

/** Opens a route like `openRoute` (options, if any, before the body), runs
 * `body({ page, errors })`, then checks that the page logged no error (unless `allowErrors`)
 * and gives the page back, whatever happened. */
export async function onPage(browser, route, lang, ...rest) {
  const body = rest.pop();
  const { allowErrors = false, ...options } = rest[0] ?? {};
  const { page, errors, lease } = await openRoute(browser, route, lang, options);
  let failed = true;
  try {
    await body({ page, errors });
    if (!allowErrors) assert.deepEqual(errors, []);
    failed = false;
  } finally {
    errors.stop();
    await releasePage(browser, lease, { failed });
  }
}

/** Holds back the page's requests matching `pattern` until the returned function is called (to
 * see what a page shows while a file is on its way). */
export async function holdRoute(page, pattern) {
  let release;
  const held = new Promise((r) => {
    release = r;
  });
  await page.route(pattern, async (r) => {
    await held;
    await r.continue();
  });
  return release;
}

/** Waits until the app has drawn its first frame (`body[data-ready]`) and every ladder on it
 * whole: a new drawing is first written near its view only (`.lad-stack[data-near]`, see
 * LadderView in src/engine/ladder.rs), the rest once the reader pauses. */
export async function drawn(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  await whole(page);
}

/** Waits until no ladder on the page is written near its view only (see `drawn`). */
export async function whole(page) {
  await page.waitForFunction(() => !document.querySelector('.lad-stack[data-near]'), null, { timeout: 15_000 });
}

/** Calls `each(k)` at the player's playhead, then steps it with the Step button, until the
 * playhead stops moving or `most` steps were taken. */
export async function stepThrough(page, most, each) {
  for (let k = 0; k < most; k++) {
    await each(k);
    const before = await page.getByTestId('scrub').inputValue();
    await page.getByTestId('step').click();
    if ((await page.getByTestId('scrub').inputValue()) === before) break;
  }
}

/** Two animation frames: a render and its effects have run by then. */
export const frames = (page) => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

/** The cases of the scene on screen, by test id. */
export const caseIds = (page) => page.locator('.cases button[data-testid^="case-"]').evaluateAll((bs) => bs.map((b) => b.dataset.testid));

/** Walks the player of the page on screen inside the page, and returns what `measures` read at
 * each stop: [{ c: caseId (null without `cases`), k: step, got: { name: value } }].
 * `measures` is { name: () => value }, functions run in the page (self-contained, as
 * `page.evaluate` runs them), two frames after the playhead got to each stop. Options:
 * - `cases`: every case of the scene in turn, each picked by clicking its button in the page
 *   (as a click under the presenter's cover picks it); else the case on screen;
 * - `from`: where each case starts: '[' (its start), ']' (its end) or null (where it is);
 * - `most`: at most this many stops (0: one), the Step button pressed between two, ending early
 *   where the playhead stays at the end. A Step press that leaves it short of the end throws
 *   (where a walk by the scrubber's value alone stopped early without a word).
 * One `page.evaluate` per scene: a Playwright click and round trips at every step made the walks
 * through every step the suite's largest cost (130-180 ms a step, now about 40). */
export async function walkPlayer(page, { cases = false, from = null, most = 0 }, measures) {
  const fns = Object.entries(measures).map(([name, f]) => `${JSON.stringify(name)}: (${f})`).join(',\n');
  return page.evaluate(`(async () => {
    const measures = {${fns}};
    const [most, from, everyCase] = ${JSON.stringify([Number(most), from, Boolean(cases)])};
    const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
    const frames = async () => { await frame(); await frame(); };
    // A task: the render a click schedules (a microtask) has run by then.
    const task = () => new Promise((ok) => setTimeout(ok, 0));
    const $ = (id) => document.querySelector('[data-testid="' + id + '"]');
    // Where the playhead is: the player's own \`data-t\` (µs); the scrubber is too coarse (two
    // moments a few µs apart share its position: the UDP scene's lost datagram).
    const at = () => $('player').dataset.t;
    const key = (k) => document.body.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    const out = [];
    const cases = everyCase
      ? [...document.querySelectorAll('.cases button[data-testid^="case-"]')].map((b) => b.dataset.testid)
      : [null];
    for (const c of cases) {
      if (c) {
        $(c).click();
        for (let t = 0; $(c).getAttribute('aria-pressed') !== 'true'; t++) {
          if (t > 500) throw new Error(c + ' was not pressed');
          await task();
        }
      }
      if (from) {
        key(from);
        await task();
      }
      for (let k = 0; ; k++) {
        await frames();
        const got = {};
        for (const [name, f] of Object.entries(measures)) got[name] = f();
        out.push({ c, k, got });
        if (k + 1 >= Math.max(most, 1)) break;
        const before = at();
        const end = $('scrub').value === $('scrub').max;
        $('step').click();
        await task();
        if (at() === before && end) break;
        // Short of the end and unmoved: a render still on its way (a busy machine). Three
        // seconds and 180 frames at least (frames come faster than 60 a second in a browser
        // launched with UNTHROTTLED_FRAMES).
        const since = performance.now();
        for (let t = 0; at() === before; t++) {
          if (t > 180 && performance.now() - since > 3000) throw new Error((c ?? 'the case on screen') + ': the Step button left the playhead at ' + $('scrub').value + ' of ' + $('scrub').max);
          await frame();
        }
      }
    }
    return out;
  })()`);
}

/** Every step of every case, each case from its start (`walkPlayer`). */
export const eachCaseStep = (page, most, measures) => walkPlayer(page, { cases: true, from: '[', most }, measures);

/** In the page: every visible label of the player's ladders as the quadrilateral it covers on
 * screen (as `labelClashes` measures them: the text's SVG box less a sixth of its height
 * above and below, mapped to the screen), and every arrow's shaft as a thin quadrilateral
 * (1.5 px either side), their parts under the arrows' cover left out. Returns
 * { labels: [{ what, kind, drawing, seg, q }], shafts: [{ drawing, seg, q }] }: `kind` is "why"
 * for a drop reason, "time" for the playhead's time, "arrow" for the rest; `drawing` which of
 * the player's ladders (TCP vs UDP draws two), `seg` the arrow's index in it. Compare only
 * what one drawing holds: each ladder scrolls in its own box, which hides what lies outside
 * it, and the part of one ladder its box hides can lie, on screen, where the other ladder is
 * seen (TCP vs UDP on a phone stacks them, and the scroll that follows the playhead comes a
 * frame after the render). */
export const ladderQuadsInPage = () => {
  /** The part of a convex polygon above the line y = `cut` (one step of Sutherland–Hodgman). */
  const clipAbove = (poly, cut) => poly.flatMap((p, i) => {
    const q = poly[(i + 1) % poly.length];
    const out = p[1] <= cut ? [p] : [];
    if ((p[1] <= cut) !== (q[1] <= cut)) {
      const f = (cut - p[1]) / (q[1] - p[1]);
      out.push([p[0] + (q[0] - p[0]) * f, cut]);
    }
    return out;
  });
  /** The part of a convex polygon under the line y = `cut`. */
  const clipBelow = (poly, cut) => clipAbove(poly.map(([x, y]) => [x, -y]), -cut).map(([x, y]) => [x, -y]);
  const labels = [];
  const shafts = [];
  const toScreen = (m, [x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
  for (const [drawing, stack] of [...document.querySelectorAll('[data-testid="player"] .lad-stack')].entries()) {
    const reveal = Number(stack.dataset.reveal);
    // The live layer's copies of labels that show whole over the cover: seen under its line.
    for (const t of stack.querySelectorAll('g.shown text')) {
      const b = t.getBBox();
      const own = t.getCTM();
      const m = t.getScreenCTM();
      if (!m || b.width === 0 || !t.textContent.trim()) continue;
      const d = b.height / 6;
      const corners = [[b.x, b.y + d], [b.x + b.width, b.y + d], [b.x + b.width, b.y + b.height - d], [b.x, b.y + b.height - d]];
      const seen = clipBelow(corners.map((p) => toScreen(own, p)), reveal).map((p) => toScreen(own.inverse(), p));
      if (seen.length < 3) continue;
      const seg = t.closest('g.seg')?.dataset.seg ?? null;
      labels.push({ what: t.textContent.trim(), kind: t.classList.contains('why') ? 'why' : 'arrow', drawing, seg, q: seen.map((p) => toScreen(m, p)) });
    }
    for (const t of stack.querySelectorAll('g.segs text, [data-testid="playhead-time"]')) {
      const b = t.getBBox();
      const m = t.getScreenCTM();
      if (!m || b.width === 0 || !t.textContent.trim()) continue;
      const d = b.height / 6;
      const corners = [[b.x, b.y + d], [b.x + b.width, b.y + d], [b.x + b.width, b.y + b.height - d], [b.x, b.y + b.height - d]];
      const time = t.dataset.testid === 'playhead-time';
      // An arrow's label is seen only above the arrows' cover: the part of it under the reveal
      // line (in the drawing's own coordinates) is cut off, and none of it is left when it lies
      // wholly under.
      const own = t.getCTM();
      const seen = time ? corners : clipAbove(corners.map((p) => toScreen(own, p)), reveal)
        .map((p) => toScreen(own.inverse(), p));
      if (seen.length < 3) continue;
      const q = seen.map((p) => toScreen(m, p));
      const seg = t.closest('g.seg')?.dataset.seg ?? null;
      labels.push({ what: t.textContent.trim(), kind: time ? 'time' : t.classList.contains('why') ? 'why' : 'arrow', drawing, seg, q });
    }
    for (const l of stack.querySelectorAll('g.segs g.seg line.shaft')) {
      let [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((a) => l[a].baseVal.value);
      if (Math.min(y1, y2) > reveal) continue;
      // Cut where the cover starts (arrows run down the drawing: y2 >= y1).
      if (y2 > reveal && y2 !== y1) {
        x2 = x1 + ((x2 - x1) * (reveal - y1)) / (y2 - y1);
        y2 = reveal;
      }
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      const [nx, ny] = [(-(y2 - y1) / len) * 1.5, ((x2 - x1) / len) * 1.5];
      const m = l.getScreenCTM();
      const q = [[x1 + nx, y1 + ny], [x2 + nx, y2 + ny], [x2 - nx, y2 - ny], [x1 - nx, y1 - ny]].map((p) => toScreen(m, p));
      shafts.push({ drawing, seg: l.closest('g.seg').dataset.seg, q });
    }
  }
  return { labels, shafts };
};

/** Whether two convex polygons overlap by more than half a pixel (separating axes). */
export function quadsMeet(p, q) {
  const span = (poly, [ax, ay]) => poly.reduce(([lo, hi], [x, y]) => [Math.min(lo, x * ax + y * ay), Math.max(hi, x * ax + y * ay)], [Infinity, -Infinity]);
  return [p, q].every((poly) => poly.every((v, i) => {
    const w = poly[(i + 1) % poly.length];
    const n = Math.hypot(w[0] - v[0], w[1] - v[1]) || 1;
    const axis = [(v[1] - w[1]) / n, (w[0] - v[0]) / n];
    const [a0, a1] = span(p, axis);
    const [b0, b1] = span(q, axis);
    return a1 - 0.5 > b0 && b1 - 0.5 > a0;
  }));
}

/** True when two client rectangles ({ left, right, top, bottom }) share more than half a pixel
 * each way. */
export const overlap = (a, b) =>
  a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

export function collectErrors(page) {
  const errors = [];
  // Browsers ask for /favicon.ico on their own; the app does not ship one, so that 404 is not
  // the app's error. Every other failed load is.
  const favicon = (url) => new URL(url, 'http://x').pathname === '/favicon.ico';
  const listeners = {
    console: (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location()?.url ?? '';
      if (msg.text().startsWith('Failed to load resource') && where && favicon(where)) return;
      errors.push(`console: ${msg.text()}${where ? ` (${where})` : ''}`);
    },
    pageerror: (err) => errors.push(`page error: ${err.message}`),
    requestfailed: (req) => errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`),
    response: (res) => {
      if (res.status() >= 400 && !favicon(res.url())) errors.push(`HTTP ${res.status()}: ${res.url()}`);
    },
  };
  for (const [event, f] of Object.entries(listeners)) page.on(event, f);
  // Not enumerable: `errors` compares equal to a plain array of messages.
  Object.defineProperty(errors, 'stop', {
    value: () => {
      for (const [event, f] of Object.entries(listeners)) page.off(event, f);
    },
  });
  return errors;
}

/** Saves a full-page screenshot as target/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  // A full-page capture keeps the window's height for layout: the player's transport, which
  // sticks to the window's bottom, would be drawn there, over the diagram, and leave a gap where
  // it belongs. The capture shows it in its place in the page instead.
  await page.evaluate(() => {
    const s = document.createElement('style');
    s.id = 'e2e-unstick';
    s.textContent = '.transport{position:static!important;box-shadow:none!important}';
    document.head.append(s);
  });
  try {
    await page.screenshot({ path, fullPage: true });
  } finally {
    await page.evaluate(() => document.getElementById('e2e-unstick')?.remove());
  }
  return path;
}

/** True when the text contains Chinese characters (CJK Unified Ideographs). */
export const hasCjk = (text) => /[\u4e00-\u9fff]/.test(text);

/** The ladder's visible labels that are printed over one another: every text of the drawn
 * ladders (arrow labels, their options, drop reasons, time ticks, folds, the playhead's time)
 * and every state pill (its box, with its name inside). Each is the quadrilateral it covers on
 * screen (labels run along their arrows, turned with them): its box in its own coordinates
 * (SVG getBBox, the glyph cells less the font's internal leading, a sixth of their height above
 * and below, so that two lines set close are not counted as touching where no ink meets),
 * mapped to the screen. Returns { count, pairs }: how many were measured and the overlapping
 * pairs (by more than half a pixel), named. */
export async function labelClashes(page) {
  // The whole drawing, not its part near the view (see `drawn`).
  await whole(page);
  return page.evaluate(() => {
    const quads = [];
    const seen = (el) => {
      const s = getComputedStyle(el);
      return s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0;
    };
    const quad = (el, lead) => {
      const b = el.getBBox();
      const m = el.getScreenCTM();
      if (!m || b.width === 0 || b.height === 0) return null;
      const d = b.height * lead;
      return [[b.x, b.y + d], [b.x + b.width, b.y + d], [b.x + b.width, b.y + b.height - d], [b.x, b.y + b.height - d]]
        .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    };
    const bounds = (q) => ({
      left: Math.min(...q.map((v) => v[0])), right: Math.max(...q.map((v) => v[0])),
      top: Math.min(...q.map((v) => v[1])), bottom: Math.max(...q.map((v) => v[1])),
    });
    for (const stack of document.querySelectorAll('[data-testid="player"] .lad-stack')) {
      for (const r of stack.querySelectorAll('.lad-marks g.pill rect')) {
        const q = seen(r) && quad(r, 0);
        if (q) quads.push({ what: `pill ${r.parentNode.dataset.state}`, q, box: bounds(q) });
      }
      for (const t of stack.querySelectorAll('text')) {
        if (t.closest('g.pill') || !t.textContent.trim() || !seen(t)) continue;
        const q = quad(t, 1 / 6);
        if (q) quads.push({ what: `"${t.textContent.trim()}"`, q, box: bounds(q) });
      }
    }
    // Separating axes: two convex quadrilaterals overlap unless the edges' normals of one of
    // them separate them.
    const span = (q, [ax, ay]) => q.reduce(([lo, hi], [x, y]) => [Math.min(lo, x * ax + y * ay), Math.max(hi, x * ax + y * ay)], [Infinity, -Infinity]);
    const hit = (p, q) => [p, q].every((poly) => poly.every((v, i) => {
      const w = poly[(i + 1) % 4];
      const n = Math.hypot(w[0] - v[0], w[1] - v[1]) || 1;
      const axis = [(v[1] - w[1]) / n, (w[0] - v[0]) / n];
      const [a0, a1] = span(p, axis);
      const [b0, b1] = span(q, axis);
      return a1 - 0.5 > b0 && b1 - 0.5 > a0;
    }));
    const pairs = [];
    for (let i = 0; i < quads.length; i++) {
      for (let j = i + 1; j < quads.length; j++) {
        const [a, b] = [quads[i].box, quads[j].box];
        const near = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        if (near && hit(quads[i].q, quads[j].q)) pairs.push(`${quads[i].what} × ${quads[j].what}`);
      }
    }
    return { count: quads.length, pairs };
  });
}

/** Whether each ladder's view shows its playhead, and the arrow that ended last before it not
 * under the view's bottom: the view follows the playhead, also when the area around it is
 * redrawn (another language, the controls appearing). Shown means where a reader sees it: inside
 * the ladder's scrolling box, inside the window, under the site's header (on the page) and above
 * the controls (which stick to the window's bottom where the page is longer than the window).
 * Returns the problems found, named (empty: in view). A ladder whose drawing ends above the
 * playhead (TCP vs UDP's shorter column) is skipped. */
export function playheadInView(page) {
  return page.evaluate(() => {
    const out = [];
    const player = document.querySelector('[data-testid="player"]');
    const bar = player?.querySelector('.transport')?.getBoundingClientRect();
    const header = [...document.querySelectorAll('[data-testid="site-header"]')].find((h) => h.getBoundingClientRect().height > 0);
    const ceiling = header && !player?.classList.contains('presenting') ? header.getBoundingClientRect().bottom : 0;
    for (const scroller of document.querySelectorAll('[data-testid="player"] .ladder-scroll')) {
      const box = scroller.getBoundingClientRect();
      const view = {
        top: Math.max(box.top, 0, ceiling),
        bottom: Math.min(box.bottom, innerHeight, bar ? bar.top : Infinity),
      };
      const stack = scroller.querySelector('.lad-stack');
      const line = scroller.querySelector('[data-testid="playhead"]');
      if (!stack || !line) continue;
      const ph = line.getBoundingClientRect();
      const y = (ph.top + ph.bottom) / 2;
      if (y > stack.getBoundingClientRect().bottom) continue;
      if (y < view.top - 0.5 || y > view.bottom + 0.5) {
        out.push(`the playhead (y ${y.toFixed(1)}) is outside the view (${view.top.toFixed(1)}–${view.bottom.toFixed(1)}: its box ${box.top.toFixed(1)}–${box.bottom.toFixed(1)}, the window 0–${innerHeight}, the header's bottom ${ceiling.toFixed(1)}, the controls' top ${bar ? bar.top.toFixed(1) : 'none'})`);
      }
      const ended = [...stack.querySelectorAll('g.seg line.shaft')]
        .map((l) => l.getBoundingClientRect().bottom)
        .filter((b) => b <= y + 1);
      const last = Math.max(...ended);
      if (ended.length && last > view.bottom + 0.5) {
        out.push(`the last arrow ends ${(last - view.bottom).toFixed(1)} px under the view`);
      }
    }
    return out;
  });
}

/** Runs in a page with [`WASM_PROBE`]: how many wasm-bindgen closures the page's wasm
 * instances hold (JS functions in their tables of JS values: each one a Rust closure that is
 * still alive). A count that grows with something the user repeats is a leak. */
export const CLOSURES_HELD = () => {
  let n = 0;
  for (const { externrefs: table } of window.__synackWasm) {
    for (let i = 0; table && i < table.length; i++) {
      const v = table.get(i);
      if (typeof v === 'function' && '_wbg_cb_unref' in v) n++;
    }
  }
  return n;
};

/** An init script (before the page's scripts): keeps each wasm instance's memory and its
 * wasm-bindgen table of JS values (`externrefs`: what Rust holds, closures included), with the
 * URL of its module, in `window.__synackWasm` (e2e/memory.test.mjs reads their stacks and
 * counts the closures, e2e/bench/knobs.mjs reads their sizes). */
export const WASM_PROBE = () => {
  window.__synackWasm = [];
  const urls = new WeakMap();
  const W = WebAssembly;
  const urlOf = async (src) => (await src)?.url ?? null;
  const keep = (instance, url) => {
    const { memory, __wbindgen_externrefs: externrefs } = instance?.exports ?? {};
    if (memory) window.__synackWasm.push({ url, memory, externrefs });
  };
  const compileStreaming = W.compileStreaming;
  W.compileStreaming = async (src) => {
    const url = await urlOf(src);
    const module = await compileStreaming.call(W, src);
    urls.set(module, url);
    return module;
  };
  const instantiateStreaming = W.instantiateStreaming;
  W.instantiateStreaming = async (src, imports) => {
    const url = await urlOf(src);
    const out = await instantiateStreaming.call(W, src, imports);
    keep(out.instance, url);
    return out;
  };
  const instantiate = W.instantiate;
  W.instantiate = async (what, imports) => {
    const out = await instantiate.call(W, what, imports);
    if (out instanceof W.Instance) keep(out, urls.get(what) ?? null);
    else keep(out.instance, null);
    return out;
  };
};
