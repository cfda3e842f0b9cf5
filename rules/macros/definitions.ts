/**
 * The macros a file defines, and which of them may be read as their bodies.
 *
 * Definitions come from the file's tree (`#define`, `#undef`, in text order) and, later,
 * from the project's headers as plain data. A name is expandable at a use when one
 * definition is certainly in effect there: all its definitions agree, or they follow one
 * another unconditionally (`#undef`/`#define`, read in order). Defined several ways under
 * `#if`/`#else`, or part of a cycle of macros: not expandable, with a reason the caller
 * can show.
 */
import type { SyntaxNode } from '../parser.js';
import { firstAtOrAfter, rangeOfNode } from '../syntax.js';
import { childPath, conditionValue, TOP, type BranchPath, type ConditionContext, type Guard } from './conditions.js';
import { expandText } from './expand.js';
import { bodyTokensOf, type MacroDefinition, type MacroLookup, type MacroScope } from './model.js';
import { tokenize } from './tokens.js';

/** A `#undef` in the analysed file. */
interface Undefinition {
  name: string;
  offset: number;
}

const DEFINES = new Set(['preproc_def', 'preproc_function_def']);

/** Offsets of the lines that start with `#define` or `#undef`: only nodes holding one are searched. */
function directiveOffsets(text: string): Int32Array {
  const out: number[] = [];
  const re = /^[ \t]*#[ \t]*(?:define|undef)\b/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index + m[0].indexOf('#'));
  return Int32Array.from(out);
}

/** The parameter list's text, `(a, b, ...)`, as names (tree-sitter-c reads `args...` as an error node). */
function parseParams(text: string): string[] {
  const inner = text.trim().replace(/^\(/, '').replace(/\)$/, '');
  return inner.trim() === '' ? [] : inner.split(',').map((p) => p.trim().replace(/\s+/g, ''));
}

interface Event {
  offset: number;
  /** The `#if` branches that hold it ('' when it is certainly compiled). */
  branches: string;
  guards: Guard[];
  def?: MacroDefinition;
  undef?: Undefinition;
}

/** The `#define`s and `#undef`s of a C tree, in text order. */
function collect(root: SyntaxNode): Event[] {
  const text = root.text;
  const targets = directiveOffsets(text);
  const events: Event[] = [];
  const add = (e: Event) => events.push(e);
  // Descend only into nodes that hold a directive line: the walk is as long as the directives are few.
  const stack: Array<{ node: SyntaxNode; path: BranchPath }> = [{ node: root, path: TOP }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (DEFINES.has(node.type)) {
      const name = node.childForFieldName('name');
      const params = node.childForFieldName('parameters');
      if (name) {
        const bodyStart = (params ?? name).endIndex;
        add({
          offset: node.startIndex,
          branches: path.key,
          guards: path.guards,
          def: {
            name: name.text,
            params: params ? parseParams(params.text) : undefined,
            body: node.text.slice(bodyStart - node.startIndex).replace(/[\r\n]+$/, ''),
            location: { range: rangeOfNode(node) },
          },
        });
      }
      continue;
    }
    if (node.type === 'preproc_call' && /^#\s*undef$/.test(node.childForFieldName('directive')?.text ?? '')) {
      const name = tokenize(node.childForFieldName('argument')?.text ?? '')[0];
      if (name?.kind === 'identifier') add({ offset: node.startIndex, branches: path.key, guards: path.guards, undef: { name: name.text, offset: node.startIndex } });
      continue;
    }
    const children: Array<{ node: SyntaxNode; path: BranchPath }> = [];
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i);
      if (!c) continue;
      const start = c.startIndex;
      const end = c.endIndex;
      const k = firstAtOrAfter(targets, start);
      if (k < targets.length && targets[k] < end) children.push({ node: c, path: childPath(path, node, c) });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return events.sort((a, b) => a.offset - b.offset);
}

/** Bodies compared as tokens: `#define A (1)` twice, spaced differently, is one definition. */
function sameDefinition(a: MacroDefinition, b: MacroDefinition): boolean {
  const spell = (d: MacroDefinition) => `${d.params ? `(${d.params.join(',')})` : ''} ${bodyTokensOf(d).map((t) => t.text).join(' ')}`;
  return spell(a) === spell(b);
}

function lineOf(def: MacroDefinition): string {
  return `${def.location.file ? `${def.location.file}:` : 'line '}${def.location.range.start.line}`;
}

export class MacroTable implements MacroScope {
  private readonly events = new Map<string, Event[]>();
  private readonly cycles = new Map<string, string | undefined>();
  /** Whether a name's meaning depends on where it is used (an `#undef` or a redefinition, read in order). */
  private readonly ordered = new Set<string>();

