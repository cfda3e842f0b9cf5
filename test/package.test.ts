/**
 * The npm package as `npm pack` makes it: only what runs (the built front ends and core,
 * their type declarations, the config schema, README, LICENSE), every entry point and
 * every import inside it resolvable, and small. Also: the VS Code extension carries the
 * same LICENSE.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '../..');
const MAX_PACKED_BYTES = 250_000;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

interface Manifest {
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  license: string;
}

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Manifest;
let packed: PackResult;
let out: string;

before(() => {
  out = mkdtempSync(join(tmpdir(), 'vforklint-pack-'));
  // dist/ is built before the tests run; --ignore-scripts keeps `prepare` from building again.
  const r = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: REPO, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.equal(r.status, 0, r.stderr);
  packed = (JSON.parse(r.stdout) as PackResult[])[0]!;
});
after(() => rmSync(out, { recursive: true, force: true }));

describe('npm pack', () => {
  it(`is at most ${MAX_PACKED_BYTES / 1000} kB packed`, () => {
    assert.ok(packed.size <= MAX_PACKED_BYTES, `packed size ${packed.size} bytes`);
  });

  it('holds only what runs: no fixtures, tests, sources, benchmarks, fuzzing, CI, editor clients or docs', () => {
    const unwanted = packed.files.map((f) => f.path).filter((p) => /^(fixtures|test|bench|fuzz|native|examples|docs|\.ci|client-vscode|cli|config|eslint-plugin|rules|server)\//.test(p) || /^dist\/(test|bench|fuzz)\//.test(p) || (/\.ts$/.test(p) && !/\.d\.ts$/.test(p)) || /\.(map|tsbuildinfo|tgz|vsix)$/.test(p));
    assert.deepEqual(unwanted, []);
    const top = [...new Set(packed.files.map((f) => f.path.split('/')[0]))].sort();
    assert.deepEqual(top, ['LICENSE', 'README.md', 'dist', 'package.json', 'vforklint.schema.json']);
  });

  it('carries the MIT LICENSE that package.json names', () => {
    assert.equal(manifest.license, 'MIT');
    const text = readFileSync(join(REPO, 'LICENSE'), 'utf8');
    assert.match(text, /^MIT License\n\nCopyright \(c\) 2026 the vforklint authors\n/);
    assert.ok(packed.files.some((f) => f.path === 'LICENSE'));
  });

  it('every bin and export target is in it, and every relative import inside it resolves to a packed file', () => {
    const paths = new Set(packed.files.map((f) => f.path));
    const targets = [...Object.values(manifest.bin), ...Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
    for (const t of targets) assert.ok(paths.has(normalize(t).replace(/^\.\//, '')), `${t} is not packed`);
    const allowed = new Set([...Object.keys(manifest.dependencies), ...builtinModules]);
    const problems: string[] = [];
    for (const p of paths) {
      if (!p.endsWith('.js') && !p.endsWith('.d.ts')) continue;
      const text = readFileSync(join(REPO, p), 'utf8');
      // Import and export statements (at the start of a line, so not in comments), dynamic imports, and `new URL('./x', import.meta.url)`.
      const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"],\s*import\.meta\.url/gm)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!);
      for (const spec of specs) {
        if (spec.startsWith('.')) {
          const target = normalize(join(dirname(p), spec));
          if (!paths.has(target)) problems.push(`${p}: ${spec} (${target}) is not packed`);
        } else if (!spec.startsWith('node:')) {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          // Type declarations may name ESLint's own types (eslint, @eslint/core): plugin users have ESLint.
          if (!allowed.has(name) && !(p.endsWith('.d.ts') && (name === 'eslint' || name === '@eslint/core'))) problems.push(`${p}: ${spec} is neither a dependency nor built in`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('the VS Code extension', () => {
  it('is packaged with the same LICENSE (no --skip-license)', () => {
    assert.equal(readFileSync(join(REPO, 'client-vscode/LICENSE'), 'utf8'), readFileSync(join(REPO, 'LICENSE'), 'utf8'));
    assert.doesNotMatch(readFileSync(join(REPO, 'client-vscode/scripts/build-vsix.sh'), 'utf8'), /--skip-license/);
    assert.match(readFileSync(join(REPO, 'client-vscode/.vscodeignore'), 'utf8'), /^!LICENSE$/m);
  });

  it('declares how it behaves in Restricted Mode, and one package for every platform', () => {
    const ext = JSON.parse(readFileSync(join(REPO, 'client-vscode/package.json'), 'utf8')) as {
      capabilities?: { untrustedWorkspaces?: { supported?: unknown; description?: string; restrictedConfigurations?: string[] } };
      activationEvents: string[];
    };
    const trust = ext.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    assert.match(trust?.description ?? '', /only reads files/);
    assert.deepEqual(trust?.restrictedConfigurations, ['vforklint.projectRoot']);
    assert.ok(ext.activationEvents.includes('onLanguage:cpp'), 'activates for .h files, which VS Code opens as C++');
    // vsce --target would make a platform-specific package; the one .vsix has none.
    assert.doesNotMatch(readFileSync(join(REPO, 'client-vscode/scripts/build-vsix.sh'), 'utf8'), /--target\b/);
  });
});
