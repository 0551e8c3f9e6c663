#!/usr/bin/env bash
# The one place that lists partonflow's system dependencies (Debian 12 packages).
# Used by the README, .ci/run and containers/partonflow.def, so all three agree.
# Idempotent: installs only what is missing and is quiet when everything is present.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config meson ninja-build git
  openmpi-bin libopenmpi-dev
  libhdf5-openmpi-dev hdf5-tools
  libgsl-dev libyaml-dev libcmocka-dev libopenblas-dev
  snakemake graphviz
  python3 python3-h5py python3-numpy python3-scipy python3-matplotlib
  python3-jsonschema python3-yaml python3-pytest
  python3-dev python3-torch
  clang libclang-rt-14-dev   # the fuzz targets (tools/fuzz.sh): clang's libFuzzer and sanitizers
  slurmctld slurmd slurm-client munge   # the real-SLURM workflow test (tools/slurm-local.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (tools/report_assets.sh): Debian's package unless an npm is already on PATH
command -v npm >/dev/null || missing+=(npm)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The web assets of `snakemake --report` (from the npm registry; quiet when present)
$SUDO bash "$(dirname "$0")/../tools/report_assets.sh"
