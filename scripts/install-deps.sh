#!/usr/bin/env bash
# Installs what building and testing mproc needs on Debian 12 / Ubuntu (as root, or with sudo).
# Installs only what is missing, so it is quick when everything is there.
set -euo pipefail
packages=(cmake g++ make pkg-config python3 libuv1-dev libspdlog-dev libfmt-dev libcereal-dev
          catch2 libssl-dev
          clang          # the libFuzzer build (scripts/fuzz.sh)
          qt6-base-dev   # the desktop example (examples/qt_mandelbrot), tested headless
          libopenmpi-dev openmpi-bin  # the MPI backend (mpi/), tested under mpiexec
          python3-mpi4py)             # its benchmark's baseline (mpi4py.futures)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
