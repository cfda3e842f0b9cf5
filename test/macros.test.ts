/**
 * Same-file macros (RULES section 3, "Macros"): which definitions can be read as their
 * bodies, the expansion at a use, the expansion parsed as code, and what it does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze } from '../rules/analyze.js';
import { editedMacro } from '../rules/fixes/index.js';
import { initParsers, parseSource } from '../rules/parser.js';
import type { Fix } from '../rules/types.js';
import {
  constantAt,
  expandUse,
  macroRelated,
  MacroTable,
  notAnalysedMessage,
  readMacroUse,
  summarize,
  type MacroDefinition,
  type MacroSummary,
  type MacroUse,
  type SummaryOptions,
} from '../rules/macros.js';

const OPTIONS: SummaryOptions = {
  noReturn: new Set(['_exit', '_Exit', 'exit', 'abort', 'bb_simple_perror_msg_and_die']),
  forks: new Map([
    ['vfork', 'vfork'],
    ['__vfork', 'vfork'],
    ['fork', 'fork'],
  ]),
};

function tableOf(source: string, extra: MacroDefinition[] = []): MacroTable {
  return new MacroTable(parseSource(source, 'c').rootNode, extra);
}

type Expanded = Extract<MacroUse, { kind: 'expanded' }>;

/** The use `text` at `offset` (default: the end of the source, after every definition). */
function expanded(table: MacroTable, text: string, offset = 1e9): Expanded {
  const use = readMacroUse(table, text, offset);
  assert.ok(use, `${text} is a macro use`);
  assert.equal(use.kind, 'expanded', use.kind === 'not-expandable' ? use.reason : '');
  return use as Expanded;
}

function textOf(table: MacroTable, text: string, offset = 1e9): string {
  return expanded(table, text, offset).code.expansion.text;
}

function refusal(table: MacroTable, text: string, offset = 1e9): string {
  const use = readMacroUse(table, text, offset);
  assert.ok(use, `${text} is a macro use`);
  assert.equal(use.kind, 'not-expandable', `${text} should not be expandable`);
  return (use as Extract<MacroUse, { kind: 'not-expandable' }>).reason;
}

function summaryOf(table: MacroTable, text: string): MacroSummary {
  return summarize(expanded(table, text).code, OPTIONS);
}

const live = (s: MacroSummary) => s.calls.filter((c) => !c.dead).map((c) => c.name);
const dead = (s: MacroSummary) => s.calls.filter((c) => c.dead).map((c) => c.name);

