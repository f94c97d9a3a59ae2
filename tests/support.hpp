#pragma once
// Helpers shared by the multi-process tests.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "catch.hpp"
#include "mproc/mproc.hpp"

namespace test {

/// No multi-process test may hang: every join has a deadline, and a child still running after
/// it is killed and reported as a failure.
inline constexpr double deadline_seconds = 60.0;

/// Joins `p` with the test deadline; fails the test (after killing it) if it is still running.
inline void join_or_fail(mproc::Process& p, double seconds = deadline_seconds) {
  p.join(seconds);
  if (!p.exitcode()) {
    p.kill();
    p.join();
    FAIL("process " << p.name() << " did not end within " << seconds << " s");
  }
}

/// The start method this run of the suite tests.
inline std::string method() { return mproc::get_start_method(); }

/// Whether `pid` is gone or a zombie (Linux /proc; elsewhere unknown, reported as gone).
inline bool process_gone(int pid) {
  std::filesystem::path stat = std::filesystem::path("/proc") / std::to_string(pid) / "stat";
  std::ifstream in(stat);
  if (!in) return true;
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

/// Whether this is a POSIX build (under Wine, Linux paths like /proc and /dev/shm still exist
/// for a Windows build, so they say nothing about the platform).
inline bool posix_build() { return mproc::get_all_start_methods().front() == "fork"; }

/// Whether this platform lets the tests watch a non-child process vanish (Linux /proc).
inline bool can_watch_pids() { return posix_build() && std::filesystem::exists("/proc/self/stat"); }

/// Waits (polling under a deadline: a non-child's death sends no event) until `pid` is gone.
inline bool wait_process_gone(int pid, double seconds = 20.0) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!process_gone(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return process_gone(pid);
}

}  // namespace test
