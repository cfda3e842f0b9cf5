/**
 * The short, fixed-seed fuzz run that is part of `npm test` (the long one is
 * `npm run fuzz`). Every input goes to a child process with a watchdog, so a hang fails
 * the test instead of stalling it. Properties: see fuzz/check.ts.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { initParsers, analyze, formatMessage, ruleMeta, type Language } from '../rules/index.js';
import { checkFindings } from '../fuzz/check.js';
import { REPO, seeds } from '../fuzz/corpus.js';
import { deepNesting, fuzzCase, hugeFile, insertBytes, lineEndings, longLine, type FuzzCase, type LongKind, type NestShape } from '../fuzz/mutate.js';
import { WatchedChecker } from '../fuzz/pool.js';

await initParsers();

const SEED = 424242;
const RANDOM_PER_LANGUAGE = 60;

const LANGUAGES: Language[] = ['c', 'go'];

// Only hangs are caught here: 30 s plus 10 ms per 1,000 characters (2 MB: 50 s).
const checker = new WatchedChecker((size) => 30_000 + size * 0.01);
after(() => checker.close());

async function assertAllPass(cases: FuzzCase[], options: { idempotent?: boolean } = {}): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    const r = await checker.check({ text: c.text, language: c.language, idempotent: options.idempotent ?? c.text.length < 20_000, fixParses: c.text.length < 200_000, budget: 'test' });
    if (r.violations.length) {
      failures.push(`${c.language}: ${c.label} (${c.text.length} chars): ${r.violations.map((v) => `${v.property}: ${v.detail.split('\n')[0].slice(0, 300)}`).join('; ')}`);
      // One hang costs a minute: stop at the first.
      if (r.violations.some((v) => v.property === 'no-hang')) break;
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} inputs broke a property:\n${failures.join('\n')}`);
}

describe('fuzz (short, fixed seed)', () => {
  for (const language of LANGUAGES) {
    test(`${RANDOM_PER_LANGUAGE} mutated ${language} inputs (flips, truncations, splices, braces, bytes, line endings, long lines, nesting)`, async () => {
      await assertAllPass(fc.sample(fuzzCase(language), { seed: SEED, numRuns: RANDOM_PER_LANGUAGE }));
    });

    test(`${language}: 10,000-deep nesting of every shape, in the child, in the parent, before the fork and after it`, async () => {
      const shapes: NestShape[] = ['blocks', 'ifs', 'else-if', 'parens', 'loops', 'switch', 'binary', 'calls', 'unclosed'];
      const cases = shapes.flatMap((shape) => (['child', 'parent', 'before-fork', 'after-test'] as const).map((place) => ({ language, label: `${shape} nested 10000 deep (${place})`, text: deepNesting(language, shape, 10_000, place) })));
      await assertAllPass(cases, { idempotent: false });
    });

    test(`${language}: 100,000-character lines of every kind`, async () => {
      const seed = seeds(language).find((s) => s.name.startsWith('split-')) ?? seeds(language)[0];
      const kinds: LongKind[] = ['identifier', 'comment', 'string', 'spaces', 'number', 'joined', 'statements', 'operators'];
      await assertAllPass(kinds.map((kind, i) => ({ language, label: `${seed.name} with a 100,000-character ${kind} line`, text: longLine(seed, language, i * 37, kind) })), { idempotent: false });
    });

    // The short run uses 2 MB; `npm run fuzz` runs the 10 MB files.
    test(`${language}: a 2 MB file`, async () => {
      const seed = seeds(language).find((s) => s.name.startsWith('split-')) ?? seeds(language)[0];
      await assertAllPass([{ language, label: `2 MB file with ${seed.name} in the middle`, text: hugeFile(seed, language, 2_000_000, 'middle') }], { idempotent: false });
    });
  }

  test('CRLF, CR and mixed line endings, NUL bytes and invalid UTF-8 in every fixture', async () => {
    const cases: FuzzCase[] = [];
    for (const language of LANGUAGES) {
      for (const [i, s] of seeds(language).entries()) {
        cases.push({ language, label: `${s.name} with CRLF`, text: lineEndings(s.text, 'crlf', []) });
        cases.push({ language, label: `${s.name} with mixed line endings`, text: lineEndings(s.text, 'mixed', [i, i + 1, i + 2]) });
        cases.push({ language, label: `${s.name} with NUL and invalid UTF-8`, text: insertBytes(s.text, [[i * 7, 0], [i * 13, 1], [i * 17, 2], [i * 19, 4], [i * 23, 7]]) });
      }
    }
    await assertAllPass(cases, { idempotent: false });
  });

  test('CRLF changes no finding: same rules on the same lines as with LF', () => {
    const differ: string[] = [];
    for (const language of LANGUAGES) {
      for (const s of seeds(language)) {
        const key = (text: string) => analyze(text, language).findings.map((f) => `${f.range.start.line}:${f.rule}`).join(' ');
        const lf = key(s.text);
        const crlf = key(lineEndings(s.text, 'crlf', []));
        if (lf !== crlf) differ.push(`${s.name}: LF [${lf}] vs CRLF [${crlf}]`);
      }
    }
    assert.deepEqual(differ, []);
  });

  test('the property checker itself catches a bad range, an overlapping fix and a message that is not its template', () => {
    const text = 'int f(void) {\n\treturn vfork();\n}\n';
    const pos = (offset: number, line: number, column: number) => ({ offset, line, column });
    const data = { fork: 'vfork' };
    const m = formatMessage(ruleMeta('child-returns').messages.returns, data);
    const v = checkFindings(text, 'c', [
      { rule: 'child-returns', messageId: 'returns', data, severity: 'error', message: m, steps: [], range: { start: pos(14, 2, 1), end: pos(999, 3, 1) }, related: [], fixes: [] },
      { rule: 'child-returns', messageId: 'returns', data, severity: 'error', message: m, steps: [], range: { start: pos(14, 1, 15), end: pos(15, 2, 2) }, related: [], fixes: [] },
      { rule: 'child-returns', messageId: 'returns', data: { fork: 'clone' }, severity: 'error', message: m, steps: [], range: { start: pos(15, 2, 2), end: pos(15, 2, 2) }, related: [], fixes: [] },
      {
        rule: 'child-returns',
        messageId: 'returns',
        data,
        severity: 'error',
        message: m,
        steps: [],
        range: { start: pos(14, 2, 1), end: pos(15, 2, 2) },
        related: [],
        fixes: [{ title: 't', kind: 'exit', safe: true, edits: [{ start: 0, end: 5, newText: '' }, { start: 3, end: 6, newText: '' }] }],
      },
    ]);
    assert.deepEqual(v.map((x) => x.property).sort(), ['finding-range', 'finding-range', 'fix-edits-overlap', 'message-template']);
  });

  test('every fuzz regression fixture passes every property', async () => {
    const cases: FuzzCase[] = [];
    for (const language of LANGUAGES) {
      const dir = join(REPO, 'fixtures', language);
      for (const name of readdirSync(dir).filter((n) => n.startsWith('fuzz-regression-'))) cases.push({ language, label: name, text: readFileSync(join(dir, name), 'utf8') });
    }
    await assertAllPass(cases);
  });
});
