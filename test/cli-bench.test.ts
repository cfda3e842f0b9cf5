/**
 * The benchmark's generated tree: deterministic for a seed, and its fork-site files are
 * exactly the files the CLI reports (and the only ones it parses: its constant-only files
 * are skipped by the pre-scan). And `npm run bench -- --quick` prints every row of the
 * goals table, each with its goal and floor. Timings are not asserted.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateTree } from '../bench/generate.js';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../cli/main.js');
const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '../bench/run.js');
const roots: string[] = [];
after(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

describe('benchmark tree', () => {
  it('is deterministic and its fork-site files are exactly what vforklint reports', () => {
    const a = mkdtempSync(join(tmpdir(), 'vforklint-bench-a-'));
    const b = mkdtempSync(join(tmpdir(), 'vforklint-bench-b-'));
    roots.push(a, b);
    const spec = { files: 600, seed: 42, forkEvery: 200, fileBytes: 3000 };
    const ma = generateTree({ root: a, ...spec });
    const mb = generateTree({ root: b, ...spec });
    assert.equal(ma.totalBytes, mb.totalBytes);
    assert.equal(ma.forkFiles.length, 3);
    assert.equal(ma.constantFiles, 6);
    for (let i = 0; i < ma.forkFiles.length; i++) {
      assert.equal(relative(a, ma.forkFiles[i]!), relative(b, mb.forkFiles[i]!));
      assert.equal(readFileSync(ma.forkFiles[i]!, 'utf8'), readFileSync(mb.forkFiles[i]!, 'utf8'));
    }
    const r = spawnSync(process.execPath, [CLI, '--format', 'json', '--no-ignore', join(a, 'tree')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stdout, r.stderr);
    const results = JSON.parse(r.stdout) as Array<{ filePath: string; errorCount: number }>;
    assert.equal(results.length, 600);
    assert.deepEqual(
      results.filter((f) => f.errorCount > 0).map((f) => f.filePath).sort(),
      [...ma.forkFiles].sort(),
    );
    const summary = spawnSync(process.execPath, [CLI, '--no-ignore', join(a, 'tree')], { encoding: 'utf8' });
    assert.match(summary.stdout, /in 600 files \(3 parsed\)/);
  });
});

describe('npm run bench -- --quick', () => {
  it('prints every row of the goals table with its figure, goal and floor, naming the parser backend', () => {
    const r = spawnSync(process.execPath, [BENCH, '--quick'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const summary = r.stdout.slice(r.stdout.lastIndexOf('\nsummary ('));
    assert.match(summary, /WebAssembly \(web-tree-sitter \d+\.\d+/);
    for (const [id, measure] of [
      ['a', /analysis after the parse/],
      ['b', /whole CLI process/],
      ['b', /CLI peak RSS/],
      ['c', /CLI over the generated tree/],
      ['d', /edit -> diagnostics, \d+-line C file, p50/],
      ['d', /edit -> diagnostics, \d+-line Go file, p50/],
      ['d', /same, p99/],
      ['e', /server RSS/],
      ['f', /pre-scan, the generated tree: parsed files with no finding/],
    ] as const) {
      const line = summary.split('\n').find((l) => l.trimStart().startsWith(`(${id})`) && measure.test(l));
      assert.ok(line, `row (${id}) ${measure} missing from:\n${summary}`);
      assert.match(line, /(met|over|n\/a)/);
    }
    assert.match(summary, /\(f\).*0 of 3 \(0 no site\).*word-only pre-scan parses 9/);
  });
});
