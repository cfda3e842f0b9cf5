/** Per-file facts shared by every function's analysis: the tree, same-file functions, configuration, macros. */
import type { ExpressionView, LanguageAdapter, StatementView } from './language/adapter.js';
import { MacroTable, readMacroUse, summarize, type MacroDefinition, type MacroSummary, type MacroUse, type SummaryOptions } from './macros.js';
import type { SyntaxNode } from './parser.js';
import { ReadLog } from './read-log.js';
import { ChildIndex, LineIndex } from './syntax.js';
import type { VforklintConfig } from './types.js';

/** Where a file's macros come from: its own tree, plus definitions handed in (a project's headers). */
export interface MacroSource {
  /** The file this context is a masked copy of: its macros are the original's. */
  original?: FileContext;
  /** Definitions from other files, in effect from the start of the file. */
  headerMacros?: readonly MacroDefinition[];
}

/** What a same-file macro use does, for the analysis: the use, and its summary when it could be read. */
export type MacroReading =
  | { kind: 'expanded'; use: Extract<MacroUse, { kind: 'expanded' }>; summary: MacroSummary }
  /** Not expandable, or its expansion is not code on its own: the plain reading, with a note. */
  | { kind: 'not-analysed'; use: MacroUse; reason: string };

/** A function of another file of the project, as the project index resolved a call from this file. */
export interface ProjectDefinition {
  /** The defining file's context (its own tree, the same configuration). */
  ctx: FileContext;
  /** Its root-relative path. */
  file: string;
  /** The function's name there (a header macro may have forwarded the call to it). */
  name: string;
  fn: SyntaxNode;
}

/** What the project index knows about a callee this file does not define (RULES section 8). */
export interface ResolvedCallee {
  /** Every definition that may run (several when the name clashes across files). */
  definitions: ProjectDefinition[];
  /** A declaration in a header says it never returns (`noreturn`, directly or through a macro). */
  declaredNoReturn: boolean;
  /** Go: the `//go:linkname` target this name aliases (`syscall.runtime_AfterForkInChild`). */
  alias?: string;
}

/** The project index as one analysed file sees it; absent when the index is off. */
export interface ProjectLink {
  /** The root-relative path of the analysed file. */
  readonly file: string;
  /** The callee `name` as this file sees it, or undefined when the project does not define it. */
  resolve(name: string): ResolvedCallee | undefined;
}

export class FileContext {
  /** The project index, for callees defined in other files (set by analyze and by the index). */
  project?: ProjectLink;
  private functionsCache?: Map<string, SyntaxNode>;
  private lineIndexCache?: LineIndex;
  private declaredNoReturnCache?: Set<string>;
  /** Scratch space for the effect summaries (calls.ts), keyed by function name. */
  readonly memo = new Map<string, unknown>();

  constructor(
    readonly text: string,
    readonly root: SyntaxNode,
    readonly adapter: LanguageAdapter,
    readonly config: VforklintConfig,
    /** Set when `text` is a copy with preprocessor directives blanked out: the text as written. */
    readonly originalText?: string,
    private readonly macroSource: MacroSource = {},
  ) {}

  /** What the analysis of the current function read beyond the function itself (function-cache.ts). */
  readonly reads = new ReadLog();

  private macroTableCache?: MacroTable | null;

  /** The macros in effect in this C file (its `#define`s and those handed in); undefined for Go. */
  get macros(): MacroTable | undefined {
    if (this.macroTableCache === undefined) {
      if (this.adapter.language !== 'c') this.macroTableCache = null;
      else this.macroTableCache = this.macroSource.original ? this.macroSource.original.macros ?? null : new MacroTable(this.root, this.macroSource.headerMacros ?? []);
    }
    return this.macroTableCache ?? undefined;
  }

  private definedNamesCache?: Set<string>;

  /**
   * Could `name` be a macro here? False when no `#define` of the text names it and none was
   * handed in: then no table is built (most calls in most files).
   */
  mayBeMacro(name: string): boolean {
    if (this.adapter.language !== 'c') return false;
    if (this.macroSource.original) return this.macroSource.original.mayBeMacro(name);
    if (this.hasHeaderMacros) return this.macros?.has(name) ?? false;
    return this.definedNames.has(name);
  }

