# Sourced by the scripts of tools/kubernetes: what is built, at which version, and where it goes.
# Every output lives outside the repo, under
#   ${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pgcluster}/<piece>-<version>/
# and each piece is rebuilt only when its stamp (version + a hash of its inputs) changes.
KUBERNETES_VERSION=1.36.3
PROVIDER_NPM_VERSION_FILE=package-lock.json # the plugin's version is @pulumi/kubernetes's, read from it
PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
LOCAL_PATH_VERSION=0.0.30
COREDNS_VERSION=1.14.7

K8S_TOOLS_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_TOOLS_ROOT="$(cd "$K8S_TOOLS_HERE/../.." && pwd)"
TOOLS_CACHE="${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgcluster}"
PROVIDER_VERSION="$(node -p "require('$K8S_TOOLS_ROOT/package-lock.json').packages['node_modules/@pulumi/kubernetes'].version")"

KUBERNETES_BIN="$TOOLS_CACHE/kubernetes-$KUBERNETES_VERSION/bin"
PROVIDER_BIN="$TOOLS_CACHE/pulumi-kubernetes-$PROVIDER_VERSION/bin"
LOCAL_PATH_BIN="$TOOLS_CACHE/local-path-provisioner-$LOCAL_PATH_VERSION/bin"
COREDNS_BIN="$TOOLS_CACHE/coredns-$COREDNS_VERSION/bin"
# Small images of the node (pause, the local-path helper), as OCI layout tars.
NODE_IMAGES="$TOOLS_CACHE/kubernetes-images"
PAUSE_IMAGE=pgcluster.local/pause:1
HELPER_IMAGE=pgcluster.local/busybox:1

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
# Heavy builds yield to everything else on the machine (benchmarks and timing tests run beside them).
NICE=(nice -n 19 ionice -c3)
