#!/usr/bin/env bash
# Builds the frame-decoder fuzzer with clang (libFuzzer + ASan + UBSan) and runs it for a
# bounded time (MPROC_FUZZ_SECONDS, default 120). A finding fails the run and leaves the
# crashing input in build/fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${MPROC_FUZZ_SECONDS:-120}
jobs=${MPROC_JOBS:-2}
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMPROC_SANITIZE=address,undefined -DMPROC_BUILD_FUZZERS=ON -DMPROC_BUILD_TESTS=OFF \
  -DMPROC_BUILD_EXAMPLES=OFF -DMPROC_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/fuzz -j"$jobs" --target fuzz_frame_decoder
mkdir -p build/fuzz/corpus build/fuzz/findings
# A few valid frames to start from: an int message, a bytes message, an empty bytes message.
printf 'MPRC\001\004\000\000\003\000\000\000abc' > build/fuzz/corpus/bytes
printf 'MPRC\001\004\000\000\000\000\000\000' > build/fuzz/corpus/empty
printf 'MPRC\001\003\000\000\007\000\000\000\003\000int\052\000\000\000' > build/fuzz/corpus/object
UBSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
  build/fuzz/tests/fuzz/fuzz_frame_decoder build/fuzz/corpus -max_total_time="$seconds" \
  -max_len=4096 -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 \
  -artifact_prefix=build/fuzz/findings/ -print_final_stats=1 2>&1 | tail -15
