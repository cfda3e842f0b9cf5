/**
 * Go: the name a call resolves to among the package's functions. `helper(x)` is `helper`;
 * `syscall.RawSyscall(...)` names a function of an imported package and stays as written
 * (the lists judge it); `s.note(1)`, whose operand is no imported package, calls a method:
 * the package's method `note` (RULES section 8: methods included). The receiver's type is
 * not inferred: a method of that name, in this file or another file of the package, is
 * taken to be the one called.
 */
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { field, namedChildren } from '../syntax.js';

/** The names the file's imports bind (`syscall`, `unix` for golang.org/x/sys/unix, an alias). */
function importNames(ctx: FileContext): ReadonlySet<string> {
  return ctx.remember('go:import-names', () => {
    const out = new Set<string>();
    for (const decl of namedChildren(ctx.root)) {
      if (decl.type !== 'import_declaration') continue;
      const specs = decl.descendantsOfType('import_spec');
      for (const spec of specs) {
        if (!spec) continue;
        const alias = field(spec, 'name')?.text;
        const path = field(spec, 'path')?.text.replace(/^["`]|["`]$/g, '') ?? '';
        out.add(alias ?? path.slice(path.lastIndexOf('/') + 1));
      }
    }
    return out;
  });
}

/** The method a call `x.m(...)` (x no imported package) names, or undefined for any other call. */
export function goMethodName(ctx: FileContext, call: SyntaxNode): string | undefined {
  if (ctx.adapter.language !== 'go') return undefined;
  const f = field(call, 'function');
  if (f?.type !== 'selector_expression') return undefined;
  const operand = field(f, 'operand');
  const method = field(f, 'field')?.text;
  if (!operand || !method || (operand.type === 'identifier' && importNames(ctx).has(operand.text))) return undefined;
  return method;
}

/** Is `fn` a method declaration (not a plain function)? */
export function isGoMethod(fn: SyntaxNode | undefined): boolean {
  return fn?.type === 'method_declaration';
}

/** The name to look a call up by in the package: a method's name, a plain call's callee; undefined for a call through an expression. */
export function goLookupName(ctx: FileContext, call: SyntaxNode): string | undefined {
  const method = goMethodName(ctx, call);
  if (method !== undefined) return method;
  return ctx.adapter.calleeIsName(call) ? ctx.calleeText(call) : undefined;
}
