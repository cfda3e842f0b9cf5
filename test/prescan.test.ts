/**
 * The pre-scan (rules/prescan.ts): it never skips a file that holds a fork site (every
 * fixture with a finding or a site passes it, and skipping a fixture would change no
 * result), and it skips files whose fork spellings all stand in comments, strings or
 * numeric constant definitions: Go `const` blocks, `#define N <number>`, enums.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, initParsers, mayContainForkSite, type Language, type VforklintConfig } from '../rules/index.js';
import { mayHoldForkCall, prescanWords } from '../rules/prescan.js';
import { CALL_SPELLINGS, SYSCALL_NUMBER_SPELLINGS } from '../rules/fork-spellings.js';
import { configFor } from './fixture-expectations.js';

await initParsers();

const here = dirname(fileURLToPath(import.meta.url));
const root = here.includes(join('dist', 'test')) ? join(here, '..', '..') : join(here, '..');

function fixtures(): Array<{ name: string; language: Language; text: string; config: VforklintConfig }> {
  const out = [];
  for (const [dir, ext, language] of [['c', '.c', 'c'], ['go', '.go', 'go']] as const) {
    for (const f of readdirSync(join(root, 'fixtures', dir)).sort()) {
      if (!f.endsWith(ext) || f.includes('.fixed')) continue;
      const text = readFileSync(join(root, 'fixtures', dir, f), 'utf8');
      let config: VforklintConfig = {};
      try {
        config = configFor(text) as VforklintConfig;
      } catch {
        /* a fixture of a broken config: analysed with none */
      }
      out.push({ name: `${dir}/${f}`, language, text, config });
    }
  }
  return out;
}

/**
 * The analysis as it would run without the pre-scan: a last line whose fork spelling is
 * code (so the file passes) outside every function (so the analysis finds no site there).
 */
const PROBE: Record<Language, string> = { c: '\nint vforklint_probe = sizeof vfork;\n', go: '\nvar vforklintProbe = rawVforkSyscall\n' };
function analysedAnyway(text: string, language: Language, config: VforklintConfig = {}) {
  const probed = text + PROBE[language];
  assert.ok(mayHoldForkCall(probed, language, config));
  const r = analyze(probed, language, config);
  assert.equal(r.skipped, false);
  return { sites: r.forkSites.length, findings: r.findings.filter((x) => x.rule !== 'unused-disable-directive' && x.range.start.offset < text.length).length };
}

describe('pre-scan against the fixtures', () => {
  const all = fixtures();
  test('the probe alone holds no site and no finding', () => {
    for (const language of ['c', 'go'] as const) assert.deepEqual(analysedAnyway('', language), { sites: 0, findings: 0 });
  });
  test('most fixtures hold sites', () => assert.ok(all.filter((f) => analysedAnyway(f.text, f.language, f.config).sites > 0).length > 200));
  for (const f of all) {
    test(`${f.name}: skipped only when the analysis finds no site and no finding in it`, () => {
      if (mayHoldForkCall(f.text, f.language, f.config)) return;
      assert.deepEqual(analysedAnyway(f.text, f.language, f.config), { sites: 0, findings: 0 });
      assert.equal(analyze(f.text, f.language, f.config).skipped, true);
    });
  }
});

const skip = (language: Language, text: string, config: VforklintConfig = {}) => {
  assert.equal(mayHoldForkCall(text, language, config), false, `should skip:\n${text}`);
  // And the analysis agrees: nothing in it forks.
  assert.deepEqual(analysedAnyway(text, language, config), { sites: 0, findings: 0 }, text);
};
const keep = (language: Language, text: string, config: VforklintConfig = {}) => assert.equal(mayHoldForkCall(text, language, config), true, `should parse:\n${text}`);

