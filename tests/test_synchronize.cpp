// Lock, RLock, Semaphore, BoundedSemaphore, Event, Value and Array across processes, under
// every start method.
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

void add_under_lock(mproc::Value<int> counter, int times) {
  for (int i = 0; i < times; ++i) {
    std::lock_guard<mproc::Lock> guard(counter.get_lock());
    *counter.get() += 1;
  }
}

// Exit codes: 10 + what acquire returned without blocking, 20 + what it returned after 50 ms.
void try_lock_held_elsewhere(mproc::Lock lock) {
  bool nonblocking = lock.acquire(false);
  bool timed = lock.acquire(true, 0.05);
  mproc::exit(10 * (nonblocking ? 2 : 1) + (timed ? 1 : 0));
}

void hold_lock_and_wait(mproc::Lock lock, mproc::Event acquired) {
  lock.acquire();
  acquired.set();
  mproc::Event().wait();  // Forever: the parent kills us while we hold the lock.
}

void wait_for_event(mproc::Event e, mproc::Event started) {
  started.set();
  if (!e.wait(test::deadline_seconds)) mproc::exit(2);
}

void seed_value_array(mproc::Value<double> n, mproc::Array<int> a) {
  n = 3.1415927;
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = -a[i];
}

void take_semaphore(mproc::Semaphore s) {
  if (!s.acquire(true, test::deadline_seconds)) mproc::exit(2);
}

}  // namespace

TEST_CASE("lock_mutual_exclusion_two_processes_exact_total", "[sync]") {
  mproc::Value<int> counter(0);
  const int times = 100000;
  mproc::Process a(add_under_lock, counter, times), b(add_under_lock, counter, times);
  a.start();
  b.start();
  test::join_or_fail(a);
  test::join_or_fail(b);
  CHECK(a.exitcode() == 0);
  CHECK(b.exitcode() == 0);
  CHECK(counter.value() == 2 * times);
}

TEST_CASE("lock_held_by_another_process_times_out", "[sync]") {
  mproc::Lock lock;
  REQUIRE(lock.acquire());
  mproc::Process p(try_lock_held_elsewhere, lock);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 10);  // both attempts failed
  lock.release();
  CHECK_THROWS_AS(lock.release(), mproc::ValueError);
}

TEST_CASE("lock_is_not_recursive_rlock_counts", "[sync]") {
  mproc::Lock lock;
  REQUIRE(lock.acquire());
  CHECK_FALSE(lock.acquire(false));
  CHECK_FALSE(lock.acquire(true, 0.01));
  CHECK_THROWS_AS(lock.acquire(), mproc::ValueError);  // Python would hang forever.
  lock.release();

  mproc::RLock rlock;
  for (int i = 0; i < 3; ++i) REQUIRE(rlock.acquire());
  mproc::Process p(try_lock_held_elsewhere, rlock);
  rlock.release();
  rlock.release();  // Still held once.
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 10);
  rlock.release();
  CHECK_THROWS_AS(rlock.release(), mproc::ValueError);
  mproc::Process q(try_lock_held_elsewhere, rlock);
  q.start();
  test::join_or_fail(q);
  CHECK(q.exitcode() == 21);  // free now: the first attempt succeeds, the second recurses
}

TEST_CASE("lock_whose_owner_died_is_recovered_not_deadlocked", "[sync]") {
  mproc::Lock lock;
  mproc::Event acquired;
  mproc::Process p(hold_lock_and_wait, lock, acquired);
  p.start();
  REQUIRE(acquired.wait(test::deadline_seconds));
  p.kill();
  test::join_or_fail(p);
  REQUIRE(lock.acquire(true, test::deadline_seconds));  // Python waits forever here.
  CHECK(lock.recovered());
  lock.release();
  REQUIRE(lock.acquire(true, test::deadline_seconds));
  CHECK_FALSE(lock.recovered());
  lock.release();
}

TEST_CASE("semaphore_counts_and_bounded_semaphore_refuses_over_release", "[sync]") {
  mproc::Semaphore s(2);
  CHECK(s.acquire());
  CHECK(s.acquire(false));
  CHECK_FALSE(s.acquire(false));
  CHECK_FALSE(s.acquire(true, 0.02));
  mproc::Process p(take_semaphore, s);
  p.start();
  s.release();  // The child takes this one.
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  CHECK_FALSE(s.acquire(false));
  mproc::BoundedSemaphore b(1);
  CHECK_THROWS_AS(b.release(), mproc::ValueError);
  CHECK(b.acquire());
  b.release();
  CHECK_THROWS_AS(b.release(), mproc::ValueError);
}

TEST_CASE("event_wakes_a_waiting_process", "[sync]") {
  mproc::Event e, started;
  CHECK_FALSE(e.is_set());
  CHECK_FALSE(e.wait(0.02));
  mproc::Process p(wait_for_event, e, started);
  p.start();
  REQUIRE(started.wait(test::deadline_seconds));
  e.set();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  CHECK(e.is_set());
  CHECK(e.wait());
  e.clear();
  CHECK_FALSE(e.is_set());
}

