/**
 * The seed corpus of the fuzzer: every fixture under fixtures/c and fixtures/go (the
 * `.fixed` goldens too: they are real, clean programs), and their tokens by kind, so
 * that mutations can cut the text at every kind of token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSource, releaseTree, type Language } from '../rules/index.js';

/** The repository root (this file runs from dist/fuzz/). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Token {
  type: string;
  start: number;
  end: number;
}

export interface Seed {
  name: string;
  text: string;
  /** Leaf tokens of the parse (named and anonymous), in text order. */
  tokens: Token[];
  /** The token kinds present, each once (so every kind is equally likely to be picked). */
  kinds: string[];
}

function leafTokens(text: string, language: Language): Token[] {
  const out: Token[] = [];
  const tree = parseSource(text, language);
  const cursor = tree.walk();
  try {
    for (;;) {
      if (cursor.gotoFirstChild()) continue;
      out.push({ type: cursor.nodeType, start: cursor.startIndex, end: cursor.endIndex });
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return out;
      }
    }
  } finally {
    cursor.delete();
    releaseTree(tree);
  }
}

const cache = new Map<Language, Seed[]>();

export function seeds(language: Language): Seed[] {
  let list = cache.get(language);
  if (list) return list;
  const dir = join(REPO, 'fixtures', language);
  const ext = language === 'c' ? '.c' : '.go';
  list = readdirSync(dir)
    .filter((f) => f.endsWith(ext) || f.endsWith('.fixed'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      const tokens = leafTokens(text, language);
      return { name, text, tokens, kinds: [...new Set(tokens.map((t) => t.type))].sort() };
    });
  if (!list.length) throw new Error(`no fixtures found in ${dir}`);
  cache.set(language, list);
  return list;
}
