#pragma once
// The state of one child process, shared by every `Process` copy that refers to it and by the
// runtime (which keeps it until the child is reaped).
#include <atomic>
#include <climits>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "mproc/detail/task.hpp"
#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

/// What a start method leaves behind to control a running child.
class ChildControl {
 public:
  virtual ~ChildControl() = default;
  /// Sends `sig` (terminate/kill). Called with the record's mutex held and only while the
  /// child has not been reported as exited, so it can never reach a reused pid.
  virtual std::error_code send_signal(int sig) = 0;
  /// The handle that becomes ready when the child exits.
  virtual native_handle sentinel() const = 0;
  /// In a forked sibling: closes the descriptors this control holds, and nothing else.
  virtual void close_in_forked_child() noexcept = 0;
};

struct ProcessRecord : std::enable_shared_from_this<ProcessRecord> {
  enum class State { created, started, closed };
  static constexpr int running = INT_MIN;

  std::mutex mutex;
  std::condition_variable exited;

  // Set before start(); read-only afterwards except `name`.
  std::string name;
  bool daemon = false;
  std::string start_method;  ///< empty: resolved at start()
  std::vector<int> path;     ///< identity path, e.g. (1, 2)
  Task task;
  int creator_pid = 0;       ///< the process that made the object; only it may start/join
  bool is_current = false;   ///< rebuilt in its own child (a ProcessClass's run()): it is us

  State state = State::created;
  std::atomic<int> pid{0};
  std::atomic<int> exitcode{running};
  std::unique_ptr<ChildControl> control;
  bool retired = false;  ///< off the runtime's live list for good (guarded by its mutex)
  /// The child is being reaped: its pid may soon name another process, so no signal may be
  /// sent any more (guarded by `mutex`; set on the loop thread just before the reap).
  bool reaped = false;

  /// Whether `control->send_signal` may still be called (call with `mutex` held).
  bool signallable() const { return !reaped && !exit_status() && control != nullptr; }

  /// Marks the child as being reaped (takes `mutex`).
  void stop_signals() {
    std::lock_guard<std::mutex> lock(mutex);
    reaped = true;
  }

  /// Called once, on the loop thread, when the child has exited: drops the target and its
  /// arguments, then publishes the exit code (join returns after both).
  void finish(int code);

  std::optional<int> exit_status() const {
    int c = exitcode.load(std::memory_order_acquire);
    return c == running ? std::nullopt : std::optional<int>(c);
  }
};

}  // namespace mproc::detail
