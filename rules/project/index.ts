/**
 * The project index (RULES section 8): what other files of the project say about the
 * functions a child calls. Lazy: nothing is read until a callee this file does not define
 * is asked about; then one text scan of the project's files points at the files that may
 * define it, and only those are parsed. Summaries are computed by the same code that
 * follows same-file callees (rules/effects), run on the defining file's tree, so a helper
 * is judged the same wherever it lives.
 */
import { cAdapter } from '../language/c-adapter.js';
import { goAdapter } from '../language/go-adapter.js';
import { FileContext, type ProjectDefinition, type ProjectLink, type ResolvedCallee } from '../file-context.js';
import { spellingPattern } from '../fork-spellings.js';
import { parseSource, releaseTree, type Tree } from '../parser.js';
import type { VforklintConfig } from '../types.js';
import { contentHash } from './hash.js';
import type { ProjectHost } from './host.js';
import { headerMacrosFor, type HeaderMacros, type HeaderSource } from './header-macros.js';
import { isStaticDefinition, resolveCallee, type Resolution } from './resolve.js';
import { summaryText } from './summary.js';
import { fromShared, goDirectories, scanProject, type ScannedFile, type SharedScan, type TextScan } from './text-scan.js';
import { forkFunctionsIn, macroWrappers, wrapperOf, type ForkFunction, type ForkWrapper, type WrapperSearchLog } from './wrappers.js';

export interface ProjectIndexOptions {
  /** Files parsed at most (then the index is partial, and says so). */
  maxParsedFiles?: number;
  /**
   * Give analyses `AnalysisResult.projectReads` (default true). Their fingerprints summarise
   * every callee the analysis resolved; a caller that keeps no result between runs (the
   * CLI without `--cache`) turns them off.
   */
  projectReads?: boolean;
  /**
   * The text scan of this root made elsewhere (the CLI's main thread, once for all its
   * workers): used instead of scanning again when it was made with the fork spellings of the
   * configuration the index is used with. The index takes it over (it may change it).
   */
  scan?: SharedScan;
}

interface ParsedFile {
  ctx: FileContext;
  tree: Tree;
  hash: string;
  /** Its functions holding a fork spelling (found once). */
  forkFunctions?: ForkFunction[];
  /** Releases what finding them parsed (masked copies of the text), with the tree. */
  cleanup: Array<() => void>;
}

/** A parsed file's functions holding a fork spelling, found once. */
function forkFunctionsOf(p: ParsedFile): ForkFunction[] {
  return (p.forkFunctions ??= forkFunctionsIn(p.ctx, p.cleanup));
}

/** Release a parsed file's tree and the masked copies parsed to find its fork functions. */
function releaseParsed(p: ParsedFile): void {
  for (const c of p.cleanup.splice(0)) c();
  releaseTree(p.tree);
}

/** Files the index parses by default before it stops (and says it is partial). */
export const DEFAULT_MAX_PARSED_FILES = 3000;

/** What the index has done so far: a work counter (tests bound it; it is no clock). */
export interface ProjectIndexWork {
  /** Files parsed (helpers, and files holding fork spellings looked at for wrappers), counted across invalidations. */
  parsedFiles: number;
  /** Callee resolutions computed (one per file and name asked). */
  resolutions: number;
  /** Fork sites whose flow was followed to decide whether a function is a fork wrapper. */
  wrapperSites: number;
  /** Summaries turned into fingerprint text (one per distinct set of definitions). */
  summaries: number;
}

/**
 * A function holding a fork spelling, where it is: from the file's parse (`f`), or from a
 * saved snapshot (`exportSummaries`), which also says whether it is a wrapper. `nth`: which
 * of the file's fork functions of that name (a name defined under two `#if` branches).
 */
interface ForkFunctionAt {
  file: string;
  name: string;
  nth: number;
  isStatic: boolean;
  f?: ForkFunction;
  /** The wrapper check's answer (null: no wrapper), once known; with the reason it was capped, if it was. */
  verdict?: { wrapper: ForkWrapper | null; capped?: string };
}

