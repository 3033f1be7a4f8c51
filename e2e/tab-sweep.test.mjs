// A keyboard user's walk through every page: Tab from the top of the page to its end. On each
// page (every scene, the reference pages, interview mode, the capture page before and after a
// capture is opened, a kernel recording beside the model, the embed) the test lists the controls
// a pointer can use (links, buttons, fields, sliders, summaries, anything with a tab index) and
// presses Tab until the focus leaves the page, then checks:
// - every listed control was reached, in the order of the page (no positive tab index, which
//   would pull one ahead of where it is read), and Tab did not stop on anything not listed;
// - the focus leaves the page at the end: no trap;
// - each focused control can be seen: it has a size, is not transparent, lies in the window once
//   focused, and is not under something else (the transport bar that sticks to the window's
//   bottom, a sticky header);
// - each shows where the focus is: a 2 px or wider outline or a box shadow while focused, and for
//   one control of each kind the pixels really change when it takes the focus;
// - a control that is not a native one (a packet of the ladder, a scrolling box) says what it is
//   (a role, or a scrolling box's overflow) and a "button" answers Enter.
// The settings (language, Node.js/C, theme) keep the focus where it was when pressed; so does
// choosing "State machine" on a first-load scene, which hands the page to the full build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, onPage, drawn, screenshot, LANGS, BOTH_LANGS, ROUTES, ROOT, flowLangs } from './lib.mjs';

const browser = useBrowser();

const PCAP = join(ROOT, 'crates', 'capture', 'tests', 'data', 'handshake_data_close.pcap');

