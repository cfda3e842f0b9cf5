/**
 * The cheap pass of the project index: one read of every file under the root, a few
 * regular expressions per file, no parse. It tells which files may define a name (a name
 * followed by `(` at a definition-like position), which hold a fork spelling, what the
 * headers' macros are, what each file includes, and which Go files build for linux/amd64.
 * Only the files it points at are parsed later.
 */
import { holdsSpelling } from '../fork-spellings.js';
import { goFileBuilds } from './build-constraints.js';

export interface MacroDef {
  name: string;
  /** Parameter names of a function-like macro; undefined for an object-like one. */
  params?: string[];
  body: string;
  file: string;
}

export interface ScannedFile {
  path: string;
  language: 'c' | 'go';
  header: boolean;
  /** Names written at a definition-like position, with the declaration's text (headers keep it for attributes). */
  names: Map<string, string[]>;
  /** C: those of `names` written with `static` on their line or the line above (a guess the parse confirms). */
  statics: Set<string>;
  /** Base names of the files it `#include`s with quotes or angle brackets. */
  includes: Set<string>;
  /** Go: builds for linux/amd64. */
  builds: boolean;
  /** Go: `//go:linkname local target` pairs. */
  linknames: Array<[string, string]>;
  forkSpelling: boolean;
}

export interface TextScan {
  files: Map<string, ScannedFile>;
  /** Every file that may define or declare a name. */
  byName: Map<string, string[]>;
  /** Object-like and function-like macros of the headers, by name (several when defined several ways). */
  macros: Map<string, MacroDef[]>;
  unreadable: string[];
  /** Go files by package directory. */
  goDirs: Map<string, string[]>;
}

/**
 * A scan handed from one thread to another (plain data), with the fork-spelling pattern it
 * was made with: what each file holds, without the index of names (`byName`, `goDirs`), which
 * the thread that uses it rebuilds from the files (`fromShared`): the message is about half
 * the size, and the main thread, on the run's critical path, does not build it.
 */
export interface SharedScan {
  pattern: string;
  files: Map<string, ScannedFile>;
  macros: Map<string, MacroDef[]>;
  unreadable: string[];
}

/** The scan of a project's files, made once to be handed to every thread that indexes the project. */
export function sharedScan(paths: readonly string[], read: (p: string) => string | undefined, forkPattern: RegExp): SharedScan {
  return { pattern: forkPattern.source, ...scanFiles(paths, read, forkPattern) };
}

/**
 * Add the scan of the next files of the same listing (same pattern) to `into`, which becomes
 * what one scan of all of them gives: files and unreadable ones in order, each macro's
 * definitions in the order of their files.
 */
export function appendShared(into: SharedScan, next: SharedScan): void {
  for (const [path, f] of next.files) into.files.set(path, f);
  for (const [name, defs] of next.macros) {
    const list = into.macros.get(name);
    if (list) list.push(...defs);
    else into.macros.set(name, defs);
  }
  into.unreadable.push(...next.unreadable);
}

/** A scan another thread made, whole: its names indexed from its files, in the files' order (as `scanProject` does). */
export function fromShared(shared: SharedScan): TextScan {
  return withNames(shared.files, shared.macros, shared.unreadable);
}

/** Go files grouped by directory (after a change to `files`, build it again). */
export function goDirectories(files: ReadonlyMap<string, ScannedFile>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of files.values()) if (f.language === 'go') add(out, f.path.slice(0, Math.max(0, f.path.lastIndexOf('/'))), f.path);
  return out;
}

const NOT_A_NAME = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'defined', '__attribute__', '__attribute', 'typeof', '__typeof__', 'alignof', '_Alignof', 'case', 'do', 'else', 'goto', '__asm__', 'asm', '__declspec', '_Static_assert', 'static_assert', 'offsetof']);

