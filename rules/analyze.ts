/**
 * text in, findings out. Find the functions that hold fork-site spellings (by a text scan,
 * so nothing else is walked), recognise the sites, run the flow pass per site, run every
 * enabled rule, then apply suppressions.
 */
import { FileContext } from './file-context.js';
import type { MacroDefinition } from './macros.js';
import { attachFixes } from './fixes/index.js';
import { cacheKey, lookup, rebase, store, type AnalysisCache } from './function-cache.js';
import { clearForkSiteCaches } from './fork-sites.js';
import { mayHoldForkCall } from './prescan.js';
import { cAdapter } from './language/c-adapter.js';
import { goAdapter } from './language/go-adapter.js';
import type { LanguageAdapter } from './language/adapter.js';
import { ParsersNotLoadedError, blankRanges, parseShared, unparsedRanges, type Tree } from './parser.js';
import { cgoPreamble } from './preprocessor.js';
import { resolveSeverity } from './registry.js';
import { reportFailedExecs } from './failed-exec.js';
import { runRules } from './run-rules.js';
import { SiteAnalysis } from './site-analysis.js';
import { forkSitesAt, functionsWithSpellings } from './spelling-functions.js';
import { MAX_FLOW_DEPTH } from './flow/walk.js';
import { applySuppressions, findDirectives } from './suppressions.js';
import { LineIndex, clearSyntaxCaches, escapeRegExp, rangeOfNode } from './syntax.js';
import type { ProjectIndex } from './project/index.js';
import { projectConfig, projectResult, withProjectMacros, type ProjectRun } from './project/analysis.js';
import type { AnalysisResult, Finding, ForkSiteInfo, Language, NotAnalysed, VforklintConfig } from './types.js';

export interface AnalyzeOptions {
  /** A tree already parsed from exactly this text (the language server's incremental parse). */
  tree?: Tree;
  /**
   * Reuse per-function results between calls on versions of one file (createAnalysisCache).
   * With a cache, rule findings carry no fixes (analyse without one to get them).
   */
  cache?: AnalysisCache;
  /**
   * Macros defined in other files (the project's headers) as plain data, in effect from the
   * start of the file; the file's own `#define`s come after them (RULES section 3, "Macros").
   */
  headerMacros?: readonly MacroDefinition[];
  /**
   * The project index (RULES section 8) and this file's root-relative path in it: callees
   * defined in other files are followed, and the project's fork wrappers are fork sites.
   */
  project?: { index: ProjectIndex; file: string };
}

/** The cheap pre-scan (prescan.ts): false means no fork call can be in the text, which is never parsed. */
export function mayContainForkSite(text: string, language: Language, config: VforklintConfig = {}): boolean {
  return mayHoldForkCall(text, language, config);
}

export function languageForPath(path: string): Language | undefined {
  if (/\.(?:c|h)$/i.test(path)) return 'c';
  if (/\.go$/i.test(path)) return 'go';
  return undefined;
}

function adapterFor(language: Language): LanguageAdapter {
  return language === 'c' ? cAdapter : goAdapter;
}

/**
 * Analyse one file's text. Never throws on any text: an internal failure is returned as
 * `internalError`. Throws only when called before `initParsers()` finished.
 */
export function analyze(text: string, language: Language, config: VforklintConfig = {}, options: AnalyzeOptions = {}): AnalysisResult {
  // Frees what this analysis alone used (masked copies' trees, cursors); a lazy fix holds its own tree.
  const cleanup: Array<() => void> = [];
  try {
    if (options.project) {
      // The project's fork wrappers are fork sites here, as if configured (RULES section 8).
      const run = projectConfig(options.project.index, options.project.file, config, text, options.cache);
      const headerMacros = language === 'c' ? withProjectMacros(options.headerMacros, run) : options.headerMacros;
      return projectResult(run, analyzeUnsafe(text, language, run.config, { ...options, headerMacros, projectRun: run }, cleanup));
    }
    return analyzeUnsafe(text, language, config, options, cleanup);
  } catch (e) {
    if (e instanceof ParsersNotLoadedError) throw e;
    return { findings: [], forkSites: [], skipped: false, internalError: e instanceof Error ? `${e.message}` : String(e) };
  } finally {
    for (const free of cleanup.reverse()) free();
  }
}

