/**
 * Shrinking a failing input to something a person can read and keep as a regression
 * fixture: drop chunks of lines, then chunks of characters, while the failure remains.
 */
export function reduce(text: string, fails: (t: string) => boolean, maxTries = 400): string {
  let current = text;
  let tries = 0;
  const pass = (split: (t: string) => string[], join: string): boolean => {
    let parts = split(current);
    let chunk = Math.max(1, parts.length >> 1);
    let progress = false;
    while (chunk >= 1 && tries < maxTries) {
      let removed = false;
      for (let i = 0; i + 0 < parts.length && tries < maxTries; ) {
        const candidate = [...parts.slice(0, i), ...parts.slice(i + chunk)];
        tries++;
        const t = candidate.join(join);
        if (t !== current && fails(t)) {
          parts = candidate;
          current = t;
          removed = progress = true;
        } else {
          i += chunk;
        }
      }
      if (!removed) chunk >>= 1;
    }
    return progress;
  };
  for (let round = 0; round < 4 && tries < maxTries; round++) {
    const a = pass((t) => t.split('\n'), '\n');
    const b = current.length <= 4000 ? pass((t) => [...t], '') : false;
    if (!a && !b) break;
  }
  return current;
}