/** The fork functions of the project as saved: the files they are in (content hashes), and each one's wrapper check, if done. */
interface SavedForkFunctions {
  pattern: string;
  files: Record<string, string>;
  functions: Array<{ file: string; name: string; nth: number; isStatic: boolean; verdict?: { wrapper: ForkWrapper | null; capped?: string } }>;
}

/** Above this many candidate wrapper names, a file's words are looked up one by one instead of one pattern. */
const MAX_PATTERN_WORDS = 300;

export class ProjectIndex {
  private scanned?: TextScan;
  private readonly parsed = new Map<string, ParsedFile | null>();
  private readonly resolutions = new Map<string, Resolution | null>();
  private readonly links = new Map<string, ProjectLink>();
  /** Functions holding a fork spelling, by name (every fork-spelling file parsed; no flow yet). */
  private forkFunctionsByName?: Map<string, ForkFunctionAt[]>;
  /** Their names, as one pattern a file's text is searched with. */
  private forkFunctionPattern?: RegExp | null;
  private macroWrappersCache?: ForkWrapper[];
  private readonly wrappersByFile = new Map<string, ForkWrapper[]>();
  private readonly summaryTexts = new Map<string, string>();
  private readonly log: WrapperSearchLog = { sitesAnalysed: 0, capped: [] };
  private readonly counts = { resolutions: 0, summaries: 0, parses: 0 };
  /** What other modules derived from the files (header macros), forgotten with the rest. */
  private readonly derivedValues = new Map<string, unknown>();
  private config: VforklintConfig = {};
  private configKey = '{}';
  private readonly reasons: string[] = [];
  private readonly maxParsed: number;
  /** ProjectIndexOptions.scan, until the first scan takes it (or a change of files drops it). */
  private givenScan?: SharedScan;
  /** Analyses record what they read (ProjectIndexOptions.projectReads). */
  readonly recordsReads: boolean;
  private parsedCount = 0;
  private imported?: { files: Record<string, string>; names: Record<string, string[]>; entries: Record<string, string>; checked?: boolean };
  /** Saved fork functions (exportSummaries), used instead of parsing every fork-spelling file while those files are unchanged. */
  private importedForks?: SavedForkFunctions;
  /** The content hashes of the fork-spelling files forkFunctions() rests on. */
  private forkFileHashes?: Record<string, string>;

  constructor(
    readonly host: ProjectHost,
    options: ProjectIndexOptions = {},
  ) {
    this.maxParsed = options.maxParsedFiles ?? DEFAULT_MAX_PARSED_FILES;
    this.recordsReads = options.projectReads ?? true;
    this.givenScan = options.scan;
  }

  /** Why the index was partial so far (unreadable file, budget, ...), human readable. */
  get partial(): readonly string[] {
    return this.reasons;
  }

  /** The configuration summaries are computed with (the analysed files' own). A different one starts afresh. */
  useConfig(config: VforklintConfig): void {
    const key = JSON.stringify({ f: config.forkFunctions, n: config.noReturnFunctions, s: config.safeFunctions, strict: config.strict });
    if (key === this.configKey) return;
    this.forgetDerived();
    this.scanned = undefined;
    this.config = config;
    this.configKey = key;
  }

  /**
   * Forget everything derived from these root-relative files (changed on disk or in an
   * editor); `invalidate()` with no argument forgets the file list too. Summaries rest on
   * one another, so every parsed file's summaries are recomputed when asked again.
   */
  invalidate(relPaths?: readonly string[]): void {
    this.forgetDerived();
    if (!relPaths) {
      this.scanned = undefined;
      this.givenScan = undefined;
      this.reasons.length = 0;
      return;
    }
    if (this.scanned) {
      // Rescan just those files: the scan of the others stands.
      const fresh = scanProject(relPaths.filter((p) => this.scanned!.files.has(p) || /\.(?:c|h|go)$/.test(p)), (p) => this.host.readFile(p), spellingPattern(this.config));
      for (const p of relPaths) this.scanned.files.delete(p);
      for (const [p, f] of fresh.files) this.scanned.files.set(p, f);
      this.rebuildNames();
    }
  }

