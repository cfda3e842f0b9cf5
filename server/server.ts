/**
 * The vforklint language server: wires LSP requests to the analysis core.
 *
 * Per open document: an incremental tree (documents.ts), one cached analysis per
 * (version, settings generation), push diagnostics (or pull, when the client asks for
 * them), quick fixes from `finding.fixes`, `source.fixAll.vforklint` from `fixSource`,
 * and hovers on fork sites. Every handler is guarded: a failure is logged through
 * window/logMessage and answered with an empty result; the server stays up.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  MessageType,
  ShowMessageNotification,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type DocumentDiagnosticReport,
  type InitializeResult,
} from 'vscode-languageserver';
import { analyze, createAnalysisCache, fixSource, forgetSharedParses, initParsers, withoutFixes, type AnalysisResult } from '../rules/index.js';
import type { ProjectRead } from '../cli/cache.js';
import { ServerProjects, type OverlayHost } from './project.js';

/** Per-function results shared by every open document: a keystroke re-analyses only what it touched. */
const functionCache = createAnalysisCache(4000);
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_FILE_NAMES } from '../config/index.js';
import { effectiveConfig, uriToPath, type EffectiveConfig } from './config.js';
import { LintDocument, lintDocumentsConfiguration } from './documents.js';
import { scheduleNativeGc } from './memory.js';
import { FIX_ALL_KIND, diagnosticsOf, fixAllAction, fixAllEdit, hoverAt, quickFixes, type EditTarget } from './translate.js';

export const FIX_ALL_COMMAND = 'vforklint.applyFixAll';
const DEFAULT_DEBOUNCE_MS = 50;

/**
 * A copy of a result without fixes (and without getters that would compute them), detached
 * from the core's strings. Steps and related locations in other files (a helper, a header's
 * `#define`) name them relative to the project root: here they become absolute paths
 * (translate.ts makes them URIs).
 */
function slimCopy(r: AnalysisResult, root: string | undefined): AnalysisResult {
  const copy: AnalysisResult = plainCopy({
    skipped: r.skipped,
    ...(r.internalError ? { internalError: r.internalError } : {}),
    ...(r.notAnalysed ? { notAnalysed: r.notAnalysed } : {}),
    ...(r.projectReads ? { projectReads: r.projectReads } : {}),
    ...(r.projectNotes ? { projectNotes: r.projectNotes } : {}),
    forkSites: r.forkSites,
    findings: r.findings.map(withoutFixes),
  });
  if (root !== undefined) {
    for (const f of copy.findings) for (const at of [...f.steps, ...f.related]) if (at.file !== undefined) at.file = ServerProjects.absolute(root, at.file);
  }
  return copy;
}

/**
 * Strings of earlier results, each a copy of its own: a string the core made can be a slice
 * of a whole version of a file, which it would keep alive. Keystrokes give the same messages
 * again and again, so each is copied once (a bounded table, emptied when full).
 */
const detachedStrings = new Map<string, string>();
const MAX_DETACHED_STRINGS = 20_000;

function detached(s: string): string {
  let d = detachedStrings.get(s);
  if (d === undefined) {
    if (detachedStrings.size >= MAX_DETACHED_STRINGS) detachedStrings.clear();
    d = JSON.parse(JSON.stringify(s)) as string;
    detachedStrings.set(d, d);
  }
  return d;
}

/** A deep copy of plain data (objects, arrays, strings, numbers, booleans), its strings detached: what structuredClone gives, at a fraction of its cost. */
function plainCopy<T>(value: T): T {
  if (typeof value === 'string') return detached(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plainCopy) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = plainCopy((value as Record<string, unknown>)[k]);
  return out as T;
}

interface CachedAnalysis {
  version: number;
  generation: number;
  /** The document's re-check count when analysed: a summary it read changed since (`epochs`). */
  epoch: number;
  snapshot: TextDocument;
  result: AnalysisResult;
  /** The project root it was analysed in, and the project knowledge it read. */
  root?: string;
  reads: ProjectRead[];
}

