#!/usr/bin/env node
/**
 * `vforklint [options] [files, dirs or globs...]`: the command pre-commit hooks and CI run.
 * Exit codes as ESLint: 0 clean (or warnings within --max-warnings), 1 lint errors or too
 * many warnings, 2 usage, config or internal error (also: a path that could not be read).
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigResolver, loadConfigFile } from './config.js';
import { Discovery, languageForExtension, type DiscoveryProblem } from './discover.js';
import { UsageError } from './errors.js';
import { countResults, type FormatContext } from './formatters/common.js';
import type { FileResult, Linter } from './lint.js';
import { ResultCache, cacheFilePath, planFiles } from './cache.js';
import { projectRootOfDir } from './project-files.js';
import type { VforklintConfig } from '../rules/index.js';
import { parseOptions, type CliOptions, type Format } from './options.js';
import { Progress } from './progress.js';

export interface CliIo {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<Buffer>;
  stdoutIsTTY: boolean;
}

export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function repoRoot(cwd: string): string {
  for (let d = cwd; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return cwd;
  }
}

/**
 * The rule the frame split fixes (RULES: the split is the fix for a parent that reuses the
 * child's frame; see docs/fixes.md). The rule metadata has no field for it, so the CLI names it.
 */
const SPLIT_RULE = 'parent-reuses-frame';

/*
 * Start-up loads only what every run uses: the linter when a file is to be linted (a
 * `--cache` run that replays the last one never loads it), the analysis core (and with it
 * tree-sitter) when the first file passes the pre-scan (lint-file.ts), and the report's
 * formatter, the fixer's diff, the rule list and the ESLint plugin when asked for.
 */

/** The ESLint plugin's one rule of its own (JavaScript and TypeScript), listed beside the core rules. */
async function eslintOnlyRule() {
  const { noFfiVfork } = await import('../eslint-plugin/no-ffi-vfork.js');
  const meta = noFfiVfork.meta!;
  return { id: 'no-ffi-vfork', description: meta.docs?.description ?? '', defaultSeverity: 'error', languages: ['js', 'ts'], fixable: false, split: false, hasSuggestions: false, docsUrl: meta.docs?.url ?? '', eslintOnly: true };
}

async function listRules(format: Format): Promise<string> {
  const { RULE_METAS } = await import('../rules/index.js');
  const rows = [
    ...RULE_METAS.map((m) => ({ id: m.id as string, description: m.description, defaultSeverity: m.defaultSeverity as string, languages: m.languages as string[], fixable: m.fixable, split: m.id === SPLIT_RULE, hasSuggestions: m.hasSuggestions, docsUrl: m.docsUrl, eslintOnly: false })),
    await eslintOnlyRule(),
  ];
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const width = Math.max(...rows.map((m) => m.id.length));
  const fixColumn = (m: (typeof rows)[number]) => (m.fixable ? 'fix' : m.split ? 'split' : '');
  const lines = rows.map((m) => `${m.id.padEnd(width)}  ${m.defaultSeverity.padEnd(7)}  ${m.languages.join(',').padEnd(5)}  ${fixColumn(m).padEnd(5)}  ${m.eslintOnly ? '(ESLint plugin only) ' : ''}${m.description}`);
  return `${lines.join('\n')}\n\nfix: --fix applies a safe fix; split: --fix applies the frame split (docs/fixes.md).\n`;
}

async function format(name: Format, ctx: FormatContext): Promise<string> {
  switch (name) {
    case 'compact':
      return (await import('./formatters/compact.js')).formatCompact(ctx);
    case 'json':
      return (await import('./formatters/json.js')).formatJson(ctx);
    case 'sarif':
      return (await import('./formatters/sarif.js')).formatSarif(ctx);
    case 'github':
      return (await import('./formatters/github.js')).formatGithub(ctx);
    default:
      return (await import('./formatters/stylish.js')).formatStylish(ctx);
  }
}

/** Lines describing what --fix / --fix-dry-run did for one file. */
function fixReport(r: FileResult, cwd: string, dryRun: boolean, withDiff: boolean, unifiedDiff: (a: string, b: string, an: string, bn: string) => string): string {
  if (!r.fix) return '';
  const name = relative(cwd, r.path) || r.path;
  let out = '';
  for (const a of r.fix.applied) out += `${name}:${a.line}: ${dryRun ? 'would fix' : 'fixed'}: ${a.title} (${a.rule})\n`;
  for (const d of r.fix.declined) out += `${name}:${d.line}: fix declined (${d.rule}): ${d.reason}\n`;
  if (r.fix.refused) out += `${name}: not written: ${r.fix.refused}\n`;
  if (withDiff && dryRun && r.fix.output !== undefined && r.text !== undefined) out += unifiedDiff(r.text, r.fix.output, `a/${name}`, `b/${name}`);
  return out;
}

