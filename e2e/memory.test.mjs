// The app's wasm shadow stack (build.rs: 96 KiB instead of rustc's 1 MiB) holds the deepest
// call chains the app reaches with room to spare: every instance's deepest point stays under a
// quarter of its stack after the heaviest things a page does (every case of every scene played
// to its end, the 5,000-message TCP vs UDP scene, #/open with a lab trace). An overflow would
// trap (the stack is first in linear memory) and stop the page; this fails long before.
//
// How deep: linear memory starts out zeroed and the stack grows down from its top, so the
// lowest non-zero byte below the top is as deep as it has been. The top is the initial value of
// the module's first global (`__stack_pointer`), read from the wasm file the instance came from.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, openRoute, baseUrl, SCENES, ROOT, WASM_PROBE, CLOSURES_HELD } from './lib.mjs';

const browser = useBrowser();

// How deep each kept instance's stack has been, given each one's top.
const DEPTHS = (tops) =>
  window.__synackWasm.map(({ memory }, i) => {
    const top = tops[i];
    const bytes = new Uint8Array(memory.buffer, 0, top);
    let low = 0;
    while (low < top && bytes[low] === 0) low++;
    return top - low;
  });

function leb(bytes, at, signed) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value |= (b & 0x7f) << shift;
    shift += 7;
    if (b < 0x80) {
      if (signed && shift < 32 && b & 0x40) value |= -1 << shift;
      return [value, at];
    }
  }
}

/** The initial value of a wasm module's first global: rustc's `__stack_pointer`, the top of
 * its stack (lld's --stack-first puts the stack below everything else). */
function stackTop(bytes) {
  for (let at = 8; at < bytes.length; ) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1, false);
    if (id === 6) {
      const [, first] = leb(bytes, body, false);
      const [type, mutable, op] = bytes.subarray(first, first + 3);
      assert.deepEqual([type, mutable, op], [0x7f, 1, 0x41], 'the first global is not a mutable i32 set by i32.const');
      return leb(bytes, first + 3, true)[0];
    }
    at = body + size;
  }
  throw new Error('no global section');
}

/** The initial memory of a wasm module, bytes, and where its static data ends: the memory
 * section's minimum (64 KiB pages) and the end of the furthest active data segment. */
function initialLayout(bytes) {
  let pages = null;
  let dataEnd = 0;
  for (let at = 8; at < bytes.length; ) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1, false);
    if (id === 5) {
      const [, limits] = leb(bytes, body, false);
      pages = leb(bytes, limits + 1, false)[0];
    }
    if (id === 11) {
      let [count, p] = leb(bytes, body, false);
      for (; count > 0; count--) {
        let kind;
        [kind, p] = leb(bytes, p, false);
        let offset = null;
        if (kind === 0) {
          assert.equal(bytes[p], 0x41, 'an active data segment whose offset is not an i32.const');
          [offset, p] = leb(bytes, p + 1, true);
          assert.equal(bytes[p], 0x0b, 'an offset expression longer than one i32.const');
          p += 1;
        } else assert.equal(kind, 1, `data segment kind ${kind}`);
        let len;
        [len, p] = leb(bytes, p, false);
        if (offset !== null) dataEnd = Math.max(dataEnd, offset + len);
        p += len;
      }
    }
    at = body + size;
  }
  assert.ok(pages !== null, 'no memory section');
  return { initial: pages * 64 * 1024, dataEnd };
}

/** The handshake at 1366×850, loaded once, then reloaded with `script` run before the page's
 * own scripts from then on. A scene's page has loaded once its words are in (`loaded`):
 * leaving it sooner cancels requests (the wasm's, the words file's), which the error log would
 * count. */
async function handshakeWith(script) {
  const opened = await openRoute(browser, '#/handshake', 'en', { viewport: { width: 1366, height: 850 } });
  const loaded = () => opened.page.waitForSelector('.page.scene[data-words=in]', { timeout: 30_000 });
  try {
    await loaded();
    await opened.page.addInitScript(script);
    await opened.page.reload();
    await loaded();
    return { ...opened, loaded };
  } catch (e) {
    await opened.context.close();
    throw e;
  }
}

