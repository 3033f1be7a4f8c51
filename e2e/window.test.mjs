// End-to-end tests of the sliding-window scene (window and congestion control), in Chinese and English:
// the window strip moves while playing, each case button draws its own cwnd story (no drop
// without loss, a drop with fast retransmit, a drop to one MSS with the RTO), the slow reader
// shows a zero window, scrubbing back restores the start, and embeds/phones do not overflow.
// A knob change replaces the ladder's layers written as one string (the time axis here, the
// handshake's state pills) whole, and styles its new drawing with no rule that walks each
// element's ancestors through a :not() (Blink's selector statistics, read through CDP); a packet
// focused from the keyboard keeps its emphasis. Screenshots of every case (desktop, 640x400 and
// 360x640 embeds, 360 px phone) land in target/screenshots/window-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, onPage, screenshot, hasCjk, flowLangs, whole } from './lib.mjs';

const browser = useBrowser();

async function ready(page) {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
  await page.getByTestId('page-window').waitFor({ state: 'visible', timeout: 15_000 });
  await page.getByTestId('window').waitFor({ state: 'visible', timeout: 15_000 });
}

const playheadT = (page) => page.getByTestId('player').getAttribute('data-t').then(Number);
const una = (page) => page.getByTestId('send-window').getAttribute('data-una').then(Number);
const chart = async (page) => {
  const c = page.getByTestId('cwnd-chart');
  const n = async (a) => Number(await c.getAttribute(a));
  return { drops: await n('data-drops'), fr: await n('data-fast-retransmits'), rto: await n('data-rtos') };
};

// What each case's chart must show: drops of cwnd, fast retransmits and RTOs.
const CASES = {
  avoidance: { t: '0.2', check: (c) => c.drops === 0 && c.fr === 0 && c.rto === 0 },
  'slow-start': { t: '0.15', check: (c) => c.drops === 0 && c.fr === 0 && c.rto === 0 },
  'fast-retransmit': { t: '0.1', check: (c) => c.drops >= 1 && c.fr >= 1 && c.rto === 0 },
  'rto-backoff': { t: '1', check: (c) => c.drops >= 1 && c.rto >= 1 },
  'slow-reader': { t: '0.2', check: (c) => c.rto === 0 },
};

