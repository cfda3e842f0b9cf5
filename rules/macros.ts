/**
 * Same-file macros read as the compiler reads them (RULES section 3, "Macros").
 *
 *   const table = new MacroTable(tree.rootNode, headerMacros);     // once per file
 *   const use = readMacroUse(table, node.text, node.startIndex);   // at a call or identifier
 *   if (use?.kind === 'expanded') summarize(use.code, options);    // calls, ends, writes, forks
 *
 * The pieces: `macros/tokens` (preprocessing tokens), `macros/model` (a definition as
 * plain data), `macros/definitions` (which definitions hold where, and which cannot be
 * expanded), `macros/conditions` (the `#if` branches the file itself decides),
 * `macros/expand` (the expansion), `macros/view` (the expansion parsed as a synthetic
 * function body, mapped back to the use), `macros/reader` and `macros/summary` (what the
 * expansion does, without the flow pass), `macros/constant` (integer constant values).
 */
import type { RelatedLocation } from './types.js';
import { constantValue } from './macros/constant.js';
import type { MacroTable } from './macros/definitions.js';
import type { MacroDefinition } from './macros/model.js';
import { expandText } from './macros/expand.js';
import type { MacroPlace, MacroUse } from './macros/view.js';

export { MacroTable } from './macros/definitions.js';
export { signature, type MacroCondition, type MacroDefinition, type MacroLocation, type MacroLookup, type MacroScope } from './macros/model.js';
export { expandText, expandUse, MAX_DEPTH, type ExpandedText, type NotExpanded, type UseExpansion } from './macros/expand.js';
export { readMacroUse, valueNode, SYNTHETIC_FUNCTION, type ExpansionForm, type MacroCode, type MacroPlace, type MacroUse, type ParsedExpansion } from './macros/view.js';
export { summarize, type MacroCall, type MacroFork, type MacroSummary, type MacroWrite, type SummaryOptions } from './macros/summary.js';
export { constantValue } from './macros/constant.js';

/**
 * The integer value of `text` (a condition in the file, `DEBUG_INIT`, `!ENABLE_FOO`) once
 * the macros in effect at `offset` are expanded; undefined when it is not a constant.
 * A flow pass reads `if (DEBUG_INIT)` in the file's own code with this.
 */
export function constantAt(table: MacroTable, text: string, offset?: number): bigint | undefined {
  return constantValue(expandText(table, text, offset).text);
}

/** A related location at a `#define`; `file` is set when the definition is in another file (a header). */
export interface MacroRelatedLocation extends RelatedLocation {
  file?: string;
}

/**
 * Related information for a finding at a macro use: where the macro is defined, and, when
 * the node the finding is about came from a macro nested in it, where that one is defined.
 * For a use that cannot be expanded: each of its definitions.
 */
export function macroRelated(use: MacroUse, place?: MacroPlace): MacroRelatedLocation[] {
  const at = (def: MacroDefinition, message: string): MacroRelatedLocation => ({ range: def.location.range, message, ...(def.location.file ? { file: def.location.file } : {}) });
  if (use.kind === 'not-expandable') return use.definitions.map((d) => at(d, `\`${use.macro}\` is defined here`));
  const out = [at(use.definition, `\`${use.macro}\` is defined here`)];
  const inner = place?.definition;
  if (inner && inner !== use.definition) out.push(at(inner, `expanding \`${inner.name}\`, defined here`));
  return out;
}

/** The note for a use that cannot be expanded, on a child path (the use keeps its plain reading). */
export function notAnalysedMessage(use: Extract<MacroUse, { kind: 'not-expandable' }>): string {
  return `macro \`${use.macro}\` was not analysed: ${use.reason}`;
}
