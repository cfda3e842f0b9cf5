/**
 * Words a C declaration cannot hold where they stand, so they are macros (attributes or
 * calling conventions the preprocessor expands or removes): busybox defines its library as
 * `char* FAST_FUNC xstrdup(const char *s)`. Between a pointer's `*` and the declared name
 * only qualifiers may follow in C; tree-sitter reads another word there as an expression
 * (`msg_t * FAST_FUNC mkmsg(n)`) and loses the function. Such words, in a line that starts
 * a declaration (`type *WORD name(`), are blanked before parsing (spaces: every offset and
 * position stays the same), as the parser blanks text it cannot get through.
 */

/** `type *WORDS name(` at the start of a line; the words between the stars and the name. */
const POINTER_THEN_WORDS = /^[A-Za-z_][\w \t]*\*[* \t]*((?:[A-Za-z_]\w*[ \t]+)+)[A-Za-z_]\w*[ \t]*\(/gm;

/** The words C allows between `*` and a declarator. */
const QUALIFIERS = new Set(['const', 'volatile', 'restrict', '_Atomic', '__const', '__const__', '__volatile', '__volatile__', '__restrict', '__restrict__', '_Nonnull', '_Nullable', '_Null_unspecified']);

/** `text` with each macro word in a `type *WORD name(` declaration blanked; the same string when there is none. */
export function withoutDeclaratorMacros(text: string): string {
  if (!text.includes('*')) return text;
  let out: string[] | undefined;
  let copied = 0;
  for (const m of text.matchAll(POINTER_THEN_WORDS)) {
    const words = m[1];
    const start = m.index + m[0].indexOf(words, m[0].indexOf('*'));
    for (const w of words.matchAll(/[A-Za-z_]\w*/g)) {
      if (QUALIFIERS.has(w[0])) continue;
      const at = start + w.index;
      out ??= [];
      out.push(text.slice(copied, at), ' '.repeat(w[0].length));
      copied = at + w[0].length;
    }
  }
  if (!out) return text;
  out.push(text.slice(copied));
  return out.join('');
}
