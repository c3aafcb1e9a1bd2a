#!/usr/bin/env bash
# All set-up on a fresh Debian 12 machine: the Debian packages pgcluster runs (installed when run
# as root, otherwise the exact apt-get line is printed), the pinned Patroni (a venv keyed by its
# lock, tools/patroni/install.sh), the npm dependencies, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  postgresql-15 postgresql-client-15 # server binaries, psql, pgbench
  python3 python3-venv               # the Python of the pinned Patroni's venv and of the Python SDK tests
  patroni                            # Debian's Patroni 3.0.2: only the test that pgcluster refuses Patroni < 4 runs it
  etcd-server etcd-client            # DCS for the local platform
  pgbouncer                          # connection pooler
  pgbackrest                         # backups and WAL archive
  prometheus-postgres-exporter       # metrics
  faketime                           # tests: pgBackRest on a machine whose clock is off
  # The single-node Kubernetes of test/kubernetes (tools/kubernetes) and the image (images/build.sh)
  containerd runc containernetworking-plugins # the node's runtime and the pods' bridge network
  iptables conntrack socat                    # kube-proxy's Services, port-forward
  mmdebstrap busybox-static                   # the image from Debian packages; local-path's helper image
  zsh                                # tests: the generated zsh completion loads
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "pgcluster needs these Debian packages; install them as root with:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt (e.g. unattended-upgrades on a fresh machine) instead of failing at once.
  apt-get -o DPkg::Lock::Timeout=120 update -qq
  apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Patroni 4.1, pinned with hashes (tools/patroni/requirements.txt), in a venv the run user can read.
bash tools/patroni/install.sh 2> >(grep -v 'DEPRECATION: .* legacy .setup.py install' >&2)

# npm ci only when package-lock.json or Node changed since the last one (the stamp lives in
# node_modules, so removing node_modules installs again).
stamp="node_modules/.pgcluster-npm-ci"
want="$(sha256sum package-lock.json | cut -c1-64) node $(node --version)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "npm dependencies: up to date (package-lock.json and Node $(node --version) unchanged)" >&2
else
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
npm run build --silent
