#include "process/process_record.hpp"

#include "core/process_hooks.hpp"
#include "process/runtime.hpp"

namespace mproc::detail {

void ProcessRecord::finish(int code) {
  // Off the live list first, so that nobody who saw the exit still finds it in active_children().
  Runtime::instance().remove_child(this);
  // The target and its arguments are of no more use here. They go before join() returns, so
  // what they held (a Manager proxy's reference, a queue) is given back by then.
  auto drop_task_and_publish = [self = shared_from_this(), code] {
    Task done;
    {
      std::lock_guard<std::mutex> lock(self->mutex);
      done = std::move(self->task);
    }
    done = Task{};
    {
      std::lock_guard<std::mutex> lock(self->mutex);
      self->exitcode.store(code, std::memory_order_release);
    }
    self->exited.notify_all();
  };
  // Giving back a proxy's reference is a round trip to its manager, and the last proxy of a
  // manager shuts it down and joins its process: neither may run on the loop thread, which
  // would wait for a stopped manager, or for itself to report the server's exit. Without any
  // proxy in this process (the usual case) the task holds nothing of the kind.
  if (holds_remote_references())
    Runtime::instance().loop().run_in_thread_pool(std::move(drop_task_and_publish));
  else
    drop_task_and_publish();
}

}  // namespace mproc::detail
