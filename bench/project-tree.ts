/**
 * A deterministic (seeded) C project for the project index's cost (RULES section 8): its
 * fork-site files call helpers that live in other files, so the index has work to do. A
 * `.vforklintrc.json` at its top makes it a project root (the one root rule); it is written
 * outside the repository so that it is linted with default flags (no `--no-ignore`).
 *
 *   include/util.h      NORETURN (a project macro) on the helpers that never return
 *   lib/util_K.c        helpers: one that never returns, one that writes a global, one that
 *                       reaches malloc two calls deep (through a static), one that is safe
 *   cmd/tool_N.c        one file in `forkEvery`: a vfork whose child calls helpers of
 *                       several lib files, then execs and dies
 *   src/...             the rest: realistic C and headers (generate.ts), no fork spelling
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cFile, existingTree, Gen, hFile, rng } from './generate.js';

export interface ProjectTreeSpec {
  root: string;
  files: number;
  seed: number;
  /** One fork-site file in this many files. */
  forkEvery: number;
  /** Helper files (lib/util_K.c), each with four helpers. */
  helperFiles: number;
  fileBytes: number;
}

export interface ProjectTreeManifest {
  spec: ProjectTreeSpec;
  files: number;
  totalBytes: number;
  forkFiles: number;
  generator: number;
}

const GENERATOR_VERSION = 1;

function helperFile(k: number): string {
  return `/* Helpers of the tools: lib/util_${k}.c */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util.h"

const char *last_error_${k};

void die_${k}(const char *msg)
{
\twrite(2, msg, strlen(msg));
\t_exit(127);
}

void note_${k}(const char *msg)
{
\tlast_error_${k} = msg;
}

static char *copy_${k}(const char *s)
{
\tchar *p = malloc(strlen(s) + 1);
\tif (p)
\t\tstrcpy(p, s);
\treturn p;
}

char *dup_${k}(const char *s)
{
\treturn copy_${k}(s);
}

int setup_${k}(int fd)
{
\treturn dup2(fd, 0);
}
`;
}

function header(helperFiles: number): string {
  let s = '#ifndef UTIL_H\n#define UTIL_H\n\n#define NORETURN __attribute__((noreturn))\n\n';
  for (let k = 0; k < helperFiles; k++) s += `NORETURN void die_${k}(const char *msg);\nvoid note_${k}(const char *msg);\nchar *dup_${k}(const char *s);\nint setup_${k}(int fd);\n`;
  return `${s}\n#endif\n`;
}

/** A tool whose child calls helpers of three lib files: safe ones, a global write, and (one tool in three) malloc two calls deep. */
function toolFile(g: Gen, n: number, helperFiles: number): string {
  const [a, b, c] = [g.int(helperFiles), g.int(helperFiles), g.int(helperFiles)];
  const unsafe = n % 3 === 0 ? `\t\tchar *copy = dup_${c}(path);\n\t\t(void)copy;\n` : '';
  return `/* cmd/tool_${n}.c: run a program with its input redirected. */
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util.h"

int run_tool_${n}(const char *path, char *const argv[], int fd)
{
\tint status = 0;
\tpid_t pid = vfork();
\tif (pid == 0) {
\t\tsetup_${a}(fd);
${unsafe}\t\tnote_${b}("exec");
\t\texecv(path, argv);
\t\tdie_${c}("exec failed\\n");
\t}
\tif (pid < 0)
\t\treturn -1;
\twaitpid(pid, &status, 0);
\treturn status;
}
`;
}

export function generateProjectTree(spec: ProjectTreeSpec): ProjectTreeManifest {
  const existing = existingTree<ProjectTreeManifest>(spec, GENERATOR_VERSION);
  if (existing) return existing;
  const g = new Gen(rng(spec.seed));
  const tree = join(spec.root, 'tree');
  for (const d of ['include', 'lib', 'cmd']) mkdirSync(join(tree, d), { recursive: true });
  let totalBytes = 0;
  const write = (path: string, text: string) => {
    writeFileSync(join(tree, path), text);
    totalBytes += Buffer.byteLength(text);
  };
  write('.vforklintrc.json', '{}\n');
  write('include/util.h', header(spec.helperFiles));
  for (let k = 0; k < spec.helperFiles; k++) write(`lib/util_${k}.c`, helperFile(k));
  let forkFiles = 0;
  let files = 1 + spec.helperFiles;
  for (let i = 0; files < spec.files; i++, files++) {
    if (i % spec.forkEvery === spec.forkEvery - 1) {
      write(`cmd/tool_${forkFiles}.c`, toolFile(g, forkFiles, spec.helperFiles));
      forkFiles++;
      continue;
    }
    const dir = `src/mod${String(Math.floor(i / 50)).padStart(3, '0')}`;
    if (i % 50 === 0) mkdirSync(join(tree, dir), { recursive: true });
    const bytes = Math.floor(spec.fileBytes * (0.5 + g.r()));
    write(`${dir}/${g.ident()}_${i}.${i % 4 === 3 ? 'h' : 'c'}`, i % 4 === 3 ? hFile(g, bytes) : cFile(g, bytes, false));
  }
  const manifest: ProjectTreeManifest = { spec, files, totalBytes, forkFiles, generator: GENERATOR_VERSION };
  writeFileSync(join(spec.root, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}
