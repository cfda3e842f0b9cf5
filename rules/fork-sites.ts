/**
 * Fork-site recognition (docs/rules.md, section 2): which calls create a child that shares the
 * caller's memory and stack, of which kind, and which variables receive the results.
 */
import type { LanguageAdapter } from './language/adapter.js';
import type { SyntaxNode } from './parser.js';
import { PathLocator, codeChildren, field, fieldChildren, lastName, walk } from './syntax.js';
import type { ForkKind, VforklintConfig } from './types.js';

export interface ForkSite {
  kind: ForkKind;
  call: SyntaxNode;
  /** The function that holds the call. */
  fn: SyntaxNode;
  /** Variable holding the child's pid (C `pid`, Go `r1`), if any. */
  pidVar?: string;
  /** Variable holding the errno (Go `err1`), if any. */
  errVar?: string;
  /** For `clone-fn` sites: the name of the child's function and the argument passed to it. */
  childFunction?: string;
  spelling: string;
}

const FLAG_WALK_NODES = new Set(['selector_expression', 'field_expression', 'identifier', 'call_expression']);
const ASSIGN_NODES = new Set(['assignment_expression', 'init_declarator', 'assignment_statement', 'short_var_declaration', 'var_spec']);
const CLONE_ARGS_NODES = new Set(['initializer_pair', 'assignment_expression']);

/** Spellings whose presence in a file's text makes it worth parsing. */
export const FORK_SPELLINGS = ['vfork', 'clone', 'CLONE', 'VFORK', 'RawVforkSyscall', 'rawVforkSyscall'];

const C_VFORK = new Set(['vfork', '__vfork', '__libc_vfork']);
const C_SYSCALL = new Set(['syscall', '__syscall', 'INLINE_SYSCALL', 'INTERNAL_SYSCALL', 'INLINE_SYSCALL_CALL', 'INTERNAL_SYSCALL_CALL', '__syscall0', '__syscall1', '__syscall2', '__syscall5', '__syscall6', 'DO_SYSCALL']);
const C_CLONE_FN = new Set(['clone', '__clone', '__clone2', 'CLONE', '__clone_internal', '__clone3']);
const GO_RAW = /^(?:\w+\.)?(?:RawSyscall6?|rawSyscall6?|RawSyscallNoError|rawSyscallNoError)$/;
const GO_VFORK = /^(?:\w+\.)?(?:rawVforkSyscall|RawVforkSyscall)$/;

function isZero(node: SyntaxNode | undefined, adapter: LanguageAdapter): boolean {
  if (!node) return true;
  const v = adapter.expression(node);
  return v.kind === 'integer' && v.value === 0;
}

function syscallName(node: SyntaxNode | undefined): string {
  // A syscall number is a name or a number: a huge argument (a broken string) is neither.
  if (!node || node.endIndex - node.startIndex > 256) return '';
  return lastName(node.text).replace(/^(?:SYS_|__NR_)/, '').toLowerCase();
}

/**
 * The constant names that may flow into `expr`, following simple local data flow: a local
 * variable contributes whatever any assignment in the function gives it.
 */
export function flagNames(expr: SyntaxNode, fn: SyntaxNode, adapter: LanguageAdapter): Set<string> {
  const names = new Set<string>();
  const seenVars = new Set<string>();
  const pending: SyntaxNode[] = [expr];
  let assignments: Map<string, SyntaxNode[]> | undefined;
  // Callees seen on the way down (a `parent` lookup per identifier costs the tree's width).
  const callees = new Set<number>();
  while (pending.length) {
    const e = pending.pop()!;
    walk(e, (n) => {
      if (n.type === 'call_expression') {
        const callee = n.childForFieldName('function');
        if (callee?.type === 'identifier') callees.add(callee.id);
        return true;
      }
      if (n.type === 'selector_expression' || n.type === 'field_expression') {
        const f = field(n, 'field');
        if (f && /^[A-Z][A-Z0-9_]+$/.test(f.text)) names.add(f.text);
        // `sys.Cloneflags`: opaque, adds nothing.
        return false;
      }
      if (n.type !== 'identifier') return true;
      // A callee (`uintptr(...)`) or a type conversion is no variable.
      if (callees.has(n.id)) return true;
      if (/^[A-Z][A-Z0-9_]+$/.test(n.text)) {
        names.add(n.text);
        return true;
      }
      if (seenVars.has(n.text)) return true;
      seenVars.add(n.text);
      assignments ??= assignmentsCache.get(fn.id) ?? collectAssignments(fn, adapter);
      assignmentsCache.set(fn.id, assignments);
      for (const v of assignments.get(n.text) ?? []) pending.push(v);
      return true;
    }, { only: FLAG_WALK_NODES });
  }
  return names;
}

