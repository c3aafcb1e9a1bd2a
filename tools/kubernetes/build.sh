#!/usr/bin/env bash
# Builds what a single-node Kubernetes for our tests needs, from Go modules and Debian packages only:
#   kubernetes   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl
#                (k8s.io/kubernetes, through the wrapper module modules/kubernetes: go.mod + go.sum)
#   provider     pulumi-resource-kubernetes at the version of @pulumi/kubernetes in package-lock.json
#                (its Go module through the wrapper module modules/provider)
#   local-path   rancher's local-path-provisioner (dynamic volumes, run beside the node)
#   coredns      CoreDNS (cluster DNS, run beside the node, forwarding nowhere)
#   images       the pause image (a static Go binary) and the local-path helper image (Debian's
#                busybox-static), as OCI layout tars
# into ${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pgcluster}/<piece>-<version>/ (see
# versions.sh). Each piece has a stamp (version + hash of its inputs and recipe) and is rebuilt only
# when it changes. Prints each piece's time, then the kubernetes bin directory last.
#
# Usage: tools/kubernetes/build.sh [--print-bin] [piece...]   (default: every piece)
set -euo pipefail
# shellcheck source=versions.sh
source "$(dirname "$0")/versions.sh"
HERE="$K8S_TOOLS_HERE"
if [[ "${1:-}" == "--print-bin" ]]; then
  echo "$KUBERNETES_BIN"
  exit 0
fi
export GOFLAGS="-modcacherw"
export CGO_ENABLED=0

# up_to_date <dir> <stamp>: the piece in <dir> was built from exactly these inputs.
up_to_date() { [[ -f "$1/.stamp" && "$(cat "$1/.stamp")" == "$2" ]]; }
# stamp_of <version> <recipe function> <input files...>
stamp_of() {
  local version="$1" recipe="$2"
  shift 2
  echo "$version $({ declare -f "$recipe"; cat "$@"; } | sha256sum | cut -c1-16)"
}

build_kubernetes() {
  local src="$HERE/modules/kubernetes" v="v$KUBERNETES_VERSION"
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION%%.*}"
  ldflags+=" -X k8s.io/component-base/version.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$v"
  local cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
  # -mod=readonly: the committed go.sum is the lock; a missing sum fails instead of being fetched.
  (cd "$src" && GOFLAGS="$GOFLAGS -mod=readonly" "${NICE[@]}" "$GO" build -trimpath -ldflags "$ldflags" \
    -o "$1/" "${cmds[@]/#/k8s.io/kubernetes/cmd/}")
  "$1/kube-apiserver" --version | grep -q "$v"
}

build_provider() {
  local src="$TOOLS_CACHE/pulumi-kubernetes-src"
  rm -rf "$src" && mkdir -p "$src"
  cp "$HERE"/modules/provider/{go.mod,go.sum,main.go} "$src/"
  # cmd/pulumi-resource-kubernetes embeds files its go:generate step writes (not in the module): the
  # schema with its version set, and the terraform mapping, both re-serialized as compact JSON.
  # `go list -m` names the module's directory only once it is in the module cache: on a fresh
  # machine it printed nothing (and the schema was looked for at /cmd/...), so download it first.
  local module
  (cd "$src" && GONOSUMDB=github.com/pulumi GOFLAGS="$GOFLAGS -mod=readonly" "$GO" mod download "$PROVIDER_MODULE")
  module="$(cd "$src" && GONOSUMDB=github.com/pulumi "$GO" list -m -f '{{.Dir}}' "$PROVIDER_MODULE")"
  if [[ -z "$module" || ! -d "$module/cmd/pulumi-resource-kubernetes" ]]; then
    echo "pulumi-resource-kubernetes: $PROVIDER_MODULE is not in the module cache after go mod download" >&2
    return 1
  fi
  node -e '
    const fs = require("fs");
    const [dir, out, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(`${dir}/schema.json`, "utf8"));
    schema.version = version;
    fs.writeFileSync(`${out}/schema-embed.json`, JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(`${dir}/terraform-mapping.json`, "utf8"));
    fs.writeFileSync(`${out}/terraform-mapping-embed.json`, JSON.stringify(mapping));
  ' "$module/cmd/pulumi-resource-kubernetes" "$src" "$PROVIDER_VERSION"
  # The checksum database has no entry for some Pulumi modules; go.sum pins them (as tools/pulumi).
  (cd "$src" && GONOSUMDB=github.com/pulumi GOFLAGS="$GOFLAGS -mod=readonly" "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-s -w -X $PROVIDER_MODULE/pkg/version.Version=$PROVIDER_VERSION" -o "$1/pulumi-resource-kubernetes" .)
}

