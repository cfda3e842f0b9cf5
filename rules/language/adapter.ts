/**
 * How a language spells the few things the analysis needs. The flow pass and the rules
 * see only these views, so one analysis serves C and Go.
 */
import type { SyntaxNode } from '../parser.js';
import type { Language } from '../types.js';

/** A statement, reduced to its control-flow shape. */
export type StatementView =
  | { kind: 'block'; statements: SyntaxNode[] }
  | { kind: 'if'; init?: SyntaxNode; condition: SyntaxNode; then: SyntaxNode; else?: SyntaxNode }
  | { kind: 'loop'; init?: SyntaxNode; condition?: SyntaxNode; update?: SyntaxNode; body: SyntaxNode; testsFirst: boolean }
  | { kind: 'switch'; init?: SyntaxNode; subject?: SyntaxNode; cases: SwitchCase[]; fallsThrough: boolean }
  /** Preprocessor conditional: each alternative may be the one compiled; `mayBeNone` when no #else. */
  | { kind: 'alternatives'; alternatives: SyntaxNode[][]; mayBeNone: boolean }
  | { kind: 'return'; values: SyntaxNode[] }
  | { kind: 'break'; label?: string }
  | { kind: 'continue'; label?: string }
  | { kind: 'goto'; label: string }
  | { kind: 'label'; label: string; body?: SyntaxNode }
  | { kind: 'fallthrough' }
  | { kind: 'empty' }
  /** Anything else: declarations, assignments, calls, defer/go. `expression` is what it evaluates. */
  | { kind: 'simple'; expression: SyntaxNode };

export interface SwitchCase {
  /** undefined for `default`; otherwise the case's values (Go may list several). */
  values?: SyntaxNode[];
  statements: SyntaxNode[];
  node: SyntaxNode;
}

/** An expression, reduced to what condition tests and result tracking need. */
export type ExpressionView =
  | { kind: 'binary'; op: string; left: SyntaxNode; right: SyntaxNode }
  | { kind: 'not'; operand: SyntaxNode }
  | { kind: 'negate'; operand: SyntaxNode }
  | { kind: 'identifier'; name: string }
  | { kind: 'integer'; value: number }
  | { kind: 'assign'; targets: SyntaxNode[]; value: SyntaxNode; op: string }
  | { kind: 'call'; call: SyntaxNode }
  | { kind: 'other' };

/** `!x` and `-x` (a negative constant when x is one), the same in both languages. */
export function unaryView(op: string, operand: SyntaxNode | undefined, expression: (n: SyntaxNode) => ExpressionView): ExpressionView {
  if (!operand) return { kind: 'other' };
  if (op === '!') return { kind: 'not', operand };
  if (op !== '-') return { kind: 'other' };
  const inner = expression(operand);
  return inner.kind === 'integer' ? { kind: 'integer', value: -inner.value } : { kind: 'negate', operand };
}

export interface Parameter {
  name: string;
  /** Pointer, slice, map or array parameter: writes through it reach the caller's memory. */
  pointerLike: boolean;
  /** A plain number (C arithmetic type or a well-known integer typedef; Go integer, float, bool, string): its value is no address. */
  scalar?: boolean;
  node: SyntaxNode;
}

export interface LanguageAdapter {
  language: Language;
  /** Node types that define a function with a body (including Go func literals). */
  functionTypes: ReadonlySet<string>;
  /** Top-level function definitions in a file, by name (methods by method name). */
  topLevelFunctions(root: SyntaxNode): Map<string, SyntaxNode>;
  functionName(fn: SyntaxNode): string;
  functionBody(fn: SyntaxNode): SyntaxNode | undefined;
  parameters(fn: SyntaxNode): Parameter[];
  /** Go named results (empty for C). */
  namedResults(fn: SyntaxNode): string[];
  statement(node: SyntaxNode): StatementView;
  /** Parentheses and casts/conversions stripped. */
  expression(node: SyntaxNode): ExpressionView;
  /** Node types of call expressions. */
  callType: string;
  /** The callee as written: `vfork`, `syscall.RawSyscall`, `args->exec`; undefined for computed callees. */
  calleeText(call: SyntaxNode): string | undefined;
  /** True when the callee is a plain name (not a pointer or field call). */
  calleeIsName(call: SyntaxNode): boolean;
  arguments(call: SyntaxNode): SyntaxNode[];
  /** Is this call a type conversion (Go `uintptr(x)`, `unsafe.Pointer(p)`) rather than a call? */
  isConversion(call: SyntaxNode): boolean;
  /** Variables declared in the function (not parameters), with their declaring node and whether they are arrays/values. */
  declaredLocals(body: SyntaxNode): Map<string, LocalDeclaration>;
  /** Every local declaration in the function, in source order, shadowing ones included (block scoping: effects/scopes.ts). */
  localDeclarations(body: SyntaxNode): LocalDeclaration[];
  /** The names declared by a declaration statement (C declaration, Go var/:=), if `node` is one. */
  declaredNames(node: SyntaxNode): string[];
  /** Node types of nested function literals (closures) that the flow pass does not enter. */
  closureTypes: ReadonlySet<string>;
}

export interface LocalDeclaration {
  name: string;
  node: SyntaxNode;
  /** C arrays and Go arrays/structs held by value: indexing them writes the frame. */
  storage: 'value' | 'pointer' | 'unknown';
  /** A plain number, as for `Parameter.scalar`: a call writing "through" it writes no memory of this frame. */
  scalar?: boolean;
  /** The memory a pointer-like local refers to was allocated by this function (malloc, make, &local). */
  ownsPointee: boolean;
}

/** Longest callee expression whose text `calleeText` returns. */
export const MAX_CALLEE_CHARS = 1024;
