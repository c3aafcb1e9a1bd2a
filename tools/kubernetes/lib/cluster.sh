# Sourced by up.sh and down.sh: the single-node cluster's addresses, ports and files. Every address
# is on this machine only: the node address sits on a veth pair of its own, pods on their own bridge.
# Ports stay clear of 15400-15460 and 21000-26999 (the local platform's tests).
STATE="${PGCLUSTER_K8S_STATE:-/var/lib/pgcluster-k8s}"
NODE_NAME=pgcluster-node
NODE_IF=pgck8s0             # interface holding the node address (one end of a veth pair)
NODE_IP=10.245.0.1          # apiserver, kubelet, CoreDNS and NodePorts listen here only
BRIDGE=pgcbr0               # the pods' bridge (CNI bridge plugin)
CNI_NETWORK=pgcluster
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24 # the first (only) node's range, as the controller-manager allocates it
SERVICE_CIDR=10.97.0.0/16
SERVICE_API_IP=10.97.0.1
APISERVER_PORT=16443
ETCD_CLIENT_PORT=16379
ETCD_PEER_PORT=16380
KUBELET_PORT=10250
KUBELET_HEALTHZ_PORT=16248
CONTROLLER_MANAGER_PORT=16257
SCHEDULER_PORT=16259
PROXY_HEALTHZ_PORT=16256
PROXY_METRICS_PORT=16249
CRI_STREAM_PORT=16010
CLUSTER_DOMAIN=cluster.local

PKI="$STATE/pki"
KUBECONFIGS="$STATE/kubeconfig"
ADMIN_KUBECONFIG="$KUBECONFIGS/admin.conf"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
LOCAL_PATH_DIR="$STATE/local-path"
# Kernel settings the node changes (ip_forward and bridge netfilter for pods and Services; the
# kubelet's own vm/kernel ones): saved by up, restored by down.
SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes
  net.ipv4.conf.all.route_localnet net.netfilter.nf_conntrack_max)
# Daemons in start order; down stops them in reverse.
DAEMONS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns local-path)

log() { echo "k8s: $*" >&2; }
die() {
  echo "k8s: $*" >&2
  exit 1
}
pid_of() { [[ -f "$PIDS/$1.pid" ]] && cat "$PIDS/$1.pid"; }
alive() {
  local pid
  pid="$(pid_of "$1")" && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}
