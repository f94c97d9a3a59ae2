#pragma once
// Cross-process synchronisation with Python's names: Lock, RLock, Semaphore, BoundedSemaphore,
// Event. Copies refer to the same object; each passes to children as a `Process` argument under
// every start method. Use them with `std::lock_guard`/`std::unique_lock` as Python uses `with`.
//
// Beyond Python: a process that dies while holding a Lock or RLock does not deadlock the
// others. The next `acquire` succeeds and `recovered()` says that the previous owner died (what
// it protected may be half-updated); Python waits forever there.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "mproc/detail/block_argument.hpp"
#include "mproc/detail/handle_passing.hpp"
#include "mproc/detail/printable.hpp"
#include "mproc/detail/wait_for_predicate.hpp"
#include "mproc/platform/native_handle.hpp"

namespace mproc {

namespace detail {
struct LockState;
struct SemaphoreState;
struct EventState;
struct WaiterTable;
// Opens the objects behind handles received in a child.
std::shared_ptr<LockState> adopt_lock(native_handle handle, bool recursive);
std::shared_ptr<SemaphoreState> adopt_semaphore(native_handle handle, unsigned maximum);
std::shared_ptr<EventState> adopt_event(native_handle region, native_handle mutex, native_handle wakeup);
native_handle lock_handle(const LockState& s);
bool lock_recursive(const LockState& s);
native_handle semaphore_handle(const SemaphoreState& s);
unsigned semaphore_maximum(const SemaphoreState& s);
void event_handles(const EventState& s, native_handle (&out)[3]);
std::shared_ptr<WaiterTable> create_waiter_table();
std::shared_ptr<WaiterTable> adopt_waiter_table(native_handle region);
native_handle waiter_table_handle(const WaiterTable& t);
handle_kind sync_handle_kind();
handle_kind region_handle_kind();
}  // namespace detail

/// Python's `multiprocessing.Lock`: not recursive, owned by the thread that acquired it.
class Lock {
 public:
  Lock();

  /// Acquires; without `block` returns false at once if held, with a `timeout` (seconds) after
  /// it. A thread that already holds it gets false (or, waiting forever, a ValueError instead
  /// of Python's self-deadlock).
  bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  bool acquire(B, std::optional<double> = std::nullopt) {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: Lock::acquire(5.0) would mean block=true with no timeout (the first "
                  "argument is `bool block`); write acquire(true, 5.0) for a 5 s timeout, or "
                  "acquire(false) not to wait");
    return false;
  }
  /// Releases; ValueError if this thread does not hold it. (Python's Lock, a semaphore, lets
  /// any process release it; an owned lock is what makes owner-death recovery possible.)
  void release();

  // BasicLockable / Lockable, for std::lock_guard and std::unique_lock.
  void lock() { (void)acquire(); }
  void unlock() { release(); }
  bool try_lock() { return acquire(false); }

  /// Whether the last acquire in this process took the lock over from a process that died
  /// holding it.
  bool recovered() const noexcept;

  /// Whether the calling thread holds it.
  bool held_by_this_thread() const noexcept;

  /// Who holds it, as Python's repr names the owner: this process's name when the calling
  /// thread holds it, "None" when nobody does, "SomeOtherThread" (a thread of this process) or
  /// "SomeOtherProcess". (Finding that a lock is free takes and gives it back at once.)
  std::string owner() const;
  /// How many times the calling thread holds it (an RLock's recursion depth), 0 if it does not.
  int count() const noexcept;
  /// `<Lock(owner=None)>`, `<RLock(MainProcess, 2)>`, as Python prints them.
  std::string repr() const;

  template <class Archive>
  void save(Archive& archive) const {
    archive(detail::export_handle(detail::lock_handle(*state_), detail::sync_handle_kind(), "Lock"),
            detail::lock_recursive(*state_));
  }
  template <class Archive>
  void load(Archive& archive) {
    std::uint32_t index = 0;
    bool recursive = false;
    archive(index, recursive);
    state_ = detail::adopt_lock(detail::import_handle(index, "Lock"), recursive);
  }

 protected:
  explicit Lock(bool recursive);

 private:
  friend class Condition;
  int release_all();               // for Condition::wait: how many times it was held
  void reacquire(int count);
  std::shared_ptr<detail::LockState> state_;
};

/// Python's `multiprocessing.RLock`: the owning thread may acquire it again; each acquire needs
/// its release.
class RLock : public Lock {
 public:
  RLock() : Lock(true) {}
};

/// Python's `multiprocessing.Semaphore(value)`.
class Semaphore {
 public:
  explicit Semaphore(unsigned value = 1);
  bool acquire(bool block = true, std::optional<double> timeout = std::nullopt);
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  bool acquire(B, std::optional<double> = std::nullopt) {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: Semaphore::acquire(5.0) would mean block=true with no timeout (the "
                  "first argument is `bool block`); write acquire(true, 5.0) for a 5 s timeout, "
                  "or acquire(false) not to wait");
    return false;
  }
  /// Increments; for a BoundedSemaphore, ValueError if that would go above its initial value.
  void release();
  /// The current value (Python's `get_value`; not available on Windows: SystemError).
  int get_value() const;
  /// `<Semaphore(value=2)>`, `<BoundedSemaphore(value=1, maxvalue=1)>` (value=unknown where
  /// the OS cannot tell it), as Python prints them.
  std::string repr() const;

