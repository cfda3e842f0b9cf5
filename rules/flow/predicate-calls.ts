/**
 * C: a test of the fork result through a small function of the file that only computes a
 * value from its parameters (`static inline int is_child(pid_t p) { return p == 0; }`):
 * `is_child(pid)` is read as its `return` expression with the arguments in place, as a
 * function-like macro's expansion is (`IS_CHILD(pid)`), so it splits the paths as
 * `pid == 0` does. Only a body that is one `return` of an expression with no call, no
 * assignment and no increment counts: anything else keeps the call's plain reading.
 */
import type { FileContext } from '../file-context.js';
import { MacroTable, readMacroUse, type MacroDefinition } from '../macros.js';
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendants, field, rangeOfNode } from '../syntax.js';

const IMPURE = new Set(['call_expression', 'assignment_expression', 'update_expression', 'comma_expression', 'statement_expression']);

/** The function `name` of the file as a macro of its parameters, when it is such a predicate. */
function predicateMacro(ctx: FileContext, name: string): MacroTable | undefined {
  return ctx.remember(`predicate:${name}`, () => {
    const fn = ctx.functionNamed(name);
    const body = fn && ctx.adapter.functionBody(fn);
    const statements = body ? codeChildren(body) : [];
    if (!fn || statements.length !== 1 || statements[0].type !== 'return_statement') return undefined;
    const value = statements[0].namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!value || value.text.length > 500 || descendants(value, IMPURE).length > 0) return undefined;
    const params = ctx.adapter.parameters(fn).map((p) => p.name);
    if (params.some((p) => !p)) return undefined;
    const def: MacroDefinition = { name, params, body: `(${value.text})`, location: { range: rangeOfNode(fn) } };
    return new MacroTable(undefined, [def]);
  });
}

/** What a call of such a predicate computes, read as code, or undefined. */
export function predicateValue(ctx: FileContext, call: SyntaxNode): SyntaxNode | undefined {
  if (ctx.adapter.language !== 'c' || field(call, 'function')?.type !== 'identifier') return undefined;
  const table = predicateMacro(ctx, field(call, 'function')!.text);
  if (!table || call.text.length > 2000) return undefined;
  const use = readMacroUse(table, call.text, call.startIndex);
  const parsed = use?.kind === 'expanded' ? use.code.parsed : undefined;
  return parsed?.form === 'expression' ? parsed.value : undefined;
}