await initParsers();

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('macro definitions', () => {
  it('reads object-like and function-like definitions, with continued lines and comments', () => {
    const table = tableOf(['#define FOO 0 /* off */', '#define SQ(x) ((x) * \\', '   (x)) // square', 'int f(void) {', '#define IN 3', '  return IN;', '}', ''].join('\n'));
    assert.deepEqual([...table.names()].sort(), ['FOO', 'IN', 'SQ']);
    assert.equal(textOf(table, 'FOO'), '0');
    assert.equal(textOf(table, 'SQ(a + 1)'), '((a + 1) * (a + 1))');
    assert.equal(textOf(table, 'IN'), '3');
    const sq = table.lookup('SQ');
    assert.equal(sq.kind, 'macro');
    assert.equal(sq.kind === 'macro' && sq.definition.location.range.start.line, 2);
  });

  it('a function-like name without arguments, and a name used before its #define, are not uses', () => {
    const source = 'int a = LATER;\n#define LATER 1\n#define F(x) g(x)\n';
    const table = tableOf(source);
    assert.equal(readMacroUse(table, 'F', 1e9), undefined);
    assert.equal(readMacroUse(table, 'LATER', source.indexOf('LATER')), undefined);
    assert.equal(textOf(table, 'LATER'), '1');
    assert.equal(readMacroUse(table, 'plain(1)', 0), undefined);
  });

  it('refuses a name defined several ways under #if/#else, with a reason naming the lines', () => {
    const table = tableOf(['#if X', '#define A 1', '#else', '#define A 2', '#endif', ''].join('\n'));
    const reason = refusal(table, 'A');
    assert.match(reason, /`A` is defined several ways \(line 2, line 4\)/);
    const use = readMacroUse(table, 'A', 100);
    assert.ok(use?.kind === 'not-expandable');
    assert.equal(notAnalysedMessage(use), `macro \`A\` was not analysed: ${reason}`);
    assert.deepEqual(
      macroRelated(use).map((r) => [r.message, r.range.start.line]),
      [
        ['`A` is defined here', 2],
        ['`A` is defined here', 4],
      ],
    );
  });

  it('accepts the same body defined twice (spacing aside), as under #ifndef guards', () => {
    const table = tableOf(['#ifndef A', '#define A (1)', '#endif', '#define A ( 1 )', ''].join('\n'));
    assert.equal(textOf(table, 'A'), '(1)');
  });

  it('reads #undef and redefinitions in order when they are unconditional', () => {
    const source = ['#define X 1', 'int a = X;', '#undef X', 'int b = X;', '#define X 2', 'int c = X;', ''].join('\n');
    const table = tableOf(source);
    assert.equal(textOf(table, 'X', source.indexOf('X;')), '1');
    assert.equal(readMacroUse(table, 'X', source.indexOf('X;', source.indexOf('int b'))), undefined);
    assert.equal(textOf(table, 'X', source.indexOf('X;', source.indexOf('int c'))), '2');
    // Under #if the order is not known.
    const conditional = tableOf(['#define Y 1', '#ifdef Z', '#undef Y', '#define Y 2', '#endif', ''].join('\n'));
    assert.match(refusal(conditional, 'Y'), /defined several ways/);
  });

  it('skips #if branches the file decides: #if 0/1, constant macros, #ifndef of a defined name', () => {
    // busybox shell/hush.c defines its debug macros, then falls back under #ifndef.
    const hush = [
      '#define debug_printf_exec(...)    do {} while (0)',
      '#ifndef debug_printf_exec',
      '#define debug_printf_exec(...) (indent(), fdprintf(2, __VA_ARGS__))',
      '#endif',
      // networking/inetd.c
      '#if 1',
      '# define dbg(...) ((void)0)',
      '#else',
      '# define dbg(...) do { bb_error_msg(__VA_ARGS__); } while (0)',
      '#endif',
      '#define DEBUG_INIT 0',
      '#if DEBUG_INIT || defined(NOPE_NOT_DEFINED_HERE) && 0',
      '# define trace(x) log(x)',
      '#elif !DEBUG_INIT',
      '# define trace(x) ((void)0)',
      '#else',
      '# define trace(x) other(x)',
      '#endif',
      // Decided by nothing in the file: a header or -D may set ENABLE_X.
      '#if ENABLE_X',
      '# define G_fd (G.fd)',
      '#else',
      '# define G_fd 0',
      '#endif',
      '',
    ].join('\n');
    const table = tableOf(hush);
    assert.equal(textOf(table, 'debug_printf_exec("x %d", 1)'), 'do {} while (0)');
    assert.equal(textOf(table, 'dbg("x")'), '((void)0)');
    assert.equal(textOf(table, 'trace(1)'), '((void)0)');
    assert.match(refusal(table, 'G_fd'), /`G_fd` is defined several ways \(line 19, line 21\)/);
    // With the header's value the condition is decided.
    const range = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
    const withConfig = tableOf(hush, [{ name: 'ENABLE_X', body: '1', location: { file: 'include/autoconf.h', range } }]);
    assert.equal(textOf(withConfig, 'G_fd'), '(G.fd)');
  });

  it('pastes tokens as the preprocessor does (arguments as written, placemarkers, rescanned), and understands the GNU `, ## __VA_ARGS__` comma', () => {
    const table = tableOf([
      '#define CAT(a, b) a ## b',
      '#define XCAT(a, b) CAT(a, b)',
      '#define FLAG(x) (1 << FLAG_##x)',
      '#define FLAG_a 4',
      '#define y 7',
      '#define OBJ x ## y',
      '#define DBG(fmt, ...) printf("%s: " fmt, __func__, ## __VA_ARGS__)',
      // busybox's include/libbb.h: the 17th argument picks the function by the number of arguments.
      '#define _ARG18(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, ...) _17',
      '#define BB_MSG_KIND(...) _ARG18(__VA_ARGS__, , , , , , , , , , , , , , , , , _not_simple)',
      '#define _BB_MSG(name, kind, ...) bb##kind##name(__VA_ARGS__)',
      '#define BB_MSG(name, kind, ...) _BB_MSG(name, kind, __VA_ARGS__)',
      '#define bb_error_msg_and_die(...) BB_MSG(_error_msg_and_die, BB_MSG_KIND(__VA_ARGS__), __VA_ARGS__)',
      '',
    ].join('\n'));
    assert.equal(textOf(table, 'CAT(, y)'), '7');
    assert.equal(textOf(table, 'CAT(x, )'), 'x');
    assert.equal(textOf(table, 'CAT(x, 1)'), 'x1');
    // An argument next to ## is not expanded first (`y` stays `y`); XCAT's arguments are;
    // the pasted token is read again (`FLAG_a` is a macro).
    assert.equal(textOf(table, 'CAT(x, y)'), 'xy');
    assert.equal(textOf(table, 'XCAT(x, y)'), 'x7');
    assert.equal(textOf(table, 'CAT(FLAG_, a)'), '4');
    assert.equal(textOf(table, 'XCAT(CAT(a, b), c)'), 'abc');
    assert.equal(textOf(table, 'FLAG(a)'), '(1 << 4)');
    assert.equal(textOf(table, 'OBJ'), 'xy');
    assert.equal(textOf(table, 'bb_error_msg_and_die("x")'), 'bb_not_simple_error_msg_and_die("x")');
    assert.equal(textOf(table, 'bb_error_msg_and_die("x %d", n)'), 'bb_error_msg_and_die("x %d", n)');
    assert.equal(textOf(table, 'DBG("x")'), 'printf("%s: " "x", __func__)');
    assert.equal(textOf(table, 'DBG("x %d", n)'), 'printf("%s: " "x %d", __func__, n)');
  });

  it('refuses mutually recursive macros; a macro naming itself expands once (blue paint)', () => {
    const table = tableOf(['#define A B + 1', '#define B A + 2', '#define C (A)', '#define top (G.top)', '#define f(x) f(x, 0)', ''].join('\n'));
    assert.match(refusal(table, 'A'), /`A` is recursive \(A -> B -> A\)/);
    assert.match(refusal(table, 'B'), /recursive \(B -> A -> B\)/);
    // C is not in the cycle: it expands, and A is left as written (with the reason).
    const c = expanded(table, 'C');
    assert.equal(c.code.expansion.text, '(A)');
    assert.deepEqual(
      c.code.expansion.notExpanded.map((n) => n.name),
      ['A'],
    );
    assert.equal(textOf(table, 'top'), '(G.top)');
    assert.equal(textOf(table, 'f(a)'), 'f(a, 0)');
  });

  it('takes definitions handed in (a project header), in effect from the start of the file', () => {
    const range = { start: { line: 1239, column: 1, offset: 0 }, end: { line: 1245, column: 3, offset: 120 } };
    const header: MacroDefinition = { name: 'xvfork', params: [], body: '({ pid_t p = vfork(); p; })', location: { file: 'include/libbb.h', range } };
    const table = tableOf('int main(void) { return xvfork(); }\n', [header]);
    const use = expanded(table, 'xvfork()', 24);
    assert.deepEqual(macroRelated(use), [{ range, message: '`xvfork` is defined here', file: 'include/libbb.h' }]);
    assert.deepEqual(summarize(use.code, OPTIONS).forks.map((f) => [f.spelling, f.result]), [['vfork', 'value']]);
    // `#ifndef xvfork` is false after the header: the file's fallback is not compiled.
    const fallback = tableOf('#ifndef xvfork\n#define xvfork() fork()\n#endif\n', [header]);
    assert.equal(textOf(fallback, 'xvfork()'), '({ pid_t p = vfork(); p; })');
    // A same-file definition under an unknown condition that differs from the header's: defined several ways.
    const clash = tableOf('#if ENABLE_NOMMU\n#define xvfork() fork()\n#endif\n', [header]);
    assert.match(refusal(clash, 'xvfork()'), /defined several ways \(include\/libbb\.h:1239, line 2\)/);
  });
});

