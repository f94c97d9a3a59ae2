#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build, and run every test:
#   1. Linux debug build: the suite once per start method (fork, spawn, forkserver), the
#      examples, the installed-package test and the benchmark smoke run; then the chaos run
#      (tests/chaos: a mixed workload while processes are killed, ~35 s per start method);
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the frame-decoder fuzzer (clang, libFuzzer) for a bounded time;
#   4. the Windows build (mingw-w64 cross compiler), its suite run under Wine.
# Skip parts with MPROC_SKIP="chaos asan fuzz windows" (space-separated).
set -euo pipefail
cd "$(dirname "$0")/.."
skip=" ${MPROC_SKIP:-} "
jobs=${MPROC_JOBS:-2}
started=$SECONDS
stage() { printf '\n=== %s (%ds so far)\n' "$1" $((SECONDS - started)); }

stage "dependencies"
bash scripts/install-deps.sh

stage "Linux debug build and tests"
cmake -S . -B build/debug -DCMAKE_BUILD_TYPE=Debug -DMPROC_CHAOS_SECONDS="${MPROC_CHAOS_SECONDS:-35}" >/dev/null
cmake --build build/debug -j"$jobs"
ctest --test-dir build/debug --output-on-failure -j"$jobs" -LE chaos

if [[ $skip != *" chaos "* ]]; then
  # One run per start method, one at a time; -V shows each run's seed and summary table also
  # when it passes. Longer: MPROC_CHAOS_SECONDS=N, or build/debug/tests/chaos/mproc_chaos --help.
  stage "Chaos run (tests/chaos, ${MPROC_CHAOS_SECONDS:-35} s per start method)"
  # A failed run is run once more with a new seed: a systematic fault fails twice and stops
  # CI, a rare race shows in the log (with the seed that replays it) without losing the run.
  if ! ctest --test-dir build/debug -L chaos --output-on-failure -V; then
    echo "chaos: a run FAILED (its summary and replay seed are above); running it once more"
    ctest --test-dir build/debug -L chaos --rerun-failed --output-on-failure -V
  fi
fi

if [[ $skip != *" asan "* ]]; then
  stage "AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DMPROC_SANITIZE=address,undefined \
        -DMPROC_BUILD_EXAMPLES=OFF -DMPROC_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build/asan -j"$jobs"
  # The pipe tests send 100,000 messages per pattern here instead of 1,000,000 (still 18 times
  # the count that used to hang): sanitized, a million takes minutes.
  MPROC_TEST_LEAK_CYCLES=200 MPROC_TEST_PIPE_MESSAGES=100000 ASAN_OPTIONS=detect_leaks=1 \
    ctest --test-dir build/asan --output-on-failure -j"$jobs" -LE idle
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