  void lock() { (void)acquire(); }
  void unlock() { release(); }
  bool try_lock() { return acquire(false); }

  template <class Archive>
  void save(Archive& archive) const {
    archive(detail::export_handle(detail::semaphore_handle(*state_), detail::sync_handle_kind(), "Semaphore"),
            detail::semaphore_maximum(*state_));
  }
  template <class Archive>
  void load(Archive& archive) {
    std::uint32_t index = 0;
    unsigned maximum = 0;
    archive(index, maximum);
    state_ = detail::adopt_semaphore(detail::import_handle(index, "Semaphore"), maximum);
  }

 protected:
  Semaphore(unsigned value, unsigned maximum);

 private:
  std::shared_ptr<detail::SemaphoreState> state_;
};

/// Python's `multiprocessing.BoundedSemaphore(value)`: releasing above `value` is an error.
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(unsigned value = 1) : Semaphore(value, value) {}
};

/// Python's `multiprocessing.Event`.
class Event {
 public:
  Event();
  bool is_set() const;
  void set();
  void clear();
  /// Waits until set or `timeout` seconds pass; returns whether it is set.
  bool wait(std::optional<double> timeout = std::nullopt);
  /// `<Event(set)>` or `<Event(unset)>` (Python's threading.Event shows the same word).
  std::string repr() const;

  template <class Archive>
  void save(Archive& archive) const {
    native_handle h[3];
    detail::event_handles(*state_, h);
    archive(detail::export_handle(h[0], detail::region_handle_kind(), "Event"),
            detail::export_handle(h[1], detail::sync_handle_kind(), "Event"),
            detail::export_handle(h[2], detail::sync_handle_kind(), "Event"));
  }
  template <class Archive>
  void load(Archive& archive) {
    std::uint32_t i[3] = {0, 0, 0};
    archive(i[0], i[1], i[2]);
    native_handle region = detail::import_handle(i[0], "Event");
    native_handle mutex = detail::import_handle(i[1], "Event");
    native_handle wakeup = detail::import_handle(i[2], "Event");
    state_ = detail::adopt_event(region, mutex, wakeup);
  }

 private:
  std::shared_ptr<detail::EventState> state_;
};

/// Python's `multiprocessing.Condition(lock=None)`: wait for a change another process
/// announces with `notify`.
///
/// Beyond Python: each waiter has a slot of its own in shared memory and `notify(n)` wakes the
/// n oldest living waiters by their slots, at once. A waiter that was killed inside `wait()`
/// is skipped (Python's notify waits forever for it), and a wake-up goes only to the waiter it
/// was meant for, so none is left behind for a later `wait` to take by mistake.
class Condition {
 public:
  /// With `lock` (an RLock if none is given, as in Python).
  explicit Condition(std::optional<Lock> lock = std::nullopt);

  bool acquire(bool block = true, std::optional<double> timeout = std::nullopt) {
    return lock_.acquire(block, timeout);
  }
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  bool acquire(B, std::optional<double> = std::nullopt) {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: Condition::acquire(5.0) would mean block=true with no timeout (the "
                  "first argument is `bool block`); write acquire(true, 5.0) for a 5 s timeout, "
                  "or acquire(false) not to wait");
    return false;
  }
  void release() { lock_.release(); }
  void lock() { lock_.lock(); }
  void unlock() { lock_.unlock(); }
  bool try_lock() { return lock_.try_lock(); }

  /// Releases the lock, waits for a notify (or `timeout` seconds), takes the lock back.
  /// Returns false on timeout. ValueError if this thread does not hold the lock.
  bool wait(std::optional<double> timeout = std::nullopt);
  /// Waits until `predicate()` is true (checked with the lock held); returns its last value.
  template <class Predicate>
  bool wait_for(Predicate predicate, std::optional<double> timeout = std::nullopt);
  /// Wakes up to `n` waiting processes or threads.
  void notify(int n = 1);
  void notify_all();

  /// How many living threads and processes wait on it now.
  int waiters() const;
  /// `<Condition(<RLock(None, 0)>, 0)>`: its lock and its waiters, as Python prints it.
  std::string repr() const;

  template <class Archive>
  void save(Archive& archive) const {
    archive(lock_, detail::export_handle(detail::waiter_table_handle(*waiters_),
                                         detail::region_handle_kind(), "Condition"));
  }
  template <class Archive>
  void load(Archive& archive) {
    std::uint32_t index = 0;
    archive(lock_, index);
    waiters_ = detail::adopt_waiter_table(detail::import_handle(index, "Condition"));
  }

 private:
  Lock lock_;
  std::shared_ptr<detail::WaiterTable> waiters_;
};

template <class Predicate>
bool Condition::wait_for(Predicate predicate, std::optional<double> timeout) {
  return detail::wait_for_predicate([this](std::optional<double> left) { return wait(left); },
                                    predicate, timeout);
}

}  // namespace mproc
