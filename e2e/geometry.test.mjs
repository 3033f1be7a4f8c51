// Nothing on the ladder is printed over something else: the state pills of one lane (two
// changes at one instant used to stack), the playhead's time label against the pills (it
// was drawn over the last lane's pill), and the playhead line against the axis's times. Measured on the drawn page, at every step of each case.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, drawn, stepThrough, overlap, frames, walkPlayer, ladderQuadsInPage, quadsMeet, LANGS, langsAt, SCENES } from './lib.mjs';

const browser = useBrowser();

for (const [route, cases] of [
  ['#/handshake', ['normal', 'syn-lost', 'simultaneous-open', 'closed-port']],
  ['#/teardown', ['client-closes', 'simultaneous-close', 'abort']],
]) {
  test(`${route}: pills and the playhead's time never overlap`, async () => {
    for (const c of cases) {
      await onPage(browser, route, 'en', { params: { case: c } }, async ({ page }) => {
        await drawn(page);
        const pills = await page.locator('.lad-marks g.pill rect').evaluateAll((rs) =>
          rs.map((r) => r.getBoundingClientRect()).map(({ left, right, top, bottom }) => ({ left, right, top, bottom })),
        );
        assert.ok(pills.length >= 2, `${c}: pills drawn`);
        for (let i = 0; i < pills.length; i++) {
          for (let j = i + 1; j < pills.length; j++) {
            assert.ok(!overlap(pills[i], pills[j]), `${c}: pills ${i} and ${j} overlap`);
          }
        }
        // Step through the run: the time label is clear of every pill at every step.
        await stepThrough(page, 40, async (k) => {
          const label = await page.getByTestId('playhead-time').evaluate((t) => {
            const { left, right, top, bottom } = t.getBoundingClientRect();
            return { left, right, top, bottom };
          });
          const hit = pills.findIndex((p) => overlap(p, label));
          assert.equal(hit, -1, `${c}: the time label covers pill ${hit} at step ${k}`);
          // The playhead line (its 1.5 px stroke) strikes no time of the axis through: it used
          // to start at the left edge, across the tick of the moment it stood at.
          const struck = await page.evaluate(() => {
            const line = document.querySelector('[data-testid="playhead"]').getBoundingClientRect();
            const l = { left: line.left, right: line.right, top: line.top - 0.75, bottom: line.bottom + 0.75 };
            return [...document.querySelectorAll('.lad-axis .tick')]
              .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }))
              .filter(({ r }) => r.left < l.right && l.left < r.right && r.top < l.bottom && l.top < r.bottom)
              .map(({ text }) => text);
          });
          assert.deepEqual(struck, [], `${c}: the playhead line crosses the axis's time at step ${k}`);
        });
      });
    }
  });
}

// At t = 0 (the frame every link and embed opens on) no arrow label is cut by the arrows'
// cover or by the drawing's top edge, and none meets the playhead's time label: each label is
// either whole above the cover or wholly under it. (The first SYN's label used to show cut in
// two, under "0.000 ms".)
test('at t = 0 no arrow label is cut by the cover or the top edge, in zh and en', async () => {
  for (const lang of ['en', 'zh']) {
    for (const [route, c] of [['#/handshake', 'normal'], ['#/teardown', 'client-closes'], ['#/handshake', 'simultaneous-open']]) {
      await onPage(browser, route, lang, { params: { case: c } }, async ({ page }) => {
        await drawn(page);
        const got = await page.evaluate(() => {
          const stack = document.querySelector('.lad-stack');
          const top = stack.getBoundingClientRect().top;
          const reveal = top + Number(stack.dataset.reveal);
          const box = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
          const labels = [...stack.querySelectorAll('g.segs text')].map((t) => ({ text: t.textContent, ...box(t) }));
          return { reveal, top, labels, time: box(document.querySelector('[data-testid="playhead-time"]')) };
        });
        assert.ok(got.labels.length > 0, `${route} ${c} ${lang}: labels drawn`);
        for (const l of got.labels) {
          const cut = l.top < got.reveal - 0.5 && l.bottom > got.reveal + 0.5;
          assert.ok(!cut, `${route} ${c} ${lang}: "${l.text}" is cut by the cover (${l.top}–${l.bottom} across ${got.reveal})`);
          if (l.bottom <= got.reveal + 0.5) {
            assert.ok(l.top >= got.top - 0.5, `${route} ${c} ${lang}: "${l.text}" leaves the top edge`);
            assert.ok(!overlap(l, got.time), `${route} ${c} ${lang}: "${l.text}" meets the playhead's time`);
          }
        }
      });
    }
  }
});

