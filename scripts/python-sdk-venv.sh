#!/usr/bin/env bash
# The Python environment the SDK tests import sdk/python in: a venv with the `pulumi` Python package at
# the version of @pulumi/pulumi in package-lock.json and the other requirements of sdk/python/setup.py,
# every package pinned below, wheels only. Cached outside the repo, in
#   ${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pgcluster}/python-sdk-venv-<version>-<hash>
# and built once per pin list and interpreter (cold: ~25 s from PyPI on 2 cores; warm: instant).
# Prints that directory last. Needs python3 with the venv module (Debian: python3-venv) and PyPI or a
# pip mirror.
#
# Usage: scripts/python-sdk-venv.sh [--print-dir]   (--print-dir: only print where the venv goes)
# Env: PYTHON (default /usr/bin/python3, else python3 on PATH).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

# `pip freeze` of a venv with pulumi==3.248.0, parver, semver (sdk/python/setup.py's install_requires),
# and wheel (so pip can install sdk/python from its setup.py without build isolation).
REQUIREMENTS="debugpy==1.8.22
dill==0.4.1
googleapis-common-protos==1.76.0
grpcio==1.85.1
opentelemetry-api==1.45.2
opentelemetry-exporter-otlp-common==0.66b2
opentelemetry-exporter-otlp-proto-common==1.45.2
opentelemetry-exporter-otlp-proto-grpc==1.45.2
opentelemetry-instrumentation==0.66b2
opentelemetry-instrumentation-grpc==0.66b2
opentelemetry-proto==1.45.2
opentelemetry-sdk==1.45.2
opentelemetry-semantic-conventions==0.66b2
packaging==26.3
parver==1.0.1.post0
protobuf==6.33.6
pulumi==3.248.0
PyYAML==6.0.3
semver==3.1.1
typing_extensions==4.16.0
wheel==0.45.1
wrapt==2.5.2"

VERSION="$(node -p "require('$ROOT/package-lock.json').packages['node_modules/@pulumi/pulumi'].version")"
if ! grep -qx "pulumi==$VERSION" <<<"$REQUIREMENTS"; then
  echo "python-sdk-venv: @pulumi/pulumi is $VERSION but this script pins $(grep '^pulumi==' <<<"$REQUIREMENTS");" >&2
  echo "  update the pins: pip freeze of a fresh venv with pulumi==$VERSION parver semver wheel" >&2
  exit 1
fi

PYTHON="${PYTHON:-$(if [[ -x /usr/bin/python3 ]]; then echo /usr/bin/python3; else command -v python3; fi)}"
PY_VERSION="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
HASH="$(printf '%s\n%s\n%s\n' "$REQUIREMENTS" "$PYTHON" "$PY_VERSION" | sha256sum | cut -c1-12)"
VENV="${PGCLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgcluster}/python-sdk-venv-$VERSION-$HASH"
if [[ "${1:-}" == "--print-dir" ]]; then
  echo "$VENV"
  exit 0
fi
if [[ -f "$VENV/.complete" ]]; then
  echo "$VENV"
  exit 0
fi

start=$(date +%s)
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  echo "python-sdk-venv: $PYTHON has no venv/ensurepip module; on Debian: apt-get install -y python3-venv" >&2
  exit 1
fi
# Built in place; .complete, written last, marks a finished venv, so an interrupted build is redone.
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --only-binary=:all: \
  --requirement /dev/stdin <<<"$REQUIREMENTS"
"$VENV/bin/python" -c 'import pulumi, parver, semver'
touch "$VENV/.complete"
echo "python-sdk-venv: built $VENV in $(($(date +%s) - start)) s" >&2
echo "$VENV"
