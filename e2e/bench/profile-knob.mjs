// Where the time of one knob change goes (a tool for finding what to speed up, not a benchmark):
// opens SCENE, moves the knob KNOB (a data-testid) ROUNDS times, and prints (1) the Chromium
// trace's main-thread time by event (script, style, layout, paint, HTML parse, GC) and (2) the
// CPU profile's self time by function, top 40. Function names are wasm names only on a build
// that keeps them: build the bin alone (`cargo build --target=wasm32-unknown-unknown --release
// --bin synack-full --no-default-features --features full`, or `--bin synack
// --no-default-features` for the first load's scenes), run wasm-bindgen on it (`--target
// no-modules` for synack-full, `web` for synack, `--out-name` the dist's file name), then
// `wasm-opt -Oz -g` with index.html's flags (-g keeps the names, and the code runs as fast as the
// shipped one), and put both files into a copy of the dist. KNOB `step` presses the player's Step
// button instead (what moving the playhead alone costs).
//   SYNACK_BASE_URL=… node e2e/bench/profile-knob.mjs '#/window' loss [rounds]
// SYNACK_PROFILE_LAYOUTS=1 lists each style recalc and layout in order (a forced one names the
// function that read); SYNACK_PROFILE_SPLIT=1 sums the main thread's thread time (`tdur`: what
// this thread spent, not the wall clock a loaded machine stretches) change by change, by kind,
// with what the browser did for it: elements restyled (UpdateLayoutTree's element count), layout
// objects dirty of all, paint events, and elements the change added inside the diagram
// (`.lad-stack`) and outside it, so that "restyled - added in the diagram" is what a change
// costs outside the drawing it replaces (counts, the same on any load);
// SYNACK_PROFILE_SELECTORS=N adds Blink's selector statistics (what DevTools' "selector stats"
// shows) and prints the N costliest selectors with their match attempts: a rule whose subject is
// `*` or `:not(..)` is tried on every element a change adds;
// SYNACK_PROFILE_WARM=N (below) leaves the page's first N changes out of the trace.
// SYNACK_PROFILE_TOP=N adds the CPU profile's inclusive time by function, top N (idle and
// unattributed samples left out): where a change's script time goes, callees included.
// SYNACK_PROFILE_FLAGS: one more Chromium switch, for instance
// '--js-flags=--no-liftoff --no-wasm-lazy-compilation --no-wasm-dynamic-tiering' (every wasm
// function compiled optimised before it runs: what a change costs once no code is cold).
// SYNACK_PROFILE_IDLE: ms to wait before the changes (default 1000).
// SYNACK_PROFILE_CSS: a stylesheet added before the changes, to try a CSS property's cost on
// the page as it is (no build); on window's loss knob neither `.lad text{text-rendering:
// optimizeSpeed}` nor `font-kerning:none;font-variant-ligatures:none` moved style + layout +
// paint (-g build, load 3.5-4.2, 6 changes each: 25-55 ms a change with or without).
// SYNACK_PROFILE_HIDE: a CSS selector whose elements are taken out of the page's rendering
// (`display: none`, a stylesheet added before the changes): the trace then shows what a change
// costs without that part's style, layout and paint (its markup is still made and parsed), so a
// run with it and one without say the part's share. On window's loss knob (-g build, load 2):
// 'svg.lad' (the static arrows) took the next frame from a median of 109-123 ms to 56, style +
// layout + paint from 42 to 15 ms of main-thread time a change; 'g.segs text' (their labels
// alone) to 68 ms and 24. Never a figure of the page: the drawing is not the page any more.
// A forced layout is a cost of its own only if the frame lays out again after it: the CPU
// profile charges the whole layout to the reading function (`scrollHeight`), and a read in an
// animation frame, before the frame's own layout, only moves that one layout earlier (the
// narration's fold: with the read gone, the same layouts, same dirty counts, ran in the frame
// instead, and the changes took as long). Count the layouts per change first.

import { launch } from '../lib.mjs';
import { withLang } from './driver.mjs';

const [scene = '#/window', knob = 'loss', rounds = '6'] = process.argv.slice(2);
const base = process.env.SYNACK_BASE_URL;
const browser = await launch(process.env.SYNACK_PROFILE_FLAGS ? [process.env.SYNACK_PROFILE_FLAGS] : []);
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(`${base}${withLang(scene)}`);
await page.waitForFunction(
  () => document.body.dataset.ready === '1' && document.querySelector('[data-testid="segment"]'),
  null,
  { timeout: 60_000 },
);
if (process.env.SYNACK_PROFILE_HIDE) {
  await page.addStyleTag({ content: `${process.env.SYNACK_PROFILE_HIDE} { display: none !important; }` });
}
if (process.env.SYNACK_PROFILE_CSS) {
  await page.addStyleTag({ content: process.env.SYNACK_PROFILE_CSS });
}
await page.waitForTimeout(Number(process.env.SYNACK_PROFILE_IDLE ?? 1000));
const cdp = await context.newCDPSession(page);
const values = knob === 'step' ? [] : await page.evaluate((id) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  const [min, max, step] = [Number(el.min), Number(el.max), Number(el.step) || 1];
  return [1, 2, 3, 4, 5].map((i) => String(min + Math.round(((max - min) * i) / 6 / step) * step));
}, knob);
const step = () =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const t0 = performance.now();
        document.querySelector('[data-testid="step"]').click();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
      }),
  );
