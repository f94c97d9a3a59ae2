// ProcessPoolExecutor and Future under every start method: Python's API (submit, map, wait,
// as_completed, shutdown), cancellation in every state, per-task timeouts, dead workers,
// initializers that fail, nested executors, terminate/kill_workers.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <cstdlib>
#include <future>
#include <numeric>
#include <ranges>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "pool_helpers.hpp"
#include "support.hpp"

namespace {

using test::Gate;
using test::gated;

using test::add;
using test::shout;
using test::square;
using test::worker_pid;
void nothing() {}
int fail_on_three(int x) {
  if (x == 3) throw std::out_of_range("three is out of range");
  return x;
}
int die_with(int code) { mproc::exit(code); }
int abort_now() { std::abort(); }

// Runs until asked to stop (at most a minute): then returns how it ended.
std::string cooperative(std::stop_token stop, int) {
  test::g_started->set();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  bool stopped = cv.wait_until(lock, stop, deadline, [] { return false; });
  (void)stopped;
  return stop.stop_requested() ? "stopped" : "ran out";
}

// Ignores requests: only terminating its worker ends it early.
int stubborn(int x) {
  test::g_started->set();
  test::g_release->wait(60);
  return x;
}

// A task that runs an executor of its own.
int nested_sum(int n) {
  mproc::ProcessPoolExecutor inner(2);
  std::vector<mproc::Future<int>> fs;
  for (int i = 0; i < n; ++i) fs.push_back(inner.submit(square, i));
  int sum = 0;
  for (auto& f : fs) sum += f.result(test::deadline_seconds);
  return sum;
}

bool is_daemon_here() { return mproc::current_process().daemon(); }

void failing_initializer() { throw std::runtime_error("no database"); }

mproc::ExecutorOptions options(int workers, const Gate* gate = nullptr) {
  mproc::ExecutorOptions o;
  o.max_workers = workers;
  o.start_method = test::method();
  if (gate != nullptr) o.initializer = gate->initializer();
  return o;
}

}  // namespace

