/**
 * A callee's summary as data (RULES section 8): never returns, its verdict (safe, unsafe with
 * the chain, leaves the frame, unknown), what it writes (by parameter position, and globals),
 * and (Go) whether it allocates.
 * Computed by the same code that follows same-file callees, on the defining file's tree; its
 * text is what a fingerprint hashes, so an edit elsewhere in a helper's file that changes no
 * summary invalidates nothing.
 */
import type { ResolvedCallee } from '../file-context.js';
import { calleeVerdict, projectNeverReturns, worstVerdict } from '../effects/calls.js';
import { functionAllocation } from '../effects/go-allocation.js';
import { projectCalleeWrites, sharedWritesOf } from '../effects/writes.js';

export interface CalleeSummary {
  neverReturns: boolean;
  verdict: string;
  chain: string[];
  writesParams: number[];
  writesGlobals: string[];
  files: string[];
  alias?: string;
  /** Go: what the first allocation is and the chain to it, when it allocates. */
  allocates?: string;
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
    ...allocation(r),
  };
}

function allocation(r: ResolvedCallee): { allocates?: string } {
  for (const d of r.definitions) {
    const found = d.ctx.adapter.language === 'go' ? functionAllocation(d.ctx, d.name) : undefined;
    if (found) return { allocates: `${found.chain.join(' -> ')}: ${found.what}` };
  }
  return {};
}

export function summaryText(r: ResolvedCallee, name: string): string {
  return JSON.stringify(summarize(r, name));
}
