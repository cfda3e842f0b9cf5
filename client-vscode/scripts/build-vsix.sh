#!/usr/bin/env bash
# Build the VS Code extension: npm install (client-vscode only), bundle, package
# vforklint-<version>.vsix, then smoke-test the server inside the unpacked .vsix. The
# parsers are WebAssembly, so the one .vsix serves every platform. Idempotent. Needs the
# repository root's node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENT=$PWD
if [ ! -d node_modules/vscode-languageclient ] || [ ! -x node_modules/.bin/vsce ]; then
  npm install --no-audit --no-fund >/dev/null
fi
node ../node_modules/typescript/bin/tsc -p tsconfig.json   # type-check the extension
node scripts/bundle.mjs
node dist/server/main.cjs --version >/dev/null
VERSION=$(node -p "require('./package.json').version")
OUT="$CLIENT/vforklint-$VERSION.vsix"
rm -f "$OUT"
npx --no-install vsce package --no-dependencies --allow-missing-repository -o "$OUT" >/dev/null
# The packaged server must work as installed: unpack the .vsix where no node_modules is
# around it, open a .c and a .h file, and see the finding in both (scripts/smoke.mjs).
if ! command -v unzip >/dev/null; then echo "build-vsix: unzip is not installed (needed to check the .vsix)" >&2; exit 1; fi
UNPACKED=$(mktemp -d)
trap 'rm -rf "$UNPACKED"' EXIT
unzip -q "$OUT" -d "$UNPACKED"
if find "$UNPACKED" -name '*.node' | grep -q .; then echo "build-vsix: the .vsix carries a native module:" >&2; find "$UNPACKED" -name '*.node' >&2; exit 1; fi
node scripts/smoke.mjs "$UNPACKED/extension" >/dev/null
echo "build-vsix: $OUT"
