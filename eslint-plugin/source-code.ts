/**
 * The SourceCode ESLint sees for a C or Go file.
 *
 * Deliberately thin: the AST ESLint traverses is a single root node spanning the whole
 * text (`translation_unit` for C, `source_file` for Go, tree-sitter's names). The rules
 * do not walk nodes; they read the findings of ONE `analyze()` run, cached here and
 * computed the first time a rule's root visitor asks for it. By then ESLint has created
 * every enabled rule (each registers itself in `create()`), so the analysis runs with
 * exactly the enabled rules on, and the core's own suppression bookkeeping
 * (`unused-disable-directive`) sees the same rule set the user configured.
 *
 * Comments are found by the shared lexer (rules/comments.ts), only when the text mentions `eslint`.
 */
import { ConfigCommentParser, Directive, TextSourceCodeBase, VisitNodeStep } from '@eslint/plugin-kit';
import type { FileProblem, RulesConfig, SourceLocation, TraversalStep } from '@eslint/core';
import { RULE_METAS, analyze, type AnalysisResult, type AnalyzeOptions, type Language, type RuleId, type Severity, type Tree, type VforklintConfig } from '../rules/index.js';
import { mayHoldDirectives, scanComments } from '../rules/comments.js';
import { analysisConfig, type ResolvedConfig } from '../config/index.js';
import type { VforklintLanguageOptions } from './language-options.js';


export interface VforklintRoot {
  type: 'translation_unit' | 'source_file';
  loc: SourceLocation;
  range: [number, number];
}

export interface VforklintComment {
  type: 'Line' | 'Block';
  value: string;
  loc: SourceLocation;
  range: [number, number];
}

export type VforklintSyntaxElement = VforklintRoot | VforklintComment;

type Options = {
  LangOptions: VforklintLanguageOptions;
  RootNode: VforklintRoot;
  SyntaxElementWithLoc: VforklintSyntaxElement;
  ConfigNode: VforklintComment;
};

const DIRECTIVE_LABEL = /^(?:eslint-disable|eslint-enable|eslint-disable-next-line|eslint-disable-line|eslint)$/u;
const LINE_COMMENT_LABEL = /^eslint-disable-(?:next-)?line$/u;

const commentParser = new ConfigCommentParser();

/** The root node: line 1, column 1 (the language's lineStart/columnStart) through the end of the text. */
export function rootNodeFor(text: string, language: Language): VforklintRoot {
  let line = 1;
  let lastNewline = -1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    line++;
    lastNewline = i;
  }
  return {
    type: language === 'c' ? 'translation_unit' : 'source_file',
    loc: { start: { line: 1, column: 1 }, end: { line, column: text.length - lastNewline } },
    range: [0, text.length],
  };
}

export class VforklintSourceCode extends TextSourceCodeBase<Options> {
  readonly language: Language;
  readonly #tree: Tree | undefined;
  readonly #config: VforklintConfig;
  readonly #enabled = new Set<RuleId>();
  #analysis: AnalysisResult | undefined;
  /** The file ESLint names (its physical path), when it is one: the project index needs it. */
  readonly path: string | undefined;
  #comments: VforklintComment[] | undefined;
  #configNodes: VforklintComment[] | undefined;
  /** How many times the core ran for this file (the tests hold it at one). */
  analysisRuns = 0;

  readonly #ignored: boolean;

  /** `config`: the file's configuration (language-options.ts); `ignored`: its ignorePatterns skip this file. */
  constructor({ text, ast, language, tree, config, ignored, path }: { text: string; ast: VforklintRoot; language: Language; tree?: Tree; config?: ResolvedConfig; ignored?: boolean; path?: string }) {
    // tree-sitter and the core count lines at "\n" only; so must ESLint's line table.
    super({ text, ast, lineEndingPattern: /\n/u });
    this.language = language;
    this.#tree = tree;
    this.#config = analysisConfig(config ?? {});
    this.#ignored = ignored ?? false;
    this.path = path;
  }

  /** ESLint visits the root only: enter, then exit. */
  *traverse(): Iterable<TraversalStep> {
    yield new VisitNodeStep({ target: this.ast, phase: 1, args: [this.ast, undefined] });
    yield new VisitNodeStep({ target: this.ast, phase: 2, args: [this.ast, undefined] });
  }

