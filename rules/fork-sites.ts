/**
 * Fork-site recognition (docs/rules.md, section 2): which calls create a child that shares the
 * caller's memory and stack, of which kind, and which variables receive the results.
 */
import type { LanguageAdapter } from './language/adapter.js';
import type { SyntaxNode } from './parser.js';
import { PathLocator, PerTreeCache, codeChildren, field, fieldChildren, lastName, namedChildren, walk } from './syntax.js';
import { callSpelling, configuredForkFunctions, forkSyscallNumber } from './fork-spellings.js';
import type { ForkKind, VforklintConfig } from './types.js';

export interface ForkSite {
  kind: ForkKind;
  call: SyntaxNode;
  /** The function that holds the call. */
  fn: SyntaxNode;
  /** The lvalue holding the child's pid (C `pid`, `cmd->pid`, Go `r1`), whitespace removed, if any. */
  pidVar?: string;
  /** Variable holding the errno (Go `err1`), if any. */
  errVar?: string;
  /** For `clone-fn` sites: the name of the child's function and the argument passed to it. */
  childFunction?: string;
  spelling: string;
}

const FLAG_WALK_NODES = new Set(['selector_expression', 'field_expression', 'identifier', 'call_expression']);
const ASSIGN_NODES = new Set(['assignment_expression', 'init_declarator', 'assignment_statement', 'short_var_declaration', 'var_spec']);
const CLONE_ARGS_NODES = new Set(['initializer_pair', 'assignment_expression', 'keyed_element', 'assignment_statement']);

function isZero(node: SyntaxNode | undefined, adapter: LanguageAdapter): boolean {
  if (!node) return true;
  const v = adapter.expression(node);
  return v.kind === 'integer' && v.value === 0;
}

/**
 * The constant names that may flow into `expr`, following simple local data flow: a local
 * variable contributes whatever any assignment in the function gives it.
 */
export function flagNames(expr: SyntaxNode, fn: SyntaxNode, adapter: LanguageAdapter, macroNames?: MacroNames): Set<string> {
  const names = new Set<string>();
  // A constant name that is an object-like macro of the file or its headers (`#define SPAWN_FLAGS (CLONE_VM | CLONE_VFORK)`) stands for the names in its body.
  const addName = (name: string, depth: number) => {
    if (names.has(name)) return;
    names.add(name);
    if (depth < 8) for (const inner of macroNames?.(name) ?? []) addName(inner, depth + 1);
  };
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
        if (f && CONSTANT_NAME.test(f.text)) addName(f.text, 0);
        // `sys.Cloneflags`: opaque, adds nothing.
        return false;
      }
      if (n.type !== 'identifier') return true;
      // A callee (`uintptr(...)`) or a type conversion is no variable.
      if (callees.has(n.id)) return true;
      if (CONSTANT_NAME.test(n.text)) {
        addName(n.text, 0);
        return true;
      }
      if (seenVars.has(n.text)) return true;
      seenVars.add(n.text);
      const ofTree = assignmentsCache.of(fn);
      assignments ??= ofTree.get(fn.id) ?? collectAssignments(fn, adapter);
      ofTree.set(fn.id, assignments);
      for (const v of assignments.get(n.text) ?? []) pending.push(v);
      return true;
    }, { only: FLAG_WALK_NODES });
  }
  return names;
}

/** A constant's name as flags spell it: capitals, digits and underscores (`CLONE_VM`, `SIGCHLD`). */
export const CONSTANT_NAME = /^[A-Z][A-Z0-9_]+$/;

/** The constant names (capitalised) in the body of an object-like macro `name`, when the file or its headers define one. */
export type MacroNames = (name: string) => readonly string[] | undefined;

/** Per function (by tree: see PerTreeCache). */
const assignmentsCache = new PerTreeCache<number, Map<string, SyntaxNode[]>>();
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

