/**
 * The language server and the project index (RULES section 8), driven by a real LSP client
 * over stdio: the finding in a forking file follows its helper in another file, whether
 * the helper is edited in the editor (an open document) or changed on disk while closed
 * (a `git checkout`, reported by workspace/didChangeWatchedFiles).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentDiagnosticRequest, type Diagnostic, type FullDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { LspTestClient, PULL_CAPABILITIES, PUSH_CAPABILITIES, fileUri } from './editors/lsp-client.js';
import { tempProject } from './temp-project.js';
import { ServerProjects } from '../server/project.js';
import { analyze, initParsers, type ProjectIndex } from '../rules/index.js';

type ProjectIndexWork = ProjectIndex['work'];

const FORK_C = `#include <unistd.h>
#include "helper.h"

int spawn(const char *path)
{
	pid_t pid = vfork();
	if (pid == 0) {
		run_child(path);
	}
	return pid;
}
`;
const HELPER_H = 'void run_child(const char *path);\n';
const HELPER_RETURNS = `#include <unistd.h>
#include "helper.h"

void run_child(const char *path)
{
	(void)path;
}
`;
const HELPER_EXITS = HELPER_RETURNS.replace('(void)path;\n', '(void)path;\n\t_exit(127);\n');
/** A forking file that reads nothing from other files: it is never re-checked for a helper's change. */
const ALONE_C = `#include <unistd.h>

int alone(void)
{
	pid_t pid = vfork();
	if (pid == 0)
		return 1;
	return pid;
}
`;

function project(): string {
  return tempProject('vforklint-lsp-project-', { 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS, 'alone.c': ALONE_C });
}

const CAPABILITIES = { ...PUSH_CAPABILITIES, window: { workDoneProgress: true } };

const returns = (d: Diagnostic[] | undefined) => (d ?? []).some((x) => x.code === 'child-returns');