  getParent(node: VforklintSyntaxElement): VforklintSyntaxElement | undefined {
    void node;
    return undefined;
  }

  /** Called from each adapted rule's `create()`: this rule is on for this file. */
  enableRule(id: RuleId): void {
    if (this.#enabled.has(id)) return;
    this.#enabled.add(id);
    // A SourceCode handed to Linter#verify again with more rules: analyse again.
    this.#analysis = undefined;
  }

  /** The rules that registered, in registration order. */
  get enabledRules(): ReadonlySet<RuleId> {
    return this.#enabled;
  }

  /** The core's result for this file, computed once, with exactly the enabled rules on (and the project index, when the rules hand it). */
  analysis(project?: AnalyzeOptions['project']): AnalysisResult {
    if (!this.#analysis) {
      const rules: Partial<Record<RuleId, Severity>> = {};
      for (const meta of RULE_METAS) {
        // The severity a finding carries does not change what is found; ESLint's own severity
        // wins. A rule the vforklint configuration turns off stays off (language-options.ts).
        const on = this.#enabled.has(meta.id) && this.#config.rules?.[meta.id] !== 'off';
        rules[meta.id] = on ? (meta.defaultSeverity === 'off' ? 'error' : meta.defaultSeverity) : 'off';
      }
      if (this.#ignored) return (this.#analysis = { findings: [], forkSites: [], skipped: true });
      this.analysisRuns++;
      const options = { ...(this.#tree ? { tree: this.#tree } : {}), ...(project ? { project } : {}) };
      this.#analysis = analyze(this.text, this.language, { ...this.#config, rules }, options);
    }
    return this.#analysis;
  }

  /** Every comment of the file (empty when the text never mentions `eslint`). */
  get comments(): VforklintComment[] {
    if (!this.#comments) {
      this.#comments = mayHoldDirectives(this.text)
        ? scanComments(this.text, this.language).map((c) => ({
            type: c.type,
            value: c.value,
            range: [c.start, c.end] as [number, number],
            loc: { start: this.getLocFromIndex(c.start), end: this.getLocFromIndex(c.end) },
          }))
        : [];
    }
    return this.#comments;
  }

  getInlineConfigNodes(): VforklintComment[] {
    if (!this.#configNodes) {
      this.#configNodes = this.comments.filter((comment) => {
        if (!comment.value.includes('eslint')) return false;
        const directive = commentParser.parseDirective(comment.value);
        if (!directive || !DIRECTIVE_LABEL.test(directive.label)) return false;
        // As in JavaScript: a `//` comment carries only the -line and -next-line forms.
        return comment.type === 'Block' || LINE_COMMENT_LABEL.test(directive.label);
      });
    }
    return this.#configNodes;
  }

  getDisableDirectives(): { directives: Directive[]; problems: FileProblem[] } {
    const directives: Directive[] = [];
    const problems: FileProblem[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (!parsed || parsed.label === 'eslint') continue;
      if (parsed.label === 'eslint-disable-line' && comment.loc.start.line !== comment.loc.end.line) {
        problems.push({ ruleId: null, message: `${parsed.label} comment should not span multiple lines.`, loc: comment.loc });
        continue;
      }
      directives.push(
        new Directive({
          type: parsed.label.slice('eslint-'.length) as 'disable' | 'enable' | 'disable-line' | 'disable-next-line',
          node: comment,
          value: parsed.value,
          justification: parsed.justification,
        }),
      );
    }
    return { directives, problems };
  }

  /** `/* eslint vforklint/child-returns: "off" *\/` comments. */
  applyInlineConfig(): { configs: Array<{ config: { rules: RulesConfig }; loc: SourceLocation }>; problems: FileProblem[] } {
    const configs: Array<{ config: { rules: RulesConfig }; loc: SourceLocation }> = [];
    const problems: FileProblem[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (!parsed || parsed.label !== 'eslint') continue;
      const result = commentParser.parseJSONLikeConfig(parsed.value);
      if (result.ok) configs.push({ config: { rules: result.config }, loc: comment.loc });
      else problems.push({ ruleId: null, message: result.error.message, loc: comment.loc });
    }
    return { configs, problems };
  }
}
