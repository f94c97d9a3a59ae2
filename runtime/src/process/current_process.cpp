#include "mproc/current_process.hpp"

#include <uv.h>

#include <cmath>

#include "core/identity.hpp"
#include "mproc/platform/sentinel.hpp"

namespace mproc {

std::string CurrentProcess::name() const { return detail::current_identity().name; }

void CurrentProcess::set_name(std::string name) {
  detail::Identity changed = detail::current_identity();
  changed.name = std::move(name);
  detail::set_identity(std::move(changed));
}

int CurrentProcess::pid() const { return static_cast<int>(uv_os_getpid()); }

bool CurrentProcess::daemon() const { return detail::current_identity().daemon; }

CurrentProcess current_process() { return CurrentProcess{}; }

bool ParentProcess::is_alive() const { return !platform::wait_channel(sentinel_, 0); }

void ParentProcess::join(std::optional<double> timeout_seconds) const {
  int ms = -1;
  if (timeout_seconds) ms = static_cast<int>(std::ceil(std::max(0.0, *timeout_seconds) * 1000.0));
  platform::wait_channel(sentinel_, ms);
}

std::optional<ParentProcess> parent_process() {
  const detail::Identity& me = detail::current_identity();
  if (!me.is_child) return std::nullopt;
  return ParentProcess(me.parent_pid, me.parent_name, me.parent_channel);
}

int cpu_count() { return static_cast<int>(uv_available_parallelism()); }

int getpid() { return static_cast<int>(uv_os_getpid()); }

int getppid() { return static_cast<int>(uv_os_getppid()); }

}  // namespace mproc
