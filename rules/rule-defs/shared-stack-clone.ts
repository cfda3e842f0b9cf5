import { docsUrl, type RuleModule } from '../rule-kit.js';

/** CLONE_VM without CLONE_VFORK on the caller's stack: two processes run at once on one stack. */
export const sharedStackClone: RuleModule = {
  meta: {
    id: 'shared-stack-clone',
    description: 'A clone with CLONE_VM but without CLONE_VFORK on the caller\'s stack: parent and child run at the same time on one stack.',
    defaultSeverity: 'error',
    languages: ['c', 'go'],
    forkKinds: ['concurrent'],
    docsUrl: docsUrl('shared-stack-clone'),
    messages: {
      concurrent: '`{{fork}}` shares memory (CLONE_VM) without CLONE_VFORK and with no stack of its own: parent and child run at the same time on this stack. Add CLONE_VFORK or give the child its own stack with `clone(fn, stack, ...)`.',
    },
    fixable: false,
    hasSuggestions: true,
  },
  check(site, report) {
    report({ messageId: 'concurrent', data: { fork: site.site.spelling }, node: site.site.call });
  },
};
