/**
 * Which definitions a call from one file may reach (RULES section 8). C: non-`static`
 * definitions in other `.c` files; a `static` one only in the files that include its file;
 * `noreturn` from the headers' declarations (macros expanded); a header's function-like macro
 * that forwards to one function stands for it. Go: the other files of the package directory
 * that build for linux/amd64, and `//go:linkname` aliases. Names on the libc and Go lists
 * keep their list entry (glibc or musl linting themselves).
 */
import type { ProjectDefinition, ResolvedCallee } from '../file-context.js';
import { GO, LIBC } from '../effects/call-lists.js';
import type { SyntaxNode } from '../parser.js';
import { namedChildren } from '../syntax.js';
import { declarationSaysNoReturn, forwardedCallee } from './header-attributes.js';
import type { ScannedFile, TextScan } from './text-scan.js';

export interface ParsedDefinitionSource {
  /** The function `name` as defined in `path`, with its file's context; undefined when it is not there (or the file is unreadable). */
  definition(path: string, name: string): ProjectDefinition | undefined;
}

/** A resolution with the files it consulted (for notes and fingerprints). */
export interface Resolution extends ResolvedCallee {
  /** Files holding a definition or declaration of the name that were consulted. */
  consulted: string[];
  /** The function a header macro forwards the call to, when the name was a macro. */
  forwardedTo?: string;
  /** Why the definitions were not followed (too many of them): the call stays unknown, and the analysis says so. */
  note?: string;
}

/**
 * Definitions of one name followed at most. A name defined in more files than this
 * (`main`, `usage`, `child` across a tree of examples) is not summarised: any of them may
 * run, so the call is left unknown (a warning, never a silent "safe"), and a note says why.
 * This bounds what one call can make the index parse.
 */
export const MAX_DEFINITIONS_PER_NAME = 16;

function tooMany(name: string, count: number): string {
  return `${count} definitions of \`${name}\` in the project (more than the ${MAX_DEFINITIONS_PER_NAME} the index follows): any of them may run, so the call was left unknown`;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A name the lists judge: the list entry wins over any definition in the project. */
export function isListed(language: 'c' | 'go', name: string): boolean {
  const facts = language === 'go' ? GO.get(name) : LIBC.get(name);
  return !!facts && facts.kind !== 'unjudged';
}

export function isStaticDefinition(fn: SyntaxNode): boolean {
  return namedChildren(fn).some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
}

/** What the headers declaring `name` say (noreturn), without parsing any definition. */
function headerFacts(scan: TextScan, paths: readonly string[], from: string, name: string): { declaredNoReturn: boolean; consulted: string[] } {
  const consulted: string[] = [];
  let declaredNoReturn = false;
  for (const path of paths) {
    const f = path === from ? undefined : scan.files.get(path);
    if (!f || f.language !== 'c' || !f.header) continue;
    consulted.push(path);
    if ((f.names.get(name) ?? []).some((d) => declarationSaysNoReturn(d, scan.macros))) declaredNoReturn = true;
  }
  return { declaredNoReturn, consulted };
}

function includes(from: ScannedFile | undefined, path: string): boolean {
  return !!from && from.includes.has(baseOf(path));
}

export function resolveCallee(scan: TextScan, source: ParsedDefinitionSource, from: string, name: string, hops = 0): Resolution | undefined {
  const language = from.endsWith('.go') ? 'go' : 'c';
  if (isListed(language, name)) return undefined;
  const fromFile = scan.files.get(from);
  const definitions: ProjectDefinition[] = [];
  const consulted: string[] = [];
  let declaredNoReturn = false;
  let alias: string | undefined;
  const paths = scan.byName.get(name) ?? [];
  if (language === 'c') {
    // Counted from the text scan before anything is parsed: `static` ones only where they are visible.
    const count = paths.filter((p) => {
      const f = p === from ? undefined : scan.files.get(p);
      return !!f && f.language === 'c' && !f.header && (!f.statics.has(name) || includes(fromFile, p));
    }).length;
    if (count > MAX_DEFINITIONS_PER_NAME) return { ...headerFacts(scan, paths, from, name), definitions: [], note: tooMany(name, count) };
  }
  for (const path of paths) {
    if (path === from) continue;
    const f = scan.files.get(path);
    if (!f || f.language !== language) continue;
    if (language === 'c') {
      if (f.header) {
        const decls = f.names.get(name) ?? [];
        consulted.push(path);
        if (decls.some((d) => declarationSaysNoReturn(d, scan.macros))) declaredNoReturn = true;
        // A body in a header (`static inline`): for the files that include it.
        if (decls.some((d) => d.endsWith('{')) && includes(fromFile, path)) {
          const d = source.definition(path, name);
          if (d) definitions.push(d);
        }
        continue;
      }
      const d = source.definition(path, name);
      if (!d) continue;
      if (isStaticDefinition(d.fn) && !includes(fromFile, path)) continue;
      consulted.push(path);
      definitions.push(d);
    } else {
      if (dirOf(path) !== dirOf(from) || !f.builds) continue;
      if (path.endsWith('_test.go') && !from.endsWith('_test.go')) continue;
      const d = source.definition(path, name);
      if (!d) continue;
      consulted.push(path);
      definitions.push(d);
    }
  }
  if (definitions.length > MAX_DEFINITIONS_PER_NAME) return { declaredNoReturn, consulted, definitions: [], note: tooMany(name, definitions.length) };
  if (language === 'go') {
    for (const path of scan.goDirs.get(dirOf(from)) ?? []) {
      const f = scan.files.get(path)!;
      if (!f.builds) continue;
      const pair = f.linknames.find(([local]) => local === name);
      if (pair) {
        alias = pair[1];
        consulted.push(f.path);
      }
    }
  }
  if (!definitions.length && !declaredNoReturn && alias === undefined && language === 'c' && hops < 4) {
    // A header macro forwarding to one function (`#define BB_EXECVP_or_die(a) bb_execvp_or_die(a)`).
    const macros = scan.macros.get(name) ?? [];
    const targets = new Set(macros.map(forwardedCallee));
    const target = targets.size === 1 ? [...targets][0] : undefined;
    if (target) {
      const r = isListed('c', target) ? undefined : resolveCallee(scan, source, from, target, hops + 1);
      if (r) return { ...r, consulted: [...new Set([...macros.map((m) => m.file), ...r.consulted])], forwardedTo: r.forwardedTo ?? target };
    }
  }
  if (!definitions.length && !declaredNoReturn && alias === undefined) return undefined;
  return { definitions, declaredNoReturn, ...(alias !== undefined ? { alias } : {}), consulted };
}
