/** How Go spells statements, conditions, calls and declarations (tree-sitter-go). */
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendants, field, fieldChildren, namedChildren, operatorOf, walk } from '../syntax.js';

const LOCAL_DECLS = new Set(['var_spec', 'short_var_declaration', 'range_clause']);
const FUNC_LITERAL = new Set(['func_literal']);
import { MAX_CALLEE_CHARS, unaryView, type ExpressionView, type LanguageAdapter, type LocalDeclaration, type Parameter, type StatementView, type SwitchCase } from './adapter.js';

export const GO_BASIC_TYPES = new Set([
  'uintptr', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64',
  'byte', 'rune', 'bool', 'float32', 'float64', 'complex64', 'complex128', 'string', 'error', 'any',
]);
const TYPE_NODES = new Set(['slice_type', 'array_type', 'pointer_type', 'map_type', 'channel_type', 'function_type', 'interface_type', 'struct_type', 'parenthesized_type', 'generic_type', 'qualified_type', 'type_identifier']);
/** Basic types whose values are no addresses (`uintptr` often holds one; `any`/`error` are interfaces). */
const SCALAR_TYPES = new Set([...GO_BASIC_TYPES].filter((t) => !['uintptr', 'error', 'any'].includes(t)));
const POINTER_TYPES = new Set(['pointer_type', 'slice_type', 'map_type', 'channel_type', 'function_type', 'interface_type']);

function statementsOf(node: SyntaxNode | undefined): SyntaxNode[] {
  if (!node) return [];
  const list = namedChildren(node).find((c) => c.type === 'statement_list');
  return list ? codeChildren(list) : codeChildren(node).filter((c) => c.type !== 'statement_list');
}

function labelOf(node: SyntaxNode): string | undefined {
  return namedChildren(node).find((c) => c.type === 'label_name')?.text;
}

function isConversionCall(call: SyntaxNode): boolean {
  const f = field(call, 'function');
  if (!f) return false;
  if (f.type === 'identifier') return GO_BASIC_TYPES.has(f.text);
  if (f.type === 'selector_expression') return f.text === 'unsafe.Pointer';
  if (f.type === 'parenthesized_expression') return TYPE_NODES.has(f.namedChild(0)?.type ?? '');
  return TYPE_NODES.has(f.type) && f.type !== 'type_identifier';
}

function localStorage(type: SyntaxNode | undefined, value: SyntaxNode | undefined): { storage: LocalDeclaration['storage']; owns: boolean } {
  if (type) {
    if (type.type === 'array_type' || type.type === 'struct_type') return { storage: 'value', owns: false };
    if (POINTER_TYPES.has(type.type)) return { storage: 'pointer', owns: false };
    if (type.type === 'type_identifier' && GO_BASIC_TYPES.has(type.text)) return { storage: 'value', owns: false };
  }
  if (value) {
    if (value.type === 'call_expression') {
      const fn = field(value, 'function')?.text;
      if (fn === 'make' || fn === 'new') return { storage: 'pointer', owns: true };
    }
    if (value.type === 'unary_expression' && operatorOf(value) === '&') return { storage: 'pointer', owns: true };
    if (value.type === 'composite_literal') {
      const t = field(value, 'type');
      return t && (t.type === 'slice_type' || t.type === 'map_type') ? { storage: 'pointer', owns: true } : { storage: 'value', owns: false };
    }
    if (value.type === 'int_literal' || value.type === 'interpreted_string_literal' || value.type === 'true' || value.type === 'false') return { storage: 'value', owns: false };
  }
  return { storage: type ? 'value' : 'unknown', owns: false };
}