/** Marks every control a pointer could use and returns their descriptions, in page order. */
const listControls = (page) =>
  page.evaluate(() => {
    const native = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]';
    const shown = (el) => {
      for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.display === 'none' || e.hidden) return false;
        // Visibility is inherited and a descendant may be visible again (presentation mode's
        // player over the page it hides): the control's own says.
        if (e === el && s.visibility === 'hidden') return false;
        // A closed fold shows its summary only.
        if (e.tagName === 'DETAILS' && !e.open && !el.closest('summary')?.parentElement?.isSameNode(e) && e !== el) {
          if (!(el.tagName === 'SUMMARY' && el.parentElement === e)) return false;
        }
      }
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    };
    const out = [];
    let i = 0;
    for (const el of document.querySelectorAll(native)) {
      if (el.disabled || el.closest('[inert]') || !shown(el)) continue;
      const ti = el.getAttribute('tabindex');
      if (ti !== null && Number(ti) < 0) continue;
      // One radio of a group is in the Tab order (the checked one, or the first).
      if (el.type === 'radio' && el.name) {
        const group = [...document.querySelectorAll(`input[type="radio"][name="${el.name}"]`)];
        const stop = group.find((r) => r.checked) ?? group[0];
        if (stop !== el) continue;
      }
      el.__sweep = i++;
      out.push({
        i: el.__sweep,
        what: el.dataset?.testid ?? el.getAttribute('aria-label') ?? `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`,
        tabindex: ti === null ? null : Number(ti),
      });
    }
    // What a pointer can click (the hand cursor) but Tab cannot reach: neither it nor anything
    // around or inside it is focusable.
    const focusable = (e) => e.matches(native) && !e.disabled && e.getAttribute('tabindex') !== '-1';
    const unreachable = [];
    for (const el of document.querySelectorAll('body *')) {
      if (getComputedStyle(el).cursor !== 'pointer' || !shown(el) || el.closest('[inert]')) continue;
      // Inside a clickable element the hand is inherited: the outermost one is what is judged.
      if (el.parentElement && getComputedStyle(el.parentElement).cursor === 'pointer') continue;
      if (el.closest(native) || [...el.querySelectorAll(native)].some(focusable)) continue;
      if (el.closest('label')?.control) continue; // a label clicks its field
      unreachable.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`);
    }
    return { out, unreachable };
  });

/** What the focused element is and how it looks (measured now, while it has the focus). */
const focusedNow = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    let opacity = 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const nativeTags = ['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'SUMMARY'];
    const scrolls = el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
    // What is drawn at the control's centre (clamped into the window): the control itself, or
    // something over it.
    // An arrow of the ladder (a line) is seen where any of it is: points along it, not its
    // box's centre (an arrow in flight is partly under the cover that hides the future).
    const points = el.tagName === 'line'
      ? [...Array(11).keys()].map((k) => {
        const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((a) => el[a].baseVal.value);
        const m = el.getScreenCTM();
        const [x, y] = [x1 + ((x2 - x1) * k) / 10, y1 + ((y2 - y1) * k) / 10];
        return [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
      })
      : [[(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
    const mine = (top) => top && (el === top || el.contains(top) || top.contains(el) || (el.tagName === 'INPUT' && el.labels?.[0]?.contains(top))
      || (el.tagName === 'line' && el.closest('g.seg')?.contains(top))
      // Another arrow's click target: a wide, transparent stroke, drawn over nothing.
      || (el.tagName === 'line' && top.matches('line.hit')));
    let under = null;
    for (const [px, py] of points) {
      const top = document.elementFromPoint(Math.min(Math.max(px, 0), innerWidth - 1), Math.min(Math.max(py, 0), innerHeight - 1));
      if (mine(top)) { under = null; break; }
      under ??= top ? `${top.tagName.toLowerCase()}.${top.getAttribute('class') ?? ''}` : 'nothing';
    }
    const label = el.dataset?.testid ?? el.getAttribute('aria-label') ?? `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    return {
      i: el.__sweep ?? null,
      what: label,
      kind: `${el.tagName.toLowerCase()}${el.getAttribute('role') ? `[role=${el.getAttribute('role')}]` : ''}.${(el.getAttribute('class') ?? '').split(' ')[0]}`,
      native: nativeTags.includes(el.tagName) && !(el.tagName === 'A' && !el.hasAttribute('href')),
      role: el.getAttribute('role'),
      scrolls,
      focusVisible: el.matches(':focus-visible'),
      outline: s.outlineStyle !== 'none' ? parseFloat(s.outlineWidth) : 0,
      shadow: s.boxShadow !== 'none',
      rect: { left: r.left, top: r.top, width: r.width, height: r.height },
      inWindow: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
      visible: s.visibility !== 'hidden' && opacity > 0.05 && r.width > 0 && r.height > 0,
      under,
    };
  });

/** The clip of a control's box and 6 px around it, inside the window. */
function around(rect, vp) {
  const x = Math.max(0, rect.left - 6);
  const y = Math.max(0, rect.top - 6);
  return {
    x, y,
    width: Math.max(1, Math.min(vp.width, rect.left + rect.width + 6) - x),
    height: Math.max(1, Math.min(vp.height, rect.top + rect.height + 6) - y),
  };
}

/**
 * Tabs through the page from its top until the focus leaves it. Returns the problems found
 * (empty: none) and how many stops there were.
 */
