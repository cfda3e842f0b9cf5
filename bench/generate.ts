/**
 * A deterministic (seeded) tree of realistic C and Go for the benchmark: varied function
 * shapes (loops, switches, structs, error paths, string handling), about 5 KB a file,
 * one file in 200 holding real fork sites (vfork, raw clone, Go's rawVforkSyscall), and
 * one in 100 holding fork spellings only as constants and in comments and strings (as
 * golang/sys's zsysnum_*.go and C syscall-number headers do), which the pre-scan skips.
 */
import { mkdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TreeSpec {
  root: string;
  files: number;
  seed: number;
  forkEvery: number;
  /** Target bytes per file (approximate). */
  fileBytes: number;
}

export interface TreeManifest {
  spec: TreeSpec;
  totalBytes: number;
  files: number;
  forkFiles: string[];
  /** Files whose fork spellings are all constants, comments or strings (never parsed). */
  constantFiles?: number;
  generator: number;
}

const GENERATOR_VERSION = 4;

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['buffer', 'session', 'record', 'entry', 'packet', 'table', 'cursor', 'socket', 'header', 'config', 'token', 'index', 'stream', 'queue', 'cache', 'frame', 'chunk', 'node', 'route', 'lease', 'page', 'slot', 'span', 'batch', 'ledger', 'shard', 'worker', 'timer', 'signal', 'manifest'];
const VERBS = ['parse', 'load', 'store', 'flush', 'encode', 'decode', 'scan', 'merge', 'split', 'check', 'build', 'reset', 'resize', 'lookup', 'insert', 'remove', 'update', 'render', 'emit', 'drain', 'attach', 'detach', 'probe', 'verify'];
const COMMENTS = [
  'Keep the fast path branch-free; the slow path handles wrap-around.',
  'Callers hold the table lock.',
  'The length is checked by the caller, but be defensive here.',
  'This mirrors the on-disk layout; do not reorder fields.',
  'Retry on EINTR, give up on anything else.',
  'Returns the number of bytes consumed, or -1 on error.',
  'TODO: replace the linear scan once the table grows.',
  'Entries are kept sorted by key so that lookups can bisect.',
];

export class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  ident(): string {
    return `${this.pick(VERBS)}_${this.pick(NOUNS)}`;
  }
  goIdent(exported = false): string {
    const v = this.pick(VERBS);
    const n = this.pick(NOUNS);
    const name = `${v}${n[0]!.toUpperCase()}${n.slice(1)}`;
    return exported ? `${name[0]!.toUpperCase()}${name.slice(1)}` : name;
  }
}

