// The Node.js programs of snippets/node: every case of every scene has one, each runs
// with the installed node on loopback and prints exactly its .out file, every text
// (manifest, corrections, interview questions) is in Chinese and English, and the framing
// decoders give the messages back however the byte stream is cut. Needs neither the web
// build nor a browser.
//
//   node --test e2e/snippets.test.mjs
//   SNIPPETS_ONLY=sticky node --test e2e/snippets.test.mjs   (one folder)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = fileURLToPath(new URL('../snippets/node/', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));
const corrections = JSON.parse(readFileSync(path.join(ROOT, 'corrections.json'), 'utf8'));
const quiz = JSON.parse(readFileSync(path.join(ROOT, 'quiz.json'), 'utf8'));

// The scenes' case ids as the web app's URLs spell them (#/<scene>?case=<id>); the sticky
// remedies are `fix=<id>`; tcp-vs-udp's ids are message counts, one program serves all ("*").
const CASES = {
  handshake: ['normal', 'syn-lost', 'syn-ack-lost', 'final-ack-lost', 'simultaneous-open', 'closed-port'],
  teardown: ['client-closes', 'server-closes', 'last-ack-lost', 'half-close', 'simultaneous-close', 'abort'],
  'tcp-vs-udp': ['*'],
  sticky: ['a', 'b', 'c', 'd', 'nagle-stall', 'wait', 'no-delay', 'length-prefix', 'delimiter'],
  udp: ['boundaries', 'truncation', 'unreliable', 'many-senders', 'multicast'],
  backlog: ['real-capture', 'abort', 'overflow', 'accept-late', 'syn-flood', 'bsd'],
  window: ['avoidance', 'slow-start', 'fast-retransmit', 'rto-backoff', 'slow-reader', 'nagle-delayed-ack'],
  'node-only': ['backpressure', 'blocked-event-loop', 'half-close', 'reset-and-destroy', 'dgram-whole-message'],
};

const bilingual = (t) =>
  t && typeof t.zh === 'string' && typeof t.en === 'string' && /[\u4e00-\u9fff]/.test(t.zh) && t.en.trim().length > 0;

test('the manifest has exactly one program for every case of every scene', () => {
  const listed = manifest.map((e) => `${e.scene}/${e.case}`);
  const wanted = Object.entries(CASES).flatMap(([scene, ids]) => ids.map((id) => `${scene}/${id}`));
  assert.deepEqual([...listed].sort(), [...wanted].sort());
  assert.equal(new Set(listed).size, listed.length, 'a case is listed twice');
});

test('every manifest entry names files that exist and has its title and note in zh and en', () => {
  for (const e of manifest) {
    const where = `${e.scene}/${e.case}`;
    for (const f of [e.file, e.expected, ...(e.uses ?? [])]) {
      assert.ok(existsSync(path.join(ROOT, f)), `${where}: ${f} is missing`);
    }
    assert.ok(bilingual(e.title), `${where}: title needs zh and en`);
    assert.ok(bilingual(e.note), `${where}: note needs zh and en`);
    assert.ok(['case', 'remedy', 'node-only'].includes(e.kind), `${where}: unknown kind ${e.kind}`);
  }
});

