// Knob and memory benchmark (run by `cargo xtask bench knobs` against the release build):
//  1. instant knobs: on every scene, each slider (loss, delay, speed, the scene's own) is moved
//     ROUNDS times and the case menu walks its cases. For each change: from the moment the
//     `input` and `change` events are dispatched (what a released drag or an arrow key sends)
//     until the frame showing the new page has been painted. "Painted": a message posted from
//     a requestAnimationFrame callback runs once that frame's rendering is done; the page counts
//     as shown once a frame passes with no DOM change (the parts drawn after the first paint
//     included). Printed per scene: p50 / p95 / worst, and the first frame after the first DOM
//     change alone ("first redraw"). Target: p95 ≤ 50 ms. The page's first change is also
//     printed apart, beside the p50 / p95 of the later ones: it runs code the page has not run
//     yet (V8 compiles a wasm function when it is first called, and optimises it once it is hot),
//     and took about twice a later change on window, which a p95 over every knob
//     of the page hides.
//  2. steps: on every scene, the step button pressed STEPS times from the start (back to the
//     start, unmeasured, when the playhead reaches the end), each timed like a knob: from the
//     click until the frame painted with the page settled. A step must re-render the player and
//     a panel that draws the playhead, not the scene's page. Target: p95 ≤ 50 ms.
//  3. memory: JS heap (CDP Runtime.getHeapUsage after a forced GC) plus every wasm memory the
//     page instantiated (an init script keeps a reference to each instance's memory), after
//     the first scene, after a minute of playback and after 100 knob changes. wasm memory never
//     shrinks, so a leak shows as growth there; the JS heap may move a little either way (and
//     grows while V8 optimises more of the page's code). Also the wasm-bindgen closures Rust
//     holds: one more per replay was a leak (gloo's `Timeout::forget`, see src/dom.rs `later`).
//     The first scene is also measured on cold loads through CDP alone (`coldLoad`), beside a
//     peer's page when SYNACK_BENCH_PEER='name|url|diagram selector' is set (for instance
//     ProtoViz): Playwright's own page scripts (its utility and injected scripts, two source
//     strings of 330 KB each, seen in a heap snapshot of either page) sit in the heap of any page
//     it evaluates in or waits on, and would add the same 0.66 MB to both figures.
// It prints figures only; it never fails on timing. Exit 1 only when the page is broken.
//
// SYNACK_BENCH_PLAY_MS shortens the minute of playback (for a quick look). For an A/B of a few
// scenes: SYNACK_BENCH_SCENES (hash routes, separated by spaces) replaces the scene list,
// SYNACK_BENCH_ROUNDS the changes per knob, SYNACK_BENCH_KNOBS=0 skips the knobs,
// SYNACK_BENCH_STEPS the steps per scene (0 skips them) and SYNACK_BENCH_MEMORY=0 the memory part.
// SYNACK_BENCH_IDLE: ms to wait once the diagram is drawn before the first knob change (a
// reader's pause, in which the page's idle-time warm-up runs; default 0, the change at once).
// SYNACK_BENCH_COLD_RUNS: cold loads per page for the first-scene figure (default 5, interleaved
// with the peer's).

import { baseUrl, collectErrors, CLOSURES_HELD, WASM_PROBE } from '../lib.mjs';
import { ms, pct, reportErrors, runBench, withLang } from './driver.mjs';

const SCENES = process.env.SYNACK_BENCH_SCENES?.split(' ').filter(Boolean) ?? [
  '#/handshake',
  '#/teardown',
  '#/tcp-vs-udp',
  '#/tcp-vs-udp?messages=1000&loss=5&seed=1',
  '#/sticky',
  '#/udp',
  '#/backlog',
  '#/window',
];
const ROUNDS = Number(process.env.SYNACK_BENCH_ROUNDS ?? 6);
const PLAY_MS = Number(process.env.SYNACK_BENCH_PLAY_MS ?? 60_000);
const KNOB_CHANGES = 100;
const STEPS = Number(process.env.SYNACK_BENCH_STEPS ?? 24);
const IDLE = Number(process.env.SYNACK_BENCH_IDLE ?? 0);

