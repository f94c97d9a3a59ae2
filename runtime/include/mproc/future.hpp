#pragma once
// `mproc::Future<R>`: Python's `concurrent.futures.Future`, for a task that a
// ProcessPoolExecutor runs. Beyond Python, `cancel` can stop a task that already runs (see
// `Cancel`), and a Future converts to a `std::future`.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mproc/detail/pool_task.hpp"
#include "mproc/detail/printable.hpp"
#include "mproc/errors.hpp"
#include "mproc/serialization.hpp"

namespace mproc {

/// How `Future::cancel` treats a task that already runs.
enum class Cancel {
  /// Python's `cancel()`: only a task that has not started is cancelled; false otherwise.
  if_pending,
  /// Also a running task: it is asked to stop (a task whose first parameter is a
  /// `std::stop_token` sees the request and may return); the Future ends cancelled when it does.
  request,
  /// Also a running task: asked to stop, and if it still runs after the grace period its worker
  /// is terminated (and replaced); the Future ends cancelled either way.
  terminate,
};

namespace detail {

class ExecutorCore;

/// What `futures::wait` and `as_completed` wait on: the indexes of futures as they finish.
class FutureWaiter {
 public:
  void notify(std::size_t index);
  /// Finished indexes since the last call; waits until there is one or `deadline` passes.
  std::vector<std::size_t> take(std::optional<std::chrono::steady_clock::time_point> deadline);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::size_t> finished_;
};

/// The state behind a Future; the executor's pool reports to it as a TaskSink (on its handler
/// thread), user threads read it.
class FutureState : public TaskSink {
 public:
  enum class Phase : std::uint8_t { pending, running, cancelled, finished };

  bool start(std::size_t part) override;
  void deliver(std::size_t part, std::string_view payload) override;
  void fail(std::size_t part, std::exception_ptr error) override;

  bool cancel(Cancel how, std::optional<double> grace);
  bool cancelled() const;
  bool running() const;
  bool done() const;
  /// Whether it finished with an exception (false while not done, and when cancelled).
  bool failed() const;
  /// Waits until done; false if `timeout` seconds passed first.
  bool wait(std::optional<double> timeout) const;
  /// Waits; TimeoutError, CancelledError, or the task's exception re-thrown.
  void check(std::optional<double> timeout) const;
  std::exception_ptr exception(std::optional<double> timeout) const;
  /// Runs `callback` once done: at once (on this thread) if it is.
  void on_done(std::function<void()> callback);
  /// `waiter.notify(index)` once done (at once if it is); remove before the waiter goes away.
  void add_waiter(const std::shared_ptr<FutureWaiter>& waiter, std::size_t index);
  void remove_waiter(const FutureWaiter* waiter);
  /// Python's state names: PENDING, RUNNING, CANCELLED, FINISHED.
  const char* state_name() const;
  /// Set by the executor that runs it, to reach a running task.
  void attach(std::weak_ptr<ExecutorCore> executor, double grace);

 protected:
  /// Decodes the task's result; throws SerializationError on bytes that do not decode.
  virtual void store(std::string_view payload) = 0;

 private:
  void finish(Phase phase, std::exception_ptr error);

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  Phase phase_ = Phase::pending;
  bool cancel_asked_ = false;  // a running task was asked to stop: it ends cancelled
  bool settling_ = false;      // its outcome arrived: cancel() can no longer change it
  std::exception_ptr error_;
  std::vector<std::function<void()>> callbacks_;
  std::vector<std::pair<std::shared_ptr<FutureWaiter>, std::size_t>> waiters_;
  std::weak_ptr<ExecutorCore> executor_;
  double grace_ = 1.0;
};

template <class R>
class FutureValue final : public FutureState {
 public:
  const R& value() const { return *value_; }

 protected:
  void store(std::string_view payload) override {
    R value;
    wire::load(payload, value);
    value_.emplace(std::move(value));
  }

