#!/usr/bin/env bash
# Installs the Debian dependencies (containers/install-deps.sh, the one list) and builds
# partonflow into build/ (configured once, rebuilt incrementally).  Extra arguments go to
# `meson setup` on first configuration, e.g. tools/setup.sh -Dcuda=disabled.
set -euo pipefail
cd "$(dirname "$0")/.."
bash containers/install-deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build "$@" >/dev/null
fi
meson compile -C build >/dev/null
echo "partonflow built: $(./build/partonflow --version)" >&2
