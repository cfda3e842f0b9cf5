/** What analyze() does with the project index: the configuration with the wrappers, and the result's reads and notes. */
import type { AnalysisResult, VforklintConfig } from '../types.js';
import type { ProjectIndex } from './index.js';
import { RecordingLink } from './link.js';

export interface ProjectRun {
  config: VforklintConfig;
  link: RecordingLink;
  /** Assumptions made about the wrappers (a wrapper's name defined in several files). */
  notes: string[];
}

/** `config` with the project's fork wrappers that file `file` may call added to `forkFunctions` (the pre-scan's words too). `text`: the file's, when at hand. */
export function configWithWrappers(index: ProjectIndex, file: string, config: VforklintConfig, text?: string): VforklintConfig {
  index.useConfig(config);
  const configured = new Set((config.forkFunctions ?? []).map((f) => f.split(':')[0]));
  const wrappers = index.wrappersFor(file, text).filter((w) => !configured.has(w.name)).map((w) => (w.raw ? `${w.name}:raw` : w.name));
  return wrappers.length ? { ...config, forkFunctions: [...(config.forkFunctions ?? []), ...new Set(wrappers)] } : config;
}

/** The configuration one file is analysed with: its own, plus the project's fork wrappers it may call. */
export function projectConfig(index: ProjectIndex, file: string, config: VforklintConfig, text: string): ProjectRun {
  index.useConfig(config);
  const configured = new Set((config.forkFunctions ?? []).map((f) => f.split(':')[0]));
  const found = index.wrappersFor(file, text).filter((w) => !configured.has(w.name));
  const wrappers = found.map((w) => (w.raw ? `${w.name}:raw` : w.name));
  const withWrappers = wrappers.length ? { ...config, forkFunctions: [...(config.forkFunctions ?? []), ...new Set(wrappers)] } : config;
  const notes: string[] = [];
  const scan = index.scan();
  for (const w of found) {
    if (w.macro) continue;
    const defined = (scan.byName.get(w.name) ?? []).filter((p) => !scan.files.get(p)?.header && index.definition(p, w.name) !== undefined);
    if (defined.length > 1 && !defined.includes(file) && new RegExp(`\\b${w.name}\\s*\\(`).test(text)) {
      notes.push(`\`${w.name}\` is defined in several files (${defined.join(', ')}): its calls are fork sites because the child of ${w.file}'s returns to its caller`);
    }
  }
  return { config: withWrappers, link: new RecordingLink(index, file), notes };
}

/** The result with what it read from the project and the assumptions made. */
export function projectResult(run: ProjectRun, result: AnalysisResult): AnalysisResult {
  if (result.internalError) return result;
  const notes = [...run.notes, ...run.link.notes()];
  return { ...result, projectReads: run.link.reads(), ...(notes.length ? { projectNotes: notes } : {}) };
}