  /**
   * @param root the C tree of the analysed file (undefined: only `extra`)
   * @param extra definitions from elsewhere (the project's headers), taken as in effect from the file's start
   */
  constructor(root: SyntaxNode | undefined, extra: readonly MacroDefinition[] = []) {
    for (const def of extra) this.add(def.name, { offset: -1, branches: '', guards: [], def });
    // In text order: a directive's #if conditions are decided by the definitions above it.
    const decided = new Map<SyntaxNode['startIndex'], boolean | undefined>();
    const context: ConditionContext = { definedAt: (name, offset) => this.definedAt(name, offset), expand: (text, offset) => expandText(this, text, offset).text };
    for (const e of root ? collect(root) : []) {
      let state: 'compiled' | 'skipped' | 'unknown' = 'compiled';
      for (const g of e.guards) {
        const key = g.node.startIndex;
        if (!decided.has(key)) decided.set(key, conditionValue(g.node, context));
        const v = decided.get(key);
        if (v === undefined) state = 'unknown';
        else if (v !== g.want) {
          state = 'skipped';
          break;
        }
      }
      if (state === 'skipped') continue;
      if (state === 'compiled') e.branches = '';
      this.add((e.def ?? e.undef)!.name, e);
    }
    this.cycles.clear();
    for (const [name, list] of this.events) if (list.some((e) => e.undef) || list.filter((e) => e.def).length > 1) this.ordered.add(name);
  }

  private add(name: string, e: Event): void {
    const list = this.events.get(name) ?? [];
    list.push(e);
    this.events.set(name, list);
  }

  /** Certainly defined (true), certainly not (false), or unknown (a header or `-D` may define it) just before `offset`. */
  private definedAt(name: string, offset: number): boolean | undefined {
    const before = (this.events.get(name) ?? []).filter((e) => e.offset < offset);
    if (before.length === 0 || before.some((e) => e.branches !== '')) return undefined;
    return before[before.length - 1].def !== undefined;
  }

  /** Every name defined somewhere (in any branch). */
  names(): IterableIterator<string> {
    return this.events.keys();
  }

  has(name: string): boolean {
    return this.events.has(name);
  }

  /**
   * A key that changes exactly where some name's meaning may change: uses with the same
   * text and the same key expand alike.
   */
  epochAt(offset: number | undefined): string {
    if (offset === undefined || this.ordered.size === 0) return '';
    let n = 0;
    for (const name of this.ordered) for (const e of this.events.get(name)!) if (e.offset <= offset) n++;
    return String(n);
  }

  /** What `name` means at `offset` in the file (undefined: anywhere, the definitions must agree). */
  lookup(name: string, offset?: number): MacroLookup {
    const events = this.events.get(name);
    if (!events) return { kind: 'none' };
    const defs = events.filter((e) => e.def).map((e) => e.def!);
    const before = offset === undefined ? events : events.filter((e) => e.offset <= offset);
    if (before.length === 0) return { kind: 'none' };
    let chosen: MacroDefinition | undefined;
    if (!events.some((e) => e.undef) && defs.every((d) => sameDefinition(d, defs[0]))) chosen = defs[0];
    else if (offset !== undefined && events.every((e) => e.branches === events[0].branches)) {
      // One unconditional sequence of #define/#undef: the last one before the use holds.
      const last = before[before.length - 1];
      if (!last.def) return { kind: 'none' };
      chosen = last.def;
    } else {
      if (defs.length === 1) return { kind: 'not-expandable', reason: `\`${name}\` is #undef'd under #if`, definitions: defs };
      return { kind: 'not-expandable', reason: `\`${name}\` is defined several ways (${defs.map(lineOf).join(', ')})`, definitions: defs };
    }
    const cycle = this.cycleThrough(name, offset);
    if (cycle) return { kind: 'not-expandable', reason: `\`${name}\` is recursive (${cycle})`, definitions: [chosen] };
    return { kind: 'macro', definition: chosen };
  }

  /**
   * A chain `A -> B -> A` of two or more macros leading back to `name`, or undefined. A
   * macro naming itself (`#define top (G.top)`, busybox's globals) is not a cycle: the C
   * preprocessor leaves the inner name as written, and so does the expansion here.
   */
  private cycleThrough(name: string, offset?: number): string | undefined {
    const key = `${name}@${this.epochAt(offset)}`;
    if (this.cycles.has(key)) return this.cycles.get(key);
    const referenced = (n: string): string[] => {
      const list = this.events.get(n)?.filter((e) => e.def && (offset === undefined || e.offset <= offset)) ?? [];
      const out = new Set<string>();
      for (const e of list) for (const t of bodyTokensOf(e.def!)) if (t.kind === 'identifier' && t.text !== n && this.events.has(t.text)) out.add(t.text);
      return [...out];
    };
    let found: string | undefined;
    // Depth-first, iterative, over names reachable from `name`; a path back to `name` is a cycle.
    const stack: Array<{ name: string; path: string[] }> = referenced(name).map((n) => ({ name: n, path: [name, n] }));
    const seen = new Set<string>();
    while (stack.length && !found) {
      const { name: n, path } = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const m of referenced(n)) {
        if (m === name) found = [...path, m].join(' -> ');
        else if (!seen.has(m)) stack.push({ name: m, path: [...path, m] });
      }
    }
    this.cycles.set(key, found);
    return found;
  }
}