/** Per tree: node ids are unique within one tree, and a tree is analysed at a time. */
const assignmentsCache = new Map<number, Map<string, SyntaxNode[]>>();
export function clearForkSiteCaches(): void {
  assignmentsCache.clear();
}

/** Every value assigned to each local name in the function (`=`, `|=`, initialisers, struct field initialisers). */
function collectAssignments(fn: SyntaxNode, adapter: LanguageAdapter): Map<string, SyntaxNode[]> {
  const out = new Map<string, SyntaxNode[]>();
  const add = (name: string, value: SyntaxNode | undefined) => {
    if (!value) return;
    const list = out.get(name) ?? [];
    list.push(value);
    out.set(name, list);
  };
  walk(fn, (n) => {
    switch (n.type) {
      case 'assignment_expression':
      case 'init_declarator': {
        const left = field(n, n.type === 'init_declarator' ? 'declarator' : 'left');
        const value = field(n, n.type === 'init_declarator' ? 'value' : 'right');
        if (left) add(baseName(left), value);
        break;
      }
      case 'assignment_statement':
      case 'short_var_declaration': {
        const left = field(n, 'left');
        const right = field(n, 'right');
        const ls = left ? codeChildren(left) : [];
        const rs = right ? codeChildren(right) : [];
        ls.forEach((l, i) => add(baseName(l), rs.length === ls.length ? rs[i] : rs[0]));
        break;
      }
      case 'var_spec': {
        const value = field(n, 'value');
        const vs = value ? codeChildren(value) : [];
        fieldChildren(n, 'name').forEach((nm, i) => add(nm.text, vs[i]));
        break;
      }
      default:
        break;
    }
    return true;
  }, { only: ASSIGN_NODES });
  void adapter;
  return out;
}

/** `args.flags` -> `args`, `*p` -> `p`, `x` -> `x`. */
function baseName(node: SyntaxNode): string {
  let n: SyntaxNode | undefined = node;
  for (let i = 0; n && i < 50; i++) {
    if (n.type === 'identifier') return n.text;
    n = field(n, 'argument') ?? field(n, 'operand') ?? field(n, 'declarator') ?? n.namedChild(0) ?? undefined;
  }
  return '';
}

/** Flags and stack of a `struct clone_args` variable passed by address (clone3, __clone_internal). */
function cloneArgsStruct(arg: SyntaxNode | undefined, fn: SyntaxNode, adapter: LanguageAdapter): { flags: Set<string>; stackZero: boolean } | undefined {
  if (!arg) return undefined;
  const name = baseName(arg);
  if (!name) return undefined;
  const flags = new Set<string>();
  let stackZero = true;
  walk(fn, (n) => {
    // Designated initialisers: `struct clone_args a = { .flags = X, .stack = Y }`.
    if (n.type === 'initializer_pair') {
      const designator = n.namedChild(0)?.text ?? '';
      const value = field(n, 'value');
      if (!value) return true;
      const owner = n.parent?.parent;
      const ownerName = owner?.type === 'init_declarator' ? baseName(owner) : '';
      if (ownerName !== name) return true;
      if (designator.endsWith('flags')) for (const f of flagNames(value, fn, adapter)) flags.add(f);
      if (designator.endsWith('stack') && !isZero(value, adapter)) stackZero = false;
    }
    if (n.type === 'assignment_expression') {
      const left = field(n, 'left');
      const value = field(n, 'right');
      if (left?.type === 'field_expression' && baseName(left) === name && value) {
        const f = field(left, 'field')?.text ?? '';
        if (f === 'flags') for (const x of flagNames(value, fn, adapter)) flags.add(x);
        if (f === 'stack' && !isZero(value, adapter)) stackZero = false;
      }
    }
    return true;
  }, { only: CLONE_ARGS_NODES });
  return { flags, stackZero };
}