/** The variable a `struct clone_args` pointer argument names: C `&args`, Go `uintptr(unsafe.Pointer(&args))`. */
function structVariable(arg: SyntaxNode): string {
  let n: SyntaxNode | undefined = arg;
  for (let i = 0; n && i < 10; i++) {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'call_expression') {
      // A conversion (`uintptr(...)`, `unsafe.Pointer(...)`): its one argument.
      const args = field(n, 'arguments');
      const inner: SyntaxNode[] = args ? namedChildren(args) : [];
      n = inner.length === 1 ? inner[0] : undefined;
    } else if (n.type === 'unary_expression' || n.type === 'pointer_expression' || n.type === 'parenthesized_expression' || n.type === 'cast_expression') {
      n = field(n, 'operand') ?? field(n, 'argument') ?? field(n, 'value') ?? n.namedChild(0) ?? undefined;
    } else return baseName(n);
  }
  return '';
}

/** The variable a composite literal initialises: Go `args := cloneArgs{...}`, `var a = &cloneArgs{...}`. */
function goLiteralOwner(literal: SyntaxNode): string {
  let n: SyntaxNode = literal;
  while (n.parent && (n.parent.type === 'unary_expression' || n.parent.type === 'parenthesized_expression')) n = n.parent;
  const list = n.parent;
  const stmt = list?.parent;
  if (!list || list.type !== 'expression_list' || !stmt) return '';
  const index = namedChildren(list).findIndex((c) => c.id === n.id);
  const left = field(stmt, 'left');
  const names = stmt.type === 'var_spec' ? fieldChildren(stmt, 'name') : left ? namedChildren(left) : [];
  return names[index]?.type === 'identifier' ? names[index].text : '';
}

/** Flags and stack of a `struct clone_args` variable passed by address (clone3, __clone_internal; Go's clone3 argument). */
function cloneArgsStruct(arg: SyntaxNode | undefined, fn: SyntaxNode, adapter: LanguageAdapter, macroNames?: MacroNames): { flags: Set<string>; stackZero: boolean } | undefined {
  if (!arg) return undefined;
  const name = structVariable(arg);
  if (!name) return undefined;
  const flags = new Set<string>();
  let stackZero = true;
  const member = (memberName: string, value: SyntaxNode) => {
    if (/flags$/i.test(memberName)) for (const f of flagNames(value, fn, adapter, macroNames)) flags.add(f);
    if (/stack$/i.test(memberName) && !isZero(value, adapter)) stackZero = false;
  };
  walk(fn, (n) => {
    // Designated initialisers: `struct clone_args a = { .flags = X, .stack = Y }`.
    if (n.type === 'initializer_pair') {
      const value = field(n, 'value');
      const owner = n.parent?.parent;
      if (value && owner?.type === 'init_declarator' && baseName(owner) === name) member(n.namedChild(0)?.text ?? '', value);
    }
    // Go: `cloneArgs{flags: X, stack: Y}`.
    if (n.type === 'keyed_element') {
      const key = n.namedChild(0);
      const value = n.namedChild(1);
      const literal = n.parent?.parent;
      if (key && value && literal?.type === 'composite_literal' && goLiteralOwner(literal) === name) member(key.text, value);
    }
    // `args.flags = X` (C, and Go's assignment_statement with one target).
    if (n.type === 'assignment_expression' || n.type === 'assignment_statement') {
      const lefts = n.type === 'assignment_statement' ? field(n, 'left')?.namedChildren ?? [] : [field(n, 'left')];
      const rights = n.type === 'assignment_statement' ? field(n, 'right')?.namedChildren ?? [] : [field(n, 'right')];
      lefts.forEach((left, i) => {
        const value = rights[i];
        if (!left || !value || (left.type !== 'field_expression' && left.type !== 'selector_expression')) return;
        if (baseName(left) === name) member(field(left, 'field')?.text ?? '', value);
      });
    }
    return true;
  }, { only: CLONE_ARGS_NODES });
  return { flags, stackZero };
}

