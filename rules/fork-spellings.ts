/**
 * Every spelling of a fork site (docs/rules.md, section 2), in one table. The pre-scan that
 * decides whether a file is parsed, the recogniser (fork-sites.ts), the call classifier
 * (a fork spelling is never an unknown call), the allocation rule (a raw syscall's
 * `uintptr(unsafe.Pointer(&v))` argument) and the ESLint FFI rule all read it, so a
 * spelling one of them knows is known to all.
 */
import { escapeRegExp, lastName } from './syntax.js';
import type { Language, VforklintConfig } from './types.js';

/**
 * How a call by this name makes a fork site:
 * - `vfork`: always, like `vfork()` (the compiler knows it returns twice);
 * - `raw-vfork`: always, a vfork-style clone the compiler does not know returns twice
 *   (Go's `rawVforkSyscall`);
 * - `syscall`: a raw syscall entry; a site when its number is a fork syscall (below);
 * - `clone-fn`: `clone(fn, stack, flags, arg, ...)`; a site when the flags hold `CLONE_VM`;
 * - `clone-args`: `__clone_internal(&args, fn, arg)`; the flags sit in a `struct clone_args`.
 */
export type SpellingRole = 'vfork' | 'raw-vfork' | 'syscall' | 'clone-fn' | 'clone-args';

export interface CallSpelling {
  language: Language;
  /** The callee's name; in Go any package may qualify it (`syscall.`, `unix.`, `vfork.`). */
  name: string;
  role: SpellingRole;
  /** `syscall`: where the syscall's own arguments start (after the number, and after glibc's argument count). */
  firstArgument?: number;
  /** `syscall`: the number is a constant (`SYS_clone`) or, in glibc's macros, the bare name (`clone`). */
  numberStyle?: 'constant' | 'name';
  /** `clone-fn`, `clone-args`: the position of the child's function. */
  functionArgument?: number;
  /** `clone-args`: the position of the `struct clone_args` pointer. */
  argsArgument?: number;
}

/** The syscalls that create a child, as a raw syscall's number names them. */
export type ForkSyscall = 'vfork' | 'clone' | 'clone3';

export interface SyscallNumberSpelling {
  language: Language;
  /** As written (in Go any package may qualify it). */
  name: string;
  syscall: ForkSyscall;
}

const c = (name: string, role: SpellingRole, extra: Partial<CallSpelling> = {}): CallSpelling => ({ language: 'c', name, role, ...extra });
const go = (name: string, role: SpellingRole, extra: Partial<CallSpelling> = {}): CallSpelling => ({ language: 'go', name, role, ...extra });
const constantSyscall = { firstArgument: 1, numberStyle: 'constant' } as const;

export const CALL_SPELLINGS: readonly CallSpelling[] = [
  c('vfork', 'vfork'),
  c('__vfork', 'vfork'),
  c('__libc_vfork', 'vfork'),
  c('syscall', 'syscall', constantSyscall),
  c('__syscall', 'syscall', constantSyscall),
  ...[0, 1, 2, 3, 4, 5, 6].map((n) => c(`__syscall${n}`, 'syscall', constantSyscall)),
  // glibc: INLINE_SYSCALL (clone, nargs, args...), INLINE_SYSCALL_CALL (clone, args...).
  c('INLINE_SYSCALL', 'syscall', { firstArgument: 2, numberStyle: 'name' }),
  c('INTERNAL_SYSCALL', 'syscall', { firstArgument: 2, numberStyle: 'name' }),
  c('INLINE_SYSCALL_CALL', 'syscall', { firstArgument: 1, numberStyle: 'name' }),
  c('INTERNAL_SYSCALL_CALL', 'syscall', { firstArgument: 1, numberStyle: 'name' }),
  c('DO_SYSCALL', 'syscall', { firstArgument: 1, numberStyle: 'name' }),
  c('clone', 'clone-fn', { functionArgument: 0 }),
  c('__clone', 'clone-fn', { functionArgument: 0 }),
  // ia64: __clone2 (fn, stack_base, stack_size, flags, arg, ...).
  c('__clone2', 'clone-fn', { functionArgument: 0 }),
  c('CLONE', 'clone-fn', { functionArgument: 0 }),
  // glibc: __clone3 (&args, size, fn, arg); __clone_internal and its helpers (&args, fn, arg).
  c('__clone3', 'clone-args', { argsArgument: 0, functionArgument: 2 }),
  c('__clone_internal', 'clone-args', { argsArgument: 0, functionArgument: 1 }),
  c('__clone3_internal', 'clone-args', { argsArgument: 0, functionArgument: 1 }),
  c('__clone_internal_fallback', 'clone-args', { argsArgument: 0, functionArgument: 1 }),
  go('rawVforkSyscall', 'raw-vfork'),
  go('RawVforkSyscall', 'raw-vfork'),
  ...['RawSyscall', 'RawSyscall6', 'rawSyscall', 'rawSyscall6', 'RawSyscallNoError', 'rawSyscallNoError'].map((n) => go(n, 'syscall', constantSyscall)),
];

