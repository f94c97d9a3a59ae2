#include "process_record.hpp"

#include "runtime.hpp"

namespace mproc::detail {

void ProcessRecord::finish(int code) {
  // Off the live list first, so that nobody who saw the exit still finds it in active_children().
  Runtime::instance().remove_child(this);
  {
    std::lock_guard<std::mutex> lock(mutex);
    exitcode.store(code, std::memory_order_release);
  }
  exited.notify_all();
}

}  // namespace mproc::detail