/** The kind of a clone by its flags: none without `CLONE_VM`, and none for a thread (`CLONE_THREAD`: pthread_create). */
function vmKind(flags: Set<string>): ForkKind | undefined {
  if (!flags.has('CLONE_VM') || flags.has('CLONE_THREAD')) return undefined;
  return flags.has('CLONE_VFORK') ? 'raw' : 'concurrent';
}

const DECLARATOR_NODES = new Set(['function_declarator', 'parameter_list', 'parameter_declaration', 'abstract_function_declarator', 'declaration_list', 'function_type', 'method_spec']);
const TYPE_NODES = new Set(['primitive_type', 'type_identifier', 'sized_type_specifier', 'struct_specifier', 'union_specifier', 'enum_specifier', 'type_descriptor', 'parameter_declaration', 'variadic_parameter', 'storage_class_specifier', 'type_qualifier']);
const DECLARATION_WORDS = /^(?:extern|static|inline|const|volatile|void|int|unsigned|signed|long|short|char|\w+_t)$/;

/**
 * A prototype the parser read as a call (`extern pid_t __vfork (void);` after a macro it
 * could not read): only calls are sites (docs/rules.md, section 2). The call must sit in the
 * function's body, outside any declarator (among the `ancestors` the caller knows: a
 * parent lookup costs the tree's depth); no argument is a type (`(void)`, `int x`, `...`);
 * and no type or storage word stands right before it (no expression puts two operands side
 * by side).
 */
function isDeclarationNotCall(call: SyntaxNode, fn: SyntaxNode, adapter: LanguageAdapter, ancestors: SyntaxNode[]): boolean {
  const body = adapter.functionBody(fn);
  if (!body || call.startIndex < body.startIndex || call.endIndex > body.endIndex) return true;
  for (const n of ancestors) {
    if (n.id === body.id) break;
    if (DECLARATOR_NODES.has(n.type)) return true;
  }
  if (adapter.language !== 'c') return false;
  const args = call.childForFieldName('arguments');
  if (args) {
    for (const a of namedChildren(args)) {
      if (TYPE_NODES.has(a.type) || a.text === 'void' || a.text === '...') return true;
    }
    if (/^\(\s*\.\.\.\s*\)$/.test(args.text)) return true;
  }
  // Only error recovery puts a type word and a call side by side (and a sibling lookup costs the parent's width).
  const parent = ancestors[0];
  if (parent?.type !== 'ERROR' || parent.childCount > 1000) return false;
  const prev = call.previousSibling;
  return !!prev && (TYPE_NODES.has(prev.type) || (prev.type === 'identifier' && DECLARATION_WORDS.test(prev.text)));
}

/** The flags of a raw clone syscall (`syscall(SYS_clone, flags, stack, ...)`), and whether its stack is the caller's. */
function rawCloneKind(args: SyntaxNode[], first: number, call: SyntaxNode, fn: SyntaxNode, adapter: LanguageAdapter, macroNames?: MacroNames): ForkKind | undefined {
  const kind = vmKind(flagNames(args[first] ?? call, fn, adapter, macroNames));
  return kind && isZero(args[first + 1], adapter) ? kind : undefined;
}

