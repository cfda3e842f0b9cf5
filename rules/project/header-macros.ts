/**
 * The macros of the headers a file includes (RULES section 3, "Macros", with section 8):
 * followed through `#include`, transitively, each resolved relative to the including file
 * or, failing that, to the project headers whose path ends with the included one (the
 * project's include directories, found by name) that share the most leading directories
 * with the including file. Handed to the analysis as
 * `AnalyzeOptions.headerMacros`, in effect from the start of the file.
 *
 * A name defined more than one way among them (`#ifdef __GNUC__ ... #else` in a header, or
 * two candidate headers that disagree) is left out: the use keeps its plain reading, as a
 * same-file macro defined several ways under `#if` does. Headers the project does not
 * hold (generated at build time) contribute nothing, and `#include <stdio.h>` and the other
 * standard headers are the system's even when the project holds a file of that name
 * (tcsh's `win32/signal.h`). A macro named like a function on the lists (make's VMS
 * `#define _exit(foo) vms_exit(foo)`, busybox's `#define getpwnam bb_internal_getpwnam`)
 * keeps the list entry, as a function the project defines does (RULES section 8).
 */
import { LIBC } from '../effects/call-lists.js';
import type { MacroCondition, MacroDefinition } from '../macros.js';
import { LineIndex } from '../syntax.js';
import { contentHash } from './hash.js';

/** What the project index hands this module: the file list and the texts (editors overlay open documents). */
export interface HeaderSource {
  files(): Iterable<string>;
  read(path: string): string | undefined;
  /** Remembered until the index forgets what it derived from its files. */
  derive<T>(key: string, compute: () => T): T;
}

/** Headers followed per analysed file at most. */
const MAX_HEADERS = 400;
/** Names the analysis reads its own way: `errno` is per thread (`#define errno (*bb_errno)` would make its writes shared). */
const NOT_EXPANDED = new Set(['errno']);

/** C and POSIX headers: `<name>` is the system's. */
const SYSTEM_HEADERS = new Set(`assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp signal stdalign stdarg stdatomic stdbool stddef stdint stdio stdlib stdnoreturn string tgmath threads time uchar wchar wctype
  aio arpa/inet cpio dirent dlfcn fcntl fmtmsg fnmatch ftw glob grp iconv langinfo libgen monetary mqueue ndbm net/if netdb netinet/in netinet/tcp nl_types poll pthread pwd regex sched search semaphore spawn strings stropts syslog tar termios trace ulimit unistd utime utmpx wordexp
  sys/ipc sys/mman sys/msg sys/resource sys/select sys/sem sys/shm sys/socket sys/stat sys/statvfs sys/time sys/times sys/types sys/uio sys/un sys/utsname sys/wait sys/ioctl sys/param sys/prctl sys/syscall alloca malloc paths err error features getopt memory utmp`.split(/\s+/).map((h) => `${h}.h`));

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]/gm;
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)]*\))?((?:[^\n\\]|\\\r?\n?)*)/gm;

interface HeaderFacts {
  includes: Array<{ quoted: boolean; path: string }>;
  defines: MacroDefinition[];
}

/** Block comments blanked (newlines kept), so directives inside them are not read and offsets hold. */
function withoutBlockComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]+/g, (run) => ' '.repeat(run.length)));
}

/** A header's includes and macros, read (once) when first asked; undefined when it cannot be read. */
function headerFacts(source: HeaderSource, path: string): HeaderFacts | undefined {
  return source.derive(`header-facts:${path}`, () => {
    const text = source.read(path);
    if (text === undefined) return undefined;
    const clean = withoutBlockComments(text);
    const lines = new LineIndex(text);
    const includes = [...clean.matchAll(INCLUDE)].map((m) => ({ quoted: m[1] === '"', path: m[2].trim() }));
    const defines: MacroDefinition[] = [];
    const conditionsAt = conditionsOfDefines(clean, path);
    for (const m of clean.matchAll(DEFINE)) {
      if (NOT_EXPANDED.has(m[1]) || onTheLists(m[1])) continue;
      const params = m[2] !== undefined ? m[2].slice(1, -1).split(',').map((p) => p.trim()).filter(Boolean) : undefined;
      const start = m.index! + m[0].indexOf('#');
      const conditions = conditionsAt.get(m.index!);
      defines.push({ name: m[1], ...(params ? { params } : {}), body: m[3].replace(/\\\r?\n/g, ' ').replace(/\/\/.*$/, '').trim(), location: { file: path, range: lines.range(start, m.index! + m[0].length) }, ...(conditions?.length ? { conditions } : {}) });
    }
    return { includes, defines };
  });
}

const CONDITIONAL = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif|define)\b/gm;

/** For each `#define` (by the offset of its line): the `#if` branches it stands in, groups named by file and offset. */
function conditionsOfDefines(text: string, path: string): Map<number, MacroCondition[]> {
  const out = new Map<number, MacroCondition[]>();
  const open: MacroCondition[] = [];
  for (const m of text.matchAll(CONDITIONAL)) {
    const d = m[1];
    if (d === 'define') {
      if (open.length) out.set(m.index!, open.map((c) => ({ ...c })));
    } else if (d === 'if' || d === 'ifdef' || d === 'ifndef') open.push({ group: `${path}:${m.index!}`, branch: 0 });
    else if (d === 'endif') open.pop();
    else if (open.length) open[open.length - 1].branch++;
  }
  return out;
}

