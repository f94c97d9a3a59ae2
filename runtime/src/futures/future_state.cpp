#include <chrono>
#include <cstdio>
#include <sstream>

#include "futures/executor_core.hpp"
#include "mproc/future.hpp"

namespace mproc::detail {

void executor_stop_task(ExecutorCore& core, const TaskSink* sink, double grace);

namespace {

// Python logs an exception raised by a done callback and goes on; so does this.
void run_callback(const std::function<void()>& callback) noexcept {
  try {
    callback();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc: a Future's done callback threw: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "mproc: a Future's done callback threw something\n");
  }
}

}  // namespace

void FutureWaiter::notify(std::size_t index) {
  {
    std::lock_guard lock(mutex_);
    finished_.push_back(index);
  }
  changed_.notify_all();
}

std::vector<std::size_t> FutureWaiter::take(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::unique_lock lock(mutex_);
  auto have = [&] { return !finished_.empty(); };
  if (deadline)
    changed_.wait_until(lock, *deadline, have);
  else
    changed_.wait(lock, have);
  std::vector<std::size_t> out;
  out.swap(finished_);
  return out;
}

void FutureState::attach(std::weak_ptr<ExecutorCore> executor, double grace) {
  std::lock_guard lock(mutex_);
  executor_ = std::move(executor);
  grace_ = grace;
}

bool FutureState::start(std::size_t) {
  {
    std::lock_guard lock(mutex_);
    if (phase_ == Phase::pending) {
      phase_ = Phase::running;
      return true;
    }
    // Running already: handed out again, after its worker died before it began.
    if (phase_ == Phase::running && !cancel_asked_) return true;
    if (phase_ != Phase::running) return false;  // cancelled while it waited
  }
  finish(Phase::cancelled, nullptr);  // asked to stop before it ever began: it never will
  return false;
}

void FutureState::deliver(std::size_t, std::string_view payload) {
  bool cancelled;
  {
    std::lock_guard lock(mutex_);
    if (phase_ == Phase::cancelled || phase_ == Phase::finished) return;
    cancelled = cancel_asked_;
    settling_ = true;  // too late to cancel from here on
  }
  if (cancelled) {
    // The caller was told `cancel` succeeded: what the task returned is not wanted.
    finish(Phase::cancelled, nullptr);
    return;
  }
  try {
    store(payload);
  } catch (...) {
    finish(Phase::finished, std::current_exception());
    return;
  }
  finish(Phase::finished, nullptr);
}

void FutureState::fail(std::size_t, std::exception_ptr error) {
  bool cancelled;
  {
    std::lock_guard lock(mutex_);
    cancelled = cancel_asked_;
    settling_ = true;
  }
  if (cancelled)
    finish(Phase::cancelled, nullptr);
  else
    finish(Phase::finished, std::move(error));
}

void FutureState::finish(Phase phase, std::exception_ptr error) {
  std::vector<std::function<void()>> callbacks;
  std::vector<std::pair<std::shared_ptr<FutureWaiter>, std::size_t>> waiters;
  {
    std::lock_guard lock(mutex_);
    if (phase_ == Phase::cancelled || phase_ == Phase::finished) return;
    phase_ = phase;
    error_ = std::move(error);
    callbacks.swap(callbacks_);
    waiters.swap(waiters_);
  }
  changed_.notify_all();
  for (auto& [waiter, index] : waiters) waiter->notify(index);
  for (auto& callback : callbacks) run_callback(callback);
}

bool FutureState::cancel(Cancel how, std::optional<double> grace) {
  if (grace && *grace < 0) throw ValueError("Future::cancel: the grace period must be 0 or more seconds");
  std::shared_ptr<ExecutorCore> executor;
  double kill_after = -1;
  {
    std::lock_guard lock(mutex_);
    if (phase_ == Phase::cancelled) return true;
    if (phase_ == Phase::finished) return false;
    if (phase_ == Phase::running) {
      if (settling_) return cancel_asked_;  // its outcome is being recorded now
      if (how == Cancel::if_pending) return false;
      cancel_asked_ = true;
      executor = executor_.lock();
      if (how == Cancel::terminate) kill_after = grace.value_or(grace_);
    }
  }
  if (executor) {
    executor_stop_task(*executor, this, kill_after);
    return true;
  }
  // Pending (or its executor is gone): it will never run.
  finish(Phase::cancelled, nullptr);
  return true;
}

bool FutureState::cancelled() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::cancelled;
}

bool FutureState::running() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::running;
}

bool FutureState::done() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::cancelled || phase_ == Phase::finished;
}

bool FutureState::failed() const {
  std::lock_guard lock(mutex_);
  return phase_ == Phase::finished && error_ != nullptr;
}

bool FutureState::wait(std::optional<double> timeout) const {
  std::unique_lock lock(mutex_);
  auto is_done = [&] { return phase_ == Phase::cancelled || phase_ == Phase::finished; };
  if (!timeout) {
    changed_.wait(lock, is_done);
    return true;
  }
  auto until = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(std::max(*timeout, 0.0)));
  return changed_.wait_until(lock, until, is_done);
}

void FutureState::check(std::optional<double> timeout) const {
  if (auto error = exception(timeout)) std::rethrow_exception(error);
}

std::exception_ptr FutureState::exception(std::optional<double> timeout) const {
  if (!wait(timeout))
    throw TimeoutError("Future: the task did not finish within " + std::to_string(*timeout) + " s");
  std::lock_guard lock(mutex_);
  if (phase_ == Phase::cancelled) throw CancelledError("Future: the task was cancelled");
  return error_;
}

void FutureState::on_done(std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::cancelled && phase_ != Phase::finished) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  run_callback(callback);
}

void FutureState::add_waiter(const std::shared_ptr<FutureWaiter>& waiter, std::size_t index) {
  {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::cancelled && phase_ != Phase::finished) {
      waiters_.emplace_back(waiter, index);
      return;
    }
  }
  waiter->notify(index);
}

void FutureState::remove_waiter(const FutureWaiter* waiter) {
  std::lock_guard lock(mutex_);
  std::erase_if(waiters_, [&](const auto& w) { return w.first.get() == waiter; });
}

const char* FutureState::state_name() const {
  std::lock_guard lock(mutex_);
  switch (phase_) {
    case Phase::pending: return "pending";
    case Phase::running: return "running";
    case Phase::cancelled: return "cancelled";
    case Phase::finished: return error_ ? "finished raised" : "finished";
  }
  return "pending";
}

}  // namespace mproc::detail

namespace mproc {

std::string FutureBase::repr() const {
  std::ostringstream out;
  out << "<Future at " << static_cast<const void*>(state_.get()) << " state="
      << (state_ ? state_->state_name() : "invalid") << ">";
  return out.str();
}

}  // namespace mproc
