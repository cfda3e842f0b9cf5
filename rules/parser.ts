/** tree-sitter setup: one parser per language, created on first use. */
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import Go from 'tree-sitter-go';
import type { Language } from './types.js';

export type Tree = Parser.Tree;
export type SyntaxNode = Parser.SyntaxNode;
export type Edit = Parser.Edit;

const parsers = new Map<Language, Parser>();

function parserFor(language: Language): Parser {
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage((language === 'c' ? C : Go) as Parser.Language);
    parsers.set(language, parser);
  }
  return parser;
}

/** tree-sitter's default input chunking rejects very long strings; feed it in slices. */
function textInput(text: string): Parser.Input {
  return (index: number) => (index < text.length ? text.slice(index, index + 64 * 1024) : '');
}

/**
 * Parse `text`. Pass `oldTree` (already `edit()`ed to match `text`) to reparse incrementally.
 * Never throws on odd text: tree-sitter recovers with ERROR nodes.
 */
export function parseSource(text: string, language: Language, oldTree?: Tree): Tree {
  const parser = parserFor(language);
  return parser.parse(textInput(text), oldTree ?? undefined, { bufferSize: 1024 * 1024 });
}
