import { CHILD_SIDE, PARENT_SIDE } from '../flow/path-state.js';
import type { SyntaxNode } from '../parser.js';
import { docsUrl, lineOf, type RuleModule } from '../rule-kit.js';
import type { SiteAnalysis } from '../site-analysis.js';
import { readsIn } from '../effects/writes.js';
import { rangeOfNode } from '../syntax.js';

/** May the parent return this value straight away? The fork's results, constants, and untouched variables. */
function valueIsSafe(site: SiteAnalysis, value: SyntaxNode, childWritten: Set<string>): boolean {
  const v = site.file.adapter.expression(value);
  if (v.kind === 'integer') return true;
  if (v.kind === 'negate') return valueIsSafe(site, v.operand, childWritten);
  if (v.kind === 'identifier') return site.isResultVariable(v.name) || !childWritten.has(v.name);
  if (v.kind === 'other') return /^(?:true|false|nil|null|NULL|interpreted_string_literal|raw_string_literal|string_literal|char_literal)$/.test(value.type) || value.type === 'true' || value.type === 'false';
  return false;
}

/** For raw sites, the parent must return at once from the frame the child ran in. */
export const parentReusesFrame: RuleModule = {
  meta: {
    id: 'parent-reuses-frame',
    description: 'After a raw vfork-style clone, the parent keeps working in the stack frame the child ran in.',
    defaultSeverity: 'error',
    languages: ['c', 'go'],
    forkKinds: ['raw', 'vfork'],
    docsUrl: docsUrl('parent-reuses-frame'),
    messages: {
      work: 'The parent keeps working in the frame the child ran in after `{{fork}}`, which the compiler does not know returns twice: return at once and do this in an outer function (frame split).',
      readsChildWrite: 'The parent reads `{{name}}`, which the child wrote in this frame (line {{line}}), after `{{fork}}`: return at once and do this in an outer function (frame split).',
      returnValue: 'The parent returns a value computed in the frame the child ran in after `{{fork}}`; return only the fork\'s results or constants.',
    },
    fixable: false,
    hasSuggestions: true,
  },
  check(site, report) {
    if (site.site.kind === 'vfork' && !site.file.strict) return;
    const childWrites = site.childWritesWithFailedExec();
    const written = new Map<string, SyntaxNode>();
    for (const w of childWrites) if (!site.isResultVariable(w.root) && !written.has(w.root)) written.set(w.root, w.node);
    const writtenNames = new Set(written.keys());
    const candidates = site.parentStatements().sort((a, b) => a.node.startIndex - b.node.startIndex);
    // Candidates come in document order: a statement inside the last reported compound
    // statement starts before that statement ends.
    let coveredUntil = -1;
    const fork = site.site.spelling;
    for (const s of candidates) {
      if (s.node.startIndex < coveredUntil) continue;
      const view = site.file.adapter.statement(s.node);
      if (view.kind === 'goto') continue;
      // A compound statement the child also reaches is where the paths divide: judge its parts.
      if (s.role === 'compound' && (!(s.mask & PARENT_SIDE) || s.mask & CHILD_SIDE)) continue;
      if (s.role === 'return') {
        if (!(s.mask & PARENT_SIDE)) continue;
        const values = view.kind === 'return' ? view.values : [];
        const bare = values.length === 0 ? [...site.scope.results] : [];
        const ok = values.every((v) => valueIsSafe(site, v, writtenNames)) && bare.every((r) => site.isResultVariable(r) || !writtenNames.has(r));
        if (!ok) {
          report({ messageId: 'returnValue', data: { fork }, node: s.node, related: [site.forkRelated] });
        }
        continue;
      }
      if (s.role === 'compound') coveredUntil = s.node.endIndex;
      const reads = writtenNames.size ? [...readsIn(site.file, s.node, site.site.fn).keys()].find((n) => writtenNames.has(n)) : undefined;
      if (reads) {
        const w = written.get(reads)!;
        report({
          messageId: 'readsChildWrite',
          data: { fork, name: reads, line: lineOf(w) },
          node: s.node,
          related: [site.forkRelated, { range: rangeOfNode(w), message: `the child writes \`${reads}\` here` }],
        });
      } else {
        report({ messageId: 'work', data: { fork }, node: s.node, related: [site.forkRelated] });
      }
    }
  },
};
