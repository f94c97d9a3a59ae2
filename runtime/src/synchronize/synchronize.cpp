#include "mproc/synchronize.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <uv.h>
#include <spdlog/logger.h>

#include "mproc/errors.hpp"
#include "mproc/logging.hpp"
#include "mproc/platform/fork.hpp"
#include "mproc/platform/ipc_sync.hpp"
#include "mproc/platform/shared_memory.hpp"
#include "core/cached_pid.hpp"
#include "core/identity.hpp"
#include "core/throw_error.hpp"

namespace mproc {
namespace detail {
namespace {

int own_pid() { return cached_pid(); }

// Identifies the calling thread within this process: the address of a thread-local, which is
// cheaper to get than a thread id (no library call).
std::uintptr_t this_thread_token() {
  static thread_local char token;
  return reinterpret_cast<std::uintptr_t>(&token);
}

int to_ms(bool block, std::optional<double> timeout) {
  if (!block) return 0;
  if (!timeout) return -1;
  if (*timeout <= 0) return 0;
  return static_cast<int>(std::min(*timeout * 1000.0 + 0.999, 2.0e9));
}

}  // namespace

// The OS mutex is never entered twice: ownership and recursion are tracked here, per process
// (a thread of another process can never be "this thread"). The pid guards against a forked
// child, whose only thread may have the same id as the parent's thread that held the lock.
struct LockState {
  platform::ipc_mutex mutex;
  bool recursive = false;
  std::atomic<std::uintptr_t> owner{0};  // this_thread_token() of the holder
  std::atomic<int> owner_pid{0};
  int count = 0;  // touched by the owner only
  std::atomic<bool> recovered{false};

  ~LockState() {
    // Dropped while this process holds it (a child whose target returned holding the lock):
    // keep the mutex mapped, so that when this process ends the OS still sees the held mutex
    // and hands it to the next acquirer as "owner died" instead of leaving it locked forever.
    if (owner_pid.load(std::memory_order_relaxed) == own_pid()) return;
    platform::close_mutex(mutex);
  }
  bool held_here() const {
    // Only the owner writes these, so relaxed is enough: another thread can never see its own
    // id here, stale or not.
    return owner.load(std::memory_order_relaxed) == this_thread_token() &&
           owner_pid.load(std::memory_order_relaxed) == own_pid();
  }
};

struct SemaphoreState {
  platform::ipc_semaphore semaphore;
  unsigned maximum = 0;  // what makes a BoundedSemaphore; travels with the handle
  ~SemaphoreState() { platform::close_semaphore(semaphore); }
};

// An Event: a flag in shared memory guarded by a mutex, and a semaphore that wakes waiters
// (posted once per registered waiter on `set`; a waiter that timed out leaves at most a
// spurious wake-up behind, after which it checks the flag again).
struct EventShared {
  std::uint32_t flag;
  std::uint32_t waiters;
};

struct EventState {
  platform::mapped_region region;
  platform::ipc_mutex mutex;
  platform::ipc_semaphore wakeup;
  ~EventState() {
    platform::close_semaphore(wakeup);
    platform::close_mutex(mutex);
    platform::release_region(region);
  }
  EventShared& shared() { return *static_cast<EventShared*>(region.address); }
  class Guard {
   public:
    explicit Guard(EventState& e) : e_(e) { (void)platform::lock_mutex(e.mutex, -1); }
    ~Guard() { platform::unlock_mutex(e_.mutex); }

   private:
    EventState& e_;
  };
};

std::shared_ptr<LockState> adopt_lock(native_handle handle, bool recursive) {
  auto s = std::make_shared<LockState>();
  throw_error(platform::open_mutex(handle, s->mutex), "cannot open a lock received from another process");
  s->recursive = recursive;
  return s;
}

std::shared_ptr<SemaphoreState> adopt_semaphore(native_handle handle, unsigned maximum) {
  auto s = std::make_shared<SemaphoreState>();
  s->maximum = maximum;
  throw_error(platform::open_semaphore(handle, s->semaphore), "cannot open a semaphore received from another process");
  return s;
}

std::shared_ptr<EventState> adopt_event(native_handle region, native_handle mutex, native_handle wakeup) {
  auto s = std::make_shared<EventState>();
  platform::open_mutex(mutex, s->mutex);
  platform::open_semaphore(wakeup, s->wakeup);
  throw_error(platform::map_region(region, sizeof(EventShared), s->region),
              "cannot open an event received from another process");
  return s;
}

native_handle lock_handle(const LockState& s) { return s.mutex.handle; }
bool lock_recursive(const LockState& s) { return s.recursive; }
native_handle semaphore_handle(const SemaphoreState& s) { return s.semaphore.handle; }
unsigned semaphore_maximum(const SemaphoreState& s) { return s.maximum; }
void event_handles(const EventState& s, native_handle (&out)[3]) {
  out[0] = s.region.handle;
  out[1] = s.mutex.handle;
  out[2] = s.wakeup.handle;
}
handle_kind sync_handle_kind() { return platform::ipc_object_kind(); }
handle_kind region_handle_kind() { return platform::shared_object_kind(); }

}  // namespace detail

// ---- Lock / RLock

Lock::Lock() : Lock(false) {}

Lock::Lock(bool recursive) : state_(std::make_shared<detail::LockState>()) {
  detail::throw_error(platform::create_mutex(state_->mutex), "cannot create a lock");
  state_->recursive = recursive;
}

bool Lock::acquire(bool block, std::optional<double> timeout) {
  detail::LockState& s = *state_;
  if (s.held_here()) {
    if (s.recursive) {
      ++s.count;
      return true;
    }
    // Python's Lock would wait for itself: false without blocking or after the timeout, and an
    // error instead of a hang when told to wait forever.
    if (!block) return false;
    if (!timeout)
      throw ValueError("Lock.acquire(): this thread already holds this Lock, which is not recursive, "
                       "so waiting for it would never end; use RLock to acquire it again");
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, *timeout)));
    return false;
  }
  auto status = platform::lock_mutex(s.mutex, detail::to_ms(block, timeout));
  if (status == platform::lock_status::timed_out) return false;
  bool recovered = status == platform::lock_status::owner_died;
  if (recovered) get_logger()->warn("a process died holding a lock; its new owner takes over");
  s.recovered.store(recovered, std::memory_order_relaxed);
  s.owner_pid.store(detail::own_pid(), std::memory_order_relaxed);
  s.owner.store(detail::this_thread_token(), std::memory_order_relaxed);
  s.count = 1;
  return true;
}

