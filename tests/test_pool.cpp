// Pool under every start method: the Python API, worker death, timeouts, maxtasksperchild,
// initializers, terminate, and many tiny tasks.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <ranges>
#include <set>
#include <stdexcept>
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
void nothing(int) {}
int fail_on_three(int x) {
  if (x == 3) throw std::invalid_argument("three is not allowed");
  return x;
}

// How a task may kill its worker.
enum class Death { abort, exit, segv };
int die(Death how) {
  switch (how) {
    case Death::abort:
      std::abort();
    case Death::exit:
      mproc::exit(3);
    case Death::segv:
      std::raise(SIGSEGV);
  }
  return 0;
}

void failing_initializer() { throw std::runtime_error("no database"); }

void require_stopped(mproc::Pool& pool) {
  pool.join();  // join has no timeout in Python; every test's pool is closed or terminated
}

}  // namespace

TEST_CASE("pool_apply_and_apply_async", "[pool]") {
  mproc::Pool pool(2);
  CHECK(pool.processes() == 2);
  CHECK(pool.apply(square, 7) == 49);
  CHECK(pool.apply(add, 2, 3) == 5);
  CHECK(pool.apply(shout, std::string("hi")) == "hi!");
  CHECK(pool.apply([](int a) { return a + 1; }, 41) == 42);
  pool.apply(nothing, 1);  // a task returning void
  bool called = false;
  auto v = pool.apply_async(mproc::callback([&] { called = true; }), nothing, 2);
  v.get(test::deadline_seconds);
  CHECK(called);
  CHECK(pool.apply(worker_pid) != mproc::getpid());
  auto r = pool.apply_async(square, 9);
  CHECK(r.get(test::deadline_seconds) == 81);
  CHECK(r.ready());
  CHECK(r.successful());
  CHECK(r.get() == 81);  // may be read again
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_map_starmap_imap", "[pool]") {
  mproc::Pool pool(3);
  std::vector<int> xs(100);
  std::iota(xs.begin(), xs.end(), 0);
  std::vector<int> expected;
  for (int x : xs) expected.push_back(x * x);
  CHECK(pool.map(square, xs) == expected);
  CHECK(pool.map(square, xs, 7) == expected);
  CHECK(pool.map(square, std::views::iota(0, 10)) == std::vector<int>{0, 1, 4, 9, 16, 25, 36, 49, 64, 81});
  CHECK(pool.map(square, std::vector<int>{}).empty());
  CHECK(pool.map_async(square, xs).get(test::deadline_seconds) == expected);

  std::vector<std::tuple<int, int>> pairs{{1, 2}, {3, 4}, {5, 6}};
  CHECK(pool.starmap(add, pairs) == std::vector<int>{3, 7, 11});
  CHECK(pool.starmap_async(add, pairs).get(test::deadline_seconds) == std::vector<int>{3, 7, 11});

  std::vector<int> in_order;
  for (int v : pool.imap(square, xs)) in_order.push_back(v);
  CHECK(in_order == expected);
  std::vector<int> chunked;
  for (int v : pool.imap(square, xs, 9)) chunked.push_back(v);
  CHECK(chunked == expected);

  std::vector<int> unordered;
  auto it = pool.imap_unordered(square, xs);
  while (auto v = it.next(test::deadline_seconds)) unordered.push_back(*v);
  std::sort(unordered.begin(), unordered.end());
  CHECK(unordered == expected);
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_from_a_context", "[pool]") {
  auto pool = mproc::get_context(test::method()).Pool(1);
  CHECK(pool.apply(square, 5) == 25);
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_default_chunksize_is_pythons", "[pool]") {
  CHECK(mproc::detail::default_chunksize(10, 4) == 1);
  CHECK(mproc::detail::default_chunksize(1'000'000, 2) == 125'000);
  CHECK(mproc::detail::default_chunksize(0, 2) == 1);
  CHECK(mproc::detail::default_chunksize(17, 2) == 3);
}

// More in test_exception_types.cpp.
TEST_CASE("pool_task_exceptions_come_back_by_type", "[pool]") {
  mproc::Pool pool(2);
  auto r = pool.apply_async(fail_on_three, 3);
  try {
    r.get(test::deadline_seconds);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "three is not allowed");
    auto* origin = dynamic_cast<const mproc::RemoteOrigin*>(&e);
    REQUIRE(origin != nullptr);
    CHECK(origin->remote_type() == "std::invalid_argument");
  }
  CHECK(r.ready());
  CHECK_FALSE(r.successful());
  CHECK_THROWS_AS(pool.map(fail_on_three, std::vector<int>{1, 2, 3, 4}), std::invalid_argument);
  // An error in one imap item is thrown at its turn; the others still come.
  auto it = pool.imap(fail_on_three, std::vector<int>{1, 3, 5});
  CHECK(it.next(test::deadline_seconds) == 1);
  CHECK_THROWS_AS(it.next(test::deadline_seconds), std::invalid_argument);
  CHECK(it.next(test::deadline_seconds) == 5);
  CHECK_FALSE(it.next(test::deadline_seconds).has_value());
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_callbacks_run_in_order_on_one_thread", "[pool]") {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  int results = 0, errors = 0;
  bool inside = false, overlapped = false;
  std::vector<mproc::AsyncResult<int>> pending;
  {
    mproc::Pool pool(2);
    auto on_result = [&](const int&) {
      std::lock_guard lock(mutex);
      if (inside) overlapped = true;
      threads.insert(std::this_thread::get_id());
      ++results;
    };
    auto on_error = [&](const std::exception& e) {
      std::lock_guard lock(mutex);
      CHECK(std::string(e.what()).find("three is not allowed") != std::string::npos);
      ++errors;
    };
    for (int i = 0; i < 50; ++i)
      pending.push_back(pool.apply_async(mproc::callback(on_result).on_error(on_error), fail_on_three, i));
    auto m = pool.map_async(mproc::callback([&](const std::vector<int>& v) {
                              std::lock_guard lock(mutex);
                              results += static_cast<int>(v.size()) * 1000;
                            }),
                            square, std::vector<int>{1, 2, 3});
    pool.close();
    require_stopped(pool);
    CHECK(m.ready());
  }
  std::lock_guard lock(mutex);
  CHECK(results == 49 + 3000);
  CHECK(errors == 1);
  CHECK_FALSE(overlapped);
  CHECK(threads.size() == 1);
  CHECK(threads.count(std::this_thread::get_id()) == 0);
}

