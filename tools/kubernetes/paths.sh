#!/usr/bin/env bash
# Prints where the single-node cluster's pieces are, as KEY=VALUE lines, for tests and scripts
# (test/kubernetes/support/cluster.ts reads them): the built binaries, the state dir, the admin
# kubeconfig, and the image tars images/build.sh makes (built or not).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
# shellcheck source=lib/cluster.sh
source "$HERE/lib/cluster.sh"
echo "KUBERNETES_BIN=$KUBERNETES_BIN"
echo "PROVIDER_BIN=$PROVIDER_BIN"
echo "PROVIDER_VERSION=$PROVIDER_VERSION"
echo "LOCAL_PATH_BIN=$LOCAL_PATH_BIN"
echo "COREDNS_BIN=$COREDNS_BIN"
echo "NODE_IMAGES=$NODE_IMAGES"
echo "STATE=$STATE"
echo "ADMIN_KUBECONFIG=$ADMIN_KUBECONFIG"
echo "NODE_IP=$NODE_IP"
for suite in $(grep -v '^#' "$K8S_TOOLS_ROOT/images/releases.txt" | awk '{print $1}'); do
  key="$(echo "$suite" | tr '[:lower:]' '[:upper:]')"
  echo "IMAGE_TAR_$key=$(bash "$K8S_TOOLS_ROOT/images/build.sh" --print-tar "$suite")"
  echo "IMAGE_NAME_$key=$(bash "$K8S_TOOLS_ROOT/images/build.sh" --print-name "$suite")"
done
