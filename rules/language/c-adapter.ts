/** How C spells statements, conditions, calls and declarations (tree-sitter-c). */
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendants, field, fieldChildren, namedChildren, operatorOf, walk } from '../syntax.js';

const DECLARATION = new Set(['declaration']);
import { MAX_CALLEE_CHARS, unaryView, type ExpressionView, type LanguageAdapter, type LocalDeclaration, type Parameter, type StatementView, type SwitchCase } from './adapter.js';

const FUNCTION_TYPES = new Set(['function_definition']);
/** Typedefs that are plain integers everywhere (not `intptr_t`/`uintptr_t`, which hold addresses; not `jmp_buf`/`va_list`, arrays). */
const SCALAR_TYPEDEFS = /^(?:pid_t|size_t|ssize_t|off_t|off64_t|uid_t|gid_t|mode_t|socklen_t|time_t|dev_t|ino_t|nfds_t|bool|u?int(?:8|16|32|64)_t)$/;

/** Does a declaration's type name a plain number (`int`, `unsigned long`, `pid_t`, an enum)? */
function scalarType(type: SyntaxNode | undefined): boolean {
  if (!type) return false;
  if (type.type === 'primitive_type' || type.type === 'sized_type_specifier') return !/ptr/.test(type.text);
  if (type.type === 'enum_specifier') return true;
  return type.type === 'type_identifier' && SCALAR_TYPEDEFS.test(type.text);
}
const ALLOCATORS = new Set(['malloc', 'calloc', 'realloc', 'alloca', '__builtin_alloca', 'strdup', 'strndup', 'xmalloc', 'xzalloc', 'xstrdup']);

function isTrueConstant(node: SyntaxNode | undefined): boolean {
  if (!node) return true;
  const t = node.type === 'parenthesized_expression' ? node.namedChild(0) : node;
  if (!t) return false;
  return (t.type === 'number_literal' && /^[1-9]/.test(t.text)) || t.type === 'true';
}

function functionDeclarator(fn: SyntaxNode): SyntaxNode | undefined {
  let d: SyntaxNode | undefined = field(fn, 'declarator');
  for (let i = 0; d && i < 20; i++) {
    if (d.type === 'function_declarator') return d;
    d = field(d, 'declarator') ?? d.namedChild(0) ?? undefined;
  }
  return undefined;
}

/**
 * `void FAST_FUNC name(void) { ... }`: not knowing the attribute macro, tree-sitter reads
 * `void FAST_FUNC` as a declaration missing its `;` and the function as `name (void) {...}`,
 * a definition whose type is the name and whose declarator is the parenthesised parameter.
 * No valid C definition has that shape (a definition's declarator is a function declarator),
 * so its type is the function's name.
 */
function nameAfterAttributeMacro(fn: SyntaxNode): string | undefined {
  if (fn.type !== 'function_definition' || field(fn, 'declarator')?.type !== 'parenthesized_declarator') return undefined;
  const type = field(fn, 'type');
  return type?.type === 'type_identifier' ? type.text : undefined;
}

/** The identifier a declarator declares, and whether it is a pointer or array. */
function declaratorName(d: SyntaxNode | undefined): { name: string; pointer: boolean; array: boolean; fn: boolean } | undefined {
  let pointer = false;
  let array = false;
  let fn = false;
  for (let i = 0; d && i < 20; i++) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier':
        return { name: d.text, pointer, array, fn };
      case 'pointer_declarator':
      case 'abstract_pointer_declarator':
        pointer = true;
        break;
      case 'array_declarator':
        array = true;
        break;
      case 'function_declarator':
        fn = true;
        break;
      case 'init_declarator':
        break;
      default:
        break;
    }
    d = field(d, 'declarator') ?? namedChildren(d).find((c) => c.type !== 'type_qualifier' && c.type !== 'ms_pointer_modifier' && c.type !== 'attribute_specifier') ?? undefined;
  }
  return undefined;
}

function preprocAlternatives(node: SyntaxNode): StatementView {
  const alternatives: SyntaxNode[][] = [];
  let mayBeNone = true;
  let cur: SyntaxNode | undefined = node;
  for (let guard = 0; cur && guard < 1000; guard++) {
    const alt = field(cur, 'alternative');
    const skip = new Set([field(cur, 'condition')?.id, field(cur, 'name')?.id, alt?.id]);
    alternatives.push(codeChildren(cur).filter((c) => !skip.has(c.id)));
    if (cur.type === 'preproc_else') {
      mayBeNone = false;
      break;
    }
    cur = alt;
  }
  return { kind: 'alternatives', alternatives, mayBeNone };
}

