import { PARENT_SIDE } from '../flow/path-state.js';
import { docsUrl, type RuleModule } from '../rule-kit.js';
import { field } from '../syntax.js';

const NOINLINE = /noinline|NOINLINE|NO_INLINE/;

/** C: the inner half of a frame split must not be inlined back into its caller. */
export const inlinableForkFrame: RuleModule = {
  meta: {
    id: 'inlinable-fork-frame',
    description: 'C: a function whose parent path returns at once after a raw fork (the inner half of a frame split) lacks noinline.',
    defaultSeverity: 'warning',
    languages: ['c'],
    forkKinds: ['raw', 'vfork'],
    docsUrl: docsUrl('inlinable-fork-frame'),
    messages: {
      inlinable: '`{{fn}}` returns at once in the parent after `{{fork}}`, but lacks `noinline`: if the compiler inlines it, the parent again works in the frame the child used.',
    },
    fixable: true,
    hasSuggestions: true,
  },
  check(site, report) {
    const file = site.file;
    if (file.adapter.language !== 'c') return;
    if (site.site.kind === 'vfork' && !file.strict) return;
    const fn = site.site.fn;
    const parent = site.parentStatements().filter((s) => s.mask & PARENT_SIDE);
    if (parent.length === 0) return;
    // Only returns (or assertions) on the parent side: this is the inner half of a split.
    const onlyReturns = parent.every((s) => s.role === 'return' || /^\s*assert\s*\(/.test(s.node.text));
    if (!onlyReturns) return;
    const body = file.adapter.functionBody(fn);
    const header = file.text.slice(fn.startIndex, body ? body.startIndex : fn.endIndex);
    const name = file.adapter.functionName(fn);
    const before = file.text.slice(Math.max(0, fn.startIndex - 200), fn.startIndex).split(/[;}]/).pop() ?? '';
    if (NOINLINE.test(header) || NOINLINE.test(before) || file.isDeclaredNoinline(name)) return;
    const declarator = field(fn, 'declarator');
    let nameNode = declarator;
    while (nameNode && nameNode.type !== 'identifier') nameNode = field(nameNode, 'declarator') ?? undefined;
    report({ messageId: 'inlinable', data: { fn: name, fork: site.site.spelling }, node: nameNode ?? fn, related: [site.forkRelated] });
  },
};