for (const lang of flowLangs()) {
  test(`window: plays to the end with the strip moving, then scrubs back (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/window', lang);
    try {
      await ready(page);
      const text = await page.getByTestId('page-window').innerText();
      if (lang === 'zh') assert.ok(hasCjk(text), 'Chinese text');
      for (const name of ['snd_una', 'snd_nxt', 'snd_una+wnd', 'cwnd', 'ssthresh', 'SRTT', 'RTO']) {
        assert.ok(text.includes(name), `${name} shown`);
      }
      assert.equal(await una(page), 0);
      // Real time at the default 0.1x: about 5 s (the room's pace, a step every 2 s, takes a
      // minute; stepping is tested elsewhere).
      await page.getByTestId('pace').selectOption('real');
      await page.getByTestId('play').click();
      // The panel follows the live playhead: snd_una moves while the player is still playing.
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="send-window"]')?.dataset.una) > 20000,
        null,
        { timeout: 20_000 },
      );
      assert.equal(await page.getByTestId('player').getAttribute('data-playing'), 'true');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="player"]').dataset.playing === 'false',
        null,
        { timeout: 60_000 },
      );
      // At the end every byte is acknowledged: 200 KB (+1 for the FIN), nothing in flight.
      assert.ok((await una(page)) >= 200000, `snd_una ${await una(page)}`);
      const regions = await page.locator('[data-testid="strip-all"] .wreg').evaluateAll((els) =>
        els.map((e) => e.dataset.region));
      assert.deepEqual(regions, ['r-acked']);
      const end = await playheadT(page);
      assert.ok(end > 400_000, `ended at ${end}`);
      await screenshot(page, `window-end-${lang}`);
      // Scrub back to the start: the window is back before the first byte.
      await page.getByTestId('scrub').fill('0');
      await page.waitForFunction(() => document.querySelector('[data-testid="player"]').dataset.t === '0');
      assert.equal(await una(page), 0);
      // One step back from the end lands before the end, with data still outstanding or not.
      await page.getByTestId('end').click();
      await page.getByTestId('step-back').click();
      assert.ok((await playheadT(page)) < end);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  // At 26 % loss the RTOs and fast retransmits come in clusters: their labels over the chart
  // were written on top of each other ("fa|FR|FR|RTO…"). A label that would overlap the one
  // before it is a tick of its colour now; the labels written must not touch.
  test(`window: the labels over the cwnd chart do not overlap at high loss (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/window?loss=26&seed=1', lang);
    try {
      await ready(page);
      // At a laptop's width and at a phone's, where the chart is narrowest.
      for (const width of [1366, 390]) {
        await page.setViewportSize({ width, height: 850 });
        const { boxes, ticks } = await page.evaluate(() => {
          const top = [...document.querySelectorAll('[data-testid="cwnd-chart"] .cmark:not(.k-lost)')];
          return {
            boxes: top.filter((e) => !e.classList.contains('tick')).map((e) => {
              const r = e.getBoundingClientRect();
              return { text: e.textContent, l: r.left, r: r.right };
            }),
            ticks: top.filter((e) => e.classList.contains('tick') && e.title).length,
          };
        });
        assert.ok(boxes.length >= 2 && ticks >= 1, `${width} px: labels ${boxes.length}, ticks ${ticks}`);
        boxes.sort((a, b) => a.l - b.l);
        for (let i = 1; i < boxes.length; i++) {
          const [a, b] = [boxes[i - 1], boxes[i]];
          assert.ok(b.l >= a.r - 0.5, `${width} px: ${a.text} [${a.l}, ${a.r}] overlaps ${b.text} [${b.l}, ${b.r}]`);
        }
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`window: each case button draws its own cwnd story (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/window', lang);
    try {
      await ready(page);
      const seen = {};
      for (const [id, { check }] of Object.entries(CASES)) {
        await page.getByTestId(`case-${id}`).click();
        await page.waitForFunction(
          (id) => new URLSearchParams(location.hash.split('?')[1]).get('case') === id, id);
        assert.equal(await page.getByTestId(`case-${id}`).getAttribute('aria-pressed'), 'true');
        // The chart belongs to the new trace once its line changed (bounded wait).
        await page.waitForFunction(
          (prev) => document.querySelector('[data-testid="cwnd-line"]')?.getAttribute('points') !== prev,
          seen.last ?? null,
          { timeout: 10_000 },
        );
        const c = await chart(page);
        assert.ok(check(c), `${id}: ${JSON.stringify(c)}`);
        seen.last = await page.getByTestId('cwnd-line').getAttribute('points');
        seen[id] = seen.last;
        if (id === 'fast-retransmit' || id === 'rto-backoff') {
          assert.ok(await page.locator('[data-testid="cwnd-chart"] .cmark.k-lost').count() >= 1, `${id}: loss marked`);
        }
        if (id === 'rto-backoff') {
          assert.ok(await page.locator('[data-testid="cwnd-chart"] .cmark.k-rto').count() >= 1);
        }
        if (id === 'fast-retransmit') {
          assert.ok(await page.locator('[data-testid="cwnd-chart"] .cmark.k-fr').count() >= 1);
        }
      }
      delete seen.last;
      assert.equal(new Set(Object.values(seen)).size, Object.keys(CASES).length, 'five different charts');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`window: the slow reader closes the window to zero, probes and reopens it (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/window', lang, { params: { case: 'slow-reader' } });
    try {
      await ready(page);
      const recv = page.getByTestId('recv-window');
      await recv.waitFor({ state: 'visible' });
      assert.equal(await recv.getAttribute('data-zero'), 'false');
      const flows = page.locator('[data-testid="flow-events"] li');
      const kinds = await flows.evaluateAll((els) => els.map((e) => e.className.split(' ')[0]));
      assert.ok(kinds.includes('f-zero') && kinds.includes('f-probe') && kinds.includes('f-update'), kinds.join());
      // Jump to the first zero window: rcv_wnd 0, the tag shows, the sender has nothing usable.
      await page.locator('[data-testid="flow-events"] li.f-zero').first().click();
      await page.getByTestId('zero-window').waitFor({ state: 'visible' });
      assert.equal(await recv.getAttribute('data-rcv-wnd'), '0');
      // At the first probe the sender has learnt of the zero window: its phase says so.
      await page.locator('[data-testid="flow-events"] li.f-probe').first().click();
      await page.waitForFunction(() => document.querySelector('[data-testid="window-stats"]').dataset.phase === 'p-zw');
      assert.equal(await page.getByTestId('send-window').getAttribute('data-edge'),
        await page.getByTestId('send-window').getAttribute('data-una'));
      await screenshot(page, `window-zero-${lang}`);
      // At the first window update the window is open again.
      await page.locator('[data-testid="flow-events"] li.f-update').first().click();
      await page.waitForFunction(() => document.querySelector('[data-testid="recv-window"]').dataset.zero === 'false');
      assert.ok(Number(await recv.getAttribute('data-rcv-wnd')) > 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`window: screenshots of every case at a telling moment (${lang})`, async () => {
    for (const [id, { t }] of Object.entries(CASES)) {
      const { page, context, errors } = await openRoute(browser, '#/window', lang, { params: { case: id, t } });
      try {
        await ready(page);
        assert.equal(await page.getByTestId(`case-${id}`).getAttribute('aria-pressed'), 'true');
        assert.ok(Math.abs((await playheadT(page)) - Number(t) * 1e6) < 1, 'deep link keeps the playhead');
        await screenshot(page, `window-${id}-${lang}`);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
}

for (const lang of flowLangs()) {
  test(`window: embeds 640x400 and 360x640, phone 360 px, no horizontal overflow (${lang})`, async () => {
    for (const [name, viewport, params] of [
      ['embed', { width: 640, height: 400 }, { case: 'fast-retransmit', embed: '1', t: '0.1' }],
      ['embed-narrow', { width: 360, height: 640 }, { case: 'slow-reader', embed: '1', t: '0.2' }],
      ['phone', { width: 360, height: 640 }, { case: 'rto-backoff', t: '1' }],
      ['phone-reader', { width: 360, height: 640 }, { case: 'slow-reader', t: '0.2' }],
    ]) {
      const { page, context, errors } = await openRoute(browser, '#/window', lang, { params, viewport });
      try {
        await ready(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth + 1);
        assert.equal(overflow, false, `${name}: horizontal scrollbar`);
        // Nothing inside the panel sticks out sideways either.
        const wide = await page.getByTestId('window').evaluate((w) => {
          const r = w.getBoundingClientRect();
          return [...w.querySelectorAll('*')].filter((e) => {
            const b = e.getBoundingClientRect();
            return b.width > 0 && (b.right > r.right + 1 || b.left < r.left - 1) && !e.closest('.wscroll');
          }).map((e) => e.className || e.tagName).slice(0, 5);
        });
        assert.deepEqual(wide, [], `${name}: elements outside the panel`);
        await page.getByTestId('cwnd-chart').waitFor({ state: 'visible' });
        await screenshot(page, `window-${name}-${lang}`);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
}

/** In the page: moves the slider `knob` to `value` as a released drag does (its `input`, then
 * its `change`), and resolves once the ladder's layer `layer` has been replaced and two more
 * frames have passed, in which any patch still queued would land. Yew may finish a long update
 * in a later task (its scheduler yields after 16 ms), so the old layer is waited for, up to 10 s
 * on a busy machine. */
const MOVE_KNOB_UNTIL_REDRAWN = ({ layer, knob, value }) => new Promise((resolve) => {
  const stack = document.querySelector('[data-testid="player"] .lad-stack');
  const old = stack.querySelector(layer);
  const el = document.querySelector(`[data-testid="${knob}"]`);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  const started = performance.now();
  const settle = (frames) => requestAnimationFrame(() => setTimeout(() => (frames > 1 ? settle(frames - 1) : resolve()), 0));
  const wait = () => (stack.contains(old) && performance.now() - started < 10_000
    ? requestAnimationFrame(wait)
    : settle(2));
  requestAnimationFrame(wait);
});

// The time axis is drawn anew in one piece on a knob change (ladder.rs, `LadderAxis`): one
// `svg.lad-axis` replaced, instead of each of its lanes and up to 180 ticks patched one attribute
// or text at a time through the JS bindings (hundreds of calls per change), and it is the axis a
// page opened at those parameters draws.
/** Opens `route`, moves the slider `knob` to `value`, and checks that the ladder's layer
 * `layer` (an svg written as one markup string) was removed whole and put back whole, nothing
 * inside it patched, and that it is then what a page opened at that value draws. `enough`
 * says the new layer is the long one the case needs (for the message). */
async function knobReplacesLayerWhole({ route, pageReady, layer, knob, value, enough }) {
  const markup = (page) => page.locator(`[data-testid="player"] ${layer}`).evaluate((s) => s.outerHTML);
  const { page, context, errors } = await openRoute(browser, route, 'en');
  try {
    await pageReady(page);
    await page.evaluate((layer) => {
      const stack = document.querySelector('[data-testid="player"] .lad-stack');
      const old = stack.querySelector(layer);
      const seen = (window.__layerSeen = { inside: 0, replaced: 0 });
      window.__layerObserver = new MutationObserver((list) => {
        for (const m of list) {
          if (m.target.closest?.(layer) || m.target.parentNode?.closest?.(layer)) seen.inside++;
          if ([...m.removedNodes].includes(old)) seen.replaced++;
        }
      });
      window.__layerObserver.observe(stack, { subtree: true, childList: true, attributes: true, characterData: true });
    }, layer);
    await page.evaluate(MOVE_KNOB_UNTIL_REDRAWN, { layer, knob, value });
    // A long drawing is written near its view first, the rest once the reader pauses (each
    // step the whole svg, nothing patched inside): the layer as it ends.
    await whole(page);
    const records = await page.evaluate((layer) => {
      window.__layerObserver.disconnect();
      const children = document.querySelector(`[data-testid="player"] .lad-stack ${layer}`).querySelectorAll('*').length;
      return { ...window.__layerSeen, children };
    }, layer);
    enough(records.children);
    assert.deepEqual({ inside: records.inside, replaced: records.replaced }, { inside: 0, replaced: 1 },
      `the old ${layer} removed whole, nothing inside one patched`);
    const changed = await markup(page);
    const fresh = await openRoute(browser, route, 'en', { params: { [knob]: value } });
    try {
      await pageReady(fresh.page);
      await whole(fresh.page);
      assert.equal(changed, await markup(fresh.page));
    } finally {
      await fresh.context.close();
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

test('window: a knob change replaces the time axis in one piece, drawn as a page opened at that loss draws it', () =>
  knobReplacesLayerWhole({
    route: '#/window', pageReady: ready, layer: 'svg.lad-axis', knob: 'loss', value: '25',
    // Lanes, fold labels and ticks: a 25 % loss run's axis has more than 100 ticks.
    enough: (n) => assert.ok(n > 100, `a 25 % loss run has a long time axis (${n} elements)`),
  }));

test('handshake: a loss change replaces the state pills in one piece, drawn as a page opened at that loss draws them', () =>
  knobReplacesLayerWhole({
    route: '#/handshake',
    pageReady: (page) => page.waitForSelector('body[data-ready="1"] [data-testid="segment"]', { timeout: 15_000 }),
    layer: 'svg.lad-marks', knob: 'loss', value: '20',
    // Five state changes (LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED twice), at other heights
    // than without loss (a delay change would not move them: the drawing's scale follows the
    // delay): g, rect, text each.
    enough: (n) => assert.equal(n, 15, `five pills of three elements (${n} elements)`),
  }));

/** The selectors Blink tried while it styled what `act` changed, from its selector statistics
 * (the trace category behind DevTools' "selector stats"): selector → times tried, matched. */
async function selectorsTried(page, act) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { categories: 'disabled-by-default-blink.debug', transferMode: 'ReportEvents' });
  await act();
  await cdp.send('Tracing.end');
  await done;
  await cdp.detach();
  const tried = new Map();
  for (const e of events.filter((e) => e.name === 'SelectorStats')) {
    for (const t of e.args.selector_stats.selector_timings) {
      const a = tried.get(t.selector) ?? { tried: 0, matched: 0 };
      a.tried += t.match_attempts;
      a.matched += t.match_count;
      tried.set(t.selector, a);
    }
  }
  return tried;
}

/** Whether `selector` has a `:not()` whose argument is a complex selector (`:not(.a *)`): Blink
 * then walks the element's ancestors for each element it tries, with no ancestor filter to
 * turn it away early, and a rule whose subject is such a `:not()` is tried on every element. */
function notOfComplex(selector) {
  for (let at = selector.indexOf(':not('); at >= 0; at = selector.indexOf(':not(', at + 1)) {
    let depth = 0;
    let end = at + 4;
    for (; end < selector.length; end++) {
      if (selector[end] === '(') depth++;
      else if (selector[end] === ')' && --depth === 0) break;
    }
    const args = selector.slice(at + 5, end).split(',');
    if (args.some((a) => /[\s>+~]/.test(a.trim()))) return true;
  }
  return false;
}

test('window: a loss change styles its new drawing with no rule that walks every element\'s ancestors through a :not()', () =>
  onPage(browser, '#/window', 'en', async ({ page }) => {
    await ready(page);
    await page.waitForSelector('[data-testid="segment"]');
    // Until the drawing is whole (written near the view first, the rest after) and a frame
    // has styled it.
    const tried = await selectorsTried(page, async () => {
      await page.evaluate(MOVE_KNOB_UNTIL_REDRAWN, { layer: 'svg.lad-axis', knob: 'loss', value: '25' });
      await whole(page);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    });
    // The statistics saw the new drawing styled: every text of it tried against `.lad text`.
    const texts = tried.get('.lad text')?.tried ?? 0;
    assert.ok(texts > 300, `the 25 % loss drawing's texts were styled (${texts} tried)`);
    const walking = [...tried].filter(([s]) => notOfComplex(s)).map(([s, a]) => `${s}: tried ${a.tried}`);
    assert.deepEqual(walking, [], 'no rule with a :not() of a complex selector tried');
  }));

test('window: a packet focused from the keyboard draws its shaft 4 px wide and its label underlined, the others as before', () =>
  onPage(browser, '#/window', 'en', async ({ page }) => {
    await ready(page);
    await page.waitForSelector('[data-testid="segment"]');
    const look = () => page.evaluate(() => {
      const hit = document.activeElement;
      const g = hit.closest('g.seg');
      if (!g) return { focused: hit.outerHTML.slice(0, 120) };
      return {
        focused: hit.matches('line.hit'),
        shaft: getComputedStyle(g.querySelector('line.shaft')).strokeWidth,
        label: getComputedStyle(g.querySelector(':scope > text')).textDecorationLine,
        other: getComputedStyle(document.querySelector('g.seg:not(:focus-within) line.shaft')).strokeWidth,
      };
    });
    // At the end every packet is sent; Tab from the ladder's scroller reaches the one that
    // holds the Tab stop.
    await page.getByTestId('end').click();
    await page.locator('[data-testid="ladder-scroll"]').focus();
    await page.keyboard.press('Tab');
    assert.deepEqual(await look(), { focused: true, shaft: '4px', label: 'underline', other: '2px' });
  }));