build_local_path() {
  # Its go.mod has no replace lines: `go install module@version` builds it against its own go.sum.
  GOBIN="$1" "${NICE[@]}" "$GO" install -trimpath -ldflags "-s -w" \
    "github.com/rancher/local-path-provisioner@v$LOCAL_PATH_VERSION"
}

build_coredns() {
  GOBIN="$1" "${NICE[@]}" "$GO" install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@v$COREDNS_VERSION"
  "$1/coredns" -version | grep -q "$COREDNS_VERSION"
}

# pack_dir <rootfs dir> <image name> <out tar> <config json>
pack_dir() {
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$1.tar" .
  printf '%s' "$4" >"$1.config.json"
  node "$HERE/oci-pack.mjs" --rootfs "$1.tar" --name "$2" --out "$3" --config "$1.config.json"
  rm -rf "$1" "$1.tar" "$1.config.json"
}

build_images() {
  local work="$1/work"
  rm -rf "$work" && mkdir -p "$work/pause"
  (cd "$HERE/pause" && "$GO" build -trimpath -ldflags "-s -w" -o "$work/pause/pause" .)
  pack_dir "$work/pause" "$PAUSE_IMAGE" "$1/pause.tar" '{"Entrypoint":["/pause"]}'
  # The helper pods of local-path-provisioner run `sh -c` with mkdir, rm and chmod.
  mkdir -p "$work/helper/bin" "$work/helper/tmp"
  cp /bin/busybox "$work/helper/bin/busybox"
  for tool in sh mkdir rm rmdir chmod chown ls cat sleep; do ln -s busybox "$work/helper/bin/$tool"; done
  pack_dir "$work/helper" "$HELPER_IMAGE" "$1/helper.tar" '{"Env":["PATH=/bin"],"Cmd":["sh"]}'
  rm -rf "$work"
}

# piece <name> <dir> <version> <recipe> <input files...>
piece() {
  local name="$1" dir="$2" version="$3" recipe="$4" stamp t
  shift 4
  stamp="$(stamp_of "$version" "$recipe" "$@")"
  if up_to_date "$dir" "$stamp"; then
    echo "$name $version: up to date"
    return
  fi
  t=$(date +%s)
  echo "$name $version: building into $dir"
  mkdir -p "$dir"
  rm -f "$dir/.stamp"
  "$recipe" "$dir"
  echo "$stamp" >"$dir/.stamp"
  echo "$name $version: built in $(($(date +%s) - t)) s"
}

pieces=("$@")
[[ ${#pieces[@]} -gt 0 ]] || pieces=(kubernetes provider local-path coredns images)
start=$(date +%s)
for p in "${pieces[@]}"; do
  case "$p" in
  kubernetes) piece kubernetes "$KUBERNETES_BIN" "$KUBERNETES_VERSION" build_kubernetes \
    "$HERE"/modules/kubernetes/go.{mod,sum} ;;
  provider) piece pulumi-resource-kubernetes "$PROVIDER_BIN" "$PROVIDER_VERSION" build_provider \
    "$HERE"/modules/provider/{go.mod,go.sum,main.go} ;;
  local-path) piece local-path-provisioner "$LOCAL_PATH_BIN" "$LOCAL_PATH_VERSION" build_local_path /dev/null ;;
  coredns) piece coredns "$COREDNS_BIN" "$COREDNS_VERSION" build_coredns /dev/null ;;
  images) piece node-images "$NODE_IMAGES" 1 build_images "$HERE"/pause/* "$HERE/oci-pack.mjs" /bin/busybox ;;
  *)
    echo "unknown piece $p: use kubernetes, provider, local-path, coredns or images" >&2
    exit 2
    ;;
  esac
done
echo "kubernetes tools: done in $(($(date +%s) - start)) s"
echo "$KUBERNETES_BIN"
