#!/usr/bin/env bash
# Tears down what up.sh started and leaves nothing: the pods (so the kubelet and CNI release their
# sandboxes), every daemon by its recorded PID, the containers' shims (children of our containerd,
# found by its socket), the mounts under the state dir, the network namespaces of our sandboxes,
# iptables chains (KUBE-*, CNI-*, ours), the bridge and the node's veth pair, the kubelet's
# cgroups, and the kernel settings, restored. Then the state dir itself is removed
# (--keep-state: kept, e.g. to read its logs). Safe to run when nothing is up.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
# shellcheck source=lib/cluster.sh
source "$HERE/lib/cluster.sh"
# shellcheck source=lib/network.sh
source "$HERE/lib/network.sh"

[[ "$(id -u)" -eq 0 ]] || die "the node needs root to be torn down"
keep_state=false
[[ "${1:-}" == "--keep-state" ]] && keep_state=true
if [[ ! -d "$STATE" ]]; then
  log "nothing to tear down ($STATE does not exist)"
  exit 0
fi
started=$(date +%s)

# stop <name>: SIGTERM to its recorded PID, SIGKILL after 10 s.
stop() {
  local pid t=0
  pid="$(pid_of "$1")" || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [[ $t -lt 50 ]]; do
      sleep 0.2
      t=$((t + 1))
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$1.pid"
}

# Pods first, while the API, the kubelet and CNI still run: their sandboxes are torn down properly.
if alive kube-apiserver && alive kubelet; then
  kubectl=("$KUBERNETES_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" --request-timeout=10s)
  "${kubectl[@]}" delete pods --all --all-namespaces --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    [[ -z "$(ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null)" ]] && break
    sleep 0.5
  done
fi
for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
  name="${DAEMONS[$i]}"
  if [[ "$name" == containerd ]] && alive containerd; then
    # Containers left (the kubelet stopped first): killed through containerd, which owns them.
    for task in $(ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    sleep 1
  fi
  stop "$name"
done
[[ -x "$KUBERNETES_BIN/kube-proxy" ]] && "$KUBERNETES_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true

# Shims of our containerd outlive it; each names our state dir on its command line.
for proc in /proc/[0-9]*; do
  if tr '\0' ' ' 2>/dev/null <"$proc/cmdline" | grep -q -- "containerd-shim.*$STATE/containerd"; then
    kill -KILL "${proc#/proc/}" 2>/dev/null || true
  fi
done

# Network namespaces of our sandboxes: those whose CNI results name our network.
for result in /var/lib/cni/results/"$CNI_NETWORK"-* /var/lib/cni/cache/results/"$CNI_NETWORK"-*; do
  [[ -f "$result" ]] || continue
  rm -f "$result"
done
if [[ -f "$STATE/netns.before" ]]; then
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-' || true); do
    grep -qx "$ns" "$STATE/netns.before" || ip netns delete "$ns" 2>/dev/null || true
  done
fi

# Mounts under the state dir (the kubelet's volumes, containerd's rootfs and shm), deepest first.
for _ in 1 2 3; do
  mounts="$(awk -v s="$STATE" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r)"
  [[ -z "$mounts" ]] && break
  while IFS= read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done <<<"$mounts"
done

remove_chains
remove_links
# The kubelet's cgroups (cgroupfs driver), deepest first, once their processes are gone.
for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/unified/kubepods; do
  [[ -d "$root" ]] && find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
restore_sysctls

left="$(awk -v s="$STATE" 'index($5, s) == 1' /proc/self/mountinfo | wc -l)"
[[ "$left" -eq 0 ]] || log "$left mounts under $STATE could not be unmounted"
if ! $keep_state; then
  [[ "$left" -eq 0 ]] && rm -rf "$STATE"
fi
log "torn down in $(($(date +%s) - started)) s"
