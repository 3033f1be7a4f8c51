// "Open a 100,000-packet capture in the page" benchmark (#/open, the release build in dist/):
//  1. bulk: `synack_capture::synthetic::bulk_pcap(100_000)` (500 connections, ~102 MB), from
//     choosing the file to the conversation list on screen, then from a click on a connection to
//     its ladder on screen;
//  2. one connection of 100,000 packets (~7 MB, headers only): the list, then the canvas ladder's
//     first frame, then a few zoom steps (frame times as the canvas reports them).
// Each is run RUNS times in a fresh browser context; the median and the worst are printed, with
// the page's own timing marks of the median run (<body data-open-timing>: the worker's steps,
// the message transit, the page's parsing, until on screen; src/pages/open/perf.rs).
// It prints figures only and never fails on timing. Exit 1 only when the page is broken.
//
//   node e2e/serve.mjs dist --port 0 &   SYNACK_BASE_URL=<url> node e2e/bench/open.mjs
// (without SYNACK_BASE_URL it serves dist/ itself). SYNACK_BENCH_PACKETS changes the size.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseUrl, collectErrors } from '../lib.mjs';
import { runBench } from './driver.mjs';
import { bulkPcap, oneConnectionPcap } from '../open-bulk-pcap.mjs';

const PACKETS = Number(process.env.SYNACK_BENCH_PACKETS ?? 100_000);
const RUNS = 3;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const worst = (xs) => Math.max(...xs);

/** One run: open `path`, wait for the list, pick the first connection, wait for its ladder. */
async function run(browser, base, path, canvas) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  try {
    await page.goto(`${base}#/open?lang=en`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    await page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 60_000 });
    const t0 = Date.now();
    await page.getByTestId('open-input').setInputFiles(path);
    await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 300_000 });
    const listMs = Date.now() - t0;
    const listMarks = await page.evaluate(() => document.body.dataset.openTiming ?? '');
    const t1 = Date.now();
    await page.locator('[data-testid="open-conversations"] tbody tr').first().click();
    if (canvas) {
      await page.waitForFunction(
        () => document.querySelector('[data-testid="ladder-canvas"]')?.dataset.drawn,
        null, { timeout: 300_000 },
      );
    } else {
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 300_000 });
    }
    const pickMs = Date.now() - t1;
    const pickMarks = await page.evaluate(() => document.body.dataset.openTiming ?? '');
    const frames = [];
    if (canvas) {
      const el = page.getByTestId('ladder-canvas');
      frames.push(Number(await el.getAttribute('data-frame-ms')));
      for (let i = 0; i < 5; i += 1) {
        const span = Number(await el.getAttribute('data-span-us'));
        await page.getByTestId('zoom-in').click();
        await page.waitForFunction(
          (s) => Number(document.querySelector('[data-testid="ladder-canvas"]').dataset.spanUs) < s,
          span,
        );
        frames.push(Number(await el.getAttribute('data-frame-ms')));
      }
    }
    if (errors.length) throw new Error(errors.join('\n'));
    return { listMs, pickMs, listMarks, pickMarks, frames };
  } finally {
    await context.close();
  }
}

const base = await baseUrl();
const dir = await mkdtemp(join(tmpdir(), 'synack-open-bench-'));
await runBench(async (browser) => {
  for (const [label, make, canvas] of [
    [`${PACKETS} packets in 500 connections`, bulkPcap, false],
    [`${PACKETS} packets in one connection`, oneConnectionPcap, true],
  ]) {
    const data = make(PACKETS);
    const path = join(dir, `${canvas ? 'one' : 'bulk'}-${PACKETS}.pcap`);
    await writeFile(path, data);
    const runs = [];
    for (let i = 0; i < RUNS; i += 1) runs.push(await run(browser, base, path, canvas));
    const list = runs.map((r) => r.listMs);
    const pick = runs.map((r) => r.pickMs);
    const mid = runs.find((r) => r.listMs === median(list));
    console.log(`open ${label} (${(data.length / 1e6).toFixed(1)} MB), ${RUNS} runs, median / worst:`);
    console.log(`  file chosen → conversation list on screen: ${median(list)} / ${worst(list)} ms`);
    console.log(`    marks: ${mid.listMarks}`);
    console.log(`  connection clicked → ${canvas ? 'canvas ladder drawn' : 'ladder on screen'}: ${median(pick)} / ${worst(pick)} ms`);
    console.log(`    marks: ${mid.pickMarks}`);
    if (canvas) {
      const frames = runs.flatMap((r) => r.frames);
      console.log(`  canvas frame (first + 5 zoom steps per run): median ${median(frames)} ms, worst ${worst(frames)} ms`);
    }
  }
  return false;
}, { cleanup: () => rm(dir, { recursive: true, force: true }) });
