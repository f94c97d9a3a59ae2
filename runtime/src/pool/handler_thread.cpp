#include "pool/handler_thread.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/process_hooks.hpp"

namespace mproc::detail {
namespace {

// How long a thread stays parked: long enough for a program that starts executors one after
// another, short enough that one that is done with them soon has no extra thread.
constexpr auto keep_parked = std::chrono::seconds(10);

// Parked threads and the bodies handed to them. Never destroyed: a parked thread may still wait
// on it while the program exits. A forked child starts a fresh one (the parent's threads are
// not in the child); the old one stays reachable from it, for leak checkers.
struct Parking {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> bodies;
  std::size_t parked = 0;
  Parking* before_fork = nullptr;
};

Parking* parking_now = nullptr;

void lock_for_fork() noexcept {
  if (parking_now != nullptr) parking_now->mutex.lock();
}
void unlock_in_parent() noexcept {
  if (parking_now != nullptr) parking_now->mutex.unlock();
}
void renew_in_child() noexcept {
  if (parking_now == nullptr) return;
  // Locked by the forking thread; none of its parked threads exists here.
  auto* fresh = new Parking;
  fresh->before_fork = parking_now;
  parking_now = fresh;
}

Parking& parking() {
  // First used by one thread (a pool's constructor) before any handler thread exists.
  static const bool registered = [] {
    parking_now = new Parking;
    register_fork_hooks({&lock_for_fork, &unlock_in_parent, &renew_in_child});
    return true;
  }();
  (void)registered;
  return *parking_now;
}

void run_and_park(Parking* p, std::function<void()> body) {
  for (;;) {
    body();
    body = nullptr;  // what it holds goes now, not when the next body comes
    std::unique_lock lock(p->mutex);
    ++p->parked;
    bool woken = p->wake.wait_for(lock, keep_parked, [&] { return !p->bodies.empty(); });
    --p->parked;
    if (!woken) return;
    body = std::move(p->bodies.front());
    p->bodies.pop_front();
  }
}

}  // namespace

struct HandlerThread::State {
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;
  std::thread::id id;
};

void HandlerThread::start(std::function<void()> body) {
  auto state = std::make_shared<State>();
  std::function<void()> run = [state, body = std::move(body)] {
    {
      std::lock_guard lock(state->mutex);
      state->id = std::this_thread::get_id();
    }
    body();
    std::lock_guard lock(state->mutex);
    state->done = true;
    state->done_changed.notify_all();
  };
  Parking& p = parking();
  {
    std::lock_guard lock(p.mutex);
    if (p.parked > p.bodies.size()) {
      p.bodies.push_back(std::move(run));
      p.wake.notify_one();
      state_ = std::move(state);
      return;
    }
  }
  std::thread(run_and_park, &p, std::move(run)).detach();
  state_ = std::move(state);
}

bool HandlerThread::runs_here() const noexcept {
  if (!state_) return false;
  std::lock_guard lock(state_->mutex);
  return state_->id == std::this_thread::get_id();
}

void HandlerThread::join() {
  if (!state_) return;
  {
    std::unique_lock lock(state_->mutex);
    state_->done_changed.wait(lock, [&] { return state_->done; });
  }
  state_.reset();
}

}  // namespace mproc::detail