TEST_CASE("pool_get_timeout_and_not_ready", "[pool]") {
  Gate gate;
  mproc::Pool pool(gate.options(1));
  auto r = pool.apply_async(gated, 5);
  REQUIRE(gate.started.wait(test::deadline_seconds));
  CHECK_THROWS_AS(r.get(0.05), mproc::TimeoutError);
  CHECK_FALSE(r.ready());
  CHECK_THROWS_AS(r.successful(), mproc::ValueError);
  auto it = pool.imap(square, std::vector<int>{2});
  CHECK_THROWS_AS(it.next(0.05), mproc::TimeoutError);  // the only worker is busy
  gate.release.set();
  CHECK(r.get(test::deadline_seconds) == 5);
  CHECK(it.next(test::deadline_seconds) == 4);
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_worker_death_fails_only_its_task", "[pool]") {
  for (Death how : {Death::abort, Death::exit, Death::segv}) {
    mproc::Pool pool(2);
    auto before = pool.worker_pids();
    std::vector<mproc::AsyncResult<int>> others;
    for (int i = 0; i < 20; ++i) others.push_back(pool.apply_async(square, i));
    auto doomed = pool.apply_async(die, how);
    for (int i = 20; i < 40; ++i) others.push_back(pool.apply_async(square, i));
    try {
      doomed.get(test::deadline_seconds);
      FAIL("the task that killed its worker succeeded");
    } catch (const mproc::WorkerLostError& e) {
      std::string what = e.what();
      CHECK(what.find(how == Death::exit ? "exited with code 3" : "") != std::string::npos);
      CHECK(what.find("PoolWorker") != std::string::npos);
    }
    for (int i = 0; i < 40; ++i) CHECK(others[static_cast<std::size_t>(i)].get(test::deadline_seconds) == i * i);
    CHECK(pool.apply(square, 3) == 9);  // the pool goes on, with a replacement worker
    auto after = pool.worker_pids();
    CHECK(after.size() == 2);
    CHECK(after != before);
    pool.close();
    require_stopped(pool);
  }
}

TEST_CASE("pool_task_timeout_kills_and_replaces_the_worker", "[pool]") {
  Gate gate;  // never released: the timed task would wait a minute
  mproc::Pool pool(gate.options(2));
  auto slow = pool.apply_async(mproc::task_timeout(0.3), gated, 1);
  auto fine = pool.apply_async(mproc::task_timeout(30), square, 4);
  CHECK(fine.get(test::deadline_seconds) == 16);
  try {
    slow.get(test::deadline_seconds);
    FAIL("no timeout");
  } catch (const mproc::TimeoutError& e) {
    CHECK(std::string(e.what()).find("killed") != std::string::npos);
  }
  std::vector<int> xs{1, 2, 3, 4, 5, 6};
  CHECK(pool.map(square, xs) == std::vector<int>{1, 4, 9, 16, 25, 36});
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_maxtasksperchild_replaces_workers", "[pool]") {
  mproc::PoolOptions options;
  options.processes = 2;
  options.maxtasksperchild = 2;
  mproc::Pool pool(options);
  std::map<int, int> tasks_per_pid;
  for (int i = 0; i < 10; ++i) ++tasks_per_pid[pool.apply(worker_pid)];
  for (auto [pid, count] : tasks_per_pid) CHECK(count <= 2);
  CHECK(tasks_per_pid.size() >= 5);
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_initializer_runs_once_per_worker", "[pool]") {
  Gate gate;
  mproc::Pool pool(gate.options(3));
  std::vector<int> xs(30, 1);
  CHECK(pool.map(square, xs, 1).size() == 30);
  pool.close();
  require_stopped(pool);
  CHECK(gate.initialized.value() == 3);
}

