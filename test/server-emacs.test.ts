/**
 * Real Emacs (--batch) with eglot as the LSP client of vforklint-lsp: flymake shows the
 * findings on the wanted lines.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUTS, REPO, SERVER_MAIN, wants } from './editors/lsp-client.js';

const emacs = spawnSync('emacs', ['--version'], { encoding: 'utf8' });
const eglot = emacs.error ? undefined : spawnSync('emacs', ['--batch', '-q', '--eval', "(progn (require 'eglot) (princ \"ok\"))"], { encoding: 'utf8' });
const skip = emacs.error
  ? `emacs is not installed (apt-get install emacs-nox elpa-eglot): ${emacs.error.message}`
  : eglot?.stdout.includes('ok')
    ? false
    : `eglot is not installed (apt-get install elpa-eglot): ${eglot?.stderr.trim().split('\n').pop()}`;
if (skip) console.log(`# skipping the Emacs tests: ${skip}`);
const SCRIPT = join(REPO, 'test', 'editors', 'emacs', 'eglot-check.el');

describe('Emacs + eglot', { skip, timeout: 120_000 }, () => {
  for (const [name, file] of [
    ['a C input', join(INPUTS, 'split.c')],
    ['a C fixture', join(REPO, 'fixtures', 'c', 'verify-raw-child-writes-global.c')],
  ] as const) {
    test(`flymake shows the findings of ${name} on the wanted lines`, () => {
      const home = mkdtempSync(join(tmpdir(), 'vforklint-emacs-'));
      try {
        const res = spawnSync('emacs', ['--batch', '-q', '-l', SCRIPT], {
          env: { ...process.env, HOME: home, VFL_SERVER: SERVER_MAIN, VFL_FILE: file },
          encoding: 'utf8',
          timeout: 90_000,
        });
        const out = `${res.stdout}`;
        assert.equal(res.status, 0, `emacs failed (status ${res.status}, signal ${res.signal}):\n${out}\n${res.stderr}`);
        const diags = out
          .split('\n')
          .map((l) => /^DIAG (\d+) (\S+) vforklint \[([a-z-]+)\]: /.exec(l))
          .filter((m): m is RegExpExecArray => m !== null);
        assert.deepEqual(diags.map((m) => `${m[1]}:${m[3]}`).sort(), wants(readFileSync(file, 'utf8')), out);
        assert.ok(diags.every((m) => m[2] === 'eglot-error'), 'errors as errors');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  }
});
