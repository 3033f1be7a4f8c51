// The first frame painted before the wasm arrives: the default scene as the app itself draws
// it, kept in index.html as the text of a script the browser does not run (`<script
// type="text/plain" class="synack-pre">`, one per route and language: text Trunk's minifier
// leaves as it is, where it would rewrite HTML) that index.html's boot script shows at once and
// removes when the app has drawn the same frame (`body[data-ready]`). Only the bytes of
// index.html and the stylesheet stand between a visitor and the first diagram; the wasm then
// makes the page interactive.
//
// `cargo xtask prerender` runs this file against a fresh release build (SYNACK_BASE_URL) and
// rewrites the part of index.html between PRERENDER_BEGIN and PRERENDER_END. The test
// e2e/prerender.test.mjs fails when what is there is no longer what the app draws.
//
// What the page shows before the app runs is the snapshot only where it is the app's frame to the
// pixel: the route and language of a snapshot, no parameter but `lang`/`theme`, and a window wide
// enough that the page's columns have their full widths (static/style.css: `.page-host` stops at
// 1200 px, the stage's side column `clamp(270px, 26vw, 340px)` at 1308 px; the ladder is laid
// out to the width it is given). Everywhere else the page waits for the app, as before.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ROOT, baseUrl, launch, routeUrl, stopServer } from './lib.mjs';

/** The routes drawn ahead of the app, each in every language. */
export const PRERENDERED = ['#/handshake'];
export const PRERENDER_LANGS = ['en', 'zh'];
/** The narrowest window that shows a snapshot: where 26vw reaches the side column's 340 px. */
export const MIN_WIDTH = 1308;
/** The window the snapshots are taken in (any width ≥ MIN_WIDTH draws the same frame). */
export const VIEWPORT = { width: 1366, height: 850 };

export const PRERENDER_BEGIN = '<!-- prerender:begin (written by `cargo xtask prerender`; do not edit) -->';
export const PRERENDER_END = '<!-- prerender:end -->';

/** Runs in the page: the markup of `el`'s children as a snapshot keeps it. Ids and test ids
 * are dropped: the snapshot and the app share the page for a moment, and the app looks up its
 * own elements by id, the tests by test id. A form field's value, which the app sets as a
 * property (the markup would show a slider's default), is written as its attribute. With
 * `markTheme`, the theme button gets `data-pre-theme` (the boot script switches its text);
 * without, that mark is dropped, so a snapshot as shown compares with the app's markup. */
export const SNAPSHOT_OF = (el, markTheme = false) => {
  const copy = el.cloneNode(true);
  const fields = el.querySelectorAll('input, textarea');
  copy.querySelectorAll('input, textarea').forEach((f, i) => f.setAttribute('value', fields[i].value));
  if (markTheme) copy.querySelector('[data-testid="theme-switch"]')?.setAttribute('data-pre-theme', '');
  else copy.querySelectorAll('[data-pre-theme]').forEach((e) => e.removeAttribute('data-pre-theme'));
  for (const e of copy.querySelectorAll('[id], [data-testid]')) {
    e.removeAttribute('id');
    e.removeAttribute('data-testid');
  }
  return copy.innerHTML;
};

/** Opens `route` in `lang` and `scheme` with the app running, waits for its first frame, and
 * returns what a template needs: the markup, the page title, `<html lang>`, and the theme
 * button's text in that scheme. */
