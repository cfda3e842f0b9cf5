/**
 * Fixing a whole file: apply every safe fix (and the frame split) until nothing changes.
 * (Placeholder until the fix module lands: changes nothing.)
 */
import type { Language, RuleId, VforklintConfig } from '../types.js';

export interface FixOutcome {
  /** The fixed text (the input when nothing applied). */
  text: string;
  changed: boolean;
  applied: Array<{ rule: RuleId; title: string; line: number }>;
  /** Fixes considered and not applied, with the one-line reason a user sees. */
  declined: Array<{ rule: RuleId; line: number; reason: string }>;
}

export function fixSource(text: string, language: Language, config: VforklintConfig = {}): FixOutcome {
  void language;
  void config;
  return { text, changed: false, applied: [], declined: [] };
}
