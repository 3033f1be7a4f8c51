// Web frame-time benchmark (run by `cargo xtask bench` against the release build):
//  1. first diagram frame: from navigation start until the first frame that shows the scene's
//     diagram has been painted, for each scene and for the large scene below, 5 runs. "Shows
//     the diagram": the ladder's segments (`.seg`) are in the DOM, the app's or the frame
//     index.html paints before the wasm arrives (e2e/prerender.mjs, which has no test ids); "painted": a
//     message posted from the next requestAnimationFrame callback runs once that frame's
//     rendering is done. Also printed: when the wasm file had arrived, and when the app set
//     `document.body.dataset.ready` (its effects ran; tests wait on it).
//     Nothing is evaluated in the page while it loads (Playwright's first evaluation injects a
//     large script that blocks the main thread for tens of milliseconds): the probe is an init
//     script, and it reports through a console message.
//  2. playback: scenes with about 1,000 and about 5,000 segments play for a few seconds each
//     while every requestAnimationFrame interval is recorded; prints p50, p95, p99 and the
//     worst frame.
// It prints figures only; it never fails on timing. Exit 1 only when the page is broken.
//
// SYNACK_BENCH_SCENE overrides the 1,000-segment scene (a hash route with its parameters).

import { baseUrl, collectErrors } from '../lib.mjs';
import { ms, pct, reportErrors, runBench, withLang } from './driver.mjs';

const FIRST_FRAME_SCENES = ['#/handshake', '#/teardown', '#/tcp-vs-udp'];
const LAPTOP = { width: 1280, height: 800 };
// The side-by-side comparisons' window (/work/shared/tools), wide enough for the handshake frame
// index.html paints before the wasm arrives (e2e/prerender.mjs, MIN_WIDTH): measured there too.
const WIDE = { width: 1366, height: 850 };
const RUNS = 5;
// TCP vs UDP with 1,000 messages each way: over 1,000 segments on screen (every datagram is
// one, and TCP's share comes on top; MAX_MESSAGES in src/scenes/tcp_vs_udp/mod.rs allows 1,000).
const LARGE_SCENE =
  process.env.SYNACK_BENCH_SCENE ?? '#/tcp-vs-udp?lang=en&messages=1000&loss=5&seed=1';
// TCP vs UDP with 5,000 messages each way (MAX_MESSAGES): over 5,000 segments, the largest
// scene a link can ask for.
const HUGE_SCENE = '#/tcp-vs-udp?lang=en&messages=5000&loss=5&seed=1';
// Each played scene with the segment count its target is stated for.
const PLAYBACK = [
  [LARGE_SCENE, 1_000],
  [HUGE_SCENE, 5_000],
];
const PLAY_MS = 5_000;
const DONE = 'synack-bench: first frame painted';

// Runs in the page before its own scripts: records when the app marks itself ready and when
// the diagram first appears, then when the frame showing it has been painted.
const FIRST_FRAME_PROBE = (done) => {
  const seen = () => {
    if (window.__synackReadyAt === undefined && document.body?.dataset.ready !== undefined) {
      window.__synackReadyAt = performance.now();
    }
    if (window.__synackDiagramAt === undefined && document.querySelector('svg .seg')) {
      window.__synackDiagramAt = performance.now();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => {
          window.__synackPaintedAt = performance.now();
          console.debug(done);
        };
        ch.port2.postMessage(0);
      });
    }
  };
  new MutationObserver(seen).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ['data-ready'],
    childList: true,
  });
};