describe('macro expansion', () => {
  it('splits arguments at top-level commas only (parentheses, strings, characters)', () => {
    const table = tableOf('#define TWO(a, b) first(a); second(b)\n#define ONE(a) only(a)\n');
    assert.equal(textOf(table, 'TWO(f(x, y), "p, q")'), 'first(f(x, y)); second("p, q")');
    assert.equal(textOf(table, "TWO(',', g((1, 2)))"), "first(','); second(g((1, 2)))");
    // C does not group on braces; when that gives the wrong count, braces group (a statement expression).
    assert.equal(textOf(table, 'ONE(({ int a, b; a; }))'), 'only(({ int a, b; a; }))');
    assert.match(refusal(table, 'TWO(1)'), /`TWO` takes 2 arguments, given 1/);
  });

  it('substitutes variadic arguments: `...`/__VA_ARGS__, named `args...`, none at all', () => {
    const table = tableOf(['#define V(fmt, ...) printf(fmt, __VA_ARGS__)', '#define W(args...) f(args)', '#define E() g()', '#define O(fmt, ...) h(fmt __VA_OPT__(,) __VA_ARGS__)', ''].join('\n'));
    assert.equal(textOf(table, 'V("%d %d", a, (b, c))'), 'printf("%d %d", a, (b, c))');
    assert.equal(textOf(table, 'W(1, 2, 3)'), 'f(1, 2, 3)');
    assert.equal(textOf(table, 'W()'), 'f()');
    assert.equal(textOf(table, 'E()'), 'g()');
    assert.equal(textOf(table, 'O("x")'), 'h("x")');
    assert.equal(textOf(table, 'O("x", 1)'), 'h("x", 1)');
  });

  it('stringises `#x`', () => {
    const table = tableOf('#define CHECK(x) if (!(x)) die(#x)\n');
    assert.equal(textOf(table, 'CHECK(p != "a\\\\")'), 'if (!(p != "a\\\\")) die("p != \\"a\\\\\\\\\\"")');
  });

  it('expands nested macros, in arguments and in bodies, and maps nodes back to the use', () => {
    const source = ['#define INNER(x) g(x)', '#define OUTER(x) INNER(x + 1); h()', '#define ONE 1', ''].join('\n');
    const table = tableOf(source);
    const useText = 'OUTER(ONE * k)';
    const use = expanded(table, useText, 500);
    assert.equal(use.code.expansion.text, 'g(1 * k + 1); h()');
    assert.deepEqual(
      use.code.expansion.used.map((d) => d.name),
      ['OUTER', 'ONE', 'INNER'], // arguments are expanded before they are substituted
    );
    assert.equal(use.code.parsed.form, 'statement');
    // Everything maps into the use: `k` to where it was written, `h()` to the whole use and OUTER's #define.
    const calls = summarize(use.code, OPTIONS).calls;
    const g = calls.find((c) => c.name === 'g')!;
    const k = g.node.childForFieldName('arguments')!.namedChildren[0]!.childForFieldName('left')!.childForFieldName('right')!;
    assert.equal(k.text, 'k');
    assert.deepEqual(use.place(k), { start: 500 + useText.indexOf('k'), end: 500 + useText.indexOf('k') + 1 });
    const h = calls.find((c) => c.name === 'h')!;
    assert.deepEqual(use.place(h.node), { start: 500, end: 500 + useText.length, definition: use.definition });
    const inner = use.place(g.node);
    assert.equal(inner.definition?.name, 'INNER');
    assert.deepEqual(
      macroRelated(use, inner).map((r) => [r.message, r.range.start.line]),
      [
        ['`OUTER` is defined here', 2],
        ['expanding `INNER`, defined here', 1],
      ],
    );
  });

  it('bounds nesting depth and size', () => {
    const chain = Array.from({ length: 24 }, (_, i) => `#define M${i} M${i + 1}`).join('\n');
    const deep = expanded(tableOf(chain + '\n'), 'M0');
    assert.match(deep.code.expansion.truncated ?? '', /deeper than 16/);
    assert.equal(summarize(deep.code, OPTIONS).complete, false);
    const tripling = Array.from({ length: 12 }, (_, i) => `#define D${i + 1} D${i} D${i} D${i}`).join('\n');
    const began = Date.now();
    const wide = expanded(tableOf(`#define D0 x\n${tripling}\n`), 'D12');
    assert.equal(wide.code.expansion.truncated, 'the expansion is too large');
    assert.ok(Date.now() - began < 5000);
  });

  it('survives deep input: nested arguments, operators, parentheses', () => {
    const table = tableOf('#define F(x) f(x)\n#define NOT(x) !x\n#define ZERO 0\n');
    const nested = expanded(table, 'F('.repeat(1000) + '1' + ')'.repeat(1000));
    assert.match(nested.code.expansion.truncated ?? '', /arguments nest deeper than 16/);
    assert.equal(summarize(nested.code, OPTIONS).complete, false);
    assert.equal(constantAt(table, '!'.repeat(5000) + 'ZERO'), undefined);
    assert.equal(constantAt(table, '('.repeat(5000) + 'ZERO' + ')'.repeat(5000)), undefined);
    assert.equal(constantAt(table, '!!ZERO'), 0n);
    const deepBody = tableOf(`#define DEEP ${'('.repeat(3000)}g()${')'.repeat(3000)}\n`);
    const s = summarize(expanded(deepBody, 'DEEP').code, OPTIONS);
    assert.equal(s.complete, false);
  });

  it('remembers the parsed expansion per use text and definitions in effect', () => {
    const table = tableOf('#define DIE(m) do { perror(m); exit(1); } while (0)\n');
    const a = expanded(table, 'DIE("x")', 100);
    const b = expanded(table, 'DIE("x")', 200);
    assert.equal(a.code, b.code);
    assert.deepEqual(b.use, { start: 200, end: 208 });
    assert.notEqual(expanded(table, 'DIE("y")', 100).code, a.code);
  });

  it('evaluates constant macros, for conditions in the file', () => {
    const table = tableOf('#define DEBUG_INIT 0\n#define LEVEL (2 << 1)\n#define ON !DEBUG_INIT\n');
    assert.equal(constantAt(table, 'DEBUG_INIT'), 0n);
    assert.equal(constantAt(table, 'LEVEL > 3 && ON'), 1n);
    assert.equal(constantAt(table, 'LEVEL + x'), undefined);
    assert.equal(expandUse(table, 'LEVEL')?.kind, 'expanded');
  });
});

