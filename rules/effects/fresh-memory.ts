/**
 * Memory nobody else can reach: what a function allocated itself (`malloc`, `strdup`,
 * `realloc` of its own block, Go's `make`/`new`, or a callee that returns such memory), its
 * own frame (a local array, `&local`), or a string literal. Writes through a local pointer
 * that only ever holds such memory (or NULL) are not writes to shared memory. The same rule
 * holds for a function run as a callee, in this file or another: its frame lies below the
 * caller's, and what it allocated nobody else has seen.
 *
 * A pointer's provenance is where it may point: the function's own memory, memory behind
 * one of its parameters (a callee such as `utoa_to_buf(n, buf, len)` returning a pointer
 * into `buf`), or elsewhere (a global, an unknown callee's result).
 */
import type { LocalDeclaration } from '../language/adapter.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendants, field, lastName, operatorOf } from '../syntax.js';
import { factsOf } from './calls.js';
import { nestedSummary } from './nesting.js';
import { functionNames, type FunctionNames } from './scopes.js';

/** Allocating wrappers every C code base spells this way (busybox, git, OpenSSH). */
const CONVENTIONAL_ALLOCATORS = new Set(['xmalloc', 'xzalloc', 'xcalloc', 'xstrdup', 'xstrndup']);
/** Functions returning fresh memory or the block passed first (`realloc(p, n)` may return `p`). */
const REALLOCATORS = new Set(['realloc', 'reallocarray', 'xrealloc', 'xrealloc_vector']);
/** libc functions returning a pointer into their first argument (`strcpy(dst, ...)` returns `dst`, `stpcpy` its end). */
const RETURN_FIRST = new Set(['memcpy', 'memmove', 'memset', 'strcpy', 'strncpy', 'stpcpy', 'stpncpy', 'strcat', 'strncat', 'mempcpy']);
const ASSIGNMENTS = new Set(['assignment_expression', 'assignment_statement']);
const RETURNS = new Set(['return_statement']);

/** Where a pointer value may point. The empty provenance is no memory (NULL). */
export interface Provenance {
  /** Memory the function owns: its frame, its fresh allocations, string literals. */
  own: boolean;
  /** Memory behind these parameters (0-based positions). */
  params: number[];
  /** Anything else: a global, an unknown callee's result, a parameter's own pointer field. */
  other: boolean;
}

const NONE: Provenance = { own: false, params: [], other: false };
const OWN: Provenance = { own: true, params: [], other: false };
const OTHER: Provenance = { own: false, params: [], other: true };

function merge(a: Provenance, b: Provenance): Provenance {
  return { own: a.own || b.own, params: [...new Set([...a.params, ...b.params])].sort((x, y) => x - y), other: a.other || b.other };
}

/** Locals whose provenance is being computed (a cycle `p = q; q = p + 1` is answered "no memory" meanwhile). */
const inProgress = new Set<LocalDeclaration>();
/** Set when a provenance rested on a local still in progress: such answers are not remembered. */
let usedAssumption = false;

/** Does the local `decl` of `names.fn` only ever point at memory the function owns? */
export function ownsPointee(ctx: FileContext, names: FunctionNames, decl: LocalDeclaration): boolean {
  if (adapterSaysOwned(ctx, decl)) return true;
  const p = localProvenance(ctx, names, decl);
  return p.own && !p.other && p.params.length === 0;
}

/** Where the local pointer `decl` of `names.fn` may point. */
export function pointerProvenance(ctx: FileContext, names: FunctionNames, decl: LocalDeclaration): Provenance {
  return adapterSaysOwned(ctx, decl) ? OWN : localProvenance(ctx, names, decl);
}

/**
 * Go's adapter knows its declarations (`x := make(...)`, `&T{}`); in C the values are read
 * here, since the declaration's `&` may take a global's address.
 */
function adapterSaysOwned(ctx: FileContext, decl: LocalDeclaration): boolean {
  return decl.ownsPointee && ctx.adapter.language === 'go';
}

