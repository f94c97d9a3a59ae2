// tests/helpers/relocated_program.cpp, copied to a directory whose name has accented and CJK
// characters and run from there: spawned children, a Pool, a Manager and a Listener must work
// (Windows: every path and name must take the wide APIs, not the ANSI code page). And a spawn
// whose executable vanished or is not a program must fail clearly, starting nothing.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "os_helpers.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

std::string utf8(const fs::path& p) {
  std::u8string s = p.u8string();
  return std::string(s.begin(), s.end());
}

struct Relocated {
  fs::path root;
  fs::path directory;
  fs::path program;

  Relocated() {
    root = fs::temp_directory_path() /
           ("mproc-relocated-" + std::to_string(mproc::current_process().pid()) + "-" + test::method());
    directory = root / fs::path(u8"Yusuf KOÇ") / fs::path(u8"数据 é");
    fs::create_directories(directory);
    program = directory / fs::path(MPROC_RELOCATED_PROGRAM).filename();
    fs::copy_file(MPROC_RELOCATED_PROGRAM, program, fs::copy_options::overwrite_existing);
  }
  ~Relocated() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }

  /// Runs the program in its directory; returns its exit code (-1 if it had to be killed).
  int run(const std::vector<std::string>& arguments) {
    auto code = test::os::run_program(utf8(program), arguments, utf8(directory), 2 * test::deadline_seconds);
    std::ifstream in(directory / "report.txt");
    std::stringstream report;
    report << in.rdbuf();
    UNSCOPED_INFO("relocated_program " << arguments.at(0) << " reported:\n" << report.str());
    return code.value_or(-1);
  }
};

}  // namespace

TEST_CASE("program_in_a_non_ascii_directory_spawns_pools_and_managers", "[spawn][unicode]") {
  Relocated r;
  CHECK(r.run({"work", utf8(r.directory.filename())}) == 0);
}

TEST_CASE("spawn_of_a_vanished_executable_is_a_clear_error", "[spawn]") {
  Relocated r;
  CHECK(r.run({"vanished"}) == 0);
}

TEST_CASE("spawn_of_an_executable_that_is_not_a_program_is_a_clear_error", "[spawn]") {
  Relocated r;
  CHECK(r.run({"garbage"}) == 0);
  if (test::posix_build()) CHECK(r.run({"not-executable"}) == 0);  // Windows has no execute bit
}
