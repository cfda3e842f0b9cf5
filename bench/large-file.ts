/**
 * A generated C file of the size and shape of the largest real file the analysis meets
 * (busybox's `shell/hush.c`: 12,365 lines, 350 KB, about 210 functions, 440 preprocessor
 * conditionals, a `fork()`/`vfork()` site deep inside a 700-line function whose child calls
 * helpers of the same file, which call others and write globals). Deterministic for a seed;
 * written at bench time, never committed. `npm run bench -- --tree DIR` measures a real
 * tree's largest fork-site file instead.
 */
import { Gen, rng } from './generate.js';

const FEATURES = ['ENABLE_HUSH_JOB', 'ENABLE_HUSH_LOOPS', 'ENABLE_HUSH_CASE', 'ENABLE_FEATURE_SH_STANDALONE', 'ENABLE_HUSH_LINENO_VAR', 'ENABLE_HUSH_FUNCTIONS', 'ENABLE_HUSH_TICK', 'ENABLE_HUSH_INTERACTIVE'];
const GLOBALS = ['last_exitcode', 'run_list_level', 'var_nest_level', 'interactive_fd', 'saved_tty_pgrp', 'execute_lineno', 'got_signal', 'pending_set', 'global_argc', 'flag_return_in_progress'];
const LIBC = ['strlen', 'strcmp', 'memcpy', 'free', 'close', 'dup2', 'getpid', 'setpgid', 'signal', 'sigprocmask', 'fflush', 'printf', 'xmalloc', 'xstrdup', 'fcntl'];

function helper(g: Gen, name: string, callees: string[]): string {
  const f = g.pick(FEATURES);
  const callee = () => (callees.length && g.r() < 0.6 ? g.pick(callees) : g.pick(LIBC));
  const lines = [`static int ${name}(struct command *command, char **argv)`, '{', '\tint rcode = 0;', '\tint i;', ''];
  const blocks = 3 + g.int(7);
  for (let b = 0; b < blocks; b++) {
    switch (g.int(6)) {
      case 0:
        lines.push(`\tfor (i = 0; argv[i]; i++) {`, `\t\tif (${callee()}(argv[i], ${g.int(8)}) < 0)`, '\t\t\tcontinue;', `\t\trcode += ${1 + g.int(9)};`, '\t}');
        break;
      case 1:
        lines.push(`#if ${f}`, `\tG.${g.pick(GLOBALS)} = command->lineno;`, `\t${callee()}(command, argv);`, '#endif');
        break;
      case 2:
        lines.push('\tswitch (command->cmd_type) {', `\tcase ${g.int(4)}:`, `\t\trcode = ${callee()}(command, argv);`, '\t\tbreak;', '\tdefault:', `\t\t${g.pick(GLOBALS)} = ${g.int(100)};`, '\t\tbreak;', '\t}');
        break;
      case 3:
        // A conditional that splits an `if` header across branches (the parser loses the function; the masked copies find it).
        lines.push(`#if ${f}`, `\tif (command->argv && ${callee()}(command, argv) == 0) {`, '#else', '\tif (command->argv) {', '#endif', `\t\tG.${g.pick(GLOBALS)}++;`, '\t}');
        break;
      case 4:
        lines.push(`\t/* ${g.pick(['Careful: we can be called from a vforked child.', 'The caller frees argv.', 'Not reached on NOMMU.'])} */`, `\tif (!argv[0])`, `\t\treturn ${callee()}(command, argv);`);
        break;
      default:
        lines.push(`\t${g.pick(GLOBALS)} = ${callee()}(command, argv) + ${g.int(50)};`, `\tdebug_printf_exec("${name}: %d\\n", rcode);`);
    }
  }
  lines.push('\treturn rcode;', '}', '');
  return lines.join('\n');
}

