/**
 * The project index's text scan (rules/project/text-scan.ts): what it finds in tricky text,
 * and that its one walk over the lines finds exactly what one whole-text search per pattern
 * finds (names with their declarations, statics, includes, fork spellings, macros).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spellingPattern } from '../rules/fork-spellings.js';
import { scanText } from '../rules/project/text-scan.js';

/** Both ways of scanning give the same; the walk's result, as plain data. */
function scan(path: string, text: string) {
  const pattern = spellingPattern();
  const plain = (r: ReturnType<typeof scanText>) => ({ ...r.file, names: [...r.file.names], statics: [...r.file.statics].sort(), includes: [...r.file.includes], macros: r.macros });
  const lines = plain(scanText(path, text, pattern, 'lines'));
  assert.deepEqual(lines, plain(scanText(path, text, pattern, 'passes')), `${path}: the walk over lines differs from the whole-text passes`);
  return lines;
}

const names = (path: string, text: string) => scan(path, text).names.map(([n]) => n);

const TRICKY_C = [
  '/* GNU style: the type on the line above, the name on its own */',
  'static int',
  'gnu_style (int a)',
  '{',
  '  return a;',
  '}',
  'pid_t __attribute__((returns_twice)) xvforkwrap(pid_t pid)',
  '{',
  '  return vfork();',
  '}',
  'void helper(void);',
  'int prototype_list(int), other(char *);',
  'static void defined_here(int x) { }',
  'int',
  'kr_style (a)',
  '     int a;',
  '{ return a; }',
  '#define SPAWN(x) \\',
  '  vfork() \\',
  '#include "inside/define.h"',
  '  #  include <sys/wait.h>',
  '#include <multi',
  'line.h>',
  'if (x) (void) 0;',
  'struct s { int (*fp)(void); };',
  '',
].join('\n');

const TRICKY_H = [
  '#ifndef X_H',
  '#define X_H',
  '#define ADD(a, b) \\',
  '  ((a) + \\',
  '   (b)) /* sum */',
  '#define EMPTY',
  '  #  define INDENTED 1 // one',
  'extern pid_t vfork (void) __attribute__ ((__nothrow__));',
  '  extern int indented_decl(int);',
  'static inline int',
  'inline_def (int x)',
  '{ return x; }',
  'typedef int (*handler_t)(int);',
  '#include "sub/dir/y.h"',
  '#endif',
].join('\n');

const TRICKY_GO = [
  'package p',
  '',
  '//go:linkname runtime_fork syscall.runtime_BeforeFork',
  'func runtime_fork()',
  'func (r *T',
  ') Method(x int) {}',
  'func Generic[T any](x T) {}',
  '  func notAtStart() {}',
  'var f = func() {}',
  '',
].join('\n');

describe('text scan', () => {
  test('a .c file: definitions only, GNU style, attributes before the name, statics', () => {
    const r = scan('a.c', TRICKY_C);
    assert.deepEqual(r.names.map(([n]) => n).sort(), ['defined_here', 'gnu_style', 'kr_style', 'xvforkwrap']);
    assert.deepEqual(r.statics, ['defined_here', 'gnu_style']);
    // An include's name may run over a line (`[^>"]+`): the scan keeps what the pattern matched.
    assert.deepEqual(r.includes, ['define.h', 'wait.h', 'multi\nline.h']);
    assert.equal(r.forkSpelling, true);
    assert.deepEqual(r.macros, [], 'a .c file keeps no macros');
  });

  test('a header: declarations with their text, macros with continuation lines joined, includes', () => {
    const r = scan('x.h', TRICKY_H);
    const decl = new Map(r.names);
    // `int (*handler_t)(int)` reads as a declaration of `int`: a guess, which only points at a file to parse.
    assert.deepEqual([...decl.keys()].sort(), ['indented_decl', 'inline_def', 'int', 'vfork']);
    assert.equal(decl.get('vfork')![0], 'extern pid_t vfork (void) __attribute__ ((__nothrow__));');
    assert.equal(decl.get('inline_def')![0], 'static inline int\ninline_def (int x)\n{');
    assert.deepEqual(r.statics, ['inline_def']);
    assert.deepEqual(r.includes, ['y.h']);
    assert.deepEqual(
      r.macros.map((m) => [m.name, m.params, m.body]),
      [
        ['X_H', undefined, ''],
        ['ADD', ['a', 'b'], '((a) +     (b))'],
        ['EMPTY', undefined, ''],
        ['INDENTED', undefined, '1'],
      ],
    );
  });

  test('a Go file: functions (a receiver over two lines, type parameters) and linknames', () => {
    const r = scan('p.go', TRICKY_GO);
    assert.deepEqual(r.names.map(([n]) => n), ['runtime_fork', 'Method', 'Generic']);
    assert.deepEqual(r.linknames, [['runtime_fork', 'syscall.runtime_BeforeFork']]);
  });

  test('other line ends, no final newline, empty text: the same either way', () => {
    for (const text of [TRICKY_C, TRICKY_H, TRICKY_GO]) {
      for (const path of ['a.c', 'x.h', 'p.go']) {
        scan(path, text.replace(/\n/g, '\r\n'));
        scan(path, text.replace(/\n/g, '\r'));
        scan(path, text.replace(/\n$/, ''));
        scan(path, text.replace(/\n/, '\u2028'));
      }
    }
    assert.deepEqual(names('a.c', ''), []);
    assert.deepEqual(names('a.c', 'int\nlast(void)\n{'), ['last']);
  });

  test('every line of a file tried at every place a pattern can start', () => {
    // Each pair of lines from the inputs above, joined: a match that spans lines (a define's
    // continuation, an include's name, a Go receiver) must end where the passes end it.
    const lines = [...TRICKY_C.split('\n'), ...TRICKY_H.split('\n'), ...TRICKY_GO.split('\n')];
    for (let i = 0; i < lines.length; i++) {
      const text = [...lines.slice(i), ...lines.slice(0, i)].join('\n');
      for (const path of ['a.c', 'x.h', 'p.go']) scan(path, text);
    }
  });
});
