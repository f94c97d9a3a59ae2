// What happens when a parent exits or dies: Python's exit rules, and beyond them, daemonic
// children dying with a parent that crashed.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "support.hpp"

namespace fs = std::filesystem;

namespace {

void sleep_forever() {
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));  // Until terminated.
}

void write_file(std::string path, std::string text) { std::ofstream(path) << text; }

// Leaves normally with a daemonic child that never ends and a non-daemonic one still to run:
// the exit rules must terminate the first and wait for the second.
void leave_children_behind(std::string marker) {
  mproc::Process daemon(sleep_forever);
  daemon.set_daemon(true);
  daemon.start();
  mproc::Process(write_file, marker, std::string("written")).start();
}

// Starts a daemonic child, records its pid, then crashes: no exit handlers run.
void crash_with_daemon_child(std::string pid_file) {
  mproc::Process daemon(sleep_forever);
  daemon.set_daemon(true);
  daemon.start();
  write_file(pid_file + ".tmp", std::to_string(*daemon.pid()));
  fs::rename(pid_file + ".tmp", pid_file);
  std::abort();
}

std::string temp_path(const std::string& stem) {
  return (fs::temp_directory_path() /
          (stem + "-" + std::to_string(mproc::current_process().pid()) + "-" + test::method()))
      .string();
}

}  // namespace

TEST_CASE("lifecycle_exit_terminates_daemons_and_joins_others", "[lifecycle]") {
  std::string marker = temp_path("mproc-marker");
  fs::remove(marker);
  mproc::Process p(leave_children_behind, marker);
  p.start();
  test::join_or_fail(p);  // Hangs (and fails) if the daemonic grandchild was not terminated.
  CHECK(p.exitcode() == 0);
  CHECK(fs::exists(marker));  // The non-daemonic grandchild was waited for.
  fs::remove(marker);
}

TEST_CASE("lifecycle_daemon_dies_with_crashed_parent", "[lifecycle]") {
  // Observed through Linux's /proc. (On Windows libuv's kill-on-close Job Object does this.)
  if (!test::can_watch_pids()) return;
  std::string pid_file = temp_path("mproc-daemon-pid");
  fs::remove(pid_file);
  mproc::Process p(crash_with_daemon_child, pid_file);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == -6);  // SIGABRT
  REQUIRE(fs::exists(pid_file));
  int daemon_pid = 0;
  std::ifstream(pid_file) >> daemon_pid;
  fs::remove(pid_file);
  REQUIRE(daemon_pid > 0);
  // A deadline, not a race: the daemon must be gone well within it.
  CHECK(test::wait_process_gone(daemon_pid));
}
