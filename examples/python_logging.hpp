#pragma once
// Seed 000 configures Python's logging with
//   logging.basicConfig(level=logging.INFO, format="%(process)d %(processName)s %(thread)d %(message)s")
// and calls logging.info(...); log_info writes the same line to stderr, as Python's logging does.
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>

#include <mproc/mproc.hpp>

inline void log_info(const std::string& message) {
  std::ostringstream line;
  line << mproc::getpid() << ' ' << mproc::current_process().name() << ' '
       << std::this_thread::get_id() << ' ' << message << '\n';
  std::fputs(line.str().c_str(), stderr);  // one write per line: lines of workers do not mix
}