const base = await baseUrl();
await runBench(async (browser) => {
  let broken = false;
  console.log(
    `first diagram frame painted, after navigation (${RUNS} runs each: median / worst; ` +
      `medians of wasm arrived and of ready):`,
  );
  const runs = [
    ...[...FIRST_FRAME_SCENES, LARGE_SCENE].map((scene) => [scene, LAPTOP]),
    ['#/handshake', WIDE],
  ];
  for (const [scene, viewport] of runs) {
    const painted = [];
    const wasm = [];
    const ready = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.addInitScript(FIRST_FRAME_PROBE, DONE);
      const done = page.waitForEvent('console', { predicate: (m) => m.text() === DONE, timeout: 20_000 });
      await page.goto(`${base}${withLang(scene)}`, { waitUntil: 'commit' });
      try {
        await done;
        // The page has drawn: reading from it now changes nothing that is measured.
        await page.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 20_000 });
        const r = await page.evaluate(() => ({
          painted: window.__synackPaintedAt,
          ready: window.__synackReadyAt ?? performance.now(),
          wasm: performance
            .getEntriesByType('resource')
            .find((e) => e.name.endsWith('_bg.wasm'))?.responseEnd,
        }));
        painted.push(r.painted);
        ready.push(r.ready);
        if (r.wasm !== undefined) wasm.push(r.wasm);
      } catch {
        console.log(`  ${scene}: no diagram painted within 20 s`);
        broken = true;
        await context.close();
        break;
      }
      await context.close();
    }
    if (painted.length) {
      for (const a of [painted, wasm, ready]) a.sort((x, y) => x - y);
      console.log(
        `  ${(viewport === LAPTOP ? scene : `${scene} at ${viewport.width}×${viewport.height}`).padEnd(16)} ` +
          `${ms(pct(painted, 50))} / ${ms(painted.at(-1))}` +
          (wasm.length ? `; wasm arrived ${ms(pct(wasm, 50))}` : '') +
          `; ready ${ms(pct(ready, 50))}`,
      );
    }
  }

  for (const [scene, want] of PLAYBACK) broken = (await playback(browser, scene, want)) || broken;
  return broken;
});

/** Plays `scene` for PLAY_MS while recording every frame interval; true when the page is broken. */
async function playback(browser, scene, want) {
  let broken = false;
  const base = await baseUrl();
  console.log(`playback of ${scene} for ${PLAY_MS / 1000} s:`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(`${base}${scene}`);
  const ready = await page
    .waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 20_000 })
    .then(() => true, () => false);
  if (!ready) {
    console.log('  skipped: the scene never set document.body.dataset.ready');
  } else {
    // The ladders' own count (`data-segments`): arrows drawn on the same pixels share one
    // `g.seg` (ladder.rs `Group`), so the elements are fewer than the segments.
    const segments = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="ladder"][data-segments]')]
        .reduce((n, l) => n + Number(l.dataset.segments), 0));
    await page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (t) => {
        window.__frames.push(t - last);
        last = t;
        window.__rafId = requestAnimationFrame(tick);
      };
      window.__rafId = requestAnimationFrame(tick);
    });
    const play = page.getByTestId('play');
    if (await play.count()) await play.first().click();
    else await page.keyboard.press('Space');
    await page.waitForTimeout(PLAY_MS);
    const frames = await page.evaluate(() => {
      cancelAnimationFrame(window.__rafId);
      return window.__frames.slice(1);
    });
    frames.sort((a, b) => a - b);
    console.log(`  segments on screen: ${segments} (the ladders' data-segments)`);
    if (segments < want) {
      console.log(`  NOTE: fewer than the ${want} segments the target is stated for`);
    }
    console.log(
      `  frames ${frames.length}: p50 ${ms(pct(frames, 50))}, p95 ${ms(pct(frames, 95))}, ` +
        `p99 ${ms(pct(frames, 99))}, worst ${ms(frames.at(-1) ?? 0)} (target p95 ≤ 16.7 ms)`,
    );
    // At 60 Hz every interval is one vsync (16.7 ms, read as 16.6–16.8 through timer jitter) or
    // a whole number of them: an interval over 1.5 vsyncs means at least one frame was dropped.
    const dropped = frames.filter((f) => f > 25).length;
    console.log(
      `  intervals over 25 ms (a dropped frame): ${dropped} of ${frames.length} ` +
        `(${((100 * dropped) / Math.max(1, frames.length)).toFixed(1)} %)`,
    );
    broken = reportErrors(errors);
  }
  await context.close();
  return broken;
}
