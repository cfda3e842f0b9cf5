/**
 * The functions of a file that hold a fork spelling (or a use of a same-file macro whose body
 * holds one), each with the file context whose tree holds it: C functions that preprocessor
 * directives break (`if (...) x = vfork(); else` / `#endif` / `x = fork();`) are recovered
 * from a masked copy of the text. The analysis and the project index's wrapper search both
 * find their functions here, so they read a function the same way.
 */
import { forkMacroUseOffsets, macroConstantNames, macroForkSite } from './effects/macro-uses.js';
import { FileContext } from './file-context.js';
import { findForkSitesAt, type ForkSite } from './fork-sites.js';
import { spellingPattern } from './fork-spellings.js';
import { parseLineVariant, releaseTree, type SyntaxNode } from './parser.js';
import { maskPreprocessor, type MaskVariant } from './preprocessor.js';
import { PathLocator, descendantsOfType } from './syntax.js';
import type { VforklintConfig } from './types.js';

const ERROR_OR_FUNCTION = new Set(['ERROR', 'function_definition', 'function_declaration', 'method_declaration', 'func_literal']);

function errorCount(fn: SyntaxNode): number {
  let n = 0;
  const body = fn.childForFieldName('body') ?? fn;
  for (const t of ['ERROR']) n += descendantsOfType(body, t).length;
  return n + (body.hasError ? 1 : 0);
}

/** Where the text holds a fork spelling, and where it uses a same-file macro whose body holds one, in text order. */
function spellingOffsets(file: FileContext, re: RegExp): number[] {
  const offsets = [...file.text.matchAll(re)].map((m) => m.index!);
  const uses = forkMacroUseOffsets(file, new RegExp(re.source, re.flags.replace('g', '')), offsets);
  return uses.length ? [...new Set([...offsets, ...uses])].sort((a, b) => a - b) : offsets;
}

/**
 * The functions holding a fork spelling, each with the file context whose tree holds it.
 * C functions broken by preprocessor directives are recovered from a masked copy of the text.
 */
export function functionsWithSpellings(file: FileContext, config: VforklintConfig, cleanup: Array<() => void>): Array<[FileContext, SyntaxNode, number[]]> {
  const re = spellingPattern(config);
  const out: Array<[FileContext, SyntaxNode, number[]]> = [];
  const seen = new Map<string, number[]>();
  const variants = new Map<MaskVariant, FileContext>();
  const variant = (v: MaskVariant): FileContext => {
    let ctx = variants.get(v);
    if (!ctx) {
      const masked = maskPreprocessor(file.text, v);
      const tree = parseLineVariant(file.root.tree, file.text, masked, 'c');
      cleanup.push(() => releaseTree(tree));
      ctx = new FileContext(masked, tree.rootNode, file.adapter, config, file.text, file.macroSourceForCopies);
      // Never cached (only the file's own tree is): nothing asks what it read.
      ctx.reads.stopRecording();
      ctx.project = file.project;
      variants.set(v, ctx);
    }
    return ctx;
  };
  // Every spelling in a broken function asks again: count each function's errors once (ids are per tree).
  const errorsOf = (ctx: FileContext, f: SyntaxNode) => ctx.remember(`errors:${f.id}`, () => errorCount(f));
  const types = file.adapter.functionTypes;
  const innermostFunction = (path: SyntaxNode[]) => path.find((n) => types.has(n.type));
  // Matches come in text order: one forward cursor walk per tree finds what encloses each.
  const locators = new Map<FileContext, PathLocator>();
  const pathAt = (ctx: FileContext, offset: number) => {
    let l = locators.get(ctx);
    if (!l) {
      const locator = new PathLocator(ctx.root);
      cleanup.push(() => locator[Symbol.dispose]());
      locators.set(ctx, (l = locator));
    }
    return l.enclosing(offset);
  };
  const enclosing = (ctx: FileContext, offset: number) => innermostFunction(pathAt(ctx, offset));
  for (const offset of spellingOffsets(file, re)) {
    const path = pathAt(file, offset);
    const leaf = path[0];
    // A spelling in a comment, a string, or in top-level code the parser understood holds no fork site.
    if (leaf.type === 'comment' || /string|char_literal/.test(leaf.type)) continue;
    if (!(leaf.type === 'ERROR' || leaf.hasError || path.slice(1).some((n) => ERROR_OR_FUNCTION.has(n.type)))) continue;
    let ctx = file;
    let fn = innermostFunction(path);
    const broken = (f: SyntaxNode | undefined) => !f || !!file.adapter.functionBody(f)?.hasError || !file.adapter.functionBody(f);
    if (file.adapter.language === 'c' && broken(fn)) {
      // Try the masked copies; keep the first whose function body parses cleanly, or the one with fewest errors.
      let best: [FileContext, SyntaxNode, number] | undefined = fn ? [file, fn, errorsOf(file, fn)] : undefined;
      for (const v of ['directives', 'first-branch', 'else-branch'] as MaskVariant[]) {
        const vctx = variant(v);
        const vfn = enclosing(vctx, offset);
        if (!vfn) continue;
        const errors = broken(vfn) ? errorsOf(vctx, vfn) : 0;
        if (!best || errors < best[2]) best = [vctx, vfn, errors];
        if (errors === 0) break;
      }
      if (best) [ctx, fn] = best;
    }
    if (!fn) continue;
    // Go closures are analysed on their own, and so is the function around them.
    const key = `${fn.startIndex}:${fn.endIndex}`;
    const known = seen.get(key);
    if (known) {
      known.push(offset);
      continue;
    }
    const offsets = [offset];
    seen.set(key, offsets);
    out.push([ctx, fn, offsets]);
  }
  return out;
}

/** The fork sites at `offsets` in `fn`, read with the file's macros (forks and clone flags through them), as the analysis and the wrapper search both read them. */
export function forkSitesAt(ctx: FileContext, fn: SyntaxNode, offsets: number[]): ForkSite[] {
  return findForkSitesAt(fn, offsets, ctx.adapter, ctx.config, (n) => macroForkSite(ctx, n), macroConstantNames(ctx));
}
