// The MPI backend, run by ctest under `mpiexec -n 4` (rank 0 runs these tests; ranks 1-3 serve):
// MPIPoolExecutor's API, a Pool on the ranks, exceptions by type, ordered and unordered maps of
// 100,000 items, stop requests reaching a rank's task, a session ended by mproc::exit,
// cancellation of a task that ignores requests, initializers. Tagged [outside] for the run
// without mpiexec (a clear error).
#define CATCH_CONFIG_RUNNER
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "../catch.hpp"
#include "mproc/mpi.hpp"
#include "mproc/mproc.hpp"

namespace {

constexpr double deadline = 120;  // seconds: the longest any result may take here

int square(int x) { return x * x; }
int small_square(int x) { return (x % 1000) * (x % 1000); }  // no overflow for any int
int my_rank() { return mproc::mpi::rank(); }
std::string shout(std::string s) { return s + "!"; }
int fail_on_three(int x) {
  if (x == 3) throw std::out_of_range("three is out of range");
  return x;
}
int leave_with(int code) { mproc::exit(code); }

// Runs until asked to stop (a minute at most).
std::string cooperative(std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  cv.wait_until(lock, stop, std::chrono::steady_clock::now() + std::chrono::seconds(60),
                [] { return false; });
  return stop.stop_requested() ? "stopped" : "ran out";
}

// Ignores requests; ends at a deadline `ms` from now (its work is waiting for it).
int busy_for(int ms) {
  std::mutex m;
  std::condition_variable cv;
  std::unique_lock lock(m);
  cv.wait_until(lock, std::chrono::steady_clock::now() + std::chrono::milliseconds(ms), [] { return false; });
  return ms;
}

int g_initialized = 0;
void initialize(int value) { g_initialized = value; }
int initialized_value() { return g_initialized; }
void failing_initializer() { throw std::runtime_error("no database"); }
void take_lock(mproc::Lock lock) { lock.acquire(); }

int workers() { return mproc::mpi::world_size() - 1; }

}  // namespace

TEST_CASE("mpi_submit_result_and_ranks", "[mpi]") {
  REQUIRE(mproc::mpi::launched());
  REQUIRE(mproc::mpi::rank() == 0);
  REQUIRE(workers() >= 2);
  mproc::MPIPoolExecutor ex;
  CHECK(ex.submit(square, 7).result(deadline) == 49);
  CHECK(ex.submit(shout, std::string("hi")).result(deadline) == "hi!");
  // Every task runs on a rank other than 0, and all ranks take part.
  std::vector<mproc::Future<int>> fs;
  for (int i = 0; i < 200; ++i) fs.push_back(ex.submit(my_rank));
  std::set<int> seen;
  for (auto& f : fs) seen.insert(f.result(deadline));
  CHECK(seen.count(0) == 0);
  CHECK(static_cast<int>(seen.size()) >= 2);
  CHECK(*seen.rbegin() <= workers());
}

TEST_CASE("mpi_exceptions_come_back_by_type", "[mpi]") {
  mproc::MPIPoolExecutor ex(2);
  auto f = ex.submit(fail_on_three, 3);
  CHECK_THROWS_AS(f.result(deadline), std::out_of_range);
  CHECK_THROWS_WITH(f.result(deadline), "three is out of range");
  CHECK(ex.submit(fail_on_three, 4).result(deadline) == 4);
}