  /**
   * One file's text changed (an editor's keystroke, a file changed on disk). When its text
   * scan reads the same (names and their declarations, statics, includes, fork spelling,
   * build constraints, linknames) and no resolution consulted it, nothing derived from
   * another file rests on its body: only its own parse, its fork functions' wrapper checks
   * and the wrapper lists are forgotten (each is redone when asked). A header, or any other
   * change, invalidates as `invalidate([path])` does.
   */
  invalidateFile(path: string): void {
    const s = this.scanned;
    const old = s?.files.get(path);
    if (!s || !old || old.header) return this.invalidate([path]);
    const fresh = scanProject([path], (p) => this.host.readFile(p), spellingPattern(this.config)).files.get(path);
    if (!fresh || scanKey(fresh) !== scanKey(old) || this.consulted(path)) return this.invalidate([path]);
    s.files.set(path, fresh);
    const p = this.parsed.get(path);
    if (p === undefined) {
      this.wrappersByFile.delete(path);
      return;
    }
    this.parsed.delete(path);
    if (p) {
      releaseParsed(p);
      this.parsedCount--;
    }
    this.forkFunctionsByName = undefined;
    this.forkFunctionPattern = undefined;
    this.wrappersByFile.clear();
  }

  /** Did a resolution consult this file (so a summary may rest on its body)? */
  private consulted(path: string): boolean {
    for (const r of this.resolutions.values()) if (r && (r.consulted.includes(path) || r.definitions.some((d) => d.file === path))) return true;
    return false;
  }

  private rebuildNames(): void {
    const s = this.scanned!;
    s.goDirs = goDirectories(s.files);
    s.byName.clear();
    s.macros.clear();
    for (const f of s.files.values()) {
      for (const name of f.names.keys()) {
        const list = s.byName.get(name);
        if (list) list.push(f.path);
        else s.byName.set(name, [f.path]);
      }
    }
    // Macros come from the header texts: read them again (headers are few and small).
    for (const f of s.files.values()) {
      if (!f.header) continue;
      const text = this.host.readFile(f.path);
      if (text === undefined) continue;
      const again = scanProject([f.path], () => text, spellingPattern(this.config));
      for (const [name, defs] of again.macros) s.macros.set(name, [...(s.macros.get(name) ?? []), ...defs]);
    }
  }

  private forgetDerived(): void {
    for (const p of this.parsed.values()) if (p) releaseParsed(p);
    this.parsed.clear();
    this.parsedCount = 0;
    this.resolutions.clear();
    this.links.clear();
    this.forkFunctionsByName = undefined;
    this.forkFunctionPattern = undefined;
    this.macroWrappersCache = undefined;
    this.wrappersByFile.clear();
    this.summaryTexts.clear();
    this.derivedValues.clear();
  }

  /** The work done so far (parses, resolutions, wrapper flows): what a test bounds instead of a clock. */
  get work(): ProjectIndexWork {
    return { parsedFiles: this.counts.parses, resolutions: this.counts.resolutions, wrapperSites: this.log.sitesAnalysed, summaries: this.counts.summaries };
  }

  /**
   * The tree the index parsed for `path`, when it parsed exactly `text` (the analysis of that
   * file may use it instead of parsing again). Owned by the index: do not release or edit it.
   */
  treeFor(path: string, text: string): Tree | undefined {
    const p = this.parsed.get(path);
    return p && p.ctx.text === text ? p.tree : undefined;
  }

