#!/usr/bin/env bash
# Build the VS Code extension: npm install (client-vscode only), bundle, smoke-test the
# bundled server, then package vforklint-<version>.vsix for this platform (vsce --target).
# Idempotent. Needs the repository root's node_modules (tree-sitter built there).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENT=$PWD
if [ ! -d node_modules/vscode-languageclient ] || [ ! -x node_modules/.bin/vsce ]; then
  npm install --no-audit --no-fund >/dev/null
fi
node ../node_modules/typescript/bin/tsc -p tsconfig.json   # type-check the extension
node scripts/bundle.mjs
# The bundled server must start on its own, from dist/ only.
node dist/server/main.cjs --version >/dev/null
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) TARGET=linux-x64 ;;
  Linux-aarch64) TARGET=linux-arm64 ;;
  Darwin-arm64) TARGET=darwin-arm64 ;;
  Darwin-x86_64) TARGET=darwin-x64 ;;
  *) echo "build-vsix: unsupported platform $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
VERSION=$(node -p "require('./package.json').version")
OUT="$CLIENT/vforklint-$VERSION-$TARGET.vsix"
rm -f "$OUT"
npx --no-install vsce package --no-dependencies --target "$TARGET" --allow-missing-repository -o "$OUT" >/dev/null
echo "build-vsix: $OUT"
