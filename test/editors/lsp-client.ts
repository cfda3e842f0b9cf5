/**
 * A real LSP client for the tests: the `vscode-languageserver-protocol` connection over
 * the server's stdio (or node IPC), talking to dist/server/main.js in its own process.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { ClientCapabilities, Diagnostic, InitializeResult, PublishDiagnosticsParams, TextDocumentContentChangeEvent, WorkspaceEdit } from 'vscode-languageserver-protocol';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from dist/test/editors/). */
export const REPO = resolve(here, '..', '..', '..');
export const SERVER_MAIN = join(REPO, 'dist', 'server', 'main.js');
export const INPUTS = join(REPO, 'test', 'editors', 'inputs');

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

/** `// want "rule"` expectations of a fixture: "line:rule" strings (1-based lines). */
export function wants(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/\/\/ want "([^"]+)"/g)) out.push(`${i + 1}:${m[1]}`);
  });
  return out.sort();
}

export function diagKeys(diags: Diagnostic[]): string[] {
  return diags.map((d) => `${d.range.start.line + 1}:${String(d.code)}`).sort();
}

export const PUSH_CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, workspaceEdit: { documentChanges: true }, didChangeWatchedFiles: { dynamicRegistration: true }, didChangeConfiguration: { dynamicRegistration: false } },
  textDocument: {
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
    codeAction: { disabledSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    synchronization: { didSave: false },
  },
};

export const PULL_CAPABILITIES: ClientCapabilities = {
  ...PUSH_CAPABILITIES,
  workspace: { ...PUSH_CAPABILITIES.workspace, diagnostics: { refreshSupport: true } },
  textDocument: { ...PUSH_CAPABILITIES.textDocument, diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
};

export interface StartOptions {
  transport?: 'stdio' | 'ipc';
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  workspaceFolder?: string;
  /** Answer for workspace/configuration (section "vforklint"). */
  settings?: unknown;
}

export class LspTestClient {
  readonly logs: string[] = [];
  readonly messages: string[] = [];
  settings: unknown;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly registrations: string[] = [];
  /** `$/progress` values the server sent (work done progress), in order. */
  readonly progress: Array<{ kind: string; title?: string; message?: string }> = [];
  refreshes = 0;
  /** workspace/applyEdit requests the server sent (answered as applied). */
  readonly appliedEdits: Array<{ label?: string; edit: WorkspaceEdit }> = [];
  private waiters: Array<() => void> = [];
  private versions = new Map<string, number>();
  private texts = new Map<string, string>();
  initializeResult!: InitializeResult;

  private constructor(
    readonly connection: ProtocolConnection,
    readonly proc: ChildProcess,
  ) {}

  static async start(opts: StartOptions = {}): Promise<LspTestClient> {
    let proc: ChildProcess;
    let connection: ProtocolConnection;
    if (opts.transport === 'ipc') {
      proc = fork(SERVER_MAIN, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      connection = createProtocolConnection(new IPCMessageReader(proc), new IPCMessageWriter(proc));
    } else {
      proc = spawn(process.execPath, [SERVER_MAIN, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      connection = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    }
    proc.stderr?.on('data', (d: Buffer) => process.stderr.write(`[server stderr] ${d}`));
    const client = new LspTestClient(connection, proc);
    client.settings = opts.settings;
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      client.logs.push(p.message);
      client.wake();
    });
    connection.onNotification('window/showMessage', (p: { message: string }) => {
      client.messages.push(p.message);
      client.wake();
    });
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.diagnostics.set(p.uri, p);
      client.wake();
    });
    connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map(() => client.settings ?? null));
    connection.onRequest('client/registerCapability', (p: { registrations: Array<{ method: string }> }) => {
      client.registrations.push(...p.registrations.map((r) => r.method));
      return null;
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      client.refreshes++;
      client.wake();
      return null;
    });
    connection.onRequest('window/showMessageRequest', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onNotification('$/progress', (p: { value: { kind: string; title?: string; message?: string } }) => {
      client.progress.push(p.value);
      client.wake();
    });
    connection.onRequest('workspace/applyEdit', (p: { label?: string; edit: WorkspaceEdit }) => {
      client.appliedEdits.push(p);
      client.wake();
      return { applied: true };
    });
    connection.listen();
    const root = opts.workspaceFolder;
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: root ? fileUri(root) : null,
      workspaceFolders: root ? [{ uri: fileUri(root), name: 'ws' }] : null,
      capabilities: opts.capabilities ?? PUSH_CAPABILITIES,
      initializationOptions: opts.initializationOptions,
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Wait until `check` returns a value (re-checked on every notification), or fail after `ms`. */
  async until<T>(what: string, check: () => T | undefined | false, ms = 10000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; server log:\n${this.logs.join('\n')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  async open(path: string, languageId?: string, text?: string): Promise<string> {
    const uri = fileUri(path);
    const content = text ?? readFileSync(path, 'utf8');
    this.versions.set(uri, 1);
    this.texts.set(uri, content);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: languageId ?? (path.endsWith('.go') ? 'go' : 'c'), version: 1, text: content },
    });
    return uri;
  }

  /** Send changes (applied to our copy of the text too, in order). */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    let text = this.text(uri);
    for (const c of changes) {
      if ('range' in c && c.range) {
        text = text.slice(0, offsetAt(text, c.range.start)) + c.text + text.slice(offsetAt(text, c.range.end));
      } else {
        text = c.text;
      }
    }
    const version = this.version(uri) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** Diagnostics published for exactly the current version of `uri` (push mode). */
  async diagnosticsFor(uri: string, ms = 10000): Promise<Diagnostic[]> {
    const version = this.version(uri);
    const p = await this.until(`diagnostics for ${uri} version ${version}`, () => {
      const d = this.diagnostics.get(uri);
      return d && d.version === version ? d : undefined;
    }, ms);
    return p.diagnostics;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    await new Promise<void>((r) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return r();
      const t = setTimeout(() => {
        this.proc.kill('SIGKILL');
        r();
      }, 3000);
      this.proc.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    this.connection.dispose();
  }
}

export function offsetAt(text: string, pos: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return Math.min(offset + pos.character, end);
}

export function positionAt(text: string, offset: number): { line: number; character: number } {
  const head = text.slice(0, offset);
  const line = (head.match(/\n/g) ?? []).length;
  return { line, character: offset - (head.lastIndexOf('\n') + 1) };
}

/** Apply LSP text edits (all against the same text) to `text`. */
export function applyLspEdits(text: string, edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>): string {
  const abs = edits.map((e) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of abs) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
