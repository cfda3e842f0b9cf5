/**
 * Fixes attached to findings. Called once per fork site after the rules ran, with the
 * findings that site produced; fills `finding.fixes` (text edits on the original text)
 * and, where a fix was considered but is unsafe, `finding.fixDeclined`.
 *
 * The frame split costs more than the whole analysis of its function, and an editor
 * re-analyses on every keystroke, so it is computed on first read of `fixes` or
 * `fixDeclined` of a `parent-reuses-frame` finding (both are ordinary enumerable
 * properties: spreading, JSON and structured cloning read them; assigning replaces them).
 * Until it is computed, the site's tree stays alive (`holdTreeFor`) after the analysis.
 */
import { holdTreeFor, letGo } from '../parser.js';
import type { SiteAnalysis } from '../site-analysis.js';
import type { Finding, Fix, Language } from '../types.js';
import { Decline } from './regions.js';
import { lex } from '../comments.js';
import { exitFix, noinlineFix, noraceFix, suppressFix } from './small.js';
import { splitFrame } from './split.js';

export { splitFrame } from './split.js';

/** The "disable for this line" fix of a finding in `text`, line ends matched (none where it would edit a literal). */
export function suppressionFix(text: string, finding: Finding, language: Language): Fix | undefined {
  return matchLineEnds(suppressFix(text, finding, language), text.includes('\r\n'));
}

interface SplitOutcome {
  fix?: Fix;
  reason?: string;
}

/** The `#define`s of the analysed file, as offset ranges (a fix never edits a macro body: RULES section 3, "Macros"). */
function macroDefinitionRanges(site: SiteAnalysis): Array<{ name: string; start: number; end: number }> {
  if (!site.file.hasMacros) return [];
  const table = site.file.macros;
  if (!table) return [];
  return site.file.remember('macro-definition-ranges', () => {
    const out: Array<{ name: string; start: number; end: number }> = [];
    for (const name of table.names()) {
      const l = table.lookup(name);
      const defs = l.kind === 'macro' ? [l.definition] : l.kind === 'not-expandable' ? l.definitions : [];
      for (const d of defs) if (d.location.file === undefined) out.push({ name, start: d.location.range.start.offset, end: d.location.range.end.offset });
    }
    return out;
  });
}

/** The macro whose `#define` one of the fix's edits would change, if any. */
export function editedMacro(fix: Fix, definitions: ReadonlyArray<{ name: string; start: number; end: number }>): string | undefined {
  for (const e of fix.edits) {
    for (const d of definitions) {
      const touches = e.start === e.end ? e.start > d.start && e.start < d.end : e.start < d.end && e.end > d.start;
      if (touches) return d.name;
    }
  }
  return undefined;
}

/** The split for a site, once: a fix, or the one-line reason it is declined. */
function splitFor(site: SiteAnalysis): SplitOutcome {
  try {
    const s = splitFrame(site);
    const fix: Fix = { title: s.title, kind: 'split', edits: s.edits, safe: false };
    const macro = editedMacro(fix, macroDefinitionRanges(site));
    if (macro !== undefined) return { reason: `it would edit the body of macro \`${macro}\`` };
    return { fix };
  } catch (e) {
    if (e instanceof Decline) return { reason: e.message };
    return { reason: `the split failed on this input (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** A copy of a finding without fixes, made without reading `fixes` or `fixDeclined` (which may start the split). */
export function withoutFixes(f: Finding): Finding {
  return {
    rule: f.rule,
    messageId: f.messageId,
    ...(f.data ? { data: f.data } : {}),
    severity: f.severity,
    message: f.message,
    range: f.range,
    related: f.related,
    fixes: [],
    steps: f.steps,
  };
}

function lazyProperty<T>(target: object, key: string, compute: () => T): void {
  let value: T;
  let done = false;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
    set(v: T) {
      Object.defineProperty(target, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** In a CRLF file, generated lines end in CRLF too. */
function matchLineEnds(fix: Fix | undefined, crlf: boolean): Fix | undefined {
  if (!fix || !crlf) return fix;
  return { ...fix, edits: fix.edits.map((e) => ({ ...e, newText: e.newText.replace(/\r?\n/g, '\r\n') })) };
}

export function attachFixes(site: SiteAnalysis, findings: Finding[]): void {
  const crlf = site.file.text.includes('\r\n');
  let split: SplitOutcome | undefined;
  // The split is computed from the site's tree, which must outlive the analysis until then.
  const tree = site.file.root.tree;
  const getSplit = () => {
    if (!split) {
      split = splitFor(site);
      split.fix = matchLineEnds(split.fix, crlf);
      letGo(getSplit, tree);
    }
    return split;
  };
  if (findings.some((f) => f.rule === 'parent-reuses-frame')) holdTreeFor(getSplit, tree);
  const definitions = macroDefinitionRanges(site);
  // No fix edits inside a `#define`: the body is shared by every use.
  const outsideMacros = (fix: Fix | undefined) => (fix && (definitions.length === 0 || editedMacro(fix, definitions) === undefined) ? fix : undefined);
  for (const f of findings) {
    const fixes: Fix[] = f.fixes.filter((fix) => outsideMacros(fix));
    const small = outsideMacros(f.rule === 'missing-norace' ? (f.messageId === 'childElsewhere' ? undefined : noraceFix(site.file, f)) : f.rule === 'inlinable-fork-frame' ? noinlineFix(site.file, f) : f.rule === 'child-unsafe-call' ? exitFix(site.file, f) : undefined);
    if (small) fixes.push(matchLineEnds(small, crlf)!);
    const lexed = site.file.remember('lexed', () => lex(site.file.text, site.file.adapter.language));
    const suppress = outsideMacros(matchLineEnds(suppressFix(site.file.text, f, site.file.adapter.language, site.file.lines, lexed), crlf));
    if (suppress) fixes.push(suppress);
    if (f.rule !== 'parent-reuses-frame') {
      f.fixes = fixes;
      continue;
    }
    lazyProperty(f, 'fixes', () => {
      const s = getSplit();
      return s.fix ? [s.fix, ...fixes] : fixes;
    });
    lazyProperty(f, 'fixDeclined', () => {
      const s = getSplit();
      return s.reason === undefined ? undefined : `Frame split declined: ${s.reason}`;
    });
  }
}
