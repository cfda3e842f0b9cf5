/**
 * The shared comment lexer (rules/comments.ts) and what reads it: directives are read only
 * inside real comments, in the core (CLI, server) as in the ESLint plugin, and no fix ever
 * changes a string, character or raw string literal.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isNotReachedComment, lex, literalMultiset, scanComments } from '../rules/comments.js';
import { sameLiterals } from '../rules/fixes/apply.js';
import { checkFindings } from '../fuzz/check.js';
import { initParsers, analyze, fixSource, parseSource, suppressionFix, unparsedRanges, type Finding, type Language, type SyntaxNode } from '../rules/index.js';

await initParsers();

const FIXTURES = new URL('../../fixtures/', import.meta.url);

/** Every node of a parse in document order, by cursor (fixtures nest thousands deep: no recursion). */
function eachNode(text: string, language: Language, visit: (n: SyntaxNode) => boolean): void {
  const cursor = parseSource(text, language).rootNode.walk();
  for (;;) {
    const descend = visit(cursor.currentNode);
    if (descend && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
  }
}

function treeComments(text: string, language: Language): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  eachNode(text, language, (n) => {
    if (n.type === 'comment') out.push([n.startIndex, n.endIndex]);
    return true;
  });
  return out;
}

const LITERAL_NODES = new Set(['string_literal', 'char_literal', 'raw_string_literal', 'interpreted_string_literal', 'rune_literal']);

/** The ends of tree-sitter's literal nodes (a C literal's start includes its prefix; its end does not). */
function treeLiteralEnds(text: string, language: Language): number[] {
  const out: number[] = [];
  eachNode(text, language, (n) => {
    if (!LITERAL_NODES.has(n.type)) return true;
    out.push(n.endIndex);
    return false;
  });
  return out;
}

describe('the comment lexer', () => {
  test('C: strings (prefixed, escaped, continued), characters and digit separators hide comment openers', () => {
    const text = [
      'char *a = u8"// no", b = L\'/\';',
      'int n = 1\'000\'000; // yes 1',
      'char *c = "a\\"/* no */";',
      'char *d = "line \\',
      '// no, still the string"; /* yes 2 */',
      'char e = \'\\\'\'; // yes 3',
      '',
    ].join('\n');
    assert.deepEqual(scanComments(text, 'c').map((c) => c.value.trim()), ['yes 1', 'yes 2', 'yes 3']);
    assert.deepEqual(scanComments(text, 'c').map((c) => [c.start, c.end]), treeComments(text, 'c'));
    assert.deepEqual(lex(text, 'c').literals.map((l) => l.end), treeLiteralEnds(text, 'c'));
  });

  test('Go: raw strings span lines and hold comment openers; runes and strings too', () => {
    const text = 'package p\n\nvar s = `a // no\n/* no */ b`\nvar r = \'"\' // yes 1\nvar q = "x\\"// no" /* yes 2 */\n';
    assert.deepEqual(scanComments(text, 'go').map((c) => c.value.trim()), ['yes 1', 'yes 2']);
    assert.deepEqual(scanComments(text, 'go').map((c) => [c.start, c.end]), treeComments(text, 'go'));
    assert.deepEqual(lex(text, 'go').literals.map((l) => l.end), treeLiteralEnds(text, 'go'));
  });

  test('CRLF line ends read like LF: a backslash-CRLF continues a C string', () => {
    const lf = 'char *p = "abc \\\n// def"; // real\nint x;\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    assert.deepEqual(scanComments(lf, 'c').map((c) => c.value), [' real']);
    assert.deepEqual(scanComments(crlf, 'c').map((c) => c.value), [' real']);
  });

  test('C has no raw strings in tree-sitter-c: R"(...)" is R and a plain string, here too', () => {
    const text = 'const char *s = R"x(a )" // b)x"; int y;\n';
    assert.deepEqual(scanComments(text, 'c').map((c) => [c.start, c.end]), treeComments(text, 'c'));
  });

  test('a line comment keeps a lone CR and U+2028; C continues it across backslash-newline, Go does not', () => {
    const text = 'int a; // one\rtwo\u2028three \\\nfour\nint b;\n';
    assert.deepEqual(scanComments(text, 'c').map((c) => [c.start, c.end]), treeComments(text, 'c'));
    const go = 'package p\n\nvar a = 1 // one\rtwo \\\nvar b = 2\n';
    assert.deepEqual(scanComments(go, 'go').map((c) => [c.start, c.end]), treeComments(go, 'go'));
  });

  test('finds the comments tree-sitter finds, and the literals it finds outside macros, in every fixture', () => {
    for (const language of ['c', 'go'] as const) {
      for (const name of readFixtureNames(language)) {
        const text = readFileSync(new URL(`${language}/${name}`, FIXTURES), 'utf8');
        // A parse that ran out of its budget (a loaded machine, a pathological fuzz fixture) blanked text: nothing to compare.
        if (unparsedRanges(parseSource(text, language)).length) continue;
        assert.deepEqual(scanComments(text, language).map((c) => [c.start, c.end]), treeComments(text, language), name);
        const lexed = new Set(lex(text, language).literals.map((l) => l.end));
        for (const end of treeLiteralEnds(text, language)) assert.ok(lexed.has(end), `${name}: the literal ending at ${end} is lexed`);
      }
    }
  });
});

