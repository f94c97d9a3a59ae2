#pragma once
// The examples' shared command line: `--start-method=fork|spawn|forkserver` picks the method.
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
