/**
 * What a header's declaration says about a function, read from its text: `noreturn` in all
 * its spellings, directly or through the project's object-like macros (`NORETURN` defined
 * as `__attribute__ ((__noreturn__))`).
 */
import type { MacroDef } from './text-scan.js';

const NORETURN = /\b(?:_Noreturn|noreturn|__noreturn__|__noreturn|__dead2)\b/;
/** Macro bodies are substituted this many times at most (a macro naming a macro naming the attribute). */
const MAX_EXPANSIONS = 4;

/** The declaration text with object-like macros replaced by their bodies (when one definition exists). */
export function expandObjectMacros(text: string, macros: ReadonlyMap<string, readonly MacroDef[]>): string {
  let out = text;
  for (let i = 0; i < MAX_EXPANSIONS; i++) {
    let changed = false;
    out = out.replace(/\b[A-Za-z_]\w*\b/g, (word) => {
      const defs = macros.get(word);
      if (!defs || defs.some((d) => d.params !== undefined)) return word;
      const bodies = new Set(defs.map((d) => d.body));
      // Defined several ways (`#ifdef __GNUC__ ... #else` empty): noreturn if any definition says so.
      const body = [...bodies].find((b) => NORETURN.test(b)) ?? (bodies.size === 1 ? [...bodies][0] : word);
      if (body === word) return word;
      changed = true;
      return ` ${body} `;
    });
    if (!changed) break;
  }
  return out;
}

/** Does a declaration (prototype with attributes) say the function never returns? */
export function declarationSaysNoReturn(declaration: string, macros: ReadonlyMap<string, readonly MacroDef[]>): boolean {
  const text = declaration.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
  if (NORETURN.test(text)) return true;
  return NORETURN.test(expandObjectMacros(text, macros));
}

/** The function a function-like macro forwards to (`#define BB_EXECVP(prog, cmd) execvp(prog, cmd)`), if its body is one call. */
export function forwardedCallee(def: MacroDef): string | undefined {
  if (def.params === undefined) return undefined;
  const m = /^\(?\s*([A-Za-z_]\w*)\s*\(/.exec(def.body);
  if (!m || m[1] === def.name) return undefined;
  // The whole body is that one call (balanced to the end).
  let depth = 0;
  const start = def.body.indexOf('(', m.index + m[0].length - 1);
  for (let i = start; i < def.body.length; i++) {
    if (def.body[i] === '(') depth++;
    else if (def.body[i] === ')' && --depth === 0) return /^[\s)]*;?\s*$/.test(def.body.slice(i + 1)) ? m[1] : undefined;
  }
  return undefined;
}
