/**
 * Expectations written inside fixture files, in the style of Go's analysistest
 * (see fixtures/README.md):
 *
 *   pid = int(r1) // want "parent-reuses-frame"
 *   x = 1;        // want "child-writes-shared" "child-unsafe-call"
 *   foo(/* want "child-unsafe-call" *\/ bar());
 *
 * A `want` comment at a line means: for each quoted rule id, one finding of that
 * rule starts on that line. A quoted `rule-id: regexp` also checks the finding's message
 * against the regexp (unanchored, case-insensitive), as Go's analysistest `// want "regexp"`:
 *
 *   execv(path, argv); // want "child-returns: when `execv` fails, the child goes on to return"
 * A fixture may also carry, on one of its first lines,
 *
 *   // vforklint-config: {"strict": true}
 *
 * whose JSON is the VforklintConfig the fixture is analysed with.
 *
 * Exported for every suite that runs fixtures (CLI, server, ESLint plugin).
 */

/** The parts of a Finding this module needs (structurally compatible with rules/types.ts). */
export interface FindingLike {
  rule: string;
  severity?: string;
  message: string;
  range: { start: { line: number; column?: number } };
}

export interface Expectation {
  /** 1-based line the finding must start on. */
  line: number;
  rule: string;
  /** The finding's message must match this, when given. */
  message?: RegExp;
}

export interface Comparison {
  /** One readable line per expected finding that did not come: `12: child-returns`. */
  missing: string[];
  /** One readable line per finding nobody expected: `14: child-unsafe-call (error) "message"`. */
  unexpected: string[];
}

/** The keys a `vforklint-config` comment may use (VforklintConfig). */
const CONFIG_KEYS = new Set(['rules', 'strict', 'forkFunctions', 'noReturnFunctions', 'safeFunctions']);

/** How many leading lines may hold the config comment. */
export const CONFIG_HEADER_LINES = 10;

/** `// want "a" "b"` or `/* want "a" "b" *\/`: the comment opener, `want`, then quoted ids. */
const WANT = /(?:\/\/|\/\*)\s*want((?:\s+"[^"\n]*")+)/g;
const QUOTED = /"([^"\n]*)"/g;
const CONFIG = /^\s*\/\/\s*vforklint-config:\s*(.*?)\s*$/;

/** Every expectation in `text`, in line order (a line with two ids yields two entries). */
export function expectationsFor(text: string): Expectation[] {
  const out: Expectation[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((lineText, i) => {
    for (const m of lineText.matchAll(WANT)) {
      for (const q of m[1].matchAll(QUOTED)) {
        const text = q[1].trim();
        if (text === '') throw new Error(`line ${i + 1}: empty rule id in a want comment`);
        const withMessage = /^([a-z][a-z-]*):\s*(.+)$/.exec(text);
        if (!withMessage) {
          out.push({ line: i + 1, rule: text });
          continue;
        }
        let message: RegExp;
        try {
          message = new RegExp(withMessage[2], 'i');
        } catch (e) {
          throw new Error(`line ${i + 1}: bad message regexp in a want comment (${(e as Error).message})`);
        }
        out.push({ line: i + 1, rule: withMessage[1], message });
      }
    }
  });
  return out;
}

/**
 * The configuration a fixture asks for, from a `// vforklint-config: {...}` comment on
 * one of its first CONFIG_HEADER_LINES lines; `{}` when there is none. Throws a one-line
 * error for bad JSON or keys VforklintConfig does not have.
 */
export function configFor(text: string): Record<string, unknown> {
  const lines = text.split(/\r\n|\r|\n/);
  let found: Record<string, unknown> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = CONFIG.exec(lines[i]);
    if (!m) continue;
    if (i >= CONFIG_HEADER_LINES) {
      throw new Error(`line ${i + 1}: vforklint-config must be on one of the first ${CONFIG_HEADER_LINES} lines`);
    }
    if (found) throw new Error(`line ${i + 1}: a second vforklint-config comment`);
    let value: unknown;
    try {
      value = JSON.parse(m[1]);
    } catch (e) {
      throw new Error(`line ${i + 1}: vforklint-config is not valid JSON (${(e as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`line ${i + 1}: vforklint-config must be a JSON object`);
    }
    for (const key of Object.keys(value)) {
      if (!CONFIG_KEYS.has(key)) {
        throw new Error(`line ${i + 1}: vforklint-config has unknown key "${key}" (known: ${[...CONFIG_KEYS].join(', ')})`);
      }
    }
    found = value as Record<string, unknown>;
  }
  return found ?? {};
}

/**
 * Match findings against expectations as multisets of (line, rule): each expectation
 * consumes one finding of its rule starting on its line (and, for one with a message
 * regexp, whose message matches it; those are matched first).
 */
export function compareFindings(expected: readonly Expectation[], findings: readonly FindingLike[]): Comparison {
  const pending = new Map<string, number>();
  const key = (line: number, rule: string) => `${line}\u0000${rule}`;
  const plain = expected.filter((e) => !e.message);
  for (const e of plain) pending.set(key(e.line, e.rule), (pending.get(key(e.line, e.rule)) ?? 0) + 1);

  const unexpected: string[] = [];
  const missing: string[] = [];
  const sorted = [...findings].sort((a, b) => a.range.start.line - b.range.start.line || (a.range.start.column ?? 0) - (b.range.start.column ?? 0));
  const taken = new Set<FindingLike>();
  for (const e of expected) {
    if (!e.message) continue;
    const f = sorted.find((x) => !taken.has(x) && x.range.start.line === e.line && x.rule === e.rule && e.message!.test(x.message));
    if (f) taken.add(f);
    else missing.push(`${e.line}: ${e.rule} with a message matching /${e.message.source}/i`);
  }
  for (const f of sorted) {
    if (taken.has(f)) continue;
    const k = key(f.range.start.line, f.rule);
    const n = pending.get(k) ?? 0;
    if (n > 0) {
      pending.set(k, n - 1);
      continue;
    }
    const col = f.range.start.column === undefined ? '' : `:${f.range.start.column}`;
    const sev = f.severity ? ` (${f.severity})` : '';
    unexpected.push(`${f.range.start.line}${col}: ${f.rule}${sev} ${JSON.stringify(f.message)}`);
  }

  for (const e of [...plain].sort((a, b) => a.line - b.line)) {
    const k = key(e.line, e.rule);
    const n = pending.get(k) ?? 0;
    if (n > 0) {
      pending.set(k, n - 1);
      missing.push(`${e.line}: ${e.rule}`);
    }
  }
  return { missing, unexpected };
}
