#pragma once
// The thread a pool's handler runs on. A finished handler's thread parks for a while and the
// next pool of the process takes it: a new thread is queued behind every busy task before it
// first runs (the scheduler places new threads last; on a loaded machine that is milliseconds,
// more than a whole executor start and shutdown), a parked one that is woken is not, and no
// stack is set up and given back each time.
#include <functional>
#include <memory>

namespace mproc::detail {

class HandlerThread {
 public:
  HandlerThread() = default;
  HandlerThread(const HandlerThread&) = delete;
  HandlerThread& operator=(const HandlerThread&) = delete;

  /// Runs `body` on a parked thread, or a new one if none is parked.
  void start(std::function<void()> body);
  /// Whether `body` was started and not yet joined.
  bool joinable() const noexcept { return state_ != nullptr; }
  /// Whether the caller is the thread running `body`.
  bool runs_here() const noexcept;
  /// Waits until `body` has returned.
  void join();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace mproc::detail