async function readStdinInput(opts: CliOptions, io: CliIo, linter: Linter): Promise<FileResult> {
  const bytes = await io.readStdin();
  const name = opts.stdinFilename ?? '<stdin>';
  const path = resolve(io.cwd, name);
  const ext = extname(name).toLowerCase();
  const { languageForPath } = await import('../rules/index.js');
  const language = languageForPath(name) ?? (opts.extensions.includes(ext) ? languageForExtension(ext) : opts.stdinFilename ? undefined : 'c');
  if (!language) throw new UsageError(`--stdin-filename ${name}: not a C or Go file name (.c, .h, .go, or an --ext extension)`);
  return linter.lintText(path, language, bytes);
}

/** Run the CLI; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let progress: Progress | null = null;
  let linter = null as Linter | null;
  try {
    const parsed = parseOptions(argv, toolVersion());
    if ('answered' in parsed) {
      io.stdout(parsed.output);
      return 0;
    }
    const opts = parsed;
    if (opts.listRules) {
      io.stdout(await listRules(opts.format));
      return 0;
    }
    const explicit = opts.config ? loadConfigFile(resolve(io.cwd, opts.config)) : null;
    const configs = new ConfigResolver(explicit, { rules: opts.rules, strict: opts.strict }, opts.configLookup);
    if (opts.printConfig) {
      const file = resolve(io.cwd, opts.printConfig);
      const dir = dirname(file);
      const analysis = configs.analysisConfig(dir);
      const { RULE_IDS, resolveSeverity } = await import('../rules/index.js');
      const rulesInForce = Object.fromEntries(RULE_IDS.map((id) => [id, resolveSeverity(id, analysis)]));
      const printed = { ...configs.forDirectory(dir), rulesInForce, configFiles: configs.sourceFor(dir) };
      io.stdout(`${JSON.stringify(printed, null, 2)}\n`);
      return 0;
    }
    const fixMode = opts.fix ? 'fix' : opts.fixDryRun ? 'dry-run' : 'none';
    progress = opts.stdin ? null : Progress.create(opts.progress);
    const prog = progress;
    const warn = (m: string) => io.stderr(`vforklint: warning: ${m}\n`);
    // --fix and --fix-dry-run must compute the fixes: they neither read nor write the cache.
    const cache = opts.cache && !opts.stdin && fixMode === 'none' ? ResultCache.load(cacheFilePath(io.cwd, opts.cacheLocation), io.cwd, toolVersion(), warn) : undefined;
    const keepFixes = opts.format === 'json' || opts.format === 'sarif';
    const newLinter = async () => {
      const { Linter } = await import('./lint.js');
      return (linter = new Linter({ jobs: opts.jobs, fixMode, keepFixes, configs, onProgress: prog ? (d, t) => prog.update(d, t) : undefined, projectIndex: opts.projectIndex, projectRoot: opts.projectRoot, ...(cache ? { cache } : {}) }));
    };

    let results: FileResult[];
    let problems: DiscoveryProblem[] = [];
    let fatal = false;
    if (opts.stdin) {
      results = [await readStdinInput(opts, io, await newLinter())];
    } else {
      // A directory or a glob may hold many files: let the workers start while the tree is walked
      // (with --cache, only once the last run's results are known not to hold).
      if (!cache && (opts.paths.length === 0 || opts.paths.some((p) => !/\.(c|h|go)$/i.test(p)))) (await newLinter()).prewarm();
      const discovery = new Discovery({ cwd: io.cwd, extensions: opts.extensions, useIgnore: opts.ignore, ignorePath: opts.ignorePath, configs, warnIgnored: opts.warnIgnored, errorOnUnmatchedPattern: opts.errorOnUnmatchedPattern, record: !!cache });
      const args = opts.paths.length ? opts.paths : ['.'];
      // With --cache, the last walk while no directory it read changed.
      if (cache?.discovery && discovery.replay(args, cache.discovery)) cache.walkReplayed();
      else {
        for (const p of args) await discovery.addArgument(p);
        if (cache) cache.discovery = discovery.record(args);
      }
      for (const p of discovery.problems) {
        // Messages about an argument that named nothing to check quote the argument themselves.
        const where = p.kind === 'unmatched' ? '' : `${relative(io.cwd, p.absolutePath) || p.path}: `;
        io.stderr(`vforklint: ${p.fatal ? '' : 'warning: '}${where}${p.message}\n`);
        if (p.fatal) fatal = true;
      }
      problems = discovery.problems;
      if (cache) {
        const rootOf = opts.projectIndex === false ? undefined : (dir: string) => projectRootOfDir(dir, opts.projectRoot);
        // Directories under the same configuration files have the same configuration: one object, one key.
        const bySource = new Map<string, VforklintConfig>();
        const configFor = (dir: string) => {
          const source = configs.sourceFor(dir).join('\0');
          let config = bySource.get(source);
          if (!config) bySource.set(source, (config = configs.analysisConfig(dir)));
          return config;
        };
        const plan = planFiles(discovery.files, configFor, keepFixes, rootOf, io.cwd);
        const replayed = cache.replay(plan);
        if (replayed) results = replayed;
        else {
          const lint = await newLinter();
          const { MIN_FILES_FOR_WORKERS } = await import('./lint.js');
          if (discovery.files.length >= MIN_FILES_FOR_WORKERS) lint.prewarm();
          const snapshot = cache.snapshot(plan);
          results = await lint.lintFiles(discovery.files);
          cache.recordRun(plan, results, snapshot);
        }
      } else results = await (linter ?? (await newLinter())).lintFiles(discovery.files);
    }
    progress?.clear();
    if (cache) {
      if (cache.changed) cache.save(warn);
      // A signal for tests and for checking a CI cache works (no timing involved).
      const s = cache.stats;
      if (/\bcache\b/.test(process.env.VFORKLINT_DEBUG ?? '')) io.stderr(`vforklint: cache: ${s.reused} reused, ${s.analysed} analysed; ${s.statHits} unchanged by stat, ${s.hashed} hashed${s.walkReplayed ? '; walk replayed' : ''}${s.replayed ? '; replayed, nothing linted' : ''}\n`);
    }

    for (const r of results) {
      for (const n of r.notAnalysed ?? []) {
        const lines = n.range.start.line === n.range.end.line ? `line ${n.range.start.line}` : `lines ${n.range.start.line}-${n.range.end.line}`;
        io.stderr(`vforklint: warning: ${relative(io.cwd, r.path) || r.path}:${n.range.start.line}: ${lines} not fully analysed: ${n.reason}\n`);
      }
      for (const note of r.projectNotes ?? []) io.stderr(`vforklint: note: ${relative(io.cwd, r.path) || r.path}: ${note}\n`);
      if (r.error) {
        io.stderr(`vforklint: ${relative(io.cwd, r.path) || r.path}: ${r.error}\n`);
        fatal = true;
      }
    }
    if (opts.quiet) for (const r of results) r.findings = r.findings.filter((f) => f.severity === 'error');

    const human = opts.format === 'stylish' || opts.format === 'compact';
    const color = human && !opts.outputFile && io.stdoutIsTTY && !process.env.NO_COLOR;
    const ctx: FormatContext = { results, cwd: io.cwd, root: repoRoot(io.cwd), color, toolVersion: toolVersion(), fixMode, problems };
    if (fixMode !== 'none') {
      const { unifiedDiff } = await import('./diff.js');
      let report = results.map((r) => fixReport(r, io.cwd, fixMode === 'dry-run', opts.format !== 'json', unifiedDiff)).join('');
      if (!report) report = fixMode === 'dry-run' ? 'nothing to fix: --fix would change no file\n' : 'nothing to fix: no file was changed\n';
      // On stdout unless stdout carries a machine-readable report.
      if (report) (human || opts.outputFile ? io.stdout : io.stderr)(report);
    }
    const text = await format(opts.format, ctx);
    if (opts.outputFile) {
      const out = resolve(io.cwd, opts.outputFile);
      try {
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, text);
      } catch (e) {
        throw new UsageError(`--output-file ${opts.outputFile}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    } else io.stdout(text);

    if (fatal) return 2;
    const c = countResults(results);
    if (c.errors > 0) return 1;
    if (opts.maxWarnings >= 0 && c.warnings > opts.maxWarnings) {
      io.stderr(`vforklint: too many warnings (${c.warnings}); the maximum is ${opts.maxWarnings}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    progress?.clear();
    if (e instanceof UsageError) io.stderr(`vforklint: ${e.message}\n`);
    else io.stderr(`vforklint: internal error: ${e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 2).join(' ') : String(e)}\n`);
    return 2;
  } finally {
    await linter?.close();
  }
}

function readAllStdin(): Promise<Buffer> {
  return new Promise((resolveP, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolveP(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

const closedPipes = new Set<number>();

function writeSync(fd: 1 | 2) {
  return (s: string): void => {
    if (s && !closedPipes.has(fd)) (fd === 1 ? process.stdout : process.stderr).write(s);
  };
}

function invokedPath(): string {
  try {
    return realpathSync(process.argv[1] ?? '');
  } catch {
    return resolve(process.argv[1] ?? '');
  }
}

const isMain = process.argv[1] !== undefined && invokedPath().replace(/\.js$/, '') === fileURLToPath(import.meta.url).replace(/\.js$/, '');
if (isMain) {
  // A closed pipe (`vforklint ... | head`): stop writing to it, finish, exit with the lint's code.
  for (const [fd, stream] of [[1, process.stdout], [2, process.stderr]] as const) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closedPipes.add(fd);
    });
  }
  const code = await runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: writeSync(1),
    stderr: writeSync(2),
    readStdin: readAllStdin,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  });
  process.exitCode = code;
}
