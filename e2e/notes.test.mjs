// Teacher notes: written on a step in the editor, carried by "Copy link" and "Copy embed code"
// (compressed into the link's hash), shown on that step by whoever opens the link or the
// embedding page, in presentation mode too; a damaged notes value gives a clear notice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, collectErrors, screenshot } from './lib.mjs';

const browser = useBrowser();
const ready = (page) => page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });

const NOTE = 'Look: **the SYN** uses *no* data, only `seq=0`.\n\nSee [RFC 9293](https://www.rfc-editor.org/rfc/rfc9293) §3.5.';

/** What a note shows: its text and its marks. */
const noteShape = (root) => root.locator('[data-testid=teacher-note]').first().evaluate((n) => ({
  text: n.innerText,
  strong: n.querySelector('strong')?.textContent,
  em: n.querySelector('em')?.textContent,
  code: n.querySelector('code')?.textContent,
  href: n.querySelector('a')?.getAttribute('href'),
  paragraphs: n.querySelectorAll('p').length,
}));

const EXPECTED = {
  strong: 'the SYN',
  em: 'no',
  code: 'seq=0',
  href: 'https://www.rfc-editor.org/rfc/rfc9293',
  paragraphs: 2,
};

for (const lang of ['en', 'zh']) {
  test(`a note written on a step travels in the copied link and the embed code (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/handshake', lang, { params: { case: 'normal' } });
    try {
      await ready(page);
      await page.getByTestId('step').click();
      await page.getByTestId('step').click();
      const t = await page.getByTestId('player').getAttribute('data-t');
      // The first-load build hands over to the full build, which has the editor.
      await page.getByTestId('note-edit').click();
      await page.waitForFunction(() => location.hash.includes('notes='));
      await ready(page);
      await page.waitForSelector('[data-testid=note-edit]');
      assert.equal(await page.getByTestId('player').getAttribute('data-t'), t, 'the same step after the hand-over');
      await page.getByTestId('note-edit').click();
      await page.getByTestId('note-text').fill(NOTE);
      // The player draws again while the note is written (here a step; playback draws every
      // frame, and under load the page's words may arrive now): what was typed stays.
      await page.getByTestId('step').click();
      await page.waitForFunction((t0) => document.querySelector('[data-testid=player]').dataset.t !== t0, t);
      assert.equal(await page.getByTestId('note-text').inputValue(), NOTE, 'the draft survives a new frame');
      await page.getByTestId('note-save').click();
      // The note belongs to the step it was written on, not to the one the player is on now.
      assert.equal(await page.getByTestId('teacher-note').count(), 0, 'the note belongs to its step only');
      await page.keyboard.press('ArrowLeft');
      const shown = await noteShape(page);
      assert.deepEqual({ ...shown, text: undefined }, { ...EXPECTED, text: undefined });

      await page.getByTestId('copy-link').click();
      const link = await page.getByTestId('share-output').inputValue();
      const notes = new URLSearchParams(link.split('?')[1]).get('notes');
      assert.ok(notes && notes.length < 200, `compressed into the link: ${notes?.length} characters`);
      await page.getByTestId('copy-embed').click();
      const embed = await page.getByTestId('share-output').inputValue();
      assert.match(embed, /^<iframe src="[^"]*notes=/);
      await screenshot(page, `notes-editor-${lang}`);
      assert.deepEqual(errors, [], 'no console errors');

      // Whoever opens the link sees the note on that step.
      const other = await context.newPage();
      const errors2 = collectErrors(other);
      await other.goto(link);
      await ready(other);
      await other.waitForSelector('[data-testid=teacher-note]');
      assert.deepEqual({ ...(await noteShape(other)), text: undefined }, { ...EXPECTED, text: undefined });
      // In presentation mode too.
      await other.keyboard.press('f');
      await other.waitForSelector('.presenting [data-testid=teacher-note]');
      assert.deepEqual(errors2, [], 'no console errors on the link');

      // A course page that pastes the embed code shows it in its frame.
      const course = await context.newPage();
      const errors3 = collectErrors(course);
      // The course page is at the app's origin, so it is opened on the app first; that app must
      // have started before the page's document is replaced: setContent keeps the window, and
      // an app still loading its wasm then starts into a document without its root element
      // (the panic "the page has the app's root element" once seen here).
      await course.goto(link.split('#')[0]);
      await ready(course);
      await course.setContent(`<!doctype html><h1>Week 3</h1>${embed}`);
      const frame = await (await course.waitForSelector('iframe')).contentFrame();
      await frame.waitForSelector('[data-testid=teacher-note]', { state: 'attached', timeout: 30_000 });
      assert.deepEqual({ ...(await noteShape(frame)), text: undefined }, { ...EXPECTED, text: undefined });
      await screenshot(course, `notes-embed-${lang}`);
      assert.deepEqual(errors3, [], 'no console errors in the embed');
    } finally {
      await context.close();
    }
  });
}

test('a damaged or oversized notes value in a link gives a notice, and the scene still works', async () => {
  for (const [value, words] of [
    ['abc*def', /damaged/],
    ['A'.repeat(12_100), /too long/],
  ]) {
    const { page, context, errors } = await openRoute(browser, '#/handshake', 'en', { params: { notes: value } });
    try {
      await ready(page);
      const notice = await page.getByTestId('notes-error').innerText();
      assert.match(notice, words);
      assert.ok((await page.locator('.lad .seg').count()) > 0, 'the ladder is drawn');
      await page.getByTestId('step').click();
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  }
});
