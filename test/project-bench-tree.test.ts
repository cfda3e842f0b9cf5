/**
 * The benchmark's generated project (bench/project-tree.ts, row (g)): deterministic for a
 * seed, linted with default flags from its own root, and the index does the work the row
 * means to measure: every tool's child calls helpers in other files, and what is reported
 * is what those helpers do (a global written, malloc two calls deep), nothing elsewhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateProjectTree } from '../bench/project-tree.js';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../cli/main.js');
const roots: string[] = [];
after(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

interface EslintFile {
  filePath: string;
  messages: Array<{ ruleId: string; severity: number; line: number }>;
}

function lint(dir: string, ...args: string[]): EslintFile[] {
  const r = spawnSync(process.execPath, [CLI, '--format', 'json', '--no-config-lookup', '--no-progress', ...args, '.'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout) as EslintFile[];
}

describe('benchmark project (row g)', () => {
  const spec = { files: 120, seed: 7, forkEvery: 20, helperFiles: 4, fileBytes: 2000 };

  it('is deterministic', () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'vforklint-project-a-')), mkdtempSync(join(tmpdir(), 'vforklint-project-b-'))];
    roots.push(a, b);
    const [ma, mb] = [generateProjectTree({ root: a, ...spec }), generateProjectTree({ root: b, ...spec })];
    assert.equal(ma.totalBytes, mb.totalBytes);
    assert.equal(ma.files, spec.files);
    assert.equal(ma.forkFiles, 5);
    for (let n = 0; n < ma.forkFiles; n++) assert.equal(readFileSync(join(a, 'tree', `cmd/tool_${n}.c`), 'utf8'), readFileSync(join(b, 'tree', `cmd/tool_${n}.c`), 'utf8'));
  });

  it('its tools are judged by their helpers in other files, and nothing else is reported', () => {
    const root = mkdtempSync(join(tmpdir(), 'vforklint-project-'));
    roots.push(root);
    const m = generateProjectTree({ root, ...spec });
    const tree = join(root, 'tree');
    const withIndex = lint(tree).filter((f) => f.messages.length);
    const found = withIndex.flatMap((f) => f.messages.map((x) => `${relative(tree, f.filePath)} ${x.ruleId} ${x.severity}`)).sort();
    const wanted: string[] = [];
    for (let n = 0; n < m.forkFiles; n++) {
      wanted.push(`cmd/tool_${n}.c child-writes-shared 2`);
      if (n % 3 === 0) wanted.push(`cmd/tool_${n}.c child-unsafe-call 2`);
    }
    assert.deepEqual(found, wanted.sort());
    // Without the index the helpers are unknown: the tools come out differently.
    const without = lint(tree, '--no-project-index').flatMap((f) => f.messages.map((x) => `${relative(tree, f.filePath)} ${x.ruleId} ${x.severity}`)).sort();
    assert.notDeepEqual(without, found);
  });
});