/** Classify one call expression; undefined when it is not a fork site. `ancestors`: the nodes above the call, innermost first, as far as known. */
export function classifyForkCall(call: SyntaxNode, fn: SyntaxNode, adapter: LanguageAdapter, config: VforklintConfig, ancestors: SyntaxNode[] = [], macroNames?: MacroNames): { kind: ForkKind; childFunction?: string; spelling: string } | undefined {
  const callee = adapter.calleeText(call);
  if (!callee) return undefined;
  const name = lastName(callee);
  const configured = configuredForkFunctions(config).find((f) => f.name === callee || f.name === name);
  const spelling = configured ? undefined : callSpelling(adapter.language, callee);
  if (!configured && !spelling) return undefined;
  if (isDeclarationNotCall(call, fn, adapter, ancestors)) return undefined;
  // `xvfork` behaves like vfork() (a macro or inline wrapper the compiler sees through);
  // `my_clone:raw` is a real function that returns twice, unknown to the compiler.
  if (configured) return { kind: configured.role === 'raw-vfork' ? 'raw' : 'vfork', spelling: callee };
  const args = adapter.arguments(call);
  const shown = adapter.language === 'c' ? name : callee;
  switch (spelling!.role) {
    case 'vfork':
      return { kind: 'vfork', spelling: shown };
    case 'raw-vfork':
      return { kind: 'raw', spelling: callee };
    case 'syscall': {
      const first = spelling!.firstArgument ?? 1;
      const nr = args[0] ? forkSyscallNumber(adapter.language, args[0].text) : undefined;
      if (nr === 'vfork') return { kind: 'raw', spelling: callee };
      if (nr === 'clone') {
        const kind = rawCloneKind(args, first, call, fn, adapter, macroNames);
        return kind ? { kind, spelling: callee } : undefined;
      }
      if (nr === 'clone3') {
        const s = cloneArgsStruct(args[first], fn, adapter, macroNames);
        const kind = s && vmKind(s.flags);
        return kind && s.stackZero ? { kind, spelling: callee } : undefined;
      }
      return undefined;
    }
    case 'clone-args': {
      const s = cloneArgsStruct(args[spelling!.argsArgument ?? 0], fn, adapter, macroNames);
      if (!s || !s.flags.has('CLONE_VM') || s.flags.has('CLONE_THREAD')) return undefined;
      return { kind: 'clone-fn', childFunction: childFunctionName(args[spelling!.functionArgument ?? 1]), spelling: shown };
    }
    case 'clone-fn': {
      // clone(fn, stack, flags, arg), __clone2/CLONE(fn, base, size, flags, arg): find the flags.
      const fnArg = spelling!.functionArgument ?? 0;
      const flags = new Set<string>();
      args.forEach((a, i) => {
        if (i !== fnArg) for (const f of flagNames(a, fn, adapter, macroNames)) flags.add(f);
      });
      if (!flags.has('CLONE_VM') || flags.has('CLONE_THREAD')) return undefined;
      return { kind: 'clone-fn', childFunction: childFunctionName(args[fnArg]), spelling: shown };
    }
  }
}

/** `child_main`, `&start_thread`, `(c11 ? start_c11 : start)`: the function a clone child runs (the last name). */
function childFunctionName(arg: SyntaxNode | undefined): string | undefined {
  return arg ? lastName(arg.text) : undefined;
}

/** An assignment target as the flow pass names places: `pid`, `cmd->pid`, `pids[i]` (whitespace removed). */
function placeName(left: SyntaxNode | undefined): string | undefined {
  if (!left) return undefined;
  if (left.type === 'identifier') return left.text;
  if (!/^(?:field_expression|subscript_expression|pointer_expression|selector_expression|index_expression)$/.test(left.type) || left.text.length > 200) return undefined;
  return left.text.replace(/\s+/g, '');
}

/**
 * The places that receive a fork call's results: C `pid = vfork()`, `cmd->pid = vfork()`,
 * `x->pid = BB_MMU ? fork() : vfork()`, Go `r1, _, err1 = RawSyscall(...)`.
 */
