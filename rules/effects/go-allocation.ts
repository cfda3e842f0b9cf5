/**
 * Go: what allocates (RULES section 8, "whether it allocates (Go)"). An expression that
 * allocates by itself (`make`, `append`, a closure, `defer` ...), and whether a function the
 * child calls allocates, directly or through the functions it calls, in this file or (with
 * the project index) in another file of the package: its summary is the first allocation
 * found, with the chain of calls that leads there.
 */
import type { FileContext } from '../file-context.js';
import type { LanguageAdapter } from '../language/adapter.js';
import type { SyntaxNode } from '../parser.js';
import { descendantsWithin, field, operatorOf } from '../syntax.js';
import { GO } from './call-lists.js';
import { goLookupName } from './go-callee.js';
import { nestedSummary, summaryRoom } from './nesting.js';

/** The node types that may allocate by themselves (`allocationIn` says which do). */
export const ALLOCATING_NODES: ReadonlySet<string> = new Set(['call_expression', 'func_literal', 'defer_statement', 'go_statement', 'unary_expression', 'binary_expression']);

/** What `n` allocates by itself, in words, or undefined. */
export function allocationIn(n: SyntaxNode, a: LanguageAdapter): string | undefined {
  switch (n.type) {
    case 'call_expression': {
      const callee = a.calleeText(n);
      if (callee === 'make' || callee === 'new' || callee === 'append') return `\`${callee}\` allocates`;
      if (callee === 'panic') return '`panic` allocates and unwinds';
      const f = field(n, 'function');
      if (callee === 'string' || (f?.type === 'slice_type' && /byte|rune/.test(f.text))) return `the conversion \`${(f?.text ?? '')}(...)\` allocates`;
      return undefined;
    }
    case 'func_literal':
      return 'a closure may allocate its captured variables on the heap';
    case 'defer_statement':
      return '`defer` allocates a defer record';
    case 'go_statement':
      return '`go` starts a goroutine, which allocates';
    case 'unary_expression':
      if (operatorOf(n) === '&' && field(n, 'operand')?.type === 'composite_literal') return 'taking the address of a composite literal allocates';
      return undefined;
    case 'binary_expression': {
      if (operatorOf(n) !== '+') return undefined;
      const isStr = (x?: SyntaxNode) => !!x && (x.type === 'interpreted_string_literal' || x.type === 'raw_string_literal');
      if (isStr(field(n, 'left')) || isStr(field(n, 'right'))) return 'string concatenation allocates';
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A function that allocates: the calls from it to the allocation (`chain[0]` is the function called), and what allocates. */
export interface CalleeAllocation {
  chain: string[];
  what: string;
}

/**
 * Does calling `callee` (as written at a call in `ctx`) allocate? Functions of this file and,
 * through the project index, of the package's other files are followed; built-ins, raw
 * syscalls and names with no body found are not (the call rules judge those).
 */
export function calleeAllocation(ctx: FileContext, callee: string): CalleeAllocation | undefined {
  if (ctx.adapter.language !== 'go' || GO.has(callee)) return undefined;
  if (ctx.functionNamed(callee)) return functionAllocation(ctx, callee);
  const r = ctx.project?.resolve(callee);
  if (!r || r.alias !== undefined) return undefined;
  for (const d of r.definitions) {
    const found = functionAllocation(d.ctx, d.name);
    if (found) return d.name === callee ? found : { ...found, chain: [callee, ...found.chain] };
  }
  return undefined;
}

/** The first allocation in `name`'s body (defined in `ctx`) or in a function it calls. */
export function functionAllocation(ctx: FileContext, name: string): CalleeAllocation | undefined {
  const key = `allocates:${name}`;
  if (!ctx.memo.has(key) && !summaryRoom()) return undefined;
  return ctx.rememberRecursive<CalleeAllocation | undefined>(key, undefined, () => nestedSummary(() => {
    const fn = ctx.functionNamed(name);
    const body = fn && ctx.adapter.functionBody(fn);
    if (!fn || !body) return undefined;
    const calls: SyntaxNode[] = [];
    for (const n of descendantsWithin(fn, body, ALLOCATING_NODES)) {
      const what = allocationIn(n, ctx.adapter);
      if (what) return { chain: [name], what };
      if (n.type === 'call_expression') calls.push(n);
    }
    for (const call of calls) {
      const callee = goLookupName(ctx, call);
      const found = callee !== undefined && callee !== name ? calleeAllocation(ctx, callee) : undefined;
      if (found) return { chain: [name, ...found.chain], what: found.what };
    }
    return undefined;
  }, () => undefined));
}

/** The first node in `name`'s body (defined in `ctx`) that allocates by itself, for a step. */
export function allocationNode(ctx: FileContext, name: string): SyntaxNode | undefined {
  const fn = ctx.functionNamed(name);
  const body = fn && ctx.adapter.functionBody(fn);
  if (!fn || !body) return undefined;
  return descendantsWithin(fn, body, ALLOCATING_NODES).find((n) => allocationIn(n, ctx.adapter) !== undefined);
}
