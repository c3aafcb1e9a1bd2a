#!/usr/bin/env bash
# Builds the pgcluster image without a container engine or registry: mmdebstrap makes the root file
# system from Debian's packages (images/packages.txt, the same list images/Dockerfile installs),
# images/rootfs-setup.sh adds the postgres user and the pinned Patroni (tools/patroni/requirements.txt,
# with its hashes), and tools/kubernetes/oci-pack.mjs packs it as an OCI image layout tar, which
# `ctr images import` (and `skopeo copy oci-archive:...`) take. One image per Debian release and its
# PostgreSQL major (images/releases.txt). Cached outside the repo, keyed by its inputs:
#   <tools cache>/pgcluster-image-<suite>-<hash>/image.tar
# Prints the tar's path last; --print-tar only prints it; --print-name prints the image's name.
#
# Usage: images/build.sh [--print-tar|--print-name] [bookworm|trixie]   (default: bookworm)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source=../tools/kubernetes/versions.sh
source "$ROOT/tools/kubernetes/versions.sh"
mode=build
case "${1:-}" in --print-tar | --print-name)
  mode="${1#--print-}"
  shift
  ;;
esac
SUITE="${1:-bookworm}"
PG="$(awk -v s="$SUITE" '$1 == s {print $2}' "$HERE/releases.txt")"
[[ -n "$PG" ]] || {
  echo "images/build.sh: no image for Debian $SUITE; images/releases.txt has: $(grep -v '^#' "$HERE/releases.txt" | awk '{print $1}' | tr '\n' ' ')" >&2
  exit 2
}
LOCK="$ROOT/tools/patroni/requirements.txt"
PATRONI="$(sed -n 's/^patroni==\([^ ]*\).*/\1/p' "$LOCK")"
NAME="ghcr.io/pgcluster/postgres:$PG-patroni$PATRONI"
if [[ "$mode" == name ]]; then
  echo "$NAME"
  exit 0
fi
# The key: what goes into the image (the package list, the setup script, the lock, the suite) and
# RECIPE, bumped when the way it is built (below) changes what comes out.
RECIPE=1
HASH="$({ echo "$SUITE $PG $RECIPE"; cat "$HERE"/{packages.txt,rootfs-setup.sh} "$LOCK"; } | sha256sum | cut -c1-12)"
OUT="$TOOLS_CACHE/pgcluster-image-$SUITE-$HASH"
if [[ "$mode" == tar ]]; then
  echo "$OUT/image.tar"
  exit 0
fi
if [[ -f "$OUT/.stamp" ]]; then
  echo "image $NAME ($SUITE): up to date"
  echo "$OUT/image.tar"
  exit 0
fi
[[ "$(id -u)" -eq 0 ]] || {
  echo "images/build.sh: mmdebstrap needs root here (its root mode chroots into the new file system)" >&2
  exit 1
}
command -v mmdebstrap >/dev/null || {
  echo "images/build.sh: mmdebstrap not found (scripts/setup.sh installs it)" >&2
  exit 1
}

start=$(date +%s)
rm -rf "$OUT" && mkdir -p "$OUT"
packages="$(sed 's/#.*//' "$HERE/packages.txt" | sed "s/@PG@/$PG/g" | xargs | tr ' ' ',')"
# The build chroot reaches the package index with this machine's CA bundle (removed after), in a
# clean environment (none of this shell's PIP_*, REQUESTS_CA_BUNDLE, ... leak into the image's build).
chroot_env='env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 PIP_CERT=/tmp/pip-ca.crt REQUESTS_CA_BUNDLE=/tmp/pip-ca.crt' 
"${NICE[@]}" mmdebstrap --quiet --mode=root --variant=minbase --include="$packages" \
  --essential-hook='copy-in '"$HERE"'/rootfs-setup.sh /tmp' \
  --essential-hook='chroot "$1" '"$chroot_env"' sh /tmp/rootfs-setup.sh user' \
  --customize-hook='copy-in '"$LOCK"' /tmp' \
  --customize-hook='cp /etc/ssl/certs/ca-certificates.crt "$1/tmp/pip-ca.crt"' \
  --customize-hook='chroot "$1" '"$chroot_env"' sh /tmp/rootfs-setup.sh finish /tmp/requirements.txt' \
  --customize-hook='rm -f "$1"/tmp/rootfs-setup.sh "$1"/tmp/requirements.txt "$1"/tmp/pip-ca.crt' \
  "$SUITE" "$OUT/rootfs.tar" "deb http://deb.debian.org/debian $SUITE main"
echo "image $NAME: root file system in $(($(date +%s) - start)) s ($(du -m "$OUT/rootfs.tar" | cut -f1) MB)"
cat >"$OUT/config.json" <<JSON
{
  "User": "999:999",
  "WorkingDir": "/var/lib/postgresql",
  "Env": ["LANG=C.UTF-8", "PATH=/opt/patroni/bin:/usr/lib/postgresql/$PG/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  "ExposedPorts": { "5432/tcp": {}, "8008/tcp": {} },
  "Cmd": ["patroni", "/etc/patroni/patroni.yml"],
  "Labels": { "org.opencontainers.image.title": "pgcluster PostgreSQL $PG with Patroni $PATRONI (Debian $SUITE)" }
}
JSON
node "$K8S_TOOLS_HERE/oci-pack.mjs" --rootfs "$OUT/rootfs.tar" --name "$NAME" --out "$OUT/image.tar" --config "$OUT/config.json"
rm -f "$OUT/rootfs.tar"
echo "$NAME" >"$OUT/.stamp"
# Older builds of this suite (other inputs) are not needed any more.
for old in "$TOOLS_CACHE/pgcluster-image-$SUITE-"*; do [[ "$old" == "$OUT" ]] || rm -rf "$old"; done
echo "image $NAME ($SUITE): built in $(($(date +%s) - start)) s"
echo "$OUT/image.tar"