describe('vforklint-lsp with the project index', () => {
  test('(a) editing the open helper so it never returns clears the finding in the forking file, untouched', async () => {
    const root = project();
    const c = await LspTestClient.start({ workspaceFolder: root, capabilities: CAPABILITIES });
    try {
      await c.until('the watcher registration', () => c.registrations.includes('workspace/didChangeWatchedFiles'));
      await c.until('background indexing reported as work done progress', () => c.progress.some((p) => p.kind === 'end') && c.progress[0].kind === 'begin');
      const fork = await c.open(join(root, 'fork.c'));
      const alone = await c.open(join(root, 'alone.c'));
      const helper = await c.open(join(root, 'helper.c'));
      const before = await c.diagnosticsFor(fork);
      assert.ok(returns(before), `the helper returns, so does the child: ${JSON.stringify(before.map((d) => d.code))}`);
      await c.diagnosticsFor(alone);
      await c.diagnosticsFor(helper);

      const text = c.text(helper);
      const at = text.indexOf('(void)path;\n') + '(void)path;\n'.length;
      const lines = text.slice(0, at).split('\n');
      const pos = { line: lines.length - 1, character: 0 };
      await c.change(helper, [{ range: { start: pos, end: pos }, text: '\t_exit(127);\n' }]);
      await c.diagnosticsFor(helper);
      const after = await c.until('the forking file re-checked without the finding', () => {
        const d = c.diagnostics.get(fork);
        return d && !returns(d.diagnostics) ? d.diagnostics : undefined;
      });
      assert.equal(c.version(fork), 1, 'the forking file was not touched');
      assert.ok(!after.some((d) => d.code === 'child-unsafe-call'), `no "could not be checked" left: ${JSON.stringify(after.map((d) => d.message))}`);

      // And back, undoing the edit in the editor.
      await c.change(helper, [{ range: { start: pos, end: { line: pos.line + 1, character: 0 } }, text: '' }]);
      await c.until('the finding back', () => returns(c.diagnostics.get(fork)?.diagnostics));
    } finally {
      await c.stop();
    }
  });

  test('an edit re-checks only the open documents that read what changed', async () => {
    const root = project();
    const prep = (body: string) => `#include <stdlib.h>\n\nvoid prepare(void)\n{\n${body}}\n`;
    writeFileSync(join(root, 'spawn.c'), '#include <unistd.h>\nvoid prepare(void);\n\nint spawn(const char *p)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprepare();\n\t\texecl(p, p, (char *)0);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n');
    writeFileSync(join(root, 'prep.c'), prep('\t(void)malloc(8);\n'));
    const c = await LspTestClient.start({ workspaceFolder: root, initializationOptions: { debounceMs: 20 } });
    try {
      const spawn = await c.open(join(root, 'spawn.c'));
      const alone = await c.open(join(root, 'alone.c'));
      const prepUri = await c.open(join(root, 'prep.c'));
      assert.ok((await c.diagnosticsFor(spawn)).some((d) => d.code === 'child-unsafe-call' && d.range.start.line === 7));
      await c.diagnosticsFor(alone);
      await c.diagnosticsFor(prepUri);
      const aloneSent = c.diagnostics.get(alone);
      await c.change(prepUri, [{ text: prep('\t/* nothing */\n') }]);
      await c.until('spawn.c re-checked clean', () => c.diagnostics.get(spawn)?.diagnostics.length === 0, 10000).catch((e: Error) => assert.fail(`${e.message}: ${JSON.stringify(c.diagnostics.get(spawn)?.diagnostics.map((d) => [d.code, d.range.start.line, d.message]))}`));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(c.diagnostics.get(alone), aloneSent, 'alone.c read nothing from prep.c: not re-checked');
    } finally {
      await c.stop();
    }
  });

  test('(b) the helper changed on disk while closed (didChangeWatchedFiles): the finding updates', async () => {
    const root = project();
    const c = await LspTestClient.start({ workspaceFolder: root, capabilities: CAPABILITIES });
    try {
      const fork = await c.open(join(root, 'fork.c'));
      assert.ok(returns(await c.diagnosticsFor(fork)));
      writeFileSync(join(root, 'helper.c'), HELPER_EXITS);
      await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(root, 'helper.c')), type: 2 }] });
      await c.until('the finding gone', () => {
        const d = c.diagnostics.get(fork);
        return d && !returns(d.diagnostics);
      });
      // A helper that disappears (deleted): its callers are unknown again.
      rmSync(join(root, 'helper.c'));
      await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(root, 'helper.c')), type: 3 }] });
      await c.until('the finding back (nothing says the callee exits)', () => returns(c.diagnostics.get(fork)?.diagnostics));
    } finally {
      await c.stop();
    }
  });

  test('a result served from the per-function cache still answers for what its first analysis read (pull diagnostics, as VS Code)', async () => {
    const root = project();
    const counter = (body: string) => `int children_started;\n\nvoid count_child(void)\n{\n${body}}\n`;
    writeFileSync(join(root, 'spawner.c'), '#include <unistd.h>\n\nvoid count_child(void);\n\nint spawn_tool(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tcount_child();\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n');
    writeFileSync(join(root, 'counter.c'), counter('\tchildren_started++;\n'));
    const c = await LspTestClient.start({ workspaceFolder: root, capabilities: { ...PULL_CAPABILITIES, window: { workDoneProgress: true } } });
    try {
      const spawner = await c.open(join(root, 'spawner.c'));
      const pull = async () => ((await c.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri: spawner } })) as FullDocumentDiagnosticReport).items;
      const writes = (d: Diagnostic[]) => d.some((x) => x.code === 'child-writes-shared' && String(x.message).includes('children_started'));
      assert.ok(writes(await pull()));
      // VS Code sends a configuration change after start-up: the document is analysed again,
      // its function served from the per-function cache (no callee resolved this time).
      const refreshes = c.refreshes;
      await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await c.until('the refresh after the configuration change', () => c.refreshes > refreshes);
      assert.ok(writes(await pull()));
      writeFileSync(join(root, 'counter.c'), counter('\t/* nothing */\n'));
      await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(root, 'counter.c')), type: 2 }] });
      await c.until('a refresh for the changed helper', () => c.refreshes > refreshes + 1).catch(() => undefined);
      const after = await pull();
      assert.ok(!writes(after), `the helper writes nothing now: ${JSON.stringify(after.map((d) => [d.code, d.message]))}`);
    } finally {
      await c.stop();
    }
  });

  test('vforklint.projectIndex false: each file alone (the helper is not followed)', async () => {
    const root = project();
    writeFileSync(join(root, 'helper.c'), HELPER_EXITS);
    const c = await LspTestClient.start({ workspaceFolder: root, settings: { projectIndex: false } });
    try {
      const fork = await c.open(join(root, 'fork.c'));
      const d = await c.diagnosticsFor(fork);
      assert.ok(d.some((x) => x.code === 'child-unsafe-call'), `an unknown callee: ${JSON.stringify(d.map((x) => x.code))}`);
      assert.deepEqual(c.messages, [], 'no settings problem');
    } finally {
      await c.stop();
    }
  });

  test('vforklint.projectRoot names the root; a wrong type is one message', async () => {
    const root = project();
    writeFileSync(join(root, 'helper.c'), HELPER_EXITS);
    const c = await LspTestClient.start({ workspaceFolder: root, settings: { projectRoot: 42 } });
    try {
      const fork = await c.open(join(root, 'fork.c'));
      const d = await c.diagnosticsFor(fork);
      assert.ok(!returns(d), 'the root rule still applies');
      await c.until('the settings problem shown', () => c.messages.some((m) => /"projectRoot" must be a string/.test(m)));
    } finally {
      await c.stop();
    }
  });
});

