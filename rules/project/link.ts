/**
 * One analysis's view of the project index: resolves callees through the index and records
 * what it read (for AnalysisResult.projectReads) and what it assumed (projectNotes).
 */
import type { ProjectLink, ResolvedCallee } from '../file-context.js';
import { ProjectIndex } from './index.js';

export class RecordingLink implements ProjectLink {
  private readonly asked = new Map<string, ResolvedCallee | undefined>();

  constructor(
    readonly index: ProjectIndex,
    readonly file: string,
  ) {}

  resolve(name: string): ResolvedCallee | undefined {
    if (this.asked.has(name)) return this.asked.get(name);
    const r = this.index.resolve(this.file, name);
    this.asked.set(name, r);
    return r;
  }

  /** Every key this analysis read, with its fingerprint now. */
  reads(): Array<{ key: string; fingerprint: string }> {
    const keys = [ProjectIndex.wrappersKey(this.file), ...[...this.asked.keys()].sort().map((n) => ProjectIndex.calleeKey(this.file, n))];
    return keys.map((key) => ({ key, fingerprint: this.fingerprintOf(key) }));
  }

  /** A key's fingerprint now; '' (matching nothing, so a cached result is recomputed) when it cannot be computed. */
  private fingerprintOf(key: string): string {
    try {
      return this.index.fingerprint(key) ?? '';
    } catch {
      return '';
    }
  }

  /** The assumptions made: names with several definitions, and why the index is partial. */
  notes(): string[] {
    const out: string[] = [];
    for (const [name, r] of this.asked) {
      const note = (r as { note?: string } | undefined)?.note;
      if (note) out.push(note);
      if (!r || r.definitions.length < 2) continue;
      out.push(`\`${name}\` is defined in several files (${fileList(r.definitions.map((d) => d.file))}): any of them may run, and the analysis assumed so`);
    }
    for (const reason of this.index.partial) out.push(`the project index is partial: ${reason}`);
    return out;
  }
}

/** Files named in a note: the first few, then how many more (a name such as `main` or `usage` can be defined in hundreds). */
export function fileList(files: readonly string[], shown = 5): string {
  return files.length <= shown + 1 ? files.join(', ') : `${files.slice(0, shown).join(', ')} and ${files.length - shown} more`;
}