// src/heap.rs: the linear memory a module starts with ends on a page boundary past its stack
// and static data, and the heap's first segment begins right after the data instead of in a
// page grown for it; that tail stayed zero, mapped and unused, when it did not.
test("the first-load wasm's heap begins in its initial memory, right after the static data", async () => {
  const { page, context, errors } = await handshakeWith(WASM_PROBE);
  try {
    const [url] = await page.evaluate(() => window.__synackWasm.map((w) => w.url));
    assert.ok(url, 'no wasm instance seen');
    const { initial, dataEnd } = initialLayout(new Uint8Array(await (await fetch(url)).arrayBuffer()));
    assert.ok(dataEnd > 0 && dataEnd < initial, `data ends at ${dataEnd}, memory starts at ${initial}`);
    // The static data's zero part (.bss, not in the file) follows the data segments, so the
    // last 4 KiB below the initial end are what only the heap writes: the page allocates far
    // more than the tail holds, so its chunks cover all of it.
    const from = initial - 4096;
    assert.ok(from - dataEnd >= 4096, `a tail of ${initial - dataEnd} bytes`);
    const used = await page.evaluate(
      ([from, to]) => new Uint8Array(window.__synackWasm[0].memory.buffer, from, to - from).some((b) => b !== 0),
      [from, initial],
    );
    assert.ok(used, `nothing written in the 4 KiB below the initial memory's end (${initial}; data ends at ${dataEnd})`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// Cargo.toml: wasm-bindgen's `enable-interning`. Yew interns every attribute name it sets, so
// each name is decoded from the wasm memory into a JS string once, and afterwards passed as that
// string. Without the feature `intern` does nothing, and the first mount decoded "class" once per
// element (about 100 times on the handshake), each time a new string and a typed-array view left
// to the garbage collector.
test("the first scene's mount decodes each attribute name from the wasm memory once, not once per element", async () => {
  // Every string the JS bindings decode, and every attribute name set.
  const { page, context, errors } = await handshakeWith(() => {
    const decoded = new Map();
    const names = new Set();
    window.__decoded = decoded;
    window.__names = names;
    const decode = TextDecoder.prototype.decode;
    TextDecoder.prototype.decode = function (...args) {
      const s = decode.apply(this, args);
      decoded.set(s, (decoded.get(s) ?? 0) + 1);
      return s;
    };
    const set = Element.prototype.setAttribute;
    Element.prototype.setAttribute = function (name, value) {
      names.add(name);
      return set.call(this, name, value);
    };
  });
  try {
    const seen = await page.evaluate(() =>
      [...window.__names].map((n) => [n, window.__decoded.get(n) ?? 0]).sort((a, b) => b[1] - a[1]),
    );
    assert.ok(seen.length > 20, `attribute names set: ${JSON.stringify(seen)}`);
    // Once as a name; a name may also come through once more as some other string (a text).
    const often = seen.filter(([, n]) => n > 2);
    assert.deepEqual(often, [], 'attribute names decoded more than twice (name, times)');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** On the handshake: `act(page, n)` done `warm` times, then `more` times more, leaves the
 * closures Rust holds in wasm-bindgen's table as they were after the first round. */
async function leavesNoClosure(act, [warm, more], what) {
  const { page, context, errors } = await handshakeWith(WASM_PROBE);
  try {
    const closures = () => page.evaluate(CLOSURES_HELD);
    await act(page, warm);
    const before = await closures();
    assert.ok(before > 0, 'no closure seen in the table (the probe reads the wrong table?)');
    await act(page, more);
    assert.equal(await closures(), before, `closures held after ${warm} ${what} vs after ${warm + more}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

// src/dom.rs `later`: a task put off with gloo's `Timeout::new(..).forget()` leaked its closure
// for good (a JS function in wasm-bindgen's table, and the Rust box behind it), and stopping
// playback put one off each time (src/hooks/animation_frame.rs drops the frame closure on a
// later task), so every play/pause left one more behind.
test('playing and pausing a scene again and again leaves no JS closure behind', async () => {
  const cycles = async (page, n) => {
    const play = page.getByTestId('play');
    for (let i = 0; i < n; i++) {
      await play.click();
      await page.waitForTimeout(150);
      await play.click();
      await page.waitForTimeout(150);
    }
    // Whatever the last pause put off has run (the hash write waits 300 ms).
    await page.waitForTimeout(1000);
  };
  await leavesNoClosure(cycles, [2, 10], 'play/pause cycles');
});

// src/engine/export.rs `copy_text`: the handler given to the clipboard promise's `catch` was a
// closure made and leaked (`Closure::forget`) on every copy; now one handler serves them all.
test('copying the link again and again leaves no JS closure behind', async () => {
  const copies = async (page, n) => {
    for (let i = 0; i < n; i++) await page.getByTestId('copy-link').click();
    await page.getByTestId('share-output').waitFor();
    // The clipboard's promise has settled, whichever way.
    await page.waitForTimeout(300);
  };
  await leavesNoClosure(copies, [1, 10], 'copies');
});

// src/engine/export.rs `save_svg`: a PNG is drawn once the SVG image has loaded; the handler was
// given to `onload` alone, so a drawing that failed to decode never freed it (one closure per
// export). The image's source is broken here on purpose, from the page's side.
test('exporting a PNG of a drawing that fails to decode leaves no JS closure behind', async () => {
  const exports = async (page, n) => {
    await page.evaluate(() => {
      const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
      Object.defineProperty(HTMLImageElement.prototype, 'src', {
        configurable: true,
        get() { return src.get.call(this); },
        set(v) { src.set.call(this, String(v).startsWith('data:image/svg') ? 'data:image/svg+xml,%3Cbroken' : v); },
      });
    });
    for (let i = 0; i < n; i++) await page.getByTestId('export-png').filter({ visible: true }).click();
    // The broken images have settled (a data URL fails at once).
    await page.waitForTimeout(1500);
  };
  await leavesNoClosure(exports, [1, 5], 'PNG exports that failed');
});

test("every wasm instance's deepest stack use stays under a quarter of its stack", async () => {
  const { page, context, errors, loaded } = await handshakeWith(WASM_PROBE);
  try {
    const base = await baseUrl();
    // One document throughout, as a reader clicking through: the scenes by their hash.
    const visit = async (route) => {
      await page.goto(new URL(`?lang=en${route}`, base).href);
      await page.getByTestId('player').waitFor({ timeout: 30_000 });
      await loaded();
    };
    // Every case of every scene to its end (the full build loads beside the first-load one).
    for (const [route] of SCENES) {
      await visit(route);
      const cases = await page.locator('.cases button[data-testid^="case-"]').all();
      for (const c of cases.length ? cases : [null]) {
        if (c) await c.click();
        await page.keyboard.press('End');
      }
    }
    await visit('#/tcp-vs-udp?messages=5000&loss=5&seed=1');
    await page.keyboard.press('End');
    await page.goto(new URL('?lang=en#/open', base).href);
    await page.getByTestId('open-input').setInputFiles(join(ROOT, 'e2e', 'data', 'lab-handshake.json'));
    await page.getByTestId('player').waitFor({ timeout: 30_000 });

    const kept = await page.evaluate(() => window.__synackWasm.map((w) => w.url));
    assert.ok(kept.length >= 2, `wasm instances seen: ${JSON.stringify(kept)}`);
    const tops = [];
    for (const url of kept) {
      assert.ok(url, 'an instance whose module came from no URL (the loader changed?)');
      tops.push(stackTop(new Uint8Array(await (await fetch(url)).arrayBuffer())));
    }
    const depths = await page.evaluate(DEPTHS, tops);
    for (const [i, url] of kept.entries()) {
      const name = url.split('/').pop();
      console.log(`  ${name}: stack ${tops[i] / 1024} KiB, deepest use ${(depths[i] / 1024).toFixed(1)} KiB`);
      assert.ok(depths[i] > 0, `${name}: no stack use seen (the probe reads the wrong bytes?)`);
      assert.ok(depths[i] <= tops[i] / 4, `${name}: ${depths[i]} of ${tops[i]} stack bytes used`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
