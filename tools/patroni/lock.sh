#!/usr/bin/env bash
# Regenerates requirements.txt (every package pinned, with its hashes) from requirements.in, with
# pip-tools in a throwaway venv made from Debian's /usr/bin/python3 (the Python the venv runs on).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check pip-tools==7.6.2
"$tmp/venv/bin/pip-compile" --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links \
  --no-emit-index-url --output-file "$HERE/requirements.txt" "$HERE/requirements.in"
sed -i "s#--output-file=.*requirements.txt#--output-file=requirements.txt#; s#[^ ]*/requirements.in#requirements.in#" \
  "$HERE/requirements.txt"
echo "wrote $HERE/requirements.txt"
