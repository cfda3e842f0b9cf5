/**
 * The benchmark's generated tree: deterministic for a seed, and its fork-site files are
 * exactly the files the CLI reports (and the only ones it parses). Timings are not asserted.
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