export function resultVariables(call: SyntaxNode): { pidVar?: string; errVar?: string } {
  let n: SyntaxNode = call;
  for (let i = 0; i < 20 && n.parent; i++) {
    const p: SyntaxNode = n.parent;
    // An arm of a conditional: `c ? fork() : vfork()` holds the fork's result on the vfork arm's paths.
    if (p.type === 'conditional_expression' && field(p, 'condition')?.id !== n.id) {
      n = p;
      continue;
    }
    if (p.type === 'parenthesized_expression' || p.type === 'cast_expression' || (p.type === 'argument_list' && p.parent && /^(?:uintptr|int|int32|int64|uint32)$/.test(field(p.parent, 'function')?.text ?? ''))) {
      n = p.type === 'argument_list' ? p.parent! : p;
      continue;
    }
    if (p.type === 'call_expression' && field(p, 'function')?.text && /^(?:uintptr|int|int32|int64)$/.test(field(p, 'function')!.text)) {
      n = p;
      continue;
    }
    if (p.type === 'assignment_expression' && field(p, 'right')?.id === n.id) {
      return { pidVar: placeName(field(p, 'left')) };
    }
    if (p.type === 'init_declarator' && field(p, 'value')?.id === n.id) {
      return { pidVar: baseName(p) || undefined };
    }
    if (p.type === 'expression_list' && p.parent && (p.parent.type === 'assignment_statement' || p.parent.type === 'short_var_declaration')) {
      const stmt = p.parent;
      if (field(stmt, 'right')?.id !== p.id) return {};
      const left = field(stmt, 'left');
      const names = left ? codeChildren(left).map((l) => placeName(l) ?? '') : [];
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
/** A macro use that forks (effects/macro-uses.ts): its kind, the name to show, and where its result is held when that is not its value. */
export type MacroForkReader = (node: SyntaxNode) => { kind: ForkKind; spelling: string; pidVar?: string } | undefined;

export function findForkSitesAt(fn: SyntaxNode, offsets: number[], adapter: LanguageAdapter, config: VforklintConfig, macroFork?: MacroForkReader, macroNames?: MacroNames): ForkSite[] {
  const sites: ForkSite[] = [];
  const seen = new Set<number>();
  const notSites = new Set<string>();
  using locator = new PathLocator(fn);
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    // Climb to the nearest enclosing call; stop at the function (or a nested closure).
    const path = offset >= fn.startIndex && offset < fn.endIndex ? locator.enclosing(offset, 13) : [];
    for (let depth = 0; depth < 12 && depth < path.length && !adapter.functionTypes.has(path[depth].type); depth++) {
      const n = path[depth];
      // An object-like macro whose expansion forks (`pid = SPAWN;`), unless it is a call's callee (the call is the use).
      if (macroFork && depth === 0 && n.type === 'identifier' && !seen.has(n.startIndex) && !(path[1]?.type === adapter.callType && field(path[1], 'function')?.id === n.id)) {
        const m = macroFork(n);
        if (m) {
          seen.add(n.startIndex);
          sites.push(macroSite(n, fn, m, adapter));
          break;
        }
      }
      if (n.type !== adapter.callType || seen.has(n.startIndex)) continue;
      // Thousands of spellings can sit inside one call (a broken string): classify it once.
      const key = `${n.startIndex}:${n.endIndex}`;
      if (notSites.has(key)) continue;
      const c = classifyForkCall(n, fn, adapter, config, path.slice(depth + 1), macroNames);
      const m = c ? undefined : macroFork?.(n);
      if (!c && !m) {
        notSites.add(key);
        continue;
      }
      seen.add(n.startIndex);
      sites.push(c ? makeSite(n, fn, c, adapter) : macroSite(n, fn, m!, adapter));
      break;
    }
  }
  return sites.sort((a, b) => a.call.startIndex - b.call.startIndex);
}

/** A site at a macro use: the result is held where the use's value goes, or where the body stores it. */
function macroSite(n: SyntaxNode, fn: SyntaxNode, m: { kind: ForkKind; spelling: string; pidVar?: string }, adapter: LanguageAdapter): ForkSite {
  void adapter;
  const site: ForkSite = { kind: m.kind, spelling: m.spelling, call: n, fn, ...resultVariables(n) };
  if (m.pidVar) site.pidVar = m.pidVar;
  return site;
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
