/**
 * Fork wrappers (RULES section 8): a function through which the child returns to its caller
 * (it returns the fork result, like `pid_t my_vfork(void) { return vfork(); }` or make's
 * `start_remote_job`), and a header macro around a fork (busybox's `xvfork()`). Their calls
 * are fork sites for the callers, as if named in `forkFunctions`. A function whose child
 * never returns is no wrapper.
 */
import { CHILD_SIDE, FAILED_EXEC } from '../flow/path-state.js';
import type { FileContext } from '../file-context.js';
import { findForkSitesAt } from '../fork-sites.js';
import { callSpelling, spellingPattern } from '../fork-spellings.js';
import type { SyntaxNode } from '../parser.js';
import { SiteAnalysis } from '../site-analysis.js';
import { PathLocator } from '../syntax.js';
import type { MacroDef } from './text-scan.js';
import { isStaticDefinition } from './resolve.js';

export interface ForkWrapper {
  name: string;
  /** The file that defines it (a header for a macro). */
  file: string;
  /** `raw`: the wrapped fork is a raw clone the compiler does not know returns twice. */
  raw: boolean;
  /** A `static` function: a wrapper only in its own file and the files that include it. */
  isStatic: boolean;
  macro: boolean;
}

/** The functions of one file whose child may return to their caller. */
export function wrappersIn(ctx: FileContext, file: string): ForkWrapper[] {
  const out: ForkWrapper[] = [];
  const byFunction = new Map<number, [SyntaxNode, number[]]>();
  const re = spellingPattern(ctx.config);
  {
    using locator = new PathLocator(ctx.root);
    for (const m of ctx.text.matchAll(re)) {
      const fn = locator.enclosing(m.index!).find((n) => ctx.adapter.functionTypes.has(n.type));
      if (!fn || fn.type === 'func_literal') continue;
      const known = byFunction.get(fn.id);
      if (known) known[1].push(m.index!);
      else byFunction.set(fn.id, [fn, [m.index!]]);
    }
  }
  for (const [fn, offsets] of byFunction.values()) {
    for (const site of findForkSitesAt(fn, offsets, ctx.adapter, ctx.config)) {
      if (site.kind !== 'vfork' && site.kind !== 'raw') continue;
      const sa = new SiteAnalysis(ctx, site);
      // The child returns, directly or when its exec fails.
      const child = CHILD_SIDE | FAILED_EXEC;
      const returns = [...sa.flow.statements.values()].some((s) => s.role === 'return' && s.mask & child) || (sa.flow.endMask & child) !== 0;
      const name = ctx.adapter.functionName(fn);
      if (returns && name) {
        out.push({ name, file, raw: site.kind === 'raw', isStatic: isStaticDefinition(fn), macro: false });
        break;
      }
    }
  }
  return out;
}

/** Header macros whose body calls a vfork-style spelling (`#define xvfork() ({ pid_t p = vfork(); ... p; })`). */
export function macroWrappers(macros: ReadonlyMap<string, readonly MacroDef[]>): ForkWrapper[] {
  const out: ForkWrapper[] = [];
  for (const [name, defs] of macros) {
    for (const d of defs) {
      const roles = [...d.body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => callSpelling('c', m[1])?.role);
      const raw = roles.includes('raw-vfork');
      if (roles.includes('vfork') || raw) {
        out.push({ name, file: d.file, raw, isStatic: false, macro: true });
        break;
      }
    }
  }
  return out;
}
