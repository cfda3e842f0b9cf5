/**
 * The vforklint VS Code extension: starts vforklint-lsp (bundled in dist/server/) over
 * node IPC for C and Go files, and for `.h` headers, which VS Code gives the language id
 * `cpp` (the server reads a `.h` file as C whatever its language id; `.hpp`, `.cc` and
 * other C++ files stay out), and adds the "vforklint: Fix all" command. All analysis
 * happens in the server.
 */
import * as path from 'node:path';
import { commands, window, workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** The documents the server checks: C, Go, and `.h` headers that VS Code calls C++. */
function isChecked(languageId: string, fileName: string): boolean {
  return languageId === 'c' || languageId === 'go' || (languageId === 'cpp' && fileName.endsWith('.h'));
}

export async function activate(context: ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server', 'main.cjs'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'go' },
      { scheme: 'file', language: 'cpp', pattern: '**/*.h' },
      { scheme: 'untitled', language: 'c' },
      { scheme: 'untitled', language: 'go' },
    ],
    synchronize: {
      // The server re-reads the workspace config file when it changes.
      fileEvents: workspace.createFileSystemWatcher('**/{.vforklintrc.json,vforklint.config.json}'),
    },
  };
  client = new LanguageClient('vforklint', 'vforklint', serverOptions, clientOptions);
  context.subscriptions.push(
    commands.registerCommand('vforklint.fixAll', async () => {
      const editor = window.activeTextEditor;
      if (!editor || !isChecked(editor.document.languageId, editor.document.fileName)) {
        void window.showInformationMessage('vforklint: open a C or Go file to fix.');
        return;
      }
      await client?.sendRequest('workspace/executeCommand', { command: 'vforklint.applyFixAll', arguments: [editor.document.uri.toString()] });
    }),
  );
  await client.start();
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
