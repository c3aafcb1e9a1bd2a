#!/usr/bin/env bash
# Generates the Python and Go SDKs (sdk/python, sdk/go) from schema.json with Pulumi's own code
# generators, at the version of @pulumi/pulumi in package-lock.json. `--check` generates into a temp
# dir and compares with the checked-in sdk/: exit 1 with the list of stale files when they differ.
#
# `pulumi package gen-sdk` hands generation to the language plugin (pulumi-language-python/-go), which
# the Go module proxy does not serve (403), so the CLI built by tools/pulumi stops with "no language
# plugin 'pulumi-language-python' found". tools/pulumi/gen-sdk makes the same calls those plugins make
# (codegen/python and codegen/go of github.com/pulumi/pulumi/pkg/v3); it is built once per version
# into the tools cache. For Go, `go mod tidy` then writes sdk/go/go.sum. See docs/sdks.md.
#
# Usage: scripts/gen-sdk.sh [--check]
# Env: GO (default: go on PATH, else /usr/local/go/bin/go); PGCLUSTER_TOOLS_CACHE as in tools/pulumi;
# PGCLUSTER_SDK_DIR (default: sdk/) the SDK directory to write or check (the tests check edited copies).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SDK_DIR="${PGCLUSTER_SDK_DIR:-$ROOT/sdk}"
TOOL_SRC="$ROOT/tools/pulumi/gen-sdk"
MODE="${1:-generate}"
case "$MODE" in generate | --check) ;; *)
  echo "usage: scripts/gen-sdk.sh [--check]" >&2
  exit 2
  ;;
esac

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
# Pulumi's modules have no checksum-database entry for some releases (see tools/pulumi/wrapper.sh);
# they are pinned by tools/pulumi/gen-sdk/go.sum and sdk/go/go.sum. GOTOOLCHAIN=local: never fetch a
# toolchain. -mod=readonly: generation never edits a go.mod it did not write.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi"
export GOTOOLCHAIN=local
export GOFLAGS="$(echo "${GOFLAGS:-}" | sed -E 's/(^| )-mod=[a-z]+//g') -mod=readonly"

VERSION="$(node -p "require('$ROOT/package-lock.json').packages['node_modules/@pulumi/pulumi'].version")"
PINNED="$(cd "$TOOL_SRC" && "$GO" list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"
if [[ "$PINNED" != "v$VERSION" ]]; then
  echo "gen-sdk: @pulumi/pulumi is $VERSION but tools/pulumi/gen-sdk pins pkg/v3 $PINNED; update it with" >&2
  echo "  (cd tools/pulumi/gen-sdk && GONOSUMDB=github.com/pulumi/pulumi GOFLAGS=-mod=mod go get github.com/pulumi/pulumi/pkg/v3@v$VERSION && go mod tidy)" >&2
  exit 1
fi

# The generator, rebuilt when its sources change.
STAMP="$(cat "$TOOL_SRC/main.go" "$TOOL_SRC/go.mod" "$TOOL_SRC/go.sum" | sha256sum | cut -c1-16)"
TOOL_DIR="${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgcluster}/pulumi-gen-sdk-$VERSION-$STAMP"
TOOL="$TOOL_DIR/pulumi-gen-sdk"
if [[ ! -x "$TOOL" ]]; then
  t=$(date +%s)
  echo "gen-sdk: building the generator (codegen of pulumi/pkg/v3 $VERSION) into $TOOL_DIR" >&2
  mkdir -p "$TOOL_DIR"
  partial="$(mktemp "$TOOL.XXXXXX")"
  (cd "$TOOL_SRC" && CGO_ENABLED=0 "$GO" build -trimpath -o "$partial" .)
  mv "$partial" "$TOOL"
  for previous in "$(dirname "$TOOL_DIR")"/pulumi-gen-sdk-*; do
    [[ "$previous" == "$TOOL_DIR" ]] || rm -rf "$previous"
  done
  echo "gen-sdk: generator built in $(($(date +%s) - t)) s" >&2
fi

# Writes both SDKs into <dir>/python and <dir>/go.
generate() { # <dir>
  "$TOOL" "$ROOT/schema.json" python "$1/python"
  "$TOOL" "$ROOT/schema.json" go "$1/go"
  # go.sum from the module cache (or the proxy). tidy raises the go line to the highest a dependency
  # needs, which depends only on the dependencies; no toolchain line, which would name the local Go.
  (cd "$1/go" && GOFLAGS="${GOFLAGS/-mod=readonly/}" "$GO" mod tidy && "$GO" mod edit -toolchain=none)
}

if [[ "$MODE" == "--check" ]]; then
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT
  generate "$TMP"
  stale=0
  for lang in python go; do
    # What the SDK's own .gitignore ignores (bytecode, build output) is not part of it.
    ignored=()
    if [[ -f "$TMP/$lang/.gitignore" ]]; then
      while read -r pattern; do [[ -n "$pattern" ]] && ignored+=(-x "$pattern"); done <"$TMP/$lang/.gitignore"
    fi
    if ! diff -r -q "${ignored[@]}" "$SDK_DIR/$lang" "$TMP/$lang" >"$TMP/diff-$lang" 2>&1; then
      stale=1
      sed -e "s|$TMP/|(generated) |g" -e "s|$ROOT/||g" "$TMP/diff-$lang" >&2
      diff -r -u "${ignored[@]}" "$SDK_DIR/$lang" "$TMP/$lang" 2>/dev/null | grep -v '^Only in' |
        sed -e "s|$TMP/|(generated) |g" -e "s|$ROOT/||g" | head -40 >&2 || true
    fi
  done
  if [[ "$stale" -ne 0 ]]; then
    echo "gen-sdk: sdk/ is stale for schema.json; run npm run sdk and commit the result" >&2
    exit 1
  fi
  echo "gen-sdk: sdk/python and sdk/go are up to date with schema.json"
  exit 0
fi

# Generate next to sdk/ and swap, so a failed run leaves the checked-in SDKs as they were.
mkdir -p "$SDK_DIR"
TMP="$(mktemp -d "$SDK_DIR/.gen-XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
generate "$TMP"
for lang in python go; do
  rm -rf "${SDK_DIR:?}/$lang"
  mv "$TMP/$lang" "$SDK_DIR/$lang"
done
echo "gen-sdk: wrote sdk/python and sdk/go from schema.json (pulumi codegen $VERSION)"