async function sweep(page) {
  const problems = [];
  const { out: controls, unreachable } = await listControls(page);
  for (const u of unreachable) problems.push(`${u}: clickable (hand cursor) but not reachable by Tab`);
  for (const c of controls) {
    if (c.tabindex !== null && c.tabindex > 0) problems.push(`${c.what}: tabindex ${c.tabindex} pulls it out of the page's order`);
  }
  // Start before the first control: a click on the page's top left corner (no control there)
  // puts the keyboard's starting point at the top, wherever an earlier click left it.
  await page.evaluate(() => {
    document.activeElement?.blur?.();
    window.scrollTo(0, 0);
  });
  await page.mouse.click(2, 2);
  const vp = page.viewportSize();
  const reached = [];
  const kindsLooked = new Set();
  let left = false;
  for (let k = 0; k < controls.length + 15; k++) {
    await page.keyboard.press('Tab');
    const f = await focusedNow(page);
    if (!f) {
      left = true;
      break;
    }
    if (reached.length && f.i !== null && f.i === reached[0]) {
      left = true; // round again: not trapped
      break;
    }
    if (f.i === null) problems.push(`Tab stops on ${f.what} (${f.kind}), which the page's controls do not list`);
    else reached.push(f.i);
    if (!f.visible) problems.push(`${f.what}: focused but cannot be seen (${JSON.stringify(f.rect)})`);
    else if (!f.inWindow) problems.push(`${f.what}: focused outside the window (${JSON.stringify(f.rect)})`);
    else if (f.under) problems.push(`${f.what}: focused under ${f.under}`);
    if (!f.focusVisible) problems.push(`${f.what}: Tab's focus is not :focus-visible`);
    if (f.outline < 2 && !f.shadow) problems.push(`${f.what}: no focus indicator (outline ${f.outline} px, no box shadow)`);
    if (!f.native && !f.role && !f.scrolls) problems.push(`${f.what} (${f.kind}): focusable, but neither a control with a role nor a scrolling box`);
    if (f.visible && f.inWindow && !kindsLooked.has(f.kind)) {
      // The focus must change pixels: compare the control focused with the control blurred.
      kindsLooked.add(f.kind);
      const clip = around(f.rect, vp);
      const on = await page.screenshot({ clip, animations: 'disabled', caret: 'hide' });
      await page.evaluate(() => { window.__sweepEl = document.activeElement; document.activeElement.blur(); });
      const off = await page.screenshot({ clip, animations: 'disabled', caret: 'hide' });
      await page.evaluate(() => window.__sweepEl.focus({ preventScroll: true }));
      if (on.equals(off)) problems.push(`${f.what} (${f.kind}): taking the focus changes no pixel`);
    }
  }
  if (!left) problems.push(`the focus did not leave the page after ${controls.length + 15} presses of Tab (a trap?)`);
  const order = reached.filter((i, n) => n > 0 && i < reached[n - 1]);
  if (order.length) problems.push(`Tab goes back up the page ${order.length}× (order ${reached.slice(0, 40).join(',')}…)`);
  const missed = controls.filter((c) => !reached.includes(c.i)).map((c) => c.what);
  if (missed.length) problems.push(`never reached by Tab: ${missed.slice(0, 12).join('; ')}${missed.length > 12 ? ` and ${missed.length - 12} more` : ''}`);
  return { problems, stops: reached.length, controls: controls.length };
}

/** The pages of the sweep: a name, the route, its parameters, and what to do before sweeping. */
const PAGES = [
  ...ROUTES.filter(([, id]) => id !== 'open').map(([route, id]) => ({ name: id, route })),
  { name: 'open', route: '#/open', ready: (page) => page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 15_000 }) },
  {
    name: 'open-capture', route: '#/open',
    ready: async (page) => {
      await page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 15_000 });
      await page.getByTestId('open-input').setInputFiles(PCAP);
      await page.getByTestId('open-conversations').waitFor({ state: 'visible', timeout: 20_000 });
    },
  },
  {
    name: 'open-conversation', route: '#/open',
    ready: async (page) => {
      await page.getByTestId('open-input').waitFor({ state: 'attached', timeout: 15_000 });
      await page.getByTestId('open-input').setInputFiles(PCAP);
      await page.locator('[data-testid="open-conversations"] tbody tr').first().click();
      await page.getByTestId('ladder').first().waitFor({ state: 'visible', timeout: 15_000 });
    },
  },
  {
    name: 'lab-recording', route: '#/teardown', params: { case: 'abort' },
    ready: async (page) => {
      await page.getByTestId('kernel-recording').click();
      await page.getByTestId('open-compare').waitFor({ state: 'visible', timeout: 20_000 });
    },
  },
  // Presentation mode: only its own controls (the page it covers is out of reach).
  { name: 'present', route: '#/handshake', params: { present: '1' }, ready: (page) => page.waitForSelector('.player.presenting [data-testid="play"]', { timeout: 30_000 }) },
  { name: 'embed', route: '#/handshake', params: { embed: '1' }, viewport: { width: 640, height: 400 } },
  { name: 'embed-backlog', route: '#/backlog', params: { embed: '1' }, viewport: { width: 640, height: 400 } },
];

