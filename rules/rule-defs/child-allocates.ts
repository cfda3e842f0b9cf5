import { ALLOCATING_NODES, allocationIn, calleeAllocation } from '../effects/go-allocation.js';
import { goLookupName } from '../effects/go-callee.js';
import { CHILD_SIDE } from '../flow/path-state.js';
import { isGoRawCall } from '../fork-spellings.js';
import type { SyntaxNode } from '../parser.js';
import { docsUrl, type RuleModule } from '../rule-kit.js';
import type { SiteAnalysis } from '../site-analysis.js';
import { descendantsWithin, escapeRegExp, field, namedChildren, operatorOf, rangeOfNode } from '../syntax.js';

const FUNC_LITERAL = new Set(['func_literal']);

/** Is `&v` here the blessed `uintptr(unsafe.Pointer(&v))` argument of a raw syscall? */
function isRawSyscallPointer(site: SiteAnalysis, amp: SyntaxNode): boolean {
  const a = site.file.adapter;
  const up = amp.parent?.parent; // argument_list -> call unsafe.Pointer(...)
  if (!up || up.type !== 'call_expression' || field(up, 'function')?.text !== 'unsafe.Pointer') return false;
  const conv = up.parent?.parent;
  if (!conv || conv.type !== 'call_expression' || field(conv, 'function')?.text !== 'uintptr') return false;
  const raw = conv.parent?.parent;
  return !!raw && raw.type === 'call_expression' && isGoRawCall(a.calleeText(raw) ?? '', site.file.config);
}

const ASSIGNMENTS = new Set(['assignment_statement']);

/** Is `name` a map, by its parameter type or its declaration (`make(map[...]...)`, `map[...]...{}`, `var m map[...]...`)? */
function isMap(site: SiteAnalysis, name: string): boolean {
  for (const p of site.file.adapter.parameters(site.childFunction ?? site.site.fn)) {
    if (p.name === name) return field(p.node, 'type')?.type === 'map_type';
  }
  const local = site.scope.locals.get(name);
  return !!local && /\bmap\[/.test(local.node.text);
}

/** Go: heap allocation in the child (the runtime is not safe to enter after a raw fork). */
export const childAllocates: RuleModule = {
  meta: {
    id: 'child-allocates',
    description: 'Go: code after a raw fork allocates (make, new, append, closures, defer, escaping variables), entering the runtime from the child.',
    defaultSeverity: 'error',
    languages: ['go'],
    forkKinds: ['raw'],
    docsUrl: docsUrl('child-allocates'),
    messages: {
      // Reported at an exec by failed-exec.ts: the hazard its failure leads to.
      failedExec: 'When `{{exec}}` fails, the child goes on to line {{line}}: {{hazard}}',
      allocates: 'The child allocates after `{{fork}}`: {{what}}. Declare what the child needs before the fork and use only raw syscalls after it.',
      callee: 'The child calls `{{callee}}` after `{{fork}}`, which allocates: {{what}} (chain: {{chain}}). Declare what the child needs before the fork and use only raw syscalls after it.',
      escapes: 'The child declares `{{name}}` after `{{fork}}` and {{how}}, so it may be moved to the heap. Declare it with the other variables before the fork.',
    },
    fixable: false,
    hasSuggestions: true,
  },
  check(site, report) {
    if (site.file.adapter.language !== 'go') return;
    const fork = site.site.spelling;
    const childStatements = [...site.flow.statements.values()].filter((s) => s.mask & CHILD_SIDE && !site.isForkExpression(s.node));
    const declaredAfter = new Map<string, SyntaxNode>();
    for (const s of childStatements) {
      for (const name of site.file.adapter.declaredNames(s.node)) if (!site.isResultVariable(name)) declaredAfter.set(name, s.node);
    }
    const seen = new Set<number>();
    const reportedEscapes = new Set<string>();
    const root = site.childFunction ?? site.site.fn;
    for (const e of site.childEvaluations()) {
      for (const n of descendantsWithin(root, e.node, ALLOCATING_NODES, FUNC_LITERAL)) {
        if (seen.has(n.id)) continue;
        seen.add(n.id);
        const what = allocationIn(n, site.file.adapter);
        if (what) report({ messageId: 'allocates', data: { fork, what }, node: n, related: [site.forkRelated] });
        else if (n.type === 'call_expression') calleeAllocates(n);
        if (n.type === 'func_literal') {
          for (const [name, decl] of declaredAfter) if (name.length < 1000 && new RegExp(`\\b${escapeRegExp(name)}\\b`).test(n.text)) escapes(name, decl, n, 'a closure captures it');
          continue;
        }
        if (n.type === 'unary_expression' && operatorOf(n) === '&') {
          const operand = field(n, 'operand');
          const decl = operand?.type === 'identifier' ? declaredAfter.get(operand.text) : undefined;
          if (decl && !isRawSyscallPointer(site, n)) escapes(operand!.text, decl, n, 'its address is taken');
        }
      }
      // Map writes allocate (and may grow the map).
      for (const a of descendantsWithin(root, e.node, ASSIGNMENTS, FUNC_LITERAL)) {
        const left = field(a, 'left');
        for (const target of left ? namedChildren(left) : []) {
          const operand = target.type === 'index_expression' ? field(target, 'operand') : undefined;
          if (operand?.type === 'identifier' && isMap(site, operand.text)) {
            report({ messageId: 'allocates', data: { fork, what: `writing the map \`${operand.text}\` may allocate` }, node: a, related: [site.forkRelated] });
          }
        }
      }
    }

    /** A call of a function (this file's or, with the project index, the package's) that allocates. */
    function calleeAllocates(call: SyntaxNode): void {
      const name = goLookupName(site.file, call);
      const found = name !== undefined && !site.isForkExpression(call) ? calleeAllocation(site.file, name) : undefined;
      if (!found) return;
      report({ messageId: 'callee', data: { fork, callee: site.file.calleeText(call) ?? name!, what: found.what, chain: found.chain.join(' -> ') }, node: call, related: [site.forkRelated] });
    }

    /** Report an escaping variable once, at its declaration, pointing at where it escapes. */
    function escapes(name: string, decl: SyntaxNode, where: SyntaxNode, how: string): void {
      if (reportedEscapes.has(name)) return;
      reportedEscapes.add(name);
      report({ messageId: 'escapes', data: { fork, name, how }, node: decl, related: [site.forkRelated, { range: rangeOfNode(where), message: `\`${name}\` escapes here` }] });
    }
  },
};
