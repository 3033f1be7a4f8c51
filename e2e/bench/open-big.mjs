// "A 200 MB capture in the page" benchmark (#21): opens a generated ~200 MB, 1.5 M-packet
// classic pcap (`bulkPcap(1_500_000, 94)`, the twin of `synthetic::bulk_pcap_with`, the file of
// the native memory figures in crates/capture/README.md) in #/open of the release build, and
// prints
//  - what the progress bar showed while the worker read (how many distinct values, sampled
//    every 100 ms from <progress> in [data-testid=open-progress]),
//  - the time from choosing the file to the conversation list on screen,
//  - the tab's memory: the peak resident set of the page's renderer process, which holds the
//    page, its wasm and the capture worker (VmHWM in /proc, the kernel's high-water mark;
//    Linux only), its resident set once the list is shown, and the page's JS heap then
//    (CDP Performance.getMetrics, the page's heap alone, not the worker's).
// It prints figures only and never fails on them. Exit 1 only when the page is broken.
//
//   node e2e/bench/open-big.mjs                  (serves dist/ itself)
//   SYNACK_BASE_URL=<url> node e2e/bench/open-big.mjs
//   SYNACK_BENCH_FILE=/tmp/x.pcap node e2e/bench/open-big.mjs   (an existing file instead)

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseUrl, collectErrors } from '../lib.mjs';
import { runBench } from './driver.mjs';
import { bulkPcap } from '../open-bulk-pcap.mjs';

const MiB = 1024 * 1024;

/** VmRSS and VmHWM (bytes) of a process, from /proc; undefined where there is no /proc. */
async function memoryOf(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The pids of the browser's renderer processes (the tab is one of them). */
async function renderers(browser) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  } finally {
    await cdp.detach();
  }
}

const base = await baseUrl();
const dir = await mkdtemp(join(tmpdir(), 'synack-open-big-'));
let path = process.env.SYNACK_BENCH_FILE;
if (!path) {
  path = join(dir, 'bulk-1500000-94.pcap');
  await writeFile(path, bulkPcap(1_500_000, 94));
}

await runBench(async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${base}#/open?lang=en`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  await page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 60_000 });
  const pids = await renderers(browser);
  const t0 = Date.now();
  await page.getByTestId('open-input').setInputFiles(path);
  const seen = new Set();
  let peakRss = 0;
  let listed = false;
  while (!listed && Date.now() - t0 < 600_000) {
    const value = await page
      .locator('[data-testid="open-progress"] progress')
      .getAttribute('value', { timeout: 50 })
      .catch(() => null);
    if (value !== null) seen.add(value);
    for (const pid of pids) peakRss = Math.max(peakRss, (await memoryOf(pid))?.rss ?? 0);
    listed = await page.getByTestId('open-conversations').isVisible();
    if (!listed) await page.waitForTimeout(100);
  }
  const listMs = Date.now() - t0;
  if (!listed) throw new Error('the conversation list never appeared');
  const mem = (await Promise.all(pids.map(memoryOf))).filter(Boolean);
  const hwm = Math.max(...mem.map((m) => m.hwm));
  const rss = Math.max(...mem.map((m) => m.rss));
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  const marks = await page.evaluate(() => document.body.dataset.openTiming ?? '');
  const { size } = await stat(path);
  console.log(`open ${path} (${(size / 1e6).toFixed(1)} MB):`);
  console.log(`  progress bar: ${seen.size} distinct values seen (${[...seen].slice(0, 12).join(', ')}${seen.size > 12 ? ', …' : ''})`);
  console.log(`  file chosen → conversation list on screen: ${listMs} ms`);
  console.log(`    marks: ${marks}`);
  console.log(`  tab (renderer process, page + wasm + capture worker): peak ${(hwm / MiB).toFixed(0)} MiB (VmHWM), sampled peak ${(peakRss / MiB).toFixed(0)} MiB, ${(rss / MiB).toFixed(0)} MiB with the list shown`);
  console.log(`  page JS heap with the list shown: ${(heap / MiB).toFixed(1)} MiB`);
  await context.close();
  if (errors.length) throw new Error(errors.join('\n'));
  return false;
}, { cleanup: () => rm(dir, { recursive: true, force: true }) });