// Elements each change adds inside the diagram and outside it (a MutationObserver's added nodes
// with their descendants), read back for the split.
await page.evaluate(() => {
  window.__added = [];
  new MutationObserver((list) => {
    const a = window.__added.at(-1);
    if (!a) return;
    for (const m of list) for (const n of m.addedNodes) {
      if (n.nodeType !== 1) continue;
      a[n.closest('.lad-stack') ? 0 : 1] += 1 + n.querySelectorAll('*').length;
    }
  }).observe(document.body, { subtree: true, childList: true });
});
const change = (v) =>
  knob === 'step' ? step() : page.evaluate(
    ([id, v]) =>
      new Promise((resolve) => {
        const el = document.querySelector(`[data-testid="${id}"]`);
        window.__added.push([0, 0]);
        const t0 = performance.now();
        el.value = v;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
      }),
    [knob, v],
  );
// The page's first changes run code the browser has not compiled yet (its wasm is compiled
// function by function as first called, then again optimised): SYNACK_PROFILE_WARM=N makes N
// changes before the trace starts, to tell that cost from a change's own.
for (let i = 0; i < Number(process.env.SYNACK_PROFILE_WARM ?? 0); i++) {
  console.log(`warm-up change ${i + 1}: ${(await change(values[(values.length - 1 - i + values.length) % values.length])).toFixed(0)} ms`);
}
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Tracing.start', {
  categories: 'devtools.timeline,v8,blink,disabled-by-default-devtools.timeline,disabled-by-default-devtools.timeline.stack' +
    (process.env.SYNACK_PROFILE_SELECTORS ? ',disabled-by-default-blink.debug' : ''),
  transferMode: 'ReportEvents',
});
await cdp.send('Profiler.start');
const took = [];
const warmed = await page.evaluate(() => window.__added.length);
for (let i = 0; i < Number(rounds); i++) took.push(await change(values[i % values.length]));
const added = (await page.evaluate(() => window.__added)).slice(warmed);
const { profile } = await cdp.send('Profiler.stop');
await cdp.send('Tracing.end');
await done;
console.log(`${scene} ${knob}: ${took.map((t) => t.toFixed(0)).join(' ')} ms to the next frame`);
// Main thread: complete events ('X') by name, own time (minus children) is hard; total per name.
const main = events.filter((e) => e.ph === 'X' && e.dur);
const by = new Map();
for (const e of main) by.set(e.name, (by.get(e.name) ?? 0) + e.dur / 1000);
console.log('trace, total ms by event (nested events count in their parents too):');
for (const [n, d] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`  ${d.toFixed(1).padStart(8)}  ${n}`);
// Each Layout / style recalc with its size, in order: a forced one (read by script) has a stack.
if (process.env.SYNACK_PROFILE_LAYOUTS) {
  for (const e of main.filter((e) => ['Layout', 'UpdateLayoutTree', 'Paint', 'ParseHTML', 'FunctionCall', 'EventDispatch', 'FireAnimationFrame', 'TimerFire', 'RunMicrotasks'].includes(e.name)).sort((a, b) => a.ts - b.ts)) {
    const d = e.args?.beginData ?? e.args?.data ?? {};
    console.log(`  ${((e.ts - main[0].ts) / 1000).toFixed(1).padStart(8)} ${e.name.padEnd(18)} ${(e.dur / 1000).toFixed(1).padStart(6)} ms` +
      (d.dirtyObjects !== undefined ? ` dirty ${d.dirtyObjects}/${d.totalObjects}` : '') +
      (d.elementCount !== undefined ? ` elements ${d.elementCount}` : '') +
      (d.stackTrace && ['Layout', 'UpdateLayoutTree'].includes(e.name) ? ` FORCED by ${d.stackTrace[0]?.functionName}` : '') + (d.type ? ` ${d.type}` : ''));
  }
}
// Each change's main-thread time by kind, from its input event to the next one's: thread time of
// the outermost events of each kind (a Paint nests in a Paint), and the counts above.
if (process.env.SYNACK_PROFILE_SPLIT) {
  const starts = main.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === (knob === 'step' ? 'click' : 'input')).map((e) => e.ts).sort((a, b) => a - b);
  const kinds = ['FunctionCall', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'MinorGC', 'MajorGC'];
  const outermost = (es) => es.filter((e) => !es.some((o) => o !== e && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur));
  starts.forEach((t0, i) => {
    const within = main.filter((e) => e.ts >= t0 && e.ts < (starts[i + 1] ?? Infinity));
    const of = (n) => within.filter((e) => e.name === n);
    const sum = (n) => outermost(of(n)).reduce((a, e) => a + (e.tdur ?? e.dur) / 1000, 0);
    const restyled = of('UpdateLayoutTree').reduce((a, e) => a + (e.args?.elementCount ?? 0), 0);
    const dirty = of('Layout').map((e) => `${e.args?.beginData?.dirtyObjects}/${e.args?.beginData?.totalObjects}`).join(' ');
    const [inside, outside] = added[i] ?? [NaN, NaN];
    console.log(`  change ${i + 1}: ${kinds.map((n) => [n, sum(n)]).filter(([, d]) => d >= 0.1).map(([n, d]) => `${n} ${d.toFixed(1)}`).join(', ')} ms; ` +
      `restyled ${restyled} (added ${inside} in the diagram, ${outside} outside: ${restyled - inside} restyled besides the new drawing); ` +
      `layout dirty ${dirty}; ${of('Paint').length} paints`);
  });
}
// Blink's selector statistics, summed over the changes.
if (process.env.SYNACK_PROFILE_SELECTORS) {
  const by = new Map();
  for (const e of events.filter((e) => e.name === 'SelectorStats')) {
    for (const t of e.args.selector_stats.selector_timings) {
      const a = by.get(t.selector) ?? { us: 0, attempts: 0, matched: 0 };
      a.us += t['elapsed (us)'];
      a.attempts += t.match_attempts;
      a.matched += t.match_count;
      by.set(t.selector, a);
    }
  }
  const total = [...by.values()].reduce((s, a) => s + a.us, 0);
  console.log(`selector matching: ${(total / 1000).toFixed(1)} ms in all (with the statistics' own cost); costliest:`);
  for (const [sel, a] of [...by].sort((x, y) => y[1].us - x[1].us).slice(0, Number(process.env.SYNACK_PROFILE_SELECTORS))) {
    console.log(`  ${(a.us / 1000).toFixed(2).padStart(7)} ms  ${String(a.attempts).padStart(6)} tried ${String(a.matched).padStart(6)} matched  ${sel}`);
  }
}
// CPU profile self time.
const dt = new Map();
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
for (let i = 0; i < profile.samples.length; i++) {
  const n = nodes.get(profile.samples[i]);
  const name = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop() || 'anon'})`;
  dt.set(name, (dt.get(name) ?? 0) + profile.timeDeltas[i] / 1000);
}
console.log('cpu profile, self ms by function:');
for (const [n, d] of [...dt].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${d.toFixed(1).padStart(8)}  ${n.slice(0, 140)}`);
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Inclusive time of the functions named in SYNACK_PROFILE_INCL (comma-separated fragments).
if (process.env.SYNACK_PROFILE_INCL) {
  const frags = process.env.SYNACK_PROFILE_INCL.split(',');
  const incl = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = nodes.get(id).callFrame.functionName;
      for (const f of frags) if (name.includes(f) && !seen.has(f)) { seen.add(f); incl.set(f, (incl.get(f) ?? 0) + profile.timeDeltas[i] / 1000); }
    }
  }
  console.log('cpu profile, inclusive ms:');
  for (const f of frags) console.log(`  ${(incl.get(f) ?? 0).toFixed(1).padStart(8)}  ${f}`);
}
// Inclusive time of every function, top SYNACK_PROFILE_TOP, a function counted once per sample
// however deep it recurses; Rust's hash suffixes (`::h0123…`) are left out, so the copies of one
// function add up.
if (process.env.SYNACK_PROFILE_TOP) {
  const incl = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const leaf = nodes.get(profile.samples[i]).callFrame.functionName;
    if (leaf === '(idle)' || leaf === '(program)') continue;
    const dt = profile.timeDeltas[i] / 1000;
    total += dt;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = (nodes.get(id).callFrame.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '');
      if (seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + dt);
    }
  }
  console.log(`cpu profile, inclusive ms by function (of ${total.toFixed(1)} ms in named code):`);
  for (const [n, d] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.SYNACK_PROFILE_TOP))) {
    console.log(`  ${d.toFixed(1).padStart(8)}  ${n.slice(0, 160)}`);
  }
}
await browser.close();
process.exit(0);
