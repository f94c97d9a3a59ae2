// A Condition whose waiter was killed inside wait(): notify wakes the living at once, and no
// wake-up meant for the dead is left behind for a later wait.
#include <chrono>
#include <thread>
#include <vector>

#include "support.hpp"

namespace {

// Announces it is about to wait; the parent knows the wait has begun once it can take the
// condition's lock (wait() releases it only after registering).
void wait_until_killed(mproc::Condition cond, mproc::Event inside) {
  std::lock_guard<mproc::Condition> guard(cond);
  inside.set();
  (void)cond.wait();
  mproc::exit(5);  // a wait that ends was not meant to
}

// Exit code 0 if notified, 3 if the wait timed out.
void wait_for_notify(mproc::Condition cond, mproc::Event inside, double seconds) {
  std::lock_guard<mproc::Condition> guard(cond);
  inside.set();
  if (!cond.wait(seconds)) mproc::exit(3);
}

// Returns once `p`'s child waits on `cond` (it announced it, and the lock is free again).
void until_waiting(mproc::Condition& cond, mproc::Event& inside) {
  REQUIRE(inside.wait(test::deadline_seconds));
  std::lock_guard<mproc::Condition> registered(cond);
}

mproc::Process start_waiter(mproc::Condition& cond, double seconds) {
  mproc::Event inside;
  mproc::Process p(wait_for_notify, cond, inside, seconds);
  p.start();
  until_waiting(cond, inside);
  return p;
}

mproc::Process start_dead_waiter(mproc::Condition& cond) {
  mproc::Event inside;
  mproc::Process p(wait_until_killed, cond, inside);
  p.start();
  until_waiting(cond, inside);
  p.kill();
  test::join_or_fail(p);
  REQUIRE(p.exitcode() == -9);
  return p;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("condition_notify_skips_a_waiter_killed_inside_wait", "[sync][condition]") {
  mproc::Condition cond;
  mproc::Process dead = start_dead_waiter(cond);  // the oldest waiter: first in line
  mproc::Process living = start_waiter(cond, test::deadline_seconds);
  auto start = std::chrono::steady_clock::now();
  {
    std::lock_guard<mproc::Condition> guard(cond);
    cond.notify();  // one wake-up: it must reach the living waiter, not the dead one
  }
  CHECK(seconds_since(start) < 1.0);  // Python hangs here; mproc 0.1 took 10 s
  test::join_or_fail(living);
  CHECK(living.exitcode() == 0);
}

TEST_CASE("condition_notify_all_with_dead_waiters_wakes_the_living_at_once", "[sync][condition]") {
  mproc::Condition cond;
  std::vector<mproc::Process> dead;
  for (int i = 0; i < 2; ++i) dead.push_back(start_dead_waiter(cond));
  std::vector<mproc::Process> living;
  for (int i = 0; i < 3; ++i) living.push_back(start_waiter(cond, test::deadline_seconds));
  auto start = std::chrono::steady_clock::now();
  {
    std::lock_guard<mproc::Condition> guard(cond);
    cond.notify_all();
  }
  CHECK(seconds_since(start) < 1.0);
  for (auto& p : living) {
    test::join_or_fail(p);
    CHECK(p.exitcode() == 0);
  }
}

TEST_CASE("condition_wake_up_meant_for_a_dead_waiter_is_not_left_behind", "[sync][condition]") {
  mproc::Condition cond;
  mproc::Process dead = start_dead_waiter(cond);
  {
    std::lock_guard<mproc::Condition> guard(cond);
    cond.notify();  // its only sleeper is dead
    // No notify since: a wait here, or in another process, times out.
    CHECK_FALSE(cond.wait(0.2));
  }
  mproc::Process later = start_waiter(cond, 0.3);
  test::join_or_fail(later);
  CHECK(later.exitcode() == 3);
}

TEST_CASE("condition_notify_wakes_exactly_n_oldest_waiters", "[sync][condition]") {
  mproc::Condition cond;
  std::vector<mproc::Process> waiters;
  // The first two wait long, the last one briefly: notify(2) must pick the two oldest.
  waiters.push_back(start_waiter(cond, test::deadline_seconds));
  waiters.push_back(start_waiter(cond, test::deadline_seconds));
  waiters.push_back(start_waiter(cond, 0.5));
  {
    std::lock_guard<mproc::Condition> guard(cond);
    cond.notify(2);
  }
  for (auto& p : waiters) test::join_or_fail(p);
  CHECK(waiters[0].exitcode() == 0);
  CHECK(waiters[1].exitcode() == 0);
  CHECK(waiters[2].exitcode() == 3);  // not notified: timed out
}

TEST_CASE("condition_threads_of_one_process_wait_and_are_notified", "[sync][condition]") {
  mproc::Condition cond;
  int waiting = 0, woken = 0;
  bool go = false;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      std::lock_guard<mproc::Condition> guard(cond);
      ++waiting;  // counted under the lock, which only wait() gives up
      cond.notify_all();
      if (cond.wait_for([&] { return go; }, test::deadline_seconds)) ++woken;
    });
  {
    // The main thread waits too (on the same condition) until all four are in.
    std::lock_guard<mproc::Condition> guard(cond);
    REQUIRE(cond.wait_for([&] { return waiting == 4; }, test::deadline_seconds));
    go = true;
    cond.notify_all();
  }
  for (auto& t : threads) t.join();
  CHECK(woken == 4);
}