TEST_CASE("value_and_array_seed_example", "[sync][sharedctypes]") {
  mproc::Value<double> num(0.0);
  mproc::Array<int> arr{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  mproc::Process p(seed_value_array, num, arr);
  p.start();
  test::join_or_fail(p);
  CHECK(num.value() == 3.1415927);
  CHECK(arr.to_vector() == std::vector<int>{0, -1, -2, -3, -4, -5, -6, -7, -8, -9});
  CHECK(arr.slice(2, 4).size() == 2);
  CHECK(arr.slice(2, 4)[0] == -2);
  CHECK_THROWS_AS(arr.at(10), mproc::ValueError);
  mproc::Value<int> raw(5, false);
  CHECK_THROWS_AS(raw.get_lock(), mproc::ValueError);
  mproc::RawArray<long> zeros(4);
  for (long x : zeros) CHECK(x == 0);
}

namespace {

// Waits for the shared value to reach `target`, then sets it to -1.
void wait_for_value(mproc::Condition cond, mproc::Value<int> value, int target) {
  std::lock_guard<mproc::Condition> guard(cond);
  if (!cond.wait_for([&] { return *value.get() == target; }, test::deadline_seconds)) mproc::exit(2);
  *value.get() = -1;
  cond.notify_all();
}

}  // namespace

TEST_CASE("condition_wait_for_and_notify_across_processes", "[sync]") {
  mproc::Condition cond;
  mproc::Value<int> value(0, false);
  mproc::Process p(wait_for_value, cond, value, 3);
  p.start();
  for (int i = 1; i <= 3; ++i) {
    std::lock_guard<mproc::Condition> guard(cond);
    *value.get() = i;
    cond.notify();
  }
  {
    std::lock_guard<mproc::Condition> guard(cond);
    CHECK(cond.wait_for([&] { return *value.get() == -1; }, test::deadline_seconds));
  }
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  CHECK_THROWS_AS(cond.wait(0.01), mproc::ValueError);  // not held
  std::lock_guard<mproc::Condition> guard(cond);
  CHECK_FALSE(cond.wait(0.02));  // nobody notifies: times out
}

namespace {

void barrier_party(mproc::Barrier b, mproc::Queue<int> indices) { indices.put(b.wait(test::deadline_seconds)); }

void count_action() {}

}  // namespace

TEST_CASE("barrier_releases_all_parties_and_breaks_on_timeout", "[sync]") {
  mproc::Barrier b(3, count_action);
  mproc::Queue<int> indices;
  mproc::Process p1(barrier_party, b, indices), p2(barrier_party, b, indices);
  p1.start();
  p2.start();
  int mine = b.wait(test::deadline_seconds);
  std::vector<int> all{mine, indices.get(true, test::deadline_seconds), indices.get(true, test::deadline_seconds)};
  std::sort(all.begin(), all.end());
  CHECK(all == std::vector<int>{0, 1, 2});
  test::join_or_fail(p1);
  test::join_or_fail(p2);
  CHECK(b.parties() == 3);
  CHECK_FALSE(b.broken());
  // Alone at a barrier for 3: the wait times out and breaks it for everyone.
  CHECK_THROWS_AS(b.wait(0.05), mproc::BrokenBarrierError);
  CHECK(b.broken());
  CHECK_THROWS_AS(b.wait(0.05), mproc::BrokenBarrierError);
  b.reset();
  CHECK_FALSE(b.broken());
  b.abort();
  CHECK(b.broken());
}

namespace {

// The action runs once per trip, in whichever process arrives last: it counts trips in a
// shared value that the test can read.
mproc::RawValue<int>* trips = nullptr;
void count_trip() {
  if (trips != nullptr) *trips->get() += 1;
}

void barrier_with_action(mproc::Barrier b, mproc::RawValue<int> counter) {
  trips = new mproc::RawValue<int>(counter);  // This process's handle, for the action.
  (void)b.wait(test::deadline_seconds);
}

}  // namespace

TEST_CASE("barrier_action_runs_once_per_trip_in_any_process", "[sync]") {
  mproc::RawValue<int> counter(0);
  trips = &counter;
  mproc::Barrier b(2, count_trip);
  for (int round = 0; round < 3; ++round) {
    mproc::Process p(barrier_with_action, b, counter);
    p.start();
    (void)b.wait(test::deadline_seconds);
    test::join_or_fail(p);
    CHECK(p.exitcode() == 0);
  }
  CHECK(counter.value() == 3);
  trips = nullptr;
}

namespace {
void take_lock_and_return(mproc::Lock lock) { lock.acquire(); }
}  // namespace

// A child whose target returns while it holds the lock (no kill): its process ends holding it,
// and the next acquire takes it over as from a dead owner. (Under spawn the lock used to be
// unmapped before the exit, so the OS never saw its owner die and it stayed locked forever.)
TEST_CASE("lock_kept_by_a_child_that_returned_is_taken_over", "[sync]") {
  for (bool recursive : {false, true}) {
    mproc::Lock lock = recursive ? mproc::Lock(mproc::RLock()) : mproc::Lock();
    mproc::Process p(take_lock_and_return, lock);
    p.start();
    test::join_or_fail(p);
    CHECK(p.exitcode() == 0);
    REQUIRE(lock.acquire(true, test::deadline_seconds));
    CHECK(lock.recovered());
    lock.release();
  }
}
