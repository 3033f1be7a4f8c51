// Interview mode (#/quiz) in Chinese and English: a multiple-choice question answered right
// (with the keyboard) and wrong (with the mouse), a typed-number question from a paused model
// trace that rejects a wrong number and accepts the right one, the score surviving a reload,
// the reset button, unreadable stored scores, and the page at 360 px. Screenshots go to
// target/screenshots/quiz-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openRoute, onPage, screenshot, hasCjk, LANGS, collectErrors, holdRoute, routeUrl, baseUrl, flowLangs } from './lib.mjs';

const PHONE = { width: 360, height: 740 };
const UDP_HEADER = { zh: ['8 字节', '4 字节'], en: ['8 bytes', '4 bytes'] };

const browser = useBrowser();

/** Navigates inside the app (a hashchange, as a link would) to one question, once the page is
 * still: the question on screen writes its own link after it renders (`q`, `v`), and a link
 * followed before that write could be written over. A timeout says where the page was. */
async function goto(page, item, v, lang) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await page.evaluate(([q, v, l]) => {
    location.hash = `#/quiz?lang=${l}&q=${q}&v=${v}`;
  }, [item, v, lang]);
  await page
    .waitForFunction(
      ([q, v]) => {
        const c = document.querySelector('[data-testid="quiz-card"]');
        return c && c.dataset.item === q && location.hash.includes(`v=${v}`);
      },
      [item, String(v)],
      { timeout: 15_000 },
    )
    .catch(async (e) => {
      const at = await page.evaluate(() => [location.hash, document.querySelector('[data-testid="quiz-card"]')?.dataset.item]);
      throw new Error(`${item} v=${v} not shown: the hash is ${at[0]}, the card ${at[1]} (${e.message})`);
    });
}

/** Index of the choice whose text is exactly `text`. */
async function choiceIndex(page, text) {
  const texts = await page.locator('.choice .choice-text').allInnerTexts();
  const i = texts.findIndex((t) => t.trim() === text);
  assert.ok(i >= 0, `no choice "${text}" in ${JSON.stringify(texts)}`);
  return i;
}

const text = (page, id) => page.getByTestId(id).innerText();