function cFunction(g: Gen, name: string): string {
  const t = g.pick(['struct ' + g.pick(NOUNS), 'unsigned char', 'const char', 'uint32_t']);
  const shape = g.int(5);
  const c = `/* ${g.pick(COMMENTS)} */\n`;
  switch (shape) {
    case 0:
      return `${c}static int ${name}(${t} *p, size_t n)\n{\n\tsize_t i;\n\tint acc = 0;\n\n\tif (p == NULL)\n\t\treturn -1;\n\tfor (i = 0; i < n; i++) {\n\t\tacc += (int)i * ${1 + g.int(31)};\n\t\tif (acc > ${1000 + g.int(9000)})\n\t\t\tacc -= ${g.int(500)};\n\t}\n\treturn acc;\n}\n\n`;
    case 1:
      return `${c}int ${name}(int kind, const char *label)\n{\n\tswitch (kind) {\n\tcase ${g.int(4)}:\n\t\treturn (int)strlen(label);\n\tcase ${4 + g.int(4)}:\n\t\tif (strncmp(label, "${g.pick(NOUNS)}", ${3 + g.int(5)}) == 0)\n\t\t\treturn 1;\n\t\tbreak;\n\tdefault:\n\t\tfprintf(stderr, "${name}: unknown kind %d\\n", kind);\n\t\tbreak;\n\t}\n\treturn 0;\n}\n\n`;
    case 2:
      return `${c}static ssize_t ${name}(int fd, char *out, size_t len)\n{\n\tssize_t got;\n\n\tdo {\n\t\tgot = read(fd, out, len);\n\t} while (got < 0 && errno == EINTR);\n\tif (got < 0) {\n\t\tperror("${name}");\n\t\treturn -1;\n\t}\n\tout[got < (ssize_t)len ? got : (ssize_t)len - 1] = '\\0';\n\treturn got;\n}\n\n`;
    case 3:
      return `${c}void ${name}(struct ${g.pick(NOUNS)}_list *list)\n{\n\tstruct ${g.pick(NOUNS)}_item *it, *next;\n\n\tfor (it = list->head; it != NULL; it = next) {\n\t\tnext = it->next;\n\t\tif (it->refs-- > 1)\n\t\t\tcontinue;\n\t\tfree(it->data);\n\t\tfree(it);\n\t}\n\tlist->head = NULL;\n\tlist->count = 0;\n}\n\n`;
    default:
      return `${c}static uint64_t ${name}(const uint8_t *key, size_t n, uint64_t seed)\n{\n\tuint64_t h = seed ^ 0x${(g.int(0xffffff) + 0x100000).toString(16)}ULL;\n\tsize_t i;\n\n\tfor (i = 0; i < n; i++) {\n\t\th ^= key[i];\n\t\th *= 0x100000001b3ULL;\n\t\th = (h << ${1 + g.int(15)}) | (h >> ${49 + g.int(14)});\n\t}\n\treturn h;\n}\n\n`;
  }
}

function cForkFunction(g: Gen, name: string): string {
  if (g.int(2) === 0) {
    return `/* Run a helper program; the child must only exec or _exit. */\nint ${name}(const char *path, char *const argv[])\n{\n\tpid_t pid;\n\tint status = 0;\n\n\tpid = vfork();\n\tif (pid == 0) {\n\t\texecv(path, argv);\n\t\tprintf("exec %s failed\\n", path);\n\t\treturn -1;\n\t}\n\tif (pid < 0)\n\t\treturn -1;\n\twaitpid(pid, &status, 0);\n\treturn status;\n}\n\n`;
  }
  return `static int last_child;\n\nint ${name}(const char *path, char *const argv[], char *const envp[])\n{\n\tlong pid;\n\tint err = 0;\n\n\tpid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);\n\tif (pid == 0) {\n\t\tlast_child = getpid();\n\t\tsyscall(SYS_execve, path, argv, envp);\n\t\t_exit(127);\n\t}\n\tif (pid < 0)\n\t\terr = -1;\n\treturn err;\n}\n\n`;
}

function goFunction(g: Gen, name: string): string {
  const shape = g.int(4);
  const c = `// ${name} ${g.pick(COMMENTS).toLowerCase()}\n`;
  switch (shape) {
    case 0:
      return `${c}func ${name}(items []${g.pick(['int', 'string', 'uint64'])}) int {\n\tn := 0\n\tfor i := range items {\n\t\tif i%${2 + g.int(5)} == 0 {\n\t\t\tcontinue\n\t\t}\n\t\tn++\n\t}\n\treturn n\n}\n\n`;
    case 1:
      return `${c}func (s *${g.goIdent(true)}State) ${name}(key string) (string, error) {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tv, ok := s.values[key]\n\tif !ok {\n\t\treturn "", fmt.Errorf("${name}: %q not found", key)\n\t}\n\treturn strings.TrimSpace(v), nil\n}\n\n`;
    case 2:
      return `${c}func ${name}(ctx context.Context, in <-chan []byte) error {\n\tfor {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn ctx.Err()\n\t\tcase b, ok := <-in:\n\t\t\tif !ok {\n\t\t\t\treturn nil\n\t\t\t}\n\t\t\tif len(b) > ${64 + g.int(4000)} {\n\t\t\t\treturn errors.New("${name}: message too large")\n\t\t\t}\n\t\t}\n\t}\n}\n\n`;
    default:
      return `${c}func ${name}(r io.Reader) ([]string, error) {\n\tvar out []string\n\tsc := bufio.NewScanner(r)\n\tfor sc.Scan() {\n\t\tline := sc.Text()\n\t\tswitch {\n\t\tcase strings.HasPrefix(line, "#"):\n\t\t\tcontinue\n\t\tcase line == "":\n\t\t\tcontinue\n\t\tdefault:\n\t\t\tout = append(out, line)\n\t\t}\n\t}\n\treturn out, sc.Err()\n}\n\n`;
  }
}