describe('pre-scan: what it skips', () => {
  test('a file with no spelling', () => skip('c', 'int main(void) { return fork(); }\n'));
  test('Go constants in a const block (golang/sys zsysnum files)', () =>
    skip('go', 'package unix\n\nconst (\n\tSYS_READ   = 0\n\tSYS_CLONE  = 56 // clone(2)\n\tSYS_VFORK  = 58\n\tSYS_CLONE3 = 435\n)\n'));
  test('a Go constant alone, typed, and several at once', () => {
    skip('go', 'package p\nconst SYS_CLONE = 0x38\n');
    skip('go', 'package p\nconst SYS_CLONE uintptr = 1 << 4\n');
    skip('go', 'package p\nconst SYS_VFORK, SYS_CLONE = 58, 56\n');
  });
  test('C #define of a number or constant expression, and enumerators', () => {
    skip('c', '#define SYS_clone 120\n#define __NR_vfork (__NR_Linux + 58)\n#  define  __NR_clone3 435UL /* clone3 */\n');
    skip('c', 'enum { CLONE = 1, vfork, __clone2 = (1 << 3) };\nenum flags\n{\n#ifdef X\n\tclone = 2,\n#endif\n\tCLONE\n};\n');
  });
  test('spellings in comments and strings only', () => {
    skip('c', '/* vfork() is unsafe */\n// clone(fn, stack, CLONE_VM, 0);\nconst char *m = "vfork failed";\nint c = \'\\\'\';\n#include <vfork.h>\n');
    skip('go', 'package p\n// vfork.RawVforkSyscall is not called here\nvar s = "rawVforkSyscall"\nvar r = `SYS_CLONE\nSYS_VFORK`\n');
  });
  test('a C spelling in Go code (no cgo) and a Go spelling in C code are no fork calls there', () => {
    skip('go', 'package p\nfunc f(clone bool) bool { return clone }\n');
    skip('c', 'int SYS_CLONE = 0;\n');
  });
  test('a C-only spelling written in Go comments, outside the cgo preamble', () => skip('go', 'package p\n\n// vfork() here\n\nimport "C"\n\n// vfork\nfunc f() {}\n'));
});

describe('pre-scan: what it keeps', () => {
  test('calls', () => {
    keep('c', 'int f(void) { return vfork(); }\n');
    keep('go', 'package p\nfunc f() { rawVforkSyscall(SYS_CLONE, 0) }\n');
  });
  test('a cgo preamble that forks (C inside a Go comment)', () => {
    keep('go', 'package p\n\n/*\n#include <unistd.h>\nstatic int spawn(void) { return vfork(); }\n*/\nimport "C"\n');
    keep('go', 'package p\n\n// #include <unistd.h>\n// static int spawn(void) { return vfork(); }\nimport "C"\n');
  });
  test('a macro that forks, and a constant that names another', () => {
    keep('c', '#define SPAWN() vfork()\n');
    keep('c', '#define SPAWN vfork\n');
    keep('c', '#define SYS_clone __NR_clone\n');
    keep('c', '#define SYS_clone() 120\n');
    keep('go', 'package p\nconst n = SYS_CLONE\n');
    keep('c', 'enum { A = SYS_clone };\n');
  });
  test('constants whose value is not a constant expression', () => {
    keep('c', '#define SYS_clone f(1)\n');
    keep('c', 'enum { CLONE = f(1) };\n');
    keep('go', 'package p\nconst SYS_CLONE = len("x")\n');
  });
  test('a spelling used as code after a constant definition', () => keep('go', 'package p\nconst (\n\tSYS_CLONE = 56\n)\nfunc f() { RawSyscall(SYS_CLONE, 0, 0, 0) }\n'));
  test('text it cannot lex to the end: when in doubt, parse', () => {
    keep('c', '/* vfork\n');
    keep('c', 'char *s = "vfork;\nint x;\n');
    keep('c', '#error don\'t use vfork\n');
    keep('go', 'package p\nvar s = `rawVforkSyscall\n');
  });
  test('a C line splice continues a // comment, not code after a string', () => {
    skip('c', '// note \\\nvfork();\n');
    keep('c', 'x = "a"; vfork();\n');
  });
  test('configured fork functions count as spellings in both languages', () => {
    keep('c', 'int f(void) { return xvfork(); }\n', { forkFunctions: ['xvfork'] });
    keep('go', 'package p\nfunc f() { spawn() }\n', { forkFunctions: ['spawn:raw'] });
    skip('c', '/* xvfork() */\n', { forkFunctions: ['xvfork'] });
  });
  test('mayContainForkSite is the pre-scan', () => {
    assert.equal(mayContainForkSite('#define SYS_clone 120\n', 'c'), false);
    assert.equal(mayContainForkSite('int f(void) { return vfork(); }\n', 'c'), true);
  });
});

describe('pre-scan words', () => {
  test('every spelling of the one table is a word of its language, except raw syscall entries', () => {
    for (const s of CALL_SPELLINGS) assert.equal(prescanWords(s.language).includes(s.name), s.role !== 'syscall', s.name);
    for (const s of SYSCALL_NUMBER_SPELLINGS) assert.ok(prescanWords(s.language).includes(s.name), s.name);
  });
});