export const cAdapter: LanguageAdapter = {
  language: 'c',
  functionTypes: FUNCTION_TYPES,
  closureTypes: new Set<string>(),
  callType: 'call_expression',

  topLevelFunctions(root) {
    const out = new Map<string, SyntaxNode>();
    walk(root, (n) => {
      if (n.type === 'function_definition') {
        const name = cAdapter.functionName(n);
        if (name && !out.has(name)) out.set(name, n);
        return false;
      }
      return true;
    }, { only: new Set(['function_definition']), skip: new Set(['declaration', 'type_definition', 'struct_specifier', 'enum_specifier', 'union_specifier', 'preproc_def', 'preproc_function_def', 'preproc_include', 'comment', 'expression_statement']) });
    return out;
  },

  functionName(fn) {
    const d = functionDeclarator(fn);
    return declaratorName(d && field(d, 'declarator'))?.name ?? nameAfterAttributeMacro(fn) ?? '';
  },

  functionBody(fn) {
    return field(fn, 'body');
  },

  parameters(fn) {
    const d = functionDeclarator(fn);
    const list = d && field(d, 'parameters');
    const out: Parameter[] = [];
    if (!list) return out;
    for (const p of namedChildren(list)) {
      if (p.type !== 'parameter_declaration') continue;
      const info = declaratorName(field(p, 'declarator'));
      if (info) out.push({ name: info.name, pointerLike: info.pointer || info.array || info.fn, scalar: !info.pointer && !info.array && !info.fn && scalarType(field(p, 'type')), node: p });
    }
    return out;
  },

  namedResults() {
    return [];
  },

  statement(node): StatementView {
    switch (node.type) {
      case 'compound_statement':
      case 'ERROR':
      case 'translation_unit':
        return { kind: 'block', statements: codeChildren(node) };
      case 'if_statement': {
        const alt = field(node, 'alternative');
        return {
          kind: 'if',
          condition: field(node, 'condition') ?? node,
          then: field(node, 'consequence') ?? node,
          else: alt ? (alt.type === 'else_clause' ? alt.namedChild(0) ?? undefined : alt) : undefined,
        };
      }
      case 'while_statement': {
        const cond = field(node, 'condition');
        return { kind: 'loop', condition: isTrueConstant(cond) ? undefined : cond, body: field(node, 'body') ?? node, testsFirst: true };
      }
      case 'do_statement': {
        const cond = field(node, 'condition');
        return { kind: 'loop', condition: isTrueConstant(cond) ? undefined : cond, body: field(node, 'body') ?? node, testsFirst: false };
      }
      case 'for_statement': {
        const cond = field(node, 'condition');
        return { kind: 'loop', init: field(node, 'initializer'), condition: cond, update: field(node, 'update'), body: field(node, 'body') ?? node, testsFirst: true };
      }
      case 'switch_statement': {
        const body = field(node, 'body');
        const cases: SwitchCase[] = [];
        for (const c of body ? codeChildren(body) : []) {
          if (c.type !== 'case_statement') continue;
          const value = field(c, 'value');
          cases.push({ values: value ? [value] : undefined, statements: codeChildren(c).filter((s) => s.id !== value?.id), node: c });
        }
        return { kind: 'switch', subject: field(node, 'condition'), cases, fallsThrough: true };
      }
      case 'return_statement': {
        const v = node.namedChild(0);
        return { kind: 'return', values: v && v.type !== 'comment' ? [v] : [] };
      }
      case 'break_statement':
        return { kind: 'break' };
      case 'continue_statement':
        return { kind: 'continue' };
      case 'goto_statement':
        return { kind: 'goto', label: field(node, 'label')?.text ?? '' };
      case 'labeled_statement': {
        const label = field(node, 'label');
        const body = codeChildren(node).find((c) => c.id !== label?.id);
        return { kind: 'label', label: label?.text ?? '', body };
      }
      case 'preproc_if':
      case 'preproc_ifdef':
        return preprocAlternatives(node);
      case 'expression_statement':
        return node.namedChildCount === 0 ? { kind: 'empty' } : { kind: 'simple', expression: node };
      case 'comment':
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
      case 'type_definition':
      case 'struct_specifier':
      case 'enum_specifier':
      case 'union_specifier':
        return { kind: 'empty' };
      default:
        return { kind: 'simple', expression: node };
    }
  },

  expression(node): ExpressionView {
    let n: SyntaxNode | null = node;
    for (let i = 0; n && i < 1000; i++) {
      switch (n.type) {
        case 'parenthesized_expression':
          n = n.namedChild(n.namedChildCount - 1);
          continue;
        case 'cast_expression':
          n = field(n, 'value') ?? null;
          continue;
        case 'comma_expression':
          n = field(n, 'right') ?? null;
          continue;
        case 'binary_expression': {
          const op = operatorOf(n);
          const left = field(n, 'left')!;
          const right = field(n, 'right')!;
          // `(pid_t)-1` parses as `(pid_t) - 1`: a cast of a negative constant.
          if (op === '-' && left.type === 'parenthesized_expression' && /^\(\s*(?:\w+_t|int|long|unsigned|unsigned int|short)\s*\)$/.test(left.text)) {
            const inner = cAdapter.expression(right);
            if (inner.kind === 'integer') return { kind: 'integer', value: -inner.value };
          }
          return { kind: 'binary', op, left, right };
        }
        case 'unary_expression':
          return unaryView(operatorOf(n), field(n, 'argument'), (x) => cAdapter.expression(x));
        case 'number_literal': {
          const v = Number.parseInt(n.text, n.text.startsWith('0x') ? 16 : 10);
          return Number.isFinite(v) ? { kind: 'integer', value: v } : { kind: 'other' };
        }
        case 'null':
          return { kind: 'integer', value: 0 };
        case 'identifier':
          return n.text === 'NULL' ? { kind: 'integer', value: 0 } : { kind: 'identifier', name: n.text };
        case 'assignment_expression':
          return { kind: 'assign', targets: [field(n, 'left')!], value: field(n, 'right')!, op: operatorOf(n) };
        case 'call_expression':
          return { kind: 'call', call: n };
        default:
          return { kind: 'other' };
      }
    }
    return { kind: 'other' };
  },

  calleeText(call) {
    const f = field(call, 'function');
    // No callee name runs to a thousand characters: a huge one is broken text (and reading it is slow).
    if (!f || f.endIndex - f.startIndex > MAX_CALLEE_CHARS) return undefined;
    if (f.type === 'identifier' || f.type === 'field_expression') return f.text;
    if (f.type === 'parenthesized_expression') {
      const inner = f.namedChild(0);
      if (inner?.type === 'pointer_expression') return field(inner, 'argument')?.text;
      return inner?.text;
    }
    return undefined;
  },

  calleeIsName(call) {
    return field(call, 'function')?.type === 'identifier';
  },

  arguments(call) {
    const args = field(call, 'arguments');
    return args ? codeChildren(args) : [];
  },

  isConversion() {
    return false;
  },

  declaredLocals(body) {
    const out = new Map<string, LocalDeclaration>();
    for (const d of this.localDeclarations(body)) if (!out.has(d.name)) out.set(d.name, d);
    return out;
  },

  localDeclarations(body) {
    const out: LocalDeclaration[] = [];
    for (const n of descendants(body, DECLARATION)) {
      // `static` and `extern` locals live outside the frame: writes to them are writes to globals.
      if (namedChildren(n).some((c) => c.type === 'storage_class_specifier' && /^(?:static|extern|thread_local|_Thread_local|__thread)$/.test(c.text))) continue;
      {
        for (const d of fieldChildren(n, 'declarator')) {
          const info = declaratorName(d);
          if (!info || info.fn) continue;
          const value = d.type === 'init_declarator' ? field(d, 'value') : undefined;
          const ownsPointee = !!value && (/^&/.test(value.text) || ALLOCATORS.has(value.type === 'call_expression' ? field(value, 'function')?.text ?? '' : ''));
          const storage = info.array ? 'value' : info.pointer ? 'pointer' : 'value';
          out.push({ name: info.name, node: d, storage, ownsPointee, scalar: !info.pointer && !info.array && !info.fn && scalarType(field(n, 'type')) });
        }
      }
    }
    return out;
  },

  declaredNames(node) {
    if (node.type !== 'declaration') return [];
    return fieldChildren(node, 'declarator').map((d) => declaratorName(d)?.name ?? '').filter(Boolean);
  },
};