  /** The text scan of every file under the root (once). */
  scan(): TextScan {
    if (!this.scanned) {
      const pattern = spellingPattern(this.config);
      const given = this.givenScan;
      this.givenScan = undefined;
      this.scanned = given?.pattern === pattern.source ? fromShared(given) : scanProject(this.host.listFiles(), (p) => this.host.readFile(p), pattern);
      for (const p of this.scanned.unreadable.slice(0, 5)) this.reasons.push(`${p} could not be read`);
      if (this.scanned.unreadable.length > 5) this.reasons.push(`${this.scanned.unreadable.length - 5} more files could not be read`);
    }
    return this.scanned;
  }

  /** A file of the project, parsed once, with its own link to the index. */
  parsedFile(path: string): ParsedFile | undefined {
    const known = this.parsed.get(path);
    if (known !== undefined) return known ?? undefined;
    let out: ParsedFile | null = null;
    if (this.parsedCount >= this.maxParsed) {
      const reason = `the project index stopped after parsing ${this.maxParsed} files; callees in other files may have been left unknown`;
      if (!this.reasons.includes(reason)) this.reasons.push(reason);
    } else {
      const text = this.host.readFile(path);
      if (text === undefined) {
        this.reasons.push(`${path} could not be read`);
      } else {
        const language = path.endsWith('.go') ? 'go' : 'c';
        const tree = parseSource(text, language);
        // Its headers' macros read as the analysed file's are (RULES section 3, "Macros").
        const headerMacros = language === 'c' ? this.headerMacros(path, text)?.macros : undefined;
        const ctx = new FileContext(text, tree.rootNode, language === 'go' ? goAdapter : cAdapter, this.config, undefined, { headerMacros });
        ctx.project = this.linkFor(path);
        // What a summary reads in another file is tracked by the link (projectReads), not by this log.
        ctx.reads.stopRecording();
        out = { ctx, tree, hash: contentHash(text), cleanup: [] };
        this.parsedCount++;
        this.counts.parses++;
      }
    }
    this.parsed.set(path, out);
    return out ?? undefined;
  }

  /** The function `name` as `path` defines it. */
  definition(path: string, name: string): ProjectDefinition | undefined {
    const p = this.parsedFile(path);
    const fn = p?.ctx.functionNamed(name);
    if (!p || !fn || !p.ctx.adapter.functionBody(fn)) return undefined;
    return { ctx: p.ctx, file: path, name, fn };
  }

  /** A callee as the file `from` sees it (remembered). */
  resolve(from: string, name: string): Resolution | undefined {
    const key = `${from}\0${name}`;
    const known = this.resolutions.get(key);
    if (known !== undefined) return known ?? undefined;
    // Remembered as "not found" while under way: a macro forwarding to itself ends here.
    this.resolutions.set(key, null);
    this.counts.resolutions++;
    const r = resolveCallee(this.scan(), this, from, name);
    this.resolutions.set(key, r ?? null);
    return r;
  }

  /** The link a file's context uses (the analysed file's, or a parsed helper's). */
  linkFor(file: string): ProjectLink {
    let link = this.links.get(file);
    if (!link) {
      const index = this;
      link = { file, resolve: (name: string): ResolvedCallee | undefined => index.resolve(file, name) };
      this.links.set(file, link);
    }
    return link;
  }

  /** Every function of the project holding a fork spelling, by name: each such file parsed once (or as saved, while unchanged), no flow yet. */
  private forkFunctions(): Map<string, ForkFunctionAt[]> {
    if (!this.forkFunctionsByName) {
      const out = new Map<string, ForkFunctionAt[]>();
      const add = (at: ForkFunctionAt) => {
        const list = out.get(at.name);
        if (list) list.push(at);
        else out.set(at.name, [at]);
      };
      const files = [...this.scan().files.values()].filter((f) => f.language === 'c' && !f.header && f.forkSpelling).map((f) => f.path);
      const hashes: Record<string, string> = {};
      const saved = this.savedForkFunctions(files, hashes);
      if (saved) for (const at of saved) add({ ...at, ...(at.verdict ? { verdict: { ...at.verdict } } : {}) });
      else {
        for (const path of files) {
          const p = this.parsedFile(path);
          if (!p) continue;
          hashes[path] = p.hash;
          const seen = new Map<string, number>();
          for (const fn of forkFunctionsOf(p)) {
            const nth = seen.get(fn.name) ?? 0;
            seen.set(fn.name, nth + 1);
            add({ file: path, name: fn.name, nth, isStatic: isStaticDefinition(fn.fn), f: fn });
          }
        }
      }
      this.forkFileHashes = hashes;
      this.forkFunctionsByName = out;
      const words = [...out.keys()].sort((a, b) => b.length - a.length);
      this.forkFunctionPattern = words.length && words.length <= MAX_PATTERN_WORDS ? new RegExp(`(?<![\\w$])(?:${words.join('|')})(?![\\w$])`, 'g') : null;
    }
    return this.forkFunctionsByName;
  }

