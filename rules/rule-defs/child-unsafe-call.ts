import { docsUrl, type RuleModule } from '../rule-kit.js';

/** The child calls something that is not async-signal-safe (or that could not be checked). */
export const childUnsafeCall: RuleModule = {
  meta: {
    id: 'child-unsafe-call',
    description: 'The vfork child calls a function that is not async-signal-safe (heap, stdio, locks, atexit), or one that could not be checked.',
    defaultSeverity: 'error',
    languages: ['c', 'go'],
    forkKinds: ['vfork', 'raw', 'clone-fn'],
    docsUrl: docsUrl('child-unsafe-call'),
    messages: {
      // Reported at an exec by failed-exec.ts: the hazard its failure leads to.
      failedExec: 'When `{{exec}}` fails, the child goes on to line {{line}}: {{hazard}}',
      unsafe: 'The child calls `{{callee}}` after `{{fork}}`: {{reason}}.',
      unsafeChain: 'The child calls `{{callee}}` after `{{fork}}`, which reaches `{{last}}` ({{chain}}): {{reason}}.',
      unknown: 'The child calls `{{callee}}` after `{{fork}}`, which could not be checked: {{reason}}. If it is async-signal-safe, add it to `safeFunctions` in the vforklint configuration.',
    },
    fixable: true,
    hasSuggestions: true,
  },
  check(site, report) {
    const fork = site.site.spelling;
    const strict = site.file.strict;
    for (const { call, verdict } of site.childCalls()) {
      const callee = site.file.calleeText(call) ?? call.text.slice(0, 40);
      if (verdict.kind === 'unsafe') {
        if (verdict.chain.length > 1) {
          report({ messageId: 'unsafeChain', data: { fork, callee, last: verdict.chain[verdict.chain.length - 1], chain: verdict.chain.join(' -> '), reason: verdict.reason }, node: call, related: [site.forkRelated] });
        } else {
          report({ messageId: 'unsafe', data: { fork, callee, reason: verdict.reason }, node: call, related: [site.forkRelated] });
        }
      } else if (verdict.kind === 'unknown') {
        const reason = verdict.chain.length > 1 ? `it reaches ${verdict.chain.join(' -> ')}, and ${verdict.reason}` : verdict.reason;
        report({ messageId: 'unknown', data: { fork, callee, reason }, node: call, related: [site.forkRelated], severity: strict ? 'error' : 'warning' });
      }
    }
  },
};
