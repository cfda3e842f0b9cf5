/**
 * SARIF output checked by Microsoft's validator (`sarif-multitool validate`, which prints
 * one `error` line per schema violation) and by the SARIF 2.1.0 JSON schema it ships,
 * plus what GitHub code scanning needs: every rule in the driver, repo-relative URIs,
 * regions, related locations, fixes, partialFingerprints.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RULE_METAS } from '../rules/index.js';
import { tempProject } from './temp-project.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '../..');
const CLI = join(REPO, 'dist/cli/main.js');
const MULTITOOL = join(REPO, 'node_modules/.bin/sarif-multitool');

const FILES: Record<string, string> = {
  'src/bad.c': '#include <unistd.h>\n\nint run(const char *p)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tclose(p[0]);\n\t\treturn -1;\n\t}\n\treturn pid;\n}\n',
  'src/warn.c': '#include <unistd.h>\n\nint spawn_it(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tdrop_privileges();\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n',
  'src/raw.c':
    '#include <sched.h>\n#include <signal.h>\n#include <sys/syscall.h>\n#include <unistd.h>\n\nint start(char **argv)\n{\n\tint failed = 0;\n\tlong pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);\n\tif (pid == 0) {\n\t\texecv(argv[0], argv);\n\t\tfailed = 1;\n\t\t_exit(127);\n\t}\n\treturn failed ? -1 : (int)pid;\n}\n',
  'go/exec_linux.go':
    'package syscall\n\nfunc forkExec(argv0 *byte) (pid int, err Errno) {\n\tvar r1 uintptr\n\tvar err1 Errno\n\tr1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))\n\tif err1 != 0 {\n\t\treturn 0, err1\n\t}\n\tif r1 != 0 {\n\t\tpid = int(r1)\n\t\truntime_AfterFork()\n\t\treturn pid, 0\n\t}\n\tfor {\n\t\tRawSyscall(SYS_EXIT, 253, 0, 0)\n\t}\n}\n',
  'src/caf\u00e9 file.c': '/* \u00e9\u00e9 */ int x;\n#include <unistd.h>\nint f(void) { pid_t p = vfork(); if (p == 0) { printf("x"); _exit(1); } return p; }\n',
};

function repoWithFiles(): string {
  return tempProject('vforklint-sarif-', FILES);
}

function validate(path: string): { errors: string[]; output: string } {
  const r = spawnSync(MULTITOOL, ['validate', path], { encoding: 'utf8', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  assert.equal(r.error, undefined, `sarif-multitool could not run: ${r.error?.message}`);
  const output = `${r.stdout}${r.stderr}`;
  assert.match(output, /Done\. 1 files scanned\./, output);
  return { errors: output.split('\n').filter((l) => /:\s*error\b/i.test(l)), output };
}

interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; rules: Array<{ id: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string; markdown: string }; helpUri: string; messageStrings: Record<string, { text: string }> }> } };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string; id: string; arguments?: string[] };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }>;
      relatedLocations?: unknown[];
      codeFlows?: Array<{ threadFlows: Array<{ locations: Array<{ location: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; message: { text: string } } }> }> }>;
      fixes?: unknown[];
      partialFingerprints: Record<string, string>;
    }>;
  }>;
}

/** A SARIF message string with its arguments (SARIF 2.1.0 section 3.11.5: `{n}` placeholders, `{{` and `}}` literal braces). */
function formatSarifMessage(template: string, args: string[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (m: string, n: string | undefined) => (n === undefined ? m[0]! : args[Number(n)]!));
}

