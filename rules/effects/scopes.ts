/**
 * Which variable a name means where it is written: locals are scoped by block (a loop's
 * `int fd` does not hide the global `fd` outside the loop), then parameters, Go named
 * results, and otherwise a global (or anything else outside the frame).
 */
import type { LocalDeclaration } from '../language/adapter.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';

/** What a name refers to. `key` tells variables apart (two locals named `fd` have two keys). */
export type Binding =
  | { kind: 'local'; key: string; name: string; decl: LocalDeclaration }
  | { kind: 'param'; key: string; name: string; pointerLike: boolean; scalar: boolean; index: number }
  | { kind: 'result'; key: string; name: string }
  | { kind: 'global'; key: string; name: string };

interface ScopedLocal {
  decl: LocalDeclaration;
  /** Where the name starts to mean this local. */
  from: number;
  /** The block (or header statement) the declaration belongs to: its extent. */
  containerStart: number;
  containerEnd: number;
}

/** Nodes that open a scope: blocks, and statements whose header may declare (C `for`, Go `if`/`for`/`switch` and case clauses). */
const SCOPE_NODES = new Set([
  'compound_statement', 'for_statement', 'function_definition',
  'block', 'if_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement',
  'expression_case', 'default_case', 'type_case', 'communication_case', 'function_declaration', 'method_declaration', 'func_literal',
]);

function containerOf(node: SyntaxNode): SyntaxNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (SCOPE_NODES.has(n.type)) return n;
  return undefined;
}

export class FunctionNames {
  private readonly byName = new Map<string, ScopedLocal[]>();
  readonly params = new Map<string, { pointerLike: boolean; scalar: boolean; index: number }>();
  readonly results: Set<string>;

  constructor(ctx: FileContext, readonly fn: SyntaxNode) {
    ctx.adapter.parameters(fn).forEach((p, index) => this.params.set(p.name, { pointerLike: p.pointerLike, scalar: !!p.scalar, index }));
    this.results = new Set(ctx.adapter.namedResults(fn));
    const body = ctx.adapter.functionBody(fn);
    for (const decl of body ? ctx.adapter.localDeclarations(body) : []) {
      const container = containerOf(decl.node) ?? body!;
      // C: the name is in scope from its declarator; Go: after the declaring statement (`x := x` reads the outer x).
      const from = ctx.adapter.language === 'go' ? decl.node.endIndex : decl.node.startIndex;
      const list = this.byName.get(decl.name) ?? [];
      list.push({ decl, from, containerStart: container.startIndex, containerEnd: container.endIndex });
      this.byName.set(decl.name, list);
    }
  }

  /** The local declaration `name` means at text offset `at`, if any: the innermost block's, the earliest in it (Go's `:=` reuses). */
  localAt(name: string, at: number): LocalDeclaration | undefined {
    let best: ScopedLocal | undefined;
    for (const l of this.byName.get(name) ?? []) {
      if (at < l.containerStart || at > l.containerEnd) continue;
      if (at < l.from && !declaresAt(l.decl.node, at)) continue;
      if (!best || l.containerStart > best.containerStart || (l.containerStart === best.containerStart && l.from < best.from)) best = l;
    }
    return best?.decl;
  }

  /** Every local declared under `name` anywhere in the function. */
  localsNamed(name: string): LocalDeclaration[] {
    return (this.byName.get(name) ?? []).map((l) => l.decl);
  }

  /** What the identifier `node` (an occurrence of `name`) refers to. */
  resolve(name: string, node: SyntaxNode): Binding {
    const local = this.localAt(name, node.startIndex);
    if (local) return { kind: 'local', key: `local:${local.node.id}:${name}`, name, decl: local };
    const param = this.params.get(name);
    if (param) return { kind: 'param', key: `param:${name}`, name, ...param };
    if (this.results.has(name)) return { kind: 'result', key: `result:${name}`, name };
    return { kind: 'global', key: `global:${name}`, name };
  }
}

/** Go: the declared names of `x, err := f()` / `var x = y` / `for i, v := range r`, before the value. */
function declaresAt(decl: SyntaxNode, at: number): boolean {
  const value = decl.childForFieldName('value') ?? decl.childForFieldName('right');
  return at >= decl.startIndex && at < (value?.startIndex ?? decl.endIndex);
}

export function functionNames(ctx: FileContext, fn: SyntaxNode): FunctionNames {
  return ctx.remember(`names-scoped:${fn.id}`, () => new FunctionNames(ctx, fn));
}
