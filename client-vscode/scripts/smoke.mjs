// Smoke test of an installed (unpacked) extension's language server, as VS Code drives it:
//   node scripts/smoke.mjs <extension folder>
// Starts <folder>/dist/server/main.cjs over stdio from a folder with no node_modules
// around it, says it supports workspace/configuration and pull diagnostics (as VS Code
// does), opens a C file and a `.h` file with VS Code's language id `cpp`, and asks for
// their diagnostics: each must hold the child-unsafe-call finding. Anything the bundle
// forgot to carry (a module loaded at run time, a .wasm, the schema) fails here.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const folder = resolve(process.argv[2] ?? '');
const main = join(folder, 'dist', 'server', 'main.cjs');
if (!existsSync(main)) {
  console.error(`smoke: ${main} does not exist`);
  process.exit(1);
}
const BAD =
  '#include <stdio.h>\n#include <unistd.h>\n\nint launch(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprintf("starting %s\\n", argv[0]);\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n';
const docs = [
  { uri: pathToFileURL(join(folder, 'smoke.c')).href, languageId: 'c' },
  { uri: pathToFileURL(join(folder, 'smoke.h')).href, languageId: 'cpp' },
];

const server = spawn(process.execPath, [main, '--stdio'], { cwd: folder, stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', (d) => (stderr += d));
const timer = setTimeout(() => fail('no answer within 30 s'), 30_000);
function fail(why) {
  clearTimeout(timer);
  console.error(`smoke: ${why}\n${log.join('\n')}\n${stderr}`);
  server.kill();
  process.exit(1);
}
const log = [];
const send = (msg) => {
  const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
  server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
};
const pending = new Map();
let nextId = 1;
const request = (method, params) =>
  new Promise((resolveP) => {
    const id = nextId++;
    pending.set(id, resolveP);
    send({ id, method, params });
  });

let buf = Buffer.alloc(0);
server.stdout.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const head = buf.indexOf('\r\n\r\n');
    if (head < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())?.[1]);
    if (buf.length < head + 4 + length) return;
    const msg = JSON.parse(buf.subarray(head + 4, head + 4 + length).toString());
    buf = buf.subarray(head + 4 + length);
    if (msg.method === 'window/logMessage') log.push(msg.params.message);
    if (msg.id !== undefined && msg.method) {
      // A request from the server: configuration gets empty settings, the rest null.
      const result = msg.method === 'workspace/configuration' ? msg.params.items.map(() => ({})) : null;
      send({ id: msg.id, result });
    } else if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  }
});
server.on('exit', (code) => fail(`the server exited (${code})`));

const init = await request('initialize', {
  processId: process.pid,
  rootUri: pathToFileURL(folder).href,
  capabilities: { workspace: { configuration: true }, textDocument: { diagnostic: { dynamicRegistration: false } } },
});
if (!init.result?.serverInfo) fail(`initialize failed: ${JSON.stringify(init)}`);
send({ method: 'initialized', params: {} });
for (const doc of docs) {
  send({ method: 'textDocument/didOpen', params: { textDocument: { ...doc, version: 1, text: BAD } } });
  const answer = await request('textDocument/diagnostic', { textDocument: { uri: doc.uri } });
  const items = answer.result?.items ?? [];
  if (!items.some((d) => d.code === 'child-unsafe-call' || /child-unsafe-call/.test(JSON.stringify(d)))) fail(`no child-unsafe-call finding for ${doc.uri} (${doc.languageId}): ${JSON.stringify(answer)}`);
}
clearTimeout(timer);
server.removeAllListeners('exit');
server.kill();
console.log(`smoke: the server in ${folder} reports the finding in a .c file and a .h file (language id cpp)`);