  /** The saved fork functions, when they were found with the same spellings in the same fork-spelling files, unchanged (their hashes into `hashes`). */
  private savedForkFunctions(files: readonly string[], hashes: Record<string, string>): SavedForkFunctions['functions'] | undefined {
    const saved = this.importedForks;
    this.importedForks = undefined;
    if (!saved || saved.pattern !== spellingPattern(this.config).source) return undefined;
    if (files.length !== Object.keys(saved.files).length) return undefined;
    for (const path of files) {
      const text = saved.files[path] === undefined ? undefined : this.host.readFile(path);
      if (text === undefined || contentHash(text) !== saved.files[path]) return undefined;
      hashes[path] = saved.files[path];
    }
    return saved.functions;
  }

  /** The macros of the headers `file` includes (its text as analysed, or as the host reads it). */
  headerMacros(file: string, text?: string): HeaderMacros | undefined {
    if (!/\.[ch]$/.test(file)) return undefined;
    const body = text ?? this.host.readFile(file);
    if (body === undefined) return undefined;
    const index = this;
    const source: HeaderSource = {
      files: () => index.scan().files.keys(),
      read: (p) => index.host.readFile(p),
      derive: <T>(key: string, compute: () => T): T => {
        if (!index.derivedValues.has(key)) index.derivedValues.set(key, compute());
        return index.derivedValues.get(key) as T;
      },
    };
    return headerMacrosFor(source, file, body);
  }

  /** Is this function a fork wrapper? One flow per function, remembered (or as saved). */
  private wrapperCheck(at: ForkFunctionAt): ForkWrapper | undefined {
    if (!at.verdict) {
      const p = this.parsedFile(at.file);
      const f = at.f ?? (p ? forkFunctionsOf(p).filter((fn) => fn.name === at.name)[at.nth] : undefined);
      if (!p || !f) at.verdict = { wrapper: null };
      else {
        const capped = this.log.capped.length;
        const wrapper = wrapperOf(at.file, f, this.log) ?? null;
        const reason = this.log.capped.slice(capped)[0];
        at.verdict = { wrapper, ...(reason ? { capped: reason } : {}) };
      }
    }
    if (at.verdict.capped && !this.reasons.includes(at.verdict.capped)) this.reasons.push(at.verdict.capped);
    return at.verdict.wrapper ?? undefined;
  }

  private macroWrappers(): ForkWrapper[] {
    return (this.macroWrappersCache ??= macroWrappers(this.scan().macros));
  }

