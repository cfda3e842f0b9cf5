/**
 * Keystrokes reuse what earlier versions of a document computed (the per-function cache, the
 * server's own copies): after every edit, the server's diagnostics must equal those of a
 * fresh analysis of the same text. The edits below each change something a cached function
 * result rests on without touching that function's own text (a callee's body, a macro it
 * uses, a `noreturn` declaration, a suppression comment, the lines above it), so a shortcut
 * that goes stale makes this fail.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { initParsers, analyze, type Language } from '../rules/index.js';
import { diagnosticsOf } from '../server/translate.js';
import { LspTestClient, positionAt } from './editors/lsp-client.js';

await initParsers();

const work = mkdtempSync(join(tmpdir(), 'vforklint-lsp-incremental-'));
after(() => rmSync(work, { recursive: true, force: true }));

const filler = (n: number, language: Language) =>
  language === 'c'
    ? `static int filler_${n}(int a)\n{\n\tint sum = 0;\n\t/* note */\n\tfor (int i = 0; i < a; i++)\n\t\tsum += i;\n\treturn sum;\n}\n`
    : `func filler${n}(a int) int {\n\tsum := 0\n\t// note\n\tfor i := 0; i < a; i++ {\n\t\tsum += i\n\t}\n\treturn sum\n}\n`;

const C_TEXT = [
  '#include <stdlib.h>',
  '#include <unistd.h>',
  'int counter;',
  'void die(void);',
  'static void grow(void) { (void)malloc(8); }',
  'static void prepare(void) { grow(); }',
  // More than the 400 characters above a function that its cache key holds.
  filler(1, 'c'),
  filler(4, 'c'),
  filler(5, 'c'),
  filler(6, 'c'),
  'void run(char *const argv[])',
  '{',
  '\tpid_t pid = vfork();',
  '\tif (pid == 0) {',
  '\t\tprepare();',
  '\t\tSTEP();',
  '\t\tdie();',
  '\t\tcounter = 1;',
  '\t\texecv(argv[0], argv);',
  '\t\t_exit(127);',
  '\t}',
  '}',
  filler(2, 'c'),
  filler(7, 'c'),
  filler(8, 'c'),
  filler(9, 'c'),
  'void again(void)',
  '{',
  '\tif (vfork() == 0) {',
  '\t\tcounter++;',
  '\t\t_exit(1);',
  '\t}',
  '}',
  filler(3, 'c'),
].join('\n');

const GO_TEXT = [
  'package p',
  '',
  'import "syscall"',
  '',
  'var started int',
  '',
  'func helper() {',
  '\tstarted = 2',
  '}',
  '',
  filler(1, 'go'),
  filler(3, 'go'),
  filler(4, 'go'),
  filler(5, 'go'),
  'func spawn() {',
  '\tr1, _, _ := syscall.RawSyscall(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD|syscall.CLONE_VM|syscall.CLONE_VFORK), 0, 0)',
  '\tif r1 == 0 {',
  '\t\thelper()',
  '\t\tsyscall.RawSyscall(syscall.SYS_EXIT, 253, 0, 0)',
  '\t}',
  '}',
  '',
  filler(2, 'go'),
].join('\n');

/** One edit: replace the first `find` (after the `after` text, when given) with `replace`. */
interface Edit {
  find: string;
  replace: string;
  after?: string;
}

const C_EDITS: Edit[] = [
  // A comment in a function without a fork site: nothing changes, positions after it on the line do not either.
  { find: '/* note */', replace: '/* notes */' },
  // The callee the child follows: its body no longer allocates (the fork function's own text is unchanged).
  { find: '(void)malloc(8);', replace: '(void)0;' },
  { find: '(void)0;', replace: '(void)malloc(8);' },
  // A macro the child uses, defined above it: its expansion is what the child runs.
  { find: 'int counter;', replace: 'int counter;\n#define STEP() malloc(4)' },
  // `die` declared noreturn: what follows it in the child is never reached.
  { find: 'void die(void);', replace: 'void die(void) __attribute__((noreturn));' },
  // Lines typed above everything: every finding moves down.
  { find: '#include <stdlib.h>', replace: '/* a header comment\n   on two lines */\n#include <stdlib.h>' },
  // A suppression above the second fork site's finding, then a typo in it, then removed.
  { find: '\t\tcounter++;', replace: '\t\t// vforklint-disable-next-line\n\t\tcounter++;' },
  { find: 'vforklint-disable-next-line', replace: 'vforklint-disable-nextline' },
  { find: '\t\t// vforklint-disable-nextline\n', replace: '' },
  // The declaration goes again; the macro's body changes to a safe one.
  { find: ' __attribute__((noreturn));', replace: ';' },
  { find: '#define STEP() malloc(4)', replace: '#define STEP() (void)0' },
  // A line removed above the fork functions (positions move up), a comment typed in the first filler.
  { find: 'static void prepare(void) { grow(); }', replace: 'static void prepare(void) {\n\tgrow();\n}' },
  { find: '/* note */', replace: '/* notes x */', after: 'filler_3' },
];

const GO_EDITS: Edit[] = [
  { find: '// note', replace: '// notes' },
  // The helper the child calls stops writing the shared variable, then writes it again.
  { find: '\tstarted = 2\n', replace: '\t_ = 2\n' },
  { find: '\t_ = 2\n', replace: '\tstarted = 2\n' },
  // A directive typed above the fork function.
  { find: 'func spawn() {', replace: '//go:norace\nfunc spawn() {' },
  { find: 'package p\n', replace: '// Package p.\npackage p\n' },
  { find: '// note', replace: '// notes', after: 'filler2' },
];

async function checkEdits(language: Language, initial: string, edits: Edit[]): Promise<void> {
  // The index off: the fresh analysis below is the file alone.
  const c = await LspTestClient.start({ settings: { projectIndex: false } });
  try {
    const uri = await c.open(join(work, `doc.${language}`), language, initial);
    const same = async (step: string) => {
      const text = c.text(uri);
      const got = await c.diagnosticsFor(uri);
      const want = diagnosticsOf(analyze(text, language), uri);
      assert.deepEqual(got, want, `${step}: the server's diagnostics differ from a fresh analysis of the same text:\n${text}`);
      return got;
    };
    const counts = [(await same('opened')).length];
    for (const [i, e] of edits.entries()) {
      const text = c.text(uri);
      const from = e.after === undefined ? 0 : text.indexOf(e.after);
      const at = text.indexOf(e.find, from);
      assert.ok(at >= 0 && from >= 0, `edit ${i}: "${e.find}" not found`);
      await c.change(uri, [{ range: { start: positionAt(text, at), end: positionAt(text, at + e.find.length) }, text: e.replace }]);
      counts.push((await same(`edit ${i} (${JSON.stringify(e.replace)})`)).length);
    }
    // The edits did change what is reported (else the comparison proves little).
    assert.ok(new Set(counts).size > 1, `the findings never changed: ${counts.join(', ')}`);
  } finally {
    await c.stop();
  }
}

describe('keystrokes: the server agrees with a fresh analysis after every edit', () => {
  test('C: edits to a callee, a macro, a noreturn declaration, a suppression, lines above', async () => {
    await checkEdits('c', C_TEXT, C_EDITS);
  });

  test('Go: edits to a callee, a directive, lines above', async () => {
    await checkEdits('go', GO_TEXT, GO_EDITS);
  });
});
