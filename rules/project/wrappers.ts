/**
 * Fork wrappers (RULES section 8): a function through which the child returns to its caller
 * (it returns the fork result, like `pid_t my_vfork(void) { return vfork(); }` or make's
 * `start_remote_job`), and a header macro around a fork (busybox's `xvfork()`). Their calls
 * are fork sites for the callers, as if named in `forkFunctions`. A function whose child
 * never returns is no wrapper.
 */
import { lex } from '../comments.js';
import { CHILD_SIDE, FAILED_EXEC } from '../flow/path-state.js';
import type { FileContext } from '../file-context.js';
import { findForkSitesAt } from '../fork-sites.js';
import { callSpelling, spellingNames, spellingPattern } from '../fork-spellings.js';
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

/**
 * Fork sites checked per function, as analyze() analyses at most MAX_SITES_PER_FUNCTION:
 * each site's flow covers the whole function, so thousands of sites (a comment the parser
 * read as code) would cost sites x size.
 */
export const MAX_WRAPPER_SITES_PER_FUNCTION = 16;

/** What the wrapper search did: fork sites analysed, and functions whose sites were not all checked. */
export interface WrapperSearchLog {
  sitesAnalysed: number;
  capped: string[];
}

/** A function of one file with fork spellings in it: a possible wrapper, not yet checked. */
export interface ForkFunction {
  name: string;
  fn: SyntaxNode;
  /** Offsets of the fork spellings inside it. */
  offsets: number[];
}

/** The named functions of one file that hold a fork spelling (a text search and one cursor walk: no flow). */
export function forkFunctionsIn(ctx: FileContext): ForkFunction[] {
  const byFunction = new Map<number, ForkFunction>();
  const re = spellingPattern(ctx.config);
  using locator = new PathLocator(ctx.root);
  for (const m of ctx.text.matchAll(re)) {
    const fn = locator.enclosing(m.index!).find((n) => ctx.adapter.functionTypes.has(n.type));
    if (!fn || fn.type === 'func_literal') continue;
    const known = byFunction.get(fn.id);
    if (known) known.offsets.push(m.index!);
    else {
      const name = ctx.adapter.functionName(fn);
      if (name) byFunction.set(fn.id, { name, fn, offsets: [m.index!] });
    }
  }
  return [...byFunction.values()];
}

/** The wrapper a function is, when its child may return to its caller (directly or when its exec fails). */
export function wrapperOf(ctx: FileContext, file: string, f: ForkFunction, log?: WrapperSearchLog): ForkWrapper | undefined {
  const sites = findForkSitesAt(f.fn, f.offsets, ctx.adapter, ctx.config).filter((s) => s.kind === 'vfork' || s.kind === 'raw');
  if (sites.length > MAX_WRAPPER_SITES_PER_FUNCTION) log?.capped.push(`\`${f.name}\` in ${file} holds ${sites.length} fork sites; only the first ${MAX_WRAPPER_SITES_PER_FUNCTION} were checked for a child that returns to its caller`);
  for (const site of sites.slice(0, MAX_WRAPPER_SITES_PER_FUNCTION)) {
    if (log) log.sitesAnalysed++;
    const sa = new SiteAnalysis(ctx, site);
    const child = CHILD_SIDE | FAILED_EXEC;
    const returns = [...sa.flow.statements.values()].some((s) => s.role === 'return' && s.mask & child) || (sa.flow.endMask & child) !== 0;
    if (returns) return { name: f.name, file, raw: site.kind === 'raw', isStatic: isStaticDefinition(f.fn), macro: false };
  }
  return undefined;
}

/** The functions of one file whose child may return to their caller. */
export function wrappersIn(ctx: FileContext, file: string, log?: WrapperSearchLog): ForkWrapper[] {
  const out: ForkWrapper[] = [];
  for (const f of forkFunctionsIn(ctx)) {
    const w = wrapperOf(ctx, file, f, log);
    if (w) out.push(w);
  }
  return out;
}

/** Header macros whose body calls a vfork-style spelling (`#define xvfork() ({ pid_t p = vfork(); ... p; })`). */
/** A macro body with its literals and comments blanked (offsets kept). */
function codeOnly(body: string): string {
  const { comments, literals } = lex(body, 'c');
  let out = body;
  for (const span of [...comments, ...literals]) out = out.slice(0, span.start) + ' '.repeat(span.end - span.start) + out.slice(span.end);
  return out;
}

/** The functions whose call in a macro's body makes the macro a fork wrapper. */
const WRAPPED_CALLS = spellingNames('c', ['vfork', 'raw-vfork']);

export function macroWrappers(macros: ReadonlyMap<string, readonly MacroDef[]>): ForkWrapper[] {
  const out: ForkWrapper[] = [];
  for (const [name, defs] of macros) {
    for (const d of defs) {
      // Most bodies do not hold such a name at all: not lexed.
      if (!WRAPPED_CALLS.some((call) => d.body.includes(call))) continue;
      // A spelling inside a string or comment of the body (tcsh's `HELP_STRING` text naming `vfork()`) is no call.
      const roles = [...codeOnly(d.body).matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => callSpelling('c', m[1])?.role);
      const raw = roles.includes('raw-vfork');
      if (roles.includes('vfork') || raw) {
        out.push({ name, file: d.file, raw, isStatic: false, macro: true });
        break;
      }
    }
  }
  return out;
}
