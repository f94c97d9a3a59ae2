#include "process_record.hpp"

#include "runtime.hpp"

namespace mproc::detail {

void ProcessRecord::finish(int code) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    exitcode.store(code, std::memory_order_release);
  }
  exited.notify_all();
  Runtime::instance().remove_child(this);
}

}  // namespace mproc::detail