// The RFC state machine: every edge label clear of every other label and of every state box
// (and of the names of the sockets lit in it), at the start, in the middle and at the end of
// a handshake and a teardown (a lit edge's label is bold and larger).
test('the state machine\'s edge labels and socket names overlap neither each other nor a state box', async () => {
  for (const lang of ['en', 'zh']) {
    for (const route of ['#/handshake', '#/teardown']) {
      await onPage(browser, route, lang, { params: { view: 'states' } }, async ({ page }) => {
        await drawn(page);
        const sd = page.getByTestId('state-diagram');
        await sd.waitFor({ state: 'visible', timeout: 10_000 });
        await stepThrough(page, 30, async (k) => {
          const { labels, boxes, tags, rects } = await sd.evaluate((svg) => {
            const box = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
            return {
              labels: [...svg.querySelectorAll('.sd-edge text')].map((t) => ({ text: t.textContent, ...box(t) })),
              boxes: [...svg.querySelectorAll('.sd-box rect, .sd-tag')].map((r) => ({ text: r.textContent || r.parentNode.dataset.state, ...box(r) })),
              tags: [...svg.querySelectorAll('.sd-tag')].map((t) => ({ text: t.textContent, ...box(t) })),
              rects: [...svg.querySelectorAll('.sd-box rect')].map((r) => ({ text: r.parentNode.dataset.state, ...box(r) })),
            };
          });
          // The lit sockets' names: clear of each other and of every state box.
          for (let i = 0; i < tags.length; i++) {
            for (let j = i + 1; j < tags.length; j++) {
              assert.ok(!overlap(tags[i], tags[j]), `${route} ${lang} step ${k}: tag "${tags[i].text}" meets "${tags[j].text}"`);
            }
            for (const r of rects) {
              assert.ok(!overlap(tags[i], r), `${route} ${lang} step ${k}: tag "${tags[i].text}" meets ${r.text}`);
            }
          }
          assert.ok(labels.length >= 19, `${route} ${lang}: edge labels drawn (${labels.length})`);
          for (let i = 0; i < labels.length; i++) {
            for (let j = i + 1; j < labels.length; j++) {
              assert.ok(!overlap(labels[i], labels[j]), `${route} ${lang} step ${k}: "${labels[i].text}" meets "${labels[j].text}"`);
            }
            for (const b of boxes) {
              assert.ok(!overlap(labels[i], b), `${route} ${lang} step ${k}: "${labels[i].text}" meets ${b.text}`);
            }
          }
        });
      });
    }
  }
});

// A huge value in the link is named in the notice, which wraps it inside its box: nothing
// sticks out of the page sideways.
test('a huge URL value stays inside the notice box', async () => {
  const huge = 'x'.repeat(3000);
  for (const lang of ['en', 'zh']) {
    await onPage(browser, '#/handshake', lang, { params: { case: huge }, allowErrors: true }, async ({ page }) => {
      const notice = page.getByTestId('url-notice');
      await notice.waitFor({ timeout: 15_000 });
      const { box, page: p } = await page.evaluate(() => {
        const n = document.querySelector('[data-testid="url-notice"]');
        const r = n.getBoundingClientRect();
        const inner = [...n.querySelectorAll('p')].map((e) => e.getBoundingClientRect().right);
        return { box: { right: r.right, inner: Math.max(...inner) }, page: { scroll: document.documentElement.scrollWidth, width: innerWidth } };
      });
      assert.ok(box.inner <= box.right + 0.5, `${lang}: the text leaves the notice (${box.inner} > ${box.right})`);
      assert.ok(p.scroll <= p.width, `${lang}: the page scrolls sideways (${p.scroll} > ${p.width})`);
    });
  }
});

// On a 390 px phone the host panels' Chinese labels (socket names, queue names) stay whole:
// each on one line, never broken inside a word.
test('on a 390 px phone the host panels\' zh labels are not broken inside words', async () => {
  for (const route of ['#/handshake', '#/teardown']) {
    await onPage(browser, route, 'zh', { viewport: { width: 390, height: 844 }, params: { t: '0.2' }, allowErrors: true }, async ({ page }) => {
      await drawn(page);
      await page.locator('.host-panel .q-name').first().waitFor({ timeout: 10_000 });
      const broken = await page.evaluate(() =>
        [...document.querySelectorAll('.host-panel .sock-label, .host-panel .q-name, .host-panel .host-name strong')]
          .filter((e) => e.getClientRects().length > 1 || e.getBoundingClientRect().height > parseFloat(getComputedStyle(e).fontSize) * 2)
          .map((e) => e.textContent),
      );
      assert.deepEqual(broken, [], `${route}: labels broken across lines`);
    });
  }
});