const SOURCE_FILE = /\.(?:c|h|go)$/i;

export interface ServerOptions {
  /** Milliseconds between re-analyses of one document while edits keep arriving. */
  debounceMs?: number;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments<LintDocument>(lintDocumentsConfiguration);
  let caps: ClientCapabilities = {};
  let debounceMs = DEFAULT_DEBOUNCE_MS;
  let workspaceRoots: string[] = [];
  let pushedSettings: unknown; // settings from didChangeConfiguration / initializationOptions
  let generation = 0; // bumped whenever settings or a config file change
  const settingsCache = new Map<string, Promise<unknown>>();
  const analyses = new Map<string, CachedAnalysis>();
  const timers = new Map<string, NodeJS.Timeout>();
  const lastRun = new Map<string, number>();
  const shownProblems = new Set<string>();
  /**
   * Per-function results of documents analysed with the project index, one cache per
   * document: a function's result there also rests on other files, which the shared cache's
   * keys do not see, so a document's cache is dropped when what it read changes.
   *
   * `reads`: everything the analyses that filled the cache read from the project. A result
   * served from the cache reads nothing itself (the core records a read only when a function
   * is analysed), yet rests on what its function's first analysis read: so an analysis
   * answers for all of these (a superset: a re-check too many, never one too few).
   */
  const projectCaches = new Map<string, { cache: ReturnType<typeof createAnalysisCache>; seen: number; reads: Map<string, string> }>();
  /** Counts project changes (edits, files on disk), so a document's cache is checked once per change. */
  let projectChanges = 0;
  /** Per document: how many times a change elsewhere made its result stale. */
  const epochs = new Map<string, number>();
  /** Open documents by absolute path (the project host reads them instead of the disk). */
  const openByPath = new Map<string, LintDocument>();
  const projects = new ServerProjects(
    (abs) => openByPath.get(abs)?.getText(),
    () => openByPath.keys(),
    (root, host) => void indexInBackground(root, host),
  );

  const log = (message: string) => connection.console.error(message);