/** A name the function lists judge (`_exit`, `getpwnam`): the list entry wins over a header's macro. */
function onTheLists(name: string): boolean {
  const facts = LIBC.get(name);
  return !!facts && facts.kind !== 'unjudged';
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

/** `a/./b/../c` -> `a/c`; undefined when it climbs above the root. */
function normalise(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** The project headers an `#include` may name: beside the including file (quotes), else any whose path ends with it. */
function candidates(source: HeaderSource, from: string, include: { quoted: boolean; path: string }): string[] {
  // The headers (and included `.c` files) by base name: an include is looked for among those of its base name only.
  const headers = source.derive('header-paths', () => {
    const byBase = new Map<string, string[]>();
    for (const p of source.files()) {
      if (!p.endsWith('.h') && !p.endsWith('.c')) continue;
      const base = p.slice(p.lastIndexOf('/') + 1);
      const list = byBase.get(base);
      if (list) list.push(p);
      else byBase.set(base, [p]);
    }
    return byBase;
  });
  const has = (p: string) => headers.get(p.slice(p.lastIndexOf('/') + 1))?.includes(p) ?? false;
  if (include.quoted) {
    const beside = normalise(dirOf(from) + include.path);
    if (beside !== undefined && has(beside)) return [beside];
  } else if (SYSTEM_HEADERS.has(include.path.trim())) return [];
  const wanted = normalise(include.path);
  if (!wanted) return [];
  const all = source.derive(`include-candidates:${wanted}`, () => (headers.get(wanted.slice(wanted.lastIndexOf('/') + 1)) ?? []).filter((p) => p === wanted || p.endsWith(`/${wanted}`)).sort());
  return nearest(all, from);
}

/**
 * Of several headers an include may name (criu's `#include "log.h"`: `criu/include/log.h`
 * and `compel/include/log.h`), those sharing the most leading directories with the including
 * file: a subproject's include directory is its own (ties keep all).
 */
function nearest(paths: string[], from: string): string[] {
  if (paths.length < 2) return paths;
  const dirs = from.split('/').slice(0, -1);
  const shared = (p: string) => {
    const parts = p.split('/');
    let n = 0;
    while (n < dirs.length && n < parts.length - 1 && parts[n] === dirs[n]) n++;
    return n;
  };
  const best = Math.max(...paths.map(shared));
  return paths.filter((p) => shared(p) === best);
}

export interface HeaderMacros {
  macros: MacroDefinition[];
  /** The headers read, root-relative. */
  headers: string[];
  /** What the macros handed in depend on (their names, parameters and bodies, and where they are); computed when first read. */
  readonly fingerprint: string;
}

/** The headers each `#include` of a header may name (`candidates`), found once per header. */
function includedBy(source: HeaderSource, header: string, facts: HeaderFacts): string[][] {
  return source.derive(`header-includes:${header}`, () => facts.includes.map((inc) => candidates(source, header, inc)));
}

/** The macros of the headers `file` (whose text is `text`) includes, transitively. */
export function headerMacrosFor(source: HeaderSource, file: string, text: string): HeaderMacros {
  const seen = new Set<string>();
  // Each `#include`'s candidate headers, in the order they are reached (breadth first).
  const queue: Array<readonly string[]> = [];
  const own = withoutBlockComments(text);
  for (const m of own.matchAll(INCLUDE)) queue.push(candidates(source, file, { quoted: m[1] === '"', path: m[2].trim() }));
  for (let i = 0; i < queue.length && seen.size < MAX_HEADERS; i++) {
    for (const h of queue[i]) {
      if (seen.has(h) || h === file) continue;
      seen.add(h);
      const facts = headerFacts(source, h);
      if (!facts) continue;
      for (const list of includedBy(source, h, facts)) queue.push(list);
    }
  }
  // Files that include the same headers (in the same order) see the same macros: merged once.
  return source.derive(`header-macros:${[...seen].join('\0')}`, () => mergedMacros(source, seen));
}

/** The macros of these headers, read in this order: those defined one way. */
function mergedMacros(source: HeaderSource, seen: ReadonlySet<string>): HeaderMacros {
  const byName = new Map<string, MacroDefinition[]>();
  for (const h of seen) {
    const facts = headerFacts(source, h);
    if (!facts) continue;
    for (const d of facts.defines) {
      const list = byName.get(d.name);
      if (list) list.push(d);
      else byName.set(d.name, [d]);
    }
  }
  const macros: MacroDefinition[] = [];
  for (const defs of byName.values()) {
    // Defined one way (or the same way in several headers): in effect; several ways: left out.
    if (defs.length === 1 || new Set(defs.map((d) => `${d.params?.join(',') ?? '-'}\0${d.body}`)).size === 1) macros.push(defs[0]);
  }
  macros.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let fingerprint: string | undefined;
  return {
    macros,
    headers: [...seen].sort(),
    get fingerprint() {
      return (fingerprint ??= contentHash(JSON.stringify(macros.map((d) => [d.name, d.params ?? null, d.body, d.location.file, d.location.range.start.line]))));
    },
  };
}