// The header's switches on a phone: each label on one line ("中文" was squeezed into 中 / 文,
// "Node.js view" into two lines), inside the window, clear of the brand.
test('on a phone the header\'s switches keep each label on one line, inside the window, clear of the brand', async () => {
  for (const width of [320, 390]) {
    for (const lang of LANGS) {
      await onPage(browser, '#/handshake', lang, { viewport: { width, height: 800 } }, async ({ page }) => {
        await drawn(page);
        const got = await page.evaluate(() => {
          const header = [...document.querySelectorAll('[data-testid="site-header"]')].find((h) => h.getBoundingClientRect().height > 0);
          const box = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
          return {
            brand: box(header.querySelector('[data-testid="brand"]')),
            chips: [...header.querySelectorAll('.chip')].map((c) => ({
              text: c.textContent, ...box(c),
              // One line of 13 px text is 27.5 px tall with its padding and border, two are 47.
              tall: c.getBoundingClientRect().height > parseFloat(getComputedStyle(c).fontSize) * 3,
            })),
          };
        });
        assert.equal(got.chips.length, 3, 'three switches');
        for (const c of got.chips) {
          assert.ok(!c.tall, `${width} px ${lang}: "${c.text}" is on more than one line`);
          assert.ok(c.left >= 0 && c.right <= width, `${width} px ${lang}: "${c.text}" (${c.left}-${c.right}) is outside the window`);
          assert.ok(!overlap(c, got.brand), `${width} px ${lang}: "${c.text}" covers the brand`);
        }
      });
    }
  }
});

/** In the page: the SYN, SYN-ACK, FIN and RST arrows that show no flags (and have no
 * neighbour showing them for them). */
const unflagged = () => {
  const flags = (g) => {
    const text = g.querySelector(':scope > text:not(.why):not(.opt)')?.textContent ?? '';
    const want = { syn: 'SYN', synack: 'SYN', fin: 'FIN', rst: text.startsWith('ICMP') ? 'ICMP' : 'RST' }[g.dataset.kind];
    return text.startsWith(want);
  };
  const segs = [...document.querySelectorAll('[data-testid="player"] g.seg')];
  const shaft = (g) => [...g.querySelector('line.shaft').attributes].map((a) => a.value).join(' ');
  const dir = (g) => { const l = g.querySelector('line.shaft'); return Math.sign(l.x2.baseVal.value - l.x1.baseVal.value); };
  // The one exception, a flood (a SYN a millisecond, the backlog scene): where every
  // line near an arrow is taken, an arrow of its kind and direction in the same
  // ladder, sent within two lines' height (24 px) of it, carries the flags for it.
  const y0 = (g) => g.querySelector('line.shaft').y1.baseVal.value;
  const neighbour = (g) => segs.some((h) => h !== g && h.closest('svg') === g.closest('svg')
    && h.dataset.kind === g.dataset.kind && dir(h) === dir(g) && Math.abs(y0(h) - y0(g)) <= 24 && flags(h));
  return segs
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => ['syn', 'synack', 'fin', 'rst'].includes(g.dataset.kind) && !flags(g))
    .filter(({ g }) => !neighbour(g))
    .map(({ g }) => ({ kind: g.dataset.kind, shaft: shaft(g), title: g.querySelector('title')?.textContent ?? '' }));
};

// A label may be shortened, never lost, where it says what changes a connection's state: every
// SYN, SYN-ACK, FIN and RST arrow (and ICMP, drawn in RST's colour) shows at least its flags, in
// every case of every scene, on a laptop's page (en) and a phone (zh). TCP vs UDP's
// FIN, PSH, sent together with the last ACK and data on one shaft, showed nothing at 1280×800
// (the only arrow that fails this without the fix).
test('every SYN, FIN and RST arrow shows at least its flags, in every case of every scene', async () => {
  for (const [viewport, one] of [[{ width: 1280, height: 800 }, 'en'], [{ width: 390, height: 844 }, 'zh']]) {
    for (const lang of langsAt(one)) {
      for (const [route, id] of SCENES) {
        await onPage(browser, route, lang, { viewport }, async ({ page }) => {
          await drawn(page);
          const walk = await walkPlayer(page, { cases: true }, { bare: unflagged });
          assert.ok(walk.length >= 1, `${id}: cases`);
          for (const { c, got } of walk) {
            assert.deepEqual(got.bare, [], `${id} ${c} ${viewport.width} ${lang}: arrows without their flags`);
          }
        });
      }
    }
  }
});

