/** Command-line options (commander), validated into a plain object. */
import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import type { RuleId, Severity } from '../rules/index.js';
import { parseRuleFlag } from './config.js';
import { UsageError } from './errors.js';

export const FORMATS = ['stylish', 'compact', 'json', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface CliOptions {
  paths: string[];
  format: Format;
  outputFile?: string;
  config?: string;
  configLookup: boolean;
  rules: Partial<Record<RuleId, Severity>>;
  strict?: boolean;
  maxWarnings: number;
  quiet: boolean;
  stdin: boolean;
  stdinFilename?: string;
  ignorePath?: string;
  ignore: boolean;
  /** Warn about named files that are ignored (--no-warn-ignored: silently skip them). */
  warnIgnored: boolean;
  /** A path or pattern that names nothing to check is an error (--no-error-on-unmatched-pattern: skip it). */
  errorOnUnmatchedPattern: boolean;
  extensions: string[];
  jobs: number;
  fix: boolean;
  fixDryRun: boolean;
  printConfig?: string;
  listRules: boolean;
  progress: boolean;
  /** Follow callees into other files of the project (--no-project-index: off). */
  projectIndex: boolean;
  /** The project root (--project-root); absent: the root rule per file. */
  projectRoot?: string;
  /** --cache: reuse results of unchanged files (cache.ts); --cache-location: where. */
  cache: boolean;
  cacheLocation?: string;
}

/** What parseOptions returns when commander already answered (--help, --version). */
export interface Answered {
  answered: true;
  output: string;
}

export const DEFAULT_EXTENSIONS = ['.c', '.h', '.go'];

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function integer(flag: string, min: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${flag} "${value}": expected an integer >= ${min}`);
    return Number(value);
  };
}

export function buildCommand(version: string): Command {
  const cmd = new Command('vforklint')
    .description('Find vfork-unsafe code in C and Go (and fix it).')
    .argument('[paths...]', 'files, directories or glob patterns to check (default: .)')
    .addOption(new Option('-f, --format <name>', 'output format').choices([...FORMATS]).default('stylish'))
    .option('-o, --output-file <path>', 'write the report to this file instead of standard output')
    .option('-c, --config <path>', 'use this config file on top of the discovered ones')
    .option('--no-config-lookup', 'do not look for .vforklintrc.json / vforklint.config.json / package.json')
    .option('--rule <id:severity>', 'set a rule severity (off, warn or warning, error, or 0, 1, 2); repeatable', collect, [])
    .option('--strict', 'POSIX-strict analysis (see the rules docs)')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings (-1: no limit)', integer('--max-warnings', -1), -1)
    .option('--quiet', 'report errors only')
    .option('--stdin', 'lint the text on standard input')
    .option('--stdin-filename <path>', 'file name for --stdin (picks the language and the config)')
    .option('--ignore-path <path>', 'an extra ignore file in .gitignore syntax, relative to the working directory')
    .option('--no-ignore', 'disable .gitignore, --ignore-path, ignorePatterns and the node_modules default')
    .option('--no-warn-ignored', 'do not warn about files named on the command line that are ignored')
    .option('--no-error-on-unmatched-pattern', 'a path or pattern with nothing to check (missing, or all its files ignored) is not an error')
    .option('--ext <exts>', 'more file extensions to check in directories, comma separated (.go is Go, others C); repeatable', collect, [])
    .option('--project-root <dir>', 'the project whose other files the analysis follows calls into (default: the nearest directory above each file with .git, a vforklint config, go.mod or package.json)')
    .option('--no-project-index', 'do not follow calls into other files of the project')
    .option('-j, --jobs <n>', `worker threads for parsing (default: the number of CPUs, ${availableParallelism()} here)`, integer('--jobs', 1))
    .option('--fix', 'apply safe fixes (and the frame split) to the files')
    .option('--fix-dry-run', 'print the fixes as a unified diff; write nothing')
    .option('--print-config <file>', 'print the configuration that applies to a file and exit')
    .option('--list-rules', 'list the rules and exit')
    .option('--no-progress', 'never show the progress line (shown only on a terminal)')
    .option('--cache', 'reuse the results of files unchanged since the last run (and of the helpers they call)')
    .option('--cache-location <path>', 'the cache file, or a directory for it (default: .vforklintcache)')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', '\nExit codes: 0 no errors (and warnings within --max-warnings), 1 lint errors or too many warnings, 2 usage, config or internal error.')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
  return cmd;
}

export function parseOptions(argv: string[], version: string): CliOptions | Answered {
  const cmd = buildCommand(version);
  let out = '';
  let err = '';
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s), outputError: (s) => (err += s) });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return { answered: true, output: out };
      const first = (err || e.message).split('\n').find((l) => l.trim()) ?? e.message;
      throw new UsageError(`${first.replace(/^error:\s*/, '')} (see --help)`);
    }
    throw e;
  }
  const o = cmd.opts<Record<string, unknown>>();
  const rules: Partial<Record<RuleId, Severity>> = {};
  for (const r of (o.rule as string[]).flatMap((s) => s.split(',')).filter((s) => s.trim())) {
    const [id, sev] = parseRuleFlag(r);
    rules[id] = sev;
  }
  const extensions = [...DEFAULT_EXTENSIONS];
  for (const e of (o.ext as string[]).flatMap((s) => s.split(','))) {
    const t = e.trim().toLowerCase();
    if (!t) continue;
    if (!/^\.?[\w.+-]+$/.test(t)) throw new UsageError(`--ext "${e}": expected extensions like .c,.h,.go`);
    const ext = t.startsWith('.') ? t : `.${t}`;
    if (!extensions.includes(ext)) extensions.push(ext);
  }
  const opts: CliOptions = {
    paths: cmd.args,
    format: o.format as Format,
    outputFile: o.outputFile as string | undefined,
    config: o.config as string | undefined,
    configLookup: o.configLookup !== false,
    rules,
    strict: o.strict ? true : undefined,
    maxWarnings: o.maxWarnings as number,
    quiet: Boolean(o.quiet),
    stdin: Boolean(o.stdin),
    stdinFilename: o.stdinFilename as string | undefined,
    ignorePath: o.ignorePath as string | undefined,
    ignore: o.ignore !== false,
    warnIgnored: o.warnIgnored !== false,
    errorOnUnmatchedPattern: o.errorOnUnmatchedPattern !== false,
    extensions,
    projectIndex: o.projectIndex !== false,
    projectRoot: o.projectRoot as string | undefined,
    jobs: (o.jobs as number | undefined) ?? availableParallelism(),
    fix: Boolean(o.fix),
    fixDryRun: Boolean(o.fixDryRun),
    printConfig: o.printConfig as string | undefined,
    listRules: Boolean(o.listRules),
    progress: o.progress !== false,
    cache: Boolean(o.cache),
    cacheLocation: o.cacheLocation as string | undefined,
  };
  if (opts.fix && opts.fixDryRun) throw new UsageError('--fix and --fix-dry-run cannot be used together');
  if (opts.stdin && opts.fix) throw new UsageError('--fix cannot write standard input; use --fix-dry-run to see the diff');
  if (opts.stdin && opts.paths.length) throw new UsageError('--stdin takes no file arguments (name the text with --stdin-filename)');
  if (opts.stdinFilename && !opts.stdin) throw new UsageError('--stdin-filename needs --stdin');
  return opts;
}
