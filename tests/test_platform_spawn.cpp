// platform::spawn_child and its watch, below the runtime: a program started with exact
// arguments and environment, its exit code, its end by signal_spawned_child, and an executable
// that does not exist. Run on a libuv loop of the test's own.
#include <uv.h>

#include <optional>
#include <string>
#include <vector>

#include "helpers/tricky_arguments.hpp"
#include "mproc/platform/process_control.hpp"
#include "mproc/platform/spawn.hpp"
#include "support.hpp"

namespace {

std::vector<std::string> current_environment() {
  uv_env_item_t* items = nullptr;
  int count = 0;
  std::vector<std::string> env;
  if (uv_os_environ(&items, &count) != 0) return env;
  for (int i = 0; i < count; ++i) env.push_back(std::string(items[i].name) + "=" + items[i].value);
  uv_os_free_environ(items, count);
  return env;
}

mproc::platform::spawn_options options_for(std::vector<std::string> arguments) {
  mproc::platform::spawn_options o;
  o.executable = MPROC_RELOCATED_PROGRAM;
  o.arguments = {o.executable};
  o.arguments.insert(o.arguments.end(), arguments.begin(), arguments.end());
  o.environment = current_environment();
  return o;
}

// Starts the program, optionally signals it once it runs, and returns the exit code its watch
// reported (nullopt if none came within the test deadline: then it was killed).
std::optional<int> run(const mproc::platform::spawn_options& options, int sig = 0) {
  mproc::platform::spawned_child child;
  auto ec = mproc::platform::spawn_child(options, child);
  REQUIRE_FALSE(ec);
  REQUIRE(child.pid > 0);
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::optional<int> code;
  int reports = 0;
  REQUIRE_FALSE(mproc::platform::watch_spawned_child(&loop, child, [&](int c) {
    code = c;
    ++reports;
  }));
  if (sig != 0) CHECK_FALSE(mproc::platform::signal_spawned_child(child, sig));
  // The deadline: a timer that kills the child (then the watch reports, and the loop ends).
  uv_timer_t deadline;
  uv_timer_init(&loop, &deadline);
  deadline.data = &child;
  uv_timer_start(&deadline, [](uv_timer_t* t) {
    mproc::platform::signal_spawned_child(*static_cast<mproc::platform::spawned_child*>(t->data),
                                          mproc::platform::signal_kill());
  }, static_cast<std::uint64_t>(test::deadline_seconds * 1000), 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(&deadline));  // the watch alone keeps the loop running
  uv_run(&loop, UV_RUN_DEFAULT);
  bool timed_out = !uv_is_active(reinterpret_cast<uv_handle_t*>(&deadline));
  uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  mproc::platform::release_spawned_child(child);
  CHECK(reports == 1);
  if (timed_out) return std::nullopt;
  return code;
}

}  // namespace

TEST_CASE("platform_spawn_child_reports_the_exit_code", "[spawn][platform]") {
  CHECK(run(options_for({"exit", "7"})) == 7);
  CHECK(run(options_for({"exit", "0"})) == 0);
}

TEST_CASE("platform_spawn_child_passes_arguments_exactly", "[spawn][platform]") {
  auto args = test::tricky_arguments();
  args.insert(args.begin(), "argv");
  CHECK(run(options_for(args)) == 0);
}

TEST_CASE("platform_spawn_child_passes_the_given_environment", "[spawn][platform]") {
  auto options = options_for({"env", "MPROC_SPAWN_TEST", "Yusuf KOÇ 数据 é"});
  options.environment.push_back("MPROC_SPAWN_TEST=Yusuf KOÇ 数据 é");
  CHECK(run(options) == 0);
}

TEST_CASE("platform_signal_spawned_child_gives_minus_the_signal", "[spawn][platform]") {
  CHECK(run(options_for({"wait"}), mproc::platform::signal_terminate()) == -mproc::platform::signal_terminate());
  CHECK(run(options_for({"wait"}), mproc::platform::signal_kill()) == -mproc::platform::signal_kill());
}

TEST_CASE("platform_spawn_child_of_a_missing_executable_fails_at_once", "[spawn][platform]") {
  auto options = options_for({"exit", "0"});
  options.executable += ".missing";
  mproc::platform::spawned_child child;
  CHECK(mproc::platform::spawn_child(options, child));
  CHECK(child.pid == -1);
}

TEST_CASE("platform_spawn_child_refuses_invalid_utf8", "[spawn][platform]") {
  auto options = options_for({"exit", "0", std::string("bad \xff byte")});
  mproc::platform::spawned_child child;
  if (!test::posix_build()) {  // POSIX passes bytes as they are; Windows must convert them
    CHECK(mproc::platform::spawn_child(options, child));
    CHECK(child.pid == -1);
  }
}
