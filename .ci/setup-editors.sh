#!/usr/bin/env bash
# Everything the editor tests need beyond Debian packages (.ci/debian-packages.d/editors.txt).
# Idempotent; safe to run again. Called from .ci/run before `npm test`.
#   1. code-server@4.100.3 into a cache folder (offline ripgrep through its cache tarball)
#   2. client-vscode: its own npm install, the bundle and the .vsix (carries the server)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CODE_SERVER_VERSION=4.100.3
CACHE=${VFORKLINT_EDITOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vforklint-editors}
mkdir -p "$CACHE"

# --- code-server -------------------------------------------------------------------
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  # @vscode/ripgrep downloads ripgrep from GitHub; feed its cache with Debian's rg instead.
  RG=$(command -v rg || true)
  if [ -z "$RG" ]; then echo "setup-editors: ripgrep (rg) is not installed: install the Debian package ripgrep" >&2; exit 1; fi
  export TMPDIR=${TMPDIR:-/tmp}
  RGCACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$RGCACHE"
  for t in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz; do
    if [ ! -s "$RGCACHE/$t" ]; then
      tmp=$(mktemp -d); cp "$RG" "$tmp/rg"; tar -C "$tmp" -czf "$RGCACHE/$t" rg; rm -rf "$tmp"
    fi
  done
  rm -rf "$CS_DIR.tmp"; mkdir -p "$CS_DIR.tmp"
  echo '{"name":"code-server-cache","private":true}' > "$CS_DIR.tmp/package.json"
  ( cd "$CS_DIR.tmp" && npm_config_unsafe_perm=true npm_config_yes=true \
      npm install --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION" >install.log 2>&1 ) || {
    echo "setup-editors: code-server install failed; see $CS_DIR.tmp/install.log" >&2; tail -20 "$CS_DIR.tmp/install.log" >&2; exit 1; }
  rm -rf "$CS_DIR"; mv "$CS_DIR.tmp" "$CS_DIR"
fi
echo "setup-editors: code-server $CODE_SERVER_VERSION at $CS_DIR"

# --- the VS Code extension ----------------------------------------------------------
bash "$ROOT/client-vscode/scripts/build-vsix.sh"