  /** Does the file define any macro (or were some handed in)? */
  get hasMacros(): boolean {
    if (this.adapter.language !== 'c') return false;
    if (this.macroSource.original) return this.macroSource.original.hasMacros;
    return this.hasHeaderMacros || this.definedNames.size > 0;
  }

  /** The names the text's `#define` lines define (a superset of the table's names, found without parsing). */
  private get definedNames(): Set<string> {
    if (!this.definedNamesCache) {
      const out = new Set<string>();
      const text = this.text;
      if (text.includes('define')) for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)/gm)) out.add(m[1]);
      this.definedNamesCache = out;
    }
    return this.definedNamesCache;
  }

  /** Were definitions from other files handed in? */
  get hasHeaderMacros(): boolean {
    return (this.macroSource.headerMacros?.length ?? 0) > 0;
  }

  /** The source to hand a copy of this file (a masked variant): the same table. */
  get macroSourceForCopies(): MacroSource {
    return { original: this };
  }

  private summaryOptionsCache?: SummaryOptions;

  /**
   * How expansions are summarised here: which names never return and which are forks.
   * Set by the call classifier (it knows the lists); one object per file, so summaries are remembered.
   */
  macroSummaryOptions(make: () => SummaryOptions): SummaryOptions {
    this.summaryOptionsCache ??= make();
    return this.summaryOptionsCache;
  }

  /**
   * The same-file macro a call (`DIE("x")`) or an identifier (`DEBUG_EXIT`) uses, read as its
   * expansion; undefined when the node is no macro use. `options` as from `macroSummaryOptions`.
   */
  macroReading(node: SyntaxNode, options: SummaryOptions): MacroReading | undefined {
    if (this.adapter.language !== 'c') return undefined;
    const name = node.type === 'identifier' ? node.text : node.type === 'call_expression' ? node.childForFieldName('function')?.text : undefined;
    if (!name) return undefined;
    this.reads.record('macro', name);
    if (!this.mayBeMacro(name)) return undefined;
    const table = this.macros;
    if (!table?.has(name)) return undefined;
    return this.remember(`macro:${node.startIndex}:${node.endIndex}:${node.type}`, () => {
      const use = node.text.length > 100_000 ? undefined : readMacroUse(table, node.text, node.startIndex);
      if (!use) return undefined;
      if (use.kind === 'not-expandable') {
        for (const d of use.definitions) this.reads.record('macro', d.name);
        return { kind: 'not-analysed', use, reason: use.reason } satisfies MacroReading;
      }
      for (const d of use.code.expansion.used) this.reads.record('macro', d.name);
      for (const n of use.code.expansion.notExpanded) this.reads.record('macro', n.name);
      const summary = summarize(use.code, options);
      if (!summary.complete) return { kind: 'not-analysed', use, reason: `its expansion is not code on its own` } satisfies MacroReading;
      return { kind: 'expanded', use, summary } satisfies MacroReading;
    });
  }

  /** Was this tree parsed from a preprocessor-masked copy of the file? */
  get masked(): boolean {
    return this.originalText !== undefined;
  }

  get strict(): boolean {
    return this.config.strict === true;
  }

  /** Every top-level function by name. Walks the whole file: prefer `functionNamed`. */
  get functions(): Map<string, SyntaxNode> {
    this.functionsCache ??= this.adapter.topLevelFunctions(this.root);
    return this.functionsCache;
  }

  private readonly byName = new Map<string, SyntaxNode | null>();

  /**
   * The function defined in this file under `name`, found from the places its name is
   * written (a text search), so a large file is never walked to answer it.
   */
  functionNamed(name: string): SyntaxNode | undefined {
    this.reads.record('function', name);
    return this.findFunction(name);
  }

  /** `functionNamed` without counting it as read (the cache checks its reads with this). */
  findFunction(name: string): SyntaxNode | undefined {
    if (this.functionsCache) return this.functionsCache.get(name);
    const known = this.byName.get(name);
    if (known !== undefined) return known ?? undefined;
    let found: SyntaxNode | undefined;
    // (A name of thousands of characters is no function of this file, and would not fit a RegExp.)
    if (/^[A-Za-z_]\w*$/.test(name) && name.length <= 1000) {
      for (const at of this.placesNamed(name)) {
        found = this.definitionNamedAt(name, at);
        if (found) break;
      }
    }
    this.byName.set(name, found ?? null);
    return found;
  }

  /**
   * Where `name` is written followed by `(` or `[` (where a definition names its function),
   * in text order. The first few names are searched for one by one; after that, one pass
   * over the text records every such place for every name.
   */
  private placesNamed(name: string): Iterable<number> {
    if (this.byName.size < 8) return [...this.text.matchAll(new RegExp(`\\b${name}\\s*[(\\[]`, 'g'))].map((m) => m.index!);
    if (!this.callLikePlaces) {
      this.callLikePlaces = new Map();
      for (const m of this.text.matchAll(/\b([A-Za-z_]\w*)\s*[(\[]/g)) {
        const list = this.callLikePlaces.get(m[1]!);
        if (list) list.push(m.index!);
        else this.callLikePlaces.set(m[1]!, [m.index!]);
      }
    }
    return this.callLikePlaces.get(name) ?? [];
  }

  private callLikePlaces?: Map<string, number[]>;
  private topLevelCache?: TopLevel;

  /**
   * The function `name` written at `at` names, if it is its definition's name: the innermost
   * function around it (Go closures aside) has its body after `at` and this name, and is
   * not inside another function.
   */
  private definitionNamedAt(name: string, at: number): SyntaxNode | undefined {
    const a = this.adapter;
    // Most places are inside a top-level function or a declaration: the top-level node
    // around `at` decides without walking up from the name.
    const isNamed = (fn: SyntaxNode) => {
      const body = a.functionBody(fn);
      return !!body && at < body.startIndex && a.functionName(fn) === name;
    };
    const top = (this.topLevelCache ??= topLevelOf(this.root)).around(at);
    if (top && !top.node.hasError) {
      if (a.functionTypes.has(top.type) && top.type !== 'func_literal') return isNamed(top.node) ? top.node : undefined;
      if (!MAY_HOLD_FUNCTIONS.has(top.type)) return undefined;
    }
    for (const n of enclosingNodes(this.root, at, name.length, 12)) {
      if (a.functionTypes.has(n.type) && n.type !== 'func_literal') return isNamed(n) && !a.functionTypes.has(n.parent?.type ?? '') ? n : undefined;
    }
    return undefined;
  }

  private viewAdapterCache?: LanguageAdapter;

  /**
   * The adapter with `statement` and `expression` views remembered per node: the flow pass
   * runs once per fork site over the same function and asks for the same views each time.
   */
  get viewAdapter(): LanguageAdapter {
    if (!this.viewAdapterCache) {
      const base = this.adapter;
      const statements = new Map<number, StatementView>();
      const expressions = new Map<number, ExpressionView>();
      this.viewAdapterCache = Object.assign(Object.create(base) as LanguageAdapter, {
        statement(node: SyntaxNode): StatementView {
          let v = statements.get(node.id);
          if (!v) statements.set(node.id, (v = base.statement(node)));
          return v;
        },
        expression(node: SyntaxNode): ExpressionView {
          let v = expressions.get(node.id);
          if (!v) expressions.set(node.id, (v = base.expression(node)));
          return v;
        },
      });
    }
    return this.viewAdapterCache;
  }

  /** `compute()`, remembered in `memo` under `key` for the rest of this file's analysis. */
  remember<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) {
      const reads = this.memoReads.get(key);
      if (reads) this.reads.replay(reads);
      return this.memo.get(key) as T;
    }
    const { value, reads } = this.reads.within(compute);
    this.memo.set(key, value);
    if (reads.size) this.memoReads.set(key, reads);
    return value;
  }

  /** What each remembered result read while it was computed (replayed when it is reused). */
  private readonly memoReads = new Map<string, ReadonlySet<string>>();

  /**
   * `remember` for a summary that may need itself (a recursive callee): while it is being
   * computed, asking again gives `inProgress`.
   */
  rememberRecursive<T>(key: string, inProgress: T, compute: () => T): T {
    if (this.memo.has(key)) {
      const reads = this.memoReads.get(key);
      if (reads) this.reads.replay(reads);
      return this.memo.get(key) as T;
    }
    this.memo.set(key, inProgress);
    try {
      const { value, reads } = this.reads.within(compute);
      this.memo.set(key, value);
      if (reads.size) this.memoReads.set(key, reads);
      return value;
    } catch (e) {
      this.memo.delete(key);
      throw e;
    }
  }

  /** The adapter's `calleeText`, remembered per call (each fork site of a function asks about the same calls). */
  calleeText(call: SyntaxNode): string | undefined {
    return this.remember(`callee:${call.id}`, () => this.adapter.calleeText(call));
  }

  get lines(): LineIndex {
    this.lineIndexCache ??= new LineIndex(this.text);
    return this.lineIndexCache;
  }

  /** Is `name` declared `noreturn` somewhere in this file? (Counted as read.) */
  isDeclaredNoReturn(name: string): boolean {
    this.reads.record('noreturn', name);
    return this.declaredNoReturn.has(name);
  }

  private noinlineCache?: Set<string>;

  /** Is `name` declared `noinline` somewhere in this file (a prototype may carry the attribute)? (Counted as read.) */
  isDeclaredNoinline(name: string): boolean {
    this.reads.record('noinline', name);
    if (!this.noinlineCache) {
      const out = new Set<string>();
      const text = this.text;
      // Each declaration is a `;`- or `{`-terminated chunk; look only at chunks that mention noinline.
      for (const m of text.matchAll(/noinline|NOINLINE|NO_INLINE/g)) {
        const start = Math.max(text.lastIndexOf(';', m.index!), text.lastIndexOf('}', m.index!), 0);
        const endSemi = text.indexOf(';', m.index!);
        const endBrace = text.indexOf('{', m.index!);
        const end = Math.min(endSemi < 0 ? text.length : endSemi, endBrace < 0 ? text.length : endBrace, m.index! + 2000);
        for (const d of text.slice(start, end).matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) out.add(d[1]);
      }
      this.noinlineCache = out;
    }
    return this.noinlineCache.has(name);
  }

  /** Functions declared `noreturn` / `_Noreturn` / `__attribute__((noreturn))` anywhere in this file. */
  get declaredNoReturn(): Set<string> {
    if (!this.declaredNoReturnCache) {
      const out = new Set<string>();
      // Every pattern below needs one of these words: a file without them is not scanned.
      if (this.adapter.language === 'c' && /noreturn|Noreturn|NORETURN|noretturn|__dead2/.test(this.text)) {
        const re = /(?:_Noreturn|\bnoreturn\b|__noreturn__|\bNORETURN\b|attribute_noreturn|__dead2|\bnorett?urn)[^;{]*?\b([A-Za-z_]\w*)\s*\(/g;
        for (const m of this.text.matchAll(re)) out.add(m[1]);
        const after = /\b([A-Za-z_]\w*)\s*\([^;{)]*\)\s*(?:__attribute__\s*\(\(\s*(?:__)?noreturn(?:__)?\s*\)\)|__dead2|NORETURN)/g;
        for (const m of this.text.matchAll(after)) out.add(m[1]);
      }
      this.declaredNoReturnCache = out;
    }
    return this.declaredNoReturnCache;
  }

  /** The comment lines directly above a node (Go directives such as `//go:norace`). */
  leadingComments(node: SyntaxNode): string[] {
    // Read from the text, not the tree: in a broken file the comments need not be the
    // function's siblings, and a fix that added a directive must see it next time.
    const out: string[] = [];
    const lines = this.lines;
    for (let line = node.startPosition.row; line >= 1; line--) {
      // Line `line` (1-based) lies above the node's row (0-based): it always has a successor.
      const text = this.text.slice(lines.lineStart(line), lines.lineStart(line + 1) - 1).trim();
      if (!text.startsWith('//')) break;
      out.push(text);
    }
    return out;
  }
}

/** The nodes holding the `length` characters at `offset`, innermost first, at most `limit` of them. */
function enclosingNodes(root: SyntaxNode, offset: number, length: number, limit: number): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n: SyntaxNode | null = root.descendantForIndex(offset, offset + length); n && out.length < limit; n = n.parent) {
    if (n.startIndex <= offset && offset < n.endIndex) out.push(n);
  }
  return out;
}

/** Top-level node types a function definition can stand in (C preprocessor blocks, `extern "C" {}`, error recovery). */
const MAY_HOLD_FUNCTIONS = new Set(['ERROR', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'declaration_list']);

interface TopLevel {
  /** The top-level node holding `offset` (start <= offset < end). */
  around(offset: number): { type: string; node: SyntaxNode } | undefined;
}

/** The root's child around an offset (ChildIndex), with its type. */
function topLevelOf(root: SyntaxNode): TopLevel {
  const children = new ChildIndex(root);
  return {
    around(offset) {
      const node = children.around(offset);
      return node ? { type: node.type, node } : undefined;
    },
  };
}