async function capture(browser, base, route, lang, scheme) {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    locale: lang === 'zh' ? 'zh-CN' : 'en-US',
    colorScheme: scheme,
  });
  try {
    const page = await context.newPage();
    // What the app fetches once it runs (the teaching paragraph's words) arrives after the
    // take-over in a real visit, not in the frame: held back, as e2e/prerender.test.mjs does.
    const never = new Promise(() => {});
    await page.route((url) => !/_bg\.wasm$|\.js$|\.css$|\/$|\.html$/.test(url.pathname), async () => never);
    // Taken at the moment index.html's boot script swaps its snapshot for the app (once the app
    // has set data-ready and drawn the parts that wait for its first paint), not later: what
    // the page adds afterwards (text fetched after the first paint, say) comes in over the
    // app's own frame, as it would without a snapshot.
    await page.addInitScript(`(() => {
      new MutationObserver((_, seen) => {
        if (document.body.dataset.ready !== '1') return;
        seen.disconnect();
        requestAnimationFrame(() => setTimeout(() => {
          const app = document.getElementById('app');
          const theme = app.querySelector('[data-testid="theme-switch"]');
          window.__synackFrame = {
            marked: (${SNAPSHOT_OF})(app, true),
            title: document.title,
            htmlLang: document.documentElement.lang,
            themeText: theme ? theme.textContent : '',
          };
        }, 0));
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
    })()`);
    await page.goto(routeUrl(base, route, lang), { waitUntil: 'load' });
    const frame = await page.waitForFunction(() => window.__synackFrame, null, { timeout: 30_000 });
    return await frame.jsonValue();
  } finally {
    await context.close();
  }
}

/** The snapshots of every prerendered route and language, each the text of a `text/plain`
 * script whose `data-` attributes say where it applies and what else the boot script sets.
 * Not strings in a script that runs (`self.synackPrerendered = [...]`, as they were): that
 * script parsed every language's markup into the JS heap at every load, as two-byte strings
 * (the markup has non-Latin-1 characters), 0.09 MB the page never used; the text of a script
 * that does not run is read only for the snapshot shown, and the browser keeps that string
 * outside the JS heap. Throws when the light and dark frames differ in more than the theme
 * button's text (the boot script switches only that), or when the markup would end or
 * misparse the script it sits in. */
export async function templates(browser, base) {
  const out = [];
  for (const route of PRERENDERED) {
    for (const lang of PRERENDER_LANGS) {
      const light = await capture(browser, base, route, lang, 'light');
      const dark = await capture(browser, base, route, lang, 'dark');
      const swapped = dark.marked
        .replace(dark.themeText, light.themeText)
        .replace('aria-pressed="true"', 'aria-pressed="false"');
      if (swapped !== light.marked) {
        throw new Error(`${route} (${lang}): the dark frame differs from the light one in more than the theme button`);
      }
      out.push({
        route: route.replace(/^#/, ''),
        lang,
        minWidth: MIN_WIDTH,
        title: light.title,
        htmlLang: light.htmlLang,
        dark: dark.themeText,
        html: light.marked,
      });
    }
  }
  const attr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return out
    .map((t) => {
      // A script's text ends at the first `</script`, and `<!--` in it changes how the rest is
      // read (the HTML standard's script data escape states): neither may occur.
      if (/<\/script|<!--/i.test(t.html)) throw new Error(`${t.route} (${t.lang}): the markup cannot sit in a script`);
      const data = { route: t.route, lang: t.lang, 'min-width': t.minWidth, title: t.title, 'html-lang': t.htmlLang, dark: t.dark };
      const attrs = Object.entries(data).map(([k, v]) => ` data-${k}="${attr(v)}"`).join('');
      return `<script type="text/plain" class="synack-pre"${attrs}>${t.html}</script>`;
    })
    .join('\n    ');
}

/** index.html with `generated` between the markers. */
export function withTemplates(index, generated) {
  const begin = index.indexOf(PRERENDER_BEGIN);
  const end = index.indexOf(PRERENDER_END);
  if (begin < 0 || end < begin) throw new Error('index.html has no prerender markers');
  return `${index.slice(0, begin + PRERENDER_BEGIN.length)}\n    ${generated}\n    ${index.slice(end)}`;
}

// `node e2e/prerender.mjs`: rewrite index.html.
if (import.meta.url === `file://${process.argv[1]}`) {
  const browser = await launch();
  try {
    const generated = await templates(browser, await baseUrl());
    const file = join(ROOT, 'index.html');
    const index = await readFile(file, 'utf8');
    const next = withTemplates(index, generated);
    await writeFile(file, next);
    console.log(
      next === index
        ? 'index.html: the prerendered frames were already up to date'
        : `index.html: prerendered frames written (${PRERENDERED.join(', ')} in ${PRERENDER_LANGS.join(', ')}); rebuild to ship them`,
    );
  } finally {
    await browser.close();
    await stopServer();
  }
}
