/**
 * `vforklint/c` and `vforklint/go`: ESLint 10 languages backed by tree-sitter, shaped like
 * `@eslint/json`'s and `@eslint/css`'s language objects.
 *
 * Positions: lineStart 1 and columnStart 1, the core's Finding coordinates (tree-sitter's
 * row + 1 and UTF-16 column + 1), so a finding's range is reported as it is.
 *
 * Syntax errors: Go's grammar is exact, so a Go file tree-sitter cannot parse cleanly is a
 * fatal "Parsing error" at the first ERROR or MISSING node, as ESLint reports for
 * JavaScript. C is different: tree-sitter-c sees code before the preprocessor and misreads
 * valid GNU C (attributes after declarators, macros in declarations), so C syntax errors
 * are left to the compiler and the core, which recovers functions around them. A C file
 * is parsed only when the core asks (it has a fork spelling); a Go file always is, once,
 * and the same tree is handed to the core.
 */
import { resolve } from 'node:path';
import type { File, Language as ESLintLanguage, OkParseResult, ParseResult } from '@eslint/core';
import { parseSource, releaseTree, type Language, type SyntaxNode, type Tree } from '../rules/index.js';
import { ConfigError, isIgnoredBy, type ResolvedConfig } from '../config/index.js';
import { configForFile, validateLanguageOptions, type VforklintLanguageOptions } from './language-options.js';
import { VforklintSourceCode, rootNodeFor, type VforklintRoot } from './source-code.js';

interface VforklintParseResult extends OkParseResult<VforklintRoot> {
  tree?: Tree;
  config: ResolvedConfig;
  ignored: boolean;
}

/** The first ERROR or MISSING node, found by following `hasError` down from the root (no full walk). */
export function firstSyntaxError(root: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode = root;
  for (;;) {
    let next: SyntaxNode | undefined;
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i);
      if (!child) continue;
      if (child.type === 'ERROR' || child.isMissing) return child;
      if (child.hasError) {
        next = child;
        break;
      }
    }
    if (!next) return node === root ? undefined : node;
    node = next;
  }
}

function describe(node: SyntaxNode): string {
  if (node.isMissing) return `missing \`${node.type}\``;
  const text = node.text.split('\n')[0].trim();
  const shown = text.length > 30 ? `${text.slice(0, 30)}...` : text;
  return shown ? `unexpected \`${shown}\`` : 'unexpected input';
}

function bodyText(file: File): string {
  return typeof file.body === 'string' ? file.body : new TextDecoder().decode(file.body);
}

export type VforklintLanguage = ESLintLanguage<{
  LangOptions: VforklintLanguageOptions;
  Code: VforklintSourceCode;
  RootNode: VforklintRoot;
  Node: VforklintRoot;
}>;

/**
 * The tree of the Go file being linted (C files are parsed by the core, on demand). ESLint
 * lints one file at a time in a thread (parse, then every rule, synchronously), so the
 * previous file's tree is released (WebAssembly memory) when the next one is parsed.
 */
let currentTree: Tree | undefined;

function keepAsCurrent(tree: Tree | undefined): void {
  if (currentTree && currentTree !== tree) releaseTree(currentTree);
  currentTree = tree;
}

export function createLanguage(language: Language): VforklintLanguage {
  return {
    fileType: 'text',
    lineStart: 1,
    columnStart: 1,
    nodeTypeKey: 'type',
    visitorKeys: { translation_unit: [], source_file: [] },
    defaultLanguageOptions: {},
    validateLanguageOptions,

    parse(file: File, context): ParseResult<VforklintRoot> {
      const path = file.physicalPath ?? file.path;
      let config: ResolvedConfig;
      try {
        config = configForFile(path, context.languageOptions);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return { ok: false, errors: [{ message: e.message, line: 1, column: 1 }] };
      }
      const ignored = isIgnoredBy(config.ignorePatterns, resolve(path));
      let text: string;
      try {
        text = bodyText(file);
      } catch (e) {
        return { ok: false, errors: [{ message: `cannot read the file as text: ${e instanceof Error ? e.message : String(e)}`, line: 1, column: 1 }] };
      }
      const ast = rootNodeFor(text, language);
      if (language === 'c' || ignored) return { ok: true, ast, config, ignored } satisfies VforklintParseResult;
      let tree: Tree;
      try {
        tree = parseSource(text, language);
      } catch (e) {
        return { ok: false, errors: [{ message: `tree-sitter could not parse the file: ${e instanceof Error ? e.message : String(e)}`, line: 1, column: 1 }] };
      }
      keepAsCurrent(tree);
      if (tree.rootNode.hasError) {
        const bad = firstSyntaxError(tree.rootNode);
        if (bad) {
          return {
            ok: false,
            errors: [{ message: `Go syntax error: ${describe(bad)}.`, line: bad.startPosition.row + 1, column: bad.startPosition.column + 1 }],
          };
        }
      }
      const result: VforklintParseResult = { ok: true, ast, tree, config, ignored };
      return result;
    },

    createSourceCode(file: File, input: OkParseResult<VforklintRoot>, context): VforklintSourceCode {
      const { tree, config, ignored } = input as VforklintParseResult;
      void context;
      return new VforklintSourceCode({ text: bodyText(file), ast: input.ast, language, ...(tree ? { tree } : {}), config, ignored, path: file.physicalPath ?? file.path });
    },
  };
}
