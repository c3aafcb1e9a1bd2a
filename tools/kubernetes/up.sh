#!/usr/bin/env bash
# Starts a single-node Kubernetes under a state dir (PGCLUSTER_K8S_STATE, default
# /var/lib/pgcluster-k8s), from what tools/kubernetes/build.sh built: etcd (Debian), the control
# plane with its own PKI and RBAC on, containerd (Debian) and the kubelet, kube-proxy (iptables),
# CoreDNS and local-path-provisioner (the default StorageClass `local-path`). Every address is on
# this machine: the node's (10.245.0.1) on a veth pair of its own, the pods' on their own bridge, with
# forwarded traffic that would leave the pod network dropped. Images in $PGCLUSTER_K8S_IMAGES
# (OCI tars, space-separated) are imported too. Idempotent: a running cluster is left as it is.
# Prints the admin kubeconfig's path on its last line. tools/kubernetes/down.sh undoes all of it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
# shellcheck source=lib/cluster.sh
source "$HERE/lib/cluster.sh"
# shellcheck source=lib/pki.sh
source "$HERE/lib/pki.sh"
# shellcheck source=lib/config.sh
source "$HERE/lib/config.sh"
# shellcheck source=lib/network.sh
source "$HERE/lib/network.sh"

[[ "$(id -u)" -eq 0 ]] || die "the node needs root (containerd, mounts, iptables)"
KUBECTL=("$KUBERNETES_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG")

