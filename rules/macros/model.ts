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
  /**
   * The branches of `#if` groups the definition stands in (a header's `#if BB_MMU` ...
   * `#else` ...), each group named by its file and line: a macro from one branch never
   * expands a macro from another branch of the same group inside its expansion.
   */
  conditions?: readonly MacroCondition[];
}

/** One branch of an `#if`/`#ifdef`/`#ifndef` group: 0 for the first, counting `#elif`s and `#else`. */
export interface MacroCondition {
  group: string;
  branch: number;
}

/** Do two definitions stand in different branches of one `#if` group (never both in effect)? */
export function exclusive(a: MacroDefinition, b: MacroDefinition): boolean {
  if (!a.conditions?.length || !b.conditions?.length) return false;
  return a.conditions.some((x) => b.conditions!.some((y) => x.group === y.group && x.branch !== y.branch));
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