/** Every value the local `decl` is given (initialiser and assignments), merged. */
function localProvenance(ctx: FileContext, names: FunctionNames, decl: LocalDeclaration): Provenance {
  const key = `provenance:${decl.node.id}`;
  if (ctx.memo.has(key)) return ctx.memo.get(key) as Provenance;
  if (inProgress.has(decl)) {
    usedAssumption = true;
    return NONE;
  }
  if (decl.storage === 'value') return OWN;
  const outer = usedAssumption;
  usedAssumption = false;
  inProgress.add(decl);
  let out = NONE;
  try {
    for (const v of assignedValues(ctx, names, decl)) out = merge(out, v ? valueProvenance(ctx, names, v) : OTHER);
  } finally {
    inProgress.delete(decl);
  }
  if (!usedAssumption || inProgress.size === 0) ctx.memo.set(key, out);
  usedAssumption = outer || usedAssumption;
  return out;
}

/** The values a local is given; undefined for an assignment whose value cannot be read (`p |= x`). */
function assignedValues(ctx: FileContext, names: FunctionNames, decl: LocalDeclaration): Array<SyntaxNode | undefined> {
  return ctx.remember(`assigned:${decl.node.id}`, () => {
    const body = ctx.adapter.functionBody(names.fn);
    if (!body) return [];
    const values: Array<SyntaxNode | undefined> = [];
    const init = field(decl.node, 'value');
    if (init) values.push(init);
    for (const a of descendants(body, ASSIGNMENTS, ctx.adapter.closureTypes)) {
      const left = field(a, 'left');
      const right = field(a, 'right');
      const lefts = left ? (a.type === 'assignment_statement' ? codeChildren(left) : [left]) : [];
      const rights = right ? (a.type === 'assignment_statement' ? codeChildren(right) : [right]) : [];
      lefts.forEach((l, i) => {
        if (l.type !== 'identifier' || l.text !== decl.name) return;
        const b = names.resolve(l.text, l);
        if (b.kind !== 'local' || b.decl !== decl) return;
        // `p += n` keeps pointing into the same block; any other compound assignment is opaque.
        if (operatorOf(a) === '+=' || operatorOf(a) === '-=') return;
        values.push(operatorOf(a) === '=' ? rights[i] : undefined);
      });
    }
    return values;
  });
}

/** Where the value of a pointer expression, evaluated in `names.fn`, may point. */
export function valueProvenance(ctx: FileContext, names: FunctionNames, value: SyntaxNode): Provenance {
  let v: SyntaxNode | undefined = value;
  for (let i = 0; v && i < 20; i++) {
    if (v.type === 'parenthesized_expression') v = v.namedChild(0) ?? undefined;
    else if (v.type === 'cast_expression') v = field(v, 'value');
    // `p + n`, `p - n`: the same block.
    else if (v.type === 'binary_expression' && /^[+-]$/.test(operatorOf(v))) v = field(v, 'left');
    else if (v.type === 'update_expression') v = field(v, 'argument');
    else break;
  }
  if (!v) return OTHER;
  switch (v.type) {
    case 'null':
    case 'nil':
      return NONE;
    case 'number_literal':
      return v.text === '0' ? NONE : OTHER;
    case 'string_literal':
    case 'concatenated_string':
    case 'raw_string_literal':
      return OWN;
    case 'conditional_expression': {
      const a = field(v, 'consequence');
      const b = field(v, 'alternative');
      return merge(a ? valueProvenance(ctx, names, a) : OTHER, b ? valueProvenance(ctx, names, b) : OTHER);
    }
    case 'identifier':
      return identifierProvenance(ctx, names, v);
    case 'pointer_expression':
    case 'unary_expression':
      return operatorOf(v) === '&' ? addressProvenance(ctx, names, field(v, v.type === 'pointer_expression' ? 'argument' : 'operand')) : OTHER;
    case 'call_expression':
      return callProvenance(ctx, names, v);
    default:
      return OTHER;
  }
}

function identifierProvenance(ctx: FileContext, names: FunctionNames, id: SyntaxNode): Provenance {
  if (id.text === 'NULL') return NONE;
  const b = names.resolve(id.text, id);
  if (b.kind === 'local') return adapterSaysOwned(ctx, b.decl) ? OWN : localProvenance(ctx, names, b.decl);
  if (b.kind === 'param') return parameterReassigned(ctx, names, id.text) ? OTHER : { own: false, params: [b.index], other: false };
  return OTHER;
}

