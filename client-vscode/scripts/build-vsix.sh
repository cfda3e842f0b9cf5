#!/usr/bin/env bash
# Build the VS Code extension: npm install (client-vscode only), bundle, smoke-test the
# bundled server, then package vforklint-<version>.vsix. The parsers are WebAssembly, so
# the one .vsix serves every platform. Idempotent. Needs the repository root's node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENT=$PWD
if [ ! -d node_modules/vscode-languageclient ] || [ ! -x node_modules/.bin/vsce ]; then
  npm install --no-audit --no-fund >/dev/null
fi
node ../node_modules/typescript/bin/tsc -p tsconfig.json   # type-check the extension
node scripts/bundle.mjs
# The bundled server must start on its own, from dist/ only, and load its parsers: answer
# an LSP initialize request (it loads the WebAssembly before answering).
node dist/server/main.cjs --version >/dev/null
node -e '
const { spawn } = require("node:child_process");
const server = spawn(process.execPath, ["dist/server/main.cjs", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
let out = "";
const timer = setTimeout(() => { console.error("build-vsix: the bundled server did not answer initialize"); server.kill(); process.exit(1); }, 20000);
server.stdout.on("data", (d) => {
  out += d;
  if (!/"id":1/.test(out)) return;
  clearTimeout(timer);
  server.kill();
  if (!/"serverInfo"/.test(out)) { console.error(`build-vsix: initialize failed: ${out}`); process.exit(1); }
});
'
VERSION=$(node -p "require('./package.json').version")
OUT="$CLIENT/vforklint-$VERSION.vsix"
rm -f "$OUT"
npx --no-install vsce package --no-dependencies --allow-missing-repository -o "$OUT" >/dev/null
echo "build-vsix: $OUT"
