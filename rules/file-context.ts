/** Per-file facts shared by every function's analysis: the tree, same-file functions, configuration. */
import type { ExpressionView, LanguageAdapter, StatementView } from './language/adapter.js';
import type { SyntaxNode } from './parser.js';
import { LineIndex, PathLocator } from './syntax.js';
import type { VforklintConfig } from './types.js';

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
  ) {}

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
    if (this.functionsCache) return this.functionsCache.get(name);
    const known = this.byName.get(name);
    if (known !== undefined) return known ?? undefined;
    let found: SyntaxNode | undefined;
    // (A name of thousands of characters is no function of this file, and would not fit a RegExp.)
    if (/^[A-Za-z_]\w*$/.test(name) && name.length <= 1000) {
      const re = new RegExp(`\\b${name}\\s*[(\\[]`, 'g');
      // Matches come in text order: one forward cursor walk finds what encloses each.
      using locator = new PathLocator(this.root);
      for (const m of this.text.matchAll(re)) {
        for (const n of locator.enclosing(m.index!, 12)) {
          if (this.adapter.functionTypes.has(n.type) && n.type !== 'func_literal') {
            const body = this.adapter.functionBody(n);
            if (body && m.index! < body.startIndex && this.adapter.functionName(n) === name && !this.adapter.functionTypes.has(n.parent?.type ?? '')) found = n;
            break;
          }
        }
        if (found) break;
      }
    }
    this.byName.set(name, found ?? null);
    return found;
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
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute();
    this.memo.set(key, value);
    return value;
  }

  /** The adapter's `calleeText`, remembered per call (each fork site of a function asks about the same calls). */
  calleeText(call: SyntaxNode): string | undefined {
    return this.remember(`callee:${call.id}`, () => this.adapter.calleeText(call));
  }

  get lines(): LineIndex {
    this.lineIndexCache ??= new LineIndex(this.text);
    return this.lineIndexCache;
  }

  /** Functions declared `noreturn` / `_Noreturn` / `__attribute__((noreturn))` anywhere in this file. */
  get declaredNoReturn(): Set<string> {
    if (!this.declaredNoReturnCache) {
      const out = new Set<string>();
      if (this.adapter.language === 'c') {
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
