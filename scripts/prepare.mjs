#!/usr/bin/env node
// `prepare`: build dist/ with the TypeScript compiler. npm runs it after `npm install` in a
// checkout and when it installs this repository as a git dependency at a source commit
// (it installs the devDependencies in its own copy first). Without them (`--omit=dev`,
// NODE_ENV=production) there is no compiler: say what to install instead of "tsc: not found".
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(
    'vforklint: building needs the devDependencies (TypeScript), and this install left them out.\n' +
      'Install a built release instead: a tag v<version>-built (made by scripts/release.mjs)\n' +
      'or a tarball made with npm pack. See the README, section Install.\n',
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
