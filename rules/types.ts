/**
 * The one vocabulary every front end speaks. The CLI, the language server and the
 * ESLint plugin all receive these objects from `analyze()` and only translate them.
 */

export type Language = 'c' | 'go';

export type RuleId =
  | 'child-returns'
  | 'parent-reuses-frame'
  | 'child-writes-shared'
  | 'child-unsafe-call'
  | 'child-allocates'
  | 'missing-norace'
  | 'inlinable-fork-frame'
  | 'shared-stack-clone'
  | 'vfork-discouraged'
  | 'unused-disable-directive';

export type Severity = 'error' | 'warning' | 'off';

/** A point in the text. `line` and `column` are 1-based; `column` and `offset` count UTF-16 code units. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedLocation {
  range: Range;
  message: string;
  /** The file it is in (a header's `#define`), as the front end's host names it; absent: the analysed file. */
  file?: string;
}

/** Replace text[start, end) of the analysed text with `newText`. Offsets are UTF-16 indices. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export type FixKind = 'split' | 'norace' | 'noinline' | 'exit' | 'suppress';

export interface Fix {
  /** What a person sees in a quick-fix menu. */
  title: string;
  kind: FixKind;
  edits: TextEdit[];
  /** Safe fixes are applied by `--fix` and ESLint `--fix`; others are offered as suggestions. */
  safe: boolean;
}

/** One step of the child's path to a hazard (RULES section 9): where, and what happens there. */
export interface FindingStep {
  message: string;
  range: Range;
  /** The file the step is in, as the front end's host names it; absent: the analysed file. */
  file?: string;
}

export interface Finding {
  rule: RuleId;
  /** Which of the rule's message templates (its `meta.messages` key), as ESLint's messageId. */
  messageId: string;
  /**
   * The values that fill the template's `{{name}}` placeholders (ESLint's report `data`):
   * the rule's `meta.messages[messageId]` filled with them is exactly `message`.
   */
  data?: Record<string, string>;
  severity: 'error' | 'warning';
  message: string;
  range: Range;
  /** The fork site first; then, where one exists, the child write behind a dangerous parent read. */
  related: RelatedLocation[];
  fixes: Fix[];
  /** When a fix was considered but declined (e.g. the frame split), why, in one line. */
  fixDeclined?: string;
  /** The child's path to the hazard, in order; empty for site findings (RULES section 9). */
  steps: FindingStep[];
}

export type ForkKind = 'vfork' | 'raw' | 'concurrent' | 'clone-fn';

/** A fork site as the editor's hover and the tests see it. */
export interface ForkSiteInfo {
  kind: ForkKind;
  /** The call expression, e.g. `vfork()` or `rawVforkSyscall(SYS_CLONE, ...)`. */
  range: Range;
  /** Name of the function holding the site. */
  functionName: string;
  /** 1-based lines that run in the child only, in the parent only, and in both (before any test). */
  childLines: number[];
  parentLines: number[];
  bothLines: number[];
}

export interface VforklintConfig {
  /** Per-rule severity; rules not named keep their default. */
  rules?: Partial<Record<RuleId, Severity>>;
  /** POSIX-strict mode: see docs/rules.md, section 4. */
  strict?: boolean;
  /**
   * Extra functions that create a vfork-style child (e.g. busybox's `xvfork`). A plain name
   * behaves like `vfork()`; `name:raw` is a function the compiler does not know returns twice.
   */
  forkFunctions?: string[];
  /** Extra functions that never return (e.g. `bb_perror_msg_and_die`). */
  noReturnFunctions?: string[];
  /** Extra functions that are safe to call in a vfork child. */
  safeFunctions?: string[];
}

export interface AnalysisResult {
  findings: Finding[];
  forkSites: ForkSiteInfo[];
  /** True when the text had no fork spelling and was not parsed at all. */
  skipped: boolean;
  /** Set when the analysis itself failed on this input (a bug to report); findings are then empty. */
  internalError?: string;
  /**
   * Parts of the text the analysis could not cover, each with the reason: lines tree-sitter
   * could not parse within its time budget (pathological syntax), functions nested deeper than
   * the flow pass follows. Findings there may be missing; the front ends say so.
   */
  notAnalysed?: NotAnalysed[];
  /**
   * With a project index: every summary, declaration and macro set this result consulted, with
   * its fingerprint (ProjectIndex.fingerprint). The result stays valid while each key keeps it.
   */
  projectReads?: Array<{ key: string; fingerprint: string }>;
  /** With a project index: the assumptions made (a name defined in several files) and why the index was partial. No green tick. */
  projectNotes?: string[];
}

export interface NotAnalysed {
  range: Range;
  reason: string;
}
