/**
 * Real Neovim (headless, built-in LSP client via vim.lsp.start_client) against
 * vforklint-lsp: diagnostics for a C and a Go file land on the wanted lines, and the
 * frame-split code action applies and leaves the buffer clean.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUTS, REPO, SERVER_MAIN, wants } from './editors/lsp-client.js';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const skip = nvim.error ? `neovim is not installed (apt-get install neovim): ${nvim.error.message}` : false;
if (skip) console.log(`# skipping the Neovim tests: ${skip}`);
const SCRIPT = join(REPO, 'test', 'editors', 'neovim', 'lsp-check.lua');

interface NvimResult {
  diagnostics: Array<{ line: number; code: string; source: string; message: string }>;
  actions: string[];
  after: Array<{ line: number; code: string }>;
  cleared?: boolean;
  text?: string;
  error?: string;
  errors: string[];
}

function runNvim(file: string, filetype: string, split: boolean): NvimResult {
  const dir = mkdtempSync(join(tmpdir(), 'vforklint-nvim-'));
  try {
    const out = join(dir, 'out.json');
    const res = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${SCRIPT}`], {
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir, VFL_SERVER: SERVER_MAIN, VFL_FILE: file, VFL_FILETYPE: filetype, VFL_SPLIT: split ? '1' : '0', VFL_OUT: out },
      encoding: 'utf8',
      timeout: 90_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text: string;
    try {
      text = readFileSync(out, 'utf8');
    } catch {
      throw new Error(`nvim wrote no result (status ${res.status}, signal ${res.signal}): ${res.stderr}${res.stdout}`);
    }
    return JSON.parse(text) as NvimResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const keys = (d: Array<{ line: number; code: string }>) => d.map((x) => `${x.line}:${x.code}`).sort();

describe('Neovim built-in LSP client', { skip, timeout: 240_000 }, () => {
  test('C: diagnostics on the wanted lines, then the split code action applies and clears them', () => {
    const file = join(INPUTS, 'split.c');
    const r = runNvim(file, 'c', true);
    assert.equal(r.error, undefined, `nvim script failed: ${r.error}`);
    assert.deepEqual(keys(r.diagnostics), wants(readFileSync(file, 'utf8')));
    assert.ok(r.diagnostics.every((d) => d.source === 'vforklint'));
    const split = r.actions.find((a) => /split/i.test(a));
    assert.ok(split, `no frame-split code action offered in Neovim (the core attached no 'split' fix); actions: ${JSON.stringify(r.actions)}`);
    assert.equal(r.cleared, true, `findings left after the split: ${JSON.stringify(r.after)}`);
    assert.notEqual(r.text, readFileSync(file, 'utf8').replace(/\n$/, ''), 'the buffer changed');
    assert.match(r.text ?? '', /run_tool_vfork/);
  });

  test('Go: diagnostics on the wanted lines', () => {
    const file = join(INPUTS, 'spawn.go');
    const r = runNvim(file, 'go', false);
    assert.equal(r.error, undefined, `nvim script failed: ${r.error}`);
    assert.deepEqual(keys(r.diagnostics), wants(readFileSync(file, 'utf8')));
  });
});