TEST_CASE("pool_failing_initializer_breaks_the_pool", "[pool]") {
  mproc::PoolOptions options;
  options.processes = 2;
  options.initializer = mproc::initializer(failing_initializer);
  mproc::Pool pool(options);
  try {
    pool.apply(square, 2);
    FAIL("the task ran without its initializer");
  } catch (const mproc::BrokenPoolError& e) {
    CHECK(std::string(e.what()).find("no database") != std::string::npos);
  }
  CHECK_THROWS_AS(pool.apply_async(square, 2), mproc::BrokenPoolError);
  pool.close();
  require_stopped(pool);
}

TEST_CASE("pool_terminate_fails_unfinished_tasks", "[pool]") {
  Gate gate;
  mproc::Pool pool(gate.options(2));
  auto running = pool.apply_async(gated, 1);
  std::vector<mproc::AsyncResult<int>> queued;
  for (int i = 0; i < 10; ++i) queued.push_back(pool.apply_async(gated, i));
  REQUIRE(gate.started.wait(test::deadline_seconds));
  pool.terminate();
  CHECK_THROWS_AS(running.get(test::deadline_seconds), mproc::PoolTerminatedError);
  for (auto& r : queued) CHECK_THROWS_AS(r.get(test::deadline_seconds), mproc::PoolTerminatedError);
  require_stopped(pool);
  CHECK(pool.worker_pids().empty());
}

TEST_CASE("pool_wrong_use_is_a_clear_error", "[pool]") {
  CHECK_THROWS_AS(mproc::Pool(-1), mproc::ValueError);
  mproc::PoolOptions bad;
  bad.maxtasksperchild = 0;
  CHECK_THROWS_AS(mproc::Pool(bad), mproc::ValueError);
  mproc::Pool pool(1);
  CHECK_THROWS_AS(pool.join(), mproc::ValueError);  // still running
  CHECK_THROWS_AS(pool.map(square, std::vector<int>{1}, 0), mproc::ValueError);
  // Synchronization objects reach workers through the initializer, not as task arguments.
  CHECK_THROWS_AS(pool.apply_async([](mproc::Event) { return 0; }, mproc::Event()), mproc::ValueError);
  pool.close();
  CHECK_THROWS_AS(pool.apply_async(square, 1), mproc::ValueError);
  CHECK_THROWS_AS(pool.map(square, std::vector<int>{}), mproc::ValueError);
  require_stopped(pool);
}

TEST_CASE("pool_destructor_terminates", "[pool]") {
  Gate gate;
  std::optional<mproc::AsyncResult<int>> r;
  {
    mproc::Pool pool(gate.options(1));
    r = pool.apply_async(gated, 1);
    REQUIRE(gate.started.wait(test::deadline_seconds));
  }  // like leaving Python's `with Pool() as pool:` block
  CHECK_THROWS_AS(r->get(test::deadline_seconds), mproc::PoolTerminatedError);
}

TEST_CASE("pool_many_tiny_tasks", "[pool]") {
  int n = 100'000;
  if (const char* env = std::getenv("MPROC_TEST_POOL_TASKS")) n = std::atoi(env);
  mproc::Pool pool(2);
  std::vector<mproc::AsyncResult<int>> results;
  results.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) results.push_back(pool.apply_async(square, i % 1000));
  long long sum = 0, expected = 0;
  for (int i = 0; i < n; ++i) {
    sum += results[static_cast<std::size_t>(i)].get(test::deadline_seconds);
    expected += static_cast<long long>(i % 1000) * (i % 1000);
  }
  CHECK(sum == expected);
  pool.close();
  require_stopped(pool);
}

namespace {
void own_a_pool(mproc::Queue<std::vector<int>> out) {
  mproc::Pool pool(2);
  pool.apply(square, 1);
  out.put(pool.worker_pids());
  mproc::Event().wait();  // until killed
}
}  // namespace

TEST_CASE("pool_workers_die_with_a_killed_owner", "[pool]") {
  if (!test::can_watch_pids()) return;  // Windows: libuv's kill-on-close Job Object does it
  mproc::Queue<std::vector<int>> out;
  mproc::Process owner(own_a_pool, out);
  owner.start();
  std::vector<int> pids = out.get(true, test::deadline_seconds);
  REQUIRE(pids.size() == 2);
  owner.kill();
  test::join_or_fail(owner);
  for (int pid : pids) CHECK(test::wait_process_gone(pid));
}
