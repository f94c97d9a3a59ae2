// Start methods, contexts, and what each method can run.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mproc/platform/process_control.hpp"
#include "support.hpp"

namespace {

void exit_with(int code) { mproc::exit(code); }

struct Opaque {  // Not serializable: no cereal `serialize`.
  int value = 0;
};
void use_opaque(Opaque o) { mproc::exit(o.value); }
void use_pointer(int* p) { mproc::exit(*p); }

}  // namespace

TEST_CASE("start_methods_listed_with_default_first", "[start_method]") {
  auto all = mproc::get_all_start_methods();
  REQUIRE_FALSE(all.empty());
  CHECK(std::find(all.begin(), all.end(), "spawn") != all.end());
  CHECK(std::find(all.begin(), all.end(), test::method()) != all.end());
}

TEST_CASE("start_method_set_twice_needs_force", "[start_method]") {
  std::string current = mproc::get_start_method();
  CHECK_THROWS_AS(mproc::set_start_method(current), mproc::ProcessError);
  CHECK_NOTHROW(mproc::set_start_method(current, true));
  CHECK_THROWS_AS(mproc::set_start_method("threads", true), mproc::ValueError);
  CHECK_THROWS_AS(mproc::get_context("nonsense"), mproc::ValueError);
}

TEST_CASE("start_method_context_process_uses_its_method", "[start_method]") {
  for (const auto& method : mproc::get_all_start_methods()) {
    auto ctx = mproc::get_context(method);
    CHECK(ctx.get_start_method() == method);
    auto p = ctx.Process(exit_with, 9);
    CHECK(p.start_method() == method);
    p.start();
    test::join_or_fail(p);
    CHECK(p.exitcode() == 9);
  }
}

TEST_CASE("start_method_capturing_lambda_is_fork_only", "[start_method]") {
  int captured = 11;
  mproc::Process p([captured] { mproc::exit(captured); });
  if (test::method() == "fork") {
    p.start();
    test::join_or_fail(p);
    CHECK(p.exitcode() == 11);
  } else {
    CHECK_THROWS_AS(p.start(), mproc::ValueError);
    CHECK_FALSE(p.pid().has_value());  // Nothing was started.
  }
}

TEST_CASE("start_method_unserializable_argument_is_fork_only", "[start_method]") {
  int value = 12;
  mproc::Process a(use_opaque, Opaque{13});
  mproc::Process b(use_pointer, &value);
  if (test::method() == "fork") {
    a.start();
    b.start();
    test::join_or_fail(a);
    test::join_or_fail(b);
    CHECK(a.exitcode() == 13);
    CHECK(b.exitcode() == 12);
  } else {
    try {
      a.start();
      FAIL("start() should have refused an unserializable argument");
    } catch (const mproc::ValueError& e) {
      CHECK(std::string(e.what()).find("serializ") != std::string::npos);
    }
    CHECK_THROWS_AS(b.start(), mproc::ValueError);
  }
}

namespace {

// The children of this process whose environment names them a forkserver (Linux /proc).
std::vector<int> forkserver_pids() {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream environment(entry.path() / "environ", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(environment)), std::istreambuf_iterator<char>());
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    int ppid = std::atoi(line.c_str() + close + 4);  // ") S <ppid>"
    if (ppid == mproc::getpid() && all.find(std::string("MPROC_ROLE=forkserver") + '\0') != std::string::npos)
      found.push_back(std::stoi(name));
  }
  return found;
}


}  // namespace

TEST_CASE("start_method_forkserver_killed_is_replaced_on_next_start", "[start_method]") {
  if (!test::can_watch_pids()) return;  // needs /proc, and the forkserver start method
  auto ctx = mproc::get_context("forkserver");
  mproc::Process first = ctx.Process(exit_with, 3);
  first.start();
  test::join_or_fail(first);
  REQUIRE(first.exitcode() == 3);
  auto servers = forkserver_pids();
  REQUIRE(servers.size() == 1);
  REQUIRE_FALSE(mproc::platform::send_signal(servers[0], mproc::platform::signal_kill()));
  REQUIRE(test::wait_process_gone(servers[0]));
  // The next start finds nobody listening and starts a new server instead of failing for good.
  mproc::Process second = ctx.Process(exit_with, 4);
  second.start();
  test::join_or_fail(second);
  CHECK(second.exitcode() == 4);
  auto replaced = forkserver_pids();
  REQUIRE(replaced.size() == 1);
  CHECK(replaced[0] != servers[0]);
}
