# Sourced by up.sh: the cluster's own PKI (openssl), made once per state dir. Keys are 0600 in a
# 0700 directory; kubeconfigs embed their client certificates and are 0600 too.

# cert <name> <subject> [<subjectAltName>] [<extendedKeyUsage>]: a key and a certificate signed by the CA.
cert() {
  local name="$1" subject="$2" san="${3:-}" eku="${4:-clientAuth}"
  [[ -f "$PKI/$name.crt" ]] && return
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

# kubeconfig <file> <user cert name>: a kubeconfig for that user against the apiserver.
kubeconfig() {
  local file="$1" user="$2" b64
  b64() { base64 -w0 <"$1"; }
  (
    umask 077
    cat >"$file" <<CONF
apiVersion: v1
kind: Config
clusters:
  - name: pgcluster
    cluster:
      server: https://$NODE_IP:$APISERVER_PORT
      certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
  - name: $user
    user:
      client-certificate-data: $(b64 "$PKI/$user.crt")
      client-key-data: $(b64 "$PKI/$user.key")
contexts:
  - name: pgcluster
    context: { cluster: pgcluster, user: $user }
current-context: pgcluster
CONF
  )
}

make_pki() {
  mkdir -p "$PKI" "$KUBECONFIGS"
  chmod 0700 "$PKI" "$KUBECONFIGS"
  (
    umask 077
    if [[ ! -f "$PKI/ca.crt" ]]; then
      openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
      openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=pgcluster-kubernetes-ca" -days 3650 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$PKI/ca.crt" 2>/dev/null
    fi
    local api_san="IP:$SERVICE_API_IP,IP:$NODE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default"
    api_san+=",DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
    cert apiserver "/CN=kube-apiserver" "$api_san" serverAuth
    cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
    cert apiserver-etcd-client "/CN=kube-apiserver-etcd-client"
    cert etcd "/CN=etcd" "IP:127.0.0.1" serverAuth,clientAuth
    cert admin "/O=system:masters/CN=pgcluster-admin"
    cert controller-manager "/CN=system:kube-controller-manager"
    cert scheduler "/CN=system:kube-scheduler"
    cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
    cert kubelet-serving "/CN=$NODE_NAME" "IP:$NODE_IP,DNS:$NODE_NAME" serverAuth
    cert kube-proxy "/CN=system:kube-proxy"
    # The two node add-ons run beside the node with their own identities (RBAC in manifests/).
    cert coredns "/CN=pgcluster:coredns"
    cert local-path "/CN=pgcluster:local-path-provisioner"
    if [[ ! -f "$PKI/sa.key" ]]; then
      openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
      openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    fi
    rm -f "$PKI/ca.srl"
  )
  kubeconfig "$ADMIN_KUBECONFIG" admin
  for user in controller-manager scheduler kubelet kube-proxy coredns local-path; do
    kubeconfig "$KUBECONFIGS/$user.conf" "$user"
  done
}
