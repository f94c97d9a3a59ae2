#pragma once
// Helpers shared by the multi-process tests.
#include <chrono>
#include <string>

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

}  // namespace test