export const SYSCALL_NUMBER_SPELLINGS: readonly SyscallNumberSpelling[] = [
  ...(['vfork', 'clone', 'clone3'] as const).flatMap((s) => [
    { language: 'c' as const, name: `SYS_${s}`, syscall: s },
    { language: 'c' as const, name: `__NR_${s}`, syscall: s },
    // The bare name, as glibc's INLINE_SYSCALL (clone, ...) spells it.
    { language: 'c' as const, name: s, syscall: s },
  ]),
  { language: 'go', name: 'SYS_VFORK', syscall: 'vfork' },
  { language: 'go', name: 'SYS_CLONE', syscall: 'clone' },
  // Go's syscall package names clone3 `_SYS_clone3`.
  { language: 'go', name: 'SYS_CLONE3', syscall: 'clone3' },
  { language: 'go', name: '_SYS_clone3', syscall: 'clone3' },
];

const byLanguage = (language: Language) => new Map(CALL_SPELLINGS.filter((s) => s.language === language).map((s) => [s.name, s]));
const CALLS: Record<Language, Map<string, CallSpelling>> = { c: byLanguage('c'), go: byLanguage('go') };
const NUMBERS: Record<Language, Map<string, ForkSyscall>> = {
  c: new Map(SYSCALL_NUMBER_SPELLINGS.filter((s) => s.language === 'c').map((s) => [s.name, s.syscall])),
  go: new Map(SYSCALL_NUMBER_SPELLINGS.filter((s) => s.language === 'go').map((s) => [s.name, s.syscall])),
};

/** A configured fork function (`xvfork`, `my_clone:raw`): its name and whether it behaves like vfork() or a raw clone. */
export function configuredForkFunctions(config: VforklintConfig): Array<{ name: string; role: 'vfork' | 'raw-vfork' }> {
  return (config.forkFunctions ?? [])
    .map((entry) => entry.split(':'))
    .filter(([name]) => !!name)
    .map(([name, kind]) => ({ name, role: kind === 'raw' ? 'raw-vfork' : 'vfork' }));
}

/**
 * The spelling of a callee as written (`vfork`, `syscall.RawSyscall6`, `vfork.RawVforkSyscall`),
 * by its last name: a Go package or a C struct member may qualify it.
 */
export function callSpelling(language: Language, callee: string): CallSpelling | undefined {
  return CALLS[language].get(lastName(callee));
}

/** The fork syscall a raw syscall's number names (`SYS_clone`, `__NR_vfork`, `syscall.SYS_CLONE`), if any. */
export function forkSyscallNumber(language: Language, numberText: string): ForkSyscall | undefined {
  // A syscall number is a name, never long (a broken string in the argument is not).
  if (numberText.length > 256) return undefined;
  return NUMBERS[language].get(lastName(numberText.trim()));
}

