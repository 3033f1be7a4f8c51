// What the ladder shows at each step, measured as boxes on the drawn page (not screenshots):
// - no visible label lies over another arrow's visible head (backlog's "RST seq=1 win=0" lay
//   over the incoming PSH's arrowhead);
// - the playhead line strikes no state pill (lane 0's CLOSED at the end);
// - no label is cut by the cover: each lies wholly above its line, wholly under it, or is shown
//   whole (its part under the line drawn over the cover), or is hidden (its arrow not sent
//   yet). At the step an arrow was sent, its label, which runs from its sender down along it,
//   was cut in two (the handshake's "ACK seq=1" at 40 ms), and so were drop reasons at the
//   step of the loss and the tops of labels of arrows sent a moment later;
// - the playhead's time lies on no label shown whole over the cover;
// - the embed's narration shows whole lines (its 2.9em box cut the second line through).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onPage, drawn, eachCaseStep, walkPlayer, screenshot, ladderQuadsInPage, quadsMeet, langsAt, BOTH_LANGS, SCENES, UNTHROTTLED_FRAMES } from './lib.mjs';

// Hundreds of steps, each measured two frames after it: see UNTHROTTLED_FRAMES.
const browser = useBrowser(UNTHROTTLED_FRAMES);

/** In the page, at the playhead: the visible labels lying over another arrow's visible head or
 * ✕; the state pills the playhead line crosses. Each named. */
