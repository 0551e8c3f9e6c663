#!/usr/bin/env bash
# Installs the Debian dependencies (containers/install-deps.sh, the one list) and builds
# partonflow into build/ (configured once, rebuilt incrementally).  Extra arguments go to
# `meson setup` on first configuration, e.g. tools/setup.sh -Dcuda=disabled.
set -euo pipefail
cd "$(dirname "$0")/.."
bash containers/install-deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Quiet on success; on failure the full configure/compile output is shown.
if [ ! -f build/build.ninja ]; then
  meson setup build "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "setup: meson setup failed" >&2; exit 1; }
fi
meson compile -C build >"$log" 2>&1 || { cat "$log" >&2; echo "setup: meson compile failed" >&2; exit 1; }
echo "partonflow built: $(./build/partonflow --version)" >&2
# the Python package (python/, docs/python.md), built by the same meson compile
if [ -d build/python/partonflow ]; then
  PYTHONPATH=build/python /usr/bin/python3 -c 'import partonflow' ||
    { echo "setup: the Python package partonflow was built but does not import" >&2; exit 1; }
  echo "python package: PYTHONPATH=$PWD/build/python (import partonflow)" >&2
fi
