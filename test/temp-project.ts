/**
 * A project on disk for a test (cli-cache, server-project): a temporary directory with a
 * `.git` marker, so the one root rule (RULES section 8) makes it the project root, holding
 * the given files (root-relative paths; directories made as needed). Removed when the test
 * file's tests are done.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

const made: string[] = [];
let cleanup = false;

export function tempProject(prefix: string, files: Readonly<Record<string, string>>): string {
  if (!cleanup) {
    cleanup = true;
    after(() => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    });
  }
  const root = mkdtempSync(join(tmpdir(), prefix));
  made.push(root);
  mkdirSync(join(root, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}
