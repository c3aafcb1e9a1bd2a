#!/usr/bin/env bash
# All set-up on a fresh Debian 12 machine: the Debian packages pgcluster runs (installed when run
# as root, otherwise the exact apt-get line is printed), the npm dependencies, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  postgresql-15 postgresql-client-15 # server binaries, psql, pgbench
  patroni python3-psycopg2           # HA agent (and the driver our pooler callback uses)
  etcd-server etcd-client            # DCS for the local platform
  pgbouncer                          # connection pooler
  pgbackrest                         # backups and WAL archive
  prometheus-postgres-exporter       # metrics
  python3-venv                       # the venv the Python SDK tests run in (scripts/python-sdk-venv.sh)
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
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