// In the page: dispatches one change and resolves with [first redraw, settled] in ms and the
// number of DOM mutations it made.
// `value` undefined: a click (a case button).
const CHANGE = ({ selector, value }) =>
  new Promise((resolve) => {
    const el = document.querySelector(selector);
    const frame = () =>
      new Promise((r) =>
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => r(performance.now());
          ch.port2.postMessage(0);
        }),
      );
    let mutations = 0;
    const obs = new MutationObserver((l) => (mutations += l.length));
    obs.observe(document.getElementById('app-full') ?? document.getElementById('app'), {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
    const t0 = performance.now();
    if (value === undefined) {
      el.click();
    } else {
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
    (async () => {
      let first;
      let last = t0;
      // Up to 2 s: each frame either shows more changes (keep waiting) or none (settled).
      for (let seen = -1; performance.now() - t0 < 2_000; ) {
        const t = await frame();
        if (mutations > 0 && first === undefined) first = t;
        if (mutations === seen) break;
        if (mutations > 0 || seen === -1) last = t;
        seen = mutations;
      }
      obs.disconnect();
      resolve([(first ?? last) - t0, last - t0, mutations]);
    })();
  });

const mb = (x) => `${(x / 1e6).toFixed(2)} MB`;

// The page's knobs: every slider but the playhead's scrub bar, and the case menu.
async function knobs(page) {
  return page.evaluate(() => {
    const root = document.getElementById('app-full') ?? document.getElementById('app');
    const out = [];
    for (const el of root.querySelectorAll('input[type="range"][data-testid]')) {
      const id = el.dataset.testid;
      if (id === 'scrub') continue;
      const [min, max, step] = [Number(el.min), Number(el.max), Number(el.step) || 1];
      const values = [];
      for (let i = 1; i <= 5; i++) {
        const v = min + Math.round(((max - min) * i) / 6 / step) * step;
        values.push(String(v));
      }
      out.push({ selector: `[data-testid="${id}"]`, name: id, values });
    }
    // The cases: buttons on a scene page, a menu in an embed.
    const cases = [...root.querySelectorAll('button[data-testid^="case-"]')].map((b) => b.dataset.testid);
    if (cases.length > 1) {
      out.push({ selectors: cases.map((id) => `[data-testid="${id}"]`), name: 'case', values: cases });
    }
    const sel = root.querySelector('select[data-testid="case-select"]');
    if (sel) {
      out.push({
        selector: '[data-testid="case-select"]',
        name: 'case',
        values: [...sel.options].map((o) => o.value),
      });
    }
    return out;
  });
}

// The i-th change of knob `k`: a slider's or menu's next value, or a click on the next case.
const change = (k, i) =>
  k.selectors
    ? { selector: k.selectors[(i + 1) % k.selectors.length] }
    : { selector: k.selector, value: k.values[i % k.values.length] };

async function open(browser, scene) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(WASM_PROBE);
  const errors = collectErrors(page);
  await page.goto(`${(await baseUrl())}${withLang(scene)}`);
  // Scenes 2 come from the full build: wait for the page it draws, not the loading stand-in.
  await page.waitForFunction(
    () => document.body.dataset.ready === '1' && document.querySelector('[data-testid="segment"]'),
    null,
    { timeout: 30_000 },
  );
  return { context, page, errors };
}

async function memory(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() =>
    window.__synackWasm.reduce((s, w) => s + w.memory.buffer.byteLength, 0),
  );
  return { js: usedSize, wasm, closures: await page.evaluate(CLOSURES_HELD) };
}

// Opens each scene in turn and runs `body(scene, page)` on it; a scene that never drew its
// diagram, or a page error, marks the run broken.
async function eachScene(browser, body) {
  let broken = false;
  for (const scene of SCENES) {
    let ctx;
    try {
      ctx = await open(browser, scene);
    } catch {
      console.log(`  ${scene}: the scene never drew its diagram`);
      broken = true;
      continue;
    }
    const { context, page, errors } = ctx;
    await body(scene, page);
    broken ||= reportErrors(errors);
    await context.close();
  }
  return broken;
}

// Steps on each scene (part 2): p50 / p95 / worst of the click-to-settled-frame times.
async function steps(browser) {
  console.log(`steps: from the step button's click to the frame painted with the page settled (p50 / p95 / worst; first redraw p95), target p95 ≤ 50 ms:`);
  return eachScene(browser, async (scene, page) => {
    const at = () => page.evaluate(() => document.querySelector('[data-testid="player"]')?.dataset.t);
    await page.evaluate(CHANGE, { selector: '[data-testid="start"]' });
    const settled = [];
    const first = [];
    for (let i = 0; settled.length < STEPS && i < 3 * STEPS; i++) {
      const before = await at();
      const [f, s] = await page.evaluate(CHANGE, { selector: '[data-testid="step"]' });
      if ((await at()) === before) {
        // At the end: nothing moved, so nothing to time. Back to the start.
        await page.evaluate(CHANGE, { selector: '[data-testid="start"]' });
        continue;
      }
      first.push(f);
      settled.push(s);
    }
    for (const a of [settled, first]) a.sort((x, y) => x - y);
    console.log(
      `  ${scene.padEnd(42)} ${settled.length} steps: ${ms(pct(settled, 50))} / ` +
        `${ms(pct(settled, 95))} / ${ms(settled.at(-1))}; first redraw p95 ${ms(pct(first, 95))}`,
    );
  });
}