function goForkFunction(name: string): string {
  return `//go:norace\nfunc ${name}(argv0 *byte, argv, envv []*byte, sys *SysProcAttr) (pid int, err Errno) {\n\tvar (\n\t\tr1   uintptr\n\t\terr1 Errno\n\t)\n\n\tr1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))\n\tif err1 != 0 {\n\t\treturn 0, err1\n\t}\n\tif r1 != 0 {\n\t\tpid = int(r1)\n\t\truntime_AfterFork()\n\t\treturn pid, 0\n\t}\n\n\t_, _, err1 = RawSyscall(SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])))\n\tfor {\n\t\tRawSyscall(SYS_EXIT, 253, 0, 0)\n\t}\n}\n\n`;
}

export function cFile(g: Gen, bytes: number, fork: boolean): string {
  let s = `/*\n * ${g.pick(NOUNS)}.c: ${g.pick(COMMENTS)}\n */\n#include <errno.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n${fork ? '#include <sched.h>\n#include <sys/syscall.h>\n#include <sys/wait.h>\n' : ''}\n#define ${g.pick(NOUNS).toUpperCase()}_MAX ${16 + g.int(4096)}\n\nstruct ${g.pick(NOUNS)} {\n\tint id;\n\tsize_t len;\n\tchar name[${8 + g.int(56)}];\n};\n\n`;
  let k = 0;
  if (fork) s += cForkFunction(g, `run_${g.pick(NOUNS)}_helper`);
  while (s.length < bytes) s += cFunction(g, `${g.ident()}_${k++}`);
  return s;
}

export function hFile(g: Gen, bytes: number): string {
  const guard = `${g.pick(NOUNS).toUpperCase()}_${g.int(100000)}_H`;
  let s = `#ifndef ${guard}\n#define ${guard}\n\n#include <stddef.h>\n\n`;
  let k = 0;
  while (s.length < bytes) {
    s += `/* ${g.pick(COMMENTS)} */\nint ${g.ident()}_${k++}(struct ${g.pick(NOUNS)} *p, size_t n);\n#define ${g.pick(NOUNS).toUpperCase()}_${k}_FLAG (1u << ${g.int(31)})\n\n`;
  }
  return `${s}#endif /* ${guard} */\n`;
}

function goFile(g: Gen, pkg: string, bytes: number, fork: boolean): string {
  let s = `// Package ${pkg} ${g.pick(COMMENTS).toLowerCase()}\npackage ${pkg}\n\nimport (\n\t"bufio"\n\t"context"\n\t"errors"\n\t"fmt"\n\t"io"\n\t"strings"\n${fork ? '\t"unsafe"\n' : ''})\n\ntype ${g.goIdent(true)}State struct {\n\tmu     sync.Mutex\n\tvalues map[string]string\n}\n\n`;
  let k = 0;
  if (fork) s += goForkFunction(`forkAndExec${g.goIdent(true)}`);
  while (s.length < bytes) s += goFunction(g, `${g.goIdent()}${k++}`);
  return s;
}

