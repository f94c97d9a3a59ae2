#pragma once
// Python's `multiprocessing.Barrier(parties, action, timeout)`: `parties` processes (or threads)
// wait until all of them have arrived. Built as CPython builds it: a Condition over shared
// state. A broken barrier (aborted, reset under waiters, a failed action, a timeout) makes
// every waiter throw BrokenBarrierError.
#include <optional>
#include <string>

#include "mproc/sharedctypes.hpp"
#include "mproc/synchronize.hpp"

namespace mproc {

class Barrier {
 public:
  /// `action` (a plain function, so that a spawned process can run it too) is called by the
  /// last process to arrive, before the others are released.
  explicit Barrier(int parties, void (*action)() = nullptr, std::optional<double> timeout = std::nullopt);

  /// Waits for the others; returns this caller's arrival index (0 .. parties-1). Uses the
  /// barrier's default timeout when none is given.
  int wait(std::optional<double> timeout = std::nullopt);
  /// Wakes every waiter with BrokenBarrierError and returns the barrier to its empty state.
  void reset();
  /// Breaks the barrier: current and future waits throw BrokenBarrierError until `reset`.
  void abort();

  int parties() const noexcept { return parties_; }
  int n_waiting() const;
  bool broken() const;
  /// `<Barrier(parties=3, n_waiting=1)>` (`, broken` when broken), as threading.Barrier shows.
  std::string repr() const {
    return "<Barrier(parties=" + std::to_string(parties()) + ", n_waiting=" + std::to_string(n_waiting()) +
           (broken() ? ", broken)>" : ")>");
  }

  template <class Archive>
  void save(Archive& archive) const {
    archive(cond_, state_, parties_, timeout_, action_module_, action_offset_);
  }
  template <class Archive>
  void load(Archive& archive) {
    archive(cond_, state_, parties_, timeout_, action_module_, action_offset_);
    action_ = resolve_action(action_module_, action_offset_);
  }
  /// An empty barrier (what a child's argument is decoded into).
  Barrier() : Barrier(1) {}

 private:
  static void (*resolve_action(const std::string& module, std::uint64_t offset))();
  void enter();
  void release();
  void wait_to_trip(std::optional<double> timeout);
  void exit();
  void break_barrier();
  int& state() const { return state_[0]; }  // 0 filling, 1 draining, -1 resetting, -2 broken
  int& count() const { return state_[1]; }

  mutable Condition cond_;
  RawArray<int> state_;
  int parties_ = 1;
  std::optional<double> timeout_;
  void (*action_)() = nullptr;
  std::string action_module_;
  std::uint64_t action_offset_ = 0;
};

}  // namespace mproc
