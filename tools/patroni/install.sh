#!/usr/bin/env bash
# Installs the pinned Patroni (requirements.txt: every package with its hashes) into a virtual
# environment made from Debian's /usr/bin/python3, outside the repo and keyed by the lock:
#   $PGCLUSTER_PATRONI_VENV, else <cache>/patroni-<version>-<first 12 hex of sha256(requirements.txt)>
# where <cache> is /var/cache/pgcluster for root (the unprivileged user the clusters run as must be
# able to read it; root's home is closed to it) and ${XDG_CACHE_HOME:-~/.cache}/pgcluster otherwise.
# provider/platform/local/patroni.ts finds it by the same rule. Reinstalls only when the lock, this
# script or the Python changed. Prints the venv's directory last.
#
# Usage: tools/patroni/install.sh [--print-dir]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
LOCK="$HERE/requirements.txt"
PYTHON=/usr/bin/python3

VERSION="$(sed -n 's/^patroni==\([^ ]*\).*/\1/p' "$LOCK")"
if [[ -n "${PGCLUSTER_PATRONI_VENV:-}" ]]; then
  VENV="$PGCLUSTER_PATRONI_VENV"
else
  if [[ "$(id -u)" -eq 0 ]]; then cache=/var/cache/pgcluster; else cache="${XDG_CACHE_HOME:-$HOME/.cache}/pgcluster"; fi
  VENV="$cache/patroni-$VERSION-$(sha256sum "$LOCK" | cut -c1-12)"
fi
if [[ "${1:-}" == "--print-dir" ]]; then
  echo "$VENV"
  exit 0
fi

if [[ ! -x "$PYTHON" ]]; then
  echo "Patroni needs Debian's Python: $PYTHON not found (apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
STAMP="$VERSION $("$PYTHON" -c 'import sys; print(sys.version.split()[0])') $(cat "$LOCK" "$HERE/install.sh" | sha256sum | cut -c1-16)"
if [[ -f "$VENV/.stamp" && "$(cat "$VENV/.stamp")" == "$STAMP" && -x "$VENV/bin/patroni" ]]; then
  echo "patroni $VERSION: up to date"
  echo "$VENV"
  exit 0
fi

start=$(date +%s)
echo "patroni $VERSION: installing into $VENV"
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
chmod 0755 "$(dirname "$VENV")"
# A venv is not relocatable (its scripts name its path), so it is built in place; the stamp, written
# last, marks it complete.
(umask 022 && "$PYTHON" -m venv "$VENV")
(umask 022 && "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
  --require-hashes --no-deps -r "$LOCK")
"$VENV/bin/patroni" --version >/dev/null
chmod -R a+rX "$VENV"
echo "$STAMP" >"$VENV/.stamp"
echo "patroni $VERSION: installed in $(($(date +%s) - start)) s"
echo "$VENV"
