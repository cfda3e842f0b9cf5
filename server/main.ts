#!/usr/bin/env node
/**
 * vforklint-lsp: the vforklint language server.
 *   vforklint-lsp --stdio          (Neovim, Emacs/eglot, Helix, any LSP client)
 *   vforklint-lsp --node-ipc       (started by a Node parent, e.g. the VS Code extension)
 *   vforklint-lsp --socket=PORT
 */
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
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

/**
 * On stdio the reader is ours: vscode-jsonrpc drops a header block that has no
 * Content-Length but then stops reading the bytes already received, so a valid frame that
 * came in the same chunk would wait for more input that may never come. Nudge it on.
 */
function stdioConnection() {
  let shutdownSeen = false;
  class Reader extends StreamMessageReader {
    override listen(callback: Parameters<StreamMessageReader['listen']>[0]) {
      return super.listen((message) => {
        if ((message as { method?: string }).method === 'shutdown') shutdownSeen = true;
        callback(message);
      });
    }
  }
  const reader = new Reader(process.stdin);
  reader.onError((e) => {
    if (/Content-Length/.test(e.message)) setImmediate(() => process.stdin.emit('data', Buffer.alloc(0)));
  });
  // As the library does for stdio: the client went away, so do we.
  const gone = () => process.exit(shutdownSeen ? 0 : 1);
  process.stdin.on('end', gone);
  process.stdin.on('close', gone);
  const connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  // stdout carries the protocol: anything printed by a library goes to the client's log instead.
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  console.log = console.info = console.debug = (...args: unknown[]) => connection.console.log(text(args));
  console.warn = (...args: unknown[]) => connection.console.warn(text(args));
  console.error = (...args: unknown[]) => connection.console.error(text(args));
  return connection;
}

const connection = transport === '--stdio' ? stdioConnection() : createConnection(ProposedFeatures.all);
// Never go down on a stray error: log it to the client and carry on.
process.on('uncaughtException', (e) => connection.console.error(`vforklint: uncaught: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => connection.console.error(`vforklint: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
startServer(connection);