describe('SARIF', () => {
  it('the validator reports schema violations (control)', () => {
    const dir = tempProject('vforklint-sarif-bad-', {});
    const bad = join(dir, 'bad.sarif');
    writeFileSync(bad, JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ ruleId: 5, message: {} }] }] }));
    assert.ok(validate(bad).errors.length >= 2);
  });

  it('validates with zero errors and carries what code scanning needs', () => {
    const root = repoWithFiles();
    const out = join(root, 'results.sarif');
    const r = spawnSync(process.execPath, [CLI, '--format', 'sarif', '--output-file', out, '.'], { cwd: join(root), encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const v = validate(out);
    assert.deepEqual(v.errors, [], v.output);

    const log = JSON.parse(readFileSync(out, 'utf8')) as SarifLog;
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0]!;
    assert.equal(run.tool.driver.name, 'vforklint');
    assert.deepEqual(
      run.tool.driver.rules.map((x) => x.id),
      RULE_METAS.map((m) => m.id),
    );
    for (const rule of run.tool.driver.rules) {
      const meta = RULE_METAS.find((m) => m.id === rule.id)!;
      assert.equal(rule.shortDescription.text, meta.description);
      assert.ok(rule.fullDescription.text);
      assert.equal(rule.helpUri, meta.docsUrl);
      assert.ok(rule.help.markdown.includes(meta.docsUrl));
    }
    const uris = new Set(run.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri));
    assert.deepEqual([...uris].sort(), ['go/exec_linux.go', 'src/bad.c', 'src/caf%C3%A9%20file.c', 'src/raw.c', 'src/warn.c']);
    for (const res of run.results) {
      const loc = res.locations[0]!.physicalLocation;
      assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
      assert.equal(run.tool.driver.rules[res.ruleIndex]!.id, res.ruleId);
      assert.ok(Object.values(res.partialFingerprints)[0], 'has a fingerprint');
      assert.ok(res.relatedLocations?.length, `${res.ruleId} points at the fork site`);
      // The message names its template (the core's messageId) among the rule's messageStrings; with its arguments it is the text.
      const rule = run.tool.driver.rules[res.ruleIndex]!;
      assert.ok(res.message.id in RULE_METAS.find((m) => m.id === res.ruleId)!.messages, `${res.ruleId}: message id ${res.message.id}`);
      assert.equal(formatSarifMessage(rule.messageStrings[res.message.id]!.text, res.message.arguments ?? []), res.message.text);
    }
    for (const rule of run.tool.driver.rules) {
      assert.deepEqual(Object.keys(rule.messageStrings), Object.keys(RULE_METAS.find((m) => m.id === rule.id)!.messages), `${rule.id} messageStrings`);
    }
    assert.deepEqual(run.results.map((x) => `${x.ruleId}/${x.message.id}`).filter((x, i, all) => all.indexOf(x) === i).sort(), [
      'child-returns/returns',
      'child-unsafe-call/unknown',
      'child-unsafe-call/unsafe',
      'child-writes-shared/failedExec',
      'inlinable-fork-frame/inlinable',
      'missing-norace/forks',
      'parent-reuses-frame/returnValue',
      'parent-reuses-frame/work',
    ]);
    const bad = run.results.find((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === 'src/bad.c')!;
    assert.equal(bad.ruleId, 'child-returns');
    assert.equal(bad.level, 'error');
    assert.deepEqual(bad.locations[0]!.physicalLocation.region, { ...bad.locations[0]!.physicalLocation.region, startLine: 8, startColumn: 3 });
    assert.equal(run.results.find((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === 'src/warn.c')!.level, 'warning');
    // The child's path as one code flow: the fork, the test that selected the child, the return.
    const flow = bad.codeFlows?.[0]?.threadFlows[0]?.locations.map((l) => `${l.location.physicalLocation.artifactLocation.uri}:${l.location.physicalLocation.region.startLine} ${l.location.message.text}`);
    assert.deepEqual(flow, ['src/bad.c:5 `vfork()` creates the child here', "src/bad.c:6 `pid == 0`: the child's side", "src/bad.c:8 the child returns here, into the parent's frames"]);
    for (const res of run.results) assert.equal(res.codeFlows?.length, 1, `${res.ruleId}: a code flow (site findings: the site alone)`);
    const prints = run.results.map((x) => JSON.stringify(x.partialFingerprints));
    assert.equal(new Set(prints).size, prints.length, 'fingerprints are distinct');

    // Fingerprints survive moving the code down a line (they hash the line text, not its number).
    writeFileSync(join(root, 'src/bad.c'), `/* new first line */\n${FILES['src/bad.c']!}`);
    spawnSync(process.execPath, [CLI, '--format', 'sarif', '--output-file', out, '.'], { cwd: root });
    const moved = (JSON.parse(readFileSync(out, 'utf8')) as SarifLog).runs[0]!.results.find((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === 'src/bad.c')!;
    assert.equal(moved.locations[0]!.physicalLocation.region.startLine, 9);
    assert.deepEqual(moved.partialFingerprints, bad.partialFingerprints);
  });

  it('fixes, when the core offers them, validate too; the shipped SARIF schema accepts the log', () => {
    const root = repoWithFiles();
    const out = join(root, 'strict.sarif');
    // --strict adds inlinable-fork-frame (a fix that inserts noinline) on vfork sites.
    const r = spawnSync(process.execPath, [CLI, '--strict', '--format', 'sarif', '--output-file', out, 'src'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const v = validate(out);
    assert.deepEqual(v.errors, [], v.output);
    const log = JSON.parse(readFileSync(out, 'utf8')) as SarifLog;
    const require = createRequire(import.meta.url);
    const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } }).default;
    const schema = JSON.parse(readFileSync(join(REPO, 'node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json'), 'utf8')) as object;
    const check = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
    assert.ok(check(log), JSON.stringify(check.errors));
    const withFix = log.runs[0]!.results.filter((x) => x.fixes?.length);
    assert.ok(withFix.length > 0, 'at least one result carries a fix');
  });
});