function readFixtureNames(language: Language): string[] {
  return readdirSync(new URL(`${language}/`, FIXTURES)).filter((n) => n.endsWith(`.${language}`)).sort();
}

const unused = (text: string, language: Language) => analyze(text, language).findings.filter((f) => f.rule === 'unused-disable-directive').map((f) => f.range.start.line);

describe('directives only in real comments', () => {
  test('C: directive text in strings, characters and continued strings is no directive, parsed or not', () => {
    const noFork = 'const char *a = "// vforklint-disable-line child-returns";\nconst char *b = "/* vforklint-disable child-returns */";\nconst char *c = "x \\\n// vforklint-disable-line child-returns";\n';
    assert.deepEqual(unused(noFork, 'c'), []);
    const withFork = `${noFork}int f(void) { return vfork(); }\n`;
    assert.deepEqual(analyze(withFork, 'c').findings.map((f) => f.rule), ['child-returns']);
    // A real directive after a string on the same line is read.
    const real = 'int f(void) {\n\treturn vfork() + (int)sizeof("// vforklint-disable-line x"); // vforklint-disable-line child-returns\n}\n';
    assert.deepEqual(analyze(real, 'c').findings.map((f) => f.rule), []);
  });

  test('Go: directive text in raw and interpreted strings is no directive', () => {
    const text = 'package p\n\nconst s = `\n// vforklint-disable-next-line child-returns\n/* vforklint-disable child-returns */\n`\nconst t = "// vforklint-disable-line child-returns"\n';
    assert.deepEqual(unused(text, 'go'), []);
    assert.deepEqual(unused(text.replace('const t', '// vforklint-disable-line child-returns\nconst t'), 'go'), [7]);
  });

  test('only a comment that starts with the directive is one', () => {
    assert.deepEqual(unused('int a; /* see // vforklint-disable-line child-returns */\n// note: /* vforklint-disable child-returns */\n', 'c'), []);
  });
});

describe('no fix changes a literal', () => {
  test('fixSource keeps directive text inside literals (C and Go fixtures)', () => {
    for (const [language, name] of [['c', 'suppress-directive-in-string-no-fork.c'], ['c', 'suppress-directive-in-string.c'], ['go', 'suppress-go-directive-in-string.go']] as const) {
      const text = readFileSync(new URL(`${language}/${name}`, FIXTURES), 'utf8');
      const out = fixSource(text, language);
      assert.deepEqual(literalMultiset(out.text, language), literalMultiset(text, language), name);
      const directiveLike = literalMultiset(text, language).filter((l) => l.includes('vforklint-'));
      assert.ok(directiveLike.length >= 2, name);
      for (const l of directiveLike) assert.ok(out.text.includes(l), `${name}: ${l} is kept`);
    }
  });

  test('the suppression fix is not offered on a line that starts inside a raw string', () => {
    const text = 'package p\n\nfunc f() {\n\tx := `a\nb` + g()\n\t_ = x\n}\n';
    const at = text.indexOf('g()');
    const finding: Finding = { rule: 'child-unsafe-call', messageId: 'unsafe', steps: [], severity: 'error', message: 'm', range: { start: { offset: at, line: 5, column: 7 }, end: { offset: at + 3, line: 5, column: 10 } }, related: [], fixes: [] };
    assert.equal(suppressionFix(text, finding, 'go'), undefined);
    const outside = text.replace('`a\nb`', '`ab`');
    const at2 = outside.indexOf('g()');
    assert.ok(suppressionFix(outside, { ...finding, range: { start: { offset: at2, line: 4, column: 13 }, end: { offset: at2 + 3, line: 4, column: 16 } } }, 'go'));
  });

  test('sameLiterals: a moved literal is the same, an edited one is not; the fuzz property says so', () => {
    assert.ok(sameLiterals('a("x"); b("y");', 'b("y");\na("x");', 'c'));
    assert.ok(!sameLiterals('a("x");', 'a("");', 'c'));
    assert.ok(!sameLiterals('s := `a\n// b\n`', 's := `a\n`', 'go'));
    const text = 'int f(void) { return g("// vforklint-disable-line x"); }\n';
    const start = text.indexOf('// vf');
    const pos = (offset: number) => ({ offset, line: 1, column: offset + 1 });
    const v = checkFindings(text, 'c', [
      { rule: 'unused-disable-directive', steps: [], severity: 'warning', message: 'Unused vforklint-disable directive (no finding to suppress here).', messageId: 'unusedAny', range: { start: pos(start), end: pos(start + 5) }, related: [], fixes: [{ title: 'remove', kind: 'suppress', safe: true, edits: [{ start, end: text.indexOf('"', start), newText: '' }] }] },
    ], { fixParses: false });
    assert.deepEqual(v.map((x) => x.property), ['fix-keeps-literals']);
  });
});

describe("lint's NOTREACHED annotation", () => {
  test('is the whole comment, in any case and either comment form', () => {
    for (const c of ['/* NOTREACHED */', '/*NOTREACHED*/', '/* not reached */', '// NOTREACHED', '/* Not Reached. */']) assert.ok(isNotReachedComment(c), c);
    for (const c of ['/* not reached if it fails */', '// reached', '/* TODO: NOTREACHED */', '"NOTREACHED"']) assert.ok(!isNotReachedComment(c), c);
  });
});
