#include "process_record.hpp"

#include "runtime.hpp"

namespace mproc::detail {

void ProcessRecord::finish(int code) {
  // Off the live list first, so that nobody who saw the exit still finds it in active_children().
  Runtime::instance().remove_child(this);
  // The target and its arguments are of no more use here. They go before join() returns, so
  // what they held (a Manager proxy's reference, a queue) is given back by then.
  Task done;
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = std::move(task);
  }
  done = Task{};
  {
    std::lock_guard<std::mutex> lock(mutex);
    exitcode.store(code, std::memory_order_release);
  }
  exited.notify_all();
}

}  // namespace mproc::detail