const stepProblems = () => {
  const out = { onHead: [], struck: [], cut: [], time: [] };
  const box = (e) => { const { left, right, top, bottom } = e.getBoundingClientRect(); return { left, right, top, bottom }; };
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (const stack of document.querySelectorAll('[data-testid="player"] .lad-stack')) {
    const s = stack.getBoundingClientRect();
    // The drawing's scale on screen (presented, CSS zoom scales it up).
    const z = s.height / stack.offsetHeight || 1;
    const reveal = s.top + z * Number(stack.dataset.reveal);
    const line = stack.querySelector('[data-testid="playhead"]');
    if (!line) continue;
    const ph = line.getBoundingClientRect();
    // Labels as their glyph boxes less the font's leading (a sixth above and below), mapped
    // to the screen: four corners each.
    const quad = (t) => {
      const b = t.getBBox();
      const m = t.getScreenCTM();
      const d = b.height / 6;
      return [[b.x, b.y + d], [b.x + b.width, b.y + d], [b.x + b.width, b.y + b.height - d], [b.x, b.y + b.height - d]]
        .map(([x, yy]) => [m.a * x + m.c * yy + m.e, m.b * x + m.d * yy + m.f]);
    };
    const bounds = (q) => ({
      left: Math.min(...q.map((v) => v[0])), right: Math.max(...q.map((v) => v[0])),
      top: Math.min(...q.map((v) => v[1])), bottom: Math.max(...q.map((v) => v[1])),
    });
    // An arrow's end: its head (drawn with the others of its kind in one path, so computed here
    // as the ladder draws it: 10 px back along the shaft from its end, 4.5 px either side), or the
    // ✕ of a lost one (its two strokes' box); seen when it lies above the cover.
    const heads = [...stack.querySelectorAll('g.segs g.seg')]
      .map((g) => {
        const xs = [...g.querySelectorAll(':scope > line.x')].map(box);
        if (xs.length) {
          return {
            seg: g.dataset.seg,
            b: {
              left: Math.min(...xs.map((m) => m.left)), right: Math.max(...xs.map((m) => m.right)),
              top: Math.min(...xs.map((m) => m.top)), bottom: Math.max(...xs.map((m) => m.bottom)),
            },
          };
        }
        const sh = g.querySelector(':scope > line.shaft');
        if (!sh) return null;
        const [x0, y0, x1, y1] = ['x1', 'y1', 'x2', 'y2'].map((a) => sh[a].baseVal.value);
        const ang = Math.atan2(y1 - y0, x1 - x0);
        const [sin, cos] = [Math.sin(ang), Math.cos(ang)];
        const [bx, by] = [x1 - 10 * cos, y1 - 10 * sin];
        const m = sh.getScreenCTM();
        const pts = [[x1, y1], [bx - 4.5 * sin, by + 4.5 * cos], [bx + 4.5 * sin, by - 4.5 * cos]]
          .map(([x, yy]) => [m.a * x + m.c * yy + m.e, m.b * x + m.d * yy + m.f]);
        return { seg: g.dataset.seg, b: bounds(pts) };
      })
      .filter((h) => h && h.b.bottom <= reveal + 0.5);
    // Every label of the static layer (arrow labels, options lines, drop reasons) and the live
    // layer's copies drawn whole over the cover (`g.shown`): a label crossing the cover's line
    // is whole only when a copy of it (same arrow, class and text) is shown.
    const all = [...stack.querySelectorAll('g.segs g.seg > text')]
      // A text of an arrow not sent yet is hidden (not drawn at all) until it is sent.
      .filter((t) => getComputedStyle(t).visibility !== 'hidden')
      .map((t) => ({ seg: t.closest('g.seg').dataset.seg, cls: t.getAttribute('class') ?? '', what: t.textContent, q: quad(t) }))
      .map((l) => ({ ...l, b: bounds(l.q) }));
    const copies = new Set([...stack.querySelectorAll('g.shown g.seg > text')]
      .map((t) => `${t.closest('g.seg').dataset.seg}|${t.getAttribute('class') ?? ''}|${t.textContent}`));
    const whole = (l) => copies.has(`${l.seg}|${l.cls}|${l.what}`);
    // When the arrow was sent, against the playhead: named in the message.
    const sent = (seg) => {
      const sh = stack.querySelector(`g.segs g.seg[data-seg="${seg}"] > line.shaft`);
      const y0 = s.top + sh.getScreenCTM().d * sh.y1.baseVal.value + sh.getScreenCTM().f - s.top;
      const py = ph.top + ph.height / 2;
      return Math.abs(y0 - py) < 1 ? 'sent now' : y0 < py ? 'sent before' : 'not sent yet';
    };
    for (const l of all) {
      if (l.b.top < reveal - 0.5 && l.b.bottom > reveal + 0.5 && !whole(l)) out.cut.push(`"${l.what}" of arrow ${l.seg} (${sent(l.seg)})`);
    }
    const labels = all.filter((l) => l.b.bottom <= reveal + 0.5 || (l.b.top < reveal && whole(l)));
    // A label runs along its arrow, turned: test the head against the label's turned quad
    // (separating axes), not its upright bounds.
    const span = (poly, [ax, ay]) => poly.reduce(([lo, hi], [x, yy]) => [Math.min(lo, x * ax + yy * ay), Math.max(hi, x * ax + yy * ay)], [Infinity, -Infinity]);
    const hit = (p, q) => [p, q].every((poly) => poly.every((v, i) => {
      const w = poly[(i + 1) % poly.length];
      const n = Math.hypot(w[0] - v[0], w[1] - v[1]) || 1;
      const axis = [(v[1] - w[1]) / n, (w[0] - v[0]) / n];
      const [a0, a1] = span(p, axis);
      const [b0, b1] = span(q, axis);
      return a1 - 0.5 > b0 && b1 - 0.5 > a0;
    }));
    for (const h of heads) {
      const hq = [[h.b.left, h.b.top], [h.b.right, h.b.top], [h.b.right, h.b.bottom], [h.b.left, h.b.bottom]];
      for (const l of labels) {
        if (l.seg !== h.seg && meet(l.b, h.b) && hit(l.q, hq)) out.onHead.push(`"${l.what}" over arrow ${h.seg}'s head`);
      }
    }
    // The playhead's time is printed under the line, where the labels shown whole over the
    // cover reach: clear of them (it lay over the label of an arrow leaving the first lane).
    const time = stack.querySelector('[data-testid="playhead-time"]');
    if (time) {
      const tq = quad(time);
      const tb = bounds(tq);
      for (const l of labels.filter((l) => l.b.bottom > reveal + 0.5)) {
        if (meet(l.b, tb) && hit(l.q, tq)) out.time.push(`"${time.textContent}" over "${l.what}" of arrow ${l.seg}`);
      }
    }
    const reach = s.top + z * Number(stack.dataset.revealMarks);
    for (const r of stack.querySelectorAll('.lad-marks g.pill rect')) {
      const b = box(r);
      if (b.top > reach) continue; // still under the pills' cover
      // The line's own pieces (a path may leave gaps).
      const pieces = line.tagName === 'path'
        ? (line.getAttribute('d').match(/M[^M]+/g) ?? []).map((p) => {
          const n = p.match(/-?\d+(\.\d+)?/g).map(Number);
          const m = line.getScreenCTM();
          return { left: m.a * n[0] + m.e, right: m.a * n[2] + m.e, top: ph.top, bottom: ph.bottom };
        })
        : [ph];
      if (pieces.some((p) => meet(p, b))) out.struck.push(`${r.parentNode.dataset.state} at y ${b.top.toFixed(0)}`);
    }
  }
  return out;
};

/** The sizes the diagram is read at: a laptop's (two), a projector's (presented) and a phone's,
 * each in one language, the languages alternating (labels differ in width by language, the
 * layout by size). Every step of every case at every size in both languages is 8 walks, about
 * 10 minutes of a CI run's test time on two cores; `SYNACK_E2E_BOTH_LANGS=1` runs all of them
 * (before a change to label placement, for instance). */
/** At the laptop's and the phone's page the same walk also checks the playhead's time label
 * (`time`): it is printed over nothing drawn, no visible arrow label and no visible arrow
 * crossing it. It sat above the playhead line at the first lane, where the arrows of that very
 * moment end and the labels of those leaving start: the backlog scene's final RST ran through
 * "107.726 s", the handshake's last ACK label crossed "0.100 ms". (A walk of its own, every
 * step again at two sizes, took 3.5 minutes of a CI run's test time.) */
