// What a knob change asks of the DOM (a tool for finding what to speed up, not a benchmark):
// opens SCENE, moves the knob KNOB (a data-testid, default loss) to three values, and prints per
// change every DOM write the page made through the bindings: setAttribute / removeAttribute by
// attribute name and element (with the data-testid of its nearest marked ancestor, `lad` inside
// the diagram), innerHTML by element and markup length, insertBefore / removeChild by node,
// createElement(NS), nodeValue by parent: count and wall time (the time of the call itself: a
// write's style and layout come later, in the frame). Works on any build (it wraps the DOM's
// prototypes in an init script, so wasm-bindgen's glue calls through them).
//   SYNACK_BASE_URL=… node e2e/bench/dom-calls.mjs '#/backlog' knob-clients
// On main's release build (744ebbbc, load 3-9): a loss change on window writes its arrows as one
// innerHTML of 82-136 KB (130-210 arrow groups) and its time axis as one of 7-20 KB; backlog's
// loss change 23-25 KB and 10 KB, and patches 86-167 table cells' text (nodeValue); every other
// write is a handful of calls.
import { launch } from '../lib.mjs';
import { withLang } from './driver.mjs';
const [scene, knob = 'loss'] = process.argv.slice(2);
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
await page.addInitScript(() => {
  const c = (window.__c = {});
  const t = (window.__t = {});
  const bump = (k) => (c[k] = (c[k] ?? 0) + 1);
  const wrap = (proto, name, key) => {
    const f = proto[name];
    proto[name] = function (...a) {
      const k = key(this, a);
      bump(k);
      const t0 = performance.now();
      const r = f.apply(this, a);
      t[k] = (t[k] ?? 0) + performance.now() - t0;
      return r;
    };
  };
  wrap(Element.prototype, 'setAttribute', (el, a) => `setAttribute ${a[0]} <${el.tagName}${el.closest?.('.lad-stack') ? ' lad' : el.closest?.('[data-testid]') ? ' ' + el.closest('[data-testid]').dataset.testid : ''}>`);
  wrap(Element.prototype, 'removeAttribute', (el, a) => `removeAttribute ${a[0]}`);
  wrap(Node.prototype, 'removeChild', (el, a) => `removeChild <${a[0].nodeName}> from <${el.nodeName}${el.closest?.('[data-testid]') ? ' ' + el.closest('[data-testid]').dataset.testid : ''}>`);
  wrap(Node.prototype, 'insertBefore', (el, a) => `insertBefore <${a[0].nodeName}> into <${el.nodeName}${el.closest?.('[data-testid]') ? ' ' + el.closest('[data-testid]').dataset.testid : ''}>`);
  wrap(Document.prototype, 'createElement', (el, a) => `createElement ${a[0]}`);
  wrap(Document.prototype, 'createElementNS', (el, a) => `createElementNS ${a[1]}`);
  const d = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  Object.defineProperty(Element.prototype, 'innerHTML', { get: d.get, set(v) { const k = `innerHTML <${this.tagName}.${this.getAttribute('class')}> ${v.length}`; bump(k); const t0 = performance.now(); d.set.call(this, v); t[k] = (t[k] ?? 0) + performance.now() - t0; } });
  const nv = Object.getOwnPropertyDescriptor(Node.prototype, 'nodeValue');
  Object.defineProperty(Node.prototype, 'nodeValue', { get: nv.get, set(v) { const p = this.parentElement; const k = `nodeValue in <${p?.tagName}${p?.closest('[data-testid]') ? ' ' + p.closest('[data-testid]').dataset.testid : ''}>`; bump(k); nv.set.call(this, v); } });
});
await page.goto(`${process.env.SYNACK_BASE_URL}${withLang(scene)}`);
await page.waitForFunction(() => document.body.dataset.ready === '1' && document.querySelector('[data-testid="segment"]'), null, { timeout: 60000 });
await page.waitForTimeout(1500);
const values = await page.evaluate((id) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  const [min, max, step] = [Number(el.min), Number(el.max), Number(el.step) || 1];
  return [1, 2, 3, 4, 5].map((i) => String(min + Math.round(((max - min) * i) / 6 / step) * step));
}, knob);
for (const v of values.slice(0, 3)) {
  const r = await page.evaluate(([id, v]) => new Promise((resolve) => {
    for (const k in window.__c) delete window.__c[k];
    for (const k in window.__t) delete window.__t[k];
    const el = document.querySelector(`[data-testid="${id}"]`);
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    setTimeout(() => resolve({ c: { ...window.__c }, t: { ...window.__t } }), 500);
  }), [knob, v]);
  console.log(`--- ${knob}=${v}`);
  for (const [k, n] of Object.entries(r.c).sort((a, b) => (r.t[b[0]] ?? 0) - (r.t[a[0]] ?? 0) || b[1] - a[1]).slice(0, 30)) console.log(`${String(n).padStart(6)} ${(r.t[k] ?? 0).toFixed(1).padStart(6)} ms  ${k}`);
}
await browser.close();
