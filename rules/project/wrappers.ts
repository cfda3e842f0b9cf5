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
import { callSpelling, spellingNames } from '../fork-spellings.js';
import type { SyntaxNode } from '../parser.js';
import { SiteAnalysis } from '../site-analysis.js';
import { escapeRegExp } from '../syntax.js';
import { QUALIFIERS } from '../macros/view.js';
import { forkSitesAt, functionsWithSpellings } from '../spelling-functions.js';
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
  /** The context whose tree holds `fn`: the file's, or a preprocessor-masked copy's (a function `#if`s break). */
  ctx: FileContext;
}

/**
 * The named functions of one file that hold a fork spelling, found as the analysis finds them
 * (spelling-functions.ts): no flow yet. Masked copies it parses are released through `cleanup`.
 */
export function forkFunctionsIn(ctx: FileContext, cleanup: Array<() => void>): ForkFunction[] {
  const out: ForkFunction[] = [];
  for (const [fctx, fn, offsets] of functionsWithSpellings(ctx, ctx.config, cleanup)) {
    if (fn.type === 'func_literal') continue;
    const name = fctx.adapter.functionName(fn);
    if (name) out.push({ name, fn, offsets, ctx: fctx });
  }
  return out;
}

/**
 * A program's entry point has no caller in the program: C's `main` (returning from it runs
 * `exit` in the C library's start-up frame: a `child-returns` in its own file, not a fork
 * site for anyone) and Go's `init` and package main's `main`, which no Go code can call.
 */
function isEntryPoint(ctx: FileContext, name: string): boolean {
  if (ctx.adapter.language === 'c') return name === 'main';
  return name === 'init' || (name === 'main' && /^package[ \t]+main\b/m.test(ctx.text));
}

/**
 * Does the function hand its caller no value (C `void`, not `void *`; Go: no results)? Such a
 * function cannot return the fork result (RULES section 8: a wrapper "returns the fork
 * result"), so its callers cannot tell child from parent: a child that returns from it is
 * reported once, at its own return, and its calls are no fork sites (tcsh's `execute`).
 */
function returnsNoValue(ctx: FileContext, fn: SyntaxNode, name: string): boolean {
  if (ctx.adapter.language === 'go') return !fn.childForFieldName('result');
  // Read from the text, not the tree: a macro between type and name (`void FAST_FUNC f(void)`)
  // breaks the parse of the declaration's head. From the start of its line to the name.
  const body = ctx.adapter.functionBody(fn);
  const lineStart = ctx.text.lastIndexOf('\n', fn.startIndex - 1) + 1;
  const head = ctx.text.slice(lineStart, body ? body.startIndex : fn.endIndex);
  const at = head.search(new RegExp(`\\b${escapeRegExp(name)}\\s*\\(`));
  if (at < 0) return false;
  const words: string[] = head.slice(0, at).replace(/__attribute__\s*\(\(.*?\)\)/gs, ' ').match(/\*|[A-Za-z_]\w*/g) ?? [];
  return words.includes('void') && words.every((w) => w === 'void' || QUALIFIERS.has(w) || /^[A-Z_][A-Z0-9_]*$/.test(w));
}

/** The wrapper a function is, when its child may return to its caller (directly or when its exec fails). */
export function wrapperOf(file: string, f: ForkFunction, log?: WrapperSearchLog): ForkWrapper | undefined {
  const ctx = f.ctx;
  if (isEntryPoint(ctx, f.name) || returnsNoValue(ctx, f.fn, f.name)) return undefined;
  const sites = forkSitesAt(ctx, f.fn, f.offsets).filter((s) => s.kind === 'vfork' || s.kind === 'raw');
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