TEST_CASE("executor_submit_and_future", "[executor]") {
  mproc::ProcessPoolExecutor ex(options(2));
  CHECK(ex.max_workers() == 2);
  auto f = ex.submit(square, 7);
  CHECK(f.result(test::deadline_seconds) == 49);
  CHECK(f.done());
  CHECK_FALSE(f.running());
  CHECK_FALSE(f.cancelled());
  CHECK(f.exception() == nullptr);
  CHECK(f.result() == 49);  // may be read again
  CHECK_FALSE(f.cancel());  // done: Python's cancel() is false
  CHECK(ex.submit(add, 2, 3).result(test::deadline_seconds) == 5);
  CHECK(ex.submit(shout, std::string("hi")).result(test::deadline_seconds) == "hi!");
  CHECK(ex.submit([](int a) { return a + 1; }, 41).result(test::deadline_seconds) == 42);
  ex.submit(nothing).result(test::deadline_seconds);
  CHECK(ex.submit(worker_pid).result(test::deadline_seconds) != mproc::getpid());
  // Python's executor workers are not daemonic (they may start processes).
  CHECK_FALSE(ex.submit(is_daemon_here).result(test::deadline_seconds));

  // A callback added when done runs at once, on this thread.
  std::thread::id ran_on;
  f.add_done_callback([&](const mproc::Future<int>& done) {
    CHECK(done.result() == 49);
    ran_on = std::this_thread::get_id();
  });
  CHECK(ran_on == std::this_thread::get_id());

  // A callback added before runs once the task is done.
  std::promise<int> seen;
  auto g = ex.submit(square, 8);
  g.add_done_callback([&](const mproc::Future<int>& done) { seen.set_value(done.result()); });
  auto seen_future = seen.get_future();
  REQUIRE(seen_future.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  CHECK(seen_future.get() == 64);

  // As a std::future.
  std::future<int> sf = ex.submit(square, 9);
  REQUIRE(sf.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  CHECK(sf.get() == 81);

  CHECK(mproc::repr(ex) == "<ProcessPoolExecutor max_workers=2 state=running>");
  CHECK(mproc::repr(f).find("state=finished>") != std::string::npos);
  ex.shutdown();
  CHECK(mproc::repr(ex) == "<ProcessPoolExecutor max_workers=2 state=shutdown>");
  CHECK_THROWS_AS(ex.submit(square, 1), mproc::RuntimeError);
}

TEST_CASE("executor_task_exceptions_come_back_by_type", "[executor]") {
  mproc::ProcessPoolExecutor ex(options(1));
  auto f = ex.submit(fail_on_three, 3);
  CHECK_THROWS_AS(f.result(test::deadline_seconds), std::out_of_range);
  auto error = f.exception();
  REQUIRE(error != nullptr);
  CHECK_THROWS_WITH(std::rethrow_exception(error), "three is out of range");
  CHECK(f.done());
  CHECK_FALSE(f.cancelled());
  std::future<int> sf = ex.submit(fail_on_three, 3);
  CHECK_THROWS_AS(sf.get(), std::out_of_range);
}

TEST_CASE("executor_map", "[executor]") {
  mproc::ProcessPoolExecutor ex(options(2));
  std::vector<int> xs(100);
  std::iota(xs.begin(), xs.end(), 0);
  std::vector<int> expected;
  for (int x : xs) expected.push_back(x * x);
  std::vector<int> got;
  for (int r : ex.map(square, xs)) got.push_back(r);
  CHECK(got == expected);
  got.clear();
  for (int r : ex.map(square, xs, mproc::MapOptions{.chunksize = 7})) got.push_back(r);
  CHECK(got == expected);
  // Several ranges are zipped, the shortest ending it, as Python's map(fn, *iterables).
  got.clear();
  for (int r : ex.map(add, std::vector<int>{1, 2, 3}, std::vector<int>{10, 20, 30, 40})) got.push_back(r);
  CHECK(got == std::vector<int>{11, 22, 33});
  // Nothing in, nothing out.
  auto none = ex.map(square, std::vector<int>{});
  CHECK(none.begin() == none.end());
  // A failing item throws at its turn.
  auto results = ex.map(fail_on_three, std::vector<int>{1, 2, 3, 4});
  auto it = results.begin();
  CHECK(*it == 1);
  ++it;
  CHECK(*it == 2);
  CHECK_THROWS_AS(++it, std::out_of_range);
}

TEST_CASE("executor_map_with_buffersize_reads_an_endless_range_lazily", "[executor]") {
  mproc::ProcessPoolExecutor ex(options(2));
  long long sum = 0, count = 0;
  for (int r : ex.map(square, std::views::iota(0), mproc::MapOptions{.chunksize = 10, .buffersize = 4})) {
    sum += r;
    if (++count == 1000) break;
  }
  CHECK(count == 1000);
  CHECK(sum == 332833500);  // sum of i*i for i < 1000
  CHECK_THROWS_AS(ex.map(square, std::views::iota(0), mproc::MapOptions{.buffersize = 0}), mproc::ValueError);
  // Leaving the loop cancelled what was queued: the executor still shuts down promptly.
  ex.shutdown();
}

TEST_CASE("executor_map_timeout", "[executor]") {
  Gate gate;
  mproc::ProcessPoolExecutor ex(options(1, &gate));
  auto results = ex.map(gated, std::vector<int>{1, 2}, mproc::MapOptions{.timeout = 0.2});
  CHECK_THROWS_AS(results.begin(), mproc::TimeoutError);
  gate.release.set();
}

TEST_CASE("executor_wait_and_as_completed", "[executor]") {
  Gate gate;
  mproc::ProcessPoolExecutor ex(options(2, &gate));
  auto quick = ex.submit(square, 3);
  auto slow = ex.submit(gated, 5);
  auto text = ex.submit(shout, std::string("a"));
  REQUIRE(quick.result(test::deadline_seconds) == 9);
  REQUIRE(text.result(test::deadline_seconds) == "a!");

  // Futures of different result types together.
  auto first = mproc::futures::wait({quick, slow, text}, test::deadline_seconds, mproc::futures::FIRST_COMPLETED);
  CHECK(first.done.size() == 2);
  REQUIRE(first.not_done.size() == 1);
  CHECK(first.not_done[0] == slow);
  auto timed = mproc::futures::wait({quick, slow}, 0.1);  // ALL_COMPLETED times out
  CHECK(timed.done.size() == 1);
  CHECK(timed.not_done.size() == 1);

  // as_completed: the done ones first, then a TimeoutError while `slow` is held.
  std::vector<mproc::FutureBase> seen;
  CHECK_THROWS_AS(
      [&] {
        for (const auto& f : mproc::futures::as_completed({quick, slow, text}, 0.2)) seen.push_back(f);
      }(),
      mproc::TimeoutError);
  CHECK(seen.size() == 2);

  gate.release.set();
  std::vector<int> order;
  std::vector<mproc::Future<int>> ints{slow, quick};
  for (const auto& f : mproc::futures::as_completed(ints, test::deadline_seconds)) order.push_back(f.result());
  std::sort(order.begin(), order.end());
  CHECK(order == std::vector<int>{5, 9});
  auto all = mproc::futures::wait(ints, test::deadline_seconds);
  CHECK(all.done.size() == 2);
  CHECK(all.not_done.empty());

  // FIRST_EXCEPTION returns at the first failure, with the rest still running.
  gate.release.clear();
  auto held = ex.submit(gated, 1);
  auto bad = ex.submit(fail_on_three, 3);
  auto fe = mproc::futures::wait({held, bad}, test::deadline_seconds, mproc::futures::FIRST_EXCEPTION);
  REQUIRE(fe.done.size() == 1);
  CHECK(fe.done[0] == bad);
  gate.release.set();
}

TEST_CASE("executor_cancel_pending_running_done", "[executor]") {
  Gate gate;
  mproc::ExecutorOptions o = options(1, &gate);
  o.cancel_grace = 0.5;
  mproc::ProcessPoolExecutor ex(o);
  auto running = ex.submit(gated, 1);
  REQUIRE(gate.started.wait(test::deadline_seconds));
  auto pending = ex.submit(square, 2);
  CHECK(running.running());
  CHECK_FALSE(pending.running());
  // Pending: cancelled, never runs.
  CHECK(pending.cancel());
  CHECK(pending.cancelled());
  CHECK(pending.done());
  CHECK_THROWS_AS(pending.result(), mproc::CancelledError);
  CHECK_THROWS_AS(pending.exception(), mproc::CancelledError);
  bool called = false;
  pending.add_done_callback([&](const mproc::Future<int>&) { called = true; });
  CHECK(called);
  // Running: Python's cancel() refuses.
  CHECK_FALSE(running.cancel());
  CHECK_FALSE(running.cancelled());
  gate.release.set();
  CHECK(running.result(test::deadline_seconds) == 1);
  // Done: refused.
  CHECK_FALSE(running.cancel(mproc::Cancel::terminate));
  CHECK(ex.submit(square, 4).result(test::deadline_seconds) == 16);
}

TEST_CASE("executor_cancel_request_reaches_a_stop_token", "[executor]") {
  Gate gate;
  mproc::ProcessPoolExecutor ex(options(1, &gate));
  auto f = ex.submit(cooperative, 1);
  REQUIRE(gate.started.wait(test::deadline_seconds));
  CHECK(f.cancel(mproc::Cancel::request));
  CHECK_THROWS_AS(f.result(test::deadline_seconds), mproc::CancelledError);
  CHECK(f.cancelled());
  // The worker was not replaced: it went on with the next task.
  CHECK(ex.workers().size() == 1);
  CHECK(ex.submit(square, 3).result(test::deadline_seconds) == 9);
}

TEST_CASE("executor_cancel_terminate_stops_a_task_that_ignores_requests", "[executor]") {
  Gate gate;
  mproc::ExecutorOptions o = options(1, &gate);
  o.cancel_grace = 0.2;
  mproc::ProcessPoolExecutor ex(o);
  int first_pid = ex.submit(worker_pid).result(test::deadline_seconds);
  auto f = ex.submit(stubborn, 1);
  REQUIRE(gate.started.wait(test::deadline_seconds));
  auto queued = ex.submit(square, 5);
  auto began = std::chrono::steady_clock::now();
  CHECK(f.cancel(mproc::Cancel::terminate));
  CHECK_THROWS_AS(f.result(test::deadline_seconds), mproc::CancelledError);
  auto took = std::chrono::steady_clock::now() - began;
  CHECK(took >= std::chrono::milliseconds(150));  // it had its grace period
  // The worker was replaced; what was queued behind it still runs.
  CHECK(queued.result(test::deadline_seconds) == 25);
  CHECK(ex.submit(worker_pid).result(test::deadline_seconds) != first_pid);
}

TEST_CASE("executor_task_timeout_asks_then_terminates", "[executor]") {
  Gate gate;
  mproc::ExecutorOptions o = options(1, &gate);
  o.cancel_grace = 0.2;
  mproc::ProcessPoolExecutor ex(o);
  // A task that honours its stop_token returns; its Future still reports the timeout.
  auto polite = ex.submit(mproc::task_timeout(0.2), cooperative, 1);
  CHECK_THROWS_AS(polite.result(test::deadline_seconds), mproc::TimeoutError);
  int pid = ex.submit(worker_pid).result(test::deadline_seconds);
  // One that does not is terminated after the grace period, and its worker replaced.
  gate.started.clear();
  auto stuck = ex.submit(mproc::task_timeout(0.2), stubborn, 1);
  CHECK_THROWS_AS(stuck.result(test::deadline_seconds), mproc::TimeoutError);
  int replaced = ex.submit(worker_pid).result(test::deadline_seconds);
  CHECK(replaced != pid);
}

TEST_CASE("executor_a_dead_worker_fails_only_its_task", "[executor]") {
  mproc::ProcessPoolExecutor ex(options(2));
  auto f = ex.submit(die_with, 7);
  try {
    f.result(test::deadline_seconds);
    FAIL("no exception");
  } catch (const mproc::WorkerLostError& e) {
    CHECK(e.exitcode() == 7);
  }
  CHECK_THROWS_AS(f.result(), mproc::BrokenProcessPool);
  auto g = ex.submit(abort_now);
  try {
    g.result(test::deadline_seconds);
    FAIL("no exception");
  } catch (const mproc::WorkerLostError& e) {
    if (test::posix_build()) CHECK(e.exitcode() == -SIGABRT);
  }
  // The executor goes on (Python's would be broken now).
  std::vector<int> got;
  for (int r : ex.map(square, std::vector<int>{1, 2, 3})) got.push_back(r);
  CHECK(got == std::vector<int>{1, 4, 9});
}

TEST_CASE("executor_initializer_that_throws_breaks_it", "[executor]") {
  mproc::ExecutorOptions o = options(2);
  o.initializer = mproc::initializer(failing_initializer);
  mproc::ProcessPoolExecutor ex(o);
  // The workers start in the constructor, so the pool may already be broken when the first task
  // comes: then it is refused as every later one is.
  try {
    auto f = ex.submit(square, 2);
    CHECK_THROWS_AS(f.result(test::deadline_seconds), mproc::BrokenProcessPool);
  } catch (const mproc::BrokenProcessPool&) {
  }
  CHECK_THROWS_AS(ex.submit(square, 3), mproc::BrokenProcessPool);
  CHECK(mproc::repr(ex).find("state=broken") != std::string::npos);
}

TEST_CASE("executor_shutdown_cancel_futures", "[executor]") {
  Gate gate;
  mproc::ProcessPoolExecutor ex(options(1, &gate));
  auto running = ex.submit(gated, 1);
  REQUIRE(gate.started.wait(test::deadline_seconds));
  std::vector<mproc::Future<int>> queued;
  for (int i = 0; i < 5; ++i) queued.push_back(ex.submit(square, i));
  ex.shutdown(false, true);
  for (auto& q : queued) CHECK(q.cancelled());
  CHECK_THROWS_AS(ex.submit(square, 1), mproc::RuntimeError);
  gate.release.set();
  CHECK(running.result(test::deadline_seconds) == 1);  // a running task finishes
  ex.shutdown();  // waits for the workers
  CHECK(ex.workers().empty());
}

TEST_CASE("executor_shutdown_waits_for_queued_tasks", "[executor]") {
  std::vector<mproc::Future<int>> fs;
  {
    mproc::ProcessPoolExecutor ex(options(2));
    for (int i = 0; i < 20; ++i) fs.push_back(ex.submit(square, i));
  }  // leaving the block is shutdown(wait=true)
  for (int i = 0; i < 20; ++i) {
    REQUIRE(fs[i].done());
    CHECK(fs[i].result() == i * i);
  }
}

TEST_CASE("executor_nested_executors", "[executor]") {
  mproc::ProcessPoolExecutor ex(options(1));
  CHECK(ex.submit(nested_sum, 5).result(test::deadline_seconds) == 0 + 1 + 4 + 9 + 16);
}

TEST_CASE("executor_terminate_and_kill_workers", "[executor]") {
  for (bool kill : {false, true}) {
    Gate gate;
    mproc::ProcessPoolExecutor ex(options(2, &gate));
    auto running = ex.submit(gated, 1);
    REQUIRE(gate.started.wait(test::deadline_seconds));
    auto pending = ex.submit(square, 2);
    auto pending2 = ex.submit(square, 3);
    std::vector<int> pids;
    for (auto& p : ex.workers()) pids.push_back(*p.pid());
    if (kill)
      ex.kill_workers();
    else
      ex.terminate_workers();
    CHECK_THROWS_AS(running.result(test::deadline_seconds), mproc::BrokenProcessPool);
    CHECK(pending2.done());
    CHECK(ex.workers().empty());
    CHECK_THROWS_AS(ex.submit(square, 1), mproc::RuntimeError);
    if (test::can_watch_pids())
      for (int pid : pids) CHECK(test::process_gone(pid));  // reaped, not zombies
  }
}

TEST_CASE("executor_many_tiny_tasks", "[executor]") {
  mproc::ProcessPoolExecutor ex(options(2));
  std::vector<mproc::Future<int>> fs;
  for (int i = 0; i < 5000; ++i) fs.push_back(ex.submit(square, i));
  long long sum = 0;
  for (const auto& f : mproc::futures::as_completed(fs, test::deadline_seconds)) sum += f.result();
  long long expected = 0;
  for (long long i = 0; i < 5000; ++i) expected += i * i;
  CHECK(sum == expected);
}

namespace {

// The nested-executor chain of the kill -9 test: the outer worker reports its pid and its own
// executor's worker's pid, then holds both (a minute at most) until the program is killed.
std::optional<mproc::Queue<std::vector<int>>> g_pids;
std::optional<mproc::Event> g_never;
void keep_pids_queue(mproc::Queue<std::vector<int>> q, mproc::Event never) {
  g_pids = q;
  g_never = never;
}
int report_and_hold() {
  mproc::ProcessPoolExecutor inner(1);
  int inner_pid = inner.submit(worker_pid).result(test::deadline_seconds);
  g_pids->put({mproc::getpid(), inner_pid});
  g_never->wait(60);
  return 0;
}
void program_with_nested_executors(mproc::Queue<std::vector<int>> q, mproc::Event never) {
  mproc::ExecutorOptions o;
  o.max_workers = 1;
  o.initializer = mproc::initializer(keep_pids_queue, q, never);
  mproc::ProcessPoolExecutor ex(o);
  ex.submit(report_and_hold).result(test::deadline_seconds);
}

}  // namespace

TEST_CASE("executor_workers_and_nested_workers_die_with_a_killed_program", "[executor]") {
  if (!test::can_watch_pids()) return;  // needs /proc to see non-children vanish
  mproc::Queue<std::vector<int>> pids;
  mproc::Event never;
  mproc::Process program(program_with_nested_executors, pids, never);
  program.start();
  std::vector<int> got = pids.get(true, test::deadline_seconds);
  REQUIRE(got.size() == 2);
  program.kill();  // kill -9: no exit handler runs
  program.join(test::deadline_seconds);
  CHECK(test::wait_process_gone(got[0]));
  CHECK(test::wait_process_gone(got[1]));
}