// Each page is walked in one language, the languages taking turns from page to page (both
// with SYNACK_E2E_BOTH_LANGS=1): the Tab order and the focus rings are the page's, its words
// are read in both languages by smoke.test.mjs.
for (const [l, lang] of LANGS.entries()) {
  const pages = PAGES.filter((_, i) => BOTH_LANGS || i % LANGS.length === l);
  test(`${lang}: Tab walks the controls of ${pages.map((p) => p.name).join(', ')} in order, each visibly focused, and leaves the page`, async () => {
    const found = [];
    const tally = [];
    for (const p of pages) {
      await onPage(browser, p.route, lang, { params: p.params ?? {}, viewport: p.viewport }, async ({ page }) => {
        await drawn(page);
        if (p.ready) await p.ready(page);
        // A page's words arrive after its first frame, and what they add may bring a control
        // with it (the narration's "more below" cue once its sentences overflow): the list is
        // taken once they are in. The CI run on c49a8a32 met the quiz's cue as a Tab stop
        // missing from a list taken before its words came.
        await page.waitForFunction(() => !document.querySelector('[data-words="loading"]'), null, { timeout: 30_000 });
        await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
        const { problems, stops, controls } = await sweep(page);
        tally.push(`${p.name} ${stops}/${controls}`);
        found.push(...problems.map((m) => `${p.name}: ${m}`));
      });
    }
    console.log(`${lang} stops/controls: ${tally.join(', ')}`);
    assert.deepEqual(found, [], `${lang}:\n${found.join('\n')}`);
  });
}

// The settings and the view tabs are pressed from the keyboard and keep the focus: the language
// switch re-renders every text, the state machine on a first-load scene hands the page over to
// the full build (which draws it anew), and the keyboard user must not be sent back to the top.
const KEEPS = [
  { route: '#/handshake', id: 'lang-switch', key: 'Enter' },
  { route: '#/handshake', id: 'api-switch', key: 'Enter' },
  { route: '#/handshake', id: 'theme-switch', key: ' ' },
  { route: '#/handshake', id: 'view-ladder', key: 'ArrowRight', then: 'view-states', wait: '[data-testid="state-diagram"]' },
  { route: '#/teardown', id: 'view-ladder', key: 'ArrowRight', then: 'view-states', wait: '[data-testid="state-diagram"]' },
  { route: '#/tcp-vs-udp', id: 'view-ladder', key: 'ArrowRight', then: 'view-states', wait: '[data-testid="state-diagram"]' },
];

for (const k of KEEPS) {
  for (const lang of flowLangs()) {
    test(`${lang}: ${k.key === ' ' ? 'Space' : k.key} on ${k.id} (${k.route}) keeps the keyboard focus on ${k.then ?? 'it'}`, async () => {
      await onPage(browser, k.route, lang, async ({ page }) => {
        await drawn(page);
        await page.getByTestId(k.id).focus();
        // Focused from the keyboard, as a user gets there.
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), k.id);
        await page.keyboard.press(k.key);
        if (k.wait) await page.waitForSelector(k.wait, { timeout: 20_000 });
        const want = k.then ?? k.id;
        await page.waitForFunction((id) => document.activeElement?.dataset?.testid === id, want, { timeout: 10_000 })
          .catch(() => {});
        const now = await page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
        assert.equal(now, want, `the focus after ${k.key}`);
        assert.ok(await page.evaluate(() => document.activeElement.matches(':focus-visible')), 'and it is shown');
        if (k.wait) await screenshot(page, `keyboard-states-focus-${k.route.slice(2)}-${lang}`);
      });
    });
  }
}
