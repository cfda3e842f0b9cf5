import { docsUrl, type RuleModule } from '../rule-kit.js';

/** Off by default: any fork site, suggesting posix_spawn (parity with clang's security.insecureAPI.vfork). */
export const vforkDiscouraged: RuleModule = {
  meta: {
    id: 'vfork-discouraged',
    description: 'Any vfork-style fork; suggests posix_spawn instead.',
    defaultSeverity: 'off',
    languages: ['c', 'go'],
    forkKinds: ['vfork', 'raw', 'concurrent', 'clone-fn'],
    docsUrl: docsUrl('vfork-discouraged'),
    messages: {
      discouraged: '`{{fork}}` creates a child that shares this process\'s memory; prefer `posix_spawn` (Go: `os/exec`), which does this safely.',
    },
    fixable: false,
    hasSuggestions: true,
  },
  check(site, report) {
    report({ messageId: 'discouraged', data: { fork: site.site.spelling }, node: site.site.call });
  },
};
