/**
 * Wrappers that hand their argument through unchanged, as far as a test of the fork
 * result is concerned: `__builtin_expect(x, c)`, `likely(x)`, `__glibc_unlikely(x)`, and
 * function-like macros defined in the same file whose body is a pass-through of their
 * parameter (`#define unlikely(x) __builtin_expect(!!(x), 0)`).
 */

/** Callees that pass their first argument through whatever file they are in. */
const BUILTIN = /^(?:__builtin_expect(?:_with_probability)?|__predict_(?:true|false)|\w*likely)$/i;

export function isPassThroughName(name: string, macros: ReadonlySet<string>): boolean {
  return BUILTIN.test(name) || macros.has(name);
}

/** `((x))` -> `x`, `!!(x)` -> `x` (whitespace already removed). */
function stripWrapping(text: string): string {
  let t = text;
  for (let i = 0; i < 20; i++) {
    if (t.startsWith('!!')) t = t.slice(2);
    else if (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1);
    else break;
  }
  return t;
}

function balanced(t: string): boolean {
  let depth = 0;
  for (const c of t) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** The argument list of `name(args)` split at top-level commas, or undefined if `text` is no such call. */
function callParts(text: string): { name: string; args: string[] } | undefined {
  const m = /^(\w+)\((.*)\)$/.exec(text);
  if (!m || !balanced(m[2])) return undefined;
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  const inner = m[2];
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  args.push(inner.slice(start));
  return { name: m[1], args };
}

/** Is `body` (whitespace removed) `param` handed through wrappers known so far? */
function passesThrough(body: string, param: string, macros: ReadonlySet<string>): boolean {
  let t = stripWrapping(body);
  for (let i = 0; i < 10; i++) {
    if (t === param) return true;
    const call = callParts(t);
    if (!call || !isPassThroughName(call.name, macros) || call.args.length < 1) return false;
    t = stripWrapping(call.args[0]);
  }
  return false;
}

const DEFINE = /^[ \t]*#[ \t]*define[ \t]+(\w+)\([ \t]*(\w+)[ \t]*\)((?:[^\n]*\\\r?\n)*[^\n]*)/gm;

/** `passThroughMacros` of a file's text, remembered for the file's analysis. */
export function passThroughMacrosOf(file: { text: string; remember<T>(key: string, compute: () => T): T; reads?: { record(kind: 'pass-through', name: string): void } }): Set<string> {
  file.reads?.record('pass-through', '');
  return file.remember('passThroughMacros', () => passThroughMacros(file.text));
}

/** Names of the same-file function-like macros of one parameter that pass it through. */
export function passThroughMacros(text: string): Set<string> {
  const found = new Set<string>();
  if (!text.includes('define')) return found;
  const candidates: Array<[string, string, string]> = [];
  for (const m of text.matchAll(DEFINE)) {
    const body = m[3].replace(/\\\r?\n/g, ' ').replace(/\/\*.*?\*\/|\/\/.*$/g, '').replace(/\s+/g, '');
    if (body.length > 0 && body.length < 200) candidates.push([m[1], m[2], body]);
  }
  // Macros may wrap each other: repeat until nothing new is found.
  for (let changed = true, round = 0; changed && round < 5; round++) {
    changed = false;
    for (const [name, param, body] of candidates) {
      if (!found.has(name) && passesThrough(body, param, found)) {
        found.add(name);
        changed = true;
      }
    }
  }
  return found;
}
