// Process: exit codes, lifecycle, wrong call order, names and flags, under every start method.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

void do_nothing() {}
void exit_with(int code) { mproc::exit(code); }
void throw_runtime_error(std::string message) { throw std::runtime_error(message); }
// Blocks until the parent ends: a child that only stops when it is told to.
void wait_for_parent() { mproc::parent_process()->join(); }

void expect_identity(std::string name, bool daemon, int parent_pid) {
  if (mproc::current_process().name() != name) mproc::exit(3);
  if (mproc::current_process().daemon() != daemon) mproc::exit(4);
  auto parent = mproc::parent_process();
  if (!parent || parent->pid() != parent_pid || parent->name() != "MainProcess") mproc::exit(5);
  if (!parent->is_alive()) mproc::exit(6);
}

void try_to_start_child() {
  try {
    mproc::Process(do_nothing).start();
  } catch (const mproc::ProcessError&) {
    mproc::exit(42);  // "daemonic processes are not allowed to have children"
  }
}

void sum_arguments(int a, std::vector<int> v, std::string s) {
  int total = a;
  for (int x : v) total += x;
  mproc::exit(total + static_cast<int>(s.size()));
}

}  // namespace

TEST_CASE("process_exit_code_zero_on_return", "[process]") {
  mproc::Process p(do_nothing);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  CHECK_FALSE(p.is_alive());
}

TEST_CASE("process_exit_code_from_mproc_exit", "[process]") {
  mproc::Process p(exit_with, 7);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 7);
}

TEST_CASE("process_exit_code_one_on_uncaught_exception", "[process]") {
  mproc::Process p(throw_runtime_error, std::string("boom"));
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 1);
}

TEST_CASE("process_arguments_arrive_intact", "[process]") {
  mproc::Process p(sum_arguments, 10, std::vector<int>{1, 2, 3}, std::string("abcd"));
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 20);
}

TEST_CASE("process_captureless_lambda_runs_under_every_method", "[process]") {
  mproc::Process p([](int x) { mproc::exit(x * 2); }, 21);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 42);
}

TEST_CASE("process_terminate_gives_minus_sigterm", "[process]") {
  mproc::Process p(wait_for_parent);
  p.start();
  p.join(0.05);
  CHECK(p.is_alive());
  CHECK_FALSE(p.exitcode().has_value());
  p.terminate();
  test::join_or_fail(p);
  CHECK(p.exitcode() == -15);
  p.terminate();  // Ended already: nothing happens, as in Python.
}

TEST_CASE("process_kill_gives_minus_sigkill", "[process]") {
  mproc::Process p(wait_for_parent);
  p.start();
  p.kill();
  test::join_or_fail(p);
  CHECK(p.exitcode() == -9);
}

TEST_CASE("process_join_timeout_returns_while_running", "[process]") {
  mproc::Process p(wait_for_parent);
  p.start();
  auto before = std::chrono::steady_clock::now();
  p.join(std::chrono::milliseconds(100));
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(100));
  CHECK_FALSE(p.exitcode().has_value());
  p.terminate();
  test::join_or_fail(p);
}

TEST_CASE("process_pid_and_exitcode_before_start", "[process]") {
  mproc::Process p(do_nothing);
  CHECK_FALSE(p.pid().has_value());
  CHECK_FALSE(p.exitcode().has_value());
  CHECK_FALSE(p.is_alive());
  p.start();
  REQUIRE(p.pid().has_value());
  CHECK(*p.pid() > 0);
  CHECK(p.ident() == p.pid());
  test::join_or_fail(p);
}

TEST_CASE("process_child_sees_its_name_daemon_flag_and_parent", "[process]") {
  int me = mproc::current_process().pid();
  mproc::Process p({.name = "child-a"}, expect_identity, std::string("child-a"), false, me);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);

  mproc::Process named({.name = "worker-x", .daemon = true}, expect_identity, std::string("worker-x"),
                       true, me);
  CHECK(named.daemon());
  named.start();
  test::join_or_fail(named);
  CHECK(named.exitcode() == 0);
}

TEST_CASE("process_default_names_count_up", "[process]") {
  mproc::Process a(do_nothing), b(do_nothing);
  auto number = [](const std::string& name) { return std::stoi(name.substr(name.rfind('-') + 1)); };
  CHECK(number(b.name()) == number(a.name()) + 1);
}

TEST_CASE("process_daemon_cannot_have_children", "[process]") {
  mproc::Process p(try_to_start_child);
  p.set_daemon(true);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 42);
}

TEST_CASE("process_wrong_call_order_is_a_clear_error", "[process]") {
  mproc::Process p(wait_for_parent);
  CHECK_THROWS_AS(p.join(), mproc::ProcessError);
  CHECK_THROWS_AS(p.terminate(), mproc::ProcessError);
  CHECK_THROWS_AS(p.sentinel(), mproc::ValueError);
  p.start();
  CHECK_THROWS_AS(p.start(), mproc::ProcessError);
  CHECK_THROWS_AS(p.set_daemon(true), mproc::ProcessError);
  CHECK_THROWS_AS(p.close(), mproc::ValueError);
  p.terminate();
  test::join_or_fail(p);
  p.close();
  CHECK_THROWS_AS(p.exitcode(), mproc::ValueError);
  CHECK_THROWS_AS(p.start(), mproc::ValueError);
  CHECK_THROWS_AS(p.join(), mproc::ValueError);
  p.close();  // Closing twice is allowed, as in Python.
}

TEST_CASE("process_copies_share_the_child", "[process]") {
  mproc::Process p(exit_with, 3);
  mproc::Process copy = p;
  p.start();
  test::join_or_fail(copy);
  CHECK(p.exitcode() == 3);
}

TEST_CASE("process_destroyed_object_leaves_child_tracked", "[process]") {
  int pid = 0;
  {
    mproc::Process p(wait_for_parent);
    p.start();
    pid = *p.pid();
  }
  auto live = mproc::active_children();
  auto it = std::find_if(live.begin(), live.end(), [&](auto& c) { return c.pid() == pid; });
  REQUIRE(it != live.end());
  it->terminate();
  test::join_or_fail(*it);
  CHECK(it->exitcode() == -15);
}

TEST_CASE("process_active_children_drops_finished_ones", "[process]") {
  mproc::Process p(do_nothing);
  p.start();
  test::join_or_fail(p);
  for (auto& child : mproc::active_children()) CHECK(child.pid() != p.pid());
}

TEST_CASE("process_current_process_in_main", "[process]") {
  CHECK(mproc::current_process().name() == "MainProcess");
  CHECK_FALSE(mproc::current_process().daemon());
  CHECK_FALSE(mproc::parent_process().has_value());
  CHECK(mproc::cpu_count() >= 1);
}

namespace {
void check_parent_pid(int expected) {
  if (mproc::getppid() != expected || mproc::getpid() != mproc::current_process().pid()) mproc::exit(3);
}
}  // namespace

TEST_CASE("process_getpid_and_getppid_like_os_module", "[process]") {
  CHECK(mproc::getpid() == mproc::current_process().pid());
  // Unlike parent_process(), which is empty in the main process. (Under Wine the test's parent is
  // a Linux process, which Windows calls 0.)
  if (test::posix_build()) CHECK(mproc::getppid() > 0);
  // Under forkserver the OS parent is the server, as with Python's os.getppid() there.
  if (test::method() == "forkserver") return;
  mproc::Process p(check_parent_pid, mproc::getpid());
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}