describe('macro summaries', () => {
  it('DIE(m): two calls, and the use ends the path', () => {
    const s = summaryOf(tableOf('#define DIE(m) do { perror(m); exit(1); } while (0)\n'), 'DIE("open")');
    assert.deepEqual(live(s), ['perror', 'exit']);
    assert.equal(s.neverReturns, true);
    assert.equal(s.fallsThrough, false);
    assert.equal(s.returns, false);
    assert.deepEqual(s.writes, []);
    assert.equal(s.complete, true);
  });

  it("busybox's xvfork(): a fork whose result is the statement expression's value", () => {
    // include/libbb.h (busybox 1.37)
    const libbb = [
      '/* xvfork() can\'t be a _function_, return after vfork in child mangles stack',
      ' * in the parent. It must be a macro. */',
      '#define xvfork() \\',
      '({ \\',
      '\tpid_t bb__xvfork_pid = vfork(); \\',
      '\tif (bb__xvfork_pid < 0) \\',
      '\t\tbb_simple_perror_msg_and_die("vfork"); \\',
      '\tbb__xvfork_pid; \\',
      '})',
      '',
    ].join('\n');
    const use = expanded(tableOf(libbb), 'xvfork()');
    assert.equal(use.code.parsed.form, 'expression');
    assert.equal(use.code.parsed.value?.text, 'bb__xvfork_pid');
    const s = summarize(use.code, OPTIONS);
    assert.deepEqual(
      s.forks.map((f) => ({ spelling: f.spelling, kind: f.kind, result: f.result, heldIn: f.heldIn, dead: f.dead })),
      [{ spelling: 'vfork', kind: 'vfork', result: 'value', heldIn: 'bb__xvfork_pid', dead: false }],
    );
    assert.deepEqual(live(s), ['vfork', 'bb_simple_perror_msg_and_die']);
    assert.equal(s.fallsThrough, true);
    assert.equal(s.neverReturns, false);
    assert.deepEqual(s.locals, ['bb__xvfork_pid']);
    assert.deepEqual(s.writes, []);
  });

  it('a fork as the value, in a conditional, or stored and not the value', () => {
    const table = tableOf(['#define MY_FORK() vfork()', '#define BB_MMU 0', '#define FORK() (BB_MMU ? fork() : vfork())', '#define SPAWN(p) do { p = __vfork(); } while (0)', ''].join('\n'));
    assert.deepEqual(summaryOf(table, 'MY_FORK()').forks.map((f) => [f.spelling, f.result]), [['vfork', 'value']]);
    const fork = summaryOf(table, 'FORK()');
    assert.deepEqual(
      fork.forks.map((f) => [f.spelling, f.result, f.dead]),
      [
        ['fork', 'value', true],
        ['vfork', 'value', false],
      ],
    );
    const spawn = summaryOf(table, 'SPAWN(cmd->pid)');
    assert.deepEqual(spawn.forks.map((f) => [f.spelling, f.result, f.heldIn]), [['__vfork', 'held', 'cmd->pid']]);
    assert.deepEqual(spawn.writes.map((w) => [w.lvalue, w.local]), [['cmd->pid', false]]);
  });

  it("busybox init's dbg_message with DEBUG_INIT 0: the call is dead", () => {
    // init/init.c (busybox 1.37), lines 148-150 and 216-231
    const init = [
      '/* Was a CONFIG_xxx option. A lot of people were building',
      ' * not fully functional init by switching it on! */',
      '#define DEBUG_INIT 0',
      '',
      '#define G (*(struct globals*)bb_common_bufsiz1)',
      '#define INIT_G() do { \\',
      '\tsetup_common_bufsiz(); \\',
      '\tIF_NOT_FEATURE_INIT_SYSLOG(G.log_console = VC_5;) \\',
      '} while (0)',
      '',
      'enum {',
      '\tL_LOG = 0x1,',
      '\tL_CONSOLE = 0x2,',
      '};',
      '',
      '/* Print a message to the specified device.',
      ' * "where" may be bitwise-or\'d from L_LOG | L_CONSOLE',
      ' * NB: careful, we can be called after vfork!',
      ' */',
      '#define dbg_message(...) do { if (DEBUG_INIT) message(__VA_ARGS__); } while (0)',
      '',
    ].join('\n');
    const table = tableOf(init);
    const s = summaryOf(table, 'dbg_message(L_LOG | L_CONSOLE, "command=\'%s\' action=%x tty=\'%s\'\\n",\n\t\ta->command, a->action_type, a->terminal)');
    assert.deepEqual(live(s), []);
    assert.deepEqual(dead(s), ['message']);
    assert.equal(s.fallsThrough, true);
    assert.equal(s.neverReturns, false);
    // The same macro with the switch on calls message.
    const on = tableOf(init.replace('#define DEBUG_INIT 0', '#define DEBUG_INIT 1'));
    assert.deepEqual(live(summaryOf(on, 'dbg_message(L_LOG, "x")')), ['message']);
    // G is a write target through a pointer; INIT_G calls the setup and an unknown (header) macro.
    const g = summaryOf(table, 'G.log_console = 0');
    assert.deepEqual(g.writes.map((w) => [w.lvalue, w.local]), [['(*(struct globals*)bb_common_bufsiz1).log_console', false]]);
    assert.deepEqual(live(summaryOf(table, 'INIT_G()')), ['setup_common_bufsiz', 'IF_NOT_FEATURE_INIT_SYSLOG']);
  });

  it('attribute macros are no code: no calls, no writes', () => {
    const table = tableOf('#define ALIGN1 __attribute__((aligned(1)))\n#define FAST_FUNC __attribute__((regparm(3),stdcall))\n#define NOTHING\n');
    for (const name of ['ALIGN1', 'FAST_FUNC']) {
      const use = expanded(table, name);
      assert.equal(use.code.parsed.form, 'attribute');
      const s = summarize(use.code, OPTIONS);
      assert.deepEqual([s.calls, s.writes, s.forks], [[], [], []]);
      assert.equal(s.fallsThrough, true);
    }
    assert.equal(expanded(table, 'NOTHING').code.parsed.form, 'empty');
  });

  it('return, goto, break, writes and dead code after a path end', () => {
    const table = tableOf(
      [
        '#define CHECK(x) if (!(x)) goto fail',
        '#define BAIL(v) return (v)',
        '#define SET(v) (v = 1, counter++)',
        '#define GONE() do { _exit(1); cleanup(); } while (0)',
        '#define HANG() for (;;) pause()',
        '#define STOP(x) if (x) break',
        '#define LOCAL() ({ int t = 0; t += 2; t; })',
        '',
      ].join('\n'),
    );
    const check = summaryOf(table, 'CHECK(p)');
    assert.deepEqual([check.gotos, check.fallsThrough, check.neverReturns], [['fail'], true, false]);
    const bail = summaryOf(table, 'BAIL(-1)');
    assert.deepEqual([bail.returns, bail.fallsThrough, bail.neverReturns], [true, false, false]);
    assert.deepEqual(
      summaryOf(table, 'SET(flags[i])').writes.map((w) => w.lvalue),
      ['flags[i]', 'counter'],
    );
    const gone = summaryOf(table, 'GONE()');
    assert.deepEqual([live(gone), dead(gone), gone.neverReturns], [['_exit'], ['cleanup'], true]);
    const hang = summaryOf(table, 'HANG()');
    assert.deepEqual([live(hang), hang.fallsThrough, hang.neverReturns], [['pause'], false, true]);
    const stop = summaryOf(table, 'STOP(done)');
    assert.deepEqual([stop.breaks, stop.fallsThrough], [true, true]);
    const local = summaryOf(table, 'LOCAL()');
    assert.deepEqual(local.writes.map((w) => [w.lvalue, w.local]), [['t', true]]);
  });

  it('a fragment that is not code on its own is marked incomplete', () => {
    const table = tableOf('#define BEGIN {\n#define FOR_EACH(i) for (i = 0; i < n; i++)\n');
    assert.equal(expanded(table, 'BEGIN').code.parsed.form, 'fragment');
    assert.equal(summaryOf(table, 'BEGIN').complete, false);
    const each = summaryOf(table, 'FOR_EACH(k)');
    assert.equal(each.complete, true);
    assert.deepEqual(each.writes.map((w) => w.lvalue), ['k', 'k']);
  });
});

