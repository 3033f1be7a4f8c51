// What the page benchmarks share: the run around them (a browser, the static server, the load
// average printed first, exit 1 only when the page is broken) and how they print figures.

import { loadavg } from 'node:os';
import { launch, stopServer } from '../lib.mjs';

/** The p-th percentile of sorted numbers (the nearest rank below). */
export const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
export const ms = (x) => `${x.toFixed(1)} ms`;
/** A scene's hash route in English unless it names its language. */
export const withLang = (scene) =>
  scene.includes('lang=') ? scene : `${scene}${scene.includes('?') ? '&' : '?'}lang=en`;

/** Prints the page's console errors; true when there were any (the page is broken). */
export function reportErrors(errors) {
  if (!errors.length) return false;
  console.log(`  console errors: ${errors.join('; ')}`);
  return true;
}

/** Runs `body(browser)`, which resolves true when it found the page broken, then closes the
 * browser and the server and exits: 1 when the page was broken, 0 otherwise. Benchmarks
 * print figures only; they never fail on timing. */
export async function runBench(body, { cleanup = async () => {} } = {}) {
  const browser = await launch();
  let broken = false;
  try {
    // Two cores shared with builds make every figure slower: say how busy the machine was.
    console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    broken = await body(browser);
  } catch (e) {
    console.error(`the page is broken: ${e.message}`);
    broken = true;
  } finally {
    await browser.close();
    await stopServer();
    await cleanup();
  }
  process.exit(broken ? 1 : 0);
}
