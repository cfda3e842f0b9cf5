/**
 * A fork site that is one arm of a conditional on a configuration macro
 * (`pid = BB_MMU ? xfork() : xvfork();`, `BB_MMU` from a header the build generates):
 * the vfork child exists only in the builds where the condition picks that arm. The macro
 * is one constant for the whole compilation, so every later test of it in the same
 * analysis (`if (BB_MMU) { ... } else { exec }`) is decided the same way (RULES section 3).
 */
import { constantValue, expandText } from '../macros.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { field } from '../syntax.js';

const MACRO_NAME = /^[A-Z_][A-Z0-9_]*$/;
const PEEL = new Set(['parenthesized_expression', 'cast_expression']);

export interface ArmAssumption {
  /** The configuration macro and the value under which the site's arm is chosen. */
  name: string;
  value: bigint;
  /** The name is replaced before the file's macros expand (they define it for another configuration). */
  asWritten: boolean;
}

/** The text of `text` once the file's macros in effect at `offset` are expanded (the text itself without a table). */
export function expanded(ctx: FileContext, text: string, offset: number): string {
  for (const n of text.match(/[A-Za-z_]\w*/g) ?? []) ctx.reads.record('macro', n);
  const table = ctx.macros;
  return table ? expandText(table, text, offset).text : text;
}

function substitute(text: string, a: ArmAssumption): string {
  return text.replace(new RegExp(`\\b${a.name}\\b`, 'g'), String(a.value));
}

/**
 * The assumption a site's place makes: `C ? fork() : vfork()` with `C` a condition on one
 * macro-like name the file does not decide, and one value (0 or 1) of it that picks the
 * site's arm. Undefined for any other place.
 */
export function armAssumption(ctx: FileContext, call: SyntaxNode): ArmAssumption | undefined {
  if (ctx.adapter.language !== 'c') return undefined;
  let arm = call;
  let up = call.parent;
  while (up && PEEL.has(up.type)) {
    arm = up;
    up = up.parent;
  }
  if (up?.type !== 'conditional_expression') return undefined;
  const condition = field(up, 'condition');
  const chosen = field(up, 'consequence')?.id === arm.id ? true : field(up, 'alternative')?.id === arm.id ? false : undefined;
  if (!condition || chosen === undefined || condition.text.length > 200) return undefined;
  const text = expanded(ctx, condition.text, condition.startIndex);
  const decided = constantValue(text);
  if (decided === undefined) return pick(text, chosen, false);
  // The headers in the tree decide it for one configuration (toybox's pre-generated
  // `CFG_TOYBOX_FORK 1`); when that configuration does not pick the site's arm, the arm
  // exists for the others: assume the value that picks it, named as written.
  return (decided !== 0n) === chosen ? undefined : pick(condition.text, chosen, true);
}

function pick(text: string, chosen: boolean, asWritten: boolean): ArmAssumption | undefined {
  const names = [...new Set(text.match(/[A-Za-z_]\w*/g) ?? [])];
  if (names.length !== 1 || !MACRO_NAME.test(names[0])) return undefined;
  const picks = [0n, 1n].filter((value) => {
    const v = constantValue(substitute(text, { name: names[0], value, asWritten }));
    return v !== undefined && (v !== 0n) === chosen;
  });
  return picks.length === 1 ? { name: names[0], value: picks[0], asWritten } : undefined;
}

/** The value of a condition under the site's assumption, when the assumption decides it. */
export function assumedCondition(ctx: FileContext, condition: SyntaxNode, a: ArmAssumption): boolean | undefined {
  if (condition.text.length > 2000 || !condition.text.includes(a.name)) return undefined;
  if (a.asWritten) {
    if (!new RegExp(`\\b${a.name}\\b`).test(condition.text)) return undefined;
    const v = constantValue(expanded(ctx, substitute(condition.text, a), condition.startIndex));
    return v === undefined ? undefined : v !== 0n;
  }
  const text = expanded(ctx, condition.text, condition.startIndex);
  if (!new RegExp(`\\b${a.name}\\b`).test(text)) return undefined;
  const v = constantValue(substitute(text, a));
  return v === undefined ? undefined : v !== 0n;
}