export const goAdapter: LanguageAdapter = {
  language: 'go',
  functionTypes: new Set(['function_declaration', 'method_declaration', 'func_literal']),
  closureTypes: new Set(['func_literal']),
  callType: 'call_expression',

  topLevelFunctions(root) {
    const out = new Map<string, SyntaxNode>();
    for (const c of namedChildren(root)) {
      if (c.type === 'function_declaration' || c.type === 'method_declaration') {
        const name = goAdapter.functionName(c);
        if (name && !out.has(name)) out.set(name, c);
      }
    }
    return out;
  },

  functionName(fn) {
    return field(fn, 'name')?.text ?? '';
  },

  functionBody(fn) {
    return field(fn, 'body');
  },

  parameters(fn) {
    const out: Parameter[] = [];
    const lists = [field(fn, 'receiver'), field(fn, 'parameters')];
    for (const list of lists) {
      if (!list) continue;
      for (const p of namedChildren(list)) {
        if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
        const type = field(p, 'type');
        const pointerLike = p.type === 'variadic_parameter_declaration' || POINTER_TYPES.has(type?.type ?? '');
        const scalar = type?.type === 'type_identifier' && SCALAR_TYPES.has(type.text);
        for (const n of fieldChildren(p, 'name')) out.push({ name: n.text, pointerLike, scalar, node: p });
      }
    }
    return out;
  },

  namedResults(fn) {
    const result = field(fn, 'result');
    if (!result || result.type !== 'parameter_list') return [];
    const out: string[] = [];
    for (const p of namedChildren(result)) for (const n of fieldChildren(p, 'name')) out.push(n.text);
    return out;
  },

  statement(node): StatementView {
    switch (node.type) {
      case 'block':
      case 'statement_list':
      case 'ERROR':
        return { kind: 'block', statements: statementsOf(node) };
      case 'if_statement': {
        const alt = field(node, 'alternative');
        return { kind: 'if', init: field(node, 'initializer'), condition: field(node, 'condition') ?? node, then: field(node, 'consequence') ?? node, else: alt };
      }
      case 'for_statement': {
        const body = field(node, 'body') ?? node;
        const clause = namedChildren(node).find((c) => c.id !== body.id && c.type !== 'comment');
        if (!clause) return { kind: 'loop', body, testsFirst: true };
        if (clause.type === 'for_clause') {
          return { kind: 'loop', init: field(clause, 'initializer'), condition: field(clause, 'condition'), update: field(clause, 'update'), body, testsFirst: true };
        }
        if (clause.type === 'range_clause') return { kind: 'loop', init: clause, condition: clause, body, testsFirst: true };
        return { kind: 'loop', condition: clause.type === 'true' ? undefined : clause, body, testsFirst: true };
      }
      case 'expression_switch_statement':
      case 'type_switch_statement':
      case 'select_statement': {
        const cases: SwitchCase[] = [];
        for (const c of namedChildren(node)) {
          if (c.type === 'expression_case') {
            const v = field(c, 'value');
            cases.push({ values: v ? codeChildren(v) : [], statements: statementsOf(c).filter((s) => s.id !== v?.id), node: c });
          } else if (c.type === 'type_case' || c.type === 'communication_case') {
            cases.push({ values: [], statements: statementsOf(c).filter((s) => s.type !== 'expression_list' && !s.type.endsWith('_type') && s.type !== 'type_identifier' && s.type !== 'qualified_type'), node: c });
          } else if (c.type === 'default_case') {
            cases.push({ values: undefined, statements: statementsOf(c), node: c });
          }
        }
        const subject = node.type === 'expression_switch_statement' ? field(node, 'value') : undefined;
        return { kind: 'switch', init: field(node, 'initializer'), subject, cases, fallsThrough: false };
      }
      case 'return_statement': {
        const list = node.namedChild(0);
        return { kind: 'return', values: list ? (list.type === 'expression_list' ? codeChildren(list) : [list]) : [] };
      }
      case 'break_statement':
        return { kind: 'break', label: labelOf(node) };
      case 'continue_statement':
        return { kind: 'continue', label: labelOf(node) };
      case 'goto_statement':
        return { kind: 'goto', label: labelOf(node) ?? '' };
      case 'labeled_statement': {
        const label = field(node, 'label');
        const body = codeChildren(node).find((c) => c.id !== label?.id);
        return { kind: 'label', label: label?.text ?? '', body };
      }
      case 'fallthrough_statement':
        return { kind: 'fallthrough' };
      case 'empty_statement':
      case 'comment':
      case 'type_declaration':
      case 'const_declaration':
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
          n = n.namedChild(0);
          continue;
        case 'call_expression':
          if (isConversionCall(n)) {
            const args = field(n, 'arguments');
            const only = args ? codeChildren(args) : [];
            if (only.length === 1) {
              n = only[0];
              continue;
            }
          }
          return { kind: 'call', call: n };
        case 'binary_expression':
          return { kind: 'binary', op: operatorOf(n), left: field(n, 'left')!, right: field(n, 'right')! };
        case 'unary_expression':
          return unaryView(operatorOf(n), field(n, 'operand'), (x) => goAdapter.expression(x));
        case 'int_literal': {
          const v = Number(n.text.replace(/_/g, ''));
          return Number.isFinite(v) ? { kind: 'integer', value: v } : { kind: 'other' };
        }
        case 'nil':
          return { kind: 'integer', value: 0 };
        case 'identifier':
          return { kind: 'identifier', name: n.text };
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
    if (f.type === 'identifier' || f.type === 'selector_expression') return f.text;
    return undefined;
  },

  calleeIsName(call) {
    const f = field(call, 'function');
    return f?.type === 'identifier' || (f?.type === 'selector_expression' && field(f, 'operand')?.type === 'identifier');
  },

  arguments(call) {
    const args = field(call, 'arguments');
    return args ? codeChildren(args) : [];
  },

  isConversion: isConversionCall,

  declaredLocals(body) {
    const out = new Map<string, LocalDeclaration>();
    for (const d of this.localDeclarations(body)) if (!out.has(d.name)) out.set(d.name, d);
    return out;
  },

  localDeclarations(body) {
    const out: LocalDeclaration[] = [];
    const add = (name: string, node: SyntaxNode, type?: SyntaxNode, value?: SyntaxNode) => {
      if (name === '_') return;
      const s = localStorage(type, value);
      const scalar = type ? type.type === 'type_identifier' && SCALAR_TYPES.has(type.text) : value?.type === 'int_literal' || value?.type === 'true' || value?.type === 'false';
      out.push({ name, node, storage: s.storage, ownsPointee: s.owns, scalar });
    };
    for (const n of descendants(body, LOCAL_DECLS, FUNC_LITERAL)) {
      if (n.type === 'var_spec') {
        const names = fieldChildren(n, 'name');
        const values = field(n, 'value');
        const vals = values ? codeChildren(values) : [];
        names.forEach((nm, i) => add(nm.text, n, field(n, 'type'), vals[i]));
      } else if (n.type === 'short_var_declaration') {
        const left = field(n, 'left');
        const right = field(n, 'right');
        const vals = right ? codeChildren(right) : [];
        (left ? codeChildren(left) : []).forEach((nm, i) => add(nm.text, n, undefined, vals.length === 1 && i > 0 ? undefined : vals[i]));
      } else if (n.type === 'range_clause') {
        const left = field(n, 'left');
        (left ? codeChildren(left) : []).forEach((nm) => add(nm.text, n));
      }
    }
    return out;
  },

  declaredNames(node) {
    if (node.type === 'short_var_declaration') {
      const left = field(node, 'left');
      return (left ? codeChildren(left) : []).map((n) => n.text).filter((n) => n !== '_');
    }
    if (node.type === 'var_declaration') {
      const out: string[] = [];
      walk(node, (n) => {
        if (n.type === 'var_spec') for (const nm of fieldChildren(n, 'name')) out.push(nm.text);
        return true;
      }, { only: new Set(['var_spec']) });
      return out;
    }
    return [];
  },
};
