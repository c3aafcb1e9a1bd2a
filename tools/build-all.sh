#!/usr/bin/env bash
# Builds every tool the tests run, from its Go modules, in parallel, each cached outside the repo
# (see each tools/<tool>/build.sh): the Pulumi engine and MinIO. Prints each build's log and fails
# when one failed.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
names=(pulumi minio)
for name in "${names[@]}"; do
  bash "$HERE/$name/build.sh" >"$logs/$name.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!names[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "tools/${names[$i]}: build failed" >&2
    status=1
  fi
  sed "s/^/[${names[$i]}] /" "$logs/${names[$i]}.log"
done
exit $status
