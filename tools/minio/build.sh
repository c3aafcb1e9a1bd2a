#!/usr/bin/env bash
# Builds the S3 server our backup tests run against: MinIO, from its Go module at the pinned
# pseudo-version (the module proxy serves MinIO only as pseudo-versions; `go list -m
# github.com/minio/minio@latest` names the newest). MinIO is AGPL: it is a test server here, built on
# the test machine, never shipped. Output cached outside the repo, in
#   ${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pgcluster}/minio-<version>/bin/minio
# and rebuilt only when the version or this script changes. Prints that directory last.
#
# Usage: tools/minio/build.sh [--print-bin]
# Env: GO (default: go on PATH, else /usr/local/go/bin/go); GOMODCACHE/GOCACHE as usual.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
CACHE="${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgcluster}/minio-$VERSION"
BIN="$CACHE/bin"
if [[ "${1:-}" == "--print-bin" ]]; then
  echo "$BIN"
  exit 0
fi

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
STAMP="$VERSION $(sha256sum "$HERE/build.sh" | cut -c1-16)"
if [[ -f "$BIN/.stamp" && "$(cat "$BIN/.stamp")" == "$STAMP" && -x "$BIN/minio" ]]; then
  echo "minio $VERSION: up to date"
  echo "$BIN"
  exit 0
fi

start=$(date +%s)
mkdir -p "$BIN"
rm -f "$BIN/.stamp"
echo "minio $VERSION: building into $BIN"
# GOTOOLCHAIN=local: build with the installed Go (the module asks for 1.24; newer Go builds it).
GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$BIN" "$GO" install -trimpath -ldflags "-s -w" \
  "github.com/minio/minio@$VERSION"
"$BIN/minio" --version >/dev/null
echo "$STAMP" >"$BIN/.stamp"
echo "minio $VERSION: built in $(($(date +%s) - start)) s"
echo "$BIN"
