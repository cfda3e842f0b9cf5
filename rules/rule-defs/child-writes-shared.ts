import { docsUrl, lineOf, type RuleModule } from '../rule-kit.js';
import { escapeRegExp, rangeOfNode } from '../syntax.js';

/** The child writes memory the parent can still reach after the fork. */
export const childWritesShared: RuleModule = {
  meta: {
    id: 'child-writes-shared',
    description: 'The vfork child writes memory the parent can still reach: globals, memory behind pointers, or frame locals the parent reads.',
    defaultSeverity: 'error',
    languages: ['c', 'go'],
    forkKinds: ['vfork', 'raw', 'clone-fn'],
    docsUrl: docsUrl('child-writes-shared'),
    messages: {
      global: 'The child writes `{{target}}` after `{{fork}}`, memory the parent shares (a global, or memory behind a pointer the function received).',
      local: 'The child writes the local `{{target}}` in the frame the parent resumes in; the parent reads it after `{{fork}}` (line {{line}}).',
      strict: 'The child writes `{{target}}` after `{{fork}}`; POSIX allows a vfork child to modify nothing but the variable holding the fork result.',
      callee: 'The child calls `{{callee}}`, which writes {{target}} (chain: {{chain}}), memory shared with the parent, after `{{fork}}`.',
    },
    fixable: false,
    hasSuggestions: true,
  },
  check(site, report) {
    const fork = site.site.spelling;
    const cloneChild = site.site.kind === 'clone-fn';
    const parentReads = cloneChild ? new Map() : site.parentReads();
    const seen = new Set<string>();
    // clone(fn, ...): fn's argument, and locals copied from it (`struct args *a = arg;`), are the designed channel.
    const channel = new Set(site.scope.params.keys());
    if (cloneChild) {
      for (const local of site.scope.locals.values()) {
        const value = local.node.childForFieldName('value');
        if (value && value.text.length < 2000 && [...channel].some((p) => p.length < 1000 && new RegExp(`^\\W*(?:\\([^)]*\\)\\s*)?${escapeRegExp(p)}\\W*$`).test(value.text))) channel.add(local.name);
      }
    }
    // Writes made inside one same-file callee are reported once, at the call.
    const viaCallee = new Map<number, { node: typeof site.site.call; callee: string; targets: string[]; chain: string }>();
    for (const w of site.childWrites()) {
      const key = `${w.node.id}:${w.root}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!cloneChild && site.isResultVariable(w.root)) continue;
      const related = [site.forkRelated];
      if (cloneChild) {
        // fn's argument is the designed channel; fn's own locals live on the child's stack.
        if (w.cls !== 'shared' || channel.has(w.root)) continue;
      } else if (w.cls !== 'shared') {
        const read = parentReads.get(w.binding);
        if (!read && !site.file.strict) continue;
        if (!read) {
          report({ messageId: 'strict', data: { fork, target: w.targetText }, node: w.node, related });
          continue;
        }
        related.push({ range: rangeOfNode(read), message: `the parent reads \`${w.root}\` here` });
        report({ messageId: 'local', data: { fork, target: w.targetText, line: lineOf(read) }, node: w.node, related });
        continue;
      }
      if (w.chain && w.chain.length) {
        const entry = viaCallee.get(w.node.id) ?? { node: w.node, callee: w.chain[0], targets: [], chain: w.chain.join(' -> ') };
        if (!entry.targets.includes(w.targetText)) entry.targets.push(w.targetText);
        viaCallee.set(w.node.id, entry);
      } else {
        report({ messageId: 'global', data: { fork, target: w.targetText }, node: w.node, related });
      }
    }
    for (const e of viaCallee.values()) {
      const shown = e.targets.slice(0, 4).map((t) => `\`${t}\``).join(', ') + (e.targets.length > 4 ? ` and ${e.targets.length - 4} more` : '');
      report({ messageId: 'callee', data: { fork, callee: e.callee, target: shown, chain: e.chain }, node: e.node, related: [site.forkRelated] });
    }
  },
};
