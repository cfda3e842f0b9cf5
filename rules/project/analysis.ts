/** What analyze() does with the project index: the configuration with the wrappers, and the result's reads and notes. */
import type { AnalysisResult, VforklintConfig } from '../types.js';
import type { MacroDefinition } from '../macros.js';
import { ProjectIndex } from './index.js';
import { fileList, RecordingLink } from './link.js';
import type { HeaderMacros } from './header-macros.js';
import type { AnalysisCache } from '../function-cache.js';

export interface ProjectRun {
  config: VforklintConfig;
  link: RecordingLink;
  /** Assumptions made about the wrappers (a wrapper's name defined in several files). */
  notes: string[];
  /** The macros of the headers the file includes (RULES section 3, "Macros"). */
  headerMacros?: HeaderMacros;
  file: string;
  /** The per-function cache the analysis fills (AnalyzeOptions.cache), if any. */
  cache?: AnalysisCache;
}

/**
 * What the analyses that filled a per-function cache read from the project, with the
 * fingerprints they saw. A cached function result rests on those summaries too (a helper in
 * another file that now never returns), which its cache key does not name: while every one
 * of them holds, the cache holds; once one changed, every entry goes (any may rest on it).
 */
const projectReadsOfCache = new WeakMap<AnalysisCache, { index: ProjectIndex; reads: Map<string, string> }>();

/** Empty the cache when a project summary its entries may rest on changed (or another index fills it). */
function forgetStaleEntries(cache: AnalysisCache, index: ProjectIndex): void {
  const seen = projectReadsOfCache.get(cache);
  if (!seen) return;
  let stale = seen.index !== index;
  for (const [key, fingerprint] of seen.reads) {
    if (stale) break;
    try {
      stale = index.fingerprint(key) !== fingerprint;
    } catch {
      stale = true;
    }
  }
  if (!stale) return;
  cache.entries.clear();
  projectReadsOfCache.delete(cache);
}

function rememberReads(cache: AnalysisCache, index: ProjectIndex, reads: ReadonlyArray<{ key: string; fingerprint: string }>): void {
  let seen = projectReadsOfCache.get(cache);
  if (!seen) projectReadsOfCache.set(cache, (seen = { index, reads: new Map() }));
  for (const r of reads) seen.reads.set(r.key, r.fingerprint);
}

/** `config` with the project's fork wrappers that file `file` may call added to `forkFunctions` (the pre-scan's words too). `text`: the file's, when at hand. */
export function configWithWrappers(index: ProjectIndex, file: string, config: VforklintConfig, text?: string): VforklintConfig {
  index.useConfig(config);
  const configured = new Set((config.forkFunctions ?? []).map((f) => f.split(':')[0]));
  const wrappers = index.wrappersFor(file, text).filter((w) => !configured.has(w.name)).map((w) => (w.raw ? `${w.name}:raw` : w.name));
  return wrappers.length ? { ...config, forkFunctions: [...(config.forkFunctions ?? []), ...new Set(wrappers)] } : config;
}

/** The configuration one file is analysed with: its own, plus the project's fork wrappers it may call. */
export function projectConfig(index: ProjectIndex, file: string, config: VforklintConfig, text: string, cache?: AnalysisCache): ProjectRun {
  index.useConfig(config);
  if (cache) forgetStaleEntries(cache, index);
  const configured = new Set((config.forkFunctions ?? []).map((f) => f.split(':')[0]));
  const notes: string[] = [];
  // What the index cannot compute (an internal error) is said, and the file is analysed without it.
  const attempt = <T>(what: string, compute: () => T, fallback: T): T => {
    try {
      return compute();
    } catch (e) {
      notes.push(`${what} could not be computed (internal error: ${e instanceof Error ? e.message : String(e)}); the file was analysed without them`);
      return fallback;
    }
  };
  const headerMacros = attempt('the macros of the headers this file includes', () => index.headerMacros(file, text), undefined);
  // A header macro around a fork that the file sees is expanded at its uses: no wrapper then.
  const expanded = new Set(headerMacros?.macros.map((d) => d.name));
  const found = attempt("the project's fork wrappers", () => index.wrappersFor(file, text), []).filter((w) => !configured.has(w.name) && !(w.macro && expanded.has(w.name)));
  const wrappers = found.map((w) => (w.raw ? `${w.name}:raw` : w.name));
  const withWrappers = wrappers.length ? { ...config, forkFunctions: [...(config.forkFunctions ?? []), ...new Set(wrappers)] } : config;
  const scan = index.scan();
  for (const w of found) {
    if (w.macro) continue;
    const defined = (scan.byName.get(w.name) ?? []).filter((p) => !scan.files.get(p)?.header && index.definition(p, w.name) !== undefined);
    if (defined.length > 1 && !defined.includes(file) && new RegExp(`\\b${w.name}\\s*\\(`).test(text)) {
      notes.push(`\`${w.name}\` is defined in several files (${fileList(defined)}): its calls are fork sites because the child of ${w.file}'s returns to its caller`);
    }
  }
  return { config: withWrappers, link: new RecordingLink(index, file), notes, file, ...(headerMacros ? { headerMacros } : {}), ...(cache ? { cache } : {}) };
}

/** The result with what it read from the project and the assumptions made. */
export function projectResult(run: ProjectRun, result: AnalysisResult): AnalysisResult {
  if (result.internalError) {
    // What this analysis put in the cache rests on reads not recorded: not kept.
    if (run.cache) {
      run.cache.entries.clear();
      projectReadsOfCache.delete(run.cache);
    }
    return result;
  }
  const notes = [...run.notes, ...run.link.notes()];
  if (!run.link.index.recordsReads && !run.cache) return { ...result, ...(notes.length ? { projectNotes: notes } : {}) };
  const reads = run.link.reads();
  if (run.headerMacros) reads.push({ key: ProjectIndex.macrosKey(run.file), fingerprint: run.headerMacros.fingerprint });
  if (run.cache) rememberReads(run.cache, run.link.index, reads);
  if (!run.link.index.recordsReads) return { ...result, ...(notes.length ? { projectNotes: notes } : {}) };
  return { ...result, projectReads: reads, ...(notes.length ? { projectNotes: notes } : {}) };
}

/** The header macros handed in by the caller, then those of the project's headers (a name the caller gave keeps the caller's). */
export function withProjectMacros(given: readonly MacroDefinition[] | undefined, run: ProjectRun): readonly MacroDefinition[] | undefined {
  const found = run.headerMacros?.macros ?? [];
  if (!found.length) return given;
  if (!given?.length) return found;
  const names = new Set(given.map((d) => d.name));
  return [...given, ...found.filter((d) => !names.has(d.name))];
}