  /** Every fork wrapper of the project: functions whose child returns to the caller, and header macros around a fork. */
  forkWrappers(): readonly ForkWrapper[] {
    const out: ForkWrapper[] = [];
    for (const list of this.forkFunctions().values()) for (const at of list) {
      const w = this.wrapperCheck(at);
      if (w) out.push(w);
    }
    return [...out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)), ...this.macroWrappers()];
  }

  /**
   * The wrappers whose calls are fork sites in the file `from` (a `static` one only in its
   * file and its includers). Only functions whose names the file's text holds are checked
   * (their calls are the only ones that could be sites there): `text` is the file's text, read
   * from the host when not given.
   */
  wrappersFor(from: string, text?: string): ForkWrapper[] {
    if (from.endsWith('.go')) return [];
    const known = this.wrappersByFile.get(from);
    if (known) return known;
    const byName = this.forkFunctions();
    const scanned = this.scan().files.get(from);
    const body = text ?? this.host.readFile(from) ?? '';
    const named = new Set<string>();
    if (this.forkFunctionPattern) for (const m of body.matchAll(this.forkFunctionPattern)) named.add(m[0]);
    else if (this.forkFunctionPattern === null && byName.size) for (const m of body.matchAll(/[A-Za-z_]\w*/g)) if (byName.has(m[0])) named.add(m[0]);
    const out: ForkWrapper[] = [];
    for (const name of named) {
      for (const at of byName.get(name) ?? []) {
        if (at.file !== from && at.isStatic && !scanned?.includes.has(at.file.slice(at.file.lastIndexOf('/') + 1))) continue;
        const w = this.wrapperCheck(at);
        if (w) out.push(w);
      }
    }
    out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    out.push(...this.macroWrappers());
    this.wrappersByFile.set(from, out);
    return out;
  }

  /**
   * The current fingerprint of a key that some AnalysisResult.projectReads recorded, or
   * undefined when it no longer resolves. A result stays valid while every key it read
   * still has the fingerprint it recorded.
   */
  fingerprint(key: string): string | undefined {
    const imported = this.importedFingerprint(key);
    if (imported !== undefined) return imported;
    const m = /^(callee|wrappers|macros):([^\0]*)\0?(.*)$/.exec(key);
    if (!m) return undefined;
    if (m[1] === 'macros') return this.headerMacros(m[2])?.fingerprint;
    if (m[1] === 'wrappers') return contentHash(JSON.stringify(this.wrappersFor(m[2]).map((w) => [w.name, w.raw, w.file]).sort()));
    const r = this.resolve(m[2], m[3]);
    // A name the project does not define has a fingerprint too: defining it later changes it.
    return contentHash(r ? this.summaryTextOf(r, m[3]) : 'not defined in the project');
  }

  /** A resolution's summary text, computed once per set of definitions (every caller of a helper shares it). */
  private summaryTextOf(r: Resolution, name: string): string {
    const key = JSON.stringify([name, r.definitions.map((d) => [d.file, d.name]), r.declaredNoReturn, r.alias ?? null, r.note ?? null]);
    let text = this.summaryTexts.get(key);
    if (text === undefined) {
      this.counts.summaries++;
      text = summaryText(r, name);
      this.summaryTexts.set(key, text);
    }
    return text;
  }

  /** Keys for AnalysisResult.projectReads. */
  static calleeKey(from: string, name: string): string {
    return `callee:${from}\0${name}`;
  }

  static wrappersKey(from: string): string {
    return `wrappers:${from}`;
  }

  static macrosKey(file: string): string {
    return `macros:${file}`;
  }

  /**
   * Plain-JSON snapshot of the fingerprints computed so far, with the content hashes of the
   * files they rest on, for an on-disk cache; `importSummaries` takes it back (and ignores it
   * once any of those files, or where a name resolves, changed).
   */
  exportSummaries(): unknown {
    const files: Record<string, string> = {};
    for (const [p, f] of this.parsed) if (f) files[p] = f.hash;
    const names: Record<string, string[]> = {};
    const entries: Record<string, string> = {};
    for (const [key, r] of this.resolutions) {
      const [from, name] = key.split('\0');
      names[key] = this.scanned?.byName.get(name) ?? [];
      if (r) entries[ProjectIndex.calleeKey(from, name)] = contentHash(this.summaryTextOf(r, name));
    }
    // What was imported and found to hold stays (it rests on the same contents as what was computed).
    const imp = this.imported?.checked ? this.imported : undefined;
    const out: Record<string, unknown> = { version: 1, files: { ...imp?.files, ...files }, names: { ...imp?.names, ...names }, entries: { ...imp?.entries, ...entries } };
    if (this.forkFunctionsByName && this.forkFileHashes) {
      const functions = [...this.forkFunctionsByName.values()].flat().map(({ file, name, nth, isStatic, verdict }) => ({ file, name, nth, isStatic, ...(verdict ? { verdict } : {}) }));
      out.forks = { pattern: spellingPattern(this.config).source, files: this.forkFileHashes, functions } satisfies SavedForkFunctions;
    }
    return out;
  }

  /** Several threads' snapshots of one project as one (what each computed, together; fork functions checked by any). */
  static mergeSummaries(snapshots: readonly unknown[]): unknown {
    type Snapshot = { version?: number; files?: Record<string, string>; names?: Record<string, string[]>; entries?: Record<string, string>; forks?: SavedForkFunctions };
    const valid = (snapshots as Snapshot[]).filter((d) => d && d.version === 1 && d.files && d.names && d.entries);
    if (valid.length <= 1) return valid[0];
    const out = { version: 1, files: {} as Record<string, string>, names: {} as Record<string, string[]>, entries: {} as Record<string, string> } as Required<Omit<Snapshot, 'forks'>> & { forks?: SavedForkFunctions };
    for (const d of valid) {
      // Two threads that read a file differently (changed during the run) leave nothing to trust.
      if (Object.entries(d.files!).some(([p, h]) => out.files[p] !== undefined && out.files[p] !== h)) return undefined;
      Object.assign(out.files, d.files);
      Object.assign(out.names, d.names);
      Object.assign(out.entries, d.entries);
    }
    const forks = valid.map((d) => d.forks).filter((f): f is SavedForkFunctions => !!f);
    const base = forks[0];
    if (base && forks.every((f) => f.pattern === base.pattern && JSON.stringify(f.files) === JSON.stringify(base.files))) {
      const key = (f: { file: string; name: string; nth: number }) => `${f.file}\0${f.name}\0${f.nth}`;
      const functions = new Map(base.functions.map((f) => [key(f), f]));
      for (const other of forks.slice(1)) for (const f of other.functions) if (f.verdict && !functions.get(key(f))?.verdict) functions.set(key(f), f);
      out.forks = { ...base, functions: [...functions.values()] };
    }
    return out;
  }

  importSummaries(data: unknown): void {
    const d = data as { version?: number; files?: Record<string, string>; names?: Record<string, string[]>; entries?: Record<string, string>; forks?: SavedForkFunctions } | null;
    if (!d || d.version !== 1 || typeof d.files !== 'object' || typeof d.entries !== 'object' || typeof d.names !== 'object') return;
    this.imported = { files: d.files!, names: d.names!, entries: d.entries! };
    const forks = d.forks;
    if (forks && typeof forks.pattern === 'string' && forks.files && typeof forks.files === 'object' && Array.isArray(forks.functions)) this.importedForks = forks;
  }

  /** An imported fingerprint, while every file it rests on has the same content and every name resolves to the same files. */
  private importedFingerprint(key: string): string | undefined {
    const imp = this.imported;
    if (!imp || !(key in imp.entries)) return undefined;
    if (!imp.checked) {
      const scan = this.scan();
      const same = Object.entries(imp.files).every(([p, h]) => {
        const text = this.host.readFile(p);
        return text !== undefined && contentHash(text) === h;
      }) && Object.entries(imp.names).every(([k, paths]) => JSON.stringify(scan.byName.get(k.split('\0')[1]) ?? []) === JSON.stringify(paths));
      if (!same) {
        this.imported = undefined;
        return undefined;
      }
      imp.checked = true;
    }
    return imp.entries[key];
  }

  /** Free the parsed trees (the index can be used again: it parses on demand). */
  dispose(): void {
    this.forgetDerived();
  }
}

/** What the text scan read from a file, as one comparable string. */
function scanKey(f: ScannedFile): string {
  return JSON.stringify([f.language, f.header, [...f.names].sort(), [...f.statics].sort(), [...f.includes].sort(), f.builds, f.linknames, f.forkSpelling]);
}
