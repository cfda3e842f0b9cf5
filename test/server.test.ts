/**
 * vforklint-lsp at the protocol level: a real server process, a real
 * vscode-languageserver-protocol client over stdio (and once over node IPC).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, DocumentDiagnosticReport, Hover, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { initParsers, analyze, fixSource, type Language } from '../rules/index.js';
import { lintDocumentsConfiguration } from '../server/documents.js';
import { INPUTS, LspTestClient, PULL_CAPABILITIES, REPO, applyLspEdits, diagKeys, positionAt, wants } from './editors/lsp-client.js';

await initParsers();

const GLOBAL_FIXTURE = join(REPO, 'fixtures', 'c', 'verify-raw-child-writes-global.c');
const SPLIT_INPUT = join(INPUTS, 'split.c');
const GO_INPUT = join(INPUTS, 'spawn.go');

const work = mkdtempSync(join(tmpdir(), 'vforklint-lsp-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

function editsOf(action: CodeAction, uri: string) {
  const edit = action.edit;
  assert.ok(edit, `code action "${action.title}" carries no edit`);
  if (edit.documentChanges) {
    return (edit.documentChanges as TextDocumentEdit[]).filter((c) => c.textDocument.uri === uri).flatMap((c) => c.edits as TextEdit[]);
  }
  return edit.changes?.[uri] ?? [];
}

function coreKeys(text: string, language: Language): string[] {
  return analyze(text, language).findings.map((f) => `${f.range.start.line}:${f.rule}`).sort();
}

describe('vforklint-lsp over stdio', () => {
  test('initialize advertises incremental sync, code actions, hover; push mode without pull support', async () => {
    const c = await LspTestClient.start();
    try {
      const caps = c.initializeResult.capabilities;
      assert.equal((caps.textDocumentSync as { change: number }).change, 2, 'incremental sync');
      assert.ok(caps.hoverProvider);
      assert.ok(caps.codeActionProvider);
      assert.equal(caps.diagnosticProvider, undefined, 'no pull diagnostics for a client that cannot pull');
    } finally {
      await c.stop();
    }
  });

  test('a C fixture: findings on the wanted lines, with code, link, related fork site and source', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(GLOBAL_FIXTURE);
      const diags = await c.diagnosticsFor(uri);
      assert.deepEqual(diagKeys(diags), wants(readFileSync(GLOBAL_FIXTURE, 'utf8')));
      const d = diags[0];
      assert.equal(d.source, 'vforklint');
      assert.equal(d.code, 'child-writes-shared');
      assert.match(d.codeDescription?.href ?? '', /child-writes-shared/);
      assert.equal(d.severity, 1);
      assert.ok(d.relatedInformation && d.relatedInformation.length >= 1, 'related information names the fork site');
      assert.equal(d.relatedInformation[0].location.uri, uri);
      const forkLine = c.text(uri).split('\n').findIndex((l) => l.includes('syscall(SYS_clone'));
      assert.equal(d.relatedInformation[0].location.range.start.line, forkLine, 'the related location is the fork site');
    } finally {
      await c.stop();
    }
  });

  test('the child\'s path: each step a related location after the fork site, none repeated', async () => {
    const c = await LspTestClient.start();
    try {
      const text = '#include <stdlib.h>\n#include <unistd.h>\nstatic void grow(void) { (void)malloc(8); }\nstatic void prepare(void) { grow(); }\nvoid run(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprepare();\n\t\t_exit(1);\n\t}\n}\n';
      const uri = await c.open(join(work, 'steps.c'), 'c', text);
      const diags = await c.diagnosticsFor(uri);
      const d = diags.find((x) => x.code === 'child-unsafe-call');
      assert.ok(d, JSON.stringify(diags.map((x) => x.code)));
      // The related fork site, then the steps after it (the fork step is where the related one points).
      assert.deepEqual(
        d.relatedInformation?.map((r) => `${r.location.uri === uri ? '' : r.location.uri}${r.location.range.start.line + 1}:${r.location.range.start.character + 1} ${r.message}`),
        ['7:14 the fork: `vfork` (vfork)', "8:6 `pid == 0`: the child's side", '9:3 the child calls `prepare`', '4:29 `prepare` calls `grow`', '3:32 `grow` calls `malloc` here: `malloc` uses the heap, whose state is shared with the parent'],
      );
    } finally {
      await c.stop();
    }
  });

  test('a line tree-sitter cannot parse in time: an Information diagnostic on it, the finding above it still reported', async () => {
    const c = await LspTestClient.start();
    try {
      const ops = '+-*/&|^!~<>=?:,;.'.repeat(6000).slice(0, 100_000);
      const text = `#include <unistd.h>\nint f(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0)\n\t\treturn 1;\n\treturn pid;\n}\nint g = 1${ops};\n`;
      const uri = await c.open(join(work, 'operators.c'), 'c', text);
      const diags = await c.diagnosticsFor(uri, 30_000);
      const note = diags.find((d) => d.code === 'not-analysed');
      assert.ok(note, `a not-analysed note: ${JSON.stringify(diags.map((d) => d.code))}`);
      assert.equal(note.severity, 3, 'Information');
      assert.equal(note.range.start.line, 8);
      assert.match(String(note.message), /could not parse/);
      assert.ok(diags.some((d) => d.code === 'child-returns' && d.range.start.line === 5));
    } finally {
      await c.stop();
    }
  });

  test('a Go input: findings on the wanted lines', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(GO_INPUT);
      assert.deepEqual(diagKeys(await c.diagnosticsFor(uri)), wants(readFileSync(GO_INPUT, 'utf8')));
    } finally {
      await c.stop();
    }
  });

  test('hover on a fork site tells its kind and the child and parent lines', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(SPLIT_INPUT);
      await c.diagnosticsFor(uri);
      const text = c.text(uri);
      const hover = (await c.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: positionAt(text, text.indexOf('syscall(SYS_clone') + 3),
      })) as Hover | null;
      assert.ok(hover, 'a hover on the fork site');
      const value = (hover.contents as { value: string }).value;
      assert.match(value, /`raw` fork site\*\* in `run_tool`/);
      assert.match(value, /child only: lines 19-20/);
      assert.match(value, /parent only: lines 23-25/);
      const none = await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
      assert.equal(none, null, 'no hover away from fork sites');
    } finally {
      await c.stop();
    }
  });

  test('the split code action applies and the document is re-analysed clean', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(SPLIT_INPUT);
      const diags = await c.diagnosticsFor(uri);
      const target = diags.find((d) => d.code === 'parent-reuses-frame');
      assert.ok(target, 'parent-reuses-frame is reported');
      const actions = (await c.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: target.range,
        context: { diagnostics: [target] },
      })) as CodeAction[];
      const split = actions.find((a) => /split/i.test(a.title) && a.edit);
      const declined = actions.find((a) => a.disabled);
      assert.ok(
        split,
        `no frame-split code action offered for ${SPLIT_INPUT}:${target.range.start.line + 1} ` +
          `(the core attached no 'split' fix to the finding${declined ? `; declined: ${declined.disabled?.reason}` : ''}); offered: ${JSON.stringify(actions.map((a) => a.title))}`,
      );
      const fixed = applyLspEdits(c.text(uri), editsOf(split, uri));
      await c.change(uri, [{ text: fixed }]);
      const after = await c.diagnosticsFor(uri);
      assert.deepEqual(after.filter((d) => d.code === 'parent-reuses-frame' || d.code === 'child-returns'), [], 'clean after the split');
    } finally {
      await c.stop();
    }
  });

  test('"disable for this line" suppresses the finding', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(GLOBAL_FIXTURE);
      const [d] = await c.diagnosticsFor(uri);
      const actions = (await c.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
      const disable = actions.find((a) => a.title === 'Disable child-writes-shared for this line');
      assert.ok(disable, `offered: ${JSON.stringify(actions.map((a) => a.title))}`);
      const version = c.version(uri);
      const edits = editsOf(disable, uri);
      assert.equal((disable.edit!.documentChanges![0] as TextDocumentEdit).textDocument.version, version, 'versioned edit');
      await c.change(uri, edits.map((e) => ({ range: e.range, text: e.newText })));
      assert.match(c.text(uri), /\t\t\/\/ vforklint-disable-next-line child-writes-shared\n\t\tworker_started = 1;/);
      assert.deepEqual(await c.diagnosticsFor(uri), []);
    } finally {
      await c.stop();
    }
  });

  test('source.fixAll.vforklint carries exactly what fixSource produces', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(SPLIT_INPUT);
      await c.diagnosticsFor(uri);
      const actions = (await c.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll'] },
      })) as CodeAction[];
      assert.ok(actions.every((a) => a.kind === 'source.fixAll.vforklint'), 'only fix-all actions when only=source.fixAll');
      const expected = fixSource(c.text(uri), 'c');
      if (!expected.changed) {
        assert.deepEqual(actions, [], 'nothing to fix: no action');
        return;
      }
      assert.equal(actions.length, 1);
      assert.equal(applyLspEdits(c.text(uri), editsOf(actions[0], uri)), expected.text);
    } finally {
      await c.stop();
    }
  });

  test('the vforklint.applyFixAll command sends the fixSource result through workspace/applyEdit', async () => {
    const c = await LspTestClient.start();
    try {
      assert.deepEqual(c.initializeResult.capabilities.executeCommandProvider?.commands, ['vforklint.applyFixAll']);
      const uri = await c.open(SPLIT_INPUT);
      await c.diagnosticsFor(uri);
      const expected = fixSource(c.text(uri), 'c');
      assert.ok(expected.changed, 'the core fixes this input (frame split)');
      await c.connection.sendRequest('workspace/executeCommand', { command: 'vforklint.applyFixAll', arguments: [uri] });
      const req = await c.until('a workspace/applyEdit', () => c.appliedEdits[0]);
      const edits = (req.edit.documentChanges as TextDocumentEdit[])[0].edits as TextEdit[];
      const fixed = applyLspEdits(c.text(uri), edits);
      assert.equal(fixed, expected.text);
      await c.change(uri, [{ text: fixed }]);
      const after = await c.diagnosticsFor(uri);
      assert.deepEqual(after.filter((d) => d.code === 'parent-reuses-frame'), []);
      await assert.rejects(c.connection.sendRequest('workspace/executeCommand', { command: 'vforklint.applyFixAll', arguments: ['file:///nope.c'] }), /no open C or Go document/);
    } finally {
      await c.stop();
    }
  });

  test('pull diagnostics when the client supports them (and no push)', async () => {
    const c = await LspTestClient.start({ capabilities: PULL_CAPABILITIES });
    try {
      assert.ok(c.initializeResult.capabilities.diagnosticProvider, 'diagnosticProvider advertised');
      const uri = await c.open(GLOBAL_FIXTURE);
      const report = (await c.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as DocumentDiagnosticReport & { items: Diagnostic[]; resultId: string };
      assert.equal(report.kind, 'full');
      assert.deepEqual(diagKeys(report.items), wants(readFileSync(GLOBAL_FIXTURE, 'utf8')));
      const again = (await c.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId })) as DocumentDiagnosticReport;
      assert.equal(again.kind, 'unchanged');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(c.diagnostics.size, 0, 'nothing pushed to a pulling client');
    } finally {
      await c.stop();
    }
  });

  test('configuration: workspace settings and the workspace config file, re-read on change', async () => {
    const ws = mkdtempSync(join(work, 'ws-'));
    const file = join(ws, 'global.c');
    copyFileSync(GLOBAL_FIXTURE, file);
    const rc = join(ws, '.vforklintrc.json');
    writeFileSync(rc, JSON.stringify({ rules: { 'child-writes-shared': 'off' } }));
    const c = await LspTestClient.start({ workspaceFolder: ws, settings: {}, initializationOptions: { debounceMs: 0 } });
    try {
      await c.until('the server to watch the config files', () => c.registrations.includes('workspace/didChangeWatchedFiles'));
      const uri = await c.open(file);
      assert.deepEqual(await c.diagnosticsFor(uri), [], 'the config file turns the rule off');

      // Settings win over the file.
      c.settings = { rules: { 'child-writes-shared': 'warning' } };
      await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      const warned = await c.until('a warning after the settings change', () => {
        const d = c.diagnostics.get(uri)?.diagnostics ?? [];
        return d.length === 1 && d[0].severity === 2 ? d : undefined;
      });
      assert.equal(warned[0].code, 'child-writes-shared');

      // Settings that say nothing: the file rules again; then the file changes.
      c.settings = { enable: true };
      await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await c.until('the file config again', () => (c.diagnostics.get(uri)?.diagnostics.length === 0 ? true : undefined));
      writeFileSync(rc, JSON.stringify({ rules: { 'child-writes-shared': 'error' } }));
      await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: `file://${rc}`, type: 2 }] });
      const errs = await c.until('an error after the file changed', () => {
        const d = c.diagnostics.get(uri)?.diagnostics ?? [];
        return d.length === 1 && d[0].severity === 1 ? d : undefined;
      });
      assert.equal(errs[0].code, 'child-writes-shared');

      // A broken file: one clear line to the user, the editor settings still apply, nothing lost.
      writeFileSync(rc, '{ "rules": ');
      await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: `file://${rc}`, type: 2 }] });
      const msg = await c.until('a message about the broken file', () => c.messages.find((m) => m.includes('invalid JSON')));
      assert.match(msg, /\.vforklintrc\.json: invalid JSON \(.*\); fix it or delete the file$/);
      assert.equal(readFileSync(rc, 'utf8'), '{ "rules": ');

      // enable: false clears everything.
      c.settings = { enable: false };
      await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await c.until('no diagnostics when disabled', () => (c.diagnostics.get(uri)?.diagnostics.length === 0 ? true : undefined));
    } finally {
      await c.stop();
    }
  });

  test('a burst of 200 incremental edits ends with the right diagnostics', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(SPLIT_INPUT);
      const original = c.text(uri);
      await c.diagnosticsFor(uri);
      // Deterministic pseudo-random edits: insertions and deletions anywhere (the text
      // goes through broken states), then typed lines above the function that shift it.
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const undo: Array<() => Promise<unknown>> = [];
      for (let i = 0; i < 100; i++) {
        const text = c.text(uri);
        const at = rand(text.length);
        const insert = '(){};x\n '[rand(8)];
        const pos = positionAt(text, at);
        await c.change(uri, [{ range: { start: pos, end: pos }, text: insert }]);
        const end = { line: pos.line + (insert === '\n' ? 1 : 0), character: insert === '\n' ? 0 : pos.character + 1 };
        undo.push(() => c.change(uri, [{ range: { start: pos, end }, text: '' }]));
      }
      for (const u of undo.reverse()) await u();
      assert.equal(c.text(uri), original, 'the first 100 edits undo each other');
      const typed = '// typed line no. 1\n'; // 20 characters: 100 edits type 5 whole lines
      const at = original.indexOf('int run_tool');
      for (let i = 0; i < 100; i++) {
        const text = c.text(uri);
        const ch = typed[i % typed.length];
        const pos = positionAt(text, at + i);
        await c.change(uri, [{ range: { start: pos, end: pos }, text: ch }]);
      }
      const final = c.text(uri);
      const diags = await c.diagnosticsFor(uri, 15000);
      assert.deepEqual(diagKeys(diags), coreKeys(final, 'c'), 'same findings as a fresh full analysis');
      const shift = (final.match(/\n/g) ?? []).length - (original.match(/\n/g) ?? []).length;
      assert.equal(shift, 5, 'five lines were typed');
      assert.deepEqual(diagKeys(diags), wants(original).map((k) => `${Number(k.split(':')[0]) + shift}:${k.split(':')[1]}`).sort());
    } finally {
      await c.stop();
    }
  });

  test('a failing handler is logged through window/logMessage and the server stays up', async () => {
    const c = await LspTestClient.start();
    try {
      const uri = await c.open(GLOBAL_FIXTURE);
      await c.diagnosticsFor(uri);
      // A malformed request (no range, no context): the handler throws inside.
      const res = await c.connection.sendRequest('textDocument/codeAction', { textDocument: { uri } });
      assert.deepEqual(res, []);
      await c.until('a logged failure', () => c.logs.find((l) => /vforklint: textDocument\/codeAction failed/.test(l)));
      // Still answering.
      const text = c.text(uri);
      const hover = await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionAt(text, text.indexOf('syscall(SYS_clone') + 1) });
      assert.ok(hover);
      assert.equal(c.proc.exitCode, null);
    } finally {
      await c.stop();
    }
  });
});