/** A column-0 line (headers: any line) that is not a directive, comment or brace: its first `name(`. */
const C_DEFINITION = /^[A-Za-z_][^\n;{}()=#"]*?\b([A-Za-z_]\w*)[ \t]*\(/gm;
const C_HEADER_DECLARATION = /^[ \t]*[A-Za-z_][^\n;{}()=#"]*?\b([A-Za-z_]\w*)[ \t]*\(/gm;
/** A definition's line with `__attribute__((...))` before the name. */
const C_ATTRIBUTED = /^[A-Za-z_][^\n;{}()=#"]*?\b__attribute__[ \t]*\(\([^\n;{}"]*?\)\)+[^\n;{}()=#"]*?\b([A-Za-z_]\w*)[ \t]*\(/gm;
/** `name (` starting its line, after a line holding the type (GNU style: `static void\nfoo (int)`). */
const FUNCTION_LINE = /^([A-Za-z_]\w*)[ \t]*\(/gm;
const GO_FUNCTION = /^func[ \t]+(?:\([^)]*\)[ \t]*)?([A-Za-z_]\w*)[ \t]*[[(]/gm;
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)]*\))?((?:[^\n\\]|\\\n?)*)/gm;
const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"]/gm;
const LINKNAME = /^\/\/go:linkname[ \t]+(\w+)[ \t]+([\w./]+)/gm;

const STATIC = /\bstatic\b/;

/** Characters looked at past a parameter list's `(` (a longer list is taken for a definition). */
const MAX_PARAMETER_LIST = 2000;

/**
 * Is the parameter list opening at `open` followed by `;` or `,` (a prototype or a list of
 * declarators)? Anything else (`{`, a K&R parameter declaration, an attribute) counts as a
 * definition: the parse decides.
 */
function isPrototype(text: string, open: number): boolean {
  const limit = Math.min(text.length, open + MAX_PARAMETER_LIST);
  let depth = 0;
  let i = open;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) break;
    else if (c === 123 || c === 125 || c === 59) return false;
  }
  if (i >= limit) return false;
  for (i++; i < limit; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      if (end < 0) return false;
      i = end;
      continue;
    }
    return c === ';' || c === ',';
  }
  return false;
}

/** Longest declaration text kept (enough for a prototype and its attributes). */
const MAX_DECLARATION = 600;