void Lock::release() {
  detail::LockState& s = *state_;
  if (!s.held_here())
    throw ValueError(s.recursive ? "cannot release un-acquired lock: this thread does not own the RLock"
                                 : "cannot release un-acquired lock: this thread does not hold the Lock");
  if (--s.count > 0) return;
  s.owner.store(0, std::memory_order_relaxed);
  s.owner_pid.store(0, std::memory_order_relaxed);
  platform::unlock_mutex(s.mutex);
}

bool Lock::recovered() const noexcept { return state_->recovered.load(); }

// ---- Semaphore / BoundedSemaphore

Semaphore::Semaphore(unsigned value) : Semaphore(value, 0x7fffffffu) {}

Semaphore::Semaphore(unsigned value, unsigned maximum) : state_(std::make_shared<detail::SemaphoreState>()) {
  state_->maximum = maximum;
  detail::throw_error(platform::create_semaphore(value, maximum, state_->semaphore), "cannot create a semaphore");
}

bool Semaphore::acquire(bool block, std::optional<double> timeout) {
  return platform::acquire_semaphore(state_->semaphore, detail::to_ms(block, timeout));
}

void Semaphore::release() {
  auto ec = platform::release_semaphore(state_->semaphore);
  if (ec == std::errc::value_too_large) throw ValueError("semaphore or lock released too many times");
  detail::throw_error(ec, "cannot release the semaphore");
}

int Semaphore::get_value() const {
  int value = 0;
  detail::throw_error(platform::semaphore_value(state_->semaphore, value), "cannot read the semaphore's value");
  return value;
}

// ---- Event

Event::Event() : state_(std::make_shared<detail::EventState>()) {
  detail::throw_error(platform::create_region(sizeof(detail::EventShared), state_->region), "cannot create an event");
  detail::throw_error(platform::create_mutex(state_->mutex), "cannot create an event");
  detail::throw_error(platform::create_semaphore(0, state_->wakeup), "cannot create an event");
}

bool Event::is_set() const {
  detail::EventState::Guard g(*state_);
  return state_->shared().flag != 0;
}

void Event::set() {
  detail::EventState::Guard g(*state_);
  auto& sh = state_->shared();
  sh.flag = 1;
  if (sh.waiters > 0) (void)platform::release_semaphore(state_->wakeup, sh.waiters);
  sh.waiters = 0;  // Each registered waiter has its post; it no longer counts as waiting.
}

void Event::clear() {
  detail::EventState::Guard g(*state_);
  state_->shared().flag = 0;
}

bool Event::wait(std::optional<double> timeout) {
  using clock = std::chrono::steady_clock;
  auto deadline = timeout ? std::optional<clock::time_point>(
                                clock::now() + std::chrono::duration_cast<clock::duration>(
                                                   std::chrono::duration<double>(std::max(0.0, std::min(*timeout, 1e9)))))
                          : std::nullopt;
  for (;;) {
    {
      detail::EventState::Guard g(*state_);
      auto& sh = state_->shared();
      if (sh.flag != 0) return true;
      if (deadline && clock::now() >= *deadline) return false;
      ++sh.waiters;
    }
    int ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now()).count();
      ms = left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 2000000000));
    }
    if (!platform::acquire_semaphore(state_->wakeup, ms)) {
      detail::EventState::Guard g(*state_);
      auto& sh = state_->shared();
      if (sh.waiters > 0) --sh.waiters;  // Timed out: no longer waiting (unless set() took us off).
      return sh.flag != 0;
    }
  }
}

bool Lock::held_by_this_thread() const noexcept { return state_->held_here(); }

int Lock::count() const noexcept { return state_->held_here() ? state_->count : 0; }

std::string Lock::owner() const {
  detail::LockState& s = *state_;
  if (s.held_here()) return detail::current_identity().name;
  if (s.owner_pid.load(std::memory_order_relaxed) == detail::own_pid()) return "SomeOtherThread";
  // Another process may hold it: only trying it tells (Python reads the semaphore's value).
  // A holder that died is taken over here as by acquire (and logged as there).
  switch (platform::lock_mutex(s.mutex, 0)) {
    case platform::lock_status::timed_out:
      return "SomeOtherProcess";
    case platform::lock_status::owner_died:
      get_logger()->warn("a process died holding a lock; found while printing the lock");
      [[fallthrough]];
    case platform::lock_status::acquired:
      platform::unlock_mutex(s.mutex);
      return "None";
  }
  return "None";
}

int Lock::release_all() {
  int count = state_->count;
  for (int i = 0; i < count; ++i) release();
  return count;
}

void Lock::reacquire(int count) {
  for (int i = 0; i < count; ++i) (void)acquire();
}

}  // namespace mproc