 private:
  std::optional<R> value_;
};

template <>
class FutureValue<void> final : public FutureState {
 protected:
  void store(std::string_view) override {}
};

}  // namespace detail

/// What every Future has, whatever its result type: `futures::wait` and `as_completed` take
/// futures of different types together as FutureBase.
class FutureBase {
 public:
  FutureBase() = default;
  explicit FutureBase(std::shared_ptr<detail::FutureState> state) : state_(std::move(state)) {}

  /// Python's `cancel()` with `Cancel::if_pending` (the default): true if the task will not run
  /// (or was already cancelled), false once it runs or is done. `Cancel::request` and
  /// `Cancel::terminate` also stop a running task (true then; the Future becomes cancelled when
  /// the task ends); `grace` overrides the executor's `cancel_grace` for `terminate`.
  bool cancel(Cancel how = Cancel::if_pending, std::optional<double> grace = std::nullopt) {
    return checked().cancel(how, grace);
  }
  bool cancelled() const { return checked().cancelled(); }
  /// True while a worker has (or is about to run) the task.
  bool running() const { return checked().running(); }
  /// Finished, failed or cancelled.
  bool done() const { return checked().done(); }
  /// The task's exception (null if it returned); waits up to `timeout` seconds (TimeoutError),
  /// CancelledError if it was cancelled.
  std::exception_ptr exception(std::optional<double> timeout = std::nullopt) const {
    return checked().exception(timeout);
  }
  /// Whether this refers to a task (a default-constructed Future does not).
  bool valid() const noexcept { return state_ != nullptr; }
  /// `<Future at 0x55d0c8a0 state=running>`, as Python prints a Future.
  std::string repr() const;

  const std::shared_ptr<detail::FutureState>& state() const noexcept { return state_; }
  friend bool operator==(const FutureBase& a, const FutureBase& b) { return a.state_ == b.state_; }

 protected:
  detail::FutureState& checked() const {
    if (!state_) throw ValueError("Future: this Future refers to no task (default-constructed or moved from)");
    return *state_;
  }

  std::shared_ptr<detail::FutureState> state_;
};

/// The result of `ProcessPoolExecutor::submit`: Python's `concurrent.futures.Future`.
template <class R>
class Future : public FutureBase {
 public:
  Future() = default;
  explicit Future(std::shared_ptr<detail::FutureValue<R>> state) : FutureBase(std::move(state)) {}

  /// The task's result, waiting up to `timeout` seconds (forever by default): TimeoutError if
  /// it is not done by then, CancelledError if it was cancelled, or the task's own exception
  /// re-thrown by its type (a dead worker's task: WorkerLostError, a BrokenProcessPool).
  R result(std::optional<double> timeout = std::nullopt) const {
    checked().check(timeout);
    if constexpr (!std::is_void_v<R>) return typed().value();
  }

  /// Calls `callback(future)` once the Future is done (at once, on this thread, if it is);
  /// otherwise on the executor's result thread. An exception it throws is reported on stderr and
  /// ignored, as Python logs it.
  template <class F>
  void add_done_callback(F&& callback) {
    auto state = std::static_pointer_cast<detail::FutureValue<R>>(state_);
    checked().on_done([weak = std::weak_ptr<detail::FutureValue<R>>(state),
                       callback = std::forward<F>(callback)]() mutable {
      if (auto self = weak.lock()) callback(Future<R>(std::move(self)));
    });
  }

  /// A `std::future` that becomes ready with this Future (its value, its exception, or
  /// CancelledError), for code that expects one.
  std::future<R> to_std_future() const {
    auto promise = std::make_shared<std::promise<R>>();
    std::future<R> out = promise->get_future();
    const_cast<Future*>(this)->add_done_callback([promise](const Future<R>& f) {
      try {
        if constexpr (std::is_void_v<R>) {
          f.result();
          promise->set_value();
        } else {
          promise->set_value(f.result());
        }
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
    return out;
  }
  operator std::future<R>() const { return to_std_future(); }

 private:
  const detail::FutureValue<R>& typed() const {
    return static_cast<const detail::FutureValue<R>&>(*state_);
  }
};

}  // namespace mproc
