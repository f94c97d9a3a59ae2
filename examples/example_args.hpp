#pragma once
// The examples' shared command line: `--start-method=fork|spawn|forkserver` picks the method.
#include <cstdlib>
#include <string>

#include <mproc/mproc.hpp>

inline void apply_start_method_flag(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--start-method=", 0) == 0) mproc::set_start_method(arg.substr(15));
  }
}

inline bool has_flag(int argc, char** argv, const std::string& flag) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == flag) return true;
  return false;
}

/// The value of `--sleep=S` (the seeds' time.sleep, shortened for smoke runs), else `fallback`.
inline double sleep_flag(int argc, char** argv, double fallback) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--sleep=", 0) == 0) return std::atof(argv[i] + 8);
  return fallback;
}

/// The first argument that is not a `--flag`, as a number (a loop count), else `fallback`.
inline long long count_argument(int argc, char** argv, long long fallback) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--", 0) != 0) return std::atoll(argv[i]);
  return fallback;
}