function add<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The declaration around a name: from the previous line when this one does not start it, to the first `;` or `{`. */
function declarationText(text: string, at: number): string {
  let start = text.lastIndexOf('\n', at - 1) + 1;
  const prevEnd = start - 1;
  if (prevEnd > 0) {
    const prevStart = text.lastIndexOf('\n', prevEnd - 1) + 1;
    const prev = text.slice(prevStart, prevEnd).trim();
    if (prev && !/[;{}]$|\*\/$|^#|^\/\//.test(prev)) start = prevStart;
  }
  let end = at;
  const limit = Math.min(text.length, at + MAX_DECLARATION);
  while (end < limit && text[end] !== ';' && text[end] !== '{') end++;
  // The terminator is kept: `{` says the header defines the function (a `static inline`).
  return text.slice(start, end + 1);
}

/**
 * What the patterns above match in a file, pass by pass (each pass's matches in text order).
 * `definitions` is C_DEFINITION's (a header's: C_HEADER_DECLARATION's), `functionLines` the
 * GNU-style `name (` at a line's start; `attributed` only for a `.c` file, `defines` only for a
 * header.
 */
interface PatternMatches {
  definitions: RegExpExecArray[];
  functionLines: RegExpExecArray[];
  attributed: RegExpExecArray[];
  includes: RegExpExecArray[];
  defines: RegExpExecArray[];
  goFunctions: RegExpExecArray[];
  linknames: RegExpExecArray[];
}

/** The same patterns, tried at one place (a line's start) instead of searched for. */
const sticky = (re: RegExp) => new RegExp(re.source, 'my');
const AT = {
  definition: sticky(C_DEFINITION),
  headerDeclaration: sticky(C_HEADER_DECLARATION),
  attributed: sticky(C_ATTRIBUTED),
  functionLine: sticky(FUNCTION_LINE),
  define: sticky(DEFINE),
  include: sticky(INCLUDE),
  goFunction: sticky(GO_FUNCTION),
  linkname: sticky(LINKNAME),
};

/** Line terminators other than `\n` that `^` also starts a line after (files holding them take the whole-text passes). */
const OTHER_LINE_TERMINATORS = ['\r', '\u2028', '\u2029'];

/** Each pattern's matches, one whole-text search per pattern. */
function matchesByPasses(text: string, language: 'c' | 'go', header: boolean): PatternMatches {
  const all = (re: RegExp) => [...text.matchAll(re)] as RegExpExecArray[];
  const c = language === 'c';
  return {
    definitions: c ? all(header ? C_HEADER_DECLARATION : C_DEFINITION) : [],
    functionLines: c ? all(FUNCTION_LINE) : [],
    attributed: c && !header ? all(C_ATTRIBUTED) : [],
    includes: c ? all(INCLUDE) : [],
    defines: c && header ? all(DEFINE) : [],
    goFunctions: c ? [] : all(GO_FUNCTION),
    linknames: c ? [] : all(LINKNAME),
  };
}

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;

/**
 * The same matches in one walk over the lines: every pattern starts at a line's start (`^`),
 * and each is tried only at the lines whose first characters can begin it (a name for a
 * definition, `#` after blanks for a directive, `f` or `/` in Go). A pattern's next match is
 * looked for past the end of its last one, as a global search resumes. Only for text whose
 * lines all end in `\n`.
 */
function matchesByLines(text: string, language: 'c' | 'go', header: boolean): PatternMatches {
  const out: PatternMatches = { definitions: [], functionLines: [], attributed: [], includes: [], defines: [], goFunctions: [], linknames: [] };
  // Where each pattern may match next (the end of its last match).
  let definition = 0;
  let functionLine = 0;
  let attributed = 0;
  let include = 0;
  let define = 0;
  let goFunction = 0;
  let linkname = 0;
  const tryAt = (re: RegExp, at: number, list: RegExpExecArray[]): number => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return at;
    list.push(m);
    return at + m[0].length;
  };
  const c = language === 'c';
  const declaration = header ? AT.headerDeclaration : AT.definition;
  const attributes = c && !header && text.includes('__attribute__');
  const length = text.length;
  for (let at = 0; at < length; ) {
    const end = text.indexOf('\n', at);
    const next = end < 0 ? length : end + 1;
    const first = text.charCodeAt(at);
    if (c) {
      if (isNameStart(first)) {
        if (at >= definition) definition = tryAt(declaration, at, out.definitions);
        if (at >= functionLine) functionLine = tryAt(AT.functionLine, at, out.functionLines);
        if (attributes && at >= attributed) attributed = tryAt(AT.attributed, at, out.attributed);
      } else if (first === 32 || first === 9 || first === 35) {
        let i = at;
        let ch = first;
        while (ch === 32 || ch === 9) ch = text.charCodeAt(++i);
        if (ch === 35) {
          if (at >= include) include = tryAt(AT.include, at, out.includes);
          if (header && at >= define) define = tryAt(AT.define, at, out.defines);
        } else if (header && isNameStart(ch) && at >= definition) definition = tryAt(declaration, at, out.definitions);
      }
    } else if (first === 102) {
      if (at >= goFunction) goFunction = tryAt(AT.goFunction, at, out.goFunctions);
    } else if (first === 47) {
      if (at >= linkname) linkname = tryAt(AT.linkname, at, out.linknames);
    }
    at = next;
  }
  return out;
}

/**
 * How scanText finds the patterns: `lines`, one walk over the lines (unless a line ends in
 * something else than `\n`); `passes`, one whole-text search per pattern (what the walk must
 * equal, which the tests check).
 */
export type ScanMethod = 'lines' | 'passes';

function patternMatches(text: string, language: 'c' | 'go', header: boolean, method: ScanMethod): PatternMatches {
  if (method === 'passes' || OTHER_LINE_TERMINATORS.some((t) => text.includes(t))) return matchesByPasses(text, language, header);
  return matchesByLines(text, language, header);
}

export function scanFile(path: string, text: string, forkPattern: RegExp): ScannedFile {
  return scanText(path, text, forkPattern).file;
}

