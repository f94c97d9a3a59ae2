#pragma once
// The runtime's libuv loop, running on its own thread. Every child's exit is observed here, so
// children are reaped the moment they exit. libuv is not thread-safe: other threads hand work
// to the loop with `post` / `call`.
#include <uv.h>

#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace mproc::detail {

class EventLoop {
 public:
  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  // Never destroyed: the runtime leaks its loop on purpose (see runtime.cpp).

  /// Runs `work` on the loop thread, soon.
  void post(std::function<void(uv_loop_t*)> work);

  /// Runs `work` on the loop thread and returns its result (rethrows its exception).
  template <class F>
  auto call(F&& work) -> std::invoke_result_t<F, uv_loop_t*> {
    using R = std::invoke_result_t<F, uv_loop_t*>;
    if (on_loop_thread()) return work(&loop_);
    std::packaged_task<R(uv_loop_t*)> task(std::forward<F>(work));
    auto result = task.get_future();
    post([&task](uv_loop_t* loop) { task(loop); });
    if (deferring_ > 0) uv_async_send(&wake_);  // waited for here: never deferred
    return result.get();
  }

  /// Runs `work` on libuv's thread pool. Called on the loop thread. For work that may block
  /// (talking to another process), which must never hold up the loop: it reaps the children.
  void run_in_thread_pool(std::function<void()> work);

  /// Stops the loop and joins its thread; handles still open are abandoned (process exit).
  void stop();

  bool on_loop_thread() const noexcept { return std::this_thread::get_id() == thread_id_; }

  /// While one lives, the posts of the thread that made it wake the loop only when it ends:
  /// starting several children in a row then wakes the loop once, after the last fork, rather
  /// than having it run (and fault in the pages each fork shared) while the next fork copies
  /// the process. Nothing posted waits long: only as long as the scope.
  class DeferWake {
   public:
    explicit DeferWake(EventLoop& loop) : loop_(loop) { ++deferring_; }
    ~DeferWake();
    DeferWake(const DeferWake&) = delete;
    DeferWake& operator=(const DeferWake&) = delete;

   private:
    EventLoop& loop_;
  };
  /// In a child forked inside a DeferWake scope: the scope stays behind with the parent.
  static void forget_deferred_wake() noexcept {
    deferring_ = 0;
    wake_pending_ = false;
  }

 private:
  static thread_local int deferring_;     // DeferWake scopes open on this thread
  static thread_local bool wake_pending_;  // a post of this thread has not woken the loop yet

  static void on_wake(uv_async_t* async);

  uv_loop_t loop_{};
  uv_async_t wake_{};
  std::mutex mutex_;
  std::vector<std::function<void(uv_loop_t*)>> queue_;
  bool stopped_ = false;
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace mproc::detail
