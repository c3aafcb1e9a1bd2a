# Sourced by up.sh and down.sh: the node's address, kernel settings and the pod network's fence.
ISOLATE_CHAIN=PGC-K8S-ISOLATE

save_sysctls() {
  [[ -f "$STATE/sysctl.saved" ]] && return
  local key
  for key in "${SYSCTLS[@]}"; do
    [[ -e "/proc/sys/${key//.//}" ]] && echo "$key=$(sysctl -n "$key")"
  done >"$STATE/sysctl.saved"
}

restore_sysctls() {
  [[ -f "$STATE/sysctl.saved" ]] || return 0
  local line
  while IFS= read -r line; do sysctl -q -w "$line" >/dev/null || log "could not restore $line"; done <"$STATE/sysctl.saved"
  rm -f "$STATE/sysctl.saved"
}

setup_network() {
  # The sandboxes' network namespaces are named cni-<id>; down.sh removes only those that are new.
  [[ -f "$STATE/netns.before" ]] || { ip netns list 2>/dev/null | awk '{print $1}' >"$STATE/netns.before"; }
  if ! ip link show "$NODE_IF" >/dev/null 2>&1; then
    # A veth pair (this kernel has no dummy devices): both ends up, so the address has a carrier.
    ip link add "$NODE_IF" type veth peer name "${NODE_IF}p"
    ip addr add "$NODE_IP/32" dev "$NODE_IF"
  fi
  ip link set "${NODE_IF}p" up
  ip link set "$NODE_IF" up
  # Services and pod-to-pod traffic through the bridge go through iptables (kube-proxy's rules).
  sysctl -q -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 >/dev/null
}

# Forwarded traffic may only stay inside the pod network: from pods to pods (Service traffic is
# DNATed to pods or the node before it is forwarded). Nothing from a pod is routed anywhere else,
# and nothing from outside is routed to a pod. The node itself reaches pods directly (not forwarded).
isolate_pod_network() {
  iptables -w -N "$ISOLATE_CHAIN" 2>/dev/null || iptables -w -F "$ISOLATE_CHAIN"
  iptables -w -A "$ISOLATE_CHAIN" -s "$POD_CIDR" -d "$POD_CIDR" -j RETURN
  iptables -w -A "$ISOLATE_CHAIN" -s "$POD_CIDR" -j DROP
  iptables -w -A "$ISOLATE_CHAIN" -d "$POD_CIDR" -j DROP
  iptables -w -C FORWARD -j "$ISOLATE_CHAIN" 2>/dev/null || iptables -w -I FORWARD 1 -j "$ISOLATE_CHAIN"
}

# Every chain the node's parts made (kube-proxy's and the kubelet's KUBE-*, CNI's CNI-*, ours),
# in both iptables back ends, with the rules that jump to them.
remove_chains() {
  local tool table chain rule
  for tool in iptables ip6tables iptables-legacy ip6tables-legacy; do
    command -v "$tool" >/dev/null || continue
    # Listing a legacy table would create it: look only at those the kernel already has.
    case "$tool" in
    iptables-legacy) [[ -s /proc/net/ip_tables_names ]] || continue ;;
    ip6tables-legacy) [[ -s /proc/net/ip6_tables_names ]] || continue ;;
    esac
    for table in filter nat mangle raw; do
      "$tool" -w -t "$table" -S >/dev/null 2>&1 || continue
      # Rules in the built-in chains that jump to ours, then our chains themselves.
      local jumps
      jumps="$("$tool" -w -t "$table" -S | grep -E -- '-j (KUBE|CNI|PGC)-' |
        grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ' || true)"
      while IFS= read -r rule; do
        [[ -n "$rule" ]] || continue
        # -S quotes comments the way a shell does, so eval splits the rule back into its words.
        eval "\"\$tool\" -w -t \"\$table\" ${rule/#-A/-D}" 2>/dev/null || true
      done <<<"$jumps"
      for chain in $("$tool" -w -t "$table" -S | sed -n -E 's/^-N ((KUBE|CNI|PGC)-[^ ]*)$/\1/p'); do
        "$tool" -w -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$tool" -w -t "$table" -S | sed -n -E 's/^-N ((KUBE|CNI|PGC)-[^ ]*)$/\1/p'); do
        "$tool" -w -t "$table" -X "$chain" 2>/dev/null || log "$tool -t $table: could not remove chain $chain"
      done
    done
  done
}

remove_links() {
  ip link del "$BRIDGE" 2>/dev/null || true
  ip link del "$NODE_IF" 2>/dev/null || true
}
