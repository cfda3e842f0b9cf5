/**
 * Related locations in another file (RULES section 3, "Macros"): a finding at the use of a
 * macro the project's header defines points at the header's `#define`. The core names that
 * file root-relative, as its host does; every front end must turn it into the real file:
 * the CLI's JSON (absolute path) and SARIF (a URI of the header, not of the analysed file),
 * the language server's relatedInformation (the header's URI), also when the finding comes
 * back from the per-function cache after an edit. The analysis lives in a subdirectory of
 * the root, so a root-relative name read as relative to the analysed file would miss.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspTestClient, REPO, fileUri } from './editors/lsp-client.js';
import { tempProject } from './temp-project.js';

const LOG_H = '#include <stdio.h>\n#define LOG(msg) printf("%s\\n", msg)\n#define MARK_STARTED() (started = 1)\nextern int started;\n';
const FORK_C = `#include <unistd.h>
#include "inc/log.h"

int started;

int spawn(char **argv)
{
	pid_t pid = vfork();
	if (pid == 0) {
		LOG("child");
		MARK_STARTED();
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}
`;
/** Each finding's rule, and the 1-based line of the header's `#define` it points at. */
const EXPECTED = [
  ['child-unsafe-call', 2],
  ['child-writes-shared', 3],
] as const;

function project(): string {
  return realpathSync(tempProject('vforklint-related-', { 'src/inc/log.h': LOG_H, 'src/fork.c': FORK_C }));
}

function cli(cwd: string, format: string): unknown {
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(REPO, 'dist', 'cli', 'main.js'), '--format', format, '--no-config-lookup', '.'], { cwd, encoding: 'utf8' });
  } catch (e) {
    out = (e as { stdout: string }).stdout; // exit code 1: findings
  }
  return JSON.parse(out) as unknown;
}

describe('related locations in a header (a macro defined in another file)', () => {
  test('CLI JSON: the related location names the header by its absolute path', () => {
    const root = project();
    type Message = { ruleId: string; related: Array<{ message: string; file?: string; line: number }> };
    const results = cli(root, 'json') as Array<{ filePath: string; messages: Message[] }>;
    const fork = results.find((r) => r.filePath === join(root, 'src', 'fork.c'));
    assert.ok(fork, `results for: ${results.map((r) => r.filePath).join(', ')}`);
    assert.deepEqual(fork.messages.map((m) => m.ruleId).sort(), EXPECTED.map(([rule]) => rule));
    for (const [rule, line] of EXPECTED) {
      const m: Message = fork.messages.find((x) => x.ruleId === rule)!;
      const defs = m.related.filter((r) => /is defined here/.test(r.message));
      assert.deepEqual(defs.map((r) => [r.file, r.line]), [[join(root, 'src', 'inc', 'log.h'), line]], `${rule}: ${JSON.stringify(m.related)}`);
      assert.ok(m.related.filter((r) => !/is defined here/.test(r.message)).every((r) => r.file === undefined), 'locations in fork.c name no file');
    }
  });

  test('CLI SARIF: the related location is the header artifact', () => {
    const root = project();
    const sarif = cli(root, 'sarif') as { runs: Array<{ results: Array<{ ruleId: string; relatedLocations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; message: { text: string } }> }> }> };
    const results = sarif.runs[0]!.results;
    assert.deepEqual(results.map((r) => r.ruleId).sort(), EXPECTED.map(([rule]) => rule));
    for (const [rule, line] of EXPECTED) {
      const r = results.find((x) => x.ruleId === rule)!;
      const at = r.relatedLocations.map((l) => [l.physicalLocation.artifactLocation.uri, l.physicalLocation.region.startLine, /is defined here/.test(l.message.text)]);
      assert.deepEqual(at.filter(([, , def]) => def).map(([uri, l]) => [uri, l]), [['src/inc/log.h', line]], `${rule}: ${JSON.stringify(at)}`);
      assert.ok(at.filter(([, , def]) => !def).every(([uri]) => uri === 'src/fork.c'), `${rule}: ${JSON.stringify(at)}`);
    }
  });

  test('language server: relatedInformation points into the header, also from the per-function cache after an edit', async () => {
    const root = project();
    const c = await LspTestClient.start({ workspaceFolder: root });
    try {
      const uri = await c.open(join(root, 'src', 'fork.c'));
      const check = (diags: Diagnostic[], when: string) => {
        assert.deepEqual(diags.map((d) => d.code).sort(), EXPECTED.map(([rule]) => rule), when);
        for (const [rule, line] of EXPECTED) {
          const d = diags.find((x) => x.code === rule)!;
          const defs = (d.relatedInformation ?? []).filter((r) => /is defined here/.test(r.message));
          assert.deepEqual(defs.map((r) => [r.location.uri, r.location.range.start.line + 1]), [[fileUri(join(root, 'src', 'inc', 'log.h')), line]], `${when}, ${rule}: ${JSON.stringify(d.relatedInformation)}`);
        }
      };
      check(await c.diagnosticsFor(uri), 'first analysis');
      // A comment added after the function: the function's result comes from the cache.
      const end = c.text(uri).split('\n').length - 1;
      await c.change(uri, [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: '/* end */\n' }]);
      const v = c.version(uri);
      const again = await c.until('the edited version analysed', () => (c.diagnostics.get(uri)?.version === v ? c.diagnostics.get(uri)!.diagnostics : undefined));
      check(again, 'after an edit (cached)');
    } finally {
      await c.stop();
    }
  });
});
