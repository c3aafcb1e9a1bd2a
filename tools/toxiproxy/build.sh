#!/usr/bin/env bash
# Builds the delaying TCP relay of the two-site tests and bench:replica: Shopify's toxiproxy, from its
# Go module at a pinned version. This machine's kernel has no netem, fq or etf qdisc (no
# CONFIG_NET_SCH_NETEM/FQ/ETF, no modules), so neither `tc ... netem` nor an EDT delay (a tc BPF
# program setting skb->tstamp needs fq to honour it) can delay packets; a userspace relay with a
# latency toxic in each direction does. Output cached outside the repo, in
#   ${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pgcluster}/toxiproxy-<version>/bin/toxiproxy-server
# and rebuilt only when the version or this script changes. Prints that directory last.
#
# Usage: tools/toxiproxy/build.sh [--print-bin]
# Env: GO (default: go on PATH, else /usr/local/go/bin/go); GOMODCACHE/GOCACHE as usual.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=v2.12.0
CACHE="${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgcluster}/toxiproxy-$VERSION"
BIN="$CACHE/bin"
if [[ "${1:-}" == "--print-bin" ]]; then
  echo "$BIN"
  exit 0
fi

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
STAMP="$VERSION $(sha256sum "$HERE/build.sh" | cut -c1-16)"
if [[ -f "$BIN/.stamp" && "$(cat "$BIN/.stamp")" == "$STAMP" && -x "$BIN/toxiproxy-server" ]]; then
  echo "toxiproxy $VERSION: up to date"
  echo "$BIN"
  exit 0
fi

start=$(date +%s)
mkdir -p "$BIN"
rm -f "$BIN/.stamp"
echo "toxiproxy $VERSION: building into $BIN"
GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$BIN" "$GO" install -trimpath -ldflags "-s -w" \
  "github.com/Shopify/toxiproxy/v2/cmd/server@$VERSION"
mv "$BIN/server" "$BIN/toxiproxy-server"
"$BIN/toxiproxy-server" -version >/dev/null
echo "$STAMP" >"$BIN/.stamp"
echo "toxiproxy $VERSION: built in $(($(date +%s) - start)) s"
echo "$BIN"