  function guard<A extends unknown[], R>(name: string, fallback: R, fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      try {
        return await fn(...args);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        log(`vforklint: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return fallback;
      }
    };
  }

  const pullDiagnostics = () => caps.textDocument?.diagnostic !== undefined;
  const canConfigure = () => caps.workspace?.configuration === true;

  async function settingsFor(uri: string): Promise<unknown> {
    if (!canConfigure()) {
      const s = pushedSettings as { vforklint?: unknown } | undefined;
      return s && typeof s === 'object' && 'vforklint' in s ? s.vforklint : s;
    }
    let p = settingsCache.get(uri);
    if (!p) {
      p = connection.workspace.getConfiguration({ scopeUri: uri, section: 'vforklint' }).then(
        (v) => v,
        (e: unknown) => {
          log(`vforklint: workspace/configuration failed (${e instanceof Error ? e.message : String(e)}); using defaults`);
          return undefined;
        },
      );
      settingsCache.set(uri, p);
    }
    return p;
  }

  /** Walk a new project's files in the background, as work done progress where the client shows it. */
  async function indexInBackground(root: string, host: OverlayHost): Promise<void> {
    if (caps.window?.workDoneProgress !== true) return host.walkInBackground(() => undefined);
    let reporter;
    try {
      reporter = await connection.window.createWorkDoneProgress();
    } catch {
      return host.walkInBackground(() => undefined);
    }
    reporter.begin('vforklint: indexing', undefined, root, false);
    try {
      await host.walkInBackground((n) => reporter.report(`${n} C and Go files in ${root}`));
    } finally {
      reporter.done();
    }
  }

  /** Re-check the open documents whose last result read project knowledge that changed (and only those). */
  let dependentsTimer: NodeJS.Timeout | undefined;
  function recheckDependentsSoon(changed: ReadonlySet<string>): void {
    if (dependentsTimer) return;
    dependentsTimer = setTimeout(() => {
      dependentsTimer = undefined;
      guard('project re-check', undefined, () => recheckDependents(changed))().catch(() => undefined);
    }, debounceMs);
  }
  const changedUris = new Set<string>();
  function recheckDependents(changed: ReadonlySet<string>): void {
    const skip = new Set(changed);
    changedUris.clear();
    let any = false;
    for (const doc of documents.all()) {
      const a = analyses.get(doc.uri);
      if (!a || skip.has(doc.uri) || a.root === undefined || a.reads.length === 0) continue;
      if (!projects.stale(a.root, a.reads)) continue;
      projectCaches.delete(doc.uri);
      epochs.set(doc.uri, (epochs.get(doc.uri) ?? 0) + 1);
      any = true;
      lastRun.delete(doc.uri);
      schedule(doc.uri);
    }
    if (any && pullDiagnostics() && caps.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh().catch(() => undefined);
  }

  /**
   * Keystrokes in an open document reach the index once the document is quiet (or before
   * another document reads the index): the index re-parses an edited file holding a fork
   * spelling to know its fork wrappers, which on a 10,000-line file costs more than the
   * keystroke's own analysis. Meanwhile the edited document's analysis reads the index as it
   * was before the burst (other files' summaries, which its own text does not change; its own
   * functions' wrapper checks); when the burst ends, the documents whose reads changed,
   * itself included, are re-checked.
   */
  const pendingEdits = new Set<string>();
  let pendingTimer: NodeJS.Timeout | undefined;
  const QUIET_MS = 300;
  function editedSoon(path: string): void {
    pendingEdits.add(path);
    if (pendingTimer) clearTimeout(pendingTimer);
    pendingTimer = setTimeout(() => guard('project edits', undefined, flushEdits)().catch(() => undefined), Math.max(QUIET_MS, debounceMs));
  }
  function flushEdits(): void {
    if (pendingTimer) clearTimeout(pendingTimer);
    pendingTimer = undefined;
    if (pendingEdits.size === 0) return;
    const paths = [...pendingEdits];
    pendingEdits.clear();
    projectFilesChanged(paths, false, []);
  }

  /** Files changed (absolute paths): the indexes forget them, dependents are re-checked. */
  function projectFilesChanged(paths: string[], listChanged: boolean, uris: string[]): void {
    if (paths.length === 0 || projects.isEmpty) return; // no index yet: nothing to forget
    projects.invalidate(paths, listChanged);
    projectChanges++;
    for (const u of uris) changedUris.add(u);
    recheckDependentsSoon(changedUris);
  }

  async function configFor(doc: LintDocument): Promise<EffectiveConfig> {
    const settings = await settingsFor(doc.uri);
    const eff = effectiveConfig(settings, uriToPath(doc.uri), workspaceRoots);
    for (const problem of eff.problems) {
      if (shownProblems.has(problem)) continue;
      shownProblems.add(problem);
      log(`vforklint: ${problem}`);
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `vforklint: ${problem}` });
    }
    return eff;
  }

  /** The analysis of the document's current version, computed once. */
  async function analysisOf(doc: LintDocument): Promise<CachedAnalysis> {
    const current = (c: CachedAnalysis | undefined, gen: number) => c && c.version === doc.version && c.generation === gen && c.epoch === (epochs.get(doc.uri) ?? 0);
    const cached = analyses.get(doc.uri);
    if (current(cached, generation)) return cached!;
    const gen = generation;
    const epoch = epochs.get(doc.uri) ?? 0;
    const eff = await configFor(doc);
    const again = analyses.get(doc.uri);
    if (current(again, gen)) return again!;
    const text = doc.getText();
    let result: AnalysisResult;
    let root: string | undefined;
    if (!doc.language || !eff.enable || eff.ignored) {
      result = { findings: [], forkSites: [], skipped: true };
    } else {
      const tree = doc.treeFor(eff.config);
      // The index is consulted only for a text with a fork spelling (a tree): other keystrokes cost what they did.
      const path = uriToPath(doc.uri);
      // Another document's pending edits first: this one must read them.
      if (tree && pendingEdits.size > 0 && !(pendingEdits.size === 1 && path !== undefined && pendingEdits.has(path))) flushEdits();
      const found = tree ? projects.optionFor(path, eff.project) : undefined;
      const project = found?.option;
      root = found?.root;
      // Diagnostics need no fixes: the frame split is computed only when a code action or a
      // hover asks for it (fullAnalysisOf). The slim copy also holds none of the core's
      // strings, which can be slices of much larger ones.
      let cache = functionCache;
      if (project) {
        let mine = projectCaches.get(doc.uri);
        if (mine && mine.seen !== projectChanges) {
          // Something changed since: keep the cache only while what the last result read holds.
          const last = analyses.get(doc.uri);
          if (!last || last.root === undefined || projects.stale(last.root, last.reads)) mine = undefined;
          else mine.seen = projectChanges;
        }
        if (!mine) projectCaches.set(doc.uri, (mine = { cache: createAnalysisCache(1000), seen: projectChanges, reads: new Map() }));
        cache = mine.cache;
      }
      const options = { ...(tree ? { tree } : {}), cache, ...(project ? { project } : {}) };
      result = slimCopy(analyze(text, doc.language, eff.config, options), root);
      doc.releaseIfIdle();
      const mine = project ? projectCaches.get(doc.uri) : undefined;
      if (mine && !result.internalError) {
        for (const r of result.projectReads ?? []) mine.reads.set(r.key, r.fingerprint);
        result.projectReads = [...mine.reads].map(([key, fingerprint]) => ({ key, fingerprint }));
      }
      if (result.internalError) log(`vforklint: analysis failed on ${doc.uri} (version ${doc.version}): ${result.internalError}`);
      if (!result.skipped) scheduleNativeGc();
    }
    const entry: CachedAnalysis = { version: doc.version, generation: gen, epoch, snapshot: TextDocument.create(doc.uri, doc.text.languageId, doc.version, text), result, ...(root !== undefined ? { root } : {}), reads: result.projectReads ?? [] };
    analyses.set(doc.uri, entry);
    return entry;
  }

  /** The analysis with its fixes (the split is computed on first read), for one document version at a time. */
  let full: { uri: string; version: number; generation: number; result: AnalysisResult } | undefined;
  async function fullAnalysisOf(doc: LintDocument, a: CachedAnalysis): Promise<AnalysisResult> {
    if (full && full.uri === doc.uri && full.version === a.version && full.generation === a.generation) return full.result;
    if (a.result.skipped || !doc.language || a.result.findings.length === 0) return a.result;
    const eff = await configFor(doc);
    const tree = doc.version === a.version ? doc.treeFor(eff.config) : undefined;
    const result = analyze(a.snapshot.getText(), doc.language, eff.config, tree ? { tree } : {});
    // The server keeps its own trees: do not hold on to one the core parsed for itself.
    forgetSharedParses();
    full = { uri: doc.uri, version: a.version, generation: a.generation, result };
    return result;
  }

  async function publish(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    lastRun.set(uri, Date.now());
    const a = await analysisOf(doc);
    // A newer version arrived meanwhile: its own run publishes; never publish stale results.
    if (documents.get(uri) !== doc || doc.version !== a.version) return;
    await connection.sendDiagnostics({ uri, version: a.version, diagnostics: diagnosticsOf(a.result, uri) });
  }

  /** Debounced re-analysis: at once when the document was quiet, else at most once per window. */
  function schedule(uri: string): void {
    if (pullDiagnostics()) return; // the client asks when it wants them
    if (timers.has(uri)) return; // the pending run reads the newest version
    const wait = Math.max(0, (lastRun.get(uri) ?? 0) + debounceMs - Date.now());
    const timer = setTimeout(() => {
      timers.delete(uri);
      guard('diagnostics', undefined, publish)(uri).catch(() => undefined);
    }, wait);
    timers.set(uri, timer);
  }

  function reanalyzeAll(): void {
    generation++;
    settingsCache.clear();
    if (pullDiagnostics()) {
      if (caps.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh().catch(() => undefined);
      return;
    }
    for (const doc of documents.all()) {
      lastRun.delete(doc.uri);
      schedule(doc.uri);
    }
  }

  function editTarget(uri: string, version: number): EditTarget {
    return { uri, version, documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true };
  }

  function checkCancelled(token: CancellationToken | undefined): void {
    if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
  }

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    // The client sends documents only after this answer: load the parsers first.
    await initParsers();
    caps = params.capabilities;
    const init = (params.initializationOptions ?? {}) as { debounceMs?: unknown; settings?: unknown };
    if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
    if (init.settings !== undefined) pushedSettings = init.settings;
    const folders = params.workspaceFolders ?? [];
    workspaceRoots = folders.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
    if (workspaceRoots.length === 0 && params.rootUri) {
      const p = uriToPath(params.rootUri);
      if (p) workspaceRoots = [p];
    }
    const result: InitializeResult = {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, CodeActionKind.SourceFixAll] },
        hoverProvider: true,
        executeCommandProvider: { commands: [FIX_ALL_COMMAND] },
      },
      serverInfo: { name: 'vforklint-lsp', version: '0.1.0' },
    };
    if (pullDiagnostics()) {
      result.capabilities.diagnosticProvider = { identifier: 'vforklint', interFileDependencies: false, workspaceDiagnostics: false };
    }
    return result;
  });

  connection.onInitialized(
    guard('initialized', undefined, async () => {
      if (caps.workspace?.didChangeConfiguration?.dynamicRegistration) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: 'vforklint' });
      }
      if (caps.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [...CONFIG_FILE_NAMES.map((name) => ({ globPattern: `**/${name}` })), { globPattern: '**/*.{c,h,go}' }],
        });
      }
      // Index each workspace folder's project in the background, before documents ask for it.
      for (const folder of workspaceRoots) {
        const eff = effectiveConfig(await settingsFor(pathToFileURL(folder).href), join(folder, '_'), workspaceRoots);
        if (eff.project.enabled) projects.project(projects.rootForDirectory(folder, eff.project));
      }
    }),
  );

  connection.onDidChangeConfiguration(
    guard('didChangeConfiguration', undefined, (params) => {
      const s = params.settings as unknown;
      if (!canConfigure() && s !== null && s !== undefined) pushedSettings = s;
      reanalyzeAll();
    }),
  );

  connection.onDidChangeWatchedFiles(
    guard('didChangeWatchedFiles', undefined, (params) => {
      flushEdits();
      const sources: string[] = [];
      let listChanged = false;
      let configChanged = false;
      for (const change of params.changes) {
        const path = uriToPath(change.uri);
        if (!path || !SOURCE_FILE.test(path)) {
          // A configuration file (or anything else a client reports): re-check everything, as before.
          configChanged = true;
          continue;
        }
        sources.push(path);
        if (change.type !== 2) listChanged = true; // created or deleted
      }
      projectFilesChanged(sources, listChanged, []);
      if (configChanged) reanalyzeAll();
    }),
  );

  documents.onDidChangeContent((e) => {
    const path = uriToPath(e.document.uri);
    if (path) {
      const opened = !openByPath.has(path);
      openByPath.set(path, e.document);
      // The text the index reads for this file changed (or now comes from the editor; a new
      // file that is not on disk yet joins the file list); a keystroke, once the burst ends.
      if (opened) projectFilesChanged([path], !existsSync(path), [e.document.uri]);
      else if (!projects.isEmpty) editedSoon(path);
    }
    schedule(e.document.uri);
  });
  documents.onDidClose(
    guard('didClose', undefined, (e) => {
      const uri = e.document.uri;
      e.document.dropTree();
      const t = timers.get(uri);
      if (t) clearTimeout(t);
      timers.delete(uri);
      analyses.delete(uri);
      lastRun.delete(uri);
      settingsCache.delete(uri);
      epochs.delete(uri);
      projectCaches.delete(uri);
      const path = uriToPath(uri);
      flushEdits();
      if (path && openByPath.delete(path)) projectFilesChanged([path], !existsSync(path), []); // the disk's text again
      if (!pullDiagnostics()) void connection.sendDiagnostics({ uri, diagnostics: [] });
    }),
  );

  connection.languages.diagnostics.on(
    guard('textDocument/diagnostic', { kind: DocumentDiagnosticReportKind.Full, items: [] } as DocumentDiagnosticReport, async (params, token): Promise<DocumentDiagnosticReport> => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      // Debounce: while edits keep coming, wait out the window; a newer request cancels this one.
      const wait = (lastRun.get(doc.uri) ?? 0) + debounceMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      checkCancelled(token);
      lastRun.set(doc.uri, Date.now());
      const a = await analysisOf(doc);
      checkCancelled(token);
      const resultId = `${a.version}:${a.generation}:${a.epoch}`;
      if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
      return { kind: DocumentDiagnosticReportKind.Full, resultId, items: diagnosticsOf(a.result, doc.uri) };
    }),
  );

  connection.onCodeAction(
    guard('textDocument/codeAction', [], async (params, token) => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      const a = await analysisOf(doc);
      checkCancelled(token);
      if (a.version !== doc.version) throw new ResponseError(LSPErrorCodes.ContentModified, 'document changed');
      const target = editTarget(doc.uri, a.version);
      const only = params.context.only;
      const withFixes = await fullAnalysisOf(doc, a);
      checkCancelled(token);
      const actions = quickFixes(withFixes, a.snapshot, target, params.range, {
        only,
        disabledSupport: caps.textDocument?.codeAction?.disabledSupport === true,
        ...(doc.language ? { language: doc.language } : {}),
      });
      if (only && doc.language) {
        const eff = await configFor(doc);
        const before = a.snapshot.getText();
        const wantsFixAll = only.some((o) => FIX_ALL_KIND === o || FIX_ALL_KIND.startsWith(`${o}.`));
        if (eff.enable && !eff.ignored && wantsFixAll) {
          const fixed = fixSource(before, doc.language, eff.config);
          forgetSharedParses();
          const action = fixAllAction(before, fixed.text, target, only);
          if (action) actions.push(action);
        }
      }
      return actions;
    }),
  );

  connection.onExecuteCommand(
    guard('workspace/executeCommand', null, async (params) => {
      if (params.command !== FIX_ALL_COMMAND) throw new ResponseError(-32602, `unknown command ${params.command}`);
      const uri = params.arguments?.[0];
      const doc = typeof uri === 'string' ? documents.get(uri) : undefined;
      if (!doc || !doc.language) throw new ResponseError(-32602, `${FIX_ALL_COMMAND}: no open C or Go document ${String(uri)}`);
      const eff = await configFor(doc);
      if (!eff.enable || eff.ignored) return { applied: 0 };
      const before = doc.getText();
      const fixed = fixSource(before, doc.language, eff.config);
      forgetSharedParses();
      for (const d of fixed.declined) log(`vforklint: fix all: line ${d.line} (${d.rule}) not fixed: ${d.reason}`);
      if (!fixed.changed || fixed.text === before) return { applied: 0 };
      const res = await connection.workspace.applyEdit({ label: 'vforklint: fix all', edit: fixAllEdit(before, fixed.text, editTarget(doc.uri, doc.version)) });
      return { applied: res.applied ? fixed.applied.length : 0 };
    }),
  );

  connection.onHover(
    guard('textDocument/hover', null, async (params, token) => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return null;
      const a = await analysisOf(doc);
      checkCancelled(token);
      const withFixes = await fullAnalysisOf(doc, a);
      return hoverAt(withFixes, a.snapshot.offsetAt(params.position)) ?? null;
    }),
  );

  connection.onShutdown(() => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    if (dependentsTimer) clearTimeout(dependentsTimer);
    dependentsTimer = undefined;
    if (pendingTimer) clearTimeout(pendingTimer);
    pendingTimer = undefined;
  });

  documents.listen(connection);
  connection.listen();
}