const SIZES = [
  { name: '1280x800', viewport: { width: 1280, height: 800 }, lang: 'en', time: true },
  // A second laptop size, close to the first: walked with SYNACK_E2E_BOTH_LANGS=1 (in both
  // languages then), left out of CI's run, where each walk costs one and a half minutes.
  { name: '1366x768', viewport: { width: 1366, height: 768 }, lang: 'zh', thorough: true },
  { name: '1920x1080 presented', viewport: { width: 1920, height: 1080 }, params: { present: '1' }, lang: 'en' },
  { name: '390x844', viewport: { width: 390, height: 844 }, lang: 'zh', time: true },
];

for (const size of SIZES.filter((s) => BOTH_LANGS || !s.thorough)) {
  for (const lang of langsAt(size.lang)) {
    test(`${lang} ${size.name}: at every step of every case no label is cut by the cover or lies on another arrow's head, the playhead strikes no pill${size.time ? ' and its time label meets nothing drawn' : ''}`, async () => {
      const found = [];
      let steps = 0;
      for (const [route, id] of SCENES) {
        await onPage(browser, route, lang, { viewport: size.viewport, params: size.params ?? {} }, async ({ page }) => {
          await drawn(page);
          if (size.params?.present) await page.waitForSelector('.player.presenting', { timeout: 30_000 });
          const walk = await eachCaseStep(page, 80, size.time ? { stepProblems, ladderQuadsInPage } : { stepProblems });
          for (const { c, k, got } of walk) {
            steps++;
            for (const [what, list] of Object.entries(got.stepProblems)) {
              for (const m of list) found.push(`${id} ${c} step ${k}: ${what}: ${m}`);
            }
            if (!size.time) continue;
            const { labels, shafts } = got.ladderQuadsInPage;
            for (const time of labels.filter((l) => l.kind === 'time')) {
              const hit = [
                ...labels.filter((l) => l.drawing === time.drawing && l.kind !== 'time' && quadsMeet(l.q, time.q)).map((l) => `"${l.what}"`),
                ...shafts.filter((sh) => sh.drawing === time.drawing && quadsMeet(sh.q, time.q)).map((sh) => `arrow ${sh.seg}`),
              ];
              for (const h of hit) found.push(`${id} ${c} step ${k}: the playhead's "${time.what}" meets ${h}`);
            }
          }
        });
      }
      assert.ok(steps > 100, `steps measured: ${steps}`);
      const unique = [...new Set(found)];
      assert.deepEqual(unique, [], `${lang} ${size.name}:\n${unique.slice(0, 40).join('\n')}`);
    });
  }
}

/** In the page: the narration's text lines cut by the bottom edge of a box that clips them. */
const narrationCut = () => {
  const n = document.querySelector('[data-testid="narration"]');
  // The visible part: the narration box and every scrolling box inside it.
  const clips = [n, ...n.querySelectorAll('*')].filter((e) => {
    const s = getComputedStyle(e);
    return /auto|scroll|hidden/.test(s.overflowY);
  }).map((e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return { top: r.top + parseFloat(s.borderTopWidth), bottom: r.bottom - parseFloat(s.borderBottomWidth), e };
  });
  const out = [];
  const walker = document.createTreeWalker(n, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    for (const r of range.getClientRects()) {
      for (const c of clips.filter((c) => c.e.contains(t))) {
        if (r.top < c.bottom - 1 && r.bottom > c.bottom + 1) out.push(`"${t.textContent.slice(0, 30)}" cut at ${c.bottom.toFixed(1)} (${r.top.toFixed(1)}–${r.bottom.toFixed(1)})`);
      }
    }
  }
  return out;
};

// The embed's narration box (640×400 and a wider frame) holds a whole number of lines: none is
// cut by its bottom edge, at the first steps of every scene.
test('the embed\'s narration shows whole lines, none cut by its edge', async () => {
  const found = [];
  for (const [viewport, one] of [[{ width: 640, height: 400 }, 'zh'], [{ width: 800, height: 500 }, 'en']]) {
    for (const lang of langsAt(one)) {
      for (const [route, id] of SCENES) {
        await onPage(browser, route, lang, { params: { embed: '1' }, viewport }, async ({ page }) => {
          await drawn(page);
          for (const { k, got: { cut } } of await walkPlayer(page, { most: 6 }, { cut: narrationCut })) {
            for (const m of cut) found.push(`${id} ${viewport.width} ${lang} step ${k}: ${m}`);
          }
          if (id === 'handshake') await screenshot(page, `embed-narration-${viewport.width}-${lang}`);
        });
      }
    }
  }
  const unique = [...new Set(found)];
  assert.deepEqual(unique, [], unique.slice(0, 30).join('\n'));
});
