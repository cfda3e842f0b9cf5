/**
 * Same-file macro uses in child code that are not calls (`BAIL;`, `x = DEFAULT_FD;`), and
 * the uses that could not be read as their bodies (RULES section 3, "Macros"): those keep
 * their plain reading and get one not-analysed note each.
 */
import type { FileContext } from '../file-context.js';
import { macroRelated, notAnalysedMessage, type MacroRelatedLocation } from '../macros.js';
import type { SyntaxNode } from '../parser.js';
import { descendantsWithin } from '../syntax.js';
import { CONSTANT_NAME, type MacroNames } from '../fork-sites.js';
import { bodyTokensOf } from '../macros/model.js';
import type { ForkKind } from '../types.js';
import { callsIn, expandedMacro, macroBodyVerdict, macroReadingOf, type CallVerdict } from './calls.js';

const IDENTIFIER = new Set(['identifier']);

/** Identifiers in `node` that name a same-file macro and are not the callee of a call (object-like uses). */
export function macroUsesIn(ctx: FileContext, node: SyntaxNode, root: SyntaxNode): SyntaxNode[] {
  if (ctx.adapter.language !== 'c') return [];
  return ctx.remember(`macro-uses:${node.id}:${root.id}`, () => {
    const callees = new Set<number>();
    for (const call of callsIn(ctx, node, root)) {
      const f = call.childForFieldName('function');
      if (f) callees.add(f.id);
    }
    return descendantsWithin(root, node, IDENTIFIER, ctx.adapter.closureTypes).filter((id) => !callees.has(id.id) && ctx.mayBeMacro(id.text));
  });
}

/** What an object-like macro use does in child code; undefined when it is safe or no expandable macro. */
export function objectMacroVerdict(ctx: FileContext, id: SyntaxNode): CallVerdict | undefined {
  const reading = macroReadingOf(ctx, id);
  if (reading?.kind !== 'expanded') return undefined;
  const v = macroBodyVerdict(ctx, reading);
  return v.kind === 'safe' ? undefined : v;
}

/**
 * A body that can do nothing whichever definition holds (`0`, `(G.interactive_fd)`): no call,
 * no assignment, no statement. Its plain reading misses nothing, so it needs no note.
 */
