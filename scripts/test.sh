#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build, and run every test:
#   1. Linux debug build: the suite once per start method (fork, spawn, forkserver), the
#      examples, the installed-package test and the benchmark smoke run;
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the frame-decoder fuzzer (clang, libFuzzer) for a bounded time;
#   4. the Windows build (mingw-w64 cross compiler), its suite run under Wine.
# Skip parts with MPROC_SKIP="asan fuzz windows" (space-separated).
set -euo pipefail
cd "$(dirname "$0")/.."
skip=" ${MPROC_SKIP:-} "
jobs=${MPROC_JOBS:-2}
started=$SECONDS
stage() { printf '\n=== %s (%ds so far)\n' "$1" $((SECONDS - started)); }

stage "dependencies"
bash scripts/install-deps.sh

stage "Linux debug build and tests"
cmake -S . -B build/debug -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/debug -j"$jobs"
ctest --test-dir build/debug --output-on-failure -j"$jobs"

if [[ $skip != *" asan "* ]]; then
  stage "AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DMPROC_SANITIZE=address,undefined \
        -DMPROC_BUILD_EXAMPLES=OFF -DMPROC_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build/asan -j"$jobs"
  MPROC_TEST_LEAK_CYCLES=200 ASAN_OPTIONS=detect_leaks=1 \
    ctest --test-dir build/asan --output-on-failure -j"$jobs"
fi

if [[ $skip != *" fuzz "* ]]; then
  stage "Fuzzing the frame decoder (${MPROC_FUZZ_SECONDS:-120} s)"
  bash scripts/fuzz.sh
fi

if [[ $skip != *" windows "* ]]; then
  stage "Windows (mingw-w64) build, tests under Wine"
  bash scripts/windows/test-windows.sh
fi

stage "all passed"