function vmKind(flags: Set<string>): ForkKind | undefined {
  if (!flags.has('CLONE_VM')) return undefined;
  return flags.has('CLONE_VFORK') ? 'raw' : 'concurrent';
}

/** Classify one call expression; undefined when it is not a fork site. */
export function classifyForkCall(call: SyntaxNode, fn: SyntaxNode, adapter: LanguageAdapter, config: VforklintConfig): { kind: ForkKind; childFunction?: string; spelling: string } | undefined {
  const callee = adapter.calleeText(call);
  if (!callee) return undefined;
  const name = lastName(callee);
  const args = adapter.arguments(call);
  for (const entry of config.forkFunctions ?? []) {
    // `xvfork` behaves like vfork() (a macro or inline wrapper the compiler sees through);
    // `my_clone:raw` is a real function that returns twice, unknown to the compiler.
    const [extra, kind] = entry.split(':');
    if (extra === callee || extra === name) return { kind: kind === 'raw' ? 'raw' : 'vfork', spelling: callee };
  }
  if (adapter.language === 'c') {
    if (C_VFORK.has(name)) return { kind: 'vfork', spelling: name };
    if (C_SYSCALL.has(name)) {
      const nr = syscallName(args[0]);
      if (nr === 'vfork') return { kind: 'raw', spelling: callee };
      if (nr === 'clone') {
        const kind = vmKind(flagNames(args[1] ?? call, fn, adapter));
        if (kind && isZero(args[2], adapter)) return { kind, spelling: callee };
      }
      if (nr === 'clone3') {
        const s = cloneArgsStruct(args[1], fn, adapter);
        const kind = s && vmKind(s.flags);
        if (kind && s.stackZero) return { kind, spelling: callee };
      }
      return undefined;
    }
    if (C_CLONE_FN.has(name)) {
      if (name === '__clone_internal' || name === '__clone3') {
        const s = cloneArgsStruct(args[0], fn, adapter);
        if (s && s.flags.has('CLONE_VM')) return { kind: 'clone-fn', childFunction: args[1] ? lastName(args[1].text) : undefined, spelling: name };
        return undefined;
      }
      // clone(fn, stack, flags, arg), __clone2/CLONE(fn, base, size, flags, arg): find the flags.
      const flags = new Set<string>();
      for (const a of args.slice(1)) for (const f of flagNames(a, fn, adapter)) flags.add(f);
      if (flags.has('CLONE_VM')) return { kind: 'clone-fn', childFunction: args[0] ? lastName(args[0].text) : undefined, spelling: name };
      return undefined;
    }
    return undefined;
  }
  // Go
  if (GO_VFORK.test(callee)) return { kind: 'raw', spelling: callee };
  if (GO_RAW.test(callee)) {
    const nr = syscallName(args[0]);
    if (nr === 'vfork') return { kind: 'raw', spelling: callee };
    if (nr === 'clone') {
      const kind = vmKind(flagNames(args[1] ?? call, fn, adapter));
      if (kind && isZero(args[2], adapter)) return { kind, spelling: callee };
    }
  }
  return undefined;
}

