/**
 * The per-function cache (used by the language server on every keystroke) must give
 * exactly the findings of a fresh analysis, whatever the edit, and carry no fixes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initParsers, analyze, createAnalysisCache, parseSource, type AnalysisResult, type Language } from '../rules/index.js';

await initParsers();

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtureFiles = (['c', 'go'] as const).flatMap((lang) =>
  readdirSync(join(root, 'fixtures', lang))
    .filter((f) => f.endsWith(`.${lang}`))
    .map((f) => ({ path: join(root, 'fixtures', lang, f), lang: lang as Language })),
);

function comparable(r: AnalysisResult): string {
  return JSON.stringify({ findings: r.findings.map((f) => [f.rule, f.messageId, f.data, f.severity, f.message, f.range, f.related, f.steps]), sites: r.forkSites });
}

/** Deterministic edits of several kinds: a character typed, a line inserted, a line deleted, a function's body changed. */
function edit(text: string, k: number): string {
  const lines = text.split('\n');
  const i = (k * 7919) % Math.max(1, lines.length);
  switch (k % 4) {
    case 0:
      lines[i] = `${lines[i]} `;
      break;
    case 1:
      lines.splice(i, 0, '// an inserted line');
      break;
    case 2:
      if (lines.length > 2) lines.splice(i, 1);
      break;
    default:
      lines[i] = lines[i].replace(/_exit\(/, 'exit(').replace(/\bvfork\(\)/, 'fork()');
  }
  return lines.join('\n');
}

test('cached analysis equals fresh analysis across edits of every fixture', () => {
  const cache = createAnalysisCache();
  let compared = 0;
  for (const { path, lang } of fixtureFiles) {
    let text = readFileSync(path, 'utf8');
    for (let k = 0; k < 6; k++) {
      const tree = parseSource(text, lang);
      const cached = analyze(text, lang, {}, { tree, cache });
      const fresh = analyze(text, lang, {});
      assert.equal(comparable(cached), comparable(fresh), `${path} after ${k} edits`);
      assert.ok(cached.findings.every((f) => f.fixes.length === 0 || f.rule === 'unused-disable-directive'), 'with a cache, findings carry no rule fixes');
      compared++;
      text = edit(text, k + compared);
    }
  }
  assert.ok(compared >= fixtureFiles.length * 6);
});

test('the cache is keyed on configuration too', () => {
  const cache = createAnalysisCache();
  const text = readFileSync(join(root, 'examples', 'spawn.c'), 'utf8');
  const plain = analyze(text, 'c', {}, { cache });
  const strict = analyze(text, 'c', { strict: true }, { cache });
  assert.equal(comparable(strict), comparable(analyze(text, 'c', { strict: true })));
  assert.notEqual(comparable(plain), comparable(strict));
  const off = analyze(text, 'c', { rules: { 'child-unsafe-call': 'off' } }, { cache });
  assert.ok(!off.findings.some((f) => f.rule === 'child-unsafe-call'));
});

test('a change in a same-file callee invalidates the caller', () => {
  const cache = createAnalysisCache();
  const before = 'static void helper(void) { }\nint f(char **argv) {\n  pid_t pid = vfork();\n  if (pid == 0) {\n    helper();\n    execv(argv[0], argv);\n    _exit(1);\n  }\n  return pid;\n}\n';
  assert.equal(analyze(before, 'c', {}, { cache }).findings.length, 0);
  const after = before.replace('static void helper(void) { }', 'static void helper(void) { printf("x"); }');
  const r = analyze(after, 'c', {}, { cache });
  assert.deepEqual(r.findings.map((f) => f.rule), ['child-unsafe-call']);
});
