// Bundle the extension and the language server (esbuild), and put what the server loads at
// run time beside it. Output: dist/extension.js, dist/server/main.cjs, and
// dist/server/node_modules/ holding
//   - {web-tree-sitter,tree-sitter-c,tree-sitter-go}/: package.json and the .wasm file only;
//   - ajv/: one bundled index.js (the configuration validator, which the sources load lazily
//     with createRequire, so esbuild cannot see it in the server bundle),
// where the server looks them up at run time (the same lookup as in an npm install). The
// installed extension has no node_modules around it: anything not here is missing (the
// smoke test in build-vsix.sh runs the server from an unpacked .vsix to prove it). Nothing
// is native: one .vsix serves every platform.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const client = resolve(here, '..');
const root = resolve(client, '..');
const dist = join(client, 'dist');
const WASM = { 'web-tree-sitter': 'tree-sitter.wasm', 'tree-sitter-c': 'tree-sitter-c.wasm', 'tree-sitter-go': 'tree-sitter-go.wasm' };
/** Packages the sources load with `createRequire(import.meta.url)(name)`: each becomes one bundled file. */
const RUNTIME_REQUIRED = ['ajv'];

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(client, 'src', 'extension.ts')],
  outfile: join(dist, 'extension.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  sourcemap: true,
  logLevel: 'warning',
});
await build({
  entryPoints: [join(root, 'server', 'main.ts')],
  outfile: join(dist, 'server', 'main.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The sources are ES modules that find files from import.meta.url: in the CommonJS
  // bundle, that is the bundle's own URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: true,
  logLevel: 'warning',
});

// The configuration schema: the bundled reader looks for it two folders above the server bundle
// (as `config/validate.ts` does above `dist/config/`), i.e. at the extension's root.
cpSync(join(root, 'vforklint.schema.json'), join(root, 'client-vscode', 'vforklint.schema.json'));

// The parsers: each package's package.json (for the lookup) and its .wasm, nothing else.
const modules = join(dist, 'server', 'node_modules');
for (const [pkg, wasm] of Object.entries(WASM)) {
  const from = join(root, 'node_modules', pkg);
  if (!existsSync(join(from, wasm))) throw new Error(`bundle: ${join(from, wasm)} is missing: run npm install in the repository root first`);
  mkdirSync(join(modules, pkg), { recursive: true });
  for (const file of ['package.json', 'LICENSE', wasm]) if (existsSync(join(from, file))) cpSync(join(from, file), join(modules, pkg, file));
}
// The packages loaded at run time: each bundled into one CommonJS file with its own package.json.
const requireFromRoot = createRequire(join(root, 'package.json'));
for (const pkg of RUNTIME_REQUIRED) {
  const manifestPath = requireFromRoot.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  await build({
    entryPoints: [requireFromRoot.resolve(pkg)],
    outfile: join(modules, pkg, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'inline',
    logLevel: 'warning',
  });
  writeFileSync(join(modules, pkg, 'package.json'), `${JSON.stringify({ name: pkg, version: manifest.version, license: manifest.license, main: 'index.js' }, null, 2)}\n`);
  const license = join(dirname(manifestPath), 'LICENSE');
  if (existsSync(license)) cpSync(license, join(modules, pkg, 'LICENSE'));
}
const sizes = Object.entries(WASM).map(([pkg, wasm]) => `${wasm} ${(statSync(join(modules, pkg, wasm)).size / 1024).toFixed(0)} KB`);
console.log(`bundle: dist/extension.js, dist/server/main.cjs, ${sizes.join(', ')} (${readdirSync(modules).length} packages, platform-neutral)`);