await runBench(async (browser) => {
  let broken = false;
  if (process.env.SYNACK_BENCH_KNOBS !== '0') broken ||= await knobChanges(browser);
  if (STEPS > 0) broken ||= await steps(browser);
  if (process.env.SYNACK_BENCH_MEMORY === '0') return broken;
  return (await memoryPart(browser)) || broken;
});

async function knobChanges(browser) {
  console.log(
    `instant knobs: from input+change dispatched to the frame painted with the page settled ` +
      `(p50 / p95 / worst; first redraw p95), target p95 ≤ 50 ms:`,
  );
  return eachScene(browser, async (scene, page) => {
    // Loss first: the page's first change then reruns the model, as most knobs' do (the speed
    // slider, first on the page, only retimes the player). Every scene has it.
    const list = (await knobs(page)).sort((a, b) => (b.name === 'loss') - (a.name === 'loss'));
    if (IDLE > 0) await page.waitForTimeout(IDLE);
    const settled = [];
    const first = [];
    const per = [];
    for (const k of list) {
      const mine = [];
      for (let r = 0; r < ROUNDS; r++) {
        const [f, s] = await page.evaluate(CHANGE, change(k, r));
        first.push(f);
        settled.push(s);
        mine.push(s);
      }
      mine.sort((a, b) => a - b);
      per.push(`${k.name} ${ms(pct(mine, 50))}`);
    }
    // The page's first change, before the sort (see the top of this file).
    const [pageFirst, ...later] = settled;
    later.sort((x, y) => x - y);
    for (const a of [settled, first]) a.sort((x, y) => x - y);
    if (settled.length) {
      console.log(
        `  ${scene.padEnd(42)} ${settled.length} changes: ${ms(pct(settled, 50))} / ` +
          `${ms(pct(settled, 95))} / ${ms(settled.at(-1))}; first redraw p95 ${ms(pct(first, 95))}`,
      );
      console.log(`    medians: ${per.join(', ')}`);
      if (later.length) {
        console.log(
          `    the page's first change (${list[0].name}) ${ms(pageFirst)}; the later ones ` +
            `${ms(pct(later, 50))} / ${ms(pct(later, 95))}`,
        );
      }
    } else {
      console.log(`  ${scene}: no knobs found`);
    }
  });
}

// One cold load of `url`, driven through a CDP session only (nothing of Playwright's runs in
// the page): once `selector` has a box (the diagram is drawn), 1.5 s later, as the side-by-side
// tool in shared/tools reads it, the JS heap (`Runtime.getHeapUsage`) before and after a forced
// GC, plus the wasm memories the probe kept.
async function coldLoad(browser, url, selector) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 850 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.enable');
    await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: `(${WASM_PROBE})()` });
    await cdp.send('Page.navigate', { url });
    const value = async (expression) =>
      (await cdp.send('Runtime.evaluate', { expression, returnByValue: true })).result.value;
    const drawn = `(() => { const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`;
    const until = Date.now() + 30_000;
    while (!(await value(drawn))) {
      if (Date.now() > until) return null;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const wasm = await value('window.__synackWasm.reduce((s, w) => s + w.memory.buffer.byteLength, 0)');
    const before = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    await cdp.send('HeapProfiler.collectGarbage');
    const after = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    return { before: before + wasm, after: after + wasm, wasm };
  } finally {
    await context.close();
  }
}