describe('vforklint-lsp over node IPC', () => {
  test('diagnostics arrive over IPC', async () => {
    const c = await LspTestClient.start({ transport: 'ipc' });
    try {
      const uri = await c.open(GO_INPUT);
      assert.deepEqual(diagKeys(await c.diagnosticsFor(uri)), wants(readFileSync(GO_INPUT, 'utf8')));
    } finally {
      await c.stop();
    }
  });
});

describe('trees of idle documents', () => {
  test('a document only opened keeps no tree after its analysis; an edited one keeps it for the next reparse', async () => {
    await initParsers();
    const text = '#include <unistd.h>\nint f(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0)\n\t\t_exit(1);\n\treturn pid;\n}\n';
    const doc = lintDocumentsConfiguration.create('file:///idle.c', 'c', 1, text);
    assert.ok(doc.treeFor({}), 'a tree to analyse with');
    doc.releaseIfIdle();
    assert.equal(doc.holdsTree, false, 'opened, never edited: released');
    lintDocumentsConfiguration.update(doc, [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: '\t/* x */\n' }], 2);
    const tree = doc.treeFor({});
    assert.ok(tree && !tree.rootNode.hasError);
    doc.releaseIfIdle();
    assert.equal(doc.holdsTree, true, 'edited: kept for the next incremental reparse');
    doc.dropTree();
  });
});