// On a laptop's page the narration's sentences keep the width of their box, the teaching
// paragraph under them: on the first-load scenes (without the full build's sheets) the time,
// the sentences and the paragraph shared one row, and the sentences wrapped a word a line.
test('at 1280×800 the narration\'s sentences are as wide as their box, the paragraph under them', async () => {
  for (const lang of LANGS) {
    for (const [route, id] of SCENES) {
      await onPage(browser, route, lang, { viewport: { width: 1280, height: 800 } }, async ({ page }) => {
        await drawn(page);
        for (const key of ['ArrowRight', 'ArrowRight', ']']) {
          await page.keyboard.press(key);
          await frames(page);
          const got = await page.evaluate(() => {
            const n = document.querySelector('[data-testid="narration"]');
            const box = (e) => e && e.getBoundingClientRect();
            const s = getComputedStyle(n);
            const inner = n.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            const lines = n.querySelector('.narr-lines');
            // One short sentence may be narrower than the box; one that wraps must not be.
            // Short sentences may leave the box narrower than its row; a sentence that wraps
            // must have had the row. (A range's client rects: one per line of its text.)
            const wraps = (p) => {
              const r = document.createRange();
              r.selectNodeContents(p);
              return new Set([...r.getClientRects()].map((q) => Math.round(q.top))).size > 1;
            };
            const oneLine = ![...lines.children].some(wraps);
            return { inner, oneLine, lines: box(lines), teach: box(n.querySelector('[data-testid="teach"]')) };
          });
          const at = `${id} ${lang} after ${key}`;
          assert.ok(got.oneLine || got.lines.width >= 0.6 * got.inner, `${at}: the sentences are ${Math.round(got.lines.width)} px of ${Math.round(got.inner)}`);
          if (got.teach) {
            assert.ok(got.teach.top >= got.lines.bottom - 0.5, `${at}: the paragraph is beside the sentences, not under them`);
            assert.ok(got.teach.width >= 0.6 * got.inner, `${at}: the paragraph is ${Math.round(got.teach.width)} px of ${Math.round(got.inner)}`);
          }
        }
      });
    }
  }
});

// A drop reason ("accept queue full, not taken") is printed clear of its own dashed arrow and of
// every other label, in every case of every scene, the whole run drawn, on a laptop, a projector
// (presented) and a phone, a language each. At the last lane it was put before the ✕, along
// the arrow coming down to it.
test('every drop reason is clear of its own arrow and of the other labels', async () => {
  let seen = 0;
  for (const [viewport, one] of [[{ width: 1280, height: 800 }, 'zh'], [{ width: 390, height: 844 }, 'en']]) {
    for (const lang of langsAt(one)) {
      for (const [route, id] of SCENES) {
        await onPage(browser, route, lang, { viewport }, async ({ page }) => {
          await drawn(page);
          for (const { c, got: { quads: { labels, shafts } } } of await walkPlayer(page, { cases: true, from: ']' }, { quads: ladderQuadsInPage })) {
            for (const why of labels.filter((l) => l.kind === 'why')) {
              seen++;
              const own = shafts.find((s) => s.drawing === why.drawing && s.seg === why.seg);
              assert.ok(own, `${id} ${c}: the arrow of "${why.what}"`);
              assert.ok(!quadsMeet(own.q, why.q), `${id} ${c} ${viewport.width} ${lang}: "${why.what}" lies on its own arrow`);
              const others = labels.filter((l) => l !== why && l.drawing === why.drawing && l.kind !== 'time' && quadsMeet(l.q, why.q)).map((l) => `"${l.what}"`);
              assert.deepEqual(others, [], `${id} ${c} ${viewport.width} ${lang}: "${why.what}" meets other labels`);
            }
          }
        });
      }
    }
  }
  assert.ok(seen >= 8, `drop reasons measured: ${seen}`);
});