async function noSidewaysScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways at 360 px by ${overflow}px`);
}

for (const lang of flowLangs()) {
  test(`quiz: right and wrong answers, score kept across reload, reset (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/quiz', lang, {
      params: { q: 'c-udp-header', v: '0' },
    });
    try {
      await page.getByTestId('page-quiz').waitFor({ timeout: 15_000 });
      const prompt = await text(page, 'prompt');
      assert.equal(hasCjk(prompt), lang === 'zh', prompt);
      assert.equal(await text(page, 'score-total'), '0/0');

      // Right, with the keyboard: the digit picks, Enter submits.
      const [right, wrong] = UDP_HEADER[lang];
      const i = await choiceIndex(page, right);
      await page.keyboard.press(String(i + 1));
      assert.equal(await page.getByTestId(`choice-${i}`).getAttribute('aria-pressed'), 'true');
      await page.keyboard.press('Enter');
      const verdict = page.getByTestId('verdict');
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-right'), 'true');
      const why = await text(page, 'explain');
      assert.ok(why.length > 20 && hasCjk(why) === (lang === 'zh'), why);
      assert.equal(await page.getByTestId('correct-answer').count(), 0);
      assert.equal(await text(page, 'score-tu'), '1/1');
      assert.equal(await text(page, 'streak'), '1');
      await screenshot(page, `quiz-${lang}-right`);

      // Wrong, with the mouse, in another variant (the choices move).
      await goto(page, 'c-udp-header', 1, lang);
      assert.equal(await page.getByTestId('verdict').count(), 0, 'verdict left over from the last question');
      await page.getByTestId(`choice-${await choiceIndex(page, wrong)}`).click();
      await page.getByTestId('submit').click();
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-right'), 'false');
      assert.ok((await text(page, 'correct-answer')).includes(right));
      assert.ok((await text(page, 'explain')).length > 20);
      assert.equal(await text(page, 'score-tu'), '1/2');
      assert.equal(await text(page, 'streak'), '0');
      assert.equal(await text(page, 'best-streak'), '1');
      await screenshot(page, `quiz-${lang}-wrong`);

      // Kept across a reload. (Each reload once the page's words are in: a reload cancels the
      // words file's request, which the page's error log would count.)
      await page.reload();
      await page.waitForSelector('[data-testid=page-quiz][data-words=in]', { timeout: 15_000 });
      assert.equal(await text(page, 'score-tu'), '1/2');
      assert.equal(await text(page, 'best-streak'), '1');
      assert.equal(await text(page, 'score-total'), '1/2');

      // Reset clears it, and stays cleared after a reload.
      await page.getByTestId('score-reset').click();
      assert.equal(await text(page, 'score-total'), '0/0');
      assert.equal(await text(page, 'best-streak'), '0');
      await page.reload();
      await page.getByTestId('page-quiz').waitFor({ timeout: 15_000 });
      assert.equal(await text(page, 'score-tu'), '0/0');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`quiz: a typed ack number on a paused handshake (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/quiz', lang, {
      params: { q: 'hs-synack-ack', v: '2' },
    });
    try {
      await page.getByTestId('page-quiz').waitFor({ timeout: 15_000 });
      const player = page.getByTestId('player');
      await player.waitFor();
      // Paused just before the SYN-ACK: the SYN is drawn, the answer is not.
      assert.equal(await player.getAttribute('data-playing'), 'false');
      const t0 = Number(await player.getAttribute('data-t'));
      assert.ok(t0 > 0, `paused at ${t0}`);
      await screenshot(page, `quiz-${lang}-typed`);

      const input = page.getByTestId('answer-input');
      // Not a number: a hint, no verdict, nothing counted.
      await input.fill('one');
      await input.press('Enter');
      await page.getByTestId('hint').waitFor();
      assert.equal(await page.getByTestId('verdict').count(), 0);
      assert.equal(await text(page, 'score-total'), '0/0');

      // A wrong number is rejected, the right one is shown, and the animation plays on.
      await input.fill('2');
      await input.press('Enter');
      const verdict = page.getByTestId('verdict');
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-right'), 'false');
      assert.match(await text(page, 'correct-answer'), /\b1\b/);
      await page.waitForFunction(
        (t0) => Number(document.querySelector('[data-testid="player"]').dataset.t) > t0,
        t0,
        { timeout: 10_000 },
      );
      assert.equal(await text(page, 'score-hs'), '0/1');

      // A new variant: new delay and seed, same question; the right number is accepted.
      const before = await text(page, 'quiz-variant');
      await page.getByTestId('new-variant').click();
      await page.waitForFunction((b) => document.querySelector('[data-testid="quiz-variant"]').innerText !== b, before);
      assert.equal(await page.getByTestId('verdict').count(), 0);
      await input.fill('1');
      await page.getByTestId('submit').click();
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-right'), 'true');
      assert.equal(await text(page, 'score-hs'), '1/2');
      assert.ok(page.url().includes('v=3'), page.url());
      await screenshot(page, `quiz-${lang}-typed-answered`);

      // Enter moves on to the next question.
      await page.locator('body').press('Enter');
      await page.waitForFunction(() => document.querySelector('[data-testid="quiz-card"]')?.dataset.item !== 'hs-synack-ack');
      assert.equal(await page.getByTestId('verdict').count(), 0);

      await page.setViewportSize(PHONE);
      await goto(page, 'td-fin-ack', 0, lang);
      await screenshot(page, `quiz-${lang}-360`);
      await noSidewaysScroll(page);
      await page.getByTestId('choice-0').click();
      await page.getByTestId('submit').click();
      await verdict.waitFor();
      await screenshot(page, `quiz-${lang}-360-answered`);
      await noSidewaysScroll(page);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

for (const lang of flowLangs()) {
  test(`quiz: window items on the window scene's traces (${lang})`, async () => {
    const { page, context, errors } = await openRoute(browser, '#/quiz', lang, {
      params: { q: 'win-dupack', v: '0' },
    });
    try {
      await page.getByTestId('page-quiz').waitFor({ timeout: 15_000 });
      const player = page.getByTestId('player');
      await player.waitFor();
      assert.equal(await player.getAttribute('data-playing'), 'false');
      assert.equal(hasCjk(await text(page, 'prompt')), lang === 'zh');
      // RFC 5681: the third duplicate ACK triggers fast retransmit.
      const input = page.getByTestId('answer-input');
      await input.fill('3');
      await input.press('Enter');
      const verdict = page.getByTestId('verdict');
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-right'), 'true');
      assert.equal(await text(page, 'score-win'), '1/1');
      await screenshot(page, `quiz-${lang}-window`);

      // The zero-window question: the persist timer and probes, as multiple choice.
      await goto(page, 'win-zero', 1, lang);
      const probes = lang === 'zh' ? '持续定时器' : 'persist timer';
      const texts = await page.locator('.choice .choice-text').allInnerTexts();
      const i = texts.findIndex((t) => t.includes(probes));
      assert.ok(i >= 0, JSON.stringify(texts));
      await page.getByTestId(`choice-${i}`).click();
      await page.getByTestId('submit').click();
      await verdict.waitFor();
      assert.equal(await verdict.getAttribute('data-right'), 'true');
      assert.equal(await text(page, 'score-win'), '2/2');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('quiz: an unreadable stored score does not break the page', async () => {
  await onPage(browser, '#/quiz', 'en', { params: { q: 'port' } }, async ({ page }) => {
    await page.waitForSelector('[data-testid=page-quiz][data-words=in]', { timeout: 15_000 });
    await page.evaluate(() => localStorage.setItem('synack.quiz', 'v1;best=x;hs=9/2;;garbage=='));
    await page.reload();
    await page.getByTestId('page-quiz').waitFor({ timeout: 15_000 });
    assert.equal(await text(page, 'score-total'), '0/0');
    await page.getByTestId('choice-0').click();
    await page.getByTestId('submit').click();
    await page.getByTestId('verdict').waitFor();
    const right = (await page.getByTestId('verdict').getAttribute('data-right')) === 'true';
    assert.equal(await text(page, 'score-port'), right ? '1/1' : '0/1');
    // And the stored line is readable again.
    const stored = await page.evaluate(() => localStorage.getItem('synack.quiz'));
    assert.ok(stored.startsWith('v1;') && stored.includes('port='), stored);
  });
});

// The questions' words are a file per language fetched after the first paint (words/quiz-zh.tsv,
// words/quiz-en.tsv, src/quiz/words.rs): held back, the page says it is loading them; blocked, it names the file,
// and the bar, the score and the rest of the page still work (never a blank page).
for (const lang of LANGS) {
  test(`quiz: words from words/quiz-${lang}.tsv after a loading notice; a blocked file gets a notice (${lang})`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const errors = collectErrors(page);
      const release = await holdRoute(page, `**/words/quiz-${lang}.tsv`);
      await page.goto(routeUrl(await baseUrl(), '#/quiz', lang, { q: 'hs-synack-ack', v: '0' }), { waitUntil: 'load' });
      await page.getByTestId('quiz-loading').waitFor({ timeout: 15_000 });
      assert.equal(await page.getByTestId('page-quiz').getAttribute('data-words'), 'loading');
      assert.match(await text(page, 'quiz-loading'), lang === 'zh' ? /正在加载题目的文字/ : /Loading the questions' words/);
      assert.equal(await page.getByTestId('quiz-card').count(), 0);
      await screenshot(page, `quiz-${lang}-words-loading`);
      release();
      await page.waitForSelector('[data-testid=page-quiz][data-words=in]', { timeout: 15_000 });
      // The template filled with the number the generator read off the trace.
      const prompt = await text(page, 'prompt');
      assert.match(prompt, lang === 'zh' ? /用相对序号/ : /In relative numbers/);
      await page.getByTestId('answer-input').fill('1');
      await page.getByTestId('answer-input').press('Enter');
      await page.getByTestId('verdict').waitFor();
      assert.equal(await page.getByTestId('verdict').getAttribute('data-right'), 'true');
      assert.match(await text(page, 'explain'), /ISN \+ 1 = 1/);
      assert.deepEqual(errors, []);
      await page.close();

      const blocked = await context.newPage();
      const blockedErrors = collectErrors(blocked);
      await blocked.route(`**/words/quiz-${lang}.tsv`, (r) => r.abort());
      await blocked.goto(routeUrl(await baseUrl(), '#/quiz', lang, { q: 'c-udp-header', v: '0' }), { waitUntil: 'load' });
      await blocked.waitForSelector('[data-testid=page-quiz][data-words=failed]', { timeout: 30_000 });
      const notice = blocked.getByTestId('text-error');
      assert.equal(await notice.getAttribute('data-file'), `quiz-${lang}`);
      const said = await notice.innerText();
      assert.match(said, lang === 'zh' ? /题目的文字没能加载/ : /questions' words could not be loaded/);
      assert.match(said, new RegExp(`words/quiz-${lang}\\.tsv`));
      assert.equal(hasCjk(said), lang === 'zh');
      assert.equal(await blocked.getByTestId('quiz-card').count(), 0);
      await screenshot(blocked, `quiz-${lang}-no-words`);
      // The rest of the page works: the next question, the topic filter, the score board.
      const pos = await text(blocked, 'quiz-pos');
      await blocked.getByTestId('next').click();
      await blocked.waitForFunction((p) => document.querySelector('[data-testid="quiz-pos"]').innerText !== p, pos);
      await blocked.getByTestId('quiz-topic').selectOption('hs');
      await blocked.waitForFunction(() => location.hash.includes('q=hs-'));
      // The score remembers the answer given above, and resets.
      assert.equal(await text(blocked, 'score-total'), '1/1');
      await blocked.getByTestId('score-reset').click();
      assert.equal(await text(blocked, 'score-total'), '0/0');
      assert.equal(await blocked.getByTestId('text-error').count(), 1);
      assert.deepEqual(blockedErrors.filter((e) => !/words\/quiz-(zh|en)\.tsv/.test(e)), [], 'no error but the aborted file');
    } finally {
      await context.close();
    }
  });
}
