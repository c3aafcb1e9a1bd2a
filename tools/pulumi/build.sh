#!/usr/bin/env bash
# Builds the Pulumi engine our acceptance tests (and later the policy pack and SDK generation) run:
# the `pulumi` CLI and the Node.js language host, from their Go modules at the version of
# @pulumi/pulumi in package-lock.json, the YAML language host (pulumi-yaml, pinned below), plus the launchers the engine expects for Node dynamic
# providers and policy packs. Outputs are cached outside the repo, in
#   ${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pgcluster}/pulumi-<version>/bin
# and rebuilt only when the version (or this script's inputs) change. Prints that directory last.
#
# Usage: tools/pulumi/build.sh [--print-bin]   (--print-bin: only print where the binaries go)
# Env: GO (default: go on PATH, else /usr/local/go/bin/go); GOMODCACHE/GOCACHE as usual.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

VERSION="$(node -p "require('$ROOT/package-lock.json').packages['node_modules/@pulumi/pulumi'].version")"
# The YAML language host: a Go program whose module is served, so a non-Node program runs for real.
YAML_VERSION=v1.25.0
CACHE="${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgcluster}/pulumi-$VERSION"
BIN="$CACHE/bin"
if [[ "${1:-}" == "--print-bin" ]]; then
  echo "$BIN"
  exit 0
fi

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
# The stamp covers the version and every input of the build, so editing a launcher rebuilds too.
STAMP="$VERSION yaml-$YAML_VERSION $(cat "$HERE/build.sh" "$HERE/wrapper.sh" "$HERE"/launchers/* | sha256sum | cut -c1-16)"
if [[ -f "$BIN/.stamp" && "$(cat "$BIN/.stamp")" == "$STAMP" ]]; then
  echo "pulumi engine $VERSION: up to date"
  echo "$BIN"
  exit 0
fi

start=$(date +%s)
mkdir -p "$BIN"
rm -f "$BIN/.stamp"
# shellcheck source=wrapper.sh
source "$HERE/wrapper.sh"
write_wrapper_module "$CACHE/src" "$VERSION"

echo "pulumi engine $VERSION: building into $BIN"
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION"
build_binary() { # <package> <output name>
  local t=$(date +%s)
  (cd "$CACHE/src" && CGO_ENABLED=0 "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$BIN/$2" "$1")
  echo "  $2: built in $(($(date +%s) - t)) s"
}
build_binary github.com/pulumi/pulumi/pkg/v3/cmd/pulumi pulumi
if [[ -n "$LANGUAGE_HOST_MODULE" ]]; then
  build_binary "$LANGUAGE_HOST_MODULE" pulumi-language-nodejs
else
  # The 403 above is expected: say so, and what stands in for the language host.
  echo "pulumi engine $VERSION: that 403 is expected: the module proxy does not serve the Node.js language host." >&2
  echo "  Nothing is missing for pgcluster: Node.js programs run through @pulumi/pulumi's own in-process language" >&2
  echo "  host (tools/pulumi/program-host.mjs, pulumi ... --client), and Node.js policy packs through the" >&2
  echo "  pulumi-analyzer-policy-nodejs launcher. See tools/pulumi/README.md." >&2
fi
t=$(date +%s)
# Its own module (pulumi-yaml requires pkg/v3 v3.206.0 and has no replace lines): go install works.
GOFLAGS="-mod=mod" CGO_ENABLED=0 GOBIN="$BIN" "$GO" install -trimpath -ldflags "-s -w" \
  "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$YAML_VERSION"
echo "  pulumi-language-yaml $YAML_VERSION: built in $(($(date +%s) - t)) s"
install -m 0755 "$HERE"/launchers/* "$BIN/"
# Without a Node.js language plugin the engine starts a Node.js policy pack as the analyzer plugin
# `pulumi-analyzer-policy-nodejs` (policy-<runtime>); it is the same launcher.
ln -sf pulumi-analyzer-policy "$BIN/pulumi-analyzer-policy-nodejs"

"$BIN/pulumi" version >/dev/null
echo "$STAMP" >"$BIN/.stamp"
echo "pulumi engine $VERSION: built in $(($(date +%s) - start)) s"
echo "$BIN"
