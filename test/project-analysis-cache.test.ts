/**
 * The per-function cache (createAnalysisCache) with the project index: a function's cached
 * result rests on the summaries of the helpers in other files it read, which its key does
 * not name. A change in such a summary must not leave a stale result in the cache, also
 * when the file itself is unchanged or comes back to a text analysed before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, createAnalysisCache, initParsers, memoryHost, ProjectIndex, type AnalysisResult } from '../rules/index.js';

await initParsers();

const SPAWN = `#include <unistd.h>
void helper(void);
int spawn(void) {
  pid_t pid = vfork();
  if (pid == 0) {
    helper();
  }
  return pid;
}
`;
/** The same file with the call edited away (another version an editor analyses in between). */
const SPAWN_EDITED = SPAWN.replace('    helper();\n', '    _exit(1);\n');
const SAFE = '#include <unistd.h>\nint g;\nvoid helper(void) {\n  _exit(127);\n}\n';
/** What the helper comes to do (each a summary the child's call reads: its calls, its writes, whether it returns). */
const CHANGES: Array<[string, string, string]> = [
  ['calls malloc', '#include <stdlib.h>\n#include <unistd.h>\nint g;\nvoid helper(void) {\n  malloc(4);\n  _exit(127);\n}\n', 'child-unsafe-call'],
  ['writes a global', '#include <unistd.h>\nint g;\nvoid helper(void) {\n  g = 1;\n  _exit(127);\n}\n', 'child-writes-shared'],
  ['returns', 'int g;\nvoid helper(void) {\n}\n', 'child-returns'],
];

const rules = (r: AnalysisResult) => r.findings.map((f) => `${f.range.start.line}:${f.rule}`).sort();

function project(helper: string) {
  const files: Record<string, string> = { 'spawn.c': SPAWN, 'helper.c': helper };
  const index = new ProjectIndex(memoryHost('/p', files));
  return { files, index, run: (text: string, cache?: ReturnType<typeof createAnalysisCache>) => analyze(text, 'c', {}, { project: { index, file: 'spawn.c' }, ...(cache ? { cache } : {}) }) };
}

for (const [what, helper, rule] of CHANGES) {
  test(`the helper in another file decides the finding: it ${what} (the case is about it)`, () => {
    assert.deepEqual(rules(project(SAFE).run(SPAWN)), [], 'a safe helper that never returns: nothing to report');
    assert.ok(rules(project(helper).run(SPAWN)).some((r) => r.endsWith(rule)), `${rule} when it ${what}`);
  });

  for (const [label, between] of [
    ['the file unchanged', [] as string[]],
    ['the file edited and edited back', [SPAWN_EDITED]],
  ] as const) {
    test(`the helper now ${what}: the per-function cache holds no stale result (${label})`, () => {
      const p = project(SAFE);
      const cache = createAnalysisCache();
      assert.deepEqual(rules(p.run(SPAWN, cache)), []);
      assert.ok(cache.entries.size > 0, 'the cache holds the function');
      for (const text of between) p.run(text, cache);
      // Edited in another file, or changed on disk.
      p.files['helper.c'] = helper;
      p.index.invalidate(['helper.c']);
      const again = rules(p.run(SPAWN, cache));
      assert.deepEqual(again, rules(p.run(SPAWN)), 'the result with the cache equals a fresh analysis');
      assert.ok(again.some((r) => r.endsWith(rule)));
    });
  }
}

test('while the summaries it read hold, the cache is kept', () => {
  // Texts of its own: node ids are the core's cache keys in places (rules/syntax.ts,
  // rules/fork-sites.ts), and a tree another index parsed earlier in this process from the
  // same text can make a summary's fingerprint come out differently once (a spurious
  // re-check, never a stale result).
  const spawn = `${SPAWN}/* kept */\n`;
  const files: Record<string, string> = { 'spawn.c': spawn, 'helper.c': SAFE };
  const index = new ProjectIndex(memoryHost('/p', files));
  const run = () => analyze(spawn, 'c', {}, { project: { index, file: 'spawn.c' }, cache });
  const cache = createAnalysisCache();
  run();
  assert.ok(cache.entries.size > 0);
  const kept = [...cache.entries.values()];
  // A change in a file the result did not read.
  files['other.c'] = 'int unrelated(void) { return 1; }\n';
  index.invalidate(['other.c']);
  assert.deepEqual(rules(run()), []);
  for (const entry of kept) assert.ok([...cache.entries.values()].includes(entry), 'the entries computed before are still there');
});