/** The big function: a loop over the pipe's commands, the fork site, and a child that calls helpers. */
function runPipe(g: Gen, helpers: string[]): string {
  const out = ['static int run_pipe(struct pipe *pi)', '{', '\tstruct command *command;', '\tchar **argv_expanded = NULL;', '\tint rcode = 0;', '\tint cmd_no = 0;', ''];
  for (let i = 0; i < 40; i++) {
    out.push(`#if ${g.pick(FEATURES)}`, `\tif (pi->num_cmds == ${i} && ${g.pick(helpers)}(pi->cmds, argv_expanded) != 0) {`, `\t\trcode = ${g.int(128)};`, '\t\tgoto clean_up_and_ret;', '\t}', '#endif');
    out.push(`\t/* ${g.pick(['Builtins run in the shell itself.', 'NOFORK applets also run here.', 'Redirects are undone below.'])} */`, `\tG.${g.pick(GLOBALS)} = ${g.pick(helpers)}(pi->cmds, argv_expanded);`, '');
  }
  out.push('\twhile (cmd_no < pi->num_cmds) {', '#if !BB_MMU', '\t\tvolatile nommu_save_t nommu_save;', '\t\tnommu_save.argv = NULL;', '#endif', '\t\tcommand = &pi->cmds[cmd_no];', '\t\tcmd_no++;');
  out.push('\t\tcommand->pid = BB_MMU ? fork() : vfork();', '\t\tif (!command->pid) { /* child */', '#if ENABLE_HUSH_JOB', '\t\t\tdisable_restore_tty_pgrp_on_exit();', '\t\t\tif (G.run_list_level == 1 && G_interactive_fd) {', '\t\t\t\tsetpgid(0, pi->pgrp);', '\t\t\t}', '#endif');
  for (let i = 0; i < 12; i++) out.push(`\t\t\t${g.pick(helpers)}(command, argv_expanded);`, `\t\t\tG.${g.pick(GLOBALS)} = ${i};`);
  out.push('\t\t\tpseudo_exec(&nommu_save, command, argv_expanded);', '\t\t\t_exit(127);', '\t\t}', '\t\tif (command->pid < 0)', '\t\t\tbb_perror_msg("vfork"+1);', '\t\telse', '\t\t\tpi->alive_cmds++;', '\t}');
  for (let i = 0; i < 60; i++) out.push(`\tif (pi->followup == ${i})`, `\t\trcode = ${g.pick(helpers)}(pi->cmds, argv_expanded);`);
  out.push(' clean_up_and_ret:', '\tfree(argv_expanded);', '\treturn rcode;', '}', '');
  return out.join('\n');
}

/** About `lines` lines of hush-shaped C. */
export function largeCFile(lines = 12_365, seed = 20260102): string {
  const g = new Gen(rng(seed));
  const parts: string[] = ['/* vi: set sw=4 ts=4: */', '/*', ' * A generated shell of hush.c\'s size and shape, for the benchmark.', ' */'];
  for (const h of ['errno.h', 'fcntl.h', 'glob.h', 'signal.h', 'stdio.h', 'stdlib.h', 'string.h', 'sys/wait.h', 'unistd.h', 'sys/syscall.h']) parts.push(`#include <${h}>`);
  for (let i = 0; i < 60; i++) {
    const f = g.pick(FEATURES);
    parts.push(`#if ${f}`, `# define FEATURE_${i} ${g.int(1000)}`, '#else', `# define FEATURE_${i} 0`, '#endif');
  }
  parts.push('#ifndef BB_MMU', '# define BB_MMU 0', '#endif', 'struct command { int cmd_type; int lineno; char **argv; int pid; };', 'struct pipe { int num_cmds; int alive_cmds; int followup; int pgrp; struct command *cmds; };', 'typedef struct { char **argv; } nommu_save_t;');
  parts.push('struct globals {', ...GLOBALS.map((v) => `\tint ${v};`), '};', 'static struct globals G;', ...GLOBALS.map((v) => `static int ${v};`), 'static int G_interactive_fd;', '');
  const helpers: string[] = [];
  let body = parts.join('\n');
  const target = (lines * 350_000) / 12_365;
  let k = 0;
  // Helpers first (each may call the ones before it), the big function, then more helpers, to the size.
  while (body.length < target * 0.45) {
    const name = `${g.ident()}_${k++}`;
    body += `\n${helper(g, name, helpers.slice(-30))}`;
    helpers.push(name);
  }
  body += `\n${runPipe(g, helpers)}`;
  while (body.length < target) body += `\n${helper(g, `${g.ident()}_${k++}`, helpers.slice(-30))}`;
  return body;
}
