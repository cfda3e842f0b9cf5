import { CHILD_SIDE } from '../flow/path-state.js';
import { docsUrl, type RuleModule } from '../rule-kit.js';

/** A child (or not-yet-split) path returns from the forking function: it pops the parent's frames. */
export const childReturns: RuleModule = {
  meta: {
    id: 'child-returns',
    description: 'The vfork child returns from the forking function, popping frames the parent will resume in.',
    defaultSeverity: 'error',
    languages: ['c', 'go'],
    forkKinds: ['vfork', 'raw'],
    docsUrl: docsUrl('child-returns'),
    messages: {
      returns: 'The child can reach this `return` after `{{fork}}`: it returns into the parent\'s frames, which the parent then resumes with a clobbered stack. End the child with `_exit` or exec.',
      macroReturns: 'The child can reach the `return` in macro `{{macro}}` after `{{fork}}`: it returns into the parent\'s frames, which the parent then resumes with a clobbered stack. End the child with `_exit` or exec.',
      fallsOff: 'The child can fall off the end of `{{fn}}` after `{{fork}}`, returning into the parent\'s frames. End the child with `_exit` or exec.',
      longjmp: 'The child calls `{{callee}}` after `{{fork}}`{{via}}: it jumps into frames the parent owns, which the parent then resumes with a clobbered stack. End the child with `_exit` or exec.',
      // Reported at the exec by failed-exec.ts: exec returns when it fails.
      failedExec: 'When `{{exec}}` fails, the child goes on to return from `{{fn}}` (line {{line}}) into the parent\'s frames, which the parent then resumes with a clobbered stack. End the child with {{exit}} right after the exec.',
    },
    fixable: true,
    hasSuggestions: true,
  },
  check(site, report) {
    const fork = site.site.spelling;
    for (const s of site.flow.statements.values()) {
      if (s.role === 'return' && s.mask & CHILD_SIDE) report({ messageId: 'returns', data: { fork }, node: s.node, related: [site.forkRelated] });
    }
    // A macro whose body returns (`CHECK(x);` with `return -1` inside): reported at the use.
    for (const s of site.flow.macroReturns?.values() ?? []) {
      const use = s.node.type === 'expression_statement' ? s.node.namedChild(0) : s.node;
      const macro = (use?.type === 'call_expression' ? use.childForFieldName('function')?.text : use?.text) ?? 'the macro';
      if (s.mask & CHILD_SIDE) report({ messageId: 'macroReturns', data: { fork, macro }, node: s.node, related: [site.forkRelated] });
    }
    if (site.flow.endMask & CHILD_SIDE) {
      const body = site.file.adapter.functionBody(site.site.fn);
      const close = body?.lastChild ?? body;
      if (close) report({ messageId: 'fallsOff', data: { fork, fn: site.file.adapter.functionName(site.site.fn) || 'the function' }, node: close, related: [site.forkRelated] });
    }
    // longjmp/siglongjmp on a child path (RULES section 3: leaving the frame without returning).
    for (const { call, verdict } of site.childCalls()) {
      if (verdict.kind !== 'leavesFrame') continue;
      const callee = site.file.calleeText(call) ?? verdict.chain[0];
      const via = verdict.chain.length > 1 ? `, which reaches \`${verdict.chain[verdict.chain.length - 1]}\` (${verdict.chain.join(' -> ')})` : '';
      report({ messageId: 'longjmp', data: { fork, callee, via }, node: call, related: [site.forkRelated] });
    }
  },
};
