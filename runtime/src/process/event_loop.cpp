#include "process/event_loop.hpp"

#include "core/throw_error.hpp"

namespace mproc::detail {

EventLoop::EventLoop() {
  throw_uv_error(uv_loop_init(&loop_), "cannot create the runtime's event loop");
  wake_.data = this;
  throw_uv_error(uv_async_init(&loop_, &wake_, &EventLoop::on_wake),
                 "cannot create the runtime's event loop");
  std::promise<void> running;
  thread_ = std::thread([this, &running] {
    thread_id_ = std::this_thread::get_id();
    running.set_value();
    uv_run(&loop_, UV_RUN_DEFAULT);
  });
  running.get_future().wait();
}

thread_local int EventLoop::deferring_ = 0;
thread_local bool EventLoop::wake_pending_ = false;

void EventLoop::post(std::function<void(uv_loop_t*)> work) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;  // After exit handling: nothing is waited on any more.
    queue_.push_back(std::move(work));
  }
  if (deferring_ > 0) {
    wake_pending_ = true;
    return;
  }
  uv_async_send(&wake_);
}

EventLoop::DeferWake::~DeferWake() {
  if (--deferring_ > 0 || !wake_pending_) return;
  wake_pending_ = false;
  uv_async_send(&loop_.wake_);
}

void EventLoop::on_wake(uv_async_t* async) {
  auto* self = static_cast<EventLoop*>(async->data);
  std::vector<std::function<void(uv_loop_t*)>> work;
  {
    std::lock_guard<std::mutex> lock(self->mutex_);
    work.swap(self->queue_);
  }
  for (auto& w : work) w(&self->loop_);
}

void EventLoop::run_in_thread_pool(std::function<void()> work) {
  struct Job {
    uv_work_t request{};
    std::function<void()> work;
  };
  auto* job = new Job{{}, std::move(work)};
  job->request.data = job;
  int rc = uv_queue_work(
      &loop_, &job->request, [](uv_work_t* r) { static_cast<Job*>(r->data)->work(); },
      [](uv_work_t* r, int) { delete static_cast<Job*>(r->data); });
  if (rc != 0) {  // Only on a closing loop: do the work here rather than lose it.
    auto fallback = std::move(job->work);
    delete job;
    fallback();
  }
}

void EventLoop::stop() {
  if (on_loop_thread()) return;  // exit() called from a loop callback: nothing to join.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    queue_.push_back([](uv_loop_t* loop) { uv_stop(loop); });
    stopped_ = true;
  }
  uv_async_send(&wake_);
  thread_.join();
}

}  // namespace mproc::detail