/** Fork spellings that cannot fork: syscall-number constants, with comments and strings that name them. */
function constantsFile(g: Gen, kind: 'h' | 'go', pkg: string): string {
  const numbers = [['SYS_READ', 0], ['SYS_WRITE', 1], ['SYS_CLONE', 56], ['SYS_FORK', 57], ['SYS_VFORK', 58], ['SYS_EXECVE', 59], ['SYS_CLONE3', 435]] as const;
  if (kind === 'go') {
    const lines = numbers.map(([n, v]) => `\t${n.padEnd(12)} = ${v + g.int(3) * 1000} // ${n.slice(4).toLowerCase()}(2)`);
    return `// Code generated by the benchmark; DO NOT EDIT.\n\n// Package ${pkg} numbers the system calls; vfork and clone are listed, not called.\npackage ${pkg}\n\nconst (\n${lines.join('\n')}\n)\n\nvar names = map[int]string{${numbers[2][1]}: "clone", ${numbers[4][1]}: "vfork"}\n`;
  }
  const lines = numbers.map(([n, v]) => `#define __NR_${n.slice(4).toLowerCase()} ${v + g.int(3) * 1000}`);
  return `/* Syscall numbers. vfork() and clone() are listed here, never called. */\n#ifndef _ASM_UNISTD_${g.int(1000)}_H\n${lines.join('\n')}\n#endif\nenum clone_kind { CLONE = 1, CLONE_THREADS = 2 };\nstatic const char *spawn_name = "vfork";\n`;
}

/**
 * The manifest of a tree generated earlier under `root` by the same generator version from
 * the same spec; otherwise undefined, and `root` is emptied for a new tree.
 */
export function existingTree<M extends { generator: number; spec: { root: string } }>(spec: M['spec'], generator: number): M | undefined {
  const manifestPath = join(spec.root, 'manifest.json');
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as M;
    if (m.generator === generator && JSON.stringify(m.spec) === JSON.stringify(spec)) return m;
  }
  rmSync(spec.root, { recursive: true, force: true });
  return undefined;
}

/** Create the tree (skipped when a tree with the same spec already exists). */
export function generateTree(spec: TreeSpec): TreeManifest {
  const existing = existingTree<TreeManifest>(spec, GENERATOR_VERSION);
  if (existing) return existing;
  const g = new Gen(rng(spec.seed));
  const forkFiles: string[] = [];
  let constantFiles = 0;
  let totalBytes = 0;
  const treeDir = join(spec.root, 'tree');
  for (let i = 0; i < spec.files; i++) {
    const dir = join(treeDir, `module${String(Math.floor(i / 1000)).padStart(2, '0')}`, `pkg${String(Math.floor(i / 50) % 20).padStart(2, '0')}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    const fork = i % spec.forkEvery === spec.forkEvery - 1;
    const constants = !fork && i % 100 === 49;
    const bytes = Math.floor(spec.fileBytes * (0.5 + g.r()));
    const kind = fork ? (g.int(2) ? 'c' : 'go') : constants ? g.pick(['h', 'go'] as const) : g.pick(['c', 'c', 'c', 'h', 'go', 'go']);
    const name = `${constants ? 'zsysnum' : g.pick(NOUNS)}_${i}.${kind}`;
    const pkg = `pkg${Math.floor(i / 50) % 20}`;
    const text = constants ? constantsFile(g, kind as 'h' | 'go', pkg) : kind === 'c' ? cFile(g, bytes, fork) : kind === 'h' ? hFile(g, bytes) : goFile(g, pkg, bytes, fork);
    if (constants) constantFiles++;
    const path = join(dir, name);
    writeFileSync(path, text);
    totalBytes += Buffer.byteLength(text);
    if (fork) forkFiles.push(path);
  }
  const manifest: TreeManifest = { spec, totalBytes, files: spec.files, forkFiles, constantFiles, generator: GENERATOR_VERSION };
  writeFileSync(join(spec.root, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}