preflight() {
  local missing=()
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    [[ -x "$KUBERNETES_BIN/$b" ]] || missing+=("$KUBERNETES_BIN/$b")
  done
  [[ -x "$COREDNS_BIN/coredns" ]] || missing+=("$COREDNS_BIN/coredns")
  [[ -x "$LOCAL_PATH_BIN/local-path-provisioner" ]] || missing+=("$LOCAL_PATH_BIN/local-path-provisioner")
  [[ -f "$NODE_IMAGES/pause.tar" ]] || missing+=("$NODE_IMAGES/pause.tar")
  [[ ${#missing[@]} -eq 0 ]] || die "not built: ${missing[*]} (run npm run tools:kubernetes)"
  for cmd in etcd containerd runc iptables conntrack socat openssl /usr/lib/cni/bridge; do
    command -v "$cmd" >/dev/null || die "$cmd not found (run scripts/setup.sh: it installs the node's Debian packages)"
  done
}

# start <name> <command...>: a daemon in its own session, stdio to its log, its PID recorded.
start() {
  local name="$1"
  shift
  if alive "$name"; then return; fi
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$PIDS/$name.pid"
}

# wait_for <what> <seconds> <command...>: polls until the command succeeds.
wait_for() {
  local what="$1" limit="$2" t=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    t=$((t + 1))
    if [[ $t -ge $((limit * 5)) ]]; then
      log "$what: not up after ${limit} s; last lines of its logs:"
      for f in "$LOGS"/*.log; do tail -n 5 "$f" | sed "s|^|  $(basename "$f" .log): |" >&2; done
      exit 1
    fi
    sleep 0.2
  done
}

start_control_plane() {
  start etcd etcd --name "$NODE_NAME" --data-dir "$STATE/etcd" \
    --listen-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "$NODE_NAME=http://127.0.0.1:$ETCD_PEER_PORT" \
    --cert-file "$PKI/etcd.crt" --key-file "$PKI/etcd.key" --client-cert-auth --trusted-ca-file "$PKI/ca.crt" \
    --listen-metrics-urls "" --log-level warn
  start kube-apiserver "$KUBERNETES_BIN/kube-apiserver" \
    --advertise-address "$NODE_IP" --bind-address "$NODE_IP" --secure-port "$APISERVER_PORT" \
    --etcd-servers "https://127.0.0.1:$ETCD_CLIENT_PORT" --etcd-cafile "$PKI/ca.crt" \
    --etcd-certfile "$PKI/apiserver-etcd-client.crt" --etcd-keyfile "$PKI/apiserver-etcd-client.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --client-ca-file "$PKI/ca.crt" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --profiling=false
  wait_for "kube-apiserver" 60 "${KUBECTL[@]}" get --raw /readyz
  start kube-controller-manager "$KUBERNETES_BIN/kube-controller-manager" \
    --kubeconfig "$KUBECONFIGS/controller-manager.conf" \
    --authentication-kubeconfig "$KUBECONFIGS/controller-manager.conf" \
    --authorization-kubeconfig "$KUBECONFIGS/controller-manager.conf" \
    --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" --leader-elect=false \
    --use-service-account-credentials --root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --allocate-node-cidrs --cluster-cidr "$POD_CIDR" --node-cidr-mask-size 24 --service-cluster-ip-range "$SERVICE_CIDR" \
    --profiling=false
  start kube-scheduler "$KUBERNETES_BIN/kube-scheduler" \
    --kubeconfig "$KUBECONFIGS/scheduler.conf" --authentication-kubeconfig "$KUBECONFIGS/scheduler.conf" \
    --authorization-kubeconfig "$KUBECONFIGS/scheduler.conf" \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --leader-elect=false --profiling=false
}

ctr_() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

import_images() {
  local tar
  for tar in "$NODE_IMAGES/pause.tar" "$NODE_IMAGES/helper.tar" ${PGCLUSTER_K8S_IMAGES:-}; do
    ctr_ images import "$tar" >/dev/null || die "ctr images import $tar failed"
  done
}

start_node() {
  start containerd containerd --config "$STATE/containerd/config.toml"
  wait_for containerd 30 ctr_ version
  import_images
  start kubelet "$KUBERNETES_BIN/kubelet" --config "$STATE/kubelet/config.yaml" \
    --kubeconfig "$KUBECONFIGS/kubelet.conf" --root-dir "$STATE/kubelet/root" --cert-dir "$STATE/kubelet/pki" \
    --node-ip "$NODE_IP" --hostname-override "$NODE_NAME"
  start kube-proxy "$KUBERNETES_BIN/kube-proxy" --config "$STATE/kube-proxy.yaml"
  wait_for "node $NODE_NAME Ready" 90 "${KUBECTL[@]}" wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
}

start_addons() {
  "${KUBECTL[@]}" apply -f "$HERE/manifests/node-addons.yaml" >/dev/null
  start coredns "$COREDNS_BIN/coredns" -conf "$STATE/coredns/Corefile"
  start local-path "$LOCAL_PATH_BIN/local-path-provisioner" start --kubeconfig "$KUBECONFIGS/local-path.conf" \
    --config "$STATE/local-path.json" --namespace local-path-storage --helper-image "$HELPER_IMAGE" \
    --service-account-name local-path-provisioner-service-account
  sleep 1
  for name in coredns local-path; do
    alive "$name" || die "$name exited at once: $(tail -n 5 "$LOGS/$name.log")"
  done
  # The kubelet refuses pods in a namespace until the default ServiceAccount exists.
  wait_for "default ServiceAccount" 30 "${KUBECTL[@]}" get serviceaccount default -n default
}

if alive kube-apiserver && alive kubelet && "${KUBECTL[@]}" get --raw /readyz >/dev/null 2>&1; then
  log "already running under $STATE"
  [[ -z "${PGCLUSTER_K8S_IMAGES:-}" ]] || import_images
  start_addons
  echo "$ADMIN_KUBECONFIG"
  exit 0
fi
preflight
started=$(date +%s)
mkdir -p "$STATE" "$PIDS" "$LOGS"
chmod 0700 "$STATE"
save_sysctls
setup_network
make_pki
write_configs
start_control_plane
start_node
isolate_pod_network
start_addons
log "single-node Kubernetes v$KUBERNETES_VERSION ready in $(($(date +%s) - started)) s (state: $STATE)"
echo "$ADMIN_KUBECONFIG"
