// get_logger / log_to_stderr: silent by default, and children inherit the level.
#include <spdlog/logger.h>

#include "support.hpp"

namespace {

void report_level(mproc::Queue<int> out) { out.put(static_cast<int>(mproc::get_logger()->level())); }

int level_in_a_child() {
  mproc::Queue<int> levels;
  mproc::Process p(report_level, levels);
  p.start();
  int level = levels.get(true, test::deadline_seconds);
  test::join_or_fail(p);
  return level;
}

}  // namespace

TEST_CASE("logging_silent_by_default_and_children_inherit_the_level", "[logging]") {
  CHECK(mproc::get_logger()->level() == spdlog::level::off);
  CHECK(level_in_a_child() == spdlog::level::off);

  auto logger = mproc::log_to_stderr(spdlog::level::err);
  CHECK(logger->level() == spdlog::level::err);
  CHECK(mproc::get_logger()->level() == spdlog::level::err);
  CHECK(level_in_a_child() == spdlog::level::err);

  CHECK(mproc::log_to_stderr()->level() == spdlog::level::info);  // Python's default level

  mproc::log_to_stderr(spdlog::level::off);  // Leave the other tests silent.
  CHECK(level_in_a_child() == spdlog::level::off);
}
