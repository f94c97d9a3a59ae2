#include "process/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include <spdlog/logger.h>

#include "process/forkserver_client.hpp"
#include "core/identity.hpp"
#include "core/logging_state.hpp"
#include "core/process_hooks.hpp"
#include "core/spin_wait.hpp"
#include "mproc/logging.hpp"
#include "mproc/platform/fork.hpp"
#include "mproc/platform/process_control.hpp"

namespace mproc::detail {
namespace {

// The runtime, its loop and its children are leaked on purpose: they must outlive every static
// destructor and every atexit handler that might still touch a `Process`.
ProcessWide<Runtime> current;
Runtime* inherited = nullptr;  // in a forked child: the parent's runtime, never used but to close fds

void run_exit_handling() {
  if (Runtime* rt = current.peek()) rt->exit_handling();
}

}  // namespace

Runtime& Runtime::instance() { return current.get(); }

Runtime::Runtime() {
  // Once per process image: the registrations are inherited by forked children.
  static const bool registered = [] {
    register_fork_hooks({&Runtime::before_fork, &Runtime::after_fork_in_parent, &Runtime::after_fork_in_child});
    // Registered late (on first use), so it runs early at exit: before the destructors of the
    // statics that existed by then, which the children's owners may still need.
    std::atexit(&run_exit_handling);
    return true;
  }();
  (void)registered;
}

EventLoop& Runtime::loop() {
  std::call_once(loop_once_, [this] { loop_ = new EventLoop(); });
  return *loop_;
}

void Runtime::add_child(std::shared_ptr<ProcessRecord> record) {
  std::lock_guard<std::mutex> lock(children_mutex_);
  // The loop thread may already have seen it exit (and found nothing to remove).
  if (record->retired) return;
  children_.push_back(std::move(record));
}

void Runtime::remove_child(const ProcessRecord* record) {
  std::shared_ptr<ProcessRecord> last;  // Released after the lock: it may close descriptors.
  std::lock_guard<std::mutex> lock(children_mutex_);
  const_cast<ProcessRecord*>(record)->retired = true;
  auto it = std::find_if(children_.begin(), children_.end(),
                         [record](const auto& r) { return r.get() == record; });
  if (it != children_.end()) {
    last = std::move(*it);
    children_.erase(it);
  }
}

std::vector<std::shared_ptr<ProcessRecord>> Runtime::children() {
  std::lock_guard<std::mutex> lock(children_mutex_);
  return children_;
}

Forkserver& Runtime::forkserver() {
  std::call_once(forkserver_once_, [this] { forkserver_ = new Forkserver(loop()); });
  return *forkserver_;
}

void Runtime::exit_handling() {
  std::call_once(exit_once_, [this] {
    // exit() from a loop callback: the children cannot be reaped while we wait on this thread.
    if (loop_ != nullptr && loop_->on_loop_thread()) return;
    auto live = children();
    if (live.empty() && forkserver_ == nullptr && loop_ == nullptr) return;  // a worker's usual exit
    auto log = get_logger();
    for (auto& child : live) {
      if (!child->daemon) continue;
      log->info("calling terminate() for daemon {}", child->name);
      std::lock_guard<std::mutex> lock(child->mutex);
      if (child->signallable())
        child->control->send_signal(platform::signal_terminate());  // Ignore ESRCH: it just ended.
    }
    for (auto& child : live) {
      log->info("calling join() for process {}", child->name);
      std::unique_lock<std::mutex> lock(child->mutex);
      child->exited.wait(lock, [&] { return child->exit_status().has_value(); });
    }
    if (forkserver_ != nullptr) forkserver_->shutdown();
    if (loop_ != nullptr) loop_->stop();
  });
}

void Runtime::before_fork() noexcept {
  settle_spin_limits();
  // Hold the children list so that a child forked now sees it whole, not mid-update.
  if (Runtime* rt = current.peek()) rt->children_mutex_.lock();
}

void Runtime::after_fork_in_parent() noexcept {
  if (Runtime* rt = current.peek()) rt->children_mutex_.unlock();
}

void Runtime::after_fork_in_child() noexcept {
  // Locked by this very thread before the fork.
  Runtime* rt = current.release();
  if (rt != nullptr) rt->children_mutex_.unlock();
  inherited = rt;
  EventLoop::forget_deferred_wake();
  reset_logger_after_fork();
}

void Runtime::close_inherited_descriptors() {
  Runtime* rt = inherited;
  if (rt == nullptr) return;
  for (auto& child : rt->children_) {
    if (child->control) child->control->close_in_forked_child();
  }
  if (rt->forkserver_ != nullptr) rt->forkserver_->close_in_forked_child();
}

}  // namespace mproc::detail