describe('macros in the analysis', () => {
  const fixture = (name: string) => readFileSync(join(root, 'fixtures', 'c', name), 'utf8');

  it('a use that cannot be expanded, on a child path, keeps its plain reading and gets one note', () => {
    const r = analyze(fixture('child-unsafe-call-macro-not-expandable.c'), 'c');
    assert.deepEqual(r.findings.map((f) => [f.rule, f.range.start.line]), [['child-unsafe-call', 22]]);
    assert.deepEqual(
      r.notAnalysed?.map((n) => [n.range.start.line, n.reason]),
      [
        [21, 'macro `CLOSE` was not analysed: `CLOSE` is defined several ways (line 9, line 11)'],
        [22, 'macro `CLOSE` was not analysed: `CLOSE` is defined several ways (line 9, line 11)'],
      ],
    );
  });

  it('a use on no child path gets no note; nor does one whose definitions all do nothing', () => {
    const source = [
      '#include <unistd.h>',
      '#if Y',
      '#define CALL(name) do_##name()',
      '#else',
      '#define CALL(name) name()',
      '#endif',
      '#if X',
      '#define FD (G.fd)',
      '#else',
      '#define FD 0',
      '#endif',
      'int spawn(char **argv) {',
      '  CALL(setup);',
      '  pid_t pid = vfork();',
      '  if (pid == 0) { dup2(FD, 1); execv(argv[0], argv); _exit(1); }',
      '  return pid;',
      '}',
      '',
    ].join('\n');
    const r = analyze(source, 'c');
    assert.equal(r.notAnalysed, undefined);
    assert.deepEqual(r.findings, []);
  });

  it('a finding at a macro use points at the #define', () => {
    const r = analyze(fixture('child-writes-shared-macro-global.c'), 'c');
    const related = r.findings.map((f) => f.related.map((x) => [x.message, x.range.start.line]));
    assert.deepEqual(related, [
      [['the fork: `vfork` (vfork)', 12], ['`RESET_STATE` is defined here', 5]],
      [['the fork: `vfork` (vfork)', 12], ['`MARK_CHILD` is defined here', 6]],
    ]);
    const die = analyze(fixture('child-returns-macro-return.c'), 'c');
    assert.deepEqual(die.findings[0].related.map((x) => x.range.start.line), [10, 4]);
  });

  it('takes macros from other files through AnalyzeOptions.headerMacros: sites, calls and the pre-scan', () => {
    const at = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
    const headerMacros: MacroDefinition[] = [
      { name: 'xvfork', params: [], body: '({ pid_t p = vfork(); if (p < 0) bb_perror_msg_and_die("vfork"); p; })', location: { file: 'include/libbb.h', range: at } },
      { name: 'dbg', params: ['...'], body: '((void)0)', location: { file: 'include/debug.h', range: at } },
    ];
    const source = 'int spawn(char **argv) {\n  pid_t pid = xvfork();\n  if (pid == 0) {\n    dbg("child");\n    printf("x");\n    execv(argv[0], argv);\n    _exit(1);\n  }\n  return pid;\n}\n';
    assert.equal(analyze(source, 'c').skipped, true, 'without the header, no fork spelling: not parsed');
    const r = analyze(source, 'c', {}, { headerMacros });
    assert.deepEqual(r.forkSites.map((s) => [s.kind, s.range.start.line]), [['vfork', 2]]);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.range.start.line]), [['child-unsafe-call', 5]]);
    assert.match(r.findings[0].message, /after `xvfork`/);
  });

  it('no fix edits inside a #define', () => {
    const defs = [{ name: 'DIE', start: 100, end: 150 }];
    const fix = (start: number, end: number): Fix => ({ title: 't', kind: 'exit', edits: [{ start, end, newText: 'x' }], safe: true });
    assert.equal(editedMacro(fix(120, 124), defs), 'DIE');
    assert.equal(editedMacro(fix(140, 140), defs), 'DIE');
    assert.equal(editedMacro(fix(90, 101), defs), 'DIE');
    assert.equal(editedMacro(fix(150, 150), defs), undefined);
    assert.equal(editedMacro(fix(60, 100), defs), undefined);
  });
});
