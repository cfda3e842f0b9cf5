#!/usr/bin/env bash
# Debian packages the tests use. Idempotent: skips what is installed.
set -euo pipefail
PKGS=(golang-go gcc make python3 g++)
for f in "$(dirname "$0")"/debian-packages.d/*.txt; do
  [ -f "$f" ] || continue
  while read -r p; do [ -n "$p" ] && [ "${p#\#}" = "$p" ] && PKGS+=("$p"); done < "$f"
done
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
