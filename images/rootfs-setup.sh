#!/bin/sh
# Runs inside the image's root file system, in two phases, for images/Dockerfile and images/build.sh:
#   rootfs-setup.sh user                       before the packages: the postgres user, UID/GID 999
#                                              (provider/render/kubernetes/security.ts), so that
#                                              postgresql-common keeps it instead of picking its own
#   rootfs-setup.sh finish <requirements.txt>  after them: the pinned Patroni venv in /opt/patroni
#                                              (installed with its hashes), en_US.UTF-8, the data and
#                                              socket directories, no package lists or caches
set -eu
case "$1" in
user)
  # Plain files: passwd and adduser are not installed yet when mmdebstrap runs this.
  grep -q '^postgres:' /etc/group || echo 'postgres:x:999:' >>/etc/group
  grep -q '^postgres:' /etc/passwd ||
    echo 'postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/bash' >>/etc/passwd
  if [ -f /etc/shadow ] && ! grep -q '^postgres:' /etc/shadow; then echo 'postgres:!:19000::::::' >>/etc/shadow; fi
  ;;
finish)
  python3 -m venv /opt/patroni
  # PIP_CERT (optional): a CA bundle for reaching the package index from a build chroot.
  /opt/patroni/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes --no-deps -r "$2"
  /opt/patroni/bin/patroni --version
  sed -i 's/^# *\(en_US.UTF-8\)/\1/' /etc/locale.gen && locale-gen >/dev/null
  # The Debian packages' default cluster: the pods make their own with Patroni.
  for d in /var/lib/postgresql/*/; do [ -d "$d" ] && rm -rf "$d"; done
  rm -rf /etc/postgresql /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/log/*.log
  install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
  install -d -o postgres -g postgres -m 0775 /var/run/postgresql
  ;;
*)
  echo "usage: rootfs-setup.sh user | finish <requirements.txt>" >&2
  exit 2
  ;;
esac
