// What a Node.js engineer takes away from the page runs: on every scene's Node.js view, in every
// case, the program that "Copy code" puts on the clipboard, saved next to the modules the page
// shows under it (at the paths it names), runs with the installed node on loopback and prints
// exactly what the page says it prints ("What it prints"). snippets.test.mjs runs the files of
// snippets/node; this runs what the reader copies from the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useBrowser, onPage, drawn, SCENES } from './lib.mjs';

const browser = useBrowser();

function run(file) {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd: path.dirname(file), timeout: 15_000, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => resolve({ err, stdout, stderr }));
  });
}

for (const [route, scene] of SCENES) {
  test(`${scene}: the Node.js program copied from the page runs and prints what the page shows, in every case`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), `synack-node-${scene}-`));
    try {
      await onPage(browser, route, 'en', { params: { api: 'node' } }, async ({ page }) => {
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
        await drawn(page);
        let ids = await page.locator('.cases button.case').evaluateAll((bs) => bs.map((b) => b.dataset.testid));
        if (scene === 'tcp-vs-udp') ids = ids.slice(0, 1); // one program for every message count
        let ran = 0;
        for (const id of ids) {
          await page.getByTestId(id).click();
          await page.waitForSelector(`[data-testid="${id}"][aria-pressed="true"]`);
          const panel = page.getByTestId('node-panel');
          await panel.waitFor({ timeout: 10_000 });
          // The panel says "Loading…" until the case's program is in; only then does it show a
          // copy button, or say that the case has none.
          await page.waitForFunction(() =>
            [...document.querySelectorAll('[data-testid="node-panel"] p.muted')].every((p) => !/Loading|正在加载/.test(p.textContent)));
          const copy = page.getByTestId('node-copy');
          if ((await copy.count()) === 0) continue; // "this case has no program of its own"
          await page.waitForFunction(() => document.querySelector('[data-testid="node-output"]')?.textContent.length > 0);
          await copy.click();
          const code = await page.evaluate(() => navigator.clipboard.readText());
          assert.equal(code, await page.getByTestId('node-code').innerText(), `${id}: the clipboard holds the program shown`);
          const shown = await page.getByTestId('node-output').textContent();
          // The modules shown under it, at the paths the page names (relative to snippets/node).
          const used = await page.locator('[data-testid="node-used"]').evaluateAll((pres) =>
            pres.map((p) => ({ path: p.previousElementSibling?.textContent.trim(), text: p.textContent })));
          // In its scene's folder, as in snippets/node (the page names the modules it imports
          // by their paths there: '../shared/pair.mjs', './messages.mjs' is sticky/messages.mjs).
          const file = path.join(dir, id, scene, 'program.mjs');
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, code);
          for (const u of used) {
            assert.ok(u.path, `${id}: a module shown without its path`);
            const at = path.join(dir, id, u.path);
            await mkdir(path.dirname(at), { recursive: true });
            await writeFile(at, u.text);
          }
          const { err, stdout, stderr } = await run(file);
          assert.ok(!err, `${scene} ${id}: the copied program failed: ${err?.message}\n${stderr}`);
          assert.equal(stdout, shown, `${scene} ${id}: it printed something other than the page shows`);
          ran++;
        }
        assert.ok(ran >= 1, `${scene}: programs run: ${ran}`);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