/** A call through which nothing but a fork (or a raw syscall) is made, configured fork functions included: never an unknown call in child code. */
export function isForkSpellingCall(language: Language, callee: string, config: VforklintConfig = {}): boolean {
  if (callSpelling(language, callee)) return true;
  const name = lastName(callee);
  return configuredForkFunctions(config).some((f) => f.name === callee || f.name === name);
}

/**
 * Go's raw syscall entries (`RawSyscall*`, `rawSyscall*`), vfork-style clones
 * (`rawVforkSyscall`) and configured fork functions: no allocation, no runtime.
 */
export function isGoRawCall(callee: string, config: VforklintConfig = {}): boolean {
  return isForkSpellingCall('go', callee, config);
}

/** Is this a C or Go raw syscall entry (`syscall`, `INLINE_SYSCALL`, `RawSyscall6`)? */
export function isRawSyscallEntry(language: Language, callee: string): boolean {
  return callSpelling(language, callee)?.role === 'syscall';
}

/** Names of one language's spellings of one role (for the ESLint FFI rule). */
export function spellingNames(language: Language, roles: SpellingRole[]): string[] {
  return CALL_SPELLINGS.filter((s) => s.language === language && roles.includes(s.role)).map((s) => s.name);
}

/**
 * The pre-scan's pattern: every name that makes a call a fork site by itself, every fork
 * syscall number, and the configured fork functions, as whole words. Raw syscall entries
 * (`syscall`, `RawSyscall`) are not in it: their fork calls hold a fork number.
 */
export function spellingPattern(config: VforklintConfig = {}): RegExp {
  const key = (config.forkFunctions ?? []).join('\n');
  let re = patterns.get(key);
  if (!re) {
    if (patterns.size > 32) patterns.clear();
    patterns.set(key, (re = buildPattern(config)));
  }
  re.lastIndex = 0;
  return re;
}

const patterns = new Map<string, RegExp>();

/** The words the pre-scan looks for, longest first (so that an alternation never stops at a prefix). */
export function spellingWords(config: VforklintConfig = {}): string[] {
  const names = new Set<string>();
  for (const s of CALL_SPELLINGS) if (s.role !== 'syscall') names.add(s.name);
  for (const s of SYSCALL_NUMBER_SPELLINGS) names.add(s.name);
  for (const f of configuredForkFunctions(config)) names.add(f.name);
  return [...names].sort((a, b) => b.length - a.length);
}

function buildPattern(config: VforklintConfig): RegExp {
  const words = spellingWords(config);
  const re = new RegExp(`(?<![\\w$])(?:${words.map(escapeRegExp).join('|')})(?![\\w$])`, 'g');
  anchorsOf.set(re, anchorPattern(words));
  return re;
}

/** Each pattern spellingPattern built, with its words' anchors. */
const anchorsOf = new WeakMap<RegExp, RegExp | undefined>();

/** Does `text` hold a whole word of `pattern` (one spellingPattern gave)? The anchors first, when its words all hold one. */
export function holdsSpelling(text: string, pattern: RegExp): boolean {
  if (anchorsOf.get(pattern)?.test(text) === false) return false;
  pattern.lastIndex = 0;
  return pattern.test(text);
}

/**
 * A few fixed strings one of which every built-in spelling holds. Most files hold none, and
 * finding that out is several times faster than running the alternation of whole words.
 */
const ANCHORS = ['fork', 'lone', 'FORK', 'LONE', 'Fork', 'Lone'];

/** The anchors these words hold, as one pattern; undefined when a word holds none (a configured `spawn`). */
export function anchorPattern(words: readonly string[]): RegExp | undefined {
  const anchorOf = words.map((w) => ANCHORS.find((a) => w.includes(a)));
  return anchorOf.every((a) => a !== undefined) ? new RegExp([...new Set(anchorOf)].join('|')) : undefined;
}
