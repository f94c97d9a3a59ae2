#include <chrono>
#include <cstdio>
#include <string>

#include "mproc/async_result.hpp"

namespace mproc::detail {

bool ResultStateBase::ready() const {
  std::lock_guard lock(mutex_);
  return ready_;
}

bool ResultStateBase::wait(std::optional<double> timeout) const {
  std::unique_lock lock(mutex_);
  if (!timeout) {
    changed_.wait(lock, [&] { return ready_; });
    return true;
  }
  auto until = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(std::max(*timeout, 0.0)));
  return changed_.wait_until(lock, until, [&] { return ready_; });
}

void ResultStateBase::wait_and_check(std::optional<double> timeout, const char* what) const {
  if (!wait(timeout))
    throw TimeoutError(std::string(what) + ": the result is not ready after " +
                       std::to_string(*timeout) + " s");
  std::lock_guard lock(mutex_);
  if (error_) std::rethrow_exception(error_);
}

bool ResultStateBase::successful() const {
  std::lock_guard lock(mutex_);
  if (!ready_) throw ValueError("AsyncResult::successful: the result is not ready yet");
  return !error_;
}

void ResultStateBase::finish(std::exception_ptr error) {
  {
    std::lock_guard lock(mutex_);
    if (ready_) return;
    ready_ = true;
    error_ = std::move(error);
  }
  changed_.notify_all();
}

void ResultStateBase::guarded(const char* which, const std::function<void()>& call) noexcept {
  try {
    call();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc: a pool %s threw %s; the pool goes on\n", which, e.what());
  } catch (...) {
    std::fprintf(stderr, "mproc: a pool %s threw; the pool goes on\n", which);
  }
}

void ResultStateBase::with_exception(std::exception_ptr error,
                                     const std::function<void(const std::exception&)>& call) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    call(e);
  }
}

}  // namespace mproc::detail
