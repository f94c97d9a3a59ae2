// What a spawned child gets from its parent: its channel and stdio, nothing else; and on
// Windows no console window (CREATE_NO_WINDOW), so a GUI app's children stay invisible.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "mproc/platform/spawn.hpp"
#include "os_helpers.hpp"
#include "support.hpp"

namespace {

// Exit code 1 if this process holds the parent's file under the parent's handle value, else 0.
void report_inherited(std::int64_t handle, std::string identity) {
  mproc::exit(test::os::holds_file(handle, identity) ? 1 : 0);
}

void report_console_window() { mproc::exit(test::os::has_console_window() ? 1 : 0); }

}  // namespace

TEST_CASE("spawn_creation_flags_give_a_console_child_no_window", "[spawn]") {
  unsigned long no_window = test::os::no_window_flag();  // 0 on POSIX: nothing to check there
  CHECK((mproc::platform::spawn_creation_flags() & no_window) == no_window);
}

TEST_CASE("spawned_child_has_no_console_window", "[spawn]") {
  // Seen from the child: CREATE_NO_WINDOW gives it a console without a window (Windows).
  mproc::Process p(report_console_window);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}

TEST_CASE("spawned_child_does_not_inherit_a_handle_left_inheritable", "[spawn]") {
  // The file stands for what a desktop app's other libraries leave open: an inheritable
  // handle (Windows), a descriptor without close-on-exec (POSIX).
  auto path = std::filesystem::temp_directory_path() /
              ("mproc-inherit-probe-" + std::to_string(mproc::current_process().pid()) + "-" + test::method());
  std::ofstream(path) << "probe\n";
  auto file = test::os::open_inheritable(path.string());
  REQUIRE(file.handle != -1);
  REQUIRE(test::os::holds_file(file.handle, file.identity));  // the probe sees it where it is
  mproc::Process p(report_inherited, file.handle, file.identity);
  p.start();
  test::join_or_fail(p);
  test::os::close_inheritable(file);
  std::filesystem::remove(path);
  if (test::method() == "fork") {
    CHECK(p.exitcode() == 1);  // a fork copies every descriptor: the probe finds it there
  } else {
    CHECK(p.exitcode() == 0);  // spawn, and the forkserver's forked workers
  }
}
