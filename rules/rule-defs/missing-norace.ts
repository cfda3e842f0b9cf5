import type { SyntaxNode } from '../parser.js';
import { goLookupName } from '../effects/go-callee.js';
import { goAdapter } from '../language/go-adapter.js';
import { docsUrl, type RuleModule } from '../rule-kit.js';
import { field, operatorOf, rangeOfNode, walk } from '../syntax.js';

/**
 * The race detector instruments memory accesses and calls. A leaf helper that only does
 * arithmetic on its arguments (Go's `capToIndex`) gets no instrumentation and needs no directive.
 */
function touchesMemory(fn: SyntaxNode): boolean {
  const body = field(fn, 'body');
  if (!body) return true;
  let touches = false;
  walk(body, (n) => {
    if (touches) return false;
    if (n.type === 'call_expression' && goAdapter.isConversion(n)) return true; // `uint(x)`: arithmetic
    if (n.type === 'index_expression' || n.type === 'selector_expression' || n.type === 'call_expression' || n.type === 'func_literal') touches = true;
    if (n.type === 'unary_expression' && (operatorOf(n) === '*' || operatorOf(n) === '&')) touches = true;
    return !touches;
  });
  return touches;
}

/** Go: functions that fork or run in the child must not be instrumented by the race detector. */
export const missingNorace: RuleModule = {
  meta: {
    id: 'missing-norace',
    description: 'Go: a function that performs a raw fork, or runs in the child, lacks //go:norace.',
    defaultSeverity: 'warning',
    languages: ['go'],
    forkKinds: ['raw'],
    docsUrl: docsUrl('missing-norace'),
    messages: {
      forks: '`{{fn}}` performs a raw fork but lacks `//go:norace`: race-detector instrumentation would run in the child.',
      child: '`{{fn}}` runs in the child after `{{fork}}` but lacks `//go:norace`.',
      // A helper in another file of the package: reported at the call (a finding belongs to the file analysed); no fix.
      childElsewhere: '`{{fn}}` ({{file}}) runs in the child after `{{fork}}` but lacks `//go:norace`.',
    },
    fixable: true,
    hasSuggestions: true,
  },
  check(site, report) {
    const file = site.file;
    if (file.adapter.language !== 'go') return;
    const hasNorace = (fn: SyntaxNode, ctx = file) => ctx.leadingComments(fn).some((c) => /^\/\/go:norace\b/.test(c.trim()));
    const nameNode = (fn: SyntaxNode) => field(fn, 'name') ?? fn;
    if (site.site.fn.type !== 'func_literal' && !hasNorace(site.site.fn)) {
      report({ messageId: 'forks', data: { fn: file.adapter.functionName(site.site.fn) }, node: nameNode(site.site.fn), related: [site.forkRelated] });
    }
    const reported = new Set<string>();
    for (const { call } of site.childCalls()) {
      const callee = goLookupName(file, call);
      if (!callee || reported.has(callee)) continue;
      const fn = file.functionNamed(callee);
      if (fn) {
        if (!file.adapter.functionBody(fn) || hasNorace(fn) || !touchesMemory(fn)) continue;
        reported.add(callee);
        report({ messageId: 'child', data: { fn: callee, fork: site.site.spelling }, node: nameNode(fn), related: [site.forkRelated] });
        continue;
      }
      const r = file.project?.resolve(callee);
      const d = r && r.alias === undefined ? r.definitions.find((x) => x.ctx.adapter.language === 'go' && x.ctx.adapter.functionBody(x.fn) && !hasNorace(x.fn, x.ctx) && touchesMemory(x.fn)) : undefined;
      if (!d) continue;
      reported.add(callee);
      const definition = { range: rangeOfNode(field(d.fn, 'name') ?? d.fn), message: `\`${d.name}\` is defined here`, file: d.file };
      report({ messageId: 'childElsewhere', data: { fn: callee, file: d.file, fork: site.site.spelling }, node: call, related: [site.forkRelated, definition] });
    }
  },
};