// Where the ✕s of several lost arrows lie on each other (TCP vs UDP's burst: 200 datagrams
// leave together and the lost ones end on one point), their reason is written once: it was
// written eight times round the ✕, a line apart on both sides, and in Chinese the stacked lines
// overlapped. The whole run drawn, on a laptop and a phone, in both languages.
test('TCP vs UDP with loss writes each drop reason once round a pile of ✕s, no two overlapping', async () => {
  for (const viewport of [{ width: 1366, height: 850 }, { width: 390, height: 844 }]) {
    for (const lang of LANGS) {
      await onPage(browser, '#/tcp-vs-udp', lang, { viewport, params: { messages: '200', loss: '20' } }, async ({ page }) => {
        await drawn(page);
        await page.getByTestId('segment').first().waitFor();
        for (const { got: { whys } } of await walkPlayer(page, { from: ']' }, {
          whys: () => [...document.querySelectorAll('[data-testid="player"] g.segs text.why')]
            .filter((t) => getComputedStyle(t).visibility !== 'hidden')
            .map((t) => {
              const box = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
              return { what: t.textContent, b: box(t), x: box(t.parentElement.querySelector('line.x')) };
            }),
        })) {
          const where = `${viewport.width} ${lang}`;
          assert.ok(whys.length >= 2, `${where}: drop reasons shown: ${whys.length}`);
          for (let i = 0; i < whys.length; i++) {
            for (const other of whys.slice(i + 1)) {
              const [a, b] = [whys[i], other];
              assert.ok(!overlap(a.b, b.b), `${where}: "${a.what}" ${JSON.stringify(a.b)} overlaps "${b.what}" ${JSON.stringify(b.b)}`);
              assert.ok(a.what !== b.what || !overlap(a.x, b.x), `${where}: "${a.what}" is written twice round one ✕ ${JSON.stringify(a.x)}`);
            }
          }
        }
      });
    }
  }
});

/** In the page: the narration's lines box in lines, whether sentences go on under its fold,
 * and the boxes of the lines, the cue and the sticky controls. */
const narrationLines = () => {
  const lines = document.querySelector('[data-testid="narration"] .narr-lines');
  const lh = parseFloat(getComputedStyle(lines).lineHeight);
  const cue = document.querySelector('[data-testid="narr-more"]');
  const box = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
  const transport = document.querySelector('[data-testid="player"] .transport');
  const sticky = transport && getComputedStyle(transport).position === 'sticky';
  return {
    rows: lines.clientHeight / lh,
    over: lines.scrollHeight > lines.clientHeight + 1,
    lines: box(lines),
    cue: cue && box(cue),
    transport: sticky ? box(transport) : null,
  };
};

// The narration's sentences are never cut through a line: at a laptop's sizes (1366×768,
// 1280×800), a projector's (1920×1080) and a phone's (390×844), a language each, at each of
// the first steps of every scene, the box shows whole lines (its height a whole number of them),
// and where sentences go on below its fold a cue under it says so, on screen and uncovered by
// the controls. (Its 5.3em showed three lines and the top third of the fourth.)
test('the narration shows whole lines and a cue when more follows, at laptop, projector and phone sizes', async () => {
  let cued = 0;
  for (const [viewport, one] of [
    [{ width: 1366, height: 768 }, 'en'], [{ width: 1280, height: 800 }, 'zh'],
    [{ width: 1920, height: 1080 }, 'zh'], [{ width: 390, height: 844 }, 'en'],
  ]) {
    for (const lang of langsAt(one)) {
      for (const [route, id] of SCENES) {
        await onPage(browser, route, lang, { viewport }, async ({ page }) => {
          await drawn(page);
          for (const { k, got: { lines: got } } of await walkPlayer(page, { most: 8 }, { lines: narrationLines })) {
            const at = `${id} ${viewport.width}×${viewport.height} ${lang} step ${k}`;
            if (!got.over) continue;
            assert.ok(Math.abs(got.rows - Math.round(got.rows)) < 0.05, `${at}: the box is ${got.rows.toFixed(2)} lines tall, its last line cut`);
            assert.ok(got.cue && got.cue.bottom > got.cue.top, `${at}: sentences go on under the fold with no cue`);
            cued++;
            assert.ok(got.cue.top >= got.lines.bottom - 0.5, `${at}: the cue is under the sentences`);
            if (got.transport) {
              // On the first screen, the sticky controls cover neither the box nor its cue.
              for (const [what, b] of [['sentences', got.lines], ['cue', got.cue]]) {
                if (b.top < viewport.height) {
                  assert.ok(!overlap(b, got.transport), `${at}: the controls cover the ${what}`);
                }
              }
            }
          }
        });
      }
    }
  }
  assert.ok(cued > 0, 'some step had more sentences than the box');
});