/** A file's scan, and a header's macros (in the order defined), from one walk over its text. */
export function scanText(path: string, text: string, forkPattern: RegExp, method: ScanMethod = 'lines'): { file: ScannedFile; macros: MacroDef[] } {
  const language = path.endsWith('.go') ? 'go' : 'c';
  const header = path.endsWith('.h');
  const names = new Map<string, string[]>();
  const statics = new Set<string>();
  const includes = new Set<string>();
  const linknames: Array<[string, string]> = [];
  const found = patternMatches(text, language, header, method);
  if (language === 'c') {
    for (const m of found.definitions) {
      const name = m[1];
      if (NOT_A_NAME.has(name)) continue;
      // In a `.c` file only definitions count: a prototype (`void helper(void);`) defines nothing to parse.
      if (!header && isPrototype(text, m.index + m[0].length - 1)) continue;
      const at = m.index + m[0].lastIndexOf(name);
      add(names, name, header ? declarationText(text, at) : '');
      if (STATIC.test(m[0])) statics.add(name);
    }
    // GNU style: the name starts its line, the type sits on the line above.
    for (const m of found.functionLines) {
      if (NOT_A_NAME.has(m[1]) || (!header && isPrototype(text, m.index + m[0].length - 1))) continue;
      if (!names.has(m[1])) add(names, m[1], header ? declarationText(text, m.index) : '');
      if (m.index > 0 && STATIC.test(text.slice(text.lastIndexOf('\n', m.index - 2) + 1, m.index))) statics.add(m[1]);
    }
    // A `.c` file's definition with an attribute before the name (`pid_t __attribute__((returns_twice)) xvforkwrap(pid_t pid)`): the first pass took the attribute for the name.
    for (const m of found.attributed) {
      if (NOT_A_NAME.has(m[1]) || names.has(m[1]) || isPrototype(text, m.index + m[0].length - 1)) continue;
      add(names, m[1], '');
      if (STATIC.test(m[0])) statics.add(m[1]);
    }
    for (const m of found.includes) includes.add(m[1].replace(/^.*\//, ''));
  } else {
    for (const m of found.goFunctions) add(names, m[1], '');
    for (const m of found.linknames) linknames.push([m[1], m[2]]);
  }
  const forkSpelling = holdsSpelling(text, forkPattern);
  const file: ScannedFile = { path, language, header, names, statics, includes, builds: language === 'go' ? goFileBuilds(path, text) : true, linknames, forkSpelling };
  return { file, macros: found.defines.map((m) => macroOf(path, m)) };
}

/** A macro a header defines, `#define NAME body` or `#define NAME(a, b) body` (continuation lines joined). */
function macroOf(path: string, m: RegExpMatchArray): MacroDef {
  const params = m[2] ? m[2].slice(1, -1).split(',').map((p) => p.trim()).filter(Boolean) : undefined;
  const body = m[3].replace(/\\\n/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/, '').trim();
  return { name: m[1], params, body, file: path };
}

export function scanProject(paths: readonly string[], read: (p: string) => string | undefined, forkPattern: RegExp): TextScan {
  const s = scanFiles(paths, read, forkPattern);
  return withNames(s.files, s.macros, s.unreadable);
}

/** Each C and Go file's scan, and the headers' macros, in the order of `paths`. */
function scanFiles(paths: readonly string[], read: (p: string) => string | undefined, forkPattern: RegExp): Omit<SharedScan, 'pattern'> {
  const files = new Map<string, ScannedFile>();
  const macros = new Map<string, MacroDef[]>();
  const unreadable: string[] = [];
  for (const path of paths) {
    if (!/\.(?:c|h|go)$/.test(path)) continue;
    const text = read(path);
    if (text === undefined) {
      unreadable.push(path);
      continue;
    }
    const { file, macros: defined } = scanText(path, text, forkPattern);
    files.set(path, file);
    for (const d of defined) add(macros, d.name, d);
  }
  return { files, macros, unreadable };
}

/** The scan with its names indexed: every file that may define or declare each name, in the files' order. */
function withNames(files: Map<string, ScannedFile>, macros: Map<string, MacroDef[]>, unreadable: string[]): TextScan {
  const byName = new Map<string, string[]>();
  for (const [path, f] of files) for (const name of f.names.keys()) add(byName, name, path);
  return { files, byName, macros, unreadable, goDirs: goDirectories(files) };
}
