#!/usr/bin/env node
/**
 * vforklint-lsp: the vforklint language server.
 *   vforklint-lsp --stdio          (Neovim, Emacs/eglot, Helix, any LSP client)
 *   vforklint-lsp --node-ipc       (started by a Node parent, e.g. the VS Code extension)
 *   vforklint-lsp --socket=PORT
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.js';

const USAGE = `usage: vforklint-lsp --stdio | --node-ipc | --socket=PORT
The vforklint language server (LSP): diagnostics, quick fixes and hovers for vfork-unsafe C and Go.`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.includes('--version')) {
  process.stdout.write('vforklint-lsp 0.1.0\n');
  process.exit(0);
}
const transport = args.find((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='));
if (!transport) {
  process.stderr.write(`vforklint-lsp: choose a transport (${args.length ? `unknown arguments: ${args.join(' ')}` : 'none given'})\n${USAGE}\n`);
  process.exit(2);
}

const connection = createConnection(ProposedFeatures.all);
// Never go down on a stray error: log it to the client and carry on.
process.on('uncaughtException', (e) => connection.console.error(`vforklint: uncaught: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => connection.console.error(`vforklint: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
startServer(connection);