describe('per-edit invalidation of the project index (its work counter, no clock)', () => {
  /** A root with one forking file calling a helper in helpers.c, and `others` more files holding a fork each. */
  function bigProject(others: number): string {
    const root = tempProject('vforklint-lsp-edits-', {});
    writeFileSync(join(root, 'main.c'), '#include <unistd.h>\n#include <stdlib.h>\n\nvoid prepare(void);\n\nint spawn(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprepare();\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n');
    writeFileSync(join(root, 'helpers.c'), 'void prepare(void)\n{\n}\n');
    for (let i = 0; i < others; i++) {
      writeFileSync(join(root, `tool${i}.c`), `#include <unistd.h>\n\nint run_tool${i}(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n`);
    }
    return root;
  }

  const delta = (a: ProjectIndexWork, b: ProjectIndexWork) => ({ parsedFiles: b.parsedFiles - a.parsedFiles, resolutions: b.resolutions - a.resolutions, summaries: b.summaries - a.summaries });

  test('an edit inside a function body re-parses that file alone; an edit that changes a definition, or a helper summaries rest on, invalidates its dependents', async () => {
    await initParsers();
    const others = 12;
    const root = bigProject(others);
    const open = new Map<string, string>();
    const projects = new ServerProjects((abs) => open.get(abs), () => open.keys(), () => undefined);
    const settings = { enabled: true };
    const main = join(root, 'main.c');
    const helpers = join(root, 'helpers.c');
    const check = (path: string) => {
      const found = projects.optionFor(path, settings)!;
      return analyze(open.get(path)!, 'c', {}, { project: found.option }).findings.map((f) => `${f.range.start.line}:${f.rule}`);
    };
    const edit = (path: string, text: string) => {
      open.set(path, text);
      projects.invalidate([path], false);
    };
    open.set(main, readFileSync(main, 'utf8'));
    assert.deepEqual(check(main), []);
    const index = projects.project(projects.rootFor(main, settings)).index;
    assert.ok(index.work.parsedFiles >= others + 1, `every file holding a fork was parsed (wrappers): ${JSON.stringify(index.work)}`);

    // A burst of keystrokes inside spawn(): each one re-parses main.c alone, resolves nothing again.
    const edits = 20;
    const before = index.work;
    for (let i = 0; i < edits; i++) {
      const text = open.get(main)!.replace('\t\tprepare();\n', `\t\tprepare();\n\t\t/* ${i} */\n`);
      edit(main, text);
      assert.deepEqual(check(main), [], `edit ${i}`);
    }
    const burst = delta(before, index.work);
    assert.ok(burst.parsedFiles <= edits, `${edits} edits inside a body: ${JSON.stringify(burst)}`);
    assert.equal(burst.resolutions, 0, `nothing resolved again: ${JSON.stringify(burst)}`);
    assert.equal(burst.summaries, 0, `no summary recomputed: ${JSON.stringify(burst)}`);

    // A new definition changes what the text scan reads: what rests on the file is redone.
    const defined = index.work;
    edit(main, `${open.get(main)!}\nvoid prepare_later(void)\n{\n}\n`);
    assert.deepEqual(check(main), []);
    assert.ok(delta(defined, index.work).resolutions > 0, `dependents invalidated: ${JSON.stringify(delta(defined, index.work))}`);

    // The helper main.c's summary rests on, edited in the editor: the finding follows.
    open.set(helpers, readFileSync(helpers, 'utf8'));
    edit(helpers, 'void prepare(void)\n{\n\t(void)malloc(8);\n}\n');
    assert.deepEqual(check(main), ['10:child-unsafe-call']);
    edit(helpers, 'void prepare(void)\n{\n}\n');
    assert.deepEqual(check(main), []);

    // The same findings as a fresh index over the same texts.
    const fresh = new ServerProjects((abs) => open.get(abs), () => open.keys(), () => undefined);
    const option = fresh.optionFor(main, settings)!.option;
    assert.deepEqual(analyze(open.get(main)!, 'c', {}, { project: option }).findings.map((f) => `${f.range.start.line}:${f.rule}`), check(main));
  });
});
