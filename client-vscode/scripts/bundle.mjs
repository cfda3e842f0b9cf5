// Bundle the extension and the language server (esbuild), and copy the server's native
// tree-sitter modules beside it. Output: dist/extension.js, dist/server/main.cjs,
// dist/server/node_modules/{tree-sitter,tree-sitter-c,tree-sitter-go,node-gyp-build}.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const client = resolve(here, '..');
const root = resolve(client, '..');
const dist = join(client, 'dist');
const target = process.env.VFORKLINT_VSIX_TARGET ?? `${process.platform}-${process.arch}`;
const NATIVE = ['tree-sitter', 'tree-sitter-c', 'tree-sitter-go'];

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
  external: NATIVE,
  sourcemap: true,
  logLevel: 'warning',
});

// The native modules: only what loads at run time, and only this target's binaries.
const modules = join(dist, 'server', 'node_modules');
function copy(pkg, parts) {
  const from = join(root, 'node_modules', pkg);
  if (!existsSync(from)) throw new Error(`bundle: ${from} is missing: run npm install in the repository root first`);
  for (const part of parts) {
    const src = join(from, part);
    if (existsSync(src)) cpSync(src, join(modules, pkg, part), { recursive: true });
  }
}
copy('node-gyp-build', ['package.json', 'index.js', 'node-gyp-build.js', 'LICENSE']);
// tree-sitter's own linux prebuild needs a newer libstdc++ than Debian 12 has, so the
// runtime binding is the one npm compiled here (build/Release), which node-gyp-build
// prefers; for another target, its prebuild.
const built = join(root, 'node_modules', 'tree-sitter', 'build', 'Release', 'tree_sitter_runtime_binding.node');
const here_target = `${process.platform}-${process.arch}`;
copy('tree-sitter', ['package.json', 'index.js', 'LICENSE']);
if (target === here_target && existsSync(built)) {
  mkdirSync(join(modules, 'tree-sitter', 'build', 'Release'), { recursive: true });
  cpSync(built, join(modules, 'tree-sitter', 'build', 'Release', 'tree_sitter_runtime_binding.node'));
} else {
  copy('tree-sitter', [join('prebuilds', target)]);
}
for (const grammar of ['tree-sitter-c', 'tree-sitter-go']) {
  copy(grammar, ['package.json', 'LICENSE', 'bindings/node/index.js', 'src/node-types.json', join('prebuilds', target)]);
}
for (const pkg of NATIVE) {
  if (!existsSync(join(modules, pkg, 'package.json'))) throw new Error(`bundle: ${pkg} was not copied`);
}
const grammarBins = NATIVE.slice(1).map((g) => readdirSync(join(modules, g, 'prebuilds', target)));
console.log(`bundle: dist/extension.js, dist/server/main.cjs, native modules for ${target} (${grammarBins.flat().join(', ')})`);