/** `&x`, `&buf[i]`, `&s.f`: the frame when the root is a local held by value (or any local's own cell). */
function addressProvenance(ctx: FileContext, names: FunctionNames, operand: SyntaxNode | undefined): Provenance {
  let base = operand;
  while (base && (base.type === 'subscript_expression' || base.type === 'parenthesized_expression' || (base.type === 'field_expression' && operatorOf(base) === '.'))) base = base.type === 'parenthesized_expression' ? base.namedChild(0) ?? undefined : field(base, 'argument');
  if (base?.type !== 'identifier') return OTHER;
  const b = names.resolve(base.text, base);
  if (b.kind !== 'local') return OTHER;
  // `&local` is the frame; `&p[i]` of a local pointer is where p points.
  if (base.id === operand?.id || b.decl.storage === 'value') return OWN;
  return localProvenance(ctx, names, b.decl);
}

/** A parameter given another value in the body (`buf++` and `buf += n` stay in its block). */
function parameterReassigned(ctx: FileContext, names: FunctionNames, name: string): boolean {
  return ctx.remember(`param-reassigned:${names.fn.id}:${name}`, () => {
    const body = ctx.adapter.functionBody(names.fn);
    if (!body) return false;
    return descendants(body, ASSIGNMENTS, ctx.adapter.closureTypes).some((a) => {
      const left = field(a, 'left');
      const lefts = left ? (a.type === 'assignment_statement' ? codeChildren(left) : [left]) : [];
      return lefts.some((l) => l.type === 'identifier' && l.text === name && names.resolve(name, l).kind === 'param') && operatorOf(a) !== '+=' && operatorOf(a) !== '-=';
    });
  });
}

/** What a call returns: fresh memory, a pointer into one of its arguments, or elsewhere. */
function callProvenance(ctx: FileContext, names: FunctionNames, call: SyntaxNode): Provenance {
  const callee = ctx.calleeText(call);
  if (!callee) return OTHER;
  const name = lastName(callee);
  const args = ctx.adapter.arguments(call);
  const argument = (i: number) => (args[i] ? valueProvenance(ctx, names, args[i]) : OTHER);
  if (factsOf(ctx, callee)?.fresh || CONVENTIONAL_ALLOCATORS.has(callee)) return OWN;
  if (ctx.adapter.language === 'go' && (callee === 'make' || callee === 'new')) return OWN;
  if (ctx.adapter.language !== 'c' || !ctx.adapter.calleeIsName(call)) return OTHER;
  if (REALLOCATORS.has(name)) return merge(OWN, argument(0));
  if (RETURN_FIRST.has(name)) return argument(0);
  const returned = returnedProvenance(ctx, name);
  if (!returned) return OTHER;
  let out: Provenance = { own: returned.own, params: [], other: returned.other };
  for (const p of returned.params) out = merge(out, argument(p));
  return out;
}

/**
 * Where a function's return value points, in terms of its own parameters: a function of
 * this file, or of another file through the project index (any definition may run).
 * Undefined when it is defined nowhere the analysis sees.
 */
export function returnedProvenance(ctx: FileContext, name: string): Provenance | undefined {
  if (ctx.functionNamed(name) !== undefined) return returnedProvenanceHere(ctx, name);
  const r = ctx.project?.resolve(name);
  if (!r?.definitions.length) return undefined;
  return r.definitions.map((d) => returnedProvenanceHere(d.ctx, d.name)).reduce(merge);
}

function returnedProvenanceHere(ctx: FileContext, name: string): Provenance {
  // Recursion: the call under way is taken as pointing elsewhere (the cautious answer).
  return ctx.rememberRecursive(`returns-provenance:${name}`, OTHER, () => nestedSummary(() => {
    const fn = ctx.functionNamed(name);
    const body = fn && ctx.adapter.functionBody(fn);
    if (!body) return OTHER;
    const names = functionNames(ctx, fn);
    const values = descendants(body, RETURNS, ctx.adapter.closureTypes).map((r) => r.namedChild(0) ?? undefined);
    if (!values.length) return OTHER;
    return values.map((v) => (v ? valueProvenance(ctx, names, v) : OTHER)).reduce(merge);
  }, () => OTHER));
}

/** A function all of whose `return`s give fresh memory (or NULL), at least one fresh. */
export function returnsFresh(ctx: FileContext, name: string): boolean {
  const p = returnedProvenance(ctx, name);
  return !!p && p.own && !p.other && p.params.length === 0;
}