function inertBody(body: string): boolean {
  const code = body.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  return !/[A-Za-z_]\w*\s*\(|[^=!<>]=(?!=)|\+\+|--|[;{}]|\b(?:return|goto|break|continue|asm|__asm__)\b/.test(code) || /^\s*\(\s*\(?\s*void\s*\)?\s*0\s*\)\s*$/.test(code);
}

export interface MacroNote {
  node: SyntaxNode;
  message: string;
  related: MacroRelatedLocation[];
}

/** One note for each use in `nodes` (calls and object-like uses) that could not be read as its body. */
export function macroNotes(ctx: FileContext, nodes: SyntaxNode[], root: SyntaxNode): MacroNote[] {
  if (ctx.adapter.language !== 'c') return [];
  const out: MacroNote[] = [];
  const seen = new Set<number>();
  for (const node of nodes) {
    const uses = [...callsIn(ctx, node, root).filter((c) => c.childForFieldName('function')?.type === 'identifier'), ...macroUsesIn(ctx, node, root)];
    for (const use of uses) {
      if (seen.has(use.startIndex)) continue;
      const reading = macroReadingOf(ctx, use);
      if (reading?.kind !== 'not-analysed' || (reading.use.kind === 'not-expandable' && reading.use.definitions.every((d) => inertBody(d.body)))) continue;
      seen.add(use.startIndex);
      const message = reading.use.kind === 'not-expandable' ? notAnalysedMessage(reading.use) : `macro \`${reading.use.macro}\` was not analysed: ${reading.reason}`;
      out.push({ node: use, message, related: macroRelated(reading.use) });
    }
  }
  return out;
}

/**
 * The constant names in the bodies of the object-like macro `name` as the file sees it (its
 * own `#define`s and its headers'; every definition when there are several): what clone flags
 * spelled through a macro (`#define SPAWN_FLAGS (CLONE_VM | CLONE_VFORK | SIGCHLD)`) stand for.
 */
export function macroConstantNames(ctx: FileContext): MacroNames {
  return (name) => {
    const table = ctx.macros;
    if (!table) return undefined;
    ctx.reads.record('macro', name);
    const found = table.lookup(name);
    const defs = found.kind === 'macro' ? [found.definition] : found.kind === 'not-expandable' ? found.definitions : [];
    const out: string[] = [];
    for (const d of defs) if (!d.params) for (const t of bodyTokensOf(d)) if (t.kind === 'identifier' && CONSTANT_NAME.test(t.text)) out.push(t.text);
    return out;
  };
}

/** A macro use whose expansion forks (`SPAWN()` with `#define SPAWN() vfork()`, busybox's `xvfork()`): a fork site of that kind. */
export function macroForkSite(ctx: FileContext, node: SyntaxNode): { kind: ForkKind; spelling: string; pidVar?: string } | undefined {
  const macro = expandedMacro(ctx, node);
  if (!macro) return undefined;
  const fork = macro.summary.forks.find((f) => !f.dead && (f.kind === 'vfork' || f.kind === 'raw'));
  if (!fork) return undefined;
  const held = fork.result === 'held' && fork.heldIn ? fork.heldIn.replace(/\s+/g, '') : undefined;
  return { kind: fork.kind as ForkKind, spelling: macro.use.macro, ...(held ? { pidVar: held } : {}) };
}

/**
 * Where the file uses a macro whose definition holds a fork spelling (directly or through
 * another such macro): the pre-scan's matches stop at the `#define`, these lead to the uses.
 */
export function forkMacroUseOffsets(ctx: FileContext, spellings: RegExp, matches: readonly number[]): number[] {
  // Most files hold no `#define` with a fork spelling: then no table is built here.
  if (ctx.adapter.language !== 'c') return [];
  if (!ctx.hasHeaderMacros && (matches.length === 0 || !defineHoldsSpelling(ctx.text, spellings))) return [];
  const table = ctx.macros;
  if (!table) return [];
  // Which macros fork: those whose body holds a spelling, then those naming one of them.
  const usedBy = new Map<string, string[]>();
  const forking = new Set<string>();
  const pending: string[] = [];
  for (const name of table.names()) {
    const l = table.lookup(name);
    const defs = l.kind === 'macro' ? [l.definition] : l.kind === 'not-expandable' ? l.definitions : [];
    for (const d of defs) {
      spellings.lastIndex = 0;
      if (spellings.test(d.body) && !forking.has(name)) {
        forking.add(name);
        pending.push(name);
      }
      for (const word of new Set(d.body.match(/[A-Za-z_]\w*/g) ?? [])) {
        if (word === name || !table.has(word)) continue;
        const list = usedBy.get(word);
        if (list) list.push(name);
        else usedBy.set(word, [name]);
      }
    }
  }
  while (pending.length) {
    for (const user of usedBy.get(pending.pop()!) ?? []) {
      if (forking.has(user)) continue;
      forking.add(user);
      pending.push(user);
    }
  }
  if (forking.size === 0) return [];
  const out: number[] = [];
  const re = new RegExp(`\\b(?:${[...forking].join('|')})\\b`, 'g');
  for (const m of ctx.text.matchAll(re)) out.push(m.index!);
  return out;
}

/** Does some `#define` of the text (continued lines included) hold a fork spelling? One pass over the text. */
function defineHoldsSpelling(text: string, spellings: RegExp): boolean {
  if (!text.includes('define')) return false;
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define\b(?:[^\n]*\\\r?\n)*[^\n]*/gm)) {
    spellings.lastIndex = 0;
    if (spellings.test(m[0])) return true;
  }
  return false;
}
