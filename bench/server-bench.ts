/**
 * Language-server benchmark (standalone: `node dist/bench/server-bench.js`; `npm run bench`
 * runs it as a child process). Prints:
 *  - latency from didChange to publishDiagnostics on a 10,000-line C file and a
 *    10,000-line Go file with several fork sites: p50/p99 over 500 single-character
 *    edits (server started with debounceMs 0, so the figure is the server's own work);
 *  - beside it, tree-sitter's incremental reparse alone on the same edits, in process;
 *  - the empty-publish round trip: the same edits on a one-line file with nothing to
 *    analyse (the protocol's own cost: JSON-RPC both ways and an empty publish);
 *  - the server's RSS with 100 such files open (with the project index on, and off), and
 *    with none (`--memory`: these alone).
 * Goals (docs/performance.md): p50 <= reparse + empty publish + 3 ms, p99 <= 20 ms,
 * RSS <= 150 MB. Figures are printed, not asserted; with `--json` the last line is
 * `JSON {...}` (`ServerFigures`) for `npm run bench` to read.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { initParsers, parseSource, releaseTree, type Language, type Tree } from '../rules/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = resolve(here, '..', 'server', 'main.js');
const LINES = Number(process.env.VFORKLINT_BENCH_LINES ?? 10_000);
const EDITS = Number(process.env.VFORKLINT_BENCH_EDITS ?? 500);
const OPEN_FILES = Number(process.env.VFORKLINT_BENCH_FILES ?? 100);
const SETTLE_MS = Number(process.env.VFORKLINT_BENCH_SETTLE_MS ?? 3000);

export function cFile(lines: number): string {
  const out = ['#define _GNU_SOURCE', '#include <sched.h>', '#include <signal.h>', '#include <sys/syscall.h>', '#include <sys/wait.h>', '#include <unistd.h>', '', 'static char *const envp[] = { NULL };', 'int counter;', ''];
  let n = 0;
  while (out.length < lines - 30) {
    n++;
    if (n % 60 === 0) {
      out.push(
        `int run_tool_${n}(char *const argv[])`,
        '{',
        '\tint status = 0;',
        '\tlong pid;',
        '',
        '\tpid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);',
        '\tif (pid == 0) {',
        '\t\tcounter = 1;',
        '\t\texecve(argv[0], argv, envp);',
        '\t\t_exit(127);',
        '\t}',
        '\tif (pid < 0)',
        '\t\treturn -1;',
        '\twaitpid((pid_t)pid, &status, 0);',
        '\treturn status;',
        '}',
        '',
      );
    } else {
      out.push(`static int filler_${n}(int a, int b)`, '{', '\tint sum = 0;', '\t// step note', `\tfor (int i = 0; i < a; i++)`, `\t\tsum += i * b + ${n};`, '\treturn sum;', '}', '');
    }
  }
  while (out.length < lines) out.push('// end');
  return `${out.join('\n')}\n`;
}

export function goFile(lines: number): string {
  const out = ['package bench', '', 'import (', '\t"syscall"', '\t"unsafe"', ')', '', 'var started int', ''];
  let n = 0;
  while (out.length < lines - 30) {
    n++;
    if (n % 60 === 0) {
      out.push(
        '//go:norace',
        `func spawn${n}(argv0 *byte, argv []*byte, envv []*byte) (pid int, err syscall.Errno) {`,
        '\tvar (',
        '\t\tr1   uintptr',
        '\t\terr1 syscall.Errno',
        '\t)',
        '\tr1, _, err1 = syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD|syscall.CLONE_VM|syscall.CLONE_VFORK), 0, 0, 0, 0, 0)',
        '\tif err1 != 0 || r1 != 0 {',
        '\t\treturn int(r1), err1',
        '\t}',
        '\tstarted = 1',
        '\tsyscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])))',
        '\tfor {',
        '\t\tsyscall.RawSyscall(syscall.SYS_EXIT, 253, 0, 0)',
        '\t}',
        '}',
        '',
      );
    } else {
      out.push(`func filler${n}(a, b int) int {`, '\tsum := 0', '\t// step note', '\tfor i := 0; i < a; i++ {', `\t\tsum += i*b + ${n}`, '\t}', '\treturn sum', '}', '');
    }
  }
  while (out.length < lines) out.push('// end');
  return `${out.join('\n')}\n`;
}

interface Edit {
  line: number;
  character: number;
  insert: boolean;
}

/** 500 single-character edits: type an 'x' into a comment, then delete it, at spread-out lines. */
function editsFor(text: string, count: number): Edit[] {
  const lines = text.split('\n');
  const comments = lines.map((l, i) => (l.includes('// step note') ? i : -1)).filter((i) => i >= 0);
  const out: Edit[] = [];
  let seed = 7;
  for (let i = 0; out.length < count; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const line = comments[seed % comments.length];
    const character = lines[line].indexOf('note');
    out.push({ line, character, insert: true });
    if (out.length < count) out.push({ line, character, insert: false });
  }
  return out;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface ServerFigures {
  lines: number;
  edits: number;
  openFiles: number;
  c: { lsp: Percentiles; reparse: Percentiles; emptyPublish: Percentiles; findings: number };
  go: { lsp: Percentiles; reparse: Percentiles; emptyPublish: Percentiles; findings: number };
  rssOpenMB: number;
  rssBusyMB: number;
  rssIdleMB: number;
  /** The same with the project index off (`vforklint.projectIndex: false`): the goal excludes the index. */
  rssOpenNoIndexMB: number;
}

function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function fmt(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms`;
}

/** tree-sitter's incremental reparse alone, in process, on the same edits. */
function reparseAlone(text: string, language: Language, edits: Edit[]): number[] {
  let tree: Tree = parseSource(text, language);
  let current = text;
  const times: number[] = [];
  const offsetOf = (t: string, line: number, ch: number) => {
    let off = 0;
    for (let i = 0; i < line; i++) off = t.indexOf('\n', off) + 1;
    return off + ch;
  };
  for (const e of edits) {
    const start = offsetOf(current, e.line, e.character);
    const t0 = performance.now();
    if (e.insert) {
      current = `${current.slice(0, start)}x${current.slice(start)}`;
      tree.edit({ startIndex: start, oldEndIndex: start, newEndIndex: start + 1, startPosition: { row: e.line, column: e.character }, oldEndPosition: { row: e.line, column: e.character }, newEndPosition: { row: e.line, column: e.character + 1 } });
    } else {
      current = current.slice(0, start) + current.slice(start + 1);
      tree.edit({ startIndex: start, oldEndIndex: start + 1, newEndIndex: start, startPosition: { row: e.line, column: e.character }, oldEndPosition: { row: e.line, column: e.character + 1 }, newEndPosition: { row: e.line, column: e.character } });
    }
    const old = tree;
    tree = parseSource(current, language, tree);
    times.push(performance.now() - t0);
    releaseTree(old);
  }
  releaseTree(tree);
  return times;
}

function startServer(settings: Record<string, unknown> = {}) {
  const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map<string, { version: number; resolve: (p: PublishDiagnosticsParams) => void }>();
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    const w = waiting.get(p.uri);
    if (w && p.version === w.version) {
      waiting.delete(p.uri);
      w.resolve(p);
    }
  });
  connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => settings));
  connection.listen();
  const diagnosticsFor = (uri: string, version: number) => new Promise<PublishDiagnosticsParams>((resolve) => waiting.set(uri, { version, resolve }));
  return { proc, connection, diagnosticsFor };
}

async function latency(language: Language, text: string, edits: Edit[]): Promise<{ times: number[]; findings: number }> {
  const s = startServer();
  await s.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } }, initializationOptions: { debounceMs: 0 } });
  await s.connection.sendNotification('initialized', {});
  const uri = `file:///bench/latency.${language}`;
  const opened = s.diagnosticsFor(uri, 1);
  await s.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: language, version: 1, text } });
  const first = await opened;
  let version = 1;
  const times: number[] = [];
  for (const e of edits) {
    version++;
    const pos = { line: e.line, character: e.character };
    const change = e.insert ? { range: { start: pos, end: pos }, text: 'x' } : { range: { start: pos, end: { line: e.line, character: e.character + 1 } }, text: '' };
    const done = s.diagnosticsFor(uri, version);
    const t0 = performance.now();
    await s.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    await done;
    times.push(performance.now() - t0);
  }
  await s.connection.sendRequest('shutdown');
  await s.connection.sendNotification('exit');
  s.connection.dispose();
  return { times, findings: first.diagnostics.length };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function rssWithOpenFiles(c: string, go: string, count: number, settings: Record<string, unknown> = {}): Promise<{ rss: number; busy: number; idle: number }> {
  const s = startServer(settings);
  await s.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } }, initializationOptions: { debounceMs: 0 } });
  await s.connection.sendNotification('initialized', {});
  await new Promise((r) => setTimeout(r, 200));
  const idle = rssOf(s.proc.pid!);
  for (let i = 0; i < count; i++) {
    const language: Language = i % 2 === 0 ? 'c' : 'go';
    const uri = `file:///bench/open-${i}.${language}`;
    const done = s.diagnosticsFor(uri, 1);
    // Each file differs (a comment with its number), as real files do.
    const text = `// file ${i}\n${language === 'c' ? c : go}`;
    await s.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: language, version: 1, text } });
    await done;
  }
  const busy = rssOf(s.proc.pid!);
  // Settled: the server collects dropped trees when idle (server/memory.ts).
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rss = rssOf(s.proc.pid!);
  await s.connection.sendRequest('shutdown');
  await s.connection.sendNotification('exit');
  s.connection.dispose();
  return { rss, busy, idle };
}