TEST_CASE("mpi_map_of_100000_items_in_order", "[mpi]") {
  mproc::MPIPoolExecutor ex;
  std::vector<int> xs(100'000);
  std::iota(xs.begin(), xs.end(), 0);
  int i = 0;
  bool in_order = true;
  for (int r : ex.map(small_square, xs, mproc::MapOptions{.timeout = deadline, .chunksize = 500})) {
    in_order = in_order && r == small_square(i);
    ++i;
  }
  CHECK(i == 100'000);
  CHECK(in_order);
  // Lazy: an endless range with a bounded number of tasks in flight.
  int taken = 0;
  for (int r : ex.map(square, std::views::iota(0), mproc::MapOptions{.chunksize = 10, .buffersize = 8})) {
    CHECK(r == taken * taken);
    if (++taken == 1000) break;
  }
}

TEST_CASE("mpi_as_completed_and_wait", "[mpi]") {
  mproc::MPIPoolExecutor ex;
  std::vector<mproc::Future<int>> fs;
  for (int i = 0; i < 1000; ++i) fs.push_back(ex.submit(square, i));
  std::set<int> got;
  for (const auto& f : mproc::futures::as_completed(fs, deadline)) got.insert(f.result());
  CHECK(got.size() == 1000);
  auto slow = ex.submit(busy_for, 300);
  auto quick = ex.submit(square, 3);
  auto first = mproc::futures::wait({slow, quick}, deadline, mproc::futures::FIRST_COMPLETED);
  CHECK(first.done.size() >= 1);
  auto all = mproc::futures::wait({slow, quick}, deadline);
  CHECK(all.not_done.empty());
}

TEST_CASE("mpi_pool_apply_map_imap_unordered_callbacks", "[mpi]") {
  mproc::Pool pool(mproc::PoolOptions{.host = mproc::mpi::ranks()});
  CHECK(pool.apply(square, 9) == 81);
  std::atomic<int> called{0};
  auto r = pool.apply_async(mproc::callback([&](int v) { called = v; }), square, 5);
  CHECK(r.get(deadline) == 25);
  CHECK(called == 25);
  std::vector<int> xs(100'000);
  std::iota(xs.begin(), xs.end(), 0);
  auto mapped = pool.map(square, std::vector<int>(xs.begin(), xs.begin() + 1000));
  CHECK(mapped.size() == 1000);
  CHECK(mapped[999] == 999 * 999);
  long long count = 0, sum = 0;
  for (int v : pool.imap_unordered(square, std::vector<int>{}, 1)) sum += v;  // nothing in
  for (int v : pool.imap_unordered(small_square, xs, 1000)) {
    ++count;
    sum += v;
  }
  long long expected = 0;
  for (int x : xs) expected += small_square(x);
  CHECK(count == 100'000);
  CHECK(sum == expected);
  pool.close();
  pool.join();
}

TEST_CASE("mpi_stop_request_reaches_a_task_on_a_rank", "[mpi]") {
  mproc::MPIPoolExecutor ex(1);
  auto f = ex.submit(cooperative);
  // Wait until it runs (a rank's task shows as running once it reached the worker).
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!f.running() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  REQUIRE(f.running());
  CHECK(f.cancel(mproc::Cancel::request));
  CHECK_THROWS_AS(f.result(deadline), mproc::CancelledError);
  CHECK(ex.submit(square, 3).result(deadline) == 9);
}

TEST_CASE("mpi_cancel_terminate_lets_the_rank_go_and_goes_on", "[mpi]") {
  mproc::ExecutorOptions o;
  o.max_workers = 1;
  o.cancel_grace = 0.2;
  mproc::MPIPoolExecutor ex(o);
  auto f = ex.submit(busy_for, 1500);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!f.running() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  auto began = std::chrono::steady_clock::now();
  CHECK(f.cancel(mproc::Cancel::terminate));
  CHECK_THROWS_AS(f.result(deadline), mproc::CancelledError);
  CHECK(std::chrono::steady_clock::now() - began < std::chrono::milliseconds(1400));
  // A new session serves the next task (after the rank finished the abandoned one).
  CHECK(ex.submit(square, 4).result(deadline) == 16);
}

TEST_CASE("mpi_a_task_calling_exit_fails_only_itself", "[mpi]") {
  mproc::MPIPoolExecutor ex(1);
  auto f = ex.submit(leave_with, 3);
  CHECK_THROWS_AS(f.result(deadline), mproc::WorkerLostError);
  CHECK(ex.submit(square, 6).result(deadline) == 36);
}

TEST_CASE("mpi_initializers", "[mpi]") {
  {
    mproc::ExecutorOptions o;
    o.initializer = mproc::initializer(initialize, 42);
    mproc::MPIPoolExecutor ex(o);
    std::vector<mproc::Future<int>> fs;
    for (int i = 0; i < 50; ++i) fs.push_back(ex.submit(initialized_value));
    for (auto& f : fs) CHECK(f.result(deadline) == 42);
  }
  mproc::ExecutorOptions o;
  o.initializer = mproc::initializer(failing_initializer);
  mproc::MPIPoolExecutor ex(o);
  CHECK_THROWS_AS(ex.submit(square, 2).result(deadline), mproc::BrokenProcessPool);
}

TEST_CASE("mpi_os_handles_cannot_go_to_a_rank", "[mpi]") {
  mproc::ExecutorOptions o;
  o.initializer = mproc::initializer(take_lock, mproc::Lock());
  CHECK_THROWS_AS(mproc::MPIPoolExecutor(o), mproc::ValueError);
  // The ranks were not taken by the refused executor.
  mproc::MPIPoolExecutor ex;
  CHECK(ex.submit(square, 5).result(deadline) == 25);
}

TEST_CASE("mpi_more_workers_than_ranks_is_refused", "[mpi]") {
  CHECK_THROWS_AS(mproc::MPIPoolExecutor(workers() + 1), mproc::RuntimeError);
  mproc::MPIPoolExecutor all;
  // The ranks are taken: a second executor gets a clear error, not a hang.
  CHECK_THROWS_WITH(mproc::MPIPoolExecutor(1), Catch::Contains("serve other pools"));
  all.shutdown();
  mproc::MPIPoolExecutor again(1);
  CHECK(again.submit(square, 2).result(deadline) == 4);
}

TEST_CASE("mpi_outside_mpiexec_is_a_clear_error", "[outside]") {
  REQUIRE_FALSE(mproc::mpi::launched());
  CHECK(mproc::mpi::world_size() == 1);
  CHECK_THROWS_WITH(mproc::MPIPoolExecutor(), Catch::Contains("mpiexec -n N"));
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);  // ranks 1..N-1 serve tasks in here and never return
  return Catch::Session().run(argc, argv);
}