function analyzeUnsafe(text: string, language: Language, config: VforklintConfig, options: AnalyzeOptions & { projectRun?: ProjectRun }, cleanup: Array<() => void>): AnalysisResult {
  const lines = new LineIndex(text);
  const unusedSeverity = resolveSeverity('unused-disable-directive', config);
  if (!mayContainForkSite(text, language, config) && !usesForkMacro(text, language, config, options.headerMacros)) {
    const directives = findDirectives(text, lines, language);
    return { findings: applySuppressions([], directives, lines, unusedSeverity, text), forkSites: [], skipped: true };
  }
  const tree = options.tree ?? parseShared(text, language);
  const adapter = adapterFor(language);
  const notAnalysed: NotAnalysed[] = [];
  // Lines the parser could not get through in time were blanked: analyse the text it saw.
  const blanked = unparsedRanges(tree);
  for (const r of blanked) notAnalysed.push({ range: lines.range(r.start, r.end), reason: 'tree-sitter could not parse this within its budget (pathological syntax), so it was left out' });
  const file = new FileContext(blanked.length ? blankRanges(text, blanked) : text, tree.rootNode, adapter, config, undefined, { headerMacros: options.headerMacros });
  file.project = options.projectRun?.link;
  // Only the per-function cache asks what an analysis read.
  if (!options.cache) file.reads.stopRecording();
  const raw: Finding[] = [];
  const forkSites: ForkSiteInfo[] = [];

  const seenSites = new Set<number>();
  clearForkSiteCaches();
  clearSyntaxCaches();
  const cache = options.cache;
  for (const [ctx, fn, offsets] of functionsWithSpellings(file, config, cleanup)) {
    const key = cache && ctx === file ? cacheKey(file, fn, config) : undefined;
    const hit = key !== undefined ? lookup(cache!, key, file, fn) : undefined;
    if (hit) {
      const r = rebase(hit, fn, lines);
      raw.push(...r.findings);
      forkSites.push(...r.forkSites);
      continue;
    }
    const firstFinding = raw.length;
    // A function the flow pass could not follow to the end is not cached: its note must come back too.
    let incomplete = false;
    const firstSite = forkSites.length;
    ctx.reads.reset();
    try {
      const sites = forkSitesAt(ctx, fn, offsets);
      if (sites.length > MAX_SITES_PER_FUNCTION) {
        // Each site's analysis covers the whole function: thousands of sites (a comment the
        // parser read as code) would cost sites x size.
        incomplete = true;
        notAnalysed.push({ range: rangeOfNode(fn), reason: `this function holds ${sites.length} fork sites; only the first ${MAX_SITES_PER_FUNCTION} were analysed` });
      }
      for (const site of sites.slice(0, MAX_SITES_PER_FUNCTION)) {
        if (seenSites.has(site.call.startIndex)) continue;
        seenSites.add(site.call.startIndex);
        const analysis = new SiteAnalysis(ctx, site);
        if (analysis.flow.incomplete) {
          incomplete = true;
          notAnalysed.push({ range: rangeOfNode(fn), reason: `this function nests more than ${MAX_FLOW_DEPTH} statements deep; paths below that depth were not followed` });
        }
        const sets = analysis.lineSets();
        forkSites.push({ kind: site.kind, range: rangeOfNode(site.call), functionName: ctx.adapter.functionName(fn), childLines: sets.child, parentLines: sets.parent, bothLines: sets.both });
        const before = raw.length;
        runRules(analysis, config, raw);
        const notes = analysis.macroNotes();
        // A note is not cached: the function is analysed again next time.
        if (notes.length) incomplete = true;
        for (const n of notes) notAnalysed.push({ range: rangeOfNode(n.node), reason: n.message });
        reportFailedExecs(analysis, config, raw, !cache);
        if (!cache) attachFixes(analysis, raw.slice(before));
      }
    } catch (e) {
      if (e instanceof ParsersNotLoadedError) throw e;
      // One function's failure costs that function's findings, said so, never the file's others.
      raw.length = firstFinding;
      forkSites.length = firstSite;
      notAnalysed.push({ range: rangeOfNode(fn), reason: `internal error in the analysis of \`${ctx.adapter.functionName(fn) || 'this function'}\`: ${e instanceof Error ? e.message : String(e)}; please report it` });
      continue;
    }
    if (key !== undefined && !incomplete) store(cache!, key, fn, raw.slice(firstFinding), forkSites.slice(firstSite), ctx.reads.entries(), file);
  }

  if (language === 'go') {
    const preamble = cgoPreamble(text);
    if (preamble && mayContainForkSite(preamble, 'c', config)) {
      const c = analyzeUnsafe(preamble, 'c', { ...config, rules: { ...config.rules, 'unused-disable-directive': 'off' } }, options.cache ? { cache: options.cache } : {}, cleanup);
      raw.push(...c.findings);
      forkSites.push(...c.forkSites);
      notAnalysed.push(...(c.notAnalysed ?? []));
    }
  }

  const findings = dedupe(raw).sort((a, b) => a.range.start.offset - b.range.start.offset || a.rule.localeCompare(b.rule));
  const directives = findDirectives(text, lines, language);
  return { findings: applySuppressions(findings, directives, lines, unusedSeverity, text), forkSites, skipped: false, ...(notAnalysed.length ? { notAnalysed: uniqueBy(notAnalysed, (n) => `${n.range.start.offset}:${n.range.end.offset}:${n.reason}`) } : {}) };
}

/** The first of each group of items with the same key. */
function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Fork sites analysed per function (real code has a handful; Go's per-arch switch four). */
export const MAX_SITES_PER_FUNCTION = 16;

function dedupe(findings: Finding[]): Finding[] {
  // Several fork sites in one function (Go's per-arch switch) find the same hazard once.
  return uniqueBy(findings, (f) => `${f.rule}:${f.range.start.offset}:${f.range.end.offset}`);
}

/** A C file that uses, by name, a macro handed in whose body holds a fork spelling. */
function usesForkMacro(text: string, language: Language, config: VforklintConfig, macros: readonly MacroDefinition[] = []): boolean {
  if (language !== 'c' || macros.length === 0) return false;
  return macros.some((d) => mayContainForkSite(d.body, language, config) && new RegExp(`\\b${escapeRegExp(d.name)}\\b`).test(text));
}

