/**
 * The data the macro modules share: a definition as plain data (the shape in which a
 * project's headers hand theirs in), its parameters, its tokens, and what a name means at
 * a point of a file.
 */
import type { Range } from '../types.js';
import { tokenize } from './tokens.js';

export interface MacroLocation {
  /** The file holding the `#define`, as the caller names it; undefined for the analysed file itself. */
  file?: string;
  range: Range;
}

/** A macro definition as plain data (also the shape in which headers' macros are handed in). */
export interface MacroDefinition {
  name: string;
  /**
   * Parameter names of a function-like macro, the last may be `...` or `name...` (GNU named
   * variadic); undefined for an object-like macro. `[]` is `#define F() ...`.
   */
  params?: readonly string[];
  /** The replacement text as written (continuations and comments are allowed). */
  body: string;
  location: MacroLocation;
}

const tokenCache = new WeakMap<MacroDefinition, ReturnType<typeof tokenize>>();

/** The body's tokens (remembered per definition). */
export function bodyTokensOf(def: MacroDefinition): ReturnType<typeof tokenize> {
  let tokens = tokenCache.get(def);
  if (!tokens) tokenCache.set(def, (tokens = tokenize(def.body)));
  return tokens;
}

/** `params` split into the named parameters and the variadic one (`__VA_ARGS__` for `...`). */
export function signature(def: MacroDefinition): { named: string[]; variadic?: string } | undefined {
  if (!def.params) return undefined;
  const named = [...def.params];
  const last = named[named.length - 1];
  if (last === '...') {
    named.pop();
    return { named, variadic: '__VA_ARGS__' };
  }
  if (last?.endsWith('...')) {
    named.pop();
    return { named, variadic: last.slice(0, -3).trim() };
  }
  return { named };
}

/** What a name means at a point of the file. */
export type MacroLookup =
  | { kind: 'none' }
  | { kind: 'macro'; definition: MacroDefinition }
  | { kind: 'not-expandable'; reason: string; definitions: MacroDefinition[] };

/** Where names are looked up during an expansion (a file's `MacroTable`). */
export interface MacroScope {
  has(name: string): boolean;
  lookup(name: string, offset?: number): MacroLookup;
}
