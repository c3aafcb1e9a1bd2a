#!/usr/bin/env bash
# Builds every tool the tests run, in parallel, each cached outside the repo (see each build.sh):
# the Pulumi engine, MinIO and toxiproxy (the two-site tests' delaying relay) from their Go
# modules, and the single-node Kubernetes of test/kubernetes (its binaries and provider plugin from
# Go modules) with the PostgreSQL 15 image it runs (mmdebstrap; needs root). Prints each build's log and fails when one failed.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
build() {
  case "$1" in
  kubernetes) bash "$HERE/kubernetes/build.sh" && bash "$ROOT/images/build.sh" bookworm ;;
  *) bash "$HERE/$1/build.sh" ;;
  esac
}
names=(pulumi minio toxiproxy)
if [[ "$(id -u)" == 0 ]]; then
  names+=(kubernetes)
else
  echo "tools/kubernetes: not built (a Kubernetes node and its image need root); the kubernetes tests need them" >&2
fi
pids=()
for name in "${names[@]}"; do
  build "$name" >"$logs/$name.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!names[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "tools/${names[$i]}: build failed" >&2
    status=1
  fi
  # pip's and mmdebstrap's progress lines say nothing a failure needs.
  grep -v -E '^(Collecting|  Downloading|  Preparing|  Running setup|Requirement|DEPRECATION)| ━' "$logs/${names[$i]}.log" |
    sed "s/^/[${names[$i]}] /"
done
exit $status