/** A one-line file with nothing to analyse: the edits' round trip is the protocol's own cost. */
const EMPTY: Record<Language, string> = { c: '// step note\n', go: '// step note\npackage p\n' };

async function main() {
  await initParsers();
  const c = cFile(LINES);
  const go = goFile(LINES);
  console.log(`vforklint-lsp benchmark (WebAssembly parser): ${LINES}-line files, ${EDITS} single-character edits, ${OPEN_FILES} open files (goals: p50 <= reparse + empty publish + 3 ms, p99 <= 20 ms, RSS <= 150 MB)`);
  const figures: Partial<ServerFigures> = { lines: LINES, edits: EDITS, openFiles: OPEN_FILES };
  // `--memory`: the RSS figures alone.
  for (const [language, text] of process.argv.includes('--memory') ? [] : ([['c', c], ['go', go]] as const)) {
    const edits = editsFor(text, EDITS);
    const alone = reparseAlone(text, language, edits);
    const lsp = await latency(language, text, edits);
    const empty = await latency(language, EMPTY[language], editsFor(EMPTY[language], EDITS));
    console.log(`  ${language.padEnd(2)} didChange -> diagnostics: ${fmt(lsp.times)} (${lsp.findings} findings)`);
    console.log(`  ${language.padEnd(2)} tree-sitter incremental reparse alone: ${fmt(alone)}`);
    console.log(`  ${language.padEnd(2)} empty-publish round trip (one-line file): ${fmt(empty.times)}`);
    figures[language] = { lsp: percentiles(lsp.times), reparse: percentiles(alone), emptyPublish: percentiles(empty.times), findings: lsp.findings };
  }
  const mem = await rssWithOpenFiles(c, go, OPEN_FILES);
  console.log(`  server RSS with ${OPEN_FILES} files open: ${mem.rss.toFixed(0)} MB settled (${SETTLE_MS / 1000} s after the last open), ${mem.busy.toFixed(0)} MB right after the last open, ${mem.idle.toFixed(0)} MB with none`);
  const alone = await rssWithOpenFiles(c, go, OPEN_FILES, { projectIndex: false });
  console.log(`  server RSS with ${OPEN_FILES} files open, project index off: ${alone.rss.toFixed(0)} MB settled, ${alone.busy.toFixed(0)} MB right after the last open (the index: ${(mem.rss - alone.rss).toFixed(0)} MB for ${OPEN_FILES} files)`);
  Object.assign(figures, { rssOpenMB: mem.rss, rssBusyMB: mem.busy, rssIdleMB: mem.idle, rssOpenNoIndexMB: alone.rss });
  if (process.argv.includes('--json')) console.log(`JSON ${JSON.stringify(figures)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`server-bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  });
}
