/**
 * A callee's summary as data (RULES section 8): never returns, its verdict (safe, unsafe with
 * the chain, leaves the frame, unknown), what it writes (by parameter position, and globals).
 * Computed by the same code that follows same-file callees, on the defining file's tree; its
 * text is what a fingerprint hashes, so an edit elsewhere in a helper's file that changes no
 * summary invalidates nothing.
 */
import type { ResolvedCallee } from '../file-context.js';
import { calleeVerdict, projectNeverReturns, worstVerdict } from '../effects/calls.js';
import { projectCalleeWrites, sharedWritesOf } from '../effects/writes.js';

export interface CalleeSummary {
  neverReturns: boolean;
  verdict: string;
  chain: string[];
  writesParams: number[];
  writesGlobals: string[];
  files: string[];
  alias?: string;
}

export function summarize(r: ResolvedCallee, name: string): CalleeSummary {
  const v = worstVerdict(r.definitions.map((d) => calleeVerdict(d.ctx, d.name, 1)));
  const writes = r.definitions.length ? projectCalleeWrites(r.definitions, name, 1) : { paramPositions: [], shared: [] };
  return {
    neverReturns: projectNeverReturns(r, name, 0),
    verdict: v.kind === 'unsafe' ? `unsafe: ${v.reason}` : v.kind,
    chain: 'chain' in v ? v.chain : [],
    writesParams: writes.paramPositions,
    writesGlobals: [...new Set(sharedWritesOf(writes).map((w) => w.targetText))].sort(),
    files: r.definitions.map((d) => d.file).sort(),
    ...(r.alias !== undefined ? { alias: r.alias } : {}),
  };
}

export function summaryText(r: ResolvedCallee, name: string): string {
  return JSON.stringify(summarize(r, name));
}
