#include "mproc/executor.hpp"

#include "futures/executor_core.hpp"

namespace mproc {

ProcessPoolExecutor::ProcessPoolExecutor(ExecutorOptions options)
    : core_(detail::make_executor_core(std::move(options))) {}

ProcessPoolExecutor& ProcessPoolExecutor::operator=(ProcessPoolExecutor&& other) noexcept {
  if (this != &other) {
    if (core_) {
      try {
        detail::executor_shutdown(*core_, true, false);
      } catch (...) {
      }
    }
    core_ = std::move(other.core_);
  }
  return *this;
}

ProcessPoolExecutor::~ProcessPoolExecutor() {
  if (!core_) return;
  try {
    detail::executor_shutdown(*core_, true, false);
  } catch (...) {
  }
}

const std::shared_ptr<detail::ExecutorCore>& ProcessPoolExecutor::core() const {
  if (!core_) throw ValueError("ProcessPoolExecutor: this executor was moved from");
  return core_;
}

void ProcessPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  detail::executor_shutdown(*core(), wait, cancel_futures);
}

void ProcessPoolExecutor::terminate_workers() { detail::executor_terminate(*core(), false); }
void ProcessPoolExecutor::kill_workers() { detail::executor_terminate(*core(), true); }
int ProcessPoolExecutor::max_workers() const { return detail::executor_max_workers(*core()); }
std::vector<Process> ProcessPoolExecutor::workers() const { return detail::executor_workers(*core()); }
std::string ProcessPoolExecutor::repr() const { return detail::executor_repr(*core()); }

}  // namespace mproc
