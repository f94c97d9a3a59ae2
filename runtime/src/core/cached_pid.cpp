#include "core/cached_pid.hpp"

#include <atomic>
#include <mutex>

#include <uv.h>

#include "mproc/platform/fork.hpp"

namespace mproc::detail {
namespace {
std::atomic<int> pid_cache{0};
void forget_pid() { pid_cache.store(0, std::memory_order_relaxed); }
}  // namespace

int cached_pid() {
  int pid = pid_cache.load(std::memory_order_relaxed);
  if (pid != 0) return pid;
  static std::once_flag registered;
  std::call_once(registered, [] { platform::register_fork_handlers(nullptr, nullptr, &forget_pid); });
  pid = static_cast<int>(uv_os_getpid());
  pid_cache.store(pid, std::memory_order_relaxed);
  return pid;
}

}  // namespace mproc::detail