async function coldLoads(browser) {
  const runs = Number(process.env.SYNACK_BENCH_COLD_RUNS ?? 5);
  const pages = [
    { name: 'synack', url: `${await baseUrl()}${withLang('#/handshake')}`, selector: '[data-testid="segment"]' },
  ];
  if (process.env.SYNACK_BENCH_PEER) {
    const [name, url, selector] = process.env.SYNACK_BENCH_PEER.split('|');
    pages.push({ name, url, selector });
  }
  const got = pages.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, p] of pages.entries()) got[j].push(await coldLoad(browser, p.url, p.selector));
  }
  const median = (a) => a.slice().sort((x, y) => x - y)[(a.length - 1) >> 1];
  console.log(
    `  first scene, ${runs} cold loads each, measured through CDP alone, median ` +
      `(JS heap + wasm, 1.5 s after the diagram / after a forced GC):`,
  );
  const figures = [];
  for (const [j, p] of pages.entries()) {
    const ok = got[j].filter(Boolean);
    if (!ok.length) {
      console.log(`    ${p.name}: the diagram (${p.selector}) never appeared`);
      return true;
    }
    const f = { before: median(ok.map((x) => x.before)), after: median(ok.map((x) => x.after)) };
    figures.push(f);
    const ratio = j === 0 ? '' : ` = ${(figures[0].before / f.before).toFixed(2)}× / ` +
      `${(figures[0].after / f.after).toFixed(2)}× of it for synack`;
    console.log(`    ${p.name.padEnd(10)} ${mb(f.before)} / ${mb(f.after)} (wasm ${mb(median(ok.map((x) => x.wasm)))})${ratio}`);
  }
  return false;
}

async function memoryPart(browser) {
  console.log('memory (JS heap after a forced GC + wasm memories):');
  let broken = await coldLoads(browser);
  {
    const { context, page, errors } = await open(browser, '#/handshake');
    const cdp = await context.newCDPSession(page);
    const show = (what, m, base) =>
      console.log(
        `  ${what.padEnd(34)} JS ${mb(m.js)} + wasm ${mb(m.wasm)} = ${mb(m.js + m.wasm)}` +
          (base ? ` (${m.js + m.wasm >= base.js + base.wasm ? '+' : ''}${mb(m.js + m.wasm - base.js - base.wasm)})` : '') +
          `; ${m.closures} closures held` +
          (base ? ` (${m.closures >= base.closures ? '+' : ''}${m.closures - base.closures})` : ''),
      );
    show('after the first scene', await memory(page, cdp));
    // Playwright's locators run in a script world of their own, injected at their first use: a
    // second copy of its page scripts (0.66 MB), which would read as growth during playback.
    // One locator call first, then the baseline.
    await page.getByTestId('play').getAttribute('aria-pressed');
    const start = await memory(page, cdp);
    show("… once Playwright's locators are in", start);
    // A minute of playback: the play button again whenever the scene has reached its end.
    // Measured after each third of it: growth in the first third only is the page warming up
    // (narration, timeline), growth in every third is a leak.
    for (let third = 1; third <= 3; third++) {
      const until = Date.now() + PLAY_MS / 3;
      while (Date.now() < until) {
        const playing = await page.getByTestId('play').getAttribute('aria-pressed');
        if (playing !== 'true') {
          await page.getByTestId('start').click();
          await page.getByTestId('play').click();
        }
        await page.waitForTimeout(500);
      }
      show(`after ${((third * PLAY_MS) / 3000).toFixed(0)} s of playback`, await memory(page, cdp), start);
    }
    if ((await page.getByTestId('play').getAttribute('aria-pressed')) === 'true') {
      await page.getByTestId('play').click();
    }
    const list = (await knobs(page)).filter((k) => k.values.length > 1);
    // The knobs in turn, each to its next value: the i-th change is round i / knobs of knob
    // i % knobs. (Indexing the values by i itself gave each slider the same value every
    // round whenever there were as many knobs as values, 5 and 5 on the handshake: 4 of 5
    // changes after the first round changed nothing.)
    const turn = (i) => change(list[i % list.length], Math.floor(i / list.length));
    let idle = 0;
    const hundred = async (from) => {
      for (let i = from; i < from + KNOB_CHANGES; i++) {
        const [, , mutations] = await page.evaluate(CHANGE, turn(i));
        if (mutations === 0) idle++;
      }
    };
    await hundred(0);
    show(`after ${KNOB_CHANGES} knob changes`, await memory(page, cdp), start);
    // A second hundred: growth that repeats is a leak, a one-off is a cache filling up (or
    // V8 optimising more of the page's functions: optimised code is JS heap too, and grows
    // for a few hundred changes before it levels off).
    await hundred(KNOB_CHANGES);
    show(`after ${2 * KNOB_CHANGES} knob changes`, await memory(page, cdp), start);
    if (idle > 0) console.log(`  (${idle} of ${2 * KNOB_CHANGES} knob changes changed nothing on the page)`);
    broken ||= reportErrors(errors);
    await context.close();
  }
  return broken;
}
