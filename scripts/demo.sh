#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build, and run the demo (seed 000's `calc`:
# four processes counting, each child's name and exitcode, and the wall time).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMPROC_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j2 --target example_000_calc
./build/release/examples/example_000_calc "$@"