/** The variables that receive a fork call's results: C `pid = vfork()`, Go `r1, _, err1 = RawSyscall(...)`. */
export function resultVariables(call: SyntaxNode): { pidVar?: string; errVar?: string } {
  let n: SyntaxNode = call;
  for (let i = 0; i < 20 && n.parent; i++) {
    const p: SyntaxNode = n.parent;
    if (p.type === 'parenthesized_expression' || p.type === 'cast_expression' || (p.type === 'argument_list' && p.parent && /^(?:uintptr|int|int32|int64|uint32)$/.test(field(p.parent, 'function')?.text ?? ''))) {
      n = p.type === 'argument_list' ? p.parent! : p;
      continue;
    }
    if (p.type === 'call_expression' && field(p, 'function')?.text && /^(?:uintptr|int|int32|int64)$/.test(field(p, 'function')!.text)) {
      n = p;
      continue;
    }
    if (p.type === 'assignment_expression' && field(p, 'right')?.id === n.id) {
      const left = field(p, 'left');
      return { pidVar: left?.type === 'identifier' ? left.text : undefined };
    }
    if (p.type === 'init_declarator' && field(p, 'value')?.id === n.id) {
      return { pidVar: baseName(p) || undefined };
    }
    if (p.type === 'expression_list' && p.parent && (p.parent.type === 'assignment_statement' || p.parent.type === 'short_var_declaration')) {
      const stmt = p.parent;
      if (field(stmt, 'right')?.id !== p.id) return {};
      const left = field(stmt, 'left');
      const names = left ? codeChildren(left).map((l) => (l.type === 'identifier' ? l.text : '')) : [];
      const pidVar = names[0] && names[0] !== '_' ? names[0] : undefined;
      const last = names.length >= 2 ? names[names.length - 1] : undefined;
      return { pidVar, errVar: last && last !== '_' ? last : undefined };
    }
    if (p.type === 'expression_list' && p.parent?.type === 'var_spec') {
      const names = fieldChildren(p.parent, 'name').map((x) => x.text);
      return { pidVar: names[0], errVar: names.length >= 2 ? names[names.length - 1] : undefined };
    }
    return {};
  }
  return {};
}

/**
 * The fork sites behind spelling matches at `offsets` inside `fn`: every fork site's call
 * holds one of the spellings in its callee or first argument, so only the calls enclosing
 * a match are classified (nothing else in the function is walked).
 */
export function findForkSitesAt(fn: SyntaxNode, offsets: number[], adapter: LanguageAdapter, config: VforklintConfig): ForkSite[] {
  const sites: ForkSite[] = [];
  const seen = new Set<number>();
  const notSites = new Set<string>();
  using locator = new PathLocator(fn);
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    // Climb to the nearest enclosing call; stop at the function (or a nested closure).
    const path = offset >= fn.startIndex && offset < fn.endIndex ? locator.enclosing(offset, 13) : [];
    for (let depth = 0; depth < 12 && depth < path.length && !adapter.functionTypes.has(path[depth].type); depth++) {
      const n = path[depth];
      if (n.type !== adapter.callType || seen.has(n.startIndex)) continue;
      // Thousands of spellings can sit inside one call (a broken string): classify it once.
      const key = `${n.startIndex}:${n.endIndex}`;
      if (notSites.has(key)) continue;
      const c = classifyForkCall(n, fn, adapter, config);
      if (!c) {
        notSites.add(key);
        continue;
      }
      seen.add(n.startIndex);
      sites.push(makeSite(n, fn, c, adapter));
      break;
    }
  }
  return sites.sort((a, b) => a.call.startIndex - b.call.startIndex);
}

function makeSite(n: SyntaxNode, fn: SyntaxNode, c: { kind: ForkKind; childFunction?: string; spelling: string }, adapter: LanguageAdapter): ForkSite {
  // Name raw syscalls by what they do: `syscall(SYS_clone, ...)`, `RawSyscall6(SYS_CLONE, ...)`.
  const first = adapter.arguments(n)[0];
  const spelling = c.kind !== 'vfork' && c.kind !== 'clone-fn' && first && /^(?:SYS_|__NR_|\w+\.SYS_)/.test(first.text) && !c.spelling.includes('(') ? `${c.spelling}(${first.text}, ...)` : c.spelling;
  return { ...c, spelling, call: n, fn, ...resultVariables(n) };
}

/** Every fork site inside `fn` (not inside nested closures, which are analysed on their own). */
export function findForkSites(fn: SyntaxNode, adapter: LanguageAdapter, config: VforklintConfig): ForkSite[] {
  const sites: ForkSite[] = [];
  walk(fn, (n) => {
    const c = classifyForkCall(n, fn, adapter, config);
    if (c) sites.push(makeSite(n, fn, c, adapter));
    return true;
  }, { only: new Set([adapter.callType]), skip: adapter.functionTypes });
  return sites;
}