// The page shows a program with the modules of this folder it imports (`uses`), so what a
// reader copies is all there is to run.
test('every module of this folder a program imports is listed in its uses, and nothing else', () => {
  for (const e of manifest) {
    const code = readFileSync(path.join(ROOT, e.file), 'utf8');
    const imported = [...code.matchAll(/from '(\.\.?\/[^']+)'/g)]
      .map(([, rel]) => path.relative(ROOT, path.join(ROOT, path.dirname(e.file), rel)));
    assert.deepEqual(e.uses ?? [], imported, `${e.file}: uses`);
    for (const u of e.uses ?? []) {
      const inner = readFileSync(path.join(ROOT, u), 'utf8');
      assert.doesNotMatch(inner, /from '\./, `${u} imports another local module: the page would not show it`);
    }
  }
});

// Cases whose situation needs the network to lose a packet: an unprivileged program cannot,
// and its note must say so (the program's comment gives the nft rule).
const LOSS = ['handshake/syn-lost', 'handshake/syn-ack-lost', 'handshake/final-ack-lost', 'teardown/last-ack-lost',
  'tcp-vs-udp/*', 'udp/unreliable', 'window/fast-retransmit', 'window/rto-backoff'];

test('the note of every loss case says the program cannot drop packets, and its code says how', () => {
  for (const id of LOSS) {
    const e = manifest.find((x) => `${x.scene}/${x.case}` === id);
    assert.ok(e, `${id} is not in the manifest`);
    assert.match(e.note.en, /cannot drop packets by itself/, id);
    assert.match(e.note.zh, /程序自己(也)?无法丢包/, id);
    assert.match(readFileSync(path.join(ROOT, e.file), 'utf8'), /nft '?add rule/, `${id}: no nft rule in the comment`);
  }
});

test('no text calls the interview chapter "the seed"', () => {
  const texts = [
    ...manifest.flatMap((e) => [e.title, e.note]),
    ...corrections.flatMap((c) => [c.claim, c.truth]),
    ...quiz.flatMap((q) => [q.question, q.why, ...q.choices]),
  ];
  for (const t of texts) {
    assert.doesNotMatch(t.en, /\bseed\b/i);
    assert.doesNotMatch(t.zh, /种子/);
  }
});

test('every correction has its claim and truth in zh and en, a place and a source', () => {
  const ids = new Set();
  for (const c of corrections) {
    assert.ok(c.id && !ids.has(c.id), `duplicate or empty id ${c.id}`);
    ids.add(c.id);
    assert.ok(typeof c.where === 'string' && c.where.length > 0, `${c.id}: where`);
    assert.ok(bilingual(c.claim), `${c.id}: claim needs zh and en`);
    assert.ok(bilingual(c.truth), `${c.id}: truth needs zh and en`);
    assert.ok(typeof c.source === 'string' && c.source.length > 0, `${c.id}: source`);
  }
});

test('every interview question has four bilingual choices, a reason and evidence that exists', () => {
  const ids = new Set();
  for (const q of quiz) {
    assert.ok(q.id && !ids.has(q.id), `duplicate or empty id ${q.id}`);
    ids.add(q.id);
    assert.ok(Object.keys(CASES).includes(q.link), `${q.id}: link ${q.link} is not a scene`);
    assert.ok(bilingual(q.question) && bilingual(q.why), `${q.id}: question and why need zh and en`);
    assert.equal(q.choices.length, 4, `${q.id}: four choices, the first right`);
    for (const c of q.choices) assert.ok(c.zh && c.en, `${q.id}: a choice needs zh and en`);
    const [file, anchor] = q.evidence.split('#');
    if (anchor) assert.ok(corrections.some((c) => c.id === anchor), `${q.id}: no correction ${anchor}`);
    else assert.ok(manifest.some((e) => e.file === file), `${q.id}: ${file} is not a program of the manifest`);
  }
});

test('the programs talk to loopback only (or the multicast group joined on it)', () => {
  for (const e of manifest) {
    const code = readFileSync(path.join(ROOT, e.file), 'utf8')
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('//'))
      .join('\n');
    for (const [, ip] of code.matchAll(/['"`](\d+\.\d+\.\d+\.\d+)['"`]/g)) {
      assert.ok(['127.0.0.1', '239.1.1.1'].includes(ip), `${e.file}: address ${ip}`);
    }
    assert.doesNotMatch(code, /localhost|0\.0\.0\.0|::/, `${e.file}: use 127.0.0.1 explicitly`);
  }
});

// A seeded generator, so a failing chunking can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

test('both framing decoders give every message back whole however the stream is cut', async () => {
  const f = await import(path.join(ROOT, 'sticky/framing.mjs'));
  const codecs = [
    ['length prefix', f.encodeLengthPrefixed, () => new f.LengthPrefixDecoder()],
    ['delimiter', (m) => f.encodeDelimited(m), () => new f.DelimiterDecoder()],
  ];
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed);
    const messages = Array.from({ length: 1 + Math.floor(r() * 8) }, () =>
      Buffer.from(Array.from({ length: Math.floor(r() ** 3 * 5000) }, () => 32 + Math.floor(r() * 90))));
    for (const [name, encode, decoder] of codecs) {
      const stream = Buffer.concat(messages.map(encode));
      const d = decoder();
      const out = [];
      for (let at = 0; at < stream.length;) {
        const n = r() < 0.2 ? 1 : 1 + Math.floor(r() * 3000); // single bytes, splits and glue
        out.push(...d.push(stream.subarray(at, at + n)));
        at += n;
      }
      assert.deepEqual(out.map(String), messages.map(String), `${name}, seed ${seed}`);
      assert.equal(d.pendingBytes, 0, `${name}, seed ${seed}`);
    }
  }
});

test('the framing decoders refuse bad input with a clear error', async () => {
  const f = await import(path.join(ROOT, 'sticky/framing.mjs'));
  assert.throws(() => new f.LengthPrefixDecoder({ maxLength: 10 }).push(Buffer.from([0, 0, 0, 11])), /exceeds the limit of 10/);
  assert.throws(() => new f.DelimiterDecoder({ maxLength: 10 }).push(Buffer.alloc(11, 'x')), /no delimiter within 10/);
  assert.throws(() => f.encodeDelimited('a\nb'), /contains the delimiter/);
  const d = new f.LengthPrefixDecoder();
  assert.deepEqual(d.push(Buffer.from([0, 0, 0, 3, 0x61])), []);
  assert.equal(d.pendingBytes, 5, 'an unfinished frame is held back, header included');
});

/** A line diff good enough to read a failure: `-` expected, `+` printed. */
function diff(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) out.push(`  ${a[i]}`);
    else {
      if (a[i] !== undefined) out.push(`- ${a[i]}`);
      if (b[i] !== undefined) out.push(`+ ${b[i]}`);
    }
  }
  return out.join('\n');
}

function run(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    execFile(process.execPath, [path.join(ROOT, file)], {
      cwd: path.dirname(path.join(ROOT, file)),
      timeout: 15_000,
      killSignal: 'SIGKILL',
      maxBuffer: 1 << 20,
    }, (err, stdout, stderr) => resolve({ err, stdout, stderr, ms: performance.now() - started }));
  });
}

const only = process.env.SNIPPETS_ONLY;
// Programs mostly wait on timers and the kernel: a few at a time keeps the file short
// without making any of them late (their timing margins are hundreds of ms).
test('every program prints exactly its expected output', { concurrency: 4 }, async (t) => {
  const runs = manifest.filter((e) => !only || e.file.startsWith(`${only}/`)).map((e) =>
    t.test(`${e.scene}/${e.case} (${e.file})`, async () => {
      const expected = readFileSync(path.join(ROOT, e.expected), 'utf8');
      const { err, stdout, stderr, ms } = await run(e.file);
      assert.ok(!err, `${e.file} failed after ${Math.round(ms)} ms: ${err?.killed ? 'timed out (15 s)' : err?.message}\n${stderr}`);
      assert.ok(stdout === expected, `${e.file} printed something else:\n${diff(expected, stdout)}\n${stderr}`);
    }));
  await Promise.all(runs);
});
