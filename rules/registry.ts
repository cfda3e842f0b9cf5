/** Every rule, and how configuration picks its severity. */
import { childAllocates } from './rule-defs/child-allocates.js';
import { childReturns } from './rule-defs/child-returns.js';
import { childUnsafeCall } from './rule-defs/child-unsafe-call.js';
import { childWritesShared } from './rule-defs/child-writes-shared.js';
import { inlinableForkFrame } from './rule-defs/inlinable-fork-frame.js';
import { missingNorace } from './rule-defs/missing-norace.js';
import { parentReusesFrame } from './rule-defs/parent-reuses-frame.js';
import { sharedStackClone } from './rule-defs/shared-stack-clone.js';
import { vforkDiscouraged } from './rule-defs/vfork-discouraged.js';
import { unusedDisableDirectiveMeta } from './suppressions.js';
import { docsUrl, type RuleMeta, type RuleModule } from './rule-kit.js';
import type { RuleId, Severity, VforklintConfig } from './types.js';

export const RULE_MODULES: RuleModule[] = [
  childReturns,
  parentReusesFrame,
  childWritesShared,
  childUnsafeCall,
  childAllocates,
  missingNorace,
  inlinableForkFrame,
  sharedStackClone,
  vforkDiscouraged,
];

export const RULE_METAS: RuleMeta[] = [...RULE_MODULES.map((r) => r.meta), unusedDisableDirectiveMeta];

export const RULE_IDS: RuleId[] = RULE_METAS.map((m) => m.id);

export function ruleMeta(id: RuleId): RuleMeta {
  const m = RULE_METAS.find((r) => r.id === id);
  if (!m) throw new Error(`unknown rule ${id}`);
  return m;
}

export function resolveSeverity(id: RuleId, config: VforklintConfig): Severity {
  return config.rules?.[id] ?? ruleMeta(id).defaultSeverity;
}

export { docsUrl };
